//! graphml: the co-occurrence graph as GraphML for Gephi, networkx and igraph.
//!
//! Every key is declared with `for="node"` or `for="edge"` and a type all three readers know
//! (`string`, `int`, `double`); `label`, `weight`, `x`, `y` and `size` use the ids Gephi takes
//! as its built-in label, weight, position and size. Other key ids are unique across nodes and
//! edges (`node_windows`, `edge_windows`, …) with the plain name as `attr.name`. Node ids are
//! the canonical ids, edge ids `e0, e1, …`, there are no parallel edges, empty values are left
//! out, and the stamp goes in a comment (graph-level data makes Gephi warn).

use std::fmt;

use petgraph::visit::EdgeRef;

use super::{float, Escaped, Rendered};
use crate::graph::CoGraph;

/// A GraphML view of a graph; `Display` writes the document.
pub struct GraphMl<'a>(pub &'a CoGraph);

const KEYS: &[(&str, &str, &str, &str)] = &[
    ("label", "node", "label", "string"),
    ("en", "node", "en", "string"),
    ("type", "node", "type", "string"),
    ("iso3", "node", "iso3", "string"),
    ("country", "node", "country", "string"),
    ("role", "node", "role", "string"),
    ("frequency", "node", "frequency", "int"),
    ("node_windows", "node", "windows", "int"),
    ("documents", "node", "documents", "int"),
    ("first", "node", "first", "string"),
    ("last", "node", "last", "string"),
    ("x", "node", "x", "double"),
    ("y", "node", "y", "double"),
    ("size", "node", "size", "double"),
    ("weight", "edge", "weight", "double"),
    ("edge_windows", "edge", "windows", "int"),
    ("edge_documents", "edge", "documents", "int"),
    ("pmi", "edge", "pmi", "double"),
    ("npmi", "edge", "npmi", "double"),
    ("jaccard", "edge", "jaccard", "double"),
    ("edge_first", "edge", "first", "string"),
    ("edge_last", "edge", "last", "string"),
    ("evidence", "edge", "evidence", "string"),
];

fn data(f: &mut fmt::Formatter<'_>, key: &str, v: &str) -> fmt::Result {
    if v.trim().is_empty() {
        return Ok(());
    }
    write!(f, r#"<data key="{key}">{}</data>"#, Escaped(v))
}

impl fmt::Display for GraphMl<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let g = &self.0.graph;
        writeln!(f, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
        // `--` may not appear inside an XML comment.
        writeln!(f, "<!-- {} -->", Escaped(&self.0.stamp.line()).to_string().replace("--", "- -"))?;
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
            data(f, "label", &n.label)?;
            for (name, value) in n.attributes() {
                // The node's `windows` key has its own id: key ids are shared by nodes and edges.
                data(f, if name == "windows" { "node_windows" } else { name }, &value)?;
            }
            data(f, "x", &format!("{:.2}", n.x))?;
            data(f, "y", &format!("{:.2}", n.y))?;
            data(f, "size", &format!("{:.2}", n.size))?;
            writeln!(f, "</node>")?;
        }
        let evidence = Rendered::first_evidence(self.0, |s| Escaped(s).to_string());
        for (i, e) in g.edge_references().enumerate() {
            let w = e.weight();
            write!(f, r#"    <edge id="e{i}" source="{}" target="{}">"#, Escaped(&g[e.source()].id), Escaped(&g[e.target()].id))?;
            data(f, "weight", &float(w.weight))?;
            data(f, "edge_windows", &w.windows.to_string())?;
            data(f, "edge_documents", &w.documents.to_string())?;
            data(f, "pmi", &float(w.pmi))?;
            data(f, "npmi", &float(w.npmi))?;
            data(f, "jaccard", &float(w.jaccard))?;
            data(f, "edge_first", w.first.as_deref().unwrap_or(""))?;
            data(f, "edge_last", w.last.as_deref().unwrap_or(""))?;
            if let Some(v) = w.evidence.first().filter(|v| !v.text.trim().is_empty()) {
                write!(f, r#"<data key="evidence">{}</data>"#, evidence.get(&v.text))?;
            }
            writeln!(f, "</edge>")?;
        }
        writeln!(f, "  </graph>")?;
        writeln!(f, "</graphml>")
    }
}
