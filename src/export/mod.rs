//! export: writes the outputs — `mentions.jsonl`, `graph.graphml`, `graph.json` — each to a
//! temporary file in the output folder that is renamed into place only when complete, so an
//! interrupted run never leaves a half-written file and a previous good output survives.

pub mod graphml;
pub mod json;
pub mod mentions;

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::Error;

/// A number as JSON and GraphML want it: integral values without a fraction.
pub fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 9.0e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// An output file being written: a temporary file beside its final path.
pub struct Output {
    tmp: tempfile::NamedTempFile,
    path: PathBuf,
    writer: Option<std::io::BufWriter<std::fs::File>>,
}

impl Output {
    /// Starts `dir/name`.
    pub fn create(dir: &Path, name: &str) -> Result<Output, Error> {
        let path = dir.join(name);
        let tmp = tempfile::Builder::new()
            .prefix(&format!(".{name}."))
            .tempfile_in(dir)
            .map_err(|e| Error::io(&path, e))?;
        let file = tmp.as_file().try_clone().map_err(|e| Error::io(&path, e))?;
        Ok(Output { tmp, path, writer: Some(std::io::BufWriter::with_capacity(1 << 16, file)) })
    }

    /// The writer.
    pub fn writer(&mut self) -> &mut std::io::BufWriter<std::fs::File> {
        self.writer.as_mut().expect("output already finished")
    }

    /// Flushes and renames the file into place.
    pub fn finish(mut self) -> Result<PathBuf, Error> {
        let path = self.path.clone();
        let mut w = self.writer.take().expect("output already finished");
        w.flush().map_err(|e| Error::io(&path, e))?;
        w.get_ref().sync_all().map_err(|e| Error::io(&path, e))?;
        drop(w);
        self.tmp.persist(&path).map_err(|e| Error::io(&path, e.error))?;
        Ok(path)
    }
}

/// Writes a whole file atomically.
pub fn write_file(dir: &Path, name: &str, f: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> Result<PathBuf, Error> {
    let mut out = Output::create(dir, name)?;
    let path = dir.join(name);
    f(out.writer()).map_err(|e| Error::io(&path, e))?;
    out.finish()
}

/// XML text and attribute escaping, and removal of the control characters XML 1.0 forbids.
pub struct Escaped<'a>(pub &'a str);

impl std::fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for c in self.0.chars() {
            match c {
                '&' => f.write_str("&amp;")?,
                '<' => f.write_str("&lt;")?,
                '>' => f.write_str("&gt;")?,
                '"' => f.write_str("&quot;")?,
                '\'' => f.write_str("&apos;")?,
                '\t' | '\n' | '\r' => f.write_str(" ")?,
                c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {}
                c => write!(f, "{c}")?,
            }
        }
        Ok(())
    }
}
