//! The Okta sandbox: an Okta-compatible org in a box.
//!
//! It speaks Okta's paths, bodies, status codes and error codes so that Keyport's client code
//! runs unchanged against it or against a real org. It starts in-process when no
//! `OKTA_ORG_URL` is configured, and alone with `keyport sandbox`.

use crate::config::{SandboxConfig, SandboxPipeline};
use crate::okta::ApiToken;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;
use std::sync::Arc;

/// The sandbox's shared state.
#[derive(Clone)]
pub struct Sandbox {
    inner: Arc<Inner>,
}

struct Inner {
    token: ApiToken,
    pipeline: SandboxPipeline,
    org_id: &'static str,
}

impl Sandbox {
    pub fn new(config: &SandboxConfig) -> Self {
        Sandbox {
            inner: Arc::new(Inner {
                token: config.token.clone(),
                pipeline: config.pipeline,
                org_id: "00o1sandbox0keyport7",
            }),
        }
    }

    /// The sandbox's HTTP routes: Okta's API plus the control surface under `/sandbox/`.
    pub fn router(&self) -> Router {
        let api = Router::new()
            .fallback(|| async {
                okta_error(
                    StatusCode::NOT_FOUND,
                    "E0000022",
                    "The endpoint does not support the provided HTTP method",
                )
            })
            .layer(middleware::from_fn_with_state(self.clone(), require_ssws));
        Router::new()
            .route("/.well-known/okta-organization", get(org_metadata))
            .nest("/api/v1", api)
            .with_state(self.clone())
    }
}

/// `GET /.well-known/okta-organization` (no authentication, as in Okta).
async fn org_metadata(State(sb): State<Sandbox>, headers: HeaderMap) -> Json<serde_json::Value> {
    let pipeline = match sb.inner.pipeline {
        SandboxPipeline::Classic => "v1",
        SandboxPipeline::IdentityEngine => "idx",
    };
    let host = headers
        .get("host")
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    Json(json!({
        "id": sb.inner.org_id,
        "pipeline": pipeline,
        "_links": { "organization": { "href": format!("http://{host}") } }
    }))
}

/// Okta's API token check: `Authorization: SSWS <token>`, else 401 E0000011.
async fn require_ssws(State(sb): State<Sandbox>, req: Request, next: Next) -> Response {
    let presented = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("SSWS "))
        .map(str::trim);
    match presented {
        Some(token) if token == sb.inner.token.expose() => next.run(req).await,
        _ => okta_error(
            StatusCode::UNAUTHORIZED,
            "E0000011",
            "Invalid token provided",
        ),
    }
}

/// An Okta error response.
pub(crate) fn okta_error(status: StatusCode, code: &str, summary: &str) -> Response {
    let body = json!({
        "errorCode": code,
        "errorSummary": summary,
        "errorLink": code,
        "errorId": format!("oae{}", uuid::Uuid::new_v4().simple()),
        "errorCauses": [],
    });
    (status, Json(body)).into_response()
}
