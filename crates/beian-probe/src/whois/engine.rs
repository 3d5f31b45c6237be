//! The one generic WHOIS reading engine: a single pass over the lines, driven by `table`.
//!
//! Lines are `key: value`, `[key] value` (JPRS), `key<TAB>value` (SWITCH), a value phrase
//! (`Record expires on …`), a section header (`Registrar:` or a bare `Holder`), or a
//! continuation of the open section. Sections give context: `Name:` under `Registrar:` is the
//! registrar, dates inside contact blocks are the contact's, not the domain's. A section whose
//! body is indented ends at the first line indented no deeper than its header; a flat one ends
//! at a blank line or the next header. Blank lines also end a paragraph, the unit of RIPE-style
//! contact objects (`nic-hdl:`) that `holder-c:` handles point to.
//!
//! Work is linear in the input: every line is looked at once, keys are bounded in length and
//! lists are capped.

use super::WhoisOutcome;
use super::table::{
    ABSENCE_PHRASES, ABSENT_STATUS_VALUES, Meaning, PHRASE_KEYS, Phrase, SectionKind, TldProfile,
    meaning_of, normalise_key_into, section_titled,
};
use crate::registration::{
    is_epp_status, is_placeholder, normalise_nameserver, normalise_status, push_unique,
};

/// Longest key considered (HKIRC has a 160-character one).
const MAX_KEY_LEN: usize = 200;
/// Longest line read for fields; longer lines (junk, base64 blobs) are only scanned for
/// absence phrases. Real WHOIS lines are far shorter.
const MAX_FIELD_LINE: usize = 4096;
/// Longest bare line tried as a section title ("organization using domain name" is 30).
const MAX_TITLE_LEN: usize = 48;
/// Prefix of a line searched for "no such domain" phrases.
const ABSENCE_SCAN_CHARS: usize = 160;
pub(crate) const MAX_LIST: usize = 32;
const MAX_CONTACTS: usize = 64;

/// Values found in one answer, before dates are read and the outcome decided.
#[derive(Debug, Default)]
pub(crate) struct Findings<'a> {
    pub domain: Option<String>,
    pub expiry: Option<(u8, &'a str, &'a str)>,
    pub registrar_expiry: Option<(&'a str, &'a str)>,
    pub created: Option<(&'a str, &'a str)>,
    pub updated: Option<(&'a str, &'a str)>,
    pub registrar: Option<String>,
    pub registrar_handle: Option<String>,
    pub registrant_organisation: Option<String>,
    pub registrant_name: Option<String>,
    pub registrant_handle: Option<String>,
    pub loose_organisation: Option<String>,
    pub statuses: Vec<String>,
    pub nameservers: Vec<String>,
    pub referral: Option<String>,
    pub absence: Option<WhoisOutcome>,
    pub contacts: Vec<Contact>,
    pub lists_truncated: bool,
}

#[derive(Debug, Default, Clone)]
pub(crate) struct Contact {
    pub handle: String,
    pub organisation: Option<String>,
    pub name: Option<String>,
}

#[derive(Debug, Clone, Copy)]
struct Section {
    kind: SectionKind,
    header_indent: usize,
    /// Decided by the first body line: deeper than the header (true) or flat (false).
    indented_body: Option<bool>,
    /// Opened by a handle (`Domain registrant: mmr-1`): names follow, dates stay the domain's.
    from_handle: bool,
    /// Opened by a list field with a value (`nameservers: ns1.` then bare `ns2.` lines):
    /// ends at the next key line.
    list_continuation: bool,
    body_lines: usize,
}

impl Section {
    fn new(kind: SectionKind, header_indent: usize) -> Self {
        Section {
            kind,
            header_indent,
            indented_body: None,
            from_handle: false,
            list_continuation: false,
            body_lines: 0,
        }
    }
}

/// Per-paragraph state for RIPE-style contact objects.
#[derive(Debug, Default)]
struct Paragraph {
    key_lines: usize,
    handle: Option<String>,
    /// Organisation and name for handle resolution, wherever they appear in the paragraph.
    organisation: Option<String>,
    name: Option<String>,
    /// A generic `organisation:` seen outside contact blocks: the holder if the paragraph is
    /// not itself a contact object.
    loose_organisation: Option<String>,
}

pub(crate) struct Engine<'a, 'p> {
    profile: &'p TldProfile,
    server: Option<&'a str>,
    found: Findings<'a>,
    section: Option<Section>,
    paragraph: Paragraph,
    line_buffer: String,
    key_buffer: String,
}

/// A line split into its parts.
enum LineShape<'a> {
    /// `from_tab`: split at a tab, not a colon (SWITCH); only trusted when the key is known.
    KeyValue {
        key: &'a str,
        value: &'a str,
        from_tab: bool,
    },
    Bare,
}

fn split_line(trimmed: &str) -> LineShape<'_> {
    // JPRS: "[Domain Name]  GIT.JP", optionally "a. [Domain Name] …".
    let bracketed = match trimmed.as_bytes() {
        [letter, b'.', b' ', ..] if letter.is_ascii_lowercase() => trimmed[3..].trim_start(),
        _ => trimmed,
    };
    if let Some(rest) = bracketed.strip_prefix('[')
        && let Some(close) = rest.find(']')
        && !rest.starts_with(' ')
    {
        return LineShape::KeyValue {
            key: &rest[..close],
            value: rest[close + 1..].trim(),
            from_tab: false,
        };
    }
    let colon = trimmed.find(':');
    // A tab before any colon splits `key<TAB>value` (SWITCH), even when the value has colons.
    let tab = colon.map_or(trimmed, |colon| &trimmed[..colon]).find('\t');
    if let (Some(colon), None) = (colon, tab) {
        let key = &trimmed[..colon];
        let value = trimmed[colon + 1..].trim();
        let is_url = value.starts_with("//");
        if !key.trim().is_empty() && key.len() <= MAX_KEY_LEN && !is_url {
            return LineShape::KeyValue {
                key,
                value,
                from_tab: false,
            };
        }
    }
    if let Some(tab) = tab {
        return LineShape::KeyValue {
            key: &trimmed[..tab],
            value: trimmed[tab + 1..].trim(),
            from_tab: true,
        };
    }
    LineShape::Bare
}

/// Whether a field of this meaning is at home in a section of this kind.
fn belongs_to(meaning: Meaning, kind: SectionKind) -> bool {
    match kind {
        SectionKind::Registrant | SectionKind::OtherContact => matches!(
            meaning,
            Meaning::RegistrantOrganisation
                | Meaning::RegistrantName
                | Meaning::RegistrantHandle
                | Meaning::LooseOrganisation
                | Meaning::ContactName
                | Meaning::ContactHandle
        ),
        SectionKind::Registrar => meaning == Meaning::Registrar,
        SectionKind::Nameservers => meaning == Meaning::Nameserver,
        SectionKind::Statuses => meaning == Meaning::Status,
        SectionKind::Domain => meaning == Meaning::DomainName,
        SectionKind::Neutral => true,
    }
}

/// `MARK-0292`, `SEAG10843291-NICAT`, `go438-irnic`: a contact handle, not a name.
fn looks_like_handle(value: &str) -> bool {
    !value.is_empty()
        && !value.contains(' ')
        && value.contains('-')
        && value.chars().any(|c| c.is_ascii_digit())
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// A value with some substance (not `-----` or `n/a`).
fn has_text(value: &str) -> bool {
    value.chars().any(char::is_alphanumeric)
}

/// Drops a trailing parenthesised URL: `MarkMonitor Inc. (http://www.markmonitor.com)`.
fn clean_name(value: &str) -> String {
    let value = value.trim();
    if let Some(open) = value.rfind('(')
        && value.ends_with(')')
        && value[open + 1..].trim_start().starts_with("http")
    {
        let head = value[..open].trim_end();
        if !head.is_empty() {
            return head.to_owned();
        }
    }
    value.to_owned()
}

/// `whois://whois.example.net:43/` → `whois.example.net:43`.
fn referral_host(value: &str) -> Option<String> {
    let value = value.split_whitespace().next()?;
    let without_scheme = value.split_once("://").map_or(value, |(_, rest)| rest);
    let host = without_scheme.split('/').next()?.trim_end_matches('.');
    let name = host.split(':').next()?;
    normalise_nameserver(name)?;
    Some(host.to_lowercase())
}

fn set_once(slot: &mut Option<String>, value: String) {
    if slot.is_none() {
        *slot = Some(value);
    }
}

impl<'a, 'p> Engine<'a, 'p> {
    pub(crate) fn new(profile: &'p TldProfile, server: Option<&'a str>) -> Self {
        Engine {
            profile,
            server,
            found: Findings::default(),
            section: None,
            paragraph: Paragraph::default(),
            line_buffer: String::new(),
            key_buffer: String::new(),
        }
    }

    pub(crate) fn run(mut self, text: &'a str) -> Findings<'a> {
        let mut blank_run = false;
        for raw_line in text.split('\n') {
            let line = raw_line.strip_suffix('\r').unwrap_or(raw_line);
            // Runs of empty lines change nothing after the first: skip them cheaply.
            let empty = line.is_empty();
            if !(empty && blank_run) {
                self.line(line);
            }
            blank_run = empty;
        }
        self.end_paragraph();
        self.found
    }

    fn line(&mut self, line: &'a str) {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            if self.section.is_some_and(|section| section.body_lines > 0) {
                self.section = None;
            }
            self.end_paragraph();
            return;
        }
        self.scan_absence(trimmed);
        if trimmed.starts_with(['%', '#'])
            || trimmed.starts_with(">>>")
            || trimmed.starts_with("[ ")
        {
            return;
        }
        if trimmed.len() > MAX_FIELD_LINE {
            return;
        }
        let indent = line.len() - line.trim_start().len();
        self.close_section_by_indent(indent);
        match split_line(trimmed) {
            LineShape::KeyValue {
                key,
                value,
                from_tab,
            } => {
                self.key_value(key, value, from_tab, trimmed, indent);
            }
            LineShape::Bare => self.bare(trimmed, indent),
        }
    }

    fn close_section_by_indent(&mut self, indent: usize) {
        let Some(section) = self.section.as_mut() else {
            return;
        };
        match section.indented_body {
            None => section.indented_body = Some(indent > section.header_indent),
            Some(true) if indent <= section.header_indent => self.section = None,
            _ => {}
        }
    }

    fn end_paragraph(&mut self) {
        if self.paragraph.key_lines == 0 && self.section.is_none() {
            // Runs of blank lines: nothing to close.
            return;
        }
        let paragraph = std::mem::take(&mut self.paragraph);
        match paragraph.handle {
            Some(handle) => {
                if self.found.contacts.len() < MAX_CONTACTS {
                    self.found.contacts.push(Contact {
                        handle,
                        organisation: paragraph.organisation,
                        name: paragraph.name,
                    });
                }
            }
            None => {
                if let Some(organisation) = paragraph.loose_organisation {
                    set_once(&mut self.found.loose_organisation, organisation);
                }
            }
        }
        if self
            .section
            .is_some_and(|section| section.body_lines > 0 && section.indented_body != Some(true))
        {
            self.section = None;
        }
    }

    fn scan_absence(&mut self, trimmed: &str) {
        // Registration data outweighs any "not found" phrase (see `assemble`), so once some is
        // seen the phrases no longer matter.
        let has_data = self.found.expiry.is_some()
            || self.found.registrar.is_some()
            || !self.found.nameservers.is_empty();
        if self.found.absence.is_some() || has_data {
            return;
        }
        let stripped = trimmed.trim_start_matches(['%', '#', '>', '*', '!', ' ', '\t']);
        self.line_buffer.clear();
        for c in stripped.chars().take(ABSENCE_SCAN_CHARS) {
            if c.is_ascii() {
                self.line_buffer.push(c.to_ascii_lowercase());
            } else {
                self.line_buffer.extend(c.to_lowercase());
            }
        }
        let lower = self.line_buffer.trim_end();
        for (phrase, outcome) in ABSENCE_PHRASES {
            let hit = match phrase {
                Phrase::StartsWith(start) => lower.starts_with(start),
                Phrase::Contains(part) => lower.contains(part),
                Phrase::Around(start, end) => {
                    lower.len() > start.len() + end.len()
                        && lower.starts_with(start)
                        && lower.ends_with(end)
                }
            };
            if hit {
                self.found.absence = Some(*outcome);
                return;
            }
        }
    }

    fn section_kind(&self) -> SectionKind {
        self.section
            .map_or(SectionKind::Neutral, |section| section.kind)
    }

    fn open_section(&mut self, kind: SectionKind, indent: usize) {
        self.section = Some(Section::new(kind, indent));
    }

    fn key_value(
        &mut self,
        raw_key: &'a str,
        value: &'a str,
        from_tab: bool,
        trimmed: &'a str,
        indent: usize,
    ) {
        let mut key = std::mem::take(&mut self.key_buffer);
        normalise_key_into(raw_key, &mut key);
        self.field(&key, raw_key, value, from_tab, trimmed, indent);
        self.key_buffer = key;
    }

    fn field(
        &mut self,
        key: &str,
        raw_key: &'a str,
        value: &'a str,
        from_tab: bool,
        trimmed: &'a str,
        indent: usize,
    ) {
        if from_tab
            && section_titled(key).is_none()
            && meaning_of(key, self.section_kind(), self.profile).is_none()
        {
            // `ns2.switch.ch<TAB>130.59.31.29` is a value line, not a field.
            self.bare(trimmed, indent);
            return;
        }
        self.close_flat_section_for(key);
        if let Some(section) = self.section.as_mut() {
            if section.list_continuation {
                self.section = None;
            } else {
                section.body_lines += 1;
            }
        }
        if value.is_empty() {
            if let Some(kind) = section_titled(key) {
                self.open_section(kind, indent);
            } else if meaning_of(key, self.section_kind(), self.profile).is_none() {
                self.open_section(SectionKind::Neutral, indent);
            }
            return;
        }
        let meaning = meaning_of(key, self.section_kind(), self.profile);
        match meaning {
            Some(meaning) => {
                let first_in_paragraph = self.paragraph.key_lines == 0;
                self.paragraph.key_lines += 1;
                self.apply(meaning, raw_key.trim(), value, indent, first_in_paragraph);
            }
            None => {
                self.paragraph.key_lines += 1;
                self.phrase_line(trimmed);
            }
        }
    }

    /// A flat section (`Registrant:` then `name:` lines at the same depth) ends at a field that
    /// names its own context, such as `Domain Status` or `Registrant Organization`: generic
    /// one-word fields (`name`, `org`, `changed`) stay in it.
    fn close_flat_section_for(&mut self, key: &str) {
        let Some(section) = self.section else { return };
        let flat = section.indented_body != Some(true) || section.from_handle;
        if !flat || section.list_continuation || !key.contains(' ') {
            return;
        }
        if let Some(meaning) = meaning_of(key, section.kind, self.profile)
            && !belongs_to(meaning, section.kind)
        {
            self.section = None;
        }
    }

    /// `Record expires on 2021-02-05`, `Registered on 30th April 2003 …`.
    fn phrase_line(&mut self, trimmed: &'a str) -> bool {
        for (prefix, meaning) in PHRASE_KEYS {
            if trimmed.len() > prefix.len()
                && trimmed.is_char_boundary(prefix.len())
                && trimmed[..prefix.len()].eq_ignore_ascii_case(prefix)
            {
                let value = trimmed[prefix.len()..].trim();
                let value = value.strip_prefix(':').map_or(value, str::trim);
                self.apply(*meaning, prefix.trim_end(), value, 0, false);
                return true;
            }
        }
        false
    }

    fn bare(&mut self, trimmed: &'a str, indent: usize) {
        if trimmed.len() <= MAX_TITLE_LEN {
            let mut key = std::mem::take(&mut self.key_buffer);
            normalise_key_into(trimmed, &mut key);
            let title = section_titled(&key);
            self.key_buffer = key;
            if let Some(kind) = title {
                self.open_section(kind, indent);
                return;
            }
        }
        if self.phrase_line(trimmed) {
            return;
        }
        let Some(section) = self.section.as_mut() else {
            return;
        };
        let first_body_line = section.body_lines == 0;
        section.body_lines += 1;
        match section.kind {
            SectionKind::Nameservers => {
                let host = trimmed.split_whitespace().next().unwrap_or_default();
                self.add_nameserver(host);
            }
            SectionKind::Statuses => self.add_statuses(trimmed),
            SectionKind::Registrar if first_body_line && has_text(trimmed) => {
                self.set_registrar(trimmed);
            }
            SectionKind::Registrant if first_body_line && has_text(trimmed) => {
                self.set_registrant(trimmed, true);
            }
            SectionKind::Domain if first_body_line => {
                if let Some(domain) = trimmed.split_whitespace().next() {
                    set_once(
                        &mut self.found.domain,
                        domain.trim_end_matches('.').to_lowercase(),
                    );
                }
            }
            _ => {}
        }
    }

    fn in_contact_block(&self) -> bool {
        self.section.is_some_and(|section| {
            !section.from_handle
                && matches!(
                    section.kind,
                    SectionKind::Registrar | SectionKind::Registrant | SectionKind::OtherContact
                )
        })
    }

    fn apply(
        &mut self,
        meaning: Meaning,
        raw_key: &'a str,
        value: &'a str,
        indent: usize,
        first_in_paragraph: bool,
    ) {
        let kind = self.section_kind();
        match meaning {
            Meaning::DomainName => {
                if kind != SectionKind::OtherContact
                    && let Some(domain) = value.split_whitespace().next()
                {
                    set_once(
                        &mut self.found.domain,
                        domain.trim_end_matches('.').to_lowercase(),
                    );
                }
            }
            Meaning::Expiry(rank) if !self.in_contact_block() => {
                let better = self.found.expiry.is_none_or(|(best, _, _)| rank < best);
                if better {
                    self.found.expiry = Some((rank, raw_key, value));
                }
            }
            Meaning::RegistrarExpiry if !self.in_contact_block() => {
                if self.found.registrar_expiry.is_none() {
                    self.found.registrar_expiry = Some((raw_key, value));
                }
            }
            Meaning::Created if !self.in_contact_block() => {
                if self.found.created.is_none() {
                    self.found.created = Some((raw_key, value));
                }
            }
            Meaning::Updated if !self.in_contact_block() => {
                if self.found.updated.is_none() {
                    self.found.updated = Some((raw_key, value));
                }
            }
            Meaning::Registrar => {
                if self.in_contact_block() && kind != SectionKind::Registrar {
                    return;
                }
                if looks_like_handle(value) {
                    set_once(&mut self.found.registrar_handle, value.to_owned());
                    self.open_handle_section(SectionKind::Registrar, indent);
                    return;
                }
                self.set_registrar(value);
                // A RIPE-style registrar object (.fr, .ua): its organisation and dates follow.
                if first_in_paragraph && self.found.domain.is_some() {
                    self.open_section(SectionKind::Registrar, indent);
                    if let Some(section) = self.section.as_mut() {
                        section.indented_body = Some(false);
                    }
                }
            }
            Meaning::RegistrantOrganisation | Meaning::RegistrantName => {
                if matches!(kind, SectionKind::Registrar | SectionKind::OtherContact) {
                    return;
                }
                if looks_like_handle(value) {
                    set_once(&mut self.found.registrant_handle, value.to_owned());
                    self.open_handle_section(SectionKind::Registrant, indent);
                    return;
                }
                self.set_registrant(value, meaning == Meaning::RegistrantOrganisation);
            }
            Meaning::RegistrantHandle => {
                if kind == SectionKind::OtherContact {
                    return;
                }
                if looks_like_handle(value) || !value.contains(' ') {
                    set_once(&mut self.found.registrant_handle, value.to_owned());
                    self.open_handle_section(SectionKind::Registrant, indent);
                } else {
                    self.set_registrant(value, true);
                }
            }
            Meaning::LooseOrganisation => {
                if has_text(value) && !is_placeholder(value) {
                    set_once(&mut self.paragraph.organisation, clean_name(value));
                    if !self.in_contact_block() {
                        set_once(&mut self.paragraph.loose_organisation, clean_name(value));
                    }
                }
            }
            Meaning::ContactName | Meaning::ContactHandle => {
                if meaning == Meaning::ContactHandle {
                    set_once(&mut self.paragraph.handle, value.to_owned());
                } else if has_text(value) && !is_placeholder(value) {
                    set_once(&mut self.paragraph.name, clean_name(value));
                }
                // A paragraph that starts with `person:` or `nic-hdl:` is a contact object.
                if first_in_paragraph {
                    self.open_section(SectionKind::OtherContact, indent);
                    if let Some(section) = self.section.as_mut() {
                        section.indented_body = Some(false);
                    }
                }
            }
            Meaning::Status => {
                if self.in_contact_block() {
                    return;
                }
                self.add_statuses(value);
                self.open_list(SectionKind::Statuses, indent);
            }
            Meaning::Nameserver => {
                let host = value.split_whitespace().next().unwrap_or_default();
                self.add_nameserver(host);
                self.open_list(SectionKind::Nameservers, indent);
            }
            Meaning::Referral => {
                if let Some(host) = referral_host(value) {
                    let own = self
                        .server
                        .is_some_and(|server| server.eq_ignore_ascii_case(&host));
                    if !own {
                        set_once(&mut self.found.referral, host);
                    }
                }
            }
            Meaning::Ignored
            | Meaning::Expiry(_)
            | Meaning::RegistrarExpiry
            | Meaning::Created
            | Meaning::Updated => {}
        }
    }

    fn open_handle_section(&mut self, kind: SectionKind, indent: usize) {
        let mut section = Section::new(kind, indent);
        section.from_handle = true;
        section.indented_body = Some(false);
        self.section = Some(section);
    }

    fn open_list(&mut self, kind: SectionKind, indent: usize) {
        if self
            .section
            .is_some_and(|section| !section.list_continuation)
        {
            return;
        }
        let mut section = Section::new(kind, indent);
        section.list_continuation = true;
        section.indented_body = Some(true);
        self.section = Some(section);
    }

    fn set_registrar(&mut self, value: &str) {
        if self.found.registrar.is_none() && has_text(value) && !is_placeholder(value) {
            self.found.registrar = Some(clean_name(value));
        }
    }

    fn set_registrant(&mut self, value: &str, organisation: bool) {
        if !has_text(value) || is_placeholder(value) {
            return;
        }
        let slot = if organisation {
            &mut self.found.registrant_organisation
        } else {
            &mut self.found.registrant_name
        };
        set_once(slot, clean_name(value));
    }

    fn add_statuses(&mut self, value: &str) {
        let lower = value.trim().to_lowercase();
        if ABSENT_STATUS_VALUES.contains(&lower.as_str()) {
            if self.found.absence.is_none() {
                self.found.absence = Some(WhoisOutcome::NotRegistered);
            }
            return;
        }
        for part in value.split(',').take(MAX_LIST) {
            let Some(status) = status_text(part) else {
                continue;
            };
            if !push_unique(&mut self.found.statuses, status, MAX_LIST) {
                self.found.lists_truncated = true;
            }
        }
    }

    fn add_nameserver(&mut self, host: &str) {
        if let Some(host) = normalise_nameserver(host)
            && !push_unique(&mut self.found.nameservers, host, MAX_LIST)
        {
            self.found.lists_truncated = true;
        }
    }
}

/// One status as written: the EPP name when the text starts with one
/// (`clientHold https://icann.org/epp#clientHold`, `ok (paid and in zone)`), else the text
/// without URLs, remarks and trailing dashes.
fn status_text(part: &str) -> Option<String> {
    let part = part.trim();
    let first = part.split_whitespace().next()?;
    if let Some(status) = normalise_status(first).filter(|status| is_epp_status(status)) {
        return Some(status);
    }
    let mut text = part;
    for cut in [" http", " (", " -"] {
        if let Some(at) = text.find(cut) {
            text = &text[..at];
        }
    }
    let text = text.trim().trim_end_matches(['-', '.']).trim();
    if !has_text(text) {
        return None;
    }
    normalise_status(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_are_read_from_their_many_spellings() {
        assert_eq!(
            status_text("clientTransferProhibited https://icann.org/epp#clientTransferProhibited")
                .as_deref(),
            Some("clientTransferProhibited")
        );
        assert_eq!(status_text("ok (paid and in zone)").as_deref(), Some("ok"));
        assert_eq!(
            status_text("clientDeleteProhibited -").as_deref(),
            Some("clientDeleteProhibited")
        );
        assert_eq!(status_text("REGISTERED").as_deref(), Some("REGISTERED"));
        assert_eq!(
            status_text("Delete Prohibited by Registrar").as_deref(),
            Some("Delete Prohibited by Registrar")
        );
        assert_eq!(status_text(" - "), None);
    }

    #[test]
    fn handles_are_told_from_names() {
        assert!(looks_like_handle("MARK-0292"));
        assert!(looks_like_handle("SEAG10843291-NICAT"));
        assert!(!looks_like_handle("RU-CENTER-RU"));
        assert!(!looks_like_handle("Google LLC"));
    }

    #[test]
    fn referral_hosts_are_cleaned() {
        assert_eq!(
            referral_host("whois.markmonitor.com").as_deref(),
            Some("whois.markmonitor.com")
        );
        assert_eq!(
            referral_host("whois://Whois.Example.net/").as_deref(),
            Some("whois.example.net")
        );
        assert_eq!(
            referral_host("http://www.x.com"),
            Some("www.x.com".to_owned())
        );
        assert_eq!(referral_host("not a host"), None);
    }
}
