//! A document's language versions aligned through its pivot, as the model's [`Alignment`]:
//! groups of unit eIds named after their pivot unit, with the pins of `alignment.toml` kept.

use std::collections::BTreeMap;

use rayon::prelude::*;

use crate::model::Document;
use crate::model::alignment::{self, Alignment, Sentence, SentenceGroup, UnitIndex};

use super::{Options, Pin, Unit, align_nway, segment};

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
/// flagged for review.
pub fn align_document(doc: &Document, opts: &Options) -> Alignment {
    let Some(pivot) = pivot_language(doc) else { return Alignment::default() };
    let units: Vec<(&str, Vec<alignment::Unit>)> =
        doc.expressions.iter().map(|e| (e.lang.as_str(), e.units())).collect();
    let index: BTreeMap<&str, BTreeMap<&str, usize>> = units
        .iter()
        .map(|(lang, us)| (*lang, us.iter().enumerate().map(|(i, u)| (u.eid.as_str(), i)).collect()))
        .collect();
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

    let groups = align_nway(&versions, pivot, &opts)
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
