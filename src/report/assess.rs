//! One client's scores as of a day, before the portfolio-wide parts (RFM quantiles, medians)
//! are known: what `score` and `history` both start from.

use super::scorer::Scorer;
use crate::ledger::Tally;
use crate::scores::activity::{self, Activity};
use crate::scores::effectiveness::{self, Effectiveness, Recorded};
use crate::scores::engagement::{self, Breadth, Engagement};
use crate::scores::relationship::Facts;

/// What one client's scores are built from.
pub struct Assessment {
    pub activity: Activity,
    pub engagement: Engagement,
    pub effectiveness: Effectiveness,
    pub adoption: Option<f64>,
    pub facts: Facts,
    /// Interactions and revenue up to the day scored.
    pub tally: Tally,
    pub revenue: f64,
}

/// What every client's assessment shares: the feature catalog and what the business records.
#[derive(Clone, Debug)]
pub struct Context {
    pub in_catalog: Vec<bool>,
    pub catalog: usize,
    pub recorded: Recorded,
}

impl Context {
    pub fn new(s: &Scorer) -> Context {
        let features = &s.config().options.engagement.features;
        let names = s.ledger().feature_names();
        let (in_catalog, catalog) = if features.is_empty() {
            (vec![true; names.len()], names.len())
        } else {
            let set: std::collections::HashSet<&str> = features.iter().map(|s| s.trim()).collect();
            (
                names.iter().map(|f| set.contains(f.as_str())).collect(),
                set.len(),
            )
        };
        Context {
            in_catalog,
            catalog,
            recorded: Recorded::of(s.ledger()),
        }
    }
}

impl Scorer {
    /// Activity, engagement and effectiveness of ledger client `i` as of day `as_of`, the
    /// reasons' sentences written when `texts`; `None` if it has no activity by then.
    pub fn assess(&self, i: usize, as_of: i32, ctx: &Context, texts: bool) -> Option<Assessment> {
        let o = &self.config().options;
        let rec = self.ledger().record(i);
        let activity = activity::classify(rec, as_of, &o.activity, texts)?;
        let used = rec
            .features
            .iter()
            .filter(|&&f| ctx.in_catalog[f as usize])
            .count();
        let breadth = Breadth {
            used,
            catalog: ctx.catalog,
        };
        let engagement = engagement::score(rec, as_of, breadth, &o.engagement, texts)?;
        let adoption = (ctx.catalog > 0).then(|| used as f64 / ctx.catalog as f64);
        let facts = Facts::of(rec, as_of)?;
        let tally = rec.tally(as_of);
        let revenue = rec.revenue_until(as_of);
        let inputs = effectiveness::Inputs {
            tally: &tally,
            revenue,
            adoption,
            tenure_days: facts.tenure_days as f64,
            recorded: &ctx.recorded,
            texts,
        };
        let effectiveness = effectiveness::score(&inputs, &o.effectiveness);
        Some(Assessment {
            activity,
            engagement,
            effectiveness,
            adoption,
            facts,
            tally,
            revenue,
        })
    }
}
