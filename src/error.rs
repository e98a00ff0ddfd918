//! error: everything the library can fail on, with the context a user needs to fix the input.

use std::path::PathBuf;

/// Everything the library can fail on; each input error names the file and, where it has one, the line.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A corpus, dictionary or output file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// A dictionary line does not parse; the message points at it.
    #[error("{path}:{line}: bad dictionary entry: {reason}")]
    Dictionary {
        /// The dictionary file (`<embedded>/NAME` for the built-in defaults).
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// What is wrong with it.
        reason: String,
    },
    /// An input document could not be turned into text.
    #[error("{path}{}: {reason}", line.map(|l| format!(":{l}")).unwrap_or_default())]
    Input {
        /// The input file (`-` for standard input).
        path: PathBuf,
        /// 1-based line number, for JSON Lines inputs.
        line: Option<usize>,
        /// What is wrong with it.
        reason: String,
    },
    /// The options do not fit together.
    #[error("{0}")]
    Usage(String),
    /// `--strict` and some inputs were skipped or mended: nothing was written.
    #[error("--strict: {skipped} input(s) skipped or mended, nothing written; first: {first}")]
    Strict {
        /// How many inputs were skipped or mended.
        skipped: usize,
        /// The first one's message.
        first: String,
    },
    /// Every input of a run that writes final outputs was skipped (a mistyped path, say):
    /// nothing was written, and the outputs of an earlier run stay as they were rather than
    /// being replaced by empty ones.
    #[error("no document could be read ({skipped} input(s) skipped), nothing written; first: {first}")]
    NothingRead {
        /// How many inputs were skipped.
        skipped: usize,
        /// The first one's message.
        first: String,
    },
    /// The dictionaries give the automaton more than it can hold.
    #[error("building the dictionary automaton: {0}")]
    Automaton(String),
}

impl Error {
    /// An I/O error on `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        Error::Io { path: path.into(), source }
    }
}
