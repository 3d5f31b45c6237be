//! The rule catalogue: what each rule id means, how bad it is by default, the legal basis
//! and what to do about it. The text lives in `catalogue.toml` beside this file so lawyers
//! and translators can edit it without touching code.

use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use crate::finding::Severity;

const BUNDLED: &str = include_str!("catalogue.toml");

/// Replaced by the site's access-provider console URL where links are shown.
pub const PROVIDER_CONSOLE_PLACEHOLDER: &str = "{provider_console}";

/// How far a legal basis has been checked (FACTS §0.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Confidence {
    /// `[V]`: checked word for word in the cited source.
    #[serde(rename = "V")]
    Verified,
    /// `[P]`: from a provider or secondary source.
    #[serde(rename = "P")]
    Provider,
    /// `[M]`: unconfirmed; verify before relying on it.
    #[serde(rename = "M")]
    Unconfirmed,
}

impl Confidence {
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Verified => "V",
            Confidence::Provider => "P",
            Confidence::Unconfirmed => "M",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Confidence::Verified => "已核对原文",
            Confidence::Provider => "来自接入商或二手资料",
            Confidence::Unconfirmed => "未经核实",
        }
    }
}

/// One regulation article a rule rests on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LegalBasis {
    /// Full Chinese title with its issuing order, e.g. 《互联网信息服务管理办法》（国务院令第292号）.
    pub regulation: String,
    /// e.g. 第十二条.
    pub article: String,
    pub confidence: Confidence,
    /// What the article says, quoted or summarised, in Chinese.
    pub summary: String,
}

/// One rule of the catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub id: String,
    #[serde(rename = "severity")]
    pub default_severity: Severity,
    pub title_zh: String,
    pub title_en: String,
    pub legal_basis: Vec<LegalBasis>,
    pub remediation_zh: Vec<String>,
    pub remediation_en: Vec<String>,
    /// Consoles and query sites; may contain [`PROVIDER_CONSOLE_PLACEHOLDER`].
    pub links: Vec<String>,
}

impl Rule {
    /// The links with the provider-console placeholder replaced by `console`, or dropped
    /// when the site has no known console.
    pub fn links_for(&self, console: Option<&str>) -> Vec<String> {
        self.links
            .iter()
            .filter_map(|link| match (link.as_str(), console) {
                (PROVIDER_CONSOLE_PLACEHOLDER, Some(url)) if !url.trim().is_empty() => {
                    Some(url.trim().to_owned())
                }
                (PROVIDER_CONSOLE_PLACEHOLDER, _) => None,
                _ => Some(link.clone()),
            })
            .collect()
    }

    /// The area before the dot: `domain`, `footer`, `content` …
    pub fn area(&self) -> &str {
        self.id.split('.').next().unwrap_or_default()
    }
}

/// Every rule, in id order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleCatalogue {
    rules: Vec<Rule>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogueToml {
    rule: Vec<Rule>,
}

/// Why a catalogue text was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogueError {
    #[error(
        "规则目录无法解析：{0}；请按 catalogue.toml 的格式改正 / the rule catalogue does not parse: {0}; follow the format of catalogue.toml"
    )]
    Parse(String),
    #[error(
        "规则 {id} 重复出现，每个 id 只能出现一次 / rule {id} appears twice; keep one entry per id"
    )]
    Duplicate { id: String },
    #[error("规则 {id} 缺少 {field}，请补上 / rule {id} has an empty {field}; fill it in")]
    Empty { id: String, field: &'static str },
}

impl RuleCatalogue {
    /// The catalogue bundled from `rules/catalogue.toml`.
    pub fn bundled() -> &'static RuleCatalogue {
        static PARSED: LazyLock<RuleCatalogue> = LazyLock::new(|| {
            RuleCatalogue::from_toml(BUNDLED).unwrap_or_else(|error| {
                panic!("bundled rules/catalogue.toml is invalid (a unit test checks it): {error}")
            })
        });
        &PARSED
    }

    /// Parses and checks a catalogue: ids unique, every text and list filled in.
    pub fn from_toml(text: &str) -> Result<RuleCatalogue, CatalogueError> {
        let parsed: CatalogueToml =
            toml::from_str(text).map_err(|error| CatalogueError::Parse(error.to_string()))?;
        let mut rules = parsed.rule;
        rules.sort_by(|a, b| a.id.cmp(&b.id));
        for pair in rules.windows(2) {
            if pair[0].id == pair[1].id {
                return Err(CatalogueError::Duplicate {
                    id: pair[0].id.clone(),
                });
            }
        }
        for rule in &rules {
            let empty = |field: &'static str| CatalogueError::Empty {
                id: rule.id.clone(),
                field,
            };
            let blank = |text: &str| text.trim().is_empty();
            if blank(&rule.id) {
                return Err(empty("id"));
            }
            if blank(&rule.title_zh) {
                return Err(empty("title_zh"));
            }
            if blank(&rule.title_en) {
                return Err(empty("title_en"));
            }
            if rule.legal_basis.is_empty()
                || rule.legal_basis.iter().any(|basis| {
                    blank(&basis.regulation) || blank(&basis.article) || blank(&basis.summary)
                })
            {
                return Err(empty("legal_basis"));
            }
            if rule.remediation_zh.is_empty() || rule.remediation_zh.iter().any(|step| blank(step))
            {
                return Err(empty("remediation_zh"));
            }
            if rule.remediation_en.len() != rule.remediation_zh.len()
                || rule.remediation_en.iter().any(|step| blank(step))
            {
                return Err(empty("remediation_en (one step per Chinese step)"));
            }
            if rule.links.is_empty() {
                return Err(empty("links"));
            }
        }
        Ok(RuleCatalogue { rules })
    }

    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules
            .binary_search_by(|rule| rule.id.as_str().cmp(id))
            .ok()
            .map(|index| &self.rules[index])
    }

    /// All rules, sorted by id.
    pub fn all(&self) -> &[Rule] {
        &self.rules
    }

    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.rules.iter().map(|rule| rule.id.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_catalogue_parses_and_links_are_absolute_or_the_placeholder() {
        let catalogue = RuleCatalogue::from_toml(BUNDLED).expect("bundled catalogue is valid");
        assert_eq!(catalogue.all().len(), 27);
        for rule in catalogue.all() {
            for link in &rule.links {
                assert!(
                    link == PROVIDER_CONSOLE_PLACEHOLDER || link.starts_with("https://"),
                    "{}: {link}",
                    rule.id
                );
            }
        }
    }

    #[test]
    fn duplicates_and_empty_texts_are_refused() {
        let one = r#"
[[rule]]
id = "a.b"
severity = "low"
title_zh = "甲"
title_en = "A"
remediation_zh = ["做"]
remediation_en = ["do"]
links = ["https://beian.miit.gov.cn/"]
[[rule.legal_basis]]
regulation = "R"
article = "1"
confidence = "V"
summary = "S"
"#;
        assert!(RuleCatalogue::from_toml(one).is_ok());
        let twice = format!("{one}{one}");
        assert_eq!(
            RuleCatalogue::from_toml(&twice),
            Err(CatalogueError::Duplicate {
                id: "a.b".to_owned()
            })
        );
        let no_title = one.replace("title_en = \"A\"", "title_en = \" \"");
        assert!(matches!(
            RuleCatalogue::from_toml(&no_title),
            Err(CatalogueError::Empty {
                field: "title_en",
                ..
            })
        ));
    }

    #[test]
    fn provider_console_placeholder_is_replaced_or_dropped() {
        let rule = RuleCatalogue::bundled()
            .get("domain.lapsed_filing_active")
            .expect("rule exists");
        let with = rule.links_for(Some("https://console.example/beian"));
        assert_eq!(with[0], "https://console.example/beian");
        let without = rule.links_for(None);
        assert!(
            !without
                .iter()
                .any(|link| link == PROVIDER_CONSOLE_PLACEHOLDER)
        );
        assert_eq!(without.len(), rule.links.len() - 1);
    }
}
