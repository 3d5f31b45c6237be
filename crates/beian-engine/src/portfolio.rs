//! The inventory a scan judges, read once at the start: subjects, websites, their domains and
//! filings, indexed by website so each site's facts are a lookup, not a query.

use std::collections::HashMap;

use beian_core::facts::{SiteFacts, SiteObservation};
use beian_core::model::{
    AccessProvider, Domain, Filing, FilingKind, FilingStatus, Record, RecordId, RecordKind,
    Subject, Website,
};
use beian_store::{ListQuery, SiteRecords, Store, StoreError};
use chrono::NaiveDate;

/// The inventory, indexed for the scan.
#[derive(Debug, Clone, Default)]
pub struct Portfolio {
    subjects: HashMap<RecordId, Subject>,
    /// Every website, by id order.
    websites: Vec<Website>,
    domains: HashMap<RecordId, Vec<Domain>>,
    filings: HashMap<RecordId, Filing>,
    /// Filing ids per website (the site's own filings, not their parents).
    site_filings: HashMap<RecordId, Vec<RecordId>>,
    /// Access providers by name (their consoles go into cases).
    providers: HashMap<String, AccessProvider>,
}

impl Portfolio {
    /// Reads every subject, website, domain and filing.
    pub async fn load(store: &impl Store) -> Result<Portfolio, StoreError> {
        let all = |kind| ListQuery {
            limit: 0,
            ..ListQuery::of(kind)
        };
        let mut records = SiteRecords::default();
        for record in store.list(&all(RecordKind::Subject)).await?.items {
            if let Record::Subject(subject) = record {
                records.subjects.push(subject);
            }
        }
        for record in store.list(&all(RecordKind::Website)).await?.items {
            if let Record::Website(site) = record {
                records.websites.push(site);
            }
        }
        for record in store.list(&all(RecordKind::Domain)).await?.items {
            if let Record::Domain(domain) = record {
                records.domains.push(domain);
            }
        }
        for record in store.list(&all(RecordKind::Filing)).await?.items {
            if let Record::Filing(filing) = record {
                records.filings.push(filing);
            }
        }
        for record in store.list(&all(RecordKind::AccessProvider)).await?.items {
            if let Record::AccessProvider(provider) = record {
                records.access_providers.push(provider);
            }
        }
        Ok(Portfolio::of(records))
    }

    /// Reads these sites with their subjects, domains and filings only: what a scheduler
    /// batch needs, whatever the size of the inventory.
    pub async fn load_sites(
        store: &impl Store,
        site_ids: &[RecordId],
    ) -> Result<Portfolio, StoreError> {
        Ok(Portfolio::of(store.site_records(site_ids).await?))
    }

    /// Indexes records read from the store.
    pub fn of(records: SiteRecords) -> Portfolio {
        let mut portfolio = Portfolio::default();
        for subject in records.subjects {
            portfolio.subjects.insert(subject.id, subject);
        }
        portfolio.websites = records.websites;
        portfolio.websites.sort_by_key(|site| site.id);
        for domain in records.domains {
            if let Some(site) = domain.website_id {
                portfolio.domains.entry(site).or_default().push(domain);
            }
        }
        for filing in records.filings {
            if let Some(site) = filing.website_id {
                portfolio
                    .site_filings
                    .entry(site)
                    .or_default()
                    .push(filing.id);
            }
            portfolio.filings.insert(filing.id, filing);
        }
        for provider in records.access_providers {
            portfolio.providers.insert(provider.name.clone(), provider);
        }
        for domains in portfolio.domains.values_mut() {
            domains.sort_by_key(|domain| domain.id);
        }
        for ids in portfolio.site_filings.values_mut() {
            ids.sort_unstable();
        }
        portfolio
    }

    /// Every website, by id.
    pub fn websites(&self) -> &[Website] {
        &self.websites
    }

    pub fn website(&self, id: RecordId) -> Option<&Website> {
        self.websites
            .binary_search_by_key(&id, |site| site.id)
            .ok()
            .and_then(|index| self.websites.get(index))
    }

    pub fn subject(&self, id: RecordId) -> Option<&Subject> {
        self.subjects.get(&id)
    }

    pub fn access_provider(&self, name: &str) -> Option<&AccessProvider> {
        self.providers.get(name)
    }

    /// Domains whose `website_id` is the site.
    pub fn domains(&self, site: RecordId) -> &[Domain] {
        self.domains.get(&site).map_or(&[], Vec::as_slice)
    }

    /// The site's filings and the subject filings they hang under, by id.
    pub fn filings(&self, site: RecordId) -> Vec<Filing> {
        let own: Vec<&Filing> = self
            .site_filings
            .get(&site)
            .into_iter()
            .flatten()
            .filter_map(|id| self.filings.get(id))
            .collect();
        let mut out: Vec<Filing> = own.iter().map(|filing| (*filing).clone()).collect();
        for filing in &own {
            if let Some(parent) = filing.parent_id.and_then(|id| self.filings.get(&id))
                && !out.iter().any(|kept| kept.id == parent.id)
            {
                out.push(parent.clone());
            }
        }
        out.sort_by_key(|filing| filing.id);
        out
    }

    /// The numbers the site's footer must show: its ICP website number and its PSB number,
    /// active before pending, cancelled never.
    pub fn expected_footer(&self, site: RecordId) -> (Option<String>, Option<String>) {
        let filings = self.filings(site);
        let pick = |kinds: &[FilingKind]| {
            let live = |status: FilingStatus| {
                filings
                    .iter()
                    .filter(|f| f.website_id == Some(site) && kinds.contains(&f.kind))
                    .find(|f| f.status == status)
                    .map(|f| f.number.clone())
            };
            live(FilingStatus::Active).or_else(|| live(FilingStatus::Pending))
        };
        (
            pick(&[FilingKind::IcpWebsite, FilingKind::IcpLicence]),
            pick(&[FilingKind::Psb]),
        )
    }

    /// The facts the rules judge for one site.
    pub fn facts(
        &self,
        site: &Website,
        today: NaiveDate,
        current: Option<SiteObservation>,
        previous: Option<SiteObservation>,
    ) -> SiteFacts {
        SiteFacts {
            today,
            subject: self.subject(site.subject_id).cloned(),
            website: site.clone(),
            domains: self.domains(site.id).to_vec(),
            filings: self.filings(site.id),
            current,
            previous,
        }
    }
}
