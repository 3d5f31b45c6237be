//! An in-memory copy of the stored inventory, indexed by natural key and by relation:
//! what an import is planned against and what an export is written from.

use std::collections::HashMap;

use crate::model::{
    AccessProvider, Domain, Filing, FilingKind, FilingStatus, Person, PersonRole, Record, RecordId,
    Subject, Website,
};

/// All stored records with the indexes the importer and exporter need.
#[derive(Debug, Clone, Default)]
pub struct InventorySnapshot {
    pub subjects: Vec<Subject>,
    pub websites: Vec<Website>,
    pub domains: Vec<Domain>,
    pub filings: Vec<Filing>,
    pub persons: Vec<Person>,
    pub providers: Vec<AccessProvider>,
    subject_by_id_number: HashMap<String, usize>,
    subject_by_id: HashMap<RecordId, usize>,
    website_by_url: HashMap<String, usize>,
    website_by_id: HashMap<RecordId, usize>,
    domain_by_name: HashMap<String, usize>,
    domains_by_website: HashMap<RecordId, Vec<usize>>,
    filing_by_number: HashMap<String, usize>,
    filing_by_id: HashMap<RecordId, usize>,
    filings_by_website: HashMap<RecordId, Vec<usize>>,
    contact_by_website: HashMap<RecordId, usize>,
    provider_by_name: HashMap<String, usize>,
}

/// What [`super::plan_import`] checks rows against: the stored records by natural key.
pub type ExistingKeys = InventorySnapshot;

impl InventorySnapshot {
    pub fn new(records: impl IntoIterator<Item = Record>) -> InventorySnapshot {
        let mut snapshot = InventorySnapshot::default();
        for record in records {
            match record {
                Record::Subject(r) => snapshot.subjects.push(r),
                Record::Website(r) => snapshot.websites.push(r),
                Record::Domain(r) => snapshot.domains.push(r),
                Record::Filing(r) => snapshot.filings.push(r),
                Record::Person(r) => snapshot.persons.push(r),
                Record::AccessProvider(r) => snapshot.providers.push(r),
            }
        }
        snapshot.subjects.sort_by_key(|r| r.id);
        snapshot.websites.sort_by_key(|r| r.id);
        snapshot.domains.sort_by_key(|r| r.id);
        snapshot.filings.sort_by_key(|r| r.id);
        snapshot.persons.sort_by_key(|r| r.id);
        snapshot.providers.sort_by_key(|r| r.id);
        snapshot.index();
        snapshot
    }

    fn index(&mut self) {
        for (i, r) in self.subjects.iter().enumerate() {
            self.subject_by_id_number.insert(r.id_number.clone(), i);
            self.subject_by_id.insert(r.id, i);
        }
        for (i, r) in self.websites.iter().enumerate() {
            self.website_by_url.insert(r.home_url.clone(), i);
            self.website_by_id.insert(r.id, i);
        }
        for (i, r) in self.domains.iter().enumerate() {
            self.domain_by_name.insert(r.name.clone(), i);
            if let Some(site) = r.website_id {
                self.domains_by_website.entry(site).or_default().push(i);
            }
        }
        for (i, r) in self.filings.iter().enumerate() {
            self.filing_by_number.insert(r.number.clone(), i);
            self.filing_by_id.insert(r.id, i);
            if let Some(site) = r.website_id {
                self.filings_by_website.entry(site).or_default().push(i);
            }
        }
        for (i, r) in self.persons.iter().enumerate() {
            if r.role == PersonRole::Website
                && let Some(site) = r.website_id
            {
                // The first (oldest) website contact is the one the sheet shows.
                self.contact_by_website.entry(site).or_insert(i);
            }
        }
        for (i, r) in self.providers.iter().enumerate() {
            self.provider_by_name.insert(r.name.clone(), i);
        }
    }

    pub fn subject_by_id_number(&self, id_number: &str) -> Option<&Subject> {
        self.subject_by_id_number
            .get(id_number)
            .map(|&i| &self.subjects[i])
    }

    pub fn subject(&self, id: RecordId) -> Option<&Subject> {
        self.subject_by_id.get(&id).map(|&i| &self.subjects[i])
    }

    pub fn website_by_url(&self, home_url: &str) -> Option<&Website> {
        self.website_by_url
            .get(home_url)
            .map(|&i| &self.websites[i])
    }

    pub fn website(&self, id: RecordId) -> Option<&Website> {
        self.website_by_id.get(&id).map(|&i| &self.websites[i])
    }

    pub fn domain_by_name(&self, name: &str) -> Option<&Domain> {
        self.domain_by_name.get(name).map(|&i| &self.domains[i])
    }

    pub fn domains_of(&self, website: RecordId) -> impl Iterator<Item = &Domain> {
        self.domains_by_website
            .get(&website)
            .into_iter()
            .flatten()
            .map(|&i| &self.domains[i])
    }

    pub fn filing_by_number(&self, number: &str) -> Option<&Filing> {
        self.filing_by_number.get(number).map(|&i| &self.filings[i])
    }

    pub fn filing(&self, id: RecordId) -> Option<&Filing> {
        self.filing_by_id.get(&id).map(|&i| &self.filings[i])
    }

    pub fn filings_of(&self, website: RecordId) -> impl Iterator<Item = &Filing> {
        self.filings_by_website
            .get(&website)
            .into_iter()
            .flatten()
            .map(|&i| &self.filings[i])
    }

    /// The filing a sheet row shows for a site: an ICP website number, else a licence
    /// number; active before pending before cancelled; then the newest.
    pub fn icp_filing_of(&self, website: RecordId) -> Option<&Filing> {
        let rank = |f: &Filing| {
            let kind = match f.kind {
                FilingKind::IcpWebsite => 0,
                _ => 1,
            };
            (kind, status_rank(f.status), std::cmp::Reverse(f.id))
        };
        self.filings_of(website)
            .filter(|f| {
                matches!(
                    f.kind,
                    FilingKind::IcpWebsite | FilingKind::IcpLicence | FilingKind::VatLicence
                )
            })
            .min_by_key(|f| rank(f))
    }

    /// The PSB filing a sheet row shows for a site (active first, then the newest).
    pub fn psb_filing_of(&self, website: RecordId) -> Option<&Filing> {
        self.filings_of(website)
            .filter(|f| f.kind == FilingKind::Psb)
            .min_by_key(|f| (status_rank(f.status), std::cmp::Reverse(f.id)))
    }

    /// The site's first website-responsible person (网站负责人).
    pub fn contact_of(&self, website: RecordId) -> Option<&Person> {
        self.contact_by_website
            .get(&website)
            .map(|&i| &self.persons[i])
    }

    pub fn provider_by_name(&self, name: &str) -> Option<&AccessProvider> {
        self.provider_by_name.get(name).map(|&i| &self.providers[i])
    }

    /// Every record, in kind order, for a full JSON export.
    pub fn records(&self) -> impl Iterator<Item = Record> + '_ {
        let subjects = self.subjects.iter().cloned().map(Record::Subject);
        let websites = self.websites.iter().cloned().map(Record::Website);
        let domains = self.domains.iter().cloned().map(Record::Domain);
        let filings = self.filings.iter().cloned().map(Record::Filing);
        let persons = self.persons.iter().cloned().map(Record::Person);
        let providers = self.providers.iter().cloned().map(Record::AccessProvider);
        subjects
            .chain(websites)
            .chain(domains)
            .chain(filings)
            .chain(persons)
            .chain(providers)
    }

    pub fn len(&self) -> usize {
        self.subjects.len()
            + self.websites.len()
            + self.domains.len()
            + self.filings.len()
            + self.persons.len()
            + self.providers.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn status_rank(status: FilingStatus) -> u8 {
    match status {
        FilingStatus::Active => 0,
        FilingStatus::Pending => 1,
        FilingStatus::Cancelled => 2,
    }
}
