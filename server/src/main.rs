//! `keyport`: serve Keyport, or only its Okta sandbox.

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use server::config::{settings_help, Config, Sources};
use std::process::ExitCode;

/// A page view is mostly short-lived allocations on several threads at once (the render, the
/// JSON): glibc's allocator spent about a third of a loaded server's time in malloc and free
/// (`perf` under `.ci/bench-rollout`'s hammer), mimalloc much less.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Keyport: manage your Okta sign-in methods inside your own application.
#[derive(Parser)]
#[command(name = "keyport", version)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve Keyport (the default). Starts the built-in Okta sandbox when OKTA_ORG_URL is unset.
    Serve,
    /// Run only the Okta sandbox, for other tools and Okta's SDKs to talk to.
    Sandbox,
    /// Print a sign-in handoff token for a user, signed with KEYPORT_HANDOFF_SECRET (or the
    /// sandbox's demo secret), for trying the handoff by hand. Your application signs its own.
    HandoffToken {
        /// The user's Okta login or id.
        user: String,
        /// How long the token lives, in seconds (Keyport refuses more than 600).
        #[arg(long, default_value_t = 120)]
        ttl: u64,
    },
}

fn main() -> ExitCode {
    let matches = Cli::command().after_help(settings_help()).get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    let sources = match Sources::from_process_env() {
        Ok(s) => s,
        Err(e) => return fail(&e.to_string()),
    };
    let config = match Config::from_sources(&sources) {
        Ok(c) => c,
        Err(e) => return fail(&e.to_string()),
    };
    if let Some(Command::HandoffToken { user, ttl }) = &cli.command {
        return print_handoff_token(&config, user, *ttl);
    }
    server::telemetry::init(config.log_format, &config.log_filter);
    for warning in &sources.warnings {
        tracing::warn!("{warning}");
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return fail(&format!("cannot start the async runtime: {e}")),
    };
    let result = runtime.block_on(async move {
        match cli.command.unwrap_or(Command::Serve) {
            Command::Serve => server::serve(config).await,
            Command::Sandbox => server::serve_sandbox(config).await,
            Command::HandoffToken { .. } => Ok(()),
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e.to_string()),
    }
}

fn print_handoff_token(config: &Config, user: &str, ttl: u64) -> ExitCode {
    use server::auth::handoff::KeySource;
    let Some(handoff) = &config.handoff else {
        return fail("handoff is not configured: set KEYPORT_HANDOFF_SECRET");
    };
    let KeySource::Secret(secret) = &handoff.keys else {
        return fail("handoff tokens are checked against your JWKS: your application signs them with its private key");
    };
    match server::auth::handoff::mint(
        secret.expose(),
        user,
        &handoff.audience,
        handoff.issuer.as_deref(),
        std::time::Duration::from_secs(ttl),
    ) {
        Ok(token) => {
            println!("{token}");
            ExitCode::SUCCESS
        }
        Err(e) => fail(&e),
    }
}

/// One line on stderr, exit code 2: what a bad setting or a busy port deserves.
fn fail(line: &str) -> ExitCode {
    eprintln!("keyport: {line}");
    ExitCode::from(2)
}
