//! `beian bench import --rows N`: generates a valid N-website workbook, imports it into
//! a fresh SQLite store three times and reports the timings as JSON.

use std::collections::HashMap;
use std::path::Path;
use std::time::Instant;

use anyhow::{Context as _, ensure};
use beian_core::identifier::{FileableTlds, uscc_check_character};
use beian_core::inventory::Column;
use beian_store::{OpenMode, Store, StoreLocation};
use chrono::{Datelike, Days, NaiveDate};
use serde_json::json;

use crate::config::today_in_china;
use crate::import::{ImportOptions, run_import};

/// Websites per subject in the generated portfolio (agencies' sheets look like this).
const SITES_PER_SUBJECT: usize = 10;
const RUNS: usize = 3;

pub async fn bench_import(rows: usize) -> anyhow::Result<serde_json::Value> {
    ensure!(rows > 0, "行数必须大于 0 / --rows must be at least 1");
    let dir =
        tempfile::tempdir().context("无法创建临时目录 / cannot create a temporary directory")?;
    let today = today_in_china();
    let workbook = dir.path().join("bench-portfolio.xlsx");
    crate::export::write_portfolio_xlsx(&workbook, &synthetic_portfolio(rows, today))?;
    let options = ImportOptions {
        dry_run: false,
        actor: "bench".to_owned(),
        today,
        fileable_tlds: FileableTlds::bundled(),
    };
    let mut runs = Vec::with_capacity(RUNS);
    let mut phases = Vec::with_capacity(RUNS);
    for run in 0..RUNS {
        let database = dir.path().join(format!("bench-{run}.db"));
        let seconds = import_once(&workbook, &database, &options, &mut phases).await?;
        runs.push(seconds);
    }
    let mut sorted = runs.clone();
    sorted.sort_by(f64::total_cmp);
    let median = sorted[sorted.len() / 2];
    Ok(json!({
        "rows": rows,
        "runs_seconds": runs,
        "median_seconds": median,
        "rows_per_second": rows as f64 / median,
        "phases_seconds": phases,
    }))
}

async fn import_once(
    workbook: &Path,
    database: &Path,
    options: &ImportOptions,
    phases: &mut Vec<serde_json::Value>,
) -> anyhow::Result<f64> {
    let store = beian_store::open(
        &StoreLocation::Sqlite(database.to_path_buf()),
        OpenMode::CreateIfMissing,
    )
    .await
    .with_context(|| {
        format!(
            "无法创建测试数据库 {} / cannot create the bench database",
            database.display()
        )
    })?;
    let started = Instant::now();
    let report = run_import(&store, workbook, options).await?;
    let seconds = started.elapsed().as_secs_f64();
    store.close().await;
    ensure!(
        report.is_ok() && report.applied,
        "生成的工作簿未能导入（程序缺陷）/ the generated workbook did not import (a bug): {:?}",
        report.errors.first()
    );
    phases.push(serde_json::to_value(report.timings)?);
    Ok(seconds)
}

/// A valid portfolio: `rows` websites under `rows / 10` companies, each with a domain,
/// an ICP website number under its subject's stem, a PSB number and a contact.
pub fn synthetic_portfolio(rows: usize, today: NaiveDate) -> Vec<Vec<String>> {
    let first_year = 2019.min(today.year());
    let years = u64::try_from(today.year() - first_year + 1).unwrap_or(1);
    (0..rows)
        .map(|row| {
            let subject = row / SITES_PER_SUBJECT;
            let site = row % SITES_PER_SUBJECT + 1;
            let year = first_year + i32::try_from(subject as u64 % years).unwrap_or(0);
            let tld = if row % 2 == 0 { "com" } else { "cn" };
            let domain = format!("site{row}-org{subject}.{tld}");
            let live = NaiveDate::from_ymd_opt(year, 1, 1)
                .and_then(|d| d.checked_add_days(Days::new(row as u64 % 300)))
                .unwrap_or(today);
            let mut cells: HashMap<Column, String> = HashMap::from([
                (Column::SubjectName, format!("测试科技第{subject}有限公司")),
                (Column::SubjectKind, "企业".to_owned()),
                (Column::SubjectIdNumber, synthetic_uscc(subject)),
                (Column::Principal, format!("负责人{subject}")),
                (Column::SiteName, format!("测试网站{row}")),
                (Column::HomeUrl, format!("https://www.{domain}/")),
                (Column::Domains, domain),
                (
                    Column::AccessProviders,
                    if row % 3 == 0 {
                        "阿里云"
                    } else {
                        "腾讯云"
                    }
                    .to_owned(),
                ),
                (
                    Column::ServerIps,
                    format!("203.0.{}.{}", row / 250 % 250, row % 250 + 1),
                ),
                (Column::GoLiveOn, live.to_string()),
                (
                    Column::IcpNumber,
                    format!("京ICP备{year}{:06}号-{site}", scatter(subject)),
                ),
                (Column::FilingStatus, "已备案".to_owned()),
                (Column::FiledOn, live.to_string()),
                (
                    Column::PsbNumber,
                    format!("京公网安备11010802{:06}号", scatter(row)),
                ),
                (Column::PsbFiledOn, live.to_string()),
                (
                    Column::DomainExpiresOn,
                    format!("{}-06-30", today.year() + 1),
                ),
                (Column::SiteContact, format!("联系人{row}")),
                (Column::SiteContactPhone, format!("139{:08}", row)),
            ]);
            Column::ALL
                .iter()
                .map(|c| cells.remove(c).unwrap_or_default())
                .collect()
        })
        .collect()
}

/// Spreads consecutive indexes over 6-digit serials that look like real ones (no runs
/// such as 000001 or 123456, which the validators flag as placeholders). Distinct for
/// indexes below 900,000.
fn scatter(index: usize) -> usize {
    100_000 + (index * 7_919 + 40_213) % 900_000
}

/// A company USCC in Beijing Haidian with a valid check character.
fn synthetic_uscc(index: usize) -> String {
    let first17 = format!("91110108MA{:07}", index % 10_000_000);
    let check = uscc_check_character(&first17).expect("17 digits and letters of the USCC alphabet");
    format!("{first17}{check}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scattered_serials_are_distinct() {
        let serials: std::collections::HashSet<usize> = (0..100_000).map(scatter).collect();
        assert_eq!(serials.len(), 100_000);
        assert!(serials.iter().all(|s| (100_000..1_000_000).contains(s)));
    }
}
