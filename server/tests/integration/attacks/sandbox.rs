//! The sandbox's control API: no web page may drive it (it runs on developers' laptops).

use super::requests::*;
use super::{check, probe, Outcome, Probe};
use crate::support::TestApp;
use reqwest::StatusCode;

pub fn probes() -> Vec<Probe> {
    vec![
        probe!(
            "sandbox-control",
            "hole 10: a no-cors text/plain post cannot move the clock",
            text_plain_clock
        ),
        probe!(
            "sandbox-control",
            "a plain form post cannot reset the sandbox",
            form_reset
        ),
        probe!(
            "sandbox-control",
            "a cross-site JSON call is refused",
            cross_site_json
        ),
        probe!(
            "sandbox-control",
            "a call naming another Origin is refused",
            foreign_origin
        ),
        probe!(
            "sandbox-control",
            "a DNS-rebound Host cannot read the outbox",
            rebound_host
        ),
        probe!(
            "sandbox-control",
            "a page cannot approve pushes on the virtual phone",
            approve_cross_site
        ),
        probe!(
            "sandbox-control",
            "the console's own same-origin calls still work",
            console_same_origin
        ),
        probe!(
            "sandbox-control",
            "tools (no Origin) still drive it",
            tool_call
        ),
        probe!(
            "sandbox-control",
            "Okta's API needs the token",
            okta_api_needs_token
        ),
    ]
}

async fn raw(
    app: &TestApp,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (StatusCode, String) {
    let url = format!(
        "{}{}",
        app.sandbox.base_url.as_str().trim_end_matches('/'),
        path
    );
    let mut req = reqwest::Client::new()
        .request(method.parse().unwrap(), url)
        .body(body.to_string());
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let res = req.send().await.unwrap();
    (res.status(), res.text().await.unwrap_or_default())
}

async fn clock_offset(app: &TestApp) -> i64 {
    control(app, "GET", "/sandbox/api/org", serde_json::Value::Null).await["clockOffsetSeconds"]
        .as_i64()
        .unwrap_or(i64::MIN)
}

/// What a no-cors `fetch` from another site sends.
const FROM_EVIL: &[(&str, &str)] = &[
    ("origin", "https://evil.example"),
    ("sec-fetch-site", "cross-site"),
    ("sec-fetch-mode", "no-cors"),
];

async fn text_plain_clock() -> Outcome {
    let app = app().await;
    let mut headers = FROM_EVIL.to_vec();
    headers.push(("content-type", "text/plain"));
    let (s, body) = raw(
        &app,
        "POST",
        "/sandbox/api/clock/advance",
        &headers,
        r#"{"seconds":86400}"#,
    )
    .await;
    check!(s.is_client_error(), "{s} {body}");
    check!(clock_offset(&app).await == 0, "the clock moved");
    Ok(())
}

async fn form_reset() -> Outcome {
    let app = app().await;
    let mut headers = FROM_EVIL.to_vec();
    headers.push(("content-type", "application/x-www-form-urlencoded"));
    let (s, body) = raw(&app, "POST", "/sandbox/api/reset", &headers, "").await;
    check!(s.is_client_error(), "{s} {body}");
    Ok(())
}

async fn cross_site_json() -> Outcome {
    let app = app().await;
    let (s, body) = raw(
        &app,
        "POST",
        "/sandbox/api/clock/advance",
        &[
            ("content-type", "application/json"),
            ("sec-fetch-site", "cross-site"),
        ],
        r#"{"seconds":86400}"#,
    )
    .await;
    check!(s == StatusCode::FORBIDDEN, "{s} {body}");
    check!(clock_offset(&app).await == 0, "the clock moved");
    Ok(())
}

async fn foreign_origin() -> Outcome {
    let app = app().await;
    let (s, body) = raw(
        &app,
        "POST",
        "/sandbox/api/faults",
        &[
            ("content-type", "application/json"),
            ("origin", "https://evil.example"),
        ],
        r#"{"path":"/api/v1/*","action":{"kind":"status","status":500}}"#,
    )
    .await;
    check!(s == StatusCode::FORBIDDEN, "{s} {body}");
    Ok(())
}

async fn rebound_host() -> Outcome {
    let app = app().await;
    let (s, body) = raw(
        &app,
        "GET",
        "/sandbox/api/outbox",
        &[("host", "evil.example:3001")],
        "",
    )
    .await;
    check!(s == StatusCode::FORBIDDEN, "{s} {body}");
    Ok(())
}

async fn approve_cross_site() -> Outcome {
    let app = app().await;
    let (s, body) = raw(
        &app,
        "POST",
        "/sandbox/api/phone/pushes/anything/approve",
        FROM_EVIL,
        "",
    )
    .await;
    check!(
        s.is_client_error() && s != StatusCode::NOT_FOUND,
        "{s} {body}"
    );
    Ok(())
}

async fn console_same_origin() -> Outcome {
    let app = app().await;
    let origin = app.sandbox.base_url.origin().ascii_serialization();
    let (s, body) = raw(
        &app,
        "POST",
        "/sandbox/api/clock/advance",
        &[
            ("content-type", "application/json"),
            ("origin", &origin),
            ("sec-fetch-site", "same-origin"),
        ],
        r#"{"seconds":60}"#,
    )
    .await;
    check!(s == StatusCode::OK, "{s} {body}");
    check!(clock_offset(&app).await == 60, "the clock did not move");
    Ok(())
}

async fn tool_call() -> Outcome {
    let app = app().await;
    let (s, body) = raw(
        &app,
        "POST",
        "/sandbox/api/totp",
        &[("content-type", "application/json")],
        r#"{"secret":"KEYPORTTINATOTP7"}"#,
    )
    .await;
    check!(s == StatusCode::OK && body.contains("code"), "{s} {body}");
    Ok(())
}

async fn okta_api_needs_token() -> Outcome {
    let app = app().await;
    let (s, body) = raw(
        &app,
        "GET",
        "/api/v1/users/00u1nora0nofactors00/factors",
        &[],
        "",
    )
    .await;
    check!(
        s == StatusCode::UNAUTHORIZED && body.contains("E0000011"),
        "{s} {body}"
    );
    Ok(())
}
