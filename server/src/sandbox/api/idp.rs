//! Placeholder module: Okta Verify's own enrollment endpoint (`/idp/authenticators`).

use crate::sandbox::Sandbox;
use axum::Router;

pub fn routes() -> Router<Sandbox> {
    Router::new()
}
