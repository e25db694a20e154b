//! Cross-site scripting, framing, and secrets leaking into responses or logs.

use super::requests::*;
use super::{check, probe, Outcome, Probe};
use crate::support::{handoff_token, step_name, Browser};
use axum::http::StatusCode;
use serde_json::json;
use server::sandbox::seed::{users, DEMO_PASSWORD, TINA_TOTP_SECRET};
use std::sync::{Arc, Mutex, OnceLock};

pub fn xss() -> Vec<Probe> {
    vec![
        probe!(
            "xss",
            "a nickname with a script tag is drawn as text",
            nickname_script
        ),
        probe!(
            "xss",
            "a first name with an onerror image is drawn as text",
            name_markup
        ),
        probe!(
            "xss",
            "the sign-in page reflects no markup from its query",
            reflected_query
        ),
        probe!(
            "xss",
            "pages carry a nonce CSP without unsafe-inline",
            page_csp
        ),
        probe!(
            "xss",
            "JSON answers are nosniff and application/json",
            json_nosniff
        ),
        probe!(
            "xss",
            "an error about a typed value does not echo it",
            error_no_echo
        ),
    ]
}

pub fn framing() -> Vec<Probe> {
    vec![
        probe!(
            "framing",
            "pages may be framed by Keyport alone",
            pages_self_only
        ),
        probe!(
            "framing",
            "the admin area may be framed by nobody",
            admin_never_framed
        ),
        probe!(
            "framing",
            "API answers may be framed by nobody",
            api_never_framed
        ),
        probe!(
            "framing",
            "embed mode allows exactly the configured host",
            embed_exact_host
        ),
        probe!(
            "framing",
            "embed mode's cookie is SameSite=None; Secure; Partitioned",
            embed_cookie
        ),
    ]
}

pub fn secrets() -> Vec<Probe> {
    vec![
        probe!(
            "secrets",
            "the API token never reaches the browser",
            api_token_hidden
        ),
        probe!(
            "secrets",
            "a seeded TOTP secret never reaches the methods view",
            totp_secret_hidden
        ),
        probe!(
            "secrets",
            "Authn's state token never reaches the browser",
            state_token_hidden
        ),
        probe!(
            "secrets",
            "the session id appears in no body",
            session_id_hidden
        ),
        probe!(
            "secrets",
            "an Okta failure shows no Okta error text, with a correlation id",
            okta_error_hidden
        ),
        probe!(
            "secrets",
            "a texted code never comes back in a response",
            otp_not_echoed
        ),
        probe!(
            "secrets",
            "passwords, codes, tokens and secrets never reach the log",
            nothing_secret_logged
        ),
        probe!(
            "secrets",
            "every answer carries a request id",
            request_id_header
        ),
    ]
}

const SANDBOX_TOKEN: &str = server::config::DEFAULT_SANDBOX_TOKEN;

/// Calls the sandbox's Okta API as an admin tool would.
async fn okta_api(
    app: &crate::support::TestApp,
    method: &str,
    path: &str,
    body: serde_json::Value,
) -> serde_json::Value {
    let res = reqwest::Client::new()
        .request(
            method.parse().unwrap(),
            format!(
                "{}{}",
                app.sandbox.base_url.as_str().trim_end_matches('/'),
                path
            ),
        )
        .header("authorization", format!("SSWS {SANDBOX_TOKEN}"))
        .header("content-type", "application/json")
        .header("accept", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{path}: {}", res.status());
    res.json().await.unwrap_or(serde_json::Value::Null)
}

async fn nickname_script() -> Outcome {
    let app = app().await;
    // Someone with the org's API token writes the nickname (as another app could), before
    // Olivia opens Keyport: what Keyport shows must come from Okta, drawn as text.
    let enrollments = okta_api(
        &app,
        "GET",
        &format!(
            "/api/v1/users/{}/authenticator-enrollments",
            users::OLIVIA.0
        ),
        json!(null),
    )
    .await;
    let id = enrollments
        .as_array()
        .and_then(|list| list.iter().find(|e| e["key"] == "okta_verify"))
        .and_then(|e| e["id"].as_str())
        .ok_or(format!("no Okta Verify enrollment in {enrollments}"))?
        .to_string();
    let names = json!({ id: "<script>alert(1)</script>" }).to_string();
    okta_api(
        &app,
        "POST",
        &format!("/api/v1/users/{}", users::OLIVIA.0),
        json!({"profile": {"keyportNicknames": names}}),
    )
    .await;
    let b = by_handoff(&app, users::OLIVIA.1).await;
    let seen = page(&b, "/").await;
    check!(seen.status == StatusCode::OK, "{}", seen.status);
    check!(
        !seen.body.contains("<script>alert(1)"),
        "the nickname was drawn as markup"
    );
    check!(
        seen.body.contains("&lt;script&gt;alert(1)"),
        "the nickname is not on the page at all"
    );
    Ok(())
}

async fn name_markup() -> Outcome {
    let app = app().await;
    okta_api(
        &app,
        "POST",
        &format!("/api/v1/users/{}", users::NORA.0),
        json!({"profile": {"firstName": "<img src=x onerror=alert(1)>", "lastName": "N"}}),
    )
    .await;
    let b = by_handoff(&app, users::NORA.1).await;
    let seen = page(&b, "/").await;
    check!(
        !seen.body.contains("<img src=x onerror"),
        "the name was drawn as markup"
    );
    Ok(())
}

async fn reflected_query() -> Outcome {
    let app = app().await;
    let b = Browser::new(app.router.clone());
    let seen = page(
        &b,
        "/signin?handoff=%3Cscript%3Ealert(1)%3C/script%3E&x=%22%3E%3Csvg%20onload=alert(1)%3E",
    )
    .await;
    check!(
        !seen.body.contains("<script>alert(1)"),
        "the query was reflected"
    );
    check!(
        !seen.body.contains("<svg onload"),
        "the query was reflected"
    );
    Ok(())
}

async fn page_csp() -> Outcome {
    let app = app().await;
    let b = Browser::new(app.router.clone());
    let seen = page(&b, "/signin").await;
    let csp = seen.header("content-security-policy");
    check!(csp.contains("script-src 'self' 'nonce-"), "{csp}");
    let tokens: Vec<&str> = csp.split([' ', ';']).collect();
    check!(
        !tokens.contains(&"'unsafe-inline'") && !tokens.contains(&"'unsafe-eval'"),
        "{csp}"
    );
    check!(
        csp.contains("object-src 'none'") && csp.contains("base-uri 'none'"),
        "{csp}"
    );
    Ok(())
}

async fn json_nosniff() -> Outcome {
    let app = app().await;
    let mut b = Browser::new(app.router.clone());
    let (s, _) = b.call_get("/api/methods").await;
    check!(s == StatusCode::UNAUTHORIZED, "{s}");
    let seen = send(
        &app.router,
        axum::http::Request::get("/api/session")
            .header("accept", "application/json")
            .body(axum::body::Body::empty())
            .unwrap(),
    )
    .await;
    check!(
        seen.header("x-content-type-options") == "nosniff",
        "no nosniff"
    );
    check!(
        seen.header("content-type").starts_with("application/json"),
        "{}",
        seen.header("content-type")
    );
    Ok(())
}

async fn error_no_echo() -> Outcome {
    let app = app().await;
    let mut b = Browser::new(app.router.clone());
    b.page("/signin").await;
    b.session().await;
    let evil = format!("<script>{}</script>", "x".repeat(200));
    let (s, body) = b
        .call("/api/signin", &[("username", &evil), ("password", "x")])
        .await;
    check!(s.is_client_error(), "{s}");
    check!(!body.to_string().contains("<script>"), "{body}");
    Ok(())
}

fn csp_of(seen: &Seen) -> String {
    seen.header("content-security-policy")
}

async fn pages_self_only() -> Outcome {
    let app = app().await;
    let seen = page(&Browser::new(app.router.clone()), "/signin").await;
    let csp = csp_of(&seen);
    check!(
        csp.contains("frame-ancestors 'self'") && !csp.contains("http"),
        "{csp}"
    );
    Ok(())
}

async fn admin_never_framed() -> Outcome {
    let app = app_with(&[("KEYPORT_EMBED_ORIGINS", "http://127.0.0.1:3002")]).await;
    let seen = page(&Browser::new(app.router.clone()), "/admin").await;
    let csp = csp_of(&seen);
    check!(csp.contains("frame-ancestors 'none'"), "{csp}");
    check!(
        seen.header("x-frame-options") == "DENY",
        "{:?}",
        seen.header("x-frame-options")
    );
    Ok(())
}

async fn api_never_framed() -> Outcome {
    let app = app_with(&[("KEYPORT_EMBED_ORIGINS", "http://127.0.0.1:3002")]).await;
    let seen = send(
        &app.router,
        axum::http::Request::get("/api/session")
            .body(axum::body::Body::empty())
            .unwrap(),
    )
    .await;
    check!(
        csp_of(&seen).contains("frame-ancestors 'none'"),
        "{}",
        csp_of(&seen)
    );
    Ok(())
}

async fn embed_exact_host() -> Outcome {
    let app = app_with(&[("KEYPORT_EMBED_ORIGINS", "http://127.0.0.1:3002")]).await;
    let seen = page(&Browser::new(app.router.clone()), "/signin").await;
    let csp = csp_of(&seen);
    let fa = csp
        .split("frame-ancestors")
        .nth(1)
        .unwrap_or_default()
        .trim();
    check!(fa == "'self' http://127.0.0.1:3002", "frame-ancestors {fa}");
    check!(
        seen.header("x-frame-options").is_empty(),
        "X-Frame-Options on an embeddable page"
    );
    Ok(())
}

async fn embed_cookie() -> Outcome {
    let app = app_with(&[("KEYPORT_EMBED_ORIGINS", "http://127.0.0.1:3002")]).await;
    let seen = page(&Browser::new(app.router.clone()), "/signin").await;
    let cookie = seen.header("set-cookie");
    check!(
        cookie.contains("SameSite=None")
            && cookie.contains("Secure")
            && cookie.contains("Partitioned"),
        "{cookie}"
    );
    Ok(())
}

async fn api_token_hidden() -> Outcome {
    let app = app().await;
    let mut b = by_handoff(&app, users::VICTOR.1).await;
    let mut seen = vec![page(&b, "/").await.body];
    for get in ["/api/methods", "/api/site_info", "/api/session"] {
        seen.push(b.call_get(get).await.1.to_string());
    }
    for body in seen {
        check!(
            !body.contains(SANDBOX_TOKEN),
            "the API token is in a response"
        );
    }
    Ok(())
}

async fn totp_secret_hidden() -> Outcome {
    let app = app().await;
    let mut b = by_handoff(&app, users::TINA.1).await;
    let (s, view) = b.call_get("/api/methods").await;
    check!(s == StatusCode::OK, "{s}");
    let page = page(&b, "/").await;
    for body in [view.to_string(), page.body] {
        check!(
            !body.contains(TINA_TOTP_SECRET),
            "Tina's TOTP secret is in a response"
        );
    }
    Ok(())
}

async fn state_token_hidden() -> Outcome {
    let app = app().await;
    let mut b = Browser::new(app.router.clone());
    b.page("/signin").await;
    b.session().await;
    let (s, step) = b
        .call(
            "/api/signin",
            &[("username", users::TINA.1), ("password", DEMO_PASSWORD)],
        )
        .await;
    check!(
        s == StatusCode::OK && step_name(&step) != "signed_in",
        "{s} {step}"
    );
    let text = step.to_string().to_lowercase();
    check!(
        !text.contains("statetoken") && !text.contains("state_token"),
        "{step}"
    );
    let state = b
        .call_get("/api/signin/state")
        .await
        .1
        .to_string()
        .to_lowercase();
    check!(
        !state.contains("statetoken") && !state.contains("state_token"),
        "{state}"
    );
    Ok(())
}

async fn session_id_hidden() -> Outcome {
    let app = app().await;
    let mut b = nora(&app).await;
    let id = b
        .cookie
        .clone()
        .unwrap_or_default()
        .split('=')
        .nth(1)
        .unwrap_or_default()
        .to_string();
    check!(id.len() > 10, "no session id: {id}");
    let session = b.session().await.to_string();
    let home = page(&b, "/").await.body;
    check!(
        !session.contains(&id) && !home.contains(&id),
        "the session id is in a body"
    );
    Ok(())
}

async fn okta_error_hidden() -> Outcome {
    let app = app().await;
    let mut b = by_handoff(&app, users::VICTOR.1).await;
    control(
        &app,
        "POST",
        "/sandbox/api/faults",
        json!({"path": "/api/v1/users/*/factors*", "action": {"kind": "status", "status": 500,
               "errorCode": "E0000009", "errorSummary": "Internal Server Error SECRET-DETAIL"}}),
    )
    .await;
    let (s, body) = b.call_get("/api/methods").await;
    check!(
        s.is_server_error() || s == StatusCode::SERVICE_UNAVAILABLE,
        "{s} {body}"
    );
    let text = body.to_string();
    check!(
        !text.contains("E0000") && !text.contains("SECRET-DETAIL"),
        "{text}"
    );
    check!(
        !text.contains(app.sandbox.base_url.host_str().unwrap_or("127.0.0.1")),
        "{text}"
    );
    check!(
        body["correlation_id"].is_string(),
        "no correlation id: {text}"
    );
    Ok(())
}

async fn otp_not_echoed() -> Outcome {
    let app = app().await;
    let mut b = by_handoff(&app, users::VICTOR.1).await;
    let (s, step) = b
        .call("/api/reverify/start", &[("factor_id", VICTOR_SMS)])
        .await;
    check!(s == StatusCode::OK, "{s} {step}");
    let outbox = control(&app, "GET", "/sandbox/api/outbox", json!(null)).await;
    let code = outbox
        .as_array()
        .and_then(|m| {
            m.iter()
                .rev()
                .find_map(|m| m["code"].as_str().map(str::to_string))
        })
        .ok_or("no code was texted")?;
    let state = b.call_get("/api/reverify/state").await.1.to_string();
    check!(
        !step.to_string().contains(&code) && !state.contains(&code),
        "the code came back"
    );
    Ok(())
}

/// Every log line written while the suite runs (the suite installs it as the global default).
fn log() -> Arc<Mutex<Vec<u8>>> {
    static LOG: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOG.get_or_init(|| {
        let buf = Arc::new(Mutex::new(Vec::new()));
        let writer = Captured(buf.clone());
        let subscriber = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(
                "server=trace,app=trace,keyport=trace,warn",
            ))
            .with_writer(move || writer.clone())
            .finish();
        let _ = tracing::subscriber::set_global_default(subscriber);
        buf
    })
    .clone()
}

#[derive(Clone)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

async fn nothing_secret_logged() -> Outcome {
    let log = log();
    let app = app().await;
    // A sign-in with a password, a handoff, a texted code and a typed one, a wrong password.
    let mut b = nora(&app).await;
    let _ = b
        .call(
            "/api/reverify/password",
            &[("password", "Wr0ng!Passw0rd-logged?")],
        )
        .await;
    let token = handoff_token(users::VICTOR.1);
    let mut v = Browser::new(app.router.clone());
    v.handoff(&token).await;
    v.session().await;
    let _ = v
        .call("/api/reverify/start", &[("factor_id", VICTOR_SMS)])
        .await;
    let outbox = control(&app, "GET", "/sandbox/api/outbox", json!(null)).await;
    let code = outbox
        .as_array()
        .and_then(|m| {
            m.iter()
                .rev()
                .find_map(|m| m["code"].as_str().map(str::to_string))
        })
        .ok_or("no code was texted")?;
    let _ = v.call("/api/reverify/code", &[("code", &code)]).await;
    let text = String::from_utf8_lossy(&log.lock().unwrap()).to_string();
    check!(text.contains("signed in"), "the capture saw no log lines");
    let session_id = b.cookie.clone().unwrap_or_default();
    let session_id = session_id.split('=').nth(1).unwrap_or("-");
    for (what, secret) in [
        ("the demo password", DEMO_PASSWORD),
        ("a wrong password", "Wr0ng!Passw0rd-logged?"),
        ("the API token", SANDBOX_TOKEN),
        ("a handoff token", token.as_str()),
        ("a texted code", code.as_str()),
        ("a session id", session_id),
        ("a TOTP secret", TINA_TOTP_SECRET),
    ] {
        check!(!contains_word(&text, secret), "{what} is in the log");
    }
    Ok(())
}

/// `needle` appears in `text` as a whole word (a 6-digit code inside a timestamp's
/// microseconds or a hex request id is not it).
fn contains_word(text: &str, needle: &str) -> bool {
    let word = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '.');
    text.match_indices(needle).any(|(i, _)| {
        !word(text[..i].chars().next_back()) && !word(text[i + needle.len()..].chars().next())
    })
}

async fn request_id_header() -> Outcome {
    let app = app().await;
    let b = Browser::new(app.router.clone());
    for path in ["/signin", "/api/session", "/healthz", "/no-such-page"] {
        let seen = page(&b, path).await;
        check!(
            seen.header("x-request-id").len() >= 16,
            "{path}: no request id"
        );
    }
    Ok(())
}
