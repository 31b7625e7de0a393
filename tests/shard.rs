//! Scale-out: `accord build --shard I/N` on each part, `accord merge` of the parts, and the
//! result is the single build's release byte for byte, for N = 1, 2, 3 and 7 (parts with no
//! document included).

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::{accord, repo, tree};

fn build(out: &Path, shard: Option<String>) {
    let mut cmd = accord();
    cmd.args(["build", "--quiet", "--sources"]).arg(repo().join("sources")).arg("--out").arg(out);
    if let Some(shard) = shard {
        cmd.args(["--shard", &shard]);
    }
    let run = cmd.env_remove("SOURCE_DATE_EPOCH").output().unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
}

fn merge(parts: &[PathBuf], out: &Path) -> std::process::Output {
    accord().arg("merge").args(parts).arg("--out").arg(out).output().unwrap()
}

#[test]
fn merged_parts_are_the_single_build_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let single = dir.path().join("single");
    build(&single, None);
    let want = tree(&single);
    for n in [1, 2, 3, 7] {
        let parts: Vec<PathBuf> = (0..n).map(|i| dir.path().join(format!("n{n}-part-{i}"))).collect();
        for (i, part) in parts.iter().enumerate() {
            build(part, Some(format!("{i}/{n}")));
        }
        if n == 7 {
            let documents: Vec<usize> = parts
                .iter()
                .map(|p| fs::read_to_string(p.join("csv/documents.csv")).unwrap().lines().count() - 1)
                .collect();
            assert_eq!(documents.iter().sum::<usize>(), 12, "{documents:?}");
            assert!(documents.iter().all(|&d| d < 12), "the documents are spread: {documents:?}");
        }
        let merged = dir.path().join(format!("merged-{n}"));
        // Parts given in any order.
        let mut shuffled = parts.clone();
        shuffled.reverse();
        let run = merge(&shuffled, &merged);
        assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
        let got = tree(&merged);
        assert_eq!(got.keys().collect::<Vec<_>>(), want.keys().collect::<Vec<_>>(), "N = {n}");
        for (path, bytes) in &want {
            assert!(got[path] == *bytes, "N = {n}: {} differs", path.display());
        }
    }
}

#[test]
fn incomplete_or_mixed_parts_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let parts: Vec<PathBuf> = (0..3).map(|i| dir.path().join(format!("part-{i}"))).collect();
    for (i, part) in parts.iter().enumerate() {
        build(part, Some(format!("{i}/3")));
    }
    let out = dir.path().join("out");
    let missing = merge(&parts[..2], &out);
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("part 2/3 is missing"));
    let twice = merge(&[parts[0].clone(), parts[1].clone(), parts[1].clone()], &out);
    assert!(String::from_utf8_lossy(&twice.stderr).contains("part 1/3 is given twice"));
    fs::write(parts[1].join("csv/spans.csv"), "tampered\n").unwrap();
    let tampered = merge(&parts, &out);
    assert_eq!(tampered.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&tampered.stderr).contains("does not match its part's manifest"));
    assert!(!out.exists(), "nothing is written by a failed merge");
    let bad = accord().args(["build", "--shard", "3/3", "--out"]).arg(dir.path().join("x")).output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn a_part_naming_a_path_outside_the_release_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let part = dir.path().join("part-0");
    build(&part, Some("0/1".into()));
    // A hostile (or corrupt) part lists a file beyond its folder, to be copied beyond --out.
    let manifest_path = part.join("manifest.json");
    let mut manifest: serde_json::Value = serde_json::from_slice(&fs::read(&manifest_path).unwrap()).unwrap();
    fs::write(dir.path().join("secret"), "x").unwrap();
    let entry = serde_json::json!({"path": "../secret", "bytes": 1, "sha256": "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881"});
    manifest["outputs"].as_array_mut().unwrap().push(entry);
    fs::write(&manifest_path, serde_json::to_vec_pretty(&manifest).unwrap()).unwrap();
    let out = dir.path().join("nested/out");
    let run = merge(std::slice::from_ref(&part), &out);
    assert_eq!(run.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("`../secret` is not a path inside the release"), "{stderr}");
    assert!(!out.exists() && !dir.path().join("nested/secret").exists());
    // validate --outputs refuses the same manifest rather than read beyond the release.
    let check = accord().arg("validate").arg("--json").arg("--outputs").arg(&part).output().unwrap();
    assert_eq!(check.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&check.stdout).unwrap();
    assert_eq!(report["diagnostics"][0]["code"], "release-bad-manifest", "{report}");
}
