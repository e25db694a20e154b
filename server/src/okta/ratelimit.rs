//! Staying inside Okta's rate limits the way Okta counts them.
//!
//! Okta limits each endpoint family per org and per minute, in windows that start with the
//! window's first request, and reports its standing on every answer in
//! `X-Rate-Limit-Limit/Remaining/Reset` (API-NOTES §9). The org's other apps draw on the same
//! limits, and an admin may cap Keyport's token at a share of them (50% by default for tokens
//! made in the Admin Console). So the client keeps, per family:
//! - the window Okta last reported: its limit, what remains, and when it resets;
//! - a reserve for everyone else: Keyport never spends the window below
//!   `(1 - share) × X-Rate-Limit-Limit` (share 50% by default), so the org's other
//!   integrations always keep at least half;
//! - no pacing inside the window: a burst of people at 9:00 is served at once, as long as the
//!   window allows it.
//!
//! Before Okta has answered in a family, its documented default for a Workforce Identity org
//! stands in (`documented_limit`). A caller that would have to wait longer than a short
//! queueing delay gets told how long, as `OktaError::RateLimited`, rather than a vague failure.

use reqwest::Method;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Okta's windows are a minute long (API-NOTES §9).
const WINDOW: Duration = Duration::from_secs(60);

/// Endpoint families, each with its own Okta limit: Okta's management rate-limit buckets
/// (developer.okta.com/docs/reference/rl-global-mgmt/), the sandbox's too.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Family {
    /// `/api/v1/authn*`.
    Authn,
    /// `GET /api/v1/users/{idOrLogin}`: get a user by id or login.
    User,
    /// `GET|POST /api/v1/users` and `POST|PUT|DELETE /api/v1/users/{id}`.
    Users,
    /// `/api/v1/groups*`.
    Groups,
    /// `/api/v1/users/{id}/factors*`.
    Factors,
    /// `/api/v1/users/{id}/authenticator-enrollments*`.
    Enrollments,
    /// `/api/v1/authenticators*`.
    Authenticators,
    /// `/api/v1/logs`.
    Logs,
    /// Everything else (`/.well-known/okta-organization`, policies, lifecycle operations).
    Org,
}

impl Family {
    pub const ALL: [Family; 9] = [
        Family::Authn,
        Family::User,
        Family::Users,
        Family::Groups,
        Family::Factors,
        Family::Enrollments,
        Family::Authenticators,
        Family::Logs,
        Family::Org,
    ];

    /// The family of a call.
    pub fn of(method: &Method, path: &str) -> Family {
        let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
        if path.starts_with("/api/v1/authn") {
            Family::Authn
        } else if path.starts_with("/api/v1/users/") && path.contains("/factors") {
            Family::Factors
        } else if path.contains("/authenticator-enrollments") {
            Family::Enrollments
        } else if path.starts_with("/api/v1/users/") && segments.len() == 5 {
            if method == Method::GET {
                Family::User
            } else {
                Family::Users
            }
        } else if path == "/api/v1/users" {
            Family::Users
        } else if path.starts_with("/api/v1/groups") {
            Family::Groups
        } else if path.starts_with("/api/v1/authenticators") {
            Family::Authenticators
        } else if path.starts_with("/api/v1/logs") {
            Family::Logs
        } else {
            Family::Org
        }
    }

    /// Okta's documented per-minute limit for a Workforce Identity org (Management rate
    /// limits page; "most other API actions" for factors, enrollments and authenticators),
    /// assumed until Okta's own headers say otherwise.
    pub fn documented_limit(self) -> u32 {
        match self {
            Family::Authn => 600,
            Family::User => 2000,
            Family::Users => 600,
            Family::Groups => 500,
            Family::Logs => 120,
            Family::Factors | Family::Enrollments | Family::Authenticators | Family::Org => 1200,
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

/// One family's current window as Keyport understands it.
#[derive(Clone, Copy, Debug)]
struct Window {
    limit: u32,
    /// What Okta last reported, minus what Keyport has sent since.
    remaining: u32,
    resets_at: SystemTime,
    /// Whether Okta has reported on this family at all.
    reported: bool,
}

impl Window {
    fn assumed(family: Family, now: SystemTime) -> Self {
        let limit = family.documented_limit();
        Window {
            limit,
            remaining: limit,
            resets_at: now + WINDOW,
            reported: false,
        }
    }
}

/// Keyport's standing in every family, and the share of each limit it may use.
pub struct Budget {
    /// The share of each family's limit Keyport may spend, in (0, 1].
    share: f64,
    windows: Mutex<HashMap<Family, Window>>,
}

/// May the request go now, or after how long?
#[derive(Debug, PartialEq, Eq)]
pub enum Admission {
    Now,
    After(Duration),
}

impl Budget {
    /// `share_percent` of each limit Keyport may use (1 to 100).
    pub fn new(share_percent: u32) -> Self {
        Budget {
            share: f64::from(share_percent.clamp(1, 100)) / 100.0,
            windows: Mutex::default(),
        }
    }

    /// What Keyport leaves in a window of `limit` for everyone else.
    fn reserve(&self, limit: u32) -> u32 {
        let kept = (f64::from(limit) * (1.0 - self.share)).ceil() as u32;
        kept.min(limit.saturating_sub(1))
    }

    /// Takes one request from the family's window, or says how long until the window resets.
    pub fn admit(&self, family: Family) -> Admission {
        let now = SystemTime::now();
        let mut windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        let w = windows
            .entry(family)
            .or_insert_with(|| Window::assumed(family, now));
        if now >= w.resets_at {
            // A new window: full again, until Okta says otherwise.
            *w = Window {
                remaining: w.limit,
                resets_at: now + WINDOW,
                ..*w
            };
        }
        if w.remaining > self.reserve(w.limit) {
            w.remaining -= 1;
            Admission::Now
        } else {
            Admission::After(
                w.resets_at
                    .duration_since(now)
                    .unwrap_or(Duration::ZERO)
                    .max(Duration::from_millis(1)),
            )
        }
    }

    /// Remembers what Okta said (`server_date` is the answer's `Date`, when present). The
    /// reset is kept as a local instant, so later waits need no server clock.
    pub fn record(&self, family: Family, o: Observed, server_date: Option<SystemTime>) {
        let now = SystemTime::now();
        let resets_at = now + wait_until_reset(o.reset, server_date);
        let mut windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        let w = windows
            .entry(family)
            .or_insert_with(|| Window::assumed(family, now));
        let same_window = w.reported && distance(w.resets_at, resets_at) <= Duration::from_secs(1);
        let remaining = if same_window {
            // Answers arrive out of order: the lowest report, less what went out since.
            o.remaining.min(w.remaining)
        } else {
            o.remaining
        };
        *w = Window {
            limit: o.limit,
            remaining,
            resets_at: if same_window { w.resets_at } else { resets_at },
            reported: true,
        };
    }

    /// The last observation for a family (for `/readyz`, metrics and tests).
    pub fn last_observed(&self, family: Family) -> Option<Observed> {
        let windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        windows
            .get(&family)
            .filter(|w| w.reported)
            .map(|w| Observed {
                limit: w.limit,
                remaining: w.remaining,
                reset: w
                    .resets_at
                    .duration_since(UNIX_EPOCH)
                    .map(|d| d.as_secs() as i64)
                    .unwrap_or(0),
            })
    }
}

fn distance(a: SystemTime, b: SystemTime) -> Duration {
    a.duration_since(b)
        .or_else(|_| b.duration_since(a))
        .unwrap_or(Duration::ZERO)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn observed(limit: u32, remaining: u32, in_secs: i64) -> (Observed, SystemTime) {
        let date = SystemTime::now();
        let now_secs = date.duration_since(UNIX_EPOCH).unwrap().as_secs() as i64;
        (
            Observed {
                limit,
                remaining,
                reset: now_secs + in_secs,
            },
            date,
        )
    }

    #[test]
    fn families_follow_oktas_buckets() {
        let get = Method::GET;
        assert_eq!(
            Family::of(&get, "/api/v1/users/00u1/factors/opf1/verify"),
            Family::Factors
        );
        assert_eq!(
            Family::of(&get, "/api/v1/users/00u1/authenticator-enrollments"),
            Family::Enrollments
        );
        assert_eq!(Family::of(&get, "/api/v1/users/00u1"), Family::User);
        assert_eq!(
            Family::of(&Method::POST, "/api/v1/users/00u1"),
            Family::Users
        );
        assert_eq!(Family::of(&get, "/api/v1/users"), Family::Users);
        assert_eq!(Family::of(&get, "/api/v1/users/00u1/groups"), Family::Org);
        assert_eq!(Family::of(&Method::POST, "/api/v1/authn"), Family::Authn);
        assert_eq!(
            Family::of(&get, "/.well-known/okta-organization"),
            Family::Org
        );
    }

    #[test]
    fn half_of_each_window_is_left_for_the_orgs_other_apps() {
        let b = Budget::new(50);
        let (o, date) = observed(10, 10, 60);
        b.record(Family::Factors, o, Some(date));
        // A burst goes out at once, down to half of the limit, then waits for the reset.
        for _ in 0..5 {
            assert_eq!(b.admit(Family::Factors), Admission::Now);
        }
        match b.admit(Family::Factors) {
            Admission::After(d) => assert!(d > Duration::from_secs(55), "{d:?}"),
            other => panic!("expected a wait, got {other:?}"),
        }
        // Another family has its own window.
        assert_eq!(b.admit(Family::Users), Admission::Now);
    }

    #[test]
    fn other_apps_spending_leaves_keyport_less() {
        let b = Budget::new(50);
        // Okta says 6 of 10 are left: the other apps spent 4; Keyport may spend 1.
        let (o, date) = observed(10, 6, 60);
        b.record(Family::Logs, o, Some(date));
        assert_eq!(b.admit(Family::Logs), Admission::Now);
        assert!(matches!(b.admit(Family::Logs), Admission::After(_)));
    }

    #[test]
    fn a_new_window_from_okta_replaces_the_old_one() {
        let b = Budget::new(50);
        let (o, date) = observed(10, 5, 60);
        b.record(Family::Logs, o, Some(date));
        assert!(matches!(b.admit(Family::Logs), Admission::After(_)));
        let (o, date) = observed(10, 9, 120);
        b.record(Family::Logs, o, Some(date));
        assert_eq!(b.admit(Family::Logs), Admission::Now);
        assert_eq!(b.last_observed(Family::Logs).unwrap().remaining, 8);
    }

    #[test]
    fn an_exhausted_okta_window_makes_callers_wait_for_the_reset() {
        let b = Budget::new(100);
        let (o, date) = observed(10, 0, 20);
        b.record(Family::Logs, o, Some(date));
        match b.admit(Family::Logs) {
            Admission::After(d) => {
                assert!(d > Duration::from_secs(15) && d <= Duration::from_secs(20))
            }
            other => panic!("expected a wait, got {other:?}"),
        }
    }

    #[test]
    fn before_okta_reports_the_documented_limit_stands_in() {
        let b = Budget::new(50);
        for _ in 0..60 {
            assert_eq!(b.admit(Family::Logs), Admission::Now);
        }
        assert!(matches!(b.admit(Family::Logs), Admission::After(_)));
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
