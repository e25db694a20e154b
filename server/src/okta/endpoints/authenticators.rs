//! Authenticators admin API (`/api/v1/authenticators`, OIE, API-NOTES §4).

use crate::okta::cache::{freshness, Scope};
use crate::okta::client::OktaClient;
use crate::okta::error::OktaError;
use crate::okta::types::*;
use serde_json::json;

impl OktaClient {
    /// `GET /authenticators`, remembered for the org (`freshness::ORG_SETTINGS`; any change
    /// Keyport makes to an authenticator forgets it).
    pub async fn list_authenticators(&self) -> Result<Vec<Authenticator>, OktaError> {
        let url = self.url(&["api", "v1", "authenticators"]);
        Ok(self
            .remembered(Scope::Org, freshness::ORG_SETTINGS, url)
            .await?
            .value)
    }

    /// `GET /authenticators/{id}`.
    pub async fn get_authenticator(&self, id: &str) -> Result<Authenticator, OktaError> {
        self.json(self.get(self.url(&["api", "v1", "authenticators", id])))
            .await
    }

    /// `POST /authenticators/{id}/lifecycle/activate`.
    pub async fn activate_authenticator(&self, id: &str) -> Result<Authenticator, OktaError> {
        let url = self.url(&["api", "v1", "authenticators", id, "lifecycle", "activate"]);
        self.json(self.post(url, &json!({}))?).await
    }

    /// `POST /authenticators/{id}/lifecycle/deactivate`; E0000148 when a policy uses it.
    pub async fn deactivate_authenticator(&self, id: &str) -> Result<Authenticator, OktaError> {
        let url = self.url(&["api", "v1", "authenticators", id, "lifecycle", "deactivate"]);
        self.json(self.post(url, &json!({}))?).await
    }

    /// `GET /authenticators/{id}/methods`.
    pub async fn authenticator_methods(
        &self,
        id: &str,
    ) -> Result<Vec<AuthenticatorMethod>, OktaError> {
        let url = self.url(&["api", "v1", "authenticators", id, "methods"]);
        Ok(self
            .remembered(Scope::Org, freshness::ORG_SETTINGS, url)
            .await?
            .value)
    }
}
