//! The User Factors API (`/api/v1/users/{userId}/factors`, API-NOTES §1) with Okta's rules:
//! one enrollment per factor type, cascades, cooldowns, activation limits and expiry.

use super::{flag, ok, Base, Body, Client, Json};
use crate::sandbox::clock::okta_time;
use crate::sandbox::error::{ApiError, ApiResult};
use crate::sandbox::events;
use crate::sandbox::ids;
use crate::sandbox::model::*;
use crate::sandbox::ops::{self, Purpose};
use crate::sandbox::render::{self, factor_href, link, named_link, user_href, QUESTIONS};
use crate::sandbox::seed::CUSTOM_TOTP_PROFILE_ID;
use crate::sandbox::state::{lock, Org};
use crate::sandbox::totp;
use crate::sandbox::webauthn;
use crate::sandbox::Sandbox;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::MutexGuard;

type UserGuard<'a> = MutexGuard<'a, User>;

pub fn routes() -> Router<Sandbox> {
    Router::new()
        .route("/users/{user_id}/factors", get(list).post(enroll))
        .route("/users/{user_id}/factors/catalog", get(catalog))
        .route("/users/{user_id}/factors/questions", get(questions))
        .route(
            "/users/{user_id}/factors/{factor_id}",
            get(get_factor).delete(unenroll),
        )
        .route(
            "/users/{user_id}/factors/{factor_id}/lifecycle/activate",
            post(activate),
        )
        .route(
            "/users/{user_id}/factors/{factor_id}/lifecycle/activate/poll",
            post(activate_poll),
        )
        .route(
            "/users/{user_id}/factors/{factor_id}/lifecycle/activate/{channel}",
            post(send_activation),
        )
        .route("/users/{user_id}/factors/{factor_id}/resend", post(resend))
        .route("/users/{user_id}/factors/{factor_id}/verify", post(verify))
        .route(
            "/users/{user_id}/factors/{factor_id}/transactions/{transaction_id}",
            get(transaction).delete(cancel_transaction),
        )
        .route(
            "/users/{user_id}/factors/{factor_id}/qr/{token}",
            get(qr_png),
        )
}

/// Runs `f` on the user, locked; 404 E0000007 when there is no such user.
pub fn with_user<T>(
    org: &Org,
    user_id: &str,
    f: impl FnOnce(&mut User) -> ApiResult<T>,
) -> ApiResult<T> {
    let cell = org
        .user_by_id(user_id)
        .ok_or_else(|| ApiError::not_found(user_id, "User"))?;
    let mut guard: UserGuard<'_> = lock(&cell);
    f(&mut guard)
}

pub fn factor_not_found(factor_id: &str) -> ApiError {
    ApiError::not_found(factor_id, "UserFactor")
}

pub fn refuse_inactive_user(user: &User) -> ApiResult<()> {
    match user.status {
        UserStatus::Deprovisioned | UserStatus::Suspended | UserStatus::Staged => {
            Err(ApiError::user_status())
        }
        _ => Ok(()),
    }
}

/// `GET …/factors`: every factor, in enrollment order.
pub async fn list(
    State(sb): State<Sandbox>,
    Base(base): Base,
    Path(user_id): Path<String>,
) -> ApiResult<Json> {
    let org = sb.org();
    with_user(org, &user_id, |u| {
        ok(Value::Array(
            u.factors
                .iter()
                .map(|f| render::factor(org, &base, u, f))
                .collect(),
        ))
    })
}

/// `GET …/factors/{factorId}`.
pub async fn get_factor(
    State(sb): State<Sandbox>,
    Base(base): Base,
    Path((user_id, factor_id)): Path<(String, String)>,
) -> ApiResult<Json> {
    let org = sb.org();
    with_user(org, &user_id, |u| {
        let f = u
            .factor(&factor_id)
            .ok_or_else(|| factor_not_found(&factor_id))?;
        ok(render::factor(org, &base, u, f))
    })
}

/// Kinds the Factors API offers: the org's active authenticators, minus those it can't enroll.
fn enrollable(org: &Org, kind: Kind) -> bool {
    !matches!(kind, Kind::SignedNonce | Kind::U2f) && org.kind_enabled(kind)
}

/// `GET …/factors/catalog` (`UserFactorSupported`).
pub async fn catalog(
    State(sb): State<Sandbox>,
    Base(base): Base,
    Path(user_id): Path<String>,
) -> ApiResult<Json> {
    let org = sb.org();
    with_user(org, &user_id, |u| {
        let factors_href = format!("{}/factors", user_href(&base, &u.id));
        let mut out = vec![];
        for kind in Kind::ALL.into_iter().filter(|k| enrollable(org, *k)) {
            let status = if u.active_factors().any(|f| f.kind == kind) {
                "ACTIVE"
            } else if u.factors.iter().any(|f| f.kind == kind) {
                "PENDING_ACTIVATION"
            } else {
                "NOT_SETUP"
            };
            let mut links = json!({ "enroll": link(factors_href.clone(), &["POST"]) });
            if kind == Kind::Question {
                links["questions"] = link(format!("{factors_href}/questions"), &["GET"]);
            }
            let mut item = json!({
                "factorType": kind.factor_type(),
                "provider": kind.provider(),
                "vendorName": if kind == Kind::Hotp { "Custom TOTP".to_string() } else { kind.provider().to_string() },
                "enrollment": "OPTIONAL",
                "status": status,
                "_links": links,
            });
            if matches!(kind, Kind::Sms | Kind::Call) {
                let phones: Vec<Value> = u
                    .factors
                    .iter()
                    .filter(|f| matches!(f.kind, Kind::Sms | Kind::Call) && f.status == FactorStatus::Active)
                    .filter_map(|f| {
                        f.profile.phone_number.as_ref().map(|p| {
                            json!({ "id": f.id, "profile": { "phoneNumber": p }, "status": "ACTIVE" })
                        })
                    })
                    .collect();
                if !phones.is_empty() {
                    item["_embedded"] = json!({ "phones": phones });
                }
            }
            out.push(item);
        }
        ok(Value::Array(out))
    })
}

/// `GET …/factors/questions`.
pub async fn questions(State(sb): State<Sandbox>, Path(user_id): Path<String>) -> ApiResult<Json> {
    with_user(sb.org(), &user_id, |_| {
        ok(Value::Array(
            QUESTIONS
                .iter()
                .map(|(q, t)| json!({ "question": q, "questionText": t }))
                .collect(),
        ))
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EnrollQuery {
    update_phone: Option<String>,
    template_id: Option<String>,
    token_lifetime_seconds: Option<String>,
    activate: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EnrollBody {
    factor_type: Option<String>,
    provider: Option<String>,
    #[serde(default)]
    profile: Value,
    factor_profile_id: Option<String>,
}

fn profile_str(profile: &Value, key: &str) -> Option<String> {
    profile
        .get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn new_factor(org: &Org, kind: Kind) -> Factor {
    let now = org.now();
    Factor {
        id: ids::new_id(kind.id_prefix()),
        kind,
        status: FactorStatus::PendingActivation,
        created: now,
        last_updated: now,
        last_verified: None,
        profile: FactorProfile::default(),
        device: None,
        secret: None,
        factor_profile_id: None,
        last_totp_step: None,
        answer: None,
        webauthn_credential: None,
        webauthn_auth_state: None,
        challenge: None,
        pending: None,
    }
}

fn not_allowed_by_policy() -> ApiError {
    ApiError::validation(
        "factorEnrollRequest",
        "Factor not allowed for the user based on the Multifactor policy.",
    )
}

/// `POST …/factors` (API-NOTES §1.2).
pub async fn enroll(
    State(sb): State<Sandbox>,
    Base(base): Base,
    client: Client,
    Path(user_id): Path<String>,
    Query(q): Query<EnrollQuery>,
    Body(body): Body<EnrollBody>,
) -> ApiResult<Json> {
    let org = sb.org();
    let (Some(factor_type), Some(provider)) =
        (body.factor_type.as_deref(), body.provider.as_deref())
    else {
        return Err(ApiError::validation(
            "factorEnrollRequest",
            "factorType and provider are required",
        ));
    };
    let lifetime = ops::code_lifetime(&q.token_lifetime_seconds)?;
    let activate_now = flag(&q.activate);
    let update_phone = flag(&q.update_phone);
    let _ = &q.template_id;
    with_user(org, &user_id, |u| {
        refuse_inactive_user(u)?;
        let Some(kind) = Kind::from_wire(factor_type, provider) else {
            // Known Okta types the sandbox org has not configured (RSA, Symantec, YubiKey, Duo).
            return Err(not_allowed_by_policy());
        };
        if kind == Kind::SignedNonce {
            return Err(ApiError::validation(
                "factorEnrollRequest",
                "Okta FastPass (signed_nonce) cannot be enrolled with the Factors API.",
            ));
        }
        if !enrollable(org, kind) {
            return Err(not_allowed_by_policy());
        }

        // Type-specific validation happens before any state changes.
        let phone = match kind {
            Kind::Sms | Kind::Call => {
                let raw = profile_str(&body.profile, "phoneNumber").ok_or_else(|| {
                    ApiError::validation(
                        "factorEnrollRequest",
                        "phoneNumber: The field cannot be left blank",
                    )
                })?;
                Some(ops::normalize_phone(&raw)?)
            }
            _ => None,
        };
        let extension = profile_str(&body.profile, "phoneExtension");
        if let Some(ext) = &extension {
            if kind != Kind::Call || ext.len() > 15 || !ext.chars().all(|c| c.is_ascii_digit()) {
                return Err(ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "E0000121",
                    "Invalid phone extension.",
                )
                .cause("The extension must be up to 15 digits, and only for voice calls."));
            }
        }
        let email = match kind {
            Kind::Email => {
                let addr = profile_str(&body.profile, "email").unwrap_or_default();
                let verified = u.verified_emails();
                if !verified.iter().any(|v| v.eq_ignore_ascii_case(&addr)) {
                    // errors-factor-enroll-email-unverified-E0000001.json
                    return Err(ApiError::new(
                        StatusCode::BAD_REQUEST,
                        "E0000001",
                        "Api validation failed: Only verified primary or secondary email can be enrolled.",
                    ));
                }
                Some(addr)
            }
            _ => None,
        };

        // One enrollment per factor type through the Factors API.
        // Identity Engine keeps several security keys per user; other types stay one each.
        let several = kind == Kind::WebAuthn && org.pipeline == Pipeline::IdentityEngine;
        let existing = u
            .factors
            .iter()
            .position(|f| f.kind == kind && !(several && f.status == FactorStatus::Active));
        if let Some(existing) = existing {
            let active = u.factors[existing].status == FactorStatus::Active;
            let same_phone = phone.is_some() && u.factors[existing].profile.phone_number == phone;
            if matches!(kind, Kind::Sms | Kind::Call) && update_phone {
                // updatePhone: the existing phone factor takes the new number and is verified again.
                let f = &mut u.factors[existing];
                f.profile.phone_number = phone.clone();
                f.profile.phone_extension = extension.clone();
                f.status = FactorStatus::PendingActivation;
                f.last_updated = org.now();
                f.pending = Some(Pending::default());
                return finish_enroll(org, &base, &client, u, existing, activate_now, lifetime);
            }
            if active {
                let cause = if org.pipeline == Pipeline::IdentityEngine {
                    format!(
                        "Maximum number of enrollments reached for factorType {}",
                        kind.factor_type()
                    )
                } else if matches!(kind, Kind::Sms | Kind::Call) && !same_phone {
                    "There is an existing verified phone number.".to_string()
                } else {
                    "A factor of this type is already set up.".to_string()
                };
                return Err(ApiError::validation("factorEnrollRequest", cause));
            }
            // A pending factor of this type is replaced, as enrolling again restarts activation.
            let old = u.factors.remove(existing);
            forget_activation(org, &old);
        }

        let mut f = new_factor(org, kind);
        f.profile.phone_number = phone;
        f.profile.phone_extension = extension;
        f.profile.email = email;
        match kind {
            Kind::Push | Kind::OktaTotp | Kind::GoogleTotp => {
                f.profile.credential_id = Some(u.login().to_string());
            }
            _ => {}
        }
        match kind {
            Kind::Question => {
                let question = profile_str(&body.profile, "question").unwrap_or_default();
                let answer = body
                    .profile
                    .get("answer")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .trim()
                    .to_string();
                if !QUESTIONS.iter().any(|(k, _)| *k == question) {
                    return Err(ApiError::validation(
                        "factorEnrollRequest",
                        "question: The security question is not valid.",
                    ));
                }
                if answer.chars().count() < 4 {
                    return Err(ApiError::validation(
                        "factorEnrollRequest",
                        "answer: The security question answer must be at least 4 characters in length",
                    ));
                }
                if crate::sandbox::passwords::verify(&answer, &u.password_hash) {
                    return Err(ApiError::validation(
                        "factorEnrollRequest",
                        "answer: The security question answer cannot be the same as your password",
                    ));
                }
                if answer
                    .to_lowercase()
                    .contains(&render::question_text(&question).to_lowercase())
                {
                    return Err(ApiError::validation(
                        "factorEnrollRequest",
                        "answer: The answer cannot contain the question",
                    ));
                }
                f.profile.question = Some(question);
                f.answer = Some(answer.to_lowercase());
                f.status = FactorStatus::Active;
            }
            Kind::Hotp => {
                if body.factor_profile_id.as_deref() != Some(CUSTOM_TOTP_PROFILE_ID) {
                    return Err(ApiError::validation(
                        "factorEnrollRequest",
                        "factorProfileId: Invalid factor profile id",
                    ));
                }
                if !activate_now {
                    return Err(ApiError::validation(
                        "factorEnrollRequest",
                        "Custom TOTP factors can only be enrolled with activate=true",
                    ));
                }
                let secret = profile_str(&body.profile, "sharedSecret").unwrap_or_default();
                if totp::code_at(&secret, totp::Encoding::Hex, 0).is_none() {
                    return Err(ApiError::validation(
                        "factorEnrollRequest",
                        "sharedSecret: The shared secret must be hexadecimal",
                    ));
                }
                f.secret = Some(secret.to_ascii_lowercase());
                f.factor_profile_id = body.factor_profile_id.clone();
                f.status = FactorStatus::Active;
            }
            _ => {}
        }
        u.factors.push(f);
        let index = u.factors.len() - 1;
        finish_enroll(org, &base, &client, u, index, activate_now, lifetime)
    })
}

/// Sets up activation for the factor at `index` (or activates it outright) and answers.
fn finish_enroll(
    org: &Org,
    base: &str,
    client: &Client,
    u: &mut User,
    index: usize,
    activate_now: bool,
    lifetime: time::Duration,
) -> ApiResult<Json> {
    let kind = u.factors[index].kind;
    let now = org.now();
    match kind {
        Kind::Sms | Kind::Call | Kind::Email if activate_now => {
            u.factors[index].status = FactorStatus::Active;
            u.factors[index].pending = None;
        }
        Kind::Sms | Kind::Call | Kind::Email => {
            let to = u.factors[index]
                .profile
                .phone_number
                .clone()
                .or(u.factors[index].profile.email.clone())
                .unwrap_or_default();
            let code = ops::issue_code(
                org,
                u,
                kind,
                &to,
                lifetime,
                Purpose::Enrollment,
                client.language().as_deref(),
            );
            match code {
                Ok(code) => {
                    u.factors[index].pending = Some(Pending {
                        expires_at: Some(code.expires_at),
                        code: Some(code),
                        ..Default::default()
                    });
                }
                Err(e) => {
                    // Nothing is left behind when the message could not go out.
                    if u.factors[index].created == now {
                        u.factors.remove(index);
                    }
                    return Err(e);
                }
            }
        }
        Kind::Push => {
            let token = ids::token("00", 40);
            lock(&org.activation_tokens)
                .insert(token.clone(), (u.id.clone(), u.factors[index].id.clone()));
            u.factors[index].pending = Some(Pending {
                expires_at: Some(now + ops::PUSH_ACTIVATION_LIFETIME),
                activation_token: Some(token),
                ..Default::default()
            });
        }
        Kind::OktaTotp | Kind::GoogleTotp => {
            u.factors[index].secret = Some(totp::new_secret());
            u.factors[index].pending = Some(Pending::default());
        }
        Kind::WebAuthn => {
            let exclude: Vec<Vec<u8>> = u
                .active_factors()
                .filter(|f| f.kind == Kind::WebAuthn)
                .filter_map(|f| {
                    f.profile
                        .credential_id
                        .as_deref()
                        .and_then(webauthn::credential_id_bytes)
                })
                .collect();
            let display = events::display_name(u);
            let start = webauthn::start_registration(&u.id, u.login(), &display, exclude)
                .map_err(|e| ApiError::validation("factorEnrollRequest", e.to_string()))?;
            u.factors[index].pending = Some(Pending {
                challenge: Some(start.activation.to_string()),
                webauthn_state: Some(start.state),
                ..Default::default()
            });
        }
        _ => {}
    }
    let origin = client.origin(true);
    if u.factors[index].status == FactorStatus::Active {
        events::factor_activated(org, &origin, u, &u.factors[index].clone());
    }
    ok(render::factor(org, base, u, &u.factors[index]))
}

/// Drops a push activation token that can no longer be used.
fn forget_activation(org: &Org, f: &Factor) {
    if let Some(token) = f.pending.as_ref().and_then(|p| p.activation_token.as_ref()) {
        lock(&org.activation_tokens).remove(token);
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivateBody {
    pass_code: Option<String>,
    attestation: Option<String>,
    client_data: Option<String>,
    registration_data: Option<String>,
}

/// `POST …/lifecycle/activate` (API-NOTES §1.3).
pub async fn activate(
    State(sb): State<Sandbox>,
    Base(base): Base,
    client: Client,
    Path((user_id, factor_id)): Path<(String, String)>,
    Body(body): Body<ActivateBody>,
) -> ApiResult<Response> {
    let org = sb.org();
    with_user(org, &user_id, |u| {
        refuse_inactive_user(u)?;
        let index = u
            .factors
            .iter()
            .position(|f| f.id == factor_id)
            .ok_or_else(|| factor_not_found(&factor_id))?;
        if u.factors[index].status == FactorStatus::Active {
            return Err(ApiError::validation(
                "activateFactor",
                "The factor is already active.",
            ));
        }
        let kind = u.factors[index].kind;
        if kind == Kind::Push {
            // Activating a timed-out push starts over with a fresh QR code.
            let expired = u.factors[index]
                .pending
                .as_ref()
                .and_then(|p| p.expires_at)
                .is_none_or(|t| t <= org.now());
            if expired {
                let old = u.factors[index].clone();
                forget_activation(org, &old);
                let token = ids::token("00", 40);
                lock(&org.activation_tokens)
                    .insert(token.clone(), (u.id.clone(), factor_id.clone()));
                let p = u.factors[index]
                    .pending
                    .get_or_insert_with(Pending::default);
                p.activation_token = Some(token);
                p.expires_at = Some(org.now() + ops::PUSH_ACTIVATION_LIFETIME);
            }
            return Ok(push_poll_body(org, &base, u, index).into_response());
        }
        let mut pending = u.factors[index].pending.clone().unwrap_or_default();
        ops::activation_attempts_left(org, &mut pending)?;
        let result = match kind {
            Kind::OktaTotp | Kind::GoogleTotp => {
                let code = body.pass_code.clone().unwrap_or_default();
                ops::check_totp(org, &mut u.factors[index], &code)
            }
            Kind::Sms | Kind::Call | Kind::Email => {
                let code = body.pass_code.clone().unwrap_or_default();
                if ops::sent_code_matches(org, &pending.code, &code) {
                    Ok(())
                } else {
                    Err(ApiError::invalid_passcode())
                }
            }
            Kind::WebAuthn => {
                let (Some(att), Some(cd)) =
                    (body.attestation.as_deref(), body.client_data.as_deref())
                else {
                    return Err(ApiError::validation(
                        "activateFactor",
                        "attestation and clientData are required",
                    ));
                };
                let state = pending.webauthn_state.clone().unwrap_or_default();
                match webauthn::finish_registration(&org.webauthn_origins, &state, att, cd) {
                    Ok(reg) => {
                        let duplicate = u.factors.iter().any(|f| {
                            f.kind == Kind::WebAuthn
                                && f.status == FactorStatus::Active
                                && f.profile.credential_id.as_deref()
                                    == Some(reg.credential_id.as_str())
                        });
                        if duplicate {
                            Err(ApiError::validation(
                                "activateFactor",
                                "This security key is already registered.",
                            ))
                        } else {
                            let f = &mut u.factors[index];
                            f.profile.credential_id = Some(reg.credential_id);
                            f.profile.authenticator_name = Some(reg.authenticator_name);
                            f.webauthn_credential = Some(reg.credential);
                            Ok(())
                        }
                    }
                    Err(e) => {
                        tracing::info!(error = %e, "sandbox refused a WebAuthn attestation");
                        Err(ApiError::invalid_passcode())
                    }
                }
            }
            Kind::U2f => {
                let _ = (&body.registration_data, &body.client_data);
                Err(not_allowed_by_policy())
            }
            _ => Err(ApiError::validation(
                "activateFactor",
                "This factor does not need activation.",
            )),
        };
        if let Err(e) = result {
            if e.code == "E0000068" || e.code == "E0000082" {
                ops::record_failed_attempt(org, &mut pending);
                u.factors[index].pending = Some(pending);
            }
            return Err(e);
        }
        let f = &mut u.factors[index];
        f.status = FactorStatus::Active;
        f.pending = None;
        f.last_updated = org.now();
        let activated = f.clone();
        events::factor_activated(org, &client.origin(true), u, &activated);
        Ok(axum::Json(render::factor(org, &base, u, &activated)).into_response())
    })
}

/// The push activation state: the ACTIVE factor, WAITING, or TIMEOUT (API-NOTES §1.3).
fn push_poll_body(org: &Org, base: &str, u: &User, index: usize) -> Json {
    let f = &u.factors[index];
    let href = factor_href(base, &u.id, &f.id);
    if f.status == FactorStatus::Active {
        return axum::Json(render::factor(org, base, u, f));
    }
    let pending = f.pending.clone().unwrap_or_default();
    let expired = pending.expires_at.is_none_or(|t| t <= org.now());
    if expired {
        return axum::Json(json!({
            "factorResult": "TIMEOUT",
            "_links": { "activate": link(format!("{href}/lifecycle/activate"), &["POST"]) }
        }));
    }
    let token = pending.activation_token.clone().unwrap_or_default();
    let mut body = render::push_activation(&pending, &href, &token);
    body["_links"]["poll"] = link(format!("{href}/lifecycle/activate/poll"), &["POST"]);
    axum::Json(body)
}

/// `POST …/lifecycle/activate/poll`: the push enroll's `poll` link.
pub async fn activate_poll(
    State(sb): State<Sandbox>,
    Base(base): Base,
    Path((user_id, factor_id)): Path<(String, String)>,
) -> ApiResult<Json> {
    let org = sb.org();
    with_user(org, &user_id, |u| {
        let index = u
            .factors
            .iter()
            .position(|f| f.id == factor_id)
            .ok_or_else(|| factor_not_found(&factor_id))?;
        if u.factors[index].kind != Kind::Push {
            return Err(ApiError::validation(
                "activateFactor",
                "Only push factors are polled.",
            ));
        }
        Ok(push_poll_body(org, &base, u, index))
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SendBody {
    #[serde(default)]
    profile: Value,
}

/// `POST …/lifecycle/activate/{email|sms}`: the push enroll's `send` links. The body is not
/// documented (API-NOTES §1); `{profile:{phoneNumber}}` names the phone, else the user's
/// mobile phone or primary email is used.
pub async fn send_activation(
    State(sb): State<Sandbox>,
    Base(base): Base,
    client: Client,
    Path((user_id, factor_id, channel)): Path<(String, String, String)>,
    Body(body): Body<SendBody>,
) -> ApiResult<Json> {
    let org = sb.org();
    with_user(org, &user_id, |u| {
        let f = u
            .factor(&factor_id)
            .ok_or_else(|| factor_not_found(&factor_id))?
            .clone();
        let pending = match (&f.kind, &f.status, &f.pending) {
            (Kind::Push, FactorStatus::PendingActivation, Some(p))
                if p.expires_at.is_some_and(|t| t > org.now()) =>
            {
                p.clone()
            }
            _ => {
                return Err(ApiError::validation(
                    "activateFactor",
                    "There is no pending Okta Verify activation to send.",
                ))
            }
        };
        let (kind, to) = match channel.as_str() {
            "sms" => {
                let raw = profile_str(&body.profile, "phoneNumber")
                    .or_else(|| u.profile_str("mobilePhone").map(str::to_string))
                    .ok_or_else(|| {
                        ApiError::validation(
                            "activateFactor",
                            "phoneNumber: The field cannot be left blank",
                        )
                    })?;
                (Kind::Sms, ops::normalize_phone(&raw)?)
            }
            "email" => (
                Kind::Email,
                u.profile_str("email").unwrap_or_default().to_string(),
            ),
            _ => return Err(ApiError::not_found(&channel, "Link")),
        };
        ops::take_cooldown(org, kind, &to)?;
        let payload = crate::sandbox::phone::qr_payload(
            org,
            &base,
            u,
            &f,
            pending.activation_token.as_deref().unwrap_or_default(),
        );
        org.send(OutboxMessage {
            id: ids::new_id("msg"),
            channel: ops::channel(kind),
            to: to.clone(),
            code: None,
            link: Some(payload.clone()),
            expires_at: pending.expires_at.map(okta_time),
            subject: "Set up Okta Verify".into(),
            body: format!("Open this link on your phone to set up Okta Verify: {payload}"),
            sent_at: okta_time(org.now()),
            locale: client.language(),
            user_id: Some(u.id.clone()),
        });
        ok(json!({
            "expiresAt": pending.expires_at.map(okta_time),
            "factorResult": "WAITING",
        }))
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResendQuery {
    template_id: Option<String>,
}

/// `POST …/resend`: a new code for a pending SMS, call or email factor.
pub async fn resend(
    State(sb): State<Sandbox>,
    Base(base): Base,
    client: Client,
    Path((user_id, factor_id)): Path<(String, String)>,
    Query(q): Query<ResendQuery>,
    Body(body): Body<EnrollBody>,
) -> ApiResult<Json> {
    let org = sb.org();
    let _ = q.template_id;
    with_user(org, &user_id, |u| {
        let index = u
            .factors
            .iter()
            .position(|f| f.id == factor_id)
            .ok_or_else(|| factor_not_found(&factor_id))?;
        let kind = u.factors[index].kind;
        if body.factor_type.is_none() || body.provider.is_none() {
            return Err(ApiError::validation(
                "resendEnrollFactor",
                "factorType and provider are required",
            ));
        }
        if !kind.sends_code() || u.factors[index].status != FactorStatus::PendingActivation {
            return Err(ApiError::validation(
                "resendEnrollFactor",
                "Only pending SMS, voice and email factors can be resent.",
            ));
        }
        let mut pending = u.factors[index].pending.clone().unwrap_or_default();
        // After the activation limit, resend is refused too (API-NOTES §1.3).
        ops::activation_attempts_left(org, &mut pending)?;
        let to = u.factors[index]
            .profile
            .phone_number
            .clone()
            .or(u.factors[index].profile.email.clone())
            .unwrap_or_default();
        let code = ops::issue_code(
            org,
            u,
            kind,
            &to,
            ops::DEFAULT_CODE_LIFETIME,
            Purpose::Enrollment,
            client.language().as_deref(),
        )?;
        pending.expires_at = Some(code.expires_at);
        pending.code = Some(code);
        u.factors[index].pending = Some(pending);
        ok(render::factor(org, &base, u, &u.factors[index]))
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UnenrollQuery {
    remove_recovery_enrollment: Option<String>,
}

/// Removes a factor and what goes with it: Okta Verify's push, TOTP and FastPass of the same
/// device go together (API-NOTES §1 side effects). Returns what was removed.
pub fn remove_factor(org: &Org, u: &mut User, factor_id: &str) -> Vec<Factor> {
    let Some(f) = u.factor(factor_id).cloned() else {
        return vec![];
    };
    let cascade = matches!(f.kind, Kind::Push | Kind::SignedNonce);
    let device = f.device.clone();
    let (removed, kept): (Vec<Factor>, Vec<Factor>) = u.factors.drain(..).partition(|g| {
        g.id == f.id
            || (cascade
                && device.is_some()
                && g.device == device
                && matches!(g.kind, Kind::Push | Kind::OktaTotp | Kind::SignedNonce))
    });
    u.factors = kept;
    for r in &removed {
        forget_activation(org, r);
        u.nicknames.remove(&r.id);
    }
    lock(&org.pushes).retain(|_, tx| !removed.iter().any(|r| r.id == tx.factor_id));
    removed
}

/// `DELETE …/factors/{factorId}` (`removeRecoveryEnrollment` for SMS and voice).
pub async fn unenroll(
    State(sb): State<Sandbox>,
    client: Client,
    Path((user_id, factor_id)): Path<(String, String)>,
    Query(q): Query<UnenrollQuery>,
) -> ApiResult<StatusCode> {
    let org = sb.org();
    with_user(org, &user_id, |u| {
        let f = u
            .factor(&factor_id)
            .cloned()
            .ok_or_else(|| factor_not_found(&factor_id))?;
        refuse_inactive_user(u)?;
        let keep_recovery = !flag(&q.remove_recovery_enrollment);
        let removed = remove_factor(org, u, &factor_id);
        if matches!(f.kind, Kind::Sms | Kind::Call) && keep_recovery {
            // The number stays with the user as a recovery phone (shown in the catalog's
            // `_embedded.phones` when enrolled again).
            if let Some(phone) = &f.profile.phone_number {
                u.profile.insert("mobilePhone".into(), json!(phone));
            }
        }
        for r in &removed {
            if r.status == FactorStatus::Active {
                events::factor_removed(org, &client.origin(true), u, r);
            }
        }
        u.last_updated = org.now();
        Ok(StatusCode::NO_CONTENT)
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VerifyQuery {
    template_id: Option<String>,
    token_lifetime_seconds: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VerifyBody {
    pass_code: Option<String>,
    answer: Option<String>,
    use_number_matching_challenge: Option<bool>,
    client_data: Option<String>,
    authenticator_data: Option<String>,
    signature_data: Option<String>,
}

/// `POST …/verify` (API-NOTES §1.4). A push answers 201 with a transaction.
pub async fn verify(
    State(sb): State<Sandbox>,
    Base(base): Base,
    client: Client,
    Path((user_id, factor_id)): Path<(String, String)>,
    Query(q): Query<VerifyQuery>,
    Body(body): Body<VerifyBody>,
) -> ApiResult<Response> {
    let org = sb.org();
    let lifetime = ops::code_lifetime(&q.token_lifetime_seconds)?;
    let _ = q.template_id;
    with_user(org, &user_id, |u| {
        refuse_inactive_user(u)?;
        let index = u
            .factors
            .iter()
            .position(|f| f.id == factor_id)
            .ok_or_else(|| factor_not_found(&factor_id))?;
        if u.factors[index].status != FactorStatus::Active {
            return Err(ApiError::validation(
                "verifyFactor",
                "The factor has not been activated.",
            ));
        }
        let kind = u.factors[index].kind;
        let href = factor_href(&base, &u.id, &factor_id);
        let origin = client.origin(true);
        let success = |org: &Org, u: &mut User| -> ApiResult<Response> {
            u.factors[index].last_verified = Some(org.now());
            let f = u.factors[index].clone();
            events::mfa_verified(org, &origin, u, &f, true);
            let mut out = json!({ "factorResult": "SUCCESS" });
            if kind == Kind::WebAuthn {
                out["profile"] = render::factor_profile(&f).unwrap_or(json!({}));
            }
            Ok(axum::Json(out).into_response())
        };
        let failure = |org: &Org, u: &User, e: ApiError| -> ApiResult<Response> {
            events::mfa_verified(org, &origin, u, &u.factors[index], false);
            Err(e)
        };
        match kind {
            Kind::Sms | Kind::Call | Kind::Email => match body.pass_code.as_deref() {
                None => {
                    let to = u.factors[index]
                        .profile
                        .phone_number
                        .clone()
                        .or(u.factors[index].profile.email.clone())
                        .unwrap_or_default();
                    let code = ops::issue_code(
                        org,
                        u,
                        kind,
                        &to,
                        lifetime,
                        Purpose::Verification,
                        client.language().as_deref(),
                    )?;
                    u.factors[index].challenge = Some(code);
                    let mut out = json!({
                        "factorResult": "CHALLENGE",
                        "_links": {
                            "verify": link(format!("{href}/verify"), &["POST"]),
                            "factor": link(href.clone(), &["GET", "DELETE"]),
                        }
                    });
                    // Okta names the phone a code went to, but not the email address
                    // (factors-verify-challenge-{sms,call,email}.json).
                    if matches!(u.factors[index].kind, Kind::Sms | Kind::Call) {
                        out["profile"] =
                            render::factor_profile(&u.factors[index]).unwrap_or(json!({}));
                    }
                    Ok(axum::Json(out).into_response())
                }
                Some(code) => {
                    if ops::sent_code_matches(org, &u.factors[index].challenge, code) {
                        u.factors[index].challenge = None;
                        success(org, u)
                    } else {
                        failure(org, u, ApiError::invalid_passcode())
                    }
                }
            },
            Kind::OktaTotp | Kind::GoogleTotp | Kind::Hotp => {
                let code = body.pass_code.clone().unwrap_or_default();
                match ops::check_totp(org, &mut u.factors[index], &code) {
                    Ok(()) => success(org, u),
                    Err(e) => failure(org, u, e),
                }
            }
            Kind::Question => {
                let answer = body
                    .answer
                    .clone()
                    .unwrap_or_default()
                    .trim()
                    .to_lowercase();
                if !answer.is_empty() && u.factors[index].answer.as_deref() == Some(answer.as_str())
                {
                    success(org, u)
                } else {
                    failure(
                        org,
                        u,
                        ApiError::new(StatusCode::FORBIDDEN, "E0000068", "Invalid Passcode/Answer")
                            .cause("Your answer doesn't match our records. Please try again."),
                    )
                }
            }
            Kind::Push => {
                if client.user_agent.is_none() {
                    return Err(ApiError::validation(
                        "verifyFactor",
                        "User-Agent: The header is required for push verification",
                    ));
                }
                let nmc = body.use_number_matching_challenge.unwrap_or(false);
                let from = client
                    .ip
                    .clone()
                    .unwrap_or_else(|| "an unknown location".into());
                let tx = ops::start_push(
                    org,
                    u,
                    &u.factors[index],
                    nmc,
                    format!("Sign-in from {from}"),
                );
                // No `profile` here: factors-verify-challenge-push{,-nmc}-201.json.
                let out = waiting_body(&tx, &href);
                Ok((StatusCode::CREATED, axum::Json(out)).into_response())
            }
            Kind::WebAuthn => {
                let credential = u.factors[index].webauthn_credential.clone();
                match (
                    &body.client_data,
                    &body.authenticator_data,
                    &body.signature_data,
                ) {
                    (Some(cd), Some(ad), Some(sig)) => {
                        let state = u.factors[index]
                            .webauthn_auth_state
                            .take()
                            .unwrap_or_default();
                        let cred_id = u.factors[index]
                            .profile
                            .credential_id
                            .clone()
                            .unwrap_or_default();
                        match webauthn::finish_authentication(
                            &org.webauthn_origins,
                            &state,
                            &cred_id,
                            cd,
                            ad,
                            sig,
                        ) {
                            Ok(()) => success(org, u),
                            Err(e) => {
                                tracing::info!(error = %e, "sandbox refused a WebAuthn assertion");
                                failure(org, u, ApiError::invalid_passcode())
                            }
                        }
                    }
                    _ => {
                        let Some(credential) = credential else {
                            // A seeded key whose private half exists nowhere.
                            return Err(ApiError::validation(
                                "verifyFactor",
                                "This security key cannot be used in the sandbox.",
                            ));
                        };
                        let (challenge, state) = webauthn::start_authentication(&credential)
                            .map_err(|e| ApiError::validation("verifyFactor", e.to_string()))?;
                        u.factors[index].webauthn_auth_state = Some(state);
                        let profile =
                            render::factor_profile(&u.factors[index]).unwrap_or(json!({}));
                        Ok(axum::Json(json!({
                            "factorResult": "CHALLENGE",
                            "profile": profile,
                            "_links": {
                                "verify": link(format!("{href}/verify"), &["POST"]),
                                "factor": link(href.clone(), &["GET", "DELETE"]),
                            },
                            "_embedded": { "challenge": { "challenge": challenge, "extensions": {} } }
                        }))
                        .into_response())
                    }
                }
            }
            Kind::U2f | Kind::SignedNonce => Err(ApiError::validation(
                "verifyFactor",
                "This factor cannot be verified through the API.",
            )),
        }
    })
}

/// A waiting push transaction body with `poll` and `cancel` (and the number challenge).
pub fn waiting_body(tx: &PushTransaction, factor_href: &str) -> Value {
    let tx_href = format!("{factor_href}/transactions/{}", tx.id);
    let mut out = json!({
        "expiresAt": okta_time(tx.expires_at),
        "factorResult": "WAITING",
        "_links": {
            "poll": link(tx_href.clone(), &["GET"]),
            "cancel": link(tx_href, &["DELETE"]),
        }
    });
    if let Some(answer) = tx.correct_answer {
        out["_embedded"] = json!({ "challenge": { "correctAnswer": answer } });
    }
    out
}

/// `GET …/transactions/{transactionId}`: a push verification's state.
pub async fn transaction(
    State(sb): State<Sandbox>,
    Base(base): Base,
    Path((user_id, factor_id, tx_id)): Path<(String, String, String)>,
) -> ApiResult<Json> {
    let org = sb.org();
    let tx = ops::push_transaction(org, &tx_id)
        .filter(|t| t.user_id == user_id && t.factor_id == factor_id)
        .ok_or_else(|| {
            ApiError::new(StatusCode::NOT_FOUND, "E0000191", "Verification timed out.")
        })?;
    with_user(org, &user_id, |u| {
        let f = u
            .factor(&factor_id)
            .ok_or_else(|| factor_not_found(&factor_id))?;
        let href = factor_href(&base, &u.id, &factor_id);
        let credential = json!({ "credentialId": f.profile.credential_id });
        let body = match ops::push_state(org, &tx) {
            "SUCCESS" => json!({ "factorResult": "SUCCESS" }),
            "WAITING" => {
                let mut b = waiting_body(&tx, &href);
                b["profile"] = credential;
                b
            }
            state => json!({
                "factorResult": state,
                "profile": credential,
                "_links": {
                    "verify": link(format!("{href}/verify"), &["POST"]),
                    "factor": link(href.clone(), &["GET", "DELETE"]),
                }
            }),
        };
        ok(body)
    })
}

/// `DELETE …/transactions/{transactionId}`: the `cancel` link of a waiting push.
pub async fn cancel_transaction(
    State(sb): State<Sandbox>,
    Path((user_id, factor_id, tx_id)): Path<(String, String, String)>,
) -> ApiResult<StatusCode> {
    let org = sb.org();
    let mut pushes = lock(&org.pushes);
    match pushes.get_mut(&tx_id) {
        Some(tx) if tx.user_id == user_id && tx.factor_id == factor_id => {
            if tx.outcome == PushOutcome::Waiting {
                tx.outcome = PushOutcome::Cancelled;
            }
            Ok(StatusCode::NO_CONTENT)
        }
        _ => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "E0000191",
            "Verification timed out.",
        )),
    }
}

/// `GET …/qr/{token}`: the QR image of a pending push or TOTP activation (image/png).
pub async fn qr_png(
    State(sb): State<Sandbox>,
    Path((user_id, factor_id, token)): Path<(String, String, String)>,
) -> ApiResult<Response> {
    let payload = sb.qr_payload_for(&user_id, &factor_id, &token)?;
    let png = crate::sandbox::phone::qr_png(&payload)
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "E0000009", e))?;
    Ok(([(header::CONTENT_TYPE, "image/png")], png).into_response())
}

/// Named links of a pending SMS/voice/email factor (used by the Authn API too).
pub fn resend_links(href: &str, kind: Kind) -> Value {
    json!([named_link(
        kind.factor_type(),
        format!("{href}/resend"),
        &["POST"]
    )])
}
