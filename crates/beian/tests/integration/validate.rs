//! `beian validate`: kinds, canonical forms, warnings and errors; exit 2 on any invalid.

use serde_json::Value;

use crate::Workspace;

fn validate_json(workspace: &Workspace, numbers: &[&str], expect_code: i32) -> Vec<Value> {
    let output = workspace
        .beian()
        .arg("validate")
        .args(numbers)
        .arg("--json")
        .output()
        .expect("run beian validate");
    assert_eq!(
        output.status.code(),
        Some(expect_code),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let parsed: Value =
        serde_json::from_slice(&output.stdout).expect("validate --json prints JSON");
    parsed.as_array().expect("an array of validations").clone()
}

#[test]
fn ten_digit_website_number_is_valid() {
    let workspace = Workspace::unconfigured();
    let results = validate_json(&workspace, &["苏ICP备2025175795号-1"], 0);
    assert_eq!(results.len(), 1);
    let result = &results[0];
    assert_eq!(result["kind"], "icp_website");
    assert_eq!(result["canonical"], "苏ICP备2025175795号-1");
    let parts = result["parts"].as_array().expect("parts");
    assert!(parts.iter().any(|p| p["value"] == "苏"), "{parts:?}");
    assert!(
        result["issues"]
            .as_array()
            .expect("issues")
            .iter()
            .all(|i| i["severity"] != "error")
    );
}

#[test]
fn sichuan_prefix_warns_but_passes() {
    let workspace = Workspace::unconfigured();
    let results = validate_json(&workspace, &["川ICP备09003078号"], 0);
    let issues = results[0]["issues"].as_array().expect("issues");
    assert!(
        issues.iter().any(|i| i["severity"] == "warning"),
        "{issues:?}"
    );
    // The table says so too.
    let table = workspace.ok(&["validate", "川ICP备09003078号"]);
    assert!(table.contains("警告") && table.contains("蜀"), "{table}");
}

#[test]
fn placeholder_number_is_an_error_with_exit_2() {
    let workspace = Workspace::unconfigured();
    let results = validate_json(&workspace, &["京ICP备00000000号"], 2);
    let issues = results[0]["issues"].as_array().expect("issues");
    assert!(
        issues.iter().any(|i| i["severity"] == "error"),
        "{issues:?}"
    );
    let stderr = workspace.fails(
        2,
        &["validate", "苏ICP备2025175795号-1", "京ICP备00000000号"],
    );
    assert!(stderr.contains("1"), "{stderr}");
}

#[test]
fn json_has_one_entry_per_input_in_order() {
    let workspace = Workspace::unconfigured();
    let results = validate_json(
        &workspace,
        &[
            "苏ICP备2025175795号-1",
            "91110108MA01ABCD1E",
            "example.com",
            "京ICP备14014223",
        ],
        0,
    );
    let kinds: Vec<&str> = results
        .iter()
        .map(|r| r["kind"].as_str().unwrap_or("none"))
        .collect();
    assert_eq!(kinds, ["icp_website", "uscc", "domain", "icp_subject"]);
    for result in &results {
        for key in ["input", "kind", "canonical", "parts", "issues"] {
            assert!(result.get(key).is_some(), "missing {key} in {result}");
        }
    }
    // A missing 号 is restored in the canonical form.
    assert_eq!(results[3]["canonical"], "京ICP备14014223号");
}

#[test]
fn as_flag_forces_the_kind() {
    let workspace = Workspace::unconfigured();
    let results = validate_json(&workspace, &["--as", "domain", "example.com"], 0);
    assert_eq!(results[0]["kind"], "domain");
    let results = validate_json(&workspace, &["--as", "subject-id", "example.com"], 2);
    assert_ne!(results[0]["kind"], "domain");
}

#[test]
fn no_number_is_a_usage_error() {
    Workspace::unconfigured().fails(2, &["validate"]);
}
