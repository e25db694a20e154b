//! One module per page.

pub mod account;
pub mod admin;
pub mod handoff;
pub mod home;
pub mod methods;
pub mod not_found;
pub mod popout;
pub mod signin;
