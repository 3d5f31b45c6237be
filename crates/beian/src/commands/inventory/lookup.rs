//! Naming records on the command line (by id or natural key) and finding what hangs
//! off a record for `show`.

use beian_core::identifier;
use beian_core::inventory::field::canonical_home_url;
use beian_core::model::{Record, RecordId, RecordKind};
use beian_store::{ListQuery, Store};
use serde::Serialize;

use super::Inventory;
use crate::commands::validate::validate_subject_id;
use crate::config::Language;
use crate::error::UserError;

/// Ids are short; anything longer made of digits (an 18-digit resident ID) is a key.
const MAX_ID_DIGITS: usize = 12;
/// How many related records `show` lists per group.
const RELATED_LIMIT: u32 = 1000;

/// The subcommand that manages a kind, for messages that tell what to run.
pub fn command_name(kind: RecordKind) -> &'static str {
    match kind {
        RecordKind::Subject => "subject",
        RecordKind::Website => "site",
        RecordKind::Domain => "domain",
        RecordKind::Filing => "filing",
        RecordKind::Person => "person",
        RecordKind::AccessProvider => "provider",
    }
}

/// Records related to a shown record, one group per relation.
#[derive(Debug, Serialize)]
pub struct RelatedGroup {
    pub relation: &'static str,
    #[serde(skip)]
    label_zh: &'static str,
    #[serde(skip)]
    label_en: &'static str,
    records: Vec<Record>,
}

impl RelatedGroup {
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    pub fn title(&self, language: Language) -> &'static str {
        match language {
            Language::Zh => self.label_zh,
            Language::En => self.label_en,
        }
    }

    pub fn records(&self) -> Vec<Record> {
        self.records.clone()
    }
}

impl Inventory<'_> {
    /// The record `target` names: an id, or the kind's natural key in any form the
    /// validators accept (lower-case USCC, a URL without `/`, a number without 号 …).
    pub async fn resolve(&self, kind: RecordKind, target: &str) -> anyhow::Result<Record> {
        let text = target.trim();
        if !text.is_empty()
            && text.len() <= MAX_ID_DIGITS
            && text.bytes().all(|b| b.is_ascii_digit())
        {
            let id: RecordId = text.parse().map_err(|_| not_found(kind, text))?;
            return self
                .store
                .get(kind, id)
                .await?
                .ok_or_else(|| not_found(kind, text));
        }
        if kind == RecordKind::Person {
            return Err(UserError::input(format!("负责人只能用 ID 指定：«{text}» / persons are named by id, not «{text}»"))
                .with_fix("用 `beian person list --search 姓名` 查找 ID / find the id with `beian person list --search NAME`")
                .into());
        }
        for key in self.key_candidates(kind, text) {
            if let Some(record) = self.store.find(kind, &key).await? {
                return Ok(record);
            }
        }
        Err(not_found(kind, text))
    }

    /// What `show` lists under a record: the records it points to, then the records
    /// that point to it.
    pub async fn related(&self, record: &Record) -> anyhow::Result<Vec<RelatedGroup>> {
        let (owners, owned, owner_filter) = match record {
            Record::Subject(subject) => (
                Vec::new(),
                &[WEBSITES, FILINGS, PEOPLE][..],
                ListQuery {
                    subject_id: Some(subject.id),
                    ..ListQuery::default()
                },
            ),
            Record::Website(site) => (
                vec![(SUBJECT, Some(site.subject_id))],
                &[DOMAINS, FILINGS, PEOPLE][..],
                ListQuery {
                    website_id: Some(site.id),
                    ..ListQuery::default()
                },
            ),
            Record::Domain(domain) => (
                vec![(WEBSITE, domain.website_id)],
                &[][..],
                ListQuery::default(),
            ),
            Record::Filing(filing) => (
                vec![
                    (SUBJECT, Some(filing.subject_id)),
                    (WEBSITE, filing.website_id),
                    (PARENT_FILING, filing.parent_id),
                ],
                &[][..],
                ListQuery::default(),
            ),
            Record::Person(person) => (
                vec![
                    (SUBJECT, Some(person.subject_id)),
                    (WEBSITE, person.website_id),
                ],
                &[][..],
                ListQuery::default(),
            ),
            Record::AccessProvider(_) => (Vec::new(), &[][..], ListQuery::default()),
        };
        let mut groups = Vec::new();
        for (relation, id) in owners {
            let records = match id {
                Some(id) => self
                    .store
                    .get(relation.kind, id)
                    .await?
                    .into_iter()
                    .collect(),
                None => Vec::new(),
            };
            groups.push(relation.group(records));
        }
        for relation in owned {
            let query = ListQuery {
                kind: relation.kind,
                limit: RELATED_LIMIT,
                ..owner_filter.clone()
            };
            groups.push(relation.group(self.store.list(&query).await?.items));
        }
        Ok(groups)
    }
}

/// One relation `show` lists: its JSON name, its titles and the kind it holds.
struct Relation {
    name: &'static str,
    label_zh: &'static str,
    label_en: &'static str,
    kind: RecordKind,
}

impl Relation {
    fn group(&self, records: Vec<Record>) -> RelatedGroup {
        RelatedGroup {
            relation: self.name,
            label_zh: self.label_zh,
            label_en: self.label_en,
            records,
        }
    }
}

const fn relation(
    name: &'static str,
    label_zh: &'static str,
    label_en: &'static str,
    kind: RecordKind,
) -> Relation {
    Relation {
        name,
        label_zh,
        label_en,
        kind,
    }
}

const SUBJECT: Relation = relation("subject", "主体", "Subject", RecordKind::Subject);
const WEBSITE: Relation = relation("website", "网站", "Website", RecordKind::Website);
const PARENT_FILING: Relation =
    relation("parent", "主体备案", "Subject filing", RecordKind::Filing);
const WEBSITES: Relation = relation("websites", "网站", "Websites", RecordKind::Website);
const DOMAINS: Relation = relation("domains", "域名", "Domains", RecordKind::Domain);
const FILINGS: Relation = relation("filings", "备案", "Filings", RecordKind::Filing);
const PEOPLE: Relation = relation("people", "负责人", "People", RecordKind::Person);

impl Inventory<'_> {
    /// The spellings of a key to look up, most literal first.
    fn key_candidates(&self, kind: RecordKind, text: &str) -> Vec<String> {
        let context = &self.settings.validation;
        let mut keys = vec![text.to_owned()];
        match kind {
            RecordKind::Subject => {
                keys.push(text.to_uppercase());
                keys.extend(validate_subject_id(text, context).canonical);
            }
            RecordKind::Website => {
                let with_scheme = if text.contains("://") {
                    text.to_owned()
                } else {
                    format!("https://{text}")
                };
                keys.extend(
                    canonical_home_url(&with_scheme)
                        .ok()
                        .map(|url| url.to_string()),
                );
                if !text.contains("://") {
                    keys.extend(
                        canonical_home_url(&format!("http://{text}"))
                            .ok()
                            .map(|url| url.to_string()),
                    );
                }
            }
            RecordKind::Domain => {
                keys.push(text.to_lowercase());
                keys.extend(identifier::validate_domain(text, context).canonical);
            }
            RecordKind::Filing => {
                keys.extend(identifier::validate_filing_number(text, context).canonical);
            }
            RecordKind::Person | RecordKind::AccessProvider => {}
        }
        let mut unique: Vec<String> = Vec::new();
        for key in keys {
            if !unique.contains(&key) {
                unique.push(key);
            }
        }
        unique
    }
}

pub fn not_found(kind: RecordKind, text: &str) -> anyhow::Error {
    UserError::input(format!(
        "找不到{} «{text}» / no {} «{text}»",
        kind.label_zh(),
        kind.as_str()
    ))
    .with_fix(format!(
        "用 `beian {0} list --search …` 查找其 ID 或编号 / find its id or key with `beian {0} list --search …`",
        command_name(kind)
    ))
    .into()
}
