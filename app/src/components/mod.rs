//! Building blocks shared by the pages.

pub mod activity;
pub mod challenge;
pub mod copy_button;
pub mod embed;
pub mod hydration;
pub mod icons;
pub mod layout;
pub mod notice;
pub mod password_rules;
pub mod reverify;
pub mod webauthn;
