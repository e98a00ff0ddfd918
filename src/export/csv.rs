//! csv: `nodes.csv` and `edges.csv` in the form Gephi's spreadsheet import and pandas'
//! `read_csv` take as they are: UTF-8 without byte-order mark, a header row, RFC 4180 quoting
//! (fields with `,`, `"` or a line break are quoted, quotes doubled), CRLF line ends.
//!
//! Nodes: `Id`, `Label` (Chinese), then the attributes. Edges: `Source`, `Target`, `Type`
//! (`Undirected`), `Id`, `Weight`, then the attributes, the first evidence sentence last. Empty
//! cells are empty strings (read with `keep_default_na=False` to keep them so in pandas). The
//! stamp is in the sidecar `run.json`.

use std::borrow::Cow;
use std::io::{self, Write};

use petgraph::visit::EdgeRef;

use super::{push_float, Rendered};
use crate::graph::CoGraph;

/// One field, quoted when RFC 4180 needs it (borrowed as it is when not).
pub fn field(s: &str) -> Cow<'_, str> {
    if s.contains([',', '"', '\n', '\r']) {
        Cow::Owned(format!("\"{}\"", s.replace('"', "\"\"")))
    } else {
        Cow::Borrowed(s)
    }
}

fn row(w: &mut impl Write, cells: &[&str]) -> io::Result<()> {
    for (i, c) in cells.iter().enumerate() {
        if i > 0 {
            w.write_all(b",")?;
        }
        w.write_all(field(c).as_bytes())?;
    }
    w.write_all(b"\r\n")
}

/// Writes `nodes.csv`.
pub fn nodes(w: &mut impl Write, g: &CoGraph) -> io::Result<()> {
    let header: Vec<&str> = ["Id", "Label"].into_iter().chain(crate::graph::Node::ATTRIBUTES).chain(["x", "y"]).collect();
    row(w, &header)?;
    for n in g.graph.node_weights() {
        let attributes = n.attributes();
        let (x, y) = (format!("{:.2}", n.x), format!("{:.2}", n.y));
        let cells: Vec<&str> = [n.id.as_str(), n.label.as_str()]
            .into_iter()
            .chain(attributes.iter().map(|(_, v)| v.as_str()))
            .chain([x.as_str(), y.as_str()])
            .collect();
        row(w, &cells)?;
    }
    Ok(())
}

/// Writes `edges.csv`.
pub fn edges(w: &mut impl Write, g: &CoGraph) -> io::Result<()> {
    row(w, &["Source", "Target", "Type", "Id", "Weight", "windows", "documents", "pmi", "npmi", "jaccard", "first", "last", "evidence"])?;
    let evidence = Rendered::first_evidence(g, |s| field(s).into_owned());
    // Each row is built in one reusable buffer (formatting each number into a String of
    // its own was most of the file's time).
    let mut out = String::new();
    for (i, e) in g.graph.edge_references().enumerate() {
        let x = e.weight();
        out.clear();
        for cell in [&g.graph[e.source()].id, &g.graph[e.target()].id] {
            out.push_str(&field(cell));
            out.push(',');
        }
        out.push_str("Undirected,e");
        out.push_str(itoa::Buffer::new().format(i));
        out.push(',');
        push_float(&mut out, x.weight);
        out.push(',');
        out.push_str(itoa::Buffer::new().format(x.windows));
        out.push(',');
        out.push_str(itoa::Buffer::new().format(x.documents));
        for v in [x.pmi, x.npmi, x.jaccard] {
            out.push(',');
            push_float(&mut out, v);
        }
        for date in [&x.first, &x.last] {
            out.push(',');
            out.push_str(&field(date.as_deref().unwrap_or("")));
        }
        // The evidence cell, last, is quoted already.
        out.push(',');
        if let Some(v) = x.evidence.first() {
            out.push_str(evidence.get(&v.text));
        }
        out.push_str("\r\n");
        w.write_all(out.as_bytes())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::field;

    #[test]
    fn quoting_follows_rfc_4180() {
        assert_eq!(field("中方愿同俄方一道"), "中方愿同俄方一道");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("他说\"好\""), "\"他说\"\"好\"\"\"");
    }
}
