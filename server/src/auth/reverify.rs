//! Re-verification: a fresh proof of a factor (Factors API verify) or, for users with no
//! factor, of the password (Authn primary authentication, then cancelled). Success renews the
//! session id and stamps `verified_at`, which [`super::privilege::decide`] reads.

use super::signin::challenge_of;
use super::{call_context, now, AuthService};
use crate::okta::types::{AuthnRequest, FactorResult, VerifyFactorRequest};
use crate::okta::{OktaError, VerifyQuery};
use crate::service::errors::{internal, portal_error, Flow};
use crate::service::factors::{choice_from_factor, preference};
use crate::sessions::data::PendingChallenge;
use crate::sessions::KeyportSession;
use app::api::RequestInfo;
use app::error::{ErrorCode, PortalError};
use app::model::auth::{FactorChoice, MethodKind, ReverifyStep};
use tower_sessions::Session;

/// The user's active factors Keyport can verify, best first, remembered as the user's own ids.
async fn choices(
    svc: &AuthService,
    data: &mut KeyportSession,
    req: &RequestInfo,
) -> Result<Vec<FactorChoice>, PortalError> {
    let user = svc.require_user(data, req)?.clone();
    let factors = svc
        .okta
        .list_factors(&user.id)
        .await
        .map_err(|e| portal_error(e, req, Flow::Verify))?;
    data.known_ids = factors.iter().map(|f| f.id.clone()).collect();
    let mut out: Vec<FactorChoice> = factors
        .iter()
        .filter(|f| f.is_active())
        .filter_map(choice_from_factor)
        .collect();
    out.sort_by_key(|f| preference(f.kind));
    Ok(out)
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
    let mut data = svc.load(session).await;
    let user = svc.require_user(&data, req)?.clone();
    let factors = choices(svc, &mut data, req).await?;
    let factor = factors
        .into_iter()
        .find(|f| f.id == factor_id)
        .ok_or_else(|| PortalError::new(ErrorCode::NotFound, "That method isn't one of yours."))?;
    let mut c = PendingChallenge {
        factor: factor.clone(),
        sent_to: None,
        resend_at: None,
        number: None,
        push_transaction: None,
        question: None,
        webauthn_options: None,
    };
    let ctx = call_context(req);
    match factor.kind {
        MethodKind::Sms | MethodKind::Voice | MethodKind::Email => {
            svc.okta
                .verify_factor(
                    &user.id,
                    &factor.id,
                    &VerifyFactorRequest::empty(),
                    &VerifyQuery::default(),
                    &ctx,
                )
                .await
                .map_err(|e| portal_error(e, req, Flow::Verify))?;
            c.sent_to = Some(factor.label.clone());
            c.resend_at = Some(
                now()
                    + if factor.kind == MethodKind::Email {
                        5
                    } else {
                        30
                    },
            );
        }
        MethodKind::OktaVerify => {
            let r = svc
                .okta
                .verify_factor(
                    &user.id,
                    &factor.id,
                    &VerifyFactorRequest::push_number_matching(),
                    &VerifyQuery::default(),
                    &ctx,
                )
                .await
                .map_err(|e| portal_error(e, req, Flow::Verify))?;
            c.number = r.correct_answer();
            c.push_transaction = r.transaction_id().map(str::to_string);
        }
        MethodKind::SecurityKey => {
            let r = svc
                .okta
                .verify_factor(
                    &user.id,
                    &factor.id,
                    &VerifyFactorRequest::empty(),
                    &VerifyQuery::default(),
                    &ctx,
                )
                .await
                .map_err(|e| portal_error(e, req, Flow::Verify))?;
            let challenge = r
                .challenge()
                .and_then(|c| c.challenge.clone())
                .ok_or_else(|| {
                    PortalError::new(
                        ErrorCode::Internal,
                        "Okta did not send a security key challenge.",
                    )
                })?;
            let credential_id = r
                .profile
                .as_ref()
                .and_then(|p| p.credential_id.clone())
                .unwrap_or_default();
            c.webauthn_options = Some(super::webauthn::request_options(
                &challenge,
                &credential_id,
                &svc.settings.rp_id,
            )?);
        }
        MethodKind::SecurityQuestion => c.question = Some(factor.label.clone()),
        _ => {}
    }
    let step = challenge_step(&c);
    data.reverify = Some(c);
    svc.save(session, &data, req).await?;
    Ok(step)
}

/// Stamps the verification and renews the session id.
async fn verified(
    svc: &AuthService,
    session: &Session,
    req: &RequestInfo,
    mut data: KeyportSession,
) -> Result<ReverifyStep, PortalError> {
    data.reverify = None;
    if let Some(u) = data.user.as_mut() {
        u.verified_at = now();
        tracing::info!(user_id = %u.id, request_id = %req.request_id, "re-verified");
    }
    // A new id after the privilege step (fixation), except for a session a pop-out window
    // shares with Keyport's frame: the frame's cookie would be left naming the old one.
    if !data.shared_with_window {
        session
            .cycle_id()
            .await
            .map_err(|e| internal("cannot renew the session id", e, req))?;
    }
    svc.save(session, &data, req).await?;
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
    let l = svc.settings.limits;
    super::limits::take(
        &svc.kv,
        "codes",
        &user.login,
        req.client_ip.as_deref(),
        l.codes_per_account,
        l.codes_per_address,
    )
    .await?;
    let body = if c.factor.kind == MethodKind::SecurityQuestion {
        VerifyFactorRequest::answer(code.trim())
    } else {
        VerifyFactorRequest::pass_code(code.split_whitespace().collect::<String>())
    };
    let r = svc
        .okta
        .verify_factor(
            &user.id,
            &c.factor.id,
            &body,
            &VerifyQuery::default(),
            &call_context(req),
        )
        .await
        .map_err(|e| match e {
            OktaError::InvalidPasscode(_) if c.factor.kind == MethodKind::SecurityQuestion => {
                PortalError::new(
                    ErrorCode::InvalidInput,
                    "That answer doesn't match. Check it and try again.",
                )
                .with_correlation_id(req.request_id.clone())
            }
            e => portal_error(e, req, Flow::Verify),
        })?;
    if r.is_success() {
        verified(svc, session, req, data).await
    } else {
        Err(PortalError::new(
            ErrorCode::InvalidInput,
            "That code isn't right. Check it and try again.",
        ))
    }
}

pub async fn poll(
    svc: &AuthService,
    session: &Session,
    req: &RequestInfo,
) -> Result<ReverifyStep, PortalError> {
    let mut data = svc.load(session).await;
    let user = svc.require_user(&data, req)?.clone();
    let c = data.reverify.clone().ok_or_else(no_challenge)?;
    let Some(tx) = c.push_transaction.clone() else {
        return Ok(challenge_step(&c));
    };
    let r = svc
        .okta
        .push_transaction(&user.id, &c.factor.id, &tx)
        .await
        .map_err(|e| portal_error(e, req, Flow::Verify))?;
    match r.factor_result {
        FactorResult::Success => verified(svc, session, req, data).await,
        FactorResult::Waiting => Ok(challenge_step(&c)),
        FactorResult::Rejected => {
            data.reverify = None;
            svc.save(session, &data, req).await?;
            Err(PortalError::new(
                ErrorCode::Forbidden,
                "The request was denied on your phone. Nothing was changed.",
            ))
        }
        _ => {
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
    let (client_data, authenticator_data, signature) =
        super::webauthn::assertion_fields(&credential);
    let body = VerifyFactorRequest::webauthn(client_data, authenticator_data, signature);
    let r = svc
        .okta
        .verify_factor(
            &user.id,
            &c.factor.id,
            &body,
            &VerifyQuery::default(),
            &call_context(req),
        )
        .await
        .map_err(|e| match e {
            OktaError::InvalidPasscode(_) => PortalError::new(
                ErrorCode::InvalidInput,
                "That security key wasn't accepted. Use the key you registered for this account.",
            )
            .with_correlation_id(req.request_id.clone()),
            e => portal_error(e, req, Flow::Verify),
        })?;
    if r.is_success() {
        verified(svc, session, req, data).await
    } else {
        Err(PortalError::new(
            ErrorCode::InvalidInput,
            "That security key wasn't accepted.",
        ))
    }
}

/// Only for users with no factor: the password proves it's them.
pub async fn password(
    svc: &AuthService,
    session: &Session,
    req: &RequestInfo,
    password: String,
) -> Result<ReverifyStep, PortalError> {
    let mut data = svc.load(session).await;
    let user = svc.require_user(&data, req)?.clone();
    if !choices(svc, &mut data, req).await?.is_empty() {
        return Err(PortalError::new(
            ErrorCode::InvalidInput,
            "Confirm with one of your sign-in methods instead.",
        ));
    }
    let l = svc.settings.limits;
    super::limits::take(
        &svc.kv,
        "signin",
        &user.login,
        req.client_ip.as_deref(),
        l.sign_in_per_account,
        l.sign_in_per_address,
    )
    .await?;
    let tx = svc
        .okta
        .authn_primary(
            &AuthnRequest::new(user.login.clone(), password),
            &call_context(req),
        )
        .await
        .map_err(|e| match e {
            OktaError::AuthenticationFailed(_) => {
                PortalError::new(ErrorCode::InvalidInput, "That password isn't right.")
                    .with_correlation_id(req.request_id.clone())
            }
            e => portal_error(e, req, Flow::Verify),
        })?;
    // The password was right; the transaction itself is not needed.
    if let Some(token) = &tx.state_token {
        let _ = svc.okta.authn_cancel(token).await;
    }
    verified(svc, session, req, data).await
}
