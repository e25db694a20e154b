//! One challenge of a factor through the Factors API, shared by "confirm it's you"
//! (re-verification) and "test this method": asking for it, checking the answer, polling a
//! push. The rules an attacker would look for a gap in live here once, for both flows:
//! - every answer checked counts against the account's code limit, keyed on the user id;
//! - every text, call, email or push asked for counts against the message limits, keyed on
//!   where it goes;
//! - an answer passes only when Okta says `SUCCESS` (any other `factorResult`, a 200 without
//!   one included, is a refusal);
//! - a pass is a fresh verification, stamped by [`super::mark_verified`], which also renews the
//!   session id.
//!
//! Sign-in has its own state machine (the Authn API's transaction), with the same limits.

use super::limits::{self, AbuseLimits, MessageCharge};
use super::{call_context, now};
use crate::okta::types::{FactorResult, VerifyFactorRequest};
use crate::okta::{OktaClient, OktaError, VerifyQuery};
use crate::service::errors::{portal_error, Flow};
use crate::service::input;
use crate::sessions::data::PendingChallenge;
use crate::sessions::{Kv, SignedInUser};
use app::api::RequestInfo;
use app::error::{ErrorCode, PortalError};
use app::model::auth::{FactorChoice, MethodKind};
use tower_sessions::Session;

/// Okta's per-phone cooldown (30 s) and per-address email cooldown (5 s), mirrored so the
/// page can show the wait before Okta would refuse.
pub(crate) fn resend_cooldown(kind: MethodKind) -> i64 {
    match kind {
        MethodKind::Email => 5,
        _ => 30,
    }
}

/// How a push challenge stands.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum PushOutcome {
    Passed,
    Waiting,
    Rejected,
    Expired,
}

/// What a challenge needs: Okta, the limit store and its limits, the WebAuthn RP id.
pub(crate) struct Challenger<'a> {
    pub okta: &'a OktaClient,
    pub kv: &'a Kv,
    pub limits: &'a AbuseLimits,
    pub rp_id: &'a str,
}

impl Challenger<'_> {
    /// Counts one answer checked for the account (code, security answer or key assertion).
    async fn charge_code(&self, user: &SignedInUser, req: &RequestInfo) -> Result<(), PortalError> {
        limits::code(
            self.kv,
            self.limits,
            &limits::account_of(&user.id),
            req.client_ip.as_deref(),
        )
        .await
    }

    /// Asks Okta to challenge `factor` (sends the code, pushes, or fetches the key's challenge).
    /// `destination` is where a text, call, email or push goes ([`limits::destination_of`]).
    pub async fn send(
        &self,
        session: &Session,
        user: &SignedInUser,
        factor: FactorChoice,
        destination: String,
        req: &RequestInfo,
    ) -> Result<PendingChallenge, PortalError> {
        let mut c = PendingChallenge {
            factor: factor.clone(),
            sent_to: None,
            resend_at: None,
            number: None,
            push_transaction: None,
            question: None,
            webauthn_options: None,
        };
        let factor_id = factor.id.clone();
        let call = |body: VerifyFactorRequest| {
            let factor_id = factor_id.clone();
            async move {
                self.okta
                    .verify_factor(
                        &user.id,
                        &factor_id,
                        &body,
                        &VerifyQuery::default(),
                        &call_context(req),
                    )
                    .await
            }
        };
        if factor.kind.sends_code() || factor.kind == MethodKind::OktaVerify {
            limits::message(
                self.kv,
                self.limits,
                MessageCharge {
                    session: limits::session_key(session).await,
                    account: &limits::account_of(&user.id),
                    destination: Some(&destination),
                    address: req.client_ip.as_deref(),
                },
            )
            .await?;
        }
        match factor.kind {
            MethodKind::Sms | MethodKind::Voice | MethodKind::Email => {
                call(VerifyFactorRequest::empty())
                    .await
                    .map_err(|e| portal_error(e, req, Flow::Verify))?;
                c.sent_to = Some(factor.label.clone());
                c.resend_at = Some(now() + resend_cooldown(factor.kind));
            }
            MethodKind::OktaVerify => {
                let r = call(VerifyFactorRequest::push_number_matching())
                    .await
                    .map_err(|e| portal_error(e, req, Flow::Verify))?;
                c.number = r.correct_answer();
                c.push_transaction = r.transaction_id().map(str::to_string);
            }
            MethodKind::SecurityKey => {
                let r = call(VerifyFactorRequest::empty())
                    .await
                    .map_err(|e| match e {
                        OktaError::Validation { .. } => PortalError::new(
                            ErrorCode::InvalidInput,
                            "This security key can't be asked for here. Choose another method.",
                        )
                        .with_correlation_id(req.request_id.clone()),
                        e => portal_error(e, req, Flow::Verify),
                    })?;
                let challenge =
                    r.challenge()
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
                    self.rp_id,
                )?);
            }
            MethodKind::SecurityQuestion => c.question = Some(factor.label.clone()),
            _ => {}
        }
        Ok(c)
    }

    /// Checks a typed code or security answer. `Ok` only when Okta says SUCCESS.
    pub async fn check_code(
        &self,
        user: &SignedInUser,
        c: &PendingChallenge,
        typed: &str,
        req: &RequestInfo,
    ) -> Result<(), PortalError> {
        let question = c.factor.kind == MethodKind::SecurityQuestion;
        input::check(typed, if question { input::ANSWER } else { input::CODE })?;
        let body = if question {
            VerifyFactorRequest::answer(typed.trim())
        } else {
            let code: String = typed.split_whitespace().collect();
            if code.is_empty() {
                return Err(
                    PortalError::new(ErrorCode::InvalidInput, "Enter the code.").with_field("code")
                );
            }
            VerifyFactorRequest::pass_code(code)
        };
        self.charge_code(user, req).await?;
        let wrong = || {
            if question {
                PortalError::new(
                    ErrorCode::InvalidInput,
                    "That answer doesn't match. Check it and try again.",
                )
                .with_field("answer")
            } else {
                PortalError::new(
                    ErrorCode::InvalidInput,
                    "That code isn't right. Check it and try again.",
                )
                .with_field("code")
            }
            .with_correlation_id(req.request_id.clone())
        };
        let r = self
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
                OktaError::InvalidPasscode(_) => wrong(),
                e => portal_error(e, req, Flow::Verify),
            })?;
        if r.is_success() {
            Ok(())
        } else {
            tracing::warn!(request_id = %req.request_id, result = ?r.factor_result, "a code check answered without SUCCESS");
            Err(wrong())
        }
    }

    /// Checks a security key's assertion. `Ok` only when Okta says SUCCESS.
    pub async fn check_key(
        &self,
        user: &SignedInUser,
        c: &PendingChallenge,
        credential: &webauthn_rs_proto::PublicKeyCredential,
        req: &RequestInfo,
    ) -> Result<(), PortalError> {
        if c.webauthn_options.is_none() {
            return Err(PortalError::new(
                ErrorCode::InvalidInput,
                "Choose your security key to confirm first.",
            ));
        }
        self.charge_code(user, req).await?;
        let refused = || {
            PortalError::new(
                ErrorCode::InvalidInput,
                "That security key wasn't accepted. Use the key you registered for this account.",
            )
            .with_correlation_id(req.request_id.clone())
        };
        let (cd, ad, sig) = super::webauthn::assertion_fields(credential);
        let r = self
            .okta
            .verify_factor(
                &user.id,
                &c.factor.id,
                &VerifyFactorRequest::webauthn(cd, ad, sig),
                &VerifyQuery::default(),
                &call_context(req),
            )
            .await
            .map_err(|e| match e {
                OktaError::InvalidPasscode(_) => refused(),
                e => portal_error(e, req, Flow::Verify),
            })?;
        if r.is_success() {
            Ok(())
        } else {
            Err(refused())
        }
    }

    /// Where a push stands (a challenge that is not a push is still waiting for its answer).
    pub async fn poll(
        &self,
        user: &SignedInUser,
        c: &PendingChallenge,
        req: &RequestInfo,
    ) -> Result<PushOutcome, PortalError> {
        let Some(tx) = c.push_transaction.as_deref() else {
            return Ok(PushOutcome::Waiting);
        };
        let r = self
            .okta
            .push_transaction(&user.id, &c.factor.id, tx)
            .await
            .map_err(|e| portal_error(e, req, Flow::Verify))?;
        Ok(match r.factor_result {
            FactorResult::Success => PushOutcome::Passed,
            FactorResult::Waiting => PushOutcome::Waiting,
            FactorResult::Rejected => PushOutcome::Rejected,
            _ => PushOutcome::Expired,
        })
    }
}
