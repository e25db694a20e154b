//! `/popout#<purpose>`: the small window, on Keyport's own origin, where a security key is
//! registered (or confirms it's you) for Keyport inside another site's frame (server
//! `methods/popout.rs` says why). The frame that opened it hands over the single-use ticket by
//! `postMessage` (`components::embed::ask_opener_for_ticket`), never in the address; the window
//! finishes the frame's errand and closes, and the frame learns the outcome from the server.

use crate::api::methods::{popout_adopt, popout_options, popout_register};
use crate::components::embed::ask_opener_for_ticket;
use crate::components::notice::ErrorNotice;
use crate::components::reverify::ReverifyPanel;
use crate::components::webauthn::create_credential;
use crate::error::{ErrorCode, PortalError};
use crate::model::methods::EnrollmentStep;
use leptos::either::EitherOf4;
use leptos::prelude::*;
use leptos_meta::Title;

/// How long the window waits for its opener's ticket before saying it has none.
const TICKET_WAIT_MS: u64 = 4000;

/// The purpose from the address's fragment, which is then wiped from the address bar.
fn take_purpose() -> Option<String> {
    #[cfg(feature = "hydrate")]
    {
        let window = web_sys::window()?;
        let hash = window.location().hash().ok()?;
        let purpose = hash.trim_start_matches('#').to_string();
        if let Ok(history) = window.history() {
            let _ =
                history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some("/popout"));
        }
        (!purpose.is_empty()).then_some(purpose)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        None
    }
}

fn close_window() {
    #[cfg(feature = "hydrate")]
    if let Some(w) = web_sys::window() {
        let _ = w.close();
    }
}

/// What the window was opened for (`components::embed::open_popout`): `#register` to
/// register a security key, `#reverify` to confirm with one.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Errand {
    Register,
    Reverify,
}

fn no_link() -> PortalError {
    PortalError::new(
        ErrorCode::InvalidInput,
        "This window was not opened from Keyport, so there's nothing to do here. Close it and choose Continue again in Keyport.",
    )
}

/// The window's page: server HTML around the errand, which only the browser knows (it is in
/// the address's fragment).
#[component]
pub fn PopoutPage() -> impl IntoView {
    view! {
        <Title text="Security key" />
        <PopoutErrand />
    }
}

/// Names the window after its errand (the server drew a general title: it cannot see the
/// fragment).
fn set_window_title(title: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(document) = web_sys::window().and_then(|w| w.document()) {
        document.set_title(&format!("{title} · Keyport"));
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = title;
}

/// The errand: the window's one island.
#[island]
fn PopoutErrand() -> impl IntoView {
    // Until the page runs in the browser (the fragment and the opener are only there): None.
    let errand = RwSignal::new(None::<Errand>);
    let ticket = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<PortalError>);
    Effect::new(move |_| {
        let purpose = match take_purpose().as_deref() {
            Some("register") => Errand::Register,
            Some("reverify") => Errand::Reverify,
            _ => {
                error.set(Some(no_link()));
                return;
            }
        };
        errand.set(Some(purpose));
        // The first ticket counts; one that arrives late clears the "not opened" notice.
        let given = move |t: String| {
            if ticket.get_untracked().is_none() {
                error.set(None);
                ticket.set(Some(t));
            }
        };
        if !ask_opener_for_ticket(given) {
            error.set(Some(no_link()));
            return;
        }
        set_timeout(
            move || {
                if ticket.get_untracked().is_none() {
                    error.set(Some(no_link()));
                }
            },
            std::time::Duration::from_millis(TICKET_WAIT_MS),
        );
    });
    view! {
        <ErrorNotice error=error />
        {move || match (errand.get(), ticket.get()) {
            (Some(Errand::Reverify), Some(ticket)) => EitherOf4::A(view! { <ConfirmInWindow ticket /> }),
            (Some(Errand::Register), Some(ticket)) => EitherOf4::B(view! { <RegisterInWindow ticket /> }),
            _ if error.get().is_some() => EitherOf4::C(()),
            _ => EitherOf4::D(view! { <p class="muted">"Loading…"</p> }),
        }}
    }
}

/// Confirming it's you with a security key for the frame: this window joins the frame's
/// session with the ticket, then the usual panel runs here, first-party.
#[component]
fn ConfirmInWindow(ticket: String) -> impl IntoView {
    let joined = RwSignal::new(false);
    let error = RwSignal::new(None::<PortalError>);
    leptos::task::spawn_local(async move {
        match popout_adopt(ticket).await {
            Ok(token) => {
                crate::api::client::set_csrf_token(token);
                joined.set(true);
            }
            Err(e) => error.set(Some(e)),
        }
    });
    set_window_title("Confirm it's you");
    view! {
        <ErrorNotice error=error />
        {move || joined.get().then(|| view! {
            <ReverifyPanel
                on_verified=Callback::new(move |_| close_window())
                on_cancel=Callback::new(move |_| close_window()) />
        })}
    }
}

#[component]
fn RegisterInWindow(ticket: String) -> impl IntoView {
    let given = ticket;
    let ticket = RwSignal::new(None::<String>);
    let options = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<PortalError>);
    let busy = RwSignal::new(false);
    let done = RwSignal::new(None::<String>);
    // Runs once the page is live in the browser: the fragment is only there.
    Effect::new(move |_| {
        if given.is_empty() {
            error.set(Some(PortalError::new(
                ErrorCode::InvalidInput,
                "This window was opened without its link. Close it and choose Continue again in Keyport.",
            )));
            return;
        }
        let t = given.clone();
        ticket.set(Some(t.clone()));
        leptos::task::spawn_local(async move {
            match popout_options(t).await {
                Ok(EnrollmentStep::RegisterKey { options_json, .. }) => {
                    options.set(Some(options_json))
                }
                Ok(_) => error.set(Some(PortalError::new(
                    ErrorCode::InvalidInput,
                    "There's no security key being added right now.",
                ))),
                Err(e) => error.set(Some(e)),
            }
        });
    });
    let go = move |_| {
        let (Some(t), Some(o)) = (ticket.get_untracked(), options.get_untracked()) else {
            return;
        };
        busy.set(true);
        error.set(None);
        leptos::task::spawn_local(async move {
            let result = match create_credential(o).await {
                Ok(credential) => popout_register(t, credential).await,
                Err(e) => Err(PortalError::new(ErrorCode::InvalidInput, e.message())),
            };
            busy.set(false);
            match result {
                Ok(EnrollmentStep::Done { kind, name }) => {
                    done.set(Some(format!(
                        "{} added: {name}. You can close this window.",
                        kind.label()
                    )));
                    close_window();
                }
                Ok(_) => {}
                Err(e) => error.set(Some(e)),
            }
        });
    };
    set_window_title("Add a security key");
    view! {
        <section class="card" data-testid="popout">
            <h1>"Add a security key or passkey"</h1>
            <p>"When you continue, your browser asks you to touch your security key, or to use your device's fingerprint, face or PIN. This window then closes and you carry on where you were."</p>
            <ErrorNotice error=error />
            {move || done.get().map(|d| view! { <p class="notice notice-ok" data-testid="popout-done">{d}</p> })}
            <div class="button-row">
                <button type="button" class="button" on:click=go
                    disabled=move || busy.get() || options.get().is_none() || done.get().is_some()
                    data-testid="popout-continue">
                    {move || if busy.get() { "Waiting for your key…" } else { "Continue" }}
                </button>
            </div>
        </section>
    }
}
