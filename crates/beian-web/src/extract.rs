//! axum's extractors, with their rejections answered in the API's JSON error shape
//! instead of plain text.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// A JSON request body.
pub struct Body<T>(pub T);

impl<S, T> FromRequest<S> for Body<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        axum::Json::<T>::from_request(request, state)
            .await
            .map(|axum::Json(value)| Body(value))
            .map_err(|rejection| {
                ApiError::invalid(
                    format!("请求体不是有效的 JSON：{}", rejection.body_text()),
                    format!(
                        "the body must be JSON with Content-Type: application/json and the \
                         documented fields: {}",
                        rejection.body_text()
                    ),
                )
            })
    }
}

/// Query-string parameters.
pub struct Params<T>(pub T);

impl<S, T> FromRequestParts<S> for Params<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Query(value)| Params(value))
            .map_err(|rejection| {
                ApiError::invalid(
                    format!("查询参数无效：{}", rejection.body_text()),
                    format!(
                        "check the query parameters against /api/v1/openapi.json: {}",
                        rejection.body_text()
                    ),
                )
            })
    }
}

/// A numeric id in the path.
pub struct Id(pub i64);

impl<S> FromRequestParts<S> for Id
where
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Path::<i64>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(id)| Id(id))
            .map_err(|_| {
                ApiError::invalid(
                    "路径中的 id 必须是整数",
                    "the id in the path must be a whole number",
                )
            })
    }
}
