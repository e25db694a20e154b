//! Testing, renaming and removing a method.

use super::{not_found, MethodsService};
use crate::auth::signin::challenge_of;
use crate::auth::{Challenger, PushOutcome};
use crate::okta::types::{FactorStatus, FactorType, UpdateUserRequest, UserFactor};
use crate::okta::OktaError;
use crate::service::errors::{portal_error, Flow};
use crate::service::factors::choice_from_factor;
use crate::service::input;
use crate::sessions::data::PendingChallenge;
use crate::sessions::{KeyportSession, SignedInUser};
use app::api::RequestInfo;
use app::error::{ErrorCode, PortalError};
use app::model::methods::TestStep;
use app::model::Pipeline;
use tower_sessions::Session;

/// The longest nickname Keyport stores.
const NICKNAME_MAX: usize = 40;

/// The factors behind a method id: the factor itself, or in Identity Engine the factors of an
/// authenticator enrollment (an Okta Verify device's push, a phone's SMS and voice).
async fn factors_of(
    svc: &MethodsService,
    data: &mut KeyportSession,
    user: &SignedInUser,
    id: &str,
    req: &RequestInfo,
) -> Result<Vec<UserFactor>, PortalError> {
    let factors = svc.factors(data, user, req).await?;
    if let Some(f) = factors.iter().find(|f| f.id == id) {
        let mut out = vec![f.clone()];
        // A phone: its SMS and voice factors share the number.
        if matches!(f.factor_type, FactorType::Sms | FactorType::Call) {
            out.extend(
                factors
                    .iter()
                    .filter(|g| {
                        g.id != f.id
                            && matches!(g.factor_type, FactorType::Sms | FactorType::Call)
                            && g.profile.phone_number == f.profile.phone_number
                    })
                    .cloned(),
            );
        }
        return Ok(out);
    }
    // An enrollment id that is not also a factor id: match by kind.
    let enrollment = svc
        .okta
        .get_enrollment(&user.id, id, true)
        .await
        .map_err(|e| match e {
            OktaError::NotFound(_) => not_found(req),
            e => portal_error(e, req, Flow::Manage),
        })?;
    use crate::okta::types::AuthenticatorKey::*;
    let wanted: &[FactorType] = match enrollment.key {
        OktaVerify => &[FactorType::Push],
        PhoneNumber => &[FactorType::Sms, FactorType::Call],
        OktaEmail => &[FactorType::Email],
        Webauthn | SecurityKey => &[FactorType::Webauthn],
        GoogleOtp => &[FactorType::TokenSoftwareTotp],
        SecurityQuestion => &[FactorType::Question],
        CustomOtp => &[FactorType::TokenHotp],
        _ => &[],
    };
    Ok(factors
        .into_iter()
        .filter(|f| wanted.contains(&f.factor_type))
        .take(if wanted.len() > 1 { 2 } else { 1 })
        .collect())
}

fn test_step(c: &PendingChallenge) -> TestStep {
    TestStep::Challenge {
        factor: c.factor.clone(),
        challenge: challenge_of(c),
    }
}

impl MethodsService {
    fn challenger(&self) -> Challenger<'_> {
        Challenger {
            okta: &self.okta,
            kv: &self.kv,
            limits: &self.settings.limits,
            rp_id: &self.settings.rp_id,
        }
    }
}

pub async fn test_start(
    svc: &MethodsService,
    session: &Session,
    req: &RequestInfo,
    method_id: String,
) -> Result<TestStep, PortalError> {
    input::check_id(&method_id)?;
    let (mut data, user) = svc.load(session, req).await?;
    svc.ensure_own(&mut data, &user, &method_id, req).await?;
    let factor = factors_of(svc, &mut data, &user, &method_id, req)
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| not_found(req))?;
    if factor.status != FactorStatus::Active {
        return Err(PortalError::new(
            ErrorCode::InvalidInput,
            "Finish setting this method up before testing it.",
        ));
    }
    let choice = choice_from_factor(&factor).ok_or_else(|| {
        PortalError::new(
            ErrorCode::InvalidInput,
            "Keyport can't test this kind of method.",
        )
    })?;
    let destination = crate::auth::limits::destination_of(&factor);
    let c = svc
        .challenger()
        .send(session, &user, choice, destination, req)
        .await?;
    let step = test_step(&c);
    data.test = Some((factor.id.clone(), c));
    svc.save(session, &data, req).await?;
    Ok(step)
}

/// A passed test proves possession: it counts as a recent verification too, with the same
/// renewal of the session id as "confirm it's you".
async fn passed(
    session: &Session,
    req: &RequestInfo,
    mut data: KeyportSession,
) -> Result<TestStep, PortalError> {
    let name = data
        .test
        .take()
        .map(|(_, c)| c.factor.label)
        .unwrap_or_default();
    crate::auth::mark_verified(session, req, data).await?;
    Ok(TestStep::Passed { name })
}

fn no_test() -> PortalError {
    PortalError::new(ErrorCode::InvalidInput, "Choose a method to test first.")
}

pub async fn test_code(
    svc: &MethodsService,
    session: &Session,
    req: &RequestInfo,
    code: String,
) -> Result<TestStep, PortalError> {
    let (data, user) = svc.load(session, req).await?;
    let (_, c) = data.test.clone().ok_or_else(no_test)?;
    svc.challenger().check_code(&user, &c, &code, req).await?;
    passed(session, req, data).await
}

pub async fn test_poll(
    svc: &MethodsService,
    session: &Session,
    req: &RequestInfo,
) -> Result<TestStep, PortalError> {
    let (mut data, user) = svc.load(session, req).await?;
    let (_, c) = data.test.clone().ok_or_else(no_test)?;
    match svc.challenger().poll(&user, &c, req).await? {
        PushOutcome::Passed => passed(session, req, data).await,
        PushOutcome::Waiting => Ok(test_step(&c)),
        PushOutcome::Rejected => {
            data.test = None;
            svc.save(session, &data, req).await?;
            Err(PortalError::new(
                ErrorCode::Forbidden,
                "The test push was denied on your phone — it works, and you said no.",
            ))
        }
        PushOutcome::Expired => {
            data.test = None;
            svc.save(session, &data, req).await?;
            Err(PortalError::new(
                ErrorCode::InvalidInput,
                "The test push expired before it was approved. Try again.",
            ))
        }
    }
}

pub async fn test_key(
    svc: &MethodsService,
    session: &Session,
    req: &RequestInfo,
    credential: webauthn_rs_proto::PublicKeyCredential,
) -> Result<TestStep, PortalError> {
    let (data, user) = svc.load(session, req).await?;
    let (_, c) = data.test.clone().ok_or_else(no_test)?;
    svc.challenger()
        .check_key(&user, &c, &credential, req)
        .await?;
    passed(session, req, data).await
}

/// Active methods as a person counts them (Okta Verify's codes and FastPass go with the push).
fn active_methods(factors: &[UserFactor]) -> usize {
    let has_push = factors
        .iter()
        .any(|f| f.factor_type == FactorType::Push && f.is_active());
    factors
        .iter()
        .filter(|f| f.is_active())
        .filter(|f| f.factor_type != FactorType::SignedNonce)
        .filter(|f| {
            !(has_push
                && f.factor_type == FactorType::TokenSoftwareTotp
                && f.provider == crate::okta::types::FactorProvider::Okta)
        })
        .count()
}

pub async fn remove(
    svc: &MethodsService,
    session: &Session,
    req: &RequestInfo,
    method_id: String,
    keep_recovery: bool,
) -> Result<(), PortalError> {
    input::check_id(&method_id)?;
    let (mut data, user) = svc.load(session, req).await?;
    svc.ensure_own(&mut data, &user, &method_id, req).await?;
    svc.require_recent(&user)?;
    let all = svc.factors(&mut data, &user, req).await?;
    let targets = factors_of(svc, &mut data, &user, &method_id, req).await?;
    let removing: Vec<&UserFactor> = targets.iter().filter(|t| t.is_active()).collect();
    if svc.settings.require_one_method && !removing.is_empty() {
        // Removing Okta Verify takes its codes and FastPass along (API-NOTES §1 cascades).
        let cascade = removing.iter().any(|t| t.factor_type == FactorType::Push);
        let left: Vec<UserFactor> = all
            .iter()
            .filter(|f| !targets.iter().any(|t| t.id == f.id))
            .filter(|f| {
                !(cascade
                    && (f.factor_type == FactorType::SignedNonce
                        || (f.factor_type == FactorType::TokenSoftwareTotp
                            && f.provider == crate::okta::types::FactorProvider::Okta)))
            })
            .cloned()
            .collect();
        if active_methods(&left) == 0 {
            return Err(PortalError::new(
                ErrorCode::Forbidden,
                "This is your last sign-in method, and your organization requires one. Add another method first, then remove this one.",
            ));
        }
    }
    let oie = svc.pipeline().await == Some(Pipeline::IdentityEngine);
    let is_enrollment = !all.iter().any(|f| f.id == method_id);
    let phone = targets
        .iter()
        .any(|t| matches!(t.factor_type, FactorType::Sms | FactorType::Call));
    if oie && is_enrollment && !phone {
        svc.okta
            .delete_enrollment(&user.id, &method_id)
            .await
            .map_err(|e| portal_error(e, req, Flow::Manage))?;
    } else {
        for t in &targets {
            svc.okta
                .unenroll_factor(&user.id, &t.id, phone && !keep_recovery)
                .await
                .map_err(|e| portal_error(e, req, Flow::Manage))?;
        }
    }
    if data
        .enrollment
        .as_ref()
        .is_some_and(|p| targets.iter().any(|t| t.id == p.factor_id))
    {
        data.enrollment = None;
    }
    data.known_ids
        .retain(|k| k != &method_id && !targets.iter().any(|t| &t.id == k));
    svc.save(session, &data, req).await?;
    tracing::info!(user_id = %user.id, request_id = %req.request_id, keep_recovery, "method removed");
    if let Some(choice) = targets
        .first()
        .and_then(crate::service::factors::choice_from_factor)
    {
        svc.notify(
            &user,
            crate::notify::SecurityEvent::MethodRemoved {
                kind: choice.kind.label().to_string(),
                name: choice.label,
            },
            req,
        );
    }
    Ok(())
}

pub async fn rename(
    svc: &MethodsService,
    session: &Session,
    req: &RequestInfo,
    method_id: String,
    nickname: String,
) -> Result<(), PortalError> {
    input::check_id(&method_id)?;
    let nickname = nickname.trim().to_string();
    if nickname.chars().count() > NICKNAME_MAX || nickname.chars().any(char::is_control) {
        return Err(PortalError::new(
            ErrorCode::InvalidInput,
            format!("A name is up to {NICKNAME_MAX} characters."),
        )
        .with_field("nickname"));
    }
    let (mut data, user) = svc.load(session, req).await?;
    svc.ensure_own(&mut data, &user, &method_id, req).await?;
    svc.require_recent(&user)?;
    if svc.pipeline().await != Some(Pipeline::IdentityEngine) {
        return Err(PortalError::new(
            ErrorCode::InvalidInput,
            "Names can be given to methods in Identity Engine organizations only.",
        ));
    }
    let current = svc
        .okta
        .get_user(&user.id)
        .await
        .map_err(|e| portal_error(e, req, Flow::Manage))?;
    let mut names = super::view::nicknames_from(&current.profile, &svc.settings.nickname_attribute);
    if nickname.is_empty() {
        names.remove(&method_id);
    } else {
        names.insert(method_id.clone(), nickname);
    }
    // Only names of methods that still exist are kept.
    names.retain(|id, _| data.known_ids.contains(id));
    let value = serde_json::to_string(&names).unwrap_or_else(|_| "{}".into());
    svc.okta
        .update_user_profile(
            &user.id,
            &UpdateUserRequest::new().set(svc.settings.nickname_attribute.clone(), value),
        )
        .await
        .map_err(|e| portal_error(e, req, Flow::Manage))?;
    svc.save(session, &data, req).await?;
    Ok(())
}
