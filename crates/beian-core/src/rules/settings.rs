//! What operators may tune about the rules (the `[rules]` table of `beian.toml`): severity
//! overrides, the expiry and certificate warning windows, the PSB deadline, the domain
//! lifecycle timelines and the fileable-TLD list. Every key is optional; unknown keys and
//! bad values are refused with the key's name and the fix.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::catalogue::RuleCatalogue;
use crate::finding::Severity;
use crate::identifier::FileableTlds;
use crate::lifecycle::{LifecycleSettings, LifecycleSettingsError};

/// Tuning of the rules, validated. Deserialising (from the `[rules]` table) validates too.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(try_from = "RuleSettingsToml")]
pub struct RuleSettings {
    /// Severity overrides by rule id; an override pins the severity of graded rules too.
    pub severity: BTreeMap<String, Severity>,
    /// Days before expiry at which `domain.expiring` fires, strictly decreasing, one to
    /// three values graded low, medium, high (default 90, 30, 7: FACTS §4.3).
    pub expiry_days: Vec<u32>,
    /// Days of certificate validity left at which `tls.expiring` fires.
    pub tls_warn_days: u32,
    /// Days after go-live by which the PSB filing is due (公安部令第33号 Art 12: 30).
    pub psb_due_days: u32,
    /// Days before the PSB due date from which `psb.missing` warns (medium).
    pub psb_warn_days: u32,
    /// Detector signals below this confidence do not raise content findings (beian-detect's
    /// own "suspicious" threshold is 0.5).
    pub content_min_confidence: f32,
    pub lifecycle: LifecycleSettings,
    /// TLDs MIIT accepts for new filings (default: the bundled list, FACTS §3).
    pub fileable_tlds: FileableTlds,
}

impl Default for RuleSettings {
    fn default() -> RuleSettings {
        RuleSettings {
            severity: BTreeMap::new(),
            expiry_days: vec![90, 30, 7],
            tls_warn_days: 14,
            psb_due_days: 30,
            psb_warn_days: 10,
            content_min_confidence: 0.5,
            lifecycle: LifecycleSettings::default(),
            fileable_tlds: FileableTlds::bundled(),
        }
    }
}

/// Why rule settings were refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RuleSettingsError {
    #[error(
        "rules.severity：没有规则 '{id}'{hint_zh}；请检查拼写 / no rule '{id}'{hint_en}; check the spelling"
    )]
    UnknownRule {
        id: String,
        hint_zh: String,
        hint_en: String,
    },
    #[error(
        "rules.severity.\"{id}\" = '{value}'：不是严重程度，可用 info、low、medium、high、critical（或 提示、低、中、高、严重）/ not a severity; use info, low, medium, high or critical"
    )]
    BadSeverity { id: String, value: String },
    #[error(
        "rules.expiry_days = {value}：须为 1 到 3 个递减的正整数天数，如 [90, 30, 7] / must be one to three decreasing positive day counts, e.g. [90, 30, 7]"
    )]
    BadExpiryDays { value: String },
    #[error(
        "rules.{key} = {value}：须在 {min} 到 {max} 之间，请改正 / must be between {min} and {max}; fix the value"
    )]
    OutOfRange {
        key: &'static str,
        value: String,
        min: i64,
        max: i64,
    },
    #[error(
        "rules.psb_warn_days（{warn}）须小于 rules.psb_due_days（{due}），请调小提醒天数 / rules.psb_warn_days ({warn}) must be less than rules.psb_due_days ({due}); lower the warning window"
    )]
    WarnAfterDue { warn: u32, due: u32 },
    #[error(
        "rules.fileable_tlds：'{value}' 不是单个顶级域，请写成 com、cn 或 中国 / '{value}' is not a single TLD; write it as com, cn or 中国"
    )]
    BadTld { value: String },
    #[error("{0}")]
    Lifecycle(#[from] LifecycleSettingsError),
    /// The TOML did not parse or a value was refused (the message says which key).
    #[error("规则设置无效 / invalid rule settings: {0}")]
    Parse(String),
}

/// The `[rules]` table as written: every key optional.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct RuleSettingsToml {
    severity: BTreeMap<String, String>,
    expiry_days: Option<Vec<i64>>,
    tls_warn_days: Option<i64>,
    psb_due_days: Option<i64>,
    psb_warn_days: Option<i64>,
    content_min_confidence: Option<f64>,
    lifecycle: Option<LifecycleSettings>,
    fileable_tlds: Option<Vec<String>>,
}

fn bounded(
    key: &'static str,
    value: Option<i64>,
    default: u32,
    min: i64,
    max: i64,
) -> Result<u32, RuleSettingsError> {
    let Some(value) = value else {
        return Ok(default);
    };
    if value < min || value > max {
        return Err(RuleSettingsError::OutOfRange {
            key,
            value: value.to_string(),
            min,
            max,
        });
    }
    u32::try_from(value).map_err(|_| RuleSettingsError::OutOfRange {
        key,
        value: value.to_string(),
        min,
        max,
    })
}

fn unknown_rule(id: &str, catalogue: &RuleCatalogue) -> RuleSettingsError {
    // Suggest the rules of the same area ("domain.expire" → domain.*), the usual typo.
    let area = id.split('.').next().unwrap_or_default();
    let same_area: Vec<&str> = catalogue
        .ids()
        .filter(|known| !area.is_empty() && known.split('.').next() == Some(area))
        .collect();
    let (hint_zh, hint_en) = if same_area.is_empty() {
        let areas: Vec<&str> = {
            let mut areas: Vec<&str> = catalogue
                .ids()
                .filter_map(|known| known.split('.').next())
                .collect();
            areas.dedup();
            areas
        };
        let list = areas.join(", ");
        (
            format!("（规则分类：{list}）"),
            format!(" (rule areas: {list})"),
        )
    } else {
        let list = same_area.join(", ");
        (
            format!("（同类规则：{list}）"),
            format!(" (rules of that area: {list})"),
        )
    };
    RuleSettingsError::UnknownRule {
        id: id.to_owned(),
        hint_zh,
        hint_en,
    }
}

const MAX_DAYS: i64 = 3650;

impl TryFrom<RuleSettingsToml> for RuleSettings {
    type Error = RuleSettingsError;

    fn try_from(raw: RuleSettingsToml) -> Result<RuleSettings, RuleSettingsError> {
        let defaults = RuleSettings::default();
        let mut severity = BTreeMap::new();
        for (id, value) in raw.severity {
            let parsed = Severity::parse(&value).ok_or_else(|| RuleSettingsError::BadSeverity {
                id: id.clone(),
                value: value.clone(),
            })?;
            severity.insert(id, parsed);
        }
        let expiry_days = match raw.expiry_days {
            None => defaults.expiry_days,
            Some(values) => values
                .iter()
                .map(|value| {
                    u32::try_from(*value)
                        .ok()
                        .filter(|days| i64::from(*days) <= MAX_DAYS)
                })
                .collect::<Option<Vec<u32>>>()
                .ok_or_else(|| RuleSettingsError::BadExpiryDays {
                    value: format!("{values:?}"),
                })?,
        };
        let content_min_confidence = match raw.content_min_confidence {
            None => defaults.content_min_confidence,
            Some(value) if (0.0..=1.0).contains(&value) => value as f32,
            Some(value) => {
                return Err(RuleSettingsError::OutOfRange {
                    key: "content_min_confidence",
                    value: value.to_string(),
                    min: 0,
                    max: 1,
                });
            }
        };
        let fileable_tlds = match raw.fileable_tlds {
            None => defaults.fileable_tlds,
            Some(list) => {
                let parsed = FileableTlds::from_list(&list.join("\n"));
                // from_list skips what it cannot read; a setting must not drop entries silently.
                if let Some(bad) = list
                    .iter()
                    .find(|entry| FileableTlds::from_list(entry).is_empty())
                {
                    return Err(RuleSettingsError::BadTld { value: bad.clone() });
                }
                parsed
            }
        };
        let settings = RuleSettings {
            severity,
            expiry_days,
            tls_warn_days: bounded(
                "tls_warn_days",
                raw.tls_warn_days,
                defaults.tls_warn_days,
                0,
                365,
            )?,
            psb_due_days: bounded(
                "psb_due_days",
                raw.psb_due_days,
                defaults.psb_due_days,
                1,
                365,
            )?,
            psb_warn_days: bounded(
                "psb_warn_days",
                raw.psb_warn_days,
                defaults.psb_warn_days,
                0,
                364,
            )?,
            content_min_confidence,
            lifecycle: raw.lifecycle.unwrap_or_default(),
            fileable_tlds,
        };
        settings.validate()?;
        Ok(settings)
    }
}

impl RuleSettings {
    /// Parses the `[rules]` table's contents (without the `[rules]` header), validating it.
    pub fn from_toml(text: &str) -> Result<RuleSettings, RuleSettingsError> {
        toml::from_str(text)
            .map_err(|error: toml::de::Error| RuleSettingsError::Parse(error.to_string()))
    }

    /// Checks settings built or edited in code; TOML input is checked while parsing.
    pub fn validate(&self) -> Result<(), RuleSettingsError> {
        let catalogue = RuleCatalogue::bundled();
        if let Some(id) = self.severity.keys().find(|id| catalogue.get(id).is_none()) {
            return Err(unknown_rule(id, catalogue));
        }
        let days = &self.expiry_days;
        let decreasing = days.windows(2).all(|pair| pair[0] > pair[1]);
        if days.is_empty()
            || days.len() > 3
            || !decreasing
            || days.iter().any(|d| *d == 0 || i64::from(*d) > MAX_DAYS)
        {
            return Err(RuleSettingsError::BadExpiryDays {
                value: format!("{days:?}"),
            });
        }
        if self.psb_due_days == 0 {
            return Err(RuleSettingsError::OutOfRange {
                key: "psb_due_days",
                value: "0".to_owned(),
                min: 1,
                max: 365,
            });
        }
        if self.psb_warn_days >= self.psb_due_days {
            return Err(RuleSettingsError::WarnAfterDue {
                warn: self.psb_warn_days,
                due: self.psb_due_days,
            });
        }
        if !(0.0..=1.0).contains(&self.content_min_confidence) {
            return Err(RuleSettingsError::OutOfRange {
                key: "content_min_confidence",
                value: self.content_min_confidence.to_string(),
                min: 0,
                max: 1,
            });
        }
        self.lifecycle.validate()?;
        Ok(())
    }

    /// The severity a rule reports: the override when configured, else `graded`.
    pub fn severity_for(&self, rule_id: &str, graded: Severity) -> Severity {
        if self.severity.is_empty() {
            return graded;
        }
        self.severity.get(rule_id).copied().unwrap_or(graded)
    }

    /// `domain.expiring` severity for `days_left` days before expiry, if it fires at all.
    pub fn expiry_severity(&self, days_left: i64) -> Option<Severity> {
        if days_left <= 0 {
            return None;
        }
        // The ladder runs low → medium → high as the thresholds shrink.
        let ladder = [Severity::Low, Severity::Medium, Severity::High];
        self.expiry_days
            .iter()
            .zip(ladder.iter())
            .filter(|(threshold, _)| days_left <= i64::from(**threshold))
            .map(|(_, severity)| *severity)
            .next_back()
    }
}
