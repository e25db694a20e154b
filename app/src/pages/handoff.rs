//! `/handoff`: a sign-in link from another site names someone other than the person signed in
//! here. Nothing changes until they choose (server `web/handoff.rs` says why). Both choices are
//! plain forms, so they work before the wasm has loaded.

use crate::api::auth::{load_handoff_choice, DecideHandoff};
use crate::components::layout::use_session;
use crate::model::auth::HandoffChoice;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;

#[component]
pub fn HandoffPage() -> impl IntoView {
    let choice = Resource::new_blocking(|| (), |_| load_handoff_choice());
    let session = use_session();
    view! {
        <Title text="Switch accounts?" />
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let csrf = match session {
                    Some(s) => s.0.await.map(|v| v.csrf).unwrap_or_default(),
                    None => String::new(),
                };
                match choice.await {
                    Ok(Some(c)) => view! { <Choice choice=c csrf /> }.into_any(),
                    _ => view! {
                        <section class="card" data-testid="handoff-none">
                            <h1>"Nothing to switch"</h1>
                            <p>"There's no sign-in link waiting for you. "<a href="/">"Go to your sign-in methods"</a>"."</p>
                        </section>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Choice(choice: HandoffChoice, csrf: String) -> impl IntoView {
    let action = <DecideHandoff as ServerFn>::url();
    let HandoffChoice { current, incoming } = choice;
    view! {
        <section class="card" data-testid="handoff-choice" aria-labelledby="handoff-title">
            <h1 id="handoff-title">"Switch accounts?"</h1>
            <p>
                "You're signed in to Keyport as "<strong>{current.display_name.clone()}</strong>
                " ("{current.login.clone()}"). A link from another site wants to sign you in as "
                <strong data-testid="handoff-incoming">{incoming.display_name.clone()}</strong>
                " ("{incoming.login.clone()}") instead."
            </p>
            <p class="muted">
                "If you didn't just open Keyport from your company's application, stay signed in as yourself: "
                "someone may be trying to get you to add your phone or security key to their account."
            </p>
            <div class="button-row">
                <form method="post" action=action>
                    <input type="hidden" name="_csrf" value=csrf.clone() />
                    <input type="hidden" name="switch" value="false" />
                    <button type="submit" class="button" data-testid="handoff-stay">
                        {format!("Stay signed in as {}", current.display_name)}
                    </button>
                </form>
                <form method="post" action=action>
                    <input type="hidden" name="_csrf" value=csrf />
                    <input type="hidden" name="switch" value="true" />
                    <button type="submit" class="button button-secondary" data-testid="handoff-switch">
                        {format!("Continue as {}", incoming.display_name)}
                    </button>
                </form>
            </div>
        </section>
    }
}
