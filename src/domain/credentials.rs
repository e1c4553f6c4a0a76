//! What a username and a password must look like.

use chrono::NaiveDateTime;

use crate::error::{reason, FieldError};
use crate::term_enum;

term_enum!(
    /// Where an owner's one-time activation code stands.
    CodeStatus, "an activation code (激活码)", {
        /// Not yet used, revoked or expired.
        Outstanding = "outstanding", "待使用";
        /// Used to open an account or set its password.
        Used = "used", "已使用";
        /// Revoked, or replaced by a newer code.
        Revoked = "revoked", "已作废";
        /// Past its validity.
        Expired = "expired", "已过期";
    }
);

impl CodeStatus {
    /// A code's status from its record, at `now`.
    pub fn of(
        used_at: Option<NaiveDateTime>,
        revoked_at: Option<NaiveDateTime>,
        expires_at: NaiveDateTime,
        now: NaiveDateTime,
    ) -> CodeStatus {
        match (used_at, revoked_at) {
            (Some(_), _) => CodeStatus::Used,
            (None, Some(_)) => CodeStatus::Revoked,
            (None, None) if expires_at <= now => CodeStatus::Expired,
            (None, None) => CodeStatus::Outstanding,
        }
    }
}

pub const USERNAME_MIN: usize = 3;
pub const USERNAME_MAX: usize = 64;
/// NIST SP 800-63B: at least 8; we ask for 12 since these accounts decide for whole estates.
pub const PASSWORD_MIN: usize = 12;
pub const PASSWORD_MAX: usize = 128;

/// Usernames are compared case-insensitively: the canonical form is lower case.
pub fn normalize_username(raw: &str) -> String {
    raw.trim().to_lowercase()
}

/// A username: 3–64 characters of a–z, 0–9, `.`, `_`, `-` (after lower-casing).
pub fn check_username(field: &str, canonical: &str) -> Result<(), FieldError> {
    let n = canonical.chars().count();
    if !(USERNAME_MIN..=USERNAME_MAX).contains(&n) {
        return Err(FieldError::new(
            field,
            reason::LENGTH,
            format!("must be {USERNAME_MIN}–{USERNAME_MAX} characters"),
        ));
    }
    if !canonical
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c))
    {
        return Err(FieldError::new(
            field,
            reason::CHARSET,
            "may contain only letters a–z, digits, '.', '_' and '-'",
        ));
    }
    Ok(())
}

/// Passwords of 12 characters or more that lists of leaked passwords are full of (compared
/// ignoring case). Short on purpose: the length rule already excludes the bulk of such lists.
const COMMON_PASSWORDS: &[&str] = &[
    "123456789012",
    "1234567890123",
    "12345678901234",
    "123456789123",
    "123123123123",
    "123412341234",
    "147258369147",
    "1q2w3e4r5t6y",
    "1qaz2wsx3edc",
    "1qaz2wsx3edc4rfv",
    "zaq12wsxcde3",
    "qwertyuiop12",
    "qwertyuiop123",
    "qwerty123456",
    "qwerty12345678",
    "qwertyuiopasdf",
    "asdfghjkl123",
    "password1234",
    "password12345",
    "password123456",
    "passw0rd1234",
    "p@ssw0rd1234",
    "p@ssword1234",
    "iloveyou1234",
    "abc123456789",
    "abcd12345678",
    "abcdefghijkl",
    "admin1234567",
    "admin123456789",
    "administrator",
    "welcome12345",
    "letmein12345",
    "changeme1234",
    "football1234",
    "sunshine1234",
    "princess1234",
    "woaini1314520",
    "woaini520520",
    "woaini123456",
    "5201314520520",
    "1314520520520",
    "zhang123456789",
    "wang123456789",
    "li123456789012",
];

/// A password: 12–128 characters (in Unicode normal form C), at least 4 different characters,
/// not the username, not one of the most common passwords.
pub fn check_password(field: &str, password: &str, username: &str) -> Result<(), FieldError> {
    use unicode_normalization::UnicodeNormalization;
    let password: String = password.nfc().collect();
    let n = password.chars().count();
    if !(PASSWORD_MIN..=PASSWORD_MAX).contains(&n) {
        return Err(FieldError::new(
            field,
            reason::LENGTH,
            format!("must be {PASSWORD_MIN}–{PASSWORD_MAX} characters"),
        ));
    }
    let mut distinct: Vec<char> = password.chars().collect();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() < 4 {
        return Err(FieldError::new(
            field,
            reason::WEAK,
            "must use at least 4 different characters",
        ));
    }
    let lower = password.to_lowercase();
    if !username.is_empty() && lower == username.to_lowercase() {
        return Err(FieldError::new(field, reason::WEAK, "must not be the username"));
    }
    if COMMON_PASSWORDS.contains(&lower.as_str()) {
        return Err(FieldError::new(
            field,
            reason::WEAK,
            "is one of the most common passwords",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn username_length_boundaries() {
        assert!(check_username("u", "ab").is_err());
        assert!(check_username("u", "abc").is_ok());
        assert!(check_username("u", &"a".repeat(64)).is_ok());
        assert!(check_username("u", &"a".repeat(65)).is_err());
        assert!(check_username("u", "a b").is_err());
        assert_eq!(normalize_username("  Admin "), "admin");
    }

    #[test]
    fn password_length_boundaries() {
        assert!(check_password("p", "abcdefghijm", "u").is_err()); // 11
        assert!(check_password("p", "abcdefghijmx", "u").is_ok()); // 12
        assert!(check_password("p", &"abcd".repeat(32), "u").is_ok()); // 128
        assert!(check_password("p", &"abcd".repeat(32).replace("ab", "abc"), "u").is_err()); // 160
                                                                                             // Counted in characters after NFC: 12 composed characters, typed decomposed.
        assert!(check_password("p", &"e\u{301}bcd".repeat(3), "u").is_ok());
    }

    #[test]
    fn weak_passwords() {
        assert_eq!(check_password("p", &"a".repeat(20), "u").unwrap_err().code, "weak");
        assert_eq!(check_password("p", &"ab".repeat(10), "u").unwrap_err().code, "weak");
        assert_eq!(check_password("p", "abcabcabcabc", "u").unwrap_err().code, "weak");
        assert!(check_password("p", "abcdabcdabcd", "u").is_ok());
        assert_eq!(check_password("p", "Password1234", "u").unwrap_err().code, "weak");
        assert_eq!(
            check_password("p", "WANG.XIAOMING", "wang.xiaoming").unwrap_err().code,
            "weak"
        );
        assert!(check_password("p", "wang.xiaoming-2026", "wang.xiaoming").is_ok());
    }
}
