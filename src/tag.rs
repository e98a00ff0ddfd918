//! tag: finds every dictionary name and every figure in normalized text.
//!
//! One aho-corasick automaton holds every alias of every entity, the forms generated from the
//! single-character abbreviations (compounds 中美/中日韩, side forms 美方, function-word forms
//! 对华/访美, and bare characters where the dictionary allows them), and the phrases that settle
//! ambiguity or block a false match (外交部长 is no 外交部). Of the candidates that start at
//! the leftmost position the longest valid one wins. A candidate is checked against jieba-rs
//! word boundaries only when it is short or generated from an abbreviation, and only on a few
//! characters around it: 中国 in 发展中国家 and 美 in 美好 cut through a word and are rejected,
//! while 中美 in jieba's single word 中美关系 is kept (a word that merely extends a compound to
//! the right by two or more characters does not veto it). English names must stand between
//! ASCII word boundaries.

use std::collections::HashMap;
use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use jieba_rs::Jieba;

use crate::dict::{Dictionaries, EntityId, Kind};
use crate::error::Error;
use crate::figure::{Figure, FigureFinder};

/// Why a pattern is in the automaton; also reported on each mention as its `rule`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rule {
    /// A phrase entry (or blocker) of `phrases.tsv`.
    Phrase,
    /// A name or alias of an entity.
    Alias,
    /// Two or more single-character abbreviations (中美, 中日韩).
    Compound,
    /// An abbreviation and 方 (美方).
    Side,
    /// A function word and an abbreviation (对华); the span is the abbreviation.
    Function,
    /// An abbreviation standing alone (美将).
    Bare,
    /// An abbreviation and a direction, for part of the country (缅北).
    Part,
}

impl Rule {
    /// The name written into `mentions.jsonl`.
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::Phrase => "phrase",
            Rule::Alias => "alias",
            Rule::Compound => "compound",
            Rule::Side => "side",
            Rule::Function => "function-word",
            Rule::Bare => "abbreviation",
            Rule::Part => "part",
        }
    }
}

/// What the automaton knows about one pattern.
#[derive(Clone, Debug)]
struct Pattern {
    ids: Vec<EntityId>,
    /// Byte range of the mention within the pattern.
    span: (usize, usize),
    rule: Rule,
    /// Check jieba word boundaries around it.
    jieba: bool,
    /// Needs ASCII word boundaries.
    ascii: bool,
}

/// A dictionary hit in normalized text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hit {
    /// Start of the mention (normalized bytes).
    pub start: usize,
    /// End of the mention, exclusive.
    pub end: usize,
    /// The entities on this span (several for a compound).
    pub ids: Vec<EntityId>,
    /// How it was found.
    pub rule: Rule,
}

/// Everything found in one document.
#[derive(Clone, Debug, Default)]
pub struct Tagged {
    /// Dictionary hits, in text order.
    pub hits: Vec<Hit>,
    /// Figures, in text order, none overlapping a hit.
    pub figures: Vec<Figure>,
}

/// Options for tagging.
#[derive(Clone, Debug)]
pub struct TagConfig {
    /// Check short and generated candidates against jieba word boundaries.
    pub word_boundaries: bool,
    /// Find figures.
    pub figures: bool,
}

impl Default for TagConfig {
    fn default() -> Self {
        TagConfig { word_boundaries: true, figures: true }
    }
}

/// The compiled tagger: the automaton, jieba and the figure patterns. Build once, share.
pub struct Tagger {
    ac: AhoCorasick,
    patterns: Vec<Pattern>,
    abbreviations: HashMap<char, EntityId>,
    /// Aliases and phrases of two or more characters, by first character.
    names_by_first: HashMap<char, Vec<String>>,
    /// Loaded by [`Tagger::new`], or by the first use that needs it (see
    /// [`Tagger::without_jieba`]).
    jieba: OnceLock<Jieba>,
    figures: FigureFinder,
    cfg: TagConfig,
}

/// What [`Tagger::scan`] finds in a text without jieba: the automaton's candidates and the
/// figures, for [`Tagger::tag_scanned`] to settle.
#[derive(Debug, Default)]
pub struct Scan {
    /// (start, end, pattern), by start, longest first.
    cands: Vec<(usize, usize, usize)>,
    figures: Vec<Figure>,
}

const NUMERALS: &str = "0123456789一二三四五六七八九十百千万亿两〇零几数";

/// Collects patterns, the first claim on a surface string winning unless a later one ranks
/// higher (phrase over alias over generated forms).
#[derive(Default)]
struct PatternSet {
    texts: Vec<String>,
    patterns: Vec<Pattern>,
    index: HashMap<String, usize>,
}

impl PatternSet {
    fn add(&mut self, text: &str, pattern: Pattern) {
        if text.is_empty() {
            return;
        }
        match self.index.get(text) {
            Some(&i) => {
                if pattern.rule < self.patterns[i].rule {
                    self.patterns[i] = pattern;
                }
            }
            None => {
                self.index.insert(text.to_string(), self.texts.len());
                self.texts.push(text.to_string());
                self.patterns.push(pattern);
            }
        }
    }
}

impl Tagger {
    /// Builds the automaton from the dictionaries; loads jieba's default dictionary.
    pub fn new(dicts: &Dictionaries, cfg: &TagConfig) -> Result<Tagger, Error> {
        // Loading jieba's dictionary and building the DFA are most of a run's setup: both at
        // once on the current rayon pool. Jieba, the longer, goes on this thread; the DFA is
        // left for another to take up.
        let (jieba, tagger) = rayon::join(Jieba::new, || Tagger::without_jieba(dicts, cfg));
        let tagger = tagger?;
        tagger.give_jieba(jieba);
        Ok(tagger)
    }

    /// [`Tagger::new`] without jieba's dictionary (0.1 s to load, six times the automaton):
    /// [`Tagger::give_jieba`] hands it one loaded meanwhile, or else the first text that needs
    /// it loads it, and [`Tagger::scan`] never does, so a run scans its first documents while
    /// another thread loads it.
    pub fn without_jieba(dicts: &Dictionaries, cfg: &TagConfig) -> Result<Tagger, Error> {
        let mut set = PatternSet::default();
        for p in &dicts.phrases {
            let jieba = false;
            set.add(&p.phrase, Pattern { ids: p.ids.clone(), span: p.span, rule: Rule::Phrase, jieba, ascii: false });
        }
        for (i, e) in dicts.entities.iter().enumerate() {
            let id = EntityId(i as u32);
            for name in std::iter::once(&e.label).chain(std::iter::once(&e.en)).chain(e.aliases.iter()) {
                let name = name.trim();
                if name.is_empty() {
                    continue;
                }
                let chars = name.chars().count();
                let ascii = name.starts_with(|c: char| c.is_ascii_alphanumeric()) || name.ends_with(|c: char| c.is_ascii_alphanumeric());
                let jieba = !ascii && chars <= 2 && matches!(e.kind, Kind::Country | Kind::Region);
                set.add(name, Pattern { ids: vec![id], span: (0, name.len()), rule: Rule::Alias, jieba, ascii });
                // English text is typeset with a curly apostrophe as often as a straight one
                // (People’s Republic of China).
                if name.contains('\'') {
                    let curly = name.replace('\'', "\u{2019}");
                    set.add(&curly, Pattern { ids: vec![id], span: (0, curly.len()), rule: Rule::Alias, jieba, ascii });
                }
            }
        }
        let abbreviations: HashMap<char, EntityId> = dicts.abbreviations.iter().map(|a| (a.ch, a.entity)).collect();
        for a in &dicts.abbreviations {
            let mut buf = String::new();
            for b in &dicts.abbreviations {
                if a.entity != b.entity {
                    buf.clear();
                    buf.push(a.ch);
                    buf.push(b.ch);
                    set.add(&buf, Pattern { ids: vec![a.entity, b.entity], span: (0, buf.len()), rule: Rule::Compound, jieba: true, ascii: false });
                }
            }
            let side = format!("{}方", a.ch);
            set.add(&side, Pattern { ids: vec![a.entity], span: (0, side.len()), rule: Rule::Side, jieba: true, ascii: false });
            for &f in dicts.function_words.iter().filter(|f| a.functions.as_ref().is_none_or(|only| only.contains(**f))) {
                let form = format!("{f}{}", a.ch);
                let at = f.len_utf8();
                set.add(&form, Pattern { ids: vec![a.entity], span: (at, form.len()), rule: Rule::Function, jieba: true, ascii: false });
            }
            if a.bare {
                let s = a.ch.to_string();
                set.add(&s, Pattern { ids: vec![a.entity], span: (0, s.len()), rule: Rule::Bare, jieba: true, ascii: false });
                for d in ['北', '南', '东', '西'] {
                    let part = format!("{}{d}", a.ch);
                    set.add(&part, Pattern { ids: vec![a.entity], span: (0, part.len()), rule: Rule::Part, jieba: true, ascii: false });
                }
            }
        }
        let ac = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .kind(Some(AhoCorasickKind::DFA))
            .build(&set.texts)
            .or_else(|_| AhoCorasick::builder().match_kind(MatchKind::Standard).build(&set.texts))
            .map_err(|e| Error::Automaton(e.to_string()))?;
        let mut names_by_first: HashMap<char, Vec<String>> = HashMap::new();
        for (text, p) in set.texts.iter().zip(&set.patterns) {
            if p.rule <= Rule::Alias && text.chars().nth(1).is_some() {
                names_by_first.entry(text.chars().next().unwrap_or(' ')).or_default().push(text.clone());
            }
        }
        Ok(Tagger {
            names_by_first,
            ac,
            patterns: set.patterns,
            abbreviations,
            jieba: OnceLock::new(),
            figures: FigureFinder::new(),
            cfg: cfg.clone(),
        })
    }

    /// Number of patterns in the automaton.
    pub fn pattern_count(&self) -> usize {
        self.patterns.len()
    }

    /// Hands the tagger jieba with its default dictionary (`Jieba::new()`), unless it has one.
    pub fn give_jieba(&self, jieba: Jieba) {
        let _ = self.jieba.set(jieba);
    }

    /// Is jieba's dictionary loaded?
    pub fn jieba_loaded(&self) -> bool {
        self.jieba.get().is_some()
    }

    /// Jieba, with its dictionary (loaded here if it was not given).
    pub fn jieba(&self) -> &Jieba {
        self.jieba.get_or_init(Jieba::new)
    }

    /// Tags one normalized text; `year` is the document's, for figures whose year is implied.
    pub fn tag(&self, text: &str, year: Option<i32>) -> Tagged {
        self.tag_scanned(text, self.scan(text, year))
    }

    /// The first half of [`Tagger::tag`], which needs no jieba: the automaton's candidates and
    /// the figures of `text`.
    pub fn scan(&self, text: &str, year: Option<i32>) -> Scan {
        let mut cands: Vec<(usize, usize, usize)> =
            self.ac.find_overlapping_iter(text).map(|m| (m.start(), m.end(), m.pattern().as_usize())).collect();
        cands.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2)));
        let figures = if self.cfg.figures { self.figures.find(text, year) } else { Vec::new() };
        Scan { cands, figures }
    }

    /// The second half of [`Tagger::tag`]: the candidates of `scan`, made from `text`, checked
    /// and chosen; the figures that overlap no hit.
    pub fn tag_scanned(&self, text: &str, scan: Scan) -> Tagged {
        let Scan { cands, figures } = scan;
        let mut hits = Vec::new();
        let mut cursor = 0;
        let mut i = 0;
        while i < cands.len() {
            let start = cands[i].0;
            let mut j = i;
            while j < cands.len() && cands[j].0 == start {
                j += 1;
            }
            if start >= cursor {
                for &(s, e, p) in &cands[i..j] {
                    if self.patterns[p].rule > Rule::Alias && self.overlapped_by_name(text, &cands[j..], e, self.patterns[p].rule) {
                        continue;
                    }
                    if let Some((hit, consumed)) = self.accept(text, s, e, &self.patterns[p]) {
                        cursor = consumed;
                        hits.extend(hit);
                        break;
                    }
                }
            }
            i = j;
        }
        let mut k = 0;
        let figures = figures
            .into_iter()
            .filter(|f| {
                while k < hits.len() && hits[k].end <= f.start {
                    k += 1;
                }
                hits.get(k).is_none_or(|h| h.start >= f.end)
            })
            .collect();
        Tagged { hits, figures }
    }

    /// Does a full name start inside a generated form and run past its end (在乌 before
    /// 乌克兰, 新 in 中俄新西兰)? Then the name wins and the generated form is dropped.
    fn overlapped_by_name(&self, text: &str, later: &[(usize, usize, usize)], e: usize, first: Rule) -> bool {
        later.iter().take_while(|c| c.0 < e).any(|&(s2, e2, p2)| {
            let p = &self.patterns[p2];
            // A name or phrase (blockers too) beats any generated form; a compound beats a
            // function-word form (在中印边界 is 在 + 中印, not 在中 + 印).
            let beats = p.rule <= Rule::Alias || (p.rule == Rule::Compound && first == Rule::Function);
            e2 > e && beats && self.accept(text, s2, e2, p).is_some()
        })
    }

    /// Checks one candidate; returns the hit (None for a blocker) and where the next may start.
    fn accept(&self, text: &str, s: usize, e: usize, p: &Pattern) -> Option<(Option<Hit>, usize)> {
        if p.ascii && !ascii_bounded(text, s, e) {
            return None;
        }
        if p.rule == Rule::Compound {
            return self.accept_compound(text, s);
        }
        if p.rule == Rule::Bare && text[..s].chars().next_back().is_some_and(|c| NUMERALS.contains(c)) {
            return None;
        }
        if p.jieba && self.cfg.word_boundaries && !self.word_bounded(text, s, e, p.rule) {
            return None;
        }
        let hit = (!p.ids.is_empty()).then(|| Hit { start: s + p.span.0, end: s + p.span.1, ids: p.ids.clone(), rule: p.rule });
        Some((hit, e))
    }

    /// A compound: the longest run of up to four abbreviations from `s` that jieba does not cut.
    fn accept_compound(&self, text: &str, s: usize) -> Option<(Option<Hit>, usize)> {
        let mut ends = Vec::new();
        let mut ids: Vec<EntityId> = Vec::new();
        for (off, c) in text[s..].char_indices().take(4) {
            let Some(&id) = self.abbreviations.get(&c) else { break };
            if ids.contains(&id) {
                break;
            }
            // A third or fourth character must not open a word with what follows
            // (新 of 新时代 in 中俄新时代 is no Singapore).
            if ids.len() >= 2 && (self.opens_dictionary_word(&text[s + off..]) || self.opens_name(&text[s + off..])) {
                break;
            }
            ids.push(id);
            ends.push(s + off + c.len_utf8());
        }
        for n in (2..=ends.len()).rev() {
            let e = ends[n - 1];
            // Beyond two characters a compound must end on a word boundary of its own
            // (中日韩 yes, 中俄新 in 中俄新时代 no).
            let rule = if n > 2 { Rule::Alias } else { Rule::Compound };
            if !self.cfg.word_boundaries || self.word_bounded(text, s, e, rule) {
                return Some((Some(Hit { start: s, end: e, ids: ids[..n].to_vec(), rule: Rule::Compound }), e));
            }
        }
        None
    }

    /// Does the candidate `s..e` sit on jieba word boundaries? Nothing may run across its
    /// start (中国 in 发展中国家). Across its end: a word that starts at `s` and runs on is
    /// allowed for aliases (中国人民) and, for generated forms, when it adds two or more
    /// characters (中美关系, not 中西部); a word that starts inside a generated form is allowed
    /// when the text after the form, cut on its own, opens with a word of two or more
    /// characters (中美元首 → 中美 + 元首, whereas 中加强 leaves 强 alone).
    fn word_bounded(&self, text: &str, s: usize, e: usize, rule: Rule) -> bool {
        let (ws, we) = window(text, s, e);
        // jieba cuts each run of its word characters (CJK and a few ASCII ones) on its own, so
        // the run around the candidate is all that can decide it: a window cut back to the
        // punctuation nearest the candidate gives the same tokens for less work, and a
        // candidate that is its whole run cannot be cut through at all.
        if text[s..e].chars().all(jieba_word_char) {
            let ws = text[ws..s].char_indices().rev().find(|&(_, c)| !jieba_word_char(c)).map_or(ws, |(i, c)| ws + i + c.len_utf8());
            let we = text[e..we].char_indices().find(|&(_, c)| !jieba_word_char(c)).map_or(we, |(i, _)| e + i);
            return (ws == s && we == e) || self.bounded_in(text, ws, we, s, e, rule);
        }
        self.bounded_in(text, ws, we, s, e, rule)
    }

    /// [`Tagger::word_bounded`] by jieba's cut of the window `ws..we`.
    fn bounded_in(&self, text: &str, ws: usize, we: usize, s: usize, e: usize, rule: Rule) -> bool {
        let window = &text[ws..we];
        let generated = rule != Rule::Alias;
        for t in self.jieba().cut(window, false) {
            let (a, b) = (ws + t.byte_start, ws + t.byte_end);
            if a < s && s < b {
                return false;
            }
            if a < e && e < b {
                let ok = if a == s {
                    !generated || text[e..b].chars().count() >= 2
                } else {
                    rule == Rule::Compound && self.opens_with_word(&text[e..we])
                };
                if !ok {
                    return false;
                }
            }
        }
        true
    }

    /// Does `rest` open with a name or phrase of the dictionaries (新时代, 新西兰)?
    fn opens_name(&self, rest: &str) -> bool {
        let Some(c) = rest.chars().next() else { return false };
        self.names_by_first.get(&c).is_some_and(|names| names.iter().any(|n| rest.starts_with(n.as_str())))
    }

    /// Is some prefix of `rest` of two to four characters a word in jieba's dictionary?
    fn opens_dictionary_word(&self, rest: &str) -> bool {
        rest.char_indices().skip(1).take(3).map(|(i, c)| &rest[..i + c.len_utf8()]).any(|w| self.jieba().has_word(w))
    }

    /// Does `rest`, cut on its own, open with a word of two or more characters?
    fn opens_with_word(&self, rest: &str) -> bool {
        self.jieba().cut(rest, false).first().is_some_and(|t| t.word.chars().count() >= 2)
    }
}

/// The window jieba cuts around the candidate `s..e`: a few characters on each side, never
/// across a line break (and never a scan of the whole line: a 200 MB document may be one line).
fn window(text: &str, s: usize, e: usize) -> (usize, usize) {
    let ws = text[..s].char_indices().rev().take(6).take_while(|&(_, c)| c != '\n').last().map_or(s, |(i, _)| i);
    let we = text[e..]
        .char_indices()
        .take(7)
        .find(|&(_, c)| c == '\n')
        .map_or_else(|| text[e..].char_indices().nth(7).map_or(text.len(), |(i, _)| e + i), |(i, _)| e + i);
    (ws, we)
}

/// Is `c` in the character class of the runs jieba-rs cuts into words (its `RE_HAN_DEFAULT`:
/// the CJK ideograph blocks, ASCII letters and digits, `+#&._%-`)? Every other character
/// ends a run, and no token crosses it.
fn jieba_word_char(c: char) -> bool {
    matches!(c,
        '\u{4E00}'..='\u{9FFF}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{2A6DF}'
        | '\u{2A700}'..='\u{2EBEF}'
        | '\u{2F800}'..='\u{2FA1F}'
        | 'a'..='z' | 'A'..='Z' | '0'..='9' | '+' | '#' | '&' | '.' | '_' | '%' | '-')
}

/// An ASCII name must not continue a word on either side ("US" in "USA" or "us" is no hit).
fn ascii_bounded(text: &str, s: usize, e: usize) -> bool {
    let word = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    let (before, first) = (text[..s].chars().next_back(), text[s..].chars().next());
    let (last, after) = (text[..e].chars().next_back(), text[e..].chars().next());
    !(word(before) && word(first)) && !(word(last) && word(after))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dict::DictConfig;

    fn tagger() -> (Dictionaries, Tagger) {
        let d = Dictionaries::load(&DictConfig::default()).unwrap();
        let t = Tagger::new(&d, &TagConfig::default()).unwrap();
        (d, t)
    }

    fn tag(text: &str) -> Vec<(String, Vec<String>)> {
        let (d, t) = tagger();
        t.tag(text, Some(2024))
            .hits
            .iter()
            .map(|h| (text[h.start..h.end].to_string(), h.ids.iter().map(|&i| d.entity(i).id.clone()).collect()))
            .collect()
    }

    fn ids(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn table() {
        let cases: &[(&str, &[(&str, &[&str])])] = &[
            ("中美关系关乎两国人民福祉", &[("中美", &["CHN", "USA"])]),
            ("在关系广大发展中国家正当权益", &[]),
            ("今年是俄中建交75周年", &[("俄中", &["RUS", "CHN"])]),
            ("但美方仍持续对华增加贸易和科技限制", &[("美方", &["USA"]), ("华", &["CHN"])]),
            ("中国始终保持对美政策的稳定性", &[("中国", &["CHN"]), ("美", &["USA"])]),
            ("从美好愿景转化为实践成果", &[]),
            ("中国-东盟、中国-阿拉伯", &[("中国", &["CHN"]), ("东盟", &["asean"]), ("中国", &["CHN"]), ("阿拉伯", &["arab-world"])]),
            ("今日俄罗斯国际通讯社记者", &[("今日俄罗斯国际通讯社", &["ria-novosti"])]),
            ("作为联合国安理会常任理事国", &[("联合国安理会", &["unsc"])]),
            ("中共中央政治局委员、外交部长王毅", &[("中共中央政治局", &["cpc-politburo"]), ("王毅", &["wang-yi"])]),
            ("中日韩合作", &[("中日韩", &["CHN", "JPN", "KOR"])]),
        ];
        for (text, want) in cases {
            let want: Vec<(String, Vec<String>)> = want.iter().map(|(s, i)| (s.to_string(), ids(i))).collect();
            assert_eq!(tag(text), want, "{text}");
        }
    }

    #[test]
    fn curly_apostrophes_match_straight_aliases() {
        let got = tag("visited the People\u{2019}s Republic of China (PRC) from 10 September");
        let names: Vec<&str> = got.iter().map(|(s, _)| s.as_str()).collect();
        assert_eq!(names, ["People\u{2019}s Republic of China", "PRC"]);
    }

    /// The window cut back to the run of jieba's word characters gives what the whole window
    /// gives, for every two- and three-character span of real text (a guard on
    /// `jieba_word_char` following jieba-rs's own class).
    #[test]
    fn trimmed_windows_decide_as_whole_ones() {
        let (_, t) = tagger();
        let mut checked = 0;
        for f in ["2019-02-16_merkel-meets-yang-jiechi.txt", "2024-03-07_wang-yi-press-conference.txt"] {
            let text = std::fs::read_to_string(std::path::Path::new("tests/fixtures/sample").join(f)).unwrap();
            let starts: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
            for (k, &s) in starts.iter().enumerate() {
                for n in [2, 3] {
                    let Some(&e) = starts.get(k + n) else { continue };
                    if text[s..e].contains('\n') {
                        continue;
                    }
                    let (ws, we) = window(&text, s, e);
                    for rule in [Rule::Alias, Rule::Compound, Rule::Side] {
                        assert_eq!(t.word_bounded(&text, s, e, rule), t.bounded_in(&text, ws, we, s, e, rule), "{:?} in {f}", &text[s..e]);
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked > 10_000, "{checked}");
    }

    #[test]
    fn english_word_boundaries() {
        let got = tag("The US and China agreed; users in Russia.");
        let names: Vec<&str> = got.iter().map(|(s, _)| s.as_str()).collect();
        assert_eq!(names, ["US", "China", "Russia"]);
    }
}
