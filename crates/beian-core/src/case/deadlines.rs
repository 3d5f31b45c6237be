//! The dates a case must meet (FACTS §2.5) and the reminders they raise.
//!
//! Dates are reckoned on the Beijing calendar: a step taken at 01:00 Beijing time on
//! 1 October is a 1 October step, although it is still 30 September in UTC. A
//! working-day deadline falls due at the end (23:59:59 Beijing time) of its day.

use chrono::{DateTime, Days, FixedOffset, NaiveDate, NaiveTime, TimeDelta, Utc};
use serde::Serialize;

use super::{Case, CaseKind, CaseState, Deadline};
use crate::calendar::{CalendarWarning, HolidayCalendar, Reckoned};

/// Stable deadline ids.
pub const SMS_WINDOW: &str = "sms_window";
pub const AUTHORITY_REVIEW: &str = "authority_review";
pub const PSB_AFTER_GO_LIVE: &str = "psb_after_go_live";

/// How many working days ahead a deadline starts to remind, unless configured.
pub const DEFAULT_REMINDER_WORKING_DAYS: i64 = 3;

/// The durations behind the deadlines; defaults from FACTS §2.5, each configurable
/// (a province such as Zhejiang may take 30 working days).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadlineSettings {
    /// MIIT SMS verification window, hours from the SMS (`[P]` Tencent 短信核验).
    pub sms_window_hours: i64,
    /// 管局 review limit, working days (33号令 Art 12 as quoted; cancellations at most
    /// the same).
    pub authority_review_working_days: i64,
    /// PSB filing after go-live, calendar days (公安部令33号 Art 12).
    pub psb_after_go_live_days: u64,
}

impl Default for DeadlineSettings {
    fn default() -> DeadlineSettings {
        DeadlineSettings {
            sms_window_hours: 24,
            authority_review_working_days: 20,
            psb_after_go_live_days: 30,
        }
    }
}

fn beijing() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset")
}

/// An instant in Beijing time, for display.
pub fn to_beijing(at: DateTime<Utc>) -> DateTime<FixedOffset> {
    at.with_timezone(&beijing())
}

/// The Beijing calendar date of an instant.
pub fn beijing_date(at: DateTime<Utc>) -> NaiveDate {
    to_beijing(at).date_naive()
}

/// The last second of `date` in Beijing, as UTC.
pub fn end_of_beijing_day(date: NaiveDate) -> DateTime<Utc> {
    let last = NaiveTime::from_hms_opt(23, 59, 59).expect("23:59:59 is a valid time");
    date.and_time(last)
        .and_local_timezone(beijing())
        .single()
        .map_or_else(
            || date.and_time(last).and_utc(),
            |at| at.with_timezone(&Utc),
        )
}

/// The deadlines a case of `kind` has while in `state`, entered at `since`.
///
/// * `sms_window`: 24 hours from entering SMS verification.
/// * `authority_review`: 20 working days from entering authority review (PSB review
///   time is regulated nowhere, FACTS §2.5/§8, so PSB cases get none).
/// * `psb_after_go_live`: a new PSB filing is due 30 days after go-live
///   (`reference_date`) until it has been submitted.
pub fn deadlines_for(
    kind: CaseKind,
    state: CaseState,
    since: DateTime<Utc>,
    reference_date: Option<NaiveDate>,
    calendar: &HolidayCalendar,
    settings: &DeadlineSettings,
) -> Vec<Deadline> {
    let mut deadlines = Vec::new();
    match state {
        CaseState::SmsVerification => deadlines.push(Deadline {
            id: SMS_WINDOW.to_owned(),
            label_zh: "工信部短信核验".to_owned(),
            label_en: "MIIT SMS verification".to_owned(),
            due: since + TimeDelta::hours(settings.sms_window_hours),
            basis: format!(
                "收到短信后 {0} 小时内完成核验，否则退回接入商 / verify within {0} hours of the SMS, \
                 otherwise the application returns to the provider",
                settings.sms_window_hours
            ),
        }),
        CaseState::AuthorityReview if !kind.is_psb() => {
            let n = settings.authority_review_working_days;
            let Reckoned { value, warnings } = calendar.add_working_days(beijing_date(since), n);
            deadlines.push(Deadline {
                id: AUTHORITY_REVIEW.to_owned(),
                label_zh: "管局审核时限".to_owned(),
                label_en: "authority review limit".to_owned(),
                due: end_of_beijing_day(value),
                basis: with_warnings(
                    format!(
                        "自进入管局审核次日起 {n} 个工作日（不含周末与法定节假日，含调休上班日）/ \
                         {n} working days from the day after review began (weekends and statutory \
                         holidays excluded, adjusted workdays counted)"
                    ),
                    &warnings,
                ),
            });
        }
        _ => {}
    }
    let before_submission = matches!(
        state,
        CaseState::Draft | CaseState::Preparing | CaseState::Rejected
    );
    if kind == CaseKind::PsbNew
        && before_submission
        && let Some(go_live) = reference_date
    {
        let days = settings.psb_after_go_live_days;
        let due = go_live.checked_add_days(Days::new(days)).unwrap_or(go_live);
        deadlines.push(Deadline {
            id: PSB_AFTER_GO_LIVE.to_owned(),
            label_zh: "上线后公安联网备案".to_owned(),
            label_en: "PSB filing after go-live".to_owned(),
            due: end_of_beijing_day(due),
            basis: format!(
                "网站 {go_live} 上线，{days} 日内（自然日）提交公安联网备案（公安部令第33号第12条）/ \
                 site live since {go_live}: file with the PSB within {days} calendar days (MPS Order 33 Art 12)"
            ),
        });
    }
    deadlines
}

fn with_warnings(basis: String, warnings: &[CalendarWarning]) -> String {
    warnings.iter().fold(basis, |mut text, warning| {
        text.push_str("；注意 / note: ");
        text.push_str(&warning.to_string());
        text
    })
}

/// Where a deadline stands at a moment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeadlineStatus {
    /// Working days from today (Beijing) to the due day; 0 on the day, negative once past.
    pub working_days_left: i64,
    /// Whole hours to the due instant; negative once past.
    pub hours_left: i64,
    pub overdue: bool,
}

/// How far `deadline` is from `now`, in working days on `calendar`.
pub fn deadline_status(
    deadline: &Deadline,
    now: DateTime<Utc>,
    calendar: &HolidayCalendar,
) -> Reckoned<DeadlineStatus> {
    let Reckoned { value, warnings } =
        calendar.working_days_between(beijing_date(now), beijing_date(deadline.due));
    Reckoned {
        value: DeadlineStatus {
            working_days_left: value,
            hours_left: (deadline.due - now).num_hours(),
            overdue: now > deadline.due,
        },
        warnings,
    }
}

/// How pressing a reminder is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    DueSoon,
    Overdue,
}

/// A deadline of an open case that is near or past.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reminder {
    pub case_id: i64,
    pub deadline_id: String,
    pub label_zh: String,
    pub label_en: String,
    pub due: DateTime<Utc>,
    pub urgency: Urgency,
    pub working_days_left: i64,
    pub warnings: Vec<CalendarWarning>,
}

/// Reminders for `case`'s deadlines due within `within_working_days` working days of
/// `now`, or overdue. Finished cases remind of nothing.
pub fn due_reminders(
    case: &Case,
    now: DateTime<Utc>,
    calendar: &HolidayCalendar,
    within_working_days: i64,
) -> Vec<Reminder> {
    if case.state.is_terminal() {
        return Vec::new();
    }
    case.deadlines
        .iter()
        .filter_map(|deadline| {
            let Reckoned { value, warnings } = deadline_status(deadline, now, calendar);
            let urgency = if value.overdue {
                Urgency::Overdue
            } else if value.working_days_left <= within_working_days {
                Urgency::DueSoon
            } else {
                return None;
            };
            Some(Reminder {
                case_id: case.id,
                deadline_id: deadline.id.clone(),
                label_zh: deadline.label_zh.clone(),
                label_en: deadline.label_en.clone(),
                due: deadline.due,
                urgency,
                working_days_left: value.working_days_left,
                warnings,
            })
        })
        .collect()
}
