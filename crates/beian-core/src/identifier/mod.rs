//! Identifiers: ICP filing numbers, ICP and VAT licences, PSB numbers, USCC, resident
//! ID numbers and domain names — normalised, parsed into parts, and judged with
//! structured errors *and* warnings (FACTS §1).
//!
//! The public shape below is used by the inventory, the store and the CLI; keep it
//! stable. Every entry point is total: any input gives a `Validation`, never a panic.
//!
//! Entry points: [`validate`] (auto-detect), [`validate_filing_number`],
//! [`validate_subject_id`] (or directly [`validate_uscc`], [`validate_resident_id`]),
//! [`validate_domain`], [`normalise`], and the check-character
//! helpers [`uscc_check_character`] and [`resident_id_check_digit`].
//!
//! # Part names
//!
//! | kind | parts |
//! |---|---|
//! | ICP 备案 (subject, website, App, mini-program, quick app) | `province` (prefix character), `province_code` (GB/T 2260, 2 digits), `serial` (the 8 or 10 digits), `year` (4-digit year), `site` (N of `-N`), `suffix_type` (`A`, `X` or `K`) |
//! | ICP licence (`ICP证`) | `province`, `province_code`, `serial` (6 digits), `year` (20YY), `site` |
//! | VAT licence / registrar licence | `province`, `province_code`, `issuer` (`province`, `cross_regional`, `foreign_invested`), `categories` (e.g. `B1.B2`; not for D3), `year`, `serial` (the 8 digits YYYYNNNN), `site` |
//! | PSB | `province`, `province_code`, `serial` (all digits), `division_code` (6 digits), `division_name`, `record_type` (digits 7–8), `sequence` (digits 9–14), `site` (legacy `-N`) |
//! | USCC | `registration_authority`, `registration_authority_name`, `category`, `category_name`, `division_code`, `division_name`, `organisation_code` (9 characters), `check_character` |
//! | resident ID | `province_code`, `division_code`, `division_name`, `birth_date` (YYYY-MM-DD), `sequence`, `gender` (`male`/`female`), `check_digit` |
//! | domain | `ascii`, `unicode`, `registrable`, `suffix` (public suffix), `tld` (ASCII) |
//!
//! # Issue codes
//!
//! FACTS §1.5 ids `V1`…`V8` (V9–V11 are in [`links`]), plus: display variants
//! `whitespace`, `invisible_characters`, `full_width`, `dash_variant`, `missing_hao`,
//! `suffix_before_hao`, `extra_hao`, `lower_case`, `label_removed`, `label_form`,
//! `hao_dropped`; ICP `quick_app_unconfirmed`, `licence_year`, `licence_borrowed`;
//! licences `licence_misformatted`, `licence_prefix_mismatch`, `licence_legacy`; PSB
//! `legacy`, `psb_label_typo`, `psb_prefix_missing`, `psb_prefix_alias`,
//! `psb_record_type`; USCC `uscc_length`, `uscc_character`, `uscc_check_character`,
//! `uscc_category`, `uscc_division`, `uscc_organisation_code`; resident ID
//! `resident_id_masked`, `resident_id_format`, `resident_id_check_digit`,
//! `resident_id_legacy`, `resident_id_province`, `resident_permit`,
//! `resident_id_division`, `resident_id_birth_date`; domains `url_stripped`,
//! `trailing_dot`, `domain_empty`, `ip_address`, `domain_empty_label`,
//! `domain_invalid_label`, `domain_label_too_long`, `domain_too_long`,
//! `domain_single_label`, `domain_numeric_tld`, `domain_public_suffix`, `tld_unknown`,
//! `tld_not_fileable`, `state_words`; and `empty`, `unrecognised`,
//! `not_a_filing_number`, `wrong_subject_id_kind`.

mod detect;
mod domain;
mod icp;
mod licence;
pub mod links;
mod normalise;
mod placeholder;
pub mod province;
mod psb;
mod report;
mod resident_id;
mod shape;
mod shape_scan;
mod tld;
mod uscc;

use chrono::NaiveDate;
use serde::Serialize;

use crate::model::FilingKind;

pub use detect::{
    validate, validate_filing_number, validate_resident_id, validate_subject_id, validate_uscc,
};
pub use domain::validate_domain;
pub use normalise::normalise;
pub use resident_id::resident_id_check_digit;
pub use shape_scan::is_han;
pub use tld::FileableTlds;
pub use uscc::uscc_check_character;

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
            && !self
                .issues
                .iter()
                .any(|i| i.severity == IssueSeverity::Error)
    }

    pub fn errors(&self) -> impl Iterator<Item = &Issue> {
        self.issues
            .iter()
            .filter(|i| i.severity == IssueSeverity::Error)
    }

    pub fn warnings(&self) -> impl Iterator<Item = &Issue> {
        self.issues
            .iter()
            .filter(|i| i.severity == IssueSeverity::Warning)
    }

    pub fn part(&self, name: &str) -> Option<&str> {
        self.parts
            .iter()
            .find(|p| p.name == name)
            .map(|p| p.value.as_str())
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
        ValidationContext {
            today,
            fileable_tlds: FileableTlds::bundled(),
        }
    }
}
