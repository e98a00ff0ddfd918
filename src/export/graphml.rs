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

use super::{push_edge_start, push_escaped, Escaped, Markup, Rendered};
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

/// The keys of an edge's values after its weight (see [`Markup::edge_values`]).
const EDGE_KEYS: [&str; 8] = ["edge_windows", "edge_documents", "pmi", "npmi", "jaccard", "edge_first", "edge_last", "evidence"];

/// A data element.
const DATA: Markup = Markup { open: r#"<data key=""#, mid: r#"">"#, close: "</data>" };

impl fmt::Display for GraphMl<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", GraphMlWith(self.0, &super::xml_evidence(self.0)))
    }
}

/// [`GraphMl`] with the edges' first evidence sentences escaped already (see
/// [`super::xml_evidence`]), which GEXF shares.
pub(crate) struct GraphMlWith<'a>(pub &'a CoGraph, pub &'a Rendered<Option<String>>);

impl fmt::Display for GraphMlWith<'_> {
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
        let mut out = String::new();
        for n in g.node_weights() {
            out.clear();
            out.push_str(r#"    <node id=""#);
            push_escaped(&mut out, &n.id);
            out.push_str(r#"">"#);
            DATA.text(&mut out, "label", &n.label);
            for (name, value) in n.attributes() {
                // The node's `windows` key has its own id: key ids are shared by nodes and edges.
                DATA.text(&mut out, if name == "windows" { "node_windows" } else { name }, &value);
            }
            DATA.raw(&mut out, "x", &format!("{:.2}", n.x));
            DATA.raw(&mut out, "y", &format!("{:.2}", n.y));
            DATA.raw(&mut out, "size", &format!("{:.2}", n.size));
            out.push_str("</node>\n");
            f.write_str(&out)?;
        }
        let evidence = self.1;
        for (i, e) in g.edge_references().enumerate() {
            let w = e.weight();
            out.clear();
            push_edge_start(&mut out, "    ", i, &g[e.source()].id, &g[e.target()].id);
            out.push('>');
            DATA.float(&mut out, "weight", w.weight);
            DATA.edge_values(&mut out, EDGE_KEYS, w, evidence);
            out.push_str("</edge>\n");
            f.write_str(&out)?;
        }
        writeln!(f, "  </graph>")?;
        writeln!(f, "</graphml>")
    }
}
