//! What every score is made of: components with a raw value, a 0–100 score and a share of the
//! weight, weighed over the known ones; and reasons, a stable code with a sentence.

use serde::{Deserialize, Serialize};

use crate::text::{round1, round4};

/// A machine code (each score has its own set) and a sentence for people.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct Reason<C> {
    pub code: C,
    pub text: String,
}

impl<C> Reason<C> {
    pub fn new(code: C, text: impl Into<String>) -> Self {
        Reason {
            code,
            text: text.into(),
        }
    }

    /// A reason whose sentence is written only when `texts` is true (a table of scores has no
    /// use for millions of sentences; an explanation does).
    pub fn lazy(code: C, texts: bool, text: impl FnOnce() -> String) -> Self {
        Reason {
            code,
            text: if texts { text() } else { String::new() },
        }
    }
}

/// A code that is an upper-case name (`TRUE_FRIEND` for the quadrant `true_friend`); in
/// TypeScript, `Uppercase<T>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Upper<T>(pub T);

/// Things with a stable snake_case name.
pub trait Named: Copy {
    fn name(self) -> &'static str;
}

impl<T: Named> Serialize for Upper<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0.name().to_ascii_uppercase())
    }
}

impl<T: Named> PartialEq<&str> for Upper<T> {
    fn eq(&self, other: &&str) -> bool {
        self.0.name().to_ascii_uppercase() == *other
    }
}

/// One component of a score.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct Component {
    /// The measured value (see the component's definition); absent when unknown.
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub raw: Option<f64>,
    /// 0–100; absent when unknown.
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    /// Share of the total this component carried (0 when unknown).
    pub weight: f64,
}

/// A component as measured: its weight option, raw value and score (both `None` when unknown).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Part {
    pub weight: f64,
    pub raw: Option<f64>,
    pub score: Option<f64>,
}

/// The weighted mean of the known scores of `parts` (`None` when none is known): what
/// [`weigh`] gives first, without writing out the components.
pub fn weighted<const N: usize>(parts: &[Part; N]) -> Option<f64> {
    let total_w: f64 = parts
        .iter()
        .filter(|p| p.score.is_some())
        .map(|p| p.weight)
        .sum();
    let weighted: f64 = parts
        .iter()
        .filter_map(|p| p.score.map(|s| p.weight * s))
        .sum();
    (total_w > 0.0).then(|| weighted / total_w)
}

/// Weighs parts: returns the weighted mean of the known scores (`None` when none is known)
/// and each part as reported, with its share of the weight. Unknown components are left out
/// of the mean rather than counted as zero.
pub fn weigh<const N: usize>(parts: [Part; N]) -> (Option<f64>, [Component; N]) {
    let total_w: f64 = parts
        .iter()
        .filter(|p| p.score.is_some())
        .map(|p| p.weight)
        .sum();
    let total = weighted(&parts);
    let components = parts.map(|p| Component {
        raw: p.raw.map(round4),
        score: p.score.map(round1),
        weight: if p.score.is_some() && total_w > 0.0 {
            round4(p.weight / total_w)
        } else {
            0.0
        },
    });
    (total, components)
}

/// The low, fair or high code of a 0–100 score: high at 70 or more, low at 30 or less.
pub fn band<C: Copy>(score: f64, [low, mid, high]: [C; 3]) -> C {
    if score >= 70.0 {
        high
    } else if score <= 30.0 {
        low
    } else {
        mid
    }
}

/// Reasons collected with how telling each is, most telling first when sorted. Collected only
/// when `texts` is on: scores without explanations skip them.
#[derive(Clone, Debug)]
pub struct Reasons<C> {
    texts: bool,
    list: Vec<(f64, Reason<C>)>,
}

impl<C: Copy> Reasons<C> {
    pub fn new(texts: bool) -> Self {
        Reasons {
            texts,
            list: Vec::new(),
        }
    }

    /// A reason ranked by how far its component's score is from neutral, weighted.
    pub fn push(&mut self, weight: f64, score: f64, code: C, text: impl FnOnce() -> String) {
        if self.texts {
            self.list
                .push((weight * (score - 50.0).abs(), Reason::new(code, text())));
        }
    }

    /// The reasons, most telling first.
    pub fn sorted(mut self) -> Vec<Reason<C>> {
        self.list.sort_by(|a, b| b.0.total_cmp(&a.0));
        self.list.into_iter().map(|r| r.1).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_parts_are_left_out_of_the_mean() {
        let p = |w, s: Option<f64>| Part {
            weight: w,
            raw: s,
            score: s,
        };
        let (total, c) = weigh([p(1.0, Some(80.0)), p(3.0, None), p(1.0, Some(40.0))]);
        assert_eq!(total, Some(60.0));
        assert_eq!((c[0].weight, c[1].weight, c[2].weight), (0.5, 0.0, 0.5));
        assert_eq!(weigh([p(1.0, None)]).0, None);
        assert_eq!(band(70.0, ["L", "F", "H"]), "H");
        assert_eq!(band(30.0, ["L", "F", "H"]), "L");
        assert_eq!(band(50.0, ["L", "F", "H"]), "F");
    }
}
