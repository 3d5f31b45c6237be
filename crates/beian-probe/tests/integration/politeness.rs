//! Politeness limits: per-host concurrency really serialises, distinct hosts do not wait for
//! each other, idle keys are forgotten, and server rate limits delay the query past the quota.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use beian_probe::politeness::{Politeness, ServerRateLimits};
use beian_probe::settings::Limits;

/// Runs one 80 ms "request" per host in `hosts` at once; returns the most that overlapped.
async fn most_overlapping(politeness: &Arc<Politeness>, hosts: &[&str]) -> usize {
    let running = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = hosts
        .iter()
        .map(|host| {
            let (politeness, running, peak) = (
                Arc::clone(politeness),
                Arc::clone(&running),
                Arc::clone(&peak),
            );
            let host = (*host).to_owned();
            tokio::spawn(async move {
                let _permit = politeness
                    .acquire(&host, Some("127.0.0.1".parse().expect("literal")))
                    .await;
                let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(now, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(80)).await;
                running.fetch_sub(1, Ordering::SeqCst);
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("task finishes");
    }
    peak.load(Ordering::SeqCst)
}

#[tokio::test]
async fn per_host_limit_of_one_serialises() {
    let politeness = Politeness::new(&Limits {
        global_concurrency: 16,
        per_host_concurrency: 1,
        per_ip_concurrency: 16,
    });
    let clock = Instant::now();
    assert_eq!(
        most_overlapping(&politeness, &["a.test", "A.test.", "a.test"]).await,
        1
    );
    assert!(clock.elapsed() >= Duration::from_millis(230));
    assert_eq!(
        most_overlapping(&politeness, &["a.test", "b.test", "c.test"]).await,
        3
    );
    assert_eq!(politeness.tracked_hosts(), 0, "idle hosts are forgotten");
    assert_eq!(politeness.tracked_ips(), 0, "idle addresses are forgotten");
}

#[tokio::test]
async fn per_ip_and_global_limits_apply_across_hosts() {
    let by_ip = Politeness::new(&Limits {
        global_concurrency: 16,
        per_host_concurrency: 4,
        per_ip_concurrency: 2,
    });
    assert_eq!(
        most_overlapping(&by_ip, &["a.test", "b.test", "c.test", "d.test"]).await,
        2
    );
    let global = Politeness::new(&Limits {
        global_concurrency: 1,
        per_host_concurrency: 4,
        per_ip_concurrency: 4,
    });
    assert_eq!(most_overlapping(&global, &["a.test", "b.test"]).await, 1);
}

#[tokio::test]
async fn cancelled_waiters_leave_no_state_behind() {
    let politeness = Politeness::new(&Limits {
        global_concurrency: 4,
        per_host_concurrency: 1,
        per_ip_concurrency: 4,
    });
    let held = politeness.acquire("busy.test", None).await;
    let waiter = tokio::time::timeout(
        Duration::from_millis(30),
        politeness.acquire("busy.test", None),
    )
    .await;
    assert!(waiter.is_err(), "the second caller had to wait");
    drop(held);
    assert_eq!(politeness.tracked_hosts(), 0);
}

#[tokio::test]
async fn third_query_within_quota_two_is_delayed() {
    let limits = ServerRateLimits::with_window(2, Duration::from_millis(400));
    let clock = Instant::now();
    limits.until_ready("whois.test").await;
    limits.until_ready("whois.test").await;
    assert!(clock.elapsed() < Duration::from_millis(50));
    limits.until_ready("whois.test").await;
    let waited = clock.elapsed();
    assert!(
        waited >= Duration::from_millis(180),
        "third query waited only {waited:?}"
    );
    assert!(
        waited < Duration::from_millis(600),
        "third query waited {waited:?}"
    );
}
