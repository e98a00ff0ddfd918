//! mentions: one JSON object a line, one line a mention, in document order — the contract of
//! `annotation.md`, with the extra fields `paragraph`, `turn`, `speaker`, `rule` and `title`.

use std::io::Write;

use serde::Serialize;

use crate::dict::Dictionaries;
use crate::resolve::Mention;

#[derive(Serialize)]
struct Line<'a> {
    doc: &'a str,
    start: usize,
    end: usize,
    text: &'a str,
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    value: Option<serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    unit: Option<&'static str>,
    sentence: u32,
    paragraph: u32,
    turn: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    speaker: Option<&'a str>,
    rule: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    encoding: Option<&'a str>,
}

/// A figure value as a JSON number: an integer when it is one.
fn value(v: f64) -> serde_json::Value {
    if v.fract() == 0.0 && v.abs() < 9.0e15 {
        serde_json::Value::from(v as i64)
    } else {
        serde_json::Number::from_f64(v).map_or(serde_json::Value::Null, serde_json::Value::Number)
    }
}

/// Writes one document's mentions; `speakers` holds each turn's speaker. A document decoded
/// from anything but UTF-8 says so on each mention (`encoding`), since offsets are into its
/// own bytes.
pub fn write<W: Write>(
    w: &mut W,
    dicts: &Dictionaries,
    doc: &str,
    encoding: &str,
    mentions: &[Mention],
    speakers: &[Option<String>],
) -> std::io::Result<()> {
    for m in mentions {
        let line = Line {
            doc,
            start: m.start,
            end: m.end,
            text: &m.text,
            kind: m.kind.as_str(),
            id: m.entity.map(|e| dicts.entity(e).id.as_str()),
            value: m.value.map(value),
            unit: m.unit,
            sentence: m.sentence,
            paragraph: m.paragraph,
            turn: m.turn,
            speaker: speakers.get(m.turn as usize).and_then(|s| s.as_deref()),
            rule: m.rule,
            title: m.title.as_deref(),
            encoding: (encoding != "UTF-8").then_some(encoding),
        };
        serde_json::to_writer(&mut *w, &line)?;
        w.write_all(b"\n")?;
    }
    Ok(())
}
