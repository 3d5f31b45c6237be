//! Rules: from a site's inventory and what the latest scans saw ([`SiteFacts`]) to finding
//! drafts, each with an explanation built from the evidence and the evidence itself.
//!
//! [`judge`] is pure and deterministic: the same facts and settings give the same drafts,
//! sorted by rule id and key, which is what lets the store merge a rerun without
//! duplicates. The rules are split by area (domain, inventory, footer, content, DNS, TLS);
//! what each rule means, its legal basis and the remedy are data in `catalogue.toml`
//! ([`RuleCatalogue`]).

mod catalogue;
mod content;
mod dns;
mod domain;
mod footer;
mod inventory;
mod settings;
mod tls;

use std::net::IpAddr;

use serde_json::Value;

pub use catalogue::{
    CatalogueError, Confidence, LegalBasis, PROVIDER_CONSOLE_PLACEHOLDER, Rule, RuleCatalogue,
};
pub use settings::{RuleSettings, RuleSettingsError};

use crate::facts::{DomainObservation, SiteFacts, SiteObservation, WebFacts};
use crate::finding::{FindingDraft, Severity};
use crate::model::{Filing, FilingKind, FilingStatus};

/// Rule ids, exactly as in the catalogue and the stored findings.
pub mod ids {
    pub const DOMAIN_EXPIRING: &str = "domain.expiring";
    pub const DOMAIN_LAPSED_FILING_ACTIVE: &str = "domain.lapsed_filing_active";
    pub const DOMAIN_REREGISTERED_FILING_ACTIVE: &str = "domain.reregistered_filing_active";
    pub const DOMAIN_TLD_NOT_FILEABLE: &str = "domain.tld_not_fileable";
    pub const DOMAIN_HOLDER_MISMATCH: &str = "domain.holder_mismatch";
    pub const SITE_CLOSED_FILINGS_ACTIVE: &str = "site.closed_filings_active";
    pub const PSB_MISSING: &str = "psb.missing";
    pub const INVENTORY_IDENTIFIER_INVALID: &str = "inventory.identifier_invalid";
    pub const FOOTER_ICP_MISSING: &str = "footer.icp_missing";
    pub const FOOTER_ICP_MISMATCH: &str = "footer.icp_mismatch";
    pub const FOOTER_ICP_LINK: &str = "footer.icp_link";
    pub const FOOTER_PSB_MISSING: &str = "footer.psb_missing";
    pub const FOOTER_PSB_MISMATCH: &str = "footer.psb_mismatch";
    pub const FOOTER_PSB_LINK: &str = "footer.psb_link";
    pub const CONTENT_HIJACK: &str = "content.hijack";
    pub const CONTENT_CLOAKING: &str = "content.cloaking";
    pub const CONTENT_JS_REDIRECT: &str = "content.js_redirect";
    pub const CONTENT_IFRAME_OVERLAY: &str = "content.iframe_overlay";
    pub const CONTENT_HIDDEN_LINKS: &str = "content.hidden_links";
    pub const CONTENT_PARASITE_PAGES: &str = "content.parasite_pages";
    pub const CONTENT_TITLE_REPLACED: &str = "content.title_replaced";
    pub const CONTENT_PARKED: &str = "content.parked";
    pub const DNS_TAKEOVER_RISK: &str = "dns.takeover_risk";
    pub const DNS_NS_CHANGED: &str = "dns.ns_changed";
    pub const DNS_A_CHANGED: &str = "dns.a_changed";
    pub const TLS_EXPIRING: &str = "tls.expiring";
    pub const TLS_INVALID: &str = "tls.invalid";

    /// Every id [`super::judge`] can emit.
    pub const ALL: [&str; 27] = [
        DOMAIN_EXPIRING,
        DOMAIN_LAPSED_FILING_ACTIVE,
        DOMAIN_REREGISTERED_FILING_ACTIVE,
        DOMAIN_TLD_NOT_FILEABLE,
        DOMAIN_HOLDER_MISMATCH,
        SITE_CLOSED_FILINGS_ACTIVE,
        PSB_MISSING,
        INVENTORY_IDENTIFIER_INVALID,
        FOOTER_ICP_MISSING,
        FOOTER_ICP_MISMATCH,
        FOOTER_ICP_LINK,
        FOOTER_PSB_MISSING,
        FOOTER_PSB_MISMATCH,
        FOOTER_PSB_LINK,
        CONTENT_HIJACK,
        CONTENT_CLOAKING,
        CONTENT_JS_REDIRECT,
        CONTENT_IFRAME_OVERLAY,
        CONTENT_HIDDEN_LINKS,
        CONTENT_PARASITE_PAGES,
        CONTENT_TITLE_REPLACED,
        CONTENT_PARKED,
        DNS_TAKEOVER_RISK,
        DNS_NS_CHANGED,
        DNS_A_CHANGED,
        TLS_EXPIRING,
        TLS_INVALID,
    ];
}

/// Judges one site: every rule that holds gives one draft per key, sorted by
/// `(rule_id, key)`. Total: any facts give an answer, never a panic.
pub fn judge(facts: &SiteFacts, settings: &RuleSettings) -> Vec<FindingDraft> {
    let site = SiteView::new(facts);
    let mut drafts = Drafts {
        site_id: facts.website.id,
        settings,
        items: Vec::new(),
    };
    domain::judge(&site, settings, &mut drafts);
    inventory::judge(&site, settings, &mut drafts);
    footer::judge(&site, &mut drafts);
    content::judge(&site, settings, &mut drafts);
    dns::judge(&site, settings, &mut drafts);
    tls::judge(&site, settings, &mut drafts);
    drafts.finish()
}

/// Collects drafts, applying severity overrides.
pub(crate) struct Drafts<'a> {
    site_id: i64,
    settings: &'a RuleSettings,
    items: Vec<FindingDraft>,
}

impl Drafts<'_> {
    fn push(
        &mut self,
        rule_id: &'static str,
        key: impl Into<String>,
        graded: Severity,
        explanation: (String, String),
        evidence: Value,
    ) {
        let (explanation_zh, explanation_en) = explanation;
        self.items.push(FindingDraft {
            rule_id: rule_id.to_owned(),
            site_id: self.site_id,
            key: key.into(),
            severity: self.settings.severity_for(rule_id, graded),
            explanation_zh,
            explanation_en,
            evidence,
        });
    }

    fn finish(mut self) -> Vec<FindingDraft> {
        // One draft per identity; should two ever collide, the most severe wins.
        self.items.sort_by(|a, b| {
            (a.rule_id.as_str(), a.key.as_str())
                .cmp(&(b.rule_id.as_str(), b.key.as_str()))
                .then(b.severity.cmp(&a.severity))
        });
        self.items
            .dedup_by(|later, kept| later.rule_id == kept.rule_id && later.key == kept.key);
        self.items
    }
}

/// The facts with the lookups several rules share, computed once.
pub(crate) struct SiteView<'a> {
    facts: &'a SiteFacts,
    /// Active ICP website/subject filings (and licence site numbers) of the site: what
    /// "a filing is active" means for the domain rules.
    icp_active: Vec<&'a Filing>,
    /// The host the pages were fetched from, else the home URL's host.
    host: Option<String>,
    /// The subject's name and principal, normalised: who may hold the site's domains.
    own_names: Vec<String>,
}

impl<'a> SiteView<'a> {
    fn new(facts: &'a SiteFacts) -> SiteView<'a> {
        let icp_active = facts
            .filings
            .iter()
            .filter(|filing| {
                filing.status == FilingStatus::Active
                    && matches!(
                        filing.kind,
                        FilingKind::IcpWebsite | FilingKind::IcpSubject | FilingKind::IcpLicence
                    )
                    && belongs_to_site(filing, facts.website.id)
            })
            .collect();
        let host = facts
            .current
            .as_ref()
            .and_then(|observation| observation.web.as_ref())
            .and_then(|web| host_of(&web.url))
            .or_else(|| host_of(&facts.website.home_url));
        let own_names = facts
            .subject
            .iter()
            .flat_map(|subject| [subject.name.as_str(), subject.principal.as_str()])
            .map(normalise_name)
            .filter(|name| !name.is_empty())
            .collect();
        SiteView {
            facts,
            icp_active,
            host,
            own_names,
        }
    }

    fn today(&self) -> chrono::NaiveDate {
        self.facts.today
    }

    fn current(&self) -> Option<&'a SiteObservation> {
        self.facts.current.as_ref()
    }

    fn previous(&self) -> Option<&'a SiteObservation> {
        self.facts.previous.as_ref()
    }

    fn web(&self) -> Option<&'a WebFacts> {
        self.current()
            .and_then(|observation| observation.web.as_ref())
    }

    fn current_domain(&self, name: &str) -> Option<&'a DomainObservation> {
        self.current()
            .and_then(|observation| observation.domain(name))
    }

    fn previous_domain(&self, name: &str) -> Option<&'a DomainObservation> {
        self.previous()
            .and_then(|observation| observation.domain(name))
    }

    /// Filings of this site (not another site's), any kind.
    fn site_filings(&self) -> impl Iterator<Item = &'a Filing> + '_ {
        let site = self.facts.website.id;
        self.facts
            .filings
            .iter()
            .filter(move |filing| belongs_to_site(filing, site))
    }

    fn icp_active_numbers(&self) -> Vec<&'a str> {
        self.icp_active
            .iter()
            .map(|filing| filing.number.as_str())
            .collect()
    }

    fn site_host(&self) -> Option<&str> {
        self.host.as_deref()
    }

    /// Whether a normalised name is the subject's or its principal's.
    fn is_subject_name(&self, normalised: &str) -> bool {
        !normalised.is_empty() && self.own_names.iter().any(|own| own == normalised)
    }
}

/// Subject filings have no website; a filing naming another website is not this site's.
fn belongs_to_site(filing: &Filing, site_id: i64) -> bool {
    filing.website_id.is_none_or(|id| id == site_id)
}

/// Lower-case host of a URL (`https://Www.Example.com:8443/x` → `www.example.com`);
/// bare host names are accepted too.
pub(crate) fn host_of(url: &str) -> Option<String> {
    let text = url.trim();
    if text.is_empty() {
        return None;
    }
    let parsed = url::Url::parse(text)
        .ok()
        .filter(|parsed| parsed.has_host())
        .or_else(|| url::Url::parse(&format!("http://{text}")).ok())?;
    let host = parsed
        .host_str()?
        .trim_end_matches('.')
        .to_ascii_lowercase();
    (!host.is_empty()).then_some(host)
}

/// Names compared as people mean them: NFKC (full-width letters and brackets), no
/// whitespace, ASCII case folded. `北京某某科技有限公司（分公司）` equals
/// `北京某某科技有限公司(分公司)`.
pub(crate) fn normalise_name(name: &str) -> String {
    use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};
    let fold = |c: char| (!c.is_whitespace()).then(|| c.to_ascii_lowercase());
    // Most names (plain CJK or ASCII) are already NFKC; the quick check skips the
    // decomposition that would otherwise dominate judging a healthy site.
    if is_nfkc_quick(name.chars()) == IsNormalized::Yes {
        name.chars().filter_map(fold).collect()
    } else {
        name.nfkc().filter_map(fold).collect()
    }
}

/// Sorted, de-duplicated addresses parsed from inventory text; bad entries are skipped
/// (the inventory validated them on entry).
pub(crate) fn parse_ips(texts: &[String]) -> Vec<IpAddr> {
    let mut ips: Vec<IpAddr> = texts
        .iter()
        .filter_map(|text| text.trim().parse().ok())
        .collect();
    ips.sort();
    ips.dedup();
    ips
}

/// Attacker-controlled text shortened for explanations (on a character boundary).
pub(crate) fn clip(text: &str, max_chars: usize) -> String {
    let mut out: String = text.chars().take(max_chars).collect();
    if text.chars().nth(max_chars).is_some() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_come_from_urls_and_bare_names() {
        assert_eq!(
            host_of("https://Www.Example.com:8443/x").as_deref(),
            Some("www.example.com")
        );
        assert_eq!(host_of("example.cn").as_deref(), Some("example.cn"));
        assert_eq!(host_of("  "), None);
    }

    #[test]
    fn names_compare_across_widths_and_spaces() {
        assert_eq!(
            normalise_name(" 北京某某科技有限公司（分公司） "),
            normalise_name("北京某某科技有限公司(分公司)")
        );
        assert_eq!(normalise_name("ＡＢＣ Co"), normalise_name("abcco"));
    }

    #[test]
    fn every_rule_id_constant_is_in_the_catalogue_and_back() {
        let catalogue = RuleCatalogue::bundled();
        let mut constants: Vec<&str> = ids::ALL.to_vec();
        constants.sort_unstable();
        let listed: Vec<&str> = catalogue.ids().collect();
        assert_eq!(constants, listed);
    }
}
