//! The administrator's routes: users, API tokens, organisations and which organisation
//! a site is in. An administrator manages only what shares an organisation with them.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use beian_store::{
    ApiToken, NewApiToken, NewUser, Organisation, OrganisationId, Role, Store, User, UserId,
};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::api::visible_site;
use crate::auth::{Principal, hash_password, random_hex};
use crate::error::ApiError;
use crate::extract::{Body, Id};

/// Shortest password accepted for a new user.
pub const MIN_PASSWORD_CHARS: usize = 12;

/// Users an administrator manages: those sharing an organisation with them.
fn manages(admin: &Principal, user: &User) -> bool {
    user.organisations.iter().any(|org| admin.sees(*org))
}

/// The users `admin` manages (the settings page lists these too).
pub(crate) async fn managed_users(
    state: &AppState,
    admin: &Principal,
) -> Result<Vec<User>, ApiError> {
    let users = state.store().list_users().await?;
    Ok(users
        .into_iter()
        .filter(|user| manages(admin, user))
        .collect())
}

pub async fn list_users(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
) -> Result<Json<Vec<User>>, ApiError> {
    managed_users(&state, &principal).await.map(Json)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateUser {
    pub(crate) name: String,
    pub(crate) password: String,
    pub(crate) role: Role,
    pub(crate) organisations: Vec<OrganisationId>,
}

pub async fn create_user(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Body(body): Body<CreateUser>,
) -> Result<Response, ApiError> {
    let user = new_user(&state, &principal, body).await?;
    Ok((StatusCode::CREATED, Json(user)).into_response())
}

/// Creates a user in organisations the administrator is in, with a password long enough.
pub(crate) async fn new_user(
    state: &AppState,
    principal: &Principal,
    body: CreateUser,
) -> Result<User, ApiError> {
    if body.password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(ApiError::invalid(
            format!("密码至少 {MIN_PASSWORD_CHARS} 个字符"),
            format!("the password needs at least {MIN_PASSWORD_CHARS} characters"),
        ));
    }
    if let Some(foreign) = body.organisations.iter().find(|org| !principal.sees(**org)) {
        return Err(ApiError::invalid(
            format!("你不属于组织 {foreign}，不能把用户加入其中"),
            format!("you are not in organisation {foreign}, so you cannot add users to it"),
        ));
    }
    let hash = hash_password(body.password, state.config().password_cost).await?;
    let user = state
        .store()
        .create_user(
            &principal.actor(),
            &NewUser {
                name: &body.name,
                password_hash: &hash,
                role: body.role,
                organisations: &body.organisations,
            },
        )
        .await?;
    Ok(user)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetRole {
    role: Role,
}

/// Gives a managed user another role. An administrator cannot change their own role, so
/// an organisation is never left without the administrator who did it by mistake.
pub(crate) async fn change_role(
    state: &AppState,
    principal: &Principal,
    user_id: UserId,
    role: Role,
) -> Result<User, ApiError> {
    let not_found = || ApiError::not_found("user", "用户");
    let user = state
        .store()
        .get_user(user_id)
        .await?
        .ok_or_else(not_found)?;
    if !manages(principal, &user) {
        return Err(not_found());
    }
    if user.id == principal.user.id {
        return Err(ApiError::invalid(
            "不能修改自己的角色；请另一位管理员操作",
            "you cannot change your own role; ask another administrator",
        ));
    }
    Ok(state
        .store()
        .set_user_role(&principal.actor(), user_id, role)
        .await?)
}

pub async fn set_role(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Id(id): Id,
    Body(body): Body<SetRole>,
) -> Result<Json<User>, ApiError> {
    change_role(&state, &principal, id, body.role)
        .await
        .map(Json)
}

/// Tokens of the users this administrator manages.
async fn managed_tokens(state: &AppState, admin: &Principal) -> Result<Vec<ApiToken>, ApiError> {
    let users = state.store().list_users().await?;
    let managed: Vec<UserId> = users
        .iter()
        .filter(|user| manages(admin, user))
        .map(|user| user.id)
        .collect();
    let tokens = state.store().list_api_tokens(None).await?;
    Ok(tokens
        .into_iter()
        .filter(|token| managed.contains(&token.user_id))
        .collect())
}

pub async fn list_tokens(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
) -> Result<Json<Vec<ApiToken>>, ApiError> {
    managed_tokens(&state, &principal).await.map(Json)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateToken {
    name: String,
    role: Role,
    /// Whose token it is; the caller's own when absent.
    user_id: Option<UserId>,
}

#[derive(Debug, Serialize)]
pub struct CreatedToken {
    #[serde(flatten)]
    pub token: ApiToken,
    /// The secret, shown this once; only its hash is stored.
    pub secret: String,
}

pub async fn create_token(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Body(body): Body<CreateToken>,
) -> Result<Response, ApiError> {
    let user_id = body.user_id.unwrap_or(principal.user.id);
    let owner = state.store().get_user(user_id).await?;
    if !owner.is_some_and(|owner| manages(&principal, &owner)) {
        return Err(ApiError::not_found("user", "用户"));
    }
    let secret = format!("bg_{}", random_hex(32));
    let token = state
        .store()
        .create_api_token(
            &principal.actor(),
            &NewApiToken {
                user_id,
                name: &body.name,
                role: body.role,
                token: &secret,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(CreatedToken { token, secret })).into_response())
}

pub async fn revoke_token(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Id(id): Id,
) -> Result<Json<ApiToken>, ApiError> {
    if !managed_tokens(&state, &principal)
        .await?
        .iter()
        .any(|token| token.id == id)
    {
        return Err(ApiError::not_found("API token", "API 令牌"));
    }
    let token = state
        .store()
        .revoke_api_token(&principal.actor(), id)
        .await?;
    Ok(Json(token))
}

/// The caller's organisations (any role may read them: they name what the caller sees).
pub async fn list_organisations(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
) -> Result<Json<Vec<Organisation>>, ApiError> {
    let all = state.store().list_organisations().await?;
    Ok(Json(
        all.into_iter()
            .filter(|organisation| principal.sees(organisation.id))
            .collect(),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateOrganisation {
    name: String,
}

/// A new organisation (e.g. an agency's new client), with its creator as a member.
pub async fn create_organisation(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Body(body): Body<CreateOrganisation>,
) -> Result<Response, ApiError> {
    let organisation = state
        .store()
        .create_organisation(&principal.actor(), &body.name, &[principal.user.id])
        .await?;
    Ok((StatusCode::CREATED, Json(organisation)).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MoveSite {
    organisation_id: OrganisationId,
}

#[derive(Debug, Serialize)]
pub struct SiteOrganisation {
    pub site_id: i64,
    pub organisation_id: OrganisationId,
}

/// Moves a site between two organisations the administrator is in.
pub async fn move_site(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Id(site_id): Id,
    Body(body): Body<MoveSite>,
) -> Result<Json<SiteOrganisation>, ApiError> {
    visible_site(&state, &principal, site_id).await?;
    if !principal.sees(body.organisation_id) {
        return Err(ApiError::invalid(
            format!("你不属于组织 {}，不能把网站移入", body.organisation_id),
            format!(
                "you are not in organisation {}, so you cannot move sites into it",
                body.organisation_id
            ),
        ));
    }
    state
        .store()
        .set_site_organisation(&principal.actor(), site_id, body.organisation_id)
        .await?;
    Ok(Json(SiteOrganisation {
        site_id,
        organisation_id: body.organisation_id,
    }))
}
