//! Response headers every answer carries, and the page Content-Security-Policy.
//!
//! Pages get a CSP with the nonce Leptos puts on its own inline scripts (set while rendering,
//! through `ResponseOptions`); every other response gets a policy that allows nothing to run.
//! The CSP is a header, never a meta tag: a meta tag cannot carry `frame-ancestors`.

use axum::extract::{Request, State};
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, REFERRER_POLICY,
    STRICT_TRANSPORT_SECURITY, X_CONTENT_TYPE_OPTIONS,
};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use std::sync::Arc;

/// For responses that are not pages (JSON, static files, errors): nothing may run or frame them.
const NON_PAGE_CSP: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";

/// HSTS for a year once Keyport is served over https.
const HSTS: &str = "max-age=31536000; includeSubDomains";

/// The page policy's `frame-ancestors`, set once at start (read by page renders).
static FRAME_ANCESTORS: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// The headers policy of this deployment.
#[derive(Clone, Debug)]
pub struct Policy(Arc<PolicyInner>);

#[derive(Debug)]
struct PolicyInner {
    https: bool,
}

impl Policy {
    pub fn new(https: bool, frame_ancestors: &str) -> Self {
        let _ = FRAME_ANCESTORS.set(frame_ancestors.to_string());
        Policy(Arc::new(PolicyInner { https }))
    }
}

/// The page policy, given the nonce of this render.
pub fn page_csp(nonce: &str) -> String {
    let frame_ancestors = FRAME_ANCESTORS
        .get()
        .map(String::as_str)
        .unwrap_or("'self'");
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
pub fn provide_page_csp() {
    use leptos::prelude::use_context;
    let (Some(nonce), Some(response)) = (
        leptos::nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) else {
        return;
    };
    if let Ok(value) = HeaderValue::from_str(&page_csp(&nonce)) {
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
