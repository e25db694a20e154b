//! The Authenticators admin API (`/api/v1/authenticators`, Identity Engine; API-NOTES §4):
//! list and read the org's authenticators and their methods, activate and deactivate them.
//!
//! Deactivating an authenticator takes it out of the Factors API at once: the catalog stops
//! offering its factor types and enrolling them fails (`Org::kind_enabled` reads `active`).
//! It is refused with 403 E0000148 while a policy uses it ([ERR]), and always for the password.
//!
//! A Classic Engine org has no such API: every path answers 401 E0000015 "You do not have
//! permission to access the feature you are requesting" ([ERR] "Feature not enabled
//! exception"). UNCONFIRMED: which error a Classic org returns here is not documented; this is
//! Okta's code for an API behind a feature the org lacks (the spec marks these operations
//! LIMITED_GA, SKU "Okta Identity Engine").

use super::{ok, Base, Client, Json};
use crate::sandbox::error::{ApiError, ApiResult};
use crate::sandbox::events;
use crate::sandbox::model::{Authenticator, LogTarget, Pipeline};
use crate::sandbox::render;
use crate::sandbox::state::{read, write, Org};
use crate::sandbox::Sandbox;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;
use serde_json::Value;

pub fn routes() -> Router<Sandbox> {
    Router::new()
        .route("/authenticators", get(list))
        .route("/authenticators/{authenticator_id}", get(get_one))
        .route(
            "/authenticators/{authenticator_id}/lifecycle/activate",
            post(activate),
        )
        .route(
            "/authenticators/{authenticator_id}/lifecycle/deactivate",
            post(deactivate),
        )
        .route("/authenticators/{authenticator_id}/methods", get(methods))
        .route(
            "/authenticators/{authenticator_id}/methods/{method_type}",
            get(method),
        )
}

/// 401 E0000015: the org does not have the feature behind this API (Classic Engine orgs and
/// the Identity Engine APIs: authenticators, authenticator enrollments).
pub fn feature_not_enabled() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "E0000015",
        "You do not have permission to access the feature you are requesting",
    )
}

/// Refuses Identity Engine APIs in a Classic Engine org.
pub fn require_identity_engine(org: &Org) -> ApiResult<()> {
    if org.pipeline == Pipeline::IdentityEngine {
        Ok(())
    } else {
        Err(feature_not_enabled())
    }
}

fn find(org: &Org, id: &str) -> ApiResult<Authenticator> {
    read(&org.authenticators)
        .iter()
        .find(|a| a.id == id)
        .cloned()
        .ok_or_else(|| ApiError::not_found(id, "Authenticator"))
}

/// `GET /authenticators`, ordered by key as in authenticators-list.json.
pub async fn list(State(sb): State<Sandbox>, Base(base): Base) -> ApiResult<Json> {
    let org = sb.org();
    require_identity_engine(org)?;
    let mut all = read(&org.authenticators).clone();
    all.sort_by_key(|a| a.key);
    ok(Value::Array(
        all.iter()
            .map(|a| render::authenticator(&base, a))
            .collect(),
    ))
}

/// `GET /authenticators/{authenticatorId}`.
pub async fn get_one(
    State(sb): State<Sandbox>,
    Base(base): Base,
    Path(id): Path<String>,
) -> ApiResult<Json> {
    let org = sb.org();
    require_identity_engine(org)?;
    ok(render::authenticator(&base, &find(org, &id)?))
}

fn log_lifecycle(org: &Org, client: &Client, a: &Authenticator, active: bool) {
    let (event, message) = if active {
        (
            "security.authenticator.lifecycle.activate",
            "Activate authenticator",
        )
    } else {
        (
            "security.authenticator.lifecycle.deactivate",
            "Deactivate authenticator",
        )
    };
    events::record_org(
        org,
        &client.origin(true),
        LogTarget {
            id: a.id.clone(),
            kind: "Authenticator",
            alternate_id: a.key.to_string(),
            display_name: a.name.to_string(),
        },
        event,
        message,
    );
}

/// Sets the authenticator's status; a change is logged, the same status is a no-op.
fn set_active(org: &Org, client: &Client, id: &str, active: bool) -> ApiResult<Authenticator> {
    let changed = {
        let mut all = write(&org.authenticators);
        let a = all
            .iter_mut()
            .find(|a| a.id == id)
            .ok_or_else(|| ApiError::not_found(id, "Authenticator"))?;
        if a.active == active {
            None
        } else {
            a.active = active;
            a.last_updated = org.now();
            Some(a.clone())
        }
    };
    match changed {
        Some(a) => {
            log_lifecycle(org, client, &a, active);
            Ok(a)
        }
        None => find(org, id),
    }
}

/// `POST …/lifecycle/activate`: 200 with the authenticator (already active: the same, 200).
pub async fn activate(
    State(sb): State<Sandbox>,
    Base(base): Base,
    client: Client,
    Path(id): Path<String>,
) -> ApiResult<Json> {
    let org = sb.org();
    require_identity_engine(org)?;
    let a = set_active(org, &client, &id, true)?;
    ok(render::authenticator(&base, &a))
}

/// E0000148 ([ERR]: "Cannot modify/disable this authenticator because it is enabled in one or
/// more policies. {0}"). UNCONFIRMED: what Okta puts in `{0}`; the sandbox names the policies.
fn used_by_policies(names: &[String]) -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        "E0000148",
        format!(
            "Cannot modify/disable this authenticator because it is enabled in one or more policies. Policies: {}.",
            names.join(", ")
        ),
    )
}

/// `POST …/lifecycle/deactivate` ([SPEC] deactivateAuthenticator; authenticators-deactivate-
/// webauthn.json): 200 with the INACTIVE authenticator. Refused with 403 E0000148 while a
/// policy uses it; the password can never be deactivated (also E0000148, UNCONFIRMED: in Okta
/// every sign-on setup uses the password, so this is the error a real org would give).
pub async fn deactivate(
    State(sb): State<Sandbox>,
    Base(base): Base,
    client: Client,
    Path(id): Path<String>,
) -> ApiResult<Json> {
    let org = sb.org();
    require_identity_engine(org)?;
    let target = find(org, &id)?;
    if target.active {
        if target.key == "okta_password" {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "E0000148",
                "Cannot modify/disable this authenticator because it is enabled in one or more policies. The password authenticator cannot be deactivated.",
            ));
        }
        let policies: Vec<String> = read(&org.policies)
            .iter()
            .filter(|p| p.authenticator_keys.contains(&target.key))
            .map(|p| p.name.clone())
            .collect();
        if !policies.is_empty() {
            return Err(used_by_policies(&policies));
        }
    }
    let a = set_active(org, &client, &id, false)?;
    ok(render::authenticator(&base, &a))
}

/// `GET …/methods` (authenticators-methods-phone.json).
pub async fn methods(
    State(sb): State<Sandbox>,
    Base(base): Base,
    Path(id): Path<String>,
) -> ApiResult<Json> {
    let org = sb.org();
    require_identity_engine(org)?;
    let a = find(org, &id)?;
    ok(Value::Array(
        a.methods
            .iter()
            .map(|(m, active)| render::authenticator_method(&base, &a, m, *active))
            .collect(),
    ))
}

/// `GET …/methods/{methodType}` (authenticators-method-webauthn.json).
pub async fn method(
    State(sb): State<Sandbox>,
    Base(base): Base,
    Path((id, method_type)): Path<(String, String)>,
) -> ApiResult<Json> {
    let org = sb.org();
    require_identity_engine(org)?;
    let a = find(org, &id)?;
    let (m, active) = a
        .methods
        .iter()
        .find(|(m, _)| *m == method_type)
        .ok_or_else(|| ApiError::not_found(&method_type, "AuthenticatorMethod"))?;
    ok(render::authenticator_method(&base, &a, m, *active))
}
