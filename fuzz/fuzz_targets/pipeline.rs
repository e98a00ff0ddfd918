//! Fuzz target: arbitrary bytes through decoding (damaged files mended) and every per-document stage (normalize,
//! segment, tag, figures, resolve, co-occur, events) and the hand-written mentions.jsonl writer.
//! Must never panic, every mention must lie on character boundaries of the decoded text, and
//! every line written must be a JSON object whose `text` is the mention's.
#![no_main]

use std::sync::OnceLock;

use diplograph::read::{decode_repairing, Document};
use diplograph::{Config, Pipeline};
use libfuzzer_sys::fuzz_target;

fn pipeline() -> &'static Pipeline {
    static P: OnceLock<Pipeline> = OnceLock::new();
    P.get_or_init(|| Pipeline::new(&Config::default()).unwrap())
}

fuzz_target!(|data: &[u8]| {
    let Ok(((text, _, _, _), _)) = decode_repairing(data) else { return };
    let doc = Document::from_text("fuzz", &text, Some("2024-03-07"));
    let out = pipeline().process(&doc);
    for m in &out.mentions {
        assert!(text.is_char_boundary(m.start) && text.is_char_boundary(m.end) && m.start <= m.end);
    }
    // The document id and the speakers are arbitrary text here, escapes and all.
    let id = String::from_utf8_lossy(&data[..data.len().min(12)]).into_owned();
    let mut lines = Vec::new();
    diplograph::export::mentions::write(&mut lines, &pipeline().dicts, &id, "GB18030", &out.mentions, &out.speakers).unwrap();
    let lines = String::from_utf8(lines).unwrap();
    assert_eq!(lines.lines().count(), out.mentions.len());
    for (line, m) in lines.lines().zip(&out.mentions) {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(v["text"].as_str(), Some(m.text.as_str()));
        assert_eq!(v["doc"].as_str(), Some(id.as_str()));
    }
});
