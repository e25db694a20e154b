//! The one error type server functions return to the browser.
//!
//! It carries what a person needs — a stable code, a message written for them, how long to
//! wait when that helps, and a correlation id that support can find in the server log — and
//! nothing else: Okta's raw error bodies, upstream URLs and stack traces stay on the server.

use serde::{Deserialize, Serialize};
use server_fn_codec::{FromServerFnError, ServerFnErrorErr};

mod server_fn_codec {
    pub use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
}

/// Stable, documented error codes. The browser branches on these, never on message text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The request itself was malformed or failed validation.
    InvalidInput,
    /// The user must sign in first (or their session ended).
    SignInRequired,
    /// A recent verification is needed before this action.
    ReverificationRequired,
    /// The object does not exist, or is not the signed-in user's.
    NotFound,
    /// The user may not do this.
    Forbidden,
    /// Too many attempts: see `retry_after_seconds`.
    RateLimited,
    /// Okta (or the sandbox) could not be reached or failed.
    UpstreamUnavailable,
    /// The request was refused as cross-site.
    CrossSiteRequest,
    /// Something unexpected: the correlation id leads to the log line.
    Internal,
}

impl ErrorCode {
    /// The HTTP status a server function answers with for this error.
    pub fn http_status(self) -> u16 {
        match self {
            ErrorCode::InvalidInput => 400,
            ErrorCode::SignInRequired => 401,
            ErrorCode::ReverificationRequired
            | ErrorCode::Forbidden
            | ErrorCode::CrossSiteRequest => 403,
            ErrorCode::NotFound => 404,
            ErrorCode::RateLimited => 429,
            ErrorCode::UpstreamUnavailable => 503,
            ErrorCode::Internal => 500,
        }
    }
}

/// An error as the browser sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct PortalError {
    pub code: ErrorCode,
    /// A sentence written for the person using Keyport.
    pub message: String,
    /// When to try again, for rate limits and cooldowns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_seconds: Option<u64>,
    /// The request id of the server log line that explains this error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correlation_id: Option<String>,
    /// The form field the error is about, so the page can mark it (`newPassword`, `phone`…).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl PortalError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            retry_after_seconds: None,
            correlation_id: None,
            field: None,
        }
    }

    pub fn with_retry_after(mut self, seconds: u64) -> Self {
        self.retry_after_seconds = Some(seconds);
        self
    }

    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    pub fn with_correlation_id(mut self, id: impl Into<String>) -> Self {
        self.correlation_id = Some(id.into());
        self
    }
}

impl FromServerFnError for PortalError {
    // The answers' codec (`api::codec`): one JSON reader in the browser for everything.
    type Encoder = crate::api::codec::JsonText;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        // Transport problems (the browser could not reach Keyport, a body that did not decode)
        // are told apart from Keyport's own answers, and never echo internals or the input.
        match value {
            ServerFnErrorErr::Request(_) => PortalError::new(
                ErrorCode::UpstreamUnavailable,
                "Keyport could not be reached. Check your connection and try again.",
            ),
            ServerFnErrorErr::MissingArg(name) => PortalError::new(
                ErrorCode::InvalidInput,
                format!(
                    "The request could not be read: {}.",
                    unreadable(&format!("missing field `{name}`"))
                ),
            ),
            ServerFnErrorErr::Args(detail) => PortalError::new(
                ErrorCode::InvalidInput,
                format!("The request could not be read: {}.", unreadable(&detail)),
            ),
            // On the server, a body that does not decode is the client's; in the browser, an
            // answer that does not decode is Keyport's.
            #[cfg(feature = "ssr")]
            ServerFnErrorErr::Deserialization(detail) => PortalError::new(
                ErrorCode::InvalidInput,
                format!("The request could not be read: {}.", unreadable(&detail)),
            ),
            _ => PortalError::new(
                ErrorCode::Internal,
                "Something went wrong on our side. Please try again.",
            ),
        }
    }
}

impl PortalError {
    /// A part of a request that did not decode (a WebAuthn credential the browser passed on as
    /// it made it), told the same way as a body that did not decode.
    pub fn unreadable_request(detail: &str) -> Self {
        PortalError::new(
            ErrorCode::InvalidInput,
            format!("The request could not be read: {}.", unreadable(detail)),
        )
    }
}

/// What was wrong with an undecodable request, in words, from the decoder's message: which
/// field, never the value sent (it may be anything) nor the decoder's own wording.
fn unreadable(detail: &str) -> String {
    let field = |marker: &str| {
        let rest = detail.split(marker).nth(1)?;
        let name = rest.trim_start_matches('`').split('`').next()?;
        (!name.is_empty()
            && name.len() <= 40
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .then(|| name.to_string())
    };
    let lower = detail.to_ascii_lowercase();
    if let Some(name) = field("missing field ") {
        format!("the field “{name}” is missing")
    } else if let Some(name) = field("duplicate field ") {
        format!("the field “{name}” is given twice")
    } else if lower.contains("recursion limit") {
        "it is nested too deeply".into()
    } else if lower.contains("utf-8") || lower.contains("utf8") {
        "it is not valid UTF-8 text".into()
    } else if lower.contains("eof") {
        "it ends too soon".into()
    } else if lower.contains("invalid type")
        || lower.contains("invalid value")
        || lower.contains("expected")
        || lower.contains("provided string was not")
        || lower.contains("invalid digit")
    {
        "a field has the wrong type of value".into()
    } else {
        "it is malformed".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn undecodable_requests_are_described_without_echoing_them() {
        assert_eq!(
            unreadable("missing field `code` at line 1 column 2"),
            "the field “code” is missing"
        );
        assert_eq!(
            unreadable("duplicate field `code`"),
            "the field “code” is given twice"
        );
        assert_eq!(
            unreadable("recursion limit exceeded at line 1 column 129"),
            "it is nested too deeply"
        );
        assert_eq!(
            unreadable("invalid type: string \"<script>\", expected a boolean"),
            "a field has the wrong type of value"
        );
        assert_eq!(
            unreadable("EOF while parsing an object"),
            "it ends too soon"
        );
        assert!(!unreadable("invalid type: string \"<script>\"").contains("script"));
    }
}
