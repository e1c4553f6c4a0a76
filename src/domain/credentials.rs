//! What a username and a password must look like.

use crate::error::FieldError;

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
            "length",
            format!("must be {USERNAME_MIN}–{USERNAME_MAX} characters"),
        ));
    }
    if !canonical
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c))
    {
        return Err(FieldError::new(
            field,
            "charset",
            "may contain only letters a–z, digits, '.', '_' and '-'",
        ));
    }
    Ok(())
}

/// A password: 12–128 characters, not only one repeated character.
pub fn check_password(field: &str, password: &str) -> Result<(), FieldError> {
    let n = password.chars().count();
    if !(PASSWORD_MIN..=PASSWORD_MAX).contains(&n) {
        return Err(FieldError::new(
            field,
            "length",
            format!("must be {PASSWORD_MIN}–{PASSWORD_MAX} characters"),
        ));
    }
    let mut chars = password.chars();
    let first = chars.next();
    if chars.all(|c| Some(c) == first) {
        return Err(FieldError::new(field, "weak", "must not be one repeated character"));
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
        assert!(check_password("p", "abcdefghijk").is_err()); // 11
        assert!(check_password("p", "abcdefghijkl").is_ok()); // 12
        assert!(check_password("p", &"ab".repeat(64)).is_ok()); // 128
        assert!(check_password("p", &"ab".repeat(64).replace("ab", "abc")).is_err()); // 192
        assert!(check_password("p", &"a".repeat(20)).is_err());
    }
}
