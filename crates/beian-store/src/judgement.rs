//! Merging one judgement of one site into the stored findings, in one transaction with
//! the site's observation and the audit entries of every change.
//!
//! Findings are matched on `(site_id, rule_id, key)` among the unresolved ones: a draft
//! with no match opens a new finding, a match is refreshed (last seen, severity,
//! explanation, evidence), an unresolved finding without a draft is resolved. A finding
//! that returns after resolving is a new row with a new first seen, so history stays.
//! Judging the same drafts again only moves `last_seen`: that is what lets an
//! interrupted scan be rerun without duplicating anything.

use std::collections::{HashMap, HashSet};

use beian_core::finding::{Finding, FindingDraft, FindingState, Severity};
use beian_core::model::{RecordId, RecordKind};
use chrono::{DateTime, Utc};
use sqlx::AssertSqlSafe;

use crate::engine::{Engine, now_micros, to_micros};
use crate::error::{Entity, StoreError};
use crate::findings::{FINDING_COLUMNS, decode_finding, severity_rank};
use crate::records::{RowReader, SqlValue, bind_values};
use crate::scans::{load_scan, require_json, require_running, upsert_observation};
use crate::write::{AuditedWrite, audit_json};

/// What one judgement changed.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct JudgementOutcome {
    /// New findings, in the order of the drafts (including ones that came back after
    /// resolving).
    pub opened: Vec<Finding>,
    /// Unresolved findings seen again, refreshed, in the order of the drafts.
    pub still_open: Vec<Finding>,
    /// Findings whose condition cleared, by id.
    pub resolved: Vec<Finding>,
    /// Severity changes among `still_open` (each also audited as `finding.severity`).
    pub severity_changes: Vec<SeverityChange>,
}

/// A finding seen again at another severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeverityChange {
    pub finding_id: RecordId,
    pub from: Severity,
    pub to: Severity,
}

fn invalid_drafts(zh: String, en: String) -> StoreError {
    StoreError::Invalid {
        field: "drafts",
        zh,
        en,
    }
}

/// Drafts must be about this site, name a rule, and each identity must come once.
fn validate(site_id: RecordId, drafts: &[FindingDraft]) -> Result<(), StoreError> {
    let mut seen = HashSet::new();
    for (index, draft) in drafts.iter().enumerate() {
        let n = index + 1;
        if draft.site_id != site_id {
            return Err(invalid_drafts(
                format!(
                    "第 {n} 项属于站点 {}，而本次判定的是站点 {site_id}",
                    draft.site_id
                ),
                format!(
                    "draft #{n} is about site {}, but this judgement is of site {site_id}; \
                     judge one site at a time",
                    draft.site_id
                ),
            ));
        }
        if draft.rule_id.trim().is_empty() || draft.rule_id.trim() != draft.rule_id {
            return Err(invalid_drafts(
                format!("第 {n} 项的规则编号为空或含首尾空白：{:?}", draft.rule_id),
                format!(
                    "draft #{n} has an empty or padded rule id {:?}; use the catalogue id",
                    draft.rule_id
                ),
            ));
        }
        if !seen.insert(draft.identity()) {
            return Err(invalid_drafts(
                format!("第 {n} 项重复：规则 {}，键 {:?}", draft.rule_id, draft.key),
                format!(
                    "draft #{n} repeats rule {} with key {:?}; give each finding of a rule \
                     its own key",
                    draft.rule_id, draft.key
                ),
            ));
        }
    }
    Ok(())
}

/// The evidence as stored, and as a reader will get it back.
fn evidence_text(draft: &FindingDraft) -> Result<(String, serde_json::Value), StoreError> {
    let text = audit_json(&draft.evidence);
    serde_json::from_str(&text)
        .map(|value| (text, value))
        .map_err(|error| {
            invalid_drafts(
                format!("规则 {} 的证据无法保存：{error}", draft.rule_id),
                format!(
                    "the evidence of rule {} does not survive storing ({error}); keep numbers \
                     finite",
                    draft.rule_id
                ),
            )
        })
}

impl Engine {
    pub(crate) async fn record_site_judgement(
        &self,
        actor: &str,
        scan_id: RecordId,
        site_id: RecordId,
        observation_json: Option<&str>,
        drafts: &[FindingDraft],
        now: DateTime<Utc>,
    ) -> Result<JudgementOutcome, StoreError> {
        validate(site_id, drafts)?;
        if let Some(body) = observation_json {
            require_json("observation_json", body)?;
        }
        let now = to_micros(now);
        let mut write = AuditedWrite::begin(self).await?;
        let target = write.target().to_owned();
        require_running(&load_scan(write.conn(), &target, scan_id).await?)?;
        let site = sqlx::query("SELECT id FROM websites WHERE id = $1")
            .bind(site_id)
            .fetch_optional(&mut *write.conn())
            .await
            .map_err(write.fail("reading the website"))?;
        if site.is_none() {
            return Err(StoreError::NotFound {
                kind: RecordKind::Website,
                id: site_id,
            });
        }
        upsert_observation(&mut write, scan_id, site_id, now, observation_json).await?;

        // Under the write lock: no one else can open or resolve one of these meanwhile.
        let sql = format!(
            "SELECT {FINDING_COLUMNS} FROM findings WHERE site_id = $1 AND resolved_at IS NULL"
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(site_id)
            .fetch_all(&mut *write.conn())
            .await
            .map_err(write.fail("reading the site's findings"))?;
        let read_at = now_micros();
        let mut unresolved: HashMap<(String, String), Finding> = HashMap::new();
        for row in &rows {
            let finding = decode_finding(row, &target, read_at)?;
            unresolved.insert((finding.rule_id.clone(), finding.key.clone()), finding);
        }

        let mut outcome = JudgementOutcome::default();
        for draft in drafts {
            let (evidence_json, evidence) = evidence_text(draft)?;
            match unresolved.remove(&(draft.rule_id.clone(), draft.key.clone())) {
                None => {
                    let finding =
                        open_finding(&mut write, actor, draft, evidence_json, evidence, now)
                            .await?;
                    outcome.opened.push(finding);
                }
                Some(before) => {
                    let after = Finding {
                        severity: draft.severity,
                        explanation_zh: draft.explanation_zh.clone(),
                        explanation_en: draft.explanation_en.clone(),
                        evidence,
                        // Never backwards, should an older judgement arrive late.
                        last_seen: before.last_seen.max(now),
                        ..before.clone()
                    };
                    let values = [
                        SqlValue::instant(after.last_seen),
                        SqlValue::text(after.severity.as_str()),
                        SqlValue::Int(Some(severity_rank(after.severity))),
                        SqlValue::text(after.explanation_zh.as_str()),
                        SqlValue::text(after.explanation_en.as_str()),
                        SqlValue::Text(Some(evidence_json)),
                        SqlValue::Int(Some(after.id)),
                    ];
                    bind_values(
                        sqlx::query(
                            "UPDATE findings SET last_seen = $1, severity = $2, \
                             severity_rank = $3, explanation_zh = $4, explanation_en = $5, \
                             evidence = $6 WHERE id = $7",
                        ),
                        values,
                    )
                    .execute(&mut *write.conn())
                    .await
                    .map_err(write.fail("refreshing a finding"))?;
                    if before.severity != after.severity {
                        write.audit(
                            actor,
                            "finding.severity",
                            Entity::Finding,
                            after.id,
                            Some(audit_json(&before)),
                            Some(audit_json(&after)),
                        );
                        outcome.severity_changes.push(SeverityChange {
                            finding_id: after.id,
                            from: before.severity,
                            to: after.severity,
                        });
                    }
                    outcome.still_open.push(after);
                }
            }
        }

        let mut cleared: Vec<Finding> = unresolved.into_values().collect();
        cleared.sort_by_key(|finding| finding.id);
        for before in cleared {
            let after = Finding {
                state: FindingState::Resolved,
                resolved_at: Some(before.last_seen.max(now)),
                ..before.clone()
            };
            sqlx::query("UPDATE findings SET state = 'resolved', resolved_at = $1 WHERE id = $2")
                .bind(after.resolved_at.map(crate::records::format_instant))
                .bind(after.id)
                .execute(&mut *write.conn())
                .await
                .map_err(write.fail("resolving a finding"))?;
            write.audit(
                actor,
                "finding.resolve",
                Entity::Finding,
                after.id,
                Some(audit_json(&before)),
                Some(audit_json(&after)),
            );
            outcome.resolved.push(after);
        }
        write.commit().await?;
        Ok(outcome)
    }
}

async fn open_finding(
    write: &mut AuditedWrite<'_>,
    actor: &str,
    draft: &FindingDraft,
    evidence_json: String,
    evidence: serde_json::Value,
    now: DateTime<Utc>,
) -> Result<Finding, StoreError> {
    let values = [
        SqlValue::text(draft.rule_id.as_str()),
        SqlValue::Int(Some(draft.site_id)),
        SqlValue::text(draft.key.as_str()),
        SqlValue::text(draft.severity.as_str()),
        SqlValue::Int(Some(severity_rank(draft.severity))),
        SqlValue::text(draft.explanation_zh.as_str()),
        SqlValue::text(draft.explanation_en.as_str()),
        SqlValue::Text(Some(evidence_json)),
        SqlValue::instant(now),
    ];
    let row = bind_values(
        sqlx::query(
            "INSERT INTO findings (rule_id, site_id, finding_key, severity, severity_rank, \
                 state, explanation_zh, explanation_en, evidence, first_seen, last_seen) \
                 VALUES ($1, $2, $3, $4, $5, 'open', $6, $7, $8, $9, $9) RETURNING id",
        ),
        values,
    )
    .fetch_one(&mut *write.conn())
    .await
    .map_err(write.fail("opening a finding"))?;
    let finding = Finding {
        id: RowReader::new(&row, "findings", write.target()).int("id")?,
        rule_id: draft.rule_id.clone(),
        site_id: draft.site_id,
        key: draft.key.clone(),
        severity: draft.severity,
        state: FindingState::Open,
        explanation_zh: draft.explanation_zh.clone(),
        explanation_en: draft.explanation_en.clone(),
        evidence,
        first_seen: now,
        last_seen: now,
        resolved_at: None,
        suppression: None,
    };
    write.audit(
        actor,
        "finding.open",
        Entity::Finding,
        finding.id,
        None,
        Some(audit_json(&finding)),
    );
    Ok(finding)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(site_id: RecordId, rule_id: &str, key: &str) -> FindingDraft {
        FindingDraft {
            rule_id: rule_id.to_owned(),
            site_id,
            key: key.to_owned(),
            severity: Severity::High,
            explanation_zh: String::new(),
            explanation_en: String::new(),
            evidence: serde_json::Value::Null,
        }
    }

    #[test]
    fn drafts_of_another_site_padded_rules_and_repeats_are_refused() {
        assert!(
            validate(
                1,
                &[draft(1, "psb.missing", ""), draft(1, "dns.a_changed", "a")]
            )
            .is_ok()
        );
        for bad in [
            vec![draft(2, "psb.missing", "")],
            vec![draft(1, " psb.missing", "")],
            vec![draft(1, "", "")],
            vec![
                draft(1, "dns.a_changed", "a"),
                draft(1, "dns.a_changed", "a"),
            ],
        ] {
            assert!(
                matches!(
                    validate(1, &bad),
                    Err(StoreError::Invalid {
                        field: "drafts",
                        ..
                    })
                ),
                "{bad:?}"
            );
        }
    }
}
