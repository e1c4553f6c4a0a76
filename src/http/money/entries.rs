//! Entries of the owners' accounts: common income as the company records it (by hand or from its
//! accounting system through its API key, idempotent with `Idempotency-Key`), and the county's
//! maintenance-fund records imported by its bureau.

use super::*;
use crate::domain::fund_import;
use crate::domain::registry::OrgKind;
use crate::http::body::CsvBody;
use crate::http::scope::org_place;

pub struct EntriesApi;

pub(crate) fn entry_out(r: EntryRow) -> AppResult<MoneyEntry> {
    Ok(MoneyEntry {
        account: r.account()?,
        kind: r.kind()?,
        category: r.category()?,
        attachment_ids: json_list(&r.attachments),
        id: r.id,
        estate_id: r.estate_id,
        amount_fen: r.amount_fen,
        occurred_on: r.occurred_on,
        counterparty: r.counterparty,
        description: r.description,
        vote_id: r.basis_vote_id,
        balance_fen: r.balance_fen,
        source: r.source,
        recorded_at: utc(r.recorded_at),
    })
}

#[OpenApi(tag = "ApiTags::Money")]
impl EntriesApi {
    /// Record an entry of an estate's common income (公共收益): money in (parking, advertising,
    /// leases of common parts), a reasonable cost kept by the company (within the share the
    /// owners decided, checked when the statement is published), or a use of the remainder under
    /// the owners' vote that authorised it (`use_without_basis` otherwise). With evidence. An
    /// accounting system sends `Idempotency-Key`, so a retried entry is recorded once.
    /// Entries are not edited: a mistake is put right by a further entry and, for a published
    /// period, a corrected statement.
    ///
    /// The company under contract today (its people or its API key), administrators.
    #[oai(
        path = "/estates/:id/money-entries",
        method = "post",
        operation_id = "recordMoneyEntry"
    )]
    async fn record(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        /// The estate.
        #[oai(validator(max_length = 64))]
        id: Path<String>,
        body: JsonBody<NewEntry>,
    ) -> ApiResult<EntryCreated> {
        let caller = auth.caller().clone();
        let b = body.0;
        let out = state
            .db
            .command(move |c, trail| {
                let (ctx, actor) = estate_for(c, &caller, &id.0, Acts::KeepAccounts)?;
                let vote_id = match (b.kind, b.vote_id) {
                    (EntryKind::Use, None) => {
                        return Err(AppError::rule(
                            codes::USE_WITHOUT_BASIS,
                            "name the owners' vote that authorised this use (vote_id)",
                        ))
                    }
                    (EntryKind::Use, Some(v)) => {
                        let basis = vote_basis(c, &ctx.estate.id, &v, "vote_id")?;
                        if !(basis.same_estate && basis.passed) {
                            return Err(AppError::rule(
                                codes::USE_WITHOUT_BASIS,
                                "the vote is not a vote of this estate that passed",
                            ));
                        }
                        Some(v)
                    }
                    (_, Some(_)) => {
                        return Err(AppError::invalid(
                            "vote_id",
                            reason::INVALID,
                            "only a use names the vote that authorised it",
                        ))
                    }
                    (_, None) => None,
                };
                let files = crate::http::attachments::uploaded_by_caller(c, &caller, "attachment_ids", &b.attachment_ids)?;
                let row = EntryRow {
                    id: ids::new_id(),
                    estate_id: ctx.estate.id.clone(),
                    account: Account::CommonIncome.as_str().into(),
                    kind: b.kind.as_str().into(),
                    category: b.category.as_str().into(),
                    amount_fen: b.amount_fen,
                    occurred_on: b.occurred_on,
                    counterparty: b.counterparty.trim().into(),
                    description: b.description,
                    basis_vote_id: vote_id,
                    fund_use_id: None,
                    balance_fen: None,
                    attachments: serde_json::to_string(&files).unwrap_or_else(|_| "[]".into()),
                    source: "company".into(),
                    company_id: ctx.company.as_ref().map(|(c, _)| c.clone()),
                    recorded_by: actor.actor_id.clone(),
                    recorded_at: ids::now(),
                };
                db::money::insert_entries(c, std::slice::from_ref(&row))?;
                db::attachments::reference(c, &files, MONEY_ENTRY, &row.id)?;
                trail.record(
                    &actor,
                    "money.entry",
                    "money_entry",
                    &row.id,
                    &serde_json::json!({ "estate": row.estate_id, "kind": row.kind, "category": row.category, "amount_fen": row.amount_fen, "occurred_on": row.occurred_on }),
                )?;
                entry_out(row)
            })
            .await?;
        Ok(EntryCreated::Created(Json(out)))
    }

    /// An estate's entries of one account, the latest recorded first.
    ///
    /// Whoever may see the estate's accounts: its owners, committee, party organisations, bureau
    /// and company.
    #[oai(
        path = "/estates/:id/money-entries",
        method = "get",
        operation_id = "listMoneyEntries"
    )]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        /// The estate.
        #[oai(validator(max_length = 64))]
        id: Path<String>,
        /// Which account (common income unless named).
        account: Query<Option<Account>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))] limit: Query<Option<u32>>,
        #[oai(validator(max_length = 200))] cursor: Query<Option<String>>,
    ) -> ApiResult<Json<Page<MoneyEntry>>> {
        let caller = auth.caller().clone();
        let limit = paging::limit(limit.0);
        let before = paging::decode_cursor::<String>(cursor.0.as_deref())?;
        let account = account.0.unwrap_or(Account::CommonIncome);
        let rows = state
            .db
            .read(move |c| {
                let (ctx, _) = estate_for(c, &caller, &id.0, Acts::ViewAccounts)?;
                db::money::entries_page(c, &ctx.estate.id, account, before.as_deref(), paging::fetch(limit))
            })
            .await?;
        let (rows, next_cursor) = paging::page(rows, limit, |e| e.id.clone());
        Ok(Json(Page {
            items: rows.into_iter().map(entry_out).collect::<AppResult<_>>()?,
            next_cursor,
        }))
    }

    /// One entry.
    ///
    /// Whoever may see its estate's accounts.
    #[oai(path = "/money-entries/:id", method = "get", operation_id = "getMoneyEntry")]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        /// The entry.
        #[oai(validator(max_length = 64))]
        id: Path<String>,
    ) -> ApiResult<Json<MoneyEntry>> {
        let caller = auth.caller().clone();
        let out = state
            .db
            .read(move |c| {
                let not_found = || AppError::NotFound { what: "money entry" };
                let row = db::money::entry(c, &id.0)?.ok_or_else(not_found)?;
                estate_for(c, &caller, &row.estate_id, Acts::ViewAccounts).map_err(|e| match e {
                    AppError::NotFound { .. } => not_found(),
                    e => e,
                })?;
                entry_out(row)
            })
            .await?;
        Ok(Json(out))
    }

    /// Take in the county's maintenance-fund records (CSV as the fund office exports it, UTF-8
    /// or GBK): one row per movement with 小区 (the estate's name or id), 日期, 摘要, 收入(元),
    /// 支出(元), 余额(元). Balances are the county's: each row's balance must follow from the one
    /// before it (or the last one stored) to the fen, and dates may not go back; otherwise, or if
    /// an estate is not the county's, nothing is stored and the 422 lists every bad row.
    ///
    /// The county's bureau, administrators.
    #[oai(path = "/orgs/:id/fund-records", method = "post", operation_id = "importFundRecords")]
    async fn import(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The county.
        #[oai(validator(max_length = 64))]
        id: Path<String>,
        body: CsvBody,
    ) -> ApiResult<FundImported> {
        let caller = auth.0;
        let bytes = body.0;
        let digest = crate::crypto::sha256_hex(&bytes);
        let records = tokio::task::spawn_blocking(move || fund_import::parse(&bytes))
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?
            .map_err(crate::http::estates::row_errors)?;
        let out = state
            .db
            .command(move |c, trail| {
                let county = db::orgs::get(c, &id.0)?
                    .filter(|o| o.kind().is_ok_and(|k| k == OrgKind::County))
                    .ok_or(AppError::NotFound { what: "organisation" })?;
                let actor = check(
                    &caller,
                    &org_place(&county),
                    &Action::ManageMoneySettings(org_place(&county)),
                )?;
                let estates = db::estates::all_within(c, &county.id)?;
                let mut errors = Vec::new();
                let mut by_estate: Vec<(String, Vec<&fund_import::FundRecord>)> = Vec::new();
                for r in &records {
                    let named: Vec<&db::estates::EstateRow> = estates
                        .iter()
                        .filter(|e| e.id == r.estate || e.name == r.estate)
                        .collect();
                    let estate_id = match named.as_slice() {
                        [one] => one.id.clone(),
                        [] => {
                            errors.push(crate::domain::unit_import::RowError::new(
                                r.row,
                                "小区",
                                format!("no estate {} in this county", r.estate),
                                format!("本县没有名为“{}”的小区", r.estate),
                            ));
                            continue;
                        }
                        _ => {
                            errors.push(crate::domain::unit_import::RowError::new(
                                r.row,
                                "小区",
                                format!("{} names several estates; use the estate's id", r.estate),
                                format!("本县有多个“{}”，请改填小区编号", r.estate),
                            ));
                            continue;
                        }
                    };
                    match by_estate.iter_mut().find(|(e, _)| *e == estate_id) {
                        Some((_, rows)) => rows.push(r),
                        None => by_estate.push((estate_id, vec![r])),
                    }
                }
                let now = ids::now();
                let mut rows = Vec::new();
                for (estate_id, records) in &by_estate {
                    let last = db::money::fund_balance(c, estate_id, None)?.map(|(d, b)| (d, Fen(b)));
                    errors.extend(fund_import::check_chain(records, last));
                    for r in records {
                        let income = r.income.0 > 0;
                        rows.push(EntryRow {
                            id: ids::new_id(),
                            estate_id: estate_id.clone(),
                            account: Account::MaintenanceFund.as_str().into(),
                            kind: if income { EntryKind::Income } else { EntryKind::Use }.as_str().into(),
                            category: if !income {
                                IncomeCategory::Repair
                            } else if r.description.contains('息') {
                                IncomeCategory::Interest
                            } else {
                                IncomeCategory::Deposit
                            }
                            .as_str()
                            .into(),
                            amount_fen: if income { r.income.0 } else { r.spending.0 },
                            occurred_on: r.on,
                            counterparty: "县维修资金账户".into(),
                            description: r.description.clone(),
                            basis_vote_id: None,
                            fund_use_id: None,
                            balance_fen: Some(r.balance.0),
                            attachments: "[]".into(),
                            source: "import".into(),
                            company_id: None,
                            recorded_by: actor.actor_id.clone(),
                            recorded_at: now,
                        });
                    }
                }
                if !errors.is_empty() {
                    errors.sort_by_key(|e| e.row);
                    return Err(crate::http::estates::row_errors(errors));
                }
                // A line of no money (a balance carried forward) is kept for its balance; a
                // statement's lines take only movements.
                let stored = rows;
                db::money::insert_entries(c, &stored)?;
                trail.record(
                    &actor,
                    "fund.import",
                    "organisation",
                    &county.id,
                    &serde_json::json!({ "file_sha256": digest, "estates": by_estate.len(), "entries": stored.len() }),
                )?;
                Ok(FundImport {
                    estates: by_estate.len() as u32,
                    entries: stored.len() as u32,
                })
            })
            .await?;
        Ok(FundImported::Created(Json(out)))
    }
}
