//! RFC 6238 codes (SHA-1, 6 digits, 30 s, one step of drift either way), with replay refused:
//! a step once accepted is never accepted again for the same factor.

use totp_rs::{Builder, Secret, Totp};

/// How a factor's secret is written: Okta's TOTP secrets are base32, custom TOTP (`token:hotp`)
/// shared secrets are hex (API-NOTES §1.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Base32,
    Hex,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Check {
    /// The code is right; the step to remember.
    Valid(u64),
    /// The code was right once and has been used.
    Replayed,
    Invalid,
}

fn totp(secret: &str, encoding: Encoding) -> Option<Totp> {
    let bytes = match encoding {
        Encoding::Base32 => {
            Secret::try_from_base32(secret.trim().to_ascii_uppercase().replace(' ', "")).ok()?
        }
        Encoding::Hex => Secret::from(decode_hex(secret.trim())?),
    };
    // Okta's secrets are 80 bits (16 base32 characters): below RFC 4226's recommended 128,
    // hence the non-compliant build.
    Some(
        Builder::new()
            .with_secret(bytes)
            .with_skew(1)
            .with_step_duration(30)
            .build_noncompliant(),
    )
}

fn decode_hex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) || s.is_empty() {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

/// Checks `code` at unix time `now`, refusing steps at or before `last_step`.
pub fn check(
    secret: &str,
    encoding: Encoding,
    code: &str,
    now: u64,
    last_step: Option<u64>,
) -> Check {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != 6 || !code.chars().all(|c| c.is_ascii_digit()) {
        return Check::Invalid;
    }
    let Some(t) = totp(secret, encoding) else {
        return Check::Invalid;
    };
    match t.check(&code, now) {
        Some(step) if last_step.is_some_and(|last| step <= last) => Check::Replayed,
        Some(step) => Check::Valid(step),
        None => Check::Invalid,
    }
}

/// The current code (the virtual phone and the console show it).
pub fn code_at(secret: &str, encoding: Encoding, now: u64) -> Option<String> {
    totp(secret, encoding).map(|t| t.generate(now).to_string())
}

/// A new 80-bit base32 secret, the length Okta hands out.
pub fn new_secret() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut rng = rand::rng();
    (0..16)
        .map(|_| ALPHABET[rng.random_range(0..32)] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 6238 Appendix B, SHA-1, truncated to 6 digits; secret "12345678901234567890".
    const RFC_SECRET_B32: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

    #[test]
    fn rfc_6238_vectors() {
        assert_eq!(
            code_at(RFC_SECRET_B32, Encoding::Base32, 59).unwrap(),
            "287082"
        );
        assert_eq!(
            code_at(RFC_SECRET_B32, Encoding::Base32, 1111111109).unwrap(),
            "081804"
        );
        assert_eq!(
            code_at(RFC_SECRET_B32, Encoding::Base32, 1234567890).unwrap(),
            "005924"
        );
        let hex = "3132333435363738393031323334353637383930";
        assert_eq!(code_at(hex, Encoding::Hex, 2000000000).unwrap(), "279037");
    }

    #[test]
    fn one_step_of_drift_and_no_replay() {
        let now = 1_700_000_000;
        let prev = code_at(RFC_SECRET_B32, Encoding::Base32, now - 30).unwrap();
        let two_back = code_at(RFC_SECRET_B32, Encoding::Base32, now - 60).unwrap();
        let Check::Valid(step) = check(RFC_SECRET_B32, Encoding::Base32, &prev, now, None) else {
            panic!("previous step must be accepted")
        };
        assert_eq!(
            check(RFC_SECRET_B32, Encoding::Base32, &prev, now, Some(step)),
            Check::Replayed
        );
        assert_eq!(
            check(RFC_SECRET_B32, Encoding::Base32, &two_back, now, None),
            Check::Invalid
        );
        assert_eq!(
            check(RFC_SECRET_B32, Encoding::Base32, "12345", now, None),
            Check::Invalid
        );
        let spaced = code_at(RFC_SECRET_B32, Encoding::Base32, now).unwrap();
        let spaced = format!("{} {}", &spaced[..3], &spaced[3..]);
        assert!(matches!(
            check(RFC_SECRET_B32, Encoding::Base32, &spaced, now, None),
            Check::Valid(_)
        ));
    }

    #[test]
    fn new_secrets_are_base32_of_okta_length() {
        let s = new_secret();
        assert_eq!(s.len(), 16);
        assert!(code_at(&s, Encoding::Base32, 0).is_some());
    }
}
