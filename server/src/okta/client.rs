//! The HTTP side of the Okta client.

use super::error::{OktaError, OktaErrorBody};
use super::types::OrgMetadata;
use super::ApiToken;
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use std::sync::Arc;
use std::time::Duration;
use url::Url;

/// How the client talks to the org.
#[derive(Clone, Debug)]
pub struct ClientSettings {
    pub base_url: Url,
    pub token: ApiToken,
    /// Total time allowed for one call.
    pub timeout: Duration,
    /// Time allowed to open a connection.
    pub connect_timeout: Duration,
}

impl ClientSettings {
    pub fn new(base_url: Url, token: ApiToken) -> Self {
        ClientSettings {
            base_url,
            token,
            timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(3),
        }
    }
}

/// A cheap-to-clone handle on one shared connection pool.
#[derive(Clone)]
pub struct OktaClient {
    inner: Arc<Inner>,
}

struct Inner {
    settings: ClientSettings,
    http: reqwest::Client,
}

impl OktaClient {
    pub fn new(settings: ClientSettings) -> Result<Self, OktaError> {
        let http = reqwest::Client::builder()
            .timeout(settings.timeout)
            .connect_timeout(settings.connect_timeout)
            .user_agent(concat!("keyport/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| OktaError::Unreachable(e.to_string()))?;
        Ok(OktaClient {
            inner: Arc::new(Inner { settings, http }),
        })
    }

    /// The org's host name, for display.
    pub fn org_host(&self) -> String {
        let url = &self.inner.settings.base_url;
        match (url.host_str(), url.port()) {
            (Some(h), Some(p)) => format!("{h}:{p}"),
            (Some(h), None) => h.to_string(),
            _ => url.to_string(),
        }
    }

    /// `GET /.well-known/okta-organization`: which engine the org runs. Needs no token.
    pub async fn org_metadata(&self) -> Result<OrgMetadata, OktaError> {
        self.send_json(Method::GET, "/.well-known/okta-organization", false)
            .await
    }

    async fn send_json<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        authenticated: bool,
    ) -> Result<T, OktaError> {
        let url = self
            .inner
            .settings
            .base_url
            .join(path)
            .map_err(|e| OktaError::Malformed(format!("bad path {path}: {e}")))?;
        let mut req = self
            .inner
            .http
            .request(method, url)
            .header("Accept", "application/json");
        if authenticated {
            req = req.header(
                "Authorization",
                format!("SSWS {}", self.inner.settings.token.expose()),
            );
        }
        let res = req.send().await.map_err(transport_error)?;
        let status = res.status();
        let bytes = res.bytes().await.map_err(transport_error)?;
        if status.is_success() {
            serde_json::from_slice(&bytes).map_err(|e| OktaError::Malformed(e.to_string()))
        } else {
            Err(api_error(status, &bytes))
        }
    }
}

fn transport_error(e: reqwest::Error) -> OktaError {
    if e.is_timeout() {
        OktaError::Timeout
    } else {
        // Without the URL: it is ours and adds nothing for the reader of the log.
        OktaError::Unreachable(e.without_url().to_string())
    }
}

fn api_error(status: StatusCode, bytes: &[u8]) -> OktaError {
    match serde_json::from_slice::<OktaErrorBody>(bytes) {
        Ok(body) => OktaError::Api {
            status: status.as_u16(),
            body,
        },
        Err(_) => OktaError::Api {
            status: status.as_u16(),
            body: OktaErrorBody {
                error_code: String::new(),
                error_summary: format!("HTTP {status} without an Okta error body"),
                ..Default::default()
            },
        },
    }
}
