//! Owners (业主): natural or legal persons, their units (ownerships with history), and the
//! one-time codes with which an owner opens an account.

use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::types::MaybeUndefined;
use poem_openapi::{ApiResponse, Object, OpenApi};
use serde::Deserialize;

use super::auth::{field_error, NoContent};
use super::body::JsonBody;
use super::orgs::referenced_org;
use super::paging::{self, Page};
use super::problem::ApiResult;
use super::scope::{check, estate_ctx, Need};
use super::security::{BearerAuth, Caller};
use super::ApiTags;
use crate::db::owners::{ActivationRow, OwnerRow, OwnershipRow};
use crate::db::terms::stored;
use crate::db::users::GrantRow;
use crate::db::{self, audit, AnyConnection};
use crate::domain::credentials::CodeStatus;
use crate::domain::identity::{
    birth_date, is_valid_credit_code, is_valid_mobile, is_valid_national_id, last4, mask_phone, normalize_code,
};
use crate::domain::policy::{self, authorize, Action, Role};
use crate::domain::registry::{check_party_post, PartyPost};
use crate::domain::throttle::{self, OnSuccess};
use crate::domain::unit_import::OwnerKind;
use crate::domain::{credentials, ids};
use crate::error::{codes, reason, AppError, AppResult};
use crate::{crypto, AppState};

pub struct OwnersApi;

#[derive(Object, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OwnerPatch {
    /// `null` clears it; absent leaves it.
    #[oai(validator(max_length = 20))]
    #[serde(default)]
    pub phone: MaybeUndefined<String>,
    pub party_member: Option<bool>,
    /// The party organisation the member belongs to (e.g. a building party group); `null`
    /// clears it.
    #[oai(validator(max_length = 64))]
    #[serde(default)]
    pub party_org_id: MaybeUndefined<String>,
    /// `null` ends the post.
    #[serde(default)]
    pub party_post: MaybeUndefined<PartyPost>,
}

#[derive(Object, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewOwner {
    pub kind: OwnerKind,
    #[oai(validator(min_length = 1, max_length = 100))]
    pub name: String,
    /// National ID number (natural) or credit code (legal); checked by its check digit, stored
    /// only as a keyed hash plus the last four characters.
    #[oai(validator(min_length = 18, max_length = 20))]
    pub id_number: String,
    #[oai(validator(max_length = 20))]
    pub phone: Option<String>,
    #[serde(default)]
    #[oai(default)]
    pub party_member: bool,
    /// The party organisation the member belongs to (e.g. a building party group).
    #[oai(validator(max_length = 64))]
    pub party_org_id: Option<String>,
    pub party_post: Option<PartyPost>,
}

#[derive(Object)]
pub struct Owner {
    pub id: String,
    pub kind: OwnerKind,
    pub name: String,
    /// Last four characters of the ID number.
    #[oai(skip_serializing_if_is_none)]
    pub id_last4: Option<String>,
    /// Masked (138****1234) for everyone but the owner and administrators.
    #[oai(skip_serializing_if_is_none)]
    pub phone: Option<String>,
    pub party_member: bool,
    #[oai(skip_serializing_if_is_none)]
    pub party_org_id: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub party_post: Option<PartyPost>,
}

#[derive(Object)]
pub struct Ownership {
    pub id: String,
    pub unit_id: String,
    pub owner_id: String,
    pub designated_voter: bool,
    pub started_at: chrono::DateTime<chrono::Utc>,
    #[oai(skip_serializing_if_is_none)]
    pub ended_at: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(Object, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Transfer {
    /// The new owners of the unit (co-owners together); the current ownerships end.
    #[oai(validator(min_items = 1, max_items = 10))]
    pub owner_ids: Vec<String>,
    /// Which of them casts the unit's ballot; must be one of `owner_ids`.
    #[oai(validator(min_length = 1, max_length = 64))]
    pub designated_voter_id: String,
}

#[derive(Object)]
pub struct ActivationCode {
    /// Names the code in lists and revocation (not the code itself).
    pub id: String,
    /// Give this to the owner (print it, or send it through the county's SMS system). Shown once.
    pub code: String,
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

/// An activation code as listed: never the code itself.
#[derive(Object)]
pub struct ActivationCodeInfo {
    pub id: String,
    pub status: CodeStatus,
    /// Who issued it (account id).
    pub created_by: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub expires_at: chrono::DateTime<chrono::Utc>,
    #[oai(skip_serializing_if_is_none)]
    pub used_at: Option<chrono::DateTime<chrono::Utc>>,
    #[oai(skip_serializing_if_is_none)]
    pub revoked_at: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(Object, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Activation {
    #[oai(validator(min_length = 1, max_length = 64))]
    pub code: String,
    #[oai(validator(min_length = 3, max_length = 64, pattern = r"^[A-Za-z0-9._-]+$"))]
    pub username: String,
    #[oai(validator(min_length = 12, max_length = 128))]
    pub password: String,
}

#[derive(Object)]
pub struct Activated {
    pub user_id: String,
    pub username: String,
    pub owner_id: String,
}

#[derive(ApiResponse)]
pub enum OwnerCreated {
    /// Created, or an owner with this ID number was already registered (then that owner).
    #[oai(status = 201)]
    Created(Json<Owner>),
}

#[derive(ApiResponse)]
pub enum Transferred {
    /// The unit's new ownerships.
    #[oai(status = 201)]
    Created(Json<Vec<Ownership>>),
}

#[derive(ApiResponse)]
pub enum CodeIssued {
    /// Issued; any earlier unused code of the owner stays valid until it expires.
    #[oai(status = 201)]
    Created(Json<ActivationCode>),
}

#[derive(ApiResponse)]
pub enum AccountOpened {
    /// The account exists; log in with it.
    #[oai(status = 201)]
    Created(Json<Activated>),
}

/// How long an activation code stays valid.
pub const ACTIVATION_DAYS: i64 = 14;

fn owner_out(o: OwnerRow, caller: &Caller) -> AppResult<Owner> {
    let clear = policy::sees_owner_in_clear(&caller.principal, &o.id);
    Ok(Owner {
        kind: o.kind()?,
        party_post: o.party_post.as_deref().map(stored).transpose()?,
        phone: o.phone.map(|ph| if clear { ph } else { mask_phone(&ph) }),
        id: o.id,
        name: o.name,
        id_last4: o.id_last4,
        party_member: o.party_member,
        party_org_id: o.party_org_id,
    })
}

fn ownership_out(s: OwnershipRow) -> Ownership {
    Ownership {
        id: s.id,
        unit_id: s.unit_id,
        owner_id: s.owner_id,
        designated_voter: s.designated_voter,
        started_at: s.started_at.and_utc(),
        ended_at: s.ended_at.map(|t| t.and_utc()),
    }
}

/// An owner is visible to the owner, and to whoever may see personal data in an estate where
/// the owner holds a unit. Returns the audit actor for `action` (evaluated on those estates).
fn owner_guard(
    conn: &mut AnyConnection,
    caller: &Caller,
    owner_id: &str,
    need: Need,
) -> AppResult<(OwnerRow, audit::Actor)> {
    let owner = db::owners::get(conn, owner_id)?.ok_or(AppError::NotFound { what: "owner" })?;
    for estate_id in db::owners::estates_of(conn, owner_id)? {
        let ctx = estate_ctx(conn, caller, &estate_id)?;
        if authorize(&caller.principal, &Action::ViewPrivate(ctx.place())).is_ok() {
            let actor = caller.may(&need.action(ctx.place()))?;
            return Ok((owner, actor));
        }
    }
    Err(AppError::NotFound { what: "owner" })
}

fn check_phone(phone: Option<&str>) -> AppResult<()> {
    match phone {
        Some(p) if !is_valid_mobile(p) => Err(AppError::invalid(
            "phone",
            reason::FORMAT,
            "not an 11-digit mobile number",
        )),
        _ => Ok(()),
    }
}

fn is_self(caller: &Caller, owner_id: &str) -> bool {
    caller.principal.is_owner(owner_id)
}

#[OpenApi(tag = "ApiTags::Owners")]
impl OwnersApi {
    /// Register an owner for an estate (then give them units with a transfer). An ID number
    /// that is already registered returns that owner.
    ///
    /// Administrators, the bureau, party organisations above the estate.
    #[oai(path = "/estates/:id/owners", method = "post", operation_id = "createOwner")]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        body: JsonBody<NewOwner>,
    ) -> ApiResult<OwnerCreated> {
        let caller = auth.0.clone();
        let input = body.0;
        let number = normalize_code(&input.id_number);
        let valid = match input.kind {
            OwnerKind::Natural => is_valid_national_id(&number),
            OwnerKind::Legal => is_valid_credit_code(&number),
        };
        if !valid {
            return Err(AppError::invalid(
                "id_number",
                reason::CHECK_DIGIT,
                "not a valid ID number or credit code for this kind of owner",
            )
            .into());
        }
        check_phone(input.phone.as_deref())?;
        check_party_post(input.party_member, input.party_post)
            .map_err(|m| AppError::invalid("party_post", reason::NOT_A_MEMBER, m))?;
        let hash = state.id_hasher.hash(&number);
        let out_caller = caller.clone();
        let row = state
            .db
            .command(move |c, trail| {
                let ctx = estate_ctx(c, &caller, &id.0)?;
                let actor = check(&caller, &ctx.place(), &Action::ManageRegistry(ctx.place()))?;
                if let Some(org) = &input.party_org_id {
                    referenced_org(c, "party_org_id", org, &[])?;
                }
                if let Some(existing) = db::owners::by_id_hashes(c, std::slice::from_ref(&hash))?
                    .into_iter()
                    .next()
                {
                    if existing.name != input.name.trim() {
                        return Err(AppError::conflict(
                            codes::ID_NUMBER_TAKEN,
                            "this ID number is registered under another name",
                        ));
                    }
                    trail.unchanged();
                    return Ok(existing);
                }
                let row = OwnerRow {
                    id: ids::new_id(),
                    kind: input.kind.as_str().into(),
                    name: input.name.trim().into(),
                    id_hash: Some(hash),
                    id_last4: Some(last4(&number)),
                    phone: input.phone.clone(),
                    party_member: input.party_member,
                    party_org_id: input.party_org_id.clone(),
                    party_post: input.party_post.map(|p| p.as_str().to_string()),
                    introduced_with: None,
                    created_at: ids::now(),
                    birth_date: match input.kind {
                        OwnerKind::Natural => birth_date(&number),
                        OwnerKind::Legal => None,
                    },
                };
                db::owners::insert_many(c, std::slice::from_ref(&row))?;
                trail.record(
                    &actor,
                    "owner.create",
                    "owner",
                    &row.id,
                    &serde_json::json!({ "estate": ctx.estate.id, "kind": row.kind }),
                )?;
                Ok(row)
            })
            .await?;
        Ok(OwnerCreated::Created(Json(owner_out(row, &out_caller)?)))
    }

    /// List the owners who currently hold units in an estate. Phones are masked.
    ///
    /// Administrators, the bureau, party organisations above the estate, and its committee.
    #[oai(path = "/estates/:id/owners", method = "get", operation_id = "listOwners")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))] limit: Query<Option<u32>>,
        #[oai(validator(max_length = 200))] cursor: Query<Option<String>>,
    ) -> ApiResult<Json<Page<Owner>>> {
        let caller = auth.0.clone();
        let limit = paging::limit(limit.0);
        let after = paging::decode_cursor::<String>(cursor.0.as_deref())?;
        let c2 = caller.clone();
        let rows = state
            .db
            .read(move |c| {
                let ctx = estate_ctx(c, &c2, &id.0)?;
                check(&c2, &ctx.place(), &Action::ViewPrivate(ctx.place()))?;
                db::owners::page_in_estate(c, &ctx.estate.id, after.as_deref(), paging::fetch(limit))
            })
            .await?;
        let (rows, next_cursor) = paging::page(rows, limit, |o| o.id.clone());
        Ok(Json(Page {
            items: rows
                .into_iter()
                .map(|o| owner_out(o, &caller))
                .collect::<AppResult<_>>()?,
            next_cursor,
        }))
    }

    /// Read an owner.
    ///
    /// The owner; administrators, the bureau, party organisations and committees of an estate
    /// where the owner holds a unit.
    #[oai(path = "/owners/:id", method = "get", operation_id = "getOwner")]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<Json<Owner>> {
        let caller = auth.0.clone();
        let c2 = caller.clone();
        let row = state
            .db
            .read(move |c| {
                if is_self(&c2, &id.0) {
                    return db::owners::get(c, &id.0)?.ok_or(AppError::NotFound { what: "owner" });
                }
                Ok(owner_guard(c, &c2, &id.0, Need::Private)?.0)
            })
            .await?;
        Ok(Json(owner_out(row, &caller)?))
    }

    /// Change an owner's phone or party-building details (membership, organisation, post).
    ///
    /// Administrators, the bureau, party organisations above an estate where the owner holds a unit.
    #[oai(path = "/owners/:id", method = "patch", operation_id = "updateOwner")]
    async fn update(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        body: JsonBody<OwnerPatch>,
    ) -> ApiResult<Json<Owner>> {
        let caller = auth.0.clone();
        let p = body.0;
        check_phone(p.phone.value().map(String::as_str))?;
        let c2 = caller.clone();
        let row = state
            .db
            .command(move |c, trail| {
                let (owner, actor) = owner_guard(c, &c2, &id.0, Need::Manage)?;
                let member = p.party_member.unwrap_or(owner.party_member);
                let post = match p.party_post {
                    MaybeUndefined::Value(post) => Some(post),
                    MaybeUndefined::Null => None,
                    MaybeUndefined::Undefined if member => owner.party_post.as_deref().and_then(PartyPost::parse),
                    MaybeUndefined::Undefined => None,
                };
                check_party_post(member, post).map_err(|m| AppError::invalid("party_post", reason::NOT_A_MEMBER, m))?;
                if let Some(org) = p.party_org_id.value() {
                    referenced_org(c, "party_org_id", org, &[])?;
                }
                let changes = db::owners::OwnerChanges {
                    phone: p.phone.clone().into(),
                    party_member: p.party_member,
                    party_org_id: if member { p.party_org_id.clone().into() } else { Some(None) },
                    party_post: Some(post.map(|x| x.as_str().to_string())),
                };
                db::owners::update(c, &owner.id, &changes)?;
                trail.record(&actor, "owner.update", "owner", &owner.id, &serde_json::json!({ "phone_changed": !p.phone.is_undefined(), "party_member": member, "party_org": p.party_org_id.value(), "party_post": post.map(|x| x.as_str()) }))?;
                db::owners::get(c, &owner.id)?.ok_or(AppError::NotFound { what: "owner" })
            })
            .await?;
        Ok(Json(owner_out(row, &caller)?))
    }

    /// The units an owner currently holds.
    ///
    /// As for reading the owner.
    #[oai(path = "/owners/:id/ownerships", method = "get", operation_id = "listOwnerships")]
    async fn ownerships(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<Json<Page<Ownership>>> {
        let caller = auth.0.clone();
        let rows = state
            .db
            .read(move |c| {
                if !is_self(&caller, &id.0) {
                    owner_guard(c, &caller, &id.0, Need::Private)?;
                }
                db::owners::current_of_owner(c, &id.0)
            })
            .await?;
        Ok(Json(Page::whole(rows.into_iter().map(ownership_out).collect())))
    }

    /// Transfer a unit: its current ownerships end and the given owners hold it from now on.
    /// History is kept.
    ///
    /// Administrators, the bureau, party organisations above the estate.
    #[oai(path = "/units/:id/ownerships", method = "post", operation_id = "transferUnit")]
    async fn transfer(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        body: JsonBody<Transfer>,
    ) -> ApiResult<Transferred> {
        let caller = auth.0.clone();
        let input = body.0;
        let mut owner_ids = input.owner_ids.clone();
        owner_ids.sort();
        owner_ids.dedup();
        if !owner_ids.contains(&input.designated_voter_id) {
            return Err(
                AppError::invalid("designated_voter_id", reason::NOT_AN_OWNER, "must be one of owner_ids").into(),
            );
        }
        let rows = state
            .db
            .command(move |c, trail| {
                let unit = db::estates::get_unit(c, &id.0)?.ok_or(AppError::NotFound { what: "unit" })?;
                let ctx = estate_ctx(c, &caller, &unit.estate_id)?;
                let actor = check(&caller, &ctx.place(), &Action::ManageRegistry(ctx.place()))?;
                for (i, o) in owner_ids.iter().enumerate() {
                    if db::owners::get(c, o)?.is_none() {
                        return Err(AppError::invalid(
                            &format!("owner_ids[{i}]"),
                            reason::NOT_FOUND,
                            "no owner with this id",
                        ));
                    }
                }
                let now = ids::now();
                let ended = db::owners::end_current(c, &unit.id, now)?;
                let rows: Vec<OwnershipRow> = owner_ids
                    .iter()
                    .map(|o| OwnershipRow {
                        id: ids::new_id(),
                        unit_id: unit.id.clone(),
                        owner_id: o.clone(),
                        designated_voter: *o == input.designated_voter_id,
                        started_at: now,
                        ended_at: None,
                    })
                    .collect();
                db::owners::insert_ownerships(c, &rows)?;
                trail.record(
                    &actor,
                    "unit.transfer",
                    "unit",
                    &unit.id,
                    &serde_json::json!({ "owners": owner_ids, "voter": input.designated_voter_id, "ended": ended }),
                )?;
                Ok(rows)
            })
            .await?;
        Ok(Transferred::Created(Json(
            rows.into_iter().map(ownership_out).collect(),
        )))
    }

    /// A unit's ownerships, current first, then history.
    ///
    /// Administrators, the bureau, party organisations above the estate, and its committee.
    #[oai(path = "/units/:id/ownerships", method = "get", operation_id = "unitOwnerships")]
    async fn unit_ownerships(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<Json<Page<Ownership>>> {
        let caller = auth.0.clone();
        let rows = state
            .db
            .read(move |c| {
                let unit = db::estates::get_unit(c, &id.0)?.ok_or(AppError::NotFound { what: "unit" })?;
                let ctx = estate_ctx(c, &caller, &unit.estate_id)?;
                check(&caller, &ctx.place(), &Action::ViewPrivate(ctx.place()))?;
                db::owners::of_unit(c, &unit.id)
            })
            .await?;
        Ok(Json(Page::whole(rows.into_iter().map(ownership_out).collect())))
    }

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

fn code_info(r: ActivationRow, now: chrono::NaiveDateTime) -> ActivationCodeInfo {
    let status = CodeStatus::of(r.used_at, r.revoked_at, r.expires_at, now);
    ActivationCodeInfo {
        id: r.id,
        status,
        created_by: r.created_by,
        created_at: r.created_at.and_utc(),
        expires_at: r.expires_at.and_utc(),
        used_at: r.used_at.map(|t| t.and_utc()),
        revoked_at: r.revoked_at.map(|t| t.and_utc()),
    }
}

/// Checks the code first (cheap) and only then spends a password hash: a flood of wrong codes
/// costs a lookup each, and is throttled per source like logins.
async fn activate(state: &AppState, req: &poem::Request, input: Activation) -> AppResult<Activated> {
    let source = super::auth::source_of(req, &state.config);
    let key = format!("activate-source:{source}");
    super::auth::throttle_attempt(
        state,
        vec![(key.clone(), &throttle::ACTIVATION_PER_SOURCE)],
        super::auth::anonymous(&source, req),
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
        super::middleware::request_id(req),
        super::middleware::client_request_id(req),
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

const CODE_ALPHABET: &[u8; 32] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

fn activation_code() -> String {
    use rand::Rng;
    let mut rng = rand::rngs::OsRng;
    (0..10).map(|_| CODE_ALPHABET[rng.gen_range(0..32)] as char).collect()
}

/// People type codes in any case and with spaces or dashes.
fn normalize_activation(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_uppercase()
}
