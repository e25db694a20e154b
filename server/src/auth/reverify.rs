//! Re-verification: a fresh proof of a factor (Factors API verify, through the shared
//! [`super::challenge`]) or, for users with no factor, of the password (Authn primary
//! authentication, then cancelled). Success renews the session id and stamps `verified_at`,
//! which [`super::privilege::decide`] reads.

use super::challenge::{Challenger, PushOutcome};
use super::signin::challenge_of;
use super::{call_context, limits, mark_verified, AuthService};
use crate::okta::types::{AuthnRequest, PrimaryOutcome};
use crate::okta::OktaError;
use crate::service::errors::{portal_error, Flow};
use crate::service::factors::{choice_from_factor, preference};
use crate::service::input;
use crate::sessions::data::PendingChallenge;
use crate::sessions::KeyportSession;
use app::api::RequestInfo;
use app::error::{ErrorCode, PortalError};
use app::model::auth::{FactorChoice, ReverifyStep};
use tower_sessions::Session;

impl AuthService {
    fn challenger(&self) -> Challenger<'_> {
        Challenger {
            okta: &self.okta,
            kv: &self.kv,
            limits: &self.settings.limits,
            rp_id: &self.settings.rp_id,
        }
    }
}

/// The user's active factors Keyport can verify, best first, remembered as the user's own ids,
/// each with where its challenge goes (for the message limits).
async fn choices_with_destinations(
    svc: &AuthService,
    data: &mut KeyportSession,
    req: &RequestInfo,
) -> Result<Vec<(FactorChoice, String)>, PortalError> {
    let user = svc.require_user(data, req)?.clone();
    let factors = svc
        .okta
        .list_factors(&user.id)
        .await
        .map_err(|e| portal_error(e, req, Flow::Verify))?;
    data.known_ids = factors.iter().map(|f| f.id.clone()).collect();
    let mut out: Vec<(FactorChoice, String)> = factors
        .iter()
        .filter(|f| f.is_active())
        .filter_map(|f| choice_from_factor(f).map(|c| (c, limits::destination_of(f))))
        .collect();
    out.sort_by_key(|(f, _)| preference(f.kind));
    Ok(out)
}

/// The user's active factors Keyport can verify, best first.
async fn choices(
    svc: &AuthService,
    data: &mut KeyportSession,
    req: &RequestInfo,
) -> Result<Vec<FactorChoice>, PortalError> {
    Ok(choices_with_destinations(svc, data, req)
        .await?
        .into_iter()
        .map(|(c, _)| c)
        .collect())
}

fn challenge_step(c: &PendingChallenge) -> ReverifyStep {
    ReverifyStep::Challenge {
        factor: c.factor.clone(),
        challenge: challenge_of(c),
    }
}

pub async fn state(
    svc: &AuthService,
    session: &Session,
    req: &RequestInfo,
) -> Result<ReverifyStep, PortalError> {
    let mut data = svc.load(session).await;
    svc.require_user(&data, req)?;
    if let Some(c) = &data.reverify {
        return Ok(challenge_step(c));
    }
    let factors = choices(svc, &mut data, req).await?;
    svc.save(session, &data, req).await?;
    let password = factors.is_empty();
    Ok(ReverifyStep::Choose { factors, password })
}

pub async fn start(
    svc: &AuthService,
    session: &Session,
    req: &RequestInfo,
    factor_id: String,
) -> Result<ReverifyStep, PortalError> {
    input::check_id(&factor_id)?;
    let mut data = svc.load(session).await;
    let user = svc.require_user(&data, req)?.clone();
    let factors = choices_with_destinations(svc, &mut data, req).await?;
    let (factor, destination) = factors
        .into_iter()
        .find(|(f, _)| f.id == factor_id)
        .ok_or_else(|| PortalError::new(ErrorCode::NotFound, "That method isn't one of yours."))?;
    let c = svc
        .challenger()
        .send(session, &user, factor, destination, req)
        .await?;
    let step = challenge_step(&c);
    data.reverify = Some(c);
    svc.save(session, &data, req).await?;
    Ok(step)
}

/// Stamps the verification and renews the session id.
async fn verified(
    session: &Session,
    req: &RequestInfo,
    mut data: KeyportSession,
) -> Result<ReverifyStep, PortalError> {
    data.reverify = None;
    mark_verified(session, req, data).await?;
    Ok(ReverifyStep::Verified)
}

fn no_challenge() -> PortalError {
    PortalError::new(
        ErrorCode::InvalidInput,
        "Choose a method to confirm it's you first.",
    )
}

pub async fn code(
    svc: &AuthService,
    session: &Session,
    req: &RequestInfo,
    code: String,
) -> Result<ReverifyStep, PortalError> {
    let data = svc.load(session).await;
    let user = svc.require_user(&data, req)?.clone();
    let c = data.reverify.clone().ok_or_else(no_challenge)?;
    svc.challenger().check_code(&user, &c, &code, req).await?;
    verified(session, req, data).await
}

pub async fn poll(
    svc: &AuthService,
    session: &Session,
    req: &RequestInfo,
) -> Result<ReverifyStep, PortalError> {
    let mut data = svc.load(session).await;
    let user = svc.require_user(&data, req)?.clone();
    let c = data.reverify.clone().ok_or_else(no_challenge)?;
    match svc.challenger().poll(&user, &c, req).await? {
        PushOutcome::Passed => verified(session, req, data).await,
        PushOutcome::Waiting => Ok(challenge_step(&c)),
        PushOutcome::Rejected => {
            data.reverify = None;
            svc.save(session, &data, req).await?;
            Err(PortalError::new(
                ErrorCode::Forbidden,
                "The request was denied on your phone. Nothing was changed.",
            ))
        }
        PushOutcome::Expired => {
            data.reverify = None;
            svc.save(session, &data, req).await?;
            Err(PortalError::new(
                ErrorCode::InvalidInput,
                "The push expired before it was approved. Send a new one.",
            ))
        }
    }
}

pub async fn security_key(
    svc: &AuthService,
    session: &Session,
    req: &RequestInfo,
    credential: webauthn_rs_proto::PublicKeyCredential,
) -> Result<ReverifyStep, PortalError> {
    let data = svc.load(session).await;
    let user = svc.require_user(&data, req)?.clone();
    let c = data.reverify.clone().ok_or_else(no_challenge)?;
    svc.challenger()
        .check_key(&user, &c, &credential, req)
        .await?;
    verified(session, req, data).await
}

/// Only for users with no factor: the password proves it's them.
pub async fn password(
    svc: &AuthService,
    session: &Session,
    req: &RequestInfo,
    password: String,
) -> Result<ReverifyStep, PortalError> {
    input::check(&password, input::PASSWORD)?;
    let mut data = svc.load(session).await;
    let user = svc.require_user(&data, req)?.clone();
    if !choices(svc, &mut data, req).await?.is_empty() {
        return Err(PortalError::new(
            ErrorCode::InvalidInput,
            "Confirm with one of your sign-in methods instead.",
        ));
    }
    limits::sign_in(
        &svc.kv,
        &svc.settings.limits,
        &limits::account_of(&user.id),
        req.client_ip.as_deref(),
    )
    .await?;
    let wrong = || {
        PortalError::new(ErrorCode::InvalidInput, "That password isn't right.")
            .with_field("password")
            .with_correlation_id(req.request_id.clone())
    };
    let tx = svc
        .okta
        .authn_primary(
            &AuthnRequest::new(user.login.clone(), password),
            &call_context(req),
        )
        .await
        .map_err(|e| match e {
            OktaError::AuthenticationFailed(_) => wrong(),
            e => portal_error(e, req, Flow::Verify),
        })?;
    // The transaction itself is not needed, whatever it says.
    if let Some(token) = &tx.state_token {
        let _ = svc.okta.authn_cancel(token).await;
    }
    match tx.primary_outcome() {
        PrimaryOutcome::PasswordAccepted => verified(session, req, data).await,
        PrimaryOutcome::LockedOut => {
            tracing::warn!(user_id = %user.id, request_id = %req.request_id, "re-verification of a locked-out account refused");
            Err(PortalError::new(
                ErrorCode::Forbidden,
                "Your account is locked after too many attempts, so Keyport can't confirm it's you. Ask your help desk to unlock it, or try again later.",
            )
            .with_correlation_id(req.request_id.clone()))
        }
        PrimaryOutcome::Refused => {
            tracing::warn!(user_id = %user.id, request_id = %req.request_id, status = ?tx.status, "re-verification: Authn did not accept the password");
            Err(wrong())
        }
    }
}
