//! The defaults in `docs/scoring.md` come from the code: the options tables are generated from
//! the options structs (each default from `Default`, each meaning from the field's doc
//! comment), and every other default the page quotes — "`quietPAlive` (0.5)", the default
//! weights in the component tables — is checked against them.
//!
//! `UPDATE_DOCS=1 cargo test --test docs` rewrites the generated tables.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use rapport::models::clients::CustomerBaseOptions;
use rapport::report::{HistoryOptions, ScorerOptions};
use serde_json::Value;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The doc comment of each field of `pub struct name` in `file`, in declaration order.
fn field_docs(file: &str, name: &str) -> Vec<(String, String)> {
    let text = fs::read_to_string(root().join("src").join(file)).unwrap();
    let start = text
        .find(&format!("pub struct {name} {{"))
        .unwrap_or_else(|| panic!("no struct {name} in {file}"));
    let mut docs = Vec::new();
    let mut pending: Vec<String> = Vec::new();
    for line in text[start..].lines().skip(1) {
        let t = line.trim();
        if line.starts_with('}') {
            break;
        }
        if let Some(d) = t.strip_prefix("///") {
            pending.push(d.trim().to_string());
        } else if let Some(field) = t.strip_prefix("pub ") {
            let field = field.split(':').next().unwrap().to_string();
            docs.push((field, pending.join(" ")));
            pending.clear();
        }
    }
    docs
}

fn camel(snake: &str) -> String {
    let mut out = String::new();
    let mut up = false;
    for c in snake.chars() {
        if c == '_' {
            up = true;
        } else if up {
            out.push(c.to_ascii_uppercase());
            up = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// How a default is written in the tables.
fn render(v: &Value) -> String {
    match v {
        Value::Null => "—".to_string(),
        Value::Bool(b) => format!("`{b}`"),
        Value::Number(n) => {
            let f = n.as_f64().unwrap();
            if f.fract() == 0.0 {
                format!("{}", f as i64)
            } else {
                format!("{f}")
            }
        }
        Value::String(s) => format!("`{s}`"),
        Value::Array(a) if a.is_empty() => "`[]`".to_string(),
        Value::Object(o) if o.is_empty() => "`{}`".to_string(),
        other => format!("`{other}`"),
    }
}

/// One options table: (key, default, meaning) rows, nested structs expanded.
struct Table {
    rows: Vec<(String, Value, String)>,
}

impl Table {
    /// `structs` maps a key prefix ("" for the root) to the struct behind it.
    fn of(defaults: &Value, structs: &[(&str, &str, &str)]) -> Table {
        let mut t = Table { rows: Vec::new() };
        t.expand("", defaults, structs);
        t
    }

    fn expand(&mut self, prefix: &str, v: &Value, structs: &[(&str, &str, &str)]) {
        let (_, file, name) = structs
            .iter()
            .find(|s| s.0 == prefix)
            .unwrap_or_else(|| panic!("no struct for {prefix:?}"));
        let docs = field_docs(file, name);
        for (field, doc) in &docs {
            let key = camel(field);
            let full = if prefix.is_empty() {
                key.clone()
            } else {
                format!("{prefix}.{key}")
            };
            let value = v
                .get(&key)
                .unwrap_or_else(|| panic!("{full} is not in the serialized defaults"))
                .clone();
            if structs.iter().any(|s| s.0 == full) {
                self.expand(&full, &value, structs);
            } else {
                assert!(
                    !doc.is_empty(),
                    "{full} ({name}.{field}) has no doc comment"
                );
                self.rows.push((full, value, doc.clone()));
            }
        }
    }

    fn markdown(&self) -> String {
        let mut out = String::from("| key | default | meaning |\n| --- | --- | --- |\n");
        for (k, v, doc) in &self.rows {
            out.push_str(&format!(
                "| `{k}` | {} | {} |\n",
                render(v),
                doc.replace('|', "\\|")
            ));
        }
        out
    }
}

const SCORER: [(&str, &str, &str); 10] = [
    ("", "report/options.rs", "ScorerOptions"),
    ("activity", "scores/activity.rs", "ActivityOptions"),
    ("engagement", "scores/engagement.rs", "EngagementOptions"),
    (
        "engagement.weights",
        "scores/engagement.rs",
        "EngagementWeights",
    ),
    (
        "effectiveness",
        "scores/effectiveness.rs",
        "EffectivenessOptions",
    ),
    (
        "effectiveness.weights",
        "scores/effectiveness.rs",
        "EffectivenessWeights",
    ),
    (
        "relationship",
        "scores/relationship.rs",
        "RelationshipOptions",
    ),
    ("health", "scores/health.rs", "HealthOptions"),
    ("rfm", "scores/rfm.rs", "RfmOptions"),
    ("plays", "scores/plays.rs", "PlayOptions"),
];

/// The codes of `enum name` (defined with `codes!`) in `file`, each with its doc comment.
fn code_docs(file: &str, name: &str) -> Vec<(String, String)> {
    let text = fs::read_to_string(root().join("src").join(file)).unwrap();
    let start = text
        .find(&format!("enum {name} {{"))
        .unwrap_or_else(|| panic!("no enum {name} in {file}"));
    let mut out = Vec::new();
    let mut pending: Vec<String> = Vec::new();
    for line in text[start..].lines().skip(1) {
        let t = line.trim();
        if t.starts_with('}') {
            break;
        }
        if let Some(d) = t.strip_prefix("///") {
            pending.push(d.trim().to_string());
        } else if let Some((_, code)) = t.split_once(" = \"") {
            out.push((code.trim_end_matches("\",").to_string(), pending.join(" ")));
            pending.clear();
        }
    }
    out
}

/// A table of codes and their meanings.
fn codes_markdown(sets: &[(&str, &str, &str)]) -> String {
    let mut out = String::from("| code | of | meaning |\n| --- | --- | --- |\n");
    for (file, name, of) in sets {
        for (code, doc) in code_docs(file, name) {
            out.push_str(&format!(
                "| `{code}` | {of} | {} |\n",
                doc.replace('|', "\\|")
            ));
        }
    }
    out
}

fn tables() -> Vec<(&'static str, Table)> {
    let json = |v: Value| v;
    vec![
        (
            "scorer",
            Table::of(
                &json(serde_json::to_value(ScorerOptions::default()).unwrap()),
                &SCORER,
            ),
        ),
        (
            "history",
            Table::of(
                &serde_json::to_value(HistoryOptions::default()).unwrap(),
                &[("", "report/history.rs", "HistoryOptions")],
            ),
        ),
        (
            "customer-base",
            Table::of(
                &serde_json::to_value(CustomerBaseOptions::default()).unwrap(),
                &[("", "models/clients.rs", "CustomerBaseOptions")],
            ),
        ),
    ]
}

/// The columns of `scoreTable`, from a real table with a model (each column's name and array
/// type, and whether it has names) and the doc comment of each field of `Columns`.
fn columns_markdown() -> String {
    use rapport::report::table::Column;
    let data = rapport::input::synth::generate(3, 50, 2_000).unwrap();
    let mut s = rapport::report::Scorer::new(&ScorerOptions::default()).unwrap();
    s.ingest_columns(&data.columns()).unwrap();
    let options: rapport::report::ScoreOptions = serde_json::from_str(
        r#"{"customerBase":{"model":"pareto-nbd","unit":"weeks","horizon":52}}"#,
    )
    .unwrap();
    let t = s.score_table(&options).unwrap();
    let names = serde_json::to_value(&t.names).unwrap();
    let docs: BTreeMap<String, String> = field_docs("report/table.rs", "Columns")
        .into_iter()
        .map(|(f, d)| (camel(&f), d))
        .collect();
    let mut out = String::from("| column | array | meaning |\n| --- | --- | --- |\n");
    for (name, col) in t.columns.each() {
        let doc = docs.get(name).filter(|d| !d.is_empty());
        let doc = doc.unwrap_or_else(|| panic!("the column {name} has no doc comment"));
        let array = match col {
            Column::U8(_) if names.get(name).is_some() => {
                format!("`Uint8Array`, codes into `names.{name}`")
            }
            Column::U8(_) => "`Uint8Array`, 0 or 1".to_string(),
            Column::U16(_) => "`Uint16Array`".to_string(),
            Column::U32(_) => "`Uint32Array`".to_string(),
            Column::F32(_) => "`Float32Array`, NaN when unknown".to_string(),
            Column::F64(_) => "`Float64Array`, NaN when unknown".to_string(),
        };
        out.push_str(&format!("| `{name}` | {array} | {doc} |\n"));
    }
    out
}

fn scoring_md() -> String {
    fs::read_to_string(root().join("docs/scoring.md")).unwrap()
}

/// The text between `<!-- defaults:name -->` and `<!-- /defaults:name -->`.
fn block(text: &str, name: &str) -> (usize, usize) {
    let open = format!("<!-- defaults:{name} -->\n");
    let close = format!("<!-- /defaults:{name} -->");
    let start = text
        .find(&open)
        .unwrap_or_else(|| panic!("no {open:?} in docs/scoring.md"))
        + open.len();
    let end = text[start..].find(&close).unwrap() + start;
    (start, end)
}

#[test]
fn options_tables_are_generated_from_the_code() {
    let mut text = scoring_md();
    let mut stale = Vec::new();
    let mut generated: Vec<(&str, String)> = tables()
        .into_iter()
        .map(|(n, t)| (n, t.markdown()))
        .collect();
    generated.push(("columns", columns_markdown()));
    generated.push((
        "errors",
        codes_markdown(&[("error.rs", "ErrorCode", "error")]),
    ));
    generated.push((
        "reasons",
        codes_markdown(&[
            ("scores/activity.rs", "StatusReasonCode", "`statusReason`"),
            (
                "scores/engagement.rs",
                "EngagementReasonCode",
                "`engagement.reasons`",
            ),
            ("scores/health.rs", "HealthReasonCode", "`health.reasons`"),
            (
                "scores/effectiveness.rs",
                "EffectivenessReasonCode",
                "`effectiveness.reasons`",
            ),
            (
                "scores/relationship.rs",
                "RelationshipReasonCode",
                "`relationship.reason`",
            ),
            (
                "scores/relationship.rs",
                "LongTermReasonCode",
                "`relationship.longTerm.reason`",
            ),
            ("report/types.rs", "WarningCode", "`warnings`"),
        ]),
    ));
    for (name, want) in generated {
        let (start, end) = block(&text, name);
        if text[start..end] != want {
            stale.push(name);
            text.replace_range(start..end, &want);
        }
    }
    if std::env::var_os("UPDATE_DOCS").is_some() {
        fs::write(root().join("docs/scoring.md"), &text).unwrap();
        return;
    }
    assert!(
        stale.is_empty(),
        "docs/scoring.md's tables {stale:?} differ from the code: run UPDATE_DOCS=1 cargo test --test docs"
    );
}

/// Every leaf key of the scorer options and its default.
fn scorer_defaults() -> Vec<(String, Value)> {
    tables()
        .into_iter()
        .flat_map(|(_, t)| t.rows.into_iter().map(|r| (r.0, r.1)))
        .collect()
}

#[test]
fn defaults_quoted_in_the_text_are_the_codes() {
    let text = scoring_md();
    let defaults = scorer_defaults();
    // "`name` (3)" or "`name` (0.5;" outside the generated tables.
    let quoted = regex_lite(&text);
    let mut checked = 0;
    for (name, number) in quoted {
        let hits: Vec<&(String, Value)> = defaults
            .iter()
            .filter(|(k, _)| k == &name || k.ends_with(&format!(".{name}")))
            .collect();
        let [(key, value)] = hits.as_slice() else {
            continue;
        };
        let Some(v) = value.as_f64() else { continue };
        assert_eq!(
            v, number,
            "docs/scoring.md quotes `{name}` as {number}, the code's {key} is {v}"
        );
        checked += 1;
    }
    assert!(checked >= 20, "only {checked} quoted defaults found");
}

/// Pairs (name, number) for every "`name` (number" in `text`, outside generated blocks.
fn regex_lite(text: &str) -> Vec<(String, f64)> {
    let mut out = Vec::new();
    let mut in_block = false;
    for line in text.lines() {
        if line.starts_with("<!-- defaults:") {
            in_block = true;
        } else if line.starts_with("<!-- /defaults:") {
            in_block = false;
        }
        if in_block {
            continue;
        }
        let mut rest = line;
        while let Some(i) = rest.find("` (") {
            let before = &rest[..i];
            let name = before.rsplit('`').next().unwrap_or("");
            let after = &rest[i + 3..];
            let num: String = after
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == '.')
                .collect();
            if let (false, Ok(n)) = (name.is_empty(), num.trim_end_matches('.').parse::<f64>()) {
                out.push((name.to_string(), n));
            }
            rest = after;
        }
    }
    out
}

#[test]
fn component_tables_state_the_default_weights() {
    let text = scoring_md();
    let defaults: BTreeMap<String, Value> = scorer_defaults().into_iter().collect();
    let mut checked = 0;
    for (section, prefix, column) in [
        ("## Engagement score", "engagement.weights", 4),
        ("## Effective-customer score", "effectiveness.weights", 2),
    ] {
        let start = text.find(section).unwrap();
        for line in text[start..]
            .lines()
            .skip(1)
            .take_while(|l| !l.starts_with("## "))
        {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            if cells.len() < 5 || cells[1] == "component" || cells[1].starts_with("---") {
                continue;
            }
            let name = cells[1].trim_matches('`');
            let key = format!("{prefix}.{name}");
            let want = defaults[&key].as_f64().unwrap();
            let got: f64 = cells[column].parse().unwrap();
            assert_eq!(got, want, "{section}: the weight of {name}");
            checked += 1;
        }
    }
    assert_eq!(
        checked,
        defaults.keys().filter(|k| k.contains(".weights.")).count(),
        "every weight has its row in a component table"
    );
    // The activity thresholds: "7 days, 2 × cadence".
    for (name, min, factor) in [
        ("at risk", "minAtRiskDays", "atRiskFactor"),
        ("dormant", "minDormantDays", "dormantFactor"),
        ("churned", "minChurnDays", "churnFactor"),
    ] {
        let row = text
            .lines()
            .find(|l| l.starts_with(&format!("| {name} |")))
            .unwrap();
        let want = format!(
            "{} days, {} × cadence",
            render(&defaults[&format!("activity.{min}")]),
            render(&defaults[&format!("activity.{factor}")])
        );
        assert!(row.contains(&want), "{row} should say {want}");
    }
}

#[test]
fn every_event_kind_and_alias_is_in_the_events_table() {
    use rapport::input::EventKind;
    let text = scoring_md();
    let row = text
        .lines()
        .find(|l| l.starts_with("| `kind` |"))
        .expect("the events table has a kind row");
    for k in EventKind::ALL {
        assert!(
            row.contains(&format!("`{}`", k.name())),
            "docs/scoring.md's kind row lacks `{}`",
            k.name()
        );
        assert_eq!(EventKind::parse(k.name()), Some(k));
    }
    // The aliases the row lists are the parser's.
    let kinds_cell = row.split('|').nth(3).unwrap();
    for alias in kinds_cell.split('`').skip(1).step_by(2) {
        assert!(
            EventKind::parse(alias).is_some(),
            "the kind row lists {alias:?}, which is no kind"
        );
    }
}

#[test]
fn the_limits_table_states_the_codes_limits() {
    let text = scoring_md();
    let start = text.find("## Limits").expect("a Limits section");
    let section = &text[start
        ..text[start..]
            .find("\n## Ledger")
            .map_or(text.len(), |e| start + e)];
    let thousands = |n: u64| {
        let s = n.to_string();
        let mut out = String::new();
        for (i, c) in s.chars().enumerate() {
            if i > 0 && (s.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(c);
        }
        out
    };
    for (what, n) in [
        (
            "events per batch",
            rapport::input::batch::MAX_BATCH_EVENTS as u64,
        ),
        ("clients per ledger", rapport::ledger::MAX_CLIENTS as u64),
        (
            "distinct features per ledger",
            rapport::ledger::MAX_FEATURES as u64,
        ),
        (
            "bytes per client id",
            rapport::input::event::MAX_TEXT_LEN as u64,
        ),
        (
            "bytes per CSV record",
            rapport::input::csv::MAX_RECORD_BYTES as u64,
        ),
        (
            "clients per `score()` report",
            rapport::report::score::MAX_REPORT_CLIENTS as u64,
        ),
        (
            "client assessments per `history()`",
            rapport::report::history::MAX_ASSESSMENTS,
        ),
        (
            "points of client series per `history()`",
            rapport::report::history::MAX_POINTS,
        ),
        (
            "BG/BB opportunities per row",
            rapport::models::bg_bb::MAX_OPPORTUNITIES as u64,
        ),
        (
            "skipped rows listed",
            rapport::input::batch::MAX_ISSUES as u64,
        ),
    ] {
        let row = section
            .lines()
            .find(|l| l.starts_with(&format!("| {what}")))
            .unwrap_or_else(|| panic!("no row for {what}"));
        assert!(
            row.contains(&format!("| {} |", thousands(n))),
            "{row} should say {}",
            thousands(n)
        );
    }
    assert!(section.contains(&format!("| {} MiB |", rapport::memory::RESERVE_BYTES >> 20)));
    let worker = std::fs::read_to_string(root().join("worker/src/index.js")).unwrap();
    assert!(
        worker.contains("const MAX_BODY_BYTES = 8 * 1024 * 1024;") && section.contains("past 8 MB")
    );
}
