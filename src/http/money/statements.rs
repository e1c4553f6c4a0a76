//! Statements (账目公示): built from an account's entries of a period, published only when they
//! reconcile to the fen, versioned and never edited (a correction is a new version that says what
//! changed and why); read whole, by lines, as a workbook and as an A4 page (`documents.rs`).

use super::documents::{print_page, sheets};
use super::questions::question_out;
use super::*;
use crate::domain::money::{Period, Reconciled};
use crate::domain::webhook::WebhookEvent;
use crate::http::ratings::export;

pub struct StatementsApi;

/// A statement's figures and lines, built from the entries of its period as they are now and
/// checked against every rule of RULES.md §9.
struct Built {
    figures: Reconciled,
    lines: Vec<LineRow>,
    fingerprint: String,
}

fn build(
    conn: &mut AnyConnection,
    estate_id: &str,
    account: Account,
    period: Period,
    opening: Fen,
    closing: Fen,
    statement_id: &str,
) -> AppResult<Built> {
    let entries: Vec<EntryRow> = db::money::entries_between(conn, estate_id, account, period.from, period.to)?
        .into_iter()
        .filter(|e| e.amount_fen > 0)
        .collect();
    let lines = entries
        .iter()
        .map(|e| {
            Ok(money::Line {
                kind: e.kind()?,
                amount: Fen(e.amount_fen),
            })
        })
        .collect::<AppResult<Vec<_>>>()?;
    let figures = money::reconcile(opening, lines, closing)?;
    match account {
        Account::CommonIncome => money::check_costs(&figures, share_on(conn, estate_id, period.to)?)?,
        Account::MaintenanceFund => {
            if let Some(balance) = db::money::fund_balance(conn, estate_id, Some(period.to))?.map(|(_, b)| b) {
                if balance != closing.0 {
                    return Err(AppError::rule(
                        codes::STATEMENT_BALANCE_MISMATCH,
                        format!(
                            "the county's fund records give a balance of {} yuan on {}; the statement closes at {closing}",
                            Fen(balance),
                            period.to
                        ),
                    ));
                }
            }
        }
    }
    let mut text = format!(
        "{}|{}|{}|{}|{}|{}|{}\n",
        account.as_str(),
        period.from,
        period.to,
        figures.opening.0,
        figures.income.0,
        figures.spending.0,
        figures.closing.0
    );
    let lines: Vec<LineRow> = entries
        .into_iter()
        .enumerate()
        .map(|(i, e)| {
            text.push_str(&format!(
                "{}|{}|{}|{}|{}\n",
                e.id, e.kind, e.category, e.amount_fen, e.occurred_on
            ));
            LineRow {
                statement_id: statement_id.to_string(),
                seq: i as i32 + 1,
                entry_id: e.id,
                kind: e.kind,
                category: e.category,
                amount_fen: e.amount_fen,
                occurred_on: e.occurred_on,
                counterparty: e.counterparty,
                description: e.description,
            }
        })
        .collect();
    Ok(Built {
        figures,
        fingerprint: crate::crypto::sha256_hex(text),
        lines,
    })
}

/// The version in force of the account's statement for the period just before `from`, if any.
fn previous(in_force: &[StatementRow], from: NaiveDate) -> Option<&StatementRow> {
    in_force
        .iter()
        .filter(|s| s.period_to < from)
        .max_by_key(|s| s.period_to)
}

/// A statement opens at the last one's close; the fund's first at the county's balance the day
/// before its period (when the county's records reach back that far).
fn check_opening(
    conn: &mut AnyConnection,
    ctx: &EstateCtx,
    account: Account,
    published: &[StatementRow],
    period: Period,
    opening: i64,
) -> AppResult<()> {
    let known = match previous(published, period.from) {
        Some(p) => Some(p.closing_fen),
        None if account == Account::MaintenanceFund => {
            db::money::fund_balance(conn, &ctx.estate.id, Some(period.from - chrono::Duration::days(1)))?
                .map(|(_, b)| b)
        }
        None => None,
    };
    Ok(money::check_opening(known.map(Fen), Fen(opening))?)
}

fn row_of(ctx: &EstateCtx, account: Account, period: Period, version: i32, b: &Built, note: String) -> StatementRow {
    StatementRow {
        id: String::new(),
        estate_id: ctx.estate.id.clone(),
        account: account.as_str().into(),
        period_from: period.from,
        period_to: period.to,
        version,
        status: StatementStatus::Published.as_str().into(),
        opening_fen: b.figures.opening.0,
        income_fen: b.figures.income.0,
        spending_fen: b.figures.spending.0,
        costs_fen: b.figures.costs.0,
        closing_fen: b.figures.closing.0,
        line_count: b.lines.len() as i32,
        fingerprint: b.fingerprint.clone(),
        note,
        supersedes: None,
        correction_reason: None,
        changes: None,
        company_id: ctx.company.as_ref().map(|(c, _)| c.clone()),
        published_by: String::new(),
        published_at: ids::now(),
    }
}

/// The event of a published statement: to the county and the estate's company.
/// The notice of a published statement (or its correction) to the estate's owners (RULES.md §9, §10).
fn published_notice(ctx: &EstateCtx, s: &StatementRow) -> db::notices::Raise {
    use crate::http::notices::raise::{self, About};
    let account = s.account().map(|a| a.label()).unwrap_or_default();
    let title = if s.version > 1 {
        format!("账目更正公示：{account} {} 至 {}", s.period_from, s.period_to)
    } else {
        format!("账目公示：{account} {} 至 {}", s.period_from, s.period_to)
    };
    let about = About::new(
        crate::domain::notice::NoticeKind::StatementPublished,
        &s.id,
        title,
        "本期账目已公示，业主可查看明细并在答复期内提出询问。".to_string(),
        format!("/web/accounts/{}", s.estate_id),
    );
    raise::to_estate(&ctx.estate, about)
}

fn published_event(ctx: &EstateCtx, s: &StatementRow) -> Vec<db::webhooks::Outbound> {
    let data = crate::http::events::data(&crate::http::events::StatementPublishedData {
        statement_id: s.id.clone(),
        estate_id: s.estate_id.clone(),
        account: s.account.clone(),
        period_from: s.period_from,
        period_to: s.period_to,
        version: s.version,
        supersedes: s.supersedes.clone(),
        closing_fen: s.closing_fen,
        fingerprint: s.fingerprint.clone(),
    });
    db::webhooks::to_county_and_companies(
        WebhookEvent::StatementPublished,
        &county_of(&ctx.estate.community_path),
        ctx.company.iter().map(|(c, _)| c.clone()),
        &s.id,
        &data,
    )
}

/// The statements as published, with each period's due day, the version that replaced each,
/// and the questions on each period.
fn statements_out(
    conn: &mut AnyConnection,
    caller: &Caller,
    settings: &MoneySettings,
    rows: Vec<StatementRow>,
) -> AppResult<Vec<Statement>> {
    let today = ids::today();
    let mut out = Vec::with_capacity(rows.len());
    for s in rows {
        let versions = db::money::versions(conn, &s)?;
        let ids_: Vec<String> = versions.iter().map(|v| v.id.clone()).collect();
        let questions = db::money::questions_of(conn, &ids_)?
            .into_iter()
            .map(|q| question_out(q, caller, today))
            .collect();
        let due_on = s.period_to + chrono::Duration::days(settings.statement_due_days as i64);
        let first_on = versions.first().map(|v| ids::local_date(v.published_at));
        let superseded_by = versions
            .iter()
            .find(|v| v.supersedes.as_deref() == Some(s.id.as_str()))
            .map(|v| v.id.clone());
        out.push(Statement {
            account: s.account()?,
            status: s.status()?,
            changes: s.changes.as_deref().and_then(|c| serde_json::from_str(c).ok()),
            id: s.id,
            estate_id: s.estate_id,
            period_from: s.period_from,
            period_to: s.period_to,
            version: s.version,
            opening_fen: s.opening_fen,
            income_fen: s.income_fen,
            spending_fen: s.spending_fen,
            costs_fen: s.costs_fen,
            closing_fen: s.closing_fen,
            line_count: s.line_count,
            fingerprint: s.fingerprint,
            note: s.note,
            supersedes: s.supersedes,
            superseded_by,
            correction_reason: s.correction_reason,
            company_id: s.company_id,
            published_at: utc(s.published_at),
            due_on,
            published_on_time: first_on.is_some_and(|d| d <= due_on),
            questions,
        });
    }
    Ok(out)
}

/// A statement the caller may read in full, with its estate.
pub(super) fn load(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: &str,
    for_change: bool,
) -> AppResult<(StatementRow, EstateCtx)> {
    let not_found = || AppError::NotFound { what: "statement" };
    let s = if for_change {
        db::money::statement_for_change(conn, id)?
    } else {
        db::money::statement(conn, id)?
    }
    .ok_or_else(not_found)?;
    let (ctx, _) = estate_for(conn, caller, &s.estate_id, Acts::ViewAccounts).map_err(|e| match e {
        AppError::NotFound { .. } => not_found(),
        e => e,
    })?;
    Ok((s, ctx))
}

#[OpenApi(tag = "ApiTags::Money")]
impl StatementsApi {
    /// Publish a statement of an account for a period that has ended: common income each
    /// quarter, the maintenance fund each period of the county's cadence (at least yearly). Its
    /// lines are the account's entries dated in the period. Published only if opening + income −
    /// spending = closing to the fen (`statement_unreconciled`), it opens at the last one's
    /// close (`statement_opening_mismatch`) and follows it without a gap
    /// (`statement_out_of_sequence`), the company's costs are within the share the owners decided
    /// (`costs_exceed_share`), and a fund statement closes at the county's recorded balance
    /// (`statement_balance_mismatch`). Once published it is never edited: correct it.
    ///
    /// The company under contract today (its people or its API key), administrators.
    #[oai(path = "/estates/:id/statements", method = "post", operation_id = "publishStatement")]
    async fn publish(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        /// The estate.
        #[oai(validator(max_length = 64))]
        id: Path<String>,
        body: JsonBody<NewStatement>,
    ) -> ApiResult<StatementCreated> {
        let caller = auth.caller().clone();
        let b = body.0;
        let out = state
            .db
            .command(move |c, trail| {
                let (ctx, actor) = estate_for(c, &caller, &id.0, Acts::KeepAccounts)?;
                let settings = settings_of(c, &ctx)?;
                let period = money::period_starting(b.period_from, money::months_of(b.account, settings.fund_statement_months))?;
                if period.to >= ids::today() {
                    return Err(AppError::rule(
                        codes::STATEMENT_PERIOD_OPEN,
                        format!("the period runs to {}; publish its statement after it ends", period.to),
                    ));
                }
                let published = db::money::in_force(c, &ctx.estate.id, b.account)?;
                if published.iter().any(|s| s.period_from == period.from) {
                    return Err(AppError::conflict(
                        codes::STATEMENT_EXISTS,
                        "this period's statement is published; correct it with a new version",
                    ));
                }
                if let Some(later) = published.iter().find(|s| s.period_from > period.from) {
                    return Err(AppError::rule(
                        codes::STATEMENT_OUT_OF_SEQUENCE,
                        format!("a statement from {} is published; statements are published in order", later.period_from),
                    ));
                }
                let prev = previous(&published, period.from);
                money::check_follows(prev.map(|p| Period { from: p.period_from, to: p.period_to }), period)?;
                check_opening(c, &ctx, b.account, &published, period, b.opening_fen)?;
                let id = ids::new_id();
                let built = build(c, &ctx.estate.id, b.account, period, Fen(b.opening_fen), Fen(b.closing_fen), &id)?;
                let mut row = row_of(&ctx, b.account, period, 1, &built, b.note.unwrap_or_default());
                row.id = id;
                row.published_by = actor.actor_id.clone();
                db::money::insert_statement(c, &row, &built.lines)?;
                trail.record(
                    &actor,
                    "statement.publish",
                    "statement",
                    &row.id,
                    &serde_json::json!({ "estate": row.estate_id, "account": row.account, "period_from": row.period_from, "closing_fen": row.closing_fen, "lines": row.line_count, "fingerprint": row.fingerprint }),
                )?;
                for e in published_event(&ctx, &row) {
                    trail.publish(e);
                }
                trail.notify(published_notice(&ctx, &row));
                Ok(statements_out(c, &caller, &settings, vec![row])?.remove(0))
            })
            .await?;
        Ok(StatementCreated::Created(Json(out)))
    }

    /// Correct a published statement: a new version built from the period's entries as they are
    /// now (a late invoice, an entry put right), with the reason; the version it replaces stays
    /// readable, marked superseded, and the new one says what changed. The same rules as
    /// publishing hold; if a later period is published, the closing balance cannot change (the
    /// next statement opens at it).
    ///
    /// The company under contract today (its people or its API key), administrators.
    #[oai(
        path = "/statements/:id/corrections",
        method = "post",
        operation_id = "correctStatement"
    )]
    async fn correct(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        /// The version in force.
        #[oai(validator(max_length = 64))]
        id: Path<String>,
        body: JsonBody<StatementCorrection>,
    ) -> ApiResult<StatementCreated> {
        let caller = auth.caller().clone();
        let b = body.0;
        let out = state
            .db
            .command(move |c, trail| {
                let (mut old, ctx) = load(c, &caller, &id.0, true)?;
                let actor = check(&caller, &ctx.place(), &Action::KeepAccounts(ctx.place()))?;
                let next_status = old.status()?.correct()?;
                let account = old.account()?;
                let settings = settings_of(c, &ctx)?;
                let period = Period {
                    from: old.period_from,
                    to: old.period_to,
                };
                let published = db::money::in_force(c, &ctx.estate.id, account)?;
                check_opening(c, &ctx, account, &published, period, b.opening_fen)?;
                if published.iter().any(|s| s.period_from > period.to) && b.closing_fen != old.closing_fen {
                    return Err(AppError::rule(
                        codes::STATEMENT_OPENING_MISMATCH,
                        format!(
                            "the next period's statement opens at {} yuan: a correction keeps that closing balance",
                            Fen(old.closing_fen)
                        ),
                    ));
                }
                let id = ids::new_id();
                let built = build(c, &ctx.estate.id, account, period, Fen(b.opening_fen), Fen(b.closing_fen), &id)?;
                let old_entries: std::collections::HashSet<String> = db::money::lines_page(c, &old.id, None, i64::MAX)?
                    .into_iter()
                    .map(|l| l.entry_id)
                    .collect();
                let added = built.lines.iter().filter(|l| !old_entries.contains(&l.entry_id)).count();
                let kept = built.lines.len() - added;
                let changes = StatementChanges {
                    opening_fen_before: old.opening_fen,
                    income_fen_before: old.income_fen,
                    spending_fen_before: old.spending_fen,
                    closing_fen_before: old.closing_fen,
                    lines_added: added as u32,
                    lines_removed: (old_entries.len() - kept) as u32,
                };
                let mut row = row_of(&ctx, account, period, old.version + 1, &built, b.note.unwrap_or_default());
                row.id = id;
                row.published_by = actor.actor_id.clone();
                row.supersedes = Some(old.id.clone());
                row.correction_reason = Some(b.reason.clone());
                row.changes = Some(serde_json::to_string(&changes).map_err(|e| AppError::Internal(e.to_string()))?);
                old.set_status(next_status);
                db::money::save_statement(c, &old)?;
                db::money::insert_statement(c, &row, &built.lines)?;
                trail.record(
                    &actor,
                    "statement.correct",
                    "statement",
                    &row.id,
                    &serde_json::json!({ "supersedes": old.id, "reason": b.reason, "version": row.version, "closing_fen": row.closing_fen, "fingerprint": row.fingerprint }),
                )?;
                for e in published_event(&ctx, &row) {
                    trail.publish(e);
                }
                trail.notify(published_notice(&ctx, &row));
                Ok(statements_out(c, &caller, &settings, vec![row])?.remove(0))
            })
            .await?;
        Ok(StatementCreated::Created(Json(out)))
    }

    /// An estate's published statements, every version, the latest published first.
    ///
    /// Whoever may see the estate's accounts: its owners, committee, party organisations, bureau
    /// and company.
    #[oai(path = "/estates/:id/statements", method = "get", operation_id = "listStatements")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        /// The estate.
        #[oai(validator(max_length = 64))]
        id: Path<String>,
        account: Query<Option<Account>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))] limit: Query<Option<u32>>,
        #[oai(validator(max_length = 200))] cursor: Query<Option<String>>,
    ) -> ApiResult<Json<Page<Statement>>> {
        let caller = auth.caller().clone();
        let limit = paging::limit(limit.0);
        let before = paging::decode_cursor::<String>(cursor.0.as_deref())?;
        let out = state
            .db
            .read(move |c| {
                let (ctx, _) = estate_for(c, &caller, &id.0, Acts::ViewAccounts)?;
                let settings = settings_of(c, &ctx)?;
                let rows =
                    db::money::statements_page(c, &ctx.estate.id, account.0, before.as_deref(), paging::fetch(limit))?;
                let (rows, next_cursor) = paging::page(rows, limit, |s| s.id.clone());
                Ok(Page {
                    items: statements_out(c, &caller, &settings, rows)?,
                    next_cursor,
                })
            })
            .await?;
        Ok(Json(out))
    }

    /// One statement with its questions and answers.
    ///
    /// Whoever may see its estate's accounts.
    #[oai(path = "/statements/:id", method = "get", operation_id = "getStatement")]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        /// The statement (one version).
        #[oai(validator(max_length = 64))]
        id: Path<String>,
    ) -> ApiResult<Json<Statement>> {
        let caller = auth.caller().clone();
        let out = state
            .db
            .read(move |c| {
                let (s, ctx) = load(c, &caller, &id.0, false)?;
                let settings = settings_of(c, &ctx)?;
                Ok(statements_out(c, &caller, &settings, vec![s])?.remove(0))
            })
            .await?;
        Ok(Json(out))
    }

    /// A statement's lines in order, 50 a page by default.
    ///
    /// Whoever may see its estate's accounts.
    #[oai(path = "/statements/:id/lines", method = "get", operation_id = "listStatementLines")]
    async fn lines(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        /// The statement.
        #[oai(validator(max_length = 64))]
        id: Path<String>,
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))] limit: Query<Option<u32>>,
        #[oai(validator(max_length = 200))] cursor: Query<Option<String>>,
    ) -> ApiResult<Json<Page<StatementLine>>> {
        let caller = auth.caller().clone();
        let limit = paging::limit(limit.0);
        let after = paging::decode_cursor::<i32>(cursor.0.as_deref())?;
        let rows = state
            .db
            .read(move |c| {
                let (s, _) = load(c, &caller, &id.0, false)?;
                db::money::lines_page(c, &s.id, after, paging::fetch(limit))
            })
            .await?;
        let (rows, next_cursor) = paging::page(rows, limit, |l| l.seq.to_string());
        Ok(Json(Page {
            items: rows.into_iter().map(line_out).collect::<AppResult<_>>()?,
            next_cursor,
        }))
    }

    /// A statement as a workbook (XLSX): a sheet of its balances and one of its lines, amounts
    /// as numbers in yuan.
    ///
    /// Whoever may see its estate's accounts.
    #[oai(path = "/statements/:id/export", method = "get", operation_id = "exportStatement")]
    async fn export(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        /// The statement.
        #[oai(validator(max_length = 64))]
        id: Path<String>,
    ) -> ApiResult<MoneyFile> {
        let caller = auth.caller().clone();
        let (bytes, name) = state
            .db
            .read(move |c| {
                let (s, ctx) = load(c, &caller, &id.0, false)?;
                let lines = db::money::lines_page(c, &s.id, None, i64::MAX)?;
                let sheets = sheets(&ctx, &s, &lines)?;
                let name = format!("statement-{}-{}-v{}.xlsx", s.account, s.period_from, s.version);
                Ok((export::xlsx(&sheets)?, name))
            })
            .await?;
        Ok(MoneyFile::File(
            poem_openapi::payload::Binary(bytes),
            crate::http::ratings::XLSX.into(),
            crate::http::attachments::content_disposition(&name).replacen("inline", "attachment", 1),
        ))
    }

    /// A statement as a self-contained A4 page in Chinese for the notice board: the balances,
    /// every line, the version, its fingerprint, and what a correction changed and why.
    ///
    /// Whoever may see its estate's accounts.
    #[oai(path = "/statements/:id/print", method = "get", operation_id = "printStatement")]
    async fn print(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        /// The statement.
        #[oai(validator(max_length = 64))]
        id: Path<String>,
    ) -> ApiResult<poem_openapi::payload::Html<String>> {
        let caller = auth.caller().clone();
        let page = state
            .db
            .read(move |c| {
                let (s, ctx) = load(c, &caller, &id.0, false)?;
                let lines = db::money::lines_page(c, &s.id, None, i64::MAX)?;
                print_page(&ctx, &s, &lines)
            })
            .await?;
        Ok(poem_openapi::payload::Html(page))
    }
}

fn line_out(l: LineRow) -> AppResult<StatementLine> {
    Ok(StatementLine {
        kind: l.kind()?,
        category: l.category()?,
        seq: l.seq,
        entry_id: l.entry_id,
        amount_fen: l.amount_fen,
        occurred_on: l.occurred_on,
        counterparty: l.counterparty,
        description: l.description,
    })
}
