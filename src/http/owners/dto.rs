//! The request and response bodies of this capability, as the spec shows them.

use super::*;

#[derive(Object, Deserialize)]
#[oai(skip_serializing_if_is_none)]
#[serde(deny_unknown_fields)]
pub struct OwnerPatch {
    /// `null` clears it; absent leaves it.
    #[oai(validator(max_length = 20))]
    #[serde(default)]
    pub phone: MaybeUndefined<String>,
    pub party_member: Option<bool>,
    /// The party organisation the member belongs to (e.g. a building party group); `null`
    /// clears it.
    #[oai(validator(max_length = 64))]
    #[serde(default)]
    pub party_org_id: MaybeUndefined<String>,
    /// `null` ends the post.
    #[serde(default)]
    pub party_post: MaybeUndefined<PartyPost>,
}

#[derive(Object, Deserialize)]
#[oai(skip_serializing_if_is_none)]
#[serde(deny_unknown_fields)]
pub struct NewOwner {
    pub kind: OwnerKind,
    #[oai(validator(min_length = 1, max_length = 100))]
    pub name: String,
    /// National ID number (natural) or credit code (legal); checked by its check digit, stored
    /// only as a keyed hash plus the last four characters.
    #[oai(validator(min_length = 18, max_length = 20))]
    pub id_number: String,
    #[oai(validator(max_length = 20))]
    pub phone: Option<String>,
    #[serde(default)]
    #[oai(default)]
    pub party_member: bool,
    /// The party organisation the member belongs to (e.g. a building party group).
    #[oai(validator(max_length = 64))]
    pub party_org_id: Option<String>,
    pub party_post: Option<PartyPost>,
}

#[derive(Object, serde::Serialize)]
#[oai(skip_serializing_if_is_none)]
pub struct Owner {
    pub id: String,
    pub kind: OwnerKind,
    pub name: String,
    /// Last four characters of the ID number.
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_last4: Option<String>,
    /// Masked (138****1234) for everyone but the owner and administrators.
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    pub party_member: bool,
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub party_org_id: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub party_post: Option<PartyPost>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Ownership {
    pub id: String,
    pub unit_id: String,
    pub owner_id: String,
    pub designated_voter: bool,
    pub started_at: chrono::DateTime<chrono::Utc>,
    #[oai(skip_serializing_if_is_none)]
    pub ended_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Where the unit is and its area (in the list of an owner's units).
    #[oai(skip_serializing_if_is_none)]
    pub unit: Option<OwnedUnit>,
}

/// A unit as its owner sees it in their list.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct OwnedUnit {
    pub estate_id: String,
    pub estate_name: String,
    pub building_name: String,
    pub entrance: String,
    pub number: String,
    /// The area that counts (registry, else survey, else contract), in 1/100 m².
    #[oai(skip_serializing_if_is_none)]
    pub area_centi_m2: Option<i64>,
}

#[derive(Object, Deserialize)]
#[oai(skip_serializing_if_is_none)]
#[serde(deny_unknown_fields)]
pub struct Transfer {
    /// The new owners of the unit (co-owners together); the current ownerships end.
    #[oai(validator(min_items = 1, max_items = 10))]
    pub owner_ids: Vec<String>,
    /// Which of them casts the unit's ballot; must be one of `owner_ids`.
    #[oai(validator(min_length = 1, max_length = 64))]
    pub designated_voter_id: String,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ActivationCode {
    /// Names the code in lists and revocation (not the code itself).
    pub id: String,
    /// Give this to the owner (print it, or send it through the county's SMS system). Shown once.
    pub code: String,
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

/// Which owners of an estate get new activation codes: one building's, the given ones, or all.
#[derive(Object, Deserialize)]
#[oai(skip_serializing_if_is_none, deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct IssueCodes {
    /// Only the owners of this building's units.
    #[oai(validator(min_length = 1, max_length = 64))]
    pub building_id: Option<String>,
    /// Only these owners (each holds a unit in the estate, or in the building if one is named).
    #[oai(validator(min_items = 1, max_items = 500, unique_items))]
    pub owner_ids: Option<Vec<String>>,
    /// Also owners who already have an account: their code then sets a new password.
    #[oai(default)]
    #[serde(default)]
    pub include_activated: bool,
}

/// A unit as written on a slip: building, entrance, room.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct SlipUnit {
    pub unit_id: String,
    pub building_name: String,
    pub entrance: String,
    pub number: String,
}

/// One owner's new code, with what a printed slip says: the owner's name and units.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ActivationSlip {
    pub owner_id: String,
    pub owner_name: String,
    pub units: Vec<SlipUnit>,
    /// Names the code in lists and revocation.
    pub id: String,
    /// Shown once: print it.
    pub code: String,
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

/// A unit's current owner and where they stand with their account.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct UnitActivation {
    pub unit: SlipUnit,
    pub owner_id: String,
    pub owner_name: String,
    /// The owner has opened an account.
    pub has_account: bool,
    /// The owner's newest activation code, if any was issued.
    #[oai(skip_serializing_if_is_none)]
    pub code: Option<ActivationCodeInfo>,
}

/// An activation code as listed: never the code itself.
#[derive(Object, Clone)]
#[oai(skip_serializing_if_is_none)]
pub struct ActivationCodeInfo {
    pub id: String,
    pub status: CodeStatus,
    /// Who issued it (account id).
    pub created_by: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub expires_at: chrono::DateTime<chrono::Utc>,
    #[oai(skip_serializing_if_is_none)]
    pub used_at: Option<chrono::DateTime<chrono::Utc>>,
    #[oai(skip_serializing_if_is_none)]
    pub revoked_at: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(Object, Deserialize)]
#[oai(skip_serializing_if_is_none)]
#[serde(deny_unknown_fields)]
pub struct Activation {
    #[oai(validator(min_length = 1, max_length = 64))]
    pub code: String,
    #[oai(validator(min_length = 3, max_length = 64, pattern = r"^[A-Za-z0-9._-]+$"))]
    pub username: String,
    #[oai(validator(min_length = 12, max_length = 128))]
    pub password: String,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Activated {
    pub user_id: String,
    pub username: String,
    pub owner_id: String,
}

#[derive(ApiResponse)]
pub enum OwnerCreated {
    /// Created, or an owner with this ID number was already registered (then that owner).
    #[oai(status = 201)]
    Created(Json<Owner>),
}

#[derive(ApiResponse)]
pub enum Transferred {
    /// The unit's new ownerships.
    #[oai(status = 201)]
    Created(Json<Vec<Ownership>>),
}

#[derive(ApiResponse)]
pub enum CodeIssued {
    /// Issued; any earlier unused code of the owner stays valid until it expires.
    #[oai(status = 201)]
    Created(Json<ActivationCode>),
}

#[derive(ApiResponse)]
pub enum CodesIssued {
    /// Issued: one slip per owner (none when every owner asked for already has an account).
    #[oai(status = 201)]
    Created(Json<Page<ActivationSlip>>),
}

#[derive(ApiResponse)]
pub enum AccountOpened {
    /// The account exists; log in with it.
    #[oai(status = 201)]
    Created(Json<Activated>),
}
