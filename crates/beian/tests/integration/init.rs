//! `beian init`: config and database created, never overwritten by accident, and a
//! directory that cannot be written is an input error naming it.

use crate::Workspace;

#[test]
fn init_writes_a_commented_config_and_creates_the_database() {
    let workspace = Workspace::empty();
    let stdout = workspace.ok(&["init", workspace.path().to_str().expect("utf-8 temp path")]);
    assert!(stdout.contains("beian.toml"), "{stdout}");
    let config = std::fs::read_to_string(workspace.config_path()).expect("beian.toml written");
    assert!(
        config.contains("[database]") && config.contains("# path = \"beian.db\""),
        "{config}"
    );
    assert!(
        workspace.database_path().is_file(),
        "beian.db created beside the config"
    );
    // The fresh database is usable at once.
    assert_eq!(workspace.audit_len(), 0);
}

#[test]
fn init_without_dir_uses_the_config_flag() {
    let workspace = Workspace::empty();
    workspace.ok(&["init"]);
    assert!(workspace.config_path().is_file());
    assert!(workspace.database_path().is_file());
}

#[test]
fn second_init_refuses_without_force() {
    let workspace = Workspace::initialised();
    std::fs::write(workspace.config_path(), "[display]\nlanguage = \"en\"\n").expect("edit config");
    let dir = workspace.path().to_str().expect("utf-8 temp path");
    let stderr = workspace.fails(2, &["init", dir]);
    assert!(
        stderr.contains("--force") && stderr.contains("beian.toml"),
        "{stderr}"
    );
    let kept = std::fs::read_to_string(workspace.config_path()).expect("config kept");
    assert!(
        kept.contains("language = \"en\""),
        "the existing file was not touched"
    );

    workspace.ok(&["init", dir, "--force"]);
    let rewritten = std::fs::read_to_string(workspace.config_path()).expect("config rewritten");
    assert!(rewritten.contains("# language = \"zh\""), "{rewritten}");
}

/// The tests run as root, for whom chmod does not stop writes; a path *under a
/// regular file* can never be created, whoever asks.
#[test]
fn init_under_a_regular_file_fails_naming_the_path() {
    let workspace = Workspace::empty();
    let file = workspace.path().join("plain-file");
    std::fs::write(&file, "not a directory").expect("write a file");
    let target = file.join("sub");
    let stderr = workspace.fails(2, &["init", target.to_str().expect("utf-8 temp path")]);
    assert!(stderr.contains(target.to_str().expect("utf-8")), "{stderr}");
    assert!(stderr.contains("修复 / fix"), "{stderr}");
    assert!(!target.join("beian.toml").exists());
}

/// /proc refuses new files even to root: a read-only directory for every user.
#[test]
fn init_into_a_read_only_directory_fails_naming_it() {
    let workspace = Workspace::empty();
    let stderr = workspace.fails(2, &["init", "/proc"]);
    assert!(stderr.contains("/proc"), "{stderr}");
    assert!(!std::path::Path::new("/proc/beian.toml").exists());
}

#[test]
fn init_records_a_named_database_in_the_config() {
    let workspace = Workspace::empty();
    let database = workspace.path().join("inventory.sqlite");
    workspace.ok(&[
        "--database",
        database.to_str().expect("utf-8 temp path"),
        "init",
    ]);
    assert!(database.is_file());
    assert!(
        !workspace.database_path().exists(),
        "no beian.db when another file is named"
    );
    // Later commands find it through beian.toml alone.
    workspace.ok(&[
        "subject",
        "add",
        "--name",
        "北京示例科技有限公司",
        "--id-number",
        "91110108MA01ABCD1E",
    ]);
    assert_eq!(workspace.json(&["subject", "list"])["total"], 1);
}
