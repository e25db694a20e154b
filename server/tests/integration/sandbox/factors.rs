//! The Factors API rules (API-NOTES §1): one per type, cascades, limits, expiry, replay.

use crate::support::sandbox;
use axum::http::StatusCode;
use serde_json::json;
use server::sandbox::seed::{users, TINA_TOTP_SECRET};

const NORA: &str = users::NORA.0;

fn factors(user: &str) -> String {
    format!("/api/v1/users/{user}/factors")
}

#[tokio::test]
async fn google_authenticator_enrolls_and_activates_with_a_real_code_once() {
    let sb = sandbox("oie");
    let a = sb
        .okta(
            "POST",
            &factors(NORA),
            Some(json!({"factorType": "token:software:totp", "provider": "GOOGLE"})),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_eq!(a.body["status"], "PENDING_ACTIVATION");
    let secret = a.body["_embedded"]["activation"]["sharedSecret"]
        .as_str()
        .unwrap()
        .to_string();
    let id = a.body["id"].as_str().unwrap().to_string();
    let activate = format!("{}/{id}/lifecycle/activate", factors(NORA));

    let wrong = sb
        .okta("POST", &activate, Some(json!({"passCode": "000000"})))
        .await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    assert_eq!(wrong.body["errorCode"], "E0000068");

    let code = sb.totp(&secret).await;
    let ok = sb
        .okta("POST", &activate, Some(json!({"passCode": code})))
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    assert_eq!(ok.body["status"], "ACTIVE");

    // The same code cannot verify again (replay refused).
    let verify = format!("{}/{id}/verify", factors(NORA));
    let replay = sb
        .okta("POST", &verify, Some(json!({"passCode": code})))
        .await;
    assert_eq!(replay.status, StatusCode::FORBIDDEN);
    assert_eq!(replay.body["errorCode"], "E0000082");
}

#[tokio::test]
async fn seeded_totp_secret_verifies() {
    let sb = sandbox("oie");
    let code = sb.totp(TINA_TOTP_SECRET).await;
    let a = sb
        .okta(
            "POST",
            &format!("{}/uft1tina0google00000/verify", factors(users::TINA.0)),
            Some(json!({"passCode": code})),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_eq!(a.body["factorResult"], "SUCCESS");
}

#[tokio::test]
async fn every_response_carries_rate_limit_headers() {
    let sb = sandbox("oie");
    let a = sb.okta("GET", &factors(NORA), None).await;
    assert_eq!(a.status, StatusCode::OK);
    for h in [
        "x-rate-limit-limit",
        "x-rate-limit-remaining",
        "x-rate-limit-reset",
    ] {
        assert!(a.headers.contains_key(h), "{h} missing");
    }
    let unauthorized = sb
        .call("GET", &factors(NORA), None, Some("wrong"), &[])
        .await;
    assert_eq!(unauthorized.status, StatusCode::UNAUTHORIZED);
    assert_eq!(unauthorized.body["errorCode"], "E0000011");
    assert!(unauthorized.headers.contains_key("x-rate-limit-limit"));
}
