//! From a caller and a registry record to a `Place` the policy can judge, and the visibility
//! convention of the API: a record the caller may not even see publicly is absent (404); one it
//! sees but may not act on is forbidden (403).

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
            estate_id: Some(&self.estate.id),
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
    let estate = db::estates::get(conn, estate_id)?.ok_or(AppError::NotFound { what: "estate" })?;
    let company = db::estates::current_contracts(conn, std::slice::from_ref(&estate.id), ids::today())?
        .into_iter()
        .next()
        .map(|(_, c, k)| (c, k));
    let owner_ids = caller.principal.scopes(Role::Owner);
    let caller_owns_here = !owner_ids.is_empty() && db::estates::held_by(conn, &owner_ids)?.contains(&estate.id);
    Ok(EstateCtx {
        estate,
        company,
        caller_owns_here,
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
