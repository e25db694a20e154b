//! Okta's JSON shapes, field for field (API-NOTES §1.1, §3, §4, §6; examples under
//! `shared/okta/examples/`). Every response body the sandbox sends is built here.

use super::clock::okta_time;
use super::model::*;
use super::state::Org;
use serde_json::{json, Map, Value};

/// A HAL link with its allowed methods.
pub fn link(href: String, allow: &[&str]) -> Value {
    json!({ "href": href, "hints": { "allow": allow } })
}

/// A named HAL link (members of `resend[]` and `send[]`).
pub fn named_link(name: &str, href: String, allow: &[&str]) -> Value {
    json!({ "name": name, "href": href, "hints": { "allow": allow } })
}

pub fn user_href(base: &str, user_id: &str) -> String {
    format!("{base}/api/v1/users/{user_id}")
}

pub fn factor_href(base: &str, user_id: &str, factor_id: &str) -> String {
    format!("{base}/api/v1/users/{user_id}/factors/{factor_id}")
}

fn insert_opt(map: &mut Map<String, Value>, key: &str, value: &Option<String>) {
    if let Some(v) = value {
        map.insert(key.to_string(), Value::String(v.clone()));
    }
}

/// Masks a phone for Authn and OIE answers: `+1 XXX-XXX-1337` (API-NOTES §1.1).
pub fn mask_phone(e164: &str) -> String {
    let digits: String = e164.chars().filter(|c| c.is_ascii_digit()).collect();
    if digits.len() < 5 {
        return "XXX".to_string();
    }
    let last4 = &digits[digits.len() - 4..];
    // North American numbers keep their country code; others show theirs too.
    let country_len = if digits.starts_with('1') {
        1
    } else {
        digits.len().saturating_sub(10).clamp(1, 3)
    };
    format!("+{} XXX-XXX-{last4}", &digits[..country_len])
}

/// Masks an email: `j***e@example.com`.
pub fn mask_email(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) if local.chars().count() > 1 => {
            let first = local.chars().next().unwrap_or('x');
            let last = local.chars().last().unwrap_or('x');
            format!("{first}...{last}@{domain}")
        }
        Some((_, domain)) => format!("...@{domain}"),
        None => "...".to_string(),
    }
}

/// The factor's `profile`, as the Factors API shows it.
pub fn factor_profile(f: &Factor) -> Option<Value> {
    let p = &f.profile;
    let mut m = Map::new();
    match f.kind {
        Kind::Sms => insert_opt(&mut m, "phoneNumber", &p.phone_number),
        Kind::Call => {
            insert_opt(&mut m, "phoneNumber", &p.phone_number);
            insert_opt(&mut m, "phoneExtension", &p.phone_extension);
        }
        Kind::Email => insert_opt(&mut m, "email", &p.email),
        Kind::Question => {
            insert_opt(&mut m, "question", &p.question);
            if let Some(q) = &p.question {
                m.insert("questionText".into(), json!(question_text(q)));
            }
        }
        Kind::Push => {
            insert_opt(&mut m, "credentialId", &p.credential_id);
            if f.status == FactorStatus::Active {
                insert_opt(&mut m, "deviceType", &p.device_type);
                insert_opt(&mut m, "name", &p.device_name);
                insert_opt(&mut m, "platform", &p.platform);
                insert_opt(&mut m, "version", &p.version);
            }
        }
        Kind::OktaTotp | Kind::GoogleTotp | Kind::SignedNonce => {
            insert_opt(&mut m, "credentialId", &p.credential_id)
        }
        Kind::WebAuthn => {
            insert_opt(&mut m, "credentialId", &p.credential_id);
            insert_opt(&mut m, "authenticatorName", &p.authenticator_name);
        }
        Kind::U2f => {
            insert_opt(&mut m, "credentialId", &p.credential_id);
            if p.credential_id.is_some() {
                m.insert("version".into(), json!("U2F_V2"));
            }
        }
        Kind::Hotp => {}
    }
    (!m.is_empty()).then_some(Value::Object(m))
}

/// `vendorName`: the provider, except custom TOTP, which shows its factor profile's name.
pub fn vendor_name(f: &Factor) -> String {
    match f.kind {
        Kind::Hotp => "Custom TOTP".to_string(),
        k => k.provider().to_string(),
    }
}

/// A factor as `GET /users/{id}/factors/{fid}` shows it, including the activation data of a
/// pending one (API-NOTES §1.2).
pub fn factor(org: &Org, base: &str, user: &User, f: &Factor) -> Value {
    let href = factor_href(base, &user.id, &f.id);
    let mut links = Map::new();
    match f.status {
        FactorStatus::PendingActivation => {
            if f.kind == Kind::Push {
                links.insert(
                    "poll".into(),
                    link(format!("{href}/lifecycle/activate/poll"), &["POST"]),
                );
            } else {
                links.insert(
                    "activate".into(),
                    link(format!("{href}/lifecycle/activate"), &["POST"]),
                );
            }
            if f.kind.sends_code() {
                links.insert(
                    "resend".into(),
                    json!([named_link(
                        f.kind.factor_type(),
                        format!("{href}/resend"),
                        &["POST"]
                    )]),
                );
            }
            links.insert("self".into(), link(href.clone(), &["GET"]));
        }
        FactorStatus::Active => {
            if f.kind == Kind::Question {
                links.insert(
                    "questions".into(),
                    link(
                        format!("{}/factors/questions", user_href(base, &user.id)),
                        &["GET"],
                    ),
                );
            } else {
                links.insert("verify".into(), link(format!("{href}/verify"), &["POST"]));
            }
            links.insert("self".into(), link(href.clone(), &["GET", "DELETE"]));
        }
    }
    links.insert("user".into(), link(user_href(base, &user.id), &["GET"]));

    let mut out = json!({
        "id": f.id,
        "factorType": f.kind.factor_type(),
        "provider": f.kind.provider(),
        "vendorName": vendor_name(f),
        "status": f.status.wire(),
        "created": okta_time(f.created),
        "lastUpdated": okta_time(f.last_updated),
    });
    if let Some(profile) = factor_profile(f) {
        out["profile"] = profile;
    }
    if let Some(fp) = &f.factor_profile_id {
        out["factorProfileId"] = json!(fp);
    }
    out["_links"] = Value::Object(links);
    if let Some(embedded) = activation_embedded(org, base, user, f) {
        out["_embedded"] = embedded;
    }
    out
}

/// `_embedded` of a pending factor: what the client needs to finish the enrollment.
fn activation_embedded(org: &Org, base: &str, user: &User, f: &Factor) -> Option<Value> {
    if f.status != FactorStatus::PendingActivation {
        return None;
    }
    let pending = f.pending.as_ref()?;
    let href = factor_href(base, &user.id, &f.id);
    match f.kind {
        Kind::Push => {
            let token = pending.activation_token.clone().unwrap_or_default();
            Some(json!({ "activation": push_activation(pending, &href, &token) }))
        }
        Kind::OktaTotp | Kind::GoogleTotp => {
            let secret = f.secret.clone().unwrap_or_default();
            let qr =
                json!({ "href": format!("{href}/qr/{}", qr_token(&f.id)), "type": "image/png" });
            // Okta's own examples put the TOTP QR link in two places (API-NOTES §1.2 CONFLICT):
            // OKTA TOTP at `_embedded._links`, GOOGLE at `_embedded.activation._links`.
            let mut activation = json!({
                "timeStep": 30,
                "sharedSecret": secret,
                "encoding": "base32",
                "keyLength": 6,
            });
            if f.kind == Kind::GoogleTotp {
                activation["_links"] = json!({ "qrcode": qr });
                Some(json!({ "activation": activation }))
            } else {
                Some(json!({ "activation": activation, "_links": { "qrcode": qr } }))
            }
        }
        Kind::WebAuthn => {
            let options: Value =
                serde_json::from_str(pending.challenge.as_deref().unwrap_or("null")).ok()?;
            let _ = org;
            Some(json!({ "activation": options }))
        }
        Kind::U2f => Some(json!({
            "activation": {
                "version": "U2F_V2",
                "nonce": pending.challenge.clone().unwrap_or_default(),
                "timeoutSeconds": 20,
            }
        })),
        _ => None,
    }
}

/// The push activation object: `{expiresAt, factorResult: WAITING, _links{send[], qrcode}}`.
pub fn push_activation(pending: &Pending, factor_href: &str, token: &str) -> Value {
    json!({
        "expiresAt": pending.expires_at.map(okta_time),
        "factorResult": "WAITING",
        "_links": {
            "send": [
                named_link("email", format!("{factor_href}/lifecycle/activate/email"), &["POST"]),
                named_link("sms", format!("{factor_href}/lifecycle/activate/sms"), &["POST"]),
            ],
            "qrcode": {
                "href": format!("{factor_href}/qr/{token}"),
                "type": "image/png",
            }
        }
    })
}

/// The token in a TOTP factor's QR link: stable per factor, opaque.
pub fn qr_token(factor_id: &str) -> String {
    use base64::Engine;
    format!(
        "00{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(factor_id.as_bytes())
    )
}

/// Okta's security questions (a subset of its catalog, same keys and texts).
pub const QUESTIONS: &[(&str, &str)] = &[
    (
        "disliked_food",
        "What is the food you least liked as a child?",
    ),
    (
        "name_of_first_plush_toy",
        "What is the name of your first stuffed animal?",
    ),
    (
        "first_award",
        "What did you earn your first medal or award for?",
    ),
    (
        "favorite_security_question",
        "What is your favorite security question?",
    ),
    (
        "favorite_toy",
        "What is the toy/stuffed animal you liked the most as a kid?",
    ),
    (
        "first_computer_game",
        "What was the first computer game you played?",
    ),
    ("favorite_movie_quote", "What is your favorite movie quote?"),
    (
        "first_sports_team_mascot",
        "What was the mascot of the first sports team you played on?",
    ),
    (
        "first_music_purchase",
        "What music album or song did you first purchase?",
    ),
    ("favorite_art_piece", "What is your favorite piece of art?"),
    (
        "grandmother_favorite_desert",
        "What was your grandmother's favorite dessert?",
    ),
    (
        "first_thing_cooked",
        "What was the first thing you learned to cook?",
    ),
    ("childhood_dream_job", "What was your dream job as a child?"),
    ("first_kiss_location", "Where did you have your first kiss?"),
    (
        "place_where_significant_other_was_met",
        "Where did you meet your spouse/significant other?",
    ),
    (
        "favorite_vacation_location",
        "Where did you go for your favorite vacation?",
    ),
    (
        "new_years_two_thousand",
        "Where were you on New Year's Eve in the year 2000?",
    ),
    (
        "favorite_speaker_actor",
        "Who is your favorite speaker/orator?",
    ),
    (
        "favorite_book_movie_character",
        "Who is your favorite book/movie character?",
    ),
    (
        "favorite_sports_player",
        "Who is your favorite sports player?",
    ),
];

pub fn question_text(key: &str) -> String {
    QUESTIONS
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, t)| t.to_string())
        .unwrap_or_else(|| key.to_string())
}

/// The sandbox's one user type (`type.id` of every user).
pub const USER_TYPE_ID: &str = "oty1sandbox0default0";

/// A user as the Users API shows it (API-NOTES §6).
pub fn user(base: &str, u: &User) -> Value {
    let href = user_href(base, &u.id);
    json!({
        "id": u.id,
        "status": u.status.wire(),
        "created": okta_time(u.created),
        "activated": u.activated.map(okta_time),
        "statusChanged": u.status_changed.map(okta_time),
        "lastLogin": u.last_login.map(okta_time),
        "lastUpdated": okta_time(u.last_updated),
        "passwordChanged": u.password_changed.map(okta_time),
        "type": { "id": USER_TYPE_ID },
        "profile": u.profile,
        "credentials": {
            "password": {},
            "provider": { "type": "OKTA", "name": "OKTA" }
        },
        "_links": {
            "self": { "href": href },
            "changePassword": { "href": format!("{href}/credentials/change_password"), "method": "POST" },
            "resetFactors": { "href": format!("{href}/lifecycle/reset_factors"), "method": "POST" },
        }
    })
}

/// The embedded user of Authn transactions.
pub fn authn_user(u: &User) -> Value {
    json!({
        "id": u.id,
        "passwordChanged": u.password_changed.map(okta_time),
        "profile": {
            "login": u.login(),
            "firstName": u.profile_str("firstName"),
            "lastName": u.profile_str("lastName"),
            "locale": u.profile_str("locale").unwrap_or("en_US"),
            "timeZone": u.profile_str("timezone").unwrap_or("America/Los_Angeles"),
        }
    })
}

pub fn group(g: &Group) -> Value {
    json!({
        "id": g.id,
        "created": okta_time(g.created),
        "lastUpdated": okta_time(g.created),
        "lastMembershipUpdated": okta_time(g.created),
        "objectClass": ["okta:user_group"],
        "type": "OKTA_GROUP",
        "profile": { "name": g.name, "description": g.description },
    })
}

/// An authenticator with `_links` by status (API-NOTES §4), shaped like the
/// authenticators-*.json examples:
/// - `settings` only where the spec's per-key schema has them: `okta_email` (`allowedFor`,
///   `tokenLifetimeInMinutes`), `phone_number` (`allowedFor`), `okta_verify` (channel binding,
///   compliance, user verification). None for password, webauthn, OTP apps, and
///   security_question, whose example has none (and whose `self` allows GET only).
/// - `provider` for `tac`: its TTL and code configuration ([SPEC] AuthenticatorKeyTac).
/// - `_links`: `deactivate` when active (never for the password), `activate` when inactive.
pub fn authenticator(base: &str, a: &Authenticator) -> Value {
    let href = format!("{base}/api/v1/authenticators/{}", a.id);
    let self_allow: &[&str] = if a.key == "security_question" {
        &["GET"]
    } else {
        &["GET", "PUT"]
    };
    let mut links = json!({
        "self": link(href.clone(), self_allow),
        "methods": link(format!("{href}/methods"), &["GET"]),
    });
    // The password is never offered for deactivation (authenticators-list.json: its links
    // are `self` and `methods` only).
    if a.active && a.key != "okta_password" {
        links["deactivate"] = link(format!("{href}/lifecycle/deactivate"), &["POST"]);
    } else if !a.active {
        links["activate"] = link(format!("{href}/lifecycle/activate"), &["POST"]);
    }
    if a.key == "webauthn" {
        links["aaguids"] = link(format!("{href}/aaguids"), &["GET", "POST"]);
    }
    let mut out = json!({
        "id": a.id,
        "key": a.key,
        "type": a.kind,
        "name": a.name,
        "status": if a.active { "ACTIVE" } else { "INACTIVE" },
        "created": okta_time(a.created),
        "lastUpdated": okta_time(a.last_updated),
        "_links": links,
    });
    match a.key {
        "okta_email" => {
            out["settings"] = json!({ "allowedFor": a.allowed_for, "tokenLifetimeInMinutes": 5 })
        }
        "phone_number" => out["settings"] = json!({ "allowedFor": a.allowed_for }),
        "okta_verify" => {
            out["settings"] = json!({
                "channelBinding": { "style": "NUMBER_CHALLENGE", "required": "HIGH_RISK_ONLY" },
                "userVerification": "PREFERRED",
                "compliance": { "fips": "OPTIONAL" },
            })
        }
        "tac" => {
            out["provider"] = json!({
                "type": "tac",
                "configuration": {
                    "minTtl": TAC_MIN_TTL_MINUTES,
                    "maxTtl": TAC_MAX_TTL_MINUTES,
                    "defaultTtl": TAC_DEFAULT_TTL_MINUTES,
                    "length": TAC_LENGTH,
                    "complexity": { "numbers": true, "letters": true, "specialCharacters": true },
                    "multiUseAllowed": true,
                }
            })
        }
        _ => {}
    }
    out
}

/// The org's temporary access code settings ([SPEC] AuthenticatorKeyTac: TTLs in minutes,
/// 10–14400, default 120; at least 8 characters).
pub const TAC_MIN_TTL_MINUTES: u32 = 10;
pub const TAC_MAX_TTL_MINUTES: u32 = 14_400;
pub const TAC_DEFAULT_TTL_MINUTES: u32 = 120;
pub const TAC_LENGTH: usize = 8;

/// An authenticator method (authenticators-methods-phone.json, authenticators-method-
/// webauthn.json). Only authenticators with several methods (phone, Okta Verify) offer method
/// lifecycle links: the webauthn example, a single-method authenticator, has `self` alone.
pub fn authenticator_method(base: &str, a: &Authenticator, method: &str, active: bool) -> Value {
    let href = format!("{base}/api/v1/authenticators/{}/methods/{method}", a.id);
    let mut links = json!({ "self": link(href.clone(), &["GET", "PUT"]) });
    if a.methods.len() > 1 {
        if active {
            links["deactivate"] = link(format!("{href}/lifecycle/deactivate"), &["POST"]);
        } else {
            links["activate"] = link(format!("{href}/lifecycle/activate"), &["POST"]);
        }
    }
    let mut out = json!({
        "type": method,
        "status": if active { "ACTIVE" } else { "INACTIVE" },
        "_links": links,
    });
    if method == "webauthn" {
        out["settings"] = json!({ "userVerification": "DISCOURAGED", "attachment": "ANY" });
    }
    out
}

/// A System Log event (the `LogEvent` schema's fields Keyport reads).
pub fn log_event(e: &LogEvent) -> Value {
    json!({
        "uuid": e.uuid,
        "published": okta_time(e.published),
        "eventType": e.event_type,
        "version": "0",
        "severity": e.severity,
        "displayMessage": e.display_message,
        "legacyEventType": null,
        "actor": {
            "id": e.actor_id,
            "type": e.actor_type,
            "alternateId": e.actor_alternate_id,
            "displayName": e.actor_display_name,
            "detailEntry": null,
        },
        "client": {
            "ipAddress": e.client_ip,
            "userAgent": { "rawUserAgent": e.user_agent, "os": null, "browser": null },
            "zone": "null",
            "device": null,
            "id": null,
            "geographicalContext": null,
        },
        "outcome": { "result": e.outcome, "reason": e.reason },
        "target": e.target.iter().map(|t| json!({
            "id": t.id,
            "type": t.kind,
            "alternateId": t.alternate_id,
            "displayName": t.display_name,
            "detailEntry": null,
        })).collect::<Vec<_>>(),
        "transaction": { "type": "WEB", "id": e.uuid, "detail": {} },
        "debugContext": { "debugData": {} },
        "authenticationContext": {
            "authenticationProvider": null,
            "credentialProvider": null,
            "credentialType": null,
            "issuer": null,
            "externalSessionId": null,
            "interface": null,
        },
        "securityContext": { "asNumber": null, "asOrg": null, "isp": null, "domain": null, "isProxy": null },
        "request": { "ipChain": [] },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_and_emails_are_masked_like_okta() {
        assert_eq!(mask_phone("+14155551337"), "+1 XXX-XXX-1337");
        assert_eq!(mask_phone("+442079460958"), "+44 XXX-XXX-0958");
        assert_eq!(mask_email("joe@example.com"), "j...e@example.com");
    }
}
