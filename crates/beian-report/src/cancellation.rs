//! The cancellation application (注销申请) and declaration (注销声明函) for the three
//! cancellations a subject can ask for (FACTS §2.4, §2.6): the whole subject with all its
//! sites, one website, or one access provider of a site. Pre-filled from the inventory,
//! with blanks for signature, seal and date. The forms are Chinese (they go to a Chinese
//! provider or 通信管理局); only the subtitles are bilingual.

use beian_core::identifier::province;
use beian_core::model::SubjectKind;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::document::{Block, DATE_BLANK, Document, SIGNATURE_BLANK, Table};
use crate::text::{date_zh, or_dash};

/// Which cancellation the documents ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CancellationKind {
    /// 注销主体: the subject and every site under it.
    Subject,
    /// 注销网站: one site's number; its siblings stay.
    Website,
    /// 取消接入: one access provider stops serving a site; the number stays.
    Access,
}

impl CancellationKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CancellationKind::Subject => "subject",
            CancellationKind::Website => "website",
            CancellationKind::Access => "access",
        }
    }
}

/// Everything the two documents are filled from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CancellationDocument {
    pub kind: CancellationKind,
    pub subject_name: String,
    pub subject_kind: SubjectKind,
    /// USCC for organisations, resident ID number for individuals.
    pub subject_id_number: String,
    /// 主体负责人 (the legal representative of a company).
    pub principal: String,
    /// GB/T 2260 code of the subject's province; the addressed 通信管理局 follows from it
    /// (or from the filing numbers' prefix when unknown).
    pub province_code: Option<String>,
    /// 主体备案号, when known.
    pub subject_filing: Option<String>,
    /// The sites concerned: all of the subject's for a subject cancellation, else one.
    pub sites: Vec<CancelledSite>,
    /// The access provider the application goes through; for `Access`, the one removed.
    pub provider: Option<String>,
    pub reason: String,
    /// The day the documents are prepared.
    pub date: NaiveDate,
    pub contact: Option<Contact>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CancelledSite {
    pub name: String,
    pub home_url: String,
    /// 网站备案号.
    pub filing_number: Option<String>,
    /// 公安联网备案号: cancelled separately with the police (FACTS §2.4), listed as a reminder.
    pub psb_number: Option<String>,
    pub domains: Vec<String>,
    pub providers: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    pub name: String,
    pub phone: String,
    pub email: String,
}

/// The application and then the declaration: they are printed, signed and sent together.
pub fn cancellation_documents(input: &CancellationDocument) -> Vec<Document> {
    vec![application(input), declaration(input)]
}

/// 注销申请 (for a shell subject: 申请注销空壳主体, as the Shandong procedure titles it).
pub fn application(input: &CancellationDocument) -> Document {
    let organisation = is_organisation(input.subject_kind);
    let (title, subtitle) = match input.kind {
        CancellationKind::Subject if input.sites.is_empty() => (
            "申请注销空壳主体",
            "Application to cancel a shell filing subject",
        ),
        CancellationKind::Subject => (
            "ICP备案注销主体申请书",
            "Application to cancel an ICP filing subject and all its websites",
        ),
        CancellationKind::Website => (
            "ICP备案注销网站申请书",
            "Application to cancel a website's ICP filing",
        ),
        CancellationKind::Access => (
            "取消接入申请书",
            "Application to withdraw an access provider",
        ),
    };
    let mut doc = Document::new(title, Some(subtitle.to_owned()));
    doc.push(Block::Paragraph(format!("致：{}", addressee(input))));
    doc.push(Block::Heading("一、主体信息".to_owned()));
    doc.push(Block::Fields(subject_fields(input)));
    doc.push(Block::Heading(
        match input.kind {
            CancellationKind::Subject => "二、主体下的网站（将一并注销）",
            CancellationKind::Website => "二、申请注销的网站",
            CancellationKind::Access => "二、申请取消接入的网站",
        }
        .to_owned(),
    ));
    if input.sites.is_empty() {
        doc.push(Block::Paragraph(
            "该主体下已无网站，为空壳主体。".to_owned(),
        ));
    } else {
        doc.push(Block::Table(site_table(&input.sites)));
    }
    if input.kind == CancellationKind::Access {
        doc.push(Block::Fields(vec![(
            "取消接入的接入商".to_owned(),
            or_dash(input.provider.as_deref().unwrap_or_default()),
        )]));
        if leaves_shell_site(input) {
            doc.push(Block::Note(
                "注意：取消后该网站不再有任何接入商，将成为空壳网站，会被通信管理局清理注销。"
                    .to_owned(),
            ));
        }
    }
    doc.push(Block::Heading("三、申请原因".to_owned()));
    doc.push(Block::Paragraph(or_dash(&input.reason)));
    doc.push(Block::Heading("四、联系人".to_owned()));
    doc.push(Block::Fields(contact_fields(input.contact.as_ref())));
    doc.push(Block::Heading("五、申请人确认".to_owned()));
    let who = if organisation { "本单位" } else { "本人" };
    doc.push(Block::Paragraph(format!(
        "{who}确认以上信息真实、准确，{}。{who}已知悉：{}",
        match input.kind {
            CancellationKind::Access => "申请取消上述网站的接入",
            _ => "申请注销上述备案",
        },
        consequences(input.kind)
    )));
    let mut signatures = if organisation {
        vec![
            sign("申请单位（盖章）"),
            sign("法定代表人（签字）"),
            sign("经办人（签字）"),
        ]
    } else {
        vec![sign("申请人（签字）")]
    };
    signatures.push(format!("日期：{DATE_BLANK}"));
    doc.push(Block::Signatures(signatures));
    doc.push(Block::Note(prepared_note(input.date)));
    doc
}

/// 注销声明函 (取消接入声明函 for an access cancellation): the signed statement a provider
/// or 管局 asks for when the SMS verification cannot be done (FACTS §2.6).
pub fn declaration(input: &CancellationDocument) -> Document {
    let organisation = is_organisation(input.subject_kind);
    let title = match input.kind {
        CancellationKind::Access => "取消接入声明函",
        _ => "注销备案声明函",
    };
    let subtitle = match input.kind {
        CancellationKind::Access => "Declaration on withdrawing an access provider",
        _ => "Declaration on cancelling ICP filings",
    };
    let mut doc = Document::new(title, Some(subtitle.to_owned()));
    doc.push(Block::Paragraph(format!("{}：", addressee(input))));
    let id_label = id_label(input.subject_kind);
    let declarant = if organisation {
        format!(
            "本单位{}（{id_label}：{}），法定代表人{}，",
            or_dash(&input.subject_name),
            or_dash(&input.subject_id_number),
            or_dash(&input.principal)
        )
    } else {
        format!(
            "本人{}（{id_label}：{}），",
            or_dash(&input.subject_name),
            or_dash(&input.subject_id_number)
        )
    };
    let action = match input.kind {
        CancellationKind::Subject => format!(
            "注销主体备案（主体备案号：{}）及其下全部网站备案",
            or_dash(input.subject_filing.as_deref().unwrap_or_default())
        ),
        CancellationKind::Website => "注销下列网站备案".to_owned(),
        CancellationKind::Access => format!(
            "取消下列网站在{}的接入",
            or_dash(input.provider.as_deref().unwrap_or_default())
        ),
    };
    let who = if organisation { "本单位" } else { "本人" };
    doc.push(Block::Paragraph(format!(
        "{declarant}因{}，现申请{action}。",
        or_dash(&input.reason)
    )));
    if !input.sites.is_empty() {
        let mut table = Table::new(&[("网站备案号", 3), ("网站名称", 3), ("域名", 4)]);
        for site in &input.sites {
            table.row([
                or_dash(site.filing_number.as_deref().unwrap_or_default()),
                or_dash(&site.name),
                or_dash(&site.domains.join("、")),
            ]);
        }
        doc.push(Block::Table(table));
    }
    doc.push(Block::Paragraph(format!(
        "{who}承诺：所提交的信息与材料真实有效；{}；因此次{}产生的一切后果由{who}承担。特此声明。",
        match input.kind {
            CancellationKind::Access => "上述网站将不再通过该接入商提供服务",
            _ => "上述网站已停止或将随注销停止提供互联网信息服务",
        },
        match input.kind {
            CancellationKind::Access => "取消接入",
            _ => "注销",
        }
    )));
    doc.push(Block::Heading("随附材料".to_owned()));
    let attachments: &[&str] = if organisation {
        &[
            "□ 营业执照（或组织机构证件）复印件，加盖公章",
            "□ 法定代表人身份证复印件",
            "□ 经办人身份证复印件",
        ]
    } else {
        &["□ 身份证复印件", "□ 手持身份证照片"]
    };
    doc.push(Block::Paragraph(attachments.join("\n")));
    let mut signatures = if organisation {
        vec![sign("声明单位（盖章）"), sign("法定代表人（签字）")]
    } else {
        vec![sign("声明人（签字并按手印）")]
    };
    signatures.push(format!("日期：{DATE_BLANK}"));
    doc.push(Block::Signatures(signatures));
    doc.push(Block::Note(prepared_note(input.date)));
    doc
}

fn is_organisation(kind: SubjectKind) -> bool {
    kind != SubjectKind::Individual
}

fn id_label(kind: SubjectKind) -> &'static str {
    if is_organisation(kind) {
        "统一社会信用代码"
    } else {
        "居民身份证号码"
    }
}

fn sign(label: &str) -> String {
    format!("{label}：{SIGNATURE_BLANK}")
}

fn subject_fields(input: &CancellationDocument) -> Vec<(String, String)> {
    let principal = if is_organisation(input.subject_kind) {
        "主体负责人（法定代表人）"
    } else {
        "主体负责人"
    };
    vec![
        ("主体名称".to_owned(), or_dash(&input.subject_name)),
        (
            "主体性质".to_owned(),
            input.subject_kind.label_zh().to_owned(),
        ),
        (
            id_label(input.subject_kind).to_owned(),
            or_dash(&input.subject_id_number),
        ),
        (principal.to_owned(), or_dash(&input.principal)),
        (
            "主体备案号".to_owned(),
            or_dash(input.subject_filing.as_deref().unwrap_or_default()),
        ),
    ]
}

fn site_table(sites: &[CancelledSite]) -> Table {
    let mut table = Table::new(&[
        ("网站名称", 3),
        ("首页网址", 4),
        ("网站备案号", 4),
        ("域名", 4),
        ("接入商", 3),
        ("公安备案号", 4),
    ]);
    for site in sites {
        table.row([
            or_dash(&site.name),
            or_dash(&site.home_url),
            or_dash(site.filing_number.as_deref().unwrap_or_default()),
            or_dash(&site.domains.join("、")),
            or_dash(&site.providers.join("、")),
            or_dash(site.psb_number.as_deref().unwrap_or_default()),
        ]);
    }
    table
}

fn contact_fields(contact: Option<&Contact>) -> Vec<(String, String)> {
    let (name, phone, email) = contact.map_or(("", "", ""), |c| {
        (c.name.as_str(), c.phone.as_str(), c.email.as_str())
    });
    // An unknown value is a blank to fill in by hand, not a dash.
    let blank = |value: &str| {
        if value.trim().is_empty() {
            SIGNATURE_BLANK.to_owned()
        } else {
            value.to_owned()
        }
    };
    vec![
        ("联系人".to_owned(), blank(name)),
        ("联系电话".to_owned(), blank(phone)),
        ("电子邮箱".to_owned(), blank(email)),
    ]
}

fn consequences(kind: CancellationKind) -> &'static str {
    match kind {
        CancellationKind::Subject => {
            "注销主体将同时注销其下全部网站备案，备案号注销后不可恢复，相关域名将处于未备案状态，不得继续用于提供互联网信息服务；公安联网备案需另行注销。"
        }
        CancellationKind::Website => {
            "网站备案号注销后不可恢复，该网站的域名将处于未备案状态，不得继续用于提供互联网信息服务；同一主体的其他网站不受影响；公安联网备案需另行注销。"
        }
        CancellationKind::Access => {
            "取消接入后备案号仍然存在；若网站不再有其他接入商，将成为空壳网站并被通信管理局清理注销。"
        }
    }
}

/// Whether removing the provider leaves a site without any provider (a 空壳网站).
fn leaves_shell_site(input: &CancellationDocument) -> bool {
    let Some(provider) = input.provider.as_deref() else {
        return false;
    };
    input
        .sites
        .iter()
        .any(|site| site.providers.iter().all(|p| p.trim() == provider.trim()))
}

fn prepared_note(date: NaiveDate) -> String {
    format!(
        "填表日期：{}。本表由备案卫士按备案清单预填，请核对后签字盖章；格式以接入商或通信管理局的要求为准。\
         Pre-filled by Beian Guard: check before signing; the provider's or authority's own form prevails.",
        date_zh(date)
    )
}

/// Whom the documents address: the provincial 通信管理局, via the access provider when known.
fn addressee(input: &CancellationDocument) -> String {
    let authority = authority_name(input);
    match (input.kind, input.provider.as_deref()) {
        (CancellationKind::Access, Some(provider)) => format!("{provider}（接入服务商）"),
        (_, Some(provider)) => format!("{authority}（经接入服务商{provider}提交）"),
        (_, None) => authority,
    }
}

/// `北京市通信管理局`, `广东省通信管理局`, … from the subject's province or, failing that,
/// the prefix of its filing numbers.
pub fn authority_name(input: &CancellationDocument) -> String {
    let from_code = input.province_code.as_deref().and_then(province::by_code);
    let from_number = || {
        input
            .subject_filing
            .iter()
            .chain(input.sites.iter().filter_map(|s| s.filing_number.as_ref()))
            .filter_map(|number| number.chars().next())
            .find_map(|c| match province::icp_prefix(c)? {
                province::PrefixMatch::Exact(p) | province::PrefixMatch::Alias(p) => Some(p),
            })
    };
    match from_code.or_else(from_number) {
        Some(p) => {
            let suffix = match p.code {
                "11" | "12" | "31" | "50" => "市",
                "15" | "54" => "自治区",
                "45" => "壮族自治区",
                "64" => "回族自治区",
                "65" => "维吾尔自治区",
                _ => "省",
            };
            format!("{}{suffix}通信管理局", p.name)
        }
        None => "省（自治区、直辖市）通信管理局".to_owned(),
    }
}
