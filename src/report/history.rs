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

use super::over_time::Tally;
use super::portfolio::{
    check_periods, period_of, period_start, EngagementSummary, Period, StatusCounts,
};
use super::scorer::Scorer;
use crate::error::{ErrorCode, RapportError, Result};
use crate::input::event::TimestampInput;
use crate::input::time::{self, day_of};
use crate::options;
use crate::scores::activity::Status;
use crate::scores::rfm::RfmSegment;

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
pub const MAX_ASSESSMENTS: u64 = 200_000_000;
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

/// The portfolio at one date, from its tally.
fn period_summary(end: i32, t: &Tally) -> PeriodSummary {
    PeriodSummary {
        end: time::format_day(end),
        clients: t.clients(),
        status_counts: t.status_counts.clone(),
        engagement: t.engagement(),
        effectiveness: t.effectiveness(),
        rfm_segments: RfmSegment::ALL
            .iter()
            .zip(t.segments)
            .map(|(s, n)| (s.name().to_string(), n))
            .collect(),
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
        // Every date scored: the period ends and the two compared, in order.
        let mut dates = ends.clone();
        dates.extend([from, to]);
        dates.sort_unstable();
        dates.dedup();
        let is_end: Vec<bool> = dates
            .iter()
            .map(|d| ends.binary_search(d).is_ok())
            .collect();
        let keep: Vec<bool> = dates
            .iter()
            .zip(&is_end)
            .map(|(&d, &end)| (o.clients && end) || d == from || d == to)
            .collect();
        let scored = self.over_time(&dates, &keep, last)?;
        let kept = keep.iter().filter(|&&k| k).count();
        let slot = |d: i32| {
            let k = dates.binary_search(&d).unwrap_or(0);
            keep[..k].iter().filter(|&&x| x).count()
        };
        let point = |i: usize, at: usize| &scored.points[i * kept + at];
        let ledger = self.ledger();
        let mut order: Vec<usize> = (0..ledger.len()).collect();
        order.sort_unstable_by(|&a, &b| ledger.client_id(a).cmp(ledger.client_id(b)));
        let (at_from, at_to) = (slot(from), slot(to));
        let before: Vec<Option<Point>> = (0..ledger.len())
            .map(|i| point(i, at_from).clone())
            .collect();
        let after: Vec<Option<Point>> =
            (0..ledger.len()).map(|i| point(i, at_to).clone()).collect();
        let (segments, statuses, alerts) = compare(self, &order, &before, &after, o.alert_drop);
        let end_slots: Vec<usize> = ends.iter().map(|&e| slot(e)).collect();
        let clients = if o.clients {
            order
                .iter()
                .filter(|&&i| end_slots.iter().any(|&s| point(i, s).is_some()))
                .map(|&i| ClientHistory {
                    client_id: ledger.client_id(i).to_string(),
                    points: end_slots.iter().map(|&s| point(i, s).clone()).collect(),
                })
                .collect()
        } else {
            Vec::new()
        };
        let summaries = dates
            .iter()
            .zip(&scored.tallies)
            .zip(&is_end)
            .filter(|(_, &end)| end)
            .map(|((&d, t), _)| period_summary(d, t));
        Ok(History {
            period,
            ends: ends.iter().map(|&d| time::format_day(d)).collect(),
            portfolio: summaries.collect(),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::options::ScorerOptions;
    use crate::scores::rfm::{Quantiles, RfmValues};

    /// Every client's point as of `day`, by definition: the book scored afresh on that day.
    /// (With the windows of the profile as of `last`, the day the history is as of.)
    fn points_by_definition(s: &Scorer, day: i32, last: i32) -> Vec<Option<Point>> {
        let ctx = super::super::assess::Context::new(s, last, Some(None)).unwrap();
        let l = s.ledger();
        let assessed: Vec<_> = (0..l.len())
            .map(|i| s.assess(i, day, &ctx, false))
            .collect();
        let values: Vec<RfmValues> = assessed.iter().flatten().filter_map(|a| a.rfm).collect();
        let q = Quantiles::of(&values, s.config().options.rfm.bins);
        assessed
            .into_iter()
            .map(|a| {
                a.map(|a| Point {
                    status: a.activity.status,
                    engagement: a.engagement.score,
                    effectiveness: a.effectiveness.score,
                    segment: a.rfm.map(|v| q.score(&v, false).segment),
                })
            })
            .collect()
    }

    #[test]
    fn one_pass_gives_what_scoring_the_book_at_each_date_gives() {
        let data = crate::input::synth::generate(21, 400, 16_000).unwrap();
        let mut s = Scorer::new(&ScorerOptions::default()).unwrap();
        s.ingest_columns(&data.columns()).unwrap();
        let cases = [
            r#"{"periods": 30}"#,
            r#"{"period": "month", "periods": 14, "from": "2023-11-17", "to": "2024-05-02"}"#,
            r#"{"periods": 8, "asOf": "2024-02-10", "clients": false, "from": "2024-01-03"}"#,
        ];
        for case in cases {
            let o: HistoryOptions = crate::options::from_json(case).unwrap();
            let h = s.history(&o).unwrap();
            let last = day_of(s.resolve_as_of(&o.as_of).unwrap());
            let l = s.ledger();
            let mut order: Vec<usize> = (0..l.len()).collect();
            order.sort_unstable_by(|&a, &b| l.client_id(a).cmp(l.client_id(b)));
            let series: Vec<Vec<Option<Point>>> = h
                .ends
                .iter()
                .map(|e| points_by_definition(&s, day_of(time::parse_timestamp(e).unwrap()), last))
                .collect();
            for (k, pts) in series.iter().enumerate() {
                let p = &h.portfolio[k];
                let known: Vec<&Point> = pts.iter().flatten().collect();
                assert_eq!(p.clients, known.len() as u64, "{case}");
                let mut counts = StatusCounts::default();
                known.iter().for_each(|x| counts.add(x.status));
                assert_eq!(p.status_counts, counts);
                let eng = super::super::portfolio::summary_of(
                    known.iter().map(|x| x.engagement).collect(),
                );
                assert_eq!(p.engagement, eng, "{case} end {k}");
                let eff: Vec<f64> = known.iter().filter_map(|x| x.effectiveness).collect();
                assert_eq!(p.effectiveness, super::super::portfolio::known_summary(eff));
                for seg in RfmSegment::ALL {
                    let n = known.iter().filter(|x| x.segment == Some(seg)).count() as u64;
                    assert_eq!(p.rfm_segments[seg.name()], n, "{case} end {k} {seg:?}");
                }
            }
            if o.clients {
                let with_points: Vec<usize> = order
                    .iter()
                    .copied()
                    .filter(|&i| series.iter().any(|s| s[i].is_some()))
                    .collect();
                assert_eq!(h.clients.len(), with_points.len());
                for (c, &i) in h.clients.iter().zip(&with_points) {
                    assert_eq!(c.client_id, l.client_id(i));
                    let want: Vec<Option<Point>> = series.iter().map(|s| s[i].clone()).collect();
                    assert_eq!(c.points, want);
                }
            }
            let at =
                |d: &str| points_by_definition(&s, day_of(time::parse_timestamp(d).unwrap()), last);
            let (segments, statuses, alerts) = compare(
                &s,
                &order,
                &at(&h.transitions.from),
                &at(&h.transitions.to),
                o.alert_drop,
            );
            assert_eq!(h.transitions.segments, segments, "{case}");
            assert_eq!(h.transitions.statuses, statuses);
            assert_eq!(h.alerts, alerts);
            assert!(h.portfolio.iter().any(|p| p.clients > 0));
        }
    }
}
