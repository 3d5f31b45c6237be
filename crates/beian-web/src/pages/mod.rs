//! The server-rendered dashboard: login, overview, sites, findings and cases, in Chinese
//! first with an English switch (cookie `lang`).
//!
//! Pages are not API routes: they answer HTML, send people to `/login` instead of a 401,
//! and take CSRF tokens as a hidden form field (`csrf`) because HTML forms cannot set the
//! `X-CSRF-Token` header. They use the same sessions, the same organisation checks and
//! the same store calls as the API, and sit behind the same security headers (strict
//! CSP: no inline script; the one stylesheet is served from `/static/app.css`).
//! Templates are askama, compiled into the binary and escaping every value by default;
//! no template uses `|safe`.

mod cases;
mod chrome;
mod findings;
mod import;
mod login;
mod overview;
mod settings;
mod site;
mod sites;

use askama::Template;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};

use crate::AppState;
use crate::error::ApiError;

pub use chrome::{Chrome, LANG_COOKIE, Lang, PageUser};

/// The stylesheet, embedded so the binary needs no files beside it.
const APP_CSS: &str = include_str!("../../static/app.css");

async fn stylesheet() -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/css; charset=utf-8"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=3600"),
            ),
        ],
        APP_CSS,
    )
        .into_response()
}

/// The dashboard's routes; the guard is [`PageUser`], which every page handler takes.
pub(crate) fn page_router() -> Router<AppState> {
    Router::new()
        .route("/static/app.css", get(stylesheet))
        .route("/login", get(login::form).post(login::submit))
        .route("/logout", post(login::logout))
        .route("/lang", get(chrome::switch_language))
        .route("/", get(overview::page))
        .route("/sites", get(sites::list))
        .route("/sites/bulk", post(sites::bulk))
        .route("/sites/{id}", get(site::detail))
        .route("/findings", get(findings::list))
        .route("/findings/{id}/acknowledge", post(findings::acknowledge))
        .route("/findings/{id}/suppress", post(findings::suppress))
        .route("/cases", get(cases::board))
        .route("/cases/{id}", get(cases::detail))
        .route("/cases/{id}/tick", post(cases::tick_item))
        .route("/cases/{id}/advance", post(cases::advance_step))
        .route("/cases/{id}/note", post(cases::add_note))
        .route("/cases/{id}/documents/{name}", get(cases::document))
        .route(
            "/import",
            get(import::form)
                .post(import::preview)
                // The upload plus room for the form's other fields and multipart framing.
                .layer(DefaultBodyLimit::max(
                    crate::api_import::MAX_UPLOAD_BYTES + 64 * 1024,
                )),
        )
        .route("/import/apply", post(import::apply))
        .route("/settings", get(settings::page))
        .route("/settings/users", post(settings::add_user))
        .route("/settings/users/{id}/role", post(settings::set_role))
}

/// A page that could not be shown: an HTML answer with the status and the reason in the
/// reader's language.
#[derive(Debug)]
pub enum PageError {
    /// Not signed in (or the session ended): go to the login page.
    SignIn,
    Api(ApiError, Lang),
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    c: Chrome,
    status: u16,
    message: &'a str,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        match self {
            PageError::SignIn => Redirect::to("/login").into_response(),
            PageError::Api(error, lang) => {
                let message = error.to_string();
                let page = ErrorPage {
                    c: Chrome::anonymous(lang, "/"),
                    status: error.status().as_u16(),
                    message: &message,
                };
                let mut response = render(&page);
                *response.status_mut() = error.status();
                response
            }
        }
    }
}

/// Renders a template as an HTML answer; a template failure is logged and answers 500.
pub(crate) fn render(template: &impl Template) -> Response {
    match template.render() {
        Ok(body) => Html(body).into_response(),
        Err(error) => {
            tracing::error!(%error, "rendering a dashboard page failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "服务器内部错误 / internal error",
            )
                .into_response()
        }
    }
}

/// Whether `path` is a path on this site (not `//host` or `https://…`), so a `back`
/// parameter cannot send people elsewhere.
pub(crate) fn local_path(path: &str) -> Option<&str> {
    (path.starts_with('/') && !path.starts_with("//") && !path.contains('\\')).then_some(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(local_path("/sites?page=2"), Some("/sites?page=2"));
        assert_eq!(local_path("//evil.example/"), None);
        assert_eq!(local_path("https://evil.example/"), None);
        assert_eq!(local_path("/\\evil.example"), None);
    }
}
