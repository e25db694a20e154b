//! Telling the page that embeds Keyport what happened (README, "Embedding Keyport in another
//! site"). The app only raises a `keyport:event` DOM event; `/embed.js` decides whether there
//! is a host to tell (Keyport inside an allowed site's frame) and posts it to that origin alone.
//! Nothing secret goes in: kinds and names people see on the page, never codes or tokens.

use serde_json::{json, Value};

/// Raises `keyport:<kind>` with `fields` (a JSON object) for the embedding page, if any.
pub fn announce(kind: &str, fields: Value) {
    let mut message = match fields {
        Value::Object(map) => Value::Object(map),
        _ => json!({}),
    };
    message["type"] = Value::String(format!("keyport:{kind}"));
    #[cfg(feature = "hydrate")]
    {
        let init = web_sys::CustomEventInit::new();
        init.set_detail(&wasm_bindgen::JsValue::from_str(&message.to_string()));
        if let (Some(window), Ok(event)) = (
            web_sys::window(),
            web_sys::CustomEvent::new_with_event_init_dict("keyport:event", &init),
        ) {
            let _ = window.dispatch_event(&event);
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = message;
}

/// Whether Keyport is inside a frame (another site's page, in embed mode). Only the browser
/// knows: on the server, and until hydration, the answer is "no", so read it in an effect.
pub fn framed() -> bool {
    #[cfg(feature = "hydrate")]
    {
        let Some(window) = web_sys::window() else {
            return false;
        };
        match window.top() {
            Ok(Some(top)) => !js_sys::Object::is(&top, &window),
            _ => false,
        }
    }
    #[cfg(not(feature = "hydrate"))]
    {
        false
    }
}
