//! Response headers every answer carries, and the page Content-Security-Policy.
//!
//! Pages get a CSP with the nonce Leptos puts on its own inline scripts (set while rendering,
//! through `ResponseOptions`); every other response gets a policy that allows nothing to run.
//! The CSP is a header, never a meta tag: a meta tag cannot carry `frame-ancestors`.

use axum::extract::{Request, State};
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, REFERRER_POLICY,
    STRICT_TRANSPORT_SECURITY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use std::sync::Arc;

/// For responses that are not pages (JSON, static files, errors): nothing may run or frame them.
const NON_PAGE_CSP: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";

/// HSTS for a year once Keyport is served over https.
const HSTS: &str = "max-age=31536000; includeSubDomains";

/// The headers policy of this deployment.
#[derive(Clone, Debug)]
pub struct Policy(Arc<PolicyInner>);

#[derive(Debug)]
struct PolicyInner {
    https: bool,
}

impl Policy {
    pub fn new(https: bool) -> Self {
        Policy(Arc::new(PolicyInner { https }))
    }
}

/// Pages another site may frame in embed mode: everything but the admin area, which is only
/// ever used on Keyport's own site.
pub fn embeddable(path: &str) -> bool {
    !(path == "/admin" || path.starts_with("/admin/"))
}

/// The `frame-ancestors` sources of a page: Keyport itself and, in embed mode, exactly the
/// allowed host origins; `'none'` for pages that are never embedded.
pub fn frame_ancestors(path: &str, embed_origins: &[String]) -> String {
    if !embeddable(path) {
        return "'none'".to_string();
    }
    std::iter::once("'self'".to_string())
        .chain(embed_origins.iter().cloned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The page policy, given the nonce of this render, the page's path and the embed origins.
pub fn page_csp(nonce: &str, path: &str, embed_origins: &[String]) -> String {
    let frame_ancestors = frame_ancestors(path, embed_origins);
    format!(
        "default-src 'self'; \
         script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; \
         img-src 'self' data:; \
         connect-src 'self'; \
         font-src 'self'; \
         object-src 'none'; \
         base-uri 'none'; \
         form-action 'self'; \
         frame-ancestors {frame_ancestors}"
    )
}

/// Called in the Leptos context of every page render: sets the page CSP for this nonce.
pub fn provide_page_csp(embed_origins: &[String]) {
    use leptos::prelude::use_context;
    let (Some(nonce), Some(response)) = (
        leptos::nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) else {
        return;
    };
    let path = use_context::<axum::http::request::Parts>()
        .map(|p| p.uri.path().to_string())
        .unwrap_or_default();
    // The same context runs for server function calls, and a nonce can be in reach there
    // (seen now and then when renders and calls share a thread): an API answer is never a page
    // and keeps `frame-ancestors 'none'`.
    if path.starts_with("/api/") {
        return;
    }
    if let Ok(value) = HeaderValue::from_str(&page_csp(&nonce, &path, embed_origins)) {
        response.insert_header(CONTENT_SECURITY_POLICY, value);
    }
}

/// Headers for every response.
pub async fn baseline(State(policy): State<Policy>, req: Request, next: Next) -> Response {
    let static_asset = req.uri().path().starts_with("/pkg/") || req.uri().path() == "/favicon.ico";
    let mut res = next.run(req).await;
    let headers = res.headers_mut();
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    // Under `no-referrer` Chromium sends `Origin: null` on Keyport's own form posts; the
    // cross-site check accepts that only alongside `Sec-Fetch-Site: same-origin` (csrf.rs).
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    if !headers.contains_key(CONTENT_SECURITY_POLICY) {
        headers.insert(
            CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(NON_PAGE_CSP),
        );
    }
    // Old browsers that ignore `frame-ancestors` get the same answer for what nobody may frame.
    let framed_by_none = headers
        .get(CONTENT_SECURITY_POLICY)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|csp| csp.contains("frame-ancestors 'none'"));
    if framed_by_none {
        headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    if policy.0.https {
        headers.insert(STRICT_TRANSPORT_SECURITY, HeaderValue::from_static(HSTS));
    }
    // Pages and API answers may carry a signed-in user's data: never cached anywhere.
    let dynamic = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html") || t.starts_with("application/json"));
    if dynamic && !static_asset {
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_allowed_hosts_may_frame_and_the_admin_area_nobody() {
        let hosts = vec!["https://app.example.com".to_string()];
        assert_eq!(
            frame_ancestors("/", &hosts),
            "'self' https://app.example.com"
        );
        assert_eq!(frame_ancestors("/signin", &[]), "'self'");
        assert_eq!(frame_ancestors("/admin", &hosts), "'none'");
        assert_eq!(frame_ancestors("/admin/helpdesk", &hosts), "'none'");
        assert_eq!(
            frame_ancestors("/administrator", &hosts),
            "'self' https://app.example.com"
        );
    }
}
