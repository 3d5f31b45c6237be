//! Domain lifecycle phases and the earliest re-registration date, table-driven around the
//! phase boundaries of the gTLD (.com) and CNNIC (.cn) timelines of FACTS §4.

use beian_core::facts::{RegistrationFacts, RegistrationObservation};
use beian_core::lifecycle::{LifecyclePhase, LifecycleSettings, TldTimeline, assess};
use chrono::{Days, NaiveDate};

const EXPIRY: &str = "2026-01-31";

fn d(text: &str) -> NaiveDate {
    text.parse().expect("test date")
}

fn plus(date: NaiveDate, days: u64) -> NaiveDate {
    date.checked_add_days(Days::new(days))
        .expect("date in range")
}

fn minus(date: NaiveDate, days: u64) -> NaiveDate {
    date.checked_sub_days(Days::new(days))
        .expect("date in range")
}

fn registered(expires: NaiveDate, statuses: &[&str]) -> RegistrationObservation {
    RegistrationObservation::Registered(RegistrationFacts {
        source: "whois".to_owned(),
        created_on: Some(d("2014-04-01")),
        expires_on: Some(expires),
        updated_on: None,
        statuses: statuses.iter().map(|status| (*status).to_owned()).collect(),
        registrar: Some("registrar".to_owned()),
        registrant: Some("北京示例科技有限公司".to_owned()),
        nameservers: vec![],
    })
}

use LifecyclePhase::{Active, ExpiredGrace, PendingDelete, Redemption};

/// (domain, days after expiry (negative: before), statuses, phase, earliest re-registration
/// as days after expiry).
type Row = (
    &'static str,
    i64,
    &'static [&'static str],
    LifecyclePhase,
    i64,
);

const DATE_ONLY: &[&str] = &[];
const LOCKED: &[&str] = &["client transfer prohibited"];

#[rustfmt::skip]
const ROWS: &[Row] = &[
    // .com: 45 days grace, registrar may delete from day 0, 30 redemption, 5 pending delete.
    ("example.com", -1, DATE_ONLY, Active, 35),
    ("example.com", 0, DATE_ONLY, ExpiredGrace, 35),
    ("example.com", 10, DATE_ONLY, ExpiredGrace, 35),
    // Past the earliest possible drop while still registered: never predict the past.
    ("example.com", 44, DATE_ONLY, ExpiredGrace, 44),
    ("example.com", 45, DATE_ONLY, Redemption, 45),
    ("example.com", 74, DATE_ONLY, Redemption, 74),
    ("example.com", 75, DATE_ONLY, PendingDelete, 75),
    ("example.com", 79, DATE_ONLY, PendingDelete, 79),
    ("example.com", 200, DATE_ONLY, PendingDelete, 200),
    // Non-deletion statuses seen today: redemption cannot start before today.
    ("example.com", 10, LOCKED, ExpiredGrace, 45),
    ("example.com", 50, &["pending delete", "redemption period"], Redemption, 55),
    ("example.com", 20, &["redemptionPeriod https://icann.org/epp#redemptionPeriod"], Redemption, 35),
    ("example.com", 40, &["pending restore"], Redemption, 45),
    ("example.com", 77, &["pendingDelete"], PendingDelete, 77),
    ("example.com", 30, &["pendingDelete"], PendingDelete, 35),
    // .cn: 30 days renewal, deletion from day 30, 15 redemption, then deleted any time.
    ("example.cn", -1, DATE_ONLY, Active, 45),
    ("example.cn", 0, DATE_ONLY, ExpiredGrace, 45),
    ("example.cn", 29, DATE_ONLY, ExpiredGrace, 45),
    ("example.cn", 29, LOCKED, ExpiredGrace, 45),
    ("example.cn", 30, DATE_ONLY, Redemption, 45),
    ("example.cn", 44, DATE_ONLY, Redemption, 45),
    ("example.cn", 45, DATE_ONLY, PendingDelete, 45),
    ("example.cn", 46, DATE_ONLY, PendingDelete, 46),
    ("example.cn", 35, &["redemption period"], Redemption, 45),
    ("example.cn", 50, &["pendingDelete"], PendingDelete, 50),
    // Second-level .cn names and .中国 follow CNNIC's timeline.
    ("shop.com.cn", 30, DATE_ONLY, Redemption, 45),
    ("xn--fiqs8s", 0, DATE_ONLY, ExpiredGrace, 45),
    ("example.xn--fiqs8s", 44, DATE_ONLY, Redemption, 45),
];

#[test]
fn phases_and_earliest_dates_around_the_boundaries() {
    let settings = LifecycleSettings::default();
    let expiry = d(EXPIRY);
    for (domain, offset, statuses, phase, earliest) in ROWS {
        let today = if *offset < 0 {
            minus(expiry, offset.unsigned_abs())
        } else {
            plus(expiry, offset.unsigned_abs())
        };
        let lifecycle = assess(
            &registered(expiry, statuses),
            None,
            domain,
            &settings,
            today,
        );
        let row = format!("{domain} day {offset} {statuses:?}");
        assert_eq!(
            lifecycle.phase, *phase,
            "{row}: {}",
            lifecycle.explanation_en
        );
        assert_eq!(lifecycle.expires_on, Some(expiry), "{row}");
        assert_eq!(lifecycle.days_since_expiry, Some(*offset), "{row}");
        assert_eq!(
            lifecycle.earliest_reregistration,
            Some(plus(expiry, earliest.unsigned_abs())),
            "{row}"
        );
        assert!(!lifecycle.explanation_zh.is_empty() && !lifecycle.explanation_en.is_empty());
    }
}

#[test]
fn auto_renew_moves_the_lapse_date_back_a_year() {
    let settings = LifecycleSettings::default();
    // The registry auto-renewed on 2026-01-31 and already shows 2027-01-31.
    let observation = registered(d("2027-01-31"), &["auto renew period"]);
    let lifecycle = assess(
        &observation,
        None,
        "example.com",
        &settings,
        d("2026-02-10"),
    );
    assert_eq!(lifecycle.phase, ExpiredGrace);
    assert_eq!(lifecycle.expires_on, Some(d("2026-01-31")));
    assert_eq!(lifecycle.days_since_expiry, Some(10));
    // Not deleted as of today: redemption from today at the earliest, +30 +5.
    assert_eq!(lifecycle.earliest_reregistration, Some(d("2026-03-17")));
}

#[test]
fn not_registered_is_dropped_and_available_today() {
    let settings = LifecycleSettings::default();
    let before = registered(d(EXPIRY), &["pending delete"]);
    let today = d("2026-04-20");
    let lifecycle = assess(
        &RegistrationObservation::NotRegistered,
        Some(&before),
        "example.com",
        &settings,
        today,
    );
    assert_eq!(lifecycle.phase, LifecyclePhase::Dropped);
    assert_eq!(lifecycle.expires_on, Some(d(EXPIRY)));
    assert_eq!(lifecycle.earliest_reregistration, Some(today));
    assert!(lifecycle.explanation_zh.contains("任何人"));
    let without_history = assess(
        &RegistrationObservation::NotRegistered,
        None,
        "example.cn",
        &settings,
        today,
    );
    assert_eq!(without_history.phase, LifecyclePhase::Dropped);
    assert_eq!(without_history.expires_on, None);
}

#[test]
fn a_newer_creation_date_or_a_registration_after_a_drop_is_reregistration() {
    let settings = LifecycleSettings::default();
    let today = d("2026-05-01");
    let before = registered(d(EXPIRY), &[]);
    let mut after = registered(d("2027-04-28"), &["ok"]);
    if let RegistrationObservation::Registered(facts) = &mut after {
        facts.created_on = Some(d("2026-04-28"));
        facts.registrant = Some("陌生人".to_owned());
    }
    let lifecycle = assess(&after, Some(&before), "example.com", &settings, today);
    assert_eq!(lifecycle.phase, LifecyclePhase::Reregistered);
    assert_eq!(lifecycle.earliest_reregistration, None);
    assert!(
        lifecycle.explanation_en.contains("2014-04-01")
            && lifecycle.explanation_en.contains("2026-04-28")
    );
    assert!(lifecycle.explanation_zh.contains("陌生人"));

    let dropped = RegistrationObservation::NotRegistered;
    let lifecycle = assess(&after, Some(&dropped), "example.com", &settings, today);
    assert_eq!(lifecycle.phase, LifecyclePhase::Reregistered);

    // Same creation date (a renewal) is not a re-registration.
    let renewed = registered(d("2027-01-31"), &["ok"]);
    let lifecycle = assess(&renewed, Some(&before), "example.com", &settings, today);
    assert_eq!(lifecycle.phase, Active);
}

#[test]
fn unknown_registration_stays_unknown_and_keeps_the_last_known_expiry() {
    let settings = LifecycleSettings::default();
    let before = registered(d(EXPIRY), &[]);
    let unknown = RegistrationObservation::Unknown {
        detail: "whois timed out".to_owned(),
    };
    let lifecycle = assess(
        &unknown,
        Some(&before),
        "example.cn",
        &settings,
        d("2026-03-01"),
    );
    assert_eq!(lifecycle.phase, LifecyclePhase::Unknown);
    assert_eq!(lifecycle.expires_on, Some(d(EXPIRY)));
    assert_eq!(lifecycle.earliest_reregistration, None);
    assert!(lifecycle.explanation_en.contains("whois timed out"));
}

#[test]
fn registered_without_an_expiry_date_is_active_with_no_prediction() {
    let settings = LifecycleSettings::default();
    let observation = RegistrationObservation::Registered(RegistrationFacts {
        source: "rdap".to_owned(),
        created_on: None,
        expires_on: None,
        updated_on: None,
        statuses: vec![],
        registrar: None,
        registrant: None,
        nameservers: vec![],
    });
    let lifecycle = assess(&observation, None, "norway.no", &settings, d("2026-03-01"));
    assert_eq!(lifecycle.phase, Active);
    assert_eq!(lifecycle.earliest_reregistration, None);
    // A redemption status without a date still names the phase; the earliest date counts from today.
    let observation = RegistrationObservation::Registered(RegistrationFacts {
        statuses: vec!["redemption period".to_owned()],
        ..match observation {
            RegistrationObservation::Registered(facts) => facts,
            _ => unreachable!("built above"),
        }
    });
    let lifecycle = assess(
        &observation,
        None,
        "example.com",
        &settings,
        d("2026-03-01"),
    );
    assert_eq!(lifecycle.phase, Redemption);
    assert_eq!(lifecycle.earliest_reregistration, Some(d("2026-03-06")));
}

#[test]
fn timelines_are_configurable_per_tld() {
    let settings: LifecycleSettings = toml::from_str(
        "[default]\nredemption_days = 40\n[tld.\"中国\"]\ngrace_days = 40\nearliest_delete_day = 40\n[tld.top]\ngrace_days = 10\nearliest_delete_day = 0\n",
    )
    .expect("valid lifecycle settings");
    assert_eq!(settings.default.redemption_days, 40);
    assert_eq!(
        settings.default.grace_days, 45,
        "unset fields keep the built-in value"
    );
    let cn = settings.tld["xn--fiqs8s"];
    assert_eq!(
        (cn.grace_days, cn.earliest_delete_day, cn.redemption_days),
        (40, 40, 15)
    );
    assert_eq!(settings.tld["cn"], TldTimeline::CN, "other built-ins stay");
    let expiry = d(EXPIRY);
    let lifecycle = assess(
        &registered(expiry, &[]),
        None,
        "example.top",
        &settings,
        plus(expiry, 10),
    );
    assert_eq!(lifecycle.phase, Redemption);
    assert_eq!(lifecycle.timeline_key, "top");
    let lifecycle = assess(
        &registered(expiry, &[]),
        None,
        "example.com",
        &settings,
        minus(expiry, 1),
    );
    assert_eq!(lifecycle.earliest_reregistration, Some(plus(expiry, 45)));
    assert_eq!(lifecycle.timeline_key, "default");
}

#[test]
fn bad_timelines_are_refused_with_the_key() {
    let error = toml::from_str::<LifecycleSettings>("[tld.cn]\ngrace_days = 10\n")
        .expect_err("earliest delete day 30 exceeds grace 10");
    assert!(error.to_string().contains("earliest_delete_day"), "{error}");
    let error = toml::from_str::<LifecycleSettings>("[default]\nredemption_days = -3\n")
        .expect_err("negative");
    assert!(
        error.to_string().contains("default.redemption_days"),
        "{error}"
    );
    let error = toml::from_str::<LifecycleSettings>("[tld.\"a..b\"]\ngrace_days = 10\n")
        .expect_err("bad suffix");
    assert!(error.to_string().contains("a..b"), "{error}");
    let error =
        toml::from_str::<LifecycleSettings>("[default]\ngrace = 10\n").expect_err("unknown key");
    assert!(error.to_string().contains("grace"), "{error}");
    let mut settings = LifecycleSettings::default();
    settings.default.earliest_delete_day = 99;
    assert!(settings.validate().is_err());
}
