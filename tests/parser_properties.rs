//! Properties of the Markdown and text ingest on generated input: no panic, nothing lost,
//! unique eIds, marks inside their text, every footnote reference resolved.

use std::collections::BTreeSet;

use accord::ingest::{self, coverage::coverage};
use accord::model::{Block, Expression, MarkKind, SourceFormat, Text, walk};
use proptest::prelude::*;

/// Pieces of PDF-converted UN Markdown, so that generated files hit the parser's paths.
const PIECES: &[&str] = &[
    "Distr. générale\n",
    "16 mars 2022\n",
    "Français\n",
    "Original : anglais\n",
    "Original: English\n",
    "# ",
    "## ",
    "### ",
    "**",
    "*",
    "<i>",
    "</i>",
    "<sup>",
    "</sup>",
    "^{er}",
    "^{2}",
    "[",
    "](#)",
    "[A/69/720](#)",
    "I. ",
    "II. ",
    "A. ",
    "B. ",
    "1. ",
    "2. ",
    "12 - ",
    " - a) ",
    "a) ",
    "b) ",
    "(c) ",
    "¹",
    "² ",
    "¹ Voir A/69/720.\n",
    "* ",
    "(suite)",
    "Annexe\n",
    "\t",
    "\n",
    "\n\n",
    "\r\n",
    "15-11931\n",
    "2/4\n",
    "A/69/720\n",
    "-\n",
    "\u{feff}",
    "\u{a0}",
    "Le Groupe de travail",
    " a examiné ",
    "les migrants",
    " ; ",
    " : ",
    ". ",
    ", ",
    "recognizing ",
    "Smuggling of Migrants and the Protocol",
    "联合国大会",
    "。",
    "البند ٤",
    "Пункт",
    "отмечая",
    "e\u{301}",
    "m²",
];

fn markdown() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![4 => prop::sample::select(PIECES).prop_map(str::to_string), 1 => ".{0,12}"],
        0..80,
    )
    .prop_map(|pieces| pieces.concat())
}

fn check(expression: &Expression, source: &str) -> Result<(), TestCaseError> {
    let accounted = coverage(&ingest::normalise(source), expression);
    prop_assert!(accounted.is_complete(), "missing {:?}, extra {:?}", accounted.missing, accounted.extra);
    let mut eids = BTreeSet::new();
    walk(&expression.body, &mut |b| {
        eids.insert(b.eid().to_string());
        if let Block::Paragraph(p) = b {
            eids.extend(p.items.iter().map(|i| i.eid.clone()));
        }
    });
    let mut count = 0;
    walk(&expression.body, &mut |b| {
        count += 1 + if let Block::Paragraph(p) = b { p.items.len() } else { 0 };
    });
    prop_assert_eq!(eids.len(), count, "eIds are unique");
    let notes: BTreeSet<&str> = expression.notes.iter().map(|n| n.eid.as_str()).collect();
    let mut texts: Vec<Text> = Vec::new();
    expression.for_each_text(&mut |t| texts.push(t.clone()));
    for t in &texts {
        for m in &t.marks {
            prop_assert!(m.start <= m.end && m.end <= t.text.len());
            prop_assert!(t.text.is_char_boundary(m.start) && t.text.is_char_boundary(m.end));
            if let MarkKind::NoteRef { note, .. } = &m.kind {
                prop_assert!(notes.contains(note.as_str()), "reference to missing note {}", note);
            }
        }
    }
    Ok(())
}

proptest! {
    #[test]
    fn markdown_ingest_loses_nothing(source in markdown()) {
        let mut diagnostics = Vec::new();
        let expression = ingest::parse_expression("fr.md", "fr", SourceFormat::Md, &source, &mut diagnostics);
        check(&expression, &source)?;
    }

    #[test]
    fn any_text_is_ingested_without_loss(source in any::<String>()) {
        for format in [SourceFormat::Md, SourceFormat::Txt] {
            let mut diagnostics = Vec::new();
            let expression = ingest::parse_expression("zh.md", "zh", format, &source, &mut diagnostics);
            check(&expression, &source)?;
        }
    }
}
