//! Building blocks shared by the pages.

pub mod hydration;
pub mod layout;
