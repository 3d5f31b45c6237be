//! `beian report --format html|pdf|docx|xlsx [--kind …] [--site S] --out PATH`: documents
//! from the store — the cancellation application and declaration (pre-filled, to sign),
//! the evidence report of a site, the HTML portfolio overview, findings and inventory as
//! XLSX — and `beian audit-log export` (in [`bundle`]). The documents themselves are built
//! by `beian-report`; this module only reads the store and writes files.

mod bundle;
mod gather;

use std::path::{Path, PathBuf};

use beian_report::{
    CancellationKind, CjkFont, Document, cancellation_documents, evidence_document, findings_xlsx,
    portfolio_html, render_docx, render_pdf,
};
use beian_store::AnyStore;
use chrono::Utc;
use clap::{Args, ValueEnum};

use crate::commands::with_store;
use crate::config::Settings;
use crate::error::{Exit, UserError, input_error};
use crate::export::{ExportFormat, run_export};
use crate::import::load_inventory;
use crate::output;
use beian_core::model::Website;
use beian_engine::documents::{DocumentError, Scope};

pub use bundle::export as audit_export;

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// 输出格式 / output format
    #[arg(long, value_enum)]
    pub format: ReportFormat,
    /// 报告类型（默认：html→portfolio，xlsx→findings，pdf/docx→evidence）/ what to produce
    /// (default: html→portfolio, xlsx→findings, pdf/docx→evidence)
    #[arg(long, value_enum)]
    pub kind: Option<ReportKind>,
    /// 网站 ID 或首页网址（evidence、注销网站、取消接入必填）/ site id or home URL
    /// (required for evidence, cancellation-website, cancellation-access)
    #[arg(long, value_name = "SITE")]
    pub site: Option<String>,
    /// 主体 ID 或证件号（注销主体；也可用 --site 指其网站）/ subject id or USCC
    /// (cancellation-subject; --site names it through one of its sites)
    #[arg(long, value_name = "SUBJECT")]
    pub subject: Option<String>,
    /// 接入商（取消接入时取消哪一家；默认网站的第一家）/ access provider (which one
    /// cancellation-access removes; default: the site's first)
    #[arg(long, value_name = "NAME")]
    pub provider: Option<String>,
    /// 注销原因，写入申请与声明函 / reason written into the application and declaration
    #[arg(long)]
    pub reason: Option<String>,
    /// 发现报告包含已解决的 / include resolved findings (findings)
    #[arg(long)]
    pub all: bool,
    /// 输出文件 / output file
    #[arg(long, value_name = "PATH")]
    pub out: PathBuf,
    /// PDF 用的中文字体文件或目录 / CJK font file or directory for PDFs
    #[arg(long, value_name = "PATH", env = "BEIAN_PDF_FONT")]
    pub pdf_font: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Html,
    Pdf,
    Docx,
    Xlsx,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportKind {
    /// 注销网站：申请书与声明函 / cancel a website's filing: application and declaration
    CancellationWebsite,
    /// 注销主体及其全部网站 / cancel the subject and all its websites
    CancellationSubject,
    /// 取消接入 / withdraw an access provider
    CancellationAccess,
    /// 网站监测证据报告 / evidence report of a site
    Evidence,
    /// 资产概览（HTML）/ portfolio overview (HTML)
    Portfolio,
    /// 发现清单（XLSX）/ findings (XLSX)
    Findings,
    /// 备案清单（XLSX）/ the inventory (XLSX)
    Inventory,
}

impl ReportKind {
    fn name(self) -> &'static str {
        match self {
            ReportKind::CancellationWebsite => "cancellation-website",
            ReportKind::CancellationSubject => "cancellation-subject",
            ReportKind::CancellationAccess => "cancellation-access",
            ReportKind::Evidence => "evidence",
            ReportKind::Portfolio => "portfolio",
            ReportKind::Findings => "findings",
            ReportKind::Inventory => "inventory",
        }
    }

    fn formats(self) -> &'static [ReportFormat] {
        match self {
            ReportKind::CancellationWebsite
            | ReportKind::CancellationSubject
            | ReportKind::CancellationAccess
            | ReportKind::Evidence => &[ReportFormat::Pdf, ReportFormat::Docx],
            ReportKind::Portfolio => &[ReportFormat::Html],
            ReportKind::Findings | ReportKind::Inventory => &[ReportFormat::Xlsx],
        }
    }
}

impl ReportFormat {
    fn name(self) -> &'static str {
        match self {
            ReportFormat::Html => "html",
            ReportFormat::Pdf => "pdf",
            ReportFormat::Docx => "docx",
            ReportFormat::Xlsx => "xlsx",
        }
    }

    fn default_kind(self) -> ReportKind {
        match self {
            ReportFormat::Html => ReportKind::Portfolio,
            ReportFormat::Xlsx => ReportKind::Findings,
            ReportFormat::Pdf | ReportFormat::Docx => ReportKind::Evidence,
        }
    }
}

#[derive(Debug, Args)]
pub struct AuditExportArgs {
    /// 网站 ID 或首页网址 / site id or home URL
    #[arg(long, value_name = "SITE")]
    pub site: String,
    /// 证据包目录（须不存在或为空；默认 ./evidence-site<ID>-<时间>）/ bundle directory (new or
    /// empty; default ./evidence-site<ID>-<time>)
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// PDF 用的中文字体文件或目录 / CJK font file or directory for the PDF report
    #[arg(long, value_name = "PATH", env = "BEIAN_PDF_FONT")]
    pub pdf_font: Option<PathBuf>,
    /// 输出 manifest JSON / print the manifest as JSON
    #[arg(long)]
    pub json: bool,
}

pub async fn run(args: &ReportArgs, settings: &Settings) -> anyhow::Result<Exit> {
    let kind = args.kind.unwrap_or_else(|| args.format.default_kind());
    if !kind.formats().contains(&args.format) {
        let formats: Vec<&str> = kind.formats().iter().map(|f| f.name()).collect();
        return input_error(
            format!(
                "报告类型 {} 没有 {} 格式 / report kind {} has no {} format",
                kind.name(),
                args.format.name(),
                kind.name(),
                args.format.name()
            ),
            format!(
                "改用 --format {} / use --format {}",
                formats.join("|"),
                formats.join("|")
            ),
        );
    }
    // Find the font before reading the store: a missing font should fail fast.
    let font = match args.format {
        ReportFormat::Pdf => Some(CjkFont::discover(args.pdf_font.as_deref())?),
        _ => None,
    };
    let bytes = with_store(settings, async |store| {
        produce(kind, args, font.as_ref(), store, settings).await
    })
    .await?;
    if let Some(bytes) = bytes {
        write_output(&args.out, &bytes)?;
    }
    output::print_text(&format!(
        "已生成 / wrote {} ({})\n",
        args.out.display(),
        kind.name()
    ))?;
    Ok(Exit::Success)
}

/// The file's bytes; `None` when the export wrote the file itself.
async fn produce(
    kind: ReportKind,
    args: &ReportArgs,
    font: Option<&CjkFont>,
    store: &AnyStore,
    settings: &Settings,
) -> anyhow::Result<Option<Vec<u8>>> {
    let site = match &args.site {
        Some(site) => Some(gather::resolve_site(store, settings, site).await?),
        None => None,
    };
    let documents: Vec<Document> = match kind {
        ReportKind::Inventory => {
            run_export(store, ExportFormat::Xlsx, Some(&args.out)).await?;
            return Ok(None);
        }
        ReportKind::Findings => {
            let rows = gather::finding_rows(store, scope(site.as_ref()), args.all)
                .await
                .map_err(document_error)?;
            return Ok(Some(findings_xlsx(&rows)?));
        }
        ReportKind::Portfolio => {
            let report = gather::portfolio(store, settings.today(), scope(site.as_ref()))
                .await
                .map_err(document_error)?;
            return Ok(Some(portfolio_html(&report).into_bytes()));
        }
        ReportKind::Evidence => {
            let website = require_site(site, kind)?;
            let evidence = gather::site_evidence(store, website)
                .await
                .map_err(document_error)?;
            vec![evidence_document(&evidence.report(Utc::now()))]
        }
        ReportKind::CancellationWebsite
        | ReportKind::CancellationAccess
        | ReportKind::CancellationSubject => {
            let input = cancellation_input(kind, args, site, store, settings).await?;
            cancellation_documents(&input)
        }
    };
    Ok(Some(match font {
        Some(font) => render_pdf(&documents, font)?,
        None => render_docx(&documents)?,
    }))
}

async fn cancellation_input(
    kind: ReportKind,
    args: &ReportArgs,
    site: Option<beian_core::model::Website>,
    store: &AnyStore,
    settings: &Settings,
) -> anyhow::Result<beian_report::CancellationDocument> {
    let inventory = load_inventory(store).await?;
    let subject = match (&args.subject, &site) {
        (Some(subject), _) => gather::resolve_subject(store, settings, subject).await?,
        (None, Some(site)) => gather::subject_of(&inventory, site).map_err(document_error)?,
        (None, None) if kind == ReportKind::CancellationSubject => {
            return input_error(
                "注销主体需要指明主体 / cancellation-subject needs the subject",
                "加上 --subject 证件号 或 --site 其网站 / add --subject USCC or --site one of its sites",
            );
        }
        (None, None) => return Err(missing_site(kind)),
    };
    let (cancellation, site) = match kind {
        ReportKind::CancellationSubject => (CancellationKind::Subject, None),
        ReportKind::CancellationAccess => {
            (CancellationKind::Access, Some(require_site(site, kind)?))
        }
        _ => (CancellationKind::Website, Some(require_site(site, kind)?)),
    };
    let provider = match (cancellation, &site) {
        (CancellationKind::Access, Some(site)) => Some(
            gather::provider_to_remove(site, args.provider.as_deref()).map_err(document_error)?,
        ),
        _ => args.provider.clone(),
    };
    let request = gather::CancellationRequest {
        kind: cancellation,
        subject: &subject,
        site: site.as_ref(),
        provider,
        reason: args.reason.clone(),
    };
    Ok(gather::cancellation(&inventory, &request, settings.today()))
}

/// Which sites a findings sheet or portfolio covers: the one named, or all.
fn scope(site: Option<&Website>) -> Scope<'_> {
    site.map_or(Scope::All, Scope::Site)
}

/// A store failure stays one; anything else the documents could not be filled from is
/// the input's fault and says its fix.
fn document_error(error: DocumentError) -> anyhow::Error {
    match error {
        DocumentError::Store(error) => error.into(),
        other => UserError::input(other.to_string()).into(),
    }
}

fn require_site(
    site: Option<beian_core::model::Website>,
    kind: ReportKind,
) -> anyhow::Result<beian_core::model::Website> {
    site.ok_or_else(|| missing_site(kind))
}

fn missing_site(kind: ReportKind) -> anyhow::Error {
    UserError::input(format!(
        "报告类型 {} 需要指明网站 / report kind {} needs a site",
        kind.name(),
        kind.name()
    ))
    .with_fix("加上 --site 网站ID或首页网址 / add --site ID|HOME_URL")
    .into()
}

fn write_output(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    std::fs::write(path, bytes).map_err(|e| {
        UserError::input(format!(
            "无法写入 {}：{e} / cannot write {}",
            path.display(),
            path.display()
        ))
        .with_fix("确认目录存在且可写 / check that the directory exists and is writable")
        .into()
    })
}
