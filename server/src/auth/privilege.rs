//! The one decision every sensitive action asks: has the user verified recently enough?
//!
//! Sensitive actions (add, remove or rename a method, change the password) need a verification
//! of a factor — or of the password when the user has no factor — within the window (five
//! minutes by default, like Okta's own settings page). The decision is a type so that a caller
//! cannot forget to look at it.

use crate::sessions::SignedInUser;
use app::error::{ErrorCode, PortalError};
use std::time::Duration;

/// The default re-verification window.
pub const DEFAULT_WINDOW: Duration = Duration::from_secs(5 * 60);

#[must_use]
#[derive(Debug, PartialEq, Eq)]
pub enum PrivilegeDecision {
    /// Verified within the window: go ahead.
    Proceed,
    /// Verify a factor (or the password) first.
    ReverifyRequired,
}

/// Decides from the session's last verification time.
pub fn decide(user: &SignedInUser, now: i64, window: Duration) -> PrivilegeDecision {
    let age = now - user.verified_at;
    if user.verified_at > 0 && (0..=window.as_secs() as i64).contains(&age) {
        PrivilegeDecision::Proceed
    } else {
        PrivilegeDecision::ReverifyRequired
    }
}

impl PrivilegeDecision {
    /// `Ok` to proceed, or the error that makes the page ask for re-verification.
    pub fn require(self) -> Result<(), PortalError> {
        match self {
            PrivilegeDecision::Proceed => Ok(()),
            PrivilegeDecision::ReverifyRequired => Err(PortalError::new(
                ErrorCode::ReverificationRequired,
                "For your security, confirm it's you before making this change.",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sessions::data::SignInMethod;

    fn user(verified_at: i64) -> SignedInUser {
        SignedInUser {
            signed_in_at_ms: 0,
            id: "00u1".into(),
            login: "a@b.c".into(),
            display_name: "A".into(),
            method: SignInMethod::PasswordAndFactor,
            signed_in_at: 1_000,
            verified_at,
            admin: None,
        }
    }

    #[test]
    fn within_the_window_proceeds_and_after_it_asks_again() {
        let w = Duration::from_secs(300);
        assert_eq!(
            decide(&user(1_000), 1_000 + 299, w),
            PrivilegeDecision::Proceed
        );
        assert_eq!(
            decide(&user(1_000), 1_000 + 301, w),
            PrivilegeDecision::ReverifyRequired
        );
        assert_eq!(
            decide(&user(0), 10, w),
            PrivilegeDecision::ReverifyRequired,
            "never verified"
        );
        assert!(decide(&user(0), 10, w).require().is_err());
    }
}
