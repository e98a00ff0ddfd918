//! merge: folds partial results of `extract --partial` into the final outputs, or into
//! another partial for a tree of merges.
//!
//! It takes any number of partial folders (see [`crate::partial`]), checks that they were made
//! by the same diplograph, format, dictionaries and options and that no document id is in two
//! of them, then writes `mentions.jsonl` and `events.jsonl` by interleaving the partials'
//! lines in ascending document id order (a byte copy, no JSON parsing), and sums their
//! aggregates. Every aggregate is a sum, a min/max or "the first K by document id", so the
//! result does not depend on the order of the partials nor on how they were grouped: any split
//! of a corpus, merged in any order or as a tree, gives the bytes one `extract` over the whole
//! corpus gives. The options of the final outputs are those recorded in the partials; only the
//! dictionaries must be given again (the same `--dict` folders), since partials record their
//! fingerprint, not their paths.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::cooccur::Window;
use crate::dict::{DictConfig, Dictionaries, Kind};
use crate::error::Error;
use crate::export::Output;
use crate::graph::WeightBy;
use crate::partial::{self, DocEntry, Header, Manifest};
use crate::{Config, Report};

/// What a merge needs to know.
#[derive(Clone, Debug, Default)]
pub struct MergeConfig {
    /// Partial folders, in any order.
    pub partials: Vec<PathBuf>,
    /// Output folder.
    pub output: PathBuf,
    /// Write a partial (for a further merge) instead of the final outputs.
    pub partial: bool,
    /// The dictionaries the partials were made with (checked against their fingerprint).
    pub dict: DictConfig,
}

fn bad(dir: &Path, reason: String) -> Error {
    Error::Input { path: dir.to_path_buf(), line: None, reason }
}

/// The run configuration a partial's header records, checked by recomputing its stamp.
pub fn config_of(header: &Header) -> Result<Config, String> {
    let get = |k: &str| {
        header.options.iter().find(|(x, _)| x == k).map(|(_, v)| v.as_str()).ok_or_else(|| format!("option {k} missing"))
    };
    let kinds = |k: &str| -> Result<Vec<Kind>, String> {
        let v = get(k)?;
        if v.is_empty() {
            return Ok(Vec::new());
        }
        v.split(',').map(|t| Kind::parse(t).ok_or_else(|| format!("{k}: unknown type `{t}`"))).collect()
    };
    let num = |k: &str| get(k)?.parse::<u64>().map_err(|_| format!("{k}: not a number"));
    let text = |k: &str| get(k).map(|v| (!v.is_empty()).then(|| v.to_string()));
    let mut cfg = Config::default();
    cfg.cooccur.window = Window::parse(get("window")?).ok_or("unknown window")?;
    cfg.cooccur.node_types = kinds("node-types")?;
    cfg.normalize.join_lines = get("join-lines")? == "true";
    cfg.graph.weight = WeightBy::parse(get("weight")?).ok_or("unknown weight")?;
    cfg.cooccur.evidence = num("evidence")? as usize;
    cfg.graph.min_weight = text("min-weight")?.map(|v| v.parse::<f64>()).transpose().map_err(|_| "min-weight: not a number")?;
    cfg.graph.min_frequency = num("min-frequency")?;
    cfg.graph.top = num("top")? as usize;
    cfg.graph.from = text("from")?;
    cfg.graph.to = text("to")?;
    cfg.graph.types = kinds("types")?;
    for (k, v) in &header.pipeline {
        match k.as_str() {
            "word-boundaries" => cfg.tag.word_boundaries = v == "true",
            "figures" => cfg.tag.figures = v == "true",
            _ => return Err(format!("unknown option {k}")),
        }
    }
    let fingerprint = u64::from_str_radix(&header.dictionaries, 16).map_err(|_| "bad dictionary fingerprint".to_string())?;
    if cfg.stamp(fingerprint) != header.stamp() {
        return Err(format!("options this diplograph cannot reproduce: {}", header.stamp().line()));
    }
    Ok(cfg)
}

/// Merges the partials of `cfg.partials` into `cfg.output`.
pub fn run(cfg: &MergeConfig) -> Result<Report, Error> {
    let started = Instant::now();
    if cfg.partials.is_empty() {
        return Err(Error::Usage("merge: no partial folders given".into()));
    }
    let dirs = &cfg.partials;
    let manifests = dirs.iter().map(|d| Manifest::read(d)).collect::<Result<Vec<_>, _>>()?;
    let header = manifests[0].header.clone();
    for (dir, m) in dirs.iter().zip(&manifests).skip(1) {
        if let Some(diff) = header.difference(&m.header) {
            return Err(bad(
                dir,
                format!(
                    "cannot merge with partial {}: {diff}; partials merge only when made by the same diplograph with the same dictionaries and options",
                    dirs[0].display()
                ),
            ));
        }
    }
    // The documents of every partial, in global id order; each partial's in its own order.
    let mut all: Vec<(&DocEntry, usize)> = Vec::new();
    for (i, (dir, m)) in dirs.iter().zip(&manifests).enumerate() {
        if let Some(w) = m.docs.windows(2).find(|w| w[0].0 >= w[1].0) {
            return Err(bad(dir, format!("documents out of order (`{}` before `{}`): not a partial of this format", w[0].0, w[1].0)));
        }
        for (name, len) in [(partial::MENTIONS, m.docs.iter().map(|d| d.1).sum::<u64>()), (partial::EVENTS, m.docs.iter().map(|d| d.2).sum())] {
            let path = dir.join(name);
            let size = std::fs::metadata(&path).map_err(|e| Error::io(&path, e))?.len();
            if size != len {
                return Err(bad(dir, format!("{name} has {size} bytes, its {} lists {len}: incomplete or altered", partial::PARTIAL_JSON)));
            }
        }
        all.extend(m.docs.iter().map(|d| (d, i)));
    }
    all.sort_unstable_by(|a, b| a.0 .0.cmp(&b.0 .0).then(a.1.cmp(&b.1)));
    if let Some(w) = all.windows(2).find(|w| w[0].0 .0 == w[1].0 .0) {
        let (a, b) = (dirs[w[0].1].display(), dirs[w[1].1].display());
        let reason = format!("document id `{}` is in two partials, {a} and {b}; each document may be in one partial only", w[0].0 .0);
        return Err(Error::Usage(format!("merge: {reason}")));
    }
    // The dictionaries and options of the final outputs, checked before anything is written.
    let finals = if cfg.partial {
        None
    } else {
        let run_cfg = config_of(&header).map_err(|r| bad(&dirs[0], r))?;
        let dicts = Dictionaries::load(&cfg.dict)?;
        let fingerprint = format!("{:016x}", dicts.fingerprint);
        if fingerprint != header.dictionaries {
            return Err(Error::Usage(format!(
                "merge: the partials were made with dictionaries {}, the dictionaries given here are {fingerprint}; pass the --dict folders (and --no-default-dict) the extract runs had",
                header.dictionaries
            )));
        }
        Some((run_cfg, dicts))
    };
    let out = &cfg.output;
    let (swept, _held) = crate::export::output_folder(out)?;
    let out_canon = std::fs::canonicalize(out).map_err(|e| Error::io(out, e))?;
    if let Some(dir) = dirs.iter().find(|d| std::fs::canonicalize(d).is_ok_and(|c| c == out_canon)) {
        return Err(Error::Usage(format!("merge: the output folder {} is one of the partials", dir.display())));
    }
    if cfg.partial {
        match std::fs::remove_file(out.join(partial::PARTIAL_JSON)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(Error::io(out.join(partial::PARTIAL_JSON), e)),
            _ => {}
        }
    }
    let mut report = Report { swept, ..Report::default() };
    for (name, field) in [(partial::MENTIONS, 1), (partial::EVENTS, 2)] {
        let mut readers = Vec::with_capacity(dirs.len());
        for dir in dirs {
            let path = dir.join(name);
            readers.push(BufReader::with_capacity(1 << 16, File::open(&path).map_err(|e| Error::io(&path, e))?));
        }
        let mut w = Output::create(out, name)?;
        for (d, i) in &all {
            let len = if field == 1 { d.1 } else { d.2 };
            let copied = std::io::copy(&mut (&mut readers[*i]).take(len), w.writer()).map_err(|e| Error::io(dirs[*i].join(name), e))?;
            if copied != len {
                return Err(bad(&dirs[*i], format!("{name} ends early")));
            }
        }
        report.written.push(w.finish()?);
    }
    let mut summary = partial::Summary::default();
    manifests.iter().for_each(|m| summary.merge(&m.summary));
    let (mut totals, mut events) = partial::read_totals(&dirs[0])?;
    for dir in &dirs[1..] {
        let (t, e) = partial::read_totals(dir)?;
        totals.merge(t);
        events.merge(e);
    }
    report.documents = summary.documents;
    report.bytes = summary.bytes;
    report.events = summary.events;
    report.mentions = summary.report().mentions;
    match finals {
        None => {
            report.nodes = totals.nodes.len();
            report.edges = totals.edges.len();
            report.written.push(partial::write_totals(out, totals, events)?);
            let docs = all.into_iter().map(|(d, _)| d.clone()).collect();
            report.written.push(Manifest { header, summary, docs }.write(out)?);
        }
        Some((run_cfg, dicts)) => {
            let (written, nodes, edges) =
                crate::write_outputs(out, &dicts, header.stamp(), &run_cfg.graph, totals, &events, &summary.report())?;
            report.written.extend(crate::export::settle_all(written)?);
            (report.nodes, report.edges) = (nodes, edges);
        }
    }
    report.finish(started);
    Ok(report)
}
