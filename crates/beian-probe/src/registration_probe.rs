//! Registration evidence for one registrable domain: RDAP where the registry publishes it,
//! else port-43 WHOIS (FACTS §4.4).
//!
//! * .cn and .中国 are always asked over WHOIS (CNNIC publishes no RDAP service).
//! * An RDAP 404 is the answer "not registered"; any other RDAP failure (timeout, 429, 5xx,
//!   garbage) falls back to WHOIS, and both attempts are kept as evidence.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::outcome::{Outcome, Timed};
use crate::rdap::client::{RdapClient, RdapEvidence};
use crate::registration::{RecordSource, RegistrationRecord};
use crate::whois::WhoisOutcome;
use crate::whois::client::{WhoisClient, WhoisEvidence};
use crate::whois::tld_of;

/// TLDs (A-labels) checked over WHOIS only.
const WHOIS_ONLY_TLDS: &[&str] = &["cn", "xn--fiqs8s", "xn--fiqz9s"];

/// What the registry says about a domain, and how we found out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegistrationEvidence {
    pub domain: String,
    /// Where `record` came from (`"rdap"` or `"whois"`).
    pub source: RecordSource,
    /// `None` when no source gave a definite answer (see the attempts for why).
    pub record: Option<RegistrationRecord>,
    pub rdap: Option<Timed<RdapEvidence>>,
    pub whois: Option<Timed<WhoisEvidence>>,
}

/// RDAP first, WHOIS as the fallback. Cheap to clone.
#[derive(Debug, Clone)]
pub struct RegistrationProbe {
    pub rdap: Arc<RdapClient>,
    pub whois: Arc<WhoisClient>,
}

impl RegistrationProbe {
    pub fn new(rdap: Arc<RdapClient>, whois: Arc<WhoisClient>) -> RegistrationProbe {
        RegistrationProbe { rdap, whois }
    }

    /// `domain` is the registrable name (`example.com.cn`, not `www.example.com.cn`).
    pub async fn lookup(&self, domain: &str) -> RegistrationEvidence {
        let domain = domain.trim().trim_end_matches('.').to_lowercase();
        let whois_only = tld_of(&domain).is_some_and(|tld| WHOIS_ONLY_TLDS.contains(&tld.as_str()));
        let rdap = if !whois_only && self.rdap.base_url_for(&domain).is_some() {
            Some(self.rdap.lookup(&domain).await)
        } else {
            None
        };
        if let Some(attempt) = &rdap
            && let Outcome::Ok(answer) = &attempt.outcome
        {
            let record = answer.record.clone().unwrap_or_else(|| {
                let mut absent = RegistrationRecord::empty(RecordSource::Rdap);
                absent.domain = Some(answer.domain.clone());
                absent.server = Some(answer.url.clone());
                absent
            });
            return RegistrationEvidence {
                domain,
                source: RecordSource::Rdap,
                record: Some(record),
                rdap,
                whois: None,
            };
        }
        let whois = self.whois.lookup(&domain).await;
        let record = whois.outcome.ok().and_then(|answer| {
            let definite = matches!(
                answer.outcome,
                WhoisOutcome::Registered | WhoisOutcome::NotRegistered | WhoisOutcome::Reserved
            );
            definite.then(|| answer.parse.clone())
        });
        RegistrationEvidence {
            domain,
            source: RecordSource::Whois,
            record,
            rdap,
            whois: Some(whois),
        }
    }
}
