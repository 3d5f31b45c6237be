//! Configuration: `beian.toml` (every key optional, unknown keys rejected), with the
//! global flags and `BEIAN_*` variables on top, validated into the [`Settings`] that
//! commands see. Adding a section is one struct and one field of [`ConfigFile`]; the probe
//! sections live in [`probe`].

pub mod probe;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use beian_core::identifier::{FileableTlds, ValidationContext};
use beian_core::rules::RuleSettings;
use beian_engine::scheduler::ScheduleSettings;
use beian_notify::{NotifySettings, NotifyToml};
use beian_probe::ProbeSettings;
use beian_store::StoreLocation;
use chrono::{FixedOffset, NaiveDate, Utc};
use clap::ValueEnum;
use serde::Deserialize;

use crate::cli::GlobalArgs;
use crate::error::UserError;

/// The file name looked for in the working directory and written by `beian init`.
pub const CONFIG_FILE_NAME: &str = "beian.toml";
/// The SQLite file created beside the config file when no database is named.
pub const DEFAULT_DATABASE_FILE: &str = "beian.db";

/// The shape of `beian.toml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ConfigFile {
    pub database: DatabaseSection,
    pub validation: ValidationSection,
    pub display: DisplaySection,
    pub dns: probe::DnsSection,
    pub whois: probe::WhoisSection,
    pub rdap: probe::RdapSection,
    pub http: probe::HttpSection,
    pub limits: probe::LimitsSection,
    pub network: probe::NetworkSection,
    pub scan: ScanSection,
    pub web: WebSection,
    pub schedule: ScheduleSection,
    /// Rule tuning; validated while parsing (unknown rules and bad values name the key).
    pub rules: RuleSettings,
    /// `[notify]`: channels `beian scan` tells about findings; absent means none. Kept as
    /// written and validated by the notifier, whose errors never quote a secret.
    pub notify: Option<NotifyToml>,
}

impl ConfigFile {
    pub fn probe_sections(&self) -> probe::ProbeSections<'_> {
        probe::ProbeSections {
            dns: &self.dns,
            whois: &self.whois,
            rdap: &self.rdap,
            http: &self.http,
            limits: &self.limits,
            network: &self.network,
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DatabaseSection {
    /// `postgres://…`, `sqlite://…` or a path.
    pub url: Option<String>,
    /// SQLite file, relative to the config file's directory.
    pub path: Option<PathBuf>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ValidationSection {
    /// A TLD list (one per line, `#` comments) replacing the bundled fileable-TLD list.
    pub fileable_tlds_file: Option<PathBuf>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DisplaySection {
    pub language: Option<Language>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ScanSection {
    /// Sites probed at once by `beian scan`.
    pub concurrency: Option<usize>,
}

/// `[web]`: how `beian serve` listens and keeps sessions.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WebSection {
    /// Address to listen on, `ip:port`.
    pub bind: Option<String>,
    /// Mark the session cookie `Secure`.
    pub secure_cookies: Option<bool>,
    /// How long a session lasts, e.g. `"12h"`, `"30m"`, `"7d"`.
    pub session_ttl: Option<String>,
    /// Serve Prometheus `/metrics`.
    pub metrics: Option<bool>,
    /// Answer `/metrics` only to loopback callers.
    pub metrics_loopback_only: Option<bool>,
}

/// `[schedule]`: how often the scheduler (`beian serve`, `beian worker`) runs each check.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ScheduleSection {
    /// Between two registration (RDAP / WHOIS) lookups of a site, e.g. `"1d"`.
    pub registration_interval: Option<String>,
    /// Between two registration lookups while the site's domain is expiring or has
    /// lapsed, e.g. `"1h"`.
    pub near_expiry_interval: Option<String>,
    /// Between two DNS checks, e.g. `"15m"`.
    pub dns_interval: Option<String>,
    /// Between two fetches of the pages, e.g. `"1h"`.
    pub http_interval: Option<String>,
    /// Between two certificate checks, e.g. `"1d"`.
    pub tls_interval: Option<String>,
    /// Beijing time of the daily notification digest, `"HH:MM"`.
    pub digest_time: Option<String>,
}

/// Where `beian serve` listens when neither `--bind` nor `[web] bind` says.
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";

/// `[web]` resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebSettings {
    pub bind: String,
    pub secure_cookies: bool,
    pub session_ttl: chrono::Duration,
    pub metrics: bool,
    pub metrics_loopback_only: bool,
}

/// Sites probed at once when `[scan] concurrency` is not set: enough to hide latency,
/// few enough that the politeness limits, not the scan, decide the load on any one server.
pub const DEFAULT_SCAN_CONCURRENCY: usize = 16;
/// More sites at once than this only queue behind the global request limit.
const MAX_SCAN_CONCURRENCY: usize = 1024;
/// The variable that pins "today" (tests, the lab, replaying a past day).
pub const TODAY_VARIABLE: &str = "BEIAN_TODAY";

/// Language of table headers and labels. Messages are always Chinese then English.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    #[default]
    Zh,
    En,
}

/// Everything the commands need, resolved and checked.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The config file that was read, if any.
    pub config_file: Option<PathBuf>,
    pub database: StoreLocation,
    pub language: Language,
    pub validation: ValidationContext,
    /// Who writes: `cli:<user>` in the audit log.
    pub actor: String,
    /// How the probes reach the outside world (`beian check`, later scans); the probe flags
    /// are applied on top by the commands that take them.
    pub probe: ProbeSettings,
    /// `[rules]`: severities, warning windows, lifecycle timelines.
    pub rules: RuleSettings,
    /// Sites `beian scan` probes at once.
    pub scan_concurrency: usize,
    /// `[web]`: `beian serve`.
    pub web: WebSettings,
    /// `[schedule]`: the scheduler `beian serve` runs.
    pub schedule: ScheduleSettings,
    /// `[notify]`, validated; `None` when the section is absent (nothing is sent).
    pub notify: Option<Arc<NotifySettings>>,
}

impl Settings {
    pub fn today(&self) -> NaiveDate {
        self.validation.today
    }
}

/// The config file a command should read: `--config` / `BEIAN_CONFIG`, else
/// `./beian.toml` when it exists.
pub fn config_path(global: &GlobalArgs) -> Option<PathBuf> {
    match &global.config {
        Some(path) => Some(path.clone()),
        None => {
            let default = PathBuf::from(CONFIG_FILE_NAME);
            default.is_file().then_some(default)
        }
    }
}

/// Reads the config file (if any), applies flags and environment, and validates.
pub fn resolve(global: &GlobalArgs) -> Result<Settings, UserError> {
    let config_file = config_path(global);
    let file = match &config_file {
        Some(path) => read_config_file(path)?,
        None => ConfigFile::default(),
    };
    let base_dir = config_file
        .as_deref()
        .map(directory_of)
        .unwrap_or_else(|| PathBuf::from("."));
    let database = match &global.database {
        Some(text) => parse_location(text, None)?,
        None => database_from_file(&file.database, &base_dir, config_file.as_deref())?,
    };
    let fileable_tlds = match &file.validation.fileable_tlds_file {
        Some(path) => read_tld_list(&base_dir.join(path))?,
        None => FileableTlds::bundled(),
    };
    let probe = probe_settings_of(&file, config_file.as_deref(), &base_dir)?;
    let scan_concurrency = scan_concurrency(&file.scan, config_file.as_deref())?;
    let web = web_settings(&file.web, config_file.as_deref())?;
    let schedule = schedule_settings(&file.schedule, config_file.as_deref())?;
    let notify = notify_settings(file.notify, config_file.as_deref())?;
    Ok(Settings {
        config_file,
        database,
        language: global.lang.or(file.display.language).unwrap_or_default(),
        validation: ValidationContext {
            today: today_override(std::env::var(TODAY_VARIABLE).ok().as_deref())?
                .unwrap_or_else(today_in_china),
            fileable_tlds,
        },
        actor: cli_actor(),
        probe,
        rules: file.rules,
        scan_concurrency,
        web,
        schedule,
        notify,
    })
}

/// Validates `[notify]`, reading `{ env = "NAME" }` secrets from the environment. The
/// notifier's error names the key and never the value (a webhook URL is a credential).
fn notify_settings(
    section: Option<NotifyToml>,
    config_file: Option<&Path>,
) -> Result<Option<Arc<NotifySettings>>, UserError> {
    let Some(section) = section else {
        return Ok(None);
    };
    let settings = section
        .validate(&|name| std::env::var(name).ok())
        .map_err(|error| {
            UserError::input(format!(
                "{} 的 [notify] 有误 / invalid [notify] in {}: {error}",
                config_label(config_file),
                config_label(config_file)
            ))
            .with_fix("改正上面指出的键 / fix the key named above")
        })?;
    Ok(Some(Arc::new(settings)))
}

fn config_label(config_file: Option<&Path>) -> String {
    config_file.map_or_else(
        || CONFIG_FILE_NAME.to_owned(),
        |path| path.display().to_string(),
    )
}

/// A parse error of the whole file. The parser's own text quotes the offending line; when
/// the file has a `[notify]` section that line may hold a webhook token or a password, so
/// only the line number and the parser's message are kept then.
fn parse_error_text(text: &str, error: &toml::de::Error) -> String {
    if !text.contains("[notify") && !text.contains("notify.") && !text.contains("notify =") {
        return error.to_string().trim_end().to_owned();
    }
    let line = error
        .span()
        .map(|span| {
            let before = &text.as_bytes()[..span.start.min(text.len())];
            before.iter().filter(|byte| **byte == b'\n').count() + 1
        })
        .unwrap_or(1);
    format!("第 {line} 行 / line {line}: {}", error.message().trim())
}

fn schedule_settings(
    section: &ScheduleSection,
    config_file: Option<&Path>,
) -> Result<ScheduleSettings, UserError> {
    let file = config_file.map_or_else(|| CONFIG_FILE_NAME.to_owned(), |p| p.display().to_string());
    let defaults = ScheduleSettings::default();
    let read = |key: &str, value: &Option<String>, default: chrono::Duration| {
        match value {
        None => Ok(default),
        Some(text) => parse_duration(text)
            .filter(|interval| *interval >= chrono::Duration::minutes(1))
            .ok_or_else(|| {
                UserError::input(format!(
                    "{file}: [schedule] {key} = \"{text}\" 无效 / [schedule] {key} = \"{text}\" is invalid"
                ))
                .with_fix("写成数字加单位 s、m、h 或 d，至少 1 分钟，如 \"1h\" / write a number and a unit s, m, h or d, at least one minute, e.g. \"1h\"")
            }),
    }
    };
    let digest_at = match &section.digest_time {
        None => defaults.digest_at,
        Some(text) => chrono::NaiveTime::parse_from_str(text.trim(), "%H:%M").map_err(|_| {
            UserError::input(format!(
                "{file}: [schedule] digest_time = \"{text}\" 无效 / [schedule] digest_time = \"{text}\" is invalid"
            ))
            .with_fix("写成北京时间 HH:MM，如 \"09:00\" / write a Beijing time as HH:MM, e.g. \"09:00\"")
        })?,
    };
    Ok(ScheduleSettings {
        registration_interval: read(
            "registration_interval",
            &section.registration_interval,
            defaults.registration_interval,
        )?,
        registration_near_expiry_interval: read(
            "near_expiry_interval",
            &section.near_expiry_interval,
            defaults.registration_near_expiry_interval,
        )?,
        dns_interval: read("dns_interval", &section.dns_interval, defaults.dns_interval)?,
        http_interval: read(
            "http_interval",
            &section.http_interval,
            defaults.http_interval,
        )?,
        tls_interval: read("tls_interval", &section.tls_interval, defaults.tls_interval)?,
        digest_at,
        ..defaults
    })
}

fn web_settings(
    section: &WebSection,
    config_file: Option<&Path>,
) -> Result<WebSettings, UserError> {
    let file = config_file.map_or_else(|| CONFIG_FILE_NAME.to_owned(), |p| p.display().to_string());
    let session_ttl = match &section.session_ttl {
        None => chrono::Duration::hours(12),
        Some(text) => parse_duration(text)
            .filter(|ttl| *ttl >= chrono::Duration::minutes(1))
            .ok_or_else(|| {
                UserError::input(format!(
                    "{file}: [web] session_ttl = \"{text}\" 无效 / [web] session_ttl = \"{text}\" is invalid"
                ))
                .with_fix("写成数字加单位 s、m、h 或 d，至少 1 分钟，如 \"12h\" / write a number and a unit s, m, h or d, at least one minute, e.g. \"12h\"")
            })?,
    };
    Ok(WebSettings {
        bind: section
            .bind
            .clone()
            .unwrap_or_else(|| DEFAULT_BIND.to_owned()),
        secure_cookies: section.secure_cookies.unwrap_or(true),
        session_ttl,
        metrics: section.metrics.unwrap_or(true),
        metrics_loopback_only: section.metrics_loopback_only.unwrap_or(false),
    })
}

/// `"90s"`, `"30m"`, `"12h"`, `"7d"`: a whole number and a unit; `None` for anything else.
pub fn parse_duration(text: &str) -> Option<chrono::Duration> {
    let text = text.trim();
    let unit = text.chars().last()?;
    let number: i64 = text[..text.len() - unit.len_utf8()].trim().parse().ok()?;
    if number < 0 {
        return None;
    }
    let seconds = match unit {
        's' => Some(number),
        'm' => number.checked_mul(60),
        'h' => number.checked_mul(3600),
        'd' => number.checked_mul(86_400),
        _ => None,
    }?;
    chrono::Duration::try_seconds(seconds)
}

fn scan_concurrency(section: &ScanSection, config_file: Option<&Path>) -> Result<usize, UserError> {
    match section.concurrency {
        None => Ok(DEFAULT_SCAN_CONCURRENCY),
        Some(n) if (1..=MAX_SCAN_CONCURRENCY).contains(&n) => Ok(n),
        Some(n) => Err(UserError::input(format!(
            "{}: [scan] concurrency = {n} 无效 / [scan] concurrency = {n} is invalid",
            config_file.map_or_else(|| CONFIG_FILE_NAME.to_owned(), |p| p.display().to_string())
        ))
        .with_fix(format!(
            "concurrency 应为 1 到 {MAX_SCAN_CONCURRENCY} 之间的整数 / use a whole number from 1 to {MAX_SCAN_CONCURRENCY}"
        ))),
    }
}

/// `BEIAN_TODAY=YYYY-MM-DD` pins the Beijing date every deadline and expiry counts from.
fn today_override(value: Option<&str>) -> Result<Option<NaiveDate>, UserError> {
    let Some(text) = value.map(str::trim).filter(|text| !text.is_empty()) else {
        return Ok(None);
    };
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map(Some).map_err(|_| {
        UserError::input(format!(
            "{TODAY_VARIABLE}={text} 不是日期 / {TODAY_VARIABLE}={text} is not a date"
        ))
        .with_fix(format!(
            "写成 YYYY-MM-DD（如 2026-03-01），或删除 {TODAY_VARIABLE} 以使用北京时间的今天 / write YYYY-MM-DD, or unset it to use today in Beijing"
        ))
    })
}

/// The probe settings of a parsed config file; `path` names it in messages and its
/// directory anchors relative paths (`rdap.bootstrap`, `http.extra_roots`).
pub fn probe_settings_of(
    file: &ConfigFile,
    path: Option<&Path>,
    base_dir: &Path,
) -> Result<ProbeSettings, UserError> {
    let name = path.map_or_else(|| CONFIG_FILE_NAME.to_owned(), |p| p.display().to_string());
    probe::probe_settings(
        file.probe_sections(),
        &probe::Origin {
            file: &name,
            base_dir,
        },
    )
}

/// Reads `path` and returns its probe settings: the one path from a config file to
/// [`ProbeSettings`], used by every command and by the benchmark on the lab's config.
pub fn probe_settings_from_file(path: &Path) -> Result<ProbeSettings, UserError> {
    let file = read_config_file(path)?;
    probe_settings_of(&file, Some(path), &directory_of(path))
}

pub fn read_config_file(path: &Path) -> Result<ConfigFile, UserError> {
    let text = std::fs::read_to_string(path).map_err(|err| {
        let error = UserError::input(format!(
            "无法读取配置文件 {} / cannot read config file {}: {err}",
            path.display(),
            path.display()
        ));
        if err.kind() == std::io::ErrorKind::NotFound {
            error.with_fix("运行 `beian init` 生成配置文件，或用 --config 指向已有文件 / run `beian init`, or point --config at an existing file")
        } else {
            error.with_fix("检查文件权限 / check the file's permissions")
        }
    })?;
    parse_config_text(&text).map_err(|err| {
        UserError::input(format!(
            "配置文件 {} 有误 / invalid config file {}: {}",
            path.display(),
            path.display(),
            parse_error_text(&text, &err)
        ))
        .with_fix("删除或改正上面指出的键；`beian init DIR` 会写出列有全部键的模板 / remove or fix the key named above; `beian init DIR` writes a template listing every key")
    })
}

pub fn parse_config_text(text: &str) -> Result<ConfigFile, toml::de::Error> {
    toml::from_str(text)
}

fn database_from_file(
    section: &DatabaseSection,
    base_dir: &Path,
    config_file: Option<&Path>,
) -> Result<StoreLocation, UserError> {
    let config_name =
        || config_file.map_or_else(|| CONFIG_FILE_NAME.to_owned(), |p| p.display().to_string());
    match (&section.url, &section.path) {
        (Some(_), Some(_)) => Err(UserError::input(format!(
            "{}: [database] 里 url 和 path 只能给一个 / give either url or path in [database], not both",
            config_name()
        ))
        .with_fix("删除其中一个键 / remove one of the two keys")),
        (Some(url), None) => parse_location(url, Some(base_dir)),
        (None, Some(path)) => Ok(StoreLocation::Sqlite(base_dir.join(path))),
        (None, None) => Ok(StoreLocation::Sqlite(base_dir.join(DEFAULT_DATABASE_FILE))),
    }
}

/// Parses a database flag or key; a relative SQLite path from the config file is taken
/// relative to that file, so the config works from any working directory.
fn parse_location(text: &str, relative_to: Option<&Path>) -> Result<StoreLocation, UserError> {
    if text.trim().is_empty() {
        return Err(
            UserError::input("数据库地址为空 / the database location is empty").with_fix(
                "给出 SQLite 文件路径或 postgres:// URL / give a SQLite path or a postgres:// URL",
            ),
        );
    }
    Ok(match StoreLocation::parse(text) {
        StoreLocation::Sqlite(path) if path.is_relative() => match relative_to {
            Some(dir) => StoreLocation::Sqlite(dir.join(path)),
            None => StoreLocation::Sqlite(path),
        },
        other => other,
    })
}

fn read_tld_list(path: &Path) -> Result<FileableTlds, UserError> {
    let text = std::fs::read_to_string(path).map_err(|err| {
        UserError::input(format!(
            "无法读取可备案顶级域名列表 {} / cannot read the fileable-TLD list {}: {err}",
            path.display(),
            path.display()
        ))
        .with_fix("改正 [validation] fileable_tlds_file，或删除该键以使用内置列表 / fix [validation] fileable_tlds_file, or remove it to use the bundled list")
    })?;
    Ok(FileableTlds::from_list(&text))
}

/// The directory holding `path` (`.` for a bare file name).
pub fn directory_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Filing deadlines and expiry dates are Beijing dates, whatever the server's zone.
pub fn today_in_china() -> NaiveDate {
    let china = FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset");
    Utc::now().with_timezone(&china).date_naive()
}

fn cli_actor() -> String {
    let user = std::env::var("USER")
        .ok()
        .filter(|name| !name.trim().is_empty())
        .unwrap_or_else(|| "unknown".to_owned());
    format!("cli:{user}")
}

/// The commented `beian.toml` written by `beian init`: every key, commented out, at
/// its default, explained in Chinese and English.
pub const CONFIG_TEMPLATE: &str = r##"# 备案卫士 Beian Guard 配置文件 / configuration file
#
# 所有键都是可选的；去掉行首的 "# " 即可启用。未知的键会被拒绝（退出码 2）。
# Every key is optional; remove the leading "# " to set one. Unknown keys are
# rejected (exit code 2). Flags and BEIAN_* environment variables override this file:
#   --config / BEIAN_CONFIG, --database / BEIAN_DATABASE, --lang / BEIAN_LANG.

[database]
# SQLite 数据库文件，相对于本文件所在目录。
# SQLite database file, relative to this file's directory.
# path = "beian.db"
#
# 或者给出 URL（与 path 二选一）：postgres://user:password@host/dbname 或 sqlite://path。
# Or a URL instead of path: postgres://user:password@host/dbname or sqlite://path.
# url = "postgres://beian@localhost/beian"

[validation]
# 可备案顶级域名列表文件（每行一个，# 开头为注释），替换内置列表。内置列表可能过时，
# 不在列表中的域名只会得到警告。相对于本文件所在目录。
# A file listing the TLDs MIIT accepts for filing (one per line, # comments),
# replacing the bundled list, which may be out of date. A TLD not on the list only
# gets a warning. Relative to this file's directory.
# fileable_tlds_file = "fileable-tlds.txt"

[display]
# 表格语言：zh（中文）或 en（英文）。提示信息总是中英双语。
# Table language: zh (Chinese) or en (English). Messages are always bilingual.
# language = "zh"

# ---- 探测（beian check 等）/ probes (beian check and later scans) ----
# 标志与变量：--nameserver / BEIAN_DNS_NAMESERVERS（逗号分隔）、--timeout / BEIAN_TIMEOUT、
# --persona / BEIAN_HTTP_PERSONAS、--allow-private / BEIAN_ALLOW_PRIVATE。
# Flags and variables: --nameserver / BEIAN_DNS_NAMESERVERS (comma-separated),
# --timeout / BEIAN_TIMEOUT, --persona / BEIAN_HTTP_PERSONAS, --allow-private / BEIAN_ALLOW_PRIVATE.

[dns]
# DNS 服务器（ip:port）；不写则用系统的 /etc/resolv.conf。
# Resolvers as ip:port; unset means the system's (/etc/resolv.conf).
# nameservers = ["223.5.5.5:53", "119.29.29.29:53"]
# 每次查询的超时（毫秒）与尝试次数 / per-query timeout (ms) and tries
# timeout_ms = 5000
# attempts = 2

[whois]
# 没有按顶级域指定服务器时，从这里开始沿转介查询 / where referral chains start
# iana_server = "whois.iana.org:43"
# timeout_ms = 10000
# 应答上限（字节）/ answer size cap (bytes)
# max_answer_bytes = 1048576
# 每台 WHOIS 服务器每分钟最多查询次数 / queries per minute to any one server
# per_server_per_minute = 30
# 结果缓存秒数 / seconds an answer is cached
# cache_ttl_s = 21600
# 是否跟随注册局到注册商的转介 / follow registry → registrar referrals
# follow_referrals = true

[whois.servers]
# 按顶级域指定 WHOIS 服务器（host 或 host:port）/ per-TLD server (host or host:port)
# cn = "whois.cnnic.cn:43"

[rdap]
# 较新的 IANA RDAP 引导文件（dns.json），相对于本文件；不写则用内置的。
# A newer IANA bootstrap file (dns.json), relative to this file; unset: the bundled one.
# bootstrap = "dns.json"
# timeout_ms = 10000
# per_server_per_minute = 60
# max_answer_bytes = 1048576

[rdap.servers]
# 按顶级域指定 RDAP 服务地址，优先于引导文件 / per-TLD base URL, before the bootstrap
# com = "https://rdap.verisign.com/com/v1/"

[http]
# 主机 → ip:port，先于 DNS（类似 curl --resolve）/ host → ip:port, before DNS (like curl --resolve)
# resolve = { "www.example.com" = "192.0.2.10:443" }
# 不带端口的 http:// 与 https:// 网址所用端口 / ports for URLs without one
# http_port = 80
# https_port = 443
# 访问身份：desktop_browser、mobile_wechat、baiduspider、sogou_spider、spider_360；
# 加 "+baidu_referer" 表示从百度搜索结果点进（带 Referer）。默认全部十种。
# Personas; append "+baidu_referer" to arrive from a Baidu result page. Default: all ten.
# personas = ["desktop_browser", "baiduspider", "baiduspider+baidu_referer"]
# 整条重定向链的超时与连接超时（毫秒）/ whole-chain timeout and connect timeout (ms)
# timeout_ms = 15000
# connect_timeout_ms = 5000
# 响应体上限（字节，默认 2 MiB）/ body cap (bytes, default 2 MiB)
# max_body_bytes = 2097152
# max_redirects = 10
# 额外信任的根证书（PEM 文件，相对于本文件）/ extra trusted roots (PEM files, relative to this file)
# extra_roots = ["internal-ca.pem"]
# 或直接写 PEM 文本 / or the PEM text itself
# extra_roots_pem = ["-----BEGIN CERTIFICATE-----\n…\n-----END CERTIFICATE-----\n"]

[limits]
# 同时进行的请求：全局、每个主机、每个 IP / concurrent requests: overall, per host, per IP
# global_concurrency = 64
# per_host_concurrency = 2
# per_ip_concurrency = 8

[network]
# 允许探测内网、回环与链路本地地址（实验环境需要）/ allow private, loopback and
# link-local addresses (the lab needs it)
# allow_private = false

[scan]
# beian scan 同时探测的网站数 / sites `beian scan` probes at once
# concurrency = 16

[web]
# beian serve 监听的地址（--bind 优先）/ where `beian serve` listens (--bind wins)
# bind = "127.0.0.1:8080"
# 会话 Cookie 加 Secure（经 HTTPS 或 TLS 反向代理访问时保持 true）/ mark the session
# cookie Secure (keep true behind HTTPS or a TLS proxy)
# secure_cookies = true
# 登录会话时长：数字加 s、m、h、d / how long a sign-in lasts: a number and s, m, h or d
# session_ttl = "12h"
# Prometheus 指标 /metrics（无需登录；只含计数）/ Prometheus /metrics (no sign-in; counts only)
# metrics = true
# 只允许本机抓取 /metrics / answer /metrics to loopback callers only
# metrics_loopback_only = false

[schedule]
# 定时检查（beian serve、beian worker）各项的间隔 / how often the scheduler runs each check
# 注册信息（RDAP/WHOIS）/ registration (RDAP/WHOIS)
# registration_interval = "1d"
# 域名即将到期或已过期时的注册信息检查 / registration while the domain is expiring or lapsed
# near_expiry_interval = "1h"
# dns_interval = "15m"
# 页面（各访客身份、内容、随机路径）/ pages (personas, content, random paths)
# http_interval = "1h"
# 证书 / certificate
# tls_interval = "1d"
# 每日通知汇总的北京时间 / Beijing time of the daily notification digest
# digest_time = "09:00"

# ---- 规则 / rules (beian scan) ----
# 环境变量 BEIAN_TODAY=YYYY-MM-DD 可固定“今天”（测试、实验环境）。
# BEIAN_TODAY=YYYY-MM-DD pins "today" (tests, the lab).

[rules]
# 域名到期提醒天数（低、中、高）/ days before expiry graded low, medium, high
# expiry_days = [90, 30, 7]
# 证书剩余天数提醒 / certificate days left that warn
# tls_warn_days = 14
# 上线后多少天内须完成公安联网备案，及提前多少天提醒 / PSB filing due after go-live, and warning window
# psb_due_days = 30
# psb_warn_days = 10
# 内容类发现所需的最低检测置信度 / detector confidence content findings need
# content_min_confidence = 0.5
# 可备案顶级域名（替换内置列表）/ fileable TLDs (replace the bundled list)
# fileable_tlds = ["cn", "com", "net"]

[rules.severity]
# 按规则改严重程度：info、low、medium、high、critical / per-rule severity overrides
# "content.parked" = "medium"
"##;

#[cfg(test)]
mod tests {
    use super::*;

    /// Uncommenting every key of the template must give a file the parser accepts, so
    /// the template and the struct cannot drift apart.
    #[test]
    fn template_keys_are_the_parsed_keys() {
        let uncommented: String = CONFIG_TEMPLATE
            .lines()
            .map(|line| match line.strip_prefix("# ") {
                Some(rest) if rest.contains(" = ") => rest,
                _ => line,
            })
            .collect::<Vec<_>>()
            .join("\n");
        let parsed = parse_config_text(&uncommented).expect("template keys parse");
        assert_eq!(parsed.database.path.as_deref(), Some(Path::new("beian.db")));
        assert!(parsed.database.url.is_some());
        assert_eq!(parsed.display.language, Some(Language::Zh));
        assert!(parsed.validation.fileable_tlds_file.is_some());
        assert_eq!(parsed.dns.attempts, Some(2));
        assert_eq!(parsed.whois.servers.len(), 1);
        assert_eq!(parsed.rdap.servers.len(), 1);
        assert_eq!(parsed.http.resolve.len(), 1);
        assert_eq!(parsed.http.max_body_bytes, Some(2 * 1024 * 1024));
        assert_eq!(parsed.limits.per_ip_concurrency, Some(8));
        assert_eq!(parsed.network.allow_private, Some(false));
        assert_eq!(parsed.scan.concurrency, Some(16));
        assert_eq!(parsed.web.bind.as_deref(), Some(DEFAULT_BIND));
        assert_eq!(parsed.web.secure_cookies, Some(true));
        let web = web_settings(&parsed.web, None).expect("template web values are valid");
        assert_eq!(web.session_ttl, chrono::Duration::hours(12));
        let schedule = schedule_settings(&parsed.schedule, None).expect("template schedule");
        assert_eq!(schedule, ScheduleSettings::default());
        assert_eq!(parsed.schedule.dns_interval.as_deref(), Some("15m"));
        assert_eq!(parsed.rules.expiry_days, vec![90, 30, 7]);
        assert_eq!(parsed.rules.psb_due_days, 30);
        assert_eq!(parsed.rules.severity.len(), 1);
        // The template's values, apart from the files it names, map to valid settings.
        let mut without_files = parsed;
        without_files.rdap.bootstrap = None;
        without_files.http.extra_roots.clear();
        without_files.http.extra_roots_pem.clear();
        probe_settings_of(&without_files, None, Path::new(".")).expect("template values are valid");
        parse_config_text(CONFIG_TEMPLATE).expect("the template as written parses");
    }

    #[test]
    fn unknown_key_is_named() {
        let err = parse_config_text("[display]\ncolour = \"red\"\n").unwrap_err();
        assert!(err.to_string().contains("colour"), "{err}");
        let err = parse_config_text("[http]\nproxy = \"x\"\n").unwrap_err();
        assert!(err.to_string().contains("proxy"), "{err}");
        let err = parse_config_text("[metrics]\nport = 1\n").unwrap_err();
        assert!(err.to_string().contains("metrics"), "{err}");
    }

    #[test]
    fn bad_rules_and_today_are_refused_by_name() {
        let err = parse_config_text("[rules]\nexpiry_days = [7, 30]\n").unwrap_err();
        assert!(err.to_string().contains("expiry_days"), "{err}");
        let err = parse_config_text("[rules.severity]\n\"no.such\" = \"high\"\n").unwrap_err();
        assert!(err.to_string().contains("no.such"), "{err}");
        assert!(today_override(Some("2026-13-01")).is_err());
        assert_eq!(
            today_override(Some("2026-03-01")).expect("a date"),
            NaiveDate::from_ymd_opt(2026, 3, 1)
        );
        assert_eq!(today_override(None).expect("unset"), None);
        let err = scan_concurrency(
            &ScanSection {
                concurrency: Some(0),
            },
            None,
        )
        .unwrap_err();
        assert!(err.message.contains("concurrency"), "{err}");
    }

    #[test]
    fn durations_parse_and_bad_ones_are_refused() {
        assert_eq!(parse_duration("90s"), Some(chrono::Duration::seconds(90)));
        assert_eq!(parse_duration(" 30m"), Some(chrono::Duration::minutes(30)));
        assert_eq!(parse_duration("7d"), Some(chrono::Duration::days(7)));
        for bad in ["", "h", "12", "1.5h", "-1h", "12w", "99999999999999999d"] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
        let err = web_settings(
            &WebSection {
                session_ttl: Some("10s".into()),
                ..WebSection::default()
            },
            None,
        )
        .unwrap_err();
        assert!(err.message.contains("session_ttl"), "{err}");
        let err = schedule_settings(
            &ScheduleSection {
                dns_interval: Some("often".into()),
                ..ScheduleSection::default()
            },
            None,
        )
        .unwrap_err();
        assert!(err.message.contains("[schedule] dns_interval"), "{err}");
        let err = schedule_settings(
            &ScheduleSection {
                digest_time: Some("9am".into()),
                ..ScheduleSection::default()
            },
            None,
        )
        .unwrap_err();
        assert!(err.message.contains("[schedule] digest_time"), "{err}");
    }

    #[test]
    fn database_defaults_beside_the_config_file() {
        let location =
            database_from_file(&DatabaseSection::default(), Path::new("/etc/beian"), None)
                .expect("default location");
        assert_eq!(
            location,
            StoreLocation::Sqlite(PathBuf::from("/etc/beian/beian.db"))
        );
    }

    #[test]
    fn both_url_and_path_is_an_error() {
        let section = DatabaseSection {
            url: Some("postgres://x@y/z".into()),
            path: Some("a.db".into()),
        };
        assert!(database_from_file(&section, Path::new("."), None).is_err());
    }
}
