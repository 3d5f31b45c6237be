//! Tables stay aligned with Chinese text: every line of a table has the same display
//! width (CJK characters count two columns).

use unicode_width::UnicodeWidthStr;

use crate::Workspace;
use crate::inventory::{OTHER_USCC, seed};

fn assert_aligned(table: &str) {
    let widths: Vec<usize> = table
        .lines()
        .filter(|l| !l.is_empty())
        .map(UnicodeWidthStr::width)
        .collect();
    assert!(widths.len() > 3, "a table with rows: {table}");
    assert!(
        widths.windows(2).all(|w| w[0] == w[1]),
        "ragged table {widths:?}:\n{table}"
    );
}

#[test]
fn subject_table_mixing_chinese_and_ascii_is_aligned() {
    let workspace = Workspace::initialised();
    seed(&workspace);
    workspace.ok(&[
        "subject",
        "add",
        "--name",
        "Example Holdings Ltd",
        "--id-number",
        OTHER_USCC,
        "--principal",
        "Li",
    ]);
    let table = workspace.ok(&["subject", "list"]);
    assert!(
        table.contains("北京示例科技有限公司") && table.contains("Example Holdings Ltd"),
        "{table}"
    );
    assert_aligned(&table);
    assert_aligned(&workspace.ok(&["--lang", "en", "site", "list"]));
}

#[test]
fn validate_table_is_aligned() {
    let workspace = Workspace::unconfigured();
    let table = workspace.ok(&["validate", "苏ICP备2025175795号-1", "example.com"]);
    assert_aligned(&table);
}
