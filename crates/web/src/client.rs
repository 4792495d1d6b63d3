//! The client's address, for the login throttle: the direct peer, unless that peer is one of
//! the configured trusted proxies (none by default), in which case the address the proxy
//! forwarded — the right-most address of `X-Forwarded-For` that is not itself a trusted
//! proxy, or else `X-Real-IP`. A client that talks to a node directly cannot choose its
//! address by sending these headers.

use std::net::{IpAddr, SocketAddr};

use axum::http::HeaderMap;
use ipnet::IpNet;

/// An address of `X-Forwarded-For` or `X-Real-IP`: an IP, possibly with a port
/// (`203.0.113.5:4711`, `[2001:db8::1]:80`).
fn parse_ip(raw: &str) -> Option<IpAddr> {
    let raw = raw.trim();
    raw.parse::<IpAddr>()
        .ok()
        .or_else(|| raw.parse::<SocketAddr>().ok().map(|s| s.ip()))
}

fn trusted(ip: IpAddr, proxies: &[IpNet]) -> bool {
    proxies.iter().any(|n| n.contains(&ip))
}

/// The client's address as text; `unknown` when the connection's peer is not known.
pub fn address(headers: &HeaderMap, peer: Option<SocketAddr>, proxies: &[IpNet]) -> String {
    let Some(peer) = peer.map(|p| p.ip()) else {
        return "unknown".to_string();
    };
    if !trusted(peer, proxies) {
        return peer.to_string();
    }
    let forwarded: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .collect();
    let mut last_proxy = None;
    for entry in forwarded.iter().rev() {
        match parse_ip(entry) {
            Some(ip) if trusted(ip, proxies) => last_proxy = Some(ip),
            Some(ip) => return ip.to_string(),
            // A malformed entry: what lies left of it cannot be trusted.
            None => break,
        }
    }
    headers
        .get("x-real-ip")
        .and_then(|v| v.to_str().ok())
        .and_then(parse_ip)
        .or(last_proxy)
        .unwrap_or(peer)
        .to_string()
}

/// Parses a list of trusted proxies: addresses or networks (`10.0.0.0/8`, `::1`), separated
/// by commas or spaces.
pub fn parse_proxies(list: &str) -> Result<Vec<IpNet>, String> {
    list.split(|c: char| c == ',' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<IpNet>()
                .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| format!("`{s}` is not an IP address or network (10.0.0.0/8, ::1)"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, v.parse().unwrap());
        }
        h
    }

    fn peer(ip: &str) -> SocketAddr {
        SocketAddr::new(ip.parse().unwrap(), 40000)
    }

    #[test]
    fn without_trusted_proxies_the_headers_are_ignored() {
        let h = headers(&[("x-real-ip", "1.2.3.4"), ("x-forwarded-for", "5.6.7.8")]);
        assert_eq!(address(&h, Some(peer("203.0.113.9")), &[]), "203.0.113.9");
        assert_eq!(address(&h, None, &[]), "unknown");
    }

    #[test]
    fn a_trusted_proxy_forwards_the_right_most_untrusted_address() {
        let proxies = parse_proxies("10.0.0.0/8, 127.0.0.1").unwrap();
        // The client wrote a forged first entry; the proxy appended the real one.
        let h = headers(&[("x-forwarded-for", "6.6.6.6, 198.51.100.7, 10.1.2.3")]);
        assert_eq!(
            address(&h, Some(peer("10.0.0.2")), &proxies),
            "198.51.100.7"
        );
        let h = headers(&[("x-real-ip", "198.51.100.8")]);
        assert_eq!(
            address(&h, Some(peer("127.0.0.1")), &proxies),
            "198.51.100.8"
        );
        let h = headers(&[("x-forwarded-for", "[2001:db8::7]:443")]);
        assert_eq!(address(&h, Some(peer("10.0.0.2")), &proxies), "2001:db8::7");
        // Nothing forwarded, or garbage: the proxy's own address.
        assert_eq!(
            address(&headers(&[]), Some(peer("10.0.0.2")), &proxies),
            "10.0.0.2"
        );
        let h = headers(&[("x-forwarded-for", "not an address")]);
        assert_eq!(address(&h, Some(peer("10.0.0.2")), &proxies), "10.0.0.2");
        // An untrusted peer behind which a trusted one is claimed changes nothing.
        let h = headers(&[("x-forwarded-for", "10.0.0.5")]);
        assert_eq!(
            address(&h, Some(peer("198.51.100.1")), &proxies),
            "198.51.100.1"
        );
    }

    #[test]
    fn bad_proxy_lists_are_named() {
        assert!(parse_proxies("").unwrap().is_empty());
        assert_eq!(parse_proxies("::1 192.168.0.0/16").unwrap().len(), 2);
        let e = parse_proxies("10.0.0.0/8,proxy.local").unwrap_err();
        assert!(e.contains("proxy.local"), "{e}");
    }
}
