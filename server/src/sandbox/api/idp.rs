//! Okta Verify's own enrollment call, `POST /idp/authenticators` with `Authorization: OTDT {t}`
//! (API-NOTES §2, community evidence): the app sends the one-time token `t` from the QR code or
//! activation link, with its device and the methods it sets up; the pending push factor becomes
//! ACTIVE with its TOTP (and FastPass in Identity Engine), and the answer carries the TOTP
//! method's `sharedSecret`. An unknown, used or expired `t` is 401 E0000011.
//!
//! Mounted outside `/api/v1` and not behind SSWS: the token is the credential.
//!
//! UNCONFIRMED: Okta does not document this endpoint. The request fields read here
//! (`authenticatorId`, `key`, `device.displayName` / `clientInstanceDeviceModel` / `platform`,
//! `methods[].type`) and the answer's shape (`{id, authenticatorId, key, type, status, device,
//! methods[{id, type, status, sharedSecret?}]}`) follow the community descriptions.

use super::{ok, Body, Json};
use crate::sandbox::clock::okta_time;
use crate::sandbox::error::{ApiError, ApiResult};
use crate::sandbox::model::{Kind, Pipeline};
use crate::sandbox::phone::{self, DeviceInfo};
use crate::sandbox::state::lock;
use crate::sandbox::Sandbox;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::post;
use axum::Router;
use serde::Deserialize;
use serde_json::{json, Value};

pub fn routes() -> Router<Sandbox> {
    Router::new().route("/idp/authenticators", post(enroll))
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceBody {
    display_name: Option<String>,
    client_instance_device_model: Option<String>,
    platform: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct MethodBody {
    #[serde(rename = "type")]
    method_type: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EnrollBody {
    authenticator_id: Option<String>,
    key: Option<String>,
    #[serde(default)]
    device: DeviceBody,
    #[serde(default)]
    methods: Vec<MethodBody>,
}

/// The `OTDT` token of the `Authorization` header.
fn otdt(headers: &HeaderMap) -> Option<String> {
    let value = headers.get("authorization")?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("OTDT")
        .then(|| token.trim().to_string())
        .filter(|t| !t.is_empty())
}

/// The wire method type of an Okta Verify factor.
fn method_type(kind: Kind) -> Option<&'static str> {
    match kind {
        Kind::Push => Some("push"),
        Kind::OktaTotp => Some("totp"),
        Kind::SignedNonce => Some("signed_nonce"),
        _ => None,
    }
}

/// `POST /idp/authenticators`.
pub async fn enroll(
    State(sb): State<Sandbox>,
    headers: HeaderMap,
    Body(body): Body<EnrollBody>,
) -> ApiResult<Json> {
    let org = sb.org();
    let token = otdt(&headers).ok_or_else(ApiError::invalid_token)?;
    if body.key.as_deref().is_some_and(|k| k != "okta_verify") {
        return Err(ApiError::validation(
            "key",
            "key: Only okta_verify enrolls here",
        ));
    }
    let verify = org.authenticator_by_key("okta_verify");
    let authenticator_id = verify.as_ref().map(|a| a.id.clone()).unwrap_or_default();
    // The QR's `f` is the authenticator id in Identity Engine (API-NOTES §2); Classic's `f` is
    // a factor id, so it is not checked there.
    if org.pipeline == Pipeline::IdentityEngine {
        if let Some(id) = body.authenticator_id.as_deref() {
            if id != authenticator_id {
                return Err(ApiError::validation(
                    "authenticatorId",
                    "authenticatorId: Not the Okta Verify authenticator",
                ));
            }
        }
    }
    let defaults = DeviceInfo::default();
    let device = DeviceInfo {
        name: body
            .device
            .display_name
            .clone()
            .or(body.device.client_instance_device_model.clone())
            .unwrap_or(defaults.name),
        platform: body
            .device
            .platform
            .clone()
            .map(|p| p.to_ascii_uppercase())
            .unwrap_or(defaults.platform),
    };
    let (user_id, push_id) = phone::activate_with_token(org, &token, &device)?;

    let cell = org
        .user_by_id(&user_id)
        .ok_or_else(|| ApiError::not_found(&user_id, "User"))?;
    let u = lock(&cell);
    let wanted: Vec<String> = body
        .methods
        .iter()
        .filter_map(|m| m.method_type.clone())
        .collect();
    let mut methods = vec![];
    let mut created = None;
    for f in u
        .factors
        .iter()
        .filter(|f| f.device.as_deref() == Some(push_id.as_str()))
    {
        let Some(kind) = method_type(f.kind) else {
            continue;
        };
        if f.kind == Kind::Push {
            created = Some(f.created);
        }
        if !wanted.is_empty() && !wanted.iter().any(|w| w == kind) {
            continue;
        }
        let mut m = json!({ "id": f.id, "type": kind, "status": "ACTIVE" });
        if f.kind == Kind::OktaTotp {
            m["sharedSecret"] = json!(f.secret);
        }
        methods.push(m);
    }
    let push = u.factor(&push_id);
    ok(json!({
        "id": push_id,
        "authenticatorId": authenticator_id,
        "key": "okta_verify",
        "type": "app",
        "status": "ACTIVE",
        "createdDate": created.map(okta_time),
        "device": {
            "displayName": device.name,
            "platform": push.and_then(|p| p.profile.platform.clone()),
            "status": "ACTIVE",
        },
        "user": { "id": u.id, "username": u.login() },
        "methods": Value::Array(methods),
    }))
}
