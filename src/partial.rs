//! partial: a run's result in a form that merges — for corpora split between machines, job
//! arrays (`extract --shard I/N`) or Spark executors.
//!
//! `extract --partial` writes, instead of the final files, a folder of four:
//!
//! | file | what |
//! | --- | --- |
//! | `mentions.jsonl`, `events.jsonl` | the final lines, documents in ascending id order |
//! | `totals.json` | the corpus aggregates: [`Totals`] and [`EventAgg`] |
//! | `partial.json` | the [`Header`] (format, diplograph version, dictionary fingerprint, every option that affects results), the run's [`Summary`] figures and the document list (id, bytes of its mention lines, bytes of its event lines) |
//!
//! `partial.json` is written last, so a folder without it is not a partial. Every aggregate is
//! a sum, a min/max or "the first K by document id", and the lines are kept in document id
//! order, so [`crate::merge`] can fold partials in any order or tree and give what one run over
//! the whole corpus gives, byte for byte. That is why a single run, too, writes its JSON Lines
//! files in ascending document id order (byte order of the UTF-8 ids), whatever the order the
//! inputs were read in: [`DocLines`] spools them and reorders them at the end when needed.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::cooccur::{EdgeTotal, Evidence, NodeTotal, Totals};
use crate::dict::{Fnv, Kind};
use crate::error::Error;
use crate::export::events::{EdgeAgg, EventAgg};
use crate::export::Settling;
use crate::graph::Stamp;
use crate::tag::TagConfig;

/// The name of the format, first in every `partial.json`.
pub const FORMAT: &str = "diplograph-partial";
/// The version of the format; a partial of another version is refused.
pub const FORMAT_VERSION: u32 = 1;
/// The header and document list of a partial.
pub const PARTIAL_JSON: &str = "partial.json";
/// The aggregates of a partial.
pub const TOTALS_JSON: &str = "totals.json";
/// The mention lines (also the final file's name).
pub const MENTIONS: &str = "mentions.jsonl";
/// The event lines (also the final file's name).
pub const EVENTS: &str = "events.jsonl";

/// One of N stable shards of a corpus: the documents whose id's FNV-1a hash is `index` mod
/// `count`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// Which shard, from 0.
    pub index: u64,
    /// How many.
    pub count: u64,
}

impl Shard {
    /// Parses `I/N` with `0 <= I < N`.
    pub fn parse(s: &str) -> Option<Shard> {
        let (i, n) = s.split_once('/')?;
        let (index, count) = (i.trim().parse().ok()?, n.trim().parse().ok()?);
        (index < count).then_some(Shard { index, count })
    }

    /// The shard a document id falls in, of `count`.
    pub fn of(id: &str, count: u64) -> u64 {
        let mut h = Fnv::default();
        h.write(id.as_bytes());
        h.finish() % count.max(1)
    }

    /// Whether this shard takes the document `id`.
    pub fn takes(&self, id: &str) -> bool {
        Shard::of(id, self.count) == self.index
    }
}

/// What made a partial; partials merge only when their headers are equal.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Header {
    /// [`FORMAT`].
    pub format: String,
    /// [`FORMAT_VERSION`].
    pub format_version: u32,
    /// diplograph's version.
    pub diplograph: String,
    /// Fingerprint of the dictionaries, hex.
    pub dictionaries: String,
    /// The stamp's options, in its order.
    pub options: Vec<(String, String)>,
    /// Options that affect results but are not on the command line (tagger settings).
    pub pipeline: Vec<(String, String)>,
}

impl Header {
    /// The header of a run with this stamp and tagger.
    pub fn new(stamp: &Stamp, tag: &TagConfig) -> Header {
        Header {
            format: FORMAT.into(),
            format_version: FORMAT_VERSION,
            diplograph: stamp.version.clone(),
            dictionaries: stamp.dictionaries.clone(),
            options: stamp.options.clone(),
            pipeline: vec![
                ("word-boundaries".into(), tag.word_boundaries.to_string()),
                ("figures".into(), tag.figures.to_string()),
            ],
        }
    }

    /// The stamp the final outputs carry.
    pub fn stamp(&self) -> Stamp {
        Stamp { version: self.diplograph.clone(), dictionaries: self.dictionaries.clone(), options: self.options.clone() }
    }

    /// Why `other` cannot merge with this one, naming the first difference; `None` if it can.
    pub fn difference(&self, other: &Header) -> Option<String> {
        if (&self.format, self.format_version) != (&other.format, other.format_version) {
            return Some(format!("format {} {} vs {} {}", self.format, self.format_version, other.format, other.format_version));
        }
        if self.diplograph != other.diplograph {
            return Some(format!("diplograph {} vs {}", self.diplograph, other.diplograph));
        }
        if self.dictionaries != other.dictionaries {
            return Some(format!("dictionaries {} vs {}", self.dictionaries, other.dictionaries));
        }
        for (a, b) in [(&self.options, &other.options), (&self.pipeline, &other.pipeline)] {
            let differs = |(k, v): &(String, String)| b.iter().find(|(k2, _)| k2 == k).is_none_or(|(_, v2)| v2 != v);
            if let Some((k, v)) = a.iter().find(|kv| differs(kv)) {
                let v2 = b.iter().find(|(k2, _)| k2 == k).map_or("(none)", |(_, v)| v.as_str());
                return Some(format!("option {k}={v} vs {k}={v2}"));
            }
            if a.len() != b.len() {
                return Some(format!("options {a:?} vs {b:?}"));
            }
        }
        None
    }
}

/// The figures of a run that the final report shows beside the graph.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Documents read.
    pub documents: usize,
    /// Their input bytes.
    pub bytes: usize,
    /// Inputs skipped.
    pub skipped: usize,
    /// Events coded.
    pub events: usize,
    /// Mentions per type (types with none left out).
    pub mentions: BTreeMap<String, usize>,
    /// The inputs skipped, and why (a partial written before these lists has none).
    #[serde(default)]
    pub lost: crate::export::report::Losses,
    /// The inputs mended, and how.
    #[serde(default)]
    pub mended: crate::export::report::Losses,
}

impl Summary {
    /// Adds the figures of another run.
    pub fn merge(&mut self, o: &Summary) {
        self.documents += o.documents;
        self.bytes += o.bytes;
        self.skipped += o.skipped;
        self.events += o.events;
        for (k, v) in &o.mentions {
            *self.mentions.entry(k.clone()).or_default() += v;
        }
        self.lost.merge(&o.lost);
        self.mended.merge(&o.mended);
    }

    /// The report page's figures.
    pub fn report(&self) -> crate::export::report::Summary {
        crate::export::report::Summary {
            documents: self.documents,
            skipped: self.skipped,
            mentions: self.mentions.iter().filter_map(|(k, v)| Some((Kind::parse(k)?.as_str(), *v))).collect(),
            events: self.events,
            lost: self.lost.clone(),
            mended: self.mended.clone(),
        }
    }
}

/// One document of a partial: its id and the bytes of its lines in the two JSON Lines files.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocEntry(pub String, pub u64, pub u64);

/// `partial.json`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Manifest {
    /// What made it.
    pub header: Header,
    /// Its figures.
    pub summary: Summary,
    /// Its documents in ascending id order.
    pub docs: Vec<DocEntry>,
}

#[derive(Deserialize)]
struct HeaderOnly {
    header: serde_json::Value,
}

impl Manifest {
    /// Reads `dir/partial.json`, refusing another format or version with a clear message.
    pub fn read(dir: &Path) -> Result<Manifest, Error> {
        let path = dir.join(PARTIAL_JSON);
        let bad = |reason: String| Error::Input { path: dir.to_path_buf(), line: None, reason };
        let bytes = std::fs::read(&path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => bad(format!("not a partial (no {PARTIAL_JSON}; was it written by `extract --partial`, and did it finish?)")),
            _ => Error::io(&path, e),
        })?;
        match serde_json::from_slice::<Manifest>(&bytes) {
            Ok(m) if m.header.format == FORMAT && m.header.format_version == FORMAT_VERSION => Ok(m),
            Ok(m) => Err(bad(format!(
                "partial format {} {} made by diplograph {}; this diplograph {} reads {FORMAT} {FORMAT_VERSION} only",
                m.header.format,
                m.header.format_version,
                m.header.diplograph,
                env!("CARGO_PKG_VERSION")
            ))),
            Err(e) => Err(bad(match serde_json::from_slice::<HeaderOnly>(&bytes) {
                Ok(h) => format!(
                    "partial made by diplograph {} (format {} {}); this diplograph {} reads {FORMAT} {FORMAT_VERSION} only",
                    h.header.get("diplograph").unwrap_or(&serde_json::Value::Null),
                    h.header.get("format").unwrap_or(&serde_json::Value::Null),
                    h.header.get("format_version").unwrap_or(&serde_json::Value::Null),
                    env!("CARGO_PKG_VERSION")
                ),
                Err(_) => format!("{PARTIAL_JSON} does not parse: {e}"),
            })),
        }
    }

    /// Writes `dir/partial.json`.
    pub fn write(&self, dir: &Path) -> Result<PathBuf, Error> {
        crate::export::write_file(dir, PARTIAL_JSON, |w| {
            serde_json::to_writer(&mut *w, self)?;
            w.write_all(b"\n")
        })
    }
}

#[derive(Serialize, Deserialize)]
struct NodeSer {
    kind: Option<String>,
    frequency: u64,
    windows: u64,
    documents: u64,
    first: Option<String>,
    last: Option<String>,
    by_date: BTreeMap<String, u64>,
}

#[derive(Serialize, Deserialize)]
struct EdgeSer {
    windows: u64,
    documents: u64,
    first: Option<String>,
    last: Option<String>,
    by_date: BTreeMap<String, u64>,
    /// (document, sentence, start, end, text)
    evidence: Vec<(String, u32, usize, usize, String)>,
}

#[derive(Serialize, Deserialize)]
struct TotalsSer {
    documents: u64,
    windows: u64,
    evidence: usize,
    nodes: Vec<(String, NodeSer)>,
    edges: Vec<(String, String, EdgeSer)>,
}

#[derive(Serialize, Deserialize)]
struct EventEdgeSer {
    counts: Vec<u32>,
    first: String,
    last: String,
    evidence: String,
    evidence_doc: String,
}

#[derive(Serialize, Deserialize)]
struct EventsSer {
    edges: Vec<(String, String, EventEdgeSer)>,
    dyads: Vec<(String, String, String, Vec<u32>)>,
}

#[derive(Serialize, Deserialize)]
struct Aggregates {
    totals: TotalsSer,
    events: EventsSer,
}

/// Writes `dir/totals.json`: the co-occurrence and event aggregates.
pub fn write_totals(dir: &Path, totals: Totals, events: EventAgg) -> Result<PathBuf, Error> {
    let totals = TotalsSer {
        documents: totals.documents,
        windows: totals.windows,
        evidence: totals.evidence,
        nodes: totals
            .nodes
            .into_iter()
            .map(|(k, n)| {
                let n = NodeSer {
                    kind: n.kind.map(|k| k.as_str().to_string()),
                    frequency: n.frequency,
                    windows: n.windows,
                    documents: n.documents,
                    first: n.first,
                    last: n.last,
                    by_date: n.by_date,
                };
                (k, n)
            })
            .collect(),
        edges: totals
            .edges
            .into_iter()
            .map(|((a, b), e)| {
                let evidence = e.evidence.into_iter().map(|v| (v.doc.to_string(), v.sentence, v.start, v.end, v.text.to_string())).collect();
                let e = EdgeSer { windows: e.windows, documents: e.documents, first: e.first, last: e.last, by_date: e.by_date, evidence };
                (a, b, e)
            })
            .collect(),
    };
    let events = EventsSer {
        edges: events
            .edges
            .into_iter()
            .map(|((s, r), e)| {
                let e = EventEdgeSer { counts: e.counts.to_vec(), first: e.first, last: e.last, evidence: e.evidence, evidence_doc: e.evidence_doc };
                (s, r, e)
            })
            .collect(),
        dyads: events.dyads.into_iter().map(|((m, s, r), c)| (m, s, r, c.to_vec())).collect(),
    };
    crate::export::write_file(dir, TOTALS_JSON, |w| {
        serde_json::to_writer(&mut *w, &Aggregates { totals, events })?;
        w.write_all(b"\n")
    })
}

/// Reads `dir/totals.json`.
pub fn read_totals(dir: &Path) -> Result<(Totals, EventAgg), Error> {
    let path = dir.join(TOTALS_JSON);
    let file = File::open(&path).map_err(|e| Error::io(&path, e))?;
    let bad = |reason: String| Error::Input { path: path.clone(), line: None, reason };
    let agg: Aggregates =
        serde_json::from_reader(std::io::BufReader::with_capacity(1 << 20, file)).map_err(|e| bad(format!("does not parse: {e}")))?;
    let mut totals = Totals::new(agg.totals.evidence);
    totals.documents = agg.totals.documents;
    totals.windows = agg.totals.windows;
    for (k, n) in agg.totals.nodes {
        let kind = match n.kind {
            None => None,
            Some(k) => Some(Kind::parse(&k).ok_or_else(|| bad(format!("unknown type `{k}`")))?),
        };
        let n = NodeTotal { kind, frequency: n.frequency, windows: n.windows, documents: n.documents, first: n.first, last: n.last, by_date: n.by_date };
        totals.nodes.insert(k, n);
    }
    for (a, b, e) in agg.totals.edges {
        let evidence = e.evidence.into_iter().map(|(doc, sentence, start, end, text)| Evidence { doc: doc.into(), sentence, start, end, text: text.into() }).collect();
        let e = EdgeTotal { windows: e.windows, documents: e.documents, first: e.first, last: e.last, by_date: e.by_date, evidence };
        totals.edges.insert((a, b), e);
    }
    let counts = |c: Vec<u32>| <[u32; 20]>::try_from(c).map_err(|c| bad(format!("{} event counts, expected 20", c.len())));
    let mut events = EventAgg::default();
    for (s, r, e) in agg.events.edges {
        let e = EdgeAgg { counts: counts(e.counts)?, first: e.first, last: e.last, evidence: e.evidence, evidence_doc: e.evidence_doc };
        events.edges.insert((s, r), e);
    }
    for (m, s, r, c) in agg.events.dyads {
        events.dyads.insert((m, s, r), counts(c)?);
    }
    Ok((totals, events))
}

/// One JSON Lines output being spooled beside its final path.
struct Spool {
    name: &'static str,
    tmp: tempfile::NamedTempFile,
    writer: BufWriter<File>,
    len: u64,
}

impl Spool {
    fn create(dir: &Path, name: &'static str) -> Result<Spool, Error> {
        let path = dir.join(name);
        let tmp = crate::export::temp_beside(dir, name).map_err(|e| Error::io(&path, e))?;
        let file = tmp.as_file().try_clone().map_err(|e| Error::io(&path, e))?;
        Ok(Spool { name, tmp, writer: BufWriter::with_capacity(1 << 16, file), len: 0 })
    }

    /// Appends what `write` writes; returns where it starts and its length.
    fn append_with(&mut self, dir: &Path, write: impl FnOnce(&mut Counted<'_>) -> std::io::Result<()>) -> Result<(u64, u64), Error> {
        let mut counted = Counted { inner: &mut self.writer, bytes: 0 };
        write(&mut counted).map_err(|e| Error::io(dir.join(self.name), e))?;
        let (at, len) = (self.len, counted.bytes);
        self.len += len;
        Ok((at, len))
    }

    /// Renames the spool into place, or when `order` is given writes its pieces in that order.
    fn finish(self, dir: &Path, order: Option<&[(u64, u64)]>) -> Result<Settling, Error> {
        let path = dir.join(self.name);
        let io = |e| Error::io(&path, e);
        let file = self.writer.into_inner().map_err(|e| io(e.into_error()))?;
        let Some(order) = order else {
            return Settling::start(file, self.tmp, path);
        };
        let mut src = self.tmp.reopen().map_err(io)?;
        let mut out = crate::export::Output::create(dir, self.name)?;
        let mut buf = Vec::new();
        for &(at, len) in order {
            buf.resize(len as usize, 0);
            src.seek(SeekFrom::Start(at)).map_err(io)?;
            src.read_exact(&mut buf).map_err(io)?;
            out.writer().write_all(&buf).map_err(io)?;
        }
        out.settle()
    }
}

/// A spool's writer that counts the bytes through it.
pub struct Counted<'a> {
    inner: &'a mut BufWriter<File>,
    bytes: u64,
}

impl Write for Counted<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }

    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.inner.write_all(buf)?;
        self.bytes += buf.len() as u64;
        Ok(())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// A run's `mentions.jsonl` and `events.jsonl`, written per document as documents come and put
/// in ascending document id order when finished (a copy only when they came in another order).
pub struct DocLines {
    dir: PathBuf,
    mentions: Spool,
    events: Spool,
    docs: Vec<(String, (u64, u64), (u64, u64))>,
    sorted: bool,
}

impl DocLines {
    /// Starts both files in `dir`.
    pub fn create(dir: &Path) -> Result<DocLines, Error> {
        Ok(DocLines {
            dir: dir.to_path_buf(),
            mentions: Spool::create(dir, MENTIONS)?,
            events: Spool::create(dir, EVENTS)?,
            docs: Vec::new(),
            sorted: true,
        })
    }

    /// Adds one document's rendered lines; each id comes once. (Taken as bytes and written
    /// straight through: a copy in a buffer here was a third copy of a 200 MB document's lines.)
    pub fn push(&mut self, id: &str, mentions: &[u8], events: &[u8]) -> Result<(), Error> {
        self.push_with(id, |w| w.write_all(mentions), |w| w.write_all(events))
    }

    /// [`DocLines::push`] of lines rendered straight into the files (for a document too large
    /// to hold its lines in memory beside its mentions).
    pub fn push_with(
        &mut self,
        id: &str,
        mentions: impl FnOnce(&mut Counted<'_>) -> std::io::Result<()>,
        events: impl FnOnce(&mut Counted<'_>) -> std::io::Result<()>,
    ) -> Result<(), Error> {
        let m = self.mentions.append_with(&self.dir, mentions)?;
        let e = self.events.append_with(&self.dir, events)?;
        if self.docs.last().is_some_and(|(last, _, _)| last.as_str() >= id) {
            self.sorted = false;
        }
        self.docs.push((id.to_string(), m, e));
        Ok(())
    }

    /// Writes both files out in document id order (each made durable on a thread of its own,
    /// then put in place with the run's other outputs, see [`Settling`]); returns them and the
    /// document list of a partial.
    pub fn finish(mut self) -> Result<(Vec<Settling>, Vec<DocEntry>), Error> {
        let files = if self.sorted {
            [self.mentions.finish(&self.dir, None), self.events.finish(&self.dir, None)]
        } else {
            self.docs.sort_by(|a, b| a.0.cmp(&b.0));
            let order_m: Vec<(u64, u64)> = self.docs.iter().map(|d| d.1).collect();
            let order_e: Vec<(u64, u64)> = self.docs.iter().map(|d| d.2).collect();
            [self.mentions.finish(&self.dir, Some(&order_m)), self.events.finish(&self.dir, Some(&order_e))]
        };
        let [m, e] = files;
        let docs = self.docs.into_iter().map(|(id, m, e)| DocEntry(id, m.1, e.1)).collect();
        Ok((vec![m?, e?], docs))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_are_stable_and_cover_every_id() {
        let ids = ["2024-03-07_wang-yi-press-conference", "2019-02-16_merkel-meets-yang-jiechi", "中美关系", "d"];
        for id in ids {
            let hits: Vec<u64> = (0..3).filter(|&i| Shard { index: i, count: 3 }.takes(id)).collect();
            assert_eq!(hits.len(), 1, "{id}");
        }
        assert_eq!(Shard::parse("2/8"), Some(Shard { index: 2, count: 8 }));
        assert_eq!(Shard::parse("8/8"), None);
        assert_eq!(Shard::parse("1"), None);
    }

    #[test]
    fn lines_come_out_in_id_order() {
        let dir = tempfile::tempdir().unwrap();
        let mut lines = DocLines::create(dir.path()).unwrap();
        for id in ["b", "a-b", "a"] {
            lines.push(id, format!("m {id}\n").as_bytes(), format!("e {id}\n").as_bytes()).unwrap();
        }
        let (files, docs) = lines.finish().unwrap();
        crate::export::settle_all(files).unwrap();
        assert_eq!(std::fs::read_to_string(dir.path().join(MENTIONS)).unwrap(), "m a\nm a-b\nm b\n");
        assert_eq!(std::fs::read_to_string(dir.path().join(EVENTS)).unwrap(), "e a\ne a-b\ne b\n");
        assert_eq!(docs[1], DocEntry("a-b".into(), 6, 6));
    }
}
