//! The three French seed documents, parsed by the real binary: the expectations of the
//! foundation issue, one assertion each.

mod common;

use common::{blocks, covered, inspect, marks, repo, texts};
use serde_json::Value;

fn seed(slug: &str) -> Value {
    let doc = inspect(&repo().join("sources").join(slug));
    assert_eq!(doc["expressions"].as_array().unwrap().len(), 1, "{slug} has only its French version");
    doc
}

fn french(doc: &Value) -> &Value {
    &doc["expressions"][0]
}

#[test]
fn background_paper_has_five_sections_of_numbered_recommendations() {
    let doc = seed("wg7-2019-background-paper-recommendations");
    let body = french(&doc)["body"].as_array().unwrap();
    let sections: Vec<&Value> = body.iter().filter(|b| b["type"] == "section").collect();
    let counts: Vec<usize> = sections
        .iter()
        .map(|s| {
            let nums: Vec<u64> = s["children"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|c| c["type"] == "paragraph" && c["num"].is_string())
                .map(|c| c["num"].as_str().unwrap().trim_end_matches('.').parse().unwrap())
                .collect();
            // In order, none merged (a number missing) or split (a number repeated).
            assert_eq!(nums, (1..=nums.len() as u64).collect::<Vec<_>>(), "section {}", s["num"]);
            nums.len()
        })
        .collect();
    assert_eq!(counts, [55, 33, 41, 15, 5]);
    let nums: Vec<&str> = sections.iter().map(|s| s["num"].as_str().unwrap()).collect();
    assert_eq!(nums, ["I.", "II.", "III.", "IV.", "V."]);
}

#[test]
fn split_paragraphs_are_rejoined() {
    let doc = seed("wg7-2019-background-paper-recommendations");
    let paragraphs: Vec<&Value> = blocks(french(&doc)).into_iter().filter(|b| b["type"] == "paragraph").collect();
    for (num, joint) in [
        ("20.", "fournir aux migrants objet"),
        ("32.", "d'en faire l'objet, particulièrement les jeunes"),
        ("44.", "mettre en place des mesures de confiance"),
    ] {
        let hits: Vec<&&Value> =
            paragraphs.iter().filter(|p| p["text"]["text"].as_str().unwrap().contains(joint)).collect();
        assert_eq!(hits.len(), 1, "{joint}");
        assert_eq!(hits[0]["num"], num);
        assert_eq!(hits[0]["lines"].as_array().unwrap().len(), 2, "{num} was assembled from two source lines");
    }
    // No paragraph starts as the lowercase rest of another.
    for p in &paragraphs {
        let text = p["text"]["text"].as_str().unwrap();
        assert!(!text.starts_with(char::is_lowercase), "unjoined continuation: {text}");
    }
}

#[test]
fn every_footnote_marker_has_exactly_one_note_and_no_note_stays_in_a_paragraph() {
    for (slug, expected_notes) in [
        ("wg7-2019-draft-report-addendum", 0),
        ("wg7-2022-annotated-provisional-agenda", 3),
        ("wg7-2019-background-paper-recommendations", 1),
    ] {
        let doc = seed(slug);
        let e = french(&doc);
        let notes: Vec<&str> =
            e["notes"].as_array().map(|n| n.iter().map(|n| n["eid"].as_str().unwrap()).collect()).unwrap_or_default();
        assert_eq!(notes.len(), expected_notes, "{slug}");
        let refs: Vec<&str> =
            texts(e).iter().flat_map(|t| marks(t, "note_ref")).map(|m| m["note"].as_str().unwrap()).collect();
        // Each marker points at a note that exists; each note has exactly one marker.
        for r in &refs {
            assert!(notes.contains(r), "{slug}: marker to missing note {r}");
        }
        for n in &notes {
            assert_eq!(refs.iter().filter(|r| *r == n).count(), 1, "{slug}: note {n}");
        }
        let bodies: Vec<String> = e["notes"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|n| n["text"]["text"].as_str().unwrap().to_string())
            .collect();
        for b in blocks(e) {
            if let Some(text) = b["text"]["text"].as_str() {
                for body in &bodies {
                    assert!(!text.contains(body.as_str()), "{slug}: note body left inside {}", b["eid"]);
                }
                assert!(!text.contains(['¹', '²', '³']), "{slug}: marker left in text of {}", b["eid"]);
            }
        }
    }
}

#[test]
fn annex_restarts_note_numbering_and_each_marker_finds_its_own_note() {
    let doc = seed("wg7-2022-annotated-provisional-agenda");
    let e = french(&doc);
    let markers: Vec<&str> = e["notes"].as_array().unwrap().iter().map(|n| n["marker"].as_str().unwrap()).collect();
    assert_eq!(markers, ["¹", "²", "¹"]);
    let annex = blocks(e).into_iter().find(|b| b["heading"]["text"] == "Annexe").expect("annex section");
    let title = &annex["children"][0]["heading"];
    assert_eq!(title["text"], "Projet d'organisation des travaux");
    assert_eq!(marks(title, "note_ref")[0]["note"], "fn_3");
}

#[test]
fn recommendation_22_holds_items_a_to_m() {
    let doc = seed("wg7-2019-draft-report-addendum");
    let e = french(&doc);
    let rec = blocks(e).into_iter().find(|b| b["heading"]["text"] == "Recommandation 22").expect("heading");
    let para = &rec["children"][0];
    assert!(para["text"]["text"].as_str().unwrap().ends_with("prochaines réunions :"));
    let items: Vec<&str> = para["items"].as_array().unwrap().iter().map(|i| i["num"].as_str().unwrap()).collect();
    let expected: Vec<String> = ('a'..='m').map(|c| format!("{c})")).collect();
    assert_eq!(items, expected);
    assert!(para["items"][12]["text"]["text"].as_str().unwrap().ends_with("poursuites pénales."));
    assert_eq!(para["items"][1]["eid"], "sec_2__sec_a__hcontainer_1__hcontainer_1__list_1__item_b");
}

#[test]
fn headers_state_the_original_language_and_the_metadata_records_the_absent_original() {
    for slug in [
        "wg7-2019-draft-report-addendum",
        "wg7-2022-annotated-provisional-agenda",
        "wg7-2019-background-paper-recommendations",
    ] {
        let doc = seed(slug);
        let header = french(&doc)["header"]["lines"].as_array().unwrap();
        let field =
            |name: &str| header.iter().find(|l| l["field"] == name).unwrap_or_else(|| panic!("{slug}: no {name}"));
        assert_eq!(field("original")["value"], "en");
        assert_eq!(field("language")["value"], "fr");
        assert!(doc["metadata"]["absent"]["en"].is_string(), "{slug}: English recorded absent");
        assert_eq!(doc["metadata"]["original_language"], "en");
        assert!(doc["metadata"].get("symbol").is_none(), "{slug}: no symbol is invented");
    }
    let doc = seed("wg7-2019-background-paper-recommendations");
    let header = french(&doc)["header"]["lines"].as_array().unwrap();
    let fields: Vec<&str> = header.iter().map(|l| l["field"].as_str().unwrap()).collect();
    assert_eq!(
        fields,
        [
            "body",
            "distribution",
            "date",
            "language",
            "original",
            "subsidiary_body",
            "meeting",
            "agenda_item",
            "agenda_item_title",
            "title",
            "subtitle"
        ]
    );
    assert_eq!(doc["metadata"]["date"], "2019-06-21");
    let agenda = header.iter().find(|l| l["field"] == "agenda_item").unwrap();
    assert_eq!(agenda["text"]["text"], "Point 4 de l'ordre du jour provisoire");
    assert_eq!(marks(&agenda["text"], "note_ref")[0]["marker"], "*");
}

#[test]
fn inline_marks_foreign_spans_links_superscripts_and_tables() {
    let doc = seed("wg7-2022-annotated-provisional-agenda");
    let e = french(&doc);
    let note = &e["notes"][1]["text"];
    let foreign = marks(note, "foreign");
    assert_eq!(foreign.len(), 1);
    assert_eq!(foreign[0]["lang"], "en");
    assert_eq!(
        covered(note, foreign[0]),
        "Smuggling of Migrants: Compendium and Thematic Index of Recommendations, Resolutions and Decisions"
    );
    let refs: Vec<String> =
        texts(e).iter().flat_map(|t| marks(t, "ref")).map(|m| m["symbol"].as_str().unwrap().to_string()).collect();
    assert_eq!(refs, ["CTOC/COP/WG.7/2022/2", "CTOC/COP/WG.7/2022/3"]);
    let table = blocks(e).into_iter().find(|b| b["type"] == "table").expect("annex table");
    let rows = table["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 12);
    assert_eq!(rows[0][0]["text"], "Date et heure");
    assert_eq!(marks(&rows[0][0], "italic").len(), 1);

    let paper = seed("wg7-2019-background-paper-recommendations");
    let heading = &french(&paper)["body"][1]["heading"];
    assert_eq!(heading["text"], "Première réunion, tenue à Vienne du 30 mai au 1er juin 2012");
    assert_eq!(covered(heading, marks(heading, "superscript")[0]), "er");
}

#[test]
fn stray_dash_and_markup_are_dropped_not_lost() {
    let doc = seed("wg7-2019-draft-report-addendum");
    let dropped = french(&doc)["dropped"].as_array().unwrap();
    assert!(dropped.iter().any(|d| d["kind"] == "stray" && d["text"] == "-" && d["line"] == 42));
    assert!(dropped.iter().any(|d| d["kind"] == "markup" && d["text"] == "####"));
}
