//! The System Log rules ([SPEC] listLogEvents, LogEvent; API-NOTES §9 paging).

use crate::support::{sandbox, SandboxHarness};
use axum::http::StatusCode;
use serde_json::{json, Value};
use server::sandbox::seed::users;

const BASE: &str = "http://127.0.0.1:3001";

async fn logs(sb: &SandboxHarness, query: &[(&str, &str)]) -> crate::support::Answer {
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in query {
        q.append_pair(k, v);
    }
    sb.okta("GET", &format!("/api/v1/logs?{}", q.finish()), None)
        .await
}

fn next_link(headers: &axum::http::HeaderMap) -> Option<String> {
    headers.get_all("link").iter().find_map(|v| {
        let v = v.to_str().unwrap();
        v.ends_with("rel=\"next\"").then(|| {
            v.split_once('>')
                .unwrap()
                .0
                .trim_start_matches('<')
                .trim_start_matches(BASE)
                .to_string()
        })
    })
}

/// Enrolls and activates Google Authenticator for Nora through the Factors API; the factor id.
async fn activate_google_totp_for_nora(sb: &SandboxHarness) -> String {
    let factors = format!("/api/v1/users/{}/factors", users::NORA.0);
    let a = sb
        .okta(
            "POST",
            &factors,
            Some(json!({"factorType": "token:software:totp", "provider": "GOOGLE"})),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let id = a.body["id"].as_str().unwrap().to_string();
    let secret = a.body["_embedded"]["activation"]["sharedSecret"]
        .as_str()
        .unwrap()
        .to_string();
    let code = sb.totp(&secret).await;
    let ok = sb
        .okta(
            "POST",
            &format!("{factors}/{id}/lifecycle/activate"),
            Some(json!({"passCode": code})),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    id
}

// [SPEC] listLogEvents `filter` (SCIM): a factor activation through the Factors API is found by
// the factor's id among the targets; LogEvent shape per the spec's ListLogs example.
#[tokio::test]
async fn a_factor_activation_is_found_by_target_id() {
    let sb = sandbox("oie");
    let factor_id = activate_google_totp_for_nora(&sb).await;
    let a = logs(
        &sb,
        &[("filter", &format!(r#"target.id eq "{factor_id}""#))],
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let events = a.body.as_array().unwrap();
    assert_eq!(events.len(), 1, "{}", a.body);
    let e = &events[0];
    assert_eq!(e["eventType"], "user.mfa.factor.activate");
    assert_eq!(e["outcome"]["result"], "SUCCESS");
    let targets: Vec<&str> = e["target"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert!(targets.contains(&factor_id.as_str()));
    assert!(targets.contains(&users::NORA.0));
    for field in [
        "uuid",
        "published",
        "eventType",
        "version",
        "severity",
        "displayMessage",
        "actor",
        "client",
        "outcome",
        "target",
        "transaction",
        "debugContext",
        "authenticationContext",
        "securityContext",
        "request",
    ] {
        assert!(e.get(field).is_some(), "{field} missing");
    }
}

// [SPEC] listLogEvents: filter operators (eq, sw, and/or, parentheses), sortOrder, q keywords.
#[tokio::test]
async fn filters_sort_order_and_keywords() {
    let sb = sandbox("oie");
    activate_google_totp_for_nora(&sb).await;
    // A second user's event: Victor's sms removed by an admin.
    let del = sb
        .okta(
            "DELETE",
            &format!(
                "/api/v1/users/{}/factors/mbl1victor0sms000000",
                users::VICTOR.0
            ),
            None,
        )
        .await;
    assert_eq!(del.status, StatusCode::NO_CONTENT);

    let mfa = logs(&sb, &[("filter", r#"eventType sw "user.mfa""#)]).await;
    let types: Vec<&str> = mfa
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["eventType"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        vec!["user.mfa.factor.activate", "user.mfa.factor.deactivate"]
    );

    let desc = logs(
        &sb,
        &[
            ("filter", r#"eventType sw "user.mfa""#),
            ("sortOrder", "DESCENDING"),
        ],
    )
    .await;
    let desc_types: Vec<&str> = desc
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["eventType"].as_str().unwrap())
        .collect();
    assert_eq!(
        desc_types,
        vec!["user.mfa.factor.deactivate", "user.mfa.factor.activate"]
    );

    let victor_only = logs(
        &sb,
        &[(
            "filter",
            &format!(
                r#"(eventType eq "user.mfa.factor.activate" or eventType eq "user.mfa.factor.deactivate") and target.id eq "{}""#,
                users::VICTOR.0
            ),
        )],
    )
    .await;
    assert_eq!(victor_only.body.as_array().unwrap().len(), 1);

    let keyword = logs(&sb, &[("q", "victor deactivate")]).await;
    assert_eq!(keyword.body.as_array().unwrap().len(), 1);

    let bad = logs(&sb, &[("filter", r#"eventType eq"#)]).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.body["errorCode"], "E0000001");
    let bad_date = logs(&sb, &[("since", "yesterday")]).await;
    assert_eq!(bad_date.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad_date.body["errorCode"], "E0000030");
}

// API-NOTES §9: a bounded query (with `until`) pages with `limit` and ends without rel="next";
// a polling query (no `until`) always has rel="next".
#[tokio::test]
async fn bounded_queries_page_and_end_polling_queries_always_continue() {
    let sb = sandbox("oie");
    activate_google_totp_for_nora(&sb).await;
    remove_tinas_google_authenticator(&sb).await;
    sb.advance(1).await;
    let until = {
        let clock = sb.control("GET", "/sandbox/api/clock", None).await;
        clock.body["now"].as_str().unwrap().to_string()
    };
    let all = logs(&sb, &[("until", &until)]).await;
    let total = all.body.as_array().unwrap().len();
    assert!(total >= 2, "{}", all.body);
    assert_eq!(next_link(&all.headers), None, "everything fit");

    let mut path = {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        q.append_pair("until", &until).append_pair("limit", "1");
        format!("/api/v1/logs?{}", q.finish())
    };
    let mut seen: Vec<Value> = vec![];
    loop {
        let page = sb.okta("GET", &path, None).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        seen.extend(page.body.as_array().unwrap().iter().cloned());
        match next_link(&page.headers) {
            Some(next) => path = next,
            None => break,
        }
        assert!(seen.len() <= total, "paging must end");
    }
    assert_eq!(seen, *all.body.as_array().unwrap());

    let polling = logs(&sb, &[]).await;
    let next = next_link(&polling.headers).expect("polling always has a next link");
    let after = sb.okta("GET", &next, None).await;
    assert_eq!(after.body, json!([]), "nothing new yet");
    assert!(next_link(&after.headers).is_some());
    // A new event shows up when following the link.
    remove_victors_sms(&sb).await;
    let newer = sb.okta("GET", &next, None).await;
    assert!(!newer.body.as_array().unwrap().is_empty());
}

/// Tina's seeded Google Authenticator removed: one more event.
async fn remove_tinas_google_authenticator(sb: &SandboxHarness) {
    let del = sb
        .okta(
            "DELETE",
            &format!(
                "/api/v1/users/{}/factors/uft1tina0google00000",
                users::TINA.0
            ),
            None,
        )
        .await;
    assert_eq!(del.status, StatusCode::NO_CONTENT);
}

/// Victor's SMS removed: one more event after the polling link was taken.
async fn remove_victors_sms(sb: &SandboxHarness) {
    let del = sb
        .okta(
            "DELETE",
            &format!(
                "/api/v1/users/{}/factors/mbl1victor0sms000000",
                users::VICTOR.0
            ),
            None,
        )
        .await;
    assert_eq!(del.status, StatusCode::NO_CONTENT);
}
