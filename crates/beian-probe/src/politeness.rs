//! Politeness: how hard the probes may lean on other people's servers.
//!
//! * [`Politeness`] bounds concurrency globally, per host name and per IP address. A request
//!   holds a [`PolitePermit`] for its whole exchange; dropping it frees every slot.
//! * [`ServerRateLimits`] spaces queries to one WHOIS or RDAP server (a token bucket per
//!   server: `quota` queries per window, bursts up to `quota`).
//!
//! Both keep per-key state only while it matters: an idle host's semaphore and a full
//! server bucket are forgotten, so a sweep over millions of names does not grow the maps.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

use crate::settings::Limits;

/// Locks a map whose invariants hold after any panic (each update is a single insert/remove).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Concurrency limits shared by every probe of one run.
#[derive(Debug)]
pub struct Politeness {
    global: Arc<Semaphore>,
    per_host: Arc<KeyedSemaphores<String>>,
    per_ip: Arc<KeyedSemaphores<IpAddr>>,
}

impl Politeness {
    /// Limits of 0 are read as 1: a zero limit would block every probe forever.
    pub fn new(limits: &Limits) -> Arc<Politeness> {
        Arc::new(Politeness {
            global: Arc::new(Semaphore::new(limits.global_concurrency.max(1))),
            per_host: Arc::new(KeyedSemaphores::new(limits.per_host_concurrency)),
            per_ip: Arc::new(KeyedSemaphores::new(limits.per_ip_concurrency)),
        })
    }

    /// Waits for a slot for `host` (case-insensitive) and, when known, its address. The host
    /// and IP slots are taken before the global one, so a request queued behind a busy host
    /// does not hold a global slot other hosts could use.
    pub async fn acquire(&self, host: &str, ip: Option<IpAddr>) -> PolitePermit {
        let host_permit = self
            .per_host
            .acquire(host.trim_end_matches('.').to_ascii_lowercase())
            .await;
        let ip_permit = match ip {
            Some(ip) => Some(self.per_ip.acquire(ip.to_canonical()).await),
            None => None,
        };
        let global = Arc::clone(&self.global)
            .acquire_owned()
            .await
            .expect("the global semaphore is never closed");
        PolitePermit {
            _global: global,
            _ip: ip_permit,
            _host: host_permit,
        }
    }

    /// Hosts currently holding or awaiting a slot (for tests and metrics).
    pub fn tracked_hosts(&self) -> usize {
        lock(&self.per_host.map).len()
    }

    /// IP addresses currently holding or awaiting a slot (for tests and metrics).
    pub fn tracked_ips(&self) -> usize {
        lock(&self.per_ip.map).len()
    }
}

/// Held for the duration of one exchange; dropping it releases the global, host and IP slots.
#[derive(Debug)]
pub struct PolitePermit {
    // Field order is drop order: the global slot goes first, then the keyed ones.
    _global: OwnedSemaphorePermit,
    _ip: Option<KeyedPermit<IpAddr>>,
    _host: KeyedPermit<String>,
}

#[derive(Debug)]
struct KeyedSemaphores<K: Eq + Hash> {
    permits: usize,
    map: Mutex<HashMap<K, Arc<Semaphore>>>,
}

impl<K: Eq + Hash + Clone> KeyedSemaphores<K> {
    fn new(permits: usize) -> Self {
        KeyedSemaphores {
            permits: permits.max(1),
            map: Mutex::new(HashMap::new()),
        }
    }

    async fn acquire(self: &Arc<Self>, key: K) -> KeyedPermit<K> {
        // Clones of a semaphore are only made under the map lock, so its strong count tells,
        // under that lock, whether anyone else holds or awaits it.
        let semaphore = Arc::clone(
            lock(&self.map)
                .entry(key.clone())
                .or_insert_with(|| Arc::new(Semaphore::new(self.permits))),
        );
        let mut keyed = KeyedPermit {
            owner: Arc::clone(self),
            key,
            semaphore: Arc::clone(&semaphore),
            permit: None,
        };
        // If this future is dropped while waiting, `keyed` still runs its Drop and evicts.
        keyed.permit = Some(
            semaphore
                .acquire_owned()
                .await
                .expect("keyed semaphores are never closed"),
        );
        keyed
    }
}

#[derive(Debug)]
struct KeyedPermit<K: Eq + Hash> {
    owner: Arc<KeyedSemaphores<K>>,
    key: K,
    semaphore: Arc<Semaphore>,
    permit: Option<OwnedSemaphorePermit>,
}

impl<K: Eq + Hash> Drop for KeyedPermit<K> {
    fn drop(&mut self) {
        let mut map = lock(&self.owner.map);
        drop(self.permit.take());
        // The map's reference and ours: nobody else holds or awaits this key any more.
        let idle = Arc::strong_count(&self.semaphore) == 2;
        if idle
            && map
                .get(&self.key)
                .is_some_and(|current| Arc::ptr_eq(current, &self.semaphore))
        {
            map.remove(&self.key);
        }
    }
}

/// Most server buckets kept before full (idle) ones are forgotten.
const MAX_TRACKED_SERVERS: usize = 4096;

/// A per-server token bucket: `quota` queries per `window`, bursts up to `quota`.
/// A quota of 0 means "no limit".
#[derive(Debug)]
pub struct ServerRateLimits {
    quota: u32,
    window: Duration,
    buckets: Mutex<HashMap<String, Bucket>>,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    /// May go negative: queued callers have reserved future tokens.
    tokens: f64,
    refilled_at: Instant,
}

impl ServerRateLimits {
    /// `per_minute` queries per minute to each server.
    pub fn new(per_minute: u32) -> ServerRateLimits {
        ServerRateLimits::with_window(per_minute, Duration::from_secs(60))
    }

    /// `quota` queries per `window` (tests use short windows).
    pub fn with_window(quota: u32, window: Duration) -> ServerRateLimits {
        ServerRateLimits {
            quota,
            window: window.max(Duration::from_millis(1)),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes a token for `server`, waiting until it is due. Callers are served in the order
    /// they asked: each reserves the next token, possibly in the future, then sleeps until then.
    pub async fn until_ready(&self, server: &str) {
        if let Some(wait) = self.reserve(server, true) {
            tokio::time::sleep(wait).await;
        }
    }

    /// Takes a token for `server` only if one is available now.
    pub fn try_now(&self, server: &str) -> bool {
        self.reserve(server, false).is_none()
    }

    /// Returns `None` when a token was taken now, `Some(wait)` when a future token was
    /// reserved (only if `queue`), or `Some(_)` without reserving when `queue` is false.
    fn reserve(&self, server: &str, queue: bool) -> Option<Duration> {
        if self.quota == 0 {
            return None;
        }
        let now = Instant::now();
        let capacity = f64::from(self.quota);
        let per_token = self.window.as_secs_f64() / capacity;
        let key = server.trim().trim_end_matches('.').to_ascii_lowercase();
        let mut buckets = lock(&self.buckets);
        if buckets.len() >= MAX_TRACKED_SERVERS && !buckets.contains_key(&key) {
            buckets
                .retain(|_, bucket| refilled(*bucket, now, capacity, per_token).tokens < capacity);
        }
        let current = buckets.get(&key).copied().unwrap_or(Bucket {
            tokens: capacity,
            refilled_at: now,
        });
        let mut bucket = refilled(current, now, capacity, per_token);
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            buckets.insert(key, bucket);
            return None;
        }
        let debt = 1.0 - bucket.tokens;
        let wait = Duration::from_secs_f64(debt * per_token);
        if queue {
            bucket.tokens -= 1.0;
            buckets.insert(key, bucket);
        }
        Some(wait)
    }
}

fn refilled(bucket: Bucket, now: Instant, capacity: f64, per_token: f64) -> Bucket {
    let elapsed = now
        .saturating_duration_since(bucket.refilled_at)
        .as_secs_f64();
    Bucket {
        tokens: (bucket.tokens + elapsed / per_token).min(capacity),
        refilled_at: now,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn third_query_waits_half_a_window() {
        let limits = ServerRateLimits::with_window(2, Duration::from_secs(60));
        let start = Instant::now();
        limits.until_ready("whois.example").await;
        limits.until_ready("WHOIS.example.").await;
        assert!(start.elapsed() < Duration::from_millis(1));
        assert!(!limits.try_now("whois.example"));
        assert!(limits.try_now("other.example"));
        limits.until_ready("whois.example").await;
        let waited = start.elapsed();
        assert!(
            (Duration::from_secs(29)..=Duration::from_secs(31)).contains(&waited),
            "waited {waited:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn zero_quota_is_unlimited() {
        let limits = ServerRateLimits::new(0);
        for _ in 0..1000 {
            assert!(limits.try_now("x"));
        }
    }
}
