//! Users API bits Keyport needs (profile, password change, groups) and System Log events
//! (API-NOTES §6).

use super::links::Links;
use super::Secret;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// [SPEC] UserStatus; API-NOTES §6.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum UserStatus {
    Active,
    Deprovisioned,
    LockedOut,
    PasswordExpired,
    Provisioned,
    Recovery,
    Staged,
    Suspended,
    #[serde(untagged)]
    Unknown(String),
}

/// A user. [SPEC] User; API-NOTES §6.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub id: String,
    pub status: UserStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activated: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_changed: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_login: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_updated: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_changed: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transitioning_to_status: Option<UserStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub realm_id: Option<String>,
    /// `{id}` of the user type.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub user_type: Option<Value>,
    pub profile: UserProfile,
    /// Left out with `okta-response=omitCredentials`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credentials: Option<UserCredentials>,
    #[serde(rename = "_links", default, skip_serializing_if = "Links::is_empty")]
    pub links: Links,
    #[serde(rename = "_embedded", default, skip_serializing_if = "Option::is_none")]
    pub embedded: Option<Value>,
}

/// A user's `profile`: the base attributes Keyport shows, every other attribute (custom ones
/// included) kept in `other`. [SPEC] UserProfile. Okta sends unset attributes as `null`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserProfile {
    pub login: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mobile_phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub second_email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// A user's `credentials`, and the response of the change-password call. [SPEC]
/// UserCredentials. Note the snake_case `recovery_question` on the wire.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserCredentials {
    /// Always `{}` in responses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recovery_question: Option<RecoveryQuestion>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<AuthenticationProvider>,
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// The response of POST `/api/v1/users/{userId}/credentials/change_password`:
/// `{password:{}, recovery_question:{question}, provider:{type,name}}`. API-NOTES §6.
pub type ChangePasswordResponse = UserCredentials;

/// `recovery_question` of [`UserCredentials`]: the question only (the answer is write-only).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecoveryQuestion {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub question: Option<String>,
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// `provider` of [`UserCredentials`]: `{type:"OKTA", name:"OKTA"}`. [SPEC]
/// AuthenticationProvider.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthenticationProvider {
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub provider_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// Body of a partial profile update, POST `/api/v1/users/{id}`: only the changed attributes.
/// API-NOTES §6.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdateUserRequest {
    pub profile: Map<String, Value>,
}

impl UpdateUserRequest {
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets one profile attribute (e.g. `"mobilePhone"`); `Value::Null` clears it.
    pub fn set(mut self, attribute: impl Into<String>, value: impl Into<Value>) -> Self {
        self.profile.insert(attribute.into(), value.into());
        self
    }
}

/// Body of POST `/api/v1/users/{userId}/credentials/change_password`. [SPEC]
/// ChangePasswordRequest; API-NOTES §6.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChangePasswordRequest {
    pub old_password: PasswordValue,
    pub new_password: PasswordValue,
    /// Default false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoke_sessions: Option<bool>,
}

impl ChangePasswordRequest {
    pub fn new(
        old_password: impl Into<Secret>,
        new_password: impl Into<Secret>,
        revoke_sessions: bool,
    ) -> Self {
        ChangePasswordRequest {
            old_password: PasswordValue {
                value: old_password.into(),
            },
            new_password: PasswordValue {
                value: new_password.into(),
            },
            revoke_sessions: Some(revoke_sessions),
        }
    }
}

/// `{value}`: [SPEC] PasswordCredential.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordValue {
    pub value: Secret,
}

/// A group. [SPEC] Group.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Group {
    pub id: String,
    pub profile: GroupProfile,
    /// `OKTA_GROUP`, `APP_GROUP` or `BUILT_IN`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub group_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_updated: Option<String>,
    #[serde(rename = "_links", default, skip_serializing_if = "Links::is_empty")]
    pub links: Links,
}

/// [SPEC] GroupProfile (OktaUserGroupProfile).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupProfile {
    #[serde(default)]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// [SPEC] LogSeverity.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum LogSeverity {
    Debug,
    Error,
    Info,
    Warn,
    #[serde(untagged)]
    Unknown(String),
}

/// A System Log event. [SPEC] LogEvent. The nested contexts Keyport does not read are kept
/// as JSON.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogEvent {
    pub uuid: String,
    pub published: String,
    pub event_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<LogSeverity>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legacy_event_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<LogOutcome>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<LogActor>,
    /// `null` or absent when the event has no target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<Vec<LogTarget>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentication_context: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_context: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub debug_context: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction: Option<Value>,
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// [SPEC] LogOutcome: `result` (`SUCCESS`, `FAILURE`, `DENY`…) and `reason`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogOutcome {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// [SPEC] LogActor.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogActor {
    #[serde(default)]
    pub id: String,
    #[serde(rename = "type", default)]
    pub actor_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alternate_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail_entry: Option<Value>,
}

/// [SPEC] LogTarget.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogTarget {
    #[serde(default)]
    pub id: String,
    #[serde(rename = "type", default)]
    pub target_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alternate_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail_entry: Option<Value>,
    /// e.g. `changeDetails`.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_log_event_with_nulls_parses() {
        let e: LogEvent = serde_json::from_str(
            r#"{"uuid":"u1","published":"2024-01-01T00:00:00.000Z",
                "eventType":"user.mfa.factor.activate","severity":"INFO",
                "displayMessage":"Activate factor","outcome":{"result":"SUCCESS","reason":null},
                "actor":{"id":"00u1","type":"User","alternateId":"a@example.com",
                         "displayName":"A","detailEntry":null},
                "target":null,"client":{"ipAddress":"203.0.113.1"},"tenant":"x"}"#,
        )
        .unwrap();
        assert_eq!(e.severity, Some(LogSeverity::Info));
        assert_eq!(e.outcome.unwrap().result.as_deref(), Some("SUCCESS"));
        assert_eq!(e.actor.unwrap().actor_type, "User");
        assert!(e.target.is_none());
        assert!(e.other.contains_key("tenant"));
    }
}
