//! What every page shares: the reader's language, the signed-in user behind a page
//! request, the CSRF check of form posts, and the layout's data.

use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use beian_core::case::deadlines::{beijing_date, to_beijing};
use beian_core::case::{CaseKind, CaseState};
use beian_core::finding::{Finding, FindingState, Severity};
use beian_core::model::RecordId;
use beian_store::{Role, Store};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use std::collections::HashMap;

use super::{PageError, local_path};
use crate::AppState;
use crate::auth::{Principal, SESSION_COOKIE, Via, cookie};
use crate::error::ApiError;

/// The cookie that keeps the reader's language.
pub const LANG_COOKIE: &str = "lang";

/// The dashboard's languages; Chinese unless the reader chose English.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    pub fn from_headers(headers: &HeaderMap) -> Lang {
        match cookie(headers, LANG_COOKIE) {
            Some("en") => Lang::En,
            _ => Lang::Zh,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    /// The text in this language.
    pub fn t<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Lang::from_headers(&parts.headers))
    }
}

/// The signed-in user of a page request, by session cookie only (pages are for people;
/// API tokens are for programs). Without a live session the page redirects to `/login`.
pub struct PageUser {
    pub principal: Principal,
    pub csrf_token: String,
    pub lang: Lang,
}

impl FromRequestParts<AppState> for PageUser {
    type Rejection = PageError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let lang = Lang::from_headers(&parts.headers);
        let token = cookie(&parts.headers, SESSION_COOKIE).ok_or(PageError::SignIn)?;
        let (session, user) = state
            .store()
            .session(token, Utc::now())
            .await
            .map_err(|error| PageError::Api(error.into(), lang))?
            .ok_or(PageError::SignIn)?;
        Ok(PageUser {
            principal: Principal {
                role: user.role,
                user,
                via: Via::Session {
                    csrf_token: session.csrf_token.clone(),
                },
            },
            csrf_token: session.csrf_token,
            lang,
        })
    }
}

pub(crate) use crate::auth::constant_time_eq as same_secret;

impl PageUser {
    /// Refuses a form post whose hidden `csrf` field is not this session's token.
    pub fn check_csrf(&self, sent: &str) -> Result<(), PageError> {
        if same_secret(sent, &self.csrf_token) {
            Ok(())
        } else {
            Err(self.error(ApiError::Csrf))
        }
    }

    /// Refuses a user whose role is below `needed`.
    pub fn require(&self, needed: Role) -> Result<(), PageError> {
        if self.principal.role >= needed {
            Ok(())
        } else {
            Err(self.error(ApiError::Forbidden {
                needed: needed.as_str(),
                needed_zh: crate::auth::role_zh(needed),
            }))
        }
    }

    pub fn error(&self, error: impl Into<ApiError>) -> PageError {
        PageError::Api(error.into(), self.lang)
    }

    /// The layout's data for a page at `path`.
    pub fn chrome(&self, path: &str) -> Chrome {
        Chrome {
            lang: self.lang,
            user: Some(self.principal.user.name.clone()),
            can_act: self.principal.role >= Role::Operator,
            is_admin: self.principal.role >= Role::Admin,
            csrf: self.csrf_token.clone(),
            path: path.to_owned(),
        }
    }
}

/// What the layout shows around a page.
#[derive(Debug, Clone)]
pub struct Chrome {
    pub lang: Lang,
    /// The signed-in user's name; `None` on the login and error pages.
    pub user: Option<String>,
    /// Whether the user may act on findings (operator or admin).
    pub can_act: bool,
    /// Whether the user administers settings and users.
    pub is_admin: bool,
    pub csrf: String,
    /// This page's path and query, where the language switch comes back to.
    pub path: String,
}

impl Chrome {
    pub fn anonymous(lang: Lang, path: &str) -> Chrome {
        Chrome {
            lang,
            user: None,
            can_act: false,
            is_admin: false,
            csrf: String::new(),
            path: path.to_owned(),
        }
    }

    pub fn t<'a>(&self, zh: &'a str, en: &'a str) -> &'a str {
        self.lang.t(zh, en)
    }

    /// `text` as one query-string value (templates build filter links with it).
    pub fn query_value(&self, text: &str) -> String {
        percent_encode(text)
    }

    pub fn severity(&self, severity: &Severity) -> &'static str {
        self.lang.t(severity.label_zh(), severity.as_str())
    }

    pub fn finding_state(&self, state: &FindingState) -> &'static str {
        let zh = match *state {
            FindingState::Open => "未处理",
            FindingState::Acknowledged => "已确认",
            FindingState::Suppressed => "已屏蔽",
            FindingState::Resolved => "已解决",
        };
        self.lang.t(zh, state.as_str())
    }

    pub fn case_state(&self, state: &CaseState) -> &'static str {
        self.lang.t(state.label_zh(), state.label_en())
    }

    pub fn case_kind(&self, kind: &CaseKind) -> &'static str {
        self.lang.t(kind.label_zh(), kind.label_en())
    }

    /// A finding's explanation in the reader's language.
    pub fn explanation<'a>(&self, finding: &'a Finding) -> &'a str {
        self.lang.t(
            finding.explanation_zh.as_str(),
            finding.explanation_en.as_str(),
        )
    }

    /// An instant as Beijing time, to the minute.
    pub fn when(&self, at: &DateTime<Utc>) -> String {
        to_beijing(*at).format("%Y-%m-%d %H:%M").to_string()
    }

    /// Tomorrow in Beijing: the earliest day a suppression may run until.
    pub fn tomorrow(&self) -> String {
        (beijing_date(Utc::now()) + chrono::Duration::days(1)).to_string()
    }

    /// The language switch's link (to the other language).
    pub fn switch_href(&self) -> String {
        let other = match self.lang {
            Lang::Zh => "en",
            Lang::En => "zh",
        };
        format!("/lang?set={other}&back={}", percent_encode(&self.path))
    }
}

/// Names of the sites a page mentions by id.
#[derive(Debug, Default)]
pub struct SiteNames(pub HashMap<RecordId, String>);

impl SiteNames {
    /// Looks up the distinct sites in one statement (a page lists up to 50 findings, and
    /// one lookup each held a pooled connection 50 times per page under load). Takes the
    /// ids collected: an iterator borrowing the findings, held across the await, would
    /// make the handler's future not `Send`.
    pub async fn load(
        state: &AppState,
        user: &PageUser,
        mut ids: Vec<RecordId>,
    ) -> Result<SiteNames, PageError> {
        ids.sort_unstable();
        ids.dedup();
        let names = state
            .store()
            .site_names(&ids)
            .await
            .map_err(|e| user.error(e))?;
        Ok(SiteNames(names))
    }

    /// The site's name, or `#id` if it is gone.
    pub fn get(&self, id: &RecordId) -> String {
        self.0.get(id).cloned().unwrap_or_else(|| format!("#{id}"))
    }
}

/// Percent-encodes everything but unreserved characters (for a path in a query value).
pub(crate) fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~' | b'/') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[derive(Deserialize)]
pub struct SwitchParams {
    set: String,
    back: Option<String>,
}

/// `GET /lang?set=en&back=/sites`: remembers the language for a year and goes back.
pub async fn switch_language(Query(params): Query<SwitchParams>) -> Response {
    let lang = if params.set == "en" { "en" } else { "zh" };
    let back = params.back.as_deref().and_then(local_path).unwrap_or("/");
    let mut response = Redirect::to(back).into_response();
    if let Ok(value) = HeaderValue::from_str(&format!(
        "{LANG_COOKIE}={lang}; Path=/; SameSite=Lax; Max-Age=31536000"
    )) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_defaults_to_chinese() {
        let mut headers = HeaderMap::new();
        assert_eq!(Lang::from_headers(&headers), Lang::Zh);
        headers.insert(header::COOKIE, HeaderValue::from_static("lang=en"));
        assert_eq!(Lang::from_headers(&headers), Lang::En);
        headers.insert(header::COOKIE, HeaderValue::from_static("lang=fr"));
        assert_eq!(Lang::from_headers(&headers), Lang::Zh);
    }

    #[test]
    fn the_switch_keeps_the_page() {
        let chrome = Chrome::anonymous(Lang::Zh, "/sites?q=a&page=2");
        assert_eq!(
            chrome.switch_href(),
            "/lang?set=en&back=/sites%3Fq%3Da%26page%3D2"
        );
    }

    #[test]
    fn secrets_compare_exactly() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("", "abd"));
    }
}
