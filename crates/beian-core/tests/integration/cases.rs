//! Filing cases: state machines per kind, checklists by subject type, working-day
//! deadlines over the 2025 National Day and 2026 Spring Festival holidays (FACTS §6),
//! reminders, links and the cases findings open by themselves.

use beian_core::calendar::HolidayCalendar;
use beian_core::case::deadlines::{AUTHORITY_REVIEW, PSB_AFTER_GO_LIVE, SMS_WINDOW};
use beian_core::case::machine::reachable_states;
use beian_core::case::{
    Case, CaseContext, CaseDraft, CaseKind, CaseState, TransitionError, Urgency, advance,
    allowed_transitions, auto_case_kind, checklist_for, console_links, deadline_status, draft_case,
    due_reminders, tick,
};
use beian_core::model::SubjectKind;
use chrono::{DateTime, NaiveDate, Utc};

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("test timestamp")
        .with_timezone(&Utc)
}

fn d(text: &str) -> NaiveDate {
    text.parse().expect("test date")
}

fn calendar() -> &'static HolidayCalendar {
    HolidayCalendar::bundled()
}

/// What the store would make of a draft.
fn opened(draft: CaseDraft, now: DateTime<Utc>) -> Case {
    Case {
        id: 7,
        kind: draft.kind,
        state: CaseState::Draft,
        subject_id: draft.subject_id,
        site_id: draft.site_id,
        filing_id: draft.filing_id,
        finding_id: draft.finding_id,
        title: draft.title,
        checklist: draft.checklist,
        deadlines: draft.deadlines,
        opened_at: now,
        opened_by: "test".to_owned(),
        state_since: now,
        updated_at: now,
        reference_date: draft.reference_date,
    }
}

fn context() -> CaseContext {
    CaseContext {
        subject_id: Some(1),
        subject_name: Some("北京示例科技有限公司".to_owned()),
        site_id: Some(2),
        site_name: Some("示例网".to_owned()),
        site_host: Some("example.com".to_owned()),
        filing_id: Some(3),
        filing_number: Some("京ICP备12345678号-1".to_owned()),
        ..CaseContext::new(SubjectKind::Company)
    }
}

fn new_case(kind: CaseKind, now: DateTime<Utc>) -> Case {
    opened(draft_case(kind, &context(), now, calendar()), now)
}

/// Walks `case` through `path`, an hour per step.
fn walk(mut case: Case, path: &[CaseState]) -> Case {
    for (step, to) in path.iter().enumerate() {
        let now = case.state_since + chrono::TimeDelta::hours(1 + step as i64);
        case = advance(&case, *to, now, calendar())
            .unwrap_or_else(|err| panic!("{}: {err}", case.kind));
        assert_eq!(case.state, *to);
        assert_eq!(case.state_since, now);
    }
    case
}

fn happy_path(kind: CaseKind) -> Vec<CaseState> {
    use CaseState as S;
    if kind.is_psb() {
        vec![S::Preparing, S::AuthorityReview, S::Approved, S::Closed]
    } else {
        vec![
            S::Preparing,
            S::SubmittedToProvider,
            S::ProviderReview,
            S::SmsVerification,
            S::AuthorityReview,
            S::Approved,
            S::Closed,
        ]
    }
}

#[test]
fn every_kind_walks_its_happy_path_to_closed() {
    for kind in CaseKind::ALL {
        let case = walk(
            new_case(kind, at("2025-03-03T02:00:00Z")),
            &happy_path(kind),
        );
        assert_eq!(case.state, CaseState::Closed, "{kind}");
        assert!(case.deadlines.is_empty(), "{kind}: {:?}", case.deadlines);
        assert!(allowed_transitions(kind, CaseState::Closed).is_empty());
    }
}

#[test]
fn psb_kinds_never_meet_the_provider_or_the_miit_sms() {
    for kind in CaseKind::ALL {
        let reachable = reachable_states(kind);
        let provider_steps = [
            CaseState::SubmittedToProvider,
            CaseState::ProviderReview,
            CaseState::SmsVerification,
        ];
        for state in provider_steps {
            assert_eq!(
                reachable.contains(&state),
                !kind.is_psb(),
                "{kind} and {state}"
            );
        }
        for state in CaseState::ALL {
            if !provider_steps.contains(&state) {
                assert!(reachable.contains(&state), "{kind} never reaches {state}");
            }
        }
    }
}

#[test]
fn access_cancellation_may_skip_the_sms_and_paper_cancellations_skip_the_provider() {
    use CaseState as S;
    walk(
        new_case(CaseKind::IcpCancelAccess, at("2025-03-03T02:00:00Z")),
        &[
            S::Preparing,
            S::SubmittedToProvider,
            S::ProviderReview,
            S::AuthorityReview,
        ],
    );
    assert!(
        !allowed_transitions(CaseKind::IcpNew, S::ProviderReview).contains(&S::AuthorityReview)
    );
    for kind in [CaseKind::IcpCancelSubject, CaseKind::IcpCancelWebsite] {
        assert!(allowed_transitions(kind, S::Preparing).contains(&S::AuthorityReview));
    }
    assert!(!allowed_transitions(CaseKind::IcpNew, S::Preparing).contains(&S::AuthorityReview));
}

#[test]
fn rejected_cases_resubmit_and_lapsed_sms_returns_to_the_provider() {
    use CaseState as S;
    let case = walk(
        new_case(CaseKind::IcpChangeWebsite, at("2025-03-03T02:00:00Z")),
        &[
            S::Preparing,
            S::SubmittedToProvider,
            S::ProviderReview,
            S::SmsVerification,
            S::ProviderReview,
            S::SmsVerification,
            S::AuthorityReview,
            S::Rejected,
            S::Preparing,
        ],
    );
    assert!(case.deadlines.is_empty(), "{:?}", case.deadlines);
}

#[test]
fn withdrawal_is_open_until_the_case_is_decided() {
    for kind in CaseKind::ALL {
        for state in CaseState::ALL {
            let allowed = allowed_transitions(kind, state);
            let expect = !state.is_terminal() && state != CaseState::Approved;
            assert_eq!(
                allowed.contains(&CaseState::Withdrawn),
                expect,
                "{kind} {state}"
            );
        }
    }
}

#[test]
fn an_invalid_step_is_refused_naming_the_allowed_ones() {
    let case = new_case(CaseKind::IcpCancelWebsite, at("2025-03-03T02:00:00Z"));
    let err = advance(
        &case,
        CaseState::Approved,
        at("2025-03-03T03:00:00Z"),
        calendar(),
    )
    .expect_err("draft cannot be approved");
    let TransitionError::NotAllowed { allowed, .. } = &err else {
        panic!("unexpected {err:?}");
    };
    assert_eq!(allowed, &vec![CaseState::Preparing, CaseState::Withdrawn]);
    let text = err.to_string();
    for part in [
        "准备材料",
        "已撤回",
        "allowed: preparing, withdrawn",
        "草稿",
        "approved",
    ] {
        assert!(text.contains(part), "{part} missing in {text}");
    }

    let closed = walk(case, &[CaseState::Withdrawn]);
    let err = advance(
        &closed,
        CaseState::Preparing,
        at("2025-03-04T03:00:00Z"),
        calendar(),
    )
    .expect_err("withdrawn is terminal");
    assert!(
        err.to_string().contains("none, the case is finished"),
        "{err}"
    );

    let psb = new_case(CaseKind::PsbNew, at("2025-03-03T02:00:00Z"));
    let psb = walk(psb, &[CaseState::Preparing]);
    let err = advance(
        &psb,
        CaseState::SubmittedToProvider,
        at("2025-03-04T03:00:00Z"),
        calendar(),
    )
    .expect_err("PSB has no provider");
    assert!(
        err.to_string().contains("authority_review, withdrawn"),
        "{err}"
    );
}

fn deadline<'a>(case: &'a Case, id: &str) -> &'a beian_core::case::Deadline {
    case.deadlines
        .iter()
        .find(|deadline| deadline.id == id)
        .unwrap_or_else(|| panic!("no {id} in {:?}", case.deadlines))
}

fn to_authority_review(kind: CaseKind, entered: DateTime<Utc>) -> Case {
    let case = walk(
        new_case(kind, at("2025-01-06T02:00:00Z")),
        &happy_path(kind)[..happy_path(kind).len() - 3],
    );
    advance(&case, CaseState::AuthorityReview, entered, calendar()).expect("to authority review")
}

#[test]
fn authority_review_counts_20_working_days_over_national_day_2025() {
    // 01:00 Beijing on Friday 26 September 2025 (still the 25th in UTC). Counting from
    // the 27th: Sun 28 Sep (调休) 1, 29–30 Sep 2–3, 1–8 Oct off, 9–10 Oct 4–5, Sat 11 Oct
    // (调休) 6, 13–17 Oct 7–11, 20–24 Oct 12–16, 27–30 Oct 17–20.
    let case = to_authority_review(CaseKind::IcpCancelWebsite, at("2025-09-25T17:00:00Z"));
    let review = deadline(&case, AUTHORITY_REVIEW);
    assert_eq!(review.due, at("2025-10-30T23:59:59+08:00"));
    assert!(review.basis.contains("20"), "{}", review.basis);
    assert!(!review.basis.contains("注意"), "{}", review.basis);
    // Plain Monday–Friday would have said 24 October: the holiday data matters.
    let naive = HolidayCalendar::default().add_working_days(d("2025-09-26"), 20);
    assert_eq!(naive.value, d("2025-10-24"));
}

#[test]
fn authority_review_counts_20_working_days_over_spring_festival_2026() {
    // Thursday 12 Feb 2026: 13 Feb 1, Sat 14 Feb (调休) 2, 15–23 Feb off, 24–27 Feb 3–6,
    // Sat 28 Feb (调休) 7, 2–6 Mar 8–12, 9–13 Mar 13–17, 16–18 Mar 18–20.
    let case = to_authority_review(CaseKind::IcpNew, at("2026-02-12T03:00:00Z"));
    assert_eq!(
        deadline(&case, AUTHORITY_REVIEW).due,
        at("2026-03-18T23:59:59+08:00")
    );
}

#[test]
fn a_deadline_past_the_known_years_says_so_in_its_basis() {
    let case = to_authority_review(CaseKind::IcpNew, at("2026-12-21T03:00:00Z"));
    let review = deadline(&case, AUTHORITY_REVIEW);
    assert!(review.basis.contains("2027"), "{}", review.basis);
}

#[test]
fn psb_review_has_no_statutory_limit() {
    let case = to_authority_review(CaseKind::PsbChange, at("2025-09-25T17:00:00Z"));
    assert!(case.deadlines.is_empty(), "{:?}", case.deadlines);
}

#[test]
fn the_sms_window_is_24_hours_and_recomputed_on_each_entry() {
    use CaseState as S;
    let case = walk(
        new_case(CaseKind::IcpAddWebsite, at("2025-03-03T02:00:00Z")),
        &[S::Preparing, S::SubmittedToProvider, S::ProviderReview],
    );
    let sms = advance(
        &case,
        S::SmsVerification,
        at("2025-09-30T08:00:00Z"),
        calendar(),
    )
    .expect("to SMS");
    assert_eq!(deadline(&sms, SMS_WINDOW).due, at("2025-10-01T08:00:00Z"));
    let back = advance(
        &sms,
        S::ProviderReview,
        at("2025-10-01T09:00:00Z"),
        calendar(),
    )
    .expect("SMS lapsed");
    assert!(back.deadlines.is_empty());
    let again = advance(
        &back,
        S::SmsVerification,
        at("2025-10-02T09:00:00Z"),
        calendar(),
    )
    .expect("SMS again");
    assert_eq!(deadline(&again, SMS_WINDOW).due, at("2025-10-03T09:00:00Z"));
    assert_eq!(
        due_reminders(&again, at("2025-10-02T10:00:00Z"), calendar(), 0)[0].urgency,
        Urgency::DueSoon
    );
}

#[test]
fn a_new_psb_filing_is_due_30_days_after_go_live_until_submitted() {
    let context = CaseContext {
        go_live_on: Some(d("2025-09-10")),
        ..context()
    };
    let now = at("2025-09-12T02:00:00Z");
    let draft = draft_case(CaseKind::PsbNew, &context, now, calendar());
    assert_eq!(draft.reference_date, Some(d("2025-09-10")));
    let case = opened(draft, now);
    let due = deadline(&case, PSB_AFTER_GO_LIVE);
    assert_eq!(due.due, at("2025-10-10T23:59:59+08:00"));
    assert!(due.basis.contains("2025-09-10"), "{}", due.basis);

    let preparing = walk(case, &[CaseState::Preparing]);
    assert_eq!(preparing.deadlines.len(), 1);
    let submitted = walk(preparing, &[CaseState::AuthorityReview]);
    assert!(submitted.deadlines.is_empty());

    // Other kinds do not count from go-live.
    let icp = draft_case(CaseKind::IcpNew, &context, now, calendar());
    assert_eq!(icp.reference_date, None);
    assert!(icp.deadlines.is_empty());
}

#[test]
fn reminders_come_within_n_working_days_and_when_overdue() {
    let case = to_authority_review(CaseKind::IcpCancelWebsite, at("2025-09-25T17:00:00Z"));
    // Due 30 Oct. On 30 Sep, 17 working days remain (the holiday week counts for none).
    let status = deadline_status(
        deadline(&case, AUTHORITY_REVIEW),
        at("2025-09-30T02:00:00Z"),
        calendar(),
    );
    assert_eq!(status.value.working_days_left, 17);
    assert!(!status.value.overdue);
    assert!(due_reminders(&case, at("2025-09-30T02:00:00Z"), calendar(), 3).is_empty());
    assert!(due_reminders(&case, at("2025-10-20T02:00:00Z"), calendar(), 3).is_empty());

    let soon = due_reminders(&case, at("2025-10-27T02:00:00Z"), calendar(), 3);
    assert_eq!(soon.len(), 1);
    assert_eq!(soon[0].urgency, Urgency::DueSoon);
    assert_eq!(soon[0].working_days_left, 3);
    assert_eq!(soon[0].deadline_id, AUTHORITY_REVIEW);

    let late = due_reminders(&case, at("2025-10-31T01:00:00Z"), calendar(), 3);
    assert_eq!(late[0].urgency, Urgency::Overdue);
    assert_eq!(late[0].working_days_left, -1);

    let withdrawn = walk(case, &[CaseState::Withdrawn]);
    assert!(due_reminders(&withdrawn, at("2025-10-31T01:00:00Z"), calendar(), 3).is_empty());
}

#[test]
fn checklists_differ_by_subject_type_and_have_unique_stable_ids() {
    for kind in CaseKind::ALL {
        for subject in SubjectKind::ALL {
            let items = checklist_for(kind, subject);
            assert!(!items.is_empty(), "{kind} {subject:?}");
            let mut ids: Vec<&str> = items.iter().map(|item| item.id.as_str()).collect();
            ids.sort_unstable();
            ids.dedup();
            assert_eq!(
                ids.len(),
                items.len(),
                "duplicate ids in {kind} {subject:?}"
            );
            assert!(items.iter().all(|item| !item.done));
        }
    }
    let ids = |kind, subject| -> Vec<String> {
        checklist_for(kind, subject)
            .into_iter()
            .map(|item| item.id)
            .collect()
    };
    let company = ids(CaseKind::IcpNew, SubjectKind::Company);
    let person = ids(CaseKind::IcpNew, SubjectKind::Individual);
    let organisation = ids(CaseKind::IcpNew, SubjectKind::OtherOrganisation);
    assert!(company.contains(&"business_licence".to_owned()));
    assert!(company.contains(&"authorisation_letter".to_owned()));
    assert!(!person.contains(&"business_licence".to_owned()));
    assert!(person.contains(&"id_card".to_owned()));
    assert!(person.contains(&"personal_site_scope".to_owned()));
    assert!(organisation.contains(&"organisation_certificate".to_owned()));
    assert_ne!(company, organisation);
    for kind in [
        CaseKind::IcpNew,
        CaseKind::IcpChangeSubject,
        CaseKind::IcpCancelSubject,
        CaseKind::IcpCancelWebsite,
        CaseKind::PsbNew,
    ] {
        assert_ne!(
            ids(kind, SubjectKind::Company),
            ids(kind, SubjectKind::Individual),
            "{kind}"
        );
    }
    let cancel = ids(CaseKind::IcpCancelWebsite, SubjectKind::Individual);
    assert!(cancel.contains(&"lost_phone_handheld_photo".to_owned()));
    let company_label = &checklist_for(CaseKind::IcpNew, SubjectKind::Company)[1].label_zh;
    assert!(company_label.contains("法定代表人"), "{company_label}");
}

#[test]
fn ticking_marks_an_item_and_unknown_items_name_the_known_ones() {
    let case = new_case(CaseKind::IcpCancelWebsite, at("2025-03-03T02:00:00Z"));
    let ticked = tick(&case, "sms_site_person", true, at("2025-03-03T03:00:00Z")).expect("tick");
    assert!(
        ticked
            .checklist
            .iter()
            .any(|i| i.id == "sms_site_person" && i.done)
    );
    assert_eq!(ticked.updated_at, at("2025-03-03T03:00:00Z"));
    let err = tick(&case, "passport", true, at("2025-03-03T03:00:00Z")).expect_err("unknown");
    let text = err.to_string();
    assert!(
        text.contains("passport") && text.contains("sms_site_person"),
        "{text}"
    );
}

#[test]
fn drafts_carry_a_chinese_title_and_the_context_ids() {
    let now = at("2025-03-03T02:00:00Z");
    let context = CaseContext {
        finding_id: Some(42),
        ..context()
    };
    let draft = draft_case(CaseKind::IcpCancelWebsite, &context, now, calendar());
    assert_eq!(
        draft.title,
        "注销网站备案：京ICP备12345678号-1（example.com）"
    );
    assert_eq!(
        (
            draft.subject_id,
            draft.site_id,
            draft.filing_id,
            draft.finding_id
        ),
        (Some(1), Some(2), Some(3), Some(42))
    );
    let bare = CaseContext {
        site_host: Some("example.com".to_owned()),
        ..CaseContext::new(SubjectKind::Individual)
    };
    assert_eq!(
        draft_case(CaseKind::PsbNew, &bare, now, calendar()).title,
        "公安联网备案：example.com"
    );
    assert_eq!(
        draft_case(
            CaseKind::IcpNew,
            &CaseContext::new(SubjectKind::Company),
            now,
            calendar()
        )
        .title,
        "ICP首次备案"
    );
}

#[test]
fn lapsed_domains_and_closed_sites_open_a_website_cancellation() {
    assert_eq!(
        auto_case_kind("domain.lapsed_filing_active"),
        Some(CaseKind::IcpCancelWebsite)
    );
    assert_eq!(
        auto_case_kind("site.closed_filings_active"),
        Some(CaseKind::IcpCancelWebsite)
    );
    for rule in ["domain.expiring", "psb.missing", "footer.icp_missing", ""] {
        assert_eq!(auto_case_kind(rule), None, "{rule}");
    }
}

#[test]
fn links_point_at_the_right_console() {
    let icp = console_links(
        CaseKind::IcpCancelWebsite,
        Some("https://console.example.cn/beian"),
    );
    let urls: Vec<Option<&str>> = icp.iter().map(|link| link.url.as_deref()).collect();
    assert_eq!(
        urls,
        vec![
            Some("https://console.example.cn/beian"),
            Some("https://beian.miit.gov.cn/")
        ]
    );
    let unknown = console_links(CaseKind::IcpNew, Some("  "));
    assert_eq!(unknown[0].id, "provider_console");
    assert_eq!(unknown[0].url, None);
    assert!(
        unknown[0].label_zh.contains("console-url"),
        "{}",
        unknown[0].label_zh
    );
    let psb = console_links(
        CaseKind::PsbCancel,
        Some("https://console.example.cn/beian"),
    );
    assert_eq!(psb.len(), 1);
    assert_eq!(psb[0].url.as_deref(), Some("https://beian.mps.gov.cn/"));
}

#[test]
fn kinds_and_states_round_trip_through_their_names() {
    for kind in CaseKind::ALL {
        assert_eq!(CaseKind::parse(kind.as_str()), Some(kind));
        assert!(!kind.label_zh().is_empty() && !kind.label_en().is_empty());
    }
    for state in CaseState::ALL {
        assert_eq!(CaseState::parse(state.as_str()), Some(state));
    }
}
