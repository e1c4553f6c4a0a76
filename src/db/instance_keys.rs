//! The fingerprints of the server keys a database was set up with. A process that starts with
//! another key (a new data folder, a replica without the shared variable) is refused, instead of
//! silently issuing tokens the other replicas reject or hashing ID numbers so that registered
//! people no longer match.

use diesel::prelude::*;

use super::schema::instance_keys;
use super::AnyConnection;
use crate::domain::ids;
use crate::error::AppResult;

/// What the database says about a key.
#[derive(Debug, PartialEq, Eq)]
pub enum KeyCheck {
    /// First use: the fingerprint is now recorded.
    Recorded,
    Matches,
    /// Another key wrote this database; its fingerprint.
    Differs {
        expected: String,
    },
}

/// Records `fingerprint` for `name` on first use, else compares it with the recorded one.
pub fn check_or_record(conn: &mut AnyConnection, name: &str, fingerprint: &str) -> AppResult<KeyCheck> {
    let recorded: Option<String> = instance_keys::table
        .find(name)
        .select(instance_keys::fingerprint)
        .first(conn)
        .optional()?;
    Ok(match recorded {
        None => {
            diesel::insert_into(instance_keys::table)
                .values((
                    instance_keys::name.eq(name),
                    instance_keys::fingerprint.eq(fingerprint),
                    instance_keys::created_at.eq(ids::now()),
                ))
                .execute(conn)?;
            KeyCheck::Recorded
        }
        Some(f) if f == fingerprint => KeyCheck::Matches,
        Some(f) => KeyCheck::Differs { expected: f },
    })
}
