//! Keyport's own attack suite: probes an attacker would try, by family, each of which fails
//! when the hole it looks for is open. `.ci/test` runs it on its own and prints one line per
//! probe and a total (README, "Security"); `cargo test attacks::` runs it like any test.
//!
//! Every probe builds what it needs (its own Keyport and sandbox when it changes state), so a
//! probe's result never depends on another's. Probes named "hole N" are the regression tests
//! of issue 14's list: each failed on the main of 2026-12-01.

mod abuse;
mod access;
mod handoff;
mod input;
mod leaks;
mod requests;
mod sandbox;
mod session;

use std::future::Future;
use std::pin::Pin;
use std::time::Instant;

/// A probe's verdict: `Err` says what got through.
pub type Outcome = Result<(), String>;
type Run = fn() -> Pin<Box<dyn Future<Output = Outcome>>>;

pub struct Probe {
    pub family: &'static str,
    pub name: &'static str,
    pub run: Run,
}

/// `probe!(family, "what is tried", function)`.
macro_rules! probe {
    ($family:expr, $name:expr, $f:path) => {
        $crate::attacks::Probe {
            family: $family,
            name: $name,
            run: || Box::pin($f()),
        }
    };
}
pub(crate) use probe;

/// `check!(condition, "what got through {}", detail)`: the probe fails with the message.
macro_rules! check {
    ($cond:expr, $($msg:tt)+) => {
        if !$cond {
            return Err(format!($($msg)+));
        }
    };
}
pub(crate) use check;

fn all() -> Vec<Probe> {
    let mut probes = vec![];
    probes.extend(session::csrf());
    probes.extend(session::session());
    probes.extend(access::probes());
    probes.extend(access::reverification());
    probes.extend(handoff::jwt());
    probes.extend(handoff::redirects());
    probes.extend(leaks::xss());
    probes.extend(leaks::framing());
    probes.extend(input::probes());
    probes.extend(leaks::secrets());
    probes.extend(abuse::probes());
    probes.extend(sandbox::probes());
    probes
}

/// How many probes run at once (each has its own Keyport; the machine has two cores).
const PARALLEL: usize = 4;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn suite() {
    use futures_util::stream::{self, StreamExt};
    use futures_util::FutureExt;
    let probes = all();
    let started = Instant::now();
    let results: Vec<(usize, Outcome, u128)> = stream::iter(probes.iter().enumerate())
        .map(|(i, p)| async move {
            let t = Instant::now();
            // A probe that panics has found something too.
            let outcome = match std::panic::AssertUnwindSafe((p.run)()).catch_unwind().await {
                Ok(o) => o,
                Err(e) => Err(format!(
                    "the probe panicked: {}",
                    e.downcast_ref::<String>()
                        .cloned()
                        .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                        .unwrap_or_default()
                )),
            };
            (i, outcome, t.elapsed().as_millis())
        })
        .buffer_unordered(PARALLEL)
        .collect()
        .await;
    let mut results = results;
    results.sort_by_key(|r| r.0);
    let mut failed = 0;
    let mut families: Vec<&str> = vec![];
    for (i, outcome, ms) in &results {
        let p = &probes[*i];
        if !families.contains(&p.family) {
            families.push(p.family);
        }
        match outcome {
            Ok(()) => println!("PASS  {:<16} {} ({ms} ms)", p.family, p.name),
            Err(why) => {
                failed += 1;
                println!("FAIL  {:<16} {}: {why}", p.family, p.name);
            }
        }
    }
    println!(
        "attack suite: {} probes in {} families, {} held, {} failed ({:.1} s)",
        results.len(),
        families.len(),
        results.len() - failed,
        failed,
        started.elapsed().as_secs_f64()
    );
    assert!(results.len() >= 80, "the suite has at least 80 probes");
    assert_eq!(
        failed, 0,
        "{failed} probes found a hole (lines marked FAIL above)"
    );
}
