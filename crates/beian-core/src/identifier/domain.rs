//! Domain names: UTS-46 (crate `idna`) for Chinese IDNs and `.中国`, the registrable
//! domain by the public suffix list (crate `psl`), and the fileable-TLD check of
//! FACTS §3 — a TLD that cannot be newly filed is a warning, never an error, because
//! legacy filings on such TLDs persist.

use std::net::{Ipv4Addr, Ipv6Addr};

use idna::uts46::{AsciiDenyList, DnsLength, Hyphens, Uts46};

use super::report::bilingual;
use super::{IdentifierKind, Validation, ValidationContext};

const MAX_NAME: usize = 253;
const MAX_LABEL: usize = 63;
/// Label separators UTS-46 maps to '.', for naming the offending label.
const SEPARATORS: [char; 4] = ['.', '\u{3002}', '\u{FF0E}', '\u{FF61}'];

/// Whether auto-detection should read `text` as a domain or URL.
pub(crate) fn looks_like(text: &str) -> bool {
    text.contains("://") || text.contains(SEPARATORS)
}

/// The host of a URL-ish text, and whether anything around it was removed.
///
/// Byte scans rather than `str` searches: every link around a footer number comes here,
/// and the substring searcher for "://" and the char-set search cost more than all the
/// rest of a link check. Every delimiter is ASCII, so each cut is on a char boundary. The
/// scheme test reads the scheme characters from the start: the first "://" follows a
/// valid scheme exactly when that run is not empty and "://" comes right after it.
pub(crate) fn host_of(text: &str) -> (&str, bool) {
    let mut rest = text;
    let mut stripped = false;
    let scheme_len = text
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
        .count();
    if scheme_len > 0 && text.as_bytes()[scheme_len..].starts_with(b"://") {
        rest = &text[scheme_len + 3..];
        stripped = true;
    } else if let Some(r) = text.strip_prefix("//")
        && !r.as_bytes().windows(3).any(|w| w == b"://")
    {
        // Only when the text holds no "://" at all: one after an invalid scheme leaves
        // the text as it is.
        rest = r;
        stripped = true;
    }
    // One pass up to the end of the authority finds the last '@' and, after it, the
    // colons: the port is cut only after the single colon of a non-bracketed host.
    let bytes = rest.as_bytes();
    let mut end = bytes.len();
    let mut last_at = None;
    let mut colons = 0;
    let mut last_colon = 0;
    for (i, b) in bytes.iter().enumerate() {
        match b {
            b'/' | b'?' | b'#' | b'\\' => {
                end = i;
                stripped = true;
                break;
            }
            b'@' => {
                last_at = Some(i);
                colons = 0;
            }
            b':' => {
                colons += 1;
                last_colon = i;
            }
            _ => {}
        }
    }
    let start = match last_at {
        Some(at) => {
            stripped = true;
            at + 1
        }
        None => 0,
    };
    rest = &rest[start..end];
    let bytes = rest.as_bytes();
    if bytes.first() == Some(&b'[') {
        if let Some(close) = bytes.iter().position(|b| *b == b']')
            && close + 1 < bytes.len()
        {
            rest = &rest[..=close];
            stripped = true;
        }
    } else if colons == 1 {
        let colon = last_colon - start;
        if bytes[colon + 1..].iter().all(u8::is_ascii_digit) {
            rest = &rest[..colon];
            stripped = true;
        }
    }
    (rest, stripped)
}

fn is_ip(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    bare.parse::<Ipv4Addr>().is_ok() || bare.parse::<Ipv6Addr>().is_ok()
}

/// Validates a domain name or URL (the host is taken from it).
pub fn validate_domain(input: &str, ctx: &ValidationContext) -> Validation {
    let (mut v, normalisation) = Validation::begin(input);
    v.report_normalisation(&normalisation);
    let text = v.normalised.clone();
    parse(&mut v, &text, ctx);
    v
}

pub(crate) fn parse(v: &mut Validation, text: &str, ctx: &ValidationContext) {
    v.recognise(IdentifierKind::Domain);
    let (host, stripped) = host_of(text);
    if stripped {
        v.note(
            "url_stripped",
            bilingual(
                format!("已从网址中取出主机名「{host}」"),
                "host taken from the URL",
            ),
        );
    }
    let host = match host.strip_suffix(SEPARATORS) {
        Some(h) if !h.is_empty() => {
            v.note(
                "trailing_dot",
                bilingual("已去掉末尾的点", "trailing root dot removed"),
            );
            h
        }
        _ => host,
    };
    if host.is_empty() {
        v.error(
            "domain_empty",
            bilingual("没有域名", "no domain name given"),
            Some(bilingual(
                "输入如 example.com 的域名",
                "enter a name such as example.com",
            )),
        );
        return;
    }
    if is_ip(host) {
        v.error(
            "ip_address",
            bilingual(
                format!("「{host}」是 IP 地址，不是域名"),
                format!("'{host}' is an IP address, not a domain name"),
            ),
            Some(bilingual(
                "填写网站的域名；仅用 IP 访问的网站同样需要备案",
                "enter the site's domain; sites reached by IP only still need filing",
            )),
        );
        return;
    }
    if let Some(at) = host.split(SEPARATORS).position(str::is_empty) {
        v.error(
            "domain_empty_label",
            bilingual(
                format!("「{host}」第 {} 段为空", at + 1),
                format!("label {} of '{host}' is empty", at + 1),
            ),
            Some(bilingual("去掉多余的点", "remove the extra dot")),
        );
        return;
    }
    let uts46 = Uts46::new();
    let ascii = match uts46.to_ascii(
        host.as_bytes(),
        AsciiDenyList::STD3,
        Hyphens::CheckFirstLast,
        DnsLength::Ignore,
    ) {
        Ok(a) => a.into_owned(),
        Err(_) => {
            let bad = host
                .split(SEPARATORS)
                .find(|label| {
                    uts46
                        .to_ascii(
                            label.as_bytes(),
                            AsciiDenyList::STD3,
                            Hyphens::CheckFirstLast,
                            DnsLength::Ignore,
                        )
                        .is_err()
                })
                .unwrap_or(host);
            v.error(
                "domain_invalid_label",
                bilingual(
                    format!("「{bad}」不是有效的域名标签"),
                    format!("'{bad}' is not a valid domain label"),
                ),
                Some(bilingual(
                    "标签只能含字母、数字、连字符（不在首尾）或中文等文字",
                    "labels are letters, digits and inner hyphens (or IDN characters)",
                )),
            );
            return;
        }
    };
    if let Some(long) = ascii.split('.').find(|l| l.len() > MAX_LABEL) {
        v.error(
            "domain_label_too_long",
            bilingual(
                format!("标签「{long}」超过 63 个字符"),
                format!("label '{long}' is longer than 63 characters"),
            ),
            Some(bilingual("缩短该标签", "shorten the label")),
        );
        return;
    }
    if ascii.len() > MAX_NAME {
        v.error(
            "domain_too_long",
            bilingual(
                format!("域名长 {} 个字符，超过 253", ascii.len()),
                format!("the name has {} characters, more than 253", ascii.len()),
            ),
            None,
        );
        return;
    }
    let labels: Vec<&str> = ascii.split('.').collect();
    let tld = labels.last().copied().unwrap_or_default().to_string();
    if labels.len() < 2 {
        v.error(
            "domain_single_label",
            bilingual(
                format!("「{host}」只有一段，不是完整域名"),
                format!("'{host}' is a single label, not a full domain"),
            ),
            Some(bilingual(
                "填写完整域名，如 example.com",
                "enter a full name such as example.com",
            )),
        );
        return;
    }
    if tld.bytes().all(|b| b.is_ascii_digit()) {
        v.error(
            "domain_numeric_tld",
            bilingual(
                format!("顶级域「{tld}」全是数字"),
                format!("the TLD '{tld}' is all digits"),
            ),
            Some(bilingual(
                "检查是否是 IP 地址",
                "check whether this is an IP address",
            )),
        );
        return;
    }
    let Some(registrable) = psl::domain_str(&ascii) else {
        v.error(
            "domain_public_suffix",
            bilingual(
                format!("「{ascii}」本身是公共后缀，不能注册或备案"),
                format!("'{ascii}' is itself a public suffix"),
            ),
            Some(bilingual(
                "填写在该后缀下注册的域名",
                "enter a domain registered under it",
            )),
        );
        return;
    };
    let suffix = psl::suffix(ascii.as_bytes());
    let suffix_text = suffix
        .and_then(|s| std::str::from_utf8(s.as_bytes()).ok())
        .unwrap_or(&tld)
        .to_string();
    if !suffix.is_some_and(|s| s.is_known()) {
        v.warn(
            "tld_unknown",
            bilingual(
                format!("顶级域「{tld}」不在公共后缀列表中"),
                format!("the TLD '{tld}' is not in the public suffix list"),
            ),
            Some(bilingual("检查拼写", "check the spelling")),
        );
    }
    let (unicode, _) = uts46.to_unicode(
        ascii.as_bytes(),
        AsciiDenyList::STD3,
        Hyphens::CheckFirstLast,
    );
    let unicode = unicode.into_owned();
    if !ctx.fileable_tlds.contains(&tld) {
        let tld_unicode = unicode.rsplit('.').next().unwrap_or(&tld);
        v.warn(
            "tld_not_fileable",
            bilingual(
                format!("顶级域「.{tld_unicode}」不在可备案后缀列表中：不能新备案，已有的旧备案可能仍然存在"),
                format!("'.{tld_unicode}' is not on the fileable-TLD list: cannot be newly filed; an existing legacy filing may persist"),
            ),
            Some(bilingual(
                "新网站请使用工信部批准的后缀（如 .cn .com .net .中国）；列表可能过时，可在配置中覆盖",
                "use an MIIT-approved TLD for new sites; the list may be outdated and can be overridden",
            )),
        );
    }
    let own_labels = unicode
        .strip_suffix(&format!(
            ".{}",
            unicode.rsplit('.').next().unwrap_or_default()
        ))
        .unwrap_or(&unicode);
    if own_labels.contains("中国") || own_labels.contains("国家") {
        v.note(
            "state_words",
            bilingual(
                "域名含「中国」或「国家」：非国家机关主体不能以此备案",
                "the name contains 中国/国家: only state bodies may file it",
            ),
        );
    }

    v.canonical = Some(ascii.clone());
    v.add_part("ascii", ascii.clone());
    v.add_part("unicode", unicode);
    v.add_part("registrable", registrable);
    v.add_part("suffix", suffix_text);
    v.add_part("tld", tld);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `host_of` as first written with `str` searches: the byte scans must answer alike.
    fn host_of_reference(text: &str) -> (&str, bool) {
        let mut rest = text;
        let mut stripped = false;
        if let Some(at) = rest.find("://") {
            let scheme = &rest[..at];
            if !scheme.is_empty()
                && scheme
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
            {
                rest = &rest[at + 3..];
                stripped = true;
            }
        } else if let Some(r) = rest.strip_prefix("//") {
            rest = r;
            stripped = true;
        }
        if let Some(end) = rest.find(['/', '?', '#', '\\']) {
            rest = &rest[..end];
            stripped = true;
        }
        if let Some(at) = rest.rfind('@') {
            rest = &rest[at + 1..];
            stripped = true;
        }
        if rest.starts_with('[') {
            if let Some(end) = rest.find(']')
                && end + 1 < rest.len()
            {
                rest = &rest[..=end];
                stripped = true;
            }
        } else if let Some(colon) = rest.rfind(':')
            && rest[..colon].find(':').is_none()
            && rest[colon + 1..].bytes().all(|b| b.is_ascii_digit())
        {
            rest = &rest[..colon];
            stripped = true;
        }
        (rest, stripped)
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4000))]

        #[test]
        fn host_of_matches_the_str_searches(
            text in "(https?|HTTP|a+b|1|-|\\.|://|:/|//|/|:|\\?|#|\\\\|@|\\[|\\]|::1|[0-9]{1,5}|beian\\.miit\\.gov\\.cn|京|é| |\\PC){0,12}"
        ) {
            proptest::prop_assert_eq!(host_of(&text), host_of_reference(&text));
        }
    }

    #[test]
    fn url_hosts() {
        assert_eq!(host_of("http://a.com/x"), ("a.com", true));
        assert_eq!(host_of("https://user:pw@a.com:8443/x?y#z"), ("a.com", true));
        assert_eq!(host_of("a.com:80"), ("a.com", true));
        assert_eq!(host_of("a.com"), ("a.com", false));
        assert_eq!(host_of("//a.com/"), ("a.com", true));
        assert_eq!(host_of("[::1]:80"), ("[::1]", true));
    }
}
