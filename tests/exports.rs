//! The graph exports of a run over the bundled sample: every file loads in the shared graph
//! clients (`../shared/tools/graph-clients/check`), and networkx (GEXF, node-link JSON), igraph
//! (GraphML) and pandas (CSV) read the same nodes, labels, edges and weights. Filters and
//! `--weight` are checked on the files themselves.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

fn tempdir(name: &str) -> PathBuf {
    common::tempdir("diplograph-exports", name)
}

fn extract(args: &[&str], out: &Path) {
    let o = Command::new(env!("CARGO_BIN_EXE_diplograph")).arg("extract").arg("tests/fixtures/sample").args(args).arg("-o").arg(out).arg("--quiet").output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// The clients' venv python, or `None` (a failure under CI, which installs them).
fn clients() -> Option<(PathBuf, PathBuf)> {
    let check = PathBuf::from("../shared/tools/graph-clients/check");
    let prefix = std::env::var("GRAPH_CLIENTS_PREFIX").map(PathBuf::from).unwrap_or_else(|_| {
        let cache = std::env::var("XDG_CACHE_HOME").map(PathBuf::from).unwrap_or_else(|_| PathBuf::from(std::env::var("HOME").unwrap()).join(".cache"));
        cache.join("graph-clients")
    });
    let python = prefix.join("venv/bin/python");
    if check.exists() && python.exists() {
        return Some((check, python));
    }
    assert!(std::env::var("CI").is_err(), "graph clients not installed in {} (.ci/run installs them)", prefix.display());
    eprintln!("skipped: graph clients not installed");
    None
}

const COMPARE: &str = r#"
import json, sys
import networkx as nx, igraph, pandas as pd
d = sys.argv[1]
def norm(nodes, edges):
    return ({k: v for k, v in nodes}, {tuple(sorted((a, b))): round(float(w), 9) for a, b, w in edges})
G = nx.read_gexf(f"{d}/graph.gexf")
gexf = norm([(n, a["label"]) for n, a in G.nodes(data=True)], [(a, b, x["weight"]) for a, b, x in G.edges(data=True)])
J = nx.node_link_graph(json.load(open(f"{d}/graph.json", encoding="utf-8")), edges="links")
js = norm([(n, a["label"]) for n, a in J.nodes(data=True)], [(a, b, x["weight"]) for a, b, x in J.edges(data=True)])
I = igraph.Graph.Read_GraphML(f"{d}/graph.graphml")
ids = I.vs["id"]
gml = norm(zip(ids, I.vs["label"]), [(ids[e.source], ids[e.target], e["weight"]) for e in I.es])
N = pd.read_csv(f"{d}/nodes.csv", dtype=str, keep_default_na=False)
E = pd.read_csv(f"{d}/edges.csv", dtype={"Source": str, "Target": str}, keep_default_na=False)
csv = norm(zip(N["Id"], N["Label"]), zip(E["Source"], E["Target"], E["Weight"]))
assert len(E) == len(csv[1]), "parallel edges in edges.csv"
assert I.ecount() == len(gml[1]) and G.number_of_edges() == len(gexf[1]), "parallel edges"
for name, got in [("node-link json", js), ("graphml/igraph", gml), ("csv/pandas", csv)]:
    assert got[0] == gexf[0], f"{name}: nodes or labels differ from the gexf"
    assert got[1] == gexf[1], f"{name}: edges or weights differ from the gexf"
assert all(w > 0 for w in gexf[1].values())
print(f"same {len(gexf[0])} nodes, {len(gexf[1])} edges and weights in gexf, json, graphml, csv")
"#;

#[test]
fn exports_load_in_the_graph_clients_and_agree() {
    let Some((check, python)) = clients() else { return };
    let out = tempdir("clients");
    extract(&["--weight", "npmi"], &out);
    for f in ["graph.gexf", "graph.graphml", "graph.json"] {
        let o = Command::new("bash").arg(&check).arg(out.join(f)).output().unwrap();
        let text = format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
        assert!(o.status.success() && !text.contains("FAIL"), "{f}:\n{text}");
    }
    let has_pandas = Command::new(&python).args(["-c", "import pandas"]).output().unwrap().status.success();
    if !has_pandas {
        assert!(std::env::var("CI").is_err(), "pandas missing from the graph clients' venv (.ci/run installs it)");
        eprintln!("skipped comparison: pandas not installed");
        return;
    }
    let o = Command::new(&python).arg("-c").arg(COMPARE).arg(&out).output().unwrap();
    assert!(o.status.success(), "{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
}

/// `(attribute, value)` pairs of every `<tag …>` line in a GEXF file.
fn xml_attr<'a>(line: &'a str, name: &str) -> Option<&'a str> {
    let at = line.find(&format!(" {name}=\""))? + name.len() + 3;
    line[at..].split('"').next()
}

#[test]
fn filters_weights_and_stamps() {
    let out = tempdir("filters");
    extract(&["--weight", "pmi", "--top", "12", "--types", "country,leader", "--from", "2023-01-01", "--evidence", "1", "--min-frequency", "2"], &out);
    let gexf = std::fs::read_to_string(out.join("graph.gexf")).unwrap();
    let nodes: Vec<&str> = gexf.lines().filter(|l| l.trim_start().starts_with("<node ")).collect();
    assert!(!nodes.is_empty() && nodes.len() <= 12, "{} nodes", nodes.len());
    let types: Vec<&str> = gexf.lines().filter(|l| l.contains(r#"for="type""#)).filter_map(|l| xml_attr(l, "value")).collect();
    assert!(types.iter().all(|t| *t == "country" || *t == "leader"), "{types:?}");
    let weights: Vec<f64> = gexf.lines().filter(|l| l.trim_start().starts_with("<edge ")).map(|l| xml_attr(l, "weight").unwrap().parse().unwrap()).collect();
    assert!(!weights.is_empty() && weights.iter().all(|w| *w > 0.0), "{weights:?}");
    let starts: Vec<&str> = gexf.lines().filter(|l| l.contains("<spell ")).filter_map(|l| xml_attr(l, "start")).collect();
    assert!(starts.iter().all(|d| *d >= "2023-01-01"), "{starts:?}");
    assert!(gexf.contains("weight=pmi") && gexf.contains("top=12") && gexf.contains("from=2023-01-01"));
    for line in std::fs::read_to_string(out.join("evidence.jsonl")).unwrap().lines() {
        assert_eq!(line.matches("\"sentence\":").count(), 1, "{line}");
    }
    let graphml = std::fs::read_to_string(out.join("graph.graphml")).unwrap();
    assert!(graphml.lines().nth(1).unwrap().starts_with("<!-- diplograph ") && graphml.contains("weight=pmi"));
    let run: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("run.json")).unwrap()).unwrap();
    assert_eq!(run["options"]["top"], "12");
    let report = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(report.contains("<svg") && report.contains("中国"));
    assert!(["<script", "<link", "src=", "url(", "@import"].iter().all(|x| !report.contains(x)), "report.html fetches something");
}

#[test]
fn bad_filter_values_are_usage_errors() {
    let out = tempdir("bad-filters");
    for args in [["--weight", "lift"], ["--from", "2024-3-7"], ["--types", "person"]] {
        let o = Command::new(env!("CARGO_BIN_EXE_diplograph")).arg("extract").arg("tests/fixtures/sample").args(args).arg("-o").arg(&out).output().unwrap();
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(String::from_utf8_lossy(&o.stderr).contains(args[0]), "{args:?}");
    }
}

#[test]
fn a_document_without_sentence_punctuation_is_quoted_in_excerpts() {
    // The sample's texts run together with every 。！？ and line break taken out: one sentence
    // of 9,000 characters, as a list or a page that lost its punctuation is. Every pair in it
    // quoted all of it (600 KB of such text filled 15 GB of disk), and each event too.
    let dir = tempdir("unpunctuated");
    let mut text = String::new();
    for e in std::fs::read_dir("tests/fixtures/sample").unwrap() {
        text.push_str(&std::fs::read_to_string(e.unwrap().path()).unwrap());
    }
    let text: String = text.chars().filter(|c| !"。！？!?\r\n".contains(*c)).collect();
    assert!(text.chars().count() > 9_000);
    std::fs::write(dir.join("2024-03-07_unpunctuated.txt"), &text).unwrap();
    let out = tempdir("unpunctuated-out");
    let o = Command::new(env!("CARGO_BIN_EXE_diplograph")).arg("extract").arg(&dir).arg("-o").arg(&out).arg("--quiet").output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // Each example is the text around the pair's first mentions, its parts joined by " … ",
    // its span from its first character in the file to its last.
    let (mut examples, mut excerpts) = (0, 0);
    for line in std::fs::read_to_string(out.join("evidence.jsonl")).unwrap().lines() {
        let edge: serde_json::Value = serde_json::from_str(line).unwrap();
        for ev in edge["evidence"].as_array().unwrap() {
            let quoted = ev["text"].as_str().unwrap();
            // (The English statement's sentences end in `.`: whole, being short enough.)
            let bound = if quoted.contains('…') { 2 * (50 + 20 + 50) + 5 } else { 1_000 };
            assert!(quoted.chars().count() <= bound, "{quoted}");
            let parts: Vec<&str> = quoted.trim_matches('…').split(" … ").collect();
            let span = text[ev["start"].as_u64().unwrap() as usize..ev["end"].as_u64().unwrap() as usize].trim();
            assert!(span.starts_with(parts[0]) && span.ends_with(parts[parts.len() - 1]), "{quoted}");
            assert!(parts.iter().all(|p| text.contains(p)), "{quoted}");
            examples += 1;
            excerpts += usize::from(quoted.contains(" … "));
        }
    }
    assert!(examples > 1_000, "{examples}");
    assert!(excerpts > 1_000, "{excerpts}");
    // An event's evidence: 150 characters either side of its cue (up to 30, a head, a gap, a tail).
    let graph = std::fs::read_to_string(out.join("events.graphml")).unwrap();
    let unescape = |s: &str| s.replace("&quot;", "\"").replace("&apos;", "'").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
    let quoted: Vec<String> = graph.split(r#"<data key="evidence">"#).skip(1).map(|s| unescape(&s[..s.find("</data>").unwrap()])).collect();
    assert!(!quoted.is_empty());
    for q in quoted {
        assert!(q.chars().count() <= 2 * 150 + 40, "{q}");
        assert!(q.trim_matches('…').split(" … ").all(|p| text.contains(p)), "{q}");
    }
}
