//! USCC (GB 32100) and resident ID (GB 11643) cases, and subject-ID validation by kind.

use super::*;

// ---------------------------------------------------------------- USCC

/// Codes of well-known companies (华为, 百度在线, 阿里巴巴（中国）, 腾讯科技（深圳）, 小米科技)
/// as printed on their public business licences; each check character was verified
/// independently of this crate before being written here.
const REAL_USCC: [&str; 5] = [
    "914403001922038216",
    "91110000802100433B",
    "91330100799655058B",
    "9144030071526726XG",
    "91110108551385082Q",
];

#[test]
fn uscc_valid_codes() {
    for code in REAL_USCC {
        let v = check(code, Uscc, true, &[]);
        assert_eq!(v.part("registration_authority"), Some("9"));
        assert_eq!(v.part("category_name"), Some("企业"));
        let (first17, last) = code.split_at(17);
        assert_eq!(
            identifier::uscc_check_character(first17)
                .map(String::from)
                .as_deref(),
            Some(last)
        );
    }
    // By hand for 914403001922038216 (all digits, so value = digit): the weighted sum
    // is 831, 831 mod 31 = 25, 31 − 25 = 6 — the 18th character.
    let sum: u32 = "91440300192203821"
        .chars()
        .zip([
            1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
        ])
        .map(|(c, w)| c.to_digit(10).unwrap_or(0) * w)
        .sum();
    assert_eq!(sum, 831);
    assert_eq!((31 - sum % 31) % 31, 6);
}

#[test]
fn uscc_errors_name_the_fix() {
    let v = check("914403001922038217", Uscc, false, &["uscc_check_character"]);
    let message = &v
        .issues
        .iter()
        .find(|i| i.code == "uscc_check_character")
        .map(|i| i.message.clone());
    assert!(
        message.as_ref().is_some_and(|m| m.contains("'6'")),
        "{message:?}"
    );
    check("91440300192203821O", Uscc, false, &["uscc_character"]);
    let v = check("91110000802100433b", Uscc, true, &["lower_case"]);
    assert_eq!(v.canonical.as_deref(), Some("91110000802100433B"));
}

#[test]
fn subject_ids_by_kind() {
    let c = ctx();
    for kind in [SubjectKind::Company, SubjectKind::OtherOrganisation] {
        assert!(identifier::validate_subject_id("914403001922038216", kind, &c).is_valid());
        let v = identifier::validate_subject_id("11010519491231002X", kind, &c);
        assert!(
            !v.is_valid() && v.has_issue("wrong_subject_id_kind"),
            "{}",
            explain(&v)
        );
    }
    assert!(
        identifier::validate_subject_id("11010519491231002X", SubjectKind::Individual, &c)
            .is_valid()
    );
    let v = identifier::validate_subject_id("91110000802100433B", SubjectKind::Individual, &c);
    assert!(
        !v.is_valid() && v.has_issue("wrong_subject_id_kind"),
        "{}",
        explain(&v)
    );
}

// ---------------------------------------------------------------- resident ID

#[test]
fn resident_id_gb11643_sample() {
    let v = check("11010519491231002X", ResidentId, true, &[]);
    assert_eq!(v.part("birth_date"), Some("1949-12-31"));
    assert_eq!(v.part("gender"), Some("female"));
    assert_eq!(v.part("division_name"), Some("北京市朝阳区"));
    let v = check("11010519491231002x", ResidentId, true, &["lower_case"]);
    assert_eq!(v.canonical.as_deref(), Some("11010519491231002X"));
}

#[test]
fn resident_id_errors() {
    let v = check(
        "110105194912310021",
        ResidentId,
        false,
        &["resident_id_check_digit"],
    );
    assert!(v.issues.iter().any(|i| i.message.contains("'X'")));
    let feb30 = format!("11010519900230123{}", check_digit("11010519900230123"));
    check(&feb30, ResidentId, false, &["resident_id_birth_date"]);
    let future = format!("11010520300101123{}", check_digit("11010520300101123"));
    check(&future, ResidentId, false, &["resident_id_birth_date"]);
    let no_province = format!("99010519491231002{}", check_digit("99010519491231002"));
    check(&no_province, ResidentId, false, &["resident_id_province"]);
    check(
        "110105********002X",
        ResidentId,
        false,
        &["resident_id_masked"],
    );
    check("110105491231002", ResidentId, true, &["resident_id_legacy"]);
}
