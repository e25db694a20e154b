//! The frame around every page: the Keyport name, who is signed in, the sandbox banner, the
//! main area. The session (user and anti-CSRF token) is loaded once here and shared through
//! context with the pages, which are server-rendered; islands find the token in
//! `<meta name="csrf-token">` (`api::client`).

use crate::api::auth::load_session;
use crate::api::load_site_info;
use crate::error::PortalError;
use crate::model::auth::{SessionView, UserSummary};
use crate::model::SiteInfo;
use leptos::prelude::*;
use leptos_meta::Meta;

/// The session as the layout loaded it.
#[derive(Clone, Copy)]
pub struct SessionResource(pub Resource<Result<SessionView, PortalError>>);

/// The session loaded by the layout, for pages.
pub fn use_session() -> Option<SessionResource> {
    use_context::<SessionResource>()
}

/// The person signed in, if anyone is. A page awaits this inside its own resource, so what it
/// loads for that person is fetched once per request (a `Suspend` may run more than once).
pub async fn signed_in_user(session: Option<SessionResource>) -> Option<UserSummary> {
    session?.0.await.ok()?.user
}

#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let info = Resource::new_blocking(|| (), |_| load_site_info());
    let session = Resource::new_blocking(|| (), |_| load_session());
    provide_context(SessionResource(session));
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let view = session.await.ok();
                let signed_in = view.as_ref().is_some_and(|s| s.user.is_some()).to_string();
                let token = view.map(|s| s.csrf).unwrap_or_default();
                view! {
                    <Meta name="csrf-token" content=token />
                    // For /embed.js: whether the embedding page should hand a user over.
                    <Meta name="keyport-signed-in" content=signed_in />
                }
            })}
        </Suspense>
        // The loader turns this to "true" once every island on the page has hydrated
        // (`assets::loader_script`).
        <div class="app" data-hydrated="false">
            <a class="skip-link" href="#main">"Skip to content"</a>
            <header class="topbar">
                <a class="brand" href="/">
                    <span class="brand-mark" aria-hidden="true">"⬡"</span>
                    <span class="brand-name">"Keyport"</span>
                </a>
                <span class="tagline">"Your sign-in methods"</span>
                <span class="spacer"></span>
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        match session.await {
                            Ok(SessionView { user: Some(user), csrf, .. }) => view! { <UserMenu user csrf /> }.into_any(),
                            _ => ().into_any(),
                        }
                    })}
                </Suspense>
            </header>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match info.await {
                        Ok(info) => view! { <OrgBanner info /> }.into_any(),
                        Err(_) => ().into_any(),
                    }
                })}
            </Suspense>
            <main class="content" id="main">{children()}</main>
            <footer class="footer">
                <span>"Keyport manages your Okta sign-in methods without leaving this site."</span>
            </footer>
        </div>
    }
}

/// Who is signed in, and signing out.
///
/// Signing out is a plain form posting to the server function: the server answers it with a
/// redirect to the sign-in page, so it needs no code in the browser. The menu is a
/// `<details>`, which opens and closes by itself.
#[component]
fn UserMenu(user: UserSummary, csrf: String) -> impl IntoView {
    let action = <crate::api::auth::SignOut as leptos::server_fn::ServerFn>::url();
    let form = move |everywhere: bool, label: &'static str, testid: &'static str| {
        view! {
            <form method="post" action=action>
                <input type="hidden" name="_csrf" value=csrf.clone() />
                <input type="hidden" name="everywhere" value=everywhere.to_string() />
                <button type="submit" class="menu-item" data-testid=testid>
                    {label}
                </button>
            </form>
        }
    };
    view! {
        <details class="user-menu" data-testid="user-menu">
            <summary>
                <span class="avatar" aria-hidden="true">{user.display_name.chars().next().unwrap_or('?').to_string()}</span>
                <span class="user-name">{user.display_name.clone()}</span>
            </summary>
            <div class="menu">
                <p class="muted menu-login">{user.login.clone()}</p>
                <a href="/account" class="menu-item" data-testid="account-link">"Password and account"</a>
                {user.is_admin.then(|| view! { <a href="/admin" class="menu-item">"Admin"</a> })}
                {form(false, "Sign out", "sign-out")}
                {form(true, "Sign out everywhere", "sign-out-everywhere")}
            </div>
        </details>
    }
}

/// Where a signed-out browser lands.
pub fn signed_out_page(everywhere: bool) -> &'static str {
    if everywhere {
        "/signin?signedout=everywhere"
    } else {
        "/signin?signedout=1"
    }
}

/// Says plainly when Keyport is running against its built-in sandbox rather than a real org.
#[component]
fn OrgBanner(info: SiteInfo) -> impl IntoView {
    info.sandbox.then(|| {
        let console = info.sandbox_console_url.clone();
        view! {
            <div class="banner banner-sandbox" role="status" data-testid="sandbox-banner">
                <strong>"Sandbox org"</strong>
                " — no real Okta org is configured. Keyport is talking to its built-in Okta sandbox at "
                <code>{info.org_host.clone()}</code>
                ". Text messages, emails and the Okta Verify phone are simulated"
                {console.map(|url| view! {
                    " on the "
                    <a href=url target="_blank" rel="noopener">"sandbox console"</a>
                })}
                "."
            </div>
        }
    })
}
