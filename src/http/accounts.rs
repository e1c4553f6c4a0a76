//! Accounts and role grants. Administrators only. Changing a person's roles or disabling the
//! account ends their sessions, so no token keeps rights that were taken away.

use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use serde::Deserialize;

use super::auth::{field_error, NoContent};
use super::body::JsonBody;
use super::paging::{self, Page};
use super::problem::ApiResult;
use super::security::BearerAuth;
use super::ApiTags;
use crate::db::terms::stored;
use crate::db::{self, audit, users::GrantRow, users::UserRow};
use crate::domain::policy::{Action, Role, ScopeKind};
use crate::domain::{credentials, ids};
use crate::error::{codes, reason, AppError, AppResult};
use crate::AppState;

pub struct AccountsApi;

#[derive(Object, Deserialize, Clone)]
#[oai(skip_serializing_if_is_none)]
#[serde(deny_unknown_fields)]
pub struct GrantInput {
    pub role: Role,
    /// Required for every role but `admin`, which must not have one.
    #[oai(validator(min_length = 1, max_length = 64))]
    pub scope_id: Option<String>,
}

#[derive(Object, Deserialize)]
#[oai(skip_serializing_if_is_none)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    /// 3–64 characters: a–z, 0–9, `.`, `_`, `-`; compared case-insensitively.
    #[oai(validator(min_length = 3, max_length = 64, pattern = r"^[A-Za-z0-9._-]+$"))]
    pub username: String,
    #[oai(validator(min_length = 1, max_length = 100))]
    pub display_name: String,
    /// 12–128 characters.
    #[oai(validator(min_length = 12, max_length = 128))]
    pub password: String,
    #[oai(validator(max_items = 20), default)]
    #[serde(default)]
    pub grants: Vec<GrantInput>,
}

#[derive(Object, Clone)]
#[oai(skip_serializing_if_is_none)]
pub struct GrantOut {
    pub id: String,
    pub role: Role,
    #[oai(skip_serializing_if_is_none)]
    pub scope_id: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct User {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub disabled: bool,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub grants: Vec<GrantOut>,
}

#[derive(ApiResponse)]
pub enum UserCreated {
    /// Created.
    #[oai(status = 201)]
    Created(Json<User>),
}

#[derive(ApiResponse)]
pub enum GrantCreated {
    /// Granted; the person's sessions have ended.
    #[oai(status = 201)]
    Created(Json<GrantOut>),
}

fn grant_out(g: &GrantRow) -> AppResult<GrantOut> {
    Ok(GrantOut {
        role: stored(&g.role)?,
        id: g.id.clone(),
        scope_id: (!g.scope_id.is_empty()).then(|| g.scope_id.clone()),
        created_at: g.created_at.and_utc(),
    })
}

fn user_out(u: UserRow, grants: &[GrantRow]) -> AppResult<User> {
    Ok(User {
        grants: grants
            .iter()
            .filter(|g| g.user_id == u.id)
            .map(grant_out)
            .collect::<AppResult<_>>()?,
        id: u.id,
        username: u.username,
        display_name: u.display_name,
        disabled: u.disabled,
        created_at: u.created_at.and_utc(),
    })
}

/// Checks a grant's scope against its role and makes the row to store.
fn grant_row(field: &str, user_id: &str, g: &GrantInput) -> AppResult<GrantRow> {
    let role = g.role;
    let scope = g.scope_id.as_deref().map(str::trim).unwrap_or("");
    if role.needs_scope() && scope.is_empty() {
        return Err(AppError::invalid(
            &format!("{field}.scope_id"),
            reason::REQUIRED,
            format!("role `{role}` needs a scope_id"),
        ));
    }
    if !role.needs_scope() && !scope.is_empty() {
        return Err(AppError::invalid(
            &format!("{field}.scope_id"),
            reason::NOT_ALLOWED,
            format!("role `{role}` takes no scope_id"),
        ));
    }
    Ok(GrantRow {
        id: ids::new_id(),
        user_id: user_id.into(),
        role: role.as_str().into(),
        scope_id: scope.into(),
        created_at: ids::now(),
    })
}

/// Refuses a grant whose scope does not exist or is the wrong kind of record for the role.
fn check_scope(conn: &mut db::AnyConnection, field: &str, g: &GrantRow) -> AppResult<()> {
    let Ok(role) = g.role() else {
        return Err(AppError::invalid(
            &format!("{field}.role"),
            reason::UNKNOWN,
            "no such role",
        ));
    };
    let field = format!("{field}.scope_id");
    let id = g.scope_id.as_str();
    let missing = |what: &str| AppError::invalid(&field, reason::NOT_FOUND, format!("no {what} with this id"));
    match role.scope_kind() {
        ScopeKind::Nothing => Ok(()),
        ScopeKind::Org(kinds) => {
            let org = db::orgs::get(conn, id)?.ok_or_else(|| missing("organisation"))?;
            if org.kind().is_ok_and(|k| kinds.contains(&k)) {
                return Ok(());
            }
            let names: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
            Err(AppError::invalid(
                &field,
                reason::WRONG_KIND,
                format!(
                    "role `{role}` is scoped to a {}, not a {}",
                    names.join(" or "),
                    org.kind
                ),
            ))
        }
        ScopeKind::Estate => db::estates::get(conn, id)?.map(drop).ok_or_else(|| missing("estate")),
        ScopeKind::Company => db::companies::get(conn, id)?
            .map(drop)
            .ok_or_else(|| missing("company")),
        ScopeKind::Owner => db::owners::get(conn, id)?.map(drop).ok_or_else(|| missing("owner")),
    }
}

/// Refuses a change that would leave no enabled administrator: the service could then never
/// be administered again without direct database access.
fn keep_an_admin(conn: &mut db::AnyConnection, user_id: &str) -> AppResult<()> {
    if db::users::enabled_admins_other_than(conn, user_id)? == 0 {
        return Err(AppError::conflict(
            codes::LAST_ADMIN,
            "this is the last enabled administrator; make another one first",
        ));
    }
    Ok(())
}

/// Creates an account with its grants and one audit event; shared by the API and the CLI.
pub fn create_user(
    conn: &mut db::AnyConnection,
    trail: &mut audit::Trail,
    actor: &audit::Actor,
    input: &NewUser,
    password_hash: String,
) -> AppResult<(UserRow, Vec<GrantRow>)> {
    let now = ids::now();
    let user = UserRow {
        id: ids::new_id(),
        username: credentials::normalize_username(&input.username),
        display_name: input.display_name.trim().to_string(),
        password_hash,
        disabled: false,
        created_at: now,
        password_changed_at: now,
    };
    let grants = input
        .grants
        .iter()
        .enumerate()
        .map(|(i, g)| grant_row(&format!("grants[{i}]"), &user.id, g))
        .collect::<AppResult<Vec<_>>>()?;
    for (i, g) in grants.iter().enumerate() {
        check_scope(conn, &format!("grants[{i}]"), g)?;
    }
    if db::users::by_username(conn, &user.username)?.is_some() {
        return Err(AppError::conflict(
            codes::USERNAME_TAKEN,
            "an account with this username exists",
        ));
    }
    db::users::insert(conn, &user)?;
    for g in &grants {
        db::users::insert_grant(conn, g)?;
    }
    let roles: Vec<String> = grants.iter().map(|g| format!("{}:{}", g.role, g.scope_id)).collect();
    trail.record(
        actor,
        "user.create",
        "user",
        &user.id,
        &serde_json::json!({ "username": user.username, "roles": roles }),
    )?;
    Ok((user, grants))
}

/// Validates the parts of a new account that the schema cannot express.
pub fn check_new_user(input: &NewUser) -> AppResult<()> {
    credentials::check_username("username", &credentials::normalize_username(&input.username)).map_err(field_error)?;
    credentials::check_password(
        "password",
        &input.password,
        &credentials::normalize_username(&input.username),
    )
    .map_err(field_error)?;
    if input.display_name.trim().is_empty() {
        return Err(AppError::invalid("display_name", reason::REQUIRED, "must not be blank"));
    }
    Ok(())
}

#[OpenApi(prefix_path = "/users", tag = "ApiTags::Accounts")]
impl AccountsApi {
    /// Create an account, optionally with roles.
    ///
    /// Administrators only.
    #[oai(path = "/", method = "post", operation_id = "createUser")]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: JsonBody<NewUser>,
    ) -> ApiResult<UserCreated> {
        let actor = auth.0.may(&Action::ManageAccounts)?;
        let input = body.0;
        check_new_user(&input)?;
        let hash = state.passwords.hash(&actor.actor_id, &input.password).await?;
        let (user, grants) = state
            .db
            .command(move |c, trail| create_user(c, trail, &actor, &input, hash))
            .await?;
        Ok(UserCreated::Created(Json(user_out(user, &grants)?)))
    }

    /// List accounts, in creation order.
    ///
    /// Administrators only.
    #[oai(path = "/", method = "get", operation_id = "listUsers")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))] limit: Query<Option<u32>>,
        #[oai(validator(max_length = 200))] cursor: Query<Option<String>>,
    ) -> ApiResult<Json<Page<User>>> {
        auth.0.may(&Action::ManageAccounts)?;
        let limit = paging::limit(limit.0);
        let after = paging::decode_cursor::<String>(cursor.0.as_deref())?;
        let (users, grants) = state
            .db
            .read(move |c| {
                let users = db::users::page(c, after.as_deref(), paging::fetch(limit))?;
                let ids: Vec<String> = users.iter().map(|u| u.id.clone()).collect();
                Ok((users, db::users::grants_of_many(c, &ids)?))
            })
            .await?;
        let (users, next_cursor) = paging::page(users, limit, |u| u.id.clone());
        Ok(Json(Page {
            items: users
                .into_iter()
                .map(|u| user_out(u, &grants))
                .collect::<AppResult<_>>()?,
            next_cursor,
        }))
    }

    /// Read one account.
    ///
    /// Administrators only.
    #[oai(path = "/:id", method = "get", operation_id = "getUser")]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<Json<User>> {
        auth.0.may(&Action::ManageAccounts)?;
        Ok(Json(load(&state, id.0).await?))
    }

    /// Grant a role to an account. The person's sessions end, so the next login carries it.
    ///
    /// Administrators only.
    #[oai(path = "/:id/grants", method = "post", operation_id = "grantRole")]
    async fn grant(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        body: JsonBody<GrantInput>,
    ) -> ApiResult<GrantCreated> {
        let actor = auth.0.may(&Action::ManageAccounts)?;
        let row = grant_row("body", &id.0, &body.0)?;
        let out = grant_out(&row)?;
        state
            .db
            .command(move |c, trail| {
                db::users::by_id(c, &row.user_id)?.ok_or(AppError::NotFound { what: "user" })?;
                check_scope(c, "body", &row)?;
                if db::users::grants_of(c, &row.user_id)?
                    .iter()
                    .any(|g| g.role == row.role && g.scope_id == row.scope_id)
                {
                    return Err(AppError::conflict(
                        codes::ALREADY_GRANTED,
                        "the account already holds this role with this scope",
                    ));
                }
                db::users::insert_grant(c, &row)?;
                db::sessions::revoke_all_for_user(c, &row.user_id, None, ids::now())?;
                trail.record(
                    &actor,
                    "user.grant",
                    "user",
                    &row.user_id,
                    &serde_json::json!({ "grant": row.id, "role": row.role, "scope": row.scope_id }),
                )
            })
            .await?;
        Ok(GrantCreated::Created(Json(out)))
    }

    /// Take a role away from an account. The person's sessions end. The admin role of the last
    /// enabled administrator cannot be taken away (409 `last_admin`).
    ///
    /// Administrators only.
    #[oai(path = "/:id/grants/:grant_id", method = "delete", operation_id = "revokeRole")]
    async fn revoke(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        #[oai(validator(max_length = 64))] grant_id: Path<String>,
    ) -> ApiResult<NoContent> {
        let actor = auth.0.may(&Action::ManageAccounts)?;
        let (uid, gid) = (id.0, grant_id.0);
        state
            .db
            .command(move |c, trail| {
                let grant = db::users::grants_of(c, &uid)?
                    .into_iter()
                    .find(|g| g.id == gid)
                    .ok_or(AppError::NotFound { what: "grant" })?;
                if grant.role()? == Role::Admin {
                    keep_an_admin(c, &uid)?;
                }
                if !db::users::delete_grant(c, &uid, &gid)? {
                    return Err(AppError::NotFound { what: "grant" });
                }
                db::sessions::revoke_all_for_user(c, &uid, None, ids::now())?;
                trail.record(
                    &actor,
                    "user.revoke_grant",
                    "user",
                    &uid,
                    &serde_json::json!({ "grant": gid }),
                )
            })
            .await?;
        Ok(NoContent::Done)
    }

    /// Disable an account: it can no longer log in and its sessions end.
    ///
    /// Administrators only; not one's own account.
    #[oai(path = "/:id/disable", method = "post", operation_id = "disableUser")]
    async fn disable(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<Json<User>> {
        let actor = auth.0.may(&Action::ManageAccounts)?;
        if auth.0.principal.actor_id() == id.0 {
            return Err(AppError::conflict(
                codes::CANNOT_DISABLE_SELF,
                "an administrator cannot disable their own account",
            )
            .into());
        }
        set_disabled(&state, actor, id.0, true).await
    }

    /// Enable a disabled account.
    ///
    /// Administrators only.
    #[oai(path = "/:id/enable", method = "post", operation_id = "enableUser")]
    async fn enable(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<Json<User>> {
        let actor = auth.0.may(&Action::ManageAccounts)?;
        set_disabled(&state, actor, id.0, false).await
    }
}

async fn load(state: &AppState, id: String) -> AppResult<User> {
    let (user, grants) = state
        .db
        .read(move |c| {
            let u = db::users::by_id(c, &id)?.ok_or(AppError::NotFound { what: "user" })?;
            let g = db::users::grants_of(c, &id)?;
            Ok((u, g))
        })
        .await?;
    user_out(user, &grants)
}

async fn set_disabled(state: &AppState, actor: audit::Actor, id: String, disabled: bool) -> ApiResult<Json<User>> {
    let uid = id.clone();
    state
        .db
        .command(move |c, trail| {
            db::users::by_id(c, &uid)?.ok_or(AppError::NotFound { what: "user" })?;
            if disabled {
                let is_admin = db::users::grants_of(c, &uid)?
                    .iter()
                    .any(|g| g.role().is_ok_and(|r| r == Role::Admin));
                if is_admin {
                    keep_an_admin(c, &uid)?;
                }
            }
            db::users::set_disabled(c, &uid, disabled)?;
            if disabled {
                db::sessions::revoke_all_for_user(c, &uid, None, ids::now())?;
            }
            let action = if disabled { "user.disable" } else { "user.enable" };
            trail.record(
                &actor,
                action,
                "user",
                &uid,
                &serde_json::json!({ "disabled": disabled }),
            )
        })
        .await?;
    Ok(Json(load(state, id).await?))
}
