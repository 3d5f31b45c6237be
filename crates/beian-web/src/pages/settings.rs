//! `/settings` (administrators): the notification channels as configured — kind, target
//! with every secret as `***`, routing rules and thresholds —, the scan schedule, and the
//! users the administrator manages, with forms to add one and to change a role. The
//! channels and the schedule are read-only here: they live in the configuration file.

use askama::Template;
use axum::extract::{Form, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use beian_store::{Organisation, Role, Store, User};
use serde::Deserialize;

use super::chrome::{Chrome, PageUser};
use super::{PageError, render};
use crate::AppState;
use crate::admin::{CreateUser, MIN_PASSWORD_CHARS, change_role, managed_users, new_user};
use crate::error::ApiError;
use crate::settings_view::SettingsView;

/// A user row: the user and the names of their organisations.
pub struct UserRow {
    pub user: User,
    pub organisations: String,
    /// The signed-in administrator's own row has no role form.
    pub is_me: bool,
}

#[derive(Template)]
#[template(path = "settings.html")]
struct SettingsPage<'a> {
    c: Chrome,
    settings: &'a SettingsView,
    users: Vec<UserRow>,
    organisations: Vec<Organisation>,
    roles: [Role; 3],
    min_password: usize,
}

impl SettingsPage<'_> {
    fn role_label(&self, role: &Role) -> &'static str {
        self.c.t(crate::auth::role_zh(*role), role.as_str())
    }
}

/// `GET /settings`.
pub async fn page(State(state): State<AppState>, user: PageUser) -> Result<Response, PageError> {
    user.require(Role::Admin)?;
    let organisations: Vec<Organisation> = state
        .store()
        .list_organisations()
        .await
        .map_err(|e| user.error(e))?
        .into_iter()
        .filter(|org| user.principal.sees(org.id))
        .collect();
    let users = managed_users(&state, &user.principal)
        .await
        .map_err(|e| user.error(e))?
        .into_iter()
        .map(|managed| UserRow {
            organisations: managed
                .organisations
                .iter()
                .map(|id| {
                    organisations
                        .iter()
                        .find(|org| org.id == *id)
                        .map_or_else(|| format!("#{id}"), |org| org.name.clone())
                })
                .collect::<Vec<_>>()
                .join(", "),
            is_me: managed.id == user.principal.user.id,
            user: managed,
        })
        .collect();
    Ok(render(&SettingsPage {
        c: user.chrome("/settings"),
        settings: &state.config().settings,
        users,
        organisations,
        roles: Role::ALL,
        min_password: MIN_PASSWORD_CHARS,
    }))
}

fn role(user: &PageUser, text: &str) -> Result<Role, PageError> {
    Role::parse(text).ok_or_else(|| {
        user.error(ApiError::invalid(
            format!("没有角色 {text:?}；可选 viewer、operator、admin"),
            format!("there is no role {text:?}; use viewer, operator or admin"),
        ))
    })
}

#[derive(Deserialize)]
pub struct NewUserForm {
    csrf: String,
    name: String,
    password: String,
    role: String,
    organisation: i64,
}

/// `POST /settings/users`: adds a user in one of the administrator's organisations.
pub async fn add_user(
    State(state): State<AppState>,
    user: PageUser,
    Form(form): Form<NewUserForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&form.csrf)?;
    user.require(Role::Admin)?;
    let role = role(&user, &form.role)?;
    new_user(
        &state,
        &user.principal,
        CreateUser {
            name: form.name,
            password: form.password,
            role,
            organisations: vec![form.organisation],
        },
    )
    .await
    .map_err(|e| user.error(e))?;
    Ok(Redirect::to("/settings").into_response())
}

#[derive(Deserialize)]
pub struct RoleForm {
    csrf: String,
    role: String,
}

/// `POST /settings/users/{id}/role`.
pub async fn set_role(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    Form(form): Form<RoleForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&form.csrf)?;
    user.require(Role::Admin)?;
    let role = role(&user, &form.role)?;
    change_role(&state, &user.principal, id, role)
        .await
        .map_err(|e| user.error(e))?;
    Ok(Redirect::to("/settings").into_response())
}
