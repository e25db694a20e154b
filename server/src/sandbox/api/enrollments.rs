//! User authenticator enrollments (`/api/v1/users/{userId}/authenticator-enrollments`,
//! Identity Engine; API-NOTES §3): the OIE view of a user's sign-in methods, derived from the
//! same factors the Factors API manages, plus phone enrollment and temporary access codes.
//!
//! How factors map to enrollments (one per):
//! - Okta Verify device: its push, TOTP and FastPass factors; the id is the push factor's id
//!   (the device), key `okta_verify`, type `app`;
//! - phone number: its SMS and voice factors; key `phone_number`, type `phone`, the number
//!   masked (`+1 XXX-XXX-1337`) unless `discloseIdentifiers=phone`, then E.164;
//! - email, security key (webauthn or U2F), Google Authenticator, security question, custom
//!   TOTP: one factor each;
//! - the password (`user.password_enrollment_id`), and an unexpired temporary access code.
//!
//! Only ACTIVE factors are enrollments (a pending factor is not enrolled yet). The `profile`
//! of the Okta Verify, security key and security question enrollments is UNCONFIRMED (no
//! example shows one): the sandbox shows the device, the key's name and credential id, and the
//! question.
//!
//! A Classic Engine org answers every path with 401 E0000015, like the Authenticators API
//! (UNCONFIRMED; see [`super::authenticators`]).

use super::authenticators::require_identity_engine;
use super::factors::{refuse_inactive_user, remove_factor, with_user};
use super::{ok, Base, Body, Client, Json};
use crate::sandbox::clock::okta_time;
use crate::sandbox::error::{ApiError, ApiResult};
use crate::sandbox::events;
use crate::sandbox::ids;
use crate::sandbox::model::*;
use crate::sandbox::ops;
use crate::sandbox::render::{
    self, link, mask_phone, user_href, TAC_DEFAULT_TTL_MINUTES, TAC_LENGTH, TAC_MAX_TTL_MINUTES,
    TAC_MIN_TTL_MINUTES,
};
use crate::sandbox::state::{read, Org};
use crate::sandbox::Sandbox;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use serde_json::{json, Value};
use time::{Duration, OffsetDateTime};

pub fn routes() -> Router<Sandbox> {
    Router::new()
        .route("/users/{user_id}/authenticator-enrollments", get(list))
        .route(
            "/users/{user_id}/authenticator-enrollments/phone",
            post(create_phone),
        )
        .route(
            "/users/{user_id}/authenticator-enrollments/tac",
            post(create_tac),
        )
        .route(
            "/users/{user_id}/authenticator-enrollments/{enrollment_id}",
            get(get_one).delete(delete_one),
        )
}

/// One enrollment, derived from the user's factors (see the module docs).
#[derive(Clone, Debug)]
struct Enrollment {
    id: String,
    key: &'static str,
    created: OffsetDateTime,
    last_updated: OffsetDateTime,
    profile: Option<Value>,
    /// The factors that make it up (none for the password and a TAC).
    factor_ids: Vec<String>,
}

/// `type` by authenticator key (API-NOTES §4: observed, inferred or likely).
fn key_type(key: &str) -> &'static str {
    match key {
        "okta_password" => "password",
        "okta_email" => "email",
        "phone_number" => "phone",
        "webauthn" => "security_key",
        "security_question" => "security_question",
        "tac" => "tac",
        _ => "app",
    }
}

fn default_name(key: &str) -> &'static str {
    match key {
        "okta_password" => "Password",
        "okta_email" => "Email",
        "phone_number" => "Phone",
        "okta_verify" => "Okta Verify",
        "google_otp" => "Google Authenticator",
        "webauthn" => "Security Key or Biometric",
        "security_question" => "Security Question",
        "custom_otp" => "Custom TOTP",
        "tac" => "Temporary Access Code",
        _ => "Authenticator",
    }
}

/// Whether `?discloseIdentifiers=phone` was asked for (a list parameter: repeated or
/// comma-separated).
fn disclose_phone(raw: &Option<String>) -> bool {
    url::form_urlencoded::parse(raw.as_deref().unwrap_or("").as_bytes()).any(|(k, v)| {
        k.trim_end_matches("[]") == "discloseIdentifiers"
            && v.split(',').any(|x| x.trim().eq_ignore_ascii_case("phone"))
    })
}

/// Adds factor `f` to the enrollment `id` (creating it), keeping the earliest creation and the
/// latest update.
fn merge(
    out: &mut Vec<Enrollment>,
    id: String,
    key: &'static str,
    f: &Factor,
    profile: Option<Value>,
) {
    if let Some(e) = out.iter_mut().find(|e| e.id == id && e.key == key) {
        e.created = e.created.min(f.created);
        e.last_updated = e.last_updated.max(f.last_updated);
        e.factor_ids.push(f.id.clone());
        if e.profile.is_none() {
            e.profile = profile;
        }
    } else {
        out.push(Enrollment {
            id,
            key,
            created: f.created,
            last_updated: f.last_updated,
            profile,
            factor_ids: vec![f.id.clone()],
        });
    }
}

fn enrollments(org: &Org, u: &User, disclose: bool) -> Vec<Enrollment> {
    let mut out = vec![Enrollment {
        id: u.password_enrollment_id.clone(),
        key: "okta_password",
        created: u.created,
        last_updated: u.password_changed.unwrap_or(u.created),
        profile: None,
        factor_ids: vec![],
    }];
    // Phone enrollments by number: number → enrollment id (its first factor).
    let mut phones: Vec<(String, String)> = vec![];
    for f in u.active_factors() {
        let p = &f.profile;
        match f.kind {
            Kind::Push | Kind::OktaTotp | Kind::SignedNonce => {
                let device = f.device.clone().unwrap_or_else(|| f.id.clone());
                let profile = (f.kind == Kind::Push)
                    .then(|| json!({ "deviceName": p.device_name, "platform": p.platform }));
                merge(&mut out, device, "okta_verify", f, profile);
            }
            Kind::Sms | Kind::Call => {
                let number = p.phone_number.clone().unwrap_or_default();
                let id = match phones.iter().find(|(n, _)| *n == number) {
                    Some((_, id)) => id.clone(),
                    None => {
                        phones.push((number.clone(), f.id.clone()));
                        f.id.clone()
                    }
                };
                let shown = if disclose {
                    number
                } else {
                    mask_phone(&number)
                };
                merge(
                    &mut out,
                    id,
                    "phone_number",
                    f,
                    Some(json!({ "phoneNumber": shown })),
                );
            }
            Kind::Email => merge(
                &mut out,
                f.id.clone(),
                "okta_email",
                f,
                Some(json!({ "email": p.email })),
            ),
            Kind::WebAuthn | Kind::U2f => merge(
                &mut out,
                f.id.clone(),
                "webauthn",
                f,
                Some(json!({
                    "authenticatorName": p.authenticator_name,
                    "credentialId": p.credential_id,
                })),
            ),
            Kind::GoogleTotp => merge(&mut out, f.id.clone(), "google_otp", f, None),
            Kind::Question => merge(
                &mut out,
                f.id.clone(),
                "security_question",
                f,
                p.question
                    .as_ref()
                    .map(|q| json!({ "question": q, "questionText": render::question_text(q) })),
            ),
            Kind::Hotp => merge(&mut out, f.id.clone(), "custom_otp", f, None),
        }
    }
    if let Some(tac) = u.tac.as_ref().filter(|t| t.expires_at > org.now()) {
        out.push(Enrollment {
            id: tac.enrollment_id.clone(),
            key: "tac",
            created: tac.created,
            last_updated: tac.created,
            profile: Some(json!({
                "multiUse": tac.multi_use,
                "expiresAt": okta_time(tac.expires_at),
            })),
            factor_ids: vec![],
        });
    }
    out.sort_by_key(|e| e.created);
    out
}

fn enrollment_href(base: &str, user_id: &str, id: &str) -> String {
    format!(
        "{}/authenticator-enrollments/{id}",
        user_href(base, user_id)
    )
}

/// An enrollment as authenticator-enrollments-list.json and …-get-phone-*.json show it.
fn render_enrollment(org: &Org, base: &str, u: &User, e: &Enrollment) -> Value {
    let authenticator = org.authenticator_by_key(e.key);
    let name = authenticator
        .as_ref()
        .map(|a| a.name)
        .unwrap_or_else(|| default_name(e.key));
    let authenticator_id = authenticator.map(|a| a.id).unwrap_or_default();
    let mut out = json!({
        "type": key_type(e.key),
        "id": e.id,
        "key": e.key,
        "status": "ACTIVE",
        "name": name,
        "nickname": u.nicknames.get(&e.id),
        "created": okta_time(e.created),
        "lastUpdated": okta_time(e.last_updated),
        "_links": {
            "self": link(enrollment_href(base, &u.id, &e.id), &["GET", "DELETE"]),
            "user": link(user_href(base, &u.id), &["GET"]),
            "authenticator": link(
                format!("{base}/api/v1/authenticators/{authenticator_id}"),
                &["GET"],
            ),
        }
    });
    if let Some(profile) = &e.profile {
        out["profile"] = profile.clone();
    }
    out
}

fn enrollment_not_found(id: &str) -> ApiError {
    ApiError::not_found(id, "AuthenticatorEnrollment")
}

/// `GET …/authenticator-enrollments[?discloseIdentifiers=phone]`: an array (API-NOTES §3: the
/// spec's schema says object, its example and Okta say array).
pub async fn list(
    State(sb): State<Sandbox>,
    Base(base): Base,
    Path(user_id): Path<String>,
    RawQuery(query): RawQuery,
) -> ApiResult<Json> {
    let org = sb.org();
    require_identity_engine(org)?;
    let disclose = disclose_phone(&query);
    with_user(org, &user_id, |u| {
        ok(Value::Array(
            enrollments(org, u, disclose)
                .iter()
                .map(|e| render_enrollment(org, &base, u, e))
                .collect(),
        ))
    })
}

/// `GET …/authenticator-enrollments/{enrollmentId}[?discloseIdentifiers=phone]`.
pub async fn get_one(
    State(sb): State<Sandbox>,
    Base(base): Base,
    Path((user_id, enrollment_id)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> ApiResult<Json> {
    let org = sb.org();
    require_identity_engine(org)?;
    let disclose = disclose_phone(&query);
    with_user(org, &user_id, |u| {
        let e = enrollments(org, u, disclose)
            .into_iter()
            .find(|e| e.id == enrollment_id)
            .ok_or_else(|| enrollment_not_found(&enrollment_id))?;
        ok(render_enrollment(org, &base, u, &e))
    })
}

/// `DELETE …/authenticator-enrollments/{enrollmentId}`: 204. The enrollment's factors go:
/// an Okta Verify device's push, TOTP and FastPass (that device only), a phone's SMS and voice
/// factors, a temporary access code. Each removed factor is logged as in the Factors API.
///
/// The password enrollment cannot be deleted: 400 E0000001. UNCONFIRMED: the spec does not say
/// what Okta answers; a user without a password authenticator is out of the sandbox's scope.
pub async fn delete_one(
    State(sb): State<Sandbox>,
    client: Client,
    Path((user_id, enrollment_id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let org = sb.org();
    require_identity_engine(org)?;
    with_user(org, &user_id, |u| {
        let e = enrollments(org, u, false)
            .into_iter()
            .find(|e| e.id == enrollment_id)
            .ok_or_else(|| enrollment_not_found(&enrollment_id))?;
        refuse_inactive_user(u)?;
        let origin = client.origin(true);
        match e.key {
            "okta_password" => {
                return Err(ApiError::validation(
                    "enrollmentId",
                    "The password enrollment cannot be deleted.",
                ))
            }
            "tac" => {
                u.tac = None;
                events::record(
                    org,
                    &origin,
                    u,
                    None,
                    "user.mfa.factor.deactivate",
                    "Reset factor or authenticator",
                    "SUCCESS",
                    None,
                );
            }
            _ => {
                let mut removed = vec![];
                for id in &e.factor_ids {
                    removed.extend(remove_factor(org, u, id));
                }
                for r in removed.iter().filter(|r| r.status == FactorStatus::Active) {
                    events::factor_removed(org, &origin, u, r);
                }
            }
        }
        u.nicknames.remove(&e.id);
        u.last_updated = org.now();
        Ok(StatusCode::NO_CONTENT)
    })
}

/// The org authenticator `id` names, which must be the one with `key`: unknown → 404 E0000007;
/// another authenticator → 400 E0000001; inactive → 400 E0000001 (UNCONFIRMED wording).
fn check_authenticator(org: &Org, id: Option<&str>, key: &str) -> ApiResult<Authenticator> {
    let Some(id) = id.map(str::trim).filter(|s| !s.is_empty()) else {
        return Err(ApiError::validation(
            "authenticatorId",
            "authenticatorId: The field cannot be left blank",
        ));
    };
    let a = read(&org.authenticators)
        .iter()
        .find(|a| a.id == id)
        .cloned()
        .ok_or_else(|| ApiError::not_found(id, "Authenticator"))?;
    if a.key != key {
        return Err(ApiError::validation(
            "authenticatorId",
            format!("authenticatorId: The authenticator must be the {key} authenticator"),
        ));
    }
    if !a.active {
        return Err(ApiError::validation(
            "authenticatorId",
            "authenticatorId: The authenticator is not active",
        ));
    }
    Ok(a)
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PhoneBody {
    authenticator_id: Option<String>,
    #[serde(default)]
    profile: Value,
}

/// `POST …/authenticator-enrollments/phone` (authenticator-enrollments-create-phone-*.json):
/// an SMS factor, ACTIVE at once (no code is sent), for the E.164 number (else 400 E0000098).
/// The same number enrolled again: 400 E0000001 (UNCONFIRMED wording).
pub async fn create_phone(
    State(sb): State<Sandbox>,
    Base(base): Base,
    client: Client,
    Path(user_id): Path<String>,
    Body(body): Body<PhoneBody>,
) -> ApiResult<Json> {
    let org = sb.org();
    require_identity_engine(org)?;
    check_authenticator(org, body.authenticator_id.as_deref(), "phone_number")?;
    let raw = body
        .profile
        .get("phoneNumber")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| {
            ApiError::validation("phoneNumber", "phoneNumber: The field cannot be left blank")
        })?;
    let number = ops::normalize_phone(raw)?;
    with_user(org, &user_id, |u| {
        refuse_inactive_user(u)?;
        let taken = u.active_factors().any(|f| {
            matches!(f.kind, Kind::Sms | Kind::Call)
                && f.profile.phone_number.as_deref() == Some(number.as_str())
        });
        if taken {
            return Err(ApiError::validation(
                "phoneNumber",
                "phoneNumber: This phone number is already enrolled.",
            ));
        }
        let now = org.now();
        let f = Factor {
            id: ids::new_id(Kind::Sms.id_prefix()),
            kind: Kind::Sms,
            status: FactorStatus::Active,
            created: now,
            last_updated: now,
            last_verified: None,
            profile: FactorProfile {
                phone_number: Some(number.clone()),
                ..Default::default()
            },
            device: None,
            secret: None,
            factor_profile_id: None,
            last_totp_step: None,
            answer: None,
            webauthn_credential: None,
            webauthn_auth_state: None,
            challenge: None,
            pending: None,
        };
        u.factors.push(f.clone());
        u.last_updated = now;
        events::factor_activated(org, &client.origin(true), u, &f);
        let e = enrollments(org, u, false)
            .into_iter()
            .find(|e| e.factor_ids.contains(&f.id))
            .ok_or_else(|| enrollment_not_found(&f.id))?;
        ok(render_enrollment(org, &base, u, &e))
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TacProfile {
    /// Minutes, as a string (the spec's type) or a number (the spec's example).
    ttl: Option<Value>,
    multi_use: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TacBody {
    authenticator_id: Option<String>,
    profile: Option<TacProfile>,
}

/// The TTL in minutes: absent → the org default (120); else 10–14400, else 400 E0000001
/// (UNCONFIRMED wording).
fn tac_ttl(raw: Option<&Value>) -> ApiResult<u32> {
    let bad = || {
        ApiError::validation(
            "ttl",
            format!(
                "ttl: The time-to-live must be between {TAC_MIN_TTL_MINUTES} and {TAC_MAX_TTL_MINUTES} minutes"
            ),
        )
    };
    let minutes = match raw {
        None | Some(Value::Null) => return Ok(TAC_DEFAULT_TTL_MINUTES),
        Some(Value::Number(n)) => n.as_u64(),
        Some(Value::String(s)) => s.trim().parse::<u64>().ok(),
        Some(_) => None,
    }
    .ok_or_else(bad)?;
    u32::try_from(minutes)
        .ok()
        .filter(|m| (TAC_MIN_TTL_MINUTES..=TAC_MAX_TTL_MINUTES).contains(m))
        .ok_or_else(bad)
}

/// A new code: letters, digits and symbols, each at least once (like `n@C*bU26` in the spec's
/// example); look-alike characters left out.
fn new_tac_code() -> String {
    use rand::seq::SliceRandom;
    use rand::Rng;
    const LETTERS: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ";
    const DIGITS: &[u8] = b"23456789";
    const SYMBOLS: &[u8] = b"@*#$%&!";
    let mut rng = rand::rng();
    let pick = |rng: &mut rand::rngs::ThreadRng, set: &[u8]| set[rng.random_range(0..set.len())];
    let all: Vec<u8> = [LETTERS, DIGITS, SYMBOLS].concat();
    let mut code: Vec<u8> = (0..TAC_LENGTH).map(|_| pick(&mut rng, &all)).collect();
    let mut positions: Vec<usize> = (0..TAC_LENGTH).collect();
    positions.shuffle(&mut rng);
    for (pos, set) in positions.iter().zip([LETTERS, DIGITS, SYMBOLS]) {
        code[*pos] = pick(&mut rng, set);
    }
    String::from_utf8_lossy(&code).into_owned()
}

/// `POST …/authenticator-enrollments/tac` (authenticator-enrollments-create-tac.json; API-NOTES
/// §3): a temporary access code, shown in `profile.tac` only in this answer. A new code
/// replaces the user's previous one. The `tac` authenticator must be active.
pub async fn create_tac(
    State(sb): State<Sandbox>,
    Base(base): Base,
    client: Client,
    Path(user_id): Path<String>,
    Body(body): Body<TacBody>,
) -> ApiResult<Json> {
    let org = sb.org();
    require_identity_engine(org)?;
    let authenticator = check_authenticator(org, body.authenticator_id.as_deref(), "tac")?;
    let profile = body.profile.unwrap_or_default();
    let ttl = tac_ttl(profile.ttl.as_ref())?;
    let multi_use = profile.multi_use.unwrap_or(false);
    with_user(org, &user_id, |u| {
        refuse_inactive_user(u)?;
        let now = org.now();
        let tac = TemporaryAccessCode {
            enrollment_id: ids::new_id("tac"),
            code: new_tac_code(),
            multi_use,
            created: now,
            expires_at: now + Duration::minutes(i64::from(ttl)),
        };
        u.tac = Some(tac.clone());
        u.last_updated = now;
        events::record(
            org,
            &client.origin(true),
            u,
            None,
            "user.mfa.factor.activate",
            "Activate factor or authenticator",
            "SUCCESS",
            None,
        );
        let href = enrollment_href(&base, &u.id, &tac.enrollment_id);
        ok(json!({
            "type": "tac",
            "id": tac.enrollment_id,
            "key": "tac",
            "status": "ACTIVE",
            "name": authenticator.name,
            "created": okta_time(tac.created),
            "lastUpdated": okta_time(tac.created),
            "profile": {
                "tac": tac.code,
                "multiUse": tac.multi_use,
                "expiresAt": okta_time(tac.expires_at),
            },
            "_links": {
                "self": link(href, &["GET", "DELETE"]),
                "user": link(user_href(&base, &u.id), &["GET"]),
            }
        }))
    })
}

fn constant_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Signs in with a temporary access code: true when `code` is the user's unexpired TAC and the
/// org's `tac` authenticator is active. A single-use code is spent; an expired one is dropped.
///
/// For the Authn API: call it when the password check fails, with the user locked, and treat
/// `true` as a correct password.
pub fn consume_tac(org: &Org, user: &mut User, code: &str) -> bool {
    let Some(tac) = user.tac.clone() else {
        return false;
    };
    if tac.expires_at <= org.now() {
        user.tac = None;
        return false;
    }
    let enabled = org.authenticator_by_key("tac").is_some_and(|a| a.active);
    if !enabled || !constant_eq(tac.code.as_bytes(), code.as_bytes()) {
        return false;
    }
    if !tac.multi_use {
        user.tac = None;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::model::Pipeline;
    use crate::sandbox::seed;
    use crate::sandbox::state::{lock, Org};

    fn org() -> Org {
        let now = OffsetDateTime::now_utc();
        Org::new(
            "00o1".into(),
            Pipeline::IdentityEngine,
            vec![],
            seed::build(Pipeline::IdentityEngine, now),
        )
    }

    fn with_tac(org: &Org, multi_use: bool) -> UserCell {
        let cell = org.user_by_id(seed::users::NORA.0).unwrap();
        lock(&cell).tac = Some(TemporaryAccessCode {
            enrollment_id: "tac1".into(),
            code: "n@C*bU26".into(),
            multi_use,
            created: org.now(),
            expires_at: org.now() + Duration::minutes(10),
        });
        cell
    }

    use crate::sandbox::state::UserCell;

    #[test]
    fn a_single_use_tac_works_once() {
        let org = org();
        let cell = with_tac(&org, false);
        let mut u = lock(&cell);
        assert!(!consume_tac(&org, &mut u, "wrong"));
        assert!(u.tac.is_some(), "a wrong code does not spend it");
        assert!(consume_tac(&org, &mut u, "n@C*bU26"));
        assert!(!consume_tac(&org, &mut u, "n@C*bU26"));
    }

    #[test]
    fn a_multi_use_tac_works_until_it_expires() {
        let org = org();
        let cell = with_tac(&org, true);
        let mut u = lock(&cell);
        assert!(consume_tac(&org, &mut u, "n@C*bU26"));
        assert!(consume_tac(&org, &mut u, "n@C*bU26"));
        org.clock.advance(Duration::minutes(11));
        assert!(!consume_tac(&org, &mut u, "n@C*bU26"));
        assert!(u.tac.is_none());
    }

    #[test]
    fn a_tac_needs_the_tac_authenticator_active() {
        let org = org();
        let cell = with_tac(&org, true);
        for a in crate::sandbox::state::write(&org.authenticators).iter_mut() {
            if a.key == "tac" {
                a.active = false;
            }
        }
        assert!(!consume_tac(&org, &mut lock(&cell), "n@C*bU26"));
    }

    #[test]
    fn codes_mix_letters_digits_and_symbols() {
        for _ in 0..50 {
            let c = new_tac_code();
            assert_eq!(c.len(), TAC_LENGTH);
            assert!(c.chars().any(|x| x.is_ascii_alphabetic()));
            assert!(c.chars().any(|x| x.is_ascii_digit()));
            assert!(c.chars().any(|x| !x.is_ascii_alphanumeric()));
        }
    }

    #[test]
    fn ttl_accepts_numbers_and_strings_in_range() {
        assert_eq!(tac_ttl(None).unwrap(), 120);
        assert_eq!(tac_ttl(Some(&json!(11))).unwrap(), 11);
        assert_eq!(tac_ttl(Some(&json!("14400"))).unwrap(), 14_400);
        assert_eq!(tac_ttl(Some(&json!(9))).unwrap_err().code, "E0000001");
        assert_eq!(tac_ttl(Some(&json!("14401"))).unwrap_err().code, "E0000001");
        assert_eq!(tac_ttl(Some(&json!("ten"))).unwrap_err().code, "E0000001");
    }

    #[test]
    fn disclosure_reads_list_parameters() {
        assert!(disclose_phone(&Some("discloseIdentifiers=phone".into())));
        assert!(disclose_phone(&Some(
            "discloseIdentifiers=email,phone".into()
        )));
        assert!(!disclose_phone(&Some("other=phone".into())));
        assert!(!disclose_phone(&None));
    }
}
