//! Fuzz target: arbitrary bytes through decoding and every per-document stage (normalize,
//! segment, tag, figures, resolve, co-occur, events). Must never panic, and every mention must
//! lie on character boundaries of the decoded text.
#![no_main]

use std::sync::OnceLock;

use diplograph::read::{decode, Document};
use diplograph::{Config, Pipeline};
use libfuzzer_sys::fuzz_target;

fn pipeline() -> &'static Pipeline {
    static P: OnceLock<Pipeline> = OnceLock::new();
    P.get_or_init(|| Pipeline::new(&Config::default()).unwrap())
}

fuzz_target!(|data: &[u8]| {
    let Ok((text, _, _, _)) = decode(data) else { return };
    let doc = Document::from_text("fuzz", &text, Some("2024-03-07"));
    let out = pipeline().process(&doc);
    for m in &out.mentions {
        assert!(text.is_char_boundary(m.start) && text.is_char_boundary(m.end) && m.start <= m.end);
    }
});
