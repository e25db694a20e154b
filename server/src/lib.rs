//! The `keyport` server: configuration, HTTP surface, Okta client, and the Okta sandbox.
//!
//! `main.rs` only parses the command line; everything else is here so integration tests can
//! build the same router the binary serves.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod account;
pub mod admin;
pub mod auth;
pub mod config;
pub mod embed;
pub mod methods;
pub mod notify;
pub mod okta;
pub mod sandbox;
pub mod service;
pub mod sessions;
pub mod state;
pub mod telemetry;
pub mod web;

use crate::config::{Config, SandboxConfig, Upstream};
use crate::okta::{ClientSettings, OktaClient};
use crate::sandbox::Sandbox;
use crate::service::KeyportService;
use crate::state::AppState;
use axum::Router;
use leptos::config::LeptosOptions;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;
use tokio::net::TcpListener;
use url::Url;

/// Why Keyport could not start. Printed as one line.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("{variable}: cannot listen on {addr}: {source}")]
    Bind {
        variable: &'static str,
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("cannot create the Okta client: {0}")]
    Client(#[from] okta::OktaError),
    #[error("KEYPORT_SESSION_STORE: {0}")]
    Sessions(#[from] sessions::StoreError),
    #[error("server stopped: {0}")]
    Serve(std::io::Error),
    #[error("{0}")]
    Notify(#[from] notify::NotifySetupError),
    #[error("KEYPORT_SITE_ROOT: {0}")]
    Site(#[from] web::assets::ManifestError),
}

/// A sandbox bound to its port, serving in the background.
pub struct RunningSandbox {
    pub sandbox: Sandbox,
    pub addr: SocketAddr,
    pub base_url: Url,
}

/// Binds the sandbox's port and serves it on a background task.
pub async fn start_sandbox(config: &SandboxConfig) -> Result<RunningSandbox, StartError> {
    let listener = TcpListener::bind(config.addr)
        .await
        .map_err(|source| StartError::Bind {
            variable: "KEYPORT_SANDBOX_ADDR",
            addr: config.addr,
            source,
        })?;
    let addr = listener.local_addr().map_err(StartError::Serve)?;
    let sandbox = Sandbox::new(config, &format!("http://{addr}"));
    let router = sandbox.router();
    tokio::spawn(async move {
        if let Err(e) = axum::serve(without_nagle(listener), router).await {
            tracing::error!(error = %e, "the sandbox stopped");
        }
    });
    let base_url = Url::parse(&format!("http://{addr}/"))
        .map_err(|e| StartError::Client(okta::OktaError::Malformed(e.to_string())))?;
    Ok(RunningSandbox {
        sandbox,
        addr,
        base_url,
    })
}

/// The Leptos options for Keyport's own build layout (no cargo-leptos needed).
pub fn leptos_options(config: &Config) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name(app::OUTPUT_NAME)
        .site_root(config.site_root.to_string_lossy().to_string())
        .site_pkg_dir("pkg")
        .site_addr(config.addr)
        .build()
}

/// Everything needed to serve Keyport, with the sandbox started when no org is configured.
pub struct Assembled {
    pub router: Router,
    pub sandbox: Option<RunningSandbox>,
}

/// The session cookie's rules for this deployment.
fn session_settings(config: &Config) -> sessions::SessionSettings {
    sessions::SessionSettings::for_public_url(
        &config.public_url,
        config.session_idle,
        config.session_absolute,
    )
    .embedded(!config.embed_origins.is_empty())
}

pub async fn assemble(config: &Config) -> Result<Assembled, StartError> {
    let (client_settings, sandbox) = match &config.upstream {
        Upstream::Org { url, token } => (ClientSettings::new(url.clone(), token.clone()), None),
        Upstream::Sandbox => {
            let running = start_sandbox(&config.sandbox).await?;
            let settings =
                ClientSettings::new(running.base_url.clone(), config.sandbox.token.clone());
            (settings, Some(running))
        }
    };
    let client_settings = ClientSettings {
        timeout: config.okta_timeout,
        budget_share_percent: config.okta_share_percent,
        max_concurrent: config.okta_concurrency,
        ..client_settings
    };
    let okta = OktaClient::new(client_settings)?;
    let (store, kv) = sessions::store::open(&config.session_store).await?;
    if let sessions::Kv::Redis(pool) = &kv {
        // Instances behind one load balancer share their Okta reads and invalidations.
        okta.reads().share_through(pool.clone());
    }
    if let Some(running) = &sandbox {
        let client = okta.clone();
        running.sandbox.on_change(Box::new(move || {
            let client = client.clone();
            Box::pin(async move { client.reads().forget_everything().await })
        }));
    }
    let console = sandbox.as_ref().map(|s| format!("{}sandbox/", s.base_url));
    let auth = Arc::new(auth::AuthService {
        okta: okta.clone(),
        kv: kv.clone(),
        settings: auth::AuthSettings {
            reverify_window: config.reverify_window,
            admin_group: config.admin_group.clone(),
            rp_id: config
                .public_url
                .host_str()
                .unwrap_or("localhost")
                .to_string(),
            limits: config.abuse_limits,
        },
    });
    let notify_setting = config.notify.as_ref().map(|s| s.expose().to_string());
    let notifier = Arc::new(notify::Notifier::from_setting(
        notify_setting
            .as_deref()
            .unwrap_or(if sandbox.is_some() { "sandbox" } else { "okta" }),
        &config.notify_from,
        sandbox.as_ref().map(|s| &s.sandbox),
    )?);
    tracing::info!("{}", notifier.describe());
    let account = Arc::new(account::AccountService {
        okta: okta.clone(),
        kv: kv.clone(),
        settings: account::AccountSettings {
            reverify_window: config.reverify_window,
            allow_login_change: config.allow_login_change,
        },
        notifier: notifier.clone(),
    });
    let popout = methods::popout::Popout {
        store: store.clone(),
        kv: kv.clone(),
        session: session_settings(config),
    };
    let methods = Arc::new(
        methods::MethodsService::new(
            okta.clone(),
            kv.clone(),
            notifier.clone(),
            methods::MethodsSettings {
                reverify_window: config.reverify_window,
                require_one_method: config.require_one_method,
                nickname_attribute: config.nickname_attribute.clone(),
                rp_id: config
                    .public_url
                    .host_str()
                    .unwrap_or("localhost")
                    .to_string(),
                limits: config.abuse_limits,
                sms_countries: config.sms_countries.clone(),
            },
        )
        .with_popout(popout),
    );
    let admin = Arc::new(admin::AdminService::new(
        okta.clone(),
        admin::AdminSettings {
            admin_group: config.admin_group.clone(),
            reverify_window: config.reverify_window,
            hardware_token_profile: config.hardware_token_profile.clone(),
            access_code_minutes: config.access_code_minutes,
        },
        methods.clone(),
    ));
    let services = app::api::Services {
        portal: Arc::new(KeyportService::new(okta.clone(), console)),
        auth: auth.clone(),
        methods: methods.clone(),
        account,
        admin,
    };
    let state = AppState {
        leptos_options: leptos_options(config),
        site_assets: site_assets(config)?,
        services,
        okta,
        kv: kv.clone(),
        auth,
        handoff: config
            .handoff
            .clone()
            .map(|h| Arc::new(auth::handoff::HandoffVerifier::new(h))),
        public_url: config.public_url.clone(),
        embedded: !config.embed_origins.is_empty(),
        sandbox: sandbox.is_some(),
        started: Instant::now(),
        readiness: Default::default(),
    };
    let session = session_settings(config);
    let web = web::WebSettings {
        public_origin: config.public_url.origin().ascii_serialization(),
        https: config.public_url.scheme() == "https",
        embed_origins: config.embed_origins.clone(),
        trusted_proxies: config.trusted_proxies.clone(),
        session,
        store,
    };
    Ok(Assembled {
        router: web::router(state, web),
        sandbox,
    })
}

/// Runs Keyport until Ctrl-C or SIGTERM.
/// Accepted connections send each write at once. A streamed page is several writes, and with
/// Nagle's algorithm each later one waits for the browser's delayed ACK: 40 ms a page view,
/// measured with `.ci/bench-rollout` (369 page views/s from 16 connections, all at 44 ms).
fn without_nagle(
    listener: TcpListener,
) -> axum::serve::TapIo<TcpListener, fn(&mut tokio::net::TcpStream)> {
    use axum::serve::ListenerExt;
    fn no_delay(stream: &mut tokio::net::TcpStream) {
        if let Err(e) = stream.set_nodelay(true) {
            tracing::debug!(error = %e, "cannot set TCP_NODELAY on a connection");
        }
    }
    listener.tap_io(no_delay as fn(&mut tokio::net::TcpStream))
}

pub async fn serve(config: Config) -> Result<(), StartError> {
    let assembled = assemble(&config).await?;
    if let Some(sb) = &assembled.sandbox {
        announce_sandbox(sb, &config.sandbox);
    }
    if let Some(addr) = config.demo_host_addr {
        start_demo_host(&config, addr).await?;
    }
    let listener = TcpListener::bind(config.addr)
        .await
        .map_err(|source| StartError::Bind {
            variable: "KEYPORT_ADDR",
            addr: config.addr,
            source,
        })?;
    tracing::info!(url = %config.public_url, "Keyport is listening on {}", config.addr);
    axum::serve(
        without_nagle(listener),
        assembled
            .router
            .into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
    .map_err(StartError::Serve)
}

/// Serves the demo host page (a company site embedding Keyport) beside the sandbox.
async fn start_demo_host(config: &Config, addr: SocketAddr) -> Result<(), StartError> {
    use auth::handoff::KeySource;
    let Some(handoff) = &config.handoff else {
        tracing::warn!("KEYPORT_DEMO_HOST_ADDR is set but handoff is off: no demo host");
        return Ok(());
    };
    let KeySource::Secret(secret) = &handoff.keys else {
        tracing::warn!("the demo host signs handoff tokens with a shared secret; handoff uses a JWKS here: no demo host");
        return Ok(());
    };
    let bound = embed::start(embed::DemoHostSettings {
        addr,
        keyport_origin: config.public_url.origin().ascii_serialization(),
        handoff_secret: secret.expose().to_string(),
        audience: handoff.audience.clone(),
        issuer: handoff.issuer.clone(),
    })
    .await
    .map_err(|source| StartError::Bind {
        variable: "KEYPORT_DEMO_HOST_ADDR",
        addr,
        source,
    })?;
    tracing::info!(url = %format!("http://{bound}/"), "demo host (a company site embedding Keyport) is listening");
    Ok(())
}

/// Runs only the sandbox (`keyport sandbox`), for other tools and Okta's SDKs.
pub async fn serve_sandbox(config: Config) -> Result<(), StartError> {
    let running = start_sandbox(&config.sandbox).await?;
    announce_sandbox(&running, &config.sandbox);
    shutdown_signal().await;
    Ok(())
}

fn announce_sandbox(sb: &RunningSandbox, config: &SandboxConfig) {
    // The sandbox token only ever opens demo data; printing it is the point (README).
    let pipeline = match config.pipeline {
        config::SandboxPipeline::Classic => "classic",
        config::SandboxPipeline::IdentityEngine => "oie",
    };
    tracing::info!(
        org_url = %sb.base_url,
        console = %format!("{}sandbox/", sb.base_url),
        pipeline,
        "Okta sandbox listening; API token for tools and SDKs: {}",
        config.token.expose()
    );
}

/// The current build's browser files (`web::assets`), with a warning when a wasm is missing.
fn site_assets(config: &Config) -> Result<app::assets::SiteAssets, StartError> {
    let assets = web::assets::load(&config.site_root)?;
    for group in app::assets::PageGroup::ALL {
        let wasm = config.site_root.join("pkg").join(&assets.code(group).wasm);
        if !wasm.exists() {
            tracing::warn!(
                path = %wasm.display(),
                pages = group.name(),
                "the wasm is not built: these pages will render but not be interactive (see the README's start command)"
            );
        }
    }
    Ok(assets)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}
