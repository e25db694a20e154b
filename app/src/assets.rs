//! The browser's files: the names they are published under, and the tags that load them.
//!
//! A production build publishes every file under a name that carries a hash of its content
//! (`/pkg/keyport.3f9c0a1b2c4d5e6f.wasm`), so browsers may keep it forever and a new build
//! never meets an old copy. The build writes those names to `keyport-assets.json` in the site
//! root (`.ci/lib.sh`, `publish_site`); the server reads it once at start and provides the
//! [`SiteAssets`] to every render.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The pages that share one wasm. Each group's wasm is built with its cargo feature
/// (`page-<name>`, `pages/mod.rs`) and carries only the code of that group's islands, so the
/// first page a person sees loads no code for the pages they have not opened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PageGroup {
    /// `/signin`: the sign-in steps.
    SignIn,
    /// The methods page (`/`), and the pages with no islands (the handoff choice, not found).
    Portal,
    /// `/account`: password, username, profile.
    Account,
    /// `/popout`: the window where a security key answers for Keyport inside a frame.
    Popout,
    /// `/admin` and `/admin/helpdesk`.
    Admin,
}

impl PageGroup {
    pub const ALL: [PageGroup; 5] = [
        PageGroup::SignIn,
        PageGroup::Portal,
        PageGroup::Account,
        PageGroup::Popout,
        PageGroup::Admin,
    ];

    /// The group's name: in its cargo feature (`page-signin`), its files' names and the
    /// manifest.
    pub fn name(self) -> &'static str {
        match self {
            PageGroup::SignIn => "signin",
            PageGroup::Portal => "portal",
            PageGroup::Account => "account",
            PageGroup::Popout => "popout",
            PageGroup::Admin => "admin",
        }
    }

    /// The group of the page at `path` (the router's routes, `App`).
    pub fn for_path(path: &str) -> PageGroup {
        let path = path.trim_end_matches('/');
        if path == "/signin" {
            PageGroup::SignIn
        } else if path == "/account" {
            PageGroup::Account
        } else if path == "/popout" {
            PageGroup::Popout
        } else if path == "/admin" || path.starts_with("/admin/") {
            PageGroup::Admin
        } else {
            PageGroup::Portal
        }
    }
}

/// One page group's browser code: wasm-bindgen's script and the wasm (names inside `/pkg/`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageCode {
    /// wasm-bindgen's JavaScript module.
    pub script: String,
    pub wasm: String,
}

impl PageCode {
    /// wasm-bindgen's own names for a group's files.
    fn unhashed(group: PageGroup) -> Self {
        let stem = format!("{}-{}", crate::OUTPUT_NAME, group.name());
        Self {
            script: format!("{stem}.js"),
            wasm: format!("{stem}_bg.wasm"),
        }
    }
    pub fn script_url(&self) -> String {
        format!("/pkg/{}", self.script)
    }
    pub fn wasm_url(&self) -> String {
        format!("/pkg/{}", self.wasm)
    }
}

/// The code of every page group, by group.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PagesCode {
    pub signin: PageCode,
    pub portal: PageCode,
    pub account: PageCode,
    pub popout: PageCode,
    pub admin: PageCode,
}

/// The file names (inside `/pkg/`) of one build: the stylesheet, and each page group's code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteAssets {
    pub stylesheet: String,
    pub pages: PagesCode,
}

impl Default for SiteAssets {
    /// wasm-bindgen's own names, for a site laid out by hand without a manifest.
    fn default() -> Self {
        Self {
            stylesheet: format!("{}.css", crate::OUTPUT_NAME),
            pages: PagesCode {
                signin: PageCode::unhashed(PageGroup::SignIn),
                portal: PageCode::unhashed(PageGroup::Portal),
                account: PageCode::unhashed(PageGroup::Account),
                popout: PageCode::unhashed(PageGroup::Popout),
                admin: PageCode::unhashed(PageGroup::Admin),
            },
        }
    }
}

impl SiteAssets {
    /// The name of the manifest file in the site root.
    pub const MANIFEST: &'static str = "keyport-assets.json";

    pub fn stylesheet_url(&self) -> String {
        format!("/pkg/{}", self.stylesheet)
    }

    /// The code a page of `group` loads.
    pub fn code(&self, group: PageGroup) -> &PageCode {
        match group {
            PageGroup::SignIn => &self.pages.signin,
            PageGroup::Portal => &self.pages.portal,
            PageGroup::Account => &self.pages.account,
            PageGroup::Popout => &self.pages.popout,
            PageGroup::Admin => &self.pages.admin,
        }
    }

    /// Every file the manifest names.
    pub fn file_names(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.stylesheet.as_str()).chain(
            PageGroup::ALL
                .into_iter()
                .flat_map(|g| [self.code(g).script.as_str(), self.code(g).wasm.as_str()]),
        )
    }
}

/// The script that fetches the wasm and hydrates the page's islands (`#[island]` components:
/// everything else is server HTML that needs no code in the browser).
///
/// A page opened just before a redeploy may ask for files the new build no longer has (the
/// build keeps the previous one's files for that moment, but not forever). When the script or
/// the wasm cannot be loaded, the page reloads once to get the current build's names; if that
/// fails too it stays as the server drew it, where every plain form still works.
fn loader_script(code: &PageCode) -> String {
    // JSON string literals are valid JavaScript string literals.
    let quote = |s: String| serde_json::to_string(&s).unwrap_or_else(|_| "\"\"".into());
    let script = quote(code.script_url());
    let wasm = quote(code.wasm_url());
    format!(
        "const js = {script}, wasm = {wasm};\
         const reloadOnce = (error) => {{\
           let tried = null;\
           try {{ tried = sessionStorage.getItem('keyport-reloaded-for'); }} catch (_) {{}}\
           if (tried !== js) {{\
             try {{ sessionStorage.setItem('keyport-reloaded-for', js); }} catch (_) {{ return; }}\
             location.reload();\
           }} else {{\
             console.warn('Keyport could not load its browser code; the page works without it where it can.', error);\
           }}\
         }};\
         const hydrateIslands = (mod) => {{\
           mod.hydrate();\
           let missing = 0;\
           for (const island of document.querySelectorAll('leptos-island')) {{\
             const hydrateIsland = mod[island.dataset.component];\
             if (hydrateIsland) {{ hydrateIsland(island); }}\
             else {{ missing += 1; console.warn('This build has no code for the island', island.dataset.component); }}\
           }}\
           if (missing === 0) {{ document.querySelector('.app')?.setAttribute('data-hydrated', 'true'); }}\
         }};\
         import(js)\
           .then((mod) => mod.default({{ module_or_path: wasm }}).then(() => mod))\
           .then(hydrateIslands, reloadOnce);"
    )
}

/// The page being rendered's group (from the request's path; the head is drawn before the
/// router has matched).
fn current_page_group() -> PageGroup {
    #[cfg(feature = "ssr")]
    if let Some(parts) = use_context::<axum::http::request::Parts>() {
        return PageGroup::for_path(parts.uri.path());
    }
    PageGroup::Portal
}

/// The `<head>` tags that load this build's stylesheet and this page's browser code: rendered
/// on the server only, inside the shell.
#[component]
pub fn SiteAssetTags() -> impl IntoView {
    let assets = use_context::<SiteAssets>().unwrap_or_default();
    let nonce = leptos::nonce::use_nonce();
    // Islands: only the `#[island]`s hydrate. From here on the server renders plain HTML with
    // no hydration markers and serializes no resources, except inside an island (which turns
    // hydration on for itself); Leptos' own `HydrationScripts` does the same in islands mode.
    if let Some(context) = Owner::current_shared_context() {
        context.set_is_hydrating(false);
    }
    let code = assets.code(current_page_group()).clone();
    let script = loader_script(&code);
    view! {
        <link rel="stylesheet" id="keyport-css" href=assets.stylesheet_url() />
        <link rel="modulepreload" href=code.script_url() />
        <link
            rel="preload"
            href=code.wasm_url()
            r#as="fetch"
            r#type="application/wasm"
            crossorigin="anonymous"
        />
        <script type="module" nonce=nonce>
            {script}
        </script>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_loader_names_this_builds_files_and_reloads_only_once_per_build() {
        let code = PageCode {
            script: "keyport-signin.0123456789abcdef.js".into(),
            wasm: "keyport-signin.fedcba9876543210.wasm".into(),
        };
        let script = loader_script(&code);
        assert!(script.contains(r#"js = "/pkg/keyport-signin.0123456789abcdef.js""#));
        assert!(script.contains(r#"wasm = "/pkg/keyport-signin.fedcba9876543210.wasm""#));
        // The reload guard is keyed on the script's name: a later build may reload again.
        assert!(script.contains("tried !== js"));
        // A failing hydrate (a bug, not a missing file) never triggers the reload.
        assert!(script.contains(".then(hydrateIslands, reloadOnce)"));
        // Every island on the page is hydrated, then (only if each had its code) the page says
        // so for tests and scripts.
        assert!(script.contains("leptos-island"));
        assert!(script.contains("data-hydrated"));
    }

    #[test]
    fn without_a_manifest_the_names_are_wasm_bindgens() {
        let assets = SiteAssets::default();
        let code = assets.code(PageGroup::Admin);
        assert_eq!(code.wasm_url(), "/pkg/keyport-admin_bg.wasm");
        assert_eq!(code.script_url(), "/pkg/keyport-admin.js");
        assert_eq!(assets.stylesheet_url(), "/pkg/keyport.css");
        assert_eq!(assets.file_names().count(), 11);
    }

    #[test]
    fn each_route_loads_its_own_groups_code() {
        assert_eq!(PageGroup::for_path("/signin"), PageGroup::SignIn);
        assert_eq!(PageGroup::for_path("/signin/"), PageGroup::SignIn);
        assert_eq!(PageGroup::for_path("/account"), PageGroup::Account);
        assert_eq!(PageGroup::for_path("/popout"), PageGroup::Popout);
        for path in ["/", "/handoff", "/nowhere", "/signinx"] {
            assert_eq!(PageGroup::for_path(path), PageGroup::Portal, "{path}");
        }
        for path in ["/admin", "/admin/", "/admin/helpdesk"] {
            assert_eq!(PageGroup::for_path(path), PageGroup::Admin, "{path}");
        }
        assert_eq!(PageGroup::for_path("/administrator"), PageGroup::Portal);
    }
}
