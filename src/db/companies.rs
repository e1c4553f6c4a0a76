//! Property companies and their service contracts with estates.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::estates::EstateScope;
use super::orgs::segment_pattern;
use super::schema::{companies, estates, service_contracts};
use super::AnyConnection;
use crate::error::AppResult;

#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = companies)]
pub struct CompanyRow {
    pub id: String,
    pub name: String,
    pub credit_code: String,
    pub party_coverage: String,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub created_at: NaiveDateTime,
    /// The county where the company is registered (its home); `None` for companies registered
    /// before homes were recorded.
    pub county_id: Option<String>,
}

#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = service_contracts)]
pub struct ContractRow {
    pub id: String,
    pub company_id: String,
    pub estate_id: String,
    pub kind: String,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    pub created_at: NaiveDateTime,
}

pub fn insert(conn: &mut AnyConnection, c: &CompanyRow) -> AppResult<()> {
    diesel::insert_into(companies::table).values(c).execute(conn)?;
    Ok(())
}

pub fn get(conn: &mut AnyConnection, id: &str) -> AppResult<Option<CompanyRow>> {
    Ok(companies::table
        .find(id)
        .select(CompanyRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn by_credit_code(conn: &mut AnyConnection, code: &str) -> AppResult<Option<CompanyRow>> {
    Ok(companies::table
        .filter(companies::credit_code.eq(code))
        .select(CompanyRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn get_many(conn: &mut AnyConnection, ids: &[String]) -> AppResult<Vec<CompanyRow>> {
    Ok(companies::table
        .filter(companies::id.eq_any(ids))
        .select(CompanyRow::as_select())
        .load(conn)?)
}

/// Which companies a list may show: all, those registered in some counties, those with a
/// contract (current or past) with an estate in an estate scope, and some by id.
#[derive(Clone, Debug, Default)]
pub struct CompanyScope {
    pub all: bool,
    pub home_counties: Vec<String>,
    pub contracted_in: EstateScope,
    pub ids: Vec<String>,
}

/// The estates a company has (or had) a contract with, with the paths scope checks need:
/// (estate id, community path, responsible organisation's path).
pub fn contract_estates(conn: &mut AnyConnection, company_id: &str) -> AppResult<Vec<(String, String, String)>> {
    Ok(service_contracts::table
        .inner_join(estates::table)
        .filter(service_contracts::company_id.eq(company_id))
        .select((estates::id, estates::community_path, estates::responsible_path))
        .distinct()
        .load(conn)?)
}

/// Companies with a contract with an estate of the scope (an estate scope is never `all` here:
/// that case needs no list).
fn contracted_within(conn: &mut AnyConnection, scope: &EstateScope) -> AppResult<Vec<String>> {
    if scope.within.is_empty() && scope.ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = service_contracts::table
        .inner_join(estates::table)
        .select(service_contracts::company_id)
        .distinct()
        .into_boxed();
    let mut cond: Box<dyn BoxableExpression<_, _, SqlType = diesel::sql_types::Bool>> =
        Box::new(estates::id.eq_any(scope.ids.clone()));
    for r in &scope.within {
        let pat = segment_pattern(r);
        cond = Box::new(
            cond.or(estates::community_path.like(pat.clone()))
                .or(estates::responsible_path.like(pat)),
        );
    }
    q = q.filter(cond);
    Ok(q.load(conn)?)
}

/// A page of the companies in `scope`, in id order.
pub fn page(
    conn: &mut AnyConnection,
    scope: &CompanyScope,
    after: Option<&str>,
    limit: i64,
) -> AppResult<Vec<CompanyRow>> {
    let mut q = companies::table
        .select(CompanyRow::as_select())
        .order(companies::id.asc())
        .limit(limit)
        .into_boxed();
    if !scope.all {
        let mut ids = contracted_within(conn, &scope.contracted_in)?;
        ids.extend(scope.ids.iter().cloned());
        q = q.filter(
            companies::id
                .eq_any(ids)
                .or(companies::county_id.eq_any(scope.home_counties.clone())),
        );
    }
    if let Some(a) = after {
        q = q.filter(companies::id.gt(a.to_string()));
    }
    Ok(q.load(conn)?)
}

pub fn insert_contract(conn: &mut AnyConnection, c: &ContractRow) -> AppResult<()> {
    diesel::insert_into(service_contracts::table).values(c).execute(conn)?;
    Ok(())
}

pub fn contracts_of_estate(conn: &mut AnyConnection, estate_id: &str) -> AppResult<Vec<ContractRow>> {
    Ok(service_contracts::table
        .filter(service_contracts::estate_id.eq(estate_id))
        .order(service_contracts::starts_on.desc())
        .select(ContractRow::as_select())
        .load(conn)?)
}

pub fn contracts_of_company(conn: &mut AnyConnection, company_id: &str) -> AppResult<Vec<ContractRow>> {
    Ok(service_contracts::table
        .filter(service_contracts::company_id.eq(company_id))
        .order(service_contracts::starts_on.desc())
        .select(ContractRow::as_select())
        .load(conn)?)
}

/// Contracts of the estate that overlap [starts_on, ends_on] (both included; open ends run forever).
pub fn overlapping(
    conn: &mut AnyConnection,
    estate_id: &str,
    starts_on: NaiveDate,
    ends_on: Option<NaiveDate>,
) -> AppResult<Vec<ContractRow>> {
    let mut q = service_contracts::table
        .filter(service_contracts::estate_id.eq(estate_id.to_string()))
        .filter(
            service_contracts::ends_on
                .is_null()
                .or(service_contracts::ends_on.ge(starts_on)),
        )
        .select(ContractRow::as_select())
        .into_boxed();
    if let Some(e) = ends_on {
        q = q.filter(service_contracts::starts_on.le(e));
    }
    Ok(q.load(conn)?)
}

super::terms::term_columns!(CompanyRow {
    party_coverage, set_party_coverage: crate::domain::registry::PartyCoverage;
});

super::terms::term_columns!(ContractRow {
    kind, set_kind: crate::domain::registry::ContractKind;
});
