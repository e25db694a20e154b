//! Signing in and out.

use super::client::KeyportClient;
use super::codec::JsonAnswer;
#[cfg(feature = "ssr")]
use super::{answer_plain_form, context, posted_by_plain_form, respond, take_kept_error};
use crate::error::PortalError;
use crate::model::auth::{HandoffChoice, SessionView, SignInStep};
use leptos::prelude::*;
use leptos::server_fn::codec::{GetUrl, Json};
use serde_json::value::RawValue;

/// Who is signed in, and the page's anti-CSRF token (a GET: the page needs it before any POST).
#[server(prefix = "/api", endpoint = "session", input = GetUrl, client = KeyportClient, output = JsonAnswer)]
pub async fn load_session() -> Result<SessionView, PortalError> {
    respond(
        async {
            let (s, session, _) = context().await?;
            Ok(s.auth.session_view(&session).await)
        }
        .await,
    )
}

/// A sign-in step sent by a plain form (the page before, or without, its wasm) is answered
/// with a redirect to the page that draws the step the server is now at.
#[cfg(feature = "ssr")]
async fn after_step(result: Result<SignInStep, PortalError>) -> Result<SignInStep, PortalError> {
    if !posted_by_plain_form() {
        return result;
    }
    let page = match result {
        Ok(SignInStep::SignedIn { .. }) => "/",
        _ => "/signin",
    };
    answer_plain_form(result, page).await
}

/// The error a plain form post on the sign-in page left for it, shown once.
#[server(prefix = "/api", endpoint = "signin/kept-error", input = GetUrl, client = KeyportClient, output = JsonAnswer)]
pub async fn take_sign_in_error() -> Result<Option<PortalError>, PortalError> {
    Ok(take_kept_error().await)
}

/// Where a sign-in stands (so a reload shows the same step).
#[server(prefix = "/api", endpoint = "signin/state", input = GetUrl, client = KeyportClient, output = JsonAnswer)]
pub async fn sign_in_state() -> Result<SignInStep, PortalError> {
    respond(
        async {
            let (s, session, _) = context().await?;
            Ok(s.auth.sign_in_state(&session).await)
        }
        .await,
    )
}

#[server(prefix = "/api", endpoint = "signin", client = KeyportClient, output = JsonAnswer)]
pub async fn sign_in(username: String, password: String) -> Result<SignInStep, PortalError> {
    after_step(respond(
        async {
            let (s, session, req) = context().await?;
            s.auth.sign_in(&session, &req, username, password).await
        }
        .await,
    ))
    .await
}

#[server(prefix = "/api", endpoint = "signin/factor", client = KeyportClient, output = JsonAnswer)]
pub async fn choose_factor(factor_id: String) -> Result<SignInStep, PortalError> {
    after_step(respond(
        async {
            let (s, session, req) = context().await?;
            s.auth.choose_factor(&session, &req, factor_id).await
        }
        .await,
    ))
    .await
}

#[server(prefix = "/api", endpoint = "signin/code", client = KeyportClient, output = JsonAnswer)]
pub async fn submit_code(code: String) -> Result<SignInStep, PortalError> {
    after_step(respond(
        async {
            let (s, session, req) = context().await?;
            s.auth.submit_code(&session, &req, code).await
        }
        .await,
    ))
    .await
}

#[server(prefix = "/api", endpoint = "signin/poll", client = KeyportClient, output = JsonAnswer)]
pub async fn poll_push() -> Result<SignInStep, PortalError> {
    respond(
        async {
            let (s, session, req) = context().await?;
            s.auth.poll_push(&session, &req).await
        }
        .await,
    )
}

#[server(prefix = "/api", endpoint = "signin/resend", client = KeyportClient, output = JsonAnswer)]
pub async fn resend() -> Result<SignInStep, PortalError> {
    respond(
        async {
            let (s, session, req) = context().await?;
            s.auth.resend(&session, &req).await
        }
        .await,
    )
}

#[server(prefix = "/api", endpoint = "signin/key", input = Json, client = KeyportClient, output = JsonAnswer)]
pub async fn submit_security_key(credential: Box<RawValue>) -> Result<SignInStep, PortalError> {
    respond(
        async {
            let (s, session, req) = context().await?;
            s.auth
                .submit_security_key(&session, &req, super::webauthn_credential(&credential)?)
                .await
        }
        .await,
    )
}

#[server(prefix = "/api", endpoint = "signin/password", client = KeyportClient, output = JsonAnswer)]
pub async fn change_expired_password(
    old_password: String,
    new_password: String,
) -> Result<SignInStep, PortalError> {
    respond(
        async {
            let (s, session, req) = context().await?;
            s.auth
                .change_expired_password(&session, &req, old_password, new_password)
                .await
        }
        .await,
    )
}

#[server(prefix = "/api", endpoint = "signin/other", client = KeyportClient, output = JsonAnswer)]
pub async fn other_factor() -> Result<SignInStep, PortalError> {
    respond(
        async {
            let (s, session, _) = context().await?;
            s.auth.other_factor(&session).await
        }
        .await,
    )
}

#[server(prefix = "/api", endpoint = "signin/restart", client = KeyportClient, output = JsonAnswer)]
pub async fn restart_sign_in() -> Result<SignInStep, PortalError> {
    after_step(respond(
        async {
            let (s, session, _) = context().await?;
            Ok(s.auth.restart_sign_in(&session).await)
        }
        .await,
    ))
    .await
}

#[server(prefix = "/api", endpoint = "signout", client = KeyportClient, output = JsonAnswer)]
pub async fn sign_out(everywhere: bool) -> Result<(), PortalError> {
    respond(
        async {
            let (s, session, req) = context().await?;
            s.auth.sign_out(&session, &req, everywhere).await?;
            // A plain form post (before the wasm loaded) gets a real redirect; the app's
            // client ignores it and navigates itself.
            leptos_axum::redirect(crate::components::layout::signed_out_page(everywhere));
            Ok(())
        }
        .await,
    )
}

/// A sign-in link from another site waiting for the signed-in person's choice (the `/handoff`
/// page), if any.
#[server(prefix = "/api", endpoint = "handoff/choice", input = GetUrl, client = KeyportClient, output = JsonAnswer)]
pub async fn load_handoff_choice() -> Result<Option<HandoffChoice>, PortalError> {
    respond(
        async {
            let (s, session, _) = context().await?;
            Ok(s.auth.handoff_choice(&session).await)
        }
        .await,
    )
}

/// Switches to the person the link names (`switch`), or stays. A plain form post (the page's
/// buttons are forms) is answered with a redirect to where the person goes next.
#[server(prefix = "/api", endpoint = "handoff/decide", client = KeyportClient, output = JsonAnswer)]
pub async fn decide_handoff(switch: bool) -> Result<String, PortalError> {
    respond(
        async {
            let (s, session, req) = context().await?;
            let to = s.auth.decide_handoff(&session, &req, switch).await?;
            leptos_axum::redirect(&to);
            Ok(to)
        }
        .await,
    )
}
