//! Bulk actions on a selection of sites, shared by the sites page (checkboxes) and
//! `POST /api/v1/sites/bulk`: add a tag, remove a tag, check now. Every site must be one the
//! caller sees (else the whole request is refused as not found, naming nothing of other
//! organisations); tag changes are one store transaction with an audit entry per site.

use std::collections::BTreeSet;

use beian_core::inventory::{TAGS_PER_SITE, normalise_tag};
use beian_core::model::{Change, Record, RecordId, RecordKind};
use beian_store::Store;
use chrono::Utc;
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::auth::Principal;
use crate::error::ApiError;

/// Most sites one bulk request may name.
pub const MAX_BULK_SITES: usize = 1000;

/// What to do to every selected site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BulkAction {
    AddTag(String),
    RemoveTag(String),
    /// Make every check of the sites due now (the scheduler picks them up on its next tick).
    CheckNow,
}

impl BulkAction {
    /// From the wire form: `add_tag` / `remove_tag` (with a tag) or `check_now`.
    pub fn parse(action: &str, tag: Option<&str>) -> Result<BulkAction, ApiError> {
        let tag = || {
            normalise_tag(tag.unwrap_or_default())
                .map_err(|error| ApiError::invalid(error.problem.clone(), error.fix.clone()))
        };
        match action.trim() {
            "add_tag" => Ok(BulkAction::AddTag(tag()?)),
            "remove_tag" => Ok(BulkAction::RemoveTag(tag()?)),
            "check_now" => Ok(BulkAction::CheckNow),
            other => Err(ApiError::invalid(
                format!("未知的批量操作 {other:?}，可用 add_tag、remove_tag、check_now"),
                format!("unknown bulk action {other:?}; use add_tag, remove_tag or check_now"),
            )),
        }
    }
}

/// `POST /api/v1/sites/bulk` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BulkRequest {
    pub site_ids: Vec<RecordId>,
    pub action: String,
    #[serde(default)]
    pub tag: Option<String>,
}

/// What a bulk action did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct BulkOutcome {
    /// Sites selected (duplicates counted once).
    pub selected: usize,
    /// Sites the action changed.
    pub changed: usize,
    /// Sites it left as they were (the tag was there already, or was not there).
    pub unchanged: usize,
}

/// Applies `action` to the sites; all or nothing.
pub async fn apply(
    state: &AppState,
    principal: &Principal,
    site_ids: &[RecordId],
    action: &BulkAction,
) -> Result<BulkOutcome, ApiError> {
    let ids: Vec<RecordId> = site_ids
        .iter()
        .copied()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    if ids.is_empty() {
        return Err(ApiError::invalid(
            "没有选择网站",
            "no site selected; tick at least one",
        ));
    }
    if ids.len() > MAX_BULK_SITES {
        return Err(ApiError::invalid(
            format!(
                "一次最多处理 {MAX_BULK_SITES} 个网站，本次 {} 个",
                ids.len()
            ),
            format!(
                "at most {MAX_BULK_SITES} sites per request, this one names {}; split it",
                ids.len()
            ),
        ));
    }
    let owners = state.store().site_organisations(&ids).await?;
    if ids
        .iter()
        .any(|id| !owners.get(id).is_some_and(|owner| principal.sees(*owner)))
    {
        return Err(ApiError::not_found("site", "网站"));
    }
    let actor = principal.actor();
    match action {
        BulkAction::CheckNow => {
            state
                .store()
                .check_sites_now(&actor, &ids, Utc::now())
                .await?;
            Ok(BulkOutcome {
                selected: ids.len(),
                changed: ids.len(),
                unchanged: 0,
            })
        }
        BulkAction::AddTag(tag) | BulkAction::RemoveTag(tag) => {
            let adding = matches!(action, BulkAction::AddTag(_));
            let mut changes = Vec::new();
            for id in &ids {
                let Some(Record::Website(mut site)) =
                    state.store().get(RecordKind::Website, *id).await?
                else {
                    return Err(ApiError::not_found("site", "网站"));
                };
                let had = site.tags.contains(tag);
                if adding == had {
                    continue;
                }
                if adding {
                    if site.tags.len() >= TAGS_PER_SITE {
                        return Err(ApiError::invalid(
                            format!("网站 {} 已有 {TAGS_PER_SITE} 个标签", site.name),
                            format!(
                                "site {} already has {TAGS_PER_SITE} tags; remove one first",
                                site.name
                            ),
                        ));
                    }
                    site.tags.push(tag.clone());
                } else {
                    site.tags.retain(|t| t != tag);
                }
                changes.push(Change::Update {
                    record: Record::Website(site),
                });
            }
            if !changes.is_empty() {
                state.store().apply(&actor, &changes).await?;
            }
            Ok(BulkOutcome {
                selected: ids.len(),
                changed: changes.len(),
                unchanged: ids.len() - changes.len(),
            })
        }
    }
}
