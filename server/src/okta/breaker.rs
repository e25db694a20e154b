//! A circuit breaker: after several consecutive upstream failures (5xx, timeouts, dropped
//! connections; never 429s, which are Okta working as designed) calls fail fast for a cool-down,
//! then one probe is let through. A failing org then costs users a quick "Okta is unavailable"
//! instead of a long wait each, and Okta gets room to recover.

use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Debug)]
enum State {
    Closed {
        failures: u32,
    },
    Open {
        until: Instant,
    },
    /// One probe is out; everything else waits for its result.
    HalfOpen,
}

#[derive(Debug)]
pub struct Breaker {
    threshold: u32,
    cool_down: Duration,
    state: Mutex<State>,
}

impl Breaker {
    pub fn new(threshold: u32, cool_down: Duration) -> Self {
        Breaker {
            threshold: threshold.max(1),
            cool_down,
            state: Mutex::new(State::Closed { failures: 0 }),
        }
    }

    /// May a call go out? `Err` with the time left when the circuit is open.
    pub fn permit(&self) -> Result<(), Duration> {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        match *state {
            State::Closed { .. } => Ok(()),
            State::Open { until } => {
                let now = Instant::now();
                if now >= until {
                    *state = State::HalfOpen;
                    Ok(())
                } else {
                    Err(until - now)
                }
            }
            State::HalfOpen => Err(Duration::from_secs(1)),
        }
    }

    pub fn success(&self) {
        *self.state.lock().unwrap_or_else(|e| e.into_inner()) = State::Closed { failures: 0 };
    }

    pub fn failure(&self) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let failures = match *state {
            State::Closed { failures } => failures + 1,
            State::HalfOpen | State::Open { .. } => self.threshold,
        };
        *state = if failures >= self.threshold {
            State::Open {
                until: Instant::now() + self.cool_down,
            }
        } else {
            State::Closed { failures }
        };
    }

    pub fn is_open(&self) -> bool {
        matches!(*self.state.lock().unwrap_or_else(|e| e.into_inner()), State::Open { until } if until > Instant::now())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_after_consecutive_failures_and_probes_after_the_cool_down() {
        let b = Breaker::new(3, Duration::from_millis(30));
        b.failure();
        b.failure();
        assert!(b.permit().is_ok());
        b.success();
        b.failure();
        b.failure();
        assert!(b.permit().is_ok(), "the count restarts after a success");
        b.failure();
        assert!(b.permit().is_err());
        std::thread::sleep(Duration::from_millis(40));
        assert!(b.permit().is_ok(), "one probe after the cool-down");
        assert!(b.permit().is_err(), "only one probe at a time");
        b.failure();
        assert!(b.permit().is_err(), "a failed probe opens again");
    }
}
