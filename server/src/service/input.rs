//! Bounds on what people type, checked before a value goes anywhere: to Okta, into a limit
//! store's key, or into a log line. A value past its bound is refused with the field and the
//! bound, never truncated (a truncated password or code would be a different one).
//!
//! The bounds are Okta's own where its spec states one (`UserProfile` in
//! `management-oneOfInheritance.yaml`: `login` 5–100, `email` and `secondEmail` 100,
//! `firstName` and `lastName` 50, `mobilePhone` 100; passwords 255), and generous ceilings
//! elsewhere (a code is digits, a security answer a phrase). The README lists them.

use app::error::{ErrorCode, PortalError};

/// One bound: at most `max_chars` characters, and no control characters.
#[derive(Clone, Copy, Debug)]
pub struct Bound {
    /// The form field the page marks.
    pub field: &'static str,
    /// How the refusal names the value ("A username").
    pub what: &'static str,
    pub max_chars: usize,
}

/// A username (Okta login, or its short form).
pub const LOGIN: Bound = Bound {
    field: "username",
    what: "A username",
    max_chars: 100,
};
/// A password (current or new).
pub const PASSWORD: Bound = Bound {
    field: "password",
    what: "A password",
    max_chars: 255,
};
/// A one-time code (TOTP, SMS, voice, email, hardware token).
pub const CODE: Bound = Bound {
    field: "code",
    what: "A code",
    max_chars: 32,
};
/// A security question's answer.
pub const ANSWER: Bound = Bound {
    field: "answer",
    what: "An answer",
    max_chars: 100,
};
/// A phone number as typed.
pub const PHONE: Bound = Bound {
    field: "phone",
    what: "A phone number",
    max_chars: 32,
};
/// An email address.
pub const EMAIL: Bound = Bound {
    field: "email",
    what: "An email address",
    max_chars: 100,
};
/// A first or last name.
pub const NAME: Bound = Bound {
    field: "name",
    what: "A name",
    max_chars: 50,
};
/// A help-desk search.
pub const SEARCH: Bound = Bound {
    field: "query",
    what: "A search",
    max_chars: 100,
};
/// An id Keyport handed out (a factor, enrollment, authenticator or user id; a question key).
pub const ID: Bound = Bound {
    field: "id",
    what: "An id",
    max_chars: 64,
};

/// Refuses `value` when it is longer than `bound` or holds a control character (a CR/LF
/// is never part of a username, code or name, and breaks headers and log lines).
pub fn check(value: &str, bound: Bound) -> Result<(), PortalError> {
    let too_long = value.chars().count() > bound.max_chars;
    if too_long || value.chars().any(char::is_control) {
        let msg = if too_long {
            format!("{} is at most {} characters.", bound.what, bound.max_chars)
        } else {
            format!("{} can't contain control characters.", bound.what)
        };
        return Err(PortalError::new(ErrorCode::InvalidInput, msg).with_field(bound.field));
    }
    Ok(())
}

/// [`check`] for an optional value.
pub fn check_opt(value: Option<&str>, bound: Bound) -> Result<(), PortalError> {
    value.map_or(Ok(()), |v| check(v, bound))
}

/// An id is short and plain (letters, digits, `-`, `_`, `.`): anything else names nothing of
/// the user's, and is refused before any lookup.
pub fn check_id(value: &str) -> Result<(), PortalError> {
    check(value, ID)?;
    if value.is_empty()
        || !value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return Err(
            PortalError::new(ErrorCode::InvalidInput, "That id isn't valid.").with_field(ID.field),
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_refuse_long_and_control_values() {
        assert!(check("nora.nofactors@example.com", LOGIN).is_ok());
        let long = "a".repeat(101);
        let e = check(&long, LOGIN).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidInput);
        assert_eq!(e.field.as_deref(), Some("username"));
        assert!(e.message.contains("100"), "{}", e.message);
        assert!(check("a\r\nb", LOGIN).is_err());
        assert!(
            check(&"é".repeat(100), LOGIN).is_ok(),
            "characters, not bytes"
        );
        assert!(check_opt(None, PHONE).is_ok());
    }

    #[test]
    fn ids_are_plain() {
        assert!(check_id("00u1abcdEFGH").is_ok());
        assert!(check_id("favorite_security_question").is_ok());
        assert!(check_id("../admin").is_err());
        assert!(check_id("").is_err());
        assert!(check_id(&"a".repeat(65)).is_err());
    }
}
