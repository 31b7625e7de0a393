//! A document's language versions aligned through its pivot, as the model's [`Alignment`]:
//! groups of unit eIds named after their pivot unit, with the pins of `alignment.toml` kept.

use std::collections::BTreeMap;

use crate::model::Document;
use crate::model::alignment::{self, Alignment};

use super::{Options, Pin, Unit, align_nway};

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
            let pinned = doc.pins.iter().any(|pin| pin.iter().all(|(l, eids)| members.get(l) == Some(eids)));
            alignment::Group { eid, members, confidence: g.confidence, review: g.review, pinned }
        })
        .collect();
    Alignment { pivot: pivot.to_string(), groups }
}
