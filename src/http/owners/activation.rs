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
        let (row, code) = state
            .db
            .command(move |c, trail| {
                let (owner, actor) = owner_guard(c, &caller, &id.0, Need::ActivationCode)?;
                issue(c, trail, &actor, &owner.id)
            })
            .await?;
        Ok(CodeIssued::Created(Json(ActivationCode {
            id: row.id,
            code,
            expires_at: row.expires_at.and_utc(),
        })))
    }

    /// Issue activation codes for many owners of an estate at once, to print as slips and hand
    /// out: the owners of one building, the given owners, or the whole estate. By default only
    /// owners without an account get one (`include_activated` also renews theirs, which then
    /// sets a new password). Each new code replaces the owner's outstanding one. The codes are
    /// in this answer only, in building and room order, each with the owner's units.
    ///
    /// Administrators, the bureau, party organisations above the estate and its committee.
    #[oai(
        path = "/estates/:id/activation-codes",
        method = "post",
        operation_id = "issueEstateActivationCodes"
    )]
    async fn issue_many(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        body: JsonBody<IssueCodes>,
    ) -> ApiResult<CodesIssued> {
        let caller = auth.0.clone();
        let input = body.0;
        let slips = state
            .db
            .command(move |c, trail| {
                let (ctx, actor) = guard_estate(c, &caller, &id.0, Need::ActivationCode)?;
                if let Some(b) = &input.building_id {
                    match db::estates::get_building(c, b)? {
                        Some(row) if row.estate_id == ctx.estate.id => {}
                        _ => {
                            return Err(AppError::invalid(
                                "building_id",
                                reason::NOT_FOUND,
                                "no such building in this estate",
                            ))
                        }
                    }
                }
                let holdings = db::owners::holdings_in_estate(
                    c,
                    &ctx.estate.id,
                    input.building_id.as_deref(),
                    None,
                    MAX_SLIPS + 1,
                )?;
                if holdings.len() as i64 > MAX_SLIPS {
                    return Err(AppError::invalid(
                        "building_id",
                        reason::TOO_MANY,
                        format!("more than {MAX_SLIPS} units at once: issue the codes building by building"),
                    ));
                }
                let mut owners = by_owner(holdings);
                if let Some(wanted) = &input.owner_ids {
                    for (i, o) in wanted.iter().enumerate() {
                        if !owners.iter().any(|(id, _)| id == o) {
                            return Err(AppError::invalid(
                                &format!("owner_ids[{i}]"),
                                reason::NOT_AN_OWNER_HERE,
                                "this owner holds no unit here (or none in this building)",
                            ));
                        }
                    }
                    owners.retain(|(id, _)| wanted.contains(id));
                }
                if !input.include_activated {
                    let ids: Vec<String> = owners.iter().map(|(id, _)| id.clone()).collect();
                    let with = db::users::owners_with_accounts(c, &ids)?;
                    owners.retain(|(id, _)| !with.contains(id));
                }
                let mut slips = Vec::with_capacity(owners.len());
                for (owner_id, held) in owners {
                    let (row, code) = issue(c, trail, &actor, &owner_id)?;
                    slips.push(ActivationSlip {
                        owner_id,
                        owner_name: held[0].owner_name.clone(),
                        units: held.into_iter().map(slip_unit).collect(),
                        id: row.id,
                        code,
                        expires_at: row.expires_at.and_utc(),
                    });
                }
                if slips.is_empty() {
                    trail.unchanged();
                }
                Ok(slips)
            })
            .await?;
        Ok(CodesIssued::Created(Json(Page::whole(slips))))
    }

    /// Where an estate's owners stand with their accounts, unit by unit (by building and room
    /// number): each current owner, whether they have an account, and their newest activation
    /// code's state and expiry (never the code itself) — to see who still needs a code, whose
    /// code ran out, and to reissue or revoke.
    ///
    /// Administrators, the bureau, party organisations above the estate and its committee.
    #[oai(
        path = "/estates/:id/activation-codes",
        method = "get",
        operation_id = "listEstateActivationCodes"
    )]
    async fn list_estate(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        /// Only this building's units.
        #[oai(validator(max_length = 64))]
        building_id: Query<Option<String>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))] limit: Query<Option<u32>>,
        #[oai(validator(max_length = 400))] cursor: Query<Option<String>>,
    ) -> ApiResult<Json<Page<UnitActivation>>> {
        let caller = auth.0.clone();
        let limit = paging::limit(limit.0);
        let after = paging::decode_cursor::<Keys<3>>(cursor.0.as_deref())?;
        let (rows, latest, with) = state
            .db
            .read(move |c| {
                let (ctx, _) = guard_estate(c, &caller, &id.0, Need::ActivationCode)?;
                let after = after
                    .as_ref()
                    .map(|Keys([b, n, o])| [b.as_str(), n.as_str(), o.as_str()]);
                let rows = db::owners::holdings_in_estate(
                    c,
                    &ctx.estate.id,
                    building_id.0.as_deref(),
                    after,
                    paging::fetch(limit),
                )?;
                let ids: Vec<String> = rows.iter().map(|h| h.owner_id.clone()).collect();
                let latest = db::owners::latest_activations(c, &ids)?;
                let with = db::users::owners_with_accounts(c, &ids)?;
                Ok((rows, latest, with))
            })
            .await?;
        let (rows, next_cursor) = paging::page(rows, limit, |h| {
            Keys::join([&h.building_id, &h.number, &h.ownership_id])
        });
        let now = ids::now();
        let items = rows
            .into_iter()
            .map(|h| UnitActivation {
                has_account: with.contains(&h.owner_id),
                code: latest.get(&h.owner_id).cloned().map(|r| code_info(r, now)),
                owner_id: h.owner_id.clone(),
                owner_name: h.owner_name.clone(),
                unit: slip_unit(h),
            })
            .collect();
        Ok(Json(Page { items, next_cursor }))
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

/// The most units whose owners get codes in one request (a building, or a small estate).
const MAX_SLIPS: i64 = 2000;

/// Issues a new code for an owner (the caller is authorised): any outstanding one is revoked,
/// the new one is recorded by its hash and audited. The code itself is returned once.
fn issue(
    c: &mut AnyConnection,
    trail: &mut audit::Trail,
    actor: &audit::Actor,
    owner_id: &str,
) -> AppResult<(ActivationRow, String)> {
    // 10 characters of base32 without 0/O/1/I: easy to type from paper, 50 bits of entropy,
    // which online guessing cannot exhaust in the code's 14 days; single use.
    let code = activation_code();
    let now = ids::now();
    let replaced = db::owners::revoke_activations(c, owner_id, None, now)?;
    let row = ActivationRow {
        id: ids::new_id(),
        owner_id: owner_id.into(),
        code_hash: crypto::sha256_hex(&code),
        created_by: actor.actor_id.clone(),
        created_at: now,
        expires_at: now + chrono::Duration::days(ACTIVATION_DAYS),
        used_at: None,
        revoked_at: None,
    };
    db::owners::insert_activation(c, &row)?;
    trail.record(
        actor,
        "owner.activation_code",
        "owner",
        owner_id,
        &serde_json::json!({ "code": row.id, "expires_at": ids::rfc3339(row.expires_at), "replaced": replaced }),
    )?;
    Ok((row, code))
}

/// Holdings grouped by owner, in the order the owner's first unit comes.
fn by_owner(holdings: Vec<db::owners::Holding>) -> Vec<(String, Vec<db::owners::Holding>)> {
    let mut out: Vec<(String, Vec<db::owners::Holding>)> = Vec::new();
    let mut at: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for h in holdings {
        match at.get(&h.owner_id) {
            Some(&i) => out[i].1.push(h),
            None => {
                at.insert(h.owner_id.clone(), out.len());
                out.push((h.owner_id.clone(), vec![h]));
            }
        }
    }
    out
}

fn slip_unit(h: db::owners::Holding) -> SlipUnit {
    SlipUnit {
        unit_id: h.unit_id,
        building_name: h.building_name,
        entrance: h.entrance,
        number: h.number,
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
