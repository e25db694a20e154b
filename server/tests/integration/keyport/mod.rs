//! Keyport's own surface: sessions, CSRF, handoff, authorization, re-verification.

mod authz;
mod csrf;
mod redis;
mod sessions;
