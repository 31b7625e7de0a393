//! The n-way aligner on up to six arbitrary versions (the input split at NULs, one version per
//! piece, languages in the UN order): every unit of every version in exactly one group, the
//! pivot's units in order, confidences in [0, 1], review flags as the threshold says.
#![no_main]

use std::collections::BTreeMap;

use accord::align::{Options, Unit, align_nway};
use libfuzzer_sys::fuzz_target;

const LANGS: [&str; 6] = ["en", "fr", "es", "ru", "ar", "zh"];

fuzz_target!(|input: &str| {
    let units: Vec<(&str, Vec<Unit>)> =
        input.split('\0').zip(LANGS).map(|(text, lang)| (lang, text.lines().map(Unit::from_line).collect())).collect();
    let versions: Vec<(&str, &[Unit])> = units.iter().map(|(l, u)| (*l, u.as_slice())).collect();
    let opts = Options::default();
    let groups = align_nway(&versions, "en", &opts);
    let mut seen: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for g in &groups {
        assert!((0.0..=1.0).contains(&g.confidence));
        assert_eq!(g.review, g.confidence < opts.review_below);
        for (l, v) in &g.members {
            let lang = LANGS.iter().find(|x| **x == l.as_str()).expect("a version's language");
            seen.entry(lang).or_default().extend(v);
        }
    }
    let pivot = seen.get("en").cloned().unwrap_or_default();
    assert!(pivot.windows(2).all(|w| w[0] < w[1]));
    for (lang, u) in &units {
        let mut got = seen.remove(lang).unwrap_or_default();
        got.sort_unstable();
        assert_eq!(got, (0..u.len()).collect::<Vec<_>>(), "{lang}");
    }
});
