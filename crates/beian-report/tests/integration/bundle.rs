//! Evidence bundles: files plus a manifest that `sha256sum -c` verifies.

use std::process::Command;

use beian_report::bundle::{CHECKSUM_FILE, MANIFEST_FILE, sha256_hex};
use beian_report::{BundleWriter, ReportError};

#[test]
fn sha256sum_verifies_the_bundle() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("bundle");
    let mut bundle = BundleWriter::create(&out).expect("create");
    bundle
        .add("audit.jsonl", b"{\"seq\":1}\n", "audit entries")
        .expect("add");
    bundle
        .add("report.pdf", b"%PDF-1.7 ...", "report")
        .expect("add");
    let manifest = bundle
        .finish(serde_json::json!({"site": "云杉官网"}))
        .expect("finish");
    assert_eq!(manifest.files.len(), 2);
    assert_eq!(manifest.files[0].sha256, sha256_hex(b"{\"seq\":1}\n"));
    let json = std::fs::read_to_string(out.join(MANIFEST_FILE)).expect("manifest");
    assert!(json.contains("云杉官网") && json.contains("beian-evidence-bundle"));

    let check = Command::new("sha256sum")
        .args(["-c", CHECKSUM_FILE])
        .current_dir(&out)
        .output()
        .expect("sha256sum runs");
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
    assert_eq!(
        String::from_utf8_lossy(&check.stdout)
            .matches(": OK")
            .count(),
        3
    );

    // Editing a file is caught.
    std::fs::write(out.join("audit.jsonl"), b"{\"seq\":2}\n").expect("tamper");
    let check = Command::new("sha256sum")
        .args(["-c", CHECKSUM_FILE])
        .current_dir(&out)
        .output()
        .expect("sha256sum runs");
    assert!(!check.status.success());
}

#[test]
fn a_non_empty_directory_and_bad_names_are_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("old.txt"), b"old").expect("write");
    let error = BundleWriter::create(dir.path()).expect_err("not empty");
    assert!(matches!(error, ReportError::BundleDirNotEmpty { .. }));

    let mut bundle = BundleWriter::create(&dir.path().join("new")).expect("create");
    for name in [
        "../escape",
        "a/b",
        "",
        MANIFEST_FILE,
        CHECKSUM_FILE,
        ".hidden",
    ] {
        assert!(
            matches!(
                bundle.add(name, b"x", ""),
                Err(ReportError::BundleName { .. })
            ),
            "{name:?} accepted"
        );
    }
    bundle.add("ok.json", b"{}", "").expect("add");
    assert!(matches!(
        bundle.add("ok.json", b"{}", ""),
        Err(ReportError::BundleName { .. })
    ));
}
