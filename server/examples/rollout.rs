//! Rollout day, measured: many people open their methods page at once, against a running
//! Keyport and its sandbox (`.ci/bench-rollout` starts both in release and runs this).
//!
//! `cargo run --release -p server --example rollout -- [--keyport URL] [--sandbox URL]
//!  [--people 300] [--spread 10] [--connections 16] [--seconds 10]`
//!
//! 1. The sandbox generates `people` users (`POST /sandbox/api/users/generate`), each signed in
//!    to Keyport by a hand-over token, as the company's own app would (not timed).
//! 2. Each opens `/` at an even spread over `spread` seconds, then reloads it twice. Every
//!    page view is timed; an answer that is not a 200 with the methods drawn is an error.
//! 3. The sandbox's request log says what Okta was asked during the burst: calls per person,
//!    and the lowest `X-Rate-Limit-Remaining` any answer carried, against its limit.
//! 4. `connections` connections hammer one person's methods page for `seconds`, then the same
//!    sandbox's list-factors for as long (its limits lifted for that part only, so it shows
//!    the sandbox's capacity), and the two rates are compared.

use hdrhistogram::Histogram;
use reqwest::header::{HeaderMap, ACCEPT, COOKIE, SET_COOKIE};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

const SANDBOX_TOKEN: &str = "keyport-sandbox-token";

struct Args {
    keyport: String,
    sandbox: String,
    people: usize,
    spread: f64,
    connections: usize,
    seconds: u64,
}

fn args() -> Result<Args, String> {
    let mut a = Args {
        keyport: "http://localhost:3000".into(),
        sandbox: "http://127.0.0.1:3001".into(),
        people: 300,
        spread: 10.0,
        connections: 16,
        seconds: 10,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().ok_or(format!("{flag} needs a value"))?;
        let bad = |_| format!("bad {flag}");
        match flag.as_str() {
            "--keyport" => a.keyport = value.trim_end_matches('/').into(),
            "--sandbox" => a.sandbox = value.trim_end_matches('/').into(),
            "--people" => a.people = value.parse().map_err(bad)?,
            "--spread" => a.spread = value.parse().map_err(|_| "bad --spread")?,
            "--connections" => a.connections = value.parse().map_err(bad)?,
            "--seconds" => a.seconds = value.parse().map_err(bad)?,
            other => return Err(format!("unknown flag {other}")),
        }
    }
    Ok(a)
}

/// The `name=value` of a `Set-Cookie` named `name`, if the answer set one.
fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or_default().to_string())
        .find(|pair| pair.starts_with(&format!("{name}=")))
}

/// Signs one person in by hand-over; returns their session cookie.
async fn sign_in(http: &reqwest::Client, keyport: &str, login: &str) -> Result<String, String> {
    let token = server::auth::handoff::mint(
        server::config::DEFAULT_SANDBOX_HANDOFF_SECRET,
        login,
        "keyport",
        None,
        Duration::from_secs(300),
    )?;
    let posted = http
        .post(format!("{keyport}/auth/handoff"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("token={token}"))
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if let Some(session) = cookie(posted.headers(), "keyport_session") {
        return Ok(session);
    }
    // A cross-site hand-over continues through a GET carrying its own short-lived cookie.
    let carry = cookie(posted.headers(), "keyport_handoff").ok_or(format!(
        "{login}: the hand-over answered {}",
        posted.status()
    ))?;
    let continued = http
        .get(format!("{keyport}/auth/handoff/continue"))
        .header(COOKIE, carry)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    cookie(continued.headers(), "keyport_session")
        .ok_or(format!("{login}: no session after the hand-over"))
}

/// One methods page view: its time, and whether it was a 200 with the methods drawn.
async fn view(http: &reqwest::Client, keyport: &str, session: &str) -> (Duration, bool) {
    let started = Instant::now();
    let ok = match http
        .get(format!("{keyport}/"))
        .header(ACCEPT, "text/html")
        .header(COOKIE, session)
        .send()
        .await
    {
        Ok(res) if res.status() == 200 => res
            .text()
            .await
            .map(|html| html.contains("data-testid=\"methods\""))
            .unwrap_or(false),
        _ => false,
    };
    (started.elapsed(), ok)
}

async fn sandbox_json(http: &reqwest::Client, url: String) -> Value {
    match http.get(url).send().await {
        Ok(res) => res.json().await.unwrap_or(Value::Null),
        Err(_) => Value::Null,
    }
}

fn fail(why: &str) -> ! {
    eprintln!("{why}");
    std::process::exit(1)
}

/// Microseconds from 1 µs to a minute, three significant figures.
fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 60_000_000, 3)
        .unwrap_or_else(|e| fail(&format!("no histogram: {e}")))
}

fn ms(h: &Histogram<u64>, q: f64) -> f64 {
    h.value_at_quantile(q) as f64 / 1000.0
}

/// Requests per second `connections` loops sustain for `seconds`, and how many failed.
async fn hammer<F, Fut>(connections: usize, seconds: u64, request: F) -> (f64, u64, Histogram<u64>)
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let request = Arc::new(request);
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut loops = vec![];
    for _ in 0..connections {
        let request = request.clone();
        loops.push(tokio::spawn(async move {
            let mut h = histogram();
            let mut failed = 0u64;
            while Instant::now() < deadline {
                let t = Instant::now();
                if !request().await {
                    failed += 1;
                }
                let _ = h.record(t.elapsed().as_micros().max(1) as u64);
            }
            (h, failed)
        }));
    }
    let mut total = histogram();
    let mut failed = 0;
    for l in loops {
        if let Ok((h, f)) = l.await {
            let _ = total.add(&h);
            failed += f;
        }
    }
    let rps = total.len() as f64 / started.elapsed().as_secs_f64();
    (rps, failed, total)
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
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(64)
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap_or_else(|e| fail(&format!("no HTTP client: {e}")));

    // 1. People, signed in.
    let generated = http
        .post(format!("{}/sandbox/api/users/generate", a.sandbox))
        .json(&json!({ "count": a.people }))
        .send()
        .await;
    if !generated.as_ref().is_ok_and(|r| r.status().is_success()) {
        eprintln!("the sandbox did not generate people: {generated:?}");
        std::process::exit(1);
    }
    let logins: Vec<String> = (1..=a.people)
        .map(server::sandbox::seed::generated_login)
        .collect();
    let signed_in = Instant::now();
    let mut sessions = Vec::with_capacity(a.people);
    for chunk in logins.chunks(16) {
        let batch = chunk.iter().map(|login| sign_in(&http, &a.keyport, login));
        for s in futures_util::future::join_all(batch).await {
            match s {
                Ok(s) => sessions.push(s),
                Err(e) => {
                    eprintln!("sign-in failed: {e}");
                    std::process::exit(1);
                }
            }
        }
    }
    println!(
        "people={} signed_in_in_s={:.1}",
        sessions.len(),
        signed_in.elapsed().as_secs_f64()
    );

    // 2. The burst: first views spread over `spread` seconds, each followed by two reloads.
    let since = sandbox_json(
        &http,
        format!("{}/sandbox/api/requests?since=999999999", a.sandbox),
    )
    .await["lastSeq"]
        .as_u64()
        .unwrap_or(0);
    let burst = Instant::now();
    let gap = a.spread / a.people.max(1) as f64;
    let mut tasks = vec![];
    for (i, session) in sessions.iter().cloned().enumerate() {
        let (http, keyport) = (http.clone(), a.keyport.clone());
        tasks.push(tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs_f64(gap * i as f64)).await;
            let mut out = vec![];
            for _ in 0..3 {
                out.push(view(&http, &keyport, &session).await);
            }
            out
        }));
    }
    let mut first = histogram();
    let mut reload = first.clone();
    let mut errors = 0;
    for t in tasks {
        for (n, (took, ok)) in t.await.unwrap_or_default().into_iter().enumerate() {
            let h = if n == 0 { &mut first } else { &mut reload };
            let _ = h.record(took.as_micros().max(1) as u64);
            errors += u64::from(!ok);
        }
    }
    let burst_s = burst.elapsed().as_secs_f64();
    let mut all = first.clone();
    let _ = all.add(&reload);
    println!(
        "burst: views={} errors={errors} seconds={burst_s:.1}",
        all.len()
    );
    println!(
        "latency_ms all: p50={:.1} p99={:.1} max={:.1}; first views p99={:.1}; reloads p99={:.1}",
        ms(&all, 0.5),
        ms(&all, 0.99),
        all.max() as f64 / 1000.0,
        ms(&first, 0.99),
        ms(&reload, 0.99)
    );

    // 3. What Okta was asked.
    let log = sandbox_json(
        &http,
        format!("{}/sandbox/api/requests?since={since}", a.sandbox),
    )
    .await;
    let requests = log["requests"].as_array().cloned().unwrap_or_default();
    let mut per_person: HashMap<String, u64> = HashMap::new();
    let mut org_wide = 0u64;
    let mut lowest: Option<(f64, u64, u64, String)> = None;
    for r in &requests {
        let path = r["path"].as_str().unwrap_or_default();
        match path.strip_prefix("/api/v1/users/") {
            Some(rest) => {
                let user = rest.split(['/', '?']).next().unwrap_or_default();
                *per_person.entry(user.to_string()).or_default() += 1;
            }
            None => org_wide += 1,
        }
        let (limit, remaining) = (
            r["limit"].as_u64().unwrap_or(0),
            r["remaining"].as_u64().unwrap_or(0),
        );
        if limit > 0 {
            let share = remaining as f64 / limit as f64;
            if lowest.as_ref().is_none_or(|l| share < l.0) {
                lowest = Some((
                    share,
                    remaining,
                    limit,
                    r["family"].as_str().unwrap_or("").into(),
                ));
            }
        }
    }
    let most = per_person.values().copied().max().unwrap_or(0);
    println!(
        "okta: calls={} for {} page views; per person: mean={:.2} max={most}; org-wide={org_wide}; per view={:.2}",
        requests.len(),
        all.len(),
        per_person.values().sum::<u64>() as f64 / a.people.max(1) as f64,
        requests.len() as f64 / all.len().max(1) as f64
    );
    if let Some((share, remaining, limit, family)) = lowest {
        println!(
            "okta: lowest X-Rate-Limit-Remaining={remaining} of {limit} ({:.0}%, {family})",
            share * 100.0
        );
    }

    // 4. One person's page, hammered, against the sandbox's list-factors in the same run.
    let session = sessions.first().cloned().unwrap_or_default();
    let (page_rps, page_failed, page_h) = {
        let (http, keyport) = (http.clone(), a.keyport.clone());
        hammer(a.connections, a.seconds, move || {
            let (http, keyport, session) = (http.clone(), keyport.clone(), session.clone());
            async move { view(&http, &keyport, &session).await.1 }
        })
        .await
    };
    let limits = sandbox_json(&http, format!("{}/sandbox/api/limits", a.sandbox)).await;
    let _ = http
        .put(format!("{}/sandbox/api/limits", a.sandbox))
        .json(&json!({ "factors": 100_000_000 }))
        .send()
        .await;
    let (okta_rps, okta_failed, okta_h) = {
        let (http, sandbox) = (http.clone(), a.sandbox.clone());
        hammer(a.connections, a.seconds, move || {
            let (http, sandbox) = (http.clone(), sandbox.clone());
            async move {
                http.get(format!(
                    "{sandbox}/api/v1/users/00u1person0000000001/factors"
                ))
                .header("Authorization", format!("SSWS {SANDBOX_TOKEN}"))
                .send()
                .await
                .is_ok_and(|r| r.status() == 200)
            }
        })
        .await
    };
    let _ = http
        .put(format!("{}/sandbox/api/limits", a.sandbox))
        .json(&json!({ "factors": limits["factors"] }))
        .send()
        .await;
    println!(
        "hammer: one person's methods page, {} connections: rps={page_rps:.0} errors={page_failed} p99_ms={:.1}",
        a.connections,
        ms(&page_h, 0.99)
    );
    println!(
        "hammer: sandbox list-factors, {} connections: rps={okta_rps:.0} errors={okta_failed} p99_ms={:.1}",
        a.connections,
        ms(&okta_h, 0.99)
    );
    println!(
        "hammer: page/list-factors = {:.2}",
        page_rps / okta_rps.max(1.0)
    );
}
