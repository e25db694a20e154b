//! The built site's files: which build is current, and how its files are sent.
//!
//! The production build (`.ci/lib.sh`, `publish_site`) names the stylesheet and each page
//! group's wasm and script after a hash of their content, writes brotli and gzip copies beside
//! every file, and lists the current names in `keyport-assets.json`. Here:
//! - [`load`] reads that list once at start, for the page shell ([`app::assets`]);
//! - [`service`] sends files, choosing `.br`, `.gz` or the plain file by the browser's
//!   `Accept-Encoding`, and tells caches how long to keep them: hashed names for a year,
//!   `immutable` (a new build has new names), everything else only after revalidation
//!   (`Last-Modified`), and a miss never.

use app::assets::SiteAssets;
use axum::extract::Request;
use axum::http::header::{CACHE_CONTROL, VARY};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use std::path::Path;
use tower_http::services::ServeDir;

/// `Cache-Control` for a file whose name carries its content hash.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// `Cache-Control` for a file under a fixed name (`/embed.js`, `/favicon.ico`).
pub const REVALIDATE: &str = "no-cache";

/// Why the site's manifest cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path} is not a Keyport asset list ({source}); build the site again (README)")]
    Malformed {
        path: String,
        source: serde_json::Error,
    },
    #[error("{path} names {name}, which is not in {pkg}; build the site again (README)")]
    Missing {
        path: String,
        name: String,
        pkg: String,
    },
}

/// The current build's asset names, or wasm-bindgen's plain names when the site was laid out
/// without a manifest (then pages still render; the server warns if the wasm is missing).
pub fn load(site_root: &Path) -> Result<SiteAssets, ManifestError> {
    let path = site_root.join(SiteAssets::MANIFEST);
    let shown = path.display().to_string();
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(SiteAssets::default()),
        Err(source) => {
            return Err(ManifestError::Read {
                path: shown,
                source,
            })
        }
    };
    let assets: SiteAssets =
        serde_json::from_str(&text).map_err(|source| ManifestError::Malformed {
            path: shown.clone(),
            source,
        })?;
    let pkg = site_root.join("pkg");
    for name in assets.file_names() {
        // A name is a plain file name: nothing in the manifest can point outside `pkg/`.
        let plain = !name.is_empty() && !name.contains(['/', '\\']) && !name.starts_with('.');
        if !plain || !pkg.join(name).is_file() {
            return Err(ManifestError::Missing {
                path: shown,
                name: name.to_string(),
                pkg: pkg.display().to_string(),
            });
        }
    }
    Ok(assets)
}

/// True for a name the build gave a content hash: `stem.<16 hex digits>.ext`.
pub fn is_hashed(file_name: &str) -> bool {
    let mut parts = file_name.split('.');
    let (Some(stem), Some(hash), Some(ext), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    !stem.is_empty()
        && !ext.is_empty()
        && hash.len() == 16
        && hash
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The site root's files, each sent in the best encoding the browser accepts.
pub fn files(site_root: &Path) -> ServeDir {
    ServeDir::new(site_root)
        .precompressed_br()
        .precompressed_gzip()
        // Every other request (pages, a POST to a missing path) goes on to the app.
        .call_fallback_on_method_not_allowed(true)
}

/// Cache headers for what [`files`] (or the app behind it) answered.
pub async fn cache_headers(req: Request, next: Next) -> Response {
    let name = req
        .uri()
        .path()
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_string();
    let mut res = next.run(req).await;
    let status = res.status();
    let headers = res.headers_mut();
    if headers.contains_key(CACHE_CONTROL) {
        // A page or an API answer set its own (`no-store`).
        return res;
    }
    let sent_a_file = status == StatusCode::OK
        || status == StatusCode::NOT_MODIFIED
        || status == StatusCode::PARTIAL_CONTENT;
    let value = if !sent_a_file {
        // A miss (a file of a build that is gone) must not be remembered.
        "no-store"
    } else if is_hashed(&name) {
        IMMUTABLE
    } else {
        REVALIDATE
    };
    headers.insert(CACHE_CONTROL, HeaderValue::from_static(value));
    if sent_a_file {
        // The same URL is sent brotli, gzip or plain: caches must keep them apart.
        headers.insert(VARY, HeaderValue::from_static("accept-encoding"));
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::assets::PageGroup;

    #[test]
    fn only_a_build_hash_makes_a_name_immutable() {
        assert!(is_hashed("keyport.0123456789abcdef.wasm"));
        assert!(is_hashed("keyport.fedcba9876543210.css"));
        assert!(!is_hashed("keyport.js"));
        assert!(!is_hashed("keyport_bg.wasm"));
        assert!(!is_hashed("keyport.0123456789ABCDEF.wasm"));
        assert!(!is_hashed("keyport.0123456789abcde.wasm"));
        assert!(!is_hashed("keyport.0123456789abcdef.wasm.br"));
        assert!(!is_hashed(".0123456789abcdef.js"));
        assert!(!is_hashed("embed.js"));
    }

    /// A site root of its own under the system's temporary folder.
    struct Site(std::path::PathBuf);
    impl Site {
        fn path(&self) -> &Path {
            &self.0
        }
    }
    impl Drop for Site {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn site(files: &[(&str, &str)]) -> Site {
        let dir = std::env::temp_dir().join(format!("keyport-site-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(dir.join("pkg")).unwrap();
        for (name, body) in files {
            std::fs::write(dir.join(name), body).unwrap();
        }
        Site(dir)
    }

    #[test]
    fn the_manifest_names_the_current_build_and_nothing_outside_pkg() {
        let manifest = r#"{"stylesheet":"keyport.0123456789abcdef.css","pages":{
            "signin":{"script":"keyport-signin.0123456789abcdef.js","wasm":"keyport-signin.0123456789abcdef.wasm"},
            "portal":{"script":"keyport-portal.0123456789abcdef.js","wasm":"keyport-portal.0123456789abcdef.wasm"},
            "account":{"script":"keyport-account.0123456789abcdef.js","wasm":"keyport-account.0123456789abcdef.wasm"},
            "popout":{"script":"keyport-popout.0123456789abcdef.js","wasm":"keyport-popout.0123456789abcdef.wasm"},
            "admin":{"script":"keyport-admin.0123456789abcdef.js","wasm":"keyport-admin.0123456789abcdef.wasm"}}}"#;
        let mut files = vec![
            ("keyport-assets.json".to_string(), manifest.to_string()),
            ("pkg/keyport.0123456789abcdef.css".into(), "css".into()),
        ];
        for group in PageGroup::ALL.map(PageGroup::name) {
            for ext in ["js", "wasm"] {
                files.push((
                    format!("pkg/keyport-{group}.0123456789abcdef.{ext}"),
                    ext.into(),
                ));
            }
        }
        let files: Vec<(&str, &str)> = files
            .iter()
            .map(|(n, b)| (n.as_str(), b.as_str()))
            .collect();
        let dir = site(&files);
        let assets = load(dir.path()).unwrap();
        assert_eq!(
            assets.code(PageGroup::Admin).wasm_url(),
            "/pkg/keyport-admin.0123456789abcdef.wasm"
        );
        assert!(is_hashed("keyport-admin.0123456789abcdef.wasm"));

        let escaping = manifest.replace("keyport.0123456789abcdef.css", "../keyport-assets.json");
        std::fs::write(dir.path().join("keyport-assets.json"), escaping).unwrap();
        assert!(matches!(
            load(dir.path()),
            Err(ManifestError::Missing { .. })
        ));

        // One group's files gone (a half-copied deploy): the start stops, naming the file.
        std::fs::write(dir.path().join("keyport-assets.json"), manifest).unwrap();
        std::fs::remove_file(dir.path().join("pkg/keyport-portal.0123456789abcdef.wasm")).unwrap();
        let err = load(dir.path()).unwrap_err();
        assert!(
            err.to_string()
                .contains("keyport-portal.0123456789abcdef.wasm"),
            "{err}"
        );

        // The manifest of an older build (one wasm for every page) is refused with the remedy.
        let old = r#"{"script":"keyport.0123456789abcdef.js","wasm":"keyport.0123456789abcdef.wasm","stylesheet":"keyport.0123456789abcdef.css"}"#;
        std::fs::write(dir.path().join("keyport-assets.json"), old).unwrap();
        let err = load(dir.path()).unwrap_err();
        assert!(err.to_string().contains("build the site again"), "{err}");

        std::fs::write(dir.path().join("keyport-assets.json"), "{").unwrap();
        let err = load(dir.path()).unwrap_err();
        assert!(err.to_string().contains("build the site again"), "{err}");
    }

    #[test]
    fn without_a_manifest_the_plain_names_are_used() {
        let dir = site(&[]);
        assert_eq!(load(dir.path()).unwrap(), SiteAssets::default());
    }
}
