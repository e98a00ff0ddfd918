/*!
diplograph turns corpora of diplomatic transcripts into entity graphs.

Each stage is a module: [`read`] → [`normalize`] → [`segment`] → [`tag`] (with [`figure`]) →
[`resolve`] → [`cooccur`] → [`graph`] → [`export`]. [`run`] drives them over a corpus,
documents in parallel with rayon, results merged in document order so that the output does not
depend on the thread count.

```
use diplograph::{dict, normalize, segment, tag, resolve, read::Document};
let dicts = dict::Dictionaries::load(&dict::DictConfig::default()).unwrap();
let tagger = tag::Tagger::new(&dicts, &tag::TagConfig::default()).unwrap();
let doc = Document::from_text("d", "中方愿同俄方一道，推动中美关系稳定发展。", Some("2024-03-07"));
let norm = normalize::normalize(&doc.text, &normalize::NormalizeConfig::default());
let seg = segment::Segmenter::default().segment(&norm);
let mentions = resolve::resolve(&dicts, &doc, &norm, &seg, &tagger.tag(&norm.text, doc.year()));
let ids: Vec<&str> = mentions.iter().filter_map(|m| m.entity).map(|e| dicts.entity(e).id.as_str()).collect();
assert_eq!(ids, ["CHN", "RUS", "CHN", "USA"]);
```
*/
#![deny(missing_docs)]

pub mod cooccur;
pub mod dict;
pub mod error;
pub mod event;
pub mod export;
pub mod figure;
pub mod graph;
pub mod merge;
pub mod normalize;
pub mod partial;
pub mod read;
pub mod resolve;
pub mod segment;
pub mod tag;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use rayon::prelude::*;

pub use crate::error::Error;
use crate::cooccur::{CooccurConfig, Settled, Totals};
use crate::dict::{DictConfig, Dictionaries, Kind};
use crate::normalize::NormalizeConfig;
use crate::read::Document;
use crate::resolve::Mention;
use crate::segment::{SegmentConfig, Segmenter};
use crate::tag::{TagConfig, Tagger};

/// Everything a run needs to know.
#[derive(Clone, Debug)]
pub struct Config {
    /// Files, folders, JSON Lines files, `-` for standard input.
    pub inputs: Vec<PathBuf>,
    /// Output folder.
    pub output: PathBuf,
    /// Worker threads (0 = one per core).
    pub threads: usize,
    /// Dictionaries.
    pub dict: DictConfig,
    /// Normalization.
    pub normalize: NormalizeConfig,
    /// Segmentation.
    pub segment: SegmentConfig,
    /// Tagging.
    pub tag: TagConfig,
    /// Co-occurrence.
    pub cooccur: CooccurConfig,
    /// What goes into the exported graph (weight, filters).
    pub graph: graph::GraphConfig,
    /// Fail, writing nothing, when any input is skipped.
    pub strict: bool,
    /// Write a partial result for `merge` instead of the final files.
    pub partial: bool,
    /// Process only this shard of the documents (by id hash).
    pub shard: Option<partial::Shard>,
    /// Bytes a text document may have; more is skipped, unread. `None`: a sixteenth of
    /// [`memory_free`] (a document takes 10 to 13 times its size while it is processed).
    pub max_document: Option<u64>,
}

/// Memory this process may still take, in bytes: the kernel's estimate of what is available
/// (`MemAvailable`), or less where the cgroup of a container or a batch job (Slurm, a job
/// array) sets a lower limit, v1 or v2. `None` where none can be read (not Linux).
pub fn memory_free() -> Option<u64> {
    let read = |path: &Path| std::fs::read_to_string(path).ok();
    let available = read(Path::new("/proc/meminfo")).and_then(|m| {
        let kb = m.lines().find_map(|l| l.strip_prefix("MemAvailable:"))?.trim().strip_suffix("kB")?.trim().parse::<u64>().ok()?;
        Some(kb * 1024)
    });
    // The process's groups (`0::/path` for v2, `N:memory:/path` for v1's memory controller)
    // and each group above them: the least any of them leaves.
    let groups = read(Path::new("/proc/self/cgroup")).unwrap_or_default();
    let mut least: Option<u64> = None;
    for line in groups.lines() {
        let (root, limit, usage) = if let Some(path) = line.strip_prefix("0::") {
            (Path::new("/sys/fs/cgroup").join(path.trim_start_matches('/')), "memory.max", "memory.current")
        } else if let Some((_, path)) = line.split_once(":memory:") {
            (Path::new("/sys/fs/cgroup/memory").join(path.trim_start_matches('/')), "memory.limit_in_bytes", "memory.usage_in_bytes")
        } else {
            continue;
        };
        for dir in root.ancestors().take_while(|d| d.starts_with("/sys/fs/cgroup")) {
            let number = |name: &str| read(&dir.join(name)).and_then(|v| v.trim().parse::<u64>().ok());
            // (v2 writes `max` for no limit, v1 a number near 2^63.)
            if let (Some(limit), Some(usage)) = (number(limit).filter(|&l| l < 1 << 60), number(usage)) {
                let left = limit.saturating_sub(usage);
                least = Some(least.map_or(left, |l| l.min(left)));
            }
        }
    }
    match (available, least) {
        (Some(a), Some(l)) => Some(a.min(l)),
        (a, l) => a.or(l),
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            inputs: Vec::new(),
            output: PathBuf::from("output"),
            threads: 0,
            dict: DictConfig::default(),
            normalize: NormalizeConfig::default(),
            segment: SegmentConfig::default(),
            tag: TagConfig::default(),
            cooccur: CooccurConfig::default(),
            graph: graph::GraphConfig::default(),
            strict: false,
            partial: false,
            shard: None,
            max_document: None,
        }
    }
}

impl Config {
    /// The stamp every output carries: version, dictionary fingerprint and every option that
    /// affects results (no paths, hosts or times).
    pub fn stamp(&self, dictionaries: u64) -> graph::Stamp {
        let (c, g) = (&self.cooccur, &self.graph);
        let kinds = |ks: &[Kind]| ks.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(",");
        let options = [
            ("window", c.window.as_str().to_string()),
            ("node-types", kinds(&c.node_types)),
            ("join-lines", self.normalize.join_lines.to_string()),
            ("weight", g.weight.as_str().to_string()),
            ("evidence", c.evidence.to_string()),
            ("min-weight", g.min_weight.map(export::float).unwrap_or_default()),
            ("min-frequency", g.min_frequency.to_string()),
            ("top", g.top.to_string()),
            ("from", g.from.clone().unwrap_or_default()),
            ("to", g.to.clone().unwrap_or_default()),
            ("types", kinds(&g.types)),
        ];
        graph::Stamp {
            version: env!("CARGO_PKG_VERSION").to_string(),
            dictionaries: format!("{dictionaries:016x}"),
            options: options.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
        }
    }
}

/// What a run did, for the summary and the exit code.
#[derive(Debug, Default)]
pub struct Report {
    /// Documents processed.
    pub documents: usize,
    /// Input bytes of those documents.
    pub bytes: usize,
    /// Bytes of all input files, known before reading (standard input not counted).
    pub expected_bytes: u64,
    /// Mentions per type.
    pub mentions: BTreeMap<&'static str, usize>,
    /// Events coded.
    pub events: usize,
    /// Nodes in the graph.
    pub nodes: usize,
    /// Edges in the graph.
    pub edges: usize,
    /// Inputs skipped, each with its reason.
    pub skipped: Vec<Error>,
    /// Damaged inputs read after mending, each with what was mended.
    pub repaired: Vec<Error>,
    /// Wall time.
    pub seconds: f64,
    /// Of which: loading dictionaries, jieba and building the automata.
    pub setup_seconds: f64,
    /// Files written.
    pub written: Vec<PathBuf>,
    /// Temporary files a killed run had left in the output folder, removed before this one.
    pub swept: usize,
}

impl Report {
    /// Input megabytes per second.
    pub fn mb_per_s(&self) -> f64 {
        self.bytes as f64 / 1e6 / self.seconds.max(1e-9)
    }

    /// Lists every mention type (zero where none) and stops the clock.
    pub fn finish(&mut self, started: Instant) {
        for k in Kind::ALL {
            self.mentions.entry(k.as_str()).or_default();
        }
        self.seconds = started.elapsed().as_secs_f64();
    }

    /// Input megabytes per second after setup (the rate a longer corpus approaches).
    pub fn mb_per_s_after_setup(&self) -> f64 {
        self.bytes as f64 / 1e6 / (self.seconds - self.setup_seconds).max(1e-9)
    }

    /// The run's figures as a partial carries them (and, by [`partial::Summary::report`], as
    /// the report page and run.json show them).
    fn summary(&self) -> partial::Summary {
        partial::Summary {
            documents: self.documents,
            bytes: self.bytes,
            skipped: self.skipped.len(),
            events: self.events,
            mentions: self.mentions.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
            lost: export::report::Losses::of(&self.skipped),
            mended: export::report::Losses::of(&self.repaired),
        }
    }
}

/// One document after every per-document stage.
pub struct Processed {
    /// The document's id.
    pub id: String,
    /// Its size.
    pub bytes: usize,
    /// Its mentions in document order.
    pub mentions: Vec<Mention>,
    /// The speaker of each turn.
    pub speakers: Vec<Option<String>>,
    /// Its co-occurrence counts.
    pub counts: cooccur::DocCounts,
    /// Its events.
    pub events: Vec<event::Event>,
    /// The encoding its file was decoded from.
    pub encoding: &'static str,
}

/// A document's stages that need no jieba: normalized, segmented, scanned by the automaton.
pub struct Prepared {
    norm: normalize::Normalized,
    seg: segment::Segments,
    scan: tag::Scan,
}

/// The stages that run once per document, built once per run.
pub struct Pipeline {
    /// The dictionaries.
    pub dicts: Dictionaries,
    /// The tagger.
    pub tagger: Tagger,
    /// The event coder.
    pub events: event::EventCoder,
    segmenter: Segmenter,
    cfg: Config,
}

impl Pipeline {
    /// Loads the dictionaries and builds the tagger.
    pub fn new(cfg: &Config) -> Result<Pipeline, Error> {
        Pipeline::build(cfg, Tagger::new)
    }

    /// [`Pipeline::new`] with a tagger that loads jieba's dictionary when first needed (see
    /// [`Tagger::without_jieba`]): ready in a sixth of the time, for [`Pipeline::prepare`].
    pub fn without_jieba(cfg: &Config) -> Result<Pipeline, Error> {
        Pipeline::build(cfg, Tagger::without_jieba)
    }

    fn build(cfg: &Config, tagger: impl FnOnce(&Dictionaries, &tag::TagConfig) -> Result<Tagger, Error> + Send) -> Result<Pipeline, Error> {
        let dicts = Dictionaries::load(&cfg.dict)?;
        // The event coder's automaton is built while the tagger's jieba and automaton are.
        let (tagger, events) = rayon::join(|| tagger(&dicts, &cfg.tag), || event::EventCoder::new(&dicts));
        let (tagger, events) = (tagger?, events?);
        Ok(Pipeline { dicts, tagger, events, segmenter: Segmenter::new(&cfg.segment), cfg: cfg.clone() })
    }

    /// Runs normalize → segment → tag → resolve → count on one document.
    pub fn process(&self, doc: &Document) -> Processed {
        self.process_with(doc, None)
    }

    /// [`Pipeline::process`], skipping evidence of the pairs the corpus totals so far have
    /// settled (see [`cooccur::count_with`]); the outputs are the same.
    pub fn process_with(&self, doc: &Document, settled: Option<&Settled>) -> Processed {
        self.process_prepared(doc, self.prepare(doc), settled)
    }

    /// The stages of `doc` that need no jieba: normalize, segment, the tagger's scan.
    pub fn prepare(&self, doc: &Document) -> Prepared {
        let norm = normalize::normalize(&doc.text, &self.cfg.normalize);
        let seg = self.segmenter.segment(&norm);
        let scan = self.tagger.scan(&norm.text, doc.year());
        Prepared { norm, seg, scan }
    }

    /// [`Pipeline::process_with`] from where [`Pipeline::prepare`] left `doc`.
    pub fn process_prepared(&self, doc: &Document, prepared: Prepared, settled: Option<&Settled>) -> Processed {
        let Prepared { norm, seg, scan } = prepared;
        let mentions = {
            // The raw hits go as soon as they are resolved (a large document's hits are a
            // tenth of its peak memory).
            let tagged = self.tagger.tag_scanned(&norm.text, scan);
            resolve::resolve(&self.dicts, doc, &norm, &seg, &tagged)
        };
        let speakers = resolve::speakers(&self.dicts, &norm, &seg, &mentions);
        let counts = cooccur::count_with(&self.dicts, doc, &norm, &seg, &mentions, &self.cfg.cooccur, settled);
        let events = self.events.code(&self.dicts, doc, &norm, &seg, &mentions, &speakers);
        Processed { id: doc.id.clone(), bytes: doc.bytes, mentions, speakers, counts, events, encoding: doc.encoding }
    }

    /// The stamp every output carries.
    pub fn stamp(&self) -> graph::Stamp {
        self.cfg.stamp(self.dicts.fingerprint)
    }
}

/// Documents per parallel batch: enough to keep every thread busy, few enough that memory
/// stays bounded by the batch, not the corpus. The byte bound is the one that holds memory
/// steady: with only a document bound, a batch of large documents (the corpus repeated, its
/// copies side by side) held twice the text of an average one.
const BATCH_DOCS: usize = 512;
const BATCH_BYTES: usize = 4 << 20;

/// Runs every stage over the corpus and writes the outputs into `cfg.output` (or, with
/// `cfg.partial`, a partial result for [`merge`]). The JSON Lines files list documents in
/// ascending id order, the order merges use (see [`partial`]).
pub fn run(cfg: &Config, mut progress: impl FnMut(&Report)) -> Result<Report, Error> {
    let started = Instant::now();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(cfg.threads)
        .build()
        .map_err(|e| Error::Usage(format!("cannot start {} threads: {e}", cfg.threads)))?;
    let mut report = Report::default();
    let mut seen_ids = SeenIds::default();
    // Loading jieba's dictionary keeps one thread busy for 0.1 s, six times what the automata
    // take. Meanwhile another builds the rest of the pipeline, lists the corpus, reads its
    // first batch and prepares its documents, which needs no jieba. (Whichever thread comes
    // first builds the pipeline: with one thread, jieba is loaded, then the pipeline built,
    // then the batch read, and nothing is prepared ahead.)
    let built = std::sync::OnceLock::new();
    let (setup, (mut corpus, first, prepared)) = pool.install(|| {
        rayon::join(
            || {
                let jieba = jieba_rs::Jieba::new();
                if let Ok(p) = built.get_or_init(|| Pipeline::without_jieba(cfg)) {
                    p.tagger.give_jieba(jieba);
                }
                started.elapsed().as_secs_f64()
            },
            || {
                let pipeline = built.get_or_init(|| Pipeline::without_jieba(cfg));
                let limit = cfg.max_document.or_else(|| memory_free().map(|free| free / 16));
                let corpus = read::corpus_beside(&cfg.inputs, Some(&cfg.output)).with_document_limit(limit);
                report.expected_bytes = corpus.total_bytes();
                let mut corpus = corpus.peekable();
                let first = next_batch(&mut corpus, cfg, &mut seen_ids, &mut report);
                let mut prepared = Vec::new();
                if let Ok(p) = pipeline {
                    // (A document whose preparing fails is done again, and named, with its batch.)
                    prepared.extend(first.iter().map_while(|d| (!p.tagger.jieba_loaded()).then(|| isolated(d, || p.prepare(d)).ok()).flatten()));
                }
                (corpus, first, prepared)
            },
        )
    });
    let pipeline = built.into_inner().expect("the pipeline is built during setup")?;
    report.setup_seconds = setup;
    let (swept, _held) = export::output_folder(&cfg.output)?;
    report.swept = swept;
    if cfg.partial {
        // A partial is complete when its partial.json is there: never next to newer lines.
        match std::fs::remove_file(cfg.output.join(partial::PARTIAL_JSON)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(Error::io(cfg.output.join(partial::PARTIAL_JSON), e)),
            _ => {}
        }
    }
    let mut lines = partial::DocLines::create(&cfg.output)?;
    let mut totals = Totals::new(cfg.cooccur.evidence);
    let mut settled = Settled::default();
    let mut event_agg = export::events::EventAgg::default();
    // A pipeline of batches: while the workers process one batch, one task reads the next and
    // folds the results of the one before (JSON lines out, counts added to the corpus's), so
    // that reading and the serial bookkeeping no longer leave the other threads idle. The
    // workers read only which pairs' evidence is settled, brought up to date between batches.
    let mut next = first;
    let mut prepared = prepared;
    let mut done: Option<Vec<Done>> = None;
    while !next.is_empty() {
        let batch = std::mem::take(&mut next);
        // The side task goes first on this thread (with one thread, the batch before is
        // folded and freed before the next is processed); other threads take up the batch.
        let (side, results) = pool.install(|| {
            rayon::join(
                || -> Result<_, Error> {
                    let noted = match done.take() {
                        Some(results) => Some(fold_batch(results, &pipeline.dicts, cfg, &mut lines, &mut totals, &mut event_agg, &mut report)?),
                        None => None,
                    };
                    Ok((noted, next_batch(&mut corpus, cfg, &mut seen_ids, &mut report)))
                },
                || process_batch(&pipeline, &batch, std::mem::take(&mut prepared), &settled),
            )
        });
        let (noted, read) = side?;
        if let Some(noted) = noted {
            settled.update(noted);
            report.seconds = started.elapsed().as_secs_f64();
            progress(&report);
        }
        next = read;
        let mut processed = Vec::with_capacity(results.len());
        for r in results {
            match r {
                Ok(d) => processed.push(d),
                Err(e) => report.skipped.push(e),
            }
        }
        done = (!processed.is_empty()).then_some(processed);
    }
    if cfg.strict && !(report.skipped.is_empty() && report.repaired.is_empty()) {
        let first = report.skipped.first().or(report.repaired.first()).expect("one or the other");
        return Err(Error::Strict { skipped: report.skipped.len() + report.repaired.len(), first: first.to_string() });
    }
    // The last batch's results, folded below: nothing runs beside that fold but what follows it.
    let mut last = done.unwrap_or_default();
    // (A partial that read nothing is still written: it carries its skips to the merge, and a
    // Spark partition or array task of bad records must not fail the whole job.)
    if !cfg.partial && report.documents == 0 && last.is_empty() && !report.skipped.is_empty() {
        return Err(Error::NothingRead { skipped: report.skipped.len(), first: report.skipped[0].to_string() });
    }
    if cfg.partial {
        pool.install(|| fold_batch(last, &pipeline.dicts, cfg, &mut lines, &mut totals, &mut event_agg, &mut report))?;
        let (written, docs) = lines.finish()?;
        report.written.extend(export::settle_all(written)?);
        report.nodes = totals.nodes.len();
        report.edges = totals.edges.len();
        report.written.push(partial::write_totals(&cfg.output, totals, event_agg)?);
        let manifest = partial::Manifest { header: partial::Header::new(&pipeline.stamp(), &cfg.tag), summary: report.summary(), docs };
        report.written.push(manifest.write(&cfg.output)?);
    } else {
        // The last fold's two halves each go on with what needs only their part: the lines
        // with the JSON Lines files and the event files, the counts with the graph. (Folded
        // first, the half with the lines idled while the counts were added, and the graph was
        // built beside the shorter event files.)
        let last_counts = take_counts(&mut last, cfg);
        let (dir, dicts, stamp) = (&cfg.output, &pipeline.dicts, pipeline.stamp());
        let event_stamp = stamp.clone();
        let (lines_side, g) = pool.install(|| {
            rayon::join(
                || -> Result<_, Error> {
                    write_batch_lines(&last, dicts, &mut lines, &mut event_agg, &mut report)?;
                    let (lines_written, _) = lines.finish()?;
                    Ok((lines_written, export::write_events(dir, &event_agg, dicts, &event_stamp)?))
                },
                || {
                    add_counts(last_counts, &mut totals, None);
                    graph::build(dicts, std::mem::take(&mut totals), stamp, &cfg.graph)
                },
            )
        });
        let summary = report.summary().report();
        let outputs = lines_side.and_then(|(lines_written, event_files)| {
            let (graph_files, nodes, edges) = pool.install(|| write_graph_of(dir, g, event_files, &summary))?;
            Ok((lines_written, graph_files, nodes, edges))
        });
        let (lines_written, written, nodes, edges) = outputs?;
        report.written.extend(export::settle_all(lines_written.into_iter().chain(written))?);
        (report.nodes, report.edges) = (nodes, edges);
        // The events by dyad took the main thread 0.04 s to free, after every file was in place.
        drop_beside(event_agg);
    }
    drop_beside((pipeline, settled, seen_ids));
    report.finish(started);
    Ok(report)
}

/// Frees `value` on a thread of its own. The graph (every timeline and evidence list) and the
/// pipeline (jieba's dictionary, the automata) took 0.05 s and 0.015 s to free, alone at the
/// very end of a run whose caller is usually about to exit.
fn drop_beside<T: Send + 'static>(value: T) {
    // A thread that cannot start drops the closure, and so the value, here.
    let _ = std::thread::Builder::new().name("drop".into()).spawn(move || drop(value));
}

/// The document ids read, each with where it was first read: a repeat names it (`x.txt` and
/// the `x.txt.gz` made of it, a record exported twice), which "seen before" alone left the
/// user to search a corpus for.
#[derive(Default)]
struct SeenIds {
    /// Id → its file (an index into `files`) and line.
    ids: std::collections::HashMap<String, (u32, Option<usize>)>,
    /// The files documents came from, each once (a file's documents come together).
    files: Vec<PathBuf>,
}

impl SeenIds {
    /// Where `doc`'s id was first read, if it was; else notes it and returns `None`.
    fn first_of(&mut self, doc: &Document) -> Option<String> {
        if self.files.last() != Some(&doc.path) {
            self.files.push(doc.path.clone());
        }
        let here = (self.files.len() as u32 - 1, doc.line);
        match self.ids.entry(doc.id.clone()) {
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(here);
                None
            }
            std::collections::hash_map::Entry::Occupied(o) => {
                let (file, line) = *o.get();
                let path = self.files[file as usize].display();
                Some(line.map_or_else(|| path.to_string(), |l| format!("{path}:{l}")))
            }
        }
    }
}

/// The next batch of documents from the corpus: skips recorded in the report, documents of
/// other shards and repeated ids left out.
fn next_batch(
    corpus: &mut impl Iterator<Item = Result<Document, Error>>,
    cfg: &Config,
    seen_ids: &mut SeenIds,
    report: &mut Report,
) -> Vec<Document> {
    let mut batch = Vec::new();
    let mut bytes = 0;
    while batch.len() < BATCH_DOCS && bytes < BATCH_BYTES {
        match corpus.next() {
            None => break,
            // A skip without a document id is reported by the first shard only.
            Some(Err(e)) if cfg.shard.is_none_or(|s| s.index == 0) => report.skipped.push(e),
            Some(Err(_)) => {}
            Some(Ok(doc)) if cfg.shard.is_some_and(|s| !s.takes(&doc.id)) => {}
            Some(Ok(doc)) => {
                if let Some(first) = seen_ids.first_of(&doc) {
                    report.skipped.push(Error::Input {
                        path: doc.path.clone(),
                        line: doc.line,
                        reason: format!("document id `{}` seen before, at {first}; skipped", doc.id),
                    });
                    continue;
                }
                if let Some(note) = &doc.repaired {
                    report.repaired.push(Error::Input { path: doc.path.clone(), line: doc.line, reason: note.clone() });
                }
                bytes += doc.bytes;
                batch.push(doc);
            }
        }
    }
    batch
}

/// Documents above this size have their JSON lines written straight into the files by the
/// folding task rather than held in memory beside their mentions (10 times their size).
const RENDER_IN_MEMORY_BYTES: usize = 4 << 20;

/// A processed document and, but for a large one, its rendered mention and event lines.
type Done = (Processed, Option<(Vec<u8>, Vec<u8>)>);

/// Every per-document stage over a batch, in parallel, from where `prepared` left its first
/// documents; each worker also renders its document's JSON lines, so the task that writes
/// them in order only copies bytes.
fn process_batch(pipeline: &Pipeline, batch: &[Document], prepared: Vec<Prepared>, settled: &Settled) -> Vec<Result<Done, Error>> {
    let mut prepared: Vec<Option<Prepared>> = prepared.into_iter().map(Some).collect();
    prepared.resize_with(batch.len(), || None);
    batch
        .par_iter()
        .zip(prepared)
        // One document per task: rayon's default splits left runs of documents that one
        // thread worked through while the other had nothing left to take at a batch's end.
        .with_max_len(1)
        .map(|(d, prepared)| {
            isolated(d, || {
                let p = match prepared {
                    Some(prepared) => pipeline.process_prepared(d, prepared, Some(settled)),
                    None => pipeline.process_with(d, Some(settled)),
                };
                if p.bytes > RENDER_IN_MEMORY_BYTES {
                    return (p, None);
                }
                let (mut m, mut e) = (Vec::new(), Vec::new());
                write_lines(&mut m, &mut e, &pipeline.dicts, &p).expect("writing JSON lines to memory");
                (p, Some((m, e)))
            })
        })
        .collect()
}

/// Runs `work` on `doc`, a panic in it (a bug of ours that some document brings out) turned
/// into that document's skip: a run of hours over a corpus lost everything to one document.
/// The panic's own message, with where it happened, is on stderr already (the default hook).
/// Nothing shared is left half-changed: the workers only read the pipeline and the settled
/// table, and each document's results are its own.
fn isolated<T>(doc: &Document, work: impl FnOnce() -> T) -> Result<T, Error> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)).map_err(|panic| {
        let what = panic.downcast_ref::<&str>().copied().or(panic.downcast_ref::<String>().map(String::as_str)).unwrap_or("a panic");
        Error::Input {
            path: doc.path.clone(),
            line: doc.line,
            reason: format!("internal error, document `{}` skipped (please report it): {what}", doc.id),
        }
    })
}

fn write_lines(m: &mut impl std::io::Write, e: &mut impl std::io::Write, dicts: &Dictionaries, p: &Processed) -> std::io::Result<()> {
    mention_lines(m, dicts, p)?;
    event::write(e, &p.id, &p.events)
}

/// A processed document's `mentions.jsonl` lines.
fn mention_lines(w: &mut impl std::io::Write, dicts: &Dictionaries, p: &Processed) -> std::io::Result<()> {
    export::mentions::write(w, dicts, &p.id, p.encoding, &p.mentions, &p.speakers)
}

/// Writes a processed batch's JSON lines in document order, adds its events and figures to
/// the run's and its counts to `totals`; returns what the counts settled (for [`Settled`]).
fn fold_batch(
    mut results: Vec<Done>,
    dicts: &Dictionaries,
    cfg: &Config,
    lines: &mut partial::DocLines,
    totals: &mut Totals,
    event_agg: &mut export::events::EventAgg,
    report: &mut Report,
) -> Result<Vec<(cooccur::PairKey, Arc<str>)>, Error> {
    // The counts are added while the lines are written: two independent halves.
    let counts = take_counts(&mut results, cfg);
    let (written, noted) = rayon::join(
        || write_batch_lines(&results, dicts, lines, event_agg, report),
        || {
            let mut noted = Vec::new();
            add_counts(counts, totals, Some(&mut noted));
            noted
        },
    );
    written?;
    Ok(noted)
}

/// The counts of a processed batch's documents (those of the dates the graph keeps).
fn take_counts(results: &mut [Done], cfg: &Config) -> Vec<cooccur::DocCounts> {
    results.iter_mut().filter(|(p, _)| cfg.graph.keeps_date(p.counts.date.as_deref())).map(|(p, _)| std::mem::take(&mut p.counts)).collect()
}

/// Adds `counts` to `totals`, noting what they settled in `noted` if given.
fn add_counts(counts: Vec<cooccur::DocCounts>, totals: &mut Totals, mut noted: Option<&mut Vec<(cooccur::PairKey, Arc<str>)>>) {
    for c in counts {
        match noted.as_deref_mut() {
            Some(noted) => totals.add_noting(c, noted),
            None => totals.add(c),
        }
    }
}

/// Writes a processed batch's JSON lines in document order and adds its events and figures to
/// the run's.
fn write_batch_lines(
    results: &[Done],
    dicts: &Dictionaries,
    lines: &mut partial::DocLines,
    event_agg: &mut export::events::EventAgg,
    report: &mut Report,
) -> Result<(), Error> {
    for (p, rendered) in results {
        match rendered {
            Some((m, e)) => lines.push(&p.id, m, e)?,
            None => lines.push_with(&p.id, |w| mention_lines(w, dicts, p), |w| event::write(w, &p.id, &p.events))?,
        }
        report.events += p.events.len();
        event_agg.add(&p.id, &p.events);
        for m in &p.mentions {
            *report.mentions.entry(m.kind.as_str()).or_default() += 1;
        }
        report.documents += 1;
        report.bytes += p.bytes;
    }
    Ok(())
}

/// Writes every output made from corpus totals into `dir` — the graph exports and the event
/// layer, all but the two JSON Lines files — for `extract` and `merge` alike. Returns the files,
/// being made durable, to be put in place together by [`export::settle_all`], and the graph's node and edge
/// counts.
pub fn write_outputs(
    dir: &Path,
    dicts: &Dictionaries,
    stamp: graph::Stamp,
    graph_cfg: &graph::GraphConfig,
    totals: Totals,
    event_agg: &export::events::EventAgg,
    summary: &export::report::Summary,
) -> Result<(Vec<export::Settling>, usize, usize), Error> {
    // The event layer's files do not need the graph: they are written while it is built.
    let event_stamp = stamp.clone();
    let (g, event_files) =
        rayon::join(|| graph::build(dicts, totals, stamp, graph_cfg), || export::write_events(dir, event_agg, dicts, &event_stamp));
    write_graph_of(dir, g, event_files?, summary)
}

/// Writes the graph's files into `dir` after the event files written already; returns all of
/// them and the graph's node and edge counts.
fn write_graph_of(
    dir: &Path,
    g: graph::CoGraph,
    event_files: Vec<export::Settling>,
    summary: &export::report::Summary,
) -> Result<(Vec<export::Settling>, usize, usize), Error> {
    let written = export::write_graph(dir, &g, summary).map(|mut w| {
        w.extend(event_files);
        w
    });
    let (nodes, edges) = (g.graph.node_count(), g.graph.edge_count());
    drop_beside(g);
    Ok((written?, nodes, edges))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_free_is_read_on_linux() {
        if cfg!(target_os = "linux") {
            let total: u64 = std::fs::read_to_string("/proc/meminfo").unwrap().lines().find_map(|l| l.strip_prefix("MemTotal:")).unwrap().trim().trim_end_matches("kB").trim().parse().unwrap();
            let free = memory_free().expect("MemAvailable");
            assert!(free > 0 && free <= total * 1024, "{free} of {total} kB");
        }
    }

    #[test]
    fn a_panic_on_one_document_is_its_skip() {
        let mut doc = Document::from_text("2024-03-07_wang-yi", "中方愿同俄方一道。", Some("2024-03-07"));
        (doc.path, doc.line) = (PathBuf::from("corpus.jsonl"), Some(12));
        assert_eq!(isolated(&doc, || 7).ok(), Some(7));
        let err = isolated(&doc, || -> usize { panic!("index out of bounds: the len is 3 but the index is 5") }).unwrap_err();
        assert_eq!(
            err.to_string(),
            "corpus.jsonl:12: internal error, document `2024-03-07_wang-yi` skipped (please report it): index out of bounds: the len is 3 but the index is 5"
        );
        let err = isolated(&doc, || -> usize { panic!("{} of {}", 1, 2) }).unwrap_err();
        assert!(err.to_string().ends_with("(please report it): 1 of 2"), "{err}");
    }
}
