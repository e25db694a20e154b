//! Keyport's settings: what they are, where they come from, and how a bad one is reported.
//!
//! Settings come from, in increasing priority: built-in defaults, an optional file named by
//! `KEYPORT_CONFIG` (dotenv format, `NAME=value` per line), and the process environment. Every
//! setting is declared once in [`SETTINGS`], which is also what `keyport --help` prints, so the
//! help can never drift from what is read. A bad value stops start-up with one line naming the
//! variable; a `KEYPORT_*` variable that is not a setting is warned about (with the closest
//! match), so a typo never silently falls back to a default.

use crate::okta::ApiToken;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;
use url::Url;

/// One documented setting.
pub struct Setting {
    pub name: &'static str,
    pub default: Option<&'static str>,
    /// Secrets are never printed, logged or echoed in error messages.
    pub secret: bool,
    pub help: &'static str,
}

const fn setting(
    name: &'static str,
    default: Option<&'static str>,
    secret: bool,
    help: &'static str,
) -> Setting {
    Setting {
        name,
        default,
        secret,
        help,
    }
}

/// The default token of the built-in sandbox. Documented in the README: it only ever opens the
/// sandbox, which holds demo data.
pub const DEFAULT_SANDBOX_TOKEN: &str = "keyport-sandbox-token";

/// The handoff secret used in sandbox mode when none is configured: it only ever opens sessions
/// for the sandbox's demo users. Documented in the README; never used with a real org.
pub const DEFAULT_SANDBOX_HANDOFF_SECRET: &str = "keyport-sandbox-handoff-secret-for-demos-only";

/// Every setting Keyport reads. `keyport --help` prints this table.
pub const SETTINGS: &[Setting] = &[
    setting("KEYPORT_CONFIG", None, false, "Optional file of NAME=value lines read before the environment (the environment wins)."),
    setting("KEYPORT_ADDR", Some("127.0.0.1:3000"), false, "Address and port Keyport listens on."),
    setting("KEYPORT_PUBLIC_URL", None, false, "The URL people use to reach Keyport (https in production). Defaults to http://<KEYPORT_ADDR>."),
    setting("OKTA_ORG_URL", None, false, "Your Okta org, e.g. https://example.okta.com. Unset: Keyport starts its built-in sandbox."),
    setting("OKTA_API_TOKEN", None, true, "An Okta API token (SSWS) for OKTA_ORG_URL. Required with OKTA_ORG_URL."),
    setting("KEYPORT_SITE_ROOT", Some("target/site"), false, "Folder holding the built wasm, JavaScript, CSS and public files."),
    setting("KEYPORT_LOG", Some("info"), false, "Log filter, e.g. info or server=debug,info (tracing EnvFilter syntax)."),
    setting("KEYPORT_LOG_FORMAT", Some("text"), false, "Log format: text (human-readable) or json (one JSON object per line)."),
    setting("KEYPORT_OKTA_TIMEOUT_SECS", Some("10"), false, "Total timeout of one call to Okta, in seconds (1-120)."),
    setting("KEYPORT_OKTA_SHARE_PERCENT", Some("50"), false, "The share of each of Okta's per-minute rate limits (X-Rate-Limit-Limit) Keyport may spend; the rest is left for the org's other apps (1-100)."),
    setting("KEYPORT_OKTA_CONCURRENCY", Some("24"), false, "Okta calls in flight at once, at most (Okta also limits concurrent requests per org; 1-500)."),
    setting("KEYPORT_SESSION_STORE", Some(".keyport/sessions.sqlite3"), false, "Where sessions live: a SQLite file path (default; survives restarts; one Keyport process per file) or redis://host:port for several instances."),
    setting("KEYPORT_SESSION_IDLE_MINUTES", Some("30"), false, "A session unused for this long ends (1-1440)."),
    setting("KEYPORT_SESSION_ABSOLUTE_HOURS", Some("12"), false, "A session ends this long after sign-in, however busy (1-720)."),
    setting("KEYPORT_REVERIFY_MINUTES", Some("5"), false, "How recent a verification must be before adding, removing or renaming a method or changing the password (1-60)."),
    setting("KEYPORT_ADMIN_GROUP", Some("Keyport Admins"), false, "The Okta group whose members may use the admin area and help desk."),
    setting("KEYPORT_HARDWARE_TOKEN_PROFILE", None, false, "The custom TOTP factor profile id (fpr...) the help desk registers hardware tokens under; unset hides hardware tokens. Against the sandbox: its demo profile."),
    setting("KEYPORT_ACCESS_CODE_MINUTES", Some("60"), false, "How long a temporary access code issued by the help desk works, in minutes (10-14400)."),
    setting("KEYPORT_HANDOFF_SECRET", None, true, "Shared HMAC secret (HS256, 32+ characters) for sign-in handoff tokens from your application. Sandbox mode has a documented demo secret."),
    setting("KEYPORT_HANDOFF_JWKS_URL", None, false, "Your application's JWKS URL, for handoff tokens signed with RS256 or ES256 (instead of a shared secret)."),
    setting("KEYPORT_HANDOFF_AUDIENCE", Some("keyport"), false, "The aud a handoff token must carry."),
    setting("KEYPORT_HANDOFF_ISSUER", None, false, "The iss a handoff token must carry, when set."),
    setting("KEYPORT_REQUIRE_ONE_METHOD", Some("true"), false, "true when the org requires at least one sign-in method: the last one cannot be removed."),
    setting("KEYPORT_ALLOW_LOGIN_CHANGE", Some("false"), false, "true to let people change their own username (Okta login) on the account page."),
    setting("KEYPORT_NOTIFY", None, true, "Where security emails (password changed, method added or removed) go: sandbox (the sandbox outbox; the default against the sandbox), okta (send none: the org's own notifications cover it; the default with a real org), or an SMTP URL such as smtps://user:password@mail.example.com:465."),
    setting("KEYPORT_NOTIFY_FROM", Some("Keyport <keyport@localhost>"), false, "The From address of security emails sent through SMTP."),
    setting("KEYPORT_NICKNAME_ATTRIBUTE", Some("keyportNicknames"), false, "Okta profile attribute (a string) where Keyport keeps the names people give their methods in Identity Engine orgs."),
    setting("KEYPORT_SIGNIN_LIMIT", Some("10"), false, "Sign-in attempts allowed per account per 15 minutes (five times as many per client address)."),
    setting("KEYPORT_CODE_LIMIT", Some("15"), false, "Code and answer submissions allowed per account per 15 minutes (five times as many per client address)."),
    setting("KEYPORT_MESSAGE_LIMIT", Some("10"), false, "Texts, voice calls and emails with a code or link that Keyport may have Okta send per account per hour; as many per session, half as many (at least 3) to one phone number or address, five times as many per client address."),
    setting("KEYPORT_SMS_COUNTRIES", None, false, "Countries (ISO codes such as US,CA,DE) phone numbers may be in: for a phone added as a method, and for an Okta Verify setup link texted to a number not on the person's account. Unset: any country (numbers must still be mobile for texts, never premium-rate or service numbers)."),
    setting("KEYPORT_TRUSTED_PROXIES", None, false, "Comma-separated addresses of reverse proxies whose X-Forwarded-For is believed."),
    setting("KEYPORT_EMBED_ORIGINS", None, false, "Embed mode: the origins (scheme://host[:port], separated by spaces or commas) of the sites allowed to show Keyport in an iframe. Session cookies become SameSite=None; Secure; Partitioned. Unset: no other site may frame Keyport."),
    setting("KEYPORT_DEMO_HOST_ADDR", None, false, "Sandbox only: also serve a demo host page (a company site embedding Keyport) on this loopback address, e.g. 127.0.0.1:3002; its origin is allowed to embed."),
    setting("KEYPORT_SANDBOX_ADDR", Some("127.0.0.1:3001"), false, "Address of the built-in Okta sandbox (loopback unless you mean to share it)."),
    setting("KEYPORT_SANDBOX_TOKEN", Some(DEFAULT_SANDBOX_TOKEN), true, "API token the sandbox accepts (Authorization: SSWS <token>)."),
    setting("KEYPORT_SANDBOX_PIPELINE", Some("oie"), false, "Engine the sandbox org imitates: oie (Identity Engine) or classic."),
    setting("KEYPORT_SANDBOX_WEBAUTHN_ORIGINS", None, false, "Comma-separated origins the sandbox accepts WebAuthn ceremonies from (as an org trusts its own domain). Defaults to KEYPORT_PUBLIC_URL's origin."),
];

/// A setting with a bad value: printed as one line, and start-up stops.
#[derive(Debug, thiserror::Error)]
#[error("{variable}: {problem}")]
pub struct ConfigError {
    pub variable: &'static str,
    pub problem: String,
}

fn bad(variable: &'static str, problem: impl Into<String>) -> ConfigError {
    ConfigError {
        variable,
        problem: problem.into(),
    }
}

/// Where Keyport's Okta calls go.
#[derive(Clone, Debug)]
pub enum Upstream {
    /// A real org.
    Org { url: Url, token: ApiToken },
    /// The built-in sandbox, started in-process.
    Sandbox,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

/// Which engine the sandbox imitates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SandboxPipeline {
    Classic,
    IdentityEngine,
}

/// The sandbox's own settings, used in-process and by `keyport sandbox`.
#[derive(Clone, Debug)]
pub struct SandboxConfig {
    pub addr: SocketAddr,
    pub token: ApiToken,
    pub pipeline: SandboxPipeline,
    /// Origins WebAuthn ceremonies may come from; their hosts are the accepted RP ids.
    pub webauthn_origins: Vec<Url>,
}

/// Keyport's validated configuration.
#[derive(Clone, Debug)]
pub struct Config {
    pub addr: SocketAddr,
    pub public_url: Url,
    pub upstream: Upstream,
    pub site_root: PathBuf,
    pub log_filter: String,
    pub log_format: LogFormat,
    pub okta_timeout: Duration,
    /// The share of each Okta rate limit Keyport may spend, in percent.
    pub okta_share_percent: u32,
    /// Okta calls in flight at once, at most.
    pub okta_concurrency: usize,
    pub session_store: String,
    pub session_idle: Duration,
    pub session_absolute: Duration,
    pub reverify_window: Duration,
    pub admin_group: String,
    /// The custom TOTP factor profile for hardware tokens (`None`: none offered).
    pub hardware_token_profile: Option<String>,
    pub access_code_minutes: u32,
    /// `None` when handoff is disabled.
    pub handoff: Option<crate::auth::handoff::HandoffSettings>,
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Embed mode: the origins allowed to frame Keyport (empty: none but Keyport itself).
    pub embed_origins: Vec<String>,
    /// Sandbox only: where the demo host page is served.
    pub demo_host_addr: Option<SocketAddr>,
    pub abuse_limits: crate::auth::limits::AbuseLimits,
    /// Countries setup links may be texted to beyond the person's own numbers (ISO codes).
    pub sms_countries: Vec<String>,
    pub require_one_method: bool,
    pub nickname_attribute: String,
    pub allow_login_change: bool,
    /// `KEYPORT_NOTIFY` as given (`None`: the default for the upstream), and the From address.
    pub notify: Option<crate::okta::types::Secret>,
    pub notify_from: String,
    pub sandbox: SandboxConfig,
}

/// The raw values, merged from defaults, the file and the environment.
#[derive(Debug, Default)]
pub struct Sources {
    values: BTreeMap<String, String>,
    /// Warnings to log once logging is up (unknown variables).
    pub warnings: Vec<String>,
}

impl Sources {
    /// Reads the optional file and the process environment.
    pub fn from_process_env() -> Result<Self, ConfigError> {
        Self::from_vars(std::env::vars())
    }

    /// Builds the sources from explicit environment pairs (tests pass their own).
    pub fn from_vars(
        vars: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, ConfigError> {
        let env: BTreeMap<String, String> = vars.into_iter().collect();
        let mut values = BTreeMap::new();
        if let Some(path) = env.get("KEYPORT_CONFIG").filter(|p| !p.is_empty()) {
            let iter = dotenvy::from_path_iter(path)
                .map_err(|e| bad("KEYPORT_CONFIG", format!("cannot read {path}: {e}")))?;
            for item in iter {
                let (key, value) = item.map_err(|e| {
                    bad(
                        "KEYPORT_CONFIG",
                        format!("{path} is not NAME=value lines: {e}"),
                    )
                })?;
                values.insert(key, value);
            }
        }
        // The environment wins over the file.
        for (key, value) in env {
            if is_ours(&key) {
                values.insert(key, value);
            }
        }
        let warnings = values
            .keys()
            .filter(|k| k.starts_with("KEYPORT_") && lookup(k).is_none())
            .map(|k| unknown_variable_warning(k))
            .collect();
        Ok(Sources { values, warnings })
    }

    fn get(&self, name: &'static str) -> Option<&str> {
        self.values
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.trim().is_empty())
            .or_else(|| lookup(name).and_then(|s| s.default))
    }

    fn required(&self, name: &'static str) -> Result<&str, ConfigError> {
        self.get(name).ok_or_else(|| bad(name, "is required"))
    }
}

fn is_ours(key: &str) -> bool {
    key.starts_with("KEYPORT_") || lookup(key).is_some()
}

fn lookup(name: &str) -> Option<&'static Setting> {
    SETTINGS.iter().find(|s| s.name == name)
}

fn unknown_variable_warning(name: &str) -> String {
    let closest = SETTINGS
        .iter()
        .map(|s| (strsim::jaro_winkler(name, s.name), s.name))
        .filter(|(score, _)| *score > 0.85)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, n)| n);
    match closest {
        Some(n) => format!("{name} is not a Keyport setting and is ignored (did you mean {n}?)"),
        None => {
            format!("{name} is not a Keyport setting and is ignored (keyport --help lists them)")
        }
    }
}

impl Config {
    /// Validates every setting. The first bad one is the error.
    pub fn from_sources(src: &Sources) -> Result<Self, ConfigError> {
        let addr = parse_addr(src, "KEYPORT_ADDR")?;
        let public_url = match src.get("KEYPORT_PUBLIC_URL") {
            Some(raw) => parse_public_url(raw)?,
            None => Url::parse(&format!("http://{}/", display_host(addr)))
                .map_err(|e| bad("KEYPORT_ADDR", format!("cannot form a URL from it: {e}")))?,
        };
        let upstream = match (src.get("OKTA_ORG_URL"), src.get("OKTA_API_TOKEN")) {
            (None, None) => Upstream::Sandbox,
            (Some(url), Some(token)) => Upstream::Org {
                url: parse_org_url(url)?,
                token: parse_token("OKTA_API_TOKEN", token)?,
            },
            (Some(_), None) => {
                return Err(bad(
                    "OKTA_API_TOKEN",
                    "is required when OKTA_ORG_URL is set",
                ))
            }
            (None, Some(_)) => {
                return Err(bad(
                    "OKTA_ORG_URL",
                    "is required when OKTA_API_TOKEN is set (unset both to use the sandbox)",
                ))
            }
        };
        let log_format = match src
            .required("KEYPORT_LOG_FORMAT")?
            .to_ascii_lowercase()
            .as_str()
        {
            "text" => LogFormat::Text,
            "json" => LogFormat::Json,
            other => {
                return Err(bad(
                    "KEYPORT_LOG_FORMAT",
                    format!("'{other}' is not text or json"),
                ))
            }
        };
        let log_filter = src.required("KEYPORT_LOG")?.to_string();
        tracing_subscriber::EnvFilter::try_new(&log_filter).map_err(|e| {
            bad(
                "KEYPORT_LOG",
                format!("'{log_filter}' is not a valid filter: {e}"),
            )
        })?;
        let okta_timeout =
            Duration::from_secs(parse_int(src, "KEYPORT_OKTA_TIMEOUT_SECS", 1, 120)?);
        let pipeline = match src
            .required("KEYPORT_SANDBOX_PIPELINE")?
            .to_ascii_lowercase()
            .as_str()
        {
            "oie" | "idx" => SandboxPipeline::IdentityEngine,
            "classic" | "v1" => SandboxPipeline::Classic,
            other => {
                return Err(bad(
                    "KEYPORT_SANDBOX_PIPELINE",
                    format!("'{other}' is not oie or classic"),
                ))
            }
        };
        let sms_countries = src
            .get("KEYPORT_SMS_COUNTRIES")
            .unwrap_or_default()
            .split([',', ' '])
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(|c| {
                let upper = c.to_ascii_uppercase();
                upper
                    .parse::<phonenumber::country::Id>()
                    .map(|_| upper.clone())
                    .map_err(|_| {
                        bad(
                            "KEYPORT_SMS_COUNTRIES",
                            format!("'{c}' is not a country code such as US or DE"),
                        )
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let webauthn_origins = match src.get("KEYPORT_SANDBOX_WEBAUTHN_ORIGINS") {
            Some(raw) => raw
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|o| {
                    Url::parse(o)
                        .ok()
                        .filter(|u| {
                            matches!(u.scheme(), "http" | "https") && u.host_str().is_some()
                        })
                        .ok_or_else(|| {
                            bad(
                                "KEYPORT_SANDBOX_WEBAUTHN_ORIGINS",
                                format!(
                                    "'{o}' is not an origin such as https://keyport.example.com"
                                ),
                            )
                        })
                })
                .collect::<Result<Vec<_>, _>>()?,
            None => vec![public_url.clone()],
        };
        let sandbox = SandboxConfig {
            addr: parse_addr(src, "KEYPORT_SANDBOX_ADDR")?,
            token: parse_token(
                "KEYPORT_SANDBOX_TOKEN",
                src.required("KEYPORT_SANDBOX_TOKEN")?,
            )?,
            pipeline,
            webauthn_origins,
        };
        let okta_share_percent = parse_int(src, "KEYPORT_OKTA_SHARE_PERCENT", 1, 100)? as u32;
        let okta_concurrency = parse_int(src, "KEYPORT_OKTA_CONCURRENCY", 1, 500)? as usize;
        let handoff = parse_handoff(src, matches!(upstream, Upstream::Sandbox))?;
        let trusted_proxies = match src.get("KEYPORT_TRUSTED_PROXIES") {
            None => vec![],
            Some(raw) => raw
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|ip| {
                    ip.parse().map_err(|_| {
                        bad(
                            "KEYPORT_TRUSTED_PROXIES",
                            format!("'{ip}' is not an IP address"),
                        )
                    })
                })
                .collect::<Result<_, _>>()?,
        };
        let demo_host_addr = match src.get("KEYPORT_DEMO_HOST_ADDR") {
            Some(raw) if !raw.trim().is_empty() => {
                let addr: SocketAddr = raw.trim().parse().map_err(|_| {
                    bad(
                        "KEYPORT_DEMO_HOST_ADDR",
                        "must be an address and port, e.g. 127.0.0.1:3002",
                    )
                })?;
                if !matches!(upstream, Upstream::Sandbox) {
                    return Err(bad(
                        "KEYPORT_DEMO_HOST_ADDR",
                        "is for the sandbox only (unset OKTA_ORG_URL, or unset this)",
                    ));
                }
                Some(addr)
            }
            _ => None,
        };
        let mut embed_origins = parse_origins(src.get("KEYPORT_EMBED_ORIGINS").unwrap_or(""))?;
        if let Some(addr) = demo_host_addr {
            let origin = format!("http://{addr}");
            if !embed_origins.contains(&origin) {
                embed_origins.push(origin);
            }
        }
        Ok(Config {
            okta_share_percent,
            okta_concurrency,
            session_store: src.required("KEYPORT_SESSION_STORE")?.trim().to_string(),
            session_idle: Duration::from_secs(
                60 * parse_int(src, "KEYPORT_SESSION_IDLE_MINUTES", 1, 1440)?,
            ),
            session_absolute: Duration::from_secs(
                3600 * parse_int(src, "KEYPORT_SESSION_ABSOLUTE_HOURS", 1, 720)?,
            ),
            reverify_window: Duration::from_secs(
                60 * parse_int(src, "KEYPORT_REVERIFY_MINUTES", 1, 60)?,
            ),
            admin_group: src.required("KEYPORT_ADMIN_GROUP")?.trim().to_string(),
            hardware_token_profile: src
                .get("KEYPORT_HARDWARE_TOKEN_PROFILE")
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
                .or_else(|| {
                    matches!(upstream, Upstream::Sandbox)
                        .then(|| crate::sandbox::seed::CUSTOM_TOTP_PROFILE_ID.to_string())
                }),
            access_code_minutes: parse_int(src, "KEYPORT_ACCESS_CODE_MINUTES", 10, 14_400)? as u32,
            handoff,
            trusted_proxies,
            embed_origins,
            demo_host_addr,
            require_one_method: parse_bool(src, "KEYPORT_REQUIRE_ONE_METHOD")?,
            allow_login_change: parse_bool(src, "KEYPORT_ALLOW_LOGIN_CHANGE")?,
            notify: src
                .get("KEYPORT_NOTIFY")
                .map(|v| crate::okta::types::Secret::new(v.trim())),
            notify_from: src.required("KEYPORT_NOTIFY_FROM")?.trim().to_string(),
            nickname_attribute: src
                .required("KEYPORT_NICKNAME_ATTRIBUTE")?
                .trim()
                .to_string(),
            abuse_limits: crate::auth::limits::AbuseLimits::per_account(
                parse_int(src, "KEYPORT_SIGNIN_LIMIT", 1, 100_000)?,
                parse_int(src, "KEYPORT_CODE_LIMIT", 1, 100_000)?,
                parse_int(src, "KEYPORT_MESSAGE_LIMIT", 1, 100_000)?,
            ),
            sms_countries,
            addr,
            public_url,
            upstream,
            site_root: PathBuf::from(src.required("KEYPORT_SITE_ROOT")?),
            log_filter,
            log_format,
            okta_timeout,
            sandbox,
        })
    }

    /// True when no real org is configured.
    pub fn uses_sandbox(&self) -> bool {
        matches!(self.upstream, Upstream::Sandbox)
    }
}

fn parse_handoff(
    src: &Sources,
    sandbox: bool,
) -> Result<Option<crate::auth::handoff::HandoffSettings>, ConfigError> {
    use crate::auth::handoff::{HandoffSettings, KeySource};
    let keys = match (
        src.get("KEYPORT_HANDOFF_SECRET"),
        src.get("KEYPORT_HANDOFF_JWKS_URL"),
    ) {
        (Some(_), Some(_)) => {
            return Err(bad(
                "KEYPORT_HANDOFF_JWKS_URL",
                "set either KEYPORT_HANDOFF_SECRET or KEYPORT_HANDOFF_JWKS_URL, not both",
            ))
        }
        (Some(secret), None) => {
            if secret.trim().len() < 32 {
                return Err(bad(
                    "KEYPORT_HANDOFF_SECRET",
                    "must be at least 32 characters",
                ));
            }
            KeySource::Secret(crate::okta::types::Secret::new(secret.trim()))
        }
        (None, Some(url)) => {
            let u = Url::parse(url.trim()).map_err(|e| {
                bad(
                    "KEYPORT_HANDOFF_JWKS_URL",
                    format!("'{url}' is not a URL ({e})"),
                )
            })?;
            let loopback = matches!(u.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
            if u.scheme() != "https" && !(u.scheme() == "http" && loopback) {
                return Err(bad("KEYPORT_HANDOFF_JWKS_URL", "must use https"));
            }
            KeySource::Jwks(u)
        }
        (None, None) if sandbox => KeySource::Secret(crate::okta::types::Secret::new(
            DEFAULT_SANDBOX_HANDOFF_SECRET,
        )),
        (None, None) => return Ok(None),
    };
    Ok(Some(HandoffSettings {
        keys,
        audience: src.required("KEYPORT_HANDOFF_AUDIENCE")?.trim().to_string(),
        issuer: src
            .get("KEYPORT_HANDOFF_ISSUER")
            .map(|s| s.trim().to_string()),
    }))
}

fn display_host(addr: SocketAddr) -> String {
    // 127.0.0.1 and ::1 are shown as localhost: WebAuthn needs a domain, not an IP literal.
    if addr.ip().is_loopback() {
        format!("localhost:{}", addr.port())
    } else if addr.is_ipv6() {
        format!("[{}]:{}", addr.ip(), addr.port())
    } else {
        addr.to_string()
    }
}

fn parse_addr(src: &Sources, name: &'static str) -> Result<SocketAddr, ConfigError> {
    let raw = src.required(name)?;
    raw.trim().parse().map_err(|_| {
        bad(
            name,
            format!("'{raw}' is not an address and port (expected host:port, e.g. 127.0.0.1:3000)"),
        )
    })
}

fn parse_bool(src: &Sources, name: &'static str) -> Result<bool, ConfigError> {
    match src.required(name)?.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "1" => Ok(true),
        "false" | "no" | "0" => Ok(false),
        other => Err(bad(name, format!("'{other}' is not true or false"))),
    }
}

fn parse_int(src: &Sources, name: &'static str, min: u64, max: u64) -> Result<u64, ConfigError> {
    let raw = src.required(name)?;
    let value: u64 = raw
        .trim()
        .parse()
        .map_err(|_| bad(name, format!("'{raw}' is not a whole number")))?;
    if !(min..=max).contains(&value) {
        return Err(bad(name, format!("{value} is out of range ({min}-{max})")));
    }
    Ok(value)
}

fn parse_token(name: &'static str, raw: &str) -> Result<ApiToken, ConfigError> {
    let raw = raw.trim();
    // Never echo the value: it is a secret.
    if raw.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad(name, "contains spaces or control characters"));
    }
    if raw.to_ascii_lowercase().starts_with("ssws") {
        return Err(bad(
            name,
            "should be the token alone, without the 'SSWS' prefix",
        ));
    }
    Ok(ApiToken::new(raw))
}

fn parse_org_url(raw: &str) -> Result<Url, ConfigError> {
    const NAME: &str = "OKTA_ORG_URL";
    let url = Url::parse(raw.trim()).map_err(|e| {
        bad(
            NAME,
            format!("'{raw}' is not a URL ({e}); expected e.g. https://example.okta.com"),
        )
    })?;
    let loopback = matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        other => return Err(bad(NAME, format!("must use https (got {other}://)"))),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad(NAME, "must not contain a user name or password"));
    }
    if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
        return Err(bad(
            NAME,
            format!(
                "must be the org's base URL only, e.g. https://{}",
                url.host_str().unwrap_or("example.okta.com")
            ),
        ));
    }
    Ok(url)
}

/// `KEYPORT_EMBED_ORIGINS`: each entry an origin alone (no path, query or wildcard), as it
/// will appear in `frame-ancestors` and be compared with a message's origin.
fn parse_origins(raw: &str) -> Result<Vec<String>, ConfigError> {
    let mut out = Vec::new();
    for item in raw.split([' ', ',', '\n', '\t']).filter(|s| !s.is_empty()) {
        let url = Url::parse(item).map_err(|_| {
            bad(
                "KEYPORT_EMBED_ORIGINS",
                "each entry must be an origin such as https://app.example.com",
            )
        })?;
        let origin = url.origin().ascii_serialization();
        let bare = item.trim_end_matches('/');
        if !matches!(url.scheme(), "http" | "https") || origin != bare {
            return Err(bad(
                "KEYPORT_EMBED_ORIGINS",
                "each entry must be an origin alone (scheme://host[:port], no path), such as https://app.example.com",
            ));
        }
        if !out.contains(&origin) {
            out.push(origin);
        }
    }
    Ok(out)
}

fn parse_public_url(raw: &str) -> Result<Url, ConfigError> {
    const NAME: &str = "KEYPORT_PUBLIC_URL";
    let url =
        Url::parse(raw.trim()).map_err(|e| bad(NAME, format!("'{raw}' is not a URL ({e})")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(bad(
            NAME,
            format!("'{raw}' must be an http or https URL with a host"),
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(bad(NAME, "must not have a query or fragment"));
    }
    Ok(url)
}

/// The settings table for `keyport --help`.
pub fn settings_help() -> String {
    let width = SETTINGS.iter().map(|s| s.name.len()).max().unwrap_or(0);
    let mut out =
        String::from("Settings (environment variables; KEYPORT_CONFIG may name a file of them):\n");
    for s in SETTINGS {
        // Defaults are public by definition (the sandbox token's is in the README too).
        let default = s
            .default
            .map(|d| format!(" [default: {d}]"))
            .unwrap_or_default();
        let secret = if s.secret { " (secret)" } else { "" };
        out.push_str(&format!(
            "  {:width$}  {}{}{}\n",
            s.name, s.help, secret, default
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let src = Sources::from_vars(vars.iter().map(|(k, v)| (k.to_string(), v.to_string())))?;
        Config::from_sources(&src)
    }

    #[test]
    fn defaults_start_the_sandbox_on_loopback() {
        let c = config(&[]).unwrap();
        assert_eq!(c.addr.to_string(), "127.0.0.1:3000");
        assert!(c.uses_sandbox());
        assert_eq!(c.public_url.as_str(), "http://localhost:3000/");
        assert_eq!(c.sandbox.pipeline, SandboxPipeline::IdentityEngine);
        assert_eq!(c.log_format, LogFormat::Text);
    }

    #[test]
    fn a_bad_value_names_the_variable_in_one_line() {
        let err = config(&[("KEYPORT_ADDR", "not-an-address")]).unwrap_err();
        let line = err.to_string();
        assert!(line.starts_with("KEYPORT_ADDR: "), "{line}");
        assert!(!line.contains('\n'));
        let err = config(&[("KEYPORT_LOG_FORMAT", "xml")]).unwrap_err();
        assert_eq!(err.variable, "KEYPORT_LOG_FORMAT");
        let err = config(&[("KEYPORT_OKTA_TIMEOUT_SECS", "0")]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "KEYPORT_OKTA_TIMEOUT_SECS: 0 is out of range (1-120)"
        );
    }

    #[test]
    fn an_org_needs_https_and_a_token_and_never_echoes_the_token() {
        let err = config(&[("OKTA_ORG_URL", "https://example.okta.com")]).unwrap_err();
        assert_eq!(err.variable, "OKTA_API_TOKEN");
        let err = config(&[
            ("OKTA_ORG_URL", "http://example.okta.com"),
            ("OKTA_API_TOKEN", "x"),
        ])
        .unwrap_err();
        assert!(err.to_string().contains("https"));
        let err = config(&[
            ("OKTA_ORG_URL", "https://example.okta.com"),
            ("OKTA_API_TOKEN", "SSWS 00abcSECRET"),
        ])
        .unwrap_err();
        assert!(!err.to_string().contains("SECRET"));
        let c = config(&[
            ("OKTA_ORG_URL", "https://example.okta.com"),
            ("OKTA_API_TOKEN", "00abcSECRET"),
        ])
        .unwrap();
        assert!(!c.uses_sandbox());
        assert!(
            !format!("{c:?}").contains("SECRET"),
            "Debug must not print the token"
        );
    }

    #[test]
    fn unknown_keyport_variables_are_warned_about_with_a_suggestion() {
        let src = Sources::from_vars([("KEYPORT_ADR".to_string(), "x".to_string())]).unwrap();
        assert_eq!(src.warnings.len(), 1);
        assert!(
            src.warnings[0].contains("did you mean KEYPORT_ADDR"),
            "{:?}",
            src.warnings
        );
        // Other programs' variables are none of our business.
        let src = Sources::from_vars([("HOME".to_string(), "/root".to_string())]).unwrap();
        assert!(src.warnings.is_empty());
    }

    #[test]
    fn the_file_is_read_and_the_environment_wins() {
        let dir = std::env::temp_dir().join(format!("keyport-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("keyport.env");
        std::fs::write(
            &file,
            "KEYPORT_ADDR=127.0.0.1:4000\nKEYPORT_LOG_FORMAT=json\n",
        )
        .unwrap();
        let path = file.to_string_lossy().to_string();
        let c = config(&[("KEYPORT_CONFIG", &path), ("KEYPORT_LOG_FORMAT", "text")]).unwrap();
        assert_eq!(c.addr.port(), 4000);
        assert_eq!(c.log_format, LogFormat::Text);
        let err = config(&[("KEYPORT_CONFIG", "/nonexistent/keyport.env")]).unwrap_err();
        assert_eq!(err.variable, "KEYPORT_CONFIG");
    }

    #[test]
    fn embed_origins_are_bare_origins_and_the_demo_host_is_one_of_them() {
        let c = config(&[(
            "KEYPORT_EMBED_ORIGINS",
            "https://app.example.com, http://127.0.0.1:3002/ https://app.example.com",
        )])
        .unwrap();
        assert_eq!(
            c.embed_origins,
            vec!["https://app.example.com", "http://127.0.0.1:3002"]
        );
        for bad_value in [
            "https://app.example.com/portal",
            "*.example.com",
            "ftp://x.example.com",
        ] {
            let err = config(&[("KEYPORT_EMBED_ORIGINS", bad_value)]).unwrap_err();
            assert_eq!(err.variable, "KEYPORT_EMBED_ORIGINS", "{bad_value}");
        }
        assert!(config(&[]).unwrap().embed_origins.is_empty());
        let c = config(&[("KEYPORT_DEMO_HOST_ADDR", "127.0.0.1:3002")]).unwrap();
        assert_eq!(c.embed_origins, vec!["http://127.0.0.1:3002"]);
        let err = config(&[
            ("KEYPORT_DEMO_HOST_ADDR", "127.0.0.1:3002"),
            ("OKTA_ORG_URL", "https://example.okta.com"),
            (
                "OKTA_API_TOKEN",
                "00abcdefghijklmnopqrstuvwxyz0123456789ABCD",
            ),
        ])
        .unwrap_err();
        assert_eq!(err.variable, "KEYPORT_DEMO_HOST_ADDR");
    }

    #[test]
    fn help_lists_every_setting() {
        let help = settings_help();
        for s in SETTINGS {
            assert!(help.contains(s.name), "{} missing from --help", s.name);
        }
        assert!(help.contains("OKTA_API_TOKEN") && help.contains("(secret)"));
    }
}
