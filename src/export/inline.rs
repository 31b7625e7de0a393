//! A marked text as a flat sequence of nested openings, closings, points and text runs, so
//! that each XML format writes its own inline elements from one traversal.

use std::ops::Range;

use crate::model::{MarkKind, Text};

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Piece<'t> {
    Open(&'t MarkKind),
    Close(&'t MarkKind),
    /// A zero-width mark (a footnote call-out), written outside any open mark.
    Point(&'t MarkKind),
    Text(&'t str),
}

/// The pieces of `text[range]`: marks that `wraps` accepts become properly nested
/// open/close pairs (an overlapping mark is closed and reopened), zero-width marks become
/// points. Points at `range.end` belong to the range, those at `range.start` only when it is 0,
/// so that consecutive ranges share none.
pub fn pieces<'t>(text: &'t Text, range: Range<usize>, wraps: impl Fn(&MarkKind) -> bool) -> Vec<Piece<'t>> {
    let s = &text.text;
    let (lo, hi) = (range.start.min(s.len()), range.end.min(s.len()));
    // Most sentences carry no mark at all.
    if text.marks.is_empty() && lo < hi && s.is_char_boundary(lo) && s.is_char_boundary(hi) {
        return vec![Piece::Text(&s[lo..hi])];
    }
    let mut cuts: Vec<usize> = vec![lo, hi];
    for m in &text.marks {
        cuts.extend([m.start.clamp(lo, hi), m.end.clamp(lo, hi)]);
    }
    cuts.retain(|&c| s.is_char_boundary(c));
    cuts.sort_unstable();
    cuts.dedup();
    let mut out = Vec::new();
    // Marks open now, outermost first, by index into `text.marks`.
    let mut open: Vec<usize> = Vec::new();
    for (i, &at) in cuts.iter().enumerate() {
        let next = cuts.get(i + 1).copied();
        let points: Vec<&MarkKind> = text
            .marks
            .iter()
            .filter(|m| m.start == at && m.end == at && (at > lo || lo == 0))
            .map(|m| &m.kind)
            .collect();
        // The marks the run [at, next) lies in, widest first so that they nest.
        let mut active: Vec<usize> = match next {
            Some(b) => (0..text.marks.len())
                .filter(|&k| {
                    let m = &text.marks[k];
                    m.start <= at && m.end >= b && m.start < m.end && wraps(&m.kind)
                })
                .collect(),
            None => Vec::new(),
        };
        // Marks already open stay outermost, in their order, so that they need not be split.
        active.sort_by_key(|&k| {
            (open.iter().position(|&o| o == k).unwrap_or(usize::MAX), std::cmp::Reverse(text.marks[k].end), k)
        });
        let keep = if points.is_empty() { open.iter().zip(&active).take_while(|(a, b)| a == b).count() } else { 0 };
        while open.len() > keep {
            if let Some(k) = open.pop() {
                out.push(Piece::Close(&text.marks[k].kind));
            }
        }
        out.extend(points.into_iter().map(Piece::Point));
        for &k in &active[keep..] {
            out.push(Piece::Open(&text.marks[k].kind));
            open.push(k);
        }
        if let Some(b) = next
            && b > at
        {
            out.push(Piece::Text(&s[at..b]));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Mark;

    fn text() -> Text {
        Text {
            text: "See the Firearms Protocol. Then more.".into(),
            marks: vec![
                Mark { start: 8, end: 25, kind: MarkKind::Italic },
                Mark { start: 8, end: 17, kind: MarkKind::Foreign { lang: "en".into() } },
                Mark { start: 26, end: 26, kind: MarkKind::NoteRef { note: "fn_1".into(), marker: "1".into() } },
            ],
        }
    }

    #[test]
    fn marks_nest_widest_first_and_points_stay_with_the_range_they_end() {
        let t = text();
        let first = pieces(&t, 0..26, |_| true);
        let italic = &t.marks[0].kind;
        let foreign = &t.marks[1].kind;
        assert_eq!(
            first,
            vec![
                Piece::Text("See the "),
                Piece::Open(italic),
                Piece::Open(foreign),
                Piece::Text("Firearms "),
                Piece::Close(foreign),
                Piece::Text("Protocol"),
                Piece::Close(italic),
                Piece::Text("."),
                Piece::Point(&t.marks[2].kind),
            ]
        );
        let second = pieces(&t, 27..37, |_| true);
        assert_eq!(second, vec![Piece::Text("Then more.")]);
    }

    #[test]
    fn opens_and_closes_balance_on_any_range() {
        let t = text();
        for a in 0..t.text.len() {
            for b in a..=t.text.len() {
                let p = pieces(&t, a..b, |_| true);
                let opens = p.iter().filter(|x| matches!(x, Piece::Open(_))).count();
                let closes = p.iter().filter(|x| matches!(x, Piece::Close(_))).count();
                assert_eq!(opens, closes, "range {a}..{b}");
                let joined: String =
                    p.iter().filter_map(|x| if let Piece::Text(s) = x { Some(*s) } else { None }).collect();
                assert_eq!(joined, &t.text[a..b]);
            }
        }
    }
}
