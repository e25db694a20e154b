//! Cross-site request forgery and session handling.

use super::requests::*;
use super::{check, probe, Outcome, Probe};
use crate::support::{step_name, Browser};
use axum::body::Body;
use axum::http::{Request, StatusCode};

pub fn csrf() -> Vec<Probe> {
    vec![
        probe!(
            "csrf",
            "a cross-site form post to sign-in is refused",
            cross_site_sign_in
        ),
        probe!(
            "csrf",
            "a foreign Origin without Sec-Fetch-Site is refused",
            foreign_origin
        ),
        probe!(
            "csrf",
            "a same-site (sibling subdomain) post is refused",
            same_site_post
        ),
        probe!(
            "csrf",
            "a change without the page token is refused",
            missing_token
        ),
        probe!("csrf", "a wrong page token is refused", wrong_token),
        probe!(
            "csrf",
            "another session's page token is refused",
            token_of_another_session
        ),
        probe!("csrf", "Origin: null alone is refused", null_origin),
        probe!(
            "csrf",
            "a text/plain body carrying _csrf is refused",
            text_plain_token
        ),
        probe!(
            "csrf",
            "the token in the query string is not accepted",
            token_in_query
        ),
        probe!(
            "csrf",
            "sign-out cannot be triggered by a GET",
            sign_out_by_get
        ),
        probe!(
            "csrf",
            "an admin change from another site is refused",
            admin_cross_site
        ),
    ]
}

pub fn session() -> Vec<Probe> {
    vec![
        probe!(
            "session",
            "the session id changes at sign-in (fixation)",
            id_changes_at_sign_in
        ),
        probe!(
            "session",
            "the session id changes after confirming it's you",
            id_changes_at_reverify
        ),
        probe!(
            "session",
            "hole 2: a passed test renews the session id too",
            id_changes_at_test
        ),
        probe!(
            "session",
            "the cookie is HttpOnly, SameSite=Lax, Path=/",
            cookie_flags
        ),
        probe!(
            "session",
            "a signed-out cookie opens nothing",
            signed_out_cookie_is_dead
        ),
        probe!(
            "session",
            "a forged session cookie opens nothing and breaks nothing",
            forged_cookie
        ),
        probe!(
            "session",
            "an oversized cookie is a clean answer",
            huge_cookie
        ),
        probe!(
            "session",
            "sign out everywhere ends the other session",
            sign_out_everywhere
        ),
    ]
}

/// A signed-out visitor with a page token, as an attacker's victim would be.
async fn visitor() -> (crate::support::TestApp, Browser) {
    let app = app().await;
    let mut b = Browser::new(app.router.clone());
    b.page("/signin").await;
    b.session().await;
    (app, b)
}

const SIGN_IN: &[(&str, &str)] = &[
    ("username", "nora.nofactors@example.com"),
    ("password", server::sandbox::seed::DEMO_PASSWORD),
];

async fn cross_site_sign_in() -> Outcome {
    let (_app, mut b) = visitor().await;
    let (s, body) = b
        .call_with(
            "/api/signin",
            SIGN_IN,
            &[
                ("sec-fetch-site", "cross-site"),
                ("origin", "https://evil.example"),
            ],
            true,
        )
        .await;
    check!(
        s == StatusCode::FORBIDDEN && body["code"] == "cross_site_request",
        "{s} {body}"
    );
    check!(
        b.session().await["user"].is_null(),
        "the visitor was signed in"
    );
    Ok(())
}

async fn foreign_origin() -> Outcome {
    let (_app, mut b) = visitor().await;
    let (s, body) = b
        .call_with(
            "/api/signin",
            SIGN_IN,
            &[("origin", "https://evil.example")],
            true,
        )
        .await;
    check!(s == StatusCode::FORBIDDEN, "{s} {body}");
    Ok(())
}

async fn same_site_post() -> Outcome {
    let (_app, mut b) = visitor().await;
    let (s, body) = b
        .call_with(
            "/api/signin",
            SIGN_IN,
            &[("sec-fetch-site", "same-site")],
            true,
        )
        .await;
    check!(s == StatusCode::FORBIDDEN, "{s} {body}");
    Ok(())
}

async fn missing_token() -> Outcome {
    let app = app().await;
    let mut b = nora(&app).await;
    let (s, body) = b
        .call_with(
            "/api/methods/enroll/cancel",
            &[],
            &[("sec-fetch-site", "same-origin")],
            false,
        )
        .await;
    check!(
        s == StatusCode::FORBIDDEN && body["code"] == "cross_site_request",
        "{s} {body}"
    );
    Ok(())
}

async fn wrong_token() -> Outcome {
    let app = app().await;
    let mut b = nora(&app).await;
    b.csrf = Some("A".repeat(43));
    let (s, body) = b.call("/api/methods/enroll/cancel", &[]).await;
    check!(s == StatusCode::FORBIDDEN, "{s} {body}");
    Ok(())
}

async fn token_of_another_session() -> Outcome {
    let app = app().await;
    let attacker = nora(&app).await;
    let mut victim = by_handoff(&app, "tina.totp@example.com").await;
    victim.csrf = attacker.csrf.clone();
    let (s, body) = victim.call("/api/methods/enroll/cancel", &[]).await;
    check!(s == StatusCode::FORBIDDEN, "{s} {body}");
    Ok(())
}

async fn null_origin() -> Outcome {
    let (_app, mut b) = visitor().await;
    let (s, body) = b
        .call_with("/api/signin", SIGN_IN, &[("origin", "null")], true)
        .await;
    check!(s == StatusCode::FORBIDDEN, "{s} {body}");
    Ok(())
}

async fn text_plain_token() -> Outcome {
    let (_app, mut b) = visitor().await;
    let csrf = b.csrf.take().unwrap_or_default();
    let seen = post_raw(
        &b,
        "/api/signin",
        "text/plain",
        format!("_csrf={csrf}&username=nora.nofactors@example.com&password=Keyport!Demo1"),
        &[],
    )
    .await;
    check!(
        seen.status == StatusCode::FORBIDDEN,
        "{} {}",
        seen.status,
        seen.body
    );
    Ok(())
}

async fn token_in_query() -> Outcome {
    let (_app, mut b) = visitor().await;
    let csrf = b.csrf.take().unwrap_or_default();
    let (s, body) = b
        .call_with(&format!("/api/signin?_csrf={csrf}"), SIGN_IN, &[], false)
        .await;
    check!(s == StatusCode::FORBIDDEN, "{s} {body}");
    Ok(())
}

async fn sign_out_by_get() -> Outcome {
    let app = app().await;
    let mut b = nora(&app).await;
    let _ = b.call_get("/api/signout?everywhere=true").await;
    check!(
        !b.session().await["user"].is_null(),
        "a GET signed the person out"
    );
    Ok(())
}

async fn admin_cross_site() -> Outcome {
    let app = app().await;
    let mut adam = crate::support::signed_in_with_password(&app, "adam.admin@example.com").await;
    let (s, body) = adam
        .call_with(
            "/api/admin/authenticators/set",
            &[
                ("authenticator_id", "aut1oktaverify000000"),
                ("active", "false"),
            ],
            &[("sec-fetch-site", "cross-site")],
            true,
        )
        .await;
    check!(
        s == StatusCode::FORBIDDEN && body["code"] == "cross_site_request",
        "{s} {body}"
    );
    Ok(())
}

fn cookie_value(b: &Browser) -> String {
    b.cookie.clone().unwrap_or_default()
}

async fn id_changes_at_sign_in() -> Outcome {
    let (_app, mut b) = visitor().await;
    let before = cookie_value(&b);
    let (s, body) = b.call("/api/signin", SIGN_IN).await;
    check!(s == StatusCode::OK, "{s} {body}");
    check!(
        !before.is_empty() && cookie_value(&b) != before,
        "the id stayed {before}"
    );
    Ok(())
}

async fn id_changes_at_reverify() -> Outcome {
    let app = app().await;
    let mut b = nora(&app).await;
    let before = cookie_value(&b);
    let (s, body) = b
        .call(
            "/api/reverify/password",
            &[("password", server::sandbox::seed::DEMO_PASSWORD)],
        )
        .await;
    check!(
        s == StatusCode::OK && step_name(&body) == "verified",
        "{s} {body}"
    );
    check!(
        cookie_value(&b) != before,
        "the id stayed after re-verification"
    );
    Ok(())
}

async fn id_changes_at_test() -> Outcome {
    let app = app().await;
    let mut b = by_handoff(&app, "tina.totp@example.com").await;
    let (s, body) = b
        .call("/api/methods/test", &[("method_id", TINA_GOOGLE)])
        .await;
    check!(s == StatusCode::OK, "{s} {body}");
    let before = cookie_value(&b);
    let code = crate::support::sandbox_totp(
        &app.sandbox.base_url,
        server::sandbox::seed::TINA_TOTP_SECRET,
    )
    .await;
    let (s, body) = b.call("/api/methods/test/code", &[("code", &code)]).await;
    check!(
        s == StatusCode::OK && step_name(&body) == "passed",
        "{s} {body}"
    );
    check!(
        cookie_value(&b) != before,
        "a passed test counted as a verification without a new session id"
    );
    Ok(())
}

async fn cookie_flags() -> Outcome {
    let app = app().await;
    let res = send(
        &app.router,
        Request::get("/signin")
            .header("accept", "text/html")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    let cookie = res.header("set-cookie");
    check!(cookie.contains("HttpOnly"), "{cookie}");
    check!(cookie.contains("SameSite=Lax"), "{cookie}");
    check!(cookie.contains("Path=/"), "{cookie}");
    Ok(())
}

async fn signed_out_cookie_is_dead() -> Outcome {
    let app = app().await;
    let mut b = nora(&app).await;
    let old = b.cookie.clone();
    let (s, _) = b.call("/api/signout", &[("everywhere", "false")]).await;
    check!(s.is_success() || s.is_redirection(), "{s}");
    b.cookie = old;
    check!(
        b.session().await["user"].is_null(),
        "the old cookie still opens the session"
    );
    Ok(())
}

async fn forged_cookie() -> Outcome {
    let app = app().await;
    let mut b = Browser::new(app.router.clone());
    b.cookie = Some("keyport_session=AAAAAAAAAAAAAAAAAAAAAA".into());
    let v = b.session().await;
    check!(v["user"].is_null(), "{v}");
    let seen = page(&b, "/").await;
    check!(seen.status.as_u16() < 500, "{}", seen.status);
    Ok(())
}

async fn huge_cookie() -> Outcome {
    let app = app().await;
    let mut b = Browser::new(app.router.clone());
    b.cookie = Some(format!("keyport_session={}", "x".repeat(6000)));
    let seen = page(&b, "/signin").await;
    check!(seen.status.as_u16() < 500, "{}", seen.status);
    Ok(())
}

async fn sign_out_everywhere() -> Outcome {
    let app = app().await;
    let mut first = nora(&app).await;
    let mut second = nora(&app).await;
    let (s, body) = second.call("/api/signout", &[("everywhere", "true")]).await;
    check!(s.is_success() || s.is_redirection(), "{s} {body}");
    check!(
        first.session().await["user"].is_null(),
        "the other session lives on"
    );
    Ok(())
}
