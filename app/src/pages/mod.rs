//! One module per page.
//!
//! The server compiles every page. A browser build compiles only the pages of its page group
//! (cargo features `page-<group>`, `assets::PageGroup`), so each
//! group's wasm carries the code of its own islands and nothing else. Pages without islands
//! need no code in the browser and are compiled into no wasm.

#[cfg(any(not(feature = "hydrate"), feature = "page-account"))]
pub mod account;
#[cfg(any(not(feature = "hydrate"), feature = "page-admin"))]
pub mod admin;
#[cfg(not(feature = "hydrate"))]
pub mod handoff;
#[cfg(any(not(feature = "hydrate"), feature = "page-portal"))]
pub mod home;
#[cfg(any(not(feature = "hydrate"), feature = "page-portal"))]
pub mod methods;
#[cfg(any(not(feature = "hydrate"), feature = "page-admin"))]
pub mod not_found;
#[cfg(any(not(feature = "hydrate"), feature = "page-popout"))]
pub mod popout;
#[cfg(any(not(feature = "hydrate"), feature = "page-signin"))]
pub mod signin;
