//! Resolving the records a `beian report` names. What a document shows is read out of the
//! store by [`beian_engine::documents`], which the dashboard's downloads use too.

use beian_core::model::{Record, RecordKind, Subject, Website};
use beian_store::AnyStore;

pub use beian_engine::documents::{
    CancellationRequest, SiteEvidence, cancellation, finding_rows, portfolio, provider_to_remove,
    site_evidence, subject_of,
};

use crate::commands::inventory::Inventory;
use crate::config::Settings;
use crate::error::UserError;

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
