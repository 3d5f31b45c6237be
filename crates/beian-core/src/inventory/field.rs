//! Entry fields and the text parsers shared by every draft: what a field is called,
//! what went wrong with its value and how to fix it, and the lenient readers for
//! the shapes people type into CLI flags and spreadsheet cells (dates, lists, IPs,
//! URLs, phone numbers).

use std::fmt;
use std::net::IpAddr;

use chrono::{Days, NaiveDate};
use serde::Serialize;

use crate::identifier::{Issue, IssueSeverity};

/// A field of an entry form, named the same way in CLI flags (`--id-number`),
/// JSON output (`id_number`) and messages (证件号码).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Field {
    SubjectName,
    SubjectKind,
    IdNumber,
    Principal,
    Province,
    SiteName,
    HomeUrl,
    AccessProviders,
    ServerIps,
    Tags,
    GoLiveOn,
    SiteStatus,
    ClosedOn,
    DomainName,
    Registrar,
    Holder,
    ExpiresOn,
    FilingNumber,
    FilingStatus,
    FiledOn,
    CancelledOn,
    PersonName,
    PersonRole,
    Phone,
    Email,
    Notes,
}

impl Field {
    /// The English key (snake_case), as in JSON and, with `-`, in CLI flags.
    pub fn key(self) -> &'static str {
        match self {
            Field::SubjectName => "subject_name",
            Field::SubjectKind => "subject_kind",
            Field::IdNumber => "id_number",
            Field::Principal => "principal",
            Field::Province => "province",
            Field::SiteName => "site_name",
            Field::HomeUrl => "home_url",
            Field::AccessProviders => "access_providers",
            Field::ServerIps => "server_ips",
            Field::Tags => "tags",
            Field::GoLiveOn => "go_live_on",
            Field::SiteStatus => "site_status",
            Field::ClosedOn => "closed_on",
            Field::DomainName => "domain",
            Field::Registrar => "registrar",
            Field::Holder => "holder",
            Field::ExpiresOn => "expires_on",
            Field::FilingNumber => "number",
            Field::FilingStatus => "filing_status",
            Field::FiledOn => "filed_on",
            Field::CancelledOn => "cancelled_on",
            Field::PersonName => "person_name",
            Field::PersonRole => "role",
            Field::Phone => "phone",
            Field::Email => "email",
            Field::Notes => "notes",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Field::SubjectName => "主体名称",
            Field::SubjectKind => "主体性质",
            Field::IdNumber => "证件号码",
            Field::Principal => "主体负责人",
            Field::Province => "省份",
            Field::SiteName => "网站名称",
            Field::HomeUrl => "首页网址",
            Field::AccessProviders => "接入商",
            Field::ServerIps => "服务器IP",
            Field::Tags => "标签",
            Field::GoLiveOn => "开通日期",
            Field::SiteStatus => "网站状态",
            Field::ClosedOn => "关闭日期",
            Field::DomainName => "域名",
            Field::Registrar => "域名注册商",
            Field::Holder => "域名持有者",
            Field::ExpiresOn => "到期日",
            Field::FilingNumber => "备案号",
            Field::FilingStatus => "备案状态",
            Field::FiledOn => "备案日期",
            Field::CancelledOn => "注销日期",
            Field::PersonName => "姓名",
            Field::PersonRole => "角色",
            Field::Phone => "电话",
            Field::Email => "邮箱",
            Field::Notes => "备注",
        }
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} / {}", self.label_zh(), self.key())
    }
}

/// One rejected field value: which field, the value as given, what is wrong, how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: Field,
    pub value: String,
    pub problem: String,
    pub fix: String,
}

impl FieldError {
    pub fn new(
        field: Field,
        value: &str,
        problem: impl Into<String>,
        fix: impl Into<String>,
    ) -> FieldError {
        FieldError {
            field,
            value: value.to_owned(),
            problem: problem.into(),
            fix: fix.into(),
        }
    }

    /// A required field left empty.
    pub fn required(field: Field, example: &str) -> FieldError {
        FieldError::new(
            field,
            "",
            format!("{}不能为空 / {} is required", field.label_zh(), field.key()),
            format!(
                "填写{}，例如 {example} / fill it in, e.g. {example}",
                field.label_zh()
            ),
        )
    }

    /// Turns the errors of an identifier validation into field errors.
    pub fn from_issue(field: Field, value: &str, issue: &Issue) -> FieldError {
        let fix = issue.hint.clone().unwrap_or_else(|| {
            format!(
                "核对{}后重新填写 / check the {} and enter it again",
                field.label_zh(),
                field.key()
            )
        });
        FieldError::new(field, value, issue.message.clone(), fix)
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} = «{}»: {}；{}",
            self.field, self.value, self.problem, self.fix
        )
    }
}

/// Every error found in one entry (validation does not stop at the first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
pub struct FieldErrors(pub Vec<FieldError>);

impl fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, error) in self.0.iter().enumerate() {
            if index > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{error}")?;
        }
        Ok(())
    }
}

/// Something worth knowing about an accepted value (e.g. 川ICP备 → 蜀ICP备?).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldWarning {
    pub field: Field,
    pub value: String,
    /// Stable code, e.g. FACTS §1.5 `V3`, or a snake_case name.
    pub code: &'static str,
    pub message: String,
    pub hint: Option<String>,
}

impl FieldWarning {
    pub fn from_issue(field: Field, value: &str, issue: &Issue) -> FieldWarning {
        FieldWarning {
            field,
            value: value.to_owned(),
            code: issue.code,
            message: issue.message.clone(),
            hint: issue.hint.clone(),
        }
    }
}

impl fmt::Display for FieldWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} = «{}»: {}", self.field, self.value, self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "；{hint}")?;
        }
        Ok(())
    }
}

/// A validated record with the warnings its values raised.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry<T> {
    pub record: T,
    pub warnings: Vec<FieldWarning>,
}

/// Collects errors and warnings while a draft is checked field by field.
#[derive(Debug, Default)]
pub(crate) struct Findings {
    pub errors: Vec<FieldError>,
    pub warnings: Vec<FieldWarning>,
}

impl Findings {
    pub fn error(&mut self, error: FieldError) {
        self.errors.push(error);
    }

    pub fn warn(
        &mut self,
        field: Field,
        value: &str,
        code: &'static str,
        message: String,
        hint: Option<String>,
    ) {
        self.warnings.push(FieldWarning {
            field,
            value: value.to_owned(),
            code,
            message,
            hint,
        });
    }

    /// Records the issues of an identifier validation; true when none is an error.
    pub fn absorb_issues(&mut self, field: Field, value: &str, issues: &[Issue]) -> bool {
        let mut clean = true;
        for issue in issues {
            match issue.severity {
                IssueSeverity::Error => {
                    clean = false;
                    self.errors
                        .push(FieldError::from_issue(field, value, issue));
                }
                IssueSeverity::Warning => {
                    self.warnings
                        .push(FieldWarning::from_issue(field, value, issue));
                }
                IssueSeverity::Info => {}
            }
        }
        clean
    }

    /// Keeps the value when no error was recorded, or returns them all.
    pub fn finish<T>(self, record: T) -> Result<Entry<T>, FieldErrors> {
        if self.errors.is_empty() {
            Ok(Entry {
                record,
                warnings: self.warnings,
            })
        } else {
            Err(FieldErrors(self.errors))
        }
    }
}

/// Trims a raw value; `None` when nothing is left.
pub fn non_empty(text: &str) -> Option<&str> {
    let trimmed = text.trim();
    (!trimmed.is_empty()).then_some(trimmed)
}

/// Splits a list typed into one cell or flag: `a.com; b.com`, `a.com，b.com`, `a、b`,
/// or one per line. Empty items are dropped; repeats are kept once, first position.
pub fn split_list(text: &str) -> Vec<String> {
    let mut items: Vec<String> = Vec::new();
    for item in text.split([';', '；', ',', '，', '、', '\n', '\r']) {
        let item = item.trim();
        if !item.is_empty() && !items.iter().any(|seen| seen == item) {
            items.push(item.to_owned());
        }
    }
    items
}

/// Joins a list the way [`split_list`] reads it back.
pub fn join_list(items: &[String]) -> String {
    items.join("; ")
}

/// The date forms seen in sheets, for messages.
pub const DATE_FORMATS: &str = "YYYY-MM-DD、YYYY/MM/DD、YYYY年M月D日 或 Excel 日期";

/// Excel stores dates as days since 1899-12-30 (the epoch that absorbs its 1900 leap-year bug).
const EXCEL_EPOCH: NaiveDate = match NaiveDate::from_ymd_opt(1899, 12, 30) {
    Some(date) => date,
    None => panic!("1899-12-30 is a valid date"),
};

/// Reads a date as people type it: `2024-01-05`, `2024/1/5`, `2024.1.5`, `2024年1月5日`,
/// `20240105`, a date with a time after it, or an Excel serial day number (`45296`).
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    // A time part ("2024-01-05 00:00:00" or "2024-01-05T08:00") is dropped.
    let date_part = text.split([' ', 'T']).next().unwrap_or(text);
    if let Some(date) = parse_ymd(date_part) {
        return Some(date);
    }
    if date_part.len() == 8 && date_part.bytes().all(|b| b.is_ascii_digit()) {
        let year = date_part[..4].parse().ok()?;
        let month = date_part[4..6].parse().ok()?;
        let day = date_part[6..].parse().ok()?;
        return NaiveDate::from_ymd_opt(year, month, day);
    }
    parse_excel_serial(text)
}

fn parse_ymd(text: &str) -> Option<NaiveDate> {
    let text = text.strip_suffix('日').unwrap_or(text);
    let mut parts = text.split(['-', '/', '.', '年', '月']);
    let year: i32 = parse_digits(parts.next()?, 4, 4)?;
    let month: u32 = parse_digits(parts.next()?, 1, 2)?;
    let day: u32 = parse_digits(parts.next()?, 1, 2)?;
    if parts.next().is_some() {
        return None;
    }
    NaiveDate::from_ymd_opt(year, month, day)
}

fn parse_digits<T: std::str::FromStr>(text: &str, min: usize, max: usize) -> Option<T> {
    let ok = (min..=max).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit());
    if ok { text.parse().ok() } else { None }
}

/// Serial day numbers up to five digits (year 2173) with an optional time fraction;
/// longer numbers are not plausible dates for this inventory.
fn parse_excel_serial(text: &str) -> Option<NaiveDate> {
    let whole = match text.split_once('.') {
        Some((whole, fraction)) if fraction.bytes().all(|b| b.is_ascii_digit()) => whole,
        Some(_) => return None,
        None => text,
    };
    let days: u64 = parse_digits(whole, 1, 5)?;
    if days < 61 {
        // Serials 1–60 fall in Excel's fictitious 1900 calendar (it has a 29 Feb 1900).
        return None;
    }
    EXCEL_EPOCH.checked_add_days(Days::new(days))
}

/// Formats a date the one way the inventory writes dates.
pub fn format_date(date: Option<NaiveDate>) -> String {
    date.map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

/// Parses an optional date field; an empty value is `Ok(None)`.
pub(crate) fn optional_date(
    findings: &mut Findings,
    field: Field,
    text: &str,
) -> Option<NaiveDate> {
    let value = non_empty(text)?;
    let date = parse_date(value);
    if date.is_none() {
        findings.error(FieldError::new(
            field,
            value,
            format!("不是有效日期 / not a valid date (支持 {DATE_FORMATS})"),
            "写成 YYYY-MM-DD，例如 2024-03-15 / write it as YYYY-MM-DD, e.g. 2024-03-15",
        ));
    }
    date
}

/// Longest tag, in characters: a label, not a note.
pub const TAG_MAX_CHARS: usize = 32;
/// Most tags on one site.
pub const TAGS_PER_SITE: usize = 20;

/// One tag as entered, trimmed; `Err` names what is wrong and how to fix it.
pub fn normalise_tag(text: &str) -> Result<String, FieldError> {
    let tag = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if tag.is_empty() {
        return Err(FieldError::new(
            Field::Tags,
            text,
            "标签为空 / the tag is empty",
            "填写标签文字，如 客户A / enter the tag text, e.g. client-a",
        ));
    }
    if tag.chars().count() > TAG_MAX_CHARS {
        return Err(FieldError::new(
            Field::Tags,
            text,
            format!(
                "标签超过 {TAG_MAX_CHARS} 个字符 / a tag is longer than {TAG_MAX_CHARS} characters"
            ),
            "用简短的标签，说明写在备注里 / keep tags short and put explanations in the notes",
        ));
    }
    if tag
        .chars()
        .any(|c| c.is_control() || matches!(c, ';' | ',' | '、' | '；' | '，'))
    {
        return Err(FieldError::new(
            Field::Tags,
            text,
            "标签含有分隔符或控制字符 / a tag contains a separator or a control character",
            "一个标签里不要用 ; , 、 / do not use ; , or 、 inside one tag",
        ));
    }
    Ok(tag)
}

/// Parses a list of tags: each trimmed, duplicates dropped, at most [`TAGS_PER_SITE`].
pub(crate) fn tags(findings: &mut Findings, text: &str) -> Vec<String> {
    let mut tags: Vec<String> = Vec::new();
    for item in split_list(text) {
        match normalise_tag(&item) {
            Ok(tag) if !tags.contains(&tag) => tags.push(tag),
            Ok(_) => {}
            Err(error) => findings.error(error),
        }
    }
    if tags.len() > TAGS_PER_SITE {
        findings.error(FieldError::new(
            Field::Tags,
            text,
            format!("标签超过 {TAGS_PER_SITE} 个 / more than {TAGS_PER_SITE} tags"),
            "合并或删去一些标签 / merge or drop some tags",
        ));
        tags.truncate(TAGS_PER_SITE);
    }
    tags
}

/// Parses a list of IPv4/IPv6 server addresses into their canonical text.
pub(crate) fn server_ips(findings: &mut Findings, text: &str) -> Vec<String> {
    let mut ips: Vec<String> = Vec::new();
    for item in split_list(text) {
        match item.parse::<IpAddr>() {
            Ok(ip) => {
                let canonical = ip.to_string();
                if !ips.contains(&canonical) {
                    ips.push(canonical);
                }
            }
            Err(_) => findings.error(FieldError::new(
                Field::ServerIps,
                &item,
                "不是有效的 IPv4/IPv6 地址 / not a valid IPv4 or IPv6 address",
                "填写服务器 IP，如 203.0.113.10 或 2001:db8::1，多个用分号分隔 / \
                 enter addresses like 203.0.113.10, separated by ;",
            )),
        }
    }
    ips
}

/// A site's home URL in canonical form (`https://www.example.com/`, IDN hosts in punycode).
pub fn canonical_home_url(text: &str) -> Result<url::Url, FieldError> {
    let value = text.trim();
    let error = |problem: &str, fix: &str| FieldError::new(Field::HomeUrl, value, problem, fix);
    let example = "写成完整网址，例如 https://www.example.com/ / write a full URL, e.g. https://www.example.com/";
    if !value.contains("://") {
        return Err(error(
            "缺少 http:// 或 https:// / the URL has no scheme",
            example,
        ));
    }
    let url = url::Url::parse(value).map_err(|e| {
        error(
            &format!("网址无法解析 / the URL cannot be parsed: {e}"),
            example,
        )
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(error(
            "首页网址只能是 http 或 https / the home URL must be http(s)",
            example,
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(error("网址没有主机名 / the URL has no host", example));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(error(
            "网址中不能包含用户名或密码 / the URL must not carry credentials",
            "删除 user:password@ 部分 / remove the user:password@ part",
        ));
    }
    Ok(url)
}

/// Checks a phone number loosely: digits with the usual separators, 5–20 digits.
pub(crate) fn phone(findings: &mut Findings, text: &str) -> String {
    let Some(value) = non_empty(text) else {
        return String::new();
    };
    let rest = value.strip_prefix('+').unwrap_or(value);
    let separators_ok = rest
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '-' | ' ' | '(' | ')'));
    let digits = rest.chars().filter(char::is_ascii_digit).count();
    if !separators_ok || !(5..=20).contains(&digits) {
        findings.error(FieldError::new(
            Field::Phone,
            value,
            "不是有效的电话号码 / not a valid phone number",
            "填写手机号或座机号，如 13800138000 或 010-12345678 / \
             enter a mobile or landline number, e.g. 13800138000 or 010-12345678",
        ));
    }
    value.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, d)
    }

    #[test]
    fn dates_in_every_accepted_shape() {
        assert_eq!(parse_date("2024-01-05"), date(2024, 1, 5));
        assert_eq!(parse_date(" 2024/1/5 "), date(2024, 1, 5));
        assert_eq!(parse_date("2024.01.05"), date(2024, 1, 5));
        assert_eq!(parse_date("2024年1月5日"), date(2024, 1, 5));
        assert_eq!(parse_date("20240105"), date(2024, 1, 5));
        assert_eq!(parse_date("2024-01-05 00:00:00"), date(2024, 1, 5));
        assert_eq!(parse_date("45296"), date(2024, 1, 5));
        assert_eq!(parse_date("45296.5"), date(2024, 1, 5));
        assert_eq!(parse_date("61"), date(1900, 3, 1));
    }

    #[test]
    fn dates_that_are_not_dates() {
        for text in [
            "",
            "2024-02-30",
            "2024-13-01",
            "24-01-05",
            "abc",
            "60",
            "123456",
            "45296.x",
            "2024-01-05-1",
        ] {
            assert_eq!(parse_date(text), None, "{text}");
        }
    }

    #[test]
    fn lists_split_on_every_separator_and_deduplicate() {
        assert_eq!(
            split_list("a.com; b.com，c.com、d.com\ne.com,a.com ;"),
            ["a.com", "b.com", "c.com", "d.com", "e.com"]
        );
        assert!(split_list(" ; ").is_empty());
        assert_eq!(
            split_list(&join_list(&["x".into(), "y".into()])),
            ["x", "y"]
        );
    }

    #[test]
    fn home_urls_are_canonical_and_http_only() {
        let url = canonical_home_url(" HTTPS://WWW.Example.com ").map(|u| u.to_string());
        assert_eq!(url.as_deref(), Ok("https://www.example.com/"));
        let idn = canonical_home_url("http://你好.中国/").map(|u| u.to_string());
        assert_eq!(idn.as_deref(), Ok("http://xn--6qq79v.xn--fiqs8s/"));
        for bad in [
            "www.example.com",
            "ftp://example.com/",
            "https://u:p@example.com/",
            "http://",
        ] {
            let error = canonical_home_url(bad).expect_err(bad);
            assert_eq!(error.field, Field::HomeUrl);
            assert!(!error.fix.is_empty());
        }
    }

    #[test]
    fn server_ips_are_canonical() {
        let mut findings = Findings::default();
        let ips = server_ips(
            &mut findings,
            "203.0.113.10; 2001:0db8:0:0::1, 203.0.113.10",
        );
        assert_eq!(ips, ["203.0.113.10", "2001:db8::1"]);
        assert!(findings.errors.is_empty());
        server_ips(&mut findings, "203.0.113.300");
        assert_eq!(findings.errors.len(), 1);
        assert_eq!(findings.errors[0].value, "203.0.113.300");
    }

    #[test]
    fn phones_are_checked_loosely() {
        let mut findings = Findings::default();
        for ok in [
            "13800138000",
            "010-12345678",
            "+86 138 0013 8000",
            "(0755) 1234567",
        ] {
            phone(&mut findings, ok);
        }
        assert!(findings.errors.is_empty());
        for bad in ["abc", "123", "=1+1"] {
            phone(&mut findings, bad);
        }
        assert_eq!(findings.errors.len(), 3);
    }
}
