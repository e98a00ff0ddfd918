//! discover: proposes dictionary entries from a corpus. It reads the inputs like `extract`
//! (`read::corpus` → `normalize` → `segment` → `tag::Tagger`), and in each sentence collects
//! what the dictionaries miss: the names right before or after a title of `titles.tsv`
//! (荷兰首相吕特), jieba's person, place and organization tokens (`nr` found by the HMM, `ns`/`nt`
//! of its dictionary; POS-tagged only in
//! sentences with a title or an organization suffix, and in a sample of the rest, because
//! tagging is slow), media titles in 《…》 and names that end in 组织/委员会/联盟/论坛/银行 ….
//! Anything overlapping a dictionary hit is skipped. Candidates are ranked by the number of
//! documents they occur in and printed as TSV rows of the dictionary file they would go to,
//! with a guessed type, first attested dates and an example sentence in the `source` cell.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::PathBuf;

use aho_corasick::{AhoCorasick, MatchKind};
use clap::Args;
use rayon::prelude::*;

use diplograph::dict::{DictConfig, Dictionaries, Kind};
use diplograph::normalize::{self, NormalizeConfig};
use diplograph::read::{self, Document};
use diplograph::segment::{SegmentConfig, Segmenter};
use diplograph::tag::{TagConfig, Tagger};
use diplograph::Error;

/// Options of `discover`.
#[derive(Args, Debug, Default)]
pub struct DiscoverArgs {
    /// Text files, folders or JSON Lines files, as for `extract`.
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// How many candidates to print.
    #[arg(long, value_name = "N", default_value_t = 50)]
    pub top: usize,
    /// Leave out candidates found in fewer documents.
    #[arg(long, value_name = "N", default_value_t = 2)]
    pub min_docs: usize,
    /// POS-tag one sentence in N of those without a title or organization suffix.
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub sample: usize,
    /// A folder of dictionary files added on top of the defaults (repeatable).
    #[arg(long = "dict", value_name = "DIR")]
    pub dict: Vec<PathBuf>,
    /// Use only the --dict folders, not the embedded defaults.
    #[arg(long)]
    pub no_default_dict: bool,
    /// Worker threads (0 = one per core).
    #[arg(short = 'j', long, default_value_t = 0)]
    pub threads: usize,
}

/// What a candidate probably is, which decides the file it is printed for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Guess {
    /// A person next to a title, or a jieba `nr` token.
    Leader,
    /// An organization: jieba `nt`, a name with an organization suffix, a media title.
    Organization,
    /// A place: jieba `ns` (a country, region — or a city, which the contract leaves out).
    Place,
}

impl Guess {
    /// The dictionary file and its header.
    fn file(self) -> (&'static str, &'static str) {
        match self {
            Guess::Leader => ("leaders.tsv", "id\tlabel\ten\taliases\tcountry\troles\tsource"),
            Guess::Organization => ("organizations.tsv", "id\tlabel\ten\taliases\tcountry\tkind\tsource"),
            Guess::Place => ("regions.tsv", "id\tlabel\ten\taliases\tsource"),
        }
    }
}

/// Why a candidate was picked up.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Cue {
    Title,
    Pos,
    Quoted,
    Suffix,
}

impl Cue {
    fn as_str(self) -> &'static str {
        match self {
            Cue::Title => "next to a title",
            Cue::Pos => "jieba POS",
            Cue::Quoted => "in 《》",
            Cue::Suffix => "organization suffix",
        }
    }
}

/// One sighting of a candidate in one sentence.
#[derive(Clone, Debug)]
struct Sighting {
    text: String,
    guess: Guess,
    cue: Cue,
    /// The title next to it, for a leader.
    title: Option<String>,
    /// A country named right before the title or name (荷兰首相吕特 → NLD).
    country: Option<String>,
    /// An organization kind guessed from the suffix or the quotes.
    kind: Option<&'static str>,
    /// The sentence, for the example.
    sentence: String,
    /// 1-based line in the input file.
    line: usize,
}

/// Everything seen of one candidate across the corpus.
#[derive(Clone, Debug, Default)]
struct Candidate {
    docs: BTreeSet<usize>,
    count: usize,
    cues: BTreeMap<Cue, usize>,
    titles: BTreeMap<String, (usize, String, String)>,
    countries: BTreeMap<String, usize>,
    kinds: BTreeMap<&'static str, usize>,
    /// First example: document path and line, sentence.
    example: Option<(String, usize, String)>,
}

/// Organization suffixes with the `kind` they suggest.
const ORG_SUFFIXES: [(&str, &str); 22] = [
    ("组织", "igo"),
    ("委员会", "other"),
    ("联盟", "grouping"),
    ("论坛", "grouping"),
    ("银行", "other"),
    ("协会", "other"),
    ("大学", "other"),
    ("研究院", "other"),
    ("研究所", "other"),
    ("研究中心", "other"),
    ("基金会", "other"),
    ("理事会", "other"),
    ("联合会", "other"),
    ("共同体", "grouping"),
    ("机构", "other"),
    ("集团", "company"),
    ("公司", "company"),
    ("通讯社", "media"),
    ("电视台", "media"),
    ("广播公司", "media"),
    ("办公室", "state"),
    ("议会", "state"),
];

/// What ends a media title in 《…》 (newspapers, agencies, magazines, sites).
const MEDIA_ENDS: [&str; 12] = ["报", "时报", "日报", "邮报", "周刊", "杂志", "新闻", "网", "社", "电视台", "通讯", "评论"];

/// The per-document work, built once.
struct Finder {
    dicts: Dictionaries,
    tagger: Tagger,
    segmenter: Segmenter,
    titles: AhoCorasick,
    suffixes: AhoCorasick,
    /// Every dictionary name and phrase: a candidate equal to one is known.
    known: BTreeSet<String>,
    sample: usize,
}

fn is_han(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}')
}

/// A jieba tag for a person name.
fn person(tag: &str) -> bool {
    tag.starts_with("nr")
}

/// Joiners inside transliterated names (马克·吕特, 迪亚斯-卡内尔).
fn joiner(w: &str) -> bool {
    matches!(w, "·" | "•" | "-" | "‧")
}

impl Finder {
    fn new(dicts: Dictionaries, sample: usize) -> Result<Finder, Error> {
        let tagger = Tagger::new(&dicts, &TagConfig::default())?;
        let build = |pats: &[String]| {
            AhoCorasick::builder().match_kind(MatchKind::LeftmostLongest).build(pats).map_err(|e| Error::Automaton(e.to_string()))
        };
        let titles = build(&dicts.titles)?;
        let suffixes = build(&ORG_SUFFIXES.iter().map(|(s, _)| s.to_string()).collect::<Vec<_>>())?;
        let mut known: BTreeSet<String> = BTreeSet::new();
        for e in &dicts.entities {
            known.insert(e.label.clone());
            known.extend(e.aliases.iter().cloned());
        }
        known.extend(dicts.phrases.iter().map(|p| p.phrase.clone()));
        known.extend(dicts.titles.iter().cloned());
        Ok(Finder { tagger, segmenter: Segmenter::new(&SegmentConfig::default()), titles, suffixes, known, sample: sample.max(1), dicts })
    }

    /// The candidates of one document, in text order.
    fn document(&self, doc: &Document) -> Vec<Sighting> {
        let norm = normalize::normalize(&doc.text, &NormalizeConfig::default());
        let seg = self.segmenter.segment(&norm);
        let tagged = self.tagger.tag(&norm.text, doc.year());
        let hits: Vec<(usize, usize)> = tagged.hits.iter().map(|h| (h.start, h.end)).collect();
        let overlaps_hit = |s: usize, e: usize| {
            let k = hits.partition_point(|h| h.1 <= s);
            hits.get(k).is_some_and(|h| h.0 < e)
        };
        // The country hit that ends exactly at `at`, if any.
        let country_before = |at: usize| {
            let k = hits.partition_point(|h| h.1 < at);
            tagged.hits.get(k).filter(|h| h.end == at).and_then(|h| {
                h.ids.iter().map(|&i| self.dicts.entity(i)).find(|e| e.kind == Kind::Country).map(|e| e.id.clone())
            })
        };
        let line_of = |at: usize| doc.text[..norm.origin(at).min(doc.text.len())].matches('\n').count() + 1;
        let mut out = Vec::new();
        for (si, &(a, b)) in seg.sentences.iter().enumerate() {
            let sent = &norm.text[a..b];
            if !sent.chars().any(is_han) {
                continue;
            }
            let titles: Vec<(usize, usize)> = self.titles.find_iter(sent).map(|m| (a + m.start(), a + m.end())).collect();
            let suffixed = self.suffixes.is_match(sent);
            let mut found: Vec<(usize, usize, Guess, Cue, Option<String>, Option<String>, Option<&'static str>)> = Vec::new();
            // Media titles in 《…》.
            for (i, _) in sent.match_indices('《') {
                let rest = &sent[i + '《'.len_utf8()..];
                let Some(close) = rest.find('》') else { continue };
                let inner = &rest[..close];
                let n = inner.chars().count();
                if (2..=16).contains(&n) && MEDIA_ENDS.iter().any(|e| inner.ends_with(e)) {
                    let s = a + i + '《'.len_utf8();
                    found.push((s, s + inner.len(), Guess::Organization, Cue::Quoted, None, None, Some("media")));
                }
            }
            if !titles.is_empty() || suffixed || si % self.sample == 0 {
                let tags = self.tagger.jieba().tag(sent, true);
                let pos: Vec<(usize, usize, &str, &str)> = tags.iter().map(|t| (a + t.byte_start, a + t.byte_end, t.word, t.tag)).collect();
                // Names right after or right before a title.
                for &(ts, te) in &titles {
                    let title = norm.text[ts..te].to_string();
                    let country = country_before(ts);
                    if let Some(k) = pos.iter().position(|p| p.0 == te) {
                        let mut end = k;
                        while end < pos.len() && end < k + 4 && (person(pos[end].3) || (joiner(pos[end].2) && end > k && pos.get(end + 1).is_some_and(|p| person(p.3)))) {
                            end += 1;
                        }
                        if end > k {
                            found.push((pos[k].0, pos[end - 1].1, Guess::Leader, Cue::Title, Some(title.clone()), country.clone(), None));
                        }
                    }
                    if let Some(k) = pos.iter().position(|p| p.1 == ts) {
                        let mut start = k + 1;
                        while start > 0 && start + 4 > k + 1 && (person(pos[start - 1].3) || (joiner(pos[start - 1].2) && start - 1 > 0 && person(pos[start - 2].3))) {
                            start -= 1;
                        }
                        if start <= k {
                            let country = country_before(pos[start].0);
                            found.push((pos[start].0, pos[k].1, Guess::Leader, Cue::Title, Some(title.clone()), country, None));
                        }
                    }
                }
                // Organization names: the suffix word and the nouns before it.
                for (k, p) in pos.iter().enumerate() {
                    let Some(&(_, kind)) = ORG_SUFFIXES.iter().find(|(s, _)| p.2.ends_with(s)) else { continue };
                    let mut start = k;
                    while start > 0 && k - start < 5 && matches!(pos[start - 1].3, "ns" | "nt" | "nz" | "n" | "j" | "nr" | "eng" | "vn" | "l") && pos[start - 1].2 != "的" {
                        start -= 1;
                    }
                    let (s, e) = (pos[start].0, p.1);
                    let n = norm.text[s..e].chars().count();
                    if (4..=16).contains(&n) && start < k {
                        found.push((s, e, Guess::Organization, Cue::Suffix, None, None, Some(kind)));
                    }
                }
                // POS tokens. jieba's dictionary tags many common words `nr` (文明, 祝贺), so a
                // person is a word the HMM found outside the dictionary; places and
                // organizations come from the dictionary's `ns`/`nt` of three or more characters
                // (its two-character ones are mostly generic: 两国, 大国, 攸关).
                for p in &pos {
                    let in_dict = self.tagger.jieba().has_word(p.2);
                    let guess = match p.3 {
                        "nr" | "nrfg" | "nrt" if !in_dict => Guess::Leader,
                        "ns" if in_dict && p.2.chars().count() >= 3 => Guess::Place,
                        "nt" if in_dict && p.2.chars().count() >= 3 => Guess::Organization,
                        _ => continue,
                    };
                    found.push((p.0, p.1, guess, Cue::Pos, None, None, None));
                }
            }
            let sentence: String = sent.chars().map(|c| if c == '\n' || c == '\t' { ' ' } else { c }).collect();
            for (s, e, guess, cue, title, country, kind) in found {
                let text = &norm.text[s..e];
                if text.chars().count() < 2 || !text.chars().any(is_han) || overlaps_hit(s, e) || self.known.contains(text) {
                    continue;
                }
                out.push(Sighting { text: text.to_string(), guess, cue, title, country, kind, sentence: sentence.clone(), line: line_of(s) });
            }
        }
        out
    }
}

/// Cuts a sentence to at most `max` characters around its first `needle`.
fn excerpt(sentence: &str, needle: &str, max: usize) -> String {
    let chars: Vec<char> = sentence.trim().chars().collect();
    if chars.len() <= max {
        return chars.into_iter().collect();
    }
    let at = sentence.trim().find(needle).map_or(0, |b| sentence.trim()[..b].chars().count());
    let start = at.saturating_sub(max / 3).min(chars.len() - max);
    let mut s: String = chars[start..start + max].iter().collect();
    if start > 0 {
        s.insert(0, '…');
    }
    if start + max < chars.len() {
        s.push('…');
    }
    s
}

/// Runs `discover`: reads the corpus, prints the top candidates; returns the number printed.
pub fn run(args: &DiscoverArgs, out: &mut impl Write) -> Result<usize, Error> {
    let cfg = DictConfig { no_defaults: args.no_default_dict, extra: args.dict.clone() };
    if cfg.no_defaults && cfg.extra.is_empty() {
        return Err(Error::Usage("--no-default-dict needs at least one --dict DIR".into()));
    }
    let finder = Finder::new(Dictionaries::load(&cfg)?, args.sample)?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads)
        .build()
        .map_err(|e| Error::Usage(format!("cannot start {} threads: {e}", args.threads)))?;
    let mut cands: BTreeMap<(String, Guess), Candidate> = BTreeMap::new();
    let mut documents = 0;
    let mut corpus = read::corpus(&args.inputs);
    loop {
        let mut batch = Vec::new();
        for doc in corpus.by_ref() {
            match doc {
                Ok(d) => batch.push(d),
                Err(e) => say!("diplograph: skipped: {e:#}"),
            }
            if batch.len() == 256 {
                break;
            }
        }
        if batch.is_empty() {
            break;
        }
        let found: Vec<Vec<Sighting>> = pool.install(|| batch.par_iter().map(|d| finder.document(d)).collect());
        for (doc, sightings) in batch.iter().zip(found) {
            let di = documents;
            documents += 1;
            let name = doc.path.file_name().map_or_else(|| doc.id.clone(), |n| n.to_string_lossy().to_string());
            for s in sightings {
                let c = cands.entry((s.text.clone(), s.guess)).or_default();
                c.docs.insert(di);
                c.count += 1;
                *c.cues.entry(s.cue).or_default() += 1;
                if let Some(t) = s.title {
                    let date = doc.date.clone().unwrap_or_default();
                    let slot = c.titles.entry(t).or_insert((0, date.clone(), date.clone()));
                    slot.0 += 1;
                    if !date.is_empty() {
                        if slot.1.is_empty() || date < slot.1 {
                            slot.1 = date.clone();
                        }
                        if date > slot.2 {
                            slot.2 = date;
                        }
                    }
                }
                if let Some(k) = s.country {
                    *c.countries.entry(k).or_default() += 1;
                }
                if let Some(k) = s.kind {
                    *c.kinds.entry(k).or_default() += 1;
                }
                if c.example.is_none() {
                    c.example = Some((name.clone(), s.line, excerpt(&s.sentence, &s.text, 60)));
                }
            }
        }
    }
    // A name seen next to a title is a leader, whatever jieba guessed elsewhere.
    let mut ranked: Vec<(&(String, Guess), &Candidate)> =
        cands.iter().filter(|(_, c)| c.docs.len() >= args.min_docs.max(1)).collect();
    ranked.sort_by(|a, b| b.1.docs.len().cmp(&a.1.docs.len()).then(b.1.count.cmp(&a.1.count)).then(a.0.cmp(b.0)));
    let mut seen = BTreeSet::new();
    ranked.retain(|((text, _), _)| seen.insert(text.clone()));
    let total = ranked.len();
    ranked.truncate(args.top);
    let io = |e| Error::io("<stdout>", e);
    writeln!(out, "# diplograph discover: {documents} documents, {total} candidates in {}+ documents; the top {} by document frequency, grouped by target file", args.min_docs.max(1), ranked.len()).map_err(io)?;
    writeln!(out, "# fill in id (a slug), en and aliases; `source` holds the rank, counts, cues and an example (file:line)").map_err(io)?;
    for guess in [Guess::Leader, Guess::Organization, Guess::Place] {
        let rows: Vec<(usize, &(String, Guess), &Candidate)> =
            ranked.iter().enumerate().filter(|(_, (k, _))| k.1 == guess).map(|(i, (k, c))| (i + 1, *k, *c)).collect();
        if rows.is_empty() {
            continue;
        }
        let (file, header) = guess.file();
        writeln!(out, "# {file}").map_err(io)?;
        writeln!(out, "{header}").map_err(io)?;
        for (rank, (text, _), c) in rows {
            let most = |m: &BTreeMap<String, usize>| m.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0))).map(|(k, _)| k.clone()).unwrap_or_default();
            let cues: Vec<String> = c.cues.iter().map(|(k, n)| format!("{} {n}", k.as_str())).collect();
            let (ex_file, ex_line, ex) = c.example.clone().unwrap_or_default();
            let mut source = format!("discover #{rank}: corpus {} docs, {} sightings ({})", c.docs.len(), c.count, cues.join(", "));
            if !c.titles.is_empty() {
                let t: Vec<String> = c.titles.iter().map(|(t, (n, _, _))| format!("{t} {n}")).collect();
                source.push_str(&format!("; titles {}", t.join(", ")));
            }
            source.push_str(&format!("; e.g. {ex_file}:{ex_line} 「{ex}」"));
            let row = match guess {
                Guess::Leader => {
                    let roles: Vec<String> = c.titles.iter().map(|(t, (_, from, to))| format!("{t}@{from}..{to}")).collect();
                    format!("?\t{text}\t\t\t{}\t{}\t{source}", most(&c.countries), roles.join(";"))
                }
                Guess::Organization => {
                    let kind = c.kinds.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0))).map(|(k, _)| *k).unwrap_or("other");
                    format!("?\t{text}\t\t\t\t{kind}\t{source}")
                }
                Guess::Place => format!("?\t{text}\t\t\t{source}"),
            };
            writeln!(out, "{row}").map_err(io)?;
        }
    }
    Ok(ranked.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finder() -> Finder {
        Finder::new(Dictionaries::load(&DictConfig::default()).unwrap(), 1).unwrap()
    }

    #[test]
    fn name_after_a_title_not_in_the_dictionaries() {
        let f = finder();
        let doc = Document::from_text("d", "荷兰首相斯霍夫表示，荷方愿同中方加强合作。", Some("2024-09-01"));
        let got: Vec<(String, Guess, Option<String>)> =
            f.document(&doc).into_iter().filter(|s| s.cue == Cue::Title).map(|s| (s.text, s.guess, s.country)).collect();
        assert_eq!(got, [("斯霍夫".to_string(), Guess::Leader, Some("NLD".to_string()))]);
    }

    #[test]
    fn known_names_are_skipped() {
        let f = finder();
        let doc = Document::from_text("d", "美国总统拜登同俄罗斯总统普京通电话。", Some("2022-01-01"));
        assert!(f.document(&doc).iter().all(|s| s.text != "拜登" && s.text != "普京"));
    }

    #[test]
    fn media_in_quotes_and_organization_suffixes() {
        let f = finder();
        let doc = Document::from_text("d", "据《海峡时报》报道，东非共同体秘书处发表声明。", None);
        let got: Vec<(String, Cue)> = f.document(&doc).into_iter().filter(|s| s.guess == Guess::Organization).map(|s| (s.text, s.cue)).collect();
        assert!(got.contains(&("海峡时报".to_string(), Cue::Quoted)), "{got:?}");
    }

    #[test]
    fn excerpt_keeps_the_needle() {
        let s = "一二三四五六七八九十一二三四五六七八九十目标一二三四五六七八九十";
        let e = excerpt(s, "目标", 12);
        assert!(e.contains("目标") && e.starts_with('…'), "{e}");
    }
}
