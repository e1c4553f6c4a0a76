//! Money the owners are owed an account of: fee standards, the company's share of common income,
//! entries of both accounts, published statements and their lines, owners' questions, uses of the
//! maintenance fund, each county's settings.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::{
    fee_standards, fund_uses, income_shares, money_entries, money_settings, statement_lines, statement_questions,
    statements,
};
use super::AnyConnection;
use crate::domain::money::{Account, EntryKind, FundUseKind, FundUseStatus, IncomeCategory, StatementStatus};
use crate::error::AppResult;

#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = fee_standards)]
pub struct FeeStandardRow {
    pub id: String,
    pub estate_id: String,
    pub effective_from: NaiveDate,
    pub basis: String,
    pub basis_vote_id: Option<String>,
    pub basis_proposal_id: Option<String>,
    pub basis_document: Option<String>,
    pub complaint_phone: String,
    pub note: String,
    /// The items, as the JSON of `http::money::FeeItem`s.
    pub items: String,
    pub company_id: Option<String>,
    pub recorded_by: String,
    pub recorded_at: NaiveDateTime,
}

#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = income_shares)]
pub struct ShareRow {
    pub id: String,
    pub estate_id: String,
    pub share_permille: i32,
    pub basis_vote_id: String,
    pub effective_from: NaiveDate,
    pub recorded_by: String,
    pub recorded_at: NaiveDateTime,
}

#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = money_entries)]
pub struct EntryRow {
    pub id: String,
    pub estate_id: String,
    pub account: String,
    pub kind: String,
    pub category: String,
    pub amount_fen: i64,
    pub occurred_on: NaiveDate,
    pub counterparty: String,
    pub description: String,
    pub basis_vote_id: Option<String>,
    pub fund_use_id: Option<String>,
    /// For an entry of the county's fund records: the account's balance after it.
    pub balance_fen: Option<i64>,
    /// Attachment ids, as a JSON array.
    pub attachments: String,
    /// `company` (entered by the company or its accounting system) or `import` (the county's fund records).
    pub source: String,
    pub company_id: Option<String>,
    pub recorded_by: String,
    pub recorded_at: NaiveDateTime,
}

super::terms::term_columns!(EntryRow {
    account, set_account: Account;
    kind, set_kind: EntryKind;
    category, set_category: IncomeCategory;
});

#[derive(Clone, Debug, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = statements, treat_none_as_null = true)]
pub struct StatementRow {
    pub id: String,
    pub estate_id: String,
    pub account: String,
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    pub version: i32,
    pub status: String,
    pub opening_fen: i64,
    pub income_fen: i64,
    pub spending_fen: i64,
    pub costs_fen: i64,
    pub closing_fen: i64,
    pub line_count: i32,
    pub fingerprint: String,
    pub note: String,
    pub supersedes: Option<String>,
    pub correction_reason: Option<String>,
    /// What the correction changed, as JSON.
    pub changes: Option<String>,
    pub company_id: Option<String>,
    pub published_by: String,
    pub published_at: NaiveDateTime,
}

super::terms::term_columns!(StatementRow {
    account, set_account: Account;
    status, set_status: StatementStatus;
});

#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = statement_lines)]
pub struct LineRow {
    pub statement_id: String,
    pub seq: i32,
    pub entry_id: String,
    pub kind: String,
    pub category: String,
    pub amount_fen: i64,
    pub occurred_on: NaiveDate,
    pub counterparty: String,
    pub description: String,
}

super::terms::term_columns!(LineRow {
    kind, set_kind: EntryKind;
    category, set_category: IncomeCategory;
});

#[derive(Clone, Debug, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = statement_questions, treat_none_as_null = true)]
pub struct QuestionRow {
    pub id: String,
    pub statement_id: String,
    pub estate_id: String,
    pub owner_id: String,
    pub asked_by: String,
    pub question: String,
    pub asked_at: NaiveDateTime,
    pub answer_due: NaiveDate,
    pub answer: Option<String>,
    pub answered_by: Option<String>,
    pub answered_at: Option<NaiveDateTime>,
}

#[derive(Clone, Debug, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = fund_uses, treat_none_as_null = true)]
pub struct FundUseRow {
    pub id: String,
    pub estate_id: String,
    pub kind: String,
    pub emergency: Option<String>,
    pub title: String,
    pub location: String,
    pub description: String,
    pub estimate_fen: i64,
    /// The buildings whose units bear the cost, as a JSON array (empty: the whole estate).
    pub building_ids: String,
    pub status: String,
    pub basis_vote_id: Option<String>,
    pub applied_by: String,
    pub applied_role: String,
    pub applied_at: NaiveDateTime,
    pub decided_by: Option<String>,
    pub decided_at: Option<NaiveDateTime>,
    pub decision_note: Option<String>,
    pub settled_fen: Option<i64>,
    /// Invoice attachment ids, as a JSON array.
    pub invoices: String,
    pub settled_by: Option<String>,
    pub settled_at: Option<NaiveDateTime>,
}

super::terms::term_columns!(FundUseRow {
    kind, set_kind: FundUseKind;
    status, set_status: FundUseStatus;
});

// Settings.

pub fn settings(conn: &mut AnyConnection, county_id: &str) -> AppResult<Option<String>> {
    Ok(money_settings::table
        .find(county_id)
        .select(money_settings::settings)
        .first(conn)
        .optional()?)
}

pub fn put_settings(conn: &mut AnyConnection, county_id: &str, json: &str, now: NaiveDateTime) -> AppResult<()> {
    let n = diesel::update(money_settings::table.find(county_id))
        .set((money_settings::settings.eq(json), money_settings::updated_at.eq(now)))
        .execute(conn)?;
    if n == 0 {
        diesel::insert_into(money_settings::table)
            .values((
                money_settings::county_id.eq(county_id),
                money_settings::settings.eq(json),
                money_settings::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

// Fee standards and shares.

pub fn standard(conn: &mut AnyConnection, id: &str) -> AppResult<Option<FeeStandardRow>> {
    Ok(fee_standards::table
        .find(id)
        .select(FeeStandardRow::as_select())
        .first(conn)
        .optional()?)
}

/// The units of an estate (of some of its buildings, if any are named), in building and number order.
pub fn units_of(
    conn: &mut AnyConnection,
    estate_id: &str,
    buildings: &[String],
) -> AppResult<Vec<super::estates::UnitListed>> {
    use super::schema::units;
    let mut q = units::table
        .filter(units::estate_id.eq(estate_id))
        .order((units::building_id.asc(), units::number.asc(), units::id.asc()))
        .select(super::estates::UnitListed::as_select())
        .into_boxed();
    if !buildings.is_empty() {
        q = q.filter(units::building_id.eq_any(buildings.to_vec()));
    }
    Ok(q.load(conn)?)
}

pub fn insert_standard(conn: &mut AnyConnection, row: &FeeStandardRow) -> AppResult<()> {
    diesel::insert_into(fee_standards::table).values(row).execute(conn)?;
    Ok(())
}

/// An estate's fee standards, the latest start first (of two with one start, the later recorded).
pub fn standards_of(conn: &mut AnyConnection, estate_id: &str) -> AppResult<Vec<FeeStandardRow>> {
    Ok(fee_standards::table
        .filter(fee_standards::estate_id.eq(estate_id))
        .order((fee_standards::effective_from.desc(), fee_standards::recorded_at.desc()))
        .select(FeeStandardRow::as_select())
        .load(conn)?)
}

pub fn insert_share(conn: &mut AnyConnection, row: &ShareRow) -> AppResult<()> {
    diesel::insert_into(income_shares::table).values(row).execute(conn)?;
    Ok(())
}

/// An estate's decisions on the company's share, the latest start first.
pub fn shares_of(conn: &mut AnyConnection, estate_id: &str) -> AppResult<Vec<ShareRow>> {
    Ok(income_shares::table
        .filter(income_shares::estate_id.eq(estate_id))
        .order((income_shares::effective_from.desc(), income_shares::recorded_at.desc()))
        .select(ShareRow::as_select())
        .load(conn)?)
}

// Entries.

pub fn insert_entries(conn: &mut AnyConnection, rows: &[EntryRow]) -> AppResult<()> {
    super::insert_batch!(conn, money_entries::table, rows)?;
    Ok(())
}

pub fn entry(conn: &mut AnyConnection, id: &str) -> AppResult<Option<EntryRow>> {
    Ok(money_entries::table
        .find(id)
        .select(EntryRow::as_select())
        .first(conn)
        .optional()?)
}

/// A page of an estate's entries of one account, the latest recorded first.
pub fn entries_page(
    conn: &mut AnyConnection,
    estate_id: &str,
    account: Account,
    before: Option<&str>,
    limit: i64,
) -> AppResult<Vec<EntryRow>> {
    let mut q = money_entries::table
        .filter(money_entries::estate_id.eq(estate_id))
        .filter(money_entries::account.eq(account.as_str()))
        .order(money_entries::id.desc())
        .limit(limit)
        .select(EntryRow::as_select())
        .into_boxed();
    if let Some(b) = before {
        q = q.filter(money_entries::id.lt(b.to_string()));
    }
    Ok(q.load(conn)?)
}

/// The entries of an account dated within a period, in date order (then as recorded).
pub fn entries_between(
    conn: &mut AnyConnection,
    estate_id: &str,
    account: Account,
    from: NaiveDate,
    to: NaiveDate,
) -> AppResult<Vec<EntryRow>> {
    Ok(money_entries::table
        .filter(money_entries::estate_id.eq(estate_id))
        .filter(money_entries::account.eq(account.as_str()))
        .filter(money_entries::occurred_on.between(from, to))
        .order((money_entries::occurred_on.asc(), money_entries::id.asc()))
        .select(EntryRow::as_select())
        .load(conn)?)
}

/// The county's fund balance of an estate: its last imported record (dated on or before `on`,
/// if given) — its day and the balance after it.
pub fn fund_balance(
    conn: &mut AnyConnection,
    estate_id: &str,
    on: Option<NaiveDate>,
) -> AppResult<Option<(NaiveDate, i64)>> {
    let mut q = money_entries::table
        .filter(money_entries::estate_id.eq(estate_id))
        .filter(money_entries::account.eq(Account::MaintenanceFund.as_str()))
        .filter(money_entries::balance_fen.is_not_null())
        .order((money_entries::occurred_on.desc(), money_entries::id.desc()))
        .select((money_entries::occurred_on, money_entries::balance_fen))
        .into_boxed();
    if let Some(day) = on {
        q = q.filter(money_entries::occurred_on.le(day));
    }
    Ok(q.first::<(NaiveDate, Option<i64>)>(conn)
        .optional()?
        .and_then(|(d, b)| b.map(|b| (d, b))))
}

/// When each estate's accounts began to be kept here: its first entry or fee standard recorded.
pub fn first_recorded(conn: &mut AnyConnection, estate_ids: &[String]) -> AppResult<Vec<(String, NaiveDateTime)>> {
    use diesel::dsl::min;
    let mut out: Vec<(String, NaiveDateTime)> = Vec::new();
    for chunk in estate_ids.chunks(super::BATCH_ROWS) {
        let entries: Vec<(String, Option<NaiveDateTime>)> = money_entries::table
            .filter(money_entries::estate_id.eq_any(chunk))
            .group_by(money_entries::estate_id)
            .select((money_entries::estate_id, min(money_entries::recorded_at)))
            .load(conn)?;
        let standards: Vec<(String, Option<NaiveDateTime>)> = fee_standards::table
            .filter(fee_standards::estate_id.eq_any(chunk))
            .group_by(fee_standards::estate_id)
            .select((fee_standards::estate_id, min(fee_standards::recorded_at)))
            .load(conn)?;
        for (e, at) in entries.into_iter().chain(standards) {
            let Some(at) = at else { continue };
            match out.iter_mut().find(|(x, _)| *x == e) {
                Some(slot) => slot.1 = slot.1.min(at),
                None => out.push((e, at)),
            }
        }
    }
    Ok(out)
}

/// The first day of the fee standard in force on `day` for each of many estates that has one.
pub fn standards_from(
    conn: &mut AnyConnection,
    estate_ids: &[String],
    day: NaiveDate,
) -> AppResult<Vec<(String, NaiveDate)>> {
    use diesel::dsl::max;
    let mut out = Vec::new();
    for chunk in estate_ids.chunks(super::BATCH_ROWS) {
        let rows: Vec<(String, Option<NaiveDate>)> = fee_standards::table
            .filter(fee_standards::estate_id.eq_any(chunk))
            .filter(fee_standards::effective_from.le(day))
            .group_by(fee_standards::estate_id)
            .select((fee_standards::estate_id, max(fee_standards::effective_from)))
            .load(conn)?;
        out.extend(rows.into_iter().filter_map(|(e, d)| d.map(|d| (e, d))));
    }
    Ok(out)
}

/// The contract in force on `day` of each of many estates: (estate, company, first day); the
/// latest-starting one if several overlap.
pub fn contracts_on(
    conn: &mut AnyConnection,
    estate_ids: &[String],
    day: NaiveDate,
) -> AppResult<Vec<(String, String, NaiveDate)>> {
    use super::schema::service_contracts as sc;
    let mut out: Vec<(String, String, NaiveDate)> = Vec::new();
    for chunk in estate_ids.chunks(super::BATCH_ROWS) {
        let rows: Vec<(String, String, NaiveDate)> = sc::table
            .filter(sc::estate_id.eq_any(chunk))
            .filter(sc::starts_on.le(day))
            .filter(sc::ends_on.is_null().or(sc::ends_on.ge(day)))
            .order((sc::estate_id.asc(), sc::starts_on.desc()))
            .select((sc::estate_id, sc::company_id, sc::starts_on))
            .load(conn)?;
        for r in rows {
            if out.last().is_some_and(|(e, _, _)| *e == r.0) {
                continue;
            }
            out.push(r);
        }
    }
    Ok(out)
}

// Statements.

/// A statement with its lines, in one transaction with the caller's change.
pub fn insert_statement(conn: &mut AnyConnection, row: &StatementRow, lines: &[LineRow]) -> AppResult<()> {
    diesel::insert_into(statements::table).values(row).execute(conn)?;
    super::insert_batch!(conn, statement_lines::table, lines)?;
    Ok(())
}

pub fn save_statement(conn: &mut AnyConnection, row: &StatementRow) -> AppResult<()> {
    diesel::update(statements::table.find(&row.id)).set(row).execute(conn)?;
    Ok(())
}

pub fn statement(conn: &mut AnyConnection, id: &str) -> AppResult<Option<StatementRow>> {
    Ok(statements::table
        .find(id)
        .select(StatementRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn statement_for_change(conn: &mut AnyConnection, id: &str) -> AppResult<Option<StatementRow>> {
    Ok(super::first_for_change!(
        conn,
        statements::table.find(id).select(StatementRow::as_select())
    )?)
}

/// The versions in force of an account's statements, the latest period first.
pub fn in_force(conn: &mut AnyConnection, estate_id: &str, account: Account) -> AppResult<Vec<StatementRow>> {
    Ok(statements::table
        .filter(statements::estate_id.eq(estate_id))
        .filter(statements::account.eq(account.as_str()))
        .filter(statements::status.eq(StatementStatus::Published.as_str()))
        .order(statements::period_from.desc())
        .select(StatementRow::as_select())
        .load(conn)?)
}

/// A page of an estate's statements (every version), the latest published first.
pub fn statements_page(
    conn: &mut AnyConnection,
    estate_id: &str,
    account: Option<Account>,
    before: Option<&str>,
    limit: i64,
) -> AppResult<Vec<StatementRow>> {
    let mut q = statements::table
        .filter(statements::estate_id.eq(estate_id))
        .order(statements::id.desc())
        .limit(limit)
        .select(StatementRow::as_select())
        .into_boxed();
    if let Some(a) = account {
        q = q.filter(statements::account.eq(a.as_str()));
    }
    if let Some(b) = before {
        q = q.filter(statements::id.lt(b.to_string()));
    }
    Ok(q.load(conn)?)
}

/// Every version of one statement's period, the first first.
pub fn versions(conn: &mut AnyConnection, s: &StatementRow) -> AppResult<Vec<StatementRow>> {
    Ok(statements::table
        .filter(statements::estate_id.eq(&s.estate_id))
        .filter(statements::account.eq(&s.account))
        .filter(statements::period_from.eq(s.period_from))
        .order(statements::version.asc())
        .select(StatementRow::as_select())
        .load(conn)?)
}

/// The periods of many estates' published statements, each with when it was first published
/// (version 1): (estate, account, first day, last day, published at).
pub type PublishedPeriod = (String, String, NaiveDate, NaiveDate, NaiveDateTime);

pub fn published_periods(conn: &mut AnyConnection, estate_ids: &[String]) -> AppResult<Vec<PublishedPeriod>> {
    let mut out = Vec::new();
    for chunk in estate_ids.chunks(super::BATCH_ROWS) {
        out.extend(
            statements::table
                .filter(statements::estate_id.eq_any(chunk))
                .filter(statements::version.eq(1))
                .select((
                    statements::estate_id,
                    statements::account,
                    statements::period_from,
                    statements::period_to,
                    statements::published_at,
                ))
                .load::<PublishedPeriod>(conn)?,
        );
    }
    Ok(out)
}

/// A statement's lines added up by kind and category: (kind, category, fen, entries). Added in
/// Rust: a sum of BIGINT is NUMERIC on PostgreSQL and BIGINT on SQLite.
pub fn line_totals(conn: &mut AnyConnection, statement_id: &str) -> AppResult<Vec<(String, String, i64, i64)>> {
    let rows: Vec<(String, String, i64)> = statement_lines::table
        .filter(statement_lines::statement_id.eq(statement_id))
        .select((
            statement_lines::kind,
            statement_lines::category,
            statement_lines::amount_fen,
        ))
        .load(conn)?;
    let mut out: Vec<(String, String, i64, i64)> = Vec::new();
    for (k, c, a) in rows {
        match out.iter_mut().find(|(k2, c2, _, _)| *k2 == k && *c2 == c) {
            Some(slot) => {
                slot.2 = slot.2.saturating_add(a);
                slot.3 += 1;
            }
            None => out.push((k, c, a, 1)),
        }
    }
    out.sort();
    Ok(out)
}

/// A page of a statement's lines in order (after line `after`).
pub fn lines_page(
    conn: &mut AnyConnection,
    statement_id: &str,
    after: Option<i32>,
    limit: i64,
) -> AppResult<Vec<LineRow>> {
    Ok(statement_lines::table
        .filter(statement_lines::statement_id.eq(statement_id))
        .filter(statement_lines::seq.gt(after.unwrap_or(-1)))
        .order(statement_lines::seq.asc())
        .limit(limit)
        .select(LineRow::as_select())
        .load(conn)?)
}

// Questions.

pub fn insert_question(conn: &mut AnyConnection, row: &QuestionRow) -> AppResult<()> {
    diesel::insert_into(statement_questions::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn question_for_change(conn: &mut AnyConnection, id: &str) -> AppResult<Option<QuestionRow>> {
    Ok(super::first_for_change!(
        conn,
        statement_questions::table.find(id).select(QuestionRow::as_select())
    )?)
}

pub fn save_question(conn: &mut AnyConnection, row: &QuestionRow) -> AppResult<()> {
    diesel::update(statement_questions::table.find(&row.id))
        .set(row)
        .execute(conn)?;
    Ok(())
}

/// The questions on every version of a statement's period, the first asked first.
pub fn questions_of(conn: &mut AnyConnection, statement_ids: &[String]) -> AppResult<Vec<QuestionRow>> {
    Ok(statement_questions::table
        .filter(statement_questions::statement_id.eq_any(statement_ids))
        .order(statement_questions::asked_at.asc())
        .select(QuestionRow::as_select())
        .load(conn)?)
}

/// The questions of many estates not yet answered.
pub fn unanswered(conn: &mut AnyConnection, estate_ids: &[String]) -> AppResult<Vec<QuestionRow>> {
    let mut out = Vec::new();
    for chunk in estate_ids.chunks(super::BATCH_ROWS) {
        out.extend(
            statement_questions::table
                .filter(statement_questions::estate_id.eq_any(chunk))
                .filter(statement_questions::answered_at.is_null())
                .select(QuestionRow::as_select())
                .load(conn)?,
        );
    }
    Ok(out)
}

// Uses of the maintenance fund.

pub fn insert_use(conn: &mut AnyConnection, row: &FundUseRow) -> AppResult<()> {
    diesel::insert_into(fund_uses::table).values(row).execute(conn)?;
    Ok(())
}

pub fn fund_use(conn: &mut AnyConnection, id: &str) -> AppResult<Option<FundUseRow>> {
    Ok(fund_uses::table
        .find(id)
        .select(FundUseRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn fund_use_for_change(conn: &mut AnyConnection, id: &str) -> AppResult<Option<FundUseRow>> {
    Ok(super::first_for_change!(
        conn,
        fund_uses::table.find(id).select(FundUseRow::as_select())
    )?)
}

pub fn save_use(conn: &mut AnyConnection, row: &FundUseRow) -> AppResult<()> {
    diesel::update(fund_uses::table.find(&row.id)).set(row).execute(conn)?;
    Ok(())
}

/// A page of an estate's uses of the fund, the latest applied first.
pub fn uses_page(
    conn: &mut AnyConnection,
    estate_id: &str,
    before: Option<&str>,
    limit: i64,
) -> AppResult<Vec<FundUseRow>> {
    let mut q = fund_uses::table
        .filter(fund_uses::estate_id.eq(estate_id))
        .order(fund_uses::id.desc())
        .limit(limit)
        .select(FundUseRow::as_select())
        .into_boxed();
    if let Some(b) = before {
        q = q.filter(fund_uses::id.lt(b.to_string()));
    }
    Ok(q.load(conn)?)
}
