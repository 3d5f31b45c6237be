//! Cases that findings open by themselves: a filing that outlives its domain or its site must
//! be cancelled, so `domain.lapsed_filing_active` and `site.closed_filings_active` open an
//! ICP website cancellation — once per finding, and never beside an unfinished case of the
//! same kind for the site.
//!
//! Every unresolved finding is considered, not only the ones this judgement opened: a scan
//! killed between recording a site and opening its case opens the case on the rerun.

use beian_core::calendar::HolidayCalendar;
use beian_core::case::{CaseContext, CaseKind, auto_case_kind, draft_case};
use beian_core::finding::Finding;
use beian_core::model::{FilingKind, FilingStatus, RecordId, Website};
use beian_store::{JudgementOutcome, Store, StoreError};
use chrono::Utc;
use serde::Serialize;

use crate::portfolio::Portfolio;

/// A case a scan opened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OpenedCase {
    pub case_id: RecordId,
    pub kind: CaseKind,
    pub finding_id: RecordId,
    pub rule_id: String,
    pub title: String,
}

/// Opens the cases the site's unresolved findings call for.
pub async fn open_auto_cases(
    store: &impl Store,
    actor: &str,
    site: &Website,
    portfolio: &Portfolio,
    outcome: &JudgementOutcome,
) -> Result<Vec<OpenedCase>, StoreError> {
    let mut unresolved: Vec<&Finding> = outcome.opened.iter().chain(&outcome.still_open).collect();
    unresolved.sort_by_key(|finding| finding.id);
    let mut opened = Vec::new();
    for finding in unresolved {
        let Some(kind) = auto_case_kind(&finding.rule_id) else {
            continue;
        };
        if store.find_open_case(kind, site.id).await?.is_some() {
            continue;
        }
        let draft = draft_case(
            kind,
            &context(site, portfolio, finding.id),
            Utc::now(),
            HolidayCalendar::bundled(),
        );
        match store.open_case(actor, &draft).await {
            Ok(case) => opened.push(OpenedCase {
                case_id: case.id,
                kind,
                finding_id: finding.id,
                rule_id: finding.rule_id.clone(),
                title: case.title,
            }),
            // The finding opened its case before (perhaps since closed): once is enough.
            Err(StoreError::CaseAlreadyOpen { .. }) => {}
            Err(error) => return Err(error),
        }
    }
    Ok(opened)
}

/// What the case is about: the site, its subject, its live ICP website filing and its first
/// access provider's console.
fn context(site: &Website, portfolio: &Portfolio, finding_id: RecordId) -> CaseContext {
    let filings = portfolio.filings(site.id);
    let filing = filings
        .iter()
        .filter(|f| f.website_id == Some(site.id) && f.kind == FilingKind::IcpWebsite)
        .find(|f| f.status != FilingStatus::Cancelled);
    let provider = site
        .access_providers
        .first()
        .and_then(|name| portfolio.access_provider(name));
    let mut context = match portfolio.subject(site.subject_id) {
        Some(subject) => CaseContext::from_records(subject, Some(site), filing, provider),
        None => CaseContext {
            site_id: Some(site.id),
            site_name: Some(site.name.clone()),
            filing_id: filing.map(|f| f.id),
            filing_number: filing.map(|f| f.number.clone()),
            ..CaseContext::new(beian_core::model::SubjectKind::Company)
        },
    };
    context.finding_id = Some(finding_id);
    context
}
