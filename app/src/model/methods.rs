//! The security methods page: what the user has, what they can add, what happened lately, and
//! enrollments in progress.

use super::auth::{Challenge, FactorChoice, MethodKind};
use super::Pipeline;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MethodStatus {
    Active,
    /// Enrollment started but not finished.
    Pending,
}

/// One enrolled method (a factor, or in Identity Engine an authenticator enrollment).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Method {
    /// The id actions name (factor id, or enrollment id in Identity Engine).
    pub id: String,
    pub kind: MethodKind,
    /// Device name, key name, masked phone or email, question.
    pub name: String,
    pub nickname: Option<String>,
    pub status: MethodStatus,
    /// ISO-8601, when Okta says.
    pub added: Option<String>,
    /// ISO-8601, from the System Log, when Okta says.
    pub last_used: Option<String>,
    /// What else goes when this one is removed.
    pub removal_note: Option<String>,
    /// SMS and voice: the number may stay as a recovery phone.
    pub recovery_choice: bool,
    pub can_test: bool,
    pub can_rename: bool,
}

/// Methods of one kind, as the page groups them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MethodGroup {
    pub title: String,
    pub methods: Vec<Method>,
}

/// Something the user can still add.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddOption {
    pub kind: MethodKind,
    pub title: String,
    pub description: String,
    /// When adding goes another way than here (another Okta Verify device in Identity Engine),
    /// the explanation instead of a button.
    pub guidance: Option<String>,
}

/// One line of recent security activity.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityEntry {
    /// ISO-8601.
    pub when: String,
    pub text: String,
    pub ok: bool,
    pub from: Option<String>,
}

/// Recent security activity, loaded after the page paints: the lines, and when each method
/// was last used (method id, ISO-8601).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MethodsActivity {
    pub entries: Vec<ActivityEntry>,
    pub last_used: Vec<(String, String)>,
}

/// The page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MethodsView {
    pub pipeline: Option<Pipeline>,
    pub groups: Vec<MethodGroup>,
    pub can_add: Vec<AddOption>,
    /// Set when Okta could not be asked and the last known list is shown: when it was read
    /// (ISO-8601, UTC).
    pub as_of: Option<String>,
    /// An enrollment in progress (shown again after a reload).
    pub enrollment: Option<EnrollmentStep>,
    /// The user's verified email addresses (for adding email).
    pub emails: Vec<String>,
    /// Okta's security questions (key, text), when a question can be added.
    pub questions: Vec<(String, String)>,
}

/// Where an enrollment stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
// Externally tagged (`{"scan_okta_verify": {...}}`), as are `TestStep` and auth's step enums:
// an internally tagged enum is deserialized through serde's buffered `Content`, which cost the
// methods page's wasm about 8 KB brotli (BENCHMARKS.md, "Release wasm size").
#[serde(rename_all = "snake_case")]
pub enum EnrollmentStep {
    /// Okta Verify: scan this QR code in the app.
    ScanOktaVerify {
        factor_id: String,
        /// The QR code, drawn by Keyport (SVG markup).
        qr_svg: String,
        /// What the QR code encodes, for "can't scan?" (opened on the phone).
        setup_link: String,
        /// Seconds until the code expires.
        expires_in: u64,
        /// Where the setup link can be sent: masked phone (if known) and email.
        send_to_phone: Option<String>,
        send_to_email: Option<String>,
    },
    /// The QR code expired before the phone finished.
    OktaVerifyExpired { factor_id: String },
    /// An authenticator app: scan, or type the secret, then enter a code.
    AuthenticatorApp {
        factor_id: String,
        kind: MethodKind,
        qr_svg: String,
        /// The base32 secret in groups of four, for typing by hand.
        secret_groups: Vec<String>,
        account: String,
        issuer: String,
    },
    /// A code was sent (SMS, voice, email): type it.
    EnterCode {
        factor_id: String,
        kind: MethodKind,
        sent_to: String,
        resend_in: Option<u64>,
    },
    /// A security key or passkey: the browser ceremony's options (JSON).
    RegisterKey {
        factor_id: String,
        options_json: String,
    },
    /// Finished: the method is active.
    Done { kind: MethodKind, name: String },
}

/// A test of a method in progress.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
// Externally tagged, as `EnrollmentStep` (serde's buffered `Content` costs wasm).
#[serde(rename_all = "snake_case")]
pub enum TestStep {
    Challenge {
        factor: FactorChoice,
        challenge: Challenge,
    },
    Passed {
        name: String,
    },
}

/// What to enroll, with what the kind needs (phone, email, question…).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct EnrollRequest {
    pub kind: Option<MethodKind>,
    /// SMS and voice: the number as typed, and the country it was typed for (ISO code).
    pub phone: Option<String>,
    pub country: Option<String>,
    pub extension: Option<String>,
    /// Replace the existing phone (`updatePhone`).
    pub replace_phone: bool,
    pub email: Option<String>,
    pub question: Option<String>,
    pub answer: Option<String>,
    /// Hardware token (help desk): the token's hex secret.
    pub shared_secret: Option<String>,
}
