//! resolve: turns tagger hits into the contract's mentions.
//!
//! Every hit becomes one mention per entity on its span (a compound 中美 gives CHN and USA on
//! the same span), with offsets mapped back to the bytes of the original file, its sentence,
//! paragraph and speaker turn, the rule that found it, and for a leader the title written next
//! to the name (主席, 外交部长) as evidence of the role. Figures keep their value and unit.

use crate::dict::{Dictionaries, EntityId, Kind};
use crate::normalize::Normalized;
use crate::read::Document;
use crate::segment::Segments;
use crate::tag::Tagged;

/// One mention, as written to `mentions.jsonl`.
#[derive(Clone, Debug, PartialEq)]
pub struct Mention {
    /// Byte offset into the original file.
    pub start: usize,
    /// End byte offset into the original file, exclusive.
    pub end: usize,
    /// Surface form without line breaks.
    pub text: String,
    /// Type.
    pub kind: Kind,
    /// The entity, for all but figures.
    pub entity: Option<EntityId>,
    /// A figure's value.
    pub value: Option<f64>,
    /// A figure's unit.
    pub unit: Option<&'static str>,
    /// Sentence index in the document.
    pub sentence: u32,
    /// Paragraph index.
    pub paragraph: u32,
    /// Speaker turn index.
    pub turn: u32,
    /// How it was found.
    pub rule: &'static str,
    /// For a leader: the title next to the name.
    pub title: Option<String>,
    /// Offset in the normalized text (not written; for windows and evidence).
    pub norm_start: usize,
    /// End in the normalized text.
    pub norm_end: usize,
}

/// The speaker of each turn: the id of the leader or organization in its label, else the
/// label's text.
pub fn speakers(dicts: &Dictionaries, norm: &Normalized, seg: &Segments, mentions: &[Mention]) -> Vec<Option<String>> {
    seg.turns
        .iter()
        .map(|t| {
            let (a, b) = t.label?;
            let inside = mentions.iter().filter(|m| m.norm_start >= a && m.norm_end <= b && m.entity.is_some());
            let best = inside
                .max_by_key(|m| (m.kind == Kind::Leader, m.kind == Kind::Organization, m.norm_end - m.norm_start))
                .and_then(|m| m.entity)
                .map(|id| dicts.entity(id).id.clone());
            Some(best.unwrap_or_else(|| norm.text[a..b].to_string()))
        })
        .collect()
}

fn title_near(dicts: &Dictionaries, text: &str, start: usize, end: usize) -> Option<String> {
    let after = &text[end..];
    let before = &text[..start];
    let longest = |pred: &dyn Fn(&str) -> bool| dicts.titles.iter().filter(|t| pred(t)).max_by_key(|t| t.len()).cloned();
    longest(&|t| after.starts_with(t)).or_else(|| longest(&|t| before.ends_with(t)))
}

/// Resolves one document's hits and figures into mentions, in document order.
pub fn resolve(dicts: &Dictionaries, doc: &Document, norm: &Normalized, seg: &Segments, tagged: &Tagged) -> Vec<Mention> {
    let place = |ns: usize, ne: usize| {
        let s = seg.sentence_of(ns);
        let start = doc.file_offset(norm.origin(ns));
        let end = doc.file_offset(norm.origin_end(ne));
        let text: String = norm.text[ns..ne].chars().filter(|c| *c != '\n').collect();
        (start, end, text, s as u32, seg.sentence_paragraph.get(s).copied().unwrap_or(0), seg.sentence_turn.get(s).copied().unwrap_or(0))
    };
    let mut out = Vec::with_capacity(tagged.hits.len() * 2 + tagged.figures.len());
    for h in &tagged.hits {
        let (start, end, text, sentence, paragraph, turn) = place(h.start, h.end);
        for &id in &h.ids {
            let e = dicts.entity(id);
            let title = (e.kind == Kind::Leader).then(|| title_near(dicts, &norm.text, h.start, h.end)).flatten();
            out.push(Mention {
                start,
                end,
                text: text.clone(),
                kind: e.kind,
                entity: Some(id),
                value: None,
                unit: None,
                sentence,
                paragraph,
                turn,
                rule: h.rule.as_str(),
                title,
                norm_start: h.start,
                norm_end: h.end,
            });
        }
    }
    // A bare day (7日) takes the document's year and month.
    let year_month = doc.date.as_deref().and_then(|d| Some((d.get(..4)?.parse::<f64>().ok()?, d.get(5..7)?.parse::<f64>().ok()?)));
    for f in &tagged.figures {
        let (start, end, text, sentence, paragraph, turn) = place(f.start, f.end);
        let (value, unit) = match (f.unit, year_month) {
            ("day", Some((y, m))) => (y * 10000.0 + m * 100.0 + f.value, "date"),
            _ => (f.value, f.unit),
        };
        out.push(Mention {
            start,
            end,
            text,
            kind: Kind::Figure,
            entity: None,
            value: Some(value),
            unit: Some(unit),
            sentence,
            paragraph,
            turn,
            rule: "figure",
            title: None,
            norm_start: f.start,
            norm_end: f.end,
        });
    }
    // Document order; a compound's mentions keep their order on the shared span.
    out.sort_by_key(|m| (m.start, m.end));
    out
}
