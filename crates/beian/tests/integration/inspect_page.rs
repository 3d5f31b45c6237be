//! `beian inspect page FILE` and `beian inspect site DIR`: saved captures from the labelled
//! corpus analysed offline into the stable `verdict` + `signals` JSON.

use std::path::PathBuf;

use serde_json::Value;

use crate::Workspace;

fn corpus(relative: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../beian-detect/corpus")
        .join(relative)
        .display()
        .to_string()
}

fn inspect(args: &[&str]) -> Value {
    let output = Workspace::unconfigured()
        .beian()
        .arg("inspect")
        .args(args)
        .output()
        .expect("run beian inspect");
    assert!(
        output.status.success(),
        "beian inspect {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("inspect prints JSON")
}

fn assert_stable_shape(value: &Value) {
    assert!(value["verdict"].is_string(), "{value}");
    let signals = value["signals"].as_array().expect("signals is a list");
    for signal in signals {
        assert!(signal["kind"].is_string(), "{signal}");
        assert!(signal["confidence"].is_number(), "{signal}");
        assert!(signal["evidence"].is_array(), "{signal}");
    }
}

#[test]
fn gambling_title_page_is_hijacked() {
    let value = inspect(&[
        "page",
        &corpus("hostile_content/title-gambling-01.html"),
        "--url",
        "https://www.hzqichen-jixie.com.cn/",
        "--persona",
        "baiduspider",
    ]);
    assert_stable_shape(&value);
    assert_eq!(value["verdict"], "hijacked", "{value}");
    assert!(
        value["signals"]
            .as_array()
            .is_some_and(|signals| !signals.is_empty())
    );
}

#[test]
fn ordinary_home_page_is_clean() {
    let value = inspect(&[
        "page",
        &corpus("negative/home-company-01.html"),
        "--url",
        "https://www.hzqichen-jixie.com.cn/",
        "--owner-domain",
        "hzqichen-jixie.com.cn",
        "--expected-icp",
        "浙ICP备2021031874号-1",
        "--expected-psb",
        "浙公网安备33010802011829号",
    ]);
    assert_stable_shape(&value);
    assert_eq!(value["verdict"], "clean", "{value}");
}

#[test]
fn gbk_page_is_read() {
    let value = inspect(&[
        "page",
        &corpus("negative/gbk-school-01.html"),
        "--url",
        "https://www.bjhaiyun-edu.cn/",
    ]);
    assert_stable_shape(&value);
    assert_eq!(value["verdict"], "clean", "{value}");
}

#[test]
fn cloaked_site_folder_is_hijacked() {
    let value = inspect(&["site", &corpus("cloaking/spider-tdk-01")]);
    assert_stable_shape(&value);
    assert_eq!(value["verdict"], "hijacked", "{value}");
}

#[test]
fn healthy_site_folder_is_clean() {
    let value = inspect(&["site", &corpus("negative/personas-dynamic-01")]);
    assert_stable_shape(&value);
    assert_eq!(value["verdict"], "clean", "{value}");
}

#[test]
fn folder_without_capture_toml_is_read_by_file_names() {
    let dir = tempfile::tempdir().expect("temporary directory");
    for name in ["desktop_browser.html", "baiduspider.html"] {
        std::fs::copy(
            corpus(&format!("cloaking/spider-tdk-01/{name}")),
            dir.path().join(name),
        )
        .expect("copy a capture");
    }
    let value = inspect(&["site", &dir.path().display().to_string()]);
    assert_stable_shape(&value);
    assert_ne!(value["verdict"], "clean", "{value}");
}

#[test]
fn unreadable_input_exits_2_naming_it() {
    let workspace = Workspace::unconfigured();
    let stderr = workspace.fails(2, &["inspect", "page", "/nonexistent/saved-page.html"]);
    assert!(stderr.contains("/nonexistent/saved-page.html"), "{stderr}");
    let stderr = workspace.fails(2, &["inspect", "site", "/nonexistent/capture-dir"]);
    assert!(stderr.contains("/nonexistent/capture-dir"), "{stderr}");
    let stderr = workspace.fails(
        2,
        &[
            "inspect",
            "page",
            &corpus("negative/home-company-01.html"),
            "--persona",
            "googlebot",
        ],
    );
    assert!(stderr.contains("googlebot"), "{stderr}");
}
