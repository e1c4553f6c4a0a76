//! Offices' work-group robots: which office a path names, where it is managed, and the checks
//! of a robot's address.

use super::*;

/// The robot's address with its key or token masked (it is a credential).
fn masked(url: &str) -> String {
    match url.split_once('?') {
        Some((base, _)) => format!("{base}?…"),
        None => url.to_string(),
    }
}

fn work_group_out(w: store::WorkGroupRow) -> AppResult<WorkGroup> {
    Ok(WorkGroup {
        kind: crate::db::terms::stored(&w.kind)?,
        url: masked(&w.url),
        signed: w.secret.is_some(),
        updated_at: utc(w.updated_at),
    })
}

/// An office and the place its work group is managed at: an estate's committee, or an
/// organisation (a party organisation, a department, a county's bureau).
fn office(
    conn: &mut AnyConnection,
    caller: &Caller,
    estate: Option<&str>,
    org: Option<&str>,
) -> AppResult<(Addressee, String, OfficePlace)> {
    if let Some(e) = estate {
        let ctx = estate_ctx(conn, caller, e)?;
        return Ok((
            Addressee::Committee(ctx.estate.id.clone()),
            county_of(&ctx.estate.community_path),
            OfficePlace::Estate(ctx),
        ));
    }
    let id = org.unwrap_or_default();
    let o = db::orgs::get(conn, id)?.ok_or(AppError::NotFound { what: "organisation" })?;
    let county = county_of(&o.path);
    Ok((Addressee::Org(o.id.clone()), county, OfficePlace::Org(o)))
}

enum OfficePlace {
    Estate(crate::http::scope::EstateCtx),
    Org(db::orgs::OrgRow),
}

impl OfficePlace {
    fn place(&self) -> Place<'_> {
        match self {
            OfficePlace::Estate(ctx) => ctx.place(),
            OfficePlace::Org(o) => org_place(o),
        }
    }
}

/// Checks a robot's address: https to the kind's own host (so that the service posts to nothing
/// else); in development (`REDPROP_WEBHOOK_ALLOW_LOCAL`) a local address too.
fn robot_url(kind: WorkGroupKind, url: &str, allow_local: bool) -> AppResult<()> {
    let t = crate::domain::webhook::parse_url(url, allow_local).map_err(AppError::from)?;
    if !allow_local && (!t.https || t.host != kind.host()) {
        return Err(AppError::invalid(
            "url",
            reason::INVALID,
            format!("a {} robot's address is https://{}/…", kind.as_str(), kind.host()),
        ));
    }
    Ok(())
}

pub(super) fn read_group(
    conn: &mut AnyConnection,
    caller: &Caller,
    estate: Option<&str>,
    org: Option<&str>,
) -> AppResult<WorkGroup> {
    let (who, _, place) = office(conn, caller, estate, org)?;
    check(caller, &place.place(), &Action::ManageWorkGroup(place.place()))?;
    let row = store::work_group(conn, &who.key())?.ok_or(AppError::NotFound { what: "work group" })?;
    work_group_out(row)
}

pub(super) fn write_group(
    conn: &mut AnyConnection,
    trail: &mut crate::db::audit::Trail,
    caller: &Caller,
    estate: Option<&str>,
    org: Option<&str>,
    input: Option<WorkGroupIn>,
    allow_local: bool,
) -> AppResult<Option<WorkGroup>> {
    let (who, county, place) = office(conn, caller, estate, org)?;
    let actor = check(caller, &place.place(), &Action::ManageWorkGroup(place.place()))?;
    let key = who.key();
    match input {
        None => {
            if store::work_group(conn, &key)?.is_none() {
                return Err(AppError::NotFound { what: "work group" });
            }
            store::set_work_group(conn, &key, None)?;
            trail.record(
                &actor,
                "notice.work_group_removed",
                "work_group",
                &key,
                &serde_json::json!({}),
            )?;
            Ok(None)
        }
        Some(w) => {
            robot_url(w.kind, w.url.trim(), allow_local)?;
            let secret = w.secret.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
            let row = store::WorkGroupRow {
                addressee: key.clone(),
                county_id: county,
                kind: w.kind.as_str().into(),
                url: w.url.trim().to_string(),
                secret,
                updated_at: ids::now(),
            };
            store::set_work_group(conn, &key, Some(&row))?;
            // The address and secret are credentials: the audit log names only the kind.
            trail.record(
                &actor,
                "notice.work_group_set",
                "work_group",
                &key,
                &serde_json::json!({ "kind": row.kind }),
            )?;
            Ok(Some(work_group_out(row)?))
        }
    }
}
