//! Keyport's HTTP surface: the router, its middleware, and the operational endpoints.

mod health;
pub mod request_id;
pub mod security_headers;
mod trace;

use crate::state::AppState;
use app::api::PortalHandle;
use axum::routing::get;
use axum::Router;
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, LeptosRoutes};

/// The whole application router: pages, server functions, static files, health endpoints.
pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(app::App);
    let portal = PortalHandle(state.portal.clone());
    let context = move || {
        provide_context(portal.clone());
        security_headers::provide_page_csp();
    };
    let shell_options = state.leptos_options.clone();
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .leptos_routes_with_context(&state, routes, context.clone(), move || {
            app::shell(shell_options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(context, app::shell))
        .with_state(state)
        .layer(axum::middleware::from_fn(security_headers::baseline))
        .layer(trace::layer())
        .layer(axum::middleware::from_fn(request_id::assign))
}
