//! `diplograph dict check`: the shipped dictionaries pass; a folder with known problems fails
//! and each problem is named with its file and line.

use std::process::Command;

fn check(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_diplograph")).arg("dict").arg("check").args(args).output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).to_string())
}

#[test]
fn shipped_dictionaries_pass() {
    let (code, out) = check(&[]);
    assert_eq!(code, 0, "{out}");
    assert!(out.lines().last().unwrap().contains(" 0 errors"), "{out}");
    assert!(!out.lines().any(|l| l.starts_with("error:")), "{out}");
}

#[test]
fn shipped_folder_alone_passes() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/dictionaries");
    let (code, out) = check(&["--no-default-dict", dir]);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn a_folder_with_problems_fails_with_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("countries.tsv"),
        "id\tlabel\ten\taliases\tsource\nusa\t美利坚\tUSA-typo\t\ttest\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("leaders.tsv"),
        "# a test folder\n\
         id\tlabel\ten\taliases\tcountry\troles\tsource\n\
         test-leader\t泰斯特\tTest Leader\t普京\tATL\t总统@2020-01-01..2022-12-31;总统@2022-06-01..\ttest\n",
    )
    .unwrap();
    let (code, out) = check(&[dir.path().to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    let d = dir.path().display();
    let want = [
        format!("error: {d}/countries.tsv:2: id `usa` is not an upper-case ISO 3166-1 alpha-3 code"),
        format!("error: {d}/leaders.tsv:3: `test-leader`: alias `普京` also names `vladimir-putin` (<embedded>/leaders.tsv:"),
        format!("error: {d}/leaders.tsv:3: `test-leader`: role `总统` is listed twice with overlapping dates"),
        format!("error: {d}/leaders.tsv:3: `test-leader`: unknown country `ATL`"),
    ];
    for w in &want {
        assert!(out.lines().any(|l| l.starts_with(w.as_str())), "missing `{w}` in\n{out}");
    }
    // The other side of the duplicate is named too.
    assert!(out.lines().any(|l| l.starts_with("error: <embedded>/leaders.tsv:") && l.contains(&format!("also names `test-leader` ({d}/leaders.tsv:3)"))), "{out}");
}
