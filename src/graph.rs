//! graph: the co-occurrence graph as a petgraph `UnGraph`, with the attributes every export
//! writes, the export filters ([`GraphConfig`]) and a deterministic layout.
//!
//! Nodes are added in a fixed order (type, then id) and edges as sorted pairs, so the same
//! corpus always gives the same node and edge indices. The layout is ForceAtlas2 (linear
//! attraction weighted by `ln(1 + windows)`, degree-weighted repulsion, strong gravity, adaptive
//! speed), computed single-threaded from starting positions hashed from the node ids, for a
//! fixed number of iterations: no randomness, no clock, the same picture for the same graph.
//!
//! Files never carry a zero or negative `weight` (Gephi removes an edge of weight 0 and warns on
//! a negative one), so the measure chosen by `--weight` is mapped to a positive number with the
//! same order: windows as they are (≥ 1), Jaccard as it is (in (0, 1]), NPMI as
//! `(npmi + 1) / 2` (in (0, 1]), PMI as `exp(pmi)`, the lift `P(a,b) / (P(a)·P(b))` (> 0). The
//! raw values stay in the `windows`, `pmi`, `npmi` and `jaccard` attributes.

use std::collections::BTreeMap;

use petgraph::graph::{NodeIndex, UnGraph};

use crate::cooccur::{Evidence, Measures, Totals};
use crate::dict::{Dictionaries, Kind};

/// Which measure becomes an edge's `weight`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum WeightBy {
    /// Shared windows (the default).
    #[default]
    Windows,
    /// PMI, written as the lift `exp(pmi)`.
    Pmi,
    /// NPMI, written as `(npmi + 1) / 2`.
    Npmi,
    /// Jaccard.
    Jaccard,
}

impl WeightBy {
    /// Parses `windows|pmi|npmi|jaccard`.
    pub fn parse(s: &str) -> Option<WeightBy> {
        Some(match s {
            "windows" => WeightBy::Windows,
            "pmi" => WeightBy::Pmi,
            "npmi" => WeightBy::Npmi,
            "jaccard" => WeightBy::Jaccard,
            _ => return None,
        })
    }

    /// The name used on the command line and in stamps.
    pub fn as_str(self) -> &'static str {
        match self {
            WeightBy::Windows => "windows",
            WeightBy::Pmi => "pmi",
            WeightBy::Npmi => "npmi",
            WeightBy::Jaccard => "jaccard",
        }
    }
}

/// What goes into the exported graph.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GraphConfig {
    /// The measure written as `weight`.
    pub weight: WeightBy,
    /// Edges whose raw measure (before the positive mapping) is below this are left out.
    pub min_weight: Option<f64>,
    /// Nodes with fewer mentions are left out.
    pub min_frequency: u64,
    /// Keep only the N most frequent nodes (ties by id); 0 keeps all.
    pub top: usize,
    /// Count only documents dated on or after this `YYYY-MM-DD` (undated ones are left out).
    pub from: Option<String>,
    /// Count only documents dated on or before this `YYYY-MM-DD` (undated ones are left out).
    pub to: Option<String>,
    /// Node types kept; empty keeps all.
    pub types: Vec<Kind>,
}

impl GraphConfig {
    /// Whether a document with this date is counted under `--from`/`--to`.
    pub fn keeps_date(&self, date: Option<&str>) -> bool {
        if self.from.is_none() && self.to.is_none() {
            return true;
        }
        let Some(d) = date else { return false };
        self.from.as_deref().is_none_or(|f| d >= f) && self.to.as_deref().is_none_or(|t| d <= t)
    }
}

/// A node: an entity (or a figure, with `--node-types figure`).
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// Canonical id.
    pub id: String,
    /// Chinese name.
    pub label: String,
    /// English name.
    pub en: String,
    /// Type.
    pub kind: Kind,
    /// ISO3 for countries.
    pub iso3: Option<String>,
    /// The country of a leader or organization.
    pub country: Option<String>,
    /// A leader's role on the last date the leader is mentioned.
    pub role: Option<String>,
    /// Mentions in the corpus.
    pub frequency: u64,
    /// Windows that mention it.
    pub windows: u64,
    /// Documents that mention it.
    pub documents: u64,
    /// First date mentioned.
    pub first: Option<String>,
    /// Last date mentioned.
    pub last: Option<String>,
    /// Mentions per date.
    pub by_date: BTreeMap<String, u64>,
    /// Layout position.
    pub x: f64,
    /// Layout position.
    pub y: f64,
    /// Drawing size, from the frequency.
    pub size: f64,
}

impl Node {
    /// The names of [`Node::attributes`], in order.
    pub const ATTRIBUTES: [&'static str; 10] =
        ["en", "type", "iso3", "country", "role", "frequency", "windows", "documents", "first", "last"];

    /// The attributes every export writes after the id and label, in the order of
    /// [`Node::ATTRIBUTES`], as (name, value); an empty value is an absent attribute. GraphML,
    /// GEXF and CSV all list these.
    pub fn attributes(&self) -> [(&'static str, String); 10] {
        let opt = |v: &Option<String>| v.clone().unwrap_or_default();
        let values = [
            self.en.clone(),
            self.kind.as_str().to_string(),
            opt(&self.iso3),
            opt(&self.country),
            opt(&self.role),
            self.frequency.to_string(),
            self.windows.to_string(),
            self.documents.to_string(),
            opt(&self.first),
            opt(&self.last),
        ];
        let mut names = Self::ATTRIBUTES.into_iter();
        values.map(|v| (names.next().unwrap_or_default(), v))
    }
}

/// An edge between two nodes that share windows.
#[derive(Clone, Debug, PartialEq)]
pub struct Edge {
    /// The chosen measure mapped to a positive number (see the module docs).
    pub weight: f64,
    /// Shared windows.
    pub windows: u64,
    /// Documents in which they share a window.
    pub documents: u64,
    /// PMI over windows.
    pub pmi: f64,
    /// Normalized PMI.
    pub npmi: f64,
    /// Jaccard over windows.
    pub jaccard: f64,
    /// First date they share a window.
    pub first: Option<String>,
    /// Last date they share a window.
    pub last: Option<String>,
    /// Shared windows per date.
    pub by_date: BTreeMap<String, u64>,
    /// The first examples in corpus order.
    pub evidence: Vec<Evidence>,
}

/// What made a graph: enough to re-run a batch and diff it (no paths, hosts or times).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Stamp {
    /// diplograph's version.
    pub version: String,
    /// Fingerprint of the dictionaries, hex.
    pub dictionaries: String,
    /// Options that affect results, as `(flag, value)` in a fixed order.
    pub options: Vec<(String, String)>,
}

impl Stamp {
    /// One line: `diplograph 0.1.0 dictionaries=… window=sentence …`.
    pub fn line(&self) -> String {
        let mut s = format!("diplograph {} dictionaries={}", self.version, self.dictionaries);
        for (k, v) in &self.options {
            s.push_str(&format!(" {k}={v}"));
        }
        s
    }
}

/// The co-occurrence graph with its stamp and corpus figures.
#[derive(Clone, Debug)]
pub struct CoGraph {
    /// Nodes and edges.
    pub graph: UnGraph<Node, Edge>,
    /// How it was made.
    pub stamp: Stamp,
    /// The measure `weight` holds.
    pub weight_by: WeightBy,
    /// Documents counted.
    pub documents: u64,
    /// Windows with a node mention, the `N` of the measures.
    pub windows: u64,
}

impl CoGraph {
    /// The first and last date of the graph's nodes, if any is dated.
    pub fn date_range(&self) -> Option<(&str, &str)> {
        let first = self.graph.node_weights().filter_map(|n| n.first.as_deref()).min()?;
        let last = self.graph.node_weights().filter_map(|n| n.last.as_deref()).max()?;
        Some((first, last))
    }
}

/// The colour of a type, as RGB: the same in GEXF and the report.
pub fn color(kind: Kind) -> (u8, u8, u8) {
    match kind {
        Kind::Country => (31, 119, 180),
        Kind::Region => (44, 160, 44),
        Kind::Leader => (214, 39, 40),
        Kind::Organization => (255, 127, 14),
        Kind::Figure => (127, 127, 127),
    }
}

/// Builds the exported graph from corpus totals, applying the filters of `cfg`.
pub fn build(dicts: &Dictionaries, totals: Totals, stamp: Stamp, cfg: &GraphConfig) -> CoGraph {
    // The totals are taken, not borrowed: their dates, timelines and evidence move into the
    // graph (cloning them for 30,000 edges was most of the graph's build, serial at the end of
    // a run).
    let Totals { documents, windows, nodes, edges: pairs, .. } = totals;
    let mut keys: Vec<(String, crate::cooccur::NodeTotal)> = nodes
        .into_iter()
        .filter(|(_, t)| cfg.types.is_empty() || cfg.types.contains(&t.kind.unwrap_or(Kind::Figure)))
        .filter(|(_, t)| t.frequency >= cfg.min_frequency)
        .collect();
    if cfg.top > 0 && keys.len() > cfg.top {
        keys.sort_by(|a, b| b.1.frequency.cmp(&a.1.frequency).then_with(|| a.0.cmp(&b.0)));
        keys.truncate(cfg.top);
    }
    keys.sort_by(|(a, s), (b, t)| (s.kind, a).cmp(&(t.kind, b)));
    let max_freq = keys.iter().map(|(_, t)| t.frequency).max().unwrap_or(1).max(1) as f64;
    let mut graph = UnGraph::with_capacity(keys.len(), pairs.len());
    // id → (node, windows that mention it), looked up twice per pair
    let mut index = std::collections::HashMap::with_capacity(keys.len());
    for (id, t) in keys {
        let kind = t.kind.unwrap_or(Kind::Figure);
        let entity = dicts.lookup(&id).map(|e| dicts.entity(e));
        let windows = t.windows;
        let node = Node {
            label: entity.map_or_else(|| id.splitn(3, ':').nth(2).unwrap_or(&id).to_string(), |e| e.label.clone()),
            en: entity.map_or_else(String::new, |e| e.en.clone()),
            kind,
            iso3: entity.and_then(|e| e.iso3()).map(str::to_string),
            country: entity.and_then(|e| e.country.clone()),
            role: entity.filter(|e| e.kind == Kind::Leader).and_then(|e| e.role_on(t.last.as_deref())).map(|r| r.name.clone()),
            frequency: t.frequency,
            windows,
            documents: t.documents,
            first: t.first,
            last: t.last,
            by_date: t.by_date,
            x: 0.0,
            y: 0.0,
            size: 4.0 + 36.0 * (t.frequency as f64 / max_freq).sqrt(),
            id: id.clone(),
        };
        index.insert(id, (graph.add_node(node), windows));
    }
    // The edges go into the graph in node-index order: their keys are sorted and the edges
    // (150 bytes each) moved once, where sorting the edges themselves moved each a dozen times.
    let mut edges: Vec<Option<Edge>> = Vec::with_capacity(pairs.len());
    let mut order: Vec<(NodeIndex, NodeIndex, usize)> = Vec::with_capacity(pairs.len());
    for ((a, b), t) in pairs {
        let (Some(&(x, ca)), Some(&(y, cb))) = (index.get(&a), index.get(&b)) else { continue };
        let m = Measures::of(ca, cb, t.windows, windows);
        let (raw, mapped) = match cfg.weight {
            WeightBy::Windows => (t.windows as f64, t.windows as f64),
            WeightBy::Pmi => (m.pmi, m.pmi.exp()),
            WeightBy::Npmi => (m.npmi, (m.npmi + 1.0) / 2.0),
            WeightBy::Jaccard => (m.jaccard, m.jaccard),
        };
        if cfg.min_weight.is_some_and(|min| raw < min) {
            continue;
        }
        let (x, y) = if x <= y { (x, y) } else { (y, x) };
        order.push((x, y, edges.len()));
        edges.push(Some(Edge {
            weight: mapped.max(1e-9),
            windows: t.windows,
            documents: t.documents,
            pmi: m.pmi,
            npmi: m.npmi,
            jaccard: m.jaccard,
            first: t.first,
            last: t.last,
            by_date: t.by_date,
            evidence: t.evidence,
        }));
    }
    // (A pair of nodes is one key: the unstable sort has one order to give.)
    order.sort_unstable();
    for (a, b, i) in order {
        graph.add_edge(a, b, edges[i].take().expect("each edge is added once"));
    }
    let ids: Vec<&str> = graph.node_weights().map(|n| n.id.as_str()).collect();
    let links: Vec<(usize, usize, f64)> =
        graph.raw_edges().iter().map(|e| (e.source().index(), e.target().index(), (1.0 + e.weight.windows as f64).ln())).collect();
    let pos = layout(&ids, &links);
    for (n, (x, y)) in graph.node_weights_mut().zip(pos) {
        n.x = x;
        n.y = y;
    }
    CoGraph { graph, stamp, weight_by: cfg.weight, documents, windows }
}

/// A starting coordinate in [-1, 1) from an id and an axis: FNV-1a then a splitmix64 round.
fn seed(id: &str, axis: u8) -> f64 {
    let mut h = crate::dict::Fnv::default();
    h.write(b"diplograph-layout");
    h.write(&[axis]);
    h.write(id.as_bytes());
    let mut z = h.finish().wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
}

/// ForceAtlas2 positions, scaled so the drawing spans about ±1000; deterministic.
pub fn layout(ids: &[&str], edges: &[(usize, usize, f64)]) -> Vec<(f64, f64)> {
    let n = ids.len();
    if n == 0 {
        return Vec::new();
    }
    let spread = 10.0 * (n as f64).sqrt();
    let mut p: Vec<(f64, f64)> = ids.iter().map(|id| (seed(id, 0) * spread, seed(id, 1) * spread)).collect();
    let mut mass = vec![1.0f64; n];
    for &(a, b, _) in edges {
        mass[a] += 1.0;
        mass[b] += 1.0;
    }
    let (kr, kg) = (10.0, 0.05);
    // A budget of about 10⁷ pair interactions: a few hundred iterations for a small graph,
    // a couple of dozen for the whole corpus (677 nodes), at least one for any size.
    let iterations = (1.0e7 / (n * n) as f64).clamp(1.0, 300.0) as usize;
    let mut prev = vec![(0.0f64, 0.0f64); n];
    let mut speed = 1.0f64;
    for _ in 0..iterations {
        let mut f = vec![(0.0f64, 0.0f64); n];
        // Repulsion between every pair: the layout's whole cost. Iterators over the tails
        // instead of indexing drop the bounds checks; the sums are made in the same order.
        for i in 0..n {
            let (head, tail) = f.split_at_mut(i + 1);
            let (pi, ki) = (p[i], kr * mass[i]);
            let mut fi = head[i];
            for ((pj, mj), fj) in p[i + 1..].iter().zip(&mass[i + 1..]).zip(tail) {
                let (dx, dy) = (pi.0 - pj.0, pi.1 - pj.1);
                let d2 = (dx * dx + dy * dy).max(1e-4);
                let k = ki * mj / d2;
                fi.0 += dx * k;
                fi.1 += dy * k;
                fj.0 -= dx * k;
                fj.1 -= dy * k;
            }
            head[i] = fi;
        }
        for &(a, b, w) in edges {
            let (dx, dy) = (p[a].0 - p[b].0, p[a].1 - p[b].1);
            f[a].0 -= dx * w;
            f[a].1 -= dy * w;
            f[b].0 += dx * w;
            f[b].1 += dy * w;
        }
        // Strong gravity (proportional to the distance), so that nodes with few or no edges stay
        // near the drawing instead of drifting off and shrinking the rest to a dot.
        for i in 0..n {
            f[i].0 -= kg * mass[i] * p[i].0;
            f[i].1 -= kg * mass[i] * p[i].1;
        }
        let (mut swing, mut traction) = (0.0, 0.0);
        let node_swing: Vec<f64> = (0..n)
            .map(|i| {
                let s = ((f[i].0 - prev[i].0).powi(2) + (f[i].1 - prev[i].1).powi(2)).sqrt();
                let t = ((f[i].0 + prev[i].0).powi(2) + (f[i].1 + prev[i].1).powi(2)).sqrt() / 2.0;
                swing += mass[i] * s;
                traction += mass[i] * t;
                s
            })
            .collect();
        let target = if swing > 0.0 { traction / swing } else { speed };
        speed = target.min(speed * 1.5).max(1e-6);
        for i in 0..n {
            let fl = (f[i].0 * f[i].0 + f[i].1 * f[i].1).sqrt();
            if fl == 0.0 {
                continue;
            }
            let mut factor = speed / (1.0 + (speed * node_swing[i]).sqrt());
            factor = (factor * fl).min(10.0) / fl;
            p[i].0 += f[i].0 * factor;
            p[i].1 += f[i].1 * factor;
        }
        prev = f;
    }
    let extent = p.iter().map(|(x, y)| x.abs().max(y.abs())).fold(0.0f64, f64::max).max(1e-9);
    p.iter().map(|(x, y)| ((x / extent * 1000.0 * 100.0).round() / 100.0, (y / extent * 1000.0 * 100.0).round() / 100.0)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_is_deterministic_and_bounded() {
        let ids = ["CHN", "USA", "RUS", "DEU", "xi-jinping"];
        let edges = [(0, 1, 1.0), (0, 2, 2.0), (1, 3, 0.5), (0, 4, 3.0)];
        let a = layout(&ids, &edges);
        assert_eq!(a, layout(&ids, &edges));
        assert!(a.iter().all(|(x, y)| x.abs() <= 1000.0 && y.abs() <= 1000.0 && x.is_finite() && y.is_finite()));
    }

    #[test]
    fn dates_filter_inclusively() {
        let cfg = GraphConfig { from: Some("2020-01-01".into()), to: Some("2024-03-07".into()), ..GraphConfig::default() };
        assert!(cfg.keeps_date(Some("2024-03-07")) && !cfg.keeps_date(Some("2019-02-16")) && !cfg.keeps_date(None));
        assert!(GraphConfig::default().keeps_date(None));
    }
}
