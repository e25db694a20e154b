//! Okta's answers turned into what a person may see: a clear sentence, how long to wait when
//! that helps, and the request id to quote to support. The details go to the log, never to the
//! browser (no raw Okta error text, no upstream URLs).

use crate::okta::{OktaError, RateLimitScope};
use app::api::RequestInfo;
use app::error::{ErrorCode, PortalError};

/// Where the error happened, for the wording.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    SignIn,
    Verify,
    Enroll,
    Manage,
    Admin,
    /// Showing a page: a wait is Okta's budget, not the person's attempts.
    View,
}

fn seconds(d: std::time::Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}

/// The sentence for a wait, in whole seconds or minutes.
pub fn wait_phrase(secs: u64) -> String {
    match secs {
        0..=1 => "a second".to_string(),
        2..=90 => format!("{secs} seconds"),
        _ => format!("{} minutes", secs.div_ceil(60)),
    }
}

/// Maps a client error to what a person may see, and logs the details.
pub fn portal_error(err: OktaError, req: &RequestInfo, flow: Flow) -> PortalError {
    tracing::warn!(
        request_id = %req.request_id,
        okta_error_id = err.error_id().unwrap_or("-"),
        okta_error_code = err.body().map(|b| b.error_code.as_str()).unwrap_or("-"),
        ?flow,
        error = %err,
        "Okta refused or failed"
    );
    let e = match err {
        OktaError::InvalidPasscode(_) => PortalError::new(
            ErrorCode::InvalidInput,
            "That code isn't right. Check it and try again.",
        ),
        OktaError::PasscodeReplayed(_) => PortalError::new(
            ErrorCode::InvalidInput,
            "That code was already used. Wait for your app to show a new one, then enter it.",
        ),
        OktaError::RateLimited { retry_after, scope, .. } => {
            let secs = seconds(retry_after).max(1);
            let message = match scope {
                RateLimitScope::MessageCooldown => format!(
                    "A code was sent moments ago. You can ask for another in {}.",
                    wait_phrase(secs)
                ),
                RateLimitScope::Org | RateLimitScope::Keyport if flow == Flow::View => format!(
                    "Okta is busy with many people at once. This page will load by itself in {}.",
                    wait_phrase(secs)
                ),
                // Keyport's own share of Okta's budget is spent: nothing this person did.
                RateLimitScope::Keyport => format!(
                    "Okta is busy with many people at once. Please try again in {}.",
                    wait_phrase(secs)
                ),
                RateLimitScope::Org => format!(
                    "Too many attempts right now. Please wait {} and try again.",
                    wait_phrase(secs)
                ),
            };
            PortalError::new(ErrorCode::RateLimited, message).with_retry_after(secs)
        }
        OktaError::AuthenticationFailed(_) => PortalError::new(
            ErrorCode::InvalidInput,
            "That username and password don't match. Check them and try again.",
        ),
        OktaError::WrongPassword(_) => {
            PortalError::new(ErrorCode::InvalidInput, "Your current password isn't right.")
        }
        OktaError::PasswordPolicy { .. } => PortalError::new(
            ErrorCode::InvalidInput,
            "That password doesn't meet your organization's password rules.",
        ),
        OktaError::InvalidToken(_) if flow == Flow::SignIn => PortalError::new(
            ErrorCode::SignInRequired,
            "Your sign-in took too long and has expired. Please start again.",
        ),
        OktaError::InvalidToken(_) => {
            tracing::error!("Okta refused Keyport's API token: check OKTA_API_TOKEN");
            PortalError::new(
                ErrorCode::UpstreamUnavailable,
                "Keyport can't reach your organization's Okta right now. Nothing was changed; please try again later.",
            )
        }
        OktaError::NotFound(_) => PortalError::new(
            ErrorCode::NotFound,
            "That item no longer exists. The page has been refreshed.",
        ),
        OktaError::Forbidden(_) => PortalError::new(
            ErrorCode::Forbidden,
            "Your organization doesn't allow this for your account.",
        ),
        OktaError::MaxEnrollments { .. } | OktaError::AlreadyEnrolled { .. } => PortalError::new(
            ErrorCode::InvalidInput,
            "You already have this kind of method set up.",
        ),
        OktaError::NotAllowed(_) => PortalError::new(
            ErrorCode::Forbidden,
            "Your organization doesn't allow this method for your account.",
        ),
        OktaError::InvalidPhone(_) => PortalError::new(
            ErrorCode::InvalidInput,
            "That phone number isn't valid. Enter it with its country code, for example +1 415 555 0134.",
        ),
        OktaError::AuthenticatorInUse(_) => PortalError::new(
            ErrorCode::Forbidden,
            "A sign-in policy still uses this authenticator, so it can't be turned off.",
        ),
        OktaError::Validation { .. } => PortalError::new(
            ErrorCode::InvalidInput,
            "Okta didn't accept that. Check what you entered and try again.",
        ),
        OktaError::UpstreamDown(_) | OktaError::Timeout => PortalError::new(
            ErrorCode::UpstreamUnavailable,
            "Okta isn't answering right now. Nothing was changed; please try again in a moment.",
        ),
        OktaError::Malformed(_) | OktaError::Api { .. } => PortalError::new(
            ErrorCode::Internal,
            "Something went wrong talking to Okta. Please try again.",
        ),
    };
    e.with_correlation_id(req.request_id.clone())
}

/// An internal failure (session store, serialization): logged, and a plain message shown.
pub fn internal(what: &str, detail: impl std::fmt::Display, req: &RequestInfo) -> PortalError {
    tracing::error!(request_id = %req.request_id, error = %detail, "{what}");
    PortalError::new(
        ErrorCode::Internal,
        "Something went wrong on our side. Please try again.",
    )
    .with_correlation_id(req.request_id.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::okta::error::OktaErrorBody;
    use std::time::Duration;

    #[test]
    fn waits_are_said_plainly() {
        assert_eq!(wait_phrase(30), "30 seconds");
        assert_eq!(wait_phrase(300), "5 minutes");
        let req = RequestInfo {
            request_id: "req1".into(),
            ..Default::default()
        };
        let e = portal_error(
            OktaError::RateLimited {
                retry_after: Duration::from_millis(29_200),
                scope: RateLimitScope::MessageCooldown,
                body: None,
            },
            &req,
            Flow::Verify,
        );
        assert_eq!(e.retry_after_seconds, Some(30));
        assert!(e.message.contains("30 seconds"));
        assert_eq!(e.correlation_id.as_deref(), Some("req1"));
    }

    #[test]
    fn raw_okta_text_never_reaches_the_user() {
        let req = RequestInfo::default();
        let body = OktaErrorBody {
            error_code: "E0000001".into(),
            error_summary: "Api validation failed: secret internals".into(),
            ..Default::default()
        };
        let e = portal_error(
            OktaError::Validation {
                summary: body.error_summary.clone(),
                causes: vec!["x".into()],
                body: Box::new(body),
            },
            &req,
            Flow::Enroll,
        );
        assert!(!e.message.contains("Api validation"));
    }
}
