//! The System Log (`GET /api/v1/logs`, [SPEC] listLogEvents): what Keyport shows a user as
//! their recent security activity, and the help desk as an audit trail.
//!
//! Supported: `since` / `until` (ISO-8601; `since` defaults to 7 days before `until`),
//! `filter` (the SCIM expressions of [`super::users::expr`], values compared ignoring case),
//! `q` (keywords, all must appear), `limit` (default 100, at most 1000), `sortOrder`
//! (`ASCENDING` default, `DESCENDING`) and the `after` cursor of the `Link` header.
//!
//! Paging (API-NOTES §9): a bounded query (with `until`) has `rel="next"` only while more
//! events remain; a polling query (no `until`) always has one, pointing after the last event
//! returned, so a poller can keep following it.

use super::users::{expr, link_headers, parse_limit};
use super::Base;
use crate::sandbox::clock::okta_time;
use crate::sandbox::error::{ApiError, ApiResult};
use crate::sandbox::model::LogEvent;
use crate::sandbox::render;
use crate::sandbox::state::lock;
use crate::sandbox::Sandbox;
use axum::extract::{OriginalUri, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use serde_json::Value;
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

/// Events per page unless `limit` says otherwise ([SPEC] listLogEvents).
pub const DEFAULT_LOG_LIMIT: usize = 100;
/// The largest page ("Integer between 0 and 1000"); larger limits are capped.
pub const MAX_LOG_LIMIT: usize = 1000;
/// How far back `since` reaches by default: "7 days prior to until".
pub const DEFAULT_WINDOW: Duration = Duration::days(7);
/// `q`: at most 10 keywords of 40 characters ([SPEC] listLogEvents `q`).
const MAX_KEYWORDS: usize = 10;
const MAX_KEYWORD_LEN: usize = 40;

pub fn routes() -> Router<Sandbox> {
    Router::new().route("/logs", get(list))
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogQuery {
    since: Option<String>,
    until: Option<String>,
    after: Option<String>,
    filter: Option<String>,
    q: Option<String>,
    limit: Option<String>,
    sort_order: Option<String>,
}

/// 400 E0000030 for a timestamp Okta cannot read ([ERR] "Invalid date").
fn parse_time(raw: &str) -> ApiResult<OffsetDateTime> {
    OffsetDateTime::parse(raw.trim(), &Rfc3339).map_err(|_| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "E0000030",
            "Bad request. Invalid date. Dates must be of the form yyyy-MM-dd'T'HH:mm:ss.SSSZZ, e.g. 2013-01-01T12:00:00.000-07:00.",
        )
    })
}

/// The values of a `LogEvent` attribute for filter expressions (`target.*` has one value per
/// target).
fn event_values(e: &LogEvent, attr: &str) -> Vec<String> {
    let one = |s: &str| vec![s.to_string()];
    let opt = |s: &Option<String>| s.iter().cloned().collect();
    match attr {
        "uuid" => one(&e.uuid),
        "published" => vec![okta_time(e.published)],
        "eventType" => one(e.event_type),
        "displayMessage" => one(&e.display_message),
        "severity" => one(e.severity),
        "actor.id" => one(&e.actor_id),
        "actor.type" => one(e.actor_type),
        "actor.alternateId" => one(&e.actor_alternate_id),
        "actor.displayName" => one(&e.actor_display_name),
        "outcome.result" => one(e.outcome),
        "outcome.reason" => opt(&e.reason),
        "client.ipAddress" => opt(&e.client_ip),
        "client.userAgent.rawUserAgent" => opt(&e.user_agent),
        "transaction.id" => one(&e.uuid),
        "target.id" => e.target.iter().map(|t| t.id.clone()).collect(),
        "target.type" => e.target.iter().map(|t| t.kind.to_string()).collect(),
        "target.alternateId" => e.target.iter().map(|t| t.alternate_id.clone()).collect(),
        "target.displayName" => e.target.iter().map(|t| t.display_name.clone()).collect(),
        _ => vec![],
    }
}

/// `q`: every keyword appears (ignoring case) somewhere in the event's text fields.
fn keywords_match(e: &LogEvent, keywords: &[String]) -> bool {
    let mut text = vec![
        e.event_type.to_string(),
        e.display_message.clone(),
        e.actor_id.clone(),
        e.actor_alternate_id.clone(),
        e.actor_display_name.clone(),
        e.outcome.to_string(),
    ];
    text.extend(e.reason.clone());
    text.extend(e.client_ip.clone());
    for t in &e.target {
        text.extend([t.id.clone(), t.alternate_id.clone(), t.display_name.clone()]);
    }
    let text = text.join(" ").to_lowercase();
    keywords.iter().all(|k| text.contains(k))
}

/// The `after` cursor: `{published epoch ms}_{uuid}` of the last event of a page.
fn cursor(e: &LogEvent) -> String {
    format!(
        "{}_{}",
        e.published.unix_timestamp_nanos() / 1_000_000,
        e.uuid
    )
}

/// `GET /logs`.
pub async fn list(
    State(sb): State<Sandbox>,
    Base(base): Base,
    OriginalUri(uri): OriginalUri,
    Query(q): Query<LogQuery>,
) -> ApiResult<Response> {
    let org = sb.org();
    let polling = q.until.as_deref().is_none_or(|u| u.trim().is_empty());
    let until = match q.until.as_deref().filter(|u| !u.trim().is_empty()) {
        Some(u) => Some(parse_time(u)?),
        None => None,
    };
    let since = match q.since.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(s) => parse_time(s)?,
        None => until.unwrap_or_else(|| org.now()) - DEFAULT_WINDOW,
    };
    let filter = match q.filter.as_deref().filter(|f| !f.trim().is_empty()) {
        Some(f) => Some(expr::parse(f).map_err(|why| {
            // UNCONFIRMED: the spec lists 400 ErrorApiValidationFailed for this operation.
            ApiError::validation(
                "filter",
                format!("filter: Invalid filter expression ({why})"),
            )
        })?),
        None => None,
    };
    let keywords: Vec<String> =
        q.q.as_deref()
            .unwrap_or_default()
            .split_whitespace()
            .map(str::to_lowercase)
            .collect();
    if keywords.len() > MAX_KEYWORDS || keywords.iter().any(|k| k.len() > MAX_KEYWORD_LEN) {
        return Err(ApiError::validation(
            "q",
            "q: At most 10 keywords of at most 40 characters each",
        ));
    }
    let descending = match q
        .sort_order
        .as_deref()
        .map(str::to_ascii_uppercase)
        .as_deref()
    {
        None | Some("") | Some("ASCENDING") => false,
        Some("DESCENDING") => true,
        Some(other) => {
            return Err(ApiError::validation(
                "sortOrder",
                format!("sortOrder: '{other}' is not one of ASCENDING, DESCENDING"),
            ))
        }
    };
    let limit = parse_limit(&q.limit, DEFAULT_LOG_LIMIT, MAX_LOG_LIMIT)?;

    // The log is kept in publication order (the sandbox clock never goes back).
    let mut events: Vec<LogEvent> = lock(&org.log)
        .iter()
        .filter(|e| e.published >= since && until.is_none_or(|u| e.published < u))
        .filter(|e| {
            filter
                .as_ref()
                .is_none_or(|f| f.matches(&|attr| event_values(e, attr), true))
        })
        .filter(|e| keywords_match(e, &keywords))
        .cloned()
        .collect();
    if descending {
        events.reverse();
    }
    let after = q.after.as_deref().filter(|a| !a.is_empty());
    let start = match after {
        None => 0,
        Some(a) => {
            let (ms, uuid) = a.split_once('_').unwrap_or((a, ""));
            match events.iter().position(|e| e.uuid == uuid) {
                Some(i) => i + 1,
                // The event has left the log: continue from its time.
                None => {
                    let ms: i128 = ms.parse().unwrap_or(0);
                    events
                        .iter()
                        .position(|e| {
                            let t = e.published.unix_timestamp_nanos() / 1_000_000;
                            if descending {
                                t < ms
                            } else {
                                t >= ms
                            }
                        })
                        .unwrap_or(events.len())
                }
            }
        }
    };
    let rest = events.get(start..).unwrap_or_default();
    let page = &rest[..limit.min(rest.len())];
    let more = rest.len() > page.len();
    let next = match page.last() {
        Some(last) if more || polling => Some(cursor(last)),
        Some(_) => None,
        // An empty polling page: poll again from the same place (or from now).
        None if polling => Some(
            after
                .map(str::to_string)
                .unwrap_or_else(|| format!("{}_", org.now().unix_timestamp_nanos() / 1_000_000)),
        ),
        None => None,
    };
    let headers = link_headers(&base, &uri, next.as_deref());
    let body: Vec<Value> = page.iter().map(render::log_event).collect();
    Ok((headers, axum::Json(Value::Array(body))).into_response())
}
