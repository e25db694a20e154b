//! Signing in to Keyport, re-verifying before sensitive actions, and the sign-in handoff from
//! the company's own application.
//!
//! - `signin`: Okta's Authn API inside Keyport's page (password, then a factor).
//! - `reverify`: a fresh factor verification through the Factors API, and the one decision
//!   sensitive actions ask (`privilege`).
//! - `handoff`: a short-lived JWT from the company's server opens a session.
//! - `challenge`: one challenge of a factor, shared by re-verification and "test this method".
//! - `switch`: a cross-site hand-over into another person's session waits for their choice.
//! - `limits`: Keyport's own abuse limits, keyed on the resolved account.

mod challenge;
pub mod handoff;
pub mod limits;
pub mod privilege;
mod reverify;
pub(crate) mod signin;
mod switch;
mod webauthn;

pub(crate) use challenge::{Challenger, PushOutcome};

use crate::okta::{CallContext, OktaClient};
use crate::service::errors::{internal, portal_error, Flow};
use crate::sessions::data::SignInMethod;
use crate::sessions::{KeyportSession, Kv, SignedInUser};
use app::api::{AuthPortal, RequestInfo};
use app::error::{ErrorCode, PortalError};
use app::model::auth::{HandoffChoice, ReverifyStep, SessionView, SignInStep, UserSummary};
use std::time::Duration;
use time::OffsetDateTime;
use tower_sessions::Session;

/// How long an admin-group check is trusted before the groups are read again.
const ADMIN_CACHE: Duration = Duration::from_secs(60);

/// Settings of sign-in and re-verification.
#[derive(Clone, Debug)]
pub struct AuthSettings {
    pub reverify_window: Duration,
    /// The Okta group whose members may use the admin area.
    pub admin_group: String,
    /// The RP id for WebAuthn (Keyport's host: Okta's options name none).
    pub rp_id: String,
    pub limits: limits::AbuseLimits,
}

pub struct AuthService {
    pub okta: OktaClient,
    pub kv: Kv,
    pub settings: AuthSettings,
}

pub(crate) fn now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

/// Unix milliseconds: the unit of "signed out everywhere" marks.
pub(crate) fn now_ms() -> i64 {
    (OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

/// Okta's context headers for a call made on the user's behalf.
pub(crate) fn call_context(req: &RequestInfo) -> CallContext {
    CallContext {
        accept_language: req.accept_language.clone(),
        user_agent: req.user_agent.clone(),
        forwarded_for: req.client_ip.clone(),
    }
}

pub(crate) fn signed_out(req: &RequestInfo) -> PortalError {
    PortalError::new(ErrorCode::SignInRequired, "Please sign in to continue.")
        .with_correlation_id(req.request_id.clone())
}

/// The session's data and its signed-in user, or "please sign in" (for every service that
/// acts for a signed-in user).
pub(crate) async fn load_signed_in(
    session: &Session,
    req: &RequestInfo,
) -> Result<(KeyportSession, crate::sessions::SignedInUser), PortalError> {
    let data = KeyportSession::load(session).await;
    let user = data.user.clone().ok_or_else(|| signed_out(req))?;
    Ok((data, user))
}

/// Saves the session's data; a store failure is an internal error with its log line.
pub(crate) async fn save_session(
    session: &Session,
    data: &KeyportSession,
    req: &RequestInfo,
) -> Result<(), PortalError> {
    data.save(session)
        .await
        .map_err(|e| internal("cannot save the session", e, req))
}

/// A fresh verification of the person (a factor, or the password when they have none): stamps
/// `verified_at` and renews the session id against fixation, except for a session a pop-out
/// window shares with Keyport's frame (the frame's cookie would be left naming the old one).
/// Re-verification and a passed "test this method" both end here. Saves the session.
pub(crate) async fn mark_verified(
    session: &Session,
    req: &RequestInfo,
    mut data: KeyportSession,
) -> Result<(), PortalError> {
    if let Some(u) = data.user.as_mut() {
        u.verified_at = now();
        tracing::info!(user_id = %u.id, request_id = %req.request_id, "verified");
    }
    if !data.shared_with_window {
        session
            .cycle_id()
            .await
            .map_err(|e| internal("cannot renew the session id", e, req))?;
    }
    save_session(session, &data, req).await
}

impl AuthService {
    pub(crate) async fn load(&self, session: &Session) -> KeyportSession {
        KeyportSession::load(session).await
    }

    pub(crate) async fn save(
        &self,
        session: &Session,
        data: &KeyportSession,
        req: &RequestInfo,
    ) -> Result<(), PortalError> {
        save_session(session, data, req).await
    }

    /// Opens a signed-in session: a new session id (fixation), the user, when they verified.
    pub(crate) async fn establish(
        &self,
        session: &Session,
        req: &RequestInfo,
        user: SignedInUser,
    ) -> Result<UserSummary, PortalError> {
        session
            .cycle_id()
            .await
            .map_err(|e| internal("cannot renew the session id", e, req))?;
        let mut data = KeyportSession::default();
        data.ensure_csrf();
        tracing::info!(user_id = %user.id, method = ?user.method, request_id = %req.request_id, "signed in");
        data.user = Some(user);
        let summary = self.summary(&mut data).await;
        self.save(session, &data, req).await?;
        Ok(summary)
    }

    /// Who the user is, with admin membership checked on the server (cached briefly).
    pub(crate) async fn summary(&self, data: &mut KeyportSession) -> UserSummary {
        let Some(user) = data.user.as_mut() else {
            return UserSummary {
                login: String::new(),
                display_name: String::new(),
                is_admin: false,
            };
        };
        let is_admin = check_admin(&self.okta, &self.settings.admin_group, user).await;
        UserSummary {
            login: user.login.clone(),
            display_name: user.display_name.clone(),
            is_admin,
        }
    }

    /// The signed-in user, or the error that sends the page to sign-in.
    pub(crate) fn require_user<'a>(
        &self,
        data: &'a KeyportSession,
        req: &RequestInfo,
    ) -> Result<&'a SignedInUser, PortalError> {
        data.user.as_ref().ok_or_else(|| signed_out(req))
    }
}

#[async_trait::async_trait]
impl AuthPortal for AuthService {
    async fn session_view(&self, session: &Session) -> SessionView {
        let mut data = self.load(session).await;
        let user = match data.user {
            Some(_) => {
                let summary = self.summary(&mut data).await;
                // The admin check's cache is worth keeping; a failure to save it is harmless.
                let _ = data.save(session).await;
                Some(summary)
            }
            None => None,
        };
        SessionView {
            user,
            csrf: data.csrf,
        }
    }

    async fn sign_in_state(&self, session: &Session) -> SignInStep {
        signin::state(self, session).await
    }

    async fn sign_in(
        &self,
        session: &Session,
        req: &RequestInfo,
        username: String,
        password: String,
    ) -> Result<SignInStep, PortalError> {
        signin::start(self, session, req, username, password).await
    }

    async fn choose_factor(
        &self,
        session: &Session,
        req: &RequestInfo,
        factor_id: String,
    ) -> Result<SignInStep, PortalError> {
        signin::choose(self, session, req, factor_id).await
    }

    async fn submit_code(
        &self,
        session: &Session,
        req: &RequestInfo,
        code: String,
    ) -> Result<SignInStep, PortalError> {
        signin::code(self, session, req, code).await
    }

    async fn poll_push(
        &self,
        session: &Session,
        req: &RequestInfo,
    ) -> Result<SignInStep, PortalError> {
        signin::poll(self, session, req).await
    }

    async fn resend(
        &self,
        session: &Session,
        req: &RequestInfo,
    ) -> Result<SignInStep, PortalError> {
        signin::resend(self, session, req).await
    }

    async fn submit_security_key(
        &self,
        session: &Session,
        req: &RequestInfo,
        credential: webauthn_rs_proto::PublicKeyCredential,
    ) -> Result<SignInStep, PortalError> {
        signin::security_key(self, session, req, credential).await
    }

    async fn change_expired_password(
        &self,
        session: &Session,
        req: &RequestInfo,
        old_password: String,
        new_password: String,
    ) -> Result<SignInStep, PortalError> {
        signin::change_password(self, session, req, old_password, new_password).await
    }

    async fn other_factor(&self, session: &Session) -> Result<SignInStep, PortalError> {
        signin::other_factor(self, session).await
    }

    async fn restart_sign_in(&self, session: &Session) -> SignInStep {
        signin::restart(self, session).await
    }

    async fn sign_out(
        &self,
        session: &Session,
        req: &RequestInfo,
        everywhere: bool,
    ) -> Result<(), PortalError> {
        let data = self.load(session).await;
        if let Some(user) = &data.user {
            if everywhere {
                if let Err(e) = self.okta.clear_user_sessions(&user.id).await {
                    return Err(portal_error(e, req, Flow::Manage));
                }
                // Every Keyport session of this user signed in before now ends too.
                let key = crate::sessions::signed_out_key(&user.id);
                if let Err(e) = self
                    .kv
                    .set(
                        &key,
                        &now_ms().to_string(),
                        Duration::from_secs(60 * 60 * 24 * 30),
                    )
                    .await
                {
                    return Err(internal("cannot record sign-out everywhere", e, req));
                }
            }
            tracing::info!(user_id = %user.id, everywhere, request_id = %req.request_id, "signed out");
        }
        session
            .flush()
            .await
            .map_err(|e| internal("cannot end the session", e, req))?;
        // A fresh anonymous session with its token, in this answer's cookie: the sign-in page
        // the browser goes to next, and anything loading beside it, share it, rather than
        // each minting a session (and a token) of its own.
        let mut fresh = KeyportSession::default();
        fresh.ensure_csrf();
        self.save(session, &fresh, req).await
    }

    async fn reverify_state(
        &self,
        session: &Session,
        req: &RequestInfo,
    ) -> Result<ReverifyStep, PortalError> {
        reverify::state(self, session, req).await
    }

    async fn reverify_start(
        &self,
        session: &Session,
        req: &RequestInfo,
        factor_id: String,
    ) -> Result<ReverifyStep, PortalError> {
        reverify::start(self, session, req, factor_id).await
    }

    async fn reverify_code(
        &self,
        session: &Session,
        req: &RequestInfo,
        code: String,
    ) -> Result<ReverifyStep, PortalError> {
        reverify::code(self, session, req, code).await
    }

    async fn reverify_poll(
        &self,
        session: &Session,
        req: &RequestInfo,
    ) -> Result<ReverifyStep, PortalError> {
        reverify::poll(self, session, req).await
    }

    async fn reverify_security_key(
        &self,
        session: &Session,
        req: &RequestInfo,
        credential: webauthn_rs_proto::PublicKeyCredential,
    ) -> Result<ReverifyStep, PortalError> {
        reverify::security_key(self, session, req, credential).await
    }

    async fn reverify_password(
        &self,
        session: &Session,
        req: &RequestInfo,
        password: String,
    ) -> Result<ReverifyStep, PortalError> {
        reverify::password(self, session, req, password).await
    }

    async fn handoff_choice(&self, session: &Session) -> Option<HandoffChoice> {
        self.pending_switch(session).await
    }

    async fn decide_handoff(
        &self,
        session: &Session,
        req: &RequestInfo,
        switch: bool,
    ) -> Result<String, PortalError> {
        self.decide_switch(session, req, switch).await
    }

    async fn reverify_cancel(&self, session: &Session) -> Result<ReverifyStep, PortalError> {
        let mut data = self.load(session).await;
        data.reverify = None;
        let _ = data.save(session).await;
        Ok(ReverifyStep::Choose {
            factors: vec![],
            password: false,
        })
    }
}

/// A signed-in user as sign-in or handoff found them.
pub(crate) fn new_user(
    id: String,
    login: String,
    display_name: String,
    method: SignInMethod,
    verified: bool,
) -> SignedInUser {
    let t = now();
    SignedInUser {
        id,
        login,
        display_name,
        method,
        signed_in_at: t,
        signed_in_at_ms: now_ms(),
        verified_at: if verified { t } else { 0 },
        admin: None,
    }
}

/// Whether `user` is in the admin group: read from Okta's groups of the user, trusted for
/// [`ADMIN_CACHE`] (the answer is kept in the session; the caller saves it). An Okta failure
/// counts as "no": the admin area stays shut rather than open.
pub(crate) async fn check_admin(okta: &OktaClient, group: &str, user: &mut SignedInUser) -> bool {
    let fresh = user
        .admin
        .is_some_and(|(_, at)| now() - at < ADMIN_CACHE.as_secs() as i64);
    if !fresh {
        let is_admin = match okta.user_groups(&user.id).await {
            Ok(groups) => groups.iter().any(|g| g.profile.name == group),
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the user's groups; treating as not an admin");
                return false;
            }
        };
        user.admin = Some((is_admin, now()));
    }
    user.admin.is_some_and(|(a, _)| a)
}
