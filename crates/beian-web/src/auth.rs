//! Who is asking: passwords (argon2id), random tokens, the session cookie, CSRF, bearer
//! tokens, the login rate limit, and the guard every route passes through with the role
//! its entry in [`crate::routes::ROUTES`] demands.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use beian_store::{OrganisationId, Role, Store, User};
use chrono::Utc;
use governor::clock::DefaultClock;
use governor::middleware::StateInformationMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};
use rand::Rng;

use crate::AppState;
use crate::error::ApiError;
use crate::routes::Access;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "beian_session";
/// The header a session-authenticated page sends its CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// How costly password hashes are: argon2id memory (KiB) and passes. The default is the
/// OWASP recommendation (19 MiB, 2 passes); tests turn it down to stay fast.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordCost {
    pub memory_kib: u32,
    pub iterations: u32,
}

impl Default for PasswordCost {
    fn default() -> Self {
        PasswordCost {
            memory_kib: 19 * 1024,
            iterations: 2,
        }
    }
}

fn argon2(cost: PasswordCost) -> Result<Argon2<'static>, ApiError> {
    let params = Params::new(cost.memory_kib, cost.iterations, 1, None).map_err(|error| {
        tracing::error!(%error, "argon2 parameters rejected");
        ApiError::Internal
    })?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// `n` random bytes from the thread's CSPRNG, hex-encoded.
pub fn random_hex(n: usize) -> String {
    let mut bytes = vec![0u8; n];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// Hashes a password as an argon2id PHC string (on a blocking thread: it is slow on
/// purpose).
pub async fn hash_password(password: String, cost: PasswordCost) -> Result<String, ApiError> {
    tokio::task::spawn_blocking(move || {
        let mut salt = [0u8; 16];
        rand::rng().fill_bytes(&mut salt);
        let salt = SaltString::encode_b64(&salt).map_err(|_| ApiError::Internal)?;
        argon2(cost)?
            .hash_password(password.as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(|error| {
                tracing::error!(%error, "hashing a password failed");
                ApiError::Internal
            })
    })
    .await
    .map_err(|_| ApiError::Internal)?
}

/// Whether `password` matches the PHC string `hash` (its own parameters apply).
pub async fn verify_password(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash).is_ok_and(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
    })
    .await
    .unwrap_or(false)
}

/// Equal strings, compared in time that does not depend on where they differ.
pub(crate) fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The caller's address; unspecified when the server was not started with connect info
/// (e.g. in tests driving the router directly).
pub struct ClientIp(pub IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |info| info.0.ip()),
        ))
    }
}

type LoginKey = (IpAddr, String);

/// Failed logins per client address and user name. After `burst` failures the pair is
/// refused until the bucket refills by one (GCRA, one failure every `period / burst`),
/// before its password is even checked, so guessing cannot go on behind the 429s.
pub struct LoginLimiter {
    failures: RateLimiter<
        LoginKey,
        DefaultKeyedStateStore<LoginKey>,
        DefaultClock,
        StateInformationMiddleware,
    >,
    blocked: Mutex<HashMap<LoginKey, Instant>>,
    interval: Duration,
}

/// What a counted failure leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureOutcome {
    /// More attempts are allowed.
    Counted,
    /// That was the last one for now.
    Blocked { retry_after: Duration },
}

impl LoginLimiter {
    pub fn new(failures_per_minute: NonZeroU32) -> LoginLimiter {
        let quota = Quota::per_minute(failures_per_minute);
        LoginLimiter {
            failures: RateLimiter::keyed(quota).with_middleware::<StateInformationMiddleware>(),
            blocked: Mutex::new(HashMap::new()),
            interval: quota.replenish_interval(),
        }
    }

    fn key(ip: IpAddr, user: &str) -> LoginKey {
        (ip, user.trim().to_lowercase())
    }

    /// How long this pair must still wait, if it is blocked.
    pub fn blocked_for(&self, ip: IpAddr, user: &str) -> Option<Duration> {
        let now = Instant::now();
        let mut blocked = self.blocked.lock().unwrap_or_else(|e| e.into_inner());
        let key = Self::key(ip, user);
        match blocked.get(&key) {
            Some(until) if *until > now => Some(*until - now),
            Some(_) => {
                blocked.remove(&key);
                None
            }
            None => None,
        }
    }

    pub fn record_failure(&self, ip: IpAddr, user: &str) -> FailureOutcome {
        let key = Self::key(ip, user);
        let retry_after = match self.failures.check_key(&key) {
            Ok(state) if state.remaining_burst_capacity() > 0 => return FailureOutcome::Counted,
            Ok(_) | Err(_) => self.interval,
        };
        let now = Instant::now();
        let mut blocked = self.blocked.lock().unwrap_or_else(|e| e.into_inner());
        // Keep the map to the pairs that are blocked right now.
        blocked.retain(|_, until| *until > now);
        blocked.insert(key, now + retry_after);
        drop(blocked);
        self.failures.retain_recent();
        FailureOutcome::Blocked { retry_after }
    }
}

/// How a request proved who it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Via {
    Session { csrf_token: String },
    Token { id: i64, name: String },
}

/// The user behind a request and the role it acts with (a token's role never exceeds its
/// user's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub user: User,
    pub role: Role,
    pub via: Via,
}

impl Principal {
    /// How audit entries name who did it.
    pub fn actor(&self) -> String {
        match &self.via {
            Via::Session { .. } => format!("user:{}", self.user.name),
            Via::Token { name, .. } => format!("token:{}/{name}", self.user.name),
        }
    }

    pub fn organisations(&self) -> &[OrganisationId] {
        &self.user.organisations
    }

    pub fn sees(&self, organisation: OrganisationId) -> bool {
        self.user.organisations.contains(&organisation)
    }
}

/// The value of a cookie, from every `Cookie` header of the request.
pub fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
}

/// Methods that change nothing and so need no CSRF token.
fn is_safe(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
    )
}

/// Who sent this request, if anyone; a bearer token wins over a cookie.
/// Takes the parts it needs, not the request: the body is not `Sync`, and a borrow of it
/// held across an await would make the guard's future not `Send`.
async fn authenticate(
    state: &AppState,
    method: &Method,
    headers: &HeaderMap,
) -> Result<Principal, ApiError> {
    if let Some(token) = bearer(headers) {
        let (token, user) = state
            .store()
            .api_token(token)
            .await?
            .ok_or(ApiError::Unauthenticated)?;
        return Ok(Principal {
            role: token.role.min(user.role),
            user,
            via: Via::Token {
                id: token.id,
                name: token.name,
            },
        });
    }
    let token = cookie(headers, SESSION_COOKIE).ok_or(ApiError::Unauthenticated)?;
    let (session, user) = state
        .store()
        .session(token, Utc::now())
        .await?
        .ok_or(ApiError::Unauthenticated)?;
    if !is_safe(method) {
        let sent = headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok());
        if !sent.is_some_and(|sent| constant_time_eq(sent, &session.csrf_token)) {
            return Err(ApiError::Csrf);
        }
    }
    Ok(Principal {
        role: user.role,
        user,
        via: Via::Session {
            csrf_token: session.csrf_token,
        },
    })
}

/// The middleware in front of every route: authenticates, checks CSRF and the route's
/// role, and hands the [`Principal`] to the handler as an extension.
pub async fn guard(
    State((state, access)): State<(AppState, Access)>,
    mut request: Request,
    next: Next,
) -> Response {
    let needed = match access {
        Access::Public => return next.run(request).await,
        Access::Role(role) => role,
    };
    match authenticate(&state, request.method(), request.headers()).await {
        Ok(principal) if principal.role >= needed => {
            request.extensions_mut().insert(principal);
            next.run(request).await
        }
        Ok(_) => ApiError::Forbidden {
            needed: needed.as_str(),
            needed_zh: role_zh(needed),
        }
        .into_response(),
        Err(error) => error.into_response(),
    }
}

pub fn role_zh(role: Role) -> &'static str {
    match role {
        Role::Viewer => "只读",
        Role::Operator => "操作员",
        Role::Admin => "管理员",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn cookies_are_found_among_others() {
        let mut headers = HeaderMap::new();
        headers.append(
            header::COOKIE,
            HeaderValue::from_static("a=1; beian_session=xyz"),
        );
        headers.append(header::COOKIE, HeaderValue::from_static("lang=zh"));
        assert_eq!(cookie(&headers, SESSION_COOKIE), Some("xyz"));
        assert_eq!(cookie(&headers, "lang"), Some("zh"));
        assert_eq!(cookie(&headers, "beian"), None);
    }

    #[test]
    fn bearer_scheme_is_case_insensitive() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("bearer abc"),
        );
        assert_eq!(bearer(&headers), Some("abc"));
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("Basic abc"));
        assert_eq!(bearer(&headers), None);
    }

    #[test]
    fn constant_time_comparison_is_equality() {
        assert!(constant_time_eq("abc", "abc"));
        assert!(!constant_time_eq("abc", "abd"));
        assert!(!constant_time_eq("abc", "ab"));
    }

    #[test]
    fn the_limiter_blocks_after_the_burst_per_pair() {
        let limiter = LoginLimiter::new(NonZeroU32::new(3).expect("non-zero"));
        let ip = IpAddr::V4(Ipv4Addr::LOCALHOST);
        assert_eq!(limiter.record_failure(ip, "alice"), FailureOutcome::Counted);
        assert_eq!(
            limiter.record_failure(ip, "Alice "),
            FailureOutcome::Counted
        );
        assert!(limiter.blocked_for(ip, "alice").is_none());
        assert!(matches!(
            limiter.record_failure(ip, "alice"),
            FailureOutcome::Blocked { .. }
        ));
        assert!(limiter.blocked_for(ip, "ALICE").is_some());
        assert!(limiter.blocked_for(ip, "bob").is_none(), "per user");
        let other = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2));
        assert!(limiter.blocked_for(other, "alice").is_none(), "per address");
    }

    #[tokio::test]
    async fn passwords_hash_as_argon2id_and_verify() {
        let cost = PasswordCost {
            memory_kib: 64,
            iterations: 1,
        };
        let hash = hash_password("correct horse".to_owned(), cost)
            .await
            .expect("hash");
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(verify_password("correct horse".to_owned(), hash.clone()).await);
        assert!(!verify_password("wrong horse".to_owned(), hash).await);
        assert!(!verify_password("x".to_owned(), "not a hash".to_owned()).await);
    }

    #[test]
    fn random_tokens_are_256_bits_and_differ() {
        let (a, b) = (random_hex(32), random_hex(32));
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
    }
}
