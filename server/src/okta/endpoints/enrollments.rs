//! User authenticator enrollments (OIE, API-NOTES §3).

use crate::okta::cache::{freshness, Read, Scope};
use crate::okta::client::OktaClient;
use crate::okta::error::OktaError;
use crate::okta::types::*;
use url::Url;

impl OktaClient {
    fn enrollments_url(&self, user_id: &str, rest: &[&str]) -> Url {
        let mut segments = vec!["api", "v1", "users", user_id, "authenticator-enrollments"];
        segments.extend_from_slice(rest);
        self.url(&segments)
    }

    /// `GET …/authenticator-enrollments` (an array, whatever the spec's schema says);
    /// `disclose_phone` unmasks phone numbers.
    pub async fn list_enrollments(
        &self,
        user_id: &str,
        disclose_phone: bool,
    ) -> Result<Vec<AuthenticatorEnrollment>, OktaError> {
        Ok(self
            .list_enrollments_read(user_id, disclose_phone)
            .await?
            .value)
    }

    /// `list_enrollments`, remembered for `freshness::USER_METHODS`, saying whether the last
    /// known list stood in for an unreachable Okta.
    pub async fn list_enrollments_read(
        &self,
        user_id: &str,
        disclose_phone: bool,
    ) -> Result<Read<Vec<AuthenticatorEnrollment>>, OktaError> {
        let mut url = self.enrollments_url(user_id, &[]);
        if disclose_phone {
            url.query_pairs_mut()
                .append_pair("discloseIdentifiers", "phone");
        }
        let scope = Scope::User(user_id.to_string());
        self.remembered(scope, freshness::USER_METHODS, url).await
    }

    /// `GET …/authenticator-enrollments/{enrollmentId}`.
    pub async fn get_enrollment(
        &self,
        user_id: &str,
        enrollment_id: &str,
        disclose_phone: bool,
    ) -> Result<AuthenticatorEnrollment, OktaError> {
        let mut url = self.enrollments_url(user_id, &[enrollment_id]);
        if disclose_phone {
            url.query_pairs_mut()
                .append_pair("discloseIdentifiers", "phone");
        }
        self.json(self.get(url)).await
    }

    /// `DELETE …/authenticator-enrollments/{enrollmentId}` (204).
    pub async fn delete_enrollment(
        &self,
        user_id: &str,
        enrollment_id: &str,
    ) -> Result<(), OktaError> {
        self.empty(self.delete(self.enrollments_url(user_id, &[enrollment_id])))
            .await
    }

    /// `POST …/authenticator-enrollments/phone`: an auto-activated phone.
    pub async fn create_phone_enrollment(
        &self,
        user_id: &str,
        request: &CreatePhoneEnrollmentRequest,
    ) -> Result<AuthenticatorEnrollment, OktaError> {
        self.json(self.post(self.enrollments_url(user_id, &["phone"]), request)?)
            .await
    }

    /// `POST …/authenticator-enrollments/tac`: a temporary access code, shown only here.
    pub async fn create_tac(
        &self,
        user_id: &str,
        request: &CreateTacRequest,
    ) -> Result<TacEnrollment, OktaError> {
        self.json(self.post(self.enrollments_url(user_id, &["tac"]), request)?)
            .await
    }
}
