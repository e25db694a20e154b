//! The frame around every page: the Keyport name, the sandbox banner, the main area.

use crate::api::load_site_info;
use crate::components::hydration::use_hydrated;
use crate::model::SiteInfo;
use leptos::prelude::*;

#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let info = Resource::new_blocking(|| (), |_| load_site_info());
    let hydrated = use_hydrated();
    view! {
        <div class="app" data-hydrated=move || hydrated.get().to_string()>
            <header class="topbar">
                <a class="brand" href="/">
                    <span class="brand-mark" aria-hidden="true">"⬡"</span>
                    <span class="brand-name">"Keyport"</span>
                </a>
                <span class="tagline">"Your sign-in methods"</span>
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
