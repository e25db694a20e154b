//! Okta's error responses, as the sandbox sends them (API-NOTES §8).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// An Okta error: status, `errorCode`, `errorSummary`, `errorCauses`, and for 429s the reset
/// time for the `X-Rate-Limit-*` headers.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: String,
    pub summary: String,
    pub causes: Vec<String>,
    /// For 429s: epoch seconds when the limit resets.
    pub reset_at: Option<i64>,
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(status: StatusCode, code: impl Into<String>, summary: impl Into<String>) -> Self {
        ApiError {
            status,
            code: code.into(),
            summary: summary.into(),
            causes: vec![],
            reset_at: None,
        }
    }

    pub fn cause(mut self, cause: impl Into<String>) -> Self {
        self.causes.push(cause.into());
        self
    }

    /// E0000001 "Api validation failed: {what}" with one cause.
    pub fn validation(what: &str, cause: impl Into<String>) -> Self {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "E0000001",
            format!("Api validation failed: {what}"),
        )
        .cause(cause)
    }

    /// E0000003: the body could not be read.
    pub fn bad_body(detail: impl Into<String>) -> Self {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "E0000003",
            "The request body was not well-formed.",
        )
        .cause(detail)
    }

    /// E0000007 "Not found: Resource not found: {id} ({kind})".
    pub fn not_found(id: &str, kind: &str) -> Self {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "E0000007",
            format!("Not found: Resource not found: {id} ({kind})"),
        )
    }

    /// E0000011 "Invalid token provided".
    pub fn invalid_token() -> Self {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "E0000011",
            "Invalid token provided",
        )
    }

    /// E0000047: an org or activation rate limit.
    pub fn rate_limited(reset_at: i64) -> Self {
        ApiError {
            reset_at: Some(reset_at),
            ..ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "E0000047",
                "API call exceeded rate limit due to too many requests.",
            )
        }
    }

    /// E0000068 with Okta's cause for a wrong passcode.
    pub fn invalid_passcode() -> Self {
        ApiError::new(StatusCode::FORBIDDEN, "E0000068", "Invalid Passcode/Answer")
            .cause("Your passcode doesn't match our records. Please try again.")
    }

    /// E0000038: the user's status forbids the operation.
    pub fn user_status() -> Self {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "E0000038",
            "This operation is not allowed in the user's current status.",
        )
    }

    /// E0000022: method not allowed on this path.
    pub fn method_not_allowed() -> Self {
        ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "E0000022",
            "The endpoint does not support the provided HTTP method",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({
            "errorCode": self.code,
            "errorSummary": self.summary,
            "errorLink": self.code,
            "errorId": crate::sandbox::ids::token("oae", 22),
            "errorCauses": self.causes.iter().map(|c| json!({"errorSummary": c})).collect::<Vec<_>>(),
        });
        let mut res = (self.status, Json(body)).into_response();
        if let Some(reset) = self.reset_at {
            // The rate-limit middleware fills Limit/Remaining; the reset comes from the error.
            if let Ok(v) = reset.to_string().parse() {
                res.headers_mut().insert("x-rate-limit-reset", v);
            }
        }
        res
    }
}
