//! The Okta sandbox: one module per API family and per rule.

mod authn;
mod factors;
