//! The signed-in home: who you are and your sign-in methods. Signed out, it sends you to sign in.

use crate::api::check_connection;
use crate::api::methods::load_methods;
use crate::components::hydration::use_hydrated;
use crate::components::layout::use_session;
use crate::model::auth::SessionView;
use crate::model::UpstreamStatus;
use crate::pages::methods::MethodsSection;
use leptos::either::Either;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;

#[component]
pub fn HomePage() -> impl IntoView {
    let session = use_session();
    // Loaded on the server and handed to the methods island as its first state. Blocking, like
    // the session: the page is sent whole, so the island is in the document before the wasm
    // looks for it.
    let methods = Resource::new_blocking(|| (), |_| load_methods());
    view! {
        <Title text="Your sign-in methods" />
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || {
                let session = session;
                Suspend::new(async move {
                    let view = match session {
                        Some(s) => s.0.await.ok(),
                        None => None,
                    };
                    match view {
                        Some(SessionView { user: Some(user), .. }) => {
                            let initial = methods.await;
                            view! {
                            <section class="card intro">
                                <h1>"Hello, " {user.display_name.clone()}</h1>
                                <p class="lead">
                                    "Here you can see and change how you sign in — Okta Verify, security keys and "
                                    "passkeys, authenticator apps, phone and email — without leaving this site."
                                </p>
                            </section>
                            <MethodsSection initial />
                            <ConnectionCheck />
                        }.into_any()
                        }
                        _ => view! { <Redirect path="/signin" /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

/// A live check of the connection to Okta. It needs the wasm: the button stays disabled until
/// the island has hydrated.
#[island]
pub fn ConnectionCheck() -> impl IntoView {
    let hydrated = use_hydrated();
    let check = Action::new(|_: &()| check_connection());
    let pending = check.pending();
    view! {
        <section class="card" aria-labelledby="connection-heading">
            <h2 id="connection-heading">"Connection to Okta"</h2>
            <p>"Check that Keyport can reach your organisation's Okta right now."</p>
            <button
                class="button"
                data-testid="check-connection"
                disabled=move || !hydrated.get() || pending.get()
                on:click=move |_| {
                    check.dispatch(());
                }
            >
                {move || if pending.get() { "Checking…" } else { "Check connection" }}
            </button>
            <div aria-live="polite" data-testid="connection-result">
                {move || check.value().get().map(|result| match result {
                    Ok(status) => Either::Left(view! { <ConnectionOk status /> }),
                    Err(err) => Either::Right(view! {
                        <p class="notice notice-error">{err.message.clone()}</p>
                    }),
                })}
            </div>
        </section>
    }
}

#[component]
fn ConnectionOk(status: UpstreamStatus) -> impl IntoView {
    let pipeline = status
        .pipeline
        .map(|p| p.label().to_string())
        .unwrap_or_else(|| "unknown engine".to_string());
    view! {
        <p class="notice notice-ok">
            "Connected to " <strong>{status.org_host}</strong> " (" {pipeline} ") in "
            {status.latency_ms} " ms."
        </p>
    }
}
