//! Confirming it's you before a sensitive change, inline: pick a method (or give the password
//! when there is none), prove it, and the change the user asked for goes ahead.

use crate::api::reverify::{
    reverify_cancel, reverify_code, reverify_password, reverify_poll, reverify_security_key,
    reverify_start, reverify_state,
};
use crate::components::challenge::{ChallengeActions, ChallengePanel};
use crate::components::icons::MethodIcon;
use crate::components::notice::ErrorNotice;
use crate::error::{ErrorCode, PortalError};
use crate::model::auth::{MethodKind, ReverifyStep};
use leptos::either::EitherOf6;
use leptos::prelude::*;
use std::future::Future;
use std::pin::Pin;

type StepFuture = Pin<Box<dyn Future<Output = Result<ReverifyStep, PortalError>>>>;

/// The panel; `on_verified` runs once the user has confirmed, `on_cancel` if they give up.
#[component]
pub fn ReverifyPanel(on_verified: Callback<()>, on_cancel: Callback<()>) -> impl IntoView {
    let (step, set_step) = signal(None::<ReverifyStep>);
    let (error, set_error) = signal(None::<PortalError>);
    let (busy, set_busy) = signal(false);
    let run = move |fut: StepFuture| {
        set_busy.set(true);
        leptos::task::spawn_local(async move {
            let r = fut.await;
            set_busy.set(false);
            match r {
                Ok(ReverifyStep::Verified) => {
                    set_error.set(None);
                    on_verified.run(());
                }
                Ok(next) => {
                    set_error.set(None);
                    set_step.set(Some(next));
                }
                Err(e) => {
                    // A denied or expired push goes back to the choice.
                    if e.code == ErrorCode::Forbidden || e.message.contains("expired") {
                        if let Ok(s) = reverify_state().await {
                            set_step.set(Some(s));
                        }
                    }
                    set_error.set(Some(e));
                }
            }
        });
    };
    // Load the choices when shown.
    run(Box::pin(reverify_state()));
    // Inside another site's frame a security key answers in a window of Keyport's own (see
    // the server's methods/popout.rs); known only in the browser, after hydration.
    let in_frame = RwSignal::new(false);
    Effect::new(move |_| in_frame.set(crate::components::embed::framed()));
    let cancel = move || {
        leptos::task::spawn_local(async move {
            let _ = reverify_cancel().await;
        });
        on_cancel.run(());
    };
    view! {
        <section class="card reverify" aria-labelledby="reverify-heading" data-testid="reverify">
            <h2 id="reverify-heading">"Confirm it's you"</h2>
            <p class="muted">"For your security, confirm with one of your methods before this change. You won't be asked again for a few minutes."</p>
            <ErrorNotice error=error />
            {move || match step.get() {
                None => EitherOf6::A(view! { <p class="muted">"Loading…"</p> }),
                Some(ReverifyStep::Choose { factors, password }) if password || factors.is_empty() => {
                    let (pw, set_pw) = signal(String::new());
                    EitherOf6::B(view! {
                        <form class="form" on:submit=move |ev| { ev.prevent_default(); run(Box::pin(reverify_password(pw.get_untracked()))); }>
                            <label for="reverify-password">"Your password"</label>
                            <input id="reverify-password" type="password" autocomplete="current-password" prop:value=pw
                                on:input=move |ev| set_pw.set(event_target_value(&ev)) data-testid="reverify-password" />
                            <div class="button-row">
                                <button class="button" type="submit" disabled=move || busy.get() data-testid="reverify-password-submit">"Confirm"</button>
                            </div>
                        </form>
                    })
                }
                Some(ReverifyStep::Choose { factors, .. }) => EitherOf6::C(view! {
                    <ul class="choice-list" data-testid="reverify-factors">
                        {factors.into_iter().map(|f| {
                            let id = f.id.clone();
                            view! {
                                <li>
                                    <button type="button" class="choice" disabled=move || busy.get()
                                        on:click=move |_| run(Box::pin(reverify_start(id.clone())))
                                        data-testid="reverify-choice" data-kind=format!("{:?}", f.kind)>
                                        <MethodIcon kind=f.kind />
                                        <span class="choice-text">
                                            <strong>{f.kind.label()}</strong>
                                            <span class="muted">{f.label.clone()}</span>
                                        </span>
                                    </button>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }),
                Some(ReverifyStep::Challenge { factor, .. })
                    if factor.kind == MethodKind::SecurityKey && in_frame.get() =>
                {
                    EitherOf6::D(view! { <KeyInNewWindow on_verified busy set_error /> })
                }
                Some(ReverifyStep::Challenge { factor, challenge }) => {
                    let fid = factor.id.clone();
                    let actions = ChallengeActions {
                        submit: Callback::new(move |code: String| run(Box::pin(reverify_code(code)))),
                        resend: Callback::new(move |_| run(Box::pin(reverify_start(fid.clone())))),
                        poll: Callback::new(move |_| {
                            if !busy.get_untracked() {
                                run(Box::pin(reverify_poll()))
                            }
                        }),
                        key: Callback::new(move |c| run(Box::pin(reverify_security_key(c)))),
                        key_error: Callback::new(move |m: String| set_error.set(Some(PortalError::new(ErrorCode::InvalidInput, m)))),
                        other: Some(Callback::new(move |_| run(Box::pin(reverify_cancel())))),
                        plain_form: None,
                    };
                    EitherOf6::E(view! { <ChallengePanel factor challenge actions busy=busy /> })
                }
                Some(ReverifyStep::Verified) => EitherOf6::F(view! { <p class="notice notice-ok">"Confirmed."</p> }),
            }}
            <div class="button-row">
                <button type="button" class="button button-secondary" on:click=move |_| cancel() data-testid="reverify-cancel">"Cancel"</button>
            </div>
        </section>
    }
}

/// Confirming with a security key from inside another site's frame: a small window on
/// Keyport's own origin joins this session with a single-use ticket, asks for the key there
/// and closes; this panel sees the challenge answered and goes on.
#[component]
fn KeyInNewWindow(
    on_verified: Callback<()>,
    busy: ReadSignal<bool>,
    set_error: WriteSignal<Option<PortalError>>,
) -> impl IntoView {
    let (waiting, set_waiting) = signal(false);
    let open = move |_| {
        set_error.set(None);
        set_waiting.set(true);
        crate::components::embed::open_popout("reverify", move |e| {
            set_waiting.set(false);
            set_error.set(Some(e));
        });
    };
    // The window answers the challenge in this same session: once it is no longer pending,
    // the change goes ahead (and asks again if the window was only closed).
    if let Ok(h) = set_interval_with_handle(
        move || {
            if !waiting.get_untracked() {
                return;
            }
            leptos::task::spawn_local(async move {
                if let Ok(ReverifyStep::Choose { .. }) = reverify_state().await {
                    set_waiting.set(false);
                    on_verified.run(());
                }
            });
        },
        std::time::Duration::from_secs(2),
    ) {
        on_cleanup(move || h.clear());
    }
    view! {
        <p>"Your security key is used on Keyport's own page: a small window opens for it, then closes by itself."</p>
        <div class="button-row">
            <button type="button" class="button" on:click=open disabled=move || busy.get() || waiting.get()
                data-testid="reverify-key-popout">
                {move || if waiting.get() { "Finish in the new window…" } else { "Continue in a new window" }}
            </button>
        </div>
    }
}
