//! Cross-site request refusal for server functions and forms.
//!
//! Leptos server functions do no CSRF checking of their own, and their default encoding is a
//! form post that browsers send cross-site without a preflight. So every state-changing request
//! to `/api/…` must pass three checks, any of which refuses it:
//! 1. `Sec-Fetch-Site`, when the browser sends it, is `same-origin` (or `none`: typed by hand);
//! 2. `Origin`, when present, is Keyport's own public origin;
//! 3. the per-session token matches, from the `X-CSRF-Token` header (set by the app's fetch
//!    client) or a `_csrf` form field (forms that work without the wasm).
//!
//! The checks do not depend on SameSite cookies, so they keep holding in embedded mode where
//! cookies are SameSite=None.

use crate::sessions::KeyportSession;
use app::error::{ErrorCode, PortalError};
use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;
use tower_sessions::Session;

/// The header the app's server-function client sends the token in.
pub const HEADER: &str = "x-csrf-token";
/// The form field forms send it in.
pub const FIELD: &str = "_csrf";
/// Largest form body inspected for the token.
const MAX_FORM: usize = 64 * 1024;

/// Keyport's public origin (`scheme://host[:port]`), what `Origin` must equal.
#[derive(Clone, Debug)]
pub struct PublicOrigin(pub Arc<str>);

/// Why a request was refused (logged; the browser gets one generic message).
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    CrossSiteFetch(String),
    ForeignOrigin(String),
    MissingToken,
    WrongToken,
}

/// The header checks (1 and 2).
pub fn check_headers(
    sec_fetch_site: Option<&str>,
    origin: Option<&str>,
    public_origin: &str,
) -> Result<(), Refusal> {
    if let Some(site) = sec_fetch_site {
        if !matches!(site, "same-origin" | "none") {
            return Err(Refusal::CrossSiteFetch(site.to_string()));
        }
    }
    if let Some(origin) = origin {
        // `Referrer-Policy: no-referrer` makes Chromium send `Origin: null` on a page's own
        // form posts. `null` is accepted only when the browser itself says the request is
        // same-origin; the session token is still required.
        let own_form_post = origin == "null" && sec_fetch_site == Some("same-origin");
        if origin != public_origin && !own_form_post {
            return Err(Refusal::ForeignOrigin(origin.to_string()));
        }
    }
    Ok(())
}

fn token_from_form(body: &[u8]) -> Option<String> {
    url::form_urlencoded::parse(body)
        .find(|(k, _)| k == FIELD)
        .map(|(_, v)| v.into_owned())
}

fn refuse(reason: Refusal) -> Response {
    tracing::warn!(?reason, "refused a cross-site request");
    let err = PortalError::new(
        ErrorCode::CrossSiteRequest,
        "This request did not come from Keyport's own page, so it was refused. Reload the page and try again.",
    );
    (StatusCode::FORBIDDEN, axum::Json(err)).into_response()
}

pub async fn protect(
    State(origin): State<PublicOrigin>,
    session: Session,
    req: Request,
    next: Next,
) -> Response {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if safe || !req.uri().path().starts_with("/api/") {
        return next.run(req).await;
    }
    // Owned copies: nothing borrowed from the request may live across an await.
    let (sec_fetch_site, origin_header, token_header, content_type) = {
        let header = |name: &str| {
            req.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        (
            header("sec-fetch-site"),
            header("origin"),
            header(HEADER),
            header("content-type"),
        )
    };
    if let Err(reason) = check_headers(
        sec_fetch_site.as_deref(),
        origin_header.as_deref(),
        &origin.0,
    ) {
        return refuse(reason);
    }
    let expected = KeyportSession::load(&session).await.csrf;
    let (token, req) = match token_header {
        Some(t) => (Some(t), req),
        None => {
            let is_form =
                content_type.is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"));
            if !is_form {
                (None, req)
            } else {
                let (parts, body) = req.into_parts();
                let Ok(bytes) = to_bytes(body, MAX_FORM).await else {
                    return refuse(Refusal::MissingToken);
                };
                let token = token_from_form(&bytes);
                (token, Request::from_parts(parts, Body::from(bytes)))
            }
        }
    };
    match token {
        None => refuse(Refusal::MissingToken),
        Some(t) if expected.is_empty() || !constant_eq(t.as_bytes(), expected.as_bytes()) => {
            refuse(Refusal::WrongToken)
        }
        Some(_) => next.run(req).await,
    }
}

fn constant_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_checks() {
        let me = "https://keyport.example.com";
        assert_eq!(check_headers(Some("same-origin"), Some(me), me), Ok(()));
        assert_eq!(check_headers(None, None, me), Ok(()));
        assert!(matches!(
            check_headers(Some("cross-site"), None, me),
            Err(Refusal::CrossSiteFetch(_))
        ));
        assert!(matches!(
            check_headers(Some("same-site"), None, me),
            Err(Refusal::CrossSiteFetch(_))
        ));
        assert!(matches!(
            check_headers(None, Some("https://evil.example"), me),
            Err(Refusal::ForeignOrigin(_))
        ));
        // An opaque origin passes only with the browser's own same-origin word for it.
        assert_eq!(check_headers(Some("same-origin"), Some("null"), me), Ok(()));
        assert!(matches!(
            check_headers(None, Some("null"), me),
            Err(Refusal::ForeignOrigin(_))
        ));
        assert!(matches!(
            check_headers(Some("cross-site"), Some("null"), me),
            Err(Refusal::CrossSiteFetch(_))
        ));
    }

    #[test]
    fn the_token_is_found_in_forms() {
        assert_eq!(
            token_from_form(b"username=a&_csrf=abc%2B1"),
            Some("abc+1".into())
        );
        assert_eq!(token_from_form(b"username=a"), None);
    }
}
