//! `beian import`, `beian export` and `beian bench import`: flag handling around the
//! import/export modules, which do the work.

use std::path::PathBuf;

use crate::cli::{BenchCommand, ExportArgs, ExportFormatArg, ImportArgs, TemplateFormatArg};
use crate::commands::with_store;
use crate::config::Settings;
use crate::error::{Exit, input_error};
use crate::import::RenderReport as _;
use crate::{bench, export, import, output};

pub async fn import(args: &ImportArgs, settings: &Settings) -> anyhow::Result<Exit> {
    if let Some(format) = args.template {
        let (format, default_name) = match format {
            TemplateFormatArg::Xlsx => (import::TemplateFormat::Xlsx, "beian-import-template.xlsx"),
            TemplateFormatArg::Csv => (import::TemplateFormat::Csv, "beian-import-template.csv"),
        };
        let path = args
            .output
            .clone()
            .unwrap_or_else(|| PathBuf::from(default_name));
        import::write_template(&path, format)?;
        output::print_text(&format!(
            "已写入模板 / template written: {}\n",
            path.display()
        ))?;
        return Ok(Exit::Success);
    }
    let Some(file) = &args.file else {
        return input_error(
            "缺少要导入的文件 / no file to import",
            "给出 XLSX 或 CSV 文件，或用 --template 写出模板 / name an XLSX or CSV file, or pass --template",
        );
    };
    let options = import::ImportOptions {
        dry_run: args.dry_run,
        // Who, and from which file: `cli:alice import:portfolio.xlsx`.
        actor: format!(
            "{} import:{}",
            settings.actor,
            file.file_name().map_or_else(
                || file.display().to_string(),
                |name| name.to_string_lossy().into_owned()
            )
        ),
        today: settings.today(),
        fileable_tlds: settings.validation.fileable_tlds.clone(),
    };
    let report = with_store(settings, async |store| {
        import::run_import(store, file, &options).await
    })
    .await?;
    if args.json {
        output::print_json(&report)?;
    } else {
        output::print_text(&report.render(settings.language))?;
    }
    if report.is_ok() {
        Ok(Exit::Success)
    } else {
        eprintln!(
            "错误 / error: {} 有错误，数据库未改动 / {} has errors; nothing was written",
            file.display(),
            file.display()
        );
        Ok(Exit::InputError)
    }
}

pub async fn export(args: &ExportArgs, settings: &Settings) -> anyhow::Result<Exit> {
    let format = match args.format {
        ExportFormatArg::Xlsx => export::ExportFormat::Xlsx,
        ExportFormatArg::Csv => export::ExportFormat::Csv,
        ExportFormatArg::Json => export::ExportFormat::Json,
    };
    with_store(settings, async |store| {
        export::run_export(store, format, args.output.as_deref()).await
    })
    .await?;
    Ok(Exit::Success)
}

pub async fn bench(command: &BenchCommand, settings: &Settings) -> anyhow::Result<Exit> {
    match command {
        BenchCommand::Import { rows } => {
            let result = bench::bench_import(*rows).await?;
            output::print_json(&result)?;
            Ok(Exit::Success)
        }
        BenchCommand::Probes { sites, concurrency } => {
            super::bench_probes::run(*sites, *concurrency, settings).await
        }
        BenchCommand::Detect { corpus } => super::bench_detect::run(corpus.as_deref()),
        BenchCommand::Rules { sites } => super::bench_rules::run(*sites),
        BenchCommand::Serve {
            sites,
            findings,
            clients,
            seconds,
            bench_store,
            with_scan,
        } => {
            super::bench_serve::run(super::bench_serve::ServeBench {
                sites: *sites as usize,
                findings: *findings as usize,
                clients: *clients as usize,
                seconds: *seconds,
                database: bench_store.clone(),
                with_scan: *with_scan,
            })
            .await
        }
    }
}
