//! Authorization and re-verification, enforced on the server whatever the page does.

use crate::support::{
    handoff_token, keyport, sandbox_last_seq, sandbox_requests, step_name, Browser,
};
use axum::http::StatusCode;
use serde_json::json;
use server::sandbox::seed::{users, DEMO_PASSWORD};

const VICTORS_PUSH: &str = "opf1victor0iphone000";

#[tokio::test]
async fn another_users_method_is_not_found_and_okta_is_never_asked_about_it() {
    let app = keyport().await;
    let mut b = Browser::new(app.router.clone());
    b.handoff(&handoff_token(users::NORA.1)).await;
    b.session().await;
    let since = sandbox_last_seq(&app.sandbox.base_url).await;
    for (endpoint, form) in [
        ("/api/methods/test", vec![("method_id", VICTORS_PUSH)]),
        (
            "/api/methods/remove",
            vec![("method_id", VICTORS_PUSH), ("keep_recovery", "false")],
        ),
        (
            "/api/methods/rename",
            vec![("method_id", VICTORS_PUSH), ("nickname", "mine now")],
        ),
        ("/api/reverify/start", vec![("factor_id", VICTORS_PUSH)]),
    ] {
        let (status, body) = b.call(endpoint, &form).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{endpoint}: {body}");
        assert_eq!(body["code"], "not_found");
    }
    // The same answer as for an id that exists nowhere.
    let (status, _) = b
        .call(
            "/api/methods/test",
            &[("method_id", "opf1doesnotexist0000")],
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let calls = sandbox_requests(&app.sandbox.base_url, since).await;
    assert!(!calls.is_empty(), "Nora's own methods were listed");
    for c in &calls {
        let path = c["path"].as_str().unwrap();
        assert!(
            !path.contains(VICTORS_PUSH) && !path.contains(users::VICTOR.0),
            "Okta was asked about {path}"
        );
    }
}

#[tokio::test]
async fn a_sensitive_action_without_a_recent_verification_is_refused_on_the_server() {
    let app = keyport().await;
    let mut b = Browser::new(app.router.clone());
    // A handoff proves who the user is, not a recent factor.
    b.handoff(&handoff_token(users::VICTOR.1)).await;
    b.session().await;
    let (status, body) = b
        .call_json(
            "/api/methods/enroll",
            json!({"request": {"kind": "authenticator_app"}}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["code"], "reverification_required");
    let (status, body) = b
        .call(
            "/api/methods/remove",
            &[
                ("method_id", "mbl1victor0sms000000"),
                ("keep_recovery", "true"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["code"], "reverification_required");
    // Victor has factors, so the password alone does not count.
    let (status, _) = b
        .call("/api/reverify/password", &[("password", DEMO_PASSWORD)])
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // The SMS is still there.
    let (_, view) = b.call_get("/api/methods").await;
    assert!(view.to_string().contains("mbl1victor0sms000000"));
}

#[tokio::test]
async fn a_user_without_factors_confirms_with_the_password_and_then_may_act() {
    let app = keyport().await;
    let mut b = Browser::new(app.router.clone());
    b.handoff(&handoff_token(users::NORA.1)).await;
    b.session().await;
    let before = b.cookie.clone();
    let (status, step) = b
        .call("/api/reverify/password", &[("password", DEMO_PASSWORD)])
        .await;
    assert_eq!(status, StatusCode::OK, "{step}");
    assert_eq!(step_name(&step), "verified");
    assert_ne!(
        before, b.cookie,
        "the session id is renewed at re-verification"
    );
    let (status, body) = b
        .call_json(
            "/api/methods/enroll",
            json!({"request": {"kind": "authenticator_app"}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(step_name(&body), "authenticator_app");
}
