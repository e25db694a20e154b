//! The browser's WebAuthn ceremonies. The server sends the options as WebAuthn's JSON form
//! (webauthn-rs' `CreationChallengeResponse` / `RequestChallengeResponse`); the browser turns
//! them into its binary form itself (`PublicKeyCredential.parseCreationOptionsFromJSON`,
//! WebAuthn Level 3) and the new credential back into JSON (`toJSON()`), which goes to the
//! server untouched. So the wasm carries no WebAuthn types and no base64 of its own. Only the
//! hydrated islands run these; on the server they are never called.

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

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
    use js_sys::{Function, Object, Reflect, JSON};
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;

    fn classify(err: JsValue) -> CeremonyError {
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

    /// The browser's `PublicKeyCredential` class, when it has WebAuthn.
    fn credential_class() -> Result<JsValue, CeremonyError> {
        let window = web_sys::window().ok_or(CeremonyError::Unsupported)?;
        Reflect::get(&window, &"PublicKeyCredential".into())
            .ok()
            .filter(|class| class.is_function())
            .ok_or(CeremonyError::Unsupported)
    }

    /// A method of `target` by name, when it has one.
    fn method(target: &JsValue, name: &str) -> Option<Function> {
        Reflect::get(target, &name.into())
            .ok()
            .and_then(|f| f.dyn_into().ok())
    }

    /// The options for `navigator.credentials.create` / `.get` from their JSON form, by the
    /// browser's own `parse…FromJSON` (a browser without it is asked to update).
    fn options(options_json: &str, parse: &str) -> Result<Object, CeremonyError> {
        let class = credential_class()?;
        let parse = method(&class, parse).ok_or(CeremonyError::Unsupported)?;
        let unreadable = |_| CeremonyError::Other("unreadable options".into());
        let given = JSON::parse(options_json).map_err(unreadable)?;
        let public_key = Reflect::get(&given, &"publicKey".into()).map_err(unreadable)?;
        let parsed = parse.call1(&class, &public_key).map_err(classify)?;
        let options = Object::new();
        Reflect::set(&options, &"publicKey".into(), &parsed).map_err(unreadable)?;
        // Conditional mediation (passkey autofill), when the server asks for it.
        if let Ok(mediation) = Reflect::get(&given, &"mediation".into()) {
            if mediation.is_string() {
                Reflect::set(&options, &"mediation".into(), &mediation).map_err(unreadable)?;
            }
        }
        Ok(options)
    }

    /// The credential the browser made, as JSON text (its own `toJSON()`).
    async fn finish(promise: js_sys::Promise) -> Result<String, CeremonyError> {
        let credential = JsFuture::from(promise).await.map_err(classify)?;
        let to_json = method(&credential, "toJSON").ok_or(CeremonyError::Unsupported)?;
        let json = to_json.call0(&credential).map_err(classify)?;
        JSON::stringify(&json)
            .map(String::from)
            .map_err(|_| CeremonyError::Other("unreadable credential".into()))
    }

    fn credentials() -> Result<web_sys::CredentialsContainer, CeremonyError> {
        Ok(web_sys::window()
            .ok_or(CeremonyError::Unsupported)?
            .navigator()
            .credentials())
    }

    pub async fn get(options_json: &str) -> Result<String, CeremonyError> {
        let options = options(options_json, "parseRequestOptionsFromJSON")?;
        let promise = credentials()?
            .get_with_options(options.unchecked_ref())
            .map_err(classify)?;
        finish(promise).await
    }

    pub async fn create(options_json: &str) -> Result<String, CeremonyError> {
        let options = options(options_json, "parseCreationOptionsFromJSON")?;
        let promise = credentials()?
            .create_with_options(options.unchecked_ref())
            .map_err(classify)?;
        finish(promise).await
    }

    pub fn supported() -> bool {
        credential_class().is_ok()
    }
}

/// Asks the browser for an assertion (sign-in, re-verification): the credential as JSON.
pub async fn get_assertion(options_json: String) -> Result<Box<RawValue>, CeremonyError> {
    #[cfg(feature = "hydrate")]
    {
        as_raw(browser::get(&options_json).await?)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = options_json;
        Err(CeremonyError::Unsupported)
    }
}

/// Asks the browser to create a credential (registering a security key or passkey): the
/// credential as JSON.
pub async fn create_credential(options_json: String) -> Result<Box<RawValue>, CeremonyError> {
    #[cfg(feature = "hydrate")]
    {
        as_raw(browser::create(&options_json).await?)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = options_json;
        Err(CeremonyError::Unsupported)
    }
}

/// The browser's JSON text, passed on as it is.
#[cfg(feature = "hydrate")]
fn as_raw(json: String) -> Result<Box<RawValue>, CeremonyError> {
    RawValue::from_string(json).map_err(|_| CeremonyError::Other("unreadable credential".into()))
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
