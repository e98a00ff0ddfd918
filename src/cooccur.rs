//! cooccur: counts which entities share a window (sentence by default, or paragraph, turn,
//! document) — per document, then summed over the corpus in document order.
//!
//! [`count`] turns one document's mentions into [`DocCounts`]: per node its mentions and the
//! windows it occurs in, per pair the windows it shares and the first `--evidence K` of them as
//! [`Evidence`] (sentence text and its byte span in the original file). [`Totals::add`] sums
//! documents; every field is a sum, a min/max of ISO dates, a per-date sum or "the first K by
//! (document id, sentence, offset)", so adding is associative and commutative, and the totals
//! do not depend on the order the documents came in, nor on how they were split between
//! threads or between partial runs merged with [`Totals::merge`].
//!
//! The association measures ([`Totals::measures`]) are defined over windows. `N` is the number
//! of windows of the corpus (of the chosen kind, in the documents counted) that contain at
//! least one node mention; `c(a)` the windows that contain `a`, `c(a,b)` the windows that
//! contain both. Then `PMI = ln(c(a,b)·N / (c(a)·c(b)))`,
//! `NPMI = PMI / −ln(c(a,b)/N)` (1 when `c(a,b) = N`), and
//! `Jaccard = c(a,b) / (c(a) + c(b) − c(a,b))`. Node and edge keys are canonical ids, kept in
//! `BTreeMap`s so that nothing reaches an output in hash order.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use crate::dict::{Dictionaries, Kind};
use crate::normalize::Normalized;
use crate::read::Document;
use crate::resolve::Mention;
use crate::segment::Segments;

/// The unit of co-occurrence.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Window {
    /// One sentence (the default).
    #[default]
    Sentence,
    /// One paragraph.
    Paragraph,
    /// One speaker turn.
    Turn,
    /// The whole document.
    Document,
}

impl Window {
    /// Parses `sentence|paragraph|turn|document`.
    pub fn parse(s: &str) -> Option<Window> {
        Some(match s {
            "sentence" => Window::Sentence,
            "paragraph" => Window::Paragraph,
            "turn" => Window::Turn,
            "document" => Window::Document,
            _ => return None,
        })
    }

    /// The name used on the command line and in stamps.
    pub fn as_str(self) -> &'static str {
        match self {
            Window::Sentence => "sentence",
            Window::Paragraph => "paragraph",
            Window::Turn => "turn",
            Window::Document => "document",
        }
    }
}

/// Options for co-occurrence.
#[derive(Clone, Debug)]
pub struct CooccurConfig {
    /// The window.
    pub window: Window,
    /// Which mention types become nodes.
    pub node_types: Vec<Kind>,
    /// Example sentences kept per edge (`--evidence K`).
    pub evidence: usize,
}

impl Default for CooccurConfig {
    fn default() -> Self {
        CooccurConfig {
            window: Window::Sentence,
            node_types: vec![Kind::Country, Kind::Region, Kind::Leader, Kind::Organization],
            evidence: 3,
        }
    }
}

/// A graph node's key: its canonical id (`figure:UNIT:VALUE` for a figure).
pub fn node_key(dicts: &Dictionaries, m: &Mention) -> String {
    match m.entity {
        Some(id) => dicts.entity(id).id.clone(),
        None => format!("figure:{}:{}", m.unit.unwrap_or(""), crate::export::number(m.value.unwrap_or(0.0))),
    }
}

/// One example of a pair sharing a window: the sentence(s) from the first mention of one to the
/// first mention of the other in that window.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Evidence {
    /// Document id (shared by the document's examples).
    pub doc: Arc<str>,
    /// Index of the (first) sentence in the document.
    pub sentence: u32,
    /// Byte offset of the sentence in the original file.
    pub start: usize,
    /// End byte offset in the original file, exclusive.
    pub end: usize,
    /// The sentence as written, line breaks of hard-wrapped text removed (shared by every pair
    /// of the window: a list of 40 states is one sentence for 780 pairs); for sentences over
    /// [`EVIDENCE_CHARS`] characters, an excerpt around the pair's mentions (`…` marking what
    /// is left out), `start`..`end` then spanning the excerpt.
    pub text: Arc<str>,
}

/// One node in one document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocNode {
    /// Type.
    pub kind: Kind,
    /// Mentions.
    pub mentions: u64,
    /// Windows that mention it.
    pub windows: u64,
}

/// One pair in one document.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DocEdge {
    /// Windows the pair shares.
    pub windows: u64,
    /// The first `evidence` of them, in document order.
    pub evidence: Vec<Evidence>,
}

/// One document's counts.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DocCounts {
    /// The document's date, `YYYY-MM-DD`.
    pub date: Option<String>,
    /// Windows with at least one node mention.
    pub windows: u64,
    /// Per node.
    pub nodes: BTreeMap<String, DocNode>,
    /// Per pair (ids in order).
    pub edges: BTreeMap<(String, String), DocEdge>,
}

/// A node's first mention in a window: its sentence and its index in the document's mentions.
type FirstMention = (u32, u32);

/// Quoted text and its file byte span: `(start, end, text)`.
type Quoted = (usize, usize, Arc<str>);

/// Evidence longer than this many characters is cut to an excerpt around what it is evidence
/// of. The longest sentence corpus/zh cites is 805 characters (a list of 42 ambassadors); text
/// without sentence punctuation (a list, a page that lost its 。) is one sentence of megabytes,
/// and every pair in it quoted all of it: 600 KB of such text filled 15 GB of disk.
pub const EVIDENCE_CHARS: usize = 1000;

/// Is `text` (a sentence, or sentences) over [`EVIDENCE_CHARS`] characters: too long to quote
/// whole, or to read whole for every cue in it?
pub(crate) fn too_long(text: &str) -> bool {
    text.len() > EVIDENCE_CHARS && text.chars().count() > EVIDENCE_CHARS
}

/// Characters kept either side of each of a pair's mentions in an excerpt.
const EXCERPT_CONTEXT: usize = 50;

/// The file text of sentences `first..=last`, with its file byte span: the sentences whole, or
/// `None` when they are longer than [`EVIDENCE_CHARS`].
fn sentence_text(doc: &Document, norm: &Normalized, seg: &Segments, first: usize, last: usize) -> Option<Quoted> {
    let (Some(a), Some(b)) = (seg.sentences.get(first), seg.sentences.get(last)) else {
        return Some((0, 0, Arc::from("")));
    };
    if too_long(norm.text.get(a.0..b.1).unwrap_or("")) {
        return None;
    }
    let (start, end, text) = file_text(doc, norm, a.0, b.1);
    Some((start, end, Arc::from(text)))
}

/// The file text of the normalized span `a..b` as written, line breaks of hard-wrapped text
/// removed, and its file byte span.
fn file_text(doc: &Document, norm: &Normalized, a: usize, b: usize) -> (usize, usize, String) {
    let (os, oe) = (norm.origin(a), norm.origin_end(b));
    let raw = doc.text.get(os..oe.max(os)).unwrap_or_else(|| norm.text.get(a..b).unwrap_or(""));
    let mut text = String::with_capacity(raw.len());
    for line in raw.split('\n') {
        let line = line.trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}');
        if line.is_empty() {
            continue;
        }
        let ascii_join = text.chars().last().is_some_and(|c| c.is_ascii_alphanumeric() || c == ',' || c == '.')
            && line.chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
        if ascii_join {
            text.push(' ');
        }
        text.push_str(line);
    }
    (doc.file_offset(os), doc.file_offset(oe.max(os)), text)
}

/// The parts of `text[lo..hi]` an excerpt keeps: `context` characters either side of each
/// span of `spans`, within `lo..hi`, overlapping parts joined; in text order.
pub(crate) fn excerpt_parts(text: &str, lo: usize, hi: usize, spans: &[(usize, usize)], context: usize) -> Vec<(usize, usize)> {
    let back = |at: usize| text[..at].char_indices().rev().take(context).last().map_or(at, |(i, _)| i);
    let ahead = |at: usize| text[at..].char_indices().nth(context).map_or(text.len(), |(i, _)| at + i);
    let mut parts: Vec<(usize, usize)> = spans.iter().map(|&(s, e)| (back(s.clamp(lo, hi)).max(lo), ahead(e.clamp(lo, hi)).min(hi))).collect();
    parts.sort_unstable();
    let mut joined: Vec<(usize, usize)> = Vec::with_capacity(parts.len());
    for (s, e) in parts {
        match joined.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => joined.push((s, e)),
        }
    }
    joined
}

/// Joins the texts of an excerpt's parts of `lo..hi`: `…` where text is left out before,
/// between (` … `) or after them.
pub(crate) fn join_excerpt(lo: usize, hi: usize, parts: &[(usize, usize)], mut text_of: impl FnMut(usize, usize) -> String) -> String {
    let mut out = String::new();
    for (i, &(s, e)) in parts.iter().enumerate() {
        out.push_str(match i {
            0 if s > lo => "…",
            0 => "",
            _ => " … ",
        });
        out.push_str(&text_of(s, e));
    }
    if parts.last().is_some_and(|&(_, e)| e < hi) {
        out.push('…');
    }
    out
}

/// Evidence for a pair whose sentences `first..=last` are too long to quote whole: an excerpt
/// of [`EXCERPT_CONTEXT`] characters either side of the pair's first mentions there (normalized
/// spans `spans`), with the file byte span from its first character to its last.
fn excerpt(doc: &Document, norm: &Normalized, seg: &Segments, first: usize, last: usize, spans: &[(usize, usize)]) -> Quoted {
    let (lo, hi) = (seg.sentences[first].0, seg.sentences[last].1);
    let parts = excerpt_parts(&norm.text, lo, hi, spans, EXCERPT_CONTEXT);
    let (Some(&(s, _)), Some(&(_, e))) = (parts.first(), parts.last()) else {
        return (0, 0, Arc::from(""));
    };
    let text = join_excerpt(lo, hi, &parts, |a, b| file_text(doc, norm, a, b).2);
    (doc.file_offset(norm.origin(s)), doc.file_offset(norm.origin_end(e)), Arc::from(text))
}

/// Counts one document's mentions, keeping up to `cfg.evidence` example sentences per pair.
pub fn count(dicts: &Dictionaries, doc: &Document, norm: &Normalized, seg: &Segments, mentions: &[Mention], cfg: &CooccurConfig) -> DocCounts {
    count_with(dicts, doc, norm, seg, mentions, cfg, None)
}

/// [`count`], leaving out the evidence of pairs that `settled` (from the totals of documents
/// already counted) says hold K evidence sentences that all come before this document: they
/// could never be among the first K, so rendering them was only memory and time (it was the
/// largest live share of a run's heap).
pub fn count_with(
    dicts: &Dictionaries,
    doc: &Document,
    norm: &Normalized,
    seg: &Segments,
    mentions: &[Mention],
    cfg: &CooccurConfig,
    settled: Option<&Settled>,
) -> DocCounts {
    let mut out = DocCounts { date: doc.date.clone(), ..DocCounts::default() };
    // Keys are borrowed from the dictionaries while counting (a figure's is made once per
    // mention, when figures are nodes) and owned once per distinct node and pair at the end:
    // cloning two ids for every pair of every window was most of the counting's allocations.
    let is_node = |m: &Mention| cfg.node_types.contains(&m.kind);
    let figure_keys: HashMap<usize, String> =
        mentions.iter().enumerate().filter(|(_, m)| m.entity.is_none() && is_node(m)).map(|(at, m)| (at, node_key(dicts, m))).collect();
    let key = |at: usize| -> &str {
        match mentions[at].entity {
            Some(id) => dicts.entity(id).id.as_str(),
            None => figure_keys[&at].as_str(),
        }
    };
    let window_of = |m: &Mention| match cfg.window {
        Window::Sentence => m.sentence,
        Window::Paragraph => m.paragraph,
        Window::Turn => m.turn,
        Window::Document => 0,
    };
    let mut nodes: BTreeMap<&str, DocNode> = BTreeMap::new();
    // The node mentions, in window order: text order, in which windows come one after another.
    let mut order: Vec<u32> = Vec::new();
    for (at, m) in mentions.iter().enumerate().filter(|(_, m)| is_node(m)) {
        nodes.entry(key(at)).or_insert(DocNode { kind: m.kind, mentions: 0, windows: 0 }).mentions += 1;
        order.push(at as u32);
    }
    if !order.is_sorted_by_key(|&at| window_of(&mentions[at as usize])) {
        order.sort_by_key(|&at| window_of(&mentions[at as usize]));
    }
    let doc_id: Arc<str> = Arc::from(doc.id.as_str());
    // Each sentence span is rendered once for all the pairs that cite it (`None`: too long,
    // an excerpt per pair).
    let mut texts: HashMap<(u32, u32), Option<Quoted>> = HashMap::new();
    // pair → (its counts, whether the totals so far settle its evidence)
    let mut edges: BTreeMap<(&str, &str), (DocEdge, bool)> = BTreeMap::new();
    // One window at a time, its nodes with their first mention in it, in key order. (A map of
    // every window's nodes, held to the end, was 1 GB of a 200 MB document's peak.)
    let mut ids: Vec<(&str, FirstMention)> = Vec::new();
    for window in order.chunk_by(|&a, &b| window_of(&mentions[a as usize]) == window_of(&mentions[b as usize])) {
        ids.clear();
        ids.extend(window.iter().map(|&at| (key(at as usize), (mentions[at as usize].sentence, at))));
        // (Stable, so that of a node's mentions the first stays first, and is the one kept.)
        ids.sort_by(|a, b| a.0.cmp(b.0));
        ids.dedup_by(|later, first| later.0 == first.0);
        out.windows += 1;
        for (k, _) in &ids {
            if let Some(n) = nodes.get_mut(*k) {
                n.windows += 1;
            }
        }
        for (i, &(a, (sa, ma))) in ids.iter().enumerate() {
            for &(b, (sb, mb)) in &ids[i + 1..] {
                let (e, skip) = edges.entry((a, b)).or_insert_with(|| {
                    (DocEdge::default(), settled.is_some_and(|s| s.covers(a, b, &doc.id)))
                });
                e.windows += 1;
                if e.evidence.len() < cfg.evidence && !*skip {
                    let (first, last) = (sa.min(sb), sa.max(sb));
                    let (first_u, last_u) = (first as usize, last as usize);
                    let (start, end, text) = match texts.entry((first, last)).or_insert_with(|| sentence_text(doc, norm, seg, first_u, last_u)) {
                        Some(whole) => whole.clone(),
                        None => {
                            let span = |m: u32| (mentions[m as usize].norm_start, mentions[m as usize].norm_end);
                            excerpt(doc, norm, seg, first_u, last_u, &[span(ma), span(mb)])
                        }
                    };
                    e.evidence.push(Evidence { doc: doc_id.clone(), sentence: first, start, end, text });
                }
            }
        }
    }
    out.edges = edges
        .into_iter()
        .map(|((a, b), (mut e, _))| {
            // Evidence in document order whatever the window order.
            e.evidence.sort_by_key(|v| (v.sentence, v.start));
            ((a.to_string(), b.to_string()), e)
        })
        .collect();
    out.nodes = nodes.into_iter().map(|(k, n)| (k.to_string(), n)).collect();
    out
}

/// Corpus totals of a node.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NodeTotal {
    /// Type.
    pub kind: Option<Kind>,
    /// Mentions.
    pub frequency: u64,
    /// Windows that mention it, `c(a)`.
    pub windows: u64,
    /// Documents that mention it.
    pub documents: u64,
    /// First date it is mentioned on.
    pub first: Option<String>,
    /// Last date it is mentioned on.
    pub last: Option<String>,
    /// Mentions per date.
    pub by_date: BTreeMap<String, u64>,
}

/// Corpus totals of an edge.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EdgeTotal {
    /// Shared windows, `c(a,b)`.
    pub windows: u64,
    /// Documents in which the pair shares a window.
    pub documents: u64,
    /// First date the pair shares a window.
    pub first: Option<String>,
    /// Last date the pair shares a window.
    pub last: Option<String>,
    /// Shared windows per date.
    pub by_date: BTreeMap<String, u64>,
    /// The first K examples by (document id, sentence, offset).
    pub evidence: Vec<Evidence>,
}

/// Keeps in `kept` the first `k` of `kept` and `more` by (document id, sentence, offset); both
/// come in that order. On a tie (one document in both, as in hand-made tests) `kept` goes first.
/// Returns false when `kept` is sure to be as it was.
fn keep_first(kept: &mut Vec<Evidence>, more: Vec<Evidence>, k: usize) -> bool {
    fn key(v: &Evidence) -> (&str, u32, usize) {
        (&v.doc, v.sentence, v.start)
    }
    if more.is_empty() || (kept.len() >= k && kept.last().is_some_and(|l| key(l) <= key(&more[0]))) {
        return false;
    }
    let old = std::mem::take(kept);
    let (mut a, mut b) = (old.into_iter().peekable(), more.into_iter().peekable());
    while kept.len() < k {
        let next = match (a.peek(), b.peek()) {
            (Some(x), Some(y)) if key(y) < key(x) => b.next(),
            (Some(_), _) => a.next(),
            (None, _) => b.next(),
        };
        match next {
            Some(v) => kept.push(v),
            None => break,
        }
    }
    true
}

/// PMI, NPMI and Jaccard of one pair (see the module docs for their definitions).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Measures {
    /// Pointwise mutual information, natural log.
    pub pmi: f64,
    /// Normalized PMI, in (−1, 1].
    pub npmi: f64,
    /// Windows shared over windows of either, in (0, 1].
    pub jaccard: f64,
}

impl Measures {
    /// The measures of a pair sharing `cab` of `n` windows, its nodes in `ca` and `cb`.
    pub fn of(ca: u64, cb: u64, cab: u64, n: u64) -> Measures {
        let (ca, cb, cab, n) = (ca as f64, cb as f64, cab as f64, n as f64);
        if cab == 0.0 || ca == 0.0 || cb == 0.0 || n == 0.0 {
            return Measures::default();
        }
        let pmi = (cab * n / (ca * cb)).ln();
        let h = -(cab / n).ln();
        let npmi = if h <= 0.0 { 1.0 } else { (pmi / h).clamp(-1.0, 1.0) };
        Measures { pmi, npmi, jaccard: cab / (ca + cb - cab) }
    }
}

/// Counts summed over documents.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Totals {
    /// Documents added.
    pub documents: u64,
    /// Windows with at least one node mention, `N`.
    pub windows: u64,
    /// Examples kept per edge.
    pub evidence: usize,
    /// Per node.
    pub nodes: BTreeMap<String, NodeTotal>,
    /// Per edge, ids in order.
    pub edges: BTreeMap<(String, String), EdgeTotal>,
}

fn widen(first: &mut Option<String>, last: &mut Option<String>, f: Option<&String>, l: Option<&String>) {
    if let Some(f) = f {
        if first.as_ref().is_none_or(|x| f < x) {
            *first = Some(f.clone());
        }
    }
    if let Some(l) = l {
        if last.as_ref().is_none_or(|x| l > x) {
            *last = Some(l.clone());
        }
    }
}

/// Adds the counts of `later` to `into`, date by date. Batches come in id order, which for
/// dated file names is date order: when every date of `later` follows those of `into`, its
/// entries are appended in one go.
fn merge_timelines(into: &mut BTreeMap<String, u64>, mut later: BTreeMap<String, u64>) {
    let after = match (into.last_key_value(), later.first_key_value()) {
        (Some((last, _)), Some((first, _))) => first > last,
        _ => true,
    };
    if after {
        into.append(&mut later);
        return;
    }
    for (d, c) in later {
        *into.entry(d).or_default() += c;
    }
}

/// Adds the pair totals of `later` to `into`, keeping `k` examples each.
fn merge_edges(into: &mut BTreeMap<(String, String), EdgeTotal>, later: BTreeMap<(String, String), EdgeTotal>, k: usize) {
    use std::collections::btree_map::Entry;
    for (key, mut e) in later {
        let t = match into.entry(key) {
            Entry::Vacant(v) => {
                e.evidence.truncate(k);
                v.insert(e);
                continue;
            }
            Entry::Occupied(o) => o.into_mut(),
        };
        t.windows += e.windows;
        t.documents += e.documents;
        widen(&mut t.first, &mut t.last, e.first.as_ref(), e.last.as_ref());
        merge_timelines(&mut t.by_date, e.by_date);
        keep_first(&mut t.evidence, e.evidence, k);
    }
}

/// A pair, ids in order.
pub type PairKey = (String, String);

/// The pairs whose totals hold their first K evidence sentences, each with the document id of
/// the last of them: no evidence of a later document can enter that pair's first K. Workers
/// read it to leave such evidence out while the corpus totals are being added to; it is
/// brought up to date between batches with what [`Totals::add_noting`] noted, so the merge of
/// a batch's counts into the totals no longer has to run alone between batches.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Settled(BTreeMap<String, BTreeMap<String, Arc<str>>>);

impl Settled {
    /// Can no evidence of document `doc` enter the first K of the pair `(a, b)`? True when the
    /// pair's first K all come from documents whose ids sort before `doc`.
    pub fn covers(&self, a: &str, b: &str, doc: &str) -> bool {
        // Keyed by each id in turn, so that the pair is looked up with the borrowed ids.
        self.0.get(a).and_then(|bs| bs.get(b)).is_some_and(|last| &**last < doc)
    }

    /// Takes in what [`Totals::add_noting`] noted, in the order it was noted.
    pub fn update(&mut self, noted: Vec<(PairKey, Arc<str>)>) {
        for ((a, b), last) in noted {
            self.0.entry(a).or_default().insert(b, last);
        }
    }

    /// Every pair settled in `totals` (built whole rather than noted on the way).
    pub fn of(totals: &Totals) -> Settled {
        let k = totals.evidence;
        let mut settled = Settled::default();
        settled.update(
            totals
                .edges
                .iter()
                .filter(|(_, t)| k > 0 && t.evidence.len() >= k)
                .filter_map(|(pair, t)| Some((pair.clone(), t.evidence.last()?.doc.clone())))
                .collect(),
        );
        settled
    }
}

impl Totals {
    /// Empty totals that keep `evidence` examples per edge.
    pub fn new(evidence: usize) -> Totals {
        Totals { evidence, ..Totals::default() }
    }

    /// Adds one document's counts, in any order.
    pub fn add(&mut self, doc: DocCounts) {
        self.add_then(doc, |_, _| {});
    }

    /// [`Totals::add`], noting in `noted` each pair whose first K evidence sentences these
    /// totals now hold and that changed, with the document id of the last (for [`Settled`]).
    pub fn add_noting(&mut self, doc: DocCounts, noted: &mut Vec<(PairKey, Arc<str>)>) {
        self.add_then(doc, |pair, last| noted.push((pair.clone(), last.clone())));
    }

    fn add_then(&mut self, doc: DocCounts, mut settled: impl FnMut(&PairKey, &Arc<str>)) {
        use std::collections::btree_map::Entry;
        let k = self.evidence;
        // The last of a pair's K evidence, when the pair holds K of them.
        let full = |evidence: &[Evidence]| (k > 0 && evidence.len() >= k).then(|| evidence[k - 1].doc.clone());
        self.documents += 1;
        self.windows += doc.windows;
        let date = doc.date.as_ref();
        let on_date = |n: u64| date.map(|d| BTreeMap::from([(d.clone(), n)])).unwrap_or_default();
        // A node or pair new to these totals is made whole from the document's counts.
        for (k, n) in doc.nodes {
            let t = match self.nodes.entry(k) {
                Entry::Vacant(v) => {
                    v.insert(NodeTotal {
                        kind: Some(n.kind),
                        frequency: n.mentions,
                        windows: n.windows,
                        documents: 1,
                        first: date.cloned(),
                        last: date.cloned(),
                        by_date: on_date(n.mentions),
                    });
                    continue;
                }
                Entry::Occupied(o) => o.into_mut(),
            };
            t.kind = Some(n.kind);
            t.frequency += n.mentions;
            t.windows += n.windows;
            t.documents += 1;
            widen(&mut t.first, &mut t.last, date, date);
            if let Some(d) = date {
                *t.by_date.entry(d.clone()).or_default() += n.mentions;
            }
        }
        for (pair, mut e) in doc.edges {
            let mut o = match self.edges.entry(pair) {
                Entry::Vacant(v) => {
                    e.evidence.truncate(k);
                    if let Some(last) = full(&e.evidence) {
                        settled(v.key(), &last);
                    }
                    v.insert(EdgeTotal {
                        windows: e.windows,
                        documents: 1,
                        first: date.cloned(),
                        last: date.cloned(),
                        by_date: on_date(e.windows),
                        evidence: e.evidence,
                    });
                    continue;
                }
                Entry::Occupied(o) => o,
            };
            let t = o.get_mut();
            t.windows += e.windows;
            t.documents += 1;
            widen(&mut t.first, &mut t.last, date, date);
            if let Some(d) = date {
                *t.by_date.entry(d.clone()).or_default() += e.windows;
            }
            if keep_first(&mut t.evidence, e.evidence, k) {
                if let Some(last) = full(&t.evidence) {
                    settled(o.key(), &last);
                }
            }
        }
    }

    /// Adds the totals of other documents (a partial run), in any order.
    pub fn merge(&mut self, mut later: Totals) {
        use std::collections::btree_map::Entry;
        self.documents += later.documents;
        self.windows += later.windows;
        // The pairs, most of the work, are merged in two halves split at the later pairs'
        // middle key, each half on a thread of the current pool, and joined again.
        let k = self.evidence;
        let halves = (rayon::current_num_threads() > 1 && later.edges.len() >= 4096)
            .then(|| later.edges.keys().nth(later.edges.len() / 2).cloned())
            .flatten();
        match halves {
            Some(mid) => {
                let (mut right, right_later) = (self.edges.split_off(&mid), later.edges.split_off(&mid));
                rayon::join(|| merge_edges(&mut self.edges, later.edges, k), || merge_edges(&mut right, right_later, k));
                self.edges.append(&mut right);
            }
            None => merge_edges(&mut self.edges, later.edges, k),
        }
        // A node or pair new to these totals (every one of the first batch) is moved in whole
        // rather than added field by field.
        for (k, n) in later.nodes {
            let t = match self.nodes.entry(k) {
                Entry::Vacant(v) => {
                    v.insert(n);
                    continue;
                }
                Entry::Occupied(o) => o.into_mut(),
            };
            t.kind = t.kind.or(n.kind);
            t.frequency += n.frequency;
            t.windows += n.windows;
            t.documents += n.documents;
            widen(&mut t.first, &mut t.last, n.first.as_ref(), n.last.as_ref());
            merge_timelines(&mut t.by_date, n.by_date);
        }
    }

    /// PMI, NPMI and Jaccard of the pair `(a, b)` over the windows counted so far.
    pub fn measures(&self, a: &str, b: &str) -> Measures {
        let cab = self.edges.get(&(a.to_string(), b.to_string())).map_or(0, |e| e.windows);
        let ca = self.nodes.get(a).map_or(0, |n| n.windows);
        let cb = self.nodes.get(b).map_or(0, |n| n.windows);
        Measures::of(ca, cb, cab, self.windows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(date: &str, nodes: &[(&str, u64, u64)], edges: &[(&str, &str, u64, &str)]) -> DocCounts {
        DocCounts {
            date: Some(date.into()),
            windows: 4,
            nodes: nodes.iter().map(|(k, m, w)| (k.to_string(), DocNode { kind: Kind::Country, mentions: *m, windows: *w })).collect(),
            edges: edges
                .iter()
                .map(|(a, b, w, t)| {
                    let ev = Evidence { doc: date.into(), sentence: 0, start: 0, end: t.len(), text: Arc::from(*t) };
                    ((a.to_string(), b.to_string()), DocEdge { windows: *w, evidence: vec![ev.clone(), ev] })
                })
                .collect(),
        }
    }

    #[test]
    fn adding_is_associative() {
        let docs = [
            doc("2024-03-07", &[("CHN", 3, 2), ("USA", 1, 1)], &[("CHN", "USA", 1, "中美关系")]),
            doc("2019-02-16", &[("CHN", 2, 2), ("DEU", 2, 2)], &[("CHN", "DEU", 2, "中德")]),
            doc("2024-03-07", &[("CHN", 1, 1), ("USA", 1, 1)], &[("CHN", "USA", 1, "中方愿同美方")]),
        ];
        let mut all = Totals::new(3);
        docs.iter().cloned().for_each(|d| all.add(d));
        let (mut x, mut y) = (Totals::new(3), Totals::new(3));
        x.add(docs[0].clone());
        y.add(docs[1].clone());
        y.add(docs[2].clone());
        x.merge(y);
        assert_eq!(all, x);
        let e = &all.edges[&("CHN".into(), "USA".into())];
        assert_eq!((e.first.as_deref(), e.last.as_deref(), e.by_date["2024-03-07"]), (Some("2024-03-07"), Some("2024-03-07"), 2));
        assert_eq!(e.evidence.len(), 3);
        assert_eq!(all.nodes["CHN"].first.as_deref(), Some("2019-02-16"));
    }

    #[test]
    fn order_does_not_matter() {
        let ev = |doc: &str, sentence: u32| Evidence { doc: Arc::from(doc), sentence, start: 0, end: 0, text: Arc::from(doc) };
        let docs: Vec<DocCounts> = ["c", "a", "b"]
            .iter()
            .map(|d| {
                let mut c = doc("2024-03-07", &[("CHN", 1, 1), ("USA", 1, 1)], &[]);
                c.edges.insert(("CHN".into(), "USA".into()), DocEdge { windows: 2, evidence: vec![ev(d, 1), ev(d, 4)] });
                c
            })
            .collect();
        let (mut forward, mut backward) = (Totals::new(3), Totals::new(3));
        docs.iter().cloned().for_each(|d| forward.add(d));
        docs.iter().rev().cloned().for_each(|d| backward.add(d));
        assert_eq!(forward, backward);
        let (mut x, mut y) = (Totals::new(3), Totals::new(3));
        x.add(docs[0].clone());
        y.add(docs[1].clone());
        y.add(docs[2].clone());
        y.merge(x);
        assert_eq!(forward, y);
        let kept: Vec<(&str, u32)> = forward.edges[&("CHN".into(), "USA".into())].evidence.iter().map(|v| (&*v.doc, v.sentence)).collect();
        assert_eq!(kept, [("a", 1), ("a", 4), ("b", 1)]);
    }

    #[test]
    fn settled_pairs_noted_on_the_way_are_those_of_the_totals() {
        // Each document gives a pair two examples; K = 3. Out of id order, so that a pair's
        // last example moves to an earlier document.
        let docs = [
            doc("2024-03-09", &[("CHN", 1, 1), ("USA", 1, 1)], &[("CHN", "USA", 1, "中美")]),
            doc("2024-03-07", &[("CHN", 1, 1), ("USA", 1, 1), ("RUS", 1, 1)], &[("CHN", "USA", 1, "中美"), ("CHN", "RUS", 1, "中俄")]),
            doc("2024-03-08", &[("CHN", 1, 1), ("RUS", 1, 1)], &[("CHN", "RUS", 1, "中俄")]),
            doc("2024-03-01", &[("CHN", 1, 1), ("USA", 1, 1)], &[("CHN", "USA", 1, "中美")]),
        ];
        let (mut totals, mut settled) = (Totals::new(3), Settled::default());
        for d in docs {
            let mut noted = Vec::new();
            totals.add_noting(d, &mut noted);
            settled.update(noted);
            assert_eq!(settled, Settled::of(&totals));
        }
        // CHN–USA holds 03-01, 03-01, 03-07: nothing of 03-08 can enter, of 03-07 itself can.
        assert!(settled.covers("CHN", "USA", "2024-03-08"));
        assert!(!settled.covers("CHN", "USA", "2024-03-07"));
        assert!(settled.covers("CHN", "RUS", "2024-03-09"));
        assert!(!settled.covers("CHN", "BRA", "2024-03-09"));
    }

    #[test]
    fn measures_follow_their_definitions() {
        let mut t = Totals::new(1);
        t.add(doc("2024-03-07", &[("CHN", 2, 2), ("USA", 2, 2)], &[("CHN", "USA", 2, "中美")]));
        let m = t.measures("CHN", "USA");
        assert!((m.pmi - (2.0f64 * 4.0 / 4.0).ln()).abs() < 1e-12);
        assert!((m.npmi - 1.0).abs() < 1e-12);
        assert_eq!(m.jaccard, 1.0);
    }

    #[test]
    fn evidence_is_the_sentence_as_written() {
        let dicts = Dictionaries::load(&crate::dict::DictConfig::default()).unwrap();
        let tagger = crate::tag::Tagger::new(&dicts, &crate::tag::TagConfig::default()).unwrap();
        let text = "外交部发言人表示。\n中方愿同俄方一道，推动中美关系稳定发展。";
        let doc = Document::from_text("d", text, Some("2024-03-07"));
        let norm = crate::normalize::normalize(&doc.text, &Default::default());
        let seg = crate::segment::Segmenter::default().segment(&norm);
        let mentions = crate::resolve::resolve(&dicts, &doc, &norm, &seg, &tagger.tag(&norm.text, doc.year()));
        let c = count(&dicts, &doc, &norm, &seg, &mentions, &CooccurConfig::default());
        let e = &c.edges[&("CHN".into(), "RUS".into())];
        assert_eq!(&*e.evidence[0].text, "中方愿同俄方一道，推动中美关系稳定发展。");
        assert_eq!(&text[e.evidence[0].start..e.evidence[0].end], &*e.evidence[0].text);
    }
}
