//! Staying inside Okta's rate limits.
//!
//! Okta's limits, not Keyport's CPU, bound how many people Keyport can serve: about 600 calls a
//! minute for the factors endpoints on most orgs, half of that per API token by default
//! (API-NOTES §9). So the client keeps two things per endpoint family:
//! - its own budget, a requests-per-second ceiling it never exceeds (GCRA, via `governor`);
//! - what Okta last said in `X-Rate-Limit-Limit/Remaining/Reset`, so that when Okta reports
//!   nothing left it waits for the reset instead of spending a request to hear a 429.
//!
//! Either way, a caller that would have to wait longer than a short queueing delay gets told
//! how long, as `OktaError::RateLimited`, rather than a vague failure.

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Endpoint families, each with its own Okta limit (and Keyport budget).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Family {
    Authn,
    Factors,
    Enrollments,
    Users,
    Authenticators,
    Logs,
    Org,
}

impl Family {
    pub const ALL: [Family; 7] = [
        Family::Authn,
        Family::Factors,
        Family::Enrollments,
        Family::Users,
        Family::Authenticators,
        Family::Logs,
        Family::Org,
    ];

    /// The family of an API path.
    pub fn of(path: &str) -> Family {
        if path.starts_with("/api/v1/authn") {
            Family::Authn
        } else if path.starts_with("/api/v1/users/") && path.contains("/factors") {
            Family::Factors
        } else if path.contains("/authenticator-enrollments") {
            Family::Enrollments
        } else if path.starts_with("/api/v1/users") || path.starts_with("/api/v1/groups") {
            Family::Users
        } else if path.starts_with("/api/v1/authenticators") {
            Family::Authenticators
        } else if path.starts_with("/api/v1/logs") {
            Family::Logs
        } else {
            Family::Org
        }
    }
}

/// What Okta last said about a family's limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Observed {
    pub limit: u32,
    pub remaining: u32,
    /// Unix seconds when the window resets.
    pub reset: i64,
}

/// Reads `X-Rate-Limit-*`; `None` when a header is missing or unreadable.
pub fn observe(headers: &reqwest::header::HeaderMap) -> Option<Observed> {
    let num = |name: &str| headers.get(name)?.to_str().ok()?.trim().parse::<i64>().ok();
    Some(Observed {
        limit: u32::try_from(num("x-rate-limit-limit")?).ok()?,
        remaining: u32::try_from(num("x-rate-limit-remaining")?).ok()?,
        reset: num("x-rate-limit-reset")?,
    })
}

/// How long until `reset` (Unix seconds), measured against the server's own `Date` when it
/// sent one, so a skewed local clock does not distort the wait.
pub fn wait_until_reset(reset: i64, server_date: Option<SystemTime>) -> Duration {
    let now = server_date.unwrap_or_else(SystemTime::now);
    let now_secs = now
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    Duration::from_secs(reset.saturating_sub(now_secs).max(0) as u64)
}

/// The client's own ceilings, and Okta's last word, per family.
pub struct Budget {
    limiters: HashMap<Family, DefaultDirectRateLimiter>,
    /// Okta's last answer per family, with its reset as a local instant.
    observed: Mutex<HashMap<Family, (Observed, SystemTime)>>,
}

/// May the request go now, or after how long?
#[derive(Debug, PartialEq, Eq)]
pub enum Admission {
    Now,
    After(Duration),
}

impl Budget {
    /// `per_second` requests per second per family, never exceeded.
    pub fn new(per_second: u32) -> Self {
        let rate = NonZeroU32::new(per_second.max(1)).unwrap_or(NonZeroU32::MIN);
        let limiters = Family::ALL
            .iter()
            .map(|f| (*f, RateLimiter::direct(Quota::per_second(rate))))
            .collect();
        Budget {
            limiters,
            observed: Mutex::default(),
        }
    }

    /// Takes one request from the family's budget, or says how long until one is free.
    pub fn admit(&self, family: Family) -> Admission {
        // Okta said nothing is left in this window: wait for its reset.
        if let Some(wait) = self.okta_exhausted(family) {
            return Admission::After(wait);
        }
        let Some(limiter) = self.limiters.get(&family) else {
            return Admission::Now;
        };
        match limiter.check() {
            Ok(()) => Admission::Now,
            Err(not_until) => {
                Admission::After(not_until.wait_time_from(DefaultClock::default().now()))
            }
        }
    }

    fn okta_exhausted(&self, family: Family) -> Option<Duration> {
        let observed = self.observed.lock().unwrap_or_else(|e| e.into_inner());
        let (o, reset_at) = observed.get(&family)?;
        if o.remaining > 0 {
            return None;
        }
        reset_at
            .duration_since(SystemTime::now())
            .ok()
            .filter(|w| !w.is_zero())
    }

    /// Remembers what Okta said (`server_date` is the answer's `Date`, when present). The
    /// reset is kept as a local instant, so later waits need no server clock.
    pub fn record(&self, family: Family, o: Observed, server_date: Option<SystemTime>) {
        let reset_at = SystemTime::now() + wait_until_reset(o.reset, server_date);
        let mut observed = self.observed.lock().unwrap_or_else(|e| e.into_inner());
        observed.insert(family, (o, reset_at));
    }

    /// The last observation for a family (for `/readyz` and logs).
    pub fn last_observed(&self, family: Family) -> Option<Observed> {
        let observed = self.observed.lock().unwrap_or_else(|e| e.into_inner());
        observed.get(&family).map(|(o, _)| *o)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_follow_oktas_endpoint_groups() {
        assert_eq!(
            Family::of("/api/v1/users/00u1/factors/opf1/verify"),
            Family::Factors
        );
        assert_eq!(
            Family::of("/api/v1/users/00u1/authenticator-enrollments"),
            Family::Enrollments
        );
        assert_eq!(Family::of("/api/v1/users"), Family::Users);
        assert_eq!(Family::of("/api/v1/authn"), Family::Authn);
        assert_eq!(Family::of("/.well-known/okta-organization"), Family::Org);
    }

    #[test]
    fn the_budget_never_exceeds_its_ceiling() {
        let b = Budget::new(2);
        assert_eq!(b.admit(Family::Factors), Admission::Now);
        assert_eq!(b.admit(Family::Factors), Admission::Now);
        assert!(matches!(b.admit(Family::Factors), Admission::After(d) if d > Duration::ZERO));
        // Another family has its own budget.
        assert_eq!(b.admit(Family::Users), Admission::Now);
    }

    #[test]
    fn an_exhausted_okta_window_makes_callers_wait_for_the_reset() {
        let b = Budget::new(100);
        let date = SystemTime::now();
        let now_secs = date.duration_since(UNIX_EPOCH).unwrap().as_secs() as i64;
        b.record(
            Family::Logs,
            Observed {
                limit: 10,
                remaining: 0,
                reset: now_secs + 20,
            },
            Some(date),
        );
        match b.admit(Family::Logs) {
            Admission::After(d) => {
                assert!(d > Duration::from_secs(15) && d <= Duration::from_secs(20))
            }
            other => panic!("expected a wait, got {other:?}"),
        }
        b.record(
            Family::Logs,
            Observed {
                limit: 10,
                remaining: 5,
                reset: now_secs + 20,
            },
            Some(date),
        );
        assert_eq!(b.admit(Family::Logs), Admission::Now);
    }

    #[test]
    fn reset_waits_use_the_servers_clock() {
        let server = UNIX_EPOCH + Duration::from_secs(1_000);
        assert_eq!(
            wait_until_reset(1_030, Some(server)),
            Duration::from_secs(30)
        );
        assert_eq!(wait_until_reset(900, Some(server)), Duration::ZERO);
    }
}
