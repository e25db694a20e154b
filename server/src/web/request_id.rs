//! A fresh id for every request, in the log line, the `X-Request-Id` response header and any
//! error shown to the user, so support can find what happened.
//!
//! An incoming `X-Request-Id` is ignored: a client could otherwise forge log content.

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;

/// The id of the request being handled, in the request's extensions.
#[derive(Clone, Debug)]
pub struct RequestId(pub String);

pub const HEADER: &str = "x-request-id";

pub async fn assign(mut req: Request, next: Next) -> Response {
    let id = uuid::Uuid::new_v4().simple().to_string();
    let header = HeaderValue::from_str(&id).ok();
    req.headers_mut().remove(HEADER);
    if let Some(value) = header.clone() {
        req.headers_mut().insert(HEADER, value);
    }
    req.extensions_mut().insert(RequestId(id));
    let mut res = next.run(req).await;
    if let Some(value) = header {
        res.headers_mut().insert(HEADER, value);
    }
    res
}
