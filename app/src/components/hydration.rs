//! Knowing whether the wasm has taken over the page.
//!
//! Controls that need the wasm (anything with an `on:click` that is not a plain form) are
//! rendered disabled on the server and enabled once hydration has run, so a click before then
//! is never silently lost. The root element also gets `data-hydrated="true"`, which tests and
//! scripts can wait for.

use leptos::prelude::*;

/// A signal that turns true once the page has hydrated (never on the server).
pub fn use_hydrated() -> ReadSignal<bool> {
    let (hydrated, set_hydrated) = signal(false);
    // Effects only run in the browser, after hydration.
    Effect::new(move |_| set_hydrated.set(true));
    hydrated
}
