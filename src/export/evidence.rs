//! evidence: `evidence.jsonl`, one line per edge of the exported graph (in edge order, `id`
//! as in the other exports) with up to `--evidence K` example sentences: the first K windows
//! the pair shares in corpus order, so the choice does not depend on the thread count and
//! partial runs can be merged by concatenating and cutting to K.
//!
//! Each example gives the document id, the sentence index in the document, the byte span of
//! the sentence(s) in the original file (`start`, `end`, end exclusive) and the text.

use std::io::{self, Write};

use petgraph::visit::EdgeRef;
use serde::Serialize;
use serde_json::value::RawValue;

use crate::graph::CoGraph;

#[derive(Serialize)]
struct Example<'a> {
    doc: &'a str,
    sentence: u32,
    start: usize,
    end: usize,
    text: &'a RawValue,
}

#[derive(Serialize)]
struct Line<'a> {
    id: String,
    source: &'a str,
    target: &'a str,
    evidence: Vec<Example<'a>>,
}

/// Writes `evidence.jsonl`.
pub fn write(w: &mut impl Write, g: &CoGraph) -> io::Result<()> {
    write_with(w, g, &crate::export::json_evidence(g))
}

/// [`write`] with the evidence sentences quoted already (see [`crate::export::json_evidence`]).
pub(crate) fn write_with(w: &mut impl Write, g: &CoGraph, texts: &crate::export::Rendered<Box<RawValue>>) -> io::Result<()> {
    for (i, e) in g.graph.edge_references().enumerate() {
        let line = Line {
            id: format!("e{i}"),
            source: &g.graph[e.source()].id,
            target: &g.graph[e.target()].id,
            evidence: e
                .weight()
                .evidence
                .iter()
                .map(|v| Example { doc: &v.doc, sentence: v.sentence, start: v.start, end: v.end, text: texts.get(&v.text) })
                .collect(),
        };
        serde_json::to_writer(&mut *w, &line)?;
        w.write_all(b"\n")?;
    }
    Ok(())
}
