//! The one way `list`-style commands build a table: fixed headers, one row per item.

use comfy_table::Table;

use crate::config::Language;
use crate::output::{self, Header};

/// A table with `N` columns; the row closure must give exactly one cell per header.
pub fn rows_table<T, const N: usize>(
    language: Language,
    headers: [Header; N],
    items: &[T],
    row: impl Fn(&T) -> [String; N],
) -> Table {
    let mut table = output::table(language, &headers);
    for item in items {
        table.add_row(row(item));
    }
    table
}
