//! What the sandbox org is made of: users, their factors, Okta Verify devices, pending pushes,
//! and the org's authenticators and policies. Plain data; the rules live in the API modules.

use std::collections::{BTreeMap, HashMap};
use time::OffsetDateTime;

/// The engine the org imitates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pipeline {
    Classic,
    IdentityEngine,
}

/// A factor's kind: its `factorType` and `provider` together (API-NOTES §1.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    Push,
    OktaTotp,
    GoogleTotp,
    Sms,
    Call,
    Email,
    Question,
    WebAuthn,
    U2f,
    Hotp,
    SignedNonce,
}

impl Kind {
    pub const ALL: [Kind; 11] = [
        Kind::Push,
        Kind::OktaTotp,
        Kind::GoogleTotp,
        Kind::Sms,
        Kind::Call,
        Kind::Email,
        Kind::Question,
        Kind::WebAuthn,
        Kind::U2f,
        Kind::Hotp,
        Kind::SignedNonce,
    ];

    pub fn factor_type(self) -> &'static str {
        match self {
            Kind::Push => "push",
            Kind::OktaTotp | Kind::GoogleTotp => "token:software:totp",
            Kind::Sms => "sms",
            Kind::Call => "call",
            Kind::Email => "email",
            Kind::Question => "question",
            Kind::WebAuthn => "webauthn",
            Kind::U2f => "u2f",
            Kind::Hotp => "token:hotp",
            Kind::SignedNonce => "signed_nonce",
        }
    }

    pub fn provider(self) -> &'static str {
        match self {
            Kind::GoogleTotp => "GOOGLE",
            Kind::WebAuthn | Kind::U2f => "FIDO",
            Kind::Hotp => "CUSTOM",
            _ => "OKTA",
        }
    }

    /// Id prefixes seen in Okta's examples (API-NOTES §0).
    pub fn id_prefix(self) -> &'static str {
        match self {
            Kind::Push => "opf",
            Kind::OktaTotp => "ost",
            Kind::GoogleTotp => "uft",
            Kind::Sms => "mbl",
            Kind::Call => "clf",
            Kind::Email => "emf",
            Kind::Question => "ufs",
            Kind::WebAuthn => "fwf",
            Kind::U2f => "fuf",
            Kind::Hotp => "chf",
            Kind::SignedNonce => "crp",
        }
    }

    /// The OIE authenticator a factor belongs to.
    pub fn authenticator_key(self) -> &'static str {
        match self {
            Kind::Push | Kind::OktaTotp | Kind::SignedNonce => "okta_verify",
            Kind::GoogleTotp => "google_otp",
            Kind::Sms | Kind::Call => "phone_number",
            Kind::Email => "okta_email",
            Kind::Question => "security_question",
            Kind::WebAuthn | Kind::U2f => "webauthn",
            Kind::Hotp => "custom_otp",
        }
    }

    pub fn from_wire(factor_type: &str, provider: &str) -> Option<Kind> {
        let p = provider.to_ascii_uppercase();
        Some(match (factor_type, p.as_str()) {
            ("push", "OKTA") => Kind::Push,
            ("token:software:totp", "OKTA") => Kind::OktaTotp,
            ("token:software:totp", "GOOGLE") => Kind::GoogleTotp,
            ("sms", "OKTA") => Kind::Sms,
            ("call", "OKTA") => Kind::Call,
            ("email", "OKTA") => Kind::Email,
            ("question", "OKTA") => Kind::Question,
            ("webauthn", "FIDO") => Kind::WebAuthn,
            ("u2f", "FIDO") => Kind::U2f,
            ("token:hotp", "CUSTOM") => Kind::Hotp,
            ("signed_nonce", "OKTA") => Kind::SignedNonce,
            _ => return None,
        })
    }

    /// Factors verified with a code the user types (TOTP apps, custom TOTP).
    pub fn is_totp(self) -> bool {
        matches!(self, Kind::OktaTotp | Kind::GoogleTotp | Kind::Hotp)
    }

    /// Factors that send a code (SMS, voice, email).
    pub fn sends_code(self) -> bool {
        matches!(self, Kind::Sms | Kind::Call | Kind::Email)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FactorStatus {
    PendingActivation,
    Active,
}

impl FactorStatus {
    pub fn wire(self) -> &'static str {
        match self {
            FactorStatus::PendingActivation => "PENDING_ACTIVATION",
            FactorStatus::Active => "ACTIVE",
        }
    }
}

/// The union of factor profile fields (API-NOTES §1.1 "profile by type").
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FactorProfile {
    pub phone_number: Option<String>,
    pub phone_extension: Option<String>,
    pub email: Option<String>,
    pub question: Option<String>,
    pub credential_id: Option<String>,
    pub device_type: Option<String>,
    pub device_name: Option<String>,
    pub platform: Option<String>,
    pub version: Option<String>,
    pub authenticator_name: Option<String>,
}

/// A code sent by SMS, voice or email, waiting to be typed back.
#[derive(Clone, Debug)]
pub struct SentCode {
    pub code: String,
    pub expires_at: OffsetDateTime,
}

/// What a factor waiting for activation holds.
#[derive(Clone, Debug, Default)]
pub struct Pending {
    /// When the activation ends (push: ~10 minutes; others: the code's lifetime).
    pub expires_at: Option<OffsetDateTime>,
    /// Push: the one-time activation token in the QR code (`t`).
    pub activation_token: Option<String>,
    /// SMS, voice, email: the code sent.
    pub code: Option<SentCode>,
    /// WebAuthn: the serialized registration state of the ceremony.
    pub webauthn_state: Option<String>,
    /// WebAuthn: the challenge handed out, for error messages and checks.
    pub challenge: Option<String>,
    /// Times of failed activation attempts (5 in 5 minutes, then 429 E0000047).
    pub failed_attempts: Vec<OffsetDateTime>,
}

/// One factor of one user.
#[derive(Clone, Debug)]
pub struct Factor {
    pub id: String,
    pub kind: Kind,
    pub status: FactorStatus,
    pub created: OffsetDateTime,
    pub last_updated: OffsetDateTime,
    /// Last successful verification, for "last used".
    pub last_verified: Option<OffsetDateTime>,
    pub profile: FactorProfile,
    /// Okta Verify: the push factor id of the device this factor belongs to.
    pub device: Option<String>,
    /// Base32 TOTP secret (Okta Verify TOTP, Google Authenticator) or hex secret (custom TOTP).
    pub secret: Option<String>,
    /// Custom TOTP: the factor profile (`fpr…`) it was enrolled with.
    pub factor_profile_id: Option<String>,
    /// Highest TOTP time step accepted, so a code is never accepted twice.
    pub last_totp_step: Option<u64>,
    /// Security question: the answer, lower-cased and trimmed (compared that way).
    pub answer: Option<String>,
    /// WebAuthn: the serialized credential after activation.
    pub webauthn_credential: Option<String>,
    /// WebAuthn: the pending authentication state of a verify ceremony.
    pub webauthn_auth_state: Option<String>,
    /// SMS, voice, email: the code of a pending verification.
    pub challenge: Option<SentCode>,
    pub pending: Option<Pending>,
}

/// How a push verification ended, or that it has not yet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PushOutcome {
    Waiting,
    Approved,
    Rejected,
    Cancelled,
}

/// A push sent to an Okta Verify device (Factors API verify or Authn MFA).
#[derive(Clone, Debug)]
pub struct PushTransaction {
    pub id: String,
    pub user_id: String,
    pub factor_id: String,
    pub created: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub outcome: PushOutcome,
    /// Number matching: the number the user must pick on the phone.
    pub correct_answer: Option<u8>,
    /// Number matching: the three numbers the phone offers.
    pub choices: Vec<u8>,
    /// Where the push came from, as the phone shows it.
    pub client: String,
}

/// A user status (API-NOTES §6).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UserStatus {
    Active,
    Deprovisioned,
    LockedOut,
    PasswordExpired,
    Staged,
    Suspended,
}

impl UserStatus {
    pub fn wire(self) -> &'static str {
        match self {
            UserStatus::Active => "ACTIVE",
            UserStatus::Deprovisioned => "DEPROVISIONED",
            UserStatus::LockedOut => "LOCKED_OUT",
            UserStatus::PasswordExpired => "PASSWORD_EXPIRED",
            UserStatus::Staged => "STAGED",
            UserStatus::Suspended => "SUSPENDED",
        }
    }
}

/// A temporary access code (OIE).
#[derive(Clone, Debug)]
pub struct TemporaryAccessCode {
    pub enrollment_id: String,
    pub code: String,
    pub multi_use: bool,
    pub created: OffsetDateTime,
    pub expires_at: OffsetDateTime,
}

#[derive(Clone, Debug)]
pub struct User {
    pub id: String,
    pub status: UserStatus,
    pub created: OffsetDateTime,
    pub activated: Option<OffsetDateTime>,
    pub status_changed: Option<OffsetDateTime>,
    pub last_login: Option<OffsetDateTime>,
    pub last_updated: OffsetDateTime,
    pub password_changed: Option<OffsetDateTime>,
    /// Profile attributes as Okta stores them (`login`, `email`, `firstName`, …).
    pub profile: BTreeMap<String, serde_json::Value>,
    pub password_hash: String,
    /// Hashes of earlier passwords (the policy refuses reuse).
    pub password_history: Vec<String>,
    pub failed_sign_ins: u32,
    pub group_ids: Vec<String>,
    pub factors: Vec<Factor>,
    /// The password enrollment's id (OIE lists it among authenticator enrollments).
    pub password_enrollment_id: String,
    /// Nicknames of authenticator enrollments (OIE), by enrollment id.
    pub nicknames: HashMap<String, String>,
    pub tac: Option<TemporaryAccessCode>,
    /// Okta sessions of this user (ids), cleared by "sign out everywhere".
    pub sessions: Vec<String>,
}

impl User {
    pub fn login(&self) -> &str {
        self.profile
            .get("login")
            .and_then(|v| v.as_str())
            .unwrap_or_default()
    }

    pub fn profile_str(&self, key: &str) -> Option<&str> {
        self.profile
            .get(key)
            .and_then(|v| v.as_str())
            .filter(|s| !s.is_empty())
    }

    pub fn factor(&self, id: &str) -> Option<&Factor> {
        self.factors.iter().find(|f| f.id == id)
    }

    pub fn factor_mut(&mut self, id: &str) -> Option<&mut Factor> {
        self.factors.iter_mut().find(|f| f.id == id)
    }

    pub fn active_factors(&self) -> impl Iterator<Item = &Factor> {
        self.factors
            .iter()
            .filter(|f| f.status == FactorStatus::Active)
    }

    /// Verified email addresses: the primary and the secondary (the sandbox treats both as
    /// verified, as Okta does for addresses an admin set).
    pub fn verified_emails(&self) -> Vec<String> {
        ["email", "secondEmail"]
            .iter()
            .filter_map(|k| self.profile_str(k))
            .map(str::to_string)
            .collect()
    }
}

#[derive(Clone, Debug)]
pub struct Group {
    pub id: String,
    pub name: String,
    pub description: String,
    pub created: OffsetDateTime,
}

/// An org authenticator (API-NOTES §4).
#[derive(Clone, Debug)]
pub struct Authenticator {
    pub id: String,
    pub key: &'static str,
    pub kind: &'static str,
    pub name: &'static str,
    pub active: bool,
    pub created: OffsetDateTime,
    pub last_updated: OffsetDateTime,
    pub allowed_for: &'static str,
    /// Method types with their status (e.g. `push`, `totp`, `signed_nonce`).
    pub methods: Vec<(&'static str, bool)>,
}

/// A policy that requires authenticators; deactivating one of them fails with E0000148.
#[derive(Clone, Debug)]
pub struct Policy {
    pub id: String,
    pub name: String,
    pub authenticator_keys: Vec<&'static str>,
}

/// A message the org "sent": what the outbox shows.
#[derive(Clone, Debug, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OutboxMessage {
    pub id: String,
    /// `sms`, `voice` or `email`.
    pub channel: &'static str,
    pub to: String,
    /// The one-time code, when the message carries one.
    pub code: Option<String>,
    /// An activation link, when the message carries one.
    pub link: Option<String>,
    /// When the code (or the link) stops working, when known.
    pub expires_at: Option<String>,
    pub subject: String,
    pub body: String,
    pub sent_at: String,
    /// The `Accept-Language` the message was asked for.
    pub locale: Option<String>,
    pub user_id: Option<String>,
}

/// One System Log event (the subset Keyport reads).
#[derive(Clone, Debug)]
pub struct LogEvent {
    pub uuid: String,
    pub published: OffsetDateTime,
    pub event_type: &'static str,
    pub display_message: String,
    pub severity: &'static str,
    pub outcome: &'static str,
    pub reason: Option<String>,
    pub actor_id: String,
    pub actor_type: &'static str,
    pub actor_alternate_id: String,
    pub actor_display_name: String,
    pub target: Vec<LogTarget>,
    pub client_ip: Option<String>,
    pub user_agent: Option<String>,
}

#[derive(Clone, Debug)]
pub struct LogTarget {
    pub id: String,
    pub kind: &'static str,
    pub alternate_id: String,
    pub display_name: String,
}
