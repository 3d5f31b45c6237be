//! The inventory commands end to end: add → list → show → edit → close → rm, filters
//! and pagination, with `--json` as the contract.

use serde_json::Value;

use crate::Workspace;

pub const USCC: &str = "91110108MA01ABCD1E";
pub const OTHER_USCC: &str = "91110000802100433B";

/// A subject with one site (two domains) — the start of most stories.
pub fn seed(workspace: &Workspace) {
    workspace.ok(&[
        "subject",
        "add",
        "--name",
        "北京示例科技有限公司",
        "--kind",
        "company",
        "--id-number",
        USCC,
        "--principal",
        "张三",
        "--province",
        "11",
    ]);
    workspace.ok(&[
        "site",
        "add",
        "--subject",
        USCC,
        "--name",
        "示例官网",
        "--url",
        "https://www.example.com",
        "--domain",
        "example.com",
        "--domain",
        "example.cn",
        "--provider",
        "阿里云",
        "--ip",
        "203.0.113.10",
        "--tag",
        "客户A",
        "--tag",
        "官网",
        "--go-live",
        "2024-01-02",
    ]);
}

fn items(list: &Value) -> &Vec<Value> {
    list["items"].as_array().expect("a list has items")
}

#[test]
fn subject_site_domain_filing_round_trip() {
    let workspace = Workspace::initialised();
    seed(&workspace);

    let subjects = workspace.json(&["subject", "list"]);
    assert_eq!(subjects["total"], 1);
    let subject = &items(&subjects)[0];
    assert_eq!(subject["name"], "北京示例科技有限公司");
    assert_eq!(subject["id_number"], USCC);
    assert_eq!(subject["province"], "11");

    let sites = workspace.json(&["site", "list", "--subject", USCC]);
    let site = &items(&sites)[0];
    assert_eq!(site["home_url"], "https://www.example.com/");
    assert_eq!(site["access_providers"], serde_json::json!(["阿里云"]));
    assert_eq!(site["tags"], serde_json::json!(["客户A", "官网"]));
    let site_id = site["id"].as_i64().expect("site id").to_string();

    workspace.ok(&[
        "domain",
        "add",
        "example.net",
        "--site",
        "www.example.com",
        "--registrar",
        "阿里云",
        "--holder",
        "北京示例科技有限公司",
        "--expires",
        "2027-01-01",
    ]);
    workspace.ok(&[
        "filing",
        "add",
        "京ICP备20018813号-1",
        "--subject",
        USCC,
        "--site",
        &site_id,
        "--filed-on",
        "2020-05-06",
        "--create-parent",
    ]);
    workspace.ok(&[
        "filing",
        "add",
        "京公网安备11010502030143号",
        "--site",
        &site_id,
    ]);

    let filings = workspace.json(&["filing", "list", "--subject", USCC]);
    let kinds: Vec<&str> = items(&filings)
        .iter()
        .filter_map(|f| f["kind"].as_str())
        .collect();
    assert_eq!(filings["total"], 3, "{filings}");
    for kind in ["icp_subject", "icp_website", "psb"] {
        assert!(kinds.contains(&kind), "{kinds:?}");
    }

    // show: the site with its subject, domains and filings.
    let shown = workspace.json(&["site", "show", &site_id]);
    assert_eq!(shown["record"]["name"], "示例官网");
    let related = shown["related"].as_array().expect("related groups");
    let group = |name: &str| -> Vec<Value> {
        related
            .iter()
            .find(|g| g["relation"] == name)
            .and_then(|g| g["records"].as_array().cloned())
            .unwrap_or_default()
    };
    assert_eq!(group("subject").len(), 1);
    assert_eq!(group("domains").len(), 3);
    assert_eq!(
        group("filings").len(),
        2,
        "the website filing and the PSB filing"
    );
    let table = workspace.ok(&["site", "show", &site_id]);
    assert!(
        table.contains("示例官网") && table.contains("example.net"),
        "{table}"
    );

    // edit: only the given field changes.
    workspace.ok(&["subject", "edit", USCC, "--principal", "李四"]);
    let subject = workspace.json(&["subject", "show", USCC]);
    assert_eq!(subject["record"]["principal"], "李四");
    assert_eq!(subject["record"]["name"], "北京示例科技有限公司");
    workspace.ok(&["domain", "edit", "example.net", "--expires", "2028-02-03"]);
    assert_eq!(
        workspace.json(&["domain", "show", "EXAMPLE.NET"])["record"]["expires_on"],
        "2028-02-03"
    );

    // close: the site closes on the given day, the filing is cancelled today.
    workspace.ok(&["site", "close", &site_id, "--on", "2025-06-30"]);
    let site = workspace.json(&["site", "show", &site_id]);
    assert_eq!(site["record"]["status"], "closed");
    assert_eq!(site["record"]["closed_on"], "2025-06-30");
    workspace.ok(&["filing", "close", "京ICP备20018813号-1"]);
    let filing = workspace.json(&["filing", "show", "京ICP备20018813号-1"]);
    assert_eq!(filing["record"]["status"], "cancelled");
    assert!(filing["record"]["cancelled_on"].is_string());

    // rm: refused while referenced, says what was removed otherwise.
    let before = workspace.audit_len();
    let stderr = workspace.fails(2, &["subject", "rm", USCC]);
    assert!(stderr.contains(USCC) || stderr.contains("引用"), "{stderr}");
    assert_eq!(workspace.audit_len(), before, "a refused rm writes nothing");
    let removed = workspace.ok(&["domain", "rm", "example.net"]);
    assert!(removed.contains("example.net"), "{removed}");
    assert_eq!(workspace.json(&["domain", "list"])["total"], 2);

    workspace.ok(&["audit-log", "verify"]);
}

#[test]
fn list_filters_and_pagination() {
    let workspace = Workspace::initialised();
    seed(&workspace);
    workspace.ok(&[
        "subject",
        "add",
        "--name",
        "Example Holdings",
        "--id-number",
        OTHER_USCC,
        "--principal",
        "Li",
    ]);
    workspace.ok(&[
        "subject",
        "add",
        "--name",
        "张三",
        "--kind",
        "individual",
        "--id-number",
        "11010519491231002X",
    ]);

    let page = workspace.json(&["subject", "list", "--limit", "2", "--page", "2"]);
    assert_eq!(page["total"], 3);
    assert_eq!(items(&page).len(), 1);
    let first = workspace.json(&["subject", "list", "--limit", "2"]);
    assert_eq!(items(&first).len(), 2);

    let found = workspace.json(&["subject", "list", "--search", "示例"]);
    assert_eq!(found["total"], 1, "{found}");

    workspace.ok(&["subject", "close", OTHER_USCC]);
    let closed = workspace.json(&["subject", "list", "--status", "closed"]);
    assert_eq!(items(&closed)[0]["id_number"], OTHER_USCC);
    workspace.fails(2, &["subject", "list", "--status", "sleeping"]);

    // Domains: only the one expiring soon.
    workspace.ok(&["domain", "edit", "example.com", "--expires", "2020-01-01"]);
    let expiring = workspace.json(&["domain", "list", "--expiring-within", "30"]);
    let names: Vec<&str> = items(&expiring)
        .iter()
        .filter_map(|d| d["name"].as_str())
        .collect();
    assert_eq!(names, ["example.com"]);

    workspace.ok(&["filing", "add", "京ICP备20018813号", "--subject", USCC]);
    let by_kind = workspace.json(&["filing", "list", "--kind", "icp_subject"]);
    assert_eq!(by_kind["total"], 1);
    assert_eq!(
        workspace.json(&["filing", "list", "--kind", "psb"])["total"],
        0
    );
    workspace.fails(2, &["filing", "list", "--kind", "icp"]);
}

#[test]
fn website_filing_without_its_subject_filing_says_how_to_fix() {
    let workspace = Workspace::initialised();
    seed(&workspace);
    let stderr = workspace.fails(
        2,
        &[
            "filing",
            "add",
            "京ICP备20018813号-1",
            "--subject",
            USCC,
            "--site",
            "1",
        ],
    );
    assert!(
        stderr.contains("京ICP备20018813号") && stderr.contains("--create-parent"),
        "{stderr}"
    );
    assert_eq!(workspace.json(&["filing", "list"])["total"], 0);
}

#[test]
fn warnings_are_printed_and_the_record_kept() {
    let workspace = Workspace::initialised();
    seed(&workspace);
    let output = workspace
        .beian()
        .args(["filing", "add", "川ICP备09003078号", "--subject", USCC])
        .output()
        .expect("run beian");
    assert!(output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("警告 / warning") && stderr.contains("蜀"),
        "{stderr}"
    );
    assert_eq!(workspace.json(&["filing", "list"])["total"], 1);
}

#[test]
fn persons_and_providers() {
    let workspace = Workspace::initialised();
    seed(&workspace);
    workspace.ok(&[
        "person",
        "add",
        "--site",
        "https://www.example.com/",
        "--role",
        "网站负责人",
        "--name",
        "王五",
        "--phone",
        "13800138000",
    ]);
    let people = workspace.json(&["person", "list", "--subject", USCC]);
    assert_eq!(items(&people)[0]["name"], "王五");
    workspace.ok(&[
        "provider",
        "add",
        "阿里云",
        "--console-url",
        "https://beian.aliyun.com/",
    ]);
    assert_eq!(
        workspace.json(&["provider", "show", "阿里云"])["record"]["console_url"],
        "https://beian.aliyun.com/"
    );
    workspace.ok(&["provider", "rm", "阿里云"]);
    assert_eq!(workspace.json(&["provider", "list"])["total"], 0);
}
