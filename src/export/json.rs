//! json: the co-occurrence graph in networkx's node-link form (`directed`, `multigraph`,
//! `graph`, `nodes`, `links`), which `networkx.node_link_graph(data, edges="links")` loads.
//!
//! `graph` holds the stamp (version, dictionary fingerprint, options). Nodes carry every
//! attribute, including mentions per date (`timeline`); links carry the weights, the dates,
//! shared windows per date and the first evidence sentence.

use std::collections::BTreeMap;

use petgraph::visit::EdgeRef;
use serde::Serialize;
use serde_json::Value;

use crate::graph::CoGraph;

// Fields in alphabetical order: the document is written as serde_json's sorted maps would
// write it, but streamed from borrowed structs instead of built as a `Value` tree first (that
// tree was a tenth of a whole-corpus run).

#[derive(Serialize)]
struct NodeOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    country: &'a Option<String>,
    documents: u64,
    en: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    first: &'a Option<String>,
    frequency: u64,
    id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    iso3: &'a Option<String>,
    label: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    last: &'a Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    role: &'a Option<String>,
    timeline: &'a BTreeMap<String, u64>,
    #[serde(rename = "type")]
    kind: &'a str,
    windows: u64,
    x: f64,
    y: f64,
}

#[derive(Serialize)]
struct LinkOut<'a> {
    documents: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    evidence: Option<&'a serde_json::value::RawValue>,
    #[serde(skip_serializing_if = "Option::is_none")]
    first: &'a Option<String>,
    jaccard: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    last: &'a Option<String>,
    npmi: f64,
    pmi: f64,
    source: &'a str,
    target: &'a str,
    timeline: &'a BTreeMap<String, u64>,
    weight: f64,
    windows: u64,
}

#[derive(Serialize)]
struct Doc<'a> {
    directed: bool,
    graph: Value,
    links: Vec<LinkOut<'a>>,
    multigraph: bool,
    nodes: Vec<NodeOut<'a>>,
}

/// Writes the node-link document.
pub fn write_node_link(w: &mut impl std::io::Write, g: &CoGraph) -> std::io::Result<()> {
    let nodes = g
        .graph
        .node_weights()
        .map(|n| NodeOut {
            country: &n.country,
            documents: n.documents,
            en: &n.en,
            first: &n.first,
            frequency: n.frequency,
            id: &n.id,
            iso3: &n.iso3,
            label: &n.label,
            last: &n.last,
            role: &n.role,
            timeline: &n.by_date,
            kind: n.kind.as_str(),
            windows: n.windows,
            x: n.x,
            y: n.y,
        })
        .collect();
    let evidence = super::Rendered::first_evidence(g, super::json_string);
    let links = g
        .graph
        .edge_references()
        .map(|e| {
            let w = e.weight();
            LinkOut {
                documents: w.documents,
                evidence: w.evidence.first().map(|v| &**evidence.get(&v.text)),
                first: &w.first,
                jaccard: w.jaccard,
                last: &w.last,
                npmi: w.npmi,
                pmi: w.pmi,
                source: &g.graph[e.source()].id,
                target: &g.graph[e.target()].id,
                timeline: &w.by_date,
                weight: w.weight,
                windows: w.windows,
            }
        })
        .collect();
    let graph = Value::Object(super::stamp_json(g));
    serde_json::to_writer(&mut *w, &Doc { directed: false, graph, links, multigraph: false, nodes })?;
    w.write_all(b"\n")
}

/// The node-link document as a value (for tests and callers that want to inspect it).
pub fn node_link(g: &CoGraph) -> Value {
    let mut buf = Vec::new();
    write_node_link(&mut buf, g).expect("writing to memory");
    serde_json::from_slice(&buf).expect("our own JSON")
}
