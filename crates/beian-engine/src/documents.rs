//! What the documents show, read out of the store: the inventory snapshot for the
//! cancellation forms and the portfolio, and for one site its observations, findings,
//! cases and audit entries. `beian report` and the dashboard's downloads both build their
//! `beian-report` inputs here, so a PDF from the web is the one the CLI writes.

use std::collections::{BTreeMap, HashSet};

use beian_core::audit::{AuditEntry, ChainVerdict};
use beian_core::case::{Case, CaseKind};
use beian_core::facts::SiteObservation;
use beian_core::finding::Finding;
use beian_core::inventory::InventorySnapshot;
use beian_core::model::{
    Domain, Filing, FilingKind, FilingStatus, PersonRole, RecordId, Subject, Website,
};
use beian_core::rules::RuleCatalogue;
use beian_report::{
    CancellationDocument, CancellationKind, CancelledSite, CaseRecord, Contact, EvidenceReport,
    FindingRow, MonitoringPeriod, ObservationSummary, PortfolioDomain, PortfolioReport,
    PortfolioSite,
};
use beian_store::{
    AuditQuery, CaseQuery, FindingQuery, OrganisationId, Store, StoreError, StoredObservation,
};
use chrono::{DateTime, NaiveDate, Utc};

pub use crate::import::load_inventory;

/// How many scans the evidence report lists one by one (all of them go into a bundle).
const REPORT_OBSERVATIONS: usize = 30;

/// Why a document's input could not be gathered.
#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    #[error(transparent)]
    Store(#[from] StoreError),

    #[error(
        "网站 {home_url} 的主体 #{subject_id} 不存在 / the subject #{subject_id} of {home_url} is missing; \
         修复 / fix: 用 `beian site edit --subject` 修正 / correct it with `beian site edit --subject`"
    )]
    MissingSubject {
        home_url: String,
        subject_id: RecordId,
    },

    #[error(
        "网站 {home_url} 的接入商中没有 «{named}» / «{named}» is not an access provider of {home_url}; \
         修复 / fix: --provider 取其中之一 / use one of: {listed}"
    )]
    UnknownProvider {
        home_url: String,
        named: String,
        listed: String,
    },

    #[error(
        "网站 {home_url} 没有登记接入商 / {home_url} has no access provider recorded; 修复 / fix: \
         先用 `beian site edit --provider 名称` 登记，或加上 --provider / record it with \
         `beian site edit --provider NAME`, or pass --provider"
    )]
    NoProvider { home_url: String },

    #[error(
        "网站 {home_url} 有多个接入商，需指明取消哪一家 / {home_url} has several access providers: \
         name the one to remove; 修复 / fix: 加上 --provider，可选 / add --provider, one of: {listed}"
    )]
    SeveralProviders { home_url: String, listed: String },

    #[error(
        "工单 #{case_id}（{kind}）没有关联网站，无法生成{what_zh} / case #{case_id} ({kind}) has no site, \
         so there is no {what}; 修复 / fix: 用 `beian report --site` 指明网站 / name the site with \
         `beian report --site`"
    )]
    CaseWithoutSite {
        case_id: RecordId,
        kind: &'static str,
        what: &'static str,
        what_zh: &'static str,
    },

    #[error(
        "网站 #{0} 不在清单中 / website #{0} is not in the inventory; 修复 / fix: 用 `beian site list` 查看网站 \
         / list the sites with `beian site list`"
    )]
    UnknownSite(RecordId),
}

/// Which sites a portfolio or a findings sheet covers.
#[derive(Debug, Clone, Copy)]
pub enum Scope<'a> {
    /// Every site (the CLI, which has the whole database).
    All,
    /// One site.
    Site(&'a Website),
    /// The sites of these organisations (a dashboard user's).
    Organisations(&'a [OrganisationId]),
}

/// Rule titles in Chinese, for findings.
pub fn rule_title(rule_id: &str) -> Option<&'static str> {
    RuleCatalogue::bundled()
        .get(rule_id)
        .map(|rule| rule.title_zh.as_str())
}

/// A site's name, or its home URL when it has none.
pub fn site_label(site: &Website) -> String {
    if site.name.trim().is_empty() {
        site.home_url.clone()
    } else {
        site.name.clone()
    }
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

/// The cancellation application's data, filled from the inventory; dated `date`.
pub fn cancellation(
    inventory: &InventorySnapshot,
    request: &CancellationRequest<'_>,
    date: NaiveDate,
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
        date,
        contact,
    }
}

/// The subject a site belongs to.
pub fn subject_of(inventory: &InventorySnapshot, site: &Website) -> Result<Subject, DocumentError> {
    inventory
        .subject(site.subject_id)
        .cloned()
        .ok_or_else(|| DocumentError::MissingSubject {
            home_url: site.home_url.clone(),
            subject_id: site.subject_id,
        })
}

/// The provider an access cancellation removes: the one named, which must serve the site,
/// or the site's only one.
pub fn provider_to_remove(site: &Website, named: Option<&str>) -> Result<String, DocumentError> {
    let providers = &site.access_providers;
    let listed = || {
        if providers.is_empty() {
            "-".to_owned()
        } else {
            providers.join(", ")
        }
    };
    let home_url = site.home_url.clone();
    match named {
        Some(name) if providers.iter().any(|p| p == name) => Ok(name.to_owned()),
        Some(name) => Err(DocumentError::UnknownProvider {
            home_url,
            named: name.to_owned(),
            listed: listed(),
        }),
        None => match providers.as_slice() {
            [only] => Ok(only.clone()),
            [] => Err(DocumentError::NoProvider { home_url }),
            _ => Err(DocumentError::SeveralProviders {
                home_url,
                listed: listed(),
            }),
        },
    }
}

/// The cancellation application a case files: a website's, its subject's, or an access
/// provider's (the site's only one), as `beian report --kind cancellation-…` would fill
/// it for the case's site. Cases that do not cancel anything get the website form.
pub async fn case_cancellation(
    store: &impl Store,
    case: &Case,
    date: NaiveDate,
) -> Result<CancellationDocument, DocumentError> {
    let inventory = load_inventory(store).await?;
    let site_id = case.site_id.ok_or(DocumentError::CaseWithoutSite {
        case_id: case.id,
        kind: case.kind.as_str(),
        what: "cancellation application",
        what_zh: "注销申请",
    })?;
    let site = inventory
        .website(site_id)
        .cloned()
        .ok_or(DocumentError::UnknownSite(site_id))?;
    let subject = subject_of(&inventory, &site)?;
    let (kind, provider) = match case.kind {
        CaseKind::IcpCancelSubject => (CancellationKind::Subject, None),
        CaseKind::IcpCancelAccess => (
            CancellationKind::Access,
            Some(provider_to_remove(&site, None)?),
        ),
        _ => (CancellationKind::Website, None),
    };
    let request = CancellationRequest {
        kind,
        subject: &subject,
        site: (kind != CancellationKind::Subject).then_some(&site),
        provider,
        reason: None,
    };
    Ok(cancellation(&inventory, &request, date))
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
    pub chain: ChainVerdict,
}

pub async fn site_evidence(
    store: &impl Store,
    website: Website,
) -> Result<SiteEvidence, DocumentError> {
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

/// The findings of `scope` (resolved ones too when asked), most severe first.
async fn scoped_findings(
    store: &impl Store,
    scope: Scope<'_>,
    include_resolved: bool,
) -> Result<Vec<Finding>, StoreError> {
    let query = FindingQuery {
        site_id: match scope {
            Scope::Site(site) => Some(site.id),
            Scope::All | Scope::Organisations(_) => None,
        },
        include_resolved,
        limit: 0,
        ..FindingQuery::default()
    };
    Ok(match scope {
        Scope::Organisations(organisations) => {
            store.list_findings_in(organisations, &query).await?.items
        }
        Scope::All | Scope::Site(_) => store.list_findings(&query).await?.items,
    })
}

/// Findings as rows, with site names from the inventory.
fn rows(inventory: &InventorySnapshot, findings: &[Finding]) -> Vec<FindingRow> {
    findings
        .iter()
        .map(|f| {
            let site = inventory
                .website(f.site_id)
                .map_or_else(|| format!("#{}", f.site_id), site_label);
            FindingRow::new(f, site, rule_title(&f.rule_id))
        })
        .collect()
}

/// The findings sheet's rows for `scope`.
pub async fn finding_rows(
    store: &impl Store,
    scope: Scope<'_>,
    include_resolved: bool,
) -> Result<Vec<FindingRow>, DocumentError> {
    let inventory = load_inventory(store).await?;
    let findings = scoped_findings(store, scope, include_resolved).await?;
    Ok(rows(&inventory, &findings))
}

/// The portfolio of `scope`: its sites, their domains and the unresolved findings.
pub async fn portfolio(
    store: &impl Store,
    today: NaiveDate,
    scope: Scope<'_>,
) -> Result<PortfolioReport, DocumentError> {
    let inventory = load_inventory(store).await?;
    let visible: Option<HashSet<RecordId>> = match scope {
        Scope::All => None,
        Scope::Site(site) => Some(HashSet::from([site.id])),
        Scope::Organisations(organisations) => {
            let ids: Vec<RecordId> = inventory.websites.iter().map(|w| w.id).collect();
            let owners = store.site_organisations(&ids).await?;
            Some(
                owners
                    .into_iter()
                    .filter(|(_, organisation)| organisations.contains(organisation))
                    .map(|(site, _)| site)
                    .collect(),
            )
        }
    };
    let shown = |id: RecordId| visible.as_ref().is_none_or(|set| set.contains(&id));
    let findings = scoped_findings(store, scope, false).await?;
    let sites: Vec<&Website> = inventory.websites.iter().filter(|w| shown(w.id)).collect();
    Ok(PortfolioReport {
        title: match scope {
            Scope::Site(site) => format!("备案资产报告 · {}", site_label(site)),
            Scope::All | Scope::Organisations(_) => {
                "备案资产报告 / Beian portfolio report".to_owned()
            }
        },
        generated_at: Utc::now(),
        today,
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
            .filter(|d| {
                d.website_id.is_some_and(shown) || (visible.is_none() && d.website_id.is_none())
            })
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
        findings: rows(&inventory, &findings),
    })
}
