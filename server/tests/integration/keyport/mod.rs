//! Keyport's own surface: sessions, CSRF, handoff, authorization, re-verification.

mod csrf;
mod sessions;
