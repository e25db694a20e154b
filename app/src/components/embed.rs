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

/// The message a pop-out window posts to the frame that opened it, asking for its ticket.
pub const POPOUT_HELLO: &str = "keyport:popout-ready";
/// The frame's answer: this prefix, then the ticket.
pub const POPOUT_TICKET: &str = "keyport:popout-ticket:";

/// Opens Keyport's pop-out window for `purpose` (`register` a security key, or `reverify`
/// with one) for this framed session. Call it inside the click: a window opened after an
/// await is blocked, so it opens blank now and goes to `/popout#<purpose>` once the
/// single-use ticket is there. `on_error` hears of a blocked window or a refused ticket.
///
/// The ticket never goes in an address: the window asks the frame that opened it
/// ([`POPOUT_HELLO`], to Keyport's own origin only), and this frame answers that window alone.
/// A `/popout` link someone else sends (with *their* ticket, to join this browser to their
/// session) therefore has nothing to give: its window has no Keyport frame as its opener.
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
                        answer_hello(p.clone(), ticket);
                        let _ = p.location().set_href(&format!("/popout#{purpose}"));
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

/// Gives `ticket` to `popup` once it says hello from Keyport's own origin.
#[cfg(feature = "hydrate")]
fn answer_hello(popup: web_sys::Window, ticket: String) {
    use wasm_bindgen::{closure::Closure, JsCast};
    let Some(window) = web_sys::window() else {
        return;
    };
    let Ok(origin) = window.location().origin() else {
        return;
    };
    let answered = std::rc::Rc::new(std::cell::Cell::new(false));
    let handler =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
            let from_popup = ev
                .source()
                .is_some_and(|s| js_sys::Object::is(&s, popup.as_ref()));
            let hello = ev.data().as_string().as_deref() == Some(POPOUT_HELLO);
            if answered.get() || ev.origin() != origin || !from_popup || !hello {
                return;
            }
            answered.set(true);
            let answer = wasm_bindgen::JsValue::from_str(&format!("{POPOUT_TICKET}{ticket}"));
            let _ = popup.post_message(&answer, &origin);
        });
    let _ = window.add_event_listener_with_callback("message", handler.as_ref().unchecked_ref());
    // One small listener per window opened; it answers once and then ignores everything.
    handler.forget();
}

/// In the pop-out window: asks the Keyport frame that opened it for the ticket, and hands it
/// to `on_ticket`. `false` when there is no opener to ask (the window was not opened by
/// Keyport); an opener on another origin never hears the question, nor can it answer.
pub fn ask_opener_for_ticket(on_ticket: impl Fn(String) + 'static) -> bool {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::{closure::Closure, JsCast};
        let Some(window) = web_sys::window() else {
            return false;
        };
        let Ok(origin) = window.location().origin() else {
            return false;
        };
        let opener = match window.opener() {
            Ok(o) if !o.is_null() && !o.is_undefined() => o.unchecked_into::<web_sys::Window>(),
            _ => return false,
        };
        let expected = opener.clone();
        let own_origin = origin.clone();
        let handler =
            Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
                let from_opener = ev
                    .source()
                    .is_some_and(|s| js_sys::Object::is(&s, expected.as_ref()));
                if ev.origin() != own_origin || !from_opener {
                    return;
                }
                if let Some(ticket) = ev
                    .data()
                    .as_string()
                    .and_then(|d| d.strip_prefix(POPOUT_TICKET).map(str::to_string))
                {
                    on_ticket(ticket);
                }
            });
        let _ =
            window.add_event_listener_with_callback("message", handler.as_ref().unchecked_ref());
        handler.forget();
        opener
            .post_message(&wasm_bindgen::JsValue::from_str(POPOUT_HELLO), &origin)
            .is_ok()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = on_ticket;
        false
    }
}
