//! What every probe returns: a timed outcome that is either evidence or a data enum
//! saying what went wrong. Probes never panic and never return `Err` for a remote
//! party's misbehaviour — a hanging server is evidence too.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Why a probe produced no evidence (or only partial evidence).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "failure", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ProbeFailure {
    #[error("timed out after {after_ms} ms")]
    Timeout { after_ms: u64 },
    #[error("connection refused by {peer}")]
    Refused { peer: String },
    #[error("{name} does not exist (NXDOMAIN)")]
    NxDomain { name: String },
    #[error("no answer of the requested type for {name}")]
    NoRecords { name: String },
    #[error("rate limited by {server}; retry after {retry_after_s:?} s")]
    RateLimited {
        server: String,
        retry_after_s: Option<u64>,
    },
    #[error("malformed answer: {detail}")]
    Malformed { detail: String },
    #[error("answer larger than the {limit_bytes}-byte limit")]
    TooLarge { limit_bytes: u64 },
    #[error("too many redirects (limit {limit})")]
    TooManyRedirects { limit: u32 },
    #[error("TLS failure: {detail}")]
    Tls { detail: String },
    #[error("refused by policy: {detail}")]
    Forbidden { detail: String },
    #[error("no server known for {what}")]
    NoServer { what: String },
    #[error("network error: {detail}")]
    Network { detail: String },
}

/// A probe's result with when it started and how long it took.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Timed<T> {
    pub started_at: DateTime<Utc>,
    pub elapsed_ms: u64,
    #[serde(flatten)]
    pub outcome: Outcome<T>,
}

/// Evidence, or the reason there is none.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", content = "data", rename_all = "snake_case")]
pub enum Outcome<T> {
    Ok(T),
    Failed(ProbeFailure),
}

impl<T> Outcome<T> {
    pub fn ok(&self) -> Option<&T> {
        match self {
            Outcome::Ok(value) => Some(value),
            Outcome::Failed(_) => None,
        }
    }

    pub fn failure(&self) -> Option<&ProbeFailure> {
        match self {
            Outcome::Ok(_) => None,
            Outcome::Failed(failure) => Some(failure),
        }
    }
}

impl<T> Timed<T> {
    /// A probe that was not run this time (its check was not due); a partial scan
    /// replaces it with the previous observation's facts.
    pub fn not_run(at: DateTime<Utc>) -> Timed<T> {
        Timed {
            started_at: at,
            elapsed_ms: 0,
            outcome: Outcome::Failed(ProbeFailure::Network {
                detail: "本次未检查 / not checked in this run".to_owned(),
            }),
        }
    }

    /// Runs `work`, recording its start and duration.
    pub async fn measure<F>(work: F) -> Timed<T>
    where
        F: std::future::Future<Output = Outcome<T>>,
    {
        let started_at = Utc::now();
        let clock = std::time::Instant::now();
        let outcome = work.await;
        Timed {
            started_at,
            elapsed_ms: u64::try_from(clock.elapsed().as_millis()).unwrap_or(u64::MAX),
            outcome,
        }
    }
}
