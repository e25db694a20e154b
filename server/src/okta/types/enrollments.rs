//! User authenticator enrollments (`/api/v1/users/{userId}/authenticator-enrollments`,
//! Identity Engine, LIMITED_GA): list, phone enrollment, temporary access codes (API-NOTES §3).

use super::authenticators::{AuthenticatorKey, AuthenticatorType, LifecycleStatus};
use super::links::Links;
use super::Secret;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// One enrollment. [SPEC] AuthenticatorEnrollment; API-NOTES §3.
///
/// The list endpoint returns an array of these (the spec's schema says object: spec bug; the
/// spec's own `AuthenticatorEnrollmentResponseListAll` example is an array).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthenticatorEnrollment {
    pub id: String,
    #[serde(rename = "type")]
    pub authenticator_type: AuthenticatorType,
    pub key: AuthenticatorKey,
    /// A plain string in the spec; the examples only show `ACTIVE`.
    pub status: LifecycleStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `null` when the user has not named it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nickname: Option<String>,
    /// Absent for `okta_password`.
    #[serde(default, skip_serializing_if = "EnrollmentProfile::is_empty")]
    pub profile: EnrollmentProfile,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_updated: Option<String>,
    /// `self` (GET, DELETE), `user` (GET), `authenticator` (GET).
    #[serde(rename = "_links", default, skip_serializing_if = "Links::is_empty")]
    pub links: Links,
}

/// An enrollment's `profile`: `phoneNumber` (masked `+1 XXX-XXX-6065` unless disclosed) or
/// `email`; anything else stays in `other`. [SPEC] AuthenticatorProfile.
///
/// A disclosed phone is a JSON number (`14085551235`, no `+`) in the spec's
/// `AuthenticatorEnrollmentResponsePhoneDisclosed` example; it is read as a string.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EnrollmentProfile {
    #[serde(
        default,
        deserialize_with = "super::opt_string_or_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub phone_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

impl EnrollmentProfile {
    pub fn is_empty(&self) -> bool {
        *self == EnrollmentProfile::default()
    }
}

/// Body of POST `…/authenticator-enrollments/phone` (both fields required). [SPEC]
/// AuthenticatorEnrollmentCreateRequest; API-NOTES §3.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatePhoneEnrollmentRequest {
    /// The `phone_number` authenticator's id (`aut…`).
    pub authenticator_id: String,
    pub profile: PhoneEnrollmentProfile,
}

impl CreatePhoneEnrollmentRequest {
    pub fn new(authenticator_id: impl Into<String>, phone_number: impl Into<String>) -> Self {
        CreatePhoneEnrollmentRequest {
            authenticator_id: authenticator_id.into(),
            profile: PhoneEnrollmentProfile {
                phone_number: phone_number.into(),
            },
        }
    }
}

/// `{phoneNumber}` (E.164) of a [`CreatePhoneEnrollmentRequest`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PhoneEnrollmentProfile {
    pub phone_number: String,
}

/// Body of POST `…/authenticator-enrollments/tac`. [SPEC]
/// AuthenticatorEnrollmentCreateRequestTac, AuthenticatorProfileTacRequest; API-NOTES §3.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateTacRequest {
    /// The `tac` authenticator's id (`aut…`).
    pub authenticator_id: String,
    /// Optional in the spec: the org's authenticator settings supply the defaults.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<TacRequestProfile>,
}

impl CreateTacRequest {
    /// A TAC valid for `ttl_minutes` (10–14400), usable once or many times. The TTL is sent
    /// as a string, the spec's type; see [`TacTtl`].
    pub fn new(authenticator_id: impl Into<String>, ttl_minutes: u32, multi_use: bool) -> Self {
        CreateTacRequest {
            authenticator_id: authenticator_id.into(),
            profile: Some(TacRequestProfile {
                ttl: Some(TacTtl::Text(ttl_minutes.to_string())),
                multi_use: Some(multi_use),
            }),
        }
    }
}

/// `profile` of a [`CreateTacRequest`]: both write-only, both optional.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TacRequestProfile {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl: Option<TacTtl>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multi_use: Option<bool>,
}

/// A TAC time-to-live in minutes. **CONFLICT**: the spec types `ttl` as a string, but its own
/// request example sends the number `11`. Both are accepted and each re-serializes as it came;
/// [`CreateTacRequest::new`] sends the string form. Which form real Okta prefers is
/// UNCONFIRMED (a Java backend would most likely coerce either).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum TacTtl {
    Minutes(u64),
    Text(String),
}

impl TacTtl {
    /// The TTL in minutes, if it is a number or a numeric string.
    pub fn minutes(&self) -> Option<u64> {
        match self {
            TacTtl::Minutes(m) => Some(*m),
            TacTtl::Text(s) => s.trim().parse().ok(),
        }
    }
}

/// The response of POST `…/authenticator-enrollments/tac`. [SPEC] TacAuthenticatorEnrollment;
/// API-NOTES §3. The code itself is in `profile.tac`, only in this response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TacEnrollment {
    pub id: String,
    #[serde(rename = "type")]
    pub authenticator_type: AuthenticatorType,
    pub key: AuthenticatorKey,
    pub status: LifecycleStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nickname: Option<String>,
    #[serde(default)]
    pub profile: TacEnrollmentProfile,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_updated: Option<String>,
    #[serde(rename = "_links", default, skip_serializing_if = "Links::is_empty")]
    pub links: Links,
}

impl TacEnrollment {
    /// The temporary access code, to show once to the person it is for.
    pub fn tac(&self) -> Option<&str> {
        self.profile.tac.as_ref().map(Secret::expose)
    }
}

/// `profile` of a [`TacEnrollment`]. [SPEC] AuthenticatorProfileTacResponsePost.
///
/// `expiresAt` has no time zone in the spec example (`2025-05-28T19:21:14`) although the spec
/// says UTC; it stays a string.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TacEnrollmentProfile {
    /// Only present in the create response.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tac: Option<Secret>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multi_use: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tac_ttl_accepts_number_and_string() {
        let n: TacRequestProfile = serde_json::from_str(r#"{"ttl":11,"multiUse":false}"#).unwrap();
        assert_eq!(n.ttl.as_ref().and_then(TacTtl::minutes), Some(11));
        assert_eq!(serde_json::to_value(n).unwrap()["ttl"], 11);
        let s: TacRequestProfile = serde_json::from_str(r#"{"ttl":"60"}"#).unwrap();
        assert_eq!(s.ttl.as_ref().and_then(TacTtl::minutes), Some(60));
        assert_eq!(serde_json::to_value(s).unwrap()["ttl"], "60");
    }

    #[test]
    fn the_constructor_sends_the_spec_types() {
        let req = CreateTacRequest::new("aut1", 30, true);
        let json = serde_json::to_value(req).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"authenticatorId":"aut1","profile":{"ttl":"30","multiUse":true}})
        );
    }
}
