//! Users, sessions and API tokens: who may see and do what.
//!
//! The store keeps no secret in a form that could be used again: a password arrives as an
//! argon2id PHC string hashed by the caller, and session and API tokens are stored as the
//! SHA-256 of the token ([`hash_token`]), so a copy of the database logs nobody in.
//! Changes to users, memberships, tokens and site ownership are audited on the same
//! chain as everything else; the audit entries never carry a hash or a token.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AssertSqlSafe};

use crate::audit_log::{AuditEvent, PendingChain};
use crate::engine::{Engine, now_micros, to_micros};
use crate::error::StoreError;
use crate::organisations::OrganisationId;
use crate::records::{RowReader, SqlValue, bind_values};
use crate::write::audit_json;

pub type UserId = i64;

/// What a user (or a token) may do. Ordered: each role may do all the one below it does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Reads sites, findings and cases.
    Viewer,
    /// Also acknowledges and suppresses findings and works cases.
    Operator,
    /// Also manages users and API tokens.
    Admin,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Viewer, Role::Operator, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Operator => "operator",
            Role::Admin => "admin",
        }
    }

    /// The stored name, or its Chinese label.
    pub fn parse(text: &str) -> Option<Role> {
        match text.trim() {
            "viewer" | "只读" => Some(Role::Viewer),
            "operator" | "操作员" => Some(Role::Operator),
            "admin" | "管理员" => Some(Role::Admin),
            _ => None,
        }
    }
}

/// A user as everyone may see it: no password hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: UserId,
    pub name: String,
    pub role: Role,
    /// Ascending ids.
    pub organisations: Vec<OrganisationId>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A user to create. `password_hash` is an argon2id PHC string (`$argon2id$…`).
#[derive(Debug, Clone, Copy)]
pub struct NewUser<'a> {
    pub name: &'a str,
    pub password_hash: &'a str,
    pub role: Role,
    pub organisations: &'a [OrganisationId],
}

/// A user together with the hash to check a password against. Only login needs this.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    pub user: User,
    pub password_hash: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("user", &self.user)
            .field("password_hash", &"<redacted>")
            .finish()
    }
}

/// A logged-in browser. The token itself is only ever known to the browser.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub id: i64,
    pub user_id: UserId,
    /// Sent back by the page in a header on every unsafe request.
    pub csrf_token: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// A named API token of a user, acting with at most `role` (and never more than its
/// user's role at the time of use).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiToken {
    pub id: i64,
    pub user_id: UserId,
    pub name: String,
    pub role: Role,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A token to store; `token` is the secret handed to its owner once, stored only hashed.
#[derive(Clone, Copy)]
pub struct NewApiToken<'a> {
    pub user_id: UserId,
    pub name: &'a str,
    pub role: Role,
    pub token: &'a str,
}

impl std::fmt::Debug for NewApiToken<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewApiToken")
            .field("user_id", &self.user_id)
            .field("name", &self.name)
            .field("role", &self.role)
            .field("token", &"<redacted>")
            .finish()
    }
}

/// Hex SHA-256 of a session or API token: what the store keeps and looks tokens up by.
/// Tokens are 256 random bits, so a fast hash is enough (no password stretching needed).
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub(crate) fn invalid(
    field: &'static str,
    zh: impl Into<String>,
    en: impl Into<String>,
) -> StoreError {
    StoreError::Invalid {
        field,
        zh: zh.into(),
        en: en.into(),
    }
}

pub(crate) fn no_such_user(id: UserId) -> StoreError {
    invalid(
        "user_id",
        format!("用户 {id} 不存在"),
        format!("there is no user with id {id}; list the users to find the right id"),
    )
}

const USER_COLUMNS: &str = "id, name, role, password_hash, created_at, updated_at";
const TOKEN_COLUMNS: &str = "id, user_id, name, role, created_at, created_by, revoked_at";

fn decode_token(row: &AnyRow, target: &str) -> Result<ApiToken, StoreError> {
    let r = RowReader::new(row, "api_tokens", target);
    Ok(ApiToken {
        id: r.int("id")?,
        user_id: r.int("user_id")?,
        name: r.text("name")?,
        role: r.code("role", Role::parse)?,
        created_at: r.instant("created_at")?,
        created_by: r.text("created_by")?,
        revoked_at: r.opt_instant("revoked_at")?,
    })
}

/// One audited write of this module: the write lock, the chain, and entries whose entity
/// is a user, token, organisation or site-ownership change.
pub(crate) struct Write<'e> {
    engine: &'e Engine,
    tx: sqlx::Transaction<'static, sqlx::Any>,
    chain: PendingChain,
    pub(crate) at: DateTime<Utc>,
}

impl<'e> Write<'e> {
    pub(crate) async fn begin(engine: &'e Engine) -> Result<Write<'e>, StoreError> {
        let mut tx = engine.begin_write().await?;
        let chain = PendingChain::resume(&mut tx, &engine.target).await?;
        Ok(Write {
            engine,
            tx,
            chain,
            at: now_micros(),
        })
    }

    pub(crate) fn conn(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }

    pub(crate) fn audit(
        &mut self,
        actor: &str,
        action: &str,
        entity: &str,
        id: i64,
        before: Option<String>,
        after: Option<String>,
    ) {
        self.chain.push(AuditEvent {
            at: self.at,
            actor,
            action,
            entity,
            entity_id: Some(id),
            before,
            after,
        });
    }

    pub(crate) async fn commit(mut self) -> Result<(), StoreError> {
        self.chain.flush(&mut self.tx, &self.engine.target).await?;
        self.tx
            .commit()
            .await
            .map_err(self.engine.fail("committing the write"))
    }
}

impl Engine {
    async fn memberships(
        &self,
        conn: &mut AnyConnection,
        user_id: UserId,
    ) -> Result<Vec<OrganisationId>, StoreError> {
        let rows = sqlx::query(
            "SELECT organisation_id FROM memberships WHERE user_id = $1 ORDER BY organisation_id",
        )
        .bind(user_id)
        .fetch_all(conn)
        .await
        .map_err(self.fail("reading memberships"))?;
        rows.iter()
            .map(|row| RowReader::new(row, "memberships", &self.target).int("organisation_id"))
            .collect()
    }

    async fn load_credentials(
        &self,
        conn: &mut AnyConnection,
        column: &'static str,
        value: SqlValue,
    ) -> Result<Option<Credentials>, StoreError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE {column} = $1");
        let row = bind_values(sqlx::query(AssertSqlSafe(sql)), [value])
            .fetch_optional(&mut *conn)
            .await
            .map_err(self.fail("reading a user"))?;
        let Some(row) = row else { return Ok(None) };
        let r = RowReader::new(&row, "users", &self.target);
        let id = r.int("id")?;
        let user = User {
            id,
            name: r.text("name")?,
            role: r.code("role", Role::parse)?,
            organisations: Vec::new(),
            created_at: r.instant("created_at")?,
            updated_at: r.instant("updated_at")?,
        };
        let password_hash = r.text("password_hash")?;
        let organisations = self.memberships(conn, id).await?;
        Ok(Some(Credentials {
            user: User {
                organisations,
                ..user
            },
            password_hash,
        }))
    }

    pub(crate) async fn create_user(
        &self,
        actor: &str,
        new: &NewUser<'_>,
    ) -> Result<User, StoreError> {
        let name = new.name.trim();
        if name.is_empty() || name.chars().any(char::is_control) {
            return Err(invalid(
                "name",
                "用户名不能为空，也不能含控制字符",
                "a user name must be non-empty text without control characters",
            ));
        }
        if !new.password_hash.starts_with("$argon2id$") {
            return Err(invalid(
                "password_hash",
                "密码必须以 argon2id 散列保存",
                "the password must arrive as an argon2id PHC string ($argon2id$…); hash it first",
            ));
        }
        let organisations: Vec<OrganisationId> = new
            .organisations
            .iter()
            .copied()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        if organisations.is_empty() {
            return Err(invalid(
                "organisations",
                "用户至少属于一个组织",
                "a user must belong to at least one organisation; name one",
            ));
        }
        let mut write = Write::begin(self).await?;
        let at = write.at;
        self.require_organisations(write.conn(), &organisations)
            .await?;
        if self
            .load_credentials(write.conn(), "name", SqlValue::text(name))
            .await?
            .is_some()
        {
            return Err(invalid(
                "name",
                format!("用户名“{name}”已被使用"),
                format!("a user named {name:?} already exists; choose another name"),
            ));
        }
        let row = bind_values(
            sqlx::query(
                "INSERT INTO users (name, role, password_hash, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $4) RETURNING id",
            ),
            [
                SqlValue::text(name),
                SqlValue::text(new.role.as_str()),
                SqlValue::text(new.password_hash),
                SqlValue::instant(at),
            ],
        )
        .fetch_one(write.conn())
        .await
        .map_err(self.fail("creating a user"))?;
        let id = RowReader::new(&row, "users", &self.target).int("id")?;
        for organisation in &organisations {
            sqlx::query("INSERT INTO memberships (user_id, organisation_id) VALUES ($1, $2)")
                .bind(id)
                .bind(*organisation)
                .execute(write.conn())
                .await
                .map_err(self.fail("adding a membership"))?;
        }
        let user = User {
            id,
            name: name.to_owned(),
            role: new.role,
            organisations,
            created_at: at,
            updated_at: at,
        };
        // `User` has no hash field, so the entry cannot carry the password.
        write.audit(
            actor,
            "user.create",
            "user",
            id,
            None,
            Some(audit_json(&user)),
        );
        write.commit().await?;
        Ok(user)
    }

    pub(crate) async fn get_user(&self, id: UserId) -> Result<Option<User>, StoreError> {
        let mut conn = self.pool.acquire().await.map_err(self.fail("connecting"))?;
        Ok(self
            .load_credentials(&mut conn, "id", SqlValue::Int(Some(id)))
            .await?
            .map(|c| c.user))
    }

    pub(crate) async fn user_credentials(
        &self,
        name: &str,
    ) -> Result<Option<Credentials>, StoreError> {
        let mut conn = self.pool.acquire().await.map_err(self.fail("connecting"))?;
        self.load_credentials(&mut conn, "name", SqlValue::text(name.trim()))
            .await
    }

    pub(crate) async fn list_users(&self) -> Result<Vec<User>, StoreError> {
        let mut conn = self.pool.acquire().await.map_err(self.fail("connecting"))?;
        let rows = sqlx::query("SELECT id FROM users ORDER BY id")
            .fetch_all(&mut *conn)
            .await
            .map_err(self.fail("listing users"))?;
        let mut users = Vec::with_capacity(rows.len());
        for row in &rows {
            let id = RowReader::new(row, "users", &self.target).int("id")?;
            if let Some(c) = self
                .load_credentials(&mut conn, "id", SqlValue::Int(Some(id)))
                .await?
            {
                users.push(c.user);
            }
        }
        Ok(users)
    }

    /// Replaces the password hash; every session of the user ends. Audited without the
    /// hash.
    pub(crate) async fn set_password(
        &self,
        actor: &str,
        user_id: UserId,
        password_hash: &str,
    ) -> Result<(), StoreError> {
        if !password_hash.starts_with("$argon2id$") {
            return Err(invalid(
                "password_hash",
                "密码必须以 argon2id 散列保存",
                "the password must arrive as an argon2id PHC string ($argon2id$…); hash it first",
            ));
        }
        let mut write = Write::begin(self).await?;
        let at = write.at;
        let changed = bind_values(
            sqlx::query("UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3"),
            [
                SqlValue::text(password_hash),
                SqlValue::instant(at),
                SqlValue::Int(Some(user_id)),
            ],
        )
        .execute(write.conn())
        .await
        .map_err(self.fail("changing a password"))?;
        if changed.rows_affected() == 0 {
            return Err(no_such_user(user_id));
        }
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user_id)
            .execute(write.conn())
            .await
            .map_err(self.fail("ending sessions"))?;
        write.audit(actor, "user.password", "user", user_id, None, None);
        write.commit().await
    }

    /// Changes a user's role (it applies at their next request: sessions read the user
    /// each time). Audited as `user.role` with the roles before and after.
    pub(crate) async fn set_user_role(
        &self,
        actor: &str,
        user_id: UserId,
        role: Role,
    ) -> Result<User, StoreError> {
        let before = self
            .get_user(user_id)
            .await?
            .ok_or_else(|| no_such_user(user_id))?;
        let mut write = Write::begin(self).await?;
        let at = write.at;
        let changed = bind_values(
            sqlx::query("UPDATE users SET role = $1, updated_at = $2 WHERE id = $3"),
            [
                SqlValue::text(role.as_str()),
                SqlValue::instant(at),
                SqlValue::Int(Some(user_id)),
            ],
        )
        .execute(write.conn())
        .await
        .map_err(self.fail("changing a role"))?;
        if changed.rows_affected() == 0 {
            return Err(no_such_user(user_id));
        }
        write.audit(
            actor,
            "user.role",
            "user",
            user_id,
            Some(before.role.as_str().to_owned()),
            Some(role.as_str().to_owned()),
        );
        write.commit().await?;
        Ok(User {
            role,
            updated_at: at,
            ..before
        })
    }

    /// Starts a session for `token` (stored hashed) until `expires_at`; sessions that
    /// have run out are cleared on the way. Not audited: logging in changes no data.
    pub(crate) async fn create_session(
        &self,
        user_id: UserId,
        token: &str,
        csrf_token: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<Session, StoreError> {
        let now = now_micros();
        let expires_at = to_micros(expires_at);
        let mut tx = self
            .pool
            .begin()
            .await
            .map_err(self.fail("starting a session"))?;
        sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(crate::records::format_instant(now))
            .execute(&mut *tx)
            .await
            .map_err(self.fail("clearing expired sessions"))?;
        let row = bind_values(
            sqlx::query(
                "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) \
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
            ),
            [
                SqlValue::text(hash_token(token)),
                SqlValue::Int(Some(user_id)),
                SqlValue::text(csrf_token),
                SqlValue::instant(now),
                SqlValue::instant(expires_at),
            ],
        )
        .fetch_one(&mut *tx)
        .await
        .map_err(|error| match crate::error::classify(&error) {
            crate::error::BackendFault::ForeignKeyViolation => no_such_user(user_id),
            _ => crate::error::from_sqlx(&self.target, "starting a session", error),
        })?;
        let id = RowReader::new(&row, "sessions", &self.target).int("id")?;
        tx.commit().await.map_err(self.fail("starting a session"))?;
        Ok(Session {
            id,
            user_id,
            csrf_token: csrf_token.to_owned(),
            created_at: now,
            expires_at,
        })
    }

    /// The live session with this token and its user; `None` for an unknown or expired one.
    ///
    /// One statement (session, user and memberships joined, a row per membership): this
    /// runs on every request, and each statement is a round trip to SQLite's connection
    /// thread, which under load cost more than the queries themselves.
    pub(crate) async fn session(
        &self,
        token: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<(Session, User)>, StoreError> {
        let rows = bind_values(
            sqlx::query(
                "SELECT s.id AS session_id, s.user_id, s.csrf_token, \
                 s.created_at AS session_created_at, s.expires_at, \
                 u.name, u.role, u.created_at, u.updated_at, m.organisation_id \
                 FROM sessions s JOIN users u ON u.id = s.user_id \
                 LEFT JOIN memberships m ON m.user_id = s.user_id \
                 WHERE s.token_hash = $1 AND s.expires_at > $2 ORDER BY m.organisation_id",
            ),
            [SqlValue::text(hash_token(token)), SqlValue::instant(now)],
        )
        .fetch_all(&self.pool)
        .await
        .map_err(self.fail("reading a session"))?;
        let Some(first) = rows.first() else {
            return Ok(None);
        };
        let r = RowReader::new(first, "sessions", &self.target);
        let session = Session {
            id: r.int("session_id")?,
            user_id: r.int("user_id")?,
            csrf_token: r.text("csrf_token")?,
            created_at: r.instant("session_created_at")?,
            expires_at: r.instant("expires_at")?,
        };
        let mut organisations = Vec::with_capacity(rows.len());
        for row in &rows {
            let membership = RowReader::new(row, "memberships", &self.target);
            if let Some(organisation) = membership.opt_int("organisation_id")? {
                organisations.push(organisation);
            }
        }
        let user = User {
            id: session.user_id,
            name: r.text("name")?,
            role: r.code("role", Role::parse)?,
            organisations,
            created_at: r.instant("created_at")?,
            updated_at: r.instant("updated_at")?,
        };
        Ok(Some((session, user)))
    }

    /// Ends the session with this token; `false` when there was none.
    pub(crate) async fn end_session(&self, token: &str) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(hash_token(token))
            .execute(&self.pool)
            .await
            .map_err(self.fail("ending a session"))?;
        Ok(done.rows_affected() > 0)
    }

    pub(crate) async fn create_api_token(
        &self,
        actor: &str,
        new: &NewApiToken<'_>,
    ) -> Result<ApiToken, StoreError> {
        let name = new.name.trim();
        if name.is_empty() {
            return Err(invalid(
                "name",
                "令牌名称不能为空",
                "an API token needs a name saying what uses it",
            ));
        }
        if new.token.len() < 32 {
            return Err(invalid(
                "token",
                "令牌太短",
                "an API token must be at least 32 characters of random text",
            ));
        }
        let mut write = Write::begin(self).await?;
        let at = write.at;
        let Some(owner) = self
            .load_credentials(write.conn(), "id", SqlValue::Int(Some(new.user_id)))
            .await?
        else {
            return Err(no_such_user(new.user_id));
        };
        if new.role > owner.user.role {
            return Err(invalid(
                "role",
                format!(
                    "令牌角色 {} 高于用户 {} 的角色 {}",
                    new.role.as_str(),
                    owner.user.name,
                    owner.user.role.as_str()
                ),
                format!(
                    "a token cannot have role {} when its user {} is only {}; pick a lower role",
                    new.role.as_str(),
                    owner.user.name,
                    owner.user.role.as_str()
                ),
            ));
        }
        let taken = bind_values(
            sqlx::query(
                "SELECT COUNT(*) AS n FROM api_tokens \
                 WHERE user_id = $1 AND name = $2 AND revoked_at IS NULL",
            ),
            [SqlValue::Int(Some(new.user_id)), SqlValue::text(name)],
        )
        .fetch_one(write.conn())
        .await
        .map_err(self.fail("looking up API tokens"))?;
        if RowReader::new(&taken, "api_tokens", &self.target).int("n")? > 0 {
            return Err(invalid(
                "name",
                format!("用户 {} 已有名为“{name}”的令牌", owner.user.name),
                format!(
                    "user {} already has a live token named {name:?}; revoke it or pick another name",
                    owner.user.name
                ),
            ));
        }
        let row = bind_values(
            sqlx::query(
                "INSERT INTO api_tokens (token_hash, user_id, name, role, created_at, created_by) \
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            ),
            [
                SqlValue::text(hash_token(new.token)),
                SqlValue::Int(Some(new.user_id)),
                SqlValue::text(name),
                SqlValue::text(new.role.as_str()),
                SqlValue::instant(at),
                SqlValue::text(actor),
            ],
        )
        .fetch_one(write.conn())
        .await
        .map_err(self.fail("creating an API token"))?;
        let token = ApiToken {
            id: RowReader::new(&row, "api_tokens", &self.target).int("id")?,
            user_id: new.user_id,
            name: name.to_owned(),
            role: new.role,
            created_at: at,
            created_by: actor.to_owned(),
            revoked_at: None,
        };
        write.audit(
            actor,
            "token.create",
            "api_token",
            token.id,
            None,
            Some(audit_json(&token)),
        );
        write.commit().await?;
        Ok(token)
    }

    pub(crate) async fn list_api_tokens(
        &self,
        user_id: Option<UserId>,
    ) -> Result<Vec<ApiToken>, StoreError> {
        let sql = match user_id {
            Some(_) => {
                format!("SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE user_id = $1 ORDER BY id")
            }
            None => format!("SELECT {TOKEN_COLUMNS} FROM api_tokens ORDER BY id"),
        };
        let mut query = sqlx::query(AssertSqlSafe(sql));
        if let Some(id) = user_id {
            query = query.bind(id);
        }
        let rows = query
            .fetch_all(&self.pool)
            .await
            .map_err(self.fail("listing API tokens"))?;
        rows.iter()
            .map(|row| decode_token(row, &self.target))
            .collect()
    }

    /// Revokes a token for good; revoking it again changes nothing.
    pub(crate) async fn revoke_api_token(
        &self,
        actor: &str,
        id: i64,
    ) -> Result<ApiToken, StoreError> {
        let mut write = Write::begin(self).await?;
        let at = write.at;
        let sql = format!("SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE id = $1");
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(write.conn())
            .await
            .map_err(self.fail("reading an API token"))?;
        let Some(row) = row else {
            return Err(invalid(
                "token_id",
                format!("令牌 {id} 不存在"),
                format!("there is no API token with id {id}; list the tokens to find it"),
            ));
        };
        let before = decode_token(&row, &self.target)?;
        if before.revoked_at.is_some() {
            return Ok(before);
        }
        bind_values(
            sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2"),
            [SqlValue::instant(at), SqlValue::Int(Some(id))],
        )
        .execute(write.conn())
        .await
        .map_err(self.fail("revoking an API token"))?;
        let after = ApiToken {
            revoked_at: Some(at),
            ..before.clone()
        };
        write.audit(
            actor,
            "token.revoke",
            "api_token",
            id,
            Some(audit_json(&before)),
            Some(audit_json(&after)),
        );
        write.commit().await?;
        Ok(after)
    }

    /// The live token with this secret and its user; `None` for an unknown or revoked one.
    pub(crate) async fn api_token(
        &self,
        token: &str,
    ) -> Result<Option<(ApiToken, User)>, StoreError> {
        let mut conn = self.pool.acquire().await.map_err(self.fail("connecting"))?;
        let sql = format!(
            "SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL"
        );
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(hash_token(token))
            .fetch_optional(&mut *conn)
            .await
            .map_err(self.fail("reading an API token"))?;
        let Some(row) = row else { return Ok(None) };
        let token = decode_token(&row, &self.target)?;
        let user = self
            .load_credentials(&mut conn, "id", SqlValue::Int(Some(token.user_id)))
            .await?;
        Ok(user.map(|c| (token, c.user)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_ordered_and_round_trip() {
        assert!(Role::Viewer < Role::Operator && Role::Operator < Role::Admin);
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("管理员"), Some(Role::Admin));
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn token_hash_is_hex_sha256() {
        assert_eq!(
            hash_token("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn secrets_are_redacted_in_debug_output() {
        let new = NewApiToken {
            user_id: 1,
            name: "ci",
            role: Role::Viewer,
            token: "very-secret-token",
        };
        assert!(!format!("{new:?}").contains("very-secret"));
    }
}
