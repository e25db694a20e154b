//! The admin area: the org's authenticators, and the help desk.
//!
//! Only members of the admin group see it. The server decides (every server function here
//! answers 404 to anyone else); the pages ask the server too, and draw the "page not found"
//! page, with status 404, for everyone else, so the admin area looks absent rather than
//! forbidden.

use crate::api::admin::{
    admin_access, helpdesk_add_hardware_token, helpdesk_issue_access_code, helpdesk_remove_method,
    helpdesk_reset_methods, helpdesk_unlock, load_authenticators, load_helpdesk_user, search_users,
    set_authenticator_active,
};
use crate::components::activity::{short_date, ActivityList};
use crate::components::copy_button::CopyButton;
use crate::components::icons::MethodIcon;
use crate::components::notice::ErrorNotice;
use crate::components::reverify::ReverifyPanel;
use crate::error::{ErrorCode, PortalError};
use crate::model::admin::{
    AuthenticatorRow, AuthenticatorsView, HelpdeskUser, IssuedAccessCode, UserHit,
};
use crate::model::methods::{Method, MethodStatus};
use crate::model::Pipeline;
use crate::pages::not_found::NotFound;
use leptos::either::{Either, EitherOf3};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// Draws `children` for an admin, the not-found page (status 404) for anyone else.
#[component]
fn AdminGate(children: ChildrenFn) -> impl IntoView {
    // Blocking: the answer decides the response status, so it must be known before the
    // page starts streaming.
    let access = Resource::new_blocking(|| (), |_| admin_access());
    let children = StoredValue::new(children);
    view! {
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match access.await {
                    Ok(true) => children.with_value(|c| c()).into_any(),
                    _ => view! { <NotFound /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn AdminNav(current: &'static str) -> impl IntoView {
    let link = move |href: &'static str, label: &'static str| {
        let here = href == current;
        view! {
            <a href=href class=if here { "tab tab-current" } else { "tab" }
                aria-current=here.then_some("page")>{label}</a>
        }
    };
    view! {
        <section class="card intro">
            <h1>"Admin"</h1>
            <nav class="tabs" aria-label="Admin sections">
                {link("/admin", "Authenticators")}
                {link("/admin/helpdesk", "Help desk")}
            </nav>
        </section>
    }
}

/// An admin change that may need a fresh verification first; kept so it can run again.
#[derive(Clone, Debug, PartialEq)]
enum Change {
    SetAuthenticator {
        id: String,
        name: String,
        active: bool,
    },
    RemoveMethod {
        user_id: String,
        method_id: String,
        name: String,
    },
    Reset {
        user_id: String,
        confirmation: String,
    },
    Unlock {
        user_id: String,
    },
    IssueCode {
        user_id: String,
    },
    AddToken {
        user_id: String,
        secret: String,
        code: String,
    },
}

/// State shared by the admin pages' parts.
#[derive(Clone, Copy)]
struct AdminState {
    error: RwSignal<Option<PortalError>>,
    notice: RwSignal<Option<String>>,
    busy: RwSignal<bool>,
    /// A change waiting for the admin to confirm it is them.
    pending: RwSignal<Option<Change>>,
    /// The temporary access code just issued (shown once).
    issued: RwSignal<Option<IssuedAccessCode>>,
    /// Bumped after every successful change: the page reloads what it shows.
    done: RwSignal<u32>,
}

impl AdminState {
    fn new() -> Self {
        AdminState {
            error: RwSignal::new(None),
            notice: RwSignal::new(None),
            busy: RwSignal::new(false),
            pending: RwSignal::new(None),
            issued: RwSignal::new(None),
            done: RwSignal::new(0),
        }
    }

    fn run(&self, change: Change) {
        let page = *self;
        page.busy.set(true);
        page.notice.set(None);
        page.issued.set(None);
        leptos::task::spawn_local(async move {
            let result: Result<Option<String>, PortalError> = match change.clone() {
                Change::SetAuthenticator { id, name, active } => {
                    set_authenticator_active(id, active).await.map(|_| {
                        Some(if active {
                            format!("{name} is on. People can add it now.")
                        } else {
                            format!("{name} is off. People are no longer offered it.")
                        })
                    })
                }
                Change::RemoveMethod {
                    user_id,
                    method_id,
                    name,
                } => helpdesk_remove_method(user_id, method_id)
                    .await
                    .map(|()| Some(format!("{name} removed."))),
                Change::Reset {
                    user_id,
                    confirmation,
                } => helpdesk_reset_methods(user_id, confirmation).await.map(|()| {
                    Some("Every sign-in method was removed. The user will set up new ones at their next sign-in.".into())
                }),
                Change::Unlock { user_id } => helpdesk_unlock(user_id)
                    .await
                    .map(|()| Some("Account unlocked.".into())),
                Change::IssueCode { user_id } => {
                    helpdesk_issue_access_code(user_id).await.map(|code| {
                        page.issued.set(Some(code));
                        None
                    })
                }
                Change::AddToken {
                    user_id,
                    secret,
                    code,
                } => helpdesk_add_hardware_token(user_id, secret, code)
                    .await
                    .map(|()| Some("Hardware token registered.".into())),
            };
            page.busy.set(false);
            match result {
                Ok(message) => {
                    page.error.set(None);
                    page.pending.set(None);
                    page.notice.set(message);
                    page.done.update(|n| *n += 1);
                }
                Err(e) if e.code == ErrorCode::ReverificationRequired => {
                    page.error.set(None);
                    page.pending.set(Some(change));
                }
                Err(e) => page.error.set(Some(e)),
            }
        });
    }

    /// The notice, the error and the "confirm it's you" panel, where the admin is looking.
    fn messages(&self) -> impl IntoView {
        let page = *self;
        view! {
            {move || page.notice.get().map(|n| view! {
                <div class="notice notice-ok" role="status" data-testid="notice">{n}</div>
            })}
            <ErrorNotice error=page.error />
            {move || page.pending.get().map(|change| view! {
                <ReverifyPanel
                    on_verified=Callback::new(move |_| { page.pending.set(None); page.run(change.clone()); })
                    on_cancel=Callback::new(move |_| page.pending.set(None)) />
            })}
        }
    }
}

/// `/admin`: the org's authenticators.
#[component]
pub fn AdminPage() -> impl IntoView {
    view! {
        <Title text="Admin: authenticators" />
        <AdminGate>
            <AdminNav current="/admin" />
            <AuthenticatorsLoaded />
        </AdminGate>
    }
}

/// Loads the authenticators on the server, for the island's first state.
#[component]
fn AuthenticatorsLoaded() -> impl IntoView {
    let list = Resource::new_blocking(|| (), |_| load_authenticators());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let initial = list.await;
                view! { <Authenticators initial /> }
            })}
        </Suspense>
    }
}

/// Reloads what an admin island shows after each change it made (`AdminState::done`); the
/// first state came from the server with the page.
fn reload_after_changes<T: Send + Sync + 'static, Fut>(
    page: AdminState,
    shown: RwSignal<T>,
    load: impl Fn() -> Fut + 'static,
) where
    Fut: std::future::Future<Output = T> + 'static,
{
    Effect::new(move |seen: Option<u32>| {
        let done = page.done.get();
        if seen.is_some_and(|seen| seen != done) {
            let next = load();
            leptos::task::spawn_local(async move { shown.set(next.await) });
        }
        done
    });
}

/// The authenticators card: the `/admin` page's island.
#[island]
fn Authenticators(initial: Result<AuthenticatorsView, PortalError>) -> impl IntoView {
    let page = AdminState::new();
    let list = RwSignal::new(initial);
    reload_after_changes(page, list, load_authenticators);
    let confirm = RwSignal::new(None::<AuthenticatorRow>);
    view! {
        {page.messages()}
        {move || confirm.get().map(|a| {
            let (id, name) = (a.id.clone(), a.name.clone());
            view! {
                <section class="card confirm" role="alertdialog" aria-labelledby="deactivate-heading" data-testid="confirm-deactivate">
                    <h2 id="deactivate-heading">{format!("Turn off {}?", a.name)}</h2>
                    <p>"People will no longer be offered it when they add a sign-in method, and Okta stops accepting it. Those who set it up keep their enrollment, and can use it again once you turn it back on."</p>
                    <div class="button-row">
                        <button type="button" class="button button-danger" disabled=move || page.busy.get()
                            on:click=move |_| {
                                confirm.set(None);
                                page.run(Change::SetAuthenticator { id: id.clone(), name: name.clone(), active: false });
                            }
                            data-testid="confirm-deactivate-button">"Turn off"</button>
                        <button type="button" class="button button-secondary" on:click=move |_| confirm.set(None)>"Keep it on"</button>
                    </div>
                </section>
            }
        })}
        {move || match list.get() {
            Ok(v) => Either::Left(view! { <AuthenticatorList view=v page confirm /> }),
            Err(e) => Either::Right(view! { <ErrorNotice error=Signal::derive(move || Some(e.clone())) /> }),
        }}
    }
}

#[component]
fn AuthenticatorList(
    view: AuthenticatorsView,
    page: AdminState,
    confirm: RwSignal<Option<AuthenticatorRow>>,
) -> impl IntoView {
    if view.pipeline == Some(Pipeline::Classic) {
        return Either::Left(view! {
            <section class="card" data-testid="authenticators">
                <h2>"Authenticators"</h2>
                <p class="notice notice-info">"This org runs Okta Classic Engine, which has no authenticators: its factors are turned on and off in the Okta Admin Console (Security › Multifactor). The help desk works the same in both."</p>
            </section>
        });
    }
    Either::Right(view! {
        <section class="card" aria-labelledby="authenticators-heading" data-testid="authenticators">
            <h2 id="authenticators-heading">"Authenticators"</h2>
            <p class="muted">"What people may use to sign in. Turning one off removes it from everyone's choices at once."</p>
            <ul class="method-list">
                {view.authenticators.into_iter().map(|a| {
                    let row = a.clone();
                    let (id, name) = (a.id.clone(), a.name.clone());
                    let methods = a.methods.iter()
                        .map(|(m, on)| if *on { m.clone() } else { format!("{m} (off)") })
                        .collect::<Vec<_>>()
                        .join(", ");
                    view! {
                        <li class="method" data-testid="authenticator" data-key=a.key.clone() data-active=a.active.to_string()>
                            <div class="method-body">
                                <div class="method-title">
                                    <strong>{a.name.clone()}</strong>
                                    {if a.active {
                                        Either::Left(view! { <span class="badge">"On"</span> })
                                    } else {
                                        Either::Right(view! { <span class="badge badge-warn">"Off"</span> })
                                    }}
                                </div>
                                <div class="method-meta muted">
                                    <code>{a.key.clone()}</code>
                                    {format!(" · {}", a.kind)}
                                    {a.allowed_for.clone().map(|f| format!(" · {f}"))}
                                </div>
                                {(!methods.is_empty()).then(|| view! { <div class="muted">{format!("Methods: {methods}")}</div> })}
                            </div>
                            <div class="method-actions">
                                {a.can_deactivate.then(|| view! {
                                    <button type="button" class="button button-danger-outline button-small" disabled=move || page.busy.get()
                                        on:click=move |_| { page.notice.set(None); page.error.set(None); confirm.set(Some(row.clone())) }
                                        data-testid="deactivate">"Turn off"</button>
                                })}
                                {a.can_activate.then(|| view! {
                                    <button type="button" class="button button-secondary button-small" disabled=move || page.busy.get()
                                        on:click=move |_| page.run(Change::SetAuthenticator { id: id.clone(), name: name.clone(), active: true })
                                        data-testid="activate">"Turn on"</button>
                                })}
                            </div>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    })
}

/// `/admin/helpdesk`: find a user (`?q=`), then help them (`?user=`). Both live in the
/// address, so a reload or a shared link keeps the place.
#[component]
pub fn HelpdeskPage() -> impl IntoView {
    view! {
        <Title text="Admin: help desk" />
        <AdminGate>
            <AdminNav current="/admin/helpdesk" />
            <Helpdesk />
        </AdminGate>
    }
}

/// The help desk: the search is a plain form and its results are server HTML; the chosen
/// user is an island.
#[component]
fn Helpdesk() -> impl IntoView {
    let query = use_query_map();
    let q = query.with_untracked(|m| m.get("q")).unwrap_or_default();
    let user_id = query
        .with_untracked(|m| m.get("user"))
        .filter(|u| !u.is_empty());
    let search = q.clone();
    let hits = Resource::new_blocking(
        || (),
        move |_| {
            let q = search.clone();
            async move {
                if q.trim().is_empty() {
                    Ok(None)
                } else {
                    search_users(q).await.map(Some)
                }
            }
        },
    );
    let chosen = user_id.clone();
    let user = Resource::new_blocking(
        || (),
        move |_| {
            let id = chosen.clone();
            async move {
                match id {
                    Some(id) => load_helpdesk_user(id).await.map(Some),
                    None => Ok(None),
                }
            }
        },
    );
    view! {
        <section class="card" aria-labelledby="find-heading">
            <h2 id="find-heading">"Find a user"</h2>
            <form class="form search-form" method="get" action="/admin/helpdesk" role="search">
                <label for="helpdesk-q">"Name, username or email"</label>
                <div class="copy-row">
                    <input id="helpdesk-q" name="q" type="search" autocomplete="off" value=q data-testid="helpdesk-search" />
                    <button class="button" type="submit" data-testid="helpdesk-search-submit">"Search"</button>
                </div>
            </form>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match hits.await {
                        Ok(Some(hits)) => view! { <UserHits hits /> }.into_any(),
                        Ok(None) => ().into_any(),
                        Err(e) => view! { <StaticError error=e /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
        <Suspense fallback=|| ()>
            {move || {
                let user_id = user_id.clone();
                Suspend::new(async move {
                    match (user_id, user.await) {
                        (Some(user_id), initial @ (Ok(Some(_)) | Err(_))) => {
                            view! { <HelpdeskUserPanel user_id initial /> }.into_any()
                        }
                        _ => ().into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

/// An error drawn by the server, outside any island.
#[component]
fn StaticError(error: PortalError) -> impl IntoView {
    view! { <ErrorNotice error=Signal::derive(move || Some(error.clone())) /> }
}

/// The chosen user, and everything the help desk can do for them: `/admin/helpdesk`'s island.
#[island]
fn HelpdeskUserPanel(
    user_id: String,
    initial: Result<Option<HelpdeskUser>, PortalError>,
) -> impl IntoView {
    let page = AdminState::new();
    let user = RwSignal::new(initial);
    reload_after_changes(page, user, move || {
        let id = user_id.clone();
        async move { load_helpdesk_user(id).await.map(Some) }
    });
    view! {
        {page.messages()}
        {move || match user.get() {
            Ok(Some(u)) => EitherOf3::A(view! { <UserPanel user=u page /> }),
            Ok(None) => EitherOf3::B(()),
            Err(e) => EitherOf3::C(view! { <ErrorNotice error=Signal::derive(move || Some(e.clone())) /> }),
        }}
    }
}

#[component]
fn UserHits(hits: Vec<UserHit>) -> impl IntoView {
    if hits.is_empty() {
        return view! { <p class="muted" data-testid="no-hits">"No one matches. Try part of the name, the username or the email address."</p> }.into_any();
    }
    view! {
        <ul class="choice-list" data-testid="hits">
            {hits.into_iter().map(|h| view! {
                <li>
                    <a class="choice" href=format!("/admin/helpdesk?user={}", h.id) data-testid="hit">
                        <span class="choice-text">
                            <strong>{h.display_name.clone()}</strong>
                            <span class="muted">{format!("{} · {}", h.login, h.status)}</span>
                        </span>
                    </a>
                </li>
            }).collect_view()}
        </ul>
    }
    .into_any()
}

#[component]
fn UserPanel(user: HelpdeskUser, page: AdminState) -> impl IntoView {
    let u = user.user.clone();
    let uid = StoredValue::new(u.id.clone());
    let login = u.login.clone();
    let confirm_remove = RwSignal::new(None::<String>);
    let has_methods = !user.methods.is_empty();
    view! {
        <section class="card" aria-labelledby="user-heading" data-testid="helpdesk-user">
            <h2 id="user-heading">{u.display_name.clone()}</h2>
            <p class="muted">
                {u.login.clone()}
                {(u.email != u.login && !u.email.is_empty()).then(|| format!(" · {}", u.email))}
                " · " <span data-testid="user-status">{u.status.clone()}</span>
            </p>
            {user.locked_out.then(|| view! {
                <div class="notice notice-warn">
                    <span>"This account is locked after too many failed sign-ins. "</span>
                    <button type="button" class="button button-small" disabled=move || page.busy.get()
                        on:click=move |_| page.run(Change::Unlock { user_id: uid.get_value() })
                        data-testid="unlock">"Unlock"</button>
                </div>
            })}
            <h3>"Sign-in methods"</h3>
            {(!has_methods).then(|| view! { <p class="muted" data-testid="no-methods">"No sign-in methods besides the password."</p> })}
            <ul class="method-list">
                {user.methods.into_iter().map(|m| view! { <HelpdeskMethod method=m user_id=uid page confirm_remove /> }).collect_view()}
            </ul>
        </section>
        {user.can_issue_tac.then(|| view! { <AccessCodeCard user_id=uid page /> })}
        {user.can_add_hardware_token.then(|| view! { <HardwareTokenCard user_id=uid page /> })}
        {has_methods.then(|| view! { <ResetCard user_id=uid login=login.clone() page /> })}
        <ActivityList entries=user.activity />
    }
}

#[component]
fn HelpdeskMethod(
    method: Method,
    user_id: StoredValue<String>,
    page: AdminState,
    confirm_remove: RwSignal<Option<String>>,
) -> impl IntoView {
    let id = StoredValue::new(method.id.clone());
    let name = method
        .nickname
        .clone()
        .unwrap_or_else(|| method.name.clone());
    let name_for_remove = StoredValue::new(format!("{} ({})", name, method.kind.label()));
    let asking = move || confirm_remove.get().as_deref() == Some(id.get_value().as_str());
    view! {
        <li class="method" data-testid="method" data-kind=format!("{:?}", method.kind) data-id=method.id.clone()>
            <MethodIcon kind=method.kind />
            <div class="method-body">
                <div class="method-title">
                    <strong>{name.clone()}</strong>
                    {(method.status == MethodStatus::Pending).then(|| view! { <span class="badge badge-warn">"Not finished"</span> })}
                </div>
                <div class="method-meta muted">
                    {method.kind.label()}
                    {method.added.clone().map(|a| format!(" · Added {}", short_date(&a)))}
                </div>
                {method.removal_note.clone().map(|n| view! { <div class="muted">{n}</div> })}
            </div>
            <div class="method-actions">
                {move || if asking() {
                    Either::Left(view! {
                        <span>"Remove it?"</span>
                        <button type="button" class="button button-danger button-small" disabled=move || page.busy.get()
                            on:click=move |_| {
                                confirm_remove.set(None);
                                page.run(Change::RemoveMethod { user_id: user_id.get_value(), method_id: id.get_value(), name: name_for_remove.get_value() });
                            }
                            data-testid="confirm-remove">"Remove"</button>
                        <button type="button" class="button button-secondary button-small" on:click=move |_| confirm_remove.set(None)>"Keep"</button>
                    })
                } else {
                    Either::Right(view! {
                        <button type="button" class="button button-danger-outline button-small"
                            on:click=move |_| confirm_remove.set(Some(id.get_value())) data-testid="remove">"Remove"</button>
                    })
                }}
            </div>
        </li>
    }
}

#[component]
fn AccessCodeCard(user_id: StoredValue<String>, page: AdminState) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="tac-heading" data-testid="tac-card">
            <h2 id="tac-heading">"Temporary access code"</h2>
            <p class="muted">"For a user who lost every device: they sign in with it instead of their password and second method, then set up new methods. It works once, and is shown only here, now."</p>
            {move || match page.issued.get() {
                Some(code) => Either::Left(view! {
                    <div class="notice notice-info" data-testid="tac-issued">
                        <p>"Give this code to the user over a channel you trust:"</p>
                        <div class="copy-row">
                            <code class="secret" data-testid="tac-code">{code.code.clone()}</code>
                            <CopyButton text=code.code.clone() />
                        </div>
                        <p class="muted" data-testid="tac-expiry">
                            {code.expires_at.clone().map(|e| format!("Works until {} UTC", expiry_words(&e))).unwrap_or_else(|| "Works for a limited time".into())}
                            {if code.multi_use { ", as many times as needed." } else { ", once." }}
                        </p>
                    </div>
                }),
                None => Either::Right(view! {
                    <button type="button" class="button" disabled=move || page.busy.get()
                        on:click=move |_| page.run(Change::IssueCode { user_id: user_id.get_value() })
                        data-testid="issue-tac">"Issue a temporary access code"</button>
                }),
            }}
        </section>
    }
}

/// "2026-11-24T14:05:00.000Z" as "24 Nov 2026, 14:05".
fn expiry_words(iso: &str) -> String {
    let time = iso.get(11..16).unwrap_or("");
    format!("{}, {time}", short_date(iso))
}

#[component]
fn HardwareTokenCard(user_id: StoredValue<String>, page: AdminState) -> impl IntoView {
    let secret = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    // A registered token empties the form.
    Effect::new(move |prev: Option<u32>| {
        let n = page.done.get();
        if prev.is_some_and(|p| p != n) && page.error.get_untracked().is_none() {
            secret.set(String::new());
            code.set(String::new());
        }
        n
    });
    view! {
        <section class="card" aria-labelledby="token-heading" data-testid="token-card">
            <h2 id="token-heading">"Register a hardware token"</h2>
            <p class="muted">"A TOTP token from your organization's stock. Enter its seed from the seed sheet and the code it shows now, to prove they belong together."</p>
            <form class="form" on:submit=move |ev| {
                ev.prevent_default();
                page.run(Change::AddToken { user_id: user_id.get_value(), secret: secret.get_untracked(), code: code.get_untracked() });
            }>
                <label for="token-seed">"Seed " <span class="hint">"(hexadecimal or base32)"</span></label>
                <input id="token-seed" type="text" autocomplete="off" spellcheck="false" prop:value=secret
                    on:input=move |ev| secret.set(event_target_value(&ev)) data-testid="token-seed" />
                <label for="token-code">"Code on the token now"</label>
                <input id="token-code" class="code-input" type="text" inputmode="numeric" autocomplete="off" maxlength="6" prop:value=code
                    on:input=move |ev| code.set(event_target_value(&ev)) data-testid="token-code" />
                <div class="button-row">
                    <button class="button" type="submit" disabled=move || page.busy.get() || secret.get().trim().is_empty() || code.get().trim().len() != 6
                        data-testid="token-submit">"Register token"</button>
                </div>
            </form>
        </section>
    }
}

#[component]
fn ResetCard(user_id: StoredValue<String>, login: String, page: AdminState) -> impl IntoView {
    let typed = RwSignal::new(String::new());
    let expected = login.clone();
    let matches = move || typed.get().trim().eq_ignore_ascii_case(&expected);
    view! {
        <section class="card confirm" aria-labelledby="reset-heading" data-testid="reset-card">
            <h2 id="reset-heading">"Reset all sign-in methods"</h2>
            <p>"Removes every method this user has set up (the password stays). Use it when they lost everything; they set up new methods at their next sign-in."</p>
            <form class="form" on:submit=move |ev| {
                ev.prevent_default();
                page.run(Change::Reset { user_id: user_id.get_value(), confirmation: typed.get_untracked() });
            }>
                <label for="reset-confirm">"Type " <code>{login.clone()}</code> " to confirm"</label>
                <input id="reset-confirm" type="text" autocomplete="off" spellcheck="false" prop:value=typed
                    on:input=move |ev| typed.set(event_target_value(&ev)) data-testid="reset-confirm" />
                <div class="button-row">
                    <button class="button button-danger" type="submit" disabled=move || page.busy.get() || !matches()
                        data-testid="reset-submit">"Remove every method"</button>
                </div>
            </form>
        </section>
    }
}
