//! Identifiers: ICP filing numbers, ICP and VAT licences, PSB numbers, USCC, resident
//! ID numbers and domain names — normalised, parsed into parts, and judged with
//! structured errors *and* warnings (FACTS §1).
//!
//! The public shape below is used by the inventory, the store and the CLI; keep it
//! stable. Every entry point is total: any input gives a `Validation`, never a panic.

use chrono::NaiveDate;
use serde::Serialize;

use crate::model::FilingKind;

/// What an identifier turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IdentifierKind {
    IcpSubject,
    IcpWebsite,
    IcpApp,
    IcpMiniProgram,
    IcpQuickApp,
    /// 京ICP证030173号
    IcpLicence,
    /// 京ICP证040867号-3: a website number built on a licence.
    IcpLicenceSite,
    /// 京B2-20202418, A2.B1.B2-20090003, 合字B2-20170010
    VatLicence,
    /// 浙B2-20080101-4
    VatLicenceSite,
    /// 浙D3-20210002: a registrar licence, not an ICP licence.
    DomainRegistrarLicence,
    /// 京公网安备11010502030143号 (and legacy 12/13-digit forms, flagged).
    Psb,
    /// 统一社会信用代码 (GB 32100).
    Uscc,
    /// 居民身份证号码 (GB 11643).
    ResidentId,
    /// A domain name.
    Domain,
}

impl IdentifierKind {
    /// The filing kind stored for this identifier, if it is a filing or licence number.
    pub fn filing_kind(self) -> Option<FilingKind> {
        match self {
            IdentifierKind::IcpSubject => Some(FilingKind::IcpSubject),
            IdentifierKind::IcpWebsite => Some(FilingKind::IcpWebsite),
            IdentifierKind::IcpApp => Some(FilingKind::IcpApp),
            IdentifierKind::IcpMiniProgram => Some(FilingKind::IcpMiniProgram),
            IdentifierKind::IcpQuickApp => Some(FilingKind::IcpQuickApp),
            IdentifierKind::IcpLicence | IdentifierKind::IcpLicenceSite => {
                Some(FilingKind::IcpLicence)
            }
            IdentifierKind::VatLicence | IdentifierKind::VatLicenceSite => {
                Some(FilingKind::VatLicence)
            }
            IdentifierKind::Psb => Some(FilingKind::Psb),
            IdentifierKind::DomainRegistrarLicence
            | IdentifierKind::Uscc
            | IdentifierKind::ResidentId
            | IdentifierKind::Domain => None,
        }
    }
}

/// How bad an issue is. Errors make the identifier invalid; warnings and notes do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IssueSeverity {
    Info,
    Warning,
    Error,
}

/// One thing wrong with (or worth knowing about) an identifier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Issue {
    pub severity: IssueSeverity,
    /// Stable code: FACTS §1.5 ids (V1…V11) where one applies, otherwise a short
    /// snake_case name such as `uscc_check_character`.
    pub code: &'static str,
    /// What is wrong, in Chinese then English, naming the offending part.
    pub message: String,
    /// How to fix it, when we know.
    pub hint: Option<String>,
}

/// A named part of a parsed identifier, e.g. `province = 京`, `serial = 12345678`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Part {
    pub name: &'static str,
    pub value: String,
}

/// The result of validating one input string.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Validation {
    /// The text as given.
    pub input: String,
    /// After NFKC, `&nbsp;`/whitespace removal and other normalisation.
    pub normalised: String,
    /// What it is, when it could be recognised at all.
    pub kind: Option<IdentifierKind>,
    /// Canonical display form (e.g. with a missing 号 restored), when parsed.
    pub canonical: Option<String>,
    pub parts: Vec<Part>,
    /// Pre-platform or otherwise legacy form (accepted, flagged).
    pub legacy: bool,
    pub issues: Vec<Issue>,
}

impl Validation {
    /// Recognised and free of errors (warnings allowed).
    pub fn is_valid(&self) -> bool {
        self.kind.is_some()
            && self.canonical.is_some()
            && !self.issues.iter().any(|i| i.severity == IssueSeverity::Error)
    }

    pub fn errors(&self) -> impl Iterator<Item = &Issue> {
        self.issues.iter().filter(|i| i.severity == IssueSeverity::Error)
    }

    pub fn warnings(&self) -> impl Iterator<Item = &Issue> {
        self.issues.iter().filter(|i| i.severity == IssueSeverity::Warning)
    }

    pub fn part(&self, name: &str) -> Option<&str> {
        self.parts.iter().find(|p| p.name == name).map(|p| p.value.as_str())
    }
}

/// What validation needs to know about the world; pure data so core stays I/O-free.
#[derive(Debug, Clone)]
pub struct ValidationContext {
    /// Upper bound for year plausibility checks (V2).
    pub today: NaiveDate,
    /// TLDs (ASCII, lower case, no dot) that MIIT accepts for new filings.
    pub fileable_tlds: FileableTlds,
}

impl ValidationContext {
    /// Context with the bundled fileable-TLD list.
    pub fn new(today: NaiveDate) -> ValidationContext {
        ValidationContext { today, fileable_tlds: FileableTlds::bundled() }
    }
}

/// TLDs accepted for new ICP filings (FACTS §3). Seeded from a bundled list that may
/// be outdated; operators can replace it. Not fileable is a warning, never an error.
#[derive(Debug, Clone, Default)]
pub struct FileableTlds {
    tlds: std::collections::BTreeSet<String>,
}

impl FileableTlds {
    pub fn bundled() -> FileableTlds {
        FileableTlds::default()
    }

    pub fn contains(&self, tld: &str) -> bool {
        self.tlds.contains(tld)
    }
}
