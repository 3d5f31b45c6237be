//! The fileable-TLD list (FACTS §3): overridable data, bundled from `data/tlds`.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use idna::uts46::{AsciiDenyList, DnsLength, Hyphens, Uts46};

const BUNDLED: &str = include_str!("../../../../data/tlds/fileable.txt");

/// TLDs accepted for new ICP filings (FACTS §3), as ASCII/punycode without the dot.
/// Seeded from a bundled list that may be outdated; operators can replace it. Not
/// fileable is a warning, never an error.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileableTlds {
    tlds: BTreeSet<String>,
}

/// Lower-case ASCII form of one TLD written as ".中国", "中国", "XN--FIQS8S" or "com".
fn ascii_tld(text: &str) -> Option<String> {
    let bare = text.trim().trim_start_matches('.');
    if bare.is_empty() || bare.contains('.') {
        return None;
    }
    Uts46::new()
        .to_ascii(
            bare.as_bytes(),
            AsciiDenyList::STD3,
            Hyphens::CheckFirstLast,
            DnsLength::Ignore,
        )
        .ok()
        .map(|a| a.into_owned())
}

impl FileableTlds {
    /// The list bundled from `data/tlds/fileable.txt` (Tencent 2019 Beijing list plus the
    /// IDN TLDs; see the README there).
    pub fn bundled() -> FileableTlds {
        static PARSED: LazyLock<FileableTlds> = LazyLock::new(|| FileableTlds::from_list(BUNDLED));
        PARSED.clone()
    }

    /// Reads one TLD per line; `#` starts a comment; Unicode or punycode; a leading dot
    /// is allowed. Lines that are not a single valid label are skipped.
    pub fn from_list(text: &str) -> FileableTlds {
        let tlds = text
            .lines()
            .filter_map(|line| ascii_tld(line.split('#').next().unwrap_or_default()))
            .collect();
        FileableTlds { tlds }
    }

    /// Whether `tld` (ASCII or punycode, any case, no dot; Unicode is converted) is listed.
    pub fn contains(&self, tld: &str) -> bool {
        if self.tlds.contains(tld) {
            return true;
        }
        ascii_tld(tld).is_some_and(|t| self.tlds.contains(&t))
    }

    pub fn len(&self) -> usize {
        self.tlds.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tlds.is_empty()
    }

    /// The TLDs in ASCII order.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.tlds.iter().map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_list_has_every_entry_of_the_sources() {
        let tlds = FileableTlds::bundled();
        assert_eq!(
            tlds.len(),
            92,
            "69 Tencent ASCII + .中国 + 22 QingCloud IDN"
        );
        for t in [
            "com",
            "cn",
            "net",
            "xn--fiqs8s",
            "xn--55qx5d",
            "top",
            "xyz",
            "tel",
        ] {
            assert!(tlds.contains(t), "{t}");
        }
        for t in ["io", "me", "hk", "tw", "org", "jp", "asia", "win"] {
            assert!(!tlds.contains(t), "{t}");
        }
        assert!(tlds.contains("中国") && tlds.contains(".公司") && tlds.contains("COM"));
    }

    #[test]
    fn punycode_entries_match_their_comments() {
        for line in BUNDLED.lines().filter(|l| l.starts_with("xn--")) {
            let (code, comment) = line
                .split_once('#')
                .expect("IDN lines carry their Unicode name");
            let unicode = comment
                .split_whitespace()
                .next()
                .expect("comment names the TLD");
            assert_eq!(ascii_tld(unicode).as_deref(), Some(code.trim()), "{line}");
        }
    }

    #[test]
    fn from_list_accepts_unicode_comments_and_dots() {
        let tlds = FileableTlds::from_list("# mine\n.中国\nCOM  # upper\n\nbad.entry\n");
        assert_eq!(tlds.iter().collect::<Vec<_>>(), vec!["com", "xn--fiqs8s"]);
    }
}
