//! Filing cases (备案工单): the ICP and PSB workflows a person drives to completion, each
//! with its state machine, materials checklist and working-day deadlines.
//!
//! This module holds the records the store persists; the state machine, the checklists and
//! the deadlines live in the submodules.

pub mod deadlines;
pub mod draft;
mod labels;
pub mod links;
pub mod machine;
pub mod materials;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::model::RecordId;

pub use deadlines::{
    DeadlineSettings, DeadlineStatus, Reminder, Urgency, deadline_status, due_reminders,
};
pub use draft::{CaseContext, auto_case_kind, case_title, draft_case};
pub use links::{ConsoleLink, console_links};
pub use machine::{TransitionError, advance, allowed_transitions};
pub use materials::{ChecklistError, checklist_for, tick};

/// What a case files. The first eight are ICP operations, the last three PSB (FACTS §2.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseKind {
    IcpNew,
    IcpAddWebsite,
    IcpAddAccess,
    IcpChangeSubject,
    IcpChangeWebsite,
    IcpCancelSubject,
    IcpCancelWebsite,
    IcpCancelAccess,
    PsbNew,
    PsbChange,
    PsbCancel,
}

impl CaseKind {
    pub const ALL: [CaseKind; 11] = [
        CaseKind::IcpNew,
        CaseKind::IcpAddWebsite,
        CaseKind::IcpAddAccess,
        CaseKind::IcpChangeSubject,
        CaseKind::IcpChangeWebsite,
        CaseKind::IcpCancelSubject,
        CaseKind::IcpCancelWebsite,
        CaseKind::IcpCancelAccess,
        CaseKind::PsbNew,
        CaseKind::PsbChange,
        CaseKind::PsbCancel,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CaseKind::IcpNew => "icp_new",
            CaseKind::IcpAddWebsite => "icp_add_website",
            CaseKind::IcpAddAccess => "icp_add_access",
            CaseKind::IcpChangeSubject => "icp_change_subject",
            CaseKind::IcpChangeWebsite => "icp_change_website",
            CaseKind::IcpCancelSubject => "icp_cancel_subject",
            CaseKind::IcpCancelWebsite => "icp_cancel_website",
            CaseKind::IcpCancelAccess => "icp_cancel_access",
            CaseKind::PsbNew => "psb_new",
            CaseKind::PsbChange => "psb_change",
            CaseKind::PsbCancel => "psb_cancel",
        }
    }

    pub fn parse(text: &str) -> Option<CaseKind> {
        CaseKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == text.trim())
    }

    /// Whether the case files with the public-security system rather than MIIT.
    pub fn is_psb(self) -> bool {
        matches!(
            self,
            CaseKind::PsbNew | CaseKind::PsbChange | CaseKind::PsbCancel
        )
    }
}

/// Where a case stands (the same states for every kind; some kinds skip some states).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseState {
    Draft,
    Preparing,
    SubmittedToProvider,
    ProviderReview,
    SmsVerification,
    AuthorityReview,
    Approved,
    Rejected,
    Closed,
    Withdrawn,
}

impl CaseState {
    pub const ALL: [CaseState; 10] = [
        CaseState::Draft,
        CaseState::Preparing,
        CaseState::SubmittedToProvider,
        CaseState::ProviderReview,
        CaseState::SmsVerification,
        CaseState::AuthorityReview,
        CaseState::Approved,
        CaseState::Rejected,
        CaseState::Closed,
        CaseState::Withdrawn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CaseState::Draft => "draft",
            CaseState::Preparing => "preparing",
            CaseState::SubmittedToProvider => "submitted_to_provider",
            CaseState::ProviderReview => "provider_review",
            CaseState::SmsVerification => "sms_verification",
            CaseState::AuthorityReview => "authority_review",
            CaseState::Approved => "approved",
            CaseState::Rejected => "rejected",
            CaseState::Closed => "closed",
            CaseState::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(text: &str) -> Option<CaseState> {
        CaseState::ALL
            .into_iter()
            .find(|state| state.as_str() == text.trim())
    }

    /// Closed and withdrawn cases take no more steps.
    pub fn is_terminal(self) -> bool {
        matches!(self, CaseState::Closed | CaseState::Withdrawn)
    }
}

/// One item of a materials checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChecklistItem {
    /// Stable within the kind, e.g. `business_licence`.
    pub id: String,
    pub label_zh: String,
    pub label_en: String,
    pub done: bool,
}

/// A date the case must meet, computed in Chinese working days where the rule says so.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deadline {
    /// Stable id, e.g. `sms_window`, `authority_review`, `psb_after_go_live`.
    pub id: String,
    pub label_zh: String,
    pub label_en: String,
    pub due: DateTime<Utc>,
    /// How the date was computed, e.g. "20 个工作日（含节假日调休）".
    pub basis: String,
}

/// A stored case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Case {
    pub id: RecordId,
    pub kind: CaseKind,
    pub state: CaseState,
    pub subject_id: Option<RecordId>,
    pub site_id: Option<RecordId>,
    pub filing_id: Option<RecordId>,
    /// The finding that opened it, when a rule did.
    pub finding_id: Option<RecordId>,
    pub title: String,
    pub checklist: Vec<ChecklistItem>,
    pub deadlines: Vec<Deadline>,
    pub opened_at: DateTime<Utc>,
    pub opened_by: String,
    /// When the case entered its current state (deadlines count from here).
    pub state_since: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Set by a step whose date matters (e.g. go-live for PSB).
    pub reference_date: Option<NaiveDate>,
}

/// One step in a case's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseEvent {
    pub id: RecordId,
    pub case_id: RecordId,
    pub at: DateTime<Utc>,
    pub actor: String,
    /// `open`, `advance`, `note`, `tick`, `close`.
    pub action: String,
    pub from_state: Option<CaseState>,
    pub to_state: Option<CaseState>,
    pub note: String,
}

/// A case about to be opened: everything but what the store assigns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseDraft {
    pub kind: CaseKind,
    pub subject_id: Option<RecordId>,
    pub site_id: Option<RecordId>,
    pub filing_id: Option<RecordId>,
    pub finding_id: Option<RecordId>,
    pub title: String,
    pub checklist: Vec<ChecklistItem>,
    pub deadlines: Vec<Deadline>,
    pub reference_date: Option<NaiveDate>,
}
