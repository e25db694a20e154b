//! Okta's endpoints as methods of [`OktaClient`](super::OktaClient), one module per API family
//! (API-NOTES §1 Factors, §3 enrollments, §4 authenticators, §5 Authn, §6 Users).

pub mod authenticators;
pub mod authn;
pub mod enrollments;
pub mod factors;
pub mod policies;
pub mod users;
