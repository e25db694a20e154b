//! Passwords: hashed with Argon2id, checked against the org's password policy (E0000080).
//!
//! The hash parameters are deliberately light (8 MiB, one pass): this is a sandbox holding
//! demo users, and tests sign in hundreds of times. The policy mirrors Okta's defaults as
//! shown in Authn's `_embedded.policy.complexity` (API-NOTES §5; authn-primary-password-expired).

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use serde_json::{json, Value};
use std::sync::OnceLock;

fn hasher() -> Argon2<'static> {
    let params = Params::new(8 * 1024, 1, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

pub fn hash(password: &str) -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    let Ok(salt) = SaltString::encode_b64(&bytes) else {
        return String::new();
    };
    hasher()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .unwrap_or_default()
}

pub fn verify(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .map(|h| hasher().verify_password(password.as_bytes(), &h).is_ok())
        .unwrap_or(false)
}

/// The demo password's hash, computed once (every seeded user shares the demo password).
pub fn demo_hash() -> String {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| hash(super::seed::DEMO_PASSWORD))
        .clone()
}

/// The org's password policy.
pub struct PasswordPolicy {
    pub min_length: usize,
    pub min_lower: usize,
    pub min_upper: usize,
    pub min_number: usize,
    pub min_symbol: usize,
    pub exclude_username: bool,
    /// How many earlier passwords may not be reused.
    pub history: usize,
}

pub const POLICY: PasswordPolicy = PasswordPolicy {
    min_length: 8,
    min_lower: 1,
    min_upper: 1,
    min_number: 1,
    min_symbol: 0,
    exclude_username: true,
    history: 4,
};

impl PasswordPolicy {
    /// `_embedded.policy` of Authn's PASSWORD_EXPIRED, and what the policies API shows.
    pub fn complexity_json(&self) -> Value {
        json!({
            "complexity": {
                "minLength": self.min_length,
                "minLowerCase": self.min_lower,
                "minUpperCase": self.min_upper,
                "minNumber": self.min_number,
                "minSymbol": self.min_symbol,
                "excludeUsername": self.exclude_username,
                "excludeAttributes": [],
            },
            "age": { "minAgeMinutes": 0, "historyCount": self.history },
        })
    }

    /// Okta's requirement sentence for E0000080 causes.
    pub fn requirements_sentence(&self) -> String {
        let mut parts = vec![format!("at least {} characters", self.min_length)];
        if self.min_lower > 0 {
            parts.push("a lowercase letter".into());
        }
        if self.min_upper > 0 {
            parts.push("an uppercase letter".into());
        }
        if self.min_number > 0 {
            parts.push("a number".into());
        }
        if self.min_symbol > 0 {
            parts.push("a symbol".into());
        }
        if self.exclude_username {
            parts.push("no parts of your username".into());
        }
        format!(
            "Password requirements: {}. Your password cannot be any of your last {} passwords.",
            parts.join(", "),
            self.history
        )
    }

    /// The rules the new password breaks, or none.
    pub fn violations(&self, password: &str, login: &str, history: &[String]) -> Vec<&'static str> {
        let count = |f: fn(&char) -> bool| password.chars().filter(f).count();
        let mut out = vec![];
        if password.chars().count() < self.min_length {
            out.push("minLength");
        }
        if count(char::is_ascii_lowercase) < self.min_lower {
            out.push("minLowerCase");
        }
        if count(char::is_ascii_uppercase) < self.min_upper {
            out.push("minUpperCase");
        }
        if count(char::is_ascii_digit) < self.min_number {
            out.push("minNumber");
        }
        if count(|c| !c.is_alphanumeric()) < self.min_symbol {
            out.push("minSymbol");
        }
        if self.exclude_username && contains_username_part(password, login) {
            out.push("excludeUsername");
        }
        if history
            .iter()
            .take(self.history)
            .any(|h| verify(password, h))
        {
            out.push("history");
        }
        out
    }
}

/// Okta refuses passwords containing the username, or the part of an email login before `@`.
fn contains_username_part(password: &str, login: &str) -> bool {
    let pw = password.to_lowercase();
    let local = login.split('@').next().unwrap_or(login).to_lowercase();
    local
        .split(|c: char| !c.is_alphanumeric())
        .filter(|part| part.len() >= 3)
        .any(|part| pw.contains(part))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_differ() {
        let h = hash("Correct-Horse-9");
        assert!(verify("Correct-Horse-9", &h));
        assert!(!verify("correct-horse-9", &h));
        assert_ne!(h, hash("Correct-Horse-9"));
    }

    #[test]
    fn the_policy_names_each_broken_rule() {
        let p = POLICY;
        assert!(p
            .violations("Sunny-Day-42", "pat.expired@example.com", &[])
            .is_empty());
        assert_eq!(
            p.violations("short1A", "x@example.com", &[]),
            vec!["minLength"]
        );
        assert_eq!(
            p.violations("alllowercase1", "x@example.com", &[]),
            vec!["minUpperCase"]
        );
        assert_eq!(
            p.violations("NoDigitsHere", "x@example.com", &[]),
            vec!["minNumber"]
        );
        assert_eq!(
            p.violations("Expired-Pat-1", "pat.expired@example.com", &[]),
            vec!["excludeUsername"]
        );
        let old = hash("Old-Secret-1");
        assert_eq!(
            p.violations("Old-Secret-1", "x@example.com", &[old]),
            vec!["history"]
        );
    }
}
