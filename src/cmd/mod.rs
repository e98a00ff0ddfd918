//! cmd: the curator subcommands, one module each with its arguments, `run` and tests
//! (`dict check` lints the dictionaries, `discover` proposes entries from a corpus).

pub mod dict;
pub mod discover;
