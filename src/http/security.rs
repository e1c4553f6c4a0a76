//! How callers prove who they are: a bearer token (people) or an `X-API-Key` (integrations).
//! Both schemes appear in the OpenAPI document. The checkers turn a credential into a `Caller`;
//! what a caller may then do is for `domain::policy` alone.

use poem::Request;
use poem_openapi::auth::{ApiKey, Bearer};
use poem_openapi::SecurityScheme;

use crate::crypto::sha256_hex;
use crate::db::{self, audit};
use crate::domain::ids;
use crate::domain::policy::{authorize, Action, Actor, Grant, Principal, Role};
use crate::error::{codes, AppError, AppResult};
use crate::http::middleware::{client_request_id, request_id};
use crate::AppState;

/// An authenticated request: who, and which request (for the audit log).
#[derive(Clone, Debug)]
pub struct Caller {
    pub principal: Principal,
    pub request_id: String,
    pub client_request_id: Option<String>,
}

impl Caller {
    /// Asks the policy; on success returns the audit actor under the role that allowed it.
    pub fn may(&self, action: &Action<'_>) -> AppResult<audit::Actor> {
        let role = authorize(&self.principal, action).map_err(|_| AppError::forbidden())?;
        Ok(self.actor_as(role.as_str()))
    }

    /// The audit actor for things every authenticated caller may do to itself.
    pub fn actor_as(&self, role: &str) -> audit::Actor {
        audit::Actor {
            actor_type: self.principal.actor_type().into(),
            actor_id: self.principal.actor_id().into(),
            role: role.into(),
            request_id: self.request_id.clone(),
            client_request_id: self.client_request_id.clone(),
        }
    }
}

/// A person's access token from `POST /api/v1/auth/login`.
#[derive(SecurityScheme)]
#[oai(ty = "bearer", bearer_format = "JWT", checker = "check_bearer")]
pub struct BearerAuth(pub Caller);

/// An integration's API key, issued for one property company.
#[derive(SecurityScheme)]
#[oai(ty = "api_key", key_name = "X-API-Key", key_in = "header", checker = "check_api_key")]
pub struct ApiKeyAuth(pub Caller);

/// Either scheme. The API key is tried first so that, when both fail, the error reported is the
/// bearer token's (the common case), e.g. `invalid_token` rather than a missing key.
#[derive(SecurityScheme)]
pub enum AnyAuth {
    ApiKey(ApiKeyAuth),
    Bearer(BearerAuth),
}

impl AnyAuth {
    pub fn caller(&self) -> &Caller {
        match self {
            AnyAuth::Bearer(BearerAuth(c)) | AnyAuth::ApiKey(ApiKeyAuth(c)) => c,
        }
    }
}

fn state(req: &Request) -> AppResult<&AppState> {
    req.data::<AppState>()
        .ok_or_else(|| AppError::Internal("app state missing".into()))
}

/// Parses `role` or `role:scope` as carried in a token.
pub fn parse_grant(s: &str) -> Option<Grant> {
    let (role, scope) = match s.split_once(':') {
        Some((r, sc)) => (r, Some(sc.to_string())),
        None => (s, None),
    };
    Some(Grant {
        role: Role::parse(role)?,
        scope_id: scope,
    })
}

pub fn format_grant(g: &Grant) -> String {
    match &g.scope_id {
        Some(s) => format!("{}:{s}", g.role),
        None => g.role.to_string(),
    }
}

/// The caller of a request's bearer token, for the few routes outside the OpenAPI service.
pub async fn caller_from_bearer(req: &Request) -> AppResult<Caller> {
    let token = req
        .headers()
        .get(poem::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(|| AppError::unauthorized(codes::UNAUTHENTICATED, "this operation needs a valid bearer token"))?;
    check_bearer(
        req,
        Bearer {
            token: token.to_string(),
        },
    )
    .await
    .map_err(|_| AppError::unauthorized(codes::INVALID_TOKEN, "the bearer token is invalid or has expired"))
}

async fn check_bearer(req: &Request, bearer: Bearer) -> poem::Result<Caller> {
    let st = state(req)?;
    let claims = st
        .jwt
        .verify(&bearer.token)
        .ok_or_else(|| AppError::unauthorized(codes::INVALID_TOKEN, "the bearer token is invalid or has expired"))?;
    let live = st.sessions.is_live(claims.sid.clone()).await?;
    if !live {
        return Err(AppError::unauthorized(codes::SESSION_REVOKED, "this session has ended; log in again").into());
    }
    Ok(Caller {
        principal: Principal {
            actor: Actor::User {
                id: claims.sub,
                session_id: claims.sid,
            },
            grants: claims.roles.iter().filter_map(|r| parse_grant(r)).collect(),
        },
        request_id: request_id(req),
        client_request_id: client_request_id(req),
    })
}

async fn check_api_key(req: &Request, key: ApiKey) -> poem::Result<Caller> {
    let st = state(req)?;
    let hash = sha256_hex(&key.key);
    let row = st
        .db
        .lookup(move |c| db::api_keys::active_by_hash(c, &hash))
        .await?
        .ok_or_else(|| AppError::unauthorized(codes::INVALID_API_KEY, "the API key is unknown or revoked"))?;
    let now = ids::now();
    let stale = row
        .last_used_at
        .is_none_or(|t| (now - t).num_seconds() >= db::api_keys::LAST_USED_GRANULARITY_SECS);
    if stale {
        let id = row.id.clone();
        st.db.write(move |c| db::api_keys::touch(c, &id, now)).await?;
    }
    Ok(Caller {
        principal: Principal {
            actor: Actor::ApiKey { id: row.id },
            grants: vec![Grant {
                role: Role::Company,
                scope_id: Some(row.company_id),
            }],
        },
        request_id: request_id(req),
        client_request_id: client_request_id(req),
    })
}
