//! Okta Verify enrollment watched from several tabs of one session.

use crate::support::{
    handoff_token, keyport, sandbox_last_seq, sandbox_requests, step_body, step_name, Browser,
};
use axum::http::StatusCode;
use serde_json::json;
use server::sandbox::seed::{users, DEMO_PASSWORD};

#[tokio::test]
async fn every_tab_showing_the_qr_code_learns_the_phone_finished_with_one_upstream_poll() {
    let app = keyport().await;
    let mut tab_a = Browser::new(app.router.clone());
    tab_a.handoff(&handoff_token(users::NORA.1)).await;
    tab_a.session().await;
    let (status, step) = tab_a
        .call("/api/reverify/password", &[("password", DEMO_PASSWORD)])
        .await;
    assert_eq!(status, StatusCode::OK, "{step}");
    let (status, started) = tab_a
        .call_json(
            "/api/methods/enroll",
            json!({"request": {"kind": "okta_verify"}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{started}");
    assert_eq!(step_name(&started), "scan_okta_verify");
    // A second tab of the same browser: same cookie, same page token.
    let mut tab_b = Browser::new(app.router.clone());
    tab_b.cookie = tab_a.cookie.clone();
    tab_b.csrf = tab_a.csrf.clone();

    let since = sandbox_last_seq(&app.sandbox.base_url).await;
    for tab in [&mut tab_a, &mut tab_b] {
        let (status, step) = tab.call("/api/methods/enroll/status", &[]).await;
        assert_eq!(status, StatusCode::OK, "{step}");
        assert_eq!(step_name(&step), "scan_okta_verify");
    }
    let polls = |calls: Vec<serde_json::Value>| {
        calls
            .iter()
            .filter(|c| {
                c["path"]
                    .as_str()
                    .unwrap()
                    .ends_with("/lifecycle/activate/poll")
            })
            .count()
    };
    assert_eq!(
        polls(sandbox_requests(&app.sandbox.base_url, since).await),
        1,
        "two tabs asking within the interval share one upstream poll"
    );

    let scanned = reqwest::Client::new()
        .post(format!("{}sandbox/api/phone/scan", app.sandbox.base_url))
        .json(&json!({"payload": step_body(&started)["setup_link"]}))
        .send()
        .await
        .unwrap();
    assert!(scanned.status().is_success());
    // The shared answer is at most one interval old; wait it out.
    tokio::time::sleep(server::methods::watch::POLL_INTERVAL).await;
    for tab in [&mut tab_a, &mut tab_b] {
        let (status, step) = tab.call("/api/methods/enroll/status", &[]).await;
        assert_eq!(status, StatusCode::OK, "{step}");
        assert_eq!(step_name(&step), "done", "{step}");
        assert_eq!(step_body(&step)["kind"], "okta_verify");
    }
    // Starting another enrollment forgets the old news.
    let (status, body) = tab_a
        .call_json(
            "/api/methods/enroll",
            json!({"request": {"kind": "authenticator_app"}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, step) = tab_b.call("/api/methods/enroll/status", &[]).await;
    assert_ne!(step_name(&step), "done", "{step}");
}
