//! The Factors API rules (API-NOTES §1): one per type, cascades, limits, expiry, replay.

use crate::support::{sandbox, Answer, SandboxHarness};
use axum::http::StatusCode;
use serde_json::{json, Value};
use server::sandbox::seed::{users, TINA_TOTP_SECRET};
use server::sandbox::totp;
use std::collections::BTreeSet;

const NORA: &str = users::NORA.0;
const VICTOR_PUSH: &str = "opf1victor0iphone000";
const VICTOR_SMS: &str = "mbl1victor0sms000000";
const VICTOR_PHONE: &str = "+14155550134";
const TINA_GOOGLE: &str = "uft1tina0google00000";

fn factors(user: &str) -> String {
    format!("/api/v1/users/{user}/factors")
}

fn factor_path(user: &str, factor_id: &str, rest: &str) -> String {
    format!("{}/{factor_id}{rest}", factors(user))
}

/// A real Okta body from `shared/okta/examples/`.
fn example(name: &str) -> Value {
    let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/okta/examples")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

/// An error answer matches an example error field for field, except the per-error `errorId`.
fn assert_example_error(a: &Answer, status: StatusCode, name: &str) {
    assert_eq!(a.status, status, "{}", a.body);
    let expected = example(name);
    for field in ["errorCode", "errorSummary", "errorLink", "errorCauses"] {
        assert_eq!(a.body[field], expected[field], "{field} of {}", a.body);
    }
    assert!(a.body["errorId"].is_string());
}

fn assert_error(a: &Answer, status: StatusCode, code: &str) {
    assert_eq!(a.status, status, "{}", a.body);
    assert_eq!(a.body["errorCode"], code, "{}", a.body);
}

fn causes(a: &Answer) -> Vec<String> {
    a.body["errorCauses"]
        .as_array()
        .map(|c| {
            c.iter()
                .map(|c| c["errorSummary"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

async fn enroll(sb: &SandboxHarness, user: &str, body: Value) -> Answer {
    sb.okta("POST", &factors(user), Some(body)).await
}

/// The user's factors as (id, factorType, provider), sorted.
async fn factor_set(sb: &SandboxHarness, user: &str) -> BTreeSet<(String, String, String)> {
    let a = sb.okta("GET", &factors(user), None).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    a.body
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["id"].as_str().unwrap().to_string(),
                f["factorType"].as_str().unwrap().to_string(),
                f["provider"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn ids(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

async fn factor_ids(sb: &SandboxHarness, user: &str) -> BTreeSet<String> {
    factor_set(sb, user)
        .await
        .into_iter()
        .map(|(id, _, _)| id)
        .collect()
}

/// Nora's pending SMS factor at `phone`: its id (the code went to the outbox).
async fn nora_sms(sb: &SandboxHarness, phone: &str) -> String {
    let a = enroll(
        sb,
        NORA,
        json!({"factorType": "sms", "provider": "OKTA", "profile": {"phoneNumber": phone}}),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_eq!(a.body["status"], "PENDING_ACTIVATION");
    a.body["id"].as_str().unwrap().to_string()
}

async fn resend(sb: &SandboxHarness, user: &str, factor_id: &str, body: Value) -> Answer {
    sb.okta("POST", &factor_path(user, factor_id, "/resend"), Some(body))
        .await
}

/// Moves the sandbox clock to just after the start of a TOTP step, so a test has ~29 s before
/// the step changes under it.
async fn start_of_a_step(sb: &SandboxHarness) -> u64 {
    let now = sb.sandbox.org().now().unix_timestamp() as u64;
    sb.advance((30 - now % 30) as i64).await;
    sb.sandbox.org().now().unix_timestamp() as u64
}

fn seconds_until(reset: &Answer, sb: &SandboxHarness) -> i64 {
    let reset: i64 = reset.headers["x-rate-limit-reset"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    reset - sb.sandbox.org().now().unix_timestamp()
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

// ----- one enrollment per factor type -----------------------------------------------------

// API-NOTES §8 (Validation; FDOC) and errors-factor-enroll-already-set-up-E0000001.json: in
// Classic, a second factor of a type the user has active is refused with this exact error.
#[tokio::test]
async fn classic_refuses_a_second_factor_of_a_type_as_already_set_up() {
    let sb = sandbox("classic");
    let a = enroll(
        &sb,
        users::TINA.0,
        json!({"factorType": "token:software:totp", "provider": "GOOGLE"}),
    )
    .await;
    assert_example_error(
        &a,
        StatusCode::BAD_REQUEST,
        "errors-factor-enroll-already-set-up-E0000001.json",
    );
    assert_eq!(factor_ids(&sb, users::TINA.0).await, ids(&[TINA_GOOGLE]));
}

// API-NOTES §8 "Maximum number of enrollments reached for factorType push" (UNCONFIRMED wording,
// kept as Keyport's client expects it): Identity Engine refuses a second push through the
// Factors API.
#[tokio::test]
async fn oie_refuses_a_second_push_at_the_maximum_number_of_enrollments() {
    let sb = sandbox("oie");
    let a = enroll(
        &sb,
        users::VICTOR.0,
        json!({"factorType": "push", "provider": "OKTA"}),
    )
    .await;
    assert_error(&a, StatusCode::BAD_REQUEST, "E0000001");
    assert_eq!(
        a.body["errorSummary"],
        "Api validation failed: factorEnrollRequest"
    );
    assert_eq!(
        causes(&a),
        vec!["Maximum number of enrollments reached for factorType push"]
    );
}

// errors-factor-enroll-existing-phone-E0000001.json (FDOC): another number while a verified
// phone is active is refused; the same holds for voice.
#[tokio::test]
async fn classic_refuses_another_number_while_a_verified_phone_exists() {
    let sb = sandbox("classic");
    let a = enroll(
        &sb,
        users::VICTOR.0,
        json!({"factorType": "sms", "provider": "OKTA", "profile": {"phoneNumber": "+14155550199"}}),
    )
    .await;
    assert_example_error(
        &a,
        StatusCode::BAD_REQUEST,
        "errors-factor-enroll-existing-phone-E0000001.json",
    );
    // The same number again is "already set up".
    let same = enroll(
        &sb,
        users::VICTOR.0,
        json!({"factorType": "sms", "provider": "OKTA", "profile": {"phoneNumber": VICTOR_PHONE}}),
    )
    .await;
    assert_eq!(
        causes(&same),
        vec!["A factor of this type is already set up."]
    );
}

// ----- cascades ---------------------------------------------------------------------------

// API-NOTES §1 side effects [SPEC]: unenrolling push (or signed_nonce) removes the Okta Verify
// TOTP and FastPass that came with it: of that device only, the other device stays whole.
#[tokio::test]
async fn unenrolling_push_or_fastpass_removes_that_device_s_okta_verify_factors_only() {
    let sb = sandbox("oie");
    let olivia = users::OLIVIA.0;
    let a = sb
        .okta(
            "DELETE",
            &factor_path(olivia, "opf1olivia0iphone000", ""),
            None,
        )
        .await;
    assert_eq!(a.status, StatusCode::NO_CONTENT, "{}", a.body);
    assert_eq!(
        factor_ids(&sb, olivia).await,
        ids(&[
            "opf1olivia0pixel0000",
            "ost1olivia0pixel0000",
            "crp1olivia0pixel0000",
            "fwf1olivia0yubikey00",
            "emf1olivia0email0000",
        ])
    );
    // FastPass of the other device takes its push and TOTP along.
    let a = sb
        .okta(
            "DELETE",
            &factor_path(olivia, "crp1olivia0pixel0000", ""),
            None,
        )
        .await;
    assert_eq!(a.status, StatusCode::NO_CONTENT, "{}", a.body);
    assert_eq!(
        factor_ids(&sb, olivia).await,
        ids(&["fwf1olivia0yubikey00", "emf1olivia0email0000"])
    );
}

/// Enrolls push for Nora and scans its QR code with the virtual phone.
async fn enroll_and_scan_push(sb: &SandboxHarness) -> String {
    let a = enroll(sb, NORA, json!({"factorType": "push", "provider": "OKTA"})).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let href = a.body["_embedded"]["activation"]["_links"]["qrcode"]["href"]
        .as_str()
        .unwrap();
    let token = href.rsplit('/').next().unwrap();
    let payload = sb
        .control("GET", &format!("/sandbox/api/activations/{token}"), None)
        .await;
    let scanned = sb
        .control(
            "POST",
            "/sandbox/api/phone/scan",
            Some(json!({"payload": payload.body["payload"]})),
        )
        .await;
    assert_eq!(scanned.status, StatusCode::OK, "{}", scanned.body);
    a.body["id"].as_str().unwrap().to_string()
}

// API-NOTES §1 side effects [FDOC]: in Identity Engine, enrolling push also enrolls Okta
// Verify TOTP and FastPass (signed_nonce); Classic has no FastPass.
#[tokio::test]
async fn an_oie_push_enrollment_brings_totp_and_fastpass() {
    for (pipeline, expected) in [
        ("oie", vec!["push", "signed_nonce", "token:software:totp"]),
        ("classic", vec!["push", "token:software:totp"]),
    ] {
        let sb = sandbox(pipeline);
        let push = enroll_and_scan_push(&sb).await;
        let set = factor_set(&sb, NORA).await;
        let mut types: Vec<&str> = set.iter().map(|(_, t, _)| t.as_str()).collect();
        types.sort_unstable();
        assert_eq!(types, expected, "{pipeline}");
        assert!(set.iter().all(|(_, _, p)| p == "OKTA"));
        assert!(set.iter().any(|(id, _, _)| *id == push));
    }
}

// API-NOTES §1 side effects [SPEC]: signed_nonce (FastPass) can't be enrolled through this API.
#[tokio::test]
async fn fastpass_cannot_be_enrolled() {
    let sb = sandbox("oie");
    let a = enroll(
        &sb,
        NORA,
        json!({"factorType": "signed_nonce", "provider": "OKTA"}),
    )
    .await;
    assert_error(&a, StatusCode::BAD_REQUEST, "E0000001");
    assert!(factor_ids(&sb, NORA).await.is_empty());
    let catalog = sb
        .okta("GET", &format!("{}/catalog", factors(NORA)), None)
        .await;
    assert!(catalog
        .body
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["factorType"] != "signed_nonce"));
}

// ----- limits -----------------------------------------------------------------------------

// API-NOTES §1.3 limits and errors-factor-sms-resend-E0000109.json: one SMS per phone per 30 s;
// `X-Rate-Limit-Reset` says when; after 30 s (clock control) the resend goes out.
#[tokio::test]
async fn an_sms_resend_within_thirty_seconds_is_e0000109() {
    let sb = sandbox("classic");
    let id = nora_sms(&sb, "+14155550161").await;
    let body = json!({"factorType": "sms", "provider": "OKTA", "profile": {"phoneNumber": "+14155550161"}});
    let early = resend(&sb, NORA, &id, body.clone()).await;
    assert_example_error(
        &early,
        StatusCode::TOO_MANY_REQUESTS,
        "errors-factor-sms-resend-E0000109.json",
    );
    assert!((29..=31).contains(&seconds_until(&early, &sb)));
    sb.advance(30).await;
    let later = resend(&sb, NORA, &id, body).await;
    assert_eq!(later.status, StatusCode::OK, "{}", later.body);
}

// API-NOTES §1.3 limits and §8: one call per phone per 30 s, 429 E0000133 ([ERR]; FDOC's
// E0000047 is the CONFLICT the notes record, the sandbox follows ERR).
#[tokio::test]
async fn a_call_resend_within_thirty_seconds_is_e0000133() {
    let sb = sandbox("classic");
    let a = enroll(
        &sb,
        NORA,
        json!({"factorType": "call", "provider": "OKTA", "profile": {"phoneNumber": "+14155550162"}}),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let id = a.body["id"].as_str().unwrap();
    assert_eq!(sb.last_message_to("+14155550162").await["channel"], "voice");
    let body = json!({"factorType": "call", "provider": "OKTA", "profile": {"phoneNumber": "+14155550162"}});
    let early = resend(&sb, NORA, id, body.clone()).await;
    assert_error(&early, StatusCode::TOO_MANY_REQUESTS, "E0000133");
    assert!((29..=31).contains(&seconds_until(&early, &sb)));
    sb.advance(30).await;
    assert_eq!(resend(&sb, NORA, id, body).await.status, StatusCode::OK);
}

// API-NOTES §1.3 limits and errors-factor-email-resend-E0000118.json: one email per 5 s.
#[tokio::test]
async fn an_email_resend_within_five_seconds_is_e0000118() {
    let sb = sandbox("oie");
    let nora = users::NORA.1;
    let a = enroll(
        &sb,
        NORA,
        json!({"factorType": "email", "provider": "OKTA", "profile": {"email": nora}}),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let id = a.body["id"].as_str().unwrap();
    let body = json!({"factorType": "email", "provider": "OKTA", "profile": {"email": nora}});
    let early = resend(&sb, NORA, id, body.clone()).await;
    assert_example_error(
        &early,
        StatusCode::TOO_MANY_REQUESTS,
        "errors-factor-email-resend-E0000118.json",
    );
    assert!((4..=6).contains(&seconds_until(&early, &sb)));
    sb.advance(5).await;
    assert_eq!(resend(&sb, NORA, id, body).await.status, StatusCode::OK);
}

// API-NOTES §1.3 limits [SPEC, FDOC] and errors-factor-activate-rate-limit-E0000047.json: five
// activation attempts in five minutes, then 429 E0000047, even for the right code, and resend
// is refused too; five minutes later both work again.
#[tokio::test]
async fn five_failed_activations_in_five_minutes_lock_activation_and_resend() {
    let sb = sandbox("classic");
    let phone = "+14155550163";
    let id = nora_sms(&sb, phone).await;
    let code = sb.last_message_to(phone).await["code"]
        .as_str()
        .unwrap()
        .to_string();
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let activate = factor_path(NORA, &id, "/lifecycle/activate");
    for _ in 0..5 {
        let a = sb
            .okta("POST", &activate, Some(json!({"passCode": wrong})))
            .await;
        assert_error(&a, StatusCode::FORBIDDEN, "E0000068");
    }
    let limited = sb
        .okta("POST", &activate, Some(json!({"passCode": code})))
        .await;
    assert_example_error(
        &limited,
        StatusCode::TOO_MANY_REQUESTS,
        "errors-factor-activate-rate-limit-E0000047.json",
    );
    assert!(seconds_until(&limited, &sb) > 250);
    sb.advance(31).await;
    let body = json!({"factorType": "sms", "provider": "OKTA", "profile": {"phoneNumber": phone}});
    let refused = resend(&sb, NORA, &id, body.clone()).await;
    assert_error(&refused, StatusCode::TOO_MANY_REQUESTS, "E0000047");

    sb.advance(300).await;
    let again = resend(&sb, NORA, &id, body).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    let code = sb.last_message_to(phone).await["code"].clone();
    let ok = sb
        .okta("POST", &activate, Some(json!({"passCode": code})))
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    assert_eq!(ok.body["status"], "ACTIVE");
}

// ----- validation -------------------------------------------------------------------------

// API-NOTES §1.1 (E.164 `^\+[1-9]\d{1,14}$`, examples written `+1-555-415-1337`) and §8
// (E0000098 "This phone number is invalid."): separators are accepted and dropped, anything
// that is not E.164 is refused and nothing is enrolled.
#[tokio::test]
async fn phone_numbers_must_be_e164() {
    let sb = sandbox("classic");
    for bad in ["4155550164", "+0155550164", "+1415555016412345", "phone"] {
        let a = enroll(
            &sb,
            NORA,
            json!({"factorType": "sms", "provider": "OKTA", "profile": {"phoneNumber": bad}}),
        )
        .await;
        assert_error(&a, StatusCode::BAD_REQUEST, "E0000098");
        assert_eq!(a.body["errorSummary"], "This phone number is invalid.");
    }
    assert!(factor_ids(&sb, NORA).await.is_empty());
    let ok = enroll(
        &sb,
        NORA,
        json!({"factorType": "sms", "provider": "OKTA", "profile": {"phoneNumber": "+1-415-555-0164"}}),
    )
    .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    assert_eq!(ok.body["profile"]["phoneNumber"], "+14155550164");
}

// API-NOTES §1 enrollFactor `updatePhone`: with it, the existing phone factor takes the new
// number (same factor id), goes back to PENDING_ACTIVATION and a code goes to the new number.
#[tokio::test]
async fn update_phone_moves_the_existing_factor_to_a_new_number() {
    let sb = sandbox("classic");
    let victor = users::VICTOR.0;
    let a = sb
        .okta(
            "POST",
            &format!("{}?updatePhone=true", factors(victor)),
            Some(json!({"factorType": "sms", "provider": "OKTA", "profile": {"phoneNumber": "+14155550165"}})),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_eq!(a.body["id"], VICTOR_SMS);
    assert_eq!(a.body["status"], "PENDING_ACTIVATION");
    assert_eq!(a.body["profile"]["phoneNumber"], "+14155550165");
    let code = sb.last_message_to("+14155550165").await["code"].clone();
    let ok = sb
        .okta(
            "POST",
            &factor_path(victor, VICTOR_SMS, "/lifecycle/activate"),
            Some(json!({"passCode": code})),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    assert_eq!(ok.body["profile"]["phoneNumber"], "+14155550165");
}

// API-NOTES §1.1 question profile: `answer` is write-only, min 4 characters (E0000001 with the
// cause naming the field); the question must be one of the catalog's keys.
#[tokio::test]
async fn a_security_answer_needs_four_characters() {
    let sb = sandbox("oie");
    let short = enroll(
        &sb,
        NORA,
        json!({"factorType": "question", "provider": "OKTA", "profile": {"question": "disliked_food", "answer": "pie"}}),
    )
    .await;
    assert_error(&short, StatusCode::BAD_REQUEST, "E0000001");
    assert!(causes(&short)[0].starts_with("answer: "), "{}", short.body);
    let unknown = enroll(
        &sb,
        NORA,
        json!({"factorType": "question", "provider": "OKTA", "profile": {"question": "favorite_rock", "answer": "granite"}}),
    )
    .await;
    assert_error(&unknown, StatusCode::BAD_REQUEST, "E0000001");
    let ok = enroll(
        &sb,
        NORA,
        json!({"factorType": "question", "provider": "OKTA", "profile": {"question": "disliked_food", "answer": "pies"}}),
    )
    .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    assert_eq!(ok.body["status"], "ACTIVE");
    assert!(ok.body["profile"].get("answer").is_none(), "write-only");
}

// API-NOTES §1.2 email [FDOC] and errors-factor-enroll-email-unverified-E0000001.json: only the
// user's verified primary or secondary email; anything else is this exact error.
#[tokio::test]
async fn only_a_verified_email_can_be_enrolled() {
    let sb = sandbox("oie");
    let a = enroll(
        &sb,
        NORA,
        json!({"factorType": "email", "provider": "OKTA", "profile": {"email": "someone.else@example.com"}}),
    )
    .await;
    assert_example_error(
        &a,
        StatusCode::BAD_REQUEST,
        "errors-factor-enroll-email-unverified-E0000001.json",
    );
    // A secondary address an admin set counts as verified.
    let update = sb
        .okta(
            "POST",
            &format!("/api/v1/users/{NORA}"),
            Some(json!({"profile": {"secondEmail": "nora.home@example.net"}})),
        )
        .await;
    assert_eq!(update.status, StatusCode::OK, "{}", update.body);
    let second = enroll(
        &sb,
        NORA,
        json!({"factorType": "email", "provider": "OKTA", "profile": {"email": "nora.home@example.net"}}),
    )
    .await;
    assert_eq!(second.status, StatusCode::OK, "{}", second.body);
    assert_eq!(second.body["status"], "PENDING_ACTIVATION");
    assert_eq!(
        sb.last_message_to("nora.home@example.net").await["channel"],
        "email"
    );
}

// ----- expiry -----------------------------------------------------------------------------

// API-NOTES §1.2 push (`expiresAt` ~10 min) and §1.3 / factors-activate-push-timeout.json: the
// activation waits for ten minutes, then polls answer TIMEOUT with only an `activate` link.
#[tokio::test]
async fn a_push_activation_times_out_after_ten_minutes() {
    let sb = sandbox("oie");
    let a = enroll(&sb, NORA, json!({"factorType": "push", "provider": "OKTA"})).await;
    let id = a.body["id"].as_str().unwrap().to_string();
    let expires = time::OffsetDateTime::parse(
        a.body["_embedded"]["activation"]["expiresAt"]
            .as_str()
            .unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    let left = (expires - sb.sandbox.org().now()).whole_seconds();
    assert!((595..=600).contains(&left), "{left}");
    let poll = factor_path(NORA, &id, "/lifecycle/activate/poll");
    sb.advance(590).await;
    let waiting = sb.okta("POST", &poll, None).await;
    assert_eq!(waiting.body["factorResult"], "WAITING", "{}", waiting.body);
    sb.advance(11).await;
    let timeout = sb.okta("POST", &poll, None).await;
    assert_eq!(timeout.status, StatusCode::OK);
    let expected = example("factors-activate-push-timeout.json");
    assert_eq!(timeout.body["factorResult"], expected["factorResult"]);
    let links: BTreeSet<_> = timeout.body["_links"].as_object().unwrap().keys().collect();
    assert_eq!(
        links,
        expected["_links"].as_object().unwrap().keys().collect()
    );
    assert!(timeout.body["_links"]["activate"]["href"]
        .as_str()
        .unwrap()
        .ends_with(&format!("/factors/{id}/lifecycle/activate")));
}

// API-NOTES §1 verifyFactor `tokenLifetimeSeconds` (1–86400, default 300): a code sent with a
// 60 s lifetime no longer verifies after 60 s; out-of-range lifetimes are refused.
#[tokio::test]
async fn sent_codes_expire_after_their_token_lifetime() {
    let sb = sandbox("oie");
    let victor = users::VICTOR.0;
    let verify = factor_path(victor, VICTOR_SMS, "/verify");
    let challenge = sb
        .okta("POST", &format!("{verify}?tokenLifetimeSeconds=60"), None)
        .await;
    assert_eq!(
        challenge.body["factorResult"], "CHALLENGE",
        "{}",
        challenge.body
    );
    let code = sb.last_message_to(VICTOR_PHONE).await["code"].clone();
    sb.advance(61).await;
    let late = sb
        .okta("POST", &verify, Some(json!({"passCode": code})))
        .await;
    assert_error(&late, StatusCode::FORBIDDEN, "E0000068");

    // A fresh code within its lifetime verifies.
    sb.okta("POST", &format!("{verify}?tokenLifetimeSeconds=60"), None)
        .await;
    let code = sb.last_message_to(VICTOR_PHONE).await["code"].clone();
    sb.advance(50).await;
    let ok = sb
        .okta("POST", &verify, Some(json!({"passCode": code})))
        .await;
    assert_eq!(ok.body["factorResult"], "SUCCESS", "{}", ok.body);

    for bad in ["0", "86401", "soon"] {
        let a = sb
            .okta(
                "POST",
                &format!("{verify}?tokenLifetimeSeconds={bad}"),
                None,
            )
            .await;
        assert_error(&a, StatusCode::BAD_REQUEST, "E0000001");
    }
}

// API-NOTES §1.4 push transaction poll responses and factors-transaction-timeout.json: a push
// nobody answers for five minutes is TIMEOUT, with `verify` and `factor` links; the phone can
// no longer answer it (404 E0000191).
#[tokio::test]
async fn an_unanswered_push_verification_times_out() {
    let sb = sandbox("oie");
    let victor = users::VICTOR.0;
    let a = sb
        .okta("POST", &factor_path(victor, VICTOR_PUSH, "/verify"), None)
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    let poll = a.body["_links"]["poll"]["href"]
        .as_str()
        .unwrap()
        .trim_start_matches("http://127.0.0.1:3001")
        .to_string();
    let tx = poll.rsplit('/').next().unwrap().to_string();
    sb.advance(299).await;
    assert_eq!(
        sb.okta("GET", &poll, None).await.body["factorResult"],
        "WAITING"
    );
    sb.advance(2).await;
    let timeout = sb.okta("GET", &poll, None).await;
    let expected = example("factors-transaction-timeout.json");
    assert_eq!(timeout.body["factorResult"], expected["factorResult"]);
    assert_eq!(timeout.body["profile"]["credentialId"], users::VICTOR.1);
    let links: BTreeSet<_> = timeout.body["_links"].as_object().unwrap().keys().collect();
    assert_eq!(
        links,
        expected["_links"].as_object().unwrap().keys().collect()
    );
    let late = sb
        .control(
            "POST",
            &format!("/sandbox/api/phone/pushes/{tx}/approve"),
            None,
        )
        .await;
    assert_error(&late, StatusCode::NOT_FOUND, "E0000191");
}

// ----- TOTP --------------------------------------------------------------------------------

// Module docs of `sandbox::totp` (RFC 6238, one step of drift either way; API-NOTES §1.4 leaves
// the window UNCONFIRMED): the previous and next step's codes verify, two steps off do not.
#[tokio::test]
async fn totp_codes_one_step_off_verify_two_steps_off_do_not() {
    let sb = sandbox("oie");
    let now = start_of_a_step(&sb).await;
    let code = |t: u64| totp::code_at(TINA_TOTP_SECRET, totp::Encoding::Base32, t).unwrap();
    let verify = factor_path(users::TINA.0, TINA_GOOGLE, "/verify");
    let current = code(now);
    for off in [code(now - 60), code(now + 60)] {
        if off == current || off == code(now - 30) || off == code(now + 30) {
            continue; // a coincidence of digits would make the check meaningless
        }
        let a = sb
            .okta("POST", &verify, Some(json!({"passCode": off})))
            .await;
        assert_error(&a, StatusCode::FORBIDDEN, "E0000068");
    }
    // Earlier step first: once a later step is used, earlier ones count as replays.
    for ok in [code(now - 30), code(now + 30)] {
        let a = sb
            .okta("POST", &verify, Some(json!({"passCode": ok})))
            .await;
        assert_eq!(a.body["factorResult"], "SUCCESS", "{}", a.body);
    }
    let replay = sb
        .okta("POST", &verify, Some(json!({"passCode": current})))
        .await;
    assert_error(&replay, StatusCode::FORBIDDEN, "E0000082");
}

// ----- Classic vs Identity Engine ----------------------------------------------------------

// API-NOTES §7 and well-known-okta-organization-{classic,oie}.json: no token needed; `v1` for
// Classic, `idx` for Identity Engine; same fields as the examples.
#[tokio::test]
async fn the_well_known_document_names_the_pipeline() {
    for (pipeline, wire, name) in [
        ("classic", "v1", "well-known-okta-organization-classic.json"),
        ("oie", "idx", "well-known-okta-organization-oie.json"),
    ] {
        let sb = sandbox(pipeline);
        let a = sb
            .call("GET", "/.well-known/okta-organization", None, None, &[])
            .await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        assert_eq!(a.body["pipeline"], wire);
        let expected = example(name);
        let keys = |v: &Value| {
            v.as_object()
                .unwrap()
                .keys()
                .cloned()
                .collect::<BTreeSet<_>>()
        };
        assert_eq!(keys(&a.body), keys(&expected));
        assert!(a.body["id"].as_str().unwrap().starts_with("00o"));
        assert!(a.body["_links"]["organization"]["href"].is_string());
    }
}

// Seed docs and API-NOTES §1 side effects: Identity Engine users may have several Okta Verify
// devices (the app's own "add account", `POST /sandbox/api/phone/devices`), each with its own
// TOTP and FastPass; Classic allows one Okta Verify and refuses.
#[tokio::test]
async fn only_identity_engine_allows_several_okta_verify_devices() {
    let sb = sandbox("oie");
    let added = sb
        .control(
            "POST",
            "/sandbox/api/phone/devices",
            Some(json!({"login": users::VICTOR.1, "name": "Victor's iPad"})),
        )
        .await;
    assert_eq!(added.status, StatusCode::OK, "{}", added.body);
    let set = factor_set(&sb, users::VICTOR.0).await;
    let count = |t: &str| set.iter().filter(|(_, ty, _)| ty == t).count();
    assert_eq!(count("push"), 2);
    assert_eq!(count("signed_nonce"), 2);
    assert_eq!(count("token:software:totp"), 2);

    let sb = sandbox("classic");
    let refused = sb
        .control(
            "POST",
            "/sandbox/api/phone/devices",
            Some(json!({"login": users::VICTOR.1})),
        )
        .await;
    assert_error(&refused, StatusCode::BAD_REQUEST, "E0000001");
    let set = factor_set(&sb, users::VICTOR.0).await;
    assert_eq!(set.iter().filter(|(_, t, _)| t == "push").count(), 1);
}
