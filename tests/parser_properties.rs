//! Properties of the Markdown and text ingest on generated input: no panic, nothing lost,
//! unique eIds, marks inside their text, every footnote reference resolved.

mod common;

use std::collections::BTreeSet;

use accord::ingest::{self, coverage::coverage};
use accord::model::{Block, Expression, MarkKind, SourceFormat, Text, walk};
use common::markdown;
use proptest::prelude::*;

fn check(expression: &Expression, source: &str) -> Result<(), TestCaseError> {
    let accounted = coverage(&ingest::normalise_as(source, expression.format), expression);
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
