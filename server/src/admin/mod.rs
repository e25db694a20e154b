//! The admin area: the org's authenticators (turn them on and off) and the help desk (find a
//! user, see their methods and activity, remove one or all, unlock, issue a temporary access
//! code, register a hardware token).
//!
//! Only members of the admin group get in. The check is made here, on the server, from the
//! user's Okta groups (cached briefly in the session), for every call; to anyone else every
//! admin call answers "not found", as if the admin area did not exist. Every action writes
//! an audit line ([`audit`]).

pub mod audit;
mod authenticators;
mod helpdesk;

use crate::auth::{now, privilege};
use crate::methods::MethodsService;
use crate::okta::OktaClient;
use crate::service::input;
use crate::sessions::{KeyportSession, SignedInUser};
use app::api::{AdminPortal, RequestInfo};
use app::error::{ErrorCode, PortalError};
use app::model::admin::{AuthenticatorsView, HelpdeskUser, IssuedAccessCode, UserHit};
use app::model::Pipeline;
use std::sync::Arc;
use std::time::Duration;
use tower_sessions::Session;

#[derive(Clone, Debug)]
pub struct AdminSettings {
    /// The Okta group whose members may use the admin area.
    pub admin_group: String,
    pub reverify_window: Duration,
    /// The custom TOTP factor profile (`fpr…`) hardware tokens are registered under; none
    /// hides the hardware token form.
    pub hardware_token_profile: Option<String>,
    /// How long a temporary access code works, in minutes.
    pub access_code_minutes: u32,
}

pub struct AdminService {
    pub okta: OktaClient,
    pub settings: AdminSettings,
    /// The user's own methods service: its cached org facts and nickname setting.
    pub methods: Arc<MethodsService>,
}

/// The answer to anyone outside the admin group: there is nothing here.
fn not_found(req: &RequestInfo) -> PortalError {
    PortalError::new(ErrorCode::NotFound, "There is nothing at this address.")
        .with_correlation_id(req.request_id.clone())
}

impl AdminService {
    pub fn new(okta: OktaClient, settings: AdminSettings, methods: Arc<MethodsService>) -> Self {
        AdminService {
            okta,
            settings,
            methods,
        }
    }

    /// The signed-in admin, or "not found" for everyone else (signed out included).
    async fn require_admin(
        &self,
        session: &Session,
        req: &RequestInfo,
    ) -> Result<(KeyportSession, SignedInUser), PortalError> {
        let Ok((mut data, _)) = crate::auth::load_signed_in(session, req).await else {
            return Err(not_found(req));
        };
        let Some(user) = data.user.as_mut() else {
            return Err(not_found(req));
        };
        let before = user.admin;
        let is_admin = crate::auth::check_admin(&self.okta, &self.settings.admin_group, user).await;
        let user = user.clone();
        if user.admin != before {
            crate::auth::save_session(session, &data, req).await?;
        }
        if is_admin {
            Ok((data, user))
        } else {
            tracing::warn!(user_id = %user.id, request_id = %req.request_id, "a non-admin asked for the admin area");
            Err(not_found(req))
        }
    }

    /// Changes need a recent verification, as the user's own sensitive changes do.
    fn require_recent(&self, user: &SignedInUser) -> Result<(), PortalError> {
        privilege::decide(user, now(), self.settings.reverify_window).require()
    }

    /// The org's pipeline, as the methods service has it cached.
    async fn pipeline(&self) -> Option<Pipeline> {
        self.methods.pipeline().await
    }
}

#[async_trait::async_trait]
impl AdminPortal for AdminService {
    async fn is_admin(&self, session: &Session, req: &RequestInfo) -> bool {
        self.require_admin(session, req).await.is_ok()
    }

    async fn authenticators(
        &self,
        session: &Session,
        req: &RequestInfo,
    ) -> Result<AuthenticatorsView, PortalError> {
        self.require_admin(session, req).await?;
        authenticators::view(self, req).await
    }

    async fn set_authenticator_active(
        &self,
        session: &Session,
        req: &RequestInfo,
        authenticator_id: String,
        active: bool,
    ) -> Result<AuthenticatorsView, PortalError> {
        let (_, admin) = self.require_admin(session, req).await?;
        input::check_id(&authenticator_id)?;
        self.require_recent(&admin)?;
        authenticators::set_active(self, &admin, req, &authenticator_id, active).await
    }

    async fn search_users(
        &self,
        session: &Session,
        req: &RequestInfo,
        query: String,
    ) -> Result<Vec<UserHit>, PortalError> {
        self.require_admin(session, req).await?;
        input::check(&query, input::SEARCH)?;
        helpdesk::search(self, req, &query).await
    }

    async fn user(
        &self,
        session: &Session,
        req: &RequestInfo,
        user_id: String,
    ) -> Result<HelpdeskUser, PortalError> {
        self.require_admin(session, req).await?;
        input::check_id(&user_id)?;
        helpdesk::user(self, req, &user_id).await
    }

    async fn remove_method(
        &self,
        session: &Session,
        req: &RequestInfo,
        user_id: String,
        method_id: String,
    ) -> Result<(), PortalError> {
        let (_, admin) = self.require_admin(session, req).await?;
        input::check_id(&user_id)?;
        input::check_id(&method_id)?;
        self.require_recent(&admin)?;
        helpdesk::remove_method(self, &admin, req, &user_id, &method_id).await
    }

    async fn reset_methods(
        &self,
        session: &Session,
        req: &RequestInfo,
        user_id: String,
        confirmation: String,
    ) -> Result<(), PortalError> {
        let (_, admin) = self.require_admin(session, req).await?;
        input::check_id(&user_id)?;
        input::check(&confirmation, input::LOGIN).map_err(|e| e.with_field("confirmation"))?;
        self.require_recent(&admin)?;
        helpdesk::reset(self, &admin, req, &user_id, &confirmation).await
    }

    async fn unlock(
        &self,
        session: &Session,
        req: &RequestInfo,
        user_id: String,
    ) -> Result<(), PortalError> {
        let (_, admin) = self.require_admin(session, req).await?;
        input::check_id(&user_id)?;
        self.require_recent(&admin)?;
        helpdesk::unlock(self, &admin, req, &user_id).await
    }

    async fn issue_access_code(
        &self,
        session: &Session,
        req: &RequestInfo,
        user_id: String,
    ) -> Result<IssuedAccessCode, PortalError> {
        let (_, admin) = self.require_admin(session, req).await?;
        input::check_id(&user_id)?;
        self.require_recent(&admin)?;
        helpdesk::issue_access_code(self, &admin, req, &user_id).await
    }

    async fn add_hardware_token(
        &self,
        session: &Session,
        req: &RequestInfo,
        user_id: String,
        secret: String,
        code: String,
    ) -> Result<(), PortalError> {
        let (_, admin) = self.require_admin(session, req).await?;
        input::check_id(&user_id)?;
        input::check(&code, input::CODE)?;
        input::check(&secret, input::ANSWER).map_err(|e| e.with_field("secret"))?;
        self.require_recent(&admin)?;
        helpdesk::add_hardware_token(self, &admin, req, &user_id, &secret, &code).await
    }
}
