//! Security notifications: after a password change, or a sign-in method added or removed,
//! the person gets an email saying what changed, when, and from where, so a change they did not
//! make does not go unnoticed.
//!
//! Where the email goes is a setting (`KEYPORT_NOTIFY`): the sandbox's outbox (the default
//! against the sandbox), an SMTP server, or nowhere, when the org sends its own notifications
//! and two emails for one change would be noise. An email never carries a code, a secret, a
//! link that signs anyone in, or the new password: only what happened.

use crate::sandbox::Sandbox;
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// What changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SecurityEvent {
    PasswordChanged,
    /// A method was added (its kind's label and the name shown in Keyport).
    MethodAdded {
        kind: String,
        name: String,
    },
    MethodRemoved {
        kind: String,
        name: String,
    },
    LoginChanged {
        new_login: String,
    },
}

/// Who to tell, and the request facts that go in the email.
#[derive(Clone, Debug)]
pub struct Recipient {
    pub user_id: String,
    pub email: String,
    pub display_name: String,
}

/// Where the change came from (shown so a person can tell whether it was them).
#[derive(Clone, Debug, Default)]
pub struct Origin {
    pub client_ip: Option<String>,
    pub user_agent: Option<String>,
}

/// Where notifications go.
#[derive(Clone)]
pub enum Notifier {
    /// Into the built-in sandbox's outbox.
    Sandbox(Sandbox),
    /// Through an SMTP server.
    Smtp {
        transport: AsyncSmtpTransport<Tokio1Executor>,
        from: Mailbox,
    },
    /// Keyport sends nothing: the org's own notifications cover it.
    Off,
}

/// Why a notifier could not be set up from its setting.
#[derive(Debug, thiserror::Error)]
pub enum NotifySetupError {
    #[error(
        "KEYPORT_NOTIFY: not a valid SMTP URL (smtp://user:password@host:port or smtps://…): {0}"
    )]
    BadUrl(String),
    #[error("KEYPORT_NOTIFY_FROM: not a valid address ({0})")]
    BadFrom(String),
    #[error("KEYPORT_NOTIFY=sandbox needs the built-in sandbox (unset OKTA_ORG_URL)")]
    NoSandbox,
}

impl Notifier {
    /// From the `KEYPORT_NOTIFY` setting: `sandbox`, `off` (or `okta`), or an SMTP URL.
    pub fn from_setting(
        setting: &str,
        from: &str,
        sandbox: Option<&Sandbox>,
    ) -> Result<Notifier, NotifySetupError> {
        match setting {
            "off" | "okta" => Ok(Notifier::Off),
            "sandbox" => sandbox
                .cloned()
                .map(Notifier::Sandbox)
                .ok_or(NotifySetupError::NoSandbox),
            url => {
                // The URL may hold a password: never echo it.
                let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| NotifySetupError::BadUrl(e.to_string()))?
                    .build();
                let from = from
                    .parse::<Mailbox>()
                    .map_err(|e| NotifySetupError::BadFrom(e.to_string()))?;
                Ok(Notifier::Smtp { transport, from })
            }
        }
    }

    /// What the setting means, for the start-up log (no credentials).
    pub fn describe(&self) -> &'static str {
        match self {
            Notifier::Sandbox(_) => "security emails go to the sandbox outbox",
            Notifier::Smtp { .. } => "security emails go out through SMTP",
            Notifier::Off => "security emails are left to Okta",
        }
    }

    /// Sends the notification. Failures are logged, never shown to the person: the change
    /// itself has happened and must not look as if it had failed.
    pub async fn notify(&self, to: &Recipient, event: &SecurityEvent, origin: &Origin) {
        let (subject, body) = compose(to, event, origin);
        match self {
            Notifier::Off => {}
            Notifier::Sandbox(sb) => sb.deliver_email(&to.user_id, &to.email, &subject, &body),
            Notifier::Smtp { transport, from } => {
                let message = to
                    .email
                    .parse::<Mailbox>()
                    .map_err(|e| e.to_string())
                    .and_then(|recipient| {
                        Message::builder()
                            .from(from.clone())
                            .to(recipient)
                            .subject(subject)
                            .body(body)
                            .map_err(|e| e.to_string())
                    });
                let result = match message {
                    Ok(m) => transport
                        .send(m)
                        .await
                        .map(|_| ())
                        .map_err(|e| e.to_string()),
                    Err(e) => Err(e),
                };
                if let Err(e) = result {
                    tracing::warn!(user_id = %to.user_id, error = %e, "security email not sent");
                }
            }
        }
    }
}

/// Looks the person's primary email up and tells them about `event`, in a task of its own: the
/// answer to the change does not wait for the email, and a failure is only logged.
pub fn notify_in_background(
    okta: crate::okta::OktaClient,
    notifier: std::sync::Arc<Notifier>,
    user_id: String,
    event: SecurityEvent,
    req: &app::api::RequestInfo,
) {
    if matches!(*notifier, Notifier::Off) {
        return;
    }
    let origin = Origin {
        client_ip: req.client_ip.clone(),
        user_agent: req.user_agent.clone(),
    };
    tokio::spawn(async move {
        let user = match okta.get_user(&user_id).await {
            Ok(u) => u,
            Err(e) => {
                tracing::warn!(%user_id, error = %e, "security email not sent: cannot read the user");
                return;
            }
        };
        let Some(email) = user.profile.email.clone().filter(|e| !e.is_empty()) else {
            return;
        };
        let display_name = [
            user.profile.first_name.clone(),
            user.profile.last_name.clone(),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
        let to = Recipient {
            user_id,
            email,
            display_name: if display_name.is_empty() {
                user.profile.login.clone()
            } else {
                display_name
            },
        };
        notifier.notify(&to, &event, &origin).await;
    });
}

/// The email's subject and plain-text body.
pub fn compose(to: &Recipient, event: &SecurityEvent, origin: &Origin) -> (String, String) {
    let (subject, what) = match event {
        SecurityEvent::PasswordChanged => (
            "Your password was changed".to_string(),
            "Your password was changed.".to_string(),
        ),
        SecurityEvent::MethodAdded { kind, name } => (
            "A sign-in method was added to your account".to_string(),
            format!("A sign-in method was added to your account: {kind} ({name})."),
        ),
        SecurityEvent::MethodRemoved { kind, name } => (
            "A sign-in method was removed from your account".to_string(),
            format!("A sign-in method was removed from your account: {kind} ({name})."),
        ),
        SecurityEvent::LoginChanged { new_login } => (
            "Your username was changed".to_string(),
            format!("Your username was changed. You now sign in as {new_login}."),
        ),
    };
    let when = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc2822)
        .unwrap_or_default();
    let from = match (&origin.client_ip, &origin.user_agent) {
        (Some(ip), Some(ua)) => format!("from {ip} ({ua})"),
        (Some(ip), None) => format!("from {ip}"),
        _ => "from an unknown location".to_string(),
    };
    let body = format!(
        "Hello {name},\n\n{what}\n\nWhen: {when}\nWhere: {from}\n\n\
         If this was you, there is nothing to do.\n\
         If it was not, change your password now and contact your help desk.\n",
        name = to.display_name,
    );
    (subject, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nora() -> Recipient {
        Recipient {
            user_id: "00u1".into(),
            email: "nora@example.com".into(),
            display_name: "Nora Nofactors".into(),
        }
    }

    #[test]
    fn an_email_says_what_when_and_where_and_nothing_secret() {
        let origin = Origin {
            client_ip: Some("203.0.113.9".into()),
            user_agent: Some("Firefox".into()),
        };
        let (subject, body) = compose(
            &nora(),
            &SecurityEvent::MethodAdded {
                kind: "Authenticator app".into(),
                name: "Google Authenticator".into(),
            },
            &origin,
        );
        assert_eq!(subject, "A sign-in method was added to your account");
        assert!(
            body.contains("Authenticator app (Google Authenticator)"),
            "{body}"
        );
        assert!(body.contains("from 203.0.113.9 (Firefox)"), "{body}");
        assert!(
            !body.contains("http"),
            "no links in a security email: {body}"
        );
    }

    // The SMTP pool lives on the Tokio runtime.
    #[tokio::test]
    async fn settings_are_read_and_bad_ones_named() {
        assert!(matches!(
            Notifier::from_setting("off", "", None),
            Ok(Notifier::Off)
        ));
        assert!(matches!(
            Notifier::from_setting("sandbox", "", None),
            Err(NotifySetupError::NoSandbox)
        ));
        let bad = Notifier::from_setting("ftp://user:hunter2@mail", "a@b.c", None)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(bad.starts_with("KEYPORT_NOTIFY:"), "{bad}");
        assert!(
            !bad.contains("hunter2"),
            "the password is not echoed: {bad}"
        );
        assert!(matches!(
            Notifier::from_setting("smtp://mail.example.com:2525", "not an address", None),
            Err(NotifySetupError::BadFrom(_))
        ));
        assert!(matches!(
            Notifier::from_setting(
                "smtp://mail.example.com:2525",
                "Keyport <keyport@example.com>",
                None
            ),
            Ok(Notifier::Smtp { .. })
        ));
    }
}
