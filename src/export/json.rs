//! json: the co-occurrence graph in networkx's node-link form (`directed`, `multigraph`,
//! `graph`, `nodes`, `links`), which `networkx.node_link_graph(data, edges="links")` loads.
//!
//! `graph` holds the stamp (version, dictionary fingerprint, options). Nodes carry every
//! attribute, including mentions per date (`timeline`); links carry the weights, the dates,
//! shared windows per date and the first evidence sentence.

use petgraph::visit::EdgeRef;
use serde_json::{json, Map, Value};

use crate::graph::CoGraph;

fn opt(m: &mut Map<String, Value>, k: &str, v: &Option<String>) {
    if let Some(v) = v {
        m.insert(k.into(), json!(v));
    }
}

/// The node-link document.
pub fn node_link(g: &CoGraph) -> Value {
    let s = &g.stamp;
    let nodes: Vec<Value> = g
        .graph
        .node_weights()
        .map(|n| {
            let mut m = Map::new();
            m.insert("id".into(), json!(n.id));
            m.insert("label".into(), json!(n.label));
            m.insert("en".into(), json!(n.en));
            m.insert("type".into(), json!(n.kind.as_str()));
            opt(&mut m, "iso3", &n.iso3);
            opt(&mut m, "country", &n.country);
            opt(&mut m, "role", &n.role);
            m.insert("frequency".into(), json!(n.frequency));
            m.insert("windows".into(), json!(n.windows));
            m.insert("documents".into(), json!(n.documents));
            opt(&mut m, "first", &n.first);
            opt(&mut m, "last", &n.last);
            m.insert("x".into(), json!(n.x));
            m.insert("y".into(), json!(n.y));
            m.insert("timeline".into(), json!(n.by_date));
            Value::Object(m)
        })
        .collect();
    let links: Vec<Value> = g
        .graph
        .edge_references()
        .map(|e| {
            let w = e.weight();
            let mut m = Map::new();
            m.insert("source".into(), json!(g.graph[e.source()].id));
            m.insert("target".into(), json!(g.graph[e.target()].id));
            m.insert("weight".into(), json!(w.weight));
            m.insert("windows".into(), json!(w.windows));
            m.insert("documents".into(), json!(w.documents));
            m.insert("pmi".into(), json!(w.pmi));
            m.insert("npmi".into(), json!(w.npmi));
            m.insert("jaccard".into(), json!(w.jaccard));
            opt(&mut m, "first", &w.first);
            opt(&mut m, "last", &w.last);
            m.insert("timeline".into(), json!(w.by_date));
            if let Some(v) = w.evidence.first() {
                m.insert("evidence".into(), json!(v.text));
            }
            Value::Object(m)
        })
        .collect();
    let options: Map<String, Value> = s.options.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
    json!({
        "directed": false,
        "multigraph": false,
        "graph": {
            "diplograph": s.version,
            "dictionaries": s.dictionaries,
            "options": options,
            "weight": g.weight_by.as_str(),
            "documents": g.documents,
            "windows": g.windows,
        },
        "nodes": nodes,
        "links": links,
    })
}
