//! QR codes, drawn by Keyport from the activation data (the browser never loads Okta's QR
//! image). What the codes encode follows API-NOTES §2:
//! - Okta Verify, Identity Engine: `oktaverify://{login}/?t={token}&f={authenticatorId}&s={org}&issuer={host}&isIdxEnabled=true`
//! - Okta Verify, Classic: `otpauth://totp/{host}:{login}?issuer={host}&t={token}&f={factorId}&s={org}&touchIdRequired=false`
//! - Authenticator apps: `otpauth://totp/{host}:{login}?secret={BASE32}&issuer={host}`
//!
//! The activation token `t` is the last path segment of the factor's `qrcode` link. Whether
//! `f` must be the authenticator id or the factor id in Identity Engine is unconfirmed; Keyport
//! sends the authenticator id there, as Okta's own Identity Engine QR codes do.

use url::Url;

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

fn host(org: &Url) -> String {
    match (org.host_str(), org.port()) {
        (Some(h), Some(p)) => format!("{h}:{p}"),
        (Some(h), None) => h.to_string(),
        _ => String::new(),
    }
}

fn origin(org: &Url) -> String {
    org.origin().ascii_serialization()
}

/// The activation token in a `qrcode` link (`…/qr/{token}`).
pub fn activation_token(qrcode_href: &str) -> Option<String> {
    let url = Url::parse(qrcode_href).ok()?;
    url.path_segments()?
        .next_back()
        .filter(|t| !t.is_empty())
        .map(str::to_string)
}

/// Identity Engine's Okta Verify activation link.
pub fn okta_verify_idx(org: &Url, login: &str, token: &str, authenticator_id: &str) -> String {
    format!(
        "oktaverify://{login}/?t={token}&f={authenticator_id}&s={}&issuer={}&isIdxEnabled=true",
        enc(&origin(org)),
        enc(&host(org))
    )
}

/// Classic's Okta Verify activation link.
pub fn okta_verify_classic(org: &Url, login: &str, token: &str, factor_id: &str) -> String {
    let h = host(org);
    format!(
        "otpauth://totp/{}:{}?issuer={}&t={token}&f={factor_id}&s={}&touchIdRequired=false",
        enc(&h),
        enc(login),
        enc(&h),
        enc(&origin(org))
    )
}

/// A standard authenticator-app URI (SHA1, 6 digits, 30 s are the defaults).
pub fn otpauth(org: &Url, login: &str, secret: &str) -> String {
    let h = host(org);
    format!(
        "otpauth://totp/{}:{}?secret={secret}&issuer={}",
        enc(&h),
        enc(login),
        enc(&h)
    )
}

/// The QR code as SVG markup (no script, no style attribute: safe to inline under the CSP).
pub fn svg(payload: &str) -> Result<String, String> {
    let code = qrcode::QrCode::with_error_correction_level(payload.as_bytes(), qrcode::EcLevel::M)
        .map_err(|e| e.to_string())?;
    let svg = code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(220, 220)
        .quiet_zone(true)
        .dark_color(qrcode::render::svg::Color("#000000"))
        .light_color(qrcode::render::svg::Color("#ffffff"))
        .build();
    // Drop the XML declaration: the markup goes inside HTML.
    let start = svg.find("<svg").unwrap_or(0);
    Ok(svg[start..].replacen("<svg", "<svg role=\"img\" aria-label=\"QR code\"", 1))
}

/// A base32 secret in groups of four, for typing by hand.
pub fn groups_of_four(secret: &str) -> Vec<String> {
    let clean: Vec<char> = secret.chars().filter(|c| !c.is_whitespace()).collect();
    clean.chunks(4).map(|c| c.iter().collect()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_follow_the_notes() {
        let org = Url::parse("https://acme.okta.com").unwrap();
        assert_eq!(
            okta_verify_idx(&org, "a@b.com", "00tok", "aut1"),
            "oktaverify://a@b.com/?t=00tok&f=aut1&s=https%3A%2F%2Facme.okta.com&issuer=acme.okta.com&isIdxEnabled=true"
        );
        assert_eq!(
            okta_verify_classic(&org, "a@b.com", "00tok", "opf1"),
            "otpauth://totp/acme.okta.com:a%40b.com?issuer=acme.okta.com&t=00tok&f=opf1&s=https%3A%2F%2Facme.okta.com&touchIdRequired=false"
        );
        assert_eq!(
            otpauth(&org, "dan.peterson@oneidentity.com", "453T5PHSNTYJ4YEK"),
            "otpauth://totp/acme.okta.com:dan.peterson%40oneidentity.com?secret=453T5PHSNTYJ4YEK&issuer=acme.okta.com"
        );
        assert_eq!(
            activation_token("https://acme.okta.com/api/v1/users/u/factors/f/qr/00abc").as_deref(),
            Some("00abc")
        );
    }

    #[test]
    fn svg_is_inline_safe() {
        let s = svg("otpauth://totp/x:y?secret=JBSWY3DPEHPK3PXP").unwrap();
        assert!(s.starts_with("<svg"));
        assert!(!s.contains("<script") && !s.contains("style="));
        assert_eq!(
            groups_of_four("JBSWY3DPEHPK3PXP"),
            vec!["JBSW", "Y3DP", "EHPK", "3PXP"]
        );
    }
}
