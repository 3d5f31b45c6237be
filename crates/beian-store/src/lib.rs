//! Beian Guard store: the inventory and the audit log, on SQLite (default, embedded)
//! or PostgreSQL (teams, several workers).
//!
//! Both backends implement [`Store`] through one shared code path over sqlx's `Any`
//! driver; each has its own connect options, its own migrations
//! (`migrations/sqlite`, `migrations/postgres`) and its own way of serialising writers.
//! Every change appends a hash-chained [`AuditEntry`] in the same transaction: inventory
//! changes, scans, findings (opened, resolved, re-graded, acknowledged, suppressed) and
//! filing-case steps alike.
//!
//! ```no_run
//! # async fn demo() -> Result<(), beian_store::StoreError> {
//! use beian_store::{ListQuery, OpenMode, Store, StoreLocation};
//! use beian_core::model::RecordKind;
//! let store = beian_store::open(&StoreLocation::parse("beian.db"), OpenMode::CreateIfMissing).await?;
//! let page = store.list(&ListQuery::of(RecordKind::Website)).await?;
//! println!("{} websites", page.total);
//! # Ok(()) }
//! ```

mod audit_log;
mod bulk;
mod cases;
mod counts;
mod engine;
mod error;
mod findings;
mod judgement;
mod list;
mod location;
mod migrate;
mod notify_log;
mod organisations;
mod postgres;
mod records;
mod scans;
mod schedule;
mod sqlite;
mod users;
mod write;

use beian_core::audit::{AuditEntry, ChainVerdict};
use beian_core::case::{Case, CaseDraft, CaseEvent, CaseKind, CaseState};
use beian_core::finding::{Finding, FindingDraft};
use beian_core::model::{Change, Record, RecordId, RecordKind};
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::{BTreeMap, HashMap};

pub use audit_log::AuditQuery;
pub use cases::CaseQuery;
pub use counts::{CountScope, SeverityCounts};
pub use error::{Entity, StoreError};
pub use findings::{COUNT_CAP, FindingPage, FindingQuery};
pub use judgement::{JudgementOutcome, SeverityChange};
pub use list::{ListQuery, Page};
pub use location::{StoreLocation, redact_url};
pub use notify_log::{NotifyAudit, NotifyMark};
pub use organisations::{DEFAULT_ORGANISATION, Organisation, OrganisationId};
pub use postgres::PostgresStore;
pub use scans::{ScanRun, StoredObservation};
pub use schedule::{DueSite, ScheduledCheck, SiteRecords};
pub use sqlite::{DEFAULT_BUSY_TIMEOUT, SqliteOptions, SqliteStore};
pub use users::{
    ApiToken, Credentials, NewApiToken, NewUser, Role, Session, User, UserId, hash_token,
};

/// Whether opening may create the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenMode {
    /// `beian init`: create the SQLite file (or PostgreSQL database) if it is missing.
    CreateIfMissing,
    /// Every other command: a missing database is an error that suggests `beian init`.
    MustExist,
}

/// Opens the store at `location` and brings its schema up to date.
pub async fn open(location: &StoreLocation, mode: OpenMode) -> Result<AnyStore, StoreError> {
    match location {
        StoreLocation::Sqlite(path) => SqliteStore::open(&SqliteOptions::new(path, mode))
            .await
            .map(AnyStore::Sqlite),
        StoreLocation::Postgres(url) => {
            PostgresStore::open(url, mode).await.map(AnyStore::Postgres)
        }
    }
}

/// The inventory and its audit log.
#[allow(async_fn_in_trait)]
pub trait Store {
    /// All changes in one transaction, one audit entry per change; returns the stored
    /// records in the order of `changes` (ids assigned; a deleted record as it was).
    /// Any failure rolls everything back.
    async fn apply(&self, actor: &str, changes: &[Change]) -> Result<Vec<Record>, StoreError>;

    async fn get(&self, kind: RecordKind, id: RecordId) -> Result<Option<Record>, StoreError>;

    /// By natural key: subject id_number, website home_url, domain name (ASCII), filing
    /// number, access provider name. Persons have no natural key: always `None`.
    async fn find(&self, kind: RecordKind, key: &str) -> Result<Option<Record>, StoreError>;

    async fn list(&self, query: &ListQuery) -> Result<Page, StoreError>;

    /// Audit entries in `seq` order.
    async fn audit_entries(&self, query: &AuditQuery) -> Result<Vec<AuditEntry>, StoreError>;

    /// Walks the whole chain; a broken verdict names the first entry that does not match.
    async fn verify_audit_chain(&self) -> Result<ChainVerdict, StoreError>;

    /// Records an event that is not an inventory change (an import summary, a scan, a
    /// case step) on the same chain. `before`/`after` are JSON text.
    async fn append_audit(
        &self,
        actor: &str,
        action: &str,
        entity: &str,
        entity_id: Option<i64>,
        before: Option<String>,
        after: Option<String>,
    ) -> Result<AuditEntry, StoreError>;

    /// Starts a scan run; audited as `scan.start`.
    async fn begin_scan(&self, actor: &str, scope: &str) -> Result<ScanRun, StoreError>;

    /// Stores one site's judgement in one transaction: its observation (replacing the
    /// scan's earlier one for the site) and the merge of `drafts` into the site's findings
    /// — new ones open, unresolved ones seen again are refreshed, unresolved ones not in
    /// `drafts` resolve. Audited as `finding.open`, `finding.severity`, `finding.resolve`
    /// per change. The same call twice changes only `last_seen`.
    async fn record_site_judgement(
        &self,
        actor: &str,
        scan_id: RecordId,
        site_id: RecordId,
        observation_json: Option<&str>,
        drafts: &[FindingDraft],
        now: DateTime<Utc>,
    ) -> Result<JudgementOutcome, StoreError>;

    /// Marks a scan finished with the caller's summary (JSON text); audited as `scan.finish`.
    async fn finish_scan(
        &self,
        actor: &str,
        scan_id: RecordId,
        summary_json: &str,
    ) -> Result<ScanRun, StoreError>;

    /// The sites a scan has judged so far, by id (what a rerun may skip).
    async fn scan_sites_done(&self, scan_id: RecordId) -> Result<Vec<RecordId>, StoreError>;

    /// A site's stored observations, newest first; `limit` 0 means all.
    async fn latest_observations(
        &self,
        site_id: RecordId,
        limit: u32,
    ) -> Result<Vec<StoredObservation>, StoreError>;

    /// Findings by severity (highest first), first seen, id; states as of now.
    async fn list_findings(&self, query: &FindingQuery) -> Result<FindingPage, StoreError>;

    async fn get_finding(&self, id: RecordId) -> Result<Option<Finding>, StoreError>;

    /// Audited as `finding.acknowledge`; lifts a suppression.
    async fn acknowledge_finding(&self, actor: &str, id: RecordId) -> Result<Finding, StoreError>;

    /// Hides a finding until `until` (after `now`) for a non-empty reason; audited as
    /// `finding.suppress`.
    async fn suppress_finding(
        &self,
        actor: &str,
        id: RecordId,
        reason: &str,
        until: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Finding, StoreError>;

    /// Opens a case in state `draft` with an `open` event; audited as `case.open`.
    /// Refused while the site has an unfinished case of the same kind, or the finding
    /// already has a case.
    async fn open_case(&self, actor: &str, draft: &CaseDraft) -> Result<Case, StoreError>;

    /// The site's unfinished (not closed, not withdrawn) case of this kind.
    async fn find_open_case(
        &self,
        kind: CaseKind,
        site_id: RecordId,
    ) -> Result<Option<Case>, StoreError>;

    async fn get_case(&self, id: RecordId) -> Result<Option<Case>, StoreError>;

    async fn list_cases(&self, query: &CaseQuery) -> Result<Vec<Case>, StoreError>;

    /// Writes `case` only if its stored state is still `expected_state` (else
    /// [`StoreError::StateConflict`]), appends an event `action` with `note`, and audits
    /// `case.<action>`.
    async fn update_case(
        &self,
        actor: &str,
        case: &Case,
        expected_state: CaseState,
        action: &str,
        note: &str,
    ) -> Result<Case, StoreError>;

    /// A case's history, oldest first.
    async fn case_events(&self, case_id: RecordId) -> Result<Vec<CaseEvent>, StoreError>;

    /// Audited as `organisation.create`; names are unique. `members` (existing users)
    /// join it in the same write.
    async fn create_organisation(
        &self,
        actor: &str,
        name: &str,
        members: &[UserId],
    ) -> Result<Organisation, StoreError>;

    async fn list_organisations(&self) -> Result<Vec<Organisation>, StoreError>;

    /// Audited as `user.create` (without the hash). Names are unique; the hash must be
    /// argon2id; at least one existing organisation.
    async fn create_user(&self, actor: &str, new: &NewUser<'_>) -> Result<User, StoreError>;

    async fn get_user(&self, id: UserId) -> Result<Option<User>, StoreError>;

    /// The user with this name and the hash to check a password against (login only).
    async fn user_credentials(&self, name: &str) -> Result<Option<Credentials>, StoreError>;

    async fn list_users(&self) -> Result<Vec<User>, StoreError>;

    /// Replaces a user's argon2id hash and ends their sessions; audited as `user.password`
    /// without the hash.
    async fn set_password(
        &self,
        actor: &str,
        user_id: UserId,
        password_hash: &str,
    ) -> Result<(), StoreError>;

    /// Changes a user's role; audited as `user.role`.
    async fn set_user_role(
        &self,
        actor: &str,
        user_id: UserId,
        role: Role,
    ) -> Result<User, StoreError>;

    /// Stores a session under the SHA-256 of `token`; clears expired sessions.
    async fn create_session(
        &self,
        user_id: UserId,
        token: &str,
        csrf_token: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<Session, StoreError>;

    /// The live session for `token` at `now`, with its user.
    async fn session(
        &self,
        token: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<(Session, User)>, StoreError>;

    /// Ends the session for `token`; `false` if there was none.
    async fn end_session(&self, token: &str) -> Result<bool, StoreError>;

    /// Stores a token under its SHA-256; its role may not exceed its user's. Audited as
    /// `token.create` (without the secret).
    async fn create_api_token(
        &self,
        actor: &str,
        new: &NewApiToken<'_>,
    ) -> Result<ApiToken, StoreError>;

    /// Tokens (revoked ones too) of one user, or of everyone.
    async fn list_api_tokens(&self, user_id: Option<UserId>) -> Result<Vec<ApiToken>, StoreError>;

    /// Audited as `token.revoke`; revoking twice changes nothing.
    async fn revoke_api_token(&self, actor: &str, id: i64) -> Result<ApiToken, StoreError>;

    /// The live (not revoked) token with this secret, with its user.
    async fn api_token(&self, token: &str) -> Result<Option<(ApiToken, User)>, StoreError>;

    /// Moves a site into an organisation; audited as `site.organisation`.
    async fn set_site_organisation(
        &self,
        actor: &str,
        site_id: RecordId,
        organisation_id: OrganisationId,
    ) -> Result<(), StoreError>;

    /// The organisation of each of these sites; unknown sites are left out.
    async fn site_organisations(
        &self,
        site_ids: &[RecordId],
    ) -> Result<HashMap<RecordId, OrganisationId>, StoreError>;

    /// Like [`Store::list`] for websites, only those of `organisations`.
    async fn list_sites_in(
        &self,
        organisations: &[OrganisationId],
        query: &ListQuery,
    ) -> Result<Page, StoreError>;

    /// Like [`Store::list_findings`], only findings of sites of `organisations`.
    async fn list_findings_in(
        &self,
        organisations: &[OrganisationId],
        query: &FindingQuery,
    ) -> Result<FindingPage, StoreError>;

    /// Unresolved findings by severity over the sites in `scope`, from the count tables
    /// (exact, a few rows whatever the number of findings).
    async fn finding_counts(&self, scope: CountScope<'_>) -> Result<SeverityCounts, StoreError>;

    /// Unresolved findings by severity of each of these sites; sites without any are
    /// left out.
    async fn site_finding_counts(
        &self,
        site_ids: &[RecordId],
    ) -> Result<HashMap<RecordId, SeverityCounts>, StoreError>;

    /// Domains expiring before `before` of the sites of `organisations` (a domain of no
    /// site counts as the default organisation's), soonest first, at most `limit`. `sites`
    /// is how many sites the organisations hold ([`Store::scope_counts`]): it picks the
    /// query's form, not its answer.
    async fn expiring_domains_in(
        &self,
        organisations: &[OrganisationId],
        sites: u64,
        before: chrono::NaiveDate,
        limit: u32,
    ) -> Result<Vec<beian_core::model::Domain>, StoreError>;

    /// The name of each of these sites (one or a few statements); missing sites are left
    /// out.
    async fn site_names(
        &self,
        site_ids: &[RecordId],
    ) -> Result<HashMap<RecordId, String>, StoreError>;

    /// [`Store::finding_counts`] and [`Store::site_status_counts`] in one statement.
    async fn scope_counts(
        &self,
        scope: CountScope<'_>,
    ) -> Result<(SeverityCounts, std::collections::BTreeMap<String, u64>), StoreError>;

    /// Websites by status (`active`, `closed`) over the sites in `scope`.
    async fn site_status_counts(
        &self,
        scope: CountScope<'_>,
    ) -> Result<std::collections::BTreeMap<String, u64>, StoreError>;

    /// The tags of the sites in `scope`, by tag, with how many sites carry each; at most
    /// `limit`.
    async fn site_tags(
        &self,
        scope: CountScope<'_>,
        limit: u32,
    ) -> Result<Vec<(String, u64)>, StoreError>;

    /// Makes every check of these sites due at `now` (a person's "check now"), audited as
    /// `site.check_now` per site; how many were scheduled already and moved.
    async fn check_sites_now(
        &self,
        actor: &str,
        site_ids: &[RecordId],
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError>;

    /// Writes every organisation's finding counts as they stand now as the trend point of
    /// `day` (a Beijing date), replacing an earlier point of that day. Not audited: it is
    /// a reading of the findings, whose changes are.
    async fn record_finding_trend(
        &self,
        day: chrono::NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// When the trend point of `day` was last written, if it was.
    async fn finding_trend_recorded_at(
        &self,
        day: chrono::NaiveDate,
    ) -> Result<Option<DateTime<Utc>>, StoreError>;

    /// Trend points from `since` on, oldest first, summed over the organisations in `scope`.
    async fn finding_trend(
        &self,
        scope: CountScope<'_>,
        since: chrono::NaiveDate,
    ) -> Result<Vec<(chrono::NaiveDate, SeverityCounts)>, StoreError>;

    /// Like [`Store::list_cases`], only cases of sites of `organisations` (a case without
    /// a site belongs to [`DEFAULT_ORGANISATION`]).
    async fn list_cases_in(
        &self,
        organisations: &[OrganisationId],
        query: &CaseQuery,
    ) -> Result<Vec<Case>, StoreError>;

    /// Active websites due for a scheduled scan at `now` and not leased by a worker, the
    /// never-scheduled ones first, then by due time and id; `limit` 0 means all.
    async fn due_sites(&self, now: DateTime<Utc>, limit: u32) -> Result<Vec<DueSite>, StoreError>;

    /// Schedules a never-scheduled site: each check's first run, and the site due at the
    /// earliest of them. `false` (and nothing changes) when the site is scheduled already,
    /// so a worker's lease is never lifted by another's first look.
    async fn schedule_site_checks(
        &self,
        site_id: RecordId,
        first_runs: &[(ScheduledCheck, DateTime<Utc>)],
    ) -> Result<bool, StoreError>;

    /// Takes the site's lease until `lease_until` if it is due at `now` and nobody holds an
    /// unexpired lease — `Some` for exactly one of any number of concurrent callers — and
    /// with it the leases of the site's checks due at `now` (the list, possibly empty).
    async fn claim_site_checks(
        &self,
        site_id: RecordId,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<Option<Vec<ScheduledCheck>>, StoreError>;

    /// Sets when these checks are next due and releases their leases and the site's (whose
    /// next run becomes the earliest of its checks'), in one transaction.
    async fn finish_site_checks(
        &self,
        site_id: RecordId,
        next_runs: &[(ScheduledCheck, DateTime<Utc>)],
    ) -> Result<(), StoreError>;

    /// When each of the site's checks is next due.
    async fn site_check_schedule(
        &self,
        site_id: RecordId,
    ) -> Result<BTreeMap<ScheduledCheck, DateTime<Utc>>, StoreError>;

    /// Checks of active sites due at `now` (leased or not), per check; every check listed.
    async fn due_check_counts(
        &self,
        now: DateTime<Utc>,
    ) -> Result<BTreeMap<ScheduledCheck, u64>, StoreError>;

    /// Claims the once-a-day `job` of `day` until `lease_until`: `true` for exactly one
    /// caller, and again later only if that one never finished and its lease lapsed.
    async fn claim_daily_job(
        &self,
        job: &str,
        day: NaiveDate,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// Marks a claimed daily job done; it is not claimed again for that day.
    async fn finish_daily_job(
        &self,
        job: &str,
        day: NaiveDate,
        done_at: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// The inventory records of these sites only (a scheduler batch at any inventory size).
    async fn site_records(&self, site_ids: &[RecordId]) -> Result<SiteRecords, StoreError>;

    /// Findings first seen, or resolved, at or after `since` (the daily digest's events).
    async fn findings_changed_since(
        &self,
        since: DateTime<Utc>,
    ) -> Result<Vec<Finding>, StoreError>;

    /// What each channel was last told about these findings (the notifier's dedupe log).
    async fn notify_marks(&self, finding_ids: &[RecordId]) -> Result<Vec<NotifyMark>, StoreError>;

    /// Writes (replaces) `marks` and audits each delivery as `notify.send`, in one
    /// transaction.
    async fn record_notifications(
        &self,
        actor: &str,
        marks: &[NotifyMark],
        audits: &[NotifyAudit],
    ) -> Result<(), StoreError>;

    /// Closes the connections (lets SQLite checkpoint its WAL). Further calls fail.
    async fn close(&self);
}

mod sealed {
    /// Every store is the shared engine plus backend-specific opening.
    pub trait HasEngine {
        fn engine(&self) -> &crate::engine::Engine;
    }
}

impl sealed::HasEngine for SqliteStore {
    fn engine(&self) -> &engine::Engine {
        &self.engine
    }
}

impl sealed::HasEngine for PostgresStore {
    fn engine(&self) -> &engine::Engine {
        &self.engine
    }
}

/// A store on whichever backend the configuration names.
pub enum AnyStore {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

impl AnyStore {
    /// `sqlite` or `postgres`.
    pub fn backend_name(&self) -> &'static str {
        match self {
            AnyStore::Sqlite(_) => "sqlite",
            AnyStore::Postgres(_) => "postgres",
        }
    }

    /// How messages name the database: the file path, or the URL without password.
    pub fn display_name(&self) -> &str {
        &sealed::HasEngine::engine(self).target
    }
}

impl std::fmt::Debug for AnyStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AnyStore")
            .field("backend", &self.backend_name())
            .field("database", &self.display_name())
            .finish()
    }
}

impl sealed::HasEngine for AnyStore {
    fn engine(&self) -> &engine::Engine {
        match self {
            AnyStore::Sqlite(store) => &store.engine,
            AnyStore::Postgres(store) => &store.engine,
        }
    }
}

impl<T: sealed::HasEngine> Store for T {
    async fn apply(&self, actor: &str, changes: &[Change]) -> Result<Vec<Record>, StoreError> {
        self.engine().apply(actor, changes).await
    }

    async fn get(&self, kind: RecordKind, id: RecordId) -> Result<Option<Record>, StoreError> {
        self.engine().get(kind, id).await
    }

    async fn find(&self, kind: RecordKind, key: &str) -> Result<Option<Record>, StoreError> {
        self.engine().find(kind, key).await
    }

    async fn list(&self, query: &ListQuery) -> Result<Page, StoreError> {
        self.engine().list(query).await
    }

    async fn audit_entries(&self, query: &AuditQuery) -> Result<Vec<AuditEntry>, StoreError> {
        self.engine().audit_entries(query).await
    }

    async fn verify_audit_chain(&self) -> Result<ChainVerdict, StoreError> {
        self.engine().verify_audit_chain().await
    }

    async fn append_audit(
        &self,
        actor: &str,
        action: &str,
        entity: &str,
        entity_id: Option<i64>,
        before: Option<String>,
        after: Option<String>,
    ) -> Result<AuditEntry, StoreError> {
        self.engine()
            .append_audit(actor, action, entity, entity_id, before, after)
            .await
    }

    async fn begin_scan(&self, actor: &str, scope: &str) -> Result<ScanRun, StoreError> {
        self.engine().begin_scan(actor, scope).await
    }

    async fn record_site_judgement(
        &self,
        actor: &str,
        scan_id: RecordId,
        site_id: RecordId,
        observation_json: Option<&str>,
        drafts: &[FindingDraft],
        now: DateTime<Utc>,
    ) -> Result<JudgementOutcome, StoreError> {
        self.engine()
            .record_site_judgement(actor, scan_id, site_id, observation_json, drafts, now)
            .await
    }

    async fn finish_scan(
        &self,
        actor: &str,
        scan_id: RecordId,
        summary_json: &str,
    ) -> Result<ScanRun, StoreError> {
        self.engine()
            .finish_scan(actor, scan_id, summary_json)
            .await
    }

    async fn scan_sites_done(&self, scan_id: RecordId) -> Result<Vec<RecordId>, StoreError> {
        self.engine().scan_sites_done(scan_id).await
    }

    async fn latest_observations(
        &self,
        site_id: RecordId,
        limit: u32,
    ) -> Result<Vec<StoredObservation>, StoreError> {
        self.engine().latest_observations(site_id, limit).await
    }

    async fn list_findings(&self, query: &FindingQuery) -> Result<FindingPage, StoreError> {
        self.engine().list_findings(query).await
    }

    async fn get_finding(&self, id: RecordId) -> Result<Option<Finding>, StoreError> {
        self.engine().get_finding(id).await
    }

    async fn acknowledge_finding(&self, actor: &str, id: RecordId) -> Result<Finding, StoreError> {
        self.engine().acknowledge_finding(actor, id).await
    }

    async fn suppress_finding(
        &self,
        actor: &str,
        id: RecordId,
        reason: &str,
        until: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Finding, StoreError> {
        self.engine()
            .suppress_finding(actor, id, reason, until, now)
            .await
    }

    async fn open_case(&self, actor: &str, draft: &CaseDraft) -> Result<Case, StoreError> {
        self.engine().open_case(actor, draft).await
    }

    async fn find_open_case(
        &self,
        kind: CaseKind,
        site_id: RecordId,
    ) -> Result<Option<Case>, StoreError> {
        self.engine().find_open_case(kind, site_id).await
    }

    async fn get_case(&self, id: RecordId) -> Result<Option<Case>, StoreError> {
        self.engine().get_case(id).await
    }

    async fn list_cases(&self, query: &CaseQuery) -> Result<Vec<Case>, StoreError> {
        self.engine().list_cases(query).await
    }

    async fn update_case(
        &self,
        actor: &str,
        case: &Case,
        expected_state: CaseState,
        action: &str,
        note: &str,
    ) -> Result<Case, StoreError> {
        self.engine()
            .update_case(actor, case, expected_state, action, note)
            .await
    }

    async fn case_events(&self, case_id: RecordId) -> Result<Vec<CaseEvent>, StoreError> {
        self.engine().case_events(case_id).await
    }

    async fn create_organisation(
        &self,
        actor: &str,
        name: &str,
        members: &[UserId],
    ) -> Result<Organisation, StoreError> {
        self.engine()
            .create_organisation(actor, name, members)
            .await
    }

    async fn list_organisations(&self) -> Result<Vec<Organisation>, StoreError> {
        self.engine().list_organisations().await
    }

    async fn create_user(&self, actor: &str, new: &NewUser<'_>) -> Result<User, StoreError> {
        self.engine().create_user(actor, new).await
    }

    async fn get_user(&self, id: UserId) -> Result<Option<User>, StoreError> {
        self.engine().get_user(id).await
    }

    async fn user_credentials(&self, name: &str) -> Result<Option<Credentials>, StoreError> {
        self.engine().user_credentials(name).await
    }

    async fn list_users(&self) -> Result<Vec<User>, StoreError> {
        self.engine().list_users().await
    }

    async fn set_password(
        &self,
        actor: &str,
        user_id: UserId,
        password_hash: &str,
    ) -> Result<(), StoreError> {
        self.engine()
            .set_password(actor, user_id, password_hash)
            .await
    }

    async fn set_user_role(
        &self,
        actor: &str,
        user_id: UserId,
        role: Role,
    ) -> Result<User, StoreError> {
        self.engine().set_user_role(actor, user_id, role).await
    }

    async fn create_session(
        &self,
        user_id: UserId,
        token: &str,
        csrf_token: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<Session, StoreError> {
        self.engine()
            .create_session(user_id, token, csrf_token, expires_at)
            .await
    }

    async fn session(
        &self,
        token: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<(Session, User)>, StoreError> {
        self.engine().session(token, now).await
    }

    async fn end_session(&self, token: &str) -> Result<bool, StoreError> {
        self.engine().end_session(token).await
    }

    async fn create_api_token(
        &self,
        actor: &str,
        new: &NewApiToken<'_>,
    ) -> Result<ApiToken, StoreError> {
        self.engine().create_api_token(actor, new).await
    }

    async fn list_api_tokens(&self, user_id: Option<UserId>) -> Result<Vec<ApiToken>, StoreError> {
        self.engine().list_api_tokens(user_id).await
    }

    async fn revoke_api_token(&self, actor: &str, id: i64) -> Result<ApiToken, StoreError> {
        self.engine().revoke_api_token(actor, id).await
    }

    async fn api_token(&self, token: &str) -> Result<Option<(ApiToken, User)>, StoreError> {
        self.engine().api_token(token).await
    }

    async fn set_site_organisation(
        &self,
        actor: &str,
        site_id: RecordId,
        organisation_id: OrganisationId,
    ) -> Result<(), StoreError> {
        self.engine()
            .set_site_organisation(actor, site_id, organisation_id)
            .await
    }

    async fn site_organisations(
        &self,
        site_ids: &[RecordId],
    ) -> Result<HashMap<RecordId, OrganisationId>, StoreError> {
        self.engine().site_organisations(site_ids).await
    }

    async fn list_sites_in(
        &self,
        organisations: &[OrganisationId],
        query: &ListQuery,
    ) -> Result<Page, StoreError> {
        self.engine().list_sites_in(organisations, query).await
    }

    async fn list_findings_in(
        &self,
        organisations: &[OrganisationId],
        query: &FindingQuery,
    ) -> Result<FindingPage, StoreError> {
        self.engine().list_findings_in(organisations, query).await
    }

    async fn finding_counts(&self, scope: CountScope<'_>) -> Result<SeverityCounts, StoreError> {
        self.engine().finding_counts(scope).await
    }

    async fn site_finding_counts(
        &self,
        site_ids: &[RecordId],
    ) -> Result<HashMap<RecordId, SeverityCounts>, StoreError> {
        self.engine().site_finding_counts(site_ids).await
    }

    async fn expiring_domains_in(
        &self,
        organisations: &[OrganisationId],
        sites: u64,
        before: chrono::NaiveDate,
        limit: u32,
    ) -> Result<Vec<beian_core::model::Domain>, StoreError> {
        self.engine()
            .expiring_domains_in(organisations, sites, before, limit)
            .await
    }

    async fn site_names(
        &self,
        site_ids: &[RecordId],
    ) -> Result<HashMap<RecordId, String>, StoreError> {
        self.engine().site_names(site_ids).await
    }

    async fn scope_counts(
        &self,
        scope: CountScope<'_>,
    ) -> Result<(SeverityCounts, std::collections::BTreeMap<String, u64>), StoreError> {
        self.engine().scope_counts(scope).await
    }

    async fn site_status_counts(
        &self,
        scope: CountScope<'_>,
    ) -> Result<std::collections::BTreeMap<String, u64>, StoreError> {
        self.engine().site_status_counts(scope).await
    }

    async fn site_tags(
        &self,
        scope: CountScope<'_>,
        limit: u32,
    ) -> Result<Vec<(String, u64)>, StoreError> {
        self.engine().site_tags(scope, limit).await
    }

    async fn check_sites_now(
        &self,
        actor: &str,
        site_ids: &[RecordId],
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        self.engine().check_sites_now(actor, site_ids, now).await
    }

    async fn record_finding_trend(
        &self,
        day: chrono::NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.engine().record_finding_trend(day, now).await
    }

    async fn finding_trend_recorded_at(
        &self,
        day: chrono::NaiveDate,
    ) -> Result<Option<DateTime<Utc>>, StoreError> {
        self.engine().finding_trend_recorded_at(day).await
    }

    async fn finding_trend(
        &self,
        scope: CountScope<'_>,
        since: chrono::NaiveDate,
    ) -> Result<Vec<(chrono::NaiveDate, SeverityCounts)>, StoreError> {
        self.engine().finding_trend(scope, since).await
    }

    async fn list_cases_in(
        &self,
        organisations: &[OrganisationId],
        query: &CaseQuery,
    ) -> Result<Vec<Case>, StoreError> {
        self.engine().list_cases_in(organisations, query).await
    }

    async fn due_sites(&self, now: DateTime<Utc>, limit: u32) -> Result<Vec<DueSite>, StoreError> {
        self.engine().due_sites(now, limit).await
    }

    async fn schedule_site_checks(
        &self,
        site_id: RecordId,
        first_runs: &[(ScheduledCheck, DateTime<Utc>)],
    ) -> Result<bool, StoreError> {
        self.engine()
            .schedule_site_checks(site_id, first_runs)
            .await
    }

    async fn claim_site_checks(
        &self,
        site_id: RecordId,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<Option<Vec<ScheduledCheck>>, StoreError> {
        self.engine()
            .claim_site_checks(site_id, now, lease_until)
            .await
    }

    async fn finish_site_checks(
        &self,
        site_id: RecordId,
        next_runs: &[(ScheduledCheck, DateTime<Utc>)],
    ) -> Result<(), StoreError> {
        self.engine().finish_site_checks(site_id, next_runs).await
    }

    async fn site_check_schedule(
        &self,
        site_id: RecordId,
    ) -> Result<BTreeMap<ScheduledCheck, DateTime<Utc>>, StoreError> {
        self.engine().site_check_schedule(site_id).await
    }

    async fn due_check_counts(
        &self,
        now: DateTime<Utc>,
    ) -> Result<BTreeMap<ScheduledCheck, u64>, StoreError> {
        self.engine().due_check_counts(now).await
    }

    async fn claim_daily_job(
        &self,
        job: &str,
        day: NaiveDate,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        self.engine()
            .claim_daily_job(job, day, now, lease_until)
            .await
    }

    async fn finish_daily_job(
        &self,
        job: &str,
        day: NaiveDate,
        done_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.engine().finish_daily_job(job, day, done_at).await
    }

    async fn site_records(&self, site_ids: &[RecordId]) -> Result<SiteRecords, StoreError> {
        self.engine().site_records(site_ids).await
    }

    async fn findings_changed_since(
        &self,
        since: DateTime<Utc>,
    ) -> Result<Vec<Finding>, StoreError> {
        self.engine().findings_changed_since(since).await
    }

    async fn notify_marks(&self, finding_ids: &[RecordId]) -> Result<Vec<NotifyMark>, StoreError> {
        self.engine().notify_marks(finding_ids).await
    }

    async fn record_notifications(
        &self,
        actor: &str,
        marks: &[NotifyMark],
        audits: &[NotifyAudit],
    ) -> Result<(), StoreError> {
        self.engine()
            .record_notifications(actor, marks, audits)
            .await
    }

    async fn close(&self) {
        self.engine().pool.close().await;
    }
}
