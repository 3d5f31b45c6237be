//! ICP filing numbers (`P ICP备 DIGITS 号[-N[A|X|K]]`, FACTS §1.2) and ICP licence
//! numbers (`P ICP证 NNNNNN 号[-N]`, FACTS §1.3 A). Both are read by one tolerant
//! shape, because real footers swap the labels (V5) and the digit count tells which
//! number it really is.

#[cfg(test)]
use std::sync::LazyLock;

use chrono::Datelike;

use super::placeholder::{self, Placeholder};
use super::province::{self, PrefixMatch, Province};
use super::report::bilingual;
use super::shape::{self, HaoPlacement};
use super::shape_scan;
use super::{IdentifierKind, Validation, ValidationContext};

/// Anything shaped like an ICP number, loosely: the strict grammar is applied afterwards
/// so every deviation gets its own message. The reference grammar of the hand-written
/// [`shape_scan::icp`], which must capture exactly these groups (tested against it).
#[cfg(test)]
pub(crate) fn icp_shape_regex() -> &'static regex::Regex {
    static ICP_SHAPE: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(
            r"^(?P<prefix>\p{Han}*?)(?P<icp>[Ii][Cc][Pp])(?P<label>备|证)(?P<digits>[0-9A-Za-z*]*?)(?P<hao1>号)?(?:-(?P<site>[0-9]+)(?P<suffix>[A-Za-z])?)?(?P<hao2>号)?$",
        )
        .expect("static regex compiles")
    });
    &ICP_SHAPE
}

/// Licences of well-known operators quoted in FACTS §1.3: the same digits under another
/// prefix are a copied number, not a coincidence.
const WELL_KNOWN_LICENCES: [(&str, char, &str); 1] = [("030173", '京', "百度 Baidu")];

/// Whether the text mentions an ICP label at all (for auto-detection).
pub(crate) fn mentions_icp(text: &str) -> bool {
    // Same as upper-casing and searching for "ICP备"/"ICP证" (ASCII upper-casing leaves
    // 备 and 证 alone), without the copy: this runs for most inputs of `validate`.
    // `b | 0x20` folds exactly the two cases of an ASCII letter.
    text.as_bytes().windows(6).any(|w| {
        w[0] | 0x20 == b'i'
            && w[1] | 0x20 == b'c'
            && w[2] | 0x20 == b'p'
            && (w[3..] == *"备".as_bytes() || w[3..] == *"证".as_bytes())
    })
}

/// What the digits say the number is, whatever label was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reading {
    /// 8 or 10 digits: a 备案 number.
    Filing,
    /// 6 digits: an ICP证 licence.
    Licence,
}

pub(crate) fn parse(v: &mut Validation, text: &str, ctx: &ValidationContext) {
    let Some(m) = shape_scan::icp(text) else {
        let licence = text.to_ascii_uppercase().contains("ICP证");
        v.recognise(if licence {
            IdentifierKind::IcpLicence
        } else {
            IdentifierKind::IcpSubject
        });
        v.error(
            "V1",
            bilingual(
                format!("「{text}」不符合备案号格式"),
                "does not match the ICP number grammar",
            ),
            Some(bilingual(
                "格式：省份简称 + ICP备 + 8 或 10 位数字 + 号，可带 -N、-NA、-NX，例如 京ICP备12345678号-1",
                "format: prefix + ICP备 + 8 or 10 digits + 号 [+ -N / -NA / -NX]",
            )),
        );
        return;
    };
    let written_licence = m.label == "证";
    let digits = m.digits;
    let site = m.site;
    let suffix = m.suffix;

    if m.icp != "ICP" {
        shape::report_lower_case(v, m.icp);
    }
    let (dropped, prefix) = shape::split_prefix(m.prefix);
    shape::note_dropped_label(v, dropped);

    let reading = match (written_licence, digits.len()) {
        (_, 8 | 10) => Some(Reading::Filing),
        (_, 6) => Some(Reading::Licence),
        _ => None,
    };
    let kind = kind_for(
        reading.unwrap_or(if written_licence {
            Reading::Licence
        } else {
            Reading::Filing
        }),
        site,
        suffix,
    );
    v.recognise(kind);

    let province = prefix.and_then(|c| check_prefix(v, c));
    if prefix.is_none() {
        v.error(
            "V1",
            bilingual(
                "缺少省份简称（如 京、粤）",
                "the province prefix (京, 粤 …) is missing",
            ),
            Some(bilingual(
                "在 ICP 前补上备案所在省份的简称",
                "put the filing province's prefix before ICP",
            )),
        );
    }

    let finding = placeholder::whole(digits);
    if finding == Some(Placeholder::Masked) {
        report_placeholder(v, digits, Placeholder::Masked);
        return;
    }
    if digits.is_empty() {
        v.error(
            "V1",
            bilingual("「备/证」后缺少数字", "the digits after 备/证 are missing"),
            Some(bilingual(
                "补全号码，例如 京ICP备12345678号",
                "complete the number, e.g. 京ICP备12345678号",
            )),
        );
        return;
    }
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        v.error(
            "V1",
            bilingual(
                format!("「{digits}」不是纯数字"),
                format!("'{digits}' is not all digits"),
            ),
            Some(bilingual(
                "备案号只含数字",
                "filing numbers contain digits only",
            )),
        );
        return;
    }

    let Some(reading) = reading else {
        if let Some(p) = finding {
            report_placeholder(v, digits, p);
        }
        report_length(v, written_licence, digits);
        return;
    };
    if written_licence != (reading == Reading::Licence) {
        report_label_mismatch(v, prefix, reading, digits, site, suffix);
    }

    let site_number = match site {
        Some(s) => match shape::parse_site(v, s) {
            Some(n) => Some(n),
            None => return,
        },
        None => None,
    };
    let suffix_type = match suffix.map(|s| check_suffix(v, s, reading)) {
        Some(Some(t)) => Some(t),
        Some(None) => return,
        None => None,
    };

    let year_digits = match (reading, digits.len()) {
        (Reading::Filing, 10) => 4,
        _ => 2,
    };
    let (year_part, serial_part) = digits.split_at(year_digits);
    if let Some(p) = finding.or_else(|| placeholder::serial(serial_part)) {
        report_placeholder(v, digits, p);
    }
    let year_plausible = check_year(v, reading, year_part, ctx);

    let label = match reading {
        Reading::Filing => "备",
        Reading::Licence => "证",
    };
    // Built by hand rather than with format!: this runs for every valid number. The
    // site text is written as given, which `parse_site` accepted only as the plain
    // decimal form of `site_number` (1–4 digits, no leading zero).
    let site_text = site.filter(|_| site_number.is_some());
    let mut canonical = String::with_capacity(32);
    if let Some(c) = prefix {
        canonical.push(c);
    }
    canonical.push_str("ICP");
    canonical.push_str(label);
    canonical.push_str(digits);
    canonical.push('号');
    if let Some(s) = site_text {
        canonical.push('-');
        canonical.push_str(s);
        if let Some(t) = suffix_type {
            canonical.push(t);
        }
    }
    shape::report_hao(
        v,
        HaoPlacement {
            before_suffix: m.hao1,
            after_suffix: m.hao2,
            has_suffix: site.is_some(),
        },
        &canonical,
    );
    if reading == Reading::Licence {
        check_well_known(v, prefix, digits);
    }

    // At most 6 parts follow: reserve once instead of regrowing mid-way.
    v.parts.reserve(6);
    if let Some(c) = prefix {
        v.add_part("province", c.to_string());
    }
    if let Some(p) = province {
        v.add_part("province_code", p.code);
    }
    v.add_part("serial", digits);
    if year_plausible {
        v.add_part("year", year_text(year_part));
    }
    if let Some(s) = site_text {
        v.add_part("site", s);
    }
    if let Some(t) = suffix_type {
        v.add_part("suffix_type", t.to_string());
    }
    if prefix.is_some() {
        v.canonical = Some(canonical);
    }
}

fn kind_for(reading: Reading, site: Option<&str>, suffix: Option<&str>) -> IdentifierKind {
    match (reading, site, suffix) {
        (Reading::Licence, None, _) => IdentifierKind::IcpLicence,
        (Reading::Licence, Some(_), _) => IdentifierKind::IcpLicenceSite,
        (Reading::Filing, None, _) => IdentifierKind::IcpSubject,
        (Reading::Filing, Some(_), None) => IdentifierKind::IcpWebsite,
        // Compared ignoring ASCII case: the same as upper-casing first, without the copy.
        (Reading::Filing, Some(_), Some(t)) if t.eq_ignore_ascii_case("A") => {
            IdentifierKind::IcpApp
        }
        (Reading::Filing, Some(_), Some(t)) if t.eq_ignore_ascii_case("X") => {
            IdentifierKind::IcpMiniProgram
        }
        (Reading::Filing, Some(_), Some(t)) if t.eq_ignore_ascii_case("K") => {
            IdentifierKind::IcpQuickApp
        }
        (Reading::Filing, Some(_), Some(_)) => IdentifierKind::IcpWebsite,
    }
}

/// V3 and friends: the strict MIIT list, aliases warn, anything else is an error.
fn check_prefix(v: &mut Validation, c: char) -> Option<&'static Province> {
    match province::icp_prefix(c) {
        Some(PrefixMatch::Exact(p)) => Some(p),
        Some(PrefixMatch::Alias(p)) => {
            v.warn(
                "V3",
                bilingual(
                    format!("「{c}」不是{}的 ICP 备案简称，可能是笔误", p.name),
                    format!(
                        "'{c}' is not the MIIT prefix of {}; probably mistyped",
                        p.name
                    ),
                ),
                Some(bilingual(
                    format!(
                        "{}的 ICP 简称是「{}」，请与工信部备案系统核对",
                        p.name, p.icp_prefix
                    ),
                    format!(
                        "the ICP prefix of {} is '{}'; check the MIIT record",
                        p.name, p.icp_prefix
                    ),
                )),
            );
            Some(p)
        }
        None => {
            let hint = match province::historic_name(c) {
                Some(p) => bilingual(
                    format!("{}的 ICP 简称是「{}」", p.name, p.icp_prefix),
                    format!("the ICP prefix of {} is '{}'", p.name, p.icp_prefix),
                ),
                None => bilingual(
                    "使用 31 个省级简称之一：京 津 冀 晋 蒙 辽 吉 黑 沪 苏 浙 皖 闽 赣 鲁 豫 鄂 湘 粤 桂 琼 渝 蜀 黔 滇 藏 陕 陇 青 宁 新",
                    "use one of the 31 provincial ICP prefixes",
                ),
            };
            v.error(
                "V1",
                bilingual(
                    format!("「{c}」不是省份简称"),
                    format!("'{c}' is not a province prefix"),
                ),
                Some(hint),
            );
            None
        }
    }
}

fn check_suffix(v: &mut Validation, suffix: &str, reading: Reading) -> Option<char> {
    let upper = suffix.to_ascii_uppercase();
    let Some(t) = upper
        .chars()
        .next()
        .filter(|t| matches!(t, 'A' | 'X' | 'K'))
    else {
        v.error(
            "V1",
            bilingual(
                format!("未知的后缀「{suffix}」"),
                format!("unknown suffix '{suffix}'"),
            ),
            Some(bilingual(
                "App 用 A，小程序用 X，快应用用 K",
                "A for Apps, X for mini-programs, K for quick apps",
            )),
        );
        return None;
    };
    if reading == Reading::Licence {
        v.error(
            "V6",
            bilingual(
                "ICP 许可证号不带 A/X/K 后缀",
                "ICP licence numbers take no A/X/K suffix",
            ),
            Some(bilingual(
                "App/小程序使用 ICP备 号码",
                "Apps and mini-programs use an ICP备 number",
            )),
        );
        return None;
    }
    if suffix != upper {
        shape::report_lower_case(v, suffix);
    }
    if t == 'K' {
        v.warn(
            "quick_app_unconfirmed",
            bilingual(
                "快应用后缀 K 尚无真实实例可证实",
                "the quick-app suffix K is unconfirmed",
            ),
            Some(bilingual(
                "与工信部备案系统核对该号码",
                "check this number in the MIIT filing system",
            )),
        );
    }
    Some(t)
}

/// The four-digit year of plausible year digits: a plausible four-digit year (2019–now)
/// is its own text, and two digits YY mean 20YY. Written out rather than formatted from
/// the number: this runs for every valid number.
fn year_text(year_part: &str) -> String {
    let mut text = String::with_capacity(4);
    if year_part.len() == 2 {
        text.push_str("20");
    }
    text.push_str(year_part);
    text
}

/// V2: YY ∈ [04, now] and YYYY ∈ [2019, now] for 备 numbers; licence years only warn,
/// since the YY reading of ICP证 digits is an interpretation (FACTS §1.3 `[M]`). True
/// when the year is plausible.
fn check_year(
    v: &mut Validation,
    reading: Reading,
    year_part: &str,
    ctx: &ValidationContext,
) -> bool {
    let Ok(raw) = year_part.parse::<i32>() else {
        return false;
    };
    let current = ctx.today.year();
    let (year, low) = match (reading, year_part.len()) {
        (Reading::Filing, 4) => (raw, 2019),
        (Reading::Filing, _) => (2000 + raw, 2004),
        (Reading::Licence, _) => (2000 + raw, 2000),
    };
    if (low..=current).contains(&year) {
        return true;
    }
    let message = bilingual(
        format!("年份「{year_part}」不在 {low}–{current} 之内"),
        format!("year '{year_part}' is outside {low}–{current}"),
    );
    let hint = Some(bilingual("核对号码是否抄错", "check the number for a typo"));
    match reading {
        Reading::Filing => v.error("V2", message, hint),
        Reading::Licence => v.warn("licence_year", message, hint),
    }
    false
}

fn report_placeholder(v: &mut Validation, digits: &str, p: Placeholder) {
    let (zh, en) = p.describe();
    let message = bilingual(
        format!("「{digits}」像是示例号码：{zh}"),
        format!("'{digits}' looks like a placeholder: {en}"),
    );
    let hint = Some(bilingual(
        "换成工信部备案系统中的真实号码",
        "replace it with the real number from the MIIT filing system",
    ));
    if p.is_certain() {
        v.error("V4", message, hint);
    } else {
        v.warn("V4", message, hint);
    }
}

fn report_length(v: &mut Validation, written_licence: bool, digits: &str) {
    let n = digits.len();
    if written_licence {
        v.error(
            "V6",
            bilingual(
                format!("ICP证号应为 6 位数字，这里有 {n} 位"),
                format!("ICP licence numbers have 6 digits, not {n}"),
            ),
            Some(bilingual(
                "核对经营许可证上的号码",
                "check the number on the licence",
            )),
        );
    } else {
        v.error(
            "V1",
            bilingual(
                format!("备案号应为 8 或 10 位数字，这里有 {n} 位"),
                format!("ICP filing numbers have 8 or 10 digits, not {n}"),
            ),
            Some(bilingual(
                "核对工信部备案系统中的号码",
                "check the number in the MIIT filing system",
            )),
        );
    }
}

/// V5: 京ICP证12035936号-1 is a 备案 number under the licence label (and vice versa).
fn report_label_mismatch(
    v: &mut Validation,
    prefix: Option<char>,
    reading: Reading,
    digits: &str,
    site: Option<&str>,
    suffix: Option<&str>,
) {
    let p = prefix.map(String::from).unwrap_or_default();
    let tail = site
        .map(|s| format!("-{s}{}", suffix.unwrap_or_default()))
        .unwrap_or_default();
    let (zh, en, real) = match reading {
        Reading::Filing => (
            "8/10 位数字是备案号，却标为「ICP证」",
            "8/10 digits are a filing number, labelled as an ICP licence",
            format!("{p}ICP备{digits}号{tail}"),
        ),
        Reading::Licence => (
            "6 位数字是 ICP 许可证号，却标为「ICP备」",
            "6 digits are an ICP licence number, labelled as a filing",
            format!("{p}ICP证{digits}号{tail}"),
        ),
    };
    v.warn(
        "V5",
        bilingual(zh, en),
        Some(bilingual(
            format!("实际号码可能是 {real}"),
            format!("the real number is probably {real}"),
        )),
    );
}

fn check_well_known(v: &mut Validation, prefix: Option<char>, digits: &str) {
    let Some(c) = prefix else { return };
    for (number, owner_prefix, owner) in WELL_KNOWN_LICENCES {
        if number == digits && owner_prefix != c {
            v.warn(
                "licence_borrowed",
                bilingual(
                    format!("{digits} 是 {owner} 的许可证号（{owner_prefix}ICP证{digits}号），不属于「{c}」"),
                    format!("{digits} is the licence of {owner} under '{owner_prefix}'; under '{c}' it is likely copied"),
                ),
                Some(bilingual("在电信业务经营许可系统中核对", "check it in the telecom licence system (dxzhgl.miit.gov.cn)")),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The year part as written equals the formatted year that `check_year` accepted.
    #[test]
    fn year_text_is_the_formatted_year() {
        let ctx = ValidationContext::new(
            chrono::NaiveDate::from_ymd_opt(2026, 11, 23).expect("a valid calendar date"),
        );
        let mut plausible = 0;
        for (reading, width, count) in [
            (Reading::Filing, 2, 100),
            (Reading::Licence, 2, 100),
            (Reading::Filing, 4, 10_000),
        ] {
            for n in 0..count {
                let year_part = format!("{n:0width$}");
                let mut v = Validation::begin("").0;
                if check_year(&mut v, reading, &year_part, &ctx) {
                    let year = if width == 4 { n } else { 2000 + n };
                    assert_eq!(year_text(&year_part), year.to_string(), "{year_part}");
                    plausible += 1;
                }
            }
        }
        assert!(plausible > 40, "{plausible}");
    }

    proptest! {
        #[test]
        fn mentions_icp_matches_upper_case_search(
            text in "(京|I|i|C|c|P|p|ICP|icp|备|证|号|1|-|İ|ı){0,10}"
        ) {
            let upper = text.to_ascii_uppercase();
            let reference = upper.contains("ICP备") || upper.contains("ICP证");
            prop_assert_eq!(mentions_icp(&text), reference);
        }
    }
}
