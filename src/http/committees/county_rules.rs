//! A county's committee and vetting rules (the defaults of RULES.md until changed).

use super::*;

pub struct CommitteeRulesApi;

#[OpenApi(tag = "ApiTags::Committees")]
impl CommitteeRulesApi {
    /// A county's committee and vetting rules (the defaults of RULES.md until changed).
    ///
    /// Administrators, the bureau and party organisations of the county.
    #[oai(
        path = "/orgs/:id/committee-rules",
        method = "get",
        operation_id = "getCommitteeRules"
    )]
    async fn get_rules(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<Json<RulesBody>> {
        let caller = auth.0.clone();
        let r = state
            .db
            .read(move |c| {
                let org = db::orgs::get(c, &id.0)?
                    .filter(|o| o.kind().is_ok_and(|k| k == OrgKind::County))
                    .ok_or(AppError::NotFound { what: "county" })?;
                check(&caller, &org_place(&org), &Action::ViewCoverage(org_place(&org)))?;
                db::committees::rules(c, &org.id)
            })
            .await?;
        Ok(Json(r.into()))
    }

    /// Change a county's committee and vetting rules. Past decisions are not re-evaluated.
    ///
    /// Administrators and the bureau of the county.
    #[oai(
        path = "/orgs/:id/committee-rules",
        method = "put",
        operation_id = "putCommitteeRules"
    )]
    async fn put_rules(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        body: JsonBody<RulesBody>,
    ) -> ApiResult<Json<RulesBody>> {
        let caller = auth.0.clone();
        let r: CommitteeRules = body.0.into();
        r.check()
            .map_err(|e| AppError::invalid(e.setting, reason::OUT_OF_RANGE, e.message))?;
        let stored = r.clone();
        state
            .db
            .command(move |c, trail| {
                let org = db::orgs::get(c, &id.0)?
                    .filter(|o| o.kind().is_ok_and(|k| k == OrgKind::County))
                    .ok_or(AppError::NotFound { what: "county" })?;
                let actor = check(&caller, &org_place(&org), &Action::ManageCountyRules(org_place(&org)))?;
                db::committees::put_rules(c, &org.id, &stored, ids::now())?;
                trail.record(
                    &actor,
                    "county.rules",
                    "org",
                    &org.id,
                    &serde_json::to_value(&stored).unwrap_or_default(),
                )
            })
            .await?;
        Ok(Json(r.into()))
    }
}
