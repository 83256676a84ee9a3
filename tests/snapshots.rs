//! Golden snapshots: every layout version this build reads is held in `tests/fixtures/`, written
//! by the build of its time from `golden-events.json`. Today's code must read each into the
//! ledger of those events, and must write the current layout byte for byte: a change of layout
//! fails `current_layout_is_written_byte_for_byte` until `SNAPSHOT_VERSION` is bumped on purpose
//! and a new golden file is added (see CONTRIBUTING.md).

use rapport::input::{self, Mode, Policy};
use rapport::ledger::{Ledger, SNAPSHOT_VERSION};
use rapport::ErrorCode;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn golden_ledger() -> Ledger {
    let text = String::from_utf8(fixture("golden-events.json")).unwrap();
    let mut l = Ledger::new();
    l.apply(&input::from_json(&text, Policy::new(Mode::Strict, 10)).unwrap())
        .unwrap();
    l
}

#[test]
fn every_readable_version_loads_as_the_same_ledger() {
    let expected = golden_ledger();
    for version in 2..=SNAPSHOT_VERSION {
        let bytes = fixture(&format!("ledger-v{version}.snapshot"));
        assert_eq!(u16::from_le_bytes([bytes[8], bytes[9]]), version);
        let l = Ledger::from_snapshot(&bytes).unwrap_or_else(|e| panic!("version {version}: {e}"));
        assert!(
            l == expected,
            "version {version} reads as a different ledger"
        );
        assert_eq!(l.event_count(), 21);
    }
}

#[test]
fn current_layout_is_written_byte_for_byte() {
    let golden = fixture(&format!("ledger-v{SNAPSHOT_VERSION}.snapshot"));
    assert!(
        golden_ledger().to_snapshot() == golden,
        "the snapshot layout changed: bump SNAPSHOT_VERSION and add a golden file for it"
    );
}

#[test]
fn a_version_from_the_future_is_refused_by_code() {
    let mut bytes = fixture(&format!("ledger-v{SNAPSHOT_VERSION}.snapshot"));
    bytes[8..10].copy_from_slice(&(SNAPSHOT_VERSION + 1).to_le_bytes());
    assert_eq!(
        Ledger::from_snapshot(&bytes).unwrap_err().code,
        ErrorCode::UnsupportedSnapshotVersion
    );
}
