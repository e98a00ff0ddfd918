//! json: the co-occurrence graph in networkx's node-link form (`directed`, `multigraph`,
//! `graph`, `nodes`, `links`), which `networkx.node_link_graph(data, edges="links")` loads.

use petgraph::visit::EdgeRef;
use serde_json::{json, Map, Value};

use crate::graph::CoGraph;

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
            if let Some(iso) = &n.iso3 {
                m.insert("iso3".into(), json!(iso));
            }
            if let Some(c) = &n.country {
                m.insert("country".into(), json!(c));
            }
            m.insert("frequency".into(), json!(n.frequency));
            m.insert("documents".into(), json!(n.documents));
            Value::Object(m)
        })
        .collect();
    let links: Vec<Value> = g
        .graph
        .edge_references()
        .map(|e| {
            json!({
                "source": g.graph[e.source()].id,
                "target": g.graph[e.target()].id,
                "weight": e.weight().weight as f64,
                "documents": e.weight().documents,
            })
        })
        .collect();
    json!({
        "directed": false,
        "multigraph": false,
        "graph": {
            "diplograph": s.version,
            "dictionaries": s.dictionaries,
            "window": s.window,
            "node_types": s.node_types,
        },
        "nodes": nodes,
        "links": links,
    })
}
