//! `beian inspect whois|rdap FILE`: saved answers analysed offline into the stable JSON shape.

use std::path::PathBuf;

use serde_json::Value;

use crate::Workspace;

/// The keys scripts rely on (README "Stable interfaces"), in this order.
const STABLE_KEYS: [&str; 8] = [
    "registered",
    "created_at",
    "expires_at",
    "updated_at",
    "registrar",
    "registrant",
    "statuses",
    "nameservers",
];

fn fixture(relative: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../beian-probe/tests/fixtures")
        .join(relative)
        .display()
        .to_string()
}

fn inspect(args: &[&str]) -> (Value, String) {
    let output = Workspace::unconfigured()
        .beian()
        .arg("inspect")
        .args(args)
        .output()
        .expect("run beian inspect");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    (serde_json::from_str(&text).expect("JSON"), text)
}

fn assert_stable_shape(value: &Value, text: &str) {
    let object = value.as_object().expect("an object");
    for key in STABLE_KEYS {
        assert!(object.contains_key(key), "{key} missing: {text}");
    }
    let positions: Vec<usize> = STABLE_KEYS
        .iter()
        .map(|key| text.find(&format!("\"{key}\"")).expect("key present"))
        .collect();
    assert!(positions.is_sorted(), "stable keys out of order: {text}");
    assert!(value["statuses"].is_array() && value["nameservers"].is_array());
}

#[test]
fn cnnic_whois_dates_are_beijing_time() {
    let (value, text) = inspect(&["whois", &fixture("whois/registered/cn_google.cn")]);
    assert_stable_shape(&value, &text);
    assert_eq!(value["registered"], true);
    assert_eq!(value["expires_at"], "2021-03-17T12:48:36+08:00");
    assert_eq!(value["created_at"], "2003-03-17T12:20:05+08:00");
    assert_eq!(value["registrant"], "北京谷翔信息技术有限公司");
    assert!(
        value["nameservers"]
            .as_array()
            .is_some_and(|ns| ns.len() == 4)
    );
}

#[test]
fn whois_not_registered_is_registered_false() {
    let (value, text) = inspect(&[
        "whois",
        &fixture("whois/not-registered/cn_likexian-have-no-money-to-register.cn"),
        "--server",
        "whois.cnnic.cn",
        "--domain",
        "likexian-have-no-money-to-register.cn",
    ]);
    assert_stable_shape(&value, &text);
    assert_eq!(value["registered"], false);
    assert_eq!(value["expires_at"], Value::Null);
    assert_eq!(value["whois_outcome"], "not_registered");
}

#[test]
fn rdap_answer_parses_to_its_dates() {
    let (value, text) = inspect(&["rdap", &fixture("rdap/icann-lemonde.fr.json")]);
    assert_stable_shape(&value, &text);
    assert_eq!(value["registered"], true);
    assert_eq!(value["created_at"], "2005-08-02T14:16:36Z");
    assert_eq!(value["expires_at"], "2025-06-09T22:08:09Z");
    assert_eq!(value["registrar"], "NAMESHIELD");
}

#[test]
fn garbage_and_missing_files_are_input_errors_naming_the_file() {
    let workspace = Workspace::unconfigured();
    let garbage = workspace.path().join("garbage.bin");
    std::fs::write(&garbage, b"\x00\x01<html>not an answer</html>\xff").expect("write garbage");
    let garbage = garbage.display().to_string();
    for kind in ["rdap", "whois"] {
        let stderr = workspace.fails(2, &["inspect", kind, &garbage]);
        assert!(stderr.contains("garbage.bin"), "{kind}: {stderr}");
        assert!(stderr.contains("fix"), "{kind}: {stderr}");
    }
    let not_domain = workspace.path().join("entity.json");
    std::fs::write(&not_domain, br#"{"objectClassName":"entity","handle":"X"}"#).expect("write");
    let stderr = workspace.fails(2, &["inspect", "rdap", &not_domain.display().to_string()]);
    assert!(stderr.contains("entity.json"), "{stderr}");
    let stderr = workspace.fails(2, &["inspect", "whois", "no-such-file.txt"]);
    assert!(stderr.contains("no-such-file.txt"), "{stderr}");
}

#[test]
fn saved_rdap_404_is_not_registered() {
    let workspace = Workspace::unconfigured();
    let path = workspace.path().join("404.json");
    std::fs::write(
        &path,
        br#"{"errorCode":404,"title":"Not Found","description":["no such domain"]}"#,
    )
    .expect("write");
    let (value, _) = inspect(&["rdap", &path.display().to_string()]);
    assert_eq!(value["registered"], false);
}
