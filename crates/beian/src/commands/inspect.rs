//! `beian inspect whois|rdap FILE`: a saved answer analysed offline, printed as the stable
//! registration JSON (README "Stable interfaces"): `registered`, `created_at`, `expires_at`,
//! `updated_at`, `registrar`, `registrant`, `statuses`, `nameservers`, and more keys after them.
//!
//! `beian inspect page FILE` and `beian inspect site DIR`: saved pages analysed offline by the
//! detectors, printed with the stable keys `verdict` and `signals` first (README).

use std::path::Path;

use beian_probe::{
    RdapParseError, RecordSource, RegistrationRecord, WhoisOutcome, decode_whois_bytes,
    parse_rdap_domain, parse_whois,
};

use serde::Serialize;

use crate::cli::InspectCommand;
use crate::error::{Exit, UserError};
use crate::output;

mod detection;

/// The record in its own key order, with how the WHOIS answer was read after it.
#[derive(Debug, Serialize)]
struct Inspected {
    #[serde(flatten)]
    record: RegistrationRecord,
    #[serde(skip_serializing_if = "Option::is_none")]
    whois_outcome: Option<WhoisOutcome>,
}

pub fn run(command: &InspectCommand) -> anyhow::Result<Exit> {
    let inspected = match command {
        InspectCommand::Whois {
            file,
            server,
            domain,
        } => inspect_whois(file, server.as_deref(), domain.as_deref())?,
        InspectCommand::Rdap { file } => inspect_rdap(file)?,
        InspectCommand::Page {
            file,
            url,
            persona,
            owner_domain,
            expected_icp,
            expected_psb,
        } => {
            return detection::inspect_page(&detection::PageRequest {
                file,
                url: url.as_deref(),
                persona,
                owner_domain: owner_domain.as_deref(),
                expected_icp: expected_icp.as_deref(),
                expected_psb: expected_psb.as_deref(),
            });
        }
        InspectCommand::Site {
            dir,
            owner_domain,
            expected_icp,
            expected_psb,
        } => {
            return detection::inspect_site(
                dir,
                owner_domain.as_deref(),
                expected_icp.as_deref(),
                expected_psb.as_deref(),
            );
        }
    };
    output::print_json(&inspected)?;
    Ok(Exit::Success)
}

fn read_file(path: &Path) -> Result<Vec<u8>, UserError> {
    std::fs::read(path).map_err(|err| {
        UserError::input(format!(
            "无法读取 {} / cannot read {}: {err}",
            path.display(),
            path.display()
        ))
        .with_fix("给出保存的应答文件路径 / name the file holding the saved answer")
    })
}

fn inspect_whois(
    path: &Path,
    server: Option<&str>,
    domain: Option<&str>,
) -> Result<Inspected, UserError> {
    let text = decode_whois_bytes(&read_file(path)?);
    let parse = parse_whois(&text, server, domain);
    match parse.outcome {
        WhoisOutcome::Registered | WhoisOutcome::NotRegistered | WhoisOutcome::Reserved => {}
        WhoisOutcome::RateLimited => {
            return Err(UserError::input(format!(
                "{} 是限流提示，不含注册信息 / {} is a rate-limit notice, not registration data",
                path.display(),
                path.display()
            ))
            .with_fix("稍后重新查询并保存应答 / query again later and save that answer"));
        }
        WhoisOutcome::Unrecognised => {
            return Err(UserError::input(format!(
                "{} 不是可识别的 WHOIS 应答 / {} is not a WHOIS answer we recognise",
                path.display(),
                path.display()
            ))
            .with_fix("用 --server（如 whois.cnnic.cn）或 --domain 指明来源；确认文件是端口 43 的原始应答 / name its source with --server or --domain, and check the file is the raw port-43 answer"));
        }
    }
    Ok(Inspected {
        record: parse.record,
        whois_outcome: Some(parse.outcome),
    })
}

fn inspect_rdap(path: &Path) -> Result<Inspected, UserError> {
    let bytes = read_file(path)?;
    let record = match parse_rdap_domain(&bytes) {
        Ok(record) => record,
        // A saved 404 body is RDAP's "no such domain": a definite answer, not an error.
        Err(RdapParseError::ErrorResponse { code: 404, .. }) => {
            RegistrationRecord::empty(RecordSource::Rdap)
        }
        Err(error) => return Err(UserError::input(format!(
            "{} 不是 RDAP 域名应答 / {} is not an RDAP domain answer: {error}",
            path.display(),
            path.display()
        ))
        .with_fix("保存 RDAP 服务器 /domain/<域名> 的原始 JSON 应答 / save the raw JSON body of the server's /domain/<name> answer")),
    };
    Ok(Inspected {
        record,
        whois_outcome: None,
    })
}
