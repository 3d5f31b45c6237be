//! What the cancellation documents say for each kind and subject type.

use beian_core::model::SubjectKind;
use beian_report::cancellation::{application, authority_name, declaration};
use beian_report::{CancellationKind, cancellation_documents};

use crate::support::{FILING, cancellation};

#[test]
fn a_subject_without_sites_is_a_shell_subject() {
    let mut input = cancellation(CancellationKind::Subject);
    input.sites.clear();
    let doc = application(&input);
    assert_eq!(doc.title, "申请注销空壳主体");
    assert!(doc.plain_text().contains("空壳主体"));
}

#[test]
fn subject_cancellation_warns_that_all_sites_go() {
    let text = application(&cancellation(CancellationKind::Subject)).plain_text();
    assert!(text.contains("注销主体将同时注销其下全部网站备案"));
    assert!(text.contains(FILING));
}

#[test]
fn removing_the_only_provider_warns_of_a_shell_site() {
    let input = cancellation(CancellationKind::Access);
    assert!(application(&input).plain_text().contains("空壳网站"));
    let mut two = input.clone();
    two.sites[0].providers.push("腾讯云".to_owned());
    assert!(!application(&two).plain_text().contains("不再有任何接入商"));
    let declaration = declaration(&input);
    assert_eq!(declaration.title, "取消接入声明函");
    assert!(
        declaration
            .plain_text()
            .contains("取消下列网站在阿里云的接入")
    );
}

#[test]
fn individuals_sign_with_a_fingerprint_and_companies_seal() {
    let company = cancellation_documents(&cancellation(CancellationKind::Website));
    assert!(company[1].plain_text().contains("声明单位（盖章）"));
    assert!(company[1].plain_text().contains("营业执照"));
    let mut person = cancellation(CancellationKind::Website);
    person.subject_kind = SubjectKind::Individual;
    let docs = cancellation_documents(&person);
    assert!(docs[1].plain_text().contains("声明人（签字并按手印）"));
    assert!(docs[1].plain_text().contains("居民身份证号码"));
    assert!(!docs[1].plain_text().contains("（盖章）"));
}

#[test]
fn the_authority_follows_the_province_or_the_filing_prefix() {
    let mut input = cancellation(CancellationKind::Website);
    assert_eq!(authority_name(&input), "北京市通信管理局");
    input.province_code = None;
    input.subject_filing = None;
    input.sites[0].filing_number = Some("蜀ICP备2022018735号-1".to_owned());
    assert_eq!(authority_name(&input), "四川省通信管理局");
    input.province_code = Some("65".to_owned());
    assert_eq!(authority_name(&input), "新疆维吾尔自治区通信管理局");
    input.province_code = None;
    input.sites.clear();
    assert_eq!(authority_name(&input), "省（自治区、直辖市）通信管理局");
}

#[test]
fn missing_contact_details_become_blanks_to_fill_in() {
    let mut input = cancellation(CancellationKind::Website);
    input.contact = None;
    let text = application(&input).plain_text();
    assert!(text.contains("联系电话 ____________________"));
}
