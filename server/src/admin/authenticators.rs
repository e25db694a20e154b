//! The org's authenticators (Authenticators API, Identity Engine): list them with their
//! methods and what they may be used for, and turn them on or off as their `_links` allow.
//! Turning one off takes it out of every user's "add a method" choices at once (Okta's
//! factor catalog follows the authenticator's status; Keyport reads the catalog afresh on
//! every methods page).

use super::audit::{self, AdminAction};
use super::AdminService;
use crate::okta::types::{AllowedFor, Authenticator, AuthenticatorMethodType};
use crate::okta::OktaError;
use crate::service::errors::{portal_error, Flow};
use crate::sessions::SignedInUser;
use app::api::RequestInfo;
use app::error::{ErrorCode, PortalError};
use app::model::admin::{AuthenticatorRow, AuthenticatorsView};
use app::model::Pipeline;
use futures_util::future::join_all;

fn allowed_for_words(a: &AllowedFor) -> String {
    match a {
        AllowedFor::Any => "Sign-in and recovery".into(),
        AllowedFor::Sso => "Sign-in only".into(),
        AllowedFor::Recovery => "Recovery only".into(),
        AllowedFor::Nothing => "Neither sign-in nor recovery".into(),
        AllowedFor::Unknown(s) => s.clone(),
    }
}

/// A method type in words.
pub fn method_words(m: &AuthenticatorMethodType) -> String {
    use AuthenticatorMethodType::*;
    match m {
        Sms => "Text message".into(),
        Voice => "Voice call".into(),
        Push => "Push notification".into(),
        Totp => "Six-digit code".into(),
        SignedNonce => "FastPass".into(),
        Otp => "One-time code".into(),
        Email => "Email".into(),
        Password => "Password".into(),
        Webauthn => "Security key or biometric".into(),
        SecurityQuestion => "Security question".into(),
        Tac => "Temporary access code".into(),
        Idp => "Identity provider".into(),
        Cert => "Certificate".into(),
        Duo => "Duo".into(),
        Unknown(s) => s.clone(),
    }
}

async fn row(svc: &AdminService, a: Authenticator) -> AuthenticatorRow {
    // The methods are a detail: an authenticator whose methods cannot be read is still listed.
    let methods = if a.links.methods.is_some() {
        match svc.okta.authenticator_methods(&a.id).await {
            Ok(ms) => ms
                .iter()
                .map(|m| (method_words(&m.method_type), m.is_active()))
                .collect(),
            Err(e) => {
                tracing::warn!(authenticator = %a.id, error = %e, "cannot read an authenticator's methods");
                vec![]
            }
        }
    } else {
        vec![]
    };
    AuthenticatorRow {
        key: serde_json::to_value(&a.key)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default(),
        kind: serde_json::to_value(&a.authenticator_type)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default(),
        active: a.is_active(),
        allowed_for: a.allowed_for().map(allowed_for_words),
        can_activate: a.links.activate.is_some(),
        can_deactivate: a.links.deactivate.is_some(),
        methods,
        name: a.name,
        id: a.id,
    }
}

pub async fn view(
    svc: &AdminService,
    req: &RequestInfo,
) -> Result<AuthenticatorsView, PortalError> {
    let pipeline = svc.pipeline().await;
    if pipeline == Some(Pipeline::Classic) {
        // Classic Engine has no Authenticators API: its factors are set in the Admin Console.
        return Ok(AuthenticatorsView {
            pipeline,
            authenticators: vec![],
        });
    }
    let list = svc
        .okta
        .list_authenticators()
        .await
        .map_err(|e| portal_error(e, req, Flow::Admin))?;
    let authenticators = join_all(list.into_iter().map(|a| row(svc, a))).await;
    Ok(AuthenticatorsView {
        pipeline,
        authenticators,
    })
}

fn refusal(err: OktaError, name: &str, req: &RequestInfo) -> PortalError {
    match err {
        OktaError::AuthenticatorInUse(_) => {
            // The details of Okta's refusal go to the log (portal_error); the admin gets what
            // to do about it.
            let _ = portal_error(err, req, Flow::Admin);
            PortalError::new(
                ErrorCode::Forbidden,
                format!(
                    "{name} can't be turned off: a policy still uses it. Remove it from your authenticator enrollment and sign-in policies in the Okta Admin Console first, then turn it off here."
                ),
            )
            .with_correlation_id(req.request_id.clone())
        }
        other => portal_error(other, req, Flow::Admin),
    }
}

pub async fn set_active(
    svc: &AdminService,
    admin: &SignedInUser,
    req: &RequestInfo,
    id: &str,
    active: bool,
) -> Result<AuthenticatorsView, PortalError> {
    let action = if active {
        AdminAction::ActivateAuthenticator
    } else {
        AdminAction::DeactivateAuthenticator
    };
    let result = async {
        let current = svc
            .okta
            .get_authenticator(id)
            .await
            .map_err(|e| portal_error(e, req, Flow::Admin))?;
        // Offer only what Okta's links allow: a link missing means the action is not open.
        let allowed = if active {
            current.links.activate.is_some()
        } else {
            current.links.deactivate.is_some()
        };
        if !allowed {
            return Err(PortalError::new(
                ErrorCode::InvalidInput,
                format!(
                    "{} is already {}.",
                    current.name,
                    if active { "on" } else { "off" }
                ),
            ));
        }
        let changed = if active {
            svc.okta.activate_authenticator(id).await
        } else {
            svc.okta.deactivate_authenticator(id).await
        };
        changed.map_err(|e| refusal(e, &current.name, req))?;
        Ok(current.name)
    }
    .await;
    audit::record(
        admin,
        action,
        id,
        result.as_ref().ok().map(String::as_str),
        &result,
        req,
    );
    result?;
    view(svc, req).await
}
