//! Every real Okta body in `shared/okta/examples/` parses into Keyport's types.
//!
//! `EXAMPLES` names the type each file must parse into. The test fails if a listed file does
//! not parse (or does not survive re-serialization), if a listed file is missing, and if the
//! directory holds a file that is not listed, so a new example cannot be skipped silently.
//! Request examples (`*-request*.json`) must also re-serialize to exactly the file's JSON,
//! which catches a wrong field name. The other tests check that the shapes mean what they say.

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use server::okta::error::OktaErrorBody;
use server::okta::types::{
    ActivateFactorRequest, ActivateFactorResponse, AllowedFor, Authenticator,
    AuthenticatorEnrollment, AuthenticatorKey, AuthenticatorMethod, AuthenticatorMethodType,
    AuthenticatorType, AuthnStatus, AuthnTransaction, ChangePasswordRequest,
    ChangePasswordResponse, CreatePhoneEnrollmentRequest, CreateTacRequest, EnrollFactorRequest,
    FactorEnrollment, FactorProvider, FactorResult, FactorStatus, FactorType, LifecycleStatus,
    OrgMetadata, OrgPipeline, PushTransaction, SecurityQuestion, SupportedFactor, TacEnrollment,
    TacTtl, UpdateUserRequest, User, UserFactor, UserStatus, VerifyFactorRequest,
    VerifyFactorResponse,
};
use std::collections::BTreeSet;
use std::fmt::Debug;
use std::path::PathBuf;

/// What a file must parse into. A `…List` kind is a JSON array of that type.
#[derive(Clone, Copy, Debug)]
enum Kind {
    // Responses: parsed, then serialized and parsed again to the same value.
    Error,
    OrgMetadata,
    Factor,
    FactorList,
    ActivateResponse,
    VerifyResponse,
    PushTransaction,
    CatalogList,
    QuestionList,
    Enrollment,
    EnrollmentList,
    TacEnrollment,
    Authenticator,
    AuthenticatorList,
    AuthenticatorMethod,
    AuthenticatorMethodList,
    AuthnTransaction,
    User,
    ChangePasswordResponse,
    // Requests: parsed, then serialized back to exactly the file's JSON.
    EnrollRequest,
    ActivateRequest,
    VerifyRequest,
    CreatePhoneEnrollmentRequest,
    CreateTacRequest,
    ChangePasswordRequest,
    UpdateUserRequest,
}

/// Every file in the examples directory except `SOURCES.tsv`, with its type.
const EXAMPLES: &[(&str, Kind)] = &[
    // OIE authenticator enrollments (API-NOTES §3)
    (
        "authenticator-enrollments-create-phone-request.json",
        Kind::CreatePhoneEnrollmentRequest,
    ),
    (
        "authenticator-enrollments-create-phone-voice.json",
        Kind::Enrollment,
    ),
    (
        "authenticator-enrollments-create-tac-request.json",
        Kind::CreateTacRequest,
    ),
    (
        "authenticator-enrollments-create-tac.json",
        Kind::TacEnrollment,
    ),
    (
        "authenticator-enrollments-get-phone-disclosed.json",
        Kind::Enrollment,
    ),
    (
        "authenticator-enrollments-get-phone-sms.json",
        Kind::Enrollment,
    ),
    ("authenticator-enrollments-list.json", Kind::EnrollmentList),
    // Authenticators admin (§4)
    (
        "authenticators-deactivate-webauthn.json",
        Kind::Authenticator,
    ),
    ("authenticators-get-email.json", Kind::Authenticator),
    ("authenticators-get-password.json", Kind::Authenticator),
    ("authenticators-get-phone.json", Kind::Authenticator),
    (
        "authenticators-get-security-question.json",
        Kind::Authenticator,
    ),
    ("authenticators-get-webauthn.json", Kind::Authenticator),
    ("authenticators-list.json", Kind::AuthenticatorList),
    (
        "authenticators-method-webauthn.json",
        Kind::AuthenticatorMethod,
    ),
    (
        "authenticators-methods-phone.json",
        Kind::AuthenticatorMethodList,
    ),
    // Classic Authn (§5)
    (
        "authn-enroll-activate-push-timeout.json",
        Kind::AuthnTransaction,
    ),
    (
        "authn-enroll-activate-push-waiting.json",
        Kind::AuthnTransaction,
    ),
    (
        "authn-enroll-activate-totp-okta.json",
        Kind::AuthnTransaction,
    ),
    ("authn-error-auth-failed-E0000004.json", Kind::Error),
    ("authn-error-illegal-state-E0000079.json", Kind::Error),
    ("authn-error-invalid-state-token-E0000011.json", Kind::Error),
    ("authn-error-rate-limit-E0000047.json", Kind::Error),
    ("authn-password-expired-authjs.json", Kind::AuthnTransaction),
    ("authn-primary-locked-out.json", Kind::AuthnTransaction),
    ("authn-primary-mfa-enroll.json", Kind::AuthnTransaction),
    (
        "authn-primary-mfa-required-docs.json",
        Kind::AuthnTransaction,
    ),
    ("authn-primary-mfa-required.json", Kind::AuthnTransaction),
    (
        "authn-primary-password-expired.json",
        Kind::AuthnTransaction,
    ),
    ("authn-primary-success.json", Kind::AuthnTransaction),
    ("authn-success-authjs.json", Kind::AuthnTransaction),
    ("authn-verify-error-E0000068.json", Kind::Error),
    ("authn-verify-invalid-passcode-E0000068.json", Kind::Error),
    ("authn-verify-push-waiting.json", Kind::AuthnTransaction),
    ("authn-verify-totp-success.json", Kind::AuthnTransaction),
    // Errors (§8)
    ("errors-access-denied-E0000006.json", Kind::Error),
    (
        "errors-change-password-old-incorrect-E0000014.json",
        Kind::Error,
    ),
    (
        "errors-factor-activate-rate-limit-E0000047.json",
        Kind::Error,
    ),
    ("errors-factor-email-resend-E0000118.json", Kind::Error),
    (
        "errors-factor-enroll-already-set-up-E0000001.json",
        Kind::Error,
    ),
    (
        "errors-factor-enroll-email-unverified-E0000001.json",
        Kind::Error,
    ),
    (
        "errors-factor-enroll-existing-phone-E0000001.json",
        Kind::Error,
    ),
    ("errors-factor-invalid-answer-E0000068.json", Kind::Error),
    ("errors-factor-invalid-passcode-E0000068.json", Kind::Error),
    ("errors-factor-sms-resend-E0000109.json", Kind::Error),
    ("errors-internal-E0000009.json", Kind::Error),
    ("errors-invalid-token-E0000011.json", Kind::Error),
    ("errors-not-found-E0000007.json", Kind::Error),
    ("errors-rate-limit-E0000047.json", Kind::Error),
    ("errors-user-not-found-E0000007.json", Kind::Error),
    ("errors-user-status-E0000038.json", Kind::Error),
    ("errors-validation-E0000001.json", Kind::Error),
    ("errors-validation-with-causes-E0000001.json", Kind::Error),
    // User factors (§1)
    ("factors-activate-call.json", Kind::ActivateResponse),
    ("factors-activate-email.json", Kind::ActivateResponse),
    ("factors-activate-push-active.json", Kind::ActivateResponse),
    ("factors-activate-push-timeout.json", Kind::ActivateResponse),
    ("factors-activate-push-waiting.json", Kind::ActivateResponse),
    (
        "factors-activate-request-passcode.json",
        Kind::ActivateRequest,
    ),
    (
        "factors-activate-request-webauthn.json",
        Kind::ActivateRequest,
    ),
    ("factors-activate-sms.json", Kind::ActivateResponse),
    ("factors-activate-totp.json", Kind::ActivateResponse),
    ("factors-activate-u2f.json", Kind::ActivateResponse),
    ("factors-activate-webauthn.json", Kind::ActivateResponse),
    ("factors-catalog.json", Kind::CatalogList),
    ("factors-enroll-call.json", Kind::Factor),
    ("factors-enroll-custom-totp-hotp.json", Kind::Factor),
    ("factors-enroll-email.json", Kind::Factor),
    ("factors-enroll-push.json", Kind::Factor),
    ("factors-enroll-question.json", Kind::Factor),
    (
        "factors-enroll-request-custom-totp.json",
        Kind::EnrollRequest,
    ),
    ("factors-enroll-request-push.json", Kind::EnrollRequest),
    ("factors-enroll-request-sms.json", Kind::EnrollRequest),
    (
        "factors-enroll-request-totp-google.json",
        Kind::EnrollRequest,
    ),
    ("factors-enroll-sms.json", Kind::Factor),
    ("factors-enroll-token-rsa.json", Kind::Factor),
    ("factors-enroll-token-symantec.json", Kind::Factor),
    ("factors-enroll-totp-google.json", Kind::Factor),
    ("factors-enroll-totp-okta.json", Kind::Factor),
    ("factors-enroll-u2f.json", Kind::Factor),
    ("factors-enroll-webauthn.json", Kind::Factor),
    ("factors-enroll-yubikey.json", Kind::Factor),
    ("factors-get-email.json", Kind::Factor),
    ("factors-get-sms.json", Kind::Factor),
    ("factors-list.json", Kind::FactorList),
    ("factors-questions.json", Kind::QuestionList),
    ("factors-transaction-rejected.json", Kind::PushTransaction),
    ("factors-transaction-success.json", Kind::PushTransaction),
    ("factors-transaction-timeout.json", Kind::PushTransaction),
    (
        "factors-transaction-waiting-nmc.json",
        Kind::PushTransaction,
    ),
    ("factors-transaction-waiting.json", Kind::PushTransaction),
    ("factors-verify-challenge-call.json", Kind::VerifyResponse),
    ("factors-verify-challenge-email.json", Kind::VerifyResponse),
    (
        "factors-verify-challenge-push-201.json",
        Kind::VerifyResponse,
    ),
    (
        "factors-verify-challenge-push-nmc-201.json",
        Kind::VerifyResponse,
    ),
    ("factors-verify-challenge-sms.json", Kind::VerifyResponse),
    (
        "factors-verify-challenge-webauthn.json",
        Kind::VerifyResponse,
    ),
    ("factors-verify-request-question.json", Kind::VerifyRequest),
    ("factors-verify-request-webauthn.json", Kind::VerifyRequest),
    ("factors-verify-success.json", Kind::VerifyResponse),
    ("factors-verify-webauthn-success.json", Kind::VerifyResponse),
    // Users (§6)
    (
        "users-change-password-request.json",
        Kind::ChangePasswordRequest,
    ),
    ("users-change-password.json", Kind::ChangePasswordResponse),
    ("users-get.json", Kind::User),
    ("users-update-profile-request.json", Kind::UpdateUserRequest),
    // Org metadata (§7)
    (
        "well-known-okta-organization-classic.json",
        Kind::OrgMetadata,
    ),
    ("well-known-okta-organization-oie.json", Kind::OrgMetadata),
];

/// The shared examples live beside the repository: `main/server` → `shared/okta/examples`.
fn examples_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/okta/examples")
}

fn read(name: &str) -> String {
    let path = examples_dir().join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Parses one example as `T`, panicking with the file name on failure.
fn load<T: DeserializeOwned>(name: &str) -> T {
    serde_json::from_str(&read(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn load_value(name: &str) -> Value {
    load(name)
}

/// A response: parses, and what Keyport would re-serialize parses back to the same value.
fn response<T>(text: &str) -> Result<(), String>
where
    T: DeserializeOwned + Serialize + PartialEq + Debug,
{
    let parsed: T = serde_json::from_str(text).map_err(|e| format!("does not parse: {e}"))?;
    let json = serde_json::to_value(&parsed).map_err(|e| format!("cannot re-serialize: {e}"))?;
    let again: T = serde_json::from_value(json.clone())
        .map_err(|e| format!("re-serialized {json} does not parse: {e}"))?;
    if again != parsed {
        return Err(format!(
            "re-serializing changed the value:\n{parsed:#?}\n{again:#?}"
        ));
    }
    Ok(())
}

/// A request: parses, and serializes back to exactly the file's JSON.
fn request<T>(text: &str) -> Result<(), String>
where
    T: DeserializeOwned + Serialize,
{
    let original: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let parsed: T =
        serde_json::from_value(original.clone()).map_err(|e| format!("does not parse: {e}"))?;
    let back = serde_json::to_value(parsed).map_err(|e| format!("cannot serialize: {e}"))?;
    if back != original {
        return Err(format!(
            "serializes differently:\n  file: {original}\n  ours: {back}"
        ));
    }
    Ok(())
}

fn check(kind: Kind, text: &str) -> Result<(), String> {
    match kind {
        Kind::Error => response::<OktaErrorBody>(text),
        Kind::OrgMetadata => response::<OrgMetadata>(text),
        Kind::Factor => response::<UserFactor>(text),
        Kind::FactorList => response::<Vec<UserFactor>>(text),
        Kind::ActivateResponse => {
            response::<ActivateFactorResponse>(text)?;
            let parsed: ActivateFactorResponse =
                serde_json::from_str(text).map_err(|e| e.to_string())?;
            if parsed.is_active() && parsed.into_factor().is_none() {
                return Err("ACTIVE, but not a complete factor".to_string());
            }
            Ok(())
        }
        Kind::VerifyResponse => response::<VerifyFactorResponse>(text),
        Kind::PushTransaction => response::<PushTransaction>(text),
        Kind::CatalogList => response::<Vec<SupportedFactor>>(text),
        Kind::QuestionList => response::<Vec<SecurityQuestion>>(text),
        Kind::Enrollment => response::<AuthenticatorEnrollment>(text),
        Kind::EnrollmentList => response::<Vec<AuthenticatorEnrollment>>(text),
        Kind::TacEnrollment => response::<TacEnrollment>(text),
        Kind::Authenticator => response::<Authenticator>(text),
        Kind::AuthenticatorList => response::<Vec<Authenticator>>(text),
        Kind::AuthenticatorMethod => response::<AuthenticatorMethod>(text),
        Kind::AuthenticatorMethodList => response::<Vec<AuthenticatorMethod>>(text),
        Kind::AuthnTransaction => response::<AuthnTransaction>(text),
        Kind::User => response::<User>(text),
        Kind::ChangePasswordResponse => response::<ChangePasswordResponse>(text),
        Kind::EnrollRequest => request::<EnrollFactorRequest>(text),
        Kind::ActivateRequest => request::<ActivateFactorRequest>(text),
        Kind::VerifyRequest => request::<VerifyFactorRequest>(text),
        Kind::CreatePhoneEnrollmentRequest => request::<CreatePhoneEnrollmentRequest>(text),
        Kind::CreateTacRequest => request::<CreateTacRequest>(text),
        Kind::ChangePasswordRequest => request::<ChangePasswordRequest>(text),
        Kind::UpdateUserRequest => request::<UpdateUserRequest>(text),
    }
}

#[test]
fn every_example_is_listed_and_parses_as_its_type() {
    let dir = examples_dir();
    let entries =
        std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()));
    let on_disk: BTreeSet<String> = entries
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name != "SOURCES.tsv")
        .collect();
    assert!(!on_disk.is_empty(), "no examples in {}", dir.display());

    let mut problems = Vec::new();
    let mut listed = BTreeSet::new();
    for &(name, kind) in EXAMPLES {
        if !listed.insert(name.to_string()) {
            problems.push(format!("{name}: listed twice"));
            continue;
        }
        let text = match std::fs::read_to_string(dir.join(name)) {
            Ok(text) => text,
            Err(e) => {
                problems.push(format!("{name}: listed, but cannot be read: {e}"));
                continue;
            }
        };
        if let Err(e) = check(kind, &text) {
            problems.push(format!("{name} as {kind:?}: {e}"));
        }
    }
    for name in on_disk.difference(&listed) {
        problems.push(format!(
            "{name}: in the examples directory but not in EXAMPLES; list it with its type"
        ));
    }
    assert!(
        problems.is_empty(),
        "{} problem(s) with the Okta examples:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

// ---------------------------------------------------------------------------------------------
// Factors
// ---------------------------------------------------------------------------------------------

#[test]
fn push_enrollment_has_a_qrcode_and_send_links() {
    let factor: UserFactor = load("factors-enroll-push.json");
    assert_eq!(factor.factor_type, FactorType::Push);
    assert_eq!(factor.provider, FactorProvider::Okta);
    assert_eq!(factor.status, FactorStatus::PendingActivation);
    let activation = factor.activation().expect("push enroll has an activation");
    assert_eq!(activation.factor_result, Some(FactorResult::Waiting));
    assert_eq!(
        activation.expires_at.as_deref(),
        Some("2015-11-13T07:44:22.000Z")
    );
    let qrcode = factor.qrcode().expect("push enroll has a qrcode link");
    assert!(qrcode.href.contains("/qr/"), "{}", qrcode.href);
    assert_eq!(qrcode.media_type.as_deref(), Some("image/png"));
    let links = activation.links.as_ref().expect("activation links");
    assert_eq!(links.send.len(), 2);
    let email = links.send_named("email").expect("send email link");
    assert!(email.href.ends_with("/lifecycle/activate/email"));
    assert!(links
        .send_named("sms")
        .expect("send sms link")
        .allows("POST"));
    // Push has `poll` instead of `activate` (API-NOTES §1.1).
    let poll = factor.links.poll.as_ref().expect("poll link");
    assert!(poll.href.ends_with("/lifecycle/activate/poll"));
    assert!(factor.links.activate_link().is_none());
}

#[test]
fn totp_secret_and_qrcode_are_found_wherever_okta_puts_them() {
    // Okta Verify TOTP: the qrcode is beside the activation, in `_embedded._links`.
    let okta: UserFactor = load("factors-enroll-totp-okta.json");
    assert_eq!(okta.shared_secret(), Some("JBTWGV22G4ZGKV3N"));
    let embedded = okta.embedded.as_ref().expect("embedded");
    assert!(embedded.links.is_some());
    assert!(okta.activation().expect("activation").links.is_none());
    assert!(okta.qrcode_href().expect("qrcode").contains("/qr/"));
    let activation = okta.activation().expect("activation");
    assert_eq!(activation.time_step, Some(30));
    assert_eq!(activation.encoding.as_deref(), Some("base32"));
    assert_eq!(activation.key_length, Some(6));

    // Google Authenticator: inside the activation, in `activation._links`.
    let google: UserFactor = load("factors-enroll-totp-google.json");
    assert_eq!(google.provider, FactorProvider::Google);
    assert_eq!(google.shared_secret(), Some("JBTWGV22G4ZGKV3N"));
    assert!(google.embedded.as_ref().expect("embedded").links.is_none());
    assert!(google.qrcode_href().expect("qrcode").contains("/qr/"));
    assert_eq!(
        google.activation().expect("activation").key_length,
        Some(16)
    );

    // The secret never prints.
    assert!(!format!("{google:?}").contains("JBTWGV22G4ZGKV3N"));

    // The factor list: a pending TOTP with no qrcode at all, and `next:{name:"activate"}`.
    let list: Vec<UserFactor> = load("factors-list.json");
    let pending = list
        .iter()
        .find(|f| f.status == FactorStatus::PendingActivation)
        .expect("a pending factor");
    assert_eq!(pending.shared_secret(), Some("HE64TMLL2IUZW2ZLB"));
    assert_eq!(pending.qrcode_href(), None);
    let activate = pending.links.activate_link().expect("activate via next");
    assert!(activate.href.ends_with("/lifecycle/activate"));
}

#[test]
fn webauthn_creation_options_come_back_whole() {
    let factor: UserFactor = load("factors-enroll-webauthn.json");
    let activation = factor.activation().expect("activation");
    assert!(activation.is_webauthn());
    assert_eq!(
        activation.challenge.as_deref(),
        Some("cdsZ1V10E0BGE4GcG3IK")
    );
    let user = activation.user.as_ref().expect("user");
    assert_eq!(user.id.as_deref(), Some("00u15s1KDETTQMQYABRL"));
    let algs: Vec<i64> = activation
        .pub_key_cred_params
        .iter()
        .flatten()
        .filter_map(|p| p.alg)
        .collect();
    assert_eq!(algs, vec![-7, -257]);
    let options = activation
        .webauthn_creation_options()
        .expect("creation options");
    let original = load_value("factors-enroll-webauthn.json")["_embedded"]["activation"].clone();
    assert_eq!(options, original);

    let u2f: UserFactor = load("factors-enroll-u2f.json");
    let activation = u2f.activation().expect("activation");
    assert!(!activation.is_webauthn());
    assert_eq!(activation.version.as_deref(), Some("U2F_V2"));
    assert_eq!(activation.nonce.as_deref(), Some("9DmGJDLvaU6KWxJbfrZ0"));
    assert_eq!(activation.timeout_seconds, Some(20));
    assert_eq!(activation.webauthn_creation_options(), None);
}

#[test]
fn factors_without_profile_or_dates_parse() {
    let email: UserFactor = load("factors-enroll-email.json");
    assert!(email.profile.is_empty());
    assert!(email.created.is_none());
    assert_eq!(
        email.links.resend_named("email").map(|l| l.allows("POST")),
        Some(true)
    );

    let hotp: UserFactor = load("factors-enroll-custom-totp-hotp.json");
    assert_eq!(hotp.factor_type, FactorType::TokenHotp);
    assert_eq!(hotp.provider, FactorProvider::Custom);
    assert_eq!(hotp.vendor_name.as_deref(), Some("Entrust Datacard"));
    assert!(hotp.is_active());

    let call: UserFactor = load("factors-enroll-call.json");
    assert_eq!(call.profile.phone_extension.as_deref(), Some("1234"));
    assert!(call.links.resend_named("call").is_some());

    let question: UserFactor = load("factors-enroll-question.json");
    assert_eq!(question.profile.question.as_deref(), Some("disliked_food"));
    assert!(question.links.questions.is_some());
    assert!(question.links.verify.is_none());
}

#[test]
fn push_number_matching_answer_is_a_number() {
    let waiting: PushTransaction = load("factors-transaction-waiting-nmc.json");
    assert!(waiting.is_waiting());
    assert_eq!(waiting.correct_answer(), Some(72));
    assert_eq!(
        waiting.transaction_id(),
        Some("v2mst.GldKV5VxTrifyeZmWSQguA")
    );
    assert!(waiting
        .links
        .cancel
        .as_ref()
        .expect("cancel")
        .allows("DELETE"));

    let challenge: VerifyFactorResponse = load("factors-verify-challenge-push-nmc-201.json");
    assert_eq!(challenge.correct_answer(), Some(72));
    assert_eq!(challenge.transaction_id(), Some("mst1eiHghhPxf0yhp0g"));

    let plain: PushTransaction = load("factors-transaction-waiting.json");
    assert_eq!(plain.correct_answer(), None);

    let rejected: PushTransaction = load("factors-transaction-rejected.json");
    assert_eq!(rejected.factor_result, FactorResult::Rejected);
    let profile = rejected.profile.as_ref().expect("profile");
    assert_eq!(
        profile.credential_id.as_deref(),
        Some("jane.doe@example.com")
    );
    assert!(rejected.links.factor.is_some());
    assert_eq!(rejected.transaction_id(), None);

    let timeout: PushTransaction = load("factors-transaction-timeout.json");
    assert_eq!(timeout.factor_result, FactorResult::Timeout);

    let success: PushTransaction = load("factors-transaction-success.json");
    assert!(success.is_success());
    assert!(success.links.is_empty());
}

#[test]
fn verify_challenges_carry_what_the_next_step_needs() {
    let sms: VerifyFactorResponse = load("factors-verify-challenge-sms.json");
    assert_eq!(sms.factor_result, FactorResult::Challenge);
    let phone = sms.profile.as_ref().and_then(|p| p.phone_number.as_deref());
    assert_eq!(phone, Some("+12532236986"));
    assert!(sms.links.verify.is_some());

    let webauthn: VerifyFactorResponse = load("factors-verify-challenge-webauthn.json");
    let challenge = webauthn.challenge().expect("challenge");
    assert_eq!(challenge.challenge.as_deref(), Some("vQFwTt6zKzMV7HFPzjS2"));
    assert_eq!(challenge.extensions, Some(serde_json::json!({})));

    let done: VerifyFactorResponse = load("factors-verify-webauthn-success.json");
    assert!(done.is_success());
    let name = done
        .profile
        .as_ref()
        .and_then(|p| p.authenticator_name.as_deref());
    assert_eq!(name, Some("MacBook Touch ID"));
}

#[test]
fn activate_responses_are_a_factor_or_a_push_poll_result() {
    let waiting: ActivateFactorResponse = load("factors-activate-push-waiting.json");
    assert!(!waiting.is_active());
    assert_eq!(waiting.factor_result(), Some(&FactorResult::Waiting));
    assert!(waiting.qrcode_href().expect("qrcode").contains("/qr/"));
    assert_eq!(waiting.links.send.len(), 2);
    assert!(waiting.links.poll.is_some());
    assert!(waiting.clone().into_factor().is_none());

    let timeout: ActivateFactorResponse = load("factors-activate-push-timeout.json");
    assert_eq!(timeout.factor_result(), Some(&FactorResult::Timeout));
    assert!(timeout.links.activate.is_some());

    let active: ActivateFactorResponse = load("factors-activate-push-active.json");
    assert!(active.is_active());
    let factor = active.into_factor().expect("a factor");
    assert_eq!(factor.id, "opf3hkfocI4JTLAju0g4");
    assert_eq!(factor.profile.name.as_deref(), Some("Gibson"));
    assert!(factor.links.verify.is_some());

    let webauthn: ActivateFactorResponse = load("factors-activate-webauthn.json");
    let factor = webauthn.into_factor().expect("a factor");
    assert_eq!(factor.factor_type, FactorType::Webauthn);
    assert_eq!(
        factor.profile.authenticator_name.as_deref(),
        Some("MacBook Touch ID")
    );
}

#[test]
fn catalog_lists_existing_phones() {
    let catalog: Vec<SupportedFactor> = load("factors-catalog.json");
    assert_eq!(catalog.len(), 7);
    assert!(catalog.iter().all(|f| f.links.enroll.is_some()));
    assert!(catalog
        .iter()
        .all(|f| f.status.is_none() && f.enrollment.is_none()));
    let sms = catalog
        .iter()
        .find(|f| f.factor_type == FactorType::Sms)
        .expect("sms entry");
    let phones = sms.phones();
    assert_eq!(phones.len(), 1);
    assert_eq!(
        phones[0].profile.phone_number.as_deref(),
        Some("+14081234567")
    );
    assert_eq!(phones[0].status, Some(FactorStatus::Active));
    let question = catalog
        .iter()
        .find(|f| f.factor_type == FactorType::Question)
        .expect("question entry");
    assert!(question.links.questions.is_some());
    assert!(question.phones().is_empty());

    let questions: Vec<SecurityQuestion> = load("factors-questions.json");
    assert_eq!(questions[0].question, "disliked_food");
    assert_eq!(
        questions[0].question_text,
        "What is the food you least liked as a child?"
    );
}

#[test]
fn request_constructors_build_the_documented_bodies() {
    fn same<T: Serialize>(built: &T, file: &str) {
        assert_eq!(
            serde_json::to_value(built).unwrap(),
            load_value(file),
            "{file}"
        );
    }
    same(
        &EnrollFactorRequest::push(),
        "factors-enroll-request-push.json",
    );
    same(
        &EnrollFactorRequest::totp_google(),
        "factors-enroll-request-totp-google.json",
    );
    same(
        &EnrollFactorRequest::sms("+1-555-415-1337"),
        "factors-enroll-request-sms.json",
    );
    same(
        &EnrollFactorRequest::hotp("fpr20l2mDyaUGWGCa0g4", "484f97be3213b117e3a20438e291540a"),
        "factors-enroll-request-custom-totp.json",
    );
    same(
        &ActivateFactorRequest::pass_code("123456"),
        "factors-activate-request-passcode.json",
    );
    same(
        &VerifyFactorRequest::answer("mayonnaise"),
        "factors-verify-request-question.json",
    );
    same(
        &CreatePhoneEnrollmentRequest::new("aut5l4ttFyGEWdy6V0k7", "+14086673418"),
        "authenticator-enrollments-create-phone-request.json",
    );
    same(
        &ChangePasswordRequest::new("tlpWENT2m", "uTVM,TPw55", true),
        "users-change-password-request.json",
    );
    same(
        &UpdateUserRequest::new()
            .set("firstName", "Isaac")
            .set("email", "isaac.brock@update.example.com")
            .set("mobilePhone", "555-415-1337"),
        "users-update-profile-request.json",
    );

    let file: ActivateFactorRequest = load("factors-activate-request-webauthn.json");
    let built = ActivateFactorRequest::webauthn(
        file.attestation.clone().expect("attestation"),
        file.client_data.clone().expect("clientData"),
    );
    assert_eq!(built, file);

    let file: VerifyFactorRequest = load("factors-verify-request-webauthn.json");
    let built = VerifyFactorRequest::webauthn(
        file.client_data.clone().expect("clientData"),
        file.authenticator_data.clone().expect("authenticatorData"),
        file.signature_data.clone().expect("signatureData"),
    );
    assert_eq!(built, file);
}

// ---------------------------------------------------------------------------------------------
// Authn
// ---------------------------------------------------------------------------------------------

#[test]
fn authn_factors_come_from_factors_or_factor() {
    // MFA_ENROLL: `factors` array, entries with no id, NOT_SETUP and `enrollment`.
    let enroll: AuthnTransaction = load("authn-primary-mfa-enroll.json");
    assert_eq!(enroll.status, AuthnStatus::MfaEnroll);
    let factors = enroll.factors();
    assert_eq!(factors.len(), 5);
    assert!(factors.iter().all(|f| f.id.is_none()));
    assert!(factors
        .iter()
        .all(|f| f.status == Some(FactorStatus::NotSetup)));
    assert!(factors
        .iter()
        .all(|f| f.enrollment == Some(FactorEnrollment::Optional)));
    assert!(factors.iter().all(|f| f.links.enroll.is_some()));
    assert_eq!(factors[0].provider, FactorProvider::Rsa);

    // MFA_REQUIRED: `factors` array with ids and verify links, no status.
    let required: AuthnTransaction = load("authn-primary-mfa-required.json");
    let factors = required.factors();
    assert_eq!(factors.len(), 5);
    assert!(factors
        .iter()
        .all(|f| f.id.is_some() && f.links.verify.is_some()));
    let question = factors
        .iter()
        .find(|f| f.factor_type == FactorType::Question)
        .expect("question factor");
    let text = question.profile.question_text.as_deref();
    assert_eq!(text, Some("What is the food you least liked as a child?"));
    let push = factors
        .iter()
        .find(|f| f.factor_type == FactorType::Push)
        .expect("push factor");
    assert_eq!(push.profile.keys.as_ref().map(Vec::len), Some(1));

    // MFA_CHALLENGE: `factor` object.
    let challenge: AuthnTransaction = load("authn-verify-push-waiting.json");
    assert_eq!(challenge.status, AuthnStatus::MfaChallenge);
    assert_eq!(challenge.factor_result, Some(FactorResult::Waiting));
    let factors = challenge.factors();
    assert_eq!(factors.len(), 1);
    assert_eq!(factors[0].id.as_deref(), Some("opf492vmb3s1blLTs0h7"));
    assert!(challenge.links.next_named("poll").is_some());
    assert!(challenge.links.resend_named("push").is_some());

    // The 2025 docs show `factor` as an array (API-NOTES §5 CONFLICT): same factors.
    let mut as_array = load_value("authn-verify-push-waiting.json");
    let factor = as_array["_embedded"]["factor"].take();
    as_array["_embedded"]["factor"] = Value::Array(vec![factor]);
    let tx: AuthnTransaction = serde_json::from_value(as_array).unwrap();
    assert_eq!(tx.factors(), challenge.factors());
}

#[test]
fn authn_enroll_activate_exposes_qrcode_and_secret() {
    let totp: AuthnTransaction = load("authn-enroll-activate-totp-okta.json");
    assert_eq!(totp.status, AuthnStatus::MfaEnrollActivate);
    let factors = totp.factors();
    let factor = factors.first().expect("the factor");
    assert_eq!(factor.shared_secret(), Some("KBMTM32UJZSXQ2DW"));
    assert!(factor.qrcode_href().expect("qrcode").contains("/qr/"));
    assert!(totp.links.next_named("activate").is_some());

    let push: AuthnTransaction = load("authn-enroll-activate-push-waiting.json");
    assert_eq!(push.factor_result, Some(FactorResult::Waiting));
    let factors = push.factors();
    let factor = factors.first().expect("the factor");
    assert!(factor.profile.is_empty());
    assert!(factor.qrcode_href().is_some());
    let links = factor
        .activation()
        .and_then(|a| a.links.as_ref())
        .expect("activation links");
    assert!(links.send_named("sms").is_some());
    assert!(push.links.next_named("poll").is_some());

    let timeout: AuthnTransaction = load("authn-enroll-activate-push-timeout.json");
    assert_eq!(timeout.factor_result, Some(FactorResult::Timeout));
    assert!(timeout.links.next_named("activate").is_some());
}

#[test]
fn authn_terminal_and_password_states() {
    let success: AuthnTransaction = load("authn-primary-success.json");
    assert_eq!(success.status, AuthnStatus::Success);
    assert!(success.state_token.is_none());
    let token = success.session_token.as_ref().expect("session token");
    assert_eq!(token.expose(), "00Fpzf4en68pCXTsMjcX8JPMctzN2Wiw4LDOBL_9pe");
    assert!(!format!("{success:?}").contains(token.expose()));
    let user = success.user().expect("user");
    assert_eq!(user.profile.login, "dade.murphy@example.com");
    assert_eq!(
        user.password_changed.as_deref(),
        Some("2015-09-08T20:14:45.000Z")
    );

    let locked: AuthnTransaction = load("authn-primary-locked-out.json");
    assert_eq!(locked.status, AuthnStatus::LockedOut);
    assert!(locked.embedded.is_none());
    assert!(locked.links.next_named("unlock").is_some());

    let expired: AuthnTransaction = load("authn-primary-password-expired.json");
    assert_eq!(expired.status, AuthnStatus::PasswordExpired);
    assert!(expired.state_token.is_some());
    let policy = expired.embedded.as_ref().and_then(|e| e.policy.as_ref());
    assert_eq!(
        policy.map(|p| &p["complexity"]["minLength"]),
        Some(&serde_json::json!(8))
    );
    assert!(expired.links.next_named("changePassword").is_some());
}

// ---------------------------------------------------------------------------------------------
// Enrollments, authenticators, users, org, errors
// ---------------------------------------------------------------------------------------------

#[test]
fn enrollment_list_is_an_array() {
    let list: Vec<AuthenticatorEnrollment> = load("authenticator-enrollments-list.json");
    assert_eq!(list.len(), 3);
    let email = &list[0];
    assert_eq!(email.key, AuthenticatorKey::OktaEmail);
    assert_eq!(email.authenticator_type, AuthenticatorType::Email);
    assert_eq!(email.profile.email.as_deref(), Some("joe@example.com"));
    assert_eq!(email.nickname, None);
    assert!(email.links.authenticator.is_some());
    let password = &list[1];
    assert_eq!(password.key, AuthenticatorKey::OktaPassword);
    assert!(password.profile.is_empty());
    let phone = &list[2];
    assert_eq!(phone.status, LifecycleStatus::Active);
    assert_eq!(
        phone.profile.phone_number.as_deref(),
        Some("+1 XXX-XXX-6065")
    );
    assert_eq!(phone.nickname.as_deref(), Some("Joe's Work Phone"));

    // A disclosed phone is a JSON number in the spec example.
    let disclosed: AuthenticatorEnrollment =
        load("authenticator-enrollments-get-phone-disclosed.json");
    assert_eq!(
        disclosed.profile.phone_number.as_deref(),
        Some("14085551235")
    );
}

#[test]
fn tac_request_and_response() {
    let tac: TacEnrollment = load("authenticator-enrollments-create-tac.json");
    assert_eq!(tac.key, AuthenticatorKey::Tac);
    assert_eq!(tac.authenticator_type, AuthenticatorType::Tac);
    assert_eq!(tac.tac(), Some("n@C*bU26"));
    assert_eq!(tac.profile.multi_use, Some(true));
    assert_eq!(
        tac.profile.expires_at.as_deref(),
        Some("2025-05-28T19:21:14")
    );
    assert!(!format!("{tac:?}").contains("n@C*bU26"));

    let request: CreateTacRequest = load("authenticator-enrollments-create-tac-request.json");
    assert_eq!(request.authenticator_id, "autnmtl4xbt8RQVzA0g4");
    let profile = request.profile.expect("profile");
    assert_eq!(profile.ttl, Some(TacTtl::Minutes(11)));
    assert_eq!(profile.ttl.as_ref().and_then(TacTtl::minutes), Some(11));
    assert_eq!(profile.multi_use, Some(false));
}

#[test]
fn authenticators_and_methods() {
    let list: Vec<Authenticator> = load("authenticators-list.json");
    assert_eq!(list.len(), 4);
    let email = &list[0];
    assert_eq!(email.key, AuthenticatorKey::OktaEmail);
    assert_eq!(email.allowed_for(), Some(&AllowedFor::Any));
    let lifetime = email
        .settings
        .as_ref()
        .and_then(|s| s.token_lifetime_in_minutes);
    assert_eq!(lifetime, Some(5));
    let phone = &list[2];
    assert_eq!(phone.key, AuthenticatorKey::PhoneNumber);
    assert!(!phone.is_active());
    assert_eq!(phone.allowed_for(), Some(&AllowedFor::Nothing));
    assert!(phone.links.activate.is_some() && phone.links.deactivate.is_none());
    let webauthn = &list[3];
    assert_eq!(webauthn.authenticator_type, AuthenticatorType::SecurityKey);
    assert!(webauthn.links.aaguids.is_some());

    let question: Authenticator = load("authenticators-get-security-question.json");
    assert_eq!(question.key, AuthenticatorKey::SecurityQuestion);
    assert_eq!(
        question.authenticator_type,
        AuthenticatorType::SecurityQuestion
    );

    let methods: Vec<AuthenticatorMethod> = load("authenticators-methods-phone.json");
    assert_eq!(methods[0].method_type, AuthenticatorMethodType::Sms);
    assert!(methods[0].is_active());
    assert_eq!(methods[1].method_type, AuthenticatorMethodType::Voice);
    assert_eq!(methods[1].status, LifecycleStatus::Inactive);
    assert!(methods[1].links.activate.is_some());

    let method: AuthenticatorMethod = load("authenticators-method-webauthn.json");
    let settings = method.settings.expect("settings");
    assert_eq!(settings["userVerification"], "DISCOURAGED");
}

#[test]
fn users_profile_and_credentials() {
    let user: User = load("users-get.json");
    assert_eq!(user.status, UserStatus::Active);
    assert_eq!(user.profile.login, "isaac.brock@example.com");
    assert_eq!(user.profile.display_name.as_deref(), Some("Isaac Brock"));
    assert_eq!(
        user.profile.mobile_phone.as_deref(),
        Some("+1-555-415-1337")
    );
    assert_eq!(
        user.profile.second_email.as_deref(),
        Some("isaac@example.org")
    );
    assert_eq!(
        user.profile.other.get("nickName"),
        Some(&serde_json::json!("issac"))
    );
    let credentials = user.credentials.as_ref().expect("credentials");
    let question = credentials
        .recovery_question
        .as_ref()
        .and_then(|q| q.question.as_deref());
    assert_eq!(question, Some("What's my childhood elementary school?"));
    let provider = credentials.provider.as_ref().expect("provider");
    assert_eq!(provider.provider_type.as_deref(), Some("OKTA"));

    // `recovery_question` is snake_case on the wire.
    let changed: ChangePasswordResponse = load("users-change-password.json");
    let question = changed
        .recovery_question
        .as_ref()
        .and_then(|q| q.question.as_deref());
    assert_eq!(question, Some("Who's a major player in the cowboy scene?"));
    assert_eq!(changed.password, Some(serde_json::json!({})));
    assert!(changed.other.is_empty());

    let request: ChangePasswordRequest = load("users-change-password-request.json");
    assert_eq!(request.old_password.value.expose(), "tlpWENT2m");
    assert!(!format!("{request:?}").contains("tlpWENT2m"));
}

#[test]
fn org_metadata_pipeline_and_links() {
    let classic: OrgMetadata = load("well-known-okta-organization-classic.json");
    assert_eq!(classic.pipeline, OrgPipeline::Classic);
    let links = classic.links.as_ref().expect("links");
    assert!(links.organization.is_some());
    assert!(links.alternate.is_none());

    let oie: OrgMetadata = load("well-known-okta-organization-oie.json");
    assert_eq!(oie.pipeline, OrgPipeline::IdentityEngine);
    let links = oie.links.as_ref().expect("links");
    let organization = links.organization.as_ref().expect("organization");
    assert_eq!(organization.href, "https://{yourSubdomain}.okta.com");
    assert_eq!(
        links.alternate.as_ref().expect("alternate").href,
        "https://{yourCustomDomain}"
    );
}

#[test]
fn error_bodies_keep_code_link_and_causes() {
    let internal: OktaErrorBody = load("errors-internal-E0000009.json");
    assert_eq!(internal.error_code, "E0000009");
    // The spec's 500 example has errorLink E0000000: branch on errorCode only (API-NOTES §8).
    assert_eq!(internal.error_link.as_deref(), Some("E0000000"));

    let phone: OktaErrorBody = load("errors-factor-enroll-existing-phone-E0000001.json");
    assert_eq!(phone.error_causes.len(), 1);
    assert_eq!(
        phone.error_causes[0].error_summary,
        "There is an existing verified phone number."
    );
}
