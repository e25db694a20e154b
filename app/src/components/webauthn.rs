//! The browser's WebAuthn ceremonies, with webauthn-rs-proto's conversions to and from the
//! browser's types. Only the hydrated app runs them; on the server they are never called.

use serde::{Deserialize, Serialize};

/// Why a ceremony did not finish, in terms a person can act on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CeremonyError {
    /// The browser has no WebAuthn (or the page is not in a secure context).
    Unsupported,
    /// Cancelled, timed out, or no matching key was used (browsers do not say which).
    CancelledOrTimedOut,
    /// The key is already registered on this account (registration only).
    AlreadyRegistered,
    /// The browser refused in this frame (cross-origin iframes without permission).
    NotAllowedHere,
    Other(String),
}

impl CeremonyError {
    pub fn message(&self) -> String {
        match self {
            CeremonyError::Unsupported => "This browser can't use security keys or passkeys here. Try an up-to-date browser, or another method.".into(),
            CeremonyError::CancelledOrTimedOut => "The security key step was cancelled or timed out. Try again when you're ready to touch your key.".into(),
            CeremonyError::AlreadyRegistered => "That security key is already registered on your account. Use a different key, or keep the one you have.".into(),
            CeremonyError::NotAllowedHere => "Your browser doesn't allow security keys inside this embedded page. Continue in a new window.".into(),
            CeremonyError::Other(e) => format!("The security key step failed ({e}). Try again, or choose another method."),
        }
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use super::CeremonyError;
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;
    use webauthn_rs_proto::{
        CreationChallengeResponse, PublicKeyCredential, RegisterPublicKeyCredential,
        RequestChallengeResponse,
    };

    fn classify(err: wasm_bindgen::JsValue) -> CeremonyError {
        let name = err
            .dyn_ref::<web_sys::DomException>()
            .map(|e| e.name())
            .unwrap_or_default();
        match name.as_str() {
            "NotAllowedError" | "AbortError" => CeremonyError::CancelledOrTimedOut,
            "InvalidStateError" => CeremonyError::AlreadyRegistered,
            "SecurityError" => CeremonyError::NotAllowedHere,
            "NotSupportedError" => CeremonyError::Unsupported,
            other => CeremonyError::Other(if other.is_empty() {
                "unknown error".into()
            } else {
                other.into()
            }),
        }
    }

    fn credentials() -> Result<web_sys::CredentialsContainer, CeremonyError> {
        let window = web_sys::window().ok_or(CeremonyError::Unsupported)?;
        if !js_sys::Reflect::has(&window, &"PublicKeyCredential".into()).unwrap_or(false) {
            return Err(CeremonyError::Unsupported);
        }
        Ok(window.navigator().credentials())
    }

    pub async fn get(options_json: &str) -> Result<PublicKeyCredential, CeremonyError> {
        let options: RequestChallengeResponse =
            serde_json::from_str(options_json).map_err(|e| CeremonyError::Other(e.to_string()))?;
        let options: web_sys::CredentialRequestOptions = options.into();
        let promise = credentials()?
            .get_with_options(&options)
            .map_err(classify)?;
        let value = JsFuture::from(promise).await.map_err(classify)?;
        let credential = web_sys::PublicKeyCredential::from(value);
        Ok(PublicKeyCredential::from(credential))
    }

    pub async fn create(options_json: &str) -> Result<RegisterPublicKeyCredential, CeremonyError> {
        let options: CreationChallengeResponse =
            serde_json::from_str(options_json).map_err(|e| CeremonyError::Other(e.to_string()))?;
        let options: web_sys::CredentialCreationOptions = options.into();
        let promise = credentials()?
            .create_with_options(&options)
            .map_err(classify)?;
        let value = JsFuture::from(promise).await.map_err(classify)?;
        let credential = web_sys::PublicKeyCredential::from(value);
        Ok(RegisterPublicKeyCredential::from(credential))
    }

    pub fn supported() -> bool {
        web_sys::window()
            .map(|w| js_sys::Reflect::has(&w, &"PublicKeyCredential".into()).unwrap_or(false))
            .unwrap_or(false)
    }
}

/// Asks the browser for an assertion (sign-in, re-verification).
pub async fn get_assertion(
    options_json: String,
) -> Result<webauthn_rs_proto::PublicKeyCredential, CeremonyError> {
    #[cfg(feature = "hydrate")]
    {
        browser::get(&options_json).await
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = options_json;
        Err(CeremonyError::Unsupported)
    }
}

/// Asks the browser to create a credential (registering a security key or passkey).
pub async fn create_credential(
    options_json: String,
) -> Result<webauthn_rs_proto::RegisterPublicKeyCredential, CeremonyError> {
    #[cfg(feature = "hydrate")]
    {
        browser::create(&options_json).await
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = options_json;
        Err(CeremonyError::Unsupported)
    }
}

/// Whether the browser has WebAuthn at all.
pub fn webauthn_supported() -> bool {
    #[cfg(feature = "hydrate")]
    {
        browser::supported()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        true
    }
}
