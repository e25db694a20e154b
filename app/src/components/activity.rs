//! What happened lately: the security activity list, and the one date format it is shown in.

use crate::model::methods::ActivityEntry;
use leptos::prelude::*;

/// "2026-11-24T07:34:22.000Z" → "24 Nov 2026" (the same on server and browser: no clock).
pub fn short_date(iso: &str) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let parts: Vec<&str> = iso.get(..10).unwrap_or("").split('-').collect();
    match parts.as_slice() {
        [y, m, d] => {
            let month = m
                .parse::<usize>()
                .ok()
                .and_then(|m| MONTHS.get(m.wrapping_sub(1)))
                .copied()
                .unwrap_or("");
            format!("{} {month} {y}", d.trim_start_matches('0'))
        }
        _ => iso.to_string(),
    }
}

#[component]
pub fn ActivityList(entries: Vec<ActivityEntry>) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="activity-heading" data-testid="activity">
            <h2 id="activity-heading">"Recent security activity"</h2>
            {entries.is_empty().then(|| view! { <p class="muted">"Nothing yet."</p> })}
            <ul class="activity">
                {entries.into_iter().map(|e| view! {
                    <li class=if e.ok { "activity-item" } else { "activity-item activity-bad" }>
                        <span>{e.text}</span>
                        <span class="muted">{short_date(&e.when)} {e.from.map(|f| format!(" · from {f}"))}</span>
                    </li>
                }).collect_view()}
            </ul>
        </section>
    }
}
