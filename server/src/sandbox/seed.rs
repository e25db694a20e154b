//! The seeded org, documented in the README. Ids and TOTP secrets are fixed so tests and people
//! can rely on them; `POST /sandbox/api/reset` restores exactly this.

use super::model::*;
use super::passwords;
use super::state::Seed;
use serde_json::json;
use std::collections::{BTreeMap, HashMap};
use time::{Duration, OffsetDateTime};

/// Every demo user's password.
pub const DEMO_PASSWORD: &str = "Keyport!Demo1";

pub const ADMIN_GROUP_ID: &str = "00g1keyportadmins000";
pub const ADMIN_GROUP_NAME: &str = "Keyport Admins";
pub const EVERYONE_GROUP_ID: &str = "00g1everyone00000000";

/// The seeded users' ids and logins.
pub mod users {
    pub const NORA: (&str, &str) = ("00u1nora0nofactors00", "nora.nofactors@example.com");
    pub const VICTOR: (&str, &str) = ("00u1victor0verify000", "victor.verify@example.com");
    pub const OLIVIA: (&str, &str) = ("00u1olivia0oie000000", "olivia.oie@example.com");
    pub const TINA: (&str, &str) = ("00u1tina0totp0000000", "tina.totp@example.com");
    pub const ADAM: (&str, &str) = ("00u1adam0admin000000", "adam.admin@example.com");
    pub const DANA: (&str, &str) = ("00u1dana0deactivated", "dana.deactivated@example.com");
    pub const LUKE: (&str, &str) = ("00u1luke0lockedout00", "luke.locked@example.com");
    pub const PAT: (&str, &str) = ("00u1pat0expired00000", "pat.expired@example.com");
}

/// Victor's Okta Verify TOTP secret (base32), so tests can compute his codes.
pub const VICTOR_TOTP_SECRET: &str = "KEYPORTVICTOROV2";
/// Tina's Google Authenticator secret (base32).
pub const TINA_TOTP_SECRET: &str = "KEYPORTTINATOTP7";
/// Olivia's devices' Okta Verify TOTP secrets.
pub const OLIVIA_IPHONE_TOTP_SECRET: &str = "KEYPORTOLIVIAIOS";
pub const OLIVIA_PIXEL_TOTP_SECRET: &str = "KEYPORTOLIVIAPXL";

/// The org's custom TOTP factor profile (help-desk hardware tokens).
pub const CUSTOM_TOTP_PROFILE_ID: &str = "fpr1keyport0hwtoken0";

fn at(days_ago: i64, now: OffsetDateTime) -> OffsetDateTime {
    now - Duration::days(days_ago)
}

fn profile(
    first: &str,
    last: &str,
    login: &str,
    extra: &[(&str, &str)],
) -> BTreeMap<String, serde_json::Value> {
    let mut p = BTreeMap::new();
    p.insert("login".into(), json!(login));
    p.insert("email".into(), json!(login));
    p.insert("firstName".into(), json!(first));
    p.insert("lastName".into(), json!(last));
    p.insert("displayName".into(), json!(format!("{first} {last}")));
    p.insert("locale".into(), json!("en_US"));
    p.insert("timezone".into(), json!("America/Los_Angeles"));
    p.insert("secondEmail".into(), serde_json::Value::Null);
    p.insert("mobilePhone".into(), serde_json::Value::Null);
    for (k, v) in extra {
        p.insert((*k).into(), json!(v));
    }
    p
}

fn user(
    (id, login): (&str, &str),
    first: &str,
    last: &str,
    status: UserStatus,
    now: OffsetDateTime,
    extra: &[(&str, &str)],
) -> User {
    let created = at(400, now);
    User {
        id: id.to_string(),
        status,
        created,
        activated: Some(created),
        status_changed: Some(at(30, now)),
        last_login: Some(at(2, now)),
        last_updated: at(30, now),
        password_changed: Some(at(90, now)),
        profile: profile(first, last, login, extra),
        password_hash: passwords::demo_hash(),
        password_history: vec![],
        failed_sign_ins: 0,
        group_ids: vec![EVERYONE_GROUP_ID.to_string()],
        factors: vec![],
        password_enrollment_id: format!("lae{}", &id[3..]),
        nicknames: HashMap::new(),
        tac: None,
        sessions: vec![],
    }
}

fn factor(id: &str, kind: Kind, created: OffsetDateTime) -> Factor {
    Factor {
        id: id.to_string(),
        kind,
        status: FactorStatus::Active,
        created,
        last_updated: created,
        last_verified: Some(created + Duration::days(1)),
        profile: FactorProfile::default(),
        device: None,
        secret: None,
        factor_profile_id: None,
        last_totp_step: None,
        answer: None,
        webauthn_credential: None,
        webauthn_auth_state: None,
        challenge: None,
        pending: None,
    }
}

/// An Okta Verify device: push plus its TOTP (and signed_nonce in OIE), as the app enrolls it.
fn okta_verify_device(
    pipeline: Pipeline,
    push_id: &str,
    login: &str,
    name: &str,
    platform: &str,
    secret: &str,
    created: OffsetDateTime,
) -> Vec<Factor> {
    let (device_type, version) = match platform {
        "IOS" => ("SmartPhone_IPhone", "17.4"),
        _ => ("SmartPhone_Android", "14"),
    };
    let mut push = factor(push_id, Kind::Push, created);
    push.profile = FactorProfile {
        credential_id: Some(login.into()),
        device_type: Some(device_type.into()),
        device_name: Some(name.into()),
        platform: Some(platform.into()),
        version: Some(version.into()),
        ..Default::default()
    };
    push.device = Some(push_id.into());
    let mut totp = factor(&format!("ost{}", &push_id[3..]), Kind::OktaTotp, created);
    totp.profile.credential_id = Some(login.into());
    totp.secret = Some(secret.into());
    totp.device = Some(push_id.into());
    let mut out = vec![push, totp];
    if pipeline == Pipeline::IdentityEngine {
        let mut nonce = factor(&format!("crp{}", &push_id[3..]), Kind::SignedNonce, created);
        nonce.profile.credential_id = Some(login.into());
        nonce.device = Some(push_id.into());
        out.push(nonce);
    }
    out
}

/// A security key registered before the sandbox started. It can be listed and removed; it
/// cannot be used to sign in (its private key is not anywhere), just like a key left at home.
fn seeded_security_key(id: &str, name: &str, created: OffsetDateTime) -> Factor {
    let mut f = factor(id, Kind::WebAuthn, created);
    f.profile.credential_id = Some(format!("seeded-credential-{id}"));
    f.profile.authenticator_name = Some(name.into());
    f
}

/// The login of the `n`th generated person (1-based): `person0001@example.com`.
pub fn generated_login(n: usize) -> String {
    format!("person{n:04}@example.com")
}

/// People for a benchmark or a demo of a whole company: `count` active users from number
/// `first` on, each set up like Victor (Okta Verify on a phone, and a text-message phone), with
/// the demo password. Ids are Okta-shaped (`00u` and 17 letters or digits).
pub fn generated_people(
    pipeline: Pipeline,
    now: OffsetDateTime,
    first: usize,
    count: usize,
) -> Vec<User> {
    (first..first + count)
        .map(|n| {
            let id = format!("00u1person{n:010}");
            let login = generated_login(n);
            let first_name = format!("Person{n}");
            let phone = format!("+1415555{:04}", n % 10_000);
            let mut u = user(
                (&id, &login),
                &first_name,
                "Example",
                UserStatus::Active,
                now,
                &[("mobilePhone", &phone)],
            );
            u.factors.extend(okta_verify_device(
                pipeline,
                &format!("opf1person{n:010}"),
                &login,
                &format!("{first_name}'s phone"),
                "ANDROID",
                VICTOR_TOTP_SECRET,
                at(100, now),
            ));
            let mut sms = factor(&format!("mbl1person{n:010}"), Kind::Sms, at(90, now));
            sms.profile.phone_number = Some(phone);
            u.factors.push(sms);
            u
        })
        .collect()
}

pub fn build(pipeline: Pipeline, now: OffsetDateTime) -> Seed {
    use users::*;
    let oie = pipeline == Pipeline::IdentityEngine;
    let mut out = vec![];

    out.push(user(
        NORA,
        "Nora",
        "Nofactors",
        UserStatus::Active,
        now,
        &[],
    ));

    let mut victor = user(
        VICTOR,
        "Victor",
        "Verify",
        UserStatus::Active,
        now,
        &[("mobilePhone", "+14155550134")],
    );
    victor.factors.extend(okta_verify_device(
        pipeline,
        "opf1victor0iphone000",
        VICTOR.1,
        "Victor's iPhone",
        "IOS",
        VICTOR_TOTP_SECRET,
        at(200, now),
    ));
    let mut sms = factor("mbl1victor0sms000000", Kind::Sms, at(150, now));
    sms.profile.phone_number = Some("+14155550134".into());
    victor.factors.push(sms);
    out.push(victor);

    let mut olivia = user(
        OLIVIA,
        "Olivia",
        "Identity",
        UserStatus::Active,
        now,
        &[("secondEmail", "olivia.personal@example.net")],
    );
    olivia.factors.extend(okta_verify_device(
        pipeline,
        "opf1olivia0iphone000",
        OLIVIA.1,
        "Olivia's iPhone",
        "IOS",
        OLIVIA_IPHONE_TOTP_SECRET,
        at(300, now),
    ));
    if oie {
        // Identity Engine allows several Okta Verify devices; Classic allows one.
        olivia.factors.extend(okta_verify_device(
            pipeline,
            "opf1olivia0pixel0000",
            OLIVIA.1,
            "Olivia's Pixel",
            "ANDROID",
            OLIVIA_PIXEL_TOTP_SECRET,
            at(60, now),
        ));
        olivia
            .nicknames
            .insert("opf1olivia0pixel0000".into(), "Work phone".into());
    }
    olivia.factors.push(seeded_security_key(
        "fwf1olivia0yubikey00",
        "YubiKey 5 NFC",
        at(120, now),
    ));
    let mut email = factor("emf1olivia0email0000", Kind::Email, at(250, now));
    email.profile.email = Some(OLIVIA.1.into());
    olivia.factors.push(email);
    out.push(olivia);

    let mut tina = user(TINA, "Tina", "Totp", UserStatus::Active, now, &[]);
    let mut google = factor("uft1tina0google00000", Kind::GoogleTotp, at(100, now));
    google.profile.credential_id = Some(TINA.1.into());
    google.secret = Some(TINA_TOTP_SECRET.into());
    tina.factors.push(google);
    out.push(tina);

    let mut adam = user(ADAM, "Adam", "Admin", UserStatus::Active, now, &[]);
    adam.group_ids.push(ADMIN_GROUP_ID.into());
    out.push(adam);

    let mut dana = user(
        DANA,
        "Dana",
        "Deactivated",
        UserStatus::Deprovisioned,
        now,
        &[],
    );
    let mut dana_sms = factor("mbl1dana0sms00000000", Kind::Sms, at(300, now));
    dana_sms.profile.phone_number = Some("+14155550188".into());
    dana.factors.push(dana_sms);
    out.push(dana);

    let mut luke = user(LUKE, "Luke", "Locked", UserStatus::LockedOut, now, &[]);
    luke.failed_sign_ins = 5;
    out.push(luke);

    let mut pat = user(PAT, "Pat", "Expired", UserStatus::PasswordExpired, now, &[]);
    pat.password_changed = Some(at(200, now));
    out.push(pat);

    Seed {
        users: out,
        groups: vec![
            Group {
                id: EVERYONE_GROUP_ID.into(),
                name: "Everyone".into(),
                description: "All users in your organization".into(),
                created: at(500, now),
            },
            Group {
                id: ADMIN_GROUP_ID.into(),
                name: ADMIN_GROUP_NAME.into(),
                description: "May use Keyport's admin area and help desk".into(),
                created: at(500, now),
            },
        ],
        authenticators: authenticators(now),
        policies: vec![
            Policy {
                id: "rst1default0policy00".into(),
                name: "Default Policy".into(),
                authenticator_keys: vec!["okta_password", "okta_email"],
            },
            Policy {
                id: "rst1admins0require00".into(),
                name: "Admins must use Okta Verify".into(),
                authenticator_keys: vec!["okta_verify"],
            },
        ],
    }
}

/// The org's authenticators (ids fixed). Custom TOTP and temporary access codes are on, so
/// the help desk can use them.
fn authenticators(now: OffsetDateTime) -> Vec<Authenticator> {
    let created = at(500, now);
    let a = |id: &str,
             key: &'static str,
             kind: &'static str,
             name: &'static str,
             allowed_for: &'static str,
             methods: Vec<(&'static str, bool)>| Authenticator {
        id: id.into(),
        key,
        kind,
        name,
        active: true,
        created,
        last_updated: created,
        allowed_for,
        methods,
    };
    vec![
        a(
            "aut1password00000000",
            "okta_password",
            "password",
            "Password",
            "sso",
            vec![("password", true)],
        ),
        a(
            "aut1email00000000000",
            "okta_email",
            "email",
            "Email",
            "any",
            vec![("email", true)],
        ),
        a(
            "aut1phone00000000000",
            "phone_number",
            "phone",
            "Phone",
            "any",
            vec![("sms", true), ("voice", true)],
        ),
        a(
            "aut1oktaverify000000",
            "okta_verify",
            "app",
            "Okta Verify",
            "any",
            vec![("push", true), ("totp", true), ("signed_nonce", true)],
        ),
        a(
            "aut1googleotp0000000",
            "google_otp",
            "app",
            "Google Authenticator",
            "any",
            vec![("otp", true)],
        ),
        a(
            "aut1webauthn00000000",
            "webauthn",
            "security_key",
            "Security Key or Biometric",
            "any",
            vec![("webauthn", true)],
        ),
        a(
            "aut1secquestion00000",
            "security_question",
            "security_question",
            "Security Question",
            "recovery",
            vec![("security_question", true)],
        ),
        a(
            "aut1customotp0000000",
            "custom_otp",
            "app",
            "Custom TOTP",
            "any",
            vec![("otp", true)],
        ),
        a(
            "aut1tac0000000000000",
            "tac",
            "tac",
            "Temporary Access Code",
            "any",
            vec![("tac", true)],
        ),
    ]
}
