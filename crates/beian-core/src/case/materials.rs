//! Materials checklists by case kind and subject type (FACTS §2.3, §2.6), and ticking
//! items off.
//!
//! The lists are what access providers and 管局 typically ask for (`[P]` sources);
//! provinces add their own, so a checklist is a reminder, never a gate. Item ids are
//! stable: stored cases and `beian case tick` refer to them.

use chrono::{DateTime, Utc};

use super::{Case, CaseKind, ChecklistItem};
use crate::model::SubjectKind;

/// One checklist entry before it is copied into a case.
#[derive(Debug, Clone, Copy)]
struct Item {
    id: &'static str,
    zh: &'static str,
    en: &'static str,
}

const fn item(id: &'static str, zh: &'static str, en: &'static str) -> Item {
    Item { id, zh, en }
}

// Who the subject is.
const BUSINESS_LICENCE: Item = item(
    "business_licence",
    "营业执照原件彩色扫描件",
    "colour scan of the original business licence",
);
const ORGANISATION_CERTIFICATE: Item = item(
    "organisation_certificate",
    "组织机构证件原件彩色扫描件（事业单位法人证书、社会团体登记证书等）",
    "colour scan of the organisation's certificate (public institution, social organisation …)",
);
const LEGAL_REPRESENTATIVE_ID: Item = item(
    "principal_id",
    "主体负责人（法定代表人）身份证件",
    "ID of the principal (the legal representative)",
);
const PRINCIPAL_ID: Item = item(
    "principal_id",
    "主体负责人身份证件",
    "ID of the principal (主体负责人)",
);
const ID_CARD: Item = item("id_card", "本人身份证", "the person's resident ID card");

// The website-responsible person.
const SITE_PERSON_ID: Item = item(
    "site_person_id",
    "网站负责人身份证件",
    "ID of the website-responsible person",
);
const AUTHORISATION_LETTER: Item = item(
    "authorisation_letter",
    "授权书（网站负责人不是法定代表人时）",
    "authorisation letter, when the website-responsible person is not the legal representative",
);
const SITE_PERSON_PHOTO: Item = item(
    "site_person_photo",
    "网站负责人现场核验照片（由接入商采集）",
    "on-site verification photo of the website-responsible person, taken by the access provider",
);
const FACE_PHOTO: Item = item(
    "face_photo",
    "本人人脸核验照片（由接入商采集）",
    "face-verification photo of the person, taken by the access provider",
);

// Forms.
const VERIFICATION_FORM_SEALED: Item = item(
    "verification_form",
    "网站备案信息真实性核验单（加盖公章）",
    "网站备案信息真实性核验单 (authenticity form), with the organisation's seal",
);
const VERIFICATION_FORM: Item = item(
    "verification_form",
    "网站备案信息真实性核验单",
    "网站备案信息真实性核验单 (authenticity form)",
);
const COMMITMENT_SEALED: Item = item(
    "commitment_letter",
    "互联网信息服务承诺书 / 信息安全承诺书（加盖公章）",
    "互联网信息服务承诺书 / 信息安全承诺书 (undertakings), with the organisation's seal",
);
const COMMITMENT: Item = item(
    "commitment_letter",
    "互联网信息服务承诺书 / 信息安全承诺书",
    "互联网信息服务承诺书 / 信息安全承诺书 (undertakings)",
);
const PRE_APPROVALS: Item = item(
    "pre_approvals",
    "前置审批文件（新闻、出版、教育、医疗、药品和医疗器械、文化、广播电视、金融等，如涉及）",
    "pre-approvals where relevant (news, publishing, education, medical, drugs and devices, \
     culture, broadcasting, finance)",
);
const EMERGENCY_CONTACT: Item = item(
    "emergency_contact",
    "应急联系电话（与各负责人的电话不同）",
    "emergency contact phone, different from the responsible persons' phones",
);
const CONTENT_DESCRIPTION: Item = item(
    "content_description",
    "网站实际内容说明",
    "a description of the site's actual content",
);
const PERSONAL_SITE_SCOPE: Item = item(
    "personal_site_scope",
    "确认是非经营性个人网站（非企业、论坛、社区类）；网站名称不含“中国、国家、中华”等，\
     未获前置审批不含“博客、论坛、社区、在线”",
    "the site is a non-commercial personal site (no company, forum or community site); its \
     name avoids 中国/国家/中华 …, and 博客/论坛/社区/在线 without pre-approval",
);

// The domain (FACTS §2.6 "Domain checks at filing time").
const DOMAIN_CERTIFICATE_ORG: Item = item(
    "domain_certificate",
    "域名证书（持有者名称、证件类型与号码与主体一致，企业以营业执照实名）",
    "domain certificate: holder name, ID type and number equal the subject (companies real-name \
     with the business licence)",
);
const DOMAIN_CERTIFICATE_PERSON: Item = item(
    "domain_certificate",
    "域名证书（持有者为本人）",
    "domain certificate: held by the person",
);
const DOMAIN_REAL_NAME: Item = item(
    "domain_real_name",
    "域名已实名认证（约 3 天后同步到管局）",
    "domain real-name verified (allow about 3 days to reach the 管局)",
);
const DOMAIN_VALIDITY: Item = item(
    "domain_validity",
    "域名剩余有效期超过 90 天（上海要求超过 180 天）",
    "more than 90 days of domain validity left (Shanghai: more than 180)",
);
const DOMAIN_TLD: Item = item(
    "domain_tld_approved",
    "域名后缀经工信部批准（domain.miit.gov.cn）",
    "TLD approved by MIIT (domain.miit.gov.cn)",
);
const DOMAIN_REGISTRAR: Item = item(
    "domain_registrar_approved",
    "域名注册商经工信部批准（境外注册商的域名须先转入）",
    "registrar approved by MIIT (transfer in from a foreign registrar first)",
);

// Process constraints (FACTS §2.3).
const SINGLE_PROCESS: Item = item(
    "single_process",
    "该主体没有其他进行中的备案流程（同一时间只能办理一个）",
    "no other filing process of this subject in progress (one at a time)",
);
const CHANGE_IN_ADVANCE: Item = item(
    "change_in_advance",
    "在变更生效前 30 日办理（292号令第11条、33号令第14条）",
    "file 30 days before the change takes effect (Order 292 Art 11, Order 33 Art 14)",
);
const EXPIRED_ID: Item = item(
    "expired_id",
    "身份证件已过期时，主体信息与网站负责人信息一并变更",
    "if an ID card has expired, change both the subject and the website-responsible person",
);
const DOMAIN_CHANGE_SCOPE: Item = item(
    "domain_change_scope",
    "变更备案只能删除域名；新增或更换域名须办理新增网站，更换接入商须办理新增接入",
    "a change can only delete a domain: a new domain needs 新增网站, another provider 新增接入",
);

// Cancellations (FACTS §2.4, §2.6).
const SMS_PRINCIPAL: Item = item(
    "sms_principal",
    "主体负责人手机能接收工信部核验短信（24 小时内完成核验）",
    "the principal's phone receives the MIIT SMS (verify within 24 hours)",
);
const SMS_SITE_PERSON: Item = item(
    "sms_site_person",
    "网站负责人手机能接收工信部核验短信（24 小时内完成核验）",
    "the website-responsible person's phone receives the MIIT SMS (verify within 24 hours)",
);
const FILING_PASSWORD: Item = item(
    "filing_password",
    "备案密码",
    "the filing password (备案密码)",
);
const IRREVERSIBLE_SUBJECT: Item = item(
    "irreversible",
    "已确认：注销主体会一并注销其全部网站，备案号不可恢复",
    "confirmed: cancelling the subject cancels all its sites and no number can be restored",
);
const IRREVERSIBLE_SITE: Item = item(
    "irreversible",
    "已确认：注销后该网站备案号不可恢复（同主体其他网站不受影响）",
    "confirmed: the site's number cannot be restored (sibling sites are unaffected)",
);
const SHELL_SUBJECT: Item = item(
    "shell_subject",
    "若这是主体下最后一个网站或接入，主体将成为空壳主体，须另行注销（或直接注销主体）",
    "if this is the subject's last site or access record, the subject becomes a shell subject \
     that needs its own cancellation (or cancel the subject instead)",
);
const LOST_PHONE_LICENCE: Item = item(
    "lost_phone_licence",
    "手机号无法使用时：营业执照（或组织机构证件）",
    "if the phone is lost: business licence (or organisation certificate)",
);
const LOST_PHONE_LEGAL_REP_ID: Item = item(
    "lost_phone_principal_id",
    "手机号无法使用时：法定代表人（主体负责人）身份证件",
    "if the phone is lost: ID of the legal representative (principal)",
);
const LOST_PHONE_APPLICANT_ID: Item = item(
    "lost_phone_applicant_id",
    "手机号无法使用时：经办人身份证件",
    "if the phone is lost: the applicant's ID",
);
const LOST_PHONE_DECLARATION_SEALED: Item = item(
    "cancellation_declaration",
    "手机号无法使用时：加盖公章的注销声明函",
    "if the phone is lost: cancellation declaration (注销声明函) with the organisation's seal",
);
const LOST_PHONE_ID_CARD: Item = item(
    "lost_phone_id_card",
    "手机号无法使用时：本人身份证",
    "if the phone is lost: the person's ID card",
);
const LOST_PHONE_HANDHELD: Item = item(
    "lost_phone_handheld_photo",
    "手机号无法使用时：手持身份证照片",
    "if the phone is lost: photo holding the ID card",
);
const LOST_PHONE_DECLARATION_FINGERPRINT: Item = item(
    "cancellation_declaration",
    "手机号无法使用时：按手印的注销声明函",
    "if the phone is lost: cancellation declaration (注销声明函) with a fingerprint",
);
const REMAINING_ACCESS: Item = item(
    "remaining_access",
    "网站仍有其他接入商；否则会成为空壳网站并被管局清理注销，应改为注销网站",
    "the site keeps another access provider; otherwise it becomes a shell site the 管局 cancels \
     — cancel the website instead",
);

// PSB (FACTS §2.5, §5.2).
const MPS_ACCOUNT: Item = item(
    "mps_account",
    "全国互联网安全管理服务平台账号（经“互联网+政务服务”实名登录）",
    "an account on beian.mps.gov.cn (real-name login through the MPS 互联网+政务服务 portal)",
);
const ICP_NUMBER: Item = item(
    "icp_number",
    "网站的ICP备案号",
    "the site's ICP filing number",
);
const INTERACTIVE_ONSITE: Item = item(
    "interactive_onsite",
    "提供交互式服务的网站须到当地网安部门现场核验",
    "interactive sites verify on site at the local 网安 office",
);
const PSB_WITHIN_30_DAYS: Item = item(
    "within_30_days",
    "网站上线后 30 日内提交（公安部令第33号第12条）",
    "submit within 30 days of go-live (MPS Order 33 Art 12)",
);
const PSB_CHANGE_DETAILS: Item = item(
    "change_details",
    "变更内容及其证明材料（有资料称须在 30 日内办理，待核实）",
    "what changes and its evidence (some sources say within 30 days; unverified)",
);
const PSB_SITE_CLOSED: Item = item(
    "site_closed",
    "网站已关闭或不再由本主体运营（公安注销无已知时限，关闭即办理）",
    "the site is closed or no longer run by this subject (no known deadline: cancel on closing)",
);

/// The subject's identity documents.
fn identity(subject: SubjectKind) -> &'static [Item] {
    match subject {
        SubjectKind::Company => &[BUSINESS_LICENCE, LEGAL_REPRESENTATIVE_ID],
        SubjectKind::OtherOrganisation => &[ORGANISATION_CERTIFICATE, PRINCIPAL_ID],
        SubjectKind::Individual => &[ID_CARD],
    }
}

/// A new filing, 新增网站 or 新增接入: "same as a new filing" (FACTS §2.6, zjca `[V]`).
fn new_filing(subject: SubjectKind) -> Vec<Item> {
    let mut items = identity(subject).to_vec();
    match subject {
        SubjectKind::Individual => items.extend([
            FACE_PHOTO,
            VERIFICATION_FORM,
            COMMITMENT,
            DOMAIN_CERTIFICATE_PERSON,
            CONTENT_DESCRIPTION,
            PERSONAL_SITE_SCOPE,
        ]),
        SubjectKind::Company | SubjectKind::OtherOrganisation => items.extend([
            SITE_PERSON_ID,
            AUTHORISATION_LETTER,
            SITE_PERSON_PHOTO,
            VERIFICATION_FORM_SEALED,
            COMMITMENT_SEALED,
            DOMAIN_CERTIFICATE_ORG,
            PRE_APPROVALS,
            EMERGENCY_CONTACT,
        ]),
    }
    items.extend([
        DOMAIN_REAL_NAME,
        DOMAIN_VALIDITY,
        DOMAIN_TLD,
        DOMAIN_REGISTRAR,
        SINGLE_PROCESS,
    ]);
    items
}

/// What proves the request when the SMS cannot be received (Tencent `注销备案.md`).
/// FACTS lists companies and individuals; other organisations seal documents like
/// companies, so they get the company list.
fn lost_phone(subject: SubjectKind) -> &'static [Item] {
    match subject {
        SubjectKind::Individual => &[
            LOST_PHONE_ID_CARD,
            LOST_PHONE_HANDHELD,
            LOST_PHONE_DECLARATION_FINGERPRINT,
        ],
        SubjectKind::Company | SubjectKind::OtherOrganisation => &[
            LOST_PHONE_LICENCE,
            LOST_PHONE_LEGAL_REP_ID,
            LOST_PHONE_APPLICANT_ID,
            LOST_PHONE_DECLARATION_SEALED,
        ],
    }
}

fn items_for(kind: CaseKind, subject: SubjectKind) -> Vec<Item> {
    let individual = subject == SubjectKind::Individual;
    match kind {
        CaseKind::IcpNew | CaseKind::IcpAddWebsite | CaseKind::IcpAddAccess => new_filing(subject),
        CaseKind::IcpChangeSubject => {
            let mut items = identity(subject).to_vec();
            items.extend([CHANGE_IN_ADVANCE, EXPIRED_ID, SINGLE_PROCESS]);
            items
        }
        CaseKind::IcpChangeWebsite => {
            let mut items = if individual {
                vec![ID_CARD, FACE_PHOTO]
            } else {
                vec![SITE_PERSON_ID, SITE_PERSON_PHOTO]
            };
            items.extend([CHANGE_IN_ADVANCE, DOMAIN_CHANGE_SCOPE, SINGLE_PROCESS]);
            items
        }
        CaseKind::IcpCancelSubject => {
            let mut items = vec![SMS_PRINCIPAL, FILING_PASSWORD, IRREVERSIBLE_SUBJECT];
            items.extend_from_slice(lost_phone(subject));
            items
        }
        CaseKind::IcpCancelWebsite => {
            // For an individual the person is both principal and website-responsible person.
            let mut items = vec![
                if individual {
                    SMS_PRINCIPAL
                } else {
                    SMS_SITE_PERSON
                },
                IRREVERSIBLE_SITE,
                SHELL_SUBJECT,
            ];
            items.extend_from_slice(lost_phone(subject));
            items
        }
        CaseKind::IcpCancelAccess => vec![REMAINING_ACCESS, SHELL_SUBJECT],
        CaseKind::PsbNew => {
            let mut items = vec![MPS_ACCOUNT];
            items.extend_from_slice(identity(subject));
            if !individual {
                items.push(SITE_PERSON_ID);
            }
            items.extend([ICP_NUMBER, INTERACTIVE_ONSITE, PSB_WITHIN_30_DAYS]);
            items
        }
        CaseKind::PsbChange => vec![MPS_ACCOUNT, PSB_CHANGE_DETAILS],
        CaseKind::PsbCancel => vec![MPS_ACCOUNT, PSB_SITE_CLOSED],
    }
}

/// The materials a case of `kind` needs for a subject of type `subject`, none ticked.
pub fn checklist_for(kind: CaseKind, subject: SubjectKind) -> Vec<ChecklistItem> {
    items_for(kind, subject)
        .into_iter()
        .map(|item| ChecklistItem {
            id: item.id.to_owned(),
            label_zh: item.zh.to_owned(),
            label_en: item.en.to_owned(),
            done: false,
        })
        .collect()
}

/// A checklist item the case does not have.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ChecklistError {
    #[error(
        "工单 {case_id} 的材料清单中没有 «{item}»；可用：{known} / case {case_id} has no checklist \
         item «{item}»; known items: {known}",
        known = .known.join(", ")
    )]
    UnknownItem {
        case_id: i64,
        item: String,
        known: Vec<String>,
    },
}

/// `case` with item `item_id` marked done (or not done), stamped `now`.
pub fn tick(
    case: &Case,
    item_id: &str,
    done: bool,
    now: DateTime<Utc>,
) -> Result<Case, ChecklistError> {
    let item_id = item_id.trim();
    let mut next = case.clone();
    let Some(item) = next.checklist.iter_mut().find(|item| item.id == item_id) else {
        return Err(ChecklistError::UnknownItem {
            case_id: case.id,
            item: item_id.to_owned(),
            known: case.checklist.iter().map(|item| item.id.clone()).collect(),
        });
    };
    item.done = done;
    next.updated_at = now;
    Ok(next)
}
