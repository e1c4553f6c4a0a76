//! Rows as the API shows them.

use super::*;

pub(crate) fn owner_out(o: OwnerRow, caller: &Caller) -> AppResult<Owner> {
    let clear = policy::sees_owner_in_clear(&caller.principal, &o.id);
    Ok(Owner {
        kind: o.kind()?,
        party_post: o.party_post.as_deref().map(stored).transpose()?,
        phone: o.phone.map(|ph| if clear { ph } else { mask_phone(&ph) }),
        id: o.id,
        name: o.name,
        id_last4: o.id_last4,
        party_member: o.party_member,
        party_org_id: o.party_org_id,
    })
}

pub(crate) fn ownership_out(s: OwnershipRow) -> Ownership {
    Ownership {
        id: s.id,
        unit_id: s.unit_id,
        owner_id: s.owner_id,
        designated_voter: s.designated_voter,
        started_at: s.started_at.and_utc(),
        ended_at: s.ended_at.map(|t| t.and_utc()),
        unit: None,
    }
}

pub(crate) fn code_info(r: ActivationRow, now: chrono::NaiveDateTime) -> ActivationCodeInfo {
    let status = CodeStatus::of(r.used_at, r.revoked_at, r.expires_at, now);
    ActivationCodeInfo {
        id: r.id,
        status,
        created_by: r.created_by,
        created_at: r.created_at.and_utc(),
        expires_at: r.expires_at.and_utc(),
        used_at: r.used_at.map(|t| t.and_utc()),
        revoked_at: r.revoked_at.map(|t| t.and_utc()),
    }
}
