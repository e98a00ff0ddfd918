//! The diplograph command: parses arguments, runs the library, prints a summary and picks
//! the exit code (0 all went well, 1 some inputs were skipped, 2 usage or dictionary error,
//! 3 the run failed and wrote nothing).

mod cli;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;

use cli::{Cli, Command, ExtractArgs};
use diplograph::{Error, Report};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let args = match cli.command {
        Some(Command::Extract(a)) => a,
        None => ExtractArgs { inputs: vec![cli::sample_dir()], output: "output".into(), window: "sentence".into(), node_types: "country,region,leader,organization".into(), ..ExtractArgs::default() },
    };
    match extract(&args) {
        Ok(report) if report.skipped.is_empty() => ExitCode::SUCCESS,
        Ok(_) => ExitCode::from(1),
        Err(e @ (Error::Usage(_) | Error::Dictionary { .. })) => {
            eprintln!("diplograph: error: {e:#}");
            ExitCode::from(2)
        }
        Err(e) => {
            eprintln!("diplograph: error: {e:#}");
            ExitCode::from(3)
        }
    }
}

fn extract(args: &ExtractArgs) -> Result<Report, Error> {
    let cfg = args.config()?;
    let quiet = args.quiet;
    let tty = std::io::stderr().is_terminal();
    let report = diplograph::run(&cfg, |r| {
        if !quiet && tty {
            eprint!("\r{} documents, {:.1} MB, {:.1} MB/s   ", r.documents, r.bytes as f64 / 1e6, r.mb_per_s());
        }
    })?;
    if !quiet && tty {
        eprintln!();
    }
    for e in &report.skipped {
        eprintln!("diplograph: skipped: {e:#}");
    }
    if !quiet {
        let per_type: Vec<String> = report.mentions.iter().map(|(k, v)| format!("{k} {v}")).collect();
        eprintln!(
            "documents {} ({} skipped), mentions {} [{}], nodes {}, edges {}, {:.2} s, {:.1} MB/s -> {}",
            report.documents,
            report.skipped.len(),
            report.mentions.values().sum::<usize>(),
            per_type.join(", "),
            report.nodes,
            report.edges,
            report.seconds,
            report.mb_per_s(),
            cfg.output.display()
        );
    }
    Ok(report)
}
