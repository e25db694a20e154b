//! The Users API as Keyport's admin area and help desk use it (API-NOTES §6, §9): get a user by
//! id or login, partial profile updates, password change, group memberships, listing with
//! `q` / `search` / `filter` and cursor pagination, factor reset and unlock.

pub mod expr;

use super::factors::{refuse_inactive_user, remove_factor, with_user};
use super::{ok, Base, Body, Client, Json};
use crate::sandbox::clock::okta_time;
use crate::sandbox::error::{ApiError, ApiResult};
use crate::sandbox::events;
use crate::sandbox::model::*;
use crate::sandbox::passwords::{self, POLICY};
use crate::sandbox::render;
use crate::sandbox::seed;
use crate::sandbox::state::{lock, read, Org, UserCell};
use crate::sandbox::Sandbox;
use axum::extract::{OriginalUri, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use serde_json::{json, Map, Value};

/// `GET /users` returns 200 users a page unless `limit` says otherwise ([SPEC] listUsers).
pub const DEFAULT_USER_LIMIT: usize = 200;
/// …and 10 with `q` ([SPEC] listUsers `limit`).
pub const DEFAULT_Q_LIMIT: usize = 10;
/// The largest page Okta serves for users (larger limits are capped). UNCONFIRMED: the spec
/// gives no maximum; 200 is the documented recommended page size.
pub const MAX_USER_LIMIT: usize = 200;

pub fn routes() -> Router<Sandbox> {
    // Every user path segment is named `user_id`, as in the Factors API, so the routes share
    // one parameter name in the router's tree.
    Router::new()
        .route("/users", get(list))
        .route("/users/{user_id}", get(get_user).post(update_user))
        .route("/users/{user_id}/groups", get(user_groups))
        .route(
            "/users/{user_id}/credentials/change_password",
            post(change_password),
        )
        .route(
            "/users/{user_id}/lifecycle/reset_factors",
            post(reset_factors),
        )
        .route("/users/{user_id}/lifecycle/unlock", post(unlock))
        .route("/groups/{group_id}/users", get(group_users))
}

/// A user by id, login (the path is URL-decoded), or `me`: with an API token, `me` is the
/// token's admin, the seeded Adam (API-NOTES §6). Otherwise 404 E0000007
/// (errors-user-not-found-E0000007.json).
pub fn resolve_user(org: &Org, id_or_login: &str) -> ApiResult<UserCell> {
    let key = if id_or_login == "me" {
        seed::users::ADAM.0
    } else {
        id_or_login
    };
    org.user(key)
        .ok_or_else(|| ApiError::not_found(id_or_login, "User"))
}

/// `Link` headers (API-NOTES §9): `rel="self"` for this request and, when more remain,
/// `rel="next"` with the cursor in `after` (other query parameters kept).
pub fn link_headers(base: &str, uri: &Uri, next_after: Option<&str>) -> HeaderMap {
    let mut headers = HeaderMap::new();
    let path = uri.path();
    let self_href = match uri.query() {
        Some(q) if !q.is_empty() => format!("{base}{path}?{q}"),
        _ => format!("{base}{path}"),
    };
    let mut push = |value: String| {
        if let Ok(v) = HeaderValue::from_str(&value) {
            headers.append("link", v);
        }
    };
    push(format!("<{self_href}>; rel=\"self\""));
    if let Some(after) = next_after {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes()) {
            if k != "after" {
                query.append_pair(&k, &v);
            }
        }
        query.append_pair("after", after);
        // Okta's links encode spaces as %20 (a literal `+` is already %2B here).
        let query = query.finish().replace('+', "%20");
        push(format!("<{base}{path}?{query}>; rel=\"next\""));
    }
    headers
}

/// Parses `limit`: a positive integer (0 allowed), else 400 E0000001.
pub fn parse_limit(raw: &Option<String>, default: usize, max: usize) -> ApiResult<usize> {
    match raw.as_deref() {
        None | Some("") => Ok(default),
        Some(v) => v
            .trim()
            .parse::<usize>()
            .map(|n| n.min(max))
            .map_err(|_| ApiError::validation("limit", "limit: The value must be an integer")),
    }
}

/// The values of a user attribute for `search` / `filter` expressions: top-level properties,
/// `type.id`, and `profile.*` (arrays give one value per element).
fn user_values(u: &User, attr: &str) -> Vec<String> {
    let time = |t: Option<time::OffsetDateTime>| t.map(okta_time).into_iter().collect();
    match attr {
        "id" => vec![u.id.clone()],
        "status" => vec![u.status.wire().to_string()],
        "created" => vec![okta_time(u.created)],
        "activated" => time(u.activated),
        "statusChanged" => time(u.status_changed),
        "lastLogin" => time(u.last_login),
        "lastUpdated" => vec![okta_time(u.last_updated)],
        "passwordChanged" => time(u.password_changed),
        "type.id" => vec![render::USER_TYPE_ID.to_string()],
        _ => match attr.strip_prefix("profile.").and_then(|k| u.profile.get(k)) {
            Some(Value::String(s)) => vec![s.clone()],
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect(),
            Some(Value::Null) | None => vec![],
            Some(other) => vec![other.to_string()],
        },
    }
}

/// `q`: a starts-with match on first name, last name, email (and login), ignoring case
/// ([SPEC] listUsers `q`).
fn q_matches(u: &User, q: &str) -> bool {
    let q = q.trim().to_lowercase();
    ["firstName", "lastName", "email", "login"]
        .iter()
        .filter_map(|k| u.profile_str(k))
        .any(|v| v.to_lowercase().starts_with(&q))
}

fn invalid_search(detail: String) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "E0000031",
        "Invalid search criteria.",
    )
    .cause(detail)
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListQuery {
    q: Option<String>,
    search: Option<String>,
    filter: Option<String>,
    limit: Option<String>,
    after: Option<String>,
}

/// `GET /users` ([SPEC] listUsers):
/// - no query: every user except `DEPROVISIONED`;
/// - `q`: starts-with on names and email, `DEPROVISIONED` left out, limit 10, no paging;
/// - `search`: expressions, values compared ignoring case, `DEPROVISIONED` included;
/// - `filter`: expressions, values compared exactly, `DEPROVISIONED` included;
/// - `search` with `filter`: 400 E0000033.
///
/// Users come in id order; `after` is the last id of the previous page, and the `Link` header
/// has `rel="next"` while more remain (API-NOTES §9).
pub async fn list(
    State(sb): State<Sandbox>,
    Base(base): Base,
    OriginalUri(uri): OriginalUri,
    Query(q): Query<ListQuery>,
) -> ApiResult<Response> {
    let org = sb.org();
    if q.search.is_some() && q.filter.is_some() {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "E0000033",
            "Bad request. Can't specify a search query and filter in the same request.",
        ));
    }
    let (expr, case_insensitive) = match (&q.search, &q.filter) {
        (Some(s), _) => (Some(expr::parse(s).map_err(invalid_search)?), true),
        (_, Some(f)) => (Some(expr::parse(f).map_err(invalid_search)?), false),
        _ => (None, false),
    };
    let query_text = q.q.as_deref().filter(|s| !s.trim().is_empty());
    let default_limit = if query_text.is_some() {
        DEFAULT_Q_LIMIT
    } else {
        DEFAULT_USER_LIMIT
    };
    let limit = parse_limit(&q.limit, default_limit, MAX_USER_LIMIT)?;
    // `q` does not page (the spec: "doesn't support pagination, but you can use limit").
    let after = if query_text.is_some() {
        None
    } else {
        q.after.as_deref().filter(|a| !a.is_empty())
    };

    let mut matched: Vec<(String, Value)> = vec![];
    for cell in org.all_users() {
        let u = lock(&cell);
        if after.is_some_and(|a| u.id.as_str() <= a) {
            continue;
        }
        let keep = match (&expr, query_text) {
            (Some(e), _) => e.matches(&|attr| user_values(&u, attr), case_insensitive),
            (None, Some(text)) => u.status != UserStatus::Deprovisioned && q_matches(&u, text),
            (None, None) => u.status != UserStatus::Deprovisioned,
        };
        if keep {
            matched.push((u.id.clone(), render::user(&base, &u)));
        }
    }
    let more = matched.len() > limit;
    matched.truncate(limit);
    let next = if more && query_text.is_none() {
        matched.last().map(|(id, _)| id.clone())
    } else {
        None
    };
    let headers = link_headers(&base, &uri, next.as_deref());
    let body: Vec<Value> = matched.into_iter().map(|(_, v)| v).collect();
    Ok((headers, axum::Json(Value::Array(body))).into_response())
}

/// `GET /users/{idOrLogin}` with an `ETag` ([SPEC] getUser).
pub async fn get_user(
    State(sb): State<Sandbox>,
    Base(base): Base,
    Path(user_id): Path<String>,
) -> ApiResult<Response> {
    // getUser alone also takes the login's short name (API-NOTES §4).
    let cell = match sb.org().user_by_any_name(&user_id) {
        Some(cell) if user_id != "me" => cell,
        _ => resolve_user(sb.org(), &user_id)?,
    };
    let u = lock(&cell);
    let etag = format!(
        "W/\"{:x}\"",
        u.last_updated.unix_timestamp_nanos() / 1_000_000
    );
    let mut headers = HeaderMap::new();
    if let Ok(v) = HeaderValue::from_str(&etag) {
        headers.insert("etag", v);
    }
    Ok((headers, axum::Json(render::user(&base, &u))).into_response())
}

#[derive(Debug, Default, Deserialize)]
pub struct PasswordValue {
    value: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct UpdateCredentials {
    password: Option<PasswordValue>,
}

#[derive(Debug, Default, Deserialize)]
pub struct UpdateBody {
    profile: Option<Map<String, Value>>,
    credentials: Option<UpdateCredentials>,
}

#[derive(Debug, Default, Deserialize)]
pub struct StrictQuery {
    strict: Option<String>,
}

/// A plausible email: one `@`, something before it, a dotted domain after it, no spaces.
/// Okta's exact pattern is not published; its cause text is "Does not match required pattern".
pub fn looks_like_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && !s.chars().any(char::is_whitespace)
        && domain.split('.').count() >= 2
        && domain.split('.').all(|part| !part.is_empty())
}

/// What is wrong with a profile change, as Okta's `errorCauses` (`field: reason`).
fn profile_problems(org: &Org, u: &User, changes: &Map<String, Value>) -> Vec<(String, String)> {
    let blank = |v: &Value| v.as_str().is_none_or(|s| s.trim().is_empty());
    let mut problems = vec![];
    for (key, value) in changes {
        match key.as_str() {
            "login" => {
                if blank(value) {
                    problems.push((key.clone(), "The field cannot be left blank".into()));
                } else if value
                    .as_str()
                    .is_some_and(|login| org.login_taken(login, &u.id))
                {
                    // API-NOTES §6 [CORE]; errors-validation-with-causes-E0000001.json.
                    problems.push((
                        key.clone(),
                        "An object with this field already exists in the current organization"
                            .into(),
                    ));
                }
            }
            "email" | "firstName" | "lastName" if blank(value) => {
                problems.push((key.clone(), "The field cannot be left blank".into()));
            }
            _ => {}
        }
        if matches!(key.as_str(), "email" | "secondEmail") {
            if let Some(addr) = value.as_str().filter(|s| !s.trim().is_empty()) {
                if !looks_like_email(addr) {
                    problems.push((key.clone(), "Does not match required pattern".into()));
                }
            }
        }
    }
    problems
}

/// E0000080 with the policy's requirements as the cause.
fn password_policy_error() -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        "E0000080",
        "The password does not meet the complexity requirements of the current password policy.",
    )
    .cause(format!(
        "password: Password requirements were not met. {}",
        POLICY.requirements_sentence()
    ))
}

/// Hashes of the current and earlier passwords, newest first (the policy's history).
fn password_history(u: &User) -> Vec<String> {
    std::iter::once(u.password_hash.clone())
        .chain(u.password_history.iter().cloned())
        .collect()
}

/// Replaces the password, keeping the old hash in the history.
fn set_password(org: &Org, u: &mut User, new_password: &str) {
    let old = std::mem::replace(&mut u.password_hash, passwords::hash(new_password));
    u.password_history.insert(0, old);
    u.password_history.truncate(POLICY.history);
    let now = org.now();
    u.password_changed = Some(now);
    u.last_updated = now;
}

/// `POST /users/{idOrLogin}`: partial update ([SPEC] updateUser; API-NOTES §6). Profile fields
/// in the body replace those of the user; the rest stay. A new login must be unique (400
/// E0000001, cause `login: An object with this field already exists in the current
/// organization`); `email` and `secondEmail` must look like addresses (`email: Does not match
/// required pattern`); `login`, `email`, `firstName`, `lastName` cannot be blank.
/// `credentials.password.value` sets a password as an admin (no old password; the policy's
/// history only with `?strict=true`, as the spec says).
///
/// A deactivated user's profile cannot be changed (403 E0000038): Okta allows it only with an
/// org setting that is off by default ([SPEC] updateUser notes).
pub async fn update_user(
    State(sb): State<Sandbox>,
    Base(base): Base,
    client: Client,
    Path(user_id): Path<String>,
    Query(q): Query<StrictQuery>,
    Body(body): Body<UpdateBody>,
) -> ApiResult<Json> {
    let org = sb.org();
    let cell = resolve_user(org, &user_id)?;
    let mut u = lock(&cell);
    if u.status == UserStatus::Deprovisioned {
        return Err(ApiError::user_status());
    }
    let changes = body.profile.unwrap_or_default();
    let problems = profile_problems(org, &u, &changes);
    if let Some((first, _)) = problems.first() {
        let mut err = ApiError::new(
            StatusCode::BAD_REQUEST,
            "E0000001",
            format!("Api validation failed: {first}"),
        );
        for (field, reason) in &problems {
            err = err.cause(format!("{field}: {reason}"));
        }
        return Err(err);
    }
    let new_password = body
        .credentials
        .and_then(|c| c.password)
        .and_then(|p| p.value);
    if let Some(pw) = &new_password {
        let history = if super::flag(&q.strict) {
            password_history(&u)
        } else {
            vec![]
        };
        if !POLICY.violations(pw, u.login(), &history).is_empty() {
            return Err(password_policy_error());
        }
    }

    let origin = client.origin(true);
    if !changes.is_empty() {
        let old_login = u.login().to_string();
        for (key, value) in changes {
            u.profile.insert(key, value);
        }
        let new_login = u.login().to_string();
        if new_login != old_login {
            org.rename_login(&old_login, &new_login, &u.id);
        }
        u.last_updated = org.now();
        events::record(
            org,
            &origin,
            &u,
            None,
            "user.account.update_profile",
            "Update user profile for Okta",
            "SUCCESS",
            None,
        );
    }
    if let Some(pw) = new_password {
        set_password(org, &mut u, &pw);
        events::record(
            org,
            &origin,
            &u,
            None,
            "user.account.update_password",
            "Update password for Okta",
            "SUCCESS",
            None,
        );
    }
    ok(render::user(&base, &u))
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChangePasswordBody {
    old_password: Option<PasswordValue>,
    new_password: Option<PasswordValue>,
    revoke_sessions: Option<bool>,
}

/// `POST /users/{userId}/credentials/change_password` ([SPEC] changePassword; API-NOTES §6).
/// The old password must be right (403 E0000014, cause `oldPassword: The credentials provided
/// were incorrect.`; errors-change-password-old-incorrect-E0000014.json), the new one must meet
/// the policy, history included (403 E0000080 naming the requirements). `revokeSessions` ends
/// the user's sessions. A user in `RECOVERY` or `PASSWORD_EXPIRED` becomes `ACTIVE`.
///
/// Other statuses (locked out, suspended, deactivated): 403 E0000038. UNCONFIRMED: the spec
/// only lists the allowed statuses; E0000038 is Okta's code for "not in this status".
pub async fn change_password(
    State(sb): State<Sandbox>,
    client: Client,
    Path(user_id): Path<String>,
    Query(q): Query<StrictQuery>,
    Body(body): Body<ChangePasswordBody>,
) -> ApiResult<Json> {
    let org = sb.org();
    // `strict` checks the minimum password age, which the sandbox policy sets to 0 minutes.
    let _ = q.strict;
    with_user(org, &user_id, |u| {
        if !matches!(
            u.status,
            UserStatus::Active | UserStatus::PasswordExpired | UserStatus::Staged
        ) {
            return Err(ApiError::user_status());
        }
        let old = body.old_password.and_then(|p| p.value).unwrap_or_default();
        let Some(new) = body
            .new_password
            .and_then(|p| p.value)
            .filter(|v| !v.is_empty())
        else {
            return Err(ApiError::validation(
                "password",
                "newPassword: The field cannot be left blank",
            ));
        };
        if old.is_empty() || !passwords::verify(&old, &u.password_hash) {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "E0000014",
                "Update of credentials failed",
            )
            .cause("oldPassword: The credentials provided were incorrect."));
        }
        if !POLICY
            .violations(&new, u.login(), &password_history(u))
            .is_empty()
        {
            return Err(password_policy_error());
        }
        set_password(org, u, &new);
        if u.status != UserStatus::Active {
            u.status = UserStatus::Active;
            u.status_changed = Some(org.now());
        }
        if body.revoke_sessions.unwrap_or(false) {
            u.sessions.clear();
        }
        events::record(
            org,
            &client.origin(true),
            u,
            None,
            "user.account.update_password",
            "Update password for Okta",
            "SUCCESS",
            None,
        );
        // users-change-password.json (no recovery question is set in the sandbox).
        ok(json!({
            "password": {},
            "provider": { "type": "OKTA", "name": "OKTA" },
        }))
    })
}

/// `GET /users/{idOrLogin}/groups` ([SPEC] listUserGroups).
pub async fn user_groups(
    State(sb): State<Sandbox>,
    Path(user_id): Path<String>,
) -> ApiResult<Json> {
    let org = sb.org();
    let cell = resolve_user(org, &user_id)?;
    let member_of = lock(&cell).group_ids.clone();
    let groups = read(&org.groups)
        .iter()
        .filter(|g| member_of.contains(&g.id))
        .map(render::group)
        .collect();
    ok(Value::Array(groups))
}

/// `GET /groups/{groupId}/users` ([SPEC] listGroupUsers), in id order.
pub async fn group_users(
    State(sb): State<Sandbox>,
    Base(base): Base,
    Path(group_id): Path<String>,
) -> ApiResult<Json> {
    let org = sb.org();
    if !read(&org.groups).iter().any(|g| g.id == group_id) {
        return Err(ApiError::not_found(&group_id, "UserGroup"));
    }
    let users = org
        .all_users()
        .iter()
        .filter_map(|cell| {
            let u = lock(cell);
            u.group_ids
                .contains(&group_id)
                .then(|| render::user(&base, &u))
        })
        .collect();
    ok(Value::Array(users))
}

/// `POST /users/{id}/lifecycle/reset_factors` ([SPEC] resetFactors: 200 with an empty object):
/// every factor goes, with Okta Verify's cascades and pending pushes; one
/// `user.mfa.factor.reset_all` event. A deactivated user: 403 E0000038 (API-NOTES §1/§8).
pub async fn reset_factors(
    State(sb): State<Sandbox>,
    client: Client,
    Path(user_id): Path<String>,
) -> ApiResult<Json> {
    let org = sb.org();
    let cell = resolve_user(org, &user_id)?;
    let mut u = lock(&cell);
    refuse_inactive_user(&u)?;
    let ids: Vec<String> = u.factors.iter().map(|f| f.id.clone()).collect();
    for id in ids {
        remove_factor(org, &mut u, &id);
    }
    u.last_updated = org.now();
    events::factors_reset(org, &client.origin(true), &u);
    ok(json!({}))
}

/// `POST /users/{id}/lifecycle/unlock` ([SPEC] unlockUser: 200 with an empty object). A
/// `LOCKED_OUT` user becomes `ACTIVE` with the failed sign-in count reset; an `ACTIVE` user is
/// a no-op (the spec: it also unblocks active users). Any other status: 403 E0000032 "Unlock is
/// not allowed for this user." ([ERR]; which statuses Okta refuses is UNCONFIRMED).
pub async fn unlock(
    State(sb): State<Sandbox>,
    client: Client,
    Path(user_id): Path<String>,
) -> ApiResult<Json> {
    let org = sb.org();
    let cell = resolve_user(org, &user_id)?;
    let mut u = lock(&cell);
    match u.status {
        UserStatus::LockedOut => {
            let now = org.now();
            u.status = UserStatus::Active;
            u.status_changed = Some(now);
            u.last_updated = now;
            u.failed_sign_ins = 0;
            events::record(
                org,
                &client.origin(true),
                &u,
                None,
                "user.account.unlock_by_admin",
                "Unlock user account by admin",
                "SUCCESS",
                None,
            );
        }
        UserStatus::Active => u.failed_sign_ins = 0,
        _ => {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "E0000032",
                "Unlock is not allowed for this user.",
            ))
        }
    }
    ok(json!({}))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_checked_for_shape() {
        assert!(looks_like_email("nora@example.com"));
        assert!(looks_like_email("a.b+c@mail.example.co.uk"));
        for bad in [
            "nora",
            "nora@",
            "@example.com",
            "nora@example",
            "n ora@x.com",
            "a@b@c.com",
            "a@b..com",
        ] {
            assert!(!looks_like_email(bad), "{bad}");
        }
    }

    #[test]
    fn next_links_keep_the_query_and_replace_after() {
        let uri: Uri = "/api/v1/users?search=profile.login%20sw%20%22a%22&limit=2&after=00u1"
            .parse()
            .unwrap();
        let h = link_headers("http://h", &uri, Some("00u9"));
        let links: Vec<&str> = h
            .get_all("link")
            .iter()
            .map(|v| v.to_str().unwrap())
            .collect();
        assert_eq!(links.len(), 2);
        assert!(links[0].ends_with("rel=\"self\""));
        assert_eq!(
            links[1],
            "<http://h/api/v1/users?search=profile.login%20sw%20%22a%22&limit=2&after=00u9>; rel=\"next\""
        );
    }
}
