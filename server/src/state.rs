//! The application state shared by every handler.

use crate::auth::handoff::HandoffVerifier;
use crate::sessions::Kv;
use app::api::Services;
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use std::sync::Arc;
use std::time::Instant;

#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    /// The current build's browser file names (`web::assets`).
    pub site_assets: app::assets::SiteAssets,
    pub services: Services,
    /// The Okta client, for handlers outside server functions (handoff).
    pub okta: crate::okta::OktaClient,
    pub kv: Kv,
    /// The sign-in service itself (the handoff endpoint opens sessions with it).
    pub auth: Arc<crate::auth::AuthService>,
    /// `None` when handoff is not configured.
    pub handoff: Option<Arc<HandoffVerifier>>,
    /// The URL people use to reach Keyport (its origin is what hand-overs may return to).
    pub public_url: url::Url,
    /// Embed mode (`KEYPORT_EMBED_ORIGINS` set): Keyport's cookies are third-party ones.
    pub embedded: bool,
    /// True when Keyport runs against its built-in sandbox.
    pub sandbox: bool,
    pub started: Instant,
    /// The last upstream check, shared by `/readyz` callers.
    pub readiness: Arc<crate::web::health::Readiness>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
