//! Partials and merges: any split of a corpus with `extract --shard I/N --partial`, merged in
//! any order or as a tree, gives every output of a single `extract`, byte for byte.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_diplograph"))
}

fn tempdir(name: &str) -> PathBuf {
    common::tempdir("diplograph-partial", name)
}

fn ok(out: Output, what: &str) {
    assert!(out.status.success(), "{what}: {}", String::from_utf8_lossy(&out.stderr));
}

fn extract(corpus: &Path, out: &Path, extra: &[&str]) {
    let mut cmd = bin();
    cmd.arg("extract").arg(corpus).arg("-o").arg(out).args(["-q", "-j", "2"]).args(extra);
    ok(cmd.output().unwrap(), &format!("extract {extra:?}"));
}

fn merge(parts: &[&Path], out: &Path, extra: &[&str]) -> Output {
    bin().arg("merge").args(parts).arg("-o").arg(out).arg("-q").args(extra).output().unwrap()
}

/// Every file of `a` is in `b` with the same bytes, and the other way round.
fn same_outputs(a: &Path, b: &Path, what: &str) {
    let names = |d: &Path| {
        let mut v: Vec<String> = std::fs::read_dir(d).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
        v.sort();
        v
    };
    assert_eq!(names(a), names(b), "{what}: different files");
    for f in names(a) {
        let (x, y) = (std::fs::read(a.join(&f)).unwrap(), std::fs::read(b.join(&f)).unwrap());
        assert!(x == y, "{what}: {f} differs from the single run");
    }
}

/// `tests/fixtures/sample`, and every 4th file of `../shared/corpus/zh` when it is there.
fn corpora(tmp: &Path) -> Vec<PathBuf> {
    let mut out = vec![PathBuf::from("tests/fixtures/sample")];
    let zh = Path::new("../shared/corpus/zh");
    if zh.is_dir() {
        let dir = tmp.join("zh4");
        std::fs::create_dir_all(&dir).unwrap();
        let mut files: Vec<PathBuf> = std::fs::read_dir(zh)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "txt"))
            .collect();
        files.sort();
        for f in files.iter().step_by(4) {
            std::fs::copy(f, dir.join(f.file_name().unwrap())).unwrap();
        }
        out.push(dir);
    }
    out
}

#[test]
fn shards_merged_in_any_order_or_tree_give_the_single_run() {
    let tmp = tempdir("shards");
    for (c, corpus) in corpora(&tmp).iter().enumerate() {
        let single = tmp.join(format!("single{c}"));
        extract(corpus, &single, &[]);
        let whole = tmp.join(format!("whole{c}"));
        extract(corpus, &whole, &["--partial"]);
        for n in [2usize, 3, 8] {
            let parts: Vec<PathBuf> = (0..n)
                .map(|i| {
                    let p = tmp.join(format!("c{c}-n{n}-p{i}"));
                    extract(corpus, &p, &["--partial", "--shard", &format!("{i}/{n}")]);
                    p
                })
                .collect();
            let refs: Vec<&Path> = parts.iter().map(|p| p.as_path()).collect();
            // In order, reversed, rotated.
            let mut orders = vec![refs.clone(), refs.iter().rev().copied().collect()];
            orders.push(refs.iter().cycle().skip(n / 2).take(n).copied().collect());
            for (k, order) in orders.iter().enumerate() {
                let out = tmp.join(format!("c{c}-n{n}-order{k}"));
                ok(merge(order, &out, &[]), "merge");
                same_outputs(&single, &out, &format!("{} in {n} shards, order {k}", corpus.display()));
            }
            // A tree: odd shards and even shards merged into partials, then those two.
            let odd: Vec<&Path> = refs.iter().skip(1).step_by(2).copied().collect();
            let even: Vec<&Path> = refs.iter().step_by(2).copied().collect();
            let (a, b) = (tmp.join(format!("c{c}-n{n}-odd")), tmp.join(format!("c{c}-n{n}-even")));
            ok(merge(&odd, &a, &["--partial"]), "merge --partial");
            ok(merge(&even, &b, &["--partial"]), "merge --partial");
            let both = tmp.join(format!("c{c}-n{n}-both"));
            ok(merge(&[&a, &b], &both, &["--partial"]), "merge --partial");
            // A partial merged from shards is the partial of the whole corpus.
            same_outputs(&whole, &both, &format!("{} partial of {n} shards", corpus.display()));
            let out = tmp.join(format!("c{c}-n{n}-tree"));
            ok(merge(&[&b, &a], &out, &[]), "merge of the tree");
            same_outputs(&single, &out, &format!("{} in {n} shards, as a tree", corpus.display()));
        }
    }
    let _ = std::fs::remove_dir_all(&tmp);
}

#[test]
fn the_inputs_skipped_or_mended_are_listed_once_in_run_json_however_split() {
    // A corpus with a broken record and a record mended (a cut emoji): each shard reads every
    // file, but each such line is the skip or mend of one shard only, and the merge lists it
    // once, as the single run does.
    let tmp = tempdir("lost");
    let corpus = tmp.join("corpus");
    std::fs::create_dir_all(&corpus).unwrap();
    for f in std::fs::read_dir("tests/fixtures/sample").unwrap() {
        let f = f.unwrap().path();
        std::fs::copy(&f, corpus.join(f.file_name().unwrap())).unwrap();
    }
    std::fs::write(
        corpus.join("posts.jsonl"),
        concat!(
            "{\"id\": \"p1\", \"text\": \"中方愿同俄方一道。\"}\n",
            "{\"id\": \"p2\", \"text\": [\"中方\"]}\n",
            "{\"id\": \"p3\", \"text\": \"外交部发言人表示，中德关系很重要\\ud83d\"}\n",
        ),
    )
    .unwrap();
    // (Exit 1: some inputs skipped or mended; a shard that met none of them exits 0.)
    let run = |out: &Path, extra: &[&str]| {
        let o = bin().arg("extract").arg(&corpus).arg("-o").arg(out).args(["-q", "-j", "2"]).args(extra).output().unwrap();
        assert!(matches!(o.status.code(), Some(0 | 1)), "{}", String::from_utf8_lossy(&o.stderr));
        o.status.code()
    };
    let single = tmp.join("single");
    assert_eq!(run(&single, &[]), Some(1));
    let parts: Vec<PathBuf> = (0..3)
        .map(|i| {
            let p = tmp.join(format!("p{i}"));
            run(&p, &["--partial", "--shard", &format!("{i}/3")]);
            p
        })
        .collect();
    let merged = tmp.join("merged");
    ok(merge(&[&parts[2], &parts[0], &parts[1]], &merged, &[]), "merge");
    same_outputs(&single, &merged, "a corpus with skipped and mended inputs in 3 shards");
    let run_json: serde_json::Value = serde_json::from_slice(&std::fs::read(single.join("run.json")).unwrap()).unwrap();
    let listed = |key: &str| -> Vec<(String, u64)> {
        run_json["inputs"][key].as_array().unwrap().iter().map(|l| (l["input"].as_str().unwrap().to_string(), l["line"].as_u64().unwrap())).collect()
    };
    let posts = corpus.join("posts.jsonl").display().to_string();
    assert_eq!(listed("skipped"), [(posts.clone(), 2)], "{run_json}");
    assert_eq!(listed("mended"), [(posts, 3)], "{run_json}");
    assert!(run_json["inputs"]["skipped"][0]["reason"].as_str().unwrap().contains("expected a string"), "{run_json}");
    // The report page shows them too, for a reader who never saw stderr.
    let report = std::fs::read_to_string(single.join("report.html")).unwrap();
    assert!(report.contains("<h2>Inputs skipped</h2>") && report.contains("<h2>Inputs mended</h2>"), "{report}");
    let _ = std::fs::remove_dir_all(&tmp);
}

#[test]
fn single_run_lists_documents_by_id() {
    // File order puts `a-b.txt` before `a.txt` ('-' < '.'); id order puts `a` first.
    let tmp = tempdir("order");
    let corpus = tmp.join("corpus");
    std::fs::create_dir_all(&corpus).unwrap();
    std::fs::write(corpus.join("a-b.txt"), "中方愿同俄方一道，推动中美关系稳定发展。").unwrap();
    std::fs::write(corpus.join("a.txt"), "外交部发言人表示，中德关系很重要。").unwrap();
    extract(&corpus, &tmp.join("out"), &[]);
    let docs: Vec<String> = std::fs::read_to_string(tmp.join("out/mentions.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["doc"].as_str().unwrap().to_string())
        .collect();
    let mut sorted = docs.clone();
    sorted.sort();
    assert_eq!(docs, sorted);
    assert_eq!(docs.first().map(String::as_str), Some("a"));
    let _ = std::fs::remove_dir_all(&tmp);
}

#[test]
fn incompatible_or_overlapping_partials_are_refused() {
    let tmp = tempdir("refused");
    let sample = Path::new("tests/fixtures/sample");
    let (a, b, c) = (tmp.join("a"), tmp.join("b"), tmp.join("c"));
    extract(sample, &a, &["--partial", "--shard", "0/2"]);
    extract(sample, &b, &["--partial", "--shard", "0/2"]);
    extract(sample, &c, &["--partial", "--shard", "1/2", "--window", "paragraph"]);
    // The same documents in two partials: an error naming both.
    let out = merge(&[&a, &b], &tmp.join("o1"), &[]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains(a.to_str().unwrap()) && err.contains(b.to_str().unwrap()), "{err}");
    assert!(err.contains("in two partials"), "{err}");
    // Other options.
    let out = merge(&[&a, &c], &tmp.join("o2"), &[]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("window=sentence vs window=paragraph"), "{err}");
    // Another version.
    let manifest = std::fs::read_to_string(c.join("partial.json")).unwrap();
    let version = format!("\"diplograph\":\"{}\"", env!("CARGO_PKG_VERSION"));
    std::fs::write(c.join("partial.json"), manifest.replace(&version, "\"diplograph\":\"0.0.0-other\"")).unwrap();
    let out = merge(&[&a, &c], &tmp.join("o3"), &[]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("0.0.0-other"), "{err}");
    // Other dictionaries.
    let dict = tmp.join("dict");
    std::fs::create_dir_all(&dict).unwrap();
    std::fs::write(dict.join("countries.tsv"), "id\tlabel\ten\taliases\tsource\nXXA\t某国\tSomeland\t\ttest\n").unwrap();
    let out = merge(&[&a], &tmp.join("o4"), &["--dict", dict.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("dictionaries"), "{err}");
    // Not a partial.
    let out = merge(&[sample], &tmp.join("o5"), &[]);
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("not a partial"));
    let _ = std::fs::remove_dir_all(&tmp);
}
