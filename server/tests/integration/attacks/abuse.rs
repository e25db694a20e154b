//! Brute force and toll fraud: guessing codes, spending other people's budgets, pumping texts.

use super::requests::*;
use super::{check, probe, Outcome, Probe};
use crate::support::{step_name, Browser, TestApp};
use axum::http::StatusCode;
use serde_json::json;
use server::sandbox::seed::{users, DEMO_PASSWORD};

pub fn probes() -> Vec<Probe> {
    vec![
        probe!(
            "brute-force",
            "hole 2: guessing codes in \"test this method\" is stopped",
            test_code_guessing
        ),
        probe!(
            "brute-force",
            "guessing codes when confirming it's you is stopped",
            reverify_code_guessing
        ),
        probe!(
            "brute-force",
            "guessing codes at sign-in is stopped",
            sign_in_code_guessing
        ),
        probe!(
            "brute-force",
            "guessing an activation code is stopped",
            activation_guessing
        ),
        probe!(
            "brute-force",
            "hole 4: a login's short form shares its account's budget",
            alias_shares_budget
        ),
        probe!(
            "brute-force",
            "case and spaces share the budget too",
            case_shares_budget
        ),
        probe!(
            "toll-fraud",
            "hole 3: setup links to many numbers are stopped per session",
            links_per_session
        ),
        probe!(
            "toll-fraud",
            "hole 3: a premium-rate number gets no setup link",
            premium_rate_refused
        ),
        probe!(
            "toll-fraud",
            "hole 3: a landline gets no setup link",
            landline_refused
        ),
        probe!(
            "toll-fraud",
            "hole 3: one number gets only so many texts, whoever asks",
            per_destination
        ),
        probe!(
            "toll-fraud",
            "adding phones over and over is stopped",
            enroll_sms_pumping
        ),
        probe!(
            "toll-fraud",
            "asking for confirmation texts over and over is stopped",
            reverify_sms_pumping
        ),
        probe!(
            "toll-fraud",
            "a premium-rate number cannot be added as a phone (text or call)",
            premium_enrollment_refused
        ),
        probe!(
            "toll-fraud",
            "Okta Verify pushes cannot be flooded (MFA fatigue)",
            push_flood
        ),
    ]
}

/// Sends `n` wrong codes to `endpoint`; answers the statuses seen.
async fn wrong_codes(b: &mut Browser, endpoint: &str, n: usize) -> Vec<StatusCode> {
    let mut seen = vec![];
    for i in 0..n {
        let code = format!("{:06}", 100_000 + i * 7919 % 900_000);
        seen.push(b.call(endpoint, &[("code", &code)]).await.0);
    }
    seen
}

fn stopped(statuses: &[StatusCode]) -> Outcome {
    check!(
        statuses.contains(&StatusCode::TOO_MANY_REQUESTS),
        "never refused: {statuses:?}"
    );
    let first = statuses
        .iter()
        .position(|s| *s == StatusCode::TOO_MANY_REQUESTS)
        .unwrap_or(usize::MAX);
    check!(
        statuses[first..]
            .iter()
            .all(|s| *s == StatusCode::TOO_MANY_REQUESTS),
        "guessing resumed after the refusal: {statuses:?}"
    );
    Ok(())
}

async fn test_code_guessing() -> Outcome {
    let app = app().await;
    let mut b = by_handoff(&app, users::TINA.1).await;
    let (s, body) = b
        .call("/api/methods/test", &[("method_id", TINA_GOOGLE)])
        .await;
    check!(s == StatusCode::OK, "{s} {body}");
    stopped(&wrong_codes(&mut b, "/api/methods/test/code", 20).await)
}

async fn reverify_code_guessing() -> Outcome {
    let app = app().await;
    let mut b = by_handoff(&app, users::TINA.1).await;
    let (s, body) = b
        .call("/api/reverify/start", &[("factor_id", TINA_GOOGLE)])
        .await;
    check!(s == StatusCode::OK, "{s} {body}");
    stopped(&wrong_codes(&mut b, "/api/reverify/code", 20).await)
}

async fn sign_in_code_guessing() -> Outcome {
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
    check!(s == StatusCode::OK, "{s} {step}");
    if step_name(&step) == "choose_factor" {
        let (s, step) = b
            .call("/api/signin/factor", &[("factor_id", TINA_GOOGLE)])
            .await;
        check!(s == StatusCode::OK, "{s} {step}");
    }
    stopped(&wrong_codes(&mut b, "/api/signin/code", 20).await)
}

async fn activation_guessing() -> Outcome {
    let app = app().await;
    let mut b = nora(&app).await;
    let (s, step) = b
        .call_json(
            "/api/methods/enroll",
            json!({"request": {"kind": "authenticator_app"}}),
        )
        .await;
    check!(s == StatusCode::OK, "{s} {step}");
    stopped(&wrong_codes(&mut b, "/api/methods/enroll/activate", 20).await)
}

async fn sign_ins(app: &TestApp, username: &str, n: usize) -> Vec<StatusCode> {
    let mut b = Browser::new(app.router.clone());
    b.page("/signin").await;
    b.session().await;
    let mut seen = vec![];
    for _ in 0..n {
        seen.push(
            b.call(
                "/api/signin",
                &[("username", username), ("password", "Wrong!1")],
            )
            .await
            .0,
        );
    }
    seen
}

async fn alias_shares_budget() -> Outcome {
    let app = app().await;
    let full = sign_ins(&app, users::LUKE.1, 10).await;
    check!(
        !full.contains(&StatusCode::TOO_MANY_REQUESTS),
        "refused early: {full:?}"
    );
    let alias = sign_ins(&app, "luke.locked", 2).await;
    check!(
        alias.iter().all(|s| *s == StatusCode::TOO_MANY_REQUESTS),
        "the short login got a fresh budget: {alias:?}"
    );
    Ok(())
}

async fn case_shares_budget() -> Outcome {
    let app = app().await;
    let _ = sign_ins(&app, "victor.verify@example.com", 10).await;
    let other = sign_ins(&app, "  VICTOR.Verify@Example.COM ", 1).await;
    check!(other == [StatusCode::TOO_MANY_REQUESTS], "{other:?}");
    Ok(())
}

/// Nora (just verified) with an Okta Verify enrollment showing its QR code.
async fn nora_adding_okta_verify(app: &TestApp) -> Result<Browser, String> {
    adding_okta_verify(app, users::NORA.1).await
}

/// Someone without factors, signed in with the password just now, adding Okta Verify.
async fn adding_okta_verify(app: &TestApp, login: &str) -> Result<Browser, String> {
    let mut b = crate::support::signed_in_with_password(app, login).await;
    let (s, step) = b
        .call_json(
            "/api/methods/enroll",
            json!({"request": {"kind": "okta_verify"}}),
        )
        .await;
    check!(
        s == StatusCode::OK && step_name(&step) == "scan_okta_verify",
        "{s} {step}"
    );
    Ok(b)
}

async fn text_link(b: &mut Browser, phone: &str) -> (StatusCode, serde_json::Value) {
    b.call(
        "/api/methods/enroll/send",
        &[("channel", "sms"), ("phone", phone)],
    )
    .await
}

async fn links_per_session() -> Outcome {
    let app = app().await;
    let mut b = nora_adding_okta_verify(&app).await?;
    let mut seen = vec![];
    for i in 0..12 {
        seen.push(
            text_link(&mut b, &format!("+1 415 555 01{:02}", 10 + i))
                .await
                .0,
        );
    }
    check!(
        seen[0] == StatusCode::OK,
        "the first link was refused: {seen:?}"
    );
    stopped(&seen)?;
    check!(
        seen.iter().filter(|s| **s == StatusCode::OK).count() <= 10,
        "more than ten links (KEYPORT_MESSAGE_LIMIT): {seen:?}"
    );
    Ok(())
}

async fn premium_rate_refused() -> Outcome {
    let app = app().await;
    let mut b = nora_adding_okta_verify(&app).await?;
    let since = okta_seq(&app).await;
    let (s, body) = text_link(&mut b, "+1 900 555 0199").await;
    check!(
        s == StatusCode::BAD_REQUEST && body["field"] == "phone",
        "{s} {body}"
    );
    let sent = okta_calls(&app, since, "lifecycle/activate").await;
    check!(sent.is_empty(), "Okta was asked to text it: {sent:?}");
    Ok(())
}

async fn landline_refused() -> Outcome {
    let app = app().await;
    let mut b = nora_adding_okta_verify(&app).await?;
    let (s, body) = text_link(&mut b, "+44 20 7946 0958").await;
    check!(
        s == StatusCode::BAD_REQUEST && body["field"] == "phone",
        "{s} {body}"
    );
    Ok(())
}

async fn per_destination() -> Outcome {
    let app = app().await;
    let target = "+1 415 555 0177";
    let mut seen = vec![];
    // Two people, three links each: neither spends their own budget, the number does.
    for login in [users::NORA.1, users::ADAM.1] {
        let mut b = adding_okta_verify(&app, login).await?;
        for _ in 0..3 {
            seen.push(text_link(&mut b, target).await.0);
            // Past Okta's own 30-second cooldown per number, so only Keyport's limit is seen.
            control(
                &app,
                "POST",
                "/sandbox/api/clock/advance",
                json!({"seconds": 31}),
            )
            .await;
        }
    }
    check!(seen[..5].iter().all(|s| *s == StatusCode::OK), "{seen:?}");
    check!(
        seen[5] == StatusCode::TOO_MANY_REQUESTS,
        "a sixth text to one number: {seen:?}"
    );
    Ok(())
}

async fn enroll_sms_pumping() -> Outcome {
    let app = app().await;
    let mut b = nora(&app).await;
    let mut seen = vec![];
    for _ in 0..7 {
        let (s, _) = b
            .call_json(
                "/api/methods/enroll",
                json!({"request": {"kind": "sms", "phone": "+1 415 555 0142"}}),
            )
            .await;
        seen.push(s);
    }
    stopped(&seen)
}

async fn reverify_sms_pumping() -> Outcome {
    let app = app().await;
    let mut b = by_handoff(&app, users::VICTOR.1).await;
    let mut seen = vec![];
    for _ in 0..7 {
        seen.push(
            b.call("/api/reverify/start", &[("factor_id", VICTOR_SMS)])
                .await
                .0,
        );
    }
    // Okta's own 30-second cooldown may answer first; either way the texts stop.
    let sent = seen.iter().filter(|s| **s == StatusCode::OK).count();
    check!(sent <= 5, "{sent} texts: {seen:?}");
    check!(
        seen.last() == Some(&StatusCode::TOO_MANY_REQUESTS),
        "{seen:?}"
    );
    Ok(())
}

async fn premium_enrollment_refused() -> Outcome {
    let app = app().await;
    let mut b = nora(&app).await;
    let since = okta_seq(&app).await;
    for kind in ["sms", "voice"] {
        let (s, body) = b
            .call_json(
                "/api/methods/enroll",
                json!({"request": {"kind": kind, "phone": "+1 900 555 0199"}}),
            )
            .await;
        check!(
            s == StatusCode::BAD_REQUEST && body["field"] == "phone",
            "{kind}: {s} {body}"
        );
    }
    let asked = okta_calls(&app, since, "/factors").await;
    check!(
        asked.iter().all(|p| !p.ends_with("/factors")),
        "Okta was asked to enroll: {asked:?}"
    );
    Ok(())
}

async fn push_flood() -> Outcome {
    let app = app().await;
    let mut b = by_handoff(&app, users::VICTOR.1).await;
    let mut seen = vec![];
    for _ in 0..14 {
        seen.push(
            b.call("/api/reverify/start", &[("factor_id", VICTOR_PUSH)])
                .await
                .0,
        );
    }
    check!(seen[0] == StatusCode::OK, "{seen:?}");
    stopped(&seen)?;
    check!(
        seen.iter().filter(|s| **s == StatusCode::OK).count() <= 10,
        "{seen:?}"
    );
    Ok(())
}
