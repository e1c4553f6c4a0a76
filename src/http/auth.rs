//! Log in, refresh, log out, change one's own password, and "who am I".

use poem::web::Data;
use poem::Request;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Enum, Object, OpenApi};
use serde::Deserialize;

use super::body::JsonBody;
use super::problem::ApiResult;
use super::security::{format_grant, AnyAuth, BearerAuth};
use super::ApiTags;
use crate::crypto::{self, Claims};
use crate::db::{self, audit, sessions::SessionRow};
use crate::domain::policy::{Actor, Grant};
use crate::domain::throttle::{self, Gate, OnSuccess};
use crate::domain::{credentials, ids, session};
use crate::error::{codes, reason, AppError, AppResult};
use crate::http::middleware::{client_request_id, request_id};
use crate::AppState;

pub struct AuthApi;

#[derive(Object, Deserialize)]
#[oai(skip_serializing_if_is_none)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    #[oai(validator(min_length = 1, max_length = 64))]
    pub username: String,
    #[oai(validator(min_length = 1, max_length = 128))]
    pub password: String,
    /// Where the refresh token goes: `body` (the default, for API clients) or `cookie` (for the
    /// web pages: an HttpOnly, Secure, SameSite=Strict cookie scoped to `/api/v1/auth`, which no
    /// script can read; the body then carries only the access token).
    #[oai(default)]
    #[serde(default)]
    pub refresh_delivery: RefreshDelivery,
}

/// Where a refresh token is delivered.
#[derive(Enum, Deserialize, Clone, Copy, PartialEq, Eq, Debug, Default)]
#[oai(rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum RefreshDelivery {
    #[default]
    Body,
    Cookie,
}

#[derive(Object, Deserialize)]
#[oai(skip_serializing_if_is_none)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    /// The refresh token. Omitted by the web pages, whose refresh token is the
    /// `redprop_refresh` cookie set at login; the new one then replaces the cookie.
    #[oai(validator(min_length = 1, max_length = 256))]
    #[serde(default)]
    pub refresh_token: Option<String>,
}

#[derive(Object, Deserialize)]
#[oai(skip_serializing_if_is_none)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    #[oai(validator(min_length = 1, max_length = 128))]
    pub current_password: String,
    /// 12–128 characters.
    #[oai(validator(min_length = 12, max_length = 128))]
    pub new_password: String,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct TokenResponse {
    /// A JWT to send as `Authorization: Bearer …`.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    /// Exchanges for a new access token at `POST /api/v1/auth/refresh`; single use. Absent when
    /// the refresh token was delivered as a cookie.
    #[oai(skip_serializing_if_is_none)]
    pub refresh_token: Option<String>,
}

/// Tokens issued, and with cookie delivery the cookie that carries the refresh token.
#[derive(ApiResponse)]
pub enum TokensIssued {
    /// The access token (and, unless delivered as a cookie, the refresh token).
    #[oai(status = 200)]
    Ok(
        Json<TokenResponse>,
        /// With cookie delivery: the `redprop_refresh` cookie (HttpOnly, Secure, SameSite=Strict,
        /// Path=/api/v1/auth).
        #[oai(header = "Set-Cookie")]
        Option<String>,
    ),
}

/// The session ended.
#[derive(ApiResponse)]
pub enum LoggedOut {
    /// Done; a refresh cookie, if any, is cleared.
    #[oai(status = 204)]
    Done(
        /// Clears the `redprop_refresh` cookie.
        #[oai(header = "Set-Cookie")]
        String,
    ),
}

/// The cookie that carries a web session's refresh token: never readable by a script, sent only
/// to the auth operations, never on a request from another site.
pub const REFRESH_COOKIE: &str = "redprop_refresh";

fn refresh_cookie(token: &str, max_age_secs: i64) -> String {
    format!("{REFRESH_COOKIE}={token}; Path=/api/v1/auth; Max-Age={max_age_secs}; HttpOnly; Secure; SameSite=Strict")
}

/// The refresh token in the request's cookie, if any.
fn cookie_token(req: &Request) -> Option<String> {
    req.headers()
        .get_all(poem::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(name, _)| *name == REFRESH_COOKIE)
        .map(|(_, value)| value.to_string())
        .filter(|v| !v.is_empty() && v.len() <= 256)
}

/// Puts the refresh token where the client asked for it.
fn deliver(st: &AppState, mut tokens: TokenResponse, delivery: RefreshDelivery) -> TokensIssued {
    match delivery {
        RefreshDelivery::Body => TokensIssued::Ok(Json(tokens), None),
        RefreshDelivery::Cookie => {
            let token = tokens.refresh_token.take().unwrap_or_default();
            let cookie = refresh_cookie(&token, st.config.refresh_token_ttl_secs);
            TokensIssued::Ok(Json(tokens), Some(cookie))
        }
    }
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
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
    ) -> ApiResult<TokensIssued> {
        let delivery = body.0.refresh_delivery;
        Ok(deliver(&state, login(&state, req, body.0).await?, delivery))
    }

    /// Exchange a refresh token for a new access token (and a new refresh token).
    ///
    /// Anyone holding a refresh token may call this. A refresh token works once; presenting one
    /// that was already used ends the whole session (it was copied). Without `refresh_token` in
    /// the body, the `redprop_refresh` cookie is used and replaced.
    #[oai(path = "/refresh", method = "post", operation_id = "refresh")]
    async fn refresh(
        &self,
        state: Data<&AppState>,
        req: &Request,
        body: JsonBody<RefreshRequest>,
    ) -> ApiResult<TokensIssued> {
        let (token, delivery) = match body.0.refresh_token {
            Some(t) => (t, RefreshDelivery::Body),
            None => (
                cookie_token(req).ok_or_else(|| {
                    AppError::unauthorized(
                        codes::INVALID_REFRESH_TOKEN,
                        "no refresh token: send refresh_token, or log in again",
                    )
                })?,
                RefreshDelivery::Cookie,
            ),
        };
        Ok(deliver(&state, refresh(&state, req, &token).await?, delivery))
    }

    /// End the caller's session: its access and refresh tokens stop working.
    ///
    /// Any logged-in person (bearer token).
    #[oai(path = "/logout", method = "post", operation_id = "logout")]
    async fn logout(&self, state: Data<&AppState>, auth: BearerAuth) -> ApiResult<LoggedOut> {
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
        Ok(LoggedOut::Done(refresh_cookie("", 0)))
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
        let uid = id.clone();
        let user = state
            .db
            .read(move |c| db::users::by_id(c, &uid))
            .await?
            .ok_or(AppError::NotFound { what: "user" })?;
        credentials::check_password("new_password", &body.new_password, &user.username).map_err(field_error)?;
        // The account's own work: its id is its "source" for the fair share of hashing.
        let ok = state
            .passwords
            .verify(&id, Some(user.password_hash), &body.current_password)
            .await?;
        if !ok {
            return Err(
                AppError::invalid("current_password", reason::MISMATCH, "the current password is wrong").into(),
            );
        }
        let new_hash = state.passwords.hash(&id, &body.new_password).await?;
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
        code: codes::VALIDATION_FAILED,
        detail: format!("{}: {}", e.field, e.message),
        errors: vec![e],
    }
}

/// The client's address for throttling: from the configured proxy header (its last entry,
/// the one the nearest proxy wrote), else the peer address.
pub fn source_of(req: &Request, config: &crate::config::Config) -> String {
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

/// The throttle keys of a login: (key, limits, what a success does to it). Usernames appear
/// only as a keyed hash: a password typed into the username field must not be stored.
fn login_keys(st: &AppState, username: &str, source: &str) -> [(String, &'static throttle::Limits, OnSuccess); 3] {
    let who = st.id_hasher.hash(&format!("username:{username}"));
    [
        (
            format!("login:{who}@{source}"),
            &throttle::PER_ACCOUNT_AND_SOURCE,
            OnSuccess::Reset,
        ),
        (
            format!("login-source:{source}"),
            &throttle::PER_SOURCE,
            OnSuccess::GiveBack,
        ),
        (format!("login-user:{who}"), &throttle::PER_USERNAME, OnSuccess::Reset),
    ]
}

/// The audit actor of something an unauthenticated request did (a failed login, a lockout).
pub fn anonymous(source: &str, req: &Request) -> audit::Actor {
    audit::Actor {
        actor_type: "source".into(),
        actor_id: source.to_string(),
        role: "anonymous".into(),
        request_id: request_id(req),
        client_request_id: client_request_id(req),
    }
}

/// Counts an attempt on every key at once (atomically); refuses while any key is locked. A
/// lock that this attempt set is recorded in the audit log, once.
pub async fn throttle_attempt(
    st: &AppState,
    keys: Vec<(String, &'static throttle::Limits)>,
    actor: audit::Actor,
    what: &'static str,
) -> AppResult<()> {
    // The common case under a flood: already locked. Refuse without a write — and, once this
    // process has seen the lock, without the database at all.
    let key_names: Vec<String> = keys.iter().map(|(k, _)| k.clone()).collect();
    let now = ids::now();
    if let Some(until) = st.known_locks.until(&key_names, now) {
        return Err(too_many((until - now).num_seconds().max(1) as u64));
    }
    let read_keys = key_names.clone();
    let counters = st
        .db
        .lookup(move |c| {
            read_keys
                .iter()
                .map(|k| db::throttle::get(c, k))
                .collect::<AppResult<Vec<_>>>()
        })
        .await?;
    for (key, counter) in key_names.iter().zip(&counters) {
        if let Some(until) = counter.as_ref().and_then(|c| c.locked_until).filter(|t| *t > now) {
            st.known_locks.remember(key, until, now);
            return Err(too_many((until - now).num_seconds().max(1) as u64));
        }
    }
    let gates = st
        .db
        .write(move |c| {
            let now = ids::now();
            let mut gates = Vec::new();
            for (key, limits) in &keys {
                let gate = db::throttle::attempt(c, key, limits, now)?;
                if let Gate::Locked { newly: true, .. } = gate {
                    tracing::warn!(source = %actor.actor_id, what, "locked out after repeated failures");
                    audit::append(
                        c,
                        &actor,
                        "auth.lockout",
                        "throttle",
                        key.split(':').next().unwrap_or(key),
                        &serde_json::json!({ "what": what, "key": key }),
                    )?;
                }
                gates.push(gate);
            }
            Ok(gates)
        })
        .await?;
    let mut delay_ms = 0;
    for (key, g) in key_names.iter().zip(gates) {
        match g {
            Gate::Locked { retry_after_secs, .. } => {
                let until = now + chrono::Duration::seconds(retry_after_secs as i64);
                st.known_locks.remember(key, until, now);
                return Err(too_many(retry_after_secs));
            }
            Gate::Open { delay_ms: d } => delay_ms = delay_ms.max(d),
        }
    }
    if delay_ms > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(delay_ms)).await;
    }
    Ok(())
}

fn too_many(retry_after_secs: u64) -> AppError {
    AppError::TooManyRequests {
        retry_after_secs,
        detail: "too many failed attempts; try again later".into(),
    }
}

async fn login(st: &AppState, req: &Request, body: LoginRequest) -> AppResult<TokenResponse> {
    let username = credentials::normalize_username(&body.username);
    let source = source_of(req, &st.config);
    let keys = login_keys(st, &username, &source);
    throttle_attempt(
        st,
        keys.iter().map(|(k, l, _)| (k.clone(), *l)).collect(),
        anonymous(&source, req),
        "login",
    )
    .await?;

    let name = username.clone();
    let user = st.db.read(move |c| db::users::by_username(c, &name)).await?;
    let stored = user.as_ref().map(|u| u.password_hash.clone());
    let matches = st.passwords.verify(&source, stored, &body.password).await?;
    let user = match user {
        Some(u) if matches && !u.disabled => u,
        other => {
            // Who failed: the account if there is one, else a keyed hash of the name typed (it
            // may be a password typed into the wrong field).
            let (target_type, target) = match &other {
                Some(u) => ("user", u.id.clone()),
                None => ("username", st.id_hasher.hash(&format!("username:{username}"))),
            };
            let shown = if other.is_some() {
                username.clone()
            } else {
                target.clone()
            };
            tracing::warn!(username = %shown, source = %source, "login failed");
            let actor = anonymous(&source, req);
            st.db
                .write(move |c| {
                    audit::append(
                        c,
                        &actor,
                        "auth.login_failed",
                        target_type,
                        &target,
                        &serde_json::json!({ "source": actor.actor_id }),
                    )
                })
                .await?;
            return Err(AppError::unauthorized(codes::INVALID_CREDENTIALS, INVALID_CREDENTIALS));
        }
    };

    let rid = request_id(req);
    let crid = client_request_id(req);
    let ttl = st.config.refresh_token_ttl_secs;
    let (session, grants) = st
        .db
        .write(move |c| {
            for (key, _, on) in &keys {
                db::throttle::succeeded(c, key, *on)?;
            }
            let now = ids::now();
            let session = SessionRow {
                id: ids::new_id(),
                user_id: user.id.clone(),
                created_at: now,
                expires_at: now + chrono::Duration::seconds(ttl),
                revoked_at: None,
                refresh_generation: 1,
                refresh_nonce: crypto::random_token(32),
                rotated_at: None,
            };
            db::sessions::insert(c, &session)?;
            let grants: Vec<Grant> = db::users::grants_of(c, &user.id)?
                .iter()
                .filter_map(|g| g.to_grant())
                .collect();
            let actor = audit::Actor::own_account(user.id.clone(), rid, crid);
            audit::append(
                c,
                &actor,
                "auth.login",
                "session",
                &session.id,
                &serde_json::json!({ "user": user.id }),
            )?;
            Ok((session, grants))
        })
        .await?;
    Ok(issue_tokens(st, &session, &grants))
}

fn issue_tokens(st: &AppState, s: &SessionRow, grants: &[Grant]) -> TokenResponse {
    let now = ids::now().and_utc().timestamp();
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
        refresh_token: Some(st.jwt.refresh_token(&s.id, s.refresh_generation, &s.refresh_nonce)),
    }
}

async fn refresh(st: &AppState, req: &Request, token: &str) -> AppResult<TokenResponse> {
    let invalid = || {
        AppError::unauthorized(
            codes::INVALID_REFRESH_TOKEN,
            "the refresh token is invalid, used or expired",
        )
    };
    let mut parts = token.splitn(3, '.');
    let (Some(sid), Some(generation), Some(mac)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(invalid());
    };
    let generation: i64 = generation.parse().map_err(|_| invalid())?;
    let (sid, mac) = (sid.to_string(), mac.to_string());
    let (rid, crid) = (request_id(req), client_request_id(req));
    let jwt = st.jwt.clone();
    let grace = st.config.refresh_grace_secs;
    let outcome = st
        .db
        .write(move |c| {
            // Twice at most: a rotation that lost a race is judged again on the fresh row.
            for _ in 0..2 {
                let now = ids::now();
                let Some(s) = db::sessions::get(c, &sid)? else {
                    return Ok(None);
                };
                let family = session::Family {
                    generation: s.refresh_generation,
                    rotated_at: s.rotated_at,
                    live: s.revoked_at.is_none() && s.expires_at > now,
                };
                let mac_ok = jwt.refresh_mac_ok(&s.id, generation, &s.refresh_nonce, &mac);
                let actor = audit::Actor::own_account(s.user_id.clone(), rid.clone(), crid.clone());
                match session::judge(generation, mac_ok, family, now, grace) {
                    session::Refresh::Invalid => return Ok(None),
                    session::Refresh::Reused => {
                        // A genuine older token came back: someone kept a copy. End the family.
                        db::sessions::revoke(c, &s.id, now)?;
                        audit::append(
                            c,
                            &actor,
                            "auth.refresh_reuse",
                            "session",
                            &s.id,
                            &serde_json::json!({ "generation": generation }),
                        )?;
                        return Ok(None);
                    }
                    decision => {
                        if db::users::by_id(c, &s.user_id)?.is_none_or(|u| u.disabled) {
                            return Ok(None);
                        }
                        let current = if decision == session::Refresh::Rotate {
                            if !db::sessions::rotate(c, &s.id, generation, now)? {
                                continue;
                            }
                            audit::append(
                                c,
                                &actor,
                                "auth.refresh",
                                "session",
                                &s.id,
                                &serde_json::json!({ "generation": generation + 1 }),
                            )?;
                            SessionRow {
                                refresh_generation: generation + 1,
                                rotated_at: Some(now),
                                ..s
                            }
                        } else {
                            s
                        };
                        let grants: Vec<Grant> = db::users::grants_of(c, &current.user_id)?
                            .iter()
                            .filter_map(|g| g.to_grant())
                            .collect();
                        return Ok(Some((current, grants)));
                    }
                }
            }
            Ok(None)
        })
        .await?;
    match outcome {
        Some((s, grants)) => Ok(issue_tokens(st, &s, &grants)),
        None => Err(invalid()),
    }
}
