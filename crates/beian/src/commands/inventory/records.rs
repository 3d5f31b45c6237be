//! `add` and `edit` for subjects, sites, domains, persons and access providers. Each
//! fills a draft from the flags (for `edit`: from the stored record, then the flags
//! given), validates it, and applies one change set.

use beian_core::inventory::field::join_list;
use beian_core::inventory::{DomainDraft, PersonDraft, SubjectDraft, WebsiteDraft};
use beian_core::model::{AccessProvider, Change, Links, Record, RecordId, RecordKind, RecordRef};
use chrono::DateTime;

use super::{Inventory, entry_error};
use crate::cli::{DomainFields, PersonFields, SiteFields, SubjectFields};
use crate::error::{Exit, UserError, input_error};

/// Replaces `target` with the flag's value when the flag was given.
fn overlay(target: &mut String, flag: &Option<String>) {
    if let Some(value) = flag {
        target.clone_from(value);
    }
}

/// Replaces a list field when the flag was given at least once.
fn overlay_list(target: &mut String, flags: &[String]) {
    if !flags.is_empty() {
        *target = join_list(flags);
    }
}

fn insert(record: Record, links: Links) -> Change {
    Change::Insert { record, links }
}

fn stored_ref(id: RecordId) -> Option<RecordRef> {
    Some(RecordRef::Stored(id))
}

pub async fn add_subject(
    inventory: &Inventory<'_>,
    fields: &SubjectFields,
) -> anyhow::Result<Exit> {
    let mut draft = SubjectDraft::default();
    fill_subject(&mut draft, fields);
    let entry = draft
        .validate(&inventory.settings.validation)
        .map_err(entry_error)?;
    let stored = inventory
        .apply(
            &[insert(Record::Subject(entry.record), Links::default())],
            &entry.warnings,
        )
        .await?;
    inventory.report_stored("已添加", "added", &stored)?;
    Ok(Exit::Success)
}

fn fill_subject(draft: &mut SubjectDraft, fields: &SubjectFields) {
    overlay(&mut draft.name, &fields.name);
    overlay(&mut draft.kind, &fields.kind);
    overlay(&mut draft.id_number, &fields.id_number);
    overlay(&mut draft.principal, &fields.principal);
    overlay(&mut draft.province, &fields.province);
    overlay(&mut draft.notes, &fields.notes);
}

pub async fn edit_subject(
    inventory: &Inventory<'_>,
    target: &str,
    fields: &SubjectFields,
) -> anyhow::Result<Exit> {
    let Record::Subject(current) = inventory.resolve(RecordKind::Subject, target).await? else {
        return mismatched(RecordKind::Subject);
    };
    let mut draft = SubjectDraft::from_record(&current);
    fill_subject(&mut draft, fields);
    let entry = draft
        .validate(&inventory.settings.validation)
        .map_err(entry_error)?;
    let subject = beian_core::model::Subject {
        id: current.id,
        status: current.status,
        closed_on: current.closed_on,
        created_at: current.created_at,
        updated_at: current.updated_at,
        ..entry.record
    };
    let stored = inventory
        .apply(
            &[Change::Update {
                record: Record::Subject(subject),
            }],
            &entry.warnings,
        )
        .await?;
    inventory.report_stored("已修改", "updated", &stored)?;
    Ok(Exit::Success)
}

pub async fn add_site(inventory: &Inventory<'_>, fields: &SiteFields) -> anyhow::Result<Exit> {
    let Some(subject) = &fields.subject else {
        return input_error(
            "新增网站需要 --subject / adding a site needs --subject",
            "用 --subject 给出主体 ID 或统一社会信用代码 / pass --subject with the subject's id or USCC",
        );
    };
    let subject_id = inventory.resolve(RecordKind::Subject, subject).await?.id();
    let mut draft = WebsiteDraft::default();
    fill_site(&mut draft, fields);
    let entry = draft
        .validate(&inventory.settings.validation)
        .map_err(entry_error)?;
    let mut warnings = entry.warnings;
    let site = beian_core::model::Website {
        subject_id,
        ..entry.record
    };
    let mut changes = vec![insert(
        Record::Website(site),
        Links {
            subject: stored_ref(subject_id),
            ..Links::default()
        },
    )];
    // The site is change 0 of the set, so its domains can link to it before it has an id.
    for (change, domain_warnings) in domain_inserts(inventory, &fields.domains, RecordRef::New(0))?
    {
        changes.push(change);
        warnings.extend(domain_warnings);
    }
    let stored = inventory.apply(&changes, &warnings).await?;
    inventory.report_stored("已添加", "added", &stored)?;
    Ok(Exit::Success)
}

fn fill_site(draft: &mut WebsiteDraft, fields: &SiteFields) {
    overlay(&mut draft.name, &fields.name);
    overlay(&mut draft.home_url, &fields.url);
    overlay_list(&mut draft.access_providers, &fields.providers);
    overlay_list(&mut draft.server_ips, &fields.ips);
    overlay(&mut draft.go_live_on, &fields.go_live);
    overlay(&mut draft.notes, &fields.notes);
}

type DomainInsert = (Change, Vec<beian_core::inventory::FieldWarning>);

/// Validates every `--domain` of a site; all their errors are reported together.
fn domain_inserts(
    inventory: &Inventory<'_>,
    names: &[String],
    website: RecordRef,
) -> anyhow::Result<Vec<DomainInsert>> {
    let mut inserts = Vec::new();
    let mut errors = Vec::new();
    for name in names {
        let draft = DomainDraft {
            name: name.clone(),
            ..DomainDraft::default()
        };
        match draft.validate(&inventory.settings.validation) {
            Ok(entry) => inserts.push((
                insert(
                    Record::Domain(entry.record),
                    Links {
                        website: Some(website),
                        ..Links::default()
                    },
                ),
                entry.warnings,
            )),
            Err(field_errors) => errors.extend(field_errors.0),
        }
    }
    if errors.is_empty() {
        Ok(inserts)
    } else {
        Err(entry_error(beian_core::inventory::FieldErrors(errors)))
    }
}

pub async fn edit_site(
    inventory: &Inventory<'_>,
    target: &str,
    fields: &SiteFields,
) -> anyhow::Result<Exit> {
    let Record::Website(current) = inventory.resolve(RecordKind::Website, target).await? else {
        return mismatched(RecordKind::Website);
    };
    let subject_id = match &fields.subject {
        Some(subject) => inventory.resolve(RecordKind::Subject, subject).await?.id(),
        None => current.subject_id,
    };
    let mut draft = WebsiteDraft::from_record(&current);
    fill_site(&mut draft, fields);
    let entry = draft
        .validate(&inventory.settings.validation)
        .map_err(entry_error)?;
    let mut warnings = entry.warnings;
    let site = beian_core::model::Website {
        id: current.id,
        subject_id,
        created_at: current.created_at,
        updated_at: current.updated_at,
        ..entry.record
    };
    let mut changes = vec![Change::Update {
        record: Record::Website(site),
    }];
    for (change, domain_warnings) in
        domain_inserts(inventory, &fields.domains, RecordRef::Stored(current.id))?
    {
        changes.push(change);
        warnings.extend(domain_warnings);
    }
    let stored = inventory.apply(&changes, &warnings).await?;
    inventory.report_stored("已保存", "saved", &stored)?;
    Ok(Exit::Success)
}

pub async fn add_domain(
    inventory: &Inventory<'_>,
    name: &str,
    fields: &DomainFields,
) -> anyhow::Result<Exit> {
    let website_id = match &fields.site {
        Some(site) => Some(inventory.resolve(RecordKind::Website, site).await?.id()),
        None => None,
    };
    let mut draft = DomainDraft {
        name: name.to_owned(),
        ..DomainDraft::default()
    };
    fill_domain(&mut draft, fields);
    let entry = draft
        .validate(&inventory.settings.validation)
        .map_err(entry_error)?;
    let domain = beian_core::model::Domain {
        website_id,
        ..entry.record
    };
    let links = Links {
        website: website_id.and_then(stored_ref),
        ..Links::default()
    };
    let stored = inventory
        .apply(&[insert(Record::Domain(domain), links)], &entry.warnings)
        .await?;
    inventory.report_stored("已添加", "added", &stored)?;
    Ok(Exit::Success)
}

fn fill_domain(draft: &mut DomainDraft, fields: &DomainFields) {
    overlay(&mut draft.registrar, &fields.registrar);
    overlay(&mut draft.holder, &fields.holder);
    overlay(&mut draft.expires_on, &fields.expires);
    overlay(&mut draft.notes, &fields.notes);
}

pub async fn edit_domain(
    inventory: &Inventory<'_>,
    target: &str,
    fields: &DomainFields,
) -> anyhow::Result<Exit> {
    let Record::Domain(current) = inventory.resolve(RecordKind::Domain, target).await? else {
        return mismatched(RecordKind::Domain);
    };
    let website_id = match &fields.site {
        Some(site) => Some(inventory.resolve(RecordKind::Website, site).await?.id()),
        None => current.website_id,
    };
    let mut draft = DomainDraft::from_record(&current);
    fill_domain(&mut draft, fields);
    let entry = draft
        .validate(&inventory.settings.validation)
        .map_err(entry_error)?;
    // An unchanged expiry keeps where it came from (WHOIS, RDAP …); a new one is manual.
    let expiry_source = if entry.record.expires_on == current.expires_on {
        current.expiry_source
    } else {
        entry.record.expiry_source
    };
    let domain = beian_core::model::Domain {
        id: current.id,
        website_id,
        expiry_source,
        created_at: current.created_at,
        updated_at: current.updated_at,
        ..entry.record
    };
    let stored = inventory
        .apply(
            &[Change::Update {
                record: Record::Domain(domain),
            }],
            &entry.warnings,
        )
        .await?;
    inventory.report_stored("已保存", "saved", &stored)?;
    Ok(Exit::Success)
}

/// A person's subject: named, or the subject of the named site.
async fn person_links(
    inventory: &Inventory<'_>,
    fields: &PersonFields,
) -> anyhow::Result<(Option<RecordId>, Option<RecordId>)> {
    let website = match &fields.site {
        Some(site) => match inventory.resolve(RecordKind::Website, site).await? {
            Record::Website(site) => Some(site),
            _ => return mismatched(RecordKind::Website),
        },
        None => None,
    };
    let subject_id = match &fields.subject {
        Some(subject) => Some(inventory.resolve(RecordKind::Subject, subject).await?.id()),
        None => website.as_ref().map(|site| site.subject_id),
    };
    Ok((subject_id, website.map(|site| site.id)))
}

fn fill_person(draft: &mut PersonDraft, fields: &PersonFields) {
    overlay(&mut draft.name, &fields.name);
    overlay(&mut draft.role, &fields.role);
    overlay(&mut draft.phone, &fields.phone);
    overlay(&mut draft.email, &fields.email);
}

pub async fn add_person(inventory: &Inventory<'_>, fields: &PersonFields) -> anyhow::Result<Exit> {
    let (subject_id, website_id) = person_links(inventory, fields).await?;
    let Some(subject_id) = subject_id else {
        return input_error(
            "新增负责人需要 --subject 或 --site / adding a person needs --subject or --site",
            "用 --subject 给出主体，或用 --site 给出网站 / pass --subject or --site",
        );
    };
    let mut draft = PersonDraft::default();
    fill_person(&mut draft, fields);
    let entry = draft
        .validate(&inventory.settings.validation)
        .map_err(entry_error)?;
    let person = beian_core::model::Person {
        subject_id,
        website_id,
        ..entry.record
    };
    let links = Links {
        subject: stored_ref(subject_id),
        website: website_id.and_then(stored_ref),
        parent: None,
    };
    let stored = inventory
        .apply(&[insert(Record::Person(person), links)], &entry.warnings)
        .await?;
    inventory.report_stored("已添加", "added", &stored)?;
    Ok(Exit::Success)
}

pub async fn edit_person(
    inventory: &Inventory<'_>,
    target: &str,
    fields: &PersonFields,
) -> anyhow::Result<Exit> {
    let Record::Person(current) = inventory.resolve(RecordKind::Person, target).await? else {
        return mismatched(RecordKind::Person);
    };
    let (subject_id, website_id) = person_links(inventory, fields).await?;
    let mut draft = PersonDraft::from_record(&current);
    fill_person(&mut draft, fields);
    let entry = draft
        .validate(&inventory.settings.validation)
        .map_err(entry_error)?;
    let person = beian_core::model::Person {
        id: current.id,
        subject_id: subject_id.unwrap_or(current.subject_id),
        website_id: if fields.site.is_some() {
            website_id
        } else {
            current.website_id
        },
        created_at: current.created_at,
        updated_at: current.updated_at,
        ..entry.record
    };
    let stored = inventory
        .apply(
            &[Change::Update {
                record: Record::Person(person),
            }],
            &entry.warnings,
        )
        .await?;
    inventory.report_stored("已保存", "saved", &stored)?;
    Ok(Exit::Success)
}

/// Access providers have no draft: a name and an optional http(s) console link.
fn checked_provider(name: &str, console_url: &str) -> anyhow::Result<(String, String)> {
    let name = name.trim();
    if name.is_empty() {
        return input_error(
            "接入商名称不能为空 / the provider name is empty",
            "给出名称，如 阿里云 / give a name, e.g. 阿里云",
        );
    }
    let console_url = console_url.trim();
    let is_web_url = console_url.starts_with("https://") || console_url.starts_with("http://");
    if !console_url.is_empty() && !is_web_url {
        return input_error(
            format!(
                "控制台地址不是 http(s) 网址：«{console_url}» / the console URL is not an http(s) URL"
            ),
            "写成完整网址，如 https://beian.aliyun.com/ / write a full URL, e.g. https://beian.aliyun.com/",
        );
    }
    Ok((name.to_owned(), console_url.to_owned()))
}

pub async fn add_provider(
    inventory: &Inventory<'_>,
    name: &str,
    console_url: Option<&str>,
) -> anyhow::Result<Exit> {
    let (name, console_url) = checked_provider(name, console_url.unwrap_or_default())?;
    let provider = AccessProvider {
        id: 0,
        name,
        console_url,
        created_at: DateTime::UNIX_EPOCH,
        updated_at: DateTime::UNIX_EPOCH,
    };
    let stored = inventory
        .apply(
            &[insert(Record::AccessProvider(provider), Links::default())],
            &[],
        )
        .await?;
    inventory.report_stored("已添加", "added", &stored)?;
    Ok(Exit::Success)
}

pub async fn edit_provider(
    inventory: &Inventory<'_>,
    target: &str,
    name: Option<&str>,
    console_url: Option<&str>,
) -> anyhow::Result<Exit> {
    let Record::AccessProvider(current) = inventory
        .resolve(RecordKind::AccessProvider, target)
        .await?
    else {
        return mismatched(RecordKind::AccessProvider);
    };
    let (name, console_url) = checked_provider(
        name.unwrap_or(&current.name),
        console_url.unwrap_or(&current.console_url),
    )?;
    let provider = AccessProvider {
        name,
        console_url,
        ..current
    };
    let stored = inventory
        .apply(
            &[Change::Update {
                record: Record::AccessProvider(provider),
            }],
            &[],
        )
        .await?;
    inventory.report_stored("已保存", "saved", &stored)?;
    Ok(Exit::Success)
}

/// The store answered a lookup of one kind with a record of another: a store bug.
pub fn mismatched<T>(kind: RecordKind) -> anyhow::Result<T> {
    Err(UserError::input(format!(
        "数据库返回的记录类型不是{} / the database returned a record that is not a {}",
        kind.label_zh(),
        kind.as_str()
    ))
    .with_fix("请报告此问题 / please report this as a bug")
    .into())
}
