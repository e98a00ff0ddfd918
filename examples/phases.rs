//! Where a one-thread run's time goes, stage by stage, over a whole corpus:
//!
//! ```text
//! cargo run --release --example phases -- ../shared/corpus/zh
//! ```
//!
//! Prints the setup and read times, then each per-document stage's total and its rate over
//! the corpus's bytes. (The criterion benches in `benches/stages.rs` time each stage on the
//! small bundled sample; this one sees the corpus's own mix of documents.)

use std::time::Instant;

use diplograph::read::corpus;
use diplograph::{cooccur, event, export, normalize, resolve, Config, Pipeline};

const STAGES: [&str; 8] = ["normalize", "segment", "tag", "resolve", "speakers", "count", "events", "json"];

fn main() {
    let dir = std::env::args().nth(1).unwrap_or_else(|| "../shared/corpus/zh".to_string());
    let cfg = Config::default();
    let started = Instant::now();
    let pipeline = Pipeline::new(&cfg).expect("the default dictionaries load");
    eprintln!(
        "setup      {:.3} s  ({} automaton patterns, {} event cues)",
        started.elapsed().as_secs_f64(),
        pipeline.tagger.pattern_count(),
        pipeline.events.cue_count()
    );
    let started = Instant::now();
    let docs: Vec<_> = corpus(&[dir.into()]).filter_map(Result::ok).collect();
    let mb = docs.iter().map(|d| d.bytes).sum::<usize>() as f64 / 1e6;
    eprintln!("read       {:.3} s  ({} documents, {mb:.1} MB)", started.elapsed().as_secs_f64(), docs.len());
    let segmenter = diplograph::segment::Segmenter::new(&cfg.segment);
    let mut seconds = [0f64; STAGES.len()];
    for d in &docs {
        let mut lap = Instant::now();
        let mut done = |stage: usize| {
            seconds[stage] += lap.elapsed().as_secs_f64();
            lap = Instant::now();
        };
        let norm = normalize::normalize(&d.text, &cfg.normalize);
        done(0);
        let seg = segmenter.segment(&norm);
        done(1);
        let tagged = pipeline.tagger.tag(&norm.text, d.year());
        done(2);
        let mentions = resolve::resolve(&pipeline.dicts, d, &norm, &seg, &tagged);
        done(3);
        let speakers = resolve::speakers(&pipeline.dicts, &norm, &seg, &mentions);
        done(4);
        let counts = cooccur::count(&pipeline.dicts, d, &norm, &seg, &mentions, &cfg.cooccur);
        done(5);
        let events = pipeline.events.code(&pipeline.dicts, d, &norm, &seg, &mentions, &speakers);
        done(6);
        let mut lines = Vec::new();
        export::mentions::write(&mut lines, &pipeline.dicts, &d.id, d.encoding, &mentions, &speakers).expect("writing to memory");
        event::write(&mut lines, &d.id, &events).expect("writing to memory");
        done(7);
        std::hint::black_box((counts, lines));
    }
    for (stage, s) in STAGES.iter().zip(seconds) {
        eprintln!("{stage:10} {s:.3} s  {:7.1} MB/s", mb / s);
    }
    let total: f64 = seconds.iter().sum();
    eprintln!("{:10} {total:.3} s  {:7.1} MB/s", "per-doc", mb / total);
}
