//! Which step may follow which, per case kind, and taking a step.
//!
//! Every kind shares one set of states (FACTS §2.4/§2.5); the kinds differ in which of
//! them they pass through:
//!
//! * ICP filings go through the access provider (接入商): it collects the materials and
//!   the photo, does the initial review (初审, ~1 working day) and submits to the 管局,
//!   which sends the MIIT SMS; every responsible person verifies within 24 h, or the
//!   application goes back to the provider. Then the 管局 reviews (≤ 20 working days).
//! * ICP subject and website cancellations may also skip the provider: the MIIT form goes
//!   to the provincial 通信管理局 on paper (lost phone, a new domain holder cancelling the
//!   old owner's filing, a shell subject; FACTS §2.4 "How to cancel in practice", §2.6).
//! * 取消接入 is the provider's own operation; FACTS names an SMS for 注销 only, so for
//!   access cancellations the SMS step may be taken or skipped.
//! * PSB filings are made by the operator on beian.mps.gov.cn and reviewed by the local
//!   网安 (FACTS §5.2): no access provider and no MIIT SMS, so `preparing` leads straight
//!   to `authority_review`.

use chrono::{DateTime, Utc};

use super::deadlines::{DeadlineSettings, deadlines_for};
use super::{Case, CaseKind, CaseState};
use crate::calendar::HolidayCalendar;

/// How a kind reaches the authority.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Route {
    /// Through the access provider, with the MIIT SMS check required or optional; the
    /// paper route straight to the 管局 when `paper` is set.
    Provider { sms: Sms, paper: bool },
    /// Straight to the MPS platform.
    PublicSecurity,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sms {
    Required,
    Optional,
}

fn route(kind: CaseKind) -> Route {
    match kind {
        CaseKind::IcpNew
        | CaseKind::IcpAddWebsite
        | CaseKind::IcpAddAccess
        | CaseKind::IcpChangeSubject
        | CaseKind::IcpChangeWebsite => Route::Provider {
            sms: Sms::Required,
            paper: false,
        },
        CaseKind::IcpCancelSubject | CaseKind::IcpCancelWebsite => Route::Provider {
            sms: Sms::Required,
            paper: true,
        },
        CaseKind::IcpCancelAccess => Route::Provider {
            sms: Sms::Optional,
            paper: false,
        },
        CaseKind::PsbNew | CaseKind::PsbChange | CaseKind::PsbCancel => Route::PublicSecurity,
    }
}

/// The states a case of `kind` may move to from `state`, in workflow order.
///
/// `withdrawn` is reachable from every state that is neither terminal nor `approved`:
/// an approved filing exists at the authority, so giving it up is a new cancellation
/// case, not a withdrawal.
pub fn allowed_transitions(kind: CaseKind, state: CaseState) -> Vec<CaseState> {
    use CaseState as S;
    let mut next: Vec<CaseState> = match (route(kind), state) {
        (_, S::Closed | S::Withdrawn) => return Vec::new(),
        (_, S::Draft) => vec![S::Preparing],
        (Route::Provider { paper, .. }, S::Preparing) => {
            let mut to = vec![S::SubmittedToProvider];
            if paper {
                to.push(S::AuthorityReview);
            }
            to
        }
        (Route::PublicSecurity, S::Preparing) => vec![S::AuthorityReview],
        (Route::Provider { .. }, S::SubmittedToProvider) => vec![S::ProviderReview],
        // The provider's initial review either passes the application on or turns it back.
        (Route::Provider { sms, .. }, S::ProviderReview) => match sms {
            Sms::Required => vec![S::SmsVerification, S::Rejected],
            Sms::Optional => vec![S::SmsVerification, S::AuthorityReview, S::Rejected],
        },
        // A lapsed 24-hour window (or a sixth wrong code) returns it to the provider.
        (Route::Provider { .. }, S::SmsVerification) => {
            vec![S::ProviderReview, S::AuthorityReview]
        }
        (_, S::AuthorityReview) => vec![S::Approved, S::Rejected],
        (_, S::Approved) => vec![S::Closed],
        (_, S::Rejected) => vec![S::Preparing, S::Closed],
        // States this route never enters: only a withdrawal gets a stray case out.
        (
            Route::PublicSecurity,
            S::SubmittedToProvider | S::ProviderReview | S::SmsVerification,
        ) => Vec::new(),
    };
    if state != S::Approved {
        next.push(S::Withdrawn);
    }
    next.sort();
    next
}

/// The states a case of `kind` can reach from `draft`, in workflow order.
pub fn reachable_states(kind: CaseKind) -> Vec<CaseState> {
    let mut seen = vec![CaseState::Draft];
    let mut queue = vec![CaseState::Draft];
    while let Some(state) = queue.pop() {
        for next in allowed_transitions(kind, state) {
            if !seen.contains(&next) {
                seen.push(next);
                queue.push(next);
            }
        }
    }
    seen.sort();
    seen
}

/// A step the state machine does not allow.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TransitionError {
    #[error(
        "“{kind_zh}”工单处于“{from_zh}”，不能转到“{to_zh}”；可转到：{allowed_zh} / \
         the {kind} case is in {from} and cannot move to {to}; allowed: {allowed_en}",
        kind_zh = .kind.label_zh(),
        from_zh = .from.label_zh(),
        to_zh = .to.label_zh(),
        allowed_zh = list_zh(.allowed),
        allowed_en = list_en(.allowed),
    )]
    NotAllowed {
        kind: CaseKind,
        from: CaseState,
        to: CaseState,
        allowed: Vec<CaseState>,
    },
}

fn list_zh(states: &[CaseState]) -> String {
    if states.is_empty() {
        return "无（工单已结束）".to_owned();
    }
    states
        .iter()
        .map(|s| format!("{}（{}）", s.label_zh(), s.as_str()))
        .collect::<Vec<_>>()
        .join("、")
}

fn list_en(states: &[CaseState]) -> String {
    if states.is_empty() {
        return "none, the case is finished".to_owned();
    }
    states
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Moves `case` to `to` at `now`, recomputing its deadlines for the new state with the
/// default durations (FACTS §2.5).
pub fn advance(
    case: &Case,
    to: CaseState,
    now: DateTime<Utc>,
    calendar: &HolidayCalendar,
) -> Result<Case, TransitionError> {
    advance_with(case, to, now, calendar, &DeadlineSettings::default())
}

/// [`advance`] with configured durations.
pub fn advance_with(
    case: &Case,
    to: CaseState,
    now: DateTime<Utc>,
    calendar: &HolidayCalendar,
    settings: &DeadlineSettings,
) -> Result<Case, TransitionError> {
    let allowed = allowed_transitions(case.kind, case.state);
    if !allowed.contains(&to) {
        return Err(TransitionError::NotAllowed {
            kind: case.kind,
            from: case.state,
            to,
            allowed,
        });
    }
    let mut next = case.clone();
    next.state = to;
    next.state_since = now;
    next.updated_at = now;
    next.deadlines = deadlines_for(case.kind, to, now, case.reference_date, calendar, settings);
    Ok(next)
}
