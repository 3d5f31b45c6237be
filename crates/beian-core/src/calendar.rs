//! Chinese working days (FACTS §6): weekends and State Council holidays are off, and
//! adjusted workdays (调休上班) are weekend days that are worked.
//!
//! Review deadlines (20 working days for the 管局, FACTS §2.5) are counted here. The
//! State Council publishes a year's schedule late in the year before, so any year we
//! do not know falls back to plain Monday–Friday and the answer says so in a warning
//! instead of silently pretending to be exact.

use std::collections::{BTreeSet, HashSet};
use std::sync::LazyLock;

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

/// The bundled schedules (NateScarlet/holiday-cn, MIT; see data/holidays/LICENSE).
const BUNDLED: [(&str, &str); 3] = [
    (
        "data/holidays/2024.json",
        include_str!("../../../data/holidays/2024.json"),
    ),
    (
        "data/holidays/2025.json",
        include_str!("../../../data/holidays/2025.json"),
    ),
    (
        "data/holidays/2026.json",
        include_str!("../../../data/holidays/2026.json"),
    ),
];

static BUNDLED_CALENDAR: LazyLock<HolidayCalendar> = LazyLock::new(|| {
    let mut calendar = HolidayCalendar::default();
    for (name, text) in BUNDLED {
        // The bundled files are part of the source tree and tested below.
        calendar
            .add_holiday_cn_year(name, text)
            .expect("bundled holiday file parses");
    }
    calendar
});

/// A holiday-cn file that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CalendarError {
    #[error(
        "假日文件 {source_name} 无法解析 / holiday file {source_name} is not holiday-cn JSON: {detail}; \
         use a <year>.json from NateScarlet/holiday-cn ({{year, papers, days:[{{name, date, isOffDay}}]}})"
    )]
    Malformed { source_name: String, detail: String },
    #[error(
        "假日文件 {source_name} 中的日期 {date} 不属于 {year} 年前后 / date {date} in {source_name} is far from its year {year}; \
         the file may be damaged"
    )]
    DateOutOfYear {
        source_name: String,
        date: NaiveDate,
        year: i32,
    },
}

/// Something the caller should know about a calendar answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CalendarWarning {
    /// No State Council schedule is known for this year; Monday–Friday was assumed.
    YearNotPublished { year: i32 },
}

impl std::fmt::Display for CalendarWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CalendarWarning::YearNotPublished { year } => write!(
                f,
                "{year} 年的放假安排未知，按周一至周五计算 / no holiday schedule known for {year}: \
                 counted Monday–Friday; load the year's holiday-cn file when it is published"
            ),
        }
    }
}

/// A value computed from the calendar, with the warnings that qualify it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reckoned<T> {
    pub value: T,
    pub warnings: Vec<CalendarWarning>,
}

#[derive(Deserialize)]
struct HolidayCnFile {
    year: i32,
    days: Vec<HolidayCnDay>,
}

#[derive(Deserialize)]
struct HolidayCnDay {
    date: NaiveDate,
    #[serde(rename = "isOffDay")]
    is_off_day: bool,
}

/// Off days and adjusted workdays for the years it knows.
#[derive(Debug, Clone, Default)]
pub struct HolidayCalendar {
    off_days: HashSet<NaiveDate>,
    adjusted_workdays: HashSet<NaiveDate>,
    known_years: BTreeSet<i32>,
}

impl HolidayCalendar {
    /// The 2024–2026 schedules shipped with Beian Guard.
    pub fn bundled() -> &'static HolidayCalendar {
        &BUNDLED_CALENDAR
    }

    /// Adds (or replaces) one year from a holiday-cn `<year>.json` text, e.g. a newer
    /// file the operator supplies once the State Council publishes it.
    pub fn add_holiday_cn_year(
        &mut self,
        source_name: &str,
        text: &str,
    ) -> Result<i32, CalendarError> {
        let file: HolidayCnFile =
            serde_json::from_str(text).map_err(|err| CalendarError::Malformed {
                source_name: source_name.to_owned(),
                detail: err.to_string(),
            })?;
        for day in &file.days {
            // A notice for year Y may move late-December days of Y-1 or early January of Y+1.
            if (day.date.year() - file.year).abs() > 1 {
                return Err(CalendarError::DateOutOfYear {
                    source_name: source_name.to_owned(),
                    date: day.date,
                    year: file.year,
                });
            }
        }
        self.off_days.retain(|d| d.year() != file.year);
        self.adjusted_workdays.retain(|d| d.year() != file.year);
        for day in file.days {
            if day.is_off_day {
                self.off_days.insert(day.date);
            } else {
                self.adjusted_workdays.insert(day.date);
            }
        }
        self.known_years.insert(file.year);
        Ok(file.year)
    }

    /// Years whose schedule is known.
    pub fn known_years(&self) -> impl Iterator<Item = i32> + '_ {
        self.known_years.iter().copied()
    }

    /// Whether `date` is a working day, warning when its year's schedule is unknown.
    pub fn is_working_day(&self, date: NaiveDate) -> Reckoned<bool> {
        let mut warnings = Vec::new();
        let value = self.working_day_noting(date, &mut warnings);
        Reckoned { value, warnings }
    }

    /// The date `n` working days after `start` (counting from the day after, as review
    /// deadlines are counted); negative `n` counts backwards. `n = 0` is `start`.
    pub fn add_working_days(&self, start: NaiveDate, n: i64) -> Reckoned<NaiveDate> {
        let mut warnings = Vec::new();
        let mut date = start;
        let mut left = n.unsigned_abs();
        while left > 0 {
            let next = if n > 0 {
                date.checked_add_days(Days::new(1))
            } else {
                date.checked_sub_days(Days::new(1))
            };
            // Only at the ends of chrono's range (±262,000 years): stop rather than panic.
            let Some(next) = next else { break };
            date = next;
            if self.working_day_noting(date, &mut warnings) {
                left -= 1;
            }
        }
        Reckoned {
            value: date,
            warnings,
        }
    }

    /// Working days in `(from, to]` — so `working_days_between(d, add_working_days(d, n)) == n`.
    /// Negative when `to` is before `from`.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> Reckoned<i64> {
        let mut warnings = Vec::new();
        let (low, high, sign) = if from <= to {
            (from, to, 1)
        } else {
            (to, from, -1)
        };
        let mut count = 0i64;
        for date in low.iter_days().skip(1).take_while(|d| *d <= high) {
            if self.working_day_noting(date, &mut warnings) {
                count += 1;
            }
        }
        Reckoned {
            value: sign * count,
            warnings,
        }
    }

    fn working_day_noting(&self, date: NaiveDate, warnings: &mut Vec<CalendarWarning>) -> bool {
        if !self.known_years.contains(&date.year()) {
            let warning = CalendarWarning::YearNotPublished { year: date.year() };
            if !warnings.contains(&warning) {
                warnings.push(warning);
            }
        }
        if self.adjusted_workdays.contains(&date) {
            return true;
        }
        !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) && !self.off_days.contains(&date)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> NaiveDate {
        text.parse().expect("test date")
    }

    #[test]
    fn bundled_years_are_known() {
        let years: Vec<i32> = HolidayCalendar::bundled().known_years().collect();
        assert_eq!(years, vec![2024, 2025, 2026]);
    }

    #[test]
    fn malformed_file_names_itself() {
        let mut calendar = HolidayCalendar::default();
        let err = calendar
            .add_holiday_cn_year("2027.json", "{\"year\":2027}")
            .unwrap_err();
        assert!(err.to_string().contains("2027.json"), "{err}");
    }

    #[test]
    fn replacing_a_year_drops_its_old_days() {
        let mut calendar = HolidayCalendar::bundled().clone();
        calendar
            .add_holiday_cn_year("2026.json", r#"{"year":2026,"papers":[],"days":[]}"#)
            .unwrap();
        // 2026-10-01 is a Thursday: with an empty 2026 schedule it is a working day.
        assert!(calendar.is_working_day(d("2026-10-01")).value);
    }
}
