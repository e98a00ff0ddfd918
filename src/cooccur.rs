//! cooccur: counts which entities share a window (sentence by default, or paragraph, turn,
//! document) — per document, then summed over the corpus in document order.
//!
//! An edge's `weight` is the number of windows the pair shares; it also counts the documents
//! it occurs in. Node and edge keys are canonical ids, kept in `BTreeMap`s so that nothing
//! reaches an output in hash order.

use std::collections::{BTreeMap, BTreeSet};

use crate::dict::{Dictionaries, Kind};
use crate::resolve::Mention;

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
}

impl Default for CooccurConfig {
    fn default() -> Self {
        CooccurConfig { window: Window::Sentence, node_types: vec![Kind::Country, Kind::Region, Kind::Leader, Kind::Organization] }
    }
}

/// A graph node's key: its canonical id (`figure:UNIT:VALUE` for a figure).
pub fn node_key(dicts: &Dictionaries, m: &Mention) -> String {
    match m.entity {
        Some(id) => dicts.entity(id).id.clone(),
        None => format!("figure:{}:{}", m.unit.unwrap_or(""), crate::export::number(m.value.unwrap_or(0.0))),
    }
}

/// One document's counts.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DocCounts {
    /// Mentions per node.
    pub nodes: BTreeMap<String, (Kind, u64)>,
    /// Shared windows per pair (ids in order).
    pub edges: BTreeMap<(String, String), u64>,
}

/// Counts one document's mentions.
pub fn count(dicts: &Dictionaries, mentions: &[Mention], cfg: &CooccurConfig) -> DocCounts {
    let mut out = DocCounts::default();
    let mut windows: BTreeMap<u32, BTreeSet<String>> = BTreeMap::new();
    for m in mentions.iter().filter(|m| cfg.node_types.contains(&m.kind)) {
        let key = node_key(dicts, m);
        out.nodes.entry(key.clone()).or_insert((m.kind, 0)).1 += 1;
        let w = match cfg.window {
            Window::Sentence => m.sentence,
            Window::Paragraph => m.paragraph,
            Window::Turn => m.turn,
            Window::Document => 0,
        };
        windows.entry(w).or_default().insert(key);
    }
    for ids in windows.values() {
        let ids: Vec<&String> = ids.iter().collect();
        for (i, a) in ids.iter().enumerate() {
            for b in &ids[i + 1..] {
                *out.edges.entry(((*a).clone(), (*b).clone())).or_default() += 1;
            }
        }
    }
    out
}

/// Corpus totals of a node.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NodeTotal {
    /// Type.
    pub kind: Option<Kind>,
    /// Mentions.
    pub frequency: u64,
    /// Documents that mention it.
    pub documents: u64,
}

/// Corpus totals of an edge.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EdgeTotal {
    /// Shared windows.
    pub weight: u64,
    /// Documents in which the pair shares a window.
    pub documents: u64,
}

/// Counts summed over documents.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Totals {
    /// Per node.
    pub nodes: BTreeMap<String, NodeTotal>,
    /// Per edge, ids in order.
    pub edges: BTreeMap<(String, String), EdgeTotal>,
}

impl Totals {
    /// Adds one document's counts.
    pub fn add(&mut self, doc: DocCounts) {
        for (k, (kind, n)) in doc.nodes {
            let t = self.nodes.entry(k).or_default();
            t.kind = Some(kind);
            t.frequency += n;
            t.documents += 1;
        }
        for (k, n) in doc.edges {
            let t = self.edges.entry(k).or_default();
            t.weight += n;
            t.documents += 1;
        }
    }
}
