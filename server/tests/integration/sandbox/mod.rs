//! The Okta sandbox: one module per API family and per rule.

mod authenticators;
mod authn;
mod control;
mod enrollments;
mod factors;
mod idp;
mod logs;
mod users;
