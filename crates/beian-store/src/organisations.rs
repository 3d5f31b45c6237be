//! Organisations and which sites belong to them, and the listings scoped to them.
//!
//! Every website belongs to exactly one organisation (`websites.organisation_id`,
//! [`DEFAULT_ORGANISATION`] unless moved); the scoped listings here answer only with the
//! sites, findings and cases of the organisations asked for.

use std::collections::{BTreeSet, HashMap};

use beian_core::case::Case;
use beian_core::model::{Domain, Record, RecordId, RecordKind, RecordStatus};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AssertSqlSafe};

use crate::counts::CountScope;
use crate::engine::Engine;
use crate::error::{BackendFault, StoreError, classify, from_sqlx};
use crate::findings::{FindingPage, FindingQuery};
use crate::list::{Counting, ListQuery, Page, PageSelect};
use crate::records::{Params, RowReader, SqlValue, bind_values, decode, table};
use crate::users::{UserId, Write, invalid, no_such_user};
use crate::write::audit_json;
use crate::{CaseQuery, list};

pub type OrganisationId = i64;

/// The organisation every site starts in (created by the migration that added users).
pub const DEFAULT_ORGANISATION: OrganisationId = 1;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organisation {
    pub id: OrganisationId,
    pub name: String,
    pub created_at: DateTime<Utc>,
}

fn decode_organisation(row: &AnyRow, target: &str) -> Result<Organisation, StoreError> {
    let r = RowReader::new(row, "organisations", target);
    Ok(Organisation {
        id: r.int("id")?,
        name: r.text("name")?,
        created_at: r.instant("created_at")?,
    })
}

/// `IN (…)` over ids, with their placeholders pushed onto `params`. An empty list
/// matches nothing (`IN ()` is not SQL).
pub(crate) fn in_list(ids: &[i64], params: &mut Params) -> String {
    if ids.is_empty() {
        return "IN (NULL)".to_owned();
    }
    let placeholders: Vec<String> = ids
        .iter()
        .map(|id| params.push(SqlValue::Int(Some(*id))))
        .collect();
    format!("IN ({})", placeholders.join(", "))
}

/// How a listing keeps to a user's organisations depends on how many sites they hold
/// (`sites`). Few: `site_column IN (their sites)`, so an index on the site column finds
/// their few rows, which are then sorted. Many (an organisation holding most of 100,000
/// sites): that list is materialised on every call and the planner sorts a million
/// findings by severity (≈ 1 s); `EXISTS` per row instead walks the listing's order index
/// and checks each row's site until the page is full (≈ 0.1 ms for the first page).
/// Measured on SQLite with 100,000 sites and 1,000,000 findings; PostgreSQL plans either
/// form by cost. `site_column` must be qualified with its table (`findings.site_id`).
pub(crate) fn site_scope_condition(
    site_column: &str,
    organisations: &[OrganisationId],
    sites: u64,
    params: &mut Params,
) -> String {
    let organisation = in_list(organisations, params);
    if sites <= SMALL_SCOPE_SITES {
        format!("{site_column} IN (SELECT id FROM websites WHERE organisation_id {organisation})")
    } else {
        format!(
            "EXISTS (SELECT 1 FROM websites scope_site WHERE scope_site.id = {site_column} \
             AND scope_site.organisation_id {organisation})"
        )
    }
}

/// Up to this many sites in scope, [`site_scope_condition`] lists them (`IN`).
const SMALL_SCOPE_SITES: u64 = 2_000;

impl Engine {
    async fn organisation_exists(
        &self,
        conn: &mut AnyConnection,
        id: OrganisationId,
    ) -> Result<bool, StoreError> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM organisations WHERE id = $1")
            .bind(id)
            .fetch_one(conn)
            .await
            .map_err(self.fail("looking up an organisation"))?;
        Ok(RowReader::new(&row, "organisations", &self.target).int("n")? > 0)
    }

    pub(crate) async fn require_organisations(
        &self,
        conn: &mut AnyConnection,
        ids: &[OrganisationId],
    ) -> Result<(), StoreError> {
        for id in ids {
            if !self.organisation_exists(conn, *id).await? {
                return Err(invalid(
                    "organisation_id",
                    format!("组织 {id} 不存在"),
                    format!("there is no organisation with id {id}; create it first"),
                ));
            }
        }
        Ok(())
    }

    /// Creates an organisation with `members` (existing users) in it, all in one write:
    /// an administrator who creates one is never left outside it.
    pub(crate) async fn create_organisation(
        &self,
        actor: &str,
        name: &str,
        members: &[UserId],
    ) -> Result<Organisation, StoreError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(invalid(
                "name",
                "组织名称不能为空",
                "an organisation needs a name; give a non-empty one",
            ));
        }
        let mut write = Write::begin(self).await?;
        let at = write.at;
        let taken = sqlx::query("SELECT COUNT(*) AS n FROM organisations WHERE name = $1")
            .bind(name)
            .fetch_one(write.conn())
            .await
            .map_err(self.fail("looking up an organisation"))?;
        if RowReader::new(&taken, "organisations", &self.target).int("n")? > 0 {
            return Err(invalid(
                "name",
                format!("组织“{name}”已存在"),
                format!("an organisation named {name:?} already exists; use another name"),
            ));
        }
        let row = bind_values(
            sqlx::query(
                "INSERT INTO organisations (name, created_at) VALUES ($1, $2) RETURNING id",
            ),
            [SqlValue::text(name), SqlValue::instant(at)],
        )
        .fetch_one(write.conn())
        .await
        .map_err(self.fail("creating an organisation"))?;
        let organisation = Organisation {
            id: RowReader::new(&row, "organisations", &self.target).int("id")?,
            name: name.to_owned(),
            created_at: at,
        };
        let members: Vec<UserId> = members
            .iter()
            .copied()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        for member in &members {
            sqlx::query("INSERT INTO memberships (user_id, organisation_id) VALUES ($1, $2)")
                .bind(*member)
                .bind(organisation.id)
                .execute(write.conn())
                .await
                .map_err(|error| match classify(&error) {
                    BackendFault::ForeignKeyViolation => no_such_user(*member),
                    _ => from_sqlx(&self.target, "adding a member", error),
                })?;
        }
        write.audit(
            actor,
            "organisation.create",
            "organisation",
            organisation.id,
            None,
            Some(audit_json(&serde_json::json!({
                "organisation": organisation,
                "members": members,
            }))),
        );
        write.commit().await?;
        Ok(organisation)
    }

    pub(crate) async fn list_organisations(&self) -> Result<Vec<Organisation>, StoreError> {
        let rows = sqlx::query("SELECT id, name, created_at FROM organisations ORDER BY id")
            .fetch_all(&self.pool)
            .await
            .map_err(self.fail("listing organisations"))?;
        rows.iter()
            .map(|row| decode_organisation(row, &self.target))
            .collect()
    }

    /// Moves a site into an organisation; audited as `site.organisation`.
    pub(crate) async fn set_site_organisation(
        &self,
        actor: &str,
        site_id: RecordId,
        organisation_id: OrganisationId,
    ) -> Result<(), StoreError> {
        let mut write = Write::begin(self).await?;
        self.require_organisations(write.conn(), &[organisation_id])
            .await?;
        let before = self.site_organisations_on(write.conn(), &[site_id]).await?;
        let Some(before) = before.get(&site_id).copied() else {
            return Err(StoreError::NotFound {
                kind: RecordKind::Website,
                id: site_id,
            });
        };
        sqlx::query("UPDATE websites SET organisation_id = $1 WHERE id = $2")
            .bind(organisation_id)
            .bind(site_id)
            .execute(write.conn())
            .await
            .map_err(self.fail("moving a site"))?;
        write.audit(
            actor,
            "site.organisation",
            RecordKind::Website.as_str(),
            site_id,
            Some(audit_json(
                &serde_json::json!({ "organisation_id": before }),
            )),
            Some(audit_json(
                &serde_json::json!({ "organisation_id": organisation_id }),
            )),
        );
        write.commit().await
    }

    /// One column of each of these websites, by id (missing sites left out), in a few
    /// statements rather than one per site.
    async fn site_column_on<T>(
        &self,
        conn: &mut AnyConnection,
        site_ids: &[RecordId],
        column: &'static str,
        read: impl Fn(&RowReader<'_>, &'static str) -> Result<T, StoreError>,
    ) -> Result<HashMap<RecordId, T>, StoreError> {
        let mut out = HashMap::new();
        // Bounded statements: SQLite limits the number of parameters of one.
        for chunk in site_ids.chunks(500) {
            let mut params = Params::default();
            let sql = format!(
                "SELECT id, {column} FROM websites WHERE id {}",
                in_list(chunk, &mut params)
            );
            let rows = bind_values(sqlx::query(AssertSqlSafe(sql)), params.into_values())
                .fetch_all(&mut *conn)
                .await
                .map_err(self.fail("reading sites by id"))?;
            for row in &rows {
                let r = RowReader::new(row, "websites", &self.target);
                out.insert(r.int("id")?, read(&r, column)?);
            }
        }
        Ok(out)
    }

    async fn site_organisations_on(
        &self,
        conn: &mut AnyConnection,
        site_ids: &[RecordId],
    ) -> Result<HashMap<RecordId, OrganisationId>, StoreError> {
        self.site_column_on(conn, site_ids, "organisation_id", |r, c| r.int(c))
            .await
    }

    /// The name of each of these sites; missing sites are left out.
    pub(crate) async fn site_names(
        &self,
        site_ids: &[RecordId],
    ) -> Result<HashMap<RecordId, String>, StoreError> {
        let mut conn = self.pool.acquire().await.map_err(self.fail("connecting"))?;
        self.site_column_on(&mut conn, site_ids, "name", |r, c| r.text(c))
            .await
    }

    /// Which organisation each of these sites is in; missing sites are left out.
    pub(crate) async fn site_organisations(
        &self,
        site_ids: &[RecordId],
    ) -> Result<HashMap<RecordId, OrganisationId>, StoreError> {
        let mut conn = self.pool.acquire().await.map_err(self.fail("connecting"))?;
        self.site_organisations_on(&mut conn, site_ids).await
    }

    /// A listing of websites (`query.kind` must be [`RecordKind::Website`]) restricted to
    /// the sites of `organisations`, with the same filters and order as [`Engine::list`].
    pub(crate) async fn list_sites_in(
        &self,
        organisations: &[OrganisationId],
        query: &ListQuery,
    ) -> Result<Page, StoreError> {
        if query.kind != RecordKind::Website {
            return Err(invalid(
                "kind",
                "只能按组织列出网站",
                "only websites can be listed by organisation; ask for kind website",
            ));
        }
        let table = table(RecordKind::Website);
        let mut params = Params::default();
        let mut conditions = list::conditions(query, &mut params)?;
        conditions.push(format!(
            "organisation_id {}",
            in_list(organisations, &mut params)
        ));
        // Filtered by organisation (and status) only: the count table knows the total,
        // which spares a COUNT(*) over every site of the organisations.
        let counting = if query.filters_only_status() {
            let by_status = self
                .site_status_counts(CountScope::Organisations(organisations))
                .await?;
            let wanted = query
                .status
                .as_deref()
                .and_then(RecordStatus::parse)
                .map(RecordStatus::as_str);
            Counting::Known(
                by_status
                    .iter()
                    .filter(|(status, _)| wanted.is_none_or(|w| w == status.as_str()))
                    .map(|(_, n)| n)
                    .sum(),
            )
        } else {
            Counting::Exact
        };
        let (total, rows) = self
            .select_page(
                PageSelect {
                    table: "websites",
                    columns: &table.sql.select_columns,
                    conditions,
                    order: "id",
                    limit: query.limit,
                    offset: query.offset,
                    counting,
                    count_context: "counting sites",
                    list_context: "listing sites",
                },
                params.into_values(),
            )
            .await?;
        let items = rows
            .iter()
            .map(|row| decode(RecordKind::Website, row, &self.target))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Page {
            items,
            total: total.count,
        })
    }

    /// A listing of findings restricted to the sites of `organisations`, with the same
    /// filters and order as [`Engine::list_findings`].
    pub(crate) async fn list_findings_in(
        &self,
        organisations: &[OrganisationId],
        query: &FindingQuery,
    ) -> Result<FindingPage, StoreError> {
        self.list_findings_scoped(query, CountScope::Organisations(organisations))
            .await
    }

    /// Domains expiring before `before` (soonest first, at most `limit`) of the sites of
    /// `organisations`, which hold `sites` sites (the caller has counted them already); a
    /// domain of no site belongs to the default organisation. No total is counted: the
    /// overview shows the first few.
    pub(crate) async fn expiring_domains_in(
        &self,
        organisations: &[OrganisationId],
        sites: u64,
        before: NaiveDate,
        limit: u32,
    ) -> Result<Vec<Domain>, StoreError> {
        let mut params = Params::default();
        let before = params.push(SqlValue::text(before.to_string()));
        let scope = site_scope_condition("domains.website_id", organisations, sites, &mut params);
        let unowned = if organisations.contains(&DEFAULT_ORGANISATION) {
            "domains.website_id IS NULL OR "
        } else {
            ""
        };
        let sql = format!(
            "SELECT {} FROM domains WHERE expires_on IS NOT NULL AND expires_on < {before} \
             AND ({unowned}{scope}) ORDER BY expires_on, id LIMIT {}",
            table(RecordKind::Domain).sql.select_columns,
            limit.max(1)
        );
        let rows = bind_values(sqlx::query(AssertSqlSafe(sql)), params.into_values())
            .fetch_all(&self.pool)
            .await
            .map_err(self.fail("listing expiring domains"))?;
        let mut domains = Vec::with_capacity(rows.len());
        for row in &rows {
            if let Record::Domain(domain) = decode(RecordKind::Domain, row, &self.target)? {
                domains.push(domain);
            }
        }
        Ok(domains)
    }

    /// Cases of the sites of `organisations`; a case that names no site belongs to the
    /// default organisation.
    pub(crate) async fn list_cases_in(
        &self,
        organisations: &[OrganisationId],
        query: &CaseQuery,
    ) -> Result<Vec<Case>, StoreError> {
        let cases = self.list_cases(query).await?;
        let site_ids: Vec<RecordId> = cases
            .iter()
            .filter_map(|case| case.site_id)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let owners = self.site_organisations(&site_ids).await?;
        Ok(cases
            .into_iter()
            .filter(|case| {
                let owner = match case.site_id {
                    Some(site) => owners.get(&site).copied(),
                    None => Some(DEFAULT_ORGANISATION),
                };
                owner.is_some_and(|owner| organisations.contains(&owner))
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_id_list_matches_nothing() {
        let mut params = Params::default();
        assert_eq!(in_list(&[], &mut params), "IN (NULL)");
        assert_eq!(in_list(&[4, 5], &mut params), "IN ($1, $2)");
    }
}
