//! Refresh tokens: what a presented token means for its session (token family).
//!
//! A refresh token names its session and generation and carries a MAC that only the server can
//! make (over the session's secret nonce and the generation). So a token whose MAC is wrong is
//! simply invalid — knowing a session id (it is in every access token) gives no power over the
//! session. A token with a valid MAC for an earlier generation was really issued and then
//! replaced: someone kept a copy, and the whole family ends — except for the generation just
//! replaced, within a few seconds of its replacement, which is two tabs refreshing at once and
//! gets the current pair.

use chrono::{Duration, NaiveDateTime};

/// How long after a rotation the replaced token still yields the current pair, by default
/// (`Config::refresh_grace_secs`): long enough for two tabs refreshing at once, short enough
/// that a copied token is noticed at its next use.
pub const REFRESH_GRACE_SECS: i64 = 10;

/// What to do with a presented refresh token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refresh {
    /// The current generation: issue the next one.
    Rotate,
    /// The generation replaced a moment ago: hand out the current one again.
    Current,
    /// A genuine earlier generation came back: a copy exists; end the family.
    Reused,
    /// Forged, unknown, expired or revoked: refuse, change nothing.
    Invalid,
}

/// The facts about the session a token names.
#[derive(Clone, Copy, Debug)]
pub struct Family {
    pub generation: i64,
    pub rotated_at: Option<NaiveDateTime>,
    /// Not revoked and not expired.
    pub live: bool,
}

pub fn judge(presented: i64, mac_ok: bool, family: Family, now: NaiveDateTime, grace_secs: i64) -> Refresh {
    if !family.live || !mac_ok {
        return Refresh::Invalid;
    }
    if presented == family.generation {
        return Refresh::Rotate;
    }
    let just_replaced = presented == family.generation - 1
        && family
            .rotated_at
            .is_some_and(|t| now - t <= Duration::seconds(grace_secs));
    if just_replaced {
        Refresh::Current
    } else if presented < family.generation {
        Refresh::Reused
    } else {
        Refresh::Invalid
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: i64) -> NaiveDateTime {
        chrono::DateTime::from_timestamp(1_800_000_000 + s, 0)
            .unwrap()
            .naive_utc()
    }

    #[test]
    fn tokens_judged() {
        let f = Family {
            generation: 5,
            rotated_at: Some(at(0)),
            live: true,
        };
        assert_eq!(judge(5, true, f, at(1), REFRESH_GRACE_SECS), Refresh::Rotate);
        // A forged token (any generation) never ends the family.
        assert_eq!(judge(4, false, f, at(1), REFRESH_GRACE_SECS), Refresh::Invalid);
        assert_eq!(judge(0, false, f, at(1), REFRESH_GRACE_SECS), Refresh::Invalid);
        // The one just replaced, within the grace window (boundary included), then not.
        assert_eq!(
            judge(4, true, f, at(REFRESH_GRACE_SECS), REFRESH_GRACE_SECS),
            Refresh::Current
        );
        assert_eq!(
            judge(4, true, f, at(REFRESH_GRACE_SECS + 1), REFRESH_GRACE_SECS),
            Refresh::Reused
        );
        assert_eq!(judge(3, true, f, at(1), REFRESH_GRACE_SECS), Refresh::Reused);
        assert_eq!(judge(6, true, f, at(1), REFRESH_GRACE_SECS), Refresh::Invalid);
        let dead = Family { live: false, ..f };
        assert_eq!(judge(5, true, dead, at(1), REFRESH_GRACE_SECS), Refresh::Invalid);
    }
}
