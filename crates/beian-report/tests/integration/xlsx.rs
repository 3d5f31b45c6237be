//! Findings XLSX read back with calamine: every value as written, formulas neutralised.

use beian_core::finding::Severity;
use beian_report::xlsx::{FINDINGS_SHEET, SUMMARY_SHEET};
use beian_report::{FindingRow, findings_xlsx};
use calamine::{Data, Reader, Xlsx};

use crate::support::{DOMAIN, finding};

fn open(bytes: Vec<u8>) -> Xlsx<std::io::Cursor<Vec<u8>>> {
    Xlsx::new(std::io::Cursor::new(bytes)).expect("calamine opens the workbook")
}

fn cell_text(cell: &Data) -> String {
    match cell {
        Data::String(s) => s.clone(),
        Data::Empty => String::new(),
        other => other.to_string(),
    }
}

#[test]
fn findings_round_trip_with_formulas_neutralised() {
    let hostile = [
        "=HYPERLINK(\"http://evil.example\",\"点我\")",
        "+1+1",
        "-2+3",
        "@SUM(A1:A2)",
    ];
    let mut rows: Vec<FindingRow> = hostile
        .iter()
        .enumerate()
        .map(|(i, text)| {
            let f = finding(i as i64 + 1, "content.hijack", Severity::High, text);
            FindingRow::new(&f, *text, Some("网页被劫持"))
        })
        .collect();
    let plain = finding(9, "domain.expiring", Severity::Low, "域名 30 天后到期");
    rows.push(FindingRow::new(&plain, "云杉官网", None));

    let mut workbook = open(findings_xlsx(&rows).expect("xlsx"));
    let range = workbook
        .worksheet_range(FINDINGS_SHEET)
        .expect("findings sheet");
    let cells: Vec<Vec<String>> = range
        .rows()
        .map(|r| r.iter().map(cell_text).collect())
        .collect();
    assert_eq!(
        cells.len(),
        1 + rows.len(),
        "header plus one row per finding"
    );
    assert_eq!(cells[0][2], "规则 rule");
    for (i, text) in hostile.iter().enumerate() {
        let row = &cells[i + 1];
        assert_eq!(row[1], format!("'{text}"), "site cell not neutralised");
        assert_eq!(
            row[10],
            format!("'{text}"),
            "explanation cell not neutralised"
        );
        assert_eq!(row[4], "高 high");
        assert_eq!(row[6], DOMAIN);
    }
    let last = &cells[rows.len()];
    assert_eq!(last[1], "云杉官网");
    assert_eq!(
        last[3], "domain.expiring",
        "unknown titles fall back to the rule id"
    );
    assert_eq!(last[10], "域名 30 天后到期");
    let formulas = workbook
        .worksheet_formula(FINDINGS_SHEET)
        .expect("formula range");
    assert!(
        formulas.used_cells().all(|(_, _, f)| f.is_empty()),
        "no cell may hold a formula"
    );

    let summary = workbook
        .worksheet_range(SUMMARY_SHEET)
        .expect("summary sheet");
    let summary: Vec<Vec<String>> = summary
        .rows()
        .map(|r| r.iter().map(cell_text).collect())
        .collect();
    assert!(summary.contains(&vec![
        "规则 rule".to_owned(),
        "content.hijack".to_owned(),
        "4".to_owned()
    ]));
    assert!(summary.contains(&vec![
        "严重程度 severity".to_owned(),
        "高 high".to_owned(),
        "4".to_owned()
    ]));
}

#[test]
fn an_empty_list_still_gives_a_workbook_with_headers() {
    let mut workbook = open(findings_xlsx(&[]).expect("xlsx"));
    let range = workbook
        .worksheet_range(FINDINGS_SHEET)
        .expect("findings sheet");
    assert_eq!(range.rows().count(), 1);
}
