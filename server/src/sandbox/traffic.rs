//! What happens to every Okta API request before and after its handler: org-wide rate limits
//! per endpoint family with `X-Rate-Limit-*` headers (API-NOTES §9), injected faults, and a
//! request log that tests read to count upstream calls.

use super::error::ApiError;
use super::state::{lock, Org};
use super::Sandbox;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use regex::Regex;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use time::{Duration, OffsetDateTime};

/// Rate-limit windows are 60 s from the first request, not wall-clock aligned (API-NOTES §9).
const WINDOW: Duration = Duration::seconds(60);
/// How many requests the log keeps.
const LOG_CAPACITY: usize = 20_000;

/// An endpoint family with its own per-minute limit: Okta's management rate-limit buckets
/// (developer.okta.com/docs/reference/rl-global-mgmt/, and rl-global-enduser for `/authn`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Family {
    Authn,
    Factors,
    Enrollments,
    /// `GET /api/v1/users/{idOrLogin}`.
    User,
    /// `GET|POST /api/v1/users` and `POST|PUT|DELETE /api/v1/users/{id}`.
    Users,
    Groups,
    Authenticators,
    Logs,
    WellKnown,
    Idp,
    Other,
}

impl Family {
    pub const ALL: [Family; 11] = [
        Family::Authn,
        Family::Factors,
        Family::Enrollments,
        Family::User,
        Family::Users,
        Family::Groups,
        Family::Authenticators,
        Family::Logs,
        Family::WellKnown,
        Family::Idp,
        Family::Other,
    ];

    pub fn of(method: &str, path: &str) -> Family {
        let segments = path.trim_end_matches('/').split('/').count();
        if path.starts_with("/api/v1/authn") {
            Family::Authn
        } else if path.starts_with("/api/v1/users/") && path.contains("/factors") {
            Family::Factors
        } else if path.starts_with("/api/v1/users/") && path.contains("/authenticator-enrollments")
        {
            Family::Enrollments
        } else if path.starts_with("/api/v1/users/") && segments == 5 {
            if method == "GET" {
                Family::User
            } else {
                Family::Users
            }
        } else if path == "/api/v1/users" || path == "/api/v1/users/" {
            Family::Users
        } else if path.starts_with("/api/v1/groups") {
            Family::Groups
        } else if path.starts_with("/api/v1/authenticators") {
            Family::Authenticators
        } else if path.starts_with("/api/v1/logs") {
            Family::Logs
        } else if path.starts_with("/.well-known/") {
            Family::WellKnown
        } else if path.starts_with("/idp/") {
            Family::Idp
        } else {
            Family::Other
        }
    }

    /// Okta's documented per-minute limits for a Workforce Identity org (the Management rate
    /// limits page: get a user 2,000; create, list or update users 600; groups 500; System
    /// Log 120; "most other API actions" 1,200, which covers factors, enrollments and
    /// authenticators; `/api/v1/authn` 600 on the authentication limits page), so benchmarks
    /// run against the limits a real org has.
    fn default_limit(self) -> u32 {
        match self {
            Family::Authn => 600,
            Family::Factors => 1200,
            Family::Enrollments => 1200,
            Family::User => 2000,
            Family::Users => 600,
            Family::Groups => 500,
            Family::Authenticators => 1200,
            Family::Logs => 120,
            Family::WellKnown => 1200,
            Family::Idp => 600,
            Family::Other => 1200,
        }
    }
}

struct Window {
    started: OffsetDateTime,
    count: u32,
}

/// Org-wide per-minute limits.
#[derive(Default)]
pub struct RateLimits {
    limits: Mutex<HashMap<Family, u32>>,
    windows: Mutex<HashMap<Family, Window>>,
}

/// One request's standing against its family's limit.
pub struct Standing {
    pub limit: u32,
    pub remaining: u32,
    pub reset: i64,
    pub exceeded: bool,
}

impl RateLimits {
    pub fn limit(&self, family: Family) -> u32 {
        lock(&self.limits)
            .get(&family)
            .copied()
            .unwrap_or_else(|| family.default_limit())
    }

    pub fn set_limit(&self, family: Family, limit: u32) {
        lock(&self.limits).insert(family, limit);
        lock(&self.windows).remove(&family);
    }

    pub fn reset(&self) {
        lock(&self.limits).clear();
        lock(&self.windows).clear();
    }

    /// Counts one request.
    pub fn take(&self, family: Family, now: OffsetDateTime) -> Standing {
        let limit = self.limit(family);
        let mut windows = lock(&self.windows);
        let w = windows.entry(family).or_insert(Window {
            started: now,
            count: 0,
        });
        if now >= w.started + WINDOW {
            *w = Window {
                started: now,
                count: 0,
            };
        }
        w.count = w.count.saturating_add(1);
        Standing {
            limit,
            remaining: limit.saturating_sub(w.count),
            reset: (w.started + WINDOW).unix_timestamp(),
            exceeded: w.count > limit,
        }
    }
}

/// What an injected fault does.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum FaultAction {
    /// Adds latency, then lets the request through.
    Latency { ms: u64 },
    /// Answers with this status and an Okta error body.
    Status {
        status: u16,
        #[serde(default = "default_code")]
        error_code: String,
        #[serde(default = "default_summary")]
        error_summary: String,
    },
    /// Answers 429 E0000047 with `X-Rate-Limit-Reset` this many seconds ahead.
    RateLimit { reset_seconds: i64 },
    /// Runs the request, then drops the connection before the answer is complete: the
    /// dangerous case where Okta acted but the client never heard.
    Drop,
    /// Answers 200 with a body that is not JSON.
    Malformed,
}

fn default_code() -> String {
    "E0000009".into()
}

fn default_summary() -> String {
    "Internal Server Error".into()
}

/// A fault rule: which requests, what happens, for how many requests or how long.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FaultRule {
    #[serde(default)]
    pub id: String,
    /// A path pattern where `*` matches any characters, e.g. `/api/v1/users/*/factors*`.
    pub path: String,
    /// Only this method, when given.
    #[serde(default)]
    pub method: Option<String>,
    pub action: FaultAction,
    /// Applies to this many requests, then is removed.
    #[serde(default)]
    pub count: Option<u32>,
    /// Applies for this many seconds (sandbox clock), then is removed.
    #[serde(default)]
    pub duration_seconds: Option<i64>,
    #[serde(default)]
    pub expires_at: Option<String>,
    #[serde(skip)]
    pub until: Option<OffsetDateTime>,
    #[serde(skip)]
    pub matcher: Option<Regex>,
}

impl FaultRule {
    fn matches(&self, method: &str, path: &str, now: OffsetDateTime) -> bool {
        self.until.is_none_or(|u| u > now)
            && self.count.is_none_or(|c| c > 0)
            && self
                .method
                .as_deref()
                .is_none_or(|m| m.eq_ignore_ascii_case(method))
            && self.matcher.as_ref().is_some_and(|re| re.is_match(path))
    }
}

/// Turns `*` wildcards into an anchored regular expression.
pub fn glob(pattern: &str) -> Result<Regex, regex::Error> {
    let escaped: Vec<String> = pattern.split('*').map(regex::escape).collect();
    Regex::new(&format!("^{}$", escaped.join(".*")))
}

#[derive(Default)]
pub struct Faults {
    rules: Mutex<Vec<FaultRule>>,
}

impl Faults {
    pub fn add(&self, org: &Org, mut rule: FaultRule) -> Result<FaultRule, String> {
        rule.matcher = Some(glob(&rule.path).map_err(|e| format!("path: {e}"))?);
        if rule.id.is_empty() {
            rule.id = super::ids::new_id("flt");
        }
        rule.until = rule
            .duration_seconds
            .map(|s| org.now() + Duration::seconds(s));
        rule.expires_at = rule.until.map(super::clock::okta_time);
        lock(&self.rules).push(rule.clone());
        Ok(rule)
    }

    pub fn list(&self) -> Vec<FaultRule> {
        lock(&self.rules).clone()
    }

    pub fn clear(&self) {
        lock(&self.rules).clear();
    }

    pub fn remove(&self, id: &str) -> bool {
        let mut rules = lock(&self.rules);
        let before = rules.len();
        rules.retain(|r| r.id != id);
        rules.len() != before
    }

    /// The action for this request, counting it against the rule.
    fn take(&self, method: &str, path: &str, now: OffsetDateTime) -> Option<FaultAction> {
        let mut rules = lock(&self.rules);
        rules.retain(|r| r.until.is_none_or(|u| u > now) && r.count.is_none_or(|c| c > 0));
        let rule = rules.iter_mut().find(|r| r.matches(method, path, now))?;
        if let Some(c) = rule.count.as_mut() {
            *c -= 1;
        }
        Some(rule.action.clone())
    }
}

/// One logged request.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestRecord {
    pub seq: u64,
    pub at: String,
    pub method: String,
    pub path: String,
    pub family: Family,
    pub status: u16,
    /// The family's `X-Rate-Limit-Limit` and `-Remaining` on this answer.
    pub limit: u32,
    pub remaining: u32,
}

#[derive(Default)]
pub struct RequestLog {
    entries: Mutex<(u64, VecDeque<RequestRecord>)>,
}

impl RequestLog {
    fn push(&self, mut record: RequestRecord) {
        let mut guard = lock(&self.entries);
        guard.0 += 1;
        record.seq = guard.0;
        guard.1.push_back(record);
        if guard.1.len() > LOG_CAPACITY {
            guard.1.pop_front();
        }
    }

    /// Entries after `since` (a sequence number), optionally only paths matching a pattern.
    pub fn since(&self, since: u64, path: Option<&Regex>) -> Vec<RequestRecord> {
        lock(&self.entries)
            .1
            .iter()
            .filter(|r| r.seq > since && path.is_none_or(|re| re.is_match(&r.path)))
            .cloned()
            .collect()
    }

    pub fn clear(&self) {
        lock(&self.entries).1.clear();
    }

    pub fn last_seq(&self) -> u64 {
        lock(&self.entries).0
    }
}

fn set_rate_headers(res: &mut Response, s: &Standing, remaining_override: Option<u32>) {
    let headers = res.headers_mut();
    let remaining = remaining_override.unwrap_or(s.remaining);
    for (name, value) in [
        ("x-rate-limit-limit", s.limit.to_string()),
        ("x-rate-limit-remaining", remaining.to_string()),
    ] {
        if let Ok(v) = HeaderValue::from_str(&value) {
            headers.insert(name, v);
        }
    }
    // An error may carry its own reset (cooldowns, activation limits): keep it.
    if !headers.contains_key("x-rate-limit-reset") {
        if let Ok(v) = HeaderValue::from_str(&s.reset.to_string()) {
            headers.insert("x-rate-limit-reset", v);
        }
    }
}

/// The middleware around every Okta API route: log, faults, rate limit, headers.
pub async fn layer(State(sb): State<Sandbox>, req: Request, next: Next) -> Response {
    let org = sb.org();
    let method = req.method().to_string();
    let path = req.uri().path().to_string();
    let family = Family::of(&method, &path);
    let now = org.now();
    let standing = sb.traffic().limits.take(family, now);

    let fault = sb.traffic().faults.take(&method, &path, now);
    let org_limited = standing.exceeded || matches!(fault, Some(FaultAction::RateLimit { .. }));
    let mut res = match fault {
        Some(FaultAction::Latency { ms }) => {
            tokio::time::sleep(std::time::Duration::from_millis(ms.min(120_000))).await;
            run(standing.exceeded, now, standing.reset, req, next).await
        }
        Some(FaultAction::Status {
            status,
            error_code,
            error_summary,
        }) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            ApiError::new(status, error_code, error_summary).into_response()
        }
        Some(FaultAction::RateLimit { reset_seconds }) => {
            let reset = (now + Duration::seconds(reset_seconds)).unix_timestamp();
            let mut r = ApiError::rate_limited(reset).into_response();
            set_rate_headers(&mut r, &standing, Some(0));
            r
        }
        Some(FaultAction::Drop) => {
            let _ = run(standing.exceeded, now, standing.reset, req, next).await;
            dropped_connection()
        }
        Some(FaultAction::Malformed) => (
            StatusCode::OK,
            [("content-type", "application/json")],
            "{\"id\": \"00u1trunc",
        )
            .into_response(),
        None => run(standing.exceeded, now, standing.reset, req, next).await,
    };
    // Only the org limit empties the window; a cooldown 429 (E0000109…) leaves it as it is.
    let remaining = org_limited.then_some(0);
    set_rate_headers(&mut res, &standing, remaining);
    // `Date` in the sandbox's time, so clients measure `X-Rate-Limit-Reset` against the same
    // clock that set it, even after the clock was advanced.
    let date = std::time::SystemTime::from(now);
    if let Ok(v) = HeaderValue::from_str(&httpdate::fmt_http_date(date)) {
        res.headers_mut().insert("date", v);
    }
    sb.traffic().log.push(RequestRecord {
        seq: 0,
        at: super::clock::okta_time(now),
        method,
        path,
        family,
        status: res.status().as_u16(),
        limit: standing.limit,
        remaining: remaining.unwrap_or(standing.remaining),
    });
    res
}

async fn run(
    exceeded: bool,
    _now: OffsetDateTime,
    reset: i64,
    req: Request,
    next: Next,
) -> Response {
    if exceeded {
        return ApiError::rate_limited(reset).into_response();
    }
    next.run(req).await
}

/// Headers, then a body stream that fails: the client sees the connection drop.
fn dropped_connection() -> Response {
    let stream = futures_util::stream::once(async {
        Err::<axum::body::Bytes, std::io::Error>(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "sandbox fault: connection dropped",
        ))
    });
    Response::builder()
        .status(StatusCode::OK)
        .header("content-type", "application/json")
        .body(Body::from_stream(stream))
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

/// Everything the traffic layer keeps.
#[derive(Default)]
pub struct Traffic {
    pub limits: RateLimits,
    pub faults: Faults,
    pub log: RequestLog,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_are_told_apart_by_path() {
        assert_eq!(
            Family::of("POST", "/api/v1/users/00u1/factors/opf1/verify"),
            Family::Factors
        );
        assert_eq!(
            Family::of("GET", "/api/v1/users/00u1/authenticator-enrollments"),
            Family::Enrollments
        );
        assert_eq!(Family::of("GET", "/api/v1/users/00u1"), Family::User);
        assert_eq!(Family::of("POST", "/api/v1/users/00u1"), Family::Users);
        assert_eq!(
            Family::of("GET", "/api/v1/users/00u1/groups"),
            Family::Other
        );
        assert_eq!(
            Family::of("POST", "/api/v1/authn/factors/x/verify"),
            Family::Authn
        );
    }

    #[test]
    fn globs_match_whole_paths() {
        let re = glob("/api/v1/users/*/factors*").unwrap();
        assert!(re.is_match("/api/v1/users/00u1/factors"));
        assert!(re.is_match("/api/v1/users/00u1/factors/opf/verify"));
        assert!(!re.is_match("/api/v1/users/00u1"));
    }

    #[test]
    fn windows_count_and_reset_after_a_minute() {
        let limits = RateLimits::default();
        limits.set_limit(Family::Logs, 2);
        let t0 = OffsetDateTime::now_utc();
        assert!(!limits.take(Family::Logs, t0).exceeded);
        let s = limits.take(Family::Logs, t0);
        assert_eq!(s.remaining, 0);
        assert!(!s.exceeded);
        assert!(limits.take(Family::Logs, t0).exceeded);
        assert!(
            !limits
                .take(Family::Logs, t0 + Duration::seconds(61))
                .exceeded
        );
    }
}
