//! WebAuthn between Okta's JSON and the browser's ceremony (webauthn-rs-proto types).
//!
//! Okta's challenges and credential ids are base64url text (API-NOTES §1.2); Okta names no RP
//! id, so the browser's ceremony uses Keyport's host. Assertions go back to Okta as base64url
//! `clientData`, `authenticatorData` and `signatureData`.

use app::error::{ErrorCode, PortalError};
use base64::engine::general_purpose::{STANDARD, URL_SAFE, URL_SAFE_NO_PAD};
use base64::Engine;
use webauthn_rs_proto::{
    AllowCredentials, PublicKeyCredential, PublicKeyCredentialRequestOptions,
    RequestChallengeResponse, UserVerificationPolicy,
};

fn decode(s: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD
        .decode(s.trim_end_matches('='))
        .or_else(|_| URL_SAFE.decode(s))
        .or_else(|_| STANDARD.decode(s))
        .ok()
}

/// The request options for an assertion of one credential, as JSON for the page.
pub fn request_options(
    challenge: &str,
    credential_id: &str,
    rp_id: &str,
) -> Result<String, PortalError> {
    let bad = || {
        PortalError::new(
            ErrorCode::Internal,
            "Okta sent a security key challenge Keyport could not read.",
        )
    };
    let challenge = decode(challenge).ok_or_else(bad)?;
    let mut allow = vec![];
    if let Some(id) = decode(credential_id).filter(|id| !id.is_empty()) {
        allow.push(AllowCredentials {
            type_: "public-key".into(),
            id,
            transports: None,
        });
    }
    let options = RequestChallengeResponse {
        public_key: PublicKeyCredentialRequestOptions {
            challenge,
            timeout: Some(120_000),
            rp_id: rp_id.to_string(),
            allow_credentials: allow,
            user_verification: UserVerificationPolicy::Preferred,
            extensions: None,
            hints: None,
        },
        mediation: None,
    };
    serde_json::to_string(&options).map_err(|_| bad())
}

/// `(clientData, authenticatorData, signatureData)` for Okta's verify body.
pub fn assertion_fields(credential: &PublicKeyCredential) -> (String, String, String) {
    let r = &credential.response;
    (
        URL_SAFE_NO_PAD.encode(r.client_data_json.as_slice()),
        URL_SAFE_NO_PAD.encode(r.authenticator_data.as_slice()),
        URL_SAFE_NO_PAD.encode(r.signature.as_slice()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_carry_the_challenge_credential_and_our_host() {
        let json = request_options("dGVzdC1jaGFsbGVuZ2U", "Y3JlZC1pZA", "localhost").unwrap();
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v["publicKey"]["rpId"], "localhost");
        assert_eq!(v["publicKey"]["challenge"], "dGVzdC1jaGFsbGVuZ2U");
        assert_eq!(v["publicKey"]["allowCredentials"][0]["id"], "Y3JlZC1pZA");
    }
}
