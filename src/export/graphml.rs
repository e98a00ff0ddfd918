//! graphml: the co-occurrence graph as GraphML for Gephi, networkx and igraph.
//!
//! Every key is declared with `for="node"` or `for="edge"` and a type all three readers know
//! (`string`, `int`, `double`); `label` and `weight` use the ids Gephi takes as its built-in
//! label and weight. Node ids are the canonical ids, edge ids `e0, e1, …`, there are no parallel
//! edges, and the stamp goes in a comment (graph-level data makes Gephi warn).

use std::fmt;

use petgraph::visit::EdgeRef;

use super::Escaped;
use crate::graph::CoGraph;

/// A GraphML view of a graph; `Display` writes the document.
pub struct GraphMl<'a>(pub &'a CoGraph);

const KEYS: &[(&str, &str, &str, &str)] = &[
    ("label", "node", "label", "string"),
    ("en", "node", "en", "string"),
    ("type", "node", "type", "string"),
    ("iso3", "node", "iso3", "string"),
    ("country", "node", "country", "string"),
    ("frequency", "node", "frequency", "int"),
    ("documents", "node", "documents", "int"),
    ("weight", "edge", "weight", "double"),
    ("edge_documents", "edge", "documents", "int"),
];

impl fmt::Display for GraphMl<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let g = &self.0.graph;
        let s = &self.0.stamp;
        writeln!(f, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
        writeln!(
            f,
            "<!-- diplograph {} dictionaries={} window={} node-types={} -->",
            Escaped(&s.version),
            Escaped(&s.dictionaries),
            Escaped(&s.window),
            Escaped(&s.node_types)
        )?;
        writeln!(
            f,
            r#"<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">"#
        )?;
        for (id, on, name, ty) in KEYS {
            writeln!(f, r#"  <key id="{id}" for="{on}" attr.name="{name}" attr.type="{ty}"/>"#)?;
        }
        writeln!(f, r#"  <graph id="G" edgedefault="undirected">"#)?;
        for n in g.node_weights() {
            write!(f, r#"    <node id="{}">"#, Escaped(&n.id))?;
            let mut data = |key: &str, v: &str| -> fmt::Result {
                if v.trim().is_empty() {
                    return Ok(());
                }
                write!(f, r#"<data key="{key}">{}</data>"#, Escaped(v))
            };
            data("label", &n.label)?;
            data("en", &n.en)?;
            data("type", n.kind.as_str())?;
            data("iso3", n.iso3.as_deref().unwrap_or(""))?;
            data("country", n.country.as_deref().unwrap_or(""))?;
            data("frequency", &n.frequency.to_string())?;
            data("documents", &n.documents.to_string())?;
            writeln!(f, "</node>")?;
        }
        for (i, e) in g.edge_references().enumerate() {
            writeln!(
                f,
                r#"    <edge id="e{i}" source="{}" target="{}"><data key="weight">{:.1}</data><data key="edge_documents">{}</data></edge>"#,
                Escaped(&g[e.source()].id),
                Escaped(&g[e.target()].id),
                e.weight().weight as f64,
                e.weight().documents
            )?;
        }
        writeln!(f, "  </graph>")?;
        writeln!(f, "</graphml>")
    }
}
