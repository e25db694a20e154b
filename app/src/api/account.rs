//! The account page's server functions. Every change is sensitive: the server refuses it
//! without a recent verification, whatever the page did.

use super::client::KeyportClient;
use super::codec::JsonAnswer;
#[cfg(feature = "ssr")]
use super::{context, respond};
use crate::error::PortalError;
use crate::model::account::{AccountView, ProfileUpdate};
use leptos::prelude::*;
use leptos::server_fn::codec::{GetUrl, Json};

#[server(prefix = "/api", endpoint = "account", input = GetUrl, client = KeyportClient, output = JsonAnswer)]
pub async fn load_account() -> Result<AccountView, PortalError> {
    respond(
        async {
            let (s, session, req) = context().await?;
            s.account.account(&session, &req).await
        }
        .await,
    )
}

/// Changes the password; `sign_out_others` ends the person's other Keyport and Okta sessions.
#[server(prefix = "/api", endpoint = "account/password", client = KeyportClient, output = JsonAnswer)]
pub async fn change_password(
    old_password: String,
    new_password: String,
    sign_out_others: bool,
) -> Result<(), PortalError> {
    respond(
        async {
            let (s, session, req) = context().await?;
            s.account
                .change_password(&session, &req, old_password, new_password, sign_out_others)
                .await
        }
        .await,
    )
}

#[server(prefix = "/api", endpoint = "account/login", client = KeyportClient, output = JsonAnswer)]
/// The new username as Okta stored it. The page reloads the account view itself afterwards.
pub async fn change_login(login: String) -> Result<String, PortalError> {
    respond(
        async {
            let (s, session, req) = context().await?;
            s.account.change_login(&session, &req, login).await
        }
        .await,
    )
}

#[server(prefix = "/api", endpoint = "account/profile", input = Json, client = KeyportClient, output = JsonAnswer)]
pub async fn update_profile(update: ProfileUpdate) -> Result<(), PortalError> {
    respond(
        async {
            let (s, session, req) = context().await?;
            s.account.update_profile(&session, &req, update).await
        }
        .await,
    )
}
