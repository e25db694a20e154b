//! Policies API bits Keyport needs: the password policies ([SPEC] listPolicies).

use crate::okta::cache::{freshness, Scope};
use crate::okta::client::OktaClient;
use crate::okta::error::OktaError;
use crate::okta::types::PasswordPolicy;

impl OktaClient {
    /// `GET /policies?type=PASSWORD`: the org's active password policies.
    pub async fn password_policies(&self) -> Result<Vec<PasswordPolicy>, OktaError> {
        let mut url = self.url(&["api", "v1", "policies"]);
        url.query_pairs_mut().append_pair("type", "PASSWORD");
        Ok(self
            .remembered_pages(Scope::Org, freshness::ORG_SETTINGS, url)
            .await?
            .value)
    }
}
