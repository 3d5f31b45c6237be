//! The `add`, `edit` and `list` filter hooks of subjects, sites, domains, persons and
//! access providers. `add` and `edit` fill a draft from the flags (for `edit`: from the stored record, then the flags
//! given), validates it, and applies one change set.

use beian_core::inventory::field::join_list;
use beian_core::inventory::{
    DomainDraft, FieldErrors, FieldWarning, PersonDraft, SubjectDraft, WebsiteDraft,
};
use beian_core::model::{
    AccessProvider, Change, Domain, Links, Person, RecordId, RecordKind, RecordRef, Subject,
    Website,
};
use beian_store::ListQuery;
use chrono::DateTime;

use super::entry::{Draft, Outcome, insert, overlay, update};
use super::{Inventory, KindCommands, entry_error, record_status};
use crate::cli::{
    DomainAdd, DomainCli, DomainFields, DomainFilters, NoFilters, PersonCli, PersonFields,
    PersonFilters, ProviderAdd, ProviderCli, ProviderFields, SiteCli, SiteFields, SiteFilters,
    StatusFilter, SubjectCli, SubjectFields,
};
use crate::error::{Exit, input_error};

/// Replaces a list field when the flag was given at least once.
fn overlay_list(target: &mut String, flags: &[String]) {
    if !flags.is_empty() {
        *target = join_list(flags);
    }
}

fn stored_ref(id: RecordId) -> Option<RecordRef> {
    Some(RecordRef::Stored(id))
}

fn fill_subject(draft: &mut SubjectDraft, fields: &SubjectFields) {
    overlay(&mut draft.name, &fields.name);
    overlay(&mut draft.kind, &fields.kind);
    overlay(&mut draft.id_number, &fields.id_number);
    overlay(&mut draft.principal, &fields.principal);
    overlay(&mut draft.province, &fields.province);
    overlay(&mut draft.notes, &fields.notes);
}

fn fill_site(draft: &mut WebsiteDraft, fields: &SiteFields) {
    overlay(&mut draft.name, &fields.name);
    overlay(&mut draft.home_url, &fields.url);
    overlay_list(&mut draft.access_providers, &fields.providers);
    overlay_list(&mut draft.server_ips, &fields.ips);
    overlay_list(&mut draft.tags, &fields.tags);
    overlay(&mut draft.go_live_on, &fields.go_live);
    overlay(&mut draft.notes, &fields.notes);
}

/// A change set and the warnings its entry checks raised.
struct ChangeSet {
    changes: Vec<Change>,
    warnings: Vec<FieldWarning>,
}

impl ChangeSet {
    async fn commit(self, inventory: &Inventory<'_>, outcome: Outcome) -> anyhow::Result<Exit> {
        inventory
            .commit(&self.changes, &self.warnings, outcome)
            .await
    }
}

/// The site's change followed by one insert per `--domain`; the errors of all the
/// domains are reported together.
fn with_domains(
    inventory: &Inventory<'_>,
    site_change: Change,
    warnings: Vec<FieldWarning>,
    fields: &SiteFields,
    website: RecordRef,
) -> anyhow::Result<ChangeSet> {
    let mut set = ChangeSet {
        changes: vec![site_change],
        warnings,
    };
    let mut errors = Vec::new();
    for name in &fields.domains {
        let draft = DomainDraft {
            name: name.clone(),
            ..DomainDraft::default()
        };
        match draft.check(&inventory.settings.validation) {
            Ok(entry) => {
                let links = Links {
                    website: Some(website),
                    ..Links::default()
                };
                set.changes.push(insert(entry.record, links));
                set.warnings.extend(entry.warnings);
            }
            Err(field_errors) => errors.extend(field_errors.0),
        }
    }
    if errors.is_empty() {
        Ok(set)
    } else {
        Err(entry_error(FieldErrors(errors)))
    }
}

fn fill_domain(draft: &mut DomainDraft, fields: &DomainFields) {
    overlay(&mut draft.registrar, &fields.registrar);
    overlay(&mut draft.holder, &fields.holder);
    overlay(&mut draft.expires_on, &fields.expires);
    overlay(&mut draft.notes, &fields.notes);
}

/// A person's subject: named, or the subject of the named site.
async fn person_links(
    inventory: &Inventory<'_>,
    fields: &PersonFields,
) -> anyhow::Result<(Option<RecordId>, Option<RecordId>)> {
    let website: Option<Website> = inventory.optional(fields.site.as_deref()).await?;
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

impl KindCommands for SubjectCli {
    const KIND: RecordKind = RecordKind::Subject;

    async fn add(inventory: &Inventory<'_>, fields: &SubjectFields) -> anyhow::Result<Exit> {
        let mut draft = SubjectDraft::default();
        fill_subject(&mut draft, fields);
        let entry = inventory.validated(&draft)?;
        let changes = [insert(entry.record, Links::default())];
        inventory
            .commit(&changes, &entry.warnings, Outcome::Added)
            .await
    }

    async fn edit(
        inventory: &Inventory<'_>,
        target: &str,
        fields: &SubjectFields,
    ) -> anyhow::Result<Exit> {
        let current: Subject = inventory.stored(target).await?;
        let mut draft = SubjectDraft::from_record(&current);
        fill_subject(&mut draft, fields);
        let entry = inventory.validated(&draft)?;
        let subject = Subject {
            id: current.id,
            status: current.status,
            closed_on: current.closed_on,
            created_at: current.created_at,
            updated_at: current.updated_at,
            ..entry.record
        };
        inventory
            .commit(&[update(subject)], &entry.warnings, Outcome::Updated)
            .await
    }

    async fn filter(
        _: &Inventory<'_>,
        query: &mut ListQuery,
        StatusFilter { status }: &StatusFilter,
    ) -> anyhow::Result<()> {
        query.status = record_status(status.as_deref())?;
        Ok(())
    }
}

impl KindCommands for SiteCli {
    const KIND: RecordKind = RecordKind::Website;

    async fn add(inventory: &Inventory<'_>, fields: &SiteFields) -> anyhow::Result<Exit> {
        let Some(subject) = &fields.subject else {
            return input_error(
                "新增网站需要 --subject / adding a site needs --subject",
                "用 --subject 给出主体 ID 或统一社会信用代码 / pass --subject with the subject's id or USCC",
            );
        };
        let subject_id = inventory.resolve(RecordKind::Subject, subject).await?.id();
        let mut draft = WebsiteDraft::default();
        fill_site(&mut draft, fields);
        let entry = inventory.validated(&draft)?;
        let site = Website {
            subject_id,
            ..entry.record
        };
        let links = Links {
            subject: stored_ref(subject_id),
            ..Links::default()
        };
        // The site is change 0 of the set, so its domains can link to it before it has an id.
        let site_ref = RecordRef::New(0);
        with_domains(
            inventory,
            insert(site, links),
            entry.warnings,
            fields,
            site_ref,
        )?
        .commit(inventory, Outcome::Added)
        .await
    }

    async fn edit(
        inventory: &Inventory<'_>,
        target: &str,
        fields: &SiteFields,
    ) -> anyhow::Result<Exit> {
        let current: Website = inventory.stored(target).await?;
        let subject_id = inventory
            .optional_id(RecordKind::Subject, fields.subject.as_deref())
            .await?
            .unwrap_or(current.subject_id);
        let mut draft = WebsiteDraft::from_record(&current);
        fill_site(&mut draft, fields);
        let entry = inventory.validated(&draft)?;
        let site = Website {
            id: current.id,
            subject_id,
            created_at: current.created_at,
            updated_at: current.updated_at,
            ..entry.record
        };
        let site_ref = RecordRef::Stored(current.id);
        with_domains(inventory, update(site), entry.warnings, fields, site_ref)?
            .commit(inventory, Outcome::Saved)
            .await
    }

    async fn filter(
        inventory: &Inventory<'_>,
        query: &mut ListQuery,
        SiteFilters { subject, status }: &SiteFilters,
    ) -> anyhow::Result<()> {
        query.subject_id = inventory
            .optional_id(RecordKind::Subject, subject.as_deref())
            .await?;
        query.status = record_status(status.as_deref())?;
        Ok(())
    }
}

impl KindCommands for DomainCli {
    const KIND: RecordKind = RecordKind::Domain;

    async fn add(inventory: &Inventory<'_>, args: &DomainAdd) -> anyhow::Result<Exit> {
        let DomainAdd { name, fields } = args;
        let website_id = inventory
            .optional_id(RecordKind::Website, fields.site.as_deref())
            .await?;
        let mut draft = DomainDraft {
            name: name.to_owned(),
            ..DomainDraft::default()
        };
        fill_domain(&mut draft, fields);
        let entry = inventory.validated(&draft)?;
        let domain = Domain {
            website_id,
            ..entry.record
        };
        let links = Links {
            website: website_id.and_then(stored_ref),
            ..Links::default()
        };
        inventory
            .commit(&[insert(domain, links)], &entry.warnings, Outcome::Added)
            .await
    }

    async fn edit(
        inventory: &Inventory<'_>,
        target: &str,
        fields: &DomainFields,
    ) -> anyhow::Result<Exit> {
        let current: Domain = inventory.stored(target).await?;
        let website_id = match &fields.site {
            Some(site) => Some(inventory.resolve(RecordKind::Website, site).await?.id()),
            None => current.website_id,
        };
        let mut draft = DomainDraft::from_record(&current);
        fill_domain(&mut draft, fields);
        let entry = inventory.validated(&draft)?;
        // An unchanged expiry keeps where it came from (WHOIS, RDAP …); a new one is manual.
        let expiry_source = if entry.record.expires_on == current.expires_on {
            current.expiry_source
        } else {
            entry.record.expiry_source
        };
        let domain = Domain {
            id: current.id,
            website_id,
            expiry_source,
            created_at: current.created_at,
            updated_at: current.updated_at,
            ..entry.record
        };
        inventory
            .commit(&[update(domain)], &entry.warnings, Outcome::Saved)
            .await
    }

    async fn filter(
        inventory: &Inventory<'_>,
        query: &mut ListQuery,
        DomainFilters {
            site,
            expiring_within,
        }: &DomainFilters,
    ) -> anyhow::Result<()> {
        query.website_id = inventory
            .optional_id(RecordKind::Website, site.as_deref())
            .await?;
        query.expiring_before = expiring_within
            .map(|days| inventory.settings.today() + chrono::Days::new(u64::from(days)));
        Ok(())
    }
}

impl KindCommands for PersonCli {
    const KIND: RecordKind = RecordKind::Person;

    async fn add(inventory: &Inventory<'_>, fields: &PersonFields) -> anyhow::Result<Exit> {
        let (subject_id, website_id) = person_links(inventory, fields).await?;
        let Some(subject_id) = subject_id else {
            return input_error(
                "新增负责人需要 --subject 或 --site / adding a person needs --subject or --site",
                "用 --subject 给出主体，或用 --site 给出网站 / pass --subject or --site",
            );
        };
        let mut draft = PersonDraft::default();
        fill_person(&mut draft, fields);
        let entry = inventory.validated(&draft)?;
        let person = Person {
            subject_id,
            website_id,
            ..entry.record
        };
        let links = Links {
            subject: stored_ref(subject_id),
            website: website_id.and_then(stored_ref),
            parent: None,
        };
        inventory
            .commit(&[insert(person, links)], &entry.warnings, Outcome::Added)
            .await
    }

    async fn edit(
        inventory: &Inventory<'_>,
        target: &str,
        fields: &PersonFields,
    ) -> anyhow::Result<Exit> {
        let current: Person = inventory.stored(target).await?;
        let (subject_id, website_id) = person_links(inventory, fields).await?;
        let mut draft = PersonDraft::from_record(&current);
        fill_person(&mut draft, fields);
        let entry = inventory.validated(&draft)?;
        let person = Person {
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
        inventory
            .commit(&[update(person)], &entry.warnings, Outcome::Saved)
            .await
    }

    async fn filter(
        inventory: &Inventory<'_>,
        query: &mut ListQuery,
        PersonFilters { subject, site }: &PersonFilters,
    ) -> anyhow::Result<()> {
        query.subject_id = inventory
            .optional_id(RecordKind::Subject, subject.as_deref())
            .await?;
        query.website_id = inventory
            .optional_id(RecordKind::Website, site.as_deref())
            .await?;
        Ok(())
    }
}

impl KindCommands for ProviderCli {
    const KIND: RecordKind = RecordKind::AccessProvider;

    async fn add(inventory: &Inventory<'_>, args: &ProviderAdd) -> anyhow::Result<Exit> {
        let (name, console_url) = (args.name.as_str(), args.console_url.as_deref());
        let (name, console_url) = checked_provider(name, console_url.unwrap_or_default())?;
        let provider = AccessProvider {
            id: 0,
            name,
            console_url,
            created_at: DateTime::UNIX_EPOCH,
            updated_at: DateTime::UNIX_EPOCH,
        };
        inventory
            .commit(&[insert(provider, Links::default())], &[], Outcome::Added)
            .await
    }

    async fn edit(
        inventory: &Inventory<'_>,
        target: &str,
        fields: &ProviderFields,
    ) -> anyhow::Result<Exit> {
        let (name, console_url) = (fields.name.as_deref(), fields.console_url.as_deref());
        let current: AccessProvider = inventory.stored(target).await?;
        let (name, console_url) = checked_provider(
            name.unwrap_or(&current.name),
            console_url.unwrap_or(&current.console_url),
        )?;
        let provider = AccessProvider {
            name,
            console_url,
            ..current
        };
        inventory
            .commit(&[update(provider)], &[], Outcome::Saved)
            .await
    }

    async fn filter(_: &Inventory<'_>, _: &mut ListQuery, _: &NoFilters) -> anyhow::Result<()> {
        Ok(())
    }
}
