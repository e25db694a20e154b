//! The admin area's server functions. The server answers every one of them with 404 to anyone
//! outside the admin group, whatever the page showed.

use super::client::KeyportClient;
use super::codec::JsonAnswer;
#[cfg(feature = "ssr")]
use super::{context, respond};
use crate::error::PortalError;
use crate::model::admin::{AuthenticatorsView, HelpdeskUser, IssuedAccessCode, UserHit};
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

/// Whether the signed-in user may see the admin area (false for everyone else, signed in or
/// not). Pages use it to answer 404 on the server.
#[server(prefix = "/api", endpoint = "admin/access", input = GetUrl, client = KeyportClient, output = JsonAnswer)]
pub async fn admin_access() -> Result<bool, PortalError> {
    respond(
        async {
            let (s, session, req) = context().await?;
            Ok(s.admin.is_admin(&session, &req).await)
        }
        .await,
    )
}

#[server(prefix = "/api", endpoint = "admin/authenticators", input = GetUrl, client = KeyportClient, output = JsonAnswer)]
pub async fn load_authenticators() -> Result<AuthenticatorsView, PortalError> {
    respond(
        async {
            let (s, session, req) = context().await?;
            s.admin.authenticators(&session, &req).await
        }
        .await,
    )
}

/// Turns an authenticator on or off; answers the authenticators as they now stand.
#[server(prefix = "/api", endpoint = "admin/authenticators/set", client = KeyportClient, output = JsonAnswer)]
pub async fn set_authenticator_active(
    authenticator_id: String,
    active: bool,
) -> Result<AuthenticatorsView, PortalError> {
    respond(
        async {
            let (s, session, req) = context().await?;
            s.admin
                .set_authenticator_active(&session, &req, authenticator_id, active)
                .await
        }
        .await,
    )
}

#[server(prefix = "/api", endpoint = "admin/users/search", input = GetUrl, client = KeyportClient, output = JsonAnswer)]
pub async fn search_users(query: String) -> Result<Vec<UserHit>, PortalError> {
    respond(
        async {
            let (s, session, req) = context().await?;
            s.admin.search_users(&session, &req, query).await
        }
        .await,
    )
}

#[server(prefix = "/api", endpoint = "admin/users/one", input = GetUrl, client = KeyportClient, output = JsonAnswer)]
pub async fn load_helpdesk_user(user_id: String) -> Result<HelpdeskUser, PortalError> {
    respond(
        async {
            let (s, session, req) = context().await?;
            s.admin.user(&session, &req, user_id).await
        }
        .await,
    )
}

#[server(prefix = "/api", endpoint = "admin/users/remove_method", client = KeyportClient, output = JsonAnswer)]
pub async fn helpdesk_remove_method(user_id: String, method_id: String) -> Result<(), PortalError> {
    respond(
        async {
            let (s, session, req) = context().await?;
            s.admin
                .remove_method(&session, &req, user_id, method_id)
                .await
        }
        .await,
    )
}

#[server(prefix = "/api", endpoint = "admin/users/reset", client = KeyportClient, output = JsonAnswer)]
pub async fn helpdesk_reset_methods(
    user_id: String,
    confirmation: String,
) -> Result<(), PortalError> {
    respond(
        async {
            let (s, session, req) = context().await?;
            s.admin
                .reset_methods(&session, &req, user_id, confirmation)
                .await
        }
        .await,
    )
}

#[server(prefix = "/api", endpoint = "admin/users/unlock", client = KeyportClient, output = JsonAnswer)]
pub async fn helpdesk_unlock(user_id: String) -> Result<(), PortalError> {
    respond(
        async {
            let (s, session, req) = context().await?;
            s.admin.unlock(&session, &req, user_id).await
        }
        .await,
    )
}

#[server(prefix = "/api", endpoint = "admin/users/tac", client = KeyportClient, output = JsonAnswer)]
pub async fn helpdesk_issue_access_code(user_id: String) -> Result<IssuedAccessCode, PortalError> {
    respond(
        async {
            let (s, session, req) = context().await?;
            s.admin.issue_access_code(&session, &req, user_id).await
        }
        .await,
    )
}

#[server(prefix = "/api", endpoint = "admin/users/hardware_token", client = KeyportClient, output = JsonAnswer)]
pub async fn helpdesk_add_hardware_token(
    user_id: String,
    secret: String,
    code: String,
) -> Result<(), PortalError> {
    respond(
        async {
            let (s, session, req) = context().await?;
            s.admin
                .add_hardware_token(&session, &req, user_id, secret, code)
                .await
        }
        .await,
    )
}
