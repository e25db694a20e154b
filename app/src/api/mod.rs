//! Server functions: the only door from the browser into Keyport's server.
//!
//! Each one is thin: it finds the services in context, calls one method and returns plain data
//! or a [`PortalError`]. The services are trait objects so the `server` crate can implement
//! them over the Okta client (and tests can swap them). Every call carries the page's
//! anti-CSRF token ([`client::KeyportClient`]).

pub mod account;
pub mod admin;
pub mod auth;
pub mod client;
pub mod codec;
pub mod methods;
pub mod reverify;

#[cfg(feature = "ssr")]
mod service;
#[cfg(feature = "ssr")]
pub use service::{
    answer_plain_form, context, posted_by_plain_form, respond, services, take_kept_error,
    AccountPortal, AdminPortal, AuthPortal, KeptError, MethodsPortal, Portal, RequestInfo,
    Services, FORM_ERROR,
};

use crate::error::PortalError;
use crate::model::{SiteInfo, UpstreamStatus};
use client::KeyportClient;
use codec::JsonAnswer;
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;
#[cfg(feature = "ssr")]
use serde::de::DeserializeOwned;

/// Deployment facts for the layout (sandbox banner, org host). A GET: it changes nothing.
#[server(prefix = "/api", endpoint = "site_info", input = GetUrl, client = KeyportClient, output = JsonAnswer)]
pub async fn load_site_info() -> Result<SiteInfo, PortalError> {
    respond(async { Ok(services()?.portal.site_info()) }.await)
}

/// Checks that Okta (or the sandbox) answers, and which pipeline the org runs.
#[server(prefix = "/api", endpoint = "check_connection", client = KeyportClient, output = JsonAnswer)]
pub async fn check_connection() -> Result<UpstreamStatus, PortalError> {
    respond(async { services()?.portal.check_upstream().await }.await)
}

/// A WebAuthn credential as the browser's `toJSON()` made it (the browser passes it on
/// untouched: `components::webauthn`), read into webauthn-rs' type on the server.
#[cfg(feature = "ssr")]
fn webauthn_credential<T: DeserializeOwned>(
    json: &serde_json::value::RawValue,
) -> Result<T, PortalError> {
    serde_json::from_str(json.get()).map_err(|e| PortalError::unreadable_request(&e.to_string()))
}
