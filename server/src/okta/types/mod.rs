//! Typed Okta request and response bodies, one module per API area.
//!
//! Every type here follows the same rules, because Okta adds fields and enum values without
//! notice and Keyport must keep working when it does (API-NOTES §0):
//! - Unknown fields are never fatal (no `deny_unknown_fields`). Where Keyport might re-serialize
//!   a body (profiles, settings, links, activations) they are kept in a flattened `other` map.
//! - Every enum ends in `#[serde(untagged)] Unknown(String)`, so a new value parses and
//!   re-serializes as itself.
//! - Timestamps stay `String` (ISO-8601); parsing them is the caller's business.
//! - A field that some example lacks is `Option` or `#[serde(default)]`.
//! - Passwords, pass codes, answers, shared secrets and tokens are [`Secret`]s: they serialize
//!   as plain strings (Okta needs them) but never print.
//!
//! The tests in `server/tests/integration/okta_examples.rs` parse every example in
//! `shared/okta/examples/` into these types.

pub mod authenticators;
pub mod authn;
pub mod enrollments;
pub mod factors;
pub mod links;
pub mod policies;
pub mod users;

pub use authenticators::{
    AllowedFor, Authenticator, AuthenticatorKey, AuthenticatorMethod, AuthenticatorMethodType,
    AuthenticatorSettings, AuthenticatorType, LifecycleStatus,
};
pub use authn::{
    AuthnChangePasswordRequest, AuthnContext, AuthnEmbedded, AuthnEnrollFactorRequest, AuthnFactor,
    AuthnOptions, AuthnRequest, AuthnStatus, AuthnTransaction, AuthnUser, AuthnUserProfile,
    AuthnVerifyRequest, PrimaryOutcome, StateTokenRequest,
};
pub use enrollments::{
    AuthenticatorEnrollment, CreatePhoneEnrollmentRequest, CreateTacRequest, EnrollmentProfile,
    PhoneEnrollmentProfile, TacEnrollment, TacEnrollmentProfile, TacRequestProfile, TacTtl,
};
pub use factors::{
    ActivateFactorRequest, ActivateFactorResponse, Activation, AuthenticatorSelection,
    CredentialDescriptor, EnrollFactorQuery, EnrollFactorRequest, EnrollVerifyCodes, EnrolledPhone,
    EnrolledPhoneProfile, FactorChallenge, FactorEmbedded, FactorEnrollment, FactorProfile,
    FactorProvider, FactorResult, FactorStatus, FactorType, PubKeyCredParam, PushTransaction,
    RelyingParty, ResendFactorRequest, SecurityQuestion, SupportedFactor, SupportedFactorEmbedded,
    UserFactor, VerifyFactorRequest, VerifyFactorResponse, WebAuthnUser,
};
pub use links::{one_or_many, Link, LinkHints, Links};
pub use policies::{applicable_policy, PasswordComplexity, PasswordPolicy};
pub use users::{
    AuthenticationProvider, ChangePasswordRequest, ChangePasswordResponse, Group, GroupProfile,
    LogActor, LogEvent, LogOutcome, LogSeverity, LogTarget, PasswordValue, RecoveryQuestion,
    UpdateUserRequest, User, UserCredentials, UserProfile, UserStatus,
};

use serde::{Deserialize, Deserializer, Serialize};

/// `GET /.well-known/okta-organization` (API-NOTES §7). [SPEC] WellKnownOrgMetadata.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgMetadata {
    pub id: String,
    pub pipeline: OrgPipeline,
    /// `organization` (the `*.okta.com` URL) and, with a custom domain, `alternate`.
    #[serde(rename = "_links", default, skip_serializing_if = "Option::is_none")]
    pub links: Option<Links>,
}

/// `v1` is Classic Engine, `idx` Identity Engine; anything else is kept, not fatal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum OrgPipeline {
    #[serde(rename = "v1")]
    Classic,
    #[serde(rename = "idx")]
    IdentityEngine,
    #[serde(untagged)]
    Unknown(String),
}

/// A value that must never reach a log line: a password, pass code, security answer, shared
/// secret, temporary access code, state or session token.
///
/// It serializes as the plain string, because Okta (and the sandbox) need the value, but
/// `Debug` prints `***`. Only [`Secret::expose`] reveals it. It has no `Display`, so it cannot
/// be formatted into a message by accident.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The value itself. Call only to send it to Okta, compare it, or show it to its owner
    /// (a TOTP shared secret for manual entry, a freshly issued temporary access code).
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret(value.to_string())
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret(value)
    }
}

/// Reads an optional value that Okta usually sends as a string but sometimes as a JSON number,
/// keeping it as a string: a disclosed phone number is `14085551235` in the spec's
/// `AuthenticatorEnrollmentResponsePhoneDisclosed` example, a phone extension is `1234` in the
/// spec's `UserFactorCallProfile`. `null` and a missing field are `None`.
///
/// Use with `#[serde(default, deserialize_with = "...")]`.
pub(crate) fn opt_string_or_number<'de, D>(deserializer: D) -> Result<Option<String>, D::Error>
where
    D: Deserializer<'de>,
{
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Text(String),
        Number(serde_json::Number),
        Flag(bool),
    }
    Ok(match Option::<Raw>::deserialize(deserializer)? {
        None => None,
        Some(Raw::Text(s)) => Some(s),
        Some(Raw::Number(n)) => Some(n.to_string()),
        Some(Raw::Flag(b)) => Some(b.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    struct Holder {
        #[serde(default, deserialize_with = "opt_string_or_number")]
        value: Option<String>,
    }

    #[test]
    fn string_or_number_accepts_both_and_null() {
        let h: Holder = serde_json::from_str(r#"{"value":"+1 XXX-XXX-6065"}"#).unwrap();
        assert_eq!(h.value.as_deref(), Some("+1 XXX-XXX-6065"));
        let h: Holder = serde_json::from_str(r#"{"value":14085551235}"#).unwrap();
        assert_eq!(h.value.as_deref(), Some("14085551235"));
        let h: Holder = serde_json::from_str(r#"{"value":null}"#).unwrap();
        assert_eq!(h.value, None);
        let h: Holder = serde_json::from_str("{}").unwrap();
        assert_eq!(h.value, None);
    }

    #[test]
    fn secrets_never_print() {
        let s = Secret::new("hunter22");
        assert_eq!(format!("{s:?}"), "***");
        assert_eq!(format!("{:?}", Some(s.clone())), "Some(***)");
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"hunter22\"");
        assert_eq!(s.expose(), "hunter22");
    }

    #[test]
    fn unknown_pipeline_is_kept() {
        let m: OrgMetadata = serde_json::from_str(r#"{"id":"00o1","pipeline":"v2"}"#).unwrap();
        assert_eq!(m.pipeline, OrgPipeline::Unknown("v2".into()));
        assert!(m.links.is_none());
    }
}
