//! Beian Guard web: the REST API `/api/v1` with users, organisations, roles, sessions
//! and API tokens, its OpenAPI document, and `/healthz`.
//!
//! Every route is declared once in [`routes::routes`] with the role it needs; the router
//! and the OpenAPI document are both built from that list. A request proves who it is
//! with the `beian_session` cookie (HttpOnly, SameSite=Strict, Secure when configured;
//! unsafe methods also need the `X-CSRF-Token` header) or `Authorization: Bearer
//! <token>`. A user sees only the sites, findings and cases of their organisations;
//! anything else answers 404. Every response carries a strict Content-Security-Policy.
//!
//! The dashboard ([`pages`]) is another router merged in [`router`] next to the API,
//! behind the same security headers; its pages are not API routes and are not in the
//! OpenAPI document.
//!
//! Prometheus `/metrics` ([`metrics`]) is wrapped around everything; see
//! [`WebConfig::metrics`].
//!
//! ```no_run
//! # async fn demo(store: beian_store::AnyStore) -> std::io::Result<()> {
//! let state = beian_web::AppState::new(store, beian_web::WebConfig::default()).await;
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
//! beian_web::serve(listener, state).await
//! # }
//! ```

pub mod admin;
pub mod api;
pub mod api_cases;
pub mod api_import;
pub mod auth;
pub mod error;
pub mod extract;
pub mod metrics;
pub mod openapi;
pub mod pages;
pub mod routes;
pub mod session;
pub mod settings_view;
pub mod site_bulk;

use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::sync::Arc;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, header};
use beian_store::AnyStore;
use tower_http::set_header::SetResponseHeaderLayer;

pub use auth::{PasswordCost, Principal};
pub use error::ApiError;
pub use settings_view::SettingsView;

/// Settings of the web server.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Mark the session cookie `Secure` (serve over HTTPS, or behind a TLS proxy).
    pub secure_cookies: bool,
    /// How long a session lasts after signing in.
    pub session_ttl: chrono::Duration,
    /// Failed logins per client address and user name per minute before 429.
    pub login_failures_per_minute: NonZeroU32,
    pub password_cost: PasswordCost,
    /// Serve Prometheus `/metrics` (no session needed; counts only, never names). On
    /// by default; off makes the path answer 404.
    pub metrics: bool,
    /// Answer `/metrics` only to callers on loopback (127.0.0.0/8, ::1); others get 404.
    /// Off by default; turn it on when the port is reachable by people who should not
    /// see the portfolio's counts and the scraper runs on the same host.
    pub metrics_loopback_only: bool,
    /// Notification and schedule settings, shown read-only on `/settings`.
    pub settings: SettingsView,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            secure_cookies: true,
            session_ttl: chrono::Duration::hours(12),
            login_failures_per_minute: NonZeroU32::new(5).expect("5 is not zero"),
            password_cost: PasswordCost::default(),
            metrics: true,
            metrics_loopback_only: false,
            settings: SettingsView::default(),
        }
    }
}

struct Inner {
    store: AnyStore,
    config: WebConfig,
    login_limiter: auth::LoginLimiter,
    /// A hash of a random password, checked when the user name is unknown.
    decoy_hash: String,
    http_metrics: metrics::HttpMetrics,
    scheduler_metrics: Arc<metrics::SchedulerMetrics>,
}

/// What every handler shares. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

impl AppState {
    pub async fn new(store: AnyStore, config: WebConfig) -> AppState {
        // Falls back to a constant PHC string if hashing fails: it still takes a parse
        // and a (failing) check, and no password matches it.
        let decoy_hash = auth::hash_password(auth::random_hex(16), config.password_cost)
            .await
            .unwrap_or_else(|_| "$argon2id$v=19$m=19456,t=2,p=1$AAAAAAAAAAAAAAAAAAAAAA$".into());
        AppState {
            inner: Arc::new(Inner {
                login_limiter: auth::LoginLimiter::new(config.login_failures_per_minute),
                store,
                config,
                decoy_hash,
                http_metrics: metrics::HttpMetrics::default(),
                scheduler_metrics: Arc::default(),
            }),
        }
    }

    pub fn store(&self) -> &AnyStore {
        &self.inner.store
    }

    pub fn config(&self) -> &WebConfig {
        &self.inner.config
    }

    pub(crate) fn login_limiter(&self) -> &auth::LoginLimiter {
        &self.inner.login_limiter
    }

    pub(crate) fn decoy_hash(&self) -> &str {
        &self.inner.decoy_hash
    }

    /// This state's HTTP request counters, shown by `/metrics`.
    pub fn http_metrics(&self) -> &metrics::HttpMetrics {
        &self.inner.http_metrics
    }

    /// The scheduler's figures shown by `/metrics`; `beian serve` hands them to the
    /// scheduler it runs.
    pub fn scheduler_metrics(&self) -> &Arc<metrics::SchedulerMetrics> {
        &self.inner.scheduler_metrics
    }
}

/// Scripts, styles and images only from this origin, nothing inline, no framing.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; \
     form-action 'self'; frame-ancestors 'none'";

async fn not_found() -> ApiError {
    ApiError::not_found("path", "路径")
}

async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}

/// The whole application: API routes, dashboard pages, JSON answers for unknown paths
/// and methods, and the security headers on every response.
pub fn router(state: AppState) -> Router {
    let headers: [(HeaderName, &'static str); 5] = [
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::CACHE_CONTROL, "no-store"),
    ];
    let mut routed = routes::api_router(&state).merge(pages::page_router());
    if state.config().metrics {
        // Not an API route: outside `routes::routes`, so not in the OpenAPI document.
        routed = routed.route("/metrics", axum::routing::get(metrics::scrape));
    }
    // Layered last so it wraps every route and the fallbacks, with `MatchedPath` set.
    let mut app = routed
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .with_state(state);
    for (name, value) in headers {
        // Cache-Control only where a handler has not chosen one (static assets will).
        let layer = if name == header::CACHE_CONTROL {
            SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
        } else {
            SetResponseHeaderLayer::overriding(name, HeaderValue::from_static(value))
        };
        app = app.layer(layer);
    }
    app
}

/// Serves [`router`] on `listener` until the process stops, with each connection's peer
/// address available to the login rate limit.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .await
}
