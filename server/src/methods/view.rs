//! Building the methods page: enrolled methods grouped by kind, what can still be added, and
//! recent activity.

use super::{activity, enroll, MethodsService};
use crate::okta::types::{
    AuthenticatorEnrollment, AuthenticatorKey, FactorProvider, FactorStatus, FactorType,
    SupportedFactor, UserFactor,
};
use crate::service::errors::{portal_error, Flow};
use crate::service::factors::{
    choice_from_factor, mask_email, mask_phone, method_kind, preference,
};
use app::api::RequestInfo;
use app::error::PortalError;
use app::model::auth::MethodKind;
use app::model::methods::{
    AddOption, Method, MethodGroup, MethodStatus, MethodsActivity, MethodsView,
};
use app::model::Pipeline;
use std::collections::HashMap;
use tower_sessions::Session;

/// The group a kind is listed under, and the groups' order.
fn group_of(kind: MethodKind) -> (u8, &'static str) {
    match kind {
        MethodKind::OktaVerify | MethodKind::OktaVerifyCode => (0, "Okta Verify"),
        MethodKind::SecurityKey => (1, "Security keys and passkeys"),
        MethodKind::AuthenticatorApp => (2, "Authenticator apps"),
        MethodKind::Sms | MethodKind::Voice => (3, "Phone"),
        MethodKind::Email => (4, "Email"),
        MethodKind::SecurityQuestion => (5, "Security question"),
        MethodKind::HardwareToken => (6, "Hardware tokens"),
        MethodKind::Password => (7, "Password"),
    }
}

fn removal_note(kind: MethodKind, pipeline: Option<Pipeline>) -> Option<String> {
    match kind {
        MethodKind::OktaVerify if pipeline == Some(Pipeline::IdentityEngine) => {
            Some("This also removes this device's Okta Verify codes and Okta FastPass.".into())
        }
        MethodKind::OktaVerify => {
            Some("This also removes the Okta Verify codes on this device.".into())
        }
        _ => None,
    }
}

fn method(
    kind: MethodKind,
    id: String,
    name: String,
    active: bool,
    pipeline: Option<Pipeline>,
) -> Method {
    Method {
        id,
        kind,
        name,
        nickname: None,
        status: if active {
            MethodStatus::Active
        } else {
            MethodStatus::Pending
        },
        added: None,
        last_used: None,
        removal_note: removal_note(kind, pipeline),
        recovery_choice: matches!(kind, MethodKind::Sms | MethodKind::Voice),
        can_test: active,
        can_rename: active && pipeline == Some(Pipeline::IdentityEngine),
    }
}

/// Classic (and pending factors everywhere): one row per factor. Okta Verify's TOTP travels
/// with its push factor and is not listed apart.
fn from_factors(
    factors: &[UserFactor],
    pipeline: Option<Pipeline>,
    pending_only: bool,
) -> Vec<Method> {
    let has_push = factors
        .iter()
        .any(|f| f.factor_type == FactorType::Push && f.is_active());
    factors
        .iter()
        .filter(|f| !pending_only || f.status == FactorStatus::PendingActivation)
        .filter(|f| {
            !(has_push
                && f.factor_type == FactorType::TokenSoftwareTotp
                && f.provider == FactorProvider::Okta)
        })
        .filter_map(|f| {
            let choice = choice_from_factor(f)?;
            let mut m = method(
                choice.kind,
                f.id.clone(),
                choice.label,
                f.is_active(),
                pipeline,
            );
            if choice.kind == MethodKind::OktaVerifyCode {
                m.name = "Okta Verify (codes only)".into();
            }
            m.added = f.created.clone();
            Some(m)
        })
        .collect()
}

fn enrollment_kind(e: &AuthenticatorEnrollment) -> Option<MethodKind> {
    Some(match e.key {
        AuthenticatorKey::OktaVerify => MethodKind::OktaVerify,
        AuthenticatorKey::PhoneNumber => MethodKind::Sms,
        AuthenticatorKey::OktaEmail => MethodKind::Email,
        AuthenticatorKey::Webauthn | AuthenticatorKey::SecurityKey => MethodKind::SecurityKey,
        AuthenticatorKey::GoogleOtp => MethodKind::AuthenticatorApp,
        AuthenticatorKey::SecurityQuestion => MethodKind::SecurityQuestion,
        AuthenticatorKey::CustomOtp => MethodKind::HardwareToken,
        _ => return None,
    })
}

/// Identity Engine: one row per authenticator enrollment (each Okta Verify device its own).
fn from_enrollments(
    enrollments: &[AuthenticatorEnrollment],
    nicknames: &HashMap<String, String>,
) -> Vec<Method> {
    let text = |e: &AuthenticatorEnrollment, key: &str| {
        e.profile
            .other
            .get(key)
            .and_then(|v| v.as_str())
            .map(str::to_string)
    };
    enrollments
        .iter()
        .filter_map(|e| {
            let kind = enrollment_kind(e)?;
            let name = match kind {
                MethodKind::OktaVerify => {
                    text(e, "deviceName").unwrap_or_else(|| "Okta Verify".into())
                }
                MethodKind::Sms => e
                    .profile
                    .phone_number
                    .as_deref()
                    .map(mask_phone)
                    .unwrap_or_else(|| "Phone".into()),
                MethodKind::Email => e
                    .profile
                    .email
                    .as_deref()
                    .map(mask_email)
                    .unwrap_or_else(|| "Email".into()),
                MethodKind::SecurityKey => {
                    text(e, "authenticatorName").unwrap_or_else(|| "Security key".into())
                }
                MethodKind::SecurityQuestion => {
                    text(e, "questionText").unwrap_or_else(|| "Security question".into())
                }
                MethodKind::AuthenticatorApp => "Google Authenticator".into(),
                _ => e.name.clone().unwrap_or_else(|| kind.label().into()),
            };
            let mut m = method(
                kind,
                e.id.clone(),
                name,
                true,
                Some(Pipeline::IdentityEngine),
            );
            m.nickname = e
                .nickname
                .clone()
                .filter(|n| !n.is_empty())
                .or_else(|| nicknames.get(&e.id).cloned());
            m.added = e.created.clone();
            Some(m)
        })
        .collect()
}

/// What the user can still add: the catalog of factors the org allows them, minus what
/// would be refused, with guidance where the way forward is elsewhere.
fn add_options(
    catalog: &[SupportedFactor],
    factors: &[UserFactor],
    pipeline: Option<Pipeline>,
) -> Vec<AddOption> {
    let active = |t: &FactorType, p: Option<&FactorProvider>| {
        factors
            .iter()
            .any(|f| f.is_active() && &f.factor_type == t && p.is_none_or(|p| &f.provider == p))
    };
    let has_ov = active(&FactorType::Push, None);
    let oie = pipeline == Some(Pipeline::IdentityEngine);
    let mut out = vec![];
    for c in catalog {
        let Some(kind) = method_kind(&c.factor_type, &c.provider) else {
            continue;
        };
        let taken = active(&c.factor_type, Some(&c.provider));
        let option = |title: &str, description: &str| AddOption {
            kind,
            title: title.into(),
            description: description.into(),
            guidance: None,
        };
        match kind {
            MethodKind::OktaVerify if has_ov && oie => out.push(AddOption {
                guidance: Some(
                    "Your organization adds extra Okta Verify devices from the app itself: on the new phone, open Okta Verify, tap + and choose your organization, then sign in. It appears here once done. To replace your phone instead, remove the old device first and add the new one here."
                        .into(),
                ),
                ..option("Another Okta Verify device", "Approve sign-ins from a second phone or tablet.")
            }),
            MethodKind::OktaVerify if !has_ov => out.push(option(
                "Okta Verify",
                "Approve sign-ins with a tap on your phone, or use its codes offline.",
            )),
            MethodKind::OktaVerifyCode if !has_ov && !taken => out.push(option(
                "Okta Verify (codes only)",
                "Use the 6-digit codes Okta Verify shows, without notifications.",
            )),
            MethodKind::AuthenticatorApp if !taken => out.push(option(
                "Authenticator app",
                "Google Authenticator or any app that shows 6-digit codes.",
            )),
            MethodKind::SecurityKey if !taken || oie => out.push(option(
                if taken { "Another security key or passkey" } else { "Security key or passkey" },
                "A USB or NFC key, or your device's fingerprint, face or PIN.",
            )),
            MethodKind::Sms if !taken => out.push(option("Text message", "Get a code by SMS.")),
            MethodKind::Voice if !taken => out.push(option("Voice call", "Get a code by phone call.")),
            MethodKind::Email if !taken => out.push(option("Email", "Get a code by email.")),
            MethodKind::SecurityQuestion if !taken => {
                out.push(option("Security question", "Answer a question only you know."))
            }
            // Hardware tokens are registered by the help desk.
            _ => {}
        }
    }
    out.sort_by_key(|o| preference(o.kind));
    out
}

/// Keyport's own nicknames (Identity Engine): a JSON object in a profile attribute.
pub(crate) fn nicknames_from(
    profile: &crate::okta::types::UserProfile,
    attribute: &str,
) -> HashMap<String, String> {
    profile
        .other
        .get(attribute)
        .and_then(|v| v.as_str())
        .and_then(|s| serde_json::from_str::<HashMap<String, String>>(s).ok())
        .unwrap_or_default()
}

/// Every method of a user in the page's order. Identity Engine (`enrollments` given) lists
/// one row per authenticator enrollment plus factors still pending; Classic one per factor.
pub(crate) fn list_methods(
    factors: &[UserFactor],
    enrollments: Option<&[AuthenticatorEnrollment]>,
    nicknames: &HashMap<String, String>,
    pipeline: Option<Pipeline>,
) -> Vec<Method> {
    let mut methods = match enrollments {
        Some(enrollments) => {
            let mut m = from_enrollments(enrollments, nicknames);
            m.extend(from_factors(factors, pipeline, true));
            m
        }
        None => from_factors(factors, pipeline, false),
    };
    methods.sort_by_key(|m| {
        (
            group_of(m.kind).0,
            m.status == MethodStatus::Pending,
            m.added.clone(),
        )
    });
    methods
}

/// The methods page. Per view it asks Okta for the user's factors (and, in Identity Engine,
/// authenticator enrollments), together and only when what was read in the last
/// `freshness::USER_METHODS` is gone; everything else comes from slower caches (the org's
/// pipeline, catalog and questions; the user's profile). Activity is not read here: the page
/// asks for it after it has painted (`activity`).
pub async fn build(
    svc: &MethodsService,
    session: &Session,
    req: &RequestInfo,
) -> Result<MethodsView, PortalError> {
    let (mut data, user) = svc.load(session, req).await?;
    let pipeline = svc.pipeline().await;
    // Boxed: three reads side by side make a future too large for a worker's stack in
    // debug builds.
    let ((lists, stale_since), catalog, profile) = tokio::join!(
        Box::pin(svc.factors_and_enrollments_read(&mut data, &user, req)),
        Box::pin(svc.okta.offered_factors(&user.id)),
        Box::pin(svc.okta.get_user(&user.id)),
    );
    let (factors, enrollments) = lists?;
    let catalog = catalog.map_err(|e| portal_error(e, req, Flow::View))?;
    let profile = profile.map(|u| u.profile).ok();
    let enrollments = enrollments.transpose()?;
    let nicknames = profile
        .as_ref()
        .map(|p| nicknames_from(p, &svc.settings.nickname_attribute))
        .unwrap_or_default();
    let methods = list_methods(&factors, enrollments.as_deref(), &nicknames, pipeline);
    let mut groups: Vec<MethodGroup> = vec![];
    for m in methods {
        let title = group_of(m.kind).1;
        match groups.last_mut() {
            Some(g) if g.title == title => g.methods.push(m),
            _ => groups.push(MethodGroup {
                title: title.into(),
                methods: vec![m],
            }),
        }
    }
    let enrollment = enroll::current_step(svc, &data, &user).await;
    svc.save(session, &data, req).await?;
    let can_add = add_options(&catalog, &factors, pipeline);
    let questions = if can_add
        .iter()
        .any(|o| o.kind == MethodKind::SecurityQuestion)
    {
        svc.okta
            .security_questions(&user.id)
            .await
            .map(|qs| {
                qs.into_iter()
                    .map(|q| (q.question, q.question_text))
                    .collect()
            })
            .unwrap_or_default()
    } else {
        vec![]
    };
    let emails = profile
        .map(|p| {
            [p.email, p.second_email]
                .into_iter()
                .flatten()
                .filter(|e| !e.is_empty())
                .collect()
        })
        .unwrap_or_default();
    Ok(MethodsView {
        pipeline,
        groups,
        can_add,
        as_of: stale_since.map(iso_utc),
        enrollment,
        emails,
        questions,
    })
}

/// Recent activity and when each method was last used: one System Log read, remembered for
/// `freshness::USER_ACTIVITY` and forgotten with any change Keyport makes to the user.
pub async fn activity(
    svc: &MethodsService,
    session: &Session,
    req: &RequestInfo,
) -> Result<MethodsActivity, PortalError> {
    let (_, user) = svc.load(session, req).await?;
    let events = svc
        .okta
        .user_log_events(&user.id, None, 100)
        .await
        .map_err(|e| portal_error(e, req, Flow::View))?;
    let mut last_used: Vec<(String, String)> = activity::last_used(&events).into_iter().collect();
    last_used.sort();
    Ok(MethodsActivity {
        entries: activity::entries(&events),
        last_used,
    })
}

/// A moment as ISO-8601 in UTC, to the second.
fn iso_utc(t: std::time::SystemTime) -> String {
    let t = time::OffsetDateTime::from(t)
        .replace_nanosecond(0)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}
