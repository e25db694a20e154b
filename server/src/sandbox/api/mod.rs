//! Okta's HTTP API, as the sandbox serves it. One module per API family.

pub mod authenticators;
pub mod authn;
pub mod enrollments;
pub mod factors;
pub mod idp;
pub mod logs;
pub mod policies;
pub mod users;

use super::error::{ApiError, ApiResult};
use super::events::Origin;
use super::Sandbox;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::Router;
use serde::de::DeserializeOwned;

/// The Okta API routes under `/api/v1` (the SSWS check wraps them; `/idp` is mounted apart).
pub fn routes() -> Router<Sandbox> {
    Router::new()
        .merge(factors::routes())
        .merge(authn::routes())
        .merge(users::routes())
        .merge(logs::routes())
        .merge(authenticators::routes())
        .merge(enrollments::routes())
        .merge(policies::routes())
}

/// The org's base URL as the caller addressed it (links in bodies use it, as Okta's do).
pub struct Base(pub String);

impl<S: Send + Sync> FromRequestParts<S> for Base {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let host = parts
            .headers
            .get("host")
            .and_then(|h| h.to_str().ok())
            .unwrap_or("localhost")
            .to_string();
        Ok(Base(format!("http://{host}")))
    }
}

/// Client context Okta reads from headers (API-NOTES §0): `X-Forwarded-For`, `User-Agent`,
/// `Accept-Language`.
#[derive(Clone, Debug, Default)]
pub struct Client {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub accept_language: Option<String>,
}

impl Client {
    pub fn origin(&self, by_admin: bool) -> Origin {
        Origin {
            client_ip: self.ip.clone(),
            user_agent: self.user_agent.clone(),
            by_admin,
        }
    }

    /// The first language tag of `Accept-Language` (`fr-CA,fr;q=0.9` → `fr-CA`).
    pub fn language(&self) -> Option<String> {
        self.accept_language
            .as_deref()
            .and_then(|v| v.split(',').next())
            .map(|t| t.split(';').next().unwrap_or(t).trim().to_string())
            .filter(|t| !t.is_empty())
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Client {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let header = |name: &str| {
            parts
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        Ok(Client {
            ip: header("x-forwarded-for")
                .map(|v| v.split(',').next().unwrap_or("").trim().to_string()),
            user_agent: header("user-agent"),
            accept_language: header("accept-language"),
        })
    }
}

/// A JSON body; a malformed one is Okta's 400 E0000003. An empty body reads as `T::default()`.
pub struct Body<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Default> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|e| ApiError::bad_body(e.to_string()))?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(Body(T::default()));
        }
        serde_json::from_slice(&bytes)
            .map(Body)
            .map_err(|e| ApiError::bad_body(e.to_string()))
    }
}

/// Parses a boolean query flag as Okta does (`true`/`false`, absent = false).
pub fn flag(value: &Option<String>) -> bool {
    value
        .as_deref()
        .is_some_and(|v| v.eq_ignore_ascii_case("true"))
}

pub type Json = axum::Json<serde_json::Value>;

/// `Ok(Json)` shorthand.
pub fn ok(value: serde_json::Value) -> ApiResult<Json> {
    Ok(axum::Json(value))
}
