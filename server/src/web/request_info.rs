//! Who is asking: the client's address, browser and language, gathered once per request for
//! Okta's context headers, abuse limits and audit lines.
//!
//! The address is the TCP peer, unless that peer is a configured trusted proxy, in which case
//! it is the nearest untrusted address in `X-Forwarded-For` (a client cannot spoof past a
//! proxy it does not control).

use app::api::RequestInfo;
use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use super::request_id::RequestId;

/// Proxies whose `X-Forwarded-For` is believed.
#[derive(Clone, Debug, Default)]
pub struct TrustedProxies(pub Arc<Vec<IpAddr>>);

/// The client's address as far as it can be trusted.
pub fn client_ip(
    peer: Option<IpAddr>,
    forwarded_for: Option<&str>,
    trusted: &[IpAddr],
) -> Option<IpAddr> {
    let peer = peer?;
    if !trusted.contains(&peer) {
        return Some(peer);
    }
    let hops: Vec<IpAddr> = forwarded_for
        .unwrap_or_default()
        .split(',')
        .filter_map(|h| h.trim().parse().ok())
        .collect();
    // From the right: the first address not one of our proxies is the client.
    hops.iter()
        .rev()
        .find(|ip| !trusted.contains(ip))
        .copied()
        .or(Some(peer))
}

pub async fn gather(
    State(trusted): State<TrustedProxies>,
    mut req: Request,
    next: Next,
) -> Response {
    let info = {
        let peer = req
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        let header = |name: &str| {
            req.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(|s| s.chars().take(512).collect::<String>())
        };
        let ip = client_ip(peer, header("x-forwarded-for").as_deref(), &trusted.0);
        RequestInfo {
            request_id: req
                .extensions()
                .get::<RequestId>()
                .map(|r| r.0.clone())
                .unwrap_or_default(),
            client_ip: ip.map(|i| i.to_string()),
            user_agent: header("user-agent"),
            accept_language: header("accept-language"),
        }
    };
    req.extensions_mut().insert(info);
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let proxy: IpAddr = "10.0.0.2".parse().unwrap();
        let client: IpAddr = "203.0.113.9".parse().unwrap();
        let spoof = Some("198.51.100.1, 203.0.113.9");
        assert_eq!(
            client_ip(Some(client), spoof, &[proxy]),
            Some(client),
            "an untrusted peer is the client"
        );
        assert_eq!(
            client_ip(Some(proxy), spoof, &[proxy]),
            Some(client),
            "the nearest untrusted hop"
        );
        assert_eq!(client_ip(Some(proxy), None, &[proxy]), Some(proxy));
        assert_eq!(client_ip(None, spoof, &[proxy]), None);
    }
}
