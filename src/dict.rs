//! dict: the entity dictionaries — countries, regions, leaders, organizations, the
//! single-character abbreviations and the phrases that settle ambiguity.
//!
//! They are plain TSV files under `dictionaries/`, embedded in the binary as the default;
//! `--dict DIR` adds a user's files of the same names on top (a row whose id is already known
//! replaces the default row). Every name is interned once here; later stages refer to entities
//! by [`EntityId`].

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use crate::error::Error;

/// An entity, as an index into [`Dictionaries::entities`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EntityId(pub u32);

/// What kind of thing a mention names; the `type` of the contract.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// A sovereign state or territory; id is ISO 3166-1 alpha-3.
    Country,
    /// A world region or bloc.
    Region,
    /// A named political leader or official.
    Leader,
    /// A named institution.
    Organization,
    /// A numeric expression.
    Figure,
}

impl Kind {
    /// The contract's name for the kind.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Country => "country",
            Kind::Region => "region",
            Kind::Leader => "leader",
            Kind::Organization => "organization",
            Kind::Figure => "figure",
        }
    }

    /// Parses the contract's name for a kind.
    pub fn parse(s: &str) -> Option<Kind> {
        Some(match s {
            "country" => Kind::Country,
            "region" => Kind::Region,
            "leader" => Kind::Leader,
            "organization" => Kind::Organization,
            "figure" => Kind::Figure,
            _ => return None,
        })
    }

    /// All kinds, in output order.
    pub const ALL: [Kind; 5] = [Kind::Country, Kind::Region, Kind::Leader, Kind::Organization, Kind::Figure];
}

/// A role a leader held, with the dates it was held (ISO dates, inclusive; empty = open).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Role {
    /// The role as the corpus writes it (外交部长).
    pub name: String,
    /// First day held, `YYYY-MM-DD`, or empty when unknown.
    pub from: String,
    /// Last day held, `YYYY-MM-DD`, or empty when still held or unknown.
    pub to: String,
    /// Whose office it is (ISO3, or a body's id: `秘书长@nato@2024-10-01..`), when the row says so.
    pub country: Option<String>,
}

/// One dictionary entry.
#[derive(Clone, Debug)]
pub struct Entity {
    /// Canonical id: ISO3 for countries, a slug otherwise.
    pub id: String,
    /// What it is.
    pub kind: Kind,
    /// Chinese canonical name.
    pub label: String,
    /// English canonical name.
    pub en: String,
    /// Every other surface form.
    pub aliases: Vec<String>,
    /// The state a leader serves or an organization belongs to (ISO3), if one.
    pub country: Option<String>,
    /// Kind of organization (igo, media, …), if given.
    pub org_kind: Option<String>,
    /// Roles held, for leaders.
    pub roles: Vec<Role>,
}

impl Entity {
    /// The ISO3 code of a country, or `None`.
    pub fn iso3(&self) -> Option<&str> {
        (self.kind == Kind::Country).then_some(self.id.as_str())
    }

    /// The role valid on `date` (`YYYY-MM-DD`): one whose dates hold it (the last listed of
    /// concurrent ones); else the most recent role that had started by then (a title the corpus
    /// stops attesting carries on); none before the first role began. Without a date, the last
    /// listed role.
    pub fn role_on(&self, date: Option<&str>) -> Option<&Role> {
        let Some(d) = date else { return self.roles.last() };
        let holds = |r: &&Role| (r.from.is_empty() || r.from.as_str() <= d) && (r.to.is_empty() || d <= r.to.as_str());
        if let Some(r) = self.roles.iter().rev().find(holds) {
            return Some(r);
        }
        self.roles.iter().rev().filter(|r| !r.from.is_empty() && r.from.as_str() <= d).max_by(|a, b| a.from.cmp(&b.from))
    }
}

/// A single-character abbreviation of a country (美 → USA).
#[derive(Clone, Debug)]
pub struct Abbreviation {
    /// The character.
    pub ch: char,
    /// What it stands for.
    pub entity: EntityId,
    /// May it be tagged standing alone (美将, 缅外长)?
    pub bare: bool,
    /// The function words it may follow, when not all of them (新: 访驻赴…, never 在新的).
    pub functions: Option<String>,
    /// Other entities it may stand for (巴: BRA), chosen by document context in `resolve`.
    pub alternatives: Vec<EntityId>,
}

/// A phrase that settles what a substring means (中巴经济走廊 → CHN, PAK on 中巴), or a blocker.
#[derive(Clone, Debug)]
pub struct Phrase {
    /// The whole phrase, matched as one pattern.
    pub phrase: String,
    /// Byte range of the mention inside `phrase`.
    pub span: (usize, usize),
    /// The entities of the mention; empty for a blocker (no mention in the phrase).
    pub ids: Vec<EntityId>,
    /// Other entities the last of `ids` may stand for (中乌: UKR), chosen by document context.
    pub alternatives: Vec<EntityId>,
}

/// The names of the dictionary files, each embedded as a default.
pub const FILES: [(&str, &str); 9] = [
    ("countries.tsv", include_str!("../dictionaries/countries.tsv")),
    ("regions.tsv", include_str!("../dictionaries/regions.tsv")),
    ("leaders.tsv", include_str!("../dictionaries/leaders.tsv")),
    ("organizations.tsv", include_str!("../dictionaries/organizations.tsv")),
    ("abbreviations.tsv", include_str!("../dictionaries/abbreviations.tsv")),
    ("function-words.tsv", include_str!("../dictionaries/function-words.tsv")),
    ("phrases.tsv", include_str!("../dictionaries/phrases.tsv")),
    ("titles.tsv", include_str!("../dictionaries/titles.tsv")),
    ("cues.tsv", include_str!("../dictionaries/cues.tsv")),
];

/// Where dictionaries come from.
#[derive(Clone, Debug, Default)]
pub struct DictConfig {
    /// Leave out the embedded defaults (use only `extra`).
    pub no_defaults: bool,
    /// User folders whose files are added on top, in order.
    pub extra: Vec<PathBuf>,
}

/// All dictionaries, loaded and interned.
#[derive(Clone, Debug, Default)]
pub struct Dictionaries {
    /// Every entity, indexed by [`EntityId`].
    pub entities: Vec<Entity>,
    by_id: HashMap<String, EntityId>,
    /// Single-character abbreviations.
    pub abbreviations: Vec<Abbreviation>,
    /// Function words that precede an abbreviation (对华, 访美).
    pub function_words: Vec<char>,
    /// Phrases and blockers.
    pub phrases: Vec<Phrase>,
    /// Titles that are evidence of a leader's role.
    pub titles: Vec<String>,
    /// A hash of every dictionary file's text, so outputs can say which dictionaries made them.
    pub fingerprint: u64,
    /// Rows per file, for the summary.
    pub rows: BTreeMap<String, usize>,
    /// Files other stages parse themselves (`cues.tsv` for events): name → (path, text) in
    /// load order, defaults first.
    pub raw: BTreeMap<String, Vec<(PathBuf, String)>>,
}

/// One parsed TSV row: the header's column names mapped to cells.
struct Row<'a> {
    cells: HashMap<&'a str, &'a str>,
    line: usize,
}

impl<'a> Row<'a> {
    fn get(&self, col: &str) -> &'a str {
        self.cells.get(col).copied().unwrap_or("").trim()
    }
}

fn parse_tsv<'a>(path: &Path, text: &'a str, required: &[&str]) -> Result<Vec<Row<'a>>, Error> {
    let mut header: Option<Vec<&str>> = None;
    let mut rows = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let cells: Vec<&str> = line.split('\t').collect();
        match &header {
            None => {
                for r in required {
                    if !cells.iter().any(|c| c.trim() == *r) {
                        return Err(Error::Dictionary {
                            path: path.to_path_buf(),
                            line: i + 1,
                            reason: format!("header lacks the column `{r}`"),
                        });
                    }
                }
                header = Some(cells.iter().map(|c| c.trim()).collect());
            }
            Some(h) => {
                let cells: HashMap<&str, &str> = h.iter().copied().zip(cells.iter().copied()).collect();
                rows.push(Row { cells, line: i + 1 });
            }
        }
    }
    Ok(rows)
}

fn split_list(s: &str) -> impl Iterator<Item = &str> {
    s.split('|').map(str::trim).filter(|a| !a.is_empty())
}

fn parse_roles(path: &Path, line: usize, s: &str) -> Result<Vec<Role>, Error> {
    let mut roles = Vec::new();
    for part in s.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let (name, dates) = part.split_once('@').unwrap_or((part, ".."));
        // `title@ISO3@FROM..TO` names the state of the office.
        let (country, dates) = match dates.split_once('@') {
            Some((c, d)) => (Some(c.trim().to_string()).filter(|c| !c.is_empty()), d),
            None => (None, dates),
        };
        let (from, to) = dates.split_once("..").ok_or_else(|| Error::Dictionary {
            path: path.to_path_buf(),
            line,
            reason: format!("role `{part}`: dates must read FROM..TO"),
        })?;
        for d in [from, to] {
            let ok = d.is_empty()
                || (d.len() == 10 && d.bytes().enumerate().all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() }));
            if !ok {
                return Err(Error::Dictionary {
                    path: path.to_path_buf(),
                    line,
                    reason: format!("role `{part}`: `{d}` is not a YYYY-MM-DD date"),
                });
            }
        }
        roles.push(Role { name: name.trim().to_string(), from: from.trim().to_string(), to: to.trim().to_string(), country });
    }
    Ok(roles)
}

impl Dictionaries {
    /// Loads the embedded defaults (unless told not to) and the user's folders on top.
    pub fn load(cfg: &DictConfig) -> Result<Dictionaries, Error> {
        let mut sources: Vec<(PathBuf, String)> = Vec::new();
        if !cfg.no_defaults {
            for (name, text) in FILES {
                sources.push((Path::new("<embedded>").join(name), text.to_string()));
            }
        }
        for dir in &cfg.extra {
            if !dir.is_dir() {
                return Err(Error::Usage(format!("--dict {}: not a folder", dir.display())));
            }
            for (name, _) in FILES {
                let path = dir.join(name);
                if path.exists() {
                    let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
                    sources.push((path, text));
                }
            }
        }
        Self::from_sources(&sources)
    }

    /// Builds the dictionaries from (path, text) pairs; the file name says what each holds.
    pub fn from_sources(sources: &[(PathBuf, String)]) -> Result<Dictionaries, Error> {
        let mut d = Dictionaries::default();
        let mut hasher = Fnv::default();
        // Entities first, so that abbreviations and phrases can refer to them whatever the order.
        let order = |p: &PathBuf| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            entity_kind(name).is_none() as u8
        };
        let mut sorted: Vec<&(PathBuf, String)> = sources.iter().collect();
        sorted.sort_by_key(|(p, _)| order(p));
        for (path, text) in sorted {
            hasher.write(path.file_name().and_then(|n| n.to_str()).unwrap_or("").as_bytes());
            hasher.write(text.as_bytes());
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("").to_string();
            let n = if let Some(kind) = entity_kind(&name) {
                d.load_entities(path, text, kind)?
            } else {
                match name.as_str() {
                    "abbreviations.tsv" => d.load_abbreviations(path, text)?,
                    "function-words.tsv" => d.load_function_words(path, text)?,
                    "phrases.tsv" => d.load_phrases(path, text)?,
                    "titles.tsv" => d.load_titles(path, text)?,
                    _ => {
                        d.raw.entry(name.clone()).or_default().push((path.clone(), text.clone()));
                        0
                    }
                }
            };
            *d.rows.entry(name).or_default() += n;
        }
        d.fingerprint = hasher.finish();
        Ok(d)
    }

    fn load_entities(&mut self, path: &Path, text: &str, kind: Kind) -> Result<usize, Error> {
        let rows = parse_tsv(path, text, &["id", "label"])?;
        for row in &rows {
            let id = row.get("id");
            let label = row.get("label");
            if id.is_empty() || label.is_empty() {
                return Err(Error::Dictionary { path: path.into(), line: row.line, reason: "empty id or label".into() });
            }
            if kind == Kind::Country && !(id.len() == 3 && id.bytes().all(|b| b.is_ascii_uppercase())) {
                return Err(Error::Dictionary {
                    path: path.into(),
                    line: row.line,
                    reason: format!("country id `{id}` is not an upper-case ISO 3166-1 alpha-3 code"),
                });
            }
            let entity = Entity {
                id: id.to_string(),
                kind,
                label: label.to_string(),
                en: row.get("en").to_string(),
                aliases: split_list(row.get("aliases")).map(str::to_string).collect(),
                country: Some(row.get("country")).filter(|c| !c.is_empty()).map(str::to_string),
                org_kind: Some(row.get("kind")).filter(|c| !c.is_empty()).map(str::to_string),
                roles: parse_roles(path, row.line, row.get("roles"))?,
            };
            match self.by_id.get(id) {
                Some(&old) => {
                    let slot = &mut self.entities[old.0 as usize];
                    if slot.kind != kind {
                        return Err(Error::Dictionary {
                            path: path.into(),
                            line: row.line,
                            reason: format!("id `{id}` is already a {}", slot.kind.as_str()),
                        });
                    }
                    *slot = entity;
                }
                None => {
                    let eid = EntityId(self.entities.len() as u32);
                    self.by_id.insert(id.to_string(), eid);
                    self.entities.push(entity);
                }
            }
        }
        Ok(rows.len())
    }

    fn resolve_id(&self, path: &Path, line: usize, id: &str) -> Result<EntityId, Error> {
        self.by_id.get(id).copied().ok_or_else(|| Error::Dictionary {
            path: path.into(),
            line,
            reason: format!("unknown entity id `{id}`"),
        })
    }

    fn load_abbreviations(&mut self, path: &Path, text: &str) -> Result<usize, Error> {
        let rows = parse_tsv(path, text, &["abbr", "id"])?;
        for row in &rows {
            let abbr = row.get("abbr");
            let mut chars = abbr.chars();
            let (Some(ch), None) = (chars.next(), chars.next()) else {
                return Err(Error::Dictionary { path: path.into(), line: row.line, reason: format!("`{abbr}` is not one character") });
            };
            let entity = self.resolve_id(path, row.line, row.get("id"))?;
            let bare = matches!(row.get("bare"), "yes" | "true" | "1");
            let functions = Some(row.get("functions")).filter(|f| !f.is_empty() && *f != "all").map(str::to_string);
            self.abbreviations.retain(|a| a.ch != ch);
            let alternatives = split_list(row.get("alternatives")).map(|id| self.resolve_id(path, row.line, id)).collect::<Result<_, _>>()?;
            self.abbreviations.push(Abbreviation { ch, entity, bare, functions, alternatives });
        }
        Ok(rows.len())
    }

    fn load_function_words(&mut self, path: &Path, text: &str) -> Result<usize, Error> {
        let rows = parse_tsv(path, text, &["prefix"])?;
        for row in &rows {
            let p = row.get("prefix");
            let mut chars = p.chars();
            let (Some(ch), None) = (chars.next(), chars.next()) else {
                return Err(Error::Dictionary { path: path.into(), line: row.line, reason: format!("`{p}` is not one character") });
            };
            if !self.function_words.contains(&ch) {
                self.function_words.push(ch);
            }
        }
        Ok(rows.len())
    }

    fn load_phrases(&mut self, path: &Path, text: &str) -> Result<usize, Error> {
        let rows = parse_tsv(path, text, &["phrase", "span", "ids"])?;
        for row in &rows {
            let phrase = row.get("phrase");
            let span = row.get("span");
            let Some(at) = phrase.find(span).filter(|_| !span.is_empty()) else {
                return Err(Error::Dictionary {
                    path: path.into(),
                    line: row.line,
                    reason: format!("span `{span}` is not inside phrase `{phrase}`"),
                });
            };
            let ids_cell = row.get("ids");
            let ids = if ids_cell == "-" || ids_cell.is_empty() {
                Vec::new()
            } else {
                split_list(ids_cell).map(|id| self.resolve_id(path, row.line, id)).collect::<Result<_, _>>()?
            };
            self.phrases.retain(|p| p.phrase != phrase);
            let alternatives = split_list(row.get("alternatives")).map(|id| self.resolve_id(path, row.line, id)).collect::<Result<_, _>>()?;
            self.phrases.push(Phrase { phrase: phrase.to_string(), span: (at, at + span.len()), ids, alternatives });
        }
        Ok(rows.len())
    }

    fn load_titles(&mut self, path: &Path, text: &str) -> Result<usize, Error> {
        let rows = parse_tsv(path, text, &["title"])?;
        for row in &rows {
            let t = row.get("title").to_string();
            if !t.is_empty() && !self.titles.contains(&t) {
                self.titles.push(t);
            }
        }
        Ok(rows.len())
    }

    /// The entity behind an id.
    pub fn entity(&self, id: EntityId) -> &Entity {
        &self.entities[id.0 as usize]
    }

    /// Looks an entity up by its canonical id.
    pub fn lookup(&self, id: &str) -> Option<EntityId> {
        self.by_id.get(id).copied()
    }

    /// The abbreviation entry for a character, if it is one.
    pub fn abbreviation(&self, ch: char) -> Option<&Abbreviation> {
        self.abbreviations.iter().find(|a| a.ch == ch)
    }
}

/// The entity kind a dictionary file holds, from its name.
pub fn entity_kind(file_name: &str) -> Option<Kind> {
    Some(match file_name {
        "countries.tsv" => Kind::Country,
        "regions.tsv" => Kind::Region,
        "leaders.tsv" => Kind::Leader,
        "organizations.tsv" => Kind::Organization,
        _ => return None,
    })
}

/// FNV-1a, 64 bit: a stable fingerprint (std's hasher is randomly seeded per process).
#[derive(Clone, Copy)]
pub struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv {
    /// Adds bytes.
    pub fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= b as u64;
            self.0 = self.0.wrapping_mul(0x100_0000_01b3);
        }
    }
    /// The hash so far.
    pub fn finish(&self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_defaults_load() {
        let d = Dictionaries::load(&DictConfig::default()).unwrap();
        let chn = d.lookup("CHN").expect("CHN");
        assert_eq!(d.entity(chn).label, "中国");
        assert!(d.abbreviation('美').is_some());
    }

    #[test]
    fn bad_row_names_file_and_line() {
        let src = vec![(PathBuf::from("u/countries.tsv"), "id\tlabel\nusa\t美国\n".to_string())];
        let err = Dictionaries::from_sources(&src).unwrap_err().to_string();
        assert!(err.starts_with("u/countries.tsv:2:"), "{err}");
    }

    #[test]
    fn roles_by_date() {
        let src = vec![(
            PathBuf::from("leaders.tsv"),
            "id\tlabel\troles\nwang-yi\t王毅\t外交部长@2013-03-16..2022-12-30;中央外办主任@2022-12-31..2023-07-24;外交部长@2023-07-25..\n"
                .to_string(),
        )];
        let d = Dictionaries::from_sources(&src).unwrap();
        let w = d.entity(d.lookup("wang-yi").unwrap());
        assert_eq!(w.role_on(Some("2023-03-07")).unwrap().name, "中央外办主任");
        assert_eq!(w.role_on(Some("2024-03-07")).unwrap().name, "外交部长");
        assert!(w.role_on(Some("2010-01-01")).is_none(), "no role before the first began");
    }
}
