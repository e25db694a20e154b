//! Keyport's HTTP surface: the router, its middleware, and the operational endpoints.
//!
//! Middleware, outermost first: request id → one log line per request → security headers →
//! body limit → server-function error status → client facts → session → session lifetime →
//! page token → CSRF check → pages remembered for a moment → routes.

pub mod assets;
pub mod csrf;
mod handoff;
pub mod health;
pub mod limits;
pub mod page_memo;
pub mod request_id;
pub mod request_info;
pub mod security_headers;
mod trace;

use crate::sessions::{self, KeyportSession, LifetimeContext, SessionSettings, Store};
use crate::state::AppState;
use axum::extract::Request;
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, LeptosRoutes};
use std::sync::Arc;
use tower_sessions::Session;

/// What the HTTP layer needs beyond the state.
pub struct WebSettings {
    /// `scheme://host[:port]` people use; what `Origin` must equal.
    pub public_origin: String,
    pub https: bool,
    /// Embed mode: the origins allowed to frame Keyport (empty: embed mode off).
    pub embed_origins: Vec<String>,
    pub trusted_proxies: Vec<std::net::IpAddr>,
    pub session: SessionSettings,
    pub store: Store,
}

/// The app's routes, listed once per process. Listing them runs the whole app with resource
/// loading suppressed by a process-wide flag, and a resource first polled by any other render
/// in that moment never loads (leptos-rs/leptos#4773): a second Keyport assembled in the same
/// process (tests, or an embedding host) must not list them again while the first serves.
fn route_list() -> Vec<leptos_axum::AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<leptos_axum::AxumRouteListing>> =
        std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(app::App)).clone()
}

/// The whole application router: pages, server functions, static files, health endpoints.
pub fn router(state: AppState, web: WebSettings) -> Router {
    let routes = route_list();
    let services = state.services.clone();
    let site_assets = state.site_assets.clone();
    let embed_origins = Arc::new(web.embed_origins.clone());
    let context = move || {
        provide_context(services.clone());
        provide_context(site_assets.clone());
        security_headers::provide_page_csp(&embed_origins);
    };
    let shell_options = state.leptos_options.clone();
    let headers = security_headers::Policy::new(web.https);
    let memo = page_memo::PageMemo::new(state.okta.clone());
    let lifetime = LifetimeContext {
        kv: state.kv.clone(),
        absolute_timeout: web.session.absolute_timeout,
    };
    let app = Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/auth/handoff", post(handoff::receive))
        .route(handoff::CONTINUE_PATH, get(handoff::continue_handoff))
        .leptos_routes_with_context(&state, routes, context.clone(), move || {
            app::shell(shell_options.clone())
        })
        .fallback_service(static_files(&state, context))
        .with_state(state);
    // One stack around the whole router rather than `Router::layer`, which wraps every route
    // in its own boxed copy of the stack: each middleware clones what is below it for every
    // request, and below a route that is a box holding the whole app state. Measured with
    // `.ci/bench-rollout`: a third of a remembered page's CPU went to those clones.
    let stack = tower::ServiceBuilder::new()
        .layer(middleware::from_fn(request_id::assign))
        .layer(trace::layer())
        .layer(middleware::from_fn_with_state(
            headers,
            security_headers::baseline,
        ))
        .layer(middleware::from_fn(limits::bound_body))
        .layer(middleware::from_fn(limits::server_fn_status))
        .layer(middleware::from_fn_with_state(
            request_info::TrustedProxies(Arc::new(web.trusted_proxies)),
            request_info::gather,
        ))
        .layer(middleware::from_fn_with_state(
            web.session.partitioned.then_some(web.session.cookie_name),
            sessions::partition_cookie,
        ))
        .layer(web.session.layer(web.store))
        .layer(middleware::from_fn_with_state(
            lifetime,
            sessions::enforce_lifetime,
        ))
        .layer(middleware::from_fn(issue_page_token))
        .layer(middleware::from_fn_with_state(
            csrf::PublicOrigin(web.public_origin.into()),
            csrf::protect,
        ))
        .layer(middleware::from_fn_with_state(memo, page_memo::serve))
        .service(app);
    Router::new().fallback_service(stack)
}

/// The site's files (precompressed, with cache headers), and the app's "not found" page for
/// every other path.
fn static_files(
    state: &AppState,
    context: impl Fn() + Clone + Send + Sync + 'static,
) -> axum::routing::MethodRouter {
    use axum::handler::Handler;
    let not_found =
        leptos_axum::file_and_error_handler_with_context::<AppState, _>(context, app::shell)
            .with_state(state.clone());
    let files = assets::files(std::path::Path::new(
        state.leptos_options.site_root.as_ref(),
    ))
    .fallback(not_found);
    axum::routing::any_service(
        tower::ServiceBuilder::new()
            .layer(middleware::from_fn(assets::cache_headers))
            .service(files),
    )
}

/// Gives a page request's session its anti-CSRF token before rendering starts (a session
/// written during the render would be too late for its cookie), and takes out the error a plain
/// form post kept for this page (`app::api::answer_plain_form`).
async fn issue_page_token(session: Session, mut req: Request, next: Next) -> Response {
    let wants_html = req
        .headers()
        .get("accept")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"));
    if req.method() == axum::http::Method::GET && wants_html {
        let mut data = KeyportSession::load(&session).await;
        if data.csrf.is_empty() {
            data.ensure_csrf();
            if let Err(e) = data.save(&session).await {
                tracing::error!(error = %e, "cannot save a new session");
            }
        }
        // What a plain form post left for this page: taken now, so that it is shown once.
        // Looked for first: `remove` marks the session changed even when there was nothing to
        // take, and a changed session is written back (store and `Set-Cookie`) after every view.
        let kept = session
            .get::<app::error::PortalError>(app::api::FORM_ERROR)
            .await;
        if let Ok(Some(kept)) = kept {
            let _ = session.remove_value(app::api::FORM_ERROR).await;
            req.extensions_mut().insert(app::api::KeptError(kept));
        }
    }
    next.run(req).await
}
