//! The corridor of the dynamic programme. Tokens that occur equally often on both sides
//! (hapaxes above all) are paired in order of occurrence; the heaviest chain of pairs that
//! never cross is the skeleton of the alignment (hunalign's partial-align idea, applied to
//! numbers, symbols and names). The DP then only looks at cells near that skeleton, so time and
//! memory grow linearly with the input.

use super::features::{Class, Side, class_of};

/// Inclusive column ranges, one per DP row.
pub(crate) type Lanes = Vec<(usize, usize)>;

/// The anchor chain of two sides: pairs of units, increasing in both.
pub(crate) fn skeleton(a: &Side, b: &Side) -> Vec<(usize, usize)> {
    chain(&pairs(a, b))
}

/// Whether the path made of `steps` (the units of A and of B of each bead, from the start)
/// comes within a unit of an edge of `lanes` that is not an edge of the whole table: there the
/// corridor may have kept the programme from a cheaper path.
pub(crate) fn touches_edge(lanes: &Lanes, steps: impl Iterator<Item = (usize, usize)>, m: usize) -> bool {
    let (mut i, mut j) = (0, 0);
    for (di, dj) in steps {
        (i, j) = (i + di, j + dj);
        let (lo, hi) = lanes[i];
        if (lo > 0 && j <= lo + 1) || (hi < m && j + 1 >= hi) {
            return true;
        }
    }
    false
}

/// For every row `i` in `0..=n` (units of A consumed), the inclusive range of columns (units
/// of B consumed) of `m` the DP may visit, around the anchor `chain`; ranges are monotone and
/// consecutive ones overlap. Between two anchors the corridor is `width` units either side of
/// the straight line joining them, and one more for every two rows between them, up to
/// `widest`: where anchors are dense the path cannot stray far from them; where they are
/// sparse, missing or split paragraphs take it further off the line, and a wrong anchor (a
/// number of a footnote moved by the conversion) is likelier alone.
pub(crate) fn corridor(chain: &[(usize, usize)], (n, m): (usize, usize), width: usize, widest: usize) -> Lanes {
    let mut points = vec![(0usize, 0usize)];
    for &(i, j) in chain {
        let &(pi, pj) = points.last().unwrap_or(&(0, 0));
        if i > pi && j >= pj {
            points.push((i, j));
        }
    }
    points.push((n, m));
    let mut lo = vec![0usize; n + 1];
    let mut hi = vec![0usize; n + 1];
    let mut seg = 0;
    for i in 0..=n {
        while seg + 2 < points.len() && points[seg + 1].0 <= i {
            seg += 1;
        }
        let ((x0, y0), (x1, y1)) = (points[seg], points[seg + 1]);
        let centre = if x1 > x0 { y0 + (i.saturating_sub(x0)) * (y1 - y0) / (x1 - x0) } else { y1 };
        let width = (width + (x1 - x0) / 2).min(widest.max(width));
        lo[i] = centre.saturating_sub(width);
        hi[i] = (centre + width).min(m);
    }
    // Monotone envelope, then overlap between consecutive rows so a path always exists.
    for i in 1..=n {
        hi[i] = hi[i].max(hi[i - 1]);
    }
    for i in (0..n).rev() {
        lo[i] = lo[i].min(lo[i + 1]);
    }
    lo[0] = 0;
    hi[n] = m;
    for i in 1..=n {
        lo[i] = lo[i].min(hi[i - 1]);
    }
    lo.into_iter().zip(hi).collect()
}

/// Pairs sharing less than this (one name, one short number) are too weak to anchor on.
const MIN_WEIGHT: f64 = 1.5;

/// Anchor pairs (i, j, weight) of at least [`MIN_WEIGHT`], sorted by (i, j), one per cell.
/// Occurrences and candidates are kept in 32 bits: this is the peak of memory on big inputs.
fn pairs(a: &Side, b: &Side) -> Vec<(usize, usize, f64)> {
    let occurrences = |s: &Side| {
        let mut occ: Vec<(u32, u32)> = Vec::new();
        for (unit, toks) in s.toks.iter().enumerate() {
            let anchoring = toks.iter().filter(|&&t| !matches!(class_of(t), Class::Digit | Class::Stem));
            occ.extend(anchoring.map(|&t| (t, unit as u32)));
        }
        occ.sort_unstable();
        occ
    };
    let (oa, ob) = (occurrences(a), occurrences(b));
    let mut out: Vec<(u32, u32, f32)> = Vec::new();
    let (mut x, mut y) = (0, 0);
    while x < oa.len() && y < ob.len() {
        let (ta, tb) = (oa[x].0, ob[y].0);
        if ta < tb {
            x += 1;
        } else if tb < ta {
            y += 1;
        } else {
            let ex = x + oa[x..].iter().take_while(|o| o.0 == ta).count();
            let ey = y + ob[y..].iter().take_while(|o| o.0 == ta).count();
            if ex - x == ey - y {
                let w = class_of(ta).weight() as f32;
                out.extend(oa[x..ex].iter().zip(&ob[y..ey]).map(|(p, q)| (p.1, q.1, w)));
            }
            (x, y) = (ex, ey);
        }
    }
    drop((oa, ob));
    out.sort_unstable_by_key(|p| (p.0, p.1));
    // Merge the pairs of one cell, summing their weights (in an order fixed by the input).
    out.dedup_by(|next, kept| {
        let same = next.0 == kept.0 && next.1 == kept.1;
        if same {
            kept.2 += next.2;
        }
        same
    });
    out.into_iter()
        .filter(|p| f64::from(p.2) >= MIN_WEIGHT)
        .map(|(i, j, w)| (i as usize, j as usize, f64::from(w)))
        .collect()
}

/// The heaviest chain strictly increasing in both coordinates, in O(P log P) with a Fenwick
/// tree of prefix maxima over columns. Ties go to the earlier pair, so the result is
/// deterministic.
fn chain(pairs: &[(usize, usize, f64)]) -> Vec<(usize, usize)> {
    let size = pairs.iter().map(|p| p.1 + 1).max().unwrap_or(0);
    let mut tree: Vec<(f64, usize)> = vec![(0.0, usize::MAX); size + 1];
    let mut best: Vec<(f64, usize)> = Vec::with_capacity(pairs.len());
    let mut start = 0;
    while start < pairs.len() {
        let end = start + pairs[start..].iter().take_while(|p| p.0 == pairs[start].0).count();
        // Query the whole row first so pairs of one row never chain with each other.
        for p in &pairs[start..end] {
            let mut q = p.1;
            let mut acc = (0.0, usize::MAX);
            while q > 0 {
                if tree[q].0 > acc.0 {
                    acc = tree[q];
                }
                q &= q - 1;
            }
            best.push((acc.0 + p.2, acc.1));
        }
        for (k, p) in pairs.iter().enumerate().take(end).skip(start) {
            let mut q = p.1 + 1;
            while q <= size {
                if best[k].0 > tree[q].0 {
                    tree[q] = (best[k].0, k);
                }
                q += q & q.wrapping_neg();
            }
        }
        start = end;
    }
    let mut k =
        (0..best.len()).fold(usize::MAX, |acc, k| if acc == usize::MAX || best[k].0 > best[acc].0 { k } else { acc });
    let mut out = Vec::new();
    while k != usize::MAX {
        out.push((pairs[k].0, pairs[k].1));
        k = best[k].1;
    }
    out.reverse();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::align::{Unit, features};

    #[test]
    fn the_corridor_is_narrow_where_anchors_are_dense_and_widens_where_they_are_sparse() {
        let lines = |anchored: &dyn Fn(usize) -> bool| -> Vec<String> {
            (0..60)
                .map(|k| if anchored(k) { format!("See A/RES/70/{k}.") } else { "Words only.".to_string() })
                .collect()
        };
        let lanes = |anchored: &dyn Fn(usize) -> bool| {
            let text = lines(anchored);
            let units: Vec<Unit> = text.iter().map(|l| Unit::from_line(l)).collect();
            let keep: Vec<usize> = (0..units.len()).collect();
            let side = features::side(&units, &keep, "en", false);
            corridor(&skeleton(&side, &side), (60, 60), 6, 12)
        };
        let span = |l: &Lanes, i: usize| l[i].1 - l[i].0;
        let dense = lanes(&|_| true);
        assert!((5..55).all(|i| span(&dense, i) <= 13), "{dense:?}");
        // Anchors at both ends only: the middle gets the widest corridor.
        let sparse = lanes(&|k| !(2..=57).contains(&k));
        assert_eq!(span(&sparse, 30), 24);
        // Without widening, the same 6 either side everywhere.
        let fixed = corridor(&[], (60, 60), 6, 6);
        assert!((6..54).all(|i| span(&fixed, i) <= 13), "{fixed:?}");
    }

    #[test]
    fn a_path_along_the_corridor_edge_is_seen() {
        let lanes = corridor(&[], (30, 30), 4, 4);
        // The diagonal stays in the middle; four units of B taken at once reach the top edge.
        assert!(!touches_edge(&lanes, std::iter::repeat_n((1, 1), 30), 30));
        assert_eq!(lanes[1], (0, 5));
        let skew = std::iter::once((1, 4)).chain(std::iter::repeat_n((1, 1), 25)).chain([(4, 1)]);
        assert!(touches_edge(&lanes, skew, 30));
        // The edges of the whole table are not the corridor's.
        assert!(!touches_edge(&lanes, std::iter::once((0, 0)).chain(std::iter::repeat_n((1, 1), 30)), 30));
    }

    #[test]
    fn chain_skips_crossing_pairs() {
        let p = vec![(0, 0, 1.0), (1, 5, 1.0), (2, 1, 1.0), (3, 2, 1.0), (4, 6, 1.0)];
        assert_eq!(chain(&p), vec![(0, 0), (2, 1), (3, 2), (4, 6)]);
        assert!(chain(&[]).is_empty());
    }
}
