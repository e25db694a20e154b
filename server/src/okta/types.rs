//! Typed Okta request and response bodies.

use serde::{Deserialize, Serialize};

/// `GET /.well-known/okta-organization` (API-NOTES §7).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgMetadata {
    pub id: String,
    pub pipeline: OrgPipeline,
}

/// `v1` is Classic Engine, `idx` Identity Engine; anything else is kept, not fatal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum OrgPipeline {
    #[serde(rename = "v1")]
    Classic,
    #[serde(rename = "idx")]
    IdentityEngine,
    #[serde(untagged)]
    Unknown(String),
}
