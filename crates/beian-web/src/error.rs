//! Every failure of an API call, answered as JSON
//! `{ "error": { "code": "...", "message": "中文 / English" } }` with its HTTP status.

use std::time::Duration;

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use beian_store::StoreError;
use serde::Serialize;

/// What went wrong with a request. `code` is stable for programs; the message is for
/// people, Chinese first, and says what to do.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("需要登录 / sign in first: send the session cookie or `Authorization: Bearer <token>`")]
    Unauthenticated,

    #[error("用户名或密码错误 / wrong user name or password; check both and try again")]
    BadCredentials,

    #[error("权限不足：需要{needed_zh}角色 / this needs the {needed} role; ask an administrator")]
    Forbidden {
        needed: &'static str,
        needed_zh: &'static str,
    },

    #[error(
        "缺少或错误的 CSRF 令牌 / missing or wrong CSRF token: send the `X-CSRF-Token` header \
         with the token the login answer gave"
    )]
    Csrf,

    #[error("登录失败次数过多，请 {} 秒后再试 / too many failed logins; retry in {} s", .retry_after.as_secs().max(1), .retry_after.as_secs().max(1))]
    RateLimited { retry_after: Duration },

    #[error("{what_zh}不存在 / no such {what}; check the id or the path")]
    NotFound {
        what: &'static str,
        what_zh: &'static str,
    },

    #[error("请求无效：{0}")]
    Invalid(String),

    #[error("与当前状态冲突：{0}")]
    Conflict(String),

    #[error("不支持此方法 / this path does not take this HTTP method; see /api/v1/openapi.json")]
    MethodNotAllowed,

    #[error("服务繁忙，请稍后重试 / the server is busy; retry in a moment")]
    Busy,

    #[error("服务器内部错误，详情见服务日志 / internal error; the server log has the details")]
    Internal,

    /// A document could not be produced on this server (e.g. no CJK font for PDFs); the
    /// message says what to install.
    #[error("无法生成文档：{0}")]
    Document(String),
}

#[derive(Serialize)]
struct Body<'a> {
    error: Detail<'a>,
}

#[derive(Serialize)]
struct Detail<'a> {
    code: &'a str,
    message: String,
}

impl ApiError {
    pub fn not_found(what: &'static str, what_zh: &'static str) -> ApiError {
        ApiError::NotFound { what, what_zh }
    }

    /// A request value that cannot be used, named with its fix.
    pub fn invalid(zh: impl std::fmt::Display, en: impl std::fmt::Display) -> ApiError {
        ApiError::Invalid(format!("{zh} / {en}"))
    }

    pub fn code(&self) -> &'static str {
        match self {
            ApiError::Unauthenticated => "unauthenticated",
            ApiError::BadCredentials => "bad_credentials",
            ApiError::Forbidden { .. } => "forbidden",
            ApiError::Csrf => "csrf",
            ApiError::RateLimited { .. } => "rate_limited",
            ApiError::NotFound { .. } => "not_found",
            ApiError::Invalid(_) => "invalid_input",
            ApiError::Conflict(_) => "conflict",
            ApiError::MethodNotAllowed => "method_not_allowed",
            ApiError::Busy => "busy",
            ApiError::Internal => "internal",
            ApiError::Document(_) => "document_unavailable",
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Unauthenticated | ApiError::BadCredentials => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden { .. } | ApiError::Csrf => StatusCode::FORBIDDEN,
            ApiError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::NotFound { .. } => StatusCode::NOT_FOUND,
            ApiError::Invalid(_) => StatusCode::BAD_REQUEST,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Busy => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal | ApiError::Document(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> ApiError {
        match error {
            StoreError::NotFound { .. } | StoreError::Missing { .. } => {
                ApiError::not_found("record", "记录")
            }
            StoreError::Invalid { .. }
            | StoreError::InvalidFilterValue { .. }
            | StoreError::UnsupportedFilter { .. }
            | StoreError::InvalidChange { .. }
            | StoreError::Relation(_)
            | StoreError::Duplicate { .. } => ApiError::Invalid(error.to_string()),
            StoreError::StateConflict { .. }
            | StoreError::CaseAlreadyOpen { .. }
            | StoreError::StillReferenced { .. } => ApiError::Conflict(error.to_string()),
            StoreError::Locked { .. } => ApiError::Busy,
            other => {
                // The detail names the database; it goes to the log, not to the client.
                tracing::error!(error = %other, "store failure while answering an API call");
                ApiError::Internal
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Body {
            error: Detail {
                code: self.code(),
                message: self.to_string(),
            },
        };
        let mut response = (self.status(), Json(body)).into_response();
        if let ApiError::RateLimited { retry_after } = &self
            && let Ok(value) = HeaderValue::from_str(&retry_after.as_secs().max(1).to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_errors_map_to_statuses() {
        let invalid = StoreError::Invalid {
            field: "reason",
            zh: "缺少原因".to_owned(),
            en: "give a reason".to_owned(),
        };
        let mapped = ApiError::from(invalid);
        assert_eq!(mapped.status(), StatusCode::BAD_REQUEST);
        assert!(mapped.to_string().contains("give a reason"));
        let locked = ApiError::from(StoreError::Locked {
            target: "/srv/beian.db".to_owned(),
        });
        assert_eq!(locked.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(
            !locked.to_string().contains("/srv"),
            "no database path to clients"
        );
    }
}
