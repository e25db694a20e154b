//! Keyport's user interface.
//!
//! Everything the browser sees lives here: the routes and pages, the components they are built
//! from, the `#[server]` functions the pages call, and the plain data types those functions
//! exchange. The crate compiles twice: with `ssr` into the `keyport` server (rendering pages and
//! running server functions), and with `hydrate` into the wasm that makes the pages' islands
//! (`#[island]`) interactive; everything else is server HTML.
//! Server functions stay thin: they find the [`api::Portal`] service in context and call it, so the
//! Okta client, the sandbox and the session store all live in the `server` crate.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]
#![recursion_limit = "256"]

pub mod api;
pub mod assets;
pub mod components;
pub mod error;
pub mod model;
pub mod pages;

#[cfg(not(feature = "hydrate"))]
use leptos::prelude::*;
#[cfg(not(feature = "hydrate"))]
use leptos_meta::{provide_meta_context, Link, MetaTags, Title};
#[cfg(not(feature = "hydrate"))]
use leptos_router::{
    components::{Route, Router, Routes},
    SsrMode, StaticSegment,
};

/// The stem of the names the wasm, its script and the stylesheet are published under
/// (`/pkg/keyport.<hash>.wasm`; see [`assets`]).
pub const OUTPUT_NAME: &str = "keyport";

/// The HTML document around every page: rendered on the server only.
#[cfg(not(feature = "hydrate"))]
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light dark" />
                <AutoReload options />
                <assets::SiteAssetTags />
                // Inert unless Keyport is framed by an allowed site (README, embedding).
                <script src="/embed.js" defer></script>
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The application: layout and routes. Server only: in islands mode the browser never runs
/// the router (every link is a page load), only the islands.
///
/// Every page is rendered whole before it is sent (`SsrMode::Async`): its data is all on the
/// server anyway, and so the `<head>` always carries what the layout learns from the session
/// (the anti-CSRF token the islands send, the signed-in flag `/embed.js` reads), and every
/// island is in the document before the wasm looks for islands.
#[cfg(not(feature = "hydrate"))]
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Link rel="icon" href="/favicon.ico" />
        <Title formatter=|text: String| {
            if text.is_empty() { "Keyport".to_string() } else { format!("{text} · Keyport") }
        } />
        <Router>
            <components::layout::Layout>
                <Routes fallback=pages::not_found::NotFound>
                    <Route path=StaticSegment("") view=pages::home::HomePage ssr=SsrMode::Async />
                    <Route path=StaticSegment("signin") view=pages::signin::SignInPage ssr=SsrMode::Async />
                    <Route path=StaticSegment("account") view=pages::account::AccountPage ssr=SsrMode::Async />
                    <Route path=StaticSegment("admin") view=pages::admin::AdminPage ssr=SsrMode::Async />
                    <Route path=StaticSegment("popout") view=pages::popout::PopoutPage ssr=SsrMode::Async />
                    <Route path=StaticSegment("handoff") view=pages::handoff::HandoffPage ssr=SsrMode::Async />
                    <Route path=(StaticSegment("admin"), StaticSegment("helpdesk")) view=pages::admin::HelpdeskPage ssr=SsrMode::Async />
                </Routes>
            </components::layout::Layout>
        </Router>
    }
}

/// The wasm entry point. Keyport runs in Leptos' islands mode: the pages, the layout and the
/// router are server HTML only, and the browser hydrates just the `#[island]` components
/// (the sign-in flow, the methods section, …), which the loader in [`assets`] finds and
/// starts one by one after this has set up the reactive runtime. So the wasm carries only
/// the code of what is interactive.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
