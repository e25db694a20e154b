//! The seam between server functions and the server crate.

use crate::error::{ErrorCode, PortalError};
use crate::model::{SiteInfo, UpstreamStatus};
use std::sync::Arc;

/// Everything the pages can ask of Keyport's server. Implemented by `server::service`.
#[async_trait::async_trait]
pub trait Portal: Send + Sync + 'static {
    /// Deployment facts; cheap, no upstream call.
    fn site_info(&self) -> SiteInfo;

    /// One round trip to the org's `/.well-known/okta-organization`.
    async fn check_upstream(&self) -> Result<UpstreamStatus, PortalError>;
}

/// How the service travels through Leptos context.
#[derive(Clone)]
pub struct PortalHandle(pub Arc<dyn Portal>);

/// The service for this request.
pub(crate) fn portal() -> Result<Arc<dyn Portal>, PortalError> {
    leptos::prelude::use_context::<PortalHandle>()
        .map(|h| h.0)
        .ok_or_else(|| {
            tracing::error!("server function called without a Portal in context");
            PortalError::new(
                ErrorCode::Internal,
                "Keyport is not fully started. Please try again.",
            )
        })
}
