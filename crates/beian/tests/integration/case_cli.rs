//! `beian case …` end to end: open from the inventory, show with checklist, deadlines,
//! links and history, advance along the state machine, refuse invalid steps with the
//! allowed ones named (exit 2, nothing written), tick, note, close, list filters.

use serde_json::Value;

use crate::Workspace;
use crate::inventory::{USCC, seed};

/// The seeded site with its ICP website filing, a PSB filing and a provider console.
fn workspace() -> Workspace {
    let workspace = Workspace::initialised();
    seed(&workspace);
    workspace.ok(&[
        "provider",
        "add",
        "阿里云",
        "--console-url",
        "https://beian.aliyun.com/",
    ]);
    workspace.ok(&[
        "filing",
        "add",
        "京ICP备20018813号-1",
        "--subject",
        USCC,
        "--site",
        "www.example.com",
        "--filed-on",
        "2020-05-06",
        "--create-parent",
    ]);
    workspace
}

fn open(workspace: &Workspace, kind: &str) -> (String, Value) {
    let case = workspace.json(&["case", "open", "--kind", kind, "--site", "www.example.com"]);
    let id = case["id"].as_i64().expect("case id").to_string();
    (id, case)
}

fn states(values: &Value) -> Vec<&str> {
    values
        .as_array()
        .expect("an array")
        .iter()
        .filter_map(Value::as_str)
        .collect()
}

fn deadline<'a>(shown: &'a Value, id: &str) -> &'a Value {
    shown["deadlines"]
        .as_array()
        .expect("deadlines")
        .iter()
        .find(|deadline| deadline["id"] == id)
        .unwrap_or_else(|| panic!("no deadline {id} in {shown}"))
}

#[test]
fn a_website_cancellation_runs_from_open_to_closed() {
    let workspace = workspace();
    let case = workspace.json(&[
        "case",
        "open",
        "--kind",
        "icp_cancel_website",
        "--site",
        "www.example.com",
        "--note",
        "域名已到期 / domain lapsed",
    ]);
    assert_eq!(
        case["title"],
        "注销网站备案：京ICP备20018813号-1（www.example.com）"
    );
    assert_eq!(case["state"], "draft");
    assert!(case["filing_id"].is_i64(), "{case}");
    let id = case["id"].as_i64().expect("id").to_string();

    let shown = workspace.json(&["case", "show", &id]);
    assert_eq!(states(&shown["allowed_next"]), ["preparing", "withdrawn"]);
    assert_eq!(shown["links"][0]["url"], "https://beian.aliyun.com/");
    assert_eq!(shown["links"][1]["url"], "https://beian.miit.gov.cn/");
    let items: Vec<&str> = shown["case"]["checklist"]
        .as_array()
        .expect("checklist")
        .iter()
        .filter_map(|item| item["id"].as_str())
        .collect();
    assert!(items.contains(&"sms_site_person"), "{items:?}");
    assert!(items.contains(&"cancellation_declaration"), "{items:?}");
    let actions: Vec<&str> = shown["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|event| event["action"].as_str())
        .collect();
    assert_eq!(actions, ["open", "note"]);

    for state in [
        "preparing",
        "submitted_to_provider",
        "provider_review",
        "sms_verification",
    ] {
        let moved = workspace.json(&["case", "advance", &id, state]);
        assert_eq!(moved["state"], state);
    }
    let shown = workspace.json(&["case", "show", &id]);
    let sms = deadline(&shown, "sms_window");
    assert_eq!(sms["overdue"], false);
    assert!(sms["hours_left"].as_i64().expect("hours") >= 23, "{sms}");

    let text = workspace.ok(&[
        "case",
        "advance",
        &id,
        "authority_review",
        "--note",
        "已核验",
    ]);
    assert!(text.contains("管局审核"), "{text}");
    let shown = workspace.json(&["case", "show", &id]);
    let review = deadline(&shown, "authority_review");
    let left = review["working_days_left"].as_i64().expect("days left");
    assert!((19..=20).contains(&left), "{review}");
    assert!(review["basis"].as_str().expect("basis").contains("20"));
    assert_eq!(
        states(&shown["allowed_next"]),
        ["approved", "rejected", "withdrawn"]
    );

    workspace.json(&["case", "advance", &id, "approved"]);
    let closed = workspace.json(&["case", "close", &id, "--note", "已注销"]);
    assert_eq!(closed["state"], "closed");
    assert_eq!(closed["deadlines"], serde_json::json!([]));

    assert_eq!(workspace.json(&["case", "list"]), serde_json::json!([]));
    let all = workspace.json(&["case", "list", "--all"]);
    assert_eq!(all[0]["state"], "closed");
    let events = workspace.json(&["case", "show", &id])["events"].clone();
    assert_eq!(events.as_array().map(Vec::len), Some(9), "{events}");

    let audit = workspace.json(&["audit-log", "list", "--limit", "1000"]);
    let audited: Vec<&str> = audit
        .as_array()
        .expect("audit entries")
        .iter()
        .filter_map(|entry| entry["action"].as_str())
        .filter(|action| action.starts_with("case."))
        .collect();
    for action in ["case.open", "case.note", "case.advance", "case.close"] {
        assert!(audited.contains(&action), "{action} missing in {audited:?}");
    }
    workspace.ok(&["audit-log", "verify"]);
}

#[test]
fn an_invalid_step_exits_2_naming_the_allowed_states_and_writes_nothing() {
    let workspace = workspace();
    let (id, _) = open(&workspace, "icp_cancel_website");
    let before = workspace.audit_len();
    let stderr = workspace.fails(2, &["case", "advance", &id, "approved"]);
    for part in ["preparing", "withdrawn", "准备材料", "approved"] {
        assert!(stderr.contains(part), "{part} missing in {stderr}");
    }
    let stderr = workspace.fails(2, &["case", "close", &id]);
    assert!(stderr.contains("withdrawn"), "{stderr}");
    let stderr = workspace.fails(2, &["case", "advance", &id, "finished"]);
    assert!(stderr.contains("authority_review"), "{stderr}");
    assert_eq!(workspace.audit_len(), before, "refused steps write nothing");
    assert_eq!(
        workspace.json(&["case", "show", &id])["case"]["state"],
        "draft"
    );

    workspace.json(&["case", "advance", &id, "withdrawn"]);
    let stderr = workspace.fails(2, &["case", "advance", &id, "preparing"]);
    assert!(stderr.contains("none"), "{stderr}");
}

#[test]
fn a_site_gets_one_unfinished_case_per_kind() {
    let workspace = workspace();
    let (id, _) = open(&workspace, "icp_cancel_website");
    let stderr = workspace.fails(
        2,
        &[
            "case",
            "open",
            "--kind",
            "icp_cancel_website",
            "--site",
            "www.example.com",
        ],
    );
    assert!(stderr.contains(&id), "{stderr}");
    // Another kind is fine, and so is the same kind once the first is withdrawn.
    open(&workspace, "icp_change_website");
    workspace.json(&["case", "advance", &id, "withdrawn"]);
    open(&workspace, "icp_cancel_website");
}

#[test]
fn psb_cases_skip_the_provider_and_count_from_go_live() {
    let workspace = workspace();
    let (id, case) = open(&workspace, "psb_new");
    assert_eq!(case["title"], "公安联网备案：示例官网（www.example.com）");
    assert_eq!(case["reference_date"], "2024-01-02");
    let shown = workspace.json(&["case", "show", &id]);
    let due = deadline(&shown, "psb_after_go_live");
    assert_eq!(due["overdue"], true, "went live 2024-01-02: {due}");
    assert_eq!(shown["links"][0]["url"], "https://beian.mps.gov.cn/");

    workspace.json(&["case", "advance", &id, "preparing"]);
    let stderr = workspace.fails(2, &["case", "advance", &id, "submitted_to_provider"]);
    assert!(stderr.contains("authority_review"), "{stderr}");
    let submitted = workspace.json(&["case", "advance", &id, "authority_review"]);
    assert_eq!(submitted["deadlines"], serde_json::json!([]));
}

#[test]
fn ticking_and_notes_are_recorded() {
    let workspace = workspace();
    let (id, _) = open(&workspace, "icp_cancel_website");
    let ticked = workspace.json(&["case", "tick", &id, "sms_site_person"]);
    let item = ticked["checklist"]
        .as_array()
        .expect("checklist")
        .iter()
        .find(|item| item["id"] == "sms_site_person")
        .cloned()
        .expect("item");
    assert_eq!(item["done"], true);
    let unticked = workspace.json(&["case", "tick", &id, "sms_site_person", "--undo"]);
    assert!(
        unticked["checklist"]
            .as_array()
            .expect("checklist")
            .iter()
            .all(|item| item["done"] == false)
    );
    let stderr = workspace.fails(2, &["case", "tick", &id, "passport"]);
    assert!(
        stderr.contains("passport") && stderr.contains("sms_site_person"),
        "{stderr}"
    );

    workspace.ok(&["case", "note", &id, "已联系接入商"]);
    workspace.fails(2, &["case", "note", &id, "  "]);
    let events = workspace.json(&["case", "show", &id])["events"].clone();
    let notes: Vec<&str> = events
        .as_array()
        .expect("events")
        .iter()
        .filter(|event| event["action"] == "note")
        .filter_map(|event| event["note"].as_str())
        .collect();
    assert_eq!(notes, ["已联系接入商"]);
    workspace.fails(2, &["case", "show", "999"]);
}

#[test]
fn list_filters_by_kind_state_and_site() {
    let workspace = workspace();
    let (first, _) = open(&workspace, "icp_cancel_website");
    open(&workspace, "psb_new");
    workspace.json(&["case", "advance", &first, "preparing"]);

    let ids = |args: &[&str]| -> usize {
        let mut full = vec!["case", "list"];
        full.extend_from_slice(args);
        workspace.json(&full).as_array().map_or(0, Vec::len)
    };
    assert_eq!(ids(&[]), 2);
    assert_eq!(ids(&["--kind", "psb_new"]), 1);
    assert_eq!(ids(&["--state", "preparing"]), 1);
    assert_eq!(ids(&["--state", "draft", "--state", "preparing"]), 2);
    assert_eq!(ids(&["--site", "www.example.com"]), 2);
    let table = workspace.ok(&["case", "list"]);
    assert!(table.contains("注销网站备案"), "{table}");
    workspace.fails(2, &["case", "list", "--kind", "icp_everything"]);
    workspace.fails(2, &["case", "list", "--site", "nowhere.example"]);
}

#[test]
fn the_show_table_names_materials_deadlines_and_next_steps() {
    let workspace = workspace();
    let (id, _) = open(&workspace, "icp_new");
    let text = workspace.ok(&["case", "show", &id]);
    for part in [
        "营业执照",
        "business_licence",
        "可转到",
        "preparing",
        "beian.miit.gov.cn",
    ] {
        assert!(text.contains(part), "{part} missing in {text}");
    }
    let subject_case = workspace.json(&[
        "case",
        "open",
        "--kind",
        "icp_cancel_subject",
        "--subject",
        USCC,
    ]);
    assert_eq!(subject_case["site_id"], Value::Null);
    assert!(
        subject_case["title"]
            .as_str()
            .expect("title")
            .starts_with("注销主体备案：京ICP备20018813号"),
        "{subject_case}"
    );
}

/// `beian case reminders`: nothing pending on a fresh case; once a case enters SMS
/// verification its 24-hour window is due within a working day and is listed (exit 0 while
/// not overdue).
#[test]
fn reminders_list_the_sms_window_once_it_starts() {
    let workspace = workspace();
    let listed = workspace.json(&["case", "reminders"]);
    assert_eq!(listed.as_array().map(Vec::len), Some(0), "{listed}");

    let (id, _) = open(&workspace, "icp_new");
    for state in [
        "preparing",
        "submitted_to_provider",
        "provider_review",
        "sms_verification",
    ] {
        workspace.json(&["case", "advance", &id, state]);
    }
    let listed = workspace.json(&["case", "reminders", "--within", "1"]);
    let items = listed.as_array().expect("a list");
    assert_eq!(items.len(), 1, "{listed:#}");
    assert_eq!(items[0]["case"]["id"].to_string(), id);
    assert_eq!(items[0]["reminder"]["deadline_id"], "sms_window");
    assert_eq!(items[0]["reminder"]["urgency"], "due_soon");
}
