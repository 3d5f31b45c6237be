//! Domain names: IDNs, the public suffix list, the fileable-TLD warning, URLs.

use super::*;

// ---------------------------------------------------------------- domains

fn domain(input: &str) -> Validation {
    identifier::validate_domain(input, &ctx())
}

#[test]
fn chinese_idns() {
    let v = domain("你好.中国");
    assert!(v.is_valid(), "{}", explain(&v));
    assert_eq!(v.canonical.as_deref(), Some("xn--6qq79v.xn--fiqs8s"));
    assert_eq!(v.part("unicode"), Some("你好.中国"));
    assert_eq!(v.part("tld"), Some("xn--fiqs8s"));
    let back = domain("xn--6qq79v.xn--fiqs8s");
    assert_eq!(back.part("unicode"), Some("你好.中国"));
    let v = domain("例子.公司");
    assert!(v.is_valid() && v.warnings().count() == 0, "{}", explain(&v));
    assert_eq!(v.part("tld"), Some("xn--55qx5d"));
    assert_eq!(identifier::validate("你好.中国", &ctx()).kind, Some(Domain));
}

#[test]
fn ascii_domains() {
    let v = domain("EXAMPLE.COM.");
    assert!(v.is_valid() && v.warnings().count() == 0, "{}", explain(&v));
    assert_eq!(v.canonical.as_deref(), Some("example.com"));
    let v = domain("www.example.com.cn");
    assert_eq!(v.part("registrable"), Some("example.com.cn"));
    assert_eq!(v.part("suffix"), Some("com.cn"));
    assert_eq!(v.part("tld"), Some("cn"));
    let v = domain("example.io");
    assert!(v.is_valid(), "not fileable is never an error");
    assert!(v.warnings().any(|w| w.code == "tld_not_fileable"));
    let v = domain("http://a.com/x");
    assert!(
        v.is_valid() && v.has_issue("url_stripped"),
        "{}",
        explain(&v)
    );
    assert_eq!(v.canonical.as_deref(), Some("a.com"));
    let v = domain("https://user@www.example.com:8443/path?q#f");
    assert_eq!(v.canonical.as_deref(), Some("www.example.com"));
}

#[test]
fn custom_fileable_list() {
    let mut c = ctx();
    c.fileable_tlds = FileableTlds::from_list("io\n");
    let v = identifier::validate_domain("example.io", &c);
    assert!(v.is_valid() && !v.has_issue("tld_not_fileable"));
    assert!(identifier::validate_domain("example.com", &c).has_issue("tld_not_fileable"));
}

#[test]
fn invalid_domains() {
    let cases = [
        ("1.2.3.4", "ip_address"),
        ("http://[::1]:8080/", "ip_address"),
        ("a..com", "domain_empty_label"),
        (".com", "domain_empty_label"),
        ("-a.com", "domain_invalid_label"),
        ("a_b.com", "domain_invalid_label"),
        ("localhost", "domain_single_label"),
        ("com.cn", "domain_public_suffix"),
        ("", "domain_empty"),
    ];
    for (input, code) in cases {
        let v = domain(input);
        assert!(
            !v.is_valid() && v.has_issue(code),
            "{input}: {}",
            explain(&v)
        );
    }
    let long_label = format!("{}.com", "a".repeat(64));
    assert!(domain(&long_label).has_issue("domain_label_too_long"));
    let long_name = format!("{}com", "abcdefghi.".repeat(26));
    assert!(domain(&long_name).has_issue("domain_too_long"));
}
