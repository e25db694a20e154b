//! The Okta sandbox: one module per API family and per rule.

mod authenticators;
mod factors;
mod logs;
mod users;
