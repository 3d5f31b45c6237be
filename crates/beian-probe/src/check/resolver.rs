//! Host addresses for connecting (HTTP, TLS), from the configured nameservers, shared between
//! the requests of a run.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use tokio::sync::OnceCell;

use crate::dns::DnsProbe;
use crate::http::{BoxFuture, HostResolver};
use crate::outcome::ProbeFailure;

/// How long a host's addresses are reused for connecting. A check asks for them once per
/// persona and once for TLS, all within a second; the DNS evidence itself is always fresh.
const ADDRESS_REUSE: Duration = Duration::from_secs(30);
/// Hosts remembered at most; past it, expired entries go (and, if none has, all of them).
const MAX_REMEMBERED_HOSTS: usize = 16_384;

pub(super) type Addresses = Result<Vec<IpAddr>, ProbeFailure>;
/// One host's answer: filled once by the first request, awaited by concurrent ones.
type AnswerCell = Arc<OnceCell<(Instant, Addresses)>>;

/// The DNS probe as the HTTP probe's (and the TLS probe's) resolver, so pages are fetched from
/// the addresses the configured nameservers give (an internal resolver, the lab). Concurrent
/// requests for one host share one query.
pub(super) struct SharedResolver {
    dns: Arc<DnsProbe>,
    hosts: Mutex<HashMap<String, AnswerCell>>,
}

impl SharedResolver {
    pub(super) fn new(dns: Arc<DnsProbe>) -> SharedResolver {
        SharedResolver {
            dns,
            hosts: Mutex::new(HashMap::new()),
        }
    }

    fn cell_for(&self, host: &str) -> AnswerCell {
        let mut hosts = self.hosts.lock().unwrap_or_else(PoisonError::into_inner);
        let fresh = |cell: &AnswerCell| {
            cell.get()
                .is_none_or(|(resolved, _)| resolved.elapsed() < ADDRESS_REUSE)
        };
        if let Some(cell) = hosts.get(host)
            && fresh(cell)
        {
            return Arc::clone(cell);
        }
        if hosts.len() >= MAX_REMEMBERED_HOSTS {
            hosts.retain(|_, cell| fresh(cell));
            if hosts.len() >= MAX_REMEMBERED_HOSTS {
                hosts.clear();
            }
        }
        let cell = Arc::new(OnceCell::new());
        hosts.insert(host.to_owned(), Arc::clone(&cell));
        cell
    }

    pub(super) async fn addresses(&self, host: &str) -> Addresses {
        let key = host.to_ascii_lowercase();
        let cell = self.cell_for(&key);
        let (_, addresses) = cell
            .get_or_init(|| async { (Instant::now(), self.dns.resolve_ips(host).await) })
            .await;
        // A definite answer is reused; a transient failure is shared only by the requests that
        // waited for it, and the next request asks again.
        if matches!(
            addresses,
            Err(ProbeFailure::Timeout { .. }
                | ProbeFailure::Network { .. }
                | ProbeFailure::Malformed { .. })
        ) {
            let mut hosts = self.hosts.lock().unwrap_or_else(PoisonError::into_inner);
            if hosts.get(&key).is_some_and(|kept| Arc::ptr_eq(kept, &cell)) {
                hosts.remove(&key);
            }
        }
        addresses.clone()
    }
}

impl HostResolver for SharedResolver {
    fn resolve<'a>(&'a self, host: &'a str) -> BoxFuture<'a, Addresses> {
        Box::pin(self.addresses(host))
    }
}
