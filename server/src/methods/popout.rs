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
//! security key enrollment pending in the frame's session, and handed to the window by
//! `postMessage` from the frame that opened it, to that window alone (never in an address, so no
//! link can carry one into another person's browser: the ticket is bound to the browser, and the
//! very window, that asked for it). A `User-Agent` binding was tried and dropped: Safari's
//! per-site settings can give the frame and the window different ones. The server keeps ticket → session id
//! in its key-value store; the session id never leaves the server.
//!
//! Confirming it's you with a security key works the other way round: the frame's pending
//! challenge is answered in the window, which *adopts* the frame's session with its ticket (a
//! first-party cookie for the same server-side session, in the same browser), runs the usual
//! confirmation there, and closes; the frame sees the challenge answered.

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
use tower_sessions::{session::Id, Session};

/// How long a pop-out ticket works.
const TICKET_TTL: Duration = Duration::from_secs(300);

/// What the pop-out needs beyond the methods service: the session store, to act on the
/// frame's session by id, and the key-value store for tickets.
#[derive(Clone)]
pub struct Popout {
    pub store: Store,
    pub kv: Kv,
    /// The session rules: the frame's session keeps its expiry, and a window joining it
    /// gets the same cookie as the frame.
    pub session: crate::sessions::SessionSettings,
}

impl Popout {
    /// The frame's session `id`, outside the session middleware (saved by the caller).
    fn session(&self, id: Id) -> Session {
        Session::new(
            Some(id),
            Arc::new(self.store.clone()),
            Some(self.session.expiry()),
        )
    }
}

/// What a ticket lets the window do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// Finish the frame's security key enrollment.
    Register,
    /// Answer the frame's pending "confirm it's you" with a security key.
    Reverify,
}

impl Purpose {
    pub fn parse(s: &str) -> Option<Purpose> {
        match s {
            "register" => Some(Purpose::Register),
            "reverify" => Some(Purpose::Reverify),
            _ => None,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Purpose::Register => "register",
            Purpose::Reverify => "reverify",
        }
    }
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

/// A new ticket for what is pending in `session`: a security key enrollment, or a "confirm
/// it's you" waiting for a security key.
pub async fn ticket(
    svc: &MethodsService,
    session: &Session,
    req: &RequestInfo,
    purpose: Purpose,
) -> Result<String, PortalError> {
    let popout = svc.popout.as_ref().ok_or_else(|| not_found(req))?;
    let (data, _) = svc.load(session, req).await?;
    let pending = match purpose {
        Purpose::Register => data
            .enrollment
            .as_ref()
            .is_some_and(|p| p.kind == MethodKind::SecurityKey),
        Purpose::Reverify => data
            .reverify
            .as_ref()
            .is_some_and(|c| c.factor.kind == MethodKind::SecurityKey),
    };
    if !pending {
        return Err(PortalError::new(
            ErrorCode::InvalidInput,
            match purpose {
                Purpose::Register => {
                    "There's no security key being added right now. Start again from the list."
                }
                Purpose::Reverify => "There's nothing to confirm right now. Try your change again.",
            },
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
        .set(
            &ticket_key(&ticket),
            &format!("{}:{id}", purpose.as_str()),
            TICKET_TTL,
        )
        .await
        .map_err(|e| internal("cannot store a pop-out ticket", e, req))?;
    Ok(ticket)
}

/// The frame's session id, named by a live ticket of `purpose`.
async fn session_id_of(
    popout: &Popout,
    ticket: &str,
    purpose: Purpose,
    req: &RequestInfo,
) -> Result<Id, PortalError> {
    let well_formed = ticket.len() == 43
        && ticket
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !well_formed {
        return Err(expired());
    }
    popout
        .kv
        .get(&ticket_key(ticket))
        .await
        .map_err(|e| internal("cannot read a pop-out ticket", e, req))?
        .and_then(|v| {
            let (p, id) = v.split_once(':')?;
            if Purpose::parse(p)? != purpose {
                return None;
            }
            id.parse::<Id>().ok()
        })
        .ok_or_else(expired)
}

/// Spends a ticket: only its first use counts.
async fn spend(popout: &Popout, ticket: &str, req: &RequestInfo) -> Result<(), PortalError> {
    let first = popout
        .kv
        .insert_if_absent(&format!("popout-used:{ticket}"), "1", TICKET_TTL)
        .await
        .map_err(|e| internal("cannot mark a pop-out ticket used", e, req))?;
    if first {
        Ok(())
    } else {
        Err(expired())
    }
}

/// The frame's session, named by a live registration ticket.
async fn session_of(
    popout: &Popout,
    ticket: &str,
    req: &RequestInfo,
) -> Result<Session, PortalError> {
    let id = session_id_of(popout, ticket, Purpose::Register, req).await?;
    Ok(popout.session(id))
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
    spend(popout, ticket, req).await?;
    let step = enroll::register_key(svc, &session, req, credential).await?;
    // Outside the session middleware: the frame's session is written back here.
    session
        .save()
        .await
        .map_err(|e| internal("cannot save the frame's session", e, req))?;
    Ok(step)
}

/// The window adopts the frame's session (a "confirm it's you" ticket, once): the answer is
/// the `Set-Cookie` value naming that session, and the session's page token for the window's
/// next calls.
pub async fn adopt(
    svc: &MethodsService,
    req: &RequestInfo,
    ticket: &str,
) -> Result<(String, String), PortalError> {
    let popout = svc.popout.as_ref().ok_or_else(|| not_found(req))?;
    let id = session_id_of(popout, ticket, Purpose::Reverify, req).await?;
    spend(popout, ticket, req).await?;
    let session = popout.session(id);
    let mut data = KeyportSession::load(&session).await;
    if data.user.is_none() {
        return Err(expired());
    }
    data.shared_with_window = true;
    data.save(&session)
        .await
        .map_err(|e| internal("cannot mark the frame's session shared", e, req))?;
    session
        .save()
        .await
        .map_err(|e| internal("cannot save the frame's session", e, req))?;
    let cookie = popout.session.cookie_for(&id);
    tracing::info!(request_id = %req.request_id, "a pop-out window joined a framed session to confirm with a security key");
    Ok((cookie, data.csrf))
}
