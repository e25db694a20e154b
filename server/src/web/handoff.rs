//! `POST /auth/handoff`: the company's application hands a signed-in user to Keyport.
//!
//! The body carries `token` (a form field, so a plain HTML form or a server-side redirect
//! page can post it; or JSON) and optionally `return_to`, a path on Keyport. The token is the
//! proof, so this one endpoint accepts cross-site posts; it never appears in a URL.
//!
//! Two rules keep a cross-site post from being turned against the person:
//! - `return_to` is resolved against Keyport's own origin and refused unless it stays there
//!   ([`local_return`]): no open redirect, whatever the browser would make of the text;
//! - a cross-site hand-over into a browser already signed in as someone else does not replace
//!   that session silently ("login CSRF": an attacker's own valid token would otherwise sign
//!   the victim into the attacker's account, and the victim would enroll *their* phone there).
//!   Keyport asks first (`/handoff`, the auth service's `decide_switch`). A hand-over from
//!   Keyport's own page (the embed script, which checked the parent's origin) proceeds.
//!
//! A cross-site POST does not carry Keyport's `SameSite=Lax` session cookie, so at that moment
//! Keyport cannot see who the browser is signed in as. The verified hand-over is therefore kept
//! server-side for a moment, under a random id in a short-lived cookie of its own, and the browser
//! is sent on to `GET /auth/handoff/continue`: a top-level GET carries the session cookie, and
//! the decision is made there ([`continue_handoff`]). No id or token ever goes in a URL.

use crate::auth::{self, handoff::HandoffError};
use crate::sessions::data::{PendingHandoff, SignInMethod};
use crate::sessions::KeyportSession;
use crate::state::AppState;
use crate::web::csrf;
use app::api::RequestInfo;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Extension;
use serde::Deserialize;
use tower_sessions::Session;
use url::Url;

/// How long a hand-over waiting for the person's choice is kept.
const PENDING_SECS: i64 = 5 * 60;
/// How long a cross-site hand-over waits for its continuation (one redirect away).
const CONTINUE_SECS: u64 = 60;
/// The cookie naming a hand-over on its way to its continuation.
pub const CONTINUE_COOKIE: &str = "keyport_handoff";
/// Where a cross-site hand-over continues.
pub const CONTINUE_PATH: &str = "/auth/handoff/continue";

#[derive(Deserialize)]
pub struct HandoffForm {
    token: String,
    #[serde(default)]
    return_to: Option<String>,
}

/// Why a `return_to` was refused.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReturnRefusal {
    #[error("it holds a control character")]
    ControlCharacter,
    #[error("it leads away from Keyport")]
    OtherOrigin,
    #[error("it is not a URL")]
    NotAUrl,
}

/// The path (with query and fragment) a browser may be sent back to: `value` resolved as a URL
/// relative to Keyport's own origin, accepted only when the origin is unchanged. The answer is
/// the URL parser's own serialisation, so it is always a valid `Location` header.
pub fn local_return(public: &Url, value: Option<&str>) -> Result<String, ReturnRefusal> {
    let Some(value) = value.filter(|v| !v.is_empty()) else {
        return Ok("/".into());
    };
    // Browsers drop tabs and newlines inside URLs (`/\t/evil` is `//evil`): refuse them
    // rather than guess what the sender meant.
    if value.chars().any(char::is_control) {
        return Err(ReturnRefusal::ControlCharacter);
    }
    let url = public.join(value).map_err(|_| ReturnRefusal::NotAUrl)?;
    if url.origin() != public.origin() {
        return Err(ReturnRefusal::OtherOrigin);
    }
    Ok(url[url::Position::BeforePath..].to_string())
}

fn refuse(err: HandoffError, req: &RequestInfo) -> Response {
    tracing::warn!(request_id = %req.request_id, error = %err, "handoff refused");
    Redirect::to(&format!("/signin?handoff={}", err.code())).into_response()
}

/// A 400 page for a hand-over whose return address is not on Keyport.
fn refuse_return(why: ReturnRefusal, req: &RequestInfo) -> Response {
    tracing::warn!(request_id = %req.request_id, reason = %why, "handoff refused: return_to");
    (
        StatusCode::BAD_REQUEST,
        Html(format!(
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sign-in link refused · Keyport</title></head>\
             <body><main><h1>This sign-in link was refused</h1>\
             <p>It asks to send you to a page that is not part of Keyport, so nothing was done. \
             Go back to your company's application and try again, or <a href=\"/\">open Keyport</a>.</p>\
             <p>Reference: {}</p></main></body></html>",
            reference_chars(&req.request_id)
        )),
    )
        .into_response()
}

/// The request id as shown on the page: only its own characters (letters, digits, `-`), so
/// nothing in it can be markup.
fn reference_chars(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect()
}

/// The post came from Keyport's own page (the embed script), by the browser's own word.
fn from_keyport_page(headers: &HeaderMap, public_origin: &str) -> bool {
    let h = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let site = h("sec-fetch-site");
    let origin = h("origin");
    csrf::check_headers(site, origin, public_origin).is_ok()
        && (site == Some("same-origin") || origin == Some(public_origin))
}

pub async fn receive(
    State(state): State<AppState>,
    Extension(req): Extension<RequestInfo>,
    session: Session,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.starts_with("application/json"));
    let parsed: Option<HandoffForm> = if json {
        serde_json::from_slice(&body).ok()
    } else {
        let mut token = None;
        let mut return_to = None;
        for (k, v) in url::form_urlencoded::parse(&body) {
            match k.as_ref() {
                "token" => token = Some(v.into_owned()),
                "return_to" => return_to = Some(v.into_owned()),
                _ => {}
            }
        }
        token.map(|token| HandoffForm { token, return_to })
    };
    let Some(form) = parsed else {
        return refuse(HandoffError::Invalid("no token in the body".into()), &req);
    };
    // Checked before the token is spent: a refused link can be fixed and sent again.
    let return_to = match local_return(&state.public_url, form.return_to.as_deref()) {
        Ok(p) => p,
        Err(why) => return refuse_return(why, &req),
    };
    let Some(verifier) = &state.handoff else {
        return refuse(HandoffError::NotConfigured, &req);
    };
    let claims = match verifier.verify(&form.token, &state.kv).await {
        Ok(c) => c,
        Err(e) => return refuse(e, &req),
    };
    let user = match state.okta.get_user(&claims.sub).await {
        Ok(u) => u,
        Err(e) => {
            tracing::warn!(request_id = %req.request_id, error = %e, "handoff names no usable Okta user");
            return Redirect::to("/signin?handoff=unknown").into_response();
        }
    };
    use crate::okta::types::UserStatus;
    if !matches!(
        user.status,
        UserStatus::Active | UserStatus::PasswordExpired | UserStatus::Recovery
    ) {
        tracing::warn!(request_id = %req.request_id, user_id = %user.id, status = ?user.status, "handoff for a user who cannot sign in");
        return Redirect::to("/signin?handoff=inactive").into_response();
    }
    let p = &user.profile;
    let name = match (&p.first_name, &p.last_name) {
        (Some(f), Some(l)) => format!("{f} {l}"),
        _ => p.login.clone(),
    };
    let incoming = auth::new_user(
        user.id.clone(),
        p.login.clone(),
        name,
        SignInMethod::Handoff,
        false,
    );
    let pending = PendingHandoff {
        user: incoming,
        return_to,
        expires_at: auth::now() + PENDING_SECS,
    };
    let public_origin = state.public_url.origin().ascii_serialization();
    if from_keyport_page(&headers, &public_origin) {
        // Keyport's own page (the embed script): the session cookie came along, and the page
        // checked the parent's origin. Whoever it names is who this browser becomes.
        return land(&state, &session, &req, pending).await;
    }
    // From another site: the session cookie did not come along. Keep the hand-over for one
    // redirect, and decide once the browser is back with its cookies.
    let mut bytes = [0u8; 32];
    rand::RngCore::fill_bytes(&mut rand::rng(), &mut bytes);
    use base64::Engine;
    let id = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let stored = match serde_json::to_string(&pending) {
        Ok(v) => v,
        Err(e) => {
            tracing::error!(request_id = %req.request_id, error = %e, "cannot keep a handoff");
            return Redirect::to("/signin?handoff=unavailable").into_response();
        }
    };
    if let Err(e) = state
        .kv
        .set(
            &continue_key(&id),
            &stored,
            std::time::Duration::from_secs(CONTINUE_SECS),
        )
        .await
    {
        tracing::error!(request_id = %req.request_id, error = %e, "cannot keep a handoff");
        return Redirect::to("/signin?handoff=unavailable").into_response();
    }
    // In embed mode a hand-over may be posted into a frame (`target=` the iframe): the cookie
    // then needs the session cookie's third-party attributes to come back at all.
    let cookie = tower_sessions::cookie::Cookie::build((CONTINUE_COOKIE, id))
        .path("/auth/handoff")
        .http_only(true)
        .secure(state.public_url.scheme() == "https" || state.embedded)
        .same_site(if state.embedded {
            tower_sessions::cookie::SameSite::None
        } else {
            tower_sessions::cookie::SameSite::Lax
        })
        .partitioned(state.embedded)
        .max_age(time::Duration::seconds(CONTINUE_SECS as i64))
        .build();
    let mut res = Redirect::to(CONTINUE_PATH).into_response();
    if let Ok(v) = header::HeaderValue::from_str(&cookie.to_string()) {
        res.headers_mut().insert(header::SET_COOKIE, v);
    }
    res
}

fn continue_key(id: &str) -> String {
    format!("handoff-continue:{id}")
}

/// `GET /auth/handoff/continue`: a cross-site hand-over, back with the browser's own cookies.
/// Into a session of someone else it waits for their choice; otherwise it lands.
pub async fn continue_handoff(
    State(state): State<AppState>,
    Extension(req): Extension<RequestInfo>,
    session: Session,
    headers: HeaderMap,
) -> Response {
    let id = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(name, _)| *name == CONTINUE_COOKIE)
        .map(|(_, v)| v.to_string());
    let cleared = tower_sessions::cookie::Cookie::build((CONTINUE_COOKIE, ""))
        .path("/auth/handoff")
        .secure(state.public_url.scheme() == "https" || state.embedded)
        .same_site(if state.embedded {
            tower_sessions::cookie::SameSite::None
        } else {
            tower_sessions::cookie::SameSite::Lax
        })
        .partitioned(state.embedded)
        .max_age(time::Duration::ZERO)
        .build();
    let mut res = continue_with(&state, &session, &req, id.as_deref()).await;
    if let Ok(v) = header::HeaderValue::from_str(&cleared.to_string()) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

async fn continue_with(
    state: &AppState,
    session: &Session,
    req: &RequestInfo,
    id: Option<&str>,
) -> Response {
    let Some(id) = id.filter(|i| i.len() == 43) else {
        return Redirect::to("/signin?handoff=expired").into_response();
    };
    let key = continue_key(id);
    // Single use: taken, then deleted, before anything else.
    let stored = match state.kv.take(&key).await {
        Ok(v) => v,
        Err(e) => {
            tracing::error!(request_id = %req.request_id, error = %e, "cannot read a handoff on its way (Redis 6.2 or later is needed for GETDEL)");
            None
        }
    };
    let Some(pending) = stored.and_then(|v| serde_json::from_str::<PendingHandoff>(&v).ok()) else {
        return Redirect::to("/signin?handoff=expired").into_response();
    };
    let mut data = KeyportSession::load(session).await;
    let someone_else = data.user.as_ref().is_some_and(|u| u.id != pending.user.id);
    if !someone_else {
        return land(state, session, req, pending).await;
    }
    tracing::info!(request_id = %req.request_id, "a cross-site handoff into another person's session waits for their choice");
    data.pending_handoff = Some(pending);
    data.ensure_csrf();
    if let Err(e) = data.save(session).await {
        tracing::error!(request_id = %req.request_id, error = %e, "cannot keep a pending handoff");
        return Redirect::to("/signin?handoff=unavailable").into_response();
    }
    Redirect::to("/handoff").into_response()
}

/// Opens the handed-over person's session and sends the browser where the hand-over asked.
async fn land(
    state: &AppState,
    session: &Session,
    req: &RequestInfo,
    pending: PendingHandoff,
) -> Response {
    match state.auth.establish(session, req, pending.user).await {
        Ok(_) => Redirect::to(&pending.return_to).into_response(),
        Err(e) => {
            tracing::error!(request_id = %req.request_id, error = %e.message, "handoff could not open a session");
            Redirect::to("/signin?handoff=unavailable").into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn return_paths_stay_on_keyport() {
        let me = Url::parse("https://keyport.example.com/").unwrap();
        let ok = |v: &str| local_return(&me, Some(v));
        assert_eq!(ok("/methods").unwrap(), "/methods");
        assert_eq!(ok("/account?tab=1#pw").unwrap(), "/account?tab=1#pw");
        assert_eq!(ok("https://keyport.example.com/admin").unwrap(), "/admin");
        assert_eq!(local_return(&me, None).unwrap(), "/");
        assert_eq!(ok("").unwrap(), "/");
        for evil in [
            "//evil.example",
            "https://evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "http://keyport.example.com/",
            "https://keyport.example.com:444/",
            "javascript:alert(1)",
        ] {
            assert_eq!(ok(evil), Err(ReturnRefusal::OtherOrigin), "{evil}");
        }
        assert_eq!(
            ok("/\t/evil.example/"),
            Err(ReturnRefusal::ControlCharacter)
        );
        assert_eq!(
            ok("/x\r\nSet-Cookie: a=b"),
            Err(ReturnRefusal::ControlCharacter)
        );
        // Whatever passes is header-safe: the parser percent-encodes the rest.
        assert_eq!(ok("/a b\"<x>").unwrap(), "/a%20b%22%3Cx%3E");
    }
}
