//! `beian report` and `beian audit-log export` against the imported example portfolio:
//! each document read back with pdftotext, the DOCX XML, calamine or sha256sum.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::Command as Process;

use beian_core::audit::AuditEntry;
use calamine::{Data, Reader};

use crate::Workspace;

const SITE: &str = "www.yunshan-tech.com";
const SUBJECT: &str = "北京云杉科技有限公司";
const FILING: &str = "京ICP备2021034567号-1";
const DOMAIN: &str = "yunshan-tech.com";

fn workspace() -> Workspace {
    let workspace = Workspace::initialised();
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/examples/portfolio.csv");
    workspace.ok(&["import", example.to_str().expect("UTF-8 path")]);
    workspace
}

/// Runs `beian report …` with no font override leaking in; returns the output path.
fn report(workspace: &Workspace, name: &str, args: &[&str]) -> PathBuf {
    let out = workspace.path().join(name);
    let output = workspace
        .beian()
        .env_remove("BEIAN_PDF_FONT")
        .arg("report")
        .args(args)
        .arg("--out")
        .arg(&out)
        .output()
        .expect("run beian");
    assert!(
        output.status.success(),
        "beian report {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains(name));
    out
}

fn pdftotext(path: &Path) -> String {
    let output = Process::new("pdftotext")
        .arg(path)
        .arg("-")
        .output()
        .expect("pdftotext runs (apt-get install poppler-utils)");
    assert!(output.status.success());
    String::from_utf8_lossy(&output.stdout)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

fn docx_xml(path: &Path) -> String {
    let file = std::fs::File::open(path).expect("docx written");
    let mut archive = zip::ZipArchive::new(file).expect("a zip package");
    let mut part = archive.by_name("word/document.xml").expect("document part");
    let mut xml = String::new();
    part.read_to_string(&mut xml).expect("UTF-8");
    xml
}

#[test]
fn cancellation_forms_are_prefilled_from_the_inventory() {
    let workspace = workspace();
    let pdf = report(
        &workspace,
        "cancel.pdf",
        &[
            "--format",
            "pdf",
            "--kind",
            "cancellation-website",
            "--site",
            SITE,
        ],
    );
    let text = pdftotext(&pdf);
    for expected in [
        SUBJECT,
        FILING,
        DOMAIN,
        "91110108MA01K7QX1U",
        "注销备案声明函",
        "北京市通信管理局",
    ] {
        assert!(
            text.contains(expected),
            "«{expected}» not in the PDF:\n{text}"
        );
    }

    // The subject cancellation lists every site of the subject.
    let docx = report(
        &workspace,
        "subject.docx",
        &[
            "--format",
            "docx",
            "--kind",
            "cancellation-subject",
            "--site",
            SITE,
        ],
    );
    let xml = docx_xml(&docx);
    for expected in [
        SUBJECT,
        FILING,
        "京ICP备2021034567号-2",
        "京ICP备2021034567号-3",
        DOMAIN,
    ] {
        assert!(xml.contains(expected), "«{expected}» not in the DOCX");
    }

    let access = report(
        &workspace,
        "access.docx",
        &[
            "--format",
            "docx",
            "--kind",
            "cancellation-access",
            "--site",
            SITE,
        ],
    );
    let xml = docx_xml(&access);
    assert!(xml.contains("取消接入声明函") && xml.contains("阿里云"));
}

#[test]
fn evidence_report_shows_the_case_and_the_audit_hashes() {
    let workspace = workspace();
    workspace.json(&[
        "case",
        "open",
        "--kind",
        "icp_cancel_website",
        "--site",
        SITE,
    ]);
    let entries: Vec<AuditEntry> = serde_json::from_value(workspace.json(&[
        "audit-log",
        "list",
        "--entity",
        "website",
        "--id",
        "1",
    ]))
    .expect("audit entries");
    let pdf = report(
        &workspace,
        "evidence.pdf",
        &["--format", "pdf", "--site", SITE],
    );
    let text = pdftotext(&pdf);
    for expected in [
        SUBJECT,
        FILING,
        DOMAIN,
        "网站监测证据报告",
        "icp_cancel_website",
        "case.open",
    ] {
        assert!(
            text.contains(expected),
            "«{expected}» not in the evidence PDF:\n{text}"
        );
    }
    for entry in &entries {
        assert!(
            text.contains(&entry.hash[..16]),
            "hash of entry {} missing",
            entry.seq
        );
    }
    let docx = report(
        &workspace,
        "evidence.docx",
        &["--format", "docx", "--kind", "evidence", "--site", SITE],
    );
    let xml = docx_xml(&docx);
    assert!(entries.iter().all(|e| xml.contains(&e.hash)));
}

#[test]
fn portfolio_html_and_xlsx_sheets() {
    let workspace = workspace();
    let html = report(&workspace, "portfolio.html", &["--format", "html"]);
    let html = std::fs::read_to_string(html).expect("html");
    assert_eq!(html.matches("<svg").count(), 3);
    assert!(html.contains("云杉官网") && html.contains(FILING));
    assert!(!html.to_lowercase().contains("<script"));

    let findings = report(&workspace, "findings.xlsx", &["--format", "xlsx"]);
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook(&findings).expect("findings workbook");
    let range = book
        .worksheet_range("发现 findings")
        .expect("findings sheet");
    assert_eq!(range.rows().count(), 1, "no scan yet: header only");

    let inventory = report(
        &workspace,
        "inventory.xlsx",
        &["--format", "xlsx", "--kind", "inventory"],
    );
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook(&inventory).expect("inventory workbook");
    let sheet = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&sheet).expect("portfolio sheet");
    assert!(
        range
            .rows()
            .any(|row| row.iter().any(|c| c == &Data::String(FILING.to_owned())))
    );
}

#[test]
fn wrong_requests_are_usage_errors_that_say_what_to_do() {
    let workspace = workspace();
    let out = workspace.path().join("x");
    let out = out.to_str().expect("UTF-8");
    let stderr = workspace.fails(
        2,
        &[
            "report", "--format", "html", "--kind", "evidence", "--out", out,
        ],
    );
    assert!(stderr.contains("pdf|docx"), "{stderr}");
    let stderr = workspace.fails(2, &["report", "--format", "pdf", "--out", out]);
    assert!(stderr.contains("--site"), "{stderr}");
    let stderr = workspace.fails(
        2,
        &[
            "report",
            "--format",
            "docx",
            "--kind",
            "cancellation-access",
            "--site",
            SITE,
            "--provider",
            "某云",
            "--out",
            out,
        ],
    );
    assert!(
        stderr.contains("阿里云"),
        "names the site's providers: {stderr}"
    );
    let stderr = workspace.fails(
        2,
        &[
            "report",
            "--format",
            "docx",
            "--site",
            "nope.example",
            "--out",
            out,
        ],
    );
    assert!(stderr.contains("nope.example"), "{stderr}");
    assert!(!Path::new(out).exists(), "nothing written on error");
}

#[test]
fn a_missing_font_is_an_error_naming_the_packages() {
    let workspace = workspace();
    let not_a_font = workspace.path().join("beian.toml");
    let out = workspace.path().join("x.pdf");
    let output = workspace
        .beian()
        .env("BEIAN_PDF_FONT", &not_a_font)
        .args([
            "report",
            "--format",
            "pdf",
            "--kind",
            "cancellation-website",
            "--site",
            SITE,
            "--out",
        ])
        .arg(&out)
        .output()
        .expect("run beian");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("fonts-noto-cjk") && stderr.contains("fonts-wqy-microhei"),
        "{stderr}"
    );
    assert!(stderr.contains("beian.toml"), "names the file: {stderr}");
    assert!(!out.exists());
}

#[test]
fn audit_log_export_writes_a_verifiable_bundle() {
    let workspace = workspace();
    workspace.json(&[
        "case",
        "open",
        "--kind",
        "icp_cancel_website",
        "--site",
        SITE,
    ]);
    let dir = workspace.path().join("bundle");
    let output = workspace
        .beian()
        .env_remove("BEIAN_PDF_FONT")
        .args(["audit-log", "export", "--site", SITE, "--json", "--out"])
        .arg(&dir)
        .output()
        .expect("run beian");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let manifest: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("manifest JSON");
    let names: Vec<&str> = manifest["files"]
        .as_array()
        .expect("files")
        .iter()
        .filter_map(|f| f["name"].as_str())
        .collect();
    for expected in [
        "audit.jsonl",
        "observations.json",
        "findings.json",
        "cases.json",
        "inventory.json",
        "evidence-report.docx",
        "evidence-report.pdf",
    ] {
        assert!(
            names.contains(&expected),
            "{expected} missing from {names:?}"
        );
    }
    assert_eq!(manifest["about"]["audit_chain"]["status"], "intact");

    let check = Process::new("sha256sum")
        .args(["-c", "SHA256SUMS"])
        .current_dir(&dir)
        .output()
        .expect("sha256sum runs");
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );

    // Every exported entry still hashes to itself; the site's, its subject's and the case's are there.
    let jsonl = std::fs::read_to_string(dir.join("audit.jsonl")).expect("audit.jsonl");
    let entries: Vec<AuditEntry> = jsonl
        .lines()
        .map(|line| serde_json::from_str(line).expect("one entry per line"))
        .collect();
    assert!(entries.iter().all(|e| e.compute_hash() == e.hash));
    assert!(entries.windows(2).all(|w| w[0].seq < w[1].seq));
    for entity in ["website", "subject", "domain", "filing", "case"] {
        assert!(
            entries.iter().any(|e| e.entity == entity),
            "no {entity} entry"
        );
    }
    let cases = std::fs::read_to_string(dir.join("cases.json")).expect("cases.json");
    assert!(cases.contains("icp_cancel_website"));

    // A second export into the same directory is refused.
    let stderr = workspace.fails(
        2,
        &[
            "audit-log",
            "export",
            "--site",
            SITE,
            "--out",
            dir.to_str().expect("UTF-8"),
        ],
    );
    assert!(stderr.contains("not empty"), "{stderr}");
}

#[test]
fn audit_log_export_without_a_font_notes_why_there_is_no_pdf() {
    let workspace = workspace();
    let dir = workspace.path().join("bundle");
    let output = workspace
        .beian()
        .env("BEIAN_PDF_FONT", workspace.path().join("beian.toml"))
        .args(["audit-log", "export", "--site", SITE, "--out"])
        .arg(&dir)
        .output()
        .expect("run beian");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stderr).contains("fonts-noto-cjk"));
    assert!(!dir.join("evidence-report.pdf").exists());
    let note = std::fs::read_to_string(dir.join("evidence-report-pdf-missing.txt")).expect("note");
    assert!(note.contains("fonts-wqy-microhei"));
    assert!(dir.join("evidence-report.docx").exists());
}
