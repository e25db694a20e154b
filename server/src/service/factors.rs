//! Okta factors as Keyport shows them: the kind, a name, masked identifiers.

use crate::okta::types::{AuthnFactor, FactorProfile, FactorProvider, FactorType, UserFactor};
use app::model::auth::{FactorChoice, MethodKind};

/// The kind of method a factor is; `None` for factors Keyport cannot verify or show
/// (FastPass `signed_nonce`, U2F, vendor tokens it does not drive).
pub fn method_kind(factor_type: &FactorType, provider: &FactorProvider) -> Option<MethodKind> {
    Some(match (factor_type, provider) {
        (FactorType::Push, _) => MethodKind::OktaVerify,
        (FactorType::TokenSoftwareTotp, FactorProvider::Google) => MethodKind::AuthenticatorApp,
        (FactorType::TokenSoftwareTotp, _) => MethodKind::OktaVerifyCode,
        (FactorType::Sms, _) => MethodKind::Sms,
        (FactorType::Call, _) => MethodKind::Voice,
        (FactorType::Email, _) => MethodKind::Email,
        (FactorType::Question, _) => MethodKind::SecurityQuestion,
        (FactorType::Webauthn, _) => MethodKind::SecurityKey,
        (FactorType::TokenHotp, _) => MethodKind::HardwareToken,
        _ => return None,
    })
}

/// Masks a phone number, keeping the country code and the last four digits:
/// `+14155550134` → `+1 XXX-XXX-0134`. Already-masked numbers (Authn answers) pass through.
pub fn mask_phone(phone: &str) -> String {
    if phone.contains('X') {
        return phone.to_string();
    }
    let digits: String = phone.chars().filter(|c| c.is_ascii_digit()).collect();
    if digits.len() < 7 {
        return "••••".to_string();
    }
    let last4 = &digits[digits.len() - 4..];
    let country = if digits.starts_with('1') {
        1
    } else {
        (digits.len() - 10).clamp(1, 3)
    };
    format!("+{} XXX-XXX-{last4}", &digits[..country])
}

/// Masks an email, keeping its first and last character and the domain: `o…e@example.com`.
pub fn mask_email(email: &str) -> String {
    if email.contains("...") || email.contains('…') {
        return email.to_string();
    }
    match email.split_once('@') {
        Some((local, domain)) if local.chars().count() > 2 => {
            let first = local.chars().next().unwrap_or('•');
            let last = local.chars().last().unwrap_or('•');
            format!("{first}…{last}@{domain}")
        }
        Some((_, domain)) => format!("…@{domain}"),
        None => "…".to_string(),
    }
}

/// The name shown for a factor.
pub fn label(kind: MethodKind, profile: &FactorProfile, vendor: Option<&str>) -> String {
    match kind {
        MethodKind::OktaVerify => profile.name.clone().unwrap_or_else(|| "Okta Verify".into()),
        MethodKind::OktaVerifyCode => "6-digit code in the app".into(),
        MethodKind::AuthenticatorApp => "Google Authenticator".into(),
        MethodKind::Sms | MethodKind::Voice => profile
            .phone_number
            .as_deref()
            .map(mask_phone)
            .unwrap_or_else(|| "Phone".into()),
        MethodKind::Email => profile
            .email
            .as_deref()
            .map(mask_email)
            .unwrap_or_else(|| "Email".into()),
        MethodKind::SecurityQuestion => profile
            .question_text
            .clone()
            .unwrap_or_else(|| "Security question".into()),
        MethodKind::SecurityKey => profile
            .authenticator_name
            .clone()
            .unwrap_or_else(|| "Security key".into()),
        MethodKind::HardwareToken => vendor
            .map(str::to_string)
            .unwrap_or_else(|| "Hardware token".into()),
        MethodKind::Password => "Password".into(),
    }
}

/// An Authn factor as a choice, if Keyport can drive it.
pub fn choice_from_authn(f: &AuthnFactor) -> Option<FactorChoice> {
    let kind = method_kind(&f.factor_type, &f.provider)?;
    Some(FactorChoice {
        id: f.id.clone()?,
        kind,
        label: label(kind, &f.profile, f.vendor_name.as_deref()),
    })
}

/// An active factor as a choice, if Keyport can drive it.
pub fn choice_from_factor(f: &UserFactor) -> Option<FactorChoice> {
    let kind = method_kind(&f.factor_type, &f.provider)?;
    Some(FactorChoice {
        id: f.id.clone(),
        kind,
        label: label(kind, &f.profile, f.vendor_name.as_deref()),
    })
}

/// The order methods are offered in: the quickest and safest first.
pub fn preference(kind: MethodKind) -> u8 {
    match kind {
        MethodKind::OktaVerify => 0,
        MethodKind::SecurityKey => 1,
        MethodKind::OktaVerifyCode => 2,
        MethodKind::AuthenticatorApp => 3,
        MethodKind::HardwareToken => 4,
        MethodKind::Sms => 5,
        MethodKind::Voice => 6,
        MethodKind::Email => 7,
        MethodKind::SecurityQuestion => 8,
        MethodKind::Password => 9,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks() {
        assert_eq!(mask_phone("+14155550134"), "+1 XXX-XXX-0134");
        assert_eq!(mask_phone("+1 XXX-XXX-0134"), "+1 XXX-XXX-0134");
        assert_eq!(mask_phone("+442079460958"), "+44 XXX-XXX-0958");
        assert_eq!(mask_email("olivia.oie@example.com"), "o…e@example.com");
    }
}
