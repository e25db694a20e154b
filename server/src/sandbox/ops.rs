//! Verification mechanics shared by the Factors API and the Authn API: sending codes (with
//! Okta's per-phone and per-address cooldowns), checking codes (TOTP with replay refused, sent
//! codes with expiry), and push transactions with number matching.

use super::clock::okta_time;
use super::error::{ApiError, ApiResult};
use super::ids;
use super::model::*;
use super::state::{lock, Org};
use super::totp;
use axum::http::StatusCode;
use rand::seq::SliceRandom;
use rand::Rng;
use time::{Duration, OffsetDateTime};

/// One SMS or call per phone per 30 s (API-NOTES §1.3).
pub const PHONE_COOLDOWN: Duration = Duration::seconds(30);
/// One email per address per 5 s.
pub const EMAIL_COOLDOWN: Duration = Duration::seconds(5);
/// A push activation QR is good for about ten minutes (API-NOTES §1.2).
pub const PUSH_ACTIVATION_LIFETIME: Duration = Duration::minutes(10);
/// A push verification waits five minutes for the phone.
pub const PUSH_VERIFY_LIFETIME: Duration = Duration::minutes(5);
/// Default lifetime of a sent code (`tokenLifetimeSeconds` default, API-NOTES §1).
pub const DEFAULT_CODE_LIFETIME: Duration = Duration::seconds(300);
/// Activation attempts: 5 in 5 minutes, then 429 E0000047.
pub const ACTIVATION_ATTEMPTS: usize = 5;
pub const ACTIVATION_WINDOW: Duration = Duration::minutes(5);

/// Why a code is being sent: the message says so.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    Enrollment,
    Verification,
}

/// The channel a factor kind sends codes on.
pub fn channel(kind: Kind) -> &'static str {
    match kind {
        Kind::Call => "voice",
        Kind::Email => "email",
        _ => "sms",
    }
}

/// Checks and sets the cooldown for sending to `to` on `kind`'s channel.
pub fn take_cooldown(org: &Org, kind: Kind, to: &str) -> ApiResult<()> {
    let now = org.now();
    let (key, period) = match kind {
        Kind::Email => (format!("email:{}", to.to_ascii_lowercase()), EMAIL_COOLDOWN),
        Kind::Call => (format!("call:{to}"), PHONE_COOLDOWN),
        _ => (format!("sms:{to}"), PHONE_COOLDOWN),
    };
    let mut cooldowns = lock(&org.cooldowns);
    if let Some(last) = cooldowns.get(&key) {
        let ready = *last + period;
        if ready > now {
            let reset = ready.unix_timestamp() + i64::from(ready.nanosecond() > 0);
            let mut err = match kind {
                Kind::Email => ApiError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "E0000118",
                    "An email was recently sent. Please wait 5 seconds before trying again.",
                ),
                Kind::Call => ApiError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "E0000133",
                    "A phone call was recently made. Please wait 30 seconds before trying again.",
                ),
                _ => ApiError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "E0000109",
                    "An SMS message was recently sent. Please wait 30 seconds before trying again.",
                ),
            };
            err.reset_at = Some(reset);
            return Err(err);
        }
    }
    cooldowns.insert(key, now);
    Ok(())
}

/// The message text, in the requested language where the sandbox knows it.
fn message_text(kind: Kind, code: &str, purpose: Purpose, lang: Option<&str>) -> (String, String) {
    let lang = lang.map(|l| l.split(['-', '_']).next().unwrap_or(l).to_ascii_lowercase());
    let (subject, body) = match (lang.as_deref(), purpose) {
        (Some("fr"), _) => (
            "Code de vérification".to_string(),
            format!("Votre code de vérification Keyport Sandbox est {code}."),
        ),
        (Some("de"), _) => (
            "Bestätigungscode".to_string(),
            format!("Ihr Keyport-Sandbox-Bestätigungscode lautet {code}."),
        ),
        (Some("es"), _) => (
            "Código de verificación".to_string(),
            format!("Su código de verificación de Keyport Sandbox es {code}."),
        ),
        (_, Purpose::Enrollment) => (
            "Confirm your new sign-in method".to_string(),
            format!("Your Keyport Sandbox verification code is {code}. Enter it to finish setting up this method."),
        ),
        (_, Purpose::Verification) => (
            "Your verification code".to_string(),
            format!("Your Keyport Sandbox verification code is {code}."),
        ),
    };
    if kind == Kind::Call {
        // A voice call reads the digits one by one.
        let spoken: Vec<String> = code.chars().map(|c| c.to_string()).collect();
        return (
            "Voice call".to_string(),
            format!("{body} I repeat: {}.", spoken.join(", ")),
        );
    }
    (subject, body)
}

/// Sends a fresh code to `to` (cooldown first) and returns it to be stored on the factor.
pub fn issue_code(
    org: &Org,
    user: &User,
    kind: Kind,
    to: &str,
    lifetime: Duration,
    purpose: Purpose,
    lang: Option<&str>,
) -> ApiResult<SentCode> {
    take_cooldown(org, kind, to)?;
    let code = ids::numeric_code(6);
    let (subject, body) = message_text(kind, &code, purpose, lang);
    let expires_at = org.now() + lifetime;
    org.send(OutboxMessage {
        id: ids::new_id("msg"),
        channel: channel(kind),
        to: to.to_string(),
        code: Some(code.clone()),
        link: None,
        expires_at: Some(okta_time(expires_at)),
        subject,
        body,
        sent_at: okta_time(org.now()),
        locale: lang.map(str::to_string),
        user_id: Some(user.id.clone()),
    });
    Ok(SentCode { code, expires_at })
}

/// A sent code matches when it is the same digits (spaces ignored) and not expired.
pub fn sent_code_matches(org: &Org, sent: &Option<SentCode>, typed: &str) -> bool {
    let typed: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    sent.as_ref().is_some_and(|s| {
        s.expires_at > org.now()
            && !typed.is_empty()
            && constant_eq(s.code.as_bytes(), typed.as_bytes())
    })
}

fn constant_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Checks a TOTP code for an Okta Verify, Google Authenticator or custom TOTP factor.
/// Wrong: 403 E0000068. Replayed: 403 E0000082 (API-NOTES §1.4 leaves 200 PASSCODE_REPLAYED vs
/// 403 E0000082 unconfirmed; the sandbox answers with the documented error code).
pub fn check_totp(org: &Org, factor: &mut Factor, code: &str) -> ApiResult<()> {
    let encoding = if factor.kind == Kind::Hotp {
        totp::Encoding::Hex
    } else {
        totp::Encoding::Base32
    };
    let secret = factor.secret.clone().unwrap_or_default();
    let now = org.now().unix_timestamp().max(0) as u64;
    match totp::check(&secret, encoding, code, now, factor.last_totp_step) {
        totp::Check::Valid(step) => {
            factor.last_totp_step = Some(step);
            Ok(())
        }
        totp::Check::Replayed => Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "E0000082",
            "Each code can only be used once. Please wait for a new code and try again.",
        )),
        totp::Check::Invalid => Err(ApiError::invalid_passcode()),
    }
}

/// Records a failed activation attempt and refuses when the 5-in-5-minutes limit is reached.
pub fn activation_attempts_left(org: &Org, pending: &mut Pending) -> ApiResult<()> {
    let now = org.now();
    pending
        .failed_attempts
        .retain(|t| *t + ACTIVATION_WINDOW > now);
    if pending.failed_attempts.len() >= ACTIVATION_ATTEMPTS {
        let oldest = pending.failed_attempts.iter().min().copied().unwrap_or(now);
        return Err(ApiError::rate_limited(
            (oldest + ACTIVATION_WINDOW).unix_timestamp() + 1,
        ));
    }
    Ok(())
}

pub fn record_failed_attempt(org: &Org, pending: &mut Pending) {
    pending.failed_attempts.push(org.now());
}

/// Starts a push to the device of `factor`: a waiting transaction, with a number challenge
/// when asked for.
pub fn start_push(
    org: &Org,
    user: &User,
    factor: &Factor,
    number_matching: bool,
    client: String,
) -> PushTransaction {
    let now = org.now();
    let mut rng = rand::rng();
    let (correct, choices) = if number_matching {
        let correct: u8 = rng.random_range(10..100);
        let mut choices = vec![correct];
        while choices.len() < 3 {
            let n: u8 = rng.random_range(10..100);
            if !choices.contains(&n) {
                choices.push(n);
            }
        }
        choices.shuffle(&mut rng);
        (Some(correct), choices)
    } else {
        (None, vec![])
    };
    let tx = PushTransaction {
        id: format!("v2mst.{}", ids::token("", 22)),
        user_id: user.id.clone(),
        factor_id: factor.id.clone(),
        created: now,
        expires_at: now + PUSH_VERIFY_LIFETIME,
        outcome: PushOutcome::Waiting,
        correct_answer: correct,
        choices,
        client,
    };
    lock(&org.pushes).insert(tx.id.clone(), tx.clone());
    tx
}

/// The transaction's state now; a waiting one past its expiry has timed out.
pub fn push_state(org: &Org, tx: &PushTransaction) -> &'static str {
    match tx.outcome {
        PushOutcome::Approved => "SUCCESS",
        PushOutcome::Rejected => "REJECTED",
        PushOutcome::Cancelled => "CANCELLED",
        PushOutcome::Waiting if tx.expires_at <= org.now() => "TIMEOUT",
        PushOutcome::Waiting => "WAITING",
    }
}

pub fn push_transaction(org: &Org, id: &str) -> Option<PushTransaction> {
    lock(&org.pushes).get(id).cloned()
}

/// The `tokenLifetimeSeconds` query parameter (1–86400, default 300).
pub fn code_lifetime(raw: &Option<String>) -> ApiResult<Duration> {
    match raw {
        None => Ok(DEFAULT_CODE_LIFETIME),
        Some(v) => match v.parse::<i64>() {
            Ok(n) if (1..=86_400).contains(&n) => Ok(Duration::seconds(n)),
            _ => Err(ApiError::validation(
                "tokenLifetimeSeconds",
                "tokenLifetimeSeconds must be between 1 and 86400",
            )),
        },
    }
}

/// Normalizes a phone as Okta accepts it (`+1-555-415-1337` → `+15554151337`) and checks it
/// is E.164 (`^\+[1-9]\d{1,14}$`). Anything else: 400 E0000098.
pub fn normalize_phone(raw: &str) -> ApiResult<String> {
    let cleaned: String = raw
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '(' | ')' | '.'))
        .collect();
    let valid = cleaned.len() >= 3
        && cleaned.len() <= 16
        && cleaned.starts_with('+')
        && cleaned[1..].chars().all(|c| c.is_ascii_digit())
        && !cleaned[1..].starts_with('0');
    if valid {
        Ok(cleaned)
    } else {
        Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "E0000098",
            "This phone number is invalid.",
        )
        .cause("Invalid Phone Number."))
    }
}

/// When the next expiry of `t` falls, for `X-Rate-Limit-Reset`-style answers.
pub fn epoch(t: OffsetDateTime) -> i64 {
    t.unix_timestamp()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_are_normalized_to_e164_or_refused() {
        assert_eq!(normalize_phone("+1-555-415-1337").unwrap(), "+15554151337");
        assert_eq!(
            normalize_phone("+44 20 7946 0958").unwrap(),
            "+442079460958"
        );
        assert_eq!(normalize_phone("4155551337").unwrap_err().code, "E0000098");
        assert_eq!(normalize_phone("+0123").unwrap_err().code, "E0000098");
        assert_eq!(
            normalize_phone("+1234567890123456").unwrap_err().code,
            "E0000098"
        );
    }

    #[test]
    fn messages_follow_the_language() {
        let (_, fr) = message_text(Kind::Sms, "123456", Purpose::Verification, Some("fr-CA"));
        assert!(fr.contains("Votre code") && fr.contains("123456"));
        let (_, en) = message_text(Kind::Sms, "123456", Purpose::Verification, None);
        assert!(en.contains("verification code is 123456"));
    }
}
