//! Link rules of FACTS §1.5 that need more than the number: V9 (a PSB number's link
//! carries the same 14 digits and points at the MPS platform), V10 (an ICP number links
//! to beian.miit.gov.cn) and V11 (ICP and PSB prefixes of one site differ: info only).

use super::domain::host_of;
use super::report::bilingual;
use super::{IdentifierKind, Issue, IssueSeverity, Validation};

const PSB_HOSTS: [&str; 2] = ["beian.mps.gov.cn", "www.beian.gov.cn"];
const ICP_HOST: &str = "beian.miit.gov.cn";
const OBSOLETE_ICP_HOSTS: [&str; 4] = [
    "miibeian.gov.cn",
    "www.miibeian.gov.cn",
    "miitbeian.gov.cn",
    "www.miitbeian.gov.cn",
];

fn issue(
    severity: IssueSeverity,
    code: &'static str,
    message: String,
    hint: Option<String>,
) -> Issue {
    Issue {
        severity,
        code,
        message,
        hint,
    }
}

/// The host of a link as written (trimmed); compare it with [`is_host`], and lower-case it
/// only for a message: nearly every link is right, and then nothing is allocated.
fn link_host(href: &str) -> &str {
    host_of(href.trim()).0
}

/// Whether `host` lower-cased is `expected` (ASCII lower case, as all known hosts are).
fn is_host(host: &str, expected: &str) -> bool {
    host.eq_ignore_ascii_case(expected)
}

/// The digits after `code=` or `recordcode=` anywhere in the link (the current platform
/// puts them in the fragment: `#/query/webSearch?code=…`), the keys read ignoring ASCII
/// case; the first `recordcode=` wins over any `code=`. Both keys end in '=', which is rare
/// in a link: one pass compares only the text before each '=' (no lower-cased copy, no
/// search of every position).
fn link_code(href: &str) -> Option<&str> {
    let bytes = href.as_bytes();
    let key_before = |equals: usize, key: &str| {
        equals >= key.len()
            && bytes[equals - key.len()..equals].eq_ignore_ascii_case(key.as_bytes())
    };
    let mut first_code = None;
    let mut record_code = None;
    for (equals, _) in bytes.iter().enumerate().filter(|(_, b)| **b == b'=') {
        if key_before(equals, "recordcode") {
            record_code = Some(equals);
            break;
        }
        if first_code.is_none() && key_before(equals, "code") {
            first_code = Some(equals);
        }
    }
    // '=' is ASCII, so the byte after it starts a char.
    let rest = href.get(record_code.or(first_code)? + 1..)?;
    let end = rest
        .bytes()
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(rest.len());
    Some(&rest[..end])
}

/// The current platform's query link for a valid 14-digit PSB number.
pub fn psb_link(psb: &Validation) -> Option<String> {
    let serial = psb.part("serial").filter(|s| s.len() == 14)?;
    (psb.kind == Some(IdentifierKind::Psb))
        .then(|| format!("https://beian.mps.gov.cn/#/query/webSearch?code={serial}"))
}

/// V9: the link of a displayed PSB number.
pub fn check_psb_link(psb: &Validation, href: &str) -> Vec<Issue> {
    let mut issues = Vec::new();
    let host = link_host(href);
    if !PSB_HOSTS.iter().any(|known| is_host(host, known)) {
        let host = host.to_ascii_lowercase();
        issues.push(issue(
            IssueSeverity::Error,
            "V9",
            bilingual(
                format!("公网安备号链接到了「{host}」"),
                format!("the PSB number links to '{host}'"),
            ),
            Some(bilingual(
                "链接到 https://beian.mps.gov.cn/#/query/webSearch?code=<14 位号码>",
                "link to https://beian.mps.gov.cn/#/query/webSearch?code=<14 digits>",
            )),
        ));
    }
    let shown = psb.part("serial").unwrap_or_default();
    match link_code(href) {
        Some(code) if code == shown => {}
        found => {
            let code = found.unwrap_or("");
            issues.push(issue(
                IssueSeverity::Error,
                "V9",
                bilingual(
                    format!("链接中的号码「{code}」与显示的「{shown}」不一致"),
                    format!("the link's code '{code}' differs from the displayed '{shown}'"),
                ),
                Some(bilingual(
                    "从平台重新复制备案编号 HTML 代码",
                    "copy the filing HTML code from the platform again",
                )),
            ));
        }
    }
    issues
}

/// V10: the link of a displayed ICP number.
pub fn check_icp_link(href: &str) -> Vec<Issue> {
    let host = link_host(href);
    if is_host(host, ICP_HOST) {
        return Vec::new();
    }
    let host = host.to_ascii_lowercase();
    let message = if OBSOLETE_ICP_HOSTS.contains(&host.as_str()) {
        bilingual(
            format!("「{host}」是已停用的旧备案系统地址"),
            format!("'{host}' is the obsolete filing-system host"),
        )
    } else {
        bilingual(
            format!("备案号链接到了「{host}」"),
            format!("the ICP number links to '{host}'"),
        )
    };
    vec![issue(
        IssueSeverity::Warning,
        "V10",
        message,
        Some(bilingual(
            "链接到 https://beian.miit.gov.cn/",
            "link to https://beian.miit.gov.cn/",
        )),
    )]
}

/// V11: a site's ICP number and PSB number name different provinces (seen in real
/// footers, e.g. 京ICP备 with 贵公网安备): worth knowing, not wrong.
pub fn check_prefix_pair(icp: &Validation, psb: &Validation) -> Option<Issue> {
    let icp_code = icp.part("province_code")?;
    let psb_code = psb.part("province_code")?;
    (icp_code != psb_code).then(|| {
        issue(
            IssueSeverity::Info,
            "V11",
            bilingual(
                format!("ICP 备案省份（{icp_code}）与公安备案省份（{psb_code}）不同"),
                format!(
                    "the ICP filing province ({icp_code}) differs from the PSB one ({psb_code})"
                ),
            ),
            None,
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_in_links() {
        assert_eq!(
            link_code("https://beian.mps.gov.cn/#/query/webSearch?code=44030002017573"),
            Some("44030002017573")
        );
        assert_eq!(
            link_code(
                "http://www.beian.gov.cn/portal/registerSystemInfo?recordcode=33010802013307&x=1"
            ),
            Some("33010802013307")
        );
        assert_eq!(link_code("https://beian.mps.gov.cn/"), None);
        assert_eq!(
            link_code("HTTP://WWW.BEIAN.GOV.CN/?RecordCode=33010802013307"),
            Some("33010802013307")
        );
        assert_eq!(link_code("?CODE=1&recordcode=2"), Some("2"));
        assert_eq!(link_code("cod"), None);
    }

    /// `link_code` as first written, on a lower-cased copy: the in-place search must
    /// find the same digits.
    fn link_code_reference(href: &str) -> Option<&str> {
        let lower = href.to_ascii_lowercase();
        let at = ["recordcode=", "code="]
            .iter()
            .find_map(|key| lower.find(key).map(|i| i + key.len()))?;
        let rest = href.get(at..)?;
        let end = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        Some(&rest[..end])
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]

        #[test]
        fn link_code_matches_the_lower_cased_search(
            href in "(code=|CODE=|recordcode=|RecordCode=|cOdE|record|=|[0-9]{1,14}|&|#|\\?|/|İ|K|京|[a-z]{1,4}){0,8}"
        ) {
            proptest::prop_assert_eq!(link_code(&href), link_code_reference(&href));
        }

        #[test]
        fn hosts_compare_as_lower_cased(host in "(beian|BEIAN|Beian|miit|MIIT|mps|\\.|gov|cn|GOV|CN|www|İ|K|京){0,8}") {
            let lower = host.to_ascii_lowercase();
            proptest::prop_assert_eq!(is_host(&host, ICP_HOST), lower == ICP_HOST);
            proptest::prop_assert_eq!(
                PSB_HOSTS.iter().any(|known| is_host(&host, known)),
                PSB_HOSTS.contains(&lower.as_str())
            );
        }
    }
}
