//! The aligner on two arbitrary sides (lines of the input, split at a NUL): every unit in
//! exactly one bead, beads in order on both sides, confidences in [0, 1].
#![no_main]

use accord::align::{Options, Unit, align_pair};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &str| {
    let (a, b) = input.split_once('\0').unwrap_or((input, ""));
    let pivot: Vec<Unit> = a.lines().map(Unit::from_line).collect();
    let other: Vec<Unit> = b.lines().map(Unit::from_line).collect();
    let beads = align_pair(&pivot, &other, ("en", "fr"), &Options::default());
    let flatten = |side: &dyn Fn(&accord::align::Bead) -> &Vec<usize>| -> Vec<usize> {
        beads.iter().flat_map(|bead| side(bead).iter().copied()).collect()
    };
    assert_eq!(flatten(&|b| &b.pivot), (0..pivot.len()).collect::<Vec<_>>());
    assert_eq!(flatten(&|b| &b.other), (0..other.len()).collect::<Vec<_>>());
    assert!(beads.iter().all(|b| (0.0..=1.0).contains(&b.confidence)));
});
