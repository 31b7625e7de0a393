//! `accord inspect FILE|DIR [--json]`: the parsed model, as JSON valid against
//! `schemas/document.schema.json`, or as an indented outline for reading.

use std::io::Write;
use std::path::PathBuf;

use clap::Args as ClapArgs;

use crate::ingest;
use crate::model::{Block, Document, MarkKind};

#[derive(ClapArgs)]
pub struct Args {
    /// A language file (`sources/x/fr.md`) or a document folder.
    path: PathBuf,
    /// Print the model as JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(args: Args) -> u8 {
    let targets = match ingest::targets(std::slice::from_ref(&args.path)) {
        Ok(t) => t,
        Err(d) => {
            eprintln!("{d}");
            return super::EXIT_USAGE;
        }
    };
    let loaded = ingest::load_all(&targets, false);
    let mut stdout = std::io::stdout().lock();
    let mut code = super::EXIT_OK;
    let mut documents = Vec::new();
    for l in loaded {
        for d in &l.diagnostics {
            eprintln!("{d}");
        }
        if l.diagnostics.iter().any(|d| d.is_error()) {
            code = super::EXIT_INVALID;
        }
        documents.extend(l.document);
    }
    let written = if args.json {
        let value =
            if documents.len() == 1 { serde_json::to_value(&documents[0]) } else { serde_json::to_value(&documents) };
        value.map_err(std::io::Error::other).and_then(|v| {
            serde_json::to_writer_pretty(&mut stdout, &v)?;
            writeln!(stdout)
        })
    } else {
        documents.iter().try_for_each(|d| outline(&mut stdout, d))
    };
    match written {
        Ok(()) => code,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => code,
        Err(e) => {
            eprintln!("accord: cannot write: {e}");
            super::EXIT_USAGE
        }
    }
}

fn outline(out: &mut impl Write, doc: &Document) -> std::io::Result<()> {
    writeln!(
        out,
        "{}  symbol={} original={}",
        doc.slug,
        doc.metadata.symbol.as_deref().unwrap_or("-"),
        doc.metadata.original_language.as_deref().unwrap_or("-")
    )?;
    for e in &doc.expressions {
        writeln!(out, "  [{}] {}", e.lang, e.source)?;
        for h in &e.header.lines {
            writeln!(
                out,
                "    {:?}: {}{}",
                h.field,
                h.text.text,
                h.value.as_ref().map(|v| format!("  → {v}")).unwrap_or_default()
            )?;
        }
        blocks(out, &e.body, 2)?;
        for n in &e.notes {
            writeln!(out, "    {} ({}) {}", n.eid, n.marker, short(&n.text.text))?;
        }
        for d in &e.dropped {
            writeln!(out, "    dropped line {} {:?}: {}", d.line, d.kind, d.text)?;
        }
    }
    Ok(())
}

fn blocks(out: &mut impl Write, blocks_: &[Block], depth: usize) -> std::io::Result<()> {
    let pad = "  ".repeat(depth);
    for b in blocks_ {
        match b {
            Block::Section(s) => {
                writeln!(out, "{pad}# {} {} {}", s.eid, s.num.as_deref().unwrap_or(""), s.heading.text)?;
                blocks(out, &s.children, depth + 1)?;
            }
            Block::Paragraph(p) => {
                let notes = p.text.marks.iter().filter(|m| matches!(m.kind, MarkKind::NoteRef { .. })).count();
                writeln!(
                    out,
                    "{pad}¶ {} {} {}{}",
                    p.eid,
                    p.num.as_deref().unwrap_or(""),
                    short(&p.text.text),
                    if notes > 0 { format!(" [{notes} note]") } else { String::new() }
                )?;
                for i in &p.items {
                    writeln!(out, "{pad}  • {} {} {}", i.eid, i.num, short(&i.text.text))?;
                }
            }
            Block::Table(t) => writeln!(out, "{pad}▦ {} {} rows", t.eid, t.rows.len())?,
        }
    }
    Ok(())
}

fn short(text: &str) -> String {
    let mut s: String = text.chars().take(70).collect();
    if s.len() < text.len() {
        s.push('…');
    }
    s
}
