//! How inventory records look in tables (`list`) and field/value views (`show`).

use beian_core::model::{AccessProvider, Domain, Filing, Person, Record, Subject, Website};
use comfy_table::Table;

use crate::commands::tables::rows_table;
use crate::config::Language;
use crate::output::{Header, header, joined, or_dash};

/// Localised label of an enum value: Chinese label or English code.
fn pick(language: Language, zh: &'static str, en: &'static str) -> &'static str {
    match language {
        Language::Zh => zh,
        Language::En => en,
    }
}

pub fn subject_table(subjects: &[Subject], language: Language) -> Table {
    rows_table(
        language,
        [
            header("ID", "ID"),
            header("主体名称", "Name"),
            header("性质", "Kind"),
            header("证件号码", "ID number"),
            header("负责人", "Principal"),
            header("省份", "Province"),
            header("状态", "Status"),
        ],
        subjects,
        |s| {
            [
                s.id.to_string(),
                s.name.clone(),
                pick(language, s.kind.label_zh(), s.kind.as_str()).to_owned(),
                s.id_number.clone(),
                s.principal.clone(),
                or_dash(s.province.as_deref()),
                pick(language, s.status.label_zh(), s.status.as_str()).to_owned(),
            ]
        },
    )
}

pub fn website_table(sites: &[Website], language: Language) -> Table {
    rows_table(
        language,
        [
            header("ID", "ID"),
            header("主体ID", "Subject"),
            header("网站名称", "Name"),
            header("首页网址", "Home URL"),
            header("接入商", "Providers"),
            header("开通日期", "Go-live"),
            header("状态", "Status"),
        ],
        sites,
        |w| {
            [
                w.id.to_string(),
                w.subject_id.to_string(),
                w.name.clone(),
                w.home_url.clone(),
                joined(&w.access_providers),
                or_dash(w.go_live_on),
                pick(language, w.status.label_zh(), w.status.as_str()).to_owned(),
            ]
        },
    )
}

pub fn domain_table(domains: &[Domain], language: Language) -> Table {
    rows_table(
        language,
        [
            header("ID", "ID"),
            header("域名", "Domain"),
            header("网站ID", "Site"),
            header("注册商", "Registrar"),
            header("持有者", "Holder"),
            header("到期日", "Expires"),
        ],
        domains,
        |d| {
            [
                d.id.to_string(),
                domain_display(d),
                or_dash(d.website_id),
                d.registrar.clone(),
                d.holder.clone(),
                or_dash(d.expires_on),
            ]
        },
    )
}

/// `你好.中国 (xn--6qq79v.xn--fiqs8s)` for IDNs, the plain name otherwise.
fn domain_display(d: &Domain) -> String {
    if d.unicode_name.is_empty() || d.unicode_name == d.name {
        d.name.clone()
    } else {
        format!("{} ({})", d.unicode_name, d.name)
    }
}

pub fn filing_table(filings: &[Filing], language: Language) -> Table {
    rows_table(
        language,
        [
            header("ID", "ID"),
            header("备案号", "Number"),
            header("类型", "Kind"),
            header("状态", "Status"),
            header("主体ID", "Subject"),
            header("网站ID", "Site"),
            header("备案日期", "Filed on"),
        ],
        filings,
        |f| {
            [
                f.id.to_string(),
                f.number.clone(),
                pick(language, f.kind.label_zh(), f.kind.as_str()).to_owned(),
                pick(language, f.status.label_zh(), f.status.as_str()).to_owned(),
                f.subject_id.to_string(),
                or_dash(f.website_id),
                or_dash(f.filed_on),
            ]
        },
    )
}

pub fn person_table(people: &[Person], language: Language) -> Table {
    rows_table(
        language,
        [
            header("ID", "ID"),
            header("姓名", "Name"),
            header("角色", "Role"),
            header("主体ID", "Subject"),
            header("网站ID", "Site"),
            header("电话", "Phone"),
            header("邮箱", "Email"),
        ],
        people,
        |p| {
            [
                p.id.to_string(),
                p.name.clone(),
                p.role.as_str().to_owned(),
                p.subject_id.to_string(),
                or_dash(p.website_id),
                p.phone.clone(),
                p.email.clone(),
            ]
        },
    )
}

pub fn provider_table(providers: &[AccessProvider], language: Language) -> Table {
    rows_table(
        language,
        [
            header("ID", "ID"),
            header("接入商", "Provider"),
            header("备案控制台", "Console URL"),
        ],
        providers,
        |p| [p.id.to_string(), p.name.clone(), p.console_url.clone()],
    )
}

/// A table of records of mixed kinds, split by kind (used for `list` pages).
pub fn record_table(records: &[Record], language: Language) -> Table {
    macro_rules! only {
        ($variant:ident) => {
            records
                .iter()
                .filter_map(|r| match r {
                    Record::$variant(x) => Some(x.clone()),
                    _ => None,
                })
                .collect::<Vec<_>>()
        };
    }
    match records.first() {
        Some(Record::Website(_)) => website_table(&only!(Website), language),
        Some(Record::Domain(_)) => domain_table(&only!(Domain), language),
        Some(Record::Filing(_)) => filing_table(&only!(Filing), language),
        Some(Record::Person(_)) => person_table(&only!(Person), language),
        Some(Record::AccessProvider(_)) => provider_table(&only!(AccessProvider), language),
        Some(Record::Subject(_)) | None => subject_table(&only!(Subject), language),
    }
}

/// The field/value rows of one record for `show`.
pub fn detail_rows(record: &Record, language: Language) -> Vec<(Header, String)> {
    let date = |d: Option<chrono::NaiveDate>| or_dash(d);
    let common = |created: chrono::DateTime<chrono::Utc>,
                  updated: chrono::DateTime<chrono::Utc>| {
        [
            (
                header("创建时间", "Created"),
                created.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
            ),
            (
                header("更新时间", "Updated"),
                updated.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
            ),
        ]
    };
    let mut rows: Vec<(Header, String)> = vec![(header("ID", "ID"), record.id().to_string())];
    match record {
        Record::Subject(s) => {
            rows.extend([
                (header("主体名称", "Name"), s.name.clone()),
                (
                    header("性质", "Kind"),
                    pick(language, s.kind.label_zh(), s.kind.as_str()).to_owned(),
                ),
                (header("证件号码", "ID number"), s.id_number.clone()),
                (header("负责人", "Principal"), s.principal.clone()),
                (header("省份", "Province"), or_dash(s.province.as_deref())),
                (
                    header("状态", "Status"),
                    pick(language, s.status.label_zh(), s.status.as_str()).to_owned(),
                ),
                (header("关闭日期", "Closed on"), date(s.closed_on)),
                (header("备注", "Notes"), s.notes.clone()),
            ]);
            rows.extend(common(s.created_at, s.updated_at));
        }
        Record::Website(w) => {
            rows.extend([
                (header("主体ID", "Subject"), w.subject_id.to_string()),
                (header("网站名称", "Name"), w.name.clone()),
                (header("首页网址", "Home URL"), w.home_url.clone()),
                (header("接入商", "Providers"), joined(&w.access_providers)),
                (header("服务器IP", "Server IPs"), joined(&w.server_ips)),
                (header("标签", "Tags"), joined(&w.tags)),
                (header("开通日期", "Go-live"), date(w.go_live_on)),
                (
                    header("状态", "Status"),
                    pick(language, w.status.label_zh(), w.status.as_str()).to_owned(),
                ),
                (header("关闭日期", "Closed on"), date(w.closed_on)),
                (header("备注", "Notes"), w.notes.clone()),
            ]);
            rows.extend(common(w.created_at, w.updated_at));
        }
        Record::Domain(d) => {
            rows.extend([
                (header("域名", "Domain"), domain_display(d)),
                (header("网站ID", "Site"), or_dash(d.website_id)),
                (header("注册商", "Registrar"), d.registrar.clone()),
                (header("持有者", "Holder"), d.holder.clone()),
                (header("到期日", "Expires"), date(d.expires_on)),
                (
                    header("到期日来源", "Expiry source"),
                    or_dash(d.expiry_source.map(|p| p.as_str())),
                ),
                (header("备注", "Notes"), d.notes.clone()),
            ]);
            rows.extend(common(d.created_at, d.updated_at));
        }
        Record::Filing(f) => {
            rows.extend([
                (header("备案号", "Number"), f.number.clone()),
                (
                    header("类型", "Kind"),
                    pick(language, f.kind.label_zh(), f.kind.as_str()).to_owned(),
                ),
                (
                    header("状态", "Status"),
                    pick(language, f.status.label_zh(), f.status.as_str()).to_owned(),
                ),
                (header("主体ID", "Subject"), f.subject_id.to_string()),
                (header("网站ID", "Site"), or_dash(f.website_id)),
                (header("上级备案ID", "Parent filing"), or_dash(f.parent_id)),
                (header("备案日期", "Filed on"), date(f.filed_on)),
                (header("注销日期", "Cancelled on"), date(f.cancelled_on)),
                (header("备注", "Notes"), f.notes.clone()),
            ]);
            rows.extend(common(f.created_at, f.updated_at));
        }
        Record::Person(p) => {
            rows.extend([
                (header("姓名", "Name"), p.name.clone()),
                (header("角色", "Role"), p.role.as_str().to_owned()),
                (header("主体ID", "Subject"), p.subject_id.to_string()),
                (header("网站ID", "Site"), or_dash(p.website_id)),
                (header("电话", "Phone"), p.phone.clone()),
                (header("邮箱", "Email"), p.email.clone()),
            ]);
            rows.extend(common(p.created_at, p.updated_at));
        }
        Record::AccessProvider(p) => {
            rows.extend([
                (header("接入商", "Provider"), p.name.clone()),
                (header("备案控制台", "Console URL"), p.console_url.clone()),
            ]);
            rows.extend(common(p.created_at, p.updated_at));
        }
    }
    rows
}
