//! Sessions: ids cycle at sign-in, sign-out destroys them, they survive a restart with the
//! SQLite store, and Redis lets two instances share one.

use crate::support::{handoff_token, keyport, keyport_with, step_name, test_config, Browser};
use axum::http::StatusCode;
use server::sandbox::seed::{users, DEMO_PASSWORD};

#[tokio::test]
async fn the_session_id_changes_at_sign_in() {
    let app = keyport().await;
    let mut b = Browser::new(app.router.clone());
    b.page("/signin").await;
    b.session().await;
    let before = b.cookie.clone().expect("a session before sign-in");
    let (status, step) = b
        .call(
            "/api/signin",
            &[("username", users::NORA.1), ("password", DEMO_PASSWORD)],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{step}");
    assert_eq!(step_name(&step), "signed_in");
    let after = b.cookie.clone().unwrap();
    assert_ne!(before, after, "a new session id after sign-in");
    // The old id opens nothing.
    let mut stale = Browser::new(app.router.clone());
    stale.cookie = Some(before);
    assert!(stale.session().await["user"].is_null());
    assert_eq!(b.session().await["user"]["login"], users::NORA.1);
}

#[tokio::test]
async fn a_sign_in_posted_by_a_plain_form_goes_on_to_the_next_page_and_its_error_is_shown_once() {
    // The sign-in page before (or without) its wasm: each step is a plain form post.
    let app = keyport().await;
    let mut b = Browser::new(app.router.clone());
    b.page("/signin").await;
    b.session().await;
    let (status, to) = b
        .post_plain_form(
            "/api/signin",
            &[
                ("username", users::NORA.1),
                ("password", "not-the-password"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::FOUND);
    assert_eq!(to.as_deref(), Some("/signin"));
    // The page says why, without repeating what was typed, and only once.
    let (_, html) = b.page("/signin").await;
    assert!(html.contains("don't match"), "{html}");
    assert!(!html.contains("not-the-password"));
    // (Pages are remembered a moment after they are sent, `web::page_memo`: give it that
    // moment, so neither a page with the error is given again nor one without it given for
    // the next error.)
    let settle = || tokio::time::sleep(std::time::Duration::from_millis(300));
    settle().await;
    let (_, html) = b.page("/signin").await;
    assert!(!html.contains("don't match"), "shown a second time: {html}");
    settle().await;
    b.page("/signin").await;
    settle().await;
    b.post_plain_form(
        "/api/signin",
        &[("username", users::NORA.1), ("password", "still-not-it")],
    )
    .await;
    let (_, html) = b.page("/signin").await;
    assert!(
        html.contains("don't match"),
        "the next error is lost: {html}"
    );

    let (status, to) = b
        .post_plain_form(
            "/api/signin",
            &[("username", users::NORA.1), ("password", DEMO_PASSWORD)],
        )
        .await;
    assert_eq!(status, StatusCode::FOUND);
    assert_eq!(to.as_deref(), Some("/"));
    assert_eq!(b.session().await["user"]["login"], users::NORA.1);
}

#[tokio::test]
async fn viewing_a_page_again_writes_nothing_to_the_session() {
    // A session is saved (to SQLite or Redis, with a `Set-Cookie`) only when a request changed
    // it. Looking for a plain form's kept error must not count as a change: it made every page
    // view a session write, an eighth of the page rate on rollout day (BENCHMARKS.md).
    let app = keyport().await;
    let mut b = Browser::new(app.router.clone());
    b.handoff(&handoff_token(users::NORA.1)).await;
    for path in ["/", "/account", "/"] {
        b.page(path).await; // the first view of a page may note what it listed
    }
    for path in ["/", "/account"] {
        let (parts, _) = b.page(path).await;
        assert_eq!(parts.status, StatusCode::OK, "{path}");
        assert!(
            parts.headers.get("set-cookie").is_none(),
            "{path} wrote the session: {:?}",
            parts.headers.get("set-cookie")
        );
    }
}

#[tokio::test]
async fn sign_out_destroys_the_session_on_the_server() {
    let app = keyport().await;
    let mut b = Browser::new(app.router.clone());
    b.handoff(&handoff_token(users::NORA.1)).await;
    b.session().await;
    let cookie = b.cookie.clone().unwrap();
    let (status, _) = b.call("/api/signout", &[("everywhere", "false")]).await;
    assert_eq!(status, StatusCode::OK);
    let mut replay = Browser::new(app.router.clone());
    replay.cookie = Some(cookie);
    assert!(
        replay.session().await["user"].is_null(),
        "the old cookie is worthless"
    );
}

#[tokio::test]
async fn sign_out_everywhere_ends_every_keyport_session_of_the_user() {
    let app = keyport().await;
    let mut laptop = Browser::new(app.router.clone());
    laptop.handoff(&handoff_token(users::NORA.1)).await;
    let mut phone = Browser::new(app.router.clone());
    phone.handoff(&handoff_token(users::NORA.1)).await;
    assert_eq!(phone.session().await["user"]["login"], users::NORA.1);
    laptop.session().await;
    // Sessions are stamped to the second; the mark must be later than both sign-ins.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let (status, body) = laptop.call("/api/signout", &[("everywhere", "true")]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(
        phone.session().await["user"].is_null(),
        "the other device is signed out too"
    );
}

#[tokio::test]
async fn sessions_survive_a_restart_with_the_sqlite_store() {
    let store = crate::support::temp_store();
    let config = test_config(&[("KEYPORT_SESSION_STORE", &store)]);
    let first = keyport_with(&config).await;
    let mut b = Browser::new(first.router.clone());
    b.handoff(&handoff_token(users::NORA.1)).await;
    assert_eq!(b.session().await["user"]["login"], users::NORA.1);
    let cookie = b.cookie.clone();
    drop(first);
    // A new Keyport process: same store file, new everything else.
    let config = test_config(&[("KEYPORT_SESSION_STORE", &store)]);
    let second = keyport_with(&config).await;
    let mut again = Browser::new(second.router.clone());
    again.cookie = cookie;
    assert_eq!(
        again.session().await["user"]["login"],
        users::NORA.1,
        "still signed in after a restart"
    );
}
