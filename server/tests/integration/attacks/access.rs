//! Access control (other people's things, the admin area) and re-verification.

use super::requests::*;
use super::{check, probe, Outcome, Probe};
use crate::support::{step_name, Browser};
use axum::http::StatusCode;
use serde_json::json;
use server::sandbox::seed::{users, DEMO_PASSWORD};

pub fn probes() -> Vec<Probe> {
    vec![
        probe!(
            "access",
            "another person's method cannot be removed (404, Okta never asked)",
            others_remove
        ),
        probe!(
            "access",
            "another person's method cannot be tested",
            others_test
        ),
        probe!(
            "access",
            "another person's method cannot be renamed",
            others_rename
        ),
        probe!(
            "access",
            "another person's factor cannot confirm it's you",
            others_reverify
        ),
        probe!(
            "access",
            "a signed-out browser reads no methods (401)",
            signed_out_methods
        ),
        probe!(
            "access",
            "the admin page is a 404 to a non-admin",
            admin_page_non_admin
        ),
        probe!(
            "access",
            "help-desk search is a 404 to a non-admin",
            admin_search_non_admin
        ),
        probe!(
            "access",
            "a temporary access code is a 404 to a non-admin",
            admin_tac_non_admin
        ),
        probe!(
            "access",
            "admin functions are a 404 to a signed-out browser",
            admin_signed_out
        ),
        probe!(
            "access",
            "a path-like method id is refused before any lookup",
            path_like_id
        ),
        probe!(
            "access",
            "hole 7: a forged pop-out ticket is a 4xx",
            forged_popout_ticket
        ),
        probe!(
            "access",
            "a forged pop-out ticket cannot join a session",
            forged_popout_adopt
        ),
    ]
}

pub fn reverification() -> Vec<Probe> {
    vec![
        probe!(
            "reverify",
            "hole 1: wrong passwords never verify, even once the account locks",
            locked_account_never_verifies
        ),
        probe!(
            "reverify",
            "hole 1: after the lockout, adding a method is still refused",
            locked_account_cannot_enroll
        ),
        probe!(
            "reverify",
            "removing a method needs a recent verification",
            remove_needs_reverify
        ),
        probe!(
            "reverify",
            "renaming a method needs a recent verification",
            rename_needs_reverify
        ),
        probe!(
            "reverify",
            "adding a method needs a recent verification",
            enroll_needs_reverify
        ),
        probe!(
            "reverify",
            "changing the password needs a recent verification",
            password_needs_reverify
        ),
        probe!(
            "reverify",
            "the password alone does not count for someone with factors",
            password_not_enough
        ),
        probe!(
            "reverify",
            "a code for a challenge never started is refused",
            code_without_challenge
        ),
        probe!(
            "reverify",
            "a help-desk action needs the admin's recent verification",
            admin_needs_reverify
        ),
    ]
}

async fn others_call(endpoint: &str, form: &[(&str, &str)]) -> Outcome {
    let app = app().await;
    let mut b = by_handoff(&app, users::NORA.1).await;
    let since = okta_seq(&app).await;
    let (s, body) = b.call(endpoint, form).await;
    check!(
        s == StatusCode::NOT_FOUND && body["code"] == "not_found",
        "{s} {body}"
    );
    let asked = okta_calls(&app, since, users::VICTOR.0).await;
    check!(asked.is_empty(), "Okta was asked about Victor: {asked:?}");
    Ok(())
}

async fn others_remove() -> Outcome {
    others_call(
        "/api/methods/remove",
        &[("method_id", VICTOR_PUSH), ("keep_recovery", "false")],
    )
    .await
}

async fn others_test() -> Outcome {
    others_call("/api/methods/test", &[("method_id", VICTOR_SMS)]).await
}

async fn others_rename() -> Outcome {
    others_call(
        "/api/methods/rename",
        &[("method_id", VICTOR_PUSH), ("nickname", "mine")],
    )
    .await
}

async fn others_reverify() -> Outcome {
    others_call("/api/reverify/start", &[("factor_id", VICTOR_SMS)]).await
}

async fn signed_out_methods() -> Outcome {
    let app = app().await;
    let mut b = Browser::new(app.router.clone());
    let (s, body) = b.call_get("/api/methods").await;
    check!(
        s == StatusCode::UNAUTHORIZED && body["code"] == "sign_in_required",
        "{s} {body}"
    );
    Ok(())
}

async fn admin_page_non_admin() -> Outcome {
    let app = app().await;
    let b = nora(&app).await;
    let seen = page(&b, "/admin").await;
    check!(seen.status == StatusCode::NOT_FOUND, "{}", seen.status);
    check!(
        !seen.body.contains("Authenticators"),
        "the admin page was drawn"
    );
    Ok(())
}

async fn admin_search_non_admin() -> Outcome {
    let app = app().await;
    let mut b = nora(&app).await;
    let (s, body) = b.call_get("/api/admin/users/search?query=victor").await;
    check!(s == StatusCode::NOT_FOUND, "{s} {body}");
    check!(
        !body.to_string().contains("victor.verify"),
        "results leaked"
    );
    Ok(())
}

async fn admin_tac_non_admin() -> Outcome {
    let app = app().await;
    let mut b = nora(&app).await;
    let (s, body) = b
        .call("/api/admin/users/tac", &[("user_id", users::OLIVIA.0)])
        .await;
    check!(s == StatusCode::NOT_FOUND, "{s} {body}");
    Ok(())
}

async fn admin_signed_out() -> Outcome {
    let app = app().await;
    let mut b = Browser::new(app.router.clone());
    b.page("/signin").await;
    b.session().await;
    let (s, body) = b
        .call("/api/admin/users/unlock", &[("user_id", users::LUKE.0)])
        .await;
    check!(s == StatusCode::NOT_FOUND, "{s} {body}");
    Ok(())
}

async fn path_like_id() -> Outcome {
    let app = app().await;
    let mut b = by_handoff(&app, users::NORA.1).await;
    let since = okta_seq(&app).await;
    let (s, body) = b
        .call(
            "/api/methods/test",
            &[("method_id", "../../users/00u1victor0verify000")],
        )
        .await;
    check!(
        s == StatusCode::BAD_REQUEST && body["code"] == "invalid_input",
        "{s} {body}"
    );
    let asked = okta_calls(&app, since, "victor").await;
    check!(asked.is_empty(), "{asked:?}");
    Ok(())
}

async fn forged_popout_ticket() -> Outcome {
    let app = app_with(&[("KEYPORT_EMBED_ORIGINS", "http://127.0.0.1:3002")]).await;
    let b = by_handoff(&app, users::NORA.1).await;
    for credential in [
        json!({"id": "x", "rawId": "eA", "type": "public-key",
               "response": {"attestationObject": "eA", "clientDataJSON": "eA"}, "extensions": {}}),
        json!({"nonsense": true}),
    ] {
        let seen = post_raw(
            &b,
            "/api/methods/popout/register",
            "application/json",
            json!({"ticket": "A".repeat(43), "credential": credential}).to_string(),
            &[],
        )
        .await;
        check!(
            seen.status.is_client_error() && seen.json()["code"].is_string(),
            "{} {}",
            seen.status,
            seen.body
        );
    }
    Ok(())
}

async fn forged_popout_adopt() -> Outcome {
    let app = app_with(&[("KEYPORT_EMBED_ORIGINS", "http://127.0.0.1:3002")]).await;
    let mut b = Browser::new(app.router.clone());
    b.page("/popout").await;
    b.session().await;
    let (s, body) = b
        .call("/api/methods/popout/adopt", &[("ticket", &"B".repeat(43))])
        .await;
    check!(s == StatusCode::BAD_REQUEST, "{s} {body}");
    check!(
        b.session().await["user"].is_null(),
        "the window joined a session"
    );
    Ok(())
}

async fn wrong_passwords(b: &mut Browser, n: usize) -> Result<(), String> {
    for i in 0..n {
        let (s, body) = b
            .call(
                "/api/reverify/password",
                &[("password", "not-the-password")],
            )
            .await;
        check!(
            step_name(&body) != "verified",
            "wrong password #{} verified: {s} {body}",
            i + 1
        );
        check!(s.is_client_error(), "wrong password #{}: {s} {body}", i + 1);
    }
    Ok(())
}

async fn locked_account_never_verifies() -> Outcome {
    let app = app().await;
    // Verified at sign-in; the window passes, then a wrong password is all that is left.
    let mut b = by_handoff(&app, users::NORA.1).await;
    wrong_passwords(&mut b, 8).await
}

async fn locked_account_cannot_enroll() -> Outcome {
    let app = app().await;
    let mut b = by_handoff(&app, users::NORA.1).await;
    wrong_passwords(&mut b, 7).await?;
    let (s, body) = b
        .call_json(
            "/api/methods/enroll",
            json!({"request": {"kind": "authenticator_app"}}),
        )
        .await;
    check!(
        s == StatusCode::FORBIDDEN && body["code"] == "reverification_required",
        "{s} {body}"
    );
    Ok(())
}

async fn needs_reverify(endpoint: &str, form: &[(&str, &str)]) -> Outcome {
    let app = app().await;
    let mut b = by_handoff(&app, users::VICTOR.1).await;
    let (s, body) = b.call(endpoint, form).await;
    check!(
        s == StatusCode::FORBIDDEN && body["code"] == "reverification_required",
        "{s} {body}"
    );
    Ok(())
}

async fn remove_needs_reverify() -> Outcome {
    needs_reverify(
        "/api/methods/remove",
        &[("method_id", VICTOR_SMS), ("keep_recovery", "true")],
    )
    .await
}

async fn rename_needs_reverify() -> Outcome {
    needs_reverify(
        "/api/methods/rename",
        &[("method_id", VICTOR_PUSH), ("nickname", "x")],
    )
    .await
}

async fn enroll_needs_reverify() -> Outcome {
    let app = app().await;
    let mut b = by_handoff(&app, users::VICTOR.1).await;
    let (s, body) = b
        .call_json(
            "/api/methods/enroll",
            json!({"request": {"kind": "authenticator_app"}}),
        )
        .await;
    check!(
        s == StatusCode::FORBIDDEN && body["code"] == "reverification_required",
        "{s} {body}"
    );
    Ok(())
}

async fn password_needs_reverify() -> Outcome {
    needs_reverify(
        "/api/account/password",
        &[
            ("old_password", DEMO_PASSWORD),
            ("new_password", "An0ther!Passw0rd"),
            ("sign_out_others", "false"),
        ],
    )
    .await
}

async fn password_not_enough() -> Outcome {
    let app = app().await;
    let mut b = by_handoff(&app, users::VICTOR.1).await;
    let (s, body) = b
        .call("/api/reverify/password", &[("password", DEMO_PASSWORD)])
        .await;
    check!(
        s == StatusCode::BAD_REQUEST && step_name(&body) != "verified",
        "{s} {body}"
    );
    Ok(())
}

async fn code_without_challenge() -> Outcome {
    let app = app().await;
    let mut b = by_handoff(&app, users::TINA.1).await;
    let (s, body) = b.call("/api/reverify/code", &[("code", "123456")]).await;
    check!(
        s == StatusCode::BAD_REQUEST && step_name(&body) != "verified",
        "{s} {body}"
    );
    Ok(())
}

async fn admin_needs_reverify() -> Outcome {
    let app = app().await;
    let mut adam = by_handoff(&app, users::ADAM.1).await;
    let (s, body) = adam
        .call("/api/admin/users/tac", &[("user_id", users::OLIVIA.0)])
        .await;
    check!(
        s == StatusCode::FORBIDDEN && body["code"] == "reverification_required",
        "{s} {body}"
    );
    Ok(())
}
