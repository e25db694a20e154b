//! `GET /healthz` (the process is alive) and `GET /readyz` (the upstream answers).

use crate::state::AppState;
use app::error::PortalError;
use app::model::UpstreamStatus;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

/// How long one upstream check answers `/readyz`. Probes from many load balancers (or a load
/// test) then cost Okta at most one call per this interval, and never queue behind Keyport's
/// own Okta budget.
const FRESH_FOR: Duration = Duration::from_secs(2);

/// The last upstream check; the lock makes concurrent probes wait for one check, not start many.
#[derive(Default)]
pub struct Readiness {
    last: Mutex<Option<(Instant, Result<UpstreamStatus, PortalError>)>>,
}

impl Readiness {
    async fn check(&self, state: &AppState) -> Result<UpstreamStatus, PortalError> {
        let mut last = self.last.lock().await;
        if let Some((at, answer)) = last.as_ref() {
            if at.elapsed() < FRESH_FOR {
                return answer.clone();
            }
        }
        let answer = state.services.portal.check_upstream().await;
        *last = Some((Instant::now(), answer.clone()));
        answer
    }
}

pub async fn healthz(State(state): State<AppState>) -> Json<Value> {
    Json(json!({
        "status": "ok",
        "version": env!("CARGO_PKG_VERSION"),
        "uptimeSeconds": state.started.elapsed().as_secs(),
    }))
}

pub async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    match state.readiness.check(&state).await {
        Ok(status) => (
            StatusCode::OK,
            Json(json!({
                "status": "ready",
                "upstream": {
                    "org": status.org_host,
                    "pipeline": status.pipeline,
                    "latencyMs": status.latency_ms,
                    "sandbox": state.sandbox,
                }
            })),
        ),
        Err(err) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({
                "status": "unavailable",
                "reason": err.message,
                "sandbox": state.sandbox,
            })),
        ),
    }
}
