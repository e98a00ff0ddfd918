//! dict: curator tools for the dictionaries. `dict check [DIR]` reads every dictionary file
//! (the embedded defaults, a folder layered on them, or the folder alone) and reports what the
//! loader would silently accept or stop at first: malformed rows and ids, the same surface form
//! on two entities, short names that sit inside common jieba words without a boundary rule,
//! duplicate or overlapping role dates, unknown countries and ids, rows without a source, and
//! cue-lexicon errors, each with its file and line. It exists so that curators can grow the
//! dictionaries without breaking the tagger, and so that CI keeps them clean.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};

use diplograph::dict::{self, Dictionaries, Kind};
use diplograph::event::EventCoder;
use diplograph::Error;

/// Options of `dict`.
#[derive(Args, Debug)]
pub struct DictArgs {
    /// What to do with the dictionaries.
    #[command(subcommand)]
    pub command: DictCommand,
}

/// Subcommands of `dict`.
#[derive(Subcommand, Debug)]
pub enum DictCommand {
    /// Lint the dictionaries: malformed rows, duplicate aliases, aliases inside common words,
    /// role dates, unknown countries and ids, empty sources, cue errors. Exit code 0 when there
    /// are no errors (warnings are printed), 1 when there are.
    Check(CheckArgs),
}

/// Options of `dict check`.
#[derive(Args, Debug, Default)]
pub struct CheckArgs {
    /// A folder of dictionary files, checked on top of the embedded defaults (which are
    /// `dictionaries/` of the source tree, shown as `<embedded>/NAME`); none checks the defaults.
    pub dir: Option<PathBuf>,
    /// Check DIR alone, without the embedded defaults.
    #[arg(long)]
    pub no_default_dict: bool,
    /// jieba's dict.txt, for the substring check [default: $DIPLOGRAPH_JIEBA_DICT, else the
    /// jieba-rs sources in the cargo registry].
    #[arg(long, value_name = "FILE")]
    pub jieba_dict: Option<PathBuf>,
}

/// How bad a finding is: errors fail the check, warnings are advice.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Must be fixed: the exit code is 1.
    Error,
    /// Worth a look.
    Warning,
}

/// One problem, at a line of a file.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Finding {
    /// Index of the file in load order (for sorting).
    pub file: usize,
    /// 1-based line; 0 for the file as a whole.
    pub line: usize,
    /// Error or warning.
    pub severity: Severity,
    /// What is wrong, with the offending text.
    pub message: String,
    /// The file's path as shown.
    pub path: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        if self.line == 0 {
            write!(f, "{sev}: {}: {}", self.path, self.message)
        } else {
            write!(f, "{sev}: {}:{}: {}", self.path, self.line, self.message)
        }
    }
}

/// One dictionary file to check.
struct Source {
    path: PathBuf,
    name: String,
    text: String,
}

/// A row of a file: its line and trimmed cells by column name.
struct Row {
    line: usize,
    cells: HashMap<String, String>,
}

impl Row {
    fn get(&self, col: &str) -> &str {
        self.cells.get(col).map(String::as_str).unwrap_or("")
    }
}

/// An entity row, as it stands after layering.
#[derive(Clone, Debug)]
struct EntityRow {
    id: String,
    kind: Kind,
    file: usize,
    line: usize,
    /// label, en, then aliases, in file order.
    names: Vec<String>,
    label: String,
    en: String,
    country: String,
}

/// The columns each file must have; the first is the row's key.
fn required(name: &str) -> &'static [&'static str] {
    match name {
        "countries.tsv" | "regions.tsv" => &["id", "label", "en", "aliases", "source"],
        "leaders.tsv" => &["id", "label", "en", "aliases", "country", "roles", "source"],
        "organizations.tsv" => &["id", "label", "en", "aliases", "country", "kind", "source"],
        "abbreviations.tsv" => &["abbr", "id", "bare", "source"],
        "function-words.tsv" => &["prefix", "source"],
        "phrases.tsv" => &["phrase", "span", "ids", "source"],
        "titles.tsv" => &["title"],
        "cues.tsv" => &["cue", "type", "source"],
        _ => &[],
    }
}

const ORG_KINDS: [&str; 7] = ["igo", "grouping", "state", "party", "media", "company", "other"];

/// Collects findings; owns the file list so findings can name their file.
struct Checker {
    sources: Vec<Source>,
    findings: Vec<Finding>,
}

impl Checker {
    fn push(&mut self, file: usize, line: usize, severity: Severity, message: String) {
        let path = self.sources[file].path.display().to_string();
        self.findings.push(Finding { file, line, severity, message, path });
    }

    fn error(&mut self, file: usize, line: usize, message: String) {
        self.push(file, line, Severity::Error, message);
    }

    fn warn(&mut self, file: usize, line: usize, message: String) {
        self.push(file, line, Severity::Warning, message);
    }

    /// Parses one file's rows, reporting a missing header column and rows of the wrong width.
    fn table(&mut self, file: usize) -> Vec<Row> {
        let name = self.sources[file].name.clone();
        let text = self.sources[file].text.clone();
        let mut header: Option<Vec<String>> = None;
        let mut rows = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = raw.trim_end_matches('\r');
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let cells: Vec<String> = line.split('\t').map(|c| c.trim().to_string()).collect();
            match &header {
                None => {
                    for col in required(&name) {
                        if !cells.iter().any(|c| c == col) {
                            self.error(file, i + 1, format!("header lacks the column `{col}`"));
                        }
                    }
                    header = Some(cells);
                }
                Some(h) => {
                    if cells.len() != h.len() {
                        self.error(file, i + 1, format!("{} columns, the header has {}", cells.len(), h.len()));
                    }
                    rows.push(Row { line: i + 1, cells: h.iter().cloned().zip(cells).collect() });
                }
            }
        }
        rows
    }
}

fn is_iso3(s: &str) -> bool {
    s.len() == 3 && s.bytes().all(|b| b.is_ascii_uppercase())
}

fn is_slug(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}')
}

fn split_list(s: &str) -> impl Iterator<Item = &str> {
    s.split('|').map(str::trim).filter(|a| !a.is_empty())
}

/// Is `d` a real calendar date written `YYYY-MM-DD`?
fn valid_date(d: &str) -> bool {
    let b = d.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let (Ok(y), Ok(m), Ok(day)) = (d[..4].parse::<u32>(), d[5..7].parse::<u32>(), d[8..].parse::<u32>()) else { return false };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&day)
}

/// One parsed role: name, country, from, to.
type RoleCell = (String, String, String, String);

/// Parses a `roles` cell (`title[@ISO3]@FROM..TO;…`); errors are returned as messages.
fn parse_roles(cell: &str) -> (Vec<RoleCell>, Vec<String>) {
    let mut roles = Vec::new();
    let mut errors = Vec::new();
    for part in cell.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let pieces: Vec<&str> = part.split('@').map(str::trim).collect();
        let (name, country, dates) = match pieces.as_slice() {
            [n] => (*n, "", ""),
            [n, d] => (*n, "", *d),
            [n, c, d] => (*n, *c, *d),
            _ => {
                errors.push(format!("role `{part}`: expected TITLE[@COUNTRY]@FROM..TO"));
                continue;
            }
        };
        if name.is_empty() {
            errors.push(format!("role `{part}`: empty title"));
        }
        let (from, to) = if dates.is_empty() {
            ("", "")
        } else if let Some((f, t)) = dates.split_once("..") {
            (f.trim(), t.trim())
        } else {
            errors.push(format!("role `{part}`: dates must read FROM..TO"));
            continue;
        };
        let mut ok = true;
        for d in [from, to] {
            if !d.is_empty() && !valid_date(d) {
                errors.push(format!("role `{part}`: `{d}` is not a YYYY-MM-DD date"));
                ok = false;
            }
        }
        if ok && !from.is_empty() && !to.is_empty() && from > to {
            errors.push(format!("role `{part}`: starts after it ends"));
        }
        roles.push((name.to_string(), country.to_string(), from.to_string(), to.to_string()));
    }
    (roles, errors)
}

/// Do two inclusive date ranges (empty = open) share a day?
fn overlaps(a: (&str, &str), b: (&str, &str)) -> bool {
    let lo = |s: &str| if s.is_empty() { "0000-00-00".to_string() } else { s.to_string() };
    let hi = |s: &str| if s.is_empty() { "9999-99-99".to_string() } else { s.to_string() };
    lo(a.0) <= hi(b.1) && lo(b.0) <= hi(a.1)
}

/// Where jieba's `dict.txt` is: the option, `$DIPLOGRAPH_JIEBA_DICT`, else the newest jieba-rs
/// 0.11 source in the cargo registry (the crate embeds the file but does not expose it).
fn jieba_dict_path(explicit: Option<&Path>) -> Option<PathBuf> {
    if let Some(p) = explicit {
        return Some(p.to_path_buf());
    }
    if let Some(p) = std::env::var_os("DIPLOGRAPH_JIEBA_DICT") {
        return Some(PathBuf::from(p));
    }
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))?;
    let mut found = Vec::new();
    for index in std::fs::read_dir(home.join("registry/src")).ok()?.flatten() {
        for krate in std::fs::read_dir(index.path()).into_iter().flatten().flatten() {
            let name = krate.file_name().to_string_lossy().to_string();
            let dict = krate.path().join("src/data/dict.txt");
            if name.starts_with("jieba-rs-0.11.") && dict.is_file() {
                found.push(dict);
            }
        }
    }
    found.sort();
    found.pop()
}

/// Words of a jieba dictionary with their frequencies.
fn jieba_words(text: &str) -> Vec<(&str, u64)> {
    text.lines()
        .filter_map(|l| {
            let mut it = l.split_whitespace();
            let w = it.next()?;
            Some((w, it.next().and_then(|f| f.parse().ok()).unwrap_or(0)))
        })
        .collect()
}

/// Checks dictionary sources (in load order: defaults, then a folder) and returns the
/// findings sorted by file and line.
fn check_sources(sources: Vec<Source>, jieba: Option<&str>) -> Vec<Finding> {
    let mut c = Checker { sources, findings: Vec::new() };
    let n = c.sources.len();
    let tables: Vec<Vec<Row>> = (0..n).map(|i| c.table(i)).collect();
    let name = |c: &Checker, i: usize| c.sources[i].name.clone();

    // Entities, layered: a later file's row with a known id replaces the row.
    let mut entities: BTreeMap<String, EntityRow> = BTreeMap::new();
    for (f, rows) in tables.iter().enumerate() {
        let Some(kind) = dict::entity_kind(&name(&c, f)) else { continue };
        let mut here: HashMap<String, usize> = HashMap::new();
        for row in rows {
            let id = row.get("id").to_string();
            let label = row.get("label").to_string();
            if id.is_empty() || label.is_empty() {
                c.error(f, row.line, "empty id or label".into());
                continue;
            }
            let id_ok = if kind == Kind::Country { is_iso3(&id) } else { is_slug(&id) };
            if !id_ok {
                let want = if kind == Kind::Country { "an upper-case ISO 3166-1 alpha-3 code" } else { "a slug [a-z0-9-]+" };
                c.error(f, row.line, format!("id `{id}` is not {want}"));
            }
            if let Some(&first) = here.get(&id) {
                c.error(f, row.line, format!("id `{id}` is listed twice in this file (line {first})"));
                continue;
            }
            here.insert(id.clone(), row.line);
            if let Some(old) = entities.get(&id) {
                let same_layer = c.sources[old.file].path.parent() == c.sources[f].path.parent();
                if old.kind != kind || same_layer {
                    let (op, ol) = (c.sources[old.file].path.display().to_string(), old.line);
                    c.error(f, row.line, format!("id `{id}` is already a {} ({op}:{ol}); ids are unique across entity files", old.kind.as_str()));
                    continue;
                }
            }
            let en = row.get("en").to_string();
            let mut names = vec![label.clone()];
            if !en.is_empty() {
                names.push(en.clone());
            }
            names.extend(split_list(row.get("aliases")).map(str::to_string));
            let country = row.get("country").to_string();
            entities.insert(id.clone(), EntityRow { id, kind, file: f, line: row.line, names, label, en, country });
        }
    }
    let exists = |id: &str| entities.contains_key(id);
    let is_country = |id: &str| entities.get(id).is_some_and(|e| e.kind == Kind::Country);

    // The English name of each title: two wordings of one office (外长, 外交部长) may overlap.
    let mut titles_en: HashMap<String, String> = HashMap::new();
    for (f, rows) in tables.iter().enumerate() {
        if name(&c, f) == "titles.tsv" {
            for row in rows.iter().filter(|r| !r.get("en").is_empty()) {
                titles_en.insert(row.get("title").to_string(), row.get("en").to_lowercase());
            }
        }
    }
    // Per entity row: aliases, countries, kinds, roles, sources.
    for (f, rows) in tables.iter().enumerate() {
        let file_name = name(&c, f);
        let Some(kind) = dict::entity_kind(&file_name) else { continue };
        for row in rows {
            let id = row.get("id");
            // Only rows that survived layering speak for their entity.
            let live = entities.get(id).is_some_and(|e| e.file == f && e.line == row.line);
            if row.get("source").is_empty() {
                c.error(f, row.line, format!("`{id}`: empty source (say where the facts come from)"));
            }
            if !live {
                continue;
            }
            let e = entities[id].clone();
            let mut seen: HashSet<&str> = HashSet::new();
            for (i, n) in e.names.iter().enumerate() {
                // label and en may be the same (CNBC); anything else twice is a slip.
                let twice = !seen.insert(n.as_str()) && !(i == 1 && *n == e.label && *n == e.en);
                if twice {
                    c.error(f, row.line, format!("`{id}`: alias `{n}` is listed twice"));
                }
            }
            if matches!(kind, Kind::Leader | Kind::Organization) && !e.country.is_empty() && !is_country(&e.country) {
                c.error(f, row.line, format!("`{id}`: unknown country `{}` (not an id of countries.tsv)", e.country));
            }
            if kind == Kind::Organization {
                let k = row.get("kind");
                if !k.is_empty() && !ORG_KINDS.contains(&k) {
                    c.error(f, row.line, format!("`{id}`: unknown kind `{k}` (expected one of {})", ORG_KINDS.join(", ")));
                }
            }
            if kind == Kind::Leader {
                let (roles, errors) = parse_roles(row.get("roles"));
                for m in errors {
                    c.error(f, row.line, format!("`{id}`: {m}"));
                }
                let mut loose = Vec::new();
                for (i, a) in roles.iter().enumerate() {
                    if !a.1.is_empty() && !exists(&a.1) {
                        c.error(f, row.line, format!("`{id}`: role `{}`: unknown country `{}`", a.0, a.1));
                    }
                    if a.2.is_empty() && a.3.is_empty() {
                        c.warn(f, row.line, format!("`{id}`: role `{}` has no dates", a.0));
                    }
                    for b in &roles[i + 1..] {
                        if !overlaps((&a.2, &a.3), (&b.2, &b.3)) {
                            continue;
                        }
                        let same_office = a.0.ends_with(b.0.as_str())
                            || b.0.ends_with(a.0.as_str())
                            || titles_en.get(a.0.as_str()).is_some_and(|en| titles_en.get(b.0.as_str()) == Some(en));
                        if a.0 == b.0 && a.1 == b.1 {
                            c.error(f, row.line, format!("`{id}`: role `{}` is listed twice with overlapping dates ({}..{} and {}..{})", a.0, a.2, a.3, b.2, b.3));
                        } else if !same_office {
                            loose.push(format!("{}@{}..{} / {}@{}..{}", a.0, a.2, a.3, b.0, b.2, b.3));
                        }
                    }
                }
                if !loose.is_empty() {
                    c.warn(f, row.line, format!("`{id}`: different offices overlap, the later listed wins on shared days: {}", loose.join("; ")));
                }
            }
        }
    }

    // The same surface form on two entities: report it at both rows.
    let mut by_form: BTreeMap<&str, BTreeSet<(&str, usize, usize)>> = BTreeMap::new();
    for e in entities.values() {
        for n in &e.names {
            by_form.entry(n.as_str()).or_default().insert((e.id.as_str(), e.file, e.line));
        }
    }
    let mut dups = Vec::new();
    for (form, owners) in &by_form {
        if owners.len() < 2 {
            continue;
        }
        for &(id, f, line) in owners {
            let others: Vec<String> = owners
                .iter()
                .filter(|o| o.0 != id)
                .map(|&(oid, of, ol)| format!("`{oid}` ({}:{ol})", c.sources[of].path.display()))
                .collect();
            dups.push((f, line, format!("`{id}`: alias `{form}` also names {}", others.join(", "))));
        }
    }
    for (f, line, m) in dups {
        c.error(f, line, m);
    }

    // Abbreviations, function words, phrases, titles, cues.
    let mut phrase_names: HashSet<String> = HashSet::new();
    let mut short_phrases: Vec<(usize, usize, String)> = Vec::new();
    for (f, rows) in tables.iter().enumerate() {
        let file_name = name(&c, f);
        let mut keys: HashMap<String, usize> = HashMap::new();
        let key_col = required(&file_name).first().copied().unwrap_or("");
        for row in rows {
            let key = row.get(key_col).to_string();
            if dict::entity_kind(&file_name).is_none() && !key_col.is_empty() {
                if key.is_empty() {
                    c.error(f, row.line, format!("empty `{key_col}`"));
                } else if let Some(first) = keys.insert(key.clone(), row.line) {
                    c.error(f, row.line, format!("`{key}` is listed twice in this file (line {first})"));
                }
                if required(&file_name).contains(&"source") && row.get("source").is_empty() && file_name != "cues.tsv" {
                    c.error(f, row.line, format!("`{key}`: empty source (say where the facts come from)"));
                }
            }
            let ids_exist = |c: &mut Checker, col: &str, cell: &str| {
                for id in split_list(cell).filter(|i| *i != "-") {
                    if !exists(id) {
                        c.error(f, row.line, format!("`{key}`: unknown id `{id}` in `{col}`"));
                    }
                }
            };
            match file_name.as_str() {
                "abbreviations.tsv" => {
                    if key.chars().count() != 1 {
                        c.error(f, row.line, format!("`{key}` is not one character"));
                    }
                    let id = row.get("id");
                    if !exists(id) {
                        c.error(f, row.line, format!("`{key}`: unknown id `{id}`"));
                    }
                    if !matches!(row.get("bare"), "" | "yes" | "no" | "true" | "false" | "1" | "0") {
                        c.error(f, row.line, format!("`{key}`: bare must be yes or no, not `{}`", row.get("bare")));
                    }
                    ids_exist(&mut c, "alternatives", row.get("alternatives"));
                    if split_list(row.get("alternatives")).any(|a| a == id) {
                        c.error(f, row.line, format!("`{key}`: `{id}` is its own alternative"));
                    }
                }
                "function-words.tsv" if key.chars().count() != 1 => c.error(f, row.line, format!("`{key}` is not one character")),
                "phrases.tsv" => {
                    let span = row.get("span");
                    if span.is_empty() || !key.contains(span) {
                        c.error(f, row.line, format!("span `{span}` is not inside phrase `{key}`"));
                    }
                    let ids = row.get("ids");
                    if ids.is_empty() {
                        c.error(f, row.line, format!("`{key}`: empty ids (write - for a blocker)"));
                    }
                    ids_exist(&mut c, "ids", ids);
                    ids_exist(&mut c, "alternatives", row.get("alternatives"));
                    let blocker = ids == "-" || ids.is_empty();
                    if blocker && !row.get("alternatives").is_empty() {
                        c.error(f, row.line, format!("`{key}`: a blocker has no alternatives"));
                    }
                    phrase_names.insert(key.clone());
                    if !blocker && key.chars().count() <= 2 && key.chars().all(is_cjk) {
                        short_phrases.push((f, row.line, key.clone()));
                    }
                }
                _ => {}
            }
        }
        if file_name == "cues.tsv" {
            check_cues(&mut c, f);
        }
    }

    // Short names inside common words: the ones the tagger takes without a jieba check.
    match jieba {
        None => c.findings.push(Finding {
            file: 0,
            line: 0,
            severity: Severity::Warning,
            message: "jieba's dict.txt not found (pass --jieba-dict or set DIPLOGRAPH_JIEBA_DICT); substring check skipped".into(),
            path: "<jieba>".into(),
        }),
        Some(text) => {
            // Same rule as tag.rs's `Pattern.jieba`: country and region names of at most two
            // CJK characters, and every abbreviation-derived form, are checked against jieba
            // word boundaries, so only leader and organization names and phrases remain.
            let mut short: BTreeMap<String, Vec<(usize, usize, String)>> = BTreeMap::new();
            let mut longer: HashSet<&str> = phrase_names.iter().map(String::as_str).collect();
            for e in entities.values() {
                for n in &e.names {
                    longer.insert(n.as_str());
                    let chars = n.chars().count();
                    if chars <= 2 && n.chars().all(is_cjk) && matches!(e.kind, Kind::Leader | Kind::Organization) {
                        short.entry(n.clone()).or_default().push((e.file, e.line, e.id.clone()));
                    }
                }
            }
            for (f, line, span) in &short_phrases {
                short.entry(span.clone()).or_default().push((*f, *line, format!("phrase {span}")));
            }
            let mut inside: BTreeMap<&str, Vec<(u64, &str)>> = BTreeMap::new();
            for (word, freq) in jieba_words(text) {
                let offs: Vec<usize> = word.char_indices().map(|(i, _)| i).chain([word.len()]).collect();
                for i in 1..offs.len() - 1 {
                    for len in 1..=2 {
                        let Some(&end) = offs.get(i + len) else { continue };
                        let part = &word[offs[i]..end];
                        if !short.contains_key(part) {
                            continue;
                        }
                        // A dictionary name or phrase that starts earlier and covers the
                        // start wins by leftmost match: that word is no trap.
                        let covered = (0..i).any(|a| (i + 1..offs.len()).any(|b| longer.contains(&word[offs[a]..offs[b]])));
                        if !covered {
                            inside.entry(part).or_default().push((freq, word));
                        }
                    }
                }
            }
            for (form, owners) in &short {
                let Some(words) = inside.get_mut(form.as_str()) else { continue };
                words.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
                words.dedup_by(|a, b| a.1 == b.1);
                let total: u64 = words.iter().map(|w| w.0).sum();
                let examples: Vec<String> = words.iter().take(5).map(|(fr, w)| format!("{w} ({fr})")).collect();
                for (f, line, id) in owners {
                    c.warn(
                        *f,
                        *line,
                        format!(
                            "`{id}`: `{form}` has no word-boundary rule and sits inside {} jieba words (total frequency {total}), e.g. {}",
                            words.len(),
                            examples.join(", ")
                        ),
                    );
                }
            }
        }
    }
    c.findings.sort();
    c.findings.dedup();
    c.findings
}

/// Runs the event module's cue parser on every cues file, line by line so that each bad line
/// is reported (the parser stops at its first error). Other lines are blanked, keeping line
/// numbers.
fn check_cues(c: &mut Checker, f: usize) {
    let path = c.sources[f].path.clone();
    let text = c.sources[f].text.clone();
    let lines: Vec<&str> = text.lines().collect();
    let Some(h) = lines.iter().position(|l| !l.trim().is_empty() && !l.starts_with('#')) else { return };
    let mut found = Vec::new();
    for (i, l) in lines.iter().enumerate().skip(h + 1) {
        if l.trim().is_empty() || l.starts_with('#') {
            continue;
        }
        let mut one = String::new();
        for (j, other) in lines.iter().enumerate() {
            if j == h || j == i {
                one.push_str(other);
            }
            one.push('\n');
        }
        let dicts = Dictionaries::from_sources(&[(path.clone(), one)]);
        let err = match dicts {
            Err(e) => Some(e),
            Ok(d) => EventCoder::new(&d).err(),
        };
        if let Some(e) = err {
            found.push(e);
        }
    }
    for e in found {
        match e {
            Error::Dictionary { line, reason, .. } => c.error(f, line, format!("cue lexicon: {reason}")),
            other => c.error(f, 0, format!("cue lexicon: {other}")),
        }
    }
    let rows = c.table(f);
    for row in rows.iter().filter(|r| r.get("source").is_empty()) {
        c.error(f, row.line, format!("cue `{}`: empty source (say where the facts come from)", row.get("cue")));
    }
    c.findings.dedup();
}

/// Reads the files to check: the embedded defaults unless `no_defaults`, then `dir`'s.
fn load_sources(dir: Option<&Path>, no_defaults: bool) -> Result<Vec<Source>, Error> {
    let mut sources = Vec::new();
    if !no_defaults {
        for (name, text) in dict::FILES {
            sources.push(Source { path: Path::new("<embedded>").join(name), name: name.to_string(), text: text.to_string() });
        }
    }
    if let Some(dir) = dir {
        if !dir.is_dir() {
            return Err(Error::Usage(format!("dict check {}: not a folder", dir.display())));
        }
        for (name, _) in dict::FILES {
            let path = dir.join(name);
            if path.exists() {
                let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
                sources.push(Source { path, name: name.to_string(), text });
            }
        }
    }
    Ok(sources)
}

/// Runs `dict check`: prints each finding and a summary; returns whether there were errors.
pub fn check(args: &CheckArgs) -> Result<bool, Error> {
    if args.no_default_dict && args.dir.is_none() {
        return Err(Error::Usage("--no-default-dict needs a DIR".into()));
    }
    let sources = load_sources(args.dir.as_deref(), args.no_default_dict)?;
    let files = sources.len();
    let jieba_path = jieba_dict_path(args.jieba_dict.as_deref());
    let jieba = match &jieba_path {
        Some(p) => Some(std::fs::read_to_string(p).map_err(|e| Error::io(p, e))?),
        None => None,
    };
    let findings = check_sources(sources, jieba.as_deref());
    let errors = findings.iter().filter(|f| f.severity == Severity::Error).count();
    // (A reader gone, `dict check | head`, stops the listing, not the exit code: println!
    // panicked.)
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    let listed = findings.iter().try_for_each(|f| writeln!(out, "{f}"));
    let _ = listed.and_then(|()| writeln!(out, "dict check: {files} files, {errors} errors, {} warnings", findings.len() - errors));
    Ok(errors > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src(name: &str, text: &str) -> Source {
        Source { path: PathBuf::from("u").join(name), name: name.to_string(), text: text.to_string() }
    }

    fn defaults() -> Vec<Source> {
        dict::FILES
            .iter()
            .map(|(n, t)| Source { path: Path::new("<embedded>").join(n), name: n.to_string(), text: t.to_string() })
            .collect()
    }

    fn errors(f: &[Finding]) -> Vec<String> {
        f.iter().filter(|f| f.severity == Severity::Error).map(|f| f.to_string()).collect()
    }

    #[test]
    fn shipped_dictionaries_have_no_errors() {
        let found = check_sources(defaults(), None);
        assert_eq!(errors(&found), Vec::<String>::new());
    }

    #[test]
    fn duplicate_alias_across_entities_names_both_rows() {
        let mut s = defaults();
        s.push(src("organizations.tsv", "id\tlabel\ten\taliases\tcountry\tkind\tsource\nxin-hua\t新华通讯社\tXinhua\t新华社\tCHN\tmedia\ttest\n"));
        let e = errors(&check_sources(s, None));
        assert!(e.iter().any(|m| m.starts_with("error: u/organizations.tsv:2: `xin-hua`: alias `新华社` also names `xinhua`")), "{e:?}");
        assert!(e.iter().any(|m| m.starts_with("error: <embedded>/organizations.tsv:") && m.contains("also names `xin-hua` (u/organizations.tsv:2)")), "{e:?}");
    }

    #[test]
    fn roles_countries_and_ids() {
        let s = vec![
            src("countries.tsv", "id\tlabel\ten\taliases\tsource\nUSA\t美国\tUnited States\t\tcldr\nrus\t俄罗斯\tRussia\t\tcldr\n"),
            src(
                "leaders.tsv",
                "id\tlabel\ten\taliases\tcountry\troles\tsource\n\
                 joe-biden\t拜登\tJoe Biden\t\tUSA\t总统@2021-01-20..2025-01-20;总统@2024-01-01..\tx\n\
                 Bad_Id\t某人\t\t\tXXX\t总统@2021-02-30..\t\n",
            ),
        ];
        let e = errors(&check_sources(s, None));
        let want = [
            "error: u/countries.tsv:3: id `rus` is not an upper-case ISO 3166-1 alpha-3 code",
            "error: u/leaders.tsv:2: `joe-biden`: role `总统` is listed twice with overlapping dates (2021-01-20..2025-01-20 and 2024-01-01..)",
            "error: u/leaders.tsv:3: `Bad_Id`: empty source (say where the facts come from)",
            "error: u/leaders.tsv:3: `Bad_Id`: role `总统@2021-02-30..`: `2021-02-30` is not a YYYY-MM-DD date",
            "error: u/leaders.tsv:3: `Bad_Id`: unknown country `XXX` (not an id of countries.tsv)",
            "error: u/leaders.tsv:3: id `Bad_Id` is not a slug [a-z0-9-]+",
        ];
        assert_eq!(e, want);
    }

    #[test]
    fn cue_errors_are_reported_per_line() {
        let s = vec![src("cues.tsv", "cue\ttype\tsource\n会谈\tCONSULT\tx\n谴责\tBLAME\tx\n愿\tAGREE\t\n")];
        let e = errors(&check_sources(s, None));
        assert_eq!(
            e,
            [
                "error: u/cues.tsv:3: cue lexicon: cue `谴责`: unknown PLOVER type `BLAME`",
                "error: u/cues.tsv:4: cue `愿`: empty source (say where the facts come from)"
            ]
        );
    }

    #[test]
    fn short_leader_name_inside_jieba_words() {
        let s = vec![src("leaders.tsv", "id\tlabel\ten\taliases\tcountry\troles\tsource\nzhang-jun\t张军\tZhang Jun\t\t\t\tx\n")];
        let found = check_sources(s, Some("扩张军力 30 n\n张军 5 nr\n主张 100 v\n"));
        let w: Vec<String> = found.iter().map(|f| f.to_string()).collect();
        assert_eq!(w, ["warning: u/leaders.tsv:2: `zhang-jun`: `张军` has no word-boundary rule and sits inside 1 jieba words (total frequency 30), e.g. 扩张军力 (30)"]);
    }

    #[test]
    fn a_role_with_a_country_is_the_event_coders_country() {
        let src = vec![
            (PathBuf::from("countries.tsv"), "id\tlabel\nNLD\t荷兰\n".to_string()),
            (PathBuf::from("organizations.tsv"), "id\tlabel\nnato\t北约\n".to_string()),
            (PathBuf::from("leaders.tsv"), "id\tlabel\tcountry\troles\nmark-rutte\t吕特\tNLD\t首相@2010-10-14..2024-07-02;秘书长@nato@2024-10-01..\n".to_string()),
        ];
        let d = Dictionaries::from_sources(&src).unwrap();
        let coder = EventCoder::new(&d).unwrap();
        let rutte = d.lookup("mark-rutte").unwrap();
        assert_eq!(coder.country_of(&d, rutte, Some("2022-05-18")), "NLD");
        assert_eq!(coder.country_of(&d, rutte, Some("2025-01-01")), "nato");
        let (roles, errors) = parse_roles("首相@2010-10-14..2024-07-02;秘书长@nato@2024-10-01..");
        assert!(errors.is_empty() && roles[1].1 == "nato", "{roles:?} {errors:?}");
    }

    #[test]
    fn dates() {
        assert!(valid_date("2024-02-29") && !valid_date("2023-02-29") && !valid_date("2023-13-01") && !valid_date("2023-1-01"));
        assert!(overlaps(("2020-01-01", ""), ("2024-01-01", "2024-02-01")));
        assert!(!overlaps(("2020-01-01", "2020-12-31"), ("2021-01-01", "")));
    }
}
