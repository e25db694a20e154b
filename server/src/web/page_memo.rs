//! Pages remembered whole for a moment: the same person asking for the same page again within
//! [`REMEMBERED_FOR`], while nothing Keyport knows of Okta changed, gets the page drawn last
//! time (with a fresh CSP nonce) instead of a new server render.
//!
//! Why: a methods page is a whole render of the app, about a millisecond of CPU, while its data
//! is already remembered (`okta::cache`). Rollout day brings impatient reloads, a dozen tabs of
//! one person, an embed that asks twice: measured with `.ci/bench-rollout`, 16 connections on
//! one page were CPU-bound at about 1,400 renders a second on two cores.
//!
//! A remembered page is given only where a new render would draw the same page:
//! - **the same request**: path and query, every header (the session cookie among them) and the
//!   client's address, compared in full;
//! - **the same session**: the session's data is the same as before that render, and that
//!   render left it as it found it (a render that changes the session is never remembered);
//! - **the same Okta knowledge**: nothing Keyport remembers was forgotten since, on any
//!   instance (`ReadCache::change_mark`), and no Okta call failed or fell back to the last
//!   known answer while the page was drawn;
//! - **a plain page**: a 200 `text/html` answer with a CSP nonce, no cookie of its own, and no
//!   request id in its body (an error reference belongs to one request);
//! - **no kept error**: a page showing what a plain form post left is never given nor kept;
//! - **for a moment**: at most [`REMEMBERED_FOR`], so words that depend on the clock
//!   ("3 minutes ago") cannot drift.

use crate::okta::OktaClient;
use crate::sessions::data::KEY;
use crate::web::request_id::RequestId;
use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::header::{CONTENT_LENGTH, CONTENT_SECURITY_POLICY, CONTENT_TYPE, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine;
use http_body::Frame;
use std::hash::BuildHasher;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tower_sessions::Session;

/// How long a drawn page is given again.
pub const REMEMBERED_FOR: Duration = Duration::from_secs(2);
/// The memory remembered pages may take, in bytes of body.
const MEMORY: u64 = 64 * 1024 * 1024;

/// The pages of one Keyport instance.
#[derive(Clone)]
pub struct PageMemo(Arc<Inner>);

struct Inner {
    okta: OktaClient,
    /// By the request's full description (see `describe`).
    pages: moka::future::Cache<String, Arc<Page>>,
    /// Keys the session fingerprints: nobody outside this process can predict them.
    hasher: std::collections::hash_map::RandomState,
}

/// One drawn page, cut at its nonce.
struct Page {
    drawn: Instant,
    mark: u64,
    session: u64,
    status: StatusCode,
    headers: HeaderMap,
    /// The CSP header and the body, in the pieces between occurrences of the nonce.
    csp: Vec<String>,
    body: Vec<Bytes>,
    size: usize,
}

impl PageMemo {
    pub fn new(okta: OktaClient) -> Self {
        PageMemo(Arc::new(Inner {
            okta,
            pages: moka::future::Cache::builder()
                .max_capacity(MEMORY)
                .weigher(|_, page: &Arc<Page>| page.size.try_into().unwrap_or(u32::MAX))
                .time_to_live(REMEMBERED_FOR)
                .build(),
            hasher: Default::default(),
        }))
    }

    /// The session's data, as a keyed hash (`None` when it cannot be read). Keyport keeps all
    /// of a session under one key (`KeyportSession`).
    async fn fingerprint(&self, session: &Session) -> Option<u64> {
        let value = session.get_value(KEY).await.ok()?;
        let text = serde_json::to_string(&value).ok()?;
        Some(self.0.hasher.hash_one(text))
    }
}

/// The middleware: answers from a remembered page, or draws one and remembers it.
pub async fn serve(
    State(memo): State<PageMemo>,
    session: Session,
    req: Request,
    next: Next,
) -> Response {
    // A page that shows what a plain form post left (`app::api::KeptError`, taken out of the
    // session before this layer) is that one request's answer: it is neither replaced by a page
    // drawn before nor given again.
    if !is_page_view(&req) || req.extensions().get::<app::api::KeptError>().is_some() {
        return next.run(req).await;
    }
    let reads = memo.0.okta.reads();
    let (Some(mark), Some(session_before)) =
        (reads.change_mark().await, memo.fingerprint(&session).await)
    else {
        return next.run(req).await;
    };
    let description = describe(&req);
    if let Some(page) = memo.0.pages.get(&description).await {
        if page.mark == mark
            && page.session == session_before
            && page.drawn.elapsed() < REMEMBERED_FOR
        {
            return page.replay();
        }
    }
    let troubles = reads.trouble_count();
    let request_id = req.extensions().get::<RequestId>().map(|r| r.0.clone());
    let drawn = Instant::now();
    let res = next.run(req).await;
    let Some(nonce) = plain_page_nonce(&res) else {
        return res;
    };
    let (parts, body) = res.into_parts();
    let headers = parts.headers.clone();
    let status = parts.status;
    let recording = Recording {
        inner: body,
        chunks: Vec::new(),
        on_end: Some(Box::new(move |chunks| {
            tokio::spawn(async move {
                let reads = memo.0.okta.reads();
                let unchanged = reads.trouble_count() == troubles
                    && reads.change_mark().await == Some(mark)
                    && memo.fingerprint(&session).await == Some(session_before);
                if !unchanged {
                    tracing::debug!("a page drawn while something changed is not remembered");
                    return;
                }
                let body: Vec<u8> = chunks.concat();
                if request_id.is_some_and(|id| {
                    !id.is_empty() && memchr::memmem::find(&body, id.as_bytes()).is_some()
                }) {
                    return;
                }
                tracing::debug!("page remembered");
                if let Some(page) =
                    Page::cut(drawn, mark, session_before, status, headers, &nonce, body)
                {
                    memo.0.pages.insert(description, Arc::new(page)).await;
                }
            });
        })),
    };
    Response::from_parts(parts, Body::new(recording))
}

/// A GET for a page (not an API call, a static file or a hand-over step).
fn is_page_view(req: &Request) -> bool {
    let path = req.uri().path();
    req.method() == Method::GET
        && req
            .headers()
            .get("accept")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|a| a.contains("text/html"))
        && !["/api/", "/pkg/", "/auth/", "/sandbox"]
            .iter()
            .any(|p| path.starts_with(p))
}

/// Everything about the request a render may read: path and query, every header but the
/// request id Keyport gave it, the client.
fn describe(req: &Request) -> String {
    let mut d = String::with_capacity(1024);
    d.push_str(&req.uri().to_string());
    d.push('\n');
    if let Some(ConnectInfo(peer)) = req.extensions().get::<ConnectInfo<SocketAddr>>() {
        d.push_str(&peer.ip().to_string());
    }
    for (name, value) in req.headers() {
        if name.as_str() == crate::web::request_id::HEADER {
            continue;
        }
        d.push('\n');
        d.push_str(name.as_str());
        d.push(':');
        d.push_str(&String::from_utf8_lossy(value.as_bytes()));
    }
    d
}

/// The nonce of a page worth remembering: a 200 HTML answer with a nonce in its CSP and no
/// cookie of its own.
fn plain_page_nonce(res: &Response) -> Option<String> {
    let headers = res.headers();
    let html = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html"));
    if res.status() != StatusCode::OK || !html || headers.contains_key(SET_COOKIE) {
        return None;
    }
    let csp = headers.get(CONTENT_SECURITY_POLICY)?.to_str().ok()?;
    let start = csp.find("'nonce-")? + "'nonce-".len();
    let len = csp[start..].find('\'')?;
    let nonce = &csp[start..start + len];
    (nonce.len() >= 16).then(|| nonce.to_string())
}

impl Page {
    fn cut(
        drawn: Instant,
        mark: u64,
        session: u64,
        status: StatusCode,
        mut headers: HeaderMap,
        nonce: &str,
        body: Vec<u8>,
    ) -> Option<Page> {
        let csp = headers
            .remove(CONTENT_SECURITY_POLICY)?
            .to_str()
            .ok()?
            .split(nonce)
            .map(str::to_string)
            .collect();
        headers.remove(CONTENT_LENGTH);
        let size = body.len();
        let body = Bytes::from(body);
        let mut pieces = Vec::new();
        let mut at = 0;
        for found in memchr::memmem::find_iter(&body, nonce.as_bytes()) {
            pieces.push(body.slice(at..found));
            at = found + nonce.len();
        }
        pieces.push(body.slice(at..));
        Some(Page {
            drawn,
            mark,
            session,
            status,
            headers,
            csp,
            body: pieces,
            size,
        })
    }

    /// The page again, with a nonce of its own.
    fn replay(&self) -> Response {
        let nonce = new_nonce();
        let mut body = Vec::with_capacity(self.size + 64);
        for (i, piece) in self.body.iter().enumerate() {
            if i > 0 {
                body.extend_from_slice(nonce.as_bytes());
            }
            body.extend_from_slice(piece);
        }
        let mut res = Response::new(Body::from(body));
        *res.status_mut() = self.status;
        *res.headers_mut() = self.headers.clone();
        if let Ok(csp) = HeaderValue::from_str(&self.csp.join(&nonce)) {
            res.headers_mut().insert(CONTENT_SECURITY_POLICY, csp);
        }
        res
    }
}

/// A nonce like the ones Leptos makes: 128 random bits, base64url.
fn new_nonce() -> String {
    let bytes: [u8; 16] = rand::random();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

type OnEnd = Box<dyn FnOnce(Vec<Bytes>) + Send>;

/// A body passed on as it streams, and kept: handed to `on_end` once it ended well.
struct Recording {
    inner: Body,
    chunks: Vec<Bytes>,
    on_end: Option<OnEnd>,
}

impl http_body::Body for Recording {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                match frame.data_ref() {
                    Some(data) => this.chunks.push(data.clone()),
                    // Trailers: not a plain page.
                    None => this.on_end = None,
                }
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Ready(Some(Err(e))) => {
                this.on_end = None;
                Poll::Ready(Some(Err(e)))
            }
            Poll::Ready(None) => {
                if let Some(on_end) = this.on_end.take() {
                    on_end(std::mem::take(&mut this.chunks));
                }
                Poll::Ready(None)
            }
            Poll::Pending => Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::okta::cache::Scope;
    use crate::okta::{ApiToken, ClientSettings};
    use axum::routing::get;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use tower::ServiceExt;

    /// A page counting its renders behind the session layer and the memo, as in `web::router`;
    /// `/sign-in` puts data in the session, `/page` draws a page, `/busy` changes the session
    /// while drawing it.
    struct Rig {
        app: axum::Router,
        okta: OktaClient,
        renders: Arc<AtomicUsize>,
    }

    fn rig() -> Rig {
        let okta = OktaClient::new(ClientSettings::new(
            "http://127.0.0.1:9".parse().unwrap(),
            ApiToken::new("t"),
        ))
        .unwrap();
        let renders = Arc::new(AtomicUsize::new(0));
        let page = |renders: Arc<AtomicUsize>, change: bool| {
            move |session: Session| async move {
                let n = renders.fetch_add(1, Ordering::SeqCst) + 1;
                if change {
                    session.insert(KEY, format!("render {n}")).await.unwrap();
                }
                let nonce = new_nonce();
                (
                    [
                        (CONTENT_TYPE, "text/html; charset=utf-8".to_string()),
                        (
                            CONTENT_SECURITY_POLICY,
                            format!("script-src 'nonce-{nonce}'"),
                        ),
                    ],
                    format!("<script nonce=\"{nonce}\">render {n}</script>"),
                )
            }
        };
        let app = axum::Router::new()
            .route(
                "/sign-in",
                get(|session: Session| async move {
                    session.insert(KEY, "someone").await.unwrap();
                }),
            )
            .route("/page", get(page(renders.clone(), false)))
            .route("/busy", get(page(renders.clone(), true)))
            .layer(axum::middleware::from_fn_with_state(
                PageMemo::new(okta.clone()),
                serve,
            ))
            .layer(tower_sessions::SessionManagerLayer::new(
                tower_sessions::MemoryStore::default(),
            ));
        Rig { app, okta, renders }
    }

    impl Rig {
        async fn cookie(&self) -> String {
            let res = self.get("/sign-in", "").await;
            res.headers()[SET_COOKIE]
                .to_str()
                .unwrap()
                .split(';')
                .next()
                .unwrap()
                .to_string()
        }

        /// The answer to a page request, its body not read yet.
        async fn send(&self, path: &str, cookie: &str, language: Option<&str>) -> Response {
            let mut req = Request::get(path).header("accept", "text/html");
            if !cookie.is_empty() {
                req = req.header("cookie", cookie);
            }
            if let Some(language) = language {
                req = req.header("accept-language", language);
            }
            self.app
                .clone()
                .oneshot(req.body(Body::empty()).unwrap())
                .await
                .unwrap()
        }

        async fn get(&self, path: &str, cookie: &str) -> Response {
            let (parts, body) = self.send(path, cookie, None).await.into_parts();
            // Read to the end, as a browser does: the page is remembered once it was sent.
            let bytes = http_body_util::BodyExt::collect(body)
                .await
                .unwrap()
                .to_bytes();
            tokio::time::sleep(Duration::from_millis(20)).await;
            Response::from_parts(parts, Body::from(bytes))
        }

        fn renders(&self) -> usize {
            self.renders.load(Ordering::SeqCst)
        }
    }

    #[tokio::test]
    async fn the_same_view_again_is_not_drawn_again_and_carries_its_own_nonce() {
        let rig = rig();
        let cookie = rig.cookie().await;
        let first = rig.get("/page", &cookie).await;
        let first_csp = first.headers()[CONTENT_SECURITY_POLICY].clone();
        let first_body = text(first).await;
        let second = rig.get("/page", &cookie).await;
        assert_eq!(rig.renders(), 1, "the second view was drawn again");
        let csp = second.headers()[CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .to_string();
        assert_ne!(csp, first_csp);
        let nonce = &csp["script-src 'nonce-".len()..csp.len() - 1];
        assert_eq!(
            text(second).await,
            format!("<script nonce=\"{nonce}\">render 1</script>")
        );
        assert!(first_body.ends_with(">render 1</script>"));
    }

    #[tokio::test]
    async fn a_change_another_session_or_another_request_is_drawn_anew() {
        let rig = rig();
        let cookie = rig.cookie().await;
        rig.get("/page", &cookie).await;
        rig.get("/page", &cookie).await;
        assert_eq!(rig.renders(), 1);
        // Keyport changed something in Okta (any user): drawn again, then remembered again.
        rig.okta.reads().forget(&Scope::User("00u1".into())).await;
        rig.get("/page", &cookie).await;
        rig.get("/page", &cookie).await;
        assert_eq!(rig.renders(), 2);
        // Another person.
        let other = rig.cookie().await;
        rig.get("/page", &other).await;
        assert_eq!(rig.renders(), 3);
        // Another query string, another header.
        rig.get("/page?x=1", &cookie).await;
        assert_eq!(rig.renders(), 4);
        let res = rig.send("/page", &cookie, Some("de")).await;
        let _ = text(res).await;
        assert_eq!(rig.renders(), 5);
    }

    #[tokio::test]
    async fn a_page_drawn_while_the_session_or_okta_had_trouble_is_never_given_again() {
        let rig = rig();
        let cookie = rig.cookie().await;
        // The render itself changes the session: every view is drawn.
        rig.get("/busy", &cookie).await;
        rig.get("/busy", &cookie).await;
        assert_eq!(rig.renders(), 2);
        // An Okta call failed while drawing (simulated between the two steps of a view).
        rig.okta.reads().note_trouble();
        let cookie = rig.cookie().await;
        let res = rig.send("/page", &cookie, None).await;
        rig.okta.reads().note_trouble();
        let _ = text(res).await;
        tokio::time::sleep(Duration::from_millis(20)).await;
        rig.get("/page", &cookie).await;
        assert_eq!(
            rig.renders(),
            4,
            "a page drawn around a failure was given again"
        );
    }

    #[tokio::test]
    async fn a_remembered_page_lasts_only_a_moment() {
        let rig = rig();
        let cookie = rig.cookie().await;
        rig.get("/page", &cookie).await;
        tokio::time::sleep(REMEMBERED_FOR + Duration::from_millis(100)).await;
        rig.get("/page", &cookie).await;
        assert_eq!(rig.renders(), 2);
    }

    fn page(body: &str, nonce: &str) -> Page {
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("text/html"));
        headers.insert(
            CONTENT_SECURITY_POLICY,
            HeaderValue::from_str(&format!("script-src 'nonce-{nonce}'; base-uri 'none'")).unwrap(),
        );
        Page::cut(
            Instant::now(),
            1,
            2,
            StatusCode::OK,
            headers,
            nonce,
            body.as_bytes().to_vec(),
        )
        .unwrap()
    }

    async fn text(res: Response) -> String {
        let bytes = http_body_util::BodyExt::collect(res.into_body())
            .await
            .unwrap()
            .to_bytes();
        String::from_utf8(bytes.to_vec()).unwrap()
    }

    #[tokio::test]
    async fn a_replayed_page_carries_a_new_nonce_everywhere_the_old_one_was() {
        let old = "G7-MBE0pXp4Pu-Ky7MtEIw";
        let p = page(
            &format!(
                "<script nonce=\"{old}\">a</script><p>x</p><script nonce=\"{old}\">b</script>"
            ),
            old,
        );
        let first = p.replay();
        let csp = first.headers()[CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .to_string();
        let body = text(first).await;
        assert!(!body.contains(old) && !csp.contains(old));
        let new = &csp["script-src 'nonce-".len()..csp.find("';").unwrap()];
        assert_eq!(new.len(), 22);
        assert_eq!(
            body,
            format!("<script nonce=\"{new}\">a</script><p>x</p><script nonce=\"{new}\">b</script>")
        );
        // Every replay has its own.
        let second = p.replay();
        assert_ne!(
            second.headers()[CONTENT_SECURITY_POLICY],
            HeaderValue::from_str(&csp).unwrap()
        );
    }

    #[test]
    fn only_plain_pages_with_a_nonce_are_remembered() {
        let page_with = |status: StatusCode, cookie: bool, csp: &str| {
            let mut res = Response::new(Body::empty());
            *res.status_mut() = status;
            res.headers_mut().insert(
                CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
            res.headers_mut()
                .insert(CONTENT_SECURITY_POLICY, HeaderValue::from_str(csp).unwrap());
            if cookie {
                res.headers_mut()
                    .insert(SET_COOKIE, HeaderValue::from_static("a=b"));
            }
            res
        };
        let csp = "script-src 'self' 'nonce-G7-MBE0pXp4Pu-Ky7MtEIw' 'wasm-unsafe-eval'";
        assert_eq!(
            plain_page_nonce(&page_with(StatusCode::OK, false, csp)).as_deref(),
            Some("G7-MBE0pXp4Pu-Ky7MtEIw")
        );
        assert_eq!(
            plain_page_nonce(&page_with(StatusCode::OK, true, csp)),
            None
        );
        assert_eq!(
            plain_page_nonce(&page_with(StatusCode::NOT_FOUND, false, csp)),
            None
        );
        assert_eq!(
            plain_page_nonce(&page_with(StatusCode::OK, false, "default-src 'none'")),
            None
        );
    }
}
