//! The account page: password, username and profile basics.

use super::auth::PasswordRules;
use serde::{Deserialize, Serialize};

/// What the account page shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountView {
    pub login: String,
    pub first_name: String,
    pub last_name: String,
    /// The primary email (changed in Okta, not here: it is where codes and notices go).
    pub email: String,
    pub second_email: Option<String>,
    /// The org's password rules for this user (`None` when Okta would not say: the page then
    /// shows no checklist, and Okta's answer names what was wrong).
    pub rules: Option<PasswordRules>,
    /// Whether this deployment lets people change their username.
    pub can_change_login: bool,
    /// Where security notices go, in words ("to nora@example.com"), or `None` when the org's
    /// own notifications cover them.
    pub notices_to: Option<String>,
}

/// The profile fields a person may edit.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileUpdate {
    pub first_name: String,
    pub last_name: String,
    /// Empty removes it.
    pub second_email: String,
}
