//! `beian validate NUMBER…`: what each identifier is, its canonical form and parts,
//! and what is wrong with it. Exit 2 when any is invalid.

use beian_core::identifier::{
    self, IdentifierKind, Issue, IssueSeverity, Validation, ValidationContext,
};

use beian_core::model::SubjectKind;

use crate::cli::{ValidateArgs, ValidateAs};
use crate::config::Language;
use crate::error::Exit;
use crate::output::{self, header};

pub fn run(
    args: &ValidateArgs,
    context: &ValidationContext,
    language: Language,
) -> anyhow::Result<Exit> {
    let validations: Vec<Validation> = args
        .numbers
        .iter()
        .map(|number| validate_as(args.as_kind, number, context))
        .collect();
    if args.json {
        output::print_json(&validations)?;
    } else {
        output::print_table(&validation_table(&validations, language))?;
    }
    let invalid = validations.iter().filter(|v| !v.is_valid()).count();
    if invalid == 0 {
        return Ok(Exit::Success);
    }
    eprintln!(
        "错误 / error: {invalid} 个号码无效（共 {}）/ {invalid} of {} invalid",
        validations.len(),
        validations.len()
    );
    Ok(Exit::InputError)
}

fn validate_as(as_kind: ValidateAs, input: &str, context: &ValidationContext) -> Validation {
    match as_kind {
        ValidateAs::Auto => identifier::validate(input, context),
        ValidateAs::Filing => identifier::validate_filing_number(input, context),
        ValidateAs::SubjectId => validate_subject_id(input, context),
        ValidateAs::Domain => identifier::validate_domain(input, context),
    }
}

/// A USCC or a resident ID, whichever the text is: checked as a company's USCC first,
/// and as an individual's ID when the validator says that is what it is.
pub fn validate_subject_id(input: &str, context: &ValidationContext) -> Validation {
    let as_company = identifier::validate_subject_id(input, SubjectKind::Company, context);
    if as_company.kind == Some(IdentifierKind::ResidentId) {
        identifier::validate_subject_id(input, SubjectKind::Individual, context)
    } else {
        as_company
    }
}

pub fn validation_table(validations: &[Validation], language: Language) -> comfy_table::Table {
    let mut table = output::table(
        language,
        &[
            header("输入", "Input"),
            header("类型", "Kind"),
            header("规范形式", "Canonical"),
            header("组成部分", "Parts"),
            header("问题", "Issues"),
        ],
    );
    for validation in validations {
        let parts: Vec<String> = validation
            .parts
            .iter()
            .map(|part| format!("{}={}", part.name, part.value))
            .collect();
        let issues: Vec<String> = validation
            .issues
            .iter()
            .map(|issue| issue_line(issue, language))
            .collect();
        table.add_row([
            validation.input.clone(),
            validation.kind.map_or_else(
                || match language {
                    Language::Zh => "无法识别".to_owned(),
                    Language::En => "unrecognised".to_owned(),
                },
                |kind| kind_label(kind, language).to_owned(),
            ),
            output::or_dash(validation.canonical.as_deref()),
            if parts.is_empty() {
                "-".to_owned()
            } else {
                parts.join("\n")
            },
            if issues.is_empty() {
                "-".to_owned()
            } else {
                issues.join("\n")
            },
        ]);
    }
    table
}

fn issue_line(issue: &Issue, language: Language) -> String {
    let severity = match (issue.severity, language) {
        (IssueSeverity::Error, Language::Zh) => "错误",
        (IssueSeverity::Warning, Language::Zh) => "警告",
        (IssueSeverity::Info, Language::Zh) => "提示",
        (IssueSeverity::Error, Language::En) => "error",
        (IssueSeverity::Warning, Language::En) => "warning",
        (IssueSeverity::Info, Language::En) => "note",
    };
    // The hint on a line of its own keeps the column narrow enough to read.
    match &issue.hint {
        Some(hint) => format!("{severity} {}: {}\n  → {hint}", issue.code, issue.message),
        None => format!("{severity} {}: {}", issue.code, issue.message),
    }
}

pub fn kind_label(kind: IdentifierKind, language: Language) -> &'static str {
    let (zh, en) = match kind {
        IdentifierKind::IcpSubject => ("ICP主体备案号", "ICP subject filing"),
        IdentifierKind::IcpWebsite => ("ICP网站备案号", "ICP website filing"),
        IdentifierKind::IcpApp => ("App备案号", "app filing"),
        IdentifierKind::IcpMiniProgram => ("小程序备案号", "mini-program filing"),
        IdentifierKind::IcpQuickApp => ("快应用备案号", "quick-app filing"),
        IdentifierKind::IcpLicence => ("ICP经营许可证", "ICP licence"),
        IdentifierKind::IcpLicenceSite => ("ICP许可证网站编号", "ICP licence website number"),
        IdentifierKind::VatLicence => ("增值电信业务经营许可证", "VAT licence"),
        IdentifierKind::VatLicenceSite => ("增值电信许可证网站编号", "VAT licence website number"),
        IdentifierKind::DomainRegistrarLicence => ("域名注册服务许可", "registrar licence"),
        IdentifierKind::Psb => ("公安联网备案号", "PSB filing"),
        IdentifierKind::Uscc => ("统一社会信用代码", "USCC"),
        IdentifierKind::ResidentId => ("居民身份证号码", "resident ID"),
        IdentifierKind::Domain => ("域名", "domain"),
    };
    match language {
        Language::Zh => zh,
        Language::En => en,
    }
}
