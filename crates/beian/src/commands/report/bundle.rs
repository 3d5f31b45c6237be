//! `beian audit-log export --site S [--out DIR]`: the evidence bundle of one site — the
//! audit entries touching it (JSONL, with seq, hash and prev_hash), its observations,
//! findings, cases and inventory records (JSON), the evidence report (PDF when a CJK font
//! exists, DOCX always) and a manifest with the SHA-256 of every file.

use std::path::{Path, PathBuf};

use beian_core::audit::ChainVerdict;
use beian_report::{BundleWriter, CjkFont, evidence_document, render_docx, render_pdf};
use chrono::Utc;
use serde::Serialize;
use serde_json::json;

use super::AuditExportArgs;
use super::gather::{SiteEvidence, resolve_site, site_evidence};
use crate::commands::with_store;
use crate::config::Settings;
use crate::error::Exit;
use crate::output;

/// An observation as stored, its body parsed back to JSON (kept as text if it is not JSON).
#[derive(Serialize)]
struct ObservationOut {
    scan_id: i64,
    observed_at: chrono::DateTime<Utc>,
    observation: serde_json::Value,
}

pub async fn export(args: &AuditExportArgs, settings: &Settings) -> anyhow::Result<Exit> {
    let evidence = with_store(settings, async |store| {
        let website = resolve_site(store, settings, &args.site).await?;
        site_evidence(store, website)
            .await
            .map_err(super::document_error)
    })
    .await?;
    let generated_at = Utc::now();
    let dir = args.out.clone().unwrap_or_else(|| {
        PathBuf::from(format!(
            "evidence-site{}-{}",
            evidence.website.id,
            generated_at.format("%Y%m%dT%H%M%SZ")
        ))
    });
    let (manifest, pdf_note) =
        write_bundle(&dir, &evidence, generated_at, args.pdf_font.as_deref())?;
    if let Some(note) = &pdf_note {
        eprintln!(
            "警告 / warning: 证据报告未生成 PDF，仅有 DOCX / no PDF evidence report, DOCX only: {note}"
        );
    }
    if args.json {
        output::print_json(&manifest)?;
    } else {
        output::print_text(&format!(
            "证据包已写入 / evidence bundle written: {}（{} 个文件 files + manifest.json, SHA256SUMS）\n",
            dir.display(),
            manifest.files.len()
        ))?;
    }
    Ok(Exit::Success)
}

fn write_bundle(
    dir: &Path,
    evidence: &SiteEvidence,
    generated_at: chrono::DateTime<Utc>,
    pdf_font: Option<&Path>,
) -> anyhow::Result<(beian_report::Manifest, Option<String>)> {
    let mut bundle = BundleWriter::create(dir)?;

    let mut jsonl = String::new();
    for entry in &evidence.audit {
        jsonl.push_str(&serde_json::to_string(entry)?);
        jsonl.push('\n');
    }
    bundle.add(
        "audit.jsonl",
        jsonl.as_bytes(),
        "审计记录（每行一条，含 seq、hash、prev_hash）/ audit entries touching the site, one per line",
    )?;

    let observations: Vec<ObservationOut> = evidence
        .observations
        .iter()
        .map(|o| ObservationOut {
            scan_id: o.scan_id,
            observed_at: o.observed_at,
            observation: serde_json::from_str(&o.body)
                .unwrap_or_else(|_| serde_json::Value::String(o.body.clone())),
        })
        .collect();
    add_json(
        &mut bundle,
        "observations.json",
        &observations,
        "每次扫描的观测 / what each scan observed",
    )?;
    add_json(
        &mut bundle,
        "findings.json",
        &evidence.findings,
        "发现（含已解决）/ findings, resolved ones included",
    )?;
    add_json(
        &mut bundle,
        "cases.json",
        &evidence.cases,
        "工单及其历史 / cases and their events",
    )?;
    add_json(
        &mut bundle,
        "inventory.json",
        &json!({
            "subject": evidence.subject,
            "website": evidence.website,
            "domains": evidence.domains,
            "filings": evidence.filings,
        }),
        "网站、主体、域名与备案记录 / the site's inventory records",
    )?;

    let report = evidence.report(generated_at);
    let document = evidence_document(&report);
    bundle.add(
        "evidence-report.docx",
        &render_docx(std::slice::from_ref(&document))?,
        "证据报告（可编辑）/ evidence report, editable",
    )?;
    let pdf_note = match CjkFont::discover(pdf_font)
        .and_then(|font| render_pdf(std::slice::from_ref(&document), &font))
    {
        Ok(pdf) => {
            bundle.add("evidence-report.pdf", &pdf, "证据报告 / evidence report")?;
            None
        }
        Err(error) => {
            let note = error.to_string();
            bundle.add(
                "evidence-report-pdf-missing.txt",
                format!("未生成 PDF 证据报告 / no PDF evidence report was generated:\n{note}\n")
                    .as_bytes(),
                "为何没有 PDF / why there is no PDF",
            )?;
            Some(note)
        }
    };

    let chain = match &evidence.chain {
        ChainVerdict::Intact { entries, last_hash } => json!({
            "status": "intact", "entries": entries, "last_hash": last_hash
        }),
        broken => serde_json::to_value(broken)?,
    };
    let about = json!({
        "generator": format!("beian {}", env!("CARGO_PKG_VERSION")),
        "generated_at": generated_at,
        "site": {
            "id": evidence.website.id,
            "name": evidence.website.name,
            "home_url": evidence.website.home_url,
        },
        "subject": evidence.subject.as_ref().map(|s| json!({
            "id": s.id, "name": s.name, "id_number": s.id_number,
        })),
        "period": report.period,
        "audit_entries": evidence.audit.len(),
        "audit_chain": chain,
    });
    Ok((bundle.finish(about)?, pdf_note))
}

fn add_json<T: Serialize + ?Sized>(
    bundle: &mut BundleWriter,
    name: &str,
    value: &T,
    description: &str,
) -> anyhow::Result<()> {
    let mut text = serde_json::to_string_pretty(value)?;
    text.push('\n');
    bundle.add(name, text.as_bytes(), description)?;
    Ok(())
}
