//! Stored findings: listing, reading, acknowledging and suppressing them. Merging a new
//! judgement into them is in `judgement.rs`.
//!
//! A suppression is stored as it was given; whether it still holds is decided when the
//! finding is read, so a suppression that has run out shows the finding as open again
//! without anything having to rewrite the row.

use beian_core::finding::{Finding, FindingState, Severity, Suppression};
use beian_core::model::RecordId;
use chrono::{DateTime, Utc};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AssertSqlSafe};

use crate::counts::CountScope;
use crate::engine::{Engine, now_micros, to_micros};
use crate::error::{Entity, StoreError, from_sqlx};
use crate::list::{Counting, PageSelect};
use crate::organisations::site_scope_condition;
use crate::records::{Params, RowReader, SqlValue, bind_values, format_instant};
use crate::write::{AuditedWrite, audit_json};

/// Which findings to list. Ordered by severity (highest first), then first seen, then id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindingQuery {
    pub site_id: Option<RecordId>,
    pub rule_id: Option<String>,
    /// Only these states (as read now: an expired suppression counts as open); empty
    /// means every state but resolved.
    pub states: Vec<FindingState>,
    /// Only findings at least this severe.
    pub min_severity: Option<Severity>,
    /// Also list resolved findings (listing `Resolved` in `states` does too).
    pub include_resolved: bool,
    pub offset: u32,
    /// Page size; 0 means no limit.
    pub limit: u32,
}

impl Default for FindingQuery {
    fn default() -> Self {
        FindingQuery {
            site_id: None,
            rule_id: None,
            states: Vec::new(),
            min_severity: None,
            include_resolved: false,
            offset: 0,
            limit: 50,
        }
    }
}

/// One page of findings and how many match in all.
#[derive(Debug, Clone, PartialEq)]
pub struct FindingPage {
    pub items: Vec<Finding>,
    /// How many match; when `total_exact` is false, at least this many
    /// ([`COUNT_CAP`]): counting further costs more than the page.
    pub total: u64,
    pub total_exact: bool,
}

/// How far a listing whose total the count tables cannot answer (a rule, a state, or
/// resolved findings asked for) counts its matches.
pub const COUNT_CAP: u64 = 10_000;

pub(crate) const FINDING_COLUMNS: &str = "id, rule_id, site_id, finding_key, severity, state, \
     explanation_zh, explanation_en, evidence, first_seen, last_seen, resolved_at, \
     suppressed_reason, suppressed_until, suppressed_by, suppressed_at";

const ORDER: &str = "severity_rank DESC, first_seen, id";

/// Position of a severity in the listing order, as stored in `severity_rank`.
pub(crate) fn severity_rank(severity: Severity) -> i64 {
    match severity {
        Severity::Info => 0,
        Severity::Low => 1,
        Severity::Medium => 2,
        Severity::High => 3,
        Severity::Critical => 4,
    }
}

/// The state a reader sees at `now`: a suppression that has run out no longer hides.
fn effective_state(
    stored: FindingState,
    suppression: Option<&Suppression>,
    now: DateTime<Utc>,
) -> FindingState {
    match (stored, suppression) {
        (FindingState::Suppressed, Some(s)) if s.until > now => FindingState::Suppressed,
        (FindingState::Suppressed, _) => FindingState::Open,
        (other, _) => other,
    }
}

/// Decodes a row selected with [`FINDING_COLUMNS`], with its state as seen at `now`.
pub(crate) fn decode_finding(
    row: &AnyRow,
    target: &str,
    now: DateTime<Utc>,
) -> Result<Finding, StoreError> {
    let r = RowReader::new(row, "findings", target);
    let suppression = match r.opt_text("suppressed_reason")? {
        None => None,
        Some(reason) => Some(Suppression {
            reason,
            until: r.instant("suppressed_until")?,
            by: r.text("suppressed_by")?,
            at: r.instant("suppressed_at")?,
        }),
    };
    let stored = r.code("state", FindingState::parse)?;
    Ok(Finding {
        id: r.int("id")?,
        rule_id: r.text("rule_id")?,
        site_id: r.int("site_id")?,
        key: r.text("finding_key")?,
        severity: r.code("severity", Severity::parse)?,
        state: effective_state(stored, suppression.as_ref(), now),
        explanation_zh: r.text("explanation_zh")?,
        explanation_en: r.text("explanation_en")?,
        evidence: r.json("evidence")?,
        first_seen: r.instant("first_seen")?,
        last_seen: r.instant("last_seen")?,
        resolved_at: r.opt_instant("resolved_at")?,
        suppression,
    })
}

/// The finding with this id as seen now, or [`StoreError::Missing`].
async fn load_finding(
    conn: &mut AnyConnection,
    target: &str,
    id: RecordId,
) -> Result<Finding, StoreError> {
    let sql = format!("SELECT {FINDING_COLUMNS} FROM findings WHERE id = $1");
    let row = sqlx::query(AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(conn)
        .await
        .map_err(|e| from_sqlx(target, "reading a finding", e))?;
    match row {
        Some(row) => decode_finding(&row, target, now_micros()),
        None => Err(StoreError::Missing {
            entity: Entity::Finding,
            id,
        }),
    }
}

/// A resolved finding is history: it takes no acknowledgement or suppression.
fn refuse_resolved(finding: &Finding) -> Result<(), StoreError> {
    if finding.state == FindingState::Resolved {
        return Err(StoreError::StateConflict {
            entity: Entity::Finding,
            id: finding.id,
            expected: "open, acknowledged or suppressed".to_owned(),
            actual: FindingState::Resolved.as_str().to_owned(),
            hint: "已解决的发现无需处理；问题再次出现时会生成新的发现 / a resolved finding needs \
                   nothing more; if the problem returns, a new finding opens",
        });
    }
    Ok(())
}

/// The WHERE conditions of a listing, with their parameters.
pub(crate) fn conditions(
    query: &FindingQuery,
    now: DateTime<Utc>,
    params: &mut Params,
) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(site_id) = query.site_id {
        out.push(format!(
            "site_id = {}",
            params.push(SqlValue::Int(Some(site_id)))
        ));
    }
    if let Some(rule_id) = &query.rule_id {
        out.push(format!(
            "rule_id = {}",
            params.push(SqlValue::text(rule_id.as_str()))
        ));
    }
    if let Some(min) = query.min_severity {
        out.push(format!(
            "severity_rank >= {}",
            params.push(SqlValue::Int(Some(severity_rank(min))))
        ));
    }
    let with_resolved = query.include_resolved || query.states.contains(&FindingState::Resolved);
    if !with_resolved {
        // Kept as a term of its own so the partial indexes on unresolved rows apply.
        out.push("resolved_at IS NULL".to_owned());
    }
    if !query.states.is_empty() {
        let now = params.push(SqlValue::instant(now));
        let mut alternatives: Vec<String> = query
            .states
            .iter()
            .map(|state| match state {
                FindingState::Open => {
                    format!(
                        "(state = 'open' OR (state = 'suppressed' AND suppressed_until <= {now}))"
                    )
                }
                FindingState::Acknowledged => "state = 'acknowledged'".to_owned(),
                FindingState::Suppressed => {
                    format!("(state = 'suppressed' AND suppressed_until > {now})")
                }
                FindingState::Resolved => "state = 'resolved'".to_owned(),
            })
            .collect();
        if with_resolved && !query.states.contains(&FindingState::Resolved) {
            alternatives.push("state = 'resolved'".to_owned());
        }
        out.push(format!("({})", alternatives.join(" OR ")));
    }
    out
}

impl Engine {
    pub(crate) async fn list_findings(
        &self,
        query: &FindingQuery,
    ) -> Result<FindingPage, StoreError> {
        self.list_findings_scoped(query, CountScope::All).await
    }

    /// Findings matching `query` on the sites in `scope` (the organisations of a web
    /// user), ordered most severe first.
    pub(crate) async fn list_findings_scoped(
        &self,
        query: &FindingQuery,
        scope: CountScope<'_>,
    ) -> Result<FindingPage, StoreError> {
        let now = now_micros();
        let mut params = Params::default();
        let mut conditions = conditions(query, now, &mut params);
        // The scope's finding counts come with its site count, which picks the form of the
        // organisation condition.
        let mut scope_findings = None;
        if let CountScope::Organisations(organisations) = scope {
            let (findings, sites_by_status) = self.scope_counts(scope).await?;
            scope_findings = Some(findings);
            let sites = sites_by_status.values().sum();
            conditions.push(site_scope_condition(
                "findings.site_id",
                organisations,
                sites,
                &mut params,
            ));
        }
        // Unresolved findings by severity (and site) are what the count tables hold.
        let counted_by_tables =
            query.rule_id.is_none() && query.states.is_empty() && !query.include_resolved;
        let counting = if counted_by_tables {
            let counts = match (query.site_id, scope_findings) {
                (Some(site_id), _) => self.site_finding_count(site_id, scope).await?,
                (None, Some(findings)) => findings,
                (None, None) => self.finding_counts(scope).await?,
            };
            Counting::Known(match query.min_severity {
                Some(min) => counts.at_least(min),
                None => counts.total(),
            })
        } else {
            Counting::UpTo(COUNT_CAP)
        };
        let (total, rows) = self
            .select_page(
                PageSelect {
                    table: "findings",
                    columns: FINDING_COLUMNS,
                    conditions,
                    order: ORDER,
                    limit: query.limit,
                    offset: query.offset,
                    counting,
                    count_context: "counting findings",
                    list_context: "listing findings",
                },
                params.into_values(),
            )
            .await?;
        let items = rows
            .iter()
            .map(|row| decode_finding(row, &self.target, now))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(FindingPage {
            items,
            total: total.count,
            total_exact: total.exact,
        })
    }

    pub(crate) async fn get_finding(&self, id: RecordId) -> Result<Option<Finding>, StoreError> {
        let mut conn = self
            .pool
            .acquire()
            .await
            .map_err(self.fail("reading a finding"))?;
        match load_finding(&mut conn, &self.target, id).await {
            Ok(finding) => Ok(Some(finding)),
            Err(StoreError::Missing { .. }) => Ok(None),
            Err(other) => Err(other),
        }
    }

    /// A person has seen it. Lifts a suppression (the audit log keeps it); acknowledging
    /// twice changes nothing.
    pub(crate) async fn acknowledge_finding(
        &self,
        actor: &str,
        id: RecordId,
    ) -> Result<Finding, StoreError> {
        let mut write = AuditedWrite::begin(self).await?;
        let target = write.target().to_owned();
        let before = load_finding(write.conn(), &target, id).await?;
        refuse_resolved(&before)?;
        if before.state == FindingState::Acknowledged {
            return Ok(before);
        }
        sqlx::query(
            "UPDATE findings SET state = 'acknowledged', suppressed_reason = NULL, \
             suppressed_until = NULL, suppressed_by = NULL, suppressed_at = NULL WHERE id = $1",
        )
        .bind(id)
        .execute(&mut *write.conn())
        .await
        .map_err(write.fail("acknowledging a finding"))?;
        let after = Finding {
            state: FindingState::Acknowledged,
            suppression: None,
            ..before.clone()
        };
        write.audit(
            actor,
            "finding.acknowledge",
            Entity::Finding,
            id,
            Some(audit_json(&before)),
            Some(audit_json(&after)),
        );
        write.commit().await?;
        Ok(after)
    }

    /// Hides a finding until `until`, for a stated reason. Refused without a reason, with
    /// an `until` not after `now`, and for resolved findings.
    pub(crate) async fn suppress_finding(
        &self,
        actor: &str,
        id: RecordId,
        reason: &str,
        until: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Finding, StoreError> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(StoreError::Invalid {
                field: "reason",
                zh: "屏蔽必须说明原因".to_owned(),
                en: "a suppression needs a reason; say why the finding may be hidden".to_owned(),
            });
        }
        let (until, now) = (to_micros(until), to_micros(now));
        if until <= now {
            return Err(StoreError::Invalid {
                field: "until",
                zh: format!(
                    "屏蔽截止时间 {} 必须晚于现在 {}",
                    format_instant(until),
                    format_instant(now)
                ),
                en: format!(
                    "the suppression ends at {}, which is not after now ({}); give a future end",
                    format_instant(until),
                    format_instant(now)
                ),
            });
        }
        let mut write = AuditedWrite::begin(self).await?;
        let target = write.target().to_owned();
        let before = load_finding(write.conn(), &target, id).await?;
        refuse_resolved(&before)?;
        let suppression = Suppression {
            reason: reason.to_owned(),
            until,
            by: actor.to_owned(),
            at: now,
        };
        let values = [
            SqlValue::text(reason),
            SqlValue::instant(until),
            SqlValue::text(actor),
            SqlValue::instant(now),
            SqlValue::Int(Some(id)),
        ];
        bind_values(
            sqlx::query(
                "UPDATE findings SET state = 'suppressed', suppressed_reason = $1, \
                 suppressed_until = $2, suppressed_by = $3, suppressed_at = $4 WHERE id = $5",
            ),
            values,
        )
        .execute(&mut *write.conn())
        .await
        .map_err(write.fail("suppressing a finding"))?;
        let after = Finding {
            state: effective_state(FindingState::Suppressed, Some(&suppression), now_micros()),
            suppression: Some(suppression),
            ..before.clone()
        };
        write.audit(
            actor,
            "finding.suppress",
            Entity::Finding,
            id,
            Some(audit_json(&before)),
            Some(audit_json(&after)),
        );
        write.commit().await?;
        Ok(after)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn suppression(until: DateTime<Utc>) -> Suppression {
        Suppression {
            reason: "迁移中".to_owned(),
            until,
            by: "cli:alice".to_owned(),
            at: DateTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn an_expired_suppression_reads_as_open() {
        let now = DateTime::UNIX_EPOCH + chrono::Duration::days(10);
        let later = suppression(now + chrono::Duration::seconds(1));
        let ended = suppression(now);
        use FindingState::*;
        assert_eq!(effective_state(Suppressed, Some(&later), now), Suppressed);
        assert_eq!(effective_state(Suppressed, Some(&ended), now), Open);
        assert_eq!(effective_state(Resolved, Some(&later), now), Resolved);
        assert_eq!(effective_state(Acknowledged, None, now), Acknowledged);
    }

    #[test]
    fn ranks_follow_severity_order() {
        let ranks: Vec<i64> = Severity::ALL.into_iter().map(severity_rank).collect();
        assert_eq!(ranks, vec![0, 1, 2, 3, 4]);
    }

    #[test]
    fn unresolved_listings_keep_the_partial_index_term() {
        let query = FindingQuery {
            states: vec![FindingState::Open, FindingState::Suppressed],
            ..FindingQuery::default()
        };
        let terms = conditions(&query, DateTime::UNIX_EPOCH, &mut Params::default());
        assert!(
            terms.contains(&"resolved_at IS NULL".to_owned()),
            "{terms:?}"
        );
        let query = FindingQuery {
            states: vec![FindingState::Open],
            include_resolved: true,
            ..FindingQuery::default()
        };
        let terms = conditions(&query, DateTime::UNIX_EPOCH, &mut Params::default());
        assert!(!terms.iter().any(|t| t == "resolved_at IS NULL"));
        assert!(
            terms.iter().any(|t| t.contains("state = 'resolved'")),
            "{terms:?}"
        );
    }
}
