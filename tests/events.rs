//! The event coder end to end: `extract` on the bundled sample writes events.jsonl,
//! events.graphml and dyads.csv, and the seed scores above the bar with the shared
//! scorer (`../shared/tools/eval-events`).

use std::path::Path;
use std::process::Command;

#[test]
fn seed_events_score() {
    let out = tempfile::tempdir().unwrap();
    let status = Command::new(env!("CARGO_BIN_EXE_diplograph"))
        .args(["extract", "tests/fixtures/sample", "-q", "-o"])
        .arg(out.path())
        .status()
        .unwrap();
    assert!(status.success());
    for f in ["events.jsonl", "events.graphml", "dyads.csv"] {
        assert!(out.path().join(f).exists(), "{f} missing");
    }
    let dyads = std::fs::read_to_string(out.path().join("dyads.csv")).unwrap();
    assert!(dyads.starts_with("month,source,recipient,events,AGREE,"));
    assert!(dyads.lines().any(|l| l.starts_with("2024-03,CHN,USA,")), "{dyads}");

    let scorer = Path::new("../shared/tools/eval-events");
    let gold = Path::new("../shared/gold/seed.events.jsonl");
    if !scorer.exists() || !gold.exists() {
        eprintln!("skipped the score: ../shared is absent");
        return;
    }
    let res = Command::new("python3").arg(scorer).arg(gold).arg(out.path().join("events.jsonl")).output().unwrap();
    assert!(res.status.success(), "{}", String::from_utf8_lossy(&res.stderr));
    let report = String::from_utf8(res.stdout).unwrap();
    let f1 = |level: &str| -> f64 {
        let line = report.lines().find(|l| l.starts_with(level)).unwrap_or_else(|| panic!("no {level} in\n{report}"));
        line.split_whitespace().last().unwrap().parse().unwrap()
    };
    assert!(f1("events") >= 0.70, "events F1 below 0.70:\n{report}");
    assert!(f1("dyads") >= 0.75, "dyads F1 below 0.75:\n{report}");
}
