//! 居民身份证号码 (GB 11643-1999): 6-digit division code, birth date YYYYMMDD, 3-digit
//! sequence (odd for men), ISO 7064 MOD 11-2 check digit (0–9 or X). The first-generation
//! 15-digit form (YYMMDD, no check digit) is accepted as legacy.

use chrono::{Datelike, NaiveDate};

use super::province;
use super::report::bilingual;
use super::{IdentifierKind, Validation, ValidationContext};

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_DIGITS: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];
/// Residence permits for Hong Kong, Macao and Taiwan residents use these "province" codes.
const PERMIT_CODES: [(&str, &str); 4] = [
    ("71", "台湾"),
    ("81", "香港"),
    ("82", "澳门"),
    ("83", "台湾居民居住证"),
];

/// The GB 11643 check digit for the first 17 digits, or `None` if they are not 17 ASCII
/// digits.
pub fn resident_id_check_digit(first17: &str) -> Option<char> {
    if first17.len() != 17 {
        return None;
    }
    let mut sum = 0u32;
    for (b, w) in first17.bytes().zip(WEIGHTS) {
        if !b.is_ascii_digit() {
            return None;
        }
        sum += u32::from(b - b'0') * w;
    }
    CHECK_DIGITS.get(usize::try_from(sum % 11).ok()?).copied()
}

/// 18 characters of which the first 17 are digits, or 15 digits; `*` masks count too so
/// that a masked number is recognised and rejected with a clear message.
pub(crate) fn looks_like(text: &str) -> bool {
    let digits_or_mask = |s: &str| s.bytes().all(|b| b.is_ascii_digit() || b == b'*');
    match text.len() {
        18 => {
            text.get(..17).is_some_and(digits_or_mask)
                && text[17..]
                    .chars()
                    .all(|c| c.is_ascii_digit() || matches!(c, 'X' | 'x' | '*'))
        }
        15 => digits_or_mask(text),
        _ => false,
    }
}

/// Whether the check digit is right (for telling an ID from an all-digit USCC).
pub(crate) fn check_passes(text: &str) -> bool {
    let upper = text.to_ascii_uppercase();
    let (Some(first17), Some(last)) = (upper.get(..17), upper.chars().nth(17)) else {
        return false;
    };
    upper.len() == 18 && resident_id_check_digit(first17) == Some(last)
}

/// Whether an 18-character text has an ID's structure (province code, real birth date
/// not in the future), whatever its check digit.
pub(crate) fn plausible(text: &str, ctx: &ValidationContext) -> bool {
    text.len() == 18
        && text.get(..2).and_then(province::by_code).is_some()
        && text
            .get(6..14)
            .and_then(birth_date)
            .is_some_and(|d| d <= ctx.today)
}

fn birth_date(yyyymmdd: &str) -> Option<NaiveDate> {
    let year = yyyymmdd.get(..4)?.parse().ok()?;
    let month = yyyymmdd.get(4..6)?.parse().ok()?;
    let day = yyyymmdd.get(6..8)?.parse().ok()?;
    NaiveDate::from_ymd_opt(year, month, day)
}

pub(crate) fn parse(v: &mut Validation, text: &str, ctx: &ValidationContext) {
    v.recognise(IdentifierKind::ResidentId);
    if text.contains('*') {
        v.error(
            "resident_id_masked",
            bilingual("身份证号被部分遮盖（*）", "the ID number is masked with *"),
            Some(bilingual("录入完整号码", "enter the full number")),
        );
        return;
    }
    let upper = text.to_ascii_uppercase();
    if !looks_like(&upper) {
        v.error(
            "resident_id_format",
            bilingual(
                format!("身份证号应为 18 位（前 17 位为数字，末位为数字或 X），这里是「{text}」"),
                format!("a resident ID has 17 digits and a check digit or X, not '{text}'"),
            ),
            Some(bilingual(
                "对照身份证重新输入",
                "copy it again from the ID card",
            )),
        );
        return;
    }
    if upper != text {
        v.warn(
            "lower_case",
            bilingual(
                "校验位 x 应为大写 X",
                "the check digit x should be upper case X",
            ),
            Some(bilingual(format!("写作 {upper}"), format!("write {upper}"))),
        );
    }
    let legacy = upper.len() == 15;
    // 15-digit numbers carry a two-digit year in the 1900s.
    let date_text = if legacy {
        format!("19{}", &upper[6..12])
    } else {
        upper[6..14].to_string()
    };
    let sequence = if legacy {
        &upper[12..15]
    } else {
        &upper[14..17]
    };

    if legacy {
        v.legacy = true;
        let first17 = format!("{}{}{}", &upper[..6], date_text, sequence);
        let upgraded = resident_id_check_digit(&first17)
            .map(|c| format!("{first17}{c}"))
            .unwrap_or_default();
        v.warn(
            "resident_id_legacy",
            bilingual(
                "第一代 15 位身份证号，已于 2013 年停止使用",
                "first-generation 15-digit ID, out of use since 2013",
            ),
            Some(bilingual(
                format!("对应的 18 位号码：{upgraded}"),
                format!("the 18-digit form is {upgraded}"),
            )),
        );
    } else {
        let expected = resident_id_check_digit(&upper[..17]);
        if expected != upper.chars().nth(17) {
            let expected = expected.map(String::from).unwrap_or_default();
            v.error(
                "resident_id_check_digit",
                bilingual(
                    format!("校验位错误：第 18 位应为「{expected}」"),
                    format!("wrong check digit: the 18th should be '{expected}'"),
                ),
                Some(bilingual(
                    "核对前 17 位是否抄错",
                    "check the first 17 digits for a typo",
                )),
            );
        }
    }

    let province_code = &upper[..2];
    let division = &upper[..6];
    if province::by_code(province_code).is_none() {
        if let Some((_, place)) = PERMIT_CODES.iter().find(|(c, _)| *c == province_code) {
            v.warn(
                "resident_permit",
                bilingual(
                    format!("代码 {province_code}（{place}）是港澳台居民居住证"),
                    format!("code {province_code} is a residence permit ({place})"),
                ),
                Some(bilingual(
                    "个人主体备案通常需要居民身份证",
                    "individual filings normally need a resident ID",
                )),
            );
        } else {
            v.error(
                "resident_id_province",
                bilingual(
                    format!("前两位「{province_code}」不是省级行政区划代码"),
                    format!("digits 1–2 '{province_code}' are not a province code"),
                ),
                Some(bilingual(
                    "核对前 6 位地址码",
                    "check the 6-digit address code",
                )),
            );
        }
    } else if province::division_name(division).is_none() {
        v.note(
            "resident_id_division",
            bilingual(
                format!("地址码「{division}」不在 2023 版区划代码中（旧区划代码仍有效）"),
                format!("address code '{division}' is not in the 2023 division list (old codes stay valid)"),
            ),
        );
    }

    match birth_date(&date_text) {
        None => v.error(
            "resident_id_birth_date",
            bilingual(
                format!("出生日期「{date_text}」不是有效日期"),
                format!("birth date '{date_text}' is not a real date"),
            ),
            Some(bilingual("核对第 7–14 位", "check digits 7–14")),
        ),
        Some(d) if d > ctx.today => v.error(
            "resident_id_birth_date",
            bilingual(
                format!("出生日期 {d} 晚于今天"),
                format!("birth date {d} is in the future"),
            ),
            Some(bilingual("核对第 7–14 位", "check digits 7–14")),
        ),
        Some(d) if d.year() < 1900 => v.warn(
            "resident_id_birth_date",
            bilingual(
                format!("出生日期 {d} 早于 1900 年"),
                format!("birth date {d} is before 1900"),
            ),
            Some(bilingual("核对第 7–14 位", "check digits 7–14")),
        ),
        Some(d) => v.add_part("birth_date", d.format("%Y-%m-%d").to_string()),
    }

    v.canonical = Some(upper.clone());
    v.add_part("province_code", province_code);
    v.add_part("division_code", division);
    if let Some(name) = province::division_path(division) {
        v.add_part("division_name", name);
    }
    v.add_part("sequence", sequence);
    let odd = sequence.bytes().last().is_some_and(|b| (b - b'0') % 2 == 1);
    v.add_part("gender", if odd { "male" } else { "female" });
    if !legacy {
        v.add_part("check_digit", &upper[17..]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gb11643_sample() {
        assert_eq!(resident_id_check_digit("11010519491231002"), Some('X'));
        assert_eq!(resident_id_check_digit("1101051949123100"), None);
        assert_eq!(resident_id_check_digit("1101051949123100A"), None);
    }
}
