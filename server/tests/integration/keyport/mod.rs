//! Keyport's own surface: sessions, CSRF, handoff, authorization, re-verification.

mod account;
mod admin;
mod authz;
mod csrf;
mod embed;
mod enrollment;
mod okta_calls;
mod redis;
mod sessions;
