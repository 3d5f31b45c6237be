//! One write transaction together with the audit entries it seals: every scan, finding
//! and case operation goes through this, so a change and its audit entry commit or roll
//! back together and the chain is extended only under the write lock.

use beian_core::audit::AuditEntry;
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{Any, AnyConnection, Transaction};

use crate::audit_log::{AuditEvent, PendingChain};
use crate::engine::{Engine, now_micros};
use crate::error::{Entity, StoreError, from_sqlx};

pub(crate) struct AuditedWrite<'e> {
    engine: &'e Engine,
    tx: Transaction<'static, Any>,
    chain: PendingChain,
    /// When the entries are recorded: the store's clock, not the caller's `now`.
    at: DateTime<Utc>,
}

/// JSON text of a value the store writes into the audit log.
pub(crate) fn audit_json(value: &impl Serialize) -> String {
    serde_json::to_string(value)
        .expect("audited values are plain data with string map keys, so they serialise")
}

impl<'e> AuditedWrite<'e> {
    /// Takes the write lock and picks up the end of the chain.
    pub(crate) async fn begin(engine: &'e Engine) -> Result<AuditedWrite<'e>, StoreError> {
        let mut tx = engine.begin_write().await?;
        let chain = PendingChain::resume(&mut tx, &engine.target).await?;
        Ok(AuditedWrite {
            engine,
            tx,
            chain,
            at: now_micros(),
        })
    }

    pub(crate) fn conn(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }

    /// The error for a failed statement of this write.
    pub(crate) fn fail(&self, context: &'static str) -> impl Fn(sqlx::Error) -> StoreError + '_ {
        move |error| from_sqlx(&self.engine.target, context, error)
    }

    pub(crate) fn target(&self) -> &str {
        &self.engine.target
    }

    /// Seals one entry about `entity` `id`; it is written at [`AuditedWrite::commit`].
    pub(crate) fn audit(
        &mut self,
        actor: &str,
        action: &str,
        entity: Entity,
        id: i64,
        before: Option<String>,
        after: Option<String>,
    ) -> &AuditEntry {
        self.chain.push(AuditEvent {
            at: self.at,
            actor,
            action,
            entity: entity.as_str(),
            entity_id: Some(id),
            before,
            after,
        })
    }

    /// Writes the sealed entries and commits; nothing is kept if either fails.
    pub(crate) async fn commit(mut self) -> Result<(), StoreError> {
        self.chain.flush(&mut self.tx, &self.engine.target).await?;
        let target = &self.engine.target;
        self.tx
            .commit()
            .await
            .map_err(|error| from_sqlx(target, "committing the write", error))
    }
}
