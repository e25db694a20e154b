//! The account page on the server: a password change can sign the other sessions out (and
//! only them), and every change needs a recent verification whatever the page does.

use crate::support::{
    handoff_token, keyport, keyport_with, signed_in_with_password, temp_store, test_config, Browser,
};
use axum::http::StatusCode;
use server::sandbox::seed::{users, DEMO_PASSWORD};

#[tokio::test]
async fn signing_the_other_sessions_out_keeps_this_one() {
    let app = keyport().await;
    let mut here = signed_in_with_password(&app, users::NORA.1).await;
    let mut elsewhere = signed_in_with_password(&app, users::NORA.1).await;
    let (status, body) = here
        .call(
            "/api/account/password",
            &[
                ("old_password", DEMO_PASSWORD),
                ("new_password", "Harbour-Lights-42"),
                ("sign_out_others", "true"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(
        elsewhere.session().await["user"].is_null(),
        "the other session ended"
    );
    assert_eq!(here.session().await["user"]["login"], users::NORA.1);
    // A sign-in right after the change is not caught by the mark (marks and sign-ins are
    // compared to the millisecond).
    tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    let mut later = Browser::new(app.router.clone());
    later.page("/signin").await;
    later.session().await;
    let (status, step) = later
        .call(
            "/api/signin",
            &[
                ("username", users::NORA.1),
                ("password", "Harbour-Lights-42"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{step}");
    assert_eq!(later.session().await["user"]["login"], users::NORA.1);
}

#[tokio::test]
async fn keeping_the_other_sessions_leaves_them_signed_in() {
    let app = keyport().await;
    let mut here = signed_in_with_password(&app, users::NORA.1).await;
    let mut elsewhere = signed_in_with_password(&app, users::NORA.1).await;
    let (status, body) = here
        .call(
            "/api/account/password",
            &[
                ("old_password", DEMO_PASSWORD),
                ("new_password", "Harbour-Lights-42"),
                ("sign_out_others", "false"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(elsewhere.session().await["user"]["login"], users::NORA.1);
}

#[tokio::test]
async fn a_username_change_is_refused_unless_the_deployment_allows_it() {
    let app = keyport().await;
    let mut b = signed_in_with_password(&app, users::NORA.1).await;
    let (status, body) = b
        .call("/api/account/login", &[("login", "nora.new@example.com")])
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["code"], "forbidden");
}

#[tokio::test]
async fn account_changes_without_a_recent_verification_are_refused() {
    let store = temp_store();
    let app = keyport_with(&test_config(&[
        ("KEYPORT_SESSION_STORE", &store),
        ("KEYPORT_ALLOW_LOGIN_CHANGE", "true"),
    ]))
    .await;
    let mut b = Browser::new(app.router.clone());
    b.handoff(&handoff_token(users::NORA.1)).await;
    b.session().await;
    for (endpoint, form) in [
        (
            "/api/account/password",
            vec![
                ("old_password", DEMO_PASSWORD),
                ("new_password", "Harbour-Lights-42"),
                ("sign_out_others", "false"),
            ],
        ),
        (
            "/api/account/login",
            vec![("login", "nora.new@example.com")],
        ),
    ] {
        let (status, body) = b.call(endpoint, &form).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{endpoint}: {body}");
        assert_eq!(body["code"], "reverification_required", "{endpoint}");
    }
}
