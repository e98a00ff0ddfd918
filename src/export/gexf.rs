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

use std::fmt;

use petgraph::visit::EdgeRef;

use super::{float, Escaped, Rendered};
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

/// Static edge attributes: (id, title, type).
const EDGE_ATTRS: &[(&str, &str, &str)] = &[
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

fn attvalue(f: &mut fmt::Formatter<'_>, key: &str, v: &str) -> fmt::Result {
    if v.trim().is_empty() {
        return Ok(());
    }
    writeln!(f, r#"        <attvalue for="{key}" value="{}"/>"#, Escaped(v))
}

fn dynamic(f: &mut fmt::Formatter<'_>, key: &str, by_date: &std::collections::BTreeMap<String, u64>) -> fmt::Result {
    for (d, n) in by_date {
        writeln!(f, r#"        <attvalue for="{key}" value="{n}" start="{d}" end="{d}"/>"#, d = Escaped(d))?;
    }
    Ok(())
}

fn spells(f: &mut fmt::Formatter<'_>, by_date: &std::collections::BTreeMap<String, u64>) -> fmt::Result {
    if by_date.is_empty() {
        return Ok(());
    }
    writeln!(f, "      <spells>")?;
    for d in by_date.keys() {
        writeln!(f, r#"        <spell start="{d}" end="{d}"/>"#, d = Escaped(d))?;
    }
    writeln!(f, "      </spells>")
}

impl fmt::Display for Gexf<'_> {
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
        attributes(f, "edge", "static", EDGE_ATTRS)?;
        if range.is_some() {
            attributes(f, "node", "dynamic", &[("mentions_on", "mentions on date", "integer")])?;
            attributes(f, "edge", "dynamic", &[("windows_on", "windows on date", "integer")])?;
        }
        writeln!(f, r#"    <nodes count="{}">"#, g.node_count())?;
        for n in g.node_weights() {
            writeln!(f, r#"      <node id="{}" label="{}">"#, Escaped(&n.id), Escaped(if n.label.trim().is_empty() { &n.id } else { &n.label }))?;
            writeln!(f, "        <attvalues>")?;
            for (key, value) in n.attributes() {
                attvalue(f, key, &value)?;
            }
            if range.is_some() {
                dynamic(f, "mentions_on", &n.by_date)?;
            }
            writeln!(f, "        </attvalues>")?;
            if range.is_some() {
                spells(f, &n.by_date)?;
            }
            let (r, gr, b) = color(n.kind);
            writeln!(f, r#"        <viz:color r="{r}" g="{gr}" b="{b}" a="1.0"/>"#)?;
            writeln!(f, r#"        <viz:position x="{:.2}" y="{:.2}" z="0.0"/>"#, n.x, n.y)?;
            writeln!(f, r#"        <viz:size value="{:.2}"/>"#, n.size)?;
            writeln!(f, "      </node>")?;
        }
        writeln!(f, "    </nodes>")?;
        writeln!(f, r#"    <edges count="{}">"#, g.edge_count())?;
        let evidence = Rendered::first_evidence(self.0, |s| Escaped(s).to_string());
        for (i, e) in g.edge_references().enumerate() {
            let w = e.weight();
            writeln!(
                f,
                r#"      <edge id="e{i}" source="{}" target="{}" weight="{}">"#,
                Escaped(&g[e.source()].id),
                Escaped(&g[e.target()].id),
                float(w.weight)
            )?;
            writeln!(f, "        <attvalues>")?;
            attvalue(f, "windows", &w.windows.to_string())?;
            attvalue(f, "documents", &w.documents.to_string())?;
            attvalue(f, "pmi", &float(w.pmi))?;
            attvalue(f, "npmi", &float(w.npmi))?;
            attvalue(f, "jaccard", &float(w.jaccard))?;
            attvalue(f, "first", w.first.as_deref().unwrap_or(""))?;
            attvalue(f, "last", w.last.as_deref().unwrap_or(""))?;
            if let Some(v) = w.evidence.first().filter(|v| !v.text.trim().is_empty()) {
                writeln!(f, r#"        <attvalue for="evidence" value="{}"/>"#, evidence.get(&v.text))?;
            }
            if range.is_some() {
                dynamic(f, "windows_on", &w.by_date)?;
            }
            writeln!(f, "        </attvalues>")?;
            if range.is_some() {
                spells(f, &w.by_date)?;
            }
            writeln!(f, "      </edge>")?;
        }
        writeln!(f, "    </edges>")?;
        writeln!(f, "  </graph>")?;
        writeln!(f, "</gexf>")
    }
}
