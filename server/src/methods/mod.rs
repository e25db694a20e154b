//! The security methods page: what the user has enrolled (Classic factors, or Identity Engine
//! authenticator enrollments), what they can add, recent activity, and the flows that change
//! them — enroll, test, rename, remove.
//!
//! Every id a request names is checked against the signed-in user's own methods first: another
//! user's id gets the same 404 as a missing one, and Okta is never asked about it.

mod activity;
mod enroll;
mod manage;
pub mod popout;
pub mod qr;
mod view;

pub(crate) use activity::entries as activity_entries;
pub(crate) use view::{list_methods, nicknames_from};
pub mod watch;

use crate::auth::privilege;
use crate::auth::{call_context, now};
use crate::okta::types::{AuthenticatorEnrollment, OrgPipeline, UserFactor};
use crate::okta::OktaClient;
use crate::service::errors::{portal_error, Flow};
use crate::sessions::{KeyportSession, SignedInUser};
use app::api::{MethodsPortal, RequestInfo};
use app::error::{ErrorCode, PortalError};
use app::model::methods::{EnrollRequest, EnrollmentStep, MethodsActivity, MethodsView, TestStep};
use app::model::Pipeline;
use std::time::Duration;
use tower_sessions::Session;

/// A user's factors and, in Identity Engine, their enrollments (or why those failed).
type FactorsAndEnrollments = (
    Vec<UserFactor>,
    Option<Result<Vec<AuthenticatorEnrollment>, PortalError>>,
);

/// How long one request's methods view is kept for that same request. Rendering `/` builds the
/// view more than once (two overlapping builds and a third after them, measured 2026-12-01);
/// they all get the first build's answer. Keyed by request id, so no other request ever sees
/// it: nothing is stale across page views.
const VIEW_PER_REQUEST_TTL: Duration = Duration::from_secs(30);

#[derive(Clone, Debug)]
pub struct MethodsSettings {
    pub reverify_window: Duration,
    /// Refuse to remove the last method (the org requires one).
    pub require_one_method: bool,
    /// The Okta profile attribute Keyport keeps Identity Engine nicknames in.
    pub nickname_attribute: String,
    /// The RP id for WebAuthn ceremonies (Keyport's host).
    pub rp_id: String,
    /// Keyport's abuse limits (codes tried, messages sent).
    pub limits: crate::auth::limits::AbuseLimits,
    /// Countries a setup link may be texted to when the number is not on the account (empty:
    /// any country; the number must still be a mobile one).
    pub sms_countries: Vec<String>,
}

/// Facts about the org read once in a while.
#[derive(Clone, Debug)]
struct OrgFacts {
    pipeline: Option<Pipeline>,
    okta_verify_authenticator: Option<String>,
}

pub struct MethodsService {
    pub okta: OktaClient,
    /// Where the abuse limits count.
    pub kv: crate::sessions::Kv,
    pub notifier: std::sync::Arc<crate::notify::Notifier>,
    pub settings: MethodsSettings,
    pub watch: watch::Watch,
    /// Security key registration from a pop-out window (embed mode).
    pub popout: Option<popout::Popout>,
    /// One methods view per request, shared by every build of it in that request.
    views: moka::future::Cache<String, MethodsView>,
}

impl MethodsService {
    pub fn new(
        okta: OktaClient,
        kv: crate::sessions::Kv,
        notifier: std::sync::Arc<crate::notify::Notifier>,
        settings: MethodsSettings,
    ) -> Self {
        MethodsService {
            okta,
            kv,
            notifier,
            settings,
            watch: watch::Watch::default(),
            popout: None,
            views: moka::future::Cache::builder()
                .max_capacity(10_000)
                .time_to_live(VIEW_PER_REQUEST_TTL)
                .build(),
        }
    }

    /// Lets a pop-out window finish a framed session's security key enrollment.
    pub fn with_popout(self, popout: popout::Popout) -> Self {
        MethodsService {
            popout: Some(popout),
            ..self
        }
    }

    /// The org's pipeline (and Okta Verify's authenticator id in Identity Engine), from the
    /// client's org-wide reads (`freshness::ORG_SETTINGS`).
    async fn org_facts(&self) -> OrgFacts {
        let pipeline = match self.okta.org_metadata().await.map(|m| m.pipeline) {
            Ok(OrgPipeline::Classic) => Some(Pipeline::Classic),
            Ok(OrgPipeline::IdentityEngine) => Some(Pipeline::IdentityEngine),
            _ => None,
        };
        let okta_verify_authenticator = if pipeline == Some(Pipeline::IdentityEngine) {
            self.okta.list_authenticators().await.ok().and_then(|list| {
                list.into_iter()
                    .find(|a| a.key == crate::okta::types::AuthenticatorKey::OktaVerify)
                    .map(|a| a.id)
            })
        } else {
            None
        };
        OrgFacts {
            pipeline,
            okta_verify_authenticator,
        }
    }

    pub(crate) async fn pipeline(&self) -> Option<Pipeline> {
        self.org_facts().await.pipeline
    }

    async fn load(
        &self,
        session: &Session,
        req: &RequestInfo,
    ) -> Result<(KeyportSession, SignedInUser), PortalError> {
        crate::auth::load_signed_in(session, req).await
    }

    async fn save(
        &self,
        session: &Session,
        data: &KeyportSession,
        req: &RequestInfo,
    ) -> Result<(), PortalError> {
        crate::auth::save_session(session, data, req).await
    }

    /// Tells the person by email that a method was added or removed (in the background).
    fn notify(&self, user: &SignedInUser, event: crate::notify::SecurityEvent, req: &RequestInfo) {
        crate::notify::notify_in_background(
            self.okta.clone(),
            self.notifier.clone(),
            user.id.clone(),
            event,
            req,
        );
    }

    /// Sensitive actions need a recent verification: the one decision, asked in one place.
    fn require_recent(&self, user: &SignedInUser) -> Result<(), PortalError> {
        privilege::decide(user, now(), self.settings.reverify_window).require()
    }

    /// The user's factors, remembering their ids (and the enrollments') as the user's own.
    async fn factors(
        &self,
        data: &mut KeyportSession,
        user: &SignedInUser,
        req: &RequestInfo,
    ) -> Result<Vec<UserFactor>, PortalError> {
        Ok(self.factors_and_enrollments(data, user, req).await?.0)
    }

    /// The user's factors and, in Identity Engine, their authenticator enrollments, read at
    /// once, remembering every id as the user's own. An enrollment list Okta fails to give is
    /// `Some(Err)`: the ids still come from the factors, the view says what failed.
    async fn factors_and_enrollments(
        &self,
        data: &mut KeyportSession,
        user: &SignedInUser,
        req: &RequestInfo,
    ) -> Result<FactorsAndEnrollments, PortalError> {
        self.factors_and_enrollments_read(data, user, req).await.0
    }

    /// `factors_and_enrollments`, and when the oldest list shown was read if Okta could not be
    /// asked and the last known lists stand in.
    async fn factors_and_enrollments_read(
        &self,
        data: &mut KeyportSession,
        user: &SignedInUser,
        req: &RequestInfo,
    ) -> (
        Result<FactorsAndEnrollments, PortalError>,
        Option<std::time::SystemTime>,
    ) {
        let oie = self.pipeline().await == Some(Pipeline::IdentityEngine);
        let (factors, enrollments) = tokio::join!(self.okta.list_factors_read(&user.id), async {
            if oie {
                Some(self.okta.list_enrollments_read(&user.id, false).await)
            } else {
                None
            }
        });
        let stale_since = [
            factors.as_ref().ok().and_then(|r| r.stale_since),
            enrollments
                .as_ref()
                .and_then(|r| r.as_ref().ok())
                .and_then(|r| r.stale_since),
        ]
        .into_iter()
        .flatten()
        .min();
        let factors = match factors {
            Ok(r) => r.value,
            Err(e) => return (Err(portal_error(e, req, Flow::View)), None),
        };
        let enrollments = enrollments.map(|r| {
            r.map(|r| r.value)
                .map_err(|e| portal_error(e, req, Flow::View))
        });
        let mut ids: Vec<String> = factors.iter().map(|f| f.id.clone()).collect();
        if let Some(Ok(list)) = &enrollments {
            ids.extend(list.iter().map(|e| e.id.clone()));
        }
        ids.sort();
        ids.dedup();
        data.known_ids = ids;
        (Ok((factors, enrollments)), stale_since)
    }

    /// Checks that `id` is one of the user's methods, refreshing the list once if it is not
    /// known yet (it may have been added elsewhere). Never asks Okta about `id` itself.
    async fn ensure_own(
        &self,
        data: &mut KeyportSession,
        user: &SignedInUser,
        id: &str,
        req: &RequestInfo,
    ) -> Result<(), PortalError> {
        if data.known_ids.iter().any(|k| k == id) {
            return Ok(());
        }
        self.factors(data, user, req).await?;
        if data.known_ids.iter().any(|k| k == id) {
            Ok(())
        } else {
            tracing::warn!(user_id = %user.id, request_id = %req.request_id, "a request named a method that is not the user's");
            Err(not_found(req))
        }
    }
}

pub(crate) fn not_found(req: &RequestInfo) -> PortalError {
    PortalError::new(ErrorCode::NotFound, "That method isn't on your account (it may have been removed already). The page has been refreshed.")
        .with_correlation_id(req.request_id.clone())
}

#[async_trait::async_trait]
impl MethodsPortal for MethodsService {
    async fn activity(
        &self,
        session: &Session,
        req: &RequestInfo,
    ) -> Result<MethodsActivity, PortalError> {
        view::activity(self, session, req).await
    }

    async fn view(&self, session: &Session, req: &RequestInfo) -> Result<MethodsView, PortalError> {
        // Every build of this request's view waits for the first one (moka loads a key once
        // for all concurrent callers); a request without an id builds its own.
        if req.request_id.is_empty() {
            return view::build(self, session, req).await;
        }
        let key = format!(
            "{}:{}",
            req.request_id,
            session.id().map(|i| i.to_string()).unwrap_or_default()
        );
        self.views
            .try_get_with(key, view::build(self, session, req))
            .await
            .map_err(|e| (*e).clone())
    }

    async fn start_enrollment(
        &self,
        session: &Session,
        req: &RequestInfo,
        request: EnrollRequest,
    ) -> Result<EnrollmentStep, PortalError> {
        enroll::start(self, session, req, request).await
    }

    async fn enrollment_status(
        &self,
        session: &Session,
        req: &RequestInfo,
    ) -> Result<Option<EnrollmentStep>, PortalError> {
        enroll::status(self, session, req).await
    }

    async fn renew_enrollment(
        &self,
        session: &Session,
        req: &RequestInfo,
    ) -> Result<EnrollmentStep, PortalError> {
        enroll::renew(self, session, req).await
    }

    async fn send_setup_link(
        &self,
        session: &Session,
        req: &RequestInfo,
        channel: String,
        phone: Option<String>,
    ) -> Result<String, PortalError> {
        enroll::send_link(self, session, req, channel, phone).await
    }

    async fn activate_enrollment(
        &self,
        session: &Session,
        req: &RequestInfo,
        code: String,
    ) -> Result<EnrollmentStep, PortalError> {
        enroll::activate(self, session, req, code).await
    }

    async fn register_key(
        &self,
        session: &Session,
        req: &RequestInfo,
        credential: webauthn_rs_proto::RegisterPublicKeyCredential,
    ) -> Result<EnrollmentStep, PortalError> {
        enroll::register_key(self, session, req, credential).await
    }

    async fn popout_ticket(
        &self,
        session: &Session,
        req: &RequestInfo,
        purpose: String,
    ) -> Result<String, PortalError> {
        let purpose = popout::Purpose::parse(&purpose)
            .ok_or_else(|| PortalError::new(ErrorCode::InvalidInput, "Unknown pop-out purpose."))?;
        popout::ticket(self, session, req, purpose).await
    }

    async fn popout_adopt(
        &self,
        req: &RequestInfo,
        ticket: String,
    ) -> Result<(String, String), PortalError> {
        popout::adopt(self, req, &ticket).await
    }

    async fn popout_options(
        &self,
        req: &RequestInfo,
        ticket: String,
    ) -> Result<EnrollmentStep, PortalError> {
        popout::options(self, req, &ticket).await
    }

    async fn popout_register(
        &self,
        req: &RequestInfo,
        ticket: String,
        credential: webauthn_rs_proto::RegisterPublicKeyCredential,
    ) -> Result<EnrollmentStep, PortalError> {
        popout::register(self, req, &ticket, credential).await
    }

    async fn resend_enrollment_code(
        &self,
        session: &Session,
        req: &RequestInfo,
    ) -> Result<EnrollmentStep, PortalError> {
        enroll::resend(self, session, req).await
    }

    async fn cancel_enrollment(
        &self,
        session: &Session,
        req: &RequestInfo,
    ) -> Result<(), PortalError> {
        enroll::cancel(self, session, req).await
    }

    async fn test_start(
        &self,
        session: &Session,
        req: &RequestInfo,
        method_id: String,
    ) -> Result<TestStep, PortalError> {
        manage::test_start(self, session, req, method_id).await
    }

    async fn test_code(
        &self,
        session: &Session,
        req: &RequestInfo,
        code: String,
    ) -> Result<TestStep, PortalError> {
        manage::test_code(self, session, req, code).await
    }

    async fn test_poll(
        &self,
        session: &Session,
        req: &RequestInfo,
    ) -> Result<TestStep, PortalError> {
        manage::test_poll(self, session, req).await
    }

    async fn test_key(
        &self,
        session: &Session,
        req: &RequestInfo,
        credential: webauthn_rs_proto::PublicKeyCredential,
    ) -> Result<TestStep, PortalError> {
        manage::test_key(self, session, req, credential).await
    }

    async fn remove_method(
        &self,
        session: &Session,
        req: &RequestInfo,
        method_id: String,
        keep_recovery: bool,
    ) -> Result<(), PortalError> {
        manage::remove(self, session, req, method_id, keep_recovery).await
    }

    async fn rename_method(
        &self,
        session: &Session,
        req: &RequestInfo,
        method_id: String,
        nickname: String,
    ) -> Result<(), PortalError> {
        manage::rename(self, session, req, method_id, nickname).await
    }
}

/// Okta's context headers for a call made on the user's behalf.
pub(crate) fn ctx(req: &RequestInfo) -> crate::okta::CallContext {
    call_context(req)
}
