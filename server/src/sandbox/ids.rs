//! Okta-shaped identifiers: a type prefix and random base62 characters, 20 characters in all
//! for users and factors (API-NOTES §0).

use rand::distr::{Alphanumeric, SampleString};

/// A new id such as `opf` + 17 random characters.
pub fn new_id(prefix: &str) -> String {
    let len = 20usize.saturating_sub(prefix.len());
    format!(
        "{prefix}{}",
        Alphanumeric.sample_string(&mut rand::rng(), len)
    )
}

/// An opaque token of `len` URL-safe characters (state tokens, activation tokens).
pub fn token(prefix: &str, len: usize) -> String {
    format!(
        "{prefix}{}",
        Alphanumeric.sample_string(&mut rand::rng(), len)
    )
}

/// A numeric one-time code of `digits` digits.
pub fn numeric_code(digits: u32) -> String {
    use rand::Rng;
    let n: u32 = rand::rng().random_range(0..10u32.pow(digits));
    format!("{n:0width$}", width = digits as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_oktas_shape() {
        let id = new_id("opf");
        assert_eq!(id.len(), 20);
        assert!(id.starts_with("opf"));
        assert_ne!(new_id("opf"), new_id("opf"));
        let code = numeric_code(6);
        assert_eq!(code.len(), 6);
        assert!(code.chars().all(|c| c.is_ascii_digit()));
    }
}
