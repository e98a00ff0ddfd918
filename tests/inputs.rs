//! Real bytes in the encodings and states corpora arrive in: UTF-8 with a BOM, UTF-16 with a
//! BOM, GB18030; an undecodable file, an unreadable one, a broken symlink, a folder symlink
//! loop. Offsets always point into the file's own bytes, and one bad file costs nothing else.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

const SEED: &str = "tests/fixtures/sample/2024-03-07_wang-yi-press-conference.txt";

fn tempdir(name: &str) -> PathBuf {
    common::tempdir("diplograph-inputs", name)
}

fn extract(inputs: &[&Path], out: &Path) -> (Option<i32>, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_diplograph")).arg("extract").args(inputs).arg("-o").arg(out).arg("--quiet").output().unwrap();
    (o.status.code(), String::from_utf8_lossy(&o.stderr).into_owned())
}

fn mentions(out: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(out.join("mentions.jsonl")).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

/// The documents that have mentions in `out`, in id order.
fn docs(out: &Path) -> Vec<String> {
    let mut ids: Vec<String> = mentions(out).iter().map(|m| m["doc"].as_str().unwrap().to_string()).collect();
    ids.dedup();
    ids
}

/// Decodes every mention's byte span of `bytes` with `decode` and compares it with its text.
fn spans_hold_text(bytes: &[u8], ms: &[serde_json::Value], decode: impl Fn(&[u8]) -> String) {
    assert!(ms.len() > 150, "{} mentions", ms.len());
    for m in ms {
        let (s, e) = (m["start"].as_u64().unwrap() as usize, m["end"].as_u64().unwrap() as usize);
        let got: String = decode(&bytes[s..e]).chars().filter(|c| !c.is_whitespace()).collect();
        assert_eq!(got, m["text"].as_str().unwrap(), "{m}");
    }
}

#[test]
fn utf8_bom_utf16_and_gb18030_give_the_same_mentions_on_their_own_bytes() {
    let text = std::fs::read_to_string(SEED).unwrap();
    let dir = tempdir("enc");
    let plain_out = tempdir("enc-plain");
    extract(&[Path::new(SEED)], &plain_out);
    let plain = mentions(&plain_out);

    let mut bom = vec![0xEF, 0xBB, 0xBF];
    bom.extend_from_slice(text.as_bytes());
    let mut utf16 = vec![0xFF, 0xFE];
    for u in text.encode_utf16() {
        utf16.extend_from_slice(&u.to_le_bytes());
    }
    // UTF-16 without a BOM (SQL Server's `bcp -w`), either byte order: told by its zero bytes.
    let unmarked_le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let unmarked_be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
    let (gb, _, _) = encoding_rs::GB18030.encode(&text);
    let cases: Vec<(&str, Vec<u8>, &'static encoding_rs::Encoding)> = vec![
        ("bom", bom, encoding_rs::UTF_8),
        ("utf16", utf16, encoding_rs::UTF_16LE),
        ("utf16le-unmarked", unmarked_le, encoding_rs::UTF_16LE),
        ("utf16be-unmarked", unmarked_be, encoding_rs::UTF_16BE),
        ("gb", gb.into_owned(), encoding_rs::GB18030),
    ];
    for (name, bytes, enc) in cases {
        let path = dir.join(format!("2024-03-07_{name}.txt"));
        std::fs::write(&path, &bytes).unwrap();
        let out = tempdir(&format!("enc-{name}"));
        let (code, err) = extract(&[&path], &out);
        assert_eq!(code, Some(0), "{name}: {err}");
        let ms = mentions(&out);
        assert_eq!(ms.len(), plain.len(), "{name}");
        for (a, b) in ms.iter().zip(&plain) {
            assert_eq!((&a["text"], &a["type"], &a["id"], &a["sentence"]), (&b["text"], &b["type"], &b["id"], &b["sentence"]), "{name}");
        }
        spans_hold_text(&bytes, &ms, |b| enc.decode_without_bom_handling(b).0.into_owned());
        if enc != encoding_rs::UTF_8 {
            assert_eq!(ms[0]["encoding"].as_str(), Some(enc.name()), "{name}: {}", ms[0]);
        }
    }
}

#[test]
fn undecodable_broken_link_and_loop_are_skipped_with_a_message() {
    let dir = tempdir("bad");
    std::fs::copy(SEED, dir.join("good.txt")).unwrap();
    // Bytes that are neither UTF-8 nor valid in any legacy encoding chardetng would pick.
    std::fs::write(dir.join("binary.txt"), [0x00u8, 0xFF, 0xFE, 0x00, 0x81, 0x00, 0xFF, 0x80, 0x80, 0xFF]).unwrap();
    // Files that are no text, saved as .txt: a PDF (its stream compressed, bytes that decode
    // as nothing) is named for what it is; so is a program, whose zero bytes are valid UTF-8.
    let mut pdf = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj\n<< /Filter /FlateDecode >>\nstream\n".to_vec();
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut z, &std::fs::read(SEED).unwrap()).unwrap();
    pdf.extend(z.finish().unwrap());
    pdf.extend(b"\nendstream\nendobj\n");
    std::fs::write(dir.join("pdf.txt"), pdf).unwrap();
    let program = std::fs::read(env!("CARGO_BIN_EXE_diplograph")).unwrap();
    std::fs::write(dir.join("program.txt"), &program[..1 << 16]).unwrap();
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(dir.join("missing.txt"), dir.join("dangling.txt")).unwrap();
        std::os::unix::fs::symlink(dir.join("missing.pdf"), dir.join("dangling.pdf")).unwrap();
        std::os::unix::fs::symlink(&dir, dir.join("loop")).unwrap();
        // A named pipe nobody writes to: reading it hung the run.
        let made = std::process::Command::new("mkfifo").arg(dir.join("pipe.txt")).status();
        assert!(made.is_ok_and(|s| s.success()), "mkfifo");
    }
    let out = tempdir("bad-out");
    let (code, err) = extract(&[&dir], &out);
    assert_eq!(code, Some(1), "{err}");
    #[cfg(unix)]
    {
        assert!(err.contains("dangling.txt: a symbolic link whose target cannot be read"), "{err}");
        assert!(err.contains("loop"), "{err}");
        assert!(err.contains("pipe.txt: not a regular file"), "{err}");
        assert!(!err.contains("dangling.pdf"), "not a corpus file, not a message: {err}");
    }
    let ms = mentions(&out);
    assert!(ms.iter().all(|m| m["doc"] == "good"), "only the good document");
    assert!(ms.len() > 150);
    assert!(err.contains("binary.txt: binary data, not text: 3 zero bytes, the first at byte 0"), "{err}");
    assert!(err.contains("pdf.txt: a .pdf file (application/pdf), not text"), "{err}");
    if cfg!(target_os = "linux") {
        assert!(err.contains("program.txt: a .elf file (application/x-executable), not text"), "{err}");
    }
}

#[cfg(unix)]
#[test]
fn unreadable_files_are_skipped_with_a_message() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempdir("unreadable");
    std::fs::copy(SEED, dir.join("good.txt")).unwrap();
    // A file without read permission: unreadable to anyone but root.
    let locked = dir.join("locked.txt");
    std::fs::write(&locked, "中方愿同俄方一道。").unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    let privileged = std::fs::read(&locked).is_ok();
    // On Linux, a file that fails to read even for root: /proc/self/mem at offset 0 (EIO).
    #[cfg(target_os = "linux")]
    std::os::unix::fs::symlink("/proc/self/mem", dir.join("mem.txt")).unwrap();
    let out = tempdir("unreadable-out");
    let (code, err) = extract(&[&dir], &out);
    if cfg!(target_os = "linux") || !privileged {
        assert_eq!(code, Some(1), "{err}");
    }
    #[cfg(target_os = "linux")]
    assert!(err.contains("mem.txt"), "{err}");
    if privileged {
        eprintln!("running as root: locked.txt is readable, so only mem.txt is checked");
    } else {
        assert!(err.contains("locked.txt"), "{err}");
    }
    let ms = mentions(&out);
    assert!(ms.iter().filter(|m| m["doc"] == "good").count() > 150, "the good document is processed");
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o644)).unwrap();
}

#[cfg(target_os = "linux")]
#[test]
fn file_names_that_are_not_utf8_still_give_distinct_ids() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let dir = tempdir("names");
    // A GBK name, as a Chinese Windows archive unpacked as it is leaves it, and two names that
    // are neither UTF-8 nor GB18030: all three had the empty id, and two were skipped as repeats.
    let gbk: &[u8] = b"2024-03-07_\xcd\xf5\xd2\xe3.txt"; // 2024-03-07_王毅.txt in GBK
    for name in [gbk, b"bad\xff\xfe.txt", b"worse\xc3.txt"] {
        std::fs::copy(SEED, dir.join(OsStr::from_bytes(name))).unwrap();
    }
    let out = tempdir("names-out");
    let (code, err) = extract(&[&dir], &out);
    assert_eq!(code, Some(0), "{err}");
    let mut ids: Vec<String> = mentions(&out).iter().map(|m| m["doc"].as_str().unwrap().to_string()).collect();
    ids.dedup();
    ids.sort();
    assert_eq!(ids, ["2024-03-07_王毅", "bad\u{FFFD}\u{FFFD}", "worse\u{FFFD}"]);
}

#[test]
fn record_dates_in_common_forms_are_read_and_bad_records_named() {
    let dir = tempdir("dates");
    let jsonl = dir.join("docs.jsonl");
    std::fs::write(
        &jsonl,
        concat!(
            "{\"id\": \"a\", \"text\": \"中方愿同俄方一道。\", \"date\": \"2024年3月7日\"}\n",
            "{\"id\": \"b\", \"text\": \"中方愿同俄方一道。\", \"date\": \"2024/3/9 10:00\"}\n",
            "[\"c\", \"中方愿同俄方一道。\"]\n",
            "{\"id\": \"d\", \"text\": \"中方愿同俄方一道。\", \"date\": \"2024-13-01\"}\n",
        ),
    )
    .unwrap();
    let out = tempdir("dates-out");
    let (code, err) = extract(&[&jsonl], &out);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("docs.jsonl:3: not a JSON object"), "{err}");
    assert!(err.contains("docs.jsonl:4: `date` \"2024-13-01\" is not a date"), "{err}");
    let graph: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(out.join("graph.json")).unwrap()).unwrap();
    let chn = graph["nodes"].as_array().unwrap().iter().find(|n| n["id"] == "CHN").unwrap();
    assert_eq!((chn["first"].as_str(), chn["last"].as_str()), (Some("2024-03-07"), Some("2024-03-09")), "{chn}");
}

#[test]
fn a_record_cut_inside_a_surrogate_pair_is_mended_not_skipped() {
    // JSON written from a string cut between the two halves of an emoji (JavaScript's
    // substring, a post cut at 140 UTF-16 units) has a lone `\ud83d`, which a JSON parser
    // refuses: the whole record was skipped.
    let text = std::fs::read_to_string(SEED).unwrap();
    let quoted = serde_json::to_string(&text).unwrap();
    let cut = format!("{}\\ud83d\"", &quoted[..quoted.len() - 1]);
    let dir = tempdir("surrogate");
    let jsonl = dir.join("posts.jsonl");
    std::fs::write(&jsonl, format!("{{\"id\": \"whole\", \"text\": {quoted}}}\n{{\"id\": \"cut\", \"text\": {cut}}}\n")).unwrap();
    let out = tempdir("surrogate-out");
    let (code, err) = extract(&[&jsonl], &out);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("mended: ") && err.contains("posts.jsonl:2: 1 unpaired UTF-16 surrogate escape(s)"), "{err}");
    let of = |doc: &str| -> Vec<(u64, u64, String)> {
        let ms = mentions(&out);
        ms.iter().filter(|m| m["doc"] == doc).map(|m| (m["start"].as_u64().unwrap(), m["end"].as_u64().unwrap(), m["text"].to_string())).collect()
    };
    assert!(of("whole").len() > 150);
    assert_eq!(of("cut"), of("whole"));
}

#[test]
fn damaged_files_are_mended_named_and_keep_their_offsets() {
    let dir = tempdir("damaged");
    let seed = std::fs::read(SEED).unwrap();
    // A stray byte between two characters, and a file whose last character was cut off.
    let mid = (seed.len() / 2..).find(|&i| seed[i] & 0xC0 != 0x80).unwrap();
    let stray = [&seed[..mid], &[0xFF][..], &seed[mid..]].concat();
    std::fs::write(dir.join("stray.txt"), &stray).unwrap();
    let text = String::from_utf8(seed.clone()).unwrap();
    let cut = [text.as_bytes(), "中".as_bytes()].concat();
    std::fs::write(dir.join("cut.txt"), &cut[..cut.len() - 1]).unwrap();
    // GBK with two bad bytes after a character.
    let (gbk, _, _) = encoding_rs::GB18030.encode(&text);
    let at = (0..gbk.len() / 2).rev().find(|&i| gbk[i] < 0x80).unwrap() + 1;
    let gbk = [&gbk[..at], &[0xFF, 0xFF][..], &gbk[at..]].concat();
    std::fs::write(dir.join("gbk.txt"), &gbk).unwrap();
    // UTF-16LE (PowerShell's Out-File) with a lone surrogate in the middle and cut off after
    // an odd byte.
    let mut utf16 = vec![0xFF, 0xFE];
    let units: Vec<u16> = text.encode_utf16().collect();
    let lone = 2 + 2 * units.len(); // the lone surrogate's byte offset
    for u in units.iter().chain([0xDC00].iter()).chain(&units) {
        utf16.extend_from_slice(&u.to_le_bytes());
    }
    utf16.push(0x2D);
    std::fs::write(dir.join("utf16.txt"), &utf16).unwrap();
    let out = tempdir("damaged-out");
    let (code, err) = extract(&[&dir], &out);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains(&format!("stray.txt: 1 invalid UTF-8 sequence(s) replaced with U+FFFD (the first at byte {mid})")), "{err}");
    assert!(err.contains("cut.txt: its last 2 byte(s) are an incomplete UTF-8 character, left out"), "{err}");
    assert!(err.contains(&format!("gbk.txt: 2 invalid gb18030 sequence(s) replaced with U+FFFD (the first at byte {at})")), "{err}");
    let note = "utf16.txt: 1 invalid UTF-16LE sequence(s) replaced with U+FFFD (the first at byte";
    assert!(err.contains(&format!("{note} {lone}); its last 1 byte(s) are an incomplete UTF-16LE character, left out")), "{err}");
    let ms = mentions(&out);
    let utf8 = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    let gb18030 = |b: &[u8]| encoding_rs::GB18030.decode_without_bom_handling(b).0.into_owned();
    let utf16le = |b: &[u8]| encoding_rs::UTF_16LE.decode_without_bom_handling(b).0.into_owned();
    let cases = [("stray", &stray, &utf8 as &dyn Fn(&[u8]) -> String), ("cut", &cut, &utf8), ("gbk", &gbk, &gb18030), ("utf16", &utf16, &utf16le)];
    for (doc, bytes, decode) in cases {
        let of: Vec<serde_json::Value> = ms.iter().filter(|m| m["doc"] == doc).cloned().collect();
        spans_hold_text(bytes, &of, decode);
    }
    // --strict counts a mended file as a failure.
    let (code, err) = extract(&[&dir.join("cut.txt"), Path::new("--strict")], &tempdir("damaged-strict"));
    assert_eq!(code, Some(3), "{err}");
}

#[test]
fn a_stray_byte_in_utf8_is_mended_never_read_as_another_encoding() {
    // Damaged UTF-8 made chardetng guess GB18030, and 12 of 1,200 such corpus/zh files read
    // cleanly (or cut) as GB18030, every character wrong.
    let mut tried = 0;
    for entry in std::fs::read_dir("tests/fixtures/sample").unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        for at in (1..bytes.len()).step_by(61).filter(|&i| bytes[i] & 0xC0 != 0x80) {
            for stray in [0xFF, 0x80, 0xC3, 0xE4, 0xA1] {
                let damaged = [&bytes[..at], &[stray][..], &bytes[at..]].concat();
                let ((_, encoding, _, _), note) = diplograph::read::decode_repairing(&damaged).unwrap();
                assert_eq!(encoding, "UTF-8", "stray {stray:#x} at {at}");
                assert!(note.is_some_and(|n| n.contains(&format!("at byte {at}"))), "stray {stray:#x} at {at}");
                tried += 1;
            }
        }
    }
    assert!(tried > 500, "{tried}");
    // An English text in windows-1252 is valid UTF-8 but for its accents: not damaged UTF-8.
    let (latin, _, _) = encoding_rs::WINDOWS_1252.encode("The café in Zürich hosted the délégation of the People's Republic of China. ");
    let ((text, encoding, _, _), note) = diplograph::read::decode_repairing(&latin.repeat(20)).unwrap();
    assert_eq!((encoding, note), ("windows-1252", None));
    assert!(text.starts_with("The café in Zürich"));
}

#[test]
fn hidden_files_and_mac_forks_in_a_folder_are_not_the_corpus() {
    let dir = tempdir("hidden");
    std::fs::copy(SEED, dir.join("good.txt")).unwrap();
    // What an archive made on a Mac carries: AppleDouble forks, binary data named like text.
    let fork: Vec<u8> = [&[0x00, 0x05, 0x16, 0x07, 0x00, 0x02, 0x00, 0x00][..], &[0xFF; 64][..]].concat();
    std::fs::write(dir.join("._good.txt"), &fork).unwrap();
    std::fs::create_dir_all(dir.join("__MACOSX")).unwrap();
    std::fs::write(dir.join("__MACOSX/._good.txt"), &fork).unwrap();
    std::fs::create_dir_all(dir.join(".versions")).unwrap();
    std::fs::copy(SEED, dir.join(".versions/good-old.txt")).unwrap();
    let out = tempdir("hidden-out");
    let (code, err) = extract(&[&dir], &out);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(docs(&out), ["good"]);
    // Named on the command line, a hidden file is read (and this one is refused: with nothing
    // else to read, the run fails).
    let (code, err) = extract(&[&dir.join("._good.txt")], &tempdir("hidden-named"));
    assert_eq!(code, Some(3), "{err}");
    assert!(err.contains("._good.txt: binary data, not text: 4 zero bytes, the first at byte 0"), "{err}");
}

#[test]
fn a_run_that_reads_nothing_keeps_the_outputs_before_it() {
    // The output folder inside the corpus folder: the next run does not read it as input.
    let dir = tempdir("nest");
    std::fs::copy(SEED, dir.join("good.txt")).unwrap();
    let out = dir.join("output");
    let (code, err) = extract(&[&dir], &out);
    assert_eq!(code, Some(0), "{err}");
    let before: Vec<(String, Vec<u8>)> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap())
        .map(|e| (e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path()).unwrap()))
        .collect();
    let (code, err) = extract(&[&dir], &out);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(docs(&out), ["good"]);
    // A mistyped path reads nothing: it fails, and the outputs of the run before stay.
    let (code, err) = extract(&[&dir.join("goood.txt")], &out);
    assert_eq!(code, Some(3), "{err}");
    assert!(err.contains("no document could be read") && err.contains("goood.txt"), "{err}");
    for (name, bytes) in before {
        assert_eq!(std::fs::read(out.join(&name)).unwrap(), bytes, "{name}");
    }
    // A partial that reads nothing is written all the same: it carries its skip to the merge.
    let partial = tempdir("nest-partial");
    let (code, err) = extract(&[&dir.join("goood.txt"), Path::new("--partial")], &partial);
    assert_eq!(code, Some(1), "{err}");
    assert!(partial.join("partial.json").exists(), "{err}");
    // Named as the input, the output folder is refused.
    let (code, err) = extract(&[&out], &out);
    assert_eq!(code, Some(3), "{err}");
    assert!(err.contains("the output folder; not read as input"), "{err}");
}

#[test]
fn the_outputs_of_other_runs_in_a_corpus_folder_are_not_read() {
    // Each run writes into the corpus folder under its own name: the second read the first's
    // mentions.jsonl as documents, one per mention (it has an `id` and a `text`).
    let dir = tempdir("runs");
    std::fs::copy(SEED, dir.join("good.txt")).unwrap();
    let (code, err) = extract(&[&dir], &dir.join("run1"));
    assert_eq!(code, Some(0), "{err}");
    let (code, err) = extract(&[&dir, Path::new("--partial")], &dir.join("partial1"));
    assert_eq!(code, Some(0), "{err}");
    let (code, err) = extract(&[&dir], &dir.join("run2"));
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(err, "");
    assert_eq!(docs(&dir.join("run2")), ["good"]);
    assert_eq!(std::fs::read(dir.join("run1/mentions.jsonl")).unwrap(), std::fs::read(dir.join("run2/mentions.jsonl")).unwrap());
    // Named as the input, another run's outputs are refused, saying why.
    for (folder, marker) in [("run1", "run.json"), ("partial1", "partial.json")] {
        let (code, err) = extract(&[&dir.join(folder)], &tempdir("runs-named"));
        assert_eq!(code, Some(3), "{err}");
        assert!(err.contains(&format!("{folder}: diplograph's outputs (its {marker} says so); not read as input")), "{err}");
    }
    // Outputs written into a corpus folder itself (`extract corpus/2024 -o corpus`): its
    // outputs are left out, its corpus is still read.
    let mixed = tempdir("runs-mixed");
    std::fs::create_dir(mixed.join("2024")).unwrap();
    std::fs::copy(SEED, mixed.join("2024/good.txt")).unwrap();
    std::fs::copy(SEED, mixed.join("top.txt")).unwrap();
    let (code, err) = extract(&[&mixed.join("2024")], &mixed);
    assert_eq!(code, Some(0), "{err}");
    assert!(mixed.join("mentions.jsonl").exists() && mixed.join("run.json").exists());
    let out = tempdir("runs-mixed-out");
    let (code, err) = extract(&[&mixed], &out);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(docs(&out), ["good", "top"]);
    // A run.json that diplograph did not write leaves its folder a corpus folder.
    let other = dir.join("notes");
    std::fs::create_dir(&other).unwrap();
    std::fs::write(other.join("run.json"), r#"{"steps": 3}"#).unwrap();
    std::fs::copy(SEED, other.join("notes.txt")).unwrap();
    let (code, err) = extract(&[&dir], &dir.join("run3"));
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(docs(&dir.join("run3")), ["good", "notes"]);
}

#[test]
fn a_document_too_large_for_memory_is_skipped_unread() {
    // By default the limit is a twelfth of the memory free; --max-document sets it, here below
    // a 2 MB document (the seed 180 times), plain, gzipped (read up to the limit) and
    // on standard input (read up to the limit).
    let dir = tempdir("large");
    std::fs::copy(SEED, dir.join("good.txt")).unwrap();
    let big = std::fs::read(SEED).unwrap().repeat(180);
    assert!(big.len() > 2_000_000);
    std::fs::write(dir.join("big.txt"), &big).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, &big).unwrap();
    std::fs::write(dir.join("big2.txt.gz"), gz.finish().unwrap()).unwrap();
    let out = tempdir("large-out");
    let (code, err) = extract(&[&dir, Path::new("--max-document"), Path::new("1.5")], &out);
    assert_eq!(code, Some(1), "{err}");
    let mb = format!("{:.1} MB, over the 1.5 MB a document may have (--max-document", big.len() as f64 / 1e6);
    assert!(err.contains(&format!("big.txt: too large to process: {mb}")), "{err}");
    assert!(err.contains("big2.txt.gz: too large to process: over the 1.5 MB a document may have"), "{err}");
    assert_eq!(docs(&out), ["good"]);
    let o = Command::new(env!("CARGO_BIN_EXE_diplograph"))
        .args(["extract", "-", "--max-document", "1.5", "--quiet", "-o"])
        .arg(tempdir("large-stdin"))
        .stdin(std::fs::File::open(dir.join("big.txt")).unwrap())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(3), "{err}");
    assert!(err.contains("-: too large to process: over the 1.5 MB a document may have"), "{err}");
    // The default lets it through, as it lets a 200 MB document through on a machine of 4 GB.
    let (code, err) = extract(&[&dir], &tempdir("large-default"));
    assert_eq!(code, Some(0), "{err}");
    // Records too: as JSON Lines and as a JSON array, one whose JSON is past twice the bound
    // (passed over, not held) and one whose text is past it; the records around them are read.
    let seed = std::fs::read_to_string(SEED).unwrap();
    let record = |id: &str, times: usize| serde_json::json!({ "id": id, "text": seed.repeat(times) });
    let records = [record("before", 1), record("huge", 300), record("large", 150), record("after", 1)];
    let lines: String = records.iter().map(|r| format!("{r}\n")).collect();
    let array = serde_json::to_string_pretty(&serde_json::Value::Array(records.to_vec())).unwrap();
    let dir = tempdir("large-records");
    std::fs::write(dir.join("records.jsonl"), lines).unwrap();
    std::fs::write(dir.join("array.json"), array).unwrap();
    for (name, lines) in [("records.jsonl", [2, 3]), ("array.json", [6, 10])] {
        let out = tempdir("large-records-out");
        let (code, err) = extract(&[&dir.join(name), Path::new("--max-document"), Path::new("1.5")], &out);
        assert_eq!(code, Some(1), "{err}");
        assert!(err.contains(&format!("{name}:{}: too large to process: over the 1.5 MB", lines[0])), "{err}");
        assert!(err.contains(&format!("{name}:{}: too large to process: {:.1} MB, over the 1.5 MB", lines[1], 150.0 * seed.len() as f64 / 1e6)), "{err}");
        assert_eq!(docs(&out), ["after", "before"], "{name}");
    }
}

#[test]
fn a_file_listed_twice_is_read_once_but_a_link_is_a_document_of_its_own() {
    let dir = tempdir("twice");
    std::fs::copy(SEED, dir.join("good.txt")).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(dir.join("good.txt"), dir.join("link.txt")).unwrap();
    let out = tempdir("twice-out");
    // The folder twice, and a file in it by another spelling of its path.
    let (code, err) = extract(&[&dir, &dir, &dir.join(".").join("good.txt")], &out);
    assert_eq!(code, Some(0), "{err}");
    assert!(!err.contains("seen before"), "{err}");
    let want: &[&str] = if cfg!(unix) { &["good", "link"] } else { &["good"] };
    assert_eq!(docs(&out), want);
}

#[test]
fn json_lines_in_utf16_or_gbk_are_read_as_their_utf8_twin() {
    // The bundled sample as JSON Lines records, then the same file as PowerShell's Out-File
    // (UTF-16 with a BOM) and a Chinese Windows tool (GBK) would write it.
    let mut records = String::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir("tests/fixtures/sample").unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    for f in &files {
        let id = f.file_stem().unwrap().to_str().unwrap();
        let text = std::fs::read_to_string(f).unwrap();
        records += &format!("{}\r\n", serde_json::json!({ "id": id, "text": text }));
    }
    let dir = tempdir("jsonl-enc");
    let read = |name: &str, bytes: &[u8]| {
        let path = dir.join(format!("{name}.jsonl"));
        std::fs::write(&path, bytes).unwrap();
        let out = tempdir(&format!("jsonl-enc-{name}"));
        let (code, err) = extract(&[&path], &out);
        (code, err, out)
    };
    let bytes_of = |out: &Path| std::fs::read(out.join("mentions.jsonl")).unwrap();
    let (code, err, utf8) = read("utf8", records.as_bytes());
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(docs(&utf8).len(), files.len());
    let utf16 = |le: bool| -> Vec<u8> {
        let bom: &[u8] = if le { &[0xFF, 0xFE] } else { &[0xFE, 0xFF] };
        let units = records.encode_utf16().flat_map(|u| if le { u.to_le_bytes() } else { u.to_be_bytes() });
        bom.iter().copied().chain(units).collect()
    };
    let (gbk, _, _) = encoding_rs::GB18030.encode(&records);
    for (name, bytes) in [("utf16le", utf16(true)), ("utf16be", utf16(false)), ("gbk", gbk.into_owned())] {
        let (code, err, got) = read(name, &bytes);
        assert_eq!((code, err.as_str()), (Some(0), ""), "{name}");
        assert!(bytes_of(&got) == bytes_of(&utf8), "{name}: mentions differ from the UTF-8 file's");
    }
    // A stray byte in one record of a UTF-8 file costs that record, named, not the file.
    let mut stray = records.clone().into_bytes();
    let at = stray.windows(6).position(|w| w == "中国".as_bytes()).unwrap();
    stray.insert(at, 0xFF);
    let (code, err, got) = read("stray", &stray);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("stray.jsonl:1: not UTF-8"), "{err}");
    assert_eq!(docs(&got).len(), files.len() - 1);
}

#[test]
fn gzipped_and_upper_case_files_are_read_and_a_folder_of_neither_is_named() {
    use std::io::Write;
    let gz = |bytes: &[u8]| {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(bytes).unwrap();
        e.finish().unwrap()
    };
    let text = std::fs::read(SEED).unwrap();
    let dir = tempdir("gz");
    std::fs::write(dir.join("2024-03-07_upper.TXT"), &text).unwrap();
    std::fs::write(dir.join("2024-03-07_packed.txt.gz"), gz(&text)).unwrap();
    // Gzip kept under a plain name (a downloader that saved a server's compressed answer).
    std::fs::write(dir.join("2024-03-07_saved.txt"), gz(&text)).unwrap();
    let records: String = (0..300).map(|i| format!("{}\n", serde_json::json!({ "id": format!("r{i:03}"), "text": "中方愿同俄方一道。" }))).collect();
    std::fs::write(dir.join("records.jsonl.gz"), gz(records.as_bytes())).unwrap();
    // Cut short, as a download stopped early: the text before the cut is read and the file
    // named as mended; the records before the cut are read.
    let packed = gz(&text);
    std::fs::write(dir.join("2024-03-07_cut.txt.gz"), &packed[..packed.len() / 2]).unwrap();
    let big: String = (0..20_000).map(|i| format!("{}\n", serde_json::json!({ "id": format!("c{i:05}"), "text": format!("美国总统拜登{i}") }))).collect();
    let packed = gz(big.as_bytes());
    std::fs::write(dir.join("cut.jsonl.gz"), &packed[..packed.len() / 2]).unwrap();
    let out = tempdir("gz-out");
    let (code, err) = extract(&[&dir], &out);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("mended: ") && err.contains("2024-03-07_cut.txt.gz: its gzip data ends early"), "{err}");
    assert!(err.contains("cut.jsonl.gz:") && err.matches("damaged gzip data").count() == 1, "{err}");
    let ids = docs(&out);
    assert!(ids.contains(&"2024-03-07_upper".to_string()) && ids.contains(&"2024-03-07_packed".to_string()), "{ids:?}");
    assert!(ids.contains(&"2024-03-07_cut".to_string()), "{ids:?}");
    assert_eq!(ids.iter().filter(|id| id.starts_with('r')).count(), 300);
    let cut = ids.iter().filter(|id| id.starts_with('c')).count();
    assert!(cut > 1000 && cut < 20_000, "{cut} records before the cut");
    // The gzipped file's offsets are into its text, as the plain file's are.
    let ms = mentions(&out);
    let spans = |doc: &str| ms.iter().filter(|m| m["doc"] == doc).map(|m| (m["start"].clone(), m["id"].clone())).collect::<Vec<_>>();
    assert_eq!(spans("2024-03-07_packed"), spans("2024-03-07_upper"));
    assert_eq!(spans("2024-03-07_saved"), spans("2024-03-07_upper"));
    spans_hold_text(&text, &ms.iter().filter(|m| m["doc"] == "2024-03-07_packed").cloned().collect::<Vec<_>>(), |b| String::from_utf8_lossy(b).into_owned());
    // The cut file's mentions are the whole file's up to the cut.
    let cut = spans("2024-03-07_cut");
    assert!(!cut.is_empty() && cut.len() < spans("2024-03-07_packed").len() && spans("2024-03-07_packed").starts_with(&cut[..cut.len() - 1]));

    // A folder with no corpus file in it (the wrong folder, a folder of web pages) is named;
    // alone, it is a run that read nothing, and writes nothing.
    let pages = tempdir("gz-pages");
    std::fs::write(pages.join("index.html"), "<p>中方愿同俄方一道。</p>").unwrap();
    let (code, err) = extract(&[&pages], &tempdir("gz-pages-out"));
    assert_eq!(code, Some(3), "{err}");
    assert!(err.contains("no *.txt, *.jsonl or *.ndjson file in this folder"), "{err}");
}

#[test]
fn line_ends_of_any_system_give_the_same_sentences_and_paragraphs() {
    // Classic Mac OS files end lines with a lone CR: the sample read as one paragraph, and
    // lost mentions; CRLF and the CR CR LF some Windows tools write read as LF.
    let text = std::fs::read_to_string(SEED).unwrap();
    let dir = tempdir("line-ends");
    for (name, end) in [("lf", "\n"), ("cr", "\r"), ("crlf", "\r\n"), ("crcrlf", "\r\r\n")] {
        std::fs::write(dir.join(format!("{name}.txt")), text.replace('\n', end)).unwrap();
    }
    let out = tempdir("line-ends-out");
    let (code, err) = extract(&[&dir], &out);
    assert_eq!(code, Some(0), "{err}");
    let ms = mentions(&out);
    let of = |doc: &str| ms.iter().filter(|m| m["doc"] == doc).cloned().collect::<Vec<_>>();
    let shape = |doc: &str| of(doc).iter().map(|m| (m["id"].clone(), m["sentence"].clone(), m["paragraph"].clone())).collect::<Vec<_>>();
    for name in ["cr", "crlf", "crcrlf"] {
        assert_eq!(shape(name), shape("lf"), "{name}");
        let bytes = std::fs::read(dir.join(format!("{name}.txt"))).unwrap();
        spans_hold_text(&bytes, &of(name), |b| String::from_utf8_lossy(b).into_owned());
    }
}

#[test]
fn standard_input_gzipped_or_with_a_bom_is_read_as_a_file_would_be() {
    use std::io::Write;
    let piped = |bytes: &[u8], name: &str| {
        let out = tempdir(&format!("stdin-{name}"));
        let mut child = Command::new(env!("CARGO_BIN_EXE_diplograph"))
            .args(["extract", "-", "--quiet", "-o"])
            .arg(&out)
            .stdin(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(bytes).unwrap();
        let o = child.wait_with_output().unwrap();
        (out, o.status.code(), String::from_utf8_lossy(&o.stderr).into_owned())
    };
    let from_stdin = |bytes: &[u8], name: &str| {
        let (out, code, err) = piped(bytes, name);
        assert_eq!(code, Some(0), "{name}: {err}");
        out
    };
    let gz = |bytes: &[u8]| {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(bytes).unwrap();
        e.finish().unwrap()
    };
    // A text document: gzipped, its offsets are into the unzipped bytes.
    let text = std::fs::read(SEED).unwrap();
    let plain = mentions(&from_stdin(&text, "text"));
    assert_eq!(mentions(&from_stdin(&gz(&text), "text-gz")), plain);
    spans_hold_text(&text, &plain, |b| String::from_utf8_lossy(b).into_owned());
    // Cut short: read up to the cut, as a cut .txt.gz is.
    let packed = gz(&text);
    let (out, code, err) = piped(&packed[..packed.len() / 2], "text-gz-cut");
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("mended: -: its gzip data ends early"), "{err}");
    let cut = mentions(&out);
    assert!(!cut.is_empty() && cut.len() < plain.len() && cut[..cut.len() - 1] == plain[..cut.len() - 1]);
    // JSON Lines with a BOM, as Windows tools write them, and gzipped: records, not one
    // document of JSON text.
    let records = "\u{feff}{\"id\": \"a\", \"text\": \"中方愿同俄方一道。\"}\n{\"id\": \"b\", \"text\": \"美国总统拜登。\"}\n";
    let array = "[\n {\"id\": \"a\", \"text\": \"中方愿同俄方一道。\"},\n {\"id\": \"b\", \"text\": \"美国总统拜登。\"}\n]";
    for (name, bytes) in [("bom", records.as_bytes().to_vec()), ("bom-gz", gz(records.as_bytes())), ("array", array.as_bytes().to_vec())] {
        assert_eq!(docs(&from_stdin(&bytes, name)), ["a", "b"], "{name}");
    }
    // A transcript that starts with a bracket is a transcript.
    let out = from_stdin("[视频]中方愿同俄方一道。".as_bytes(), "bracket");
    assert_eq!(docs(&out), ["stdin"]);
}

#[test]
fn a_json_array_of_records_is_read_as_its_json_lines_twin() {
    // scrapy's `-o items.json` and most export buttons write one JSON array, pretty-printed;
    // named .json it was one text document of JSON, named .jsonl one message per line. It is
    // read a record at a time, as JSON Lines are.
    let mut files: Vec<PathBuf> = std::fs::read_dir("tests/fixtures/sample").unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    let records: Vec<serde_json::Value> = files
        .iter()
        .map(|f| serde_json::json!({ "id": f.file_stem().unwrap().to_str().unwrap(), "text": std::fs::read_to_string(f).unwrap() }))
        .collect();
    let dir = tempdir("json-array");
    let lines: String = records.iter().map(|r| format!("{r}\n")).collect();
    std::fs::write(dir.join("records.jsonl"), lines).unwrap();
    let out = tempdir("json-array-lines");
    assert_eq!(extract(&[&dir.join("records.jsonl")], &out).0, Some(0));
    let want = std::fs::read(out.join("mentions.jsonl")).unwrap();
    std::fs::write(dir.join("items.json"), serde_json::to_string_pretty(&records).unwrap()).unwrap();
    let out = tempdir("json-array-out");
    let (code, err) = extract(&[&dir.join("items.json")], &out);
    assert_eq!(code, Some(0), "{err}");
    assert!(std::fs::read(out.join("mentions.jsonl")).unwrap() == want, "the array's mentions differ from the lines'");
    // A bad record is named by the line it starts on; a broken array is one message.
    std::fs::write(dir.join("bad.json"), "[\n  {\"id\": \"a\", \"text\": \"中方愿同俄方一道。\"},\n  {\"id\": \"b\"},\n  [\"c\"]\n]").unwrap();
    let (code, err) = extract(&[&dir.join("bad.json")], &tempdir("json-array-bad"));
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("bad.json:3: not a JSON record") && err.contains("bad.json:4: not a JSON object"), "{err}");
    // Cut short: the records before the cut are read, and the cut is one message.
    std::fs::write(dir.join("cut.json"), "[\n  {\"id\": \"a\", \"text\": \"中方\"},\n  {\"id\":").unwrap();
    let out = tempdir("json-array-cut");
    let (code, err) = extract(&[&dir.join("cut.json")], &out);
    assert_eq!((code, err.matches("cut.json").count()), (Some(1), 1), "{err}");
    assert!(err.contains("cut.json:3: not a JSON array of records: it ends inside a record"), "{err}");
    assert_eq!(docs(&out), ["a"]);
}

#[test]
fn big5_is_read_as_big5_not_as_gbk() {
    // Traditional-script transcripts from Taiwan or Hong Kong come in Big5; the `.cn` hint
    // that keeps short GBK texts GBK made them read as GBK, every character wrong.
    let text = "外交部發言人汪文斌主持例行記者會。\n記者：美國總統拜登表示，希望同中方加強溝通。\n汪文斌：我們注意到有關報道。\n";
    let (big5, _, unmappable) = encoding_rs::BIG5.encode(text);
    assert!(!unmappable);
    let dir = tempdir("big5");
    std::fs::write(dir.join("big5.txt"), &big5).unwrap();
    let out = tempdir("big5-out");
    let (code, err) = extract(&[&dir], &out);
    assert_eq!(code, Some(0), "{err}");
    let ms = mentions(&out);
    let ids: Vec<&str> = ms.iter().filter_map(|m| m["id"].as_str()).collect();
    assert!(ids.contains(&"mfa") && ids.contains(&"wang-wenbin") && ids.contains(&"joe-biden"), "{ids:?}");
    assert!(ms.iter().all(|m| m["encoding"] == "Big5"));
    let decode = |b: &[u8]| encoding_rs::BIG5.decode_without_bom_handling(b).0.into_owned();
    for m in &ms {
        let (s, e) = (m["start"].as_u64().unwrap() as usize, m["end"].as_u64().unwrap() as usize);
        assert_eq!(decode(&big5[s..e]), m["text"].as_str().unwrap(), "{m}");
    }
}
