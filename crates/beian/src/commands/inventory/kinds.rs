//! The hooks through which each kind does its own `add`, `edit` and `list` filters
//! (implemented in `records.rs` and `filing.rs`); `show`, `close` and `rm` are the
//! same for all and live in `Inventory`.

use beian_core::model::RecordKind;
use beian_store::ListQuery;

use super::Inventory;
use crate::cli::RecordCli;
use crate::error::Exit;

/// The per-kind hooks the shared dispatcher calls.
pub trait KindCommands: RecordCli {
    const KIND: RecordKind;

    async fn add(inventory: &Inventory<'_>, args: &Self::Add) -> anyhow::Result<Exit>;

    async fn edit(
        inventory: &Inventory<'_>,
        target: &str,
        fields: &Self::Fields,
    ) -> anyhow::Result<Exit>;

    /// Narrows `query` by the kind's own `list` flags; an unknown value is an error.
    async fn filter(
        inventory: &Inventory<'_>,
        query: &mut ListQuery,
        filters: &Self::Filters,
    ) -> anyhow::Result<()>;
}
