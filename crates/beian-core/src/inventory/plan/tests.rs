use chrono::NaiveDate;

use super::*;
use crate::inventory::{InventorySnapshot, portfolio_rows};
use crate::model::Domain;

// Valid identifiers (check characters computed with GB 32100 / GB 11643).
const USCC_BJ: &str = "91110108MA01K7QX1U";
const USCC_SC: &str = "91510104MA6CB3RN7L";
const RESIDENT_SC: &str = "510107199003072415";

const HEADERS: [&str; 12] = [
    "主体名称(subject_name)",
    "证件号码",
    "subject_kind",
    "网站名称",
    "home_url",
    "域名",
    "接入商",
    "ICP备案号",
    "备案日期",
    "公安备案号",
    "网站负责人",
    "负责人电话",
];

fn ctx() -> ValidationContext {
    ValidationContext::new(NaiveDate::from_ymd_opt(2026, 11, 23).expect("a valid date"))
}

fn table(rows: &[[&str; 12]]) -> Table {
    Table {
        header_row: 1,
        headers: HEADERS.iter().map(|h| (*h).to_owned()).collect(),
        rows: rows
            .iter()
            .enumerate()
            .map(|(i, cells)| TableRow {
                number: i + 2,
                cells: cells.iter().map(|c| (*c).to_owned()).collect(),
            })
            .collect(),
    }
}

fn portfolio() -> Table {
    table(&[
        [
            "北京云杉科技有限公司",
            USCC_BJ,
            "企业",
            "云杉官网",
            "https://www.yunshan-tech.com/",
            "yunshan-tech.com",
            "阿里云",
            "京ICP备2021034567号-1",
            "2021-06-01",
            "京公网安备11010802034567号",
            "李四",
            "13800138000",
        ],
        [
            "北京云杉科技有限公司",
            USCC_BJ,
            "",
            "云杉商城",
            "https://shop.yunshan-tech.cn/",
            "yunshan-tech.cn",
            "阿里云; 腾讯云",
            "京ICP备2021034567号-2",
            "2021/07/15",
            "",
            "",
            "",
        ],
        [
            "王小明",
            RESIDENT_SC,
            "个人",
            "小明的博客",
            "http://blog.wangxm.cn",
            "",
            "",
            "川ICP备2023047391号-1",
            "",
            "",
            "",
            "",
        ],
    ])
}

/// Applies a change set the way the store does: ids in order, links resolved.
fn apply(stored: &InventorySnapshot, changes: &[Change]) -> InventorySnapshot {
    let mut records: Vec<Record> = stored.records().collect();
    let mut next_id = records.iter().map(Record::id).max().unwrap_or(0) + 1;
    let mut assigned: Vec<RecordId> = Vec::new();
    for change in changes {
        let resolve = |r: Option<RecordRef>| {
            r.map(|r| match r {
                RecordRef::Stored(id) => id,
                RecordRef::New(i) => assigned[i],
            })
        };
        match change {
            Change::Insert { record, links } => {
                let mut record = record.clone();
                let id = next_id;
                next_id += 1;
                match &mut record {
                    Record::Subject(r) => r.id = id,
                    Record::Website(r) => {
                        r.id = id;
                        r.subject_id = resolve(links.subject).expect("a website links its subject");
                    }
                    Record::Domain(r) => {
                        r.id = id;
                        r.website_id = resolve(links.website);
                    }
                    Record::Filing(r) => {
                        r.id = id;
                        r.subject_id = resolve(links.subject).expect("a filing links its subject");
                        r.website_id = resolve(links.website);
                        r.parent_id = resolve(links.parent);
                    }
                    Record::Person(r) => {
                        r.id = id;
                        r.subject_id = resolve(links.subject).expect("a person links its subject");
                        r.website_id = resolve(links.website);
                    }
                    Record::AccessProvider(r) => r.id = id,
                }
                assigned.push(id);
                records.push(record);
            }
            Change::Update { record } => {
                let slot = records
                    .iter_mut()
                    .find(|r| r.kind() == record.kind() && r.id() == record.id())
                    .expect("updates name stored records");
                *slot = record.clone();
                assigned.push(record.id());
            }
            Change::Delete { .. } => unreachable!("imports never delete"),
        }
    }
    InventorySnapshot::new(records)
}

fn counts(plan: &ImportPlan, kind: RecordKind) -> ChangeCounts {
    plan.summary.get(&kind).copied().unwrap_or_default()
}

fn problems(plan: &ImportPlan) -> String {
    plan.errors
        .iter()
        .map(|e| format!("{e:?}"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn a_fresh_portfolio_plans_every_record_once() {
    let plan = plan_import(&portfolio(), &InventorySnapshot::default(), &ctx());
    assert!(plan.is_applicable(), "{}", problems(&plan));
    assert_eq!(plan.rows, 3);
    assert_eq!(counts(&plan, RecordKind::Subject).insert, 2);
    assert_eq!(counts(&plan, RecordKind::Website).insert, 3);
    // Two subject filings (京…, 川…), three website filings, one PSB filing.
    assert_eq!(counts(&plan, RecordKind::Filing).insert, 6);
    // The third row names no domain: the home URL's registrable domain is used.
    assert_eq!(counts(&plan, RecordKind::Domain).insert, 3);
    assert_eq!(counts(&plan, RecordKind::Person).insert, 1);
    assert_eq!(counts(&plan, RecordKind::AccessProvider).insert, 2);

    let stored = apply(&InventorySnapshot::default(), &plan.changes);
    assert!(stored.domain_by_name("wangxm.cn").is_some());
    let site = stored
        .website_by_url("https://shop.yunshan-tech.cn/")
        .expect("site stored");
    let subject = stored
        .subject_by_id_number(USCC_BJ)
        .expect("subject stored");
    assert_eq!(site.subject_id, subject.id);
    assert_eq!(site.access_providers, ["阿里云", "腾讯云"]);
    let filing = stored
        .filing_by_number("京ICP备2021034567号-2")
        .expect("filing stored");
    let parent = stored
        .filing_by_number("京ICP备2021034567号")
        .expect("subject filing derived");
    assert_eq!(filing.parent_id, Some(parent.id));
    assert_eq!(filing.website_id, Some(site.id));
    assert_eq!(filing.filed_on, NaiveDate::from_ymd_opt(2021, 7, 15));
    assert_eq!(
        parent.filed_on,
        NaiveDate::from_ymd_opt(2021, 6, 1),
        "earliest site filing"
    );
    for filing in &stored.filings {
        let parent = filing
            .parent_id
            .and_then(|id| stored.filings.iter().find(|f| f.id == id));
        let website = filing.website_id.and_then(|id| stored.website(id));
        crate::model::check_filing_relations(filing, parent, website).expect("relations hold");
    }
    // 川ICP备 is accepted with a warning that suggests 蜀.
    assert!(
        plan.warnings
            .iter()
            .any(|w| w.row == 4 && w.value.contains("川ICP备")),
        "{:?}",
        plan.warnings
    );
}

#[test]
fn exported_rows_import_with_no_changes() {
    let first = plan_import(&portfolio(), &InventorySnapshot::default(), &ctx());
    let stored = apply(&InventorySnapshot::default(), &first.changes);
    let exported = Table {
        header_row: 1,
        headers: Column::ALL.iter().map(|c| c.header()).collect(),
        rows: portfolio_rows(&stored)
            .into_iter()
            .enumerate()
            .map(|(i, cells)| TableRow {
                number: i + 2,
                cells,
            })
            .collect(),
    };
    let again = plan_import(&exported, &stored, &ctx());
    assert!(again.is_applicable(), "{}", problems(&again));
    assert!(again.changes.is_empty(), "{:#?}", again.changes);
    assert_eq!(counts(&again, RecordKind::Website).unchanged, 3);
    // The same rows into an empty inventory rebuild the same records.
    let rebuilt = apply(
        &InventorySnapshot::default(),
        &plan_import(&exported, &InventorySnapshot::default(), &ctx()).changes,
    );
    assert_eq!(rebuilt.len(), stored.len());
    assert_eq!(portfolio_rows(&rebuilt), portfolio_rows(&stored));
}

#[test]
fn reimporting_the_same_sheet_changes_nothing_and_a_changed_cell_updates_one_record() {
    let stored = apply(
        &InventorySnapshot::default(),
        &plan_import(&portfolio(), &InventorySnapshot::default(), &ctx()).changes,
    );
    assert!(
        plan_import(&portfolio(), &stored, &ctx())
            .changes
            .is_empty()
    );

    let mut edited = portfolio();
    edited.rows[1].cells[3] = "云杉商城（新版）".to_owned();
    // Empty cells keep stored values: clearing the domain and provider cells changes nothing.
    edited.rows[0].cells[5].clear();
    edited.rows[0].cells[6].clear();
    let plan = plan_import(&edited, &stored, &ctx());
    assert!(plan.is_applicable(), "{}", problems(&plan));
    assert_eq!(plan.changes.len(), 1, "{:#?}", plan.changes);
    let Change::Update {
        record: Record::Website(site),
    } = &plan.changes[0]
    else {
        panic!("expected a website update: {:?}", plan.changes[0]);
    };
    assert_eq!(site.name, "云杉商城（新版）");
    assert_eq!(
        Some(site.id),
        stored
            .website_by_url("https://shop.yunshan-tech.cn/")
            .map(|s| s.id)
    );
}

#[test]
fn duplicate_rows_are_reported_with_both_row_numbers() {
    let mut sheet = portfolio();
    let mut copy = sheet.rows[0].clone();
    copy.number = 9;
    sheet.rows.push(copy);
    let plan = plan_import(&sheet, &InventorySnapshot::default(), &ctx());
    assert!(!plan.is_applicable());
    let columns: Vec<_> = plan
        .errors
        .iter()
        .map(|e| (e.row, e.column.clone().unwrap_or_default()))
        .collect();
    for column in [Column::HomeUrl, Column::IcpNumber, Column::PsbNumber] {
        let error = plan
            .errors
            .iter()
            .find(|e| e.column.as_deref() == Some(column_label(column).as_str()))
            .unwrap_or_else(|| panic!("no error for {column:?}: {columns:?}"));
        assert_eq!(error.row, 9);
        assert!(
            error.problem.contains("第 2 行") && error.fix.contains('9'),
            "{error:?}"
        );
    }
}

#[test]
fn a_duplicate_domain_across_sites_is_an_error() {
    let mut sheet = portfolio();
    sheet.rows[1].cells[5] = "yunshan-tech.cn; YUNSHAN-TECH.COM".to_owned();
    let plan = plan_import(&sheet, &InventorySnapshot::default(), &ctx());
    let error = plan
        .errors
        .iter()
        .find(|e| e.row == 3)
        .expect("duplicate domain reported");
    assert_eq!(error.column.as_deref(), Some("域名 / domains"));
    assert!(error.problem.contains("第 2 行"), "{error:?}");
}

#[test]
fn one_id_number_with_two_names_is_an_error() {
    let mut sheet = portfolio();
    sheet.rows[1].cells[0] = "北京云杉信息技术有限公司".to_owned();
    let plan = plan_import(&sheet, &InventorySnapshot::default(), &ctx());
    assert_eq!(plan.errors.len(), 1, "{}", problems(&plan));
    let error = &plan.errors[0];
    assert_eq!(
        (error.row, error.column.as_deref()),
        (3, Some("主体名称 / subject_name"))
    );
    assert_eq!(error.value, "北京云杉信息技术有限公司");
    assert!(error.problem.contains("第 2 行"));
}

#[test]
fn invalid_values_are_reported_per_row_and_column_with_a_fix() {
    let mut sheet = portfolio();
    sheet.rows[0].cells[7] = "京ICP备2021034567号-".to_owned();
    sheet.rows[1].cells[4] = "shop.yunshan-tech.cn".to_owned();
    sheet.rows[2].cells[1] = "510107199003072410".to_owned();
    sheet.rows[2].cells[11] = "call me".to_owned();
    let plan = plan_import(&sheet, &InventorySnapshot::default(), &ctx());
    let found: Vec<_> = plan
        .errors
        .iter()
        .map(|e| (e.row, e.column.clone().unwrap_or_default()))
        .collect();
    for (row, column) in [
        (2, Column::IcpNumber),
        (3, Column::HomeUrl),
        (4, Column::SubjectIdNumber),
        (4, Column::SiteContactPhone),
    ] {
        assert!(
            found.contains(&(row, column_label(column))),
            "row {row} {column:?} missing in {found:?}"
        );
    }
    assert!(
        plan.errors
            .iter()
            .all(|e| !e.problem.is_empty() && !e.fix.is_empty())
    );
}

#[test]
fn a_subject_number_in_the_website_column_is_refused_with_the_fix() {
    let mut sheet = portfolio();
    sheet.rows[0].cells[7] = "京ICP备2021034567号".to_owned();
    let plan = plan_import(&sheet, &InventorySnapshot::default(), &ctx());
    let error = plan.errors.iter().find(|e| e.row == 2).expect("reported");
    assert!(error.fix.contains("京ICP备2021034567号-1"), "{error:?}");
}

#[test]
fn unknown_and_missing_columns_are_reported_on_the_header_row() {
    let mut sheet = portfolio();
    sheet.headers[3] = "site_nmae".to_owned();
    sheet.headers[11] = "favourite colour".to_owned();
    let plan = plan_import(&sheet, &InventorySnapshot::default(), &ctx());
    assert!(plan.changes.is_empty());
    let unknown = plan
        .errors
        .iter()
        .find(|e| e.value == "site_nmae")
        .expect("unknown column");
    assert_eq!(unknown.row, 1);
    assert!(
        unknown.fix.contains("site_name") && unknown.fix.contains("主体名称"),
        "{unknown:?}"
    );
    assert!(plan.errors.iter().any(|e| e.value == "favourite colour"));
    assert!(
        plan.errors
            .iter()
            .any(|e| e.problem.contains("网站名称(site_name)")),
        "missing column reported"
    );
}

#[test]
fn blank_rows_and_empty_sheets_plan_nothing() {
    let mut sheet = portfolio();
    sheet.rows.push(TableRow {
        number: 5,
        cells: vec!["  ".to_owned(); 12],
    });
    sheet.rows.push(TableRow {
        number: 6,
        cells: Vec::new(),
    });
    assert_eq!(
        plan_import(&sheet, &InventorySnapshot::default(), &ctx()).rows,
        3
    );
    let empty = Table {
        rows: Vec::new(),
        ..sheet
    };
    let plan = plan_import(&empty, &InventorySnapshot::default(), &ctx());
    assert!(plan.is_applicable() && plan.changes.is_empty() && plan.rows == 0);
}

#[test]
fn neutralised_cells_import_as_they_were_written() {
    let mut sheet = portfolio();
    sheet.rows[0].cells[3] = "'=HYPERLINK(\"http://evil.example\",\"点我\")".to_owned();
    sheet.rows[0].cells[11] = "'+86 138 0013 8000".to_owned();
    let plan = plan_import(&sheet, &InventorySnapshot::default(), &ctx());
    assert!(plan.is_applicable(), "{}", problems(&plan));
    let stored = apply(&InventorySnapshot::default(), &plan.changes);
    let site = stored
        .website_by_url("https://www.yunshan-tech.com/")
        .expect("stored");
    assert_eq!(site.name, "=HYPERLINK(\"http://evil.example\",\"点我\")");
    assert_eq!(
        stored.contact_of(site.id).map(|p| p.phone.as_str()),
        Some("+86 138 0013 8000")
    );
}

#[test]
fn a_stored_site_under_another_subject_is_not_moved() {
    let stored = apply(
        &InventorySnapshot::default(),
        &plan_import(&portfolio(), &InventorySnapshot::default(), &ctx()).changes,
    );
    let mut sheet = portfolio();
    sheet.rows[1].cells[0] = "成都锦城文化传媒有限公司".to_owned();
    sheet.rows[1].cells[1] = USCC_SC.to_owned();
    let plan = plan_import(&sheet, &stored, &ctx());
    assert!(
        plan.errors
            .iter()
            .any(|e| e.row == 3 && e.problem.contains("北京云杉科技有限公司")),
        "{}",
        problems(&plan)
    );
}

#[test]
fn unchanged_records_keep_store_owned_fields() {
    let stored = apply(
        &InventorySnapshot::default(),
        &plan_import(&portfolio(), &InventorySnapshot::default(), &ctx()).changes,
    );
    // A domain expiry learnt from WHOIS stays attributed to WHOIS when the sheet agrees.
    let mut records: Vec<Record> = stored.records().collect();
    for record in &mut records {
        if let Record::Domain(Domain {
            name,
            expires_on,
            expiry_source,
            ..
        }) = record
            && name == "yunshan-tech.com"
        {
            *expires_on = NaiveDate::from_ymd_opt(2027, 1, 31);
            *expiry_source = Some(Provenance::Whois);
        }
    }
    let stored = InventorySnapshot::new(records);
    let mut sheet = portfolio();
    sheet.headers[8] = "domain_expires_on".to_owned();
    sheet.rows[0].cells[8] = "2027/1/31".to_owned();
    sheet.rows[1].cells[8].clear();
    let plan = plan_import(&sheet, &stored, &ctx());
    assert!(plan.changes.is_empty(), "{:#?}", plan.changes);
}
