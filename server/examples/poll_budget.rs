//! The Okta Verify polling budget under many tabs: `cargo run --release -p server --example
//! poll_budget -- [--target URL] [--sandbox URL] [--tabs N] [--seconds S] [--ask-ms MS]`.
//!
//! Against a running Keyport on its sandbox (`.ci/start`, or `keyport` with no Okta settings),
//! it signs one user in with a password, starts an Okta Verify enrollment, and
//! opens N "tabs" on that one session, each asking Keyport for the enrollment's state every
//! `--ask-ms` (the app asks every 2 s; the default here asks eight times as often, to press
//! harder). After S seconds the sandbox's virtual phone scans the QR code, and every tab must
//! see the enrollment finish. It then keeps watching for 10 more seconds with no tab asking.
//!
//! The upstream calls are counted by the sandbox itself (its request log of
//! `…/lifecycle/activate/poll`), not by Keyport, so the count cannot flatter Keyport. The run
//! fails (exit 1) when:
//! - two upstream polls came less than the interval (2 s, less 50 ms for clock granularity)
//!   apart, or more polls came than the interval allows in the time watched;
//! - a tab did not see the enrollment finish within one interval of the scan;
//! - any upstream poll came after every tab stopped asking.

use hdrhistogram::Histogram;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const INTERVAL: Duration = Duration::from_secs(2);
const LOGIN: &str = "nora.nofactors@example.com";
const DEMO_PASSWORD: &str = "Keyport!Demo1";
const POLL_PATH: &str = "*/lifecycle/activate/poll";

struct Args {
    target: String,
    sandbox: String,
    tabs: usize,
    seconds: u64,
    ask: Duration,
}

fn args() -> Result<Args, String> {
    let mut a = Args {
        target: "http://127.0.0.1:3000".into(),
        sandbox: "http://127.0.0.1:3001".into(),
        tabs: 20,
        seconds: 30,
        ask: Duration::from_millis(250),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().ok_or(format!("{flag} needs a value"))?;
        let number = |v: &str| v.parse::<u64>().map_err(|_| format!("bad {flag}: {v}"));
        match flag.as_str() {
            "--target" => a.target = value.trim_end_matches('/').to_string(),
            "--sandbox" => a.sandbox = value.trim_end_matches('/').to_string(),
            "--tabs" => a.tabs = number(&value)? as usize,
            "--seconds" => a.seconds = number(&value)?,
            "--ask-ms" => a.ask = Duration::from_millis(number(&value)?),
            other => return Err(format!("unknown flag {other}")),
        }
    }
    Ok(a)
}

/// One signed-in browser session, shared by every tab (tabs share cookies).
#[derive(Clone)]
struct Session {
    http: reqwest::Client,
    target: String,
    cookie: String,
    csrf: String,
}

impl Session {
    /// Signs in with the password, as the sign-in page does (a user with no factors needs
    /// nothing else, and a password sign-in counts as a recent verification).
    async fn sign_in(http: reqwest::Client, target: &str) -> Result<Session, String> {
        let mut s = Session {
            http,
            target: target.to_string(),
            cookie: String::new(),
            csrf: String::new(),
        };
        let page = s
            .http
            .get(format!("{target}/signin"))
            .header("accept", "text/html")
            .send()
            .await
            .map_err(|e| format!("sign-in page: {e}"))?;
        s.remember_cookie(&page);
        s.refresh_csrf().await?;
        let answer = s
            .http
            .post(format!("{target}/api/signin"))
            .header("cookie", &s.cookie)
            .header("x-csrf-token", &s.csrf)
            .header("accept", "application/json")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!(
                "username={}&password={}",
                LOGIN.replace('@', "%40"),
                DEMO_PASSWORD.replace('!', "%21")
            ))
            .send()
            .await
            .map_err(|e| format!("sign in: {e}"))?;
        s.remember_cookie(&answer);
        let status = answer.status();
        let text = answer.text().await.unwrap_or_default();
        if !status.is_success() {
            return Err(format!("sign in: {status} {text}"));
        }
        s.refresh_csrf().await?;
        Ok(s)
    }

    fn remember_cookie(&mut self, res: &reqwest::Response) {
        if let Some(pair) = res
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(|v| v.split(';').next().unwrap_or_default().to_string())
            .next_back()
        {
            self.cookie = pair;
        }
    }

    async fn refresh_csrf(&mut self) -> Result<(), String> {
        let res = self
            .http
            .get(format!("{}/api/session", self.target))
            .header("cookie", &self.cookie)
            .header("accept", "application/json")
            .send()
            .await
            .map_err(|e| format!("session: {e}"))?;
        self.remember_cookie(&res);
        let view: Value = res.json().await.map_err(|e| format!("session: {e}"))?;
        self.csrf = view["csrf"].as_str().unwrap_or_default().to_string();
        if self.csrf.is_empty() {
            return Err(format!("no anti-CSRF token in {view}"));
        }
        Ok(())
    }

    async fn call(&self, endpoint: &str, json_body: Option<Value>) -> Result<Value, String> {
        let req = self
            .http
            .post(format!("{}/api/{endpoint}", self.target))
            .header("cookie", &self.cookie)
            .header("x-csrf-token", &self.csrf)
            .header("accept", "application/json");
        let req = match json_body {
            Some(b) => req.json(&b),
            None => req
                .header("content-type", "application/x-www-form-urlencoded")
                .body(""),
        };
        let res = req.send().await.map_err(|e| format!("{endpoint}: {e}"))?;
        let status = res.status();
        let text = res.text().await.map_err(|e| format!("{endpoint}: {e}"))?;
        if !status.is_success() {
            return Err(format!("{endpoint}: {status} {text}"));
        }
        serde_json::from_str(&text).map_err(|e| format!("{endpoint}: {e}: {text}"))
    }
}

async fn control(
    http: &reqwest::Client,
    sandbox: &str,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> Result<Value, String> {
    let mut req = http.request(
        method.parse().map_err(|_| "method")?,
        format!("{sandbox}{path}"),
    );
    // The sandbox refuses control calls without a JSON content type (they could come from a
    // web page otherwise).
    req = req.header("content-type", "application/json");
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await.map_err(|e| format!("{path}: {e}"))?;
    let status = res.status();
    let text = res.text().await.map_err(|e| format!("{path}: {e}"))?;
    if !status.is_success() {
        return Err(format!("{path}: {status} {text}"));
    }
    Ok(serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// Upstream polls the sandbox answered after `since`, as instants relative to the first.
async fn upstream_polls(
    http: &reqwest::Client,
    sandbox: &str,
    since: u64,
) -> Result<Vec<time::OffsetDateTime>, String> {
    let log = control(
        http,
        sandbox,
        "GET",
        &format!(
            "/sandbox/api/requests?since={since}&path={}",
            POLL_PATH.replace('*', "%2A")
        ),
        None,
    )
    .await?;
    let mut at = Vec::new();
    for r in log["requests"].as_array().ok_or("no request log")? {
        let s = r["at"].as_str().ok_or("a request without a time")?;
        at.push(
            time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
                .map_err(|e| format!("{s}: {e}"))?,
        );
    }
    Ok(at)
}

#[derive(Default)]
struct Tally {
    asks: u64,
    latency: Option<Histogram<u64>>,
    /// When each tab first saw the enrollment finish.
    done_at: Vec<Option<Instant>>,
    errors: Vec<String>,
}

async fn run(a: Args) -> Result<bool, String> {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| e.to_string())?;
    control(&http, &a.sandbox, "POST", "/sandbox/api/reset", None).await?;
    let session = Session::sign_in(http.clone(), &a.target).await?;
    let started = session
        .call(
            "methods/enroll",
            Some(json!({"request": {
                "kind": "okta_verify", "phone": null, "country": null, "extension": null,
                "replace_phone": false, "email": null, "question": null, "answer": null,
                "shared_secret": null
            }})),
        )
        .await?;
    // `EnrollmentStep` is externally tagged: the variant's fields are under its name.
    let payload = started["scan_okta_verify"]["setup_link"]
        .as_str()
        .ok_or(format!("no QR code in {started}"))?
        .to_string();
    let since = control(
        &http,
        &a.sandbox,
        "GET",
        "/sandbox/api/requests?since=999999999",
        None,
    )
    .await?["lastSeq"]
        .as_u64()
        .ok_or("no lastSeq")?;

    let tally = Arc::new(Mutex::new(Tally {
        latency: Some(Histogram::new(3).map_err(|e| e.to_string())?),
        done_at: vec![None; a.tabs],
        ..Tally::default()
    }));
    let t0 = Instant::now();
    let scan_after = Duration::from_secs(a.seconds);
    // Tabs stop one interval after the scan, whether or not they saw it.
    let stop_at = t0 + scan_after + INTERVAL + Duration::from_millis(500);
    let mut tabs = Vec::new();
    for i in 0..a.tabs {
        let (session, tally, ask) = (session.clone(), tally.clone(), a.ask);
        tabs.push(tokio::spawn(async move {
            // Spread the tabs over one ask period, as real tabs opened at different times are.
            tokio::time::sleep(ask * i as u32 / 20).await;
            while Instant::now() < stop_at {
                let sent = Instant::now();
                let answer = session.call("methods/enroll/status", None).await;
                let finished = {
                    let mut t = tally.lock().unwrap_or_else(|e| e.into_inner());
                    t.asks += 1;
                    if let Some(h) = t.latency.as_mut() {
                        let _ = h.record(sent.elapsed().as_micros() as u64);
                    }
                    match answer {
                        Ok(v) if v.get("done").is_some() => {
                            t.done_at[i] = Some(Instant::now());
                            true
                        }
                        Ok(_) => false,
                        Err(e) => {
                            t.errors.push(e);
                            false
                        }
                    }
                };
                if finished {
                    break;
                }
                tokio::time::sleep(ask).await;
            }
        }));
    }
    tokio::time::sleep(scan_after).await;
    let scanned = Instant::now();
    control(
        &http,
        &a.sandbox,
        "POST",
        "/sandbox/api/phone/scan",
        Some(json!({"payload": payload, "deviceName": "Benchmark phone"})),
    )
    .await?;
    for t in tabs {
        t.await.map_err(|e| e.to_string())?;
    }
    let watched = t0.elapsed();
    let polls_while_watched = upstream_polls(&http, &a.sandbox, since).await?;
    // Nobody asks now: the count must not move.
    tokio::time::sleep(Duration::from_secs(10)).await;
    let polls_after = upstream_polls(&http, &a.sandbox, since).await?;

    let t = tally.lock().unwrap_or_else(|e| e.into_inner());
    let h = t.latency.as_ref().ok_or("no histogram")?;
    let ms = |us: u64| us as f64 / 1000.0;
    let gaps: Vec<f64> = polls_while_watched
        .windows(2)
        .map(|w| (w[1] - w[0]).as_seconds_f64())
        .collect();
    let min_gap = gaps.iter().copied().fold(f64::INFINITY, f64::min);
    let allowed = (watched.as_secs_f64() / INTERVAL.as_secs_f64()).floor() as usize + 1;
    let finished: Vec<Duration> = t
        .done_at
        .iter()
        .map(|d| {
            d.map(|d| d.saturating_duration_since(scanned))
                .unwrap_or(Duration::MAX)
        })
        .collect();
    let slowest_finish = finished.iter().max().copied().unwrap_or(Duration::MAX);

    println!(
        "poll_budget: {} tabs on one session asking every {} ms for {:.1} s (scan at {} s)",
        a.tabs,
        a.ask.as_millis(),
        watched.as_secs_f64(),
        a.seconds
    );
    println!(
        "  asks to Keyport: {} ({:.0}/s); latency ms p50 {:.1} p90 {:.1} p99 {:.1} max {:.1}; errors {}",
        t.asks,
        t.asks as f64 / watched.as_secs_f64(),
        ms(h.value_at_quantile(0.5)),
        ms(h.value_at_quantile(0.9)),
        ms(h.value_at_quantile(0.99)),
        ms(h.max()),
        t.errors.len()
    );
    println!(
        "  upstream polls counted by the sandbox: {} (at most {allowed} allowed: one per {} s); closest two {:.2} s apart",
        polls_while_watched.len(),
        INTERVAL.as_secs(),
        if min_gap.is_finite() { min_gap } else { 0.0 }
    );
    println!(
        "  every tab saw the enrollment finish within {:.2} s of the scan: {}",
        slowest_finish.as_secs_f64().min(999.0),
        if slowest_finish <= INTERVAL + Duration::from_millis(500) {
            "yes"
        } else {
            "NO"
        }
    );
    let saw = t.done_at.iter().filter(|d| d.is_some()).count();
    println!("  tabs that saw it finish: {saw} of {}", a.tabs);
    println!(
        "  upstream polls in the 10 s after every tab stopped: {}",
        polls_after.len() - polls_while_watched.len()
    );
    for e in t.errors.iter().take(5) {
        println!("  error: {e}");
    }
    let ok = polls_while_watched.len() <= allowed
        && (gaps.is_empty() || min_gap >= INTERVAL.as_secs_f64() - 0.05)
        && slowest_finish <= INTERVAL + Duration::from_millis(500)
        && polls_after.len() == polls_while_watched.len()
        && t.errors.is_empty();
    println!("  budget held: {}", if ok { "yes" } else { "NO" });
    Ok(ok)
}

#[tokio::main]
async fn main() {
    let result = match args() {
        Ok(a) => run(a).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(true) => {}
        Ok(false) => std::process::exit(1),
        Err(e) => {
            eprintln!("poll_budget: {e}");
            std::process::exit(2);
        }
    }
}
