//! The Okta client: every Okta call Keyport makes goes through here, whether to a real org or
//! to the built-in sandbox. Typed requests and answers (`types`), one module of methods per API
//! family (`endpoints`), and one transport (`client`) with the rate-limit budget, retries of
//! idempotent reads only, and a circuit breaker.

mod breaker;
pub mod cache;
mod client;
pub mod endpoints;
pub mod error;
pub mod ratelimit;
pub mod types;

pub use client::{CallContext, ClientSettings, OktaClient};
pub use endpoints::authn::AuthnVerifyQuery;
pub use endpoints::factors::{ActivationChannel, VerifyQuery};
pub use endpoints::users::UserQuery;
pub use error::{OktaError, RateLimitScope};

/// An Okta API token. It prints as `***` so it cannot reach a log line, an error message or a
/// `Debug` dump by accident; only [`ApiToken::expose`] reveals it, for the `Authorization` header.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiToken(String);

impl ApiToken {
    pub fn new(token: impl Into<String>) -> Self {
        ApiToken(token.into())
    }

    /// The token itself. Call only to build the `Authorization` header or compare it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for ApiToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

impl std::fmt::Display for ApiToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

#[cfg(test)]
mod tests {
    use super::ApiToken;

    #[test]
    fn the_token_never_prints() {
        let t = ApiToken::new("00secretvalue");
        assert_eq!(format!("{t}"), "***");
        assert_eq!(format!("{t:?}"), "***");
        assert_eq!(format!("{:?}", Some(t.clone())), "Some(***)");
        assert_eq!(t.expose(), "00secretvalue");
    }
}
