use chrono::NaiveDate;

use super::*;
use crate::model::FilingKind;

fn ctx() -> ValidationContext {
    ValidationContext::new(NaiveDate::from_ymd_opt(2026, 11, 23).expect("a valid date"))
}

fn fields(errors: &FieldErrors) -> Vec<Field> {
    errors.0.iter().map(|e| e.field).collect()
}

#[test]
fn subject_kind_and_province_are_inferred_from_the_id_number() {
    let company = SubjectDraft {
        name: "北京云杉科技有限公司".into(),
        id_number: "91110108ma01k7qx1u".into(),
        ..SubjectDraft::default()
    };
    let subject = company.validate(&ctx()).expect("valid").record;
    assert_eq!(
        (subject.kind, subject.province.as_deref()),
        (SubjectKind::Company, Some("11"))
    );
    assert_eq!(subject.id_number, "91110108MA01K7QX1U");
    let person = SubjectDraft {
        name: "王小明".into(),
        id_number: "510107199003072415".into(),
        ..SubjectDraft::default()
    };
    let subject = person.validate(&ctx()).expect("valid").record;
    assert_eq!(
        (subject.kind, subject.province.as_deref()),
        (SubjectKind::Individual, Some("51"))
    );
    let museum = SubjectDraft {
        name: "文化馆".into(),
        id_number: "12440106455871320U".into(),
        province: "粤".into(),
        ..SubjectDraft::default()
    };
    let subject = museum.validate(&ctx()).expect("valid").record;
    assert_eq!(
        (subject.kind, subject.province.as_deref()),
        (SubjectKind::OtherOrganisation, Some("44"))
    );
}

#[test]
fn subject_errors_name_every_bad_field() {
    let draft = SubjectDraft {
        name: " ".into(),
        kind: "个人".into(),
        id_number: "91110108MA01K7QX1U".into(),
        province: "火星".into(),
        ..SubjectDraft::default()
    };
    let errors = draft.validate(&ctx()).expect_err("invalid");
    assert_eq!(
        fields(&errors),
        [Field::SubjectName, Field::IdNumber, Field::Province]
    );
    assert!(errors.0.iter().all(|e| !e.fix.is_empty()));
    assert!(errors.to_string().contains("火星"));
}

#[test]
fn provinces_read_in_every_form() {
    for text in ["51", "四川", "四川省", "蜀", "川"] {
        assert_eq!(parse_province(text).map(|p| p.code), Some("51"), "{text}");
    }
    assert_eq!(parse_province("内蒙古自治区").map(|p| p.code), Some("15"));
    assert_eq!(parse_province("99"), None);
}

#[test]
fn website_status_follows_the_closing_date() {
    let mut draft = WebsiteDraft {
        name: "旧站".into(),
        home_url: "http://old.example.com".into(),
        closed_on: "2025/6/30".into(),
        ..WebsiteDraft::default()
    };
    let site = draft.validate(&ctx()).expect("valid").record;
    assert_eq!(
        (site.status, site.home_url.as_str()),
        (RecordStatus::Closed, "http://old.example.com/")
    );
    draft.status = "运行中".into();
    assert_eq!(
        fields(
            &draft
                .validate(&ctx())
                .expect_err("active with a closing date")
        ),
        [Field::ClosedOn]
    );
    draft.status = "已关闭".into();
    draft.closed_on.clear();
    let entry = draft
        .validate(&ctx())
        .expect("closed without a date is a warning");
    assert_eq!(entry.warnings.len(), 1);
    draft.go_live_on = "2024-01-01".into();
    draft.closed_on = "2023-01-01".into();
    assert_eq!(
        fields(
            &draft
                .validate(&ctx())
                .expect_err("closed before going live")
        ),
        [Field::ClosedOn]
    );
}

#[test]
fn filing_kind_comes_from_the_number_and_warnings_are_carried() {
    let draft = FilingDraft {
        number: "川ICP备2023047391号-1".into(),
        ..FilingDraft::default()
    };
    let entry = draft.validate(&ctx()).expect("valid with a warning");
    assert_eq!(
        (entry.record.kind, entry.record.status),
        (FilingKind::IcpWebsite, FilingStatus::Active)
    );
    assert!(
        entry
            .warnings
            .iter()
            .any(|w| w.code == "V3" && w.field == Field::FilingNumber)
    );
    let psb = FilingDraft {
        number: "京公网安备11010802034567号".into(),
        cancelled_on: "2025-01-02".into(),
        ..FilingDraft::default()
    };
    let record = psb.validate(&ctx()).expect("valid").record;
    assert_eq!(
        (record.kind, record.status),
        (FilingKind::Psb, FilingStatus::Cancelled)
    );
    let future = FilingDraft {
        number: "京ICP备2021034567号-1".into(),
        filed_on: "2027-01-01".into(),
        ..FilingDraft::default()
    };
    assert_eq!(
        fields(&future.validate(&ctx()).expect_err("future date")),
        [Field::FiledOn]
    );
    assert_eq!(
        subject_filing_number("京ICP备2021034567号-12"),
        Some("京ICP备2021034567号")
    );
    assert_eq!(subject_filing_number("京ICP备2021034567号"), None);
}

#[test]
fn domains_keep_ascii_and_unicode_forms() {
    let draft = DomainDraft {
        name: "浦江数据.中国".into(),
        expires_on: "2027-03-29".into(),
        ..DomainDraft::default()
    };
    let domain = draft.validate(&ctx()).expect("valid").record;
    assert_eq!(
        (domain.name.as_str(), domain.unicode_name.as_str()),
        ("xn--vxup8be6kb4a.xn--fiqs8s", "浦江数据.中国")
    );
    assert_eq!(domain.expiry_source, Some(Provenance::Manual));
    let bad = DomainDraft {
        name: "not a domain".into(),
        ..DomainDraft::default()
    };
    assert_eq!(
        fields(&bad.validate(&ctx()).expect_err("not a domain name")),
        [Field::DomainName]
    );
    assert_eq!(
        registrable_domain_of("https://www.example.com.cn/a", &ctx()).as_deref(),
        Some("example.com.cn")
    );
    assert_eq!(registrable_domain_of("http://203.0.113.5/", &ctx()), None);
}

#[test]
fn persons_need_a_name_and_a_role() {
    let draft = PersonDraft {
        name: "李四".into(),
        role: "网站负责人".into(),
        phone: "13800138000".into(),
        email: "li@example.com".into(),
    };
    assert_eq!(
        draft.validate(&ctx()).expect("valid").record.role,
        PersonRole::Website
    );
    let bad = PersonDraft {
        email: "li@".into(),
        ..PersonDraft::default()
    };
    assert_eq!(
        fields(&bad.validate(&ctx()).expect_err("invalid")),
        [Field::PersonName, Field::PersonRole, Field::Email]
    );
}

#[test]
fn from_record_validates_back_to_the_same_record() {
    let subject = SubjectDraft {
        name: "北京云杉科技有限公司".into(),
        id_number: "91110108MA01K7QX1U".into(),
        principal: "张伟".into(),
        notes: "备注".into(),
        ..SubjectDraft::default()
    };
    let record = subject.validate(&ctx()).expect("valid").record;
    assert_eq!(
        SubjectDraft::from_record(&record)
            .validate(&ctx())
            .expect("valid")
            .record,
        record
    );
    let site = WebsiteDraft {
        name: "官网".into(),
        home_url: "https://www.example.com".into(),
        access_providers: "阿里云、腾讯云".into(),
        server_ips: "203.0.113.1; 2001:db8::1".into(),
        tags: " 客户A ；官网、客户A".into(),
        go_live_on: "45296".into(),
        ..WebsiteDraft::default()
    };
    let record = site.validate(&ctx()).expect("valid").record;
    assert_eq!(record.tags, vec!["客户A".to_owned(), "官网".to_owned()]);
    assert_eq!(
        WebsiteDraft::from_record(&record)
            .validate(&ctx())
            .expect("valid")
            .record,
        record
    );
    let filing = FilingDraft {
        number: "京ICP备2021034567号-1".into(),
        status: "已注销".into(),
        cancelled_on: "2025-01-01".into(),
        filed_on: "2021-06-20".into(),
        notes: String::new(),
    };
    let record = filing.validate(&ctx()).expect("valid").record;
    assert_eq!(
        FilingDraft::from_record(&record)
            .validate(&ctx())
            .expect("valid")
            .record,
        record
    );
}

#[test]
fn tags_are_trimmed_deduplicated_and_bounded() {
    let with_tags = |tags: &str| WebsiteDraft {
        name: "官网".into(),
        home_url: "https://www.example.com".into(),
        tags: tags.into(),
        ..WebsiteDraft::default()
    };
    let too_long = "长".repeat(crate::inventory::TAG_MAX_CHARS + 1);
    let errors = with_tags(&too_long).validate(&ctx()).expect_err("too long");
    assert_eq!(errors.0[0].field, Field::Tags);
    assert!(errors.0[0].problem.contains("32"), "{errors}");
    let many: Vec<String> = (0..=crate::inventory::TAGS_PER_SITE)
        .map(|n| format!("t{n}"))
        .collect();
    let errors = with_tags(&many.join(";"))
        .validate(&ctx())
        .expect_err("too many");
    assert!(errors.0[0].problem.contains("20"), "{errors}");
    let control = crate::inventory::normalise_tag("a\u{7}b").expect_err("control character");
    assert_eq!(control.field, Field::Tags);
    assert_eq!(
        crate::inventory::normalise_tag("  a   b ").expect("valid"),
        "a b"
    );
}
