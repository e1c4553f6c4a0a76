//! A vote's life: announced with its notice, opened with its roll frozen, extended once, watched.

use super::*;
use crate::domain::notice::NoticeKind;
use crate::http::notices;

pub struct VotesApi;

#[OpenApi(tag = "ApiTags::Votes")]
impl VotesApi {
    /// Announce a vote of the owners: its matter category, question or candidates, times and
    /// convenor. It may open no earlier than the county's notice period after the notice was posted.
    ///
    /// The estate's committee, party organisations above it (street office/township), administrators.
    #[oai(path = "/estates/:id/votes", method = "post", operation_id = "announceVote")]
    async fn announce(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        body: JsonBody<NewVote>,
    ) -> ApiResult<VoteCreated> {
        let caller = auth.0.clone();
        let input = body.0;
        let category =
            Category::from_number(input.category).ok_or_else(|| AppError::invalid("category", reason::RANGE, "1–9"))?;
        if input.closes_at <= input.opens_at {
            return Err(AppError::invalid("closes_at", reason::BEFORE_OPENING, "a vote closes after it opens").into());
        }
        if input.notice_posted_on.is_some_and(|d| d > ids::today()) {
            return Err(AppError::invalid(
                "notice_posted_on",
                reason::FUTURE,
                "a stated notice date cannot be in the future",
            )
            .into());
        }
        let out = state
            .db
            .command(move |c, trail| {
                let ctx = estate_ctx(c, &caller, &id.0)?;
                let actor = convene(&caller, &ctx)?;
                let rules = estate_rules(c, &ctx)?;
                // The notice runs from now, never from a date typed in (RULES.md §7).
                let announced = ids::now();
                let earliest = window::end(announced, rules.vote_notice_days);
                if input.opens_at.naive_utc() < earliest {
                    return Err(AppError::invalid("opens_at", reason::NOTICE_TOO_SHORT, format!("announced today, the vote may open at {} at the earliest ({} full days of notice)", ids::rfc3339(earliest), rules.vote_notice_days)));
                }
                let vote_id = ids::new_id();
                let mut options = Vec::new();
                let mut seats = None;
                let mut election_id = input.election_id.clone();
                match (input.kind, &input.election_id) {
                    (VoteKind::Election, None) if input.runoff_of.is_some() => {
                        if category != Category::CommitteeElection {
                            return Err(AppError::invalid("category", reason::ELECTION, "a run-off of a committee election is category 3"));
                        }
                        let orig_id = input.runoff_of.clone().unwrap_or_default();
                        let place_text = input.runoff_place.clone().ok_or_else(|| AppError::invalid("runoff_place", reason::REQUIRED, "name the tied place: seat or alternate:N"))?;
                        let place = voting::Place::parse(&place_text).ok_or_else(|| AppError::invalid("runoff_place", reason::FORMAT, "seat or alternate:N"))?;
                        let orig = db::votes::get(c, &orig_id)?
                            .filter(|o| o.estate_id == ctx.estate.id && o.kind().is_ok_and(|k| k == VoteKind::Election))
                            .ok_or_else(|| AppError::invalid("runoff_of", reason::NOT_FOUND, "no election vote of this estate with this id"))?;
                        ties::may_hold_runoff(rules.tie_rule)?;
                        let (outcome, _, orig_options) = election_outcome(c, &orig)?;
                        let tie = ties::unresolved(VoteKind::Election, &outcome, &place)?;
                        for cand in &tie.candidates {
                            let label = orig_options.iter().find(|o| &o.option_id == cand).map(|o| o.label.clone()).unwrap_or_default();
                            options.push(OptionRow { vote_id: vote_id.clone(), option_id: cand.clone(), label, position: options.len() as i32 });
                        }
                        seats = Some(tie.places as i32);
                        election_id = orig.election_id.clone();
                    }
                    (VoteKind::Election, Some(eid)) => {
                        voting::election_ballot(category, true)?;
                        let e = db::vetting::get_election(c, eid)?.ok_or_else(|| AppError::invalid("election_id", reason::NOT_FOUND, "no election with this id"))?;
                        let com = db::committees::get(c, &e.committee_id)?.ok_or_else(|| AppError::invalid("election_id", reason::NOT_FOUND, "no election with this id"))?;
                        let here = com.estate_id == ctx.estate.id;
                        voting::election_ballot(category, here && e.status()? == ElectionStatus::Final)?;
                        for (i, cand) in db::vetting::candidates_of(c, &e.id)?.into_iter().filter(|x| x.status().is_ok_and(CandidateStatus::on_final_list)).enumerate() {
                            let name = db::owners::get(c, &cand.owner_id)?.map(|o| o.name).unwrap_or_default();
                            options.push(OptionRow { vote_id: vote_id.clone(), option_id: cand.id, label: name, position: i as i32 });
                        }
                        if options.is_empty() {
                            return Err(AppError::invalid("election_id", reason::NO_CANDIDATES, "the final list is empty"));
                        }
                        seats = Some(e.seats);
                    }
                    (VoteKind::Election, None) => return Err(AppError::invalid("election_id", reason::REQUIRED, "an election vote names its election")),
                    (VoteKind::Question, Some(_)) => return Err(AppError::invalid("election_id", reason::NOT_ALLOWED, "only election votes name an election")),
                    (VoteKind::Question, None) => {}
                }
                if input.runoff_of.is_some() && (input.kind != VoteKind::Election || input.election_id.is_some()) {
                    return Err(AppError::invalid("runoff_of", reason::NOT_ALLOWED, "a run-off is an election vote that names the tied vote, not an election"));
                }
                if let Some(pid) = &input.proposal_id {
                    let p = db::votes::get_proposal(c, pid)?.ok_or_else(|| AppError::invalid("proposal_id", reason::NOT_FOUND, "no proposal with this id"))?;
                    if p.estate_id != ctx.estate.id || p.category != input.category {
                        return Err(AppError::invalid("proposal_id", reason::MISMATCH, "the proposal belongs to another estate or category"));
                    }
                    p.status()?.to_vote()?;
                }
                let row = VoteRow {
                    id: vote_id,
                    estate_id: ctx.estate.id.clone(),
                    category: input.category,
                    title: input.title.clone(),
                    question: input.question.clone(),
                    kind: input.kind.as_str().into(),
                    seats,
                    election_id,
                    proposal_id: input.proposal_id.clone(),
                    convenor: input.convenor.as_str().into(),
                    include_parking: input.include_parking,
                    notice_posted_on: input.notice_posted_on.unwrap_or(ids::local_date(announced)),
                    opens_at: ids::truncate_micros(input.opens_at.naive_utc()),
                    closes_at: ids::truncate_micros(input.closes_at.naive_utc()),
                    extension_reason: None,
                    opened_at: None,
                    roll_fingerprint: None,
                    total_area: None,
                    total_heads: None,
                    created_by: actor.actor_id.clone(),
                    created_at: announced,
                    runoff_of: input.runoff_of.clone(),
                    runoff_place: input.runoff_place.clone(),
                };
                db::votes::insert(c, &row)?;
                db::votes::insert_options(c, &options)?;
                trail.record(&actor, "vote.announce", "vote", &row.id, &serde_json::json!({ "estate": row.estate_id, "category": row.category, "kind": row.kind, "opens_at": row.opens_at, "closes_at": row.closes_at }))?;
                // The statutory notice to every owner (RULES.md §10), proved owner by owner.
                trail.notify(vote_notice(NoticeKind::VoteAnnounced, &row, &ctx));
                vote_out(c, row)
            })
            .await?;
        Ok(VoteCreated::Created(Json(out)))
    }

    /// An estate's votes, newest first.
    ///
    /// Whoever may see the estate.
    #[oai(path = "/estates/:id/votes", method = "get", operation_id = "listVotes")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<Json<Page<Vote>>> {
        let caller = auth.caller().clone();
        let out = state
            .db
            .read(move |c| {
                let ctx = estate_ctx(c, &caller, &id.0)?;
                check(&caller, &ctx.place(), &Action::ViewPublic(ctx.place()))?;
                db::votes::of_estate(c, &ctx.estate.id)?
                    .into_iter()
                    .map(|v| vote_out(c, v))
                    .collect()
            })
            .await?;
        Ok(Json(Page::whole(out)))
    }

    /// A vote: status, and once open the frozen roll's totals and fingerprint.
    ///
    /// Whoever may see the estate.
    #[oai(path = "/votes/:id", method = "get", operation_id = "getVote")]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<Json<Vote>> {
        let caller = auth.caller().clone();
        let out = state
            .db
            .read(move |c| {
                let (v, _) = load(c, &caller, &id.0)?;
                vote_out(c, v)
            })
            .await?;
        Ok(Json(out))
    }

    /// Open the vote: the roll is frozen from the registry by the SPC rules and its totals and
    /// fingerprint are published.
    ///
    /// The convenor (the estate's committee, party organisations above it, administrators).
    #[oai(path = "/votes/:id/opening", method = "post", operation_id = "openVote")]
    async fn open(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<Json<Vote>> {
        let caller = auth.0.clone();
        let out = state
            .db
            .command(move |c, trail| {
                let (mut v, ctx) = load(c, &caller, &id.0)?;
                let actor = convene(&caller, &ctx)?;
                let now = ids::now();
                v.status_at(now).open(v.opens_at, v.closes_at, now)?;
                let inputs = db::estates::headcount_inputs(c, &v.estate_id, v.include_parking)?;
                let voters = headcount::voters(&inputs);
                let totals = headcount::totals(&voters);
                let rows: Vec<RollRow> = voters
                    .iter()
                    .map(|x| RollRow {
                        vote_id: v.id.clone(),
                        voter_id: ids::new_id(),
                        voter_key: x.key.canonical(),
                        area_centi: x.area_centi,
                        unit_count: x.unit_ids.len() as i32,
                        designated_owner_id: x.designated_owner_id.clone(),
                    })
                    .collect();
                db::votes::insert_roll(c, &rows)?;
                v.opened_at = Some(now);
                v.roll_fingerprint = Some(headcount::fingerprint(&voters));
                v.total_area = Some(totals.total_area_centi);
                v.total_heads = Some(totals.total_heads);
                db::votes::save(c, &v)?;
                trail.record(&actor, "vote.open", "vote", &v.id, &serde_json::json!({ "fingerprint": v.roll_fingerprint, "total_area": v.total_area, "total_heads": v.total_heads }))?;
                trail.publish(vote_event(WebhookEvent::VoteOpened, &v, &ctx));
                // Told when it closes (moved if it is extended).
                trail.publish(vote_event(WebhookEvent::VoteClosed, &v, &ctx).at(v.closes_at));
                trail.notify(vote_notice(NoticeKind::VoteOpened, &v, &ctx));
                trail.notify(notices::raise::at(vote_notice(NoticeKind::VoteClosing, &v, &ctx), closing_reminder_at(&v)));
                trail.notify(notices::raise::at(vote_notice(NoticeKind::VoteClosed, &v, &ctx), v.closes_at));
                vote_out(c, v)
            })
            .await?;
        Ok(Json(out))
    }

    /// Extend the closing time, once, with a reason (e.g. turnout is short).
    ///
    /// The convenor.
    #[oai(path = "/votes/:id/extension", method = "post", operation_id = "extendVote")]
    async fn extend(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        body: JsonBody<Extension>,
    ) -> ApiResult<Json<Vote>> {
        let caller = auth.0.clone();
        let input = body.0;
        let out = state
            .db
            .command(move |c, trail| {
                let (mut v, ctx) = load(c, &caller, &id.0)?;
                let actor = convene(&caller, &ctx)?;
                v.status_at(ids::now()).extend(v.extension_reason.is_some())?;
                let new_close = ids::truncate_micros(input.closes_at.naive_utc());
                if new_close <= v.closes_at {
                    return Err(AppError::invalid(
                        "closes_at",
                        reason::NOT_LATER,
                        "an extension moves the closing time later",
                    ));
                }
                let old = v.closes_at;
                v.closes_at = new_close;
                v.extension_reason = Some(input.reason.clone());
                db::votes::save(c, &v)?;
                let closed = vote_event(WebhookEvent::VoteClosed, &v, &ctx);
                db::webhooks::reschedule(c, &v.id, WebhookEvent::VoteClosed, new_close, &closed.data)?;
                for (kind, at) in [
                    (NoticeKind::VoteClosing, closing_reminder_at(&v)),
                    (NoticeKind::VoteClosed, new_close),
                ] {
                    let n = vote_notice(kind, &v, &ctx);
                    db::notices::reschedule(c, &v.id, kind, at, new_close, &n.body)?;
                }
                trail.record(
                    &actor,
                    "vote.extend",
                    "vote",
                    &v.id,
                    &serde_json::json!({ "from": old, "to": new_close, "reason": input.reason }),
                )?;
                vote_out(c, v)
            })
            .await?;
        Ok(Json(out))
    }

    /// Turnout so far: how many have voted, by area and heads — never how.
    ///
    /// The convenor.
    #[oai(path = "/votes/:id/turnout", method = "get", operation_id = "voteTurnout")]
    async fn turnout(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<Json<Turnout>> {
        let caller = auth.0.clone();
        let out = state
            .db
            .read(move |c| {
                let (v, ctx) = load(c, &caller, &id.0)?;
                convene(&caller, &ctx)?;
                let f = figures(c, &v)?;
                Ok(Turnout {
                    total_area_centi_m2: f.total_area,
                    total_heads: f.total_heads,
                    voted_area_centi_m2: f.voted_area(),
                    voted_heads: f.voted_heads(),
                })
            })
            .await?;
        Ok(Json(out))
    }

    /// The frozen roll (voters with their areas): for entering paper ballots and checking.
    ///
    /// The convenor and whoever may see the estate's personal data.
    #[oai(path = "/votes/:id/roll", method = "get", operation_id = "voteRoll")]
    async fn roll(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))] limit: Query<Option<u32>>,
        #[oai(validator(max_length = 200))] cursor: Query<Option<String>>,
    ) -> ApiResult<crate::http::json::FastJson<Page<RollEntry>>> {
        let caller = auth.0.clone();
        let limit = paging::limit(limit.0);
        let after = paging::decode_cursor::<String>(cursor.0.as_deref())?;
        let rows = state
            .db
            .read(move |c| {
                let (v, ctx) = load(c, &caller, &id.0)?;
                if authorize(&caller.principal, &Action::ConveneVote(ctx.place())).is_err() {
                    check(&caller, &ctx.place(), &Action::ViewPrivate(ctx.place()))?;
                }
                db::votes::roll_page(c, &v.id, after.as_deref(), paging::fetch(limit))
            })
            .await?;
        let (rows, next_cursor) = paging::page(rows, limit, |r| r.voter_id.clone());
        let items = rows
            .into_iter()
            .map(|r| RollEntry {
                voter_id: r.voter_id,
                voter_key: r.voter_key,
                area_centi_m2: r.area_centi,
                unit_count: r.unit_count,
                designated_owner_id: r.designated_owner_id,
            })
            .collect();
        Ok(crate::http::json::FastJson(Page { items, next_cursor }))
    }
}
