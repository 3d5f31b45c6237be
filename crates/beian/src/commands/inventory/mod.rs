//! `beian subject|site|domain|filing|person|provider …`: entry goes through the drafts
//! of `beian_core::inventory` (the same checks as the importer), every write through
//! `Store::apply` so it is one transaction with its audit entries.

mod entry;
mod filing;
mod kinds;
mod lookup;
mod records;
mod views;

use beian_core::inventory::{FieldErrors, FieldWarning};
use beian_core::model::{Change, FilingKind, FilingStatus, Record, RecordKind, RecordStatus};
use beian_store::{AnyStore, ListQuery, Store};
use chrono::NaiveDate;
use serde::Serialize;

use crate::cli::{ClosableCommand, ListArgs, RecordCommand};
use crate::commands::with_store;
use crate::config::Settings;
use crate::error::{Exit, UserError};
use crate::output;

pub use kinds::KindCommands;

/// `beian subject|site|filing …`: the shared subcommands plus `close`.
pub async fn closable<K: KindCommands>(
    command: &ClosableCommand<K>,
    settings: &Settings,
) -> anyhow::Result<Exit> {
    match command {
        ClosableCommand::Record(command) => record(command, settings).await,
        ClosableCommand::Close(args) => {
            with_store(settings, async |store| {
                let inventory = Inventory { store, settings };
                inventory.close(K::KIND, &args.target, args.on).await
            })
            .await
        }
    }
}

/// `beian <kind> add|list|show|edit|rm`: what differs by kind goes through `K`'s hooks.
pub async fn record<K: KindCommands>(
    command: &RecordCommand<K>,
    settings: &Settings,
) -> anyhow::Result<Exit> {
    with_store(settings, async |store| {
        let inventory = Inventory { store, settings };
        match command {
            RecordCommand::Add(args) => K::add(&inventory, args).await,
            RecordCommand::List { list, filters } => {
                let mut query = inventory.list_query(K::KIND, list);
                K::filter(&inventory, &mut query, filters).await?;
                inventory.print_list(&query, list).await
            }
            RecordCommand::Show(args) => inventory.show(K::KIND, &args.target, args.json).await,
            RecordCommand::Edit(args) => K::edit(&inventory, &args.target, &args.fields).await,
            RecordCommand::Rm(args) => inventory.remove(K::KIND, &args.target).await,
        }
    })
    .await
}

/// The store and settings a command works with.
pub struct Inventory<'a> {
    pub store: &'a AnyStore,
    pub settings: &'a Settings,
}

/// What `list --json` prints: one page and where it sits in the whole.
#[derive(Debug, Serialize)]
struct ListOutput<'a> {
    items: &'a [Record],
    total: u64,
    page: u32,
    limit: u32,
}

impl Inventory<'_> {
    /// Writes the changes in one transaction and prints what the entry checks warned about.
    pub async fn apply(
        &self,
        changes: &[Change],
        warnings: &[FieldWarning],
    ) -> anyhow::Result<Vec<Record>> {
        let stored = self.store.apply(&self.settings.actor, changes).await?;
        for warning in warnings {
            eprintln!("警告 / warning: {warning}");
        }
        Ok(stored)
    }

    fn list_query(&self, kind: RecordKind, list: &ListArgs) -> ListQuery {
        ListQuery {
            kind,
            search: list.search.clone(),
            limit: list.limit,
            offset: (list.page - 1).saturating_mul(list.limit),
            ..ListQuery::default()
        }
    }

    async fn print_list(&self, query: &ListQuery, list: &ListArgs) -> anyhow::Result<Exit> {
        let page = self.store.list(query).await?;
        if list.json {
            output::print_json(&ListOutput {
                items: &page.items,
                total: page.total,
                page: list.page,
                limit: list.limit,
            })?;
        } else {
            let shown = page.items.len() as u64;
            output::print_table(&views::record_table(&page.items, self.settings.language))?;
            let first = u64::from(list.page - 1) * u64::from(list.limit);
            eprintln!(
                "第 {} 页，显示 {}–{}，共 {} 条 / page {}, rows {}–{} of {}",
                list.page,
                if shown == 0 { first } else { first + 1 },
                first + shown,
                page.total,
                list.page,
                if shown == 0 { first } else { first + 1 },
                first + shown,
                page.total
            );
        }
        Ok(Exit::Success)
    }

    async fn optional_id(
        &self,
        kind: RecordKind,
        target: Option<&str>,
    ) -> anyhow::Result<Option<i64>> {
        match target {
            Some(text) => Ok(Some(self.resolve(kind, text).await?.id())),
            None => Ok(None),
        }
    }

    async fn show(&self, kind: RecordKind, target: &str, json: bool) -> anyhow::Result<Exit> {
        let record = self.resolve(kind, target).await?;
        let related = self.related(&record).await?;
        if json {
            output::print_json(&serde_json::json!({ "record": record, "related": related }))?;
            return Ok(Exit::Success);
        }
        let language = self.settings.language;
        output::print_table(&output::detail_table(
            language,
            &views::detail_rows(&record, language),
        ))?;
        for group in related.iter().filter(|group| !group.is_empty()) {
            output::print_text(&format!("\n{}\n", group.title(language)))?;
            output::print_table(&views::record_table(&group.records(), language))?;
        }
        Ok(Exit::Success)
    }

    /// Marks a subject or site closed, or a filing cancelled, on `on` (default today).
    async fn close(
        &self,
        kind: RecordKind,
        target: &str,
        on: Option<NaiveDate>,
    ) -> anyhow::Result<Exit> {
        let on = on.unwrap_or_else(|| self.settings.today());
        let record = match self.resolve(kind, target).await? {
            Record::Subject(mut subject) => {
                subject.status = RecordStatus::Closed;
                subject.closed_on = Some(on);
                Record::Subject(subject)
            }
            Record::Website(mut site) => {
                if site.go_live_on.is_some_and(|live| on < live) {
                    return Err(UserError::input(format!(
                        "关闭日期 {on} 早于开通日期 / closing date {on} is before the site went live"
                    ))
                    .with_fix("用 --on 给出正确的关闭日期 / give the right date with --on")
                    .into());
                }
                site.status = RecordStatus::Closed;
                site.closed_on = Some(on);
                Record::Website(site)
            }
            Record::Filing(mut filing) => {
                filing.status = FilingStatus::Cancelled;
                filing.cancelled_on = Some(on);
                Record::Filing(filing)
            }
            other => {
                return Err(UserError::input(format!(
                    "{}不能关闭 / a {} cannot be closed",
                    other.kind().label_zh(),
                    other.kind().as_str()
                ))
                .with_fix("用 rm 删除它 / remove it with rm")
                .into());
            }
        };
        let stored = self.apply(&[Change::Update { record }], &[]).await?;
        for record in &stored {
            output::print_text(&format!(
                "已关闭 / closed: {} #{} {}（{on}）\n",
                record.kind().label_zh(),
                record.id(),
                record.natural_key()
            ))?;
        }
        Ok(Exit::Success)
    }

    async fn remove(&self, kind: RecordKind, target: &str) -> anyhow::Result<Exit> {
        let record = self.resolve(kind, target).await?;
        self.apply(
            &[Change::Delete {
                kind,
                id: record.id(),
            }],
            &[],
        )
        .await?;
        output::print_text(&format!(
            "已删除 / removed: {} #{} {}\n",
            kind.label_zh(),
            record.id(),
            describe(&record)
        ))?;
        Ok(Exit::Success)
    }

    /// Prints what was stored: `已添加 / added: 主体 #1 北京示例科技有限公司 (9111…)`.
    pub fn report_stored(
        &self,
        verb_zh: &str,
        verb_en: &str,
        stored: &[Record],
    ) -> anyhow::Result<()> {
        let mut text = String::new();
        for record in stored {
            text.push_str(&format!(
                "{verb_zh} / {verb_en}: {} #{} {}\n",
                record.kind().label_zh(),
                record.id(),
                describe(record)
            ));
        }
        output::print_text(&text)
    }
}

/// A record as one line: its name and its key.
fn describe(record: &Record) -> String {
    match record {
        Record::Subject(s) => format!("{} ({})", s.name, s.id_number),
        Record::Website(w) => format!("{} ({})", w.name, w.home_url),
        Record::Person(p) => format!("{} ({})", p.name, p.role.as_str()),
        other => other.natural_key().to_owned(),
    }
}

/// `--status` of subjects and sites, checked here so a typo is an error, not an empty list.
fn record_status(text: Option<&str>) -> anyhow::Result<Option<String>> {
    text.map(|text| {
        RecordStatus::parse(text)
            .map(|status| status.as_str().to_owned())
            .ok_or_else(|| unknown_value("--status", text, "active, closed（运行中、已关闭）"))
    })
    .transpose()
}

fn filing_status(text: Option<&str>) -> anyhow::Result<Option<String>> {
    text.map(|text| {
        FilingStatus::parse(text)
            .map(|status| status.as_str().to_owned())
            .ok_or_else(|| {
                unknown_value(
                    "--status",
                    text,
                    "active, pending, cancelled（已备案、审核中、已注销）",
                )
            })
    })
    .transpose()
}

fn filing_kind(text: Option<&str>) -> anyhow::Result<Option<FilingKind>> {
    text.map(|text| {
        FilingKind::parse(text.trim()).ok_or_else(|| {
            let known: Vec<&str> = FilingKind::ALL.iter().map(|kind| kind.as_str()).collect();
            unknown_value("--kind", text, &known.join(", "))
        })
    })
    .transpose()
}

fn unknown_value(flag: &str, value: &str, known: &str) -> anyhow::Error {
    UserError::input(format!(
        "{flag} 的值未知：«{value}» / unknown {flag} value «{value}»"
    ))
    .with_fix(format!("可用的值 / use one of: {known}"))
    .into()
}

/// Turns the entry errors of a draft into one input error listing every field.
pub fn entry_error(errors: FieldErrors) -> anyhow::Error {
    let lines: Vec<String> = errors.0.iter().map(|e| format!("  - {e}")).collect();
    UserError::input(format!("输入有误 / invalid input:\n{}", lines.join("\n")))
        .with_fix("按上面每行的提示改正后重试 / fix each field as its line says, then retry")
        .into()
}
