//! Keyport's sessions: tower-sessions with a `__Host-` cookie over https, HttpOnly, Secure
//! (except plain-http loopback), SameSite=Lax by default; an idle timeout (the cookie's expiry,
//! renewed on use) and an absolute timeout (from a timestamp kept in the session, since
//! tower-sessions has one expiry only); and "signed out everywhere" marks shared by instances.
//!
//! Everything sensitive stays server-side: the Okta state token of a sign-in in progress,
//! pending enrollments and WebAuthn ceremony state never reach the browser.

pub mod data;
pub mod store;

pub use data::{KeyportSession, SignedInUser};
pub use store::{Kv, Store, StoreError};

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use std::time::Duration;
use time::OffsetDateTime;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, Session, SessionManagerLayer};

/// The session's settings.
#[derive(Clone, Debug)]
pub struct SessionSettings {
    /// `__Host-keyport` over https, `keyport_session` on plain http.
    pub cookie_name: &'static str,
    pub secure: bool,
    pub same_site: SameSite,
    /// Embed mode: the cookie is also `Partitioned` (CHIPS), so it works inside another
    /// site's iframe where third-party cookies are partitioned or blocked.
    pub partitioned: bool,
    /// Ends a session nobody used for this long.
    pub idle_timeout: Duration,
    /// Ends a session this long after sign-in, however busy.
    pub absolute_timeout: Duration,
}

impl SessionSettings {
    /// Cookie rules from the public URL: `__Host-` and Secure over https; Secure too on plain
    /// http unless the host is loopback (browsers treat http://localhost as secure anyway, and
    /// a Secure cookie would be dropped elsewhere on http).
    pub fn for_public_url(public: &url::Url, idle: Duration, absolute: Duration) -> Self {
        let https = public.scheme() == "https";
        let loopback = matches!(public.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
        SessionSettings {
            cookie_name: if https {
                "__Host-keyport"
            } else {
                "keyport_session"
            },
            secure: https || !loopback,
            same_site: SameSite::Lax,
            partitioned: false,
            idle_timeout: idle,
            absolute_timeout: absolute,
        }
    }

    /// Embed mode: the cookie must reach Keyport inside another site's frame, so it is
    /// `SameSite=None; Secure; Partitioned` (browsers treat http://localhost as secure, so
    /// this works on a loopback dev setup too). Cross-site requests are still refused by the
    /// CSRF check (Origin / Sec-Fetch-Site and the page token), not by the cookie.
    pub fn embedded(self, on: bool) -> Self {
        if !on {
            return self;
        }
        SessionSettings {
            secure: true,
            same_site: SameSite::None,
            partitioned: true,
            ..self
        }
    }

    /// Sessions end after this long unused.
    pub fn expiry(&self) -> Expiry {
        Expiry::OnInactivity(
            time::Duration::try_from(self.idle_timeout).unwrap_or(time::Duration::minutes(30)),
        )
    }

    pub fn layer(&self, store: Store) -> SessionManagerLayer<Store> {
        SessionManagerLayer::new(store)
            .with_name(self.cookie_name)
            .with_http_only(true)
            .with_secure(self.secure)
            .with_same_site(self.same_site)
            .with_path("/")
            .with_expiry(self.expiry())
    }

    /// The `Set-Cookie` value naming session `id`, by the same rules as the session layer's
    /// own cookie (with `Partitioned` in embed mode): for a pop-out window joining a session.
    pub fn cookie_for(&self, id: &tower_sessions::session::Id) -> String {
        tower_sessions::cookie::Cookie::build((self.cookie_name, id.to_string()))
            .path("/")
            .http_only(true)
            .secure(self.secure)
            .same_site(self.same_site)
            .partitioned(self.partitioned)
            .max_age(
                time::Duration::try_from(self.idle_timeout).unwrap_or(time::Duration::minutes(30)),
            )
            .build()
            .to_string()
    }
}

/// The key of a user's "signed out everywhere" mark in [`Kv`] (Unix milliseconds): every session of the user
/// signed in at or before it ends (except the one that set it while signing the others out).
pub fn signed_out_key(user_id: &str) -> String {
    format!("signed-out:{user_id}")
}

/// Ends sessions past their absolute lifetime or signed out everywhere, before any handler
/// sees them. Runs inside the session layer.
pub async fn enforce_lifetime(
    axum::extract::State(ctx): axum::extract::State<LifetimeContext>,
    session: Session,
    req: Request,
    next: Next,
) -> Response {
    if let Ok(Some(data)) = session.get::<KeyportSession>(data::KEY).await {
        if let Some(user) = &data.user {
            let now = OffsetDateTime::now_utc().unix_timestamp();
            let too_old = now - user.signed_in_at > ctx.absolute_timeout.as_secs() as i64;
            let signed_out = match ctx.kv.get(&signed_out_key(&user.id)).await {
                Ok(Some(at)) => at.parse::<i64>().is_ok_and(|at| {
                    let began = if user.signed_in_at_ms > 0 {
                        user.signed_in_at_ms
                    } else {
                        user.signed_in_at * 1000
                    };
                    began <= at && data.outlived_sign_out != Some(at)
                }),
                _ => false,
            };
            if too_old || signed_out {
                tracing::info!(
                    reason = if too_old {
                        "absolute timeout"
                    } else {
                        "signed out everywhere"
                    },
                    "session ended"
                );
                let _ = session.flush().await;
            }
        }
    }
    next.run(req).await
}

/// What [`enforce_lifetime`] needs.
#[derive(Clone)]
pub struct LifetimeContext {
    pub kv: Kv,
    pub absolute_timeout: Duration,
}

/// Adds `Partitioned` to the session cookie (tower-sessions has no such option): a response
/// layer outside the session layer, rewriting only the one `Set-Cookie` it owns.
/// `name` is the cookie's name in embed mode, `None` (nothing to do) otherwise.
pub async fn partition_cookie(
    axum::extract::State(name): axum::extract::State<Option<&'static str>>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let mut res = next.run(req).await;
    let Some(name) = name else {
        return res;
    };
    let prefix = format!("{name}=");
    let cookies: Vec<axum::http::HeaderValue> = res
        .headers()
        .get_all(axum::http::header::SET_COOKIE)
        .iter()
        .cloned()
        .collect();
    if !cookies
        .iter()
        .any(|c| c.as_bytes().starts_with(prefix.as_bytes()))
    {
        return res;
    }
    let headers = res.headers_mut();
    headers.remove(axum::http::header::SET_COOKIE);
    for c in cookies {
        let text = c.to_str().unwrap_or_default();
        let owned = text.starts_with(&prefix)
            && !text
                .split(';')
                .any(|part| part.trim().eq_ignore_ascii_case("partitioned"));
        let value = if owned {
            axum::http::HeaderValue::from_str(&format!("{text}; Partitioned")).unwrap_or(c)
        } else {
            c
        };
        headers.append(axum::http::header::SET_COOKIE, value);
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_follow_the_public_url() {
        let d = Duration::from_secs(60);
        let s = SessionSettings::for_public_url(
            &url::Url::parse("https://keyport.example.com").unwrap(),
            d,
            d,
        );
        assert_eq!(s.cookie_name, "__Host-keyport");
        assert!(s.secure);
        let s = SessionSettings::for_public_url(
            &url::Url::parse("http://localhost:3000").unwrap(),
            d,
            d,
        );
        assert_eq!(s.cookie_name, "keyport_session");
        assert!(!s.secure);
        let s = SessionSettings::for_public_url(
            &url::Url::parse("http://keyport.lan:3000").unwrap(),
            d,
            d,
        );
        assert!(
            s.secure,
            "plain http off loopback still marks cookies Secure"
        );
    }
}
