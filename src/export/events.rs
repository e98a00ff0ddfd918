//! events: the directed event layer — `events.graphml` and `dyads.csv`.
//!
//! [`EventAgg`] takes each document's events and keeps, per directed source → recipient pair
//! of actors, the counts per PLOVER type and per quad category, the first and last date and the
//! first evidence sentence (of the least document id, so that documents may come in any order
//! and partial runs merge with [`EventAgg::merge`]); and per month and directed pair of
//! countries, the counts analysts tabulate first. [`EventGraphMl`] writes the first as GraphML
//! (one edge per pair, the per-type counts as edge attributes, so there are no parallel edges),
//! [`write_dyads`] the second as CSV. Events without a recipient give no edge and no dyad.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::io::Write;

use super::Escaped;
use crate::dict::Dictionaries;
use crate::event::{quad, Event, QUADS, TYPES};
use crate::graph::Stamp;

/// Counts per type (16) then per quad (4), in the order of [`TYPES`] and [`QUADS`].
type Counts = [u32; 20];

fn count(c: &mut Counts, kind: &str) {
    if let Some(t) = TYPES.iter().position(|(t, _)| *t == kind) {
        c[t] += 1;
    }
    if let Some(q) = quad(kind).and_then(|q| QUADS.iter().position(|x| *x == q)) {
        c[16 + q] += 1;
    }
}

/// One directed edge of the event graph.
#[derive(Clone, Debug, Default)]
pub struct EdgeAgg {
    /// Counts per type and quad.
    pub counts: Counts,
    /// Earliest document date (`YYYY-MM-DD`), empty when none is known.
    pub first: String,
    /// Latest document date.
    pub last: String,
    /// The first sentence that gave the edge, in the document of least id.
    pub evidence: String,
    /// Its document.
    pub evidence_doc: String,
}

impl EdgeAgg {
    /// Events on the edge.
    pub fn total(&self) -> u32 {
        self.counts[..16].iter().sum()
    }
}

/// Events aggregated over a corpus, for the event graph and the dyads.
#[derive(Clone, Debug, Default)]
pub struct EventAgg {
    /// (source id, recipient id) → edge.
    pub edges: BTreeMap<(String, String), EdgeAgg>,
    /// (month `YYYY-MM` or `unknown`, source country, recipient country) → counts.
    pub dyads: BTreeMap<(String, String, String), Counts>,
}

impl EventAgg {
    /// Adds one document's events (documents in any order, each once).
    pub fn add(&mut self, doc: &str, events: &[Event]) {
        for e in events {
            if e.context.iter().any(|c| c == "negation") {
                continue;
            }
            let date = e.date.clone().unwrap_or_default();
            for s in &e.source {
                for r in e.recipient.iter().filter(|r| *r != s) {
                    let edge = self.edges.entry((s.clone(), r.clone())).or_default();
                    count(&mut edge.counts, &e.kind);
                    if !e.evidence.is_empty() && (edge.evidence.is_empty() || doc < edge.evidence_doc.as_str()) {
                        edge.evidence = e.evidence.clone();
                        edge.evidence_doc = doc.to_string();
                    }
                    if !date.is_empty() {
                        if edge.first.is_empty() || date < edge.first {
                            edge.first = date.clone();
                        }
                        if date > edge.last {
                            edge.last = date.clone();
                        }
                    }
                }
            }
            let month = if date.len() >= 7 { date[..7].to_string() } else { "unknown".to_string() };
            let mut pairs = BTreeSet::new();
            for s in &e.source_country {
                for r in e.recipient_country.iter().filter(|r| *r != s) {
                    pairs.insert((s.clone(), r.clone()));
                }
            }
            for (s, r) in pairs {
                count(self.dyads.entry((month.clone(), s, r)).or_insert([0; 20]), &e.kind);
            }
        }
    }

    /// Adds the aggregates of other documents (a partial run), in any order.
    pub fn merge(&mut self, other: EventAgg) {
        for (k, o) in other.edges {
            let edge = self.edges.entry(k).or_default();
            for (c, n) in edge.counts.iter_mut().zip(o.counts) {
                *c += n;
            }
            if !o.evidence.is_empty() && (edge.evidence.is_empty() || o.evidence_doc < edge.evidence_doc) {
                edge.evidence = o.evidence;
                edge.evidence_doc = o.evidence_doc;
            }
            if !o.first.is_empty() && (edge.first.is_empty() || o.first < edge.first) {
                edge.first = o.first;
            }
            if o.last > edge.last {
                edge.last = o.last;
            }
        }
        for (k, o) in other.dyads {
            for (c, n) in self.dyads.entry(k).or_insert([0; 20]).iter_mut().zip(o) {
                *c += n;
            }
        }
    }
}

/// A GraphML view of the event graph; `Display` writes the document.
pub struct EventGraphMl<'a> {
    /// The aggregated events.
    pub agg: &'a EventAgg,
    /// For node labels and types.
    pub dicts: &'a Dictionaries,
    /// The run's stamp, written as a comment.
    pub stamp: &'a Stamp,
}

const NODE_KEYS: &[(&str, &str, &str)] =
    &[("label", "label", "string"), ("en", "en", "string"), ("type", "type", "string"), ("country", "country", "string")];
const EDGE_KEYS: &[(&str, &str, &str)] = &[
    ("weight", "weight", "double"),
    ("first_date", "first_date", "string"),
    ("last_date", "last_date", "string"),
    ("evidence", "evidence", "string"),
    ("evidence_doc", "evidence_doc", "string"),
];

fn key_id(name: &str) -> String {
    name.to_ascii_lowercase().replace('-', "_")
}

impl fmt::Display for EventGraphMl<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
        writeln!(f, "<!-- diplograph {} dictionaries={} layer=events -->", Escaped(&self.stamp.version), Escaped(&self.stamp.dictionaries))?;
        writeln!(
            f,
            r#"<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">"#
        )?;
        for (id, name, ty) in NODE_KEYS {
            writeln!(f, r#"  <key id="{id}" for="node" attr.name="{name}" attr.type="{ty}"/>"#)?;
        }
        for (id, name, ty) in EDGE_KEYS {
            writeln!(f, r#"  <key id="{id}" for="edge" attr.name="{name}" attr.type="{ty}"/>"#)?;
        }
        for name in TYPES.iter().map(|(t, _)| *t).chain(QUADS) {
            writeln!(f, r#"  <key id="n_{}" for="edge" attr.name="{name}" attr.type="int"/>"#, key_id(name))?;
        }
        writeln!(f, r#"  <graph id="G" edgedefault="directed">"#)?;
        let nodes: BTreeSet<&String> = self.agg.edges.keys().flat_map(|(s, r)| [s, r]).collect();
        for n in nodes {
            write!(f, r#"    <node id="{}">"#, Escaped(n))?;
            if let Some(e) = self.dicts.lookup(n).map(|id| self.dicts.entity(id)) {
                let country = e.country.clone().or_else(|| e.iso3().map(str::to_string)).unwrap_or_default();
                for (key, v) in [("label", e.label.as_str()), ("en", e.en.as_str()), ("type", e.kind.as_str()), ("country", country.as_str())] {
                    if !v.trim().is_empty() {
                        write!(f, r#"<data key="{key}">{}</data>"#, Escaped(v))?;
                    }
                }
            }
            writeln!(f, "</node>")?;
        }
        for (i, ((s, r), e)) in self.agg.edges.iter().enumerate() {
            write!(f, r#"    <edge id="e{i}" source="{}" target="{}">"#, Escaped(s), Escaped(r))?;
            write!(f, r#"<data key="weight">{:.1}</data>"#, e.total() as f64)?;
            for (key, v) in [("first_date", &e.first), ("last_date", &e.last), ("evidence", &e.evidence), ("evidence_doc", &e.evidence_doc)] {
                if !v.trim().is_empty() {
                    write!(f, r#"<data key="{key}">{}</data>"#, Escaped(v))?;
                }
            }
            for (j, name) in TYPES.iter().map(|(t, _)| *t).chain(QUADS).enumerate() {
                if e.counts[j] > 0 {
                    write!(f, r#"<data key="n_{}">{}</data>"#, key_id(name), e.counts[j])?;
                }
            }
            writeln!(f, "</edge>")?;
        }
        writeln!(f, "  </graph>")?;
        writeln!(f, "</graphml>")
    }
}

/// Writes `dyads.csv`: one row per month and directed country pair, with the events, then the
/// counts per PLOVER type and per quad category.
pub fn write_dyads(w: &mut impl Write, agg: &EventAgg) -> std::io::Result<()> {
    write!(w, "month,source,recipient,events")?;
    for name in TYPES.iter().map(|(t, _)| *t).chain(QUADS) {
        write!(w, ",{name}")?;
    }
    writeln!(w)?;
    for ((month, s, r), c) in &agg.dyads {
        write!(w, "{month},{},{},{}", csv(s), csv(r), c[..16].iter().sum::<u32>())?;
        for n in c {
            write!(w, ",{n}")?;
        }
        writeln!(w)?;
    }
    Ok(())
}

fn csv(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(kind: &str, s: &str, r: &str, date: &str) -> Event {
        Event {
            sentence: 0,
            start: 0,
            end: 6,
            cue: "会见".into(),
            kind: kind.into(),
            source: vec![s.into()],
            recipient: vec![r.into()],
            source_country: vec![s.into()],
            recipient_country: vec![r.into()],
            context: vec![],
            mode: None,
            date: Some(date.into()),
            evidence: "中方愿同俄方一道。".into(),
        }
    }

    #[test]
    fn dyads_per_month_and_type() {
        let mut agg = EventAgg::default();
        agg.add("a", &[ev("AGREE", "CHN", "RUS", "2024-03-07"), ev("CONSULT", "CHN", "RUS", "2024-03-20")]);
        agg.add("b", &[ev("ACCUSE", "CHN", "USA", "2024-04-01")]);
        let mut out = Vec::new();
        write_dyads(&mut out, &agg).unwrap();
        let out = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 3);
        assert!(lines[0].starts_with("month,source,recipient,events,AGREE,CONSULT"));
        assert!(lines[1].starts_with("2024-03,CHN,RUS,2,1,1,0"));
        assert!(lines[2].starts_with("2024-04,CHN,USA,1,0,0,0,0,0,0,0,0,1"));
        let e = &agg.edges[&("CHN".to_string(), "RUS".to_string())];
        assert_eq!((e.total(), e.first.as_str(), e.last.as_str()), (2, "2024-03-07", "2024-03-20"));
    }
}
