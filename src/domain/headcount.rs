//! Who counts and how much (SPC interpretation 法释〔2009〕7号 Arts. 8–9; RULES.md §2).
//!
//! A voter is a buyer, not a unit: one owner, or the same set of co-owners, whatever the number
//! of units they hold; all units the developer still holds (unsold, or sold but not delivered)
//! together are one more voter. A voter's weight is the sum of its units' areas and one head.

use std::collections::BTreeMap;

/// A unit as the rule sees it.
#[derive(Clone, Debug)]
pub struct UnitInput {
    pub unit_id: String,
    /// The area that counts (best source), in hundredths of m².
    pub area_centi: i64,
    /// Unsold, or sold but not delivered: held by the developer.
    pub developer_held: bool,
    /// Ids of the unit's current owners (co-owners together); empty if none is registered.
    pub owner_ids: Vec<String>,
    /// The co-owner designated to cast the unit's ballot.
    pub designated_owner_id: Option<String>,
}

/// Who a voter is.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum VoterKey {
    /// The developer, for all the units it holds.
    Developer,
    /// One owner or one set of co-owners (ids sorted).
    Owners(Vec<String>),
    /// A delivered unit with no owner on record: it still counts as one person.
    UnregisteredUnit(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Voter {
    pub key: VoterKey,
    pub area_centi: i64,
    pub unit_ids: Vec<String>,
    /// Who casts the voter's ballot online (the designated co-owner of its first unit).
    pub designated_owner_id: Option<String>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    pub total_area_centi: i64,
    pub total_heads: i64,
}

/// Groups units into voters, in a canonical order (by key).
pub fn voters(units: &[UnitInput]) -> Vec<Voter> {
    let mut by_key: BTreeMap<VoterKey, Voter> = BTreeMap::new();
    for u in units {
        let key = if u.developer_held {
            VoterKey::Developer
        } else if u.owner_ids.is_empty() {
            VoterKey::UnregisteredUnit(u.unit_id.clone())
        } else {
            let mut ids = u.owner_ids.clone();
            ids.sort();
            ids.dedup();
            VoterKey::Owners(ids)
        };
        let v = by_key.entry(key.clone()).or_insert_with(|| Voter {
            key,
            area_centi: 0,
            unit_ids: Vec::new(),
            designated_owner_id: None,
        });
        v.area_centi += u.area_centi;
        v.unit_ids.push(u.unit_id.clone());
        if v.designated_owner_id.is_none() && matches!(v.key, VoterKey::Owners(_)) {
            v.designated_owner_id = u.designated_owner_id.clone();
        }
    }
    by_key.into_values().collect()
}

impl VoterKey {
    /// The canonical text of a key, as the roll's fingerprint covers it.
    pub fn canonical(&self) -> String {
        match self {
            VoterKey::Developer => "developer".into(),
            VoterKey::Owners(ids) => format!("owners:{}", ids.join(",")),
            VoterKey::UnregisteredUnit(u) => format!("unit:{u}"),
        }
    }
}

/// The roll's fingerprint: SHA-256 over its canonical text, one line per voter in key order:
/// `key<TAB>area<TAB>unit ids (sorted, comma-separated)`. Anyone holding the roll can recompute it.
pub fn fingerprint(voters: &[Voter]) -> String {
    use sha2::{Digest, Sha256};
    let mut sorted: Vec<&Voter> = voters.iter().collect();
    sorted.sort_by(|a, b| a.key.cmp(&b.key));
    let mut h = Sha256::new();
    for v in sorted {
        let mut units = v.unit_ids.clone();
        units.sort();
        h.update(format!("{}\t{}\t{}\n", v.key.canonical(), v.area_centi, units.join(",")).as_bytes());
    }
    hex::encode(h.finalize())
}

pub fn totals(voters: &[Voter]) -> Totals {
    Totals {
        total_area_centi: voters.iter().map(|v| v.area_centi).sum(),
        total_heads: voters.len() as i64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(id: &str, area: i64, dev: bool, owners: &[&str]) -> UnitInput {
        UnitInput {
            unit_id: id.into(),
            area_centi: area,
            developer_held: dev,
            owner_ids: owners.iter().map(|s| s.to_string()).collect(),
            designated_owner_id: owners.first().map(|s| s.to_string()),
        }
    }

    #[test]
    fn one_unit_one_head() {
        let v = voters(&[unit("u1", 100, false, &["a"]), unit("u2", 200, false, &["b"])]);
        assert_eq!(
            totals(&v),
            Totals {
                total_area_centi: 300,
                total_heads: 2
            }
        );
    }

    #[test]
    fn developer_units_together_are_one_head() {
        let v = voters(&[
            unit("u1", 100, true, &[]),
            unit("u2", 200, true, &["dev"]),
            unit("u3", 50, false, &["a"]),
        ]);
        assert_eq!(
            totals(&v),
            Totals {
                total_area_centi: 350,
                total_heads: 2
            }
        );
        assert_eq!(v.iter().find(|x| x.key == VoterKey::Developer).unwrap().area_centi, 300);
    }

    #[test]
    fn one_buyer_with_several_units_is_one_head() {
        let v = voters(&[
            unit("u1", 100, false, &["a"]),
            unit("u2", 200, false, &["a"]),
            unit("u3", 50, false, &["b"]),
        ]);
        assert_eq!(
            totals(&v),
            Totals {
                total_area_centi: 350,
                total_heads: 2
            }
        );
    }

    #[test]
    fn co_owners_count_once_and_only_with_the_same_set() {
        // a+b own u1 and u2 (order of ids does not matter): one buyer. a alone owns u3: another.
        let v = voters(&[
            unit("u1", 100, false, &["a", "b"]),
            unit("u2", 100, false, &["b", "a"]),
            unit("u3", 100, false, &["a"]),
        ]);
        assert_eq!(
            totals(&v),
            Totals {
                total_area_centi: 300,
                total_heads: 2
            }
        );
    }

    #[test]
    fn fingerprints_change_with_any_figure_and_not_with_order() {
        let a = voters(&[unit("u1", 100, false, &["a"]), unit("u2", 200, false, &["b"])]);
        let b = voters(&[unit("u2", 200, false, &["b"]), unit("u1", 100, false, &["a"])]);
        assert_eq!(fingerprint(&a), fingerprint(&b));
        let c = voters(&[unit("u1", 101, false, &["a"]), unit("u2", 200, false, &["b"])]);
        assert_ne!(fingerprint(&a), fingerprint(&c));
        assert_eq!(a[0].designated_owner_id.as_deref(), Some("a"));
    }

    #[test]
    fn delivered_units_without_a_registered_owner_still_count() {
        let v = voters(&[unit("u1", 100, false, &[]), unit("u2", 100, false, &[])]);
        assert_eq!(totals(&v).total_heads, 2);
    }
}
