//! The HTTP side of the Okta client: one shared connection pool, the SSWS token, timeouts,
//! Keyport's own request budget, retries of idempotent reads only, and a circuit breaker.
//!
//! Retry policy: a GET that meets a 429 waits for `X-Rate-Limit-Reset` (capped, with jitter)
//! and tries again; a GET that meets a 5xx, a timeout or a dropped connection is retried with
//! a short backoff. Nothing else is ever retried: enrolling, activating or verifying twice
//! could send two text messages, burn an activation attempt or approve twice.

use super::breaker::Breaker;
use super::cache::{Read, ReadCache, Scope};
use super::error::{OktaError, OktaErrorBody, RateLimitScope};
use super::ratelimit::{self, Admission, Budget, Family};
use super::types::OrgMetadata;
use super::ApiToken;
use rand::Rng;
use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};
use url::Url;

/// How the client talks to the org.
#[derive(Clone, Debug)]
pub struct ClientSettings {
    pub base_url: Url,
    pub token: ApiToken,
    /// Total time allowed for one attempt.
    pub timeout: Duration,
    /// Time allowed to open a connection.
    pub connect_timeout: Duration,
    /// The share of each of Okta's per-minute limits Keyport may spend, in percent; the rest
    /// is left for the org's other apps.
    pub budget_share_percent: u32,
    /// Okta calls in flight at once, at most (Okta also limits concurrent requests per org).
    pub max_concurrent: usize,
    /// Whether reads are remembered for their freshness (`cache`).
    pub remember_reads: bool,
    /// A call waits this long at most for budget before the caller is told to wait.
    pub max_queue_wait: Duration,
    /// A GET waits this long at most for a rate-limit reset before retrying.
    pub max_retry_wait: Duration,
    /// Retries of a GET after a 429, 5xx or transport failure.
    pub max_retries: u32,
    /// Consecutive upstream failures that open the circuit, and for how long.
    pub breaker_threshold: u32,
    pub breaker_cool_down: Duration,
}

impl ClientSettings {
    pub fn new(base_url: Url, token: ApiToken) -> Self {
        ClientSettings {
            base_url,
            token,
            timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(3),
            budget_share_percent: 50,
            max_concurrent: 24,
            remember_reads: true,
            max_queue_wait: Duration::from_secs(2),
            max_retry_wait: Duration::from_secs(5),
            max_retries: 2,
            breaker_threshold: 5,
            breaker_cool_down: Duration::from_secs(15),
        }
    }
}

/// Client context Okta reads from headers (API-NOTES §0): the end user's language, browser and
/// address, passed through so messages arrive in the right language and push notifications
/// say where the request came from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CallContext {
    pub accept_language: Option<String>,
    pub user_agent: Option<String>,
    pub forwarded_for: Option<String>,
}

/// A cheap-to-clone handle on one shared connection pool.
#[derive(Clone)]
pub struct OktaClient {
    inner: Arc<Inner>,
}

struct Inner {
    settings: ClientSettings,
    http: reqwest::Client,
    budget: Budget,
    breaker: Breaker,
    reads: ReadCache,
    in_flight: tokio::sync::Semaphore,
}

/// One request to Okta.
pub(crate) struct Call<'a> {
    pub method: Method,
    pub url: Url,
    pub body: Option<Vec<u8>>,
    pub ctx: Option<&'a CallContext>,
    pub authenticated: bool,
}

/// Okta's answer to a call that succeeded (2xx).
pub(crate) struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub bytes: Vec<u8>,
}

impl Answer {
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, OktaError> {
        serde_json::from_slice(&self.bytes).map_err(|e| OktaError::Malformed(e.to_string()))
    }
}

impl OktaClient {
    pub fn new(settings: ClientSettings) -> Result<Self, OktaError> {
        let http = reqwest::Client::builder()
            .timeout(settings.timeout)
            .connect_timeout(settings.connect_timeout)
            .pool_idle_timeout(Duration::from_secs(60))
            .user_agent(concat!("keyport/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| OktaError::UpstreamDown(e.to_string()))?;
        let budget = Budget::new(settings.budget_share_percent);
        let breaker = Breaker::new(settings.breaker_threshold, settings.breaker_cool_down);
        let reads = ReadCache::new(settings.remember_reads);
        let in_flight = tokio::sync::Semaphore::new(settings.max_concurrent.max(1));
        Ok(OktaClient {
            inner: Arc::new(Inner {
                settings,
                http,
                budget,
                breaker,
                reads,
                in_flight,
            }),
        })
    }

    pub fn settings(&self) -> &ClientSettings {
        &self.inner.settings
    }

    /// The org's host name, for display.
    pub fn org_host(&self) -> String {
        let url = &self.inner.settings.base_url;
        match (url.host_str(), url.port()) {
            (Some(h), Some(p)) => format!("{h}:{p}"),
            (Some(h), None) => h.to_string(),
            _ => url.to_string(),
        }
    }

    /// The org's base URL.
    pub fn org_url(&self) -> &Url {
        &self.inner.settings.base_url
    }

    /// The remembered reads (to share them through Redis, or forget them).
    pub fn reads(&self) -> &ReadCache {
        &self.inner.reads
    }

    /// Okta's last report on a family's window, less what Keyport sent since.
    pub fn budget_standing(&self, family: Family) -> Option<ratelimit::Observed> {
        self.inner.budget.last_observed(family)
    }

    /// Whether the circuit breaker has paused calls to Okta.
    pub fn circuit_open(&self) -> bool {
        self.inner.breaker.is_open()
    }

    /// A URL from path segments, each percent-encoded (a login such as `a@b.com` is safe).
    pub(crate) fn url(&self, segments: &[&str]) -> Url {
        let mut url = self.inner.settings.base_url.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.clear();
            path.extend(segments);
        }
        url
    }

    /// A URL Okta handed us in `_links` or `Link`: only ever on the org's own origin, so the
    /// API token never goes anywhere else.
    pub(crate) fn url_from_link(&self, href: &str) -> Result<Url, OktaError> {
        let url = Url::parse(href).map_err(|e| OktaError::Malformed(format!("link {e}")))?;
        let base = &self.inner.settings.base_url;
        if url.origin() != base.origin() {
            return Err(OktaError::Malformed(
                "a link pointed outside the org".into(),
            ));
        }
        Ok(url)
    }

    /// `GET /.well-known/okta-organization`: which engine the org runs, remembered for the
    /// org (`freshness::ORG_SETTINGS`). Needs no token.
    pub async fn org_metadata(&self) -> Result<OrgMetadata, OktaError> {
        let read = self
            .inner
            .reads
            .read(
                &Scope::Org,
                "okta-organization",
                super::cache::freshness::ORG_SETTINGS,
                async {
                    let answer = self.probe_org_answer().await?;
                    String::from_utf8(answer.bytes)
                        .map_err(|_| OktaError::Malformed("an answer that is not UTF-8".into()))
                },
            )
            .await?;
        Ok(decode::<OrgMetadata>(read)?.value)
    }

    /// `org_metadata` asked of Okta now, never remembered: whether the org answers at all
    /// (`/readyz`).
    pub async fn probe_org(&self) -> Result<OrgMetadata, OktaError> {
        self.probe_org_answer().await?.json()
    }

    async fn probe_org_answer(&self) -> Result<Answer, OktaError> {
        let url = self.url(&[".well-known", "okta-organization"]);
        self.execute(Call {
            method: Method::GET,
            url,
            body: None,
            ctx: None,
            authenticated: false,
        })
        .await
    }

    pub(crate) fn get(&self, url: Url) -> Call<'static> {
        Call {
            method: Method::GET,
            url,
            body: None,
            ctx: None,
            authenticated: true,
        }
    }

    pub(crate) fn delete(&self, url: Url) -> Call<'static> {
        Call {
            method: Method::DELETE,
            url,
            body: None,
            ctx: None,
            authenticated: true,
        }
    }

    pub(crate) fn post<B: Serialize>(
        &self,
        url: Url,
        body: &B,
    ) -> Result<Call<'static>, OktaError> {
        let bytes = serde_json::to_vec(body).map_err(|e| OktaError::Malformed(e.to_string()))?;
        Ok(Call {
            method: Method::POST,
            url,
            body: Some(bytes),
            ctx: None,
            authenticated: true,
        })
    }

    /// Sends a call with the budget, breaker and retry policy; `Ok` only for 2xx answers.
    pub(crate) async fn execute(&self, call: Call<'_>) -> Result<Answer, OktaError> {
        let answer = self.execute_with_retries(call).await;
        if answer.is_err() {
            // Whatever the reason, a page drawn around this failure is not one to remember.
            self.inner.reads.note_trouble();
        }
        answer
    }

    async fn execute_with_retries(&self, call: Call<'_>) -> Result<Answer, OktaError> {
        let s = &self.inner.settings;
        let family = Family::of(&call.method, call.url.path());
        let idempotent = call.method == Method::GET;
        let mut attempt = 0u32;
        loop {
            if let Err(left) = self.inner.breaker.permit() {
                return Err(OktaError::UpstreamDown(format!(
                    "calls to Okta are paused for {}s after repeated failures",
                    left.as_secs().max(1)
                )));
            }
            match self.inner.budget.admit(family) {
                Admission::Now => {}
                Admission::After(wait) if wait <= s.max_queue_wait => {
                    tokio::time::sleep(wait).await;
                    continue;
                }
                Admission::After(wait) => {
                    tracing::info!(
                        ?family,
                        wait_ms = wait.as_millis() as u64,
                        "Okta budget spent; asking the caller to wait"
                    );
                    return Err(OktaError::RateLimited {
                        retry_after: wait,
                        scope: RateLimitScope::Keyport,
                        body: None,
                    });
                }
            }
            let started = Instant::now();
            let outcome = {
                let _slot = self.inner.in_flight.acquire().await;
                self.send_once(&call).await
            };
            let elapsed_ms = started.elapsed().as_millis() as u64;
            if !idempotent {
                // Whatever the answer, the change may have happened: what Keyport remembers
                // of the scope it touched is forgotten before anyone reads it again.
                if let Some(scope) = Scope::touched_by(call.url.path()) {
                    self.inner.reads.forget(&scope).await;
                }
            }
            match outcome {
                Err(err) => {
                    self.inner.breaker.failure();
                    tracing::warn!(method = %call.method, path = call.url.path(), elapsed_ms, error = %err, "Okta call failed");
                    if idempotent && attempt < s.max_retries {
                        attempt += 1;
                        tokio::time::sleep(backoff(attempt)).await;
                        continue;
                    }
                    return Err(err);
                }
                Ok(answer) => {
                    let date = server_date(&answer.headers);
                    if let Some(observed) = ratelimit::observe(&answer.headers) {
                        // A per-phone or per-address cooldown says nothing about the org's
                        // window, whatever headers come with it.
                        if !is_message_cooldown(&answer) {
                            self.inner.budget.record(family, observed, date);
                        }
                    }
                    tracing::debug!(
                        method = %call.method,
                        path = call.url.path(),
                        status = answer.status.as_u16(),
                        elapsed_ms,
                        "Okta call"
                    );
                    if answer.status.is_success() {
                        self.inner.breaker.success();
                        return Ok(answer);
                    }
                    let retry_after = ratelimit::observe(&answer.headers)
                        .map(|o| ratelimit::wait_until_reset(o.reset, date))
                        .or_else(|| {
                            answer.headers.get("x-rate-limit-reset").and_then(|v| {
                                let reset = v.to_str().ok()?.parse::<i64>().ok()?;
                                Some(ratelimit::wait_until_reset(reset, date))
                            })
                        });
                    let body = error_body(&answer);
                    let err = OktaError::classify(answer.status.as_u16(), body, retry_after);
                    if answer.status == StatusCode::TOO_MANY_REQUESTS {
                        // Okta working as designed: not a breaker failure.
                        self.inner.breaker.success();
                        let wait = retry_after.unwrap_or(Duration::from_secs(1));
                        if idempotent && attempt < s.max_retries && wait <= s.max_retry_wait {
                            attempt += 1;
                            tokio::time::sleep(wait + jitter()).await;
                            continue;
                        }
                        return Err(err);
                    }
                    if answer.status.is_server_error() {
                        self.inner.breaker.failure();
                        if idempotent && attempt < s.max_retries {
                            attempt += 1;
                            tokio::time::sleep(backoff(attempt)).await;
                            continue;
                        }
                    } else {
                        self.inner.breaker.success();
                    }
                    return Err(err);
                }
            }
        }
    }

    /// One attempt: any status comes back as an `Answer`; only transport failures are errors.
    async fn send_once(&self, call: &Call<'_>) -> Result<Answer, OktaError> {
        let mut req = self
            .inner
            .http
            .request(call.method.clone(), call.url.clone())
            .header("Accept", "application/json");
        if call.authenticated {
            let mut auth =
                HeaderValue::from_str(&format!("SSWS {}", self.inner.settings.token.expose()))
                    .map_err(|_| {
                        OktaError::Malformed("the API token is not a valid header value".into())
                    })?;
            auth.set_sensitive(true);
            req = req.header("Authorization", auth);
        }
        if let Some(body) = &call.body {
            req = req
                .header("Content-Type", "application/json")
                .body(body.clone());
        }
        if let Some(ctx) = call.ctx {
            for (name, value) in [
                ("Accept-Language", &ctx.accept_language),
                ("User-Agent", &ctx.user_agent),
                ("X-Forwarded-For", &ctx.forwarded_for),
            ] {
                if let Some(v) = value.as_deref().and_then(|v| HeaderValue::from_str(v).ok()) {
                    req = req.header(name, v);
                }
            }
        }
        let res = req.send().await.map_err(transport_error)?;
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.bytes().await.map_err(transport_error)?.to_vec();
        Ok(Answer {
            status,
            headers,
            bytes,
        })
    }

    /// Sends a call and reads the JSON answer.
    pub(crate) async fn json<T: DeserializeOwned>(&self, call: Call<'_>) -> Result<T, OktaError> {
        self.execute(call).await?.json()
    }

    /// Sends a call whose answer has no body Keyport needs (204s).
    pub(crate) async fn empty(&self, call: Call<'_>) -> Result<(), OktaError> {
        self.execute(call).await.map(|_| ())
    }

    /// A GET answered from what is remembered of `scope` when fresh (`cache`), else from Okta
    /// once for every concurrent caller; the last known answer when Okta cannot be asked.
    pub(crate) async fn remembered<T: DeserializeOwned>(
        &self,
        scope: Scope,
        fresh_for: Duration,
        url: Url,
    ) -> Result<Read<T>, OktaError> {
        let resource = resource_of(&url);
        let read = self
            .inner
            .reads
            .read(&scope, &resource, fresh_for, async {
                let answer = self.execute(self.get(url)).await?;
                String::from_utf8(answer.bytes)
                    .map_err(|_| OktaError::Malformed("an answer that is not UTF-8".into()))
            })
            .await?;
        decode(read)
    }

    /// `remembered` for a list that comes in pages.
    pub(crate) async fn remembered_pages<T: DeserializeOwned>(
        &self,
        scope: Scope,
        fresh_for: Duration,
        first: Url,
    ) -> Result<Read<Vec<T>>, OktaError> {
        let resource = resource_of(&first);
        let read = self
            .inner
            .reads
            .read(&scope, &resource, fresh_for, async {
                let items: Vec<serde_json::Value> = self.all_pages(first).await?;
                serde_json::to_string(&items).map_err(|e| OktaError::Malformed(e.to_string()))
            })
            .await?;
        decode(read)
    }

    /// Remembers an answer read another way (a user read by login is remembered by id too).
    pub(crate) async fn remember<T: Serialize>(
        &self,
        scope: Scope,
        fresh_for: Duration,
        url: Url,
        value: &T,
    ) {
        let Ok(body) = serde_json::to_string(value) else {
            return;
        };
        let _ = self
            .inner
            .reads
            .read(&scope, &resource_of(&url), fresh_for, async { Ok(body) })
            .await;
    }

    /// GETs a list, following `Link: <…>; rel="next"` to the end (API-NOTES §9).
    pub(crate) async fn all_pages<T: DeserializeOwned>(
        &self,
        first: Url,
    ) -> Result<Vec<T>, OktaError> {
        let mut out = Vec::new();
        let mut next = Some(first);
        // A bound on pages: a misbehaving server must not loop us forever.
        let mut pages = 0;
        while let Some(url) = next.take() {
            pages += 1;
            let answer = self.execute(self.get(url)).await?;
            let mut items: Vec<T> = answer.json()?;
            out.append(&mut items);
            if pages >= 100 {
                break;
            }
            if let Some(href) = next_link(&answer.headers) {
                next = Some(self.url_from_link(&href)?);
            }
        }
        Ok(out)
    }
}

/// A cache key for a URL on the org: its path and query.
fn resource_of(url: &Url) -> String {
    match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_string(),
    }
}

fn decode<T: DeserializeOwned>(read: Read<Arc<String>>) -> Result<Read<T>, OktaError> {
    let value =
        serde_json::from_str(&read.value).map_err(|e| OktaError::Malformed(e.to_string()))?;
    Ok(Read {
        value,
        stale_since: read.stale_since,
    })
}

/// The `rel="next"` target of `Link` headers, if any.
pub(crate) fn next_link(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all("link")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|value| {
            let links = parse_link_header::parse_with_rel(value).ok()?;
            links.get("next").map(|l| l.raw_uri.clone())
        })
}

fn server_date(headers: &HeaderMap) -> Option<SystemTime> {
    headers
        .get("date")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| httpdate::parse_http_date(v).ok())
}

fn backoff(attempt: u32) -> Duration {
    Duration::from_millis(200 * 2u64.pow(attempt.saturating_sub(1).min(4))) + jitter()
}

fn jitter() -> Duration {
    Duration::from_millis(rand::rng().random_range(0..250))
}

fn transport_error(e: reqwest::Error) -> OktaError {
    if e.is_timeout() {
        OktaError::Timeout
    } else {
        // Without the URL: it is ours and adds nothing for the reader of the log.
        OktaError::UpstreamDown(e.without_url().to_string())
    }
}

fn is_message_cooldown(answer: &Answer) -> bool {
    answer.status == StatusCode::TOO_MANY_REQUESTS
        && matches!(
            error_body(answer).error_code.as_str(),
            "E0000109" | "E0000118" | "E0000133"
        )
}

fn error_body(answer: &Answer) -> OktaErrorBody {
    serde_json::from_slice::<OktaErrorBody>(&answer.bytes).unwrap_or_else(|_| OktaErrorBody {
        error_summary: format!("HTTP {} without an Okta error body", answer.status),
        ..Default::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_links_are_found_among_several() {
        let mut h = HeaderMap::new();
        h.append(
            "link",
            HeaderValue::from_static("<https://x.okta.com/api/v1/users?limit=2>; rel=\"self\""),
        );
        h.append(
            "link",
            HeaderValue::from_static(
                "<https://x.okta.com/api/v1/users?after=00u2&limit=2>; rel=\"next\"",
            ),
        );
        assert_eq!(
            next_link(&h).as_deref(),
            Some("https://x.okta.com/api/v1/users?after=00u2&limit=2")
        );
    }

    #[test]
    fn links_outside_the_org_are_refused() {
        let c = OktaClient::new(ClientSettings::new(
            Url::parse("https://x.okta.com").unwrap(),
            ApiToken::new("t"),
        ))
        .unwrap();
        assert!(c
            .url_from_link("https://evil.example/api/v1/users")
            .is_err());
        assert!(c
            .url_from_link("https://x.okta.com/api/v1/users?after=1")
            .is_ok());
        assert_eq!(
            c.url(&["api", "v1", "users", "a@b.com"]).path(),
            "/api/v1/users/a@b.com"
        );
        assert_eq!(
            c.url(&["api", "v1", "users", "a b/c"]).path(),
            "/api/v1/users/a%20b%2Fc"
        );
    }
}
