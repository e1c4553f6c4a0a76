//! From a caller and a registry record to a `Place` the policy can judge, and the visibility
//! convention of the API: a record the caller may not even see publicly is absent (404); one it
//! sees but may not act on is forbidden (403).

use crate::db::companies::{CompanyRow, CompanyScope};
use crate::db::estates::{EstateRow, EstateScope};
use crate::db::orgs::OrgRow;
use crate::db::{self, audit, AnyConnection};
use crate::domain::ids;
use crate::domain::policy::{authorize, Action, Place, Role};
use crate::domain::registry::{ContractKind, ManagementMode};
use crate::error::{AppError, AppResult};
use crate::http::security::Caller;

/// An estate with the facts that scope checks and views need.
#[derive(Clone, Debug)]
pub struct EstateCtx {
    pub estate: EstateRow,
    pub company: Option<(String, ContractKind)>,
    pub caller_owns_here: bool,
}

impl EstateCtx {
    pub fn place(&self) -> Place<'_> {
        Place {
            org_paths: vec![&self.estate.community_path, &self.estate.responsible_path],
            estate_ids: vec![&self.estate.id],
            company_id: self.company.as_ref().map(|(c, _)| c.as_str()),
            caller_owns_here: self.caller_owns_here,
            department_ids: Vec::new(),
        }
    }

    pub fn management_mode(&self) -> ManagementMode {
        ManagementMode::derive(self.company.as_ref().map(|(_, k)| *k), self.estate.self_managed)
    }
}

/// Loads an estate's context for `caller` (inside any connection or transaction).
pub fn estate_ctx(conn: &mut AnyConnection, caller: &Caller, estate_id: &str) -> AppResult<EstateCtx> {
    let (estate, company) =
        db::estates::get_with_contract(conn, estate_id, ids::today())?.ok_or(AppError::NotFound { what: "estate" })?;
    let owner_ids = caller.principal.scopes(Role::Owner);
    let caller_owns_here = !owner_ids.is_empty() && db::estates::held_by(conn, &owner_ids)?.contains(&estate.id);
    Ok(EstateCtx {
        estate,
        company,
        caller_owns_here,
    })
}

/// A company with where it belongs: its home county (where it is registered) and the estates of
/// its contracts, current or past.
#[derive(Clone, Debug)]
pub struct CompanyCtx {
    pub company: CompanyRow,
    pub home_path: Option<String>,
    /// (estate id, community path, responsible organisation's path) of each contracted estate.
    pub estates: Vec<(String, String, String)>,
    pub caller_owns_here: bool,
}

impl CompanyCtx {
    /// Everywhere the company works: its home county and its contracted estates.
    pub fn place(&self) -> Place<'_> {
        let mut org_paths: Vec<&str> = self.home_path.iter().map(String::as_str).collect();
        for (_, community, responsible) in &self.estates {
            org_paths.push(community);
            org_paths.push(responsible);
        }
        Place {
            org_paths,
            estate_ids: self.estates.iter().map(|(e, _, _)| e.as_str()).collect(),
            company_id: Some(&self.company.id),
            caller_owns_here: self.caller_owns_here,
            department_ids: Vec::new(),
        }
    }

    /// Only the company's home: what its API keys fall under.
    pub fn home_place(&self) -> Place<'_> {
        Place {
            org_paths: self.home_path.iter().map(String::as_str).collect(),
            company_id: Some(&self.company.id),
            ..Place::default()
        }
    }
}

/// Loads a company's context for `caller`; a company the caller may not see is absent (404).
pub fn company_ctx(conn: &mut AnyConnection, caller: &Caller, company_id: &str) -> AppResult<CompanyCtx> {
    let not_found = || AppError::NotFound { what: "company" };
    let company = db::companies::get(conn, company_id)?.ok_or_else(not_found)?;
    let home_path = match &company.county_id {
        Some(c) => db::orgs::get(conn, c)?.map(|o| o.path),
        None => None,
    };
    let estates = db::companies::contract_estates(conn, &company.id)?;
    let owner_ids = caller.principal.scopes(Role::Owner);
    let caller_owns_here = !owner_ids.is_empty() && {
        let held = db::estates::held_by(conn, &owner_ids)?;
        estates.iter().any(|(e, _, _)| held.contains(e))
    };
    let ctx = CompanyCtx {
        company,
        home_path,
        estates,
        caller_owns_here,
    };
    authorize(&caller.principal, &Action::ViewCompany(ctx.place())).map_err(|_| not_found())?;
    Ok(ctx)
}

/// The companies a caller may list: the union of what each of its grants reaches.
pub fn company_scope(conn: &mut AnyConnection, caller: &Caller) -> AppResult<CompanyScope> {
    let p = &caller.principal;
    // The estates whose companies the caller may see. Not a company's own estates: serving an
    // estate does not open the other companies that served it.
    let mut contracted_in = EstateScope::default();
    contracted_in.within.extend(p.scopes(Role::Bureau));
    contracted_in.within.extend(p.scopes(Role::PartyOrg));
    contracted_in.ids.extend(p.scopes(Role::Committee));
    contracted_in
        .ids
        .extend(db::estates::held_by(conn, &p.scopes(Role::Owner))?);
    Ok(CompanyScope {
        all: p.has_role(Role::Admin),
        home_counties: p.scopes(Role::Bureau),
        contracted_in,
        ids: p.scopes(Role::Company),
    })
}

pub fn org_place(org: &OrgRow) -> Place<'_> {
    Place {
        org_paths: vec![&org.path],
        ..Place::default()
    }
}

/// Asks the policy about a record: 404 if the caller may not even see it publicly, 403 if it
/// sees it but may not do `action`. Returns the audit actor on success.
pub fn check(caller: &Caller, place: &Place<'_>, action: &Action<'_>) -> AppResult<audit::Actor> {
    if authorize(&caller.principal, &Action::ViewPublic(place.clone())).is_err() {
        return Err(AppError::NotFound { what: "record" });
    }
    caller.may(action)
}

/// The estates a caller may list: the union of what each of its grants reaches.
pub fn estate_scope(conn: &mut AnyConnection, caller: &Caller) -> AppResult<EstateScope> {
    let p = &caller.principal;
    let mut scope = EstateScope {
        all: p.has_role(Role::Admin),
        ..EstateScope::default()
    };
    scope.within.extend(p.scopes(Role::Bureau));
    scope.within.extend(p.scopes(Role::PartyOrg));
    scope.ids.extend(p.scopes(Role::Committee));
    for company in p.scopes(Role::Company) {
        scope.ids.extend(db::estates::served_by(conn, &company, ids::today())?);
    }
    scope.ids.extend(db::estates::held_by(conn, &p.scopes(Role::Owner))?);
    Ok(scope)
}

/// What a caller needs to do with an estate's data, for `guard_estate`.
#[derive(Clone, Copy, Debug)]
pub enum Need {
    /// Public data.
    Public,
    /// Personal data.
    Private,
    /// Change registry records.
    Manage,
    /// Issue an owner's activation code.
    ActivationCode,
}

impl Need {
    pub fn action(self, place: Place<'_>) -> Action<'_> {
        match self {
            Need::Public => Action::ViewPublic(place),
            Need::Private => Action::ViewPrivate(place),
            Need::Manage => Action::ManageRegistry(place),
            Need::ActivationCode => Action::IssueActivationCode(place),
        }
    }
}

/// Loads an estate for `caller` and checks `need` against it (404 if not visible at all).
pub fn guard_estate(
    conn: &mut AnyConnection,
    caller: &Caller,
    estate_id: &str,
    need: Need,
) -> AppResult<(EstateCtx, audit::Actor)> {
    let ctx = estate_ctx(conn, caller, estate_id)?;
    let actor = check(caller, &ctx.place(), &need.action(ctx.place()))?;
    Ok((ctx, actor))
}

/// Where a caller stands to a county as a whole (its rating campaigns): its officials by their
/// grants, a company that works (or worked) there, an owner who holds a unit there, the
/// committee of an estate there.
pub struct CountyViewer {
    pub company_id: Option<String>,
    pub owns_here: bool,
    /// The estates of the county whose committee the caller acts for.
    pub committee_of: Vec<String>,
    /// The paths of the caller's party organisations inside the county (a community's staff
    /// see its campaigns, as they enter paper questionnaires for its owners).
    pub party_orgs_here: Vec<String>,
}

impl CountyViewer {
    pub fn of(conn: &mut AnyConnection, caller: &Caller, county: &OrgRow) -> AppResult<CountyViewer> {
        let companies = caller.principal.scopes(Role::Company);
        let owners = caller.principal.scopes(Role::Owner);
        let held = db::estates::held_by(conn, &owners)?;
        let mut committee_of = Vec::new();
        for estate in caller.principal.scopes(Role::Committee) {
            if db::ratings::any_estate_in_county(conn, std::slice::from_ref(&estate), &county.id)? {
                committee_of.push(estate);
            }
        }
        let mut party_orgs_here = Vec::new();
        for org in caller.principal.scopes(Role::PartyOrg) {
            if let Some(row) = db::orgs::get(conn, &org)? {
                if crate::domain::registry::path_within(&row.path, &county.id) && row.id != county.id {
                    party_orgs_here.push(row.path);
                }
            }
        }
        Ok(CountyViewer {
            party_orgs_here,
            company_id: db::ratings::company_in_county(conn, &companies, &county.id)?,
            owns_here: db::ratings::any_estate_in_county(conn, &held, &county.id)?,
            committee_of,
        })
    }

    pub fn place<'a>(&'a self, county: &'a OrgRow) -> Place<'a> {
        let mut org_paths = vec![county.path.as_str()];
        org_paths.extend(self.party_orgs_here.iter().map(String::as_str));
        Place {
            org_paths,
            company_id: self.company_id.as_deref(),
            caller_owns_here: self.owns_here,
            estate_ids: self.committee_of.iter().map(String::as_str).collect(),
            ..org_place(county)
        }
    }
}

/// The caller's owner record that holds a unit in the estate (the first, if it has several);
/// 403 when none does.
pub fn owner_in_estate(conn: &mut AnyConnection, caller: &Caller, estate_id: &str) -> AppResult<String> {
    db::estates::holder_in(conn, &caller.principal.scopes(Role::Owner), estate_id)?.ok_or_else(AppError::forbidden)
}

/// The companies the caller acts for.
pub fn companies_of(caller: &Caller) -> Vec<String> {
    caller.principal.scopes(Role::Company)
}
