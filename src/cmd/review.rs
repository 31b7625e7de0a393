//! `accord review import WORKBOOK [--sources DIR] [--release DIR]`: a translator workbook a
//! reviewer edited becomes alignment decisions in `sources/<slug>/alignment.toml`, which the
//! next `accord build` honours.

use std::path::PathBuf;

use clap::{Args as ClapArgs, Subcommand};

use crate::diag::display_path;
use crate::review;

#[derive(ClapArgs)]
pub struct Args {
    #[command(subcommand)]
    action: Action,
}

#[derive(Subcommand)]
enum Action {
    /// Read a reviewed workbook (out/xlsx/<doc>.xlsx) back into sources/<doc>/alignment.toml.
    Import(ImportArgs),
}

#[derive(ClapArgs)]
struct ImportArgs {
    /// The edited workbook.
    workbook: PathBuf,
    /// Folder of document folders, where the decisions are written.
    #[arg(long, default_value = "sources")]
    sources: PathBuf,
    /// The release the workbook came from [default: the folder above the workbook's folder].
    #[arg(long)]
    release: Option<PathBuf>,
}

pub fn run(args: Args) -> u8 {
    let Action::Import(args) = args.action;
    if !args.workbook.is_file() {
        eprintln!("accord review import: {} is not a file", display_path(&args.workbook));
        return super::EXIT_USAGE;
    }
    let release = args.release.clone().unwrap_or_else(|| {
        args.workbook.parent().and_then(|p| p.parent()).map(PathBuf::from).unwrap_or_else(|| PathBuf::from("."))
    });
    let import = match review::import(&args.workbook, &args.sources, &release) {
        Ok(import) => import,
        Err(diagnostics) => {
            for d in &diagnostics {
                eprintln!("{d}");
            }
            eprintln!("review import failed: {} errors; nothing written", diagnostics.len());
            return super::EXIT_INVALID;
        }
    };
    let tmp = import.path.with_extension("toml.tmp");
    if let Err(e) = std::fs::write(&tmp, &import.text).and_then(|()| std::fs::rename(&tmp, &import.path)) {
        eprintln!("accord review import: cannot write {}: {e}", display_path(&import.path));
        return super::EXIT_USAGE;
    }
    eprintln!(
        "review import: {}: {} approved, {} corrected, {} rejected; {} pins and {} rejects in {}",
        import.slug,
        import.approved,
        import.corrected,
        import.rejected,
        import.pins,
        import.rejects,
        display_path(&import.path)
    );
    super::EXIT_OK
}
