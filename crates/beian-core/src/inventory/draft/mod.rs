//! Drafts: the raw text of an entry (as typed in a CLI flag or a sheet cell) and its
//! validation into a model record. This is the one place where entry is checked, so the
//! CLI's `add`/`edit` and the importer accept and reject exactly the same values.
//!
//! Every draft has `from_record`, its inverse: the text a stored record is shown as.
//! `validate(from_record(r))` gives `r` back in every field the draft covers, which is
//! what makes export → import a round trip with no changes.
//!
//! Validated records carry `id = 0` and epoch timestamps: the store assigns both.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::field::{
    Entry, Field, FieldError, FieldErrors, Findings, format_date, join_list, non_empty,
    optional_date, phone, server_ips, split_list, tags,
};
use crate::identifier::{self, IdentifierKind, ValidationContext, province};
use crate::model::{
    Domain, Filing, FilingStatus, Person, PersonRole, Provenance, RecordStatus, Subject,
    SubjectKind, Website,
};

/// Placeholder for timestamps the store stamps on write.
const UNSTAMPED: DateTime<Utc> = DateTime::<Utc>::UNIX_EPOCH;

/// A subject (主体) as entered.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubjectDraft {
    pub name: String,
    /// 企业 / 个人 / 其他组织 or company / individual / other_organisation; empty: inferred.
    pub kind: String,
    /// USCC or resident ID number.
    pub id_number: String,
    pub principal: String,
    /// Province name (北京), abbreviation (京) or code (11); empty: inferred from the ID.
    pub province: String,
    pub notes: String,
}

impl SubjectDraft {
    pub fn from_record(subject: &Subject) -> SubjectDraft {
        SubjectDraft {
            name: subject.name.clone(),
            kind: subject.kind.label_zh().to_owned(),
            id_number: subject.id_number.clone(),
            principal: subject.principal.clone(),
            province: subject
                .province
                .as_deref()
                .map(|code| province::by_code(code).map_or(code, |p| p.name).to_owned())
                .unwrap_or_default(),
            notes: subject.notes.clone(),
        }
    }

    pub fn validate(&self, ctx: &ValidationContext) -> Result<Entry<Subject>, FieldErrors> {
        let mut findings = Findings::default();
        let name = required_text(
            &mut findings,
            Field::SubjectName,
            &self.name,
            "北京示例科技有限公司",
        );
        let stated_kind = non_empty(&self.kind).and_then(|text| {
            let kind = SubjectKind::parse(text);
            if kind.is_none() {
                findings.error(FieldError::new(
                    Field::SubjectKind,
                    text,
                    "不是已知的主体性质 / not a known subject kind",
                    "填写 企业、个人 或 其他组织 / enter company, individual or other_organisation",
                ));
            }
            kind
        });
        let identity = subject_identity(&mut findings, &self.id_number, stated_kind, ctx);
        let kind = stated_kind
            .or(identity.as_ref().map(|id| id.inferred_kind))
            .unwrap_or(SubjectKind::Company);
        let province = match non_empty(&self.province) {
            Some(text) => {
                let found = parse_province(text);
                if found.is_none() {
                    findings.error(FieldError::new(
                        Field::Province,
                        text,
                        "不是已知的省份 / not a known province",
                        "填写省份名称、简称或两位代码，如 北京、京 或 11 / \
                         enter a province name, abbreviation or code, e.g. 北京, 京 or 11",
                    ));
                }
                found.map(|p| p.code.to_owned())
            }
            None => identity.as_ref().and_then(|id| id.province_code.clone()),
        };
        findings.finish(Subject {
            id: 0,
            name,
            kind,
            id_number: identity.map(|id| id.canonical).unwrap_or_default(),
            principal: self.principal.trim().to_owned(),
            province,
            status: RecordStatus::Active,
            closed_on: None,
            notes: self.notes.trim().to_owned(),
            created_at: UNSTAMPED,
            updated_at: UNSTAMPED,
        })
    }
}

/// What a valid USCC or resident ID number tells about its subject.
struct SubjectIdentity {
    canonical: String,
    inferred_kind: SubjectKind,
    /// Digits of the registering authority's division (USCC 3–4, resident ID 1–2).
    province_code: Option<String>,
}

/// Validates the ID number as a USCC or a resident ID, whichever the stated kind calls
/// for; when the kind is not stated, whichever the number is.
fn subject_identity(
    findings: &mut Findings,
    text: &str,
    stated_kind: Option<SubjectKind>,
    ctx: &ValidationContext,
) -> Option<SubjectIdentity> {
    let Some(value) = non_empty(text) else {
        findings.error(FieldError::required(Field::IdNumber, "91110108MA01ABCDE0"));
        return None;
    };
    let as_uscc = || identifier::validate_uscc(value);
    let as_resident = || identifier::validate_resident_id(value, ctx);
    let validation = match stated_kind {
        Some(SubjectKind::Individual) => as_resident(),
        Some(_) => as_uscc(),
        None => {
            let uscc = as_uscc();
            if uscc.is_valid() {
                uscc
            } else {
                let resident = as_resident();
                // Report against the form the text most resembles: 18 digits (or 17 + X)
                // reads as a resident ID, anything else as a USCC.
                let looks_resident = resident.is_valid()
                    || (value.len() == 18
                        && value[..17].bytes().all(|b| b.is_ascii_digit())
                        && value.ends_with(|c: char| c.is_ascii_digit() || c == 'X' || c == 'x'));
                if looks_resident { resident } else { uscc }
            }
        }
    };
    if !findings.absorb_issues(Field::IdNumber, value, &validation.issues) || !validation.is_valid()
    {
        if validation.errors().next().is_none() {
            findings.error(FieldError::new(
                Field::IdNumber,
                value,
                "不是有效的统一社会信用代码或身份证号码 / not a valid USCC or resident ID number",
                "企业和其他组织填写18位统一社会信用代码，个人填写18位身份证号码 / \
                 organisations: the 18-character USCC; individuals: the 18-digit ID number",
            ));
        }
        return None;
    }
    let canonical = validation
        .canonical
        .clone()
        .unwrap_or_else(|| value.to_owned());
    let (inferred_kind, province_digits) = match validation.kind {
        Some(IdentifierKind::ResidentId) => (SubjectKind::Individual, canonical.get(0..2)),
        // USCC digit 1 is the registering authority: 9 = market regulation (companies).
        _ if canonical.starts_with('9') => (SubjectKind::Company, canonical.get(2..4)),
        _ => (SubjectKind::OtherOrganisation, canonical.get(2..4)),
    };
    let province_code = province_digits
        .and_then(province::by_code)
        .map(|p| p.code.to_owned());
    Some(SubjectIdentity {
        canonical,
        inferred_kind,
        province_code,
    })
}

/// Reads a province as a two-digit code, a name (北京, 北京市), or an ICP/PSB prefix.
pub fn parse_province(text: &str) -> Option<&'static province::Province> {
    let text = text.trim();
    if let Some(p) = province::by_code(text) {
        return Some(p);
    }
    let mut chars = text.chars();
    if let (Some(c), None) = (chars.next(), chars.clone().next()) {
        return province::icp_prefix(c)
            .or_else(|| province::psb_prefix(c))
            .map(|m| m.province());
    }
    province::PROVINCES
        .iter()
        .find(|p| text.starts_with(p.name))
}

/// A website (网站) as entered. Its domains are entered as [`DomainDraft`]s.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebsiteDraft {
    pub name: String,
    pub home_url: String,
    /// Provider names separated by `;`, `,`, `、` or new lines.
    pub access_providers: String,
    /// IPv4/IPv6 addresses, same separators.
    pub server_ips: String,
    /// The owner's labels, same separators.
    #[serde(default)]
    pub tags: String,
    pub go_live_on: String,
    /// 运行中 / 已关闭 or active / closed; empty: closed when a closing date is given.
    pub status: String,
    pub closed_on: String,
    pub notes: String,
}

impl WebsiteDraft {
    pub fn from_record(site: &Website) -> WebsiteDraft {
        WebsiteDraft {
            name: site.name.clone(),
            home_url: site.home_url.clone(),
            access_providers: join_list(&site.access_providers),
            server_ips: join_list(&site.server_ips),
            tags: join_list(&site.tags),
            go_live_on: format_date(site.go_live_on),
            status: site.status.label_zh().to_owned(),
            closed_on: format_date(site.closed_on),
            notes: site.notes.clone(),
        }
    }

    /// The website; `subject_id` is left 0 for the caller to link.
    pub fn validate(&self, _ctx: &ValidationContext) -> Result<Entry<Website>, FieldErrors> {
        let mut findings = Findings::default();
        let name = required_text(&mut findings, Field::SiteName, &self.name, "示例官网");
        let home_url = match non_empty(&self.home_url) {
            None => {
                findings.error(FieldError::required(
                    Field::HomeUrl,
                    "https://www.example.com/",
                ));
                String::new()
            }
            Some(text) => match super::field::canonical_home_url(text) {
                Ok(url) => url.to_string(),
                Err(error) => {
                    findings.error(error);
                    String::new()
                }
            },
        };
        let go_live_on = optional_date(&mut findings, Field::GoLiveOn, &self.go_live_on);
        let closed_on = optional_date(&mut findings, Field::ClosedOn, &self.closed_on);
        let status = match non_empty(&self.status) {
            None if closed_on.is_some() => RecordStatus::Closed,
            None => RecordStatus::Active,
            Some(text) => RecordStatus::parse(text).unwrap_or_else(|| {
                findings.error(FieldError::new(
                    Field::SiteStatus,
                    text,
                    "不是已知的网站状态 / not a known site status",
                    "填写 运行中 或 已关闭 / enter active or closed",
                ));
                RecordStatus::Active
            }),
        };
        if status == RecordStatus::Active
            && let Some(date) = closed_on
        {
            findings.error(FieldError::new(
                Field::ClosedOn,
                &format_date(Some(date)),
                "运行中的网站不能有关闭日期 / an active site has no closing date",
                "网站已关闭则把状态填为 已关闭，否则清空关闭日期 / \
                 set the status to closed, or clear the closing date",
            ));
        }
        if status == RecordStatus::Closed && closed_on.is_none() {
            findings.warn(
                Field::ClosedOn,
                "",
                "closed_without_date",
                "已关闭的网站没有关闭日期 / a closed site without a closing date".to_owned(),
                Some("补填关闭日期，注销备案的期限从这一天算起 / add the closing date: cancellation deadlines count from it".to_owned()),
            );
        }
        if let (Some(live), Some(closed)) = (go_live_on, closed_on)
            && closed < live
        {
            findings.error(FieldError::new(
                Field::ClosedOn,
                &format_date(closed_on),
                format!("关闭日期早于开通日期 {live} / closing date is before the go-live date"),
                "核对两个日期 / check both dates",
            ));
        }
        let server_ips = server_ips(&mut findings, &self.server_ips);
        let tags = tags(&mut findings, &self.tags);
        findings.finish(Website {
            id: 0,
            subject_id: 0,
            name,
            home_url,
            access_providers: split_list(&self.access_providers),
            server_ips,
            tags,
            go_live_on,
            status,
            closed_on,
            notes: self.notes.trim().to_owned(),
            created_at: UNSTAMPED,
            updated_at: UNSTAMPED,
        })
    }
}

/// A domain (域名) as entered.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainDraft {
    /// ASCII or Unicode (你好.中国) form.
    pub name: String,
    pub registrar: String,
    pub holder: String,
    pub expires_on: String,
    pub notes: String,
}

impl DomainDraft {
    pub fn from_record(domain: &Domain) -> DomainDraft {
        DomainDraft {
            name: domain.unicode_name.clone(),
            registrar: domain.registrar.clone(),
            holder: domain.holder.clone(),
            expires_on: format_date(domain.expires_on),
            notes: domain.notes.clone(),
        }
    }

    /// The domain; `website_id` is left unset. An expiry date is marked as entered by
    /// hand (`Provenance::Manual`); an importer overrides that.
    pub fn validate(&self, ctx: &ValidationContext) -> Result<Entry<Domain>, FieldErrors> {
        let mut findings = Findings::default();
        let name = domain_name(&mut findings, &self.name, ctx);
        let expires_on = optional_date(&mut findings, Field::ExpiresOn, &self.expires_on);
        let (name, unicode_name) = name.unwrap_or_default();
        findings.finish(Domain {
            id: 0,
            name,
            unicode_name,
            website_id: None,
            registrar: self.registrar.trim().to_owned(),
            holder: self.holder.trim().to_owned(),
            expires_on,
            expiry_source: expires_on.map(|_| Provenance::Manual),
            notes: self.notes.trim().to_owned(),
            created_at: UNSTAMPED,
            updated_at: UNSTAMPED,
        })
    }
}

/// Validates a domain name; `(ascii, unicode)` when valid. Not-fileable TLDs warn.
fn domain_name(
    findings: &mut Findings,
    text: &str,
    ctx: &ValidationContext,
) -> Option<(String, String)> {
    let Some(value) = non_empty(text) else {
        findings.error(FieldError::required(Field::DomainName, "example.com"));
        return None;
    };
    let validation = identifier::validate_domain(value, ctx);
    let clean = findings.absorb_issues(Field::DomainName, value, &validation.issues);
    if !clean || !validation.is_valid() {
        if clean {
            findings.error(FieldError::new(
                Field::DomainName,
                value,
                "不是有效的域名 / not a valid domain name",
                "填写域名本身，不带 http:// 和路径，如 example.com / enter the bare name, e.g. example.com",
            ));
        }
        return None;
    }
    let ascii = validation
        .canonical
        .clone()
        .unwrap_or_else(|| value.to_ascii_lowercase());
    let unicode = validation
        .part("unicode")
        .map_or_else(|| ascii.clone(), str::to_owned);
    Some((ascii, unicode))
}

/// The registrable domain of a home URL's host (www.example.com.cn → example.com.cn),
/// used when a sheet names a site but not its domains. `None` for IP hosts.
pub fn registrable_domain_of(home_url: &str, ctx: &ValidationContext) -> Option<String> {
    let url = url::Url::parse(home_url).ok()?;
    let url::Host::Domain(host) = url.host()? else {
        return None;
    };
    let validation = identifier::validate_domain(host, ctx);
    validation
        .part("registrable")
        .map(str::to_owned)
        .or(validation.canonical)
}

/// A filing or licence number (备案号) as entered; its kind comes from the number.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FilingDraft {
    pub number: String,
    /// 已备案 / 审核中 / 已注销 or active / pending / cancelled; empty: active.
    pub status: String,
    pub filed_on: String,
    pub cancelled_on: String,
    pub notes: String,
}

impl FilingDraft {
    pub fn from_record(filing: &Filing) -> FilingDraft {
        FilingDraft {
            number: filing.number.clone(),
            status: filing.status.label_zh().to_owned(),
            filed_on: format_date(filing.filed_on),
            cancelled_on: format_date(filing.cancelled_on),
            notes: filing.notes.clone(),
        }
    }

    /// The filing; `subject_id`, `website_id` and `parent_id` are left for the caller.
    pub fn validate(&self, ctx: &ValidationContext) -> Result<Entry<Filing>, FieldErrors> {
        let mut findings = Findings::default();
        let number = filing_number(&mut findings, &self.number, ctx);
        let filed_on = optional_date(&mut findings, Field::FiledOn, &self.filed_on);
        let cancelled_on = optional_date(&mut findings, Field::CancelledOn, &self.cancelled_on);
        let status = match non_empty(&self.status) {
            None if cancelled_on.is_some() => FilingStatus::Cancelled,
            None => FilingStatus::Active,
            Some(text) => FilingStatus::parse(text).unwrap_or_else(|| {
                findings.error(FieldError::new(
                    Field::FilingStatus,
                    text,
                    "不是已知的备案状态 / not a known filing status",
                    "填写 已备案、审核中 或 已注销 / enter active, pending or cancelled",
                ));
                FilingStatus::Active
            }),
        };
        if status != FilingStatus::Cancelled && cancelled_on.is_some() {
            findings.error(FieldError::new(
                Field::CancelledOn,
                &format_date(cancelled_on),
                "未注销的备案不能有注销日期 / only a cancelled filing has a cancellation date",
                "把状态填为 已注销，或清空注销日期 / set the status to cancelled or clear the date",
            ));
        }
        if let Some(date) = filed_on.filter(|date| *date > ctx.today) {
            findings.error(FieldError::new(
                Field::FiledOn,
                &format_date(Some(date)),
                "备案日期在今天之后 / the filing date is in the future",
                "填写备案通过的实际日期 / enter the date the filing was granted",
            ));
        }
        let (number, kind) =
            number.unwrap_or((String::new(), crate::model::FilingKind::IcpSubject));
        findings.finish(Filing {
            id: 0,
            kind,
            number,
            status,
            subject_id: 0,
            website_id: None,
            parent_id: None,
            filed_on,
            cancelled_on,
            notes: self.notes.trim().to_owned(),
            created_at: UNSTAMPED,
            updated_at: UNSTAMPED,
        })
    }
}

/// Validates a filing or licence number: `(canonical, kind)` when valid.
fn filing_number(
    findings: &mut Findings,
    text: &str,
    ctx: &ValidationContext,
) -> Option<(String, crate::model::FilingKind)> {
    let Some(value) = non_empty(text) else {
        findings.error(FieldError::required(
            Field::FilingNumber,
            "京ICP备2024012345号-1",
        ));
        return None;
    };
    let validation = identifier::validate_filing_number(value, ctx);
    let clean = findings.absorb_issues(Field::FilingNumber, value, &validation.issues);
    let kind = validation.kind.and_then(IdentifierKind::filing_kind);
    match (validation.is_valid(), kind, validation.canonical.clone()) {
        (true, Some(kind), Some(canonical)) => Some((canonical, kind)),
        _ => {
            if clean {
                findings.error(FieldError::new(
                    Field::FilingNumber,
                    value,
                    "不是备案号或许可证号 / not a filing or licence number",
                    "填写如 京ICP备2024012345号-1 或 京公网安备11010802012345号 / \
                     enter e.g. 京ICP备2024012345号-1 or 京公网安备11010802012345号",
                ));
            }
            None
        }
    }
}

/// The ICP subject filing number a website/app number hangs under:
/// 京ICP备2024012345号-1 → 京ICP备2024012345号.
pub fn subject_filing_number(number: &str) -> Option<&str> {
    let (stem, _) = number.rsplit_once("号-")?;
    number.get(..stem.len() + "号".len())
}

/// A responsible person (负责人) as entered.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonDraft {
    pub name: String,
    /// 主体负责人 / 网站负责人 / 应急联系人 or principal / website / emergency.
    pub role: String,
    pub phone: String,
    pub email: String,
}

impl PersonDraft {
    pub fn from_record(person: &Person) -> PersonDraft {
        PersonDraft {
            name: person.name.clone(),
            role: person.role.as_str().to_owned(),
            phone: person.phone.clone(),
            email: person.email.clone(),
        }
    }

    /// The person; `subject_id` and `website_id` are left for the caller.
    pub fn validate(&self, _ctx: &ValidationContext) -> Result<Entry<Person>, FieldErrors> {
        let mut findings = Findings::default();
        let name = required_text(&mut findings, Field::PersonName, &self.name, "李四");
        let role = match non_empty(&self.role) {
            None => {
                findings.error(FieldError::required(Field::PersonRole, "网站负责人"));
                PersonRole::Website
            }
            Some(text) => PersonRole::parse(text).unwrap_or_else(|| {
                findings.error(FieldError::new(
                    Field::PersonRole,
                    text,
                    "不是已知的负责人角色 / not a known role",
                    "填写 主体负责人、网站负责人 或 应急联系人 / enter principal, website or emergency",
                ));
                PersonRole::Website
            }),
        };
        let phone = phone(&mut findings, &self.phone);
        let email = self.email.trim().to_owned();
        if !email.is_empty() && !is_plausible_email(&email) {
            findings.error(FieldError::new(
                Field::Email,
                &email,
                "不是有效的邮箱地址 / not a valid e-mail address",
                "填写如 name@example.com 的地址 / enter an address like name@example.com",
            ));
        }
        findings.finish(Person {
            id: 0,
            subject_id: 0,
            website_id: None,
            role,
            name,
            phone,
            email,
            created_at: UNSTAMPED,
            updated_at: UNSTAMPED,
        })
    }
}

fn is_plausible_email(text: &str) -> bool {
    match text.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !text
                    .chars()
                    .any(|c| c.is_whitespace() || c == ',' || c == ';')
                && !domain.contains('@')
        }
        None => false,
    }
}

fn required_text(findings: &mut Findings, field: Field, text: &str, example: &str) -> String {
    match non_empty(text) {
        Some(value) => value.to_owned(),
        None => {
            findings.error(FieldError::required(field, example));
            String::new()
        }
    }
}

#[cfg(test)]
mod tests;
