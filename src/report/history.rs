//! Monitoring over time: each client's and the portfolio's scores at the end of every period
//! (week or month), segment and status migrations between two dates, alerts for clients whose
//! scores fell, and cohort retention by month of first activity.
//!
//! Past scores are recomputed from the ledger as of each date: activity status, engagement,
//! the effective-customer score, RFM and relationship facts see only the events up to that date
//! (the ledger keeps activity, revenue and interactions per day). Feature adoption is the one
//! input kept without dates: a feature counts as used from the client's first day.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::assess::{Assessment, Context};
use super::portfolio::{
    check_periods, known_summary, period_of, period_start, summary_of, EngagementSummary, Period,
    StatusCounts,
};
use super::scorer::Scorer;
use crate::error::{ErrorCode, RapportError, Result};
use crate::input::event::TimestampInput;
use crate::input::time::{self, day_of};
use crate::options;
use crate::scores::activity::Status;
use crate::scores::rfm::{Quantiles, RfmSegment, RfmValues};

/// Options for `history`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct HistoryOptions {
    /// The last day of the history. Default: the scorer's `asOf` or the latest event.
    #[cfg_attr(target_arch = "wasm32", tsify(optional, type = "string | number"))]
    pub as_of: Option<TimestampInput>,
    /// `week` or `month`. Default: the scorer's `period`.
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub period: Option<Period>,
    /// Number of periods, 1 to 520. Default: the scorer's `periods`.
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub periods: Option<u32>,
    /// Start of the comparison (transitions and alerts). Default: the first period's end.
    #[cfg_attr(target_arch = "wasm32", tsify(optional, type = "string | number"))]
    pub from: Option<TimestampInput>,
    /// End of the comparison. Default: the last day of the history.
    #[cfg_attr(target_arch = "wasm32", tsify(optional, type = "string | number"))]
    pub to: Option<TimestampInput>,
    /// Points an engagement or effective-customer score must fall, from `from` to `to`, to
    /// raise an alert.
    pub alert_drop: f64,
    /// Include each client's series.
    pub clients: bool,
    /// Cohorts (months of first activity) in the retention table, the latest last; 1 to 240.
    pub cohort_months: u32,
}

impl Default for HistoryOptions {
    fn default() -> Self {
        HistoryOptions {
            as_of: None,
            period: None,
            periods: None,
            from: None,
            to: None,
            alert_drop: 20.0,
            clients: true,
            cohort_months: 12,
        }
    }
}

/// A client's scores at one date.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct Point {
    pub status: Status,
    pub engagement: f64,
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub effectiveness: Option<f64>,
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub segment: Option<RfmSegment>,
}

/// One client's series, aligned with `History.ends` (`null` before its first activity).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct ClientHistory {
    pub client_id: String,
    #[cfg_attr(target_arch = "wasm32", tsify(type = "(Point | null)[]"))]
    pub points: Vec<Option<Point>>,
}

/// The portfolio at one date.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct PeriodSummary {
    /// The date scored: the period's last day (or the history's last day).
    pub end: String,
    pub clients: u64,
    pub status_counts: StatusCounts,
    pub engagement: EngagementSummary,
    /// Absent when no client's effective-customer score is known.
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub effectiveness: Option<EngagementSummary>,
    #[cfg_attr(target_arch = "wasm32", tsify(type = "Record<RfmSegment, number>"))]
    pub rfm_segments: BTreeMap<String, u64>,
}

/// Clients that moved from one state to another.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct Move {
    pub from: String,
    pub to: String,
    pub clients: u64,
    /// Who moved (for cells off the diagonal), sorted.
    pub client_ids: Vec<String>,
}

/// Migrations between two dates: the non-empty cells of the transition matrices.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct Transitions {
    pub from: String,
    pub to: String,
    /// RFM segments, over clients with a purchase by both dates.
    pub segments: Vec<Move>,
    /// Activity statuses, over clients active by both dates.
    pub statuses: Vec<Move>,
}

/// A client whose score fell.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct Alert {
    pub client_id: String,
    /// `engagement` or `effectiveness`.
    pub score: String,
    pub from: f64,
    pub to: f64,
    pub drop: f64,
}

/// Clients whose first activity fell in one month, and the share of them active in each
/// month since (`retention[0]` is 1).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct Cohort {
    /// `YYYY-MM`.
    pub month: String,
    pub clients: u64,
    pub retention: Vec<f64>,
}

/// What `history` returns.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct History {
    pub period: Period,
    /// The dates scored, oldest first.
    pub ends: Vec<String>,
    pub portfolio: Vec<PeriodSummary>,
    /// Per client, sorted by id (empty with `clients: false`).
    pub clients: Vec<ClientHistory>,
    pub transitions: Transitions,
    /// Largest drops first.
    pub alerts: Vec<Alert>,
    pub cohorts: Vec<Cohort>,
}

fn date(v: &Option<TimestampInput>, key: &str) -> Result<Option<i32>> {
    Ok(time::date_option(v, key)?.map(day_of))
}

/// Every ledger client's point as of `day`.
fn points_at(s: &Scorer, ctx: &Context, day: i32) -> Vec<Option<Point>> {
    let ledger = s.ledger();
    let assessed: Vec<Option<Assessment>> = (0..ledger.len())
        .map(|i| s.assess(i, day, ctx, false))
        .collect();
    let values: Vec<(usize, RfmValues)> = (0..ledger.len())
        .filter(|&i| assessed[i].is_some())
        .filter_map(|i| RfmValues::of(ledger.record(i), day).map(|v| (i, v)))
        .collect();
    let mut segments = vec![None; ledger.len()];
    let q = Quantiles::of(
        &values.iter().map(|v| v.1).collect::<Vec<_>>(),
        s.config().options.rfm.bins,
    );
    for (i, v) in &values {
        segments[*i] = Some(q.score(v, false).segment);
    }
    assessed
        .into_iter()
        .zip(segments)
        .map(|(a, segment)| {
            a.map(|a| Point {
                status: a.activity.status,
                engagement: a.engagement.score,
                effectiveness: a.effectiveness.score,
                segment,
            })
        })
        .collect()
}

fn moves(pairs: Vec<(String, String, &str)>) -> Vec<Move> {
    let mut cells: BTreeMap<(String, String), Move> = BTreeMap::new();
    for (from, to, id) in pairs {
        let m = cells.entry((from.clone(), to.clone())).or_insert(Move {
            from: from.clone(),
            to: to.clone(),
            clients: 0,
            client_ids: Vec::new(),
        });
        m.clients += 1;
        if from != to {
            m.client_ids.push(id.to_string());
        }
    }
    let mut out: Vec<Move> = cells.into_values().collect();
    for m in &mut out {
        m.client_ids.sort();
    }
    out
}

/// Most client assessments one history makes (clients × dates scored): its cost in time.
pub const MAX_ASSESSMENTS: u64 = 50_000_000;
/// Most points of client series one history returns (clients × periods, with `clients`).
pub const MAX_POINTS: u64 = 10_000_000;

impl HistoryOptions {
    /// Checks the values that have no default from the scorer.
    pub fn check(&self) -> Result<()> {
        if let Some(n) = self.periods {
            check_periods("periods", n)?;
        }
        options::non_negative("alertDrop", self.alert_drop)?;
        options::within("cohortMonths", self.cohort_months, 1, 240)
    }
}

/// The last day of each period of a history, oldest first.
fn period_ends(last: i32, period: Period, count: u32) -> Vec<i32> {
    let p_last = period_of(last, period);
    (p_last - count as i32 + 1..=p_last)
        .map(|p| (period_start(p + 1, period) - 1).min(last))
        .collect()
}

/// The portfolio at one date, from its clients' points.
fn period_summary(end: i32, pts: &[Option<Point>]) -> PeriodSummary {
    let mut counts = StatusCounts::default();
    let mut segs: BTreeMap<String, u64> = RfmSegment::ALL
        .iter()
        .map(|s| (s.name().to_string(), 0))
        .collect();
    for p in pts.iter().flatten() {
        counts.add(p.status);
        if let Some(sg) = p.segment {
            *segs.entry(sg.name().to_string()).or_default() += 1;
        }
    }
    let known = || pts.iter().flatten();
    PeriodSummary {
        end: time::format_day(end),
        clients: known().count() as u64,
        status_counts: counts,
        engagement: summary_of(known().map(|p| p.engagement).collect()),
        effectiveness: known_summary(known().filter_map(|p| p.effectiveness).collect()),
        rfm_segments: segs,
    }
}

/// Status and segment moves between two dates' points, and the alerts for falling scores.
fn compare(
    s: &Scorer,
    order: &[usize],
    before: &[Option<Point>],
    after: &[Option<Point>],
    alert_drop: f64,
) -> (Vec<Move>, Vec<Move>, Vec<Alert>) {
    let mut seg_pairs = Vec::new();
    let mut status_pairs = Vec::new();
    let mut alerts = Vec::new();
    for &i in order {
        let (Some(a), Some(b)) = (&before[i], &after[i]) else {
            continue;
        };
        let id = s.ledger().client_id(i);
        status_pairs.push((a.status.name().to_string(), b.status.name().to_string(), id));
        if let (Some(x), Some(y)) = (a.segment, b.segment) {
            seg_pairs.push((x.name().to_string(), y.name().to_string(), id));
        }
        let mut alert = |score: &str, x: f64, y: f64| {
            if x - y >= alert_drop && x > y {
                alerts.push(Alert {
                    client_id: id.to_string(),
                    score: score.to_string(),
                    from: x,
                    to: y,
                    drop: ((x - y) * 10.0).round() / 10.0,
                });
            }
        };
        alert("engagement", a.engagement, b.engagement);
        if let (Some(x), Some(y)) = (a.effectiveness, b.effectiveness) {
            alert("effectiveness", x, y);
        }
    }
    alerts.sort_by(|a, b| {
        b.drop
            .total_cmp(&a.drop)
            .then(a.client_id.cmp(&b.client_id))
    });
    (moves(seg_pairs), moves(status_pairs), alerts)
}

impl Scorer {
    /// Scores over time: see the module documentation.
    pub fn history(&self, o: &HistoryOptions) -> Result<History> {
        o.check()?;
        crate::memory::call(|| self.history_checked(o))
    }

    /// Refuses a history whose size is past the limits, before any work.
    fn check_size(&self, dates: usize, clients: bool) -> Result<()> {
        let n = self.ledger().len() as u64;
        let assessments = n * (dates as u64 + 2);
        let too_large = |what: String| Err(RapportError::new(ErrorCode::TooLarge, what));
        if assessments > MAX_ASSESSMENTS {
            return too_large(format!("a history of {n} clients over {dates} dates is {assessments} assessments; the limit is {MAX_ASSESSMENTS}: ask for fewer periods"));
        }
        if clients && n * dates as u64 > MAX_POINTS {
            return too_large(format!("{n} clients over {dates} dates are more than {MAX_POINTS} points: ask with `clients: false`, or for fewer periods"));
        }
        Ok(())
    }

    fn history_checked(&self, o: &HistoryOptions) -> Result<History> {
        let cfg = &self.config().options;
        let last = day_of(self.resolve_as_of(&o.as_of)?);
        let period = o.period.unwrap_or(cfg.period);
        let ends = period_ends(last, period, o.periods.unwrap_or(cfg.periods));
        self.check_size(ends.len(), o.clients)?;
        let from = date(&o.from, "from")?.unwrap_or(ends[0]);
        let to = date(&o.to, "to")?.unwrap_or(last);
        if from > to {
            return Err(options::bad("from", "must not be after `to`"));
        }
        let ctx = Context::new(self);
        let series = ends
            .iter()
            .map(|&d| crate::memory::check().map(|()| points_at(self, &ctx, d)))
            .collect::<Result<Vec<Vec<Option<Point>>>>>()?;
        // The comparison dates' points: a period end's series, borrowed, or scored afresh.
        let at = |d: i32| -> std::borrow::Cow<'_, [Option<Point>]> {
            match ends.iter().position(|&e| e == d) {
                Some(k) => std::borrow::Cow::Borrowed(&series[k][..]),
                None => std::borrow::Cow::Owned(points_at(self, &ctx, d)),
            }
        };
        let ledger = self.ledger();
        let mut order: Vec<usize> = (0..ledger.len()).collect();
        order.sort_unstable_by(|&a, &b| ledger.client_id(a).cmp(ledger.client_id(b)));
        let (segments, statuses, alerts) = compare(self, &order, &at(from), &at(to), o.alert_drop);
        let clients = if o.clients {
            order
                .iter()
                .filter(|&&i| series.iter().any(|s| s[i].is_some()))
                .map(|&i| ClientHistory {
                    client_id: ledger.client_id(i).to_string(),
                    points: series.iter().map(|s| s[i].clone()).collect(),
                })
                .collect()
        } else {
            Vec::new()
        };
        Ok(History {
            period,
            ends: ends.iter().map(|&d| time::format_day(d)).collect(),
            portfolio: ends
                .iter()
                .zip(&series)
                .map(|(&end, pts)| period_summary(end, pts))
                .collect(),
            clients,
            transitions: Transitions {
                from: time::format_day(from),
                to: time::format_day(to),
                segments,
                statuses,
            },
            alerts,
            cohorts: self.cohorts(last, o.cohort_months),
        })
    }

    /// Retention by month of first activity, for the last `months` cohorts up to `last`.
    fn cohorts(&self, last: i32, months: u32) -> Vec<Cohort> {
        let ledger = self.ledger();
        let last_month = time::month_index(last);
        let first_cohort = last_month - months as i32 + 1;
        // active[cohort][k]: clients of the cohort active in month cohort + k.
        let mut active: Vec<Vec<u64>> = (0..months)
            .map(|c| vec![0; (months - c) as usize])
            .collect();
        for i in 0..ledger.len() {
            let days = crate::scores::activity::days_until(ledger.record(i), last);
            let Some(first) = days.first() else { continue };
            let cohort = time::month_index(first.day);
            if cohort < first_cohort {
                continue;
            }
            let row = &mut active[(cohort - first_cohort) as usize];
            let mut seen = -1;
            for d in days {
                let k = time::month_index(d.day) - cohort;
                if k != seen {
                    row[k as usize] += 1;
                    seen = k;
                }
            }
        }
        active
            .into_iter()
            .enumerate()
            .filter(|(_, row)| row[0] > 0)
            .map(|(c, row)| {
                let month = first_cohort + c as i32;
                let size = row[0];
                Cohort {
                    month: time::format_day(time::month_start(month))[..7].to_string(),
                    clients: size,
                    retention: row
                        .iter()
                        .map(|&n| (n as f64 / size as f64 * 1e4).round() / 1e4)
                        .collect(),
                }
            })
            .collect()
    }
}
