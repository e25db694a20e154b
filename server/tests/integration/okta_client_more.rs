//! The rest of the Okta client over HTTP against the sandbox: every public method that
//! `okta_client.rs` does not already drive — authenticator enrollments, the Authenticators API,
//! the Authn state machine, the Users API and System Log, and the Factors calls left over
//! (activation links, resend after the cooldown, a timed-out push activation, SMS and
//! security-question verification). Each asserts what Keyport relies on, including which
//! `OktaError` variant an Okta refusal becomes.

use crate::support::{live_sandbox, LiveSandbox};
use serde_json::{json, Value};
use server::okta::types::*;
use server::okta::{
    ActivationChannel, AuthnVerifyQuery, CallContext, OktaError, RateLimitScope, UserQuery,
    VerifyQuery,
};
use server::sandbox::seed::{users, DEMO_PASSWORD, VICTOR_TOTP_SECRET};

const PHONE_AUTHENTICATOR: &str = "aut1phone00000000000";
const TAC_AUTHENTICATOR: &str = "aut1tac0000000000000";
const OKTA_VERIFY_AUTHENTICATOR: &str = "aut1oktaverify000000";
const GOOGLE_OTP_AUTHENTICATOR: &str = "aut1googleotp0000000";
const VICTOR_PUSH: &str = "opf1victor0iphone000";
const VICTOR_TOTP: &str = "ost1victor0iphone000";
const VICTOR_SMS: &str = "mbl1victor0sms000000";
const VICTOR_PHONE: &str = "+14155550134";

fn ctx() -> CallContext {
    CallContext {
        user_agent: Some("keyport-tests".into()),
        accept_language: Some("en-US".into()),
        forwarded_for: Some("203.0.113.9".into()),
    }
}

/// Every outbox message sent to `to`, oldest first.
async fn messages_to(sb: &LiveSandbox, to: &str) -> Vec<Value> {
    let outbox = sb.control("GET", "/sandbox/api/outbox", None).await;
    outbox
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["to"] == to)
        .cloned()
        .collect()
}

async fn advance(sb: &LiveSandbox, seconds: i64) {
    sb.control(
        "POST",
        "/sandbox/api/clock/advance",
        Some(json!({ "seconds": seconds })),
    )
    .await;
}

/// The waiting push the virtual phone shows for a factor.
async fn pending_push(sb: &LiveSandbox, factor_id: &str) -> Value {
    let phone = sb.control("GET", "/sandbox/api/phone", None).await;
    phone["pushes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["factorId"] == factor_id)
        .cloned()
        .unwrap_or_else(|| panic!("no pending push for {factor_id} in {phone}"))
}

/// The one-time token at the end of a push activation's QR link.
fn qr_token(href: &str) -> String {
    href.rsplit('/').next().unwrap().to_string()
}

/// The phone scans the QR code of a pending push activation.
async fn scan(sb: &LiveSandbox, qr_href: &str) {
    let token = qr_token(qr_href);
    let payload = sb
        .control("GET", &format!("/sandbox/api/activations/{token}"), None)
        .await;
    sb.control(
        "POST",
        "/sandbox/api/phone/scan",
        Some(json!({ "payload": payload["payload"], "deviceName": "Test Pixel" })),
    )
    .await;
}

fn cause_of(err: &OktaError) -> Vec<String> {
    err.body().map(|b| b.causes()).unwrap_or_default()
}

// ----- authenticator enrollments (API-NOTES §3) ---------------------------------------------

#[tokio::test]
async fn enrollments_are_listed_masked_or_disclosed_read_and_deleted() {
    let sb = live_sandbox("oie", |_| {}).await;
    let victor = users::VICTOR.0;
    let masked = sb.client.list_enrollments(victor, false).await.unwrap();
    let phone = masked
        .iter()
        .find(|e| e.key == AuthenticatorKey::PhoneNumber)
        .unwrap();
    assert_eq!(phone.authenticator_type, AuthenticatorType::Phone);
    assert_eq!(
        phone.profile.phone_number.as_deref(),
        Some("+1 XXX-XXX-0134")
    );
    assert!(masked
        .iter()
        .any(|e| e.key == AuthenticatorKey::OktaVerify && e.id == VICTOR_PUSH));
    assert!(masked
        .iter()
        .any(|e| e.key == AuthenticatorKey::OktaPassword));

    let disclosed = sb.client.list_enrollments(victor, true).await.unwrap();
    let phone = disclosed
        .iter()
        .find(|e| e.key == AuthenticatorKey::PhoneNumber)
        .unwrap();
    assert_eq!(phone.profile.phone_number.as_deref(), Some(VICTOR_PHONE));

    let one = sb
        .client
        .get_enrollment(victor, &phone.id, false)
        .await
        .unwrap();
    assert_eq!(one.id, phone.id);
    assert_eq!(one.status, LifecycleStatus::Active);
    assert_eq!(one.profile.phone_number.as_deref(), Some("+1 XXX-XXX-0134"));
    let one = sb
        .client
        .get_enrollment(victor, &phone.id, true)
        .await
        .unwrap();
    assert_eq!(one.profile.phone_number.as_deref(), Some(VICTOR_PHONE));

    // Deleting the Okta Verify enrollment removes the device's push, TOTP and FastPass.
    sb.client
        .delete_enrollment(victor, VICTOR_PUSH)
        .await
        .unwrap();
    let factors = sb.client.list_factors(victor).await.unwrap();
    assert_eq!(factors.len(), 1, "only the SMS factor is left: {factors:?}");
    assert_eq!(factors[0].factor_type, FactorType::Sms);
    let gone = sb
        .client
        .get_enrollment(victor, VICTOR_PUSH, false)
        .await
        .unwrap_err();
    assert!(matches!(gone, OktaError::NotFound(_)), "{gone:?}");
}

#[tokio::test]
async fn a_phone_enrollment_is_active_at_once_and_a_tac_is_shown_once() {
    let sb = live_sandbox("oie", |_| {}).await;
    let nora = users::NORA.0;
    let phone = sb
        .client
        .create_phone_enrollment(
            nora,
            &CreatePhoneEnrollmentRequest::new(PHONE_AUTHENTICATOR, "+14155550111"),
        )
        .await
        .unwrap();
    assert_eq!(phone.status, LifecycleStatus::Active);
    assert_eq!(phone.key, AuthenticatorKey::PhoneNumber);
    assert_eq!(
        phone.profile.phone_number.as_deref(),
        Some("+1 XXX-XXX-0111")
    );
    assert!(
        messages_to(&sb, "+14155550111").await.is_empty(),
        "no code is sent"
    );
    let factors = sb.client.list_factors(nora).await.unwrap();
    assert!(factors
        .iter()
        .any(|f| f.factor_type == FactorType::Sms && f.is_active()));

    let bad = sb
        .client
        .create_phone_enrollment(
            nora,
            &CreatePhoneEnrollmentRequest::new(PHONE_AUTHENTICATOR, "415-555"),
        )
        .await
        .unwrap_err();
    assert!(matches!(bad, OktaError::InvalidPhone(_)), "{bad:?}");

    let tac = sb
        .client
        .create_tac(nora, &CreateTacRequest::new(TAC_AUTHENTICATOR, 30, false))
        .await
        .unwrap();
    assert_eq!(tac.key, AuthenticatorKey::Tac);
    assert_eq!(tac.profile.multi_use, Some(false));
    assert!(tac.profile.expires_at.is_some());
    let code = tac.tac().unwrap().to_string();
    assert!(!code.is_empty());
    // Listed afterwards without the code.
    let listed = sb
        .client
        .get_enrollment(nora, &tac.id, false)
        .await
        .unwrap();
    assert_eq!(listed.key, AuthenticatorKey::Tac);
    assert!(!listed.profile.other.contains_key("tac"));
}

// ----- authenticators (API-NOTES §4) --------------------------------------------------------

#[tokio::test]
async fn authenticators_are_listed_read_and_switched() {
    let sb = live_sandbox("oie", |_| {}).await;
    let all = sb.client.list_authenticators().await.unwrap();
    assert_eq!(all.len(), 9, "{all:?}");
    assert!(all.iter().all(Authenticator::is_active));
    let phone = sb
        .client
        .get_authenticator(PHONE_AUTHENTICATOR)
        .await
        .unwrap();
    assert_eq!(phone.key, AuthenticatorKey::PhoneNumber);
    assert_eq!(phone.authenticator_type, AuthenticatorType::Phone);

    let off = sb
        .client
        .deactivate_authenticator(GOOGLE_OTP_AUTHENTICATOR)
        .await
        .unwrap();
    assert_eq!(off.status, LifecycleStatus::Inactive);
    assert!(off.links.activate.is_some());
    let on = sb
        .client
        .activate_authenticator(GOOGLE_OTP_AUTHENTICATOR)
        .await
        .unwrap();
    assert!(on.is_active());

    // A policy uses Okta Verify: E0000148.
    let refused = sb
        .client
        .deactivate_authenticator(OKTA_VERIFY_AUTHENTICATOR)
        .await
        .unwrap_err();
    assert!(
        matches!(refused, OktaError::AuthenticatorInUse(ref b) if b.error_code == "E0000148"),
        "{refused:?}"
    );
    assert!(sb
        .client
        .get_authenticator(OKTA_VERIFY_AUTHENTICATOR)
        .await
        .unwrap()
        .is_active());

    let methods = sb
        .client
        .authenticator_methods(OKTA_VERIFY_AUTHENTICATOR)
        .await
        .unwrap();
    let types: Vec<_> = methods.iter().map(|m| m.method_type.clone()).collect();
    assert_eq!(
        types,
        vec![
            AuthenticatorMethodType::Push,
            AuthenticatorMethodType::Totp,
            AuthenticatorMethodType::SignedNonce
        ]
    );
    assert!(methods.iter().all(AuthenticatorMethod::is_active));
    let missing = sb
        .client
        .get_authenticator("aut1nosuchthing00000")
        .await
        .unwrap_err();
    assert!(matches!(missing, OktaError::NotFound(_)), "{missing:?}");
}

#[tokio::test]
async fn a_classic_org_refuses_the_identity_engine_apis() {
    let sb = live_sandbox("classic", |_| {}).await;
    let authenticators = sb.client.list_authenticators().await.unwrap_err();
    assert!(
        matches!(authenticators, OktaError::Forbidden(ref b) if b.error_code == "E0000015"),
        "{authenticators:?}"
    );
    let enrollments = sb
        .client
        .list_enrollments(users::VICTOR.0, false)
        .await
        .unwrap_err();
    assert!(
        matches!(enrollments, OktaError::Forbidden(_)),
        "{enrollments:?}"
    );
}

// ----- Authn (API-NOTES §5) -----------------------------------------------------------------

async fn sign_in(
    sb: &LiveSandbox,
    login: &str,
    password: &str,
) -> Result<AuthnTransaction, OktaError> {
    sb.client
        .authn_primary(&AuthnRequest::new(login, password), &ctx())
        .await
}

fn state(tx: &AuthnTransaction) -> Secret {
    tx.state_token.clone().expect("a state token")
}

#[tokio::test]
async fn primary_authentication_reaches_each_status() {
    let sb = live_sandbox("classic", |_| {}).await;
    let ok = sign_in(&sb, users::NORA.1, DEMO_PASSWORD).await.unwrap();
    assert_eq!(ok.status, AuthnStatus::Success);
    assert!(ok.session_token.is_some() && ok.state_token.is_none());
    assert_eq!(ok.user().unwrap().id, users::NORA.0);

    let mfa = sign_in(&sb, users::VICTOR.1, DEMO_PASSWORD).await.unwrap();
    assert_eq!(mfa.status, AuthnStatus::MfaRequired);
    assert!(mfa.state_token.is_some());
    let offered: Vec<_> = mfa
        .factors()
        .iter()
        .map(|f| f.factor_type.clone())
        .collect();
    assert!(offered.contains(&FactorType::Push) && offered.contains(&FactorType::Sms));
    let sms = mfa
        .factors()
        .into_iter()
        .find(|f| f.factor_type == FactorType::Sms)
        .unwrap();
    assert_eq!(sms.profile.phone_number.as_deref(), Some("+1 XXX-XXX-0134"));

    let expired = sign_in(&sb, users::PAT.1, DEMO_PASSWORD).await.unwrap();
    assert_eq!(expired.status, AuthnStatus::PasswordExpired);

    let locked = sign_in(&sb, users::LUKE.1, DEMO_PASSWORD).await.unwrap();
    assert_eq!(locked.status, AuthnStatus::LockedOut);
    assert!(locked.links.next_named("unlock").is_some());

    let failed = sign_in(&sb, users::NORA.1, "not-the-password")
        .await
        .unwrap_err();
    assert!(
        matches!(failed, OktaError::AuthenticationFailed(ref b) if b.error_code == "E0000004"),
        "{failed:?}"
    );
    let unknown = sign_in(&sb, "nobody@example.com", DEMO_PASSWORD)
        .await
        .unwrap_err();
    assert!(matches!(unknown, OktaError::AuthenticationFailed(_)));
}

#[tokio::test]
async fn authn_mfa_with_totp_previous_and_cancel() {
    let sb = live_sandbox("classic", |_| {}).await;
    let mfa = sign_in(&sb, users::VICTOR.1, DEMO_PASSWORD).await.unwrap();
    let token = state(&mfa);

    // An SMS challenge, then back to the choice of factor.
    let challenge = sb
        .client
        .authn_verify(
            VICTOR_SMS,
            &AuthnVerifyRequest::state_only(token.clone()),
            &AuthnVerifyQuery::default(),
            &ctx(),
        )
        .await
        .unwrap();
    assert_eq!(challenge.status, AuthnStatus::MfaChallenge);
    let back = sb.client.authn_previous(&token).await.unwrap();
    assert_eq!(back.status, AuthnStatus::MfaRequired);
    let again = sb.client.authn_previous(&token).await.unwrap_err();
    assert!(
        matches!(again, OktaError::Forbidden(ref b) if b.error_code == "E0000079"),
        "{again:?}"
    );

    let wrong = sb
        .client
        .authn_verify(
            VICTOR_TOTP,
            &AuthnVerifyRequest::pass_code(token.clone(), "000000"),
            &AuthnVerifyQuery::default(),
            &ctx(),
        )
        .await
        .unwrap_err();
    assert!(matches!(wrong, OktaError::InvalidPasscode(_)), "{wrong:?}");
    let code = sb.totp(VICTOR_TOTP_SECRET).await;
    let done = sb
        .client
        .authn_verify(
            VICTOR_TOTP,
            &AuthnVerifyRequest::pass_code(token.clone(), code),
            &AuthnVerifyQuery {
                remember_device: true,
                auto_push: false,
            },
            &ctx(),
        )
        .await
        .unwrap();
    assert_eq!(done.status, AuthnStatus::Success);
    assert!(done.session_token.is_some());

    // A second transaction, cancelled: its token is dead.
    let mfa = sign_in(&sb, users::VICTOR.1, DEMO_PASSWORD).await.unwrap();
    let token = state(&mfa);
    sb.client.authn_cancel(&token).await.unwrap();
    let dead = sb.client.authn_previous(&token).await.unwrap_err();
    assert!(matches!(dead, OktaError::InvalidToken(_)), "{dead:?}");
}

/// An Authn verify call with the state token only: sends a push, or polls the waiting one.
async fn authn_poll(sb: &LiveSandbox, factor_id: &str, token: &Secret) -> AuthnTransaction {
    sb.client
        .authn_verify(
            factor_id,
            &AuthnVerifyRequest::state_only(token.clone()),
            &AuthnVerifyQuery::default(),
            &ctx(),
        )
        .await
        .unwrap()
}

/// The number a waiting Authn push asks the user to pick.
fn correct_answer(tx: &AuthnTransaction) -> u32 {
    tx.factors()[0]
        .embedded
        .as_ref()
        .and_then(|e| e.challenge.as_ref())
        .and_then(|c| c.correct_answer)
        .expect("a number to match")
}

#[tokio::test]
async fn authn_push_is_polled_until_the_phone_approves_the_number() {
    let sb = live_sandbox("classic", |_| {}).await;
    let mfa = sign_in(&sb, users::VICTOR.1, DEMO_PASSWORD).await.unwrap();
    let token = state(&mfa);
    let waiting = authn_poll(&sb, VICTOR_PUSH, &token).await;
    assert_eq!(waiting.status, AuthnStatus::MfaChallenge);
    assert_eq!(waiting.factor_result, Some(FactorResult::Waiting));
    assert!(waiting.links.next_named("poll").is_some());
    let first_number = correct_answer(&waiting);
    assert!((10..100).contains(&first_number));
    // Still waiting while nobody has answered.
    assert_eq!(
        authn_poll(&sb, VICTOR_PUSH, &token).await.factor_result,
        Some(FactorResult::Waiting)
    );

    // Another push replaces the first (the resend link of a push).
    let first = pending_push(&sb, VICTOR_PUSH).await;
    let resent = sb
        .client
        .authn_resend(VICTOR_PUSH, &token, &ctx())
        .await
        .unwrap();
    assert_eq!(resent.factor_result, Some(FactorResult::Waiting));
    let push = pending_push(&sb, VICTOR_PUSH).await;
    assert_ne!(push["transactionId"], first["transactionId"]);
    let number = correct_answer(&resent);
    sb.control(
        "POST",
        &format!(
            "/sandbox/api/phone/pushes/{}/approve",
            push["transactionId"].as_str().unwrap()
        ),
        Some(json!({ "number": number })),
    )
    .await;
    let done = authn_poll(&sb, VICTOR_PUSH, &token).await;
    assert_eq!(done.status, AuthnStatus::Success, "{done:?}");
    assert!(done.session_token.is_some());
}

#[tokio::test]
async fn authn_sms_resend_waits_for_the_cooldown() {
    let sb = live_sandbox("classic", |_| {}).await;
    let mfa = sign_in(&sb, users::VICTOR.1, DEMO_PASSWORD).await.unwrap();
    let token = state(&mfa);
    sb.client
        .authn_verify(
            VICTOR_SMS,
            &AuthnVerifyRequest::state_only(token.clone()),
            &AuthnVerifyQuery::default(),
            &ctx(),
        )
        .await
        .unwrap();
    let early = sb
        .client
        .authn_resend(VICTOR_SMS, &token, &ctx())
        .await
        .unwrap_err();
    assert!(
        matches!(
            early,
            OktaError::RateLimited {
                scope: RateLimitScope::MessageCooldown,
                ..
            }
        ),
        "{early:?}"
    );
    advance(&sb, 31).await;
    let resent = sb
        .client
        .authn_resend(VICTOR_SMS, &token, &ctx())
        .await
        .unwrap();
    assert_eq!(resent.status, AuthnStatus::MfaChallenge);
    assert_eq!(messages_to(&sb, VICTOR_PHONE).await.len(), 2);
    let code = sb.outbox_code_to(VICTOR_PHONE).await;
    let done = sb
        .client
        .authn_verify(
            VICTOR_SMS,
            &AuthnVerifyRequest::pass_code(token, code),
            &AuthnVerifyQuery::default(),
            &ctx(),
        )
        .await
        .unwrap();
    assert_eq!(done.status, AuthnStatus::Success);
}

#[tokio::test]
async fn an_expired_password_is_changed_through_authn() {
    let sb = live_sandbox("classic", |_| {}).await;
    let expired = sign_in(&sb, users::PAT.1, DEMO_PASSWORD).await.unwrap();
    let token = state(&expired);
    let change = |old: &str, new: &str| AuthnChangePasswordRequest {
        state_token: token.clone(),
        old_password: old.into(),
        new_password: new.into(),
    };
    let wrong = sb
        .client
        .authn_change_password(&change("Wrong!Pass1", "Brand!New42"), &ctx())
        .await
        .unwrap_err();
    assert!(matches!(wrong, OktaError::WrongPassword(_)), "{wrong:?}");
    let weak = sb
        .client
        .authn_change_password(&change(DEMO_PASSWORD, "short"), &ctx())
        .await
        .unwrap_err();
    assert!(
        matches!(weak, OktaError::PasswordPolicy { ref causes, .. } if !causes.is_empty()),
        "{weak:?}"
    );
    let done = sb
        .client
        .authn_change_password(&change(DEMO_PASSWORD, "Brand!New42"), &ctx())
        .await
        .unwrap();
    assert_eq!(done.status, AuthnStatus::Success);
    let again = sign_in(&sb, users::PAT.1, "Brand!New42").await.unwrap();
    assert_eq!(again.status, AuthnStatus::Success);
}

// ----- users (API-NOTES §6) -----------------------------------------------------------------

#[tokio::test]
async fn users_are_read_by_id_and_login_and_updated() {
    let sb = live_sandbox("oie", |_| {}).await;
    let by_id = sb.client.get_user(users::VICTOR.0).await.unwrap();
    let by_login = sb.client.get_user(users::VICTOR.1).await.unwrap();
    assert_eq!(by_id.id, users::VICTOR.0);
    assert_eq!(by_login.id, users::VICTOR.0);
    assert_eq!(by_id.status, UserStatus::Active);
    assert_eq!(by_id.profile.login, users::VICTOR.1);
    assert_eq!(by_id.profile.mobile_phone.as_deref(), Some(VICTOR_PHONE));
    let missing = sb.client.get_user("nobody@example.com").await.unwrap_err();
    assert!(matches!(missing, OktaError::NotFound(_)), "{missing:?}");

    let updated = sb
        .client
        .update_user_profile(
            users::VICTOR.0,
            &UpdateUserRequest::new()
                .set("nickName", "Vic")
                .set("firstName", "Viktor"),
        )
        .await
        .unwrap();
    assert_eq!(updated.profile.first_name.as_deref(), Some("Viktor"));
    assert_eq!(updated.profile.other.get("nickName"), Some(&json!("Vic")));
    assert_eq!(
        updated.profile.last_name.as_deref(),
        Some("Verify"),
        "partial"
    );

    // Another user's login: E0000001 with Okta's cause, which is a validation failure (the
    // "already set up" causes that mean AlreadyEnrolled are about factors, not profiles).
    let taken = sb
        .client
        .update_user_profile(
            users::VICTOR.0,
            &UpdateUserRequest::new().set("login", users::TINA.1),
        )
        .await
        .unwrap_err();
    assert!(matches!(taken, OktaError::Validation { .. }), "{taken:?}");
    assert_eq!(
        cause_of(&taken),
        vec!["login: An object with this field already exists in the current organization"]
    );
}

#[tokio::test]
async fn passwords_change_with_the_old_one_only_and_within_the_policy() {
    let sb = live_sandbox("oie", |_| {}).await;
    let nora = users::NORA.0;
    let wrong = sb
        .client
        .change_password(
            nora,
            &ChangePasswordRequest::new("Wrong!Pass1", "Brand!New42", false),
            false,
        )
        .await
        .unwrap_err();
    assert!(matches!(wrong, OktaError::WrongPassword(_)), "{wrong:?}");
    let weak = sb
        .client
        .change_password(
            nora,
            &ChangePasswordRequest::new(DEMO_PASSWORD, "password", false),
            true,
        )
        .await
        .unwrap_err();
    assert!(matches!(weak, OktaError::PasswordPolicy { .. }), "{weak:?}");
    let changed = sb
        .client
        .change_password(
            nora,
            &ChangePasswordRequest::new(DEMO_PASSWORD, "Brand!New42", true),
            false,
        )
        .await
        .unwrap();
    assert_eq!(
        changed.provider.and_then(|p| p.provider_type).as_deref(),
        Some("OKTA")
    );
    let events = sb.client.user_log_events(nora, None, 20).await.unwrap();
    assert!(
        events
            .iter()
            .any(|e| e.event_type == "user.account.update_password"),
        "{events:?}"
    );
}

#[tokio::test]
async fn groups_and_paged_search() {
    let sb = live_sandbox("oie", |_| {}).await;
    let groups = sb.client.user_groups(users::ADAM.0).await.unwrap();
    let names: Vec<_> = groups.iter().map(|g| g.profile.name.as_str()).collect();
    assert!(names.contains(&"Keyport Admins") && names.contains(&"Everyone"));

    let since = sb.last_seq().await;
    let found = sb
        .client
        .search_users(&UserQuery {
            limit: Some(2),
            ..Default::default()
        })
        .await
        .unwrap();
    let mut ids: Vec<_> = found.iter().map(|u| u.id.as_str()).collect();
    ids.sort_unstable();
    let mut expected = vec![
        users::NORA.0,
        users::VICTOR.0,
        users::OLIVIA.0,
        users::TINA.0,
        users::ADAM.0,
        users::LUKE.0,
        users::PAT.0,
    ];
    expected.sort_unstable();
    // Every active-ish user, once; the deactivated one is left out without a search.
    assert_eq!(ids, expected);
    let pages = sb.requests(since, "/api/v1/users").await;
    assert_eq!(pages.len(), 4, "7 users, 2 per page: {pages:?}");
    assert!(pages.iter().all(|r| r["status"] == 200));

    let searched = sb
        .client
        .search_users(&UserQuery {
            search: Some(r#"profile.lastName eq "Deactivated""#.into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(searched.len(), 1);
    assert_eq!(searched[0].status, UserStatus::Deprovisioned);
    let q = sb
        .client
        .search_users(&UserQuery {
            q: Some("tina".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(q.len(), 1);
    assert_eq!(q[0].id, users::TINA.0);
}

#[tokio::test]
async fn admin_lifecycle_calls_and_the_system_log() {
    let sb = live_sandbox("classic", |_| {}).await;
    // Reset factors.
    sb.client.reset_factors(users::VICTOR.0).await.unwrap();
    assert!(sb
        .client
        .list_factors(users::VICTOR.0)
        .await
        .unwrap()
        .is_empty());
    let dana = sb.client.reset_factors(users::DANA.0).await.unwrap_err();
    assert!(
        matches!(dana, OktaError::Forbidden(ref b) if b.error_code == "E0000038"),
        "{dana:?}"
    );

    // Unlock; a deactivated user cannot be unlocked (E0000032, a refusal by status).
    sb.client.unlock_user(users::LUKE.0).await.unwrap();
    let dana = sb.client.unlock_user(users::DANA.0).await.unwrap_err();
    assert!(
        matches!(dana, OktaError::Forbidden(ref b) if b.error_code == "E0000032"),
        "{dana:?}"
    );
    assert_eq!(
        sb.client.get_user(users::LUKE.0).await.unwrap().status,
        UserStatus::Active
    );
    let in_again = sign_in(&sb, users::LUKE.1, DEMO_PASSWORD).await.unwrap();
    assert_eq!(in_again.status, AuthnStatus::Success);

    // Sign out everywhere, after a sign-in.
    sign_in(&sb, users::NORA.1, DEMO_PASSWORD).await.unwrap();
    sb.client.clear_user_sessions(users::NORA.0).await.unwrap();

    let victor = sb
        .client
        .user_log_events(users::VICTOR.0, None, 50)
        .await
        .unwrap();
    assert!(
        victor
            .iter()
            .any(|e| e.event_type == "user.mfa.factor.reset_all"),
        "{victor:?}"
    );
    let luke = sb
        .client
        .user_log_events(users::LUKE.0, None, 50)
        .await
        .unwrap();
    assert!(luke
        .iter()
        .any(|e| e.event_type == "user.account.unlock_by_admin"));
    let nora = sb
        .client
        .user_log_events(users::NORA.0, None, 50)
        .await
        .unwrap();
    assert_eq!(
        nora.first().map(|e| e.event_type.as_str()),
        Some("user.session.clear"),
        "newest first: {nora:?}"
    );
    assert!(nora.iter().any(|e| e.event_type == "user.session.start"));
    // Only this user's events.
    assert!(nora.iter().all(|e| {
        e.actor.as_ref().is_some_and(|a| a.id == users::NORA.0)
            || e.target.iter().flatten().any(|t| t.id == users::NORA.0)
    }));
    // `since` after the newest event: nothing.
    let later = sb
        .client
        .user_log_events(users::NORA.0, Some("2100-01-01T00:00:00.000Z"), 10)
        .await;
    assert!(matches!(later.as_deref(), Ok([])), "{later:?}");
}

// ----- factors not covered in okta_client.rs (API-NOTES §1) ---------------------------------

#[tokio::test]
async fn push_activation_links_go_out_by_email_and_sms() {
    let sb = live_sandbox("oie", |_| {}).await;
    let nora = users::NORA.0;
    let factor = sb
        .client
        .enroll_factor(
            nora,
            &EnrollFactorRequest::push(),
            &Default::default(),
            &ctx(),
        )
        .await
        .unwrap();
    let token = qr_token(factor.qrcode_href().unwrap());
    sb.client
        .send_push_activation(nora, &factor.id, &ActivationChannel::Email, &ctx())
        .await
        .unwrap();
    let email = messages_to(&sb, users::NORA.1).await;
    assert_eq!(email.len(), 1);
    assert_eq!(email[0]["channel"], "email");
    let link = email[0]["link"].as_str().unwrap();
    assert!(link.contains(&format!("t={token}")), "{link}");

    sb.client
        .send_push_activation(
            nora,
            &factor.id,
            &ActivationChannel::Sms {
                phone_number: "+14155550142".into(),
            },
            &ctx(),
        )
        .await
        .unwrap();
    let sms = messages_to(&sb, "+14155550142").await;
    assert_eq!(sms.len(), 1);
    assert_eq!(sms[0]["channel"], "sms");
    // The link enrolls the phone, as the QR code would.
    sb.control(
        "POST",
        "/sandbox/api/phone/scan",
        Some(json!({ "payload": sms[0]["link"] })),
    )
    .await;
    let done = sb.client.get_factor(nora, &factor.id).await.unwrap();
    assert!(done.is_active(), "{done:?}");
    assert_eq!(done.factor_type, FactorType::Push);

    // Once active there is nothing to send.
    let none = sb
        .client
        .send_push_activation(nora, &factor.id, &ActivationChannel::Email, &ctx())
        .await
        .unwrap_err();
    assert!(matches!(none, OktaError::Validation { .. }), "{none:?}");
}

#[tokio::test]
async fn a_factor_is_read_and_resent_after_the_cooldown() {
    let sb = live_sandbox("classic", |_| {}).await;
    let nora = users::NORA.0;
    let phone = "+14155550177";
    let factor = sb
        .client
        .enroll_factor(
            nora,
            &EnrollFactorRequest::sms(phone),
            &Default::default(),
            &ctx(),
        )
        .await
        .unwrap();
    let read = sb.client.get_factor(nora, &factor.id).await.unwrap();
    assert_eq!(read.status, FactorStatus::PendingActivation);
    assert_eq!(read.profile.phone_number.as_deref(), Some(phone));
    assert!(read.links.resend_named("sms").is_some());
    let missing = sb
        .client
        .get_factor(nora, "mbl1nosuchfactor0000")
        .await
        .unwrap_err();
    assert!(matches!(missing, OktaError::NotFound(_)), "{missing:?}");

    let resend = ResendFactorRequest::for_factor(&factor);
    let early = sb
        .client
        .resend_factor(nora, &factor.id, &resend, None, &ctx())
        .await
        .unwrap_err();
    assert!(matches!(
        early,
        OktaError::RateLimited {
            scope: RateLimitScope::MessageCooldown,
            ..
        }
    ));
    advance(&sb, 31).await;
    let resent = sb
        .client
        .resend_factor(nora, &factor.id, &resend, Some("tmpl1"), &ctx())
        .await
        .unwrap();
    assert_eq!(resent.status, FactorStatus::PendingActivation);
    assert_eq!(messages_to(&sb, phone).await.len(), 2);
    let code = sb.outbox_code_to(phone).await;
    let active = sb
        .client
        .activate_factor(nora, &factor.id, &ActivateFactorRequest::pass_code(code))
        .await
        .unwrap();
    assert!(active.is_active());
    assert!(active
        .into_factor()
        .is_some_and(|f| f.links.verify.is_some()));
}

#[tokio::test]
async fn activating_a_timed_out_push_gives_a_fresh_qr_code() {
    let sb = live_sandbox("oie", |_| {}).await;
    let nora = users::NORA.0;
    let factor = sb
        .client
        .enroll_factor(
            nora,
            &EnrollFactorRequest::push(),
            &Default::default(),
            &ctx(),
        )
        .await
        .unwrap();
    let old = factor.qrcode_href().unwrap().to_string();
    advance(&sb, 601).await;
    let timeout = sb
        .client
        .poll_push_activation(nora, &factor.id)
        .await
        .unwrap();
    assert_eq!(timeout.factor_result(), Some(&FactorResult::Timeout));
    assert!(timeout.links.activate.is_some());

    let fresh = sb
        .client
        .activate_factor(nora, &factor.id, &ActivateFactorRequest::empty())
        .await
        .unwrap();
    assert_eq!(fresh.factor_result(), Some(&FactorResult::Waiting));
    let new = fresh.qrcode_href().unwrap().to_string();
    assert_ne!(qr_token(&new), qr_token(&old));
    scan(&sb, &new).await;
    let done = sb
        .client
        .poll_push_activation(nora, &factor.id)
        .await
        .unwrap();
    assert!(done.is_active(), "{done:?}");
}

#[tokio::test]
async fn sms_and_security_question_verification() {
    let sb = live_sandbox("oie", |_| {}).await;
    let victor = users::VICTOR.0;
    let challenge = sb
        .client
        .verify_factor(
            victor,
            VICTOR_SMS,
            &VerifyFactorRequest::empty(),
            &VerifyQuery {
                template_id: None,
                token_lifetime_seconds: Some(120),
            },
            &ctx(),
        )
        .await
        .unwrap();
    assert_eq!(challenge.factor_result, FactorResult::Challenge);
    assert_eq!(
        challenge
            .profile
            .as_ref()
            .and_then(|p| p.phone_number.as_deref()),
        Some(VICTOR_PHONE)
    );
    let wrong = sb
        .client
        .verify_factor(
            victor,
            VICTOR_SMS,
            &VerifyFactorRequest::pass_code("000000"),
            &VerifyQuery::default(),
            &ctx(),
        )
        .await
        .unwrap_err();
    assert!(matches!(wrong, OktaError::InvalidPasscode(_)), "{wrong:?}");
    let code = sb.outbox_code_to(VICTOR_PHONE).await;
    let ok = sb
        .client
        .verify_factor(
            victor,
            VICTOR_SMS,
            &VerifyFactorRequest::pass_code(code),
            &VerifyQuery::default(),
            &ctx(),
        )
        .await
        .unwrap();
    assert!(ok.is_success());

    let nora = users::NORA.0;
    let question = sb
        .client
        .enroll_factor(
            nora,
            &EnrollFactorRequest::question("disliked_food", "Mayonnaise"),
            &Default::default(),
            &ctx(),
        )
        .await
        .unwrap();
    assert!(question.is_active(), "a question is active at once");
    assert_eq!(question.profile.question.as_deref(), Some("disliked_food"));
    let wrong = sb
        .client
        .verify_factor(
            nora,
            &question.id,
            &VerifyFactorRequest::answer("ketchup"),
            &VerifyQuery::default(),
            &ctx(),
        )
        .await
        .unwrap_err();
    assert!(matches!(wrong, OktaError::InvalidPasscode(_)), "{wrong:?}");
    let ok = sb
        .client
        .verify_factor(
            nora,
            &question.id,
            &VerifyFactorRequest::answer(" mayonnaise "),
            &VerifyQuery::default(),
            &ctx(),
        )
        .await
        .unwrap();
    assert!(ok.is_success(), "answers compare without case or spaces");
}

#[tokio::test]
async fn the_client_names_its_org() {
    let sb = live_sandbox("oie", |_| {}).await;
    let url = sb.client.org_url().clone();
    assert_eq!(url, sb.running.base_url);
    assert_eq!(
        sb.client.org_host(),
        format!("{}:{}", url.host_str().unwrap(), url.port().unwrap())
    );
    assert_eq!(sb.client.settings().base_url, url);
    assert!(!sb.client.circuit_open());
}

#[tokio::test]
async fn the_password_policy_that_applies_is_read_with_its_rules() {
    let sb = live_sandbox("oie", |_| {}).await;
    let policies = sb.client.password_policies().await.unwrap();
    assert_eq!(policies.len(), 1, "{policies:?}");
    let groups: Vec<String> = sb
        .client
        .user_groups(users::NORA.0)
        .await
        .unwrap()
        .into_iter()
        .map(|g| g.id)
        .collect();
    let policy = applicable_policy(&policies, &groups).expect("Everyone's policy applies");
    let c = policy.complexity().unwrap();
    // The rules the Users API enforces (sandbox::passwords::POLICY).
    assert_eq!(c.min_length, Some(8));
    assert_eq!(c.min_upper_case, Some(1));
    assert_eq!(c.exclude_username, Some(true));
    assert_eq!(policy.history_count(), 4);
    let rules = server::account::rules_of(policy);
    assert_eq!(rules.min_length, 8);
    assert_eq!(rules.history, 4);
}
