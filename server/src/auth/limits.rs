//! Keyport's own abuse limits, shared by every instance (they live in the session backend). A
//! refused attempt says how long to wait; Okta is not asked.
//!
//! They sit in front of Okta's own limits (and its lockout), so that one noisy client cannot
//! spend the org's rate limit, lock someone else's account from one address, guess codes
//! without end, or run up the org's text-message bill.
//!
//! Every limit on an account is keyed on the **resolved** account, never on what was typed:
//! Okta signs `luke.locked` in as `luke.locked@example.com`, so both spend one budget
//! ([`resolve_account`]).
//!
//! Three kinds of attempt:
//! - sign-in: a password tried (Keyport's sign-in page, or "confirm it's you" with the password);
//! - code: a one-time code, security answer or key assertion checked (sign-in, confirming,
//!   testing a method, activating one);
//! - message: a text, voice call, email or Okta Verify push Okta is asked to send (enrolling a
//!   phone or email, a resend, a challenge, an Okta Verify setup link). Pushes count too: a
//!   flood of them is how "MFA fatigue" attacks wear people down. Texts and calls cost the org money and
//!   are the target of "SMS pumping" fraud, so they are limited per session, per account, per
//!   destination and per client address.

use crate::okta::{OktaClient, OktaError};
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
    /// Sign-in attempts per account.
    pub sign_in_per_account: Limit,
    /// Sign-in attempts per client address.
    pub sign_in_per_address: Limit,
    /// Code and answer submissions per account.
    pub codes_per_account: Limit,
    /// Code and answer submissions per client address.
    pub codes_per_address: Limit,
    /// Messages (texts, calls, emails) per session.
    pub messages_per_session: Limit,
    /// Messages per account.
    pub messages_per_account: Limit,
    /// Messages to one phone number or email address, whoever asks.
    pub messages_per_destination: Limit,
    /// Messages per client address.
    pub messages_per_address: Limit,
}

/// The window of the sign-in and code limits.
pub const WINDOW: Duration = Duration::from_secs(15 * 60);
/// The window of the message limits: a person setting up a phone needs two or three texts in
/// a few minutes; nobody needs more than a handful in an hour.
pub const MESSAGE_WINDOW: Duration = Duration::from_secs(60 * 60);
/// How long a typed login's resolution to an account is trusted (logins rarely change; a
/// long memory spares Okta's users API a lookup per attempt).
const ALIAS_TTL: Duration = Duration::from_secs(60 * 60);

impl AbuseLimits {
    /// Per-account limits; a client address may make five times as many attempts (several
    /// people can share one address). A session may send as many messages as its account; one
    /// destination receives at most half as many (at least three) whoever asks: a person who
    /// mistypes a number or two still gets their codes, a fraudster's number does not fill up.
    pub fn per_account(sign_ins: u64, codes: u64, messages: u64) -> Self {
        let limit = |max: u64, window| Limit { max, window };
        AbuseLimits {
            sign_in_per_account: limit(sign_ins, WINDOW),
            sign_in_per_address: limit(sign_ins.saturating_mul(5), WINDOW),
            codes_per_account: limit(codes, WINDOW),
            codes_per_address: limit(codes.saturating_mul(5), WINDOW),
            messages_per_session: limit(messages, MESSAGE_WINDOW),
            messages_per_account: limit(messages, MESSAGE_WINDOW),
            messages_per_destination: limit(messages.div_ceil(2).max(3), MESSAGE_WINDOW),
            messages_per_address: limit(messages.saturating_mul(5), MESSAGE_WINDOW),
        }
    }
}

impl Default for AbuseLimits {
    fn default() -> Self {
        AbuseLimits::per_account(10, 15, 10)
    }
}

/// What a typed login is compared as: trimmed and lower-cased (Okta's logins are
/// case-insensitive).
pub fn normalize_login(typed: &str) -> String {
    typed.trim().to_lowercase()
}

/// The account a typed login names, as a limit key: the Okta user id when Okta knows the login
/// (by its full form or its short form, as `GET /api/v1/users/{login}` resolves it), else the
/// login's part before `@` (so that `luke.locked` and `luke.locked@example.com` still share a
/// budget when Okta cannot be asked). Resolutions are remembered for [`ALIAS_TTL`], so repeated
/// attempts cost Okta nothing. Call it after [`sign_in_address`]: a spray of new logins from one
/// address is stopped before it costs Okta a lookup each.
pub async fn resolve_account(okta: &OktaClient, kv: &Kv, typed: &str) -> String {
    let login = normalize_login(typed);
    let local = login.split('@').next().unwrap_or_default().to_string();
    let alias_key = format!("login-alias:{login}");
    if let Ok(Some(id)) = kv.get(&alias_key).await {
        return id;
    }
    let resolved = match okta.get_user(&login).await {
        Ok(user) => format!("user:{}", user.id),
        Err(OktaError::NotFound(_)) => format!("login:{local}"),
        Err(e) => {
            tracing::warn!(error = %e, "cannot resolve a login for its sign-in limit");
            return format!("login:{local}");
        }
    };
    if let Err(e) = kv.set(&alias_key, &resolved, ALIAS_TTL).await {
        tracing::warn!(error = %e, "cannot remember a login's account");
    }
    resolved
}

/// The limit key of a signed-in (or identified) user's account.
pub fn account_of(user_id: &str) -> String {
    format!("user:{user_id}")
}

/// Counts one sign-in attempt (a password tried) against the client address.
pub async fn sign_in_address(
    kv: &Kv,
    limits: &AbuseLimits,
    address: Option<&str>,
) -> Result<(), PortalError> {
    let Some(addr) = address else {
        return Ok(());
    };
    let checks = [(
        format!("limit:signin:address:{}", address_key(addr)),
        limits.sign_in_per_address,
    )];
    take(kv, &checks, Refusal::Attempts).await
}

/// Counts one sign-in attempt against the (resolved) account.
pub async fn sign_in_account(
    kv: &Kv,
    limits: &AbuseLimits,
    account: &str,
) -> Result<(), PortalError> {
    let checks = [(
        format!("limit:signin:account:{account}"),
        limits.sign_in_per_account,
    )];
    take(kv, &checks, Refusal::Attempts).await
}

/// Counts one sign-in attempt against the account and the address.
pub async fn sign_in(
    kv: &Kv,
    limits: &AbuseLimits,
    account: &str,
    address: Option<&str>,
) -> Result<(), PortalError> {
    sign_in_address(kv, limits, address).await?;
    sign_in_account(kv, limits, account).await
}

/// The key of a client address: an IPv6 address by its /64 (one household or host can rotate
/// through a whole /64), an IPv4 address as it is.
pub fn address_key(addr: &str) -> String {
    match addr.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V6(v6)) if v6.to_ipv4_mapped().is_none() => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        Ok(std::net::IpAddr::V6(v6)) => v6
            .to_ipv4_mapped()
            .map(|v4| v4.to_string())
            .unwrap_or_default(),
        _ => addr.to_string(),
    }
}

/// The stable name of a session for its message limit: kept in the session's data (its id
/// changes at sign-in and at every verification, which would reset the count).
pub async fn session_key(session: &tower_sessions::Session) -> Option<String> {
    let data = crate::sessions::KeyportSession::load(session).await;
    (!data.limit_key.is_empty())
        .then_some(data.limit_key)
        .or_else(|| session.id().map(|id| id.to_string()))
}

/// Where a factor's texts, calls or emails go, for the per-destination limit: its phone number
/// (E.164 digits) or email address, whichever factor or account asks; the factor itself when
/// Okta shows neither.
pub fn destination_of(factor: &crate::okta::types::UserFactor) -> String {
    if let Some(phone) = factor.profile.phone_number.as_deref() {
        let digits: String = phone.chars().filter(|c| c.is_ascii_digit()).collect();
        if !digits.is_empty() && !phone.contains('X') {
            return format!("+{digits}");
        }
    }
    if let Some(email) = factor.profile.email.as_deref().filter(|e| !e.contains('…')) {
        return email.trim().to_lowercase();
    }
    format!("factor:{}", factor.id)
}

/// Counts one code, answer or key assertion checked for the account.
pub async fn code(
    kv: &Kv,
    limits: &AbuseLimits,
    account: &str,
    address: Option<&str>,
) -> Result<(), PortalError> {
    let mut checks = vec![(
        format!("limit:codes:account:{account}"),
        limits.codes_per_account,
    )];
    if let Some(addr) = address {
        checks.push((
            format!("limit:codes:address:{}", address_key(addr)),
            limits.codes_per_address,
        ));
    }
    take(kv, &checks, Refusal::Attempts).await
}

/// Who asks for a message (a text, call, email, or an Okta Verify push), and where it goes.
pub struct MessageCharge<'a> {
    /// The session's stable name ([`session_key`]; none for a session not yet stored: the
    /// account still counts).
    pub session: Option<String>,
    pub account: &'a str,
    /// The phone number (E.164) or email address; none when Okta picks it (a factor's own).
    pub destination: Option<&'a str>,
    pub address: Option<&'a str>,
}

/// Counts one message Okta is asked to send.
pub async fn message(
    kv: &Kv,
    limits: &AbuseLimits,
    charge: MessageCharge<'_>,
) -> Result<(), PortalError> {
    let mut checks = vec![(
        format!("limit:messages:account:{}", charge.account),
        limits.messages_per_account,
    )];
    if let Some(s) = &charge.session {
        checks.push((
            format!("limit:messages:session:{s}"),
            limits.messages_per_session,
        ));
    }
    if let Some(to) = charge.destination {
        checks.push((
            format!("limit:messages:to:{}", to.trim().to_lowercase()),
            limits.messages_per_destination,
        ));
    }
    if let Some(addr) = charge.address {
        checks.push((
            format!("limit:messages:address:{}", address_key(addr)),
            limits.messages_per_address,
        ));
    }
    take(kv, &checks, Refusal::Messages).await
}

/// How a refusal is worded.
#[derive(Clone, Copy)]
enum Refusal {
    Attempts,
    Messages,
}

/// Counts one event against every key; refuses with the longest wait when any is spent.
async fn take(kv: &Kv, checks: &[(String, Limit)], refusal: Refusal) -> Result<(), PortalError> {
    let mut wait = None::<u64>;
    for (key, limit) in checks {
        match kv.count(key, limit.window).await {
            Ok((count, resets_in)) if count > limit.max => {
                tracing::warn!(key = %key.split(':').take(3).collect::<Vec<_>>().join(":"), count, "abuse limit reached");
                wait = Some(wait.unwrap_or(0).max(resets_in.max(1)));
            }
            Ok(_) => {}
            // The limit is a protection, not a gate: a store hiccup must not lock everyone out.
            Err(e) => tracing::error!(error = %e, "abuse limit store failed; allowing the attempt"),
        }
    }
    let Some(wait) = wait else {
        return Ok(());
    };
    let message = match refusal {
        Refusal::Attempts => format!(
            "Too many attempts. For your security, please wait {} and try again.",
            wait_phrase(wait)
        ),
        Refusal::Messages => format!(
            "Too many codes and links were sent. For your security, please wait {} before asking for another.",
            wait_phrase(wait)
        ),
    };
    Err(PortalError::new(ErrorCode::RateLimited, message).with_retry_after(wait))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_keyed_by_host_or_ipv6_prefix() {
        assert_eq!(address_key("203.0.113.7"), "203.0.113.7");
        assert_eq!(address_key("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
        assert_eq!(address_key("2001:db8:1:2:bbbb::9"), "2001:db8:1:2::/64");
        assert_eq!(address_key("::ffff:203.0.113.7"), "203.0.113.7");
    }

    #[test]
    fn logins_are_normalised() {
        assert_eq!(
            normalize_login("  Luke.Locked@Example.COM "),
            "luke.locked@example.com"
        );
    }
}
