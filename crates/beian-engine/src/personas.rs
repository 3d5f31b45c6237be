//! What each persona's fetch of the home page showed, kept with the stored observation so
//! the site page can show the latest evidence per persona with its redirect chain. URLs
//! here come from the remote site (attacker-controlled): they are data to show escaped,
//! never links to follow.

use beian_probe::check::CheckReport;
use serde::{Deserialize, Serialize};

/// One persona's fetch: who asked, every hop, where it ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonaFetch {
    /// `desktop_browser`, `mobile_browser`, `baidu_spider`, …; `None` when the fetch failed
    /// before an answer (the failure does not say which persona it was).
    pub persona: Option<String>,
    /// Whether the request carried a Baidu search `Referer`.
    #[serde(default)]
    pub baidu_referer: bool,
    pub hops: Vec<HopFact>,
    pub final_url: Option<String>,
    pub status: Option<u16>,
    /// Why there is no answer, when the fetch failed.
    pub error: Option<String>,
}

/// One request of a redirect chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HopFact {
    pub status: u16,
    pub url: String,
    /// The `Location` (or meta refresh) target as the site wrote it.
    pub to: Option<String>,
}

/// The fetches of `report`, in persona order.
pub fn persona_fetches(report: &CheckReport) -> Vec<PersonaFetch> {
    report
        .http
        .iter()
        .map(|fetch| match fetch.outcome.ok() {
            Some(page) => PersonaFetch {
                persona: Some(page.persona.kind.as_str().to_owned()),
                baidu_referer: page.persona.baidu_referer,
                hops: page
                    .hops
                    .iter()
                    .map(|hop| HopFact {
                        status: hop.status,
                        url: hop.url.to_string(),
                        to: hop.location.clone().or_else(|| hop.meta_refresh.clone()),
                    })
                    .collect(),
                final_url: Some(page.final_url.to_string()),
                status: Some(page.status),
                error: None,
            },
            None => PersonaFetch {
                persona: None,
                baidu_referer: false,
                hops: Vec::new(),
                final_url: None,
                status: None,
                error: fetch.outcome.failure().map(ToString::to_string),
            },
        })
        .collect()
}
