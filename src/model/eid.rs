//! eIds after the Akoma Ntoso naming convention: built from the position in the structure
//! and the numbering (`sec_2__para_14`, `sec_2__para_14__list_1__item_b`, `hcontainer_1`),
//! so they are stable across runs and the same in every language that numbers alike.

use std::collections::BTreeMap;

use super::Block;

/// Assigns eIds to `blocks` and everything under them, unique within the expression.
pub fn assign(blocks: &mut [Block]) {
    assign_under(blocks, "");
}

fn assign_under(blocks: &mut [Block], prefix: &str) {
    let mut unnumbered = 0;
    let mut tables = 0;
    let mut seen: BTreeMap<String, u32> = BTreeMap::new();
    for block in blocks {
        let base = match block {
            Block::Section(s) => match s.num.as_deref().and_then(num_token) {
                Some(t) => format!("sec_{t}"),
                None => {
                    unnumbered += 1;
                    format!("hcontainer_{unnumbered}")
                }
            },
            Block::Paragraph(p) => match p.num.as_deref().and_then(num_token) {
                Some(t) => format!("para_{t}"),
                None => {
                    unnumbered += 1;
                    format!("hcontainer_{unnumbered}")
                }
            },
            Block::Table(_) => {
                tables += 1;
                format!("table_{tables}")
            }
        };
        let count = seen.entry(base.clone()).or_insert(0);
        *count += 1;
        // A repeated number (a numbering error that validation reports) still gets a unique eId.
        let eid = if *count == 1 { format!("{prefix}{base}") } else { format!("{prefix}{base}_{count}") };
        match block {
            Block::Section(s) => {
                assign_under(&mut s.children, &format!("{eid}__"));
                s.eid = eid;
            }
            Block::Paragraph(p) => {
                let mut items_seen: BTreeMap<String, u32> = BTreeMap::new();
                for (i, item) in p.items.iter_mut().enumerate() {
                    let token = num_token(&item.num).unwrap_or_else(|| (i + 1).to_string());
                    let n = items_seen.entry(token.clone()).or_insert(0);
                    *n += 1;
                    let suffix = if *n == 1 { String::new() } else { format!("_{n}") };
                    item.eid = format!("{eid}__list_1__item_{token}{suffix}");
                }
                p.eid = eid;
            }
            Block::Table(t) => t.eid = eid,
        }
    }
}

/// The eId token of a number as written: `II.` → `2`, `B.` → `b`, `12.` → `12`, `a)` → `a`,
/// `б)` → `b`, `二、` → `2`.
pub fn num_token(num: &str) -> Option<String> {
    use crate::ingest::lexical;
    if let Some((rank, value)) = lexical::heading_value(num) {
        return Some(if rank == 2 { letter(value) } else { value.to_string() });
    }
    if let Some(value) = lexical::paragraph_value(num) {
        return Some(value.to_string());
    }
    lexical::item_value(num).map(letter)
}

fn letter(index: u32) -> String {
    match char::from_u32('a' as u32 + index.saturating_sub(1)).filter(char::is_ascii_lowercase) {
        Some(c) => c.to_string(),
        None => index.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Item, Paragraph, Section};

    #[test]
    fn tokens() {
        assert_eq!(num_token("II.").as_deref(), Some("2"));
        assert_eq!(num_token("B.").as_deref(), Some("b"));
        assert_eq!(num_token("12.").as_deref(), Some("12"));
        assert_eq!(num_token("a)").as_deref(), Some("a"));
        assert_eq!(num_token("(c)").as_deref(), Some("c"));
        assert_eq!(num_token("б)").as_deref(), Some("b"));
        assert_eq!(num_token("二、").as_deref(), Some("2"));
    }

    #[test]
    fn nested_and_unique() {
        let para = |num: Option<&str>, items: &[&str]| {
            Block::Paragraph(Paragraph {
                num: num.map(str::to_string),
                items: items.iter().map(|n| Item { num: n.to_string(), ..Default::default() }).collect(),
                lines: vec![1],
                ..Default::default()
            })
        };
        let mut blocks = vec![
            para(None, &[]),
            Block::Section(Section {
                num: Some("II.".into()),
                children: vec![para(Some("14."), &["a)", "b)"]), para(Some("14."), &[]), para(None, &[])],
                ..Default::default()
            }),
        ];
        assign(&mut blocks);
        let mut eids = Vec::new();
        crate::model::walk(&blocks, &mut |b| {
            eids.push(b.eid().to_string());
            if let Block::Paragraph(p) = b {
                eids.extend(p.items.iter().map(|i| i.eid.clone()));
            }
        });
        assert_eq!(
            eids,
            [
                "hcontainer_1",
                "sec_2",
                "sec_2__para_14",
                "sec_2__para_14__list_1__item_a",
                "sec_2__para_14__list_1__item_b",
                "sec_2__para_14_2",
                "sec_2__hcontainer_1"
            ]
        );
    }
}
