//! report: `report.html`, one self-contained page for people without Gephi — no scripts, no
//! fonts or images fetched at view time, inline CSS and SVG only.
//!
//! It shows the run's summary and stamp, the top entities per type, the strongest pairs with
//! their evidence sentences, a picture of the graph's core (the most frequent linked nodes at their
//! layout positions, coloured by type, CJK labels) and mentions per year (per month for spans
//! under three years) of the most mentioned countries. Everything is computed from the graph,
//! in a fixed order, so the page is byte-identical for the same input.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::{self, Write as _};

use petgraph::visit::EdgeRef;

use super::Escaped;
use crate::dict::Kind;
use crate::graph::{color, CoGraph};

/// Figures of the run that the graph does not hold.
#[derive(Clone, Debug, Default)]
pub struct Summary {
    /// Documents read.
    pub documents: usize,
    /// Inputs skipped.
    pub skipped: usize,
    /// Mentions per type.
    pub mentions: BTreeMap<&'static str, usize>,
    /// Events coded.
    pub events: usize,
    /// The inputs skipped and the inputs mended, each with why (see [`Losses`]).
    pub lost: Losses,
    /// See [`Summary::lost`].
    pub mended: Losses,
}

/// Inputs skipped (or mended), as `run.json` lists them: the messages of stderr, for a machine.
/// A batch run over thousands of files printed them among its progress lines, at most twenty
/// per file; a pipeline that wanted to know which records it lost had to scrape them. Each is
/// listed, in file and line order, up to [`Losses::LISTED`] per file, then the file's count of
/// the others and the last line (a JSON Lines file of another shape, a million records, each
/// skipped for the same reason, made a run.json of 140 MB).
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Losses {
    /// The inputs listed.
    pub listed: Vec<Lost>,
    /// Per file with more than [`Losses::LISTED`]: how many more.
    pub more: Vec<More>,
}

/// One input skipped or mended.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct Lost {
    /// The input file (`-` for standard input).
    pub input: String,
    /// Its line, for a JSON Lines record.
    pub line: Option<usize>,
    /// Why.
    pub reason: String,
}

/// The inputs of one file beyond those listed.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct More {
    /// The input file.
    pub input: String,
    /// How many of its inputs are not listed.
    pub count: usize,
    /// The last line of those.
    pub last_line: Option<usize>,
}

impl Losses {
    /// Inputs listed per file.
    pub const LISTED: usize = 1000;

    /// What `errors` say of inputs.
    pub fn of<'a>(errors: impl IntoIterator<Item = &'a crate::error::Error>) -> Losses {
        let lost = errors.into_iter().map(|e| match e {
            crate::error::Error::Input { path, line, reason } => Lost { input: path.display().to_string(), line: *line, reason: reason.clone() },
            crate::error::Error::Io { path, source } => Lost { input: path.display().to_string(), line: None, reason: source.to_string() },
            other => Lost { input: String::new(), line: None, reason: other.to_string() },
        });
        Losses::capped(lost.collect(), Vec::new())
    }

    /// Adds `other`'s: the same lists as the one run over both parts would give (each part
    /// listed the first of its inputs of a file, so the first of both are among them).
    pub fn merge(&mut self, other: &Losses) {
        let listed = std::mem::take(&mut self.listed).into_iter().chain(other.listed.iter().cloned()).collect();
        let more = std::mem::take(&mut self.more).into_iter().chain(other.more.iter().cloned()).collect();
        *self = Losses::capped(listed, more);
    }

    fn capped(mut lost: Vec<Lost>, more: Vec<More>) -> Losses {
        lost.sort();
        let mut beyond: BTreeMap<String, (usize, Option<usize>)> = BTreeMap::new();
        for m in more {
            let (count, last) = beyond.entry(m.input).or_default();
            *count += m.count;
            *last = (*last).max(m.last_line);
        }
        let mut listed = Vec::with_capacity(lost.len().min(Losses::LISTED));
        for file in lost.chunk_by(|a, b| a.input == b.input) {
            let (shown, rest) = file.split_at(file.len().min(Losses::LISTED));
            listed.extend_from_slice(shown);
            if let Some(last) = rest.last() {
                let (count, l) = beyond.entry(last.input.clone()).or_default();
                *count += rest.len();
                *l = (*l).max(last.line);
            }
        }
        let more = beyond.into_iter().map(|(input, (count, last_line))| More { input, count, last_line }).collect();
        Losses { listed, more }
    }
}

/// The report page; `Display` writes it.
pub struct Html<'a> {
    /// The exported graph.
    pub graph: &'a CoGraph,
    /// The run's figures.
    pub summary: &'a Summary,
}

const CSS: &str = "body{font-family:'Noto Sans CJK SC','Source Han Sans SC','PingFang SC','Microsoft YaHei','WenQuanYi Micro Hei',sans-serif;margin:24px auto;max-width:1100px;color:#222;line-height:1.45}
h1{font-size:26px;margin-bottom:4px}h2{font-size:20px;margin-top:28px;border-bottom:1px solid #ddd;padding-bottom:4px}
.stamp{color:#666;font-size:12px;font-family:monospace;word-break:break-all}
table{border-collapse:collapse;font-size:14px;margin:6px 0}td,th{padding:3px 10px;border-bottom:1px solid #eee;text-align:left}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.types{display:flex;flex-wrap:wrap;gap:18px}.types>div{flex:1 1 240px}
.dot{display:inline-block;width:10px;height:10px;border-radius:5px;margin-right:5px}
.pair{margin:10px 0 14px}.pair blockquote{margin:3px 0 3px 18px;font-size:14px;color:#333}.pair .src{color:#888;font-size:12px}
svg text{font-family:inherit}";

fn hex(kind: Kind) -> String {
    let (r, g, b) = color(kind);
    format!("#{r:02x}{g:02x}{b:02x}")
}

fn name(n: &crate::graph::Node) -> String {
    if n.en.is_empty() || n.en == n.label {
        n.label.clone()
    } else {
        format!("{} ({})", n.label, n.en)
    }
}

impl Html<'_> {
    fn summary(&self, out: &mut String) -> fmt::Result {
        let g = self.graph;
        let s = self.summary;
        writeln!(out, "<h2>Run</h2><table>")?;
        writeln!(out, "<tr><th>documents</th><td class=n>{}</td></tr>", s.documents)?;
        if s.skipped > 0 {
            writeln!(out, "<tr><th>inputs skipped</th><td class=n>{}</td></tr>", s.skipped)?;
        }
        for (k, v) in &s.mentions {
            writeln!(out, "<tr><th>{k} mentions</th><td class=n>{v}</td></tr>")?;
        }
        writeln!(out, "<tr><th>events</th><td class=n>{}</td></tr>", s.events)?;
        writeln!(out, "<tr><th>documents in the graph</th><td class=n>{}</td></tr>", g.documents)?;
        writeln!(out, "<tr><th>windows with a mention (N)</th><td class=n>{}</td></tr>", g.windows)?;
        writeln!(out, "<tr><th>nodes / edges</th><td class=n>{} / {}</td></tr>", g.graph.node_count(), g.graph.edge_count())?;
        if let Some((a, b)) = g.date_range() {
            writeln!(out, "<tr><th>dates</th><td class=n>{} – {}</td></tr>", Escaped(a), Escaped(b))?;
        }
        writeln!(out, "<tr><th>edge weight</th><td class=n>{}</td></tr></table>", g.weight_by.as_str())?;
        writeln!(out, "<p class=stamp>{}</p>", Escaped(&g.stamp.line()))?;
        self.losses(out)
    }

    /// The first inputs skipped and mended, with why: a reader of the page may never see
    /// stderr. The rest are in `run.json`.
    fn losses(&self, out: &mut String) -> fmt::Result {
        const SHOWN: usize = 20;
        let s = self.summary;
        for (what, losses) in [("skipped", &s.lost), ("mended", &s.mended)] {
            if losses.listed.is_empty() {
                continue;
            }
            let total = losses.listed.len() + losses.more.iter().map(|m| m.count).sum::<usize>();
            writeln!(out, "<h2>Inputs {what}</h2><table><tr><th>input</th><th>line</th><th>why</th></tr>")?;
            for l in losses.listed.iter().take(SHOWN) {
                let line = l.line.map_or_else(String::new, |n| n.to_string());
                writeln!(out, "<tr><td>{}</td><td class=n>{line}</td><td>{}</td></tr>", Escaped(&l.input), Escaped(&l.reason))?;
            }
            writeln!(out, "</table>")?;
            if total > SHOWN {
                writeln!(out, "<p>and {} more: every one is in <code>run.json</code> (<code>inputs.{what}</code>).</p>", total - SHOWN)?;
            }
        }
        Ok(())
    }

    fn top_entities(&self, out: &mut String) -> fmt::Result {
        writeln!(out, "<h2>Top entities per type</h2><div class=types>")?;
        for kind in Kind::ALL {
            let mut nodes: Vec<_> = self.graph.graph.node_weights().filter(|n| n.kind == kind).collect();
            if nodes.is_empty() {
                continue;
            }
            nodes.sort_by(|a, b| b.frequency.cmp(&a.frequency).then_with(|| a.id.cmp(&b.id)));
            writeln!(out, "<div><h3><span class=dot style=\"background:{}\"></span>{}</h3><table>", hex(kind), kind.as_str())?;
            writeln!(out, "<tr><th>entity</th><th>mentions</th><th>docs</th><th>dates</th></tr>")?;
            for n in nodes.iter().take(10) {
                let dates = match (&n.first, &n.last) {
                    (Some(a), Some(b)) if a == b => a.clone(),
                    (Some(a), Some(b)) => format!("{a} – {b}"),
                    _ => String::new(),
                };
                let role = n.role.as_deref().map(|r| format!(" · {r}")).unwrap_or_default();
                writeln!(
                    out,
                    "<tr><td>{}{}</td><td class=n>{}</td><td class=n>{}</td><td>{}</td></tr>",
                    Escaped(&name(n)),
                    Escaped(&role),
                    n.frequency,
                    n.documents,
                    Escaped(&dates)
                )?;
            }
            writeln!(out, "</table></div>")?;
        }
        writeln!(out, "</div>")
    }

    fn pairs(&self, out: &mut String) -> fmt::Result {
        let g = &self.graph.graph;
        let mut edges: Vec<_> = g.edge_references().collect();
        edges.sort_by(|a, b| {
            b.weight().weight.total_cmp(&a.weight().weight).then_with(|| (&g[a.source()].id, &g[a.target()].id).cmp(&(&g[b.source()].id, &g[b.target()].id)))
        });
        writeln!(out, "<h2>Strongest pairs</h2>")?;
        for e in edges.iter().take(15) {
            let w = e.weight();
            writeln!(
                out,
                "<div class=pair><b>{} — {}</b> <span class=src>windows {} · documents {} · NPMI {:.2} · Jaccard {:.2}</span>",
                Escaped(&name(&g[e.source()])),
                Escaped(&name(&g[e.target()])),
                w.windows,
                w.documents,
                w.npmi,
                w.jaccard
            )?;
            for v in &w.evidence {
                writeln!(out, "<blockquote>{} <span class=src>{} · sentence {}</span></blockquote>", Escaped(&v.text), Escaped(&v.doc), v.sentence)?;
            }
            writeln!(out, "</div>")?;
        }
        Ok(())
    }

    fn core(&self, out: &mut String) -> fmt::Result {
        let g = &self.graph.graph;
        let mut idx: Vec<_> = g.node_indices().collect();
        idx.sort_by(|a, b| g[*b].frequency.cmp(&g[*a].frequency).then_with(|| g[*a].id.cmp(&g[*b].id)));
        idx.truncate(40);
        // Nodes with no edge inside the core would only shrink the picture.
        let top: BTreeSet<_> = idx.iter().copied().collect();
        idx.retain(|i| g.neighbors(*i).any(|j| j != *i && top.contains(&j)));
        if idx.is_empty() {
            return Ok(());
        }
        let keep: BTreeSet<_> = idx.iter().copied().collect();
        let (w, h, pad) = (1000.0, 640.0, 60.0);
        let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
        for i in &idx {
            x0 = x0.min(g[*i].x);
            x1 = x1.max(g[*i].x);
            y0 = y0.min(g[*i].y);
            y1 = y1.max(g[*i].y);
        }
        let sx = |x: f64| pad + (x - x0) / (x1 - x0).max(1e-9) * (w - 2.0 * pad);
        // SVG's y grows downwards; Gephi's upwards.
        let sy = |y: f64| pad + (y1 - y) / (y1 - y0).max(1e-9) * (h - 2.0 * pad);
        let maxw = g.edge_references().filter(|e| keep.contains(&e.source()) && keep.contains(&e.target())).map(|e| e.weight().weight).fold(0.0, f64::max).max(1e-9);
        let maxf = idx.iter().map(|i| g[*i].frequency).max().unwrap_or(1).max(1) as f64;
        writeln!(out, "<h2>The graph's core</h2><p>The {} most mentioned entities linked to one another, at their layout positions; line width follows the edge weight.</p>", idx.len())?;
        writeln!(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" width=\"100%\" style=\"background:#fafafa;border:1px solid #ddd\">")?;
        for e in g.edge_references().filter(|e| keep.contains(&e.source()) && keep.contains(&e.target())) {
            let (a, b) = (&g[e.source()], &g[e.target()]);
            let t = e.weight().weight / maxw;
            writeln!(
                out,
                "<line x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"#888\" stroke-opacity=\"{:.2}\" stroke-width=\"{:.2}\"/>",
                sx(a.x),
                sy(a.y),
                sx(b.x),
                sy(b.y),
                0.15 + 0.5 * t,
                0.5 + 5.0 * t
            )?;
        }
        // Circles first, then every label, so that no circle covers a label.
        let radius = |n: &crate::graph::Node| 4.0 + 16.0 * (n.frequency as f64 / maxf).sqrt();
        for i in &idx {
            let n = &g[*i];
            let r = radius(n);
            writeln!(
                out,
                "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"{:.1}\" fill=\"{}\" fill-opacity=\"0.85\" stroke=\"#fff\"><title>{} · {} mentions</title></circle>",
                sx(n.x),
                sy(n.y),
                r,
                hex(n.kind),
                Escaped(&name(n)),
                n.frequency
            )?;
        }
        for i in &idx {
            let n = &g[*i];
            let r = radius(n);
            writeln!(
                out,
                "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"14\" text-anchor=\"middle\" paint-order=\"stroke\" stroke=\"#fafafa\" stroke-width=\"3\">{}</text>",
                sx(n.x),
                sy(n.y) - r - 3.0,
                Escaped(&n.label)
            )?;
        }
        let mut lx = 12.0;
        for kind in Kind::ALL.iter().filter(|k| idx.iter().any(|i| g[*i].kind == **k)) {
            writeln!(out, "<circle cx=\"{:.1}\" cy=\"16\" r=\"6\" fill=\"{}\"/><text x=\"{:.1}\" y=\"21\" font-size=\"13\">{}</text>", lx + 6.0, hex(*kind), lx + 16.0, kind.as_str())?;
            lx += 110.0;
        }
        writeln!(out, "</svg>")
    }

    fn timeline(&self, out: &mut String) -> fmt::Result {
        let g = &self.graph.graph;
        let mut countries: Vec<_> = g.node_weights().filter(|n| n.kind == Kind::Country && !n.by_date.is_empty()).collect();
        countries.sort_by(|a, b| b.frequency.cmp(&a.frequency).then_with(|| a.id.cmp(&b.id)));
        countries.truncate(6);
        let Some((first, last)) = self.graph.date_range() else { return Ok(()) };
        if countries.is_empty() {
            return Ok(());
        }
        let years = |d: &str| d.get(..4).and_then(|y| y.parse::<i32>().ok()).unwrap_or(0);
        let monthly = years(last) - years(first) < 3;
        let bucket = |d: &str| if monthly { d.get(..7).unwrap_or(d).to_string() } else { d.get(..4).unwrap_or(d).to_string() };
        // Every bucket from the first to the last, empty ones included.
        let mut buckets = Vec::new();
        let (mut y, mut m) = (years(first), first.get(5..7).and_then(|m| m.parse::<i32>().ok()).unwrap_or(1));
        loop {
            let b = if monthly { format!("{y:04}-{m:02}") } else { format!("{y:04}") };
            let done = b >= bucket(last);
            buckets.push(b);
            if done || buckets.len() > 600 {
                break;
            }
            if monthly {
                m += 1;
                if m > 12 {
                    m = 1;
                    y += 1;
                }
            } else {
                y += 1;
            }
        }
        let series: Vec<Vec<u64>> = countries
            .iter()
            .map(|n| {
                let mut per: BTreeMap<String, u64> = BTreeMap::new();
                for (d, c) in &n.by_date {
                    *per.entry(bucket(d)).or_default() += c;
                }
                buckets.iter().map(|b| per.get(b).copied().unwrap_or(0)).collect()
            })
            .collect();
        let maxv = series.iter().flatten().copied().max().unwrap_or(1).max(1) as f64;
        let (w, h, l, r, t, b) = (1000.0, 320.0, 50.0, 150.0, 16.0, 40.0);
        let k = buckets.len().max(2) as f64 - 1.0;
        let px = |i: usize| l + i as f64 / k * (w - l - r);
        let py = |v: u64| t + (1.0 - v as f64 / maxv) * (h - t - b);
        writeln!(out, "<h2>Mentions over time</h2><p>Mentions per {} of the {} most mentioned countries.</p>", if monthly { "month" } else { "year" }, countries.len())?;
        writeln!(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" width=\"100%\" style=\"background:#fff;border:1px solid #ddd\">")?;
        writeln!(out, "<line x1=\"{l}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#999\"/>", h - b, w - r, h - b)?;
        writeln!(out, "<text x=\"{}\" y=\"{}\" font-size=\"12\" text-anchor=\"end\">{}</text>", l - 6.0, t + 4.0, maxv as u64)?;
        writeln!(out, "<text x=\"{}\" y=\"{}\" font-size=\"12\" text-anchor=\"end\">0</text>", l - 6.0, h - b)?;
        let step = buckets.len().div_ceil(12).max(1);
        for (i, bk) in buckets.iter().enumerate().filter(|(i, _)| i % step == 0) {
            writeln!(out, "<text x=\"{:.1}\" y=\"{}\" font-size=\"12\" text-anchor=\"middle\">{}</text>", px(i), h - b + 18.0, Escaped(bk))?;
        }
        const PALETTE: [&str; 6] = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"];
        for (j, (n, s)) in countries.iter().zip(&series).enumerate() {
            let pts: Vec<String> = s.iter().enumerate().map(|(i, v)| format!("{:.1},{:.1}", px(i), py(*v))).collect();
            writeln!(out, "<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"2\" points=\"{}\"/>", PALETTE[j], pts.join(" "))?;
            writeln!(out, "<rect x=\"{}\" y=\"{}\" width=\"14\" height=\"4\" fill=\"{}\"/>", w - r + 12.0, t + 8.0 + 22.0 * j as f64, PALETTE[j])?;
            writeln!(out, "<text x=\"{}\" y=\"{}\" font-size=\"13\">{}</text>", w - r + 32.0, t + 14.0 + 22.0 * j as f64, Escaped(&name(n)))?;
        }
        writeln!(out, "</svg>")
    }
}

impl fmt::Display for Html<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut body = String::new();
        self.summary(&mut body)?;
        self.core(&mut body)?;
        self.top_entities(&mut body)?;
        self.timeline(&mut body)?;
        self.pairs(&mut body)?;
        write!(
            f,
            "<!DOCTYPE html>\n<html lang=\"zh\">\n<head>\n<meta charset=\"utf-8\">\n<title>diplograph report</title>\n<style>\n{CSS}\n</style>\n</head>\n<body>\n<h1>diplograph report</h1>\n{body}</body>\n</html>\n"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn losses_merged_from_any_split_are_the_losses_of_the_whole() {
        // Two files: one of 2,500 bad lines (a JSON Lines file of another shape), one of three.
        let error = |input: &str, line: usize| crate::error::Error::Input { path: input.into(), line: Some(line), reason: format!("bad {line}") };
        let all: Vec<_> = (1..=2500).map(|l| error("shape.jsonl", l)).chain((1..=3).map(|l| error("a.jsonl", l * 7))).collect();
        let whole = Losses::of(&all);
        assert_eq!(whole.listed.len(), Losses::LISTED + 3);
        assert_eq!(whole.listed[0], Lost { input: "a.jsonl".into(), line: Some(7), reason: "bad 7".into() });
        assert_eq!(whole.more, [More { input: "shape.jsonl".into(), count: 1500, last_line: Some(2500) }]);
        // Split as shards split records (by a hash: here every third, and the rest), in
        // either order; and as one part with everything and one with nothing.
        let (a, b): (Vec<_>, Vec<_>) = all.iter().enumerate().partition(|(i, _)| i % 3 == 0);
        let (a, b) = (Losses::of(a.into_iter().map(|(_, e)| e)), Losses::of(b.into_iter().map(|(_, e)| e)));
        for (x, y) in [(&a, &b), (&b, &a), (&whole, &Losses::default())] {
            let mut merged = x.clone();
            merged.merge(y);
            assert_eq!(merged, whole);
        }
    }
}
