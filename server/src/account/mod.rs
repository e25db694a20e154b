//! The account page: change the password against the org's live rules, change the username
//! where this deployment allows it, and edit profile basics. Every change needs a recent
//! verification (the one decision in [`privilege`]), and is followed by a security email.

use crate::auth::now;
use crate::auth::privilege;
use crate::notify::{Notifier, SecurityEvent};
use crate::okta::types::{
    applicable_policy, ChangePasswordRequest, PasswordPolicy, UpdateUserRequest, User,
};
use crate::okta::{OktaClient, OktaError};
use crate::service::errors::{internal, portal_error, Flow};
use crate::service::input;
use crate::service::passwords;
use crate::sessions::{signed_out_key, KeyportSession, Kv, SignedInUser};
use app::api::{AccountPortal, RequestInfo};
use app::components::password_rules;
use app::error::{ErrorCode, PortalError};
use app::model::account::{AccountView, ProfileUpdate};
use app::model::auth::PasswordRules;
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;
use tower_sessions::Session;

/// Longest name Keyport accepts (Okta's profile attributes allow more; a name this long is a
/// mistake).
const MAX_NAME: usize = 50;
/// How long a "sign out the other sessions" mark is kept (longer than any session lives).
const SIGN_OUT_MARK_TTL: Duration = Duration::from_secs(60 * 60 * 24 * 30);

#[derive(Clone, Debug)]
pub struct AccountSettings {
    pub reverify_window: Duration,
    pub allow_login_change: bool,
}

pub struct AccountService {
    pub okta: OktaClient,
    pub kv: Kv,
    pub settings: AccountSettings,
    pub notifier: Arc<Notifier>,
}

impl AccountService {
    async fn load(
        &self,
        session: &Session,
        req: &RequestInfo,
    ) -> Result<(KeyportSession, SignedInUser), PortalError> {
        crate::auth::load_signed_in(session, req).await
    }

    async fn save(
        &self,
        session: &Session,
        data: &KeyportSession,
        req: &RequestInfo,
    ) -> Result<(), PortalError> {
        crate::auth::save_session(session, data, req).await
    }

    fn require_recent(&self, user: &SignedInUser) -> Result<(), PortalError> {
        privilege::decide(user, now(), self.settings.reverify_window).require()
    }

    /// The password rules Okta applies to this user: the active password policy of lowest
    /// priority that names one of the user's groups. `None` when Okta will not say (the API
    /// token may not read policies); the change itself still works and Okta names the problem.
    async fn rules_for(&self, user_id: &str) -> Option<PasswordRules> {
        let (policies, groups) = tokio::join!(
            self.okta.password_policies(),
            self.okta.user_groups(user_id)
        );
        let (policies, groups) = match (policies, groups) {
            (Ok(p), Ok(g)) => (p, g),
            (Err(e), _) | (_, Err(e)) => {
                tracing::warn!(error = %e, "cannot read the password policy");
                return None;
            }
        };
        let group_ids: Vec<String> = groups.into_iter().map(|g| g.id).collect();
        applicable_policy(&policies, &group_ids).map(rules_of)
    }

    fn view(&self, user: &User, rules: Option<PasswordRules>) -> AccountView {
        let p = &user.profile;
        let email = p.email.clone().unwrap_or_default();
        AccountView {
            login: p.login.clone(),
            first_name: p.first_name.clone().unwrap_or_default(),
            last_name: p.last_name.clone().unwrap_or_default(),
            second_email: p.second_email.clone().filter(|e| !e.is_empty()),
            rules,
            can_change_login: self.settings.allow_login_change,
            notices_to: match *self.notifier {
                Notifier::Off => None,
                _ => Some(email.clone()).filter(|e| !e.is_empty()),
            },
            email,
        }
    }

    async fn fresh_view(
        &self,
        user_id: &str,
        req: &RequestInfo,
    ) -> Result<AccountView, PortalError> {
        let (user, rules) = tokio::join!(self.okta.get_user(user_id), self.rules_for(user_id));
        let user = user.map_err(|e| portal_error(e, req, Flow::Manage))?;
        Ok(self.view(&user, rules))
    }

    /// Tells the person about a change, by email, without holding up the answer.
    fn notify(&self, user: &SignedInUser, event: SecurityEvent, req: &RequestInfo) {
        crate::notify::notify_in_background(
            self.okta.clone(),
            self.notifier.clone(),
            user.id.clone(),
            event,
            req,
        );
    }
}

/// The checklist rules from a policy ([SPEC] PasswordPolicyPasswordSettingsComplexity).
pub fn rules_of(policy: &PasswordPolicy) -> PasswordRules {
    let c = policy.complexity().cloned().unwrap_or_default();
    PasswordRules {
        min_length: c.min_length.unwrap_or(8).max(1),
        min_lower: c.min_lower_case.unwrap_or(0),
        min_upper: c.min_upper_case.unwrap_or(0),
        min_number: c.min_number.unwrap_or(0),
        min_symbol: c.min_symbol.unwrap_or(0),
        exclude_username: c.exclude_username.unwrap_or(false),
        history: policy.history_count(),
    }
}

/// The checklist rule a refused password broke: the first one the page can check, or the
/// history (only Okta knows earlier passwords) when every checkable rule is met.
pub fn refused_rule(rules: &PasswordRules, password: &str, login: &str) -> &'static str {
    password_rules::evaluate(rules, password, login)
        .into_iter()
        .find(|(id, _, met)| !met && *id != "history")
        .map(|(id, _, _)| id)
        .unwrap_or(if rules.history > 0 {
            "history"
        } else {
            "newPassword"
        })
}

/// A username Okta refused, in words (never Okta's own text).
fn login_error(err: OktaError, req: &RequestInfo) -> PortalError {
    match err {
        OktaError::Validation { ref causes, .. } => {
            let message = if causes.iter().any(|c| c.contains("already exists")) {
                "That username is already taken. Choose another."
            } else if causes.iter().any(|c| c.to_lowercase().contains("email")) {
                "A username must be an email address, such as name@example.com."
            } else {
                "Your organization doesn't accept that username. Choose another."
            };
            tracing::info!(request_id = %req.request_id, causes = causes.len(), "new username refused");
            PortalError::new(ErrorCode::InvalidInput, message)
                .with_field("login")
                .with_correlation_id(req.request_id.clone())
        }
        other => portal_error(other, req, Flow::Manage),
    }
}

fn invalid(field: &str, message: &str) -> PortalError {
    PortalError::new(ErrorCode::InvalidInput, message).with_field(field)
}

/// A plausible email address: one `@`, something before it, a dot in the domain, no spaces.
fn looks_like_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.chars().any(char::is_whitespace)
}

#[async_trait::async_trait]
impl AccountPortal for AccountService {
    async fn account(
        &self,
        session: &Session,
        req: &RequestInfo,
    ) -> Result<AccountView, PortalError> {
        let (_, user) = self.load(session, req).await?;
        self.fresh_view(&user.id, req).await
    }

    async fn change_password(
        &self,
        session: &Session,
        req: &RequestInfo,
        old_password: String,
        new_password: String,
        sign_out_others: bool,
    ) -> Result<(), PortalError> {
        input::check(&old_password, input::PASSWORD).map_err(|e| e.with_field("oldPassword"))?;
        input::check(&new_password, input::PASSWORD).map_err(|e| e.with_field("newPassword"))?;
        let (mut data, user) = self.load(session, req).await?;
        self.require_recent(&user)?;
        if old_password.is_empty() {
            return Err(invalid("oldPassword", "Enter your current password."));
        }
        if new_password.is_empty() {
            return Err(invalid("newPassword", "Choose a new password."));
        }
        let request = ChangePasswordRequest::new(
            old_password.as_str(),
            new_password.as_str(),
            sign_out_others,
        );
        if let Err(err) = self.okta.change_password(&user.id, &request, false).await {
            let policy = matches!(err, OktaError::PasswordPolicy { .. });
            let mut refusal = passwords::change_error(err, req);
            if policy {
                let rule = match self.rules_for(&user.id).await {
                    Some(rules) => refused_rule(&rules, &new_password, &user.login),
                    None => "newPassword",
                };
                refusal = refusal.with_field(rule);
            }
            return Err(refusal);
        }
        if sign_out_others {
            // Every other Keyport session of this user ends (Okta's ended with
            // `revokeSessions`); this one is marked as the one that outlives the mark.
            let at = crate::auth::now_ms();
            self.kv
                .set(
                    &signed_out_key(&user.id),
                    &at.to_string(),
                    SIGN_OUT_MARK_TTL,
                )
                .await
                .map_err(|e| internal("cannot record the sign-out of other sessions", e, req))?;
            data.outlived_sign_out = Some(at);
            self.save(session, &data, req).await?;
        }
        tracing::info!(user_id = %user.id, sign_out_others, request_id = %req.request_id, "password changed");
        self.notify(&user, SecurityEvent::PasswordChanged, req);
        Ok(())
    }

    async fn change_login(
        &self,
        session: &Session,
        req: &RequestInfo,
        login: String,
    ) -> Result<String, PortalError> {
        input::check(&login, input::LOGIN).map_err(|e| e.with_field("login"))?;
        let (mut data, user) = self.load(session, req).await?;
        if !self.settings.allow_login_change {
            return Err(PortalError::new(
                ErrorCode::Forbidden,
                "Changing your username isn't available here. Ask your help desk.",
            ));
        }
        self.require_recent(&user)?;
        let login = login.trim().to_string();
        if login.is_empty() {
            return Err(invalid("login", "Enter the new username."));
        }
        if login.eq_ignore_ascii_case(&user.login) {
            return Err(invalid("login", "That is already your username."));
        }
        if !looks_like_email(&login) {
            return Err(invalid(
                "login",
                "A username must be an email address, such as name@example.com.",
            ));
        }
        let update = UpdateUserRequest::new().set("login", login.clone());
        let updated = self
            .okta
            .update_user_profile(&user.id, &update)
            .await
            .map_err(|e| login_error(e, req))?;
        if let Some(u) = data.user.as_mut() {
            u.login = updated.profile.login.clone();
        }
        self.save(session, &data, req).await?;
        tracing::info!(user_id = %user.id, request_id = %req.request_id, "username changed");
        self.notify(&user, SecurityEvent::LoginChanged { new_login: login }, req);
        // The page reloads its view (`account`), so no second round of Okta calls here.
        Ok(updated.profile.login)
    }

    async fn update_profile(
        &self,
        session: &Session,
        req: &RequestInfo,
        update: ProfileUpdate,
    ) -> Result<(), PortalError> {
        input::check(&update.first_name, input::NAME).map_err(|e| e.with_field("firstName"))?;
        input::check(&update.last_name, input::NAME).map_err(|e| e.with_field("lastName"))?;
        input::check(&update.second_email, input::EMAIL)
            .map_err(|e| e.with_field("secondEmail"))?;
        let (mut data, user) = self.load(session, req).await?;
        self.require_recent(&user)?;
        let first = update.first_name.trim().to_string();
        let last = update.last_name.trim().to_string();
        let second = update.second_email.trim().to_string();
        for (field, value, label) in [("firstName", &first, "first"), ("lastName", &last, "last")] {
            if value.is_empty() {
                return Err(invalid(field, &format!("Enter your {label} name.")));
            }
            if value.chars().count() > MAX_NAME {
                return Err(invalid(
                    field,
                    &format!("Your {label} name can be at most {MAX_NAME} characters."),
                ));
            }
        }
        if !second.is_empty() && !looks_like_email(&second) {
            return Err(invalid(
                "secondEmail",
                "That isn't an email address. Use the form name@example.com, or leave it empty.",
            ));
        }
        let request = UpdateUserRequest::new()
            .set("firstName", first.clone())
            .set("lastName", last.clone())
            .set(
                "secondEmail",
                if second.is_empty() {
                    Value::Null
                } else {
                    Value::from(second)
                },
            );
        self.okta
            .update_user_profile(&user.id, &request)
            .await
            .map_err(|e| match e {
                OktaError::Validation { ref causes, .. }
                    if causes.iter().any(|c| c.starts_with("secondEmail")) =>
                {
                    invalid(
                        "secondEmail",
                        "Your organization doesn't accept that email address.",
                    )
                    .with_correlation_id(req.request_id.clone())
                }
                other => portal_error(other, req, Flow::Manage),
            })?;
        if let Some(u) = data.user.as_mut() {
            u.display_name = format!("{first} {last}");
        }
        self.save(session, &data, req).await?;
        tracing::info!(user_id = %user.id, request_id = %req.request_id, "profile updated");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> PasswordRules {
        PasswordRules {
            min_length: 8,
            min_lower: 1,
            min_upper: 1,
            min_number: 1,
            min_symbol: 0,
            exclude_username: true,
            history: 4,
        }
    }

    #[test]
    fn a_refusal_is_pinned_on_the_first_unmet_rule_or_else_the_history() {
        let login = "nora.nofactors@example.com";
        assert_eq!(refused_rule(&rules(), "short1A", login), "minLength");
        assert_eq!(
            refused_rule(&rules(), "alllowercase1", login),
            "minUpperCase"
        );
        assert_eq!(
            refused_rule(&rules(), "Nofactors-2026", login),
            "excludeUsername"
        );
        assert_eq!(refused_rule(&rules(), "Keyport!Demo1", login), "history");
        let no_history = PasswordRules {
            history: 0,
            ..rules()
        };
        assert_eq!(
            refused_rule(&no_history, "Keyport!Demo1", login),
            "newPassword"
        );
    }

    #[test]
    fn email_shapes() {
        for ok in ["a@b.co", "nora.new@example.com"] {
            assert!(looks_like_email(ok), "{ok}");
        }
        for bad in [
            "",
            "nora",
            "nora@",
            "@example.com",
            "nora@example",
            "no ra@example.com",
            "a@b@c.com",
            "a@.com",
        ] {
            assert!(!looks_like_email(bad), "{bad}");
        }
    }
}
