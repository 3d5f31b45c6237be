//! Opening a case: what the inventory knows about its subject, site and filing, turned
//! into a titled draft with its checklist and first deadlines; and which findings open
//! a case by themselves.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::deadlines::{DeadlineSettings, deadlines_for};
use super::materials::checklist_for;
use super::{CaseDraft, CaseKind, CaseState};
use crate::calendar::HolidayCalendar;
use crate::model::{AccessProvider, Filing, RecordId, Subject, SubjectKind, Website};

/// What a new case is about, as far as the inventory knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseContext {
    pub subject_kind: SubjectKind,
    pub subject_id: Option<RecordId>,
    pub subject_name: Option<String>,
    pub site_id: Option<RecordId>,
    pub site_name: Option<String>,
    /// The site's host, e.g. `example.com`, shown in the title.
    pub site_host: Option<String>,
    pub filing_id: Option<RecordId>,
    pub filing_number: Option<String>,
    pub go_live_on: Option<NaiveDate>,
    /// The access provider's filing console (`AccessProvider.console_url`).
    pub provider_console: Option<String>,
    /// The finding that opens the case, when a rule does.
    pub finding_id: Option<RecordId>,
}

impl CaseContext {
    /// A context that knows only the subject type.
    pub fn new(subject_kind: SubjectKind) -> CaseContext {
        CaseContext {
            subject_kind,
            subject_id: None,
            subject_name: None,
            site_id: None,
            site_name: None,
            site_host: None,
            filing_id: None,
            filing_number: None,
            go_live_on: None,
            provider_console: None,
            finding_id: None,
        }
    }

    /// The context of inventory records: the subject, optionally one of its sites, one
    /// filing and the site's access provider.
    pub fn from_records(
        subject: &Subject,
        site: Option<&Website>,
        filing: Option<&Filing>,
        provider: Option<&AccessProvider>,
    ) -> CaseContext {
        CaseContext {
            subject_id: Some(subject.id),
            subject_name: Some(subject.name.clone()),
            site_id: site.map(|site| site.id),
            site_name: site.map(|site| site.name.clone()),
            site_host: site.and_then(|site| host_of(&site.home_url)),
            filing_id: filing.map(|filing| filing.id),
            filing_number: filing.map(|filing| filing.number.clone()),
            go_live_on: site.and_then(|site| site.go_live_on),
            provider_console: provider
                .map(|provider| provider.console_url.trim().to_owned())
                .filter(|url| !url.is_empty()),
            ..CaseContext::new(subject.kind)
        }
    }
}

/// The host of a home URL, in its Unicode form when it is an IDN (as people read it).
fn host_of(home_url: &str) -> Option<String> {
    let url = url::Url::parse(home_url).ok()?;
    let host = url.host_str()?;
    let (unicode, outcome) = idna::domain_to_unicode(host);
    Some(if outcome.is_ok() {
        unicode
    } else {
        host.to_owned()
    })
}

/// The case title: the operation, then what it acts on, e.g.
/// "注销网站备案：京ICP备12345678号-1（example.com）".
pub fn case_title(kind: CaseKind, context: &CaseContext) -> String {
    let clean = |text: &Option<String>| {
        text.as_deref()
            .map(str::trim)
            .filter(|text| !text.is_empty())
            .map(str::to_owned)
    };
    let host = clean(&context.site_host);
    let object = clean(&context.filing_number)
        .or_else(|| clean(&context.site_name))
        .or_else(|| clean(&context.subject_name));
    match (object, host) {
        (Some(object), Some(host)) if object != host => {
            format!("{}：{object}（{host}）", kind.label_zh())
        }
        (Some(object), _) => format!("{}：{object}", kind.label_zh()),
        (None, Some(host)) => format!("{}：{host}", kind.label_zh()),
        (None, None) => kind.label_zh().to_owned(),
    }
}

/// A case ready to open: title, the materials for the subject type, and the deadlines
/// of a fresh draft (a new PSB filing is due 30 days after go-live).
pub fn draft_case(
    kind: CaseKind,
    context: &CaseContext,
    now: DateTime<Utc>,
    calendar: &HolidayCalendar,
) -> CaseDraft {
    // Only the PSB filing counts from go-live; other kinds have no date of their own yet.
    let reference_date = if kind == CaseKind::PsbNew {
        context.go_live_on
    } else {
        None
    };
    CaseDraft {
        kind,
        subject_id: context.subject_id,
        site_id: context.site_id,
        filing_id: context.filing_id,
        finding_id: context.finding_id,
        title: case_title(kind, context),
        checklist: checklist_for(kind, context.subject_kind),
        deadlines: deadlines_for(
            kind,
            CaseState::Draft,
            now,
            reference_date,
            calendar,
            &DeadlineSettings::default(),
        ),
        reference_date,
    }
}

/// The case a finding of `rule_id` opens by itself: a filing that outlives its domain or
/// its site must be cancelled (FACTS §2.4 "Why the guard matters").
pub fn auto_case_kind(rule_id: &str) -> Option<CaseKind> {
    match rule_id {
        "domain.lapsed_filing_active" | "site.closed_filings_active" => {
            Some(CaseKind::IcpCancelWebsite)
        }
        _ => None,
    }
}
