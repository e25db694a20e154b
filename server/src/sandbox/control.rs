//! The sandbox's control surface under `/sandbox/` (JSON under `/sandbox/api/`), for people and
//! tests: the outbox, the virtual Okta Verify phone, fault injection, clock control, rate
//! limits, the request log, and reset to the seed. It needs no token: the sandbox listens on
//! loopback by default and holds only demo data.
//!
//! It refuses what a web page could send it (`refuse_cross_site`): the sandbox runs on
//! developers' laptops while they browse.
//!
//! Every refusal is JSON `{errorCode, errorSummary, …}` (the shape of Okta's errors), whatever
//! refused: a handler, a body or query that cannot be read ([`Ctl`], [`CtlQuery`]), an unknown
//! path, or a method the path does not take ([`json_errors`]).

use super::error::{ApiError, ApiResult};
use super::model::{Factor, User};
use super::phone::{self, DeviceInfo, Payload};
use super::state::lock;
use super::totp;
use super::traffic::{glob, Family, FaultRule};
use super::Sandbox;
use axum::body::{to_bytes, Bytes};
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request, State};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{any, delete, get, post};
use axum::{Json, Router};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::HashMap;

pub fn routes() -> Router<Sandbox> {
    Router::new()
        .route("/sandbox", get(console))
        .route("/sandbox/", get(console))
        .route("/sandbox/api/org", get(org_info))
        .route("/sandbox/api/reset", post(reset))
        .route("/sandbox/api/users", get(users))
        .route("/sandbox/api/users/generate", post(generate_users))
        .route("/sandbox/api/outbox", get(outbox).delete(clear_outbox))
        .route("/sandbox/api/phone", get(phone_view))
        .route("/sandbox/api/phone/scan", post(scan))
        .route("/sandbox/api/phone/devices", post(add_device))
        .route(
            "/sandbox/api/phone/accounts/{label}",
            delete(remove_account),
        )
        .route("/sandbox/api/phone/pushes/{id}/approve", post(approve))
        .route("/sandbox/api/phone/pushes/{id}/deny", post(deny))
        .route(
            "/sandbox/api/faults",
            get(list_faults).post(add_fault).delete(clear_faults),
        )
        .route("/sandbox/api/faults/{id}", delete(remove_fault))
        .route("/sandbox/api/limits", get(limits).put(set_limits))
        .route("/sandbox/api/clock", get(clock))
        .route("/sandbox/api/clock/advance", post(advance_clock))
        .route(
            "/sandbox/api/requests",
            get(requests).delete(clear_requests),
        )
        .route("/sandbox/api/activations/{token}", get(activation_payload))
        .route("/sandbox/api/totp", post(totp_code))
        .route("/sandbox/api/{*rest}", any(unknown_path))
        .layer(middleware::from_fn(json_errors))
        .layer(middleware::from_fn(refuse_cross_site))
}

/// Refuses control calls a web page could have made: the sandbox usually runs on a developer's
/// laptop while they browse, and its control surface needs no token, so a page anywhere could
/// otherwise move its clock, reset it, or approve pushes on its virtual phone with a no-cors
/// `fetch`. A call that changes something must:
/// 1. carry `Content-Type: application/json` (a cross-site page can only send it after a CORS
///    preflight, which the sandbox never grants);
/// 2. not be cross-site by the browser's own word (`Sec-Fetch-Site`), nor name another
///    `Origin` than the sandbox's own;
/// 3. name the sandbox by an IP address or `localhost` in `Host` (a DNS-rebound name is refused
///    for reads too, since they show the outbox's codes).
///
/// Tools and scripts (curl, tests, SDK harnesses) send no `Sec-Fetch-Site` or `Origin` and pass.
async fn refuse_cross_site(req: Request, next: Next) -> Response {
    // Owned copies: nothing borrowed from the request may live across an await.
    let (host, content_type, fetch_site, origin) = {
        let header = |name: &str| {
            req.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        (
            header("host").unwrap_or_default(),
            header("content-type"),
            header("sec-fetch-site"),
            header("origin"),
        )
    };
    // No Host at all is a tool's in-process call (HTTP/1.1 browsers always send one).
    if !host.is_empty() && !host_is_local(&host) {
        return ApiError::new(
            StatusCode::FORBIDDEN,
            "cross_site",
            "The sandbox's control API answers only at an IP address or localhost (this Host looks like a rebound DNS name).",
        )
        .into_response();
    }
    let changes = !matches!(
        *req.method(),
        axum::http::Method::GET | axum::http::Method::HEAD | axum::http::Method::OPTIONS
    );
    if !changes {
        return next.run(req).await;
    }
    let json = content_type.is_some_and(|c| {
        c.trim()
            .to_ascii_lowercase()
            .starts_with("application/json")
    });
    if !json {
        return ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "json_required",
            "Send control calls with Content-Type: application/json (the sandbox refuses other posts so that a web page you visit cannot drive it).",
        )
        .into_response();
    }
    let cross_site = fetch_site.is_some_and(|s| !matches!(s.as_str(), "same-origin" | "none"));
    let foreign_origin = origin.is_some_and(|o| o != format!("http://{host}"));
    if cross_site || foreign_origin {
        tracing::warn!(path = %req.uri().path(), "the sandbox refused a cross-site control call");
        return ApiError::new(
            StatusCode::FORBIDDEN,
            "cross_site",
            "The sandbox's control API refuses calls from other web pages. Use its console, or call it from a tool.",
        )
        .into_response();
    }
    next.run(req).await
}

/// `Host` names this machine directly: an IP literal, `localhost` or a `*.localhost` name.
fn host_is_local(host: &str) -> bool {
    let name = match host.strip_prefix('[') {
        Some(v6) => {
            return v6
                .split(']')
                .next()
                .is_some_and(|a| a.parse::<std::net::Ipv6Addr>().is_ok())
        }
        None => host.rsplit_once(':').map_or(host, |(h, port)| {
            if port.chars().all(|c| c.is_ascii_digit()) {
                h
            } else {
                host
            }
        }),
    };
    let name = name.to_ascii_lowercase();
    name.parse::<std::net::Ipv4Addr>().is_ok()
        || name == "localhost"
        || name.ends_with(".localhost")
}

/// The longest error body [`json_errors`] reads back (axum's rejections are one line).
const MAX_ERROR_BODY: usize = 16 * 1024;

fn invalid(summary: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "invalid", summary)
}

/// A control-API JSON body. Unlike axum's `Json`, a body that cannot be read is a 400 with a
/// JSON error, and no `Content-Type` is needed. An empty body reads as `{}`, so calls whose
/// fields are all optional (approving a push without a number) need none.
pub struct Ctl<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Ctl<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|e| invalid(format!("The request body could not be read: {e}")))?;
        let text: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) {
            b"{}"
        } else {
            &bytes
        };
        serde_json::from_slice(text)
            .map(Ctl)
            .map_err(|e| invalid(format!("The request body is not valid for this call: {e}")))
    }
}

/// A control-API query string; one that cannot be read is a 400 with a JSON error.
pub struct CtlQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for CtlQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(v)| CtlQuery(v))
            .map_err(|e| {
                invalid(format!(
                    "The query string is not valid for this call: {}",
                    e.body_text()
                ))
            })
    }
}

/// `/sandbox/api/…` paths that do not exist: 404, in JSON like every control error.
async fn unknown_path(Path(rest): Path<String>) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        format!("The sandbox control API has no /sandbox/api/{rest}."),
    )
}

/// Turns any error the control routes answer without a JSON body (a 405 for a method a path
/// does not take, a rejection from an extractor of axum's) into `{errorCode, errorSummary}`.
async fn json_errors(req: Request, next: Next) -> Response {
    let res = next.run(req).await;
    let status = res.status();
    let is_json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return res;
    }
    let (parts, body) = res.into_parts();
    let text = to_bytes(body, MAX_ERROR_BODY)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_string())
        .unwrap_or_default();
    let (code, fallback) = match status {
        StatusCode::NOT_FOUND => ("not_found", "Nothing here."),
        StatusCode::METHOD_NOT_ALLOWED => (
            "method_not_allowed",
            "This control path does not take that method.",
        ),
        s if s.is_server_error() => ("internal", "The sandbox failed to answer."),
        _ => ("invalid", "The sandbox could not read the request."),
    };
    let summary = if text.is_empty() {
        fallback.to_string()
    } else {
        text
    };
    let mut out = ApiError::new(status, code, summary).into_response();
    // Keep what the original answer said besides its body (`Allow` on a 405).
    for (name, value) in parts.headers.iter() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            out.headers_mut().insert(name.clone(), value.clone());
        }
    }
    out
}

type Answer = ApiResult<Json<Value>>;

async fn console() -> Html<&'static str> {
    Html(include_str!("console.html"))
}

fn pipeline_name(sb: &Sandbox) -> &'static str {
    match sb.org().pipeline {
        super::model::Pipeline::Classic => "classic",
        super::model::Pipeline::IdentityEngine => "oie",
    }
}

async fn org_info(State(sb): State<Sandbox>) -> Answer {
    let org = sb.org();
    Ok(Json(json!({
        "id": org.id,
        "pipeline": pipeline_name(&sb),
        "now": super::clock::okta_time(org.now()),
        "clockOffsetSeconds": org.clock.offset().whole_seconds(),
        "webauthnOrigins": org.webauthn_origins.iter().map(|u| u.origin().ascii_serialization()).collect::<Vec<_>>(),
        "demoPassword": super::seed::DEMO_PASSWORD,
    })))
}

/// `POST /sandbox/api/reset`: the seeded org again, with no faults, default limits, an empty
/// outbox and request log, and the clock back to real time.
async fn reset(State(sb): State<Sandbox>) -> Answer {
    sb.reset();
    Ok(Json(
        json!({ "reset": true, "pipeline": pipeline_name(&sb) }),
    ))
}

/// `POST /sandbox/api/users/generate` `{"count": 300, "first": 1}`: that many people set up
/// like Victor, `person0001@example.com` on (load benchmarks, a company-sized demo).
#[derive(Deserialize)]
struct Generate {
    count: usize,
    #[serde(default = "first_person")]
    first: usize,
}

fn first_person() -> usize {
    1
}

async fn generate_users(State(sb): State<Sandbox>, Ctl(body): Ctl<Generate>) -> Answer {
    if body.count == 0 || body.count > 10_000 || body.first == 0 || body.first > 90_000 {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid",
            "count must be 1 to 10000, first 1 to 90000.",
        ));
    }
    let org = sb.org();
    let people = super::seed::generated_people(org.pipeline, org.now(), body.first, body.count);
    let added = org.add_users(people);
    Ok(Json(json!({
        "added": added,
        "first": super::seed::generated_login(body.first),
        "last": super::seed::generated_login(body.first + body.count - 1),
        "password": super::seed::DEMO_PASSWORD,
    })))
}

async fn users(State(sb): State<Sandbox>) -> Answer {
    let list: Vec<Value> = sb
        .org()
        .all_users()
        .iter()
        .map(|cell| {
            let u = lock(cell);
            json!({
                "id": u.id,
                "login": u.login(),
                "name": super::events::display_name(&u),
                "status": u.status.wire(),
                "nicknames": u.nicknames,
                "factors": u.factors.iter().map(|f| json!({
                    "id": f.id,
                    "factorType": f.kind.factor_type(),
                    "provider": f.kind.provider(),
                    "status": f.status.wire(),
                    "authenticator": authenticator_name(&sb, f),
                    "profile": display_profile(&u, f),
                    "device": f.device,
                    "nickname": u.nicknames.get(f.device.as_deref().unwrap_or(&f.id)),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    Ok(Json(Value::Array(list)))
}

/// The org authenticator a factor belongs to, by name (`Okta Verify`, `Phone`, …).
fn authenticator_name(sb: &Sandbox, f: &Factor) -> Option<&'static str> {
    sb.org()
        .authenticator_by_key(f.kind.authenticator_key())
        .map(|a| a.name)
}

/// What a person needs to tell a factor apart: its phone, email, device (an Okta Verify TOTP
/// or FastPass factor shows its device's name), security key name or question. Fields that do
/// not apply are left out.
fn display_profile(u: &User, f: &Factor) -> Value {
    let p = &f.profile;
    let device = f
        .device
        .as_deref()
        .and_then(|d| u.factor(d))
        .map(|push| &push.profile);
    let mut out = serde_json::Map::new();
    let mut put = |key: &str, value: Option<&String>| {
        if let Some(v) = value {
            out.insert(key.to_string(), json!(v));
        }
    };
    put("phoneNumber", p.phone_number.as_ref());
    put("phoneExtension", p.phone_extension.as_ref());
    put("email", p.email.as_ref());
    put(
        "deviceName",
        p.device_name
            .as_ref()
            .or(device.and_then(|d| d.device_name.as_ref())),
    );
    put(
        "platform",
        p.platform
            .as_ref()
            .or(device.and_then(|d| d.platform.as_ref())),
    );
    put("authenticatorName", p.authenticator_name.as_ref());
    put("question", p.question.as_ref());
    Value::Object(out)
}

#[derive(Deserialize, Default)]
struct OutboxQuery {
    to: Option<String>,
    channel: Option<String>,
}

/// `GET /sandbox/api/outbox`: every SMS, voice call and email, oldest first, each with at least
/// `channel`, `to`, `code` and `sentAt`.
async fn outbox(State(sb): State<Sandbox>, CtlQuery(q): CtlQuery<OutboxQuery>) -> Answer {
    let messages: Vec<Value> = lock(&sb.org().outbox)
        .iter()
        .filter(|m| {
            q.to.as_deref()
                .is_none_or(|to| m.to.eq_ignore_ascii_case(to))
        })
        .filter(|m| q.channel.as_deref().is_none_or(|c| m.channel == c))
        .map(|m| serde_json::to_value(m).unwrap_or(Value::Null))
        .collect();
    Ok(Json(Value::Array(messages)))
}

async fn clear_outbox(State(sb): State<Sandbox>) -> StatusCode {
    lock(&sb.org().outbox).clear();
    StatusCode::NO_CONTENT
}

async fn phone_view(State(sb): State<Sandbox>) -> Answer {
    let org = sb.org();
    let now = org.now().unix_timestamp().max(0) as u64;
    let accounts: Vec<Value> = lock(&sb.phone().accounts)
        .iter()
        .map(|a| json!({ "label": a.label, "code": totp::code_at(&a.secret, totp::Encoding::Base32, now) }))
        .collect();
    Ok(Json(json!({
        "now": super::clock::okta_time(org.now()),
        "devices": phone::devices(org),
        "pushes": phone::pending_pushes(org),
        "accounts": accounts,
        "secondsLeft": 30 - (now % 30),
    })))
}

/// `DELETE /sandbox/api/phone/accounts/{label}`: removes an authenticator-app account from the
/// phone (the label as `GET /sandbox/api/phone` shows it, percent-encoded in the path).
async fn remove_account(
    State(sb): State<Sandbox>,
    Path(label): Path<String>,
) -> ApiResult<StatusCode> {
    let mut accounts = lock(&sb.phone().accounts);
    let before = accounts.len();
    accounts.retain(|a| a.label != label);
    if accounts.len() == before {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("The phone has no authenticator-app account \"{label}\"."),
        ));
    }
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ScanBody {
    payload: String,
    device_name: Option<String>,
    platform: Option<String>,
}

/// `POST /sandbox/api/phone/scan`: the phone reads a QR payload (or opens an activation link).
async fn scan(State(sb): State<Sandbox>, Ctl(body): Ctl<ScanBody>) -> Answer {
    let device = DeviceInfo {
        name: body
            .device_name
            .unwrap_or_else(|| DeviceInfo::default().name),
        platform: body
            .platform
            .unwrap_or_else(|| DeviceInfo::default().platform),
    };
    match phone::parse_payload(&body.payload) {
        Some(Payload::OktaVerify { token }) => {
            let (user_id, factor_id) = phone::activate_with_token(sb.org(), &token, &device)
                .map_err(|e| {
                    if e.code == "E0000011" {
                        ApiError::new(
                            StatusCode::GONE,
                            "expired",
                            "This QR code has expired or was already used. Ask for a new one.",
                        )
                    } else {
                        e
                    }
                })?;
            Ok(Json(
                json!({ "enrolled": "okta_verify", "userId": user_id, "factorId": factor_id }),
            ))
        }
        Some(Payload::Totp { label, secret }) => {
            if totp::code_at(&secret, totp::Encoding::Base32, 0).is_none() {
                return Err(ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "invalid",
                    "The QR code's secret is not base32.",
                ));
            }
            let mut accounts = lock(&sb.phone().accounts);
            accounts.retain(|a| a.label != label);
            accounts.push(phone::AppAccount {
                label: label.clone(),
                secret,
            });
            Ok(Json(
                json!({ "enrolled": "authenticator_app", "label": label }),
            ))
        }
        None => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "unreadable",
            "The phone cannot read this QR code.",
        )),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DeviceBody {
    login: String,
    name: Option<String>,
    platform: Option<String>,
}

/// `POST /sandbox/api/phone/devices`: Identity Engine's own "add account" flow in the app.
async fn add_device(State(sb): State<Sandbox>, Ctl(body): Ctl<DeviceBody>) -> Answer {
    let device = DeviceInfo {
        name: body.name.unwrap_or_else(|| "Sandbox Phone".into()),
        platform: body.platform.unwrap_or_else(|| "IOS".into()),
    };
    let id = phone::add_device(sb.org(), &body.login, &device)?;
    Ok(Json(json!({ "factorId": id })))
}

#[derive(Deserialize, Default)]
struct ApproveBody {
    number: Option<u8>,
}

async fn approve(
    State(sb): State<Sandbox>,
    Path(id): Path<String>,
    Ctl(body): Ctl<ApproveBody>,
) -> Answer {
    let number = body.number;
    let result = phone::answer_push(sb.org(), &id, true, number)?;
    Ok(Json(json!({ "result": result })))
}

async fn deny(State(sb): State<Sandbox>, Path(id): Path<String>) -> Answer {
    let result = phone::answer_push(sb.org(), &id, false, None)?;
    Ok(Json(json!({ "result": result })))
}

async fn list_faults(State(sb): State<Sandbox>) -> Answer {
    Ok(Json(
        serde_json::to_value(sb.traffic().faults.list()).unwrap_or(Value::Null),
    ))
}

/// `POST /sandbox/api/faults`: `{path, method?, action:{kind:…}, count?, durationSeconds?}`.
async fn add_fault(
    State(sb): State<Sandbox>,
    Ctl(rule): Ctl<FaultRule>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let rule = sb
        .traffic()
        .faults
        .add(sb.org(), rule)
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "invalid", e))?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::to_value(rule).unwrap_or(Value::Null)),
    ))
}

async fn clear_faults(State(sb): State<Sandbox>) -> StatusCode {
    sb.traffic().faults.clear();
    StatusCode::NO_CONTENT
}

async fn remove_fault(State(sb): State<Sandbox>, Path(id): Path<String>) -> ApiResult<StatusCode> {
    if sb.traffic().faults.remove(&id) {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("There is no fault {id}."),
        ))
    }
}

async fn limits(State(sb): State<Sandbox>) -> Answer {
    let map: HashMap<String, u32> = Family::ALL
        .iter()
        .map(|f| {
            (
                serde_json::to_value(f)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default(),
                sb.traffic().limits.limit(*f),
            )
        })
        .collect();
    Ok(Json(serde_json::to_value(map).unwrap_or(Value::Null)))
}

/// `PUT /sandbox/api/limits`: `{"factors": 5, …}` requests per minute per family.
async fn set_limits(State(sb): State<Sandbox>, Ctl(body): Ctl<HashMap<Family, u32>>) -> Answer {
    for (family, limit) in body {
        sb.traffic().limits.set_limit(family, limit);
    }
    limits(State(sb)).await
}

async fn clock(State(sb): State<Sandbox>) -> Answer {
    let org = sb.org();
    Ok(Json(json!({
        "now": super::clock::okta_time(org.now()),
        "offsetSeconds": org.clock.offset().whole_seconds(),
    })))
}

#[derive(Deserialize)]
struct AdvanceBody {
    seconds: i64,
}

/// `POST /sandbox/api/clock/advance`: `{"seconds": 660}` moves the sandbox's time forward.
async fn advance_clock(State(sb): State<Sandbox>, Ctl(body): Ctl<AdvanceBody>) -> Answer {
    if body.seconds < 0 {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid",
            "Time only moves forward.",
        ));
    }
    sb.org()
        .clock
        .advance(time::Duration::seconds(body.seconds));
    clock(State(sb)).await
}

#[derive(Deserialize, Default)]
struct RequestsQuery {
    since: Option<u64>,
    path: Option<String>,
}

/// `GET /sandbox/api/requests?since=N&path=/api/v1/users/*/factors*`: the Okta API requests
/// the sandbox has answered, with the last sequence number.
async fn requests(State(sb): State<Sandbox>, CtlQuery(q): CtlQuery<RequestsQuery>) -> Answer {
    let matcher = match q.path.as_deref() {
        Some(p) => Some(
            glob(p)
                .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "invalid", e.to_string()))?,
        ),
        None => None,
    };
    let log = &sb.traffic().log;
    Ok(Json(json!({
        "lastSeq": log.last_seq(),
        "requests": log.since(q.since.unwrap_or(0), matcher.as_ref()),
    })))
}

async fn clear_requests(State(sb): State<Sandbox>) -> StatusCode {
    sb.traffic().log.clear();
    StatusCode::NO_CONTENT
}

/// The QR payload of a pending push activation, by its token (the string the PNG encodes).
async fn activation_payload(State(sb): State<Sandbox>, Path(token): Path<String>) -> Answer {
    let (user_id, factor_id) = lock(&sb.org().activation_tokens)
        .get(&token)
        .cloned()
        .ok_or_else(|| ApiError::not_found(&token, "Activation"))?;
    let payload = sb.qr_payload_for(&user_id, &factor_id, &token)?;
    Ok(Json(json!({ "payload": payload })))
}

#[derive(Deserialize)]
struct TotpBody {
    secret: String,
}

/// `POST /sandbox/api/totp {secret}`: the current code for a base32 secret (an authenticator
/// app for people trying Keyport by hand).
async fn totp_code(State(sb): State<Sandbox>, Ctl(body): Ctl<TotpBody>) -> Answer {
    let now = sb.org().now().unix_timestamp().max(0) as u64;
    let code = totp::code_at(&body.secret, totp::Encoding::Base32, now).ok_or_else(|| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid",
            "The secret is not base32.",
        )
    })?;
    Ok(Json(
        json!({ "code": code, "secondsLeft": 30 - (now % 30) }),
    ))
}
