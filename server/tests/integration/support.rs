//! Shared set-up: a Keyport router over a sandbox on an ephemeral port.
#![allow(dead_code)] // helpers are shared by test modules that each use a part of them

use axum::body::Body;
use axum::http::{Request, Response};
use http_body_util::BodyExt;
use server::config::{Config, Sources};
use tower::ServiceExt;

/// A configuration for tests: sandbox on an ephemeral loopback port, quiet logs.
pub fn test_config(extra: &[(&str, &str)]) -> Config {
    let mut vars = vec![
        (
            "KEYPORT_SANDBOX_ADDR".to_string(),
            "127.0.0.1:0".to_string(),
        ),
        ("KEYPORT_ADDR".to_string(), "127.0.0.1:0".to_string()),
    ];
    vars.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    Config::from_sources(&Sources::from_vars(vars).unwrap()).unwrap()
}

pub struct TestApp {
    pub router: axum::Router,
    pub sandbox: server::RunningSandbox,
}

pub async fn keyport() -> TestApp {
    let config = test_config(&[]);
    let assembled = server::assemble(&config).await.unwrap();
    TestApp {
        router: assembled.router,
        sandbox: assembled.sandbox.unwrap(),
    }
}

impl TestApp {
    pub async fn get(&self, path: &str) -> Response<Body> {
        self.router
            .clone()
            .oneshot(Request::get(path).body(Body::empty()).unwrap())
            .await
            .unwrap()
    }
}

pub async fn body_string(res: Response<Body>) -> String {
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    String::from_utf8(bytes.to_vec()).unwrap()
}

pub async fn body_json(res: Response<Body>) -> serde_json::Value {
    serde_json::from_str(&body_string(res).await).unwrap()
}
