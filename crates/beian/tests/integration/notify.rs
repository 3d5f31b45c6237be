//! `beian scan` with a `[notify]` webhook: a lab site with one finding sends exactly one
//! message naming the site, the domain and the filing number; a second scan (a new process)
//! with nothing changed sends none, because the store keeps what was sent. Deliveries are
//! audited as `notify.send` without the webhook's token.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use beian_lab::ScenarioKind;
use serde_json::Value;

use crate::scan::{ScanLab, run, text};

/// The secret part of the webhook URL: must never be printed or audited.
const TOKEN: &str = "tok-7f3a9c-secret";

/// A webhook endpoint on 127.0.0.1 that records every request body and answers 200.
pub(crate) struct Recorder {
    pub(crate) port: u16,
    bodies: Arc<Mutex<Vec<String>>>,
}

impl Recorder {
    pub(crate) fn start() -> Recorder {
        let listener = TcpListener::bind(("127.0.0.1", 0)).expect("bind a test port");
        let port = listener.local_addr().expect("bound socket").port();
        let bodies: Arc<Mutex<Vec<String>>> = Arc::default();
        let log = Arc::clone(&bodies);
        // Detached: it lives as long as the test process and only ever answers 127.0.0.1.
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                if let Some(body) = read_request(&stream) {
                    log.lock().expect("not poisoned").push(body);
                }
                let reply = "{\"errcode\":0,\"errmsg\":\"ok\"}";
                let _ = (&stream).write_all(
                    format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{reply}",
                        reply.len()
                    )
                    .as_bytes(),
                );
            }
        });
        Recorder { port, bodies }
    }

    pub(crate) fn bodies(&self) -> Vec<String> {
        self.bodies.lock().expect("not poisoned").clone()
    }
}

/// The body of one HTTP/1.1 request (content-length framed, as reqwest sends JSON).
fn read_request(stream: &std::net::TcpStream) -> Option<String> {
    let mut reader = BufReader::new(stream);
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().ok()?;
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(String::from_utf8_lossy(&body).into_owned())
}

#[test]
fn a_scan_notifies_once_and_a_second_scan_sends_nothing() {
    let lab = ScanLab::start();
    let workspace = lab.workspace(4);
    let recorder = Recorder::start();
    let config = std::fs::read_to_string(workspace.config_path()).expect("read the config");
    let notify = format!(
        "\n[notify]\nbase_url = \"http://127.0.0.1:8080/\"\ntimeout_ms = 5000\nattempts = 1\n\n\
         [[notify.channels]]\nname = \"ops\"\nkind = \"webhook\"\n\
         url = \"http://127.0.0.1:{}/hook?token={TOKEN}\"\n",
        recorder.port
    );
    std::fs::write(workspace.config_path(), config + &notify).expect("write the config");

    // 明远贸易: five days of registration left, one `domain.expiring` finding on its domain.
    let site = lab
        .lab()
        .site(ScenarioKind::ExpiringSoon)
        .expect("scenario");
    let url = site.url.to_string();
    let scan = ["scan", "--site", url.as_str(), "--json", "--timeout", "2"];

    let first = run(&lab, &workspace, &scan);
    assert!(first.status.success(), "scan: {}", text(&first.stderr));
    let result: Value = serde_json::from_slice(&first.stdout).expect("scan JSON");
    assert_eq!(
        result["notifications"],
        serde_json::json!({ "delivered": 1, "failed": 0 }),
        "{result:#}"
    );
    let bodies = recorder.bodies();
    assert_eq!(bodies.len(), 1, "exactly one message: {bodies:#?}");
    let message: Value = serde_json::from_str(&bodies[0]).expect("the webhook body is JSON");
    let events = message["events"].as_array().expect("events");
    assert_eq!(events.len(), 1, "{message:#}");
    let event = &events[0];
    assert_eq!(event["site_name"], "明远贸易", "{event:#}");
    assert_eq!(event["domain"], site.domain_ascii.as_str(), "{event:#}");
    assert_eq!(event["filing_number"], "沪ICP备2023018472号-1", "{event:#}");
    assert_eq!(event["rule_id"], "domain.expiring", "{event:#}");
    assert!(
        event["finding_url"]
            .as_str()
            .is_some_and(|link| link.starts_with("http://127.0.0.1:8080/findings/")),
        "{event:#}"
    );

    // A new process, nothing changed: the store remembers what the channel was told.
    let second = run(&lab, &workspace, &scan);
    assert!(second.status.success(), "scan: {}", text(&second.stderr));
    let result: Value = serde_json::from_slice(&second.stdout).expect("scan JSON");
    assert_eq!(
        result["notifications"],
        serde_json::json!({ "delivered": 0, "failed": 0 }),
        "{result:#}"
    );
    assert_eq!(recorder.bodies().len(), 1, "no second message");

    // The delivery is audited, without the webhook's token.
    let audit = run(
        &lab,
        &workspace,
        &["audit-log", "list", "--limit", "100000", "--json"],
    );
    assert!(audit.status.success(), "audit: {}", text(&audit.stderr));
    let audit_text = text(&audit.stdout);
    let entries: Value = serde_json::from_str(&audit_text).expect("audit JSON");
    let sends: Vec<&Value> = entries
        .as_array()
        .expect("entries")
        .iter()
        .filter(|entry| entry["action"] == "notify.send")
        .collect();
    assert_eq!(sends.len(), 1, "{sends:#?}");
    assert!(!audit_text.contains(TOKEN), "the audit log holds the token");
    for output in [&first, &second] {
        assert!(!text(&output.stdout).contains(TOKEN));
        assert!(!text(&output.stderr).contains(TOKEN));
    }
}

#[test]
fn a_bad_notify_section_names_the_key_and_not_the_secret() {
    let workspace = crate::Workspace::initialised();
    let config = std::fs::read_to_string(workspace.config_path()).expect("read the config");
    let notify = format!(
        "\n[notify]\n[[notify.channels]]\nname = \"ops\"\nkind = \"webhook\"\n\
         url = \"ftp://example.invalid/hook?token={TOKEN}\"\n"
    );
    std::fs::write(workspace.config_path(), config + &notify).expect("write the config");
    let stderr = workspace.fails(2, &["scan", "--all"]);
    assert!(stderr.contains("notify.channels"), "{stderr}");
    assert!(!stderr.contains(TOKEN), "{stderr}");

    // A misspelt key: the parser's error, without the line that holds the token.
    std::fs::write(
        workspace.config_path(),
        format!("[notify]\n[[notify.channels]]\nname = \"ops\"\nurll = \"http://x/?t={TOKEN}\"\n"),
    )
    .expect("write the config");
    let stderr = workspace.fails(2, &["scan", "--all"]);
    assert!(stderr.contains("urll"), "{stderr}");
    assert!(!stderr.contains(TOKEN), "{stderr}");
}
