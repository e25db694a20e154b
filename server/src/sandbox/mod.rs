//! The Okta sandbox: an Okta-compatible org in a box.
//!
//! It speaks Okta's paths, bodies, status codes, error codes and rate limits so that Keyport's
//! client code runs unchanged against it or against a real org, with real TOTP and WebAuthn
//! checks, an outbox for codes, a virtual Okta Verify phone, fault injection and clock control.
//! It starts in-process when no `OKTA_ORG_URL` is configured, and alone with `keyport sandbox`.

pub mod api;
pub mod clock;
pub mod control;
pub mod error;
pub mod events;
pub mod ids;
pub mod model;
pub mod ops;
pub mod passwords;
pub mod phone;
pub mod render;
pub mod seed;
pub mod state;
pub mod totp;
pub mod traffic;
pub mod webauthn;

use crate::config::{SandboxConfig, SandboxPipeline};
use crate::okta::ApiToken;
use axum::extract::{Request, State};
use axum::http::HeaderMap;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use error::{ApiError, ApiResult};
use model::Pipeline;
use serde_json::json;
use state::{lock, Org};
use std::sync::Arc;

/// The sandbox's shared state: cheap to clone.
#[derive(Clone)]
pub struct Sandbox {
    inner: Arc<Inner>,
}

struct Inner {
    token: ApiToken,
    /// The sandbox's own base URL, as QR payloads name it (`s=`).
    base_url: String,
    org: Org,
    traffic: traffic::Traffic,
    phone: phone::Phone,
    /// Told whenever the control API changes the org behind Okta's API (`on_change`).
    watchers: std::sync::Mutex<Vec<ChangeWatcher>>,
}

/// Something to tell when the org changed other than through Okta's API; the change's answer
/// waits for it.
pub type ChangeWatcher =
    Box<dyn Fn() -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>> + Send + Sync>;

impl Sandbox {
    pub fn new(config: &SandboxConfig, base_url: &str) -> Self {
        let pipeline = match config.pipeline {
            SandboxPipeline::Classic => Pipeline::Classic,
            SandboxPipeline::IdentityEngine => Pipeline::IdentityEngine,
        };
        let now = time::OffsetDateTime::now_utc();
        let org = Org::new(
            "00o1sandbox0keyport7".to_string(),
            pipeline,
            config.webauthn_origins.clone(),
            seed::build(pipeline, now),
        );
        Sandbox {
            inner: Arc::new(Inner {
                token: config.token.clone(),
                base_url: base_url.trim_end_matches('/').to_string(),
                org,
                traffic: traffic::Traffic::default(),
                phone: phone::Phone::default(),
                watchers: std::sync::Mutex::default(),
            }),
        }
    }

    pub fn org(&self) -> &Org {
        &self.inner.org
    }

    pub fn traffic(&self) -> &traffic::Traffic {
        &self.inner.traffic
    }

    pub fn phone(&self) -> &phone::Phone {
        &self.inner.phone
    }

    /// An email from the org's side (Keyport's security notifications), into the outbox as the
    /// org's own emails go.
    pub fn deliver_email(&self, user_id: &str, to: &str, subject: &str, body: &str) {
        let org = self.org();
        org.send(model::OutboxMessage {
            id: ids::new_id("msg"),
            channel: "email",
            to: to.to_string(),
            code: None,
            link: None,
            expires_at: None,
            subject: subject.to_string(),
            body: body.to_string(),
            sent_at: clock::okta_time(org.now()),
            locale: None,
            user_id: Some(user_id.to_string()),
        });
    }

    /// Back to the seed: users, factors, outbox, faults, limits, request log, clock.
    pub fn reset(&self) {
        let org = self.org();
        org.load(seed::build(org.pipeline, time::OffsetDateTime::now_utc()));
        self.traffic().faults.clear();
        self.traffic().limits.reset();
        self.traffic().log.clear();
        lock(&self.phone().accounts).clear();
    }

    /// The QR payload for a pending factor's token (push activation token or TOTP QR token).
    pub fn qr_payload_for(&self, user_id: &str, factor_id: &str, token: &str) -> ApiResult<String> {
        let org = self.org();
        let cell = org
            .user_by_id(user_id)
            .ok_or_else(|| ApiError::not_found(user_id, "User"))?;
        let user = lock(&cell);
        let f = user
            .factor(factor_id)
            .ok_or_else(|| ApiError::not_found(factor_id, "UserFactor"))?;
        let pending = f
            .pending
            .as_ref()
            .ok_or_else(|| ApiError::not_found(token, "QR code"))?;
        let valid = match f.kind {
            model::Kind::Push => pending.activation_token.as_deref() == Some(token),
            model::Kind::OktaTotp | model::Kind::GoogleTotp => render::qr_token(&f.id) == token,
            _ => false,
        };
        if !valid {
            return Err(ApiError::not_found(token, "QR code"));
        }
        Ok(phone::qr_payload(org, &self.base_url(), &user, f, token))
    }

    /// Calls `watcher` after every change made through the control API (a test adding a factor
    /// directly, the console resetting the org). An in-process Keyport forgets what it
    /// remembered of Okta then, as it would after its own change; a real org has no such hook,
    /// and Keyport's freshness bounds how late it sees changes made elsewhere.
    pub fn on_change(&self, watcher: ChangeWatcher) {
        lock(&self.inner.watchers).push(watcher);
    }

    async fn changed(&self) {
        let told: Vec<_> = lock(&self.inner.watchers).iter().map(|w| w()).collect();
        for done in told {
            done.await;
        }
    }

    /// The sandbox's own base URL, as QR payloads name it (`s=`).
    pub fn base_url(&self) -> String {
        self.inner.base_url.clone()
    }

    /// The sandbox's HTTP routes: Okta's API plus the control surface under `/sandbox/`.
    pub fn router(&self) -> Router {
        let okta_api = Router::new()
            .nest("/api/v1", api::routes())
            .fallback(|| async { ApiError::not_found("path", "Resource").into_response() })
            .layer(middleware::from_fn_with_state(self.clone(), require_ssws));
        let public = Router::new()
            .route("/.well-known/okta-organization", get(org_metadata))
            .merge(api::idp::routes());
        let counted = okta_api
            .merge(public)
            .layer(middleware::from_fn_with_state(self.clone(), traffic::layer));
        let control =
            control::routes().layer(middleware::from_fn_with_state(self.clone(), tell_watchers));
        Router::new()
            .merge(control)
            .merge(counted)
            .with_state(self.clone())
    }
}

/// After a control call that may have changed something, tells the watchers.
async fn tell_watchers(State(sb): State<Sandbox>, req: Request, next: Next) -> Response {
    // Computing a TOTP code is a POST that changes nothing.
    let changes = !matches!(
        *req.method(),
        axum::http::Method::GET | axum::http::Method::HEAD | axum::http::Method::OPTIONS
    ) && req.uri().path() != "/sandbox/api/totp";
    let res = next.run(req).await;
    if changes {
        sb.changed().await;
    }
    res
}

/// `GET /.well-known/okta-organization` (no authentication, as in Okta; API-NOTES §7).
async fn org_metadata(State(sb): State<Sandbox>, headers: HeaderMap) -> Json<serde_json::Value> {
    let pipeline = match sb.org().pipeline {
        Pipeline::Classic => "v1",
        Pipeline::IdentityEngine => "idx",
    };
    let host = headers
        .get("host")
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    Json(json!({
        "id": sb.org().id,
        "pipeline": pipeline,
        "_links": { "organization": { "href": format!("http://{host}") } }
    }))
}

/// Okta's API token check: `Authorization: SSWS <token>`, else 401 E0000011.
///
/// The Authn API (`/api/v1/authn…`) also serves public apps, which send no `Authorization`
/// header at all (API-NOTES §5); a header that is present must still be a valid token.
async fn require_ssws(State(sb): State<Sandbox>, req: Request, next: Next) -> Response {
    let header = req.headers().get("authorization");
    let presented = header
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("SSWS "))
        .map(str::trim);
    let path = req.uri().path();
    let public_authn = path == "/api/v1/authn" || path.starts_with("/api/v1/authn/");
    match presented {
        Some(token) if token == sb.inner.token.expose() => next.run(req).await,
        None if header.is_none() && public_authn => next.run(req).await,
        _ => ApiError::invalid_token().into_response(),
    }
}
