//! The one list of routes. The router is built from it (each entry gets the guard with
//! its role) and the OpenAPI document is generated from it, so neither can name a route
//! the other lacks.

use std::collections::BTreeMap;

use axum::Router;
use axum::http::Method;
use axum::middleware::from_fn_with_state;
use axum::routing::{MethodFilter, MethodRouter, on};
use beian_store::Role;

use crate::auth::guard;
use crate::{AppState, admin, api, api_cases, api_import, session};

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not.
    Public,
    /// A signed-in user (or token) with at least this role.
    Role(Role),
}

/// Which handler answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    Health,
    OpenApi,
    Login,
    CurrentSession,
    Logout,
    ListSites,
    BulkSites,
    GetSite,
    ListFindings,
    GetFinding,
    AcknowledgeFinding,
    SuppressFinding,
    ListCases,
    GetCase,
    ListUsers,
    CreateUser,
    ListTokens,
    CreateToken,
    RevokeToken,
    ListOrganisations,
    CreateOrganisation,
    MoveSite,
    AdvanceCase,
    NoteCase,
    TickCaseItem,
    CaseDocument,
    FindingsReport,
    PortfolioReport,
    Import,
    SetUserRole,
}

/// One route: what it is, who may call it, and how the OpenAPI document describes it.
#[derive(Debug, Clone)]
pub struct RouteSpec {
    pub method: Method,
    /// axum path syntax, which is also OpenAPI's: `/api/v1/sites/{id}`.
    pub path: &'static str,
    pub access: Access,
    pub endpoint: Endpoint,
    pub tag: &'static str,
    /// Chinese / English.
    pub summary: &'static str,
    /// The status a successful call answers with.
    pub success: u16,
    /// Query parameters: name, JSON Schema type, description.
    pub query: &'static [(&'static str, &'static str, &'static str)],
    /// Names of the request body's required fields (JSON object), if it takes one.
    pub body: Option<&'static [&'static str]>,
    /// The media type of a successful answer (downloads are not JSON).
    pub produces: &'static str,
    /// Media types of a raw (non-JSON) request body, e.g. an uploaded file; empty when the
    /// body, if any, is JSON.
    pub consumes: &'static [&'static str],
}

const PAGE: (&str, &str, &str) = ("page", "integer", "1-based page number (default 1)");
const PER_PAGE: (&str, &str, &str) = ("per_page", "integer", "items per page, 1–500 (default 50)");

const VIEWER: Access = Access::Role(Role::Viewer);
const OPERATOR: Access = Access::Role(Role::Operator);
const ADMIN: Access = Access::Role(Role::Admin);

fn spec(
    method: Method,
    path: &'static str,
    access: Access,
    endpoint: Endpoint,
    tag: &'static str,
    summary: &'static str,
) -> RouteSpec {
    RouteSpec {
        method,
        path,
        access,
        endpoint,
        tag,
        summary,
        success: 200,
        query: &[],
        body: None,
        produces: JSON,
        consumes: &[],
    }
}

const JSON: &str = "application/json";
const PDF_DOCX: &str = "application/pdf";
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Every route the router has.
pub fn routes() -> Vec<RouteSpec> {
    use Endpoint as E;
    vec![
        spec(
            Method::GET,
            "/healthz",
            Access::Public,
            E::Health,
            "meta",
            "健康检查 / health check",
        ),
        spec(
            Method::GET,
            "/api/v1/openapi.json",
            Access::Public,
            E::OpenApi,
            "meta",
            "本 API 的 OpenAPI 文档 / this API's OpenAPI document",
        ),
        RouteSpec {
            body: Some(&["name", "password"]),
            ..spec(
                Method::POST,
                "/api/v1/session",
                Access::Public,
                E::Login,
                "session",
                "登录，设置会话 Cookie / sign in and set the session cookie",
            )
        },
        spec(
            Method::GET,
            "/api/v1/session",
            VIEWER,
            E::CurrentSession,
            "session",
            "当前用户与 CSRF 令牌 / the current user and CSRF token",
        ),
        RouteSpec {
            success: 204,
            ..spec(
                Method::DELETE,
                "/api/v1/session",
                VIEWER,
                E::Logout,
                "session",
                "退出登录 / sign out",
            )
        },
        RouteSpec {
            query: &[
                PAGE,
                PER_PAGE,
                ("q", "string", "substring of name or home URL"),
                ("status", "string", "active or closed"),
                ("subject_id", "integer", "sites of this subject"),
                (
                    "subject",
                    "string",
                    "substring of the subject's name or id number",
                ),
                ("provider", "string", "access provider name (exact)"),
                (
                    "min_severity",
                    "string",
                    "sites with an unresolved finding at least this severe: info, low, medium, high, critical",
                ),
                ("tag", "string", "sites carrying this tag (exact)"),
            ],
            ..spec(
                Method::GET,
                "/api/v1/sites",
                VIEWER,
                E::ListSites,
                "sites",
                "网站列表 / list sites",
            )
        },
        RouteSpec {
            body: Some(&["site_ids", "action"]),
            ..spec(
                Method::POST,
                "/api/v1/sites/bulk",
                OPERATOR,
                E::BulkSites,
                "sites",
                "批量操作（最多 1000 个网站）：add_tag / remove_tag（带 tag）、check_now / one action on up to 1000 sites: add_tag / remove_tag (with tag), check_now",
            )
        },
        spec(
            Method::GET,
            "/api/v1/sites/{id}",
            VIEWER,
            E::GetSite,
            "sites",
            "网站详情 / one site",
        ),
        RouteSpec {
            query: &[
                PAGE,
                PER_PAGE,
                ("site_id", "integer", "findings of this site"),
                ("rule_id", "string", "findings of this rule"),
                (
                    "state",
                    "string",
                    "comma-separated: open, acknowledged, suppressed, resolved",
                ),
                (
                    "min_severity",
                    "string",
                    "info, low, medium, high or critical",
                ),
                ("include_resolved", "boolean", "also list resolved findings"),
            ],
            ..spec(
                Method::GET,
                "/api/v1/findings",
                VIEWER,
                E::ListFindings,
                "findings",
                "发现列表（严重程度优先） / list findings, most severe first",
            )
        },
        spec(
            Method::GET,
            "/api/v1/findings/{id}",
            VIEWER,
            E::GetFinding,
            "findings",
            "发现详情 / one finding",
        ),
        spec(
            Method::POST,
            "/api/v1/findings/{id}/acknowledge",
            OPERATOR,
            E::AcknowledgeFinding,
            "findings",
            "确认发现 / acknowledge a finding",
        ),
        RouteSpec {
            body: Some(&["reason", "until"]),
            ..spec(
                Method::POST,
                "/api/v1/findings/{id}/suppress",
                OPERATOR,
                E::SuppressFinding,
                "findings",
                "屏蔽发现（须说明原因与截止时间） / suppress a finding with a reason until a time",
            )
        },
        RouteSpec {
            query: &[
                PAGE,
                PER_PAGE,
                ("site_id", "integer", "cases of this site"),
                ("kind", "string", "case kind, e.g. icp_cancel_website"),
                ("state", "string", "comma-separated case states"),
                (
                    "include_terminal",
                    "boolean",
                    "also list closed and withdrawn cases",
                ),
            ],
            ..spec(
                Method::GET,
                "/api/v1/cases",
                VIEWER,
                E::ListCases,
                "cases",
                "工单列表 / list cases",
            )
        },
        spec(
            Method::GET,
            "/api/v1/cases/{id}",
            VIEWER,
            E::GetCase,
            "cases",
            "工单详情及历史 / one case and its history",
        ),
        spec(
            Method::GET,
            "/api/v1/users",
            ADMIN,
            E::ListUsers,
            "admin",
            "用户列表 / list users",
        ),
        RouteSpec {
            success: 201,
            body: Some(&["name", "password", "role", "organisations"]),
            ..spec(
                Method::POST,
                "/api/v1/users",
                ADMIN,
                E::CreateUser,
                "admin",
                "新建用户 / create a user",
            )
        },
        RouteSpec {
            body: Some(&["role"]),
            ..spec(
                Method::PUT,
                "/api/v1/users/{id}/role",
                ADMIN,
                E::SetUserRole,
                "admin",
                "修改用户角色（不能改自己的） / change a user's role (not your own)",
            )
        },
        spec(
            Method::GET,
            "/api/v1/tokens",
            ADMIN,
            E::ListTokens,
            "admin",
            "API 令牌列表 / list API tokens",
        ),
        RouteSpec {
            success: 201,
            body: Some(&["name", "role"]),
            ..spec(
                Method::POST,
                "/api/v1/tokens",
                ADMIN,
                E::CreateToken,
                "admin",
                "新建 API 令牌（密钥只显示一次） / create an API token (the secret is shown once)",
            )
        },
        spec(
            Method::DELETE,
            "/api/v1/tokens/{id}",
            ADMIN,
            E::RevokeToken,
            "admin",
            "吊销 API 令牌 / revoke an API token",
        ),
        spec(
            Method::GET,
            "/api/v1/organisations",
            VIEWER,
            E::ListOrganisations,
            "admin",
            "我所在的组织 / the organisations you are in",
        ),
        RouteSpec {
            success: 201,
            body: Some(&["name"]),
            ..spec(
                Method::POST,
                "/api/v1/organisations",
                ADMIN,
                E::CreateOrganisation,
                "admin",
                "新建组织，创建者自动加入 / create an organisation, with you as a member",
            )
        },
        RouteSpec {
            body: Some(&["organisation_id"]),
            ..spec(
                Method::PUT,
                "/api/v1/sites/{id}/organisation",
                ADMIN,
                E::MoveSite,
                "admin",
                "把网站移到另一个组织 / move a site to another of your organisations",
            )
        },
        RouteSpec {
            body: Some(&["to"]),
            ..spec(
                Method::POST,
                "/api/v1/cases/{id}/advance",
                OPERATOR,
                E::AdvanceCase,
                "cases",
                "推进工单到允许的下一状态（可附备注） / move a case to an allowed next state, with an optional note",
            )
        },
        RouteSpec {
            body: Some(&["text"]),
            ..spec(
                Method::POST,
                "/api/v1/cases/{id}/notes",
                OPERATOR,
                E::NoteCase,
                "cases",
                "给工单加备注 / add a note to a case",
            )
        },
        RouteSpec {
            query: &[("done", "boolean", "false unticks the item (default true)")],
            ..spec(
                Method::POST,
                "/api/v1/cases/{id}/checklist/{item}",
                OPERATOR,
                E::TickCaseItem,
                "cases",
                "勾选材料清单项 / tick a checklist item",
            )
        },
        RouteSpec {
            produces: PDF_DOCX,
            ..spec(
                Method::GET,
                "/api/v1/cases/{id}/documents/{name}",
                VIEWER,
                E::CaseDocument,
                "cases",
                "下载工单文档：cancellation.pdf、cancellation.docx（Word）、evidence.pdf / download a case document",
            )
        },
        RouteSpec {
            query: &[("include_resolved", "boolean", "also list resolved findings")],
            produces: XLSX,
            ..spec(
                Method::GET,
                "/api/v1/reports/findings.xlsx",
                VIEWER,
                E::FindingsReport,
                "reports",
                "我所在组织的发现清单（XLSX） / findings of your organisations (XLSX)",
            )
        },
        RouteSpec {
            produces: "text/html",
            ..spec(
                Method::GET,
                "/api/v1/reports/portfolio.html",
                VIEWER,
                E::PortfolioReport,
                "reports",
                "我所在组织的资产报告（HTML） / portfolio report of your organisations (HTML)",
            )
        },
        RouteSpec {
            query: &[(
                "dry_run",
                "boolean",
                "true (default): plan and report only; false: apply when there are no errors",
            )],
            consumes: &["text/csv", XLSX],
            ..spec(
                Method::POST,
                "/api/v1/import",
                OPERATOR,
                E::Import,
                "import",
                "导入备案清单（CSV/XLSX，≤20 MB）：逐行错误、计划变更、是否已写入 / import a portfolio sheet (CSV/XLSX, ≤20 MB): row errors, planned changes, applied or not",
            )
        },
    ]
}

fn handler(endpoint: Endpoint, filter: MethodFilter) -> MethodRouter<AppState> {
    use Endpoint as E;
    match endpoint {
        E::Health => on(filter, api::health),
        E::OpenApi => on(filter, api::openapi),
        E::Login => on(filter, session::login),
        E::CurrentSession => on(filter, session::current),
        E::Logout => on(filter, session::logout),
        E::ListSites => on(filter, api::list_sites),
        E::BulkSites => on(filter, api::bulk_sites),
        E::GetSite => on(filter, api::get_site),
        E::ListFindings => on(filter, api::list_findings),
        E::GetFinding => on(filter, api::get_finding),
        E::AcknowledgeFinding => on(filter, api::acknowledge_finding),
        E::SuppressFinding => on(filter, api::suppress_finding),
        E::ListCases => on(filter, api::list_cases),
        E::GetCase => on(filter, api::get_case),
        E::ListUsers => on(filter, admin::list_users),
        E::CreateUser => on(filter, admin::create_user),
        E::ListTokens => on(filter, admin::list_tokens),
        E::CreateToken => on(filter, admin::create_token),
        E::RevokeToken => on(filter, admin::revoke_token),
        E::ListOrganisations => on(filter, admin::list_organisations),
        E::CreateOrganisation => on(filter, admin::create_organisation),
        E::MoveSite => on(filter, admin::move_site),
        E::AdvanceCase => on(filter, api_cases::advance_handler),
        E::NoteCase => on(filter, api_cases::note_handler),
        E::TickCaseItem => on(filter, api_cases::tick_handler),
        E::CaseDocument => on(filter, api_cases::document_handler),
        E::FindingsReport => on(filter, api_cases::findings_report),
        E::PortfolioReport => on(filter, api_cases::portfolio_report),
        E::Import => on(filter, api_import::import_handler),
        E::SetUserRole => on(filter, admin::set_role),
    }
}

/// The API routes, each behind the guard with its access level.
pub(crate) fn api_router(state: &AppState) -> Router<AppState> {
    let mut by_path: BTreeMap<&'static str, MethodRouter<AppState>> = BTreeMap::new();
    for route in routes() {
        let filter = MethodFilter::try_from(route.method.clone())
            .expect("route methods are standard HTTP methods");
        let method_router = handler(route.endpoint, filter)
            .route_layer(from_fn_with_state((state.clone(), route.access), guard));
        let merged = match by_path.remove(route.path) {
            Some(existing) => existing.merge(method_router),
            None => method_router,
        };
        by_path.insert(route.path, merged);
    }
    by_path
        .into_iter()
        .fold(Router::new(), |router, (path, method_router)| {
            router.route(path, method_router)
        })
}
