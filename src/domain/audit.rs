//! The audit chain. Every state-changing request appends one event; a sealer later gives each
//! event its place in the chain (`chain_pos`) and a hash over its content and the previous hash.
//! Verification recomputes every hash in chain order and names the first row that does not fit.
//!
//! Why a sealer rather than hashing at insert: hashing at insert needs the previous row's hash,
//! which serialises every writing transaction of the service behind one lock. Appending unsealed
//! rows keeps writes parallel (PostgreSQL) and cheap (SQLite); one sealer chains them in
//! sequence order within a second or so.

use chrono::NaiveDateTime;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::ids::rfc3339;

/// The hash that the first event in the chain points back to.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What an event says, as hashed. Field order is the canonical order.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct EventContent {
    pub id: String,
    pub occurred_at: NaiveDateTime,
    pub actor_type: String,
    pub actor_id: String,
    pub actor_role: String,
    pub action: String,
    pub target_type: String,
    pub target_id: String,
    pub request_id: String,
    pub change_digest: String,
    /// The client's own request id; hashed only when present, so that events recorded before
    /// the field existed keep their hashes.
    pub client_request_id: Option<String>,
}

/// A digest of what changed: SHA-256 over the canonical JSON of the change. The change itself
/// (which may hold personal data) stays out of the log; the digest lets anyone holding the data
/// prove it is what was recorded.
pub fn change_digest(change: &serde_json::Value) -> String {
    hex::encode(Sha256::digest(canonical_json(change).as_bytes()))
}

/// JSON with object keys sorted at every level (serde_json's map is already sorted unless the
/// `preserve_order` feature is on; sorting here keeps that true either way).
pub fn canonical_json(v: &serde_json::Value) -> String {
    fn sorted(v: &serde_json::Value) -> serde_json::Value {
        match v {
            serde_json::Value::Object(m) => {
                let mut keys: Vec<_> = m.keys().collect();
                keys.sort();
                serde_json::Value::Object(keys.into_iter().map(|k| (k.clone(), sorted(&m[k]))).collect())
            }
            serde_json::Value::Array(a) => serde_json::Value::Array(a.iter().map(sorted).collect()),
            other => other.clone(),
        }
    }
    sorted(v).to_string()
}

/// The hash of an event at `chain_pos` that follows `prev_hash`.
pub fn chain_hash(chain_pos: i64, prev_hash: &str, e: &EventContent) -> String {
    let mut canonical = serde_json::json!([
        chain_pos,
        prev_hash,
        e.id,
        rfc3339(e.occurred_at),
        e.actor_type,
        e.actor_id,
        e.actor_role,
        e.action,
        e.target_type,
        e.target_id,
        e.request_id,
        e.change_digest,
    ]);
    if let (Some(c), Some(fields)) = (&e.client_request_id, canonical.as_array_mut()) {
        fields.push(serde_json::json!(c));
    }
    hex::encode(Sha256::digest(canonical.to_string().as_bytes()))
}

/// A sealed row as stored.
#[derive(Clone, Debug)]
pub struct SealedRow {
    pub seq: i64,
    pub chain_pos: i64,
    pub prev_hash: String,
    pub hash: String,
    pub content: EventContent,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Break {
    pub seq: i64,
    pub chain_pos: i64,
    pub reason: &'static str,
}

/// Walks sealed rows in chain order, continuing from (`expected_pos`, `expected_prev`).
/// Returns the state to continue from, or the first break.
pub fn verify_rows(
    rows: &[SealedRow],
    mut expected_pos: i64,
    mut expected_prev: String,
) -> Result<(i64, String), Break> {
    for r in rows {
        let brk = |reason| Break {
            seq: r.seq,
            chain_pos: r.chain_pos,
            reason,
        };
        if r.chain_pos != expected_pos {
            return Err(brk("missing or reordered position in the chain"));
        }
        if r.prev_hash != expected_prev {
            return Err(brk("previous-hash link does not match the preceding row"));
        }
        if chain_hash(r.chain_pos, &r.prev_hash, &r.content) != r.hash {
            return Err(brk("content does not match its hash"));
        }
        expected_pos += 1;
        expected_prev = r.hash.clone();
    }
    Ok((expected_pos, expected_prev))
}

/// The key that authenticates the chain's anchored head (`audit_anchor`): derived from the
/// installation's secret, so a database alone cannot produce an anchor that verifies, and the
/// same on every replica that shares the secret.
pub struct AnchorKey {
    key: Vec<u8>,
}

impl AnchorKey {
    pub fn new(secret: &[u8]) -> AnchorKey {
        AnchorKey {
            key: mac(secret, b"redprop audit anchor v1"),
        }
    }

    /// The MAC of a head: the chain reaches position `chain_pos` and its hash there is `hash`.
    pub fn mac(&self, chain_pos: i64, hash: &str) -> String {
        hex::encode(mac(&self.key, format!("{chain_pos}:{hash}").as_bytes()))
    }
}

fn mac(key: &[u8], msg: &[u8]) -> Vec<u8> {
    use hmac::{Hmac, Mac};
    let mut m = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes keys of any length");
    m.update(msg);
    m.finalize().into_bytes().to_vec()
}

/// The chain's head as anchored.
#[derive(Clone, Debug)]
pub struct Anchor {
    pub chain_pos: i64,
    pub hash: String,
    pub mac: String,
}

/// Checks the anchored head against the chain as walked: `reached` is the last position the
/// chain verified up to (0 for an empty chain) and `hash_at` the hash it has at the anchor's
/// position, if it reaches it. The chain may have grown since the anchor was read (sealing goes
/// on), never shrunk.
pub fn check_anchor(
    key: &AnchorKey,
    anchor: Option<&Anchor>,
    reached: i64,
    hash_at: Option<&str>,
) -> Result<(), &'static str> {
    let Some(a) = anchor else {
        return Err("the chain's anchor is missing");
    };
    if a.mac.is_empty() {
        return Err("the chain's anchor was never adopted by this installation");
    }
    if key.mac(a.chain_pos, &a.hash) != a.mac {
        return Err("the chain's anchor is not authenticated by this installation's key");
    }
    if reached < a.chain_pos {
        return Err("the chain ends before its anchored head: its newest sealed events were removed");
    }
    let expected = if a.chain_pos == 0 { Some(GENESIS) } else { hash_at };
    if expected != Some(a.hash.as_str()) {
        return Err("the chain's event at its anchored head is not the one anchored");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content(i: i64) -> EventContent {
        EventContent {
            id: format!("e{i}"),
            occurred_at: chrono::DateTime::from_timestamp(1_800_000_000 + i, 0)
                .unwrap()
                .naive_utc(),
            actor_type: "user".into(),
            actor_id: "u1".into(),
            actor_role: "admin".into(),
            action: "user.create".into(),
            target_type: "user".into(),
            target_id: format!("t{i}"),
            request_id: "r".into(),
            change_digest: change_digest(&serde_json::json!({"b": 1, "a": [i]})),
            client_request_id: (i % 2 == 0).then(|| format!("c{i}")),
        }
    }

    fn chain(n: i64) -> Vec<SealedRow> {
        let mut prev = GENESIS.to_string();
        (1..=n)
            .map(|i| {
                let c = content(i);
                let hash = chain_hash(i, &prev, &c);
                let row = SealedRow {
                    seq: i * 10,
                    chain_pos: i,
                    prev_hash: prev.clone(),
                    hash: hash.clone(),
                    content: c,
                };
                prev = hash;
                row
            })
            .collect()
    }

    #[test]
    fn an_anchor_names_a_cut_tail_and_a_forged_head() {
        let key = AnchorKey::new(b"an installation secret of some length");
        let rows = chain(5);
        let head = |pos: i64, hash: &str, key: &AnchorKey| Anchor {
            chain_pos: pos,
            hash: hash.into(),
            mac: key.mac(pos, hash),
        };
        let at5 = head(5, &rows[4].hash, &key);
        assert_eq!(check_anchor(&key, Some(&at5), 5, Some(&rows[4].hash)), Ok(()));
        // Sealing went on after the anchor was read.
        assert_eq!(check_anchor(&key, Some(&at5), 6, Some(&rows[4].hash)), Ok(()));
        // The newest sealed event cut off: the chain reaches 4.
        assert!(check_anchor(&key, Some(&at5), 4, None).unwrap_err().contains("removed"));
        // An anchor rewritten without the key, or from another installation.
        let forged = head(4, &rows[3].hash, &AnchorKey::new(b"another secret"));
        assert!(check_anchor(&key, Some(&forged), 4, Some(&rows[3].hash))
            .unwrap_err()
            .contains("not authenticated"));
        // A chain rehashed from position 5 on: the anchored hash is not there.
        assert!(check_anchor(&key, Some(&at5), 5, Some("other"))
            .unwrap_err()
            .contains("not the one"));
        assert!(check_anchor(&key, None, 5, None).unwrap_err().contains("missing"));
        // An empty chain anchors the genesis.
        assert_eq!(check_anchor(&key, Some(&head(0, GENESIS, &key)), 0, None), Ok(()));
        let unadopted = Anchor {
            chain_pos: 0,
            hash: String::new(),
            mac: String::new(),
        };
        assert!(check_anchor(&key, Some(&unadopted), 0, None)
            .unwrap_err()
            .contains("never adopted"));
    }

    #[test]
    fn an_intact_chain_verifies() {
        let rows = chain(5);
        let (next, last) = verify_rows(&rows, 1, GENESIS.into()).unwrap();
        assert_eq!(next, 6);
        assert_eq!(last, rows[4].hash);
    }

    #[test]
    fn a_changed_field_is_found_at_its_row() {
        let mut rows = chain(5);
        rows[2].content.actor_id = "someone-else".into();
        assert_eq!(
            verify_rows(&rows, 1, GENESIS.into()).unwrap_err(),
            Break {
                seq: 30,
                chain_pos: 3,
                reason: "content does not match its hash"
            }
        );
    }

    #[test]
    fn a_removed_row_is_found() {
        let mut rows = chain(5);
        rows.remove(1);
        assert_eq!(verify_rows(&rows, 1, GENESIS.into()).unwrap_err().chain_pos, 3);
    }

    #[test]
    fn a_rehashed_row_breaks_the_next_link() {
        let mut rows = chain(5);
        rows[1].content.action = "x".into();
        rows[1].hash = chain_hash(2, &rows[1].prev_hash, &rows[1].content);
        assert_eq!(verify_rows(&rows, 1, GENESIS.into()).unwrap_err().chain_pos, 3);
    }

    #[test]
    fn digest_ignores_key_order() {
        let a: serde_json::Value = serde_json::from_str(r#"{"x":1,"y":{"b":2,"a":3}}"#).unwrap();
        let b: serde_json::Value = serde_json::from_str(r#"{"y":{"a":3,"b":2},"x":1}"#).unwrap();
        assert_eq!(change_digest(&a), change_digest(&b));
    }
}
