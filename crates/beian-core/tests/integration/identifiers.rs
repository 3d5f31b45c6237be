//! Identifier fixtures: every example string of FACTS §1 and Appendix A with its expected
//! kind, verdict and issue codes. Subject IDs, domains and the property tests live in
//! the submodules beside this file.

mod domains;
mod properties;
mod subject_ids;

use beian_core::identifier::{
    self, FileableTlds, IdentifierKind, IssueSeverity, Validation, ValidationContext, links,
};
use beian_core::model::SubjectKind;
use chrono::NaiveDate;

use IdentifierKind::*;

fn ctx() -> ValidationContext {
    ValidationContext::new(NaiveDate::from_ymd_opt(2026, 6, 30).expect("valid date"))
}

fn check_digit(first17: &str) -> char {
    identifier::resident_id_check_digit(first17).expect("17 digits")
}

fn explain(v: &Validation) -> String {
    format!("{v:#?}")
}

/// Checks kind, verdict and codes. For valid inputs the warnings must be exactly the
/// expected ones (no surprise warnings on real numbers); for invalid inputs the expected
/// codes must be among the issues.
fn check(input: &str, kind: IdentifierKind, valid: bool, codes: &[&str]) -> Validation {
    let v = identifier::validate(input, &ctx());
    assert_eq!(v.kind, Some(kind), "kind of {input}\n{}", explain(&v));
    assert_eq!(v.is_valid(), valid, "verdict on {input}\n{}", explain(&v));
    for code in codes {
        assert!(
            v.has_issue(code),
            "{input}: expected issue {code}\n{}",
            explain(&v)
        );
    }
    if valid {
        for issue in v
            .issues
            .iter()
            .filter(|i| i.severity >= IssueSeverity::Warning)
        {
            assert!(
                codes.contains(&issue.code),
                "{input}: unexpected {}\n{}",
                issue.code,
                explain(&v)
            );
        }
    }
    if valid {
        // parse ∘ display = identity on every valid fixture.
        let canonical = v.canonical.clone().unwrap_or_default();
        let again = identifier::validate(&canonical, &ctx());
        assert!(
            again.is_valid(),
            "canonical of {input} is invalid\n{}",
            explain(&again)
        );
        assert_eq!(
            (again.kind, again.canonical.as_deref()),
            (v.kind, Some(canonical.as_str())),
            "{input}"
        );
    }
    for issue in &v.issues {
        assert!(
            issue.message.contains(" / "),
            "{input}: message not bilingual: {}",
            issue.message
        );
    }
    v
}

// ---------------------------------------------------------------- FACTS §1.2

#[test]
fn real_icp_subject_and_site_numbers() {
    for input in [
        "陇ICP备2020003856号",
        "粤ICP备20055632号",
        "京ICP备10046444号",
    ] {
        check(input, IcpSubject, true, &[]);
    }
    for input in [
        "京ICP备20018813号-3",
        "豫ICP备20006012号-1",
        "湘ICP备12003586号-55",
        "京ICP备09041801号-182",
        "京ICP备10046444号-9",
    ] {
        check(input, IcpWebsite, true, &[]);
    }
}

#[test]
fn real_app_and_mini_program_numbers() {
    for input in [
        "陕ICP备2024026116号-1A",
        "苏ICP备2025175795号-1A",
        "鄂ICP备2024036893号-1A",
        "渝ICP备2025052772号-1A",
        "沪ICP备2025152989号-1A",
    ] {
        check(input, IcpApp, true, &[]);
    }
    for input in [
        "黔ICP备2025044274号-1X",
        "皖ICP备2023023087号-1X",
        "京ICP备2026059598号-1X",
    ] {
        check(input, IcpMiniProgram, true, &[]);
    }
    check(
        "京ICP备2025044274号-1K",
        IcpQuickApp,
        true,
        &["quick_app_unconfirmed"],
    );
}

#[test]
fn parts_of_an_icp_number() {
    let v = check("陕ICP备2024026116号-1A", IcpApp, true, &[]);
    assert_eq!(v.part("province"), Some("陕"));
    assert_eq!(v.part("province_code"), Some("61"));
    assert_eq!(v.part("serial"), Some("2024026116"));
    assert_eq!(v.part("year"), Some("2024"));
    assert_eq!(v.part("site"), Some("1"));
    assert_eq!(v.part("suffix_type"), Some("A"));
    let v = check("豫ICP备20006012号-1", IcpWebsite, true, &[]);
    assert_eq!(v.part("year"), Some("2020"));
    assert_eq!(
        IcpWebsite.filing_kind(),
        Some(beian_core::model::FilingKind::IcpWebsite)
    );
}

#[test]
fn display_variants_are_normalised_with_a_warning() {
    let v = check("京ICP备 12022551号", IcpSubject, true, &["whitespace"]);
    assert_eq!(v.canonical.as_deref(), Some("京ICP备12022551号"));
    check("京 ICP 备 09031924号", IcpSubject, true, &["whitespace"]);
    let v = check("京ICP备14014223", IcpSubject, true, &["missing_hao"]);
    assert_eq!(v.canonical.as_deref(), Some("京ICP备14014223号"));
    let v = check(
        "京ICP备14016851-1号",
        IcpWebsite,
        true,
        &["suffix_before_hao"],
    );
    assert_eq!(v.canonical.as_deref(), Some("京ICP备14016851号-1"));
    let v = check("京ＩＣＰ备１４０１６８５１号－１", IcpWebsite, true, &[]);
    assert!(v.has_issue("full_width"));
    assert_eq!(v.canonical.as_deref(), Some("京ICP备14016851号-1"));
    let v = check("京ICP备&nbsp;14016851号", IcpSubject, true, &["whitespace"]);
    assert_eq!(v.normalised, "京ICP备14016851号");
    let v = check(
        "京icp备2026059598号-1x",
        IcpMiniProgram,
        true,
        &["lower_case"],
    );
    assert_eq!(v.canonical.as_deref(), Some("京ICP备2026059598号-1X"));
}

#[test]
fn label_mismatch_names_the_real_number() {
    let v = check("京ICP证12035936号-1", IcpWebsite, true, &["V5"]);
    assert_eq!(v.canonical.as_deref(), Some("京ICP备12035936号-1"));
    let hint = v
        .issues
        .iter()
        .find(|i| i.code == "V5")
        .and_then(|i| i.hint.clone())
        .unwrap_or_default();
    assert!(hint.contains("京ICP备12035936号-1"), "{hint}");
    // Appendix A icp_license_suspect: 8 digits under ICP证.
    let v = check("沪ICP证08115529号", IcpSubject, true, &["V5"]);
    assert_eq!(v.canonical.as_deref(), Some("沪ICP备08115529号"));
    // The other way round: 6 licence digits under 备.
    let v = check("京ICP备030173号", IcpLicence, true, &["V5"]);
    assert_eq!(v.canonical.as_deref(), Some("京ICP证030173号"));
}

#[test]
fn year_plausibility_v2() {
    check("京ICP备03041801号", IcpSubject, false, &["V2"]);
    check("京ICP备27041801号", IcpSubject, false, &["V2"]);
    check("京ICP备2018041801号", IcpSubject, false, &["V2"]);
    check("京ICP备2027041801号", IcpSubject, false, &["V2"]);
    check("京ICP备04041801号", IcpSubject, true, &[]);
    check("京ICP备26041801号", IcpSubject, true, &[]);
}

#[test]
fn grammar_errors_v1() {
    check("苏ICP备202300001号-1X", IcpMiniProgram, false, &["V1"]);
    check("ICP备12345679号", IcpSubject, false, &["V1"]);
    check("京ICP备12022551号-0", IcpWebsite, false, &["V1"]);
    check("京ICP备12022551号-01", IcpWebsite, false, &["V1"]);
    check("京ICP备12022551号-12345", IcpWebsite, false, &["V1"]);
    check("京ICP备12022551号-1B", IcpWebsite, false, &["V1"]);
    check("申ICP备12022551号", IcpSubject, false, &["V1"]);
    check("京ICP备号", IcpSubject, false, &["V1"]);
}

// ---------------------------------------------------------------- FACTS §1.3

#[test]
fn icp_licences() {
    let v = check("京ICP证030173号", IcpLicence, true, &[]);
    assert_eq!(v.part("serial"), Some("030173"));
    assert_eq!(v.part("year"), Some("2003"));
    let v = check("京ICP证040867号-3", IcpLicenceSite, true, &[]);
    assert_eq!(v.part("site"), Some("3"));
    assert_eq!(
        IcpLicenceSite.filing_kind(),
        Some(beian_core::model::FilingKind::IcpLicence)
    );
    check("京ICP证030173号-1A", IcpLicenceSite, false, &["V6"]);
    check("京ICP证03017号", IcpLicence, false, &["V6"]);
}

#[test]
fn vat_licences() {
    for input in [
        "京B2-20202418",
        "浙B2-20080101",
        "沪B2-20100043",
        "粤B2-20090059",
        "合字B2-20170010",
    ] {
        check(input, VatLicence, true, &[]);
    }
    for input in [
        "A2.B1.B2-20090003",
        "A2.B1.B2-20090001",
        "A2.B1.B2-20202637",
        "合字B1.B2-20130004",
    ] {
        let v = check(input, VatLicence, true, &[]);
        assert_eq!(v.canonical.as_deref(), Some(input));
    }
    let v = check("A2.B1.B2-20090003", VatLicence, true, &[]);
    assert_eq!(v.part("issuer"), Some("cross_regional"));
    assert_eq!(v.part("categories"), Some("A2.B1.B2"));
    assert_eq!(v.part("year"), Some("2009"));
    let v = check("合字B1.B2-20130004", VatLicence, true, &[]);
    assert_eq!(v.part("issuer"), Some("foreign_invested"));
    for input in ["浙B2-20080101-4", "浙B2-20080224-1", "粤B2-20090191-18"] {
        check(input, VatLicenceSite, true, &[]);
    }
    let v = check("粤B2-20090191-18", VatLicenceSite, true, &[]);
    assert_eq!(
        (v.part("site"), v.part("province_code")),
        (Some("18"), Some("44"))
    );
    check("京B2-2020241", VatLicence, false, &["V6"]);
    check("京B3-20202418", VatLicence, false, &["V6"]);
    check("京b2-20202418", VatLicence, true, &["lower_case"]);
}

#[test]
fn licences_shown_with_a_label() {
    let v = check("沪ICP证：沪B2-20100043", VatLicence, true, &[]);
    assert_eq!(v.canonical.as_deref(), Some("沪B2-20100043"));
    let v = check("ICP证粤B2-20160194", VatLicence, true, &[]);
    assert_eq!(v.canonical.as_deref(), Some("粤B2-20160194"));
    let v = check("京ICP证 京B2-20171652号", VatLicence, true, &["whitespace"]);
    assert_eq!(v.canonical.as_deref(), Some("京B2-20171652"));
    let v = check("ICP备案号 粤B2-20090059", VatLicence, true, &["whitespace"]);
    assert_eq!(v.canonical.as_deref(), Some("粤B2-20090059"));
}

#[test]
fn legacy_and_misformatted_licences() {
    let v = check("粤A2-20044005号", VatLicence, true, &["licence_legacy"]);
    assert!(v.legacy);
    let v = check("辽B-2-4-20080039", VatLicence, true, &["licence_legacy"]);
    assert!(v.legacy);
    assert_eq!(v.canonical.as_deref(), Some("辽B-2-4-20080039"));
    let v = check(
        "京ICP证B2-20171701号",
        VatLicence,
        true,
        &["licence_misformatted"],
    );
    assert_eq!(v.canonical.as_deref(), Some("京B2-20171701"));
}

#[test]
fn registrar_licences_are_not_filing_numbers() {
    for input in ["浙D3-20210002", "京D3-20250002"] {
        check(input, DomainRegistrarLicence, true, &[]);
        let v = identifier::validate_filing_number(input, &ctx());
        assert!(
            !v.is_valid() && v.has_issue("not_a_filing_number"),
            "{}",
            explain(&v)
        );
    }
    assert_eq!(DomainRegistrarLicence.filing_kind(), None);
}

// ---------------------------------------------------------------- FACTS §1.4

#[test]
fn real_psb_numbers() {
    let v = check("京公网安备11010502030143号", Psb, true, &[]);
    assert_eq!(v.part("division_code"), Some("110105"));
    assert_eq!(v.part("division_name"), Some("北京市朝阳区"));
    assert_eq!(v.part("record_type"), Some("02"));
    assert_eq!(v.part("sequence"), Some("030143"));
    let v = check("粤公网安备44030002017573号", Psb, true, &[]);
    assert_eq!(
        links::psb_link(&v).as_deref(),
        Some("https://beian.mps.gov.cn/#/query/webSearch?code=44030002017573")
    );
    check("浙公网安备33010802013307号", Psb, true, &[]);
    check("滇公网安备53010302000732号", Psb, true, &[]);
    let v = check("京公网安备11010502030143", Psb, true, &["missing_hao"]);
    assert_eq!(v.canonical.as_deref(), Some("京公网安备11010502030143号"));
}

#[test]
fn police_internal_division_codes_only_warn_v8() {
    for input in [
        "豫公网安备41019702003604号",
        "川公网安备51019002000123号",
        "陕公网安备61019002000456号",
        "津公网安备12019002000789号",
        "粤公网安备44049102000321号",
        "京公网安备11030102000654号",
    ] {
        check(input, Psb, true, &["V8"]);
    }
}

#[test]
fn psb_first_serial_is_not_a_placeholder() {
    check("京公网安备11010502000001号", Psb, true, &[]);
    check("京公网安备11010502000000号", Psb, false, &["V4"]);
}

#[test]
fn psb_record_type_other_than_02_warns() {
    check(
        "京公网安备11010503030143号",
        Psb,
        true,
        &["psb_record_type"],
    );
}

#[test]
fn psb_prefix_aliases_warn() {
    check(
        "云公网安备53010302000732号",
        Psb,
        true,
        &["psb_prefix_alias"],
    );
    check(
        "黔公网安备52010302000732号",
        Psb,
        true,
        &["psb_prefix_alias"],
    );
    check("贵公网安备52010302000732号", Psb, true, &[]);
    check("川公网安备51010702000123号", Psb, true, &[]);
}

#[test]
fn psb_province_mismatch_v7() {
    check("沪公网安备11011502002400号", Psb, false, &["V7"]);
    check("甘公网安备235487154313号", Psb, false, &["V7", "legacy"]);
    check("京公网安备201520010301号", Psb, false, &["V7"]);
    check("沪公网安备31011502009号", Psb, false, &["V7"]);
}

#[test]
fn legacy_psb_numbers_are_accepted_and_flagged() {
    for input in [
        "京公网安备110105002453号",
        "京公网安备110105008661号",
        "京公网安备1101080212535号",
    ] {
        let v = check(input, Psb, true, &["legacy"]);
        assert!(v.legacy, "{input}");
    }
    let v = check(
        "京公网安备110105019085",
        Psb,
        true,
        &["legacy", "missing_hao"],
    );
    assert_eq!(v.canonical.as_deref(), Some("京公网安备110105019085号"));
    let v = check(
        "北京市公安局朝阳分局备案编号:110105000501",
        Psb,
        true,
        &["legacy"],
    );
    assert_eq!(v.canonical.as_deref(), Some("京公网安备110105000501号"));
    let v = check(
        "京公网安备110102000060-1",
        Psb,
        true,
        &["legacy", "missing_hao"],
    );
    assert_eq!(v.canonical.as_deref(), Some("京公网安备110102000060号-1"));
    assert_eq!(v.part("site"), Some("1"));
    // 12 digits with a real Beijing code under 沪: odd, flagged, not rejected.
    let v = check("沪公网安备110000000006号", Psb, true, &["legacy", "V7"]);
    assert!(
        v.issues
            .iter()
            .any(|i| i.code == "V7" && i.severity == IssueSeverity::Warning)
    );
}

#[test]
fn malformed_psb_numbers_get_a_hint() {
    let v = check("京公安网备11011402000202", Psb, false, &["psb_label_typo"]);
    let hint = v
        .issues
        .iter()
        .find(|i| i.code == "psb_label_typo")
        .and_then(|i| i.hint.clone());
    assert!(hint.is_some_and(|h| h.contains("京公网安备11011402000202号")));
    let v = check(
        "公网安备11010802020186",
        Psb,
        false,
        &["psb_prefix_missing"],
    );
    let hint = v
        .issues
        .iter()
        .find(|i| i.code == "psb_prefix_missing")
        .and_then(|i| i.hint.clone());
    assert!(hint.is_some_and(|h| h.contains("京公网安备11010802020186号")));
    check("110105019085", Psb, false, &["psb_prefix_missing"]);
}

#[test]
fn psb_links_v9() {
    let shown = identifier::validate("浙公网安备33010802013307号", &ctx());
    let bad = links::check_psb_link(
        &shown,
        "http://www.beian.gov.cn/portal/registerSystemInfo?recordcode=33010902002564",
    );
    assert_eq!(bad.iter().map(|i| i.code).collect::<Vec<_>>(), vec!["V9"]);
    let good = links::check_psb_link(
        &shown,
        "http://www.beian.gov.cn/portal/registerSystemInfo?recordcode=33010802013307",
    );
    assert!(good.is_empty(), "{good:?}");
    let yunnan = identifier::validate("滇公网安备53010302000732号", &ctx());
    assert!(yunnan.is_valid());
    let mislinked = links::check_psb_link(&yunnan, "https://beian.miit.gov.cn/");
    assert!(
        mislinked
            .iter()
            .all(|i| i.code == "V9" && i.severity == IssueSeverity::Error)
    );
    assert!(!mislinked.is_empty());
}

#[test]
fn icp_links_v10_and_prefix_pairs_v11() {
    assert!(links::check_icp_link("https://beian.miit.gov.cn/").is_empty());
    assert_eq!(
        links::check_icp_link("http://www.miibeian.gov.cn/")[0].code,
        "V10"
    );
    let icp = identifier::validate("蜀ICP备09003078号", &ctx());
    let psb = identifier::validate("川公网安备51010702000123号", &ctx());
    assert!(
        links::check_prefix_pair(&icp, &psb).is_none(),
        "same province, different characters"
    );
    let icp = identifier::validate("京ICP备10046444号", &ctx());
    let psb = identifier::validate("贵公网安备52010302000732号", &ctx());
    let pair = links::check_prefix_pair(&icp, &psb).expect("different provinces");
    assert_eq!((pair.code, pair.severity), ("V11", IssueSeverity::Info));
}

// ---------------------------------------------------------------- Appendix A

#[test]
fn appendix_a_suspect_prefixes_v3() {
    for input in ["川ICP备09003078号", "川ICP备09150084号"] {
        let v = check(input, IcpSubject, true, &["V3"]);
        let hint = v
            .issues
            .iter()
            .find(|i| i.code == "V3")
            .and_then(|i| i.hint.clone());
        assert!(hint.is_some_and(|h| h.contains('蜀')), "{input}");
    }
    for input in [
        "川ICP备15095485号-1",
        "川ICP备15874534号-1",
        "川ICP备10200063号-1",
    ] {
        check(input, IcpWebsite, true, &["V3"]);
    }
}

#[test]
fn appendix_a_licence_suspects() {
    check("京ICP证1000001号", IcpLicence, false, &["V4"]);
    check("沪ICP证030173号", IcpLicence, true, &["licence_borrowed"]);
}

#[test]
fn appendix_a_placeholders_v4() {
    let cases: &[(&str, IdentifierKind, &[&str])] = &[
        ("辽ICP备2026000000号-1", IcpWebsite, &["V4"]),
        ("辽公网安备21020000000000号", Psb, &["V4"]),
        ("粤B2-20000000", VatLicence, &["V4"]),
        ("粤ICP备00000000号", IcpSubject, &["V4"]),
        ("粤公网安备44030500000000号", Psb, &["V4"]),
        ("川ICP备1234567-9号", IcpWebsite, &["V4", "V3"]),
        ("川ICP备2025XXXXXXXX号", IcpSubject, &["V4"]),
        ("川B2-2025XXXX", VatLicence, &["V4"]),
        ("沪ICP备2025000001号-1", IcpWebsite, &["V4"]),
        ("京ICP备12345678号-1A", IcpApp, &["V4"]),
        ("京ICP备00000000号-1A", IcpApp, &["V4"]),
        ("滇ICP备2021000000号", IcpSubject, &["V4"]),
        ("滇公网安备5303810000000号", Psb, &["V4"]),
        ("甘公网安备235487154313号", Psb, &["V7"]),
        ("津公网安备66666666666666号", Psb, &["V4", "V7"]),
        ("津ICP证666666号", IcpLicence, &["V4"]),
        ("津公网安备12010302000000号", Psb, &["V4"]),
        ("沪ICP证000000号", IcpLicence, &["V4"]),
        ("沪ICP证1000001号", IcpLicence, &["V4"]),
        ("京ICP备11111111号-4", IcpWebsite, &["V4"]),
        ("京ICP证1111111号", IcpLicence, &["V4"]),
    ];
    for (input, kind, codes) in cases {
        check(input, *kind, false, codes);
    }
    // "looks like a placeholder: warn"
    check("湘ICP备2023001234号-1", IcpWebsite, true, &["V4"]);
}

#[test]
fn provider_illustrations_are_placeholders() {
    // FACTS §1.2 quotes a hosting provider's sample numbers; 04000001 is a template.
    check("粤ICP备04000001号", IcpSubject, false, &["V4"]);
    check("京ICP备04000001号-1", IcpWebsite, false, &["V4"]);
}

// ---------------------------------------------------------------- detection

#[test]
fn filing_number_entry_rejects_other_kinds() {
    let v = identifier::validate_filing_number("example.com", &ctx());
    assert_eq!(v.kind, Some(Domain));
    assert!(v.has_issue("not_a_filing_number"));
    assert!(identifier::validate_filing_number("京ICP备10046444号-9", &ctx()).is_valid());
    let v = identifier::validate_filing_number("hello", &ctx());
    assert!(!v.is_valid() && v.has_issue("unrecognised"));
}

#[test]
fn normalise_is_public() {
    assert_eq!(
        identifier::normalise("京ＩＣＰ备　１２０２２５５１号"),
        "京ICP备12022551号"
    );
}
