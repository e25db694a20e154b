//! The admin area on the server: shut to everyone outside the admin group (404, as if absent),
//! authenticators on and off with Okta's refusals explained, the help desk's actions, each
//! one in Okta's System Log and in Keyport's audit log.

use crate::support::Browser;
use crate::support::{handoff_token, keyport, signed_in_with_password, step_name, TestApp};
use axum::http::StatusCode;
use server::sandbox::seed::users;
use std::sync::{Arc, Mutex};

/// The System Log's event types, newest last, read as any Okta client would.
async fn system_log(app: &TestApp) -> Vec<serde_json::Value> {
    let url = app.sandbox.base_url.join("api/v1/logs?limit=1000").unwrap();
    reqwest::Client::new()
        .get(url)
        .header(
            "authorization",
            format!("SSWS {}", server::config::DEFAULT_SANDBOX_TOKEN),
        )
        .send()
        .await
        .unwrap()
        .json::<Vec<serde_json::Value>>()
        .await
        .unwrap()
}

async fn logged(app: &TestApp, event_type: &str, target_id: &str) -> bool {
    system_log(app).await.iter().any(|e| {
        e["eventType"] == event_type
            && e["target"]
                .as_array()
                .is_some_and(|t| t.iter().any(|t| t["id"] == target_id))
    })
}

const GET_FUNCTIONS: &[&str] = &[
    "/api/admin/authenticators",
    "/api/admin/users/search?query=olivia",
    "/api/admin/users/one?user_id=00u1olivia0oie000000",
];

const POST_FUNCTIONS: &[(&str, &[(&str, &str)])] = &[
    (
        "/api/admin/authenticators/set",
        &[
            ("authenticator_id", "aut1googleotp0000000"),
            ("active", "false"),
        ],
    ),
    (
        "/api/admin/users/remove_method",
        &[
            ("user_id", "00u1tina0totp0000000"),
            ("method_id", "uft1tina0google00000"),
        ],
    ),
    (
        "/api/admin/users/reset",
        &[
            ("user_id", "00u1tina0totp0000000"),
            ("confirmation", "tina.totp@example.com"),
        ],
    ),
    (
        "/api/admin/users/unlock",
        &[("user_id", "00u1luke0lockedout00")],
    ),
    (
        "/api/admin/users/tac",
        &[("user_id", "00u1olivia0oie000000")],
    ),
    (
        "/api/admin/users/hardware_token",
        &[
            ("user_id", "00u1nora0nofactors00"),
            ("secret", "484f97be3213b117e3a20438e291540a"),
            ("code", "123456"),
        ],
    ),
];

/// Every admin page and server function answers 404 to `b`, and changes nothing.
async fn shut_out(app: &TestApp, b: &mut Browser, who: &str) {
    for path in [
        "/admin",
        "/admin/helpdesk",
        "/admin/helpdesk?user=00u1olivia0oie000000",
    ] {
        let (parts, _) = b.page(path).await;
        assert_eq!(parts.status, StatusCode::NOT_FOUND, "{who}: {path}");
    }
    let (status, body) = b.call_get("/api/admin/access").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, false, "{who}");
    for path in GET_FUNCTIONS {
        let (status, body) = b.call_get(path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{who}: {path}: {body}");
        assert_eq!(body["message"], "There is nothing at this address.");
    }
    for (path, form) in POST_FUNCTIONS {
        let (status, body) = b.call(path, form).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{who}: {path}: {body}");
    }
    assert!(
        !logged(
            app,
            "security.authenticator.lifecycle.deactivate",
            "aut1googleotp0000000"
        )
        .await
            && !logged(app, "user.mfa.factor.reset_all", "00u1tina0totp0000000").await
            && !logged(app, "user.account.unlock_by_admin", "00u1luke0lockedout00").await,
        "{who} changed nothing"
    );
}

#[tokio::test]
async fn everyone_outside_the_admin_group_gets_not_found() {
    let app = keyport().await;
    let mut nora = signed_in_with_password(&app, users::NORA.1).await;
    shut_out(&app, &mut nora, "a signed-in non-admin").await;
    let mut nobody = Browser::new(app.router.clone());
    nobody.page("/signin").await;
    nobody.session().await;
    shut_out(&app, &mut nobody, "a signed-out browser").await;
}

#[tokio::test]
async fn an_admin_sees_the_admin_area() {
    let app = keyport().await;
    let mut adam = signed_in_with_password(&app, users::ADAM.1).await;
    for path in ["/admin", "/admin/helpdesk"] {
        let (parts, html) = adam.page(path).await;
        assert_eq!(parts.status, StatusCode::OK, "{path}");
        assert!(html.contains("Help desk"), "{path}");
    }
    let (status, body) = adam.call_get("/api/admin/access").await;
    assert_eq!((status, body), (StatusCode::OK, serde_json::json!(true)));
}

fn authenticator<'a>(view: &'a serde_json::Value, key: &str) -> &'a serde_json::Value {
    view["authenticators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["key"] == key)
        .unwrap_or_else(|| panic!("no {key} in {view}"))
}

fn offered(methods_view: &serde_json::Value, kind: &str) -> bool {
    methods_view["can_add"]
        .as_array()
        .unwrap()
        .iter()
        .any(|o| o["kind"] == kind)
}

#[tokio::test]
async fn turning_an_authenticator_off_takes_it_out_of_everyones_choices() {
    let app = keyport().await;
    let mut adam = signed_in_with_password(&app, users::ADAM.1).await;
    let mut nora = signed_in_with_password(&app, users::NORA.1).await;
    let (_, before) = nora.call_get("/api/methods").await;
    assert!(offered(&before, "authenticator_app"), "{before}");

    let (status, view) = adam.call_get("/api/admin/authenticators").await;
    assert_eq!(status, StatusCode::OK, "{view}");
    let google = authenticator(&view, "google_otp");
    assert_eq!(google["active"], true);
    assert_eq!(google["can_deactivate"], true);
    assert_eq!(google["can_activate"], false);
    // Only what Okta's links allow: the password offers neither.
    let password = authenticator(&view, "okta_password");
    assert_eq!(
        (
            password["can_deactivate"].clone(),
            password["can_activate"].clone()
        ),
        (serde_json::json!(false), serde_json::json!(false))
    );
    assert_eq!(
        authenticator(&view, "phone_number")["methods"],
        serde_json::json!([["Text message", true], ["Voice call", true]])
    );

    let (status, after) = adam
        .call(
            "/api/admin/authenticators/set",
            &[
                ("authenticator_id", "aut1googleotp0000000"),
                ("active", "false"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{after}");
    assert_eq!(authenticator(&after, "google_otp")["active"], false);
    assert_eq!(authenticator(&after, "google_otp")["can_activate"], true);
    let (_, now) = nora.call_get("/api/methods").await;
    assert!(!offered(&now, "authenticator_app"), "{now}");
    assert!(
        logged(
            &app,
            "security.authenticator.lifecycle.deactivate",
            "aut1googleotp0000000"
        )
        .await
    );

    let (status, _) = adam
        .call(
            "/api/admin/authenticators/set",
            &[
                ("authenticator_id", "aut1googleotp0000000"),
                ("active", "true"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, again) = nora.call_get("/api/methods").await;
    assert!(offered(&again, "authenticator_app"), "{again}");
}

#[tokio::test]
async fn a_policy_protected_authenticator_stays_on_and_the_reason_is_given() {
    let app = keyport().await;
    let mut adam = signed_in_with_password(&app, users::ADAM.1).await;
    let (status, body) = adam
        .call(
            "/api/admin/authenticators/set",
            &[
                ("authenticator_id", "aut1oktaverify000000"),
                ("active", "false"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let message = body["message"].as_str().unwrap();
    assert!(
        message.contains("Okta Verify can't be turned off: a policy still uses it"),
        "{message}"
    );
    assert!(
        !message.contains("E0000148"),
        "no raw Okta error: {message}"
    );
    let (_, view) = adam.call_get("/api/admin/authenticators").await;
    assert_eq!(authenticator(&view, "okta_verify")["active"], true);
}

#[tokio::test]
async fn admin_changes_need_a_recent_verification() {
    let app = keyport().await;
    // A handoff proves no factor: reading is fine, changing needs a verification first.
    let mut adam = Browser::new(app.router.clone());
    adam.handoff(&handoff_token(users::ADAM.1)).await;
    adam.session().await;
    let (status, _) = adam.call_get("/api/admin/authenticators").await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = adam
        .call("/api/admin/users/unlock", &[("user_id", users::LUKE.0)])
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["code"], "reverification_required");
    assert!(!logged(&app, "user.account.unlock_by_admin", users::LUKE.0).await);
}

fn method_ids(user: &serde_json::Value) -> Vec<String> {
    user["methods"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn the_help_desk_finds_a_user_removes_a_lost_device_and_resets_the_rest() {
    let app = keyport().await;
    let mut adam = signed_in_with_password(&app, users::ADAM.1).await;
    for query in ["olivia", "Olivia I", "olivia.oie@", "IDENTITY"] {
        let (status, hits) = adam
            .call_get(&format!(
                "/api/admin/users/search?query={}",
                urlencode(query)
            ))
            .await;
        assert_eq!(status, StatusCode::OK, "{hits}");
        assert_eq!(hits[0]["id"], users::OLIVIA.0, "{query}: {hits}");
        assert_eq!(hits.as_array().unwrap().len(), 1, "{query}: {hits}");
    }
    let (status, body) = adam.call_get("/api/admin/users/search?query=%20%22").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");

    let (status, olivia) = adam
        .call_get(&format!("/api/admin/users/one?user_id={}", users::OLIVIA.0))
        .await;
    assert_eq!(status, StatusCode::OK, "{olivia}");
    assert_eq!(olivia["user"]["login"], users::OLIVIA.1);
    assert_eq!(olivia["can_issue_tac"], true);
    let phones: Vec<&serde_json::Value> = olivia["methods"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["kind"] == "okta_verify")
        .collect();
    assert_eq!(phones.len(), 2, "two Okta Verify devices: {olivia}");
    let lost = phones[0]["id"].as_str().unwrap().to_string();
    let before = method_ids(&olivia).len();

    let (status, body) = adam
        .call(
            "/api/admin/users/remove_method",
            &[("user_id", users::OLIVIA.0), ("method_id", &lost)],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, olivia) = adam
        .call_get(&format!("/api/admin/users/one?user_id={}", users::OLIVIA.0))
        .await;
    let left = method_ids(&olivia);
    assert!(!left.contains(&lost), "{olivia}");
    assert_eq!(
        left.len(),
        before - 1,
        "only the lost device went: {olivia}"
    );

    // A reset needs the username typed; anything else removes nothing.
    let (status, body) = adam
        .call(
            "/api/admin/users/reset",
            &[("user_id", users::OLIVIA.0), ("confirmation", "olivia")],
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["field"], "confirmation");
    let (_, same) = adam
        .call_get(&format!("/api/admin/users/one?user_id={}", users::OLIVIA.0))
        .await;
    assert_eq!(method_ids(&same), left);

    let (status, body) = adam
        .call(
            "/api/admin/users/reset",
            &[
                ("user_id", users::OLIVIA.0),
                ("confirmation", " OLIVIA.OIE@example.com "),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, reset) = adam
        .call_get(&format!("/api/admin/users/one?user_id={}", users::OLIVIA.0))
        .await;
    assert!(method_ids(&reset).is_empty(), "{reset}");
    assert!(logged(&app, "user.mfa.factor.reset_all", users::OLIVIA.0).await);
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[tokio::test]
async fn a_temporary_access_code_lets_a_user_who_lost_everything_sign_in_once() {
    let app = keyport().await;
    let mut adam = signed_in_with_password(&app, users::ADAM.1).await;
    let (status, body) = adam
        .call(
            "/api/admin/users/reset",
            &[
                ("user_id", users::OLIVIA.0),
                ("confirmation", users::OLIVIA.1),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, issued) = adam
        .call("/api/admin/users/tac", &[("user_id", users::OLIVIA.0)])
        .await;
    assert_eq!(status, StatusCode::OK, "{issued}");
    let code = issued["code"].as_str().unwrap().to_string();
    assert!(code.len() >= 8, "{issued}");
    assert!(issued["expires_at"].as_str().is_some(), "{issued}");
    assert_eq!(issued["multi_use"], false);

    let sign_in = |code: String| {
        let router = app.router.clone();
        async move {
            let mut b = Browser::new(router);
            b.page("/signin").await;
            b.session().await;
            b.call(
                "/api/signin",
                &[("username", users::OLIVIA.1), ("password", &code)],
            )
            .await
        }
    };
    let (status, step) = sign_in(code.clone()).await;
    assert_eq!(status, StatusCode::OK, "{step}");
    assert_eq!(step_name(&step), "signed_in", "{step}");
    let (status, again) = sign_in(code).await;
    assert_ne!(status, StatusCode::OK, "a code works once: {again}");
}

#[tokio::test]
async fn unlocking_a_locked_account() {
    let app = keyport().await;
    let mut adam = signed_in_with_password(&app, users::ADAM.1).await;
    let (_, luke) = adam
        .call_get(&format!("/api/admin/users/one?user_id={}", users::LUKE.0))
        .await;
    assert_eq!(luke["locked_out"], true, "{luke}");
    let (status, body) = adam
        .call("/api/admin/users/unlock", &[("user_id", users::LUKE.0)])
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, luke) = adam
        .call_get(&format!("/api/admin/users/one?user_id={}", users::LUKE.0))
        .await;
    assert_eq!(luke["locked_out"], false, "{luke}");
    assert_eq!(luke["user"]["status"], "Active");
    assert!(logged(&app, "user.account.unlock_by_admin", users::LUKE.0).await);
    // A deactivated account cannot be unlocked (403 E0000032); the admin is told so.
    let (status, body) = adam
        .call("/api/admin/users/unlock", &[("user_id", users::DANA.0)])
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(
        body["message"],
        "This account can't be unlocked: it is not locked out (it may be deactivated or suspended)."
    );
}

/// The current code of a hex seed, as the token would show it.
fn token_code(seed_hex: &str) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    server::sandbox::totp::code_at(seed_hex, server::sandbox::totp::Encoding::Hex, now).unwrap()
}

#[tokio::test]
async fn a_hardware_token_is_registered_only_with_a_code_that_matches_its_seed() {
    let app = keyport().await;
    let mut adam = signed_in_with_password(&app, users::ADAM.1).await;
    let seed = "3132333435363738393031323334353637383930";
    let wrong = if token_code(seed) == "000000" {
        "111111"
    } else {
        "000000"
    };
    let (status, body) = adam
        .call(
            "/api/admin/users/hardware_token",
            &[
                ("user_id", users::NORA.0),
                ("secret", seed),
                ("code", wrong),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["field"], "code");
    let (_, nora) = adam
        .call_get(&format!("/api/admin/users/one?user_id={}", users::NORA.0))
        .await;
    assert!(
        method_ids(&nora).is_empty(),
        "a wrong code leaves nothing behind: {nora}"
    );

    let (status, body) = adam
        .call(
            "/api/admin/users/hardware_token",
            &[
                ("user_id", users::NORA.0),
                ("secret", "not a seed"),
                ("code", "123456"),
            ],
        )
        .await;
    assert_eq!(
        (status, body["field"].clone()),
        (StatusCode::BAD_REQUEST, serde_json::json!("secret"))
    );

    let (status, body) = adam
        .call(
            "/api/admin/users/hardware_token",
            &[
                ("user_id", users::NORA.0),
                ("secret", seed),
                ("code", &token_code(seed)),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, nora) = adam
        .call_get(&format!("/api/admin/users/one?user_id={}", users::NORA.0))
        .await;
    assert_eq!(nora["methods"][0]["kind"], "hardware_token", "{nora}");
    assert_eq!(nora["methods"][0]["status"], "active", "{nora}");
}

/// Collects log lines written while a test runs.
#[derive(Clone, Default)]
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

#[tokio::test]
async fn every_admin_action_writes_an_audit_line_without_secrets() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .json()
        .with_writer(move || writer.clone())
        .with_max_level(tracing::Level::INFO)
        .finish();
    // The test runs on one thread (tokio's current-thread runtime), so the default
    // subscriber sees every line of it.
    let _guard = tracing::subscriber::set_default(subscriber);
    let app = keyport().await;
    let mut adam = signed_in_with_password(&app, users::ADAM.1).await;
    let (status, issued) = adam
        .call("/api/admin/users/tac", &[("user_id", users::OLIVIA.0)])
        .await;
    assert_eq!(status, StatusCode::OK);
    let code = issued["code"].as_str().unwrap().to_string();
    let (status, _) = adam
        .call(
            "/api/admin/authenticators/set",
            &[
                ("authenticator_id", "aut1oktaverify000000"),
                ("active", "false"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        !text.contains(&code),
        "the access code never reaches the log"
    );
    let audit: Vec<serde_json::Value> = text
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|l| l["target"] == "keyport::audit")
        .collect();
    assert_eq!(audit.len(), 2, "{text}");
    let tac = &audit[0]["fields"];
    assert_eq!(tac["action"], "user.access_code.issue");
    assert_eq!(tac["actor_login"], users::ADAM.1);
    assert_eq!(tac["actor_id"], users::ADAM.0);
    assert_eq!(tac["target"], users::OLIVIA.0);
    assert_eq!(tac["outcome"], "success");
    assert_eq!(tac["request_id"].as_str().unwrap().len(), 32, "{tac}");
    let refused = &audit[1]["fields"];
    assert_eq!(refused["action"], "authenticator.deactivate");
    assert_eq!(refused["target"], "aut1oktaverify000000");
    assert_eq!(refused["outcome"], "failure");
    assert_eq!(refused["error"], "Forbidden");
}

#[tokio::test]
async fn a_classic_org_has_no_authenticators_page_but_the_same_help_desk() {
    let store = crate::support::temp_store();
    let app = crate::support::keyport_with(&crate::support::test_config(&[
        ("KEYPORT_SANDBOX_PIPELINE", "classic"),
        ("KEYPORT_SESSION_STORE", &store),
    ]))
    .await;
    let mut adam = signed_in_with_password(&app, users::ADAM.1).await;
    let (status, view) = adam.call_get("/api/admin/authenticators").await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert_eq!(view["pipeline"], "classic");
    assert_eq!(view["authenticators"], serde_json::json!([]));
    let (status, victor) = adam
        .call_get(&format!("/api/admin/users/one?user_id={}", users::VICTOR.0))
        .await;
    assert_eq!(status, StatusCode::OK, "{victor}");
    assert_eq!(victor["can_issue_tac"], false, "no access codes in Classic");
    let push = victor["methods"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["kind"] == "okta_verify")
        .unwrap_or_else(|| panic!("{victor}"))["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, body) = adam
        .call(
            "/api/admin/users/remove_method",
            &[("user_id", users::VICTOR.0), ("method_id", &push)],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, victor) = adam
        .call_get(&format!("/api/admin/users/one?user_id={}", users::VICTOR.0))
        .await;
    assert!(!method_ids(&victor).contains(&push), "{victor}");
    let (status, body) = adam
        .call("/api/admin/users/tac", &[("user_id", users::VICTOR.0)])
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
}
