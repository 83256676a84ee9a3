//! One front for the six models: fit any of them from columns of data, and predict with fitted
//! or given parameters. This is what the JavaScript API and the CLI call.

use serde::{Deserialize, Serialize};

use super::bg_bb::{BgBb, PatternRow};
use super::bg_nbd::BgNbd;
use super::gamma_gamma::{GammaGamma, SpendRow};
use super::mbg_nbd::MbgNbd;
use super::pareto_nbd::ParetoNbd;
use super::sbg::ShiftedBetaGeometric;
use super::{DeadOdds, Fit, PurchaseModel, SummaryRow};
use crate::error::{ErrorCode, RapportError, Result};

/// The models, by their CLI names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "kebab-case")]
pub enum ModelName {
    Bgnbd,
    Mbgnbd,
    ParetoNbd,
    GammaGamma,
    Bgbb,
    Sbg,
}

impl ModelName {
    /// Every model with its name, as the API and the CLI write it.
    pub const ALL: [(ModelName, &'static str); 6] = [
        (ModelName::Bgnbd, "bgnbd"),
        (ModelName::Mbgnbd, "mbgnbd"),
        (ModelName::ParetoNbd, "pareto-nbd"),
        (ModelName::GammaGamma, "gamma-gamma"),
        (ModelName::Bgbb, "bgbb"),
        (ModelName::Sbg, "sbg"),
    ];

    pub fn parse(s: &str) -> Option<ModelName> {
        Self::ALL.iter().find(|m| m.1 == s).map(|m| m.0)
    }

    /// The names, for messages: `bgnbd, mbgnbd, …`.
    pub fn names() -> String {
        Self::ALL.map(|m| m.1).join(", ")
    }

    /// Parameter names, in the literature's order.
    pub fn params(self) -> &'static [&'static str] {
        match self {
            ModelName::Bgnbd => &BgNbd::NAMES,
            ModelName::Mbgnbd => &MbgNbd::NAMES,
            ModelName::ParetoNbd => &ParetoNbd::NAMES,
            ModelName::GammaGamma => &GammaGamma::NAMES,
            ModelName::Bgbb => &BgBb::NAMES,
            ModelName::Sbg => &ShiftedBetaGeometric::NAMES,
        }
    }

    /// The data columns the model reads (`weight` is always optional).
    pub fn columns(self) -> &'static [&'static str] {
        match self {
            ModelName::Bgnbd | ModelName::Mbgnbd | ModelName::ParetoNbd => {
                &["frequency", "recency", "T"]
            }
            ModelName::GammaGamma => &["frequency", "monetary"],
            ModelName::Bgbb => &["frequency", "recency", "periods"],
            ModelName::Sbg => &["survivors"],
        }
    }
}

/// Model input as columns; each model reads the ones [`ModelName::columns`] lists.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(default, deny_unknown_fields)]
pub struct ModelData {
    /// Repeat purchases (transactions, for BG/BB).
    #[cfg_attr(
        target_arch = "wasm32",
        tsify(optional, type = "number[] | Float64Array")
    )]
    pub frequency: Vec<f64>,
    /// Time from first to last purchase (BG/BB: the opportunity of the last transaction).
    #[cfg_attr(
        target_arch = "wasm32",
        tsify(optional, type = "number[] | Float64Array")
    )]
    pub recency: Vec<f64>,
    /// Time from first purchase to the end of observation.
    #[serde(rename = "T")]
    #[cfg_attr(
        target_arch = "wasm32",
        tsify(optional, type = "number[] | Float64Array")
    )]
    pub t: Vec<f64>,
    /// Mean value of the repeat purchases (Gamma-Gamma).
    #[cfg_attr(
        target_arch = "wasm32",
        tsify(optional, type = "number[] | Float64Array")
    )]
    pub monetary: Vec<f64>,
    /// Number of clients each row stands for (default 1).
    #[cfg_attr(
        target_arch = "wasm32",
        tsify(optional, type = "number[] | Float64Array")
    )]
    pub weight: Vec<f64>,
    /// Purchase opportunities (BG/BB).
    #[cfg_attr(
        target_arch = "wasm32",
        tsify(optional, type = "number[] | Float64Array")
    )]
    pub periods: Vec<f64>,
    /// Customers still active at the end of each period, starting with the cohort's size (sBG).
    #[cfg_attr(
        target_arch = "wasm32",
        tsify(optional, type = "number[] | Float64Array")
    )]
    pub survivors: Vec<f64>,
}

/// Predictions, one value per input row (`survival` and `retention` per period for sBG).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct Predictions {
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional, type = "Float64Array"))]
    pub p_alive: Option<Vec<f64>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional, type = "Float64Array"))]
    pub expected_purchases: Option<Vec<f64>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional, type = "Float64Array"))]
    pub expected_spend: Option<Vec<f64>>,
    /// sBG: S(t) for t = 0..=horizon.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional, type = "Float64Array"))]
    pub survival: Option<Vec<f64>>,
    /// sBG: r(t) for t = 1..=horizon.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional, type = "Float64Array"))]
    pub retention: Option<Vec<f64>>,
}

impl ModelData {
    /// The column names, as JavaScript and CSV tables write them.
    pub const COLUMNS: [&'static str; 7] = [
        "frequency",
        "recency",
        "T",
        "monetary",
        "weight",
        "periods",
        "survivors",
    ];

    /// Checks that every column named is one a model reads (`INVALID_COLUMNS` names the first
    /// that is not).
    pub fn check_names<'a>(names: impl IntoIterator<Item = &'a str>) -> Result<()> {
        for name in names {
            if !Self::COLUMNS.contains(&name) {
                return Err(RapportError::new(
                    ErrorCode::InvalidColumns,
                    format!(
                        "unknown column {name:?}; columns are {}",
                        Self::COLUMNS.join(", ")
                    ),
                )
                .with_field(name));
            }
        }
        Ok(())
    }

    /// The column called `name` (one of [`ModelData::COLUMNS`]).
    pub fn column_mut(&mut self, name: &str) -> Option<&mut Vec<f64>> {
        Some(match name {
            "frequency" => &mut self.frequency,
            "recency" => &mut self.recency,
            "T" => &mut self.t,
            "monetary" => &mut self.monetary,
            "weight" => &mut self.weight,
            "periods" => &mut self.periods,
            "survivors" => &mut self.survivors,
            _ => return None,
        })
    }
}

fn column<'a>(data: &'a ModelData, name: &str) -> &'a [f64] {
    match name {
        "frequency" => &data.frequency,
        "recency" => &data.recency,
        "T" => &data.t,
        "monetary" => &data.monetary,
        "weight" => &data.weight,
        "periods" => &data.periods,
        _ => &data.survivors,
    }
}

/// The number of rows, after checking that the model's columns are there and of one length.
fn rows_of(model: ModelName, data: &ModelData) -> Result<usize> {
    let cols = model.columns();
    let n = column(data, cols[0]).len();
    for &c in cols {
        let len = column(data, c).len();
        if len == 0 {
            return Err(RapportError::new(
                ErrorCode::MissingField,
                format!("the {c} column is required for this model"),
            )
            .with_field(c));
        }
        if len != n {
            return Err(RapportError::new(
                ErrorCode::InvalidColumns,
                format!("{c} has {len} values but {} has {n}", cols[0]),
            )
            .with_field(c));
        }
    }
    if !data.weight.is_empty() && data.weight.len() != n && model != ModelName::Sbg {
        return Err(RapportError::new(
            ErrorCode::InvalidColumns,
            format!(
                "weight has {} values but the data has {n} rows",
                data.weight.len()
            ),
        )
        .with_field("weight"));
    }
    Ok(n)
}

fn weight(data: &ModelData, i: usize) -> f64 {
    data.weight.get(i).copied().unwrap_or(1.0)
}

/// The rows of a repeat-purchase model's data, unchecked: each model's `fit` checks them.
fn summary_rows(data: &ModelData, n: usize) -> Vec<SummaryRow> {
    (0..n)
        .map(|i| SummaryRow {
            frequency: data.frequency[i],
            recency: data.recency[i],
            t: data.t[i],
            weight: weight(data, i),
        })
        .collect()
}

/// The rows of BG/BB data, unchecked.
fn pattern_rows(data: &ModelData, n: usize) -> Vec<PatternRow> {
    (0..n)
        .map(|i| PatternRow {
            frequency: data.frequency[i],
            recency: data.recency[i],
            periods: data.periods[i],
            weight: weight(data, i),
        })
        .collect()
}

/// Fits a model by maximum likelihood.
pub fn fit(model: ModelName, data: &ModelData) -> Result<Fit> {
    crate::memory::call(|| fit_unguarded(model, data))
}

fn fit_unguarded(model: ModelName, data: &ModelData) -> Result<Fit> {
    let n = rows_of(model, data)?;
    Ok(match model {
        ModelName::Bgnbd => BgNbd::fit(&summary_rows(data, n))?.1,
        ModelName::Mbgnbd => MbgNbd::fit(&summary_rows(data, n))?.1,
        ModelName::ParetoNbd => ParetoNbd::fit(&summary_rows(data, n))?.1,
        ModelName::GammaGamma => {
            let rows: Vec<SpendRow> = (0..n)
                .map(|i| SpendRow {
                    frequency: data.frequency[i],
                    monetary: data.monetary[i],
                    weight: weight(data, i),
                })
                .collect();
            GammaGamma::fit(&rows)?.1
        }
        ModelName::Bgbb => BgBb::fit(&pattern_rows(data, n))?.1,
        ModelName::Sbg => ShiftedBetaGeometric::fit(&data.survivors)?.1,
    })
}

/// [`predict`] for the repeat-purchase models: P(alive) and expected purchases in the next
/// `h` periods for each of the `n` rows of `data`.
fn predict_purchases(
    model: ModelName,
    p: &[f64],
    data: &ModelData,
    n: usize,
    h: f64,
) -> Result<Predictions> {
    type FloatMap<K, V> =
        std::collections::HashMap<K, V, std::hash::BuildHasherDefault<FloatKeyHasher>>;
    // Every row is checked first, in a loop of its own; the first bad one is the error.
    let (fq, rc, tt) = (&data.frequency[..n], &data.recency[..n], &data.t[..n]);
    let row = |i: usize| SummaryRow {
        frequency: fq[i],
        recency: rc[i],
        t: tt[i],
        weight: 1.0,
    };
    if let Some(i) = (0..n).find(|&i| !row(i).is_valid()) {
        row(i).check(i as u64 + 1)?;
    }
    let done = |alive: Vec<f64>, expected: Vec<f64>| Predictions {
        p_alive: Some(alive),
        expected_purchases: Some(expected),
        ..Predictions::default()
    };
    // A client's expectation is P(alive) times the expectation if alive, which depends on (x, T)
    // only and costs a hypergeometric series: it is computed once per distinct (x, T) — real
    // data repeats them heavily (whole periods, many one-time buyers), a million synthetic
    // clients over 59 weeks have about 2,700. BG/NBD's and MBG/NBD's P(alive) then costs a
    // logarithm and an exponential per client (see `DeadOdds`), cheaper than looking up a
    // million summaries among tens of thousands of distinct ones; Pareto/NBD's needs two
    // series, so it is computed once per distinct (x, t_x, T).
    let by_recency = |m: &dyn PurchaseModel,
                      alpha: f64,
                      odds: &dyn Fn(f64, f64) -> Option<DeadOdds>|
     -> Predictions {
        let mut seen: FloatMap<(u64, u64), (f64, Option<DeadOdds>)> = Default::default();
        let (mut alive, mut expected) = (vec![0.0; n], vec![0.0; n]);
        for (i, (a_out, e_out)) in alive.iter_mut().zip(&mut expected).enumerate() {
            let (x, t) = (fq[i], tt[i]);
            let key = (x.to_bits(), t.to_bits());
            let (if_alive, o) = match seen.get(&key) {
                Some(v) => *v,
                None => {
                    let v = (m.expected_if_alive(h, x, t), odds(x, t));
                    seen.insert(key, v);
                    v
                }
            };
            let a = o.map_or(1.0, |o| o.p_alive(alpha, rc[i]));
            *a_out = a;
            *e_out = if_alive * a;
        }
        done(alive, expected)
    };
    let by_summary = |m: &dyn PurchaseModel| -> Predictions {
        let mut seen: FloatMap<(u64, u64, u64), (f64, f64)> = Default::default();
        let (mut alive, mut expected) = (vec![0.0; n], vec![0.0; n]);
        for (i, (a_out, e_out)) in alive.iter_mut().zip(&mut expected).enumerate() {
            let r = row(i);
            let key = (r.frequency.to_bits(), r.recency.to_bits(), r.t.to_bits());
            (*a_out, *e_out) = *seen.entry(key).or_insert_with(|| {
                (
                    m.p_alive(r.frequency, r.recency, r.t),
                    m.expected_purchases(h, r.frequency, r.recency, r.t),
                )
            });
        }
        done(alive, expected)
    };
    Ok(match model {
        ModelName::Bgnbd => {
            let m = BgNbd::from_slice(p);
            by_recency(&m, m.alpha, &|x, t| m.dead_odds(x, t))
        }
        ModelName::Mbgnbd => {
            let m = MbgNbd::from_slice(p);
            by_recency(&m, m.alpha, &|x, t| Some(m.dead_odds(x, t)))
        }
        _ => by_summary(&ParetoNbd::from_slice(p)),
    })
}

/// A hasher for keys made of `f64` bit patterns. FxHash leaves such keys badly spread — the
/// entropy of a small whole number like 20.0 sits in the exponent and top mantissa bits, and
/// FxHash's multiply carries it away from the bits the table indexes by — so 1,000,000
/// summaries spent most of their time probing. Each word is mixed in by multiplication and the
/// result finished with SplitMix64's avalanche.
#[derive(Default)]
pub(crate) struct FloatKeyHasher(u64);

impl std::hash::Hasher for FloatKeyHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(b as u64);
        }
    }

    fn write_u64(&mut self, v: u64) {
        self.0 = (self.0 ^ v)
            .wrapping_mul(0x9E37_79B9_7F4A_7C15)
            .rotate_left(29);
    }

    fn finish(&self) -> u64 {
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// Options for [`predict`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct PredictOptions {
    /// Periods ahead for expected purchases (BG/BB: opportunities; sBG: periods of the curves).
    pub horizon: f64,
}

impl Default for PredictOptions {
    fn default() -> Self {
        PredictOptions { horizon: 1.0 }
    }
}

/// Reads named parameters, requiring exactly the model's, each positive and finite.
pub fn params_vec(model: ModelName, given: &[(String, f64)]) -> Result<Vec<f64>> {
    for (k, _) in given {
        if !model.params().contains(&k.as_str()) {
            return Err(RapportError::new(
                ErrorCode::UnknownConfigKey,
                format!(
                    "unknown parameter {k:?}; this model's are {}",
                    model.params().join(", ")
                ),
            )
            .with_field(format!("params.{k}")));
        }
    }
    model
        .params()
        .iter()
        .map(|&name| match given.iter().find(|(k, _)| k == name) {
            Some((_, v)) if v.is_finite() && *v > 0.0 => Ok(*v),
            Some((_, v)) => Err(RapportError::new(
                ErrorCode::InvalidConfig,
                format!("parameter {name} must be a positive number, got {v}"),
            )
            .with_field(format!("params.{name}"))),
            None => Err(RapportError::new(
                ErrorCode::MissingField,
                format!("parameter {name} is required"),
            )
            .with_field(format!("params.{name}"))),
        })
        .collect()
}

/// Predicts with the given parameters, for every row of `data`.
pub fn predict(
    model: ModelName,
    params: &[(String, f64)],
    data: &ModelData,
    opts: &PredictOptions,
) -> Result<Predictions> {
    crate::memory::call(|| predict_unguarded(model, params, data, opts))
}

fn predict_unguarded(
    model: ModelName,
    params: &[(String, f64)],
    data: &ModelData,
    opts: &PredictOptions,
) -> Result<Predictions> {
    let p = params_vec(model, params)?;
    if !(opts.horizon.is_finite() && opts.horizon >= 0.0) {
        return Err(RapportError::new(
            ErrorCode::InvalidConfig,
            format!(
                "horizon must be a non-negative number, got {}",
                opts.horizon
            ),
        )
        .with_field("horizon"));
    }
    let h = opts.horizon;
    if model == ModelName::Sbg {
        let m = ShiftedBetaGeometric {
            alpha: p[0],
            beta: p[1],
        };
        if h > super::bg_bb::MAX_OPPORTUNITIES {
            return Err(RapportError::new(
                ErrorCode::InvalidConfig,
                format!(
                    "horizon must be at most {} periods for sbg, got {h}",
                    super::bg_bb::MAX_OPPORTUNITIES
                ),
            )
            .with_field("horizon"));
        }
        let periods = h.round() as usize;
        return Ok(Predictions {
            survival: Some(m.survival(periods)),
            retention: Some(m.retention(periods)),
            ..Predictions::default()
        });
    }
    let n = rows_of(model, data)?;
    match model {
        ModelName::Bgnbd | ModelName::Mbgnbd | ModelName::ParetoNbd => {
            predict_purchases(model, &p, data, n, h)
        }
        ModelName::GammaGamma => {
            let m = GammaGamma {
                p: p[0],
                q: p[1],
                v: p[2],
            };
            Ok(Predictions {
                expected_spend: Some(
                    (0..n)
                        .map(|i| m.expected_spend(data.frequency[i], data.monetary[i]))
                        .collect(),
                ),
                ..Predictions::default()
            })
        }
        ModelName::Bgbb => {
            let m = BgBb {
                alpha: p[0],
                beta: p[1],
                gamma: p[2],
                delta: p[3],
            };
            PatternRow::check_all(&pattern_rows(data, n))?;
            Ok(Predictions {
                p_alive: Some(
                    (0..n)
                        .map(|i| m.p_alive(data.frequency[i], data.recency[i], data.periods[i]))
                        .collect(),
                ),
                expected_purchases: Some(
                    (0..n)
                        .map(|i| {
                            m.expected_purchases(
                                h,
                                data.frequency[i],
                                data.recency[i],
                                data.periods[i],
                            )
                        })
                        .collect(),
                ),
                ..Predictions::default()
            })
        }
        ModelName::Sbg => Ok(Predictions::default()),
    }
}

/// rapport's names for the columns of a model table.
const TABLE_COLUMNS: [&str; 8] = [
    "id",
    "frequency",
    "recency",
    "T",
    "monetary",
    "weight",
    "periods",
    "survivors",
];

fn check_table_columns(columns: &[(String, String)]) -> Result<()> {
    for (ours, _) in columns {
        if !TABLE_COLUMNS.contains(&ours.as_str()) {
            return Err(RapportError::new(
                ErrorCode::UnknownConfigKey,
                format!(
                    "unknown column {ours:?}; columns are {}",
                    TABLE_COLUMNS.join(", ")
                ),
            )
            .with_field(format!("columns.{ours}")));
        }
    }
    Ok(())
}

/// Where a model table's columns are: the id column (if any), and each column the model
/// reads, with the file's name for it.
struct TableLayout {
    width: usize,
    id: Option<usize>,
    located: Vec<(&'static str, (usize, String))>,
}

impl TableLayout {
    fn of(headers: &[String], model: ModelName, columns: &[(String, String)]) -> Result<Self> {
        let find = |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
        let locate = |ours: &str| -> Result<Option<(usize, String)>> {
            if let Some((_, theirs)) = columns.iter().find(|(o, _)| o == ours) {
                return match find(theirs) {
                    Some(i) => Ok(Some((i, theirs.clone()))),
                    None => Err(RapportError::new(
                        ErrorCode::InvalidCsv,
                        format!("the header has no column {theirs:?} (mapped to {ours})"),
                    )
                    .with_field(theirs.clone())),
                };
            }
            let alias = if ours == "monetary" {
                find("monetary_value")
            } else {
                None
            };
            Ok(find(ours).or(alias).map(|i| (i, headers[i].clone())))
        };
        let mut located = Vec::new();
        for &c in model.columns().iter().chain(&["weight"]) {
            match locate(c)? {
                Some(l) => located.push((c, l)),
                None if c == "weight" => {}
                None => {
                    return Err(RapportError::new(
                        ErrorCode::InvalidCsv,
                        format!(
                        "the header has no {c} column; map one with columns (e.g. {c}=your_column)"
                    ),
                    )
                    .with_field(c))
                }
            }
        }
        Ok(TableLayout {
            width: headers.len(),
            id: locate("id")?.map(|l| l.0),
            located,
        })
    }
}

/// Options of `readModelTable`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(default, deny_unknown_fields)]
pub struct TableOptions {
    /// Maps rapport's column names (`id`, `frequency`, `recency`, `T`, `monetary`, `weight`,
    /// `periods`, `survivors`) to the file's.
    #[cfg_attr(
        target_arch = "wasm32",
        tsify(optional, type = "Record<string, string>")
    )]
    pub columns: std::collections::BTreeMap<String, String>,
}

/// A summary table read from CSV: client ids (row numbers when the table has none) and columns.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct ModelTable {
    pub ids: Vec<String>,
    pub data: ModelData,
}

/// Reads a summary table (a header, then one row per client or period) for `model`. `columns`
/// maps rapport's column names (`id`, `frequency`, `recency`, `T`, `monetary`, `weight`,
/// `periods`, `survivors`) to the file's; unmapped ones are looked up by their own name
/// (ignoring case; `monetary` also as `monetary_value`, as lifetimes writes it). Errors name the
/// row (1-based, header not counted) and the file's column.
pub fn read_table(
    text: &str,
    model: ModelName,
    columns: &[(String, String)],
) -> Result<ModelTable> {
    crate::memory::call(|| read_table_unguarded(text, model, columns))
}

fn read_table_unguarded(
    text: &str,
    model: ModelName,
    columns: &[(String, String)],
) -> Result<ModelTable> {
    check_table_columns(columns)?;
    let mut table = ModelTable::default();
    let mut layout: Option<TableLayout> = None;
    crate::input::csv::for_each_record(text.as_bytes(), b',', |row, fields| {
        let cell = |i: usize| -> Result<&str> { Ok(fields.text(i, "")?.unwrap_or("").trim()) };
        let Some(lay) = &layout else {
            let headers = (0..fields.len())
                .map(|i| cell(i).map(str::to_string))
                .collect::<Result<Vec<_>>>()?;
            layout = Some(TableLayout::of(&headers, model, columns)?);
            return Ok(());
        };
        if fields.len() != lay.width {
            return Err(crate::input::csv::width_error(fields.len(), lay.width).at_row(row));
        }
        table.ids.push(match lay.id {
            Some(i) => cell(i).map_err(|e| e.at_row(row))?.to_string(),
            None => row.to_string(),
        });
        for (ours, (i, theirs)) in &lay.located {
            let text = cell(*i).map_err(|e| e.at_row(row).with_field(theirs.clone()))?;
            let v: f64 = text.parse().map_err(|_| {
                RapportError::new(
                    ErrorCode::InvalidField,
                    format!(
                        "{theirs} must be a number, got {:?}",
                        crate::text::truncate(text, 40)
                    ),
                )
                .at_row(row)
                .with_field(theirs.clone())
            })?;
            if let Some(dest) = table.data.column_mut(ours) {
                dest.push(v);
            }
        }
        Ok(())
    })?;
    if table.ids.is_empty() {
        return Err(RapportError::new(
            ErrorCode::EmptyInput,
            "the table has no rows",
        ));
    }
    Ok(table)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_then_predict_round_trip_and_errors_name_fields() {
        let data = ModelData {
            frequency: vec![0.0, 2.0, 7.0, 1.0, 3.0, 0.0],
            recency: vec![0.0, 30.4, 29.4, 1.7, 20.0, 0.0],
            t: vec![38.9, 38.9, 38.9, 38.9, 30.0, 20.0],
            ..ModelData::default()
        };
        let fit = fit(ModelName::Bgnbd, &data);
        // Six clients may or may not identify the model; either way the answer is clean.
        if let Ok(f) = &fit {
            let pred = predict(
                ModelName::Bgnbd,
                &f.params,
                &data,
                &PredictOptions { horizon: 10.0 },
            )
            .unwrap();
            assert_eq!(pred.p_alive.unwrap().len(), 6);
        }
        let short = ModelData {
            t: vec![1.0],
            ..data.clone()
        };
        assert_eq!(
            super::fit(ModelName::Bgnbd, &short)
                .unwrap_err()
                .field
                .as_deref(),
            Some("T")
        );
        let e = predict(
            ModelName::Bgnbd,
            &[("r".into(), 1.0)],
            &data,
            &PredictOptions::default(),
        )
        .unwrap_err();
        assert_eq!(
            (e.code, e.field.as_deref()),
            (ErrorCode::MissingField, Some("params.alpha"))
        );
        let e = predict(
            ModelName::GammaGamma,
            &[
                ("p".into(), 1.0),
                ("q".into(), 2.0),
                ("v".into(), 3.0),
                ("w".into(), 1.0),
            ],
            &data,
            &PredictOptions::default(),
        )
        .unwrap_err();
        assert_eq!(e.code, ErrorCode::UnknownConfigKey);
        let e = super::fit(ModelName::GammaGamma, &data).unwrap_err();
        assert_eq!(
            (e.code, e.field.as_deref()),
            (ErrorCode::MissingField, Some("monetary"))
        );
        let sbg = predict(
            ModelName::Sbg,
            &[("alpha".into(), 0.704), ("beta".into(), 1.182)],
            &ModelData::default(),
            &PredictOptions { horizon: 12.0 },
        )
        .unwrap();
        assert_eq!(sbg.survival.unwrap().len(), 13);
        assert_eq!(ModelName::parse("pareto-nbd"), Some(ModelName::ParetoNbd));
        for (m, name) in ModelName::ALL {
            assert_eq!(serde_json::to_string(&m).unwrap(), format!("\"{name}\""));
            assert_eq!(ModelName::parse(name), Some(m));
        }
        let t = read_table(
            "ID,x,t_x,T,zbar\n1,2,30.43,38.86,22.35\n2,1,1.71,38.86,11.77\n",
            ModelName::Bgnbd,
            &[
                ("id".into(), "ID".into()),
                ("frequency".into(), "x".into()),
                ("recency".into(), "t_x".into()),
            ],
        )
        .unwrap();
        assert_eq!(
            (t.ids.clone(), t.data.frequency.clone(), t.data.t.clone()),
            (
                vec!["1".to_string(), "2".to_string()],
                vec![2.0, 1.0],
                vec![38.86, 38.86]
            )
        );
        let e = read_table(
            "ID,x,t_x,T\n1,2,oops,38\n",
            ModelName::Bgnbd,
            &[
                ("frequency".into(), "x".into()),
                ("recency".into(), "t_x".into()),
            ],
        )
        .unwrap_err();
        assert_eq!(
            (e.code, e.row, e.field.as_deref()),
            (ErrorCode::InvalidField, Some(1), Some("t_x"))
        );
        let e = read_table("a,b\n1,2\n", ModelName::Sbg, &[]).unwrap_err();
        assert_eq!(
            (e.code, e.field.as_deref()),
            (ErrorCode::InvalidCsv, Some("survivors"))
        );
    }
}
