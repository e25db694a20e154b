//! Waiting for the phone: the push enrollment's state, polled by the server on behalf of every
//! tab watching it, with at most one upstream call per interval per enrollment.
//!
//! Tabs ask every couple of seconds; the first ask after the interval polls Okta (the others
//! wait for that poll, then share its answer), asks within the interval get the last answer.
//! No tab asking means no polling: nothing runs when nobody watches, and idle entries are
//! dropped.

use crate::okta::types::ActivateFactorResponse;
use crate::okta::{OktaClient, OktaError};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::Mutex as AsyncMutex;

/// At most one upstream call per enrollment per this interval.
pub const POLL_INTERVAL: Duration = Duration::from_secs(2);
/// Entries nobody asked about for this long are forgotten.
const IDLE: Duration = Duration::from_secs(60);

#[derive(Default)]
struct Entry {
    last: Option<(Instant, ActivateFactorResponse)>,
}

struct Slot {
    entry: AsyncMutex<Entry>,
    asked_at: Mutex<Instant>,
}

/// The shared polls, by factor id.
#[derive(Default)]
pub struct Watch {
    slots: Mutex<HashMap<String, Arc<Slot>>>,
    /// Upstream polls made (for the benchmark and tests).
    polls: std::sync::atomic::AtomicU64,
}

impl Watch {
    fn slot(&self, factor_id: &str) -> Arc<Slot> {
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        slots.retain(|_, s| {
            s.asked_at
                .lock()
                .map(|t| t.elapsed() < IDLE)
                .unwrap_or(false)
        });
        slots
            .entry(factor_id.to_string())
            .or_insert_with(|| {
                Arc::new(Slot {
                    entry: AsyncMutex::new(Entry::default()),
                    asked_at: Mutex::new(Instant::now()),
                })
            })
            .clone()
    }

    /// The enrollment's state, from a poll no older than the interval.
    pub async fn state(
        &self,
        okta: &OktaClient,
        user_id: &str,
        factor_id: &str,
    ) -> Result<ActivateFactorResponse, OktaError> {
        let slot = self.slot(factor_id);
        *slot.asked_at.lock().unwrap_or_else(|e| e.into_inner()) = Instant::now();
        // One poller at a time per enrollment; the others wait here and reuse its answer.
        let mut entry = slot.entry.lock().await;
        if let Some((at, answer)) = &entry.last {
            if at.elapsed() < POLL_INTERVAL {
                return Ok(answer.clone());
            }
        }
        self.polls
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let answer = okta.poll_push_activation(user_id, factor_id).await?;
        entry.last = Some((Instant::now(), answer.clone()));
        Ok(answer)
    }

    /// Forgets an enrollment (finished, renewed or cancelled).
    pub fn forget(&self, factor_id: &str) {
        self.slots
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(factor_id);
    }

    /// Upstream polls made since start.
    pub fn polls(&self) -> u64 {
        self.polls.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Enrollments currently watched.
    pub fn watched(&self) -> usize {
        self.slots.lock().unwrap_or_else(|e| e.into_inner()).len()
    }
}
