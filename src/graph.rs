//! graph: the co-occurrence graph as a petgraph `UnGraph`, with the attributes every export
//! writes. Nodes are added in a fixed order (type, then id) and edges as sorted pairs, so the
//! same corpus always gives the same node and edge indices.

use petgraph::graph::{NodeIndex, UnGraph};

use crate::cooccur::Totals;
use crate::dict::{Dictionaries, Kind};

/// A node: an entity (or a figure, with `--node-types figure`).
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// Canonical id.
    pub id: String,
    /// Chinese name.
    pub label: String,
    /// English name.
    pub en: String,
    /// Type.
    pub kind: Kind,
    /// ISO3 for countries.
    pub iso3: Option<String>,
    /// The country of a leader or organization.
    pub country: Option<String>,
    /// Mentions in the corpus.
    pub frequency: u64,
    /// Documents that mention it.
    pub documents: u64,
}

/// An edge between two nodes that share windows.
#[derive(Clone, Debug, PartialEq)]
pub struct Edge {
    /// Shared windows.
    pub weight: u64,
    /// Documents in which they share a window.
    pub documents: u64,
}

/// What made a graph: enough to re-run a batch and diff it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Stamp {
    /// diplograph's version.
    pub version: String,
    /// Fingerprint of the dictionaries, hex.
    pub dictionaries: String,
    /// The window.
    pub window: String,
    /// Node types, comma-separated.
    pub node_types: String,
}

/// The co-occurrence graph with its stamp.
#[derive(Clone, Debug)]
pub struct CoGraph {
    /// Nodes and edges.
    pub graph: UnGraph<Node, Edge>,
    /// How it was made.
    pub stamp: Stamp,
}

/// Builds the graph from corpus totals.
pub fn build(dicts: &Dictionaries, totals: &Totals, stamp: Stamp) -> CoGraph {
    let mut graph = UnGraph::new_undirected();
    let mut keys: Vec<(&String, &crate::cooccur::NodeTotal)> = totals.nodes.iter().collect();
    keys.sort_by_key(|(id, t)| (t.kind, id.as_str()));
    let mut index = std::collections::BTreeMap::new();
    for (id, t) in keys {
        let kind = t.kind.unwrap_or(Kind::Figure);
        let node = match dicts.lookup(id) {
            Some(eid) => {
                let e = dicts.entity(eid);
                Node {
                    id: id.clone(),
                    label: e.label.clone(),
                    en: e.en.clone(),
                    kind,
                    iso3: e.iso3().map(str::to_string),
                    country: e.country.clone(),
                    frequency: t.frequency,
                    documents: t.documents,
                }
            }
            None => Node {
                id: id.clone(),
                label: id.splitn(3, ':').nth(2).unwrap_or(id).to_string(),
                en: String::new(),
                kind,
                iso3: None,
                country: None,
                frequency: t.frequency,
                documents: t.documents,
            },
        };
        index.insert(id.clone(), graph.add_node(node));
    }
    let mut edges: Vec<(NodeIndex, NodeIndex, Edge)> = totals
        .edges
        .iter()
        .map(|((a, b), t)| {
            let (x, y) = (index[a], index[b]);
            let (x, y) = if x <= y { (x, y) } else { (y, x) };
            (x, y, Edge { weight: t.weight, documents: t.documents })
        })
        .collect();
    edges.sort_by_key(|(a, b, _)| (*a, *b));
    for (a, b, e) in edges {
        graph.add_edge(a, b, e);
    }
    CoGraph { graph, stamp }
}
