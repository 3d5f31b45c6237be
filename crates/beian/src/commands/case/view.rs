//! How cases look: the `list` table, and `show` as JSON or as tables (materials,
//! deadlines with working days left, allowed next states, links, history).

use beian_core::calendar::{CalendarWarning, HolidayCalendar};
use beian_core::case::deadlines::to_beijing;
use beian_core::case::{
    Case, CaseEvent, CaseState, ConsoleLink, Deadline, DeadlineStatus, Reminder, Urgency,
    allowed_transitions, console_links, deadline_status,
};
use chrono::{DateTime, Utc};
use comfy_table::Table;
use serde::Serialize;

use crate::commands::tables::rows_table;
use crate::config::Language;
use crate::output::{self, Header, header, or_dash};

fn pick<'a>(language: Language, zh: &'a str, en: &'a str) -> &'a str {
    match language {
        Language::Zh => zh,
        Language::En => en,
    }
}

/// An instant as Beijing wall-clock time, which is what the consoles show.
fn beijing(at: DateTime<Utc>) -> String {
    to_beijing(at).format("%Y-%m-%d %H:%M").to_string()
}

/// A deadline with where it stands now.
#[derive(Debug, Serialize)]
pub struct DeadlineView<'a> {
    #[serde(flatten)]
    pub deadline: &'a Deadline,
    #[serde(flatten)]
    pub status: DeadlineStatus,
    pub warnings: Vec<CalendarWarning>,
}

fn deadline_views<'a>(
    case: &'a Case,
    now: DateTime<Utc>,
    calendar: &HolidayCalendar,
) -> Vec<DeadlineView<'a>> {
    case.deadlines
        .iter()
        .map(|deadline| {
            let reckoned = deadline_status(deadline, now, calendar);
            DeadlineView {
                deadline,
                status: reckoned.value,
                warnings: reckoned.warnings,
            }
        })
        .collect()
}

/// "3 个工作日 / 3 working days", or how late.
fn left_text(status: &DeadlineStatus) -> String {
    if status.overdue {
        format!(
            "已逾期 {0} 个工作日 / overdue by {0} working days",
            -status.working_days_left
        )
    } else {
        format!(
            "剩 {0} 个工作日 / {0} working days left",
            status.working_days_left
        )
    }
}

/// One line per deadline, for the message after a step.
pub fn deadline_lines(case: &Case, now: DateTime<Utc>, calendar: &HolidayCalendar) -> Vec<String> {
    deadline_views(case, now, calendar)
        .iter()
        .map(|view| {
            format!(
                "期限 / deadline {}：{}（北京时间 / Beijing time），{}",
                view.deadline.label_zh,
                beijing(view.deadline.due),
                left_text(&view.status)
            )
        })
        .collect()
}

/// `beian case list`: one row per case with its nearest deadline.
pub fn case_table(
    cases: &[Case],
    now: DateTime<Utc>,
    calendar: &HolidayCalendar,
    language: Language,
) -> Table {
    rows_table(
        language,
        [
            header("ID", "ID"),
            header("类型", "Kind"),
            header("状态", "State"),
            header("标题", "Title"),
            header("最近期限", "Next deadline"),
            header("更新时间", "Updated"),
        ],
        cases,
        |case| {
            let next = deadline_views(case, now, calendar)
                .into_iter()
                .min_by_key(|view| view.deadline.due)
                .map(|view| {
                    format!(
                        "{} ({})",
                        beijing(view.deadline.due),
                        left_text(&view.status)
                    )
                });
            [
                case.id.to_string(),
                pick(language, case.kind.label_zh(), case.kind.as_str()).to_owned(),
                pick(language, case.state.label_zh(), case.state.as_str()).to_owned(),
                case.title.clone(),
                or_dash(next),
                beijing(case.updated_at),
            ]
        },
    )
}

/// One line of `beian case reminders --json`: the reminder and the case it belongs to.
#[derive(Debug, Serialize)]
pub struct ReminderView<'a> {
    pub case: &'a Case,
    pub reminder: &'a Reminder,
}

/// `beian case reminders`: overdue first, then by due date.
pub fn reminder_table(reminders: &[(&Case, Reminder)], language: Language) -> Table {
    let mut sorted: Vec<&(&Case, Reminder)> = reminders.iter().collect();
    sorted.sort_by_key(|(_, reminder)| (reminder.urgency != Urgency::Overdue, reminder.due));
    rows_table(
        language,
        [
            header("工单", "Case"),
            header("标题", "Title"),
            header("期限", "Deadline"),
            header("到期（北京时间）", "Due (Beijing)"),
            header("剩余工作日", "Working days left"),
            header("紧急程度", "Urgency"),
        ],
        &sorted,
        |(case, reminder)| {
            [
                case.id.to_string(),
                case.title.clone(),
                pick(language, &reminder.label_zh, &reminder.label_en).to_owned(),
                beijing(reminder.due),
                reminder.working_days_left.to_string(),
                match reminder.urgency {
                    Urgency::Overdue => pick(language, "已逾期", "overdue"),
                    Urgency::DueSoon => pick(language, "即将到期", "due soon"),
                }
                .to_owned(),
            ]
        },
    )
}

/// What `beian case show` prints.
#[derive(Debug, Serialize)]
pub struct CaseView<'a> {
    pub case: &'a Case,
    pub allowed_next: Vec<CaseState>,
    pub deadlines: Vec<DeadlineView<'a>>,
    pub links: Vec<ConsoleLink>,
    pub events: Vec<CaseEvent>,
}

impl<'a> CaseView<'a> {
    pub fn new(
        case: &'a Case,
        events: Vec<CaseEvent>,
        provider_console: Option<&str>,
        now: DateTime<Utc>,
        calendar: &HolidayCalendar,
    ) -> CaseView<'a> {
        CaseView {
            case,
            allowed_next: allowed_transitions(case.kind, case.state),
            deadlines: deadline_views(case, now, calendar),
            links: console_links(case.kind, provider_console),
            events,
        }
    }

    pub fn print(&self, language: Language) -> anyhow::Result<()> {
        let case = self.case;
        let rows: Vec<(Header, String)> = vec![
            (header("ID", "ID"), case.id.to_string()),
            (
                header("类型", "Kind"),
                format!("{} ({})", case.kind.label_zh(), case.kind.as_str()),
            ),
            (
                header("状态", "State"),
                format!("{} ({})", case.state.label_zh(), case.state.as_str()),
            ),
            (header("标题", "Title"), case.title.clone()),
            (header("主体ID", "Subject"), or_dash(case.subject_id)),
            (header("网站ID", "Site"), or_dash(case.site_id)),
            (header("备案ID", "Filing"), or_dash(case.filing_id)),
            (header("来源发现", "Finding"), or_dash(case.finding_id)),
            (
                header("开立", "Opened"),
                format!("{} · {}", beijing(case.opened_at), case.opened_by),
            ),
            (
                header("进入当前状态", "In state since"),
                beijing(case.state_since),
            ),
            (
                header("参考日期", "Reference date"),
                or_dash(case.reference_date),
            ),
        ];
        output::print_table(&output::detail_table(language, &rows))?;

        let done = case.checklist.iter().filter(|item| item.done).count();
        output::print_text(&format!(
            "\n材料清单 / Checklist ({done}/{})\n",
            case.checklist.len()
        ))?;
        output::print_table(&rows_table(
            language,
            [
                header("完成", "Done"),
                header("材料项", "Item"),
                header("说明", "Description"),
            ],
            &case.checklist,
            |item| {
                [
                    if item.done { "[x]" } else { "[ ]" }.to_owned(),
                    item.id.clone(),
                    pick_owned(language, &item.label_zh, &item.label_en),
                ]
            },
        ))?;

        if !self.deadlines.is_empty() {
            output::print_text("\n期限 / Deadlines\n")?;
            output::print_table(&rows_table(
                language,
                [
                    header("期限", "Deadline"),
                    header("到期（北京时间）", "Due (Beijing time)"),
                    header("剩余", "Left"),
                    header("依据", "Basis"),
                ],
                &self.deadlines,
                |view| {
                    [
                        pick_owned(language, &view.deadline.label_zh, &view.deadline.label_en),
                        beijing(view.deadline.due),
                        left_text(&view.status),
                        view.deadline.basis.clone(),
                    ]
                },
            ))?;
        }

        let next: Vec<String> = self
            .allowed_next
            .iter()
            .map(|state| format!("{} ({})", state.label_zh(), state.as_str()))
            .collect();
        output::print_text(&format!(
            "\n可转到 / Allowed next: {}\n",
            if next.is_empty() {
                "无，工单已结束 / none, the case is finished".to_owned()
            } else {
                next.join(", ")
            }
        ))?;

        output::print_text("\n链接 / Links\n")?;
        for link in &self.links {
            output::print_text(&format!(
                "  {}: {}\n",
                pick_owned(language, &link.label_zh, &link.label_en),
                link.url.as_deref().unwrap_or("-")
            ))?;
        }

        output::print_text("\n历史 / History\n")?;
        output::print_table(&rows_table(
            language,
            [
                header("时间（北京）", "At (Beijing)"),
                header("操作者", "Actor"),
                header("操作", "Action"),
                header("状态变化", "State change"),
                header("备注", "Note"),
            ],
            &self.events,
            |event| {
                let change = match (event.from_state, event.to_state) {
                    (Some(from), Some(to)) if from != to => {
                        format!("{} → {}", from.as_str(), to.as_str())
                    }
                    (_, Some(to)) => to.as_str().to_owned(),
                    _ => "-".to_owned(),
                };
                [
                    beijing(event.at),
                    event.actor.clone(),
                    event.action.clone(),
                    change,
                    if event.note.is_empty() {
                        "-".to_owned()
                    } else {
                        event.note.clone()
                    },
                ]
            },
        ))?;
        Ok(())
    }
}

fn pick_owned(language: Language, zh: &str, en: &str) -> String {
    match language {
        Language::Zh => zh.to_owned(),
        Language::En => en.to_owned(),
    }
}
