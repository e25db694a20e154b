//! What the HTTP layer refuses before any handler reads a request, and how a server function's
//! refusal is answered.
//!
//! - Bodies are bounded ([`MAX_BODY`]): the largest thing Keyport is ever sent is a security
//!   key's registration (a few kilobytes); anything much larger is refused with 413 before it
//!   is read into memory or parsed.
//! - A server function's error answers with the HTTP status of its [`ErrorCode`], in the one JSON
//!   shape of every refusal. Leptos answers every server-function error with 500, including
//!   arguments that do not decode (wrong types, truncated or too-deep JSON, invalid UTF-8),
//!   which never reach Keyport's code: a decoding failure is the client's fault, so it is 400.

use app::error::{ErrorCode, PortalError};
use axum::body::{to_bytes, Body};
use axum::extract::Request;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The largest request body Keyport reads (README, "Security").
pub const MAX_BODY: usize = 64 * 1024;
/// The largest server-function error body re-read to set its status (they are one sentence).
const MAX_ERROR_BODY: usize = 64 * 1024;
/// Leptos marks a server function's error answer with this header.
const SERVER_FN_ERROR_HEADER: &str = "serverfnerror";

fn too_large() -> Response {
    let err = PortalError::new(
        ErrorCode::InvalidInput,
        format!(
            "The request is too large (Keyport accepts at most {} KB).",
            MAX_BODY / 1024
        ),
    );
    (StatusCode::PAYLOAD_TOO_LARGE, axum::Json(err)).into_response()
}

/// Refuses a body past [`MAX_BODY`]: at once when `Content-Length` says so, else while reading.
pub async fn bound_body(req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY as u64) {
        return too_large();
    }
    let (parts, body) = req.into_parts();
    match to_bytes(body, MAX_BODY).await {
        Ok(bytes) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        Err(_) => too_large(),
    }
}

/// Gives a server function's error the status of its code (and `Retry-After` for a wait).
pub async fn server_fn_status(req: Request, next: Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let res = next.run(req).await;
    // A plain form post's error is answered with a redirect carrying it (Leptos's form
    // redirects): that stays as it is.
    let redirect = res.status().is_redirection() || res.headers().contains_key(header::LOCATION);
    if !api || redirect || !res.headers().contains_key(SERVER_FN_ERROR_HEADER) {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_ERROR_BODY).await else {
        let err = PortalError::new(
            ErrorCode::Internal,
            "Something went wrong on our side. Please try again.",
        );
        return (StatusCode::INTERNAL_SERVER_ERROR, axum::Json(err)).into_response();
    };
    if let Ok(err) = serde_json::from_slice::<PortalError>(&bytes) {
        parts.status = StatusCode::from_u16(err.code.http_status())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        parts.headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        if let Some(wait) = err.retry_after_seconds {
            if let Ok(v) = HeaderValue::from_str(&wait.to_string()) {
                parts.headers.insert(header::RETRY_AFTER, v);
            }
        }
    }
    Response::from_parts(parts, Body::from(bytes))
}
