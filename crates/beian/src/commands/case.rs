//! `beian case …`: filing cases. The workflow lives in `beian_core::case` (state machine,
//! checklists, deadlines); this file names records on the command line, takes a step
//! through the store (which refuses a step decided on a stale state) and prints.

mod view;

use beian_core::calendar::HolidayCalendar;
use beian_core::case::{
    Case, CaseContext, CaseKind, CaseState, Reminder, Urgency, advance, allowed_transitions,
    draft_case, due_reminders, tick,
};
use beian_core::model::{AccessProvider, Filing, FilingKind, FilingStatus, Record, RecordKind};
use beian_core::model::{RecordId, Subject, Website};
use beian_store::{AnyStore, CaseQuery, ListQuery, Store};
use chrono::Utc;
use clap::{ArgGroup, Args, Subcommand};

use crate::commands::inventory::Inventory;
use crate::commands::with_store;
use crate::config::Settings;
use crate::error::{Exit, UserError};
use crate::output;

#[derive(Debug, Subcommand)]
pub enum CaseCommand {
    /// 开立备案工单（材料清单、期限随类型与主体性质生成）/ open a filing case
    Open(OpenArgs),
    /// 列出工单（默认只列未结束的）/ list cases (unfinished ones unless asked)
    List(CaseListArgs),
    /// 查看工单：材料、期限与剩余工作日、可转到的状态、链接、历史 / show a case
    Show(CaseShowArgs),
    /// 把工单推进到另一个状态 / move a case to another state
    Advance(AdvanceArgs),
    /// 给工单记一条备注 / add a note to a case
    Note(NoteArgs),
    /// 勾选（或用 --undo 取消）一项材料 / tick a checklist item (or untick with --undo)
    Tick(TickArgs),
    /// 关闭已通过或已驳回的工单 / close an approved or rejected case
    Close(CaseCloseArgs),
    /// 列出临近或已过期的期限（工作日计）；有逾期时退出码 1 / deadlines due soon or overdue, in
    /// working days; exit 1 when any is overdue
    Reminders(RemindersArgs),
}

#[derive(Debug, Args)]
pub struct RemindersArgs {
    /// 提前提醒的工作日数 / remind this many working days ahead
    #[arg(long, default_value_t = beian_core::case::deadlines::DEFAULT_REMINDER_WORKING_DAYS)]
    pub within: i64,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("about").required(true).multiple(true).args(["site", "subject"])))]
pub struct OpenArgs {
    /// 工单类型 / case kind: icp_new, icp_add_website, icp_add_access, icp_change_subject,
    /// icp_change_website, icp_cancel_subject, icp_cancel_website, icp_cancel_access,
    /// psb_new, psb_change, psb_cancel
    #[arg(long, value_parser = parse_kind, value_name = "KIND")]
    pub kind: CaseKind,
    /// 网站：ID 或首页网址 / website: id or home URL
    #[arg(long, value_name = "ID|URL")]
    pub site: Option<String>,
    /// 主体（不涉及网站时）：ID 或证件号码 / subject, when no site is concerned: id or USCC/ID number
    #[arg(long, value_name = "ID|KEY")]
    pub subject: Option<String>,
    /// 备案：ID 或备案号（默认取网站或主体唯一的相应备案）/ filing: id or number (default: the
    /// site's or subject's only filing of the matching kind)
    #[arg(long, value_name = "ID|NUMBER")]
    pub filing: Option<String>,
    /// 备注 / note
    #[arg(long)]
    pub note: Option<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct CaseListArgs {
    /// 只列这些状态（可多次给出）/ only these states (repeatable)
    #[arg(long = "state", value_parser = parse_state, value_name = "STATE")]
    pub states: Vec<CaseState>,
    #[arg(long, value_parser = parse_kind, value_name = "KIND")]
    pub kind: Option<CaseKind>,
    /// 网站：ID 或首页网址 / website: id or home URL
    #[arg(long, value_name = "ID|URL")]
    pub site: Option<String>,
    /// 也列出已关闭、已撤回的工单 / also list closed and withdrawn cases
    #[arg(long)]
    pub all: bool,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct CaseShowArgs {
    /// 工单 ID / case id
    pub id: RecordId,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct AdvanceArgs {
    /// 工单 ID / case id
    pub id: RecordId,
    /// 目标状态 / target state, e.g. preparing, submitted_to_provider, withdrawn
    #[arg(value_parser = parse_state, value_name = "STATE")]
    pub to: CaseState,
    #[arg(long)]
    pub note: Option<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct NoteArgs {
    /// 工单 ID / case id
    pub id: RecordId,
    /// 备注内容 / the note
    pub text: String,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct TickArgs {
    /// 工单 ID / case id
    pub id: RecordId,
    /// 材料项 ID（见 `beian case show`）/ checklist item id (see `beian case show`)
    pub item: String,
    /// 取消勾选 / mark not done
    #[arg(long)]
    pub undo: bool,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct CaseCloseArgs {
    /// 工单 ID / case id
    pub id: RecordId,
    #[arg(long)]
    pub note: Option<String>,
    #[arg(long)]
    pub json: bool,
}

fn parse_kind(text: &str) -> Result<CaseKind, String> {
    CaseKind::parse(text).ok_or_else(|| {
        let known: Vec<&str> = CaseKind::ALL.iter().map(|kind| kind.as_str()).collect();
        format!(
            "未知的工单类型 «{text}» / unknown case kind «{text}»; use one of: {}",
            known.join(", ")
        )
    })
}

fn parse_state(text: &str) -> Result<CaseState, String> {
    CaseState::parse(text).ok_or_else(|| {
        let known: Vec<&str> = CaseState::ALL.iter().map(|state| state.as_str()).collect();
        format!(
            "未知的工单状态 «{text}» / unknown case state «{text}»; use one of: {}",
            known.join(", ")
        )
    })
}

pub async fn run(command: &CaseCommand, settings: &Settings) -> anyhow::Result<Exit> {
    with_store(settings, async |store| {
        let cases = Cases {
            inventory: Inventory { store, settings },
        };
        match command {
            CaseCommand::Open(args) => cases.open(args).await,
            CaseCommand::List(args) => cases.list(args).await,
            CaseCommand::Show(args) => cases.show(args.id, args.json).await,
            CaseCommand::Advance(args) => {
                let note = args.note.as_deref().unwrap_or_default();
                cases
                    .step(args.id, args.to, "advance", note, args.json)
                    .await
            }
            CaseCommand::Note(args) => cases.note(args).await,
            CaseCommand::Tick(args) => cases.tick(args).await,
            CaseCommand::Reminders(args) => cases.reminders(args).await,
            CaseCommand::Close(args) => {
                let note = args.note.as_deref().unwrap_or_default();
                cases
                    .step(args.id, CaseState::Closed, "close", note, args.json)
                    .await
            }
        }
    })
    .await
}

struct Cases<'a> {
    inventory: Inventory<'a>,
}

impl Cases<'_> {
    fn store(&self) -> &AnyStore {
        self.inventory.store
    }

    fn settings(&self) -> &Settings {
        self.inventory.settings
    }

    fn actor(&self) -> &str {
        &self.inventory.settings.actor
    }

    async fn open(&self, args: &OpenArgs) -> anyhow::Result<Exit> {
        let site = match &args.site {
            Some(target) => Some(self.website(target).await?),
            None => None,
        };
        let subject = match (&args.subject, &site) {
            (Some(target), _) => self.subject(target).await?,
            (None, Some(site)) => self.subject(&site.subject_id.to_string()).await?,
            (None, None) => {
                return Err(UserError::input("没有给出网站或主体 / no site or subject given")
                    .with_fix("加上 --site 网站 或 --subject 主体 / add --site SITE or --subject SUBJECT")
                    .into());
            }
        };
        if let Some(site) = &site
            && site.subject_id != subject.id
        {
            return Err(UserError::input(format!(
                "网站 {} 不属于主体 {}（{}）/ site {} does not belong to subject {} ({})",
                site.home_url, subject.id, subject.name, site.home_url, subject.id, subject.name
            ))
            .with_fix("去掉 --subject，或给出该网站所属的主体 / drop --subject or name the site's own subject")
            .into());
        }
        let filing = self
            .filing_for(args.kind, &subject, site.as_ref(), args.filing.as_deref())
            .await?;
        let provider = match &site {
            Some(site) => self.provider_with_console(site).await?,
            None => None,
        };
        let context =
            CaseContext::from_records(&subject, site.as_ref(), filing.as_ref(), provider.as_ref());
        if args.kind == CaseKind::PsbNew && context.go_live_on.is_none() {
            eprintln!(
                "警告 / warning: 网站未登记开通日期，无法计算上线后 30 日的公安备案期限 / the site has \
                 no go-live date, so the 30-day PSB deadline cannot be computed; set it with \
                 `beian site edit SITE --go-live YYYY-MM-DD`"
            );
        }
        let draft = draft_case(args.kind, &context, Utc::now(), HolidayCalendar::bundled());
        let mut case = self.store().open_case(self.actor(), &draft).await?;
        if let Some(note) = args.note.as_deref().filter(|note| !note.trim().is_empty()) {
            case = self
                .store()
                .update_case(self.actor(), &case, case.state, "note", note.trim())
                .await?;
        }
        if args.json {
            output::print_json(&case)?;
        } else {
            output::print_text(&format!(
                "已开立工单 / opened case #{}: {}\n",
                case.id, case.title
            ))?;
            output::print_text(&format!(
                "查看材料与期限 / see materials and deadlines: beian case show {}\n",
                case.id
            ))?;
        }
        Ok(Exit::Success)
    }

    async fn list(&self, args: &CaseListArgs) -> anyhow::Result<Exit> {
        let site_id = match &args.site {
            Some(target) => Some(self.website(target).await?.id),
            None => None,
        };
        let query = CaseQuery {
            site_id,
            kind: args.kind,
            states: args.states.clone(),
            include_terminal: args.all,
        };
        let cases = self.store().list_cases(&query).await?;
        if args.json {
            output::print_json(&cases)?;
        } else {
            let now = Utc::now();
            output::print_table(&view::case_table(
                &cases,
                now,
                HolidayCalendar::bundled(),
                self.settings().language,
            ))?;
            eprintln!("共 {} 个工单 / {} cases", cases.len(), cases.len());
        }
        Ok(Exit::Success)
    }

    /// Every unfinished case's deadlines that fall within `--within` working days or are past.
    async fn reminders(&self, args: &RemindersArgs) -> anyhow::Result<Exit> {
        let cases = self.store().list_cases(&CaseQuery::default()).await?;
        let now = Utc::now();
        let calendar = HolidayCalendar::bundled();
        let reminders: Vec<(&Case, Reminder)> = cases
            .iter()
            .flat_map(|case| {
                due_reminders(case, now, calendar, args.within)
                    .into_iter()
                    .map(move |reminder| (case, reminder))
            })
            .collect();
        if args.json {
            let items: Vec<_> = reminders
                .iter()
                .map(|(case, reminder)| view::ReminderView { case, reminder })
                .collect();
            output::print_json(&items)?;
        } else if reminders.is_empty() {
            output::print_text(&format!(
                "{} 个工作日内没有到期或逾期的期限 / nothing due within {} working days or overdue\n",
                args.within, args.within
            ))?;
        } else {
            output::print_table(&view::reminder_table(&reminders, self.settings().language))?;
        }
        let overdue = reminders
            .iter()
            .any(|(_, reminder)| reminder.urgency == Urgency::Overdue);
        Ok(if overdue {
            Exit::Findings
        } else {
            Exit::Success
        })
    }

    async fn show(&self, id: RecordId, json: bool) -> anyhow::Result<Exit> {
        let case = self.case(id).await?;
        let events = self.store().case_events(id).await?;
        let console = self.console_for(&case).await?;
        let shown = view::CaseView::new(
            &case,
            events,
            console.as_deref(),
            Utc::now(),
            HolidayCalendar::bundled(),
        );
        if json {
            output::print_json(&shown)?;
        } else {
            shown.print(self.settings().language)?;
        }
        Ok(Exit::Success)
    }

    /// Moves case `id` to `to` and records the step as `action`.
    async fn step(
        &self,
        id: RecordId,
        to: CaseState,
        action: &str,
        note: &str,
        json: bool,
    ) -> anyhow::Result<Exit> {
        let case = self.case(id).await?;
        let next = advance(&case, to, Utc::now(), HolidayCalendar::bundled()).map_err(|err| {
            let allowed = allowed_transitions(case.kind, case.state);
            let fix = if allowed.is_empty() {
                "工单已结束；需要时开立新工单 / the case is finished; open a new case if needed"
                    .to_owned()
            } else if to == CaseState::Closed {
                format!(
                    "尚无结果的工单用 `beian case advance {id} withdrawn` 撤回 / withdraw an undecided \
                     case with `beian case advance {id} withdrawn`"
                )
            } else {
                let names: Vec<&str> = allowed.iter().map(|state| state.as_str()).collect();
                format!(
                    "运行 / run: beian case advance {id} {}",
                    names.join(" | ")
                )
            };
            anyhow::Error::from(UserError::input(err.to_string()).with_fix(fix))
        })?;
        let stored = self
            .store()
            .update_case(self.actor(), &next, case.state, action, note.trim())
            .await?;
        if json {
            output::print_json(&stored)?;
        } else {
            output::print_text(&format!(
                "工单 #{id}：{} → {} / case #{id}: {} → {}\n",
                case.state.label_zh(),
                stored.state.label_zh(),
                case.state.as_str(),
                stored.state.as_str()
            ))?;
            for line in view::deadline_lines(&stored, Utc::now(), HolidayCalendar::bundled()) {
                output::print_text(&format!("  {line}\n"))?;
            }
        }
        Ok(Exit::Success)
    }

    async fn note(&self, args: &NoteArgs) -> anyhow::Result<Exit> {
        let text = args.text.trim();
        if text.is_empty() {
            return Err(UserError::input("备注为空 / the note is empty")
                .with_fix("给出备注内容 / give the note text")
                .into());
        }
        let case = self.case(args.id).await?;
        let stored = self
            .store()
            .update_case(self.actor(), &case, case.state, "note", text)
            .await?;
        self.print_saved(&stored, args.json, "已记录备注 / note added")
    }

    async fn tick(&self, args: &TickArgs) -> anyhow::Result<Exit> {
        let case = self.case(args.id).await?;
        let done = !args.undo;
        let next = tick(&case, &args.item, done, Utc::now()).map_err(|err| {
            anyhow::Error::from(UserError::input(err.to_string()).with_fix(format!(
                "用 `beian case show {}` 查看材料项 ID / see the item ids with `beian case show {}`",
                case.id, case.id
            )))
        })?;
        let note = format!(
            "{} {}",
            args.item.trim(),
            if done { "done" } else { "undone" }
        );
        let stored = self
            .store()
            .update_case(self.actor(), &next, case.state, "tick", &note)
            .await?;
        let done_count = stored.checklist.iter().filter(|item| item.done).count();
        let message = format!(
            "材料 {} 已{} / item {} {}（{}/{}）",
            args.item.trim(),
            if done { "勾选" } else { "取消勾选" },
            args.item.trim(),
            if done { "ticked" } else { "unticked" },
            done_count,
            stored.checklist.len()
        );
        self.print_saved(&stored, args.json, &message)
    }

    fn print_saved(&self, case: &Case, json: bool, message: &str) -> anyhow::Result<Exit> {
        if json {
            output::print_json(case)?;
        } else {
            output::print_text(&format!("{message}: #{} {}\n", case.id, case.title))?;
        }
        Ok(Exit::Success)
    }

    async fn case(&self, id: RecordId) -> anyhow::Result<Case> {
        self.store().get_case(id).await?.ok_or_else(|| {
            UserError::input(format!("工单 {id} 不存在 / no case {id}"))
                .with_fix(
                    "用 `beian case list --all` 查找工单 ID / find the id with `beian case list --all`",
                )
                .into()
        })
    }

    async fn website(&self, target: &str) -> anyhow::Result<Website> {
        match self.inventory.resolve(RecordKind::Website, target).await? {
            Record::Website(site) => Ok(site),
            other => Err(wrong_kind(RecordKind::Website, &other)),
        }
    }

    async fn subject(&self, target: &str) -> anyhow::Result<Subject> {
        match self.inventory.resolve(RecordKind::Subject, target).await? {
            Record::Subject(subject) => Ok(subject),
            other => Err(wrong_kind(RecordKind::Subject, &other)),
        }
    }

    /// The filing the case acts on: the one named (which must belong to the site or
    /// subject), else the only unfinished filing of the kind the case concerns.
    async fn filing_for(
        &self,
        kind: CaseKind,
        subject: &Subject,
        site: Option<&Website>,
        target: Option<&str>,
    ) -> anyhow::Result<Option<Filing>> {
        if let Some(target) = target {
            let filing = match self.inventory.resolve(RecordKind::Filing, target).await? {
                Record::Filing(filing) => filing,
                other => return Err(wrong_kind(RecordKind::Filing, &other)),
            };
            let belongs = match site {
                Some(site) => {
                    filing.website_id == Some(site.id)
                        || (filing.website_id.is_none() && filing.subject_id == site.subject_id)
                }
                None => filing.subject_id == subject.id,
            };
            if !belongs {
                return Err(UserError::input(format!(
                    "备案 {} 不属于所给的网站或主体 / filing {} belongs to another site or subject",
                    filing.number, filing.number
                ))
                .with_fix("用 `beian filing show 备案号` 查看它属于谁 / see its owner with `beian filing show NUMBER`")
                .into());
            }
            return Ok(Some(filing));
        }
        let Some(wanted) = concerned_filing_kind(kind) else {
            return Ok(None);
        };
        let query = ListQuery {
            kind: RecordKind::Filing,
            website_id: site.map(|site| site.id),
            subject_id: site.is_none().then_some(subject.id),
            filing_kind: Some(wanted),
            limit: 0,
            ..ListQuery::default()
        };
        let mut candidates: Vec<Filing> = self
            .store()
            .list(&query)
            .await?
            .items
            .into_iter()
            .filter_map(|record| match record {
                Record::Filing(filing) if filing.status != FilingStatus::Cancelled => Some(filing),
                _ => None,
            })
            .collect();
        Ok(if candidates.len() == 1 {
            candidates.pop()
        } else {
            None
        })
    }

    /// The site's first access provider whose filing console is known.
    async fn provider_with_console(
        &self,
        site: &Website,
    ) -> anyhow::Result<Option<AccessProvider>> {
        for name in &site.access_providers {
            if let Some(Record::AccessProvider(provider)) =
                self.store().find(RecordKind::AccessProvider, name).await?
                && !provider.console_url.trim().is_empty()
            {
                return Ok(Some(provider));
            }
        }
        Ok(None)
    }

    async fn console_for(&self, case: &Case) -> anyhow::Result<Option<String>> {
        let Some(site_id) = case.site_id else {
            return Ok(None);
        };
        let Some(Record::Website(site)) = self.store().get(RecordKind::Website, site_id).await?
        else {
            return Ok(None);
        };
        Ok(self
            .provider_with_console(&site)
            .await?
            .map(|provider| provider.console_url))
    }
}

/// The kind of filing a case of `kind` acts on, when it acts on an existing one.
/// The store answered a lookup with a record of another kind: a store fault, reported
/// rather than trusted.
fn wrong_kind(asked: RecordKind, got: &Record) -> anyhow::Error {
    anyhow::anyhow!(
        "数据库按 {asked:?} 查找却返回了 {:?} / the store answered a {asked:?} lookup with a {:?}",
        got.kind(),
        got.kind()
    )
}

fn concerned_filing_kind(kind: CaseKind) -> Option<FilingKind> {
    match kind {
        CaseKind::IcpAddAccess
        | CaseKind::IcpChangeWebsite
        | CaseKind::IcpCancelWebsite
        | CaseKind::IcpCancelAccess => Some(FilingKind::IcpWebsite),
        CaseKind::IcpChangeSubject | CaseKind::IcpCancelSubject => Some(FilingKind::IcpSubject),
        CaseKind::PsbChange | CaseKind::PsbCancel => Some(FilingKind::Psb),
        CaseKind::IcpNew | CaseKind::IcpAddWebsite | CaseKind::PsbNew => None,
    }
}
