//! The demo host: a stand-in for a company's site that embeds Keyport, served on a site of
//! its own (another host name and port on loopback) so the browser treats Keyport as a
//! third-party frame, as it would in production. Sandbox only (`KEYPORT_DEMO_HOST_ADDR`); the
//! README walks through it, and the Playwright embed tests run against it.
//!
//! It plays the company's part of the protocol: its server signs a handoff token for "its"
//! signed-in user (with the sandbox's demo handoff secret), its page hands the token to the
//! frame by `postMessage`, sizes the frame from Keyport's resize messages and lists every
//! message it receives.

use crate::auth::handoff;
use crate::sandbox::seed::users;
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;

const PAGE: &str = include_str!("host.html");
const SCRIPT: &str = include_str!("host.js");
const STYLE: &str = include_str!("host.css");

/// How long a demo handoff token lives (the frame uses it at once).
const TOKEN_TTL: Duration = Duration::from_secs(60);

/// The demo users the host may hand over (the sandbox's seed).
const PEOPLE: &[(&str, &str)] = &[
    (users::NORA.1, "Nora (no second method yet)"),
    (users::OLIVIA.1, "Olivia (Identity Engine, several devices)"),
    (users::VICTOR.1, "Victor (Okta Verify and SMS)"),
    (users::TINA.1, "Tina (authenticator app)"),
];

#[derive(Clone)]
struct Host {
    /// Keyport's origin, e.g. `http://localhost:3000`.
    keyport: String,
    /// This site's origin, e.g. `http://127.0.0.1:3002`.
    origin: String,
    secret: Arc<String>,
    audience: String,
    issuer: Option<String>,
}

/// What the demo host needs from Keyport's configuration.
pub struct DemoHostSettings {
    pub addr: SocketAddr,
    pub keyport_origin: String,
    pub handoff_secret: String,
    pub audience: String,
    pub issuer: Option<String>,
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn with_headers(mut res: Response, csp: &str) -> Response {
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(csp) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    res
}

async fn page(State(host): State<Host>) -> Response {
    let options: String = PEOPLE
        .iter()
        .map(|(login, label)| {
            format!(
                "<option value=\"{}\">{}</option>",
                escape(login),
                escape(label)
            )
        })
        .collect();
    let html = PAGE
        .replace("{{KEYPORT}}", &escape(&host.keyport))
        .replace("{{HOST}}", &escape(&host.origin))
        .replace("{{USERS}}", &options);
    let csp = format!(
        "default-src 'self'; script-src 'self'; style-src 'self'; frame-src {}; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        host.keyport
    );
    with_headers(Html(html).into_response(), &csp)
}

async fn script() -> Response {
    with_headers(
        (
            [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
            SCRIPT,
        )
            .into_response(),
        "default-src 'none'",
    )
}

async fn style() -> Response {
    with_headers(
        ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], STYLE).into_response(),
        "default-src 'none'",
    )
}

#[derive(Deserialize)]
struct TokenRequest {
    user: String,
}

/// The company's backend signing a handoff token for its signed-in user.
async fn token(State(host): State<Host>, Json(req): Json<TokenRequest>) -> Response {
    if !PEOPLE.iter().any(|(login, _)| *login == req.user) {
        return (StatusCode::BAD_REQUEST, "not one of the demo users").into_response();
    }
    match handoff::mint(
        &host.secret,
        &req.user,
        &host.audience,
        host.issuer.as_deref(),
        TOKEN_TTL,
    ) {
        Ok(token) => with_headers(
            Json(serde_json::json!({ "token": token })).into_response(),
            "default-src 'none'",
        ),
        Err(e) => {
            tracing::error!(error = %e, "demo host cannot sign a handoff token");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

fn router(host: Host) -> Router {
    Router::new()
        .route("/", get(page))
        .route("/host.js", get(script))
        .route("/host.css", get(style))
        .route("/token", post(token))
        // No icon: an empty answer rather than a 404 in the console.
        .route("/favicon.ico", get(|| async { StatusCode::NO_CONTENT }))
        .with_state(host)
}

/// Binds the demo host's address and serves it on a background task.
pub async fn start(settings: DemoHostSettings) -> std::io::Result<SocketAddr> {
    let listener = TcpListener::bind(settings.addr).await?;
    let addr = listener.local_addr()?;
    let host = Host {
        keyport: settings.keyport_origin,
        origin: format!("http://{addr}"),
        secret: Arc::new(settings.handoff_secret),
        audience: settings.audience,
        issuer: settings.issuer,
    };
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, router(host)).await {
            tracing::error!(error = %e, "the demo host stopped");
        }
    });
    Ok(addr)
}
