//! Domain lifecycle after expiry (FACTS §4): which phase a domain is in (active, expired
//! and in grace, redemption, pending delete, dropped, re-registered) and the earliest date
//! a stranger could register it.
//!
//! The phase comes from the registry's statuses when they tell (RFC 3915 / RFC 8056:
//! `redemption period`, `pending delete`, `auto renew period` …) and otherwise from the
//! expiry date and a per-TLD timeline. Timelines are configuration seeded from FACTS §4:
//! the ICANN gTLD model (45 days auto-renew grace, registrar may delete from day 0,
//! 30 days redemption, 5 days pending delete) and the .cn model from registrar help
//! pages (30 days renewal, 15 days redemption, then deletion at any time), both `[P]`.

use std::collections::BTreeMap;

use chrono::{Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::facts::{RegistrationFacts, RegistrationObservation};

/// Where a domain stands in its registration lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LifecyclePhase {
    /// Registered and not past its expiry date.
    Active,
    /// Past expiry, still renewable at the normal price (registry auto-renew grace or the
    /// registrar's renewal window).
    ExpiredGrace,
    /// Deleted by the registrar; restorable at a high fee (redemption grace period).
    Redemption,
    /// About to be purged, or overdue for deletion: no restore any more.
    PendingDelete,
    /// Not registered: anyone can register it now.
    Dropped,
    /// Registered again since the previous observation (new creation date).
    Reregistered,
    /// Registration facts were not available.
    Unknown,
}

impl LifecyclePhase {
    pub const ALL: [LifecyclePhase; 7] = [
        LifecyclePhase::Active,
        LifecyclePhase::ExpiredGrace,
        LifecyclePhase::Redemption,
        LifecyclePhase::PendingDelete,
        LifecyclePhase::Dropped,
        LifecyclePhase::Reregistered,
        LifecyclePhase::Unknown,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LifecyclePhase::Active => "active",
            LifecyclePhase::ExpiredGrace => "expired_grace",
            LifecyclePhase::Redemption => "redemption",
            LifecyclePhase::PendingDelete => "pending_delete",
            LifecyclePhase::Dropped => "dropped",
            LifecyclePhase::Reregistered => "reregistered",
            LifecyclePhase::Unknown => "unknown",
        }
    }

    pub fn parse(text: &str) -> Option<LifecyclePhase> {
        LifecyclePhase::ALL
            .into_iter()
            .find(|phase| phase.as_str() == text.trim())
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            LifecyclePhase::Active => "正常",
            LifecyclePhase::ExpiredGrace => "已过期（续费宽限期）",
            LifecyclePhase::Redemption => "赎回期",
            LifecyclePhase::PendingDelete => "待删除",
            LifecyclePhase::Dropped => "已删除（可被任何人注册）",
            LifecyclePhase::Reregistered => "已被重新注册",
            LifecyclePhase::Unknown => "未知",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            LifecyclePhase::Active => "active",
            LifecyclePhase::ExpiredGrace => "expired (renewal grace)",
            LifecyclePhase::Redemption => "redemption period",
            LifecyclePhase::PendingDelete => "pending delete",
            LifecyclePhase::Dropped => "dropped (anyone can register it)",
            LifecyclePhase::Reregistered => "re-registered",
            LifecyclePhase::Unknown => "unknown",
        }
    }

    /// The old holder has lost or is losing the name while it is not yet someone else's:
    /// the phases in which a filing still attached to it is at risk.
    pub fn is_lapsed(self) -> bool {
        matches!(
            self,
            LifecyclePhase::ExpiredGrace
                | LifecyclePhase::Redemption
                | LifecyclePhase::PendingDelete
                | LifecyclePhase::Dropped
        )
    }
}

impl std::fmt::Display for LifecyclePhase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How long each phase after expiry lasts for one TLD, in calendar days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TldTimeline {
    /// Typical days after expiry the name stays renewable at the normal price; decides the
    /// phase when the registry's statuses do not.
    pub grace_days: u32,
    /// The earliest day after expiry on which a registrar may delete the name (gTLD: 0,
    /// registrars may delete at once; .cn: 30). Used for the earliest re-registration date.
    pub earliest_delete_day: u32,
    /// Length of the redemption grace period.
    pub redemption_days: u32,
    /// Length of pending delete after redemption (0: deleted at any time).
    pub pending_delete_days: u32,
}

impl TldTimeline {
    /// ICANN gTLD model (FACTS §4.1: Route 53 and nomulus `[V]`).
    pub const GTLD: TldTimeline = TldTimeline {
        grace_days: 45,
        earliest_delete_day: 0,
        redemption_days: 30,
        pending_delete_days: 5,
    };

    /// .cn / .中国 model (FACTS §4.2: registrar help pages `[P]`).
    pub const CN: TldTimeline = TldTimeline {
        grace_days: 30,
        earliest_delete_day: 30,
        redemption_days: 15,
        pending_delete_days: 0,
    };

    /// Days from expiry to the earliest date anyone could register the name again.
    pub fn earliest_drop_offset(&self) -> u64 {
        u64::from(self.earliest_delete_day)
            + u64::from(self.redemption_days)
            + u64::from(self.pending_delete_days)
    }
}

/// Per-TLD timelines; `tld` keys are ASCII suffixes without the leading dot (`cn`,
/// `com.cn`, `xn--fiqs8s`); the longest suffix of a name that has an entry wins.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "LifecycleSettingsToml")]
pub struct LifecycleSettings {
    pub default: TldTimeline,
    pub tld: BTreeMap<String, TldTimeline>,
}

impl Default for LifecycleSettings {
    fn default() -> LifecycleSettings {
        let tld = [
            ("cn", TldTimeline::CN),
            // .中国 and .中國 are run by CNNIC under the same rules as .cn.
            ("xn--fiqs8s", TldTimeline::CN),
            ("xn--fiqz9s", TldTimeline::CN),
        ]
        .into_iter()
        .map(|(key, timeline)| (key.to_owned(), timeline))
        .collect();
        LifecycleSettings {
            default: TldTimeline::GTLD,
            tld,
        }
    }
}

/// Longest allowed phase: a typo such as 4500 days would silence the rules for years.
const MAX_PHASE_DAYS: u32 = 365;

/// Why lifecycle settings were refused; each message names the key and the fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LifecycleSettingsError {
    #[error(
        "rules.lifecycle.{key} = {value}：天数须在 0 到 {MAX_PHASE_DAYS} 之间，请改正 / must be between 0 and {MAX_PHASE_DAYS} days; fix the value"
    )]
    OutOfRange { key: String, value: i64 },
    #[error(
        "rules.lifecycle.{table}：earliest_delete_day（{earliest}）不能大于 grace_days（{grace}），请调整其一 / earliest_delete_day ({earliest}) cannot exceed grace_days ({grace}); lower one or raise the other"
    )]
    DeleteAfterGrace {
        table: String,
        earliest: u32,
        grace: u32,
    },
    #[error(
        "rules.lifecycle.tld：'{key}' 不是有效的域名后缀，请写成 cn、com.cn 或 中国 / '{key}' is not a valid domain suffix; write it as cn, com.cn or 中国"
    )]
    BadSuffix { key: String },
}

/// One timeline as written in TOML: every field optional, missing ones taken from the
/// built-in timeline of that TLD (or the default).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct TldTimelineToml {
    grace_days: Option<i64>,
    earliest_delete_day: Option<i64>,
    redemption_days: Option<i64>,
    pending_delete_days: Option<i64>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct LifecycleSettingsToml {
    default: Option<TldTimelineToml>,
    tld: BTreeMap<String, TldTimelineToml>,
}

fn days(
    table: &str,
    field: &str,
    value: Option<i64>,
    base: u32,
) -> Result<u32, LifecycleSettingsError> {
    let Some(value) = value else {
        return Ok(base);
    };
    u32::try_from(value)
        .ok()
        .filter(|days| *days <= MAX_PHASE_DAYS)
        .ok_or_else(|| LifecycleSettingsError::OutOfRange {
            key: format!("{table}.{field}"),
            value,
        })
}

impl TldTimelineToml {
    fn resolve(
        &self,
        table: &str,
        base: TldTimeline,
    ) -> Result<TldTimeline, LifecycleSettingsError> {
        let timeline = TldTimeline {
            grace_days: days(table, "grace_days", self.grace_days, base.grace_days)?,
            earliest_delete_day: days(
                table,
                "earliest_delete_day",
                self.earliest_delete_day,
                base.earliest_delete_day,
            )?,
            redemption_days: days(
                table,
                "redemption_days",
                self.redemption_days,
                base.redemption_days,
            )?,
            pending_delete_days: days(
                table,
                "pending_delete_days",
                self.pending_delete_days,
                base.pending_delete_days,
            )?,
        };
        check_timeline(table, &timeline)?;
        Ok(timeline)
    }
}

fn check_timeline(table: &str, timeline: &TldTimeline) -> Result<(), LifecycleSettingsError> {
    for (field, value) in [
        ("grace_days", timeline.grace_days),
        ("earliest_delete_day", timeline.earliest_delete_day),
        ("redemption_days", timeline.redemption_days),
        ("pending_delete_days", timeline.pending_delete_days),
    ] {
        if value > MAX_PHASE_DAYS {
            return Err(LifecycleSettingsError::OutOfRange {
                key: format!("{table}.{field}"),
                value: i64::from(value),
            });
        }
    }
    if timeline.earliest_delete_day > timeline.grace_days {
        return Err(LifecycleSettingsError::DeleteAfterGrace {
            table: table.to_owned(),
            earliest: timeline.earliest_delete_day,
            grace: timeline.grace_days,
        });
    }
    Ok(())
}

/// `.中国`, `COM.CN`, `xn--fiqs8s` → lower-case ASCII suffix without dots at the ends.
fn suffix_key(text: &str) -> Option<String> {
    let bare = text.trim().trim_matches('.');
    if bare.is_empty() {
        return None;
    }
    let ascii = idna::domain_to_ascii(bare).ok()?;
    let valid = ascii.split('.').all(|label| {
        !label.is_empty()
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    });
    valid.then_some(ascii)
}

impl TryFrom<LifecycleSettingsToml> for LifecycleSettings {
    type Error = LifecycleSettingsError;

    fn try_from(raw: LifecycleSettingsToml) -> Result<LifecycleSettings, LifecycleSettingsError> {
        let mut settings = LifecycleSettings::default();
        if let Some(default) = &raw.default {
            settings.default = default.resolve("default", settings.default)?;
        }
        for (key, timeline) in &raw.tld {
            let suffix = suffix_key(key)
                .ok_or_else(|| LifecycleSettingsError::BadSuffix { key: key.clone() })?;
            let base = settings
                .tld
                .get(&suffix)
                .copied()
                .unwrap_or(settings.default);
            let resolved = timeline.resolve(&format!("tld.\"{key}\""), base)?;
            settings.tld.insert(suffix, resolved);
        }
        Ok(settings)
    }
}

impl LifecycleSettings {
    /// Re-checks settings built or edited in code (TOML input is checked on parsing).
    pub fn validate(&self) -> Result<(), LifecycleSettingsError> {
        check_timeline("default", &self.default)?;
        for (key, timeline) in &self.tld {
            if suffix_key(key).as_deref() != Some(key.as_str()) {
                return Err(LifecycleSettingsError::BadSuffix { key: key.clone() });
            }
            check_timeline(&format!("tld.\"{key}\""), timeline)?;
        }
        Ok(())
    }

    /// The timeline of `domain` (ASCII) and the key it came from (`default` or the suffix).
    pub fn timeline_for<'a>(&'a self, domain: &str) -> (&'a str, TldTimeline) {
        let name = domain.trim_end_matches('.');
        // Longest suffix first: "shop.com.cn" tries "shop.com.cn", "com.cn", "cn".
        let mut rest = name;
        loop {
            if let Some((key, timeline)) = self.tld.get_key_value(rest) {
                return (key.as_str(), *timeline);
            }
            match rest.split_once('.') {
                Some((_, tail)) => rest = tail,
                None => return ("default", self.default),
            }
        }
    }
}

/// The lifecycle of one domain at one observation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DomainLifecycle {
    pub phase: LifecyclePhase,
    /// The date the registration lapsed (or will): the registry's expiry, moved back a year
    /// when the registry has already auto-renewed (`auto renew period`).
    pub expires_on: Option<NaiveDate>,
    /// Days from `expires_on` to today; negative while the domain is still valid.
    pub days_since_expiry: Option<i64>,
    /// The earliest date a stranger could register the name: today for dropped names, a
    /// projection from the timeline otherwise, none once someone has registered it again.
    pub earliest_reregistration: Option<NaiveDate>,
    /// Which timeline applied: `default` or the TLD key.
    pub timeline_key: String,
    pub timeline: TldTimeline,
    pub explanation_zh: String,
    pub explanation_en: String,
}

/// Registry statuses that decide the phase, recognised in any spelling
/// (`pendingDelete`, `pending delete`, `PENDING_DELETE https://icann.org/epp#…`).
#[derive(Debug, Clone, Copy, Default)]
struct StatusFlags {
    any: bool,
    redemption: bool,
    pending_restore: bool,
    pending_delete: bool,
    auto_renew: bool,
}

impl StatusFlags {
    fn read(statuses: &[String]) -> StatusFlags {
        let mut flags = StatusFlags::default();
        for status in statuses {
            // WHOIS often appends the ICANN explanation URL; only the name counts.
            let name = status.split("http").next().unwrap_or_default();
            let key: String = name
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .map(|c| c.to_ascii_lowercase())
                .collect();
            if key.is_empty() {
                continue;
            }
            flags.any = true;
            match key.as_str() {
                "redemptionperiod" => flags.redemption = true,
                "pendingrestore" => flags.pending_restore = true,
                "pendingdelete" => flags.pending_delete = true,
                "autorenewperiod" => flags.auto_renew = true,
                _ => {}
            }
        }
        flags
    }
}

fn add_days(date: NaiveDate, days: u64) -> NaiveDate {
    date.checked_add_days(Days::new(days))
        .unwrap_or(NaiveDate::MAX)
}

/// Why the current registration is a new one, if it is.
fn reregistration(
    current: &RegistrationFacts,
    previous: Option<&RegistrationObservation>,
) -> Option<(String, String)> {
    match previous? {
        RegistrationObservation::Registered(before) => {
            match (before.created_on, current.created_on) {
                (Some(old), Some(new)) if new > old => Some((
                    format!("注册日期由 {old} 变为 {new}"),
                    format!("the creation date moved from {old} to {new}"),
                )),
                _ => None,
            }
        }
        RegistrationObservation::NotRegistered => {
            let created = current
                .created_on
                .map_or_else(|| "未知".to_owned(), |date| date.to_string());
            let created_en = current
                .created_on
                .map_or_else(|| "unknown".to_owned(), |date| date.to_string());
            Some((
                format!("上次检查时未注册，现已注册（注册日期 {created}）"),
                format!(
                    "it was not registered at the previous check and is now (created {created_en})"
                ),
            ))
        }
        RegistrationObservation::Unknown { .. } => None,
    }
}

fn date_text(date: Option<NaiveDate>, unknown: &str) -> String {
    date.map_or_else(|| unknown.to_owned(), |date| date.to_string())
}

/// Assesses the lifecycle of `domain` (ASCII) from the latest registration observation
/// and, when there is one, the observation before it. Total: any input gives an answer.
pub fn assess(
    observation: &RegistrationObservation,
    previous: Option<&RegistrationObservation>,
    domain: &str,
    settings: &LifecycleSettings,
    today: NaiveDate,
) -> DomainLifecycle {
    let (timeline_key, timeline) = settings.timeline_for(domain);
    let previous_expiry = match previous {
        Some(RegistrationObservation::Registered(before)) => before.expires_on,
        _ => None,
    };
    let mut lifecycle = DomainLifecycle {
        phase: LifecyclePhase::Unknown,
        expires_on: None,
        days_since_expiry: None,
        earliest_reregistration: None,
        timeline_key: timeline_key.to_owned(),
        timeline,
        explanation_zh: String::new(),
        explanation_en: String::new(),
    };
    match observation {
        RegistrationObservation::Unknown { detail } => {
            lifecycle.expires_on = previous_expiry;
            lifecycle.explanation_zh = format!("无法取得 {domain} 的注册信息：{detail}");
            lifecycle.explanation_en =
                format!("registration data for {domain} is unavailable: {detail}");
        }
        RegistrationObservation::NotRegistered => {
            lifecycle.phase = LifecyclePhase::Dropped;
            lifecycle.expires_on = previous_expiry;
            lifecycle.days_since_expiry = previous_expiry.map(|date| (today - date).num_days());
            lifecycle.earliest_reregistration = Some(today);
            lifecycle.explanation_zh = format!(
                "{domain} 在注册局查询不到（RDAP 404 或 WHOIS 无匹配），任何人现在都可以注册"
            );
            lifecycle.explanation_en = format!(
                "{domain} is not registered (RDAP 404 or no WHOIS match): anyone can register it now"
            );
        }
        RegistrationObservation::Registered(facts) => {
            assess_registered(&mut lifecycle, facts, previous, domain, today);
        }
    }
    lifecycle
}

fn assess_registered(
    lifecycle: &mut DomainLifecycle,
    facts: &RegistrationFacts,
    previous: Option<&RegistrationObservation>,
    domain: &str,
    today: NaiveDate,
) {
    let timeline = lifecycle.timeline;
    let flags = StatusFlags::read(&facts.statuses);
    // After an auto-renew the registry already shows next year's date; the name lapsed a
    // year before it (RFC 3915 autoRenewPeriod).
    let lapse = match facts.expires_on {
        Some(date) if flags.auto_renew && date > today => date.checked_sub_months(Months::new(12)),
        other => other,
    };
    lifecycle.expires_on = lapse;
    lifecycle.days_since_expiry = lapse.map(|date| (today - date).num_days());
    let lapse_text = date_text(lapse, "未知");
    let lapse_text_en = date_text(lapse, "unknown");

    if let Some((zh, en)) = reregistration(facts, previous) {
        lifecycle.phase = LifecyclePhase::Reregistered;
        lifecycle.expires_on = facts.expires_on;
        lifecycle.days_since_expiry = facts.expires_on.map(|date| (today - date).num_days());
        let registrant = facts.registrant.as_deref().unwrap_or("未公开");
        let registrant_en = facts.registrant.as_deref().unwrap_or("not disclosed");
        lifecycle.explanation_zh = format!("{domain} 已被重新注册：{zh}；当前注册人 {registrant}");
        lifecycle.explanation_en =
            format!("{domain} has been registered again: {en}; registrant now {registrant_en}");
        return;
    }

    let offset = |days: u32| lapse.map(|date| add_days(date, u64::from(days)));
    let since = lifecycle.days_since_expiry;
    let grace_end = u64::from(timeline.grace_days);
    let redemption_end = grace_end + u64::from(timeline.redemption_days);
    let phase = if flags.redemption || flags.pending_restore {
        LifecyclePhase::Redemption
    } else if flags.pending_delete {
        LifecyclePhase::PendingDelete
    } else if flags.auto_renew {
        LifecyclePhase::ExpiredGrace
    } else {
        match since {
            None => LifecyclePhase::Active,
            Some(days) if days < 0 => LifecyclePhase::Active,
            Some(days) if days.unsigned_abs() < grace_end => LifecyclePhase::ExpiredGrace,
            Some(days) if days.unsigned_abs() < redemption_end => LifecyclePhase::Redemption,
            // Still registered after the whole timeline: deletion is overdue and can come any day.
            Some(_) => LifecyclePhase::PendingDelete,
        }
    };
    lifecycle.phase = phase;
    // Statuses seen today and none of them a deletion one: the registrar has not deleted
    // the name yet, so redemption cannot start before today.
    let not_deleted_yet =
        flags.any && !(flags.redemption || flags.pending_restore || flags.pending_delete);
    let earliest = match phase {
        LifecyclePhase::Active => {
            offset(0).map(|date| add_days(date, timeline.earliest_drop_offset()))
        }
        LifecyclePhase::ExpiredGrace => {
            let delete_from = offset(timeline.earliest_delete_day).unwrap_or(today);
            let delete_from = if not_deleted_yet {
                delete_from.max(today)
            } else {
                delete_from
            };
            Some(add_days(
                delete_from,
                u64::from(timeline.redemption_days) + u64::from(timeline.pending_delete_days),
            ))
        }
        LifecyclePhase::Redemption => {
            let redemption_end =
                offset(timeline.earliest_delete_day + timeline.redemption_days).unwrap_or(today);
            // The registry says redemption still runs today, so pending delete follows it.
            let redemption_end = if flags.redemption || flags.pending_restore {
                redemption_end.max(today)
            } else {
                redemption_end
            };
            Some(add_days(
                redemption_end,
                u64::from(timeline.pending_delete_days),
            ))
        }
        _ => Some(
            offset(0)
                .map(|date| add_days(date, timeline.earliest_drop_offset()))
                .unwrap_or(today),
        ),
    };
    // Registered today means nobody else can take it today: never predict the past.
    lifecycle.earliest_reregistration = earliest.map(|date| date.max(today));
    let earliest_text = date_text(lifecycle.earliest_reregistration, "未知");
    let earliest_en = date_text(lifecycle.earliest_reregistration, "unknown");
    let statuses = if facts.statuses.is_empty() {
        String::from("-")
    } else {
        facts.statuses.join(", ")
    };
    let (zh, en) = match phase {
        LifecyclePhase::Active if lapse.is_none() => (
            format!("{domain} 已注册，到期日未知"),
            format!("{domain} is registered; its expiry date is unknown"),
        ),
        LifecyclePhase::Active => (
            format!(
                "{domain} 有效，{lapse_text} 到期；若不续费，最早 {earliest_text} 可被他人注册"
            ),
            format!(
                "{domain} is valid until {lapse_text_en}; if not renewed, a stranger could register it from {earliest_en}"
            ),
        ),
        _ => {
            let days = since.map_or_else(String::new, |days| format!("（已过期 {days} 天）"));
            let days_en = since.map_or_else(String::new, |days| format!(" ({days} days ago)"));
            (
                format!(
                    "{domain} 于 {lapse_text} 到期{days}，现处于{}（状态：{statuses}）；预计最早 {earliest_text} 可被他人注册",
                    phase.label_zh()
                ),
                format!(
                    "{domain} expired on {lapse_text_en}{days_en} and is in {} (statuses: {statuses}); a stranger could register it from {earliest_en}",
                    phase.label_en()
                ),
            )
        }
    };
    lifecycle.explanation_zh = zh;
    lifecycle.explanation_en = en;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_flags_read_every_spelling() {
        let flags = StatusFlags::read(&[
            "pendingDelete https://icann.org/epp#pendingDelete".to_owned(),
            "REDEMPTION_PERIOD".to_owned(),
        ]);
        assert!(flags.any && flags.pending_delete && flags.redemption && !flags.auto_renew);
        assert!(!StatusFlags::read(&[" ".to_owned()]).any);
    }

    #[test]
    fn longest_suffix_wins() {
        let mut settings = LifecycleSettings::default();
        settings.tld.insert("com.cn".to_owned(), TldTimeline::GTLD);
        assert_eq!(settings.timeline_for("shop.com.cn").0, "com.cn");
        assert_eq!(settings.timeline_for("example.cn").0, "cn");
        assert_eq!(settings.timeline_for("example.com").0, "default");
        assert_eq!(settings.timeline_for("xn--fiqs8s").0, "xn--fiqs8s");
    }

    #[test]
    fn suffix_keys_accept_unicode_and_refuse_junk() {
        assert_eq!(suffix_key(".中国").as_deref(), Some("xn--fiqs8s"));
        assert_eq!(suffix_key("COM.CN").as_deref(), Some("com.cn"));
        assert_eq!(suffix_key("a..b"), None);
        assert_eq!(suffix_key(""), None);
    }
}
