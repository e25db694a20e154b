//! A button that copies a value (a setup link, a key, an access code) to the clipboard.

use leptos::prelude::*;
use std::time::Duration;

#[component]
pub fn CopyButton(text: String) -> impl IntoView {
    let (copied, set_copied) = signal(false);
    let copy = move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(w) = web_sys::window() {
            let _ = w.navigator().clipboard().write_text(&text);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = &text;
        set_copied.set(true);
        set_timeout(move || set_copied.set(false), Duration::from_secs(2));
    };
    view! {
        <button type="button" class="button button-secondary button-small" on:click=copy data-testid="copy">
            {move || if copied.get() { "Copied" } else { "Copy" }}
        </button>
    }
}
