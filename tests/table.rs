//! The table, `explain` and the report agree: every column of every row of a synthetic book
//! against the same client's report entry and its explanation, with and without the
//! customer-base models; the kept book goes stale when the ledger or the day changes.

use rapport::input::event::TimestampInput;
use rapport::input::synth;
use rapport::report::table::{Column, NONE};
use rapport::report::{ClientScore, Report, ScoreOptions, Scorer, ScorerOptions, Table};
use rapport::ErrorCode;

fn scorer(seed: u64, clients: usize, events: usize) -> Scorer {
    let data = synth::generate(seed, clients, events).unwrap();
    let mut s = Scorer::new(&ScorerOptions::default()).unwrap();
    s.ingest_columns(&data.columns()).unwrap();
    s
}

fn f32_of(v: Option<f64>) -> f32 {
    v.map_or(f32::NAN, |x| x as f32)
}

fn same_f32(a: f32, b: f32) -> bool {
    a == b || (a.is_nan() && b.is_nan())
}

fn same_f64(a: f64, b: f64) -> bool {
    a == b || (a.is_nan() && b.is_nan())
}

/// Row `k` of the table holds exactly what client `c` of the report says.
fn row_matches(t: &Table, k: usize, c: &ClientScore) {
    let col = &t.columns;
    let n = &t.names;
    let id = &c.client_id;
    assert_eq!(t.client_ids[k], *id);
    assert_eq!(n.status[col.status[k] as usize], c.status, "{id}");
    assert_eq!(
        n.status_reason[col.status_reason[k] as usize],
        c.status_reason.code
    );
    let day = |ms: f64| rapport::input::time::format_day((ms / 86_400_000.0) as i32);
    assert_eq!(day(col.first_active[k]), c.first_active);
    assert_eq!(day(col.last_active[k]), c.last_active);
    assert_eq!(col.days_since_last_activity[k], c.days_since_last_activity);
    assert_eq!(col.cadence_days[k], c.cadence_days);
    assert_eq!(col.active_days[k], c.active_days);
    assert_eq!(col.events[k], c.events as f64);
    assert_eq!(col.purchases[k], c.purchases as f64);
    assert_eq!(col.revenue[k], c.revenue);
    assert_eq!(col.support_tickets[k], c.support_tickets as f64);
    assert_eq!(col.features_used[k], c.features_used);
    let g = &c.engagement;
    assert_eq!(col.engagement[k], g.score as f32);
    for (column, comp) in [
        (&col.engagement_recency, &g.components.recency),
        (&col.engagement_frequency, &g.components.frequency),
        (&col.engagement_breadth, &g.components.breadth),
        (&col.engagement_depth, &g.components.depth),
        (&col.engagement_trend, &g.components.trend),
    ] {
        assert!(same_f32(column[k], f32_of(comp.score)), "{id}");
    }
    let f = &c.effectiveness;
    assert!(same_f32(col.effectiveness[k], f32_of(f.score)), "{id}");
    for (column, comp) in [
        (
            &col.effectiveness_communication,
            &f.components.communication,
        ),
        (&col.effectiveness_informed, &f.components.informed),
        (
            &col.effectiveness_collaboration,
            &f.components.collaboration,
        ),
        (&col.effectiveness_feedback, &f.components.feedback),
        (
            &col.effectiveness_cost_to_serve,
            &f.components.cost_to_serve,
        ),
    ] {
        assert!(same_f32(column[k], f32_of(comp.score)), "{id}");
    }
    assert_eq!(col.cost_to_serve[k], f.cost_to_serve);
    assert_eq!(col.net_value[k], f.net_value);
    let r = &c.relationship;
    assert_eq!(n.relationship[col.relationship[k] as usize], r.kind);
    assert_eq!(col.healthy[k] == 1, r.healthy);
    assert_eq!(
        n.relationship_reason[col.relationship_reason[k] as usize],
        r.reason.code
    );
    assert_eq!(n.quadrant[col.quadrant[k] as usize], r.quadrant);
    assert_eq!(col.expected_value[k], r.long_term.expected_value);
    assert_eq!(col.expected_cost[k], r.long_term.expected_cost);
    assert_eq!(col.worth_proposing[k] == 1, r.long_term.worth_proposing);
    assert_eq!(
        n.long_term[col.long_term[k] as usize],
        r.long_term.reason.code
    );
    match &c.rfm {
        Some(rfm) => {
            assert_eq!(col.rfm[k].to_string(), rfm.code);
            assert_eq!(n.rfm_segment[col.rfm_segment[k] as usize], rfm.segment);
        }
        None => assert_eq!((col.rfm[k], col.rfm_segment[k]), (0, NONE)),
    }
    match c.plays.first() {
        Some(p) => {
            assert_eq!(n.top_play[col.top_play[k] as usize], p.play);
            assert_eq!(col.top_play_priority[k], p.priority as f32);
        }
        None => assert_eq!(col.top_play[k], NONE),
    }
    let models = [
        (&col.p_alive, c.value.map(|v| v.p_alive)),
        (
            &col.expected_purchases,
            c.value.map(|v| v.expected_purchases),
        ),
        (&col.expected_spend, c.value.and_then(|v| v.expected_spend)),
        (&col.clv, c.value.and_then(|v| v.clv)),
    ];
    for (column, want) in models {
        if let Some(column) = column {
            assert!(same_f64(column[k], want.unwrap_or(f64::NAN)), "{id}");
        }
    }
}

/// The table, the report and every client's explanation agree.
fn agree(s: &Scorer, o: &ScoreOptions) -> (Table, Report) {
    let t = s.score_table(o).unwrap();
    let r = s.score(o).unwrap();
    assert_eq!(t.client_ids.len(), r.clients.len());
    assert_eq!(t.as_of, r.as_of);
    assert_eq!(t.portfolio, r.portfolio);
    assert_eq!(t.warnings, r.warnings);
    assert_eq!(s.portfolio(o).unwrap(), r.portfolio);
    for (name, c) in t.columns.each() {
        assert_eq!(c.len(), t.client_ids.len(), "column {name}");
    }
    for (k, c) in r.clients.iter().enumerate() {
        row_matches(&t, k, c);
        assert_eq!(&s.explain(&c.client_id, o).unwrap(), c);
    }
    let ids: Vec<String> = t.client_ids.iter().rev().take(7).cloned().collect();
    let many = s.explain_many(&ids, o).unwrap();
    let expected: Vec<&ClientScore> = r.clients.iter().rev().take(7).collect();
    assert_eq!(many.iter().collect::<Vec<_>>(), expected);
    (t, r)
}

#[test]
fn every_row_of_the_table_is_the_clients_explanation() {
    let s = scorer(7, 400, 9_000);
    let (t, r) = agree(&s, &ScoreOptions::default());
    assert_eq!(t.client_ids.len(), 400);
    // The book has variety: more than one status, relationship and play among its clients.
    let distinct = |v: &[u8]| v.iter().collect::<std::collections::BTreeSet<_>>().len();
    assert!(distinct(&t.columns.status) >= 3);
    assert!(distinct(&t.columns.relationship) >= 3);
    assert!(distinct(&t.columns.top_play) >= 3);
    assert!(t.columns.p_alive.is_none());
    assert!(r.clients.iter().any(|c| !c.status_reason.text.is_empty()));
}

#[test]
fn an_earlier_day_leaves_later_clients_out_and_agrees_too() {
    let s = scorer(11, 300, 6_000);
    let o = ScoreOptions {
        as_of: Some(TimestampInput::Text("2024-03-01".into())),
        ..ScoreOptions::default()
    };
    let (t, r) = agree(&s, &o);
    assert!(t.client_ids.len() < 300);
    assert!(!r.warnings.is_empty());
    let later = s
        .ledger()
        .client_id(
            (0..s.ledger().len())
                .find(|&i| !t.client_ids.iter().any(|c| c == s.ledger().client_id(i)))
                .unwrap(),
        )
        .to_string();
    let e = s.explain(&later, &o).unwrap_err();
    assert_eq!(e.code, ErrorCode::UnknownClient);
    assert!(
        e.message.contains("no activity on or before 2024-03-01"),
        "{e}"
    );
    let e = s.explain("nobody", &o).unwrap_err();
    assert_eq!(e.code, ErrorCode::UnknownClient);
}

#[cfg(feature = "models")]
#[test]
fn the_models_columns_agree_with_the_clients_values() {
    let s = scorer(5, 300, 8_000);
    let o: ScoreOptions =
        rapport::options::read(serde_json::json!({"customerBase": {"model": "bgnbd"}})).unwrap();
    let (t, _) = agree(&s, &o);
    let p = t.columns.p_alive.as_ref().unwrap();
    assert!(p.iter().any(|v| v.is_finite()));
    assert!(p
        .iter()
        .filter(|v| v.is_finite())
        .all(|v| (0.0..=1.0).contains(v)));
    assert!(t.columns.each().iter().any(|(n, _)| *n == "clv"));
}

#[test]
fn the_kept_book_goes_stale_when_the_ledger_changes() {
    let mut s = scorer(3, 50, 1_000);
    let o = ScoreOptions::default();
    let before = s.score_table(&o).unwrap();
    let id = before.client_ids[0].clone();
    // A big purchase for the first client, on the last day: its revenue and RFM change.
    s.ingest_json(&format!(
        r#"[{{"clientId":"{id}","timestamp":"2024-06-30","kind":"purchase","value":100000}}]"#
    ))
    .unwrap();
    let after = s.score_table(&o).unwrap();
    assert_ne!(before.columns.revenue[0], after.columns.revenue[0]);
    assert_eq!(
        s.explain(&id, &o).unwrap().revenue,
        after.columns.revenue[0]
    );
    agree(&s, &o);
}

#[test]
fn each_column_is_listed_under_its_serialized_name() {
    let s = scorer(1, 20, 300);
    let t = s.score_table(&ScoreOptions::default()).unwrap();
    let json = serde_json::to_value(&t.columns).unwrap();
    let keys: Vec<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.as_str())
        .collect();
    let mut listed: Vec<&str> = t.columns.each().iter().map(|(n, _)| *n).collect();
    let mut keys = keys.clone();
    keys.sort_unstable();
    listed.sort_unstable();
    assert_eq!(keys, listed);
    assert!(matches!(t.columns.each()[0].1, Column::U8(_)));
}
