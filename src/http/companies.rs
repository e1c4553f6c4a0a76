//! Property companies (物业服务企业): the registry with credit codes and party-building coverage
//! (两个覆盖), and service contracts from which each estate's current company is derived.

use chrono::NaiveDate;
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use serde::Deserialize;

use super::body::JsonBody;
use super::paging::{self, Page};
use super::problem::ApiResult;
use super::scope::{check, company_ctx, company_scope, estate_ctx, org_place, CompanyCtx};
use super::security::{AnyAuth, BearerAuth, Caller};
use super::ApiTags;
use crate::db::companies::{CompanyRow, ContractRow};
use crate::db::orgs::OrgRow;
use crate::db::{self, AnyConnection};
use crate::domain::identity::{is_valid_credit_code, is_valid_mobile, mask_phone, normalize_code};
use crate::domain::ids;
use crate::domain::policy::{self, authorize, Action};
use crate::domain::registry::{ContractKind, OrgKind, PartyCoverage};
use crate::error::{codes, reason, AppError, AppResult};
use crate::AppState;

pub struct CompaniesApi;

#[derive(Object, Deserialize)]
#[oai(skip_serializing_if_is_none)]
#[serde(deny_unknown_fields)]
pub struct NewCompany {
    #[oai(validator(min_length = 1, max_length = 100))]
    pub name: String,
    /// Unified social credit code (统一社会信用代码), 18 characters, checked by its check digit.
    #[oai(validator(min_length = 18, max_length = 24))]
    pub credit_code: String,
    pub party_coverage: PartyCoverage,
    #[oai(validator(max_length = 50))]
    pub contact_name: Option<String>,
    #[oai(validator(max_length = 20))]
    pub contact_phone: Option<String>,
    /// The county (an organisation of kind `county`) where the company is registered: its home,
    /// whose housing bureau issues its API keys. A bureau may leave it out (its own county);
    /// administrators name it.
    #[oai(validator(min_length = 1, max_length = 64))]
    pub county_id: Option<String>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Company {
    pub id: String,
    pub name: String,
    pub credit_code: String,
    pub party_coverage: PartyCoverage,
    /// The county where the company is registered; absent for companies registered before
    /// homes were recorded.
    #[oai(skip_serializing_if_is_none)]
    pub county_id: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub contact_name: Option<String>,
    /// Masked except for administrators, the bureau and the company itself.
    #[oai(skip_serializing_if_is_none)]
    pub contact_phone: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Object, Deserialize)]
#[oai(skip_serializing_if_is_none)]
#[serde(deny_unknown_fields)]
pub struct NewContract {
    #[oai(validator(min_length = 1, max_length = 64))]
    pub estate_id: String,
    pub kind: ContractKind,
    /// First day (China Standard Time), included.
    pub starts_on: NaiveDate,
    /// Last day, included; open-ended if absent.
    pub ends_on: Option<NaiveDate>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Contract {
    pub id: String,
    pub company_id: String,
    pub estate_id: String,
    pub kind: ContractKind,
    pub starts_on: NaiveDate,
    #[oai(skip_serializing_if_is_none)]
    pub ends_on: Option<NaiveDate>,
    /// Whether it is in force today.
    pub current: bool,
}

#[derive(ApiResponse)]
pub enum CompanyCreated {
    /// Created.
    #[oai(status = 201)]
    Created(Json<Company>),
}

#[derive(ApiResponse)]
pub enum ContractCreated {
    /// Created.
    #[oai(status = 201)]
    Created(Json<Contract>),
}

fn company_out(c: CompanyRow, clear_phone: bool) -> AppResult<Company> {
    Ok(Company {
        party_coverage: c.party_coverage()?,
        contact_phone: c.contact_phone.map(|p| if clear_phone { p } else { mask_phone(&p) }),
        id: c.id,
        name: c.name,
        credit_code: c.credit_code,
        contact_name: c.contact_name,
        created_at: c.created_at.and_utc(),
        county_id: c.county_id,
    })
}

fn contract_out(c: ContractRow) -> AppResult<Contract> {
    let current = crate::domain::registry::contract_current(c.starts_on, c.ends_on, ids::today());
    Ok(Contract {
        kind: c.kind()?,
        id: c.id,
        company_id: c.company_id,
        estate_id: c.estate_id,
        starts_on: c.starts_on,
        ends_on: c.ends_on,
        current,
    })
}

/// Whether the caller sees the company's contacts in clear (the policy decides).
fn sees_contacts(caller: &Caller, ctx: &CompanyCtx) -> bool {
    authorize(&caller.principal, &Action::ViewCompanyContacts(ctx.place())).is_ok()
}

/// The county a new company is registered in: the one named, or the bureau's own.
fn home_county(conn: &mut AnyConnection, caller: &Caller, named: Option<&str>) -> AppResult<OrgRow> {
    let id = match named {
        Some(id) => id.to_string(),
        None => match policy::own_county(&caller.principal) {
            Some(own) => own,
            None => {
                return Err(AppError::invalid(
                    "county_id",
                    reason::REQUIRED,
                    "name the county where the company is registered",
                ))
            }
        },
    };
    db::orgs::get(conn, &id)?
        .filter(|o| o.kind().is_ok_and(|k| k == OrgKind::County))
        .ok_or_else(|| AppError::invalid("county_id", reason::NOT_FOUND, "no county with this id"))
}

#[OpenApi(tag = "ApiTags::Companies")]
impl CompaniesApi {
    /// Register a property company in a county (its home).
    ///
    /// Administrators, and the housing bureau of that county.
    #[oai(path = "/companies", method = "post", operation_id = "createCompany")]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: JsonBody<NewCompany>,
    ) -> ApiResult<CompanyCreated> {
        let caller = auth.0.clone();
        let input = body.0;
        let code = normalize_code(&input.credit_code);
        if !is_valid_credit_code(&code) {
            return Err(AppError::invalid(
                "credit_code",
                reason::CHECK_DIGIT,
                "not a valid unified social credit code (GB 32100)",
            )
            .into());
        }
        if let Some(p) = &input.contact_phone {
            if !is_valid_mobile(p) {
                return Err(AppError::invalid("contact_phone", reason::FORMAT, "not an 11-digit mobile number").into());
            }
        }
        let mut row = CompanyRow {
            id: ids::new_id(),
            name: input.name.trim().into(),
            credit_code: code,
            party_coverage: input.party_coverage.as_str().into(),
            contact_name: input.contact_name,
            contact_phone: input.contact_phone,
            created_at: ids::now(),
            county_id: None,
        };
        let row = state
            .db
            .command(move |c, trail| {
                let county = home_county(c, &caller, input.county_id.as_deref())?;
                let actor = caller.may(&Action::RegisterCompany(org_place(&county)))?;
                row.county_id = Some(county.id);
                let stored = &row;
                if db::companies::by_credit_code(c, &stored.credit_code)?.is_some() {
                    return Err(AppError::conflict(codes::CREDIT_CODE_TAKEN, "a company with this credit code is registered"));
                }
                db::companies::insert(c, stored)?;
                trail.record(&actor, "company.create", "company", &stored.id, &serde_json::json!({ "name": stored.name, "credit_code": stored.credit_code, "coverage": stored.party_coverage, "county": stored.county_id }))?;
                Ok(row)
            })
            .await?;
        Ok(CompanyCreated::Created(Json(company_out(row, true)?)))
    }

    /// List the companies the caller works with.
    ///
    /// Any authenticated caller, who sees: administrators, every company; a housing bureau, the
    /// companies registered in its county or with a contract there; a party organisation, a
    /// committee or an owner, the companies with a contract (current or past) with an estate they
    /// reach; a company (or its API key), itself.
    #[oai(path = "/companies", method = "get", operation_id = "listCompanies")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))] limit: Query<Option<u32>>,
        #[oai(validator(max_length = 200))] cursor: Query<Option<String>>,
    ) -> ApiResult<Json<Page<Company>>> {
        let caller = auth.caller().clone();
        let limit = paging::limit(limit.0);
        let after = paging::decode_cursor::<String>(cursor.0.as_deref())?;
        let (rows, next_cursor) = state
            .db
            .read(move |c| {
                let scope = company_scope(c, &caller)?;
                let rows = db::companies::page(c, &scope, after.as_deref(), paging::fetch(limit))?;
                let (rows, next_cursor) = paging::page(rows, limit, |c| c.id.clone());
                let mut items = Vec::with_capacity(rows.len());
                for row in rows {
                    let ctx = company_ctx(c, &caller, &row.id)?;
                    let clear = sees_contacts(&caller, &ctx);
                    items.push(company_out(ctx.company, clear)?);
                }
                Ok((items, next_cursor))
            })
            .await?;
        Ok(Json(Page {
            items: rows,
            next_cursor,
        }))
    }

    /// Read a company's registry record.
    ///
    /// Whoever works with the company (see `listCompanies`); to anyone else it does not exist
    /// (404). Contact phones are in clear for administrators, the bureaus of the company's
    /// counties and the company itself.
    #[oai(path = "/companies/:id", method = "get", operation_id = "getCompany")]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<Json<Company>> {
        let caller = auth.caller().clone();
        let out = state
            .db
            .read(move |c| {
                let ctx = company_ctx(c, &caller, &id.0)?;
                let clear = sees_contacts(&caller, &ctx);
                company_out(ctx.company, clear)
            })
            .await?;
        Ok(Json(out))
    }

    /// Record a service contract between a company and an estate. Contracts of one estate may
    /// not overlap in time.
    ///
    /// Administrators and the housing bureau of the estate's county. The company may be registered
    /// in another county: the contract makes this county one of its counties.
    #[oai(path = "/companies/:id/contracts", method = "post", operation_id = "createContract")]
    async fn create_contract(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
        body: JsonBody<NewContract>,
    ) -> ApiResult<ContractCreated> {
        let caller = auth.0.clone();
        let input = body.0;
        if input.ends_on.is_some_and(|e| e < input.starts_on) {
            return Err(AppError::invalid("ends_on", reason::BEFORE_START, "the last day is before the first").into());
        }
        let row = state
            .db
            .command(move |c, trail| {
                let company = db::companies::get(c, &id.0)?.ok_or(AppError::NotFound { what: "company" })?;
                let ctx = estate_ctx(c, &caller, &input.estate_id).map_err(|_| AppError::invalid("estate_id", reason::NOT_FOUND, "no estate with this id"))?;
                let actor = check(&caller, &ctx.place(), &Action::ManageContracts(ctx.place()))?;
                if !db::companies::overlapping(c, &ctx.estate.id, input.starts_on, input.ends_on)?.is_empty() {
                    return Err(AppError::conflict(codes::CONTRACT_OVERLAP, "the estate has another contract in this period"));
                }
                let kind = input.kind;
                let row = ContractRow {
                    id: ids::new_id(),
                    company_id: company.id,
                    estate_id: ctx.estate.id.clone(),
                    kind: kind.as_str().into(),
                    starts_on: input.starts_on,
                    ends_on: input.ends_on,
                    created_at: ids::now(),
                };
                db::companies::insert_contract(c, &row)?;
                let change = serde_json::json!({ "contract": row.id, "company": row.company_id, "kind": row.kind, "starts_on": row.starts_on, "ends_on": row.ends_on });
                trail.record(&actor, "contract.create", "estate", &row.estate_id, &change)?;
                trail.publish(crate::db::webhooks::Outbound::new(
                    crate::domain::webhook::WebhookEvent::ContractChanged,
                    Some(crate::domain::registry::county_of(&ctx.estate.community_path)),
                    Some(row.company_id.clone()),
                    &row.id,
                    crate::http::events::data(&crate::http::events::ContractChangedData {
                        change: "created".into(),
                        contract_id: row.id.clone(),
                        estate_id: row.estate_id.clone(),
                        kind: row.kind.clone(),
                        starts_on: row.starts_on,
                        ends_on: row.ends_on,
                    }),
                ));
                Ok(row)
            })
            .await?;
        Ok(ContractCreated::Created(Json(contract_out(row)?)))
    }

    /// A company's contracts: those with estates the caller may see.
    ///
    /// Whoever may read the company (see `getCompany`). Administrators and the company itself see
    /// every contract; a bureau those in its county; party organisations, committees and owners
    /// those of the estates they reach.
    #[oai(
        path = "/companies/:id/contracts",
        method = "get",
        operation_id = "listCompanyContracts"
    )]
    async fn company_contracts(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<Json<Page<Contract>>> {
        let caller = auth.caller().clone();
        let rows = state
            .db
            .read(move |c| {
                let ctx = company_ctx(c, &caller, &id.0)?;
                let mut out = Vec::new();
                for row in db::companies::contracts_of_company(c, &ctx.company.id)? {
                    let estate = estate_ctx(c, &caller, &row.estate_id)?;
                    let action = Action::ViewContract {
                        estate: estate.place(),
                        company: ctx.home_place(),
                    };
                    if authorize(&caller.principal, &action).is_ok() {
                        out.push(row);
                    }
                }
                Ok(out)
            })
            .await?;
        Ok(Json(Page::whole(
            rows.into_iter().map(contract_out).collect::<AppResult<_>>()?,
        )))
    }

    /// An estate's contracts, current and past.
    ///
    /// Whoever may see the estate.
    #[oai(
        path = "/estates/:id/contracts",
        method = "get",
        operation_id = "listEstateContracts"
    )]
    async fn estate_contracts(
        &self,
        state: Data<&AppState>,
        auth: AnyAuth,
        #[oai(validator(max_length = 64))] id: Path<String>,
    ) -> ApiResult<Json<Page<Contract>>> {
        let caller = auth.caller().clone();
        let rows = state
            .db
            .read(move |c| {
                let ctx = estate_ctx(c, &caller, &id.0)?;
                check(&caller, &ctx.place(), &Action::ViewPublic(ctx.place()))?;
                db::companies::contracts_of_estate(c, &ctx.estate.id)
            })
            .await?;
        Ok(Json(Page::whole(
            rows.into_iter().map(contract_out).collect::<AppResult<_>>()?,
        )))
    }
}
