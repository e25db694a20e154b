//! User Factors API (`/api/v1/users/{userId}/factors`, API-NOTES §1).

use crate::okta::cache::{freshness, Read, Scope};
use crate::okta::client::{CallContext, OktaClient};
use crate::okta::error::OktaError;
use crate::okta::types::*;
use serde_json::json;
use url::Url;

/// Query of the verify call: `templateId` (SMS) and `tokenLifetimeSeconds`.
#[derive(Clone, Debug, Default)]
pub struct VerifyQuery {
    pub template_id: Option<String>,
    pub token_lifetime_seconds: Option<u32>,
}

/// Where the Okta Verify activation link goes (the push enroll's `send` links).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ActivationChannel {
    Email,
    Sms { phone_number: String },
}

impl OktaClient {
    fn factors_url(&self, user_id: &str, rest: &[&str]) -> Url {
        let mut segments = vec!["api", "v1", "users", user_id, "factors"];
        segments.extend_from_slice(rest);
        self.url(&segments)
    }

    /// `GET /users/{id}/factors`, remembered for `freshness::USER_METHODS`.
    pub async fn list_factors(&self, user_id: &str) -> Result<Vec<UserFactor>, OktaError> {
        Ok(self.list_factors_read(user_id).await?.value)
    }

    /// `list_factors`, saying whether the last known list stood in for an unreachable Okta.
    pub async fn list_factors_read(
        &self,
        user_id: &str,
    ) -> Result<Read<Vec<UserFactor>>, OktaError> {
        let scope = Scope::User(user_id.to_string());
        self.remembered(
            scope,
            freshness::USER_METHODS,
            self.factors_url(user_id, &[]),
        )
        .await
    }

    /// What the org's enrollment policy offers: `GET /users/{id}/factors/catalog`, read with
    /// the first asker's id and remembered for the org (`freshness::ORG_SETTINGS`), without
    /// anything personal (each entry's status and the user's phones). Keyport assumes one
    /// enrollment policy for everyone; where a group's policy offers less, Okta refuses the
    /// enrollment and the person is told the method is not available to them.
    pub async fn offered_factors(&self, user_id: &str) -> Result<Vec<SupportedFactor>, OktaError> {
        let url = self.factors_url(user_id, &["catalog"]);
        let read = self
            .reads()
            .read(
                &Scope::Org,
                "factor-catalog",
                freshness::ORG_SETTINGS,
                async {
                    let mut catalog: Vec<SupportedFactor> = self.json(self.get(url)).await?;
                    for entry in &mut catalog {
                        entry.status = None;
                        entry.embedded = None;
                        entry.links = Default::default();
                    }
                    serde_json::to_string(&catalog).map_err(|e| OktaError::Malformed(e.to_string()))
                },
            )
            .await?;
        serde_json::from_str(&read.value).map_err(|e| OktaError::Malformed(e.to_string()))
    }

    /// `GET /users/{id}/factors/catalog`: what the user may enroll, their statuses and
    /// phones (never remembered: it is personal).
    pub async fn factor_catalog(&self, user_id: &str) -> Result<Vec<SupportedFactor>, OktaError> {
        self.json(self.get(self.factors_url(user_id, &["catalog"])))
            .await
    }

    /// `GET /users/{id}/factors/questions`: Okta's fixed question list, remembered for the
    /// org (`freshness::ORG_QUESTIONS`).
    pub async fn security_questions(
        &self,
        user_id: &str,
    ) -> Result<Vec<SecurityQuestion>, OktaError> {
        let url = self.factors_url(user_id, &["questions"]);
        let read = self
            .reads()
            .read(
                &Scope::Org,
                "security-questions",
                freshness::ORG_QUESTIONS,
                async {
                    let answer = self.execute(self.get(url)).await?;
                    String::from_utf8(answer.bytes)
                        .map_err(|_| OktaError::Malformed("an answer that is not UTF-8".into()))
                },
            )
            .await?;
        serde_json::from_str(&read.value).map_err(|e| OktaError::Malformed(e.to_string()))
    }

    /// `GET /users/{id}/factors/{factorId}`.
    pub async fn get_factor(
        &self,
        user_id: &str,
        factor_id: &str,
    ) -> Result<UserFactor, OktaError> {
        self.json(self.get(self.factors_url(user_id, &[factor_id])))
            .await
    }

    /// `POST /users/{id}/factors` (never retried). After a timeout or dropped connection the
    /// enrollment may have happened: the factor is looked up instead of enrolling twice.
    pub async fn enroll_factor(
        &self,
        user_id: &str,
        request: &EnrollFactorRequest,
        query: &EnrollFactorQuery,
        ctx: &CallContext,
    ) -> Result<UserFactor, OktaError> {
        let mut url = self.factors_url(user_id, &[]);
        {
            let mut q = url.query_pairs_mut();
            if let Some(v) = query.activate {
                q.append_pair("activate", &v.to_string());
            }
            if let Some(v) = query.update_phone {
                q.append_pair("updatePhone", &v.to_string());
            }
            if let Some(v) = &query.template_id {
                q.append_pair("templateId", v);
            }
            if let Some(v) = query.token_lifetime_seconds {
                q.append_pair("tokenLifetimeSeconds", &v.to_string());
            }
        }
        if url.query() == Some("") {
            url.set_query(None);
        }
        let mut call = self.post(url, request)?;
        call.ctx = Some(ctx);
        match self.json::<UserFactor>(call).await {
            Err(err @ (OktaError::Timeout | OktaError::UpstreamDown(_))) => {
                match self.find_pending(user_id, request).await {
                    Some(factor) => {
                        tracing::info!(factor_type = request.factor_type.as_str(), "enroll answer lost; found the pending factor instead of enrolling again");
                        Ok(factor)
                    }
                    None => Err(err),
                }
            }
            other => other,
        }
    }

    /// A pending factor matching an enroll request, if Okta created one.
    async fn find_pending(
        &self,
        user_id: &str,
        request: &EnrollFactorRequest,
    ) -> Option<UserFactor> {
        let factors = self.list_factors(user_id).await.ok()?;
        factors.into_iter().find(|f| {
            f.factor_type == request.factor_type
                && f.provider == request.provider
                && f.status == FactorStatus::PendingActivation
        })
    }

    /// `POST …/lifecycle/activate` with a passcode, WebAuthn attestation, or nothing (push).
    pub async fn activate_factor(
        &self,
        user_id: &str,
        factor_id: &str,
        request: &ActivateFactorRequest,
    ) -> Result<ActivateFactorResponse, OktaError> {
        let url = self.factors_url(user_id, &[factor_id, "lifecycle", "activate"]);
        self.json(self.post(url, request)?).await
    }

    /// `POST …/lifecycle/activate/poll`: has the phone finished the push enrollment?
    pub async fn poll_push_activation(
        &self,
        user_id: &str,
        factor_id: &str,
    ) -> Result<ActivateFactorResponse, OktaError> {
        let url = self.factors_url(user_id, &[factor_id, "lifecycle", "activate", "poll"]);
        self.json(self.post(url, &json!({}))?).await
    }

    /// `POST …/lifecycle/activate/{email|sms}`: sends the Okta Verify activation link. The body
    /// is not documented (API-NOTES §1); Authn's `{profile:{phoneNumber}}` shape is used.
    pub async fn send_push_activation(
        &self,
        user_id: &str,
        factor_id: &str,
        channel: &ActivationChannel,
        ctx: &CallContext,
    ) -> Result<(), OktaError> {
        let (name, body) = match channel {
            ActivationChannel::Email => ("email", json!({})),
            ActivationChannel::Sms { phone_number } => {
                ("sms", json!({ "profile": { "phoneNumber": phone_number } }))
            }
        };
        let url = self.factors_url(user_id, &[factor_id, "lifecycle", "activate", name]);
        let mut call = self.post(url, &body)?;
        call.ctx = Some(ctx);
        self.empty(call).await
    }

    /// `GET` of a factor's `qrcode` link: Okta's own PNG. Keyport draws its own QR codes and
    /// never shows this one; it exists for completeness and for checking the sandbox.
    pub async fn activation_qr_png(&self, href: &str) -> Result<Vec<u8>, OktaError> {
        let url = self.url_from_link(href)?;
        Ok(self.execute(self.get(url)).await?.bytes)
    }

    /// `POST …/resend` (body required: type, provider, profile).
    pub async fn resend_factor(
        &self,
        user_id: &str,
        factor_id: &str,
        request: &ResendFactorRequest,
        template_id: Option<&str>,
        ctx: &CallContext,
    ) -> Result<UserFactor, OktaError> {
        let mut url = self.factors_url(user_id, &[factor_id, "resend"]);
        if let Some(t) = template_id {
            url.query_pairs_mut().append_pair("templateId", t);
        }
        let mut call = self.post(url, request)?;
        call.ctx = Some(ctx);
        self.json(call).await
    }

    /// `DELETE …/factors/{factorId}?removeRecoveryEnrollment=` (204).
    pub async fn unenroll_factor(
        &self,
        user_id: &str,
        factor_id: &str,
        remove_recovery_enrollment: bool,
    ) -> Result<(), OktaError> {
        let mut url = self.factors_url(user_id, &[factor_id]);
        if remove_recovery_enrollment {
            url.query_pairs_mut()
                .append_pair("removeRecoveryEnrollment", "true");
        }
        self.empty(self.delete(url)).await
    }

    /// `POST …/verify`: a challenge (SMS, call, email, WebAuthn), a passcode or answer, or a
    /// push (201 WAITING with a transaction; `User-Agent` is required for pushes).
    pub async fn verify_factor(
        &self,
        user_id: &str,
        factor_id: &str,
        request: &VerifyFactorRequest,
        query: &VerifyQuery,
        ctx: &CallContext,
    ) -> Result<VerifyFactorResponse, OktaError> {
        let mut url = self.factors_url(user_id, &[factor_id, "verify"]);
        {
            let mut q = url.query_pairs_mut();
            if let Some(t) = &query.template_id {
                q.append_pair("templateId", t);
            }
            if let Some(l) = query.token_lifetime_seconds {
                q.append_pair("tokenLifetimeSeconds", &l.to_string());
            }
        }
        if url.query() == Some("") {
            url.set_query(None);
        }
        let mut call = self.post(url, request)?;
        call.ctx = Some(ctx);
        self.json(call).await
    }

    /// `GET …/transactions/{transactionId}`: a push verification's state.
    pub async fn push_transaction(
        &self,
        user_id: &str,
        factor_id: &str,
        transaction_id: &str,
    ) -> Result<PushTransaction, OktaError> {
        self.json(self.get(self.factors_url(user_id, &[factor_id, "transactions", transaction_id])))
            .await
    }

    /// `DELETE` of a waiting push's `cancel` link.
    pub async fn cancel_push_transaction(
        &self,
        user_id: &str,
        factor_id: &str,
        transaction_id: &str,
    ) -> Result<(), OktaError> {
        self.empty(
            self.delete(self.factors_url(user_id, &[factor_id, "transactions", transaction_id])),
        )
        .await
    }
}
