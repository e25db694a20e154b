//! Embed mode on the server: who may frame which page, the partitioned session cookie, the
//! CSRF check unchanged, and the pop-out window's ticket.

use crate::support::{
    keyport, keyport_with, signed_in_with_password, step_body, step_name, temp_store, test_config,
    Browser, TestApp,
};
use axum::http::StatusCode;
use server::sandbox::seed::{users, DEMO_PASSWORD};

const HOST: &str = "https://app.example.com";

async fn embedded() -> TestApp {
    let store = temp_store();
    keyport_with(&test_config(&[
        ("KEYPORT_EMBED_ORIGINS", HOST),
        ("KEYPORT_SESSION_STORE", &store),
    ]))
    .await
}

#[tokio::test]
async fn embeddable_pages_name_exactly_the_allowed_hosts_and_the_cookie_is_partitioned() {
    let app = embedded().await;
    let mut b = Browser::new(app.router.clone());
    let (head, _) = b.page("/signin").await;
    let csp = head.headers["content-security-policy"].to_str().unwrap();
    assert!(
        csp.ends_with(&format!("frame-ancestors 'self' {HOST}")),
        "{csp}"
    );
    assert!(head.headers.get("x-frame-options").is_none());
    let cookie = head.headers["set-cookie"].to_str().unwrap();
    for part in ["HttpOnly", "Secure", "SameSite=None", "Partitioned"] {
        assert!(cookie.contains(part), "{part} missing from {cookie}");
    }
    assert_eq!(cookie.matches("Partitioned").count(), 1, "{cookie}");

    for path in ["/admin", "/admin/helpdesk", "/healthz"] {
        let (head, _) = b.page(path).await;
        let csp = head.headers["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert_eq!(head.headers["x-frame-options"], "DENY", "{path}");
    }
}

#[tokio::test]
async fn without_embed_mode_only_keyport_frames_itself_and_the_cookie_stays_lax() {
    let app = keyport().await;
    let mut b = Browser::new(app.router.clone());
    let (head, _) = b.page("/signin").await;
    let csp = head.headers["content-security-policy"].to_str().unwrap();
    assert!(csp.ends_with("frame-ancestors 'self'"), "{csp}");
    let cookie = head.headers["set-cookie"].to_str().unwrap();
    assert!(
        cookie.contains("SameSite=Lax") && !cookie.contains("Partitioned"),
        "{cookie}"
    );
}

#[tokio::test]
async fn a_cross_site_call_is_still_refused_in_embed_mode() {
    let app = embedded().await;
    let mut b = Browser::new(app.router.clone());
    b.page("/signin").await;
    b.session().await;
    // SameSite=None lets the cookie travel; the Origin check and the page token still stop a
    // request another site makes.
    let (status, _) = b
        .call_with(
            "/api/signin",
            &[("username", users::NORA.1), ("password", DEMO_PASSWORD)],
            &[("origin", HOST), ("sec-fetch-site", "cross-site")],
            true,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(b.session().await["user"].is_null());
}

#[tokio::test]
async fn a_popout_ticket_opens_only_the_pending_security_key_enrollment_of_its_session() {
    let app = embedded().await;
    let mut frame = signed_in_with_password(&app, users::NORA.1).await;
    // No security key being added: no ticket.
    let (status, body) = frame
        .call("/api/methods/popout/ticket", &[("purpose", "register")])
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");

    let (status, step) = frame
        .call_json(
            "/api/methods/enroll",
            serde_json::json!({ "request": { "kind": "security_key" } }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{step}");
    assert_eq!(step_name(&step), "register_key", "{step}");
    let (status, ticket) = frame
        .call("/api/methods/popout/ticket", &[("purpose", "register")])
        .await;
    assert_eq!(status, StatusCode::OK, "{ticket}");
    let ticket = ticket.as_str().unwrap().to_string();
    assert_eq!(ticket.len(), 43);

    // The pop-out window: a browser of its own (no cookie of the frame's).
    let mut window = Browser::new(app.router.clone());
    window.page("/popout").await;
    window.session().await;
    let (status, options) = window
        .call("/api/methods/popout/options", &[("ticket", &ticket)])
        .await;
    assert_eq!(status, StatusCode::OK, "{options}");
    assert_eq!(step_name(&options), "register_key", "{options}");
    let json = step_body(&options)["options_json"].as_str().unwrap();
    assert!(json.contains("challenge"), "{json}");
    // One character off: the last one changed (never to itself).
    let last = if ticket.ends_with('A') { 'B' } else { 'A' };
    let near = format!("{}{last}", &ticket[..42]);
    for bogus in ["", "x", near.as_str()] {
        let (status, body) = window
            .call("/api/methods/popout/options", &[("ticket", bogus)])
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bogus}: {body}");
        assert!(
            body["message"].as_str().unwrap().contains("expired"),
            "{body}"
        );
    }
}

#[tokio::test]
async fn a_ticket_serves_only_its_own_errand() {
    let app = embedded().await;
    let mut frame = signed_in_with_password(&app, users::NORA.1).await;
    // Nothing waits for a security key to confirm it's her: no confirmation ticket.
    let (status, body) = frame
        .call("/api/methods/popout/ticket", &[("purpose", "reverify")])
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, body) = frame
        .call("/api/methods/popout/ticket", &[("purpose", "anything")])
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    // A registration ticket cannot make a window join the session.
    let (status, _) = frame
        .call_json(
            "/api/methods/enroll",
            serde_json::json!({ "request": { "kind": "security_key" } }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, ticket) = frame
        .call("/api/methods/popout/ticket", &[("purpose", "register")])
        .await;
    let ticket = ticket.as_str().unwrap().to_string();
    let mut window = Browser::new(app.router.clone());
    window.page("/popout").await;
    window.session().await;
    let (status, body) = window
        .call("/api/methods/popout/adopt", &[("ticket", &ticket)])
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(window.session().await["user"].is_null());
    // It still does its own errand.
    let (status, _) = window
        .call("/api/methods/popout/options", &[("ticket", &ticket)])
        .await;
    assert_eq!(status, StatusCode::OK);
}
