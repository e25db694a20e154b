//! Password and account details: change the password against the org's live rules, the
//! username where allowed, and the profile basics. Each change asks the person to confirm it is
//! them first when their last verification is not recent, then goes ahead by itself.

use crate::api::account::{change_login, change_password, load_account, update_profile};
use crate::components::layout::{signed_in_user, use_session};
use crate::components::notice::ErrorNotice;
use crate::components::password_rules::{all_met, PasswordChecklist};
use crate::components::reverify::ReverifyPanel;
use crate::error::{ErrorCode, PortalError};
use crate::model::account::{AccountView, ProfileUpdate};
use leptos::either::Either;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;

/// A change that may need a fresh verification first; kept so it can run again after.
#[derive(Clone, Debug, PartialEq)]
enum Change {
    Password {
        old: String,
        new: String,
        sign_out_others: bool,
    },
    Login(String),
    Profile(ProfileUpdate),
}

/// The page's shared state.
#[derive(Clone, Copy)]
struct AccountState {
    /// The account as last loaded: first by the server (the island's prop), then after every
    /// change.
    view: RwSignal<Result<AccountView, PortalError>>,
    error: RwSignal<Option<PortalError>>,
    notice: RwSignal<Option<String>>,
    busy: RwSignal<bool>,
    /// A change waiting for the person to confirm it is them.
    pending: RwSignal<Option<Change>>,
    /// Bumped after a password change, so the password form empties itself.
    password_done: RwSignal<u32>,
}

impl AccountState {
    fn run(&self, change: Change) {
        let page = *self;
        page.busy.set(true);
        page.notice.set(None);
        leptos::task::spawn_local(async move {
            let result = match change.clone() {
                Change::Password {
                    old,
                    new,
                    sign_out_others,
                } => change_password(old, new, sign_out_others).await.map(|()| {
                    page.password_done.update(|n| *n += 1);
                    if sign_out_others {
                        "Password changed. Your other sessions have been signed out.".to_string()
                    } else {
                        "Password changed.".to_string()
                    }
                }),
                Change::Login(login) => change_login(login)
                    .await
                    .map(|login| format!("Username changed. You now sign in as {login}.")),
                Change::Profile(update) => update_profile(update)
                    .await
                    .map(|()| "Profile saved.".to_string()),
            };
            page.busy.set(false);
            match result {
                Ok(message) => {
                    page.error.set(None);
                    page.pending.set(None);
                    page.notice.set(Some(message));
                    page.view.set(load_account().await);
                }
                Err(e) if e.code == ErrorCode::ReverificationRequired => {
                    page.error.set(None);
                    page.pending.set(Some(change));
                }
                Err(e) => page.error.set(Some(e)),
            }
        });
    }
}

#[component]
pub fn AccountPage() -> impl IntoView {
    let session = use_session();
    // The island's first state, loaded for a signed-in person only.
    let page = Resource::new_blocking(
        || (),
        move |_| async move {
            signed_in_user(session).await?;
            Some(load_account().await)
        },
    );
    view! {
        <Title text="Password and account" />
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Some(initial) => view! { <AccountSections initial /> }.into_any(),
                    None => view! { <Redirect path="/signin" /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The page's one island: every card, and the confirmation a change may need.
#[island]
fn AccountSections(initial: Result<AccountView, PortalError>) -> impl IntoView {
    let page = AccountState {
        view: RwSignal::new(initial),
        error: RwSignal::new(None),
        notice: RwSignal::new(None),
        busy: RwSignal::new(false),
        pending: RwSignal::new(None),
        password_done: RwSignal::new(0),
    };
    view! {
        <section class="card intro">
            <h1>"Password and account"</h1>
            <p class="lead">"Change your password, your username and the details your organization keeps about you."</p>
            <p><a href="/" class="link">"← Your sign-in methods"</a></p>
        </section>
        {move || page.notice.get().map(|n| view! {
            <div class="notice notice-ok" role="status" data-testid="notice">{n}</div>
        })}
        {move || page.pending.get().map(|change| view! {
            <ReverifyPanel
                on_verified=Callback::new(move |_| { page.pending.set(None); page.run(change.clone()); })
                on_cancel=Callback::new(move |_| page.pending.set(None)) />
        })}
        {move || match page.view.get() {
            Ok(v) => Either::Left(view! {
                <PasswordCard view=v.clone() page />
                <LoginCard view=v.clone() page />
                <ProfileCard view=v.clone() page />
                <NoticesCard view=v />
            }),
            Err(e) => Either::Right(view! { <ErrorNotice error=Signal::derive(move || Some(e.clone())) /> }),
        }}
    }
}

/// The error of the last change, when it is about one of `fields`.
fn error_for(page: AccountState, fields: &'static [&'static str]) -> Signal<Option<PortalError>> {
    Signal::derive(move || {
        page.error.get().filter(|e| {
            e.field.as_deref().is_some_and(|f| {
                fields.contains(&f) || (fields.contains(&"newPassword") && is_rule(f))
            })
        })
    })
}

/// A password checklist rule id (`PortalError::field` names the rule a refusal broke).
fn is_rule(field: &str) -> bool {
    matches!(
        field,
        "minLength"
            | "minLowerCase"
            | "minUpperCase"
            | "minNumber"
            | "minSymbol"
            | "excludeUsername"
            | "history"
    )
}

#[component]
fn PasswordCard(view: AccountView, page: AccountState) -> impl IntoView {
    let old = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let confirm = RwSignal::new(String::new());
    let sign_out_others = RwSignal::new(true);
    let login = view.login.clone();
    let username = Signal::derive({
        let login = login.clone();
        move || login.clone()
    });
    // A successful change empties the form.
    Effect::new(move |prev: Option<u32>| {
        let n = page.password_done.get();
        if prev.is_some_and(|p| p != n) {
            old.set(String::new());
            new.set(String::new());
            confirm.set(String::new());
        }
        n
    });
    let rules = view.rules.clone();
    let ready = {
        let rules = rules.clone();
        let login = login.clone();
        move || {
            let n = new.get();
            !old.get().is_empty()
                && !n.is_empty()
                && n == confirm.get()
                && rules.as_ref().is_none_or(|r| all_met(r, &n, &login))
        }
    };
    let refused = Signal::derive(move || {
        page.error
            .get()
            .and_then(|e| e.field)
            .filter(|f| is_rule(f))
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        page.error.set(None);
        page.run(Change::Password {
            old: old.get_untracked(),
            new: new.get_untracked(),
            sign_out_others: sign_out_others.get_untracked(),
        });
    };
    let mismatch = move || !confirm.get().is_empty() && confirm.get() != new.get();
    view! {
        <section class="card" aria-labelledby="password-heading" data-testid="password-card">
            <h2 id="password-heading">"Password"</h2>
            <form class="form" on:submit=submit>
                <label for="old-password">"Current password"</label>
                <input id="old-password" type="password" autocomplete="current-password" data-testid="old-password"
                    prop:value=move || old.get() on:input=move |ev| old.set(event_target_value(&ev)) />
                <ErrorNotice error=error_for(page, &["oldPassword"]) />
                <label for="new-password">"New password"</label>
                <input id="new-password" type="password" autocomplete="new-password" data-testid="new-password"
                    aria-describedby="password-rules"
                    prop:value=move || new.get() on:input=move |ev| new.set(event_target_value(&ev)) />
                {rules.map(|r| view! { <div id="password-rules"><PasswordChecklist rules=r password=new username refused /></div> })}
                <ErrorNotice error=error_for(page, &["newPassword"]) />
                <label for="confirm-password">"New password again"</label>
                <input id="confirm-password" type="password" autocomplete="new-password" data-testid="confirm-password"
                    prop:value=move || confirm.get() on:input=move |ev| confirm.set(event_target_value(&ev)) />
                {move || mismatch().then(|| view! { <p class="field-hint field-error" data-testid="mismatch">"The two new passwords are not the same."</p> })}
                <label class="checkbox">
                    <input type="checkbox" data-testid="sign-out-others"
                        prop:checked=move || sign_out_others.get()
                        on:change=move |ev| sign_out_others.set(event_target_checked(&ev)) />
                    " Sign out my other sessions (other browsers and devices)"
                </label>
                <div class="button-row">
                    <button type="submit" class="button" data-testid="change-password-submit"
                        disabled=move || page.busy.get() || !ready()>
                        "Change password"
                    </button>
                </div>
            </form>
        </section>
    }
}

#[component]
fn LoginCard(view: AccountView, page: AccountState) -> impl IntoView {
    let login = RwSignal::new(String::new());
    let current = view.login.clone();
    let body = if view.can_change_login {
        Either::Left(view! {
            <form class="form" novalidate on:submit=move |ev: leptos::ev::SubmitEvent| {
                ev.prevent_default();
                page.error.set(None);
                page.run(Change::Login(login.get_untracked()));
            }>
                <p>"You sign in as " <strong data-testid="current-login">{current.clone()}</strong> "."</p>
                <label for="new-login">"New username"</label>
                <input id="new-login" type="email" autocomplete="username" data-testid="new-login"
                    prop:value=move || login.get() on:input=move |ev| login.set(event_target_value(&ev)) />
                <ErrorNotice error=error_for(page, &["login"]) />
                <div class="button-row">
                    <button type="submit" class="button button-secondary" data-testid="change-login-submit"
                        disabled=move || page.busy.get() || login.get().trim().is_empty()>
                        "Change username"
                    </button>
                </div>
            </form>
        })
    } else {
        Either::Right(view! {
            <p>"You sign in as " <strong data-testid="current-login">{current.clone()}</strong> ". "
               "To change it, ask your help desk."</p>
        })
    };
    view! {
        <section class="card" aria-labelledby="login-heading" data-testid="login-card">
            <h2 id="login-heading">"Username"</h2>
            {body}
        </section>
    }
}

#[component]
fn ProfileCard(view: AccountView, page: AccountState) -> impl IntoView {
    let first = RwSignal::new(view.first_name.clone());
    let last = RwSignal::new(view.last_name.clone());
    let second = RwSignal::new(view.second_email.clone().unwrap_or_default());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        page.error.set(None);
        page.run(Change::Profile(ProfileUpdate {
            first_name: first.get_untracked(),
            last_name: last.get_untracked(),
            second_email: second.get_untracked(),
        }));
    };
    view! {
        <section class="card" aria-labelledby="profile-heading" data-testid="profile-card">
            <h2 id="profile-heading">"Profile"</h2>
            <form class="form" novalidate on:submit=submit>
                <label for="first-name">"First name"</label>
                <input id="first-name" type="text" autocomplete="given-name" data-testid="first-name"
                    prop:value=move || first.get() on:input=move |ev| first.set(event_target_value(&ev)) />
                <ErrorNotice error=error_for(page, &["firstName"]) />
                <label for="last-name">"Last name"</label>
                <input id="last-name" type="text" autocomplete="family-name" data-testid="last-name"
                    prop:value=move || last.get() on:input=move |ev| last.set(event_target_value(&ev)) />
                <ErrorNotice error=error_for(page, &["lastName"]) />
                <p class="muted">"Primary email: " <span data-testid="primary-email">{view.email.clone()}</span>
                    " (your organization manages it)."</p>
                <label for="second-email">"Secondary email (optional)"</label>
                <input id="second-email" type="email" autocomplete="email" data-testid="second-email"
                    prop:value=move || second.get() on:input=move |ev| second.set(event_target_value(&ev)) />
                <ErrorNotice error=error_for(page, &["secondEmail"]) />
                <div class="button-row">
                    <button type="submit" class="button button-secondary" data-testid="profile-submit"
                        disabled=move || page.busy.get()>
                        "Save profile"
                    </button>
                </div>
            </form>
        </section>
    }
}

#[component]
fn NoticesCard(view: AccountView) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="notices-heading" data-testid="notices-card">
            <h2 id="notices-heading">"Security emails"</h2>
            {match view.notices_to {
                Some(to) => Either::Left(view! {
                    <p>"When your password changes, or a sign-in method is added or removed, we email "
                       <strong>{to}</strong> ". If you ever get one you didn't expect, change your password."</p>
                }),
                None => Either::Right(view! {
                    <p>"Your organization emails you itself when your password or sign-in methods change."</p>
                }),
            }}
        </section>
    }
}
