//! The county's negative list (负面清单): its items, and the records departments keep about people.

use super::*;

pub struct NegativeListApi;

#[OpenApi(tag = "ApiTags::Vetting")]
impl NegativeListApi {
    /// A county's negative-list catalogue (seeded with RULES.md's defaults on first use).
    ///
    /// Administrators, the bureau and party organisations of the county.
    #[oai(path = "/orgs/:id/negative-list", method = "get", operation_id = "getNegativeList")]
    async fn catalogue(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<Json<Page<NegativeItem>>> {
        let caller = auth.0.clone();
        // Not a command: reading the catalogue writes the county's default items the first time
        // it is read (the defaults of RULES.md), which changes nothing anyone decided.
        let items = state
            .db
            .write(move |c| {
                let county = county(c, &id.0)?;
                check(&caller, &org_place(&county), &Action::ViewCoverage(org_place(&county)))?;
                db::vetting::catalogue(c, &county.id)
            })
            .await?;
        Ok(Json(Page::whole(items.into_iter().map(item_out).collect())))
    }

    /// Switch a negative-list item on or off for the county. Decisions already taken keep what
    /// they found.
    ///
    /// Administrators and the bureau of the county.
    #[oai(
        path = "/orgs/:id/negative-list/:code",
        method = "patch",
        operation_id = "switchNegativeItem"
    )]
    async fn switch(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        #[oai(validator(max_length = 10))] code: Path<String>,
        body: JsonBody<ItemSwitch>,
    ) -> ApiResult<Json<Page<NegativeItem>>> {
        let caller = auth.0.clone();
        let enabled = body.0.enabled;
        let items = state
            .db
            .command(move |c, trail| {
                let county = county(c, &id.0)?;
                let actor = check(
                    &caller,
                    &org_place(&county),
                    &Action::ManageCountyRules(org_place(&county)),
                )?;
                db::vetting::catalogue(c, &county.id)?;
                if !db::vetting::set_item_enabled(c, &county.id, &code.0, enabled, ids::now())? {
                    return Err(AppError::NotFound {
                        what: "negative-list item",
                    });
                }
                trail.record(
                    &actor,
                    "negative_list.switch",
                    "org",
                    &county.id,
                    &serde_json::json!({ "code": code.0, "enabled": enabled }),
                )?;
                db::vetting::catalogue(c, &county.id)
            })
            .await?;
        Ok(Json(Page::whole(items.into_iter().map(item_out).collect())))
    }

    /// Record that a person matches a negative-list item, with a reference to the evidence.
    ///
    /// A department of the county (as itself); administrators naming the department. The owner
    /// must hold or have held a unit in the department's county: any other owner is not found
    /// (404), exactly like an owner id that does not exist.
    #[oai(path = "/negative-records", method = "post", operation_id = "createNegativeRecord")]
    async fn record(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: JsonBody<NewRecord>,
    ) -> ApiResult<Created<NegativeRecord>> {
        let caller = auth.0.clone();
        let input = body.0;
        if input.expires_on.is_some_and(|e| e < input.effective_from) {
            return Err(AppError::invalid(
                "expires_on",
                reason::BEFORE_START,
                "a record cannot end before it starts",
            )
            .into());
        }
        let row = state
            .db
            .command(move |c, trail| {
                let dept = acting_department(c, &caller, input.department_id.as_deref())?;
                caller.may(&Action::RecordNegative(department_place(&dept)))?;
                let county_id = county_of(&dept.path);
                // A department acts only on owners of its county: any other owner is as absent as
                // a missing one, so the answer tells nothing about other counties' people.
                let owner = OwnerReach::load(c, &input.owner_id)?;
                if !owner.county_ids.contains(&county_id) {
                    return Err(AppError::NotFound { what: "owner" });
                }
                let actor = caller
                    .may(&Action::RecordNegative(owner.place()))
                    .map_err(|_| AppError::NotFound { what: "owner" })?;
                let item = db::vetting::catalogue(c, &county_id)?
                    .into_iter()
                    .find(|i| i.code == input.item_code)
                    .ok_or_else(|| AppError::invalid("item_code", reason::NOT_FOUND, "no such item in the county's catalogue"))?;
                let row = RecordRow {
                    id: ids::new_id(),
                    county_id,
                    owner_id: input.owner_id.clone(),
                    item_code: item.code,
                    evidence_ref: input.evidence_ref.clone(),
                    department_id: dept.id.clone(),
                    recorded_by: actor.actor_id.clone(),
                    effective_from: input.effective_from,
                    expires_on: input.expires_on.or(vetting::expiry(input.effective_from, item.duration_months.map(|m| m as u32))),
                    created_at: ids::now(),
                };
                db::vetting::insert_record(c, &row)?;
                trail.record(&actor, "negative_record.create", "owner", &row.owner_id, &serde_json::json!({ "record": row.id, "item": row.item_code, "from": row.effective_from, "until": row.expires_on }))?;
                Ok(row)
            })
            .await?;
        Ok(Created::Created(Json(record_out(row))))
    }

    /// End a record (corrected, delisted): its last day in force becomes `date`.
    ///
    /// The department that recorded it; administrators.
    #[oai(
        path = "/negative-records/:id/end",
        method = "post",
        operation_id = "endNegativeRecord"
    )]
    async fn end_record(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        body: JsonBody<RecordEnd>,
    ) -> ApiResult<Json<NegativeRecord>> {
        let caller = auth.0.clone();
        let on = body.0.date;
        let row = state
            .db
            .command(move |c, trail| {
                let mut r = db::vetting::get_record(c, &id.0)?.ok_or(AppError::NotFound { what: "record" })?;
                let dept = db::orgs::get(c, &r.department_id)?.ok_or(AppError::NotFound { what: "record" })?;
                let actor = caller
                    .may(&Action::RecordNegative(department_place(&dept)))
                    .map_err(|_| AppError::NotFound { what: "record" })?;
                if on < r.effective_from {
                    return Err(AppError::invalid(
                        "date",
                        reason::BEFORE_START,
                        "a record cannot end before it starts",
                    ));
                }
                r.expires_on = Some(r.expires_on.map_or(on, |e| e.min(on)));
                db::vetting::save_record(c, &r)?;
                trail.record(
                    &actor,
                    "negative_record.end",
                    "owner",
                    &r.owner_id,
                    &serde_json::json!({ "record": r.id, "until": r.expires_on }),
                )?;
                Ok(r)
            })
            .await?;
        Ok(Json(record_out(row)))
    }

    /// Negative-list records about a person.
    ///
    /// The person themself; administrators; the bureau and departments of a county where the
    /// owner holds or held a unit, who see that county's records. To anyone else the owner is
    /// not found (404).
    #[oai(
        path = "/owners/:id/negative-records",
        method = "get",
        operation_id = "listNegativeRecords"
    )]
    async fn records(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<Json<Page<NegativeRecord>>> {
        let caller = auth.0.clone();
        let rows = state
            .db
            .read(move |c| {
                let own = caller.principal.is_owner(&id.0);
                // Someone who may not see the owner's records at all gets the answer a missing
                // owner gets: existence is not told across counties.
                let reach = OwnerReach::load(c, &id.0)?;
                if db::owners::get(c, &id.0)?.is_none() {
                    return Err(AppError::NotFound { what: "owner" });
                }
                if !own && authorize(&caller.principal, &Action::ViewNegativeRecords(reach.place())).is_err() {
                    return Err(AppError::NotFound { what: "owner" });
                }
                let mut visible = Vec::new();
                for r in db::vetting::records_of(c, &id.0)? {
                    let county = county(c, &r.county_id)?;
                    let depts = departments(c, &county.id, None)?;
                    let place = Place {
                        org_paths: vec![&county.path],
                        department_ids: depts.iter().map(|d| d.id.as_str()).collect(),
                        ..Place::default()
                    };
                    if own || authorize(&caller.principal, &Action::ViewNegativeRecords(place)).is_ok() {
                        visible.push(r);
                    }
                }
                Ok(visible)
            })
            .await?;
        Ok(Json(Page::whole(rows.into_iter().map(record_out).collect())))
    }
}

/// Records in force on the day `on` for enabled items of the county.
/// The caller's department organisation (a department user), or the one an administrator names.
pub(crate) fn acting_department(conn: &mut AnyConnection, caller: &Caller, named: Option<&str>) -> AppResult<OrgRow> {
    let id = match policy::acting_department(&caller.principal).map_err(|_| AppError::forbidden())? {
        Some(own) => own,
        None => named.map(str::to_string).ok_or_else(|| {
            AppError::invalid(
                "department_id",
                reason::REQUIRED,
                "name the department that supplies the record",
            )
        })?,
    };
    db::orgs::get(conn, &id)?
        .filter(|o| o.kind().is_ok_and(|k| k == OrgKind::Department))
        .ok_or_else(|| AppError::invalid("department_id", reason::NOT_FOUND, "no department with this id"))
}

/// Where an owner's records belong: the counties of the estates where the owner holds or held a
/// unit, with their departments. Built from the registry, judged by the policy.
pub(crate) struct OwnerReach {
    pub(crate) county_ids: Vec<String>,
    pub(crate) county_paths: Vec<String>,
    pub(crate) department_ids: Vec<String>,
}

impl OwnerReach {
    fn load(conn: &mut AnyConnection, owner_id: &str) -> AppResult<OwnerReach> {
        let mut county_ids: Vec<String> = db::owners::estate_paths_ever(conn, owner_id)?
            .iter()
            .map(|p| county_of(p))
            .collect();
        county_ids.sort();
        county_ids.dedup();
        let mut reach = OwnerReach {
            county_paths: county_ids.iter().map(|c| format!("/{c}/")).collect(),
            county_ids,
            department_ids: Vec::new(),
        };
        for c in &reach.county_ids {
            reach
                .department_ids
                .extend(departments(conn, c, None)?.into_iter().map(|d| d.id));
        }
        Ok(reach)
    }

    fn place(&self) -> Place<'_> {
        Place {
            org_paths: self.county_paths.iter().map(String::as_str).collect(),
            department_ids: self.department_ids.iter().map(String::as_str).collect(),
            ..Place::default()
        }
    }
}

pub(crate) fn department_place(dept: &OrgRow) -> Place<'_> {
    Place {
        org_paths: vec![&dept.path],
        department_ids: vec![&dept.id],
        ..Place::default()
    }
}
