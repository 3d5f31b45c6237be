//! Inventory entry: raw input → validated records, and the portfolio sheet that
//! imports and exports them. Pure: files are read and written by the binary.
//!
//! - [`draft`]: one draft per record kind; the single place where entry is validated,
//!   shared by the CLI (`beian subject add …`) and the importer.
//! - [`columns`]: the portfolio sheet's columns and header matching (中文 / English).
//! - [`plan`]: a sheet checked against the stored inventory → one change set, or
//!   row-level errors (all or nothing).
//! - [`export`]: stored records → portfolio rows; formula-injection guard.

pub mod columns;
pub mod draft;
pub mod export;
pub mod field;
pub mod plan;
pub mod snapshot;

pub use columns::{Column, ColumnHelp, column_letters};
pub use draft::{
    DomainDraft, FilingDraft, PersonDraft, SubjectDraft, WebsiteDraft, parse_province,
};
pub use export::{neutralise_formula, portfolio_rows};
pub use field::{
    Entry, Field, FieldError, FieldErrors, FieldWarning, TAG_MAX_CHARS, TAGS_PER_SITE,
    normalise_tag, parse_date, split_list,
};
pub use plan::{ChangeCounts, ImportPlan, RowError, RowWarning, Table, TableRow, plan_import};
pub use snapshot::{ExistingKeys, InventorySnapshot};
