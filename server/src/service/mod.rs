//! Keyport's services: what server functions call, implemented over the Okta client.

pub mod errors;
pub mod factors;
pub mod input;
pub mod passwords;

use crate::okta::types::OrgPipeline;
use crate::okta::{OktaClient, OktaError};
use app::api::Portal;
use app::error::{ErrorCode, PortalError};
use app::model::{Pipeline, SiteInfo, UpstreamStatus};
use std::time::Instant;

pub struct KeyportService {
    okta: OktaClient,
    site: SiteInfo,
}

impl KeyportService {
    pub fn new(okta: OktaClient, sandbox_console_url: Option<String>) -> Self {
        let site = SiteInfo {
            sandbox: sandbox_console_url.is_some(),
            org_host: okta.org_host(),
            sandbox_console_url,
        };
        KeyportService { okta, site }
    }
}

#[async_trait::async_trait]
impl Portal for KeyportService {
    fn site_info(&self) -> SiteInfo {
        self.site.clone()
    }

    async fn check_upstream(&self) -> Result<UpstreamStatus, PortalError> {
        let started = Instant::now();
        let meta = self.okta.probe_org().await.map_err(upstream_error)?;
        Ok(UpstreamStatus {
            org_host: self.okta.org_host(),
            pipeline: match meta.pipeline {
                OrgPipeline::Classic => Some(Pipeline::Classic),
                OrgPipeline::IdentityEngine => Some(Pipeline::IdentityEngine),
                OrgPipeline::Unknown(_) => None,
            },
            latency_ms: started.elapsed().as_millis() as u64,
        })
    }
}

/// Maps a client error to what a person may see; the details go to the log.
fn upstream_error(err: OktaError) -> PortalError {
    tracing::warn!(error = %err, "Okta call failed");
    match err {
        OktaError::Timeout => PortalError::new(
            ErrorCode::UpstreamUnavailable,
            "Okta is taking too long to answer. Please try again in a moment.",
        ),
        _ => PortalError::new(
            ErrorCode::UpstreamUnavailable,
            "Okta cannot be reached right now. Nothing was changed; please try again in a moment.",
        ),
    }
}
