//! Inventory rules that need no scan: a closed site whose filings live on, the PSB filing
//! due 30 days after go-live (公安部令第33号 Art 12), and stored numbers that no longer
//! validate.

use std::cell::RefCell;
use std::collections::HashMap;

use chrono::{Days, NaiveDate};
use serde_json::json;

use super::{Drafts, RuleSettings, SiteView, ids};
use crate::finding::Severity;
use crate::identifier::{
    FileableTlds, Validation, ValidationContext, validate_filing_number, validate_subject_id,
};
use crate::model::{FilingKind, FilingStatus, RecordStatus, Subject};

pub(super) fn judge(site: &SiteView, settings: &RuleSettings, drafts: &mut Drafts) {
    closed_filings_active(site, drafts);
    psb_missing(site, settings, drafts);
    identifiers_invalid(site, drafts);
}

fn closed_filings_active(site: &SiteView, drafts: &mut Drafts) {
    let website = &site.facts.website;
    if website.status != RecordStatus::Closed {
        return;
    }
    // Only the site's own filings: the subject filing may still cover other sites.
    let live: Vec<_> = site
        .site_filings()
        .filter(|filing| filing.website_id == Some(website.id))
        .filter(|filing| filing.status != FilingStatus::Cancelled)
        .collect();
    if live.is_empty() {
        return;
    }
    let numbers: Vec<String> = live
        .iter()
        .map(|filing| format!("{}（{}）", filing.number, filing.status.label_zh()))
        .collect();
    let numbers_en: Vec<String> = live
        .iter()
        .map(|filing| format!("{} ({})", filing.number, filing.status.as_str()))
        .collect();
    let closed_zh = website
        .closed_on
        .map_or_else(String::new, |date| format!("于 {date} "));
    let closed_en = website
        .closed_on
        .map_or_else(String::new, |date| format!(" on {date}"));
    drafts.push(
        ids::SITE_CLOSED_FILINGS_ACTIVE,
        "",
        Severity::High,
        (
            format!(
                "网站“{}”已{closed_zh}关闭，但其备案 {} 尚未注销。备案应在服务终止之日注销，否则可能被他人利用，责任仍在本主体。",
                website.name,
                numbers.join("、")
            ),
            format!(
                "Site \"{}\" was closed{closed_en} but its filings {} are not cancelled. Filings are due for cancellation on the day the service ends; until then others may use them and the subject stays liable.",
                website.name,
                numbers_en.join(", ")
            ),
        ),
        json!({
            "website": website.name,
            "home_url": website.home_url,
            "closed_on": website.closed_on,
            "filings": live.iter().map(|filing| json!({
                "number": filing.number,
                "kind": filing.kind,
                "status": filing.status,
            })).collect::<Vec<_>>(),
        }),
    );
}

fn psb_missing(site: &SiteView, settings: &RuleSettings, drafts: &mut Drafts) {
    let website = &site.facts.website;
    if website.status != RecordStatus::Active {
        return;
    }
    let Some(go_live) = website.go_live_on else {
        return;
    };
    let has_psb = site
        .site_filings()
        .any(|filing| filing.kind == FilingKind::Psb && filing.status != FilingStatus::Cancelled);
    if has_psb {
        return;
    }
    let Some(due) = go_live.checked_add_days(Days::new(u64::from(settings.psb_due_days))) else {
        return;
    };
    let days_to_due = (due - site.today()).num_days();
    let severity = if days_to_due < 0 {
        Severity::High
    } else if days_to_due <= i64::from(settings.psb_warn_days) {
        Severity::Medium
    } else {
        return;
    };
    let (state_zh, state_en) = if days_to_due < 0 {
        (
            format!("已逾期 {} 天", -days_to_due),
            format!("{} days overdue", -days_to_due),
        )
    } else {
        (
            format!("还剩 {days_to_due} 天"),
            format!("{days_to_due} days left"),
        )
    };
    drafts.push(
        ids::PSB_MISSING,
        "",
        severity,
        (
            format!(
                "网站“{}”于 {go_live} 上线，尚未登记公安联网备案；应在上线后 {} 日内（{due} 前）办理，{state_zh}。",
                website.name, settings.psb_due_days
            ),
            format!(
                "Site \"{}\" went live on {go_live} and has no PSB filing on record; it is due within {} days of going live (by {due}): {state_en}.",
                website.name, settings.psb_due_days
            ),
        ),
        json!({
            "website": website.name,
            "go_live_on": go_live,
            "due_on": due,
            "days_to_due": days_to_due,
            "due_days": settings.psb_due_days,
        }),
    );
}

/// Why a stored identifier is invalid: issue codes and the validator's messages.
#[derive(Debug, Clone)]
struct Invalid {
    codes: Vec<&'static str>,
    message: String,
}

/// What the memo remembers about one identifier: `None` when it is valid.
type Remembered = Option<Invalid>;

/// Identifiers validated on this thread, by (what it should be, text, today). Validation
/// is pure, so remembering it changes nothing but speed: the same subject and filing
/// numbers come back for every site of a subject and at every scan. Bounded: cleared
/// when full.
const MEMO_CAPACITY: usize = 65_536;

thread_local! {
    static MEMO: RefCell<HashMap<(&'static str, String, NaiveDate), Remembered>> =
        RefCell::new(HashMap::new());
}

fn remembered(
    kind: &'static str,
    text: &str,
    today: NaiveDate,
    check: impl FnOnce() -> Remembered,
) -> Remembered {
    let key = (kind, text.to_owned(), today);
    if let Some(known) = MEMO.with(|memo| memo.borrow().get(&key).cloned()) {
        return known;
    }
    let verdict = check();
    MEMO.with(|memo| {
        let mut memo = memo.borrow_mut();
        if memo.len() >= MEMO_CAPACITY {
            memo.clear();
        }
        memo.insert(key, verdict.clone());
    });
    verdict
}

/// The errors of a validation, both languages in one line as the validator wrote them.
fn invalid(validation: &Validation) -> Invalid {
    let codes = validation.errors().map(|issue| issue.code).collect();
    let message = validation
        .errors()
        .map(|issue| issue.message.as_str())
        .collect::<Vec<_>>()
        .join("；");
    if message.is_empty() {
        return Invalid {
            codes,
            message: "无法识别为有效编号 / not recognised as a valid number".to_owned(),
        };
    }
    Invalid { codes, message }
}

fn check_filing(number: &str, kind: FilingKind, ctx: &ValidationContext) -> Remembered {
    remembered(kind.as_str(), number, ctx.today, || {
        let validation = validate_filing_number(number, ctx);
        if !validation.is_valid() {
            return Some(invalid(&validation));
        }
        let detected = validation.kind.and_then(|kind| kind.filing_kind());
        (detected != Some(kind)).then(|| Invalid {
            codes: vec!["kind_mismatch"],
            message: format!(
                "编号形式是{}，登记的类型却是{} / the number reads as {}, but it is recorded as {}",
                detected.map_or("未知", |kind| kind.label_zh()),
                kind.label_zh(),
                detected.map_or("unknown", |kind| kind.as_str()),
                kind.as_str()
            ),
        })
    })
}

fn check_subject_id(subject: &Subject, ctx: &ValidationContext) -> Remembered {
    remembered(subject.kind.as_str(), &subject.id_number, ctx.today, || {
        let validation = validate_subject_id(&subject.id_number, subject.kind, ctx);
        (!validation.is_valid()).then(|| invalid(&validation))
    })
}

fn identifiers_invalid(site: &SiteView, drafts: &mut Drafts) {
    // Filing numbers and subject IDs never consult the TLD list, so an empty one saves
    // cloning the bundled list for every site.
    let ctx = ValidationContext {
        today: site.today(),
        fileable_tlds: FileableTlds::default(),
    };
    for filing in site.site_filings() {
        let Some(Invalid { codes, message }) = check_filing(&filing.number, filing.kind, &ctx)
        else {
            continue;
        };
        let label = filing.kind.label_zh();
        drafts.push(
            ids::INVENTORY_IDENTIFIER_INVALID,
            filing.number.clone(),
            Severity::Medium,
            (
                format!("登记的{label}编号“{}”无效：{message}", filing.number),
                format!(
                    "The stored {} number \"{}\" is invalid: {message}",
                    filing.kind.as_str(),
                    filing.number
                ),
            ),
            json!({
                "number": filing.number,
                "kind": filing.kind,
                "status": filing.status,
                "issue_codes": codes,
            }),
        );
    }
    let Some(subject) = site.facts.subject.as_ref() else {
        return;
    };
    let Some(Invalid { codes, message }) = check_subject_id(subject, &ctx) else {
        return;
    };
    drafts.push(
        ids::INVENTORY_IDENTIFIER_INVALID,
        subject.id_number.clone(),
        Severity::Medium,
        (
            format!("主体“{}”登记的证件号码无效：{message}", subject.name),
            format!(
                "The ID number stored for subject \"{}\" is invalid: {message}",
                subject.name
            ),
        ),
        json!({
            "subject": subject.name,
            "subject_kind": subject.kind,
            "issue_codes": codes,
        }),
    );
}
