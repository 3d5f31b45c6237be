//! Planning one sheet row: its subject, website, filings, domains and contact, each
//! matched to what is stored by natural key and turned into inserts or updates.

use super::*;

impl<'a> Planner<'a> {
    pub(super) fn plan_row(&mut self, cells: &RowCells<'_>) {
        let subject = self.plan_subject(cells);
        self.plan_providers(cells);
        let site = self.plan_website(cells, subject);
        self.plan_icp_filing(cells, subject, site.as_ref());
        self.plan_psb_filing(cells, subject, site.as_ref());
        self.plan_domains(cells, site.as_ref());
        self.plan_contact(cells, subject, site.as_ref());
    }

    fn plan_subject(&mut self, cells: &RowCells<'_>) -> Option<Planned> {
        let row = cells.number();
        let Some(id_text) = cells.get(Column::SubjectIdNumber) else {
            self.error(
                row,
                Some(Column::SubjectIdNumber),
                "",
                "证件号码不能为空 / the subject ID number is required".to_owned(),
                "填写统一社会信用代码或身份证号码 / enter the USCC or resident ID number"
                    .to_owned(),
            );
            return None;
        };
        let key = canonical_subject_id(id_text, self.ctx);
        let overlay = |mut draft: SubjectDraft| {
            overlay_cell(&mut draft.name, cells, Column::SubjectName);
            overlay_cell(&mut draft.kind, cells, Column::SubjectKind);
            draft.id_number = id_text.to_owned();
            overlay_cell(&mut draft.principal, cells, Column::Principal);
            overlay_cell(&mut draft.province, cells, Column::Province);
            draft
        };
        // A subject seen in an earlier row: this row may repeat its values or leave them
        // empty, but not contradict them.
        if let Some(first) = key.as_ref().and_then(|k| self.subjects.get(k)) {
            let planned = first.planned;
            let earlier = first.record.clone();
            let draft = overlay(first.draft.clone());
            let record = self.accept(row, draft.validate(self.ctx), subject_columns)?;
            for (column, differs) in [
                (Column::SubjectName, record.name != earlier.name),
                (Column::SubjectKind, record.kind != earlier.kind),
                (Column::Principal, record.principal != earlier.principal),
                (Column::Province, record.province != earlier.province),
            ] {
                if differs {
                    let value = cells.get(column).unwrap_or_default();
                    let first_row = planned.row;
                    self.error(
                        row,
                        Some(column),
                        value,
                        format!(
                            "同一证件号码的{}与第 {first_row} 行不一致 / differs from row {first_row} \
                             for the same ID number",
                            column.zh()
                        ),
                        format!(
                            "让两行的{}一致（或本行留空）；若是不同主体，核对证件号码 / \
                             make rows {first_row} and {row} agree, or check the ID number",
                            column.zh()
                        ),
                    );
                }
            }
            return Some(planned);
        }
        let stored = key
            .as_deref()
            .and_then(|k| self.existing.subject_by_id_number(k));
        let draft = overlay(stored.map(SubjectDraft::from_record).unwrap_or_default());
        let mut record = self.accept(row, draft.validate(self.ctx), subject_columns)?;
        let reference = match stored {
            Some(stored) => {
                record.id = stored.id;
                record.status = stored.status;
                record.closed_on = stored.closed_on;
                record.created_at = stored.created_at;
                record.updated_at = stored.updated_at;
                self.update_if_changed(
                    &Record::Subject(stored.clone()),
                    Record::Subject(record.clone()),
                )
            }
            None => self.insert(Record::Subject(record.clone()), Links::default()),
        };
        let planned = Planned { reference, row };
        self.subjects.insert(
            record.id_number.clone(),
            PlannedSubject {
                planned,
                draft,
                record,
            },
        );
        Some(planned)
    }

    fn plan_providers(&mut self, cells: &RowCells<'_>) {
        let Some(text) = cells.get(Column::AccessProviders) else {
            return;
        };
        for name in split_list(text) {
            if !self.providers.insert(name.clone()) {
                continue;
            }
            if self.existing.provider_by_name(&name).is_some() {
                self.count(RecordKind::AccessProvider).unchanged += 1;
            } else {
                let record = AccessProvider {
                    id: 0,
                    name,
                    console_url: String::new(),
                    created_at: chrono::DateTime::UNIX_EPOCH,
                    updated_at: chrono::DateTime::UNIX_EPOCH,
                };
                self.insert(Record::AccessProvider(record), Links::default());
            }
        }
    }

    fn plan_website(
        &mut self,
        cells: &RowCells<'_>,
        subject: Option<Planned>,
    ) -> Option<PlannedSite<'a>> {
        let row = cells.number();
        let Some(url_text) = cells.get(Column::HomeUrl) else {
            self.error(
                row,
                Some(Column::HomeUrl),
                "",
                "首页网址不能为空 / the home URL is required".to_owned(),
                "填写如 https://www.example.com/ 的网址 / enter a URL like https://www.example.com/".to_owned(),
            );
            return None;
        };
        let home_url = match canonical_home_url(url_text) {
            Ok(url) => url.to_string(),
            Err(error) => {
                self.error(
                    row,
                    Some(Column::HomeUrl),
                    &error.value,
                    error.problem,
                    error.fix,
                );
                return None;
            }
        };
        if let Err(first) = Self::first_occurrence(&mut self.websites, &home_url, row) {
            self.duplicate(row, first, Column::HomeUrl, url_text);
            return None;
        }
        let stored = self.existing.website_by_url(&home_url);
        let mut draft = stored.map(WebsiteDraft::from_record).unwrap_or_default();
        overlay_cell(&mut draft.name, cells, Column::SiteName);
        draft.home_url = home_url.clone();
        overlay_cell(&mut draft.access_providers, cells, Column::AccessProviders);
        overlay_cell(&mut draft.server_ips, cells, Column::ServerIps);
        overlay_cell(&mut draft.tags, cells, Column::Tags);
        overlay_cell(&mut draft.go_live_on, cells, Column::GoLiveOn);
        overlay_cell(&mut draft.status, cells, Column::SiteStatus);
        overlay_cell(&mut draft.closed_on, cells, Column::ClosedOn);
        overlay_cell(&mut draft.notes, cells, Column::Notes);
        // Re-opening a site in the sheet drops its stored closing date.
        let reopened = cells.get(Column::SiteStatus).and_then(RecordStatus::parse)
            == Some(RecordStatus::Active);
        if reopened && cells.get(Column::ClosedOn).is_none() {
            draft.closed_on.clear();
        }
        let mut record = self.accept(row, draft.validate(self.ctx), website_columns)?;
        let subject = subject?;
        let reference = match stored {
            Some(stored) => {
                if subject.stored_id() != Some(stored.subject_id) {
                    let owner = self.existing.subject(stored.subject_id).map_or_else(
                        || stored.subject_id.to_string(),
                        |s| format!("{}（{}）", s.name, s.id_number),
                    );
                    self.error(
                        row,
                        Some(Column::SubjectIdNumber),
                        cells.get(Column::SubjectIdNumber).unwrap_or_default(),
                        format!("网站 {home_url} 已登记在主体 {owner} 名下 / the site belongs to another subject"),
                        "核对证件号码；确需变更主体时先用 beian site edit 调整 / \
                         check the ID number; to move the site use beian site edit"
                            .to_owned(),
                    );
                    return None;
                }
                record.id = stored.id;
                record.subject_id = stored.subject_id;
                record.created_at = stored.created_at;
                record.updated_at = stored.updated_at;
                self.update_if_changed(&Record::Website(stored.clone()), Record::Website(record))
            }
            None => {
                let links = Links {
                    subject: Some(subject.reference),
                    ..Links::default()
                };
                self.insert(Record::Website(record), links)
            }
        };
        Some(PlannedSite {
            planned: Planned { reference, row },
            stored,
            home_url,
        })
    }

    /// Validates a filing cell and checks it is not repeated in the sheet.
    fn filing_entry(
        &mut self,
        cells: &RowCells<'_>,
        number_column: Column,
        overlay: impl Fn(&mut FilingDraft),
        columns: FieldColumns,
    ) -> Option<(Filing, Option<&'a Filing>)> {
        let row = cells.number();
        let text = cells.get(number_column)?;
        let key = identifier::validate_filing_number(text, self.ctx).canonical;
        let stored = key
            .as_deref()
            .and_then(|k| self.existing.filing_by_number(k));
        let mut draft = stored.map(FilingDraft::from_record).unwrap_or_default();
        draft.number = text.to_owned();
        overlay(&mut draft);
        let record = self.accept(row, draft.validate(self.ctx), columns)?;
        match self.filing_numbers.get(&record.number) {
            Some(&(first, first_column)) => {
                let problem = if first_column == number_column {
                    format!("与第 {first} 行重复 / duplicate of row {first}")
                } else {
                    format!(
                        "第 {first} 行的{}已使用此号码 / row {first} uses the same number",
                        first_column.zh()
                    )
                };
                self.error(
                    row,
                    Some(number_column),
                    text,
                    problem,
                    format!("每个备案号只能属于一个网站：核对第 {first} 行和第 {row} 行 / one number, one site: check rows {first} and {row}"),
                );
                return None;
            }
            None => {
                self.filing_numbers
                    .insert(record.number.clone(), (row, number_column));
            }
        }
        Some((record, stored))
    }

    fn plan_icp_filing(
        &mut self,
        cells: &RowCells<'_>,
        subject: Option<Planned>,
        site: Option<&PlannedSite<'a>>,
    ) {
        let row = cells.number();
        let status_cell = cells.get(Column::FilingStatus);
        if cells.get(Column::IcpNumber).is_none() {
            if let Some(value) = status_cell.or(cells.get(Column::FiledOn)) {
                self.error(
                    row,
                    Some(Column::IcpNumber),
                    value,
                    "填了备案状态或日期，但没有ICP备案号 / a filing status or date without an ICP number".to_owned(),
                    "补填网站备案号（如 京ICP备2024012345号-1），或清空备案状态和日期 / add the number or clear those cells".to_owned(),
                );
            }
            return;
        }
        let overlay = |draft: &mut FilingDraft| {
            overlay_cell(&mut draft.status, cells, Column::FilingStatus);
            overlay_cell(&mut draft.filed_on, cells, Column::FiledOn);
            // Re-activating a cancelled filing in the sheet drops its cancellation date.
            if status_cell
                .and_then(FilingStatus::parse)
                .is_some_and(|s| s != FilingStatus::Cancelled)
            {
                draft.cancelled_on.clear();
            }
        };
        let Some((mut record, stored)) =
            self.filing_entry(cells, Column::IcpNumber, overlay, icp_columns)
        else {
            return;
        };
        if !matches!(
            record.kind,
            FilingKind::IcpWebsite | FilingKind::IcpLicence | FilingKind::VatLicence
        ) {
            let fix = match record.kind {
                FilingKind::Psb => "公安备案号请填在 公安备案号(psb_number) 列 / put PSB numbers in the psb_number column".to_owned(),
                FilingKind::IcpSubject => format!(
                    "填写网站备案号：主体备案号后加 -N，如 {}-1 / add the site suffix -N",
                    record.number
                ),
                _ => "此列只填网站备案号（…号-N）或经营许可证号 / this column takes website numbers or licence numbers".to_owned(),
            };
            let kind = record.kind.label_zh();
            self.error(
                row,
                Some(Column::IcpNumber),
                &record.number,
                format!(
                    "这是{kind}号，不是网站备案号 / a {} number, not a website number",
                    record.kind.as_str()
                ),
                fix,
            );
            return;
        }
        let (Some(subject), Some(site)) = (subject, site) else {
            return;
        };
        let parent = match record.kind {
            FilingKind::IcpWebsite => {
                let Some(stem) = subject_filing_number(&record.number).map(str::to_owned) else {
                    return;
                };
                match self.plan_subject_filing(row, &stem, subject, &record) {
                    Some(parent) => Some(parent),
                    None => return,
                }
            }
            _ => None,
        };
        match stored {
            Some(stored) => {
                if subject.stored_id() != Some(stored.subject_id) {
                    self.owner_mismatch(row, Column::IcpNumber, &record.number, stored.subject_id);
                    return;
                }
                // A stored filing can only be pointed at stored records (updates carry no links).
                let site_id = site.planned.stored_id();
                let parent_id = parent.map(Planned::stored_id);
                let (Some(site_id), None | Some(Some(_))) = (site_id, parent_id) else {
                    self.relink_error(row, Column::IcpNumber, &record.number, "备案 / filing");
                    return;
                };
                record.id = stored.id;
                record.subject_id = stored.subject_id;
                record.website_id = Some(site_id);
                record.parent_id = parent_id.flatten().or(stored.parent_id);
                record.created_at = stored.created_at;
                record.updated_at = stored.updated_at;
                self.update_if_changed(&Record::Filing(stored.clone()), Record::Filing(record));
            }
            None => {
                let links = Links {
                    subject: Some(subject.reference),
                    website: Some(site.planned.reference),
                    parent: parent.map(|p| p.reference),
                };
                self.insert(Record::Filing(record), links);
            }
        }
    }

    fn owner_mismatch(&mut self, row: usize, column: Column, number: &str, owner_id: RecordId) {
        let owner = self.existing.subject(owner_id).map_or_else(
            || owner_id.to_string(),
            |s| format!("{}（{}）", s.name, s.id_number),
        );
        self.error(
            row,
            Some(column),
            number,
            format!("该备案号已登记在主体 {owner} 名下 / the number belongs to another subject"),
            "核对备案号和证件号码 / check the number and the subject's ID number".to_owned(),
        );
    }

    /// The ICP subject filing (主体备案号) a website number hangs under: stored, planned
    /// by an earlier row, or inserted now.
    fn plan_subject_filing(
        &mut self,
        row: usize,
        stem: &str,
        subject: Planned,
        site_filing: &Filing,
    ) -> Option<Planned> {
        if let Some(slot) = self.subject_filings.get(stem) {
            if slot.subject != subject.reference {
                let first = slot.planned.row;
                self.error(
                    row,
                    Some(Column::IcpNumber),
                    &site_filing.number,
                    format!("主体备案号 {stem} 在第 {first} 行属于另一主体 / the subject filing belongs to another subject in row {first}"),
                    format!("同一主体备案号下的网站必须属于同一主体：核对第 {first} 行和第 {row} 行的证件号码 / check the ID numbers of rows {first} and {row}"),
                );
                return None;
            }
            let planned = slot.planned;
            if let Some(index) = slot.insert_index
                && let Some(Change::Insert {
                    record: Record::Filing(parent),
                    ..
                }) = self.changes.get_mut(index)
            {
                absorb_site_filing(parent, site_filing);
            }
            return Some(planned);
        }
        let planned = match self.existing.filing_by_number(stem) {
            Some(stored) => {
                if stored.kind != FilingKind::IcpSubject
                    || subject.stored_id() != Some(stored.subject_id)
                {
                    self.owner_mismatch(
                        row,
                        Column::IcpNumber,
                        &site_filing.number,
                        stored.subject_id,
                    );
                    return None;
                }
                self.count(RecordKind::Filing).unchanged += 1;
                self.subject_filings.insert(
                    stem.to_owned(),
                    PlannedSubjectFiling {
                        planned: Planned {
                            reference: RecordRef::Stored(stored.id),
                            row,
                        },
                        subject: subject.reference,
                        insert_index: None,
                    },
                );
                return Some(Planned {
                    reference: RecordRef::Stored(stored.id),
                    row,
                });
            }
            None => {
                let mut parent = Filing {
                    id: 0,
                    kind: FilingKind::IcpSubject,
                    number: stem.to_owned(),
                    status: FilingStatus::Cancelled,
                    subject_id: 0,
                    website_id: None,
                    parent_id: None,
                    filed_on: None,
                    cancelled_on: None,
                    notes: String::new(),
                    created_at: chrono::DateTime::UNIX_EPOCH,
                    updated_at: chrono::DateTime::UNIX_EPOCH,
                };
                absorb_site_filing(&mut parent, site_filing);
                let links = Links {
                    subject: Some(subject.reference),
                    ..Links::default()
                };
                let reference = self.insert(Record::Filing(parent), links);
                Planned { reference, row }
            }
        };
        let insert_index = match planned.reference {
            RecordRef::New(index) => Some(index),
            RecordRef::Stored(_) => None,
        };
        self.subject_filings.insert(
            stem.to_owned(),
            PlannedSubjectFiling {
                planned,
                subject: subject.reference,
                insert_index,
            },
        );
        Some(planned)
    }

    fn plan_psb_filing(
        &mut self,
        cells: &RowCells<'_>,
        subject: Option<Planned>,
        site: Option<&PlannedSite<'a>>,
    ) {
        let row = cells.number();
        if cells.get(Column::PsbNumber).is_none() {
            if let Some(value) = cells.get(Column::PsbFiledOn) {
                self.error(
                    row,
                    Some(Column::PsbNumber),
                    value,
                    "填了公安备案日期，但没有公安备案号 / a PSB filing date without a PSB number".to_owned(),
                    "补填公安备案号（如 京公网安备11010802012345号），或清空日期 / add the number or clear the date".to_owned(),
                );
            }
            return;
        }
        let overlay =
            |draft: &mut FilingDraft| overlay_cell(&mut draft.filed_on, cells, Column::PsbFiledOn);
        let Some((mut record, stored)) =
            self.filing_entry(cells, Column::PsbNumber, overlay, psb_columns)
        else {
            return;
        };
        if record.kind != FilingKind::Psb {
            self.error(
                row,
                Some(Column::PsbNumber),
                &record.number,
                format!("这是{}号，不是公安联网备案号 / not a PSB number", record.kind.label_zh()),
                "此列只填公安联网备案号，如 京公网安备11010802012345号；ICP 备案号填在 ICP备案号 列 / \
                 PSB numbers only; ICP numbers go to icp_number"
                    .to_owned(),
            );
            return;
        }
        let (Some(subject), Some(site)) = (subject, site) else {
            return;
        };
        match stored {
            Some(stored) => {
                if subject.stored_id() != Some(stored.subject_id) {
                    self.owner_mismatch(row, Column::PsbNumber, &record.number, stored.subject_id);
                    return;
                }
                let Some(site_id) = site.planned.stored_id() else {
                    self.relink_error(
                        row,
                        Column::PsbNumber,
                        &record.number,
                        "公安备案 / PSB filing",
                    );
                    return;
                };
                record.id = stored.id;
                record.subject_id = stored.subject_id;
                record.website_id = Some(site_id);
                record.parent_id = stored.parent_id;
                record.created_at = stored.created_at;
                record.updated_at = stored.updated_at;
                self.update_if_changed(&Record::Filing(stored.clone()), Record::Filing(record));
            }
            None => {
                let links = Links {
                    subject: Some(subject.reference),
                    website: Some(site.planned.reference),
                    parent: None,
                };
                self.insert(Record::Filing(record), links);
            }
        }
    }

    fn plan_domains(&mut self, cells: &RowCells<'_>, site: Option<&PlannedSite<'a>>) {
        let row = cells.number();
        let names = match cells.get(Column::Domains) {
            Some(text) => split_list(text),
            None => {
                let has_stored = site
                    .and_then(|s| s.stored)
                    .is_some_and(|stored| self.existing.domains_of(stored.id).next().is_some());
                let derived = site
                    .filter(|_| !has_stored)
                    .and_then(|s| registrable_domain_of(&s.home_url, self.ctx));
                derived.into_iter().collect()
            }
        };
        for name in names {
            let key = identifier::validate_domain(&name, self.ctx).canonical;
            let stored = key.as_deref().and_then(|k| self.existing.domain_by_name(k));
            let mut draft = stored.map(DomainDraft::from_record).unwrap_or_default();
            draft.name = name.clone();
            overlay_cell(&mut draft.registrar, cells, Column::Registrar);
            overlay_cell(&mut draft.holder, cells, Column::DomainHolder);
            overlay_cell(&mut draft.expires_on, cells, Column::DomainExpiresOn);
            let Some(mut record) = self.accept(row, draft.validate(self.ctx), domain_columns)
            else {
                continue;
            };
            if let Err(first) = Self::first_occurrence(&mut self.domains, &record.name, row) {
                self.duplicate(row, first, Column::Domains, &name);
                continue;
            }
            let Some(site) = site else { continue };
            match stored {
                Some(stored) => {
                    let Some(website_id) = site.planned.stored_id() else {
                        self.relink_error(row, Column::Domains, &name, "域名 / domain");
                        continue;
                    };
                    record.expiry_source = if record.expires_on == stored.expires_on {
                        stored.expiry_source
                    } else {
                        record.expires_on.map(|_| Provenance::Import)
                    };
                    record.id = stored.id;
                    record.website_id = Some(website_id);
                    record.created_at = stored.created_at;
                    record.updated_at = stored.updated_at;
                    self.update_if_changed(&Record::Domain(stored.clone()), Record::Domain(record));
                }
                None => {
                    record.expiry_source = record.expires_on.map(|_| Provenance::Import);
                    let links = Links {
                        website: Some(site.planned.reference),
                        ..Links::default()
                    };
                    self.insert(Record::Domain(record), links);
                }
            }
        }
    }

    fn plan_contact(
        &mut self,
        cells: &RowCells<'_>,
        subject: Option<Planned>,
        site: Option<&PlannedSite<'a>>,
    ) {
        let row = cells.number();
        let name = cells.get(Column::SiteContact);
        let phone = cells.get(Column::SiteContactPhone);
        if name.is_none() && phone.is_none() {
            return;
        }
        let stored = site
            .and_then(|s| s.stored)
            .and_then(|w| self.existing.contact_of(w.id));
        let mut draft = stored
            .map(PersonDraft::from_record)
            .unwrap_or_else(|| PersonDraft {
                role: crate::model::PersonRole::Website.as_str().to_owned(),
                ..PersonDraft::default()
            });
        overlay_cell(&mut draft.name, cells, Column::SiteContact);
        overlay_cell(&mut draft.phone, cells, Column::SiteContactPhone);
        let Some(mut record) = self.accept(row, draft.validate(self.ctx), contact_columns) else {
            return;
        };
        let (Some(subject), Some(site)) = (subject, site) else {
            return;
        };
        match stored {
            Some(stored) => {
                record.id = stored.id;
                record.subject_id = stored.subject_id;
                record.website_id = stored.website_id;
                record.created_at = stored.created_at;
                record.updated_at = stored.updated_at;
                self.update_if_changed(&Record::Person(stored.clone()), Record::Person(record));
            }
            None => {
                let links = Links {
                    subject: Some(subject.reference),
                    website: Some(site.planned.reference),
                    parent: None,
                };
                self.insert(Record::Person(record), links);
            }
        }
    }
}

/// A website the plan refers to, with what was stored for it.
struct PlannedSite<'a> {
    planned: Planned,
    stored: Option<&'a Website>,
    home_url: String,
}

/// Replaces a draft field with the row's cell when the cell is filled.
fn overlay_cell(target: &mut String, cells: &RowCells<'_>, column: Column) {
    if let Some(value) = cells.get(column) {
        value.clone_into(target);
    }
}

/// A derived subject filing is as alive as its liveliest website filing and dates from
/// the earliest of them.
fn absorb_site_filing(parent: &mut Filing, site_filing: &Filing) {
    let liveliness = |status: FilingStatus| match status {
        FilingStatus::Active => 2,
        FilingStatus::Pending => 1,
        FilingStatus::Cancelled => 0,
    };
    if liveliness(site_filing.status) > liveliness(parent.status) {
        parent.status = site_filing.status;
    }
    parent.cancelled_on = match parent.status {
        FilingStatus::Cancelled => parent.cancelled_on.max(site_filing.cancelled_on),
        _ => None,
    };
    parent.filed_on = match (parent.filed_on, site_filing.filed_on) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
}

/// The canonical form of a subject ID number, when it is a valid USCC or resident ID.
fn canonical_subject_id(text: &str, ctx: &ValidationContext) -> Option<String> {
    let uscc = identifier::validate_uscc(text);
    if uscc.is_valid() {
        return uscc.canonical;
    }
    let resident = identifier::validate_resident_id(text, ctx);
    if resident.is_valid() {
        resident.canonical
    } else {
        None
    }
}
