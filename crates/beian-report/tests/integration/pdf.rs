//! PDFs carry their Chinese text as text: extracted with pdftotext, font embedded and mapped.

use beian_report::{
    CancellationKind, CjkFont, cancellation_documents, evidence_document, render_pdf,
};

use crate::support::{
    DOMAIN, FILING, SUBJECT, USCC, cancellation, evidence, installed_fonts, pdffonts, poppler,
    squeezed, system_font,
};

fn write_pdf(bytes: &[u8]) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("out.pdf");
    std::fs::write(&path, bytes).expect("write pdf");
    (dir, path)
}

#[test]
fn cancellation_pdf_text_extracts_with_every_installed_font() {
    for font_path in installed_fonts() {
        let font = CjkFont::load(&font_path).unwrap_or_else(|e| panic!("{e}"));
        for kind in [
            CancellationKind::Subject,
            CancellationKind::Website,
            CancellationKind::Access,
        ] {
            let bytes = render_pdf(&cancellation_documents(&cancellation(kind)), &font)
                .unwrap_or_else(|e| panic!("{}: {e}", font_path.display()));
            assert!(bytes.starts_with(b"%PDF-"));
            let (_dir, path) = write_pdf(&bytes);
            let raw = poppler("pdftotext", &[], &path);
            // The application and the declaration each fit on one page.
            assert_eq!(raw.matches('\u{c}').count(), 2, "{kind:?}: two pages");
            let text = squeezed(&raw);
            let declaration = match kind {
                CancellationKind::Access => "取消接入声明函",
                _ => "注销备案声明函",
            };
            let addressee = match kind {
                CancellationKind::Access => "阿里云（接入服务商）",
                _ => "北京市通信管理局",
            };
            for expected in [
                SUBJECT,
                USCC,
                FILING,
                DOMAIN,
                declaration,
                "盖章",
                addressee,
            ] {
                assert!(
                    text.contains(expected),
                    "{} ({kind:?}): «{expected}» not in extracted text:\n{text}",
                    font_path.display()
                );
            }
            let fonts = pdffonts(&path);
            let row = fonts.lines().nth(2).unwrap_or_default();
            // name, type, encoding, emb, sub, uni: embedded, subset and mapped to Unicode.
            assert!(
                row.contains("BEIANG+")
                    && row.contains("Identity-H")
                    && row.matches("yes").count() == 3,
                "font not embedded as subset with ToUnicode:\n{fonts}"
            );
        }
    }
}

#[test]
fn evidence_pdf_shows_hashes_findings_and_cases() {
    let report = evidence();
    let font = system_font();
    let bytes = render_pdf(&[evidence_document(&report)], &font).expect("render");
    let (_dir, path) = write_pdf(&bytes);
    let text = squeezed(&poppler("pdftotext", &[], &path));
    let last = report.audit.last().expect("entries");
    for expected in [
        SUBJECT,
        FILING,
        DOMAIN,
        "domain.lapsed_filing_active",
        "网站监测证据报告",
        "icp_cancel_website",
        // The hash wraps inside its cell; whitespace is squeezed out above.
        last.hash.as_str(),
        last.prev_hash.as_str(),
    ] {
        assert!(text.contains(expected), "«{expected}» missing:\n{text}");
    }
    // Attacker text is drawn as text, literally.
    assert!(text.contains("<script>alert('x')</script>"));
}

#[test]
fn long_tables_continue_over_pages_with_numbered_footers() {
    let mut report = evidence();
    report.audit = crate::support::audit_chain(120);
    let font = system_font();
    let bytes = render_pdf(&[evidence_document(&report)], &font).expect("render");
    let (_dir, path) = write_pdf(&bytes);
    let text = poppler("pdftotext", &[], &path);
    let pages = text.matches('\u{c}').count();
    assert!(
        pages >= 4,
        "120 audit rows should need several pages, got {pages}"
    );
    assert!(squeezed(&text).contains(&format!("第{pages}页/共{pages}页")));
    let squeezed = squeezed(&text);
    // pdftotext sometimes reads two narrow neighbouring cells as one line, interleaving the
    // hash and the previous hash; the first line of each hash cell is always whole.
    for entry in &report.audit {
        let cells = format!("finding#{}{}", entry.seq, &entry.hash[..16]);
        assert!(squeezed.contains(&cells), "row of entry {} lost", entry.seq);
    }
}

#[test]
#[ignore = "writes sample files to $BEIAN_REPORT_SAMPLES for a person to look at"]
fn write_samples() {
    let Some(dir) = std::env::var_os("BEIAN_REPORT_SAMPLES") else {
        return;
    };
    let dir = std::path::PathBuf::from(dir);
    let font = system_font();
    let mut report = evidence();
    report.audit = crate::support::audit_chain(120);
    std::fs::write(
        dir.join("evidence.pdf"),
        render_pdf(&[evidence_document(&report)], &font).expect("pdf"),
    )
    .expect("write");
    for kind in [
        CancellationKind::Subject,
        CancellationKind::Website,
        CancellationKind::Access,
    ] {
        let bytes = render_pdf(&cancellation_documents(&cancellation(kind)), &font).expect("pdf");
        std::fs::write(dir.join(format!("cancel-{}.pdf", kind.as_str())), bytes).expect("write");
    }
    for (i, path) in installed_fonts().iter().enumerate() {
        let font = CjkFont::load(path).expect("font");
        let docs = cancellation_documents(&cancellation(CancellationKind::Website));
        let bytes = render_pdf(&docs, &font).expect("pdf");
        std::fs::write(dir.join(format!("font-{i}.pdf")), bytes).expect("write");
    }
}
