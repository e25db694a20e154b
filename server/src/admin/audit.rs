//! The audit trail of admin actions: one structured log line per action (target
//! `keyport::audit`), saying who did what to whom, how it ended and under which request id.
//! Okta records its own side of each action in the System Log (the actor there is Keyport's
//! API token); the request id and the time join the two.

use crate::sessions::SignedInUser;
use app::api::RequestInfo;
use app::error::PortalError;

/// What an admin did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AdminAction {
    ActivateAuthenticator,
    DeactivateAuthenticator,
    RemoveMethod,
    ResetMethods,
    Unlock,
    IssueAccessCode,
    AddHardwareToken,
}

impl AdminAction {
    pub fn as_str(self) -> &'static str {
        match self {
            AdminAction::ActivateAuthenticator => "authenticator.activate",
            AdminAction::DeactivateAuthenticator => "authenticator.deactivate",
            AdminAction::RemoveMethod => "user.method.remove",
            AdminAction::ResetMethods => "user.methods.reset",
            AdminAction::Unlock => "user.unlock",
            AdminAction::IssueAccessCode => "user.access_code.issue",
            AdminAction::AddHardwareToken => "user.hardware_token.add",
        }
    }
}

/// Writes the audit line for an action that ended with `result`. `whom` is the user or
/// authenticator acted on; `detail` says which method or authenticator, never a secret.
pub fn record<T>(
    actor: &SignedInUser,
    action: AdminAction,
    whom: &str,
    detail: Option<&str>,
    result: &Result<T, PortalError>,
    req: &RequestInfo,
) {
    let (outcome, error) = match result {
        Ok(_) => ("success", None),
        Err(e) => ("failure", Some(format!("{:?}", e.code))),
    };
    tracing::info!(
        target: "keyport::audit",
        actor_id = %actor.id,
        actor_login = %actor.login,
        action = action.as_str(),
        target = %whom,
        detail = detail.unwrap_or("-"),
        outcome,
        error = error.as_deref().unwrap_or("-"),
        request_id = %req.request_id,
        client_ip = req.client_ip.as_deref().unwrap_or("-"),
        "admin action"
    );
}
