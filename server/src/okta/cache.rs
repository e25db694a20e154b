//! Okta reads worth remembering, so that a page view costs a handful of Okta calls and a
//! repeat view none.
//!
//! What a read is worth remembering for depends on what it is (`Freshness`): a user's factors
//! for 30 s, the org's authenticators for 5 minutes, the security question list for an hour.
//! Every read belongs to a `Scope` (one user, or the org). Three rules keep it honest:
//! - **Coalescing.** Identical reads in flight share one upstream call (moka's `try_get_with`
//!   loads each key once for every concurrent caller, errors included).
//! - **Invalidation.** Every change Keyport sends to Okta (any call that is not a GET) forgets
//!   the scope it touched before the answer is even read: `POST /api/v1/users/{id}/…` forgets
//!   that user, a change to authenticators or policies forgets the org. A scope is forgotten by
//!   raising its generation; a load that began before the change cannot store its (older)
//!   answer under the new generation, so a person never sees their own change missing.
//! - **Last known state.** A fresh read that fails because Okta is down, slow or out of budget
//!   falls back to the last answer of the same generation (kept `LAST_KNOWN`), and says when it
//!   was read, so a page can show "as of 14:02" instead of failing.
//!
//! With Redis as the session store the entries and generations live in Redis, so instances
//! behind one load balancer share one another's reads and invalidations.

use super::error::OktaError;
use fred::clients::Pool;
use fred::interfaces::KeysInterface;
use fred::types::Expiration;
use moka::future::Cache;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How long the last answer is kept for an outage, whatever its freshness.
pub const LAST_KNOWN: Duration = Duration::from_secs(60 * 60);
/// Redis keeps a scope's generation this long after its last change.
const GENERATION_KEPT: Duration = Duration::from_secs(2 * 24 * 60 * 60);

/// How long a kind of read is fresh. Stated once here so the README can say it.
pub mod freshness {
    use std::time::Duration;
    /// A user's factors and authenticator enrollments: the methods page itself.
    pub const USER_METHODS: Duration = Duration::from_secs(30);
    /// A user's profile (names, emails, Keyport's nicknames).
    pub const USER_PROFILE: Duration = Duration::from_secs(5 * 60);
    /// A user's group memberships (admin rights): kept short, since they grant privilege.
    pub const USER_GROUPS: Duration = Duration::from_secs(60);
    /// A user's recent System Log events (the activity list).
    pub const USER_ACTIVITY: Duration = Duration::from_secs(60);
    /// The org's pipeline, authenticators, their methods, password policies, the factor
    /// catalog its enrollment policy offers.
    pub const ORG_SETTINGS: Duration = Duration::from_secs(5 * 60);
    /// The org's security question list (fixed by Okta).
    pub const ORG_QUESTIONS: Duration = Duration::from_secs(60 * 60);
}

/// Whose data a read is.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Scope {
    User(String),
    Org,
}

impl Scope {
    fn name(&self) -> String {
        match self {
            Scope::User(id) => format!("user:{id}"),
            Scope::Org => "org".into(),
        }
    }

    /// The scope a change to `path` touches, if any (`None`: sign-in calls and the like,
    /// which change no data Keyport remembers).
    pub fn touched_by(path: &str) -> Option<Scope> {
        let rest = path.strip_prefix("/api/v1/")?;
        let mut parts = rest.split('/');
        match parts.next()? {
            "users" => parts
                .next()
                .filter(|id| !id.is_empty())
                .map(|id| Scope::User(id.to_string())),
            "authenticators" | "policies" | "org" => Some(Scope::Org),
            _ => None,
        }
    }
}

/// One remembered answer.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Entry {
    generation: u64,
    /// Unix milliseconds.
    read_at: u64,
    body: Arc<String>,
}

impl Entry {
    fn age(&self) -> Duration {
        Duration::from_millis(unix_ms().saturating_sub(self.read_at))
    }
}

/// A read's answer, and when it was read if it is older than its freshness.
#[derive(Clone, Debug)]
pub struct Read<T> {
    pub value: T,
    /// Set only when Okta could not be asked and the last known answer stands in.
    pub stale_since: Option<SystemTime>,
}

/// The reads of one Okta client.
pub struct ReadCache {
    /// Entries by `scope|resource` (instance-local mode).
    local: Cache<String, Entry>,
    /// Generation per scope (instance-local mode).
    generations: Mutex<HashMap<String, u64>>,
    /// Raised by `forget_everything`; part of every generation.
    epoch: AtomicU64,
    /// Loads in flight, by `scope|resource|generation`.
    loads: Cache<String, Entry>,
    /// Redis, when instances share their reads.
    shared: OnceLock<Pool>,
    /// Off when freshness is configured as zero (every read goes to Okta).
    enabled: bool,
    /// Raised by every `forget` and `forget_everything` (here; with Redis, in Redis too):
    /// what a page remembered as a whole stands only while this has not moved.
    changes: AtomicU64,
    /// Raised by every Okta call that failed and every read answered from the last known
    /// state: a page drawn while this moved may show a passing trouble, and is not remembered.
    troubles: AtomicU64,
}

impl ReadCache {
    pub fn new(enabled: bool) -> Self {
        ReadCache {
            local: Cache::builder()
                .max_capacity(200_000)
                .time_to_live(LAST_KNOWN)
                .build(),
            generations: Mutex::default(),
            epoch: AtomicU64::new(0),
            loads: Cache::builder()
                .max_capacity(100_000)
                .time_to_live(Duration::from_secs(2))
                .build(),
            shared: OnceLock::new(),
            enabled,
            changes: AtomicU64::new(0),
            troubles: AtomicU64::new(0),
        }
    }

    /// Where the changes stand: equal marks mean nothing Keyport remembers was forgotten in
    /// between, on any instance. `None` when that cannot be told (reads not remembered at
    /// all, or Redis not answering).
    pub async fn change_mark(&self) -> Option<u64> {
        if !self.enabled {
            return None;
        }
        let here = self.changes.load(Ordering::SeqCst);
        let Some(pool) = self.shared.get() else {
            return Some(here);
        };
        match pool.get::<Option<u64>, _>(CHANGES_KEY).await {
            // Each instance raises its own counter and the shared one together; the shared
            // one alone decides, and this instance's counter covers a Redis write that failed.
            Ok(shared) => Some(shared.unwrap_or(0).wrapping_mul(1 << 20) ^ here),
            Err(_) => None,
        }
    }

    /// How many troubles there were so far (see `troubles`).
    pub fn trouble_count(&self) -> u64 {
        self.troubles.load(Ordering::SeqCst)
    }

    /// An Okta call failed, or a read stood in for one.
    pub fn note_trouble(&self) {
        self.troubles.fetch_add(1, Ordering::SeqCst);
    }

    async fn note_change(&self) {
        self.changes.fetch_add(1, Ordering::SeqCst);
        if let Some(pool) = self.shared.get() {
            let raised: Result<i64, _> = pool.incr(CHANGES_KEY).await;
            if let Err(e) = raised {
                tracing::warn!(error = %e, "cannot record a change in Redis");
            }
        }
    }

    /// Shares entries and generations with other instances through Redis.
    pub fn share_through(&self, pool: Pool) {
        let _ = self.shared.set(pool);
    }

    /// The answer to `resource` in `scope`: remembered if fresh, else loaded once for every
    /// concurrent caller; the last known answer if the load fails for a passing reason.
    pub async fn read<F>(
        &self,
        scope: &Scope,
        resource: &str,
        fresh_for: Duration,
        load: F,
    ) -> Result<Read<Arc<String>>, OktaError>
    where
        F: std::future::Future<Output = Result<String, OktaError>>,
    {
        if !self.enabled {
            let body = load.await?;
            return Ok(Read {
                value: Arc::new(body),
                stale_since: None,
            });
        }
        let key = format!("{}|{resource}", scope.name());
        let (generation, remembered) = self.lookup(scope, &key).await;
        let remembered = remembered.filter(|e| e.generation == generation);
        if let Some(e) = &remembered {
            if e.age() < fresh_for {
                return Ok(Read {
                    value: e.body.clone(),
                    stale_since: None,
                });
            }
        }
        let load_key = format!("{key}|{generation}");
        // Boxed: the load is a whole Okta call, and moka keeps it inside its own future.
        let loaded = self
            .loads
            .try_get_with(
                load_key.clone(),
                Box::pin(async {
                    load.await.map(|body| Entry {
                        generation,
                        read_at: unix_ms(),
                        body: Arc::new(body),
                    })
                }),
            )
            .await;
        // The load is over: later callers look at what was stored, not at this load.
        self.loads.invalidate(&load_key).await;
        match loaded {
            Ok(entry) => {
                self.store(scope, &key, &entry).await;
                Ok(Read {
                    value: entry.body,
                    stale_since: None,
                })
            }
            Err(err) => match remembered {
                Some(e) if passing(&err) => {
                    self.note_trouble();
                    tracing::info!(error = %err, age_s = e.age().as_secs(), "Okta unavailable; showing the last known answer");
                    Ok(Read {
                        value: e.body,
                        stale_since: Some(UNIX_EPOCH + Duration::from_millis(e.read_at)),
                    })
                }
                _ => Err(copy_error(&err)),
            },
        }
    }

    /// Forgets every read of `scope`, here and (with Redis) on every instance.
    pub async fn forget(&self, scope: &Scope) {
        if !self.enabled {
            return;
        }
        let name = scope.name();
        {
            let mut g = self.generations.lock().unwrap_or_else(|e| e.into_inner());
            *g.entry(name.clone()).or_insert(0) += 1;
        }
        if let Some(pool) = self.shared.get() {
            let key = generation_key(&name);
            let raised: Result<i64, _> = pool.incr(&key).await;
            let kept: Result<(), _> = pool
                .expire(&key, GENERATION_KEPT.as_secs() as i64, None)
                .await;
            if let Err(e) = raised.map(|_| ()).and(kept) {
                tracing::warn!(error = %e, "cannot record a change in Redis; other instances may show it up to their freshness late");
            }
        }
        // Raised after the generation: whoever sees the new mark reads the new generation.
        self.note_change().await;
    }

    /// Forgets everything (the sandbox's control API changed the org behind Okta's API).
    pub async fn forget_everything(&self) {
        if !self.enabled {
            return;
        }
        self.epoch.fetch_add(1, Ordering::SeqCst);
        self.local.invalidate_all();
        if let Some(pool) = self.shared.get() {
            let raised: Result<i64, _> = pool.incr(EPOCH_KEY).await;
            if let Err(e) = raised {
                tracing::warn!(error = %e, "cannot record a change in Redis");
            }
        }
        self.note_change().await;
    }

    /// The scope's current generation and what is remembered for `key`.
    async fn lookup(&self, scope: &Scope, key: &str) -> (u64, Option<Entry>) {
        if let Some(pool) = self.shared.get() {
            // The epoch and the scope's generation are Redis's, shared by every instance.
            let keys = vec![
                EPOCH_KEY.to_string(),
                generation_key(&scope.name()),
                entry_key(key),
            ];
            match pool.mget::<Vec<Option<String>>, _>(keys).await {
                Ok(values) => {
                    let number = |i: usize| {
                        values
                            .get(i)
                            .cloned()
                            .flatten()
                            .and_then(|g| g.parse::<u64>().ok())
                            .unwrap_or(0)
                    };
                    let generation = (number(0) << 32) | (number(1) & 0xffff_ffff);
                    let entry = values
                        .get(2)
                        .cloned()
                        .flatten()
                        .and_then(|v| serde_json::from_str::<Entry>(&v).ok());
                    return (generation, entry);
                }
                Err(e) => {
                    tracing::warn!(error = %e, "cannot read shared Okta answers from Redis; asking Okta");
                    return (u64::MAX, None);
                }
            }
        }
        (self.local_generation(scope), self.local.get(key).await)
    }

    fn local_generation(&self, scope: &Scope) -> u64 {
        let epoch = self.epoch.load(Ordering::SeqCst) << 32;
        let generation = self
            .generations
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&scope.name())
            .copied()
            .unwrap_or(0);
        epoch | generation
    }

    async fn store(&self, scope: &Scope, key: &str, entry: &Entry) {
        if entry.generation == u64::MAX {
            return;
        }
        if let Some(pool) = self.shared.get() {
            let Ok(value) = serde_json::to_string(entry) else {
                return;
            };
            let stored: Result<Option<String>, _> = pool
                .set(
                    entry_key(key),
                    value,
                    Some(Expiration::EX(LAST_KNOWN.as_secs() as i64)),
                    None,
                    false,
                )
                .await;
            if let Err(e) = stored {
                tracing::warn!(error = %e, "cannot share an Okta answer through Redis");
            }
            return;
        }
        // A change may have raced the load: only the current generation is stored.
        if self.local_generation(scope) == entry.generation {
            self.local.insert(key.to_string(), entry.clone()).await;
        }
    }
}

/// Errors after which the last known answer may stand in: Okta down, slow or out of budget.
fn passing(err: &OktaError) -> bool {
    matches!(
        err,
        OktaError::UpstreamDown(_) | OktaError::Timeout | OktaError::RateLimited { .. }
    ) || matches!(err, OktaError::Api { status, .. } if *status >= 500)
}

/// A load's error, for every caller that shared it.
fn copy_error(err: &Arc<OktaError>) -> OktaError {
    err.as_ref().clone()
}

/// Raised by `forget_everything`, with Redis.
const EPOCH_KEY: &str = "keyport:okta-epoch";
/// Raised by every forgetting, with Redis (see `ReadCache::change_mark`).
const CHANGES_KEY: &str = "keyport:okta-changes";

fn generation_key(scope: &str) -> String {
    format!("keyport:okta-gen:{scope}")
}

fn entry_key(key: &str) -> String {
    format!("keyport:okta-read:{key}")
}

fn unix_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    fn counting(
        calls: &Arc<AtomicUsize>,
        body: &str,
    ) -> impl std::future::Future<Output = Result<String, OktaError>> {
        let calls = calls.clone();
        let body = body.to_string();
        async move {
            calls.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(20)).await;
            Ok(body)
        }
    }

    #[test]
    fn changes_touch_the_scope_of_their_path() {
        assert_eq!(
            Scope::touched_by("/api/v1/users/00u1/factors/opf1/lifecycle/activate"),
            Some(Scope::User("00u1".into()))
        );
        assert_eq!(
            Scope::touched_by("/api/v1/authenticators/aut1/lifecycle/deactivate"),
            Some(Scope::Org)
        );
        assert_eq!(Scope::touched_by("/api/v1/authn/factors/x/verify"), None);
        assert_eq!(Scope::touched_by("/api/v1/users"), None);
    }

    #[tokio::test]
    async fn concurrent_reads_share_one_load_and_a_repeat_costs_nothing() {
        let cache = ReadCache::new(true);
        let calls = Arc::new(AtomicUsize::new(0));
        let scope = Scope::User("00u1".into());
        let reads = (0..10).map(|_| {
            cache.read(
                &scope,
                "factors",
                Duration::from_secs(30),
                counting(&calls, "[1]"),
            )
        });
        let answers = futures_util::future::join_all(reads).await;
        assert!(answers
            .iter()
            .all(|a| a.as_ref().unwrap().value.as_str() == "[1]"));
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        cache
            .read(
                &scope,
                "factors",
                Duration::from_secs(30),
                counting(&calls, "[1]"),
            )
            .await
            .unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_change_is_seen_on_the_next_read() {
        let cache = ReadCache::new(true);
        let calls = Arc::new(AtomicUsize::new(0));
        let scope = Scope::User("00u1".into());
        let fresh = Duration::from_secs(30);
        cache
            .read(&scope, "factors", fresh, counting(&calls, "[1]"))
            .await
            .unwrap();
        cache.forget(&scope).await;
        let after = cache
            .read(&scope, "factors", fresh, counting(&calls, "[1,2]"))
            .await
            .unwrap();
        assert_eq!(after.value.as_str(), "[1,2]");
        // Another user's reads are untouched.
        let other = Scope::User("00u2".into());
        cache
            .read(&other, "factors", fresh, counting(&calls, "[9]"))
            .await
            .unwrap();
        cache.forget(&scope).await;
        cache
            .read(&other, "factors", fresh, counting(&calls, "[9]"))
            .await
            .unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn a_load_that_raced_a_change_is_not_remembered() {
        let cache = Arc::new(ReadCache::new(true));
        let scope = Scope::User("00u1".into());
        let fresh = Duration::from_secs(30);
        let slow = {
            let cache = cache.clone();
            let scope = scope.clone();
            tokio::spawn(async move {
                cache
                    .read(&scope, "factors", fresh, async {
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        Ok("[before]".to_string())
                    })
                    .await
            })
        };
        tokio::time::sleep(Duration::from_millis(20)).await;
        cache.forget(&scope).await;
        slow.await.unwrap().unwrap();
        let calls = Arc::new(AtomicUsize::new(0));
        let next = cache
            .read(&scope, "factors", fresh, counting(&calls, "[after]"))
            .await
            .unwrap();
        assert_eq!(next.value.as_str(), "[after]");
    }

    #[tokio::test]
    async fn an_outage_shows_the_last_known_answer_with_its_time() {
        let cache = ReadCache::new(true);
        let scope = Scope::User("00u1".into());
        let calls = Arc::new(AtomicUsize::new(0));
        cache
            .read(&scope, "factors", Duration::ZERO, counting(&calls, "[1]"))
            .await
            .unwrap();
        let down = cache
            .read(&scope, "factors", Duration::ZERO, async {
                Err(OktaError::UpstreamDown("connection refused".into()))
            })
            .await
            .unwrap();
        assert_eq!(down.value.as_str(), "[1]");
        assert!(down.stale_since.is_some());
        // A refusal is not an outage: it is passed on.
        let refused = cache
            .read(&scope, "factors", Duration::ZERO, async {
                Err(OktaError::NotFound(Box::default()))
            })
            .await;
        assert!(matches!(refused, Err(OktaError::NotFound(_))));
    }
}
