//! Auto-detection: which identifier a string is, tried from the most specific shape to
//! the least (a licence is found before an ICP label because 京ICP证B2-… holds both).

use super::report::bilingual;
use super::{
    IdentifierKind, Validation, ValidationContext, domain, icp, licence, psb, resident_id, uscc,
};
use crate::model::SubjectKind;

/// Splits `label:value` footers ("沪ICP证:沪B2-20100043", "北京市公安局朝阳分局备案编号:
/// 110105000501"). Only a word label counts: URLs and ports keep their colons.
fn split_label(text: &str) -> Option<(&str, &str)> {
    let (label, value) = text.rsplit_once(':')?;
    let wordy = !label.is_empty()
        && !value.is_empty()
        && !value.starts_with("//")
        && !label.is_ascii()
        && !label
            .bytes()
            .any(|b| b.is_ascii_digit() || b == b'/' || b == b'.');
    wordy.then_some((label, value))
}

/// Detects and parses the normalised text into `v`.
fn classify(v: &mut Validation, ctx: &ValidationContext) {
    // The parsers write into `v` while they read the text, so the text is lent out of `v`
    // for the time rather than copied (no parser reads `v.normalised`).
    let normalised = std::mem::take(&mut v.normalised);
    classify_text(v, &normalised, ctx);
    v.normalised = normalised;
}

fn classify_text(v: &mut Validation, normalised: &str, ctx: &ValidationContext) {
    let mut text = normalised;
    if let Some((label, value)) = split_label(text) {
        if label.contains("公安")
            && (12..=14).contains(&value.len())
            && value.bytes().all(|b| b.is_ascii_digit())
            && psb::parse_bureau_label(v, value)
        {
            return;
        }
        v.note(
            "label_removed",
            bilingual(format!("已忽略标签「{label}:」"), "leading label ignored"),
        );
        text = value;
    }
    if text.is_empty() {
        v.error(
            "empty",
            bilingual("没有输入内容", "nothing to validate"),
            Some(bilingual(
                "输入备案号、许可证号、信用代码、身份证号或域名",
                "enter a filing or licence number, USCC, ID number or domain",
            )),
        );
        return;
    }
    if let Some((label, licence_text)) = licence::find(text) {
        licence::parse(v, text, &label, &licence_text, ctx);
    } else if icp::mentions_icp(text) {
        icp::parse(v, text, ctx);
    } else if psb::mentions_psb(text) {
        psb::parse(v, text);
    } else if resident_id::looks_like(text)
        && (text.len() == 15 || !uscc::looks_like(text) || prefers_resident_id(text, ctx))
    {
        resident_id::parse(v, text, ctx);
    } else if uscc::looks_like(text) {
        uscc::parse(v, text);
    } else if (12..=14).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit()) {
        psb::parse_bare(v, text);
    } else if domain::looks_like(text) {
        domain::parse(v, text, ctx);
    } else {
        v.error(
            "unrecognised",
            bilingual(format!("无法识别「{text}」"), format!("'{text}' is not a recognised identifier")),
            Some(bilingual(
                "支持：ICP 备案号/许可证号、增值电信许可证、公网安备号、统一社会信用代码、身份证号、域名",
                "accepted: ICP filing/licence numbers, VAT licences, PSB numbers, USCC, resident ID, domains",
            )),
        );
    }
}

/// 18 digits can be both a resident ID and an all-digit USCC (914403001922038216): the
/// one whose check passes wins; if neither does, the ID when it has an ID's structure.
fn prefers_resident_id(text: &str, ctx: &ValidationContext) -> bool {
    resident_id::check_passes(text)
        || (!uscc::check_passes(text) && resident_id::plausible(text, ctx))
}

/// Validates any identifier of FACTS §1 and §3, detecting its kind.
pub fn validate(input: &str, ctx: &ValidationContext) -> Validation {
    let (mut v, normalisation) = Validation::begin(input);
    v.report_normalisation(&normalisation);
    classify(&mut v, ctx);
    v
}

/// Validates a filing or licence number; anything else is an error saying what it is.
pub fn validate_filing_number(input: &str, ctx: &ValidationContext) -> Validation {
    let mut v = validate(input, ctx);
    match v.kind {
        Some(kind) if kind.filing_kind().is_some() => {}
        Some(kind) => v.error(
            "not_a_filing_number",
            bilingual(
                format!("这是{}，不是备案号或许可证号", kind_name_zh(kind)),
                format!(
                    "this is a {}, not a filing or licence number",
                    kind_name_en(kind)
                ),
            ),
            Some(bilingual(
                "填写 ICP 备案号、ICP/增值电信许可证号或公网安备号",
                "enter an ICP filing number, an ICP/VAT licence number or a PSB number",
            )),
        ),
        None => {}
    }
    v
}

/// Validates the ID of a subject: a USCC for companies and other organisations, a
/// resident ID for individuals.
pub fn validate_subject_id(input: &str, kind: SubjectKind, ctx: &ValidationContext) -> Validation {
    let (mut v, normalisation) = Validation::begin(input);
    v.report_normalisation(&normalisation);
    let text = v.normalised.clone();
    let wants_uscc = !matches!(kind, SubjectKind::Individual);
    let looks_id =
        resident_id::looks_like(&text) && (text.len() == 15 || resident_id::check_passes(&text));
    let looks_uscc = uscc::looks_like(&text) && uscc::check_passes(&text);
    if wants_uscc {
        uscc::parse(&mut v, &text);
        if looks_id && !looks_uscc {
            v.kind = Some(IdentifierKind::ResidentId);
            v.canonical = None;
            v.error(
                "wrong_subject_id_kind",
                bilingual(
                    "这是居民身份证号，企业和组织应填统一社会信用代码",
                    "this is a resident ID; companies and organisations use a USCC",
                ),
                Some(bilingual(
                    "个人主体才使用身份证号；否则填营业执照上的 18 位信用代码",
                    "use the 18-character code on the business licence, or file as an individual",
                )),
            );
        }
    } else {
        resident_id::parse(&mut v, &text, ctx);
        if looks_uscc && !looks_id {
            v.kind = Some(IdentifierKind::Uscc);
            v.canonical = None;
            v.error(
                "wrong_subject_id_kind",
                bilingual(
                    "这是统一社会信用代码，个人主体应填居民身份证号",
                    "this is a USCC; individuals use a resident ID number",
                ),
                Some(bilingual(
                    "企业请以单位主体备案；个人填身份证号",
                    "file as a company, or enter the person's ID number",
                )),
            );
        }
    }
    v
}

/// Validates a 统一社会信用代码 (GB 32100) and nothing else.
pub fn validate_uscc(input: &str) -> Validation {
    let (mut v, normalisation) = Validation::begin(input);
    v.report_normalisation(&normalisation);
    let text = v.normalised.clone();
    uscc::parse(&mut v, &text);
    v
}

/// Validates a 居民身份证号码 (GB 11643) and nothing else.
pub fn validate_resident_id(input: &str, ctx: &ValidationContext) -> Validation {
    let (mut v, normalisation) = Validation::begin(input);
    v.report_normalisation(&normalisation);
    let text = v.normalised.clone();
    resident_id::parse(&mut v, &text, ctx);
    v
}

fn kind_name_zh(kind: IdentifierKind) -> &'static str {
    match kind {
        IdentifierKind::DomainRegistrarLicence => "域名注册服务许可证号",
        IdentifierKind::Uscc => "统一社会信用代码",
        IdentifierKind::ResidentId => "居民身份证号",
        IdentifierKind::Domain => "域名",
        _ => "备案号",
    }
}

fn kind_name_en(kind: IdentifierKind) -> &'static str {
    match kind {
        IdentifierKind::DomainRegistrarLicence => "domain registrar licence",
        IdentifierKind::Uscc => "unified social credit code",
        IdentifierKind::ResidentId => "resident ID number",
        IdentifierKind::Domain => "domain name",
        _ => "filing number",
    }
}
