//! User Factors API (`/api/v1/users/{userId}/factors`): factors, their enrollment and activation
//! payloads, verification and push transactions (API-NOTES §1).

use super::links::{Link, Links};
use super::Secret;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

// ---------------------------------------------------------------------------------------------
// Enums
// ---------------------------------------------------------------------------------------------

/// [SPEC] UserFactorType; API-NOTES §1.1.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FactorType {
    #[serde(rename = "call")]
    Call,
    #[serde(rename = "email")]
    Email,
    #[serde(rename = "push")]
    Push,
    #[serde(rename = "question")]
    Question,
    #[serde(rename = "signed_nonce")]
    SignedNonce,
    #[serde(rename = "sms")]
    Sms,
    /// RSA SecurID or Symantec VIP.
    #[serde(rename = "token")]
    Token,
    /// YubiKey OTP.
    #[serde(rename = "token:hardware")]
    TokenHardware,
    /// Custom TOTP (`provider: CUSTOM`).
    #[serde(rename = "token:hotp")]
    TokenHotp,
    /// Okta Verify TOTP or Google Authenticator.
    #[serde(rename = "token:software:totp")]
    TokenSoftwareTotp,
    #[serde(rename = "u2f")]
    U2f,
    /// Duo.
    #[serde(rename = "web")]
    Web,
    #[serde(rename = "webauthn")]
    Webauthn,
    #[serde(untagged)]
    Unknown(String),
}

impl FactorType {
    /// The wire value, e.g. `token:software:totp`.
    pub fn as_str(&self) -> &str {
        match self {
            FactorType::Call => "call",
            FactorType::Email => "email",
            FactorType::Push => "push",
            FactorType::Question => "question",
            FactorType::SignedNonce => "signed_nonce",
            FactorType::Sms => "sms",
            FactorType::Token => "token",
            FactorType::TokenHardware => "token:hardware",
            FactorType::TokenHotp => "token:hotp",
            FactorType::TokenSoftwareTotp => "token:software:totp",
            FactorType::U2f => "u2f",
            FactorType::Web => "web",
            FactorType::Webauthn => "webauthn",
            FactorType::Unknown(other) => other.as_str(),
        }
    }
}

/// [SPEC] UserFactorProvider; API-NOTES §1.1 (provider → types).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum FactorProvider {
    Custom,
    Duo,
    Fido,
    Google,
    Okta,
    Rsa,
    Symantec,
    Yubico,
    #[serde(untagged)]
    Unknown(String),
}

impl FactorProvider {
    /// The wire value, e.g. `OKTA`.
    pub fn as_str(&self) -> &str {
        match self {
            FactorProvider::Custom => "CUSTOM",
            FactorProvider::Duo => "DUO",
            FactorProvider::Fido => "FIDO",
            FactorProvider::Google => "GOOGLE",
            FactorProvider::Okta => "OKTA",
            FactorProvider::Rsa => "RSA",
            FactorProvider::Symantec => "SYMANTEC",
            FactorProvider::Yubico => "YUBICO",
            FactorProvider::Unknown(other) => other.as_str(),
        }
    }
}

/// [SPEC] UserFactorStatus; API-NOTES §1.1.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum FactorStatus {
    Active,
    Disabled,
    Enrolled,
    Expired,
    Inactive,
    NotSetup,
    PendingActivation,
    #[serde(untagged)]
    Unknown(String),
}

/// The union of [SPEC] UserFactorResultType, UserFactorVerifyResult and
/// UserFactorActivatePushResult (API-NOTES §1.3, §1.4), plus Authn's `factorResult` (§5).
///
/// The spec's `x-enumDescriptions` also mention `CANCELED` (one L); it lands in `Unknown`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum FactorResult {
    Cancelled,
    Challenge,
    Error,
    Expired,
    Failed,
    PasscodeReplayed,
    Rejected,
    Success,
    Timeout,
    TimeWindowExceeded,
    Waiting,
    #[serde(untagged)]
    Unknown(String),
}

/// Whether a catalog factor must be enrolled. [SPEC] UserFactorSupported.enrollment.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum FactorEnrollment {
    Optional,
    Required,
    #[serde(untagged)]
    Unknown(String),
}

// ---------------------------------------------------------------------------------------------
// The factor
// ---------------------------------------------------------------------------------------------

/// A factor's `profile`: the union of every type's fields, all optional. [SPEC]
/// UserFactorSMSProfile, UserFactorCallProfile, UserFactorEmailProfile,
/// UserFactorSecurityQuestionProfile, UserFactorPushProfile, UserFactorTokenProfile,
/// UserFactorTokenHOTPProfile, UserFactorWebAuthnProfile, UserFactorU2FProfile; API-NOTES §1.1.
///
/// Also the `profile` of enroll and resend requests and of verify responses.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FactorProfile {
    /// sms, call. E.164 on write; masked (`+1 XXX-XXX-1337`) in Authn responses.
    #[serde(
        default,
        deserialize_with = "super::opt_string_or_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub phone_number: Option<String>,
    /// call.
    #[serde(
        default,
        deserialize_with = "super::opt_string_or_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub phone_extension: Option<String>,
    /// email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// question: the question key, e.g. `disliked_food`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub question: Option<String>,
    /// question: read-only text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub question_text: Option<String>,
    /// question: write-only answer (min 4 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<Secret>,
    /// push, token*, webauthn, u2f.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_id: Option<String>,
    /// push, e.g. `SmartPhone_IPhone`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_type: Option<String>,
    /// push: the device name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// push, e.g. `IOS`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
    /// push: Okta Verify version; u2f: `U2F_V2`.
    #[serde(
        default,
        deserialize_with = "super::opt_string_or_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub version: Option<String>,
    /// push.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_token: Option<String>,
    /// push: `[{kty:"PKIX", use:"sig", kid:"default", x5c:[…]}]` [AJS].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keys: Option<Vec<Value>>,
    /// webauthn, e.g. `MacBook Touch ID`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authenticator_name: Option<String>,
    /// token:hotp enroll request only (write-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shared_secret: Option<Secret>,
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

impl FactorProfile {
    /// True when no field at all is set.
    pub fn is_empty(&self) -> bool {
        *self == FactorProfile::default()
    }
}

/// An enrolled (or enrolling) factor. [SPEC] UserFactor and its `factorType` subtypes
/// (UserFactorPush, UserFactorSMS, …); API-NOTES §1.1, §1.2.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserFactor {
    pub id: String,
    pub factor_type: FactorType,
    pub provider: FactorProvider,
    /// Usually the provider; the profile name for Custom TOTP (`Entrust Datacard`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor_name: Option<String>,
    pub status: FactorStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_updated: Option<String>,
    /// Absent in some examples (email enroll, Custom TOTP): defaults to empty.
    #[serde(default, skip_serializing_if = "FactorProfile::is_empty")]
    pub profile: FactorProfile,
    /// token:hotp only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub factor_profile_id: Option<String>,
    #[serde(rename = "_links", default, skip_serializing_if = "Links::is_empty")]
    pub links: Links,
    #[serde(rename = "_embedded", default, skip_serializing_if = "Option::is_none")]
    pub embedded: Option<FactorEmbedded>,
}

impl UserFactor {
    pub fn is_active(&self) -> bool {
        self.status == FactorStatus::Active
    }

    /// The activation payload of a pending enrollment (push, TOTP, webauthn, u2f).
    pub fn activation(&self) -> Option<&Activation> {
        self.embedded.as_ref()?.activation.as_ref()
    }

    /// The QR code link of a pending push or TOTP enrollment, wherever Okta put it:
    /// `_embedded.activation._links.qrcode` (push, Google TOTP, [AJS]) or
    /// `_embedded._links.qrcode` (Okta TOTP in SPEC/FDOC), else a top-level `_links.qrcode`.
    /// API-NOTES §1.2 CONFLICT.
    pub fn qrcode(&self) -> Option<&Link> {
        self.embedded
            .as_ref()
            .and_then(FactorEmbedded::qrcode)
            .or(self.links.qrcode.as_ref())
    }

    /// The QR code's `href`; see [`UserFactor::qrcode`].
    pub fn qrcode_href(&self) -> Option<&str> {
        self.qrcode().map(|l| l.href.as_str())
    }

    /// The TOTP shared secret (base32) of a pending TOTP enrollment.
    pub fn shared_secret(&self) -> Option<&str> {
        self.activation()?
            .shared_secret
            .as_ref()
            .map(Secret::expose)
    }
}

/// A factor's `_embedded`: the activation payload while enrolling, a challenge while
/// verifying. [SPEC] UserFactor._embedded, UserFactorVerifyResponse._embedded,
/// NumberFactorChallengeEmbeddedLinks; API-NOTES §1.2, §1.4.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FactorEmbedded {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activation: Option<Activation>,
    /// Nullable in the spec; `null` is `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub challenge: Option<FactorChallenge>,
    /// Okta TOTP puts its `qrcode` here in SPEC/FDOC (API-NOTES §1.2 CONFLICT).
    #[serde(rename = "_links", default, skip_serializing_if = "Option::is_none")]
    pub links: Option<Links>,
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

impl FactorEmbedded {
    /// `activation._links.qrcode`, else `_links.qrcode`.
    pub fn qrcode(&self) -> Option<&Link> {
        let in_activation = self
            .activation
            .as_ref()
            .and_then(|a| a.links.as_ref())
            .and_then(|l| l.qrcode.as_ref());
        in_activation.or_else(|| self.links.as_ref().and_then(|l| l.qrcode.as_ref()))
    }
}

/// `_embedded.activation`: one struct for every factor type's shape, all fields optional
/// (API-NOTES §1.2). [SPEC] UserFactorActivatePush and the enroll response examples
/// (EnrollFactorOVPushResponse, EnrollFactorOVTotpResponse, EnrollFactorGoogleResponse,
/// EnrollFactorWebauthnResponse, EnrollFactorU2fResponse).
///
/// - push: `expiresAt`, `factorResult`, `_links.{send[], qrcode}`.
/// - token:software:totp: `timeStep`, `sharedSecret`, `encoding`, `keyLength`, `_links.qrcode`?
/// - webauthn: a PublicKeyCredentialCreationOptions. The typed fields cover what Keyport reads;
///   [`Activation::webauthn_creation_options`] gives the whole object back for the browser.
/// - u2f: `version`, `nonce`, `timeoutSeconds`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Activation {
    /// push: when the activation expires (about 10 minutes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    /// push: `WAITING` while the device has not scanned the code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub factor_result: Option<FactorResult>,
    /// TOTP: seconds per code (30).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_step: Option<u32>,
    /// TOTP: the secret, base32 (see `encoding`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shared_secret: Option<Secret>,
    /// TOTP: `base32`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encoding: Option<String>,
    /// TOTP: documented as digits per code, but examples show 6 and 16 (API-NOTES §1.2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_length: Option<u32>,
    /// u2f: `U2F_V2`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// u2f.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    /// u2f: 20.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_seconds: Option<u32>,
    /// webauthn: attestation conveyance, e.g. `direct`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attestation: Option<String>,
    /// webauthn.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authenticator_selection: Option<AuthenticatorSelection>,
    /// webauthn: the challenge, as a string the browser must turn into bytes [FDOC].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub challenge: Option<String>,
    /// webauthn.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exclude_credentials: Option<Vec<CredentialDescriptor>>,
    /// webauthn.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pub_key_cred_params: Option<Vec<PubKeyCredParam>>,
    /// webauthn: the relying party.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rp: Option<RelyingParty>,
    /// webauthn: the user; `id` is the Okta user id, which the browser must turn into bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<WebAuthnUser>,
    #[serde(rename = "_links", default, skip_serializing_if = "Option::is_none")]
    pub links: Option<Links>,
    /// Everything else, e.g. a webauthn `timeout` or `extensions`.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

impl Activation {
    /// Whether this looks like a WebAuthn PublicKeyCredentialCreationOptions.
    pub fn is_webauthn(&self) -> bool {
        self.challenge.is_some() && (self.rp.is_some() || self.pub_key_cred_params.is_some())
    }

    /// The whole PublicKeyCredentialCreationOptions object as Okta sent it (minus `_links`), to
    /// hand to the browser; `None` if this is not a WebAuthn activation.
    pub fn webauthn_creation_options(&self) -> Option<Value> {
        if !self.is_webauthn() {
            return None;
        }
        match serde_json::to_value(self).ok()? {
            Value::Object(mut map) => {
                map.remove("_links");
                Some(Value::Object(map))
            }
            _ => None,
        }
    }
}

/// WebAuthn `authenticatorSelection` (API-NOTES §1.2 webauthn).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthenticatorSelection {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authenticator_attachment: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub require_resident_key: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resident_key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_verification: Option<String>,
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// WebAuthn `excludeCredentials[]` / `allowCredentials[]` item.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialDescriptor {
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub credential_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transports: Option<Vec<String>>,
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// WebAuthn `pubKeyCredParams[]` item: `{type:"public-key", alg:-7}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PubKeyCredParam {
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub credential_type: Option<String>,
    /// COSE algorithm identifier: -7 (ES256), -257 (RS256).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alg: Option<i64>,
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// WebAuthn `rp`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelyingParty {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// WebAuthn `user`: `{displayName, name, id}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebAuthnUser {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// `_embedded.challenge` of a verify response or push transaction. [SPEC]
/// NumberFactorChallengeEmbeddedLinks (push `correctAnswer`); API-NOTES §1.4 (webauthn
/// `challenge`, `extensions`; u2f `nonce`, `timeoutSeconds`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FactorChallenge {
    /// push number matching: the number the user must pick in Okta Verify (e.g. 72).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correct_answer: Option<u32>,
    /// webauthn.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub challenge: Option<String>,
    /// webauthn.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extensions: Option<Value>,
    /// u2f.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    /// u2f.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_seconds: Option<u32>,
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

// ---------------------------------------------------------------------------------------------
// Responses other than the factor
// ---------------------------------------------------------------------------------------------

/// The body of POST `…/verify` and GET `…/transactions/{id}`. [SPEC] UserFactorVerifyResponse,
/// UserFactorVerifyResponseWaiting, UserFactorPushTransaction*; API-NOTES §1.4.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VerifyFactorResponse {
    pub factor_result: FactorResult,
    /// Nullable in the spec.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub factor_message: Option<String>,
    /// push WAITING: when the challenge expires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    /// sms/call challenge: the phone; push: `credentialId`; webauthn: the credential.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<FactorProfile>,
    #[serde(rename = "_embedded", default, skip_serializing_if = "Option::is_none")]
    pub embedded: Option<FactorEmbedded>,
    /// push WAITING: `poll` (GET) and `cancel` (DELETE); REJECTED/TIMEOUT and challenges:
    /// `verify` and `factor`.
    #[serde(rename = "_links", default, skip_serializing_if = "Links::is_empty")]
    pub links: Links,
}

/// A push verification transaction has the verify response's shape (API-NOTES §1.4).
pub type PushTransaction = VerifyFactorResponse;

impl VerifyFactorResponse {
    pub fn is_success(&self) -> bool {
        self.factor_result == FactorResult::Success
    }

    pub fn is_waiting(&self) -> bool {
        self.factor_result == FactorResult::Waiting
    }

    pub fn challenge(&self) -> Option<&FactorChallenge> {
        self.embedded.as_ref()?.challenge.as_ref()
    }

    /// Push number matching: the number the user must pick on the device.
    pub fn correct_answer(&self) -> Option<u32> {
        self.challenge()?.correct_answer
    }

    /// The push transaction id (`mst…` or `v2mst.…`), taken from the `poll` link
    /// `…/transactions/{id}`.
    pub fn transaction_id(&self) -> Option<&str> {
        let href = self.links.poll.as_ref()?.href.as_str();
        let (_, rest) = href.split_once("/transactions/")?;
        let id = rest.split(['/', '?', '#']).next()?;
        (!id.is_empty()).then_some(id)
    }
}

/// The body of POST `…/lifecycle/activate` (and the push `poll` link): either the ACTIVE
/// factor, or for push a poll result `{expiresAt?, factorResult, _links{poll, qrcode, send[]}
/// | {activate}}`. One struct with every field optional covers both (API-NOTES §1.3).
/// [SPEC] UserFactorActivateResponse, UserFactorActivatePush.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivateFactorResponse {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub factor_type: Option<FactorType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<FactorProvider>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<FactorStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_updated: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<FactorProfile>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub factor_profile_id: Option<String>,
    /// push poll result: when the activation expires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    /// push poll result: `WAITING`, `TIMEOUT`, `CANCELLED`, `ERROR`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub factor_result: Option<FactorResult>,
    #[serde(rename = "_links", default, skip_serializing_if = "Links::is_empty")]
    pub links: Links,
    #[serde(rename = "_embedded", default, skip_serializing_if = "Option::is_none")]
    pub embedded: Option<FactorEmbedded>,
}

impl ActivateFactorResponse {
    /// The factor is now ACTIVE.
    pub fn is_active(&self) -> bool {
        self.status == Some(FactorStatus::Active)
    }

    /// The push poll result, if this is one.
    pub fn factor_result(&self) -> Option<&FactorResult> {
        self.factor_result.as_ref()
    }

    /// The QR code link of a WAITING push activation (`_links.qrcode`, else embedded).
    pub fn qrcode_href(&self) -> Option<&str> {
        self.links
            .qrcode
            .as_ref()
            .or_else(|| self.embedded.as_ref().and_then(FactorEmbedded::qrcode))
            .map(|l| l.href.as_str())
    }

    /// The factor, when the body is one (it has an id, type, provider and status).
    pub fn into_factor(self) -> Option<UserFactor> {
        Some(UserFactor {
            id: self.id?,
            factor_type: self.factor_type?,
            provider: self.provider?,
            vendor_name: self.vendor_name,
            status: self.status?,
            created: self.created,
            last_updated: self.last_updated,
            profile: self.profile.unwrap_or_default(),
            factor_profile_id: self.factor_profile_id,
            links: self.links,
            embedded: self.embedded,
        })
    }
}

/// One entry of GET `…/factors/catalog`. [SPEC] UserFactorSupported; API-NOTES §1.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SupportedFactor {
    pub factor_type: FactorType,
    pub provider: FactorProvider,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enrollment: Option<FactorEnrollment>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<FactorStatus>,
    /// `enroll` (POST), and `questions` for the question factor.
    #[serde(rename = "_links", default, skip_serializing_if = "Links::is_empty")]
    pub links: Links,
    #[serde(rename = "_embedded", default, skip_serializing_if = "Option::is_none")]
    pub embedded: Option<SupportedFactorEmbedded>,
}

impl SupportedFactor {
    /// Phones the user already has (sms/call catalog entries).
    pub fn phones(&self) -> &[EnrolledPhone] {
        match &self.embedded {
            Some(embedded) => embedded.phones.as_slice(),
            None => &[],
        }
    }
}

/// `_embedded` of a catalog entry: existing phones for sms/call (API-NOTES §1.2 sms).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupportedFactorEmbedded {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub phones: Vec<EnrolledPhone>,
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// `_embedded.phones[]` item in the catalog: `{id, profile:{phoneNumber}, status}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrolledPhone {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub profile: EnrolledPhoneProfile,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<FactorStatus>,
}

/// `{phoneNumber}` of an [`EnrolledPhone`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EnrolledPhoneProfile {
    #[serde(
        default,
        deserialize_with = "super::opt_string_or_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub phone_number: Option<String>,
}

/// One entry of GET `…/factors/questions`: `{question, questionText}`. [SPEC]
/// UserFactorSecurityQuestionProfile (question keys); API-NOTES §1.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SecurityQuestion {
    pub question: String,
    #[serde(default)]
    pub question_text: String,
}

// ---------------------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------------------

/// Body of POST `/api/v1/users/{userId}/factors`. [SPEC] UserFactor (writable: `factorType`,
/// `provider`, `profile`, `verify`; `factorProfileId` for token:hotp); API-NOTES §1.2.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EnrollFactorRequest {
    pub factor_type: FactorType,
    pub provider: FactorProvider,
    /// token:hotp: the Custom TOTP factor profile (`fpr…`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub factor_profile_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<FactorProfile>,
    /// token (RSA, Symantec), token:hardware (YubiKey): the codes that prove possession.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verify: Option<EnrollVerifyCodes>,
}

impl EnrollFactorRequest {
    fn bare(factor_type: FactorType, provider: FactorProvider) -> Self {
        EnrollFactorRequest {
            factor_type,
            provider,
            factor_profile_id: None,
            profile: None,
            verify: None,
        }
    }

    fn with_profile(factor_type: FactorType, profile: FactorProfile) -> Self {
        EnrollFactorRequest {
            profile: Some(profile),
            ..Self::bare(factor_type, FactorProvider::Okta)
        }
    }

    /// Okta Verify push: `{"factorType":"push","provider":"OKTA"}`.
    pub fn push() -> Self {
        Self::bare(FactorType::Push, FactorProvider::Okta)
    }

    /// Okta Verify TOTP.
    pub fn totp_okta() -> Self {
        Self::bare(FactorType::TokenSoftwareTotp, FactorProvider::Okta)
    }

    /// Google Authenticator.
    pub fn totp_google() -> Self {
        Self::bare(FactorType::TokenSoftwareTotp, FactorProvider::Google)
    }

    /// SMS to `phone_number` (E.164).
    pub fn sms(phone_number: impl Into<String>) -> Self {
        Self::with_profile(
            FactorType::Sms,
            FactorProfile {
                phone_number: Some(phone_number.into()),
                ..FactorProfile::default()
            },
        )
    }

    /// Voice call to `phone_number` (E.164), with an optional extension.
    pub fn call(phone_number: impl Into<String>, extension: Option<&str>) -> Self {
        Self::with_profile(
            FactorType::Call,
            FactorProfile {
                phone_number: Some(phone_number.into()),
                phone_extension: extension.map(str::to_string),
                ..FactorProfile::default()
            },
        )
    }

    /// Email to `email`, which must be the user's verified primary or secondary address.
    pub fn email(email: impl Into<String>) -> Self {
        Self::with_profile(
            FactorType::Email,
            FactorProfile {
                email: Some(email.into()),
                ..FactorProfile::default()
            },
        )
    }

    /// Security question: `question` is a key from GET `…/factors/questions`.
    pub fn question(question: impl Into<String>, answer: impl Into<Secret>) -> Self {
        Self::with_profile(
            FactorType::Question,
            FactorProfile {
                question: Some(question.into()),
                answer: Some(answer.into()),
                ..FactorProfile::default()
            },
        )
    }

    /// WebAuthn (FIDO2).
    pub fn webauthn() -> Self {
        Self::bare(FactorType::Webauthn, FactorProvider::Fido)
    }

    /// U2F.
    pub fn u2f() -> Self {
        Self::bare(FactorType::U2f, FactorProvider::Fido)
    }

    /// Custom TOTP (`token:hotp`), enrolled with `?activate=true` (the only mode [FDOC]).
    pub fn hotp(factor_profile_id: impl Into<String>, shared_secret: impl Into<Secret>) -> Self {
        EnrollFactorRequest {
            factor_profile_id: Some(factor_profile_id.into()),
            profile: Some(FactorProfile {
                shared_secret: Some(shared_secret.into()),
                ..FactorProfile::default()
            }),
            ..Self::bare(FactorType::TokenHotp, FactorProvider::Custom)
        }
    }
}

/// The `verify` object of an enroll request: [SPEC] UserFactorTokenFactorVerificationObject,
/// UserFactorTokenVerifyRSA, UserFactorTokenVerifySymantec.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EnrollVerifyCodes {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pass_code: Option<Secret>,
    /// Symantec VIP only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_pass_code: Option<Secret>,
}

/// Query string of the enroll call (API-NOTES §1: enrollFactor params). Serialize it with
/// `reqwest::RequestBuilder::query`; unset fields are left out.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EnrollFactorQuery {
    /// sms/call/email/token:hotp: activate at once, without a code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activate: Option<bool>,
    /// sms/call: replace the phone of an existing factor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_phone: Option<bool>,
    /// sms: the SMS template.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_id: Option<String>,
    /// email: 1–86400, default 300.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_lifetime_seconds: Option<u32>,
}

/// Body of POST `…/lifecycle/activate`. [SPEC] UserFactorActivateRequest; API-NOTES §1.3.
/// Only the fields of one shape are set; an empty request (push) serializes as `{}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivateFactorRequest {
    /// sms, call, email, token:software:totp.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pass_code: Option<Secret>,
    /// webauthn: base64 attestationObject.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attestation: Option<String>,
    /// webauthn: base64 clientDataJSON; u2f: base64url client data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_data: Option<String>,
    /// u2f: base64url registration data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registration_data: Option<String>,
    /// push (spec only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub use_number_matching_challenge: Option<bool>,
}

impl ActivateFactorRequest {
    /// Push activation (no body needed).
    pub fn empty() -> Self {
        Self::default()
    }

    pub fn pass_code(code: impl Into<Secret>) -> Self {
        ActivateFactorRequest {
            pass_code: Some(code.into()),
            ..Self::default()
        }
    }

    pub fn webauthn(attestation: impl Into<String>, client_data: impl Into<String>) -> Self {
        ActivateFactorRequest {
            attestation: Some(attestation.into()),
            client_data: Some(client_data.into()),
            ..Self::default()
        }
    }

    pub fn u2f(registration_data: impl Into<String>, client_data: impl Into<String>) -> Self {
        ActivateFactorRequest {
            registration_data: Some(registration_data.into()),
            client_data: Some(client_data.into()),
            ..Self::default()
        }
    }

    /// True when no field is set (send no body, or `{}`).
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// Body of POST `…/verify`. [SPEC] UserFactorVerifyRequest; API-NOTES §1.4. Only the fields of
/// one shape are set; an empty request (sms/call/email challenge, push) serializes as `{}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VerifyFactorRequest {
    /// sms, call, email, token*, token:software:totp, token:hotp, token:hardware.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pass_code: Option<Secret>,
    /// question.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<Secret>,
    /// push: ask for a number matching challenge.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub use_number_matching_challenge: Option<bool>,
    /// webauthn, u2f.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_data: Option<String>,
    /// webauthn.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authenticator_data: Option<String>,
    /// webauthn, u2f.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature_data: Option<String>,
}

impl VerifyFactorRequest {
    /// A challenge request (sms, call, email, webauthn, u2f step 1) or a plain push.
    pub fn empty() -> Self {
        Self::default()
    }

    pub fn pass_code(code: impl Into<Secret>) -> Self {
        VerifyFactorRequest {
            pass_code: Some(code.into()),
            ..Self::default()
        }
    }

    pub fn answer(answer: impl Into<Secret>) -> Self {
        VerifyFactorRequest {
            answer: Some(answer.into()),
            ..Self::default()
        }
    }

    /// Push with a number matching challenge: `{"useNumberMatchingChallenge":true}`.
    pub fn push_number_matching() -> Self {
        VerifyFactorRequest {
            use_number_matching_challenge: Some(true),
            ..Self::default()
        }
    }

    pub fn webauthn(
        client_data: impl Into<String>,
        authenticator_data: impl Into<String>,
        signature_data: impl Into<String>,
    ) -> Self {
        VerifyFactorRequest {
            client_data: Some(client_data.into()),
            authenticator_data: Some(authenticator_data.into()),
            signature_data: Some(signature_data.into()),
            ..Self::default()
        }
    }

    pub fn u2f(client_data: impl Into<String>, signature_data: impl Into<String>) -> Self {
        VerifyFactorRequest {
            client_data: Some(client_data.into()),
            signature_data: Some(signature_data.into()),
            ..Self::default()
        }
    }

    /// True when no field is set.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// Body of POST `…/factors/{factorId}/resend` (required): `{factorType, provider, profile}`
/// for sms, call and email (API-NOTES §1).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResendFactorRequest {
    pub factor_type: FactorType,
    pub provider: FactorProvider,
    #[serde(default)]
    pub profile: FactorProfile,
}

impl ResendFactorRequest {
    /// The resend body for a pending sms, call or email factor: its type, provider and
    /// phone/extension/email.
    pub fn for_factor(factor: &UserFactor) -> Self {
        ResendFactorRequest {
            factor_type: factor.factor_type.clone(),
            provider: factor.provider.clone(),
            profile: FactorProfile {
                phone_number: factor.profile.phone_number.clone(),
                phone_extension: factor.profile.phone_extension.clone(),
                email: factor.profile.email.clone(),
                ..FactorProfile::default()
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_enum_values_survive_a_round_trip() {
        let t: FactorType = serde_json::from_str("\"token:software:hotp\"").unwrap();
        assert_eq!(t, FactorType::Unknown("token:software:hotp".into()));
        assert_eq!(
            serde_json::to_string(&t).unwrap(),
            "\"token:software:hotp\""
        );
        let t: FactorType = serde_json::from_str("\"token:software:totp\"").unwrap();
        assert_eq!(t, FactorType::TokenSoftwareTotp);
        assert_eq!(t.as_str(), "token:software:totp");

        let r: FactorResult = serde_json::from_str("\"CANCELED\"").unwrap();
        assert_eq!(r, FactorResult::Unknown("CANCELED".into()));
        let r: FactorResult = serde_json::from_str("\"TIME_WINDOW_EXCEEDED\"").unwrap();
        assert_eq!(r, FactorResult::TimeWindowExceeded);

        let s: FactorStatus = serde_json::from_str("\"PENDING_ACTIVATION\"").unwrap();
        assert_eq!(s, FactorStatus::PendingActivation);
        let p: FactorProvider = serde_json::from_str("\"OKTA\"").unwrap();
        assert_eq!(p, FactorProvider::Okta);
        let p: FactorProvider = serde_json::from_str("\"ENTRUST\"").unwrap();
        assert_eq!(p.as_str(), "ENTRUST");
    }

    #[test]
    fn transaction_id_comes_from_the_poll_link() {
        let body = r#"{"factorResult":"WAITING","_links":{"poll":{"href":
            "https://o/api/v1/users/00u1/factors/opf1/transactions/v2mst.Abc?x=1"}}}"#;
        let v: VerifyFactorResponse = serde_json::from_str(body).unwrap();
        assert_eq!(v.transaction_id(), Some("v2mst.Abc"));
        assert!(v.is_waiting());
    }

    #[test]
    fn empty_requests_serialize_as_an_empty_object() {
        assert_eq!(
            serde_json::to_string(&VerifyFactorRequest::empty()).unwrap(),
            "{}"
        );
        assert_eq!(
            serde_json::to_string(&ActivateFactorRequest::empty()).unwrap(),
            "{}"
        );
        assert!(ActivateFactorRequest::empty().is_empty());
        assert!(!VerifyFactorRequest::pass_code("123456").is_empty());
    }

    #[test]
    fn answers_do_not_print() {
        let req = EnrollFactorRequest::question("disliked_food", "mayonnaise");
        assert!(!format!("{req:?}").contains("mayonnaise"));
        let json = serde_json::to_value(req).unwrap();
        assert_eq!(json["profile"]["answer"], "mayonnaise");
    }
}
