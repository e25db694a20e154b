//! Signing in to Keyport: username and password, then a second method when the org asks, or
//! a new password when it has expired. Each step comes from the server, so a reload shows the
//! same step again.

use crate::api::auth::{
    change_expired_password, choose_factor, other_factor, poll_push, resend, restart_sign_in,
    sign_in, sign_in_state, submit_code, submit_security_key, take_sign_in_error, ChooseFactor,
    RestartSignIn, SignIn, SubmitCode,
};
use crate::components::challenge::{ChallengeActions, ChallengePanel, PlainForm};
use crate::components::icons::MethodIcon;
use crate::components::layout::use_session;
use crate::components::notice::ErrorNotice;
use crate::components::password_rules::{all_met, PasswordChecklist};
use crate::error::{ErrorCode, PortalError};
use crate::model::auth::{FactorChoice, PasswordRules, SignInStep};
use leptos::either::EitherOf5;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use std::future::Future;

/// Leaves the sign-in page for the signed-in app with a full page load: the session id and its
/// anti-CSRF token changed at sign-in.
pub fn go_home() {
    #[cfg(feature = "hydrate")]
    if let Some(w) = web_sys::window() {
        let _ = w.location().assign("/");
    }
}

/// The notice for a handoff that did not work (`/signin?handoff=…`).
fn handoff_notice(code: &str) -> &'static str {
    match code {
        "expired" => "The link from your application has expired. Go back to it and open Keyport again.",
        "used" => "That sign-in link was already used. Go back to your application and open Keyport again.",
        "unknown" | "inactive" => "Your account can't use Keyport right now. Contact your help desk.",
        "disabled" => "Signing in from your application isn't set up here. Sign in below.",
        "unavailable" => "Keyport couldn't finish signing you in just now. Please try again.",
        _ => "That sign-in link isn't valid. Go back to your application and open Keyport again.",
    }
}

#[component]
pub fn SignInPage() -> impl IntoView {
    let initial = Resource::new_blocking(|| (), |_| sign_in_state());
    // What a plain form post (before the wasm arrived) left to say.
    let kept = Resource::new_blocking(|| (), |_| take_sign_in_error());
    let session = use_session();
    let query = use_query_map();
    let handoff = move || query.with(|q| q.get("handoff")).map(|c| handoff_notice(&c));
    view! {
        <Title text="Sign in" />
        <section class="card signin" aria-labelledby="signin-heading">
            <h1 id="signin-heading">"Sign in"</h1>
            {move || handoff().map(|text| view! { <p class="notice notice-warn" data-testid="handoff-notice">{text}</p> })}
            <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let csrf = match session {
                        Some(s) => s.0.await.map(|v| v.csrf).unwrap_or_default(),
                        None => String::new(),
                    };
                    let initial_error = kept.await.ok().flatten();
                    match initial.await {
                        Ok(step) => view! { <SignInFlow initial=step initial_error csrf /> }.into_any(),
                        Err(e) => view! { <ErrorNotice error=Signal::derive(move || Some(e.clone())) /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// The sign-in steps: the page's one island, starting at the step the server found (and the
/// error a plain form post left). The credentials, the choice of method and a code are plain
/// forms too (`csrf` goes in each), so they work before the wasm has arrived; once it has,
/// they are sent by the app's client instead.
#[island]
fn SignInFlow(
    initial: SignInStep,
    initial_error: Option<PortalError>,
    csrf: String,
) -> impl IntoView {
    if matches!(initial, SignInStep::SignedIn { .. }) {
        go_home();
    }
    let (step, set_step) = signal(initial);
    let (error, set_error) = signal(initial_error);
    let csrf = StoredValue::new(csrf);
    let (busy, set_busy) = signal(false);

    // Runs one server call and moves to the step it answers with. After a failed push (denied,
    // expired) the server has moved back to the choice of method: `refresh` picks that up.
    let run_with =
        move |fut: std::pin::Pin<Box<dyn Future<Output = Result<SignInStep, PortalError>>>>,
              refresh: bool| {
            set_busy.set(true);
            leptos::task::spawn_local(async move {
                let result = fut.await;
                set_busy.set(false);
                match result {
                    Ok(SignInStep::SignedIn { .. }) => go_home(),
                    Ok(next) => {
                        set_error.set(None);
                        set_step.set(next);
                    }
                    Err(e) => {
                        // An expired transaction starts over; anything else stays on this step.
                        if e.code == ErrorCode::SignInRequired {
                            set_step.set(SignInStep::Credentials);
                        }
                        if refresh {
                            if let Ok(next) = sign_in_state().await {
                                set_step.set(next);
                            }
                        }
                        set_error.set(Some(e));
                    }
                }
            });
        };
    let run = move |fut: std::pin::Pin<
        Box<dyn Future<Output = Result<SignInStep, PortalError>>>,
    >| run_with(fut, false);

    view! {
        <ErrorNotice error=error />
        {move || match step.get() {
            SignInStep::Credentials => EitherOf5::A(view! {
                <CredentialsForm busy=busy csrf=csrf.get_value() on_submit=Callback::new(move |(u, p): (String, String)| run(Box::pin(sign_in(u, p)))) />
            }),
            SignInStep::ChooseFactor { name, factors } => EitherOf5::B(view! {
                <FactorList name factors busy=busy csrf=csrf.get_value()
                    on_choose=Callback::new(move |id: String| run(Box::pin(choose_factor(id))))
                    on_restart=Callback::new(move |_| run(Box::pin(restart_sign_in()))) />
            }),
            SignInStep::Challenge { factor, challenge, has_other_factors } => {
                let actions = ChallengeActions {
                    submit: Callback::new(move |code: String| run(Box::pin(submit_code(code)))),
                    resend: Callback::new(move |_| run(Box::pin(resend()))),
                    poll: Callback::new(move |_| {
                        if !busy.get_untracked() {
                            run_with(Box::pin(poll_push()), true)
                        }
                    }),
                    key: Callback::new(move |c| run(Box::pin(submit_security_key(c)))),
                    key_error: Callback::new(move |msg: String| set_error.set(Some(PortalError::new(ErrorCode::InvalidInput, msg)))),
                    other: has_other_factors.then(|| Callback::new(move |_| run(Box::pin(other_factor())))),
                    plain_form: Some(PlainForm { action: <SubmitCode as ServerFn>::url(), csrf: csrf.get_value() }),
                };
                EitherOf5::C(view! { <ChallengePanel factor challenge actions busy=busy /> })
            }
            SignInStep::ChangeExpiredPassword { rules } => EitherOf5::D(view! {
                <ExpiredPasswordForm rules busy=busy
                    on_submit=Callback::new(move |(old, new): (String, String)| run(Box::pin(change_expired_password(old, new)))) />
            }),
            SignInStep::SignedIn { user } => EitherOf5::E(view! {
                <p class="notice notice-ok">"Signed in as " {user.display_name} ". Taking you to your sign-in methods…"</p>
            }),
        }}
    }
}

/// The hidden field that carries the anti-CSRF token in a plain form post.
#[component]
fn CsrfField(csrf: String) -> impl IntoView {
    view! { <input type="hidden" name="_csrf" value=csrf /> }
}

#[component]
fn CredentialsForm(
    #[prop(into)] busy: Signal<bool>,
    csrf: String,
    on_submit: Callback<(String, String)>,
) -> impl IntoView {
    let (username, set_username) = signal(String::new());
    let (password, set_password) = signal(String::new());
    view! {
        <form
            class="form"
            method="post"
            action={<SignIn as ServerFn>::url()}
            on:submit=move |ev| {
                ev.prevent_default();
                on_submit.run((username.get_untracked(), password.get_untracked()));
            }
        >
            <CsrfField csrf />
            <label for="username">"Username"</label>
            <input id="username" name="username" type="text" autocomplete="username" autocapitalize="none"
                spellcheck="false" required prop:value=username
                on:input=move |ev| set_username.set(event_target_value(&ev)) data-testid="username" />
            <label for="password">"Password"</label>
            <input id="password" name="password" type="password" autocomplete="current-password" required
                prop:value=password on:input=move |ev| set_password.set(event_target_value(&ev)) data-testid="password" />
            <div class="button-row">
                <button class="button" type="submit" disabled=move || busy.get() data-testid="signin-submit">
                    {move || if busy.get() { "Signing in…" } else { "Sign in" }}
                </button>
            </div>
        </form>
    }
}

#[component]
fn FactorList(
    name: String,
    factors: Vec<FactorChoice>,
    #[prop(into)] busy: Signal<bool>,
    csrf: String,
    on_choose: Callback<String>,
    on_restart: Callback<()>,
) -> impl IntoView {
    let restart_csrf = csrf.clone();
    view! {
        <p>"Hi " <strong>{name}</strong> ". Confirm it's you with one of your methods:"</p>
        <ul class="choice-list" data-testid="factor-list">
            {factors.into_iter().map(|f| {
                let id = f.id.clone();
                view! {
                    <li>
                        <form method="post" action={<ChooseFactor as ServerFn>::url()}
                            on:submit=move |ev| { ev.prevent_default(); on_choose.run(id.clone()) }>
                            <CsrfField csrf=csrf.clone() />
                            <input type="hidden" name="factor_id" value=f.id.clone() />
                            <button type="submit" class="choice" disabled=move || busy.get()
                                data-testid="factor-choice" data-kind=format!("{:?}", f.kind)>
                                <MethodIcon kind=f.kind />
                                <span class="choice-text">
                                    <strong>{f.kind.label()}</strong>
                                    <span class="muted">{f.label.clone()}</span>
                                </span>
                            </button>
                        </form>
                    </li>
                }
            }).collect_view()}
        </ul>
        <form class="switch" method="post" action={<RestartSignIn as ServerFn>::url()}
            on:submit=move |ev| { ev.prevent_default(); on_restart.run(()) }>
            <CsrfField csrf=restart_csrf />
            <button type="submit" class="button-link" data-testid="restart">
                "Not you? Start over"
            </button>
        </form>
    }
}

#[component]
fn ExpiredPasswordForm(
    rules: PasswordRules,
    #[prop(into)] busy: Signal<bool>,
    on_submit: Callback<(String, String)>,
) -> impl IntoView {
    let (old, set_old) = signal(String::new());
    let (new, set_new) = signal(String::new());
    let (confirm, set_confirm) = signal(String::new());
    let (username, _) = signal(String::new());
    let checklist_rules = rules.clone();
    let ok = move || {
        all_met(&rules, &new.get(), "") && new.get() == confirm.get() && !old.get().is_empty()
    };
    view! {
        <p class="notice notice-warn">"Your password has expired. Choose a new one to continue."</p>
        <form class="form" on:submit=move |ev| { ev.prevent_default(); on_submit.run((old.get_untracked(), new.get_untracked())); }>
            <label for="old-password">"Current password"</label>
            <input id="old-password" type="password" autocomplete="current-password" prop:value=old
                on:input=move |ev| set_old.set(event_target_value(&ev)) data-testid="old-password" />
            <label for="new-password">"New password"</label>
            <input id="new-password" type="password" autocomplete="new-password" prop:value=new
                on:input=move |ev| set_new.set(event_target_value(&ev)) data-testid="new-password" />
            <PasswordChecklist rules=checklist_rules password=new username=username />
            <label for="confirm-password">"Confirm new password"</label>
            <input id="confirm-password" type="password" autocomplete="new-password" prop:value=confirm
                on:input=move |ev| set_confirm.set(event_target_value(&ev)) data-testid="confirm-password" />
            {move || (!confirm.get().is_empty() && confirm.get() != new.get()).then(|| view! {
                <p class="field-error">"The passwords don't match."</p>
            })}
            <div class="button-row">
                <button class="button" type="submit" disabled=move || busy.get() || !ok() data-testid="change-password-submit">
                    "Change password and sign in"
                </button>
            </div>
        </form>
    }
}
