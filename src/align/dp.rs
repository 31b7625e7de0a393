//! The dynamic programme over beads, restricted to the anchor corridor.

use std::borrow::Cow;
use std::ops::Range;
use std::sync::Arc;

use super::anchors::{corridor, skeleton, touches_edge};
use super::features::{self, Side, SideCache, class_of};
use super::{Bead, LACKS, Mode, Options, Unit, Witnesses, confidence_of};

/// Bead shapes (units of A, units of B); 2-0 and 0-2 are a missing paragraph split in two.
const SHAPES: [(usize, usize); 10] = [(1, 1), (1, 0), (0, 1), (1, 2), (2, 1), (2, 2), (1, 3), (3, 1), (2, 0), (0, 2)];

/// Costs are negative log-likelihoods up to a constant; these priors were tuned on the dev
/// corpora (missing paragraphs are rare, splits are common in converted PDFs). A missing
/// paragraph that a page also split (2-0, 0-2) needs both accidents: about the 1-0 prior plus
/// the split's, so it does not undercut a 3-1 ("Now, therefore," / "The General Assembly" /
/// "Proclaims ..." against one line).
const PRIOR_FULL: [f64; 10] = [0.0, 4.0, 4.0, 2.5, 2.5, 7.0, 5.0, 5.0, 7.0, 7.0];
/// A lower bound of `cost` per shape in `Mode::Full`: the prior, minus the largest lexical
/// bonus when both sides are filled, minus the largest continuation bonus (one per inner
/// junction).
const LOWER: [f64; 10] = [
    PRIOR_FULL[0] - LEX_CAP,
    PRIOR_FULL[1],
    PRIOR_FULL[2],
    PRIOR_FULL[3] - LEX_CAP - CONT,
    PRIOR_FULL[4] - LEX_CAP - CONT,
    PRIOR_FULL[5] - LEX_CAP - 2.0 * CONT,
    PRIOR_FULL[6] - LEX_CAP - 2.0 * CONT,
    PRIOR_FULL[7] - LEX_CAP - 2.0 * CONT,
    PRIOR_FULL[8] - CONT,
    PRIOR_FULL[9] - CONT,
];

/// Gale & Church (1993): 1-1 .89, 1-0/0-1 .0099, 2-1/1-2 .089, 2-2 .011; no 1-3/3-1.
const PRIOR_GC: [f64; 10] =
    [0.1165, 5.3157, 5.3157, 3.1141, 3.1141, 4.5099, f64::INFINITY, f64::INFINITY, f64::INFINITY, f64::INFINITY];

/// The weight of the evidence that a line continues the one before (see `Side::cont`).
const CONT: f64 = 1.5;

/// The largest bonus shared tokens can give a bead (see `LOWER`).
const LEX_CAP: f64 = 6.0;

/// The most that tokens missing on the other side can add to a bead: as much as shared tokens can
/// take off. A paragraph cut by a page or run into its neighbour leaves its numbers in the
/// neighbouring line, and a larger cap let that outweigh the length evidence (9.0 cost 0.006 F1
/// on the damaged dev set, and nothing elsewhere).
const MISS_CAP: f64 = 6.0;

/// What matching two lines whole against one costs when nothing says the two are one paragraph
/// broken mid-sentence and the one has no sentence end where they would meet.
const NO_BREAK: f64 = 1.5;

/// What a heading aligned with a heading gains: the structure agrees. Short headings are
/// where the length model is weakest ("Outreach" / "Информационно-просветительская
/// деятельность"), and without it a heading would rather be dropped and its neighbour doubled.
const HEADING_PAIR: f64 = 2.0;

/// What a bead costs when its first units on both sides are numbered differently.
const MARK_CONFLICT: f64 = 4.0;

/// What a bead costs when it ends right before a numbered paragraph of one side that the other
/// side's bead holds: as a unit after its first, or inside its last unit (a line where
/// conversion ran two paragraphs together), where the cut goes through that line. More than a
/// 1-0's prior, which a wrong bead here often saves (4.0 gained 0.0004 F1 less on the damaged
/// dev set; 9.0 no more than 6.0).
const INNER_MARK: f64 = 6.0;

/// What a bead costs for each unit in it and each witness version that aligns the unit only
/// with units of the opposite side outside the bead, or with nothing when the bead has some.
/// Each witness alignment is wrong now and then; it takes two of them (of four for six
/// versions) to outweigh a bead's cheaper length or a 1-0's prior, where one also wrong the
/// same way in the pair itself adds nothing.
const WITNESS: f64 = 0.5;

/// What a bead costs for each unit and witness that reaches some of the bead's opposite units
/// but not all: the bead may be too large.
const WITNESS_SHORT: f64 = 0.2;

/// How far the corridor widens, in units either side of the anchor line, where anchors are
/// far apart and the narrow corridor bent the path. The path strayed at most 6 units from
/// that line on the gold sets (damaged UN documents, 4,000 damaged UN sentences).
const WIDEST: usize = 12;

/// Beyond this many units a text almost surely meets the narrow corridor's edge somewhere (a
/// 1,000,000-line bitext did; no document of the gold sets, of up to some 3,000 lines, did),
/// and then the whole programme runs again: long texts take the widening corridor at once.
const NARROW_FIRST_MAX: usize = 10_000;

/// Gale & Church's variance of the length difference per character.
const GC_S2: f64 = 6.8;

struct Params {
    mode: Mode,
    ratio: f64,
    s2: f64,
}

/// The witnesses' ranges of one side's kept units (see [`Witnesses`]), in compacted indices
/// of the opposite side, `witnesses` per unit.
#[derive(Default)]
struct Reach {
    ranges: Vec<(u32, u32)>,
    witnesses: usize,
}

impl Reach {
    /// Takes the witnesses' ranges of the kept units `kept` (offset by `from` in the whole
    /// text) from `ranges`, mapped onto the kept units `opposite` (offset by `opp_from`).
    fn new(
        ranges: &[(u32, u32)],
        count: usize,
        (kept, from): (&[usize], usize),
        (opposite, opp_from): (&[usize], usize),
    ) -> Self {
        if count == 0 || ranges.len() < (from + kept.last().map_or(0, |k| k + 1)) * count {
            return Reach::default();
        }
        let compact = |x: u32| opposite.partition_point(|&q| ((q + opp_from) as u32) < x) as u32;
        let ranges = kept
            .iter()
            .flat_map(|&k| ranges[(from + k) * count..(from + k + 1) * count].iter())
            .map(|&(lo, hi)| if (lo, hi) == LACKS { LACKS } else { (compact(lo), compact(hi)) })
            .collect();
        Reach { ranges, witnesses: count }
    }

    /// What the witnesses say against a bead: the number of (unit, witness) of the units
    /// `from..to` that reach only opposite units outside `lo..hi`, and the number that reach
    /// some of them but not all.
    fn contradicted(&self, (from, to): (usize, usize), (lo, hi): (usize, usize)) -> (usize, usize) {
        let w = self.witnesses;
        let (mut apart, mut short) = (0, 0);
        for &(a, b) in self.ranges.get(from * w..to * w).unwrap_or(&[]) {
            if (a, b) == LACKS {
                apart += usize::from(lo < hi);
                continue;
            }
            let (a, b) = (a as usize, b as usize);
            if a >= b {
                continue;
            }
            if b <= lo || a >= hi {
                apart += 1;
            } else if a > lo || b < hi {
                short += 1;
            }
        }
        (apart, short)
    }
}

/// The evidence of one side, compacted (stray lines removed), with prefix sums of lengths.
struct Prepared {
    side: Arc<Side>,
    prefix: Vec<f64>,
    /// What the unit's tokens cost if the other side of its bead has none of them.
    miss: Vec<f64>,
    reach: Reach,
}

impl Prepared {
    fn new(side: Arc<Side>) -> Self {
        let mut prefix = vec![0.0];
        for l in &side.len {
            prefix.push(prefix.last().copied().unwrap_or(0.0) + l);
        }
        let miss = side.toks.iter().map(|ts| ts.iter().map(|&t| class_of(t).miss()).sum()).collect();
        Prepared { side, prefix, miss, reach: Reach::default() }
    }

    fn len(&self, from: usize, to: usize) -> f64 {
        self.prefix[to] - self.prefix[from]
    }
}

/// What two units share: (token weight, miss cost of the shared tokens).
fn shared(a: &[u32], b: &[u32]) -> (f64, f64) {
    let (mut x, mut y) = (0, 0);
    let (mut all, mut pen) = (0.0, 0.0);
    while x < a.len() && y < b.len() {
        let (p, q) = (a[x], b[y]);
        if p == q {
            let c = class_of(p);
            all += c.weight();
            pen += c.miss();
        }
        // Both steps without a branch on the order: which list advances is unpredictable.
        x += usize::from(p <= q);
        y += usize::from(q <= p);
    }
    (all, pen)
}

/// A unit's tokens as a 1024-bit set of their low bits (hash bits): a token whose bit is clear
/// is surely not among them. One unit of A meets some thirty units of B in its similarity row,
/// and most of their tokens are ruled out by one bit test.
struct Filter([u64; 16]);

impl Filter {
    fn new(toks: &[u32]) -> Self {
        let mut bits = [0u64; 16];
        for &t in toks {
            bits[((t >> 6) & 15) as usize] |= 1 << (t & 63);
        }
        Filter(bits)
    }

    /// [`shared`]`(a, b)`, `a` being the tokens the filter was built from: the same shared
    /// tokens in the same (increasing) order, so the same sums.
    fn shared(&self, a: &[u32], b: &[u32]) -> (f64, f64) {
        let (mut all, mut pen) = (0.0, 0.0);
        let mut x = 0;
        for &t in b {
            if (self.0[((t >> 6) & 15) as usize] >> (t & 63)) & 1 == 0 {
                continue;
            }
            while x < a.len() && a[x] < t {
                x += 1;
            }
            if a.get(x) == Some(&t) {
                let c = class_of(t);
                all += c.weight();
                pen += c.miss();
            }
        }
        (all, pen)
    }
}

/// The tokens of the units `from..to` (at most three) of a side, merged: sorted and without
/// repeats, so a token repeated in several units of a bead is evidence once. A single unit's
/// list is borrowed; several are merged pairwise, in linear time.
fn union(side: &Side, (from, to): (usize, usize)) -> Cow<'_, [u32]> {
    let mut lists = (from..to).map(|k| side.toks.get(k));
    let first = lists.next().unwrap_or(&[]);
    lists.fold(Cow::Borrowed(first), |acc, l| Cow::Owned(merge(&acc, l)))
}

/// The sorted union of two sorted lists without repeats.
fn merge(a: &[u32], b: &[u32]) -> Vec<u32> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut x, mut y) = (0, 0);
    while x < a.len() && y < b.len() {
        let (p, q) = (a[x], b[y]);
        out.push(p.min(q));
        x += usize::from(p <= q);
        y += usize::from(q <= p);
    }
    out.extend_from_slice(&a[x..]);
    out.extend_from_slice(&b[y..]);
    out
}

/// What the units A[ia] and B[jb] share (token weight) and what each side lacks of the other
/// (miss cost), each side's tokens taken together. Tokens are visited in increasing order, so
/// the sums are the same whatever the lists' layout.
fn overlap(a: &Side, ia: (usize, usize), b: &Side, jb: (usize, usize)) -> (f64, f64) {
    let (ua, ub) = (union(a, ia), union(b, jb));
    let (ua, ub) = (&ua[..], &ub[..]);
    let (mut x, mut y) = (0, 0);
    let (mut weight, mut miss) = (0.0, 0.0);
    while x < ua.len() && y < ub.len() {
        let (p, q) = (ua[x], ub[y]);
        if p == q {
            weight += class_of(p).weight();
        } else {
            miss += class_of(p.min(q)).miss();
        }
        x += usize::from(p <= q);
        y += usize::from(q <= p);
    }
    for &t in ua[x..].iter().chain(&ub[y..]) {
        miss += class_of(t).miss();
    }
    (weight, miss)
}

/// Aligns two unit lists; indices in the result are positions in `pa` / `pb`.
/// `seen` holds what witness versions say, with the offsets of `pa` and `pb` in the texts;
/// `sides`, where given, the features of unit lists already computed.
pub(crate) fn align(
    pa: &[Unit],
    pb: &[Unit],
    langs: (&str, &str),
    opts: &Options,
    (seen, a0, b0): (&Witnesses, usize, usize),
    sides: Option<&SideCache>,
) -> Vec<Bead> {
    let full = opts.mode == Mode::Full;
    let (ka, kb) = (kept(pa, full, sides), kept(pb, full, sides));
    let (ka, kb) = (&ka[..], &kb[..]);
    let (sa, sb) = features_of((pa, ka), (pb, kb), langs, full, sides);
    let (mut a, mut b) = (Prepared::new(sa), Prepared::new(sb));
    if full {
        a.reach = Reach::new(&seen.pivot, seen.count, (ka, a0), (kb, b0));
        b.reach = Reach::new(&seen.other, seen.count, (kb, b0), (ka, a0));
    }
    let total_a = a.len(0, ka.len());
    let total_b = b.len(0, kb.len());
    let ratio = if total_a > 0.0 && total_b > 0.0 { total_b / total_a } else { 1.0 };
    let chain = skeleton(&a.side, &b.side);
    let s2 = if full { estimate_s2(&a, &b, &chain, ratio).unwrap_or(GC_S2) } else { GC_S2 };
    let params = Params { mode: opts.mode, ratio, s2 };
    // A narrow corridor first; where the path it finds runs along its edge, the corridor may
    // have bent it, and the programme runs again in one that widens between sparse anchors.
    let size = (ka.len(), kb.len());
    let width = opts.corridor.max(4);
    let widening = || run(&a, &b, &corridor(&chain, size, width, WIDEST), &params);
    let beads = if narrow_first(size) {
        let narrow = corridor(&chain, size, width, width);
        let beads = run(&a, &b, &narrow, &params);
        if touches_edge(&narrow, beads.iter().map(|bd| (bd.pivot.len(), bd.other.len())), size.1) {
            drop((beads, narrow));
            widening()
        } else {
            beads
        }
    } else {
        widening()
    };
    // The features are done with: freed before the beads are rebuilt, where memory peaks on
    // big inputs.
    drop((a, b, chain));
    restore_strays(beads, ka, kb, pa, pb)
}

/// The features of the kept units of both sides, from `sides` when given; cognate stems for
/// two Latin-script languages.
fn features_of(
    (pa, ka): (&[Unit], &[usize]),
    (pb, kb): (&[Unit], &[usize]),
    langs: (&str, &str),
    full: bool,
    sides: Option<&SideCache>,
) -> (Arc<Side>, Arc<Side>) {
    let stems = full && features::has_stems(langs.0) && features::has_stems(langs.1);
    let side = |units: &[Unit], keep: &[usize], lang: &str| match sides {
        Some(cache) => cache.side(units, keep, lang, stems),
        None => Arc::new(features::side(units, keep, lang, stems)),
    };
    (side(pa, ka, langs.0), side(pb, kb, langs.1))
}

/// Whether the programme over `size` kept units runs in the narrow corridor first.
fn narrow_first(size: (usize, usize)) -> bool {
    size.0.max(size.1) <= NARROW_FIRST_MAX
}

/// [`features::kept`], from `sides` when given.
fn kept(units: &[Unit], full: bool, sides: Option<&SideCache>) -> Arc<Vec<usize>> {
    match sides {
        Some(cache) => cache.kept(units, full),
        None => Arc::new(features::kept(units, full)),
    }
}

/// Whether the witnesses `seen` contradict none of `beads`, an alignment of `pa` with `pb` that
/// [`align`] made without witnesses (indices offset by `a0` and `b0`, as in the texts). Then
/// [`align`] with these witnesses returns the same beads and need not run: witnesses only add
/// costs, the path of `beads` gets none, so its cost is still the least, and at each of its
/// cells the shapes before its own still cost more. That holds in whichever corridor made the
/// beads; a path that runs along the narrow corridor's edge (or leaves it) may have come from
/// the widening one, where the narrow one with witnesses could give another path that does not
/// touch its edge, so such beads are never taken as agreed.
pub(crate) fn witnesses_agree(
    (pa, pb): (&[Unit], &[Unit]),
    langs: (&str, &str),
    opts: &Options,
    (seen, a0, b0): (&Witnesses, usize, usize),
    beads: &[Bead],
    sides: Option<&SideCache>,
) -> bool {
    if opts.mode != Mode::Full {
        return true;
    }
    let (ka, kb) = (kept(pa, true, sides), kept(pb, true, sides));
    let (ka, kb) = (&ka[..], &kb[..]);
    let a = Reach::new(&seen.pivot, seen.count, (ka, a0), (kb, b0));
    let b = Reach::new(&seen.other, seen.count, (kb, b0), (ka, a0));
    // The beads of the programme are those with kept units; the others are stray lines put back.
    let count = |units: &[usize], keep: &[usize], from: usize| {
        units.iter().filter(|&&k| keep.binary_search(&(k - from)).is_ok()).count()
    };
    let steps: Vec<(usize, usize)> =
        beads.iter().map(|bead| (count(&bead.pivot, ka, a0), count(&bead.other, kb, b0))).collect();
    let (mut i, mut j) = (0, 0);
    for &(di, dj) in &steps {
        let (ia, jb) = ((i, i + di), (j, j + dj));
        if di + dj > 0 && (a.contradicted(ia, jb) != (0, 0) || b.contradicted(jb, ia) != (0, 0)) {
            return false;
        }
        (i, j) = (ia.1, jb.1);
    }
    let size = (ka.len(), kb.len());
    if narrow_first(size) {
        let (sa, sb) = features_of((pa, ka), (pb, kb), langs, true, sides);
        let width = opts.corridor.max(4);
        let narrow = corridor(&skeleton(&sa, &sb), size, width, width);
        return !touches_edge(&narrow, steps.into_iter(), size.1);
    }
    true
}

/// The variance per character of the length difference, from the median over the anchor
/// pairs (most are 1-1 translations; the median ignores the others); `None` when there are
/// too few.
fn estimate_s2(a: &Prepared, b: &Prepared, anchors: &[(usize, usize)], ratio: f64) -> Option<f64> {
    let mut v: Vec<f64> = anchors
        .iter()
        .map(|&(i, j)| {
            let la = a.side.len[i];
            let x = b.side.len[j] / ratio;
            (x - la).powi(2) / ((la + x) / 2.0).max(1.0)
        })
        .collect();
    if v.len() < 20 {
        return None;
    }
    v.sort_by(f64::total_cmp);
    // The median of a squared standard normal is 0.455.
    Some((v[v.len() / 2] / 0.455).clamp(1.0, 40.0))
}

/// The similarity of A unit `row` with a window of B units, computed once per row.
struct SimRow {
    start: usize,
    vals: Vec<(f64, f64)>,
}

fn run(a: &Prepared, b: &Prepared, lanes: &[(usize, usize)], p: &Params) -> Vec<Bead> {
    let (n, m) = (a.side.len.len(), b.side.len.len());
    let mut offsets = Vec::with_capacity(n + 2);
    offsets.push(0usize);
    for &(lo, hi) in lanes {
        offsets.push(offsets.last().copied().unwrap_or(0) + hi + 1 - lo);
    }
    let mut back = vec![u8::MAX; offsets[n + 1]];
    // Costs of the last four rows, by row modulo 4.
    let mut rows: Vec<Vec<f64>> = vec![Vec::new(); 4];
    let mut sims: Vec<SimRow> = (0..3).map(|_| SimRow { start: 0, vals: Vec::new() }).collect();
    for i in 0..=n {
        let (lo, hi) = lanes[i];
        if i > 0 && p.mode == Mode::Full {
            // A unit i-1 meets B units up to column hi of row i+2, minus up to three.
            let (slo, shi) = (lo.saturating_sub(3), lanes[(i + 2).min(n)].1.min(m));
            let toks = a.side.toks.get(i - 1);
            let filter = Filter::new(toks);
            // The row's buffer is reused: one allocation per row adds up over a million rows.
            let sim = &mut sims[(i - 1) % 3];
            sim.start = slo;
            sim.vals.clear();
            sim.vals.extend((slo..shi).map(|j| filter.shared(toks, b.side.toks.get(j))));
        }
        // Row i-4's buffer: the beads reach back three rows at most.
        let mut row = std::mem::take(&mut rows[i % 4]);
        row.clear();
        row.resize(hi + 1 - lo, f64::INFINITY);
        for j in lo..=hi {
            if i == 0 && j == 0 {
                row[0] = 0.0;
                continue;
            }
            let mut best = (f64::INFINITY, u8::MAX);
            for (s, &(di, dj)) in SHAPES.iter().enumerate() {
                if di > i || dj > j || (p.mode == Mode::LengthOnly && !PRIOR_GC[s].is_finite()) {
                    continue;
                }
                let (pi, pj) = (i - di, j - dj);
                // Two units against nothing only for a paragraph broken across lines (a
                // missing paragraph split by a page): elsewhere it would be two 1-0 beads.
                let split = |side: &Side, from: usize, to: usize| (from + 1..to).all(|k| side.cont[k] > 0.0);
                if (di + dj == 2 && (di == 0 || dj == 0)) && !(split(&a.side, pi, i) && split(&b.side, pj, j)) {
                    continue;
                }
                let (plo, phi) = lanes[pi];
                if pj < plo || pj > phi {
                    continue;
                }
                let prev = if di == 0 { row[pj - lo] } else { rows[pi % 4][pj - plo] };
                if !prev.is_finite() || (p.mode == Mode::Full && prev + LOWER[s] >= best.0) {
                    // The bead cannot beat the best one found: skip its cost.
                    continue;
                }
                let c = cost(a, b, &sims, p, s, (pi, i), (pj, j), best.0 - prev);
                if prev + c < best.0 {
                    best = (prev + c, s as u8);
                }
            }
            row[j - lo] = best.0;
            back[offsets[i] + j - lo] = best.1;
        }
        rows[i % 4] = row;
    }
    // Walk back from the end; the corridor always contains (n, m) and a path to it. Bead costs
    // are computed again rather than stored: memory stays at one byte a cell.
    let sims: Vec<SimRow> = (0..3).map(|_| SimRow { start: 0, vals: Vec::new() }).collect();
    let mut out = Vec::new();
    let (mut i, mut j) = (n, m);
    while i > 0 || j > 0 {
        let cell = offsets[i] + j - lanes[i].0;
        let Some(&(di, dj)) = SHAPES.get(back[cell] as usize) else { break };
        out.push(Bead {
            pivot: (i - di..i).collect(),
            other: (j - dj..j).collect(),
            confidence: confidence_of(cost(
                a,
                b,
                &sims,
                p,
                back[cell] as usize,
                (i - di, i),
                (j - dj, j),
                f64::INFINITY,
            )),
        });
        i -= di;
        j -= dj;
    }
    out.reverse();
    out
}

/// The cost of the bead A[ia.0..ia.1] × B[jb.0..jb.1] of shape `s`; once it is sure to reach
/// `limit`, a lower bound of it that does.
#[allow(clippy::too_many_arguments)]
fn cost(
    a: &Prepared,
    b: &Prepared,
    sims: &[SimRow],
    p: &Params,
    s: usize,
    ia: (usize, usize),
    jb: (usize, usize),
    limit: f64,
) -> f64 {
    let (la, lb) = (a.len(ia.0, ia.1), b.len(jb.0, jb.1));
    if p.mode == Mode::LengthOnly {
        return PRIOR_GC[s] + gc_length(la, lb, p);
    }
    let mut c = PRIOR_FULL[s];
    // A paragraph broken across lines should not be cut at the break, and gains from being
    // joined inside the bead.
    let cont = |side: &Side, from: usize, to: usize| {
        let inner: f64 = (from + 1..to).map(|k| side.cont[k]).sum();
        let edge = if from > 0 && from < to { side.cont[from] } else { 0.0 };
        CONT * (edge - inner)
    };
    c += cont(&a.side, ia.0, ia.1) + cont(&b.side, jb.0, jb.1);
    if cut_inside(&a.side, ia, &b.side, jb.1) || cut_inside(&b.side, jb, &a.side, ia.1) {
        c += INNER_MARK;
    }
    let witnessed = || {
        let ((apart_a, short_a), (apart_b, short_b)) = (a.reach.contradicted(ia, jb), b.reach.contradicted(jb, ia));
        WITNESS * (apart_a + apart_b) as f64 + WITNESS_SHORT * (short_a + short_b) as f64
    };
    if ia.0 == ia.1 || jb.0 == jb.1 {
        return c + witnessed();
    }
    let length = match (ia.1 - ia.0, jb.1 - jb.0) {
        (2 | 3, 1) => joined_cost(a, b, ia.0..ia.1, jb.0, p, false),
        (1, 2 | 3) => joined_cost(b, a, jb.0..jb.1, ia.0, p, true),
        _ => length_cost(la, lb, p),
    };
    // Witness and length costs are not negative and shared tokens give at most LEX_CAP: a bead
    // sure to reach the limit is not scored further, and the witnesses, the dearer to count,
    // are counted last. The sum is made in the same order whatever is skipped.
    if c + length - LEX_CAP >= limit {
        return c + length - LEX_CAP;
    }
    c += witnessed();
    c += length;
    if c - LEX_CAP >= limit {
        return c - LEX_CAP;
    }
    let pair = |i: usize, j: usize| {
        let row = &sims[i % 3];
        row.vals
            .get(j.wrapping_sub(row.start))
            .copied()
            .unwrap_or_else(|| shared(a.side.toks.get(i), b.side.toks.get(j)))
    };
    let (all, missing) = if ia.1 - ia.0 == 1 && jb.1 - jb.0 == 1 {
        let (x, y) = pair(ia.0, jb.0);
        // Two headings are structure that matches, like a shared token (and within its cap).
        let headings = if a.side.heading[ia.0] && b.side.heading[jb.0] { HEADING_PAIR } else { 0.0 };
        (x + headings, (a.miss[ia.0] - y).max(0.0) + (b.miss[jb.0] - y).max(0.0))
    } else {
        // The unit pairs' shared weights, summed, bound what the bead's units share together.
        let bound: f64 = (ia.0..ia.1).flat_map(|i| (jb.0..jb.1).map(move |j| (i, j))).map(|(i, j)| pair(i, j).0).sum();
        if c - bound.min(LEX_CAP) >= limit {
            return c - bound.min(LEX_CAP);
        }
        overlap(&a.side, ia, &b.side, jb)
    };
    c += -all.min(LEX_CAP) + missing.min(MISS_CAP);
    let (ma, mb) = (a.side.mark[ia.0], b.side.mark[jb.0]);
    if (ma != 0 && mb != 0 && ma != mb) || misplaced(&a.side, ia, mb) || misplaced(&b.side, jb, ma) {
        c += MARK_CONFLICT;
    }
    if ia.1 - ia.0 == 1 && jb.1 - jb.0 == 1 && a.side.heading[ia.0] != b.side.heading[jb.0] {
        c += 1.0;
    }
    c
}

/// Whether the paragraph numbered `mark` that opens the other side's first unit sits in `x[xs]`
/// after its first unit, or after a sentence end inside one of its units: the bead starts `x`
/// too early.
fn misplaced(x: &Side, xs: (usize, usize), mark: u32) -> bool {
    mark != 0
        && x.mark[xs.0] != mark
        && ((xs.0 + 1..xs.1).any(|k| x.mark[k] == mark) || (xs.0..xs.1).any(|k| x.inner.get(k).contains(&mark)))
}

/// Whether `x[xs]` holds the numbered paragraph that opens `y[next]`, the first unit after the
/// bead on the other side: as a unit after its first, or after a sentence end inside its last.
fn cut_inside(x: &Side, xs: (usize, usize), y: &Side, next: usize) -> bool {
    let mark = y.mark.get(next).copied().unwrap_or(0);
    mark != 0 && xs.0 < xs.1 && (x.inner.get(xs.1 - 1).contains(&mark) || (xs.0 + 1..xs.1).any(|k| x.mark[k] == mark))
}

/// The length cost of `la` characters of A against `lb` of B: Gaussian near the expected
/// length, linear in the tails (Huber), as translations much longer or shorter than usual
/// happen and lexical evidence must be able to win.
fn length_cost(la: f64, lb: f64, p: &Params) -> f64 {
    let x = lb / p.ratio;
    let d = ((x - la) / (p.s2 * ((la + x) / 2.0).max(1.0)).sqrt()).abs();
    if d <= 2.0 { d * d / 2.0 } else { 2.0 * d - 2.0 }
}

/// The length cost of the units `many[ks]` against the single unit `one[o]`. Either the many
/// are one paragraph broken across lines (page breaks: the one is matched whole, which costs
/// extra unless the breaks look mid-sentence), or the one is several paragraphs run together:
/// then it splits, at its sentence ends, into parts whose lengths match the many.
fn joined_cost(many: &Prepared, one: &Prepared, ks: Range<usize>, o: usize, p: &Params, flip: bool) -> f64 {
    let cost = |m: f64, x: f64| if flip { length_cost(x, m, p) } else { length_cost(m, x, p) };
    let lens = &many.side.len[ks.clone()];
    let lo = one.side.len[o];
    // Each part is best cut at one of the two sentence ends around where its length says.
    let breaks = one.side.breaks.get(o);
    let scale = if flip { 1.0 / p.ratio } else { p.ratio };
    let near = |len: f64| {
        let k = breaks.partition_point(|&t| f64::from(t) < len * scale);
        breaks[k.saturating_sub(1)..(k + 1).min(breaks.len())].iter().map(|&t| f64::from(t))
    };
    let mut run_on = f64::INFINITY;
    match *lens {
        [l1, l2] => {
            for t in near(l1) {
                run_on = run_on.min(cost(l1, t) + cost(l2, lo - t));
            }
        }
        [l1, l2, l3] => {
            for t in near(l1) {
                for u in near(l1 + l2).filter(|&u| u > t) {
                    run_on = run_on.min(cost(l1, t) + cost(l2, u - t) + cost(l3, lo - u));
                }
            }
        }
        _ => {}
    }
    let unbroken: f64 = many.side.bare[ks.start + 1..ks.end].iter().sum();
    run_on.min(cost(lens.iter().sum(), lo) + NO_BREAK * unbroken)
}

/// Gale & Church's length cost: -ln P(|δ|) under a standard normal, two-tailed.
fn gc_length(la: f64, lb: f64, p: &Params) -> f64 {
    if la == 0.0 && lb == 0.0 {
        return 0.0;
    }
    if la == 0.0 || lb == 0.0 {
        return 0.0;
    }
    let x = lb / p.ratio;
    let delta = (x - la).abs() / (p.s2 * ((la + x) / 2.0)).sqrt();
    let tail = erfc(delta / std::f64::consts::SQRT_2).max(1e-300);
    -tail.ln()
}

/// Complementary error function (Numerical Recipes' Chebyshev fit, relative error < 1.2e-7).
fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98 + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let r = t * poly.exp();
    if x >= 0.0 { r } else { 2.0 - r }
}

/// Maps compacted beads back to original indices and puts stray lines back: inside a bead
/// when both neighbours on their side belong to it, else as a bead of their own after the bead
/// holding the unit before them.
fn restore_strays(mut beads: Vec<Bead>, ka: &[usize], kb: &[usize], pa: &[Unit], pb: &[Unit]) -> Vec<Bead> {
    let (n, m) = (pa.len(), pb.len());
    for bd in &mut beads {
        bd.pivot.iter_mut().for_each(|k| *k = ka[*k]);
        bd.other.iter_mut().for_each(|k| *k = kb[*k]);
    }
    // slot 0 = before every bead, slot k+1 = after bead k.
    let mut after: Vec<(Vec<usize>, Vec<usize>)> = vec![(Vec::new(), Vec::new()); beads.len() + 1];
    for pivot_side in [true, false] {
        let (kept, total) = if pivot_side { (ka, n) } else { (kb, m) };
        let mut owner = vec![usize::MAX; total];
        for (k, bd) in beads.iter().enumerate() {
            for &x in if pivot_side { &bd.pivot } else { &bd.other } {
                owner[x] = k;
            }
        }
        let mut next_kept = kept.iter().peekable();
        let mut prev: Option<usize> = None;
        for s in 0..total {
            if owner[s] != usize::MAX {
                prev = Some(s);
                continue;
            }
            while next_kept.peek().is_some_and(|&&q| q < s) {
                next_kept.next();
            }
            let next = next_kept.peek().map(|&&q| q);
            let inside = match (prev, next) {
                (Some(p), Some(q)) if owner[p] == owner[q] => Some(owner[p]),
                _ => None,
            };
            match inside {
                Some(k) => {
                    let v = if pivot_side { &mut beads[k].pivot } else { &mut beads[k].other };
                    v.push(s);
                    v.sort_unstable();
                }
                None => {
                    let slot = prev.map_or(0, |p| owner[p] + 1);
                    if pivot_side { after[slot].0.push(s) } else { after[slot].1.push(s) }
                }
            }
        }
    }
    let mut out = Vec::with_capacity(beads.len() * 2);
    // The same running head at the same place on both sides is a pair (a text aligned with
    // itself must come out as the identity); otherwise each stray line stands alone.
    let strays = |slot: &(Vec<usize>, Vec<usize>), out: &mut Vec<Bead>| {
        let same = slot.0.len() == slot.1.len()
            && slot.0.iter().zip(&slot.1).all(|(&x, &y)| pa[x].text.trim() == pb[y].text.trim());
        if same {
            out.extend(slot.0.iter().zip(&slot.1).map(|(&x, &y)| Bead {
                pivot: vec![x],
                other: vec![y],
                confidence: 0.95,
            }));
            return;
        }
        out.extend(slot.0.iter().map(|&s| Bead { pivot: vec![s], other: Vec::new(), confidence: 0.95 }));
        out.extend(slot.1.iter().map(|&s| Bead { pivot: Vec::new(), other: vec![s], confidence: 0.95 }));
    };
    strays(&after[0], &mut out);
    for (k, bd) in beads.into_iter().enumerate() {
        out.push(bd);
        strays(&after[k + 1], &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bead_holding_the_numbered_paragraph_next_on_the_other_side_cuts_through_it() {
        let units = |lines: &[&'static str]| lines.iter().map(|l| Unit::from_line(l)).collect::<Vec<_>>();
        let side = |u: &[Unit]| features::side(u, &(0..u.len()).collect::<Vec<_>>(), "en", false);
        let a = side(&units(&["37. Requests the system.", "49. Also requests the system."]));
        let b = side(&units(&["37. Pide al sistema.", "49. Pide también al sistema.", "Pide. 49. Pide también."]));
        // b[0..2] holds paragraph 49 as its second unit, b[2] inside its text; a[1] is 49.
        assert!(cut_inside(&b, (0, 2), &a, 1));
        assert!(cut_inside(&b, (2, 3), &a, 1));
        assert!(!cut_inside(&b, (0, 1), &a, 1));
        assert!(!cut_inside(&b, (1, 2), &a, 1) && !cut_inside(&b, (2, 3), &a, 0) && !cut_inside(&b, (0, 0), &a, 1));
        // A bead opening with a[1] (49) starts b too early at b[0] (37) or b[2] (49 inside).
        let m = a.mark[1];
        assert!(misplaced(&b, (0, 2), m) && misplaced(&b, (2, 3), m));
        assert!(!misplaced(&b, (1, 2), m) && !misplaced(&b, (0, 1), m) && !misplaced(&b, (0, 2), 0));
    }
}
