//! `GET /healthz` (the process is alive) and `GET /readyz` (the upstream answers).

use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Value};

pub async fn healthz(State(state): State<AppState>) -> Json<Value> {
    Json(json!({
        "status": "ok",
        "version": env!("CARGO_PKG_VERSION"),
        "uptimeSeconds": state.started.elapsed().as_secs(),
    }))
}

pub async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    match state.services.portal.check_upstream().await {
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
