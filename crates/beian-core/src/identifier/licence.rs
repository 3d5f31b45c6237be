//! Telecom licences (FACTS §1.3 B): value-added telecom (VAT) licences such as
//! 京B2-20202418, A2.B1.B2-20090003, 合字B1.B2-20130004, with an optional website `-N`
//! (浙B2-20080101-4), legacy forms (粤A2-20044005号, 辽B-2-4-20080039), and domain
//! registrar licences (浙D3-20210002), which are not ICP licences at all.
//!
//! Footers often put a label in front ("ICP证粤B2-20160194", "京ICP证 京B2-20171652号");
//! the licence is found at the end of the text and the label judged separately.

use std::borrow::Cow;
use std::fmt::Write;

use chrono::Datelike;

use super::placeholder::{self, Placeholder};
use super::province;
use super::report::bilingual;
use super::shape;
use super::shape_scan::{self, LicenceTail};
use super::{IdentifierKind, Validation, ValidationContext};

/// A licence at the end of the text, after an optional label. The prefix class is the
/// union of ICP and PSB prefixes (licences follow neither list strictly) plus 云.
/// The reference grammar of the hand-written [`shape_scan::licence_tail`], which must
/// find exactly these groups in the upper-cased text (tested against it).
#[cfg(test)]
pub(crate) fn licence_tail_regex() -> &'static regex::Regex {
    static LICENCE_TAIL: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r"(?P<prefix>合字|[京津冀晋蒙辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川蜀黔贵滇云藏陕甘陇青宁新])?(?P<cats>[AB][0-9](?:\.[AB][0-9])*|[AB](?:-[0-9]){1,2}|D3)-(?P<number>[0-9X*]+)(?:-(?P<site>[0-9]+))?(?P<hao>号)?$",
        )
        .expect("static regex compiles")
    });
    &LICENCE_TAIL
}

/// Where the label before a licence names a province: 京ICP证B2-… . The reference for
/// [`province_in_label`].
#[cfg(test)]
fn label_prefix_regex() -> &'static regex::Regex {
    static LABEL_PREFIX: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"(?P<prefix>\p{Han})ICP证$").expect("static regex compiles")
    });
    &LABEL_PREFIX
}

/// The Han character right before a final "ICP证" in the (upper-cased) label.
fn province_in_label(label: &str) -> Option<&str> {
    let before = label.strip_suffix("ICP证")?;
    let c = before
        .chars()
        .next_back()
        .filter(|c| shape_scan::is_han(*c))?;
    Some(&before[before.len() - c.len_utf8()..])
}

const CATEGORY_ORDER: [&str; 4] = ["A1", "A2", "B1", "B2"];

/// The licence found in `text`, if any: (label before it, licence text), both
/// upper-cased. Runs on every input before the ICP and PSB readers, so the scanner
/// turns most texts away before anything is allocated, and a found licence is only
/// copied when it has lower-case letters to raise.
pub(crate) fn find(text: &str) -> Option<(Cow<'_, str>, Cow<'_, str>)> {
    let start = shape_scan::licence_tail(text)?.start;
    let (label, licence) = text.split_at(start);
    // A label is words, never digits: "12京B2-…" is not a licence with a label.
    if label.bytes().any(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((upper_case(label), upper_case(licence)))
}

fn upper_case(text: &str) -> Cow<'_, str> {
    if text.bytes().any(|b| b.is_ascii_lowercase()) {
        Cow::Owned(text.to_ascii_uppercase())
    } else {
        Cow::Borrowed(text)
    }
}

/// Parses a licence found by [`find`]; `original` is the text before upper-casing.
pub(crate) fn parse(
    v: &mut Validation,
    original: &str,
    label: &str,
    licence: &str,
    ctx: &ValidationContext,
) {
    let Some(m) = shape_scan::licence_tail(licence) else {
        return;
    };
    let LicenceTail {
        mut prefix,
        cats,
        number,
        site: site_text,
        hao,
        ..
    } = m;

    if original.bytes().any(|b| b.is_ascii_lowercase()) {
        let lower: String = original
            .chars()
            .filter(|c| c.is_ascii_lowercase())
            .collect();
        shape::report_lower_case(v, &lower);
    }
    let label_prefix = province_in_label(label);
    let label_kept = match (label_prefix, prefix) {
        (Some(lp), None) => {
            // 京ICP证B2-20171701号: the province went into the label (FACTS Appendix A).
            let fixed = format!("{lp}{licence}");
            v.warn(
                "licence_misformatted",
                bilingual(
                    format!("「ICP证」与 B2 写法混在一起：「{lp}ICP证{licence}」"),
                    "mixes the ICP证 and the B2 licence forms",
                ),
                Some(bilingual(
                    format!("许可证号应写作 {}", fixed.trim_end_matches('号')),
                    format!("the licence is written {}", fixed.trim_end_matches('号')),
                )),
            );
            prefix = Some(lp);
            false
        }
        (Some(lp), Some(p)) if lp != p => {
            v.warn(
                "licence_prefix_mismatch",
                bilingual(
                    format!("标签省份「{lp}」与许可证省份「{p}」不一致"),
                    format!("label prefix '{lp}' differs from the licence prefix '{p}'"),
                ),
                Some(bilingual("核对许可证原件", "check the licence document")),
            );
            true
        }
        _ => !label.is_empty(),
    };
    if label_kept {
        shape::note_dropped_label(v, label);
    }

    if cats == "D3" {
        v.recognise(IdentifierKind::DomainRegistrarLicence);
    } else if site_text.is_some() {
        v.recognise(IdentifierKind::VatLicenceSite);
    } else {
        v.recognise(IdentifierKind::VatLicence);
    }
    if cats == "D3" && site_text.is_some() {
        v.error(
            "V6",
            bilingual(
                "域名注册服务许可证号不带 -N",
                "registrar licences take no -N suffix",
            ),
            None,
        );
        return;
    }

    let (issuer, province) = match prefix {
        None => ("cross_regional", None),
        Some("合字") => ("foreign_invested", None),
        Some(p) => (
            "province",
            p.chars().next().and_then(province::licence_prefix),
        ),
    };
    let legacy_categories = cats.contains('-');
    if !legacy_categories && cats != "D3" && !categories_valid(cats) {
        v.error(
            "V6",
            bilingual(
                format!("业务类别「{cats}」无效"),
                format!("unknown licence categories '{cats}'"),
            ),
            Some(bilingual(
                "类别按 A1、A2、B1、B2 的顺序以点分隔，例如 B1.B2、A2.B1.B2",
                "categories are A1, A2, B1, B2 in that order, dot-separated (B1.B2, A2.B1.B2)",
            )),
        );
        return;
    }
    if legacy_categories || (cats == "A2" && issuer == "province") {
        v.legacy = true;
        v.warn(
            "licence_legacy",
            bilingual(
                format!("「{cats}」是旧式许可证写法，请确认仍然有效"),
                format!("'{cats}' is a legacy licence form; confirm it is still valid"),
            ),
            Some(bilingual(
                "在电信业务经营许可系统中核对",
                "check it in the telecom licence system (dxzhgl.miit.gov.cn)",
            )),
        );
    }

    // Judged once: the same finding serves the masking check here and, with the
    // serial's, the placeholder check below (the whole number's finding first, as the
    // more certain).
    let whole_finding = placeholder::whole(number);
    if let Some(p) = whole_finding.filter(|p| *p == Placeholder::Masked) {
        report_placeholder(v, number, p);
        return;
    }
    if number.len() != 8 {
        v.error(
            "V6",
            bilingual(
                format!("许可证号年份+序号应为 8 位数字，这里是「{number}」"),
                format!("the year and serial are 8 digits, not '{number}'"),
            ),
            Some(bilingual(
                "格式：B2-YYYYNNNN，例如 京B2-20202418",
                "format: B2-YYYYNNNN, e.g. 京B2-20202418",
            )),
        );
        return;
    }
    let (year, serial) = number.split_at(4);
    if let Some(p) = whole_finding.or_else(|| placeholder::serial(serial)) {
        report_placeholder(v, number, p);
    }
    check_year(v, year, ctx);

    let site = match site_text {
        Some(s) => match shape::parse_site(v, s) {
            Some(n) => Some(n),
            None => return,
        },
        None => None,
    };
    if hao {
        v.note(
            "hao_dropped",
            bilingual(
                "许可证号的规范写法不带「号」",
                "the canonical licence form has no 号",
            ),
        );
    }

    let mut canonical = String::with_capacity(licence.len());
    canonical.push_str(prefix.unwrap_or_default());
    canonical.push_str(cats);
    canonical.push('-');
    canonical.push_str(number);
    if let Some(n) = site {
        // Writing into a String cannot fail.
        let _ = write!(canonical, "-{n}");
    }
    v.canonical = Some(canonical);
    if let Some(p) = prefix.filter(|p| *p != "合字") {
        v.add_part("province", p);
    }
    if let Some(p) = province {
        v.add_part("province_code", p.code);
    }
    v.add_part("issuer", issuer);
    if cats != "D3" {
        v.add_part("categories", cats);
    }
    v.add_part("year", year);
    v.add_part("serial", number);
    if let Some(n) = site {
        v.add_part("site", n.to_string());
    }
}

/// An ordered, duplicate-free subset of A1 A2 B1 B2.
fn categories_valid(cats: &str) -> bool {
    let mut last = None;
    for cat in cats.split('.') {
        let Some(at) = CATEGORY_ORDER.iter().position(|c| *c == cat) else {
            return false;
        };
        if last.is_some_and(|l| l >= at) {
            return false;
        }
        last = Some(at);
    }
    true
}

/// Licences exist since the 2000 regulation (国务院令第292号); a year outside
/// 2000–now is suspicious, not proven wrong.
fn check_year(v: &mut Validation, year: &str, ctx: &ValidationContext) {
    let current = ctx.today.year();
    if year
        .parse::<i32>()
        .is_ok_and(|y| (2000..=current).contains(&y))
    {
        return;
    }
    v.warn(
        "licence_year",
        bilingual(
            format!("年份「{year}」不在 2000–{current} 之内"),
            format!("year '{year}' is outside 2000–{current}"),
        ),
        Some(bilingual("核对许可证号", "check the licence number")),
    );
}

fn report_placeholder(v: &mut Validation, number: &str, p: Placeholder) {
    let (zh, en) = p.describe();
    let message = bilingual(
        format!("「{number}」像是示例号码：{zh}"),
        format!("'{number}' looks like a placeholder: {en}"),
    );
    let hint = Some(bilingual(
        "换成许可证上的真实号码",
        "use the real number from the licence",
    ));
    if p.is_certain() {
        v.error("V4", message, hint);
    } else {
        v.warn("V4", message, hint);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories() {
        for ok in ["B1", "B2", "B1.B2", "A2.B1.B2", "A2", "A1.A2"] {
            assert!(categories_valid(ok), "{ok}");
        }
        for bad in ["B2.B1", "B3", "B1.B1", "C2"] {
            assert!(!categories_valid(bad), "{bad}");
        }
    }

    #[test]
    fn label_prefix_reads_as_the_regex() {
        for label in [
            "京ICP证",
            "ICP证",
            "沪ICP证 ",
            "网站京ICP证",
            "1ICP证",
            "ア ICP证",
            "〇ICP证",
            "京ICP证X",
            "",
            "京ICP备",
            "合字ICP证",
            "\u{20000}ICP证",
            "々ICP证",
        ] {
            let oracle = label_prefix_regex()
                .captures(label)
                .and_then(|c| c.name("prefix"))
                .map(|x| x.as_str());
            assert_eq!(province_in_label(label), oracle, "{label}");
        }
    }

    #[test]
    fn finds_licence_after_label() {
        assert_eq!(
            find("京ICP证B2-20171701号"),
            Some(("京ICP证".into(), "B2-20171701号".into()))
        );
        assert_eq!(
            find("ICP证粤B2-20160194"),
            Some(("ICP证".into(), "粤B2-20160194".into()))
        );
        assert_eq!(
            find("A2.B1.B2-20090003"),
            Some(("".into(), "A2.B1.B2-20090003".into()))
        );
        assert_eq!(find("京ICP备12345678号-1"), None);
        assert_eq!(
            find("京icp证 京b2-2017165x号"),
            Some(("京ICP证 ".into(), "京B2-2017165X号".into()))
        );
        assert_eq!(find("12京B2-20202418"), None);
    }
}
