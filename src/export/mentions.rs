//! mentions: one JSON object a line, one line a mention, in document order — the contract of
//! `annotation.md`, with the extra fields `paragraph`, `turn`, `speaker`, `rule` and `title`.
//!
//! The lines are written field by field rather than through serde: a corpus's mentions are
//! its largest file (51 MB for corpus/zh), and serde escaped every key and every value of
//! every line. The bytes are serde_json's; a test compares the two on real text.

use std::io::{self, Write};

use super::{json_f64, json_int, json_opt_str, json_str};
use crate::dict::Dictionaries;
use crate::resolve::Mention;

/// A figure's value: an integer when it is one, else the shortest float.
fn value(w: &mut impl Write, v: f64) -> io::Result<()> {
    if v.fract() == 0.0 && v.abs() < 9.0e15 {
        json_int(w, v as i64)
    } else {
        json_f64(w, v)
    }
}

/// Writes the mentions of document `doc`, decoded from `encoding`.
pub fn write<W: Write>(
    w: &mut W,
    dicts: &Dictionaries,
    doc: &str,
    encoding: &str,
    mentions: &[Mention],
    speakers: &[Option<String>],
) -> io::Result<()> {
    let mut quoted = Vec::new();
    json_str(&mut quoted, doc)?;
    let doc = quoted;
    for m in mentions {
        w.write_all(b"{\"doc\":")?;
        w.write_all(&doc)?;
        w.write_all(b",\"start\":")?;
        json_int(w, m.start)?;
        w.write_all(b",\"end\":")?;
        json_int(w, m.end)?;
        w.write_all(b",\"text\":")?;
        json_str(w, &m.text)?;
        w.write_all(b",\"type\":")?;
        json_str(w, m.kind.as_str())?;
        json_opt_str(w, b",\"id\":", m.entity.map(|e| dicts.entity(e).id.as_str()))?;
        if let Some(v) = m.value {
            w.write_all(b",\"value\":")?;
            value(w, v)?;
        }
        json_opt_str(w, b",\"unit\":", m.unit)?;
        w.write_all(b",\"sentence\":")?;
        json_int(w, m.sentence)?;
        w.write_all(b",\"paragraph\":")?;
        json_int(w, m.paragraph)?;
        w.write_all(b",\"turn\":")?;
        json_int(w, m.turn)?;
        json_opt_str(w, b",\"speaker\":", speakers.get(m.turn as usize).and_then(|s| s.as_deref()))?;
        w.write_all(b",\"rule\":")?;
        json_str(w, m.rule)?;
        json_opt_str(w, b",\"title\":", m.title.as_deref())?;
        json_opt_str(w, b",\"encoding\":", (encoding != "UTF-8").then_some(encoding))?;
        w.write_all(b"}\n")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde::Serialize;

    use crate::{Config, Pipeline};

    /// The serde rendering the hand-written one replaced.
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

    fn serde_value(v: f64) -> serde_json::Value {
        if v.fract() == 0.0 && v.abs() < 9.0e15 {
            serde_json::Value::from(v as i64)
        } else {
            serde_json::Number::from_f64(v).map_or(serde_json::Value::Null, serde_json::Value::Number)
        }
    }

    #[test]
    fn lines_are_serde_jsons_bytes() {
        let pipeline = Pipeline::new(&Config::default()).unwrap();
        let dicts = &pipeline.dicts;
        let docs: Vec<_> = crate::read::corpus(&["tests/fixtures/sample".into()]).filter_map(Result::ok).collect();
        let mut lines = 0;
        for (i, d) in docs.iter().enumerate() {
            let p = pipeline.process(d);
            // Escapes in ids and speakers, a fraction, a non-UTF-8 encoding: the rare paths.
            let id = if i == 0 { "a \"quoted\"\tid\\" } else { d.id.as_str() };
            let encoding = if i == 1 { "GB18030" } else { "UTF-8" };
            let mut speakers = p.speakers.clone();
            speakers.push(Some("发言人\n\u{1}".into()));
            let mut mentions = p.mentions.clone();
            if let Some(m) = mentions.iter_mut().find(|m| m.value.is_some()) {
                m.value = Some(2.5);
                m.text = "两个半\"".into();
            }
            if let Some(m) = mentions.last_mut() {
                m.turn = speakers.len() as u32 - 1;
            }
            let mut got = Vec::new();
            super::write(&mut got, dicts, id, encoding, &mentions, &speakers).unwrap();
            let mut want = Vec::new();
            for m in &mentions {
                let line = Line {
                    doc: id,
                    start: m.start,
                    end: m.end,
                    text: &m.text,
                    kind: m.kind.as_str(),
                    id: m.entity.map(|e| dicts.entity(e).id.as_str()),
                    value: m.value.map(serde_value),
                    unit: m.unit,
                    sentence: m.sentence,
                    paragraph: m.paragraph,
                    turn: m.turn,
                    speaker: speakers.get(m.turn as usize).and_then(|s| s.as_deref()),
                    rule: m.rule,
                    title: m.title.as_deref(),
                    encoding: (encoding != "UTF-8").then_some(encoding),
                };
                serde_json::to_writer(&mut want, &line).unwrap();
                want.push(b'\n');
                lines += 1;
            }
            assert_eq!(String::from_utf8(got).unwrap(), String::from_utf8(want).unwrap(), "{}", d.id);
        }
        assert!(lines > 400, "{lines} lines");
    }
}
