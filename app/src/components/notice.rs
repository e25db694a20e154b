//! Showing errors: the message written for people, the wait when there is one, and the
//! reference support can look up.

use crate::error::PortalError;
use leptos::prelude::*;

/// An error message box (empty when there is no error).
#[component]
pub fn ErrorNotice(#[prop(into)] error: Signal<Option<PortalError>>) -> impl IntoView {
    // The page embedding Keyport hears of errors too (the sentence people see, and its code).
    Effect::new(move |_| {
        if let Some(e) = error.get() {
            crate::components::embed::announce(
                "error",
                serde_json::json!({ "code": e.code, "message": e.message }),
            );
        }
    });
    move || {
        error.get().map(|e| {
            let reference = e.correlation_id.clone();
            view! {
                <div class="notice notice-error" role="alert" data-testid="error">
                    <span>{e.message.clone()}</span>
                    {reference.map(|r| view! { <span class="correlation">"Reference: " {r}</span> })}
                </div>
            }
        })
    }
}
