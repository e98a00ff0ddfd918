//! event: who did what to whom — PLOVER events between the actors of a sentence.
//!
//! The coder takes one document's normalized text, sentences, turns, mentions and speakers and
//! returns the events of `../shared/spec/events.md`: a cue from the lexicon (`cues.tsv`, data,
//! not code), a source (the subject before the cue, a side form, 双方 with its antecedents, or
//! the turn's or reported speaker for 我们 and subjectless clauses), a recipient (the object
//! after the cue, or the actor after 同/与/对/向), and the context (future, negation,
//! hypothetical, historical). It exists because co-occurrence says only that two actors meet in
//! a sentence; analysts want to know what one did to the other.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::PathBuf;

use aho_corasick::{AhoCorasick, MatchKind};

use crate::dict::{Dictionaries, EntityId, Kind};
use crate::error::Error;
use crate::normalize::Normalized;
use crate::read::Document;
use crate::resolve::Mention;
use crate::segment::Segments;

/// The PLOVER event types with their quad category, in a fixed order.
pub const TYPES: [(&str, &str); 16] = [
    ("AGREE", "verbal-coop"),
    ("CONSULT", "verbal-coop"),
    ("SUPPORT", "verbal-coop"),
    ("CONCEDE", "verbal-coop"),
    ("COOPERATE", "material-coop"),
    ("AID", "material-coop"),
    ("RETREAT", "material-coop"),
    ("REQUEST", "verbal-conflict"),
    ("ACCUSE", "verbal-conflict"),
    ("REJECT", "verbal-conflict"),
    ("THREATEN", "verbal-conflict"),
    ("PROTEST", "material-conflict"),
    ("SANCTION", "material-conflict"),
    ("MOBILIZE", "material-conflict"),
    ("COERCE", "material-conflict"),
    ("ASSAULT", "material-conflict"),
];

/// The four quad categories, in output order.
pub const QUADS: [&str; 4] = ["verbal-coop", "material-coop", "verbal-conflict", "material-conflict"];

/// The quad category of a PLOVER type.
pub fn quad(kind: &str) -> Option<&'static str> {
    TYPES.iter().find(|(t, _)| *t == kind).map(|(_, q)| *q)
}

/// One event of `events.jsonl`.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Event {
    /// Sentence index.
    pub sentence: u32,
    /// Cue start, bytes of the original file.
    pub start: usize,
    /// Cue end, exclusive.
    pub end: usize,
    /// The cue's text.
    pub cue: String,
    /// PLOVER type.
    #[serde(rename = "type")]
    pub kind: String,
    /// Source actor ids.
    pub source: Vec<String>,
    /// Recipient actor ids.
    pub recipient: Vec<String>,
    /// Countries of the sources.
    pub source_country: Vec<String>,
    /// Countries of the recipients.
    pub recipient_country: Vec<String>,
    /// future, negation, hypothetical, historical.
    pub context: Vec<String>,
    /// PLOVER mode, where one applies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    /// The document's date (not written; for the event graph and dyads).
    #[serde(skip)]
    pub date: Option<String>,
    /// The sentence's text (not written; evidence in the event graph).
    #[serde(skip)]
    pub evidence: String,
}

/// How a cue's actors attach to it (the `args` column of `cues.tsv`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Args {
    /// Subject → object (or the actor after a preposition).
    Svo,
    /// As `Svo`; compounds and 双方 give joint sources.
    Joint,
    /// CONSULT between peers.
    Meet,
    /// CONSULT hosted by the subject: the object is the visitor (source).
    Host,
    /// CONSULT: the subject visits the object.
    Visit,
    /// The nearest actor before the cue in its clause acts, with no recipient.
    Intrans,
    /// The recipient is the first actor of another country in the rest of the sentence.
    Say,
    /// Counts only with a 同/与/跟 phrase before the cue.
    With,
}

/// Whether a cue needs a named recipient.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Need {
    Required,
    Optional,
    Never,
}

/// One row of the cue lexicon.
#[derive(Clone, Debug)]
struct Cue {
    /// The whole cue as written (`达成…共识`), the key for overrides.
    text: String,
    head: String,
    tail: Option<String>,
    /// PLOVER type; empty for a blocker (愿望 is no 愿).
    kind: &'static str,
    mode: Option<String>,
    args: Args,
    need: Need,
    /// The cue itself is future (愿同).
    future: bool,
    /// An event only in a future context.
    need_future: bool,
}

/// The event coder, built once from the dictionaries' cue lexicon.
pub struct EventCoder {
    cues: Vec<Cue>,
    /// Cue heads, one pattern each; `by_head[pattern]` lists the cues sharing it, longest first.
    ac: Option<AhoCorasick>,
    by_head: Vec<Vec<usize>>,
    /// Country names (label and aliases) with their ISO3, longest first, to read a role's state.
    country_names: Vec<(String, String)>,
}

const MODES: [&str; 6] = ["visit", "phone", "multilateral", "economic", "humanitarian", "military"];

fn parse_cues(path: &PathBuf, text: &str, cues: &mut Vec<Cue>) -> Result<(), Error> {
    let err = |line: usize, reason: String| Error::Dictionary { path: path.clone(), line, reason };
    let mut header: Option<Vec<String>> = None;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim_end_matches('\r');
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let cells: Vec<&str> = line.split('\t').map(str::trim).collect();
        let Some(h) = &header else {
            for col in ["cue", "type"] {
                if !cells.contains(&col) {
                    return Err(err(i + 1, format!("header lacks the column `{col}`")));
                }
            }
            header = Some(cells.iter().map(|c| c.to_string()).collect());
            continue;
        };
        let get = |col: &str| h.iter().position(|c| c == col).and_then(|p| cells.get(p).copied()).unwrap_or("");
        let text = get("cue").to_string();
        if text.is_empty() {
            return Err(err(i + 1, "empty cue".into()));
        }
        let kind = get("type");
        cues.retain(|c| c.text != text);
        let kind = if kind == "-" { "" } else { kind };
        let kind = if kind.is_empty() { Ok("") } else { TYPES
            .iter()
            .find(|(t, _)| *t == kind)
            .map(|(t, _)| *t)
            .ok_or_else(|| err(i + 1, format!("cue `{text}`: unknown PLOVER type `{kind}`"))) }?;
        let mode = match get("mode") {
            "" => None,
            m if MODES.contains(&m) => Some(m.to_string()),
            m => return Err(err(i + 1, format!("cue `{text}`: unknown mode `{m}`"))),
        };
        let args = match get("args") {
            "" | "svo" => Args::Svo,
            "joint" => Args::Joint,
            "meet" => Args::Meet,
            "host" => Args::Host,
            "visit" => Args::Visit,
            "intrans" => Args::Intrans,
            "say" => Args::Say,
            "with" => Args::With,
            a => return Err(err(i + 1, format!("cue `{text}`: unknown args `{a}`"))),
        };
        let need = match get("recipient") {
            "" | "optional" => Need::Optional,
            "required" => Need::Required,
            "none" => Need::Never,
            r => return Err(err(i + 1, format!("cue `{text}`: unknown recipient `{r}`"))),
        };
        let (future, need_future) = match get("context") {
            "" => (false, false),
            "future" => (true, false),
            "need-future" => (false, true),
            c => return Err(err(i + 1, format!("cue `{text}`: unknown context `{c}`"))),
        };
        let (head, tail) = match text.split_once('…') {
            Some((a, b)) if !a.is_empty() && !b.is_empty() => (a.to_string(), Some(b.to_string())),
            Some(_) => return Err(err(i + 1, format!("cue `{text}`: `…` needs text on both sides"))),
            None => (text.clone(), None),
        };
        let is_ascii = |s: &str| s.is_ascii();
        if is_ascii(&head) != tail.as_deref().map_or(is_ascii(&head), is_ascii) {
            return Err(err(i + 1, format!("cue `{text}`: mixes ASCII and CJK parts")));
        }
        cues.push(Cue { text, head, tail, kind, mode, args, need, future, need_future });
    }
    Ok(())
}

/// Clause separators inside a sentence.
fn is_clause_sep(c: char) -> bool {
    matches!(c, '，' | '；' | '：' | ',' | ';' | ':' | '。' | '！' | '？' | '!' | '?')
}

/// Characters that make the actor after them an object (同X, 对俄方, 在北京); an abbreviation
/// after a function word (对华, 访美) is one by its rule.
const PREPS: &str = "同与跟对向给为在从把被于就据应";
const EN_PREPS: [&str; 12] = ["with", "to", "on", "against", "from", "in", "by", "toward", "towards", "of", "for", "at"];
/// What follows an actor that makes it a modifier of an idea, not an actor (中美关系, 中国外交).
const MODIFIER_SUFFIXES: [&str; 16] =
    ["关系", "外交", "特色", "方案", "智慧", "式现代化", "梦", "人民", "宪章", "决议", "文化年", "合作", "友好", "交往", "经验", "故事"];
const SPEECH_VERBS: [&str; 9] = ["表示", "指出", "强调", "说", "认为", "介绍", "称", "说道", "表态"];
const SPEAKER_PRONOUNS: [&str; 5] = ["我们", "我方", "我国", "咱们", "We "];
const BOTH_PRONOUNS: [&str; 9] =
    ["两国元首", "两国领导人", "双方", "两国", "both sides", "the two sides", "both countries", "the two countries", "the two leaders"];
const NEGATORS: [&str; 22] = [
    "不寻求", "不会", "从未", "从不", "绝不", "决不", "没有", "并未", "尚未", "未曾", "不再", "无意", "不愿", "不能", "不应",
    "不允许", "不接受", "拒不", "not ", "never ", "no longer", "n't ",
];
const HYPOTHETICAL: [&str; 6] = ["如果", "假如", "倘若", "一旦", "若", "If "];
const FUTURE: [&str; 8] = ["将", "愿", "拟", "准备", "计划", "will ", "would ", "shall "];
const HISTORICAL: [&str; 8] = ["去年", "前年", "此前", "曾", "近年来", "一年来", "以来", "已经"];

/// A run of actor mentions that act together (中美, 沙特伊朗, 马耳他总统维拉), or a pronoun
/// resolved to its actors.
#[derive(Clone, Debug)]
struct Group {
    start: usize,
    end: usize,
    ids: Vec<EntityId>,
    /// An object: after a preposition, or an abbreviation after a function word (对华).
    prep: Option<char>,
    /// Followed by 关系/外交/…: part of an idea's name.
    modifier: bool,
}

impl Group {
    fn countries<'a>(&self, coder: &'a EventCoder, dicts: &'a Dictionaries, date: Option<&str>) -> BTreeSet<String> {
        self.ids.iter().map(|&id| coder.country_of(dicts, id, date)).collect()
    }
}

fn last_char(s: &str) -> Option<char> {
    s.chars().next_back()
}

fn prev_word(s: &str) -> &str {
    let t = s.trim_end();
    let at = t.rfind(|c: char| !c.is_ascii_alphabetic()).map_or(0, |p| p + t[p..].chars().next().map_or(1, char::len_utf8));
    &t[at..]
}

impl EventCoder {
    /// Builds the coder from `cues.tsv` (defaults first, then the `--dict` files; a later row
    /// with the same cue replaces the earlier one, type `-` removes it).
    pub fn new(dicts: &Dictionaries) -> Result<EventCoder, Error> {
        let mut cues = Vec::new();
        if let Some(files) = dicts.raw.get("cues.tsv") {
            for (path, text) in files {
                parse_cues(path, text, &mut cues)?;
            }
        }
        let mut heads: Vec<String> = Vec::new();
        let mut by_head: Vec<Vec<usize>> = Vec::new();
        for (i, c) in cues.iter().enumerate() {
            let key = if c.head.is_ascii() { c.head.to_ascii_lowercase() } else { c.head.clone() };
            match heads.iter().position(|h| *h == key) {
                Some(p) => by_head[p].push(i),
                None => {
                    heads.push(key);
                    by_head.push(vec![i]);
                }
            }
        }
        // Discontinuous cues first: 达成…共识 before a plain 达成.
        for list in &mut by_head {
            list.sort_by_key(|&i| (cues[i].tail.is_none(), std::cmp::Reverse(cues[i].text.len()), i));
        }
        let ac = if heads.is_empty() {
            None
        } else {
            Some(
                AhoCorasick::builder()
                    .match_kind(MatchKind::LeftmostLongest)
                    .ascii_case_insensitive(true)
                    .build(&heads)
                    .map_err(|e| Error::Automaton(e.to_string()))?,
            )
        };
        let mut country_names: Vec<(String, String)> = Vec::new();
        for e in dicts.entities.iter().filter(|e| e.kind == Kind::Country) {
            for n in std::iter::once(&e.label).chain(e.aliases.iter()) {
                if n.chars().count() >= 2 {
                    country_names.push((n.clone(), e.id.clone()));
                }
            }
        }
        country_names.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.cmp(b)));
        Ok(EventCoder { cues, ac, by_head, country_names })
    }

    /// Number of cues in the lexicon.
    pub fn cue_count(&self) -> usize {
        self.cues.len()
    }

    /// The country an actor counts for on `date`: a country itself; a leader's state from the
    /// role held that day (its `@ISO3` country, or a role named with its state, 美国总统), else
    /// the leader's country;
    /// an organization of one state gives that state; international bodies and regions their id.
    pub fn country_of(&self, dicts: &Dictionaries, id: EntityId, date: Option<&str>) -> String {
        let e = dicts.entity(id);
        match e.kind {
            Kind::Country => e.id.clone(),
            Kind::Leader => e
                .role_on(date)
                .and_then(|r| {
                    r.country.clone().or_else(|| {
                        self.country_names.iter().find(|(n, _)| r.name.starts_with(n.as_str())).map(|(_, iso)| iso.clone())
                    })
                })
                .or_else(|| e.country.clone())
                .unwrap_or_else(|| e.id.clone()),
            _ => e.country.clone().unwrap_or_else(|| e.id.clone()),
        }
    }

    /// The events of one document, in document order.
    pub fn code(
        &self,
        dicts: &Dictionaries,
        doc: &Document,
        norm: &Normalized,
        seg: &Segments,
        mentions: &[Mention],
        speakers: &[Option<String>],
    ) -> Vec<Event> {
        let Some(ac) = &self.ac else { return Vec::new() };
        let text = norm.text.as_str();
        let date = doc.date.as_deref();
        let year = doc.year();
        // Cue hits by sentence; only sentences holding one are looked at closely.
        let mut hits: Vec<Vec<(usize, usize, usize)>> = vec![Vec::new(); seg.sentences.len()];
        for m in ac.find_iter(text) {
            let (s, e) = (m.start(), m.end());
            if self.cues[self.by_head[m.pattern().as_usize()][0]].head.is_ascii() {
                let before = text[..s].chars().next_back();
                let after = text[e..].chars().next();
                if before.is_some_and(|c| c.is_ascii_alphanumeric()) || after.is_some_and(|c| c.is_ascii_alphanumeric()) {
                    continue;
                }
            }
            let si = seg.sentence_of(s);
            if si < hits.len() && e <= seg.sentences[si].1 {
                hits[si].push((s, e, m.pattern().as_usize()));
            }
        }
        let groups = self.groups(dicts, text, seg, mentions);
        let mut events: Vec<Event> = Vec::new();
        let mut para = u32::MAX;
        let mut voice: Option<Vec<EntityId>> = None;
        let mut para_future = false;
        for (si, &(ss, se)) in seg.sentences.iter().enumerate() {
            // The sentence's own mentions: mentions are in text order, so they are one run
            // (scanning all of them per cue was quadratic on a one-paragraph 50 MB document).
            let here = {
                let a = mentions.partition_point(|m| (m.sentence as usize) < si);
                let b = mentions.partition_point(|m| (m.sentence as usize) <= si);
                &mentions[a..b]
            };
            let p = seg.sentence_paragraph.get(si).copied().unwrap_or(0);
            if p != para {
                para = p;
                voice = None;
                para_future = false;
            }
            let sentence = &text[ss..se];
            // Reported speech: 习近平指出，… makes Xi the voice of what follows in the paragraph.
            let mut voice_here = None;
            for g in &groups[si] {
                if g.prep.is_some() || g.modifier {
                    continue;
                }
                let rest = &text[g.end..se];
                let stop = rest.find(|c: char| matches!(c, '，' | '：' | ',' | ':' | '。')).unwrap_or(rest.len());
                if rest[..stop].chars().count() <= 8 && SPEECH_VERBS.iter().any(|v| rest[..stop].ends_with(v)) && stop < rest.len() {
                    voice_here = Some(g.ids.clone());
                    break;
                }
            }
            let turn = seg.sentence_turn.get(si).copied().unwrap_or(0) as usize;
            let speaker = self.speaker(dicts, text, seg, speakers, turn);
            let sentence_future = self.has_future_subject(text, &groups[si], ss, se);
            if hits[si].is_empty() || sentence.ends_with(['？', '?']) {
                if let Some(v) = voice_here {
                    voice = Some(v);
                }
                para_future |= sentence_future;
                continue;
            }
            let acting = voice_here.clone().or_else(|| voice.clone()).or_else(|| speaker.clone());
            let sg = self.sentence_groups(dicts, text, &groups, si, ss, se, acting.as_deref(), date);
            let mut keys: BTreeSet<(String, bool, Vec<String>, Vec<String>)> = BTreeSet::new();
            let mut covered_until = 0;
            for &(cs, ce, pat) in &hits[si] {
                if cs < covered_until {
                    continue;
                }
                // A cue inside an entity's name (the 会谈 of some organization) is none.
                if here.iter().any(|m| m.entity.is_some() && m.norm_start <= cs && ce <= m.norm_end && m.rule != "function") {
                    continue;
                }
                let clause_start = text[ss..cs].rfind(is_clause_sep).map_or(ss, |p| ss + p + text[ss + p..].chars().next().map_or(1, char::len_utf8));
                let clause_end = text[ce..se].find(is_clause_sep).map_or(se, |p| ce + p);
                let Some((ci, cue_end)) = self.by_head[pat].iter().find_map(|&ci| {
                    let c = &self.cues[ci];
                    match &c.tail {
                        None => Some((ci, ce)),
                        Some(t) => {
                            let window = &text[ce..clause_end];
                            let found = if t.is_ascii() { window.to_ascii_lowercase().find(&t.to_ascii_lowercase()) } else { window.find(t.as_str()) };
                            found.filter(|&at| window[..at].chars().count() <= 16).map(|at| (ci, ce + at + t.len()))
                        }
                    }
                }) else {
                    continue;
                };
                let cue = &self.cues[ci];
                covered_until = cue_end;
                // A blocker (愿望), or a cue that is the object of 把 (把承诺落到实处), is no act.
                if cue.kind.is_empty() || text[ss..cs].ends_with('把') {
                    continue;
                }
                // Anniversaries (建交75周年) name a past act as a date, not an event.
                if text[cue_end..se].chars().take(6).collect::<String>().contains("周年") {
                    continue;
                }
                covered_until = cue_end;
                let Some(ev) = self.one(dicts, text, &sg, cue, cs, cue_end, ss, se, clause_start, clause_end, acting.as_deref(), para_future, date)
                else {
                    continue;
                };
                let (src, rec, mut context) = ev;
                let sc: BTreeSet<String> = src.iter().map(|&i| self.country_of(dicts, i, date)).collect();
                let rc: BTreeSet<String> = rec.iter().map(|&i| self.country_of(dicts, i, date)).collect();
                let key = (cue.kind.to_string(), context.iter().any(|c| c == "negation"), sc.iter().cloned().collect::<Vec<_>>(), rc.iter().cloned().collect::<Vec<_>>());
                if !keys.insert(key) {
                    continue;
                }
                if self.historical(text, here, ss, se, year) {
                    context.push("historical".to_string());
                }
                let ids = |v: &[EntityId]| v.iter().map(|&i| dicts.entity(i).id.clone()).collect::<Vec<_>>();
                let countries = |v: &[EntityId]| {
                    let mut out: Vec<String> = Vec::new();
                    for &i in v {
                        let c = self.country_of(dicts, i, date);
                        if !out.contains(&c) {
                            out.push(c);
                        }
                    }
                    out
                };
                events.push(Event {
                    sentence: si as u32,
                    start: doc.file_offset(norm.origin(cs)),
                    end: doc.file_offset(norm.origin_end(cue_end)),
                    cue: text[cs..cue_end].chars().filter(|c| *c != '\n').collect(),
                    kind: cue.kind.to_string(),
                    source: ids(&src),
                    recipient: ids(&rec),
                    source_country: countries(&src),
                    recipient_country: countries(&rec),
                    context,
                    mode: cue.mode.clone(),
                    date: doc.date.clone(),
                    evidence: sentence.chars().filter(|c| *c != '\n').collect(),
                });
            }
            if let Some(v) = voice_here {
                voice = Some(v);
            }
            para_future |= sentence_future;
        }
        events
    }

    /// The actor groups of every sentence, from the mentions.
    fn groups(&self, dicts: &Dictionaries, text: &str, seg: &Segments, mentions: &[Mention]) -> Vec<Vec<Group>> {
        let labels: Vec<(usize, usize)> = seg.turns.iter().filter_map(|t| t.label).collect();
        let mut out: Vec<Vec<Group>> = vec![Vec::new(); seg.sentences.len()];
        let mut i = 0;
        while i < mentions.len() {
            let m = &mentions[i];
            // Mentions on one span (a compound) come together.
            let mut j = i + 1;
            while j < mentions.len() && mentions[j].norm_start == m.norm_start && mentions[j].norm_end == m.norm_end {
                j += 1;
            }
            let ids: Vec<EntityId> = mentions[i..j]
                .iter()
                .filter(|m| m.kind != Kind::Figure)
                .filter_map(|m| m.entity)
                .filter(|&id| dicts.entity(id).org_kind.as_deref() != Some("media"))
                .collect();
            let si = m.sentence as usize;
            let in_label = labels.iter().any(|&(a, b)| m.norm_start >= a && m.norm_end <= b);
            i = j;
            if ids.is_empty() || in_label || si >= out.len() {
                continue;
            }
            let (s, e) = (m.norm_start, m.norm_end);
            let is_leader = ids.iter().any(|&id| dicts.entity(id).kind == Kind::Leader);
            let sent = &mut out[si];
            if let Some(last) = sent.last_mut() {
                if last.end <= s {
                    let gap = &text[last.end..s];
                    let coord = matches!(gap, "" | "、" | "和" | "及" | "以及" | "-" | "–" | "—" | " and " | ", ");
                    let title = is_leader
                        && !gap.is_empty()
                        && gap.chars().count() <= 10
                        && !gap.chars().any(|c| is_clause_sep(c) || "同与对向和跟在的".contains(c));
                    if coord || title {
                        if title {
                            last.ids.clear();
                        }
                        last.ids.extend(ids);
                        last.end = e;
                        continue;
                    }
                }
            }
            let before = &text[..s];
            let prep = if m.rule == "function" {
                last_char(before).or(Some('对'))
            } else if s > 0 && last_char(before).is_some_and(|c| PREPS.contains(c)) {
                last_char(before)
            } else if EN_PREPS.iter().any(|p| prev_word(before).eq_ignore_ascii_case(p)) && before.ends_with(' ') {
                Some('对')
            } else {
                None
            };
            sent.push(Group { start: s, end: e, ids, prep, modifier: false });
        }
        for sent in &mut out {
            for g in sent.iter_mut() {
                g.modifier = MODIFIER_SUFFIXES.iter().any(|x| text[g.end..].starts_with(x));
            }
        }
        out
    }

    /// The sentence's groups with its pronouns resolved: 我们 → the acting speaker, 双方 → the
    /// actors named before it (this sentence, else one of the four before).
    #[allow(clippy::too_many_arguments)]
    fn sentence_groups(
        &self,
        dicts: &Dictionaries,
        text: &str,
        groups: &[Vec<Group>],
        si: usize,
        ss: usize,
        se: usize,
        acting: Option<&[EntityId]>,
        date: Option<&str>,
    ) -> Vec<Group> {
        let mut out = groups[si].clone();
        let sentence = &text[ss..se];
        let overlaps = |out: &[Group], a: usize, b: usize| out.iter().any(|g| a < g.end && g.start < b || g.end == a);
        let mut extra = Vec::new();
        for p in SPEAKER_PRONOUNS {
            let Some(ids) = acting else { break };
            for (at, _) in sentence.match_indices(p) {
                let (a, b) = (ss + at, ss + at + p.trim_end().len());
                if p.is_ascii() && at > 0 && !sentence[..at].ends_with(['.', ' ', '"']) {
                    continue;
                }
                if !overlaps(&out, a, b) {
                    extra.push(Group { start: a, end: b, ids: ids.to_vec(), prep: last_char(&text[..a]).filter(|c| PREPS.contains(*c)), modifier: false });
                }
            }
        }
        for p in BOTH_PRONOUNS {
            for (at, _) in sentence.match_indices(p) {
                let (a, b) = (ss + at, ss + at + p.len());
                if overlaps(&out, a, b) || overlaps(&extra, a, b) {
                    continue;
                }
                let ante = self.antecedents(dicts, groups, &out, si, a, date);
                if ante.len() >= 2 {
                    let modifier = MODIFIER_SUFFIXES.iter().any(|x| text[b..].starts_with(x));
                    extra.push(Group { start: a, end: b, ids: ante, prep: None, modifier });
                }
            }
        }
        out.extend(extra);
        out.sort_by_key(|g| (g.start, g.end));
        out
    }

    /// The actors 双方 stands for: the states (else any actors) named before it in the sentence,
    /// or in the nearest of the four sentences before that names two.
    fn antecedents(&self, dicts: &Dictionaries, groups: &[Vec<Group>], here: &[Group], si: usize, at: usize, date: Option<&str>) -> Vec<EntityId> {
        let pick = |gs: &mut dyn Iterator<Item = &Group>| -> Vec<EntityId> {
            let gs: Vec<&Group> = gs.collect();
            for states_only in [true, false] {
                let mut ids: Vec<EntityId> = Vec::new();
                let mut seen: BTreeSet<String> = BTreeSet::new();
                for g in &gs {
                    for &id in &g.ids {
                        let k = dicts.entity(id).kind;
                        if states_only && !matches!(k, Kind::Country | Kind::Leader) {
                            continue;
                        }
                        if seen.insert(self.country_of(dicts, id, date)) {
                            ids.push(id);
                        }
                    }
                }
                if seen.len() >= 2 {
                    return ids;
                }
            }
            Vec::new()
        };
        let ids = pick(&mut here.iter().filter(|g| g.end <= at));
        if !ids.is_empty() {
            return ids;
        }
        for k in 1..=4.min(si) {
            let ids = pick(&mut groups[si - k].iter());
            if !ids.is_empty() {
                return ids;
            }
        }
        Vec::new()
    }

    /// The speaker of a turn when the speaker can act: a known entity, not a reporter.
    fn speaker(&self, dicts: &Dictionaries, text: &str, seg: &Segments, speakers: &[Option<String>], turn: usize) -> Option<Vec<EntityId>> {
        let (a, b) = seg.turns.get(turn)?.label?;
        let label = text[a..b].trim();
        if label.ends_with("记者") || matches!(label, "问" | "Q" | "Question" | "主持人") {
            return None;
        }
        let id = dicts.lookup(speakers.get(turn)?.as_deref()?)?;
        Some(vec![id])
    }

    /// Does the sentence say that its subject will act (我们将…, 中方愿…)?
    fn has_future_subject(&self, text: &str, groups: &[Group], ss: usize, se: usize) -> bool {
        let sentence = &text[ss..se];
        let after_subject = |at: usize| {
            let rest: String = text[at..se].chars().take(4).collect();
            FUTURE.iter().take(2).any(|f| rest.contains(f))
        };
        groups.iter().any(|g| g.prep.is_none() && after_subject(g.end))
            || SPEAKER_PRONOUNS.iter().any(|p| sentence.find(p).is_some_and(|at| after_subject(ss + at + p.len())))
    }

    /// Is the sentence about the past before the document's year?
    fn historical(&self, text: &str, mentions: &[Mention], ss: usize, se: usize, year: Option<i32>) -> bool {
        let s = &text[ss..se];
        if HISTORICAL.iter().any(|h| s.contains(h)) {
            return true;
        }
        let Some(y) = year else { return false };
        mentions.iter().any(|m| {
            m.kind == Kind::Figure && m.norm_start >= ss && m.norm_end <= se && {
                let v = m.value.unwrap_or(0.0) as i64;
                match m.unit {
                    Some("year") => v < y as i64,
                    Some("month") => v / 100 < y as i64,
                    Some("date") => v / 10000 < y as i64,
                    _ => false,
                }
            }
        })
    }

    /// Codes one cue: its source, recipient and context, or `None` when it is no event.
    #[allow(clippy::too_many_arguments)]
    fn one(
        &self,
        dicts: &Dictionaries,
        text: &str,
        sg: &[Group],
        cue: &Cue,
        cs: usize,
        ce: usize,
        ss: usize,
        se: usize,
        clause_start: usize,
        clause_end: usize,
        acting: Option<&[EntityId]>,
        para_future: bool,
        date: Option<&str>,
    ) -> Option<(Vec<EntityId>, Vec<EntityId>, Vec<String>)> {
        let actor = |g: &&Group| !g.modifier;
        // The source: the nearest subject before the cue in its clause; else the subject that
        // opens an earlier clause of the sentence; else the acting speaker.
        let in_clause = |g: &&Group| g.start >= clause_start && g.end <= cs;
        let subject: Option<&Group> = if cue.args == Args::Intrans {
            sg.iter().filter(actor).filter(in_clause).last()
        } else {
            sg.iter().filter(actor).filter(in_clause).filter(|g| g.prep.is_none()).last().or_else(|| {
                sg.iter()
                    .filter(actor)
                    .filter(|g| g.end <= clause_start && g.prep.is_none())
                    .filter(|g| {
                        let before = &text[ss..g.start];
                        let pre = before.rfind(is_clause_sep).map_or(before, |p| &before[p..]);
                        let pre = pre.trim_start_matches(is_clause_sep).trim_start();
                        pre.chars().all(|c| "但而并也还同时此外另外对此".contains(c))
                    })
                    .last()
            })
        };
        let source: Vec<EntityId> = match subject {
            Some(g) => g.ids.clone(),
            None if cue.args == Args::Intrans => return None,
            None => acting?.to_vec(),
        };
        let from = subject.map_or(clause_start, |g| g.end);
        let src_c: BTreeSet<String> = source.iter().map(|&i| self.country_of(dicts, i, date)).collect();
        let other = |g: &&Group| {
            let c = g.countries(self, dicts, date);
            !c.is_subset(&src_c) && !std::ptr::eq(*g, subject.map_or(std::ptr::null(), |s| s as *const Group))
        };
        // The recipient: the actor after 同/与/对/向 before the cue, the object after it, for
        // `say` anyone of another country later in the sentence, else an 对/向 phrase before.
        let mut recipient: Option<&Group> = None;
        if cue.args != Args::Intrans {
            recipient = sg
                .iter()
                .filter(actor)
                .filter(other)
                .filter(|g| g.start >= from && g.end <= cs && g.prep.is_some_and(|p| "同与跟对向和为给".contains(p)))
                .last()
                .or_else(|| sg.iter().filter(actor).filter(other).find(|g| g.start >= cs && g.end <= clause_end))
                .or_else(|| if cue.args == Args::Say { sg.iter().filter(actor).filter(other).find(|g| g.start >= ce && g.end <= se) } else { None })
                .or_else(|| sg.iter().filter(actor).filter(other).filter(|g| g.start >= from.min(cs) && g.end <= cs && g.prep.is_some_and(|p| "对向".contains(p))).last())
                .or_else(|| {
                    sg.iter().filter(actor).filter(other).filter(|g| g.start >= ss && g.end <= cs && g.prep.is_some_and(|p| "对向".contains(p))).last()
                });
        }
        if cue.args == Args::With {
            let between = &text[from.min(cs)..cs];
            if !between.contains(['同', '与', '跟']) && !between.contains(" with ") {
                return None;
            }
        }
        let mut recipient: Vec<EntityId> = recipient.map(|g| g.ids.clone()).unwrap_or_default();
        let mut source = source;
        if cue.kind == "CONSULT" {
            if cue.args == Args::Host && !recipient.is_empty() {
                std::mem::swap(&mut source, &mut recipient);
            }
            // A meeting of a compound (中美元首…会晤): the first named is the source.
            if recipient.is_empty() && source.len() >= 2 {
                let first = self.country_of(dicts, source[0], date);
                let (a, b): (Vec<EntityId>, Vec<EntityId>) = source.iter().partition(|&&i| self.country_of(dicts, i, date) == first);
                source = a;
                recipient = b;
            }
            if cue.need == Need::Required && recipient.is_empty() {
                return None;
            }
        } else {
            match cue.need {
                Need::Required if recipient.is_empty() => return None,
                Need::Never => recipient.clear(),
                _ => {}
            }
        }
        // Context, from the words between the clause's start and the cue.
        let sentence_before = &text[ss..cs];
        let clause_before = &text[clause_start..cs];
        let mut context = Vec::new();
        let future = cue.future
            || FUTURE.iter().any(|f| text[from.min(cs)..cs].contains(f) || clause_before.contains(f))
            || text[cs..ce].contains('愿')
            || (subject.is_none() && para_future);
        if cue.need_future && !future {
            return None;
        }
        if future {
            context.push("future".to_string());
        }
        // 不得不指出 is no negation; 不断 and 不仅 are in no list.
        let stripped = clause_before.replace("不得不", "");
        if NEGATORS.iter().any(|n| stripped.contains(n)) || stripped.ends_with(['不', '未', '没', '勿', '别']) {
            context.push("negation".to_string());
        }
        if HYPOTHETICAL.iter().any(|h| sentence_before.contains(h)) {
            context.push("hypothetical".to_string());
        }
        Some((source, recipient, context))
    }
}

/// Writes one document's events as JSON Lines.
pub fn write(w: &mut dyn Write, doc: &str, events: &[Event]) -> std::io::Result<()> {
    #[derive(serde::Serialize)]
    struct Line<'a> {
        doc: &'a str,
        #[serde(flatten)]
        event: &'a Event,
    }
    for e in events {
        serde_json::to_writer(&mut *w, &Line { doc, event: e })?;
        w.write_all(b"\n")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::read::Document;
    use crate::{Config, Pipeline};

    /// (name, text, expected events as "TYPE SRC>REC context…", countries sorted).
    const CASES: &[(&str, &str, &[&str])] = &[
        ("phone call", "国家主席习近平1月10日下午同马耳他总统维拉通电话。", &["CONSULT CHN>MLT"]),
        ("future willingness", "中方愿同俄方一道，进一步培育合作新动能，不断夯实两国人民友好基础。", &["AGREE CHN>RUS future"]),
        ("restriction via 对华", "但美方仍持续对华增加贸易和科技限制。", &["SANCTION USA>CHN"]),
        ("aid", "中国政府于4月26日向巴基斯坦政府交付新一批新冠疫苗援助。", &["AID CHN>PAK"]),
        ("request needs a named addressee", "中方呼吁各方采取克制态度，尽快实现现地局势降温。", &[]),
        (
            "negation",
            "拜登总统重申美国不寻求“新冷战”，不寻求同中国脱钩。",
            &["AGREE USA>CHN", "SANCTION USA>CHN negation"],
        ),
        ("joint source with 双方", "今年，中俄两国迎来建交75周年，双方还将共同举办中俄文化年。", &["AGREE CHN,RUS> future"]),
        ("agreement of a compound", "中美就共同处理分歧、推进互利合作达成共识。", &["AGREE CHN,USA>"]),
        ("a blocker: 愿望 is no 愿", "这符合两国和世界人民的利益和愿望。", &[]),
        ("idea, not actor", "我们将推动中美关系稳定发展。", &[]),
        ("hypothetical", "如果美方执意打压中国，中方将坚决反制。", &["COERCE USA>CHN hypothetical"]),
    ];

    fn code(pipeline: &Pipeline, text: &str) -> Vec<String> {
        let doc = Document::from_text("t", text, Some("2024-03-07"));
        let p = pipeline.process(&doc);
        p.events
            .iter()
            .map(|e| {
                let mut s = e.source_country.clone();
                s.sort();
                let mut r = e.recipient_country.clone();
                r.sort();
                let ctx: Vec<&str> = e.context.iter().map(String::as_str).filter(|c| *c != "historical").collect();
                let mut out = format!("{} {}>{}", e.kind, s.join(","), r.join(","));
                for c in ctx {
                    out.push(' ');
                    out.push_str(c);
                }
                out
            })
            .collect()
    }

    #[test]
    fn real_sentences() {
        let pipeline = Pipeline::new(&Config::default()).unwrap();
        let mut failed = Vec::new();
        for (name, text, want) in CASES {
            let got = code(&pipeline, text);
            if got != *want {
                failed.push(format!("{name}: {text}\n  want {want:?}\n  got  {got:?}"));
            }
        }
        assert!(failed.is_empty(), "{}", failed.join("\n"));
    }

    #[test]
    fn visitor_is_the_source_of_a_hosted_meeting() {
        let pipeline = Pipeline::new(&Config::default()).unwrap();
        let doc = Document::from_text("t", "国家主席习近平在北京会见巴基斯坦总理夏巴兹。", Some("2024-06-07"));
        let events = pipeline.process(&doc).events;
        let consult: Vec<_> = events.iter().filter(|e| e.kind == "CONSULT").collect();
        assert_eq!(consult.len(), 1, "{events:?}");
        assert_eq!(consult[0].source_country, ["PAK"]);
        assert_eq!(consult[0].recipient, ["xi-jinping"]);
    }

    #[test]
    fn speaker_acts_in_an_answer() {
        let pipeline = Pipeline::new(&Config::default()).unwrap();
        let text = "彭博社记者：中方将如何应对？\n\n王毅：我们敦促美方认清历史发展大势，客观理性看待中国的发展。\n";
        let doc = Document::from_text("t", text, Some("2024-03-07"));
        let events = pipeline.process(&doc).events;
        assert_eq!(events.len(), 1, "{events:?}");
        assert_eq!((events[0].kind.as_str(), events[0].source_country.as_slice(), events[0].recipient_country.as_slice()), ("REQUEST", &["CHN".to_string()][..], &["USA".to_string()][..]));
    }

    #[test]
    fn bad_cue_rows_name_file_and_line() {
        let mut cues = Vec::new();
        let err = super::parse_cues(&"cues.tsv".into(), "cue\ttype\n会见\tMEET\n", &mut cues).unwrap_err();
        assert!(err.to_string().contains("cues.tsv:2"), "{err}");
    }
}
