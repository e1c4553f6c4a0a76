//! Who may do what. Every "may X do Y on Z" of the service is decided here; handlers describe
//! the action and ask, they never inspect roles themselves.

use std::fmt;

/// The roles of RULES.md's users, each granted with a scope (none for `admin`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// System administrator.
    Admin,
    /// Housing bureau (住建局), county-wide; scope: the county.
    Bureau,
    /// A party organisation (乡镇党委/社区党委/网格党支部) and everything below it; scope: the organisation.
    PartyOrg,
    /// An estate's owners' committee or property management committee; scope: the estate.
    Committee,
    /// A property company (物业服务企业); scope: the company.
    Company,
    /// An owner (业主); scope: the owner record.
    Owner,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Admin,
        Role::Bureau,
        Role::PartyOrg,
        Role::Committee,
        Role::Company,
        Role::Owner,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Bureau => "bureau",
            Role::PartyOrg => "party_org",
            Role::Committee => "committee",
            Role::Company => "company",
            Role::Owner => "owner",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Whether a grant of this role must name what it is limited to.
    pub fn needs_scope(self) -> bool {
        self != Role::Admin
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grant {
    pub role: Role,
    /// `None` only for `admin`.
    pub scope_id: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Actor {
    /// A person logged in; `session_id` names the token family.
    User { id: String, session_id: String },
    /// An integration calling with an API key.
    ApiKey { id: String },
}

/// An authenticated caller.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    pub actor: Actor,
    pub grants: Vec<Grant>,
}

impl Principal {
    pub fn actor_type(&self) -> &'static str {
        match self.actor {
            Actor::User { .. } => "user",
            Actor::ApiKey { .. } => "api_key",
        }
    }

    pub fn actor_id(&self) -> &str {
        match &self.actor {
            Actor::User { id, .. } | Actor::ApiKey { id } => id,
        }
    }

    fn has(&self, role: Role, scope: Option<&str>) -> bool {
        self.grants
            .iter()
            .any(|g| g.role == role && (scope.is_none() || g.scope_id.as_deref() == scope))
    }
}

/// What a caller wants to do. Later capabilities add their actions here.
#[derive(Clone, Debug)]
pub enum Action<'a> {
    /// Create accounts, grant and revoke roles, list accounts.
    ManageAccounts,
    /// Issue an API key for a company.
    IssueApiKey { company_id: &'a str },
    /// List or read a company's API keys (metadata only; the secret is never shown again).
    ViewApiKeys { company_id: &'a str },
    /// Revoke a company's API key.
    RevokeApiKey { company_id: &'a str },
    /// Read and verify the audit log.
    ReadAudit,
}

#[derive(Debug, PartialEq, Eq)]
pub struct Denied;

/// Decides whether `p` may do `action`; on success names the role under which it may, which the
/// audit log records.
pub fn authorize(p: &Principal, action: &Action<'_>) -> Result<Role, Denied> {
    use Role::*;
    let allowed: &[(Role, Option<&str>)] = match action {
        Action::ManageAccounts | Action::ReadAudit => &[(Admin, None)],
        Action::IssueApiKey { .. } => &[(Admin, None), (Bureau, None)],
        Action::ViewApiKeys { company_id } | Action::RevokeApiKey { company_id } => {
            return [(Admin, None), (Bureau, None), (Company, Some(*company_id))]
                .into_iter()
                .find(|(r, s)| p.has(*r, *s))
                .map(|(r, _)| r)
                .ok_or(Denied);
        }
    };
    allowed
        .iter()
        .find(|(r, s)| p.has(*r, *s))
        .map(|(r, _)| *r)
        .ok_or(Denied)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn who(grants: &[(Role, Option<&str>)]) -> Principal {
        Principal {
            actor: Actor::User {
                id: "u".into(),
                session_id: "s".into(),
            },
            grants: grants
                .iter()
                .map(|(r, s)| Grant {
                    role: *r,
                    scope_id: s.map(str::to_string),
                })
                .collect(),
        }
    }

    #[test]
    fn only_admin_manages_accounts_and_reads_audit() {
        assert_eq!(
            authorize(&who(&[(Role::Admin, None)]), &Action::ManageAccounts),
            Ok(Role::Admin)
        );
        assert_eq!(
            authorize(&who(&[(Role::Bureau, Some("c"))]), &Action::ManageAccounts),
            Err(Denied)
        );
        assert_eq!(
            authorize(&who(&[(Role::Owner, Some("o"))]), &Action::ReadAudit),
            Err(Denied)
        );
    }

    #[test]
    fn a_company_sees_only_its_own_keys() {
        let p = who(&[(Role::Company, Some("c1"))]);
        assert_eq!(
            authorize(&p, &Action::ViewApiKeys { company_id: "c1" }),
            Ok(Role::Company)
        );
        assert_eq!(
            authorize(&p, &Action::ViewApiKeys { company_id: "c2" }),
            Err(Denied)
        );
        assert_eq!(
            authorize(&p, &Action::IssueApiKey { company_id: "c1" }),
            Err(Denied)
        );
        assert_eq!(
            authorize(
                &who(&[(Role::Bureau, Some("county"))]),
                &Action::IssueApiKey { company_id: "c1" }
            ),
            Ok(Role::Bureau)
        );
    }

    #[test]
    fn roles_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("root"), None);
    }
}
