//! Per-stage throughput on real transcript text (the bundled sample), with `Throughput::Bytes`.
//! Run: `cargo bench --bench stages`.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

use diplograph::dict::{DictConfig, Dictionaries};
use diplograph::normalize::{normalize, NormalizeConfig};
use diplograph::read::{corpus, Document};
use diplograph::segment::Segmenter;
use diplograph::tag::{TagConfig, Tagger};
use diplograph::{Config, Pipeline};

fn sample() -> Vec<Document> {
    corpus(&["tests/fixtures/sample".into()]).filter_map(Result::ok).collect()
}

fn stages(c: &mut Criterion) {
    let docs = sample();
    let bytes: usize = docs.iter().map(|d| d.text.len()).sum();
    let dicts = Dictionaries::load(&DictConfig::default()).unwrap();
    let tagger = Tagger::new(&dicts, &TagConfig::default()).unwrap();
    let norms: Vec<_> = docs.iter().map(|d| normalize(&d.text, &NormalizeConfig::default())).collect();
    let segmenter = Segmenter::default();
    let pipeline = Pipeline::new(&Config::default()).unwrap();

    let mut g = c.benchmark_group("stages");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.bench_function("normalize", |b| b.iter(|| docs.iter().map(|d| normalize(black_box(&d.text), &NormalizeConfig::default()).text.len()).sum::<usize>()));
    g.bench_function("segment", |b| b.iter(|| norms.iter().map(|n| segmenter.segment(black_box(n)).sentences.len()).sum::<usize>()));
    g.bench_function("tag", |b| b.iter(|| norms.iter().map(|n| tagger.tag(black_box(&n.text), Some(2024)).hits.len()).sum::<usize>()));
    g.bench_function("document", |b| b.iter(|| docs.iter().map(|d| pipeline.process(black_box(d)).mentions.len()).sum::<usize>()));
    g.finish();

    // The layout costs about 10^7 pair interactions for any graph over ~180 nodes: every
    // dictionary entity as a node, with the pairs the sample's documents share as edges.
    let mut totals = diplograph::cooccur::Totals::new(1);
    for d in &docs {
        totals.add(pipeline.process(d).counts);
    }
    let ids: Vec<&str> = dicts.entities.iter().map(|e| e.id.as_str()).collect();
    let at = |id: &str| ids.iter().position(|x| *x == id);
    let edges: Vec<(usize, usize, f64)> = totals
        .edges
        .iter()
        .filter_map(|((a, b), t)| Some((at(a)?, at(b)?, (1.0 + t.windows as f64).ln())))
        .collect();
    c.bench_function(&format!("layout/{}-nodes-{}-edges", ids.len(), edges.len()), |b| b.iter(|| diplograph::graph::layout(black_box(&ids), &edges)));
}

criterion_group!(benches, stages);
criterion_main!(benches);
