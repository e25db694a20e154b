//! Placeholder module: routes are added by the enrollments work.

use crate::sandbox::Sandbox;
use axum::Router;

pub fn routes() -> Router<Sandbox> {
    Router::new()
}
