//! The signed-in home: who you are and your sign-in methods. Signed out, it sends you to sign in.

use crate::api::check_connection;
use crate::api::methods::load_methods;
use crate::components::layout::{signed_in_user, use_session};
use crate::error::PortalError;
use crate::model::UpstreamStatus;
use crate::pages::methods::MethodsSection;
use leptos::either::Either;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_query_map;

#[component]
pub fn HomePage() -> impl IntoView {
    let session = use_session();
    // Who is signed in and their methods (the methods island's first state), loaded for a
    // signed-in person only.
    let page = Resource::new_blocking(
        || (),
        move |_| async move {
            let user = signed_in_user(session).await?;
            Some((user, load_methods().await))
        },
    );
    // The connection check, when the person asked for it (`?check`).
    let asked = use_query_map().with_untracked(|q| q.get("check").is_some());
    let check = Resource::new_blocking(
        || (),
        move |_| async move {
            if asked {
                Some(check_connection().await)
            } else {
                None
            }
        },
    );
    view! {
        <Title text="Your sign-in methods" />
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || {
                Suspend::new(async move {
                    match page.await {
                        Some((user, initial)) => {
                            let result = check.await;
                            view! {
                            <section class="card intro">
                                <h1>"Hello, " {user.display_name.clone()}</h1>
                                <p class="lead">
                                    "Here you can see and change how you sign in — Okta Verify, security keys and "
                                    "passkeys, authenticator apps, phone and email — without leaving this site."
                                </p>
                            </section>
                            <MethodsSection initial />
                            <ConnectionCheck result />
                        }.into_any()
                        }
                        _ => view! { <Redirect path="/signin" /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

/// A check of the connection to Okta, on request: a plain form asking for this page again
/// with `?check`, which the server answers with the result in place. It needs no code in the
/// browser, so it works before (and without) the wasm.
#[component]
pub fn ConnectionCheck(result: Option<Result<UpstreamStatus, PortalError>>) -> impl IntoView {
    view! {
        <section class="card" id="connection" aria-labelledby="connection-heading">
            <h2 id="connection-heading">"Connection to Okta"</h2>
            <p>"Check that Keyport can reach your organisation's Okta right now."</p>
            <form method="get" action="/">
                <input type="hidden" name="check" value="now" />
                <button class="button" type="submit" data-testid="check-connection">
                    "Check connection"
                </button>
            </form>
            <div aria-live="polite" data-testid="connection-result">
                {result.map(|result| match result {
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
