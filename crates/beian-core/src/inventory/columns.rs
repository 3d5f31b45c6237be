//! The portfolio sheet's columns: one row per website, Chinese and English headers.
//!
//! Headers are matched leniently because they come from people's spreadsheets:
//! case, spaces, `_`/`-` and full-width characters do not matter, and a cell may
//! carry both languages ("主体名称(subject_name)", "主体名称 subject_name",
//! "主体名称/subject_name") as the template writes them.

use serde::Serialize;
use unicode_normalization::UnicodeNormalization;

/// A column of the portfolio sheet, in template order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Column {
    SubjectName,
    SubjectKind,
    SubjectIdNumber,
    Principal,
    Province,
    SiteName,
    HomeUrl,
    Domains,
    AccessProviders,
    ServerIps,
    Tags,
    GoLiveOn,
    SiteStatus,
    ClosedOn,
    IcpNumber,
    FilingStatus,
    FiledOn,
    PsbNumber,
    PsbFiledOn,
    Registrar,
    DomainHolder,
    DomainExpiresOn,
    SiteContact,
    SiteContactPhone,
    Notes,
}

/// Help text for one column: what goes in it and an example value.
#[derive(Debug, Clone, Copy)]
pub struct ColumnHelp {
    pub required: bool,
    pub zh: &'static str,
    pub en: &'static str,
    pub example: &'static str,
}

impl Column {
    pub const ALL: [Column; 25] = [
        Column::SubjectName,
        Column::SubjectKind,
        Column::SubjectIdNumber,
        Column::Principal,
        Column::Province,
        Column::SiteName,
        Column::HomeUrl,
        Column::Domains,
        Column::AccessProviders,
        Column::ServerIps,
        Column::Tags,
        Column::GoLiveOn,
        Column::SiteStatus,
        Column::ClosedOn,
        Column::IcpNumber,
        Column::FilingStatus,
        Column::FiledOn,
        Column::PsbNumber,
        Column::PsbFiledOn,
        Column::Registrar,
        Column::DomainHolder,
        Column::DomainExpiresOn,
        Column::SiteContact,
        Column::SiteContactPhone,
        Column::Notes,
    ];

    /// Columns a sheet must have; every other column may be left out (its stored
    /// values are then kept as they are).
    pub const REQUIRED: [Column; 4] = [
        Column::SubjectName,
        Column::SubjectIdNumber,
        Column::SiteName,
        Column::HomeUrl,
    ];

    pub fn en(self) -> &'static str {
        match self {
            Column::SubjectName => "subject_name",
            Column::SubjectKind => "subject_kind",
            Column::SubjectIdNumber => "subject_id_number",
            Column::Principal => "principal",
            Column::Province => "province",
            Column::SiteName => "site_name",
            Column::HomeUrl => "home_url",
            Column::Domains => "domains",
            Column::AccessProviders => "access_providers",
            Column::ServerIps => "server_ips",
            Column::Tags => "tags",
            Column::GoLiveOn => "go_live_on",
            Column::SiteStatus => "site_status",
            Column::ClosedOn => "closed_on",
            Column::IcpNumber => "icp_number",
            Column::FilingStatus => "filing_status",
            Column::FiledOn => "filed_on",
            Column::PsbNumber => "psb_number",
            Column::PsbFiledOn => "psb_filed_on",
            Column::Registrar => "registrar",
            Column::DomainHolder => "domain_holder",
            Column::DomainExpiresOn => "domain_expires_on",
            Column::SiteContact => "site_contact",
            Column::SiteContactPhone => "site_contact_phone",
            Column::Notes => "notes",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Column::SubjectName => "主体名称",
            Column::SubjectKind => "主体性质",
            Column::SubjectIdNumber => "证件号码",
            Column::Principal => "主体负责人",
            Column::Province => "省份",
            Column::SiteName => "网站名称",
            Column::HomeUrl => "首页网址",
            Column::Domains => "域名",
            Column::AccessProviders => "接入商",
            Column::ServerIps => "服务器IP",
            Column::Tags => "标签",
            Column::GoLiveOn => "开通日期",
            Column::SiteStatus => "网站状态",
            Column::ClosedOn => "关闭日期",
            Column::IcpNumber => "ICP备案号",
            Column::FilingStatus => "备案状态",
            Column::FiledOn => "备案日期",
            Column::PsbNumber => "公安备案号",
            Column::PsbFiledOn => "公安备案日期",
            Column::Registrar => "域名注册商",
            Column::DomainHolder => "域名持有者",
            Column::DomainExpiresOn => "域名到期日",
            Column::SiteContact => "网站负责人",
            Column::SiteContactPhone => "负责人电话",
            Column::Notes => "备注",
        }
    }

    /// Other Chinese headers seen in real portfolio sheets.
    fn aliases(self) -> &'static [&'static str] {
        match self {
            Column::SubjectName => &["主办单位", "主办单位名称", "单位名称", "主体"],
            Column::SubjectKind => &["单位性质", "主办单位性质", "主体类型"],
            Column::SubjectIdNumber => &["统一社会信用代码", "主体证件号码", "证件号", "信用代码"],
            Column::Principal => &["法定代表人", "法人"],
            Column::Province => &["省", "所在省份", "省份代码"],
            Column::SiteName => &["网站"],
            Column::HomeUrl => &["网址", "网站首页", "首页", "网站地址", "url"],
            Column::Domains => &["网站域名", "域名列表"],
            Column::AccessProviders => &["接入服务商", "服务商"],
            Column::ServerIps => &["ip", "ip地址", "服务器地址"],
            Column::Tags => &["网站标签", "分组", "tag"],
            Column::GoLiveOn => &["上线日期", "开通时间"],
            Column::SiteStatus => &["状态"],
            Column::ClosedOn => &["关停日期", "关闭时间"],
            Column::IcpNumber => &["网站备案号", "备案号", "icp"],
            Column::FilingStatus => &["icp备案状态"],
            Column::FiledOn => &["icp备案日期", "审核通过日期", "备案时间"],
            Column::PsbNumber => &["公网安备案号", "公安联网备案号", "公网安备号", "psb"],
            Column::PsbFiledOn => &["公安联网备案日期", "公网安备案日期"],
            Column::Registrar => &["注册商"],
            Column::DomainHolder => &["持有者", "域名所有者"],
            Column::DomainExpiresOn => &["到期日", "到期日期", "域名到期时间", "到期时间"],
            Column::SiteContact => &["网站负责人姓名"],
            Column::SiteContactPhone => &["网站负责人电话", "联系电话", "电话"],
            Column::Notes => &["说明"],
        }
    }

    /// The header the template and the export write: both languages in one cell.
    pub fn header(self) -> String {
        format!("{}({})", self.zh(), self.en())
    }

    pub fn help(self) -> ColumnHelp {
        let (zh, en, example) = match self {
            Column::SubjectName => (
                "主办单位或个人的名称，与证件一致",
                "Subject name as on its certificate",
                "北京示例科技有限公司",
            ),
            Column::SubjectKind => (
                "企业 / 个人 / 其他组织；留空时按证件号码推断",
                "company / individual / other_organisation; inferred from the ID number when empty",
                "企业",
            ),
            Column::SubjectIdNumber => (
                "统一社会信用代码（18位）或居民身份证号码",
                "USCC (18 characters) or resident ID number",
                "91110108MA01ABCDE0",
            ),
            Column::Principal => (
                "主体负责人（法定代表人或个人本人）",
                "Principal (legal representative, or the person)",
                "张三",
            ),
            Column::Province => (
                "主体所在省份：名称、简称或两位代码；留空时按证件号码推断",
                "Province of the subject: name, abbreviation or 2-digit code",
                "北京",
            ),
            Column::SiteName => ("网站名称", "Website name", "示例官网"),
            Column::HomeUrl => (
                "首页网址，必须以 http:// 或 https:// 开头（同一网址只能出现一次）",
                "Home URL, http(s) only; unique in the sheet",
                "https://www.example.com/",
            ),
            Column::Domains => (
                "网站使用的域名，多个用 ; 分隔；留空时取首页网址的注册域名",
                "Domains of the site, separated by ; (default: the home URL's registrable domain)",
                "example.com",
            ),
            Column::AccessProviders => (
                "接入商名称，多个用 ; 分隔",
                "Access providers, separated by ;",
                "阿里云",
            ),
            Column::ServerIps => (
                "服务器 IP，多个用 ; 分隔",
                "Server IPs, separated by ;",
                "203.0.113.10",
            ),
            Column::Tags => (
                "自定义标签（客户、团队、用途），多个用 ; 分隔，用于筛选和批量操作",
                "Your own labels (client, team, purpose), separated by ;, for filters and bulk actions",
                "客户A;官网",
            ),
            Column::GoLiveOn => ("网站开通日期", "Go-live date", "2024-03-01"),
            Column::SiteStatus => (
                "运行中 / 已关闭（默认运行中）",
                "active / closed (default active)",
                "运行中",
            ),
            Column::ClosedOn => (
                "网站关闭日期（仅已关闭的网站）",
                "Closing date (closed sites only)",
                "",
            ),
            Column::IcpNumber => (
                "网站备案号（主体备案号-N），主体备案号由此推出",
                "Website ICP number (subject number-N); the subject filing is derived",
                "京ICP备2024012345号-1",
            ),
            Column::FilingStatus => (
                "已备案 / 审核中 / 已注销（默认已备案）",
                "active / pending / cancelled (default active)",
                "已备案",
            ),
            Column::FiledOn => ("ICP 备案通过日期", "ICP filing date", "2024-02-20"),
            Column::PsbNumber => (
                "公安联网备案号",
                "Public-security filing number",
                "京公网安备11010802012345号",
            ),
            Column::PsbFiledOn => (
                "公安联网备案日期（开通后30日内）",
                "PSB filing date (within 30 days of going live)",
                "2024-03-20",
            ),
            Column::Registrar => (
                "域名注册商",
                "Domain registrar",
                "阿里云计算有限公司（万网）",
            ),
            Column::DomainHolder => (
                "域名持有者，应与主体一致",
                "Domain holder; should equal the subject",
                "北京示例科技有限公司",
            ),
            Column::DomainExpiresOn => ("域名到期日", "Domain expiry date", "2026-05-01"),
            Column::SiteContact => ("网站负责人姓名", "Website contact person", "李四"),
            Column::SiteContactPhone => ("网站负责人电话", "Website contact phone", "13800138000"),
            Column::Notes => ("网站备注", "Notes on the website", ""),
        };
        ColumnHelp {
            required: Column::REQUIRED.contains(&self),
            zh,
            en,
            example,
        }
    }

    /// Every name the column answers to, normalised.
    fn names(self) -> impl Iterator<Item = String> {
        [self.zh(), self.en()]
            .into_iter()
            .chain(self.aliases().iter().copied())
            .map(normalise_header)
    }
}

/// NFKC (full-width → ASCII), lower case, without spaces, `_` and `-`.
fn normalise_header(text: &str) -> String {
    text.nfkc()
        .flat_map(char::to_lowercase)
        .filter(|c| !c.is_whitespace() && !matches!(c, '_' | '-' | '*' | ':'))
        .collect()
}

/// What one header cell turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeaderMatch {
    Column(Column),
    /// Empty header cell.
    Blank,
    /// Not a known column; the closest known one, when any is close.
    Unknown {
        suggestion: Option<Column>,
    },
    /// Parts of the cell name two different columns ("域名(site_name)").
    Conflicting(Column, Column),
}

/// Recognises one header cell.
pub fn match_header(text: &str) -> HeaderMatch {
    let whole = normalise_header(text);
    if whole.is_empty() {
        return HeaderMatch::Blank;
    }
    if let Some(column) = lookup(&whole) {
        return HeaderMatch::Column(column);
    }
    let mut found: Option<Column> = None;
    for part in header_parts(text) {
        if let Some(column) = lookup(&part) {
            match found {
                Some(earlier) if earlier != column => {
                    return HeaderMatch::Conflicting(earlier, column);
                }
                _ => found = Some(column),
            }
        }
    }
    match found {
        Some(column) => HeaderMatch::Column(column),
        None => HeaderMatch::Unknown {
            suggestion: closest(&whole),
        },
    }
}

fn lookup(normalised: &str) -> Option<Column> {
    Column::ALL
        .into_iter()
        .find(|column| column.names().any(|name| name == normalised))
}

/// "主体名称(subject_name)" → ["主体名称", "subject_name"]; also splits on `/`, `|`,
/// spaces and line breaks, and at a switch between Chinese and Latin script.
fn header_parts(text: &str) -> Vec<String> {
    let text: String = text.nfkc().collect();
    let mut parts = Vec::new();
    for chunk in text.split([
        '(', ')', '/', '|', '\n', '\r', '\t', ' ', '[', ']', '【', '】',
    ]) {
        let mut current = String::new();
        let mut current_is_cjk: Option<bool> = None;
        for c in chunk.chars() {
            let is_cjk = !c.is_ascii();
            if current_is_cjk.is_some_and(|was| was != is_cjk) {
                parts.push(normalise_header(&current));
                current.clear();
            }
            current_is_cjk = Some(is_cjk);
            current.push(c);
        }
        parts.push(normalise_header(&current));
    }
    parts.retain(|p| !p.is_empty());
    parts
}

/// The known column whose name is nearest by edit distance, if near enough to be a typo.
fn closest(normalised: &str) -> Option<Column> {
    let length = normalised.chars().count();
    Column::ALL
        .into_iter()
        .flat_map(|column| {
            column
                .names()
                .map(move |name| (column, edit_distance(normalised, &name)))
        })
        .filter(|(_, distance)| *distance <= (length / 3).max(1))
        .min_by_key(|(_, distance)| *distance)
        .map(|(column, _)| column)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = Vec::with_capacity(b.len() + 1);
        current.push(i + 1);
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

/// The list of known columns, for "unknown column" messages.
pub fn known_columns_list() -> String {
    Column::ALL
        .iter()
        .map(|c| format!("{}/{}", c.zh(), c.en()))
        .collect::<Vec<_>>()
        .join("、")
}

/// Spreadsheet letters for a 0-based column index (0 → A, 26 → AA).
pub fn column_letters(index: usize) -> String {
    let mut n = index + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(char::from(b'A' + rem as u8));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_canonical_header_form_is_recognised() {
        for column in Column::ALL {
            for text in [
                column.zh().to_owned(),
                column.en().to_owned(),
                column.en().to_uppercase(),
                column.en().replace('_', " "),
                column.header(),
                format!("{} {}", column.zh(), column.en()),
                format!("{}（{}）", column.zh(), column.en()),
                format!("{}/{}", column.zh(), column.en()),
                format!("{}\n{}", column.zh(), column.en()),
                format!("*{}", column.zh()),
            ] {
                assert_eq!(match_header(&text), HeaderMatch::Column(column), "{text}");
            }
        }
    }

    #[test]
    fn names_are_unambiguous() {
        let mut seen = std::collections::HashMap::new();
        for column in Column::ALL {
            for name in column.names() {
                if let Some(other) = seen.insert(name.clone(), column) {
                    assert_eq!(other, column, "{name} names two columns");
                }
            }
        }
    }

    #[test]
    fn unknown_headers_get_the_closest_suggestion() {
        assert_eq!(
            match_header("site_nmae"),
            HeaderMatch::Unknown {
                suggestion: Some(Column::SiteName)
            }
        );
        assert_eq!(
            match_header("网站名"),
            HeaderMatch::Unknown {
                suggestion: Some(Column::SiteName)
            }
        );
        assert_eq!(
            match_header("colour"),
            HeaderMatch::Unknown { suggestion: None }
        );
        assert_eq!(match_header("  "), HeaderMatch::Blank);
        assert_eq!(
            match_header("域名(site_name)"),
            HeaderMatch::Conflicting(Column::Domains, Column::SiteName)
        );
    }
}
