//! Public-security filing numbers (公安联网备案号, FACTS §1.4):
//! `P 公网安备 DDDDDD TT SSSSSS 号` — division code of the filing bureau, a record type
//! (`02` in all 92 real examples) and a serial. Legacy 12/13-digit and `-1` forms from
//! before the national platform are accepted and flagged.

#[cfg(test)]
use std::sync::LazyLock;

use super::placeholder::{self, Placeholder};
use super::province::{self, PrefixMatch, Province};
use super::report::bilingual;
use super::shape::{self, HaoPlacement};
use super::shape_scan;
use super::{IdentifierKind, Validation};

/// The label, including the 公安网备 transposition seen in one real footer. The
/// reference grammar of the hand-written [`shape_scan::psb`], which must capture exactly
/// these groups (tested against it).
#[cfg(test)]
pub(crate) fn psb_shape_regex() -> &'static regex::Regex {
    static PSB_SHAPE: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(
            r"^(?P<prefix>\p{Han}*?)(?P<label>公网安备|公安网备|公网备)(?P<digits>[0-9Xx*]*?)(?P<hao1>号)?(?:-(?P<site>[0-9]+))?(?P<hao2>号)?$",
        )
        .expect("static regex compiles")
    });
    &PSB_SHAPE
}

pub(crate) fn mentions_psb(text: &str) -> bool {
    text.contains("公网安备") || text.contains("公安网备") || text.contains("公网备")
}

/// Parses `text`, which [`mentions_psb`].
pub(crate) fn parse(v: &mut Validation, text: &str) {
    v.recognise(IdentifierKind::Psb);
    let Some(m) = shape_scan::psb(text) else {
        v.error(
            "V7",
            bilingual(
                format!("「{text}」不符合公网安备号格式"),
                "does not match the PSB number grammar",
            ),
            Some(bilingual(
                "格式：省份简称 + 公网安备 + 14 位数字 + 号，例如 京公网安备11010502030143号",
                "format: prefix + 公网安备 + 14 digits + 号",
            )),
        );
        return;
    };
    let digits = m.digits;
    let (dropped, prefix) = shape::split_prefix(m.prefix);
    shape::note_dropped_label(v, dropped);
    let code_province = digits.get(..2).and_then(province::by_code);

    let mut structural = true;
    if m.label != "公网安备" {
        let fixed = suggestion(prefix, code_province, digits);
        v.error(
            "psb_label_typo",
            bilingual(
                format!("「{}」应为「公网安备」", m.label),
                format!("'{}' should read 公网安备", m.label),
            ),
            Some(bilingual(format!("改为 {fixed}"), format!("write {fixed}"))),
        );
        structural = false;
    }
    let prefix_province = match prefix {
        Some(c) => check_prefix(v, c),
        None => {
            let fixed = suggestion(None, code_province, digits);
            v.error(
                "psb_prefix_missing",
                bilingual("缺少省份简称", "the province prefix is missing"),
                Some(bilingual(format!("改为 {fixed}"), format!("write {fixed}"))),
            );
            structural = false;
            None
        }
    };

    // Judged once: the same finding serves the masking check here, the length error and,
    // with the serial's, the placeholder check below (the whole number's finding first, as
    // the more certain).
    let whole_finding = placeholder::whole(digits);
    if let Some(p) = whole_finding.filter(|p| *p == Placeholder::Masked) {
        report_placeholder(v, digits, p);
        return;
    }
    let legacy = match digits.len() {
        14 => false,
        12 | 13 => true,
        n => {
            if let Some(p) = whole_finding {
                report_placeholder(v, digits, p);
            }
            v.error(
                "V7",
                bilingual(
                    format!("公网安备号应为 14 位数字，这里有 {n} 位"),
                    format!("PSB numbers have 14 digits, not {n}"),
                ),
                Some(bilingual(
                    "从全国互联网安全管理服务平台复制完整号码",
                    "copy the full number from the national platform (beian.mps.gov.cn)",
                )),
            );
            return;
        }
    };
    let site = match m.site {
        Some(s) => match shape::parse_site(v, s) {
            Some(n) => Some(n),
            None => return,
        },
        None => None,
    };
    let legacy = legacy || site.is_some();
    if legacy {
        v.legacy = true;
        v.warn(
            "legacy",
            bilingual(
                "平台启用前的旧式公网安备号（12/13 位或带 -N），请确认仍然有效",
                "pre-platform PSB number (12/13 digits or -N): confirm it is still valid",
            ),
            Some(bilingual(
                "在全国互联网安全管理服务平台重新备案以取得 14 位号码",
                "file on the national platform (beian.mps.gov.cn) for a 14-digit number",
            )),
        );
    }

    let division = &digits[..6];
    // The path exists exactly when the division is known; one lookup serves both.
    let division_path = province::division_path(division);
    let division_known = division_path.is_some();
    check_province(
        v,
        prefix_province,
        code_province,
        digits,
        legacy,
        division_known,
    );
    if !division_known && code_province.is_some() {
        v.warn(
            "V8",
            bilingual(
                format!("前 6 位「{division}」不是已知的行政区划代码（可能是公安内部单位代码）"),
                format!("division code '{division}' is not in GB/T 2260 (maybe a police-internal unit code)"),
            ),
            Some(bilingual("与全国互联网安全管理服务平台核对", "check the number on beian.mps.gov.cn")),
        );
    }
    let (record_type, sequence) = digits[6..].split_at(2.min(digits.len() - 6));
    if !legacy && record_type != "02" {
        v.warn(
            "psb_record_type",
            bilingual(
                format!("第 7–8 位为「{record_type}」，已知实例均为 02"),
                format!("digits 7–8 are '{record_type}'; every known number has 02"),
            ),
            Some(bilingual("核对号码是否抄错", "check the number for a typo")),
        );
    }
    let serial_part = if legacy { &digits[6..] } else { sequence };
    // FACTS §1.4 names only the all-zero serial for PSB numbers; a first serial 000001
    // is a plausible real number here, unlike 2025000001 for ICP.
    let all_zero_serial = serial_part.bytes().all(|b| b == b'0');
    if let Some(p) = whole_finding
        .or_else(|| placeholder::serial(serial_part))
        .filter(|p| p.is_certain() && (*p != Placeholder::EmptySerial || all_zero_serial))
    {
        report_placeholder(v, digits, p);
    }

    // Built by hand rather than with format!: this runs for every valid number. The
    // site text is written as given, which `parse_site` accepted only as the plain
    // decimal form of `site` (1–4 digits, no leading zero).
    let site_text = m.site.filter(|_| site.is_some());
    let mut canonical = String::with_capacity(40);
    if let Some(c) = prefix {
        canonical.push(c);
    }
    canonical.push_str("公网安备");
    canonical.push_str(digits);
    canonical.push('号');
    if let Some(s) = site_text {
        canonical.push('-');
        canonical.push_str(s);
    }
    if structural {
        shape::report_hao(
            v,
            HaoPlacement {
                before_suffix: m.hao1,
                after_suffix: m.hao2,
                has_suffix: site.is_some(),
            },
            &canonical,
        );
        v.canonical = Some(canonical);
    }

    // At most 8 parts follow: reserve once instead of regrowing mid-way.
    v.parts.reserve(8);
    if let Some(c) = prefix {
        v.add_part("province", c.to_string());
    }
    if let Some(p) = code_province {
        v.add_part("province_code", p.code);
    }
    v.add_part("serial", digits);
    v.add_part("division_code", division);
    if let Some(name) = division_path {
        v.add_part("division_name", name);
    }
    if !legacy {
        v.add_part("record_type", record_type);
        v.add_part("sequence", sequence);
    }
    if let Some(s) = site_text {
        v.add_part("site", s);
    }
}

/// The corrected form to suggest: the prefix the digits imply, 公网安备, 号.
fn suggestion(prefix: Option<char>, code_province: Option<&Province>, digits: &str) -> String {
    let p = code_province
        .map(|p| p.psb_prefix)
        .or(prefix)
        .map(String::from)
        .unwrap_or_default();
    format!("{p}公网安备{digits}号")
}

fn check_prefix(v: &mut Validation, c: char) -> Option<&'static Province> {
    match province::psb_prefix(c) {
        Some(PrefixMatch::Exact(p)) => Some(p),
        Some(PrefixMatch::Alias(p)) => {
            v.warn(
                "psb_prefix_alias",
                bilingual(
                    format!("「{c}」不是{}的公网安备简称", p.name),
                    format!("'{c}' is not the PSB prefix of {}", p.name),
                ),
                Some(bilingual(
                    format!("{}的公网安备简称是「{}」", p.name, p.psb_prefix),
                    format!("the PSB prefix of {} is '{}'", p.name, p.psb_prefix),
                )),
            );
            Some(p)
        }
        None => {
            v.error(
                "V7",
                bilingual(
                    format!("「{c}」不是省份简称"),
                    format!("'{c}' is not a province prefix"),
                ),
                Some(bilingual(
                    "使用号码前两位所对应省份的简称",
                    "use the prefix of the province in digits 1–2",
                )),
            );
            None
        }
    }
}

/// V7: digits 1–2 are the province of the prefix. Legacy numbers whose division code is
/// real only warn (沪公网安备110000000006号 is odd, not proven fake); a legacy number
/// with an unknown division under another province's prefix is a fake
/// (甘公网安备235487154313号).
fn check_province(
    v: &mut Validation,
    prefix_province: Option<&Province>,
    code_province: Option<&Province>,
    digits: &str,
    legacy: bool,
    division_known: bool,
) {
    let code = &digits[..2];
    let Some(code_p) = code_province else {
        v.error(
            "V7",
            bilingual(
                format!("前两位「{code}」不是省级行政区划代码"),
                format!("digits 1–2 '{code}' are not a province code"),
            ),
            Some(bilingual(
                "从全国互联网安全管理服务平台复制正确号码",
                "copy the right number from beian.mps.gov.cn",
            )),
        );
        return;
    };
    let Some(prefix_p) = prefix_province else {
        return;
    };
    if prefix_p.code == code_p.code {
        return;
    }
    let message = bilingual(
        format!(
            "简称「{}」（{}）与号码前两位 {code}（{}）不一致",
            prefix_p.psb_prefix, prefix_p.name, code_p.name
        ),
        format!(
            "prefix of {} but digits 1–2 '{code}' are {}",
            prefix_p.name, code_p.name
        ),
    );
    let hint = Some(bilingual(
        format!(
            "{}的号码应以 {} 开头；核对号码与简称",
            prefix_p.name, prefix_p.code
        ),
        format!(
            "numbers of {} start with {}; check both",
            prefix_p.name, prefix_p.code
        ),
    ));
    if legacy && division_known {
        v.warn("V7", message, hint);
    } else {
        v.error("V7", message, hint);
    }
}

fn report_placeholder(v: &mut Validation, digits: &str, p: Placeholder) {
    let (zh, en) = p.describe();
    v.error(
        "V4",
        bilingual(
            format!("「{digits}」像是示例号码：{zh}"),
            format!("'{digits}' looks like a placeholder: {en}"),
        ),
        Some(bilingual(
            "换成平台上的真实号码",
            "use the real number from beian.mps.gov.cn",
        )),
    );
}

/// Bare digits where a PSB number was expected (`110105019085`, a link's `code=`):
/// recognised as PSB, but the prefix is required.
pub(crate) fn parse_bare(v: &mut Validation, digits: &str) {
    let prefix = digits
        .get(..2)
        .and_then(province::by_code)
        .map(|p| p.psb_prefix);
    let with_label = format!(
        "{}公网安备{digits}号",
        prefix.map(String::from).unwrap_or_default()
    );
    parse(v, &format!("公网安备{digits}号"));
    v.issues.retain(|i| i.code != "psb_prefix_missing");
    v.error(
        "psb_prefix_missing",
        bilingual(
            "只有数字，缺少「省份简称 + 公网安备」",
            "digits only: the prefix and 公网安备 are missing",
        ),
        Some(bilingual(
            format!("改为 {with_label}"),
            format!("write {with_label}"),
        )),
    );
}

/// A legacy number shown with a bureau label (北京市公安局朝阳分局备案编号:110105000501):
/// the prefix follows from the digits.
pub(crate) fn parse_bureau_label(v: &mut Validation, digits: &str) -> bool {
    let Some(p) = digits.get(..2).and_then(province::by_code) else {
        return false;
    };
    parse(v, &format!("{}公网安备{digits}号", p.psb_prefix));
    v.note(
        "label_form",
        bilingual(
            format!("公安局标签写法，按 {}公网安备{digits}号 处理", p.psb_prefix),
            "bureau label form read as a 公网安备 number",
        ),
    );
    true
}
