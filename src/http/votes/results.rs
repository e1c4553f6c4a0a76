//! A closed vote's result under Art. 278, and the ties of an election resolved by run-off or lots.

use super::*;

pub struct ResultsApi;

#[OpenApi(tag = "ApiTags::Votes")]
impl ResultsApi {
    /// The result, published when the vote closes: every figure by area and heads, the fractions,
    /// the outcome and the roll's fingerprint. The receipts of the counted ballots are their
    /// own list (`/votes/{id}/receipts`).
    ///
    /// Whoever may see the estate.
    #[oai(path = "/votes/:id/result", method = "get", operation_id = "voteResult")]
    async fn result(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<Json<VoteResult>> {
        let caller = auth.caller().clone();
        let out = state
            .db
            .read(move |c| {
                let (v, _) = load(c, &caller, &id.0)?;
                result_of(c, &v)
            })
            .await?;
        Ok(Json(out))
    }

    /// The receipts of the counted ballots, published when the vote closes, in receipt order:
    /// anyone may check that theirs was counted, and count them.
    ///
    /// Whoever may see the estate.
    #[oai(path = "/votes/:id/receipts", method = "get", operation_id = "listReceipts")]
    async fn receipts(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))] limit: Query<Option<u32>>,
        #[oai(validator(max_length = 200))] cursor: Query<Option<String>>,
    ) -> ApiResult<crate::http::json::FastJson<Page<CountedReceipt>>> {
        let caller = auth.caller().clone();
        let limit = paging::limit(limit.0);
        let after = paging::decode_cursor::<String>(cursor.0.as_deref())?;
        let rows = state
            .db
            .read(move |c| {
                let (v, _) = load(c, &caller, &id.0)?;
                v.status_at(ids::now()).result()?;
                db::votes::receipts_page(c, &v.id, after.as_deref(), paging::fetch(limit))
            })
            .await?;
        let (rows, next_cursor) = paging::page(rows, limit, |(r, _)| r.clone());
        Ok(crate::http::json::FastJson(Page {
            items: rows
                .into_iter()
                .map(|(receipt, channel)| CountedReceipt { receipt, channel })
                .collect(),
            next_cursor,
        }))
    }

    /// Check one receipt: found when the ballot it was given for is counted (404 when it is
    /// not — replaced by a later ballot of the same voter, or never cast).
    ///
    /// Whoever may see the estate.
    #[oai(path = "/votes/:id/receipts/:receipt", method = "get", operation_id = "checkReceipt")]
    async fn receipt(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        /// The receipt a ballot's answer gave.
        #[oai(validator(max_length = 64))]
        receipt: Path<String>,
    ) -> ApiResult<Json<CountedReceipt>> {
        let caller = auth.caller().clone();
        let (receipt, channel) = state
            .db
            .read(move |c| {
                let (v, _) = load(c, &caller, &id.0)?;
                v.status_at(ids::now()).result()?;
                db::votes::counted_receipt(c, &v.id, &receipt.0)?.ok_or(AppError::NotFound { what: "receipt" })
            })
            .await?;
        Ok(Json(CountedReceipt { receipt, channel }))
    }

    /// Record how a tie at the boundary of a closed election (the last seat, or an alternate
    /// place) was resolved, by the county's rule: the result of a run-off vote among the tied
    /// candidates (`runoff`, with `runoff_vote_id`), or lots drawn in public (`lots`, with the
    /// order drawn, who drew and a witness). The seat tie comes first. Once recorded, the result
    /// shows the place decided.
    ///
    /// The convenor (the estate's committee, party organisations above it, administrators).
    #[oai(path = "/votes/:id/tie-resolutions", method = "post", operation_id = "resolveTie")]
    async fn resolve_tie(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        body: JsonBody<TieResolutionInput>,
    ) -> ApiResult<Json<VoteResult>> {
        let caller = auth.0.clone();
        let input = body.0;
        let out = state
            .db
            .command(move |c, trail| {
                let (v, ctx) = load(c, &caller, &id.0)?;
                let actor = convene(&caller, &ctx)?;
                v.status_at(ids::now()).result()?;
                let place = voting::Place::parse(&input.place).ok_or_else(|| AppError::invalid("place", reason::FORMAT, "seat or alternate:N"))?;
                let (outcome, _, _) = election_outcome(c, &v)?;
                let tie = ties::unresolved(v.kind()?, &outcome, &place)?;
                ties::by_county_rule(input.method, estate_rules(c, &ctx)?.tie_rule)?;
                let now = ids::now();
                let mut row = TieResolutionRow {
                    id: ids::new_id(),
                    vote_id: v.id.clone(),
                    place: place.as_text(),
                    method: String::new(),
                    winners: String::new(),
                    runoff_vote_id: None,
                    drawn_by: None,
                    witness: None,
                    drawn_at: None,
                    recorded_by: actor.actor_id.clone(),
                    recorded_at: now,
                };
                let order = match input.method {
                    TieRule::Lots => {
                        let (order, drawn_by, witness) = ties::by_lots(&tie, input.order.as_deref(), input.drawn_by.as_deref(), input.witness.as_deref())?;
                        row.drawn_by = Some(drawn_by);
                        row.witness = Some(witness);
                        row.drawn_at = Some(now);
                        order
                    }
                    TieRule::Runoff => {
                        let rid = input.runoff_vote_id.clone().ok_or_else(|| AppError::invalid("runoff_vote_id", reason::REQUIRED, "the run-off vote"))?;
                        let r = db::votes::get(c, &rid)?
                            .filter(|r| r.runoff_of.as_deref() == Some(&v.id) && r.runoff_place.as_deref() == Some(&place.as_text()))
                            .ok_or_else(|| AppError::invalid("runoff_vote_id", reason::NOT_A_RUNOFF, "no run-off of this vote at this place"))?;
                        let options = db::votes::options_of(c, &r.id)?;
                        let supports = supports_of(c, &r, &options)?;
                        row.runoff_vote_id = Some(r.id.clone());
                        ties::by_runoff(r.status_at(now), &figures(c, &r)?, &supports, tie.places)?
                    }
                };
                row.method = input.method.as_str().into();
                row.winners = order.join(",");
                db::votes::insert_tie_resolution(c, &row)?;
                trail.record(&actor, "vote.tie_resolved", "vote", &v.id, &serde_json::json!({ "place": row.place, "method": row.method, "order": order, "runoff": row.runoff_vote_id, "witness": row.witness }))?;
                result_of(c, &v)
            })
            .await?;
        Ok(Json(out))
    }
}

/// The figures of a vote's current ballots (aggregate queries) against its frozen totals.
pub(crate) fn figures(conn: &mut AnyConnection, v: &VoteRow) -> AppResult<Figures> {
    let mut f = Figures {
        total_area: v.total_area.unwrap_or(0),
        total_heads: v.total_heads.unwrap_or(0),
        ..Figures::default()
    };
    for (choice, heads, area) in db::tallies::choices(conn, v, ids::now())?.iter() {
        let (heads, area) = (*heads, *area);
        match choice.as_str() {
            "yes" => (f.yes_heads, f.yes_area) = (heads, area),
            "no" => (f.no_heads, f.no_area) = (heads, area),
            // Election ballots count toward participation; their support is per candidate.
            _ => (f.abstain_heads, f.abstain_area) = (f.abstain_heads + heads, f.abstain_area + area),
        }
    }
    Ok(f)
}

/// A closed election vote's outcome with its supports and options, applying the tie
/// resolutions recorded for it.
pub fn election_outcome(
    conn: &mut AnyConnection,
    v: &VoteRow,
) -> AppResult<(voting::ElectionOutcome, Vec<Support>, Vec<OptionRow>)> {
    let f = figures(conn, v)?;
    let options = db::votes::options_of(conn, &v.id)?;
    let supports = supports_of(conn, v, &options)?;
    let resolved: Vec<Vec<String>> = db::votes::tie_resolutions(conn, &v.id)?
        .iter()
        .map(|r| r.order())
        .collect();
    let outcome = voting::elect(v.seats.unwrap_or(0) as usize, &f, &supports, &resolved);
    Ok((outcome, supports, options))
}

/// Each candidate's support (heads and area of the voters who chose them).
pub(crate) fn supports_of(conn: &mut AnyConnection, v: &VoteRow, options: &[OptionRow]) -> AppResult<Vec<Support>> {
    let support = db::tallies::selections(conn, v, ids::now())?;
    Ok(options
        .iter()
        .map(|o| {
            let (h, a) = support
                .iter()
                .find(|(id, _, _)| *id == o.option_id)
                .map(|(_, h, a)| (*h, *a))
                .unwrap_or((0, 0));
            Support {
                candidate_id: o.option_id.clone(),
                yes_area: a,
                yes_heads: h,
            }
        })
        .collect())
}

/// The published result of a closed vote (computed from its frozen roll and final ballots, so
/// every reading gives the same figures; the counts are kept once settled, `db::tallies`).
pub fn result_of(conn: &mut AnyConnection, v: &VoteRow) -> AppResult<VoteResult> {
    v.status_at(ids::now()).result()?;
    let category =
        Category::from_number(v.category).ok_or_else(|| AppError::Internal("stored category out of range".into()))?;
    let f = figures(conn, v)?;
    let mut candidates = Vec::new();
    let mut ties = Vec::new();
    let mut decided = None;
    let kind = v.kind()?;
    let outcome = if kind == VoteKind::Election {
        let (e, supports, options) = election_outcome(conn, v)?;
        let label = |id: &str| {
            options
                .iter()
                .find(|o| o.option_id == id)
                .map(|o| o.label.clone())
                .unwrap_or_default()
        };
        for s in &supports {
            let tied = e
                .ties
                .iter()
                .any(|t| t.place == voting::Place::Seat && t.candidates.contains(&s.candidate_id));
            let rank = e.alternates.iter().position(|g| g.contains(&s.candidate_id));
            let (result, alternate_rank) = if e.elected.contains(&s.candidate_id) {
                (CandidateOutcome::Elected, None)
            } else if tied {
                (CandidateOutcome::TiedForSeat, None)
            } else if let Some(r) = rank {
                // The place of the first of the rank's group (ties share it).
                let place = e.alternates[..r].iter().map(Vec::len).sum::<usize>() + 1;
                (CandidateOutcome::Alternate, Some(place as i32))
            } else {
                (CandidateOutcome::NotElected, None)
            };
            candidates.push(CandidateResult {
                option_id: s.candidate_id.clone(),
                label: label(&s.candidate_id),
                yes_area_centi_m2: s.yes_area,
                yes_heads: s.yes_heads,
                result,
                alternate_rank,
            });
        }
        for t in &e.ties {
            ties.push(TieOut {
                place: t.place.as_text(),
                candidates: t.candidates.clone(),
                places: t.places as i32,
            });
        }
        decided = Some(e.decided());
        e.outcome()
    } else {
        voting::outcome(category, &f)
    };
    let turnout = ResultTurnout {
        total_area_centi_m2: f.total_area,
        total_heads: f.total_heads,
        voted_area_centi_m2: f.voted_area(),
        voted_heads: f.voted_heads(),
        participation_area: fraction(f.voted_area(), f.total_area),
        participation_heads: fraction(f.voted_heads(), f.total_heads),
    };
    // An election's ballots choose candidates: yes/no/abstain figures do not apply to it.
    let tally = (kind != VoteKind::Election).then(|| Tally {
        total_area_centi_m2: f.total_area,
        total_heads: f.total_heads,
        voted_area_centi_m2: f.voted_area(),
        voted_heads: f.voted_heads(),
        yes_area_centi_m2: f.yes_area,
        yes_heads: f.yes_heads,
        no_area_centi_m2: f.no_area,
        no_heads: f.no_heads,
        abstain_area_centi_m2: f.abstain_area,
        abstain_heads: f.abstain_heads,
        participation_area: fraction(f.voted_area(), f.total_area),
        participation_heads: fraction(f.voted_heads(), f.total_heads),
        approval_area: fraction(f.yes_area, f.voted_area()),
        approval_heads: fraction(f.yes_heads, f.voted_heads()),
    });
    Ok(VoteResult {
        vote_id: v.id.clone(),
        category: v.category,
        outcome,
        turnout,
        tally,
        candidates,
        ties,
        decided,
        roll_fingerprint: v.roll_fingerprint.clone().unwrap_or_default(),
        participation_required: voting::PARTICIPATION.into(),
        approval_required: voting::approval(category).into(),
    })
}
