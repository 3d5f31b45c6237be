//! What a check's evidence means, in plain words (Chinese and English), for the table and for
//! `--json` consumers.

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::Serialize;
use url::Url;

use super::failure_kind;
use crate::dns::DnsEvidence;
use crate::http::HttpEvidence;
use crate::outcome::{Outcome, ProbeFailure, Timed};
use crate::registration_probe::RegistrationEvidence;
use crate::settings::Persona;
use crate::tls::{TlsEvidence, TlsVerdict};

/// How worrying a summary line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NoteLevel {
    Ok,
    Info,
    Warning,
    Problem,
}

/// One sentence about the evidence, in Chinese and English.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Note {
    pub probe: &'static str,
    pub level: NoteLevel,
    pub zh: String,
    pub en: String,
}

/// Registration state in one word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RegistrationState {
    Registered,
    NotRegistered,
    Unknown,
}

/// What one persona ended on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PersonaResult {
    pub persona: Persona,
    pub status: Option<u16>,
    pub final_url: Option<Url>,
    pub title: Option<String>,
    pub failure: Option<String>,
}

/// What the evidence means, for people and for `--json` consumers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckSummary {
    pub registration: RegistrationState,
    pub expires_at: Option<DateTime<FixedOffset>>,
    /// Days from today (Beijing) to the expiry date (Beijing); negative once expired.
    pub days_left: Option<i64>,
    pub statuses: Vec<String>,
    /// The response code of the host's A query (`NOERROR`, `NXDOMAIN`, `timeout` …).
    pub dns_rcode: Option<String>,
    pub addresses: Vec<IpAddr>,
    /// The host's CNAME chain ends in a name that does not exist: a takeover risk.
    pub dangling_cname: bool,
    pub http: Vec<PersonaResult>,
    /// Personas that got an answer ended on different URLs or titles (possible cloaking).
    pub personas_differ: bool,
    pub tls_verdict: Option<TlsVerdict>,
    pub tls_days_left: Option<i64>,
    pub notes: Vec<Note>,
}

impl CheckSummary {
    pub fn of(
        dns: &Timed<DnsEvidence>,
        registration: &Timed<RegistrationEvidence>,
        http: &[Timed<HttpEvidence>],
        personas: &[Persona],
        tls: Option<&Timed<TlsEvidence>>,
        today: NaiveDate,
    ) -> CheckSummary {
        let mut notes = Vec::new();
        let mut summary = CheckSummary {
            registration: RegistrationState::Unknown,
            expires_at: None,
            days_left: None,
            statuses: Vec::new(),
            dns_rcode: None,
            addresses: Vec::new(),
            dangling_cname: false,
            http: Vec::new(),
            personas_differ: false,
            tls_verdict: None,
            tls_days_left: None,
            notes: Vec::new(),
        };
        summary.read_registration(registration, today, &mut notes);
        summary.read_dns(dns, &mut notes);
        summary.read_http(http, personas, &mut notes);
        summary.read_tls(tls, &mut notes);
        summary.notes = notes;
        summary
    }

    fn read_registration(
        &mut self,
        registration: &Timed<RegistrationEvidence>,
        today: NaiveDate,
        notes: &mut Vec<Note>,
    ) {
        let evidence = registration.outcome.ok();
        let Some(record) = evidence.and_then(|e| e.record.as_ref()) else {
            notes.push(note(
                "registration",
                NoteLevel::Warning,
                "注册信息未知：RDAP 与 WHOIS 都没有给出明确答复".to_owned(),
                "registration unknown: neither RDAP nor WHOIS gave a definite answer".to_owned(),
            ));
            return;
        };
        if !record.registered {
            self.registration = RegistrationState::NotRegistered;
            notes.push(note(
                "registration",
                NoteLevel::Problem,
                "域名未注册：任何人都可以注册它".to_owned(),
                "the domain is not registered: anyone can register it".to_owned(),
            ));
            return;
        }
        self.registration = RegistrationState::Registered;
        self.statuses = record.statuses.clone();
        self.expires_at = record.expires_at;
        let Some(expires_at) = record.expires_at else {
            notes.push(note(
                "registration",
                NoteLevel::Info,
                "已注册，注册局未公布到期日".to_owned(),
                "registered; the registry publishes no expiry date".to_owned(),
            ));
            return;
        };
        let china = FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset");
        let expiry_date = expires_at.with_timezone(&china).date_naive();
        let days = (expiry_date - today).num_days();
        self.days_left = Some(days);
        let (level, zh, en) = if days < 0 {
            (
                NoteLevel::Problem,
                format!("域名已于 {expiry_date} 过期（{} 天前）", -days),
                format!("the domain expired on {expiry_date} ({} days ago)", -days),
            )
        } else if days <= 30 {
            (
                NoteLevel::Warning,
                format!("域名将于 {expiry_date} 到期，还剩 {days} 天"),
                format!("the domain expires on {expiry_date}, in {days} days"),
            )
        } else {
            (
                NoteLevel::Ok,
                format!("已注册，{expiry_date} 到期（还剩 {days} 天）"),
                format!("registered until {expiry_date} ({days} days left)"),
            )
        };
        notes.push(note("registration", level, zh, en));
        let hold: Vec<&String> = record
            .statuses
            .iter()
            .filter(|s| {
                let lower = s.to_ascii_lowercase();
                lower.contains("hold")
                    || lower.contains("redemption")
                    || lower.contains("pendingdelete")
            })
            .collect();
        if !hold.is_empty() {
            let list = hold
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            notes.push(note(
                "registration",
                NoteLevel::Problem,
                format!("注册状态 {list}：域名可能停止解析或即将删除"),
                format!("status {list}: the name may stop resolving or be deleted"),
            ));
        }
    }

    fn read_dns(&mut self, dns: &Timed<DnsEvidence>, notes: &mut Vec<Note>) {
        let evidence = match &dns.outcome {
            Outcome::Ok(evidence) => evidence,
            Outcome::Failed(failure) => {
                self.dns_rcode = Some(failure_kind(failure).to_owned());
                notes.push(note(
                    "dns",
                    NoteLevel::Problem,
                    format!("DNS 查询失败：{failure}"),
                    format!("DNS lookup failed: {failure}"),
                ));
                return;
            }
        };
        self.dns_rcode = evidence.rcodes.get("A").cloned();
        self.addresses = evidence
            .a
            .iter()
            .map(|ip| IpAddr::V4(*ip))
            .chain(evidence.aaaa.iter().map(|ip| IpAddr::V6(*ip)))
            .collect();
        self.dangling_cname = !evidence.cname_chain.is_empty()
            && evidence.cname_target_rcode.as_deref() == Some("NXDOMAIN");
        if self.dangling_cname {
            let target = evidence
                .cname_chain
                .last()
                .map_or("?", |link| link.to.as_str());
            notes.push(note(
                "dns",
                NoteLevel::Problem,
                format!("CNAME 指向不存在的 {target}：可能被他人认领接管"),
                format!("the CNAME points at {target}, which does not exist: a takeover risk"),
            ));
        } else if self.dns_rcode.as_deref() == Some("NXDOMAIN") {
            notes.push(note(
                "dns",
                NoteLevel::Problem,
                format!("{} 不存在（NXDOMAIN）：网站无法访问", evidence.name),
                format!(
                    "{} does not exist (NXDOMAIN): the site is unreachable",
                    evidence.name
                ),
            ));
        } else if self.addresses.is_empty() {
            let rcode = self.dns_rcode.clone().unwrap_or_else(|| "-".to_owned());
            notes.push(note(
                "dns",
                NoteLevel::Warning,
                format!("{} 没有 A/AAAA 记录（{rcode}）", evidence.name),
                format!("{} has no A/AAAA records ({rcode})", evidence.name),
            ));
        } else {
            let list: Vec<String> = self.addresses.iter().map(ToString::to_string).collect();
            notes.push(note(
                "dns",
                NoteLevel::Ok,
                format!("解析到 {}", list.join(", ")),
                format!("resolves to {}", list.join(", ")),
            ));
        }
    }

    /// `personas` is the order the fetches were made in: a failed fetch carries no persona.
    fn read_http(
        &mut self,
        http: &[Timed<HttpEvidence>],
        personas: &[Persona],
        notes: &mut Vec<Note>,
    ) {
        for (fetch, persona) in http.iter().zip(personas) {
            let result = match &fetch.outcome {
                Outcome::Ok(page) => PersonaResult {
                    persona: page.persona,
                    status: Some(page.status),
                    final_url: Some(page.final_url.clone()),
                    title: page_title(&page.body),
                    failure: page.error.as_ref().map(ToString::to_string),
                },
                Outcome::Failed(failure) => PersonaResult {
                    persona: *persona,
                    status: None,
                    final_url: None,
                    title: None,
                    failure: Some(failure.to_string()),
                },
            };
            self.http.push(result);
        }
        let answered: Vec<&PersonaResult> =
            self.http.iter().filter(|r| r.status.is_some()).collect();
        let distinct: BTreeMap<(Option<&str>, Option<&str>), usize> =
            answered.iter().fold(BTreeMap::new(), |mut seen, result| {
                let key = (
                    result.final_url.as_ref().map(Url::as_str),
                    result.title.as_deref(),
                );
                *seen.entry(key).or_default() += 1;
                seen
            });
        self.personas_differ = distinct.len() > 1;
        if http.is_empty() {
            return;
        }
        if answered.is_empty() {
            // The persona that actually failed says more than the ones given up after it.
            let failure = http
                .iter()
                .filter_map(|fetch| fetch.outcome.failure())
                .min_by_key(|failure| matches!(failure, ProbeFailure::Network { .. }))
                .map(ToString::to_string)
                .unwrap_or_default();
            notes.push(note(
                "http",
                NoteLevel::Problem,
                format!("网站无法访问：{failure}"),
                format!("the site could not be fetched: {failure}"),
            ));
            return;
        }
        let statuses: Vec<String> = answered
            .iter()
            .filter_map(|r| r.status)
            .map(|s| s.to_string())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let all_ok = answered.iter().all(|r| r.status == Some(200));
        let level = if all_ok && answered.len() == http.len() {
            NoteLevel::Ok
        } else {
            NoteLevel::Warning
        };
        notes.push(note(
            "http",
            level,
            format!(
                "{}/{} 个访问身份得到应答，状态码 {}",
                answered.len(),
                http.len(),
                statuses.join(", ")
            ),
            format!(
                "{} of {} personas answered, status {}",
                answered.len(),
                http.len(),
                statuses.join(", ")
            ),
        ));
        if self.personas_differ {
            notes.push(note(
                "http",
                NoteLevel::Warning,
                "不同访问身份看到的最终网址或标题不同：可能存在蜘蛛或来路劫持".to_owned(),
                "personas ended on different URLs or titles: possible spider or referrer cloaking"
                    .to_owned(),
            ));
        }
    }

    fn read_tls(&mut self, tls: Option<&Timed<TlsEvidence>>, notes: &mut Vec<Note>) {
        let Some(tls) = tls else { return };
        match &tls.outcome {
            Outcome::Ok(facts) => {
                self.tls_verdict = Some(facts.verdict.clone());
                self.tls_days_left = Some(facts.days_left);
                let (level, zh, en) = match &facts.verdict {
                    TlsVerdict::Valid if facts.days_left <= 14 => (
                        NoteLevel::Warning,
                        format!("证书有效，但 {} 天后到期", facts.days_left),
                        format!("certificate valid but expires in {} days", facts.days_left),
                    ),
                    TlsVerdict::Valid => (
                        NoteLevel::Ok,
                        format!("证书有效，还剩 {} 天", facts.days_left),
                        format!("certificate valid, {} days left", facts.days_left),
                    ),
                    other => (
                        NoteLevel::Problem,
                        format!("证书无效（{}）", verdict_label(other)),
                        format!("certificate not valid ({})", verdict_label(other)),
                    ),
                };
                notes.push(note("tls", level, zh, en));
            }
            Outcome::Failed(failure) => notes.push(note(
                "tls",
                NoteLevel::Warning,
                format!("无法取得证书：{failure}"),
                format!("no certificate obtained: {failure}"),
            )),
        }
    }
}

/// The verdict's snake_case name.
pub fn verdict_label(verdict: &TlsVerdict) -> String {
    match verdict {
        TlsVerdict::Valid => "valid".to_owned(),
        TlsVerdict::Expired => "expired".to_owned(),
        TlsVerdict::NotYetValid => "not_yet_valid".to_owned(),
        TlsVerdict::SelfSigned => "self_signed".to_owned(),
        TlsVerdict::UnknownIssuer => "unknown_issuer".to_owned(),
        TlsVerdict::NameMismatch => "name_mismatch".to_owned(),
        TlsVerdict::Other(detail) => format!("other: {detail}"),
    }
}

fn note(probe: &'static str, level: NoteLevel, zh: String, en: String) -> Note {
    Note {
        probe,
        level,
        zh,
        en,
    }
}

/// Longest title kept, in characters: a stuffed title is evidence, but not all of it.
const MAX_TITLE_CHARS: usize = 200;

/// The text of the first `<title>`, whitespace collapsed. Attacker-controlled input: one
/// linear scan, no HTML parsing (the detection issue brings a real parser).
pub fn page_title(html: &str) -> Option<String> {
    // ASCII lowercasing keeps byte offsets, so positions found in `lower` index `html` too.
    let lower = html.to_ascii_lowercase();
    let mut from = 0;
    let open_end = loop {
        let found = from + lower.get(from..)?.find("<title")?;
        let after = found + "<title".len();
        match lower.as_bytes().get(after) {
            Some(b'>') | Some(b' ') | Some(b'\t') | Some(b'\n') | Some(b'\r') => {
                break after + lower.get(after..)?.find('>')? + 1;
            }
            _ => from = after,
        }
    };
    let close = open_end + lower.get(open_end..)?.find("</title")?;
    let text: String = html
        .get(open_end..close)?
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let text: String = text.chars().take(MAX_TITLE_CHARS).collect();
    (!text.is_empty()).then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_is_the_first_title_text() {
        assert_eq!(
            page_title("<html><head><TITLE lang=zh>\n  欢迎  光临 </title><title>two</title>"),
            Some("欢迎 光临".to_owned())
        );
        assert_eq!(page_title("<titles>x</titles>"), None);
        assert_eq!(page_title("<title>unclosed"), None);
        assert_eq!(page_title(""), None);
    }
}
