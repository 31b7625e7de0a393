//! A document's language versions aligned through its pivot, as the model's [`Alignment`]:
//! groups of unit eIds named after their pivot unit, with the pins of `alignment.toml` kept.

use std::borrow::Cow;
use std::collections::BTreeMap;

use rayon::prelude::*;

use crate::lang;
use crate::model::alignment::{self, Alignment, Sentence, SentenceGroup, UnitIndex};
use crate::model::{self, Block, Cut, Document, Paragraph};

use super::features::number_mark;
use super::{Group, Options, Pin, Unit, align_nway, segment};

/// The pivot: the original language when its version is here, else `pivot` from
/// document.toml, else English, else the first language.
pub fn pivot_language(doc: &Document) -> Option<&str> {
    let present = |lang: &str| doc.expression(lang).is_some();
    doc.metadata
        .original_language
        .as_deref()
        .filter(|l| present(l))
        .or(doc.metadata.pivot.as_deref().filter(|l| present(l)))
        .or(Some("en").filter(|l| present(l)))
        .or(doc.expressions.first().map(|e| e.lang.as_str()))
}

/// Aligns every version of `doc` with the pivot; `review_below` sets which groups are
/// flagged for review. A paragraph that one version holds where the others hold two is cut
/// (see [`cuts`]) and the document aligned again: the document returned is the one whose
/// units the alignment names.
pub fn align_document<'d>(doc: &'d Document, opts: &Options) -> (Cow<'d, Document>, Alignment) {
    let Some(pivot) = pivot_language(doc) else { return (Cow::Borrowed(doc), Alignment::default()) };
    let units = units_of(doc);
    // Without the pins: they name the units of the document as cut, so the cuts must not
    // depend on them.
    let groups = align_units(&units, pivot, opts);
    let cuts = cuts(doc, &units, &groups);
    if !cuts.is_empty() {
        let mut cut = doc.clone();
        for expression in &mut cut.expressions {
            if let Some(c) = cuts.get(&expression.lang) {
                expression.split_paragraphs(c);
            }
        }
        let alignment = align_pinned(&cut, &units_of(&cut), pivot, opts);
        return (Cow::Owned(cut), alignment);
    }
    let alignment = if doc.pins.is_empty() {
        to_alignment(doc, &units, pivot, groups)
    } else {
        align_pinned(doc, &units, pivot, opts)
    };
    (Cow::Borrowed(doc), alignment)
}

/// Every version's units, in document order.
fn units_of(doc: &Document) -> Vec<(&str, Vec<alignment::Unit>)> {
    doc.expressions.iter().map(|e| (e.lang.as_str(), e.units())).collect()
}

fn align_units(units: &[(&str, Vec<alignment::Unit>)], pivot: &str, opts: &Options) -> Vec<Group> {
    let borrowed: Vec<(&str, Vec<Unit>)> = units
        .iter()
        .map(|(lang, us)| {
            (
                *lang,
                us.iter()
                    .map(|u| Unit {
                        text: &u.text.text,
                        heading: u.kind == alignment::UnitKind::Heading,
                        num: u.num.as_deref(),
                    })
                    .collect(),
            )
        })
        .collect();
    let versions: Vec<(&str, &[Unit])> = borrowed.iter().map(|(l, us)| (*l, us.as_slice())).collect();
    align_nway(&versions, pivot, opts)
}

/// The alignment of `units`, those of `doc`, with the document's pins (`alignment.toml`).
fn align_pinned(doc: &Document, units: &[(&str, Vec<alignment::Unit>)], pivot: &str, opts: &Options) -> Alignment {
    let index: BTreeMap<&str, BTreeMap<&str, usize>> = units
        .iter()
        .map(|(lang, us)| (*lang, us.iter().enumerate().map(|(i, u)| (u.eid.as_str(), i)).collect()))
        .collect();
    // Pins name eIds; the engine takes (pivot indices, other indices) per language.
    let positions = |lang: &str, eids: &[String]| -> Vec<usize> {
        eids.iter().filter_map(|e| index.get(lang).and_then(|i| i.get(e.as_str())).copied()).collect()
    };
    let mut opts = opts.clone();
    for pin in &doc.pins {
        let pivot_side = pin.get(pivot).map(|e| positions(pivot, e)).unwrap_or_default();
        for (lang, eids) in pin.iter().filter(|(l, _)| l.as_str() != pivot) {
            let pin: Pin = (pivot_side.clone(), positions(lang, eids));
            opts.pinned_by_lang.entry(lang.clone()).or_default().push(pin);
        }
    }
    let groups = align_units(units, pivot, &opts);
    to_alignment(doc, units, pivot, groups)
}

/// The engine's groups (unit positions) as the model's (unit eIds), with pins and rejects.
fn to_alignment(doc: &Document, units: &[(&str, Vec<alignment::Unit>)], pivot: &str, groups: Vec<Group>) -> Alignment {
    let groups = groups
        .into_iter()
        .map(|g| {
            let members: BTreeMap<String, Vec<String>> = g
                .members
                .iter()
                .map(|(lang, idx)| {
                    let us = &units.iter().find(|(l, _)| l == lang).map(|(_, us)| us.as_slice()).unwrap_or(&[]);
                    (lang.clone(), idx.iter().filter_map(|i| us.get(*i).map(|u| u.eid.clone())).collect::<Vec<_>>())
                })
                .filter(|(_, eids)| !eids.is_empty())
                .collect();
            // A group without pivot unit is named after its first unit and language, so it
            // cannot take the name of a pivot unit with the same eId.
            let eid = match members.get(pivot).and_then(|eids| eids.first()) {
                Some(eid) => eid.clone(),
                None => members.iter().next().map(|(l, eids)| format!("{}__lang_{l}", eids[0])).unwrap_or_default(),
            };
            // A language listed without units (`fr = []`) is one the group has none of.
            let same = |table: &BTreeMap<String, Vec<String>>| {
                table.iter().all(|(l, eids)| members.get(l).map_or(eids.is_empty(), |m| m == eids))
                    && members.keys().all(|l| table.contains_key(l))
            };
            let pinned = doc.pins.iter().any(same);
            let rejected = doc.rejects.iter().any(same);
            alignment::Group {
                eid,
                members,
                confidence: g.confidence,
                review: g.review || rejected,
                pinned,
                rejected,
                sentences: Vec::new(),
            }
        })
        .collect();
    Alignment { pivot: pivot.to_string(), groups }
}

/// How far apart, as a share of a group's text, a join in one version and a boundary between
/// units in another may be and still mark the same place. Versions say the same things in
/// the same order, so a paragraph's share of its group differs little between them.
const SAME_PLACE: f64 = 0.1;

/// How much of a group's content a text holds: a Chinese or Japanese character says about
/// as much as three Latin, Cyrillic or Arabic ones, and spaces say nothing. Digits count
/// alike in every version, which a count of characters would let outweigh the words.
fn weight(text: &str) -> usize {
    text.chars()
        .map(|c| {
            if c.is_whitespace() {
                0
            } else if lang::is_wide(c) {
                3
            } else {
                1
            }
        })
        .sum()
}

/// Where a version's units in a group begin and end, as shares of the group's weight: 0, the
/// boundaries between units, 1.
fn places(weights: &[usize]) -> Vec<f64> {
    let total = weights.iter().sum::<usize>().max(1) as f64;
    let mut before = 0;
    let mut places = vec![0.0];
    places.extend(weights.iter().map(|w| {
        before += w;
        before as f64 / total
    }));
    places
}

/// Whether a version with units at `theirs` has a boundary at `share` of the group that the
/// version with units at `own` lacks. Near is within [`SAME_PLACE`], and within half the
/// units on either side of the boundary: where units are short, boundaries are dense and a
/// wide margin would find one anywhere.
fn meets_at(theirs: &[f64], own: &[f64], share: f64) -> bool {
    theirs.windows(3).any(|w| {
        let (b, off) = (w[1], (w[1] - share).abs());
        let margin = SAME_PLACE.min((b - w[0]) / 2.0).min((w[2] - b) / 2.0);
        off <= margin && !own.iter().any(|o| (o - b).abs() < off)
    })
}

/// Where to cut paragraphs, per language and paragraph eId. A version that holds as one unit
/// what the other versions in its group hold as two (a boundary between their units at the
/// same place of the group) had two paragraphs joined: by the ingest across a page break (or a
/// blank line), or by the conversion, which ran them into one line. It is cut at the join, the
/// sentence or the paragraph number there (see [`Candidate`]). Page breaks fall at different
/// places in each version, so versions that agree on a boundary are not repeating a
/// conversion's cut.
fn cuts(
    doc: &Document,
    units: &[(&str, Vec<alignment::Unit>)],
    groups: &[Group],
) -> BTreeMap<String, BTreeMap<String, Vec<Cut>>> {
    let mut cuts: BTreeMap<String, BTreeMap<String, Vec<Cut>>> = BTreeMap::new();
    let unit_list = |lang: &str| units.iter().find(|(l, _)| *l == lang).map_or(&[][..], |(_, us)| us.as_slice());
    // Paragraphs by eId, gathered at the first group that needs them.
    let mut paragraphs: BTreeMap<&str, BTreeMap<&str, &Paragraph>> = BTreeMap::new();
    for group in groups {
        let most = group.members.values().map(Vec::len).max().unwrap_or(0);
        if group.members.values().all(|m| m.len() == most) {
            continue;
        }
        let weights: BTreeMap<&str, Vec<usize>> = (group.members.iter())
            .map(|(lang, ks)| {
                let ws = ks.iter().map(|&k| unit_list(lang).get(k).map_or(0, |u| weight(&u.text.text))).collect();
                (lang.as_str(), ws)
            })
            .collect();
        let places: BTreeMap<&str, Vec<f64>> = weights.iter().map(|(lang, ws)| (*lang, places(ws))).collect();
        // The paragraph numbers each version's units in the group open with.
        let marks: BTreeMap<&str, Vec<u32>> = (group.members.iter())
            .map(|(lang, ks)| {
                let num = |k: &usize| unit_list(lang).get(*k).and_then(|u| u.printed_number()).map(number_mark);
                (lang.as_str(), ks.iter().filter_map(num).filter(|&m| m != 0).collect())
            })
            .collect();
        for (lang, members) in &group.members {
            let own = &places[lang.as_str()];
            let total = weights[lang.as_str()].iter().sum::<usize>().max(1) as f64;
            let others = places.iter().filter(|(other, _)| *other != lang);
            let n = places.len() - 1;
            let more_units = others.clone().all(|(_, theirs)| theirs.len() > own.len());
            let agreed = |share: f64, candidate: &Candidate| {
                if let Evidence::Number(mark) = candidate.evidence {
                    let numbered = marks.iter().filter(|(other, ms)| *other != lang && ms.contains(&mark)).count();
                    return 2 * numbered > n;
                }
                let agree = others.clone().filter(|(_, theirs)| meets_at(theirs, own, share)).count();
                enough(&candidate.evidence, agree, n, more_units)
            };
            let by_eid = paragraphs.entry(lang.as_str()).or_insert_with(|| {
                let mut found = BTreeMap::new();
                if let Some(expression) = doc.expression(lang) {
                    model::walk(&expression.body, &mut |b| {
                        if let Block::Paragraph(p) = b {
                            found.insert(p.eid.as_str(), p);
                        }
                    });
                }
                found
            });
            let mut before = 0;
            for (&k, &w) in members.iter().zip(&weights[lang.as_str()]) {
                let unit = unit_list(lang).get(k);
                if let Some((unit, paragraph)) = unit.and_then(|u| Some((u, *by_eid.get(u.eid.as_str())?))) {
                    let text = &paragraph.text.text;
                    let mut offsets: Vec<usize> = candidates(paragraph, lang)
                        .into_iter()
                        .filter(|c| {
                            text.get(..c.at).is_some_and(|head| agreed((before + weight(head)) as f64 / total, c))
                        })
                        .map(|c| c.at)
                        .collect();
                    offsets.dedup();
                    // A half that opens with a paragraph number in digits gets it as its own.
                    let number = |at: usize| {
                        segment::leading_number(&text[at..])
                            .filter(|n| text[at..].starts_with(n) && number_mark(n) != 0)
                            .map_or(0, str::len)
                    };
                    if !offsets.is_empty() {
                        let here = offsets.into_iter().map(|at| Cut { at, number: number(at) }).collect();
                        cuts.entry(lang.clone()).or_default().insert(unit.eid.clone(), here);
                    }
                }
                before += w;
            }
        }
    }
    cuts
}

/// Whether `agree` of a group's `others` versions, holding a boundary where one version has
/// the candidate `evidence` for a cut, are enough to cut there; `more_units`: every other
/// version holds more units in the group than that one (no translation made one paragraph of
/// two there).
fn enough(evidence: &Evidence, agree: usize, others: usize, more_units: bool) -> bool {
    match *evidence {
        // The source broke the line there, so two versions suffice unless a lower-case word
        // follows; without blank lines, versions whose conversion filled the paragraph's last
        // line all make the same join, and may be the more.
        Evidence::Join { lower } => agree >= 2 && (2 * agree > others || !lower),
        _ => agree >= 3 && (agree == others || (2 * agree > others && more_units)),
    }
}

/// A place where a paragraph may hold two:
/// - a join the ingest made, which most of the other versions must contradict, or two when
///   no lower-case word follows (where a page break cut a sentence, one does);
/// - a sentence that opens inside it, or a capital (or a letter without case) after a colon
///   (a list's lead-in run into what follows it), which all of them must, three at least, or
///   most of them when every other version holds more units in the group;
/// - a paragraph number inside it that most of the others open a unit of the group with.
///
/// Translations do at times make one paragraph of two: on `unpc-dev-md`, cutting sentences where
/// most versions had a boundary, and another held one paragraph too, lost two gold groups, where
/// cutting joins on a majority changed nothing.
struct Candidate {
    at: usize,
    evidence: Evidence,
}

enum Evidence {
    /// `lower`: the text after the join opens in lower case, as a sentence that goes on does.
    Join {
        lower: bool,
    },
    Sentence,
    /// The number's [`number_mark`].
    Number(u32),
}

/// A paragraph's candidates in the order of their offsets; one offset may have several.
fn candidates(paragraph: &Paragraph, lang: &str) -> Vec<Candidate> {
    let text = &paragraph.text.text;
    let joins = paragraph.joins.iter().map(|&j| {
        let lower = text.get(j as usize..).and_then(|t| t.chars().next()).is_some_and(char::is_lowercase);
        Candidate { at: j as usize, evidence: Evidence::Join { lower } }
    });
    let sentences = segment::sentences(text, lang).into_iter().skip(1);
    let starts =
        sentences.map(|s| Candidate { at: s.as_ptr() as usize - text.as_ptr() as usize, evidence: Evidence::Sentence });
    let numbers = segment::inner_numbers(text)
        .map(|(at, num)| Candidate { at, evidence: Evidence::Number(number_mark(num)) })
        .filter(|c| !matches!(c.evidence, Evidence::Number(0)));
    let leads = lead_ins(text).map(|at| Candidate { at, evidence: Evidence::Sentence });
    let mut all: Vec<Candidate> = joins.chain(starts).chain(numbers).chain(leads).collect();
    all.sort_by_key(|c| c.at);
    all
}

/// Where a list's lead-in may end inside `text`: after a colon and white space (none needed
/// after a full-width colon), before a capital or a letter of a script without case (Arabic,
/// Chinese), maybe quoted (`：《北京行动纲要》`, `: « Le`), where a lower-case word goes on
/// with the sentence.
fn lead_ins(text: &str) -> impl Iterator<Item = usize> + '_ {
    text.match_indices([':', '：']).filter_map(|(at, colon)| {
        let rest = &text[at + colon.len()..];
        let after = rest.trim_start();
        let spaced = after.len() < rest.len() || colon == "：";
        let opening = |c: char| c.is_whitespace() || matches!(c, '"' | '“' | '«' | '《' | '「' | '(' | '（');
        let letter = after.trim_start_matches(opening).chars().next();
        let opens = letter.is_some_and(|c| c.is_alphabetic() && !c.is_lowercase());
        (spaced && opens).then(|| text.len() - after.len())
    })
}

/// Aligns the sentences inside every group that holds two languages or more, through the
/// alignment's pivot. A sentence group's confidence is the lower of its own and its group's.
pub fn align_document_sentences(units: &UnitIndex, alignment: &mut Alignment, opts: &Options) {
    let pivot = alignment.pivot.clone();
    alignment.groups.par_iter_mut().filter(|g| g.members.len() > 1).for_each(|group| {
        // Per language, its sentences.
        let split: Vec<(&str, Vec<Split>)> = group
            .members
            .iter()
            .map(|(lang, eids)| {
                let mut sentences = Vec::new();
                for eid in eids {
                    let Some(text) = units.get(lang).and_then(|t| t.get(eid)).map(|u| u.text.text.as_str()) else {
                        continue;
                    };
                    for s in segment::sentences(text, lang) {
                        let start = s.as_ptr() as usize - text.as_ptr() as usize;
                        sentences.push(Split { eid, start, text: s });
                    }
                }
                (lang.as_str(), sentences)
            })
            .collect();
        // One sentence in every language: nothing to align.
        if split.iter().all(|(_, ss)| ss.len() == 1) {
            let members = split
                .iter()
                .map(|(lang, ss)| {
                    let s = &ss[0];
                    (
                        lang.to_string(),
                        vec![Sentence { eid: s.eid.clone(), start: s.start, end: s.start + s.text.len() }],
                    )
                })
                .collect();
            group.sentences = vec![SentenceGroup { members, confidence: group.confidence }];
            return;
        }
        let units: Vec<(&str, Vec<Unit>)> = split
            .iter()
            .map(|(lang, ss)| (*lang, ss.iter().map(|s| Unit { text: s.text, heading: false, num: None }).collect()))
            .collect();
        let versions: Vec<(&str, &[Unit])> = units.iter().map(|(l, us)| (*l, us.as_slice())).collect();
        let sentence_of = |lang: &str, k: usize| {
            let (_, ss) = split.iter().find(|(l, _)| *l == lang)?;
            ss.get(k).map(|s| Sentence { eid: s.eid.clone(), start: s.start, end: s.start + s.text.len() })
        };
        // Without witness rounds: a group's sentences are few and seldom damaged, and the
        // rounds multiplied the sentence alignment's cost by seven.
        let plain = Options { pinned_by_lang: BTreeMap::new(), witness_rounds: 0, ..opts.clone() };
        group.sentences = align_nway(&versions, &pivot, &plain)
            .into_iter()
            .map(|g| SentenceGroup {
                members: g
                    .members
                    .iter()
                    .map(|(lang, ks)| (lang.clone(), ks.iter().filter_map(|&k| sentence_of(lang, k)).collect()))
                    .collect(),
                confidence: g.confidence.min(group.confidence),
            })
            .collect();
    });
}

/// A sentence of a unit while its group is aligned.
struct Split<'t> {
    eid: &'t String,
    start: usize,
    text: &'t str,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lead_in_ends_at_a_colon_before_a_capital_or_a_letter_without_case() {
        fn at(text: &str) -> Vec<&str> {
            lead_ins(text).map(|k| &text[k..]).collect()
        }
        assert_eq!(at("tales como: En lo que"), ["En lo que"]);
        assert_eq!(at("comme suit : « Le Conseil"), ["« Le Conseil"]);
        assert_eq!(at("如下：会员国"), ["会员国"]);
        assert_eq!(at("人权：《北京行动纲要》"), ["《北京行动纲要》"]);
        assert_eq!(at("على أنه: لا يكون"), ["لا يكون"]);
        // A sentence going on, a time, an address, a ratio: no lead-in ends there.
        assert!(at("as follows: the Council").is_empty());
        assert!(at("at 10:00 Hours, see https://un.org and 3:1 Ratio").is_empty());
    }

    #[test]
    fn a_join_before_a_capital_is_cut_where_two_versions_meet_it_and_a_sentence_where_all_do() {
        let join = |lower| Evidence::Join { lower };
        assert!(enough(&join(false), 2, 5, false));
        assert!(!enough(&join(false), 1, 5, true));
        assert!(!enough(&join(true), 2, 5, true));
        assert!(enough(&join(true), 3, 5, false));
        assert!(enough(&Evidence::Sentence, 5, 5, false));
        assert!(!enough(&Evidence::Sentence, 4, 5, false));
        assert!(enough(&Evidence::Sentence, 4, 5, true));
        assert!(!enough(&Evidence::Sentence, 2, 2, true));
    }

    #[test]
    fn weight_counts_what_a_text_says_in_any_script() {
        assert_eq!(weight("第2057号决议，"), 3 + 4 + 3 * 4);
        assert_eq!(weight("resolution 2057,\u{a0}noting"), 10 + 5 + 6);
    }

    #[test]
    fn a_boundary_meets_a_join_near_it_unless_the_version_has_one_nearer() {
        let two = places(&[30, 70]);
        assert!(meets_at(&two, &[0.0, 1.0], 0.36));
        assert!(!meets_at(&two, &[0.0, 1.0], 0.45));
        // The version's own boundary there accounts for it.
        assert!(!meets_at(&two, &[0.0, 0.31, 1.0], 0.36));
        // Beside a short unit, the margin is half of it.
        let short = places(&[6, 94]);
        assert!(meets_at(&short, &[0.0, 1.0], 0.08));
        assert!(!meets_at(&short, &[0.0, 1.0], 0.1));
    }
}
