//! The rules of the effective-customer score, relationship types, the loyalty–profitability
//! matrix, RFM and recommended plays, pinned on small hand-made clients.

use rapport::report::ScorerOptions;
use rapport::report::{ClientScore, Report, ScoreOptions, Scorer};
use rapport::scores::plays::PlayKind;
use rapport::scores::relationship::{LoyaltyQuadrant, RelationshipType};
use rapport::scores::rfm::RfmSegment;

const AS_OF: &str = "2024-12-31";

/// Day `d` before `AS_OF` (2024-12-31) as `YYYY-MM-DD`.
fn day(d: i64) -> String {
    rapport::input::time::format_day(
        (rapport::input::time::days_from_civil(2024, 12, 31) - d) as i32,
    )
}

/// An event `d` days before `AS_OF`, with extra JSON fields.
fn ev(id: &str, d: i64, kind: &str, extra: &str) -> String {
    let extra = if extra.is_empty() {
        String::new()
    } else {
        format!(",{extra}")
    };
    format!(
        r#"{{"clientId":"{id}","timestamp":"{}","kind":"{kind}"{extra}}}"#,
        day(d)
    )
}

fn report(events: &[String], options: &str) -> Report {
    let mut o = ScorerOptions::from_json(options).unwrap();
    o.as_of = Some(rapport::input::event::TimestampInput::Text(AS_OF.into()));
    let mut s = Scorer::new(&o).unwrap();
    s.ingest_json(&format!("[{}]", events.join(","))).unwrap();
    s.score(&ScoreOptions::default()).unwrap()
}

fn client<'a>(r: &'a Report, id: &str) -> &'a ClientScore {
    r.clients.iter().find(|c| c.client_id == id).unwrap()
}

fn plays(c: &ClientScore) -> Vec<PlayKind> {
    c.plays.iter().map(|p| p.play).collect()
}

/// A small, well-engaged client and a big, high-maintenance one.
fn small_and_big() -> Vec<String> {
    let mut e = Vec::new();
    for (id, amount) in [("small", 100), ("big", 1000)] {
        e.push(ev(id, 200, "signup", ""));
        for k in 0..5 {
            e.push(ev(
                id,
                180 - 40 * k,
                "purchase",
                &format!(r#""value":{amount}"#),
            ));
        }
        for d in (0..200).step_by(3) {
            e.push(ev(id, d, "usage", r#""feature":"reports""#));
        }
    }
    // The small client onboards fully, reads the docs, answers when asked, gives feedback, and
    // raises one clear ticket.
    for step in ["account", "import", "invite"] {
        e.push(ev(
            "small",
            199,
            "onboarding",
            &format!(r#""feature":"{step}""#),
        ));
    }
    for d in [150, 90, 30] {
        e.push(ev("small", d, "self_service", ""));
    }
    e.push(ev("small", 120, "response", ""));
    e.push(ev("small", 100, "feedback", r#""value":2"#));
    e.push(ev("small", 20, "review", ""));
    e.push(ev("small", 60, "support", r#""messages":2,"cost":10"#));
    // The big client: thirty long tickets, half reopened, 200 each to handle.
    for k in 0..30 {
        e.push(ev(
            "big",
            5 * k,
            "support",
            &format!(r#""messages":10,"cost":200,"reopened":{}"#, k % 2 == 0),
        ));
    }
    e
}

#[test]
fn a_small_effective_client_ranks_above_a_big_high_maintenance_one() {
    // Both clients have 200 days of activity: call 90 days loyal.
    let r = report(&small_and_big(), r#"{"relationship":{"loyalDays":90}}"#);
    let (small, big) = (client(&r, "small"), client(&r, "big"));
    assert!(big.revenue > small.revenue);
    let (se, be) = (&small.effectiveness, &big.effectiveness);
    // Net value: 500 − 10 against 5000 − 6000.
    assert_eq!(se.net_value, 490.0);
    assert_eq!(be.net_value, -1000.0);
    assert_eq!(be.cost_to_serve, 6000.0);
    assert!(
        se.score.unwrap() > be.score.unwrap() + 30.0,
        "{se:?}\n{be:?}"
    );
    // Communication: 2 messages a ticket is clear (≤ 3); 10 of 12 with half reopened is not.
    assert_eq!(se.components.communication.score, Some(100.0));
    let clarity = (12.0 - 10.0) / (12.0 - 3.0);
    assert_eq!(
        be.components.communication.score,
        Some((100.0 * clarity * 0.5_f64 * 10.0).round() / 10.0)
    );
    // Cost to serve: 10/500 = 2% of revenue against a 50% ceiling; 120% scores 0.
    assert_eq!(se.components.cost_to_serve.score, Some(96.0));
    assert_eq!(be.components.cost_to_serve.score, Some(0.0));
    assert_eq!(be.components.cost_to_serve.raw, Some(1.2));
    // Collaboration: all onboarding steps, information provided; the big client did neither.
    assert_eq!(se.components.collaboration.score, Some(100.0));
    assert_eq!(be.components.collaboration.score, Some(0.0));
    // Feedback: 2 pieces over 200 days (2.22 quarters) = 0.9 a quarter.
    assert_eq!(se.components.feedback.score, Some(90.0));
    assert_eq!(be.components.feedback.score, Some(0.0));
    // Informed: self-service 3 of 3 + 1 ticket, all of the one feature.
    assert_eq!(se.components.informed.raw, Some((1.0 + 0.75) / 2.0));
    // The high-maintenance client is told to get help, and ranks below in the matrix too.
    assert_eq!(big.plays[0].play, PlayKind::SupportIntervention);
    let mut ranked: Vec<&ClientScore> = r.clients.iter().collect();
    ranked.sort_by(|a, b| {
        b.effectiveness
            .score
            .partial_cmp(&a.effectiveness.score)
            .unwrap()
    });
    assert_eq!(ranked[0].client_id, "small");
    assert_eq!(small.relationship.quadrant, LoyaltyQuadrant::TrueFriend);
    assert_eq!(big.relationship.quadrant, LoyaltyQuadrant::Barnacle);
}

#[test]
fn components_without_data_are_unknown_not_zero() {
    // One client that only uses the product: no tickets, no purchases; nobody in this business
    // records onboarding, responses or feedback.
    let e: Vec<String> = (0..10).map(|d| ev("quiet", d, "usage", "")).collect();
    let r = report(&e, "{}");
    let c = &client(&r, "quiet").effectiveness;
    for comp in [
        &c.components.communication,
        &c.components.collaboration,
        &c.components.feedback,
        &c.components.cost_to_serve,
    ] {
        assert_eq!(comp.score, None);
        assert_eq!(comp.weight, 0.0);
    }
    // Informed is known only through feature adoption, and here there is no catalog at all.
    assert_eq!(c.score, None);
    // With a feature the client used, informed is the one component and carries all weight.
    let e: Vec<String> = (0..10)
        .map(|d| ev("q", d, "usage", r#""feature":"a""#))
        .collect();
    let r = report(&e, "{}");
    let c = &client(&r, "q").effectiveness;
    assert_eq!(c.components.informed.weight, 1.0);
    assert_eq!(c.score, Some(100.0));
    // Cost to serve is unknown where the business records no tickets at all…
    let mut e = vec![
        ev("a", 3, "purchase", r#""value":100"#),
        ev("b", 3, "purchase", r#""value":100"#),
    ];
    let r = report(&e, "{}");
    assert_eq!(
        client(&r, "a").effectiveness.components.cost_to_serve.score,
        None
    );
    // …and once it does, a client without tickets costs nothing to serve.
    e.push(ev("b", 2, "support", r#""cost":30"#));
    let r = report(&e, "{}");
    assert_eq!(
        client(&r, "a").effectiveness.components.cost_to_serve.score,
        Some(100.0)
    );
    assert_eq!(
        client(&r, "b").effectiveness.components.cost_to_serve.score,
        Some(40.0)
    );
}

fn monthly(id: &str, from: i64, to: i64) -> Vec<String> {
    let mut e = Vec::new();
    let mut d = from;
    while d >= to {
        e.push(ev(id, d, "purchase", r#""value":50"#));
        e.push(ev(id, d, "usage", ""));
        d -= 30;
    }
    e
}

#[test]
fn relationship_types_follow_their_rules() {
    let mut e = Vec::new();
    e.extend(monthly("marriage", 720, 0)); // two years, monthly, up to today
    e.extend(monthly("dating", 60, 0)); // three purchases in two months
    e.extend(monthly("fling", 360, 300)); // three purchases, then ten months of silence
    e.extend(monthly("ended", 1200, 420)); // a long relationship that stopped 14 months ago
    e.push(ev("once", 300, "purchase", r#""value":900"#));
    let r = report(&e, "{}");
    let t = |id: &str| {
        let c = client(&r, id);
        (c.relationship.kind, c.relationship.healthy)
    };
    assert_eq!(t("marriage"), (RelationshipType::Marriage, true));
    assert_eq!(t("dating"), (RelationshipType::Dating, true));
    assert_eq!(t("fling"), (RelationshipType::Fling, false));
    assert_eq!(t("ended"), (RelationshipType::Ended, false));
    assert_eq!(t("once"), (RelationshipType::OneTime, false));
    assert_eq!(client(&r, "marriage").relationship.occasions, 25);
    assert_eq!(client(&r, "marriage").relationship.span_days, 720);
    assert_eq!(r.portfolio.relationships["marriage"], 1);
    assert_eq!(r.portfolio.relationships["one_time"], 1);
    // An ended relationship is never proposed; a marriage that pays is.
    assert!(!client(&r, "ended").relationship.long_term.worth_proposing);
    let m = &client(&r, "marriage").relationship.long_term;
    assert!(m.worth_proposing);
    // 25 × 50 over 720 days, at that pace for a year.
    assert!(
        (m.expected_value - 1250.0 / (720.0 / 365.0)).abs() < 0.01,
        "{m:?}"
    );
}

#[test]
fn a_one_time_client_is_healthy_only_in_a_one_time_business() {
    let e = vec![ev("trip", 5, "purchase", r#""value":4000"#)];
    let repeat = report(&e, r#"{"businessModel":"repeat"}"#);
    let once = report(&e, r#"{"businessModel":"one_time"}"#);
    let (a, b) = (
        &client(&repeat, "trip").relationship,
        &client(&once, "trip").relationship,
    );
    assert_eq!(
        (a.kind, b.kind),
        (RelationshipType::OneTime, RelationshipType::OneTime)
    );
    assert!(!a.healthy && b.healthy);
    assert_eq!(a.reason.code, "ONE_TIME_MISSED");
    assert_eq!(b.reason.code, "ONE_TIME_EXPECTED");
    assert_eq!(
        once.portfolio.business_model,
        rapport::scores::BusinessModel::OneTime
    );
    // A one-time business expects nothing more from it; a repeat business projects its pace
    // (4000 over its first 30 days, for a year).
    assert_eq!(b.long_term.expected_value, 0.0);
    assert!(!b.long_term.worth_proposing);
    assert_eq!(
        a.long_term.expected_value,
        (4000.0 * 365.0 / 30.0 * 100.0_f64).round() / 100.0
    );
}

#[test]
fn the_loyalty_profitability_matrix_uses_the_given_thresholds() {
    let mut e = Vec::new();
    // Long (activity over 300 days) or short (30 days); profitable (revenue 1000) or not (10).
    for (id, span, value) in [
        ("friend", 300, 1000),
        ("butterfly", 30, 1000),
        ("barnacle", 300, 10),
        ("stranger", 30, 10),
    ] {
        e.push(ev(id, span, "purchase", &format!(r#""value":{value}"#)));
        e.push(ev(id, 0, "usage", ""));
    }
    let r = report(
        &e,
        r#"{"relationship":{"loyalDays":100,"profitableValue":500}}"#,
    );
    for (id, q) in [
        ("friend", LoyaltyQuadrant::TrueFriend),
        ("butterfly", LoyaltyQuadrant::Butterfly),
        ("barnacle", LoyaltyQuadrant::Barnacle),
        ("stranger", LoyaltyQuadrant::Stranger),
    ] {
        assert_eq!(client(&r, id).relationship.quadrant, q, "{id}");
    }
    // Default thresholds are the medians: 165 days and 505 of net value split them the same way.
    let r = report(&e, "{}");
    assert_eq!(
        client(&r, "butterfly").relationship.quadrant,
        LoyaltyQuadrant::Butterfly
    );
    assert_eq!(
        client(&r, "barnacle").relationship.quadrant,
        LoyaltyQuadrant::Barnacle
    );
    assert_eq!(r.portfolio.loyalty_quadrants["true_friend"], 1);
}

#[test]
fn rfm_scores_and_segments_through_the_scorer() {
    let mut e = Vec::new();
    // Five buyers: from recent, frequent and big to long gone, once and small.
    for (k, id) in ["a", "b", "c", "d", "e"].iter().enumerate() {
        let k = k as i64;
        for j in 0..(5 - k) {
            e.push(ev(
                id,
                10 + 100 * k + j,
                "purchase",
                &format!(r#""value":{}"#, 100 * (5 - k)),
            ));
        }
    }
    e.push(ev("nobuy", 1, "usage", ""));
    let r = report(&e, "{}");
    let code = |id: &str| client(&r, id).rfm.as_ref().unwrap().code.clone();
    assert_eq!(code("a"), "555");
    assert_eq!(code("c"), "333");
    assert_eq!(code("e"), "111");
    assert_eq!(
        client(&r, "a").rfm.as_ref().unwrap().segment,
        RfmSegment::Champions
    );
    assert_eq!(
        client(&r, "e").rfm.as_ref().unwrap().segment,
        RfmSegment::Lost
    );
    assert_eq!(client(&r, "e").rfm.as_ref().unwrap().recency_days, 410);
    assert!(client(&r, "nobuy").rfm.is_none());
    assert_eq!(r.portfolio.rfm_segments.values().sum::<u64>(), 5);
    // Three bins: scores 1–3.
    let r = report(&e, r#"{"rfm":{"bins":3}}"#);
    assert_eq!(client(&r, "a").rfm.as_ref().unwrap().code, "333");
}

#[test]
fn each_play_fires_on_its_signals() {
    let mut e = Vec::new();
    // Heavy daily user on a plan of 40 events a month: upsell.
    for d in 0..60 {
        e.push(ev("limit", d, "usage", ""));
    }
    // Renewed 320 days ago, engaged: renewal due in 45 days.
    e.push(ev("renew", 320, "renewal", r#""value":500"#));
    for d in 0..40 {
        e.push(ev("renew", d, "usage", ""));
    }
    // Was a big buyer, silent for a few weeks: at risk, worth winning back.
    for d in [230, 200, 170, 140, 110, 80] {
        e.push(ev("slipping", d, "purchase", r#""value":400"#));
    }
    // Lapsed after one small purchase: dormant, but not worth a campaign.
    e.push(ev("small_lapsed", 80, "purchase", r#""value":5"#));
    // New, one feature of five: onboarding.
    e.push(ev("newbie", 5, "usage", r#""feature":"a""#));
    for f in ["b", "c", "d", "e"] {
        e.push(ev("limit", 1, "usage", &format!(r#""feature":"{f}""#)));
    }
    // Engaged and happy: advocacy.
    for d in 0..30 {
        e.push(ev("fan", d, "usage", r#""feature":"a""#));
    }
    e.push(ev("fan", 3, "feedback", r#""value":5"#));
    // The cases are written for a 30-day window (the profile of this book would choose 28,
    // and the fan's month of use would then read as a rise).
    let r = report(
        &e,
        r#"{"plays":{"usageLimits":{"limit":40}},"engagement":{"windowDays":30}}"#,
    );
    assert_eq!(client(&r, "limit").plays[0].play, PlayKind::RenewalUpsell);
    assert!(client(&r, "limit").plays[0].reason.contains("40"));
    let renew = &client(&r, "renew").plays[0];
    assert_eq!(renew.play, PlayKind::RenewalUpsell);
    assert_eq!(renew.signals[0].value, 45.0);
    assert_eq!(
        client(&r, "slipping").status,
        rapport::scores::activity::Status::AtRisk
    );
    assert!(plays(client(&r, "slipping")).contains(&PlayKind::ReEngagement));
    let lapsed = client(&r, "small_lapsed");
    assert_eq!(lapsed.status, rapport::scores::activity::Status::Dormant);
    assert!(lapsed.relationship.long_term.expected_value > 0.0);
    assert!(!plays(lapsed).contains(&PlayKind::ReEngagement));
    assert!(plays(client(&r, "newbie")).contains(&PlayKind::OnboardingEducation));
    // The fan also uses one feature of five a month in: advocacy first, then onboarding.
    assert_eq!(
        plays(client(&r, "fan")),
        vec![PlayKind::AdvocacyAsk, PlayKind::OnboardingEducation]
    );
    // Engaged but never asked: feedback request (the renewal client has given none).
    assert!(plays(client(&r, "renew")).contains(&PlayKind::FeedbackRequest));
    // Plays can be switched off and capped.
    let r = report(
        &e,
        r#"{"plays":{"usageLimits":{"limit":40},"disabled":["renewal_upsell"],"maxPlays":1},"engagement":{"windowDays":30}}"#,
    );
    assert!(!plays(client(&r, "limit")).contains(&PlayKind::RenewalUpsell));
    assert!(r.clients.iter().all(|c| c.plays.len() <= 1));
}

#[test]
fn bad_options_name_their_key() {
    for (json, field) in [
        (r#"{"businessModel":"sometimes"}"#, "businessModel"),
        (r#"{"rfm":{"bins":12}}"#, "rfm.bins"),
        (
            r#"{"effectiveness":{"clearMessages":20}}"#,
            "effectiveness.unclearMessages",
        ),
        (
            r#"{"relationship":{"quietPAlive":2}}"#,
            "relationship.quietPAlive",
        ),
        (r#"{"plays":{"disabled":["hug"]}}"#, "plays.disabled[0]"),
        (
            r#"{"plays":{"usageLimits":{"x":-1}}}"#,
            "plays.usageLimits.x",
        ),
    ] {
        let err = ScorerOptions::from_json(json)
            .and_then(|o| o.resolve().map(|_| ()))
            .unwrap_err();
        assert_eq!(err.field.as_deref(), Some(field), "{json}: {err}");
    }
}

fn history(events: &[String], options: &str) -> rapport::report::History {
    let o = ScorerOptions {
        as_of: Some(rapport::input::event::TimestampInput::Text(AS_OF.into())),
        ..ScorerOptions::default()
    };
    let mut s = Scorer::new(&o).unwrap();
    s.ingest_json(&format!("[{}]", events.join(","))).unwrap();
    s.history(&serde_json::from_str(options).unwrap()).unwrap()
}

#[test]
fn history_tracks_periods_migrations_alerts_and_cohorts() {
    let mut e = Vec::new();
    // Steady: a purchase and daily use for the whole of the last 120 days.
    for d in 0..120 {
        e.push(ev("steady", d, "usage", ""));
        if d % 10 == 0 {
            e.push(ev("steady", d, "purchase", r#""value":20"#));
        }
    }
    // Fading: the best customer until 90 days ago, silent since.
    for d in 90..120 {
        e.push(ev("fading", d, "usage", ""));
        e.push(ev("fading", d, "purchase", r#""value":100"#));
    }
    // Late: first seen 20 days ago.
    e.push(ev("late", 20, "purchase", r#""value":5"#));
    let h = history(&e, r#"{"period":"month","periods":4}"#);
    assert_eq!(
        h.ends,
        vec!["2024-09-30", "2024-10-31", "2024-11-30", "2024-12-31"]
    );
    assert_eq!(h.portfolio.len(), 4);
    // Before `late` arrives (11 December), two clients; then three.
    assert_eq!(
        h.portfolio.iter().map(|p| p.clients).collect::<Vec<_>>(),
        vec![2, 2, 2, 3]
    );
    assert_eq!(h.portfolio[0].status_counts.active, 2);
    assert_eq!(h.portfolio[3].status_counts.dormant, 1);
    // Per-client series line up with the ends; `late` has none before it existed.
    let late = h.clients.iter().find(|c| c.client_id == "late").unwrap();
    assert!(late.points[2].is_none() && late.points[3].is_some());
    let fading = h.clients.iter().find(|c| c.client_id == "fading").unwrap();
    let first = fading.points[0].as_ref().unwrap();
    let now = fading.points[3].as_ref().unwrap();
    assert_eq!(first.segment, Some(RfmSegment::Champions));
    assert!(now.engagement < first.engagement - 20.0);
    // Migrations from the first end to the last: fading left the champions and the actives.
    let seg = h
        .transitions
        .segments
        .iter()
        .find(|m| m.from == "champions" && m.to != "champions")
        .unwrap();
    assert_eq!(seg.client_ids, vec!["fading".to_string()]);
    let st = h
        .transitions
        .statuses
        .iter()
        .find(|m| m.from == "active" && m.to == "dormant")
        .unwrap();
    assert_eq!(
        (st.clients, st.client_ids.clone()),
        (1, vec!["fading".to_string()])
    );
    // Only fading's engagement fell by 20 points or more.
    let alerts: Vec<&str> = h
        .alerts
        .iter()
        .filter(|a| a.score == "engagement")
        .map(|a| a.client_id.as_str())
        .collect();
    assert_eq!(alerts, vec!["fading"]);
    // Cohorts by month of first activity: fading and steady began in September (day 119 and
    // earlier), late in December. Of September's two, one was active in each later month
    // except October, when both were.
    let sept = h.cohorts.iter().find(|c| c.month == "2024-09").unwrap();
    assert_eq!(sept.clients, 2);
    assert_eq!(sept.retention, vec![1.0, 1.0, 0.5, 0.5]);
    let dec = h.cohorts.iter().find(|c| c.month == "2024-12").unwrap();
    assert_eq!((dec.clients, dec.retention.clone()), (1, vec![1.0]));
    // Comparing other dates, and leaving the series out.
    let h = history(
        &e,
        r#"{"from":"2024-12-01","to":"2024-12-31","clients":false,"alertDrop":90}"#,
    );
    assert!(h.clients.is_empty());
    assert!(h.alerts.is_empty());
    assert_eq!(h.transitions.from, "2024-12-01");
    assert_eq!(h.ends.len(), 12);
}

#[test]
fn a_fitted_models_p_alive_decides_quiet_and_marriage() {
    use rapport::scores::activity::Status;
    use rapport::scores::relationship::{classify, Facts, Judged, ModelView};
    use rapport::scores::{BusinessModel, RelationshipOptions};
    let long = Facts {
        occasions: 10,
        span_days: 500,
        active_span_days: 500,
        tenure_days: 520,
        on_purchases: true,
    };
    let o = RelationshipOptions::default();
    let view = |p| {
        Some(ModelView {
            p_alive: p,
            year_value: None,
        })
    };
    fn judged(
        facts: &Facts,
        status: Status,
        model: Option<ModelView>,
        business: BusinessModel,
    ) -> Judged<'_> {
        Judged {
            facts,
            status,
            model,
            business,
        }
    }
    let kind = |f: &Facts, st, m| classify(&judged(f, st, m, BusinessModel::Repeat), &o, true).0;
    // Without a model, an active long relationship is a marriage.
    assert_eq!(
        kind(&long, Status::Active, None),
        RelationshipType::Marriage
    );
    // The model can see it is probably over, though the status still says active…
    assert_eq!(
        kind(&long, Status::Active, view(0.3)),
        RelationshipType::Ended
    );
    // …or not sure enough for a marriage (0.5 ≤ P(alive) < 0.7).
    assert_eq!(
        kind(&long, Status::Active, view(0.6)),
        RelationshipType::Dating
    );
    assert_eq!(
        kind(&long, Status::Active, view(0.9)),
        RelationshipType::Marriage
    );
    let short = Facts {
        span_days: 40,
        ..long
    };
    assert_eq!(
        kind(&short, Status::Active, view(0.2)),
        RelationshipType::Fling
    );
    // In a one-time business a fling is healthy; in a repeat one it is not.
    assert!(
        classify(
            &judged(&short, Status::Dormant, None, BusinessModel::OneTime),
            &o,
            true
        )
        .1
    );
    assert!(
        !classify(
            &judged(&short, Status::Dormant, None, BusinessModel::Repeat),
            &o,
            true
        )
        .1
    );
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 32, .. ProptestConfig::default() })]

        /// On any synthetic book and any valid settings, every score stays in range, every
        /// client is typed and segmented consistently, and the history agrees with the report.
        #[test]
        fn scores_stay_in_range(seed in any::<u64>(), clients in 1usize..40, bins in 2u32..10,
                                max_plays in 1u32..7, one_time in any::<bool>(), days_back in 0i64..400) {
            let data = rapport::input::synth::generate(seed, clients, 30 * clients).unwrap();
            let options = format!(
                r#"{{"businessModel":"{}","rfm":{{"bins":{bins}}},"plays":{{"maxPlays":{max_plays}}}}}"#,
                if one_time { "one_time" } else { "repeat" }
            );
            let mut o = ScorerOptions::from_json(&options).unwrap();
            let end = rapport::input::time::format_day(data.end_day - days_back as i32);
            o.as_of = Some(rapport::input::event::TimestampInput::Text(end.clone()));
            let mut s = Scorer::new(&o).unwrap();
            s.ingest_columns(&data.columns()).unwrap();
            let r = s.score(&ScoreOptions::default()).unwrap();
            let mut segments = 0;
            for c in &r.clients {
                if let Some(e) = c.effectiveness.score {
                    prop_assert!((0.0..=100.0).contains(&e));
                }
                let weights: f64 = [
                    &c.effectiveness.components.communication,
                    &c.effectiveness.components.informed,
                    &c.effectiveness.components.collaboration,
                    &c.effectiveness.components.feedback,
                    &c.effectiveness.components.cost_to_serve,
                ].iter().map(|k| k.weight).sum();
                prop_assert!(c.effectiveness.score.is_none() || (weights - 1.0).abs() < 1e-3);
                prop_assert!(c.effectiveness.net_value.is_finite());
                if let Some(f) = &c.rfm {
                    segments += 1;
                    for v in [f.r, f.f, f.m] {
                        prop_assert!((1..=bins).contains(&v));
                    }
                    prop_assert_eq!(f.code.len(), 3);
                }
                prop_assert!(c.plays.len() <= max_plays as usize);
                prop_assert!(c.plays.windows(2).all(|w| w[0].priority >= w[1].priority));
                let lt = &c.relationship.long_term;
                prop_assert!(lt.expected_value >= 0.0 && lt.expected_cost >= 0.0);
                prop_assert!(!(lt.worth_proposing && c.relationship.kind == RelationshipType::Ended));
                if c.relationship.kind == RelationshipType::OneTime {
                    prop_assert_eq!(c.relationship.healthy, one_time);
                }
            }
            prop_assert_eq!(r.portfolio.rfm_segments.values().sum::<u64>(), segments);
            prop_assert_eq!(r.portfolio.relationships.values().sum::<u64>(), r.clients.len() as u64);
            let h = s.history(&serde_json::from_str(r#"{"periods":4,"clients":false}"#).unwrap()).unwrap();
            prop_assert_eq!(h.ends.last().unwrap(), &end);
            prop_assert_eq!(&h.portfolio.last().unwrap().status_counts, &r.portfolio.status_counts);
            prop_assert_eq!(&h.portfolio.last().unwrap().rfm_segments, &r.portfolio.rfm_segments);
            for c in &h.cohorts {
                prop_assert!(c.retention.iter().all(|x| (0.0..=1.0).contains(x)));
            }
        }
    }
}

#[test]
fn effectiveness_as_of_an_earlier_date_ignores_later_tickets() {
    // Clear and cheap for a year, then a burst of costly reopened tickets in the last month.
    let mut e = Vec::new();
    for d in (0..360).step_by(30) {
        e.push(ev("c", d, "purchase", r#""value":100"#));
    }
    e.push(ev("c", 300, "support", r#""messages":2,"cost":5"#));
    for d in 0..10 {
        e.push(ev(
            "c",
            d,
            "support",
            r#""messages":15,"cost":100,"reopened":true"#,
        ));
    }
    let now = report(&e, "{}");
    let o = ScorerOptions::from_json(r#"{"asOf":"2024-11-15"}"#).unwrap();
    let mut s = Scorer::new(&o).unwrap();
    s.ingest_json(&format!("[{}]", e.join(","))).unwrap();
    let before = s.score(&ScoreOptions::default()).unwrap();
    let (a, b) = (
        &client(&before, "c").effectiveness,
        &client(&now, "c").effectiveness,
    );
    // Before the burst: one clear ticket costing 5 against the 1,000 of revenue by then.
    assert_eq!(a.cost_to_serve, 5.0);
    assert_eq!(a.net_value, 995.0);
    assert_eq!(a.components.communication.score, Some(100.0));
    assert_eq!(b.cost_to_serve, 1005.0);
    assert!(b.score.unwrap() < a.score.unwrap() - 40.0, "{a:?}\n{b:?}");
    // The history sees the fall, and alerts on it.
    let h = history(&e, r#"{"period":"month","periods":3}"#);
    let points = &h.clients[0].points;
    assert_eq!(points[1].as_ref().unwrap().effectiveness, a.score);
    assert_eq!(points[2].as_ref().unwrap().effectiveness, b.score);
    assert!(h
        .alerts
        .iter()
        .any(|x| x.score == "effectiveness" && x.client_id == "c"));
    assert_eq!(
        client(&now, "c").plays[0].play,
        PlayKind::SupportIntervention
    );
    assert!(client(&before, "c")
        .plays
        .iter()
        .all(|p| p.play != PlayKind::SupportIntervention));
}

#[test]
fn scoring_in_the_past_sees_the_cancellations_and_ratings_of_that_time() {
    // Active in January and February, cancelled on 6 March; back in June, cancelled again in
    // September. Rated 5 in February and 1 in August.
    let mut e: Vec<String> = (310..360).map(|d| ev("c", d, "usage", "")).collect();
    e.push(ev("c", 300, "cancellation", ""));
    e.push(ev("c", 200, "usage", ""));
    e.push(ev("c", 100, "cancellation", ""));
    e.push(ev("c", 330, "feedback", r#""value":5"#));
    e.push(ev("c", 150, "feedback", r#""value":1"#));
    // As of 25 April, the March cancellation is the last one (the September one is later).
    let o = ScorerOptions::from_json(r#"{"asOf":"2024-04-25"}"#).unwrap();
    let mut s = Scorer::new(&o).unwrap();
    s.ingest_json(&format!("[{}]", e.join(","))).unwrap();
    let then = s.score(&ScoreOptions::default()).unwrap();
    let c = client(&then, "c");
    assert_eq!(c.status, rapport::scores::activity::Status::Churned);
    assert_eq!(c.status_reason.code, "CANCELLED");
    assert!(
        c.status_reason.text.contains("2024-03-06"),
        "{}",
        c.status_reason.text
    );
    // Only February's rating existed then; by the end both had.
    let rec = s.ledger().find("c").unwrap();
    let april = rapport::input::time::days_from_civil(2024, 4, 25) as i32;
    assert_eq!(rec.tally(april).mean_rating(), Some(5.0));
    assert_eq!(rec.tally(i32::MAX).mean_rating(), Some(3.0));
    let now = report(&e, "{}");
    assert!(client(&now, "c").status_reason.text.contains("2024-09-22"));
}
