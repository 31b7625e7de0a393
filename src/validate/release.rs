//! Checks a release folder against its `manifest.json`: every listed output present with its
//! size and sha256, nothing unlisted beside them (`accord validate --outputs DIR`).

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::cmd::validate::Report;
use crate::diag::{Diagnostic, Location, display_path};
use crate::export::sha256_hex;

/// Every file under `dir`, relative to it, with `/` separators.
fn files(dir: &Path) -> std::io::Result<BTreeSet<String>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeSet<String>) -> std::io::Result<()> {
        for entry in fs::read_dir(dir)? {
            let path = entry?.path();
            if path.is_dir() {
                walk(root, &path, out)?;
            } else if let Ok(rel) = path.strip_prefix(root) {
                out.insert(display_path(rel));
            }
        }
        Ok(())
    }
    let mut out = BTreeSet::new();
    walk(dir, dir, &mut out)?;
    Ok(out)
}

pub fn check(release: &Path) -> Result<Report, Diagnostic> {
    let manifest_path = release.join("manifest.json");
    let text = fs::read(&manifest_path).map_err(|e| crate::ingest::io_diagnostic(&manifest_path, &e))?;
    let mut report = Report { documents: 0, expressions: 0, errors: 0, warnings: 0, diagnostics: Vec::new(), bytes: 0 };
    let at = |path: &str| Location::new(&display_path(&release.join(path)), 0, 0);
    let manifest: Value = match serde_json::from_slice(&text) {
        Ok(v) => v,
        Err(e) => {
            report.diagnostics.push(Diagnostic::error(
                "release-bad-manifest",
                Location::new(&display_path(&manifest_path), e.line() as u32, e.column() as u32),
                format!("manifest.json is not JSON: {e}"),
                "rebuild the release with `accord build`",
            ));
            report.errors = 1;
            return Ok(report);
        }
    };
    let present = files(release).map_err(|e| crate::ingest::io_diagnostic(release, &e))?;
    let mut listed = BTreeSet::from(["manifest.json".to_string()]);
    for entry in manifest["outputs"].as_array().into_iter().flatten() {
        let path = entry["path"].as_str().unwrap_or_default().to_string();
        listed.insert(path.clone());
        let Ok(bytes) = fs::read(release.join(PathBuf::from(&path))) else {
            report.diagnostics.push(Diagnostic::error(
                "release-missing-file",
                at(&path),
                "listed in manifest.json but missing",
                "the release is incomplete: rebuild it",
            ));
            continue;
        };
        report.bytes += bytes.len() as u64;
        if entry["sha256"].as_str() != Some(sha256_hex(&bytes).as_str())
            || entry["bytes"].as_u64() != Some(bytes.len() as u64)
        {
            report.diagnostics.push(Diagnostic::error(
                "release-hash-mismatch",
                at(&path),
                "size or sha256 differs from manifest.json",
                "the file changed after the build: rebuild the release, or restore the file",
            ));
        }
    }
    for extra in present.difference(&listed) {
        report.diagnostics.push(Diagnostic::error(
            "release-extra-file",
            at(extra),
            "not listed in manifest.json",
            "remove the file, or rebuild the release",
        ));
    }
    report.documents = manifest["counts"]["documents"].as_u64().unwrap_or(0) as usize;
    report.expressions = manifest["counts"]["expressions"].as_u64().unwrap_or(0) as usize;
    report.errors = report.diagnostics.len();
    Ok(report)
}
