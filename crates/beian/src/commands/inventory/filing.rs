//! `beian filing add|edit`: the kind comes from the number; website, app and
//! mini-program numbers hang under the subject filing with the same stem, which is
//! found, or created with `--create-parent`.

use beian_core::inventory::FilingDraft;
use beian_core::inventory::draft::subject_filing_number;
use beian_core::model::{
    Change, Filing, FilingKind, FilingStatus, Links, Record, RecordId, RecordKind, RecordRef,
    Website,
};
use beian_store::{ListQuery, Store};

use super::entry::{Outcome, overlay, update};
use super::{Inventory, KindCommands, filing_kind, filing_status};
use crate::cli::{FilingAdd, FilingCli, FilingFields, FilingFilters};
use crate::error::{Exit, input_error};

fn fill(draft: &mut FilingDraft, fields: &FilingFields) {
    overlay(&mut draft.status, &fields.status);
    overlay(&mut draft.filed_on, &fields.filed_on);
    overlay(&mut draft.notes, &fields.notes);
}

impl KindCommands for FilingCli {
    const KIND: RecordKind = RecordKind::Filing;

    async fn add(inventory: &Inventory<'_>, args: &FilingAdd) -> anyhow::Result<Exit> {
        let FilingAdd {
            number,
            fields,
            create_parent,
        } = args;
        let mut draft = FilingDraft {
            number: number.to_owned(),
            ..FilingDraft::default()
        };
        fill(&mut draft, fields);
        let entry = inventory.validated(&draft)?;
        let filing = entry.record;
        let site: Option<Website> = inventory.optional(fields.site.as_deref()).await?;
        let parent = match subject_filing_number(&filing.number)
            .filter(|_| filing.kind.needs_subject_filing())
        {
            Some(stem) => Some((
                stem.to_owned(),
                inventory.store.find(RecordKind::Filing, stem).await?,
            )),
            None => None,
        };
        let stored_parent = parent.as_ref().and_then(|(_, found)| match found {
            Some(Record::Filing(parent)) => Some(parent.clone()),
            _ => None,
        });
        // The subject: named, else the site's, else the parent filing's.
        let subject_id: RecordId = match &fields.subject {
            Some(subject) => inventory.resolve(RecordKind::Subject, subject).await?.id(),
            None => match (&site, &stored_parent) {
                (Some(site), _) => site.subject_id,
                (None, Some(parent)) => parent.subject_id,
                (None, None) => {
                    return input_error(
                        format!(
                            "备案 {} 需要 --subject / filing {} needs --subject",
                            filing.number, filing.number
                        ),
                        "用 --subject 给出主体 ID 或统一社会信用代码 / pass --subject with the subject's id or USCC",
                    );
                }
            },
        };
        if filing.kind.requires_website() && site.is_none() {
            return input_error(
                format!(
                    "{}需要对应的网站：{} / a {} filing must name its website",
                    filing.kind.label_zh(),
                    filing.number,
                    filing.kind.as_str()
                ),
                "用 --site 给出网站 ID 或首页网址 / pass --site with the website's id or home URL",
            );
        }
        let website_id = site.as_ref().map(|site| site.id);
        let mut changes = Vec::new();
        let parent_ref = match (parent, stored_parent) {
            (None, _) => None,
            (Some(_), Some(stored)) => Some(RecordRef::Stored(stored.id)),
            (Some((stem, _)), None) if *create_parent => {
                changes.push(Change::Insert {
                    record: Record::Filing(Filing {
                        kind: FilingKind::IcpSubject,
                        number: stem,
                        status: FilingStatus::Active,
                        subject_id,
                        website_id: None,
                        parent_id: None,
                        filed_on: None,
                        cancelled_on: None,
                        notes: String::new(),
                        ..filing.clone()
                    }),
                    links: Links {
                        subject: Some(RecordRef::Stored(subject_id)),
                        ..Links::default()
                    },
                });
                Some(RecordRef::New(0))
            }
            (Some((stem, _)), None) => {
                return input_error(
                    format!(
                        "找不到主体备案 {stem}，{} 需要挂在它下面 / subject filing {stem} not found; {} hangs under it",
                        filing.number, filing.number
                    ),
                    format!(
                        "先添加 `beian filing add {stem} --subject …`，或加 --create-parent 一并创建 / add it first, or pass --create-parent"
                    ),
                );
            }
        };
        let record = Filing {
            subject_id,
            website_id,
            ..filing
        };
        changes.push(Change::Insert {
            record: Record::Filing(record),
            links: Links {
                subject: Some(RecordRef::Stored(subject_id)),
                website: website_id.map(RecordRef::Stored),
                parent: parent_ref,
            },
        });
        inventory
            .commit(&changes, &entry.warnings, Outcome::Added)
            .await
    }

    async fn edit(
        inventory: &Inventory<'_>,
        target: &str,
        fields: &FilingFields,
    ) -> anyhow::Result<Exit> {
        let current: Filing = inventory.stored(target).await?;
        let mut draft = FilingDraft::from_record(&current);
        fill(&mut draft, fields);
        // Re-activating a cancelled filing drops its cancellation date with it.
        if fields.status.is_some() {
            draft.cancelled_on.clear();
            if let Some(date) = current.cancelled_on {
                let status = fields.status.as_deref().unwrap_or_default();
                if beian_core::model::FilingStatus::parse(status) == Some(FilingStatus::Cancelled) {
                    draft.cancelled_on = date.format("%Y-%m-%d").to_string();
                }
            }
        }
        let entry = inventory.validated(&draft)?;
        let subject_id = inventory
            .optional_id(RecordKind::Subject, fields.subject.as_deref())
            .await?
            .unwrap_or(current.subject_id);
        let site: Option<Website> = inventory.optional(fields.site.as_deref()).await?;
        let website_id = site.map(|site| site.id).or(current.website_id);
        let record = Filing {
            id: current.id,
            subject_id,
            website_id,
            parent_id: current.parent_id,
            created_at: current.created_at,
            updated_at: current.updated_at,
            ..entry.record
        };
        inventory
            .commit(&[update(record)], &entry.warnings, Outcome::Saved)
            .await
    }

    async fn filter(
        inventory: &Inventory<'_>,
        query: &mut ListQuery,
        FilingFilters {
            subject,
            site,
            status,
            kind,
        }: &FilingFilters,
    ) -> anyhow::Result<()> {
        query.subject_id = inventory
            .optional_id(RecordKind::Subject, subject.as_deref())
            .await?;
        query.website_id = inventory
            .optional_id(RecordKind::Website, site.as_deref())
            .await?;
        query.status = filing_status(status.as_deref())?;
        query.filing_kind = filing_kind(kind.as_deref())?;
        Ok(())
    }
}
