//! System Log events for every change, so Keyport can show a user their recent security
//! activity (`GET /api/v1/logs`). Event types and messages follow Okta's event catalog.

use super::model::{Factor, LogEvent, LogTarget, User};
use super::state::Org;

/// Who caused an event and from where.
#[derive(Clone, Debug, Default)]
pub struct Origin {
    pub client_ip: Option<String>,
    pub user_agent: Option<String>,
    /// An admin (API token) acting on the user, rather than the user.
    pub by_admin: bool,
}

fn user_target(u: &User) -> LogTarget {
    LogTarget {
        id: u.id.clone(),
        kind: "User",
        alternate_id: u.login().to_string(),
        display_name: display_name(u),
    }
}

pub fn display_name(u: &User) -> String {
    match (u.profile_str("firstName"), u.profile_str("lastName")) {
        (Some(f), Some(l)) => format!("{f} {l}"),
        _ => u.login().to_string(),
    }
}

fn factor_target(f: &Factor) -> LogTarget {
    LogTarget {
        id: f.id.clone(),
        kind: "AuthenticatorEnrollment",
        alternate_id: "unknown".to_string(),
        display_name: factor_label(f),
    }
}

/// The name Okta's log uses for a factor.
pub fn factor_label(f: &Factor) -> String {
    use super::model::Kind::*;
    match f.kind {
        Push => "Okta Verify".into(),
        OktaTotp => "Okta Verify TOTP".into(),
        GoogleTotp => "Google Authenticator".into(),
        Sms => "SMS Authentication".into(),
        Call => "Voice Call Authentication".into(),
        Email => "Email Authentication".into(),
        Question => "Security Question".into(),
        WebAuthn => "Security Key or Biometric Authenticator".into(),
        U2f => "FIDO U2F".into(),
        Hotp => "Custom TOTP".into(),
        SignedNonce => "Okta FastPass".into(),
    }
}

/// The actor of events caused with the API token (an admin, not the user).
fn admin_actor() -> (String, &'static str, String, String) {
    (
        "0oa1keyport0apitoken".to_string(),
        "PublicClientApp",
        "API token".to_string(),
        "Keyport API token".to_string(),
    )
}

/// Records an org-level event (no user involved), caused with the API token: e.g. an admin
/// activating or deactivating an authenticator (`security.authenticator.lifecycle.*`).
pub fn record_org(
    org: &Org,
    origin: &Origin,
    target: LogTarget,
    event_type: &'static str,
    display_message: &str,
) {
    let (actor_id, actor_type, actor_alternate_id, actor_display_name) = admin_actor();
    org.record(LogEvent {
        uuid: uuid::Uuid::new_v4().to_string(),
        published: org.now(),
        event_type,
        display_message: display_message.to_string(),
        severity: "INFO",
        outcome: "SUCCESS",
        reason: None,
        actor_id,
        actor_type,
        actor_alternate_id,
        actor_display_name,
        target: vec![target],
        client_ip: origin.client_ip.clone(),
        user_agent: origin.user_agent.clone(),
    });
}

/// Records an event about `user`, optionally naming a factor.
#[allow(clippy::too_many_arguments)]
pub fn record(
    org: &Org,
    origin: &Origin,
    user: &User,
    factor: Option<&Factor>,
    event_type: &'static str,
    display_message: &str,
    outcome: &'static str,
    reason: Option<String>,
) {
    let (actor_id, actor_type, actor_alt, actor_name) = if origin.by_admin {
        admin_actor()
    } else {
        (
            user.id.clone(),
            "User",
            user.login().to_string(),
            display_name(user),
        )
    };
    let mut target = vec![user_target(user)];
    if let Some(f) = factor {
        target.push(factor_target(f));
    }
    org.record(LogEvent {
        uuid: uuid::Uuid::new_v4().to_string(),
        published: org.now(),
        event_type,
        display_message: display_message.to_string(),
        severity: if outcome == "FAILURE" { "WARN" } else { "INFO" },
        outcome,
        reason,
        actor_id,
        actor_type,
        actor_alternate_id: actor_alt,
        actor_display_name: actor_name,
        target,
        client_ip: origin.client_ip.clone(),
        user_agent: origin.user_agent.clone(),
    });
}

pub fn factor_activated(org: &Org, origin: &Origin, user: &User, f: &Factor) {
    record(
        org,
        origin,
        user,
        Some(f),
        "user.mfa.factor.activate",
        "Activate factor or authenticator",
        "SUCCESS",
        None,
    );
}

pub fn factor_removed(org: &Org, origin: &Origin, user: &User, f: &Factor) {
    record(
        org,
        origin,
        user,
        Some(f),
        "user.mfa.factor.deactivate",
        "Reset factor or authenticator",
        "SUCCESS",
        None,
    );
}

pub fn factors_reset(org: &Org, origin: &Origin, user: &User) {
    record(
        org,
        origin,
        user,
        None,
        "user.mfa.factor.reset_all",
        "Reset all factors for user",
        "SUCCESS",
        None,
    );
}

pub fn mfa_verified(org: &Org, origin: &Origin, user: &User, f: &Factor, ok: bool) {
    let (outcome, reason) = if ok {
        ("SUCCESS", None)
    } else {
        ("FAILURE", Some("INVALID_CREDENTIALS".into()))
    };
    record(
        org,
        origin,
        user,
        Some(f),
        "user.authentication.auth_via_mfa",
        "Authentication of user via MFA",
        outcome,
        reason,
    );
}

pub fn push_denied(org: &Org, origin: &Origin, user: &User, f: &Factor) {
    record(
        org,
        origin,
        user,
        Some(f),
        "user.mfa.okta_verify.deny_push",
        "User rejected Okta push verify",
        "FAILURE",
        Some("USER_REJECTED".into()),
    );
}
