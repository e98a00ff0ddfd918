//! Property tests: whatever the layout of the text (hard wraps, column breaks, indents,
//! full-width digits, CRLF and CR line ends), every offset maps back onto character boundaries of the original
//! bytes, and every mention's span holds its `text`.

use std::sync::OnceLock;

use diplograph::normalize::{normalize, NormalizeConfig};
use diplograph::read::{decode_repairing, Document};
use diplograph::{Config, Pipeline};
use proptest::prelude::*;

/// Pieces of real transcript text and of the layouts they arrive in.
const PIECES: &[&str] = &[
    "中国", "美方", "对华", "发展中国家", "王毅：", "。", "，", "\n", "\n\n", "　　", "2024年3月7日", "２４", "ＡＢ", "US", " ",
    "中美关系", "据新华社", "习近平主席", "美好", "中", "华", "\r\n", "・", "abc", "2400亿美元", "中共中央\n政治局", "联合国安理会",
    "今日俄罗斯国际通讯社记者：", "俄", "缅北", "中日韩", "百分之三", "？", "“", "”", "The United States and China", "\t",
    "\r", "\r\r\n",
];

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..80).prop_map(|v| v.concat())
}

fn pipeline() -> &'static Pipeline {
    static P: OnceLock<Pipeline> = OnceLock::new();
    P.get_or_init(|| Pipeline::new(&Config::default()).unwrap())
}

/// Full-width digits and letters as normalize folds them; white space dropped.
fn comparable(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '０'..='９' | 'Ａ'..='Ｚ' | 'ａ'..='ｚ' | '％' | '．' => char::from_u32(c as u32 - 0xFEE0).unwrap(),
            '・' | '•' | '‧' | '･' | '∙' => '·',
            c => c,
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn offsets_land_on_char_boundaries(t in text()) {
        let n = normalize(&t, &NormalizeConfig::default());
        for (i, c) in n.text.char_indices() {
            let (a, b) = (n.origin(i), n.origin_end(i + c.len_utf8()));
            prop_assert!(t.is_char_boundary(a) && t.is_char_boundary(b) && a <= b && b <= t.len());
            if !c.is_whitespace() {
                prop_assert_eq!(comparable(&t[a..b]), c.to_string());
            }
        }
    }

    #[test]
    fn mentions_hold_their_text(t in text()) {
        let doc = Document::from_text("p", &t, Some("2024-03-07"));
        let out = pipeline().process(&doc);
        for m in &out.mentions {
            prop_assert!(t.is_char_boundary(m.start) && t.is_char_boundary(m.end) && m.start < m.end);
            prop_assert_eq!(comparable(&t[m.start..m.end]), comparable(&m.text));
        }
    }

    #[test]
    fn mended_utf8_keeps_offsets_into_the_file(t in text(), bad in prop::collection::vec((any::<prop::sample::Index>(), 0x80u8..=0xFF), 1..4)) {
        // Damage: a few stray bytes anywhere, even inside a character.
        let mut bytes = t.clone().into_bytes();
        for (at, b) in &bad {
            let at = at.index(bytes.len() + 1);
            bytes.insert(at, *b);
        }
        let Ok(((text, encoding, origin, base), _)) = decode_repairing(&bytes) else { return Ok(()) };
        let map = origin.unwrap_or_else(|| (base..=base + text.len()).map(|i| i as u32).collect());
        prop_assert_eq!(map.len(), text.len() + 1);
        // (Short of the end when a cut-off last character was left out.)
        prop_assert!(*map.last().unwrap() as usize <= bytes.len());
        prop_assert!(map.windows(2).all(|w| w[0] <= w[1]));
        // (A short run of stray bytes may read as another encoding, windows-1252 say.)
        for (i, c) in text.char_indices().filter(|&(_, c)| c != '\u{FFFD}' && encoding == "UTF-8") {
            let (at, mut buf) = (map[i] as usize, [0u8; 4]);
            prop_assert_eq!(&bytes[at..at + c.len_utf8()], c.encode_utf8(&mut buf).as_bytes());
        }
        let doc = Document { origin: Some(map), base, ..Document::from_text("p", &text, Some("2024-03-07")) };
        let out = pipeline().process(&doc);
        for m in out.mentions.iter().filter(|_| encoding == "UTF-8") {
            prop_assert!(m.start < m.end && m.end <= bytes.len());
            prop_assert_eq!(comparable(&String::from_utf8_lossy(&bytes[m.start..m.end])), comparable(&m.text));
        }
    }

    #[test]
    fn mended_gb18030_keeps_offsets_into_the_file(t in text(), bad in prop::collection::vec((any::<prop::sample::Index>(), 0x80u8..=0xFF), 1..4)) {
        let (gbk, _, _) = encoding_rs::GB18030.encode(&t);
        let mut bytes = gbk.into_owned();
        for (at, b) in &bad {
            let at = at.index(bytes.len() + 1);
            bytes.insert(at, *b);
        }
        let Ok(((text, encoding, Some(map), base), _)) = decode_repairing(&bytes) else { return Ok(()) };
        if encoding != "gb18030" {
            return Ok(());
        }
        prop_assert_eq!(map.len(), text.len() + 1);
        prop_assert!(map.windows(2).all(|w| w[0] <= w[1]) && *map.last().unwrap() as usize <= bytes.len());
        // Each character's own bytes decode to it; each U+FFFD stands for at least one byte.
        for (i, c) in text.char_indices() {
            let own = &bytes[map[i] as usize..map[i + c.len_utf8()] as usize];
            if c == '\u{FFFD}' {
                prop_assert!(!own.is_empty());
            } else {
                let got = encoding_rs::GB18030.decode_without_bom_handling_and_without_replacement(own);
                let mut buf = [0u8; 4];
                prop_assert_eq!(got.as_deref(), Some(&*c.encode_utf8(&mut buf)));
            }
        }
        let doc = Document { origin: Some(map), base, ..Document::from_text("p", &text, Some("2024-03-07")) };
        let out = pipeline().process(&doc);
        for m in &out.mentions {
            let got = encoding_rs::GB18030.decode_without_bom_handling(&bytes[m.start..m.end]).0;
            prop_assert_eq!(comparable(&got), comparable(&m.text));
        }
    }
}
