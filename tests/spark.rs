//! The Spark driver (`examples/spark/diplograph_spark.py`) in local mode gives every output of
//! a single `extract`, byte for byte. Needs pyspark and Java: `.ci/run` installs them; without
//! them the test is skipped with a message, unless `CI` is set, where it fails.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

/// A python that imports pyspark: `$DIPLOGRAPH_SPARK_PYTHON`, the venv `.ci/run` makes, or
/// `python3`.
fn spark_python() -> Option<PathBuf> {
    let mut candidates: Vec<PathBuf> = std::env::var_os("DIPLOGRAPH_SPARK_PYTHON").map(PathBuf::from).into_iter().collect();
    if let Some(home) = std::env::var_os("HOME") {
        candidates.push(Path::new(&home).join(".cache/diplograph-spark/venv/bin/python"));
    }
    candidates.push("python3".into());
    candidates.into_iter().find(|py| Command::new(py).args(["-c", "import pyspark"]).output().is_ok_and(|o| o.status.success()))
}

fn same_outputs(a: &Path, b: &Path) {
    let names = |d: &Path| {
        let mut v: Vec<String> = std::fs::read_dir(d).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
        v.sort();
        v
    };
    assert_eq!(names(a), names(b), "different files");
    for f in names(a) {
        assert!(std::fs::read(a.join(&f)).unwrap() == std::fs::read(b.join(&f)).unwrap(), "{f}: Spark differs from the single run");
    }
}

#[test]
fn spark_local_gives_the_single_run() {
    let Some(python) = spark_python() else {
        assert!(std::env::var_os("CI").is_none(), "CI is set but pyspark is not installed (.ci/run installs it)");
        eprintln!("skipped: pyspark is not installed (python3 -m pip install pyspark, or run .ci/run)");
        return;
    };
    let tmp = common::tempdir("diplograph-spark", "run");
    let corpus = tmp.join("corpus");
    std::fs::create_dir_all(&corpus).unwrap();
    // A few hundred documents: every 8th file of ../shared/corpus/zh, else the bundled sample.
    let zh = Path::new("../shared/corpus/zh");
    let source = if zh.is_dir() { zh } else { Path::new("tests/fixtures/sample") };
    let mut files: Vec<PathBuf> = std::fs::read_dir(source)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    let step = if zh.is_dir() { 8 } else { 1 };
    for (i, f) in files.iter().step_by(step).enumerate() {
        // Every third file gzipped and every fifth upper case, as archives hand them over:
        // Spark unzips and the driver names them as `extract` does.
        let mut name = f.file_name().unwrap().to_str().unwrap().to_string();
        if i % 5 == 4 {
            name = name.replace(".txt", ".TXT");
        }
        if i % 3 == 2 {
            use std::io::Write;
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            gz.write_all(&std::fs::read(f).unwrap()).unwrap();
            std::fs::write(corpus.join(name + ".gz"), gz.finish().unwrap()).unwrap();
        } else {
            std::fs::copy(f, corpus.join(name)).unwrap();
        }
    }
    let bin = env!("CARGO_BIN_EXE_diplograph");
    let single = tmp.join("single");
    let out = Command::new(bin).arg("extract").arg(&corpus).arg("-o").arg(&single).arg("-q").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // 5 partitions, merges of 2: two levels of merges on the executors, the last on the driver.
    let spark = tmp.join("spark");
    let out = Command::new(&python)
        .arg("examples/spark/diplograph_spark.py")
        .arg(&corpus)
        .arg(&spark)
        .args(["--binary", bin, "--master", "local[2]", "--partitions", "5", "--fan-in", "2"])
        .env("SPARK_LOCAL_IP", "127.0.0.1")
        .env("PYSPARK_PYTHON", &python)
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "the Spark driver failed:\n{log}");
    assert!(log.contains("diplograph_spark: 5 partitions"), "{log}");
    same_outputs(&single, &spark);
    let _ = std::fs::remove_dir_all(&tmp);
}
