//! Ballots: an owner's online ballot (through the batch writer), a signed paper ballot, and what an owner cast.

use super::*;

pub struct BallotsApi;

#[OpenApi(tag = "ApiTags::Votes")]
impl BallotsApi {
    /// Cast (or change) one's ballot while the vote is open; the last ballot counts.
    ///
    /// An owner who casts a voter's ballot on the roll (the designated co-owner).
    #[oai(path = "/votes/:id/ballots", method = "post", operation_id = "castBallot")]
    async fn ballot(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        body: JsonBody<BallotInput>,
    ) -> ApiResult<BallotAccepted> {
        let caller = auth.0.clone();
        let input = body.0;
        let owners = caller.principal.owner_ids();
        if owners.is_empty() {
            return Err(AppError::forbidden().into());
        }
        // The checks need only the frozen roll (kept in memory, see `db::rolls`); the write is
        // queued for the batch writer, which checks the closing time again as it writes.
        let (roll, entries) = state
            .rolls
            .context(&state.db, &id.0, &owners)
            .await?
            // The roll decides who votes here; no roll entry means not visible to this owner.
            .ok_or(AppError::NotFound { what: "vote" })?;
        // The roll decides who votes: the caller holds an entry of it (owns here, as frozen).
        let place = Place {
            estate_ids: vec![&roll.vote.estate_id],
            caller_owns_here: !entries.is_empty(),
            ..Place::default()
        };
        let actor = caller.may(&Action::CastBallot(place))?;
        let entry = choose_entry(entries, input.voter_id.as_deref())?;
        let content = ballot_content(&roll.vote, &roll.options, input.choice, input.selections)?;
        let ballot = new_ballot(&roll.vote, &entry, content, None, actor)?;
        let out = receipt_out(&ballot.history);
        state.ballots.submit(ballot).await?;
        Ok(BallotAccepted::Created(Json(out)))
    }

    /// Enter a signed paper ballot collected door to door, with a reference to its scan. A paper
    /// ballot prevails over online ones for the same voter.
    ///
    /// The convenor.
    #[oai(
        path = "/votes/:id/paper-ballots",
        method = "post",
        operation_id = "enterPaperBallot"
    )]
    async fn paper(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        body: JsonBody<PaperBallotInput>,
    ) -> ApiResult<BallotAccepted> {
        let caller = auth.0.clone();
        let input = body.0;
        // Not a command: a ballot carries its own audit event, which the ballot writer appends
        // with it (as for online ballots).
        let out = state
            .db
            .write(move |c| {
                let (v, ctx) = load(c, &caller, &id.0)?;
                let actor = convene(&caller, &ctx)?;
                let entry = db::votes::entry(c, &v.id, &input.voter_id)?
                    .ok_or_else(|| AppError::invalid("voter_id", reason::NOT_ON_ROLL, "no such voter on the roll"))?;
                let options = db::votes::options_of(c, &v.id)?;
                let content = ballot_content(&v, &options, input.choice, input.selections)?;
                let ballot = new_ballot(&v, &entry, content, Some(input.paper_ref), actor)?;
                db::votes::record_ballots(c, std::slice::from_ref(&ballot))?
                    .pop()
                    .unwrap_or(Ok(()))?;
                Ok(receipt_out(&ballot.history))
            })
            .await?;
        Ok(BallotAccepted::Created(Json(out)))
    }

    /// The caller's ballots, one per voter (roll entry) whose ballot the caller casts: for each,
    /// the one that counts and every earlier one, with receipts.
    ///
    /// An owner on the roll.
    #[oai(path = "/votes/:id/my-ballot", method = "get", operation_id = "myBallot")]
    async fn my_ballot(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<Json<MyBallots>> {
        let owners = auth.0.principal.owner_ids();
        let out = state
            .db
            .read(move |c| {
                let entries = db::votes::entries_for_owners(c, &id.0, &owners)?;
                if entries.is_empty() {
                    return Err(AppError::NotFound { what: "vote" });
                }
                let mut out = Vec::new();
                for entry in entries {
                    let history = db::votes::history(c, &id.0, &entry.voter_id)?;
                    let current = db::votes::current(c, &id.0, &entry.voter_id)?;
                    out.push(MyBallot {
                        current: current
                            .and_then(|cur| history.iter().find(|h| h.id == cur.ballot_id).map(receipt_out)),
                        history: history.iter().map(receipt_out).collect(),
                        voter_id: entry.voter_id,
                        area_centi_m2: entry.area_centi,
                        unit_count: entry.unit_count,
                    });
                }
                Ok(MyBallots { entries: out })
            })
            .await?;
        Ok(Json(out))
    }
}

/// The roll entry a ballot is for: the one named, or the caller's only one. An owner who casts
/// the ballots of several voters must name one: the answer lists them.
pub(crate) fn choose_entry(entries: Vec<RollRow>, named: Option<&str>) -> AppResult<RollRow> {
    let listed = || {
        entries
            .iter()
            .map(|e| {
                crate::error::FieldError::new(
                    "voter_id",
                    reason::YOUR_VOTER,
                    format!("{}: {} unit(s), {} centi-m²", e.voter_id, e.unit_count, e.area_centi),
                )
            })
            .collect::<Vec<_>>()
    };
    match named {
        Some(v) => match entries.iter().find(|e| e.voter_id == v) {
            Some(e) => Ok(e.clone()),
            None => Err(AppError::Unprocessable {
                code: codes::NOT_YOUR_VOTER,
                detail: "you do not cast this voter's ballot; yours are listed".into(),
                errors: listed(),
            }),
        },
        None if entries.len() == 1 => Ok(entries.into_iter().next().expect("one entry")),
        None => Err(AppError::Unprocessable {
            code: codes::AMBIGUOUS_VOTER,
            detail: "you cast the ballots of several voters: name the one this ballot is for in `voter_id`".into(),
            errors: listed(),
        }),
    }
}

/// Checks a ballot's content against the vote and returns (choice, selections).
pub(crate) fn ballot_content(
    v: &VoteRow,
    options: &[OptionRow],
    choice: Option<Choice>,
    selections: Option<Vec<String>>,
) -> AppResult<(String, Vec<String>)> {
    match (v.kind()?, choice, selections) {
        (VoteKind::Question, Some(c), None) => Ok((c.as_str().into(), Vec::new())),
        (VoteKind::Question, _, _) => Err(AppError::invalid(
            "choice",
            reason::REQUIRED,
            "answer with a choice: yes, no or abstain",
        )),
        (VoteKind::Election, None, Some(mut s)) => {
            s.sort();
            s.dedup();
            if s.len() > v.seats.unwrap_or(0) as usize {
                return Err(AppError::invalid(
                    "selections",
                    reason::TOO_MANY,
                    "choose at most as many candidates as there are seats",
                ));
            }
            if let Some(bad) = s.iter().find(|x| !options.iter().any(|o| &o.option_id == *x)) {
                return Err(AppError::invalid(
                    "selections",
                    reason::NOT_A_CANDIDATE,
                    format!("{bad} is not on the ballot"),
                ));
            }
            Ok((VoteKind::Election.as_str().into(), s))
        }
        _ => Err(AppError::invalid(
            "selections",
            reason::REQUIRED,
            "an election ballot lists its selections",
        )),
    }
}

/// A ballot for a voter of an open vote, ready to be recorded with the event that audits it.
/// (Whether a paper ballot prevails is decided as it is written: `db::votes::record`.)
pub(crate) fn new_ballot(
    v: &VoteRow,
    entry: &RollRow,
    content: (String, Vec<String>),
    paper_ref: Option<String>,
    actor: audit::Actor,
) -> AppResult<NewBallot> {
    let now = ids::now();
    v.status_at(now)
        .cast()
        .map_err(|_| AppError::from(NotRecorded::Closed))?;
    let (choice, selections) = content;
    let joined = selections.join(",");
    let id = ids::new_id();
    let h = HistoryRow {
        receipt: voting::receipt(&v.id, &entry.voter_id, &id, &choice, &joined, now),
        id,
        vote_id: v.id.clone(),
        voter_id: entry.voter_id.clone(),
        choice,
        selections: joined,
        channel: if paper_ref.is_some() {
            Channel::Paper
        } else {
            Channel::Online
        }
        .as_str()
        .into(),
        paper_ref: paper_ref.clone(),
        cast_by: actor.actor_id.clone(),
        cast_at: now,
    };
    let (action, change) = voting::audited_ballot(&h.voter_id, &h.receipt, paper_ref.as_deref());
    Ok(NewBallot {
        event: audit::Event {
            actor,
            action,
            target_type: "vote",
            target_id: v.id.clone(),
            change,
        },
        history: h,
        selections,
    })
}
