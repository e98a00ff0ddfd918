//! The diplograph command: parses arguments, runs the library, prints a summary and picks
//! the exit code (0 all went well, 1 some inputs were skipped or mended, 2 usage or dictionary error,
//! 3 the run failed and wrote nothing (every input skipped, or --strict), 130 interrupted).

/// `eprintln!` that never panics: with the reader of stderr gone (`2>&1 | head`, a pager quit,
/// a log collector that died), the next message panicked, exit 101, and a long run died at its
/// next progress line, its outputs unwritten.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

mod cli;
mod cmd;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;

use cli::{Cli, Command, ExtractArgs, MergeArgs};
use diplograph::{Error, Report};

/// jemalloc, not the system allocator: a run frees on one thread what workers allocated on
/// another (each batch's results, folded on one thread), and glibc's arenas made the threads
/// wait on each other's locks; jemalloc's thread caches do not (corpus/zh: -j 2 18 % faster,
/// -j 1 10 %, peak memory alike).
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> ExitCode {
    on_interrupt();
    let cli = Cli::parse();
    let args = match cli.command {
        Some(Command::Extract(a)) => a,
        Some(Command::Merge(m)) => return exit(merge(&m)),
        Some(Command::Dict(d)) => return curate(cmd_dict(&d)),
        Some(Command::Discover(d)) => {
            // A reader that stopped reading (`discover … | head`) took what it wanted: no error.
            let listed = match cmd::discover::run(&d, &mut std::io::stdout().lock()) {
                Err(Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                other => other.map(|_| ()),
            };
            return curate(listed.map(|()| false));
        }
        None => ExtractArgs { inputs: vec![cli::sample_dir()], output: "output".into(), window: "sentence".into(), node_types: "country,region,leader,organization".into(), ..ExtractArgs::default() },
    };
    exit(extract(&args))
}

/// On Ctrl-C, SIGTERM or SIGHUP: the unfinished output files are removed (each output is
/// written to a temporary file and renamed into place when whole, so the outputs in place are
/// all whole, of this run or the one before) and the command exits with 130. Without this, an
/// interrupted run left its temporary files (57 MB of JSON Lines for corpus/zh) hidden in the
/// output folder.
fn on_interrupt() {
    // If no handler can be set, an interruption leaves temporary files, which the next run
    // into the folder removes.
    let _ = ctrlc::set_handler(|| {
        match diplograph::export::remove_temporaries() {
            0 => say!("diplograph: interrupted"),
            n => say!("diplograph: interrupted; {n} unfinished output files removed, the outputs in place left as they were"),
        }
        std::process::exit(130);
    });
}

/// A note that the run removed what a killed run had left in its output folder.
fn swept(report: &Report, output: &std::path::Path) {
    if report.swept > 0 {
        say!("diplograph: removed {} temporary files a killed run had left in {}", report.swept, output.display());
    }
}

/// `dict`'s subcommands; true when the check found errors.
fn cmd_dict(args: &cmd::dict::DictArgs) -> Result<bool, Error> {
    match &args.command {
        cmd::dict::DictCommand::Check(c) => cmd::dict::check(c),
    }
}

/// The exit code of a curator tool: 0 clean, 1 problems found, 2 usage or dictionary error.
fn curate(result: Result<bool, Error>) -> ExitCode {
    match result {
        Ok(false) => ExitCode::SUCCESS,
        Ok(true) => ExitCode::from(1),
        Err(e) => {
            say!("diplograph: error: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// The exit code of a run's result, printing the error.
fn exit(result: Result<Report, Error>) -> ExitCode {
    match result {
        Ok(report) if report.skipped.is_empty() && report.repaired.is_empty() => ExitCode::SUCCESS,
        Ok(_) => ExitCode::from(1),
        Err(e @ (Error::Usage(_) | Error::Dictionary { .. })) => {
            say!("diplograph: error: {e:#}");
            ExitCode::from(2)
        }
        Err(e) => {
            say!("diplograph: error: {e:#}");
            ExitCode::from(3)
        }
    }
}

fn merge(args: &MergeArgs) -> Result<Report, Error> {
    let cfg = args.config();
    let report = diplograph::merge::run(&cfg)?;
    if !args.quiet {
        swept(&report, &cfg.output);
        say!(
            "merged {} partials: documents {}, mentions {}, events {}, nodes {}, edges {}, {:.2} s -> {}",
            cfg.partials.len(),
            report.documents,
            report.mentions.values().sum::<usize>(),
            report.events,
            report.nodes,
            report.edges,
            report.seconds,
            cfg.output.display()
        );
    }
    Ok(report)
}

fn extract(args: &ExtractArgs) -> Result<Report, Error> {
    let cfg = args.config()?;
    let progress = Progress::new(args.quiet);
    let report = diplograph::run(&cfg, |r| progress.update(r))?;
    progress.finish();
    print_inputs("skipped", &report.skipped);
    print_inputs("mended", &report.repaired);
    if !args.quiet {
        swept(&report, &cfg.output);
        let per_type: Vec<String> = report.mentions.iter().map(|(k, v)| format!("{k} {v}")).collect();
        say!(
            "documents {} ({} skipped{}), mentions {} [{}], events {}, nodes {}, edges {}, {:.2} s ({:.2} s setup), {:.1} MB/s ({:.1} MB/s after setup, {:.0} documents/s), peak RSS {} MB -> {}",
            report.documents,
            report.skipped.len(),
            if report.repaired.is_empty() { String::new() } else { format!(", {} mended", report.repaired.len()) },
            report.mentions.values().sum::<usize>(),
            per_type.join(", "),
            report.events,
            report.nodes,
            report.edges,
            report.seconds,
            report.setup_seconds,
            report.mb_per_s(),
            report.mb_per_s_after_setup(),
            report.documents as f64 / report.seconds.max(1e-9),
            peak_rss_mb().map_or("?".to_string(), |m| m.to_string()),
            cfg.output.display()
        );
    }
    Ok(report)
}

/// Messages about one file's lines printed, at most: a JSON Lines file of some other shape (a
/// database export's `content` for `text`) gave one message per line, 50,000 of them.
const LINES_SHOWN: usize = 20;

/// Prints the inputs a run skipped or mended (`what`), one message each but at most
/// [`LINES_SHOWN`] of one file's lines, then how many more of its lines there were.
fn print_inputs(what: &str, inputs: &[Error]) {
    let mut per_file: std::collections::BTreeMap<&std::path::Path, (usize, usize)> = Default::default();
    for e in inputs {
        if let Error::Input { path, line: Some(line), .. } = e {
            let (count, last) = per_file.entry(path).or_default();
            *count += 1;
            *last = *line;
            if *count > LINES_SHOWN {
                continue;
            }
        }
        say!("diplograph: {what}: {e:#}");
    }
    for (path, (count, last)) in per_file.into_iter().filter(|&(_, (count, _))| count > LINES_SHOWN) {
        say!("diplograph: {what}: {}: {} more of its lines, not shown (the last: line {last})", path.display(), count - LINES_SHOWN);
    }
}

/// Progress on stderr: a bar (documents, MB, MB/s, ETA) on a terminal, a plain line every ten
/// seconds otherwise, nothing with `--quiet`.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
    plain: bool,
    last: std::cell::Cell<std::time::Instant>,
    /// Bytes and seconds at the first update: the rate is measured from there.
    first: std::cell::Cell<Option<(usize, f64)>>,
}

impl Progress {
    fn new(quiet: bool) -> Progress {
        let tty = std::io::stderr().is_terminal();
        let bar = (!quiet && tty).then(|| {
            let bar = indicatif::ProgressBar::new(0);
            bar.set_style(
                indicatif::ProgressStyle::with_template("{bar:30} {decimal_bytes}/{decimal_total_bytes} {msg}")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            bar
        });
        Progress { bar, plain: !quiet && !tty, last: std::cell::Cell::new(std::time::Instant::now()), first: Default::default() }
    }

    fn update(&self, r: &Report) {
        let first = self.first.get().unwrap_or((r.bytes, r.seconds));
        self.first.set(Some(first));
        let eta = eta(r, first);
        if let Some(bar) = &self.bar {
            bar.set_length(r.expected_bytes.max(r.bytes as u64));
            bar.set_position(r.bytes as u64);
            bar.set_message(format!("{:.1} MB/s{eta}, {} documents", r.mb_per_s(), r.documents));
        } else if self.plain && self.last.get().elapsed().as_secs() >= 10 {
            self.last.set(std::time::Instant::now());
            let pct = if r.expected_bytes > 0 { 100.0 * r.bytes as f64 / r.expected_bytes as f64 } else { 0.0 };
            say!(
                "diplograph: {} documents, {:.1} MB ({pct:.0}%), {:.1} MB/s{eta}",
                r.documents,
                r.bytes as f64 / 1e6,
                r.mb_per_s()
            );
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// ", ETA 3m 05s": the bytes left at the rate since the first update (`first`, its bytes and
/// seconds). indicatif's own estimate said 25-29 s at first for a run of 7 s: it counts the setup
/// and warms up over seconds, and an update counts a batch fewer than has been processed (the
/// results of one are folded while the next is processed), which a rate between updates does
/// not see. Nothing before there are two updates, or without the corpus's size (standard input).
fn eta(r: &Report, first: (usize, f64)) -> String {
    let (done, total) = (r.bytes as u64, r.expected_bytes);
    let rate = (r.bytes.saturating_sub(first.0)) as f64 / (r.seconds - first.1);
    if total <= done || !rate.is_finite() || rate <= 0.0 {
        return String::new();
    }
    let s = ((total - done) as f64 / rate).round() as u64;
    match s {
        0..60 => format!(", ETA {s}s"),
        60..3600 => format!(", ETA {}m {:02}s", s / 60, s % 60),
        _ => format!(", ETA {}h {:02}m", s / 3600, s % 3600 / 60),
    }
}

/// Peak resident memory of this process in MB, from /proc (Linux); None elsewhere.
fn peak_rss_mb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eta_is_the_bytes_left_at_the_rate_since_the_first_update() {
        let at = |bytes: usize, expected: u64, seconds: f64| Report { bytes, expected_bytes: expected, seconds, ..Report::default() };
        // 4 MB done at 0.5 s, 12 MB at 1.5 s: 8 MB/s, 96 MB left.
        assert_eq!(eta(&at(12_000_000, 108_000_000, 1.5), (4_000_000, 0.5)), ", ETA 12s");
        assert_eq!(eta(&at(12_000_000, 1_000_000_000, 1.5), (4_000_000, 0.5)), ", ETA 2m 04s");
        assert_eq!(eta(&at(12_000_000, 100_000_000_000, 1.5), (4_000_000, 0.5)), ", ETA 3h 28m");
        // The first update, a corpus of unknown size (standard input), the last bytes.
        assert_eq!(eta(&at(4_000_000, 108_000_000, 0.5), (4_000_000, 0.5)), "");
        assert_eq!(eta(&at(12_000_000, 0, 1.5), (4_000_000, 0.5)), "");
        assert_eq!(eta(&at(108_000_000, 108_000_000, 9.0), (4_000_000, 0.5)), "");
    }
}
