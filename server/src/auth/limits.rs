//! Keyport's own abuse limits on sign-in and code submissions, per account and per client
//! address, shared by every instance (they live in the session backend). A refused attempt
//! says how long to wait; Okta is not asked.
//!
//! They sit in front of Okta's own limits (and its lockout), so that one noisy client cannot
//! spend the org's rate limit or lock someone else's account from one address.

use crate::service::errors::wait_phrase;
use crate::sessions::Kv;
use app::error::{ErrorCode, PortalError};
use std::time::Duration;

/// One limit: at most `max` events per `window`.
#[derive(Clone, Copy, Debug)]
pub struct Limit {
    pub max: u64,
    pub window: Duration,
}

/// The limits Keyport enforces.
#[derive(Clone, Copy, Debug)]
pub struct AbuseLimits {
    /// Sign-in attempts per account (login).
    pub sign_in_per_account: Limit,
    /// Sign-in attempts per client address.
    pub sign_in_per_address: Limit,
    /// Code and answer submissions per user.
    pub codes_per_account: Limit,
    /// Code and answer submissions per client address.
    pub codes_per_address: Limit,
}

/// The window of every limit.
pub const WINDOW: Duration = Duration::from_secs(15 * 60);

impl AbuseLimits {
    /// Per-account limits; a client address may make five times as many attempts (several
    /// people can share one address).
    pub fn per_account(sign_ins: u64, codes: u64) -> Self {
        AbuseLimits {
            sign_in_per_account: Limit {
                max: sign_ins,
                window: WINDOW,
            },
            sign_in_per_address: Limit {
                max: sign_ins.saturating_mul(5),
                window: WINDOW,
            },
            codes_per_account: Limit {
                max: codes,
                window: WINDOW,
            },
            codes_per_address: Limit {
                max: codes.saturating_mul(5),
                window: WINDOW,
            },
        }
    }
}

impl Default for AbuseLimits {
    fn default() -> Self {
        AbuseLimits::per_account(10, 15)
    }
}

/// Counts one attempt against both keys; refuses with the wait when either is spent.
pub async fn take(
    kv: &Kv,
    what: &str,
    account: &str,
    address: Option<&str>,
    per_account: Limit,
    per_address: Limit,
) -> Result<(), PortalError> {
    let account_key = format!("limit:{what}:account:{}", account.to_lowercase());
    let mut checks = vec![(account_key, per_account)];
    if let Some(addr) = address {
        checks.push((format!("limit:{what}:address:{addr}"), per_address));
    }
    for (key, limit) in checks {
        match kv.count(&key, limit.window).await {
            Ok((count, resets_in)) if count > limit.max => {
                tracing::warn!(what, key = %key, count, "abuse limit reached");
                let wait = resets_in.max(1);
                return Err(PortalError::new(
                    ErrorCode::RateLimited,
                    format!(
                        "Too many attempts. For your security, please wait {} and try again.",
                        wait_phrase(wait)
                    ),
                )
                .with_retry_after(wait));
            }
            Ok(_) => {}
            // The limit is a protection, not a gate: a store hiccup must not lock everyone out.
            Err(e) => tracing::error!(error = %e, "abuse limit store failed; allowing the attempt"),
        }
    }
    Ok(())
}
