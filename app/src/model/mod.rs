//! Plain data exchanged between the server and the browser, one module per area.

pub mod account;
pub mod admin;
pub mod auth;
pub mod methods;

use serde::{Deserialize, Serialize};

/// Which kind of Okta org Keyport talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Pipeline {
    /// Okta Classic Engine (`pipeline: "v1"`): one enrollment per factor type.
    Classic,
    /// Okta Identity Engine (`pipeline: "idx"`): several enrollments per authenticator.
    IdentityEngine,
}

impl Pipeline {
    pub fn label(self) -> &'static str {
        match self {
            Pipeline::Classic => "Classic Engine",
            Pipeline::IdentityEngine => "Identity Engine",
        }
    }
}

/// What every page needs to know about the deployment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteInfo {
    /// True when no real org is configured and Keyport runs against its built-in sandbox.
    pub sandbox: bool,
    /// The org's host name (never a token or a full URL with credentials).
    pub org_host: String,
    /// Where a person finds the sandbox's outbox and virtual phone, in sandbox mode.
    pub sandbox_console_url: Option<String>,
}

/// The answer to "can Keyport reach Okta right now?".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpstreamStatus {
    pub org_host: String,
    pub pipeline: Option<Pipeline>,
    /// Round trip of the check, in milliseconds.
    pub latency_ms: u64,
}
