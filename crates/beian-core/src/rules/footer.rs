//! Footer rules (FACTS §2.2): the home page shows the site's ICP number linked to
//! beian.miit.gov.cn (292号令 Art 12, 33号令 Art 13) and its PSB number linked to its
//! beian.mps.gov.cn query page. Judged only when the page was reachable and the inventory
//! holds the numbers to compare with.

use std::collections::BTreeMap;

use serde_json::json;

use super::{Drafts, SiteView, ids};
use crate::facts::FooterFact;
use crate::finding::Severity;
use crate::model::{Filing, FilingKind, FilingStatus};

/// ICP or PSB: the two families of footer rules differ only in kinds, ids and words.
struct Family {
    kinds: &'static [FilingKind],
    missing: &'static str,
    mismatch: &'static str,
    link: &'static str,
    missing_severity: Severity,
    mismatch_severity: Severity,
    link_severity: Severity,
    name_zh: &'static str,
    name_en: &'static str,
    /// Where the number must link; `{code}` is replaced by the number's digits.
    link_target: &'static str,
}

const ICP: Family = Family {
    kinds: &[
        FilingKind::IcpWebsite,
        FilingKind::IcpSubject,
        FilingKind::IcpLicence,
    ],
    missing: ids::FOOTER_ICP_MISSING,
    mismatch: ids::FOOTER_ICP_MISMATCH,
    link: ids::FOOTER_ICP_LINK,
    missing_severity: Severity::High,
    mismatch_severity: Severity::High,
    link_severity: Severity::Medium,
    name_zh: "ICP备案号",
    name_en: "ICP number",
    link_target: "https://beian.miit.gov.cn/",
};

const PSB: Family = Family {
    kinds: &[FilingKind::Psb],
    missing: ids::FOOTER_PSB_MISSING,
    mismatch: ids::FOOTER_PSB_MISMATCH,
    link: ids::FOOTER_PSB_LINK,
    missing_severity: Severity::Medium,
    mismatch_severity: Severity::Medium,
    link_severity: Severity::Low,
    name_zh: "公安联网备案号",
    name_en: "PSB number",
    link_target: "https://beian.mps.gov.cn/#/query/webSearch?code={code}",
};

pub(super) fn judge(site: &SiteView, drafts: &mut Drafts) {
    let Some(web) = site.web() else {
        return;
    };
    if !web.reachable {
        return;
    }
    for family in [&ICP, &PSB] {
        judge_family(site, family, &web.url, &web.footer, drafts);
    }
}

fn judge_family(
    site: &SiteView,
    family: &Family,
    url: &str,
    footer: &[FooterFact],
    drafts: &mut Drafts,
) {
    let site_id = site.facts.website.id;
    let in_family = |filing: &&Filing| family.kinds.contains(&filing.kind);
    // The numbers this site must show: its own active website-level filings.
    let expected: Vec<&Filing> = site
        .site_filings()
        .filter(in_family)
        .filter(|filing| {
            filing.status == FilingStatus::Active && filing.website_id == Some(site_id)
        })
        .filter(|filing| filing.kind != FilingKind::IcpSubject)
        .collect();
    if expected.is_empty() {
        return;
    }
    // The numbers it may show: any live number of the site or its subject (Guangdong
    // has long preferred the subject number, FACTS §2.2).
    let accepted: Vec<&Filing> = site
        .site_filings()
        .filter(in_family)
        .filter(|filing| filing.status != FilingStatus::Cancelled)
        .collect();
    let expected_numbers: Vec<&str> = expected
        .iter()
        .map(|filing| filing.number.as_str())
        .collect();
    let shown: BTreeMap<&str, &FooterFact> = footer
        .iter()
        .filter(|fact| family.kinds.contains(&fact.kind))
        .map(|fact| (fact.number.as_str(), fact))
        .collect();
    if shown.is_empty() {
        drafts.push(
            family.missing,
            "",
            family.missing_severity,
            (
                format!(
                    "{url} 首页底部没有找到{}；备案记录为 {}。",
                    family.name_zh,
                    expected_numbers.join("、")
                ),
                format!(
                    "No {} was found in the footer of {url}; the record says {}.",
                    family.name_en,
                    expected_numbers.join(", ")
                ),
            ),
            json!({ "url": url, "expected": expected_numbers, "found": [] }),
        );
        return;
    }
    for (number, fact) in shown {
        let known = accepted.iter().any(|filing| filing.number == number);
        if !known {
            let cancelled =
                site.facts.filings.iter().any(|filing| {
                    filing.number == number && filing.status == FilingStatus::Cancelled
                });
            let (note_zh, note_en) = if cancelled {
                ("（该编号已注销）", " (that number is cancelled)")
            } else {
                ("", "")
            };
            drafts.push(
                family.mismatch,
                number,
                family.mismatch_severity,
                (
                    format!(
                        "{url} 页脚显示的{} {number}{note_zh} 与备案记录 {} 不符。",
                        family.name_zh,
                        expected_numbers.join("、")
                    ),
                    format!(
                        "The footer of {url} shows {} {number}{note_en}, which differs from the record {}.",
                        family.name_en,
                        expected_numbers.join(", ")
                    ),
                ),
                json!({
                    "url": url,
                    "found": number,
                    "expected": expected_numbers,
                    "cancelled": cancelled,
                    "link": fact.link,
                }),
            );
        } else if !fact.link_ok {
            let link = fact.link.as_deref().unwrap_or("");
            let code: String = number.chars().filter(char::is_ascii_digit).collect();
            let target = family.link_target.replace("{code}", &code);
            let (shown_zh, shown_en) = if link.is_empty() {
                ("没有链接".to_owned(), "is not linked".to_owned())
            } else {
                (format!("链接到 {link}"), format!("links to {link}"))
            };
            drafts.push(
                family.link,
                number,
                family.link_severity,
                (
                    format!(
                        "{url} 页脚的{} {number} {shown_zh}，应链接到 {target}。",
                        family.name_zh
                    ),
                    format!(
                        "{} {number} in the footer of {url} {shown_en}; it must link to {target}.",
                        family.name_en
                    ),
                ),
                json!({ "url": url, "number": number, "link": fact.link, "expected_link": target }),
            );
        }
    }
}
