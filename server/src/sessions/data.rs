//! What Keyport keeps in a session (server-side only; the cookie holds just the id).

use crate::okta::types::Secret;
use app::model::auth::{FactorChoice, PasswordRules};
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

/// The session key all of Keyport's data lives under.
pub const KEY: &str = "keyport";

/// Everything Keyport remembers about one browser.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct KeyportSession {
    /// The per-session anti-CSRF token (sent back in `X-CSRF-Token` or a `_csrf` form field).
    #[serde(default)]
    pub csrf: String,
    /// A stable, non-secret name of this session for its message limit (the session id changes
    /// at sign-in and at every verification). Made with the token.
    #[serde(default)]
    pub limit_key: String,
    #[serde(default)]
    pub user: Option<SignedInUser>,
    /// A sign-in in progress.
    #[serde(default)]
    pub sign_in: Option<PendingSignIn>,
    /// A re-verification in progress.
    #[serde(default)]
    pub reverify: Option<PendingChallenge>,
    /// Ids of the signed-in user's factors and enrollments as last listed: a request naming any
    /// other id is answered 404 without asking Okta about it.
    #[serde(default)]
    pub known_ids: Vec<String>,
    /// An enrollment in progress (kept here, server-side only, so a reload or another
    /// instance can finish it).
    #[serde(default)]
    pub enrollment: Option<PendingEnrollment>,
    /// A test of a method in progress: the method's id and its challenge.
    #[serde(default)]
    pub test: Option<(String, PendingChallenge)>,
    /// The enrollment that finished last, so every tab that was showing its QR code learns
    /// it finished, not only the one whose question happened to finish it.
    #[serde(default)]
    pub finished: Option<FinishedEnrollment>,
    /// A pop-out window joined this session (Keyport in another site's frame, confirming
    /// with a security key): its id is then kept on re-verification, since renewing it would
    /// sign the frame out (the frame and the window hold it in different cookie jars).
    #[serde(default)]
    pub shared_with_window: bool,
    /// The "signed out everywhere" mark this session set when it signed the user's other
    /// sessions out (a password change): it alone outlives that mark.
    #[serde(default)]
    pub outlived_sign_out: Option<i64>,
    /// A hand-over from another site naming someone else than the signed-in person, waiting
    /// for their choice (`web/handoff.rs`).
    #[serde(default)]
    pub pending_handoff: Option<PendingHandoff>,
}

/// A hand-over waiting for the signed-in person to switch or stay.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PendingHandoff {
    /// The person the hand-over named, as their session would start.
    pub user: SignedInUser,
    /// Where the hand-over asked to land (already checked to stay on Keyport).
    pub return_to: String,
    /// Unix seconds after which the choice is void.
    pub expires_at: i64,
}

/// An enrollment that finished (what the tabs that watched it are told).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct FinishedEnrollment {
    pub kind: app::model::auth::MethodKind,
    pub name: String,
    /// Unix seconds.
    pub at: i64,
}

/// An enrollment in progress. Secrets stay here and are dropped at activation.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PendingEnrollment {
    pub factor_id: String,
    pub kind: app::model::auth::MethodKind,
    /// Unix seconds when the activation (Okta Verify QR code) expires.
    #[serde(default)]
    pub expires_at: Option<i64>,
    /// What the QR code encodes (Okta Verify activation link or `otpauth://` URI).
    #[serde(default)]
    pub payload: Option<Secret>,
    /// An authenticator app's base32 secret, for typing by hand.
    #[serde(default)]
    pub secret: Option<Secret>,
    /// Masked destination of a sent code.
    #[serde(default)]
    pub sent_to: Option<String>,
    #[serde(default)]
    pub resend_at: Option<i64>,
    /// WebAuthn creation options (JSON) for the browser.
    #[serde(default)]
    pub webauthn_options: Option<String>,
}

/// How the user proved who they are.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignInMethod {
    Password,
    PasswordAndFactor,
    Handoff,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SignedInUser {
    pub id: String,
    pub login: String,
    pub display_name: String,
    pub method: SignInMethod,
    /// Unix seconds of the sign-in (the absolute timeout counts from here).
    pub signed_in_at: i64,
    /// The same instant in Unix milliseconds, to tell a sign-in just after a "sign out
    /// everywhere" from one just before it (0 in sessions made before it was kept).
    #[serde(default)]
    pub signed_in_at_ms: i64,
    /// Unix seconds of the last verification of a factor (or the password when the user has
    /// none): sensitive actions need it recent. 0 when never (a handoff proves no factor).
    pub verified_at: i64,
    /// Admin membership, checked on the server from the user's groups, with when it was
    /// checked (cached briefly).
    #[serde(default)]
    pub admin: Option<(bool, i64)>,
}

/// An Authn transaction in progress. The state token never leaves the server.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PendingSignIn {
    pub state_token: Secret,
    pub user_id: String,
    pub login: String,
    pub display_name: String,
    pub factors: Vec<FactorChoice>,
    pub challenge: Option<PendingChallenge>,
    /// Set when the password has expired and must be changed first.
    pub password_rules: Option<PasswordRules>,
}

/// A challenge sent for one factor: what to show again after a reload.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PendingChallenge {
    pub factor: FactorChoice,
    /// Masked destination of a sent code.
    pub sent_to: Option<String>,
    /// Unix seconds from which another code may be sent (Okta's 30 s / 5 s limits).
    pub resend_at: Option<i64>,
    /// Number matching: the number to pick on the phone.
    pub number: Option<u32>,
    /// A waiting push's transaction id (Factors API), for polling.
    pub push_transaction: Option<String>,
    /// Security question text.
    pub question: Option<String>,
    /// WebAuthn request options (JSON) handed to the browser.
    pub webauthn_options: Option<String>,
}

impl KeyportSession {
    /// Reads the session data (empty when new or unreadable).
    pub async fn load(session: &Session) -> KeyportSession {
        session
            .get::<KeyportSession>(KEY)
            .await
            .ok()
            .flatten()
            .unwrap_or_default()
    }

    /// Writes the session data back.
    pub async fn save(&self, session: &Session) -> Result<(), tower_sessions::session::Error> {
        session.insert(KEY, self).await
    }

    /// The CSRF token, created on first use.
    pub fn ensure_csrf(&mut self) -> &str {
        if self.csrf.is_empty() {
            use base64::Engine;
            use rand::RngCore;
            let mut bytes = [0u8; 32];
            rand::rng().fill_bytes(&mut bytes);
            self.csrf = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
            let mut name = [0u8; 12];
            rand::rng().fill_bytes(&mut name);
            self.limit_key = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(name);
        }
        &self.csrf
    }
}
