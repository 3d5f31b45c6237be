//! `beian lab [--bulk N] [--write-config PATH] [--portfolio PATH]`: runs the simulated internet in this process,
//! prints the `beian.toml` that points the CLI at it and a table of its sites, and serves
//! until Ctrl-C.

use std::path::Path;

use beian_lab::{Lab, LabOptions, LabSite, ScenarioKind};

use crate::cli::LabArgs;
use crate::config::Language;
use crate::error::{Exit, UserError};
use crate::output::{self, header};

/// Bulk sites listed one by one; the rest are summarised in one line.
const BULK_ROWS_SHOWN: usize = 3;

/// Starts the lab; its errors name the address that could not be bound.
pub async fn start_lab(bulk_healthy_sites: usize) -> Result<Lab, UserError> {
    Lab::start(LabOptions {
        bulk_healthy_sites,
        ..LabOptions::default()
    })
    .await
    .map_err(|error| {
        UserError::input(format!("实验室无法启动 / the lab cannot start: {error}"))
            .with_fix("确认本机可以监听 127.0.0.x 回环地址 / make sure loopback addresses 127.0.0.x can be bound")
    })
}

pub async fn run(args: &LabArgs, language: Language) -> anyhow::Result<Exit> {
    let lab = start_lab(args.bulk).await?;
    let toml = lab.beian_toml();
    if let Some(path) = &args.write_config {
        write_file(path, &toml)?;
    }
    if let Some(path) = &args.portfolio {
        write_file(path, &beian_lab::portfolio_csv(&lab))?;
    }
    let mut text = String::new();
    text.push_str(&toml);
    text.push('\n');
    text.push_str(&sites_table(lab.sites(), language).to_string());
    text.push('\n');
    if let Some(path) = &args.write_config {
        text.push_str(&format!(
            "已写入 / wrote {}；另开终端运行 / in another terminal run: beian --config {} check <域名 domain>\n",
            path.display(),
            path.display()
        ));
    }
    if let Some(path) = &args.portfolio {
        text.push_str(&format!(
            "已写入清单 / wrote the portfolio {}：beian import {} 后运行 / import it, then run: beian scan --all\n",
            path.display(),
            path.display()
        ));
    }
    text.push_str("实验室运行中，按 Ctrl-C 停止 / the lab is running; press Ctrl-C to stop\n");
    output::print_text(&text)?;
    let stopped = tokio::signal::ctrl_c().await;
    lab.shutdown().await;
    if let Err(error) = stopped {
        return Err(
            UserError::input(format!("无法等待 Ctrl-C / cannot wait for Ctrl-C: {error}"))
                .with_fix(
                    "在终端中前台运行 beian lab / run beian lab in the foreground of a terminal",
                )
                .into(),
        );
    }
    Ok(Exit::Success)
}

fn write_file(path: &Path, text: &str) -> Result<(), UserError> {
    std::fs::write(path, text).map_err(|err| {
        UserError::input(format!(
            "无法写入 {} / cannot write {}: {err}",
            path.display(),
            path.display()
        ))
        .with_fix("选择一个可写的路径 / choose a path you can write to")
    })
}

fn sites_table(sites: &[LabSite], language: Language) -> comfy_table::Table {
    let mut table = output::table(
        language,
        &[
            header("场景", "Scenario"),
            header("域名", "Domain"),
            header("网址", "URL"),
            header("说明", "Description"),
        ],
    );
    let bulk = sites
        .iter()
        .filter(|site| site.scenario == ScenarioKind::BulkHealthy)
        .count();
    let mut bulk_shown = 0;
    for site in sites {
        if site.scenario == ScenarioKind::BulkHealthy {
            if bulk_shown == BULK_ROWS_SHOWN {
                continue;
            }
            bulk_shown += 1;
        }
        let description = match language {
            Language::Zh => site.description_zh,
            Language::En => site.description_en,
        };
        table.add_row([
            site.scenario.as_str().to_owned(),
            site.domain.clone(),
            site.url.to_string(),
            description.to_owned(),
        ]);
    }
    if bulk > bulk_shown {
        table.add_row([
            ScenarioKind::BulkHealthy.as_str().to_owned(),
            "…".to_owned(),
            "…".to_owned(),
            match language {
                Language::Zh => format!("另有 {} 个批量网站", bulk - bulk_shown),
                Language::En => format!("{} more bulk sites", bulk - bulk_shown),
            },
        ]);
    }
    table
}
