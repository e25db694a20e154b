//! The sandbox's control surface (`/sandbox/api/…`) and the traffic rules it drives: org rate
//! limits per endpoint family (API-NOTES §9), fault injection, clock control, reset to the
//! seed, and what the console reads (phone, outbox, users), with every control error in JSON.

use crate::support::{sandbox, Answer, SandboxHarness};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use server::sandbox::seed::{users, TINA_TOTP_SECRET};
use std::time::{Duration, Instant};
use tower::ServiceExt;

const VICTOR_SMS: &str = "mbl1victor0sms000000";
const VICTOR_PHONE: &str = "+14155550134";

fn factors(user: &str) -> String {
    format!("/api/v1/users/{user}/factors")
}

fn header(a: &Answer, name: &str) -> i64 {
    a.headers
        .get(name)
        .unwrap_or_else(|| panic!("{name} missing"))
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

/// A control error: the status, and a JSON body with `errorCode` and `errorSummary`.
fn assert_control_error(a: &Answer, status: StatusCode, code: &str) {
    assert_eq!(a.status, status, "{}", a.body);
    assert_eq!(a.body["errorCode"], code, "{}", a.body);
    assert!(
        a.body["errorSummary"]
            .as_str()
            .is_some_and(|s| !s.is_empty()),
        "{}",
        a.body
    );
    assert!(a.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
}

/// A raw request to the router, for bodies that are not JSON.
async fn raw(sb: &SandboxHarness, method: &str, path: &str, body: &str) -> Answer {
    let req = Request::builder()
        .method(method)
        .uri(path)
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    let res = sb.router.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    let body = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).to_string()));
    Answer {
        status,
        headers,
        body,
    }
}

async fn fault(sb: &SandboxHarness, rule: Value) -> Value {
    let a = sb.control("POST", "/sandbox/api/faults", Some(rule)).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    a.body
}

// ----- rate limits ------------------------------------------------------------------------

// API-NOTES §9 [RL, ADOC]: each endpoint family has its own per-minute limit; every response
// carries X-Rate-Limit-Limit/Remaining/Reset, errors included; over the limit is 429 E0000047
// (errors-rate-limit-E0000047.json) with Remaining 0; the window is 60 s from its first request.
#[tokio::test]
async fn each_family_has_its_own_per_minute_limit_with_headers_on_every_answer() {
    let sb = sandbox("oie");
    let set = sb
        .control("PUT", "/sandbox/api/limits", Some(json!({"factors": 3})))
        .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    assert_eq!(set.body["factors"], 3);
    // The other families keep Okta's documented Workforce Identity defaults
    // (developer.okta.com/docs/reference/rl-global-mgmt/): get a user 2,000 a minute, create,
    // list or update users 600, System Log 120, most other API actions 1,200.
    assert_eq!(set.body["user"], 2000);
    assert_eq!(set.body["users"], 600);
    assert_eq!(set.body["logs"], 120);
    assert_eq!(set.body["enrollments"], 1200);

    let list = factors(users::NORA.0);
    let mut remaining = vec![];
    for _ in 0..3 {
        let a = sb.okta("GET", &list, None).await;
        assert_eq!(a.status, StatusCode::OK);
        assert_eq!(header(&a, "x-rate-limit-limit"), 3);
        remaining.push(header(&a, "x-rate-limit-remaining"));
    }
    assert_eq!(remaining, vec![2, 1, 0]);
    let over = sb.okta("GET", &list, None).await;
    assert_eq!(over.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(over.body["errorCode"], "E0000047");
    assert_eq!(
        over.body["errorSummary"],
        "API call exceeded rate limit due to too many requests."
    );
    assert_eq!(header(&over, "x-rate-limit-remaining"), 0);
    let reset = header(&over, "x-rate-limit-reset");
    let left = reset - sb.sandbox.org().now().unix_timestamp();
    assert!((58..=60).contains(&left), "{left}");
    // Another family is not affected, and its errors carry its own headers.
    let missing = sb
        .okta("GET", "/api/v1/users/nobody@example.com", None)
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(header(&missing, "x-rate-limit-limit"), 2000);
    assert!(header(&missing, "x-rate-limit-remaining") > 0);
    // A new window a minute later.
    sb.advance(60).await;
    let again = sb.okta("GET", &list, None).await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(header(&again, "x-rate-limit-remaining"), 2);

    // Unknown families are refused, in JSON.
    let bad = sb
        .control("PUT", "/sandbox/api/limits", Some(json!({"everything": 1})))
        .await;
    assert_control_error(&bad, StatusCode::BAD_REQUEST, "invalid");
}

// ----- fault injection ----------------------------------------------------------------------

// Sandbox control (module docs of `sandbox::traffic`): `latency` delays, then runs the request.
#[tokio::test]
async fn a_latency_fault_delays_the_answer() {
    let sb = sandbox("oie");
    fault(
        &sb,
        json!({"path": "/api/v1/users/*/factors", "action": {"kind": "latency", "ms": 300}, "count": 1}),
    )
    .await;
    let started = Instant::now();
    let a = sb.okta("GET", &factors(users::NORA.0), None).await;
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_eq!(a.status, StatusCode::OK);
    let started = Instant::now();
    sb.okta("GET", &factors(users::NORA.0), None).await;
    assert!(
        started.elapsed() < Duration::from_millis(300),
        "count 1 is spent"
    );
}

// `status`: Okta's error body with the given status and code; only the given method matches.
#[tokio::test]
async fn a_status_fault_answers_okta_s_error_for_its_method_only() {
    let sb = sandbox("oie");
    fault(
        &sb,
        json!({"path": "/api/v1/users/*", "method": "POST",
               "action": {"kind": "status", "status": 503, "errorCode": "E0000009", "errorSummary": "Down for maintenance"}}),
    )
    .await;
    let get = sb
        .okta("GET", &format!("/api/v1/users/{}", users::NORA.0), None)
        .await;
    assert_eq!(get.status, StatusCode::OK, "GET is not matched");
    let post = sb
        .okta(
            "POST",
            &format!("/api/v1/users/{}", users::NORA.0),
            Some(json!({"profile": {"nickName": "N"}})),
        )
        .await;
    assert_eq!(post.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(post.body["errorCode"], "E0000009");
    assert_eq!(post.body["errorSummary"], "Down for maintenance");
    assert!(post.headers.contains_key("x-rate-limit-limit"));
    // Nothing happened behind the fault.
    let user = sb
        .okta("GET", &format!("/api/v1/users/{}", users::NORA.0), None)
        .await;
    assert!(user.body["profile"]["nickName"].is_null());
}

// `rateLimit`: 429 E0000047 with Remaining 0 and a Reset `resetSeconds` ahead (API-NOTES §9).
#[tokio::test]
async fn a_rate_limit_fault_is_okta_s_429() {
    let sb = sandbox("oie");
    fault(
        &sb,
        json!({"path": "/api/v1/logs", "action": {"kind": "rateLimit", "resetSeconds": 42}, "count": 1}),
    )
    .await;
    let a = sb.okta("GET", "/api/v1/logs", None).await;
    assert_eq!(a.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(a.body["errorCode"], "E0000047");
    assert_eq!(header(&a, "x-rate-limit-remaining"), 0);
    let left = header(&a, "x-rate-limit-reset") - sb.sandbox.org().now().unix_timestamp();
    assert!((41..=42).contains(&left), "{left}");
    assert_eq!(
        sb.okta("GET", "/api/v1/logs", None).await.status,
        StatusCode::OK
    );
}

// `drop`: the request runs, then the connection drops before the answer is complete — the case
// where Okta acted but the client never heard.
#[tokio::test]
async fn a_drop_fault_acts_then_loses_the_answer() {
    let sb = sandbox("oie");
    fault(
        &sb,
        json!({"path": "/api/v1/users/*/factors", "method": "POST", "action": {"kind": "drop"}, "count": 1}),
    )
    .await;
    let req = Request::post(factors(users::NORA.0))
        .header("authorization", "SSWS test-sandbox-token")
        .header("content-type", "application/json")
        .header("host", "127.0.0.1:3001")
        .body(Body::from(
            json!({"factorType": "token:software:totp", "provider": "GOOGLE"}).to_string(),
        ))
        .unwrap();
    let res = sb.router.clone().oneshot(req).await.unwrap();
    assert!(
        res.into_body().collect().await.is_err(),
        "the body never completes"
    );
    let list = sb.okta("GET", &factors(users::NORA.0), None).await;
    assert_eq!(
        list.body.as_array().unwrap().len(),
        1,
        "the enroll happened"
    );
}

// `malformed`: 200 with a body that is not JSON.
#[tokio::test]
async fn a_malformed_fault_answers_200_with_broken_json() {
    let sb = sandbox("oie");
    fault(
        &sb,
        json!({"path": "/api/v1/users/*", "action": {"kind": "malformed"}, "count": 1}),
    )
    .await;
    let a = sb
        .okta("GET", &format!("/api/v1/users/{}", users::NORA.0), None)
        .await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(a.body.is_string(), "not JSON: {}", a.body);
}

async fn logs(sb: &SandboxHarness) -> StatusCode {
    sb.okta("GET", "/api/v1/logs", None).await.status
}

// `count` and `durationSeconds`: a rule applies to that many requests, or for that long on the
// sandbox clock; the list shows what is left and when it ends; a rule can be removed by id.
#[tokio::test]
async fn faults_end_after_their_count_or_duration_or_removal() {
    let sb = sandbox("oie");
    let status = json!({"kind": "status", "status": 500});
    fault(
        &sb,
        json!({"path": "/api/v1/logs", "action": status.clone(), "count": 2}),
    )
    .await;
    assert_eq!(logs(&sb).await, StatusCode::INTERNAL_SERVER_ERROR);
    let listed = sb.control("GET", "/sandbox/api/faults", None).await.body;
    assert_eq!(listed[0]["count"], 1);
    assert_eq!(logs(&sb).await, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(logs(&sb).await, StatusCode::OK);
    assert_eq!(
        sb.control("GET", "/sandbox/api/faults", None).await.body,
        json!([])
    );

    let timed = fault(
        &sb,
        json!({"path": "/api/v1/logs", "action": status.clone(), "durationSeconds": 120}),
    )
    .await;
    assert!(timed["expiresAt"].is_string());
    assert_eq!(logs(&sb).await, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(logs(&sb).await, StatusCode::INTERNAL_SERVER_ERROR);
    sb.advance(121).await;
    assert_eq!(logs(&sb).await, StatusCode::OK);

    let forever = fault(&sb, json!({"path": "/api/v1/logs", "action": status})).await;
    assert_eq!(logs(&sb).await, StatusCode::INTERNAL_SERVER_ERROR);
    let id = forever["id"].as_str().unwrap();
    let removed = sb
        .control("DELETE", &format!("/sandbox/api/faults/{id}"), None)
        .await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT);
    assert_eq!(logs(&sb).await, StatusCode::OK);
}

// ----- clock and reset ----------------------------------------------------------------------

// Module docs of `sandbox::clock`: time only moves forward; the offset shows in the clock,
// the org view, and Okta's answers' `Date` and timestamps.
#[tokio::test]
async fn the_clock_moves_forward_only() {
    let sb = sandbox("oie");
    let before = sb.sandbox.org().now();
    let a = sb
        .control(
            "POST",
            "/sandbox/api/clock/advance",
            Some(json!({"seconds": 3600})),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.body["offsetSeconds"], 3600);
    let org = sb.control("GET", "/sandbox/api/org", None).await;
    assert_eq!(org.body["clockOffsetSeconds"], 3600);
    let now = time::OffsetDateTime::parse(
        org.body["now"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    assert!(
        (now - before).whole_seconds() >= 3599,
        "millisecond precision"
    );
    let okta = sb.okta("GET", "/api/v1/logs", None).await;
    let date = httpdate::parse_http_date(okta.headers["date"].to_str().unwrap()).unwrap();
    let date = time::OffsetDateTime::from(date);
    assert!(
        (date - before).whole_seconds() >= 3599,
        "Date follows the clock"
    );

    let back = sb
        .control(
            "POST",
            "/sandbox/api/clock/advance",
            Some(json!({"seconds": -10})),
        )
        .await;
    assert_control_error(&back, StatusCode::BAD_REQUEST, "invalid");
    assert_eq!(
        sb.control("GET", "/sandbox/api/clock", None).await.body["offsetSeconds"],
        3600
    );
}

// `POST /sandbox/api/reset` (module docs of `sandbox::control`): the seeded org again — users
// and factors, an empty outbox and request log, no faults, default limits, real time, no phone
// accounts.
#[tokio::test]
async fn reset_restores_the_seed() {
    let sb = sandbox("oie");
    let seeded = sb.control("GET", "/sandbox/api/users", None).await.body;
    // Change everything that can change.
    sb.okta(
        "DELETE",
        &format!("{}/{VICTOR_SMS}", factors(users::VICTOR.0)),
        None,
    )
    .await;
    sb.okta(
        "POST",
        &format!("/api/v1/users/{}/lifecycle/unlock", users::LUKE.0),
        None,
    )
    .await;
    sb.okta(
        "POST",
        &format!("{}/uft1tina0google00000/verify", factors(users::TINA.0)),
        Some(json!({"passCode": "000000"})),
    )
    .await;
    sb.okta(
        "POST",
        &format!(
            "{}/{}/verify",
            factors(users::OLIVIA.0),
            "emf1olivia0email0000"
        ),
        None,
    )
    .await;
    fault(
        &sb,
        json!({"path": "/api/v1/groups", "action": {"kind": "malformed"}}),
    )
    .await;
    sb.control("PUT", "/sandbox/api/limits", Some(json!({"logs": 1})))
        .await;
    sb.advance(999).await;
    sb.control(
        "POST",
        "/sandbox/api/phone/scan",
        Some(json!({"payload": format!("otpauth://totp/x:tina?secret={TINA_TOTP_SECRET}")})),
    )
    .await;
    assert_ne!(
        sb.control("GET", "/sandbox/api/users", None).await.body,
        seeded
    );

    let a = sb.control("POST", "/sandbox/api/reset", None).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.body["reset"], true);
    assert_eq!(
        sb.control("GET", "/sandbox/api/users", None).await.body,
        seeded
    );
    assert_eq!(
        sb.control("GET", "/sandbox/api/outbox", None).await.body,
        json!([])
    );
    assert_eq!(
        sb.control("GET", "/sandbox/api/faults", None).await.body,
        json!([])
    );
    assert_eq!(
        sb.control("GET", "/sandbox/api/limits", None).await.body["logs"],
        120
    );
    assert_eq!(
        sb.control("GET", "/sandbox/api/clock", None).await.body["offsetSeconds"],
        0
    );
    let phone = sb.control("GET", "/sandbox/api/phone", None).await.body;
    assert_eq!(phone["accounts"], json!([]));
    assert_eq!(phone["pushes"], json!([]));
    let log = sb.control("GET", "/sandbox/api/requests", None).await.body;
    assert_eq!(log["requests"], json!([]));
    let events = sb
        .okta("GET", "/api/v1/logs?since=2000-01-01T00:00:00.000Z", None)
        .await;
    assert_eq!(events.body, json!([]), "the System Log is empty again");
}

// ----- control-API errors -------------------------------------------------------------------

// Console helper's report: control errors are JSON `{errorCode, errorSummary}` whatever
// refused — a body that is not JSON, a body missing a field, a bad query, an unknown fault id,
// an unknown path, a method a path does not take.
#[tokio::test]
async fn control_errors_are_json() {
    let sb = sandbox("oie");
    let not_json = raw(&sb, "POST", "/sandbox/api/faults", "{not json").await;
    assert_control_error(&not_json, StatusCode::BAD_REQUEST, "invalid");
    let missing = raw(&sb, "POST", "/sandbox/api/phone/scan", "{}").await;
    assert_control_error(&missing, StatusCode::BAD_REQUEST, "invalid");
    assert!(missing.body["errorSummary"]
        .as_str()
        .unwrap()
        .contains("payload"));
    let bad_kind = sb
        .control(
            "POST",
            "/sandbox/api/faults",
            Some(json!({"path": "/x", "action": {"kind": "explode"}})),
        )
        .await;
    assert_control_error(&bad_kind, StatusCode::BAD_REQUEST, "invalid");
    let bad_query = sb
        .control("GET", "/sandbox/api/requests?since=yesterday", None)
        .await;
    assert_control_error(&bad_query, StatusCode::BAD_REQUEST, "invalid");
    let no_fault = sb
        .control("DELETE", "/sandbox/api/faults/flt1nosuchfault", None)
        .await;
    assert_control_error(&no_fault, StatusCode::NOT_FOUND, "not_found");
    let no_path = sb.control("GET", "/sandbox/api/nothing/here", None).await;
    assert_control_error(&no_path, StatusCode::NOT_FOUND, "not_found");
    let wrong_method = sb.control("DELETE", "/sandbox/api/org", None).await;
    assert_control_error(
        &wrong_method,
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
    );
    assert!(wrong_method.headers.contains_key("allow"));
    // Approving needs no body at all.
    let none = raw(
        &sb,
        "POST",
        "/sandbox/api/phone/pushes/v2mst.none/approve",
        "",
    )
    .await;
    assert_control_error(&none, StatusCode::NOT_FOUND, "E0000191");
}

// ----- what the console reads -----------------------------------------------------------------

// The phone view has the sandbox's `now`, and each pending push its `createdAt` (so a view can
// draw how much of its five minutes is left).
#[tokio::test]
async fn the_phone_view_has_now_and_when_each_push_began() {
    let sb = sandbox("oie");
    sb.advance(100).await;
    let a = sb
        .okta(
            "POST",
            &format!("{}/opf1victor0iphone000/verify", factors(users::VICTOR.0)),
            Some(json!({"useNumberMatchingChallenge": true})),
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    let phone = sb.control("GET", "/sandbox/api/phone", None).await.body;
    let parse = |v: &Value| {
        time::OffsetDateTime::parse(
            v.as_str().unwrap_or_else(|| panic!("not a time: {v}")),
            &time::format_description::well_known::Rfc3339,
        )
        .unwrap()
    };
    let now = parse(&phone["now"]);
    let push = &phone["pushes"][0];
    let created = parse(&push["createdAt"]);
    let expires = parse(&push["expiresAt"]);
    assert_eq!((expires - created).whole_seconds(), 300);
    assert!(created <= now && (now - created).whole_seconds() < 5);
    let offset = now - time::OffsetDateTime::now_utc();
    assert!(offset.whole_seconds() >= 99, "now is the sandbox's time");
}

// The outbox says when a message's code (or activation link) stops working.
#[tokio::test]
async fn outbox_messages_say_when_their_code_expires() {
    let sb = sandbox("oie");
    sb.okta(
        "POST",
        &format!(
            "{}/{VICTOR_SMS}/verify?tokenLifetimeSeconds=120",
            factors(users::VICTOR.0)
        ),
        None,
    )
    .await;
    let m = sb.last_message_to(VICTOR_PHONE).await;
    let parse = |v: &Value| {
        time::OffsetDateTime::parse(
            v.as_str().unwrap(),
            &time::format_description::well_known::Rfc3339,
        )
        .unwrap()
    };
    assert_eq!(
        (parse(&m["expiresAt"]) - parse(&m["sentAt"])).whole_seconds(),
        120
    );

    // An Okta Verify activation link lasts as long as the QR code.
    let nora = users::NORA.0;
    let push = sb
        .okta(
            "POST",
            &factors(nora),
            Some(json!({"factorType": "push", "provider": "OKTA"})),
        )
        .await;
    let id = push.body["id"].as_str().unwrap();
    let sent = sb
        .okta(
            "POST",
            &format!("{}/{id}/lifecycle/activate/email", factors(nora)),
            None,
        )
        .await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    let m = sb.last_message_to(users::NORA.1).await;
    assert!(m["link"].is_string());
    assert_eq!(
        m["expiresAt"],
        push.body["_embedded"]["activation"]["expiresAt"]
    );
}

// The users view shows what tells factors apart (phone, email, device, key name, question),
// the org authenticator's name, and the user's nicknames.
#[tokio::test]
async fn the_users_view_shows_factor_profiles_and_nicknames() {
    let sb = sandbox("oie");
    let list = sb.control("GET", "/sandbox/api/users", None).await.body;
    let user = |id: &str| {
        list.as_array()
            .unwrap()
            .iter()
            .find(|u| u["id"] == id)
            .cloned()
            .unwrap()
    };
    let factor = |u: &Value, id: &str| {
        u["factors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["id"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("no {id} in {u}"))
    };
    let olivia = user(users::OLIVIA.0);
    assert_eq!(
        olivia["nicknames"],
        json!({"opf1olivia0pixel0000": "Work phone"})
    );
    let pixel = factor(&olivia, "opf1olivia0pixel0000");
    assert_eq!(pixel["profile"]["deviceName"], "Olivia's Pixel");
    assert_eq!(pixel["profile"]["platform"], "ANDROID");
    assert_eq!(pixel["nickname"], "Work phone");
    assert_eq!(pixel["authenticator"], "Okta Verify");
    // The device's TOTP shows its device.
    let totp = factor(&olivia, "ost1olivia0pixel0000");
    assert_eq!(totp["profile"]["deviceName"], "Olivia's Pixel");
    assert_eq!(totp["device"], "opf1olivia0pixel0000");
    assert_eq!(totp["nickname"], "Work phone");
    let key = factor(&olivia, "fwf1olivia0yubikey00");
    assert_eq!(key["profile"]["authenticatorName"], "YubiKey 5 NFC");
    assert_eq!(key["authenticator"], "Security Key or Biometric");
    assert!(key["nickname"].is_null());
    let email = factor(&olivia, "emf1olivia0email0000");
    assert_eq!(email["profile"], json!({"email": users::OLIVIA.1}));

    let victor = user(users::VICTOR.0);
    assert_eq!(
        factor(&victor, VICTOR_SMS)["profile"],
        json!({"phoneNumber": VICTOR_PHONE})
    );
    assert_eq!(victor["nicknames"], json!({}));
}

// An authenticator-app account scanned onto the phone can be removed by its label.
#[tokio::test]
async fn an_authenticator_app_account_can_be_removed() {
    let sb = sandbox("oie");
    let scanned = sb
        .control(
            "POST",
            "/sandbox/api/phone/scan",
            Some(json!({"payload": format!(
                "otpauth://totp/sandbox.example:tina.totp%40example.com?secret={TINA_TOTP_SECRET}&issuer=sandbox.example"
            )})),
        )
        .await;
    assert_eq!(scanned.status, StatusCode::OK, "{}", scanned.body);
    let label = scanned.body["label"].as_str().unwrap().to_string();
    assert_eq!(label, "sandbox.example:tina.totp@example.com");
    let phone = sb.control("GET", "/sandbox/api/phone", None).await.body;
    assert_eq!(phone["accounts"][0]["label"], label);

    let path = format!(
        "/sandbox/api/phone/accounts/{}",
        url::form_urlencoded::byte_serialize(label.as_bytes())
            .collect::<String>()
            .replace('+', "%20")
    );
    let removed = sb.control("DELETE", &path, None).await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT, "{}", removed.body);
    let phone = sb.control("GET", "/sandbox/api/phone", None).await.body;
    assert_eq!(phone["accounts"], json!([]));
    let again = sb.control("DELETE", &path, None).await;
    assert_control_error(&again, StatusCode::NOT_FOUND, "not_found");
}
