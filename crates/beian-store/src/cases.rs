//! Filing cases and their history. The store does not judge transitions (the state
//! machine in `beian_core::case` does); it guarantees that a step applies to the state
//! it was decided on, that every step leaves an event and an audit entry, and that a
//! site never has two unfinished cases of one kind.
//!
//! Audit entries of a case step: `before` is the case as it was (none when opening),
//! `after` is `{"case": …, "event": …}` — the case as it is now and the step that made
//! it so, note included.

use beian_core::case::{Case, CaseDraft, CaseEvent, CaseKind, CaseState};
use beian_core::model::{RecordId, RecordKind};
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AssertSqlSafe};

use crate::engine::{Engine, now_micros, to_micros};
use crate::error::{Entity, StoreError, from_sqlx};
use crate::records::{Params, RowReader, SqlValue, bind_values, table};
use crate::write::{AuditedWrite, audit_json};

/// Which cases to list (by id, oldest first).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CaseQuery {
    pub site_id: Option<RecordId>,
    pub kind: Option<CaseKind>,
    /// Only these states; empty means every unfinished state.
    pub states: Vec<CaseState>,
    /// Also list closed and withdrawn cases (naming them in `states` does too).
    pub include_terminal: bool,
}

const CASE_COLUMNS: &str = "id, kind, state, subject_id, site_id, filing_id, finding_id, \
     title, checklist, deadlines, opened_at, opened_by, state_since, updated_at, reference_date";
const EVENT_COLUMNS: &str = "id, case_id, at, actor, action, from_state, to_state, note";
/// Spelled as in the partial index `cases_one_open_per_site_and_kind`, so it applies.
const UNFINISHED: &str = "state NOT IN ('closed', 'withdrawn')";

#[derive(Serialize)]
struct CaseStep<'a> {
    case: &'a Case,
    event: &'a CaseEvent,
}

fn decode_case(row: &AnyRow, target: &str) -> Result<Case, StoreError> {
    let r = RowReader::new(row, "cases", target);
    Ok(Case {
        id: r.int("id")?,
        kind: r.code("kind", CaseKind::parse)?,
        state: r.code("state", CaseState::parse)?,
        subject_id: r.opt_int("subject_id")?,
        site_id: r.opt_int("site_id")?,
        filing_id: r.opt_int("filing_id")?,
        finding_id: r.opt_int("finding_id")?,
        title: r.text("title")?,
        checklist: r.json("checklist")?,
        deadlines: r.json("deadlines")?,
        opened_at: r.instant("opened_at")?,
        opened_by: r.text("opened_by")?,
        state_since: r.instant("state_since")?,
        updated_at: r.instant("updated_at")?,
        reference_date: r.opt_date("reference_date")?,
    })
}

fn decode_event(row: &AnyRow, target: &str) -> Result<CaseEvent, StoreError> {
    let r = RowReader::new(row, "case_events", target);
    Ok(CaseEvent {
        id: r.int("id")?,
        case_id: r.int("case_id")?,
        at: r.instant("at")?,
        actor: r.text("actor")?,
        action: r.text("action")?,
        from_state: r.opt_code("from_state", CaseState::parse)?,
        to_state: r.opt_code("to_state", CaseState::parse)?,
        note: r.text("note")?,
    })
}

async fn load_case(
    conn: &mut AnyConnection,
    target: &str,
    id: RecordId,
) -> Result<Case, StoreError> {
    let sql = format!("SELECT {CASE_COLUMNS} FROM cases WHERE id = $1");
    let row = sqlx::query(AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(conn)
        .await
        .map_err(|e| from_sqlx(target, "reading a case", e))?;
    match row {
        Some(row) => decode_case(&row, target),
        None => Err(StoreError::Missing {
            entity: Entity::Case,
            id,
        }),
    }
}

fn require_title(title: &str) -> Result<(), StoreError> {
    if title.trim().is_empty() {
        return Err(StoreError::Invalid {
            field: "title",
            zh: "工单标题不能为空".to_owned(),
            en: "a case needs a title; say what is being filed".to_owned(),
        });
    }
    Ok(())
}

/// The audit action is `case.<action>`, so the action is a lower-case word.
fn require_action(action: &str) -> Result<(), StoreError> {
    let word = !action.is_empty()
        && action
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !word {
        return Err(StoreError::Invalid {
            field: "action",
            zh: format!("步骤名 {action:?} 只能由小写字母、数字和下划线组成"),
            en: format!(
                "step name {action:?} must be lower-case letters, digits and underscores, \
                 e.g. advance, note, tick, close"
            ),
        });
    }
    Ok(())
}

/// Refuses links to inventory records that do not exist.
async fn check_links(
    write: &mut AuditedWrite<'_>,
    links: [(RecordKind, Option<RecordId>); 3],
) -> Result<(), StoreError> {
    for (kind, id) in links {
        let Some(id) = id else { continue };
        let sql = format!("SELECT id FROM {} WHERE id = $1", table(kind).name);
        let found = sqlx::query(AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&mut *write.conn())
            .await
            .map_err(write.fail("checking a case's links"))?;
        if found.is_none() {
            return Err(StoreError::NotFound { kind, id });
        }
    }
    Ok(())
}

/// An unfinished case of `kind` for the site other than `except`.
async fn unfinished_case(
    write: &mut AuditedWrite<'_>,
    kind: CaseKind,
    site_id: RecordId,
    except: Option<RecordId>,
) -> Result<Option<RecordId>, StoreError> {
    let sql = format!(
        "SELECT id FROM cases WHERE site_id = $1 AND kind = $2 AND {UNFINISHED} AND id <> $3 \
         ORDER BY id LIMIT 1"
    );
    let row = sqlx::query(AssertSqlSafe(sql))
        .bind(site_id)
        .bind(kind.as_str())
        .bind(except.unwrap_or(0))
        .fetch_optional(&mut *write.conn())
        .await
        .map_err(write.fail("looking for an unfinished case"))?;
    row.map(|row| RowReader::new(&row, "cases", write.target()).int("id"))
        .transpose()
}

fn already_open_for_site(existing: RecordId, kind: CaseKind, site_id: RecordId) -> StoreError {
    StoreError::CaseAlreadyOpen {
        existing,
        kind,
        on_zh: format!("站点 {site_id} "),
        on_en: format!("site {site_id}"),
    }
}

#[allow(clippy::too_many_arguments)]
async fn insert_event(
    write: &mut AuditedWrite<'_>,
    case_id: RecordId,
    at: DateTime<Utc>,
    actor: &str,
    action: &str,
    from_state: Option<CaseState>,
    to_state: Option<CaseState>,
    note: &str,
) -> Result<CaseEvent, StoreError> {
    let values = [
        SqlValue::Int(Some(case_id)),
        SqlValue::instant(at),
        SqlValue::text(actor),
        SqlValue::text(action),
        SqlValue::Text(from_state.map(|s| s.as_str().to_owned())),
        SqlValue::Text(to_state.map(|s| s.as_str().to_owned())),
        SqlValue::text(note),
    ];
    let row = bind_values(
        sqlx::query(
            "INSERT INTO case_events (case_id, at, actor, action, from_state, to_state, note) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        ),
        values,
    )
    .fetch_one(&mut *write.conn())
    .await
    .map_err(write.fail("recording a case step"))?;
    Ok(CaseEvent {
        id: RowReader::new(&row, "case_events", write.target()).int("id")?,
        case_id,
        at,
        actor: actor.to_owned(),
        action: action.to_owned(),
        from_state,
        to_state,
        note: note.to_owned(),
    })
}

/// Column values of a case after `id`, in the order of [`CASE_COLUMNS`].
fn case_values(case: &Case) -> Vec<SqlValue> {
    vec![
        SqlValue::text(case.kind.as_str()),
        SqlValue::text(case.state.as_str()),
        SqlValue::Int(case.subject_id),
        SqlValue::Int(case.site_id),
        SqlValue::Int(case.filing_id),
        SqlValue::Int(case.finding_id),
        SqlValue::text(case.title.as_str()),
        SqlValue::Text(Some(audit_json(&case.checklist))),
        SqlValue::Text(Some(audit_json(&case.deadlines))),
        SqlValue::instant(case.opened_at),
        SqlValue::text(case.opened_by.as_str()),
        SqlValue::instant(case.state_since),
        SqlValue::instant(case.updated_at),
        SqlValue::date(case.reference_date),
    ]
}

impl Engine {
    pub(crate) async fn open_case(
        &self,
        actor: &str,
        draft: &CaseDraft,
    ) -> Result<Case, StoreError> {
        require_title(&draft.title)?;
        let mut write = AuditedWrite::begin(self).await?;
        check_links(
            &mut write,
            [
                (RecordKind::Subject, draft.subject_id),
                (RecordKind::Website, draft.site_id),
                (RecordKind::Filing, draft.filing_id),
            ],
        )
        .await?;
        if let Some(finding_id) = draft.finding_id {
            let found = sqlx::query("SELECT id FROM findings WHERE id = $1")
                .bind(finding_id)
                .fetch_optional(&mut *write.conn())
                .await
                .map_err(write.fail("reading a finding"))?;
            if found.is_none() {
                return Err(StoreError::Missing {
                    entity: Entity::Finding,
                    id: finding_id,
                });
            }
            let sql = format!("SELECT {CASE_COLUMNS} FROM cases WHERE finding_id = $1");
            let existing = sqlx::query(AssertSqlSafe(sql))
                .bind(finding_id)
                .fetch_optional(&mut *write.conn())
                .await
                .map_err(write.fail("looking for the finding's case"))?;
            if let Some(row) = existing {
                let existing = decode_case(&row, write.target())?;
                return Err(StoreError::CaseAlreadyOpen {
                    existing: existing.id,
                    kind: existing.kind,
                    on_zh: format!("发现 {finding_id} "),
                    on_en: format!("finding {finding_id}"),
                });
            }
        }
        if let Some(site_id) = draft.site_id
            && let Some(existing) = unfinished_case(&mut write, draft.kind, site_id, None).await?
        {
            return Err(already_open_for_site(existing, draft.kind, site_id));
        }
        let now = now_micros();
        let mut case = Case {
            id: 0,
            kind: draft.kind,
            state: CaseState::Draft,
            subject_id: draft.subject_id,
            site_id: draft.site_id,
            filing_id: draft.filing_id,
            finding_id: draft.finding_id,
            title: draft.title.clone(),
            checklist: draft.checklist.clone(),
            deadlines: draft.deadlines.clone(),
            opened_at: now,
            opened_by: actor.to_owned(),
            state_since: now,
            updated_at: now,
            reference_date: draft.reference_date,
        };
        let columns = CASE_COLUMNS.trim_start_matches("id, ");
        let placeholders: Vec<String> = (1..=14).map(|n| format!("${n}")).collect();
        let sql = format!(
            "INSERT INTO cases ({columns}) VALUES ({}) RETURNING id",
            placeholders.join(", ")
        );
        let row = bind_values(sqlx::query(AssertSqlSafe(sql)), case_values(&case))
            .fetch_one(&mut *write.conn())
            .await
            .map_err(write.fail("opening a case"))?;
        case.id = RowReader::new(&row, "cases", write.target()).int("id")?;
        let event = insert_event(
            &mut write,
            case.id,
            now,
            actor,
            "open",
            None,
            Some(case.state),
            "",
        )
        .await?;
        let after = audit_json(&CaseStep {
            case: &case,
            event: &event,
        });
        write.audit(actor, "case.open", Entity::Case, case.id, None, Some(after));
        write.commit().await?;
        Ok(case)
    }

    pub(crate) async fn find_open_case(
        &self,
        kind: CaseKind,
        site_id: RecordId,
    ) -> Result<Option<Case>, StoreError> {
        let sql = format!(
            "SELECT {CASE_COLUMNS} FROM cases WHERE site_id = $1 AND kind = $2 AND {UNFINISHED} \
             ORDER BY id LIMIT 1"
        );
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(site_id)
            .bind(kind.as_str())
            .fetch_optional(&self.pool)
            .await
            .map_err(self.fail("looking for an open case"))?;
        row.map(|row| decode_case(&row, &self.target)).transpose()
    }

    pub(crate) async fn get_case(&self, id: RecordId) -> Result<Option<Case>, StoreError> {
        let mut conn = self
            .pool
            .acquire()
            .await
            .map_err(self.fail("reading a case"))?;
        match load_case(&mut conn, &self.target, id).await {
            Ok(case) => Ok(Some(case)),
            Err(StoreError::Missing { .. }) => Ok(None),
            Err(other) => Err(other),
        }
    }

    pub(crate) async fn list_cases(&self, query: &CaseQuery) -> Result<Vec<Case>, StoreError> {
        let mut params = Params::default();
        let mut conditions = Vec::new();
        if let Some(site_id) = query.site_id {
            conditions.push(format!(
                "site_id = {}",
                params.push(SqlValue::Int(Some(site_id)))
            ));
        }
        if let Some(kind) = query.kind {
            conditions.push(format!(
                "kind = {}",
                params.push(SqlValue::text(kind.as_str()))
            ));
        }
        let with_terminal =
            query.include_terminal || query.states.iter().any(|state| state.is_terminal());
        if !query.states.is_empty() {
            let mut alternatives: Vec<String> = query
                .states
                .iter()
                .map(|state| format!("state = {}", params.push(SqlValue::text(state.as_str()))))
                .collect();
            if with_terminal {
                alternatives.push("state IN ('closed', 'withdrawn')".to_owned());
            }
            conditions.push(format!("({})", alternatives.join(" OR ")));
        } else if !with_terminal {
            conditions.push(UNFINISHED.to_owned());
        }
        let where_clause = if conditions.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", conditions.join(" AND "))
        };
        let sql = format!("SELECT {CASE_COLUMNS} FROM cases {where_clause} ORDER BY id");
        let rows = bind_values(sqlx::query(AssertSqlSafe(sql)), params.into_values())
            .fetch_all(&self.pool)
            .await
            .map_err(self.fail("listing cases"))?;
        rows.iter()
            .map(|row| decode_case(row, &self.target))
            .collect()
    }

    /// Writes `case` if its stored state is still `expected_state`, with an event and an
    /// audit entry `case.<action>`. The store keeps `opened_at`/`opened_by` and stamps
    /// `updated_at`; the kind and the finding a case was opened for never change.
    pub(crate) async fn update_case(
        &self,
        actor: &str,
        case: &Case,
        expected_state: CaseState,
        action: &str,
        note: &str,
    ) -> Result<Case, StoreError> {
        require_action(action)?;
        require_title(&case.title)?;
        let mut write = AuditedWrite::begin(self).await?;
        let target = write.target().to_owned();
        let before = load_case(write.conn(), &target, case.id).await?;
        if before.state != expected_state {
            return Err(StoreError::StateConflict {
                entity: Entity::Case,
                id: case.id,
                expected: expected_state.as_str().to_owned(),
                actual: before.state.as_str().to_owned(),
                hint: "有人已修改此工单，请重新查看后再操作 / someone changed the case \
                       meanwhile; show it again and retry",
            });
        }
        if case.kind != before.kind {
            return Err(StoreError::Invalid {
                field: "kind",
                zh: format!(
                    "工单 {} 的类型不能从 {} 改为 {}",
                    case.id,
                    before.kind.as_str(),
                    case.kind.as_str()
                ),
                en: format!(
                    "case {} cannot change kind from {} to {}; withdraw it and open a new case",
                    case.id,
                    before.kind.as_str(),
                    case.kind.as_str()
                ),
            });
        }
        if case.finding_id != before.finding_id {
            return Err(StoreError::Invalid {
                field: "finding_id",
                zh: format!("工单 {} 所依据的发现不能更改", case.id),
                en: format!(
                    "case {} cannot change the finding it was opened for; open a new case",
                    case.id
                ),
            });
        }
        let changed = |now: Option<RecordId>, was: Option<RecordId>| now.filter(|_| now != was);
        check_links(
            &mut write,
            [
                (
                    RecordKind::Subject,
                    changed(case.subject_id, before.subject_id),
                ),
                (RecordKind::Website, changed(case.site_id, before.site_id)),
                (
                    RecordKind::Filing,
                    changed(case.filing_id, before.filing_id),
                ),
            ],
        )
        .await?;
        let rejoins = case.site_id != before.site_id || before.state.is_terminal();
        if let Some(site_id) = case.site_id
            && !case.state.is_terminal()
            && rejoins
            && let Some(existing) =
                unfinished_case(&mut write, case.kind, site_id, Some(case.id)).await?
        {
            return Err(already_open_for_site(existing, case.kind, site_id));
        }
        let now = now_micros();
        let after = Case {
            opened_at: before.opened_at,
            opened_by: before.opened_by.clone(),
            state_since: to_micros(case.state_since),
            updated_at: now,
            ..case.clone()
        };
        let assignments: Vec<String> = CASE_COLUMNS
            .split(", ")
            .skip(1)
            .enumerate()
            .map(|(n, column)| format!("{column} = ${}", n + 1))
            .collect();
        let sql = format!(
            "UPDATE cases SET {} WHERE id = $15 AND state = $16",
            assignments.join(", ")
        );
        let mut values = case_values(&after);
        values.push(SqlValue::Int(Some(case.id)));
        values.push(SqlValue::text(expected_state.as_str()));
        bind_values(sqlx::query(AssertSqlSafe(sql)), values)
            .execute(&mut *write.conn())
            .await
            .map_err(write.fail("updating a case"))?;
        let event = insert_event(
            &mut write,
            case.id,
            now,
            actor,
            action,
            Some(before.state),
            Some(after.state),
            note,
        )
        .await?;
        let after_json = audit_json(&CaseStep {
            case: &after,
            event: &event,
        });
        write.audit(
            actor,
            &format!("case.{action}"),
            Entity::Case,
            case.id,
            Some(audit_json(&before)),
            Some(after_json),
        );
        write.commit().await?;
        Ok(after)
    }

    pub(crate) async fn case_events(
        &self,
        case_id: RecordId,
    ) -> Result<Vec<CaseEvent>, StoreError> {
        let sql = format!("SELECT {EVENT_COLUMNS} FROM case_events WHERE case_id = $1 ORDER BY id");
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(case_id)
            .fetch_all(&self.pool)
            .await
            .map_err(self.fail("reading a case's history"))?;
        if rows.is_empty() {
            // Every case has its "open" event: none means no such case.
            let mut conn = self
                .pool
                .acquire()
                .await
                .map_err(self.fail("reading a case"))?;
            load_case(&mut conn, &self.target, case_id).await?;
        }
        rows.iter()
            .map(|row| decode_event(row, &self.target))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_names_are_lower_case_words() {
        for good in ["advance", "note", "tick", "close", "step_2"] {
            assert!(require_action(good).is_ok(), "{good}");
        }
        for bad in ["", "Advance", "case.advance", "a b", "步骤"] {
            assert!(
                matches!(
                    require_action(bad),
                    Err(StoreError::Invalid {
                        field: "action",
                        ..
                    })
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn insert_and_update_cover_every_column() {
        let columns = CASE_COLUMNS.split(", ").count();
        assert_eq!(columns, 15);
        let case = Case {
            id: 0,
            kind: CaseKind::IcpNew,
            state: CaseState::Draft,
            subject_id: None,
            site_id: None,
            filing_id: None,
            finding_id: None,
            title: String::new(),
            checklist: vec![],
            deadlines: vec![],
            opened_at: DateTime::UNIX_EPOCH,
            opened_by: String::new(),
            state_since: DateTime::UNIX_EPOCH,
            updated_at: DateTime::UNIX_EPOCH,
            reference_date: None,
        };
        assert_eq!(case_values(&case).len(), columns - 1);
    }
}
