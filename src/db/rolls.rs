//! Frozen rolls of open votes, kept in memory: what checking a ballot needs (the vote, its
//! candidates, and the roll entry of the owner casting it) without a database read per ballot.
//!
//! Why it is safe: a roll is frozen when its vote opens and never changes afterwards, nor do a
//! vote's opening, kind, seats or candidates. The one thing that can change — the closing time,
//! extended once — is never decided from here: `votes::record` reads it afresh as it writes each
//! batch, and a vote that looks closed here is read again from the database before anyone is
//! refused. A vote not yet open is not cached at all.
//!
//! Why it is worth it: at the close of a vote every ballot needs these rows; read per ballot they
//! were a query (on PostgreSQL a round trip) for each of thousands of ballots a second.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::OnceCell;

use super::votes::{self, OptionRow, RollRow, VoteRow};
use super::Db;
use crate::domain::ids;
use crate::error::AppResult;

/// Open votes kept at most; beyond that one is dropped (and read again when next needed).
const MAX_VOTES: usize = 32;

/// An open vote with its frozen roll, indexed by the owner who casts each entry's ballot.
#[derive(Clone)]
pub struct Roll {
    pub vote: VoteRow,
    pub options: Arc<Vec<OptionRow>>,
    /// An owner may cast the ballots of several entries: their own unit, and one held with
    /// co-owners who designated them — legally two buyers, two ballots.
    by_owner: Arc<HashMap<String, Vec<RollRow>>>,
}

impl Roll {
    /// The entries whose ballots these owners cast, in voter-id order.
    fn entries_for(&self, owner_ids: &[String]) -> Vec<RollRow> {
        let mut out: Vec<RollRow> = owner_ids
            .iter()
            .filter_map(|o| self.by_owner.get(o))
            .flatten()
            .cloned()
            .collect();
        out.sort_by(|a, b| a.voter_id.cmp(&b.voter_id));
        out.dedup_by(|a, b| a.voter_id == b.voter_id);
        out
    }
}

/// `None` inside: the vote does not exist or is not open (not cached; see `context`).
type Slot = Arc<OnceCell<Option<Arc<Roll>>>>;

#[derive(Default)]
pub struct Rolls {
    votes: Mutex<HashMap<String, Slot>>,
}

impl Rolls {
    /// The open vote and the roll entries whose ballots `owner_ids` cast; `None` when there is
    /// no such vote, it has no roll yet, or these owners are not on it.
    pub async fn context(
        &self,
        db: &Db,
        vote_id: &str,
        owner_ids: &[String],
    ) -> AppResult<Option<(Arc<Roll>, Vec<RollRow>)>> {
        let slot = self.slot(vote_id);
        let loaded = slot.get_or_try_init(|| load(db, vote_id.to_string())).await?.clone();
        let Some(mut roll) = loaded else {
            // Not open (or no such vote): nothing kept, so that its opening is seen next time.
            self.forget(vote_id);
            return Ok(None);
        };
        if ids::now() >= roll.vote.closes_at {
            // Closed as far as we know; the closing time may have been extended since.
            let id = vote_id.to_string();
            let Some(vote) = db.lookup(move |c| votes::get(c, &id)).await? else {
                self.forget(vote_id);
                return Ok(None);
            };
            if vote.closes_at != roll.vote.closes_at {
                roll = Arc::new(Roll {
                    vote,
                    ..(*roll).clone()
                });
                self.replace(vote_id, Arc::clone(&roll));
            }
        }
        let entries = roll.entries_for(owner_ids);
        Ok((!entries.is_empty()).then_some((roll, entries)))
    }

    fn slot(&self, vote_id: &str) -> Slot {
        let mut votes = self.votes.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(s) = votes.get(vote_id) {
            return Arc::clone(s);
        }
        if votes.len() >= MAX_VOTES {
            if let Some(any) = votes.keys().next().cloned() {
                votes.remove(&any);
            }
        }
        Arc::clone(votes.entry(vote_id.to_string()).or_default())
    }

    fn replace(&self, vote_id: &str, roll: Arc<Roll>) {
        let slot = Arc::new(OnceCell::new_with(Some(Some(roll))));
        self.votes
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(vote_id.to_string(), slot);
    }

    fn forget(&self, vote_id: &str) {
        self.votes.lock().unwrap_or_else(|p| p.into_inner()).remove(vote_id);
    }
}

/// Reads an opened vote with its whole roll and candidates (one pass over the roll).
async fn load(db: &Db, vote_id: String) -> AppResult<Option<Arc<Roll>>> {
    db.read(move |c| {
        let Some(vote) = votes::get(c, &vote_id)? else {
            return Ok(None);
        };
        if vote.opened_at.is_none() {
            return Ok(None);
        }
        let mut by_owner: HashMap<String, Vec<RollRow>> = HashMap::new();
        for e in votes::roll_page(c, &vote_id, None, i64::MAX)? {
            if let Some(o) = e.designated_owner_id.clone() {
                by_owner.entry(o).or_default().push(e);
            }
        }
        let options = votes::options_of(c, &vote_id)?;
        Ok(Some(Arc::new(Roll {
            vote,
            options: Arc::new(options),
            by_owner: Arc::new(by_owner),
        })))
    })
    .await
}
