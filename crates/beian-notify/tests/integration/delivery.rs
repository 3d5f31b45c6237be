//! Delivery against misbehaving endpoints: hanging (bounded by the timeout), failing then
//! recovering (retried with backoff), refusing (not retried), unreachable — every result
//! as data, none of them holding a secret.

use std::sync::Arc;
use std::time::{Duration, Instant};

use beian_notify::{
    DeliveryStatus, EventKind, Failure, FixedClock, MemorySentLog, Router, Sender, SentLog,
};

use crate::support::{Answer, Endpoint, event, now, settings};

const TOKEN: &str = "tok-0123456789abcdef";

fn robot_channel(name: &str, endpoint: &Endpoint) -> String {
    format!(
        "[[channels]]\nname = \"{name}\"\nkind = \"dingtalk\"\nurl = \"{}\"\nsecret = \"SEC-robot-secret-42\"\n",
        endpoint.url(&format!("/robot/send?access_token={TOKEN}"))
    )
}

fn sender_for(text: &str) -> (Router, Sender) {
    let settings = Arc::new(settings(text));
    let sender =
        Sender::new(Arc::clone(&settings), Arc::new(FixedClock::new(now()))).expect("a sender");
    (Router::new(settings), sender)
}

fn failure(status: &DeliveryStatus) -> &Failure {
    match status {
        DeliveryStatus::Failed { failure } => failure,
        DeliveryStatus::Delivered => panic!("expected a failure"),
    }
}

#[tokio::test]
async fn a_hanging_endpoint_costs_bounded_time_and_blocks_nobody() {
    let hanging = Endpoint::start(vec![Answer::Hang]).await;
    let healthy = Endpoint::ok().await;
    let text = format!(
        "timeout_ms = 300\nattempts = 2\nbackoff_ms = 50\n{}{}",
        robot_channel("hanging", &hanging),
        robot_channel("healthy", &healthy)
    );
    let (router, sender) = sender_for(&text);
    let plan = router.route(&[event(EventKind::Opened)], &MemorySentLog::new());
    assert_eq!(plan.deliveries.len(), 2);
    let started = Instant::now();
    let outcomes = sender.send(&plan.deliveries).await;
    let elapsed = started.elapsed();
    // 2 attempts × 300 ms + 50 ms backoff, with slack for a loaded machine.
    assert!(elapsed < Duration::from_secs(3), "{elapsed:?}");
    assert!(elapsed >= Duration::from_millis(600), "{elapsed:?}");
    assert_eq!(outcomes[0].channel, "hanging");
    assert_eq!(outcomes[0].attempts, 2);
    assert_eq!(
        failure(&outcomes[0].status),
        &Failure::Timeout { after_ms: 300 }
    );
    assert_eq!(
        outcomes[0].earlier_failures,
        vec![Failure::Timeout { after_ms: 300 }]
    );
    assert!(outcomes[1].delivered(), "{outcomes:#?}");
    assert_eq!(hanging.requests().len(), 2);
}

#[tokio::test]
async fn a_500_then_200_is_retried_and_recorded_once() {
    let flaky = Endpoint::start(vec![
        Answer::Reply(500, "upstream busy"),
        Answer::Reply(200, r#"{"errcode":0,"errmsg":"ok"}"#),
    ])
    .await;
    let text = format!(
        "attempts = 3\nbackoff_ms = 20\n{}",
        robot_channel("flaky", &flaky)
    );
    let (router, sender) = sender_for(&text);
    let mut log = MemorySentLog::new();
    let plan = router.route(&[event(EventKind::Opened)], &log);
    let outcomes = sender.send(&plan.deliveries).await;
    assert!(outcomes[0].delivered(), "{outcomes:#?}");
    assert_eq!(outcomes[0].attempts, 2);
    assert_eq!(
        outcomes[0].earlier_failures,
        vec![Failure::Status {
            status: 500,
            body: "upstream busy".to_owned()
        }]
    );
    let requests = flaky.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(
        requests[0].body, requests[1].body,
        "the same message is resent"
    );
    plan.commit(&outcomes, &mut log);
    assert!(log.last_sent("flaky", 42).is_some());
    assert!(
        router
            .route(&[event(EventKind::Opened)], &log)
            .deliveries
            .is_empty()
    );
}

#[tokio::test]
async fn client_errors_and_refusals_are_not_retried() {
    let bad_request = Endpoint::start(vec![Answer::Reply(400, "bad")]).await;
    let refusing = Endpoint::start(vec![Answer::Reply(
        200,
        r#"{"errcode":310000,"errmsg":"sign not match"}"#,
    )])
    .await;
    let rate_limited = Endpoint::start(vec![
        Answer::Reply(200, r#"{"errcode":130101,"errmsg":"send too fast"}"#),
        Answer::Reply(200, r#"{"errcode":0,"errmsg":"ok"}"#),
    ])
    .await;
    let text = format!(
        "attempts = 3\nbackoff_ms = 10\n{}{}{}",
        robot_channel("bad", &bad_request),
        robot_channel("refusing", &refusing),
        robot_channel("limited", &rate_limited)
    );
    let (router, sender) = sender_for(&text);
    let plan = router.route(&[event(EventKind::Opened)], &MemorySentLog::new());
    let outcomes = sender.send(&plan.deliveries).await;
    assert_eq!(outcomes[0].attempts, 1);
    assert_eq!(
        failure(&outcomes[0].status),
        &Failure::Status {
            status: 400,
            body: "bad".to_owned()
        }
    );
    assert_eq!(outcomes[1].attempts, 1);
    assert_eq!(
        failure(&outcomes[1].status),
        &Failure::Rejected {
            code: 310_000,
            message: "sign not match".to_owned()
        }
    );
    assert!(outcomes[2].delivered(), "{outcomes:#?}");
    assert_eq!(outcomes[2].attempts, 2);
}

#[tokio::test]
async fn unreachable_and_echoing_endpoints_keep_secrets_out_of_failures() {
    // A port nobody listens on.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("an address")
    };
    let unreachable = format!(
        "[[channels]]\nname = \"closed\"\nkind = \"wecom\"\nurl = \"http://{closed}/send?key={TOKEN}\"\n"
    );
    // A server that echoes the request target (and so the token) in its error.
    let echo = Endpoint::start(vec![Answer::Reply(
        502,
        "bad gateway for /robot/send?access_token=tok-0123456789abcdef",
    )])
    .await;
    let text = format!(
        "attempts = 2\nbackoff_ms = 10\n{unreachable}{}",
        robot_channel("echo", &echo)
    );
    let (router, sender) = sender_for(&text);
    let plan = router.route(&[event(EventKind::Opened)], &MemorySentLog::new());
    let outcomes = sender.send(&plan.deliveries).await;
    assert!(matches!(
        failure(&outcomes[0].status),
        Failure::Connect { .. }
    ));
    assert_eq!(outcomes[0].attempts, 2, "connection failures are retried");
    assert!(matches!(
        failure(&outcomes[1].status),
        Failure::Status { status: 502, .. }
    ));
    for outcome in &outcomes {
        let shown = format!(
            "{outcome:?} {} {}",
            failure(&outcome.status),
            serde_json::to_string(outcome).expect("outcomes serialise")
        );
        assert!(!shown.contains(TOKEN), "{shown}");
        assert!(!shown.contains("SEC-robot-secret-42"), "{shown}");
    }
    assert!(failure(&outcomes[1].status).to_string().contains("***"));
}

#[tokio::test]
async fn an_unknown_channel_is_an_outcome_not_a_panic() {
    let endpoint = Endpoint::ok().await;
    let (router, sender) = sender_for(&robot_channel("known", &endpoint));
    let mut plan = router.route(&[event(EventKind::Opened)], &MemorySentLog::new());
    plan.deliveries[0].channel = "gone".to_owned();
    let outcomes = sender.send(&plan.deliveries).await;
    assert_eq!(
        failure(&outcomes[0].status),
        &Failure::UnknownChannel {
            name: "gone".to_owned()
        }
    );
    assert!(endpoint.requests().is_empty());
}
