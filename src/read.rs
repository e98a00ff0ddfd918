//! read: turns the user's inputs — text files, folders of `*.txt`, JSON Lines files (each
//! possibly gzipped) and standard input — into [`Document`]s, one at a time, in a fixed order.
//!
//! Each document keeps its text as UTF-8 and, when the file was in another encoding (UTF-16,
//! GB18030/GBK), a map from UTF-8 byte offsets back to the bytes of the file, so that mentions
//! can point into the original bytes whatever was decoded. A bad input is one error naming the
//! file (and line, for JSON Lines); the iterator goes on with the rest.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use crate::error::Error;

/// One document of the corpus.
#[derive(Clone, Debug)]
pub struct Document {
    /// The id of the contract: the file name without extension, or a JSON Lines record's `id`.
    pub id: String,
    /// Where it came from (`-` for standard input).
    pub path: PathBuf,
    /// A JSON Lines record's line in `path`.
    pub line: Option<usize>,
    /// What was mended to read a damaged file (see [`decode_repairing`]).
    pub repaired: Option<String>,
    /// `YYYY-MM-DD` from the record's `date` or a leading date in the file name.
    pub date: Option<String>,
    /// A JSON Lines record's `title`.
    pub title: Option<String>,
    /// The text, decoded to UTF-8.
    pub text: String,
    /// The encoding that was decoded (`UTF-8`, `UTF-16LE`, `gb18030`, …).
    pub encoding: &'static str,
    /// For text that was not UTF-8 in the file: the file byte offset of each UTF-8 byte offset
    /// (one entry per byte of `text`, plus one for the end). `None` means identity plus `base`.
    pub origin: Option<Vec<u32>>,
    /// Bytes before `text` in the file (a UTF-8 byte-order mark).
    pub base: usize,
    /// Size in the file, for throughput figures.
    pub bytes: usize,
}

impl Document {
    /// A document from UTF-8 text with no file behind it (tests, benches).
    pub fn from_text(id: &str, text: &str, date: Option<&str>) -> Document {
        Document {
            id: id.to_string(),
            path: PathBuf::from(id),
            line: None,
            repaired: None,
            date: date.map(str::to_string),
            title: None,
            text: text.to_string(),
            encoding: "UTF-8",
            origin: None,
            base: 0,
            bytes: text.len(),
        }
    }

    /// The year of the document's date.
    pub fn year(&self) -> Option<i32> {
        self.date.as_deref().and_then(|d| d.get(..4)).and_then(|y| y.parse().ok())
    }

    /// The file byte offset of a byte offset into `text`.
    pub fn file_offset(&self, utf8: usize) -> usize {
        match &self.origin {
            None => utf8 + self.base,
            Some(map) => map[utf8] as usize,
        }
    }
}

/// A date that a file name (or a record's id) starts with, as YYYY-MM-DD: `2024-03-07_wang-yi`
/// as the corpus names its files, and the other forms [`record_date`] reads (`20240307_…`,
/// `2024年3月7日王毅…`): a corpus named so had no dates, so no implied years and no timeline.
pub fn date_from_name(name: &str) -> Option<String> {
    record_date(name)
}

/// A JSON Lines record's `date` as YYYY-MM-DD: the forms Chinese and other corpora write dates
/// in, each possibly followed by a time — `2024-03-07`, `2024/3/7`, `2024.03.07`, `20240307`,
/// `2024年3月7日` — with a month of 1–12 and a day of 1–31. None for anything else.
pub fn record_date(d: &str) -> Option<String> {
    let d = d.trim();
    // A number of `min` to `max` digits at the start of `s`, and its length.
    let digits = |s: &str, min: usize, max: usize| -> Option<(u32, usize)> {
        let n = s.bytes().take(max).take_while(u8::is_ascii_digit).count();
        if n < min {
            return None;
        }
        Some((s[..n].parse().ok()?, n))
    };
    // Where the date goes on after `c`, which must come at `at`.
    let after = |at: usize, c: char| -> Option<usize> { d[at..].strip_prefix(c).map(|rest| d.len() - rest.len()) };
    let (year, mut at) = digits(d, 4, 4)?;
    let (month, day, end) = if let Some(sep) = d[at..].chars().next().filter(|c| matches!(c, '-' | '/' | '.' | '年')) {
        at += sep.len_utf8();
        let (month, n) = digits(&d[at..], 1, 2)?;
        at += n;
        let want = match sep {
            '年' => '月',
            other => other,
        };
        at = after(at, want)?;
        let (day, n) = digits(&d[at..], 1, 2)?;
        at += n;
        if sep == '年' {
            at = after(at, '日')?;
        }
        (month, day, at)
    } else {
        let (md, n) = digits(&d[at..], 4, 4)?;
        (md / 100, md % 100, at + n)
    };
    // What follows may be a time (T10:00, 10:00), never more digits.
    // A day the month has: 2024-02-30 went into the GEXF's spells, which Gephi reads as dates.
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    if d[end..].starts_with(|c: char| c.is_ascii_digit()) || !(1..=12).contains(&month) || !(1..=days).contains(&day) {
        return None;
    }
    Some(format!("{year:04}-{month:02}-{day:02}"))
}

/// One input as the user named it.
#[derive(Clone, Debug)]
enum Source {
    Text(PathBuf),
    Jsonl(PathBuf),
    Stdin,
}

/// Expands the user's inputs into sources in a fixed order: arguments as given, folders
/// walked recursively in byte order of their paths. Problems (a missing path, a symlink loop)
/// come back as errors beside the sources and do not stop the rest.
fn sources(inputs: &[PathBuf], output: Option<&Path>) -> (Vec<Source>, Vec<Error>) {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    // The output folder, if it is there already, is never read as input: a corpus folder
    // holding it (`extract . -o output`) took its JSON Lines for records on the next run.
    let output = output.and_then(|o| std::fs::canonicalize(o).ok());
    for input in inputs {
        if input.as_os_str() == "-" {
            out.push(Source::Stdin);
            continue;
        }
        match std::fs::metadata(input) {
            Err(e) => errors.push(Error::io(input, e)),
            Ok(m) if m.is_dir() => {
                let (before, errors_before) = (out.len(), errors.len());
                walk(input, &mut out, &mut errors, &mut vec![], output.as_deref());
                // A folder of *.html or *.pdf, or the wrong folder, is said to be one: it ran
                // as an empty corpus, exit 0, and replaced the outputs of the run before.
                if out.len() == before && errors.len() == errors_before {
                    let reason = "no *.txt, *.jsonl or *.ndjson file in this folder or below (gzipped or not)".into();
                    errors.push(Error::Input { path: input.clone(), line: None, reason });
                }
            }
            Ok(_) => out.push(classify(input)),
        }
    }
    // A file listed twice (a folder and a file or subfolder in it, a folder given twice) is
    // read once: its documents were all skipped as repeats, one message each. Files reached by
    // other names (links) stay documents of their own.
    let mut parents: std::collections::HashMap<PathBuf, PathBuf> = std::collections::HashMap::new();
    let mut listed = std::collections::HashSet::new();
    out.retain(|source| match source {
        Source::Text(p) | Source::Jsonl(p) => {
            let parent = p.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
            let dir = parents.entry(parent.to_path_buf()).or_insert_with(|| std::fs::canonicalize(parent).unwrap_or_else(|_| parent.to_path_buf()));
            listed.insert(dir.join(p.file_name().unwrap_or_default()))
        }
        Source::Stdin => true,
    });
    (out, errors)
}

fn classify(path: &Path) -> Source {
    // A `.json` file named on the command line is records (an array, or JSON Lines), not
    // text; in a folder it is left out, like any file that is not the corpus's.
    match corpus_file(path) {
        Some(source) => source,
        None if named(path, &[".json"]) => Source::Jsonl(path.to_path_buf()),
        None => Source::Text(path.to_path_buf()),
    }
}

/// A folder's file that is part of the corpus, by its name: `*.txt`, `*.jsonl` and `*.ndjson`,
/// any case (`.TXT` from Windows archives), each also gzipped (`*.jsonl.gz`).
fn corpus_file(path: &Path) -> Option<Source> {
    if named(path, &[".txt"]) {
        Some(Source::Text(path.to_path_buf()))
    } else if named(path, &[".jsonl", ".ndjson"]) {
        Some(Source::Jsonl(path.to_path_buf()))
    } else {
        None
    }
}

/// Does `path`'s name end in one of `suffixes` (lower case), in any case, a `.gz` after it
/// allowed?
fn named(path: &Path, suffixes: &[&str]) -> bool {
    let Some(name) = path.file_name() else { return false };
    let name = name.to_string_lossy().to_ascii_lowercase();
    let name = name.strip_suffix(".gz").unwrap_or(&name);
    suffixes.iter().any(|s| name.ends_with(s))
}

/// Is `path` named as gzipped (`.gz`)? For its id and its size before reading; what is read
/// is told by its bytes (see [`open`]).
fn gzipped(path: &Path) -> bool {
    path.extension().is_some_and(|e| e.eq_ignore_ascii_case("gz"))
}

/// A corpus file's bytes as a reader, gunzipped when they are gzip (every member of a
/// multi-member file, as `gzip -d` reads it), and whether they were. Gzip is told by its magic
/// bytes, not the name: a downloader that keeps a server's compressed answer as `page.txt`
/// left a file refused as binary, and a `.gz` that is not gzip is read as what it is.
fn open(path: &Path) -> std::io::Result<(Box<dyn Read + Send>, bool)> {
    gunzipped(File::open(path)?)
}

/// `reader`'s bytes, gunzipped when they start with gzip's magic bytes, and whether they did:
/// for files ([`open`]) and standard input alike.
fn gunzipped(reader: impl Read + Send + 'static) -> std::io::Result<(Box<dyn Read + Send>, bool)> {
    let mut reader = BufReader::new(reader);
    let gz = reader.fill_buf()?.starts_with(&[0x1F, 0x8B]);
    Ok((if gz { Box::new(flate2::read::MultiGzDecoder::new(reader)) } else { Box::new(reader) }, gz))
}

/// What reading `path` (at `line` of JSON Lines) failed with, as a message: gzipped data's
/// damage said as such.
fn read_error(path: &Path, line: Option<usize>, gz: bool, e: std::io::Error) -> Error {
    use std::io::ErrorKind::{InvalidData, InvalidInput, UnexpectedEof};
    if gz && matches!(e.kind(), InvalidData | InvalidInput | UnexpectedEof) {
        Error::Input { path: path.to_path_buf(), line, reason: format!("damaged gzip data: {e}") }
    } else {
        Error::io(path, e)
    }
}

/// The size of `path`'s text, for progress: a gzipped file's from its last member's trailer
/// (its size modulo 4 GiB, exact for one member), else the file's size.
fn text_size(path: &Path) -> Option<u64> {
    use std::io::{Seek, SeekFrom};
    let len = std::fs::metadata(path).ok()?.len();
    if !gzipped(path) || len < 18 {
        return Some(len);
    }
    let mut f = File::open(path).ok()?;
    let mut trailer = [0u8; 4];
    f.seek(SeekFrom::End(-4)).ok()?;
    f.read_exact(&mut trailer).ok()?;
    Some(u64::from(u32::from_le_bytes(trailer)))
}

fn walk(dir: &Path, out: &mut Vec<Source>, errors: &mut Vec<Error>, seen: &mut Vec<PathBuf>, output: Option<&Path>) {
    let canonical = match std::fs::canonicalize(dir) {
        Ok(c) => c,
        Err(e) => return errors.push(Error::io(dir, e)),
    };
    if output == Some(canonical.as_path()) {
        if seen.is_empty() {
            errors.push(Error::Input { path: dir.to_path_buf(), line: None, reason: "the output folder; not read as input".into() });
        }
        return;
    }
    if seen.contains(&canonical) {
        errors.push(Error::Input { path: dir.to_path_buf(), line: None, reason: "symbolic link loop; folder skipped".into() });
        return;
    }
    seen.push(canonical);
    let entries = match std::fs::read_dir(dir) {
        Ok(rd) => {
            let mut v: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
            // In the order of the ids the files will have (their stems), so that a folder's
            // documents come in id order and the JSON Lines need no reordering at the end
            // (by path, `wang-yi-2.txt` came before `wang-yi.txt`, and corpus/zh's 57 MB of
            // lines were copied again in the run's serial tail).
            v.sort_by(|a, b| (a.file_stem(), a).cmp(&(b.file_stem(), b)));
            v
        }
        Err(e) => return errors.push(Error::io(dir, e)),
    };
    // The outputs of another run (`-o corpus/run1`, then `-o corpus/run2`) or a partial are
    // no corpus: the second run read run1's mentions.jsonl as documents, a mention each (an
    // `id` and a `text`), and the graph got 30 of them as extra documents. In a folder that a
    // run.json or partial.json of diplograph's marks, its outputs are left out (what else is
    // there is read: outputs written into a corpus folder leave its corpus a corpus).
    let marker = written_by_diplograph(&entries);
    let (found, errors_before) = (out.len(), errors.len());
    for path in entries {
        if marker.is_some() && path.file_name().and_then(|n| n.to_str()).is_some_and(|n| crate::export::output_names().any(|o| o == n)) {
            continue;
        }
        // Hidden files and folders are not the corpus: the `._name.txt` and `__MACOSX` forks an
        // archive made on a Mac carries (binary data, one skip message each), editors' and
        // diplograph's own temporary files. Named on the command line, they are read.
        if path.file_name().is_some_and(|n| n.as_encoded_bytes().starts_with(b".") || n == "__MACOSX") {
            continue;
        }
        match std::fs::metadata(&path) {
            Ok(m) if m.is_dir() => walk(&path, out, errors, seen, output),
            Ok(m) if m.is_file() => out.extend(corpus_file(&path)),
            // A named pipe, socket or device in a folder is no file of the corpus: reading a
            // pipe nobody writes to hung the run. Named on the command line it is read
            // (`extract <(zcat corpus.txt.gz)`).
            Ok(_) => {
                if corpus_file(&path).is_some() {
                    errors.push(Error::Input { path, line: None, reason: "not a regular file (a named pipe, socket or device)".into() });
                }
            }
            // (A dangling link to what would be no corpus file, `notes.pdf`, is left out unsaid.)
            Err(e) if std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink()) => {
                if corpus_file(&path).is_some() {
                    let reason = format!("a symbolic link whose target cannot be read: {e}");
                    errors.push(Error::Input { path, line: None, reason });
                }
            }
            Err(e) => errors.push(Error::io(&path, e)),
        }
    }
    if let Some(marker) = marker.filter(|_| seen.len() == 1 && out.len() == found && errors.len() == errors_before) {
        let reason = format!("diplograph's outputs (its {marker} says so); not read as input");
        errors.push(Error::Input { path: dir.to_path_buf(), line: None, reason });
    }
    seen.pop();
}

/// Is the folder of these entries one diplograph wrote? The name of the file that says so:
/// `run.json` stamped by diplograph (an `extract` or `merge` run's outputs) or `partial.json`
/// of the partial format.
fn written_by_diplograph(entries: &[PathBuf]) -> Option<&'static str> {
    entries.iter().find_map(|path| {
        let (marker, stamp): (&'static str, &[u8]) = match path.file_name()?.to_str()? {
            "run.json" => ("run.json", b"\"diplograph\":\""),
            crate::partial::PARTIAL_JSON => (crate::partial::PARTIAL_JSON, b"\"format\":\"diplograph-partial\""),
            _ => return None,
        };
        // The stamp is near the start of either (run.json is half a kilobyte).
        let mut head = Vec::new();
        File::open(path).ok()?.take(4096).read_to_end(&mut head).ok()?;
        (head.starts_with(b"{") && memchr::memmem::find(&head, stamp).is_some()).then_some(marker)
    })
}

/// Decodes file bytes: UTF-8 (with or without a BOM), UTF-16 with a BOM, else the encoding
/// chardetng guesses (GB18030 for GBK corpora). Returns the text, the encoding's name, the
/// offset map for non-UTF-8 input and the BOM length.
pub fn decode(bytes: &[u8]) -> Result<Decoded, String> {
    if bytes.is_empty() {
        return Err("empty file".into());
    }
    if let Some((enc, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        if enc == encoding_rs::UTF_8 {
            if let Ok(s) = simdutf8::basic::from_utf8(&bytes[bom..]) {
                return Ok((s.to_string(), "UTF-8", None, bom));
            }
            return match std::str::from_utf8(&bytes[bom..]) {
                Ok(s) => Ok((s.to_string(), "UTF-8", None, bom)),
                Err(e) => Err(format!("invalid UTF-8 after the byte-order mark at byte {}", e.valid_up_to() + bom)),
            };
        }
        return decode_with(enc, &bytes[bom..], bom);
    }
    // Text holds no zero byte, but for UTF-16 (a document's ASCII characters); one pass of
    // memchr over the file, when it finds none, is all that costs a text file.
    if memchr::memchr(0, bytes).is_some() {
        if let Some(enc) = utf16_unmarked(bytes) {
            return decode_with(enc, bytes, 0);
        }
        if let Some(reason) = binary(bytes) {
            return Err(reason);
        }
    }
    // Most files are UTF-8 and most of their bytes are not ASCII, where the standard
    // library's check goes byte by byte (1.3 % of a run); simdutf8's SIMD check gives the
    // same answer.
    if let Ok(s) = simdutf8::basic::from_utf8(bytes) {
        return Ok((s.to_string(), "UTF-8", None, 0));
    }
    decode_with(guess(bytes), bytes, 0)
}

/// UTF-16 without a byte-order mark (SQL Server's `bcp -w`, .NET's `Encoding.Unicode`
/// without its preamble), told by its zero bytes: the high byte of every ASCII character,
/// all on one side of the code units. English in it is valid UTF-8, a zero byte after every
/// letter, and was read so, a document with no mention in it; Chinese was refused. The first
/// 64 KB decide, and they must read as text (no control characters but layout, no unpaired
/// surrogate), which binary data with zero bytes does not.
fn utf16_unmarked(bytes: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    let sample = &bytes[..bytes.len().min(1 << 16) & !1];
    let units = sample.len() / 2;
    let (mut low, mut high) = (0, 0);
    for unit in sample.chunks_exact(2) {
        low += usize::from(unit[0] == 0);
        high += usize::from(unit[1] == 0);
    }
    // Chinese has some zero low bytes too (一 is U+4E00); an ASCII character's high byte is
    // zero every time.
    let enc = if high * 100 >= units && low * 3 <= high {
        encoding_rs::UTF_16LE
    } else if low * 100 >= units && high * 3 <= low {
        encoding_rs::UTF_16BE
    } else {
        return None;
    };
    let (text, bad) = enc.decode_without_bom_handling(sample);
    // A cut sample may end inside a surrogate pair: one U+FFFD at its end is no evidence.
    let bad = bad && text.trim_end_matches('\u{FFFD}').contains('\u{FFFD}');
    let controls = text.chars().filter(|&c| c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\u{c}')).count();
    (!bad && controls * 1000 <= units).then_some(enc)
}

/// Why bytes that are not UTF-16 are no text, if they hold zero bytes, more than one per 100
/// bytes: a few are left as they are (a NUL some tool wrote into a transcript), more are
/// data (an SQLite file is valid UTF-8, and was read as a document with no mention in it).
fn binary(bytes: &[u8]) -> Option<String> {
    let mut at = memchr::memchr_iter(0, bytes);
    let first = at.next()?;
    let zeros = 1 + at.count();
    (zeros * 100 > bytes.len())
        .then(|| not_text(bytes).unwrap_or_else(|| format!("binary data, not text: {zeros} zero bytes, the first at byte {first}")))
}

/// What some bytes that are not text are, by their magic number (`a .pdf file
/// (application/pdf), not text`), if infer knows them. Asked only of bytes that do not decode
/// (or are full of zero bytes): a text that starts `BM` is no bitmap.
fn not_text(bytes: &[u8]) -> Option<String> {
    let kind = infer::get(bytes).filter(|k| k.matcher_type() != infer::MatcherType::Text)?;
    Some(format!("a .{} file ({}), not text", kind.extension(), kind.mime_type()))
}

/// The encoding chardetng takes `bytes` for (GBK read as GB18030, its superset).
fn guess(bytes: &[u8]) -> &'static encoding_rs::Encoding {
    let mut det = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    // The detector reads 8 MB/s, and it decides on the bytes beyond ASCII: it is fed until it
    // has seen 64 KB of them (every file of corpus/zh whole; the corpus as one GBK file, 9 MB,
    // took it 1.1 s).
    let mut beyond_ascii = 0;
    for chunk in bytes.chunks(1 << 14) {
        if beyond_ascii >= 1 << 16 {
            break;
        }
        det.feed(chunk, false);
        beyond_ascii += chunk.iter().filter(|b| !b.is_ascii()).count();
    }
    det.feed(&[], true);
    // The `.cn` hint keeps a short GBK text from being taken for EUC-JP (unhinted, 192 of the
    // 2,344 corpus/zh texts as GBK cut to 12 bytes were); it also made Big5 (Taiwan, Hong
    // Kong) read as GBK, every character wrong, which chardetng unhinted tells apart on text
    // of some length (every corpus/zh text as GBK, cut to 48 bytes or more, stays GBK).
    let unhinted = det.guess(None, chardetng::Utf8Detection::Allow);
    let enc = if unhinted == encoding_rs::BIG5 && bytes.len() >= 48 {
        unhinted
    } else {
        det.guess(Some(b"cn"), chardetng::Utf8Detection::Allow)
    };
    if enc == encoding_rs::GBK {
        encoding_rs::GB18030
    } else {
        enc
    }
}

fn decode_with(
    enc: &'static encoding_rs::Encoding,
    bytes: &[u8],
    base: usize,
) -> Result<Decoded, String> {
    let (text, had_errors) = enc.decode_without_bom_handling(bytes);
    if had_errors {
        return Err(format!("cannot be decoded (not UTF-8, and not valid {} either)", enc.name()));
    }
    let text = text.into_owned();
    if enc == encoding_rs::GB18030 {
        if let Some(map) = gb18030_offsets(&text, bytes, base) {
            return Ok((text, enc.name(), Some(map), base));
        }
    }
    // Offsets: re-encode char by char to learn how many file bytes each char took.
    let mut map = Vec::with_capacity(text.len() + 1);
    let mut pos = base;
    let utf16 = enc == encoding_rs::UTF_16LE || enc == encoding_rs::UTF_16BE;
    let mut buf = [0u8; 4];
    let mut i = 0;
    while let Some(ch) = text[i..].chars().next() {
        // The file bytes of the characters from `i`, and how many bytes of text they are.
        let (width, chars) = if utf16 {
            (ch.len_utf16() * 2, ch.len_utf8())
        } else {
            let (encoded, _, _) = enc.encode(ch.encode_utf8(&mut buf));
            let at = pos - base;
            if bytes.get(at..at + encoded.len()) == Some(&encoded[..]) {
                (encoded.len(), ch.len_utf8())
            } else {
                // Bytes that do not come back from encoding what they decode to: GB18030 reads
                // a lone 0x80 (Windows code page 936's euro sign) as €, which it writes as A2
                // E3, and every offset after it was one byte late; Big5 reads 88 62 as two
                // characters, Ê and a combining macron (found by the read fuzz target: offsets
                // ran past the file's end). The bytes that decode to what the text holds here
                // are found instead, and all their characters point at them.
                (1..=4)
                    .find_map(|w| {
                        let s = enc.decode_without_bom_handling_and_without_replacement(bytes.get(at..at + w)?)?;
                        (!s.is_empty() && text[i..].starts_with(&*s)).then_some((w, s.len()))
                    })
                    .unwrap_or((encoded.len(), ch.len_utf8()))
            }
        };
        map.extend(std::iter::repeat_n(pos as u32, chars));
        pos += width;
        i += chars;
    }
    map.push(pos as u32);
    Ok((text, enc.name(), Some(map), base))
}

/// The offset map of GB18030 `bytes` that decoded without error to `text`, from the bytes'
/// own structure: a byte below 0x81 is a character (0x80 the euro sign), a lead byte followed
/// by a digit begins four, any other lead byte two, and every such sequence is one character
/// (the WHATWG decoder has no sequence of two). Re-encoding each character to learn its width
/// was 14 % of a run over corpus/zh in GBK. `None` if the widths do not add up to the bytes.
fn gb18030_offsets(text: &str, bytes: &[u8], base: usize) -> Option<Vec<u32>> {
    let mut map = Vec::with_capacity(text.len() + 1);
    let mut pos = 0;
    for ch in text.chars() {
        let width = match bytes.get(pos)? {
            0..=0x80 => 1,
            _ if bytes.get(pos + 1).is_some_and(u8::is_ascii_digit) => 4,
            _ => 2,
        };
        map.extend(std::iter::repeat_n((base + pos) as u32, ch.len_utf8()));
        pos += width;
    }
    (pos == bytes.len()).then(|| {
        map.push((base + pos) as u32);
        map
    })
}

/// What [`decode`] gives: the text, the encoding's name, the offset map, the BOM length.
pub type Decoded = (String, &'static str, Option<Vec<u32>>, usize);

/// Can a text with `bad` invalid sequences among `good` characters, from `len` bytes, be
/// mended? At most 16 of them, or one per 10,000 bytes of a larger file, and one per 50
/// characters read: a stray byte or a few, not binary data (whose short runs of valid bytes
/// are thousands of invalid sequences apart).
fn repairable(bad: usize, good: usize, len: usize) -> bool {
    bad <= 16.max(len / 10_000) && bad * 50 <= good
}

/// How far some bytes are from valid UTF-8.
struct Utf8Damage {
    /// Invalid sequences, and the file offset of the first.
    bad: usize,
    first: usize,
    /// Valid characters, and those of them beyond ASCII (U+FFFD not counted).
    good: usize,
    wide: usize,
}

impl Utf8Damage {
    /// Measures `bytes`, which start at file offset `base`.
    fn of(bytes: &[u8], base: usize) -> Utf8Damage {
        let mut d = Utf8Damage { bad: 0, first: base + bytes.len(), good: 0, wide: 0 };
        let mut pos = base;
        for chunk in bytes.utf8_chunks() {
            d.good += chunk.valid().chars().count();
            d.wide += chunk.valid().chars().filter(|&c| !c.is_ascii() && c != '\u{FFFD}').count();
            pos += chunk.valid().len();
            if !chunk.invalid().is_empty() {
                if d.bad == 0 {
                    d.first = pos;
                }
                d.bad += 1;
                pos += chunk.invalid().len();
            }
        }
        d
    }

    /// Is this damaged UTF-8 (of a file of `len` bytes) to mend? Its valid part must hold
    /// characters beyond ASCII, twice as many as the invalid sequences: an English text in
    /// windows-1252 is valid UTF-8 but for its accents.
    fn mendable(&self, len: usize) -> bool {
        self.bad > 0 && self.wide >= 2 * self.bad && repairable(self.bad, self.good, len)
    }
}

/// [`decode`], mending a damaged file rather than refusing it: a UTF-8 or GB18030 file whose
/// last character was cut off (by a copy or a download stopped short) is read without it; a
/// UTF-8 or GB18030 file with a few invalid sequences (a stray byte) has each replaced with
/// U+FFFD, offsets still into the file's bytes. Returns what was mended, if anything, for the
/// message (`3 invalid UTF-8 sequence(s) replaced with U+FFFD (the first at byte 512)`); `Err`
/// for a file that cannot be read, with where it is damaged.
pub fn decode_repairing(bytes: &[u8]) -> Result<(Decoded, Option<String>), String> {
    let bom_of = encoding_rs::Encoding::for_bom(bytes);
    let bom = match bom_of {
        Some((enc, n)) if enc == encoding_rs::UTF_8 => n,
        _ => 0,
    };
    // Text that is almost all valid UTF-8 is damaged UTF-8, whatever else it might decode as:
    // a stray byte in a UTF-8 transcript made chardetng take it for GB18030, and one in a
    // hundred such files read cleanly (or cut) as GB18030, every character wrong. (Measured
    // only for a file that is not valid UTF-8: most are.)
    let mut damage = None;
    let mut utf8_damage = || damage.get_or_insert_with(|| Utf8Damage::of(&bytes[bom..], bom)).mendable(bytes.len());
    let refused = match decode(bytes) {
        Ok(decoded) if decoded.1 == "UTF-8" || decoded.1.starts_with("UTF-16") || !utf8_damage() => return Ok((decoded, None)),
        Ok(_) => String::from("invalid UTF-8"),
        Err(reason) => reason,
    };
    if bytes.is_empty() {
        return Err(refused);
    }
    // UTF-16 by its BOM, or by its zero bytes; else bytes full of zero bytes are no text.
    let utf16 = bom_of.filter(|&(enc, _)| enc != encoding_rs::UTF_8).or_else(|| utf16_unmarked(bytes).map(|enc| (enc, 0)));
    if utf16.is_none() && binary(bytes).is_some() {
        return Err(refused);
    }
    let cut_note = |cut: usize, enc: &str| format!("its last {cut} byte(s) are an incomplete {enc} character, left out");
    let mended = |(text, map, bad, first): (String, Vec<u32>, usize, usize), enc: &'static encoding_rs::Encoding, base: usize| {
        let note = format!("{bad} invalid {} sequence(s) replaced with U+FFFD (the first at byte {first})", enc.name());
        ((text, enc.name(), Some(map), base), Some(note))
    };
    // UTF-16, as its BOM says: whole but for a last character cut off (an odd byte, or half
    // of a surrogate pair) is read without it, and a few unpaired surrogates become U+FFFD.
    // (It was refused with what it is not in UTF-8 and GB18030.)
    if let Some((enc, n)) = utf16 {
        let body = bytes.len() - n;
        for cut in (1..=3).filter(|&cut| cut < body && (body - cut).is_multiple_of(2)) {
            if let Ok(decoded) = decode(&bytes[..bytes.len() - cut]) {
                return Ok((decoded, Some(cut_note(cut, enc.name()))));
            }
        }
        let replaced = utf16_replacing(&bytes[n..bytes.len() - body % 2], enc == encoding_rs::UTF_16BE, n);
        if replaced.2 > 0 && repairable(replaced.2, replaced.0.chars().count() - replaced.2, bytes.len()) {
            let (decoded, note) = mended(replaced, enc, n);
            let cut = if body % 2 == 1 { format!("; {}", cut_note(1, enc.name())) } else { String::new() };
            return Ok((decoded, note.map(|note| note + &cut)));
        }
        return Err(format!("invalid {}: {} unpaired surrogate(s), the first at byte {}", enc.name(), replaced.2, replaced.3));
    }
    // UTF-8: whole but for the start of a last character; else with a few invalid sequences.
    if let Err(e) = std::str::from_utf8(&bytes[bom..]) {
        let cut = bytes.len() - bom - e.valid_up_to();
        if e.error_len().is_none() && e.valid_up_to() > 0 {
            if let Ok(decoded) = decode(&bytes[..bytes.len() - cut]) {
                return Ok((decoded, Some(cut_note(cut, "UTF-8"))));
            }
        }
    }
    if utf8_damage() {
        return Ok(mended(utf8_replacing(&bytes[bom..], bom), encoding_rs::UTF_8, bom));
    }
    let utf8 = damage.expect("measured just above");
    // GB18030, if that is what the file was taken for: the same two mendings.
    let guess = guess(bytes);
    let there = if guess == encoding_rs::GB18030 {
        for cut in 1..=3.min(bytes.len() - 1) {
            if (0x81..=0xFE).contains(&bytes[bytes.len() - cut]) {
                if let Ok(decoded) = decode_with(guess, &bytes[..bytes.len() - cut], 0) {
                    return Ok((decoded, Some(cut_note(cut, guess.name()))));
                }
            }
        }
        let gb = gb18030_replacing(bytes);
        if repairable(gb.2, gb.0.chars().count() - gb.2, bytes.len()) {
            return Ok(mended(gb, guess, 0));
        }
        format!("{} invalid gb18030 sequence(s), the first at byte {}; ", gb.2, gb.3)
    } else {
        String::new()
    };
    Err(not_text(bytes).unwrap_or_else(|| format!("{refused}: {there}{} invalid UTF-8 sequence(s), the first at byte {}", utf8.bad, utf8.first)))
}

/// GB18030 `bytes` with each malformed sequence replaced by U+FFFD, read a sequence at a time
/// so that every character keeps the offset of its own bytes: 1 byte below 0x81 (0x80 is the
/// euro sign of code page 936), 4 when a lead byte is followed by a digit, else 2; a sequence
/// that does not decode is one byte of damage and reading goes on at the next byte. Returns
/// the text, the file offset of each of its bytes plus one for the end, the number of
/// malformed sequences and the offset of the first.
fn gb18030_replacing(bytes: &[u8]) -> (String, Vec<u32>, usize, usize) {
    let mut text = String::with_capacity(bytes.len() * 3 / 2);
    let mut map = Vec::with_capacity(bytes.len() * 3 / 2 + 1);
    let (mut i, mut bad, mut first) = (0, 0, None);
    while i < bytes.len() {
        let len = match (bytes[i], bytes.get(i + 1)) {
            (0x00..=0x80, _) => 1,
            (0x81..=0xFE, Some(0x30..=0x39)) => 4,
            (0x81..=0xFE, Some(0x40..=0x7E | 0x80..=0xFE)) => 2,
            _ => 0,
        };
        let decoded = bytes.get(i..i + len).filter(|_| len > 0).and_then(|seq| encoding_rs::GB18030.decode_without_bom_handling_and_without_replacement(seq));
        match decoded {
            Some(s) => {
                for c in s.chars() {
                    text.push(c);
                    map.extend(std::iter::repeat_n(i as u32, c.len_utf8()));
                }
                i += len;
            }
            None => {
                bad += 1;
                first.get_or_insert(i);
                text.push('\u{FFFD}');
                map.extend([i as u32; 3]);
                i += 1;
            }
        }
    }
    map.push(bytes.len() as u32);
    (text, map, bad, first.unwrap_or(bytes.len()))
}

/// `bytes` as UTF-8 with each invalid sequence replaced by U+FFFD, the file offset (from
/// `base`) of each byte of the text plus one for the end, the number of invalid sequences and
/// the file offset of the first.
fn utf8_replacing(bytes: &[u8], base: usize) -> (String, Vec<u32>, usize, usize) {
    let mut text = String::with_capacity(bytes.len() + 8);
    let mut map = Vec::with_capacity(bytes.len() + 9);
    let (mut pos, mut bad, mut first) = (base, 0, None);
    for chunk in bytes.utf8_chunks() {
        let valid = chunk.valid();
        text.push_str(valid);
        // Each byte of a character maps to the character's first byte, as in decode_with.
        for (i, c) in valid.char_indices() {
            map.extend(std::iter::repeat_n((pos + i) as u32, c.len_utf8()));
        }
        pos += valid.len();
        let invalid = chunk.invalid();
        if !invalid.is_empty() {
            bad += 1;
            first.get_or_insert(pos);
            text.push('\u{FFFD}');
            map.extend([pos as u32; 3]);
            pos += invalid.len();
        }
    }
    map.push(pos as u32);
    (text, map, bad, first.unwrap_or(pos))
}

/// UTF-16 `bytes` (an even number, after a BOM of `base` bytes) with each unpaired surrogate
/// replaced by U+FFFD, as [`utf8_replacing`] returns them.
fn utf16_replacing(bytes: &[u8], big_endian: bool, base: usize) -> (String, Vec<u32>, usize, usize) {
    let units = bytes.chunks_exact(2).map(|u| if big_endian { u16::from_be_bytes([u[0], u[1]]) } else { u16::from_le_bytes([u[0], u[1]]) });
    let mut text = String::with_capacity(bytes.len() * 3 / 2);
    let mut map = Vec::with_capacity(bytes.len() * 3 / 2 + 1);
    let (mut pos, mut bad, mut first) = (base, 0, None);
    for c in char::decode_utf16(units) {
        let c = c.unwrap_or_else(|_| {
            bad += 1;
            first.get_or_insert(pos);
            '\u{FFFD}'
        });
        text.push(c);
        map.extend(std::iter::repeat_n(pos as u32, c.len_utf8()));
        pos += if c != '\u{FFFD}' { c.len_utf16() * 2 } else { 2 };
    }
    map.push(pos as u32);
    (text, map, bad, first.unwrap_or(pos))
}

/// A text file's document id: its name without the extension. A name that is not UTF-8 is
/// read as GB18030 when it is valid there (names from Chinese Windows archives, unpacked as
/// they are, are GBK), else with U+FFFD for its bad bytes: every such name had the empty id,
/// and all but the first file with one were skipped as repeats.
fn id_of(path: &Path) -> String {
    let path = if gzipped(path) { Path::new(path.file_stem().unwrap_or_default()) } else { path };
    let Some(stem) = path.file_stem() else { return String::new() };
    if let Some(s) = stem.to_str() {
        return s.to_string();
    }
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let bytes = stem.as_bytes();
        if let Some(s) = encoding_rs::GB18030.decode_without_bom_handling_and_without_replacement(bytes) {
            return s.into_owned();
        }
    }
    stem.to_string_lossy().into_owned()
}

fn read_text_file(path: &Path, limit: Option<u64>) -> Result<Document, Error> {
    // (A file's size is its text's, or less when it is gzipped: a gzip trailer's size is no
    // guide, as a cut file's last bytes are not its trailer.)
    let size = std::fs::metadata(path).ok().map(|m| m.len());
    if let Some((limit, size)) = limit.zip(size).filter(|&(limit, size)| size > limit) {
        return Err(Error::Input { path: path.to_path_buf(), line: None, reason: too_large(Some(size), limit) });
    }
    let (reader, gz) = open(path).map_err(|e| Error::io(path, e))?;
    text_document(path, id_of(path), reader, gz, limit, size.filter(|_| !gz))
}

/// Why a document of `size` bytes (unknown: more than `limit`) is not read.
fn too_large(size: Option<u64>, limit: u64) -> String {
    let mb = |b: u64| format!("{:.1} MB", b as f64 / 1e6);
    let size = size.map_or_else(String::new, |size| format!("{}, ", mb(size)));
    format!(
        "too large to process: {size}over the {} a document may have (--max-document, by default a sixteenth of the memory free): split it into smaller files",
        mb(limit)
    )
}

/// One text document from `reader`: the bytes of `path` (`-` for standard input), gunzipped if
/// `gz`, decoded as [`decode_repairing`] decodes them; refused unread beyond `limit` bytes.
/// `size`, where known, is how many bytes there are.
fn text_document(path: &Path, id: String, reader: impl Read, gz: bool, limit: Option<u64>, size: Option<u64>) -> Result<Document, Error> {
    // Room for the whole file at once: read through `take`, a file no longer sizes its buffer
    // itself, which then grows by doubling (a 200 MB document copied several times over).
    let mut bytes = Vec::with_capacity(size.unwrap_or(0).try_into().unwrap_or(0));
    let mut reader = reader.take(limit.map_or(u64::MAX, |l| l.saturating_add(1)));
    let read = reader.read_to_end(&mut bytes);
    if let Some(limit) = limit.filter(|&l| bytes.len() as u64 > l) {
        return Err(Error::Input { path: path.to_path_buf(), line: None, reason: too_large(None, limit) });
    }
    let cut = match read {
        Ok(_) => None,
        // Gzip data cut short, as a copy or download stopped early leaves it: its text up to
        // the cut is read and the file named as mended, as a file whose last character was cut
        // off is (and as a cut .jsonl.gz keeps its records before the cut).
        Err(e) if gz && e.kind() == std::io::ErrorKind::UnexpectedEof && !bytes.is_empty() => {
            Some(format!("its gzip data ends early ({e}): the {} bytes of text before the cut are read", bytes.len()))
        }
        Err(e) => return Err(read_error(path, None, gz, e)),
    };
    let ((text, encoding, origin, base), mut repaired) =
        decode_repairing(&bytes).map_err(|reason| Error::Input { path: path.to_path_buf(), line: None, reason })?;
    // (A page a scraper saved blank: a document of nothing, counted among the corpus's.)
    if text.trim().is_empty() {
        return Err(Error::Input { path: path.to_path_buf(), line: None, reason: format!("no text: {} byte(s) of white space", bytes.len()) });
    }
    if let Some(cut) = cut {
        repaired = Some(match repaired {
            Some(note) => format!("{cut}; {note}"),
            None => cut,
        });
    }
    Ok(Document {
        date: date_from_name(&id),
        id,
        path: path.to_path_buf(),
        line: None,
        repaired,
        title: None,
        text,
        encoding,
        origin,
        base,
        bytes: bytes.len(),
    })
}

#[derive(serde::Deserialize)]
struct Record {
    id: serde_json::Value,
    text: String,
    #[serde(default)]
    date: serde_json::Value,
    #[serde(default)]
    title: serde_json::Value,
}

/// A record's field as text: a string as it is, a number as written (`"id": 42`, `"date":
/// 20240307`), null or missing as none; anything else is no value for `field`.
fn scalar(field: &str, v: serde_json::Value) -> Result<Option<String>, String> {
    match v {
        serde_json::Value::String(s) => Ok(Some(s)),
        serde_json::Value::Number(n) => Ok(Some(n.to_string())),
        serde_json::Value::Null => Ok(None),
        other => Err(format!("`{field}` must be a string or a number, not {other}")),
    }
}

fn parse_record(path: &Path, line_no: usize, line: &str) -> Result<Document, Error> {
    let bad = |reason: String| Error::Input { path: path.to_path_buf(), line: Some(line_no), reason };
    // (serde would also take an array, [id, text], and say that its second item is no string.)
    if !line.starts_with('{') {
        return Err(bad("not a JSON object: a record is one, {\"id\": …, \"text\": …}".into()));
    }
    let (rec, repaired): (Record, _) = match serde_json::from_str(line) {
        Ok(rec) => (rec, None),
        // A string cut inside a UTF-16 surrogate pair (JavaScript's substring, a tweet cut at
        // 140 units) is written as a lone `\ud83d`, which serde refuses ("unexpected end of hex
        // escape"): the whole record was lost for one character.
        Err(e) => match mend_surrogate_escapes(line).and_then(|(mended, n)| Some((serde_json::from_str(&mended).ok()?, n))) {
            Some((rec, n)) => (rec, Some(format!("{n} unpaired UTF-16 surrogate escape(s) (\\uD800-\\uDFFF) replaced with U+FFFD"))),
            None => return Err(bad(format!("not a JSON record with `id` and `text`: {e}"))),
        },
    };
    let id = scalar("id", rec.id).map_err(bad)?.ok_or_else(|| bad("`id` must be a string or a number, not null".into()))?;
    if id.is_empty() {
        return Err(bad("empty `id`".into()));
    }
    if rec.text.trim().is_empty() {
        return Err(bad("empty `text`".into()));
    }
    let title = scalar("title", rec.title).map_err(bad)?;
    let date = match scalar("date", rec.date).map_err(bad)? {
        Some(d) if !d.trim().is_empty() => match record_date(&d) {
            Some(date) => Some(date),
            None => return Err(bad(format!("`date` {d:?} is not a date (YYYY-MM-DD, YYYY/M/D, YYYY.M.D, YYYYMMDD or YYYY年M月D日)"))),
        },
        _ => date_from_name(&id),
    };
    Ok(Document {
        bytes: rec.text.len(),
        id,
        path: path.to_path_buf(),
        line: Some(line_no),
        repaired,
        date,
        title,
        text: rec.text,
        encoding: "UTF-8",
        origin: None,
        base: 0,
    })
}

/// `line` with each `\uXXXX` escape of an unpaired UTF-16 surrogate made `\ufffd`, and how
/// many there were; `None` if there was none.
fn mend_surrogate_escapes(line: &str) -> Option<(String, usize)> {
    let hex = |at: usize| line.get(at..at + 4).and_then(|h| u16::from_str_radix(h, 16).ok());
    let escape = |at: usize| line.as_bytes().get(at..at + 2) == Some(b"\\u");
    let (mut out, mut last, mut mended) = (String::with_capacity(line.len()), 0, 0);
    let mut i = 0;
    // (Bytes are searched: a damaged line may put a backslash before a character of several.)
    while let Some(at) = line.as_bytes().get(i..).and_then(|rest| memchr::memchr(b'\\', rest)).map(|at| i + at) {
        // Another escape (`\\`, `\"`, `\n`, …) is two bytes.
        let Some(unit) = escape(at).then(|| hex(at + 2)).flatten() else {
            i = at + 2;
            continue;
        };
        i = at + 6;
        let paired = match unit {
            0xD800..=0xDBFF if escape(i) && hex(i + 2).is_some_and(|low| (0xDC00..=0xDFFF).contains(&low)) => {
                i += 6;
                true
            }
            0xD800..=0xDFFF => false,
            _ => true,
        };
        if !paired {
            out.push_str(&line[last..at]);
            out.push_str("\\ufffd");
            last = i;
            mended += 1;
        }
    }
    (mended > 0).then(|| {
        out.push_str(&line[last..]);
        (out, mended)
    })
}

/// How much of a JSON Lines file [`utf8_lines`] looks at to tell its encoding.
const SNIFF: usize = 64 * 1024;

/// A JSON Lines input as UTF-8 lines. JSON is UTF-8, but exports are not always: PowerShell's
/// `Out-File` writes UTF-16 with a BOM, and Chinese Windows tools GBK, and each of their lines
/// was skipped as "not UTF-8", one message per record. A BOM says UTF-16; a start that is not
/// UTF-8 has its encoding guessed as a text file's is, and the file is transcoded as it is read
/// (encoding_rs_io), so a record's `text` and its offsets are UTF-8 whatever the file was.
fn utf8_lines<R: Read + Send + 'static>(mut reader: BufReader<R>) -> std::io::Result<Box<dyn BufRead + Send>> {
    let start = reader.fill_buf()?;
    let encoding = if start.starts_with(b"\xFF\xFE") || start.starts_with(b"\xFE\xFF") {
        None // the BOM tells encoding_rs_io
    } else {
        // A character cut off at the end of what was read is still UTF-8, and so is a start
        // almost all UTF-8 (a stray byte costs its line, named, not the file).
        let other = match std::str::from_utf8(start) {
            Err(e) if e.error_len().is_some() && !Utf8Damage::of(start, 0).mendable(start.len()) => Some(guess(start)),
            _ => None,
        };
        match other {
            Some(enc) if enc != encoding_rs::UTF_8 => Some(enc),
            _ => return Ok(Box::new(reader)),
        }
    };
    let decoder = encoding_rs_io::DecodeReaderBytesBuilder::new().encoding(encoding).build(reader);
    Ok(Box::new(BufReader::with_capacity(SNIFF, decoder)))
}

/// The documents of a corpus, read lazily in a fixed order.
pub struct Corpus {
    sources: std::vec::IntoIter<Source>,
    pending: std::vec::IntoIter<Error>,
    lines: Option<Lines>,
    /// Bytes a text document may have (see [`Corpus::with_document_limit`]).
    limit: Option<u64>,
}

/// A JSON Lines input, or a JSON array of records, being read a record at a time.
struct Lines {
    path: PathBuf,
    /// Its text as UTF-8.
    reader: Box<dyn BufRead + Send>,
    /// The lines read so far.
    line: usize,
    /// Gzipped (for what a read error means).
    gz: bool,
    /// A JSON array of records, and whether its opening bracket has been read.
    array: bool,
    opened: bool,
    finished: bool,
    /// Records (or errors) given so far.
    given: usize,
    /// Bytes a record's text may have (see [`Corpus::with_document_limit`]).
    limit: Option<u64>,
}

impl Lines {
    fn new(path: PathBuf, reader: Box<dyn BufRead + Send>, gz: bool, array: bool, limit: Option<u64>) -> Lines {
        Lines { path, reader, line: 0, gz, array, opened: false, finished: false, given: 0, limit }
    }

    /// Bytes of JSON a record may take: its text's limit twice over (`\u4e2d` is 6 bytes for
    /// 中's 3), and 64 KB for the rest of it; more is not held in memory.
    fn most(&self) -> u64 {
        self.limit.map_or(u64::MAX, |l| l.saturating_mul(2).saturating_add(1 << 16))
    }

    /// The record in `bytes` (a line, or an array's element) that starts at `line`, refused if
    /// its text is over the limit; `None` for a blank line.
    fn record(&self, bytes: &[u8], line: usize) -> Option<Result<Document, Error>> {
        let bad = |reason: String| Some(Err(Error::Input { path: self.path.clone(), line: Some(line), reason }));
        let Ok(text) = std::str::from_utf8(bytes) else { return bad("not UTF-8".into()) };
        let text = text.trim_start_matches('\u{feff}').trim();
        if text.is_empty() {
            return None;
        }
        match (parse_record(&self.path, line, text), self.limit) {
            (Ok(doc), Some(limit)) if doc.text.len() as u64 > limit => bad(too_large(Some(doc.text.len() as u64), limit)),
            (record, _) => Some(record),
        }
    }

    /// A record of more JSON than [`Lines::most`], at `line`, not read.
    fn oversized(&self, line: usize) -> Error {
        let reason = too_large(None, self.limit.unwrap_or(0));
        Error::Input { path: self.path.clone(), line: Some(line), reason }
    }

    /// The next record, or an error naming its line; None at the end (or after a read error).
    /// A file with no record at all is one error: an empty .jsonl (an export of nothing, a
    /// download that failed) was passed over without a word, where an empty .txt was named.
    fn next_record(&mut self) -> Option<Result<Document, Error>> {
        let next = self.next_item();
        if next.is_some() || self.given > 0 {
            self.given += usize::from(next.is_some());
            return next;
        }
        self.given = 1;
        let reason = match (self.line, self.opened) {
            (0, false) => "empty file".to_string(),
            (_, true) => "no record: an empty JSON array".to_string(),
            (n, false) => format!("no record: {n} blank line(s)"),
        };
        Some(Err(Error::Input { path: self.path.clone(), line: None, reason }))
    }

    fn next_item(&mut self) -> Option<Result<Document, Error>> {
        if self.finished {
            return None;
        }
        if self.array {
            return self.next_in_array();
        }
        let most = self.most();
        loop {
            let mut buf = Vec::new();
            match (&mut self.reader).take(most).read_until(b'\n', &mut buf) {
                Err(e) => {
                    // (A cut-off .jsonl.gz: the records before the cut are read.)
                    self.finished = true;
                    return Some(Err(read_error(&self.path, Some(self.line + 1), self.gz, e)));
                }
                Ok(0) => {
                    self.finished = true;
                    return None;
                }
                Ok(_) => {
                    self.line += 1;
                    if buf.len() as u64 >= most && buf.last() != Some(&b'\n') {
                        // The rest of the line is passed over, not held.
                        if let Err(e) = self.reader.skip_until(b'\n') {
                            self.finished = true;
                            return Some(Err(read_error(&self.path, Some(self.line), self.gz, e)));
                        }
                        return Some(Err(self.oversized(self.line)));
                    }
                    if let Some(record) = self.record(&buf, self.line) {
                        return Some(record);
                    }
                }
            }
        }
    }

    /// The next record of a JSON array, found by its brackets and quotes and parsed as a line
    /// of JSON Lines is, so that an array of any length is read a record at a time (read
    /// whole, a 2 GB export took its size twice over before its first record was tagged).
    fn next_in_array(&mut self) -> Option<Result<Document, Error>> {
        let most = self.most();
        let mut element: Vec<u8> = Vec::new();
        // Bytes of the element past `most`, scanned but not kept.
        let mut passed = 0u64;
        let (mut depth, mut in_string, mut escaped, mut start) = (0usize, false, false, 0);
        loop {
            let buf = match self.reader.fill_buf() {
                Ok(buf) => buf,
                Err(e) => {
                    self.finished = true;
                    return Some(Err(read_error(&self.path, Some(self.line + 1), self.gz, e)));
                }
            };
            if buf.is_empty() {
                self.finished = true;
                if element.is_empty() {
                    return None;
                }
                let reason = "not a JSON array of records: it ends inside a record (cut short?)".to_string();
                return Some(Err(Error::Input { path: self.path.clone(), line: Some(start), reason }));
            }
            let (mut used, mut complete, mut end) = (0, false, false);
            for &b in buf {
                if element.is_empty() {
                    // Between records: the opening bracket (after a BOM), blanks, commas; the
                    // closing bracket ends the array.
                    let between = match b {
                        b'\n' => {
                            self.line += 1;
                            true
                        }
                        b' ' | b'\t' | b'\r' | b',' | 0xEF | 0xBB | 0xBF => true,
                        b'[' if !self.opened => {
                            self.opened = true;
                            true
                        }
                        b']' => {
                            end = true;
                            true
                        }
                        _ => {
                            start = self.line + 1;
                            false
                        }
                    };
                    if between {
                        used += 1;
                        if end {
                            break;
                        }
                        continue;
                    }
                }
                if in_string {
                    if escaped {
                        escaped = false;
                    } else if b == b'\\' {
                        escaped = true;
                    } else if b == b'"' {
                        in_string = false;
                    }
                } else if depth == 0 && !element.is_empty() && matches!(b, b',' | b']' | b' ' | b'\t' | b'\r' | b'\n') {
                    // A scalar ends (the byte is left for the next record's look).
                    complete = true;
                    break;
                } else {
                    match b {
                        b'"' => in_string = true,
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => depth = depth.saturating_sub(1),
                        _ => {}
                    }
                }
                if b == b'\n' {
                    self.line += 1;
                }
                if (element.len() as u64) < most {
                    element.push(b);
                } else {
                    passed += 1;
                }
                used += 1;
                if depth == 0 && !in_string && matches!(b, b'}' | b']' | b'"') {
                    complete = true;
                    break;
                }
            }
            self.reader.consume(used);
            if end {
                self.finished = true;
                return None;
            }
            if complete {
                if passed > 0 {
                    return Some(Err(self.oversized(start)));
                }
                // (An element is never blank: it starts at a byte that is not.)
                return self.record(&element, start);
            }
        }
    }
}

/// Opens the user's inputs; nothing is read until the iterator is driven.
pub fn corpus(inputs: &[PathBuf]) -> Corpus {
    corpus_beside(inputs, None)
}

/// [`corpus`], leaving out the folder `output` where it lies inside a folder of the inputs.
pub fn corpus_beside(inputs: &[PathBuf], output: Option<&Path>) -> Corpus {
    let (sources, errors) = sources(inputs, output);
    Corpus { sources: sources.into_iter(), pending: errors.into_iter(), lines: None, limit: None }
}

impl Corpus {
    /// Skips each document (a text file, standard input, a record) of more than `bytes` bytes
    /// with a message, unread (a record's JSON is passed over beyond twice that): one that a
    /// run could not hold in memory was swapped to death or killed, and every other document
    /// with it.
    pub fn with_document_limit(mut self, bytes: Option<u64>) -> Corpus {
        self.limit = bytes;
        self
    }

    /// Bytes of the files still to read, for progress and ETA (standard input is not counted).
    pub fn total_bytes(&self) -> u64 {
        self.sources
            .as_slice()
            .iter()
            .filter_map(|s| match s {
                Source::Text(p) | Source::Jsonl(p) => text_size(p),
                Source::Stdin => None,
            })
            .sum()
    }
}

impl Iterator for Corpus {
    type Item = Result<Document, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(e) = self.pending.next() {
            return Some(Err(e));
        }
        loop {
            if let Some(lines) = &mut self.lines {
                match lines.next_record() {
                    Some(record) => return Some(record),
                    None => self.lines = None,
                }
            }
            match self.sources.next()? {
                Source::Text(p) => return Some(read_text_file(&p, self.limit)),
                Source::Jsonl(p) => {
                    let (file, gz) = match open(&p) {
                        Ok(opened) => opened,
                        Err(e) => return Some(Err(Error::io(&p, e))),
                    };
                    let started = utf8_lines(BufReader::with_capacity(SNIFF, file)).and_then(|reader| self.start_records(p.clone(), reader, gz));
                    if let Err(e) = started {
                        return Some(Err(read_error(&p, None, gz, e)));
                    }
                }
                Source::Stdin => {
                    if let Some(document) = self.stdin() {
                        return Some(document);
                    }
                }
            }
        }
    }
}

impl Corpus {
    /// Starts reading a JSON Lines input's records. A JSON array of records (what scrapy's
    /// `-o items.json` and most export buttons write) is read too, a record at a time: it gave
    /// one message per line, or, named `.json`, was read as one text document of JSON.
    fn start_records(&mut self, path: PathBuf, mut reader: Box<dyn BufRead + Send>, gz: bool) -> std::io::Result<()> {
        let start = reader.fill_buf()?;
        let array = start.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(start).iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[');
        self.lines = Some(Lines::new(path, reader, gz, array, self.limit));
        Ok(())
    }

    /// Standard input: JSON Lines, whose records are then read, when its first character that
    /// is not blank is `{` (after a BOM, which Windows tools write), a JSON array of records
    /// when it starts `[{`, else one text document, returned; gzipped data (`curl … |
    /// diplograph extract -`) is unzipped as it is read.
    fn stdin(&mut self) -> Option<Result<Document, Error>> {
        let (reader, gz) = match gunzipped(std::io::stdin()) {
            Ok(opened) => opened,
            Err(e) => return Some(Err(Error::io("-", e))),
        };
        let mut reader = BufReader::new(reader);
        let failed = |e| Some(Err(read_error(Path::new("-"), None, gz, e)));
        let records = loop {
            match reader.fill_buf() {
                Ok([]) => return Some(Err(Error::Input { path: "-".into(), line: None, reason: "empty input".into() })),
                Ok(buf) => {
                    let bom = encoding_rs::Encoding::for_bom(buf);
                    let text = match bom {
                        Some((enc, n)) => enc.decode_without_bom_handling(&buf[n..]).0,
                        None => String::from_utf8_lossy(buf),
                    };
                    let text = text.trim_start();
                    match text.chars().next() {
                        // Records: JSON Lines, or an array of them (`[{`: no transcript starts so).
                        Some('{') => break Some(false),
                        Some('[') if text[1..].trim_start().starts_with('{') => break Some(true),
                        Some(_) => break None,
                        None if bom.is_some() => break None,
                        None => {
                            let blank = buf.len();
                            reader.consume(blank);
                        }
                    }
                }
                Err(e) => return failed(e),
            }
        };
        if let Some(array) = records {
            return match utf8_lines(reader) {
                Ok(reader) => {
                    self.lines = Some(Lines::new(PathBuf::from("-"), reader, gz, array, self.limit));
                    None
                }
                Err(e) => failed(e),
            };
        }
        Some(text_document(Path::new("-"), "stdin".into(), reader, gz, self.limit, None))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lone_surrogate_escapes_are_mended_and_nothing_else() {
        let cases = [
            (r#"{"t":"a\ud800b"}"#, Some((r#"{"t":"a\ufffdb"}"#, 1))),
            // A pair stays; a low half alone, and a high half at the end, do not.
            (r#"{"t":"\ud83d\ude00\ude00x\uD83D"}"#, Some((r#"{"t":"\ud83d\ude00\ufffdx\ufffd"}"#, 2))),
            // An escaped backslash before `ud800` is no escape; a backslash before a
            // character of several bytes (a damaged line) is passed over.
            (r#"{"t":"\\ud800 \中 \u4e2d"}"#, None),
            (r#"{"t":"end\"#, None),
        ];
        for (line, want) in cases {
            let got = mend_surrogate_escapes(line);
            assert_eq!(got.as_ref().map(|(s, n)| (s.as_str(), *n)), want, "{line}");
        }
    }

    #[test]
    fn dates_in_the_forms_corpora_write_in_records_and_names() {
        for (d, want) in [
            ("2024-03-07", Some("2024-03-07")),
            ("2024-03-07T10:00:00Z", Some("2024-03-07")),
            ("2024/3/7", Some("2024-03-07")),
            ("2024.03.07 10:00", Some("2024-03-07")),
            ("20240307", Some("2024-03-07")),
            ("2024年3月7日", Some("2024-03-07")),
            ("2024年03月07日 星期四", Some("2024-03-07")),
            (" 2024-3-7 ", Some("2024-03-07")),
            ("2024-13-07", None),
            ("2024-03-32", None),
            ("2024-02-29", Some("2024-02-29")),
            ("2023-02-29", None),
            ("2024-02-30", None),
            ("2000-02-29", Some("2000-02-29")),
            ("1900-02-29", None),
            ("2024年4月31日", None),
            ("20241131_wang-yi", None),
            ("2024-03", None),
            ("2024/03-07", None),
            ("2024年3月7", None),
            ("202403071", None),
            ("March 7, 2024", None),
            // File names and ids, dated as records are.
            ("2024-03-07_wang-yi-press-conference", Some("2024-03-07")),
            ("20240307_wang-yi", Some("2024-03-07")),
            ("2024年3月7日王毅答记者问", Some("2024-03-07")),
            ("2024.3.7-presser", Some("2024-03-07")),
            ("wang-yi", None),
            ("2024_wang-yi", None),
            ("1999年度报告", None),
        ] {
            assert_eq!(record_date(d).as_deref(), want, "{d:?}");
            assert_eq!(date_from_name(d).as_deref(), want, "{d:?}");
        }
    }

    #[test]
    fn bytes_that_do_not_encode_back_keep_offsets() {
        // 0x80 is € in GBK as Windows writes it, while encoding € gives A2 E3, two bytes; Big5
        // 88 62 reads as Ê and a combining macron, two characters from two bytes.
        let gb = |s: &str| encoding_rs::GB18030.encode(s).0.into_owned();
        let big5 = |s: &str| encoding_rs::BIG5.encode(s).0.into_owned();
        let cases: [(&'static encoding_rs::Encoding, Vec<u8>, &str, Vec<(&str, usize)>); 2] = [
            (encoding_rs::GB18030, [&b"\x80"[..], &gb("价格100中国")].concat(), "€价格100中国", vec![("价", 1), ("中", 8), ("国", 10)]),
            (encoding_rs::BIG5, [big5("中國"), b"\x88\x62".to_vec(), big5("美國")].concat(), "中國\u{CA}\u{304}美國", vec![("\u{CA}", 4), ("\u{304}", 4), ("美", 6)]),
        ];
        for (enc, bytes, want, offsets) in cases {
            let (text, name, origin, _) = decode_with(enc, &bytes, 0).unwrap();
            assert_eq!((text.as_str(), name), (want, enc.name()));
            let origin = origin.unwrap();
            for (s, at) in offsets {
                assert_eq!(origin[text.find(s).unwrap()] as usize, at, "{s} in {want}");
            }
            assert_eq!(*origin.last().unwrap() as usize, bytes.len());
        }
    }

    #[test]
    fn gb18030_offsets_point_into_file_bytes() {
        let (bytes, _, _) = encoding_rs::GB18030.encode("据新华社报道，中国外交部发言人表示，中美关系很重要。");
        let (text, enc, origin, _) = decode(&bytes).unwrap();
        assert_eq!(enc, "gb18030");
        let map = origin.unwrap();
        let at = text.find("中国").unwrap();
        // Each CJK char is 2 bytes in GB18030: 据新华社报道， is 7 chars before 中国.
        assert_eq!(map[at], 14);
        assert_eq!(map[text.len()], bytes.len() as u32);
        // Read from the bytes' structure, every character's offset is where re-encoding the
        // text before it ends: ASCII, the euro sign, two-byte and four-byte sequences (ü in
        // Pinyin, 𠀀 and 😀 beyond GBK, ㄅ).
        let text = "Xi 习近平, 2024年: €5; Lü 吕; 𠀀 and 😀; ㄅ\r\n";
        let (bytes, _, bad) = encoding_rs::GB18030.encode(text);
        assert!(!bad);
        let map = gb18030_offsets(text, &bytes, 3).unwrap();
        let mut at = 0;
        for (i, ch) in text.char_indices() {
            assert_eq!(map[i], 3 + at as u32, "{ch}");
            at += encoding_rs::GB18030.encode(ch.encode_utf8(&mut [0; 4])).0.len();
        }
        assert_eq!((map.len(), map[text.len()]), (text.len() + 1, 3 + bytes.len() as u32));
    }

    #[test]
    fn utf8_bom_shifts_offsets() {
        let mut bytes = vec![0xef, 0xbb, 0xbf];
        bytes.extend_from_slice("中国".as_bytes());
        let (text, _, origin, base) = decode(&bytes).unwrap();
        assert_eq!((text.as_str(), origin, base), ("中国", None, 3));
    }

    #[test]
    fn a_json_array_is_read_a_record_at_a_time() {
        let records = |json: &str| -> Vec<Result<(String, usize), String>> {
            let mut lines = Lines::new(PathBuf::from("a.json"), Box::new(std::io::Cursor::new(json.as_bytes().to_vec())), false, true, None);
            std::iter::from_fn(|| lines.next_record())
                .map(|r| r.map(|d| (d.id, d.line.unwrap())).map_err(|e| e.to_string()))
                .collect()
        };
        let ok = |id: &str, line: usize| Ok((id.to_string(), line));
        // An empty array, or an empty file, is one error: no record.
        assert_eq!(records("[]"), [Err("a.json: no record: an empty JSON array".to_string())]);
        assert_eq!(records("\u{feff}[ ]\n"), [Err("a.json: no record: an empty JSON array".to_string())]);
        assert_eq!(records(""), [Err("a.json: empty file".to_string())]);
        // Brackets, braces and escaped quotes inside strings; records over several lines.
        let json = "[\r\n  {\"id\": \"a\", \"text\": \"中方 [1] {x} \\\"引号\\\" \\\\\"},\r\n  {\n    \"id\": \"b\",\n    \"text\": \"}]\"\n  }\n]";
        assert_eq!(records(json), [ok("a", 2), ok("b", 3)]);
        // What is not a record is named by its line, and the array goes on.
        let got = records("[{\"id\": \"a\", \"text\": \"x\"},\n \"b\", 7, [\"c\"],\n{\"id\": \"d\", \"text\": \"y\"}]");
        assert_eq!(got[0], ok("a", 1));
        assert!(got[1..4].iter().all(|r| r.as_ref().is_err_and(|e| e.contains("not a JSON object"))), "{got:?}");
        assert_eq!(got[4], ok("d", 3));
        // Cut short inside a record: the ones before it, then one message.
        let got = records("[{\"id\": \"a\", \"text\": \"x\"},\n{\"id\": \"b\", \"te");
        assert_eq!(got.len(), 2);
        assert!(got[1].as_ref().is_err_and(|e| e.starts_with("a.json:2: not a JSON array of records: it ends inside a record")), "{got:?}");
    }

    #[test]
    fn broken_jsonl_line_is_named() {
        let err = parse_record(Path::new("c.jsonl"), 7, "{\"id\": 1").unwrap_err().to_string();
        assert!(err.starts_with("c.jsonl:7:"), "{err}");
    }

    #[test]
    fn record_fields_as_exports_write_them() {
        // Numbers where strings were meant, and nulls for absent metadata, as spreadsheets
        // and database dumps write them: the document is read, not skipped.
        let doc = parse_record(Path::new("c.jsonl"), 1, r#"{"id": 42, "text": "中方", "date": 20240307, "title": 2024}"#).unwrap();
        assert_eq!((doc.id.as_str(), doc.date.as_deref(), doc.title.as_deref()), ("42", Some("2024-03-07"), Some("2024")));
        let doc = parse_record(Path::new("c.jsonl"), 1, r#"{"id": "2024-03-07-a", "text": "中方", "date": null, "title": null}"#).unwrap();
        assert_eq!((doc.date.as_deref(), doc.title), (Some("2024-03-07"), None));
        for (line, field) in [
            (r#"{"id": null, "text": "中方"}"#, "`id`"),
            (r#"{"id": "a", "text": "中方", "title": ["x"]}"#, "`title`"),
            (r#"{"id": "a", "text": "中方", "date": {"y": 2024}}"#, "`date`"),
        ] {
            let err = parse_record(Path::new("c.jsonl"), 3, line).unwrap_err().to_string();
            assert!(err.starts_with("c.jsonl:3: ") && err.contains(field), "{err}");
        }
    }
}
