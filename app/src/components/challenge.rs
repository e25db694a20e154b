//! Proving a factor: type a code, answer a question, approve a push, or touch a security key.
//! Used by sign-in and by re-verification; the caller decides what each action calls.

use crate::components::icons::MethodIcon;
use crate::components::webauthn::get_assertion;
use crate::model::auth::{Challenge, FactorChoice, MethodKind};
use leptos::either::{Either, EitherOf4};
use leptos::prelude::*;
use std::time::Duration;

/// How often a waiting push is checked (the server polls Okta at most this often per user).
pub const PUSH_POLL: Duration = Duration::from_secs(2);

/// What the challenge panel asks its owner to do.
#[derive(Clone)]
pub struct ChallengeActions {
    pub submit: Callback<String>,
    pub resend: Callback<()>,
    pub poll: Callback<()>,
    /// The security key's answer: the browser's JSON of the credential.
    pub key: Callback<Box<serde_json::value::RawValue>>,
    pub key_error: Callback<String>,
    /// "Use another method", when there is one.
    pub other: Option<Callback<()>>,
    /// Where the code form posts when the page has no wasm yet (sign-in; elsewhere the panel
    /// only ever runs hydrated).
    pub plain_form: Option<PlainForm>,
}

/// A plain form's target: the server function's address and the session's anti-CSRF token.
#[derive(Clone)]
pub struct PlainForm {
    pub action: &'static str,
    pub csrf: String,
}

#[component]
pub fn ChallengePanel(
    factor: FactorChoice,
    challenge: Challenge,
    actions: ChallengeActions,
    #[prop(into)] busy: Signal<bool>,
) -> impl IntoView {
    let other = actions.other;
    let body = match challenge {
        Challenge::Code { sent_to, resend_in } => EitherOf4::A(view! {
            <CodeEntry factor=factor.clone() sent_to resend_in actions=actions.clone() busy />
        }),
        Challenge::Question { question } => EitherOf4::B(view! {
            <QuestionEntry question actions=actions.clone() busy />
        }),
        Challenge::Push { number } => EitherOf4::C(view! {
            <PushWait factor=factor.clone() number actions=actions.clone() />
        }),
        Challenge::SecurityKey { options_json } => EitherOf4::D(view! {
            <SecurityKeyPrompt options_json actions=actions.clone() busy />
        }),
    };
    view! {
        <div class="challenge" data-testid="challenge" data-kind=format!("{:?}", factor.kind)>
            <p class="challenge-method">
                <MethodIcon kind=factor.kind />
                <strong>{factor.kind.label()}</strong>
                <span class="muted">" · " {factor.label.clone()}</span>
            </p>
            {body}
            {other.map(|cb| view! {
                <p class="switch">
                    <button type="button" class="button-link" on:click=move |_| cb.run(()) data-testid="other-method">
                        "Use another method"
                    </button>
                </p>
            })}
        </div>
    }
}

/// A countdown in whole seconds, ticking once a second in the browser.
fn countdown(start: Option<u64>) -> ReadSignal<u64> {
    let (left, set_left) = signal(start.unwrap_or(0));
    if start.unwrap_or(0) > 0 {
        let handle = set_interval_with_handle(
            move || set_left.update(|s| *s = s.saturating_sub(1)),
            Duration::from_secs(1),
        );
        if let Ok(h) = handle {
            on_cleanup(move || h.clear());
        }
    }
    left
}

#[component]
fn CodeEntry(
    factor: FactorChoice,
    sent_to: Option<String>,
    resend_in: Option<u64>,
    actions: ChallengeActions,
    busy: Signal<bool>,
) -> impl IntoView {
    let (code, set_code) = signal(String::new());
    let left = countdown(resend_in);
    let sends = factor.kind.sends_code();
    let hint = match (&sent_to, factor.kind) {
        (Some(to), MethodKind::Email) => format!("We emailed a code to {to}."),
        (Some(to), MethodKind::Voice) => format!("We're calling {to} with your code."),
        (Some(to), _) => format!("We texted a code to {to}."),
        (None, MethodKind::OktaVerifyCode) => {
            "Open Okta Verify and enter the 6-digit code it shows.".into()
        }
        (None, MethodKind::HardwareToken) => "Enter the code your hardware token shows.".into(),
        (None, _) => "Open your authenticator app and enter the 6-digit code it shows.".into(),
    };
    let submit = actions.submit;
    let resend = actions.resend;
    let (action, csrf) = match actions.plain_form {
        Some(f) => (Some(f.action), Some(f.csrf)),
        None => (None, None),
    };
    view! {
        <form
            class="code-form"
            method=action.map(|_| "post")
            action=action
            on:submit=move |ev| {
                ev.prevent_default();
                submit.run(code.get_untracked());
            }
        >
            {csrf.map(|csrf| view! { <input type="hidden" name="_csrf" value=csrf /> })}
            <p>{hint}</p>
            <label for="code">"Code"</label>
            <input
                id="code"
                name="code"
                type="text"
                inputmode="numeric"
                autocomplete="one-time-code"
                class="code-input"
                maxlength="12"
                placeholder="123 456"
                prop:value=code
                on:input=move |ev| set_code.set(event_target_value(&ev))
                data-testid="code-input"
            />
            <div class="button-row">
                <button class="button" type="submit" disabled=move || busy.get() data-testid="code-submit">
                    "Verify"
                </button>
                {sends.then(|| view! {
                    <button
                        class="button button-secondary"
                        type="button"
                        disabled=move || busy.get() || left.get() != 0
                        on:click=move |_| resend.run(())
                        data-testid="resend"
                    >
                        {move || if left.get() != 0 { format!("Send again in {}s", left.get()) } else { "Send a new code".to_string() }}
                    </button>
                })}
            </div>
        </form>
    }
}

#[component]
fn QuestionEntry(question: String, actions: ChallengeActions, busy: Signal<bool>) -> impl IntoView {
    let (answer, set_answer) = signal(String::new());
    let submit = actions.submit;
    view! {
        <form class="code-form" on:submit=move |ev| { ev.prevent_default(); submit.run(answer.get_untracked()); }>
            <label for="answer">{question}</label>
            <input id="answer" type="text" autocomplete="off" prop:value=answer
                on:input=move |ev| set_answer.set(event_target_value(&ev)) data-testid="answer-input" />
            <div class="button-row">
                <button class="button" type="submit" disabled=move || busy.get() data-testid="answer-submit">"Verify"</button>
            </div>
        </form>
    }
}

#[component]
fn PushWait(factor: FactorChoice, number: Option<u32>, actions: ChallengeActions) -> impl IntoView {
    let poll = actions.poll;
    let resend = actions.resend;
    // Keep asking the server while this panel is on screen.
    let handle = set_interval_with_handle(move || poll.run(()), PUSH_POLL);
    if let Ok(h) = handle {
        on_cleanup(move || h.clear());
    }
    view! {
        <div class="push-wait" aria-live="polite">
            {match number {
                Some(n) => Either::Left(view! {
                    <p>"We sent a notification to " <strong>{factor.label.clone()}</strong> ". Open it and tap this number:"</p>
                    <p class="push-number" data-testid="push-number">{n}</p>
                }),
                None => Either::Right(view! {
                    <p>"We sent a notification to " <strong>{factor.label.clone()}</strong> ". Open it and tap " <strong>"Yes, it's me"</strong> "."</p>
                }),
            }}
            <p class="waiting"><span class="spinner" aria-hidden="true"></span> "Waiting for your approval…"</p>
            <div class="button-row">
                <button class="button button-secondary" type="button" on:click=move |_| resend.run(()) data-testid="push-resend">
                    "Send another notification"
                </button>
            </div>
        </div>
    }
}

#[component]
fn SecurityKeyPrompt(
    options_json: String,
    actions: ChallengeActions,
    busy: Signal<bool>,
) -> impl IntoView {
    let key = actions.key;
    let key_error = actions.key_error;
    let (working, set_working) = signal(false);
    let start = move |_| {
        let options = options_json.clone();
        set_working.set(true);
        leptos::task::spawn_local(async move {
            let result = get_assertion(options).await;
            set_working.set(false);
            match result {
                Ok(credential) => key.run(credential),
                Err(e) => key_error.run(e.message()),
            }
        });
    };
    view! {
        <div class="key-prompt">
            <p>"Insert or touch your security key, or use your device's passkey (fingerprint, face or PIN)."</p>
            <div class="button-row">
                <button class="button" type="button" on:click=start disabled=move || busy.get() || working.get() data-testid="use-key">
                    {move || if working.get() { "Waiting for your key…" } else { "Use security key" }}
                </button>
            </div>
        </div>
    }
}
