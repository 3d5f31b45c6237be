//! The inventory: who files (subjects), what they run (websites), the names those
//! sites answer to (domains), and the numbers the authorities gave them (filings).
//!
//! Records are plain data. Ids are assigned by the store; a record that has not been
//! stored yet carries `id = 0`. Identifiers (filing numbers, USCC, resident IDs,
//! domain names) are stored in their canonical form after `crate::identifier`
//! has validated them; `crate::inventory` is the one place that does so on entry.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// Database id of a stored record.
pub type RecordId = i64;

/// The kinds of record the inventory holds; also the `entity` of an audit entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    Subject,
    Website,
    Domain,
    Filing,
    Person,
    AccessProvider,
}

impl RecordKind {
    pub const ALL: [RecordKind; 6] = [
        RecordKind::Subject,
        RecordKind::Website,
        RecordKind::Domain,
        RecordKind::Filing,
        RecordKind::Person,
        RecordKind::AccessProvider,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::Subject => "subject",
            RecordKind::Website => "website",
            RecordKind::Domain => "domain",
            RecordKind::Filing => "filing",
            RecordKind::Person => "person",
            RecordKind::AccessProvider => "access_provider",
        }
    }

    pub fn parse(text: &str) -> Option<RecordKind> {
        RecordKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == text)
    }

    /// Chinese label used in tables and messages.
    pub fn label_zh(self) -> &'static str {
        match self {
            RecordKind::Subject => "主体",
            RecordKind::Website => "网站",
            RecordKind::Domain => "域名",
            RecordKind::Filing => "备案",
            RecordKind::Person => "负责人",
            RecordKind::AccessProvider => "接入商",
        }
    }
}

/// Legal form of a filing subject (主体性质).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubjectKind {
    /// 企业: identified by a USCC (统一社会信用代码).
    Company,
    /// 个人: identified by a resident ID number (居民身份证号码).
    Individual,
    /// 事业单位、社会团体、政府机关 …: identified by a USCC.
    OtherOrganisation,
}

impl SubjectKind {
    pub const ALL: [SubjectKind; 3] = [
        SubjectKind::Company,
        SubjectKind::Individual,
        SubjectKind::OtherOrganisation,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SubjectKind::Company => "company",
            SubjectKind::Individual => "individual",
            SubjectKind::OtherOrganisation => "other_organisation",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            SubjectKind::Company => "企业",
            SubjectKind::Individual => "个人",
            SubjectKind::OtherOrganisation => "其他组织",
        }
    }

    /// Accepts the English code or the Chinese label, as people type them in sheets.
    pub fn parse(text: &str) -> Option<SubjectKind> {
        let text = text.trim();
        match text {
            "company" | "企业" | "公司" => Some(SubjectKind::Company),
            "individual" | "个人" => Some(SubjectKind::Individual),
            "other_organisation" | "other_organization" | "other" | "其他组织" | "事业单位"
            | "社会团体" | "政府机关" => Some(SubjectKind::OtherOrganisation),
            _ => None,
        }
    }
}

/// A filing subject (主体): the company, person or organisation the filings belong to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subject {
    pub id: RecordId,
    pub name: String,
    pub kind: SubjectKind,
    /// USCC for organisations, resident ID number for individuals (canonical form).
    pub id_number: String,
    /// 主体负责人: the legal representative for companies, the person for individuals.
    pub principal: String,
    /// Two-digit GB/T 2260 province code of the subject's domicile, e.g. "11" for Beijing.
    pub province: Option<String>,
    pub status: RecordStatus,
    pub closed_on: Option<NaiveDate>,
    pub notes: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Whether a subject or website is still in service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordStatus {
    Active,
    Closed,
}

impl RecordStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RecordStatus::Active => "active",
            RecordStatus::Closed => "closed",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            RecordStatus::Active => "运行中",
            RecordStatus::Closed => "已关闭",
        }
    }

    pub fn parse(text: &str) -> Option<RecordStatus> {
        match text.trim() {
            "active" | "运行中" | "正常" | "在用" => Some(RecordStatus::Active),
            "closed" | "已关闭" | "关闭" | "停用" => Some(RecordStatus::Closed),
            _ => None,
        }
    }
}

/// A website (网站) run by a subject.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Website {
    pub id: RecordId,
    pub subject_id: RecordId,
    pub name: String,
    pub home_url: String,
    /// Names of the access providers (接入商) hosting the site, e.g. "阿里云".
    pub access_providers: Vec<String>,
    /// Server addresses as text (IPv4 or IPv6), validated on entry.
    pub server_ips: Vec<String>,
    /// The owner's own labels (e.g. a client, a team, "官网"), for filtering and bulk
    /// actions; trimmed, without duplicates.
    #[serde(default)]
    pub tags: Vec<String>,
    pub go_live_on: Option<NaiveDate>,
    pub status: RecordStatus,
    pub closed_on: Option<NaiveDate>,
    pub notes: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Where a stored fact came from, so a person can judge how far to trust it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Provenance {
    Manual,
    Import,
    Whois,
    Rdap,
    MiitQuery,
}

impl Provenance {
    pub fn as_str(self) -> &'static str {
        match self {
            Provenance::Manual => "manual",
            Provenance::Import => "import",
            Provenance::Whois => "whois",
            Provenance::Rdap => "rdap",
            Provenance::MiitQuery => "miit_query",
        }
    }

    pub fn parse(text: &str) -> Option<Provenance> {
        match text {
            "manual" => Some(Provenance::Manual),
            "import" => Some(Provenance::Import),
            "whois" => Some(Provenance::Whois),
            "rdap" => Some(Provenance::Rdap),
            "miit_query" => Some(Provenance::MiitQuery),
            _ => None,
        }
    }
}

/// A registered domain name (域名).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Domain {
    pub id: RecordId,
    /// ASCII (punycode) form, lower case: the key.
    pub name: String,
    /// Unicode form for display, e.g. "你好.中国"; equal to `name` for ASCII names.
    pub unicode_name: String,
    /// The website the domain serves, if any.
    pub website_id: Option<RecordId>,
    pub registrar: String,
    /// 域名持有者 as registered; should equal the filing subject (工信部信管〔2017〕264号).
    pub holder: String,
    pub expires_on: Option<NaiveDate>,
    pub expiry_source: Option<Provenance>,
    pub notes: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What a filing number is (the kind is derived from the number itself).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FilingKind {
    /// 主体备案号, e.g. 京ICP备12345678号.
    IcpSubject,
    /// 网站备案号, e.g. 京ICP备12345678号-1.
    IcpWebsite,
    /// App 备案号 (…-1A).
    IcpApp,
    /// 小程序备案号 (…-1X).
    IcpMiniProgram,
    /// 快应用备案号 (…-1K).
    IcpQuickApp,
    /// ICP经营许可证, e.g. 京ICP证030173号.
    IcpLicence,
    /// 增值电信业务经营许可证, e.g. 京B2-20202418.
    VatLicence,
    /// 公安联网备案号, e.g. 京公网安备11010502030143号.
    Psb,
}

impl FilingKind {
    pub const ALL: [FilingKind; 8] = [
        FilingKind::IcpSubject,
        FilingKind::IcpWebsite,
        FilingKind::IcpApp,
        FilingKind::IcpMiniProgram,
        FilingKind::IcpQuickApp,
        FilingKind::IcpLicence,
        FilingKind::VatLicence,
        FilingKind::Psb,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FilingKind::IcpSubject => "icp_subject",
            FilingKind::IcpWebsite => "icp_website",
            FilingKind::IcpApp => "icp_app",
            FilingKind::IcpMiniProgram => "icp_mini_program",
            FilingKind::IcpQuickApp => "icp_quick_app",
            FilingKind::IcpLicence => "icp_licence",
            FilingKind::VatLicence => "vat_licence",
            FilingKind::Psb => "psb",
        }
    }

    pub fn parse(text: &str) -> Option<FilingKind> {
        FilingKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == text)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            FilingKind::IcpSubject => "ICP主体备案",
            FilingKind::IcpWebsite => "ICP网站备案",
            FilingKind::IcpApp => "App备案",
            FilingKind::IcpMiniProgram => "小程序备案",
            FilingKind::IcpQuickApp => "快应用备案",
            FilingKind::IcpLicence => "ICP经营许可证",
            FilingKind::VatLicence => "增值电信业务经营许可证",
            FilingKind::Psb => "公安联网备案",
        }
    }

    /// Filings of these kinds cover one website and must name it. (Apps, mini-programs
    /// and quick apps hang under the subject filing but are not websites.)
    pub fn requires_website(self) -> bool {
        matches!(self, FilingKind::IcpWebsite | FilingKind::Psb)
    }

    /// Filings of these kinds hang under an ICP subject filing (same number stem).
    pub fn needs_subject_filing(self) -> bool {
        matches!(
            self,
            FilingKind::IcpWebsite
                | FilingKind::IcpApp
                | FilingKind::IcpMiniProgram
                | FilingKind::IcpQuickApp
        )
    }
}

/// Lifecycle of a filing as recorded with the authority.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FilingStatus {
    Active,
    Pending,
    Cancelled,
}

impl FilingStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            FilingStatus::Active => "active",
            FilingStatus::Pending => "pending",
            FilingStatus::Cancelled => "cancelled",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            FilingStatus::Active => "已备案",
            FilingStatus::Pending => "审核中",
            FilingStatus::Cancelled => "已注销",
        }
    }

    pub fn parse(text: &str) -> Option<FilingStatus> {
        match text.trim() {
            "active" | "已备案" | "正常" | "有效" => Some(FilingStatus::Active),
            "pending" | "审核中" | "待审核" | "备案中" => Some(FilingStatus::Pending),
            "cancelled" | "canceled" | "已注销" | "注销" => Some(FilingStatus::Cancelled),
            _ => None,
        }
    }
}

/// A filing or licence number and its state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Filing {
    pub id: RecordId,
    pub kind: FilingKind,
    /// Canonical number, e.g. 京ICP备12345678号-1.
    pub number: String,
    pub status: FilingStatus,
    pub subject_id: RecordId,
    /// Set for website, app, mini-program, quick-app and PSB filings.
    pub website_id: Option<RecordId>,
    /// For website/app filings: the ICP subject filing they hang under.
    pub parent_id: Option<RecordId>,
    pub filed_on: Option<NaiveDate>,
    pub cancelled_on: Option<NaiveDate>,
    pub notes: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What a responsible person answers for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PersonRole {
    /// 主体负责人.
    Principal,
    /// 网站负责人.
    Website,
    /// 应急联系人.
    Emergency,
}

impl PersonRole {
    pub fn as_str(self) -> &'static str {
        match self {
            PersonRole::Principal => "principal",
            PersonRole::Website => "website",
            PersonRole::Emergency => "emergency",
        }
    }

    pub fn parse(text: &str) -> Option<PersonRole> {
        match text.trim() {
            "principal" | "主体负责人" => Some(PersonRole::Principal),
            "website" | "网站负责人" => Some(PersonRole::Website),
            "emergency" | "应急联系人" => Some(PersonRole::Emergency),
            _ => None,
        }
    }
}

/// A responsible person (负责人) of a subject or one of its websites.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub id: RecordId,
    pub subject_id: RecordId,
    pub website_id: Option<RecordId>,
    pub role: PersonRole,
    pub name: String,
    pub phone: String,
    pub email: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// An access provider (接入商): the hosting company that submits ICP filings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessProvider {
    pub id: RecordId,
    pub name: String,
    /// The provider's filing console, for links in cases and messages.
    pub console_url: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Any inventory record; what the store reads and writes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Record {
    Subject(Subject),
    Website(Website),
    Domain(Domain),
    Filing(Filing),
    Person(Person),
    AccessProvider(AccessProvider),
}

impl Record {
    pub fn kind(&self) -> RecordKind {
        match self {
            Record::Subject(_) => RecordKind::Subject,
            Record::Website(_) => RecordKind::Website,
            Record::Domain(_) => RecordKind::Domain,
            Record::Filing(_) => RecordKind::Filing,
            Record::Person(_) => RecordKind::Person,
            Record::AccessProvider(_) => RecordKind::AccessProvider,
        }
    }

    pub fn id(&self) -> RecordId {
        match self {
            Record::Subject(r) => r.id,
            Record::Website(r) => r.id,
            Record::Domain(r) => r.id,
            Record::Filing(r) => r.id,
            Record::Person(r) => r.id,
            Record::AccessProvider(r) => r.id,
        }
    }

    /// The natural key people use to name the record (USCC, home URL, domain, number …).
    pub fn natural_key(&self) -> &str {
        match self {
            Record::Subject(r) => &r.id_number,
            Record::Website(r) => &r.home_url,
            Record::Domain(r) => &r.name,
            Record::Filing(r) => &r.number,
            Record::Person(r) => &r.name,
            Record::AccessProvider(r) => &r.name,
        }
    }
}

/// A foreign key inside a change set: a record already stored, or one inserted by an
/// earlier change of the same set (by its index), so an import can create a subject
/// and its websites in one transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordRef {
    Stored(RecordId),
    New(usize),
}

/// One write. The store applies a whole `&[Change]` in one transaction, resolving
/// `RecordRef::New` to the ids it assigned, checking relations, and appending one
/// audit entry per change — all or nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Change {
    /// Insert a record; `links` override its foreign-key fields.
    Insert { record: Record, links: Links },
    /// Replace a stored record (matched by kind and id) with this one.
    Update { record: Record },
    /// Delete a stored record; refused while others still refer to it.
    Delete { kind: RecordKind, id: RecordId },
}

/// Foreign keys of a record about to be inserted, possibly pointing into the same batch.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Links {
    pub subject: Option<RecordRef>,
    pub website: Option<RecordRef>,
    pub parent: Option<RecordRef>,
}

/// Why a filing cannot hang where it was put (DESIGN §3.1: a website filing belongs
/// to a subject filing; a PSB filing to a website).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RelationError {
    #[error("{number}: a {kind} filing needs its ICP subject filing (主体备案) as parent")]
    MissingParent { number: String, kind: &'static str },
    #[error("{number}: parent {parent} is not an ICP subject filing (主体备案号)")]
    ParentNotSubjectFiling { number: String, parent: String },
    #[error(
        "{number}: does not start with its subject filing number {parent} (网站备案号 = 主体备案号-N)"
    )]
    ParentStemMismatch { number: String, parent: String },
    #[error("{number}: parent {parent} belongs to another subject")]
    ParentOtherSubject { number: String, parent: String },
    #[error("{number}: a {kind} filing must name the website it covers")]
    MissingWebsite { number: String, kind: &'static str },
    #[error("{number}: website {website_id} belongs to another subject")]
    WebsiteOtherSubject {
        number: String,
        website_id: RecordId,
    },
}

/// Checks a filing against its parent filing and website, as stored.
pub fn check_filing_relations(
    filing: &Filing,
    parent: Option<&Filing>,
    website: Option<&Website>,
) -> Result<(), RelationError> {
    let number = || filing.number.clone();
    if filing.kind.needs_subject_filing() {
        let Some(parent) = parent else {
            return Err(RelationError::MissingParent {
                number: number(),
                kind: filing.kind.as_str(),
            });
        };
        if parent.kind != FilingKind::IcpSubject {
            return Err(RelationError::ParentNotSubjectFiling {
                number: number(),
                parent: parent.number.clone(),
            });
        }
        if !filing.number.starts_with(&format!("{}-", parent.number)) {
            return Err(RelationError::ParentStemMismatch {
                number: number(),
                parent: parent.number.clone(),
            });
        }
        if parent.subject_id != filing.subject_id {
            return Err(RelationError::ParentOtherSubject {
                number: number(),
                parent: parent.number.clone(),
            });
        }
    }
    if filing.kind.requires_website() {
        let Some(site) = website else {
            return Err(RelationError::MissingWebsite {
                number: number(),
                kind: filing.kind.as_str(),
            });
        };
        if site.subject_id != filing.subject_id {
            return Err(RelationError::WebsiteOtherSubject {
                number: number(),
                website_id: site.id,
            });
        }
    }
    Ok(())
}
