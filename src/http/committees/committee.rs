//! Committees of an estate: formed (an owners' committee's preparatory group, or a property
//! management committee awaiting appointment), listed, read, and their deadlines.

use super::*;
use crate::http::etag::Tagged;

pub struct CommitteesApi;

/// A committee as stored, with its version's tag: its row and its roster (`http::etag`).
fn tagged(c: &mut AnyConnection, id: &str) -> AppResult<(CommitteeRow, String)> {
    let com = db::committees::get(c, id)?.ok_or(AppError::NotFound { what: "committee" })?;
    let tag = crate::http::etag::of(&(&com, db::committees::members(c, &com.id)?));
    Ok((com, tag))
}

#[OpenApi(tag = "ApiTags::Committees")]
impl CommitteesApi {
    /// Form a committee for an estate: an owners' committee starts with its preparatory group
    /// (筹备组); a property management committee is then appointed.
    ///
    /// Administrators, the bureau, party organisations above the estate.
    #[oai(path = "/estates/:id/committees", method = "post", operation_id = "createCommittee")]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        body: JsonBody<NewCommittee>,
    ) -> ApiResult<CommitteeCreated> {
        let caller = auth.0.clone();
        let input = body.0;
        let out = state
            .db
            .command(move |c, trail| {
                let ctx = estate_ctx(c, &caller, &id.0)?;
                let actor = check(&caller, &ctx.place(), &Action::ManageCommittee(ctx.place()))?;
                let r = estate_rules(c, &ctx)?;
                let kind = input.kind;
                if kind == CommitteeKind::OwnersCommittee {
                    rules::check_term(input.term_years as u32, &r)
                        .map_err(|m| AppError::invalid("term_years", reason::OUT_OF_RANGE, m))?;
                }
                let live = db::committees::live_of_estates(c, std::slice::from_ref(&ctx.estate.id))?
                    .iter()
                    .map(|x| Ok((x.kind()?, x.status()?)))
                    .collect::<AppResult<Vec<_>>>()?;
                let status = CommitteeStatus::form(kind, &live)?;
                let row = CommitteeRow {
                    id: ids::new_id(),
                    estate_id: ctx.estate.id.clone(),
                    kind: kind.as_str().into(),
                    status: status.as_str().into(),
                    term_years: input.term_years,
                    seats: 0,
                    formed_on: None,
                    term_ends_on: None,
                    filed_bureau_on: None,
                    filed_street_on: None,
                    first_meeting_on: None,
                    handover_due_on: None,
                    handed_over_on: None,
                    ended_on: None,
                    end_reason: None,
                    by_election_required: false,
                    created_at: ids::now(),
                };
                if !input.preparatory_group.is_empty() {
                    if kind != CommitteeKind::OwnersCommittee {
                        return Err(AppError::invalid(
                            "preparatory_group",
                            reason::NOT_ALLOWED,
                            "only an owners' committee election has a preparatory group",
                        ));
                    }
                    let g = &input.preparatory_group;
                    let leaders: Vec<&MemberInput> = g.iter().filter(|m| m.leader).collect();
                    let led = leaders.len() == 1 && leaders[0].affiliation == Affiliation::StreetOffice;
                    let owners = g.iter().filter(|m| m.affiliation == Affiliation::Owner).count() as u32;
                    rules::check_preparatory_group(g.len() as u32, owners, led, &r)
                        .map_err(|m| AppError::invalid("preparatory_group", reason::COMPOSITION, m))?;
                }
                db::committees::insert(c, &row)?;
                let group = member_rows(
                    c,
                    "preparatory_group",
                    &row,
                    &input.preparatory_group,
                    |_, m| {
                        (
                            if m.leader {
                                MemberRole::GroupLeader
                            } else {
                                MemberRole::GroupMember
                            },
                            None,
                        )
                    },
                    ids::today(),
                    Eligibility::Checked,
                )?;
                db::committees::insert_members(c, &group)?;
                trail.record(
                    &actor,
                    "committee.create",
                    "committee",
                    &row.id,
                    &serde_json::json!({ "estate": row.estate_id, "kind": row.kind, "group": group.len() }),
                )?;
                let (row, tag) = tagged(c, &row.id)?;
                Ok((respond(c, row, &ctx)?, tag))
            })
            .await?;
        Ok(CommitteeCreated::Created(Json(out.0), out.1))
    }

    /// A committee: roster (published), status, deadlines, party-building figures.
    ///
    /// Whoever may see the estate.
    #[oai(path = "/committees/:id", method = "get", operation_id = "getCommittee")]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<Tagged<Committee>> {
        let caller = auth.caller().clone();
        let (out, tag) = state
            .db
            .read(move |c| {
                let (com, ctx, _) = guard(c, &caller, &id.0, false)?;
                let (com, tag) = tagged(c, &com.id)?;
                Ok((respond(c, com, &ctx)?, tag))
            })
            .await?;
        Ok(Tagged::new(out, tag))
    }

    /// An estate's committees, newest first.
    ///
    /// Whoever may see the estate.
    #[oai(path = "/estates/:id/committees", method = "get", operation_id = "listCommittees")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<Json<Page<Committee>>> {
        let caller = auth.caller().clone();
        let out = state
            .db
            .read(move |c| {
                let (ctx, _) = guard_estate(c, &caller, &id.0, Need::Public)?;
                let r = estate_rules(c, &ctx)?;
                db::committees::of_estate(c, &ctx.estate.id)?
                    .into_iter()
                    .map(|x| committee_out(c, x, &r))
                    .collect()
            })
            .await?;
        Ok(Json(Page::whole(out)))
    }

    /// Deadlines of the committees under an organisation: filing within 30 days of the election,
    /// first meeting within 7, re-election starting 6 months before the term ends, handover
    /// within 10 days; and the meetings owed: a joint meeting each calendar month for each
    /// estate, a party-building joint meeting each quarter for each community (the previous
    /// period and the current one, from when the estate or community was registered). Overdue
    /// ones first.
    ///
    /// Administrators, the bureau and party organisations at or above `org_id`.
    #[oai(path = "/deadlines", method = "get", operation_id = "listDeadlines")]
    async fn deadlines(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(min_length = 1, max_length = 64))] org_id: Query<String>,
        /// Only the overdue ones.
        overdue: Query<Option<bool>>,
    ) -> ApiResult<Json<Page<DeadlineItem>>> {
        let caller = auth.0.clone();
        let only_overdue = overdue.0.unwrap_or(false);
        let out = state
            .db
            .read(move |c| {
                let org = db::orgs::get(c, &org_id.0)?.ok_or(AppError::NotFound { what: "organisation" })?;
                check(&caller, &org_place(&org), &Action::ViewCoverage(org_place(&org)))?;
                deadline_items(c, &org, only_overdue, ids::today())
            })
            .await?;
        Ok(Json(Page::whole(out)))
    }
}

/// The deadlines of the committees, meetings and accounts under an organisation on `today`
/// (only the overdue ones with `only_overdue`), overdue ones first: `GET /deadlines`, and the
/// notices of overdue deadlines (`http::notices::overdue`).
pub(crate) fn deadline_items(
    c: &mut AnyConnection,
    org: &db::orgs::OrgRow,
    only_overdue: bool,
    today: chrono::NaiveDate,
) -> AppResult<Vec<DeadlineItem>> {
    let estate_rows = db::estates::all_within(c, &org.id)?;
    let estates: Vec<String> = estate_rows.iter().map(|e| e.id.clone()).collect();
    let community_of: std::collections::HashMap<&str, &str> = estate_rows
        .iter()
        .map(|e| (e.id.as_str(), e.community_id.as_str()))
        .collect();
    let mut items = Vec::new();
    let committees = db::committees::live_of_estates(c, &estates)?;
    let started = reelections(c, &committees)?;
    for com in committees {
        for d in rules::deadlines(com.kind()?, &facts(&com, started.get(&com.id).copied())) {
            let overdue = d.overdue(today);
            if d.done_on.is_some() || (only_overdue && !overdue) {
                continue;
            }
            items.push(DeadlineItem {
                committee_id: Some(com.id.clone()),
                community_id: community_of
                    .get(com.estate_id.as_str())
                    .copied()
                    .unwrap_or_default()
                    .to_string(),
                estate_id: Some(com.estate_id.clone()),
                deadline: DeadlineOut {
                    kind: d.kind,
                    due_on: d.due_on,
                    done_on: d.done_on,
                    overdue,
                },
            });
        }
    }
    let owed = crate::http::meetings::meetings_owed(c, org, &estate_rows, today)?;
    items.extend(owed.into_iter().filter(|i| !only_overdue || i.deadline.overdue));
    let accounts = crate::http::money::accounts_owed(c, &estate_rows, today)?;
    items.extend(accounts.into_iter().filter(|i| !only_overdue || i.deadline.overdue));
    items.sort_by_key(|i| (!i.deadline.overdue, i.deadline.due_on));
    Ok(items)
}
