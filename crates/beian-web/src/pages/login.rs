//! The login page and logout. Signing in goes through the API's own login handler, so
//! the rate limit, the decoy hash and the session cookie are the same for both.

use askama::Template;
use axum::Extension;
use axum::extract::{Form, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::chrome::{Chrome, Lang, PageUser, same_secret};
use super::{PageError, render};
use crate::AppState;
use crate::auth::{ClientIp, cookie, random_hex};
use crate::error::ApiError;
use crate::extract::Body;
use crate::session;

/// Before there is a session, the login form's CSRF token is a double-submit cookie:
/// another site can post the form but cannot read or set this cookie.
const LOGIN_CSRF_COOKIE: &str = "beian_login_csrf";

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    c: Chrome,
    csrf: String,
    name: String,
    error: Option<String>,
}

fn login_page(
    state: &AppState,
    lang: Lang,
    csrf: String,
    name: String,
    error: Option<String>,
) -> Response {
    let page = LoginPage {
        c: Chrome::anonymous(lang, "/login"),
        csrf: csrf.clone(),
        name,
        error,
    };
    let mut response = render(&page);
    let secure = if state.config().secure_cookies {
        "; Secure"
    } else {
        ""
    };
    if let Ok(value) = HeaderValue::from_str(&format!(
        "{LOGIN_CSRF_COOKIE}={csrf}; Path=/login; HttpOnly; SameSite=Strict; Max-Age=3600{secure}"
    )) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}

/// `GET /login`.
pub async fn form(State(state): State<AppState>, lang: Lang) -> Response {
    login_page(&state, lang, random_hex(32), String::new(), None)
}

#[derive(Deserialize)]
pub struct LoginForm {
    name: String,
    password: String,
    csrf: String,
}

/// `POST /login`: on success the session cookie and a redirect to the overview; on
/// failure the form again with the reason (and the API's status: 401, 429 …).
pub async fn submit(
    State(state): State<AppState>,
    ip: ClientIp,
    lang: Lang,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    let fail = |error: ApiError| {
        let status = error.status();
        let mut response = login_page(
            &state,
            lang,
            random_hex(32),
            form.name.clone(),
            Some(error.to_string()),
        );
        *response.status_mut() = status;
        response
    };
    let expected = cookie(&headers, LOGIN_CSRF_COOKIE).unwrap_or("");
    if expected.is_empty() || !same_secret(&form.csrf, expected) {
        return fail(ApiError::Csrf);
    }
    let login = match serde_json::from_value::<session::Login>(serde_json::json!({
        "name": form.name,
        "password": form.password,
    })) {
        Ok(login) => login,
        Err(_) => return fail(ApiError::Internal),
    };
    match session::login(State(state.clone()), ip, Body(login)).await {
        Ok(answer) => {
            let mut response = Redirect::to("/").into_response();
            if let Some(value) = answer.headers().get(header::SET_COOKIE) {
                response
                    .headers_mut()
                    .insert(header::SET_COOKIE, value.clone());
            }
            response
        }
        Err(error) => fail(error),
    }
}

#[derive(Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

/// `POST /logout`: ends the session and goes back to the login page.
pub async fn logout(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&form.csrf)?;
    let lang = user.lang;
    let answer = session::logout(State(state), Extension(user.principal), headers)
        .await
        .map_err(|error| PageError::Api(error, lang))?;
    let mut response = Redirect::to("/login").into_response();
    if let Some(value) = answer.headers().get(header::SET_COOKIE) {
        response
            .headers_mut()
            .insert(header::SET_COOKIE, value.clone());
    }
    Ok(response)
}
