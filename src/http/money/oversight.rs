//! The county's oversight of the owners' accounts: its settings, the statements and answers owed
//! (in `GET /deadlines`), and each estate's disclosure at a glance, as figures and as a workbook.

use std::collections::HashMap;

use super::*;
use crate::db::estates::EstateRow;
use crate::db::orgs::OrgRow;
use crate::domain::committee::DeadlineKind;
use crate::domain::registry::OrgKind;
use crate::http::committees::{DeadlineItem, DeadlineOut};
use crate::http::ratings::export::{self, Cell, Sheet};
use crate::http::scope::org_place;

pub struct OversightApi;

/// The latest periods looked at: a year of quarters, two fund periods.
const KEEP_INCOME: usize = 4;
const KEEP_FUND: usize = 2;

/// Each estate's published periods per account: (first day, last day, day first published).
type Published = HashMap<(String, String), Vec<(NaiveDate, NaiveDate, NaiveDate)>>;

/// What the figures and the deadlines are made from, for many estates at once.
struct Facts {
    settings: HashMap<String, MoneySettings>,
    contracts: HashMap<String, (String, NaiveDate)>,
    first: HashMap<String, NaiveDate>,
    published: Published,
    questions: Vec<QuestionRow>,
}

fn facts(conn: &mut AnyConnection, estates: &[EstateRow], today: NaiveDate) -> AppResult<Facts> {
    let ids_: Vec<String> = estates.iter().map(|e| e.id.clone()).collect();
    let mut settings = HashMap::new();
    for e in estates {
        let county = county_of(&e.community_path);
        if let std::collections::hash_map::Entry::Vacant(slot) = settings.entry(county) {
            let s = county_settings(conn, slot.key())?;
            slot.insert(s);
        }
    }
    let contracts = db::money::contracts_on(conn, &ids_, today)?
        .into_iter()
        .map(|(e, c, d)| (e, (c, d)))
        .collect();
    let first = db::money::first_recorded(conn, &ids_)?
        .into_iter()
        .map(|(e, at)| (e, ids::local_date(at)))
        .collect();
    let mut published: Published = HashMap::new();
    for (e, account, from, to, at) in db::money::published_periods(conn, &ids_)? {
        published
            .entry((e, account))
            .or_default()
            .push((from, to, ids::local_date(at)));
    }
    Ok(Facts {
        settings,
        contracts,
        first,
        published,
        questions: db::money::unanswered(conn, &ids_)?,
    })
}

/// The statements an estate owes, per account (the latest periods).
fn owed(f: &Facts, e: &EstateRow, today: NaiveDate) -> Vec<(Account, money::Owed)> {
    let Some((_, contract_from)) = f.contracts.get(&e.id) else {
        return Vec::new();
    };
    let Some(s) = f.settings.get(&county_of(&e.community_path)) else {
        return Vec::new();
    };
    // Owed from the county's start, or the estate's first record, whichever is earlier; never
    // before the company's contract.
    let started = match (s.accounts_from, f.first.get(&e.id)) {
        (Some(a), Some(b)) => a.min(*b),
        (Some(a), None) => a,
        (None, Some(b)) => *b,
        (None, None) => return Vec::new(),
    };
    let since = started.max(*contract_from);
    let mut out = Vec::new();
    for (account, keep) in [
        (Account::CommonIncome, KEEP_INCOME),
        (Account::MaintenanceFund, KEEP_FUND),
    ] {
        let published: Vec<(NaiveDate, NaiveDate)> = f
            .published
            .get(&(e.id.clone(), account.as_str().to_string()))
            .map(|v| v.iter().map(|(from, _, on)| (*from, *on)).collect())
            .unwrap_or_default();
        let months = money::months_of(account, s.fund_statement_months);
        for o in money::statements_owed(since, months, s.statement_due_days, &published, today, keep) {
            out.push((account, o));
        }
    }
    out
}

/// The statements and answers owed by the estates under `org`, as deadlines: outstanding ones,
/// and met ones with the day they were met.
pub(crate) fn accounts_owed(
    conn: &mut AnyConnection,
    estates: &[EstateRow],
    today: NaiveDate,
) -> AppResult<Vec<DeadlineItem>> {
    let f = facts(conn, estates, today)?;
    let mut out = Vec::new();
    for e in estates {
        for (account, o) in owed(&f, e, today) {
            out.push(DeadlineItem {
                committee_id: None,
                estate_id: Some(e.id.clone()),
                community_id: e.community_id.clone(),
                deadline: DeadlineOut {
                    kind: match account {
                        Account::CommonIncome => DeadlineKind::IncomeStatement,
                        Account::MaintenanceFund => DeadlineKind::FundStatement,
                    },
                    due_on: o.due_on,
                    done_on: o.published_on,
                    overdue: o.overdue,
                },
            });
        }
    }
    let community: HashMap<&str, &str> = estates
        .iter()
        .map(|e| (e.id.as_str(), e.community_id.as_str()))
        .collect();
    for q in &f.questions {
        out.push(DeadlineItem {
            committee_id: None,
            estate_id: Some(q.estate_id.clone()),
            community_id: community
                .get(q.estate_id.as_str())
                .copied()
                .unwrap_or_default()
                .to_string(),
            deadline: DeadlineOut {
                kind: DeadlineKind::StatementQuestion,
                due_on: q.answer_due,
                done_on: None,
                overdue: today > q.answer_due,
            },
        });
    }
    Ok(out)
}

/// Each estate's disclosure under an organisation.
fn disclosure(conn: &mut AnyConnection, org: &OrgRow) -> AppResult<Disclosure> {
    let today = ids::today();
    let estates = db::estates::all_within(conn, &org.id)?;
    let f = facts(conn, &estates, today)?;
    let ids_: Vec<String> = estates.iter().map(|e| e.id.clone()).collect();
    let standards: HashMap<String, NaiveDate> = db::money::standards_from(conn, &ids_, today)?.into_iter().collect();
    let mut questions: HashMap<&str, (u32, u32)> = HashMap::new();
    for q in &f.questions {
        let slot = questions.entry(q.estate_id.as_str()).or_default();
        slot.0 += 1;
        slot.1 += u32::from(today > q.answer_due);
    }
    let latest = |e: &str, a: Account| {
        f.published
            .get(&(e.to_string(), a.as_str().to_string()))
            .and_then(|v| v.iter().map(|(_, to, _)| *to).max())
    };
    let mut items = Vec::with_capacity(estates.len());
    for e in &estates {
        let owed = owed(&f, e, today);
        let (unanswered, overdue_q) = questions.get(e.id.as_str()).copied().unwrap_or_default();
        items.push(EstateDisclosure {
            estate_id: e.id.clone(),
            estate_name: e.name.clone(),
            company_id: f.contracts.get(&e.id).map(|(c, _)| c.clone()),
            fee_standard_from: standards.get(&e.id).copied(),
            income_statement_to: latest(&e.id, Account::CommonIncome),
            fund_statement_to: latest(&e.id, Account::MaintenanceFund),
            overdue_statements: owed.iter().filter(|(_, o)| o.overdue).count() as u32,
            late_statements: owed
                .iter()
                .filter(|(_, o)| o.published_on.is_some_and(|d| d > o.due_on))
                .count() as u32,
            unanswered_questions: unanswered,
            overdue_questions: overdue_q,
        });
    }
    Ok(Disclosure {
        org_id: org.id.clone(),
        estates: items.len() as u32,
        with_fee_standard: items.iter().filter(|i| i.fee_standard_from.is_some()).count() as u32,
        with_overdue_statements: items.iter().filter(|i| i.overdue_statements > 0).count() as u32,
        overdue_questions: items.iter().map(|i| i.overdue_questions).sum(),
        items,
        generated_at: Utc::now(),
    })
}

/// An organisation the caller oversees (404 if it may not see it, 403 if it may not oversee).
fn overseen(conn: &mut AnyConnection, caller: &Caller, id: &str) -> AppResult<OrgRow> {
    let org = db::orgs::get(conn, id)?.ok_or(AppError::NotFound { what: "organisation" })?;
    check(caller, &org_place(&org), &Action::ViewCoverage(org_place(&org)))?;
    Ok(org)
}

fn county(conn: &mut AnyConnection, id: &str) -> AppResult<OrgRow> {
    db::orgs::get(conn, id)?
        .filter(|o| o.kind().is_ok_and(|k| k == OrgKind::County))
        .ok_or(AppError::NotFound { what: "organisation" })
}

#[OpenApi(tag = "ApiTags::Money")]
impl OversightApi {
    /// A county's money settings (the defaults — the fund's statement yearly, statements due 30
    /// days after their period, answers within 7 days, every emergency on the list — until the
    /// county sets its own).
    ///
    /// Every signed-in person and every company key: the rules are published.
    #[oai(path = "/orgs/:id/money-settings", method = "get", operation_id = "getMoneySettings")]
    async fn get_settings(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        /// The county.
        #[oai(validator(max_length = 64))]
        id: Path<String>,
    ) -> ApiResult<Json<MoneySettings>> {
        let _signed_in = auth;
        let out = state
            .db
            .read(move |c| {
                let county = county(c, &id.0)?;
                county_settings(c, &county.id)
            })
            .await?;
        Ok(Json(out))
    }

    /// Set a county's money settings. The fund's statement may be asked for more often than
    /// yearly, never less; the answer window may be shortened, never lengthened.
    ///
    /// The county's bureau, administrators.
    #[oai(path = "/orgs/:id/money-settings", method = "put", operation_id = "setMoneySettings")]
    async fn put_settings(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The county.
        #[oai(validator(max_length = 64))]
        id: Path<String>,
        body: JsonBody<MoneySettings>,
    ) -> ApiResult<Json<MoneySettings>> {
        let caller = auth.0;
        let settings = body.0;
        if !money::FUND_MONTHS.contains(&settings.fund_statement_months) {
            return Err(AppError::invalid(
                "fund_statement_months",
                reason::INVALID,
                "12 (yearly), 6, 3 or 1 months",
            )
            .into());
        }
        let out = settings.clone();
        state
            .db
            .command(move |c, trail| {
                let county = county(c, &id.0)?;
                let actor = check(
                    &caller,
                    &org_place(&county),
                    &Action::ManageMoneySettings(org_place(&county)),
                )?;
                let json = serde_json::to_string(&settings).map_err(|e| AppError::Internal(e.to_string()))?;
                db::money::put_settings(c, &county.id, &json, ids::now())?;
                trail.record(
                    &actor,
                    "money.settings",
                    "organisation",
                    &county.id,
                    &serde_json::to_value(&settings).unwrap_or_default(),
                )?;
                Ok(())
            })
            .await?;
        Ok(Json(out))
    }

    /// Each estate's disclosure under an organisation: the fee standard in force, the latest
    /// statements of common income and of the fund, statements overdue and published late (of
    /// the latest periods), questions unanswered and overdue.
    ///
    /// Administrators, the bureau and party organisations at or above the organisation.
    #[oai(path = "/orgs/:id/disclosure", method = "get", operation_id = "getDisclosure")]
    async fn disclosure(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The county, township or community.
        #[oai(validator(max_length = 64))]
        id: Path<String>,
    ) -> ApiResult<Json<Disclosure>> {
        let caller = auth.0;
        let out = state
            .db
            .read(move |c| {
                let org = overseen(c, &caller, &id.0)?;
                disclosure(c, &org)
            })
            .await?;
        Ok(Json(out))
    }

    /// The disclosure status as a workbook (XLSX, Chinese headers), one row per estate.
    ///
    /// As for the disclosure.
    #[oai(
        path = "/orgs/:id/disclosure/export",
        method = "get",
        operation_id = "exportDisclosure"
    )]
    async fn export(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The county, township or community.
        #[oai(validator(max_length = 64))]
        id: Path<String>,
    ) -> ApiResult<MoneyFile> {
        let caller = auth.0;
        let (bytes, name) = state
            .db
            .read(move |c| {
                let org = overseen(c, &caller, &id.0)?;
                let d = disclosure(c, &org)?;
                let day = |d: Option<NaiveDate>| Cell::Text(d.map(|d| d.to_string()).unwrap_or_default());
                let rows = d
                    .items
                    .into_iter()
                    .map(|i| {
                        vec![
                            Cell::Text(i.estate_name),
                            day(i.fee_standard_from),
                            day(i.income_statement_to),
                            day(i.fund_statement_to),
                            Cell::Int(i.overdue_statements as i64),
                            Cell::Int(i.late_statements as i64),
                            Cell::Int(i.unanswered_questions as i64),
                            Cell::Int(i.overdue_questions as i64),
                        ]
                    })
                    .collect();
                let sheet = Sheet {
                    name: "公开情况",
                    headers: [
                        "小区",
                        "现行收费标准起始日",
                        "公共收益最近公示至",
                        "维修资金最近公示至",
                        "逾期未公示(期)",
                        "逾期公示(期)",
                        "未答复询问",
                        "逾期未答复询问",
                    ]
                    .iter()
                    .map(|h| h.to_string())
                    .collect(),
                    rows,
                };
                Ok((export::xlsx(&[sheet])?, format!("disclosure-{}.xlsx", ids::today())))
            })
            .await?;
        Ok(MoneyFile::File(
            poem_openapi::payload::Binary(bytes),
            crate::http::ratings::XLSX.into(),
            crate::http::attachments::content_disposition(&name).replacen("inline", "attachment", 1),
        ))
    }
}
