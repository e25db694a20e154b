//! The security methods page's server functions. Adding, removing and renaming are sensitive:
//! the server refuses them without a recent verification, whatever the page did.

use super::client::KeyportClient;
use super::codec::JsonAnswer;
#[cfg(feature = "ssr")]
use super::{context, respond};
use crate::error::PortalError;
use crate::model::methods::{
    EnrollRequest, EnrollmentStep, MethodsActivity, MethodsView, TestStep,
};
use leptos::prelude::*;
use leptos::server_fn::codec::{GetUrl, Json};
use serde_json::value::RawValue;

#[server(prefix = "/api", endpoint = "methods", input = GetUrl, client = KeyportClient, output = JsonAnswer)]
pub async fn load_methods() -> Result<MethodsView, PortalError> {
    respond(
        async {
            let (s, session, req) = context().await?;
            s.methods.view(&session, &req).await
        }
        .await,
    )
}

/// Recent security activity and when each method was last used; the page asks for it after
/// it has painted, so the System Log never holds up the methods themselves.
#[server(prefix = "/api", endpoint = "methods/activity", input = GetUrl, client = KeyportClient, output = JsonAnswer)]
pub async fn load_activity() -> Result<MethodsActivity, PortalError> {
    respond(
        async {
            let (s, session, req) = context().await?;
            s.methods.activity(&session, &req).await
        }
        .await,
    )
}

#[server(prefix = "/api", endpoint = "methods/enroll", input = Json, client = KeyportClient, output = JsonAnswer)]
pub async fn start_enrollment(request: EnrollRequest) -> Result<EnrollmentStep, PortalError> {
    respond(
        async {
            let (s, session, req) = context().await?;
            s.methods.start_enrollment(&session, &req, request).await
        }
        .await,
    )
}

#[server(prefix = "/api", endpoint = "methods/enroll/status", client = KeyportClient, output = JsonAnswer)]
pub async fn enrollment_status() -> Result<Option<EnrollmentStep>, PortalError> {
    respond(
        async {
            let (s, session, req) = context().await?;
            s.methods.enrollment_status(&session, &req).await
        }
        .await,
    )
}

#[server(prefix = "/api", endpoint = "methods/enroll/renew", client = KeyportClient, output = JsonAnswer)]
pub async fn renew_enrollment() -> Result<EnrollmentStep, PortalError> {
    respond(
        async {
            let (s, session, req) = context().await?;
            s.methods.renew_enrollment(&session, &req).await
        }
        .await,
    )
}

#[server(prefix = "/api", endpoint = "methods/enroll/send", client = KeyportClient, output = JsonAnswer)]
pub async fn send_setup_link(
    channel: String,
    phone: Option<String>,
) -> Result<String, PortalError> {
    respond(
        async {
            let (s, session, req) = context().await?;
            s.methods
                .send_setup_link(&session, &req, channel, phone)
                .await
        }
        .await,
    )
}

#[server(prefix = "/api", endpoint = "methods/enroll/activate", client = KeyportClient, output = JsonAnswer)]
pub async fn activate_enrollment(code: String) -> Result<EnrollmentStep, PortalError> {
    respond(
        async {
            let (s, session, req) = context().await?;
            s.methods.activate_enrollment(&session, &req, code).await
        }
        .await,
    )
}

#[server(prefix = "/api", endpoint = "methods/enroll/key", input = Json, client = KeyportClient, output = JsonAnswer)]
pub async fn register_key(credential: Box<RawValue>) -> Result<EnrollmentStep, PortalError> {
    respond(
        async {
            let (s, session, req) = context().await?;
            s.methods
                .register_key(&session, &req, super::webauthn_credential(&credential)?)
                .await
        }
        .await,
    )
}

#[server(prefix = "/api", endpoint = "methods/enroll/resend", client = KeyportClient, output = JsonAnswer)]
pub async fn resend_enrollment_code() -> Result<EnrollmentStep, PortalError> {
    respond(
        async {
            let (s, session, req) = context().await?;
            s.methods.resend_enrollment_code(&session, &req).await
        }
        .await,
    )
}

#[server(prefix = "/api", endpoint = "methods/enroll/cancel", client = KeyportClient, output = JsonAnswer)]
pub async fn cancel_enrollment() -> Result<(), PortalError> {
    respond(
        async {
            let (s, session, req) = context().await?;
            s.methods.cancel_enrollment(&session, &req).await
        }
        .await,
    )
}

#[server(prefix = "/api", endpoint = "methods/test", client = KeyportClient, output = JsonAnswer)]
pub async fn test_start(method_id: String) -> Result<TestStep, PortalError> {
    respond(
        async {
            let (s, session, req) = context().await?;
            s.methods.test_start(&session, &req, method_id).await
        }
        .await,
    )
}

#[server(prefix = "/api", endpoint = "methods/test/code", client = KeyportClient, output = JsonAnswer)]
pub async fn test_code(code: String) -> Result<TestStep, PortalError> {
    respond(
        async {
            let (s, session, req) = context().await?;
            s.methods.test_code(&session, &req, code).await
        }
        .await,
    )
}

#[server(prefix = "/api", endpoint = "methods/test/poll", client = KeyportClient, output = JsonAnswer)]
pub async fn test_poll() -> Result<TestStep, PortalError> {
    respond(
        async {
            let (s, session, req) = context().await?;
            s.methods.test_poll(&session, &req).await
        }
        .await,
    )
}

#[server(prefix = "/api", endpoint = "methods/test/key", input = Json, client = KeyportClient, output = JsonAnswer)]
pub async fn test_key(credential: Box<RawValue>) -> Result<TestStep, PortalError> {
    respond(
        async {
            let (s, session, req) = context().await?;
            s.methods
                .test_key(&session, &req, super::webauthn_credential(&credential)?)
                .await
        }
        .await,
    )
}

#[server(prefix = "/api", endpoint = "methods/remove", client = KeyportClient, output = JsonAnswer)]
pub async fn remove_method(method_id: String, keep_recovery: bool) -> Result<(), PortalError> {
    respond(
        async {
            let (s, session, req) = context().await?;
            s.methods
                .remove_method(&session, &req, method_id, keep_recovery)
                .await
        }
        .await,
    )
}

#[server(prefix = "/api", endpoint = "methods/rename", client = KeyportClient, output = JsonAnswer)]
pub async fn rename_method(method_id: String, nickname: String) -> Result<(), PortalError> {
    respond(
        async {
            let (s, session, req) = context().await?;
            s.methods
                .rename_method(&session, &req, method_id, nickname)
                .await
        }
        .await,
    )
}

/// A ticket for the pop-out window that registers a security key for this (framed) session.
/// `purpose`: `register` (a security key being added) or `reverify` (confirming it's you).
#[server(prefix = "/api", endpoint = "methods/popout/ticket", client = KeyportClient, output = JsonAnswer)]
pub async fn popout_ticket(purpose: String) -> Result<String, PortalError> {
    respond(
        async {
            let (s, session, req) = context().await?;
            s.methods.popout_ticket(&session, &req, purpose).await
        }
        .await,
    )
}

/// The pop-out window joins the frame's session (to confirm it's the person with a security
/// key there); answers the session's page token for the window's next calls.
#[server(prefix = "/api", endpoint = "methods/popout/adopt", client = KeyportClient, output = JsonAnswer)]
pub async fn popout_adopt(ticket: String) -> Result<String, PortalError> {
    respond(
        async {
            let (s, _, req) = context().await?;
            let (cookie, csrf) = s.methods.popout_adopt(&req, ticket).await?;
            if let (Some(options), Ok(value)) = (
                use_context::<leptos_axum::ResponseOptions>(),
                axum::http::HeaderValue::from_str(&cookie),
            ) {
                options.append_header(axum::http::header::SET_COOKIE, value);
            }
            Ok(csrf)
        }
        .await,
    )
}

/// The pop-out window: the ceremony's options, for the enrollment its ticket names.
#[server(prefix = "/api", endpoint = "methods/popout/options", client = KeyportClient, output = JsonAnswer)]
pub async fn popout_options(ticket: String) -> Result<EnrollmentStep, PortalError> {
    respond(
        async {
            let (s, _, req) = context().await?;
            s.methods.popout_options(&req, ticket).await
        }
        .await,
    )
}

/// The pop-out window: the new credential, finishing the framed session's enrollment.
#[server(prefix = "/api", endpoint = "methods/popout/register", input = Json, client = KeyportClient, output = JsonAnswer)]
pub async fn popout_register(
    ticket: String,
    credential: Box<RawValue>,
) -> Result<EnrollmentStep, PortalError> {
    respond(
        async {
            let (s, _, req) = context().await?;
            s.methods
                .popout_register(&req, ticket, super::webauthn_credential(&credential)?)
                .await
        }
        .await,
    )
}
