//! Export rows: the stored inventory written as the portfolio sheet the importer reads,
//! and the spreadsheet formula-injection guard.

use std::borrow::Cow;

use super::columns::Column;
use super::draft::{DomainDraft, FilingDraft, PersonDraft, SubjectDraft, WebsiteDraft};
use super::snapshot::InventorySnapshot;

/// One portfolio row per website, cells in [`Column::ALL`] order, sorted by subject
/// and then by website id. Importing these rows into the same inventory changes nothing:
/// every cell is the text the drafts read back to the stored value, and where a site's
/// domains disagree on registrar, holder or expiry the cell is left empty (an empty
/// cell keeps what is stored).
pub fn portfolio_rows(snapshot: &InventorySnapshot) -> Vec<Vec<String>> {
    let mut sites: Vec<_> = snapshot.websites.iter().collect();
    sites.sort_by_key(|site| (site.subject_id, site.id));
    sites
        .into_iter()
        .map(|site| {
            let subject = snapshot
                .subject(site.subject_id)
                .map(SubjectDraft::from_record)
                .unwrap_or_default();
            let website = WebsiteDraft::from_record(site);
            let domains: Vec<DomainDraft> = snapshot
                .domains_of(site.id)
                .map(DomainDraft::from_record)
                .collect();
            let icp = snapshot
                .icp_filing_of(site.id)
                .map(FilingDraft::from_record)
                .unwrap_or_default();
            let psb = snapshot
                .psb_filing_of(site.id)
                .map(FilingDraft::from_record)
                .unwrap_or_default();
            let contact = snapshot
                .contact_of(site.id)
                .map(PersonDraft::from_record)
                .unwrap_or_default();
            let shared = |field: fn(&DomainDraft) -> &str| -> String {
                let mut values = domains.iter().map(field);
                match values.next() {
                    Some(first) if values.all(|v| v == first) => first.to_owned(),
                    _ => String::new(),
                }
            };
            Column::ALL
                .iter()
                .map(|column| match column {
                    Column::SubjectName => subject.name.clone(),
                    Column::SubjectKind => subject.kind.clone(),
                    Column::SubjectIdNumber => subject.id_number.clone(),
                    Column::Principal => subject.principal.clone(),
                    Column::Province => subject.province.clone(),
                    Column::SiteName => website.name.clone(),
                    Column::HomeUrl => website.home_url.clone(),
                    Column::Domains => domains
                        .iter()
                        .map(|d| d.name.clone())
                        .collect::<Vec<_>>()
                        .join("; "),
                    Column::AccessProviders => website.access_providers.clone(),
                    Column::ServerIps => website.server_ips.clone(),
                    Column::Tags => website.tags.clone(),
                    Column::GoLiveOn => website.go_live_on.clone(),
                    Column::SiteStatus => website.status.clone(),
                    Column::ClosedOn => website.closed_on.clone(),
                    Column::IcpNumber => icp.number.clone(),
                    Column::FilingStatus if icp.number.is_empty() => String::new(),
                    Column::FilingStatus => icp.status.clone(),
                    Column::FiledOn => icp.filed_on.clone(),
                    Column::PsbNumber => psb.number.clone(),
                    Column::PsbFiledOn => psb.filed_on.clone(),
                    Column::Registrar => shared(|d| &d.registrar),
                    Column::DomainHolder => shared(|d| &d.holder),
                    Column::DomainExpiresOn => shared(|d| &d.expires_on),
                    Column::SiteContact => contact.name.clone(),
                    Column::SiteContactPhone => contact.phone.clone(),
                    Column::Notes => website.notes.clone(),
                })
                .collect()
        })
        .collect()
}

/// Makes a cell safe to open in a spreadsheet (CSV/formula injection, OWASP).
///
/// Excel, LibreOffice and Google Sheets treat a cell that starts with `=`, `+`, `-` or
/// `@` as a formula, and a leading tab or carriage return can smuggle one past a first
/// check. Site names and page titles come from the internet, so an exported
/// `=HYPERLINK("http://evil","点我")` would run on the reader's machine. Such cells get
/// a leading `'`, which spreadsheets show as text. This also prefixes harmless values
/// such as `-1` or `+86 138…` — OWASP recommends exactly that rather than guessing
/// which formulas are harmless; the importer strips the `'` again, so round trips hold.
pub fn neutralise_formula(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_prefixed_and_others_borrowed() {
        for cell in [
            "=HYPERLINK(\"http://x\",\"y\")",
            "+1",
            "-1",
            "@SUM(A1)",
            "\t=1",
            "\r=1",
        ] {
            assert_eq!(neutralise_formula(cell), format!("'{cell}"));
        }
        for cell in ["", "示例", "1-1", "a=b", "'=already"] {
            assert!(matches!(neutralise_formula(cell), Cow::Borrowed(c) if c == cell));
        }
    }
}
