//! Signing in, re-verifying, and who is signed in.

use serde::{Deserialize, Serialize};

/// The kinds of sign-in method Keyport shows, whatever Okta calls them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MethodKind {
    /// Okta Verify push (with number matching when the org uses it).
    OktaVerify,
    /// Okta Verify's six-digit code.
    OktaVerifyCode,
    /// Google Authenticator and other TOTP apps.
    AuthenticatorApp,
    Sms,
    Voice,
    Email,
    /// Security keys and passkeys (WebAuthn).
    SecurityKey,
    SecurityQuestion,
    /// A hardware token registered by the help desk (custom TOTP).
    HardwareToken,
    Password,
}

impl MethodKind {
    /// What a person calls it.
    pub fn label(self) -> &'static str {
        match self {
            MethodKind::OktaVerify => "Okta Verify",
            MethodKind::OktaVerifyCode => "Okta Verify code",
            MethodKind::AuthenticatorApp => "Authenticator app",
            MethodKind::Sms => "Text message",
            MethodKind::Voice => "Voice call",
            MethodKind::Email => "Email",
            MethodKind::SecurityKey => "Security key or passkey",
            MethodKind::SecurityQuestion => "Security question",
            MethodKind::HardwareToken => "Hardware token",
            MethodKind::Password => "Password",
        }
    }

    /// What a person calls it inside a sentence: names keep their capitals ("Set up Okta
    /// Verify"), common nouns do not ("Add text message").
    /// Spelled out rather than lowercased at run time, which would also put Unicode's case
    /// tables into the wasm.
    pub fn in_sentence(self) -> &'static str {
        match self {
            MethodKind::OktaVerify => "Okta Verify",
            MethodKind::OktaVerifyCode => "Okta Verify code",
            MethodKind::AuthenticatorApp => "authenticator app",
            MethodKind::Sms => "text message",
            MethodKind::Voice => "voice call",
            MethodKind::Email => "email",
            MethodKind::SecurityKey => "security key or passkey",
            MethodKind::SecurityQuestion => "security question",
            MethodKind::HardwareToken => "hardware token",
            MethodKind::Password => "password",
        }
    }

    /// Methods that are proven by typing a code.
    pub fn takes_code(self) -> bool {
        matches!(
            self,
            MethodKind::OktaVerifyCode
                | MethodKind::AuthenticatorApp
                | MethodKind::Sms
                | MethodKind::Voice
                | MethodKind::Email
                | MethodKind::HardwareToken
        )
    }

    /// Methods that send the code (and may be resent).
    pub fn sends_code(self) -> bool {
        matches!(
            self,
            MethodKind::Sms | MethodKind::Voice | MethodKind::Email
        )
    }
}

/// One of the user's methods offered for verification.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FactorChoice {
    /// Okta's factor id (opaque to the browser; checked against the user on the server).
    pub id: String,
    pub kind: MethodKind,
    /// A name to show: device name, masked phone or email, key name.
    pub label: String,
}

/// The org's password rules, shown as a live checklist before submit.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordRules {
    pub min_length: u32,
    pub min_lower: u32,
    pub min_upper: u32,
    pub min_number: u32,
    pub min_symbol: u32,
    pub exclude_username: bool,
    /// Earlier passwords that may not be reused (0 when unknown).
    pub history: u32,
}

/// What the user must do to prove a factor.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
// Externally tagged (`{"code": {...}}`), as are `SignInStep` and `ReverifyStep` below (a unit
// variant is the bare string, `"verified"`): an internally tagged enum is deserialized through
// serde's buffered `Content`, which cost the methods page's wasm about 8 KB brotli
// (BENCHMARKS.md, "Release wasm size").
#[serde(rename_all = "snake_case")]
pub enum Challenge {
    /// Type the code (sent to `sent_to`, or from an app when `None`).
    Code {
        sent_to: Option<String>,
        /// Seconds until another code may be sent.
        resend_in: Option<u64>,
    },
    /// Answer the security question.
    Question { question: String },
    /// A push went to the phone; with number matching, the number to pick there.
    Push { number: Option<u32> },
    /// Touch the security key: the browser ceremony's request options, as JSON
    /// (`webauthn_rs_proto::RequestChallengeResponse`).
    SecurityKey { options_json: String },
}

/// Where a sign-in stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
// Externally tagged, as `Challenge` (serde's buffered `Content` costs wasm).
#[serde(rename_all = "snake_case")]
pub enum SignInStep {
    /// Username and password.
    Credentials,
    /// The org asks for a second method: pick one.
    ChooseFactor {
        name: String,
        factors: Vec<FactorChoice>,
    },
    /// Prove the chosen factor.
    Challenge {
        factor: FactorChoice,
        challenge: Challenge,
        has_other_factors: bool,
    },
    /// The password has expired: choose a new one right here.
    ChangeExpiredPassword {
        rules: PasswordRules,
    },
    SignedIn {
        user: UserSummary,
    },
}

/// Where a re-verification stands (before a sensitive action).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
// Externally tagged, as `Challenge` (serde's buffered `Content` costs wasm).
#[serde(rename_all = "snake_case")]
pub enum ReverifyStep {
    /// Pick a method; `password` when the user has none and must give the password.
    Choose {
        factors: Vec<FactorChoice>,
        password: bool,
    },
    Challenge {
        factor: FactorChoice,
        challenge: Challenge,
    },
    /// Done: the action may go ahead (for the next few minutes).
    Verified,
}

/// The signed-in user and the page's anti-CSRF token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionView {
    pub user: Option<UserSummary>,
    pub csrf: String,
}

/// A person as the hand-over choice names them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonName {
    pub display_name: String,
    pub login: String,
}

/// A sign-in link from another site names someone other than the person signed in: who is who.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HandoffChoice {
    pub current: PersonName,
    pub incoming: PersonName,
}

/// Who is signed in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserSummary {
    pub login: String,
    pub display_name: String,
    pub is_admin: bool,
}
