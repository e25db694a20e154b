//! Okta's error object, and the one error type of the client.

use serde::{Deserialize, Serialize};

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

/// Everything that can go wrong calling Okta.
#[derive(Debug, thiserror::Error)]
pub enum OktaError {
    /// The org could not be reached (connection refused, DNS, TLS, dropped connection).
    #[error("Okta could not be reached: {0}")]
    Unreachable(String),
    /// The call took longer than the configured timeout.
    #[error("Okta did not answer in time")]
    Timeout,
    /// Okta answered with an error status.
    #[error("Okta answered {status}: {}", body.error_code)]
    Api { status: u16, body: OktaErrorBody },
    /// Okta answered with a body Keyport could not read.
    #[error("Okta answered with an unreadable body: {0}")]
    Malformed(String),
}
