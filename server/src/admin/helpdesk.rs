//! The help desk: find a user, see their methods and recent security activity, and help a
//! user who lost a device: remove one method, reset them all, unlock the account, issue a
//! temporary access code (Identity Engine), register a hardware token (custom TOTP).

use super::audit::{self, AdminAction};
use super::AdminService;
use crate::methods::{activity_entries, list_methods, nicknames_from};
use crate::okta::types::{
    AuthenticatorKey, CreateTacRequest, EnrollFactorQuery, EnrollFactorRequest, FactorType, User,
    UserStatus, VerifyFactorRequest,
};
use crate::okta::{OktaError, UserQuery, VerifyQuery};
use crate::service::errors::{portal_error, Flow};
use crate::sessions::SignedInUser;
use app::api::RequestInfo;
use app::error::{ErrorCode, PortalError};
use app::model::admin::{HelpdeskUser, IssuedAccessCode, UserHit};
use app::model::Pipeline;

/// How many users one search shows.
const SEARCH_LIMIT: u32 = 20;
/// The longest search Keyport sends.
const SEARCH_MAX: usize = 100;
/// The shortest hardware token seed accepted, in bytes (RFC 4226 asks for 128 bits at least).
const SEED_MIN_BYTES: usize = 16;

fn invalid(field: &str, message: &str) -> PortalError {
    PortalError::new(ErrorCode::InvalidInput, message).with_field(field)
}

fn status_words(s: &UserStatus) -> String {
    match s {
        UserStatus::Active => "Active".into(),
        UserStatus::LockedOut => "Locked out".into(),
        UserStatus::PasswordExpired => "Password expired".into(),
        UserStatus::Deprovisioned => "Deactivated".into(),
        UserStatus::Suspended => "Suspended".into(),
        UserStatus::Staged => "Staged".into(),
        UserStatus::Provisioned => "Pending activation".into(),
        UserStatus::Recovery => "Password reset".into(),
        UserStatus::Unknown(s) => s.clone(),
    }
}

fn hit(u: &User) -> UserHit {
    let p = &u.profile;
    let name = [p.first_name.as_deref(), p.last_name.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    UserHit {
        id: u.id.clone(),
        login: p.login.clone(),
        display_name: p.display_name.clone().filter(|d| !d.is_empty()).unwrap_or(
            if name.is_empty() {
                p.login.clone()
            } else {
                name
            },
        ),
        email: p.email.clone().unwrap_or_default(),
        status: status_words(&u.status),
    }
}

/// Okta's `search` expression for what a person typed: a login, an email or a name (first,
/// last, or both). Quotes and backslashes are dropped: they cannot be part of a name or login
/// Keyport looks for, and would end the string in the expression.
pub fn search_expression(input: &str) -> Option<String> {
    let cleaned: String = input
        .chars()
        .filter(|c| *c != '"' && *c != '\\' && !c.is_control())
        .take(SEARCH_MAX)
        .collect();
    let text = cleaned.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.is_empty() {
        return None;
    }
    let mut parts = vec![
        format!("profile.login sw \"{text}\""),
        format!("profile.email sw \"{text}\""),
    ];
    match text.split_once(' ') {
        Some((first, last)) => parts.push(format!(
            "profile.firstName sw \"{first}\" and profile.lastName sw \"{last}\""
        )),
        None => {
            parts.push(format!("profile.firstName sw \"{text}\""));
            parts.push(format!("profile.lastName sw \"{text}\""));
        }
    }
    Some(parts.join(" or "))
}

pub async fn search(
    svc: &AdminService,
    req: &RequestInfo,
    input: &str,
) -> Result<Vec<UserHit>, PortalError> {
    let Some(search) = search_expression(input) else {
        return Err(invalid(
            "query",
            "Type part of a name, a username or an email address.",
        ));
    };
    let users = svc
        .okta
        .find_users(&UserQuery {
            search: Some(search),
            limit: Some(SEARCH_LIMIT),
            ..Default::default()
        })
        .await
        .map_err(|e| portal_error(e, req, Flow::Admin))?;
    Ok(users.iter().map(hit).collect())
}

/// Okta's "not found" for a user id, said of a user.
fn user_error(e: OktaError, req: &RequestInfo) -> PortalError {
    match e {
        OktaError::NotFound(_) => PortalError::new(
            ErrorCode::NotFound,
            "There is no such user. They may have been deleted; search again.",
        )
        .with_correlation_id(req.request_id.clone()),
        e => portal_error(e, req, Flow::Admin),
    }
}

/// The `tac` authenticator's id, when the org has it turned on.
async fn access_code_authenticator(svc: &AdminService) -> Option<String> {
    svc.okta.list_authenticators().await.ok().and_then(|all| {
        all.into_iter()
            .find(|a| a.key == AuthenticatorKey::Tac && a.is_active())
            .map(|a| a.id)
    })
}

pub async fn user(
    svc: &AdminService,
    req: &RequestInfo,
    user_id: &str,
) -> Result<HelpdeskUser, PortalError> {
    let u = svc
        .okta
        .get_user(user_id)
        .await
        .map_err(|e| user_error(e, req))?;
    let pipeline = svc.pipeline().await;
    let oie = pipeline == Some(Pipeline::IdentityEngine);
    let (factors, enrollments, events, tac) = tokio::join!(
        svc.okta.list_factors(&u.id),
        async {
            if oie {
                Some(svc.okta.list_enrollments(&u.id, false).await)
            } else {
                None
            }
        },
        svc.okta.user_log_events(&u.id, None, 100),
        async {
            if oie {
                access_code_authenticator(svc).await
            } else {
                None
            }
        }
    );
    let factors = factors.map_err(|e| portal_error(e, req, Flow::Admin))?;
    let enrollments = enrollments
        .transpose()
        .map_err(|e| portal_error(e, req, Flow::Admin))?;
    // Activity is a help, not a requirement: a System Log failure must not hide the methods.
    let activity = match events {
        Ok(events) => activity_entries(&events),
        Err(e) => {
            tracing::warn!(error = %e, "cannot read the System Log");
            vec![]
        }
    };
    let nicknames = nicknames_from(&u.profile, &svc.methods.settings.nickname_attribute);
    let mut methods = list_methods(&factors, enrollments.as_deref(), &nicknames, pipeline);
    for m in &mut methods {
        // The help desk removes; testing and renaming are the user's own business.
        m.can_test = false;
        m.can_rename = false;
        m.recovery_choice = false;
    }
    Ok(HelpdeskUser {
        locked_out: u.status == UserStatus::LockedOut,
        user: hit(&u),
        pipeline,
        methods,
        activity,
        can_issue_tac: tac.is_some(),
        can_add_hardware_token: svc.settings.hardware_token_profile.is_some(),
    })
}

/// Removes one method: a factor (with the phone's other factor: SMS and voice share the
/// number), or in Identity Engine an authenticator enrollment.
pub async fn remove_method(
    svc: &AdminService,
    admin: &SignedInUser,
    req: &RequestInfo,
    user_id: &str,
    method_id: &str,
) -> Result<(), PortalError> {
    let result = async {
        let factors = svc
            .okta
            .list_factors(user_id)
            .await
            .map_err(|e| user_error(e, req))?;
        if let Some(f) = factors.iter().find(|f| f.id == method_id) {
            let mut targets = vec![f];
            if matches!(f.factor_type, FactorType::Sms | FactorType::Call) {
                targets.extend(factors.iter().filter(|g| {
                    g.id != f.id
                        && matches!(g.factor_type, FactorType::Sms | FactorType::Call)
                        && g.profile.phone_number == f.profile.phone_number
                }));
            }
            for t in targets {
                svc.okta
                    .unenroll_factor(user_id, &t.id, true)
                    .await
                    .map_err(|e| portal_error(e, req, Flow::Admin))?;
            }
            return Ok(());
        }
        if svc.pipeline().await == Some(Pipeline::IdentityEngine) {
            return svc
                .okta
                .delete_enrollment(user_id, method_id)
                .await
                .map_err(|e| portal_error(e, req, Flow::Admin));
        }
        Err(PortalError::new(
            ErrorCode::NotFound,
            "That method is already gone. The list has been refreshed.",
        ))
    }
    .await;
    audit::record(
        admin,
        AdminAction::RemoveMethod,
        user_id,
        Some(method_id),
        &result,
        req,
    );
    result
}

pub async fn reset(
    svc: &AdminService,
    admin: &SignedInUser,
    req: &RequestInfo,
    user_id: &str,
    confirmation: &str,
) -> Result<(), PortalError> {
    let result = async {
        let u = svc
            .okta
            .get_user(user_id)
            .await
            .map_err(|e| user_error(e, req))?;
        if !confirmation.trim().eq_ignore_ascii_case(&u.profile.login) {
            return Err(invalid(
                "confirmation",
                "Type the user's username exactly to confirm. Nothing was removed.",
            ));
        }
        svc.okta
            .reset_factors(&u.id)
            .await
            .map_err(|e| portal_error(e, req, Flow::Admin))
    }
    .await;
    audit::record(
        admin,
        AdminAction::ResetMethods,
        user_id,
        None,
        &result,
        req,
    );
    result
}

pub async fn unlock(
    svc: &AdminService,
    admin: &SignedInUser,
    req: &RequestInfo,
    user_id: &str,
) -> Result<(), PortalError> {
    let result = svc
        .okta
        .unlock_user(user_id)
        .await
        .map_err(|e| match e {
            OktaError::Forbidden(_) => {
                let _ = portal_error(e, req, Flow::Admin);
                PortalError::new(
                    ErrorCode::InvalidInput,
                    "This account can't be unlocked: it is not locked out (it may be deactivated or suspended).",
                )
            }
            e => user_error(e, req),
        });
    audit::record(admin, AdminAction::Unlock, user_id, None, &result, req);
    result
}

pub async fn issue_access_code(
    svc: &AdminService,
    admin: &SignedInUser,
    req: &RequestInfo,
    user_id: &str,
) -> Result<IssuedAccessCode, PortalError> {
    let result = async {
        if svc.pipeline().await != Some(Pipeline::IdentityEngine) {
            return Err(PortalError::new(
                ErrorCode::InvalidInput,
                "Temporary access codes need an Identity Engine org.",
            ));
        }
        let Some(authenticator) = access_code_authenticator(svc).await else {
            return Err(PortalError::new(
                ErrorCode::InvalidInput,
                "Temporary access codes are turned off for your org. Turn on the Temporary Access Code authenticator first.",
            ));
        };
        let request =
            CreateTacRequest::new(authenticator, svc.settings.access_code_minutes, false);
        let tac = svc
            .okta
            .create_tac(user_id, &request)
            .await
            .map_err(|e| user_error(e, req))?;
        let code = tac.tac().map(str::to_string).ok_or_else(|| {
            crate::service::errors::internal(
                "Okta created a temporary access code but did not return it",
                &tac.id,
                req,
            )
        })?;
        Ok(IssuedAccessCode {
            code,
            expires_at: tac.profile.expires_at.clone(),
            multi_use: tac.profile.multi_use.unwrap_or(false),
        })
    }
    .await;
    // The code itself never reaches the log.
    audit::record(
        admin,
        AdminAction::IssueAccessCode,
        user_id,
        None,
        &result,
        req,
    );
    result
}

/// A hardware token seed as Okta wants it (hexadecimal, lower case), from hex or base32 with
/// any spaces or dashes.
pub fn seed_hex(input: &str) -> Option<String> {
    let compact: String = input
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    if compact.len() >= SEED_MIN_BYTES * 2
        && compact.len().is_multiple_of(2)
        && compact.chars().all(|c| c.is_ascii_hexdigit())
    {
        return Some(compact.to_ascii_lowercase());
    }
    let bytes =
        totp_rs::Secret::try_from_base32(compact.to_ascii_uppercase().trim_end_matches('='))
            .ok()?;
    (bytes.len() >= SEED_MIN_BYTES).then(|| bytes.iter().map(|b| format!("{b:02x}")).collect())
}

pub async fn add_hardware_token(
    svc: &AdminService,
    admin: &SignedInUser,
    req: &RequestInfo,
    user_id: &str,
    secret: &str,
    code: &str,
) -> Result<(), PortalError> {
    let result = async {
        let Some(profile) = svc.settings.hardware_token_profile.clone() else {
            return Err(PortalError::new(
                ErrorCode::InvalidInput,
                "Hardware tokens are not set up for this Keyport.",
            ));
        };
        let Some(seed) = seed_hex(secret) else {
            return Err(invalid(
                "secret",
                "That seed isn't valid. Enter the token's seed as printed on its seed sheet: hexadecimal (32 characters or more) or base32.",
            ));
        };
        let code = code.trim();
        if code.len() != 6 || !code.chars().all(|c| c.is_ascii_digit()) {
            return Err(invalid(
                "code",
                "Enter the six-digit code the token shows now.",
            ));
        }
        let factor = svc
            .okta
            .enroll_factor(
                user_id,
                &EnrollFactorRequest::hotp(profile, seed),
                &EnrollFactorQuery {
                    activate: Some(true),
                    ..Default::default()
                },
                &crate::methods::ctx(req),
            )
            .await
            .map_err(|e| match e {
                OktaError::AlreadyEnrolled { .. } | OktaError::MaxEnrollments { .. } => {
                    let _ = portal_error(e, req, Flow::Admin);
                    PortalError::new(
                        ErrorCode::InvalidInput,
                        "This user already has a hardware token. Remove it first to register another.",
                    )
                }
                e => user_error(e, req),
            })?;
        // The code proves the seed belongs to the token in hand; a wrong one undoes the
        // registration so no unusable token is left behind.
        let verified = svc
            .okta
            .verify_factor(
                user_id,
                &factor.id,
                &VerifyFactorRequest::pass_code(code.to_string()),
                &VerifyQuery::default(),
                &crate::methods::ctx(req),
            )
            .await;
        match verified {
            Ok(v) if v.is_success() => Ok(()),
            other => {
                if let Err(e) = svc.okta.unenroll_factor(user_id, &factor.id, false).await {
                    tracing::error!(error = %e, request_id = %req.request_id, "cannot remove a hardware token whose code did not match");
                }
                match other {
                    Err(OktaError::InvalidPasscode(_)) | Ok(_) => Err(invalid(
                        "code",
                        "That code doesn't match this seed. Check the seed and enter the code the token shows now. Nothing was added.",
                    )),
                    Err(e) => Err(portal_error(e, req, Flow::Admin)),
                }
            }
        }
    }
    .await;
    audit::record(
        admin,
        AdminAction::AddHardwareToken,
        user_id,
        None,
        &result,
        req,
    );
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_matches_login_email_and_names() {
        let e = search_expression("  Olivia   Oie ").unwrap();
        assert_eq!(
            e,
            "profile.login sw \"Olivia Oie\" or profile.email sw \"Olivia Oie\" or profile.firstName sw \"Olivia\" and profile.lastName sw \"Oie\""
        );
        let e = search_expression("nora").unwrap();
        assert!(e.contains("profile.firstName sw \"nora\" or profile.lastName sw \"nora\""));
    }

    #[test]
    fn search_cannot_break_out_of_its_strings() {
        let e = search_expression(r#"x" or status eq "ACTIVE\"#).unwrap();
        // Every quote is Keyport's own: four comparisons, eight quotes.
        assert_eq!(e.matches('"').count(), 8, "{e}");
        assert!(
            e.starts_with("profile.login sw \"x or status eq ACTIVE\" or"),
            "{e}"
        );
        assert_eq!(search_expression(" \" "), None);
    }

    #[test]
    fn seeds_in_hex_or_base32() {
        assert_eq!(
            seed_hex("484F97BE 3213B117 E3A20438 E291540A").as_deref(),
            Some("484f97be3213b117e3a20438e291540a")
        );
        // base32 of the same 16 bytes.
        assert_eq!(
            seed_hex("jbhz ppRs coyr py5c aq4o fekubi").as_deref(),
            Some("484f97be3213b117e3a20438e291540a")
        );
        assert_eq!(seed_hex("abcd"), None, "too short");
        assert_eq!(seed_hex("not a seed!"), None);
    }
}
