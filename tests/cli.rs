//! End-to-end runs of the `diplograph` binary on the bundled sample (real transcripts), scored
//! with the shared evaluation tools and loaded by the shared graph clients when they are present.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_diplograph"))
}

fn tempdir(name: &str) -> PathBuf {
    common::tempdir("diplograph-test", name)
}

fn extract(args: &[&str], out: &Path) -> Output {
    let o = bin().arg("extract").args(args).arg("-o").arg(out).arg("--quiet").output().unwrap();
    o
}

fn shared() -> Option<PathBuf> {
    let p = PathBuf::from("../shared");
    p.join("tools/eval").exists().then_some(p)
}

/// The value after `label` on the line that starts with `line_start` in the eval's output.
fn figure(report: &str, line_start: &str, label: &str) -> f64 {
    let line = report.lines().find(|l| l.starts_with(line_start)).unwrap_or_else(|| panic!("no `{line_start}` in:\n{report}"));
    let rest = &line[line.find(label).unwrap() + label.len()..];
    rest.split_whitespace().next().unwrap().parse().unwrap()
}

#[test]
fn seed_scores_against_gold() {
    let Some(shared) = shared() else {
        eprintln!("skipped: ../shared/tools/eval not present");
        return;
    };
    let out = tempdir("seed");
    let o = extract(&["tests/fixtures/sample"], &out);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let eval = Command::new("python3")
        .arg(shared.join("tools/eval"))
        .arg(shared.join("gold/seed.jsonl"))
        .arg(out.join("mentions.jsonl"))
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&eval.stdout);
    let score = figure(&report, "score:", "score:");
    let edges = figure(&report, "edges", "F1");
    eprintln!("{report}");
    assert!(score >= 0.95, "score {score} < 0.95\n{report}");
    assert!(edges >= 0.90, "edges F1 {edges} < 0.90\n{report}");
}

#[test]
fn output_is_identical_whatever_the_thread_count() {
    let (a, b) = (tempdir("j1"), tempdir("j2"));
    assert!(extract(&["tests/fixtures/sample", "-j", "1"], &a).status.success());
    assert!(extract(&["tests/fixtures/sample", "-j", "2"], &b).status.success());
    for f in ["mentions.jsonl", "graph.graphml", "graph.json", "events.jsonl", "graph.gexf", "nodes.csv", "edges.csv", "evidence.jsonl", "run.json", "report.html"] {
        let x = std::fs::read(a.join(f)).unwrap();
        let y = std::fs::read(b.join(f)).unwrap();
        assert!(x == y, "{f} differs between -j 1 and -j 2");
        assert!(!x.is_empty() || f == "events.jsonl", "{f} is empty");
    }
}

const ALL_FILES: [&str; 12] = [
    "mentions.jsonl",
    "events.jsonl",
    "graph.graphml",
    "graph.gexf",
    "graph.json",
    "nodes.csv",
    "edges.csv",
    "evidence.jsonl",
    "run.json",
    "report.html",
    "events.graphml",
    "dyads.csv",
];

fn same_outputs(a: &Path, b: &Path, what: &str) {
    for f in ALL_FILES {
        let (x, y) = (std::fs::read(a.join(f)).unwrap(), std::fs::read(b.join(f)).unwrap());
        assert!(x == y, "{f} differs: {what}");
    }
}

/// The whole corpus runs as several batches, each read and folded while the next is
/// processed: the sample (one batch) does not exercise that.
#[test]
fn whole_corpus_is_identical_whatever_the_thread_count() {
    let corpus = PathBuf::from("../shared/corpus/zh");
    if !corpus.is_dir() {
        assert!(std::env::var("CI").is_err(), "../shared/corpus/zh missing in CI");
        eprintln!("skipped: ../shared/corpus/zh not present");
        return;
    }
    let (a, b) = (tempdir("corpus-j1"), tempdir("corpus-j2"));
    assert!(extract(&[corpus.to_str().unwrap(), "-j", "1"], &a).status.success());
    assert!(extract(&[corpus.to_str().unwrap(), "-j", "2"], &b).status.success());
    same_outputs(&a, &b, "corpus/zh at -j 1 and -j 2");
    let lines = std::fs::read_to_string(a.join("mentions.jsonl")).unwrap().lines().count();
    assert!(lines > 200_000, "only {lines} mentions in corpus/zh");
}

/// A document over 4 MB has its lines written straight into the files rather than rendered
/// in memory first; they must be the same lines.
#[test]
fn a_large_one_line_document_writes_the_lines_it_would_render() {
    let sample: String = ["2019-02-16_merkel-meets-yang-jiechi.txt", "2024-03-07_wang-yi-press-conference.txt"]
        .iter()
        .filter_map(|f| std::fs::read_to_string(Path::new("tests/fixtures/sample").join(f)).ok())
        .collect::<String>()
        .replace(['\r', '\n'], "");
    assert!(!sample.is_empty(), "sample texts missing");
    let text = sample.repeat((5 << 20) / sample.len() + 1);
    let dir = tempdir("large-in");
    let input = dir.join("2024-03-07_large.txt");
    std::fs::write(&input, &text).unwrap();
    let out = tempdir("large-out");
    let o = extract(&[input.to_str().unwrap(), "-j", "2"], &out);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    let pipeline = diplograph::Pipeline::new(&diplograph::Config::default()).unwrap();
    let doc = diplograph::read::corpus(&[input]).next().unwrap().unwrap();
    let p = pipeline.process(&doc);
    let (mut mentions, mut events) = (Vec::new(), Vec::new());
    diplograph::export::mentions::write(&mut mentions, &pipeline.dicts, &p.id, p.encoding, &p.mentions, &p.speakers).unwrap();
    diplograph::event::write(&mut events, &p.id, &p.events).unwrap();
    assert!(p.mentions.len() > 50_000, "only {} mentions", p.mentions.len());
    assert!(std::fs::read(out.join("mentions.jsonl")).unwrap() == mentions, "mentions.jsonl differs from the rendered lines");
    assert!(std::fs::read(out.join("events.jsonl")).unwrap() == events, "events.jsonl differs from the rendered lines");
}

#[test]
fn graph_files_load_in_the_graph_clients() {
    let Some(shared) = shared() else {
        eprintln!("skipped: ../shared not present");
        return;
    };
    let check = shared.join("tools/graph-clients/check");
    let out = tempdir("clients");
    assert!(extract(&["tests/fixtures/sample"], &out).status.success());
    let prefix = std::env::var("GRAPH_CLIENTS_PREFIX").map(PathBuf::from).unwrap_or_else(|_| {
        let cache = std::env::var("XDG_CACHE_HOME").map(PathBuf::from).unwrap_or_else(|_| PathBuf::from(std::env::var("HOME").unwrap()).join(".cache"));
        cache.join("graph-clients")
    });
    if !prefix.join("venv/bin/python").exists() {
        assert!(std::env::var("CI").is_err(), "graph clients not installed in {} (.ci/run installs them)", prefix.display());
        eprintln!("skipped: graph clients not installed in {}", prefix.display());
        return;
    }
    for f in ["graph.graphml", "graph.json"] {
        let o = Command::new("bash").arg(&check).arg(out.join(f)).output().unwrap();
        let text = format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
        assert!(o.status.success(), "{f}:\n{text}");
        assert!(!text.contains("FAIL"), "{f}:\n{text}");
    }
}

#[test]
fn bad_inputs_are_named_and_the_rest_is_processed() {
    let dir = tempdir("bad-in");
    let jsonl = dir.join("docs.jsonl");
    std::fs::write(
        &jsonl,
        "{\"id\": \"a\", \"text\": \"中方愿同俄方一道。\", \"date\": \"2024-03-07\"}\n{\"id\": \"b\", \"text\": \n{\"id\": \"c\", \"text\": \"美方对华加征关税。\"}\n{\"id\": \"a\", \"text\": \"美方。\"}\n",
    )
    .unwrap();
    std::fs::write(dir.join("empty.txt"), "").unwrap();
    // Files of nothing as exports and scrapers leave them: an export of no record, a page saved
    // blank (white space and an ideographic space), a record whose text is blank. Each was
    // passed over without a word, or counted as a document of nothing.
    std::fs::write(dir.join("none.jsonl"), "").unwrap();
    std::fs::write(dir.join("blank.txt"), " \r\n\u{3000}\n").unwrap();
    std::fs::write(dir.join("blank-text.jsonl"), "{\"id\": \"e\", \"text\": \" \"}\n").unwrap();
    let out = tempdir("bad-out");
    let mut inputs = vec![jsonl.to_str().unwrap().to_string(), dir.join("empty.txt").to_str().unwrap().to_string(), "no/such/file.txt".to_string()];
    inputs.extend(["none.jsonl", "blank.txt", "blank-text.jsonl"].map(|f| dir.join(f).to_str().unwrap().to_string()));
    let o = extract(&inputs.iter().map(String::as_str).collect::<Vec<_>>(), &out);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("none.jsonl: empty file"), "{err}");
    assert!(err.contains("blank.txt: no text: 7 byte(s) of white space"), "{err}");
    assert!(err.contains("blank-text.jsonl:1: empty `text`"), "{err}");
    assert!(err.contains("docs.jsonl:2:"), "{err}");
    // A repeated id is named by its line too, with where it was first; the first record stands.
    assert!(err.contains(&format!("docs.jsonl:4: document id `a` seen before, at {}:1; skipped", jsonl.display())), "{err}");
    assert!(err.contains("empty.txt"), "{err}");
    assert!(err.contains("no/such/file.txt"), "{err}");
    let mentions = std::fs::read_to_string(out.join("mentions.jsonl")).unwrap();
    assert!(mentions.contains("\"doc\":\"a\"") && mentions.contains("\"doc\":\"c\""), "{mentions}");
}

#[test]
fn a_json_lines_file_of_another_shape_is_named_in_twenty_lines_not_one_per_line() {
    // A database export with `doc_id` and `content`: every line is skipped, 50 messages were.
    let dir = tempdir("shape");
    let jsonl = dir.join("export.jsonl");
    let lines: String = (1..=50).map(|i| format!("{{\"doc_id\": {i}, \"content\": \"中方愿同俄方一道。\"}}\n")).collect();
    std::fs::write(&jsonl, lines).unwrap();
    let out = tempdir("shape-out");
    let o = extract(&[jsonl.to_str().unwrap(), "tests/fixtures/sample"], &out);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 21, "{err}");
    assert!(lines[0].ends_with("export.jsonl:1: not a JSON record with `id` and `text`: missing field `id` at line 1 column 55"), "{err}");
    assert!(lines[19].contains("export.jsonl:20: "), "{err}");
    assert!(lines[20].ends_with("export.jsonl: 30 more of its lines, not shown (the last: line 50)"), "{err}");
}

#[test]
fn a_run_whose_stderr_reader_is_gone_still_finishes() {
    // `diplograph extract … 2>&1 | head`: the reader of stderr gone, the next message panicked
    // (exit 101), and a long run died at its next progress line.
    let dir = tempdir("no-reader");
    std::fs::write(dir.join("bad.jsonl"), "{bad\n").unwrap();
    let out = tempdir("no-reader-out");
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let status = bin()
        .args(["extract", "tests/fixtures/sample"])
        .arg(dir.join("bad.jsonl"))
        .arg("-o")
        .arg(&out)
        .stderr(writer)
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(1));
    assert!(out.join("graph.graphml").exists());
}

#[test]
fn listings_into_a_pipe_nobody_reads_end_quietly() {
    // `dict check | head`, `discover … | head`: println! panicked (exit 101), discover exited 2
    // with "<stdout>: Broken pipe".
    for args in [&["dict", "check"][..], &["discover", "tests/fixtures/sample"][..]] {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let o = bin().args(args).stdout(writer).stderr(std::process::Stdio::piped()).output().unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(0), "{args:?}: {err}");
        assert!(!err.contains("panicked") && !err.contains("Broken pipe"), "{args:?}: {err}");
    }
}

#[test]
fn a_second_run_into_a_folder_being_written_is_refused() {
    // Two runs into one folder (a job array's tasks all left at `-o output`): the second swept
    // the first's temporary files as a killed run's, and their outputs mixed. The folder is
    // held while a run writes (here by the test, as a run holds it); no lock file is left.
    let out = tempdir("held");
    let held = std::fs::File::open(&out).unwrap();
    held.try_lock().unwrap();
    let o = extract(&["tests/fixtures/sample"], &out);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("another diplograph run is writing into it"), "{err}");
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 0);
    drop(held);
    assert!(extract(&["tests/fixtures/sample"], &out).status.success());
    assert!(std::fs::read_dir(&out).unwrap().all(|e| !e.unwrap().file_name().to_string_lossy().starts_with('.')));
}

#[test]
fn strict_writes_nothing_and_keeps_the_previous_output() {
    let out = tempdir("strict");
    assert!(extract(&["tests/fixtures/sample"], &out).status.success());
    let before = std::fs::read(out.join("graph.graphml")).unwrap();
    let o = extract(&["tests/fixtures/sample", "no/such/file.txt", "--strict"], &out);
    assert_eq!(o.status.code(), Some(3), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(std::fs::read(out.join("graph.graphml")).unwrap(), before);
    let leftovers: Vec<_> = std::fs::read_dir(&out).unwrap().filter_map(|e| e.ok()).filter(|e| e.file_name().to_string_lossy().starts_with('.')).collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

#[cfg(unix)]
#[test]
fn outputs_take_the_users_umask_not_the_temporary_files_mode() {
    use std::os::unix::fs::PermissionsExt;
    for (umask, mode) in [("022", 0o644), ("027", 0o640)] {
        let out = tempdir(&format!("umask{umask}"));
        let o = Command::new("sh")
            .arg("-c")
            .arg(format!("umask {umask} && exec \"$0\" extract tests/fixtures/sample -o \"$1\" --quiet"))
            .arg(env!("CARGO_BIN_EXE_diplograph"))
            .arg(&out)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let mut files = 0;
        for entry in std::fs::read_dir(&out).unwrap() {
            let entry = entry.unwrap();
            let got = entry.metadata().unwrap().permissions().mode() & 0o777;
            assert_eq!(got, mode, "{:?} under umask {umask}: {got:o}", entry.file_name());
            files += 1;
        }
        assert!(files >= 12, "{files} files");
    }
}

#[test]
fn usage_errors_exit_2() {
    let out = tempdir("usage");
    let o = extract(&["tests/fixtures/sample", "--window", "chapter"], &out);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--window chapter"));
    // Thread counts the system cannot start (the run hung, its threads panicking as they
    // started), and a date range with nothing in it.
    for (args, says) in [(&["-j", "100000"][..], "at most 1024 threads"), (&["--from", "2024-03-01", "--to", "2024-02-01"], "is after --to")] {
        let o = extract(&[&["tests/fixtures/sample"][..], args].concat(), &out);
        assert_eq!(o.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&o.stderr).contains(says), "{}", String::from_utf8_lossy(&o.stderr));
    }
    // An output folder that is a file (it said "File exists (os error 17)", exit 3).
    let file = tempdir("usage-file").join("output");
    std::fs::write(&file, "notes").unwrap();
    let o = extract(&["tests/fixtures/sample"], &file);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("a file is there, not a folder"));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "notes");
}

/// The files of `dir`, name → bytes.
fn files(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir).unwrap().map(|e| e.unwrap()).map(|e| (e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path()).unwrap())).collect()
}

#[cfg(unix)]
#[test]
fn an_interrupted_run_removes_its_temporary_files_and_leaves_whole_outputs() {
    // A corpus long enough to be interrupted while it is written: the sample's documents
    // repeated as distinct ids in one JSON Lines file (24 MB).
    let dir = tempdir("interrupt-in");
    let texts: Vec<String> = std::fs::read_dir("tests/fixtures/sample")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    let mut lines = String::new();
    for i in 0..6000 {
        let text = &texts[i % texts.len()];
        lines.push_str(&serde_json::json!({"id": format!("doc-{i:05}"), "text": text}).to_string());
        lines.push('\n');
    }
    let corpus = dir.join("corpus.jsonl");
    std::fs::write(&corpus, lines).unwrap();
    let out = tempdir("interrupt-out");
    let corpus = corpus.to_str().unwrap();
    assert!(extract(&[corpus], &out).status.success());
    let before = files(&out);
    // The same run again, interrupted once its JSON Lines are being written.
    let child = bin().arg("extract").arg(corpus).arg("-o").arg(&out).arg("--quiet").stderr(std::process::Stdio::piped()).spawn().unwrap();
    let started = std::time::Instant::now();
    while !std::fs::read_dir(&out).unwrap().any(|e| e.unwrap().file_name().to_string_lossy().starts_with(".mentions.jsonl.")) {
        assert!(started.elapsed().as_secs() < 60, "no temporary file appeared");
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    assert!(Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap().success());
    let o = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    if o.status.success() {
        eprintln!("skipped: the run finished before the interruption reached it");
        return;
    }
    assert_eq!(o.status.code(), Some(130), "{err}");
    assert!(err.contains("interrupted;"), "{err}");
    // No temporary file is left, and every output in place is whole: the previous run's (the
    // same bytes as a whole file of this one's).
    assert_eq!(files(&out), before);
}

#[test]
fn a_killed_runs_temporary_files_are_removed_by_the_next() {
    let out = tempdir("sweep");
    // What a killed run leaves: its outputs' temporary files; and files that are not ours.
    for name in [".graph.graphml.AbC123", ".mentions.jsonl.x9Y8z7", ".graph.graphml.AbC1234", ".notes.txt.AbC123", ".keep"] {
        std::fs::write(out.join(name), "x").unwrap();
    }
    let o = bin().arg("extract").arg("tests/fixtures/sample").arg("-o").arg(&out).output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(err.contains("removed 2 temporary files a killed run had left"), "{err}");
    let hidden: Vec<String> = files(&out).into_keys().filter(|n| n.starts_with('.')).collect();
    assert_eq!(hidden, [".graph.graphml.AbC1234", ".keep", ".notes.txt.AbC123"]);
}
