//! Re-verification before sensitive actions (add, remove or rename a method, change the
//! password). The server decides; these functions let the page satisfy it inline.

use super::client::KeyportClient;
use super::codec::JsonAnswer;
#[cfg(feature = "ssr")]
use super::{context, respond};
use crate::error::PortalError;
use crate::model::auth::ReverifyStep;
use leptos::prelude::*;
use leptos::server_fn::codec::{GetUrl, Json};
use serde_json::value::RawValue;

#[server(prefix = "/api", endpoint = "reverify/state", input = GetUrl, client = KeyportClient, output = JsonAnswer)]
pub async fn reverify_state() -> Result<ReverifyStep, PortalError> {
    respond(
        async {
            let (s, session, req) = context().await?;
            s.auth.reverify_state(&session, &req).await
        }
        .await,
    )
}

#[server(prefix = "/api", endpoint = "reverify/start", client = KeyportClient, output = JsonAnswer)]
pub async fn reverify_start(factor_id: String) -> Result<ReverifyStep, PortalError> {
    respond(
        async {
            let (s, session, req) = context().await?;
            s.auth.reverify_start(&session, &req, factor_id).await
        }
        .await,
    )
}

#[server(prefix = "/api", endpoint = "reverify/code", client = KeyportClient, output = JsonAnswer)]
pub async fn reverify_code(code: String) -> Result<ReverifyStep, PortalError> {
    respond(
        async {
            let (s, session, req) = context().await?;
            s.auth.reverify_code(&session, &req, code).await
        }
        .await,
    )
}

#[server(prefix = "/api", endpoint = "reverify/poll", client = KeyportClient, output = JsonAnswer)]
pub async fn reverify_poll() -> Result<ReverifyStep, PortalError> {
    respond(
        async {
            let (s, session, req) = context().await?;
            s.auth.reverify_poll(&session, &req).await
        }
        .await,
    )
}

#[server(prefix = "/api", endpoint = "reverify/key", input = Json, client = KeyportClient, output = JsonAnswer)]
pub async fn reverify_security_key(credential: Box<RawValue>) -> Result<ReverifyStep, PortalError> {
    respond(
        async {
            let (s, session, req) = context().await?;
            s.auth
                .reverify_security_key(&session, &req, super::webauthn_credential(&credential)?)
                .await
        }
        .await,
    )
}

#[server(prefix = "/api", endpoint = "reverify/password", client = KeyportClient, output = JsonAnswer)]
pub async fn reverify_password(password: String) -> Result<ReverifyStep, PortalError> {
    respond(
        async {
            let (s, session, req) = context().await?;
            s.auth.reverify_password(&session, &req, password).await
        }
        .await,
    )
}

#[server(prefix = "/api", endpoint = "reverify/cancel", client = KeyportClient, output = JsonAnswer)]
pub async fn reverify_cancel() -> Result<ReverifyStep, PortalError> {
    respond(
        async {
            let (s, session, _) = context().await?;
            s.auth.reverify_cancel(&session).await
        }
        .await,
    )
}
