//! Tables and JSON on stdout. Tables use ASCII borders: box-drawing characters are
//! "ambiguous width" and render double-wide in many CJK terminals, which would break
//! the alignment that comfy-table computes from the Unicode width of Chinese text.

use std::io::Write;

use comfy_table::{ContentArrangement, Table, presets};
use serde::Serialize;

use crate::config::Language;

/// A column header in both languages.
#[derive(Debug, Clone, Copy)]
pub struct Header {
    pub zh: &'static str,
    pub en: &'static str,
}

pub const fn header(zh: &'static str, en: &'static str) -> Header {
    Header { zh, en }
}

impl Header {
    pub fn text(self, language: Language) -> &'static str {
        match language {
            Language::Zh => self.zh,
            Language::En => self.en,
        }
    }
}

/// A table with localised headers, ready for rows.
pub fn table(language: Language, headers: &[Header]) -> Table {
    let mut table = Table::new();
    table
        .load_style(presets::ASCII_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(headers.iter().map(|h| h.text(language)));
    table
}

/// A two-column field/value table for `show`.
pub fn detail_table(language: Language, rows: &[(Header, String)]) -> Table {
    let mut table = table(language, &[header("字段", "Field"), header("值", "Value")]);
    for (field, value) in rows {
        table.add_row([field.text(language), value.as_str()]);
    }
    table
}

pub fn print_table(table: &Table) -> anyhow::Result<()> {
    print_text(&format!("{table}\n"))
}

/// Pretty JSON on stdout, for `--json`.
pub fn print_json<T: Serialize + ?Sized>(value: &T) -> anyhow::Result<()> {
    let mut text = serde_json::to_string_pretty(value)?;
    text.push('\n');
    print_text(&text)
}

/// Writes to stdout; a closed pipe (`beian … | head`) ends quietly instead of panicking.
pub fn print_text(text: &str) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

/// `Some` value as text, `-` for none (so empty cells are visibly empty).
pub fn or_dash<T: ToString>(value: Option<T>) -> String {
    value.map_or_else(|| "-".to_owned(), |v| v.to_string())
}

/// Joins a list for one table cell.
pub fn joined(values: &[String]) -> String {
    if values.is_empty() {
        "-".to_owned()
    } else {
        values.join(", ")
    }
}

/// Remote text (page titles, snippets, registrar names, failure details) may carry terminal
/// escapes: control characters are shown as `�` so a page cannot rewrite the operator's
/// screen.
pub fn printable(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() && c != '\n' {
                '\u{FFFD}'
            } else {
                c
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_headers_when_asked() {
        let rendered = table(Language::En, &[header("名称", "Name")]).to_string();
        assert!(
            rendered.contains("Name") && !rendered.contains("名称"),
            "{rendered}"
        );
    }
}
