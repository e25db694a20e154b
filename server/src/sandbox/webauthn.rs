//! Real WebAuthn checks with webauthn-rs: the sandbox verifies attestations and assertions the
//! way an org would (challenge, origin against the configured list, RP id hash, signature).
//!
//! Okta's creation options name no `rp.id` (API-NOTES §1.2), so the browser uses the calling
//! page's host. The sandbox therefore learns the RP id from the origin in `clientDataJSON`,
//! accepts it only when that origin is configured, and verifies with that RP id.

use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use base64::Engine;
use serde_json::{json, Value};
use std::time::Duration;
use url::Url;
use webauthn_rs_core::proto::{
    AttestationConveyancePreference, AuthenticationState, Credential, RegistrationState,
    UserVerificationPolicy,
};
use webauthn_rs_core::WebauthnCore;
use webauthn_rs_proto::{
    AuthenticatorAssertionResponseRaw, AuthenticatorAttestationResponseRaw, CollectedClientData,
    PublicKeyCredential, RegisterPublicKeyCredential,
};

const TIMEOUT: Duration = Duration::from_secs(120);
const RP_NAME: &str = "Keyport Sandbox";

/// Why a ceremony was refused; each maps to Okta's 403 E0000068 (API-NOTES §1.3).
#[derive(Debug, thiserror::Error)]
pub enum CeremonyError {
    #[error("the data is not valid base64 or JSON: {0}")]
    Malformed(String),
    #[error("origin {0} is not an allowed origin")]
    OriginNotAllowed(String),
    #[error("verification failed: {0}")]
    Rejected(String),
}

/// Decodes base64 in any of its usual spellings (Okta's clients send standard or URL-safe).
pub fn decode_b64(s: &str) -> Result<Vec<u8>, CeremonyError> {
    let s = s.trim();
    URL_SAFE_NO_PAD
        .decode(s.trim_end_matches('='))
        .or_else(|_| URL_SAFE.decode(s))
        .or_else(|_| STANDARD.decode(s))
        .or_else(|_| STANDARD_NO_PAD.decode(s.trim_end_matches('=')))
        .map_err(|e| CeremonyError::Malformed(e.to_string()))
}

pub fn b64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A core for generating challenges; the RP id in it is never sent (Okta's options have none).
fn generator() -> WebauthnCore {
    WebauthnCore::new_unsafe_experts_only(RP_NAME, "localhost", vec![], TIMEOUT, None, None)
}

/// A core that verifies a response coming from `origin`, if that origin is allowed.
fn verifier(allowed: &[Url], client_data_json: &[u8]) -> Result<WebauthnCore, CeremonyError> {
    let data: CollectedClientData = serde_json::from_slice(client_data_json)
        .map_err(|e| CeremonyError::Malformed(format!("clientDataJSON: {e}")))?;
    let origin = data.origin.origin().ascii_serialization();
    let Some(allowed_origin) = allowed
        .iter()
        .find(|u| u.origin().ascii_serialization() == origin)
    else {
        return Err(CeremonyError::OriginNotAllowed(origin));
    };
    let rp_id = allowed_origin.host_str().unwrap_or("localhost").to_string();
    Ok(WebauthnCore::new_unsafe_experts_only(
        RP_NAME,
        &rp_id,
        vec![allowed_origin.clone()],
        TIMEOUT,
        None,
        None,
    ))
}

/// A registration in progress: Okta's activation object and the state to keep.
pub struct RegistrationStart {
    /// `_embedded.activation` of the enroll response (PublicKeyCredentialCreationOptions).
    pub activation: Value,
    pub state: String,
}

/// Starts a registration for `user_id`, excluding the user's existing credentials.
pub fn start_registration(
    user_id: &str,
    login: &str,
    display_name: &str,
    exclude: Vec<Vec<u8>>,
) -> Result<RegistrationStart, CeremonyError> {
    let core = generator();
    // Okta's clients base64url-decode `user.id` (API-NOTES §1.2), so the handle is those bytes.
    let handle = URL_SAFE_NO_PAD
        .decode(user_id)
        .unwrap_or_else(|_| user_id.as_bytes().to_vec());
    let builder = core
        .new_challenge_register_builder(&handle, login, display_name)
        .map_err(|e| CeremonyError::Rejected(e.to_string()))?
        .attestation(AttestationConveyancePreference::Direct)
        .user_verification_policy(UserVerificationPolicy::Preferred)
        .exclude_credentials(Some(exclude.to_vec()));
    let (ccr, state) = core
        .generate_challenge_register(builder)
        .map_err(|e| CeremonyError::Rejected(e.to_string()))?;
    let pk = serde_json::to_value(&ccr.public_key)
        .map_err(|e| CeremonyError::Malformed(e.to_string()))?;
    // Okta's shape (factors-enroll-webauthn.json): no rp.id, ES256 and RS256 only.
    let activation = json!({
        "attestation": "direct",
        "authenticatorSelection": { "userVerification": "preferred", "requireResidentKey": false },
        "challenge": pk["challenge"],
        "excludeCredentials": exclude.iter().map(|c| json!({"type": "public-key", "id": b64url(c)})).collect::<Vec<_>>(),
        "pubKeyCredParams": [
            { "type": "public-key", "alg": -7 },
            { "type": "public-key", "alg": -257 }
        ],
        "rp": { "name": RP_NAME },
        "user": { "displayName": display_name, "name": login, "id": user_id },
    });
    let state =
        serde_json::to_string(&state).map_err(|e| CeremonyError::Malformed(e.to_string()))?;
    Ok(RegistrationStart { activation, state })
}

/// A verified new credential.
pub struct Registered {
    pub credential: String,
    /// base64url credential id: the factor's `profile.credentialId`.
    pub credential_id: String,
    pub authenticator_name: String,
}

/// Verifies Okta's activate body `{attestation, clientData}` against the stored state.
pub fn finish_registration(
    allowed: &[Url],
    state: &str,
    attestation_b64: &str,
    client_data_b64: &str,
) -> Result<Registered, CeremonyError> {
    let state: RegistrationState =
        serde_json::from_str(state).map_err(|e| CeremonyError::Malformed(e.to_string()))?;
    let attestation_object = decode_b64(attestation_b64)?;
    let client_data_json = decode_b64(client_data_b64)?;
    let core = verifier(allowed, &client_data_json)?;
    let reg = RegisterPublicKeyCredential {
        // Never used for registration: the credential id comes from the attestation.
        id: String::new(),
        raw_id: vec![],
        response: AuthenticatorAttestationResponseRaw {
            attestation_object,
            client_data_json,
            transports: None,
        },
        type_: "public-key".to_string(),
        extensions: Default::default(),
    };
    let cred = core
        .register_credential(&reg, &state, None)
        .map_err(|e| CeremonyError::Rejected(e.to_string()))?;
    let credential_id = b64url(cred.cred_id.as_ref());
    let authenticator_name = authenticator_name(&cred);
    let credential =
        serde_json::to_string(&cred).map_err(|e| CeremonyError::Malformed(e.to_string()))?;
    Ok(Registered {
        credential,
        credential_id,
        authenticator_name,
    })
}

/// A friendly name, as Okta shows in `profile.authenticatorName`. Without a metadata service
/// the sandbox tells platform authenticators (passkeys) from roaming keys by attestation.
fn authenticator_name(cred: &Credential) -> String {
    let backup_eligible = cred.backup_eligible;
    if backup_eligible {
        "Passkey".to_string()
    } else {
        "Security key".to_string()
    }
}

/// Starts an assertion for one credential: the challenge (base64url) and the state to keep.
pub fn start_authentication(credential: &str) -> Result<(String, String), CeremonyError> {
    let cred: Credential =
        serde_json::from_str(credential).map_err(|e| CeremonyError::Malformed(e.to_string()))?;
    let core = generator();
    let builder = core
        .new_challenge_authenticate_builder(vec![cred], Some(UserVerificationPolicy::Preferred))
        .map_err(|e| CeremonyError::Rejected(e.to_string()))?;
    let (rcr, state) = core
        .generate_challenge_authenticate(builder)
        .map_err(|e| CeremonyError::Rejected(e.to_string()))?;
    let challenge = b64url(rcr.public_key.challenge.as_ref());
    let state =
        serde_json::to_string(&state).map_err(|e| CeremonyError::Malformed(e.to_string()))?;
    Ok((challenge, state))
}

/// Verifies Okta's verify body `{clientData, authenticatorData, signatureData}`.
pub fn finish_authentication(
    allowed: &[Url],
    state: &str,
    credential_id: &str,
    client_data_b64: &str,
    authenticator_data_b64: &str,
    signature_b64: &str,
) -> Result<(), CeremonyError> {
    let state: AuthenticationState =
        serde_json::from_str(state).map_err(|e| CeremonyError::Malformed(e.to_string()))?;
    let client_data_json = decode_b64(client_data_b64)?;
    let core = verifier(allowed, &client_data_json)?;
    let raw_id = decode_b64(credential_id)?;
    let rsp = PublicKeyCredential {
        id: credential_id.to_string(),
        raw_id,
        response: AuthenticatorAssertionResponseRaw {
            authenticator_data: decode_b64(authenticator_data_b64)?,
            client_data_json,
            signature: decode_b64(signature_b64)?,
            user_handle: None,
        },
        extensions: Default::default(),
        type_: "public-key".to_string(),
    };
    core.authenticate_credential(&rsp, &state)
        .map(|_| ())
        .map_err(|e| CeremonyError::Rejected(e.to_string()))
}

/// The credential id bytes of a stored credential (for `excludeCredentials`).
pub fn credential_id_bytes(credential_id_b64url: &str) -> Option<Vec<u8>> {
    decode_b64(credential_id_b64url).ok()
}
