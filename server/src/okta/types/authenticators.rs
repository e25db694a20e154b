//! Authenticators admin API (`/api/v1/authenticators`, Identity Engine): which authenticators
//! the org offers and their methods (API-NOTES §4).

use super::links::Links;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// [SPEC] AuthenticatorKeyEnum, plus `custom_otp` (API-NOTES §4; not in the spec's enum).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthenticatorKey {
    CustomApp,
    CustomOtp,
    Duo,
    ExternalIdp,
    GoogleOtp,
    OktaEmail,
    OktaPassword,
    OktaVerify,
    OnpremMfa,
    PhoneNumber,
    SecurityKey,
    SecurityQuestion,
    SmartCardIdp,
    SymantecVip,
    Webauthn,
    YubikeyToken,
    Tac,
    #[serde(untagged)]
    Unknown(String),
}

/// [SPEC] AuthenticatorType; API-NOTES §4 (observed key → type).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthenticatorType {
    App,
    Email,
    Federated,
    Password,
    Phone,
    SecurityKey,
    SecurityQuestion,
    Tac,
    #[serde(untagged)]
    Unknown(String),
}

/// [SPEC] LifecycleStatus: the status of an authenticator, a method, or (as sent) an
/// enrollment.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum LifecycleStatus {
    Active,
    Inactive,
    #[serde(untagged)]
    Unknown(String),
}

/// [SPEC] AllowedForEnum: what an authenticator may be used for.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AllowedFor {
    /// Sign-in and recovery.
    #[serde(rename = "any")]
    Any,
    /// Neither (wire value `none`).
    #[serde(rename = "none")]
    Nothing,
    #[serde(rename = "recovery")]
    Recovery,
    #[serde(rename = "sso")]
    Sso,
    #[serde(untagged)]
    Unknown(String),
}

/// [SPEC] AuthenticatorMethodType; API-NOTES §4.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthenticatorMethodType {
    Cert,
    Duo,
    Email,
    Idp,
    Otp,
    Password,
    Push,
    SecurityQuestion,
    SignedNonce,
    Sms,
    Tac,
    Totp,
    Voice,
    Webauthn,
    #[serde(untagged)]
    Unknown(String),
}

/// An authenticator. [SPEC] AuthenticatorBase and its `key` subtypes; API-NOTES §4.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Authenticator {
    pub id: String,
    pub key: AuthenticatorKey,
    #[serde(rename = "type")]
    pub authenticator_type: AuthenticatorType,
    #[serde(default)]
    pub name: String,
    /// webauthn (Passkeys) only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub status: LifecycleStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_updated: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settings: Option<AuthenticatorSettings>,
    /// `{type, configuration}` for duo, tac and custom_otp.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<Value>,
    /// `self` (GET, PUT), `methods` (GET), `activate` or `deactivate` (POST), and `aaguids`
    /// for webauthn.
    #[serde(rename = "_links", default, skip_serializing_if = "Links::is_empty")]
    pub links: Links,
}

impl Authenticator {
    pub fn is_active(&self) -> bool {
        self.status == LifecycleStatus::Active
    }

    /// `settings.allowedFor`, if set.
    pub fn allowed_for(&self) -> Option<&AllowedFor> {
        self.settings.as_ref()?.allowed_for.as_ref()
    }
}

/// An authenticator's `settings`. [SPEC] AuthenticatorKeyEmail, AuthenticatorKeyPhone,
/// AuthenticatorKeyOktaVerify…; the per-key fields Keyport does not read stay in `other`
/// (e.g. okta_verify's `channelBinding`, `compliance`, `userVerification`, `appInstanceId`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthenticatorSettings {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_for: Option<AllowedFor>,
    /// okta_email: lifetime of emailed codes and links (default 5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_lifetime_in_minutes: Option<u32>,
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// One method of an authenticator (phone: `sms`, `voice`; webauthn: `webauthn`…).
/// [SPEC] AuthenticatorMethodBase and subtypes; API-NOTES §4.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthenticatorMethod {
    #[serde(rename = "type")]
    pub method_type: AuthenticatorMethodType,
    pub status: LifecycleStatus,
    /// Per-method settings, e.g. webauthn `{userVerification, attachment}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settings: Option<Value>,
    /// `self` (GET, PUT) and `activate` or `deactivate` (POST).
    #[serde(rename = "_links", default, skip_serializing_if = "Links::is_empty")]
    pub links: Links,
}

impl AuthenticatorMethod {
    pub fn is_active(&self) -> bool {
        self.status == LifecycleStatus::Active
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_types_use_snake_case() {
        let k: AuthenticatorKey = serde_json::from_str("\"onprem_mfa\"").unwrap();
        assert_eq!(k, AuthenticatorKey::OnpremMfa);
        let k: AuthenticatorKey = serde_json::from_str("\"smart_card_idp\"").unwrap();
        assert_eq!(k, AuthenticatorKey::SmartCardIdp);
        let k: AuthenticatorKey = serde_json::from_str("\"okta_fastpass\"").unwrap();
        assert_eq!(k, AuthenticatorKey::Unknown("okta_fastpass".into()));
        let t: AuthenticatorType = serde_json::from_str("\"security_key\"").unwrap();
        assert_eq!(t, AuthenticatorType::SecurityKey);
        let a: AllowedFor = serde_json::from_str("\"none\"").unwrap();
        assert_eq!(a, AllowedFor::Nothing);
        assert_eq!(serde_json::to_string(&a).unwrap(), "\"none\"");
        let m: AuthenticatorMethodType = serde_json::from_str("\"signed_nonce\"").unwrap();
        assert_eq!(m, AuthenticatorMethodType::SignedNonce);
    }
}
