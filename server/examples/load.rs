//! A load generator for the running server: `cargo run --release -p server --example load --
//! <scenario> [--target URL] [--concurrency N] [--seconds S]`.
//!
//! Scenarios:
//! - `sandbox-read`: `GET /api/v1/users/{id}/factors` spread over the seeded users (the
//!   sandbox's busiest path when Keyport shows methods pages).
//! - `sandbox-verify`: TOTP verifications for the seeded TOTP users, fresh codes each time
//!   (writes that lock one user each).
//! - `keyport-health`: `GET /healthz` on Keyport itself (the router and middleware floor).
//! - `keyport-ready`: `GET /readyz` on Keyport (one Okta call per request through the client).
//!
//! It prints requests per second and latency percentiles (HdrHistogram), and counts answers by
//! status, so a run shows both throughput and whether anything was refused.

use hdrhistogram::Histogram;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

const SANDBOX_TOKEN: &str = "keyport-sandbox-token";
const READ_USERS: [&str; 5] = [
    "00u1nora0nofactors00",
    "00u1victor0verify000",
    "00u1olivia0oie000000",
    "00u1tina0totp0000000",
    "00u1adam0admin000000",
];

struct Args {
    scenario: String,
    target: String,
    concurrency: usize,
    seconds: u64,
}

fn args() -> Result<Args, String> {
    let mut it = std::env::args().skip(1);
    let scenario = it
        .next()
        .ok_or("usage: load <scenario> [--target URL] [--concurrency N] [--seconds S]")?;
    let mut a = Args {
        target: if scenario.starts_with("keyport") {
            "http://127.0.0.1:3000"
        } else {
            "http://127.0.0.1:3001"
        }
        .into(),
        scenario,
        concurrency: 32,
        seconds: 10,
    };
    while let Some(flag) = it.next() {
        let value = it.next().ok_or(format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--target" => a.target = value.trim_end_matches('/').to_string(),
            "--concurrency" => a.concurrency = value.parse().map_err(|_| "bad --concurrency")?,
            "--seconds" => a.seconds = value.parse().map_err(|_| "bad --seconds")?,
            other => return Err(format!("unknown flag {other}")),
        }
    }
    Ok(a)
}

#[derive(Default)]
struct Tally {
    histogram: Option<Histogram<u64>>,
    statuses: BTreeMap<String, u64>,
}

/// One request of the scenario; returns the status (or "error").
async fn one(client: &reqwest::Client, a: &Args, n: usize) -> String {
    let result = match a.scenario.as_str() {
        "sandbox-read" => {
            let user = READ_USERS[n % READ_USERS.len()];
            client
                .get(format!("{}/api/v1/users/{user}/factors", a.target))
                .header("Authorization", format!("SSWS {SANDBOX_TOKEN}"))
                .send()
                .await
        }
        "sandbox-verify" => {
            // The seeded org has one TOTP user: verify with (mostly) wrong codes, so every request
            // does the full check under that user's lock without being refused for replay.
            client
                .post(format!(
                    "{}/api/v1/users/00u1tina0totp0000000/factors/uft1tina0google00000/verify",
                    a.target
                ))
                .header("Authorization", format!("SSWS {SANDBOX_TOKEN}"))
                .json(&serde_json::json!({ "passCode": format!("{:06}", n % 1_000_000) }))
                .send()
                .await
        }
        "keyport-health" => client.get(format!("{}/healthz", a.target)).send().await,
        "keyport-ready" => client.get(format!("{}/readyz", a.target)).send().await,
        other => return format!("unknown scenario {other}"),
    };
    match result {
        Ok(res) => {
            let status = res.status().as_u16().to_string();
            let _ = res.bytes().await;
            status
        }
        Err(_) => "error".into(),
    }
}

#[tokio::main]
async fn main() {
    let a = match args() {
        Ok(a) => Arc::new(a),
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(a.concurrency)
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap_or_default();
    let tally = Arc::new(Mutex::new(Tally {
        histogram: Histogram::new_with_bounds(1, 60_000_000, 3).ok(),
        ..Default::default()
    }));
    if a.scenario.starts_with("sandbox") {
        // The sandbox enforces Okta's per-minute limits; lift them so the run measures the
        // sandbox's own capacity rather than its imitation of Okta's.
        let limits = serde_json::json!({"factors": 100_000_000, "users": 100_000_000});
        let _ = client
            .put(format!("{}/sandbox/api/limits", a.target))
            .json(&limits)
            .send()
            .await;
    }
    let deadline = Instant::now() + Duration::from_secs(a.seconds);
    let started = Instant::now();
    let mut workers = vec![];
    for w in 0..a.concurrency {
        let (client, a, tally) = (client.clone(), a.clone(), tally.clone());
        workers.push(tokio::spawn(async move {
            let mut n = w;
            let mut local = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).ok();
            let mut statuses: BTreeMap<String, u64> = BTreeMap::new();
            while Instant::now() < deadline {
                let t = Instant::now();
                let status = one(&client, &a, n).await;
                if let Some(h) = local.as_mut() {
                    let _ = h.record(t.elapsed().as_micros().max(1) as u64);
                }
                *statuses.entry(status).or_default() += 1;
                n += a.concurrency;
            }
            let mut t = tally.lock().await;
            if let (Some(total), Some(local)) = (t.histogram.as_mut(), local.as_ref()) {
                let _ = total.add(local);
            }
            for (k, v) in statuses {
                *t.statuses.entry(k).or_default() += v;
            }
        }));
    }
    for w in workers {
        let _ = w.await;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let t = tally.lock().await;
    let count: u64 = t.statuses.values().sum();
    println!(
        "scenario={} target={} concurrency={} seconds={:.1}",
        a.scenario, a.target, a.concurrency, elapsed
    );
    println!("requests={count} rps={:.0}", count as f64 / elapsed);
    if let Some(h) = &t.histogram {
        println!(
            "latency_ms p50={:.2} p90={:.2} p99={:.2} max={:.2}",
            h.value_at_quantile(0.50) as f64 / 1000.0,
            h.value_at_quantile(0.90) as f64 / 1000.0,
            h.value_at_quantile(0.99) as f64 / 1000.0,
            h.max() as f64 / 1000.0
        );
    }
    println!("statuses={:?}", t.statuses);
}
