//! Inventory entry: raw input → validated records.
