//! Telling the page that embeds Keyport what happened (README, "Embedding Keyport in another
//! site"). The app only raises a `keyport:event` DOM event; `/embed.js` decides whether there
//! is a host to tell (Keyport inside an allowed site's frame) and posts it to that origin alone.
//! Nothing secret goes in: kinds and names people see on the page, never codes or tokens.

use crate::error::PortalError;
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

/// Opens Keyport's pop-out window for `purpose` (`register` a security key, or `reverify`
/// with one) for this framed session. Call it inside the click: a window opened after an
/// await is blocked, so it opens blank now and goes to `/popout#<purpose>.<ticket>` once the
/// single-use ticket is there. `on_error` hears of a blocked window or a refused ticket.
pub fn open_popout(purpose: &'static str, on_error: impl Fn(PortalError) + 'static) {
    #[cfg(feature = "hydrate")]
    let popup = web_sys::window().and_then(|w| {
        w.open_with_url_and_target_and_features(
            "about:blank",
            "keyport-popout",
            "popup,width=520,height=640",
        )
        .ok()
        .flatten()
    });
    leptos::task::spawn_local(async move {
        match crate::api::methods::popout_ticket(purpose.to_string()).await {
            Ok(ticket) => {
                #[cfg(feature = "hydrate")]
                match &popup {
                    Some(p) => {
                        let _ = p.location().set_href(&format!("/popout#{purpose}.{ticket}"));
                    }
                    None => on_error(PortalError::new(
                        crate::error::ErrorCode::InvalidInput,
                        "Your browser blocked the new window. Allow pop-ups for this site, then try again.",
                    )),
                }
                #[cfg(not(feature = "hydrate"))]
                let _ = ticket;
            }
            Err(e) => {
                #[cfg(feature = "hydrate")]
                if let Some(p) = &popup {
                    let _ = p.close();
                }
                on_error(e);
            }
        }
    });
}
