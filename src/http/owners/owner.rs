//! Owners (业主): registered once by identity number, listed, read, changed.

use super::*;

pub struct OwnersApi;

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

    /// List the owners who currently hold units in an estate, in id order; with `name_prefix`,
    /// those whose names start with it, in name order; `party_member` keeps (non-)members.
    /// Phones are masked.
    ///
    /// Administrators, the bureau, party organisations above the estate, and its committee.
    #[allow(clippy::too_many_arguments)]
    #[oai(path = "/estates/:id/owners", method = "get", operation_id = "listOwners")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        /// Only owners whose names start with this; the list is then in name order.
        #[oai(validator(min_length = 1, max_length = 50))]
        name_prefix: Query<Option<String>>,
        /// Only party members (true) or only others (false).
        party_member: Query<Option<bool>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))] limit: Query<Option<u32>>,
        #[oai(validator(max_length = 400))] cursor: Query<Option<String>>,
    ) -> ApiResult<crate::http::json::FastJson<Page<Owner>>> {
        let caller = auth.0.clone();
        let limit = paging::limit(limit.0);
        let by_name = name_prefix.0.clone();
        // The cursor is the last row's id, or its (name, id) when listing by name.
        let (after_id, after_name) = match &by_name {
            None => (paging::decode_cursor::<String>(cursor.0.as_deref())?, None),
            Some(_) => (None, paging::decode_cursor::<Keys<2>>(cursor.0.as_deref())?),
        };
        let c2 = caller.clone();
        let rows = state
            .db
            .read(move |c| {
                let ctx = estate_ctx(c, &c2, &id.0)?;
                check(&c2, &ctx.place(), &Action::ViewPrivate(ctx.place()))?;
                match &name_prefix.0 {
                    None => db::owners::page_in_estate(
                        c,
                        &ctx.estate.id,
                        party_member.0,
                        after_id.as_deref(),
                        paging::fetch(limit),
                    ),
                    Some(prefix) => {
                        let after = after_name.as_ref().map(|Keys([n, id])| (n.as_str(), id.as_str()));
                        db::owners::page_in_estate_by_name(
                            c,
                            &ctx.estate.id,
                            prefix,
                            party_member.0,
                            after,
                            paging::fetch(limit),
                        )
                    }
                }
            })
            .await?;
        let (rows, next_cursor) = paging::page(rows, limit, |o| match by_name {
            None => o.id.clone(),
            Some(_) => Keys::join([&o.name, &o.id]),
        });
        Ok(crate::http::json::FastJson(Page {
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
}

pub(crate) fn check_phone(phone: Option<&str>) -> AppResult<()> {
    match phone {
        Some(p) if !is_valid_mobile(p) => Err(AppError::invalid(
            "phone",
            reason::FORMAT,
            "not an 11-digit mobile number",
        )),
        _ => Ok(()),
    }
}
