//! Okta calls per page view, counted in the sandbox's own request log (issue 15's budget):
//! methods ≤ 2 (Classic: the factors; Identity Engine: factors and authenticator enrollments),
//! account ≤ 2, admin ≤ 2, help desk user view ≤ 3, a repeat view 0, and a change made
//! through Keyport visible on the very next view. What the whole org shares (pipeline,
//! authenticators, policies, the catalog its policy offers, the question list) is read once
//! for everyone and is not one person's cost, so someone else looks first.

use crate::support::{
    handoff_token, keyport, keyport_with, sandbox_last_seq, sandbox_requests, sandbox_totp,
    temp_store, test_config, two_instances, Browser, RedisServer, TestApp,
};
use axum::http::StatusCode;
use server::sandbox::seed::{users, VICTOR_TOTP_SECRET};

/// The calls Okta saw while `during` ran: "GET /api/v1/users/…/factors" (queries dropped).
async fn calls<F: std::future::Future<Output = ()>>(app: &TestApp, during: F) -> Vec<String> {
    calls_at(&app.sandbox.base_url, during).await
}

async fn calls_at<F: std::future::Future<Output = ()>>(base: &url::Url, during: F) -> Vec<String> {
    let since = sandbox_last_seq(base).await;
    during.await;
    sandbox_requests(base, since)
        .await
        .into_iter()
        .map(|r| {
            let path = r["path"].as_str().unwrap_or_default();
            format!(
                "{} {}",
                r["method"].as_str().unwrap_or_default(),
                path.split('?').next().unwrap_or_default()
            )
        })
        .collect()
}

async fn signed_in(app: &TestApp, login: &str) -> Browser {
    let mut b = Browser::new(app.router.clone());
    b.handoff(&handoff_token(login)).await;
    b.session().await;
    b
}

/// Signed in by hand-over and just verified with a code from their authenticator, as before
/// a sensitive change.
async fn verified(app: &TestApp, login: &str) -> Browser {
    assert_eq!(
        login,
        users::VICTOR.1,
        "Victor's Okta Verify codes confirm it's him"
    );
    let (factor, secret) = ("ost1victor0iphone000", VICTOR_TOTP_SECRET);
    let mut b = signed_in(app, login).await;
    let (status, body) = b
        .call("/api/reverify/start", &[("factor_id", factor)])
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let code = sandbox_totp(&app.sandbox.base_url, secret).await;
    let (status, body) = b.call("/api/reverify/code", &[("code", &code)]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    b
}

/// Someone else's views first: what the org shares is read then, not on the counted view.
async fn warm_the_org(app: &TestApp) {
    let mut adam = signed_in(app, users::ADAM.1).await;
    for path in ["/", "/account", "/admin"] {
        adam.page(path).await;
    }
    adam.call_get("/api/admin/authenticators").await;
}

async fn methods_page(b: &mut Browser) {
    let (parts, html) = b.page("/").await;
    assert_eq!(parts.status, 200);
    assert!(
        html.contains("data-testid=\"methods\""),
        "the methods were drawn"
    );
}

#[tokio::test]
async fn a_methods_page_view_costs_two_calls_and_a_repeat_view_none() {
    let app = keyport().await;
    warm_the_org(&app).await;
    for login in [
        users::VICTOR.1,
        users::OLIVIA.1,
        users::NORA.1,
        users::TINA.1,
    ] {
        let mut b = signed_in(&app, login).await;
        let mut first = calls(&app, methods_page(&mut b)).await;
        first.sort();
        assert_eq!(first.len(), 2, "{login}: {first:?}");
        assert!(
            first[0].ends_with("/authenticator-enrollments"),
            "{first:?}"
        );
        assert!(first[1].ends_with("/factors"), "{first:?}");
        let again = calls(&app, methods_page(&mut b)).await;
        assert!(again.is_empty(), "{login}: a repeat view called {again:?}");
        // The activity, asked for after the page painted: one System Log read.
        let (status, activity) = b.call_get("/api/methods/activity").await;
        assert_eq!(status, StatusCode::OK, "{activity}");
    }
}

#[tokio::test]
async fn a_classic_methods_page_view_reads_only_the_factors() {
    let config = test_config(&[
        ("KEYPORT_SESSION_STORE", &temp_store()),
        ("KEYPORT_SANDBOX_PIPELINE", "classic"),
    ]);
    let app = keyport_with(&config).await;
    warm_the_org(&app).await;
    let mut b = signed_in(&app, users::VICTOR.1).await;
    let first = calls(&app, methods_page(&mut b)).await;
    assert_eq!(first.len(), 1, "{first:?}");
    assert!(first[0].ends_with("/factors"), "{first:?}");
    assert!(calls(&app, methods_page(&mut b)).await.is_empty());
}

#[tokio::test]
async fn account_admin_and_help_desk_views_stay_within_their_budgets() {
    let app = keyport().await;
    warm_the_org(&app).await;

    let mut victor = signed_in(&app, users::VICTOR.1).await;
    let account = calls(&app, async {
        let (parts, _) = victor.page("/account").await;
        assert_eq!(parts.status, 200);
    })
    .await;
    assert!(account.len() <= 2, "account: {account:?}");
    let again = calls(&app, async {
        victor.page("/account").await;
    })
    .await;
    assert!(again.is_empty(), "a repeat account view called {again:?}");

    let mut adam = signed_in(&app, users::ADAM.1).await;
    let admin = calls(&app, async {
        let (parts, _) = adam.page("/admin").await;
        assert_eq!(parts.status, 200);
        let (status, _) = adam.call_get("/api/admin/authenticators").await;
        assert_eq!(status, StatusCode::OK);
    })
    .await;
    assert!(admin.len() <= 2, "admin: {admin:?}");

    // The help desk finds Olivia, then opens her: the search already read her profile.
    let (status, _) = adam.call_get("/api/admin/users/search?query=olivia").await;
    assert_eq!(status, StatusCode::OK);
    let one = format!("/api/admin/users/one?user_id={}", users::OLIVIA.0);
    let helpdesk = calls(&app, async {
        let (status, body) = adam.call_get(&one).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    })
    .await;
    assert!(helpdesk.len() <= 3, "help desk user view: {helpdesk:?}");
    let again = calls(&app, async {
        adam.call_get(&one).await;
    })
    .await;
    assert!(again.is_empty(), "a repeat help desk view called {again:?}");
}

/// The nickname Victor's Okta Verify enrollment shows, read from the methods view.
async fn nickname_of(b: &mut Browser, id: &str) -> Option<String> {
    let (status, view) = b.call_get("/api/methods").await;
    assert_eq!(status, StatusCode::OK, "{view}");
    view["groups"]
        .as_array()?
        .iter()
        .flat_map(|g| g["methods"].as_array().cloned().unwrap_or_default())
        .find(|m| m["id"] == id)
        .and_then(|m| m["nickname"].as_str().map(str::to_string))
}

#[tokio::test]
async fn a_change_made_through_keyport_shows_on_the_very_next_view() {
    let app = keyport().await;
    let mut victor = verified(&app, users::VICTOR.1).await;
    let (status, view) = victor.call_get("/api/methods").await;
    assert_eq!(status, StatusCode::OK);
    let ov = view["groups"][0]["methods"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(nickname_of(&mut victor, &ov).await, None);
    let (status, body) = victor
        .call(
            "/api/methods/rename",
            &[("method_id", &ov), ("nickname", "Work phone")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        nickname_of(&mut victor, &ov).await.as_deref(),
        Some("Work phone")
    );

    // Removing a method: gone from the next view.
    let listed = |view: &serde_json::Value, id: &str| view.to_string().contains(id);
    let (_, before) = victor.call_get("/api/methods").await;
    assert!(listed(&before, "mbl1victor0sms000000"));
    let (status, body) = victor
        .call(
            "/api/methods/remove",
            &[
                ("method_id", "mbl1victor0sms000000"),
                ("keep_recovery", "false"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, after) = victor.call_get("/api/methods").await;
    assert!(!listed(&after, "mbl1victor0sms000000"), "{after}");
}

#[tokio::test]
async fn instances_sharing_redis_share_their_reads_and_their_changes() {
    let redis = RedisServer::start().await;
    let (first, second) = two_instances(&redis).await;
    let base = first.sandbox.base_url.clone();
    warm_the_org(&first).await;

    let mut on_first = verified(&first, users::VICTOR.1).await;
    let read = calls_at(&base, async {
        on_first.call_get("/api/methods").await;
    })
    .await;
    // Factors and enrollments, and the profile: the verification just now was a change to
    // the user (every call that is not a read forgets what was remembered of them).
    assert!(read.len() <= 3, "{read:?}");
    // The same person's session, served by the other instance: nothing read twice.
    let mut on_second = on_first.clone_onto(second.clone());
    let shared = calls_at(&base, async {
        let (status, body) = on_second.call_get("/api/methods").await;
        assert_eq!(status, StatusCode::OK, "{body}");
    })
    .await;
    assert!(shared.is_empty(), "the second instance called {shared:?}");

    // A change through the first instance is seen by the second at once.
    let (_, view) = on_first.call_get("/api/methods").await;
    let ov = view["groups"][0]["methods"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, body) = on_first
        .call(
            "/api/methods/rename",
            &[("method_id", &ov), ("nickname", "Shared phone")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        nickname_of(&mut on_second, &ov).await.as_deref(),
        Some("Shared phone")
    );
}
