//! Log in, refresh, log out, change one's own password, and "who am I".

use poem::web::Data;
use poem::Request;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use serde::Deserialize;

use super::body::JsonBody;
use super::problem::ApiResult;
use super::security::{format_grant, AnyAuth, BearerAuth};
use super::ApiTags;
use crate::crypto::{self, Claims};
use crate::db::{self, audit, sessions::SessionRow};
use crate::domain::policy::{Actor, Grant};
use crate::domain::throttle::{self, Gate};
use crate::domain::{credentials, ids};
use crate::error::{AppError, AppResult};
use crate::http::middleware::request_id;
use crate::AppState;

pub struct AuthApi;

#[derive(Object, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    #[oai(validator(min_length = 1, max_length = 64))]
    pub username: String,
    #[oai(validator(min_length = 1, max_length = 128))]
    pub password: String,
}

#[derive(Object, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    #[oai(validator(min_length = 1, max_length = 256))]
    pub refresh_token: String,
}

#[derive(Object, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    #[oai(validator(min_length = 1, max_length = 128))]
    pub current_password: String,
    /// 12–128 characters.
    #[oai(validator(min_length = 12, max_length = 128))]
    pub new_password: String,
}

#[derive(Object)]
pub struct TokenResponse {
    /// A JWT to send as `Authorization: Bearer …`.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    /// Exchanges for a new access token at `POST /api/v1/auth/refresh`; single use.
    pub refresh_token: String,
}

#[derive(Object)]
pub struct Me {
    /// `user` or `api_key`.
    pub actor_type: String,
    pub id: String,
    /// Roles with their scope, as `role` or `role:scope_id`.
    pub roles: Vec<String>,
}

#[derive(ApiResponse)]
pub enum NoContent {
    /// Done.
    #[oai(status = 204)]
    Done,
}

#[OpenApi(prefix_path = "/auth", tag = "ApiTags::Auth")]
impl AuthApi {
    /// Log in with a username and password.
    ///
    /// Anyone may call this. Repeated failures for one username or one source address are
    /// slowed and then refused for a while (429), whether or not the username exists.
    #[oai(path = "/login", method = "post", operation_id = "login")]
    async fn login(
        &self,
        state: Data<&AppState>,
        req: &Request,
        body: JsonBody<LoginRequest>,
    ) -> ApiResult<Json<TokenResponse>> {
        Ok(Json(login(&state, req, body.0).await?))
    }

    /// Exchange a refresh token for a new access token (and a new refresh token).
    ///
    /// Anyone holding a refresh token may call this. A refresh token works once; presenting one
    /// that was already used ends the whole session (it was copied).
    #[oai(path = "/refresh", method = "post", operation_id = "refresh")]
    async fn refresh(
        &self,
        state: Data<&AppState>,
        req: &Request,
        body: JsonBody<RefreshRequest>,
    ) -> ApiResult<Json<TokenResponse>> {
        Ok(Json(refresh(&state, req, &body.0.refresh_token).await?))
    }

    /// End the caller's session: its access and refresh tokens stop working.
    ///
    /// Any logged-in person (bearer token).
    #[oai(path = "/logout", method = "post", operation_id = "logout")]
    async fn logout(&self, state: Data<&AppState>, auth: BearerAuth) -> ApiResult<NoContent> {
        let caller = auth.0;
        let Actor::User { id, session_id } = caller.principal.actor.clone() else {
            return Err(AppError::forbidden().into());
        };
        let actor = caller.actor_as("self");
        state
            .db
            .write(move |c| {
                db::sessions::revoke(c, &session_id, ids::now())?;
                audit::append(
                    c,
                    &actor,
                    "auth.logout",
                    "user",
                    &id,
                    &serde_json::json!({ "session": session_id }),
                )
            })
            .await?;
        Ok(NoContent::Done)
    }

    /// Change one's own password; every other session of the account ends.
    ///
    /// Any logged-in person (bearer token).
    #[oai(path = "/password", method = "post", operation_id = "changePassword")]
    async fn change_password(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: JsonBody<PasswordChange>,
    ) -> ApiResult<NoContent> {
        let caller = auth.0;
        let Actor::User { id, session_id } = caller.principal.actor.clone() else {
            return Err(AppError::forbidden().into());
        };
        let body = body.0;
        credentials::check_password("new_password", &body.new_password).map_err(field_error)?;
        let uid = id.clone();
        let user = state
            .db
            .read(move |c| db::users::by_id(c, &uid))
            .await?
            .ok_or(AppError::NotFound { what: "user" })?;
        let current = body.current_password;
        let new = body.new_password;
        let (ok, new_hash) = tokio::task::spawn_blocking(move || {
            let ok = crypto::verify_password(&user.password_hash, &current);
            (ok, ok.then(|| crypto::hash_password(&new)))
        })
        .await
        .map_err(AppError::from)?;
        let Some(new_hash) = new_hash.filter(|_| ok) else {
            return Err(AppError::invalid("current_password", "mismatch", "the current password is wrong").into());
        };
        let actor = caller.actor_as("self");
        state
            .db
            .write(move |c| {
                let now = ids::now();
                db::users::set_password(c, &id, &new_hash, now)?;
                let ended = db::sessions::revoke_all_for_user(c, &id, Some(&session_id), now)?;
                audit::append(
                    c,
                    &actor,
                    "auth.password_change",
                    "user",
                    &id,
                    &serde_json::json!({ "sessions_ended": ended }),
                )
            })
            .await?;
        Ok(NoContent::Done)
    }

    /// Who the caller is and which roles it holds.
    ///
    /// Any authenticated caller (bearer token or API key).
    #[oai(path = "/me", method = "get", operation_id = "me")]
    async fn me(&self, auth: AnyAuth) -> ApiResult<Json<Me>> {
        let p = &auth.caller().principal;
        Ok(Json(Me {
            actor_type: p.actor_type().into(),
            id: p.actor_id().into(),
            roles: p.grants.iter().map(format_grant).collect(),
        }))
    }
}

pub fn field_error(e: crate::error::FieldError) -> AppError {
    AppError::Unprocessable {
        code: "validation_failed",
        detail: format!("{}: {}", e.field, e.message),
        errors: vec![e],
    }
}

/// The client's address for throttling: from the configured proxy header (its last entry,
/// the one the nearest proxy wrote), else the peer address.
fn source_of(req: &Request, config: &crate::config::Config) -> String {
    if let Some(h) = &config.client_ip_header {
        if let Some(v) = req.headers().get(h.as_str()).and_then(|v| v.to_str().ok()) {
            if let Some(last) = v.rsplit(',').next().map(str::trim).filter(|s| !s.is_empty()) {
                return last.chars().take(64).collect();
            }
        }
    }
    match req.remote_addr().as_socket_addr() {
        Some(a) => a.ip().to_string(),
        None => "unknown".into(),
    }
}

const INVALID_CREDENTIALS: &str = "the username or password is wrong";

async fn login(st: &AppState, req: &Request, body: LoginRequest) -> AppResult<TokenResponse> {
    let username = credentials::normalize_username(&body.username);
    let user_key = format!("user:{username}");
    let source_key = format!("source:{}", source_of(req, &st.config));
    let now = ids::now();

    let (uk, sk) = (user_key.clone(), source_key.clone());
    let (by_user, by_source) = st
        .db
        .read(move |c| Ok((db::throttle::get(c, &uk)?, db::throttle::get(c, &sk)?)))
        .await?;
    let gates = [
        throttle::gate(by_user.as_ref(), &throttle::PER_USERNAME, now),
        throttle::gate(by_source.as_ref(), &throttle::PER_SOURCE, now),
    ];
    let mut delay_ms = 0;
    for g in gates {
        match g {
            Gate::Locked { retry_after_secs } => {
                return Err(AppError::TooManyRequests {
                    retry_after_secs,
                    detail: "too many failed logins; try again later".into(),
                })
            }
            Gate::Open { delay_ms: d } => delay_ms = delay_ms.max(d),
        }
    }
    if delay_ms > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(delay_ms)).await;
    }

    let name = username.clone();
    let user = st.db.read(move |c| db::users::by_username(c, &name)).await?;
    let password = body.password;
    let verified_user = tokio::task::spawn_blocking(move || match user {
        Some(u) if crypto::verify_password(&u.password_hash, &password) && !u.disabled => Some(u),
        Some(_) => None,
        None => {
            crypto::burn_password_check(&password);
            None
        }
    })
    .await?;

    let Some(user) = verified_user else {
        st.db
            .write(move |c| {
                let now = ids::now();
                for (key, limits) in [
                    (&user_key, &throttle::PER_USERNAME),
                    (&source_key, &throttle::PER_SOURCE),
                ] {
                    let current = db::throttle::get(c, key)?;
                    db::throttle::put(c, key, &throttle::after_failure(current.as_ref(), limits, now))?;
                }
                Ok(())
            })
            .await?;
        return Err(AppError::unauthorized("invalid_credentials", INVALID_CREDENTIALS));
    };

    let rid = request_id(req);
    let ttl = st.config.refresh_token_ttl_secs;
    let (session, secret, grants) = st
        .db
        .write(move |c| {
            db::throttle::clear(c, &user_key)?;
            let now = ids::now();
            let secret = crypto::random_token(32);
            let session = SessionRow {
                id: ids::new_id(),
                user_id: user.id.clone(),
                created_at: now,
                expires_at: now + chrono::Duration::seconds(ttl),
                revoked_at: None,
                refresh_generation: 1,
                refresh_hash: crypto::sha256_hex(&secret),
            };
            db::sessions::insert(c, &session)?;
            let grants: Vec<Grant> = db::users::grants_of(c, &user.id)?
                .iter()
                .filter_map(|g| g.to_grant())
                .collect();
            let actor = audit::Actor::own_account(user.id.clone(), rid);
            audit::append(
                c,
                &actor,
                "auth.login",
                "session",
                &session.id,
                &serde_json::json!({ "user": user.id }),
            )?;
            Ok((session, secret, grants))
        })
        .await?;
    Ok(issue_tokens(st, &session, &secret, &grants))
}

fn issue_tokens(st: &AppState, s: &SessionRow, secret: &str, grants: &[Grant]) -> TokenResponse {
    let now = chrono::Utc::now().timestamp();
    let ttl = st.config.access_token_ttl_secs;
    let claims = Claims {
        sub: s.user_id.clone(),
        sid: s.id.clone(),
        iat: now,
        exp: now + ttl,
        roles: grants.iter().map(format_grant).collect(),
    };
    TokenResponse {
        access_token: st.jwt.sign(&claims),
        token_type: "Bearer".into(),
        expires_in: ttl,
        refresh_token: format!("{}.{}.{}", s.id, s.refresh_generation, secret),
    }
}

async fn refresh(st: &AppState, req: &Request, token: &str) -> AppResult<TokenResponse> {
    let invalid = || AppError::unauthorized("invalid_refresh_token", "the refresh token is invalid, used or expired");
    let mut parts = token.splitn(3, '.');
    let (Some(sid), Some(generation), Some(secret)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(invalid());
    };
    let generation: i64 = generation.parse().map_err(|_| invalid())?;
    let (sid, secret) = (sid.to_string(), secret.to_string());
    let rid = request_id(req);
    enum Outcome {
        Rotated(SessionRow, String, Vec<Grant>),
        Reused,
        Invalid,
    }
    let outcome = st
        .db
        .write(move |c| {
            let now = ids::now();
            let Some(s) = db::sessions::get(c, &sid)? else {
                return Ok(Outcome::Invalid);
            };
            if s.revoked_at.is_some() || s.expires_at <= now {
                return Ok(Outcome::Invalid);
            }
            let actor = audit::Actor::own_account(s.user_id.clone(), rid);
            if generation < s.refresh_generation {
                // An older token came back: someone kept a copy. End the family.
                db::sessions::revoke(c, &s.id, now)?;
                audit::append(
                    c,
                    &actor,
                    "auth.refresh_reuse",
                    "session",
                    &s.id,
                    &serde_json::json!({ "generation": generation }),
                )?;
                return Ok(Outcome::Reused);
            }
            if generation != s.refresh_generation || crypto::sha256_hex(&secret) != s.refresh_hash {
                return Ok(Outcome::Invalid);
            }
            let user = db::users::by_id(c, &s.user_id)?;
            if user.is_none_or(|u| u.disabled) {
                return Ok(Outcome::Invalid);
            }
            let new_secret = crypto::random_token(32);
            if !db::sessions::rotate(c, &s.id, generation, &crypto::sha256_hex(&new_secret))? {
                return Ok(Outcome::Invalid);
            }
            let grants = db::users::grants_of(c, &s.user_id)?
                .iter()
                .filter_map(|g| g.to_grant())
                .collect();
            audit::append(
                c,
                &actor,
                "auth.refresh",
                "session",
                &s.id,
                &serde_json::json!({ "generation": generation + 1 }),
            )?;
            let rotated = SessionRow {
                refresh_generation: generation + 1,
                ..s
            };
            Ok(Outcome::Rotated(rotated, new_secret, grants))
        })
        .await?;
    match outcome {
        Outcome::Rotated(s, secret, grants) => Ok(issue_tokens(st, &s, &secret, &grants)),
        Outcome::Reused | Outcome::Invalid => Err(invalid()),
    }
}
