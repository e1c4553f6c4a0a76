//! Fee standards (收费标准, 明码标价) and what each unit pays under them; the owners' decision on
//! the company's share of common income.

use super::*;
use crate::domain::area::RecordedAreas;
use crate::domain::money::{Applies, UnitFacts};

pub struct FeesApi;

/// A unit as the fee rules see it, with its legal area.
pub(crate) struct UnitOfEstate {
    pub id: String,
    pub building_id: String,
    pub number: String,
    pub kind: String,
    pub area: Option<i64>,
}

impl UnitOfEstate {
    fn facts(&self) -> UnitFacts<'_> {
        UnitFacts {
            building_id: &self.building_id,
            floor: money::floor_of(&self.number),
            kind: &self.kind,
        }
    }
}

/// Every unit of an estate with its legal area (the best recorded source).
pub(crate) fn units_of(
    conn: &mut AnyConnection,
    estate_id: &str,
    buildings: &[String],
) -> AppResult<Vec<UnitOfEstate>> {
    Ok(db::money::units_of(conn, estate_id, buildings)?
        .into_iter()
        .map(|u| UnitOfEstate {
            area: RecordedAreas {
                registry: u.area_registry_centi,
                survey: u.area_survey_centi,
                contract: u.area_contract_centi,
            }
            .best()
            .map(|(a, _)| a),
            id: u.id,
            building_id: u.building_id,
            number: u.number,
            kind: u.kind,
        })
        .collect())
}

fn applies(item: &FeeItem) -> (Vec<&'static str>, &FeeItem) {
    (item.unit_kinds.iter().map(|k| k.as_str()).collect(), item)
}

/// The items of `items` that apply to a unit (one per name, the most specific).
fn items_for<'i>(
    items: &'i [FeeItem],
    kinds: &'i [Vec<&'static str>],
    unit: &UnitFacts<'_>,
) -> Result<Vec<&'i FeeItem>, String> {
    let indexed: Vec<(usize, &FeeItem)> = items.iter().enumerate().collect();
    money::applicable(
        &indexed,
        |(_, it)| it.name.as_str(),
        |(i, it)| Applies {
            building_ids: &it.building_ids,
            floor_min: it.floor_min,
            floor_max: it.floor_max,
            unit_kinds: &kinds[*i],
        },
        unit,
    )
    .map(|v| v.into_iter().map(|(_, it)| *it).collect())
}

fn items_of(row: &FeeStandardRow) -> AppResult<Vec<FeeItem>> {
    serde_json::from_str(&row.items).map_err(|e| AppError::Internal(format!("stored fee items: {e}")))
}

/// The standards of an estate as published: each with its last day (the day before the next
/// one starts) and whether it applies today.
pub(crate) fn standards_out(rows: Vec<FeeStandardRow>, today: NaiveDate) -> AppResult<Vec<FeeStandard>> {
    // Latest start first: each one ends the day before the one listed before it starts.
    let mut next_from: Option<NaiveDate> = None;
    let mut out = Vec::with_capacity(rows.len());
    let mut current_found = false;
    for r in rows {
        let effective_to = next_from.map(|d| d - chrono::Duration::days(1));
        let in_force = !current_found && r.effective_from <= today && effective_to.is_none_or(|t| t >= today);
        current_found |= in_force;
        if next_from != Some(r.effective_from) {
            next_from = Some(r.effective_from);
        }
        out.push(FeeStandard {
            items: items_of(&r)?,
            id: r.id,
            estate_id: r.estate_id,
            effective_from: r.effective_from,
            effective_to: effective_to.filter(|t| *t >= r.effective_from),
            in_force,
            basis: db::terms::stored(&r.basis)?,
            vote_id: r.basis_vote_id,
            proposal_id: r.basis_proposal_id,
            document: r.basis_document,
            complaint_phone: r.complaint_phone,
            note: r.note,
            company_id: r.company_id,
            recorded_at: utc(r.recorded_at),
        });
    }
    Ok(out)
}

/// The standard in force today, if any.
pub(crate) fn in_force(conn: &mut AnyConnection, estate_id: &str) -> AppResult<Option<FeeStandard>> {
    Ok(standards_out(db::money::standards_of(conn, estate_id)?, ids::today())?
        .into_iter()
        .find(|s| s.in_force))
}

/// Checks the basis of a fee standard: a passed vote of the estate, a major matter whose vote
/// passed, or a named government price.
fn check_basis(conn: &mut AnyConnection, estate_id: &str, b: &NewFeeStandard) -> AppResult<()> {
    let refuse = |m: &str| AppError::rule(codes::FEE_BASIS_INVALID, m);
    match b.basis {
        FeeBasis::Vote => {
            let id = b.vote_id.as_deref().ok_or_else(|| {
                AppError::invalid(
                    "vote_id",
                    reason::REQUIRED,
                    "name the owners' vote that set the standard",
                )
            })?;
            let v = vote_basis(conn, estate_id, id, "vote_id")?;
            if !(v.same_estate && v.passed) {
                return Err(refuse("the vote is not a vote of this estate that passed"));
            }
        }
        FeeBasis::MajorMatter => {
            let id = b
                .proposal_id
                .as_deref()
                .ok_or_else(|| AppError::invalid("proposal_id", reason::REQUIRED, "name the major-matter proposal"))?;
            let p = db::votes::get_proposal(conn, id)?
                .ok_or_else(|| AppError::invalid("proposal_id", reason::NOT_FOUND, "no proposal with this id"))?;
            if p.estate_id != estate_id {
                return Err(refuse("the proposal is of another estate"));
            }
            let vote = db::votes::of_estate(conn, estate_id)?
                .into_iter()
                .filter(|v| v.proposal_id.as_deref() == Some(id))
                .map(|v| vote_basis(conn, estate_id, &v.id, "proposal_id"))
                .collect::<AppResult<Vec<_>>>()?;
            if !vote.iter().any(|v| v.passed) {
                return Err(refuse(
                    "the major matter has no vote that passed: all four steps come first",
                ));
            }
        }
        FeeBasis::GovernmentPrice => {
            if b.document.as_deref().is_none_or(|d| d.trim().is_empty()) {
                return Err(AppError::invalid(
                    "document",
                    reason::REQUIRED,
                    "name the price authority's document",
                ));
            }
        }
    }
    Ok(())
}

/// Checks that the items say, for every unit of the estate, which of each name applies.
fn check_items(units: &[UnitOfEstate], items: &[FeeItem]) -> AppResult<()> {
    for (i, it) in items.iter().enumerate() {
        if let (Some(a), Some(b)) = (it.floor_min, it.floor_max) {
            if a > b {
                return Err(AppError::invalid(
                    &format!("items[{i}].floor_max"),
                    reason::OUT_OF_RANGE,
                    "the highest floor is below the lowest",
                ));
            }
        }
        if it.unit == FeeUnit::PerSpaceMonth && it.kind == FeeKind::PropertyService {
            return Err(AppError::invalid(
                &format!("items[{i}].unit"),
                reason::INVALID,
                "a property service fee is charged per m² or per unit, not per parking space",
            ));
        }
    }
    let kinds: Vec<Vec<&'static str>> = items.iter().map(|it| applies(it).0).collect();
    for u in units {
        if let Err(name) = items_for(items, &kinds, &u.facts()) {
            return Err(AppError::rule(
                codes::FEE_STANDARD_AMBIGUOUS,
                format!(
                    "two items named {name} apply equally to unit {} (building {}): make one more specific",
                    u.number, u.building_id
                ),
            ));
        }
    }
    Ok(())
}

#[OpenApi(tag = "ApiTags::Money")]
impl FeesApi {
    /// Publish a fee standard for an estate (明码标价): items with unit, price, service content and
    /// level, where each applies (a differentiated standard), the first day it applies, the
    /// decision that set it, and the complaint telephone. It replaces the standard before it from
    /// its first day; both stay readable. Refused if two items of one name apply equally to some
    /// unit (`fee_standard_ambiguous`) or the decision is not one (`fee_basis_invalid`).
    ///
    /// The company under contract today (its people or its API key), administrators.
    #[oai(
        path = "/estates/:id/fee-standards",
        method = "post",
        operation_id = "publishFeeStandard"
    )]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        /// The estate.
        #[oai(validator(max_length = 64))]
        id: Path<String>,
        body: JsonBody<NewFeeStandard>,
    ) -> ApiResult<StandardCreated> {
        let caller = auth.caller().clone();
        let b = body.0;
        let out = state
            .db
            .command(move |c, trail| {
                let (ctx, actor) = estate_for(c, &caller, &id.0, Acts::KeepAccounts)?;
                let buildings: Vec<String> = db::estates::buildings_of(c, &ctx.estate.id)?.into_iter().map(|b| b.id).collect();
                for (i, it) in b.items.iter().enumerate() {
                    if let Some(unknown) = it.building_ids.iter().find(|x| !buildings.contains(x)) {
                        return Err(AppError::invalid(
&format!("items[{i}].building_ids"),
                            reason::NOT_FOUND,
                            format!("no building {unknown} in this estate"),
                        ));
                    }
                }
                check_basis(c, &ctx.estate.id, &b)?;
                check_items(&units_of(c, &ctx.estate.id, &[])?, &b.items)?;
                let row = FeeStandardRow {
                    id: ids::new_id(),
                    estate_id: ctx.estate.id.clone(),
                    effective_from: b.effective_from,
                    basis: b.basis.as_str().into(),
                    basis_vote_id: b.vote_id.filter(|_| b.basis == FeeBasis::Vote),
                    basis_proposal_id: b.proposal_id.filter(|_| b.basis == FeeBasis::MajorMatter),
                    basis_document: b.document.map(|d| d.trim().to_string()),
                    complaint_phone: b.complaint_phone.trim().into(),
                    note: b.note.unwrap_or_default(),
                    items: serde_json::to_string(&b.items).map_err(|e| AppError::Internal(e.to_string()))?,
                    company_id: ctx.company.as_ref().map(|(c, _)| c.clone()),
                    recorded_by: actor.actor_id.clone(),
                    recorded_at: ids::now(),
                };
                db::money::insert_standard(c, &row)?;
                trail.record(
                    &actor,
                    "fee_standard.publish",
                    "fee_standard",
                    &row.id,
                    &serde_json::json!({ "estate": row.estate_id, "effective_from": row.effective_from, "basis": row.basis, "items": b.items.len() }),
                )?;
                let all = standards_out(db::money::standards_of(c, &ctx.estate.id)?, ids::today())?;
                all.into_iter()
                    .find(|s| s.id == row.id)
                    .ok_or_else(|| AppError::Internal("the standard just published".into()))
            })
            .await?;
        Ok(StandardCreated::Created(Json(out)))
    }

    /// An estate's fee standards, the latest first: the one in force, those to come and those
    /// replaced. Published: the notice board shows them too.
    ///
    /// Whoever may see the estate.
    #[oai(
        path = "/estates/:id/fee-standards",
        method = "get",
        operation_id = "listFeeStandards"
    )]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        /// The estate.
        #[oai(validator(max_length = 64))]
        id: Path<String>,
    ) -> ApiResult<Json<Page<FeeStandard>>> {
        let caller = auth.caller().clone();
        let out = state
            .db
            .read(move |c| {
                let (ctx, _) = estate_for(c, &caller, &id.0, Acts::ViewPublic)?;
                standards_out(db::money::standards_of(c, &ctx.estate.id)?, ids::today())
            })
            .await?;
        Ok(Json(Page::whole(out)))
    }

    /// One fee standard.
    ///
    /// Whoever may see its estate.
    #[oai(path = "/fee-standards/:id", method = "get", operation_id = "getFeeStandard")]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        /// The fee standard.
        #[oai(validator(max_length = 64))]
        id: Path<String>,
    ) -> ApiResult<Json<FeeStandard>> {
        let caller = auth.caller().clone();
        let out = state
            .db
            .read(move |c| {
                let not_found = || AppError::NotFound { what: "fee standard" };
                let estate_id = db::money::standard(c, &id.0)?.ok_or_else(not_found)?.estate_id;
                let (ctx, _) = estate_for(c, &caller, &estate_id, Acts::ViewPublic).map_err(|_| not_found())?;
                standards_out(db::money::standards_of(c, &ctx.estate.id)?, ids::today())?
                    .into_iter()
                    .find(|s| s.id == id.0)
                    .ok_or_else(not_found)
            })
            .await?;
        Ok(Json(out))
    }

    /// What a unit pays under the standard in force: each item that applies to it (the most
    /// specific of each name), with a month's fee computed from its legal area.
    ///
    /// Its owners; officials over the estate, its committee and its company.
    #[oai(path = "/units/:id/fees", method = "get", operation_id = "getUnitFees")]
    async fn unit_fees(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        /// The unit.
        #[oai(validator(max_length = 64))]
        id: Path<String>,
    ) -> ApiResult<Json<UnitFees>> {
        let caller = auth.caller().clone();
        let out = state
            .db
            .read(move |c| {
                let not_found = || AppError::NotFound { what: "unit" };
                let unit = db::estates::get_unit(c, &id.0)?.ok_or_else(not_found)?;
                let ctx = estate_ctx(c, &caller, &unit.estate_id).map_err(|_| not_found())?;
                let holds_it = {
                    let mine = caller.principal.owner_ids();
                    !mine.is_empty()
                        && db::owners::of_unit(c, &unit.id)?
                            .iter()
                            .any(|o| o.ended_at.is_none() && mine.contains(&o.owner_id))
                };
                let official = crate::domain::policy::authorize(&caller.principal, &Action::ViewPrivate(ctx.place()))
                    .is_ok()
                    || crate::domain::policy::authorize(&caller.principal, &Action::KeepAccounts(ctx.place())).is_ok();
                if !holds_it && !official {
                    // 404 to whoever may not see the estate at all, 403 to the others.
                    check(&caller, &ctx.place(), &Action::ViewPrivate(ctx.place()))?;
                }
                let area = unit.areas().best().map(|(a, _)| a);
                let standard = in_force(c, &ctx.estate.id)?;
                let mut out = UnitFees {
                    unit_id: unit.id.clone(),
                    area_centi_m2: area,
                    standard_id: None,
                    effective_from: None,
                    complaint_phone: None,
                    items: Vec::new(),
                    monthly_total_fen: 0,
                };
                let Some(s) = standard else { return Ok(out) };
                let kinds: Vec<Vec<&'static str>> = s.items.iter().map(|it| applies(it).0).collect();
                let facts = UnitFacts {
                    building_id: &unit.building_id,
                    floor: money::floor_of(&unit.number),
                    kind: &unit.kind,
                };
                let items = items_for(&s.items, &kinds, &facts)
                    .map_err(|name| AppError::Internal(format!("a published standard is ambiguous for {name}")))?;
                for it in items {
                    let monthly = money::monthly_fee(it.unit, Fen(it.price_fen), area);
                    out.monthly_total_fen += monthly.map_or(0, |f| f.0);
                    out.items.push(UnitFee {
                        name: it.name.clone(),
                        kind: it.kind,
                        unit: it.unit,
                        price_fen: it.price_fen,
                        monthly_fen: monthly.map(|f| f.0),
                        service_content: it.service_content.clone(),
                        service_level: it.service_level.clone(),
                    });
                }
                out.standard_id = Some(s.id);
                out.effective_from = Some(s.effective_from);
                out.complaint_phone = Some(s.complaint_phone);
                Ok(out)
            })
            .await?;
        Ok(Json(out))
    }

    /// Record the owners' decision on the share of common income the company may keep as its
    /// costs (Art. 282), with the vote that decided it. Costs beyond it cannot be published in a
    /// statement (`costs_exceed_share`). A later decision applies from its first day.
    ///
    /// The estate's committee, party organisations over it, administrators.
    #[oai(
        path = "/estates/:id/income-shares",
        method = "post",
        operation_id = "recordIncomeShare"
    )]
    async fn record_share(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The estate.
        #[oai(validator(max_length = 64))]
        id: Path<String>,
        body: JsonBody<NewIncomeShare>,
    ) -> ApiResult<ShareCreated> {
        let caller = auth.0;
        let b = body.0;
        let out = state
            .db
            .command(move |c, trail| {
                let (ctx, actor) = estate_for(c, &caller, &id.0, Acts::RecordMoneyDecision)?;
                let v = vote_basis(c, &ctx.estate.id, &b.vote_id, "vote_id")?;
                if !(v.same_estate && v.passed) {
                    return Err(AppError::rule(
                        codes::USE_WITHOUT_BASIS,
                        "the share is decided by a vote of this estate that passed",
                    ));
                }
                let row = ShareRow {
                    id: ids::new_id(),
                    estate_id: ctx.estate.id.clone(),
                    share_permille: b.share_permille as i32,
                    basis_vote_id: b.vote_id,
                    effective_from: b.effective_from,
                    recorded_by: actor.actor_id.clone(),
                    recorded_at: ids::now(),
                };
                db::money::insert_share(c, &row)?;
                trail.record(
                    &actor,
                    "income_share.record",
                    "estate",
                    &row.estate_id,
                    &serde_json::json!({ "share_permille": row.share_permille, "vote": row.basis_vote_id, "effective_from": row.effective_from }),
                )?;
                Ok(share_out(row))
            })
            .await?;
        Ok(ShareCreated::Created(Json(out)))
    }

    /// The owners' decisions on the company's share, the latest first.
    ///
    /// Whoever may see the estate's accounts.
    #[oai(
        path = "/estates/:id/income-shares",
        method = "get",
        operation_id = "listIncomeShares"
    )]
    async fn shares(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        /// The estate.
        #[oai(validator(max_length = 64))]
        id: Path<String>,
    ) -> ApiResult<Json<Page<IncomeShare>>> {
        let caller = auth.caller().clone();
        let out = state
            .db
            .read(move |c| {
                let (ctx, _) = estate_for(c, &caller, &id.0, Acts::ViewAccounts)?;
                Ok(db::money::shares_of(c, &ctx.estate.id)?
                    .into_iter()
                    .map(share_out)
                    .collect())
            })
            .await?;
        Ok(Json(Page::whole(out)))
    }
}

fn share_out(r: ShareRow) -> IncomeShare {
    IncomeShare {
        id: r.id,
        estate_id: r.estate_id,
        share_permille: r.share_permille,
        vote_id: r.basis_vote_id,
        effective_from: r.effective_from,
        recorded_at: utc(r.recorded_at),
    }
}

/// The share in force on a day (per mille), if the owners decided one.
pub(crate) fn share_on(conn: &mut AnyConnection, estate_id: &str, day: NaiveDate) -> AppResult<Option<u32>> {
    Ok(db::money::shares_of(conn, estate_id)?
        .into_iter()
        .find(|s| s.effective_from <= day)
        .map(|s| s.share_permille as u32))
}
