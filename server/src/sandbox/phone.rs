//! The virtual Okta Verify phone: it takes a QR payload and enrolls as the app would, shows
//! pending pushes and answers them (approve, deny, pick the number), and keeps authenticator-app
//! accounts scanned from `otpauth://` codes so a person can read their current codes.
//!
//! What Okta Verify's QR encodes is not documented; the payloads follow the community evidence
//! in API-NOTES §2: Identity Engine `oktaverify://{login}/?t=…&f={authenticatorId}&s=…`,
//! Classic `otpauth://totp/{host}:{login}?t=…&f={factorId}&s=…` (no secret), and standard
//! `otpauth://totp/…?secret=…` for authenticator apps.

use super::clock::okta_time;
use super::error::{ApiError, ApiResult};
use super::events;
use super::model::*;
use super::state::{lock, Org};
use super::totp;
use axum::http::StatusCode;
use serde::Serialize;
use std::sync::Mutex;
use url::Url;

/// The QR payload for a pending factor (push activation or TOTP).
pub fn qr_payload(org: &Org, base: &str, user: &User, f: &Factor, token: &str) -> String {
    let host = base
        .trim_start_matches("http://")
        .trim_start_matches("https://")
        .to_string();
    let login = user.login();
    let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    match f.kind {
        Kind::Push if org.pipeline == Pipeline::IdentityEngine => {
            let authenticator = org
                .authenticator_by_key("okta_verify")
                .map(|a| a.id)
                .unwrap_or_default();
            format!(
                "oktaverify://{login}/?t={token}&f={authenticator}&s={}&issuer={}&isIdxEnabled=true",
                enc(base),
                enc(&host)
            )
        }
        Kind::Push => format!(
            "otpauth://totp/{}:{}?issuer={}&t={token}&f={}&s={}&touchIdRequired=false",
            enc(&host),
            enc(login),
            enc(&host),
            f.id,
            enc(base)
        ),
        _ => format!(
            "otpauth://totp/{}:{}?secret={}&issuer={}",
            enc(&host),
            enc(login),
            f.secret.clone().unwrap_or_default(),
            enc(&host)
        ),
    }
}

/// A QR image (PNG, 4-module quiet zone, 6 px per module) of `payload`.
pub fn qr_png(payload: &str) -> Result<Vec<u8>, String> {
    let code = qrcode::QrCode::new(payload.as_bytes()).map_err(|e| e.to_string())?;
    let width = code.width();
    let colors = code.to_colors();
    const SCALE: usize = 6;
    const QUIET: usize = 4;
    let side = (width + 2 * QUIET) * SCALE;
    let mut pixels = vec![255u8; side * side];
    for (i, c) in colors.iter().enumerate() {
        if *c == qrcode::Color::Dark {
            let (mx, my) = (i % width + QUIET, i / width + QUIET);
            for dy in 0..SCALE {
                let row = (my * SCALE + dy) * side;
                pixels[row + mx * SCALE..row + mx * SCALE + SCALE].fill(0);
            }
        }
    }
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, side as u32, side as u32);
        enc.set_color(png::ColorType::Grayscale);
        enc.set_depth(png::BitDepth::Eight);
        let mut writer = enc.write_header().map_err(|e| e.to_string())?;
        writer
            .write_image_data(&pixels)
            .map_err(|e| e.to_string())?;
    }
    Ok(out)
}

/// What the phone learned from a scanned payload.
#[derive(Debug, PartialEq, Eq)]
pub enum Payload {
    /// Okta Verify activation: the one-time token.
    OktaVerify { token: String },
    /// An authenticator-app account: label and base32 secret.
    Totp { label: String, secret: String },
}

/// Reads a QR payload (either Okta Verify form, or a standard `otpauth://` with a secret).
pub fn parse_payload(raw: &str) -> Option<Payload> {
    let url = Url::parse(raw.trim()).ok()?;
    let param = |name: &str| {
        url.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.to_string())
    };
    match url.scheme() {
        "oktaverify" => param("t").map(|token| Payload::OktaVerify { token }),
        "otpauth" => {
            if let Some(secret) = param("secret") {
                let label = url.path().trim_start_matches('/');
                let label = percent_decode(label);
                Some(Payload::Totp { label, secret })
            } else {
                param("t").map(|token| Payload::OktaVerify { token })
            }
        }
        _ => None,
    }
}

fn percent_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("x={s}").as_bytes())
        .next()
        .map(|(_, v)| v.to_string())
        .unwrap_or_else(|| s.to_string())
}

/// An authenticator-app account on the virtual phone.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppAccount {
    pub label: String,
    #[serde(skip)]
    pub secret: String,
}

/// The phone's own state: authenticator-app accounts it has scanned.
#[derive(Default)]
pub struct Phone {
    pub accounts: Mutex<Vec<AppAccount>>,
}

/// The device the virtual phone presents when it enrolls.
#[derive(Clone, Debug)]
pub struct DeviceInfo {
    pub name: String,
    pub platform: String,
}

impl Default for DeviceInfo {
    fn default() -> Self {
        DeviceInfo {
            name: "Sandbox Phone".into(),
            platform: "IOS".into(),
        }
    }
}

fn device_profile(login: &str, device: &DeviceInfo) -> FactorProfile {
    let (device_type, version) = if device.platform.eq_ignore_ascii_case("ANDROID") {
        ("SmartPhone_Android", "14")
    } else {
        ("SmartPhone_IPhone", "17.4")
    };
    FactorProfile {
        credential_id: Some(login.to_string()),
        device_type: Some(device_type.into()),
        device_name: Some(device.name.clone()),
        platform: Some(device.platform.to_ascii_uppercase()),
        version: Some(version.into()),
        ..Default::default()
    }
}

/// Adds the Okta Verify TOTP (and in Identity Engine the FastPass `signed_nonce`) that come
/// with a push enrollment (API-NOTES §1 side effects).
fn companion_factors(org: &Org, user: &User, push_id: &str) -> Vec<Factor> {
    let now = org.now();
    let mk = |kind: Kind| Factor {
        id: super::ids::new_id(kind.id_prefix()),
        kind,
        status: FactorStatus::Active,
        created: now,
        last_updated: now,
        last_verified: None,
        profile: FactorProfile {
            credential_id: Some(user.login().to_string()),
            ..Default::default()
        },
        device: Some(push_id.to_string()),
        secret: (kind == Kind::OktaTotp).then(totp::new_secret),
        factor_profile_id: None,
        last_totp_step: None,
        answer: None,
        webauthn_credential: None,
        webauthn_auth_state: None,
        challenge: None,
        pending: None,
    };
    let mut out = vec![];
    // Classic keeps one factor per type: a separately enrolled Okta Verify TOTP stays alone.
    let has_okta_totp = user.factors.iter().any(|f| f.kind == Kind::OktaTotp);
    if org.pipeline == Pipeline::IdentityEngine || !has_okta_totp {
        out.push(mk(Kind::OktaTotp));
    }
    if org.pipeline == Pipeline::IdentityEngine {
        out.push(mk(Kind::SignedNonce));
    }
    out
}

/// Completes a push activation with the token from a QR payload or an activation link, as the
/// app does against `/idp/authenticators` with `Authorization: OTDT {t}`.
pub fn activate_with_token(
    org: &Org,
    token: &str,
    device: &DeviceInfo,
) -> ApiResult<(String, String)> {
    let (user_id, factor_id) = lock(&org.activation_tokens)
        .get(token)
        .cloned()
        .ok_or_else(ApiError::invalid_token)?;
    let cell = org
        .user_by_id(&user_id)
        .ok_or_else(ApiError::invalid_token)?;
    let mut user = lock(&cell);
    let now = org.now();
    let Some(index) = user.factors.iter().position(|f| f.id == factor_id) else {
        lock(&org.activation_tokens).remove(token);
        return Err(ApiError::invalid_token());
    };
    let pending = user.factors[index].pending.clone().unwrap_or_default();
    if user.factors[index].status != FactorStatus::PendingActivation
        || pending.activation_token.as_deref() != Some(token)
        || pending.expires_at.is_none_or(|t| t <= now)
    {
        // An expired `t` gives 401 (API-NOTES §2).
        return Err(ApiError::invalid_token());
    }
    lock(&org.activation_tokens).remove(token);
    let login = user.login().to_string();
    let f = &mut user.factors[index];
    f.status = FactorStatus::Active;
    f.pending = None;
    f.last_updated = now;
    f.profile = device_profile(&login, device);
    f.device = Some(factor_id.clone());
    let activated = f.clone();
    let companions = companion_factors(org, &user, &factor_id);
    user.factors.extend(companions);
    events::factor_activated(org, &events::Origin::default(), &user, &activated);
    Ok((user_id, factor_id))
}

/// Identity Engine: the user adds another Okta Verify device from the app itself (sign in to
/// Okta in the app), which the Factors API cannot do. Classic allows one Okta Verify.
pub fn add_device(org: &Org, login: &str, device: &DeviceInfo) -> ApiResult<String> {
    if org.pipeline != Pipeline::IdentityEngine {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "E0000001",
            "Api validation failed: Classic Engine orgs allow one Okta Verify enrollment per user.",
        ));
    }
    if !org.kind_enabled(Kind::Push) {
        return Err(ApiError::validation(
            "enroll",
            "Okta Verify is not enabled in this org.",
        ));
    }
    let cell = org
        .user(login)
        .ok_or_else(|| ApiError::not_found(login, "User"))?;
    let mut user = lock(&cell);
    let now = org.now();
    let id = super::ids::new_id("opf");
    let push = Factor {
        id: id.clone(),
        kind: Kind::Push,
        status: FactorStatus::Active,
        created: now,
        last_updated: now,
        last_verified: None,
        profile: device_profile(user.login(), device),
        device: Some(id.clone()),
        secret: None,
        factor_profile_id: None,
        last_totp_step: None,
        answer: None,
        webauthn_credential: None,
        webauthn_auth_state: None,
        challenge: None,
        pending: None,
    };
    let companions = companion_factors(org, &user, &id);
    user.factors.push(push.clone());
    user.factors.extend(companions);
    events::factor_activated(org, &events::Origin::default(), &user, &push);
    Ok(id)
}

/// A pending push as the phone shows it.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PendingPush {
    pub transaction_id: String,
    pub user_id: String,
    pub login: String,
    pub device_name: Option<String>,
    pub factor_id: String,
    /// Number matching: the numbers offered (one is right); empty without a challenge.
    pub choices: Vec<u8>,
    pub client: String,
    /// When the push was sent, so a view can show how much of its life is left.
    pub created_at: String,
    pub expires_at: String,
}

/// Waiting, unexpired pushes, oldest first.
pub fn pending_pushes(org: &Org) -> Vec<PendingPush> {
    let now = org.now();
    let mut txs: Vec<PushTransaction> = lock(&org.pushes)
        .values()
        .filter(|t| t.outcome == PushOutcome::Waiting && t.expires_at > now)
        .cloned()
        .collect();
    txs.sort_by_key(|t| t.created);
    txs.into_iter()
        .map(|t| {
            let (login, device_name) = org
                .user_by_id(&t.user_id)
                .map(|c| {
                    let u = lock(&c);
                    let name = u
                        .factor(&t.factor_id)
                        .and_then(|f| f.profile.device_name.clone());
                    (u.login().to_string(), name)
                })
                .unwrap_or_default();
            PendingPush {
                transaction_id: t.id,
                user_id: t.user_id,
                login,
                device_name,
                factor_id: t.factor_id,
                choices: t.choices,
                client: t.client,
                created_at: okta_time(t.created),
                expires_at: okta_time(t.expires_at),
            }
        })
        .collect()
}

/// Approves (with the number picked, when there is a challenge) or denies a push. Picking the
/// wrong number rejects it, as Okta Verify does.
pub fn answer_push(
    org: &Org,
    transaction_id: &str,
    approve: bool,
    number: Option<u8>,
) -> ApiResult<&'static str> {
    let now = org.now();
    let (user_id, factor_id, outcome) = {
        let mut pushes = lock(&org.pushes);
        let tx = pushes
            .get_mut(transaction_id)
            .filter(|t| t.outcome == PushOutcome::Waiting && t.expires_at > now)
            .ok_or_else(|| {
                ApiError::new(StatusCode::NOT_FOUND, "E0000191", "Verification timed out.")
            })?;
        let right_number = match tx.correct_answer {
            Some(correct) => number == Some(correct),
            None => true,
        };
        tx.outcome = if approve && right_number {
            PushOutcome::Approved
        } else {
            PushOutcome::Rejected
        };
        (tx.user_id.clone(), tx.factor_id.clone(), tx.outcome)
    };
    if let Some(cell) = org.user_by_id(&user_id) {
        let mut user = lock(&cell);
        if let Some(f) = user.factor_mut(&factor_id) {
            if outcome == PushOutcome::Approved {
                f.last_verified = Some(now);
            }
        }
        if let Some(f) = user.factor(&factor_id).cloned() {
            if outcome == PushOutcome::Approved {
                events::mfa_verified(org, &events::Origin::default(), &user, &f, true);
            } else {
                events::push_denied(org, &events::Origin::default(), &user, &f);
            }
        }
    }
    Ok(if outcome == PushOutcome::Approved {
        "SUCCESS"
    } else {
        "REJECTED"
    })
}

/// Okta Verify devices known to the org, with their current TOTP codes (what the phone shows).
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceView {
    pub user_id: String,
    pub login: String,
    pub factor_id: String,
    pub name: Option<String>,
    pub nickname: Option<String>,
    pub platform: Option<String>,
    pub code: Option<String>,
}

pub fn devices(org: &Org) -> Vec<DeviceView> {
    let now = org.now().unix_timestamp().max(0) as u64;
    let mut out = vec![];
    for cell in org.all_users() {
        let u = lock(&cell);
        for push in u.active_factors().filter(|f| f.kind == Kind::Push) {
            let code = u
                .active_factors()
                .find(|f| f.kind == Kind::OktaTotp && f.device == push.device)
                .and_then(|f| f.secret.as_deref())
                .and_then(|s| totp::code_at(s, totp::Encoding::Base32, now));
            out.push(DeviceView {
                user_id: u.id.clone(),
                login: u.login().to_string(),
                factor_id: push.id.clone(),
                name: push.profile.device_name.clone(),
                nickname: u.nicknames.get(&push.id).cloned(),
                platform: push.profile.platform.clone(),
                code,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_of_every_form_are_read() {
        assert_eq!(
            parse_payload("oktaverify://a%40b.com/?t=00abc&f=aut1&s=http%3A%2F%2Fx&issuer=x&isIdxEnabled=true"),
            Some(Payload::OktaVerify { token: "00abc".into() })
        );
        assert_eq!(
            parse_payload("otpauth://totp/x:a%40b.com?issuer=x&t=00def&f=opf1&s=http%3A%2F%2Fx&touchIdRequired=false"),
            Some(Payload::OktaVerify { token: "00def".into() })
        );
        assert_eq!(
            parse_payload(
                "otpauth://totp/x.okta.com:a%40b.com?secret=JBSWY3DPEHPK3PXP&issuer=x.okta.com"
            ),
            Some(Payload::Totp {
                label: "x.okta.com:a@b.com".into(),
                secret: "JBSWY3DPEHPK3PXP".into()
            })
        );
        assert_eq!(parse_payload("https://example.com"), None);
    }

    #[test]
    fn qr_images_are_png() {
        let png = qr_png("otpauth://totp/x:y?secret=JBSWY3DPEHPK3PXP").unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    }
}
