//! Owners' accounts: one-time activation codes, issued, listed, revoked, and used to open an account.

use super::*;

pub struct ActivationApi;

#[OpenApi(tag = "ApiTags::Owners")]
impl ActivationApi {
    /// Issue a one-time activation code with which the owner opens an account (valid 14 days).
    /// A new code replaces any outstanding one. If the owner already has an account, the code
    /// sets a new password for it (and ends its sessions) instead of opening a second one.
    ///
    /// Administrators, the bureau, party organisations and committees of an estate where the
    /// owner holds a unit.
    #[oai(
        path = "/owners/:id/activation-codes",
        method = "post",
        operation_id = "issueActivationCode"
    )]
    async fn issue_code(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<CodeIssued> {
        let caller = auth.0.clone();
        // 10 characters of base32 without 0/O/1/I: easy to type from paper, 50 bits of entropy,
        // which online guessing cannot exhaust in the code's 14 days; single use.
        let code = activation_code();
        let hash = crypto::sha256_hex(&code);
        let expires = ids::now() + chrono::Duration::days(ACTIVATION_DAYS);
        let row = state
            .db
            .command(move |c, trail| {
                let (owner, actor) = owner_guard(c, &caller, &id.0, Need::ActivationCode)?;
                let now = ids::now();
                let replaced = db::owners::revoke_activations(c, &owner.id, None, now)?;
                let row = ActivationRow {
                    id: ids::new_id(),
                    owner_id: owner.id.clone(),
                    code_hash: hash,
                    created_by: actor.actor_id.clone(),
                    created_at: now,
                    expires_at: expires,
                    used_at: None,
                    revoked_at: None,
                };
                db::owners::insert_activation(c, &row)?;
                trail.record(
                    &actor,
                    "owner.activation_code",
                    "owner",
                    &owner.id,
                    &serde_json::json!({ "code": row.id, "expires_at": ids::rfc3339(expires), "replaced": replaced }),
                )?;
                Ok(row)
            })
            .await?;
        Ok(CodeIssued::Created(Json(ActivationCode {
            id: row.id,
            code,
            expires_at: expires.and_utc(),
        })))
    }

    /// An owner's activation codes (never the codes themselves), newest first, with their state.
    ///
    /// Administrators, the bureau, party organisations and committees of an estate where the
    /// owner holds a unit.
    #[oai(
        path = "/owners/:id/activation-codes",
        method = "get",
        operation_id = "listActivationCodes"
    )]
    async fn list_codes(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<Json<Page<ActivationCodeInfo>>> {
        let caller = auth.0.clone();
        let rows = state
            .db
            .read(move |c| {
                let (owner, _) = owner_guard(c, &caller, &id.0, Need::ActivationCode)?;
                db::owners::activations_of(c, &owner.id)
            })
            .await?;
        let now = ids::now();
        Ok(Json(Page::whole(rows.into_iter().map(|r| code_info(r, now)).collect())))
    }

    /// Revoke an outstanding activation code (it was lost, or given to the wrong person).
    /// Revoking a used, expired or revoked code is harmless.
    ///
    /// Administrators, the bureau, party organisations and committees of an estate where the
    /// owner holds a unit.
    #[oai(
        path = "/owners/:id/activation-codes/:code_id",
        method = "delete",
        operation_id = "revokeActivationCode"
    )]
    async fn revoke_code(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        #[oai(validator(max_length = 64))] code_id: Path<String>,
    ) -> ApiResult<NoContent> {
        let caller = auth.0.clone();
        state
            .db
            .command(move |c, trail| {
                let (owner, actor) = owner_guard(c, &caller, &id.0, Need::ActivationCode)?;
                if !db::owners::activations_of(c, &owner.id)?
                    .iter()
                    .any(|a| a.id == code_id.0)
                {
                    return Err(AppError::NotFound {
                        what: "activation code",
                    });
                }
                if db::owners::revoke_activations(c, &owner.id, Some(&code_id.0), ids::now())? > 0 {
                    trail.record(
                        &actor,
                        "owner.activation_code_revoke",
                        "owner",
                        &owner.id,
                        &serde_json::json!({ "code": code_id.0 }),
                    )?;
                } else {
                    trail.unchanged();
                }
                Ok(())
            })
            .await?;
        Ok(NoContent::Done)
    }

    /// Open an owner account with an activation code: choose a username and password. If the
    /// owner already has an account, the code sets its new password instead (give the account's
    /// username) and ends its sessions: one account per owner.
    ///
    /// Anyone holding a valid, unused code. Wrong codes from one source address are counted,
    /// slowed and then refused for a while (429), like failed logins.
    #[oai(path = "/owners/activate", method = "post", operation_id = "activateOwner")]
    async fn activate(
        &self,
        state: Data<&AppState>,
        req: &poem::Request,
        body: JsonBody<Activation>,
    ) -> ApiResult<AccountOpened> {
        Ok(AccountOpened::Created(Json(activate(&state, req, body.0).await?)))
    }
}

/// How long an activation code stays valid.
pub const ACTIVATION_DAYS: i64 = 14;

/// Checks the code first (cheap) and only then spends a password hash: a flood of wrong codes
/// costs a lookup each, and is throttled per source like logins.
pub(crate) async fn activate(state: &AppState, req: &poem::Request, input: Activation) -> AppResult<Activated> {
    let source = crate::http::auth::source_of(req, &state.config);
    let key = format!("activate-source:{source}");
    crate::http::auth::throttle_attempt(
        state,
        vec![(key.clone(), &throttle::ACTIVATION_PER_SOURCE)],
        crate::http::auth::anonymous(&source, req),
        "activation",
    )
    .await?;
    let invalid = || {
        AppError::rule(
            codes::INVALID_ACTIVATION_CODE,
            "the code is unknown, used, revoked or expired",
        )
    };
    let hash = crypto::sha256_hex(normalize_activation(&input.code));
    let (code, existing) = state
        .db
        .read(move |c| {
            let now = ids::now();
            let code = db::owners::activation_by_hash(c, &hash)?
                .filter(|a| a.used_at.is_none() && a.revoked_at.is_none() && a.expires_at > now);
            let existing = match &code {
                Some(a) => db::users::account_of_owner(c, &a.owner_id)?,
                None => None,
            };
            Ok((code, existing))
        })
        .await?;
    let code = code.ok_or_else(invalid)?;
    let username = credentials::normalize_username(&input.username);
    credentials::check_username("username", &username).map_err(field_error)?;
    if let Some(u) = &existing {
        if u.username != username {
            return Err(AppError::invalid(
                "username",
                reason::OWNER_HAS_ACCOUNT,
                format!(
                    "this owner already has the account `{}`: give that username to set its new password",
                    u.username
                ),
            ));
        }
    }
    credentials::check_password("password", &input.password, &username).map_err(field_error)?;
    let password_hash = state.passwords.hash(&source, &input.password).await?;
    let (rid, crid) = (
        crate::http::middleware::request_id(req),
        crate::http::middleware::client_request_id(req),
    );
    state
        .db
        .command(move |c, trail| {
            let now = ids::now();
            if !db::owners::use_activation(c, &code.id, now)? {
                return Err(invalid());
            }
            db::throttle::succeeded(c, &key, OnSuccess::GiveBack)?;
            let owner = db::owners::get(c, &code.owner_id)?.ok_or_else(invalid)?;
            let user = match existing {
                Some(u) => {
                    // One account per owner: the code resets the password and ends the sessions.
                    db::users::set_password(c, &u.id, &password_hash, now)?;
                    let ended = db::sessions::revoke_all_for_user(c, &u.id, None, now)?;
                    let actor = audit::Actor::own_account(u.id.clone(), rid, crid);
                    trail.record(
                        &actor,
                        "owner.password_reset",
                        "owner",
                        &owner.id,
                        &serde_json::json!({ "user": u.id, "code": code.id, "sessions_ended": ended }),
                    )?;
                    u
                }
                None => {
                    if db::users::by_username(c, &username)?.is_some() {
                        return Err(AppError::conflict(
                            codes::USERNAME_TAKEN,
                            "an account with this username exists",
                        ));
                    }
                    let user = crate::db::users::UserRow {
                        id: ids::new_id(),
                        username: username.clone(),
                        display_name: owner.name.clone(),
                        password_hash,
                        disabled: false,
                        created_at: now,
                        password_changed_at: now,
                    };
                    db::users::insert(c, &user)?;
                    db::users::insert_grant(
                        c,
                        &GrantRow {
                            id: ids::new_id(),
                            user_id: user.id.clone(),
                            role: Role::Owner.as_str().into(),
                            scope_id: owner.id.clone(),
                            created_at: now,
                        },
                    )?;
                    let actor = audit::Actor::own_account(user.id.clone(), rid, crid);
                    trail.record(
                        &actor,
                        "owner.activate",
                        "owner",
                        &owner.id,
                        &serde_json::json!({ "user": user.id, "code": code.id }),
                    )?;
                    user
                }
            };
            Ok(Activated {
                user_id: user.id,
                username: user.username,
                owner_id: owner.id,
            })
        })
        .await
}

pub(crate) const CODE_ALPHABET: &[u8; 32] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

pub(crate) fn activation_code() -> String {
    use rand::Rng;
    let mut rng = rand::rngs::OsRng;
    (0..10).map(|_| CODE_ALPHABET[rng.gen_range(0..32)] as char).collect()
}

/// People type codes in any case and with spaces or dashes.
pub(crate) fn normalize_activation(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_uppercase()
}
