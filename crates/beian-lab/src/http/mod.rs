//! HTTP and HTTPS virtual hosts: one port on every 127.0.0.x, the site chosen by the Host
//! header (and by SNI for the certificate). Pages come from the scenario's declarative rules.

mod body;
pub(crate) mod bomb;

use std::convert::Infallible;
use std::future::Future;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use bytes::Bytes;
use hyper::body::Incoming;
use hyper::header::{HeaderName, HeaderValue};
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;

pub(crate) use body::LabBody;

use crate::net::{ShutdownSignal, spawn_accept_loop};
use crate::scenario::{Audience, Charset, PathMatch, Reply, Web, pages};
use crate::world::World;

const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
const TRICKLE_INTERVAL: Duration = Duration::from_secs(1);
const SERVER: &str = "nginx/1.24.0 (Beian Guard lab)";

/// Serves HTTP/1.1 on one connection with `handler` answering every request.
pub(crate) async fn serve_connection<S, H, F>(io: S, handler: H)
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    H: Fn(Request<Incoming>) -> F + Send + Sync + 'static,
    F: Future<Output = Response<LabBody>> + Send + 'static,
{
    let handler = Arc::new(handler);
    let service = hyper::service::service_fn(move |request| {
        let handler = Arc::clone(&handler);
        async move { Ok::<_, Infallible>(handler(request).await) }
    });
    let _ = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT)
        .serve_connection(TokioIo::new(io), service)
        .await;
}

pub(crate) fn spawn_http(
    listener: TcpListener,
    world: Arc<World>,
    shutdown: ShutdownSignal,
) -> JoinHandle<()> {
    spawn_accept_loop(listener, shutdown, move |stream, _peer| {
        let world = Arc::clone(&world);
        serve_connection(stream, move |request| answer(Arc::clone(&world), request))
    })
}

pub(crate) fn spawn_https(
    listener: TcpListener,
    world: Arc<World>,
    acceptor: TlsAcceptor,
    shutdown: ShutdownSignal,
) -> JoinHandle<()> {
    spawn_accept_loop(listener, shutdown, move |stream, _peer| {
        let world = Arc::clone(&world);
        let acceptor = acceptor.clone();
        async move {
            let Ok(Ok(tls)) =
                tokio::time::timeout(TLS_HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await
            else {
                return;
            };
            serve_connection(tls, move |request| answer(Arc::clone(&world), request)).await;
        }
    })
}

/// The request's host: Host header (or the absolute URI's authority), without port.
fn request_host(request: &Request<Incoming>) -> Option<String> {
    let raw = request
        .headers()
        .get(hyper::header::HOST)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned)
        .or_else(|| request.uri().authority().map(|a| a.as_str().to_owned()))?;
    let host = match raw.rsplit_once(':') {
        Some((host, port)) if port.bytes().all(|b| b.is_ascii_digit()) => host,
        _ => raw.as_str(),
    };
    Some(host.trim_end_matches('.').to_ascii_lowercase())
}

fn header_text(request: &Request<Incoming>, name: HeaderName) -> &str {
    request
        .headers()
        .get(name)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
}

/// Crawler User-Agents name themselves (FACTS §7.2): spider, bot, crawler.
pub(crate) fn is_crawler(user_agent: &str) -> bool {
    let ua = user_agent.to_ascii_lowercase();
    ["spider", "bot", "crawler"]
        .iter()
        .any(|marker| ua.contains(marker))
}

fn audience_matches(audience: Audience, user_agent: &str, referer: &str) -> bool {
    match audience {
        Audience::Anyone => true,
        Audience::Spiders => is_crawler(user_agent),
        Audience::Browsers => !is_crawler(user_agent),
        Audience::BaiduReferer => referer.to_ascii_lowercase().contains("baidu.com"),
    }
}

/// `/<dir>/<digits>.html`, the shape 泛目录 programs answer (FACTS §7.3 g).
pub(crate) fn is_doorway_path(path: &str) -> bool {
    let Some(rest) = path.strip_prefix('/') else {
        return false;
    };
    let Some((dir, file)) = rest.split_once('/') else {
        return false;
    };
    let Some(stem) = file.strip_suffix(".html") else {
        return false;
    };
    !dir.is_empty() && !stem.is_empty() && stem.bytes().all(|b| b.is_ascii_digit())
}

fn pick<'w>(web: &'w Web, path: &str, user_agent: &str, referer: &str) -> &'w Reply {
    web.rules
        .iter()
        .find(|rule| {
            let path_matches = match &rule.path {
                PathMatch::Exact(exact) => exact == path,
                PathMatch::DoorwayPattern => is_doorway_path(path),
                PathMatch::Any => true,
            };
            path_matches && audience_matches(rule.audience, user_agent, referer)
        })
        .map_or(&web.fallback, |rule| &rule.reply)
}

fn response(status: u16, headers: &[(&str, &str)], body: LabBody) -> Response<LabBody> {
    let mut response = Response::new(body);
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    let map = response.headers_mut();
    map.insert(hyper::header::SERVER, HeaderValue::from_static(SERVER));
    for (name, value) in headers {
        if let (Ok(name), Ok(value)) = (HeaderName::try_from(*name), HeaderValue::try_from(*value))
        {
            map.insert(name, value);
        }
    }
    response
}

fn huge_chunk() -> Bytes {
    static CHUNK: OnceLock<Bytes> = OnceLock::new();
    CHUNK
        .get_or_init(|| {
            let line = b"<p>lab filler: a body far larger than any page should be.</p>\n";
            Bytes::from(
                line.iter()
                    .copied()
                    .cycle()
                    .take(64 * 1024)
                    .collect::<Vec<u8>>(),
            )
        })
        .clone()
}

fn trickle_page(bytes: u64) -> Bytes {
    let head = "<!DOCTYPE html><html><head><title>slow</title></head><body>";
    let tail = "</body></html>";
    let size = usize::try_from(bytes).unwrap_or(head.len() + tail.len());
    let padding = size.saturating_sub(head.len() + tail.len());
    Bytes::from(format!("{head}{}{tail}", ".".repeat(padding)))
}

async fn answer(world: Arc<World>, request: Request<Incoming>) -> Response<LabBody> {
    let host = request_host(&request).unwrap_or_default();
    let Some(vhost) = world.vhost(&host).cloned() else {
        let text = format!("lab: no virtual host for {host:?} / 实验室没有这个虚拟主机\n");
        return response(
            404,
            &[("content-type", "text/plain; charset=utf-8")],
            LabBody::whole(text),
        );
    };
    let path = request.uri().path().to_owned();
    let user_agent = header_text(&request, hyper::header::USER_AGENT);
    let referer = header_text(&request, hyper::header::REFERER);
    render(pick(&vhost.web, &path, user_agent, referer), &path).await
}

async fn render(reply: &Reply, path: &str) -> Response<LabBody> {
    match reply {
        Reply::Document {
            status,
            content_type,
            charset,
            headers,
            body,
        } => {
            let (bytes, charset_name) = match charset {
                Charset::Utf8 => (Bytes::from(body.clone()), "utf-8"),
                Charset::Gbk => (
                    Bytes::from(encoding_rs::GBK.encode(body).0.into_owned()),
                    "gbk",
                ),
            };
            let content_type = format!("{content_type}; charset={charset_name}");
            let mut pairs: Vec<(&str, &str)> = vec![("content-type", &content_type)];
            pairs.extend(headers.iter().map(|(n, v)| (n.as_str(), v.as_str())));
            response(*status, &pairs, LabBody::whole(bytes))
        }
        Reply::Redirect { status, location } => response(
            *status,
            &[
                ("location", location),
                ("content-type", "text/html; charset=utf-8"),
            ],
            LabBody::whole(format!("<a href=\"{location}\">moved</a>\n")),
        ),
        Reply::Doorway => response(
            200,
            &[("content-type", "text/html; charset=utf-8")],
            LabBody::whole(pages::doorway(path)),
        ),
        Reply::Hang => std::future::pending().await,
        Reply::Trickle { bytes } => response(
            200,
            &[("content-type", "text/html; charset=utf-8")],
            LabBody::trickle(trickle_page(*bytes), TRICKLE_INTERVAL),
        ),
        Reply::Huge { bytes } => response(
            200,
            &[("content-type", "text/html; charset=utf-8")],
            LabBody::Repeat {
                chunk: huge_chunk(),
                remaining: *bytes,
            },
        ),
        Reply::GzipBomb => {
            let bomb = tokio::task::spawn_blocking(bomb::gzip_bomb)
                .await
                .unwrap_or_default();
            response(
                200,
                &[
                    ("content-type", "text/html; charset=utf-8"),
                    ("content-encoding", "gzip"),
                ],
                LabBody::whole(bomb),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doorway_paths() {
        assert!(is_doorway_path("/abc/123.html"));
        assert!(is_doorway_path("/news/20240101.html"));
        assert!(!is_doorway_path("/"));
        assert!(!is_doorway_path("/about.html"));
        assert!(!is_doorway_path("/abc/x1.html"));
    }

    #[test]
    fn crawlers_are_recognised() {
        assert!(is_crawler(
            "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)"
        ));
        assert!(is_crawler(
            "Sogou web spider/4.0(+http://www.sogou.com/docs/help/webmasters.htm#07)"
        ));
        assert!(!is_crawler(
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0 Safari/537.36"
        ));
    }
}
