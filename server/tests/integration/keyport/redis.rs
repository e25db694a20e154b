//! Two Keyport instances sharing sessions through a real Redis: a user signed in on one is
//! signed in on the other, and an enrollment started on one finishes on the other.

use crate::support::{
    handoff_token, sandbox_totp, step_body, step_name, two_instances, Browser, RedisServer,
};
use axum::http::StatusCode;
use serde_json::json;
use server::sandbox::seed::{users, DEMO_PASSWORD};

#[tokio::test]
async fn two_instances_share_a_session_and_finish_each_others_enrollments() {
    let redis = RedisServer::start().await;
    // The second instance talks to the same org (the first one's sandbox), as a real pair would.
    let (first, second) = two_instances(&redis).await;

    let mut on_first = Browser::new(first.router.clone());
    on_first.handoff(&handoff_token(users::NORA.1)).await;
    on_first.session().await;
    let (status, _) = on_first
        .call("/api/reverify/password", &[("password", DEMO_PASSWORD)])
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, step) = on_first
        .call_json(
            "/api/methods/enroll",
            json!({"request": {"kind": "authenticator_app"}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{step}");
    let secret: String = step_body(&step)["secret_groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g.as_str().unwrap())
        .collect();

    // Same cookie, other instance.
    let mut on_second = Browser::new(second.clone());
    on_second.cookie = on_first.cookie.clone();
    assert_eq!(
        on_second.session().await["user"]["login"],
        users::NORA.1,
        "signed in on the second instance"
    );
    let code = sandbox_totp(&first.sandbox.base_url, &secret).await;
    let (status, done) = on_second
        .call("/api/methods/enroll/activate", &[("code", &code)])
        .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(step_name(&done), "done");
    let (_, view) = on_first.call_get("/api/methods").await;
    assert!(
        view["enrollment"].is_null(),
        "the enrollment is finished for both instances"
    );
    assert!(view.to_string().contains("authenticator_app"));
}

/// A one-time value (a cross-site hand-over on its way to its continuation) is taken once,
/// whichever instance asks, in both stores.
#[tokio::test]
async fn a_one_time_value_is_taken_once_in_redis_and_sqlite() {
    let redis = RedisServer::start().await;
    let sqlite = crate::support::temp_store();
    for location in [redis.url.as_str(), sqlite.as_str()] {
        let (_, kv) = server::sessions::store::open(location).await.unwrap();
        kv.set(
            "handoff-continue:test",
            "value",
            std::time::Duration::from_secs(60),
        )
        .await
        .unwrap();
        assert_eq!(
            kv.take("handoff-continue:test").await.unwrap().as_deref(),
            Some("value"),
            "{location}"
        );
        assert_eq!(
            kv.take("handoff-continue:test").await.unwrap(),
            None,
            "{location}"
        );
        assert_eq!(
            kv.get("handoff-continue:test").await.unwrap(),
            None,
            "{location}"
        );
    }
}
