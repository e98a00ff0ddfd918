//! The seed transcript's sentences, as the gold numbers them (`../shared/gold/seed.sentences.txt`).

use std::path::Path;

use diplograph::normalize::{normalize, NormalizeConfig};
use diplograph::segment::Segmenter;

#[test]
fn seed_sentences_match_gold() {
    let text = std::fs::read_to_string("tests/fixtures/sample/2024-03-07_wang-yi-press-conference.txt").unwrap();
    let gold_path = Path::new("../shared/gold/seed.sentences.txt");
    if !gold_path.exists() {
        eprintln!("skipped: {} not present", gold_path.display());
        return;
    }
    let gold: Vec<String> = std::fs::read_to_string(gold_path)
        .unwrap()
        .lines()
        .map(|l| l.split_once('\t').unwrap().1.to_string())
        .collect();
    let norm = normalize(&text, &NormalizeConfig::default());
    let seg = Segmenter::default().segment(&norm);
    let ours: Vec<String> = seg.sentences.iter().map(|&(a, b)| norm.text[a..b].to_string()).collect();
    for (i, (o, g)) in ours.iter().zip(&gold).enumerate() {
        assert_eq!(o, g, "sentence {i}");
    }
    assert_eq!(ours.len(), gold.len());
}
