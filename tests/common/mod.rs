//! What the integration tests share: their scratch folders.

use std::path::PathBuf;

/// A fresh, empty folder `PREFIX-PID-NAME` in the system's temporary folder, for this test
/// process. The first call also removes the folders with this prefix that test processes no
/// longer running left there: a run of the suite leaves about 1 GB of outputs behind, and
/// runs over a few sessions had filled the disk (55 GB), failing the next run's writes.
pub fn tempdir(prefix: &str, name: &str) -> PathBuf {
    static SWEPT: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
    let root = std::env::temp_dir();
    let mut swept = SWEPT.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if !swept.iter().any(|p| p == prefix) {
        swept.push(prefix.to_string());
        sweep(&root, prefix);
    }
    drop(swept);
    let dir = root.join(format!("{prefix}-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Removes `root/PREFIX-PID-…` for every PID that is no process now (Linux, where /proc tells;
/// elsewhere nothing is removed).
fn sweep(root: &std::path::Path, prefix: &str) {
    if !cfg!(target_os = "linux") {
        return;
    }
    let Ok(entries) = std::fs::read_dir(root) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(|n| n.strip_prefix(prefix)?.strip_prefix('-')?.split('-').next()?.parse::<u32>().ok()) else {
            continue;
        };
        if pid != std::process::id() && !std::path::Path::new("/proc").join(pid.to_string()).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}
