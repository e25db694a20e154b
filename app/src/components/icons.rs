//! Small inline SVG icons (no icon font, no emoji: they render the same everywhere).

use crate::model::auth::MethodKind;
use leptos::prelude::*;

/// Path data of 24×24 stroke icons.
fn paths(kind: MethodKind) -> &'static [&'static str] {
    match kind {
        // A phone with a check mark.
        MethodKind::OktaVerify => &["M8 2h8a2 2 0 0 1 2 2v16a2 2 0 0 1-2 2H8a2 2 0 0 1-2-2V4a2 2 0 0 1 2-2z", "M9.5 12l2 2 3.5-4", "M11 18h2"],
        // A phone showing digits.
        MethodKind::OktaVerifyCode | MethodKind::AuthenticatorApp => &["M8 2h8a2 2 0 0 1 2 2v16a2 2 0 0 1-2 2H8a2 2 0 0 1-2-2V4a2 2 0 0 1 2-2z", "M9 9h6", "M9 12h6", "M9 15h4"],
        // A speech bubble.
        MethodKind::Sms => &["M21 12a8 8 0 0 1-11.6 7.1L4 20l1.1-4.6A8 8 0 1 1 21 12z"],
        // A handset.
        MethodKind::Voice => &["M5 4h3l2 5-2.5 1.5a11 11 0 0 0 6 6L15 14l5 2v3a2 2 0 0 1-2 2A16 16 0 0 1 3 6a2 2 0 0 1 2-2z"],
        // An envelope.
        MethodKind::Email => &["M3 6h18v12H3z", "M3 7l9 6 9-6"],
        // A key.
        MethodKind::SecurityKey => &["M15 7a4 4 0 1 1-3.9 4.9L3 20v-3h3v-3h3l2.1-2.1A4 4 0 0 1 15 7z", "M16 10h.01"],
        // A question mark in a circle.
        MethodKind::SecurityQuestion => &["M12 22a10 10 0 1 0 0-20 10 10 0 0 0 0 20z", "M9.1 9a3 3 0 0 1 5.8 1c0 2-3 2.5-3 4.5", "M12 17.5h.01"],
        // A token with a display.
        MethodKind::HardwareToken => &["M5 7h14a2 2 0 0 1 2 2v6a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2V9a2 2 0 0 1 2-2z", "M7 12h6", "M17 12h.01"],
        // A padlock.
        MethodKind::Password => &["M6 11h12v10H6z", "M8 11V7a4 4 0 0 1 8 0v4"],
    }
}

#[component]
pub fn MethodIcon(kind: MethodKind) -> impl IntoView {
    view! {
        <svg class="method-icon" viewBox="0 0 24 24" width="24" height="24" fill="none" stroke="currentColor"
            stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" focusable="false">
            {paths(kind).iter().map(|d| view! { <path d=*d /> }).collect_view()}
        </svg>
    }
}
