//! Registering a security key from a pop-out window, for Keyport inside another site's frame.
//!
//! A WebAuthn ceremony inside a cross-origin frame is refused by some browsers (Safari does
//! not allow `create()` there) and yields `crossOrigin: true` client data, which a strict
//! relying party refuses (the sandbox does, as webauthn-rs does; whether a real Okta org
//! accepts it is not documented). So the frame opens a small window on Keyport's own origin,
//! where the ceremony is first-party, and that window finishes the frame's enrollment.
//!
//! The window is top-level, so it does not share the frame's partitioned session cookie. The
//! frame hands it a ticket instead: random, single-use, five minutes, good for nothing but the
//! security key enrollment pending in the frame's session, and passed in the window address's
//! fragment (never sent to a server, never in a Referer). The server keeps ticket → session id
//! in its key-value store; the session id never leaves the server.

use super::{enroll, not_found, MethodsService};
use crate::service::errors::internal;
use crate::sessions::{KeyportSession, Kv, Store};
use app::api::RequestInfo;
use app::error::{ErrorCode, PortalError};
use app::model::auth::MethodKind;
use app::model::methods::EnrollmentStep;
use base64::Engine;
use std::sync::Arc;
use std::time::Duration;
use tower_sessions::{session::Id, Expiry, Session};

/// How long a pop-out ticket works.
const TICKET_TTL: Duration = Duration::from_secs(300);

/// What the pop-out needs beyond the methods service: the session store, to act on the
/// frame's session by id, and the key-value store for tickets.
#[derive(Clone)]
pub struct Popout {
    pub store: Store,
    pub kv: Kv,
    /// The session idle timeout (kept as the frame's session had it).
    pub idle: Duration,
}

fn ticket_key(ticket: &str) -> String {
    format!("popout:{ticket}")
}

fn expired() -> PortalError {
    PortalError::new(
        ErrorCode::InvalidInput,
        "This window's link has expired or was already used. Close it and choose Continue again in Keyport.",
    )
}

/// A new ticket for the security key enrollment pending in `session`.
pub async fn ticket(
    svc: &MethodsService,
    session: &Session,
    req: &RequestInfo,
) -> Result<String, PortalError> {
    let popout = svc.popout.as_ref().ok_or_else(|| not_found(req))?;
    let (data, _) = svc.load(session, req).await?;
    if !data
        .enrollment
        .as_ref()
        .is_some_and(|p| p.kind == MethodKind::SecurityKey)
    {
        return Err(PortalError::new(
            ErrorCode::InvalidInput,
            "There's no security key being added right now. Start again from the list.",
        ));
    }
    let Some(id) = session.id() else {
        return Err(internal("a signed-in session has no id", "-", req));
    };
    let mut bytes = [0u8; 32];
    rand::RngCore::fill_bytes(&mut rand::rng(), &mut bytes);
    let ticket = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    popout
        .kv
        .set(&ticket_key(&ticket), &id.to_string(), TICKET_TTL)
        .await
        .map_err(|e| internal("cannot store a pop-out ticket", e, req))?;
    Ok(ticket)
}

/// The frame's session, named by a live ticket.
async fn session_of(
    popout: &Popout,
    ticket: &str,
    req: &RequestInfo,
) -> Result<Session, PortalError> {
    let well_formed = ticket.len() == 43
        && ticket
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !well_formed {
        return Err(expired());
    }
    let id = popout
        .kv
        .get(&ticket_key(ticket))
        .await
        .map_err(|e| internal("cannot read a pop-out ticket", e, req))?
        .and_then(|id| id.parse::<Id>().ok())
        .ok_or_else(expired)?;
    let idle = time::Duration::try_from(popout.idle).unwrap_or(time::Duration::minutes(30));
    Ok(Session::new(
        Some(id),
        Arc::new(popout.store.clone()),
        Some(Expiry::OnInactivity(idle)),
    ))
}

/// The creation options of the frame's pending security key enrollment.
pub async fn options(
    svc: &MethodsService,
    req: &RequestInfo,
    ticket: &str,
) -> Result<EnrollmentStep, PortalError> {
    let popout = svc.popout.as_ref().ok_or_else(|| not_found(req))?;
    let session = session_of(popout, ticket, req).await?;
    let data = KeyportSession::load(&session).await;
    let Some(user) = data.user.clone() else {
        return Err(expired());
    };
    match enroll::current_step(svc, &data, &user).await {
        Some(step @ EnrollmentStep::RegisterKey { .. }) => Ok(step),
        _ => Err(expired()),
    }
}

/// Finishes the frame's enrollment with the window's attestation (once per ticket).
pub async fn register(
    svc: &MethodsService,
    req: &RequestInfo,
    ticket: &str,
    credential: webauthn_rs_proto::RegisterPublicKeyCredential,
) -> Result<EnrollmentStep, PortalError> {
    let popout = svc.popout.as_ref().ok_or_else(|| not_found(req))?;
    let session = session_of(popout, ticket, req).await?;
    let first = popout
        .kv
        .insert_if_absent(&format!("popout-used:{ticket}"), "1", TICKET_TTL)
        .await
        .map_err(|e| internal("cannot mark a pop-out ticket used", e, req))?;
    if !first {
        return Err(expired());
    }
    let step = enroll::register_key(svc, &session, req, credential).await?;
    // Outside the session middleware: the frame's session is written back here.
    session
        .save()
        .await
        .map_err(|e| internal("cannot save the frame's session", e, req))?;
    Ok(step)
}
