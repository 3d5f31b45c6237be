//! Reading what a document shows out of the store: the inventory snapshot for the forms and
//! the portfolio, and for one site its observations, findings, cases and audit entries.

use std::collections::BTreeMap;

use beian_core::audit::AuditEntry;
use beian_core::facts::SiteObservation;
use beian_core::finding::Finding;
use beian_core::inventory::InventorySnapshot;
use beian_core::model::{
    Domain, Filing, FilingKind, FilingStatus, PersonRole, Record, RecordId, RecordKind, Subject,
    Website,
};
use beian_core::rules::RuleCatalogue;
use beian_report::{
    CancellationDocument, CancellationKind, CancelledSite, CaseRecord, Contact, EvidenceReport,
    FindingRow, MonitoringPeriod, ObservationSummary, PortfolioDomain, PortfolioReport,
    PortfolioSite,
};
use beian_store::{AnyStore, AuditQuery, CaseQuery, FindingQuery, Store, StoredObservation};
use chrono::{DateTime, Utc};

use crate::commands::inventory::Inventory;
use crate::config::Settings;
use crate::error::UserError;
use crate::import::load_inventory;

/// How many scans the evidence report lists one by one (all of them go into a bundle).
const REPORT_OBSERVATIONS: usize = 30;

/// The site a `--site` names.
pub async fn resolve_site(
    store: &AnyStore,
    settings: &Settings,
    site: &str,
) -> anyhow::Result<Website> {
    match (Inventory { store, settings })
        .resolve(RecordKind::Website, site)
        .await?
    {
        Record::Website(website) => Ok(website),
        other => Err(wrong_kind(&other, site)),
    }
}

/// The subject a `--subject` names.
pub async fn resolve_subject(
    store: &AnyStore,
    settings: &Settings,
    subject: &str,
) -> anyhow::Result<Subject> {
    match (Inventory { store, settings })
        .resolve(RecordKind::Subject, subject)
        .await?
    {
        Record::Subject(subject) => Ok(subject),
        other => Err(wrong_kind(&other, subject)),
    }
}

/// `resolve` returns the kind it was asked for; this only guards the match.
fn wrong_kind(record: &Record, text: &str) -> anyhow::Error {
    UserError::input(format!(
        "«{text}» 是{}而不是所需的记录 / «{text}» names a {}, not the record needed",
        record.kind().label_zh(),
        record.kind().as_str()
    ))
    .into()
}

/// Rule titles in Chinese, for findings.
pub fn rule_title(rule_id: &str) -> Option<&'static str> {
    RuleCatalogue::bundled()
        .get(rule_id)
        .map(|rule| rule.title_zh.as_str())
}

/// What the cancellation documents are filled from.
pub struct CancellationRequest<'a> {
    pub kind: CancellationKind,
    pub subject: &'a Subject,
    /// The site for website and access cancellations; `None` for a subject.
    pub site: Option<&'a Website>,
    pub provider: Option<String>,
    pub reason: Option<String>,
}

pub fn cancellation(
    inventory: &InventorySnapshot,
    request: &CancellationRequest<'_>,
    settings: &Settings,
) -> CancellationDocument {
    let subject = request.subject;
    let sites: Vec<&Website> = match request.site {
        Some(site) => vec![site],
        // Every site still holding an ICP filing goes with the subject.
        None => inventory
            .websites
            .iter()
            .filter(|site| site.subject_id == subject.id)
            .filter(|site| {
                inventory
                    .icp_filing_of(site.id)
                    .is_some_and(|f| f.status != FilingStatus::Cancelled)
            })
            .collect(),
    };
    let subject_filing = inventory
        .filings
        .iter()
        .filter(|f| f.subject_id == subject.id && f.kind == FilingKind::IcpSubject)
        .min_by_key(|f| (f.status == FilingStatus::Cancelled, f.id))
        .map(|f| f.number.clone());
    let contact = sites
        .iter()
        .find_map(|site| inventory.contact_of(site.id))
        .or_else(|| {
            inventory
                .persons
                .iter()
                .find(|p| p.subject_id == subject.id && p.role == PersonRole::Principal)
        })
        .map(|person| Contact {
            name: person.name.clone(),
            phone: person.phone.clone(),
            email: person.email.clone(),
        });
    let provider = request.provider.clone().or_else(|| {
        sites
            .iter()
            .find_map(|site| site.access_providers.first().cloned())
    });
    let reason = request.reason.clone().unwrap_or_else(|| {
        match request.kind {
            CancellationKind::Subject => "主体不再开办网站",
            CancellationKind::Website => "网站已停止服务，不再使用该备案",
            CancellationKind::Access => "网站不再使用该接入商的服务",
        }
        .to_owned()
    });
    CancellationDocument {
        kind: request.kind,
        subject_name: subject.name.clone(),
        subject_kind: subject.kind,
        subject_id_number: subject.id_number.clone(),
        principal: subject.principal.clone(),
        province_code: subject.province.clone(),
        subject_filing,
        sites: sites
            .iter()
            .map(|site| CancelledSite {
                name: site.name.clone(),
                home_url: site.home_url.clone(),
                filing_number: inventory.icp_filing_of(site.id).map(|f| f.number.clone()),
                psb_number: inventory.psb_filing_of(site.id).map(|f| f.number.clone()),
                domains: inventory
                    .domains_of(site.id)
                    .map(|d| d.unicode_name.clone())
                    .collect(),
                providers: site.access_providers.clone(),
            })
            .collect(),
        provider,
        reason,
        date: settings.today(),
        contact,
    }
}

/// Everything stored about one site, for the evidence report and the bundle.
pub struct SiteEvidence {
    pub subject: Option<Subject>,
    pub website: Website,
    pub domains: Vec<Domain>,
    /// The site's filings and the subject filings they hang under.
    pub filings: Vec<Filing>,
    /// Newest first, every one stored.
    pub observations: Vec<StoredObservation>,
    pub findings: Vec<Finding>,
    pub cases: Vec<CaseRecord>,
    pub audit: Vec<AuditEntry>,
    pub chain: beian_core::audit::ChainVerdict,
}

pub async fn site_evidence(store: &AnyStore, website: Website) -> anyhow::Result<SiteEvidence> {
    let inventory = load_inventory(store).await?;
    let subject = inventory.subject(website.subject_id).cloned();
    let domains: Vec<Domain> = inventory.domains_of(website.id).cloned().collect();
    let mut filings: Vec<Filing> = inventory.filings_of(website.id).cloned().collect();
    let parents: Vec<Filing> = filings
        .iter()
        .filter_map(|f| f.parent_id)
        .filter_map(|id| inventory.filing(id).cloned())
        .collect();
    for parent in parents {
        if !filings.iter().any(|f| f.id == parent.id) {
            filings.push(parent);
        }
    }
    filings.sort_by_key(|f| f.id);
    let persons: Vec<RecordId> = inventory
        .persons
        .iter()
        .filter(|p| p.website_id == Some(website.id))
        .map(|p| p.id)
        .collect();

    let observations = store.latest_observations(website.id, 0).await?;
    let findings = store
        .list_findings(&FindingQuery {
            site_id: Some(website.id),
            include_resolved: true,
            limit: 0,
            ..FindingQuery::default()
        })
        .await?
        .items;
    let mut cases = Vec::new();
    for case in store
        .list_cases(&CaseQuery {
            site_id: Some(website.id),
            include_terminal: true,
            ..CaseQuery::default()
        })
        .await?
    {
        let events = store.case_events(case.id).await?;
        cases.push(CaseRecord { case, events });
    }

    // Every entry about the site or a record hanging off it, in chain order.
    let mut targets: Vec<(&str, i64)> = vec![("website", website.id)];
    targets.extend(subject.iter().map(|s| ("subject", s.id)));
    targets.extend(domains.iter().map(|d| ("domain", d.id)));
    targets.extend(filings.iter().map(|f| ("filing", f.id)));
    targets.extend(persons.iter().map(|id| ("person", *id)));
    targets.extend(findings.iter().map(|f| ("finding", f.id)));
    targets.extend(cases.iter().map(|c| ("case", c.case.id)));
    let mut scans: Vec<i64> = observations.iter().map(|o| o.scan_id).collect();
    scans.sort_unstable();
    scans.dedup();
    targets.extend(scans.iter().map(|id| ("scan", *id)));
    let mut audit: BTreeMap<i64, AuditEntry> = BTreeMap::new();
    for (entity, id) in targets {
        let query = AuditQuery {
            entity: Some(entity.to_owned()),
            entity_id: Some(id),
            limit: 0,
            ..AuditQuery::default()
        };
        for entry in store.audit_entries(&query).await? {
            audit.insert(entry.seq, entry);
        }
    }
    let chain = store.verify_audit_chain().await?;
    Ok(SiteEvidence {
        subject,
        website,
        domains,
        filings,
        observations,
        findings,
        cases,
        audit: audit.into_values().collect(),
        chain,
    })
}

impl SiteEvidence {
    /// The report's view: every scan counts for the period, the newest are listed.
    pub fn report(&self, generated_at: DateTime<Utc>) -> EvidenceReport {
        let site_label = site_label(&self.website);
        EvidenceReport {
            generated_at,
            subject: self.subject.clone(),
            website: self.website.clone(),
            filings: self.filings.clone(),
            domains: self.domains.clone(),
            period: MonitoringPeriod::spanning(self.observations.iter().map(|o| o.observed_at)),
            observations: self
                .observations
                .iter()
                .take(REPORT_OBSERVATIONS)
                .map(summarise)
                .collect(),
            findings: self
                .findings
                .iter()
                .map(|f| FindingRow::new(f, site_label.clone(), rule_title(&f.rule_id)))
                .collect(),
            cases: self.cases.clone(),
            audit: self.audit.clone(),
            chain: Some(self.chain.clone()),
        }
    }
}

/// A stored observation as lines; one the engine wrote in a shape we cannot read is shown
/// as such rather than failing the report.
fn summarise(stored: &StoredObservation) -> ObservationSummary {
    match serde_json::from_str::<SiteObservation>(&stored.body) {
        Ok(observation) => ObservationSummary::from_observation(&observation),
        Err(error) => ObservationSummary {
            observed_at: stored.observed_at,
            lines: vec![format!(
                "扫描 #{} 的观测记录无法解析（{error}）/ the observation of scan #{} is unreadable",
                stored.scan_id, stored.scan_id
            )],
        },
    }
}

pub fn site_label(site: &Website) -> String {
    if site.name.trim().is_empty() {
        site.home_url.clone()
    } else {
        site.name.clone()
    }
}

/// Findings as rows, with site names from the inventory.
pub async fn finding_rows(
    store: &AnyStore,
    inventory: &InventorySnapshot,
    site_id: Option<RecordId>,
    include_resolved: bool,
) -> anyhow::Result<Vec<FindingRow>> {
    let findings = store
        .list_findings(&FindingQuery {
            site_id,
            include_resolved,
            limit: 0,
            ..FindingQuery::default()
        })
        .await?
        .items;
    Ok(findings
        .iter()
        .map(|f| {
            let site = inventory
                .website(f.site_id)
                .map_or_else(|| format!("#{}", f.site_id), site_label);
            FindingRow::new(f, site, rule_title(&f.rule_id))
        })
        .collect())
}

/// The portfolio: every site (or one), its domains and its unresolved findings.
pub async fn portfolio(
    store: &AnyStore,
    settings: &Settings,
    site: Option<&Website>,
) -> anyhow::Result<PortfolioReport> {
    let inventory = load_inventory(store).await?;
    let sites: Vec<&Website> = inventory
        .websites
        .iter()
        .filter(|w| site.is_none_or(|s| s.id == w.id))
        .collect();
    let findings = finding_rows(store, &inventory, site.map(|s| s.id), false).await?;
    Ok(PortfolioReport {
        title: match site {
            Some(site) => format!("备案资产报告 · {}", site_label(site)),
            None => "备案资产报告 / Beian portfolio report".to_owned(),
        },
        generated_at: Utc::now(),
        today: settings.today(),
        sites: sites
            .iter()
            .map(|w| PortfolioSite {
                name: site_label(w),
                home_url: w.home_url.clone(),
                subject: inventory
                    .subject(w.subject_id)
                    .map(|s| s.name.clone())
                    .unwrap_or_default(),
                status: w.status.label_zh().to_owned(),
                filings: inventory
                    .filings_of(w.id)
                    .map(|f| format!("{}（{}）", f.number, f.status.label_zh()))
                    .collect(),
            })
            .collect(),
        domains: inventory
            .domains
            .iter()
            .filter(|d| site.is_none_or(|s| d.website_id == Some(s.id)))
            .map(|d| PortfolioDomain {
                name: d.unicode_name.clone(),
                site: d
                    .website_id
                    .and_then(|id| inventory.website(id))
                    .map(site_label)
                    .unwrap_or_default(),
                expires_on: d.expires_on,
            })
            .collect(),
        findings,
    })
}

/// The provider an access cancellation removes: the one named, which must serve the site,
/// or the site's only one.
pub fn provider_to_remove(site: &Website, named: Option<&str>) -> anyhow::Result<String> {
    let providers = &site.access_providers;
    let listed = || {
        if providers.is_empty() {
            "-".to_owned()
        } else {
            providers.join(", ")
        }
    };
    match named {
        Some(name) if providers.iter().any(|p| p == name) => Ok(name.to_owned()),
        Some(name) => Err(UserError::input(format!(
            "网站 {} 的接入商中没有 «{name}» / «{name}» is not an access provider of {}",
            site.home_url, site.home_url
        ))
        .with_fix(format!("--provider 取其中之一 / use one of: {}", listed()))
        .into()),
        None if providers.len() == 1 => Ok(providers[0].clone()),
        None if providers.is_empty() => Err(UserError::input(format!(
            "网站 {} 没有登记接入商 / {} has no access provider recorded",
            site.home_url, site.home_url
        ))
        .with_fix("先用 `beian site edit --provider 名称` 登记，或加上 --provider / record it with `beian site edit --provider NAME`, or pass --provider")
        .into()),
        None => Err(UserError::input(format!(
            "网站 {} 有多个接入商，需指明取消哪一家 / {} has several access providers: name the one to remove",
            site.home_url, site.home_url
        ))
        .with_fix(format!("加上 --provider，可选 / add --provider, one of: {}", listed()))
        .into()),
    }
}
