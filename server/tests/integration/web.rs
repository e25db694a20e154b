//! The HTTP surface, driven through the axum router without a socket.

use crate::support::{body_json, body_string, keyport};
use axum::http::StatusCode;

#[tokio::test]
async fn healthz_answers_json() {
    let app = keyport().await;
    let res = app.get("/healthz").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers().contains_key("x-request-id"));
    let body = body_json(res).await;
    assert_eq!(body["status"], "ok");
}

#[tokio::test]
async fn readyz_reaches_the_sandbox_and_reports_its_pipeline() {
    let app = keyport().await;
    let res = app.get("/readyz").await;
    assert_eq!(res.status(), StatusCode::OK);
    let body = body_json(res).await;
    assert_eq!(body["status"], "ready");
    assert_eq!(body["upstream"]["pipeline"], "identity_engine");
    assert_eq!(body["upstream"]["sandbox"], true);
}

#[tokio::test]
async fn the_home_page_renders_on_the_server_with_the_sandbox_banner() {
    let app = keyport().await;
    let res = app.get("/").await;
    assert_eq!(res.status(), StatusCode::OK);
    let csp = res.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    let html = body_string(res).await;
    assert!(html.contains("Keyport"), "{html}");
    assert!(html.contains("data-testid=\"sandbox-banner\""), "{html}");
    // The hydration script carries the nonce the CSP header allows.
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|s| s.split('\'').next())
        .unwrap();
    assert!(html.contains(&format!("nonce=\"{nonce}\"")), "{html}");
    assert!(csp.contains("object-src 'none'") && csp.contains("base-uri 'none'"));
}

#[tokio::test]
async fn an_unknown_page_is_a_404_page() {
    let app = keyport().await;
    let res = app.get("/no/such/page").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert!(body_string(res).await.contains("Page not found"));
}

/// A built site of its own: one build's hashed files, each with different brotli and gzip
/// bodies so a test can tell which one was sent.
fn built_site() -> std::path::PathBuf {
    let root = std::env::temp_dir().join(format!("keyport-site-{}", uuid::Uuid::new_v4()));
    let pkg = root.join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    let write = |name: &str, body: &str| std::fs::write(root.join(name), body).unwrap();
    write(
        "keyport-assets.json",
        r#"{"stylesheet":"keyport.fedcba9876543210.css","pages":{
            "signin":{"script":"keyport-signin.0123456789abcdef.js","wasm":"keyport-signin.89abcdef01234567.wasm"},
            "portal":{"script":"keyport-portal.1123456789abcdef.js","wasm":"keyport-portal.99abcdef01234567.wasm"},
            "account":{"script":"keyport-account.3123456789abcdef.js","wasm":"keyport-account.b9abcdef01234567.wasm"},
            "popout":{"script":"keyport-popout.4123456789abcdef.js","wasm":"keyport-popout.c9abcdef01234567.wasm"},
            "admin":{"script":"keyport-admin.2123456789abcdef.js","wasm":"keyport-admin.a9abcdef01234567.wasm"}}}"#,
    );
    for name in [
        "pkg/keyport-signin.0123456789abcdef.js",
        "pkg/keyport-signin.89abcdef01234567.wasm",
        "pkg/keyport-portal.1123456789abcdef.js",
        "pkg/keyport-portal.99abcdef01234567.wasm",
        "pkg/keyport-account.3123456789abcdef.js",
        "pkg/keyport-account.b9abcdef01234567.wasm",
        "pkg/keyport-popout.4123456789abcdef.js",
        "pkg/keyport-popout.c9abcdef01234567.wasm",
        "pkg/keyport-admin.2123456789abcdef.js",
        "pkg/keyport-admin.a9abcdef01234567.wasm",
        "pkg/keyport.fedcba9876543210.css",
        "embed.js",
    ] {
        write(name, &format!("plain {name}"));
        write(&format!("{name}.br"), &format!("brotli {name}"));
        write(&format!("{name}.gz"), &format!("gzip {name}"));
    }
    root
}

async fn fetch_asset(
    app: &crate::support::TestApp,
    path: &str,
    headers: &[(&str, &str)],
) -> (axum::http::response::Parts, String) {
    use tower::ServiceExt;
    let mut req = axum::http::Request::get(path);
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    let res = app
        .router
        .clone()
        .oneshot(req.body(axum::body::Body::empty()).unwrap())
        .await
        .unwrap();
    let (parts, body) = res.into_parts();
    let body = body_string(axum::http::Response::from_parts(parts.clone(), body)).await;
    (parts, body)
}

#[tokio::test]
async fn built_files_are_sent_brotli_gzip_or_plain_as_the_browser_asks_and_kept_by_name() {
    let site = built_site();
    let store = crate::support::temp_store();
    let config = crate::support::test_config(&[
        ("KEYPORT_SESSION_STORE", &store),
        ("KEYPORT_SITE_ROOT", site.to_str().unwrap()),
    ]);
    let app = crate::support::keyport_with(&config).await;
    let wasm = "/pkg/keyport-signin.89abcdef01234567.wasm";

    for (accept, encoding, body) in [
        ("gzip, deflate, br, zstd", Some("br"), "brotli"),
        ("gzip", Some("gzip"), "gzip"),
        ("identity", None, "plain"),
        ("", None, "plain"),
    ] {
        let (parts, got) = fetch_asset(&app, wasm, &[("accept-encoding", accept)]).await;
        assert_eq!(parts.status, StatusCode::OK, "{accept}");
        assert_eq!(
            parts
                .headers
                .get("content-encoding")
                .map(|v| v.to_str().unwrap()),
            encoding,
            "{accept}"
        );
        assert_eq!(
            got,
            format!("{body} pkg/keyport-signin.89abcdef01234567.wasm"),
            "{accept}"
        );
        // The type is the wasm's, whichever copy went: streaming compilation needs it.
        assert_eq!(parts.headers["content-type"], "application/wasm");
        assert_eq!(
            parts.headers["cache-control"],
            "public, max-age=31536000, immutable"
        );
        assert_eq!(parts.headers["vary"], "accept-encoding");
    }

    // A file under a fixed name is kept only after asking again, and asking again costs nothing.
    let (parts, got) = fetch_asset(&app, "/embed.js", &[("accept-encoding", "br")]).await;
    assert_eq!(got, "brotli embed.js");
    assert_eq!(parts.headers["cache-control"], "no-cache");
    let modified = parts.headers["last-modified"].to_str().unwrap().to_string();
    let (parts, got) = fetch_asset(
        &app,
        "/embed.js",
        &[("accept-encoding", "br"), ("if-modified-since", &modified)],
    )
    .await;
    assert_eq!(parts.status, StatusCode::NOT_MODIFIED);
    assert!(got.is_empty());

    // A page names this build's files, its own group's code, and nothing else from /pkg/.
    for (page, code) in [
        (
            "/signin",
            [
                "/pkg/keyport-signin.0123456789abcdef.js",
                "/pkg/keyport-signin.89abcdef01234567.wasm",
            ],
        ),
        (
            "/handoff",
            [
                "/pkg/keyport-portal.1123456789abcdef.js",
                "/pkg/keyport-portal.99abcdef01234567.wasm",
            ],
        ),
    ] {
        let (parts, html) = fetch_asset(&app, page, &[("accept", "text/html")]).await;
        assert_eq!(parts.headers["cache-control"], "no-store");
        for name in code.iter().chain(&["/pkg/keyport.fedcba9876543210.css"]) {
            assert!(html.contains(name), "{name} in {page}: {html}");
        }
        // The stylesheet once; the script and the wasm twice each (preloaded, then loaded).
        assert_eq!(html.matches("/pkg/").count(), 5, "{page}: {html}");
    }

    // An earlier build's file that is gone is a miss no cache may keep.
    let (parts, _) = fetch_asset(&app, "/pkg/keyport.aaaaaaaaaaaaaaaa.wasm", &[]).await;
    assert_eq!(parts.status, StatusCode::NOT_FOUND);
    assert_eq!(parts.headers["cache-control"], "no-store");
    let _ = std::fs::remove_dir_all(site);
}

#[tokio::test]
async fn a_manifest_naming_files_that_are_not_there_stops_the_start_with_the_reason() {
    let site = built_site();
    std::fs::remove_file(site.join("pkg/keyport-admin.a9abcdef01234567.wasm")).unwrap();
    let store = crate::support::temp_store();
    let config = crate::support::test_config(&[
        ("KEYPORT_SESSION_STORE", &store),
        ("KEYPORT_SITE_ROOT", site.to_str().unwrap()),
    ]);
    let err = server::assemble(&config).await.err().unwrap().to_string();
    assert!(
        err.contains("keyport-admin.a9abcdef01234567.wasm") && err.contains("build the site again"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(site);
}
