//! The Users API rules (API-NOTES §6, §8, §9; [SPEC] getUser, updateUser, changePassword,
//! listUsers, listUserGroups, resetFactors, unlockUser).

use crate::support::{sandbox, SandboxHarness};
use axum::http::StatusCode;
use serde_json::{json, Value};
use server::sandbox::passwords;
use server::sandbox::seed::{users, ADMIN_GROUP_NAME, DEMO_PASSWORD};
use server::sandbox::state::lock;

const BASE: &str = "http://127.0.0.1:3001";

fn user_path(id: &str) -> String {
    format!("/api/v1/users/{id}")
}

/// The `Link` headers: (rel, path and query relative to the sandbox).
fn links(headers: &axum::http::HeaderMap) -> Vec<(String, String)> {
    headers
        .get_all("link")
        .iter()
        .map(|v| {
            let v = v.to_str().unwrap();
            let (href, rel) = v.split_once(">; rel=").unwrap();
            (
                rel.trim_matches('"').to_string(),
                href.trim_start_matches('<')
                    .trim_start_matches(BASE)
                    .to_string(),
            )
        })
        .collect()
}

fn ids(body: &Value) -> Vec<String> {
    body.as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].as_str().unwrap().to_string())
        .collect()
}

async fn events(sb: &SandboxHarness, filter: &str) -> Vec<Value> {
    let q = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("filter", filter)
        .finish();
    let a = sb.okta("GET", &format!("/api/v1/logs?{q}"), None).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    a.body.as_array().unwrap().clone()
}

// API-NOTES §6: `id` = id, URL-encoded login, or `me` (the token's admin). users-get.json.
#[tokio::test]
async fn a_user_is_found_by_id_by_login_and_as_me() {
    let sb = sandbox("oie");
    let by_id = sb.okta("GET", &user_path(users::ADAM.0), None).await;
    assert_eq!(by_id.status, StatusCode::OK, "{}", by_id.body);
    assert_eq!(by_id.body["id"], users::ADAM.0);
    assert_eq!(by_id.body["profile"]["login"], users::ADAM.1);
    for field in [
        "status",
        "created",
        "activated",
        "statusChanged",
        "lastLogin",
        "lastUpdated",
        "passwordChanged",
        "credentials",
        "_links",
    ] {
        assert!(by_id.body.get(field).is_some(), "{field} missing");
    }
    assert!(by_id.headers.contains_key("etag"), "getUser sends an ETag");

    let by_login = sb
        .okta("GET", &user_path("adam.admin%40example.com"), None)
        .await;
    assert_eq!(by_login.status, StatusCode::OK);
    assert_eq!(by_login.body["id"], users::ADAM.0);

    let me = sb.okta("GET", &user_path("me"), None).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.body["id"], users::ADAM.0);
}

// errors-user-not-found-E0000007.json: 404, E0000007, "Not found: Resource not found: {x} (User)".
#[tokio::test]
async fn an_unknown_user_is_okta_s_404() {
    let sb = sandbox("oie");
    let a = sb
        .okta("GET", &user_path("missing%40example.com"), None)
        .await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    assert_eq!(a.body["errorCode"], "E0000007");
    assert_eq!(
        a.body["errorSummary"],
        "Not found: Resource not found: missing@example.com (User)"
    );
    assert_eq!(a.body["errorLink"], "E0000007");
    assert!(a.body["errorId"].as_str().unwrap().starts_with("oae"));
    assert_eq!(a.body["errorCauses"], json!([]));
}

// API-NOTES §6 updateUser: partial semantics; users-update-profile-request.json.
#[tokio::test]
async fn a_partial_update_merges_into_the_profile_and_is_logged() {
    let sb = sandbox("oie");
    let a = sb
        .okta(
            "POST",
            &user_path(users::NORA.0),
            Some(json!({"profile": {"firstName": "Nori", "mobilePhone": "555-415-1337"}})),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_eq!(a.body["profile"]["firstName"], "Nori");
    assert_eq!(a.body["profile"]["mobilePhone"], "555-415-1337");
    assert_eq!(a.body["profile"]["lastName"], "Nofactors", "others stay");
    assert_eq!(a.body["profile"]["login"], users::NORA.1);
    let logged = events(
        &sb,
        &format!(
            r#"eventType eq "user.account.update_profile" and target.id eq "{}""#,
            users::NORA.0
        ),
    )
    .await;
    assert_eq!(logged.len(), 1);
}

// API-NOTES §6 [CORE]: a login change must stay unique, else 400 E0000001 with cause
// "login: An object with this field already exists in the current organization".
#[tokio::test]
async fn a_new_login_must_be_unique_and_then_finds_the_user() {
    let sb = sandbox("oie");
    let taken = sb
        .okta(
            "POST",
            &user_path(users::NORA.0),
            Some(json!({"profile": {"login": "VICTOR.verify@example.com"}})),
        )
        .await;
    assert_eq!(taken.status, StatusCode::BAD_REQUEST, "{}", taken.body);
    assert_eq!(taken.body["errorCode"], "E0000001");
    assert_eq!(taken.body["errorSummary"], "Api validation failed: login");
    assert_eq!(
        taken.body["errorCauses"][0]["errorSummary"],
        "login: An object with this field already exists in the current organization"
    );

    let renamed = sb
        .okta(
            "POST",
            &user_path(users::NORA.0),
            Some(json!({"profile": {"login": "nora.new@example.com"}})),
        )
        .await;
    assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.body);
    let by_new = sb
        .okta("GET", &user_path("nora.new%40example.com"), None)
        .await;
    assert_eq!(by_new.body["id"], users::NORA.0);
    let by_old = sb
        .okta("GET", &user_path("nora.nofactors%40example.com"), None)
        .await;
    assert_eq!(by_old.status, StatusCode::NOT_FOUND);
}

// Okta's profile validation causes ("email: Does not match required pattern", "… cannot be left
// blank"); nothing is changed when any field is wrong.
#[tokio::test]
async fn profile_fields_are_validated() {
    let sb = sandbox("oie");
    let bad = sb
        .okta(
            "POST",
            &user_path(users::NORA.0),
            Some(json!({"profile": {"email": "not-an-email", "firstName": "", "nickName": "N"}})),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.body);
    assert_eq!(bad.body["errorCode"], "E0000001");
    let causes: Vec<&str> = bad.body["errorCauses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["errorSummary"].as_str().unwrap())
        .collect();
    assert!(
        causes.contains(&"email: Does not match required pattern"),
        "{causes:?}"
    );
    assert!(
        causes.contains(&"firstName: The field cannot be left blank"),
        "{causes:?}"
    );
    let second = sb
        .okta(
            "POST",
            &user_path(users::NORA.0),
            Some(json!({"profile": {"secondEmail": "nora@"}})),
        )
        .await;
    assert_eq!(
        second.body["errorCauses"][0]["errorSummary"],
        "secondEmail: Does not match required pattern"
    );
    let unchanged = sb.okta("GET", &user_path(users::NORA.0), None).await;
    assert_eq!(unchanged.body["profile"]["firstName"], "Nora");
    assert!(unchanged.body["profile"].get("nickName").is_none());
}

fn change(old: &str, new: &str, revoke: bool) -> Value {
    json!({"oldPassword": {"value": old}, "newPassword": {"value": new}, "revokeSessions": revoke})
}

// users-change-password.json (200 body), API-NOTES §6: revokeSessions ends the sessions.
#[tokio::test]
async fn change_password_replaces_it_and_revokes_sessions() {
    let sb = sandbox("oie");
    let cell = sb.sandbox.org().user_by_id(users::NORA.0).unwrap();
    lock(&cell).sessions.push("102sessionOfNora0001".into());
    let a = sb
        .okta(
            "POST",
            &format!("{}/credentials/change_password", user_path(users::NORA.0)),
            Some(change(DEMO_PASSWORD, "Sunny-Meadow-42", true)),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_eq!(a.body["password"], json!({}));
    assert_eq!(a.body["provider"], json!({"type": "OKTA", "name": "OKTA"}));
    let u = lock(&cell).clone();
    assert!(passwords::verify("Sunny-Meadow-42", &u.password_hash));
    assert!(u.sessions.is_empty());
    let logged = events(
        &sb,
        &format!(
            r#"eventType eq "user.account.update_password" and target.id eq "{}""#,
            users::NORA.0
        ),
    )
    .await;
    assert_eq!(logged.len(), 1);
}

// errors-change-password-old-incorrect-E0000014.json: 403, cause on oldPassword.
#[tokio::test]
async fn change_password_with_a_wrong_old_password_is_e0000014() {
    let sb = sandbox("oie");
    let a = sb
        .okta(
            "POST",
            &format!("{}/credentials/change_password", user_path(users::NORA.0)),
            Some(change("Wrong-Old-1", "Sunny-Meadow-42", false)),
        )
        .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    assert_eq!(a.body["errorCode"], "E0000014");
    assert_eq!(a.body["errorSummary"], "Update of credentials failed");
    assert_eq!(
        a.body["errorCauses"][0]["errorSummary"],
        "oldPassword: The credentials provided were incorrect."
    );
}

// API-NOTES §5/§6: E0000080 when the new password breaks the policy (complexity or history),
// with the requirements in the cause.
#[tokio::test]
async fn change_password_enforces_the_policy() {
    let sb = sandbox("oie");
    let path = format!("{}/credentials/change_password", user_path(users::NORA.0));
    for new in ["short1A", "Nofactors-Nora-1", DEMO_PASSWORD] {
        let a = sb
            .okta("POST", &path, Some(change(DEMO_PASSWORD, new, false)))
            .await;
        assert_eq!(a.status, StatusCode::FORBIDDEN, "{new}: {}", a.body);
        assert_eq!(a.body["errorCode"], "E0000080");
        let cause = a.body["errorCauses"][0]["errorSummary"].as_str().unwrap();
        assert!(cause.starts_with("password: Password requirements were not met."));
        assert!(cause.contains("at least 8 characters"), "{cause}");
    }
}

// [SPEC] listUserGroups; the seed puts Adam in "Keyport Admins".
#[tokio::test]
async fn adam_s_groups_include_keyport_admins() {
    let sb = sandbox("oie");
    let a = sb
        .okta("GET", &format!("{}/groups", user_path(users::ADAM.0)), None)
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let names: Vec<&str> = a
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["profile"]["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&ADMIN_GROUP_NAME), "{names:?}");
    assert!(names.contains(&"Everyone"));
    let members = sb
        .okta(
            "GET",
            &format!(
                "/api/v1/groups/{}/users",
                server::sandbox::seed::ADMIN_GROUP_ID
            ),
            None,
        )
        .await;
    assert_eq!(ids(&members.body), vec![users::ADAM.0.to_string()]);
}

// [SPEC] listUsers: `q` starts-with on names/email, no DEPROVISIONED; `search` ignores case in
// values and includes DEPROVISIONED; `filter` compares exactly.
#[tokio::test]
async fn users_are_found_by_q_search_and_filter() {
    let sb = sandbox("oie");
    let q = sb.okta("GET", "/api/v1/users?q=vic", None).await;
    assert_eq!(q.status, StatusCode::OK, "{}", q.body);
    assert_eq!(ids(&q.body), vec![users::VICTOR.0.to_string()]);
    let q_dana = sb.okta("GET", "/api/v1/users?q=dana", None).await;
    assert_eq!(
        ids(&q_dana.body),
        Vec::<String>::new(),
        "q leaves out DEPROVISIONED"
    );

    let by_email = sb
        .okta(
            "GET",
            "/api/v1/users?search=profile.email%20eq%20%22TINA.TOTP%40example.com%22",
            None,
        )
        .await;
    assert_eq!(ids(&by_email.body), vec![users::TINA.0.to_string()]);

    let either = sb
        .okta(
            "GET",
            "/api/v1/users?search=profile.login%20sw%20%22luke%22%20or%20profile.lastName%20co%20%22xpir%22",
            None,
        )
        .await;
    let mut got = ids(&either.body);
    got.sort();
    assert_eq!(
        got,
        vec![users::LUKE.0.to_string(), users::PAT.0.to_string()]
    );

    let deprovisioned = sb
        .okta(
            "GET",
            "/api/v1/users?search=status%20eq%20%22DEPROVISIONED%22",
            None,
        )
        .await;
    assert_eq!(ids(&deprovisioned.body), vec![users::DANA.0.to_string()]);

    let locked = sb
        .okta(
            "GET",
            "/api/v1/users?filter=status%20eq%20%22LOCKED_OUT%22",
            None,
        )
        .await;
    assert_eq!(ids(&locked.body), vec![users::LUKE.0.to_string()]);
    let exact = sb
        .okta(
            "GET",
            "/api/v1/users?filter=status%20eq%20%22locked_out%22",
            None,
        )
        .await;
    assert_eq!(
        ids(&exact.body),
        Vec::<String>::new(),
        "filter values are exact"
    );

    let bad = sb
        .okta("GET", "/api/v1/users?search=profile.email%20eq", None)
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.body["errorCode"], "E0000031");
}

// API-NOTES §9: cursor paging with `limit` and `after`, following `Link: <…>; rel="next"` until
// there is none; the pages together are the whole list.
#[tokio::test]
async fn users_page_through_link_headers() {
    let sb = sandbox("oie");
    let all = sb.okta("GET", "/api/v1/users", None).await;
    let all_ids = ids(&all.body);
    assert_eq!(
        all_ids.len(),
        7,
        "every seeded user but the deactivated one"
    );
    assert!(!all_ids.contains(&users::DANA.0.to_string()));
    let all_links = links(&all.headers);
    assert_eq!(
        all_links,
        vec![("self".to_string(), "/api/v1/users".to_string())]
    );

    let mut path = "/api/v1/users?limit=2".to_string();
    let mut seen = vec![];
    let mut pages = 0;
    loop {
        let page = sb.okta("GET", &path, None).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        let got = ids(&page.body);
        assert!(got.len() <= 2);
        seen.extend(got);
        pages += 1;
        let rels = links(&page.headers);
        assert_eq!(rels[0], ("self".to_string(), path.clone()));
        match rels.iter().find(|(rel, _)| rel == "next") {
            Some((_, next)) => {
                assert!(
                    next.contains("limit=2") && next.contains("after="),
                    "{next}"
                );
                path = next.clone();
            }
            None => break,
        }
        assert!(pages < 10, "paging must end");
    }
    assert_eq!(pages, 4);
    assert_eq!(seen, all_ids);
}

// [SPEC] resetFactors: 200, every factor gone; one user.mfa.factor.reset_all event.
#[tokio::test]
async fn reset_factors_empties_the_list_and_logs() {
    let sb = sandbox("oie");
    let a = sb
        .okta(
            "POST",
            &format!("{}/lifecycle/reset_factors", user_path(users::VICTOR.0)),
            None,
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let factors = sb
        .okta(
            "GET",
            &format!("{}/factors", user_path(users::VICTOR.0)),
            None,
        )
        .await;
    assert_eq!(factors.body, json!([]));
    let logged = events(
        &sb,
        &format!(
            r#"eventType eq "user.mfa.factor.reset_all" and target.id eq "{}""#,
            users::VICTOR.0
        ),
    )
    .await;
    assert_eq!(logged.len(), 1);
    assert_eq!(logged[0]["actor"]["type"], "PublicClientApp");

    let dana = sb
        .okta(
            "POST",
            &format!("{}/lifecycle/reset_factors", user_path(users::DANA.0)),
            None,
        )
        .await;
    assert_eq!(dana.status, StatusCode::FORBIDDEN);
    assert_eq!(dana.body["errorCode"], "E0000038");
}

// [SPEC] unlockUser: LOCKED_OUT → ACTIVE; an ACTIVE user is fine; others 403 E0000032 [ERR].
#[tokio::test]
async fn unlock_returns_a_locked_out_user_to_active() {
    let sb = sandbox("oie");
    let a = sb
        .okta(
            "POST",
            &format!("{}/lifecycle/unlock", user_path(users::LUKE.0)),
            None,
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let luke = sb.okta("GET", &user_path(users::LUKE.0), None).await;
    assert_eq!(luke.body["status"], "ACTIVE");
    let cell = sb.sandbox.org().user_by_id(users::LUKE.0).unwrap();
    assert_eq!(lock(&cell).failed_sign_ins, 0);

    let active = sb
        .okta(
            "POST",
            &format!("{}/lifecycle/unlock", user_path(users::NORA.0)),
            None,
        )
        .await;
    assert_eq!(active.status, StatusCode::OK);
    let dana = sb
        .okta(
            "POST",
            &format!("{}/lifecycle/unlock", user_path(users::DANA.0)),
            None,
        )
        .await;
    assert_eq!(dana.status, StatusCode::FORBIDDEN);
    assert_eq!(dana.body["errorCode"], "E0000032");
}
