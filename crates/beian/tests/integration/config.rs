//! `beian.toml`, flags and environment: unknown keys rejected naming key and file.

use crate::Workspace;

#[test]
fn unknown_key_names_the_key_and_the_file() {
    let workspace = Workspace::initialised();
    std::fs::write(
        workspace.config_path(),
        "[display]\nlanguage = \"zh\"\ncolour = \"red\"\n",
    )
    .expect("write config");
    let stderr = workspace.fails(2, &["subject", "list"]);
    assert!(stderr.contains("colour"), "{stderr}");
    assert!(stderr.contains("beian.toml"), "{stderr}");
}

#[test]
fn unknown_section_is_rejected() {
    let workspace = Workspace::initialised();
    std::fs::write(workspace.config_path(), "[telemetry]\nenabled = true\n").expect("write config");
    let stderr = workspace.fails(2, &["validate", "example.com"]);
    assert!(stderr.contains("telemetry"), "{stderr}");
}

#[test]
fn missing_config_file_named_by_flag_is_an_input_error() {
    let workspace = Workspace::empty();
    let stderr = workspace.fails(2, &["subject", "list"]);
    assert!(
        stderr.contains("beian.toml") && stderr.contains("beian init"),
        "{stderr}"
    );
}

#[test]
fn database_setting_is_relative_to_the_config_file() {
    let workspace = Workspace::initialised();
    std::fs::write(workspace.config_path(), "[database]\npath = \"other.db\"\n")
        .expect("write config");
    // The configured file does not exist yet: it must be named, with the fix.
    let stderr = workspace.fails(2, &["subject", "list"]);
    assert!(stderr.contains("other.db"), "{stderr}");
    // --database on the command line wins over the file.
    let db = workspace.database_path();
    workspace
        .beian()
        .args(["--database", db.to_str().expect("utf-8"), "subject", "list"])
        .assert()
        .success();
}

#[test]
fn language_from_config_switches_table_headers() {
    let workspace = Workspace::initialised();
    std::fs::write(workspace.config_path(), "[display]\nlanguage = \"en\"\n")
        .expect("write config");
    let table = workspace.ok(&["validate", "example.com"]);
    assert!(
        table.contains("Canonical") && !table.contains("规范形式"),
        "{table}"
    );
    let table = workspace.ok(&["--lang", "zh", "validate", "example.com"]);
    assert!(table.contains("规范形式"), "{table}");
}

#[test]
fn fileable_tld_list_can_be_replaced() {
    let workspace = Workspace::initialised();
    std::fs::write(workspace.path().join("tlds.txt"), "# only these\ncom\n").expect("write list");
    std::fs::write(
        workspace.config_path(),
        "[validation]\nfileable_tlds_file = \"tlds.txt\"\n",
    )
    .expect("write config");
    let results = workspace.json(&["validate", "--as", "domain", "example.cn"]);
    let issues = results[0]["issues"].as_array().expect("issues");
    assert!(
        issues.iter().any(|i| i["severity"] == "warning"),
        "{issues:?}"
    );
    let results = workspace.json(&["validate", "--as", "domain", "example.com"]);
    assert!(
        results[0]["issues"]
            .as_array()
            .expect("issues")
            .iter()
            .all(|i| i["severity"] != "warning")
    );

    std::fs::write(
        workspace.config_path(),
        "[validation]\nfileable_tlds_file = \"missing.txt\"\n",
    )
    .expect("write config");
    let stderr = workspace.fails(2, &["validate", "example.com"]);
    assert!(stderr.contains("missing.txt"), "{stderr}");
}
