//! Okta's error object, and the one error type of the client: Okta's answers mapped to the
//! cases Keyport acts on (API-NOTES §8). Branch on `errorCode`, never on `errorSummary` text,
//! except for the E0000001 causes Okta documents as the only way to tell cases apart.

use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Okta's error body: `{errorCode, errorSummary, errorLink, errorId, errorCauses}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OktaErrorBody {
    pub error_code: String,
    #[serde(default)]
    pub error_summary: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_link: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_id: Option<String>,
    #[serde(default)]
    pub error_causes: Vec<ErrorCause>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorCause {
    #[serde(default)]
    pub error_summary: String,
}

impl OktaErrorBody {
    pub fn causes(&self) -> Vec<String> {
        self.error_causes
            .iter()
            .map(|c| c.error_summary.clone())
            .collect()
    }
}

/// Which limit was hit: the answer differs (an org limit passes, a cooldown is per phone).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RateLimitScope {
    /// The org's per-minute limit for an endpoint family (E0000047 on an API call).
    Org,
    /// One SMS or call per phone per 30 s, one email per 5 s (E0000109, E0000133, E0000118).
    MessageCooldown,
    /// Keyport's own budget of calls to Okta: it waits rather than exceed Okta's limits.
    Keyport,
}

/// Everything that can go wrong calling Okta.
#[derive(Clone, Debug, thiserror::Error)]
pub enum OktaError {
    /// The passcode, answer or WebAuthn response was wrong (E0000068).
    #[error("invalid passcode or answer")]
    InvalidPasscode(Box<OktaErrorBody>),
    /// The passcode was used before, or is outside the time window (E0000082, E0000083).
    #[error("passcode already used")]
    PasscodeReplayed(Box<OktaErrorBody>),
    /// Too many requests: try again after `retry_after`.
    #[error("rate limited ({scope:?}), retry after {retry_after:?}")]
    RateLimited {
        retry_after: Duration,
        scope: RateLimitScope,
        body: Option<Box<OktaErrorBody>>,
    },
    /// The factor type is already set up (E0000001 "A factor of this type is already set up."
    /// or "There is an existing verified phone number.").
    #[error("already enrolled: {cause}")]
    AlreadyEnrolled {
        cause: String,
        body: Box<OktaErrorBody>,
    },
    /// Identity Engine refuses another enrollment of this type through the Factors API
    /// (E0000001 "Maximum number of enrollments reached for factorType push").
    #[error("maximum enrollments reached for {factor_type}")]
    MaxEnrollments {
        factor_type: String,
        body: Box<OktaErrorBody>,
    },
    /// The org does not allow this factor for the user (E0000001 policy cause).
    #[error("factor not allowed by policy")]
    NotAllowed(Box<OktaErrorBody>),
    /// No such user, factor, transaction or resource (E0000007, E0000191, 404s).
    #[error("not found")]
    NotFound(Box<OktaErrorBody>),
    /// The request failed validation (E0000001 and others), with Okta's causes.
    #[error("validation failed: {summary}")]
    Validation {
        summary: String,
        causes: Vec<String>,
        body: Box<OktaErrorBody>,
    },
    /// The phone number was refused (E0000098).
    #[error("invalid phone number")]
    InvalidPhone(Box<OktaErrorBody>),
    /// Username and password did not match, or the account cannot sign in (E0000004).
    #[error("authentication failed")]
    AuthenticationFailed(Box<OktaErrorBody>),
    /// The current password was wrong (E0000014).
    #[error("current password incorrect")]
    WrongPassword(Box<OktaErrorBody>),
    /// The new password breaks the password policy (E0000080), with Okta's causes.
    #[error("password policy: {causes:?}")]
    PasswordPolicy {
        causes: Vec<String>,
        body: Box<OktaErrorBody>,
    },
    /// A policy still uses the authenticator (E0000148).
    #[error("authenticator in use by a policy")]
    AuthenticatorInUse(Box<OktaErrorBody>),
    /// Keyport's API token is invalid or expired, or an Authn state token is (E0000011).
    #[error("invalid token")]
    InvalidToken(Box<OktaErrorBody>),
    /// Not permitted (E0000006), a feature the org does not have (E0000015: the OIE-only APIs
    /// in a Classic org), not in the user's current status (E0000038, and E0000032 for an
    /// unlock), or a wrong Authn state (E0000079).
    #[error("forbidden: {}", .0.error_code)]
    Forbidden(Box<OktaErrorBody>),
    /// Okta is unreachable, failing (5xx), or the circuit breaker is open.
    #[error("Okta unavailable: {0}")]
    UpstreamDown(String),
    /// The call took longer than the configured timeout.
    #[error("Okta did not answer in time")]
    Timeout,
    /// Okta answered with a body Keyport could not read.
    #[error("unreadable answer from Okta: {0}")]
    Malformed(String),
    /// Any other Okta error.
    #[error("Okta answered {status}: {}", body.error_code)]
    Api {
        status: u16,
        body: Box<OktaErrorBody>,
    },
}

impl OktaError {
    /// Okta's error body, when there is one.
    pub fn body(&self) -> Option<&OktaErrorBody> {
        use OktaError::*;
        match self {
            InvalidPasscode(b)
            | PasscodeReplayed(b)
            | NotAllowed(b)
            | NotFound(b)
            | InvalidPhone(b)
            | AuthenticationFailed(b)
            | WrongPassword(b)
            | AuthenticatorInUse(b)
            | InvalidToken(b)
            | Forbidden(b) => Some(b),
            AlreadyEnrolled { body, .. }
            | MaxEnrollments { body, .. }
            | Validation { body, .. }
            | PasswordPolicy { body, .. }
            | Api { body, .. } => Some(body),
            RateLimited { body, .. } => body.as_deref(),
            UpstreamDown(_) | Timeout | Malformed(_) => None,
        }
    }

    /// Okta's `errorId`, for the log line that support will look for.
    pub fn error_id(&self) -> Option<&str> {
        self.body().and_then(|b| b.error_id.as_deref())
    }

    /// Maps an Okta error answer to the case Keyport acts on.
    pub fn classify(status: u16, body: OktaErrorBody, retry_after: Option<Duration>) -> OktaError {
        let causes = body.causes();
        let summary = body.error_summary.clone();
        let code = body.error_code.clone();
        let body = Box::new(body);
        let cause_has = |needle: &str| causes.iter().any(|c| c.contains(needle));
        match (status, code.as_str()) {
            (_, "E0000068") => OktaError::InvalidPasscode(body),
            (_, "E0000082" | "E0000083") => OktaError::PasscodeReplayed(body),
            (429, code) => OktaError::RateLimited {
                retry_after: retry_after.unwrap_or(Duration::from_secs(60)),
                scope: match code {
                    "E0000109" | "E0000118" | "E0000133" => RateLimitScope::MessageCooldown,
                    _ => RateLimitScope::Org,
                },
                body: Some(body),
            },
            (_, "E0000004") => OktaError::AuthenticationFailed(body),
            (_, "E0000014") => OktaError::WrongPassword(body),
            (_, "E0000080") => OktaError::PasswordPolicy { causes, body },
            (_, "E0000148") => OktaError::AuthenticatorInUse(body),
            (_, "E0000011") => OktaError::InvalidToken(body),
            (_, "E0000098") => OktaError::InvalidPhone(body),
            (_, "E0000006" | "E0000015" | "E0000032" | "E0000038" | "E0000079") => {
                OktaError::Forbidden(body)
            }
            (404, _) | (_, "E0000007" | "E0000191") => OktaError::NotFound(body),
            (_, "E0000001") if cause_has("Maximum number of enrollments reached") => {
                let factor_type = causes
                    .iter()
                    .find_map(|c| c.split("factorType ").nth(1))
                    .map(|s| s.trim().trim_end_matches('.').to_string())
                    .unwrap_or_default();
                OktaError::MaxEnrollments { factor_type, body }
            }
            (_, "E0000001")
                if cause_has("already set up") || cause_has("existing verified phone") =>
            {
                let cause = causes.first().cloned().unwrap_or_default();
                OktaError::AlreadyEnrolled { cause, body }
            }
            (_, "E0000001") if cause_has("not allowed for the user") => OktaError::NotAllowed(body),
            (400, _) | (_, "E0000001" | "E0000003") => OktaError::Validation {
                summary,
                causes,
                body,
            },
            (s, _) if s >= 500 => OktaError::UpstreamDown(format!(
                "HTTP {s} {}",
                if body.error_code.is_empty() {
                    ""
                } else {
                    &body.error_code
                }
            )),
            (status, _) => OktaError::Api { status, body },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(code: &str, causes: &[&str]) -> OktaErrorBody {
        OktaErrorBody {
            error_code: code.into(),
            error_summary: "x".into(),
            error_causes: causes
                .iter()
                .map(|c| ErrorCause {
                    error_summary: c.to_string(),
                })
                .collect(),
            ..Default::default()
        }
    }

    #[test]
    fn e0000001_causes_are_told_apart() {
        let e = OktaError::classify(
            400,
            body(
                "E0000001",
                &["Maximum number of enrollments reached for factorType push"],
            ),
            None,
        );
        assert!(
            matches!(e, OktaError::MaxEnrollments { ref factor_type, .. } if factor_type == "push")
        );
        let e = OktaError::classify(
            400,
            body("E0000001", &["A factor of this type is already set up."]),
            None,
        );
        assert!(matches!(e, OktaError::AlreadyEnrolled { .. }));
        let e = OktaError::classify(
            400,
            body("E0000001", &["There is an existing verified phone number."]),
            None,
        );
        assert!(matches!(e, OktaError::AlreadyEnrolled { .. }));
        let e = OktaError::classify(400, body("E0000001", &["phoneNumber: bad"]), None);
        assert!(
            matches!(e, OktaError::Validation { ref causes, .. } if causes == &["phoneNumber: bad"])
        );
    }

    #[test]
    fn rate_limits_know_their_scope() {
        let e = OktaError::classify(429, body("E0000109", &[]), Some(Duration::from_secs(30)));
        assert!(matches!(
            e,
            OktaError::RateLimited { scope: RateLimitScope::MessageCooldown, retry_after, .. }
                if retry_after == Duration::from_secs(30)
        ));
        let e = OktaError::classify(429, body("E0000047", &[]), None);
        assert!(matches!(
            e,
            OktaError::RateLimited {
                scope: RateLimitScope::Org,
                ..
            }
        ));
    }

    #[test]
    fn refusals_by_status_or_org_feature_are_forbidden() {
        for (status, code) in [(403, "E0000032"), (401, "E0000015"), (403, "E0000038")] {
            let e = OktaError::classify(status, body(code, &[]), None);
            assert!(matches!(e, OktaError::Forbidden(_)), "{code}: {e:?}");
        }
    }

    #[test]
    fn server_errors_are_upstream_failures() {
        assert!(matches!(
            OktaError::classify(503, body("", &[]), None),
            OktaError::UpstreamDown(_)
        ));
        assert!(matches!(
            OktaError::classify(429, body("E0000047", &[]), None),
            OktaError::RateLimited { .. }
        ));
    }
}
