//! The sign-in handoff: forged and replayed tokens, login CSRF, and where it sends the browser.

use super::requests::*;
use super::{check, probe, Outcome, Probe};
use crate::support::{handoff_token, Browser};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::json;
use server::config::DEFAULT_SANDBOX_HANDOFF_SECRET;
use server::sandbox::seed::users;
use tower::ServiceExt;

pub fn jwt() -> Vec<Probe> {
    vec![
        probe!(
            "handoff-jwt",
            "an unsigned token (alg none) is refused",
            alg_none
        ),
        probe!(
            "handoff-jwt",
            "a token signed with another secret is refused",
            wrong_secret
        ),
        probe!("handoff-jwt", "an expired token is refused", expired),
        probe!(
            "handoff-jwt",
            "a token is spent once (replay refused)",
            replay
        ),
        probe!("handoff-jwt", "a token without jti is refused", no_jti),
        probe!(
            "handoff-jwt",
            "a token for another audience is refused",
            wrong_audience
        ),
        probe!(
            "handoff-jwt",
            "a token living longer than 10 minutes is refused",
            too_long_lived
        ),
        probe!(
            "handoff-jwt",
            "an RS256 header over an HMAC signature is refused",
            alg_confusion
        ),
        probe!(
            "handoff-jwt",
            "a token in a GET query is not accepted",
            token_in_url
        ),
        probe!(
            "handoff-jwt",
            "a token for a deactivated person opens nothing",
            deactivated
        ),
        probe!(
            "handoff-jwt",
            "hole 11: a cross-site handoff into another person's session asks first",
            login_csrf_asks
        ),
        probe!(
            "handoff-jwt",
            "hole 11: the switch cannot be confirmed from another site",
            login_csrf_confirm_cross_site
        ),
        probe!(
            "handoff-jwt",
            "hole 11: the person may switch, then is the new person",
            login_csrf_switch
        ),
        probe!(
            "handoff-jwt",
            "hole 11: staying keeps the session and spends the choice",
            login_csrf_stay
        ),
    ]
}

pub fn redirects() -> Vec<Probe> {
    vec![
        probe!(
            "redirects",
            "hole 5: return_to=/\\t/evil.example/ is refused",
            tab_slash
        ),
        probe!(
            "redirects",
            "return_to=//evil.example is refused",
            protocol_relative
        ),
        probe!(
            "redirects",
            "return_to=https://evil.example is refused",
            absolute_elsewhere
        ),
        probe!(
            "redirects",
            "return_to=/\\evil.example is refused",
            backslash
        ),
        probe!("redirects", "return_to=javascript: is refused", javascript),
        probe!(
            "redirects",
            "hole 6: a CR/LF in return_to is a 400, not a 500",
            crlf
        ),
        probe!(
            "redirects",
            "a refused return_to leaves the token unspent",
            token_unspent
        ),
        probe!(
            "redirects",
            "a path on Keyport is where the browser lands",
            local_path
        ),
    ]
}

fn b64(v: &serde_json::Value) -> String {
    URL_SAFE_NO_PAD.encode(v.to_string())
}

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

fn claims(sub: &str) -> serde_json::Value {
    json!({"sub": sub, "aud": "keyport", "iat": now(), "exp": now() + 120,
           "jti": uuid::Uuid::new_v4().to_string()})
}

/// Signs `claims` with HS256 and `secret`, under any header.
fn signed(header: serde_json::Value, claims: &serde_json::Value, secret: &str) -> String {
    use jsonwebtoken::{encode, EncodingKey, Header};
    let _ = header;
    encode(
        &Header::new(jsonwebtoken::Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

/// Posts a hand-over; answers what the browser sees.
async fn post_handoff(
    b: &mut Browser,
    token: &str,
    return_to: Option<&str>,
    headers: &[(&str, &str)],
) -> Seen {
    let mut form = url::form_urlencoded::Serializer::new(String::new());
    form.append_pair("token", token);
    if let Some(r) = return_to {
        form.append_pair("return_to", r);
    }
    let mut req =
        Request::post("/auth/handoff").header("content-type", "application/x-www-form-urlencoded");
    if let Some(c) = &b.cookie {
        req = req.header("cookie", c);
    }
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let res = b
        .router
        .clone()
        .oneshot(req.body(Body::from(form.finish())).unwrap())
        .await
        .unwrap();
    // As a browser: a cross-site hand-over continues with a GET that carries the cookies.
    let res = b.follow_handoff(res).await;
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = http_body_util::BodyExt::collect(res.into_body())
        .await
        .unwrap()
        .to_bytes();
    for v in headers.get_all("set-cookie") {
        let pair = v
            .to_str()
            .unwrap_or_default()
            .split(';')
            .next()
            .unwrap_or_default();
        if pair.starts_with("keyport_session=") {
            b.cookie = Some(pair.to_string());
        }
    }
    Seen {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).to_string(),
    }
}

/// The token is refused with `code`, and nobody is signed in.
async fn refused(token: &str, code: &str) -> Outcome {
    let app = app().await;
    let mut b = Browser::new(app.router.clone());
    let seen = post_handoff(&mut b, token, None, &[]).await;
    let location = seen.header("location");
    check!(
        location == format!("/signin?handoff={code}"),
        "{} to {location:?}",
        seen.status
    );
    check!(b.session().await["user"].is_null(), "someone was signed in");
    Ok(())
}

async fn alg_none() -> Outcome {
    let token = format!(
        "{}.{}.",
        b64(&json!({"alg": "none", "typ": "JWT"})),
        b64(&claims(users::NORA.1))
    );
    refused(&token, "invalid").await
}

async fn wrong_secret() -> Outcome {
    let token = signed(
        json!({}),
        &claims(users::NORA.1),
        "another-secret-of-thirty-two-chars!!",
    );
    refused(&token, "invalid").await
}

async fn expired() -> Outcome {
    let mut c = claims(users::NORA.1);
    c["iat"] = json!(now() - 600);
    c["exp"] = json!(now() - 300);
    refused(
        &signed(json!({}), &c, DEFAULT_SANDBOX_HANDOFF_SECRET),
        "expired",
    )
    .await
}

async fn replay() -> Outcome {
    let app = app().await;
    let token = handoff_token(users::NORA.1);
    let mut first = Browser::new(app.router.clone());
    let seen = post_handoff(&mut first, &token, None, &[]).await;
    check!(
        seen.header("location") == "/",
        "first use: {}",
        seen.header("location")
    );
    let mut second = Browser::new(app.router.clone());
    let seen = post_handoff(&mut second, &token, None, &[]).await;
    check!(
        seen.header("location") == "/signin?handoff=used",
        "replay: {}",
        seen.header("location")
    );
    check!(
        second.session().await["user"].is_null(),
        "the replay signed in"
    );
    Ok(())
}

async fn no_jti() -> Outcome {
    let mut c = claims(users::NORA.1);
    c.as_object_mut().unwrap().remove("jti");
    refused(
        &signed(json!({}), &c, DEFAULT_SANDBOX_HANDOFF_SECRET),
        "invalid",
    )
    .await
}

async fn wrong_audience() -> Outcome {
    let mut c = claims(users::NORA.1);
    c["aud"] = json!("some-other-app");
    refused(
        &signed(json!({}), &c, DEFAULT_SANDBOX_HANDOFF_SECRET),
        "invalid",
    )
    .await
}

async fn too_long_lived() -> Outcome {
    let mut c = claims(users::NORA.1);
    c["exp"] = json!(now() + 3600);
    refused(
        &signed(json!({}), &c, DEFAULT_SANDBOX_HANDOFF_SECRET),
        "invalid",
    )
    .await
}

async fn alg_confusion() -> Outcome {
    // An HMAC signature under a header that claims RS256.
    let good = handoff_token(users::NORA.1);
    let mut parts = good.split('.');
    let (_, body, sig) = (parts.next(), parts.next().unwrap(), parts.next().unwrap());
    let token = format!(
        "{}.{body}.{sig}",
        b64(&json!({"alg": "RS256", "typ": "JWT"}))
    );
    refused(&token, "invalid").await
}

async fn token_in_url() -> Outcome {
    let app = app().await;
    let token = handoff_token(users::NORA.1);
    let seen = send(
        &app.router,
        Request::get(format!("/auth/handoff?token={token}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    check!(
        seen.status == StatusCode::METHOD_NOT_ALLOWED,
        "a GET with the token answered {}",
        seen.status
    );
    Ok(())
}

async fn deactivated() -> Outcome {
    let app = app().await;
    let mut b = Browser::new(app.router.clone());
    let seen = post_handoff(&mut b, &handoff_token(users::DANA.1), None, &[]).await;
    check!(
        seen.header("location") == "/signin?handoff=inactive",
        "{}",
        seen.header("location")
    );
    check!(b.session().await["user"].is_null(), "Dana was signed in");
    Ok(())
}

/// The victim (Victor) is signed in; the attacker's page posts a valid token for the attacker
/// (Nora) cross-site.
async fn victim_and_attack() -> (crate::support::TestApp, Browser, Seen) {
    let app = app().await;
    let mut victim = by_handoff(&app, users::VICTOR.1).await;
    let seen = post_handoff(
        &mut victim,
        &handoff_token(users::NORA.1),
        None,
        &[
            ("sec-fetch-site", "cross-site"),
            ("origin", "https://evil.example"),
        ],
    )
    .await;
    (app, victim, seen)
}

async fn login_csrf_asks() -> Outcome {
    let (_app, mut victim, seen) = victim_and_attack().await;
    check!(
        seen.header("location") == "/handoff",
        "went to {:?}",
        seen.header("location")
    );
    let who = victim.session().await;
    check!(
        who["user"]["login"] == users::VICTOR.1,
        "the session was replaced: {who}"
    );
    let page = page(&victim, "/handoff").await;
    check!(
        page.body.contains("Switch accounts?"),
        "no question on /handoff"
    );
    Ok(())
}

async fn login_csrf_confirm_cross_site() -> Outcome {
    let (_app, mut victim, _) = victim_and_attack().await;
    victim.session().await;
    let (s, body) = victim
        .call_with(
            "/api/handoff/decide",
            &[("switch", "true")],
            &[("sec-fetch-site", "cross-site")],
            true,
        )
        .await;
    check!(s == StatusCode::FORBIDDEN, "{s} {body}");
    let who = victim.session().await;
    check!(who["user"]["login"] == users::VICTOR.1, "switched: {who}");
    Ok(())
}

async fn login_csrf_switch() -> Outcome {
    let (_app, mut victim, _) = victim_and_attack().await;
    victim.session().await;
    let (s, body) = victim
        .call("/api/handoff/decide", &[("switch", "true")])
        .await;
    check!(s == StatusCode::OK && body == "/", "{s} {body}");
    let who = victim.session().await;
    check!(who["user"]["login"] == users::NORA.1, "not switched: {who}");
    Ok(())
}

async fn login_csrf_stay() -> Outcome {
    let (_app, mut victim, _) = victim_and_attack().await;
    victim.session().await;
    let (s, body) = victim
        .call("/api/handoff/decide", &[("switch", "false")])
        .await;
    check!(s == StatusCode::OK, "{s} {body}");
    let (s, body) = victim
        .call("/api/handoff/decide", &[("switch", "true")])
        .await;
    check!(s == StatusCode::OK, "{s} {body}");
    let who = victim.session().await;
    check!(
        who["user"]["login"] == users::VICTOR.1,
        "a spent choice switched: {who}"
    );
    Ok(())
}

/// `return_to` is refused with a 400 and nobody is signed in.
async fn bad_return(return_to: &str) -> Outcome {
    let app = app().await;
    let mut b = Browser::new(app.router.clone());
    let seen = post_handoff(&mut b, &handoff_token(users::NORA.1), Some(return_to), &[]).await;
    check!(
        seen.status == StatusCode::BAD_REQUEST,
        "{} to {:?}",
        seen.status,
        seen.header("location")
    );
    check!(seen.header("location").is_empty(), "a Location was sent");
    Ok(())
}

async fn tab_slash() -> Outcome {
    bad_return("/\t/evil.example/").await
}

async fn protocol_relative() -> Outcome {
    bad_return("//evil.example").await
}

async fn absolute_elsewhere() -> Outcome {
    bad_return("https://evil.example/").await
}

async fn backslash() -> Outcome {
    bad_return("/\\evil.example").await
}

async fn javascript() -> Outcome {
    bad_return("javascript:alert(document.domain)").await
}

async fn crlf() -> Outcome {
    bad_return("/account\r\nSet-Cookie: evil=1").await
}

async fn token_unspent() -> Outcome {
    let app = app().await;
    let token = handoff_token(users::NORA.1);
    let mut b = Browser::new(app.router.clone());
    let seen = post_handoff(&mut b, &token, Some("//evil.example"), &[]).await;
    check!(seen.status == StatusCode::BAD_REQUEST, "{}", seen.status);
    let seen = post_handoff(&mut b, &token, Some("/account"), &[]).await;
    check!(
        seen.header("location") == "/account",
        "the fixed link did not work: {:?}",
        seen.header("location")
    );
    Ok(())
}

async fn local_path() -> Outcome {
    let app = app().await;
    let mut b = Browser::new(app.router.clone());
    let seen = post_handoff(
        &mut b,
        &handoff_token(users::NORA.1),
        Some("/account?from=app"),
        &[],
    )
    .await;
    check!(
        seen.header("location") == "/account?from=app",
        "{:?}",
        seen.header("location")
    );
    Ok(())
}
