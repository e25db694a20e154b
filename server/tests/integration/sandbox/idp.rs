//! Okta Verify's enrollment call `POST /idp/authenticators` with `Authorization: OTDT {t}`
//! (API-NOTES §2, community evidence).

use crate::support::{sandbox, SandboxHarness};
use axum::http::StatusCode;
use serde_json::{json, Value};
use server::sandbox::seed::users;

const OKTA_VERIFY: &str = "aut1oktaverify000000";

/// Enrolls push for Nora through the Factors API; (factor id, the QR's one-time token).
async fn enroll_push(sb: &SandboxHarness) -> (String, String) {
    let a = sb
        .okta(
            "POST",
            &format!("/api/v1/users/{}/factors", users::NORA.0),
            Some(json!({"factorType": "push", "provider": "OKTA"})),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let href = a.body["_embedded"]["activation"]["_links"]["qrcode"]["href"]
        .as_str()
        .unwrap();
    let token = href.rsplit('/').next().unwrap().to_string();
    (a.body["id"].as_str().unwrap().to_string(), token)
}

fn body() -> Value {
    json!({
        "authenticatorId": OKTA_VERIFY,
        "key": "okta_verify",
        "device": {"displayName": "Nora's Pixel", "platform": "ANDROID"},
        "methods": [{"type": "push"}, {"type": "totp"}]
    })
}

async fn post(sb: &SandboxHarness, token: &str) -> crate::support::Answer {
    let auth = format!("OTDT {token}");
    sb.call(
        "POST",
        "/idp/authenticators",
        Some(body()),
        None,
        &[("authorization", auth.as_str())],
    )
    .await
}

// API-NOTES §2: the `t` of the QR code, as `OTDT`, activates the pending push; the answer has
// the TOTP method's sharedSecret; a used `t` is 401.
#[tokio::test]
async fn the_qr_token_enrolls_okta_verify_once() {
    let sb = sandbox("oie");
    let (factor_id, token) = enroll_push(&sb).await;
    let a = post(&sb, &token).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_eq!(a.body["id"], factor_id.as_str());
    assert_eq!(a.body["key"], "okta_verify");
    assert_eq!(a.body["status"], "ACTIVE");
    assert_eq!(a.body["authenticatorId"], OKTA_VERIFY);
    assert_eq!(a.body["device"]["displayName"], "Nora's Pixel");
    let methods = a.body["methods"].as_array().unwrap();
    let types: Vec<&str> = methods
        .iter()
        .map(|m| m["type"].as_str().unwrap())
        .collect();
    assert_eq!(types, vec!["push", "totp"]);
    let secret = methods[1]["sharedSecret"].as_str().unwrap().to_string();

    let factor = sb
        .okta(
            "GET",
            &format!("/api/v1/users/{}/factors/{factor_id}", users::NORA.0),
            None,
        )
        .await;
    assert_eq!(factor.body["status"], "ACTIVE");
    assert_eq!(factor.body["profile"]["name"], "Nora's Pixel");
    assert_eq!(factor.body["profile"]["platform"], "ANDROID");

    // The shared secret is the Okta Verify TOTP factor's: its code verifies.
    let totp_id = methods[1]["id"].as_str().unwrap();
    let code = sb.totp(&secret).await;
    let verify = sb
        .okta(
            "POST",
            &format!("/api/v1/users/{}/factors/{totp_id}/verify", users::NORA.0),
            Some(json!({"passCode": code})),
        )
        .await;
    assert_eq!(verify.status, StatusCode::OK, "{}", verify.body);
    assert_eq!(verify.body["factorResult"], "SUCCESS");

    let again = post(&sb, &token).await;
    assert_eq!(again.status, StatusCode::UNAUTHORIZED);
    assert_eq!(again.body["errorCode"], "E0000011");
}

// API-NOTES §2: an expired `t` (the QR lives ~10 minutes, §1.2) or none at all is 401 E0000011.
#[tokio::test]
async fn an_expired_or_missing_token_is_refused() {
    let sb = sandbox("oie");
    let (_, token) = enroll_push(&sb).await;
    sb.advance(11 * 60).await;
    let late = post(&sb, &token).await;
    assert_eq!(late.status, StatusCode::UNAUTHORIZED);
    assert_eq!(late.body["errorCode"], "E0000011");
    let none = sb
        .call("POST", "/idp/authenticators", Some(body()), None, &[])
        .await;
    assert_eq!(none.status, StatusCode::UNAUTHORIZED);
    assert_eq!(none.body["errorCode"], "E0000011");
    let unknown = post(&sb, "00nosuchtoken").await;
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
}
