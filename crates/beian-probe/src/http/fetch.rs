//! The redirect loop: one request per hop, each recorded, under one deadline for the whole chain
//! (`http.timeout`), so a hostile server costs at most the configured time.

use std::collections::{BTreeMap, BTreeSet};
use std::error::Error as _;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Instant;

use reqwest::header::{CONTENT_TYPE, HeaderMap, LOCATION, REFERER, SERVER};
use tokio::sync::Semaphore;
use tokio::time::Instant as Deadline;
use url::{Host, Url};

use super::redirect::{meta_refresh, refresh_target, resolve_target};
use super::resolve::{ResolveFailure, check_address};
use super::{Hop, HttpEvidence, HttpProbe, RECORDED_HEADERS, decode_body, persona};
use crate::outcome::{Outcome, ProbeFailure, Timed};
use crate::politeness::PolitePermit;
use crate::settings::Persona;

/// How many personas of one URL are fetched at once (they all hit the same host; the
/// politeness limits bound it further).
const PERSONA_CONCURRENCY: usize = 4;
/// Longest header value kept in evidence; a hostile server may send a huge one.
const MAX_HEADER_VALUE_CHARS: usize = 4096;

/// The last answer of the chain so far: what the evidence describes if the chain stops here.
#[derive(Default)]
struct LastAnswer {
    headers: BTreeMap<String, String>,
    body: Vec<u8>,
    truncated: bool,
}

impl HttpProbe {
    /// Fetches `url` as `persona`, following redirects (HTTP and meta refresh) ourselves.
    pub async fn fetch(&self, url: &Url, persona: Persona) -> Timed<HttpEvidence> {
        Timed::measure(self.fetch_chain(url, persona)).await
    }

    /// Fetches `url` as every configured persona (a few at a time), in settings order.
    pub async fn fetch_personas(&self, url: &Url) -> Vec<Timed<HttpEvidence>> {
        let limit = Arc::new(Semaphore::new(PERSONA_CONCURRENCY));
        let mut tasks = tokio::task::JoinSet::new();
        let personas = self.inner.settings.personas.clone();
        for (index, persona) in personas.iter().copied().enumerate() {
            let probe = self.clone();
            let url = url.clone();
            let limit = Arc::clone(&limit);
            tasks.spawn(async move {
                // The semaphore is never closed, so acquiring only waits.
                let _permit = limit.acquire_owned().await.ok();
                (index, probe.fetch(&url, persona).await)
            });
        }
        let mut results: Vec<Option<Timed<HttpEvidence>>> = vec![None; personas.len()];
        while let Some(joined) = tasks.join_next().await {
            if let Ok((index, evidence)) = joined
                && let Some(slot) = results.get_mut(index)
            {
                *slot = Some(evidence);
            }
        }
        results
            .into_iter()
            .map(|slot| {
                slot.unwrap_or_else(|| Timed {
                    started_at: chrono::Utc::now(),
                    elapsed_ms: 0,
                    outcome: Outcome::Failed(ProbeFailure::Network {
                        detail: format!(
                            "抓取 {url} 的任务异常结束 / the fetch task for {url} died"
                        ),
                    }),
                })
            })
            .collect()
    }

    async fn fetch_chain(&self, requested: &Url, persona: Persona) -> Outcome<HttpEvidence> {
        let settings = &self.inner.settings;
        // The deadline starts once the first hop may go: time queued behind the politeness
        // limits is not the server's fault. Later hops wait inside it.
        let mut deadline: Option<Deadline> = None;
        let referer = persona::referer(persona, requested.host_str().unwrap_or_default());
        let mut hops: Vec<Hop> = Vec::new();
        let mut last = LastAnswer::default();
        let mut current = requested.clone();
        current.set_fragment(None);
        let mut visited = BTreeSet::from([current.to_string()]);
        let mut redirects_followed = 0u32;

        let stop = loop {
            let permit = match self.polite_permit(&current, deadline).await {
                Ok(permit) => permit,
                Err(failure) => break Some(failure),
            };
            let deadline = *deadline.get_or_insert_with(|| Deadline::now() + settings.timeout);
            let hop_started = Instant::now();
            let mut response = match self
                .send(&current, persona, referer.as_deref(), deadline)
                .await
            {
                Ok(response) => response,
                Err(failure) => break Some(failure),
            };
            let header_text = |name| {
                response
                    .headers()
                    .get(name)
                    .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            };
            let mut hop = Hop {
                url: current.clone(),
                status: response.status().as_u16(),
                location: header_text(LOCATION),
                meta_refresh: None,
                remote_addr: response.remote_addr(),
                elapsed_ms: 0,
                server: header_text(SERVER),
                content_type: header_text(CONTENT_TYPE),
            };
            last = LastAnswer {
                headers: selected_headers(response.headers()),
                ..LastAnswer::default()
            };

            let refresh_header = header_text(reqwest::header::REFRESH);
            let mut next_target = hop
                .location
                .clone()
                .filter(|_| response.status().is_redirection());
            let mut body_failure = None;
            let mut via_refresh = false;
            if next_target.is_none() {
                let read = tokio::time::timeout_at(
                    deadline,
                    read_capped(&mut response, settings.max_body_bytes, &mut last),
                )
                .await;
                body_failure = match read {
                    Ok(Ok(())) => None,
                    Ok(Err(error)) => Some(classify(&error, &current, self.timeout_ms())),
                    Err(_) => {
                        last.truncated = true;
                        Some(self.timeout_failure())
                    }
                };
                hop.meta_refresh = refresh_header
                    .and_then(|value| refresh_target(&value))
                    .or_else(|| page_refresh(&last.body, hop.content_type.as_deref()));
                next_target = hop.meta_refresh.clone();
                via_refresh = next_target.is_some();
            }
            hop.elapsed_ms = u64::try_from(hop_started.elapsed().as_millis()).unwrap_or(u64::MAX);
            hops.push(hop);
            drop(permit);
            if let Some(failure) = body_failure {
                break Some(failure);
            }
            let Some(target) = next_target else {
                break None;
            };
            let next = match resolve_target(&current, &target) {
                Ok(next) => next,
                Err(unfollowable) => {
                    break Some(ProbeFailure::Malformed {
                        detail: unfollowable.detail(&target),
                    });
                }
            };
            // A refresh to the page itself only reloads it; it is not a redirect.
            if via_refresh && next == current {
                break None;
            }
            if redirects_followed >= settings.max_redirects || !visited.insert(next.to_string()) {
                current = next;
                break Some(ProbeFailure::TooManyRedirects {
                    limit: settings.max_redirects,
                });
            }
            redirects_followed += 1;
            current = next;
        };
        self.evidence(requested, persona, hops, last, stop, current)
    }

    /// A politeness slot for `url`'s host (and address, for an address literal), waiting at
    /// most until `deadline` when one is set.
    async fn polite_permit(
        &self,
        url: &Url,
        deadline: Option<Deadline>,
    ) -> Result<Option<PolitePermit>, ProbeFailure> {
        let Some(politeness) = &self.inner.politeness else {
            return Ok(None);
        };
        let host = url.host_str().unwrap_or_default();
        let acquire = politeness.acquire(host, literal_address(url));
        match deadline {
            None => Ok(Some(acquire.await)),
            Some(deadline) => tokio::time::timeout_at(deadline, acquire)
                .await
                .map(Some)
                .map_err(|_| self.timeout_failure()),
        }
    }

    /// Sends one request for `url` within the chain's deadline.
    async fn send(
        &self,
        url: &Url,
        persona: Persona,
        referer: Option<&str>,
        deadline: Deadline,
    ) -> Result<reqwest::Response, ProbeFailure> {
        let clients =
            self.inner
                .clients
                .get(&persona.kind)
                .ok_or_else(|| ProbeFailure::Network {
                    detail: format!("persona {} has no client", persona.kind.as_str()),
                })?;
        let (client, mapped_port) = match url.scheme() {
            "http" => (&clients.plain, self.inner.settings.http_port),
            "https" => (&clients.secure, self.inner.settings.https_port),
            other => {
                return Err(ProbeFailure::Malformed {
                    detail: format!(
                        "{url} 的协议 {other} 不是 http(s) / {url} uses {other}, not http(s)"
                    ),
                });
            }
        };
        let mut target = url.clone();
        // reqwest does not call the resolver for an address literal, so the address policy and
        // the port mapping are applied here for those.
        if let Some(ip) = literal_address(url) {
            check_address(&ip.to_string(), ip, self.inner.allow_private)?;
            if url.port().is_none() && target.set_port(Some(mapped_port)).is_err() {
                return Err(ProbeFailure::Malformed {
                    detail: format!("{url} cannot carry a port"),
                });
            }
        }
        let mut request = client.get(target);
        if let Some(referer) = referer {
            request = request.header(REFERER, referer);
        }
        match tokio::time::timeout_at(deadline, request.send()).await {
            Ok(Ok(response)) => Ok(response),
            Ok(Err(error)) => Err(classify(&error, url, self.timeout_ms())),
            Err(_) => Err(self.timeout_failure()),
        }
    }

    fn timeout_ms(&self) -> u64 {
        u64::try_from(self.inner.settings.timeout.as_millis()).unwrap_or(u64::MAX)
    }

    fn timeout_failure(&self) -> ProbeFailure {
        ProbeFailure::Timeout {
            after_ms: self.timeout_ms(),
        }
    }

    fn evidence(
        &self,
        requested: &Url,
        persona: Persona,
        hops: Vec<Hop>,
        last: LastAnswer,
        stop: Option<ProbeFailure>,
        stopped_at: Url,
    ) -> Outcome<HttpEvidence> {
        let Some(final_hop) = hops.last() else {
            return Outcome::Failed(stop.unwrap_or_else(|| ProbeFailure::Network {
                detail: format!("{requested}: no answer"),
            }));
        };
        let tld = final_hop
            .url
            .host_str()
            .and_then(|host| host.rsplit('.').next())
            .map(str::to_owned);
        let decoded = decode_body(
            &last.body,
            final_hop.content_type.as_deref(),
            tld.as_deref(),
        );
        let failed_url = stop.as_ref().map(|_| stopped_at);
        Outcome::Ok(HttpEvidence {
            requested_url: requested.clone(),
            persona,
            final_url: final_hop.url.clone(),
            status: final_hop.status,
            content_type: final_hop.content_type.clone(),
            charset: decoded.charset.to_owned(),
            charset_source: decoded.source,
            body: decoded.text,
            body_bytes: u64::try_from(last.body.len()).unwrap_or(u64::MAX),
            truncated: last.truncated,
            headers: last.headers,
            error: stop,
            failed_url,
            hops,
        })
    }
}

/// The address of a URL whose host is an address literal.
fn literal_address(url: &Url) -> Option<IpAddr> {
    match url.host() {
        Some(Host::Ipv4(ip)) => Some(IpAddr::V4(ip)),
        Some(Host::Ipv6(ip)) => Some(IpAddr::V6(ip)),
        _ => None,
    }
}

/// Reads the body chunk by chunk into `last.body`, stopping at `cap` bytes. reqwest hands out
/// decompressed chunks, so the cap counts decoded bytes and a gzip bomb stops at the cap too.
async fn read_capped(
    response: &mut reqwest::Response,
    cap: usize,
    last: &mut LastAnswer,
) -> Result<(), reqwest::Error> {
    // Reserve what the server announces (within the cap) so the buffer does not double past it.
    let announced = response.content_length().unwrap_or(0);
    last.body
        .reserve(usize::try_from(announced).unwrap_or(cap).min(cap));
    while let Some(chunk) = response.chunk().await? {
        let room = cap.saturating_sub(last.body.len());
        if chunk.len() > room {
            last.body.extend_from_slice(&chunk[..room]);
            last.truncated = true;
            return Ok(());
        }
        last.body.extend_from_slice(&chunk);
    }
    Ok(())
}

/// The meta refresh target of an HTML (or untyped) body.
fn page_refresh(body: &[u8], content_type: Option<&str>) -> Option<String> {
    let is_html = content_type.is_none_or(|value| value.to_ascii_lowercase().contains("html"));
    if !is_html || body.is_empty() {
        return None;
    }
    // The charset only matters for the URL's non-ASCII characters; decode a prefix.
    let prefix = &body[..body.len().min(super::redirect::META_REFRESH_SCAN_CHARS * 4)];
    meta_refresh(&decode_body(prefix, content_type, None).text)
}

fn selected_headers(headers: &HeaderMap) -> BTreeMap<String, String> {
    let mut selected = BTreeMap::new();
    for name in RECORDED_HEADERS {
        let values: Vec<String> = headers
            .get_all(*name)
            .iter()
            .map(|value| {
                let text = String::from_utf8_lossy(value.as_bytes());
                if *name == "set-cookie" {
                    text.split('=').next().unwrap_or_default().trim().to_owned()
                } else {
                    text.chars().take(MAX_HEADER_VALUE_CHARS).collect()
                }
            })
            .collect();
        if !values.is_empty() {
            selected.insert((*name).to_owned(), values.join(", "));
        }
    }
    selected
}

/// Every error beneath `error`: its source chain, descending also into the error an
/// `io::Error` wraps (TLS and resolver errors travel that way and `io::Error::source` skips
/// the wrapped error itself).
fn error_chain<'a>(
    error: &'a (dyn std::error::Error + 'static),
) -> Vec<&'a (dyn std::error::Error + 'static)> {
    let mut chain = Vec::new();
    let mut pending = vec![error];
    while let Some(current) = pending.pop() {
        // Error chains are short; the bound only guards against a pathological cycle.
        if chain.len() >= 32 {
            break;
        }
        chain.push(current);
        if let Some(source) = current.source() {
            pending.push(source);
        }
        if let Some(inner) = current
            .downcast_ref::<std::io::Error>()
            .and_then(std::io::Error::get_ref)
        {
            pending.push(inner);
        }
    }
    chain
}

/// A reqwest error as a probe failure: our resolver's verdict, a TLS failure, a refused
/// connection, a timeout or a malformed answer, looked for along the error's source chain.
fn classify(error: &reqwest::Error, url: &Url, timeout_ms: u64) -> ProbeFailure {
    let peer = format!(
        "{}:{}",
        url.host_str().unwrap_or_default(),
        url.port_or_known_default().unwrap_or_default()
    );
    for current in error_chain(error) {
        if let Some(ResolveFailure(failure)) = current.downcast_ref::<ResolveFailure>() {
            return failure.clone();
        }
        if let Some(tls) = current.downcast_ref::<rustls::Error>() {
            return ProbeFailure::Tls {
                detail: format!("{url}: {tls}"),
            };
        }
        if let Some(io) = current.downcast_ref::<std::io::Error>()
            && io.kind() == std::io::ErrorKind::ConnectionRefused
        {
            return ProbeFailure::Refused { peer };
        }
    }
    let mut detail = error.to_string();
    let mut source = error.source();
    while let Some(current) = source {
        detail.push_str(": ");
        detail.push_str(&current.to_string());
        source = current.source();
    }
    if error.is_timeout() {
        ProbeFailure::Timeout {
            after_ms: timeout_ms,
        }
    } else if error.is_decode() || error.is_body() {
        ProbeFailure::Malformed {
            detail: format!("{url}: {detail}"),
        }
    } else {
        ProbeFailure::Network {
            detail: format!("{url}: {detail}"),
        }
    }
}
