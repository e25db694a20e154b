//! Keyport's own surface: sessions, CSRF, handoff, authorization, re-verification.

mod authz;
mod csrf;
mod enrollment;
mod redis;
mod sessions;
