//! gexf: the co-occurrence graph as GEXF 1.3 for Gephi (and networkx), ready to look at.
//!
//! Nodes carry their Chinese name as `label`, a colour per type (`viz:color`), a size from the
//! frequency (`viz:size`) and the layout computed in [`crate::graph`] (`viz:position`), so the
//! file opens readable. When documents have dates the graph is dynamic (`mode="dynamic"`,
//! `timeformat="date"`, intervals): every node and edge has one `<spell>` per date it occurs
//! on (start = end = that date), and a dynamic attribute gives mentions (nodes) or shared
//! windows (edges) on each date, so Gephi's timeline can play an edge growing and fading.
//!
//! What Gephi would silently drop or merge is avoided: no attribute id or title is `label`,
//! `weight` or `id` in any case; integers are `type="integer"`; `weight` is always positive
//! (see [`crate::graph`]); there is one edge per pair and the graph is
//! `defaultedgetype="undirected"`. The stamp goes in `<meta><description>`.

use std::fmt::{self, Write as _};

use petgraph::visit::EdgeRef;

use super::{push_edge_start, push_escaped, push_float, Escaped, Markup, Rendered};
use crate::graph::{color, CoGraph};

/// A GEXF view of a graph; `Display` writes the document.
pub struct Gexf<'a>(pub &'a CoGraph);

/// Static node attributes: (id, title, type).
const NODE_ATTRS: &[(&str, &str, &str)] = &[
    ("en", "en", "string"),
    ("type", "type", "string"),
    ("iso3", "iso3", "string"),
    ("country", "country", "string"),
    ("role", "role", "string"),
    ("frequency", "frequency", "integer"),
    ("windows", "windows", "integer"),
    ("documents", "documents", "integer"),
    ("first", "first", "string"),
    ("last", "last", "string"),
];

/// Static edge attributes: (id, title, type), in the order of [`Markup::edge_values`].
const EDGE_ATTRS: [(&str, &str, &str); 8] = [
    ("windows", "windows", "integer"),
    ("documents", "documents", "integer"),
    ("pmi", "pmi", "double"),
    ("npmi", "npmi", "double"),
    ("jaccard", "jaccard", "double"),
    ("first", "first", "string"),
    ("last", "last", "string"),
    ("evidence", "evidence", "string"),
];

fn attributes(f: &mut fmt::Formatter<'_>, class: &str, mode: &str, attrs: &[(&str, &str, &str)]) -> fmt::Result {
    writeln!(f, r#"    <attributes class="{class}" mode="{mode}">"#)?;
    for (id, title, ty) in attrs {
        writeln!(f, r#"      <attribute id="{id}" title="{title}" type="{ty}"/>"#)?;
    }
    writeln!(f, "    </attributes>")
}

/// A date: `YYYY-MM-DD` needs no escape, which a glance at its bytes shows.
fn push_date(out: &mut String, d: &str) {
    if d.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        out.push_str(d);
    } else {
        push_escaped(out, d);
    }
}

/// A static attribute's value.
const ATT: Markup = Markup { open: r#"        <attvalue for=""#, mid: r#"" value=""#, close: "\"/>\n" };

fn dynamic(out: &mut String, key: &str, by_date: &std::collections::BTreeMap<String, u64>) {
    for (d, n) in by_date {
        out.push_str(r#"        <attvalue for=""#);
        out.push_str(key);
        out.push_str(r#"" value=""#);
        out.push_str(itoa::Buffer::new().format(*n));
        out.push_str(r#"" start=""#);
        push_date(out, d);
        out.push_str(r#"" end=""#);
        push_date(out, d);
        out.push_str("\"/>\n");
    }
}

fn spells(out: &mut String, by_date: &std::collections::BTreeMap<String, u64>) {
    if by_date.is_empty() {
        return;
    }
    out.push_str("      <spells>\n");
    for d in by_date.keys() {
        out.push_str(r#"        <spell start=""#);
        push_date(out, d);
        out.push_str(r#"" end=""#);
        push_date(out, d);
        out.push_str("\"/>\n");
    }
    out.push_str("      </spells>\n");
}

impl fmt::Display for Gexf<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", GexfWith(self.0, &super::xml_evidence(self.0)))
    }
}

/// [`Gexf`] with the edges' first evidence sentences escaped already (see
/// [`super::xml_evidence`]), which GraphML shares.
pub(crate) struct GexfWith<'a>(pub &'a CoGraph, pub &'a Rendered<Option<String>>);

impl fmt::Display for GexfWith<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let g = &self.0.graph;
        let s = &self.0.stamp;
        let range = self.0.date_range();
        writeln!(f, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
        writeln!(
            f,
            r#"<gexf xmlns="http://gexf.net/1.3" xmlns:viz="http://gexf.net/1.3/viz" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://gexf.net/1.3 http://gexf.net/1.3/gexf.xsd" version="1.3">"#
        )?;
        writeln!(f, "  <meta>")?;
        writeln!(f, "    <creator>diplograph {}</creator>", Escaped(&s.version))?;
        writeln!(f, "    <keywords>co-occurrence, {}</keywords>", self.0.weight_by.as_str())?;
        writeln!(f, "    <description>{}</description>", Escaped(&s.line()))?;
        writeln!(f, "  </meta>")?;
        match range {
            Some((a, b)) => writeln!(
                f,
                r#"  <graph defaultedgetype="undirected" mode="dynamic" timeformat="date" timerepresentation="interval" start="{}" end="{}">"#,
                Escaped(a),
                Escaped(b)
            )?,
            None => writeln!(f, r#"  <graph defaultedgetype="undirected" mode="static">"#)?,
        }
        attributes(f, "node", "static", NODE_ATTRS)?;
        attributes(f, "edge", "static", &EDGE_ATTRS)?;
        if range.is_some() {
            attributes(f, "node", "dynamic", &[("mentions_on", "mentions on date", "integer")])?;
            attributes(f, "edge", "dynamic", &[("windows_on", "windows on date", "integer")])?;
        }
        writeln!(f, r#"    <nodes count="{}">"#, g.node_count())?;
        let mut out = String::new();
        for n in g.node_weights() {
            out.clear();
            out.push_str(r#"      <node id=""#);
            push_escaped(&mut out, &n.id);
            out.push_str(r#"" label=""#);
            push_escaped(&mut out, if n.label.trim().is_empty() { &n.id } else { &n.label });
            out.push_str("\">\n        <attvalues>\n");
            for (key, value) in n.attributes() {
                ATT.text(&mut out, key, &value);
            }
            if range.is_some() {
                dynamic(&mut out, "mentions_on", &n.by_date);
            }
            out.push_str("        </attvalues>\n");
            if range.is_some() {
                spells(&mut out, &n.by_date);
            }
            let (r, gr, b) = color(n.kind);
            writeln!(out, r#"        <viz:color r="{r}" g="{gr}" b="{b}" a="1.0"/>"#)?;
            writeln!(out, r#"        <viz:position x="{:.2}" y="{:.2}" z="0.0"/>"#, n.x, n.y)?;
            writeln!(out, r#"        <viz:size value="{:.2}"/>"#, n.size)?;
            out.push_str("      </node>\n");
            f.write_str(&out)?;
        }
        writeln!(f, "    </nodes>")?;
        writeln!(f, r#"    <edges count="{}">"#, g.edge_count())?;
        let evidence = self.1;
        for (i, e) in g.edge_references().enumerate() {
            let w = e.weight();
            out.clear();
            push_edge_start(&mut out, "      ", i, &g[e.source()].id, &g[e.target()].id);
            out.push_str(r#" weight=""#);
            push_float(&mut out, w.weight);
            out.push_str("\">\n        <attvalues>\n");
            ATT.edge_values(&mut out, EDGE_ATTRS.map(|(id, _, _)| id), w, evidence);
            if range.is_some() {
                dynamic(&mut out, "windows_on", &w.by_date);
            }
            out.push_str("        </attvalues>\n");
            if range.is_some() {
                spells(&mut out, &w.by_date);
            }
            out.push_str("      </edge>\n");
            f.write_str(&out)?;
        }
        writeln!(f, "    </edges>")?;
        writeln!(f, "  </graph>")?;
        writeln!(f, "</gexf>")
    }
}
