//! Secrets and their hashes: passwords (argon2id), bearer tokens (JWT, HS256), refresh tokens
//! and API keys (random, stored as SHA-256), and the signing key's storage.

use std::io::Write;
use std::path::Path;
use std::sync::OnceLock;

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use base64::Engine;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub fn hash_password(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 with default parameters cannot fail on a valid salt")
        .to_string()
}

pub fn verify_password(stored_hash: &str, password: &str) -> bool {
    PasswordHash::new(stored_hash)
        .map(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
        .unwrap_or(false)
}

/// Spends the same time as a real verification, for logins with unknown usernames, so that the
/// response time does not tell whether the account exists.
pub fn burn_password_check(password: &str) {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let h = DUMMY.get_or_init(|| hash_password("not-a-real-password-0000"));
    let _ = verify_password(h, password);
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
}

impl JwtKeys {
    pub fn new(secret: &[u8]) -> JwtKeys {
        JwtKeys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
        }
    }

    pub fn sign(&self, claims: &Claims) -> String {
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &self.encoding)
            .expect("HS256 signing of serialisable claims cannot fail")
    }

    /// The claims of a token that is well-formed, signed by us and not expired (no leeway).
    pub fn verify(&self, token: &str) -> Option<Claims> {
        let mut v = Validation::new(Algorithm::HS256);
        v.leeway = 0;
        v.set_required_spec_claims(&["exp", "sub"]);
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &v)
            .ok()
            .map(|d| d.claims)
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
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password(&h, "correct horse battery"));
        assert!(!verify_password(&h, "correct horse batterY"));
        assert!(!verify_password("garbage", "x"));
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
