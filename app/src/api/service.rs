//! The seam between server functions and the server crate: traits the `server` crate
//! implements, found in Leptos context as [`Services`], and the request facts server functions
//! pass along.

use crate::error::{ErrorCode, PortalError};
use crate::model::account::{AccountView, ProfileUpdate};
use crate::model::admin::{AuthenticatorsView, HelpdeskUser, IssuedAccessCode, UserHit};
use crate::model::auth::{HandoffChoice, ReverifyStep, SessionView, SignInStep};
use crate::model::methods::{
    EnrollRequest, EnrollmentStep, MethodsActivity, MethodsView, TestStep,
};
use crate::model::{SiteInfo, UpstreamStatus};
use std::sync::Arc;
use tower_sessions::Session;

/// Facts about the request a server function serves, gathered by the server's middleware.
#[derive(Clone, Debug, Default)]
pub struct RequestInfo {
    /// The id in the log line and the `X-Request-Id` header (the correlation id users see).
    pub request_id: String,
    pub client_ip: Option<String>,
    pub user_agent: Option<String>,
    pub accept_language: Option<String>,
}

/// Deployment facts and the upstream check.
#[async_trait::async_trait]
pub trait Portal: Send + Sync + 'static {
    /// Deployment facts; cheap, no upstream call.
    fn site_info(&self) -> SiteInfo;

    /// One round trip to the org's `/.well-known/okta-organization`.
    async fn check_upstream(&self) -> Result<UpstreamStatus, PortalError>;
}

/// Signing in and out, and re-verifying before sensitive actions.
#[async_trait::async_trait]
pub trait AuthPortal: Send + Sync + 'static {
    /// Who is signed in, and the page's anti-CSRF token.
    async fn session_view(&self, session: &Session) -> SessionView;

    /// Where a sign-in stands (after a reload, the same step again).
    async fn sign_in_state(&self, session: &Session) -> SignInStep;
    async fn sign_in(
        &self,
        session: &Session,
        req: &RequestInfo,
        username: String,
        password: String,
    ) -> Result<SignInStep, PortalError>;
    async fn choose_factor(
        &self,
        session: &Session,
        req: &RequestInfo,
        factor_id: String,
    ) -> Result<SignInStep, PortalError>;
    /// A code, or a security question's answer.
    async fn submit_code(
        &self,
        session: &Session,
        req: &RequestInfo,
        code: String,
    ) -> Result<SignInStep, PortalError>;
    async fn poll_push(
        &self,
        session: &Session,
        req: &RequestInfo,
    ) -> Result<SignInStep, PortalError>;
    async fn resend(&self, session: &Session, req: &RequestInfo)
        -> Result<SignInStep, PortalError>;
    async fn submit_security_key(
        &self,
        session: &Session,
        req: &RequestInfo,
        credential: webauthn_rs_proto::PublicKeyCredential,
    ) -> Result<SignInStep, PortalError>;
    async fn change_expired_password(
        &self,
        session: &Session,
        req: &RequestInfo,
        old_password: String,
        new_password: String,
    ) -> Result<SignInStep, PortalError>;
    /// Back to the choice of method.
    async fn other_factor(&self, session: &Session) -> Result<SignInStep, PortalError>;
    /// Abandons the sign-in.
    async fn restart_sign_in(&self, session: &Session) -> SignInStep;
    async fn sign_out(
        &self,
        session: &Session,
        req: &RequestInfo,
        everywhere: bool,
    ) -> Result<(), PortalError>;

    async fn reverify_state(
        &self,
        session: &Session,
        req: &RequestInfo,
    ) -> Result<ReverifyStep, PortalError>;
    async fn reverify_start(
        &self,
        session: &Session,
        req: &RequestInfo,
        factor_id: String,
    ) -> Result<ReverifyStep, PortalError>;
    async fn reverify_code(
        &self,
        session: &Session,
        req: &RequestInfo,
        code: String,
    ) -> Result<ReverifyStep, PortalError>;
    async fn reverify_poll(
        &self,
        session: &Session,
        req: &RequestInfo,
    ) -> Result<ReverifyStep, PortalError>;
    async fn reverify_security_key(
        &self,
        session: &Session,
        req: &RequestInfo,
        credential: webauthn_rs_proto::PublicKeyCredential,
    ) -> Result<ReverifyStep, PortalError>;
    async fn reverify_password(
        &self,
        session: &Session,
        req: &RequestInfo,
        password: String,
    ) -> Result<ReverifyStep, PortalError>;
    async fn reverify_cancel(&self, session: &Session) -> Result<ReverifyStep, PortalError>;

    /// A hand-over from another site waiting for the signed-in person's choice, if any.
    async fn handoff_choice(&self, session: &Session) -> Option<HandoffChoice>;
    /// Switches to the handed-over person, or stays; answers the path to go to next.
    async fn decide_handoff(
        &self,
        session: &Session,
        req: &RequestInfo,
        switch: bool,
    ) -> Result<String, PortalError>;
}

/// The security methods page: list, enroll, test, rename, remove.
#[async_trait::async_trait]
pub trait MethodsPortal: Send + Sync + 'static {
    async fn view(&self, session: &Session, req: &RequestInfo) -> Result<MethodsView, PortalError>;
    /// Recent activity (a System Log read): loaded after the page paints.
    async fn activity(
        &self,
        session: &Session,
        req: &RequestInfo,
    ) -> Result<MethodsActivity, PortalError>;
    async fn start_enrollment(
        &self,
        session: &Session,
        req: &RequestInfo,
        request: EnrollRequest,
    ) -> Result<EnrollmentStep, PortalError>;
    /// Has the phone finished (Okta Verify)? Answers from a poll shared by every tab.
    async fn enrollment_status(
        &self,
        session: &Session,
        req: &RequestInfo,
    ) -> Result<Option<EnrollmentStep>, PortalError>;
    /// A fresh QR code after the last one expired.
    async fn renew_enrollment(
        &self,
        session: &Session,
        req: &RequestInfo,
    ) -> Result<EnrollmentStep, PortalError>;
    async fn send_setup_link(
        &self,
        session: &Session,
        req: &RequestInfo,
        channel: String,
        phone: Option<String>,
    ) -> Result<String, PortalError>;
    async fn activate_enrollment(
        &self,
        session: &Session,
        req: &RequestInfo,
        code: String,
    ) -> Result<EnrollmentStep, PortalError>;
    async fn register_key(
        &self,
        session: &Session,
        req: &RequestInfo,
        credential: webauthn_rs_proto::RegisterPublicKeyCredential,
    ) -> Result<EnrollmentStep, PortalError>;
    /// A single-use ticket letting a pop-out window on Keyport's own origin finish this
    /// session's security key enrollment (Keyport inside another site's frame).
    async fn popout_ticket(
        &self,
        session: &Session,
        req: &RequestInfo,
        purpose: String,
    ) -> Result<String, PortalError>;
    /// The pop-out window joins the frame's session to confirm it's the person with a
    /// security key: the `Set-Cookie` value, and the session's page token.
    async fn popout_adopt(
        &self,
        req: &RequestInfo,
        ticket: String,
    ) -> Result<(String, String), PortalError>;
    /// The pop-out window: the creation options of the enrollment its ticket names.
    async fn popout_options(
        &self,
        req: &RequestInfo,
        ticket: String,
    ) -> Result<EnrollmentStep, PortalError>;
    /// The pop-out window: finishes the enrollment its ticket names with the attestation.
    async fn popout_register(
        &self,
        req: &RequestInfo,
        ticket: String,
        credential: webauthn_rs_proto::RegisterPublicKeyCredential,
    ) -> Result<EnrollmentStep, PortalError>;
    async fn resend_enrollment_code(
        &self,
        session: &Session,
        req: &RequestInfo,
    ) -> Result<EnrollmentStep, PortalError>;
    /// Abandons the enrollment and removes the pending factor.
    async fn cancel_enrollment(
        &self,
        session: &Session,
        req: &RequestInfo,
    ) -> Result<(), PortalError>;
    async fn test_start(
        &self,
        session: &Session,
        req: &RequestInfo,
        method_id: String,
    ) -> Result<TestStep, PortalError>;
    async fn test_code(
        &self,
        session: &Session,
        req: &RequestInfo,
        code: String,
    ) -> Result<TestStep, PortalError>;
    async fn test_poll(
        &self,
        session: &Session,
        req: &RequestInfo,
    ) -> Result<TestStep, PortalError>;
    async fn test_key(
        &self,
        session: &Session,
        req: &RequestInfo,
        credential: webauthn_rs_proto::PublicKeyCredential,
    ) -> Result<TestStep, PortalError>;
    async fn remove_method(
        &self,
        session: &Session,
        req: &RequestInfo,
        method_id: String,
        keep_recovery: bool,
    ) -> Result<(), PortalError>;
    async fn rename_method(
        &self,
        session: &Session,
        req: &RequestInfo,
        method_id: String,
        nickname: String,
    ) -> Result<(), PortalError>;
}

/// Every service, as one value in Leptos context.
#[derive(Clone)]
pub struct Services {
    pub portal: Arc<dyn Portal>,
    pub auth: Arc<dyn AuthPortal>,
    pub methods: Arc<dyn MethodsPortal>,
    pub account: Arc<dyn AccountPortal>,
    pub admin: Arc<dyn AdminPortal>,
}

/// The account page: password, username, profile basics.
#[async_trait::async_trait]
pub trait AccountPortal: Send + Sync + 'static {
    async fn account(
        &self,
        session: &Session,
        req: &RequestInfo,
    ) -> Result<AccountView, PortalError>;
    async fn change_password(
        &self,
        session: &Session,
        req: &RequestInfo,
        old_password: String,
        new_password: String,
        sign_out_others: bool,
    ) -> Result<(), PortalError>;
    async fn change_login(
        &self,
        session: &Session,
        req: &RequestInfo,
        login: String,
    ) -> Result<String, PortalError>;
    async fn update_profile(
        &self,
        session: &Session,
        req: &RequestInfo,
        update: ProfileUpdate,
    ) -> Result<(), PortalError>;
}

/// The admin area and help desk. Every method answers `NotFound` to anyone who is not a
/// member of the admin group, as if the admin area did not exist.
#[async_trait::async_trait]
pub trait AdminPortal: Send + Sync + 'static {
    /// Whether the signed-in user may use the admin area (checked against Okta, cached briefly).
    async fn is_admin(&self, session: &Session, req: &RequestInfo) -> bool;
    async fn authenticators(
        &self,
        session: &Session,
        req: &RequestInfo,
    ) -> Result<AuthenticatorsView, PortalError>;
    async fn set_authenticator_active(
        &self,
        session: &Session,
        req: &RequestInfo,
        authenticator_id: String,
        active: bool,
    ) -> Result<AuthenticatorsView, PortalError>;
    async fn search_users(
        &self,
        session: &Session,
        req: &RequestInfo,
        query: String,
    ) -> Result<Vec<UserHit>, PortalError>;
    async fn user(
        &self,
        session: &Session,
        req: &RequestInfo,
        user_id: String,
    ) -> Result<HelpdeskUser, PortalError>;
    async fn remove_method(
        &self,
        session: &Session,
        req: &RequestInfo,
        user_id: String,
        method_id: String,
    ) -> Result<(), PortalError>;
    /// Removes every method; `confirmation` must be the user's username, typed.
    async fn reset_methods(
        &self,
        session: &Session,
        req: &RequestInfo,
        user_id: String,
        confirmation: String,
    ) -> Result<(), PortalError>;
    async fn unlock(
        &self,
        session: &Session,
        req: &RequestInfo,
        user_id: String,
    ) -> Result<(), PortalError>;
    async fn issue_access_code(
        &self,
        session: &Session,
        req: &RequestInfo,
        user_id: String,
    ) -> Result<IssuedAccessCode, PortalError>;
    /// Registers a hardware token (custom TOTP) from its base32 seed, proven by a current code.
    async fn add_hardware_token(
        &self,
        session: &Session,
        req: &RequestInfo,
        user_id: String,
        secret: String,
        code: String,
    ) -> Result<(), PortalError>;
}

/// The services for this request.
pub fn services() -> Result<Services, PortalError> {
    leptos::prelude::use_context::<Services>().ok_or_else(|| {
        tracing::error!("server function called without Services in context");
        PortalError::new(
            ErrorCode::Internal,
            "Keyport is not fully started. Please try again.",
        )
    })
}

/// The session, the request facts and the services, as every server function needs them.
pub async fn context() -> Result<(Services, Session, RequestInfo), PortalError> {
    let services = services()?;
    let session = leptos_axum::extract::<Session>().await.map_err(|e| {
        tracing::error!(error = %e, "no session on a server function request");
        PortalError::new(
            ErrorCode::Internal,
            "Your session could not be read. Reload the page.",
        )
    })?;
    let info = leptos_axum::extract::<axum::Extension<RequestInfo>>()
        .await
        .map(|e| e.0)
        .unwrap_or_default();
    Ok((services, session, info))
}

/// Gives a failed server function the HTTP status of its error (400 for bad input, 401 to sign
/// in, 403, 404, 429 with the wait, 503 for Okta being down…), so the browser and logs see
/// refusals for what they are rather than as server failures.
pub fn respond<T>(result: Result<T, PortalError>) -> Result<T, PortalError> {
    // A page rendered on the server calls server functions inline. Its status says whether the
    // page is there for this person (404 for the admin area outside the admin group); a
    // passing wait the page explains and recovers from by itself ("Okta is busy, loading in
    // 6 s") leaves it a 200, since browsers treat a 429 or 503 document as a failed load.
    let page = leptos::prelude::use_context::<axum::http::request::Parts>()
        .is_some_and(|parts| !parts.uri.path().starts_with("/api/"));
    let passing = |e: &PortalError| {
        matches!(
            e.code,
            ErrorCode::RateLimited | ErrorCode::UpstreamUnavailable
        )
    };
    if let Some(e) = result.as_ref().err().filter(|e| !(page && passing(e))) {
        if let Some(options) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
            options.set_status(
                axum::http::StatusCode::from_u16(e.code.http_status())
                    .unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR),
            );
            if let Some(wait) = e.retry_after_seconds {
                if let Ok(v) = axum::http::HeaderValue::from_str(&wait.to_string()) {
                    options.insert_header(axum::http::header::RETRY_AFTER, v);
                }
            }
        }
    }
    result
}

/// Whether this server-function call is a plain HTML form post (a page whose wasm has not
/// arrived, or never will), not the app's own client: the browser then asked for a page.
pub fn posted_by_plain_form() -> bool {
    leptos::prelude::use_context::<axum::http::request::Parts>().is_some_and(|parts| {
        parts
            .headers
            .get(axum::http::header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|accept| accept.contains("text/html"))
    })
}

/// The session key of an error a plain form post keeps for the next page.
pub const FORM_ERROR: &str = "keyport.form_error";

/// The error a plain form post left, taken out of the session by the server before the page
/// renders (a session changed while the page renders would not be saved) and handed to the
/// render in the request's extensions.
#[derive(Clone, Debug)]
pub struct KeptError(pub PortalError);

/// Answers a plain form post: the browser goes to `page`, which shows `result`'s error, if any,
/// once (`take_kept_error`). The error stays in the server's session, never in the address, so
/// a link cannot put words on Keyport's page.
pub async fn answer_plain_form<T>(
    result: Result<T, PortalError>,
    page: &str,
) -> Result<T, PortalError> {
    if let Err(e) = &result {
        if let Ok((_, session, _)) = context().await {
            if let Err(store) = session.insert(FORM_ERROR, e).await {
                tracing::warn!(error = %store, "cannot keep a form's error for the next page");
            }
        }
    }
    leptos_axum::redirect(page);
    result
}

/// The error a plain form post left for this page (already taken out of the session, so it is
/// shown once).
pub async fn take_kept_error() -> Option<PortalError> {
    leptos::prelude::use_context::<axum::http::request::Parts>()?
        .extensions
        .get::<KeptError>()
        .map(|kept| kept.0.clone())
}
