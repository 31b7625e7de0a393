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
    // Only numbered eIds can repeat: counters number the others.
    let mut seen: BTreeMap<(&str, Token), u32> = BTreeMap::new();
    for block in blocks {
        let (kind, token) = match block {
            Block::Section(s) => ("sec_", s.num.as_deref().and_then(num_token)),
            Block::Paragraph(p) => ("para_", p.num.as_deref().and_then(num_token)),
            Block::Table(_) => ("table_", None),
        };
        // Built in place: this runs for every block of every expression.
        let mut eid = String::with_capacity(prefix.len() + 24);
        eid.push_str(prefix);
        match token {
            Some(token) => {
                eid.push_str(kind);
                token.push_to(&mut eid);
                let count = seen.entry((kind, token)).or_insert(0);
                *count += 1;
                // A repeated number (a numbering error that validation reports) still gets a unique eId.
                if *count > 1 {
                    push_number(&mut eid, "_", *count);
                }
            }
            None if kind == "table_" => {
                tables += 1;
                push_number(&mut eid, kind, tables);
            }
            None => {
                unnumbered += 1;
                push_number(&mut eid, "hcontainer_", unnumbered);
            }
        }
        match block {
            Block::Section(s) => {
                let mut prefix = String::with_capacity(eid.len() + 2);
                prefix.push_str(&eid);
                prefix.push_str("__");
                assign_under(&mut s.children, &prefix);
                s.eid = eid;
            }
            Block::Paragraph(p) => {
                let mut items_seen: BTreeMap<Token, u32> = BTreeMap::new();
                for (i, item) in p.items.iter_mut().enumerate() {
                    let token = num_token(&item.num).unwrap_or(Token::Number(i as u32 + 1));
                    let mut item_eid = String::with_capacity(eid.len() + 24);
                    item_eid.push_str(&eid);
                    item_eid.push_str("__list_1__item_");
                    token.push_to(&mut item_eid);
                    let n = items_seen.entry(token).or_insert(0);
                    *n += 1;
                    if *n > 1 {
                        push_number(&mut item_eid, "_", *n);
                    }
                    item.eid = item_eid;
                }
                p.eid = eid;
            }
            Block::Table(t) => t.eid = eid,
        }
    }
}

/// `label` followed by the decimal digits of `n`: `para_3`.
pub fn numbered(label: &str, n: u32) -> String {
    let mut s = String::with_capacity(label.len() + 8);
    push_number(&mut s, label, n);
    s
}

/// Appends `label` and the decimal digits of `n`, without the formatting machinery (which
/// costs more than the rest of the eId).
fn push_number(s: &mut String, label: &str, n: u32) {
    s.push_str(label);
    let mut digits = [0u8; 10];
    let mut start = digits.len();
    let mut rest = n;
    loop {
        start -= 1;
        digits[start] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    s.extend(digits[start..].iter().map(|&d| d as char));
}

/// The part of an eId a number gives: a lowercase ASCII letter or a decimal number. Two
/// tokens are equal exactly when they are written alike, so they count repeats without
/// being written out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Token {
    Letter(u8),
    Number(u32),
}

impl Token {
    fn push_to(self, s: &mut String) {
        match self {
            Token::Letter(b) => s.push(b as char),
            Token::Number(n) => push_number(s, "", n),
        }
    }
}

/// The eId token of a number as written: `II.` → `2`, `B.` → `b`, `12.` → `12`, `a)` → `a`,
/// `б)` → `b`, `二、` → `2`.
pub fn num_token(num: &str) -> Option<Token> {
    use crate::ingest::lexical;
    if let Some((rank, value)) = lexical::heading_value(num) {
        return Some(if rank == 2 { letter(value) } else { Token::Number(value) });
    }
    if let Some(value) = lexical::paragraph_value(num) {
        return Some(Token::Number(value));
    }
    lexical::item_value(num).map(letter)
}

fn letter(index: u32) -> Token {
    match char::from_u32('a' as u32 + index.saturating_sub(1)).filter(char::is_ascii_lowercase) {
        Some(c) => Token::Letter(c as u8),
        None => Token::Number(index),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Item, Paragraph, Section};

    #[test]
    fn tokens() {
        let num_token = |num| {
            num_token(num).map(|t| {
                let mut s = String::new();
                t.push_to(&mut s);
                s
            })
        };
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
                lines: [1].into(),
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
