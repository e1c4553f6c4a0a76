//! Secrets and their hashes: passwords (argon2id), bearer tokens (JWT, HS256), refresh tokens
//! and API keys (random, stored as SHA-256), and the signing key's storage.

use std::io::Write;
use std::path::Path;
use std::sync::OnceLock;

use argon2::password_hash::rand_core::OsRng;
use argon2::Argon2;
use base64::Engine;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Passwords are compared in Unicode normal form C: the same password typed where the system
/// composes characters differently (NFD on some keyboards and systems) is the same password.
pub fn normalize_password(password: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    password.nfc().collect()
}

/// Argon2id with the default parameters (m = 19 MiB, t = 2, p = 1), in PHC string form, using
/// `memory` as the work area (grown once to the size needed and then reused, so that a worker
/// thread hashing all day allocates nothing).
pub fn hash_password_with(memory: &mut Vec<argon2::Block>, password: &str) -> String {
    use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString};
    use argon2::{Algorithm, Params, Version};
    let params = Params::default();
    let salt = SaltString::generate(&mut OsRng);
    let mut salt_bytes = [0u8; 64];
    let salt_raw = salt.decode_b64(&mut salt_bytes).expect("a generated salt decodes");
    let mut out = vec![0u8; params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN)];
    fill(memory, params.block_count());
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
        .hash_password_into_with_memory(
            normalize_password(password).as_bytes(),
            salt_raw,
            &mut out,
            &mut memory[..params.block_count()],
        )
        .expect("argon2 with default parameters cannot fail on a valid salt");
    PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).expect("default parameters are valid"),
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out).expect("32 bytes is a valid output")),
    }
    .to_string()
}

/// Whether `password` matches a stored PHC string, with `memory` as the work area.
pub fn verify_password_with(memory: &mut Vec<argon2::Block>, stored_hash: &str, password: &str) -> bool {
    use argon2::password_hash::PasswordHash;
    use argon2::{Algorithm, Params, Version};
    let Ok(h) = PasswordHash::new(stored_hash) else {
        return false;
    };
    let (Ok(algorithm), Ok(params), Some(salt), Some(expected)) =
        (Algorithm::try_from(h.algorithm), Params::try_from(&h), h.salt, h.hash)
    else {
        return false;
    };
    let version = h.version.and_then(|v| Version::try_from(v).ok()).unwrap_or_default();
    let mut salt_bytes = [0u8; 64];
    let Ok(salt_raw) = salt.decode_b64(&mut salt_bytes) else {
        return false;
    };
    // Stored hashes come from this service; a huge cost in one would be an operator's doing.
    if params.block_count() > 1 << 20 {
        return false;
    }
    let mut out = vec![0u8; expected.len()];
    fill(memory, params.block_count());
    let ok = Argon2::new(algorithm, version, params.clone())
        .hash_password_into_with_memory(
            normalize_password(password).as_bytes(),
            salt_raw,
            &mut out,
            &mut memory[..params.block_count()],
        )
        .is_ok();
    ok && out
        .iter()
        .zip(expected.as_bytes())
        .fold(0u8, |acc, (a, b)| acc | (a ^ b))
        == 0
}

fn fill(memory: &mut Vec<argon2::Block>, blocks: usize) {
    if memory.len() < blocks {
        memory.resize(blocks, argon2::Block::new());
    }
}

/// `hash_password_with` on a fresh work area (the CLI, tests).
pub fn hash_password(password: &str) -> String {
    hash_password_with(&mut Vec::new(), password)
}

/// `verify_password_with` on a fresh work area (the CLI, tests).
pub fn verify_password(stored_hash: &str, password: &str) -> bool {
    verify_password_with(&mut Vec::new(), stored_hash, password)
}

/// A stored hash that no password matches, verified for logins with unknown usernames so that
/// they take as long as real ones and do not tell whether the account exists.
pub fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_password("not-a-real-password-0000"))
}

/// `n` random bytes as unpadded base64url.
pub fn random_token(n: usize) -> String {
    let mut buf = vec![0u8; n];
    rand::rngs::OsRng.fill_bytes(&mut buf);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf)
}

pub fn sha256_hex(s: impl AsRef<[u8]>) -> String {
    hex::encode(Sha256::digest(s.as_ref()))
}

/// Keyed hash of national ID numbers and credit codes: equal numbers match, but a stolen
/// database alone does not give them back (an unkeyed hash of an 18-digit ID with a known
/// structure is easily reversed). The key must stay the same for the life of the data.
pub struct IdHasher {
    key: Vec<u8>,
}

impl IdHasher {
    pub fn new(key: &[u8]) -> IdHasher {
        IdHasher { key: key.to_vec() }
    }

    pub fn hash(&self, normalized_id: &str) -> String {
        use hmac::{Hmac, Mac};
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.key).expect("HMAC takes keys of any length");
        mac.update(normalized_id.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

fn hmac_sha256(key: &[u8], msg: &[u8]) -> Vec<u8> {
    use hmac::{Hmac, Mac};
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(msg);
    mac.finalize().into_bytes().to_vec()
}

/// The claims of an access token. Roles travel in the token; changing a user's roles revokes
/// their sessions, so a token never carries roles that were taken away.
#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub sid: String,
    pub iat: i64,
    pub exp: i64,
    /// `role` or `role:scope`.
    pub roles: Vec<String>,
}

pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    /// Key of the refresh-token MACs (derived from the signing key, so one secret to manage).
    refresh_key: Vec<u8>,
    /// Key from which webhook endpoints' signing secrets are derived (likewise).
    webhook_key: Vec<u8>,
}

impl JwtKeys {
    pub fn new(secret: &[u8]) -> JwtKeys {
        JwtKeys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            refresh_key: hmac_sha256(secret, b"redprop refresh tokens v1"),
            webhook_key: hmac_sha256(secret, b"redprop webhook secrets v1"),
        }
    }

    /// The signing secret of generation `generation` of a webhook endpoint. It is derived, never
    /// stored: a copy of the database alone cannot sign a delivery, and a rotation only moves
    /// the generation. Every replica with the same server key derives the same secret.
    pub fn webhook_secret(&self, endpoint_id: &str, generation: i32) -> String {
        let msg = format!("{endpoint_id}:{generation}");
        format!(
            "whsec_{}",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(hmac_sha256(&self.webhook_key, msg.as_bytes()))
        )
    }

    /// The refresh token of generation `generation` of session `sid`: `<sid>.<generation>.<mac>`.
    pub fn refresh_token(&self, sid: &str, generation: i64, nonce: &str) -> String {
        format!("{sid}.{generation}.{}", self.refresh_mac(sid, generation, nonce))
    }

    fn refresh_mac(&self, sid: &str, generation: i64, nonce: &str) -> String {
        let msg = format!("{sid}:{generation}:{nonce}");
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(hmac_sha256(&self.refresh_key, msg.as_bytes()))
    }

    /// Whether `mac` is the one the server made for this session and generation (constant time).
    pub fn refresh_mac_ok(&self, sid: &str, generation: i64, nonce: &str, mac: &str) -> bool {
        let expected = self.refresh_mac(sid, generation, nonce);
        expected.len() == mac.len() && expected.bytes().zip(mac.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
    }

    pub fn sign(&self, claims: &Claims) -> String {
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &self.encoding)
            .expect("HS256 signing of serialisable claims cannot fail")
    }

    /// The claims of a token that is well-formed, signed by us and not expired (no leeway) by
    /// the service's clock.
    pub fn verify(&self, token: &str) -> Option<Claims> {
        let mut v = Validation::new(Algorithm::HS256);
        v.leeway = 0;
        // Expiry is checked against the service's clock below, not the system's.
        v.validate_exp = false;
        v.set_required_spec_claims(&["exp", "sub"]);
        let now = crate::clock::now().and_utc().timestamp();
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &v)
            .ok()
            .map(|d| d.claims)
            .filter(|c| c.exp > now)
    }
}

/// Where a server secret came from, for messages that tell an operator what to fix.
#[derive(Clone, Debug)]
pub struct Secret {
    pub bytes: Vec<u8>,
    /// `REDPROP_JWT_SECRET`, or the path of the generated file.
    pub source: String,
}

/// Refuses a secret that is short or plainly not random: fewer than 32 characters, fewer than 8
/// distinct characters (32 zeros), or one short run repeated (`abcd` × 8, `0123456789abcdef` × 2).
pub fn check_secret_strength(name: &str, s: &str) -> anyhow::Result<()> {
    anyhow::ensure!(
        s.len() >= 32,
        "{name} must be at least 32 characters (it has {})",
        s.len()
    );
    let mut distinct: Vec<char> = s.chars().collect();
    distinct.sort_unstable();
    distinct.dedup();
    anyhow::ensure!(
        distinct.len() >= 8,
        "{name} is too weak: it uses only {} different characters; use a random value, e.g. `openssl rand -base64 48`",
        distinct.len()
    );
    let b = s.as_bytes();
    let periodic = (1..=b.len() / 2).any(|p| b.iter().enumerate().skip(p).all(|(i, c)| *c == b[i - p]));
    anyhow::ensure!(
        !periodic,
        "{name} is too weak: it repeats a shorter pattern; use a random value, e.g. `openssl rand -base64 48`"
    );
    Ok(())
}

/// A fingerprint of a key that tells whether two processes hold the same key without revealing
/// it: HMAC-SHA256 keyed by the key itself over a fixed label.
pub fn key_fingerprint(key: &[u8], label: &str) -> String {
    use hmac::{Hmac, Mac};
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(b"redprop key fingerprint v1: ");
    mac.update(label.as_bytes());
    hex::encode(&mac.finalize().into_bytes()[..16])
}

/// A server secret: the configured value (from `env_name`) if set, else one generated once and
/// kept in `<data_dir>/<file_name>` with 0600 permissions (the folder made private first).
pub fn load_or_create_secret(
    configured: Option<&str>,
    env_name: &str,
    data_dir: &Path,
    file_name: &str,
) -> anyhow::Result<Secret> {
    if let Some(s) = configured {
        check_secret_strength(env_name, s)?;
        return Ok(Secret {
            bytes: s.as_bytes().to_vec(),
            source: env_name.to_string(),
        });
    }
    let path = data_dir.join(file_name);
    let source = path.display().to_string();
    if let Ok(existing) = std::fs::read_to_string(&path) {
        let existing = existing.trim().to_string();
        check_secret_strength(&source, &existing)?;
        crate::data_dir::private_file(&path)?;
        return Ok(Secret {
            bytes: existing.into_bytes(),
            source,
        });
    }
    crate::data_dir::prepare(data_dir)?;
    // Written whole to a file of our own, then linked into place: another process starting at
    // the same moment either links first (and we read its complete key) or finds ours complete.
    let secret = random_token(48);
    let tmp = data_dir.join(format!(".{file_name}.{}.{}", std::process::id(), random_token(6)));
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(&tmp)?.write_all(secret.as_bytes())?;
    let linked = std::fs::hard_link(&tmp, &path);
    let _ = std::fs::remove_file(&tmp);
    let bytes = match linked {
        Ok(()) => secret.into_bytes(),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            std::fs::read_to_string(&path)?.trim().as_bytes().to_vec()
        }
        Err(e) => return Err(e.into()),
    };
    tracing::info!(file = %source, "generated a new server key");
    Ok(Secret { bytes, source })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_themselves() {
        let h = hash_password("correct horse battery");
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify_password(&h, "correct horse battery"));
        assert!(!verify_password(&h, "correct horse batterY"));
        assert!(!verify_password("garbage", "x"));
        // Interoperates with the argon2 crate's own PHC strings, both ways.
        use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
        let theirs = Argon2::default()
            .hash_password(b"correct horse battery", &SaltString::generate(&mut OsRng))
            .unwrap()
            .to_string();
        assert!(verify_password(&theirs, "correct horse battery"));
        assert!(Argon2::default()
            .verify_password(b"correct horse battery", &PasswordHash::new(&h).unwrap())
            .is_ok());
    }

    #[test]
    fn passwords_compare_in_normal_form_c() {
        // "é" composed (NFC) and decomposed (NFD).
        let h = hash_password("caf\u{e9}-password-1");
        assert!(verify_password(&h, "cafe\u{301}-password-1"));
        let mut memory = Vec::new();
        assert!(verify_password_with(&mut memory, &h, "caf\u{e9}-password-1"));
        assert!(!verify_password_with(&mut memory, &h, "cafe-password-1"));
    }

    #[test]
    fn weak_secrets_are_refused() {
        assert!(check_secret_strength("S", &"0".repeat(32)).is_err());
        assert!(check_secret_strength("S", &"x".repeat(31)).is_err());
        assert!(check_secret_strength("S", &"0123456789abcdef".repeat(2)).is_err());
        assert!(check_secret_strength("S", &"abcdefgh".repeat(4)).is_err());
        assert!(check_secret_strength("S", &"abc".repeat(11)).is_err());
        assert!(check_secret_strength("S", "Zq3v9L0pXe7TbN2kRw5HyU8mJc4Ds6Ga").is_ok());
        let generated = random_token(48);
        assert!(check_secret_strength("S", &generated).is_ok());
    }

    #[test]
    fn fingerprints_tell_keys_apart_without_showing_them() {
        let a = key_fingerprint(b"key-one-key-one-key-one-key-one-1", "jwt");
        assert_eq!(a, key_fingerprint(b"key-one-key-one-key-one-key-one-1", "jwt"));
        assert_ne!(a, key_fingerprint(b"key-two-key-two-key-two-key-two-2", "jwt"));
        assert_ne!(a, key_fingerprint(b"key-one-key-one-key-one-key-one-1", "id-hash"));
        assert_eq!(a.len(), 32);
    }

    #[test]
    fn tokens_expire_and_resist_tampering() {
        let keys = JwtKeys::new(b"0123456789abcdef0123456789abcdef");
        let now = chrono::Utc::now().timestamp();
        let c = Claims {
            sub: "u".into(),
            sid: "s".into(),
            iat: now,
            exp: now + 60,
            roles: vec!["admin".into()],
        };
        let t = keys.sign(&c);
        assert_eq!(keys.verify(&t).unwrap().sub, "u");
        let expired = keys.sign(&Claims { exp: now - 1, ..c });
        assert!(keys.verify(&expired).is_none());
        let other = JwtKeys::new(b"another-secret-another-secret-xx");
        assert!(other.verify(&t).is_none());
    }
}
