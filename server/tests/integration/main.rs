//! Keyport's integration tests: one binary (each test binary links the whole dependency tree).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod attacks;
mod keyport;
mod notify;
mod okta_client;
mod okta_client_more;
mod okta_examples;
mod sandbox;
mod spec_conformance;
mod support;
mod web;
