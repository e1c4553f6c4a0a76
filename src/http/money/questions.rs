//! Owners' questions on a published statement and the company's answers: asked by an owner of
//! the estate, answered once within the county's window (counted from server time), both kept with
//! the statement.

use super::statements::load;
use super::*;
use crate::domain::webhook::WebhookEvent;

pub struct QuestionsApi;

fn question_event(event: WebhookEvent, ctx: &EstateCtx, q: &QuestionRow) -> Vec<db::webhooks::Outbound> {
    let data = crate::http::events::data(&crate::http::events::StatementQuestionData {
        question_id: q.id.clone(),
        statement_id: q.statement_id.clone(),
        estate_id: q.estate_id.clone(),
        answer_due: q.answer_due,
        answered_at: q.answered_at.map(ids::rfc3339),
    });
    db::webhooks::to_county_and_companies(
        event,
        &county_of(&ctx.estate.community_path),
        ctx.company.iter().map(|(c, _)| c.clone()),
        &q.id,
        &data,
    )
}

pub(super) fn question_out(q: QuestionRow, caller: &Caller, today: NaiveDate) -> StatementQuestion {
    let answered_on = q.answered_at.map(ids::local_date);
    StatementQuestion {
        mine: caller.principal.is_owner(&q.owner_id),
        overdue: q.answered_at.is_none() && today > q.answer_due,
        answered_late: answered_on.is_some_and(|d| d > q.answer_due),
        id: q.id,
        statement_id: q.statement_id,
        question: q.question,
        asked_at: utc(q.asked_at),
        answer_due: q.answer_due,
        answer: q.answer,
        answered_at: q.answered_at.map(utc),
    }
}

#[OpenApi(tag = "ApiTags::Money")]
impl QuestionsApi {
    /// Ask a question on a published statement (signed: the company sees that an owner asked,
    /// the owner's name stays with the record). The company answers within the county's window
    /// (7 days unless the county set fewer), counted from the day after it is asked; question and
    /// answer stay attached, visible to the estate's owners.
    ///
    /// The estate's owners.
    #[oai(
        path = "/statements/:id/questions",
        method = "post",
        operation_id = "askAboutStatement"
    )]
    async fn ask(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The statement.
        #[oai(validator(max_length = 64))]
        id: Path<String>,
        body: JsonBody<NewQuestion>,
    ) -> ApiResult<QuestionCreated> {
        let caller = auth.0;
        let b = body.0;
        let out =
            state
                .db
                .command(move |c, trail| {
                    let (s, ctx) = load(c, &caller, &id.0, false)?;
                    let actor = check(&caller, &ctx.place(), &Action::AskAboutAccounts(ctx.place()))?;
                    let owner_id = db::estates::holder_in(c, &caller.principal.owner_ids(), &ctx.estate.id)?
                        .ok_or_else(|| AppError::Forbidden {
                            detail: "only the estate's owners ask".into(),
                        })?;
                    let settings = settings_of(c, &ctx)?;
                    let now = ids::now();
                    let q = QuestionRow {
                        id: ids::new_id(),
                        statement_id: s.id.clone(),
                        estate_id: ctx.estate.id.clone(),
                        owner_id,
                        asked_by: actor.actor_id.clone(),
                        question: b.question,
                        asked_at: now,
                        answer_due: window::last_day(now, settings.answer_days),
                        answer: None,
                        answered_by: None,
                        answered_at: None,
                    };
                    db::money::insert_question(c, &q)?;
                    trail.record(
                        &actor,
                        "statement.question",
                        "statement_question",
                        &q.id,
                        &serde_json::json!({ "statement": q.statement_id, "answer_due": q.answer_due }),
                    )?;
                    for e in question_event(WebhookEvent::QuestionAsked, &ctx, &q) {
                        trail.publish(e);
                    }
                    Ok(question_out(q, &caller, ids::today()))
                })
                .await?;
        Ok(QuestionCreated::Created(Json(out)))
    }

    /// Answer an owner's question (once; the answer stands with the question). An answer after
    /// the last day is taken and marked late.
    ///
    /// The company under contract today (its people or its API key), administrators.
    #[oai(
        path = "/statement-questions/:id/answer",
        method = "post",
        operation_id = "answerStatementQuestion"
    )]
    async fn answer(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        /// The question.
        #[oai(validator(max_length = 64))]
        id: Path<String>,
        body: JsonBody<NewAnswer>,
    ) -> ApiResult<Json<StatementQuestion>> {
        let caller = auth.caller().clone();
        let b = body.0;
        let out = state
            .db
            .command(move |c, trail| {
                let not_found = || AppError::NotFound { what: "question" };
                let mut q = db::money::question_for_change(c, &id.0)?.ok_or_else(not_found)?;
                let (_, ctx) = load(c, &caller, &q.statement_id, false).map_err(|e| match e {
                    AppError::NotFound { .. } => not_found(),
                    e => e,
                })?;
                let actor = check(&caller, &ctx.place(), &Action::KeepAccounts(ctx.place()))?;
                if q.answered_at.is_some() {
                    return Err(AppError::conflict(
                        codes::QUESTION_ANSWERED,
                        "the question has its answer",
                    ));
                }
                let now = ids::now();
                q.answer = Some(b.answer);
                q.answered_by = Some(actor.actor_id.clone());
                q.answered_at = Some(now);
                db::money::save_question(c, &q)?;
                trail.record(
                    &actor,
                    "statement.answer",
                    "statement_question",
                    &q.id,
                    &serde_json::json!({ "statement": q.statement_id, "late": ids::local_date(now) > q.answer_due }),
                )?;
                for e in question_event(WebhookEvent::QuestionAnswered, &ctx, &q) {
                    trail.publish(e);
                }
                let about = crate::http::notices::raise::About::new(
                    crate::domain::notice::NoticeKind::QuestionAnswered,
                    &q.id,
                    "您对账目的询问已答复".to_string(),
                    "您在账目公示中提出的询问已有答复，请查阅。".to_string(),
                    format!("/web/accounts/{}", q.estate_id),
                );
                trail.notify(crate::http::notices::raise::to(
                    &ctx.estate,
                    [crate::domain::notice::Addressee::Owner(q.owner_id.clone())],
                    about,
                ));
                Ok(question_out(q, &caller, ids::today()))
            })
            .await?;
        Ok(Json(out))
    }
}
