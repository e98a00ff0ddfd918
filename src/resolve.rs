//! resolve: turns tagger hits into the contract's mentions.
//!
//! Every hit becomes one mention per entity on its span (a compound 中美 gives CHN and USA on
//! the same span), with offsets mapped back to the bytes of the original file, its sentence,
//! paragraph and speaker turn, the rule that found it, and for a leader the title written next
//! to the name (主席, 外交部长) as evidence of the role. Figures keep their value and unit.
//! A form that stays ambiguous (中巴: Pakistan or Brazil) is settled by the document's other
//! mentions: when the document names only an alternative of the abbreviation or phrase (巴西,
//! no 巴基斯坦), the mention takes it and its rule says so (`compound+context`).

use std::collections::HashMap;

use crate::dict::{Dictionaries, EntityId, Kind};
use crate::normalize::Normalized;
use crate::read::Document;
use crate::segment::Segments;
use crate::tag::{Hit, Rule, Tagged};

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

/// The mentions of `mentions` (in text order) that start in the normalized span `a..b`,
/// found by binary search.
pub fn starting_in(mentions: &[Mention], a: usize, b: usize) -> &[Mention] {
    let from = mentions.partition_point(|m| m.norm_start < a);
    let to = mentions.partition_point(|m| m.norm_start < b).max(from);
    &mentions[from..to]
}

/// The speaker of each turn: the id of the leader or organization in its label, else the
/// label's text.
pub fn speakers(dicts: &Dictionaries, norm: &Normalized, seg: &Segments, mentions: &[Mention]) -> Vec<Option<String>> {
    seg.turns
        .iter()
        .map(|t| {
            let (a, b) = t.label?;
            // (A scan of all the mentions per turn was quadratic: the corpus as one file, 20,000
            // turns, spent half its time here.)
            let inside = starting_in(mentions, a, b).iter().filter(|m| m.norm_end <= b && m.entity.is_some());
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

/// How often the document names each entity in full (by an alias, not a generated form).
fn full_names(tagged: &Tagged) -> HashMap<EntityId, usize> {
    let mut named = HashMap::new();
    for h in tagged.hits.iter().filter(|h| h.rule == Rule::Alias) {
        for &id in &h.ids {
            *named.entry(id).or_default() += 1;
        }
    }
    named
}

/// The alternative the document context picks for `default`: the one alternative it names in
/// full, when it does not name `default` itself.
fn pick(default: EntityId, alternatives: &[EntityId], named: &HashMap<EntityId, usize>) -> Option<EntityId> {
    if named.contains_key(&default) {
        return None;
    }
    let mut hits = alternatives.iter().filter(|a| named.contains_key(a));
    match (hits.next(), hits.next()) {
        (Some(&a), None) => Some(a),
        _ => None,
    }
}

/// A hit's entities after document context (中巴 with 巴西 named and 巴基斯坦 not → CHN, BRA),
/// each with the rule to report: the tagger's, with `+context` on an id the context chose.
pub fn by_context(dicts: &Dictionaries, text: &str, h: &Hit, named: &HashMap<EntityId, usize>) -> Vec<(EntityId, &'static str)> {
    let mut ids = h.ids.clone();
    let mut changed = vec![false; ids.len()];
    match h.rule {
        Rule::Alias => {}
        Rule::Phrase => {
            // The phrase that matched: the one with these ids whose text stands around the span.
            let matched = dicts.phrases.iter().find(|p| {
                !p.alternatives.is_empty()
                    && p.ids == h.ids
                    && h.start >= p.span.0
                    && text.get(h.start - p.span.0..).is_some_and(|t| t.starts_with(p.phrase.as_str()))
                    && p.span.1 - p.span.0 == h.end - h.start
            });
            if let (Some(p), Some(last)) = (matched, ids.len().checked_sub(1)) {
                if let Some(a) = pick(ids[last], &p.alternatives, named) {
                    ids[last] = a;
                    changed[last] = true;
                }
            }
        }
        _ => {
            for ch in text[h.start..h.end].chars() {
                let Some(abbr) = dicts.abbreviation(ch).filter(|a| !a.alternatives.is_empty()) else { continue };
                if let Some(k) = ids.iter().position(|i| *i == abbr.entity) {
                    if let Some(a) = pick(abbr.entity, &abbr.alternatives, named) {
                        ids[k] = a;
                        changed[k] = true;
                    }
                }
            }
        }
    }
    let with_context = match h.rule {
        Rule::Phrase => "phrase+context",
        Rule::Compound => "compound+context",
        Rule::Side => "side+context",
        Rule::Function => "function-word+context",
        Rule::Bare => "abbreviation+context",
        Rule::Part => "part+context",
        Rule::Alias => "alias",
    };
    ids.into_iter().zip(changed).map(|(id, c)| (id, if c { with_context } else { h.rule.as_str() })).collect()
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
    let named = full_names(tagged);
    for h in &tagged.hits {
        let (start, end, text, sentence, paragraph, turn) = place(h.start, h.end);
        for (id, rule) in by_context(dicts, &norm.text, h, &named) {
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
                rule,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dict::DictConfig;
    use crate::normalize::{normalize, NormalizeConfig};
    use crate::segment::Segmenter;
    use crate::tag::{TagConfig, Tagger};

    /// (surface, id, rule) of every entity mention of `text`.
    fn mentions(text: &str) -> Vec<(String, String, String)> {
        let d = Dictionaries::load(&DictConfig::default()).unwrap();
        let t = Tagger::new(&d, &TagConfig::default()).unwrap();
        let doc = Document::from_text("d", text, Some("2024-03-07"));
        let norm = normalize(&doc.text, &NormalizeConfig::default());
        let seg = Segmenter::default().segment(&norm);
        resolve(&d, &doc, &norm, &seg, &t.tag(&norm.text, doc.year()))
            .into_iter()
            .filter_map(|m| Some((m.text, d.entity(m.entity?).id.clone(), m.rule.to_string())))
            .collect()
    }

    fn has(got: &[(String, String, String)], text: &str, id: &str, rule: &str) -> bool {
        got.iter().any(|(t, i, r)| t == text && i == id && r == rule)
    }

    #[test]
    fn brazil_context_turns_zhongba_to_bra() {
        let got = mentions("习近平同巴西总统卢拉举行会谈。中巴关系保持良好发展势头，巴方愿同中方加强合作。");
        assert!(has(&got, "中巴", "BRA", "compound+context"), "{got:?}");
        assert!(has(&got, "巴方", "BRA", "side+context"), "{got:?}");
        assert!(!got.iter().any(|(_, i, _)| i == "PAK"), "{got:?}");
    }

    #[test]
    fn pakistan_named_keeps_pak() {
        let got = mentions("巴基斯坦总理夏巴兹访华。中巴关系是全天候战略合作伙伴关系，巴西也派员出席。");
        assert!(has(&got, "中巴", "PAK", "compound"), "{got:?}");
    }

    #[test]
    fn no_context_keeps_default() {
        let got = mentions("中巴关系保持良好发展势头。");
        assert!(has(&got, "中巴", "PAK", "compound"), "{got:?}");
    }

    #[test]
    fn corridor_phrase_is_not_switched() {
        let got = mentions("巴西代表团参观了中巴经济走廊项目。");
        assert!(has(&got, "中巴", "PAK", "phrase"), "{got:?}");
    }

    #[test]
    fn ukraine_context_turns_zhongwu_to_ukr() {
        let got = mentions("乌克兰外长库列巴表示，中乌关系发展良好。");
        assert!(has(&got, "中乌", "UKR", "phrase+context"), "{got:?}");
        let got = mentions("乌兹别克斯坦总统米尔济约耶夫表示，中乌关系发展良好。");
        assert!(has(&got, "中乌", "UZB", "phrase"), "{got:?}");
    }

    #[test]
    fn central_african_republic_context() {
        let got = mentions("中非共和国总统图瓦德拉访华。中非两国友谊源远流长。");
        assert!(has(&got, "中非", "CAF", "compound+context"), "{got:?}");
    }
}
