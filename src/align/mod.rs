//! Alignment of language versions: paragraphs, then sentences inside aligned paragraphs.
//!
//! The engine, per pair of versions (`pivot`, `other`):
//! 1. [`features`]: per unit a length, lexical tokens (normalised numbers, document symbols,
//!    URLs, Latin-script names, paragraph numbers) and page-furniture flags (running heads,
//!    job numbers, page numbers: "stray" lines that align to nothing).
//! 2. [`anchors`]: tokens occurring equally often on both sides are paired in order; the
//!    heaviest non-crossing chain of such pairs fixes a corridor around the likely path.
//! 3. [`dp`]: a dynamic programme inside the corridor (memory linear in the input) over beads
//!    0-1, 1-0, 1-1, 1-2, 2-1, 2-2, 1-3, 3-1 scoring length (Gale–Church, ratio and variance
//!    estimated from the pair itself), lexical agreement and split/merge evidence.
//! 4. Stray lines are put back: inside a bead when they sit between two of its units (a running
//!    head inside a page-broken paragraph), else as a bead of their own.
//!
//! Pinned beads ([`Options::pinned`]) are hard anchors: the problem is cut at them and they are
//! returned unchanged. Everything is deterministic and independent of the rayon thread count.

mod anchors;
mod document;
mod dp;
pub mod eval;
mod features;
mod nway;
pub mod segment;

use std::collections::BTreeMap;

use serde::Serialize;

pub use document::{align_document, align_document_sentences, pivot_language};
pub use nway::{Group, align_nway};

use features::SideCache;

/// One alignable unit of a language version, borrowed from the model.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Unit<'a> {
    pub text: &'a str,
    /// A heading: aligning it with a body paragraph costs a little more.
    pub heading: bool,
    /// The unit's number as written ("12.", "a)", "IV."), if it has one.
    pub num: Option<&'a str>,
}

impl<'a> Unit<'a> {
    /// A unit read from a plain line: a paragraph whose leading number, if any, is its `num`.
    pub fn from_line(text: &'a str) -> Self {
        Unit { text, heading: false, num: segment::leading_number(text) }
    }
}

/// A group of consecutive pivot units aligned with consecutive other units; one side may be
/// empty. Indices are positions in the slices given to [`align_pair`].
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Bead {
    pub pivot: Vec<usize>,
    pub other: Vec<usize>,
    /// In [0, 1]; see [`confidence_of`] for its meaning.
    pub confidence: f32,
}

/// A manual override: (pivot indices, other indices), both consecutive.
pub type Pin = (Vec<usize>, Vec<usize>);

/// How beads are scored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Mode {
    /// Length, lexical anchors, stray-line and split/merge evidence.
    #[default]
    Full,
    /// Plain Gale–Church: character lengths and classic priors only (a baseline).
    LengthOnly,
}

#[derive(Clone, Debug)]
pub struct Options {
    /// Manual overrides, in document order: beads (pivot indices, other indices) that must
    /// appear as given. Pins that are out of range, empty on both sides, not consecutive or
    /// crossing an earlier pin are ignored. A pin with an empty side sits, on that side, right
    /// after the previous pin.
    pub pinned: Vec<Pin>,
    /// Pins for [`align_nway`], per language: beads (pivot indices, that language's indices).
    pub pinned_by_lang: BTreeMap<String, Vec<Pin>>,
    pub mode: Mode,
    /// Groups whose confidence is below this get `review = true`.
    pub review_below: f32,
    /// Half-width of the DP corridor around the anchor path, in units; where the path runs along
    /// its edge, the programme runs again in a corridor that widens where anchors are sparse.
    pub corridor: usize,
    /// How often [`align_nway`] aligns every pair of versions with the others as witnesses
    /// before it aligns each with the pivot; 0 aligns each with the pivot alone.
    pub witness_rounds: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            pinned: Vec::new(),
            pinned_by_lang: BTreeMap::new(),
            mode: Mode::Full,
            review_below: 0.5,
            corridor: 4,
            witness_rounds: nway::WITNESS_ROUNDS,
        }
    }
}

/// What the other versions of a text say about aligning two of them: through each witness
/// version, the units of the opposite side that a unit reaches (those aligned with the witness
/// units aligned with it). Each side holds `count` ranges [lo, hi) of opposite-side indices per
/// unit, unit k's at `k * count`; an empty range says nothing, [`LACKS`] that the witness's
/// units aligned with the unit have nothing on the opposite side.
#[derive(Clone, Debug, Default)]
pub(crate) struct Witnesses {
    pub(crate) count: usize,
    pub(crate) pivot: Vec<(u32, u32)>,
    pub(crate) other: Vec<(u32, u32)>,
}

/// The range of a unit that reaches, through a witness, no unit of the opposite side.
pub(crate) const LACKS: (u32, u32) = (u32::MAX, 0);

/// Aligns two versions of a text. Returns beads in order covering every unit of both sides
/// exactly once; never panics.
pub fn align_pair(pivot: &[Unit], other: &[Unit], langs: (&str, &str), opts: &Options) -> Vec<Bead> {
    align_witnessed(pivot, other, langs, opts, &Witnesses::default(), None)
}

/// [`align_pair`], where a bead that a witness contradicts costs more, and unit lists whose
/// features are in `sides` are not analysed again.
pub(crate) fn align_witnessed(
    pivot: &[Unit],
    other: &[Unit],
    langs: (&str, &str),
    opts: &Options,
    seen: &Witnesses,
    sides: Option<&SideCache>,
) -> Vec<Bead> {
    let pins = valid_pins(&opts.pinned, pivot.len(), other.len());
    let mut out = Vec::new();
    let (mut a0, mut b0) = (0, 0);
    for (pa, pb) in pins.iter().map(|(a, b)| (a.as_slice(), b.as_slice())) {
        let a1 = pa.first().copied().unwrap_or(a0);
        let b1 = pb.first().copied().unwrap_or(b0);
        align_span(pivot, other, (a0, a1), (b0, b1), langs, opts, (seen, sides), &mut out);
        out.push(Bead { pivot: pa.to_vec(), other: pb.to_vec(), confidence: 1.0 });
        a0 = pa.last().map_or(a0, |x| x + 1);
        b0 = pb.last().map_or(b0, |x| x + 1);
    }
    align_span(pivot, other, (a0, pivot.len()), (b0, other.len()), langs, opts, (seen, sides), &mut out);
    out
}

/// Whether [`align_witnessed`] with the witnesses `seen` would return `beads`, which it returned
/// without witnesses (see [`dp::witnesses_agree`]): the beads between each two pins are checked
/// as the programme would score them.
pub(crate) fn witnesses_agree(
    (pivot, other): (&[Unit], &[Unit]),
    langs: (&str, &str),
    opts: &Options,
    seen: &Witnesses,
    beads: &[Bead],
    sides: Option<&SideCache>,
) -> bool {
    let pins = valid_pins(&opts.pinned, pivot.len(), other.len());
    let mut rest = beads;
    let (mut a0, mut b0) = (0, 0);
    for pin in pins.iter().map(Some).chain([None]) {
        let (a1, b1) = match pin {
            Some((pa, pb)) => (pa.first().copied().unwrap_or(a0), pb.first().copied().unwrap_or(b0)),
            None => (pivot.len(), other.len()),
        };
        let inside = |b: &Bead| b.pivot.iter().all(|&k| k < a1) && b.other.iter().all(|&k| k < b1);
        let n = rest.iter().take_while(|b| inside(b)).count();
        let (pa, pb) = (&pivot[a0..a1], &other[b0..b1]);
        if !dp::witnesses_agree((pa, pb), langs, opts, (seen, a0, b0), &rest[..n], sides) {
            return false;
        }
        // The pin's own bead follows the span's.
        rest = rest.get(n + 1..).unwrap_or(&[]);
        if let Some((pa, pb)) = pin {
            a0 = pa.last().map_or(a0, |x| x + 1);
            b0 = pb.last().map_or(b0, |x| x + 1);
        }
    }
    true
}

/// Keeps the pins that are well-formed and monotone with the ones kept before them.
fn valid_pins(pins: &[Pin], n: usize, m: usize) -> Vec<Pin> {
    let consecutive = |v: &[usize], len: usize| v.windows(2).all(|w| w[1] == w[0] + 1) && v.iter().all(|&x| x < len);
    let mut kept: Vec<Pin> = Vec::new();
    let (mut a0, mut b0) = (0, 0);
    for (a, b) in pins {
        if (a.is_empty() && b.is_empty()) || !consecutive(a, n) || !consecutive(b, m) {
            continue;
        }
        if a.first().is_some_and(|&x| x < a0) || b.first().is_some_and(|&x| x < b0) {
            continue;
        }
        a0 = a.last().map_or(a0, |x| x + 1);
        b0 = b.last().map_or(b0, |x| x + 1);
        kept.push((a.clone(), b.clone()));
    }
    kept
}

/// Aligns pivot[a.0..a.1] with other[b.0..b.1], appending beads with absolute indices.
#[allow(clippy::too_many_arguments)]
fn align_span(
    pivot: &[Unit],
    other: &[Unit],
    a: (usize, usize),
    b: (usize, usize),
    langs: (&str, &str),
    opts: &Options,
    (seen, sides): (&Witnesses, Option<&SideCache>),
    out: &mut Vec<Bead>,
) {
    let (pa, pb) = (&pivot[a.0..a.1], &other[b.0..b.1]);
    let mut beads = dp::align(pa, pb, langs, opts, (seen, a.0, b.0), sides);
    // Shifted in place, and moved whole when nothing precedes them (no pins): a second copy of
    // a million beads would raise the peak of memory.
    for bead in &mut beads {
        bead.pivot.iter_mut().for_each(|x| *x += a.0);
        bead.other.iter_mut().for_each(|x| *x += b.0);
    }
    if out.is_empty() {
        *out = beads;
    } else {
        out.append(&mut beads);
    }
}

/// Maps a bead's cost (0 for a 1-1 of expected length, negative with agreeing tokens) to a
/// confidence in [0, 1]. The scale is checked, not fitted: the benchmark reports which share
/// of the groups with confidence ≥ 0.9 are exactly right on the dev gold.
pub(crate) fn confidence_of(excess_cost: f64) -> f32 {
    let c = (-excess_cost.max(0.0) / 4.0).exp();
    c.clamp(0.0, 1.0) as f32
}

/// Sentence alignment inside one aligned paragraph group: splits each paragraph of both sides
/// into sentences and aligns them. Returns the sentences of each side, in order, and beads
/// whose indices are positions in those lists.
pub fn align_sentences<'t>(
    pivot: &[&'t str],
    other: &[&'t str],
    langs: (&str, &str),
    opts: &Options,
) -> (Vec<&'t str>, Vec<&'t str>, Vec<Bead>) {
    let sa: Vec<&str> = pivot.iter().flat_map(|p| segment::sentences(p, langs.0)).collect();
    let sb: Vec<&str> = other.iter().flat_map(|p| segment::sentences(p, langs.1)).collect();
    let ua: Vec<Unit> = sa.iter().map(|s| Unit { text: s, heading: false, num: None }).collect();
    let ub: Vec<Unit> = sb.iter().map(|s| Unit { text: s, heading: false, num: None }).collect();
    let beads = align_pair(&ua, &ub, langs, opts);
    (sa, sb, beads)
}
