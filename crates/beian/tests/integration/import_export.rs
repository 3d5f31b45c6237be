//! `beian import` / `beian export`: templates, the bundled example, dry runs, bad files
//! that must leave the database as it was, round trips, formula injection, GBK CSV and
//! a 10,000-row workbook.

use std::path::{Path, PathBuf};

use beian_core::identifier::uscc_check_character;
use calamine::{Data, Reader};
use serde_json::Value;

use crate::Workspace;

fn example_portfolio() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/examples/portfolio.csv")
}

fn text(path: &Path) -> String {
    path.to_str().expect("temporary paths are UTF-8").to_owned()
}

/// Everything the database holds: the full JSON export and the audit-log length.
fn database_state(workspace: &Workspace) -> (Value, usize) {
    let output = workspace.ok(&["export", "--format", "json"]);
    let export: Value = serde_json::from_str(&output).expect("export prints JSON");
    (export, workspace.audit_len())
}

fn count(state: &(Value, usize), kind: &str) -> usize {
    state.0[kind].as_array().map_or(0, Vec::len)
}

/// Runs `beian import FILE --json` and returns the exit code and the report.
fn import_json(workspace: &Workspace, file: &Path, extra: &[&str]) -> (i32, Value) {
    let output = workspace
        .beian()
        .arg("import")
        .arg(file)
        .args(extra)
        .arg("--json")
        .output()
        .expect("run beian import");
    let report = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "import printed no JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    (output.status.code().unwrap_or(-1), report)
}

fn summary(report: &Value, kind: &str, outcome: &str) -> u64 {
    report["summary"][kind][outcome].as_u64().unwrap_or(0)
}

/// Replaces the example's header and keeps its first `rows` data rows.
fn example_lines() -> Vec<String> {
    std::fs::read_to_string(example_portfolio())
        .expect("the bundled example is readable")
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn templates_are_written_and_import_as_nothing() {
    let workspace = Workspace::initialised();
    for format in ["xlsx", "csv"] {
        let template = workspace.path().join(format!("template.{format}"));
        workspace.ok(&["import", "--template", format, "--output", &text(&template)]);
        let (code, report) = import_json(&workspace, &template, &[]);
        assert_eq!(code, 0, "{report}");
        assert_eq!(
            (report["rows"].as_u64(), report["changes"].as_u64()),
            (Some(0), Some(0))
        );
    }
    let mut workbook =
        calamine::open_workbook_auto(workspace.path().join("template.xlsx")).expect("xlsx opens");
    assert_eq!(workbook.sheet_names(), ["网站 portfolio", "说明 Help"]);
    let sheet = workbook
        .worksheet_range("网站 portfolio")
        .expect("portfolio sheet");
    let headers: Vec<String> = sheet
        .rows()
        .next()
        .expect("header row")
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(headers[0], "主体名称(subject_name)");
    assert!(headers.contains(&"ICP备案号(icp_number)".to_owned()));
    let help = workbook.worksheet_range("说明 Help").expect("help sheet");
    assert!(help.rows().any(|row| {
        row.iter()
            .any(|cell| cell.to_string().contains("京ICP备2024012345号-1"))
    }));
    let csv = std::fs::read_to_string(workspace.path().join("template.csv")).expect("csv template");
    assert!(csv.starts_with("\u{feff}主体名称(subject_name),主体性质(subject_kind),"));
}

#[test]
fn the_bundled_example_imports_with_its_warning() {
    let workspace = Workspace::initialised();
    let (code, report) = import_json(&workspace, &example_portfolio(), &[]);
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["applied"], true);
    assert_eq!(summary(&report, "website", "insert"), 12);
    assert_eq!(summary(&report, "subject", "insert"), 6);
    let warnings = report["warnings"].as_array().expect("warnings listed");
    assert!(
        warnings
            .iter()
            .any(|w| w["value"] == "川ICP备2023047391号-1" && w["code"] == "V3"),
        "{warnings:?}"
    );
    let sites = workspace.ok(&["site", "list"]);
    assert!(
        sites.contains("浦江旧版门户") && sites.contains("小明的博客"),
        "{sites}"
    );
}

#[test]
fn a_dry_run_writes_nothing() {
    let workspace = Workspace::initialised();
    let (code, report) = import_json(&workspace, &example_portfolio(), &["--dry-run"]);
    assert_eq!(code, 0);
    assert_eq!(
        (report["dry_run"].as_bool(), report["applied"].as_bool()),
        (Some(true), Some(false))
    );
    assert_eq!(report["changes"].as_u64(), Some(72));
    let state = database_state(&workspace);
    assert_eq!(
        (
            count(&state, "websites"),
            count(&state, "subjects"),
            state.1
        ),
        (0, 0, 0)
    );
}

/// Each bad file fails with exit 2, names row, column, value and fix, and changes nothing.
#[test]
fn bad_rows_fail_whole_and_leave_the_database_as_it_was() {
    let workspace = Workspace::initialised();
    workspace.ok(&["import", &text(&example_portfolio())]);
    let before = database_state(&workspace);
    assert_eq!(count(&before, "websites"), 12);

    let lines = example_lines();
    let new_site = lines[1]
        .replace(
            "https://www.yunshan-tech.com/",
            "https://new.yunshan-tech.com/",
        )
        .replace(",yunshan-tech.com,", ",new-yunshan.com,")
        .replace("号-1,", "号-4,")
        .replace("京公网安备11010802034567号,2021-07-20", ",");
    let cases: Vec<(&str, String, [&str; 3])> = vec![
        (
            "invalid ICP number",
            format!(
                "{}\n{}\n",
                lines[0],
                new_site.replace("京ICP备2021034567号-4", "京ICP备2021O34567号-4")
            ),
            ["2", "icp_number", "京ICP备2021O34567号-4"],
        ),
        (
            "unknown column",
            format!(
                "{}\n{}\n",
                lines[0].replace("备注(notes)", "备忘录"),
                new_site
            ),
            ["1", "备忘录", "notes"],
        ),
        (
            "duplicate row",
            format!("{}\n{}\n{}\n", lines[0], new_site, new_site),
            ["3", "home_url", "第 2 行"],
        ),
    ];
    for (name, content, expected) in cases {
        let file = workspace.path().join("bad.csv");
        std::fs::write(&file, content).expect("write the bad file");
        let output = workspace
            .beian()
            .arg("import")
            .arg(&file)
            .output()
            .expect("run beian import");
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert_eq!(output.status.code(), Some(2), "{name}: {stdout}");
        for needle in expected {
            assert!(
                stdout.contains(needle),
                "{name}: {needle:?} missing from\n{stdout}"
            );
        }
        assert!(
            stdout.contains("修复") && stdout.contains("未写入任何数据"),
            "{name}: {stdout}"
        );
        assert_eq!(
            database_state(&workspace),
            before,
            "{name} changed the database"
        );
        // The same problems, as data.
        let (code, report) = import_json(&workspace, &file, &[]);
        assert_eq!(code, 2);
        let errors = report["errors"].as_array().expect("errors listed");
        assert!(
            errors
                .iter()
                .all(|e| e["row"].is_u64() && e["fix"].as_str().is_some_and(|f| !f.is_empty()))
        );
    }
}

#[test]
fn exports_round_trip_in_every_format() {
    let source = Workspace::initialised();
    source.ok(&["import", &text(&example_portfolio())]);
    let reference = source.ok(&["export", "--format", "csv"]);
    for format in ["xlsx", "csv", "json"] {
        let file = source.path().join(format!("export.{format}"));
        source.ok(&["export", "--format", format, "--output", &text(&file)]);
        // Into the same database: nothing changes.
        let (code, report) = import_json(&source, &file, &[]);
        assert_eq!(
            (code, report["changes"].as_u64()),
            (0, Some(0)),
            "{format}: {report}"
        );
        // Into a fresh one: the same inventory.
        let fresh = Workspace::initialised();
        let (code, report) = import_json(&fresh, &file, &[]);
        assert_eq!(code, 0, "{format}: {report}");
        assert_eq!(
            fresh.ok(&["export", "--format", "csv"]),
            reference,
            "{format}"
        );
    }
    let workbook =
        calamine::open_workbook_auto(source.path().join("export.xlsx")).expect("xlsx opens");
    assert_eq!(
        workbook.sheet_names(),
        [
            "网站 portfolio",
            "主体 subjects",
            "域名 domains",
            "备案 filings"
        ]
    );
}

#[test]
fn formula_cells_are_neutralised_on_export_and_restored_on_import() {
    let workspace = Workspace::initialised();
    let lines = example_lines();
    let hostile = "=HYPERLINK(\"http://evil.example\",\"点我\")";
    let row = lines[1].replace(
        ",云杉官网,",
        &format!(",\"{}\",", hostile.replace('"', "\"\"")),
    );
    let file = workspace.path().join("hostile.csv");
    std::fs::write(&file, format!("{}\n{row}\n", lines[0])).expect("write");
    workspace.ok(&["import", &text(&file)]);

    let csv = workspace.ok(&["export", "--format", "csv"]);
    assert!(
        csv.contains("\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"点我\"\")\""),
        "{csv}"
    );
    let xlsx = workspace.path().join("out.xlsx");
    workspace.ok(&["export", "--format", "xlsx", "--output", &text(&xlsx)]);
    let mut workbook = calamine::open_workbook_auto(&xlsx).expect("xlsx opens");
    let sheet = workbook.worksheet_range("网站 portfolio").expect("sheet");
    let name = sheet.get_value((1, 5)).cloned();
    assert_eq!(name, Some(Data::String(format!("'{hostile}"))));

    let fresh = Workspace::initialised();
    fresh.ok(&["import", &text(&xlsx)]);
    let sites = fresh.json(&["site", "list"]);
    assert!(
        sites
            .to_string()
            .contains("=HYPERLINK(\\\"http://evil.example"),
        "{sites}"
    );
    assert!(!sites.to_string().contains("'=HYPERLINK"), "{sites}");
}

#[test]
fn a_gbk_encoded_csv_imports_with_correct_chinese() {
    let workspace = Workspace::initialised();
    let utf8 = std::fs::read_to_string(example_portfolio()).expect("example");
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(&utf8);
    assert!(!unmappable, "the example is GBK-encodable");
    let file = workspace.path().join("gbk.csv");
    std::fs::write(&file, &gbk).expect("write");
    let (code, report) = import_json(&workspace, &file, &[]);
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["source"], "GB18030");
    let sites = workspace.ok(&["site", "list"]);
    assert!(
        sites.contains("锦城文化") && sites.contains("天河文化馆"),
        "{sites}"
    );
}

/// Functional only: the timing is measured by `beian bench import` in a release build.
#[test]
fn a_ten_thousand_row_workbook_imports() {
    const ROWS: usize = 10_000;
    let workspace = Workspace::initialised();
    let file = workspace.path().join("large.xlsx");
    write_large_workbook(&file, ROWS);
    let (code, report) = import_json(&workspace, &file, &[]);
    assert_eq!(code, 0, "{}", report["errors"]);
    assert_eq!(report["rows"].as_u64(), Some(ROWS as u64));
    assert_eq!(summary(&report, "website", "insert"), ROWS as u64);
    assert_eq!(summary(&report, "domain", "insert"), ROWS as u64);
    // Re-importing changes nothing.
    let (code, report) = import_json(&workspace, &file, &[]);
    assert_eq!((code, report["changes"].as_u64()), (0, Some(0)));
}

fn write_large_workbook(path: &Path, rows: usize) {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    let headers = [
        "主体名称",
        "证件号码",
        "网站名称",
        "首页网址",
        "ICP备案号",
        "公安备案号",
        "开通日期",
    ];
    for (col, header) in (0u16..).zip(headers) {
        sheet.write_string(0, col, header).expect("write header");
    }
    let date = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
    for (row, index) in (1u32..).zip(0..rows) {
        let subject = index / 10;
        let first17 = format!("91110108MA{subject:07}");
        let check = uscc_check_character(&first17).expect("a valid USCC prefix");
        let serial = 100_000 + (subject * 7_919 + 40_213) % 900_000;
        let psb = 100_000 + (index * 7_919 + 40_213) % 900_000;
        let cells = [
            format!("测试科技第{subject}有限公司"),
            format!("{first17}{check}"),
            format!("测试网站{index}"),
            format!("https://www.site{index}.com/"),
            format!("京ICP备2024{serial:06}号-{}", index % 10 + 1),
            format!("京公网安备11010802{psb:06}号"),
        ];
        for (col, cell) in (0u16..).zip(&cells) {
            sheet.write_string(row, col, cell).expect("write cell");
        }
        // A real Excel date cell: must come back as YYYY-MM-DD.
        let live = rust_xlsxwriter::ExcelDateTime::from_ymd(2024, 3, 1).expect("a valid date");
        sheet
            .write_datetime_with_format(row, 6, &live, &date)
            .expect("write date");
    }
    workbook.save(path).expect("save the workbook");
}
