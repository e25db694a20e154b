//! Server functions: the only door from the browser into Keyport's server.
//!
//! Each one is thin: it finds the [`Portal`] service in context, calls one method and returns
//! plain data or a [`PortalError`]. The service is a trait object so the `server` crate can
//! implement it over the Okta client (and tests can swap it).

use crate::error::PortalError;
use crate::model::{SiteInfo, UpstreamStatus};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
mod service;
#[cfg(feature = "ssr")]
pub use service::{Portal, PortalHandle};

/// Deployment facts for the layout (sandbox banner, org host).
#[server(prefix = "/api", endpoint = "site_info")]
pub async fn load_site_info() -> Result<SiteInfo, PortalError> {
    Ok(service::portal()?.site_info())
}

/// Checks that Okta (or the sandbox) answers, and which pipeline the org runs.
#[server(prefix = "/api", endpoint = "check_connection")]
pub async fn check_connection() -> Result<UpstreamStatus, PortalError> {
    service::portal()?.check_upstream().await
}
