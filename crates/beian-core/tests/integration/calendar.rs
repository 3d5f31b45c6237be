//! The working-day calendar against the State Council schedules in FACTS §6.

use beian_core::calendar::{CalendarWarning, HolidayCalendar};
use chrono::NaiveDate;

fn d(text: &str) -> NaiveDate {
    text.parse().expect("test date")
}

fn working(date: &str) -> bool {
    let answer = HolidayCalendar::bundled().is_working_day(d(date));
    assert!(answer.warnings.is_empty(), "{date}: {:?}", answer.warnings);
    answer.value
}

#[test]
fn statutory_off_days_are_not_working_days() {
    for date in [
        "2024-01-01",
        "2024-02-10",
        "2024-02-17",
        "2024-04-04",
        "2024-05-01",
        "2024-05-03",
        "2024-06-10",
        "2024-09-16",
        "2024-10-07",
        "2025-01-01",
        "2025-01-28",
        "2025-02-04",
        "2025-05-05",
        "2025-06-02",
        "2025-10-08",
        "2026-01-02",
        "2026-02-16",
        "2026-02-23",
        "2026-05-05",
        "2026-06-19",
        "2026-09-25",
        "2026-10-07",
    ] {
        assert!(!working(date), "{date} is a holiday");
    }
}

#[test]
fn adjusted_weekend_workdays_are_working_days() {
    for date in [
        "2024-02-04",
        "2024-02-18",
        "2024-04-07",
        "2024-04-28",
        "2024-05-11",
        "2024-09-14",
        "2024-09-29",
        "2024-10-12",
        "2025-01-26",
        "2025-02-08",
        "2025-04-27",
        "2025-09-28",
        "2025-10-11",
        "2026-01-04",
        "2026-02-14",
        "2026-02-28",
        "2026-05-09",
        "2026-09-20",
        "2026-10-10",
    ] {
        assert!(working(date), "{date} is an adjusted workday (调休上班)");
    }
}

#[test]
fn ordinary_weekdays_and_weekends() {
    assert!(working("2026-11-23")); // Monday
    assert!(!working("2026-11-22")); // Sunday
    assert!(!working("2025-03-08")); // Saturday
}

#[test]
fn adding_working_days_skips_the_national_day_week() {
    let calendar = HolidayCalendar::bundled();
    // Tue 2025-09-30 + 1: Oct 1–8 are off, Thu Oct 9 is the next working day.
    assert_eq!(
        calendar.add_working_days(d("2025-09-30"), 1).value,
        d("2025-10-09")
    );
    // Sat 2025-10-11 is worked, so +3 from Thu Oct 9 lands on Mon Oct 13.
    assert_eq!(
        calendar.add_working_days(d("2025-10-09"), 3).value,
        d("2025-10-13")
    );
    assert_eq!(
        calendar.add_working_days(d("2025-10-09"), 0).value,
        d("2025-10-09")
    );
    // Backwards from Thu Oct 9: Tue Sep 30, Mon Sep 29, then Sun Sep 28 (调休).
    assert_eq!(
        calendar.add_working_days(d("2025-10-09"), -3).value,
        d("2025-09-28")
    );
}

#[test]
fn twenty_working_day_review_across_spring_festival() {
    let calendar = HolidayCalendar::bundled();
    // Submitted Fri 2026-02-06. Feb 9–13 (5), Sat Feb 14 worked (6), Feb 15–23 off,
    // Feb 24–27 (10), Sat Feb 28 worked (11), Mar 2–6 (16), Mar 9–12 (20) → Thu Mar 12.
    let due = calendar.add_working_days(d("2026-02-06"), 20);
    assert_eq!(due.value, d("2026-03-12"));
    assert!(due.warnings.is_empty());
    assert_eq!(
        calendar
            .working_days_between(d("2026-02-06"), d("2026-03-12"))
            .value,
        20
    );
    assert_eq!(
        calendar
            .working_days_between(d("2026-03-12"), d("2026-02-06"))
            .value,
        -20
    );
}

#[test]
fn unknown_year_falls_back_to_monday_to_friday_with_a_warning() {
    let calendar = HolidayCalendar::bundled();
    // 2027-01-01 is a Friday; without a published schedule it counts as a working day.
    let answer = calendar.is_working_day(d("2027-01-01"));
    assert!(answer.value);
    assert_eq!(
        answer.warnings,
        vec![CalendarWarning::YearNotPublished { year: 2027 }]
    );
    // Crossing into 2027 warns once, however many 2027 days were counted.
    let due = calendar.add_working_days(d("2026-12-28"), 10);
    // Dec 29–31 (3), Fri Jan 1 (4), Jan 4–8 (9), Mon Jan 11 (10).
    assert_eq!(due.value, d("2027-01-11"));
    assert_eq!(
        due.warnings,
        vec![CalendarWarning::YearNotPublished { year: 2027 }]
    );
    assert!(due.warnings[0].to_string().contains("2027"));
}

#[test]
fn a_newer_file_makes_the_year_exact() {
    let mut calendar = HolidayCalendar::bundled().clone();
    let year = calendar
        .add_holiday_cn_year(
            "2027.json",
            r#"{"year":2027,"papers":[],"days":[{"name":"元旦","date":"2027-01-01","isOffDay":true}]}"#,
        )
        .expect("valid file");
    assert_eq!(year, 2027);
    let answer = calendar.is_working_day(d("2027-01-01"));
    assert!(!answer.value);
    assert!(answer.warnings.is_empty());
}

#[test]
fn add_and_between_agree() {
    let calendar = HolidayCalendar::bundled();
    let mut start = d("2024-01-01");
    while start < d("2026-12-01") {
        for n in [1, 5, 20, 30] {
            let end = calendar.add_working_days(start, n).value;
            assert_eq!(
                calendar.working_days_between(start, end).value,
                n,
                "{start} + {n}"
            );
        }
        start = start.succ_opt().expect("in range");
    }
}
