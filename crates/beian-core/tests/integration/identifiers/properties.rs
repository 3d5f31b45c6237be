//! Property tests: no input panics; generated valid numbers round-trip through their
//! canonical form with the same kind and parts.

use proptest::prelude::*;

use super::*;

// ---------------------------------------------------------------- properties

fn round_trips(input: &str) -> Result<(), TestCaseError> {
    let c = ctx();
    let v = identifier::validate(input, &c);
    prop_assert!(v.is_valid(), "{}", explain(&v));
    let canonical = v.canonical.clone().unwrap_or_default();
    let again = identifier::validate(&canonical, &c);
    prop_assert_eq!(again.canonical.as_deref(), Some(canonical.as_str()));
    prop_assert_eq!(again.kind, v.kind);
    prop_assert_eq!(&again.parts, &v.parts);
    Ok(())
}

const ICP_PREFIXES: &str = "京津冀晋蒙辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝蜀黔滇藏陕陇青宁新";
const PSB_PREFIXES: &str = "京津冀晋蒙辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川贵滇藏陕甘青宁新";
const PROVINCE_CODES: [&str; 31] = [
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41",
    "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65",
];

/// Generated digits that happen to be a template (11111111, 12345678) are rightly
/// rejected as placeholders; the round-trip property is about real-looking numbers.
fn templatey(digits: &str) -> bool {
    let b = digits.as_bytes();
    b.windows(2).all(|w| w[0] == w[1])
        || b.windows(2).all(|w| w[1] == w[0] + 1)
        || b.windows(2).all(|w| w[0] == w[1] + 1)
}

fn nth_char(s: &str, i: usize) -> char {
    s.chars().nth(i).unwrap_or('京')
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn validate_never_panics(input in "\\PC{0,40}") {
        let v = identifier::validate(&input, &ctx());
        prop_assert_eq!(v.input, input);
    }

    #[test]
    fn validate_never_panics_on_any_chars(input in "(?s).{0,60}") {
        let c = ctx();
        let _ = identifier::validate(&input, &c);
        let _ = identifier::validate_domain(&input, &c);
    }

    #[test]
    fn validate_never_panics_on_cjk_footers(
        input in "[\\p{Han}\\u{3000}-\\u{303F}\\u{FF00}-\\u{FFEF}0-9ICP号备证-]{0,30}"
    ) {
        let _ = identifier::validate(&input, &ctx());
    }

    #[test]
    fn validate_never_panics_on_near_misses(
        input in "[京川沪a-zA-Z0-9.:/\\-号备证公网安ICPXx*＊　 ：]{0,30}"
    ) {
        let c = ctx();
        let _ = identifier::validate(&input, &c);
        let _ = identifier::validate_filing_number(&input, &c);
        let _ = identifier::validate_domain(&input, &c);
        let _ = identifier::validate_subject_id(&input, SubjectKind::Individual, &c);
        let _ = identifier::validate_subject_id(&input, SubjectKind::Company, &c);
    }

    #[test]
    fn icp_numbers_round_trip(
        p in 0usize..31,
        ten in any::<bool>(),
        yy in 4u32..=26,
        serial in 100_000u32..999_999,
        site in proptest::option::of(1u32..=9999),
        suffix in proptest::sample::select(vec!["", "A", "X"]),
    ) {
        let year = if ten { format!("{}", 2019 + yy % 8) } else { format!("{yy:02}") };
        let tail = site.map(|n| format!("-{n}{suffix}")).unwrap_or_default();
        prop_assume!(!templatey(&format!("{year}{serial:06}")));
        round_trips(&format!("{}ICP备{year}{serial:06}号{tail}", nth_char(ICP_PREFIXES, p)))?;
    }

    #[test]
    fn psb_numbers_round_trip(p in 0usize..31, seq in 100_000u32..999_999) {
        let code = PROVINCE_CODES[p];
        round_trips(&format!("{}公网安备{code}0000 02{seq:06}号", nth_char(PSB_PREFIXES, p)).replace(' ', ""))?;
    }

    #[test]
    fn vat_licences_round_trip(
        p in 0usize..31,
        cats in proptest::sample::select(vec!["B1", "B2", "B1.B2", "A2.B1.B2"]),
        year in 2005u32..=2026,
        serial in 1000u32..9999,
        site in proptest::option::of(1u32..=99),
    ) {
        let tail = site.map(|n| format!("-{n}")).unwrap_or_default();
        round_trips(&format!("{}{cats}-{year}{serial}{tail}", nth_char(PSB_PREFIXES, p)))?;
    }

    #[test]
    fn usccs_round_trip(
        division in proptest::sample::select(vec!["110105", "440300", "330100", "510107"]),
        org in "[0-9A-HJ-NP-RTUW-Y]{9}",
    ) {
        let first17 = format!("91{division}{org}");
        let check = identifier::uscc_check_character(&first17);
        prop_assert!(check.is_some());
        let code = format!("{first17}{}", check.unwrap_or('0'));
        let v = identifier::validate(&code, &ctx());
        // All-digit codes can collide with resident IDs; the USCC check decides.
        prop_assert_eq!(v.kind, Some(Uscc), "{}", explain(&v));
        prop_assert!(v.errors().next().is_none(), "{}", explain(&v));
        let again = identifier::validate(v.canonical.as_deref().unwrap_or_default(), &ctx());
        prop_assert_eq!(again.canonical, v.canonical);
    }

    #[test]
    fn resident_ids_round_trip(
        division in proptest::sample::select(vec!["110105", "440305", "510107", "530102"]),
        days in 0i64..40_000,
        seq in 0u32..999,
    ) {
        let birth = NaiveDate::from_ymd_opt(1915, 1, 1).expect("valid") + chrono::Duration::days(days);
        let first17 = format!("{division}{}{seq:03}", birth.format("%Y%m%d"));
        let id = format!("{first17}{}", check_digit(&first17));
        round_trips(&id)?;
        let v = identifier::validate(&id, &ctx());
        let expected_birth = birth.format("%Y-%m-%d").to_string();
        prop_assert_eq!(v.part("birth_date"), Some(expected_birth.as_str()));
    }
}
