//! json: the co-occurrence graph in networkx's node-link form (`directed`, `multigraph`,
//! `graph`, `nodes`, `links`), which `networkx.node_link_graph(data, edges="links")` loads.
//!
//! `graph` holds the stamp (version, dictionary fingerprint, options). Nodes carry every
//! attribute, including mentions per date (`timeline`); links carry the weights, the dates,
//! shared windows per date and the first evidence sentence.

use std::collections::BTreeMap;
use std::io::{self, Write};

use petgraph::visit::EdgeRef;
use serde_json::Value;

use super::{json_f64, json_int, json_opt_str, json_str};
use crate::graph::CoGraph;

// Fields in alphabetical order, as serde_json's sorted maps would write them. The document is
// written field by field: its timelines (a date key per day a node or pair occurs on, 160,000
// of them for corpus/zh) and per-link keys went through serde's escaping one by one. A test
// checks the bytes are those of the serde rendering it replaced.

/// Mentions or shared windows per date, as a JSON object.
fn timeline(w: &mut impl Write, by_date: &BTreeMap<String, u64>) -> io::Result<()> {
    w.write_all(b"{")?;
    for (i, (d, n)) in by_date.iter().enumerate() {
        if i > 0 {
            w.write_all(b",")?;
        }
        json_str(w, d)?;
        w.write_all(b":")?;
        json_int(w, *n)?;
    }
    w.write_all(b"}")
}

/// Writes the node-link document.
pub fn write_node_link(w: &mut impl Write, g: &CoGraph) -> io::Result<()> {
    write_node_link_with(w, g, &super::json_evidence(g))
}

/// [`write_node_link`] with the evidence sentences quoted already (see
/// [`super::json_evidence`]), which `evidence.jsonl` shares.
pub(crate) fn write_node_link_with(w: &mut impl Write, g: &CoGraph, evidence: &super::Rendered<Box<serde_json::value::RawValue>>) -> io::Result<()> {
    w.write_all(b"{\"directed\":false,\"graph\":")?;
    serde_json::to_writer(&mut *w, &super::stamp_json(g))?;
    w.write_all(b",\"links\":[")?;
    for (i, e) in g.graph.edge_references().enumerate() {
        let l = e.weight();
        w.write_all(if i > 0 { b",{\"documents\":" } else { b"{\"documents\":" })?;
        json_int(w, l.documents)?;
        if let Some(v) = l.evidence.first() {
            w.write_all(b",\"evidence\":")?;
            w.write_all(evidence.get(&v.text).get().as_bytes())?;
        }
        json_opt_str(w, b",\"first\":", l.first.as_deref())?;
        w.write_all(b",\"jaccard\":")?;
        json_f64(w, l.jaccard)?;
        json_opt_str(w, b",\"last\":", l.last.as_deref())?;
        w.write_all(b",\"npmi\":")?;
        json_f64(w, l.npmi)?;
        w.write_all(b",\"pmi\":")?;
        json_f64(w, l.pmi)?;
        w.write_all(b",\"source\":")?;
        json_str(w, &g.graph[e.source()].id)?;
        w.write_all(b",\"target\":")?;
        json_str(w, &g.graph[e.target()].id)?;
        w.write_all(b",\"timeline\":")?;
        timeline(w, &l.by_date)?;
        w.write_all(b",\"weight\":")?;
        json_f64(w, l.weight)?;
        w.write_all(b",\"windows\":")?;
        json_int(w, l.windows)?;
        w.write_all(b"}")?;
    }
    w.write_all(b"],\"multigraph\":false,\"nodes\":[")?;
    for (i, n) in g.graph.node_weights().enumerate() {
        w.write_all(if i > 0 { b",{" } else { b"{" })?;
        // `country` is optional and first: the comma goes before each later field.
        let mut sep: &[u8] = b"";
        if let Some(c) = &n.country {
            w.write_all(b"\"country\":")?;
            json_str(w, c)?;
            sep = b",";
        }
        w.write_all(sep)?;
        w.write_all(b"\"documents\":")?;
        json_int(w, n.documents)?;
        w.write_all(b",\"en\":")?;
        json_str(w, &n.en)?;
        json_opt_str(w, b",\"first\":", n.first.as_deref())?;
        w.write_all(b",\"frequency\":")?;
        json_int(w, n.frequency)?;
        w.write_all(b",\"id\":")?;
        json_str(w, &n.id)?;
        json_opt_str(w, b",\"iso3\":", n.iso3.as_deref())?;
        w.write_all(b",\"label\":")?;
        json_str(w, &n.label)?;
        json_opt_str(w, b",\"last\":", n.last.as_deref())?;
        json_opt_str(w, b",\"role\":", n.role.as_deref())?;
        w.write_all(b",\"timeline\":")?;
        timeline(w, &n.by_date)?;
        w.write_all(b",\"type\":")?;
        json_str(w, n.kind.as_str())?;
        w.write_all(b",\"windows\":")?;
        json_int(w, n.windows)?;
        w.write_all(b",\"x\":")?;
        json_f64(w, n.x)?;
        w.write_all(b",\"y\":")?;
        json_f64(w, n.y)?;
        w.write_all(b"}")?;
    }
    w.write_all(b"]}\n")
}

/// The node-link document as a value (for tests and callers that want to inspect it).
pub fn node_link(g: &CoGraph) -> Value {
    let mut buf = Vec::new();
    write_node_link(&mut buf, g).expect("writing to memory");
    serde_json::from_slice(&buf).expect("our own JSON")
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use petgraph::visit::EdgeRef;
    use serde::Serialize;
    use serde_json::Value;

    use crate::graph::CoGraph;

        // The serde rendering the hand-written one replaced.

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

    fn serde_node_link(w: &mut impl std::io::Write, g: &CoGraph) -> std::io::Result<()> {
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
        let evidence = crate::export::Rendered::first_evidence(g, crate::export::json_string);
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
        let graph = Value::Object(crate::export::stamp_json(g));
        serde_json::to_writer(&mut *w, &Doc { directed: false, graph, links, multigraph: false, nodes })?;
        w.write_all(b"\n")
    }

    #[test]
    fn the_document_is_serdes_bytes() {
        let pipeline = crate::Pipeline::new(&crate::Config::default()).unwrap();
        let mut totals = crate::cooccur::Totals::new(3);
        for d in crate::read::corpus(&["tests/fixtures/sample".into()]).filter_map(Result::ok) {
            totals.add(pipeline.process(&d).counts);
        }
        let mut g = crate::graph::build(&pipeline.dicts, totals, pipeline.stamp(), &crate::graph::GraphConfig::default());
        // The rare paths: a quote and a tab in a label, a missing country, a NaN.
        let first = g.graph.node_indices().next().unwrap();
        g.graph[first].label = "\"引号\"\t".into();
        g.graph[first].country = None;
        if let Some(e) = g.graph.edge_indices().next() {
            g.graph[e].pmi = f64::NAN;
        }
        let (mut got, mut want) = (Vec::new(), Vec::new());
        super::write_node_link(&mut got, &g).unwrap();
        serde_node_link(&mut want, &g).unwrap();
        assert!(g.graph.edge_count() > 50, "{} edges", g.graph.edge_count());
        assert_eq!(String::from_utf8(got).unwrap(), String::from_utf8(want).unwrap());
    }
}
