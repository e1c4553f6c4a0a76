//! Identifiers of people and companies, checked by their check digits, and how personal data
//! is shown: national ID numbers (GB 11643), unified social credit codes (GB 32100), phones.

/// GB 11643-1999: 17 digits and a check character (0–9 or X) over weights 2^(17-i) mod 11.
pub fn is_valid_national_id(id: &str) -> bool {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: &[u8; 11] = b"10X98765432";
    let b = id.as_bytes();
    if b.len() != 18 || !b[..17].iter().all(u8::is_ascii_digit) {
        return false;
    }
    let sum: u32 = b[..17].iter().zip(WEIGHTS).map(|(c, w)| (c - b'0') as u32 * w).sum();
    CHECK[(sum % 11) as usize] == b[17].to_ascii_uppercase()
}

/// GB 32100-2015: 18 characters from a 31-character alphabet (no I, O, S, V, Z); the last is a
/// check character over weights 3^i mod 31.
pub fn is_valid_credit_code(code: &str) -> bool {
    const ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    const WEIGHTS: [usize; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
    let values: Option<Vec<usize>> = code.chars().map(|c| ALPHABET.find(c)).collect();
    let Some(v) = values else { return false };
    if v.len() != 18 {
        return false;
    }
    let sum: usize = v[..17].iter().zip(WEIGHTS).map(|(a, w)| a * w).sum();
    (31 - sum % 31) % 31 == v[17]
}

/// The birth date inside an 18-digit national ID number (characters 7–14, YYYYMMDD).
pub fn birth_date(id: &str) -> Option<chrono::NaiveDate> {
    let digits = id.get(6..14)?;
    chrono::NaiveDate::parse_from_str(digits, "%Y%m%d").ok()
}

/// Upper-cases and strips spaces, as people type these codes.
pub fn normalize_code(raw: &str) -> String {
    raw.chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase()
}

/// The last four characters, the only part of an ID number that is ever shown.
pub fn last4(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    chars[chars.len().saturating_sub(4)..].iter().collect()
}

/// A mainland mobile number: 11 digits starting with 1.
pub fn is_valid_mobile(p: &str) -> bool {
    p.len() == 11 && p.starts_with('1') && p.bytes().all(|b| b.is_ascii_digit())
}

/// `138****1234`: what everyone but the person and administrators sees.
pub fn mask_phone(p: &str) -> String {
    let chars: Vec<char> = p.chars().collect();
    if chars.len() < 7 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 7))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn national_ids() {
        assert!(is_valid_national_id("140425198111138173"));
        assert!(!is_valid_national_id("140425198111138174"));
        assert!(!is_valid_national_id("14042519811113817"));
        assert!(is_valid_national_id("11010519491231002X"));
        assert!(is_valid_national_id("11010519491231002x"));
    }

    #[test]
    fn credit_codes() {
        for ok in [
            "91140400M9198T3X56",
            "911404253W8RHHJY6T",
            "91140427MX63A8PP4Q",
            "91140429KJ6D1U0C3L",
            "91140000B1U5U1YE0Y",
        ] {
            assert!(is_valid_credit_code(ok), "{ok}");
        }
        assert!(!is_valid_credit_code("91140400M9198T3X57"));
        assert!(!is_valid_credit_code("91140400M9198T3X5"));
        assert!(!is_valid_credit_code("91140400M9198T3XI6"), "I is not in the alphabet");
    }

    #[test]
    fn birth_dates() {
        assert_eq!(
            birth_date("140425198111138173"),
            chrono::NaiveDate::from_ymd_opt(1981, 11, 13)
        );
        assert_eq!(birth_date("91140400M9198T3X56"), None);
    }

    #[test]
    fn masking() {
        assert_eq!(mask_phone("18630779212"), "186****9212");
        assert_eq!(last4("140425198111138173"), "8173");
        assert!(is_valid_mobile("18630779212"));
        assert!(!is_valid_mobile("28630779212"));
    }
}
