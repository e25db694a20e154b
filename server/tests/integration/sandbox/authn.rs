//! The Authn API rules (API-NOTES §5): primary authentication, lockout, expired passwords, the
//! MFA state machine (TOTP, SMS, push with number matching), state tokens, public access, and
//! "sign out everywhere". Sources are cited next to each test; ADOC is Okta's Authn reference
//! (okta-developer-docs `reference/api/authn/index.md`).

use crate::support::{sandbox, Answer, SandboxHarness};
use axum::http::StatusCode;
use serde_json::{json, Value};
use server::sandbox::model::UserStatus;
use server::sandbox::seed::{users, DEMO_PASSWORD, VICTOR_TOTP_SECRET};
use server::sandbox::state::lock;

const AUTHN: &str = "/api/v1/authn";
const BASE: &str = "http://127.0.0.1:3001";
const VICTOR_PUSH: &str = "opf1victor0iphone000";
const VICTOR_TOTP: &str = "ost1victor0iphone000";
const VICTOR_SMS: &str = "mbl1victor0sms000000";
const VICTOR_PHONE: &str = "+14155550134";

/// A public app's call (no `Authorization` header), as Keyport's sign-in page makes it.
async fn public(sb: &SandboxHarness, path: &str, body: Value) -> Answer {
    sb.call("POST", path, Some(body), None, &[]).await
}

async fn sign_in(sb: &SandboxHarness, username: &str, password: &str) -> Answer {
    public(
        sb,
        AUTHN,
        json!({ "username": username, "password": password }),
    )
    .await
}

fn verify_path(factor_id: &str) -> String {
    format!("{AUTHN}/factors/{factor_id}/verify")
}

fn state_token(a: &Answer) -> String {
    a.body["stateToken"]
        .as_str()
        .unwrap_or_else(|| panic!("no stateToken in {}", a.body))
        .to_string()
}

/// Victor's password step: MFA_REQUIRED and its state token.
async fn victor_mfa(sb: &SandboxHarness) -> String {
    let a = sign_in(sb, users::VICTOR.1, DEMO_PASSWORD).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_eq!(a.body["status"], "MFA_REQUIRED", "{}", a.body);
    state_token(&a)
}

async fn verify(sb: &SandboxHarness, factor_id: &str, body: Value) -> Answer {
    public(sb, &verify_path(factor_id), body).await
}

fn user_sessions(sb: &SandboxHarness, user_id: &str) -> usize {
    let cell = sb.sandbox.org().user_by_id(user_id).unwrap();
    let n = lock(&cell).sessions.len();
    n
}

fn user_status(sb: &SandboxHarness, user_id: &str) -> UserStatus {
    let cell = sb.sandbox.org().user_by_id(user_id).unwrap();
    let status = lock(&cell).status;
    status
}

fn logged(sb: &SandboxHarness, event_type: &str, outcome: &str) -> bool {
    lock(&sb.sandbox.org().log)
        .iter()
        .any(|e| e.event_type == event_type && e.outcome == outcome)
}

fn assert_error(a: &Answer, status: StatusCode, code: &str) {
    assert_eq!(a.status, status, "{}", a.body);
    assert_eq!(a.body["errorCode"], code, "{}", a.body);
    assert_eq!(a.body["errorLink"], code);
}

/// The pending push for Victor's phone, as the virtual phone shows it.
async fn pending_push(sb: &SandboxHarness) -> Value {
    let phone = sb.control("GET", "/sandbox/api/phone", None).await.body;
    phone["pushes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["factorId"] == VICTOR_PUSH)
        .cloned()
        .unwrap_or_else(|| panic!("no pending push in {phone}"))
}

/// Victor's push challenge: the state token and the number Keyport shows him.
async fn push_challenge(sb: &SandboxHarness) -> (String, u64) {
    let token = victor_mfa(sb).await;
    let a = verify(sb, VICTOR_PUSH, json!({ "stateToken": token })).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let answer = a.body["_embedded"]["factor"]["_embedded"]["challenge"]["correctAnswer"]
        .as_u64()
        .unwrap_or_else(|| panic!("no correctAnswer in {}", a.body));
    (token, answer)
}

// ----- primary authentication -------------------------------------------------------------

// ADOC "Response example for primary authentication with a public application (success)";
// authn-primary-success.json: no stateToken, a one-time sessionToken, the embedded user.
#[tokio::test]
async fn a_password_only_user_gets_a_session_token() {
    let sb = sandbox("classic");
    let a = sign_in(&sb, users::NORA.1, DEMO_PASSWORD).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_eq!(a.body["status"], "SUCCESS");
    assert!(a.body.get("stateToken").is_none());
    assert!(a.body["sessionToken"].as_str().unwrap().len() >= 20);
    assert!(a.body["expiresAt"].as_str().unwrap().ends_with('Z'));
    let user = &a.body["_embedded"]["user"];
    assert_eq!(user["id"], users::NORA.0);
    assert_eq!(user["profile"]["login"], users::NORA.1);
    assert_eq!(user["profile"]["firstName"], "Nora");
    assert_eq!(user["profile"]["timeZone"], "America/Los_Angeles");
    assert!(user["passwordChanged"].is_string());
    assert_eq!(user_sessions(&sb, users::NORA.0), 1);
    assert!(logged(&sb, "user.session.start", "SUCCESS"));
}

// ADOC Request parameters: username is the "non-qualified short-name (for example: dade.murphy)
// or unique fully qualified sign-in name".
#[tokio::test]
async fn a_short_name_signs_in_too() {
    let sb = sandbox("classic");
    let a = sign_in(&sb, "Nora.Nofactors", DEMO_PASSWORD).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_eq!(a.body["status"], "SUCCESS");
}

// ADOC "invalid credentials" and authn-error-auth-failed-E0000004.json: 401 E0000004 with no
// causes, the same for an unknown user and a wrong password (never reveal which).
#[tokio::test]
async fn a_wrong_password_and_an_unknown_user_fail_alike() {
    let sb = sandbox("classic");
    let wrong = sign_in(&sb, users::NORA.1, "Not-The-Password1").await;
    assert_error(&wrong, StatusCode::UNAUTHORIZED, "E0000004");
    assert_eq!(wrong.body["errorSummary"], "Authentication failed");
    assert_eq!(wrong.body["errorCauses"], json!([]));
    let unknown = sign_in(&sb, "nobody@example.com", DEMO_PASSWORD).await;
    assert_error(&unknown, StatusCode::UNAUTHORIZED, "E0000004");
    assert_eq!(unknown.body["errorSummary"], wrong.body["errorSummary"]);
    // A user id is not a username.
    let by_id = sign_in(&sb, users::NORA.0, DEMO_PASSWORD).await;
    assert_error(&by_id, StatusCode::UNAUTHORIZED, "E0000004");
    assert!(logged(&sb, "user.session.start", "FAILURE"));
}

// ADOC "show lockout failures" and authn-primary-locked-out.json; the sandbox's policy locks
// after 5 consecutive wrong passwords (UNCONFIRMED count; Okta's default is 10).
#[tokio::test]
async fn five_wrong_passwords_lock_the_account() {
    let sb = sandbox("classic");
    for _ in 0..4 {
        let a = sign_in(&sb, users::NORA.1, "Wrong-Password1").await;
        assert_error(&a, StatusCode::UNAUTHORIZED, "E0000004");
    }
    assert_eq!(user_status(&sb, users::NORA.0), UserStatus::Active);
    let fifth = sign_in(&sb, users::NORA.1, "Wrong-Password1").await;
    assert_eq!(fifth.status, StatusCode::OK, "{}", fifth.body);
    assert_eq!(fifth.body["status"], "LOCKED_OUT");
    assert_eq!(user_status(&sb, users::NORA.0), UserStatus::LockedOut);
    assert!(logged(&sb, "user.account.lock", "FAILURE"));
    // Even the right password now meets the lock.
    let right = sign_in(&sb, users::NORA.1, DEMO_PASSWORD).await;
    assert_eq!(right.body["status"], "LOCKED_OUT", "{}", right.body);
    assert!(right.body.get("sessionToken").is_none());
}

// The count is of consecutive failures: a success starts it again.
#[tokio::test]
async fn a_successful_sign_in_resets_the_failure_count() {
    let sb = sandbox("classic");
    for _ in 0..4 {
        sign_in(&sb, users::NORA.1, "Wrong-Password1").await;
    }
    assert_eq!(
        sign_in(&sb, users::NORA.1, DEMO_PASSWORD).await.body["status"],
        "SUCCESS"
    );
    for _ in 0..4 {
        let a = sign_in(&sb, users::NORA.1, "Wrong-Password1").await;
        assert_error(&a, StatusCode::UNAUTHORIZED, "E0000004");
    }
    assert_eq!(user_status(&sb, users::NORA.0), UserStatus::Active);
}

// authn-primary-locked-out.json, field for field: status and the `unlock` link only.
#[tokio::test]
async fn a_locked_user_gets_locked_out_with_the_unlock_link() {
    let sb = sandbox("classic");
    let a = sign_in(&sb, users::LUKE.1, DEMO_PASSWORD).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_eq!(
        a.body,
        json!({
            "status": "LOCKED_OUT",
            "_links": { "next": {
                "name": "unlock",
                "href": format!("{BASE}/api/v1/authn/recovery/unlock"),
                "hints": { "allow": ["POST"] }
            }}
        })
    );
}

// Sandbox policy (documented in the module): self-service unlock is off → 403 E0000006
// (errors-access-denied-E0000006.json).
#[tokio::test]
async fn self_service_unlock_is_not_enabled() {
    let sb = sandbox("classic");
    let a = public(
        &sb,
        &format!("{AUTHN}/recovery/unlock"),
        json!({ "username": users::LUKE.1, "factorType": "EMAIL" }),
    )
    .await;
    assert_error(&a, StatusCode::FORBIDDEN, "E0000006");
}

// ADOC: a 401 "for requests with invalid credentials, locked out accounts, or when access is
// denied"; a deactivated user with the right password gets E0000004.
#[tokio::test]
async fn a_deactivated_user_fails_like_a_wrong_password() {
    let sb = sandbox("classic");
    let a = sign_in(&sb, users::DANA.1, DEMO_PASSWORD).await;
    assert_error(&a, StatusCode::UNAUTHORIZED, "E0000004");
}

// ----- expired password -------------------------------------------------------------------

// authn-primary-password-expired.json (policy complexity, changePassword, cancel);
// errors-change-password-old-incorrect-E0000014.json; API-NOTES §5/§8 E0000080; ADOC "Change
// password" (plain strings, SUCCESS after).
#[tokio::test]
async fn an_expired_password_is_changed_then_the_user_is_in() {
    let sb = sandbox("classic");
    let a = sign_in(&sb, users::PAT.1, DEMO_PASSWORD).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_eq!(a.body["status"], "PASSWORD_EXPIRED");
    let complexity = &a.body["_embedded"]["policy"]["complexity"];
    assert_eq!(complexity["minLength"], 8);
    assert_eq!(complexity["minUpperCase"], 1);
    assert_eq!(a.body["_embedded"]["user"]["id"], users::PAT.0);
    assert_eq!(a.body["_links"]["next"]["name"], "changePassword");
    assert_eq!(
        a.body["_links"]["next"]["href"],
        format!("{BASE}/api/v1/authn/credentials/change_password")
    );
    assert_eq!(
        a.body["_links"]["cancel"]["href"],
        format!("{BASE}/api/v1/authn/cancel")
    );
    let token = state_token(&a);
    let change = format!("{AUTHN}/credentials/change_password");

    let wrong_old = public(
        &sb,
        &change,
        json!({ "stateToken": token, "oldPassword": "Not-It-1", "newPassword": "Fresh-Start-42" }),
    )
    .await;
    assert_error(&wrong_old, StatusCode::FORBIDDEN, "E0000014");
    assert_eq!(
        wrong_old.body["errorCauses"][0]["errorSummary"],
        "oldPassword: The credentials provided were incorrect."
    );

    let weak = public(
        &sb,
        &change,
        json!({ "stateToken": token, "oldPassword": DEMO_PASSWORD, "newPassword": "alllowercase1" }),
    )
    .await;
    assert_error(&weak, StatusCode::FORBIDDEN, "E0000080");
    assert_eq!(
        weak.body["errorSummary"],
        "The password does not meet the complexity requirements of the current password policy."
    );
    let cause = weak.body["errorCauses"][0]["errorSummary"]
        .as_str()
        .unwrap();
    assert!(
        cause.starts_with("password: Password requirements were not met.")
            && cause.contains("an uppercase letter"),
        "{cause}"
    );

    // The current password is part of the history the policy refuses.
    let same = public(
        &sb,
        &change,
        json!({ "stateToken": token, "oldPassword": DEMO_PASSWORD, "newPassword": DEMO_PASSWORD }),
    )
    .await;
    assert_error(&same, StatusCode::FORBIDDEN, "E0000080");

    let ok = public(
        &sb,
        &change,
        json!({ "stateToken": token, "oldPassword": DEMO_PASSWORD, "newPassword": "Fresh-Start-42" }),
    )
    .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    assert_eq!(ok.body["status"], "SUCCESS");
    assert!(ok.body["sessionToken"].is_string());
    assert_eq!(user_status(&sb, users::PAT.0), UserStatus::Active);
    assert!(logged(&sb, "user.account.update_password", "SUCCESS"));

    let again = sign_in(&sb, users::PAT.1, "Fresh-Start-42").await;
    assert_eq!(again.body["status"], "SUCCESS", "{}", again.body);
    let old = sign_in(&sb, users::PAT.1, DEMO_PASSWORD).await;
    assert_error(&old, StatusCode::UNAUTHORIZED, "E0000004");
}

// ADOC note: "Users are challenged for MFA (MFA_REQUIRED) before PASSWORD_EXPIRED if they have
// an active Factor enrollment."
#[tokio::test]
async fn mfa_comes_before_an_expired_password() {
    let sb = sandbox("classic");
    {
        let cell = sb.sandbox.org().user_by_id(users::VICTOR.0).unwrap();
        lock(&cell).status = UserStatus::PasswordExpired;
    }
    let token = victor_mfa(&sb).await;
    let code = sb.totp(VICTOR_TOTP_SECRET).await;
    let a = verify(
        &sb,
        VICTOR_TOTP,
        json!({ "stateToken": token, "passCode": code }),
    )
    .await;
    assert_eq!(a.body["status"], "PASSWORD_EXPIRED", "{}", a.body);
    assert_eq!(state_token(&a), token);
    let ok = public(
        &sb,
        &format!("{AUTHN}/credentials/change_password"),
        json!({ "stateToken": token, "oldPassword": DEMO_PASSWORD, "newPassword": "Fresh-Start-42" }),
    )
    .await;
    assert_eq!(ok.body["status"], "SUCCESS", "{}", ok.body);
}

// ADOC "State token": a call the state does not allow is 403 E0000079
// (authn-error-illegal-state-E0000079.json).
#[tokio::test]
async fn changing_a_password_outside_password_expired_is_refused() {
    let sb = sandbox("classic");
    let token = victor_mfa(&sb).await;
    let a = public(
        &sb,
        &format!("{AUTHN}/credentials/change_password"),
        json!({ "stateToken": token, "oldPassword": DEMO_PASSWORD, "newPassword": "Fresh-Start-42" }),
    )
    .await;
    assert_error(&a, StatusCode::FORBIDDEN, "E0000079");
    assert_eq!(
        a.body["errorCauses"][0]["errorSummary"],
        "This operation is not allowed in the current authentication state."
    );
}

// ----- MFA ----------------------------------------------------------------------------------

// authn-primary-mfa-required.json: `_embedded.factors` (array) with id, factorType, provider,
// profile (phones masked "+1 XXX-XXX-…", push with its device), a verify link each, `cancel`.
#[tokio::test]
async fn mfa_required_lists_the_factors_with_masked_phones() {
    let sb = sandbox("classic");
    let a = sign_in(&sb, users::VICTOR.1, DEMO_PASSWORD).await;
    assert_eq!(a.body["status"], "MFA_REQUIRED", "{}", a.body);
    assert!(a.body["stateToken"].as_str().unwrap().len() >= 20);
    assert!(a.body.get("sessionToken").is_none());
    assert_eq!(a.body["_embedded"]["user"]["id"], users::VICTOR.0);
    let factors = a.body["_embedded"]["factors"].as_array().unwrap();
    let by_id = |id: &str| factors.iter().find(|f| f["id"] == id).unwrap().clone();

    let sms = by_id(VICTOR_SMS);
    assert_eq!(sms["factorType"], "sms");
    assert_eq!(sms["provider"], "OKTA");
    assert_eq!(sms["profile"]["phoneNumber"], "+1 XXX-XXX-0134");
    assert_eq!(
        sms["_links"]["verify"],
        json!({
            "href": format!("{BASE}/api/v1/authn/factors/{VICTOR_SMS}/verify"),
            "hints": { "allow": ["POST"] }
        })
    );
    let push = by_id(VICTOR_PUSH);
    assert_eq!(push["factorType"], "push");
    assert_eq!(push["profile"]["deviceType"], "SmartPhone_IPhone");
    assert_eq!(push["profile"]["name"], "Victor's iPhone");
    assert_eq!(push["profile"]["platform"], "IOS");
    assert_eq!(push["profile"]["credentialId"], users::VICTOR.1);
    let totp = by_id(VICTOR_TOTP);
    assert_eq!(totp["factorType"], "token:software:totp");
    assert_eq!(totp["profile"]["credentialId"], users::VICTOR.1);
    assert!(factors.iter().all(|f| f.get("status").is_none()));
    assert_eq!(
        a.body["_links"],
        json!({ "cancel": {
            "href": format!("{BASE}/api/v1/authn/cancel"),
            "hints": { "allow": ["POST"] }
        }})
    );
}

// API-NOTES §1 (FastPass can't be used through the Factors API) and the brief: Authn never
// offers `signed_nonce`, and masks email addresses.
#[tokio::test]
async fn fastpass_is_not_offered_and_emails_are_masked() {
    let sb = sandbox("oie");
    let a = sign_in(&sb, users::OLIVIA.1, DEMO_PASSWORD).await;
    assert_eq!(a.body["status"], "MFA_REQUIRED", "{}", a.body);
    let factors = a.body["_embedded"]["factors"].as_array().unwrap();
    assert!(factors.iter().all(|f| f["factorType"] != "signed_nonce"));
    let email = factors.iter().find(|f| f["factorType"] == "email").unwrap();
    assert_eq!(email["profile"]["email"], "o...e@example.com");
}

// authn-verify-totp-success.json: a right TOTP code ends in SUCCESS with a sessionToken and no
// stateToken; the verification is logged (user.authentication.auth_via_mfa).
#[tokio::test]
async fn a_totp_code_completes_mfa() {
    let sb = sandbox("classic");
    let token = victor_mfa(&sb).await;
    let code = sb.totp(VICTOR_TOTP_SECRET).await;
    let a = verify(
        &sb,
        VICTOR_TOTP,
        json!({ "stateToken": token, "passCode": code }),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_eq!(a.body["status"], "SUCCESS");
    assert!(a.body["sessionToken"].is_string());
    assert!(a.body.get("stateToken").is_none());
    assert_eq!(a.body["_embedded"]["user"]["id"], users::VICTOR.0);
    assert!(logged(&sb, "user.authentication.auth_via_mfa", "SUCCESS"));
    assert_eq!(user_sessions(&sb, users::VICTOR.0), 1);

    // The transaction is over: verifying again is the wrong state (ADOC "State token").
    let again = verify(
        &sb,
        VICTOR_TOTP,
        json!({ "stateToken": token, "passCode": code }),
    )
    .await;
    assert_error(&again, StatusCode::FORBIDDEN, "E0000079");
}

// authn-verify-invalid-passcode-E0000068.json: wrong code → 403 E0000068 with Okta's cause;
// API-NOTES §8: a replayed code → 403 E0000082.
#[tokio::test]
async fn wrong_and_replayed_totp_codes_are_refused() {
    let sb = sandbox("classic");
    let token = victor_mfa(&sb).await;
    let code = sb.totp(VICTOR_TOTP_SECRET).await;
    let wrong: String = if code == "000000" {
        "111111".into()
    } else {
        "000000".into()
    };
    let bad = verify(
        &sb,
        VICTOR_TOTP,
        json!({ "stateToken": token, "passCode": wrong }),
    )
    .await;
    assert_error(&bad, StatusCode::FORBIDDEN, "E0000068");
    assert_eq!(bad.body["errorSummary"], "Invalid Passcode/Answer");
    assert_eq!(
        bad.body["errorCauses"],
        json!([{ "errorSummary": "Your passcode doesn't match our records. Please try again." }])
    );
    assert!(logged(&sb, "user.authentication.auth_via_mfa", "FAILURE"));

    let ok = verify(
        &sb,
        VICTOR_TOTP,
        json!({ "stateToken": token, "passCode": code }),
    )
    .await;
    assert_eq!(ok.body["status"], "SUCCESS", "{}", ok.body);

    let second = victor_mfa(&sb).await;
    let replay = verify(
        &sb,
        VICTOR_TOTP,
        json!({ "stateToken": second, "passCode": code }),
    )
    .await;
    assert_error(&replay, StatusCode::FORBIDDEN, "E0000082");
}

// ADOC "Verify SMS Factor": without passCode an SMS goes out and the answer is MFA_CHALLENGE
// with `_embedded.factor` (an object), next `verify`, cancel, prev, resend[] → /verify/resend;
// with the code from the SMS, SUCCESS.
#[tokio::test]
async fn an_sms_code_completes_mfa() {
    let sb = sandbox("classic");
    let token = victor_mfa(&sb).await;
    let a = verify(&sb, VICTOR_SMS, json!({ "stateToken": token })).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_eq!(a.body["status"], "MFA_CHALLENGE");
    assert!(a.body.get("factorResult").is_none());
    assert_eq!(state_token(&a), token);
    let factor = &a.body["_embedded"]["factor"];
    assert!(factor.is_object());
    assert_eq!(factor["id"], VICTOR_SMS);
    assert_eq!(factor["profile"]["phoneNumber"], "+1 XXX-XXX-0134");
    let href = format!("{BASE}/api/v1/authn/factors/{VICTOR_SMS}/verify");
    assert_eq!(a.body["_links"]["next"]["name"], "verify");
    assert_eq!(a.body["_links"]["next"]["href"], href);
    assert_eq!(
        a.body["_links"]["prev"]["href"],
        format!("{BASE}/api/v1/authn/previous")
    );
    assert_eq!(
        a.body["_links"]["cancel"]["href"],
        format!("{BASE}/api/v1/authn/cancel")
    );
    assert_eq!(
        a.body["_links"]["resend"],
        json!([{ "name": "sms", "href": format!("{href}/resend"), "hints": { "allow": ["POST"] } }])
    );

    let code = sb.last_message_to(VICTOR_PHONE).await["code"]
        .as_str()
        .unwrap()
        .to_string();
    let ok = verify(
        &sb,
        VICTOR_SMS,
        json!({ "stateToken": token, "passCode": code }),
    )
    .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    assert_eq!(ok.body["status"], "SUCCESS");
}

// ADOC "Resend SMS challenge" ("one SMS challenge per device every 30 seconds"); API-NOTES §8
// E0000109; the resend's new code verifies.
#[tokio::test]
async fn an_sms_resend_waits_thirty_seconds() {
    let sb = sandbox("classic");
    let token = victor_mfa(&sb).await;
    let first = verify(&sb, VICTOR_SMS, json!({ "stateToken": token })).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    let resend = format!("{}/resend", verify_path(VICTOR_SMS));

    let early = public(&sb, &resend, json!({ "stateToken": token })).await;
    assert_error(&early, StatusCode::TOO_MANY_REQUESTS, "E0000109");
    assert!(early.headers.contains_key("x-rate-limit-reset"));

    sb.advance(31).await;
    let later = public(&sb, &resend, json!({ "stateToken": token })).await;
    assert_eq!(later.status, StatusCode::OK, "{}", later.body);
    assert_eq!(later.body["status"], "MFA_CHALLENGE");
    let code = sb.last_message_to(VICTOR_PHONE).await["code"]
        .as_str()
        .unwrap()
        .to_string();
    let ok = verify(
        &sb,
        VICTOR_SMS,
        json!({ "stateToken": token, "passCode": code }),
    )
    .await;
    assert_eq!(ok.body["status"], "SUCCESS", "{}", ok.body);
}

// ADOC "State token" (E0000079): resend is for the factor being challenged only.
#[tokio::test]
async fn resend_without_a_challenge_is_refused() {
    let sb = sandbox("classic");
    let token = victor_mfa(&sb).await;
    let a = public(
        &sb,
        &format!("{}/resend", verify_path(VICTOR_SMS)),
        json!({ "stateToken": token }),
    )
    .await;
    assert_error(&a, StatusCode::FORBIDDEN, "E0000079");
}

// authn-verify-push-waiting.json and ADOC "Verify Push Factor" (3-number challenge):
// MFA_CHALLENGE, factorResult WAITING, `next` named `poll` to the same verify URL, resend[]
// named push, `_embedded.factor._embedded.challenge.correctAnswer`. Approving on the phone
// with that number ends the poll in SUCCESS.
#[tokio::test]
async fn a_push_approved_with_the_right_number_completes_mfa() {
    let sb = sandbox("classic");
    let (token, answer) = push_challenge(&sb).await;
    let poll = verify(&sb, VICTOR_PUSH, json!({ "stateToken": token })).await;
    assert_eq!(poll.body["status"], "MFA_CHALLENGE", "{}", poll.body);
    assert_eq!(poll.body["factorResult"], "WAITING");
    let href = format!("{BASE}/api/v1/authn/factors/{VICTOR_PUSH}/verify");
    assert_eq!(poll.body["_links"]["next"]["name"], "poll");
    assert_eq!(poll.body["_links"]["next"]["href"], href);
    assert_eq!(poll.body["_links"]["resend"][0]["name"], "push");
    assert_eq!(
        poll.body["_links"]["resend"][0]["href"],
        format!("{href}/resend")
    );
    let factor = &poll.body["_embedded"]["factor"];
    assert_eq!(factor["id"], VICTOR_PUSH);
    assert_eq!(factor["profile"]["name"], "Victor's iPhone");
    assert_eq!(
        factor["_embedded"]["challenge"]["correctAnswer"].as_u64(),
        Some(answer)
    );

    let push = pending_push(&sb).await;
    assert!(push["choices"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c.as_u64() == Some(answer)));
    let id = push["transactionId"].as_str().unwrap();
    let approved = sb
        .control(
            "POST",
            &format!("/sandbox/api/phone/pushes/{id}/approve"),
            Some(json!({ "number": answer })),
        )
        .await;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.body);

    let done = verify(&sb, VICTOR_PUSH, json!({ "stateToken": token })).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert_eq!(done.body["status"], "SUCCESS");
    assert!(done.body["sessionToken"].is_string());
}

// ADOC "Response example (rejected)": picking the wrong number rejects the push; the
// transaction stays in MFA_CHALLENGE with factorResult REJECTED and `next` named `verify`,
// which sends a new push.
#[tokio::test]
async fn a_push_answered_with_the_wrong_number_is_rejected() {
    let sb = sandbox("classic");
    let (token, answer) = push_challenge(&sb).await;
    let push = pending_push(&sb).await;
    let wrong = push["choices"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_u64)
        .find(|n| *n != answer)
        .unwrap();
    let id = push["transactionId"].as_str().unwrap();
    sb.control(
        "POST",
        &format!("/sandbox/api/phone/pushes/{id}/approve"),
        Some(json!({ "number": wrong })),
    )
    .await;
    let poll = verify(&sb, VICTOR_PUSH, json!({ "stateToken": token })).await;
    assert_eq!(poll.status, StatusCode::OK, "{}", poll.body);
    assert_eq!(poll.body["status"], "MFA_CHALLENGE");
    assert_eq!(poll.body["factorResult"], "REJECTED");
    assert_eq!(poll.body["_links"]["next"]["name"], "verify");
    assert!(poll.body["_embedded"]["factor"].get("_embedded").is_none());

    // Following `next` sends a new push.
    let again = verify(&sb, VICTOR_PUSH, json!({ "stateToken": token })).await;
    assert_eq!(again.body["factorResult"], "WAITING", "{}", again.body);
    assert_ne!(
        pending_push(&sb).await["transactionId"],
        push["transactionId"]
    );
}

// ADOC "Response example (rejected)": a denied push.
#[tokio::test]
async fn a_denied_push_is_rejected() {
    let sb = sandbox("classic");
    let (token, _) = push_challenge(&sb).await;
    let id = pending_push(&sb).await["transactionId"]
        .as_str()
        .unwrap()
        .to_string();
    let denied = sb
        .control(
            "POST",
            &format!("/sandbox/api/phone/pushes/{id}/deny"),
            None,
        )
        .await;
    assert_eq!(denied.status, StatusCode::OK, "{}", denied.body);
    let poll = verify(&sb, VICTOR_PUSH, json!({ "stateToken": token })).await;
    assert_eq!(poll.body["status"], "MFA_CHALLENGE", "{}", poll.body);
    assert_eq!(poll.body["factorResult"], "REJECTED");
    // Reading the transaction back shows the same outcome (ADOC "Get transaction state").
    let state = public(&sb, AUTHN, json!({ "stateToken": token })).await;
    assert_eq!(state.body["factorResult"], "REJECTED", "{}", state.body);
}

// ADOC "Response example (timeout)": a push nobody answers times out (5 minutes); polling keeps
// the state token alive meanwhile.
#[tokio::test]
async fn an_unanswered_push_times_out() {
    let sb = sandbox("classic");
    let (token, _) = push_challenge(&sb).await;
    sb.advance(240).await;
    let waiting = verify(&sb, VICTOR_PUSH, json!({ "stateToken": token })).await;
    assert_eq!(waiting.body["factorResult"], "WAITING", "{}", waiting.body);
    sb.advance(120).await;
    let timeout = verify(&sb, VICTOR_PUSH, json!({ "stateToken": token })).await;
    assert_eq!(timeout.status, StatusCode::OK, "{}", timeout.body);
    assert_eq!(timeout.body["status"], "MFA_CHALLENGE");
    assert_eq!(timeout.body["factorResult"], "TIMEOUT");
    assert_eq!(timeout.body["_links"]["next"]["name"], "verify");
}

// ADOC "Previous transaction state" and "Cancel transaction": back from MFA_CHALLENGE to
// MFA_REQUIRED; cancel revokes the state token (then 401 E0000011). The cancel body is
// okta-auth-js `test/support/xhr/cancel.js`.
#[tokio::test]
async fn previous_goes_back_and_cancel_revokes_the_token() {
    let sb = sandbox("classic");
    let (token, _) = push_challenge(&sb).await;
    let back = public(
        &sb,
        &format!("{AUTHN}/previous"),
        json!({ "stateToken": token }),
    )
    .await;
    assert_eq!(back.status, StatusCode::OK, "{}", back.body);
    assert_eq!(back.body["status"], "MFA_REQUIRED");
    // The push that was waiting is withdrawn from the phone.
    let phone = sb.control("GET", "/sandbox/api/phone", None).await.body;
    assert_eq!(phone["pushes"], json!([]));
    // There is nothing further back.
    let none = public(
        &sb,
        &format!("{AUTHN}/previous"),
        json!({ "stateToken": token }),
    )
    .await;
    assert_error(&none, StatusCode::FORBIDDEN, "E0000079");

    let cancelled = public(
        &sb,
        &format!("{AUTHN}/cancel"),
        json!({ "stateToken": token }),
    )
    .await;
    assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.body);
    assert_eq!(cancelled.body, json!({ "relayState": "" }));
    let after = verify(&sb, VICTOR_PUSH, json!({ "stateToken": token })).await;
    assert_error(&after, StatusCode::UNAUTHORIZED, "E0000011");
}

// ADOC "State token": expired state tokens give 401 E0000011
// (authn-error-invalid-state-token-E0000011.json); the lifetime slides with each request.
#[tokio::test]
async fn state_tokens_expire_five_minutes_after_their_last_use() {
    let sb = sandbox("classic");
    let token = victor_mfa(&sb).await;
    sb.advance(240).await;
    let read = public(&sb, AUTHN, json!({ "stateToken": token })).await;
    assert_eq!(read.body["status"], "MFA_REQUIRED", "{}", read.body);
    sb.advance(240).await;
    let still = public(&sb, AUTHN, json!({ "stateToken": token })).await;
    assert_eq!(still.status, StatusCode::OK, "{}", still.body);

    sb.advance(6 * 60).await;
    let code = sb.totp(VICTOR_TOTP_SECRET).await;
    let expired = verify(
        &sb,
        VICTOR_TOTP,
        json!({ "stateToken": token, "passCode": code }),
    )
    .await;
    assert_error(&expired, StatusCode::UNAUTHORIZED, "E0000011");
    assert_eq!(expired.body["errorSummary"], "Invalid token provided");
    let made_up = verify(
        &sb,
        VICTOR_TOTP,
        json!({ "stateToken": "00notatoken", "passCode": code }),
    )
    .await;
    assert_error(&made_up, StatusCode::UNAUTHORIZED, "E0000011");
}

// Sandbox rule (UNCONFIRMED code): a user deactivated during sign-in gets no session; the
// state token is revoked (401 E0000011, as for any revoked token in ADOC "State token").
#[tokio::test]
async fn a_user_deactivated_mid_sign_in_gets_no_session() {
    let sb = sandbox("classic");
    let token = victor_mfa(&sb).await;
    {
        let cell = sb.sandbox.org().user_by_id(users::VICTOR.0).unwrap();
        lock(&cell).status = UserStatus::Deprovisioned;
    }
    let code = sb.totp(VICTOR_TOTP_SECRET).await;
    let a = verify(
        &sb,
        VICTOR_TOTP,
        json!({ "stateToken": token, "passCode": code }),
    )
    .await;
    assert_error(&a, StatusCode::UNAUTHORIZED, "E0000011");
    assert_eq!(user_sessions(&sb, users::VICTOR.0), 0);
}

// ----- access -------------------------------------------------------------------------------

// API-NOTES §5: public apps send no Authorization header, trusted apps send SSWS; a wrong token
// is still 401 E0000011, and only the Authn API is open without one.
#[tokio::test]
async fn authn_is_open_to_public_apps_but_not_to_wrong_tokens() {
    let sb = sandbox("classic");
    let body = json!({ "username": users::NORA.1, "password": DEMO_PASSWORD });
    let public_app = sb.call("POST", AUTHN, Some(body.clone()), None, &[]).await;
    assert_eq!(public_app.status, StatusCode::OK, "{}", public_app.body);
    let trusted = sb.okta("POST", AUTHN, Some(body.clone())).await;
    assert_eq!(trusted.status, StatusCode::OK, "{}", trusted.body);
    assert_eq!(trusted.body["status"], "SUCCESS");

    let wrong = sb
        .call("POST", AUTHN, Some(body.clone()), Some("wrong"), &[])
        .await;
    assert_error(&wrong, StatusCode::UNAUTHORIZED, "E0000011");
    let bearer = sb
        .call(
            "POST",
            AUTHN,
            Some(body),
            None,
            &[("authorization", "Bearer x")],
        )
        .await;
    assert_error(&bearer, StatusCode::UNAUTHORIZED, "E0000011");

    let other = sb
        .call(
            "GET",
            &format!("/api/v1/users/{}/factors", users::NORA.0),
            None,
            None,
            &[],
        )
        .await;
    assert_error(&other, StatusCode::UNAUTHORIZED, "E0000011");
}

// ----- sessions -----------------------------------------------------------------------------

// SPEC clearUserSessions: DELETE /api/v1/users/{userId}/sessions → 204, every session gone,
// logged as user.session.clear; needs the API token.
#[tokio::test]
async fn sign_out_everywhere_clears_every_session() {
    let sb = sandbox("classic");
    for _ in 0..2 {
        let a = sign_in(&sb, users::NORA.1, DEMO_PASSWORD).await;
        assert_eq!(a.body["status"], "SUCCESS");
    }
    assert_eq!(user_sessions(&sb, users::NORA.0), 2);
    let path = format!("/api/v1/users/{}/sessions", users::NORA.0);
    let public_app = sb.call("DELETE", &path, None, None, &[]).await;
    assert_error(&public_app, StatusCode::UNAUTHORIZED, "E0000011");

    let a = sb.okta("DELETE", &path, None).await;
    assert_eq!(a.status, StatusCode::NO_CONTENT, "{}", a.body);
    assert_eq!(user_sessions(&sb, users::NORA.0), 0);
    assert!(logged(&sb, "user.session.clear", "SUCCESS"));

    let missing = sb
        .okta(
            "DELETE",
            "/api/v1/users/00unobody00000000000/sessions",
            None,
        )
        .await;
    assert_error(&missing, StatusCode::NOT_FOUND, "E0000007");
}

// API-NOTES §3: a temporary access code lets a user who lost every device sign in (OIE);
// it is spent on use unless multi-use.
#[tokio::test]
async fn a_temporary_access_code_signs_in_once() {
    let sb = sandbox("oie");
    let tac = sb
        .okta(
            "POST",
            &format!("/api/v1/users/{}/authenticator-enrollments/tac", users::VICTOR.0),
            Some(json!({"authenticatorId": "aut1tac0000000000000", "profile": {"ttl": "60", "multiUse": false}})),
        )
        .await;
    assert_eq!(tac.status, StatusCode::OK, "{}", tac.body);
    let code = tac.body["profile"]["tac"].as_str().unwrap().to_string();
    // Victor has factors, yet the code alone completes the sign-in.
    let a = sign_in(&sb, users::VICTOR.1, &code).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_eq!(a.body["status"], "SUCCESS");
    let again = sign_in(&sb, users::VICTOR.1, &code).await;
    assert_error(&again, StatusCode::UNAUTHORIZED, "E0000004");
}
