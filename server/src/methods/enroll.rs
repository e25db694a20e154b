//! Enrolling a method: start it (Okta's enroll), show what the user needs (a QR code Keyport
//! draws, a secret, a sent code, a WebAuthn ceremony), and finish it (activation). The pending
//! enrollment lives in the server-side session, so a reload shows it again and another Keyport
//! instance can finish it; cancelling removes the pending factor so nothing dangles.

use super::{ctx, not_found, qr, MethodsService};
use crate::auth::limits::{self, MessageCharge};

use crate::auth::now;
use crate::okta::types::{
    ActivateFactorRequest, EnrollFactorQuery, EnrollFactorRequest, FactorResult, FactorStatus,
    ResendFactorRequest, UserFactor,
};
use crate::okta::{ActivationChannel, OktaError};
use crate::service::errors::{internal, portal_error, Flow};
use crate::service::factors::{mask_email, mask_phone};
use crate::service::input;
use crate::sessions::data::{FinishedEnrollment, PendingEnrollment};
use crate::sessions::{KeyportSession, SignedInUser};
use app::api::RequestInfo;
use app::error::{ErrorCode, PortalError};
use app::model::auth::MethodKind;
use app::model::methods::{EnrollRequest, EnrollmentStep};
use app::model::Pipeline;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use tower_sessions::Session;

/// An Okta Verify QR code lasts about ten minutes (API-NOTES §1.2) when Okta does not say.
const PUSH_ACTIVATION_SECS: i64 = 600;

/// Okta's refusals of an enrollment, explained with the way forward (never a raw error).
fn enroll_error(err: OktaError, kind: MethodKind, req: &RequestInfo) -> PortalError {
    let explain = |msg: &str| {
        PortalError::new(ErrorCode::InvalidInput, msg).with_correlation_id(req.request_id.clone())
    };
    match &err {
        OktaError::MaxEnrollments { factor_type, .. } if factor_type == "push" || kind == MethodKind::OktaVerify => explain(
            "You already have Okta Verify, and your organization (Okta Identity Engine) adds more devices from the app itself: on the new phone, open Okta Verify, tap +, choose your organization and sign in. It then appears here. To move to a new phone instead, remove the old device first, then add the new one here.",
        ),
        OktaError::MaxEnrollments { .. } => explain(&format!(
            "You already have {} set up, and your organization allows one. Remove the one you have first to set up a new one.",
            kind.label().to_lowercase()
        )),
        OktaError::AlreadyEnrolled { cause, .. } if cause.contains("phone") => explain(
            "You already have a verified phone number. To use a different one, choose “Replace my phone number”.",
        ),
        OktaError::AlreadyEnrolled { .. } => explain(&format!(
            "You already have {} set up. Remove it first to set it up again.",
            kind.label().to_lowercase()
        )),
        OktaError::NotAllowed(_) => PortalError::new(
            ErrorCode::Forbidden,
            "Your organization doesn't allow this method for your account. Choose another one.",
        )
        .with_correlation_id(req.request_id.clone()),
        OktaError::Validation { causes, .. } if causes.iter().any(|c| c.contains("verified primary or secondary email")) => explain(
            "That email address isn't one of your verified addresses. Choose your primary or secondary email.",
        ),
        OktaError::Validation { summary, .. } if summary.contains("verified primary or secondary email") => explain(
            "That email address isn't one of your verified addresses. Choose your primary or secondary email.",
        ),
        OktaError::Validation { causes, .. } if kind == MethodKind::SecurityQuestion => {
            let msg = if causes.iter().any(|c| c.contains("at least 4")) {
                "The answer must be at least 4 characters."
            } else if causes.iter().any(|c| c.contains("password")) {
                "The answer can't be your password."
            } else if causes.iter().any(|c| c.contains("contain the question")) {
                "The answer can't contain the question."
            } else {
                "That answer wasn't accepted. Choose another one."
            };
            explain(msg).with_field("answer")
        }
        _ => portal_error(err, req, Flow::Enroll),
    }
}

/// Counts one text, call or email the enrollment asks Okta to send to `destination`.
async fn charge_message(
    svc: &MethodsService,
    session: &Session,
    user: &SignedInUser,
    destination: &str,
    req: &RequestInfo,
) -> Result<(), PortalError> {
    limits::message(
        &svc.kv,
        &svc.settings.limits,
        MessageCharge {
            session: limits::session_key(session).await,
            account: &limits::account_of(&user.id),
            destination: Some(destination),
            address: req.client_ip.as_deref(),
        },
    )
    .await
}

/// Bounds every typed field of an enrollment request before anything else reads it.
fn check_request(r: &EnrollRequest) -> Result<(), PortalError> {
    input::check_opt(r.phone.as_deref(), input::PHONE)?;
    input::check_opt(r.email.as_deref(), input::EMAIL)?;
    input::check_opt(r.answer.as_deref(), input::ANSWER)?;
    input::check_opt(r.country.as_deref(), input::PHONE).map_err(|e| e.with_field("country"))?;
    input::check_opt(r.extension.as_deref(), input::PHONE)
        .map_err(|e| e.with_field("extension"))?;
    if let Some(q) = r.question.as_deref() {
        input::check_id(q).map_err(|e| e.with_field("question"))?;
    }
    Ok(())
}

/// Normalises what people type ("(415) 555-1337", "+44 20 7946 0958") to E.164, refusing
/// impossible numbers before anything is sent to Okta.
pub fn normalize_phone(input: &str, country: Option<&str>) -> Result<String, PortalError> {
    let invalid = || {
        PortalError::new(
            ErrorCode::InvalidInput,
            "That doesn't look like a real phone number. Check the number and the country, or type it with its country code (for example +44 20 7946 0958).",
        )
        .with_field("phone")
    };
    let country = country
        .filter(|c| !c.is_empty())
        .map(|c| c.to_ascii_uppercase().parse::<phonenumber::country::Id>())
        .transpose()
        .map_err(|_| invalid())?;
    let number = phonenumber::parse(country, input.trim()).map_err(|_| invalid())?;
    if !number.is_valid() {
        return Err(invalid());
    }
    Ok(number.format().mode(phonenumber::Mode::E164).to_string())
}

fn step_for(
    svc: &MethodsService,
    p: &PendingEnrollment,
    user: &SignedInUser,
    mobile: Option<&str>,
) -> Option<EnrollmentStep> {
    let _ = svc;
    match p.kind {
        MethodKind::OktaVerify => {
            let payload = p.payload.as_ref()?.expose().to_string();
            let left = p.expires_at.map(|t| t - now()).unwrap_or(0);
            if left <= 0 {
                return Some(EnrollmentStep::OktaVerifyExpired {
                    factor_id: p.factor_id.clone(),
                });
            }
            Some(EnrollmentStep::ScanOktaVerify {
                factor_id: p.factor_id.clone(),
                qr_svg: qr::svg(&payload).ok()?,
                setup_link: payload,
                expires_in: left as u64,
                send_to_phone: mobile.map(mask_phone),
                send_to_email: Some(mask_email(&user.login)),
            })
        }
        MethodKind::OktaVerifyCode | MethodKind::AuthenticatorApp => {
            let payload = p.payload.as_ref()?.expose().to_string();
            let secret = p.secret.as_ref()?.expose().to_string();
            let issuer = url::Url::parse(&payload)
                .ok()
                .and_then(|u| {
                    u.query_pairs()
                        .find(|(k, _)| k == "issuer")
                        .map(|(_, v)| v.to_string())
                })
                .unwrap_or_default();
            Some(EnrollmentStep::AuthenticatorApp {
                factor_id: p.factor_id.clone(),
                kind: p.kind,
                qr_svg: qr::svg(&payload).ok()?,
                secret_groups: qr::groups_of_four(&secret),
                account: user.login.clone(),
                issuer,
            })
        }
        MethodKind::Sms | MethodKind::Voice | MethodKind::Email => {
            Some(EnrollmentStep::EnterCode {
                factor_id: p.factor_id.clone(),
                kind: p.kind,
                sent_to: p.sent_to.clone().unwrap_or_default(),
                resend_in: p
                    .resend_at
                    .map(|t| (t - now()).max(0) as u64)
                    .filter(|s| *s > 0),
            })
        }
        MethodKind::SecurityKey => Some(EnrollmentStep::RegisterKey {
            factor_id: p.factor_id.clone(),
            options_json: p.webauthn_options.clone()?,
        }),
        _ => None,
    }
}

/// The step of the enrollment in progress, as stored (no upstream call).
pub async fn current_step(
    svc: &MethodsService,
    data: &KeyportSession,
    user: &SignedInUser,
) -> Option<EnrollmentStep> {
    let p = data.enrollment.as_ref()?;
    step_for(svc, p, user, None)
}

fn bad_input(msg: &str, field: &str) -> PortalError {
    PortalError::new(ErrorCode::InvalidInput, msg).with_field(field)
}

/// The Okta Verify QR payload for a pending push factor.
async fn okta_verify_payload(
    svc: &MethodsService,
    user: &SignedInUser,
    factor_id: &str,
    qrcode_href: Option<&str>,
    req: &RequestInfo,
) -> Result<String, PortalError> {
    let token = qrcode_href.and_then(qr::activation_token).ok_or_else(|| {
        internal(
            "Okta's enroll answer has no QR code link",
            "missing qrcode",
            req,
        )
    })?;
    let facts = svc.org_facts().await;
    let org = svc.okta.org_url().clone();
    Ok(match (facts.pipeline, facts.okta_verify_authenticator) {
        (Some(Pipeline::IdentityEngine), Some(aut)) => {
            qr::okta_verify_idx(&org, &user.login, &token, &aut)
        }
        _ => qr::okta_verify_classic(&org, &user.login, &token, factor_id),
    })
}

fn expires_at(iso: Option<&str>) -> i64 {
    iso.and_then(|s| {
        time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()
    })
    .map(|t| t.unix_timestamp())
    .unwrap_or_else(|| now() + PUSH_ACTIVATION_SECS)
}

/// Okta's WebAuthn creation options as the browser ceremony's, with Keyport's host as RP id.
fn creation_options(activation: &serde_json::Value, rp_id: &str) -> Option<String> {
    let mut pk = activation.clone();
    let obj = pk.as_object_mut()?;
    let rp_name = obj
        .get("rp")
        .and_then(|r| r.get("name"))
        .cloned()
        .unwrap_or_else(|| "Okta".into());
    obj.insert(
        "rp".into(),
        serde_json::json!({ "name": rp_name, "id": rp_id }),
    );
    obj.entry("timeout").or_insert(serde_json::json!(120_000));
    let options = serde_json::json!({ "publicKey": pk });
    // Only options the browser-side types can read are handed out.
    serde_json::from_value::<webauthn_rs_proto::CreationChallengeResponse>(options.clone()).ok()?;
    serde_json::to_string(&options).ok()
}

pub async fn start(
    svc: &MethodsService,
    session: &Session,
    req: &RequestInfo,
    request: EnrollRequest,
) -> Result<EnrollmentStep, PortalError> {
    check_request(&request)?;
    let (mut data, user) = svc.load(session, req).await?;
    svc.require_recent(&user)?;
    let kind = request
        .kind
        .ok_or_else(|| bad_input("Choose a method to add.", "kind"))?;
    // One enrollment at a time: an abandoned one is removed first.
    if let Some(old) = data.enrollment.take() {
        remove_pending(svc, &user, &old.factor_id).await;
    }
    let mut query = EnrollFactorQuery::default();
    // Where a text, call or email goes, for the message limits.
    let mut destination: Option<String> = None;
    let (okta_request, sent_to) = match kind {
        MethodKind::OktaVerify => (EnrollFactorRequest::push(), None),
        MethodKind::OktaVerifyCode => (EnrollFactorRequest::totp_okta(), None),
        MethodKind::AuthenticatorApp => (EnrollFactorRequest::totp_google(), None),
        MethodKind::Sms | MethodKind::Voice => {
            let typed = request.phone.as_deref().unwrap_or_default();
            if typed.trim().is_empty() {
                return Err(bad_input("Enter your phone number.", "phone"));
            }
            let e164 = normalize_phone(typed, request.country.as_deref())?;
            let extension = request
                .extension
                .as_deref()
                .map(str::trim)
                .filter(|e| !e.is_empty());
            if let Some(ext) = extension {
                if kind != MethodKind::Voice
                    || ext.len() > 15
                    || !ext.chars().all(|c| c.is_ascii_digit())
                {
                    return Err(bad_input(
                        "An extension is up to 15 digits, for voice calls only.",
                        "extension",
                    ));
                }
            }
            if request.replace_phone {
                query.update_phone = Some(true);
            }
            let reach = if kind == MethodKind::Sms {
                Reach::Text
            } else {
                Reach::Call
            };
            plausible_number(&e164, &svc.settings.sms_countries, reach).map_err(|why| {
                bad_input(
                    &match why {
                        Implausible::Kind if reach == Reach::Text => "Keyport can send codes only to mobile phone numbers. Enter your mobile number, or choose a voice call for a landline.".to_string(),
                        Implausible::Kind => "Keyport can't call that kind of number (premium-rate, shared-cost and other service numbers are refused). Enter your own phone number.".to_string(),
                        Implausible::Country(list) => format!("Your organization allows phone numbers in {list} only."),
                    },
                    "phone",
                )
            })?;
            destination = Some(e164.clone());
            let r = if kind == MethodKind::Sms {
                EnrollFactorRequest::sms(e164.clone())
            } else {
                EnrollFactorRequest::call(e164.clone(), extension)
            };
            (r, Some(mask_phone(&e164)))
        }
        MethodKind::Email => {
            let email = request
                .email
                .as_deref()
                .map(str::trim)
                .unwrap_or_default()
                .to_string();
            if email.is_empty() {
                return Err(bad_input("Choose an email address.", "email"));
            }
            destination = Some(email.to_lowercase());
            (
                EnrollFactorRequest::email(email.clone()),
                Some(mask_email(&email)),
            )
        }
        MethodKind::SecurityKey => (EnrollFactorRequest::webauthn(), None),
        MethodKind::SecurityQuestion => {
            let question = request.question.clone().unwrap_or_default();
            let answer = request
                .answer
                .as_deref()
                .map(str::trim)
                .unwrap_or_default()
                .to_string();
            if question.is_empty() {
                return Err(bad_input("Choose a question.", "question"));
            }
            if answer.chars().count() < 4 {
                return Err(bad_input(
                    "The answer must be at least 4 characters.",
                    "answer",
                ));
            }
            (EnrollFactorRequest::question(question, answer), None)
        }
        MethodKind::HardwareToken | MethodKind::Password => {
            return Err(PortalError::new(
                ErrorCode::Forbidden,
                "Your help desk registers this kind of method.",
            ));
        }
    };
    if let Some(destination) = destination.as_deref() {
        charge_message(svc, session, &user, destination, req).await?;
    }
    let factor = svc
        .okta
        .enroll_factor(&user.id, &okta_request, &query, &ctx(req))
        .await
        .map_err(|e| enroll_error(e, kind, req))?;
    data.known_ids.push(factor.id.clone());
    if factor.status == FactorStatus::Active {
        // A security question is active at once.
        let _ = svc.save(session, &data, req).await;
        tracing::info!(user_id = %user.id, kind = ?kind, request_id = %req.request_id, "method added");
        return Ok(EnrollmentStep::Done {
            kind,
            name: kind.label().into(),
        });
    }
    let mut pending = PendingEnrollment {
        factor_id: factor.id.clone(),
        kind,
        expires_at: None,
        payload: None,
        secret: None,
        sent_to,
        resend_at: None,
        webauthn_options: None,
    };
    match kind {
        MethodKind::OktaVerify => {
            let activation = factor.activation();
            pending.expires_at = Some(expires_at(activation.and_then(|a| a.expires_at.as_deref())));
            pending.payload = Some(
                okta_verify_payload(svc, &user, &factor.id, factor.qrcode_href(), req)
                    .await?
                    .into(),
            );
        }
        MethodKind::OktaVerifyCode | MethodKind::AuthenticatorApp => {
            let secret = factor
                .shared_secret()
                .ok_or_else(|| {
                    internal(
                        "Okta's enroll answer has no shared secret",
                        "missing sharedSecret",
                        req,
                    )
                })?
                .to_string();
            pending.payload = Some(qr::otpauth(svc.okta.org_url(), &user.login, &secret).into());
            pending.secret = Some(secret.into());
        }
        MethodKind::Sms | MethodKind::Voice => pending.resend_at = Some(now() + 30),
        MethodKind::Email => pending.resend_at = Some(now() + 5),
        MethodKind::SecurityKey => {
            let options = factor
                .activation()
                .and_then(|a| a.webauthn_creation_options())
                .and_then(|o| creation_options(&o, &svc.settings.rp_id))
                .ok_or_else(|| {
                    internal(
                        "Okta's WebAuthn options could not be read",
                        "bad activation",
                        req,
                    )
                })?;
            pending.webauthn_options = Some(options);
        }
        _ => {}
    }
    let mobile = if kind == MethodKind::OktaVerify {
        svc.okta
            .get_user(&user.id)
            .await
            .ok()
            .and_then(|u| u.profile.mobile_phone)
    } else {
        None
    };
    let step = step_for(svc, &pending, &user, mobile.as_deref())
        .ok_or_else(|| internal("cannot show the enrollment", "no step", req))?;
    data.enrollment = Some(pending);
    data.finished = None;
    svc.save(session, &data, req).await?;
    Ok(step)
}

/// Clears the enrollment and reports it done.
async fn finish(
    svc: &MethodsService,
    session: &Session,
    req: &RequestInfo,
    mut data: KeyportSession,
    user: &SignedInUser,
    factor: Option<UserFactor>,
) -> Result<EnrollmentStep, PortalError> {
    let Some(p) = data.enrollment.take() else {
        return Err(nothing_pending());
    };
    svc.watch.forget(&p.factor_id);
    let name = factor
        .as_ref()
        .and_then(crate::service::factors::choice_from_factor)
        .map(|c| c.label)
        .unwrap_or_else(|| p.kind.label().to_string());
    data.finished = Some(FinishedEnrollment {
        kind: p.kind,
        name: name.clone(),
        at: time::OffsetDateTime::now_utc().unix_timestamp(),
    });
    svc.save(session, &data, req).await?;
    tracing::info!(user_id = %user.id, kind = ?p.kind, request_id = %req.request_id, "method added");
    svc.notify(
        user,
        crate::notify::SecurityEvent::MethodAdded {
            kind: p.kind.label().to_string(),
            name: name.clone(),
        },
        req,
    );
    Ok(EnrollmentStep::Done { kind: p.kind, name })
}

/// How long tabs still showing a finished enrollment's QR code are told it finished.
const FINISHED_NEWS_SECS: i64 = 120;

fn nothing_pending() -> PortalError {
    PortalError::new(
        ErrorCode::InvalidInput,
        "There's no method being added right now. Start again from the list.",
    )
}

pub async fn status(
    svc: &MethodsService,
    session: &Session,
    req: &RequestInfo,
) -> Result<Option<EnrollmentStep>, PortalError> {
    let (data, user) = svc.load(session, req).await?;
    let Some(p) = data.enrollment.clone() else {
        // Another tab's question finished it a moment ago: this tab was showing the same QR
        // code (a session has one enrollment at a time), so it is told too.
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        return Ok(data
            .finished
            .filter(|f| now - f.at <= FINISHED_NEWS_SECS)
            .map(|f| EnrollmentStep::Done {
                kind: f.kind,
                name: f.name,
            }));
    };
    if p.kind != MethodKind::OktaVerify {
        return Ok(step_for(svc, &p, &user, None));
    }
    let answer = svc
        .watch
        .state(&svc.okta, &user.id, &p.factor_id)
        .await
        .map_err(|e| match e {
            OktaError::NotFound(_) => not_found(req),
            e => portal_error(e, req, Flow::Enroll),
        })?;
    if answer.is_active() {
        let factor = answer.into_factor();
        return finish(svc, session, req, data, &user, factor)
            .await
            .map(Some);
    }
    if answer.factor_result() == Some(&FactorResult::Timeout) {
        return Ok(Some(EnrollmentStep::OktaVerifyExpired {
            factor_id: p.factor_id,
        }));
    }
    Ok(step_for(svc, &p, &user, None))
}

pub async fn renew(
    svc: &MethodsService,
    session: &Session,
    req: &RequestInfo,
) -> Result<EnrollmentStep, PortalError> {
    let (mut data, user) = svc.load(session, req).await?;
    let mut p = data.enrollment.clone().ok_or_else(nothing_pending)?;
    if p.kind != MethodKind::OktaVerify {
        return step_for(svc, &p, &user, None).ok_or_else(nothing_pending);
    }
    // Activating a timed-out push starts over with a fresh QR code (API-NOTES §1.3).
    let answer = svc
        .okta
        .activate_factor(&user.id, &p.factor_id, &ActivateFactorRequest::empty())
        .await
        .map_err(|e| portal_error(e, req, Flow::Enroll))?;
    svc.watch.forget(&p.factor_id);
    if answer.is_active() {
        return finish(svc, session, req, data, &user, answer.into_factor()).await;
    }
    let href = answer.qrcode_href().map(str::to_string);
    p.payload = Some(
        okta_verify_payload(svc, &user, &p.factor_id, href.as_deref(), req)
            .await?
            .into(),
    );
    p.expires_at = Some(expires_at(answer.expires_at.as_deref()));
    let step = step_for(svc, &p, &user, None).ok_or_else(nothing_pending)?;
    data.enrollment = Some(p);
    svc.save(session, &data, req).await?;
    Ok(step)
}

/// Texts or emails the Okta Verify setup link for the pending enrollment.
///
/// Texts cost the org money and are the target of "SMS pumping" fraud (many texts to numbers
/// the fraudster is paid for), so a link goes by text only to a number that is plausible for
/// the person: one already on their account (their profile's phones, their phone factors), or
/// (after a fresh "confirm it's you") another **mobile** number, in `KEYPORT_SMS_COUNTRIES`
/// when that is set. Every link sent counts against the message limits, per session, account,
/// destination and client address.
pub async fn send_link(
    svc: &MethodsService,
    session: &Session,
    req: &RequestInfo,
    channel: String,
    phone: Option<String>,
) -> Result<String, PortalError> {
    input::check_opt(phone.as_deref(), input::PHONE)?;
    let (data, user) = svc.load(session, req).await?;
    let p = data.enrollment.clone().ok_or_else(nothing_pending)?;
    if p.kind != MethodKind::OktaVerify {
        return Err(nothing_pending());
    }
    let (channel, destination, shown) = match channel.as_str() {
        "sms" => {
            let own = own_phones(svc, &user).await;
            let typed = phone.as_deref().map(str::trim).filter(|p| !p.is_empty());
            let e164 = match typed {
                Some(t) => normalize_phone(t, None)?,
                None => own.first().cloned().ok_or_else(|| {
                    bad_input("Enter the phone number to text the link to.", "phone")
                })?,
            };
            if !own.contains(&e164) {
                svc.require_recent(&user)?;
                plausible_for_a_link(&e164, &svc.settings.sms_countries)?;
            }
            let shown = mask_phone(&e164);
            (
                ActivationChannel::Sms {
                    phone_number: e164.clone(),
                },
                e164,
                shown,
            )
        }
        // Okta sends it to the account's primary email: the destination is the account's own.
        "email" => (
            ActivationChannel::Email,
            format!("primary-email:{}", user.id),
            mask_email(&user.login),
        ),
        _ => return Err(bad_input("Choose text message or email.", "channel")),
    };
    charge_message(svc, session, &user, &destination, req).await?;
    svc.okta
        .send_push_activation(&user.id, &p.factor_id, &channel, &ctx(req))
        .await
        .map_err(|e| portal_error(e, req, Flow::Enroll))?;
    Ok(shown)
}

/// The person's own phone numbers (E.164): their profile's mobile and primary phones and the
/// numbers of their active phone factors. A read that fails counts as none (a typed number then needs
/// the stricter checks).
async fn own_phones(svc: &MethodsService, user: &SignedInUser) -> Vec<String> {
    let (profile, factors) =
        tokio::join!(svc.okta.get_user(&user.id), svc.okta.list_factors(&user.id));
    let mut numbers: Vec<String> = vec![];
    if let Ok(u) = profile {
        numbers.extend(u.profile.mobile_phone);
        if let Some(primary) = u.profile.other.get("primaryPhone").and_then(|v| v.as_str()) {
            numbers.push(primary.to_string());
        }
    }
    // Only numbers the person proved they hold: a pending phone factor is anyone's number.
    if let Ok(list) = factors {
        numbers.extend(
            list.into_iter()
                .filter(|f| f.is_active())
                .filter_map(|f| f.profile.phone_number),
        );
    }
    let mut own: Vec<String> = numbers
        .iter()
        .filter_map(|n| normalize_phone(n, None).ok())
        .collect();
    own.dedup();
    own
}

/// A number not on the account may get a setup link only if it is a mobile number (never a
/// premium-rate, shared-cost, toll-free or other service number), in the allowed countries.
fn plausible_for_a_link(e164: &str, countries: &[String]) -> Result<(), PortalError> {
    plausible_number(e164, countries, Reach::Text).map_err(|why| {
        bad_input(
            &match why {
                Implausible::Kind => "Keyport texts setup links only to mobile phone numbers. Use your phone's own number, or send the link by email instead.".to_string(),
                Implausible::Country(list) => format!("Your organization allows setup links by text to numbers in {list} only. Send the link by email instead."),
            },
            "phone",
        )
    })
}

/// How a number is to be reached.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Reach {
    Text,
    Call,
}

/// Why a number is not one a person would be reached on.
enum Implausible {
    /// A premium-rate, shared-cost, toll-free or other service number (or a landline, for texts).
    Kind,
    /// Outside `KEYPORT_SMS_COUNTRIES`.
    Country(String),
}

/// Texts go to mobile numbers, calls to mobile or fixed lines; never to premium-rate,
/// shared-cost, toll-free, voicemail or other service numbers, the usual targets of toll fraud;
/// and only to the allowed countries when the org names them.
fn plausible_number(e164: &str, countries: &[String], reach: Reach) -> Result<(), Implausible> {
    use phonenumber::Type;
    let number = phonenumber::parse(None, e164).map_err(|_| Implausible::Kind)?;
    let kind = number.number_type(&phonenumber::metadata::DATABASE);
    let reachable = match reach {
        Reach::Text => matches!(kind, Type::Mobile | Type::FixedLineOrMobile),
        Reach::Call => matches!(
            kind,
            Type::Mobile | Type::FixedLineOrMobile | Type::FixedLine
        ),
    };
    if !reachable {
        return Err(Implausible::Kind);
    }
    if !countries.is_empty() {
        let country = number.country().id().map(|c| format!("{c:?}"));
        if !country.is_some_and(|c| countries.iter().any(|a| a == &c)) {
            return Err(Implausible::Country(countries.join(", ")));
        }
    }
    Ok(())
}

pub async fn activate(
    svc: &MethodsService,
    session: &Session,
    req: &RequestInfo,
    code: String,
) -> Result<EnrollmentStep, PortalError> {
    input::check(&code, input::CODE)?;
    let (data, user) = svc.load(session, req).await?;
    let p = data.enrollment.clone().ok_or_else(nothing_pending)?;
    let code: String = code.split_whitespace().collect();
    if code.is_empty() {
        return Err(bad_input("Enter the code.", "code"));
    }
    limits::code(
        &svc.kv,
        &svc.settings.limits,
        &limits::account_of(&user.id),
        req.client_ip.as_deref(),
    )
    .await?;
    let answer = svc
        .okta
        .activate_factor(
            &user.id,
            &p.factor_id,
            &ActivateFactorRequest::pass_code(code),
        )
        .await
        .map_err(|e| match e {
            OktaError::RateLimited { retry_after, .. } => {
                let secs = retry_after.as_secs().max(1);
                PortalError::new(
                    ErrorCode::RateLimited,
                    format!(
                        "Too many wrong codes. For your security, wait {} before trying again.",
                        crate::service::errors::wait_phrase(secs)
                    ),
                )
                .with_retry_after(secs)
                .with_correlation_id(req.request_id.clone())
            }
            e => portal_error(e, req, Flow::Enroll),
        })?;
    // Added only when Okta says the factor is active now.
    if !answer.is_active() {
        tracing::warn!(request_id = %req.request_id, "an activation answered without an active factor");
        return Err(PortalError::new(
            ErrorCode::InvalidInput,
            "That wasn't accepted. Check it and try again.",
        )
        .with_correlation_id(req.request_id.clone()));
    }
    finish(svc, session, req, data, &user, answer.into_factor()).await
}

pub async fn register_key(
    svc: &MethodsService,
    session: &Session,
    req: &RequestInfo,
    credential: webauthn_rs_proto::RegisterPublicKeyCredential,
) -> Result<EnrollmentStep, PortalError> {
    let (data, user) = svc.load(session, req).await?;
    let p = data
        .enrollment
        .clone()
        .filter(|p| p.kind == MethodKind::SecurityKey)
        .ok_or_else(nothing_pending)?;
    let attestation = URL_SAFE_NO_PAD.encode(credential.response.attestation_object.as_slice());
    let client_data = URL_SAFE_NO_PAD.encode(credential.response.client_data_json.as_slice());
    let answer = svc
        .okta
        .activate_factor(
            &user.id,
            &p.factor_id,
            &ActivateFactorRequest::webauthn(attestation, client_data),
        )
        .await
        .map_err(|e| match e {
            OktaError::Validation { causes, .. }
                if causes.iter().any(|c| c.contains("already registered")) =>
            {
                PortalError::new(
                    ErrorCode::InvalidInput,
                    "That security key is already registered on your account. Use a different key.",
                )
                .with_correlation_id(req.request_id.clone())
            }
            OktaError::InvalidPasscode(_) => PortalError::new(
                ErrorCode::InvalidInput,
                "Your security key couldn't be registered. Try again, or use a different key.",
            )
            .with_correlation_id(req.request_id.clone()),
            e => portal_error(e, req, Flow::Enroll),
        })?;
    // Added only when Okta says the factor is active now.
    if !answer.is_active() {
        tracing::warn!(request_id = %req.request_id, "an activation answered without an active factor");
        return Err(PortalError::new(
            ErrorCode::InvalidInput,
            "That wasn't accepted. Check it and try again.",
        )
        .with_correlation_id(req.request_id.clone()));
    }
    finish(svc, session, req, data, &user, answer.into_factor()).await
}

pub async fn resend(
    svc: &MethodsService,
    session: &Session,
    req: &RequestInfo,
) -> Result<EnrollmentStep, PortalError> {
    let (mut data, user) = svc.load(session, req).await?;
    let mut p = data.enrollment.clone().ok_or_else(nothing_pending)?;
    if !p.kind.sends_code() {
        return step_for(svc, &p, &user, None).ok_or_else(nothing_pending);
    }
    if let Some(at) = p.resend_at {
        let wait = at - now();
        if wait > 0 {
            return Err(PortalError::new(
                ErrorCode::RateLimited,
                format!(
                    "You can ask for another code in {}.",
                    crate::service::errors::wait_phrase(wait as u64)
                ),
            )
            .with_retry_after(wait as u64));
        }
    }
    let factor = svc
        .okta
        .get_factor(&user.id, &p.factor_id)
        .await
        .map_err(|e| portal_error(e, req, Flow::Enroll))?;
    let destination = limits::destination_of(&factor);
    charge_message(svc, session, &user, &destination, req).await?;
    svc.okta
        .resend_factor(
            &user.id,
            &p.factor_id,
            &ResendFactorRequest::for_factor(&factor),
            None,
            &ctx(req),
        )
        .await
        .map_err(|e| portal_error(e, req, Flow::Enroll))?;
    p.resend_at = Some(now() + if p.kind == MethodKind::Email { 5 } else { 30 });
    let step = step_for(svc, &p, &user, None).ok_or_else(nothing_pending)?;
    data.enrollment = Some(p);
    svc.save(session, &data, req).await?;
    Ok(step)
}

/// Removes a factor only while it is still pending: an activated one is the user's now.
async fn remove_pending(svc: &MethodsService, user: &SignedInUser, factor_id: &str) {
    svc.watch.forget(factor_id);
    match svc.okta.get_factor(&user.id, factor_id).await {
        Ok(f) if f.status == FactorStatus::PendingActivation => {
            if let Err(e) = svc.okta.unenroll_factor(&user.id, factor_id, false).await {
                tracing::warn!(error = %e, "cannot remove an abandoned enrollment");
            }
        }
        _ => {}
    }
}

pub async fn cancel(
    svc: &MethodsService,
    session: &Session,
    req: &RequestInfo,
) -> Result<(), PortalError> {
    let (mut data, user) = svc.load(session, req).await?;
    if let Some(p) = data.enrollment.take() {
        remove_pending(svc, &user, &p.factor_id).await;
        tracing::info!(user_id = %user.id, kind = ?p.kind, request_id = %req.request_id, "enrollment abandoned");
    }
    svc.save(session, &data, req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn setup_links_go_to_mobile_numbers_in_the_allowed_countries() {
        let any: Vec<String> = vec![];
        assert!(
            plausible_for_a_link("+14155550134", &any).is_ok(),
            "US: fixed line or mobile"
        );
        assert!(
            plausible_for_a_link("+447911123456", &any).is_ok(),
            "UK mobile"
        );
        assert!(
            plausible_for_a_link("+19005550199", &any).is_err(),
            "US premium rate"
        );
        assert!(
            plausible_for_a_link("+442079460958", &any).is_err(),
            "London landline"
        );
        let us = vec!["US".to_string()];
        assert!(plausible_for_a_link("+14155550134", &us).is_ok());
        let e = plausible_for_a_link("+447911123456", &us).unwrap_err();
        assert!(e.message.contains("US"), "{}", e.message);
    }
}
