//! The command line: one file per subcommand, as in xsv. Each `run` returns an exit code.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

pub mod align;
pub mod build;
pub mod eval;
pub mod inspect;
pub mod merge;
pub mod review;
pub mod validate;

/// Exit codes of the CLI contract (DESIGN §4).
pub const EXIT_OK: u8 = 0;
pub const EXIT_INVALID: u8 = 1;
pub const EXIT_USAGE: u8 = 2;

#[derive(Parser)]
#[command(
    name = "accord",
    version,
    about = "Aligned multilingual datasets from the language versions of official documents"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the release: read sources/, validate, align, export to out/.
    Build(build::Args),
    /// Check sources (default sources/) against the source rules and schemas.
    Validate(validate::Args),
    /// Align the lines of two plain files and print beads.
    Align(align::Args),
    /// Score the aligner against a gold corpus.
    Eval(eval::Args),
    /// Print the parsed model of a source file or document folder.
    Inspect(inspect::Args),
    /// Read a reviewer's decisions back: `accord review import out/xlsx/<doc>.xlsx`.
    Review(review::Args),
    /// Combine the parts of a sharded build (`build --shard I/N`) into one release.
    Merge(merge::Args),
}

/// Sizes the thread pool once, before any parallel work.
pub fn set_jobs(jobs: usize) -> Result<(), u8> {
    if jobs == 0 {
        eprintln!("accord: --jobs must be at least 1");
        return Err(EXIT_USAGE);
    }
    rayon::ThreadPoolBuilder::new().num_threads(jobs).build_global().map_err(|e| {
        eprintln!("accord: cannot start {jobs} threads: {e}");
        EXIT_USAGE
    })
}

pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_USAGE } else { EXIT_OK };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let code = match cli.command {
        Command::Build(args) => build::run(args),
        Command::Validate(args) => validate::run(args),
        Command::Align(args) => align::run(args),
        Command::Eval(args) => eval::run(args),
        Command::Inspect(args) => inspect::run(args),
        Command::Review(args) => review::run(args),
        Command::Merge(args) => merge::run(args),
    };
    ExitCode::from(code)
}
