//! DOCX packages: the parts Word needs, and the text in word/document.xml, escaped.

use beian_report::docx::document_xml;
use beian_report::{CancellationKind, cancellation_documents, evidence_document, render_docx};

use crate::support::{DOMAIN, FILING, HOSTILE, SUBJECT, USCC, cancellation, evidence, zip_part};

#[test]
fn cancellation_docx_holds_the_prefilled_values() {
    for kind in [
        CancellationKind::Subject,
        CancellationKind::Website,
        CancellationKind::Access,
    ] {
        let bytes = render_docx(&cancellation_documents(&cancellation(kind))).expect("docx");
        let xml = zip_part(&bytes, "word/document.xml");
        for expected in [
            SUBJECT,
            USCC,
            FILING,
            DOMAIN,
            "盖章",
            "______年____月____日",
        ] {
            assert!(xml.contains(expected), "{kind:?}: «{expected}» missing");
        }
        // Two documents: one page break between them.
        assert_eq!(xml.matches(r#"<w:br w:type="page"/>"#).count(), 1);
        for part in [
            "[Content_Types].xml",
            "_rels/.rels",
            "word/styles.xml",
            "word/_rels/document.xml.rels",
        ] {
            assert!(!zip_part(&bytes, part).is_empty(), "{part} empty");
        }
    }
}

#[test]
fn evidence_docx_escapes_hostile_text_and_keeps_hashes() {
    let report = evidence();
    let bytes = render_docx(&[evidence_document(&report)]).expect("docx");
    let xml = zip_part(&bytes, "word/document.xml");
    assert!(
        !xml.contains(HOSTILE),
        "raw markup from a page title reached the XML"
    );
    assert!(xml.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
    for entry in &report.audit {
        assert!(xml.contains(&entry.hash));
    }
    assert!(xml.contains(FILING) && xml.contains(DOMAIN) && xml.contains(SUBJECT));
}

#[test]
fn control_characters_cannot_break_the_xml() {
    let mut input = cancellation(CancellationKind::Website);
    input.reason = "原因\u{0}\u{1b}[31m".to_owned();
    let xml = document_xml(&cancellation_documents(&input));
    assert!(!xml.contains('\u{0}') && !xml.contains('\u{1b}'));
    assert!(xml.contains("原因\u{FFFD}\u{FFFD}[31m"));
}
