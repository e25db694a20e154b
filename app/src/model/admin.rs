//! The admin area: the org's authenticators, and the help desk's view of one user.

use super::methods::{ActivityEntry, Method};
use super::Pipeline;
use serde::{Deserialize, Serialize};

/// One of the org's authenticators, as an admin sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthenticatorRow {
    /// Okta's authenticator id (`aut…`).
    pub id: String,
    /// Okta's key, e.g. `okta_verify`, `phone_number`.
    pub key: String,
    /// Okta's type, e.g. `app`, `phone`, `security_key`.
    pub kind: String,
    pub name: String,
    pub active: bool,
    /// The methods it offers, with whether each is on (e.g. "SMS", "Voice call").
    pub methods: Vec<(String, bool)>,
    /// What it may be used for, in words ("Sign-in and recovery", "Recovery only"…).
    pub allowed_for: Option<String>,
    /// What the authenticator's `_links` allow right now.
    pub can_activate: bool,
    pub can_deactivate: bool,
}

/// The authenticators page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthenticatorsView {
    pub pipeline: Option<Pipeline>,
    /// Empty in a Classic Engine org (it has no Authenticators API).
    pub authenticators: Vec<AuthenticatorRow>,
}

/// A user found by the help desk's search.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserHit {
    pub id: String,
    pub login: String,
    pub display_name: String,
    pub email: String,
    /// Okta's status in words ("Active", "Locked out"…).
    pub status: String,
}

/// Everything the help desk sees about one user.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HelpdeskUser {
    pub user: UserHit,
    pub pipeline: Option<Pipeline>,
    pub locked_out: bool,
    pub methods: Vec<Method>,
    pub activity: Vec<ActivityEntry>,
    /// Identity Engine with the temporary access code authenticator on.
    pub can_issue_tac: bool,
    /// A custom TOTP factor profile is configured for hardware tokens.
    pub can_add_hardware_token: bool,
}

/// A temporary access code, shown once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedAccessCode {
    pub code: String,
    /// When it stops working (RFC 3339, UTC).
    pub expires_at: Option<String>,
    pub multi_use: bool,
}
