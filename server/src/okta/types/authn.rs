//! Classic Engine Authn API (`/api/v1/authn`): the primary-authentication state machine that
//! Keyport drives on `v1` orgs (API-NOTES §5).

use super::factors::{
    Activation, FactorEmbedded, FactorEnrollment, FactorProfile, FactorProvider, FactorResult,
    FactorStatus, FactorType,
};
use super::links::{one_or_many, Link, Links};
use super::Secret;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// Transaction states. [ADOC] Transaction state; API-NOTES §5.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AuthnStatus {
    Success,
    MfaRequired,
    MfaChallenge,
    MfaEnroll,
    MfaEnrollActivate,
    PasswordExpired,
    PasswordWarn,
    LockedOut,
    PasswordReset,
    Recovery,
    RecoveryChallenge,
    Unauthenticated,
    #[serde(untagged)]
    Unknown(String),
}

/// Body of POST `/api/v1/authn` with a username and password. [ADOC]; API-NOTES §5.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthnRequest {
    pub username: String,
    pub password: Secret,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<AuthnOptions>,
    /// Only honoured for trusted apps (SSWS).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<AuthnContext>,
}

impl AuthnRequest {
    pub fn new(username: impl Into<String>, password: impl Into<Secret>) -> Self {
        AuthnRequest {
            username: username.into(),
            password: password.into(),
            options: None,
            context: None,
        }
    }
}

/// `options` of an [`AuthnRequest`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthnOptions {
    #[serde(default)]
    pub multi_optional_factor_enroll: bool,
    #[serde(default)]
    pub warn_before_password_expired: bool,
}

/// `context` of an [`AuthnRequest`]: `deviceToken` (at most 32 characters).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthnContext {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_token: Option<String>,
}

/// The transaction object every Authn call returns. [ADOC] Transaction model; API-NOTES §5.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthnTransaction {
    /// Absent on SUCCESS and LOCKED_OUT.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_token: Option<Secret>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    pub status: AuthnStatus,
    /// Push polling: `WAITING`, `TIMEOUT`, `REJECTED`…
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub factor_result: Option<FactorResult>,
    /// SUCCESS only; one-time, valid 5 minutes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_token: Option<Secret>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relay_state: Option<String>,
    #[serde(rename = "_embedded", default, skip_serializing_if = "Option::is_none")]
    pub embedded: Option<AuthnEmbedded>,
    /// `next` (named `poll`, `activate`, `changePassword`, `unlock`…), `prev`, `cancel`,
    /// `skip`, `resend[]`.
    #[serde(rename = "_links", default, skip_serializing_if = "Links::is_empty")]
    pub links: Links,
    /// Fields of states Keyport does not drive (e.g. `recoveryType`, `factorType`).
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// What the answer to a primary authentication (username and password) says about the
/// password. Okta answers `200` whether or not it accepted it: a locked-out account gets
/// `LOCKED_OUT` when the org shows lockout failures (authn-primary-locked-out.json), so the
/// status must be read, never the HTTP status alone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PrimaryOutcome {
    /// The password was right: signed in, or the next step of a signed-in path (a factor to
    /// verify or enroll, a password that has expired or is about to).
    PasswordAccepted,
    /// The account is locked: whatever was typed, it proves nothing.
    LockedOut,
    /// Any other state (a recovery, an unauthenticated IdP discovery, a state Keyport does not
    /// know): not a proof of the password.
    Refused,
}

impl AuthnTransaction {
    /// Reads a primary authentication's answer (API-NOTES §5). Only the states that follow an
    /// accepted password count as one.
    pub fn primary_outcome(&self) -> PrimaryOutcome {
        match self.status {
            AuthnStatus::Success
            | AuthnStatus::MfaRequired
            | AuthnStatus::MfaEnroll
            | AuthnStatus::PasswordExpired
            | AuthnStatus::PasswordWarn => PrimaryOutcome::PasswordAccepted,
            AuthnStatus::LockedOut => PrimaryOutcome::LockedOut,
            _ => PrimaryOutcome::Refused,
        }
    }

    /// Every embedded factor, from `_embedded.factors` and `_embedded.factor` (object or
    /// array); see [`AuthnEmbedded::factors`].
    pub fn factors(&self) -> Vec<&AuthnFactor> {
        self.embedded
            .as_ref()
            .map(AuthnEmbedded::factors)
            .unwrap_or_default()
    }

    /// The user of the transaction, if embedded.
    pub fn user(&self) -> Option<&AuthnUser> {
        self.embedded.as_ref()?.user.as_ref()
    }
}

/// `_embedded` of a transaction. API-NOTES §5.
///
/// **CONFLICT**: MFA_REQUIRED and MFA_ENROLL use `factors` (array); MFA_CHALLENGE and
/// MFA_ENROLL_ACTIVATE use `factor` (object) [AJS], but the docs show `"factor": [ … ]` since
/// 2025. Both fields accept an object or an array; read them through [`AuthnEmbedded::factors`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthnEmbedded {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<AuthnUser>,
    #[serde(
        default,
        deserialize_with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub factors: Vec<AuthnFactor>,
    #[serde(
        default,
        deserialize_with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub factor: Vec<AuthnFactor>,
    /// Password complexity (PASSWORD_EXPIRED/WARN) or factor enrollment policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<Value>,
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

impl AuthnEmbedded {
    /// `factors` followed by `factor`, whatever shape each came in.
    pub fn factors(&self) -> Vec<&AuthnFactor> {
        self.factors.iter().chain(self.factor.iter()).collect()
    }
}

/// `_embedded.user` of a transaction.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthnUser {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_changed: Option<String>,
    pub profile: AuthnUserProfile,
}

/// `_embedded.user.profile`: `{login, firstName, lastName, locale, timeZone}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthnUserProfile {
    pub login: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// A factor embedded in a transaction. Like [`super::UserFactor`], but MFA_ENROLL entries have
/// no `id` and carry `status: NOT_SETUP` and `enrollment`, MFA_REQUIRED entries have no
/// `status`, and enroll-activate entries have an empty `profile` (authn-*.json examples).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthnFactor {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub factor_type: FactorType,
    pub provider: FactorProvider,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<FactorStatus>,
    /// MFA_ENROLL: `OPTIONAL` or `REQUIRED`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enrollment: Option<FactorEnrollment>,
    #[serde(default)]
    pub profile: FactorProfile,
    /// `verify` (MFA_REQUIRED) or `enroll` (MFA_ENROLL).
    #[serde(rename = "_links", default, skip_serializing_if = "Links::is_empty")]
    pub links: Links,
    /// MFA_ENROLL_ACTIVATE: `activation` (push: `_links.{qrcode, send[]}`; TOTP: the secret).
    #[serde(rename = "_embedded", default, skip_serializing_if = "Option::is_none")]
    pub embedded: Option<FactorEmbedded>,
}

impl AuthnFactor {
    pub fn activation(&self) -> Option<&Activation> {
        self.embedded.as_ref()?.activation.as_ref()
    }

    /// The QR code link while activating push or TOTP, wherever Okta put it.
    pub fn qrcode(&self) -> Option<&Link> {
        self.embedded
            .as_ref()
            .and_then(FactorEmbedded::qrcode)
            .or(self.links.qrcode.as_ref())
    }

    pub fn qrcode_href(&self) -> Option<&str> {
        self.qrcode().map(|l| l.href.as_str())
    }

    /// The TOTP shared secret while activating TOTP.
    pub fn shared_secret(&self) -> Option<&str> {
        self.activation()?
            .shared_secret
            .as_ref()
            .map(Secret::expose)
    }
}

/// Body of POST `/api/v1/authn/factors/{fid}/verify` and `…/lifecycle/activate`:
/// `{stateToken, passCode | answer}`; with only `stateToken` it polls push. API-NOTES §5.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthnVerifyRequest {
    pub state_token: Secret,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pass_code: Option<Secret>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<Secret>,
    /// WebAuthn assertion: base64 `clientDataJSON`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_data: Option<String>,
    /// WebAuthn assertion: base64 authenticator data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authenticator_data: Option<String>,
    /// WebAuthn assertion: base64 signature.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature_data: Option<String>,
}

impl AuthnVerifyRequest {
    /// Just the state token: starts a challenge (SMS, call, email, push, WebAuthn) or polls a
    /// waiting push.
    pub fn state_only(state_token: impl Into<Secret>) -> Self {
        AuthnVerifyRequest {
            state_token: state_token.into(),
            pass_code: None,
            answer: None,
            client_data: None,
            authenticator_data: None,
            signature_data: None,
        }
    }

    pub fn pass_code(state_token: impl Into<Secret>, pass_code: impl Into<Secret>) -> Self {
        AuthnVerifyRequest {
            pass_code: Some(pass_code.into()),
            ..Self::state_only(state_token)
        }
    }

    pub fn answer(state_token: impl Into<Secret>, answer: impl Into<Secret>) -> Self {
        AuthnVerifyRequest {
            answer: Some(answer.into()),
            ..Self::state_only(state_token)
        }
    }

    /// A WebAuthn assertion (base64 fields, as Okta's clients send them).
    pub fn webauthn(
        state_token: impl Into<Secret>,
        client_data: impl Into<String>,
        authenticator_data: impl Into<String>,
        signature_data: impl Into<String>,
    ) -> Self {
        AuthnVerifyRequest {
            client_data: Some(client_data.into()),
            authenticator_data: Some(authenticator_data.into()),
            signature_data: Some(signature_data.into()),
            ..Self::state_only(state_token)
        }
    }
}

/// Body of POST `/api/v1/authn/factors` (MFA_ENROLL): `{stateToken, factorType, provider,
/// profile}`. API-NOTES §5.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthnEnrollFactorRequest {
    pub state_token: Secret,
    pub factor_type: FactorType,
    pub provider: FactorProvider,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<FactorProfile>,
}

/// Body of POST `/api/v1/authn/credentials/change_password`: plain strings, unlike the Users
/// API's `{value}` objects. API-NOTES §5.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthnChangePasswordRequest {
    pub state_token: Secret,
    pub old_password: Secret,
    pub new_password: Secret,
}

/// `{stateToken}`: the body of `/api/v1/authn` (resume), `/cancel`, `/previous`, `/skip`, push
/// polls and activation-link sends. API-NOTES §5.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StateTokenRequest {
    pub state_token: Secret,
}

impl StateTokenRequest {
    pub fn new(state_token: impl Into<Secret>) -> Self {
        StateTokenRequest {
            state_token: state_token.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Only the states that follow an accepted password count (issue 14, hole 1): a 200
    /// `LOCKED_OUT` (authn-primary-locked-out.json) proves nothing.
    #[test]
    fn only_states_after_an_accepted_password_count() {
        let tx = |status: &str| -> AuthnTransaction {
            serde_json::from_value(serde_json::json!({ "status": status })).unwrap()
        };
        for ok in [
            "SUCCESS",
            "MFA_REQUIRED",
            "MFA_ENROLL",
            "PASSWORD_EXPIRED",
            "PASSWORD_WARN",
        ] {
            assert_eq!(
                tx(ok).primary_outcome(),
                PrimaryOutcome::PasswordAccepted,
                "{ok}"
            );
        }
        assert_eq!(
            tx("LOCKED_OUT").primary_outcome(),
            PrimaryOutcome::LockedOut
        );
        for no in [
            "RECOVERY",
            "PASSWORD_RESET",
            "UNAUTHENTICATED",
            "SOMETHING_NEW",
        ] {
            assert_eq!(tx(no).primary_outcome(), PrimaryOutcome::Refused, "{no}");
        }
    }

    #[test]
    fn passwords_do_not_print() {
        let req = AuthnRequest::new("dade.murphy@example.com", "correct horse");
        let shown = format!("{req:?}");
        assert!(shown.contains("dade.murphy"));
        assert!(!shown.contains("correct horse"));
        let json = serde_json::to_value(req).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "username": "dade.murphy@example.com",
                "password": "correct horse"
            })
        );
    }

    #[test]
    fn change_password_uses_plain_strings() {
        let req = AuthnChangePasswordRequest {
            state_token: "00s1".into(),
            old_password: "old".into(),
            new_password: "new".into(),
        };
        assert_eq!(
            serde_json::to_value(req).unwrap(),
            serde_json::json!({"stateToken":"00s1","oldPassword":"old","newPassword":"new"})
        );
    }
}
