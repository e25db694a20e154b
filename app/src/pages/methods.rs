//! The heart of Keyport: every sign-in method the user has, what they can add, and what
//! happened lately — with adding, testing, renaming and removing right here.

use crate::api::methods::{
    activate_enrollment, cancel_enrollment, enrollment_status, load_activity, load_methods,
    register_key, remove_method, rename_method, renew_enrollment, resend_enrollment_code,
    send_setup_link, start_enrollment, test_code, test_key, test_poll, test_start,
};
use crate::components::activity::{short_date, ActivityList};
use crate::components::challenge::{ChallengeActions, ChallengePanel, PUSH_POLL};
use crate::components::copy_button::CopyButton;
use crate::components::embed::announce;
use crate::components::icons::MethodIcon;
use crate::components::notice::ErrorNotice;
use crate::components::reverify::ReverifyPanel;
use crate::components::webauthn::create_credential;
use crate::error::{ErrorCode, PortalError};
use crate::model::auth::MethodKind;
use crate::model::methods::{
    AddOption, EnrollRequest, EnrollmentStep, Method, MethodStatus, MethodsActivity, MethodsView,
    TestStep,
};
use crate::model::Pipeline;
use leptos::either::{Either, EitherOf3, EitherOf4, EitherOf6, EitherOf7};
use leptos::prelude::*;
use serde_json::json;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

/// An action that may need a fresh verification first; kept so it can run again after.
#[derive(Clone, Debug, PartialEq)]
enum Sensitive {
    Enroll(EnrollRequest),
    Remove { id: String, keep_recovery: bool },
    Rename { id: String, nickname: String },
}

/// What the panel above the list shows.
#[derive(Clone, Debug, PartialEq)]
enum Panel {
    None,
    Reverify(Sensitive),
    Enrolling(EnrollmentStep),
    Testing(TestStep),
    ConfirmRemove(Method),
    Rename(Method),
    AddForm(MethodKind),
}

#[derive(Clone, Copy)]
struct Page {
    /// The methods as last loaded: first by the server (the island's prop), then again after
    /// every change.
    view: RwSignal<Result<MethodsView, PortalError>>,
    /// Loaded in the browser after the page has painted (an effect, which never runs on the
    /// server): the System Log never holds up the methods, nor the server's render.
    activity: RwSignal<Option<Result<MethodsActivity, PortalError>>>,
    /// Raised to load the activity again.
    activity_wanted: RwSignal<u32>,
    panel: RwSignal<Panel>,
    error: RwSignal<Option<PortalError>>,
    notice: RwSignal<Option<String>>,
    busy: RwSignal<bool>,
}

impl Page {
    fn refresh(&self) {
        let view = self.view;
        leptos::task::spawn_local(async move { view.set(load_methods().await) });
        self.activity_wanted.update(|n| *n += 1);
    }

    /// When a method was last used, once the activity has loaded.
    fn last_used(&self, id: &str) -> Option<String> {
        match self.activity.get() {
            Some(Ok(a)) => a
                .last_used
                .iter()
                .find(|(m, _)| m == id)
                .map(|(_, when)| when.clone()),
            _ => None,
        }
    }

    /// A method was added: say so here, and to the page embedding Keyport.
    fn added(&self, kind: MethodKind, name: String) {
        self.panel.set(Panel::None);
        self.notice
            .set(Some(format!("{} added: {name}.", kind.label())));
        announce(
            "method-added",
            json!({ "kind": kind, "label": kind.label(), "name": name }),
        );
        self.refresh();
    }

    /// Runs a sensitive action; asks to confirm it's you first when the server says so.
    fn sensitive(&self, action: Sensitive) {
        let page = *self;
        page.busy.set(true);
        leptos::task::spawn_local(async move {
            let result: Result<Option<EnrollmentStep>, PortalError> = match action.clone() {
                Sensitive::Enroll(req) => start_enrollment(req).await.map(Some),
                Sensitive::Remove { id, keep_recovery } => {
                    remove_method(id, keep_recovery).await.map(|_| None)
                }
                Sensitive::Rename { id, nickname } => {
                    rename_method(id, nickname).await.map(|_| None)
                }
            };
            page.busy.set(false);
            match result {
                Ok(Some(EnrollmentStep::Done { kind, name })) => page.added(kind, name),
                Ok(Some(step)) => {
                    page.error.set(None);
                    page.panel.set(Panel::Enrolling(step));
                }
                Ok(None) => {
                    if matches!(action, Sensitive::Remove { .. }) {
                        announce("method-removed", json!({}));
                    }
                    page.notice.set(Some(match action {
                        Sensitive::Remove { .. } => "Method removed.".into(),
                        _ => "Name saved.".into(),
                    }));
                    page.panel.set(Panel::None);
                    page.refresh();
                }
                Err(e) if e.code == ErrorCode::ReverificationRequired => {
                    page.error.set(None);
                    page.panel.set(Panel::Reverify(action));
                }
                Err(e) => page.error.set(Some(e)),
            }
        });
    }

    fn enrollment(&self, fut: Pin<Box<dyn Future<Output = Result<EnrollmentStep, PortalError>>>>) {
        let page = *self;
        page.busy.set(true);
        leptos::task::spawn_local(async move {
            let r = fut.await;
            page.busy.set(false);
            match r {
                Ok(EnrollmentStep::Done { kind, name }) => {
                    page.error.set(None);
                    page.added(kind, name);
                }
                Ok(step) => {
                    page.error.set(None);
                    page.panel.set(Panel::Enrolling(step));
                }
                Err(e) => page.error.set(Some(e)),
            }
        });
    }

    fn test(&self, fut: Pin<Box<dyn Future<Output = Result<TestStep, PortalError>>>>) {
        let page = *self;
        page.busy.set(true);
        leptos::task::spawn_local(async move {
            let r = fut.await;
            page.busy.set(false);
            match r {
                Ok(step) => {
                    page.error.set(None);
                    page.panel.set(Panel::Testing(step));
                }
                Err(e) => {
                    page.panel.set(Panel::None);
                    page.error.set(Some(e));
                }
            }
        });
    }
}

/// The methods section: the one island of the signed-in home page. `initial` is the list the
/// server loaded for the page.
#[island]
pub fn MethodsSection(initial: Result<MethodsView, PortalError>) -> impl IntoView {
    let page = Page {
        view: RwSignal::new(initial),
        activity: RwSignal::new(None),
        activity_wanted: RwSignal::new(0),
        panel: RwSignal::new(Panel::None),
        error: RwSignal::new(None),
        notice: RwSignal::new(None),
        busy: RwSignal::new(false),
    };
    Effect::new(move |_| {
        page.activity_wanted.track();
        leptos::task::spawn_local(async move {
            let loaded = load_activity().await;
            page.activity.set(Some(loaded));
        });
    });
    // An enrollment left in progress (reload, another tab) is picked up again.
    Effect::new(move |_| {
        if let Ok(v) = page.view.get() {
            if let (Some(step), Panel::None) = (v.enrollment.clone(), page.panel.get_untracked()) {
                page.panel.set(Panel::Enrolling(step));
            }
        }
    });
    view! {
        <div aria-live="polite">
            {move || page.notice.get().map(|n| view! {
                <p class="notice notice-ok" data-testid="notice">{n}
                    <button type="button" class="button-link dismiss" on:click=move |_| page.notice.set(None) aria-label="Dismiss">"×"</button>
                </p>
            })}
        </div>
        <ErrorNotice error=page.error />
        {move || match page.panel.get() {
            Panel::None => EitherOf7::A(()),
            Panel::Reverify(action) => EitherOf7::B(view! {
                <ReverifyPanel
                    on_verified=Callback::new(move |_| { page.panel.set(Panel::None); page.sensitive(action.clone()); })
                    on_cancel=Callback::new(move |_| page.panel.set(Panel::None)) />
            }),
            Panel::Enrolling(step) => EitherOf7::C(view! { <EnrollPanel step page /> }),
            Panel::Testing(step) => EitherOf7::D(view! { <TestPanel step page /> }),
            Panel::ConfirmRemove(m) => EitherOf7::E(view! { <RemovePanel method=m page /> }),
            Panel::Rename(m) => EitherOf7::F(view! { <RenamePanel method=m page /> }),
            Panel::AddForm(kind) => EitherOf7::G(view! { <AddForm kind page /> }),
        }}
        {move || match page.view.get() {
            Ok(v) => EitherOf3::A(view! { <MethodsList view=v page /> }),
            Err(e) if e.code == ErrorCode::RateLimited && e.retry_after_seconds.is_some() => {
                EitherOf3::B(view! { <WaitThenLoad error=e page /> })
            }
            Err(e) => EitherOf3::C(view! { <ErrorNotice error=Signal::derive(move || Some(e.clone())) /> }),
        }}
        <RecentActivity page />
    }
}

#[component]
fn MethodsList(view: MethodsView, page: Page) -> impl IntoView {
    let oie = view.pipeline == Some(Pipeline::IdentityEngine);
    let empty = view.groups.is_empty();
    let can_add = view.can_add.clone();
    view! {
        <section class="card" aria-labelledby="methods-heading" data-testid="methods">
            <h2 id="methods-heading">"Your sign-in methods"</h2>
            {view.as_of.as_deref().map(|t| view! {
                <p class="notice notice-warn" data-testid="as-of">
                    {format!("Okta isn't answering right now, so this is your list as of {}. Changes may not show until it is back.", clock_time(t))}
                </p>
            })}
            {empty.then(|| view! {
                <p class="notice notice-warn">"You have no second sign-in method yet. Add one below: it keeps your account safe if your password is ever stolen."</p>
            })}
            {view.groups.into_iter().map(|g| view! {
                <div class="method-group">
                    <h3>{g.title.clone()}</h3>
                    <ul class="method-list">
                        {g.methods.into_iter().map(|m| view! { <MethodRow method=m page oie /> }).collect_view()}
                    </ul>
                </div>
            }).collect_view()}
        </section>
        <section class="card" aria-labelledby="add-heading" data-testid="add-methods">
            <h2 id="add-heading">"Add a sign-in method"</h2>
            {can_add.is_empty().then(|| view! { <p class="muted">"You've set up every method your organization offers."</p> })}
            <ul class="add-list">
                {can_add.into_iter().map(|o| view! { <AddRow option=o page /> }).collect_view()}
            </ul>
        </section>
    }
}

/// The activity card: loading, the list, or a quiet word when the System Log is unavailable.
#[component]
fn RecentActivity(page: Page) -> impl IntoView {
    move || match page.activity.get() {
        Some(Ok(a)) => Either::Left(view! { <ActivityList entries=a.entries /> }),
        other => Either::Right(view! {
            <section class="card" aria-labelledby="activity-heading" data-testid="activity" aria-busy=other.is_none().then_some("true")>
                <h2 id="activity-heading">"Recent security activity"</h2>
                <p class="muted">{if other.is_none() { "Loading recent activity…" } else { "Recent activity can't be shown right now. Your methods above are up to date." }}</p>
            </section>
        }),
    }
}

/// "2026-12-01T14:02:09Z" → "14:02 UTC" (the same on server and browser: no local clock).
fn clock_time(iso: &str) -> String {
    match iso.get(11..16) {
        Some(hm) => format!("{hm} UTC"),
        None => iso.to_string(),
    }
}

#[component]
fn MethodRow(method: Method, page: Page, oie: bool) -> impl IntoView {
    let pending = method.status == MethodStatus::Pending;
    let m_test = method.clone();
    let m_remove = method.clone();
    let m_rename = method.clone();
    let id_for_cancel = method.id.clone();
    view! {
        <li class="method" data-testid="method" data-kind=format!("{:?}", method.kind) data-id=method.id.clone()>
            <MethodIcon kind=method.kind />
            <div class="method-body">
                <div class="method-title">
                    <strong>{method.nickname.clone().unwrap_or_else(|| method.name.clone())}</strong>
                    {pending.then(|| view! { <span class="badge badge-warn">"Not finished"</span> })}
                </div>
                {method.nickname.as_ref().map(|_| view! { <div class="muted">{method.name.clone()}</div> })}
                <div class="method-meta muted">
                    {method.kind.label()}
                    {method.added.clone().map(|a| format!(" · Added {}", short_date(&a)))}
                    {let id = method.id.clone(); move || page.last_used(&id).map(|a| format!(" · Last used {}", short_date(&a)))}
                </div>
            </div>
            <div class="method-actions">
                {(method.can_test && !pending).then(|| view! {
                    <button type="button" class="button button-secondary button-small" disabled=move || page.busy.get()
                        on:click=move |_| page.test(Box::pin(test_start(m_test.id.clone()))) data-testid="test">"Test"</button>
                })}
                {(oie && method.can_rename).then(|| view! {
                    <button type="button" class="button button-secondary button-small"
                        on:click=move |_| page.panel.set(Panel::Rename(m_rename.clone())) data-testid="rename">"Rename"</button>
                })}
                {if pending {
                    Either::Left(view! {
                        <button type="button" class="button button-secondary button-small"
                            on:click=move |_| { let id = id_for_cancel.clone(); page.sensitive(Sensitive::Remove { id, keep_recovery: false }) }
                            data-testid="discard">"Discard"</button>
                    })
                } else {
                    Either::Right(view! {
                        <button type="button" class="button button-danger-outline button-small"
                            on:click=move |_| page.panel.set(Panel::ConfirmRemove(m_remove.clone())) data-testid="remove">"Remove"</button>
                    })
                }}
            </div>
        </li>
    }
}

#[component]
fn AddRow(option: AddOption, page: Page) -> impl IntoView {
    let kind = option.kind;
    let guidance = option.guidance.clone();
    view! {
        <li class="add-option" data-testid="add-option" data-kind=format!("{kind:?}")>
            <MethodIcon kind=kind />
            <div class="method-body">
                <strong>{option.title.clone()}</strong>
                <div class="muted">{option.description.clone()}</div>
                {guidance.clone().map(|g| view! {
                    <details class="guidance">
                        <summary>"How to add it"</summary>
                        <p data-testid="guidance">{g}</p>
                    </details>
                })}
            </div>
            {guidance.is_none().then(|| view! {
                <button type="button" class="button button-small" disabled=move || page.busy.get()
                    on:click=move |_| {
                        page.notice.set(None);
                        page.error.set(None);
                        if needs_form(kind) {
                            page.panel.set(Panel::AddForm(kind));
                        } else {
                            page.sensitive(Sensitive::Enroll(EnrollRequest { kind: Some(kind), ..Default::default() }));
                        }
                    }
                    data-testid="add">"Add"</button>
            })}
        </li>
    }
}

fn needs_form(kind: MethodKind) -> bool {
    matches!(
        kind,
        MethodKind::Sms | MethodKind::Voice | MethodKind::Email | MethodKind::SecurityQuestion
    )
}

/// Okta's budget is spent for now: say how long, count down, then load the methods by
/// itself (never a silent spinner).
#[component]
fn WaitThenLoad(error: PortalError, page: Page) -> impl IntoView {
    let wait = error.retry_after_seconds.unwrap_or(1).max(1);
    let left = RwSignal::new(wait);
    // Timers exist only in the browser: an effect never runs on the server.
    Effect::new(move |_| {
        if let Ok(h) = set_interval_with_handle(
            move || left.update(|s| *s = s.saturating_sub(1)),
            Duration::from_secs(1),
        ) {
            on_cleanup(move || h.clear());
        }
        if let Ok(h) = set_timeout_with_handle(move || page.refresh(), Duration::from_secs(wait)) {
            on_cleanup(move || h.clear());
        }
    });
    view! {
        <section class="card" aria-live="polite" data-testid="okta-busy">
            <p class="notice notice-warn">{error.message.clone()}</p>
            <p class="muted">{move || match left.get() {
                0 => "Loading your methods…".to_string(),
                s => format!("Loading your methods in {s} s…"),
            }}</p>
        </section>
    }
}

/// A countdown in whole seconds.
fn countdown(start: u64) -> ReadSignal<u64> {
    let (left, set_left) = signal(start);
    if let Ok(h) = set_interval_with_handle(
        move || set_left.update(|s| *s = s.saturating_sub(1)),
        Duration::from_secs(1),
    ) {
        on_cleanup(move || h.clear());
    }
    left
}

fn mmss(secs: u64) -> String {
    format!("{}:{:02}", secs / 60, secs % 60)
}

#[component]
fn EnrollPanel(step: EnrollmentStep, page: Page) -> impl IntoView {
    let cancel = move |_| {
        page.panel.set(Panel::None);
        leptos::task::spawn_local(async move {
            let _ = cancel_enrollment().await;
            page.refresh();
        });
    };
    let body = match step {
        EnrollmentStep::ScanOktaVerify {
            qr_svg,
            setup_link,
            expires_in,
            send_to_phone,
            send_to_email,
            ..
        } => {
            let left = countdown(expires_in);
            // The server watches the phone (one shared poll); this tab asks for the outcome.
            if let Ok(h) = set_interval_with_handle(
                move || {
                    if page.busy.get_untracked() {
                        return;
                    }
                    leptos::task::spawn_local(async move {
                        match enrollment_status().await {
                            Ok(Some(EnrollmentStep::Done { kind, name })) => page.added(kind, name),
                            Ok(Some(s @ EnrollmentStep::OktaVerifyExpired { .. })) => {
                                page.panel.set(Panel::Enrolling(s))
                            }
                            Ok(_) => {}
                            Err(e) => page.error.set(Some(e)),
                        }
                    });
                },
                PUSH_POLL,
            ) {
                on_cleanup(move || h.clear());
            }
            let (sent, set_sent) = signal(None::<String>);
            let (phone, set_phone) = signal(String::new());
            let send = move |channel: &'static str| {
                let number = (channel == "sms")
                    .then(|| phone.get_untracked())
                    .filter(|p| !p.is_empty());
                leptos::task::spawn_local(async move {
                    match send_setup_link(channel.to_string(), number).await {
                        Ok(to) => set_sent
                            .set(Some(format!("Sent to {to}. Open the link on your phone."))),
                        Err(e) => page.error.set(Some(e)),
                    }
                });
            };
            let link = setup_link.clone();
            EitherOf6::A(view! {
                <h2>"Set up Okta Verify"</h2>
                <ol class="steps">
                    <li>"Install Okta Verify from your phone's app store."</li>
                    <li>"In Okta Verify, tap " <strong>"+"</strong> " and scan this code."</li>
                </ol>
                <div class="qr" inner_html=qr_svg data-testid="qr"></div>
                <p class="muted" data-testid="qr-expiry">
                    {move || if left.get() > 0 { format!("This code expires in {}.", mmss(left.get())) } else { "This code has expired.".to_string() }}
                </p>
                <p class="waiting"><span class="spinner" aria-hidden="true"></span> "Waiting for your phone… this page updates by itself."</p>
                <details class="cant-scan" data-testid="cant-scan">
                    <summary>"Can't scan the code?"</summary>
                    <p>"Open this setup link on the phone where Okta Verify is installed:"</p>
                    <div class="copy-row">
                        <input type="text" readonly prop:value=link.clone() data-testid="setup-link" aria-label="Setup link" />
                        <CopyButton text=link.clone() />
                    </div>
                    <p>"Or send the link to your phone:"</p>
                    <div class="button-row">
                        <input type="tel" placeholder=send_to_phone.clone().unwrap_or_else(|| "+1 415 555 0134".into())
                            prop:value=phone on:input=move |ev| set_phone.set(event_target_value(&ev)) aria-label="Phone number for the link" />
                        <button type="button" class="button button-secondary button-small" on:click=move |_| send("sms") data-testid="send-sms">"Text it to me"</button>
                        {send_to_email.map(|e| view! {
                            <button type="button" class="button button-secondary button-small" on:click=move |_| send("email") data-testid="send-email">{format!("Email it to {e}")}</button>
                        })}
                    </div>
                    {move || sent.get().map(|s| view! { <p class="notice notice-info">{s}</p> })}
                </details>
            })
        }
        EnrollmentStep::OktaVerifyExpired { .. } => EitherOf6::B(view! {
            <h2>"Set up Okta Verify"</h2>
            <p class="notice notice-warn" data-testid="qr-expired">"That QR code has expired before your phone finished."</p>
            <div class="button-row">
                <button type="button" class="button" on:click=move |_| page.enrollment(Box::pin(renew_enrollment())) data-testid="renew">"Get a new code"</button>
            </div>
        }),
        EnrollmentStep::AuthenticatorApp {
            kind,
            qr_svg,
            secret_groups,
            account,
            issuer,
            ..
        } => {
            let (code, set_code) = signal(String::new());
            let secret = secret_groups.join(" ");
            let title = if kind == MethodKind::OktaVerifyCode {
                "Set up Okta Verify codes"
            } else {
                "Set up an authenticator app"
            };
            EitherOf6::C(view! {
                <h2>{title}</h2>
                <ol class="steps">
                    <li>"Open your authenticator app (Google Authenticator, Okta Verify, or another) and add an account."</li>
                    <li>"Scan this code, or type the key below."</li>
                    <li>"Enter the 6-digit code the app shows."</li>
                </ol>
                <div class="qr" inner_html=qr_svg data-testid="qr"></div>
                <details class="cant-scan" open>
                    <summary>"Can't scan? Type this key"</summary>
                    <p class="muted">"Account: " {account} " · Issuer: " {issuer} " · Time-based"</p>
                    <div class="copy-row">
                        <code class="secret" data-testid="secret">{secret.clone()}</code>
                        <CopyButton text=secret.replace(' ', "") />
                    </div>
                </details>
                <form class="code-form" on:submit=move |ev| { ev.prevent_default(); page.enrollment(Box::pin(activate_enrollment(code.get_untracked()))); }>
                    <label for="enroll-code">"Code from the app"</label>
                    <input id="enroll-code" class="code-input" type="text" inputmode="numeric" autocomplete="one-time-code" placeholder="123 456"
                        prop:value=code on:input=move |ev| set_code.set(event_target_value(&ev)) data-testid="enroll-code" />
                    <div class="button-row">
                        <button class="button" type="submit" disabled=move || page.busy.get() data-testid="enroll-verify">"Verify and finish"</button>
                    </div>
                </form>
            })
        }
        EnrollmentStep::EnterCode {
            kind,
            sent_to,
            resend_in,
            ..
        } => {
            let (code, set_code) = signal(String::new());
            let left = countdown(resend_in.unwrap_or(0));
            let what = match kind {
                MethodKind::Email => "emailed",
                MethodKind::Voice => "are calling",
                _ => "texted",
            };
            EitherOf6::D(view! {
                <h2>{format!("Set up {}", kind.in_sentence())}</h2>
                <p>{format!("We {what} a code to {sent_to}. Enter it to finish.")}</p>
                <form class="code-form" on:submit=move |ev| { ev.prevent_default(); page.enrollment(Box::pin(activate_enrollment(code.get_untracked()))); }>
                    <label for="enroll-code">"Code"</label>
                    <input id="enroll-code" class="code-input" type="text" inputmode="numeric" autocomplete="one-time-code" placeholder="123456"
                        prop:value=code on:input=move |ev| set_code.set(event_target_value(&ev)) data-testid="enroll-code" />
                    <div class="button-row">
                        <button class="button" type="submit" disabled=move || page.busy.get() data-testid="enroll-verify">"Verify and finish"</button>
                        <button class="button button-secondary" type="button" disabled=move || page.busy.get() || left.get() != 0
                            on:click=move |_| page.enrollment(Box::pin(resend_enrollment_code())) data-testid="enroll-resend">
                            {move || if left.get() != 0 { format!("Send again in {}s", left.get()) } else { "Send a new code".to_string() }}
                        </button>
                    </div>
                </form>
            })
        }
        EnrollmentStep::RegisterKey { options_json, .. } => {
            let (working, set_working) = signal(false);
            // Inside another site's frame the ceremony runs in a window of Keyport's own
            // (methods/popout.rs says why); the frame learns the outcome from the server.
            let in_frame = RwSignal::new(false);
            Effect::new(move |_| in_frame.set(crate::components::embed::framed()));
            // One poll for the window's outcome, stopped when it comes or the panel goes.
            let poll = StoredValue::new(None::<IntervalHandle>);
            let stop = move || {
                if let Some(h) = poll.get_value() {
                    h.clear();
                    poll.set_value(None);
                }
            };
            on_cleanup(stop);
            let pop_out = move |_| {
                page.error.set(None);
                set_working.set(true);
                crate::components::embed::open_popout("register", move |e| {
                    set_working.set(false);
                    page.error.set(Some(e));
                });
                // The window finishes the enrollment; this frame hears of it from the server.
                if poll.get_value().is_none() {
                    if let Ok(h) = set_interval_with_handle(
                        move || {
                            leptos::task::spawn_local(async move {
                                if let Ok(Some(EnrollmentStep::Done { kind, name })) =
                                    enrollment_status().await
                                {
                                    stop();
                                    set_working.set(false);
                                    page.added(kind, name);
                                }
                            });
                        },
                        Duration::from_secs(2),
                    ) {
                        poll.set_value(Some(h));
                    }
                }
            };
            let go = move |_| {
                let options = options_json.clone();
                set_working.set(true);
                leptos::task::spawn_local(async move {
                    let r = create_credential(options).await;
                    set_working.set(false);
                    match r {
                        Ok(c) => page.enrollment(Box::pin(register_key(c))),
                        Err(e) => page
                            .error
                            .set(Some(PortalError::new(ErrorCode::InvalidInput, e.message()))),
                    }
                });
            };
            EitherOf6::E(view! {
                <h2>"Add a security key or passkey"</h2>
                <p>"When you continue, your browser asks you to touch your security key, or to use your device's fingerprint, face or PIN to create a passkey."</p>
                {move || in_frame.get().then(|| view! {
                    <p class="muted" data-testid="popout-note">"Security keys are registered on Keyport's own page: a small window opens for it, then closes by itself and you come back here."</p>
                })}
                <div class="button-row">
                    {move || if in_frame.get() {
                        Either::Left(view! {
                            <button type="button" class="button" on:click=pop_out disabled=move || working.get() data-testid="register-key-popout">
                                {move || if working.get() { "Finish in the new window…" } else { "Continue in a new window" }}
                            </button>
                        })
                    } else {
                        let go = go.clone();
                        Either::Right(view! {
                            <button type="button" class="button" on:click=go disabled=move || working.get() data-testid="register-key">
                                {move || if working.get() { "Waiting for your key…" } else { "Continue" }}
                            </button>
                        })
                    }}
                </div>
            })
        }
        EnrollmentStep::Done { kind, name } => EitherOf6::F(view! {
            <p class="notice notice-ok">{format!("{} added: {name}.", kind.label())}</p>
        }),
    };
    view! {
        <section class="card enroll" data-testid="enroll-panel">
            {body}
            <div class="button-row">
                <button type="button" class="button-link" on:click=cancel data-testid="enroll-cancel">"Cancel"</button>
            </div>
        </section>
    }
}

#[component]
fn TestPanel(step: TestStep, page: Page) -> impl IntoView {
    let close = move |_| page.panel.set(Panel::None);
    let body = match step {
        TestStep::Passed { name } => Either::Left(view! {
            <p class="notice notice-ok" data-testid="test-passed">{format!("It works: {name} verified you.")}</p>
        }),
        TestStep::Challenge { factor, challenge } => {
            let fid = factor.id.clone();
            let actions = ChallengeActions {
                submit: Callback::new(move |code: String| page.test(Box::pin(test_code(code)))),
                resend: Callback::new(move |_| page.test(Box::pin(test_start(fid.clone())))),
                poll: Callback::new(move |_| {
                    if !page.busy.get_untracked() {
                        page.test(Box::pin(test_poll()))
                    }
                }),
                key: Callback::new(move |c| page.test(Box::pin(test_key(c)))),
                key_error: Callback::new(move |m: String| {
                    page.error
                        .set(Some(PortalError::new(ErrorCode::InvalidInput, m)))
                }),
                other: None,
                plain_form: None,
            };
            Either::Right(view! { <ChallengePanel factor challenge actions busy=page.busy /> })
        }
    };
    view! {
        <section class="card" data-testid="test-panel">
            <h2>"Test a method"</h2>
            {body}
            <div class="button-row"><button type="button" class="button-link" on:click=close data-testid="test-close">"Close"</button></div>
        </section>
    }
}

#[component]
fn RemovePanel(method: Method, page: Page) -> impl IntoView {
    let (keep, set_keep) = signal(true);
    let id = method.id.clone();
    let name = method
        .nickname
        .clone()
        .unwrap_or_else(|| method.name.clone());
    view! {
        <section class="card confirm" data-testid="remove-panel" role="alertdialog" aria-labelledby="remove-heading">
            <h2 id="remove-heading">{format!("Remove {name}?")}</h2>
            <p>{format!("You won't be able to sign in with this {} any more.", method.kind.in_sentence())}</p>
            {method.removal_note.clone().map(|n| view! { <p class="notice notice-warn" data-testid="removal-note">{n}</p> })}
            {method.recovery_choice.then(|| view! {
                <label class="checkbox">
                    <input type="checkbox" prop:checked=keep on:change=move |ev| set_keep.set(event_target_checked(&ev)) data-testid="keep-recovery" />
                    " Keep this number for account recovery (password resets)"
                </label>
            })}
            <div class="button-row">
                <button type="button" class="button button-danger" disabled=move || page.busy.get()
                    on:click=move |_| page.sensitive(Sensitive::Remove { id: id.clone(), keep_recovery: keep.get_untracked() })
                    data-testid="confirm-remove">"Remove"</button>
                <button type="button" class="button button-secondary" on:click=move |_| page.panel.set(Panel::None)>"Keep it"</button>
            </div>
        </section>
    }
}

#[component]
fn RenamePanel(method: Method, page: Page) -> impl IntoView {
    let (name, set_name) = signal(method.nickname.clone().unwrap_or_default());
    let id = method.id.clone();
    view! {
        <section class="card" data-testid="rename-panel">
            <h2>{format!("Name “{}”", method.name)}</h2>
            <form class="form" on:submit=move |ev| { ev.prevent_default(); page.sensitive(Sensitive::Rename { id: id.clone(), nickname: name.get_untracked() }); }>
                <label for="nickname">"Name " <span class="hint">"(shown only to you; leave empty to remove it)"</span></label>
                <input id="nickname" type="text" maxlength="40" prop:value=name on:input=move |ev| set_name.set(event_target_value(&ev)) data-testid="nickname" />
                <div class="button-row">
                    <button class="button" type="submit" disabled=move || page.busy.get() data-testid="save-name">"Save"</button>
                    <button class="button button-secondary" type="button" on:click=move |_| page.panel.set(Panel::None)>"Cancel"</button>
                </div>
            </form>
        </section>
    }
}

/// Countries offered for phone numbers (the number may also be typed with its + code).
const COUNTRIES: &[(&str, &str)] = &[
    ("US", "United States (+1)"),
    ("CA", "Canada (+1)"),
    ("GB", "United Kingdom (+44)"),
    ("IE", "Ireland (+353)"),
    ("FR", "France (+33)"),
    ("DE", "Germany (+49)"),
    ("ES", "Spain (+34)"),
    ("IT", "Italy (+39)"),
    ("NL", "Netherlands (+31)"),
    ("BE", "Belgium (+32)"),
    ("CH", "Switzerland (+41)"),
    ("SE", "Sweden (+46)"),
    ("NO", "Norway (+47)"),
    ("DK", "Denmark (+45)"),
    ("PL", "Poland (+48)"),
    ("PT", "Portugal (+351)"),
    ("AU", "Australia (+61)"),
    ("NZ", "New Zealand (+64)"),
    ("IN", "India (+91)"),
    ("JP", "Japan (+81)"),
    ("SG", "Singapore (+65)"),
    ("BR", "Brazil (+55)"),
    ("MX", "Mexico (+52)"),
    ("ZA", "South Africa (+27)"),
];

#[component]
fn AddForm(kind: MethodKind, page: Page) -> impl IntoView {
    let view_data = page.view.get_untracked().ok();
    let emails = view_data
        .as_ref()
        .map(|v| v.emails.clone())
        .unwrap_or_default();
    let questions = view_data
        .as_ref()
        .map(|v| v.questions.clone())
        .unwrap_or_default();
    let (phone, set_phone) = signal(String::new());
    let (country, set_country) = signal("US".to_string());
    let (extension, set_extension) = signal(String::new());
    let (email, set_email) = signal(emails.first().cloned().unwrap_or_default());
    let (question, set_question) =
        signal(questions.first().map(|q| q.0.clone()).unwrap_or_default());
    let (answer, set_answer) = signal(String::new());
    let (replace, set_replace) = signal(false);
    let answer_rule_class = move || {
        if answer.get().trim().chars().count() < 4 {
            "rule"
        } else {
            "rule rule-ok"
        }
    };
    let field_error = move |f: &'static str| {
        move || {
            page.error
                .get()
                .filter(|e| e.field.as_deref() == Some(f))
                .map(|e| view! { <p class="field-error">{e.message}</p> })
        }
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let req = EnrollRequest {
            kind: Some(kind),
            phone: Some(phone.get_untracked()),
            country: Some(country.get_untracked()),
            extension: Some(extension.get_untracked()),
            replace_phone: replace.get_untracked(),
            email: Some(email.get_untracked()),
            question: Some(question.get_untracked()),
            answer: Some(answer.get_untracked()),
            shared_secret: None,
        };
        page.sensitive(Sensitive::Enroll(req));
    };
    let fields = match kind {
        MethodKind::Sms | MethodKind::Voice => EitherOf4::A(view! {
            <label for="country">"Country"</label>
            <select id="country" on:change=move |ev| set_country.set(event_target_value(&ev)) data-testid="country">
                {COUNTRIES.iter().map(|(code, name)| view! { <option value=*code selected=*code == "US">{*name}</option> }).collect_view()}
            </select>
            <label for="phone">"Phone number " <span class="hint">"(or type it with its + country code)"</span></label>
            <input id="phone" type="tel" autocomplete="tel" placeholder="(415) 555-0134" prop:value=phone
                on:input=move |ev| set_phone.set(event_target_value(&ev)) data-testid="phone" />
            {field_error("phone")}
            {(kind == MethodKind::Voice).then(|| view! {
                <label for="extension">"Extension " <span class="hint">"(optional)"</span></label>
                <input id="extension" type="text" inputmode="numeric" prop:value=extension
                    on:input=move |ev| set_extension.set(event_target_value(&ev)) data-testid="extension" />
                {field_error("extension")}
            })}
            <label class="checkbox">
                <input type="checkbox" prop:checked=replace on:change=move |ev| set_replace.set(event_target_checked(&ev)) data-testid="replace-phone" />
                " Replace my current phone number"
            </label>
        }),
        MethodKind::Email => EitherOf4::B(view! {
            <label for="email">"Email address"</label>
            <select id="email" on:change=move |ev| set_email.set(event_target_value(&ev)) data-testid="email">
                {emails.iter().map(|e| view! { <option value=e.clone()>{e.clone()}</option> }).collect_view()}
            </select>
            <p class="hint">"Only your verified addresses can be used."</p>
        }),
        MethodKind::SecurityQuestion => EitherOf4::C(view! {
            <label for="question">"Question"</label>
            <select id="question" on:change=move |ev| set_question.set(event_target_value(&ev)) data-testid="question">
                {questions.iter().map(|(k, t)| view! { <option value=k.clone()>{t.clone()}</option> }).collect_view()}
            </select>
            <label for="answer">"Answer"</label>
            <input id="answer" type="text" autocomplete="off" prop:value=answer on:input=move |ev| set_answer.set(event_target_value(&ev)) data-testid="answer" />
            <ul class="checklist">
                <li class=answer_rule_class>"At least 4 characters"</li>
                <li class="rule">"Not your password, and not the question itself"</li>
            </ul>
            {field_error("answer")}
        }),
        _ => EitherOf4::D(()),
    };
    view! {
        <section class="card" data-testid="add-form">
            <h2>{format!("Add {}", kind.in_sentence())}</h2>
            <form class="form" on:submit=submit>
                {fields}
                <div class="button-row">
                    <button class="button" type="submit" disabled=move || page.busy.get() data-testid="add-continue">"Continue"</button>
                    <button class="button button-secondary" type="button" on:click=move |_| page.panel.set(Panel::None)>"Cancel"</button>
                </div>
            </form>
        </section>
    }
}
