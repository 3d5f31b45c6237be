//! Signing in and out.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use beian_store::{Role, Store, User};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::auth::{
    ClientIp, FailureOutcome, Principal, SESSION_COOKIE, Via, cookie, random_hex, verify_password,
};
use crate::error::ApiError;
use crate::extract::Body;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Login {
    name: String,
    password: String,
}

#[derive(Debug, Serialize)]
pub struct SessionInfo {
    pub user: User,
    pub role: Role,
    /// Send it as `X-CSRF-Token` on every POST/PUT/PATCH/DELETE; absent for tokens.
    pub csrf_token: Option<String>,
    pub expires_at: Option<DateTime<Utc>>,
}

fn session_cookie(state: &AppState, token: &str, max_age_secs: i64) -> Option<HeaderValue> {
    let secure = if state.config().secure_cookies {
        "; Secure"
    } else {
        ""
    };
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age_secs}{secure}"
    ))
    .ok()
}

pub async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Body(login): Body<Login>,
) -> Result<Response, ApiError> {
    let limiter = state.login_limiter();
    if let Some(retry_after) = limiter.blocked_for(ip, &login.name) {
        return Err(ApiError::RateLimited { retry_after });
    }
    let credentials = state.store().user_credentials(&login.name).await?;
    // An unknown name costs the same hash check as a known one, so timing does not tell
    // which names exist.
    let hash = credentials.as_ref().map_or_else(
        || state.decoy_hash().to_owned(),
        |c| c.password_hash.clone(),
    );
    let matches = verify_password(login.password, hash).await;
    let user = match (credentials, matches) {
        (Some(credentials), true) => credentials.user,
        _ => {
            // This answer is still 401; the next attempt of the pair gets the 429.
            if let FailureOutcome::Blocked { retry_after } = limiter.record_failure(ip, &login.name)
            {
                tracing::warn!(%ip, ?retry_after, "login refused after repeated failures");
            }
            return Err(ApiError::BadCredentials);
        }
    };
    let token = random_hex(32);
    let csrf_token = random_hex(32);
    let ttl = state.config().session_ttl;
    let session = state
        .store()
        .create_session(user.id, &token, &csrf_token, Utc::now() + ttl)
        .await?;
    let info = SessionInfo {
        role: user.role,
        user,
        csrf_token: Some(session.csrf_token),
        expires_at: Some(session.expires_at),
    };
    let mut response = (StatusCode::OK, Json(info)).into_response();
    if let Some(value) = session_cookie(&state, &token, ttl.num_seconds()) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    Ok(response)
}

pub async fn current(
    Extension(principal): Extension<Principal>,
) -> Result<Json<SessionInfo>, ApiError> {
    let csrf_token = match principal.via {
        Via::Session { csrf_token } => Some(csrf_token),
        Via::Token { .. } => None,
    };
    Ok(Json(SessionInfo {
        user: principal.user,
        role: principal.role,
        csrf_token,
        expires_at: None,
    }))
}

pub async fn logout(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    if matches!(principal.via, Via::Token { .. }) {
        return Err(ApiError::invalid(
            "API 令牌没有会话可退出；请吊销令牌",
            "an API token has no session to end; revoke the token instead",
        ));
    }
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        state.store().end_session(token).await?;
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    if let Some(value) = session_cookie(&state, "", 0) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    Ok(response)
}
