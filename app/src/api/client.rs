//! The browser side of server-function calls: Leptos's fetch client plus the page's anti-CSRF
//! token in `X-CSRF-Token` (the server refuses state-changing calls without it).

#[cfg(feature = "hydrate")]
mod browser {
    use leptos::server_fn::client::browser::BrowserClient;
    use leptos::server_fn::client::Client;
    use leptos::server_fn::error::FromServerFnError;
    use leptos::server_fn::request::browser::BrowserRequest;
    use leptos::server_fn::response::browser::BrowserResponse;
    use std::future::Future;

    thread_local! {
        static TOKEN: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
    }

    pub fn set_token(token: String) {
        TOKEN.with(|t| *t.borrow_mut() = Some(token).filter(|t| !t.is_empty()));
    }

    /// The session's token: from the hydrated session, else `<meta name="csrf-token">`.
    fn csrf_token() -> Option<String> {
        if let Some(t) = TOKEN.with(|t| t.borrow().clone()) {
            return Some(t);
        }
        let document = web_sys::window()?.document()?;
        let meta = document.query_selector("meta[name=csrf-token]").ok()??;
        meta.get_attribute("content").filter(|t| !t.is_empty())
    }

    pub struct KeyportClient;

    impl<E, IS, OS> Client<E, IS, OS> for KeyportClient
    where
        E: FromServerFnError,
        IS: FromServerFnError,
        OS: FromServerFnError,
    {
        type Request = BrowserRequest;
        type Response = BrowserResponse;

        fn send(req: Self::Request) -> impl Future<Output = Result<Self::Response, E>> + Send {
            if let Some(token) = csrf_token() {
                req.headers().set(super::CSRF_HEADER, &token);
            }
            <BrowserClient as Client<E, IS, OS>>::send(req)
        }

        #[allow(clippy::type_complexity)]
        fn open_websocket(
            path: &str,
        ) -> impl Future<
            Output = Result<
                (
                    impl futures::Stream<Item = Result<bytes::Bytes, bytes::Bytes>> + Send + 'static,
                    impl futures::Sink<bytes::Bytes> + Send + 'static,
                ),
                E,
            >,
        > + Send {
            <BrowserClient as Client<E, IS, OS>>::open_websocket(path)
        }

        fn spawn(future: impl Future<Output = ()> + Send + 'static) {
            <BrowserClient as Client<E, IS, OS>>::spawn(future)
        }
    }
}

#[cfg(feature = "hydrate")]
pub use browser::KeyportClient;

/// Remembers the session's anti-CSRF token for every later call (the layout sets it when the
/// session loads).
pub fn set_csrf_token(token: String) {
    #[cfg(feature = "hydrate")]
    browser::set_token(token);
    #[cfg(not(feature = "hydrate"))]
    let _ = token;
}

/// On the server, server functions run in-process; the client type is never used to send.
#[cfg(not(feature = "hydrate"))]
pub type KeyportClient = leptos::server_fn::client::browser::BrowserClient;

/// The header the token travels in.
pub const CSRF_HEADER: &str = "x-csrf-token";
