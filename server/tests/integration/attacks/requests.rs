//! What the probes send: raw requests to a Keyport router, and people in given states.

use crate::support::{
    handoff_token, keyport, keyport_with, signed_in_with_password, temp_store, test_config,
    Browser, TestApp,
};
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use http_body_util::BodyExt;
use server::sandbox::seed::users;
use tower::ServiceExt;

/// An answer as the attacker sees it.
pub struct Seen {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Seen {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or(serde_json::Value::Null)
    }

    pub fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    }

    /// A refusal in Keyport's one JSON error shape, with this code.
    pub fn refused_as(&self, status: StatusCode, code: &str) -> Result<(), String> {
        let v = self.json();
        if self.status != status || v["code"] != code || !v["message"].is_string() {
            return Err(format!(
                "expected {status} {code}, got {} {}",
                self.status,
                self.body.chars().take(300).collect::<String>()
            ));
        }
        Ok(())
    }
}

/// Sends `req` to the router.
pub async fn send(router: &axum::Router, req: Request<Body>) -> Seen {
    let res = router.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    Seen {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).to_string(),
    }
}

/// A POST as the browser `b` would make it from Keyport's page (cookie, token, same-origin),
/// with any body and content type.
pub async fn post_raw(
    b: &Browser,
    path: &str,
    content_type: &str,
    body: impl Into<Body>,
    extra: &[(&str, &str)],
) -> Seen {
    let mut req = Request::post(path)
        .header("content-type", content_type)
        .header("accept", "application/json")
        .header("sec-fetch-site", "same-origin");
    if let Some(c) = &b.cookie {
        req = req.header("cookie", c);
    }
    if let Some(t) = &b.csrf {
        req = req.header("x-csrf-token", t);
    }
    for (k, v) in extra {
        req = req.header(*k, *v);
    }
    send(&b.router, req.body(body.into()).unwrap()).await
}

/// A page GET as a browser would make it.
pub async fn page(b: &Browser, path: &str) -> Seen {
    let mut req = Request::get(path).header("accept", "text/html");
    if let Some(c) = &b.cookie {
        req = req.header("cookie", c);
    }
    send(&b.router, req.body(Body::empty()).unwrap()).await
}

/// A Keyport against a fresh Identity Engine sandbox.
pub async fn app() -> TestApp {
    keyport().await
}

/// A Keyport with extra settings (its own session store).
pub async fn app_with(extra: &[(&str, &str)]) -> TestApp {
    let store = temp_store();
    let mut vars = vec![("KEYPORT_SESSION_STORE", store.as_str())];
    vars.extend_from_slice(extra);
    keyport_with(&test_config(&vars)).await
}

/// Someone signed in by handoff (who they are is proven, no recent factor).
pub async fn by_handoff(app: &TestApp, login: &str) -> Browser {
    let mut b = Browser::new(app.router.clone());
    b.page("/signin").await;
    b.session().await;
    b.handoff(&handoff_token(login)).await;
    b.session().await;
    b
}

/// Nora (no factors) signed in with her password: verified just now.
pub async fn nora(app: &TestApp) -> Browser {
    signed_in_with_password(app, users::NORA.1).await
}

/// Tina's Google Authenticator factor.
pub const TINA_GOOGLE: &str = "uft1tina0google00000";
/// Victor's SMS factor.
pub const VICTOR_SMS: &str = "mbl1victor0sms000000";
/// Victor's Okta Verify push.
pub const VICTOR_PUSH: &str = "opf1victor0iphone000";

/// The sandbox's control API over HTTP (a tool's call: JSON, no Origin).
pub async fn control(
    app: &TestApp,
    method: &str,
    path: &str,
    body: serde_json::Value,
) -> serde_json::Value {
    let url = format!(
        "{}{}",
        app.sandbox.base_url.as_str().trim_end_matches('/'),
        path
    );
    let res = reqwest::Client::new()
        .request(method.parse().unwrap(), url)
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    res.json().await.unwrap_or(serde_json::Value::Null)
}

/// Requests the sandbox (Okta) saw after `since` whose path contains `part`.
pub async fn okta_calls(app: &TestApp, since: u64, part: &str) -> Vec<String> {
    crate::support::sandbox_requests(&app.sandbox.base_url, since)
        .await
        .into_iter()
        .filter_map(|r| r["path"].as_str().map(str::to_string))
        .filter(|p| p.contains(part))
        .collect()
}

pub async fn okta_seq(app: &TestApp) -> u64 {
    crate::support::sandbox_last_seq(&app.sandbox.base_url).await
}
