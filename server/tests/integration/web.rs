//! The HTTP surface, driven through the axum router without a socket.

use crate::support::{body_json, body_string, keyport};
use axum::http::StatusCode;

#[tokio::test]
async fn healthz_answers_json() {
    let app = keyport().await;
    let res = app.get("/healthz").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers().contains_key("x-request-id"));
    let body = body_json(res).await;
    assert_eq!(body["status"], "ok");
}

#[tokio::test]
async fn readyz_reaches_the_sandbox_and_reports_its_pipeline() {
    let app = keyport().await;
    let res = app.get("/readyz").await;
    assert_eq!(res.status(), StatusCode::OK);
    let body = body_json(res).await;
    assert_eq!(body["status"], "ready");
    assert_eq!(body["upstream"]["pipeline"], "identity_engine");
    assert_eq!(body["upstream"]["sandbox"], true);
}

#[tokio::test]
async fn the_home_page_renders_on_the_server_with_the_sandbox_banner() {
    let app = keyport().await;
    let res = app.get("/").await;
    assert_eq!(res.status(), StatusCode::OK);
    let csp = res.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    let html = body_string(res).await;
    assert!(html.contains("Keyport"), "{html}");
    assert!(html.contains("data-testid=\"sandbox-banner\""), "{html}");
    // The hydration script carries the nonce the CSP header allows.
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|s| s.split('\'').next())
        .unwrap();
    assert!(html.contains(&format!("nonce=\"{nonce}\"")), "{html}");
    assert!(csp.contains("object-src 'none'") && csp.contains("base-uri 'none'"));
}

#[tokio::test]
async fn an_unknown_page_is_a_404_page() {
    let app = keyport().await;
    let res = app.get("/no/such/page").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert!(body_string(res).await.contains("Page not found"));
}
