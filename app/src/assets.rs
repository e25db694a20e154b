//! The browser's files: the names they are published under, and the tags that load them.
//!
//! A production build publishes every file under a name that carries a hash of its content
//! (`/pkg/keyport.3f9c0a1b2c4d5e6f.wasm`), so browsers may keep it forever and a new build
//! never meets an old copy. The build writes those names to `keyport-assets.json` in the site
//! root (`.ci/lib.sh`, `publish_site`); the server reads it once at start and provides the
//! [`SiteAssets`] to every render.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The file names (inside `/pkg/`) of one build's script, wasm and stylesheet.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteAssets {
    /// wasm-bindgen's JavaScript module.
    pub script: String,
    pub wasm: String,
    pub stylesheet: String,
}

impl Default for SiteAssets {
    /// wasm-bindgen's own names, for a site laid out by hand without a manifest.
    fn default() -> Self {
        Self {
            script: format!("{}.js", crate::OUTPUT_NAME),
            wasm: format!("{}_bg.wasm", crate::OUTPUT_NAME),
            stylesheet: format!("{}.css", crate::OUTPUT_NAME),
        }
    }
}

impl SiteAssets {
    /// The name of the manifest file in the site root.
    pub const MANIFEST: &'static str = "keyport-assets.json";

    pub fn script_url(&self) -> String {
        format!("/pkg/{}", self.script)
    }
    pub fn wasm_url(&self) -> String {
        format!("/pkg/{}", self.wasm)
    }
    pub fn stylesheet_url(&self) -> String {
        format!("/pkg/{}", self.stylesheet)
    }
}

/// The script that fetches the wasm and hydrates the page.
///
/// A page opened just before a redeploy may ask for files the new build no longer has (the
/// build keeps the previous one's files for that moment, but not forever). When the script or
/// the wasm cannot be loaded, the page reloads once to get the current build's names; if that
/// fails too it stays as the server drew it, where every plain form still works.
fn loader_script(assets: &SiteAssets) -> String {
    // JSON string literals are valid JavaScript string literals.
    let quote = |s: String| serde_json::to_string(&s).unwrap_or_else(|_| "\"\"".into());
    let script = quote(assets.script_url());
    let wasm = quote(assets.wasm_url());
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
         import(js)\
           .then((mod) => mod.default({{ module_or_path: wasm }}).then(() => mod))\
           .then((mod) => mod.hydrate(), reloadOnce);"
    )
}

/// The `<head>` tags that load this build's stylesheet and browser code: rendered on the
/// server only, inside the shell.
#[component]
pub fn SiteAssetTags() -> impl IntoView {
    let assets = use_context::<SiteAssets>().unwrap_or_default();
    let nonce = leptos::nonce::use_nonce();
    let script = loader_script(&assets);
    view! {
        <link rel="stylesheet" id="keyport-css" href=assets.stylesheet_url() />
        <link rel="modulepreload" href=assets.script_url() />
        <link
            rel="preload"
            href=assets.wasm_url()
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
        let assets = SiteAssets {
            script: "keyport.0123456789abcdef.js".into(),
            wasm: "keyport.fedcba9876543210.wasm".into(),
            stylesheet: "keyport.00112233445566ff.css".into(),
        };
        let script = loader_script(&assets);
        assert!(script.contains(r#"js = "/pkg/keyport.0123456789abcdef.js""#));
        assert!(script.contains(r#"wasm = "/pkg/keyport.fedcba9876543210.wasm""#));
        // The reload guard is keyed on the script's name: a later build may reload again.
        assert!(script.contains("tried !== js"));
        // A failing hydrate (a bug, not a missing file) never triggers the reload.
        assert!(script.contains(".then((mod) => mod.hydrate(), reloadOnce)"));
    }

    #[test]
    fn without_a_manifest_the_names_are_wasm_bindgens() {
        let assets = SiteAssets::default();
        assert_eq!(assets.wasm_url(), "/pkg/keyport_bg.wasm");
        assert_eq!(assets.script_url(), "/pkg/keyport.js");
    }
}
