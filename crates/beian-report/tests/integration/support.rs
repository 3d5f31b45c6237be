//! Sample inputs (one company, its sites and the usual hostile text) and helpers to read
//! the rendered files back with the tools a user would use.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use beian_core::audit::{AuditEntry, ChainVerdict};
use beian_core::case::{Case, CaseEvent, CaseKind, CaseState};
use beian_core::finding::{Finding, FindingState, Severity};
use beian_core::model::{
    Domain, Filing, FilingKind, FilingStatus, RecordStatus, Subject, SubjectKind, Website,
};
use beian_report::{
    CancellationDocument, CancellationKind, CancelledSite, CaseRecord, CjkFont, Contact,
    EvidenceReport, FindingRow, MonitoringPeriod, ObservationSummary,
};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};

pub const SUBJECT: &str = "北京云杉科技有限公司";
pub const USCC: &str = "91110108MA01K7QX1U";
pub const FILING: &str = "京ICP备2021034567号-1";
pub const DOMAIN: &str = "yunshan-tech.com";
pub const HOSTILE: &str = "<script>alert('x')</script>";

pub fn at(day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, day, hour, 0, 0)
        .single()
        .expect("valid time")
}

pub fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

pub fn cancellation(kind: CancellationKind) -> CancellationDocument {
    CancellationDocument {
        kind,
        subject_name: SUBJECT.to_owned(),
        subject_kind: SubjectKind::Company,
        subject_id_number: USCC.to_owned(),
        principal: "张伟".to_owned(),
        province_code: Some("11".to_owned()),
        subject_filing: Some("京ICP备2021034567号".to_owned()),
        sites: vec![CancelledSite {
            name: "云杉官网".to_owned(),
            home_url: "https://www.yunshan-tech.com/".to_owned(),
            filing_number: Some(FILING.to_owned()),
            psb_number: Some("京公网安备11010802034567号".to_owned()),
            domains: vec![DOMAIN.to_owned()],
            providers: vec!["阿里云".to_owned()],
        }],
        provider: Some("阿里云".to_owned()),
        reason: "网站已停止运营，域名不再续费".to_owned(),
        date: day(2026, 3, 20),
        contact: Some(Contact {
            name: "李娜".to_owned(),
            phone: "13811112222".to_owned(),
            email: String::new(),
        }),
    }
}

fn subject() -> Subject {
    Subject {
        id: 1,
        name: SUBJECT.to_owned(),
        kind: SubjectKind::Company,
        id_number: USCC.to_owned(),
        principal: "张伟".to_owned(),
        province: Some("11".to_owned()),
        status: RecordStatus::Active,
        closed_on: None,
        notes: String::new(),
        created_at: at(1, 0),
        updated_at: at(1, 0),
    }
}

fn website() -> Website {
    Website {
        id: 7,
        subject_id: 1,
        name: format!("云杉官网{HOSTILE}"),
        home_url: "https://www.yunshan-tech.com/".to_owned(),
        access_providers: vec!["阿里云".to_owned()],
        tags: Vec::new(),
        server_ips: vec!["47.93.12.8".to_owned()],
        go_live_on: Some(day(2021, 7, 1)),
        status: RecordStatus::Active,
        closed_on: None,
        notes: String::new(),
        created_at: at(1, 0),
        updated_at: at(1, 0),
    }
}

pub fn finding(id: i64, rule: &str, severity: Severity, explanation: &str) -> Finding {
    Finding {
        id,
        rule_id: rule.to_owned(),
        site_id: 7,
        key: DOMAIN.to_owned(),
        severity,
        state: FindingState::Open,
        explanation_zh: explanation.to_owned(),
        explanation_en: String::new(),
        evidence: serde_json::json!({}),
        first_seen: at(2, 8),
        last_seen: at(19, 8),
        resolved_at: None,
        suppression: None,
    }
}

/// A chain of `n` sealed entries about the site.
pub fn audit_chain(n: usize) -> Vec<AuditEntry> {
    let mut out: Vec<AuditEntry> = Vec::new();
    for i in 0..n {
        let prev = out.last().map(|e| (e.hash.as_str(), e.seq));
        out.push(AuditEntry::seal(
            prev,
            at(2, 9) + chrono::Duration::minutes(i as i64),
            "cli:test",
            "finding.open",
            "finding",
            Some(i as i64 + 1),
            None,
            Some("{}".to_owned()),
        ));
    }
    out
}

pub fn evidence() -> EvidenceReport {
    let audit = audit_chain(3);
    let last = audit.last().map(|e| e.hash.clone()).unwrap_or_default();
    let finding = finding(
        11,
        "domain.lapsed_filing_active",
        Severity::Critical,
        &format!("域名 {DOMAIN} 已过期，备案 {FILING} 仍有效；页面标题 {HOSTILE}"),
    );
    let case = Case {
        id: 3,
        kind: CaseKind::IcpCancelWebsite,
        state: CaseState::Preparing,
        subject_id: Some(1),
        site_id: Some(7),
        filing_id: Some(5),
        finding_id: Some(11),
        title: format!("注销网站备案 {FILING}"),
        checklist: Vec::new(),
        deadlines: Vec::new(),
        opened_at: at(19, 9),
        opened_by: "scheduler".to_owned(),
        state_since: at(19, 10),
        updated_at: at(19, 10),
        reference_date: None,
    };
    let events = vec![CaseEvent {
        id: 1,
        case_id: 3,
        at: at(19, 9),
        actor: "scheduler".to_owned(),
        action: "open".to_owned(),
        from_state: None,
        to_state: Some(CaseState::Draft),
        note: "由发现自动开立".to_owned(),
    }];
    EvidenceReport {
        generated_at: at(20, 12),
        subject: Some(subject()),
        website: website(),
        filings: vec![Filing {
            id: 5,
            kind: FilingKind::IcpWebsite,
            number: FILING.to_owned(),
            status: FilingStatus::Active,
            subject_id: 1,
            website_id: Some(7),
            parent_id: Some(4),
            filed_on: Some(day(2021, 6, 20)),
            cancelled_on: None,
            notes: String::new(),
            created_at: at(1, 0),
            updated_at: at(1, 0),
        }],
        domains: vec![Domain {
            id: 9,
            name: DOMAIN.to_owned(),
            unicode_name: DOMAIN.to_owned(),
            website_id: Some(7),
            registrar: "阿里云计算有限公司（万网）".to_owned(),
            holder: SUBJECT.to_owned(),
            expires_on: Some(day(2026, 3, 1)),
            expiry_source: None,
            notes: String::new(),
            created_at: at(1, 0),
            updated_at: at(1, 0),
        }],
        period: MonitoringPeriod::spanning([at(2, 8), at(19, 8)]),
        observations: vec![ObservationSummary {
            observed_at: at(19, 8),
            lines: vec![format!("{DOMAIN}：已注册（rdap），到期 2026-03-01")],
        }],
        findings: vec![FindingRow::new(
            &finding,
            "云杉官网",
            Some("域名失效而备案仍有效"),
        )],
        cases: vec![CaseRecord { case, events }],
        chain: Some(ChainVerdict::Intact {
            entries: 3,
            last_hash: last,
        }),
        audit,
    }
}

/// The CJK fonts installed here, by outline kind: WenQuanYi (TrueType) and Noto (CFF).
pub fn installed_fonts() -> Vec<PathBuf> {
    let fonts: Vec<PathBuf> = [
        "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    ]
    .into_iter()
    .map(PathBuf::from)
    .filter(|p| p.exists())
    .collect();
    assert!(
        !fonts.is_empty(),
        "no CJK font installed: apt-get install fonts-wqy-microhei fonts-noto-cjk"
    );
    fonts
}

pub fn system_font() -> CjkFont {
    CjkFont::discover(None).unwrap_or_else(|e| panic!("{e}"))
}

/// Runs a poppler tool (poppler-utils) on a file and returns its stdout.
pub fn poppler(tool: &str, args: &[&str], file: &Path) -> String {
    let output = Command::new(tool)
        .args(args)
        .arg(file)
        .arg("-")
        .output()
        .unwrap_or_else(|e| panic!("{tool} not runnable ({e}): apt-get install poppler-utils"));
    assert!(
        output.status.success(),
        "{tool} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// `pdffonts` takes no `-` argument.
pub fn pdffonts(file: &Path) -> String {
    let output = Command::new("pdffonts")
        .arg(file)
        .output()
        .unwrap_or_else(|e| panic!("pdffonts not runnable ({e}): apt-get install poppler-utils"));
    assert!(output.status.success());
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// One part of a zip package (DOCX) as text.
pub fn zip_part(bytes: &[u8], name: &str) -> String {
    let mut archive =
        zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a readable zip package");
    let mut file = archive
        .by_name(name)
        .unwrap_or_else(|e| panic!("{name} missing: {e}"));
    let mut text = String::new();
    file.read_to_string(&mut text).expect("UTF-8 part");
    text
}

/// Text with all whitespace removed: pdftotext may put line breaks inside a wrapped value.
pub fn squeezed(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}
