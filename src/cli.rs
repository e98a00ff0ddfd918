//! cli: turns command-line arguments into a [`Config`]; checks them, builds nothing.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use diplograph::cooccur::Window;
use diplograph::dict::Kind;
use diplograph::graph::WeightBy;
use diplograph::{Config, Error};

/// diplograph: diplomatic transcripts in, entity graphs out.
#[derive(Parser, Debug)]
#[command(version, about, long_about = None)]
pub struct Cli {
    /// What to do; with none, `extract` runs on the bundled sample.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Tag a corpus and write mentions.jsonl, events.jsonl and the graph exports (graph.graphml,
    /// graph.gexf, graph.json, nodes.csv, edges.csv, evidence.jsonl, run.json, report.html).
    Extract(ExtractArgs),
    /// Fold partial results (`extract --partial`) into the final outputs, or with --partial into
    /// another partial; any order or tree of merges gives the bytes of one run.
    Merge(MergeArgs),
    /// Curator tools for the dictionaries (`dict check [DIR]`).
    Dict(crate::cmd::dict::DictArgs),
    /// Frequent names the dictionaries miss, ranked, as TSV rows ready to paste.
    Discover(crate::cmd::discover::DiscoverArgs),
}

/// Options of `extract`.
#[derive(Args, Debug, Default)]
pub struct ExtractArgs {
    /// Text files, folders (recursively, *.txt and *.jsonl, any case, gzipped or not), JSON
    /// Lines files (id, text, date, title) or .json arrays of such records, or - for standard
    /// input.
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// Output folder.
    #[arg(short, long, default_value = "output")]
    pub output: PathBuf,
    /// Worker threads (0 = one per core).
    #[arg(short = 'j', long, default_value_t = 0)]
    pub threads: usize,
    /// A folder of dictionary files added on top of the defaults (repeatable).
    #[arg(long = "dict", value_name = "DIR")]
    pub dict: Vec<PathBuf>,
    /// Use only the --dict folders, not the embedded defaults.
    #[arg(long)]
    pub no_default_dict: bool,
    /// Co-occurrence window: sentence, paragraph, turn or document.
    #[arg(long, default_value = "sentence")]
    pub window: String,
    /// Mention types that become nodes, comma-separated (add `figure` for figures).
    #[arg(long, default_value = "country,region,leader,organization")]
    pub node_types: String,
    /// Which measure is an edge's `weight`: windows, pmi (written as exp(pmi)), npmi (written as
    /// (npmi+1)/2) or jaccard; the raw values are always attributes.
    #[arg(long, default_value = "windows")]
    pub weight: String,
    /// Example sentences per edge in evidence.jsonl [default: 3].
    #[arg(long, value_name = "K")]
    pub evidence: Option<usize>,
    /// Leave out edges whose raw --weight measure is below this.
    #[arg(long, value_name = "X")]
    pub min_weight: Option<f64>,
    /// Leave out nodes with fewer mentions.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub min_frequency: u64,
    /// Keep only the N most mentioned nodes (ties by id).
    #[arg(long, value_name = "N")]
    pub top: Option<usize>,
    /// Count only documents dated on or after YYYY-MM-DD in the graph.
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    /// Count only documents dated on or before YYYY-MM-DD in the graph.
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,
    /// Node types kept in the graph, comma-separated (default: all of --node-types).
    #[arg(long)]
    pub types: Option<String>,
    /// Treat every line as a paragraph (no joining of hard-wrapped lines).
    #[arg(long)]
    pub no_join: bool,
    /// Fail, writing nothing, if any input is skipped.
    #[arg(long)]
    pub strict: bool,
    /// Skip, unread, a text document larger than this (default: a sixteenth of the memory
    /// free, as a document takes 10 to 13 times its size while it is processed).
    #[arg(long, value_name = "MB")]
    pub max_document: Option<f64>,
    /// Write a partial result (mentions, events and aggregates) for `merge` instead of the
    /// final files.
    #[arg(long)]
    pub partial: bool,
    /// Take only shard I of N (0 <= I < N) of the documents, by a stable hash of the id.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<String>,
    /// Print nothing but errors.
    #[arg(short, long)]
    pub quiet: bool,
}

/// Options of `merge`.
#[derive(Args, Debug, Default)]
pub struct MergeArgs {
    /// Partial folders written by `extract --partial` or `merge --partial`.
    #[arg(required = true)]
    pub partials: Vec<PathBuf>,
    /// Output folder.
    #[arg(short, long, default_value = "output")]
    pub output: PathBuf,
    /// Write a partial (for a further merge) instead of the final outputs.
    #[arg(long)]
    pub partial: bool,
    /// The --dict folders the partials were made with (repeatable).
    #[arg(long = "dict", value_name = "DIR")]
    pub dict: Vec<PathBuf>,
    /// The partials were made with --no-default-dict.
    #[arg(long)]
    pub no_default_dict: bool,
    /// Print nothing but errors.
    #[arg(short, long)]
    pub quiet: bool,
}

impl MergeArgs {
    /// Turns the options into a merge configuration.
    pub fn config(&self) -> diplograph::merge::MergeConfig {
        let mut cfg = diplograph::merge::MergeConfig {
            partials: self.partials.clone(),
            output: self.output.clone(),
            partial: self.partial,
            ..Default::default()
        };
        cfg.dict.extra = self.dict.clone();
        cfg.dict.no_defaults = self.no_default_dict;
        cfg
    }
}

impl ExtractArgs {
    /// Checks the options and turns them into a run configuration.
    pub fn config(&self) -> Result<Config, Error> {
        let mut cfg = Config { inputs: self.inputs.clone(), output: self.output.clone(), threads: self.threads, strict: self.strict, ..Config::default() };
        cfg.partial = self.partial;
        // Thousands of threads (a typo, or a thread per file) hung the run for ever: the
        // threads past the system's memory maps panic as they start, and the pool waits for them.
        if self.threads > MAX_THREADS {
            let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
            return Err(Error::Usage(format!(
                "-j {}: at most {MAX_THREADS} threads (this machine has {cores} cores; 0 takes one per core, and the output is the same whatever the number)",
                self.threads
            )));
        }
        if let Some(mb) = self.max_document {
            if !(mb.is_finite() && mb > 0.0) {
                return Err(Error::Usage(format!("--max-document {mb}: expected a size in MB above 0")));
            }
            cfg.max_document = Some((mb * 1e6) as u64);
        }
        if let Some(s) = &self.shard {
            let shard = diplograph::partial::Shard::parse(s)
                .ok_or_else(|| Error::Usage(format!("--shard {s}: expected I/N with 0 <= I < N, e.g. 0/8")))?;
            cfg.shard = Some(shard);
        }
        cfg.dict.extra = self.dict.clone();
        cfg.dict.no_defaults = self.no_default_dict;
        if cfg.dict.no_defaults && cfg.dict.extra.is_empty() {
            return Err(Error::Usage("--no-default-dict needs at least one --dict DIR".into()));
        }
        cfg.cooccur.window = Window::parse(&self.window)
            .ok_or_else(|| Error::Usage(format!("--window {}: expected sentence, paragraph, turn or document", self.window)))?;
        cfg.cooccur.node_types = self
            .node_types
            .split(',')
            .map(|t| Kind::parse(t.trim()).ok_or_else(|| Error::Usage(format!("--node-types: unknown type `{t}`"))))
            .collect::<Result<_, _>>()?;
        cfg.normalize.join_lines = !self.no_join;
        let weight = if self.weight.is_empty() { "windows" } else { self.weight.as_str() };
        cfg.graph.weight = WeightBy::parse(weight)
            .ok_or_else(|| Error::Usage(format!("--weight {weight}: expected windows, pmi, npmi or jaccard")))?;
        cfg.cooccur.evidence = self.evidence.unwrap_or(3);
        if let Some(w) = self.min_weight {
            if !w.is_finite() {
                return Err(Error::Usage(format!("--min-weight {w}: expected a number")));
            }
        }
        cfg.graph.min_weight = self.min_weight;
        cfg.graph.min_frequency = self.min_frequency;
        cfg.graph.top = self.top.unwrap_or(0);
        for (flag, d) in [("--from", &self.from), ("--to", &self.to)] {
            if let Some(d) = d {
                if diplograph::read::date_from_name(d).as_deref() != Some(d.as_str()) {
                    return Err(Error::Usage(format!("{flag} {d}: expected YYYY-MM-DD")));
                }
            }
        }
        if let (Some(from), Some(to)) = (&self.from, &self.to) {
            if from > to {
                return Err(Error::Usage(format!("--from {from} is after --to {to}: no document would be counted")));
            }
        }
        cfg.graph.from = self.from.clone();
        cfg.graph.to = self.to.clone();
        if let Some(types) = &self.types {
            cfg.graph.types = types
                .split(',')
                .map(|t| Kind::parse(t.trim()).ok_or_else(|| Error::Usage(format!("--types: unknown type `{t}`"))))
                .collect::<Result<_, _>>()?;
        }
        Ok(cfg)
    }
}

/// The most worker threads `-j` takes.
const MAX_THREADS: usize = 1024;

/// The bundled sample corpus: `tests/fixtures/sample` of the source tree.
pub fn sample_dir() -> PathBuf {
    let here = PathBuf::from("tests/fixtures/sample");
    if here.is_dir() {
        here
    } else {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sample")
    }
}
