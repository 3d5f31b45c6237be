//! Pieces shared by the filing-number parsers: the province prefix before the label, the
//! `-N` site suffix, and where the 号 goes. Each reports its own display issues.

use super::Validation;
use super::report::bilingual;

/// Splits the Han text before a label into (label text to drop, prefix character).
/// `网站备案粤` → ("网站备案", Some('粤')); `` → ("", None).
pub(crate) fn split_prefix(before_label: &str) -> (&str, Option<char>) {
    match before_label.char_indices().last() {
        Some((at, c)) => (&before_label[..at], Some(c)),
        None => ("", None),
    }
}

/// Notes that leading words such as 网站备案 were dropped.
pub(crate) fn note_dropped_label(v: &mut Validation, dropped: &str) {
    if !dropped.is_empty() {
        v.note(
            "label_removed",
            bilingual(
                format!("已忽略号码前的文字「{dropped}」"),
                "leading label text ignored",
            ),
        );
    }
}

/// A `-N` site suffix: 1–4 digits without a leading zero (FACTS §1.2: -1 … -182 seen).
pub(crate) fn parse_site(v: &mut Validation, site: &str) -> Option<u32> {
    let plausible = !site.is_empty()
        && site.len() <= 4
        && !site.starts_with('0')
        && site.bytes().all(|b| b.is_ascii_digit());
    match site.parse::<u32>() {
        Ok(n) if plausible => Some(n),
        _ => {
            v.error(
                "V1",
                bilingual(
                    format!("网站序号「-{site}」无效：应为 1–4 位、不以 0 开头的数字"),
                    format!("site suffix '-{site}' must be 1–4 digits without a leading zero"),
                ),
                Some(bilingual(
                    "核对备案系统中的网站序号",
                    "check the site number in the filing system",
                )),
            );
            None
        }
    }
}

/// Where 号 stood in the input, for ICP and PSB numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct HaoPlacement {
    pub before_suffix: bool,
    pub after_suffix: bool,
    pub has_suffix: bool,
}

/// Warns about a missing 号 or a `-N` written before it (京ICP备14016851-1号); the
/// canonical form always reads `…号-N`.
pub(crate) fn report_hao(v: &mut Validation, hao: HaoPlacement, canonical_hint: &str) {
    if hao.has_suffix && hao.after_suffix && !hao.before_suffix {
        v.warn(
            "suffix_before_hao",
            bilingual("网站序号写在了「号」之前", "the -N suffix stands before 号"),
            Some(bilingual(
                format!("规范写法：{canonical_hint}"),
                format!("write {canonical_hint}"),
            )),
        );
    } else if hao.before_suffix && hao.after_suffix {
        v.warn(
            "extra_hao",
            bilingual("「号」出现了两次", "号 appears twice"),
            Some(bilingual(
                format!("规范写法：{canonical_hint}"),
                format!("write {canonical_hint}"),
            )),
        );
    } else if !hao.before_suffix && !hao.after_suffix {
        v.warn(
            "missing_hao",
            bilingual("缺少「号」字", "号 is missing"),
            Some(bilingual(
                format!("规范写法：{canonical_hint}"),
                format!("write {canonical_hint}"),
            )),
        );
    }
}

/// Warns that ASCII letters were written in lower case (icp, b2, x).
pub(crate) fn report_lower_case(v: &mut Validation, what: &str) {
    v.warn(
        "lower_case",
        bilingual(
            format!("「{what}」应为大写字母"),
            format!("'{what}' should be upper case"),
        ),
        Some(bilingual("使用大写字母", "use upper-case letters")),
    );
}
