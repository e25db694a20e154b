//! `POST /auth/handoff`: the company's application hands a signed-in user to Keyport.
//!
//! The body carries `token` (a form field, so a plain HTML form or a server-side redirect
//! page can post it; or JSON) and optionally `return_to`, a path on Keyport. The token is the
//! proof, so this one endpoint accepts cross-site posts; it never appears in a URL.

use crate::auth::{self, handoff::HandoffError};
use crate::sessions::data::SignInMethod;
use crate::state::AppState;
use app::api::RequestInfo;
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use serde::Deserialize;
use tower_sessions::Session;

#[derive(Deserialize)]
pub struct HandoffForm {
    token: String,
    #[serde(default)]
    return_to: Option<String>,
}

/// Only a local path: never an open redirect.
fn safe_return(to: Option<&str>) -> String {
    match to {
        Some(p) if p.starts_with('/') && !p.starts_with("//") && !p.contains('\\') => p.to_string(),
        _ => "/".to_string(),
    }
}

fn refuse(err: HandoffError, req: &RequestInfo) -> Response {
    tracing::warn!(request_id = %req.request_id, error = %err, "handoff refused");
    Redirect::to(&format!("/signin?handoff={}", err.code())).into_response()
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
    let signed_in = auth::new_user(
        user.id.clone(),
        p.login.clone(),
        name,
        SignInMethod::Handoff,
        false,
    );
    match state.auth.establish(&session, &req, signed_in).await {
        Ok(_) => Redirect::to(&safe_return(form.return_to.as_deref())).into_response(),
        Err(e) => {
            tracing::error!(request_id = %req.request_id, error = %e.message, "handoff could not open a session");
            Redirect::to("/signin?handoff=unavailable").into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::safe_return;

    #[test]
    fn return_paths_stay_on_keyport() {
        assert_eq!(safe_return(Some("/methods")), "/methods");
        assert_eq!(safe_return(Some("//evil.example")), "/");
        assert_eq!(safe_return(Some("https://evil.example")), "/");
        assert_eq!(safe_return(Some("/\\evil")), "/");
        assert_eq!(safe_return(None), "/");
    }
}
