//! 统一社会信用代码 (GB 32100-2015): 18 characters from a 31-symbol alphabet (digits and
//! upper-case letters without I O Z S V) — registration authority, category, 6-digit
//! division code, 9-character organisation code (GB 11714), check character.

use super::province;
use super::report::bilingual;
use super::{IdentifierKind, Validation};

const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
/// 3^(i-1) mod 31, as printed in GB 32100.
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];
/// GB 11714 weights for the 8 characters before the organisation code's own check.
const ORG_WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];

/// Registration authorities and their categories (GB 32100-2015, table 1).
/// (code, name) of an authority or a category.
type Code = (char, &'static str);

const AUTHORITIES: [(Code, &[Code]); 12] = [
    (
        ('1', "机构编制"),
        &[
            ('1', "机关"),
            ('2', "事业单位"),
            ('3', "中央编办直接管理机构编制的群众团体"),
            ('9', "其他"),
        ],
    ),
    (('2', "外交"), &[('1', "外国常驻新闻机构"), ('9', "其他")]),
    (
        ('3', "司法行政"),
        &[
            ('1', "律师执业机构"),
            ('2', "公证处"),
            ('3', "基层法律服务所"),
            ('4', "司法鉴定机构"),
            ('5', "仲裁委员会"),
            ('9', "其他"),
        ],
    ),
    (('4', "文化"), &[('1', "外国在华文化中心"), ('9', "其他")]),
    (
        ('5', "民政"),
        &[
            ('1', "社会团体"),
            ('2', "民办非企业单位"),
            ('3', "基金会"),
            ('9', "其他"),
        ],
    ),
    (
        ('6', "旅游"),
        &[
            ('1', "外国旅游部门常驻代表机构"),
            ('2', "港澳台地区旅游部门常驻内地（大陆）代表机构"),
            ('9', "其他"),
        ],
    ),
    (
        ('7', "宗教"),
        &[('1', "宗教活动场所"), ('2', "宗教院校"), ('9', "其他")],
    ),
    (('8', "工会"), &[('1', "基层工会"), ('9', "其他")]),
    (
        ('9', "工商"),
        &[('1', "企业"), ('2', "个体工商户"), ('3', "农民专业合作社")],
    ),
    (
        ('A', "中央军委改革和编制办公室"),
        &[('1', "军队事业单位"), ('9', "其他")],
    ),
    (
        ('N', "农业"),
        &[
            ('1', "组级集体经济组织"),
            ('2', "村级集体经济组织"),
            ('3', "乡镇级集体经济组织"),
            ('9', "其他"),
        ],
    ),
    (('Y', "其他"), &[('1', "其他")]),
];

fn value(c: char) -> Option<u32> {
    ALPHABET
        .iter()
        .position(|a| char::from(*a) == c)
        .and_then(|p| u32::try_from(p).ok())
}

/// The GB 32100 check character for the first 17 characters (upper case), or `None`
/// when `first17` is not 17 characters of the code alphabet.
pub fn uscc_check_character(first17: &str) -> Option<char> {
    if first17.chars().count() != 17 {
        return None;
    }
    let mut sum = 0u32;
    for (c, w) in first17.chars().zip(WEIGHTS) {
        sum += value(c)? * w;
    }
    let check = (31 - sum % 31) % 31;
    ALPHABET
        .get(usize::try_from(check).ok()?)
        .map(|b| char::from(*b))
}

/// GB 11714 check character of an organisation code's first 8 characters.
fn organisation_check(first8: &str) -> Option<char> {
    let mut sum = 0u32;
    for (c, w) in first8.chars().zip(ORG_WEIGHTS) {
        let v = c.to_digit(36)?;
        sum += v * w;
    }
    match 11 - sum % 11 {
        10 => Some('X'),
        11 => Some('0'),
        d => char::from_digit(d, 10),
    }
}

/// Whether `text` (normalised, any case) has the USCC shape: 18 code-alphabet characters.
pub(crate) fn looks_like(text: &str) -> bool {
    text.chars().count() == 18 && text.chars().all(|c| c.is_ascii_alphanumeric())
}

/// Whether `text` passes the GB 32100 check (for telling a USCC from a resident ID).
pub(crate) fn check_passes(text: &str) -> bool {
    let upper = text.to_ascii_uppercase();
    match (upper.get(..17), upper.chars().last()) {
        (Some(first17), Some(last)) if upper.len() == 18 => {
            uscc_check_character(first17) == Some(last)
        }
        _ => false,
    }
}

pub(crate) fn parse(v: &mut Validation, text: &str) {
    v.recognise(IdentifierKind::Uscc);
    let upper = text.to_ascii_uppercase();
    if upper != text {
        v.warn(
            "lower_case",
            bilingual(
                "统一社会信用代码中的字母应为大写",
                "USCC letters are upper case",
            ),
            Some(bilingual(format!("写作 {upper}"), format!("write {upper}"))),
        );
    }
    let n = upper.chars().count();
    if n != 18 {
        v.error(
            "uscc_length",
            bilingual(
                format!("统一社会信用代码应为 18 位，这里有 {n} 位"),
                format!("a USCC has 18 characters, not {n}"),
            ),
            Some(bilingual(
                "对照营业执照重新输入",
                "copy it again from the business licence",
            )),
        );
        return;
    }
    if let Some((pos, c)) = upper.chars().enumerate().find(|(_, c)| value(*c).is_none()) {
        v.error(
            "uscc_character",
            bilingual(
                format!(
                    "第 {} 位「{c}」不在代码字符集中（不含 I、O、Z、S、V）",
                    pos + 1
                ),
                format!(
                    "character {} '{c}' is not in the code alphabet (no I, O, Z, S, V)",
                    pos + 1
                ),
            ),
            Some(bilingual(
                "常见混淆：O→0、I→1、Z→2、S→5、V→U",
                "common mix-ups: O→0, I→1, Z→2, S→5, V→U",
            )),
        );
        return;
    }
    // Every character is ASCII from here on, so byte slicing is safe.
    let expected = uscc_check_character(&upper[..17]);
    let actual = upper.chars().nth(17);
    if expected != actual {
        let expected = expected.map(String::from).unwrap_or_default();
        v.error(
            "uscc_check_character",
            bilingual(
                format!("校验码错误：第 18 位应为「{expected}」"),
                format!("wrong check character: the 18th should be '{expected}'"),
            ),
            Some(bilingual(
                "核对前 17 位是否抄错",
                "check the first 17 characters for a typo",
            )),
        );
    }

    let authority = upper.chars().next().unwrap_or_default();
    let category = upper.chars().nth(1).unwrap_or_default();
    let known = AUTHORITIES.iter().find(|((a, _), _)| *a == authority);
    let category_name = known
        .and_then(|(_, cats)| cats.iter().find(|(c, _)| *c == category))
        .map(|(_, n)| *n);
    if category_name.is_none() {
        v.warn(
            "uscc_category",
            bilingual(
                format!(
                    "登记管理部门「{authority}」与机构类别「{category}」的组合不在 GB 32100 表中"
                ),
                format!("authority '{authority}' with category '{category}' is not in GB 32100"),
            ),
            Some(bilingual(
                "对照营业执照核对前两位",
                "check the first two characters",
            )),
        );
    }
    let division = &upper[2..8];
    if !division.bytes().all(|b| b.is_ascii_digit()) || province::division_name(division).is_none()
    {
        v.warn(
            "uscc_division",
            bilingual(
                format!("第 3–8 位「{division}」不是已知的行政区划代码"),
                format!("characters 3–8 '{division}' are not a known division code"),
            ),
            Some(bilingual(
                "区划调整后旧代码仍有效；若是新代码请核对",
                "old codes stay valid after changes; check new ones",
            )),
        );
    }
    let organisation = &upper[8..17];
    if organisation_check(&organisation[..8])
        .map(String::from)
        .as_deref()
        != Some(&organisation[8..])
    {
        v.note(
            "uscc_organisation_code",
            bilingual(
                format!("第 9–17 位「{organisation}」的组织机构代码校验位不符"),
                format!("organisation code '{organisation}' fails its GB 11714 check"),
            ),
        );
    }

    v.canonical = Some(upper.clone());
    v.add_part("registration_authority", authority.to_string());
    if let Some(((_, name), _)) = known {
        v.add_part("registration_authority_name", *name);
    }
    v.add_part("category", category.to_string());
    if let Some(name) = category_name {
        v.add_part("category_name", name);
    }
    v.add_part("division_code", division);
    if let Some(name) = province::division_path(division) {
        v.add_part("division_name", name);
    }
    v.add_part("organisation_code", organisation);
    v.add_part("check_character", upper[17..].to_string());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alphabet_has_31_symbols_without_iozsv() {
        assert_eq!(ALPHABET.len(), 31);
        for c in "IOZSV".chars() {
            assert_eq!(value(c), None);
        }
    }

    #[test]
    fn weights_are_powers_of_three() {
        let mut w = 1u32;
        for expected in WEIGHTS {
            assert_eq!(w, expected);
            w = w * 3 % 31;
        }
    }

    #[test]
    fn check_character_rejects_bad_input() {
        assert_eq!(uscc_check_character("9144030019220382"), None);
        assert_eq!(uscc_check_character("91440300192203821O"), None);
        assert_eq!(uscc_check_character("9144030019220382I"), None);
    }
}
