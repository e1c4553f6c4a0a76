//! API keys for property companies' integrations: issued for one company, shown once, stored
//! hashed, with a visible prefix, last-used time and revocation.

use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use serde::Deserialize;

use super::auth::NoContent;
use super::body::JsonBody;
use super::paging::{self, Page};
use super::problem::ApiResult;
use super::scope::company_ctx;
use super::security::AnyAuth;
use super::ApiTags;
use crate::crypto;
use crate::db::{self, api_keys::ApiKeyRow, audit};
use crate::domain::ids;
use crate::domain::policy::Action;
use crate::error::{reason, AppError, AppResult};
use crate::AppState;

pub struct ApiKeysApi;

#[derive(Object, Deserialize)]
#[oai(skip_serializing_if_is_none)]
#[serde(deny_unknown_fields)]
pub struct NewApiKey {
    /// The property company the key acts for.
    #[oai(validator(min_length = 1, max_length = 64))]
    pub company_id: String,
    /// What the key is for, e.g. "work-order system".
    #[oai(validator(min_length = 1, max_length = 100))]
    pub name: String,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ApiKey {
    pub id: String,
    pub company_id: String,
    pub name: String,
    /// The first characters of the key, to recognise it by.
    pub prefix: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// Updated at most once a minute.
    #[oai(skip_serializing_if_is_none)]
    pub last_used_at: Option<chrono::DateTime<chrono::Utc>>,
    #[oai(skip_serializing_if_is_none)]
    pub revoked_at: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ApiKeyCreated {
    #[oai(flatten)]
    pub key_info: ApiKey,
    /// The key itself, shown this once: send it as `X-API-Key`.
    pub key: String,
}

#[derive(ApiResponse)]
pub enum KeyCreated {
    /// Issued. Store `key` now: it cannot be shown again.
    #[oai(status = 201)]
    Created(Json<ApiKeyCreated>),
}

fn out(k: ApiKeyRow) -> ApiKey {
    ApiKey {
        id: k.id,
        company_id: k.company_id,
        name: k.name,
        prefix: k.prefix,
        created_at: k.created_at.and_utc(),
        last_used_at: k.last_used_at.map(|t| t.and_utc()),
        revoked_at: k.revoked_at.map(|t| t.and_utc()),
    }
}

/// A key: `rpk_` + 8-character prefix + `_` + 43 characters of secret (256 bits).
fn generate() -> (String, String) {
    let prefix: String = crypto::random_token(6)
        .chars()
        .map(|c| if c == '-' || c == '_' { 'x' } else { c })
        .collect();
    let prefix = format!("rpk_{prefix}");
    let key = format!("{prefix}_{}", crypto::random_token(32));
    (prefix, key)
}

#[OpenApi(prefix_path = "/api-keys", tag = "ApiTags::ApiKeys")]
impl ApiKeysApi {
    /// Issue an API key for a company. The key is in this response only.
    ///
    /// Administrators; the housing bureau of the county where the company is registered (its
    /// home; not the bureaus of counties where it only has contracts, since a key acts for the
    /// company everywhere); and the company's own accounts (role `company`) — not an API key.
    /// A company the caller may not see is reported as `company_id` not found (422).
    #[oai(path = "/", method = "post", operation_id = "createApiKey")]
    async fn create(&self, state: Data<&AppState>, auth: AnyAuth, body: JsonBody<NewApiKey>) -> ApiResult<KeyCreated> {
        let input = body.0;
        let caller = auth.caller().clone();
        if input.name.trim().is_empty() {
            return Err(AppError::invalid("name", reason::REQUIRED, "must not be blank").into());
        }
        let (prefix, key) = generate();
        let mut row = ApiKeyRow {
            id: ids::new_id(),
            company_id: input.company_id.trim().to_string(),
            name: input.name.trim().to_string(),
            prefix,
            key_hash: crypto::sha256_hex(&key),
            created_by: String::new(),
            created_at: ids::now(),
            last_used_at: None,
            revoked_at: None,
        };
        let row = state
            .db
            .command(move |c, trail| {
                let ctx = company_ctx(c, &caller, &row.company_id)
                    .map_err(|_| AppError::invalid("company_id", reason::NOT_FOUND, "no company with this id"))?;
                let actor = caller.may(&Action::IssueApiKey(ctx.home_place()))?;
                row.created_by = actor.actor_id.clone();
                let stored = &row;
                db::api_keys::insert(c, stored)?;
                trail.record(
                    &actor,
                    "api_key.create",
                    "api_key",
                    &stored.id,
                    &serde_json::json!({ "company": stored.company_id, "name": stored.name, "prefix": stored.prefix }),
                )?;
                Ok(row)
            })
            .await?;
        Ok(KeyCreated::Created(Json(ApiKeyCreated {
            key_info: out(row),
            key,
        })))
    }

    /// List a company's API keys (never the keys themselves).
    ///
    /// Administrators, the housing bureau of the company's home county, and the company itself
    /// (its accounts and its keys). Others: 404 for a company they may not see, else 403.
    #[oai(path = "/", method = "get", operation_id = "listApiKeys")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        #[oai(validator(min_length = 1, max_length = 64))] company_id: Query<String>,
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))] limit: Query<Option<u32>>,
        #[oai(validator(max_length = 200))] cursor: Query<Option<String>>,
    ) -> ApiResult<Json<Page<ApiKey>>> {
        let caller = auth.caller().clone();
        let limit = paging::limit(limit.0);
        let after = paging::decode_cursor::<String>(cursor.0.as_deref())?;
        let company = company_id.0;
        let rows = state
            .db
            .read(move |c| {
                let ctx = company_ctx(c, &caller, &company)?;
                caller.may(&Action::ViewApiKeys(ctx.home_place()))?;
                db::api_keys::page_for_company(c, &company, after.as_deref(), paging::fetch(limit))
            })
            .await?;
        let (rows, next_cursor) = paging::page(rows, limit, |k| k.id.clone());
        Ok(Json(Page {
            items: rows.into_iter().map(out).collect(),
            next_cursor,
        }))
    }

    /// Read one API key's details.
    ///
    /// Administrators, the housing bureau of the company's home county, and the company the key
    /// belongs to (its accounts and its keys); to anyone else the key does not exist (404).
    #[oai(path = "/:id", method = "get", operation_id = "getApiKey")]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<Json<ApiKey>> {
        let row = visible(&state, &auth, id.0, KeyUse::View).await?.0;
        Ok(Json(out(row)))
    }

    /// Revoke an API key; calls with it fail from now on. Revoking twice is harmless.
    ///
    /// Administrators, the housing bureau of the company's home county, and the company the key
    /// belongs to (its accounts and its keys); to anyone else the key does not exist (404).
    #[oai(path = "/:id", method = "delete", operation_id = "revokeApiKey")]
    async fn revoke(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<NoContent> {
        let (row, actor) = visible(&state, &auth, id.0, KeyUse::Revoke).await?;
        if row.revoked_at.is_none() {
            state
                .db
                .command(move |c, trail| {
                    if db::api_keys::revoke(c, &row.id, ids::now())? {
                        trail.record(
                            &actor,
                            "api_key.revoke",
                            "api_key",
                            &row.id,
                            &serde_json::json!({ "company": row.company_id }),
                        )?;
                    } else {
                        // Revoked meanwhile by another request: nothing more to do.
                        trail.unchanged();
                    }
                    Ok(())
                })
                .await?;
        }
        Ok(NoContent::Done)
    }
}

/// What is done with an existing key.
enum KeyUse {
    View,
    Revoke,
}

/// Loads a key and asks the policy about its company's home; a key the caller may not see is
/// reported absent.
async fn visible(state: &AppState, auth: &AnyAuth, id: String, used: KeyUse) -> AppResult<(ApiKeyRow, audit::Actor)> {
    let caller = auth.caller().clone();
    state
        .db
        .read(move |c| {
            let not_found = || AppError::NotFound { what: "api key" };
            let row = db::api_keys::get(c, &id)?.ok_or_else(not_found)?;
            let ctx = company_ctx(c, &caller, &row.company_id).map_err(|_| not_found())?;
            let action = match used {
                KeyUse::View => Action::ViewApiKeys(ctx.home_place()),
                KeyUse::Revoke => Action::RevokeApiKey(ctx.home_place()),
            };
            let actor = caller.may(&action).map_err(|_| not_found())?;
            Ok((row, actor))
        })
        .await
}
