//! Cross-site requests to server functions are refused, whatever the cookies say.

use crate::support::{handoff_token, keyport, Browser};
use axum::http::StatusCode;
use server::sandbox::seed::users;

#[tokio::test]
async fn a_cross_site_post_to_a_server_function_is_refused() {
    let app = keyport().await;
    let mut b = Browser::new(app.router.clone());
    b.handoff(&handoff_token(users::NORA.1)).await;
    b.session().await;

    // The browser says the request came from another site.
    let (status, body) = b
        .call_with(
            "/api/signout",
            &[("everywhere", "false")],
            &[("sec-fetch-site", "cross-site")],
            true,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["code"], "cross_site_request");
    // Another origin.
    let (status, _) = b
        .call_with(
            "/api/signout",
            &[("everywhere", "false")],
            &[("origin", "https://evil.example")],
            true,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Same-site looking, but without the session's token (a plain cross-site form post).
    let (status, _) = b
        .call_with("/api/signout", &[("everywhere", "false")], &[], false)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // A wrong token.
    let (status, _) = b
        .call_with(
            "/api/signout",
            &[("everywhere", "false")],
            &[("x-csrf-token", "forged")],
            false,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // None of those signed the user out.
    assert_eq!(b.session().await["user"]["login"], users::NORA.1);

    // A form that carries the token in `_csrf` (works without the wasm) is accepted.
    let token = b.csrf.clone().unwrap();
    let (status, _) = b
        .call_with(
            "/api/signout",
            &[("everywhere", "false"), ("_csrf", &token)],
            &[("sec-fetch-site", "same-origin")],
            false,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(b.session().await["user"].is_null());
}

#[tokio::test]
async fn pages_carry_a_strict_csp_header_and_no_store() {
    let app = keyport().await;
    let mut b = Browser::new(app.router.clone());
    let (head, _) = b.page("/signin").await;
    let h = &head.headers;
    let csp = h["content-security-policy"].to_str().unwrap();
    for part in [
        "object-src 'none'",
        "base-uri 'none'",
        "'wasm-unsafe-eval'",
        "frame-ancestors 'self'",
        "'nonce-",
    ] {
        assert!(csp.contains(part), "{part} missing from {csp}");
    }
    assert_eq!(h["referrer-policy"], "no-referrer");
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["cache-control"], "no-store");
    let cookie = h["set-cookie"].to_str().unwrap();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
}
