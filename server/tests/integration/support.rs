//! Shared set-up: a Keyport router over a sandbox on an ephemeral port.
#![allow(dead_code)] // helpers are shared by test modules that each use a part of them

use axum::body::Body;
use axum::http::{Request, Response};
use http_body_util::BodyExt;
use server::config::{Config, Sources};
use tower::ServiceExt;

/// A configuration for tests: sandbox on an ephemeral loopback port, quiet logs.
pub fn test_config(extra: &[(&str, &str)]) -> Config {
    let mut vars = vec![
        (
            "KEYPORT_SANDBOX_ADDR".to_string(),
            "127.0.0.1:0".to_string(),
        ),
        ("KEYPORT_ADDR".to_string(), "127.0.0.1:0".to_string()),
    ];
    vars.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    Config::from_sources(&Sources::from_vars(vars).unwrap()).unwrap()
}

/// A fresh SQLite session file for one test.
pub fn temp_store() -> String {
    let dir = std::env::temp_dir().join("keyport-tests");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(format!(
        "sessions-{}.sqlite3",
        uuid::Uuid::new_v4().simple()
    ))
    .to_string_lossy()
    .to_string()
}

pub struct TestApp {
    pub router: axum::Router,
    pub sandbox: server::RunningSandbox,
}

pub async fn keyport() -> TestApp {
    // A session store of its own: tests that sign a user out everywhere must not end the
    // sessions of tests running beside them.
    let store = temp_store();
    let config = test_config(&[("KEYPORT_SESSION_STORE", &store)]);
    let assembled = server::assemble(&config).await.unwrap();
    TestApp {
        router: assembled.router,
        sandbox: assembled.sandbox.unwrap(),
    }
}

impl TestApp {
    pub async fn get(&self, path: &str) -> Response<Body> {
        self.router
            .clone()
            .oneshot(Request::get(path).body(Body::empty()).unwrap())
            .within_time()
            .await
            .unwrap()
    }
}

/// A request that takes longer than this has hung: the test fails saying so, not CI.
const HUNG: std::time::Duration = std::time::Duration::from_secs(30);

/// Bounds a request's future: a hang becomes a failure that names itself.
pub trait WithinTime: std::future::Future + Sized {
    fn within_time(self) -> impl std::future::Future<Output = Self::Output> {
        async move {
            match tokio::time::timeout(HUNG, self).await {
                Ok(out) => out,
                Err(_) => panic!("a request to Keyport did not answer in {HUNG:?}"),
            }
        }
    }
}

impl<F: std::future::Future> WithinTime for F {}

pub async fn body_string(res: Response<Body>) -> String {
    let bytes = res
        .into_body()
        .collect()
        .within_time()
        .await
        .unwrap()
        .to_bytes();
    String::from_utf8(bytes.to_vec()).unwrap()
}

pub async fn body_json(res: Response<Body>) -> serde_json::Value {
    serde_json::from_str(&body_string(res).await).unwrap()
}

/// The variant of an externally tagged step enum (`SignInStep`, `ReverifyStep`,
/// `EnrollmentStep`, `TestStep`, `Challenge`) as serde writes it: the string itself for a unit
/// variant (`"verified"`), the single key of the object for a struct variant
/// (`{"signed_in": {...}}`), and `""` for anything else (an error's body, `null`).
pub fn step_name(v: &serde_json::Value) -> &str {
    match v {
        serde_json::Value::String(s) => s.as_str(),
        serde_json::Value::Object(o) if o.len() == 1 => o.keys().next().map_or("", String::as_str),
        _ => "",
    }
}

/// What `step_body` answers when there is no struct variant.
static NO_BODY: serde_json::Value = serde_json::Value::Null;

/// The fields of an externally tagged struct variant: the object under its single key
/// (`step_body(&step)["factor_id"]`); `Null` for a unit variant or anything else, so indexing
/// into it gives `Null` too.
pub fn step_body(v: &serde_json::Value) -> &serde_json::Value {
    match v {
        serde_json::Value::Object(o) if o.len() == 1 => o.values().next().unwrap_or(&NO_BODY),
        _ => &NO_BODY,
    }
}

/// The sandbox alone, driven through its router without a socket.
pub struct SandboxHarness {
    pub router: axum::Router,
    pub sandbox: server::sandbox::Sandbox,
}

pub const SANDBOX_TOKEN: &str = "test-sandbox-token";

/// A sandbox of the given pipeline (`"oie"` or `"classic"`), seeded.
pub fn sandbox(pipeline: &str) -> SandboxHarness {
    let config = test_config(&[
        ("KEYPORT_SANDBOX_PIPELINE", pipeline),
        ("KEYPORT_SANDBOX_TOKEN", SANDBOX_TOKEN),
        ("KEYPORT_PUBLIC_URL", "http://localhost:3000"),
    ]);
    let sandbox = server::sandbox::Sandbox::new(&config.sandbox, "http://127.0.0.1:3001");
    SandboxHarness {
        router: sandbox.router(),
        sandbox,
    }
}

/// An answer from the sandbox: status, headers, and the JSON body (`Null` when empty).
pub struct Answer {
    pub status: axum::http::StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: serde_json::Value,
}

impl SandboxHarness {
    /// Calls an Okta API path with the sandbox's SSWS token.
    pub async fn okta(&self, method: &str, path: &str, body: Option<serde_json::Value>) -> Answer {
        self.call(method, path, body, Some(SANDBOX_TOKEN), &[])
            .await
    }

    /// Calls any path with optional token and extra headers.
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        body: Option<serde_json::Value>,
        token: Option<&str>,
        headers: &[(&str, &str)],
    ) -> Answer {
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .header("host", "127.0.0.1:3001")
            .header("accept", "application/json")
            .header("user-agent", "keyport-tests");
        if let Some(t) = token {
            req = req.header("authorization", format!("SSWS {t}"));
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let req = match body {
            Some(b) => req
                .header("content-type", "application/json")
                .body(Body::from(b.to_string()))
                .unwrap(),
            // The sandbox's control calls need a JSON content type, body or not.
            None if method != "GET" => req
                .header("content-type", "application/json")
                .body(Body::empty())
                .unwrap(),
            None => req.body(Body::empty()).unwrap(),
        };
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let text = body_string(res).await;
        let body = if text.trim().is_empty() {
            serde_json::Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text))
        };
        Answer {
            status,
            headers,
            body,
        }
    }

    /// Calls the control surface (`/sandbox/api/...`).
    pub async fn control(
        &self,
        method: &str,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> Answer {
        self.call(method, path, body, None, &[]).await
    }

    /// The newest outbox message sent to `to`.
    pub async fn last_message_to(&self, to: &str) -> serde_json::Value {
        let outbox = self.control("GET", "/sandbox/api/outbox", None).await.body;
        outbox
            .as_array()
            .unwrap()
            .iter()
            .rev()
            .find(|m| m["to"] == to)
            .cloned()
            .unwrap_or_else(|| panic!("no message to {to} in {outbox}"))
    }

    /// Moves the sandbox clock forward.
    pub async fn advance(&self, seconds: i64) {
        let a = self
            .control(
                "POST",
                "/sandbox/api/clock/advance",
                Some(serde_json::json!({ "seconds": seconds })),
            )
            .await;
        assert_eq!(a.status, axum::http::StatusCode::OK);
    }

    /// The current TOTP code for a base32 secret at the sandbox's time.
    pub async fn totp(&self, secret: &str) -> String {
        let a = self
            .control(
                "POST",
                "/sandbox/api/totp",
                Some(serde_json::json!({ "secret": secret })),
            )
            .await;
        a.body["code"].as_str().unwrap().to_string()
    }
}

/// A sandbox listening on a real loopback port, and an Okta client pointed at it: the client's
/// integration tests go over HTTP, as they would to a real org.
pub struct LiveSandbox {
    pub running: server::RunningSandbox,
    pub client: server::okta::OktaClient,
    http: reqwest::Client,
}

pub async fn live_sandbox(
    pipeline: &str,
    tune: impl FnOnce(&mut server::okta::ClientSettings),
) -> LiveSandbox {
    let config = test_config(&[
        ("KEYPORT_SANDBOX_PIPELINE", pipeline),
        ("KEYPORT_SANDBOX_TOKEN", SANDBOX_TOKEN),
    ]);
    let running = server::start_sandbox(&config.sandbox).await.unwrap();
    let mut settings = server::okta::ClientSettings::new(
        running.base_url.clone(),
        server::okta::ApiToken::new(SANDBOX_TOKEN),
    );
    // The whole limit: tests measure the sandbox's limits, not Keyport's share of them.
    settings.budget_share_percent = 100;
    tune(&mut settings);
    let client = server::okta::OktaClient::new(settings).unwrap();
    // As in `assemble`: a change through the control API is seen at once.
    let forget = client.clone();
    running.sandbox.on_change(Box::new(move || {
        let forget = forget.clone();
        Box::pin(async move { forget.reads().forget_everything().await })
    }));
    LiveSandbox {
        running,
        client,
        http: reqwest::Client::new(),
    }
}

impl LiveSandbox {
    pub async fn control(
        &self,
        method: &str,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> serde_json::Value {
        let url = format!(
            "{}{}",
            self.running.base_url.as_str().trim_end_matches('/'),
            path
        );
        let mut req = self
            .http
            .request(method.parse().unwrap(), url)
            .header("content-type", "application/json");
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.unwrap();
        let status = res.status();
        let text = res.text().await.unwrap();
        assert!(status.is_success(), "{method} {path}: {status} {text}");
        if text.trim().is_empty() {
            serde_json::Value::Null
        } else {
            serde_json::from_str(&text).unwrap()
        }
    }

    /// Requests the sandbox answered under a path pattern, after sequence number `since`.
    pub async fn requests(&self, since: u64, pattern: &str) -> Vec<serde_json::Value> {
        let q = url::form_urlencoded::byte_serialize(pattern.as_bytes()).collect::<String>();
        let v = self
            .control(
                "GET",
                &format!("/sandbox/api/requests?since={since}&path={q}"),
                None,
            )
            .await;
        v["requests"].as_array().unwrap().clone()
    }

    pub async fn last_seq(&self) -> u64 {
        self.control("GET", "/sandbox/api/requests?since=999999999", None)
            .await["lastSeq"]
            .as_u64()
            .unwrap()
    }

    pub async fn fault(&self, rule: serde_json::Value) {
        self.control("POST", "/sandbox/api/faults", Some(rule))
            .await;
    }

    pub async fn totp(&self, secret: &str) -> String {
        self.control(
            "POST",
            "/sandbox/api/totp",
            Some(serde_json::json!({ "secret": secret })),
        )
        .await["code"]
            .as_str()
            .unwrap()
            .to_string()
    }

    pub async fn outbox_code_to(&self, to: &str) -> String {
        let outbox = self.control("GET", "/sandbox/api/outbox", None).await;
        outbox
            .as_array()
            .unwrap()
            .iter()
            .rev()
            .find(|m| m["to"] == to)
            .and_then(|m| m["code"].as_str())
            .unwrap_or_else(|| panic!("no code to {to}"))
            .to_string()
    }
}

/// A browser talking to a Keyport router without a socket: it keeps the session cookie and the
/// page's anti-CSRF token, and calls server functions the way the app does.
pub struct Browser {
    pub router: axum::Router,
    pub cookie: Option<String>,
    pub csrf: Option<String>,
    pub origin: String,
}

impl Browser {
    pub fn new(router: axum::Router) -> Self {
        Browser {
            router,
            cookie: None,
            csrf: None,
            origin: "http://localhost:0".into(),
        }
    }

    /// The same browser (cookie and CSRF token) talking to another instance.
    pub fn clone_onto(&self, router: axum::Router) -> Browser {
        Browser {
            router,
            cookie: self.cookie.clone(),
            csrf: self.csrf.clone(),
            origin: self.origin.clone(),
        }
    }

    fn remember_cookie(&mut self, res: &Response<Body>) {
        for v in res.headers().get_all("set-cookie") {
            let v = v.to_str().unwrap();
            let pair = v.split(';').next().unwrap().to_string();
            // Only the session cookie: a hand-over's own cookie is followed by `handoff`.
            if !(pair.starts_with("keyport_session=") || pair.starts_with("__Host-keyport=")) {
                continue;
            }
            if v.contains("Max-Age=0") {
                self.cookie = None;
            } else {
                self.cookie = Some(pair);
            }
        }
    }

    /// Loads a page (as a browser would, asking for HTML) and reads its CSRF token.
    pub async fn page(&mut self, path: &str) -> (axum::http::response::Parts, String) {
        let mut req = Request::get(path).header("accept", "text/html");
        if let Some(c) = &self.cookie {
            req = req.header("cookie", c);
        }
        let res = self
            .router
            .clone()
            .oneshot(req.body(Body::empty()).unwrap())
            .within_time()
            .await
            .unwrap();
        self.remember_cookie(&res);
        let (parts, mut body) = res.into_parts();
        // Read frame by frame, so that a page that never finishes fails with what it sent.
        let mut html = Vec::new();
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
        loop {
            match tokio::time::timeout_at(deadline, body.frame()).await {
                Ok(Some(frame)) => {
                    if let Ok(data) = frame.unwrap().into_data() {
                        html.extend_from_slice(&data);
                    }
                }
                Ok(None) => break,
                Err(_) => {
                    let text = String::from_utf8_lossy(&html);
                    panic!(
                        "{path} did not finish in 20 s; it sent {} bytes, ending: {}",
                        html.len(),
                        &text[text.len().saturating_sub(1500)..]
                    );
                }
            }
        }
        (parts, String::from_utf8_lossy(&html).to_string())
    }

    /// Posts `form` as a page's plain HTML form does (no wasm: `Accept: text/html`, the token in
    /// `_csrf`); answers the status and where the browser is sent.
    pub async fn post_plain_form(
        &mut self,
        endpoint: &str,
        form: &[(&str, &str)],
    ) -> (axum::http::StatusCode, Option<String>) {
        let token = self.csrf.clone().unwrap_or_default();
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form.iter())
            .append_pair("_csrf", &token)
            .finish();
        let mut req = Request::post(endpoint)
            .header("content-type", "application/x-www-form-urlencoded")
            .header("accept", "text/html,application/xhtml+xml")
            .header("sec-fetch-site", "same-origin");
        if let Some(c) = &self.cookie {
            req = req.header("cookie", c);
        }
        let res = self
            .router
            .clone()
            .oneshot(req.body(Body::from(body)).unwrap())
            .within_time()
            .await
            .unwrap();
        self.remember_cookie(&res);
        let location = res
            .headers()
            .get("location")
            .map(|v| v.to_str().unwrap().to_string());
        (res.status(), location)
    }

    /// The session view, through the GET server function.
    pub async fn session(&mut self) -> serde_json::Value {
        let mut req = Request::get("/api/session").header("accept", "application/json");
        if let Some(c) = &self.cookie {
            req = req.header("cookie", c);
        }
        let res = self
            .router
            .clone()
            .oneshot(req.body(Body::empty()).unwrap())
            .within_time()
            .await
            .unwrap();
        self.remember_cookie(&res);
        let v = body_json(res).await;
        self.csrf = v["csrf"].as_str().map(str::to_string);
        v
    }

    /// Calls a server function (form-encoded), with the token and same-origin headers.
    pub async fn call(
        &mut self,
        endpoint: &str,
        form: &[(&str, &str)],
    ) -> (axum::http::StatusCode, serde_json::Value) {
        self.call_with(endpoint, form, &[("sec-fetch-site", "same-origin")], true)
            .await
    }

    pub async fn call_with(
        &mut self,
        endpoint: &str,
        form: &[(&str, &str)],
        headers: &[(&str, &str)],
        with_token: bool,
    ) -> (axum::http::StatusCode, serde_json::Value) {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form.iter())
            .finish();
        let mut req = Request::post(endpoint)
            .header("content-type", "application/x-www-form-urlencoded")
            .header("accept", "application/json");
        if let Some(c) = &self.cookie {
            req = req.header("cookie", c);
        }
        if with_token {
            if let Some(t) = &self.csrf {
                req = req.header("x-csrf-token", t);
            }
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let res = self
            .router
            .clone()
            .oneshot(req.body(Body::from(body)).unwrap())
            .within_time()
            .await
            .unwrap();
        self.remember_cookie(&res);
        let status = res.status();
        let text = body_string(res).await;
        (
            status,
            serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text)),
        )
    }

    /// Posts a handoff token as the company's page would, and follows a cross-site hand-over's
    /// continuation as a browser does (its own short-lived cookie, then the session's).
    pub async fn handoff(&mut self, token: &str) -> Response<Body> {
        let res = self.handoff_post(token).await;
        self.follow_handoff(res).await
    }

    /// Follows `GET /auth/handoff/continue` when `res` sends the browser there.
    pub async fn follow_handoff(&mut self, res: Response<Body>) -> Response<Body> {
        let location = res
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        if location != "/auth/handoff/continue" {
            return res;
        }
        let handoff_cookie = res
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(|v| v.split(';').next().unwrap_or_default().to_string())
            .find(|c| c.starts_with("keyport_handoff="))
            .unwrap_or_default();
        let cookies = match &self.cookie {
            Some(c) => format!("{c}; {handoff_cookie}"),
            None => handoff_cookie,
        };
        let req = Request::get(location).header("cookie", cookies);
        let res = self
            .router
            .clone()
            .oneshot(req.body(Body::empty()).unwrap())
            .within_time()
            .await
            .unwrap();
        self.remember_cookie(&res);
        res
    }

    /// Posts a handoff token, without following anything.
    pub async fn handoff_post(&mut self, token: &str) -> Response<Body> {
        let body = format!(
            "token={}",
            url::form_urlencoded::byte_serialize(token.as_bytes()).collect::<String>()
        );
        let mut req = Request::post("/auth/handoff")
            .header("content-type", "application/x-www-form-urlencoded");
        if let Some(c) = &self.cookie {
            req = req.header("cookie", c);
        }
        let res = self
            .router
            .clone()
            .oneshot(req.body(Body::from(body)).unwrap())
            .within_time()
            .await
            .unwrap();
        self.remember_cookie(&res);
        res
    }
}

/// A whole Keyport (router and sandbox) from a configuration.
pub async fn keyport_with(config: &Config) -> TestApp {
    let assembled = server::assemble(config).await.unwrap();
    TestApp {
        router: assembled.router,
        sandbox: assembled.sandbox.unwrap(),
    }
}

/// A handoff token signed with the sandbox's demo secret.
pub fn handoff_token(sub: &str) -> String {
    server::auth::handoff::mint(
        server::config::DEFAULT_SANDBOX_HANDOFF_SECRET,
        sub,
        "keyport",
        None,
        std::time::Duration::from_secs(120),
    )
    .unwrap()
}

impl Browser {
    /// Calls a server function whose input is JSON.
    pub async fn call_json(
        &mut self,
        endpoint: &str,
        body: serde_json::Value,
    ) -> (axum::http::StatusCode, serde_json::Value) {
        let mut req = Request::post(endpoint)
            .header("content-type", "application/json")
            .header("accept", "application/json")
            .header("sec-fetch-site", "same-origin");
        if let Some(c) = &self.cookie {
            req = req.header("cookie", c);
        }
        if let Some(t) = &self.csrf {
            req = req.header("x-csrf-token", t);
        }
        let res = self
            .router
            .clone()
            .oneshot(req.body(Body::from(body.to_string())).unwrap())
            .await
            .unwrap();
        self.remember_cookie(&res);
        let status = res.status();
        let text = body_string(res).await;
        (
            status,
            serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text)),
        )
    }
}

/// Talks to a running sandbox's control surface over HTTP.
pub async fn sandbox_requests(base: &url::Url, since: u64) -> Vec<serde_json::Value> {
    let url = format!("{}sandbox/api/requests?since={since}", base);
    let v: serde_json::Value = reqwest::get(url).await.unwrap().json().await.unwrap();
    v["requests"].as_array().unwrap().clone()
}

pub async fn sandbox_last_seq(base: &url::Url) -> u64 {
    let v: serde_json::Value = reqwest::get(format!(
        "{}sandbox/api/requests?since=18446744073709551615",
        base
    ))
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    v["lastSeq"].as_u64().unwrap()
}

pub async fn sandbox_totp(base: &url::Url, secret: &str) -> String {
    let v: serde_json::Value = reqwest::Client::new()
        .post(format!("{}sandbox/api/totp", base))
        .json(&serde_json::json!({ "secret": secret }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v["code"].as_str().unwrap().to_string()
}

/// A real Redis server on a free loopback port, stopped when dropped. Debian's redis-server is
/// installed by the README's test command.
pub struct RedisServer {
    child: std::process::Child,
    pub url: String,
}

impl RedisServer {
    pub async fn start() -> RedisServer {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = std::process::Command::new("redis-server")
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("redis-server must be installed (the README's test command installs it)");
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        RedisServer {
            child,
            url: format!("redis://127.0.0.1:{port}"),
        }
    }
}

/// Two Keyports sharing one Redis, as behind a load balancer: the first runs the sandbox, the
/// second talks to it as to a real org. The second is returned as its router.
pub async fn two_instances(redis: &RedisServer) -> (TestApp, axum::Router) {
    let first = keyport_with(&test_config(&[
        ("KEYPORT_SESSION_STORE", &redis.url),
        ("KEYPORT_SANDBOX_TOKEN", SANDBOX_TOKEN),
    ]))
    .await;
    let org = first
        .sandbox
        .base_url
        .as_str()
        .trim_end_matches('/')
        .to_string();
    let second = server::assemble(&test_config(&[
        ("KEYPORT_SESSION_STORE", &redis.url),
        ("OKTA_ORG_URL", &org),
        ("OKTA_API_TOKEN", SANDBOX_TOKEN),
        (
            "KEYPORT_HANDOFF_SECRET",
            server::config::DEFAULT_SANDBOX_HANDOFF_SECRET,
        ),
    ]))
    .await
    .unwrap();
    (first, second.router)
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Browser {
    /// Calls a GET server function.
    pub async fn call_get(
        &mut self,
        endpoint: &str,
    ) -> (axum::http::StatusCode, serde_json::Value) {
        let mut req = Request::get(endpoint).header("accept", "application/json");
        if let Some(c) = &self.cookie {
            req = req.header("cookie", c);
        }
        let res = self
            .router
            .clone()
            .oneshot(req.body(Body::empty()).unwrap())
            .within_time()
            .await
            .unwrap();
        self.remember_cookie(&res);
        let status = res.status();
        let text = body_string(res).await;
        (
            status,
            serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text)),
        )
    }
}

/// A browser signed in with the demo password (a user with no second factor, or none asked).
pub async fn signed_in_with_password(app: &TestApp, login: &str) -> Browser {
    let mut b = Browser::new(app.router.clone());
    b.page("/signin").await;
    b.session().await;
    let (status, step) = b
        .call(
            "/api/signin",
            &[
                ("username", login),
                ("password", server::sandbox::seed::DEMO_PASSWORD),
            ],
        )
        .await;
    assert_eq!(status, axum::http::StatusCode::OK, "{step}");
    assert_eq!(step_name(&step), "signed_in", "{step}");
    b.session().await;
    b
}
