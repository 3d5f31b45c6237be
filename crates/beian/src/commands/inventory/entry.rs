//! The path every `add` and `edit` takes: the stored record (for `edit`), the draft
//! the flags fill, its validation, one change set, and a report of what was stored.

use beian_core::identifier::ValidationContext;
use beian_core::inventory::{
    DomainDraft, Entry, FieldErrors, FieldWarning, FilingDraft, PersonDraft, SubjectDraft,
    WebsiteDraft,
};
use beian_core::model::{
    AccessProvider, Change, Domain, Filing, Links, Person, Record, RecordKind, Subject, Website,
};

use super::{Inventory, entry_error};
use crate::error::{Exit, UserError};

/// One model type inside `Record`, so lookups and changes can be written once.
pub trait StoredKind: Sized {
    const KIND: RecordKind;
    fn from_record(record: Record) -> Option<Self>;
    fn into_record(self) -> Record;
}

/// Every `Record` variant carries the model type of the same name.
macro_rules! stored_kinds {
    ($($kind:ident),*) => {$(
        impl StoredKind for $kind {
            const KIND: RecordKind = RecordKind::$kind;
            fn from_record(record: Record) -> Option<Self> {
                match record {
                    Record::$kind(inner) => Some(inner),
                    _ => None,
                }
            }
            fn into_record(self) -> Record {
                Record::$kind(self)
            }
        }
    )*};
}

stored_kinds!(Subject, Website, Domain, Filing, Person, AccessProvider);

/// A draft of `beian_core::inventory` and the record it validates into.
pub trait Draft {
    type Record: StoredKind;
    fn check(&self, context: &ValidationContext) -> Result<Entry<Self::Record>, FieldErrors>;
}

macro_rules! drafts {
    ($($draft:ident => $record:ident),*) => {$(
        impl Draft for $draft {
            type Record = $record;
            fn check(&self, context: &ValidationContext) -> Result<Entry<$record>, FieldErrors> {
                self.validate(context)
            }
        }
    )*};
}

drafts!(
    SubjectDraft => Subject,
    WebsiteDraft => Website,
    DomainDraft => Domain,
    FilingDraft => Filing,
    PersonDraft => Person
);

/// What the report line says was done.
#[derive(Debug, Clone, Copy)]
pub enum Outcome {
    Added,
    Updated,
    Saved,
}

impl Outcome {
    fn words(self) -> (&'static str, &'static str) {
        match self {
            Outcome::Added => ("已添加", "added"),
            Outcome::Updated => ("已修改", "updated"),
            Outcome::Saved => ("已保存", "saved"),
        }
    }
}

/// Replaces a draft field with the flag's value when the flag was given.
pub fn overlay(target: &mut String, flag: &Option<String>) {
    if let Some(value) = flag {
        target.clone_from(value);
    }
}

pub fn insert(record: impl StoredKind, links: Links) -> Change {
    Change::Insert {
        record: record.into_record(),
        links,
    }
}

pub fn update(record: impl StoredKind) -> Change {
    Change::Update {
        record: record.into_record(),
    }
}

impl Inventory<'_> {
    /// The stored record of `T`'s kind that `target` names.
    pub async fn stored<T: StoredKind>(&self, target: &str) -> anyhow::Result<T> {
        let record = self.resolve(T::KIND, target).await?;
        T::from_record(record).map_or_else(|| mismatched(T::KIND), Ok)
    }

    /// The optional `target` of `T`'s kind, looked up when given.
    pub async fn optional<T: StoredKind>(&self, target: Option<&str>) -> anyhow::Result<Option<T>> {
        match target {
            Some(target) => Ok(Some(self.stored(target).await?)),
            None => Ok(None),
        }
    }

    /// Validates a draft; every field error becomes one line of one input error.
    pub fn validated<D: Draft>(&self, draft: &D) -> anyhow::Result<Entry<D::Record>> {
        draft.check(&self.settings.validation).map_err(entry_error)
    }

    /// Applies the change set in one transaction and reports what was stored.
    pub async fn commit(
        &self,
        changes: &[Change],
        warnings: &[FieldWarning],
        outcome: Outcome,
    ) -> anyhow::Result<Exit> {
        let stored = self.apply(changes, warnings).await?;
        let (verb_zh, verb_en) = outcome.words();
        self.report_stored(verb_zh, verb_en, &stored)?;
        Ok(Exit::Success)
    }
}

/// The store answered a lookup of one kind with a record of another: a store bug.
pub fn mismatched<T>(kind: RecordKind) -> anyhow::Result<T> {
    Err(UserError::input(format!(
        "数据库返回的记录类型不是{} / the database returned a record that is not a {}",
        kind.label_zh(),
        kind.as_str()
    ))
    .with_fix("请报告此问题 / please report this as a bug")
    .into())
}
