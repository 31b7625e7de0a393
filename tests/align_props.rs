//! Properties of the aligner on generated documents: coverage, monotonicity, identity,
//! pins, and independence from the rayon thread count.

use std::collections::BTreeMap;

use accord::align::{Bead, Options, Unit, align_nway, align_pair};
use proptest::prelude::*;

const WORDS: &[&str] = &["the", "Council", "report", "session", "States", "work", "decided", "Geneva", "of", "and"];

/// A paragraph from a seed: some words, maybe a number, a full stop.
fn paragraph(seed: &[u8]) -> String {
    let mut s: Vec<String> = seed.iter().map(|&b| WORDS[b as usize % WORDS.len()].to_string()).collect();
    if let Some(&b) = seed.first()
        && b % 3 == 0
    {
        s.push(format!("{}", 1990 + u32::from(b)));
    }
    format!("{}.", s.join(" "))
}

/// A damaged copy: some paragraphs dropped, split, merged, or preceded by a running head.
fn damage(paras: &[String], ops: &[u8]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (k, p) in paras.iter().enumerate() {
        match ops.get(k).copied().unwrap_or(0) % 10 {
            0 => {}
            1 => {
                let words: Vec<&str> = p.split(' ').collect();
                let half = words.len() / 2;
                out.push(words[..half].join(" "));
                out.push(words[half..].join(" "));
            }
            2 if !out.is_empty() => {
                let last = out.len() - 1;
                out[last] = format!("{} {p}", out[last]);
            }
            3 => {
                out.push("A/69/720".to_string());
                out.push(p.clone());
            }
            _ => out.push(p.clone()),
        }
    }
    out
}

fn units(lines: &[String]) -> Vec<Unit<'_>> {
    lines.iter().map(|l| Unit::from_line(l)).collect()
}

/// Every unit of both sides in exactly one bead, beads in order on both sides.
fn check_cover(beads: &[Bead], n: usize, m: usize) -> Result<(), TestCaseError> {
    let pivot: Vec<usize> = beads.iter().flat_map(|b| b.pivot.iter().copied()).collect();
    let other: Vec<usize> = beads.iter().flat_map(|b| b.other.iter().copied()).collect();
    prop_assert_eq!(pivot, (0..n).collect::<Vec<_>>());
    prop_assert_eq!(other, (0..m).collect::<Vec<_>>());
    for b in beads {
        prop_assert!(!(b.pivot.is_empty() && b.other.is_empty()));
        prop_assert!((0.0..=1.0).contains(&b.confidence));
    }
    Ok(())
}

fn doc() -> impl Strategy<Value = (Vec<String>, Vec<u8>)> {
    (prop::collection::vec(prop::collection::vec(any::<u8>(), 1..25), 0..30), prop::collection::vec(any::<u8>(), 30))
        .prop_map(|(seeds, ops)| (seeds.iter().map(|s| paragraph(s)).collect(), ops))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn beads_cover_both_sides_in_order((paras, ops) in doc()) {
        let other = damage(&paras, &ops);
        let beads = align_pair(&units(&paras), &units(&other), ("en", "fr"), &Options::default());
        check_cover(&beads, paras.len(), other.len())?;
    }

    #[test]
    fn a_text_aligned_with_itself_is_the_identity((paras, _) in doc()) {
        let beads = align_pair(&units(&paras), &units(&paras), ("en", "en"), &Options::default());
        let identity: Vec<(Vec<usize>, Vec<usize>)> = (0..paras.len()).map(|k| (vec![k], vec![k])).collect();
        let got: Vec<(Vec<usize>, Vec<usize>)> = beads.into_iter().map(|b| (b.pivot, b.other)).collect();
        prop_assert_eq!(got, identity);
    }

    #[test]
    fn pinned_beads_are_kept((paras, ops) in doc(), at in any::<prop::sample::Index>()) {
        let other = damage(&paras, &ops);
        prop_assume!(!paras.is_empty() && !other.is_empty());
        // Pin a bead the aligner would not choose by itself: the last pivot unit with the first
        // other unit would cross everything, so pin (k, k') on the diagonal instead.
        let k = at.index(paras.len());
        let k2 = (k * other.len() / paras.len()).min(other.len() - 1);
        let pin = (vec![k], vec![k2]);
        let opts = Options { pinned: vec![pin.clone()], ..Options::default() };
        let beads = align_pair(&units(&paras), &units(&other), ("en", "fr"), &opts);
        check_cover(&beads, paras.len(), other.len())?;
        prop_assert!(beads.iter().any(|b| (b.pivot.clone(), b.other.clone()) == pin));
    }

    #[test]
    fn nway_groups_cover_every_version_and_ignore_thread_count((paras, ops) in doc()) {
        let fr = damage(&paras, &ops);
        let es = damage(&paras, &ops.iter().map(|o| o.wrapping_add(3)).collect::<Vec<_>>());
        let (ue, uf, us) = (units(&paras), units(&fr), units(&es));
        let versions: Vec<(&str, &[Unit])> = vec![("en", &ue), ("es", &us), ("fr", &uf)];
        let run = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap_or_else(|e| panic!("{e}"));
            pool.install(|| align_nway(&versions, "en", &Options::default()))
        };
        let groups = run(1);
        prop_assert_eq!(&groups, &run(2));
        let mut seen: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for g in &groups {
            prop_assert!(!g.members.is_empty());
            prop_assert_eq!(g.review, g.confidence < Options::default().review_below);
            for (l, v) in &g.members {
                seen.entry(l.clone()).or_default().extend(v);
            }
        }
        for (l, n) in [("en", paras.len()), ("es", es.len()), ("fr", fr.len())] {
            let mut got = seen.remove(l).unwrap_or_default();
            got.sort_unstable();
            prop_assert_eq!(got, (0..n).collect::<Vec<_>>(), "{}", l);
        }
        // Pivot units come in order.
        let pivot: Vec<usize> = groups.iter().flat_map(|g| g.members.get("en").cloned().unwrap_or_default()).collect();
        prop_assert!(pivot.windows(2).all(|w| w[0] < w[1]));
    }
}

#[test]
fn pins_override_the_evidence() {
    let a: Vec<String> = ["One 2015.", "Two 2016.", "Three 2017."].iter().map(|s| s.to_string()).collect();
    let b: Vec<String> = ["Un 2015.", "Deux 2016.", "Trois 2017."].iter().map(|s| s.to_string()).collect();
    let opts = Options { pinned: vec![(vec![0, 1], vec![0])], ..Options::default() };
    let beads = align_pair(&units(&a), &units(&b), ("en", "fr"), &opts);
    let got: Vec<(Vec<usize>, Vec<usize>)> = beads.into_iter().map(|b| (b.pivot, b.other)).collect();
    assert_eq!(got[0], (vec![0, 1], vec![0]));
    let rest_a: Vec<usize> = got[1..].iter().flat_map(|b| b.0.clone()).collect();
    let rest_b: Vec<usize> = got[1..].iter().flat_map(|b| b.1.clone()).collect();
    assert_eq!((rest_a, rest_b), (vec![2], vec![1, 2]));
    // Crossing and out-of-range pins are ignored.
    let opts =
        Options { pinned: vec![(vec![2], vec![2]), (vec![0], vec![0]), (vec![9], vec![])], ..Options::default() };
    let beads = align_pair(&units(&a), &units(&b), ("en", "fr"), &opts);
    assert_eq!(beads.len(), 3);
    assert!(beads.iter().all(|b| b.pivot == b.other));
}

#[test]
fn nway_follows_the_pivot_and_unpivoted_units_group_together() {
    let en: Vec<String> = ["Intro 2015.", "Body 2016.", "End 2017."].iter().map(|s| s.to_string()).collect();
    let fr: Vec<String> =
        ["Intro 2015.", "Ajout 1999.", "Corps 2016.", "Fin 2017."].iter().map(|s| s.to_string()).collect();
    let es: Vec<String> =
        ["Intro 2015.", "Añadido 1999.", "Cuerpo 2016.", "Fin 2017."].iter().map(|s| s.to_string()).collect();
    let (ue, uf, us) = (units(&en), units(&fr), units(&es));
    let groups = align_nway(&[("en", &ue), ("fr", &uf), ("es", &us)], "en", &Options::default());
    let rows: Vec<Vec<(String, Vec<usize>)>> =
        groups.iter().map(|g| g.members.iter().map(|(l, v)| (l.clone(), v.clone())).collect()).collect();
    let r = |v: &[(&str, usize)]| v.iter().map(|&(l, k)| (l.to_string(), vec![k])).collect::<Vec<_>>();
    assert_eq!(
        rows,
        vec![
            r(&[("en", 0), ("es", 0), ("fr", 0)]),
            r(&[("es", 1), ("fr", 1)]),
            r(&[("en", 1), ("es", 2), ("fr", 2)]),
            r(&[("en", 2), ("es", 3), ("fr", 3)]),
        ]
    );
}
