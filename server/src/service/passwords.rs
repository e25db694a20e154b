//! Password changes: Okta's refusals mapped to the rule that failed, so the page can point at
//! it (E0000014 wrong current password, E0000080 policy; API-NOTES §5, §6).

use crate::okta::OktaError;
use crate::service::errors::{portal_error, Flow};
use app::api::RequestInfo;
use app::error::{ErrorCode, PortalError};

/// Okta's causes, read for the rules they name. Okta's sentence lists every requirement, so
/// the rules checked locally (on the page) are what tell them apart; what remains is history
/// or a common-password list.
pub fn change_error(err: OktaError, req: &RequestInfo) -> PortalError {
    match err {
        OktaError::WrongPassword(_) => PortalError::new(
            ErrorCode::InvalidInput,
            "Your current password isn't right.",
        )
        .with_field("oldPassword")
        .with_correlation_id(req.request_id.clone()),
        OktaError::PasswordPolicy { causes, .. } => {
            tracing::info!(request_id = %req.request_id, causes = causes.len(), "new password refused by policy");
            let reused = causes
                .iter()
                .any(|c| c.contains("cannot be any of your last") || c.contains("history"));
            let message = if reused {
                "That password doesn't meet your organization's rules. Check the list below; if every rule is met, you've used this password before — choose a new one."
            } else {
                "That password doesn't meet your organization's rules. Check the list below."
            };
            PortalError::new(ErrorCode::InvalidInput, message)
                .with_field("newPassword")
                .with_correlation_id(req.request_id.clone())
        }
        other => portal_error(other, req, Flow::Manage),
    }
}
