//! Rule settings: defaults, every key optional, bad values refused naming the key.

use beian_core::finding::Severity;
use beian_core::lifecycle::TldTimeline;
use beian_core::rules::{RuleSettings, RuleSettingsError, ids, judge};

use super::{healthy, of};

fn refused(text: &str) -> String {
    RuleSettings::from_toml(text)
        .expect_err(&format!("should be refused: {text}"))
        .to_string()
}

#[test]
fn empty_table_gives_the_defaults() {
    let settings = RuleSettings::from_toml("").expect("empty is valid");
    assert_eq!(settings, RuleSettings::default());
    assert_eq!(settings.expiry_days, vec![90, 30, 7]);
    assert_eq!(
        (
            settings.psb_due_days,
            settings.psb_warn_days,
            settings.tls_warn_days
        ),
        (30, 10, 14)
    );
    assert_eq!(settings.lifecycle.tld["cn"], TldTimeline::CN);
    assert!(settings.validate().is_ok());
}

#[test]
fn every_key_can_be_set() {
    let settings = RuleSettings::from_toml(
        r#"
expiry_days = [60, 14]
tls_warn_days = 21
psb_due_days = 30
psb_warn_days = 5
content_min_confidence = 0.7
fileable_tlds = ["com", ".中国", "io"]
[severity]
"dns.a_changed" = "info"
[lifecycle.tld.cn]
redemption_days = 20
"#,
    )
    .expect("valid");
    assert_eq!(settings.expiry_days, vec![60, 14]);
    assert_eq!(settings.severity["dns.a_changed"], Severity::Info);
    assert_eq!(settings.lifecycle.tld["cn"].redemption_days, 20);
    assert_eq!(settings.lifecycle.tld["cn"].grace_days, 30);
    assert!(settings.fileable_tlds.contains("xn--fiqs8s") && settings.fileable_tlds.contains("io"));
    assert!(!settings.fileable_tlds.contains("cn"));
    assert_eq!(settings.expiry_severity(61), None);
    assert_eq!(settings.expiry_severity(60), Some(Severity::Low));
    assert_eq!(settings.expiry_severity(14), Some(Severity::Medium));
}

#[test]
fn unknown_rule_ids_and_keys_are_named() {
    let message = refused("[severity]\n\"domain.expire\" = \"high\"\n");
    assert!(message.contains("domain.expire"), "{message}");
    assert!(
        message.contains("domain.expiring"),
        "suggests the rules of that area: {message}"
    );
    let message = refused("[severity]\n\"nonsense\" = \"high\"\n");
    assert!(
        message.contains("nonsense") && message.contains("footer"),
        "{message}"
    );
    let message = refused("expiry_thresholds = [1]\n");
    assert!(message.contains("expiry_thresholds"), "{message}");
}

#[test]
fn bad_values_are_refused_with_the_key_and_the_fix() {
    for (text, key) in [
        ("[severity]\n\"tls.invalid\" = \"urgent\"\n", "urgent"),
        ("expiry_days = [7, 30, 90]\n", "expiry_days"),
        ("expiry_days = []\n", "expiry_days"),
        ("expiry_days = [120, 90, 30, 7]\n", "expiry_days"),
        ("expiry_days = [30, -1]\n", "expiry_days"),
        ("tls_warn_days = -1\n", "tls_warn_days"),
        ("psb_due_days = 0\n", "psb_due_days"),
        ("psb_warn_days = 30\n", "psb_warn_days"),
        ("content_min_confidence = 1.5\n", "content_min_confidence"),
        ("fileable_tlds = [\"com\", \"a.b\"]\n", "a.b"),
        (
            "[lifecycle.default]\nredemption_days = 9999\n",
            "redemption_days",
        ),
    ] {
        let message = refused(text);
        assert!(message.contains(key), "{text}: {message}");
        assert!(message.contains(" / "), "Chinese then English: {message}");
    }
}

#[test]
fn validate_rechecks_settings_edited_in_code() {
    let mut settings = RuleSettings::default();
    settings
        .severity
        .insert("footer.icp".to_owned(), Severity::Low);
    assert!(matches!(
        settings.validate(),
        Err(RuleSettingsError::UnknownRule { .. })
    ));
    let settings = RuleSettings {
        expiry_days: vec![],
        ..RuleSettings::default()
    };
    assert!(matches!(
        settings.validate(),
        Err(RuleSettingsError::BadExpiryDays { .. })
    ));
    // Judging with broken settings still does not panic.
    let mut facts = healthy();
    facts.website.go_live_on = None;
    let _ = judge(&facts, &settings);
}

#[test]
fn content_threshold_and_fileable_list_change_what_fires() {
    let mut facts = healthy();
    super::web(&mut facts).signals = vec![super::signal("cloaking", "spider_differs", 0.6)];
    let strict = RuleSettings::from_toml("content_min_confidence = 0.8\n").expect("valid");
    assert!(of(&judge(&facts, &strict), ids::CONTENT_CLOAKING).is_empty());
    assert_eq!(
        of(
            &judge(&facts, &RuleSettings::default()),
            ids::CONTENT_CLOAKING
        )
        .len(),
        1
    );

    let settings = RuleSettings::from_toml("fileable_tlds = [\"cn\"]\n").expect("valid");
    let drafts = judge(&healthy(), &settings);
    assert_eq!(
        of(&drafts, ids::DOMAIN_TLD_NOT_FILEABLE).len(),
        1,
        ".com is off this list"
    );
}
