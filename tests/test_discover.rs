//! `diplograph discover` on the sample corpus: TSV sections whose headers match the dictionary
//! files, every row as wide as its header, ranked by document frequency, no dictionary name.

use std::process::Command;

#[test]
fn sample_candidates_are_paste_ready_rows() {
    let sample = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/sample");
    let out = Command::new(env!("CARGO_BIN_EXE_diplograph"))
        .args(["discover", sample, "--min-docs", "1", "--top", "40", "-j", "1"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("# diplograph discover: ") && !text.starts_with("# diplograph discover: 0 documents"), "{text}");
    let headers = [
        "id\tlabel\ten\taliases\tcountry\troles\tsource",
        "id\tlabel\ten\taliases\tcountry\tkind\tsource",
        "id\tlabel\ten\taliases\tsource",
    ];
    let mut width = 0;
    let mut rows = 0;
    let mut ranks = Vec::new();
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        if headers.contains(&line) {
            width = line.split('\t').count();
            continue;
        }
        assert_eq!(line.split('\t').count(), width, "{line}");
        let cells: Vec<&str> = line.split('\t').collect();
        assert_eq!(cells[0], "?");
        assert!(!["王毅", "中国", "外交部", "普京"].contains(&cells[1]), "{line}");
        let source = cells[width - 1];
        assert!(source.starts_with("discover #") && source.contains(".txt:"), "{line}");
        ranks.push(source["discover #".len()..].split(':').next().unwrap().parse::<usize>().unwrap());
        rows += 1;
    }
    assert!(rows > 0, "{text}");
    ranks.sort();
    assert_eq!(ranks, (1..=rows).collect::<Vec<_>>());
    // Deterministic: a second run with more threads prints the same bytes.
    let again = Command::new(env!("CARGO_BIN_EXE_diplograph"))
        .args(["discover", sample, "--min-docs", "1", "--top", "40", "-j", "2"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8(again.stdout).unwrap(), text);
}
