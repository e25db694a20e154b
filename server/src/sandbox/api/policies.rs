//! Password policies (`GET /api/v1/policies?type=PASSWORD`, [SPEC] listPolicies, PasswordPolicy):
//! the rules Keyport shows as a live checklist before a password change. The sandbox org has
//! one, Okta's "Default Policy", for Everyone; it is the policy the Users and Authn APIs enforce
//! (`passwords::POLICY`).

use super::{ok, Base, Json};
use crate::sandbox::clock::okta_time;
use crate::sandbox::error::{ApiError, ApiResult};
use crate::sandbox::passwords::POLICY;
use crate::sandbox::render::link;
use crate::sandbox::seed::EVERYONE_GROUP_ID;
use crate::sandbox::state::read;
use crate::sandbox::Sandbox;
use axum::extract::{Query, State};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use serde_json::{json, Value};

/// The default password policy's id.
pub const DEFAULT_PASSWORD_POLICY_ID: &str = "00p1password0default";

/// Okta's policy types ([SPEC] PolicyType).
const POLICY_TYPES: &[&str] = &[
    "ACCESS_POLICY",
    "ENTITY_RISK",
    "IDP_DISCOVERY",
    "MFA_ENROLL",
    "OKTA_SIGN_ON",
    "PASSWORD",
    "POST_AUTH_SESSION",
    "PROFILE_ENROLLMENT",
];

pub fn routes() -> Router<Sandbox> {
    Router::new().route("/policies", get(list_policies))
}

#[derive(Deserialize)]
struct PolicyQuery {
    #[serde(rename = "type")]
    policy_type: Option<String>,
    status: Option<String>,
}

/// `GET /policies?type=…` ([SPEC] listPolicies: `type` is required). Only the password policy is
/// modelled; the other types answer an empty list, as an org without such policies would.
async fn list_policies(
    State(sb): State<Sandbox>,
    Base(base): Base,
    Query(q): Query<PolicyQuery>,
) -> ApiResult<Json> {
    let Some(policy_type) = q.policy_type else {
        return Err(ApiError::validation(
            "type",
            "type: The field cannot be left blank",
        ));
    };
    if !POLICY_TYPES.contains(&policy_type.as_str()) {
        return Err(ApiError::validation(
            "type",
            format!("type: '{policy_type}' is not a valid policy type"),
        ));
    }
    let wanted_status = q.status.as_deref().unwrap_or("ACTIVE");
    if policy_type != "PASSWORD" || wanted_status != "ACTIVE" {
        return ok(json!([]));
    }
    let created = read(&sb.org().groups)
        .iter()
        .find(|g| g.id == EVERYONE_GROUP_ID)
        .map(|g| okta_time(g.created))
        .unwrap_or_default();
    ok(json!([password_policy(&base, &created)]))
}

fn password_policy(base: &str, created: &str) -> Value {
    let href = format!("{base}/api/v1/policies/{DEFAULT_PASSWORD_POLICY_ID}");
    let mut password = POLICY.complexity_json();
    password["complexity"]["dictionary"] = json!({ "common": { "exclude": false } });
    password["age"]["maxAgeDays"] = json!(0);
    password["age"]["expireWarnDays"] = json!(0);
    password["lockout"] = json!({
        "maxAttempts": super::authn::LOCKOUT_THRESHOLD,
        "autoUnlockMinutes": 0,
        "showLockoutFailures": true,
        "userLockoutNotificationChannels": [],
    });
    json!({
        "id": DEFAULT_PASSWORD_POLICY_ID,
        "status": "ACTIVE",
        "name": "Default Policy",
        "description": "The default policy applies in all situations if no other policy applies.",
        "priority": 1,
        "system": true,
        "type": "PASSWORD",
        "conditions": {
            "people": { "groups": { "include": [EVERYONE_GROUP_ID] } },
            "authProvider": { "provider": "OKTA" },
        },
        "settings": {
            "password": password,
            "recovery": { "factors": { "recovery_question": { "status": "ACTIVE", "properties": { "complexity": { "minLength": 4 } } }, "okta_email": { "status": "ACTIVE", "properties": { "recoveryToken": { "tokenLifetimeMinutes": 60 } } }, "okta_sms": { "status": "INACTIVE" }, "okta_call": { "status": "INACTIVE" } } },
            "delegation": { "options": { "skipUnlock": false } },
        },
        "created": created,
        "lastUpdated": created,
        "_links": {
            "self": link(href.clone(), &["GET", "PUT", "DELETE"]),
            "rules": link(format!("{href}/rules"), &["GET", "POST"]),
        },
    })
}
