//! Input bounds: oversized and malformed requests are refused early, clearly, as 4xx.

use super::requests::*;
use super::{check, probe, Outcome, Probe};
use crate::support::Browser;
use axum::http::StatusCode;
use serde_json::json;

pub fn probes() -> Vec<Probe> {
    vec![
        probe!(
            "input",
            "hole 9: a 1 MB username is refused before Okta or the limit store",
            megabyte_username
        ),
        probe!(
            "input",
            "hole 9: a 1000-character username never reaches Okta",
            long_username
        ),
        probe!(
            "input",
            "a username with a newline is refused",
            control_in_username
        ),
        probe!(
            "input",
            "hole 8: JSON of the wrong type is a 400",
            json_wrong_type
        ),
        probe!("input", "hole 8: truncated JSON is a 400", json_truncated),
        probe!("input", "hole 8: JSON 3000 levels deep is a 400", json_deep),
        probe!("input", "hole 8: 'maybe' for a bool is a 400", maybe_bool),
        probe!(
            "input",
            "hole 8: a missing argument is a 400",
            missing_argument
        ),
        probe!(
            "input",
            "hole 8: a duplicated argument is a 400",
            duplicated_argument
        ),
        probe!("input", "hole 8: invalid UTF-8 is a 400", invalid_utf8),
        probe!(
            "input",
            "a 200-character code is refused before Okta",
            long_code
        ),
        probe!(
            "input",
            "a 1000-character nickname is refused",
            long_nickname
        ),
        probe!("input", "a 1 MB handoff body is refused", megabyte_handoff),
        probe!(
            "input",
            "a 1000-character help-desk search is refused",
            long_search
        ),
        probe!(
            "input",
            "an unknown server function is a 404, not a 500",
            unknown_function
        ),
    ]
}

/// The refusal is a 400 in Keyport's JSON shape, saying nothing of Leptos.
fn clean_400(seen: &Seen) -> Outcome {
    seen.refused_as(StatusCode::BAD_REQUEST, "invalid_input")?;
    let lower = seen.body.to_lowercase();
    check!(
        !lower.contains("serverfn") && !lower.contains("leptos") && !lower.contains("args|"),
        "internals in {}",
        seen.body
    );
    Ok(())
}

async fn visitor(app: &crate::support::TestApp) -> Browser {
    let mut b = Browser::new(app.router.clone());
    b.page("/signin").await;
    b.session().await;
    b
}

async fn megabyte_username() -> Outcome {
    let app = app().await;
    let b = visitor(&app).await;
    let since = okta_seq(&app).await;
    let body = format!("username={}&password=x", "a".repeat(1 << 20));
    let seen = post_raw(
        &b,
        "/api/signin",
        "application/x-www-form-urlencoded",
        body,
        &[],
    )
    .await;
    check!(
        seen.status == StatusCode::PAYLOAD_TOO_LARGE,
        "{} {}",
        seen.status,
        &seen.body[..seen.body.len().min(200)]
    );
    check!(seen.json()["code"] == "invalid_input", "{}", seen.body);
    let calls = okta_calls(&app, since, "").await;
    check!(calls.is_empty(), "Okta was called: {calls:?}");
    Ok(())
}

async fn long_username() -> Outcome {
    let app = app().await;
    let mut b = visitor(&app).await;
    let since = okta_seq(&app).await;
    let name = "a".repeat(1000);
    let (s, body) = b
        .call("/api/signin", &[("username", &name), ("password", "x")])
        .await;
    check!(
        s == StatusCode::BAD_REQUEST && body["field"] == "username",
        "{s} {body}"
    );
    let calls = okta_calls(&app, since, "").await;
    check!(calls.is_empty(), "Okta was called: {calls:?}");
    Ok(())
}

async fn control_in_username() -> Outcome {
    let app = app().await;
    let mut b = visitor(&app).await;
    let (s, body) = b
        .call(
            "/api/signin",
            &[("username", "nora\r\nX-Evil: 1"), ("password", "x")],
        )
        .await;
    check!(s == StatusCode::BAD_REQUEST, "{s} {body}");
    Ok(())
}

async fn json_post(body: &str) -> Outcome {
    let app = app().await;
    let b = nora(&app).await;
    let seen = post_raw(
        &b,
        "/api/methods/enroll",
        "application/json",
        body.to_string(),
        &[],
    )
    .await;
    clean_400(&seen)
}

async fn json_wrong_type() -> Outcome {
    json_post(r#"{"request": {"kind": 42}}"#).await
}

async fn json_truncated() -> Outcome {
    json_post(r#"{"request": {"kind": "authenticator_a"#).await
}

async fn json_deep() -> Outcome {
    let deep = format!("{{\"request\": {}{}}}", "[".repeat(3000), "]".repeat(3000));
    json_post(&deep).await
}

async fn maybe_bool() -> Outcome {
    let app = app().await;
    let b = nora(&app).await;
    let seen = post_raw(
        &b,
        "/api/methods/remove",
        "application/x-www-form-urlencoded",
        "method_id=x&keep_recovery=maybe",
        &[],
    )
    .await;
    clean_400(&seen)
}

async fn missing_argument() -> Outcome {
    let app = app().await;
    let b = nora(&app).await;
    let seen = post_raw(
        &b,
        "/api/methods/remove",
        "application/x-www-form-urlencoded",
        "keep_recovery=true",
        &[],
    )
    .await;
    clean_400(&seen)
}

async fn duplicated_argument() -> Outcome {
    let app = app().await;
    let b = nora(&app).await;
    let seen = post_raw(
        &b,
        "/api/methods/enroll",
        "application/json",
        r#"{"request": {"kind": "sms"}, "request": {"kind": "email"}}"#,
        &[],
    )
    .await;
    clean_400(&seen)
}

async fn invalid_utf8() -> Outcome {
    let app = app().await;
    let b = nora(&app).await;
    let mut body = br#"{"request": {"kind": ""#.to_vec();
    body.extend_from_slice(&[0xff, 0xfe, 0xfd]);
    body.extend_from_slice(br#""}}"#);
    let seen = post_raw(&b, "/api/methods/enroll", "application/json", body, &[]).await;
    clean_400(&seen)
}

async fn long_code() -> Outcome {
    let app = app().await;
    let mut b = by_handoff(&app, "tina.totp@example.com").await;
    let (s, body) = b
        .call("/api/reverify/start", &[("factor_id", TINA_GOOGLE)])
        .await;
    check!(s == StatusCode::OK, "{s} {body}");
    let since = okta_seq(&app).await;
    let (s, body) = b
        .call("/api/reverify/code", &[("code", &"1".repeat(200))])
        .await;
    check!(
        s == StatusCode::BAD_REQUEST && body["field"] == "code",
        "{s} {body}"
    );
    let calls = okta_calls(&app, since, "verify").await;
    check!(calls.is_empty(), "Okta was asked: {calls:?}");
    Ok(())
}

async fn long_nickname() -> Outcome {
    let app = app().await;
    let mut b = by_handoff(&app, "victor.verify@example.com").await;
    let (s, body) = b
        .call(
            "/api/methods/rename",
            &[("method_id", VICTOR_PUSH), ("nickname", &"n".repeat(1000))],
        )
        .await;
    check!(
        s == StatusCode::BAD_REQUEST && body["field"] == "nickname",
        "{s} {body}"
    );
    Ok(())
}

async fn megabyte_handoff() -> Outcome {
    let app = app().await;
    let b = Browser::new(app.router.clone());
    let seen = post_raw(
        &b,
        "/auth/handoff",
        "application/x-www-form-urlencoded",
        format!("token={}", "a".repeat(1 << 20)),
        &[],
    )
    .await;
    check!(
        seen.status == StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        seen.status
    );
    Ok(())
}

async fn long_search() -> Outcome {
    let app = app().await;
    let mut adam = crate::support::signed_in_with_password(&app, "adam.admin@example.com").await;
    let since = okta_seq(&app).await;
    let (s, body) = adam
        .call_get(&format!(
            "/api/admin/users/search?query={}",
            "q".repeat(1000)
        ))
        .await;
    check!(s == StatusCode::BAD_REQUEST, "{s} {body}");
    let calls = okta_calls(&app, since, "/users?").await;
    check!(calls.is_empty(), "Okta was asked: {calls:?}");
    Ok(())
}

async fn unknown_function() -> Outcome {
    let app = app().await;
    let b = nora(&app).await;
    let seen = post_raw(
        &b,
        "/api/no/such/function",
        "application/json",
        json!({}).to_string(),
        &[],
    )
    .await;
    check!(
        seen.status == StatusCode::NOT_FOUND,
        "{} {}",
        seen.status,
        &seen.body[..seen.body.len().min(200)]
    );
    Ok(())
}
