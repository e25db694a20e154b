//! The sign-in handoff: an application that already signed the user in sends Keyport a
//! short-lived JWT naming the Okta user, and Keyport opens a session without asking again.
//!
//! The token: `sub` = Okta user id or login, `aud` = Keyport's audience, `exp` within minutes,
//! `jti` used once; signed with a shared HMAC secret (HS256) or a key from the application's
//! JWKS (RS256, ES256). Keyport verifies the signature, the audience (and issuer when
//! configured), that it is current and short-lived, and that its `jti` was never seen — by
//! any Keyport instance, since used ids live in the shared session backend.
//!
//! A handoff proves who the user is, not that they recently used a factor: sensitive actions
//! still ask for a re-verification.

use crate::sessions::Kv;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{
    decode, decode_header, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation,
};
use serde::{Deserialize, Serialize};
use std::sync::Mutex;
use std::time::{Duration, Instant};
use time::OffsetDateTime;

/// The longest lifetime a handoff token may have (`exp` − `iat`, or `exp` − now).
pub const MAX_LIFETIME: Duration = Duration::from_secs(10 * 60);
/// Clock skew allowed between the application and Keyport.
pub const LEEWAY_SECS: u64 = 30;
/// How often the JWKS may be fetched again for an unknown `kid`.
const JWKS_REFRESH: Duration = Duration::from_secs(30);

/// Where the verification key comes from.
#[derive(Clone, Debug)]
pub enum KeySource {
    /// A shared secret (HS256).
    Secret(crate::okta::types::Secret),
    /// The application's JWKS (RS256 or ES256).
    Jwks(url::Url),
}

#[derive(Clone, Debug)]
pub struct HandoffSettings {
    pub keys: KeySource,
    pub audience: String,
    pub issuer: Option<String>,
}

/// The claims Keyport reads.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub aud: String,
    pub exp: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    #[serde(default)]
    pub jti: String,
}

/// Why a handoff was refused. Logged; the page says only that the link is not valid.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum HandoffError {
    #[error("handoff is not configured")]
    NotConfigured,
    #[error("the token is not a JWT Keyport can verify: {0}")]
    Invalid(String),
    #[error("the token has expired")]
    Expired,
    #[error("the token lives longer than {} minutes", MAX_LIFETIME.as_secs() / 60)]
    TooLongLived,
    #[error("the token has no jti")]
    MissingJti,
    #[error("the token was already used")]
    Replayed,
    #[error("the application's keys could not be fetched: {0}")]
    Keys(String),
    #[error("the shared store failed: {0}")]
    Store(String),
}

impl HandoffError {
    /// A short code for the sign-in page's notice.
    pub fn code(&self) -> &'static str {
        match self {
            HandoffError::Expired => "expired",
            HandoffError::Replayed => "used",
            HandoffError::NotConfigured => "disabled",
            HandoffError::Keys(_) | HandoffError::Store(_) => "unavailable",
            _ => "invalid",
        }
    }
}

pub struct HandoffVerifier {
    settings: HandoffSettings,
    http: reqwest::Client,
    jwks: Mutex<Option<(Instant, JwkSet)>>,
}

fn now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

impl HandoffVerifier {
    pub fn new(settings: HandoffSettings) -> Self {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .build()
            .unwrap_or_default();
        HandoffVerifier {
            settings,
            http,
            jwks: Mutex::new(None),
        }
    }

    fn validation(&self, alg: Algorithm) -> Validation {
        let mut v = Validation::new(alg);
        v.set_audience(&[self.settings.audience.as_str()]);
        if let Some(iss) = &self.settings.issuer {
            v.set_issuer(&[iss.as_str()]);
        }
        v.set_required_spec_claims(&["exp", "sub", "aud"]);
        v.leeway = LEEWAY_SECS;
        v
    }

    async fn jwks(&self, refresh: bool) -> Result<JwkSet, HandoffError> {
        let KeySource::Jwks(url) = &self.settings.keys else {
            return Err(HandoffError::NotConfigured);
        };
        {
            let cached = self.jwks.lock().unwrap_or_else(|e| e.into_inner());
            if let Some((at, set)) = cached.as_ref() {
                if !refresh || at.elapsed() < JWKS_REFRESH {
                    return Ok(set.clone());
                }
            }
        }
        let set: JwkSet = self
            .http
            .get(url.clone())
            .send()
            .await
            .and_then(|r| r.error_for_status())
            .map_err(|e| HandoffError::Keys(e.without_url().to_string()))?
            .json()
            .await
            .map_err(|e| HandoffError::Keys(e.without_url().to_string()))?;
        *self.jwks.lock().unwrap_or_else(|e| e.into_inner()) = Some((Instant::now(), set.clone()));
        Ok(set)
    }

    /// Checks the token and spends its `jti`.
    pub async fn verify(&self, token: &str, kv: &Kv) -> Result<Claims, HandoffError> {
        let header = decode_header(token).map_err(|e| HandoffError::Invalid(e.to_string()))?;
        let claims = match &self.settings.keys {
            KeySource::Secret(secret) => {
                if header.alg != Algorithm::HS256 {
                    return Err(HandoffError::Invalid(format!(
                        "{:?} is not HS256",
                        header.alg
                    )));
                }
                let key = DecodingKey::from_secret(secret.expose().as_bytes());
                decode::<Claims>(token, &key, &self.validation(Algorithm::HS256))
            }
            KeySource::Jwks(_) => {
                if !matches!(header.alg, Algorithm::RS256 | Algorithm::ES256) {
                    return Err(HandoffError::Invalid(format!(
                        "{:?} is not RS256 or ES256",
                        header.alg
                    )));
                }
                let kid = header
                    .kid
                    .clone()
                    .ok_or_else(|| HandoffError::Invalid("no kid".into()))?;
                let mut set = self.jwks(false).await?;
                if set.find(&kid).is_none() {
                    set = self.jwks(true).await?;
                }
                let jwk = set
                    .find(&kid)
                    .ok_or_else(|| HandoffError::Invalid(format!("unknown kid {kid}")))?;
                let key =
                    DecodingKey::from_jwk(jwk).map_err(|e| HandoffError::Invalid(e.to_string()))?;
                decode::<Claims>(token, &key, &self.validation(header.alg))
            }
        }
        .map_err(|e| match e.kind() {
            jsonwebtoken::errors::ErrorKind::ExpiredSignature => HandoffError::Expired,
            _ => HandoffError::Invalid(e.to_string()),
        })?
        .claims;
        let t = now();
        let lifetime = claims.exp - claims.iat.unwrap_or(t).min(t);
        if lifetime > MAX_LIFETIME.as_secs() as i64 {
            return Err(HandoffError::TooLongLived);
        }
        if claims.jti.trim().is_empty() {
            return Err(HandoffError::MissingJti);
        }
        let ttl = Duration::from_secs((claims.exp - t).max(0) as u64 + LEEWAY_SECS);
        let key = format!(
            "handoff-jti:{}:{}",
            claims.iss.as_deref().unwrap_or("-"),
            claims.jti
        );
        match kv.insert_if_absent(&key, "used", ttl).await {
            Ok(true) => Ok(claims),
            Ok(false) => Err(HandoffError::Replayed),
            Err(e) => Err(HandoffError::Store(e.to_string())),
        }
    }
}

/// Mints a token signed with a shared secret: `keyport handoff-token`, the README's example,
/// and tests.
pub fn mint(
    secret: &str,
    sub: &str,
    audience: &str,
    issuer: Option<&str>,
    ttl: Duration,
) -> Result<String, String> {
    let t = now();
    let claims = Claims {
        sub: sub.to_string(),
        aud: audience.to_string(),
        exp: t + ttl.as_secs() as i64,
        iat: Some(t),
        iss: issuer.map(str::to_string),
        jti: uuid::Uuid::new_v4().to_string(),
    };
    encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .map_err(|e| e.to_string())
}
