//! N-way alignment through a pivot: every version is aligned with the pivot, the other
//! versions serving as witnesses (see [`pairs_with_pivot`]), and pivot units that any version
//! joins into one bead become one group.

use std::collections::{BTreeMap, BTreeSet};

use rayon::prelude::*;
use serde::Serialize;

use super::features::{self, SideCache};
use super::{Bead, LACKS, Options, Unit, Witnesses, align_witnessed, witnesses_agree};
use crate::furniture::page_furniture;

/// One aligned group: for each language the units it holds (languages without any are left
/// out). The group's id is that of its first pivot unit when it has one.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Group {
    pub members: BTreeMap<String, Vec<usize>>,
    /// The lowest confidence of the pairwise beads the group is made of.
    pub confidence: f32,
    /// Whether a person should check this group (confidence below `Options::review_below`).
    pub review: bool,
}

/// Aligns all versions of a document. The pivot is `pivot_lang` when it is one of the
/// versions, else English, else the first version. Groups come in pivot order; a run of units
/// that a version has and the pivot lacks comes right after the group before it. Pins are
/// taken from `opts.pinned_by_lang[lang]` for each (pivot, lang) pair.
pub fn align_nway(versions: &[(&str, &[Unit])], pivot_lang: &str, opts: &Options) -> Vec<Group> {
    let Some(p) = versions
        .iter()
        .position(|v| v.0 == pivot_lang)
        .or_else(|| versions.iter().position(|v| v.0 == "en"))
        .or(if versions.is_empty() { None } else { Some(0) })
    else {
        return Vec::new();
    };
    let (plang, punits) = versions[p];
    let strays: Vec<Vec<bool>> =
        versions.iter().map(|(_, units)| page_furniture(units.iter().map(|u| u.text))).collect();
    let (pairs, others) = pairs_with_pivot(versions, &strays, p, opts);
    // joined[k]: pivot unit k is in the same group as unit k-1.
    let mut joined = vec![false; punits.len()];
    for (_, beads) in &pairs {
        for b in beads {
            for &k in b.pivot.iter().skip(1) {
                joined[k] = true;
            }
        }
    }
    let mut gid = Vec::with_capacity(punits.len());
    let mut groups: Vec<Group> = Vec::new();
    for (k, &j) in joined.iter().enumerate() {
        if k == 0 || !j {
            groups.push(Group { members: BTreeMap::new(), confidence: 1.0, review: false });
        }
        let g = groups.len() - 1;
        gid.push(g);
        groups[g].members.entry(plang.to_string()).or_default().push(k);
    }
    // Units the pivot lacks.
    let mut extra: Vec<Extra> = Vec::new();
    for (k, beads) in &pairs {
        let lang = versions[*k].0;
        let mut slot = 0;
        for (seq, b) in beads.iter().enumerate() {
            if let Some(&first) = b.pivot.first() {
                let g = gid[first];
                slot = g + 1;
                let group = &mut groups[g];
                if !b.other.is_empty() {
                    group.members.entry(lang.to_string()).or_default().extend(&b.other);
                }
                group.confidence = group.confidence.min(b.confidence);
            } else {
                let members = BTreeMap::from([(lang.to_string(), b.other.clone())]);
                extra.push(((slot, *k, seq), Group { members, confidence: b.confidence, review: false }));
            }
        }
    }
    join_through_others(&mut groups, versions, &others);
    let mut extra = attach_through_others(extra, &mut groups, versions, &others);
    extra.sort_by_key(|e| e.0);
    let mut out = Vec::with_capacity(groups.len() + extra.len());
    let mut rest = extra.into_iter().peekable();
    for slot in 0..=groups.len() {
        let mut here = Vec::new();
        while let Some((_, g)) = rest.next_if(|e| e.0.0 == slot) {
            here.push(g);
        }
        out.extend(pair_up(here, versions, &strays));
        if slot < groups.len() {
            out.push(groups[slot].clone());
        }
    }
    let mut out = split_lacked_headings(out, versions, &strays);
    absorb_strays(&mut out, versions, &strays);
    out.retain(|g| !g.members.is_empty());
    for g in &mut out {
        for v in g.members.values_mut() {
            v.sort_unstable();
        }
        g.review = g.confidence < opts.review_below;
    }
    out
}

/// `owner[k][u]`: the group holding unit u of version k.
fn owners(groups: &[Group], versions: &[(&str, &[Unit])]) -> Vec<Vec<Option<usize>>> {
    let mut owner: Vec<Vec<Option<usize>>> = versions.iter().map(|(_, u)| vec![None; u.len()]).collect();
    for (g, group) in groups.iter().enumerate() {
        for (k, (lang, _)) in versions.iter().enumerate() {
            for &u in group.members.get(*lang).map_or(&[][..], Vec::as_slice) {
                owner[k][u] = Some(g);
            }
        }
    }
    owner
}

/// Two neighbouring pivot groups that another version runs together in one unit (two
/// paragraphs merged by its conversion, which its pair with the pivot took for one of them and
/// a lost one) are one group: so say the pairs without the pivot when most of those that place
/// the unit place it across the same two groups. (Most, not all: where all had to agree, strict
/// F1 on `unpc-dev-hard` was .9684 rather than .9706.)
fn join_through_others(groups: &mut [Group], versions: &[(&str, &[Unit])], others: &[PairBeads]) {
    if others.is_empty() || groups.len() < 2 {
        return;
    }
    let owner = owners(groups, versions);
    // seen[k][u]: per pair that places unit u of version k, the pivot groups of the units
    // beside it.
    let mut seen: Vec<Vec<Vec<BTreeSet<usize>>>> = versions.iter().map(|(_, u)| vec![Vec::new(); u.len()]).collect();
    let groups_of =
        |k: usize, units: &[usize]| -> BTreeSet<usize> { units.iter().filter_map(|&u| owner[k][u]).collect() };
    for ((x, y), beads) in others {
        for b in beads {
            let (gx, gy) = (groups_of(*x, &b.pivot), groups_of(*y, &b.other));
            if !gy.is_empty() {
                for &u in &b.pivot {
                    seen[*x][u].push(gy.clone());
                }
            }
            if !gx.is_empty() {
                for &v in &b.other {
                    seen[*y][v].push(gx.clone());
                }
            }
        }
    }
    // joins[g]: group g is one with group g-1.
    let mut joins = vec![false; groups.len()];
    for (k, units) in seen.iter().enumerate() {
        for (u, sets) in units.iter().enumerate() {
            let Some(g) = owner[k][u] else { continue };
            let most = sets.iter().find(|s| 2 * sets.iter().filter(|t| t == s).count() > sets.len());
            if let Some(span) = most
                && span.len() == 2
                && span.contains(&g)
                && let (Some(&lo), Some(&hi)) = (span.first(), span.last())
                && hi == lo + 1
            {
                joins[hi] = true;
            }
        }
    }
    let mut root = 0;
    for g in 0..groups.len() {
        if !joins[g] {
            root = g;
            continue;
        }
        let moved = std::mem::take(&mut groups[g].members);
        for (lang, units) in moved {
            groups[root].members.entry(lang).or_default().extend(units);
        }
        groups[root].confidence = groups[root].confidence.min(groups[g].confidence);
    }
}

/// Units that the pivot lacks, which another version holds in one line with units of a
/// neighbouring pivot group (a paragraph the pivot lost, run into its neighbour by that
/// version's conversion), belong to that group, as the other versions' own groups do: so say
/// the pairs without the pivot (`others`) when every one of them that places the units with
/// a pivot group places them with the same one.
fn attach_through_others(
    extra: Vec<Extra>,
    groups: &mut [Group],
    versions: &[(&str, &[Unit])],
    others: &[PairBeads],
) -> Vec<Extra> {
    if others.is_empty() || extra.is_empty() {
        return extra;
    }
    let owner = owners(groups, versions);
    let mut kept = Vec::with_capacity(extra.len());
    for ((slot, k, seq), group) in extra {
        let lang = versions[k].0;
        let units = &group.members[lang];
        // Per pair with version m: the pivot group that m's units beside ours belong to, or
        // `None` when they belong to several.
        let mut votes: Vec<Option<usize>> = Vec::new();
        for ((x, y), beads) in others {
            let (x, y) = (*x, *y);
            let (m, ours_first) = match (x == k, y == k) {
                (true, _) => (y, true),
                (_, true) => (x, false),
                _ => continue,
            };
            let mut places = BTreeSet::new();
            for b in beads {
                let (ours, theirs) = if ours_first { (&b.pivot, &b.other) } else { (&b.other, &b.pivot) };
                if ours.iter().any(|u| units.contains(u)) {
                    places.extend(theirs.iter().filter_map(|&v| owner[m][v]));
                }
            }
            match places.len() {
                0 => {}
                1 => votes.push(places.first().copied()),
                _ => votes.push(None),
            }
        }
        let target = votes.first().copied().flatten().filter(|&g| votes.iter().all(|&v| v == Some(g)));
        // Slot s lies between pivot groups s-1 and s.
        match target.filter(|&g| g + 1 == slot || g == slot) {
            Some(g) => {
                groups[g].members.entry(lang.to_string()).or_default().extend(units);
                groups[g].confidence = groups[g].confidence.min(group.confidence);
            }
            None => kept.push(((slot, k, seq), group)),
        }
    }
    kept
}

/// A heading that some versions lack: those versions' pairs with the pivot glue the heading
/// to the paragraph after it (a heading and its paragraph match a paragraph whole, as when a
/// version ran them together), so that a group holds, in the versions that have it, a heading
/// then the paragraph, and in the others only the paragraph. Where such a version's script
/// shows the seam of a heading run into a paragraph and none is there, it lacks the heading:
/// when every version of the group either starts with a heading-shaped unit followed by more,
/// or holds one unit that is not a heading and shows no seam, and the former are the more,
/// the headings become a group of their own before the paragraph's.
fn split_lacked_headings(groups: Vec<Group>, versions: &[(&str, &[Unit])], strays: &[Vec<bool>]) -> Vec<Group> {
    let mut out = Vec::with_capacity(groups.len());
    for mut g in groups {
        let members = |lang: &str| g.members.get(lang).map(Vec::as_slice);
        let with = versions
            .iter()
            .zip(strays)
            .filter(|((lang, units), stray)| {
                matches!(members(lang), Some([first, _, ..])
                    if features::heading_like(units[*first].text, lang) && !stray[*first])
            })
            .count();
        // The seam test, the dearer, only where the headings can be the more: most groups
        // have none.
        let without = || {
            versions
                .iter()
                .filter(|(lang, units)| {
                    matches!(members(lang), Some([only])
                        if !features::heading_like(units[*only].text, lang)
                            && features::heading_run_in(&units[*only], lang) == Some(false))
                })
                .count()
        };
        if 2 * with > versions.len() && with < versions.len() && with + without() == versions.len() {
            let mut heading = Group { members: BTreeMap::new(), confidence: g.confidence, review: false };
            for (lang, m) in g.members.iter_mut().filter(|(_, m)| m.len() > 1) {
                heading.members.insert(lang.clone(), vec![m.remove(0)]);
            }
            out.push(heading);
        }
        out.push(g);
    }
    out
}

fn is_stray_group(g: &Group, versions: &[(&str, &[Unit])], strays: &[Vec<bool>]) -> bool {
    let mut units = g.members.iter().flat_map(|(l, v)| v.iter().map(move |&k| (l, k)));
    match (units.next(), units.next()) {
        (Some((l, k)), None) => {
            versions.iter().zip(strays).any(|((vl, _), stray)| vl == l && stray.get(k).is_some_and(|&s| s))
        }
        _ => false,
    }
}

/// Units that the pivot lacks, found between the same two pivot groups in several versions:
/// when every version has the same number of them (stray lines aside), they are one another's
/// translations and are grouped in order.
fn pair_up(here: Vec<Group>, versions: &[(&str, &[Unit])], stray: &[Vec<bool>]) -> Vec<Group> {
    let (strays, content): (Vec<Group>, Vec<Group>) =
        here.into_iter().partition(|g| is_stray_group(g, versions, stray));
    let mut by_lang: BTreeMap<&String, Vec<&Group>> = BTreeMap::new();
    for g in &content {
        if let Some(l) = g.members.keys().next() {
            by_lang.entry(l).or_default().push(g);
        }
    }
    let counts: Vec<usize> = by_lang.values().map(Vec::len).collect();
    let mut out = Vec::new();
    if by_lang.len() > 1 && counts.windows(2).all(|w| w[0] == w[1]) {
        for k in 0..counts[0] {
            let mut g = Group { members: BTreeMap::new(), confidence: 1.0, review: false };
            for v in by_lang.values() {
                for (l, m) in &v[k].members {
                    g.members.entry(l.clone()).or_default().extend(m);
                }
                g.confidence = g.confidence.min(v[k].confidence);
            }
            out.push(g);
        }
    } else {
        out.extend(content);
    }
    out.extend(strays);
    out
}

/// A stray line (running head, page number) of one version that sits between two units of the
/// same group belongs to that group: it was printed inside a paragraph broken by a page.
fn absorb_strays(groups: &mut [Group], versions: &[(&str, &[Unit])], strays: &[Vec<bool>]) {
    for ((lang, units), stray) in versions.iter().zip(strays) {
        let mut owner = vec![usize::MAX; units.len()];
        for (g, group) in groups.iter().enumerate() {
            for &k in group.members.get(*lang).map_or(&[][..], Vec::as_slice) {
                if let Some(o) = owner.get_mut(k) {
                    *o = g;
                }
            }
        }
        for k in 0..units.len() {
            if !stray[k] || owner[k] == usize::MAX || !is_stray_group(&groups[owner[k]], versions, strays) {
                continue;
            }
            let prev = (0..k).rev().find(|&p| !stray[p]);
            let next = (k + 1..units.len()).find(|&q| !stray[q]);
            if let (Some(p), Some(q)) = (prev, next)
                && owner[p] == owner[q]
                && owner[p] != usize::MAX
            {
                let (from, to) = (owner[k], owner[p]);
                groups[from].members.clear();
                groups[to].members.entry(lang.to_string()).or_default().push(k);
                owner[k] = to;
            }
        }
    }
}

/// How often every pair of versions is aligned again with the others' alignments of the round
/// before as witnesses; the last round aligns only the pairs with the pivot. The second round
/// still gained (0.002 F1 on the damaged dev set), a third did not.
pub(crate) const WITNESS_ROUNDS: usize = 2;

/// Every version aligned with the pivot `p`, as (version, beads), and the pairs without the
/// pivot as the witness rounds left them (none when the rounds were not needed). Each version
/// is aligned with the pivot on its own first; where that is not one for one, every pair of
/// versions is aligned again with the others as witnesses (see [`witness_rounds`]). Damage is
/// local, so the rounds run only in windows around the beads that are not one for one, each
/// [`WINDOW_MARGIN`] pivot units wider on both sides and cut where every version's beads
/// meet: the rest of the document keeps its beads with the pivot.
fn pairs_with_pivot(
    versions: &[(&str, &[Unit])],
    strays: &[Vec<bool>],
    p: usize,
    opts: &Options,
) -> (Vec<(usize, Vec<Bead>)>, Vec<PairBeads>) {
    let others: Vec<usize> = (0..versions.len()).filter(|&k| k != p).collect();
    let sides = SideCache::default();
    let direct: Vec<Vec<Bead>> = others
        .par_iter()
        .map(|&k| {
            let (x, y) = (versions[p], versions[k]);
            let o = pair_options(opts, versions, p, (p, k));
            align_witnessed(x.1, y.1, (x.0, y.0), &o, &Witnesses::default(), Some(&sides))
        })
        .collect();
    // Two versions have no witness: their one pair is aligned once.
    let rounds = if versions.len() < 3 { 0 } else { opts.witness_rounds };
    // When each pair with the pivot is one to one throughout, every version has the pivot's
    // units one for one and the witnesses, which link the pivot to each version through the
    // others, have nothing to contest (on the gold sets this changed no group).
    let clean = |b: &Bead, k: usize| one_for_one(b, &strays[p], &strays[k]);
    if rounds == 0 || direct.iter().zip(&others).all(|(beads, &k)| one_to_one(beads, &strays[p], &strays[k])) {
        return (others.into_iter().zip(direct).collect(), Vec::new());
    }
    let n = versions[p].1.len();
    // Pins are in the whole document's numbering: with them, one window covers it all.
    let windows = if opts.pinned_by_lang.is_empty() { windows(&direct, &others, n, &clean) } else { vec![(0, n)] };
    let mut spliced: Vec<Vec<Bead>> = vec![Vec::new(); direct.len()];
    // The first bead of each pair with the pivot that is not spliced yet.
    let mut rest = vec![0; direct.len()];
    let mut witnessed_pairs: Vec<PairBeads> = Vec::new();
    for &(s, e) in &windows {
        let (from, to): (Vec<_>, Vec<_>) = direct.iter().map(|beads| (cut(beads, s, n), cut(beads, e, n))).unzip();
        // Each version's units in the window, the pivot's too.
        let mut bounds = vec![(s, e); versions.len()];
        for (i, &k) in others.iter().enumerate() {
            bounds[k] = (from[i].1, to[i].1);
        }
        let sub: Vec<(&str, &[Unit])> =
            versions.iter().zip(&bounds).map(|((lang, units), &(lo, hi))| (*lang, &units[lo..hi])).collect();
        let start = |x: usize, y: usize| (bounds[x].0, bounds[y].0);
        let sub_direct: Vec<Vec<Bead>> = (0..direct.len())
            .map(|i| direct[i][from[i].0..to[i].0].iter().map(|b| rebased(b, start(p, others[i]), (0, 0))).collect())
            .collect();
        let (beads, pairs) = witness_rounds(&sub, p, opts, sub_direct, &sides);
        for (i, window_beads) in beads.into_iter().enumerate() {
            spliced[i].extend_from_slice(&direct[i][rest[i]..from[i].0]);
            spliced[i].extend(window_beads.iter().map(|b| rebased(b, (0, 0), start(p, others[i]))));
            rest[i] = to[i].0;
        }
        if witnessed_pairs.is_empty() {
            witnessed_pairs = pairs.iter().map(|(xy, _)| (*xy, Vec::new())).collect();
        }
        for ((xy, all), (_, window_beads)) in witnessed_pairs.iter_mut().zip(pairs) {
            all.extend(window_beads.iter().map(|b| rebased(b, (0, 0), start(xy.0, xy.1))));
        }
    }
    for (i, beads) in direct.iter().enumerate() {
        spliced[i].extend_from_slice(&beads[rest[i]..]);
    }
    (others.into_iter().zip(spliced).collect(), witnessed_pairs)
}

/// How many pivot units around a bead that is not one for one the witness rounds also
/// realign: a version that lost a paragraph is often aligned one for one, but shifted, over a
/// few paragraphs before its pair with the pivot meets the loss.
const WINDOW_MARGIN: usize = 8;

/// The windows of pivot units `[s, e)` where a pair with the pivot has a bead that is not
/// `clean`, widened by [`WINDOW_MARGIN`] and out to where every pair has a bead starting (see
/// [`cut`]); in order, apart.
fn windows(
    direct: &[Vec<Bead>],
    others: &[usize],
    n: usize,
    clean: &dyn Fn(&Bead, usize) -> bool,
) -> Vec<(usize, usize)> {
    // starts[c]: how many pairs have a bead whose first pivot unit is c.
    let mut starts = vec![0usize; n + 1];
    let mut trouble: Vec<(usize, usize)> = Vec::new();
    for (beads, &k) in direct.iter().zip(others) {
        let mut next: usize = 0;
        for b in beads {
            if let Some(&first) = b.pivot.first() {
                starts[first] += 1;
            }
            if !clean(b, k) {
                // A bead without pivot units sits before pivot unit `next`, on the left of a
                // cut there: the window must hold the unit before it (the first, at the start).
                trouble.push(match (b.pivot.first(), b.pivot.last()) {
                    (Some(&lo), Some(&hi)) => (lo, hi + 1),
                    _ => (next.saturating_sub(1), next.max(1).min(n)),
                });
            }
            next = b.pivot.last().map_or(next, |&u| u + 1);
        }
    }
    let cuttable = |c: usize| c == 0 || c == n || starts[c] == direct.len();
    trouble.sort_unstable();
    let mut out: Vec<(usize, usize)> = Vec::new();
    for (lo, hi) in trouble {
        let mut s = lo.saturating_sub(WINDOW_MARGIN);
        let mut e = (hi + WINDOW_MARGIN).min(n);
        while !cuttable(s) {
            s -= 1;
        }
        while !cuttable(e) {
            e += 1;
        }
        match out.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => out.push((s, e)),
        }
    }
    out
}

/// Where a cut before pivot unit `c` falls in `beads` (a pair with the pivot, where some bead
/// starts at `c` or `c` is 0 or `n`): the index of the first bead after it, and the other
/// version's units before it. Beads without pivot units right before the cut stay before it.
fn cut(beads: &[Bead], c: usize, n: usize) -> (usize, usize) {
    let t = match c {
        0 => 0,
        _ if c == n => beads.len(),
        _ => beads.iter().position(|b| b.pivot.first().is_some_and(|&u| u >= c)).unwrap_or(beads.len()),
    };
    (t, beads[..t].iter().map(|b| b.other.len()).sum())
}

/// `bead` moved from a numbering whose first units (pivot side, other side) are `from` to one
/// where they are `to`.
fn rebased(bead: &Bead, from: (usize, usize), to: (usize, usize)) -> Bead {
    let moved = |units: &[usize], (f, t): (usize, usize)| units.iter().map(|&u| u - f + t).collect();
    Bead {
        pivot: moved(&bead.pivot, (from.0, to.0)),
        other: moved(&bead.other, (from.1, to.1)),
        confidence: bead.confidence,
    }
}

/// The options of the pair of versions (x, y): the reviewer's pins of y's language when x is
/// the pivot `p`, none otherwise.
fn pair_options(opts: &Options, versions: &[(&str, &[Unit])], p: usize, (x, y): (usize, usize)) -> Options {
    let pinned = if x == p { opts.pinned_by_lang.get(versions[y].0).cloned().unwrap_or_default() } else { Vec::new() };
    Options { pinned, pinned_by_lang: BTreeMap::new(), ..opts.clone() }
}

/// Every pair of versions aligned, the pairs with the pivot `p` given (`direct`, in version
/// order without the pivot), then again with the other versions as witnesses. PDF conversion
/// damages each version differently, so where a bead is wrong (two paragraphs taken for one
/// broken by a page, a heading glued to the wrong neighbour) the versions aligned with both
/// sides mostly still see the units apart, and say so. Returns the pairs with the pivot and
/// the other pairs, as the rounds left them.
fn witness_rounds(
    versions: &[(&str, &[Unit])],
    p: usize,
    opts: &Options,
    direct: Vec<Vec<Bead>>,
    sides: &SideCache,
) -> (Vec<Vec<Bead>>, Vec<PairBeads>) {
    let options = |x: usize, y: usize| pair_options(opts, versions, p, (x, y));
    // Every pair once, the pivot first in its own pairs.
    let mut pairs: Vec<(usize, usize)> = (0..versions.len()).filter(|&k| k != p).map(|k| (p, k)).collect();
    let others: Vec<usize> = (0..versions.len()).filter(|&k| k != p).collect();
    for (n, &x) in others.iter().enumerate() {
        pairs.extend(others[n + 1..].iter().map(|&y| (x, y)));
    }
    let count_direct = versions.len() - 1;
    let align = |&(x, y): &(usize, usize), seen: &Witnesses| {
        let langs = (versions[x].0, versions[y].0);
        align_witnessed(versions[x].1, versions[y].1, langs, &options(x, y), seen, Some(sides))
    };
    let rounds = opts.witness_rounds;
    let mut beads = direct;
    beads.par_extend(pairs[count_direct..].par_iter().map(|pair| align(pair, &Witnesses::default())));
    // Whether a pair's beads are still those of its alignment without witnesses: while the
    // witnesses contradict none of them, aligning the pair again would return them unchanged.
    let mut unwitnessed = vec![true; beads.len()];
    let mut rest = Vec::new();
    for round in 1..=rounds {
        let span = all_spans(&pairs, &beads, versions);
        let count = if round == rounds { count_direct } else { pairs.len() };
        if round == rounds {
            rest = pairs[count_direct..].iter().copied().zip(beads.split_off(count_direct)).collect();
        }
        // The beads move into the round: those the witnesses agree with are kept, not copied.
        let realigned: Vec<(Vec<Bead>, bool)> = beads
            .into_par_iter()
            .zip(unwitnessed[..count].par_iter())
            .zip(pairs[..count].par_iter())
            .map(|((before, &fresh), &(x, y))| {
                let seen = witnessed(&span, versions, (x, y));
                let texts = (versions[x].1, versions[y].1);
                let langs = (versions[x].0, versions[y].0);
                if fresh && witnesses_agree(texts, langs, &options(x, y), &seen, &before, Some(sides)) {
                    return (before, true);
                }
                (align(&(x, y), &seen), false)
            })
            .collect();
        (beads, unwitnessed) = realigned.into_iter().unzip();
    }
    (beads, rest)
}

/// Whether every bead of an alignment of the pivot with another version is [`one_for_one`].
fn one_to_one(beads: &[Bead], pivot_strays: &[bool], other_strays: &[bool]) -> bool {
    beads.iter().all(|b| one_for_one(b, pivot_strays, other_strays))
}

/// Whether a bead of the pivot with another version pairs one unit with one, or is made of
/// page furniture alone (`pivot_strays`, `other_strays`).
fn one_for_one(b: &Bead, pivot_strays: &[bool], other_strays: &[bool]) -> bool {
    let furniture = |units: &[usize], stray: &[bool]| units.iter().all(|&k| stray[k]);
    (b.pivot.len() == 1 && b.other.len() == 1)
        || (furniture(&b.pivot, pivot_strays) && furniture(&b.other, other_strays))
}

/// `span[(x, y)]`: for each unit of version x, the units of version y in its bead, for every
/// pair (x, y) aligned in `beads` and the other way round.
fn all_spans(
    pairs: &[(usize, usize)],
    beads: &[Vec<Bead>],
    versions: &[(&str, &[Unit])],
) -> BTreeMap<(usize, usize), Ranges> {
    let mut span = BTreeMap::new();
    for (&(x, y), b) in pairs.iter().zip(beads) {
        let (to, from) = spans(b, versions[x].1.len(), versions[y].1.len());
        span.insert((x, y), to);
        span.insert((y, x), from);
    }
    span
}

/// A group of units the pivot lacks, keyed by (slot, version, order): slot 0 is before every
/// pivot group, slot g+1 right after group g.
type Extra = ((usize, usize, usize), Group);

/// The beads of the pair of versions (x, y), x on the pivot side of each bead.
type PairBeads = ((usize, usize), Vec<Bead>);

/// Per unit of a version, a range [lo, hi) of units of another version.
type Ranges = Vec<(u32, u32)>;

/// What the versions other than `x` and `y` say about aligning them, from the spans of every
/// pair's beads (`span[(v, w)]`: for each unit of version v, the units of w in its bead).
fn witnessed(
    span: &BTreeMap<(usize, usize), Ranges>,
    versions: &[(&str, &[Unit])],
    (x, y): (usize, usize),
) -> Witnesses {
    let witnesses: Vec<usize> = (0..versions.len()).filter(|&w| w != x && w != y).collect();
    let through = |from: usize, to: usize| -> Vec<Ranges> {
        witnesses.iter().map(|&w| compose(&span[&(from, w)], &span[&(w, to)])).collect()
    };
    Witnesses {
        count: witnesses.len(),
        pivot: interleave(&through(x, y), versions[x].1.len()),
        other: interleave(&through(y, x), versions[y].1.len()),
    }
}

/// For each unit of the pivot side and of the other side of `beads`, the range of units of
/// the opposite side in its bead.
fn spans(beads: &[Bead], n: usize, m: usize) -> (Ranges, Ranges) {
    let range = |v: &[usize]| match (v.first(), v.last()) {
        (Some(&lo), Some(&hi)) => (lo as u32, hi as u32 + 1),
        _ => (0, 0),
    };
    let (mut to, mut from) = (vec![(0, 0); n], vec![(0, 0); m]);
    for b in beads {
        for &k in &b.pivot {
            to[k] = range(&b.other);
        }
        for &k in &b.other {
            from[k] = range(&b.pivot);
        }
    }
    (to, from)
}

/// Where each unit gets through an intermediate version: the smallest range holding what the
/// intermediate units of its range reach, or [`LACKS`] when they reach nothing.
fn compose(first: &[(u32, u32)], second: &[(u32, u32)]) -> Ranges {
    first
        .iter()
        .map(|&(lo, hi)| {
            if lo >= hi {
                return (0, 0);
            }
            (lo..hi)
                .filter_map(|k| second.get(k as usize).copied().filter(|r| r.0 < r.1))
                .reduce(|x, y| (x.0.min(y.0), x.1.max(y.1)))
                .unwrap_or(LACKS)
        })
        .collect()
}

/// Ranges per witness, laid out per unit as [`Witnesses`] wants them.
fn interleave(per_witness: &[Ranges], len: usize) -> Ranges {
    (0..len).flat_map(|k| per_witness.iter().map(move |w| w[k])).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bead(pivot: &[usize], other: &[usize]) -> Bead {
        Bead { pivot: pivot.to_vec(), other: other.to_vec(), confidence: 1.0 }
    }

    /// The claim that lets a witness round skip a pair: where the witnesses contradict none of
    /// the beads made without them, aligning again with them gives the same beads. Checked on
    /// UN documents, clean ones (whose pairs the witnesses mostly confirm) and damaged ones
    /// (whose pairs they mostly contradict).
    #[test]
    fn beads_the_witnesses_agree_with_are_those_aligning_again_gives() {
        let opts = Options::default();
        let (mut agreed, mut contradicted) = (0, 0);
        let docs = [
            "unpc-dev/docs/2015_a_68_908",
            "unpc-dev/docs/2015_a_69_102_add_2",
            "unpc-dev-hard/hard_000",
            "unpc-dev-hard/hard_001",
        ];
        for doc in docs {
            let texts = corpus_texts(doc);
            let units: Vec<Vec<Unit>> = texts.iter().map(|(_, t)| t.lines().map(Unit::from_line).collect()).collect();
            let versions: Vec<(&str, &[Unit])> = texts.iter().zip(&units).map(|((l, _), u)| (*l, &u[..])).collect();
            let pairs: Vec<(usize, usize)> =
                (0..versions.len()).flat_map(|x| (x + 1..versions.len()).map(move |y| (x, y))).collect();
            let align = |(x, y): (usize, usize), seen: &Witnesses| {
                align_witnessed(versions[x].1, versions[y].1, (versions[x].0, versions[y].0), &opts, seen, None)
            };
            let beads: Vec<Vec<Bead>> = pairs.iter().map(|&pair| align(pair, &Witnesses::default())).collect();
            let span = all_spans(&pairs, &beads, &versions);
            for (&(x, y), b) in pairs.iter().zip(&beads) {
                let seen = witnessed(&span, &versions, (x, y));
                let (texts, langs) = ((versions[x].1, versions[y].1), (versions[x].0, versions[y].0));
                if witnesses_agree(texts, langs, &opts, &seen, b, None) {
                    assert_eq!(&align((x, y), &seen), b, "{doc} {x}-{y}");
                    agreed += 1;
                } else {
                    contradicted += 1;
                }
            }
        }
        assert!(agreed > 0 && contradicted > 0, "{agreed} pairs agreed, {contradicted} contradicted");
    }

    /// The six language versions of a document of `../shared/corpus`, English first.
    fn corpus_texts(doc: &str) -> Vec<(&'static str, String)> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus").join(doc);
        ["en", "ar", "es", "fr", "ru", "zh"]
            .into_iter()
            .map(|l| (l, std::fs::read_to_string(dir.join(format!("{l}.txt"))).expect("corpus file")))
            .collect()
    }

    /// The claim that lets `pairs_with_pivot` skip the witnesses when every version is
    /// one-to-one with the pivot: then every pair of versions is, and the witnesses contradict
    /// no pair's beads, so no round would change them.
    #[test]
    fn versions_one_to_one_with_the_pivot_leave_the_witnesses_nothing_to_contest() {
        let opts = Options::default();
        let mut skipped = 0;
        for doc in ["2015_a_68_908", "2015_a_69_102_add_2", "2015_a_69_176_corr_1", "2015_a_69_34"] {
            let texts = corpus_texts(&format!("unpc-dev/docs/{doc}"));
            let units: Vec<Vec<Unit>> = texts.iter().map(|(_, t)| t.lines().map(Unit::from_line).collect()).collect();
            let versions: Vec<(&str, &[Unit])> = texts.iter().zip(&units).map(|((l, _), u)| (*l, &u[..])).collect();
            let pairs: Vec<(usize, usize)> =
                (0..versions.len()).flat_map(|x| (x + 1..versions.len()).map(move |y| (x, y))).collect();
            let beads: Vec<Vec<Bead>> = pairs
                .iter()
                .map(|&(x, y)| {
                    let langs = (versions[x].0, versions[y].0);
                    align_witnessed(versions[x].1, versions[y].1, langs, &opts, &Witnesses::default(), None)
                })
                .collect();
            let strays: Vec<Vec<bool>> = units.iter().map(|u| page_furniture(u.iter().map(|u| u.text))).collect();
            let with_pivot = pairs.iter().zip(&beads).filter(|((x, _), _)| *x == 0);
            if !with_pivot.clone().all(|(&(_, y), b)| one_to_one(b, &strays[0], &strays[y])) {
                continue;
            }
            skipped += 1;
            let span = all_spans(&pairs, &beads, &versions);
            for (&(x, y), b) in pairs.iter().zip(&beads) {
                let seen = witnessed(&span, &versions, (x, y));
                let (texts, langs) = ((versions[x].1, versions[y].1), (versions[x].0, versions[y].0));
                assert!(witnesses_agree(texts, langs, &opts, &seen, b, None), "{doc} {x}-{y}");
            }
        }
        assert!(skipped > 0, "no document was one-to-one with its pivot");
    }

    /// Windows open [`WINDOW_MARGIN`] pivot units around each bead that is not one for one, join
    /// where they meet, and end only where every pair has a bead starting.
    #[test]
    fn the_rounds_run_in_windows_around_the_beads_that_are_not_one_for_one() {
        const M: usize = WINDOW_MARGIN;
        let n = 60;
        let ones = |skip: &[usize]| -> Vec<Bead> {
            (0..n).filter(|k| !skip.contains(k)).map(|k| bead(&[k], &[k])).collect::<Vec<_>>()
        };
        // Pair 0 lacks pivot unit 9 (its other units are numbered as the pivot's for brevity).
        let mut lost = ones(&[9]);
        lost.insert(9, bead(&[9], &[]));
        // Pair 1 runs pivot units 17 and 18 into one line, splits unit 40 in two, and has two
        // furniture lines (26, 27) the other version has not: clean, but no cut between them.
        let mut other = ones(&[17, 18, 26, 27, 40]);
        other.insert(17, bead(&[17, 18], &[17]));
        other.insert(25, bead(&[26, 27], &[]));
        other.insert(37, bead(&[40], &[40, 41]));
        let clean = |b: &Bead, _: usize| (b.pivot.len() == 1 && b.other.len() == 1) || b.pivot == [26, 27];
        let found = windows(&[lost, other], &[1, 2], n, &clean);
        // 9 and 17-18 are within reach of each other; 19 + M = 27 falls inside the furniture.
        assert_eq!(found, vec![(9 - M, 28), (40 - M, 41 + M)]);
        // A pair not one for one at its first bead opens the window at the start.
        let mut first = ones(&[0]);
        first.insert(0, bead(&[], &[0]));
        first.insert(1, bead(&[0], &[]));
        assert_eq!(windows(&[first], &[1], n, &clean), vec![(0, 1 + M)]);
    }

    /// Windows splice into each pair's beads: every unit of both versions in one bead, in order,
    /// on a document where the versions lack a few paragraphs here and there (the UDHR: Arabic
    /// and French each have one line fewer) and are one for one elsewhere.
    #[test]
    fn beads_spliced_from_windows_hold_every_unit_once_in_order() {
        let texts = corpus_texts("udhr");
        let units: Vec<Vec<Unit>> = texts.iter().map(|(_, t)| t.lines().map(Unit::from_line).collect()).collect();
        let versions: Vec<(&str, &[Unit])> = texts.iter().zip(&units).map(|((l, _), u)| (*l, &u[..])).collect();
        let strays: Vec<Vec<bool>> = units.iter().map(|u| page_furniture(u.iter().map(|u| u.text))).collect();
        let (pairs, others) = pairs_with_pivot(&versions, &strays, 0, &Options::default());
        let all = |k: usize| (0..units[k].len()).collect::<Vec<_>>();
        let sides = |beads: &[Bead]| -> (Vec<usize>, Vec<usize>) {
            (beads.iter().flat_map(|b| b.pivot.clone()).collect(), beads.iter().flat_map(|b| b.other.clone()).collect())
        };
        for (k, beads) in &pairs {
            assert_eq!(sides(beads), (all(0), all(*k)), "pivot with version {k}");
        }
        // The pairs without the pivot were aligned in the windows only, in order.
        let mut placed = 0;
        for ((x, y), beads) in &others {
            let (a, b) = sides(beads);
            assert!(a.windows(2).all(|w| w[0] < w[1]) && b.windows(2).all(|w| w[0] < w[1]), "{x}-{y}");
            assert!(a.last() < Some(&units[*x].len()) && b.last() < Some(&units[*y].len()), "{x}-{y}");
            placed += a.len();
        }
        assert!(placed > 0 && placed < others.len() * units[0].len() / 2, "{placed} units in windows");
    }

    #[test]
    fn one_to_one_allows_page_furniture_alone() {
        let strays = page_furniture(["Text", "A/69/720", "More"]);
        assert!(one_to_one(&[bead(&[0], &[0]), bead(&[], &[1]), bead(&[1], &[2])], &strays, &strays));
        assert!(!one_to_one(&[bead(&[0], &[0, 1]), bead(&[1], &[2])], &strays, &strays));
        assert!(!one_to_one(&[bead(&[0], &[0]), bead(&[1], &[]), bead(&[], &[2])], &strays, &strays));
    }

    #[test]
    fn a_heading_the_others_have_is_one_a_version_lacks_unless_run_into_its_paragraph() {
        let lines = |t: &[&'static str]| -> Vec<Unit<'static>> { t.iter().map(|l| Unit::from_line(l)).collect() };
        let members = |g: &Group| g.members.iter().map(|(l, m)| format!("{l}{m:?}")).collect::<Vec<_>>().join(" ");
        let split_lacked = |groups: Vec<Group>, versions: &[(&str, &[Unit])]| {
            let strays: Vec<Vec<bool>> =
                versions.iter().map(|(_, u)| page_furniture(u.iter().map(|u| u.text))).collect();
            split_lacked_headings(groups, versions, &strays)
        };
        let group = |m: &[(&str, &[usize])]| Group {
            members: m.iter().map(|(l, k)| (l.to_string(), k.to_vec())).collect(),
            confidence: 0.7,
            review: false,
        };
        let en = lines(&["Sustainable development", "The Permanent Mission of Bahrain presents its compliments."]);
        let fr = lines(&["Développement durable", "La Mission permanente présente ses compliments."]);
        let es = lines(&["Desarrollo sostenible", "La Misión Permanente saluda atentamente."]);
        // The pivot lacks the heading.
        let paragraph = lines(&["The Permanent Mission of Bahrain presents its compliments to the Secretary-General."]);
        let g = group(&[("en", &[0]), ("es", &[0, 1]), ("fr", &[0, 1])]);
        let split = split_lacked(vec![g.clone()], &[("en", &paragraph), ("es", &es), ("fr", &fr)]);
        assert_eq!(split.iter().map(members).collect::<Vec<_>>(), ["es[0] fr[0]", "en[0] es[1] fr[1]"]);
        // Another version lacks it.
        let sin_titulo = lines(&["La Misión Permanente de Bahrein saluda atentamente al Secretario General."]);
        let g3 = group(&[("en", &[0, 1]), ("es", &[0]), ("fr", &[0, 1]), ("ru", &[0, 1])]);
        let ru = lines(&["Устойчивое развитие", "Постоянное представительство свидетельствует свое уважение."]);
        let versions = [("en", &en[..]), ("es", &sin_titulo[..]), ("fr", &fr[..]), ("ru", &ru[..])];
        let split = split_lacked(vec![g3], &versions);
        assert_eq!(split.iter().map(members).collect::<Vec<_>>(), ["en[0] fr[0] ru[0]", "en[1] es[0] fr[1] ru[1]"]);
        // The pivot ran the heading into its paragraph: the group stays whole.
        let run_in = lines(&["Sustainable development The Permanent Mission of Bahrain presents its compliments."]);
        assert_eq!(split_lacked(vec![g], &[("en", &run_in), ("es", &es), ("fr", &fr)]).len(), 1);
    }

    #[test]
    fn a_unit_the_pivot_lacks_joins_the_group_another_version_runs_it_into() {
        let lines = |t: &[&'static str]| -> Vec<Unit<'static>> { t.iter().map(|l| Unit::from_line(l)).collect() };
        let en = lines(&["First.", "Third."]);
        let fr = lines(&["Premier.", "Deuxième. Troisième."]);
        let es = lines(&["Primero.", "Segundo.", "Tercero."]);
        let ru = lines(&["Первый.", "Второй.", "Третий."]);
        let versions = [("en", &en[..]), ("fr", &fr[..]), ("es", &es[..]), ("ru", &ru[..])];
        let group = |m: &[(&str, &[usize])]| Group {
            members: m.iter().map(|(l, k)| (l.to_string(), k.to_vec())).collect(),
            confidence: 1.0,
            review: false,
        };
        let mut groups = vec![
            group(&[("en", &[0]), ("fr", &[0]), ("es", &[0]), ("ru", &[0])]),
            group(&[("en", &[1]), ("fr", &[1]), ("es", &[2]), ("ru", &[2])]),
        ];
        let extra = |k: usize| ((1, k, 1), group(&[(versions[k].0, &[1])]));
        // fr holds the second paragraph in one line with the third; es and ru have it apart.
        let others = vec![
            ((1, 2), vec![bead(&[0], &[0]), bead(&[1], &[1, 2])]),
            ((1, 3), vec![bead(&[0], &[0]), bead(&[1], &[1, 2])]),
            ((2, 3), vec![bead(&[0], &[0]), bead(&[1], &[1]), bead(&[2], &[2])]),
        ];
        let kept = attach_through_others(vec![extra(2), extra(3)], &mut groups, &versions, &others);
        assert!(kept.is_empty());
        assert_eq!(groups[1].members["es"], [2, 1]);
        assert_eq!(groups[1].members["ru"], [2, 1]);
        // Where one pair places it with the group before and another with the group after, it
        // stays a group of its own.
        let mut groups2 = vec![
            group(&[("en", &[0]), ("fr", &[0]), ("es", &[0]), ("ru", &[0])]),
            group(&[("en", &[1]), ("fr", &[1]), ("es", &[2]), ("ru", &[2])]),
        ];
        let split = vec![
            ((1, 2), vec![bead(&[0], &[0, 1]), bead(&[1], &[2])]),
            ((2, 3), vec![bead(&[0], &[0]), bead(&[1], &[1, 2]), bead(&[2], &[])]),
        ];
        let kept = attach_through_others(vec![extra(2)], &mut groups2, &versions, &split);
        assert_eq!(kept.len(), 1);
        assert_eq!(groups2[1].members["es"], [2]);
    }

    #[test]
    fn two_groups_another_version_runs_together_are_one() {
        let lines = |t: &[&'static str]| -> Vec<Unit<'static>> { t.iter().map(|l| Unit::from_line(l)).collect() };
        let en = lines(&["First.", "Second."]);
        let fr = lines(&["Premier. Deuxième."]);
        let es = lines(&["Primero.", "Segundo."]);
        let ru = lines(&["Первый.", "Второй."]);
        let versions = [("en", &en[..]), ("fr", &fr[..]), ("es", &es[..]), ("ru", &ru[..])];
        let group = |m: &[(&str, &[usize])]| Group {
            members: m.iter().map(|(l, k)| (l.to_string(), k.to_vec())).collect(),
            confidence: 1.0,
            review: false,
        };
        // The pivot pair took fr's line for the second paragraph alone.
        let apart = || {
            vec![
                group(&[("en", &[0]), ("es", &[0]), ("ru", &[0])]),
                group(&[("en", &[1]), ("fr", &[0]), ("es", &[1]), ("ru", &[1])]),
            ]
        };
        let mut groups = apart();
        let others = vec![
            ((1, 2), vec![bead(&[0], &[0, 1])]),
            ((1, 3), vec![bead(&[0], &[0, 1])]),
            ((2, 3), vec![bead(&[0], &[0]), bead(&[1], &[1])]),
        ];
        join_through_others(&mut groups, &versions, &others);
        assert_eq!(groups[0].members["en"], [0, 1]);
        assert_eq!(groups[0].members["fr"], [0]);
        assert!(groups[1].members.is_empty());
        // One pair places the line with the second paragraph alone: the groups stay apart.
        let mut groups = apart();
        let others = vec![((1, 2), vec![bead(&[0], &[0, 1])]), ((1, 3), vec![bead(&[], &[0]), bead(&[0], &[1])])];
        join_through_others(&mut groups, &versions, &others);
        assert_eq!(groups, apart());
    }

    #[test]
    fn witnesses_reach_through_their_beads() {
        // Pivot 0 and 1 are one witness line; the other version splits it at another place.
        let (to_w, _) = spans(&[bead(&[0, 1], &[0]), bead(&[2], &[]), bead(&[3], &[1])], 4, 2);
        let (w_to, _) = spans(&[bead(&[0], &[0, 1]), bead(&[1], &[])], 2, 2);
        assert_eq!(compose(&to_w, &w_to), vec![(0, 2), (0, 2), (0, 0), LACKS]);
    }
}
