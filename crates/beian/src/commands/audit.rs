//! `beian audit-log verify|list`. A broken chain is a finding (exit 1), not an error:
//! the command worked, and what it found is that someone edited the log.

use beian_core::audit::{AuditEntry, ChainBreak, ChainVerdict};
use beian_store::{AuditQuery, Store};

use crate::cli::AuditLogCommand;
use crate::commands::tables::rows_table;
use crate::commands::with_store;
use crate::config::{Language, Settings};
use crate::error::{Exit, input_error};
use crate::output::{self, header};

pub async fn run(command: &AuditLogCommand, settings: &Settings) -> anyhow::Result<Exit> {
    match command {
        AuditLogCommand::Verify { json } => verify(*json, settings).await,
        AuditLogCommand::List {
            entity,
            id,
            limit,
            json,
        } => list(entity.as_deref(), *id, *limit, *json, settings).await,
        AuditLogCommand::Export(args) => {
            crate::commands::report::audit_export(args, settings).await
        }
    }
}

async fn verify(json: bool, settings: &Settings) -> anyhow::Result<Exit> {
    let verdict = with_store(settings, async |store| {
        Ok(store.verify_audit_chain().await?)
    })
    .await?;
    if json {
        output::print_json(&verdict)?;
    }
    match verdict {
        ChainVerdict::Intact { entries, last_hash } => {
            if !json {
                output::print_text(&format!(
                    "审计链完整 / intact: {entries} 条记录 entries, 最后哈希 last hash {last_hash}\n"
                ))?;
            }
            Ok(Exit::Success)
        }
        ChainVerdict::Broken {
            entries_checked,
            seq,
            reason,
        } => {
            eprintln!(
                "审计链损坏 / audit chain broken: 第 {seq} 条 / entry seq {seq}: {}（前 {entries_checked} 条完好 / {entries_checked} entries before it intact）",
                describe_break(reason)
            );
            eprintln!(
                "  修复 / fix: 从备份恢复数据库，并查明是谁绕过 beian 修改了 audit_log / restore the database from a backup and find out who edited audit_log outside beian"
            );
            Ok(Exit::Findings)
        }
    }
}

fn describe_break(reason: ChainBreak) -> &'static str {
    match reason {
        ChainBreak::HashMismatch => {
            "内容与哈希不符，记录被改动过 / its fields do not match its hash: the entry was edited"
        }
        ChainBreak::PrevHashMismatch => {
            "前一条哈希不符，记录被删除或重排 / prev_hash does not match: an entry was removed or reordered"
        }
        ChainBreak::SeqGap => {
            "序号不连续，记录被删除或插入 / seq skips or repeats: an entry was deleted or inserted"
        }
    }
}

async fn list(
    entity: Option<&str>,
    entity_id: Option<i64>,
    limit: u32,
    json: bool,
    settings: &Settings,
) -> anyhow::Result<Exit> {
    if let Some(entity) = entity
        && beian_core::model::RecordKind::parse(entity).is_none()
    {
        return input_error(
            format!("未知的实体类型 {entity} / unknown entity {entity}"),
            "使用 subject、website、domain、filing、person 或 access_provider / use one of subject, website, domain, filing, person, access_provider",
        );
    }
    let query = AuditQuery {
        entity: entity.map(str::to_owned),
        entity_id,
        limit,
        ..AuditQuery::default()
    };
    let entries = with_store(settings, async |store| {
        Ok(store.audit_entries(&query).await?)
    })
    .await?;
    if json {
        output::print_json(&entries)?;
    } else {
        output::print_table(&audit_table(&entries, settings.language))?;
    }
    Ok(Exit::Success)
}

fn audit_table(entries: &[AuditEntry], language: Language) -> comfy_table::Table {
    rows_table(
        language,
        [
            header("序号", "Seq"),
            header("时间", "At"),
            header("操作人", "Actor"),
            header("操作", "Action"),
            header("对象", "Entity"),
            header("ID", "ID"),
            header("哈希", "Hash"),
        ],
        entries,
        |entry| {
            [
                entry.seq.to_string(),
                entry.at.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
                entry.actor.clone(),
                entry.action.clone(),
                entry.entity.clone(),
                output::or_dash(entry.entity_id),
                entry.hash.chars().take(12).collect(),
            ]
        },
    )
}
