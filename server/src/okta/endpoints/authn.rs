//! Authn API (Classic Engine sign-in, API-NOTES §5). Keyport calls it as a trusted app (with
//! its API token), which lets it pass the end user's address in `X-Forwarded-For`.

use crate::okta::client::{CallContext, OktaClient};
use crate::okta::error::OktaError;
use crate::okta::types::*;

/// Query flags of the Authn factor verify call.
#[derive(Clone, Debug, Default)]
pub struct AuthnVerifyQuery {
    pub remember_device: bool,
    pub auto_push: bool,
}

impl OktaClient {
    /// `POST /authn`: username and password.
    pub async fn authn_primary(
        &self,
        request: &AuthnRequest,
        ctx: &CallContext,
    ) -> Result<AuthnTransaction, OktaError> {
        let mut call = self.post(self.url(&["api", "v1", "authn"]), request)?;
        call.ctx = Some(ctx);
        self.json(call).await
    }

    /// `POST /authn/factors/{factorId}/verify`: challenge, answer, or poll a waiting push.
    pub async fn authn_verify(
        &self,
        factor_id: &str,
        request: &AuthnVerifyRequest,
        query: &AuthnVerifyQuery,
        ctx: &CallContext,
    ) -> Result<AuthnTransaction, OktaError> {
        let mut url = self.url(&["api", "v1", "authn", "factors", factor_id, "verify"]);
        {
            let mut q = url.query_pairs_mut();
            if query.remember_device {
                q.append_pair("rememberDevice", "true");
            }
            if query.auto_push {
                q.append_pair("autoPush", "true");
            }
        }
        if url.query() == Some("") {
            url.set_query(None);
        }
        let mut call = self.post(url, request)?;
        call.ctx = Some(ctx);
        self.json(call).await
    }

    /// `POST /authn/factors/{factorId}/verify/resend`: another code, or another push.
    pub async fn authn_resend(
        &self,
        factor_id: &str,
        state_token: &Secret,
        ctx: &CallContext,
    ) -> Result<AuthnTransaction, OktaError> {
        let url = self.url(&[
            "api", "v1", "authn", "factors", factor_id, "verify", "resend",
        ]);
        let mut call = self.post(url, &StateTokenRequest::new(state_token.clone()))?;
        call.ctx = Some(ctx);
        self.json(call).await
    }

    /// `POST /authn/credentials/change_password` in PASSWORD_EXPIRED or PASSWORD_WARN.
    pub async fn authn_change_password(
        &self,
        request: &AuthnChangePasswordRequest,
        ctx: &CallContext,
    ) -> Result<AuthnTransaction, OktaError> {
        let url = self.url(&["api", "v1", "authn", "credentials", "change_password"]);
        let mut call = self.post(url, request)?;
        call.ctx = Some(ctx);
        self.json(call).await
    }

    /// `POST /authn/previous`: back from a factor challenge to the choice of factor.
    pub async fn authn_previous(
        &self,
        state_token: &Secret,
    ) -> Result<AuthnTransaction, OktaError> {
        let url = self.url(&["api", "v1", "authn", "previous"]);
        self.json(self.post(url, &StateTokenRequest::new(state_token.clone()))?)
            .await
    }

    /// `POST /authn/cancel`: ends the transaction.
    pub async fn authn_cancel(&self, state_token: &Secret) -> Result<(), OktaError> {
        let url = self.url(&["api", "v1", "authn", "cancel"]);
        self.empty(self.post(url, &StateTokenRequest::new(state_token.clone()))?)
            .await
    }
}
