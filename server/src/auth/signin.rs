//! Signing in with Okta's Authn API (API-NOTES §5): username and password, then — when the
//! org asks for MFA — one of the user's factors, or a new password when it has expired. The
//! transaction's state token stays in the server-side session; the page sees only steps.

use super::challenge::resend_cooldown;
use super::limits::{self, MessageCharge};
use super::{call_context, new_user, now, AuthService};
use crate::okta::types::{
    AuthnChangePasswordRequest, AuthnRequest, AuthnStatus, AuthnTransaction, AuthnVerifyRequest,
    FactorResult, Secret,
};
use crate::okta::{AuthnVerifyQuery, OktaError};
use crate::service::errors::{portal_error, Flow};
use crate::service::factors::{choice_from_authn, preference};
use crate::service::input;
use crate::sessions::data::{PendingChallenge, PendingSignIn, SignInMethod};
use crate::sessions::KeyportSession;
use app::api::RequestInfo;
use app::error::{ErrorCode, PortalError};
use app::model::auth::{Challenge, FactorChoice, MethodKind, PasswordRules, SignInStep};
use tower_sessions::Session;

fn expired() -> PortalError {
    PortalError::new(
        ErrorCode::SignInRequired,
        "Your sign-in took too long and has expired. Please start again.",
    )
}

/// The step a pending sign-in is at.
fn step_of(p: &PendingSignIn) -> SignInStep {
    if let Some(rules) = &p.password_rules {
        return SignInStep::ChangeExpiredPassword {
            rules: rules.clone(),
        };
    }
    match &p.challenge {
        Some(c) => SignInStep::Challenge {
            factor: c.factor.clone(),
            challenge: challenge_of(c),
            has_other_factors: p.factors.len() > 1,
        },
        None => SignInStep::ChooseFactor {
            name: p.display_name.clone(),
            factors: p.factors.clone(),
        },
    }
}

pub(crate) fn challenge_of(c: &PendingChallenge) -> Challenge {
    if let Some(q) = &c.question {
        return Challenge::Question {
            question: q.clone(),
        };
    }
    if let Some(options) = &c.webauthn_options {
        return Challenge::SecurityKey {
            options_json: options.clone(),
        };
    }
    if c.factor.kind == MethodKind::OktaVerify {
        return Challenge::Push { number: c.number };
    }
    Challenge::Code {
        sent_to: c.sent_to.clone(),
        resend_in: c
            .resend_at
            .map(|at| (at - now()).max(0) as u64)
            .filter(|s| *s > 0),
    }
}

pub async fn state(svc: &AuthService, session: &Session) -> SignInStep {
    let mut data = svc.load(session).await;
    if data.user.is_some() {
        let user = svc.summary(&mut data).await;
        return SignInStep::SignedIn { user };
    }
    data.sign_in
        .as_ref()
        .map(step_of)
        .unwrap_or(SignInStep::Credentials)
}

fn display_name(tx: &AuthnTransaction) -> (String, String, String) {
    let Some(user) = tx.user() else {
        return Default::default();
    };
    let p = &user.profile;
    let name = match (&p.first_name, &p.last_name) {
        (Some(f), Some(l)) => format!("{f} {l}"),
        (Some(f), None) => f.clone(),
        _ => p.login.clone(),
    };
    (user.id.clone(), p.login.clone(), name)
}

/// Rules from Authn's `_embedded.policy.complexity` (authn-primary-password-expired.json).
fn password_rules(tx: &AuthnTransaction) -> PasswordRules {
    let policy = tx
        .embedded
        .as_ref()
        .and_then(|e| e.policy.clone())
        .unwrap_or_default();
    let c = &policy["complexity"];
    let n = |v: &serde_json::Value| v.as_u64().unwrap_or(0) as u32;
    PasswordRules {
        min_length: n(&c["minLength"]).max(1),
        min_lower: n(&c["minLowerCase"]),
        min_upper: n(&c["minUpperCase"]),
        min_number: n(&c["minNumber"]),
        min_symbol: n(&c["minSymbol"]),
        exclude_username: c["excludeUsername"].as_bool().unwrap_or(false),
        history: n(&policy["age"]["historyCount"]),
    }
}

/// Moves the sign-in forward from an Authn answer.
async fn advance(
    svc: &AuthService,
    session: &Session,
    req: &RequestInfo,
    mut data: KeyportSession,
    tx: AuthnTransaction,
    via_factor: bool,
) -> Result<SignInStep, PortalError> {
    match tx.status {
        AuthnStatus::Success => {
            let (id, login, name) = display_name(&tx);
            let (id, login, name) = if id.is_empty() {
                let p = data.sign_in.take().ok_or_else(expired)?;
                (p.user_id, p.login, p.display_name)
            } else {
                (id, login, name)
            };
            // A password alone proves a recent verification only for users with no factor.
            let verified = via_factor
                || svc
                    .okta
                    .list_factors(&id)
                    .await
                    .map(|f| f.iter().all(|f| !f.is_active()))
                    .unwrap_or(false);
            let method = if via_factor {
                SignInMethod::PasswordAndFactor
            } else {
                SignInMethod::Password
            };
            let user = svc
                .establish(session, req, new_user(id, login, name, method, verified))
                .await?;
            Ok(SignInStep::SignedIn { user })
        }
        AuthnStatus::MfaRequired | AuthnStatus::PasswordExpired | AuthnStatus::PasswordWarn => {
            let state_token = tx.state_token.clone().ok_or_else(expired)?;
            let (user_id, login, display_name) = display_name(&tx);
            let mut factors: Vec<FactorChoice> = tx
                .factors()
                .into_iter()
                .filter_map(choice_from_authn)
                .collect();
            factors.sort_by_key(|f| preference(f.kind));
            let password_rules =
                matches!(tx.status, AuthnStatus::PasswordExpired).then(|| password_rules(&tx));
            if password_rules.is_none() && factors.is_empty() {
                return Err(PortalError::new(
                    ErrorCode::Forbidden,
                    "Your organization asks for a sign-in method Keyport can't offer here. Please sign in through your company's usual page.",
                ));
            }
            let pending = PendingSignIn {
                state_token,
                user_id,
                login,
                display_name,
                factors,
                challenge: None,
                password_rules,
            };
            let step = step_of(&pending);
            data.sign_in = Some(pending);
            svc.save(session, &data, req).await?;
            Ok(step)
        }
        AuthnStatus::LockedOut => {
            data.sign_in = None;
            svc.save(session, &data, req).await?;
            Err(PortalError::new(
                ErrorCode::Forbidden,
                "Your account is locked after too many attempts. Ask your help desk to unlock it, or try again later.",
            )
            .with_correlation_id(req.request_id.clone()))
        }
        other => {
            tracing::warn!(status = ?other, "Authn answered a state Keyport does not drive");
            data.sign_in = None;
            svc.save(session, &data, req).await?;
            Err(PortalError::new(
                ErrorCode::Forbidden,
                "Your organization needs you to finish signing in on its usual sign-in page first.",
            )
            .with_correlation_id(req.request_id.clone()))
        }
    }
}

pub async fn start(
    svc: &AuthService,
    session: &Session,
    req: &RequestInfo,
    username: String,
    password: String,
) -> Result<SignInStep, PortalError> {
    let username = username.trim().to_string();
    if username.is_empty() || password.is_empty() {
        return Err(PortalError::new(
            ErrorCode::InvalidInput,
            "Enter your username and password.",
        ));
    }
    input::check(&username, input::LOGIN)?;
    input::check(&password, input::PASSWORD)?;
    // The address first (a spray of new logins costs Okta no lookups once it is spent), then
    // the account the login names, however it was typed.
    limits::sign_in_address(&svc.kv, &svc.settings.limits, req.client_ip.as_deref()).await?;
    let account = limits::resolve_account(&svc.okta, &svc.kv, &username).await;
    limits::sign_in_account(&svc.kv, &svc.settings.limits, &account).await?;
    let mut data = svc.load(session).await;
    data.sign_in = None;
    data.user = None;
    let tx = svc
        .okta
        .authn_primary(&AuthnRequest::new(username, password), &call_context(req))
        .await
        .map_err(|e| portal_error(e, req, Flow::SignIn))?;
    advance(svc, session, req, data, tx, false).await
}

/// Counts a text, call, email or push the sign-in asks Okta to send to one of the user's
/// factors (Authn shows phone numbers masked, so the factor stands for its destination).
async fn charge_message(
    svc: &AuthService,
    session: &Session,
    req: &RequestInfo,
    user_id: &str,
    factor_id: &str,
) -> Result<(), PortalError> {
    let destination = format!("factor:{factor_id}");
    limits::message(
        &svc.kv,
        &svc.settings.limits,
        MessageCharge {
            session: limits::session_key(session).await,
            account: &limits::account_of(user_id),
            destination: Some(&destination),
            address: req.client_ip.as_deref(),
        },
    )
    .await
}

/// The pending sign-in and the chosen factor, or the error for a stale page.
fn pending(data: &KeyportSession) -> Result<&PendingSignIn, PortalError> {
    data.sign_in.as_ref().ok_or_else(expired)
}

fn verify_request(token: &Secret) -> AuthnVerifyRequest {
    AuthnVerifyRequest::state_only(token.clone())
}

pub async fn choose(
    svc: &AuthService,
    session: &Session,
    req: &RequestInfo,
    factor_id: String,
) -> Result<SignInStep, PortalError> {
    input::check_id(&factor_id)?;
    let mut data = svc.load(session).await;
    let p = pending(&data)?;
    // Only the user's own factors from this transaction: anything else is "not found".
    let factor = p
        .factors
        .iter()
        .find(|f| f.id == factor_id)
        .cloned()
        .ok_or_else(|| PortalError::new(ErrorCode::NotFound, "That method isn't one of yours."))?;
    let token = p.state_token.clone();
    let mut challenge = PendingChallenge {
        factor: factor.clone(),
        sent_to: None,
        resend_at: None,
        number: None,
        push_transaction: None,
        question: None,
        webauthn_options: None,
    };
    match factor.kind {
        MethodKind::Sms
        | MethodKind::Voice
        | MethodKind::Email
        | MethodKind::OktaVerify
        | MethodKind::SecurityKey => {
            if factor.kind.sends_code() || factor.kind == MethodKind::OktaVerify {
                charge_message(svc, session, req, &p.user_id, &factor.id).await?;
            }
            let tx = svc
                .okta
                .authn_verify(
                    &factor.id,
                    &verify_request(&token),
                    &AuthnVerifyQuery::default(),
                    &call_context(req),
                )
                .await
                .map_err(|e| portal_error(e, req, Flow::SignIn))?;
            let f = tx
                .embedded
                .as_ref()
                .and_then(|e| e.factor.first().or(e.factors.first()));
            match factor.kind {
                MethodKind::OktaVerify => {
                    challenge.number = f
                        .and_then(|f| f.embedded.as_ref())
                        .and_then(|e| e.challenge.as_ref())
                        .and_then(|c| c.correct_answer);
                }
                MethodKind::SecurityKey => {
                    let okta_challenge = f
                        .and_then(|f| f.embedded.as_ref())
                        .and_then(|e| e.challenge.as_ref())
                        .and_then(|c| c.challenge.clone())
                        .ok_or_else(|| {
                            PortalError::new(
                                ErrorCode::Internal,
                                "Okta did not send a security key challenge.",
                            )
                        })?;
                    let credential_id = f
                        .and_then(|f| f.profile.credential_id.clone())
                        .unwrap_or_default();
                    challenge.webauthn_options = Some(super::webauthn::request_options(
                        &okta_challenge,
                        &credential_id,
                        &svc.settings.rp_id,
                    )?);
                }
                _ => {
                    challenge.sent_to = Some(factor.label.clone());
                    challenge.resend_at = Some(now() + resend_cooldown(factor.kind));
                }
            }
        }
        MethodKind::SecurityQuestion => challenge.question = Some(factor.label.clone()),
        _ => {}
    }
    if let Some(p) = data.sign_in.as_mut() {
        p.challenge = Some(challenge);
    }
    svc.save(session, &data, req).await?;
    Ok(step_of(pending(&data)?))
}

pub async fn code(
    svc: &AuthService,
    session: &Session,
    req: &RequestInfo,
    code: String,
) -> Result<SignInStep, PortalError> {
    let data = svc.load(session).await;
    let p = pending(&data)?;
    let c = p.challenge.as_ref().ok_or_else(expired)?;
    let question = c.factor.kind == MethodKind::SecurityQuestion;
    input::check(&code, if question { input::ANSWER } else { input::CODE })?;
    limits::code(
        &svc.kv,
        &svc.settings.limits,
        &limits::account_of(&p.user_id),
        req.client_ip.as_deref(),
    )
    .await?;
    let typed: String = code.split_whitespace().collect();
    if typed.is_empty() {
        return Err(PortalError::new(ErrorCode::InvalidInput, "Enter the code."));
    }
    let body = if c.factor.kind == MethodKind::SecurityQuestion {
        AuthnVerifyRequest::answer(p.state_token.clone(), code.trim())
    } else {
        AuthnVerifyRequest::pass_code(p.state_token.clone(), typed)
    };
    let factor_id = c.factor.id.clone();
    let tx = svc
        .okta
        .authn_verify(
            &factor_id,
            &body,
            &AuthnVerifyQuery::default(),
            &call_context(req),
        )
        .await
        .map_err(|e| {
            if c.factor.kind == MethodKind::SecurityQuestion
                && matches!(e, OktaError::InvalidPasscode(_))
            {
                PortalError::new(
                    ErrorCode::InvalidInput,
                    "That answer doesn't match. Check it and try again.",
                )
                .with_correlation_id(req.request_id.clone())
            } else {
                portal_error(e, req, Flow::SignIn)
            }
        })?;
    advance(svc, session, req, data, tx, true).await
}

pub async fn poll(
    svc: &AuthService,
    session: &Session,
    req: &RequestInfo,
) -> Result<SignInStep, PortalError> {
    let mut data = svc.load(session).await;
    let p = pending(&data)?;
    let c = p.challenge.as_ref().ok_or_else(expired)?;
    if c.factor.kind != MethodKind::OktaVerify {
        return Ok(step_of(p));
    }
    let tx = svc
        .okta
        .authn_verify(
            &c.factor.id,
            &verify_request(&p.state_token),
            &AuthnVerifyQuery::default(),
            &call_context(req),
        )
        .await
        .map_err(|e| portal_error(e, req, Flow::SignIn))?;
    if tx.status == AuthnStatus::Success {
        return advance(svc, session, req, data, tx, true).await;
    }
    match tx.factor_result {
        Some(FactorResult::Rejected) => {
            if let Some(p) = data.sign_in.as_mut() {
                p.challenge = None;
            }
            svc.save(session, &data, req).await?;
            Err(PortalError::new(
                ErrorCode::Forbidden,
                "The sign-in was denied on your phone. If that wasn't you, change your password. Otherwise, try again.",
            ))
        }
        Some(FactorResult::Timeout) => {
            if let Some(p) = data.sign_in.as_mut() {
                p.challenge = None;
            }
            svc.save(session, &data, req).await?;
            Err(PortalError::new(
                ErrorCode::InvalidInput,
                "The push expired before it was approved. Send a new one.",
            ))
        }
        _ => Ok(step_of(pending(&data)?)),
    }
}

pub async fn resend(
    svc: &AuthService,
    session: &Session,
    req: &RequestInfo,
) -> Result<SignInStep, PortalError> {
    let mut data = svc.load(session).await;
    let p = pending(&data)?;
    let c = p.challenge.as_ref().ok_or_else(expired)?;
    if let Some(at) = c.resend_at {
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
    let kind = c.factor.kind;
    if kind.sends_code() || kind == MethodKind::OktaVerify {
        charge_message(svc, session, req, &p.user_id, &c.factor.id).await?;
    }
    let tx = svc
        .okta
        .authn_resend(&c.factor.id, &p.state_token, &call_context(req))
        .await
        .map_err(|e| portal_error(e, req, Flow::SignIn))?;
    if let Some(c) = data.sign_in.as_mut().and_then(|p| p.challenge.as_mut()) {
        if kind.sends_code() {
            c.resend_at = Some(now() + resend_cooldown(kind));
        }
        if kind == MethodKind::OktaVerify {
            c.number = tx
                .embedded
                .as_ref()
                .and_then(|e| e.factor.first())
                .and_then(|f| f.embedded.as_ref())
                .and_then(|e| e.challenge.as_ref())
                .and_then(|c| c.correct_answer)
                .or(c.number);
        }
    }
    svc.save(session, &data, req).await?;
    Ok(step_of(pending(&data)?))
}

pub async fn security_key(
    svc: &AuthService,
    session: &Session,
    req: &RequestInfo,
    credential: webauthn_rs_proto::PublicKeyCredential,
) -> Result<SignInStep, PortalError> {
    let data = svc.load(session).await;
    let p = pending(&data)?;
    let c = p.challenge.as_ref().ok_or_else(expired)?;
    limits::code(
        &svc.kv,
        &svc.settings.limits,
        &limits::account_of(&p.user_id),
        req.client_ip.as_deref(),
    )
    .await?;
    let (client_data, authenticator_data, signature) =
        super::webauthn::assertion_fields(&credential);
    let body = AuthnVerifyRequest::webauthn(
        p.state_token.clone(),
        client_data,
        authenticator_data,
        signature,
    );
    let factor_id = c.factor.id.clone();
    let tx = svc
        .okta
        .authn_verify(
            &factor_id,
            &body,
            &AuthnVerifyQuery::default(),
            &call_context(req),
        )
        .await
        .map_err(|e| match e {
            OktaError::InvalidPasscode(_) => PortalError::new(
                ErrorCode::InvalidInput,
                "That security key wasn't accepted. Use the key you registered for this account.",
            )
            .with_correlation_id(req.request_id.clone()),
            e => portal_error(e, req, Flow::SignIn),
        })?;
    advance(svc, session, req, data, tx, true).await
}

pub async fn change_password(
    svc: &AuthService,
    session: &Session,
    req: &RequestInfo,
    old_password: String,
    new_password: String,
) -> Result<SignInStep, PortalError> {
    let data = svc.load(session).await;
    let p = pending(&data)?;
    if p.password_rules.is_none() {
        return Ok(step_of(p));
    }
    input::check(&old_password, input::PASSWORD)?;
    input::check(&new_password, input::PASSWORD).map_err(|e| e.with_field("newPassword"))?;
    let body = AuthnChangePasswordRequest {
        state_token: p.state_token.clone(),
        old_password: old_password.into(),
        new_password: new_password.into(),
    };
    let tx = svc
        .okta
        .authn_change_password(&body, &call_context(req))
        .await
        .map_err(|e| crate::service::passwords::change_error(e, req))?;
    advance(svc, session, req, data, tx, false).await
}

pub async fn other_factor(svc: &AuthService, session: &Session) -> Result<SignInStep, PortalError> {
    let mut data = svc.load(session).await;
    if let Some(p) = data.sign_in.as_mut() {
        p.challenge = None;
    }
    let step = data
        .sign_in
        .as_ref()
        .map(step_of)
        .unwrap_or(SignInStep::Credentials);
    let _ = data.save(session).await;
    Ok(step)
}

pub async fn restart(svc: &AuthService, session: &Session) -> SignInStep {
    let mut data = svc.load(session).await;
    if let Some(p) = data.sign_in.take() {
        // Best effort: the transaction expires on its own anyway.
        let _ = svc.okta.authn_cancel(&p.state_token).await;
    }
    let _ = data.save(session).await;
    SignInStep::Credentials
}
