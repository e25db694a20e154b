//! The User Authenticator Enrollments rules (API-NOTES §3; authenticator-enrollments-*.json).

use crate::support::{sandbox, SandboxHarness};
use axum::http::StatusCode;
use serde_json::{json, Value};
use server::sandbox::api::enrollments::consume_tac;
use server::sandbox::seed::users;
use server::sandbox::state::lock;
use std::collections::BTreeSet;

const PHONE: &str = "aut1phone00000000000";
const EMAIL: &str = "aut1email00000000000";
const TAC: &str = "aut1tac0000000000000";
const BASE: &str = "http://127.0.0.1:3001";

fn path(user: &str) -> String {
    format!("/api/v1/users/{user}/authenticator-enrollments")
}

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object().unwrap().keys().cloned().collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

async fn factor_ids(sb: &SandboxHarness, user: &str) -> Vec<String> {
    let a = sb
        .okta("GET", &format!("/api/v1/users/{user}/factors"), None)
        .await;
    a.body
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_string())
        .collect()
}

// API-NOTES §3 and authenticator-enrollments-list.json: an array; one enrollment per Okta
// Verify device, security key, email, and the password; fields and links as in the example.
#[tokio::test]
async fn olivia_s_enrollments_follow_her_factors() {
    let sb = sandbox("oie");
    let a = sb.okta("GET", &path(users::OLIVIA.0), None).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let list = a.body.as_array().expect("an array, not an object");
    let mut found: Vec<(String, String)> = list
        .iter()
        .map(|e| {
            (
                e["key"].as_str().unwrap().to_string(),
                e["id"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    found.sort();
    let password_id = format!("lae{}", &users::OLIVIA.0[3..]);
    let mut expected = vec![
        ("okta_email".to_string(), "emf1olivia0email0000".to_string()),
        ("okta_password".to_string(), password_id.clone()),
        (
            "okta_verify".to_string(),
            "opf1olivia0iphone000".to_string(),
        ),
        (
            "okta_verify".to_string(),
            "opf1olivia0pixel0000".to_string(),
        ),
        ("webauthn".to_string(), "fwf1olivia0yubikey00".to_string()),
    ];
    expected.sort();
    assert_eq!(found, expected);

    let by_id = |id: &str| list.iter().find(|e| e["id"] == id).unwrap().clone();
    let email = by_id("emf1olivia0email0000");
    assert_eq!(
        keys(&email),
        set(&[
            "type",
            "id",
            "key",
            "status",
            "name",
            "profile",
            "nickname",
            "created",
            "lastUpdated",
            "_links"
        ])
    );
    assert_eq!(email["type"], "email");
    assert_eq!(email["name"], "Email");
    assert_eq!(email["status"], "ACTIVE");
    assert_eq!(email["profile"], json!({"email": users::OLIVIA.1}));
    assert_eq!(email["nickname"], Value::Null);
    assert_eq!(
        keys(&email["_links"]),
        set(&["self", "user", "authenticator"])
    );
    assert_eq!(
        email["_links"]["self"]["href"],
        format!("{BASE}{}/emf1olivia0email0000", path(users::OLIVIA.0))
    );
    assert_eq!(
        email["_links"]["self"]["hints"]["allow"],
        json!(["GET", "DELETE"])
    );
    assert_eq!(
        email["_links"]["authenticator"]["href"],
        format!("{BASE}/api/v1/authenticators/{EMAIL}")
    );

    let password = by_id(&password_id);
    assert_eq!(password["type"], "password");
    assert!(password.get("profile").is_none(), "the example has none");

    let pixel = by_id("opf1olivia0pixel0000");
    assert_eq!(pixel["type"], "app");
    assert_eq!(pixel["name"], "Okta Verify");
    assert_eq!(pixel["nickname"], "Work phone");
    let key = by_id("fwf1olivia0yubikey00");
    assert_eq!(key["type"], "security_key");
    assert_eq!(key["name"], "Security Key or Biometric");

    let one = sb
        .okta(
            "GET",
            &format!("{}/opf1olivia0iphone000", path(users::OLIVIA.0)),
            None,
        )
        .await;
    assert_eq!(one.body, by_id("opf1olivia0iphone000"));
    let missing = sb
        .okta("GET", &format!("{}/xyz", path(users::OLIVIA.0)), None)
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.body["errorCode"], "E0000007");
}

// authenticator-enrollments-get-phone-sms.json (masked `+1 XXX-XXX-6065`) and
// …-get-phone-disclosed.json (`discloseIdentifiers=phone`; the sandbox sends E.164).
#[tokio::test]
async fn phones_are_masked_unless_disclosed() {
    let sb = sandbox("oie");
    let masked = sb
        .okta(
            "GET",
            &format!("{}/mbl1victor0sms000000", path(users::VICTOR.0)),
            None,
        )
        .await;
    assert_eq!(masked.status, StatusCode::OK, "{}", masked.body);
    assert_eq!(masked.body["type"], "phone");
    assert_eq!(masked.body["key"], "phone_number");
    assert_eq!(masked.body["name"], "Phone");
    assert_eq!(masked.body["profile"]["phoneNumber"], "+1 XXX-XXX-0134");
    assert_eq!(
        masked.body["_links"]["authenticator"]["href"],
        format!("{BASE}/api/v1/authenticators/{PHONE}")
    );
    let disclosed = sb
        .okta(
            "GET",
            &format!("{}?discloseIdentifiers=phone", path(users::VICTOR.0)),
            None,
        )
        .await;
    let phone = disclosed
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["key"] == "phone_number")
        .unwrap()
        .clone();
    assert_eq!(phone["profile"]["phoneNumber"], "+14155550134");
}

// API-NOTES §1 side effects and §3: deleting an Okta Verify enrollment removes that device's
// push, TOTP and FastPass, and nothing of the other device; 204; logged.
#[tokio::test]
async fn deleting_an_okta_verify_enrollment_removes_that_device_only() {
    let sb = sandbox("oie");
    let before = factor_ids(&sb, users::OLIVIA.0).await;
    for id in [
        "opf1olivia0pixel0000",
        "ost1olivia0pixel0000",
        "crp1olivia0pixel0000",
    ] {
        assert!(before.contains(&id.to_string()), "{id} seeded");
    }
    let a = sb
        .okta(
            "DELETE",
            &format!("{}/opf1olivia0pixel0000", path(users::OLIVIA.0)),
            None,
        )
        .await;
    assert_eq!(a.status, StatusCode::NO_CONTENT, "{}", a.body);
    let after = factor_ids(&sb, users::OLIVIA.0).await;
    let removed: Vec<&String> = before.iter().filter(|id| !after.contains(id)).collect();
    assert_eq!(
        removed,
        vec![
            "opf1olivia0pixel0000",
            "ost1olivia0pixel0000",
            "crp1olivia0pixel0000"
        ]
    );
    for id in [
        "opf1olivia0iphone000",
        "ost1olivia0iphone000",
        "crp1olivia0iphone000",
    ] {
        assert!(after.contains(&id.to_string()), "{id} stays");
    }
    let logs = sb.okta("GET", "/api/v1/logs", None).await;
    let deactivations = logs
        .body
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["eventType"] == "user.mfa.factor.deactivate")
        .count();
    assert_eq!(deactivations, 3);

    let password = sb
        .okta(
            "DELETE",
            &format!("{}/lae{}", path(users::OLIVIA.0), &users::OLIVIA.0[3..]),
            None,
        )
        .await;
    assert_eq!(password.status, StatusCode::BAD_REQUEST);
    assert_eq!(password.body["errorCode"], "E0000001");
}

// authenticator-enrollments-create-phone-request.json → …-create-phone-*.json: 200, ACTIVE at
// once, the number masked; the factor is an ACTIVE sms factor. Bad numbers: 400 E0000098.
#[tokio::test]
async fn a_phone_enrollment_is_active_at_once() {
    let sb = sandbox("oie");
    let a = sb
        .okta(
            "POST",
            &format!("{}/phone", path(users::NORA.0)),
            Some(json!({"authenticatorId": PHONE, "profile": {"phoneNumber": "+14086673418"}})),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_eq!(a.body["type"], "phone");
    assert_eq!(a.body["key"], "phone_number");
    assert_eq!(a.body["status"], "ACTIVE");
    assert_eq!(a.body["profile"]["phoneNumber"], "+1 XXX-XXX-3418");
    let id = a.body["id"].as_str().unwrap();
    let factor = sb
        .okta(
            "GET",
            &format!("/api/v1/users/{}/factors/{id}", users::NORA.0),
            None,
        )
        .await;
    assert_eq!(factor.body["factorType"], "sms");
    assert_eq!(factor.body["status"], "ACTIVE");
    assert_eq!(factor.body["profile"]["phoneNumber"], "+14086673418");
    assert!(
        sb.control("GET", "/sandbox/api/outbox", None)
            .await
            .body
            .as_array()
            .unwrap()
            .is_empty(),
        "no code is sent"
    );

    let again = sb
        .okta(
            "POST",
            &format!("{}/phone", path(users::NORA.0)),
            Some(json!({"authenticatorId": PHONE, "profile": {"phoneNumber": "+1 408 667 3418"}})),
        )
        .await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
    assert_eq!(again.body["errorCode"], "E0000001");
    let bad = sb
        .okta(
            "POST",
            &format!("{}/phone", path(users::NORA.0)),
            Some(json!({"authenticatorId": PHONE, "profile": {"phoneNumber": "4086673418"}})),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.body["errorCode"], "E0000098");
    let wrong = sb
        .okta(
            "POST",
            &format!("{}/phone", path(users::NORA.0)),
            Some(json!({"authenticatorId": EMAIL, "profile": {"phoneNumber": "+14086670000"}})),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    assert_eq!(wrong.body["errorCode"], "E0000001");
}

// authenticator-enrollments-create-tac-request.json / …-create-tac.json; API-NOTES §3: the code
// is in this answer only; a new TAC replaces the old one; `ttl` in minutes, number or string.
#[tokio::test]
async fn a_tac_is_shown_once_and_replaced_by_the_next() {
    let sb = sandbox("oie");
    let first = sb
        .okta(
            "POST",
            &format!("{}/tac", path(users::NORA.0)),
            Some(json!({"authenticatorId": TAC, "profile": {"ttl": 11, "multiUse": false}})),
        )
        .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert_eq!(
        keys(&first.body),
        set(&[
            "type",
            "id",
            "key",
            "status",
            "name",
            "created",
            "lastUpdated",
            "profile",
            "_links"
        ])
    );
    assert_eq!(first.body["type"], "tac");
    assert_eq!(first.body["key"], "tac");
    assert_eq!(first.body["name"], "Temporary Access Code");
    assert_eq!(
        keys(&first.body["profile"]),
        set(&["tac", "multiUse", "expiresAt"])
    );
    assert_eq!(first.body["profile"]["multiUse"], false);
    let code = first.body["profile"]["tac"].as_str().unwrap().to_string();
    assert_eq!(code.len(), 8);
    let first_id = first.body["id"].as_str().unwrap().to_string();
    assert!(first_id.starts_with("tac"));

    let listed = sb.okta("GET", &path(users::NORA.0), None).await;
    let tac = listed
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["key"] == "tac")
        .unwrap()
        .clone();
    assert_eq!(tac["id"], first_id.as_str());
    assert!(
        tac["profile"].get("tac").is_none(),
        "the code is never shown again"
    );

    let second = sb
        .okta(
            "POST",
            &format!("{}/tac", path(users::NORA.0)),
            Some(json!({"authenticatorId": TAC, "profile": {"ttl": "60", "multiUse": true}})),
        )
        .await;
    assert_eq!(second.status, StatusCode::OK, "{}", second.body);
    let second_code = second.body["profile"]["tac"].as_str().unwrap().to_string();
    let gone = sb
        .okta("GET", &format!("{}/{first_id}", path(users::NORA.0)), None)
        .await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);

    // The Authn API's hook: the replaced code no longer signs in, the new one does (multi-use).
    {
        let org = sb.sandbox.org();
        let cell = org.user_by_id(users::NORA.0).unwrap();
        let mut nora = lock(&cell);
        if code != second_code {
            assert!(!consume_tac(org, &mut nora, &code));
        }
        assert!(consume_tac(org, &mut nora, &second_code));
        assert!(consume_tac(org, &mut nora, &second_code));
    }

    let too_short = sb
        .okta(
            "POST",
            &format!("{}/tac", path(users::NORA.0)),
            Some(json!({"authenticatorId": TAC, "profile": {"ttl": 5}})),
        )
        .await;
    assert_eq!(too_short.status, StatusCode::BAD_REQUEST);
    assert_eq!(too_short.body["errorCode"], "E0000001");
}

// API-NOTES §3: a TAC expires after its ttl; the enrollment disappears and the code is refused.
#[tokio::test]
async fn a_tac_expires() {
    let sb = sandbox("oie");
    let a = sb
        .okta(
            "POST",
            &format!("{}/tac", path(users::NORA.0)),
            Some(json!({"authenticatorId": TAC, "profile": {"ttl": "10"}})),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let code = a.body["profile"]["tac"].as_str().unwrap().to_string();
    sb.advance(11 * 60).await;
    let listed = sb.okta("GET", &path(users::NORA.0), None).await;
    assert!(!listed
        .body
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["key"] == "tac"));
    let org = sb.sandbox.org();
    let cell = org.user_by_id(users::NORA.0).unwrap();
    assert!(!consume_tac(org, &mut lock(&cell), &code));
}

// Module docs (UNCONFIRMED): no enrollments API in a Classic Engine org: 401 E0000015.
#[tokio::test]
async fn a_classic_org_has_no_enrollments_api() {
    let sb = sandbox("classic");
    let list = sb.okta("GET", &path(users::VICTOR.0), None).await;
    assert_eq!(list.status, StatusCode::UNAUTHORIZED);
    assert_eq!(list.body["errorCode"], "E0000015");
    let create = sb
        .okta(
            "POST",
            &format!("{}/phone", path(users::NORA.0)),
            Some(json!({"authenticatorId": PHONE, "profile": {"phoneNumber": "+14086673418"}})),
        )
        .await;
    assert_eq!(create.status, StatusCode::UNAUTHORIZED);
    assert_eq!(create.body["errorCode"], "E0000015");
}
