//! One client's scores as of a day, before the portfolio-wide parts (RFM quantiles, medians)
//! are known: what `score` and `history` both start from.

use super::profile::{self, Profile};
use super::scorer::Scorer;
use crate::error::Result;
use crate::input::event::EventKind;
use crate::ledger::{ClientRecord, Tally};
use crate::scores::activity::{self, Activity};
use crate::scores::client::AsOf;
use crate::scores::effectiveness::{self, Effectiveness, Recorded};
use crate::scores::engagement::{self, Breadth, Engagement};
use crate::scores::health::{self, Fixed, Health, Model};
use crate::scores::relationship::Facts;
use crate::scores::rfm::RfmValues;
use crate::scores::{ActivityOptions, EngagementOptions};

/// What one client's scores are built from.
pub struct Assessment {
    pub activity: Activity,
    pub engagement: Engagement,
    /// With a health model (a report's book; not a history's dates).
    pub health: Option<Health>,
    pub effectiveness: Effectiveness,
    pub adoption: Option<f64>,
    pub facts: Facts,
    /// Interactions and revenue up to the day scored.
    pub tally: Tally,
    pub revenue: f64,
    /// RFM values, for a client with a purchase.
    pub rfm: Option<RfmValues>,
    /// Active days, events in the last 30 days, and the last renewal, up to the day scored.
    pub active_days: u32,
    pub usage_30d: f64,
    pub last_renewal: Option<i32>,
}

/// What every client's assessment shares: the feature catalog, what the business records, and
/// the settings from the options and the book's profile.
#[derive(Clone, Debug)]
pub struct Context {
    pub in_catalog: Vec<bool>,
    pub catalog: usize,
    pub recorded: Recorded,
    pub engagement: EngagementOptions,
    pub activity: ActivityOptions,
    /// The health model and its horizon, when the context is a report's.
    pub health: Option<(Model, u32)>,
    pub profile: Profile,
}

impl Context {
    /// The context of scores as of `day`; with `health`, the health model too (for the
    /// horizon given, or else the profile's).
    pub fn new(s: &Scorer, day: i32, health: Option<Option<u32>>) -> Result<Context> {
        let o = &s.config().options;
        let settings = profile::settings(
            s.ledger(),
            day,
            &o.engagement,
            &o.activity,
            &o.health,
            health,
        )?;
        let features = &o.engagement.features;
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
        Ok(Context {
            in_catalog,
            catalog,
            recorded: Recorded::of(s.ledger()),
            engagement: settings.engagement,
            activity: settings.activity,
            health: settings.health,
            profile: settings.profile,
        })
    }
}

impl Context {
    /// How much of the catalog a client used, and that share (`None` without a catalog).
    pub fn breadth(&self, rec: &ClientRecord) -> (Breadth, Option<f64>) {
        let used = rec
            .features
            .iter()
            .filter(|&&f| self.in_catalog[f as usize])
            .count();
        let b = Breadth {
            used,
            catalog: self.catalog,
        };
        (
            b,
            (self.catalog > 0).then(|| used as f64 / self.catalog as f64),
        )
    }

    fn effectiveness_inputs<'a>(
        &'a self,
        c: &'a AsOf,
        facts: &Facts,
        adoption: Option<f64>,
        texts: bool,
    ) -> effectiveness::Inputs<'a> {
        effectiveness::Inputs {
            tally: &c.tally,
            revenue: c.revenue(),
            adoption,
            tenure_days: facts.tenure_days as f64,
            recorded: &self.recorded,
            texts,
        }
    }
}

/// A client's scores at one date of a history.
pub struct Scores {
    pub status: crate::scores::activity::Status,
    pub engagement: f64,
    pub effectiveness: Option<f64>,
    pub rfm: Option<RfmValues>,
}

impl Scorer {
    /// What a history keeps of a client as of a day: the assessment's scores, without their
    /// components and reasons (the same numbers, for a fraction of the work).
    /// `breadth` is [`Context::breadth`] of the client (the same at every date).
    pub fn scores_as_of(
        &self,
        c: &AsOf,
        ctx: &Context,
        (breadth, adoption): (Breadth, Option<f64>),
    ) -> Option<Scores> {
        let o = &self.config().options;
        let mut act = activity::classify(c, &ctx.activity, false)?;
        // Only a client quiet past its dormant threshold can move: its health is read then.
        if activity::may_move(&act) {
            if let Some((m, horizon)) = &ctx.health {
                if let Some(f) = Fixed::of(c, m.reading) {
                    activity::agree(&mut act, m.percent(&f, *horizon), *horizon, false);
                }
            }
        }
        let status = act.status;
        let engagement = engagement::total(c, breadth, &ctx.engagement)?;
        let facts = Facts::of(c)?;
        let inputs = ctx.effectiveness_inputs(c, &facts, adoption, false);
        Some(Scores {
            status,
            engagement,
            effectiveness: effectiveness::total(&inputs, &o.effectiveness),
            rfm: RfmValues::of(c),
        })
    }

    /// Activity, engagement and effectiveness of ledger client `i` as of day `as_of`, the
    /// reasons' sentences written when `texts`; `None` if it has no activity by then.
    pub fn assess(&self, i: usize, as_of: i32, ctx: &Context, texts: bool) -> Option<Assessment> {
        self.assess_as_of(&AsOf::of(self.ledger().record(i), as_of), ctx, texts)
    }

    /// The assessment of a client as of a day.
    pub fn assess_as_of(&self, c: &AsOf, ctx: &Context, texts: bool) -> Option<Assessment> {
        let o = &self.config().options;
        let mut activity = activity::classify(c, &ctx.activity, texts)?;
        let (breadth, adoption) = ctx.breadth(c.rec);
        let engagement = engagement::score(c, breadth, &ctx.engagement, texts)?;
        let health = ctx.health.as_ref().and_then(|(m, horizon)| {
            Some(health::score(m, &Fixed::of(c, m.reading)?, *horizon, texts))
        });
        if let Some(h) = &health {
            activity::agree(&mut activity, h.score, h.horizon_days, texts);
        }
        let facts = Facts::of(c)?;
        let tally = c.tally;
        let revenue = c.revenue();
        let inputs = ctx.effectiveness_inputs(c, &facts, adoption, texts);
        let effectiveness = effectiveness::score(&inputs, &o.effectiveness);
        let recent = &c.days[c.days.partition_point(|d| d.day <= c.day - 30)..];
        Some(Assessment {
            activity,
            engagement,
            health,
            effectiveness,
            adoption,
            facts,
            tally,
            revenue,
            rfm: RfmValues::of(c),
            active_days: c.days.len() as u32,
            usage_30d: recent.iter().map(|d| d.events as f64).sum(),
            last_renewal: c.last_day_of(EventKind::Renewal),
        })
    }
}
