//! The Authenticators admin API rules (API-NOTES §4; authenticators-*.json examples).

use crate::support::{sandbox, SandboxHarness};
use axum::http::StatusCode;
use serde_json::{json, Value};
use server::sandbox::seed::users;
use std::collections::BTreeSet;

const PASSWORD: &str = "aut1password00000000";
const EMAIL: &str = "aut1email00000000000";
const PHONE: &str = "aut1phone00000000000";
const OKTA_VERIFY: &str = "aut1oktaverify000000";
const WEBAUTHN: &str = "aut1webauthn00000000";
const SECURITY_QUESTION: &str = "aut1secquestion00000";

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object().unwrap().keys().cloned().collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

async fn catalog_types(sb: &SandboxHarness) -> Vec<String> {
    let a = sb
        .okta(
            "GET",
            &format!("/api/v1/users/{}/factors/catalog", users::NORA.0),
            None,
        )
        .await;
    a.body
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["factorType"].as_str().unwrap().to_string())
        .collect()
}

// authenticators-list.json: ordered by key; per key the same fields, settings and links.
#[tokio::test]
async fn the_list_is_shaped_like_okta_s() {
    let sb = sandbox("oie");
    let a = sb.okta("GET", "/api/v1/authenticators", None).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let list = a.body.as_array().unwrap();
    let order: Vec<&str> = list.iter().map(|x| x["key"].as_str().unwrap()).collect();
    let mut sorted = order.clone();
    sorted.sort();
    assert_eq!(order, sorted);
    let by_key = |k: &str| list.iter().find(|x| x["key"] == k).unwrap().clone();

    let common = [
        "type",
        "id",
        "key",
        "status",
        "name",
        "created",
        "lastUpdated",
        "_links",
    ];
    // Email: settings {allowedFor, tokenLifetimeInMinutes}; links self, methods, deactivate.
    let email = by_key("okta_email");
    let mut with_settings = set(&common);
    with_settings.insert("settings".into());
    assert_eq!(keys(&email), with_settings);
    assert_eq!(
        email["settings"],
        json!({"allowedFor": "any", "tokenLifetimeInMinutes": 5})
    );
    assert_eq!(email["type"], "email");
    assert_eq!(
        keys(&email["_links"]),
        set(&["self", "methods", "deactivate"])
    );
    assert_eq!(
        email["_links"]["self"]["hints"]["allow"],
        json!(["GET", "PUT"])
    );
    assert_eq!(
        email["_links"]["deactivate"]["href"],
        format!("http://127.0.0.1:3001/api/v1/authenticators/{EMAIL}/lifecycle/deactivate")
    );
    // Password: no settings, no lifecycle link.
    let password = by_key("okta_password");
    assert_eq!(keys(&password), set(&common));
    assert_eq!(password["type"], "password");
    // Phone: settings {allowedFor}.
    let phone = by_key("phone_number");
    assert_eq!(keys(&phone["settings"]), set(&["allowedFor"]));
    assert_eq!(phone["type"], "phone");
    // WebAuthn: no settings; aaguids link (GET, POST).
    let webauthn = by_key("webauthn");
    assert_eq!(keys(&webauthn), set(&common));
    assert_eq!(webauthn["type"], "security_key");
    assert_eq!(webauthn["name"], "Security Key or Biometric");
    assert_eq!(
        webauthn["_links"]["aaguids"]["hints"]["allow"],
        json!(["GET", "POST"])
    );
    // authenticators-get-security-question.json: no settings, self GET only.
    let question = by_key("security_question");
    assert_eq!(keys(&question), set(&common));
    assert_eq!(question["_links"]["self"]["hints"]["allow"], json!(["GET"]));

    let one = sb
        .okta("GET", &format!("/api/v1/authenticators/{PASSWORD}"), None)
        .await;
    assert_eq!(one.body, password);
    let missing = sb
        .okta("GET", "/api/v1/authenticators/aut1nothere000000000", None)
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.body["errorCode"], "E0000007");
}

// API-NOTES §4: deactivate → 200 INACTIVE with an `activate` link; the Factors API stops
// offering the type (catalog) and refuses to enroll it (E0000001, API-NOTES §8); logged as
// security.authenticator.lifecycle.deactivate; activating brings it back.
#[tokio::test]
async fn a_deactivated_authenticator_leaves_the_factors_api() {
    let sb = sandbox("oie");
    assert!(catalog_types(&sb).await.contains(&"question".to_string()));
    let path = format!("/api/v1/authenticators/{SECURITY_QUESTION}/lifecycle/deactivate");
    let a = sb.okta("POST", &path, None).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_eq!(a.body["status"], "INACTIVE");
    assert!(a.body["_links"].get("activate").is_some());
    assert!(a.body["_links"].get("deactivate").is_none());

    assert!(!catalog_types(&sb).await.contains(&"question".to_string()));
    let enroll = sb
        .okta(
            "POST",
            &format!("/api/v1/users/{}/factors", users::NORA.0),
            Some(json!({"factorType": "question", "provider": "OKTA",
                        "profile": {"question": "disliked_food", "answer": "mayonnaise"}})),
        )
        .await;
    assert_eq!(enroll.status, StatusCode::BAD_REQUEST, "{}", enroll.body);
    assert_eq!(enroll.body["errorCode"], "E0000001");

    let q = url::form_urlencoded::Serializer::new(String::new())
        .append_pair(
            "filter",
            &format!(
                r#"eventType eq "security.authenticator.lifecycle.deactivate" and target.id eq "{SECURITY_QUESTION}""#
            ),
        )
        .finish();
    let logged = sb.okta("GET", &format!("/api/v1/logs?{q}"), None).await;
    assert_eq!(logged.body.as_array().unwrap().len(), 1, "{}", logged.body);

    let again = sb.okta("POST", &path, None).await;
    assert_eq!(
        again.status,
        StatusCode::OK,
        "deactivating twice is a no-op"
    );
    let back = sb
        .okta(
            "POST",
            &format!("/api/v1/authenticators/{SECURITY_QUESTION}/lifecycle/activate"),
            None,
        )
        .await;
    assert_eq!(back.status, StatusCode::OK);
    assert_eq!(back.body["status"], "ACTIVE");
    assert!(catalog_types(&sb).await.contains(&"question".to_string()));
}

// [ERR] E0000148 (403): an authenticator a policy uses cannot be deactivated ("Admins must use
// Okta Verify" uses okta_verify); neither can the password.
#[tokio::test]
async fn authenticators_in_use_by_a_policy_stay_active() {
    let sb = sandbox("oie");
    for id in [OKTA_VERIFY, PASSWORD, EMAIL] {
        let a = sb
            .okta(
                "POST",
                &format!("/api/v1/authenticators/{id}/lifecycle/deactivate"),
                None,
            )
            .await;
        assert_eq!(a.status, StatusCode::FORBIDDEN, "{id}: {}", a.body);
        assert_eq!(a.body["errorCode"], "E0000148");
        assert!(a.body["errorSummary"]
            .as_str()
            .unwrap()
            .starts_with("Cannot modify/disable this authenticator because it is enabled in one or more policies."));
    }
    let ov = sb
        .okta(
            "GET",
            &format!("/api/v1/authenticators/{OKTA_VERIFY}"),
            None,
        )
        .await;
    assert_eq!(ov.body["status"], "ACTIVE");
    assert!(catalog_types(&sb).await.contains(&"push".to_string()));
}

// API-NOTES §4: activating an active authenticator is a 200 no-op (nothing logged).
#[tokio::test]
async fn activating_an_active_authenticator_changes_nothing() {
    let sb = sandbox("oie");
    let before = sb
        .okta("GET", &format!("/api/v1/authenticators/{WEBAUTHN}"), None)
        .await;
    let a = sb
        .okta(
            "POST",
            &format!("/api/v1/authenticators/{WEBAUTHN}/lifecycle/activate"),
            None,
        )
        .await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.body, before.body);
    let logged = sb.okta("GET", "/api/v1/logs", None).await;
    assert_eq!(logged.body, json!([]));
}

// authenticators-methods-phone.json and authenticators-method-webauthn.json.
#[tokio::test]
async fn methods_are_listed_and_read() {
    let sb = sandbox("oie");
    let a = sb
        .okta(
            "GET",
            &format!("/api/v1/authenticators/{PHONE}/methods"),
            None,
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let methods = a.body.as_array().unwrap();
    let types: Vec<&str> = methods
        .iter()
        .map(|m| m["type"].as_str().unwrap())
        .collect();
    assert_eq!(types, vec!["sms", "voice"]);
    assert_eq!(keys(&methods[0]), set(&["type", "status", "_links"]));
    assert_eq!(keys(&methods[0]["_links"]), set(&["self", "deactivate"]));

    let w = sb
        .okta(
            "GET",
            &format!("/api/v1/authenticators/{WEBAUTHN}/methods/webauthn"),
            None,
        )
        .await;
    assert_eq!(w.status, StatusCode::OK, "{}", w.body);
    assert_eq!(
        keys(&w.body),
        set(&["type", "status", "settings", "_links"])
    );
    assert_eq!(keys(&w.body["_links"]), set(&["self"]));
    assert_eq!(
        w.body["settings"],
        json!({"userVerification": "DISCOURAGED", "attachment": "ANY"})
    );
    let none = sb
        .okta(
            "GET",
            &format!("/api/v1/authenticators/{WEBAUTHN}/methods/sms"),
            None,
        )
        .await;
    assert_eq!(none.status, StatusCode::NOT_FOUND);
}

// Module docs (UNCONFIRMED): a Classic Engine org has no Authenticators API: 401 E0000015.
#[tokio::test]
async fn a_classic_org_has_no_authenticators_api() {
    let sb = sandbox("classic");
    for (method, path) in [
        ("GET", "/api/v1/authenticators".to_string()),
        ("GET", format!("/api/v1/authenticators/{EMAIL}")),
        (
            "POST",
            format!("/api/v1/authenticators/{SECURITY_QUESTION}/lifecycle/deactivate"),
        ),
    ] {
        let a = sb.okta(method, &path, None).await;
        assert_eq!(a.status, StatusCode::UNAUTHORIZED, "{path}");
        assert_eq!(a.body["errorCode"], "E0000015");
    }
    assert!(catalog_types(&sb).await.contains(&"question".to_string()));
}
