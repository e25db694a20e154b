//! Where sessions live: an embedded SQLite file by default (sessions survive a restart, nothing
//! to install), or Redis when several Keyport instances share their users.
//!
//! Beside the sessions, the same backend holds the little shared state Keyport needs across
//! instances: handoff token ids already used (replays refused), "signed out everywhere" marks,
//! and the counters of Keyport's own abuse limits ([`Kv`]).

use fred::interfaces::{ClientLike, KeysInterface};
use fred::types::{Expiration, SetOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};
use sqlx::SqlitePool;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;
use time::OffsetDateTime;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};
use tower_sessions::CachingSessionStore;
use tower_sessions_moka_store::MokaStore;
use tower_sessions_redis_store::RedisStore;
use tower_sessions_sqlx_store::SqliteStore;

/// Why the store could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the SQLite session store at {path}: {source}")]
    Sqlite { path: String, source: sqlx::Error },
    #[error("cannot connect to Redis at {url}: {source}")]
    Redis {
        url: String,
        source: fred::error::Error,
    },
    #[error("session store: {0}")]
    Backend(String),
}

/// Sessions a process keeps in memory in front of its SQLite file.
const SESSIONS_IN_MEMORY: u64 = 100_000;

/// The session store Keyport runs with.
///
/// A SQLite file belongs to one Keyport process: the sessions it serves are kept in memory in
/// front of the file (write-through, so a restart loses nothing), which spares every page view
/// a trip to SQLite's worker thread. Several instances share Redis instead.
#[derive(Clone, Debug)]
pub enum Store {
    Sqlite(Arc<CachingSessionStore<MokaStore, SqliteStore>>),
    Redis(RedisStore<fred::clients::Pool>),
}

#[async_trait::async_trait]
impl SessionStore for Store {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        match self {
            Store::Sqlite(s) => s.create(record).await,
            Store::Redis(s) => s.create(record).await,
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        match self {
            Store::Sqlite(s) => s.save(record).await,
            Store::Redis(s) => s.save(record).await,
        }
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        match self {
            Store::Sqlite(s) => s.load(id).await,
            Store::Redis(s) => s.load(id).await,
        }
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        match self {
            Store::Sqlite(s) => s.delete(id).await,
            Store::Redis(s) => s.delete(id).await,
        }
    }
}

/// Small shared state beside the sessions, with expiry.
#[derive(Clone, Debug)]
pub enum Kv {
    Sqlite(Arc<SqliteKv>),
    Redis(fred::clients::Pool),
}

/// The SQLite table, and what this process last read or wrote of it. Every write goes through
/// this process (a SQLite file belongs to one Keyport process), so a key is forgotten here
/// whenever it is written and a read from memory is the table's answer: every signed-in page
/// view asks whether its user was signed out everywhere, and almost always hears no.
#[derive(Debug)]
pub struct SqliteKv {
    pool: SqlitePool,
    /// The value and its expiry (Unix seconds) by key; `None`: no such key.
    recent: moka::future::Cache<String, Option<(String, i64)>>,
    /// Raised after every write.
    writes: std::sync::atomic::AtomicU64,
}

impl SqliteKv {
    fn new(pool: SqlitePool) -> Self {
        SqliteKv {
            pool,
            recent: moka::future::Cache::builder()
                .max_capacity(100_000)
                .time_to_live(Duration::from_secs(60))
                .build(),
            writes: Default::default(),
        }
    }

    /// Runs a write of `key`, then forgets what this process knew of it. A read that began
    /// before the write ended does not remember its (possibly older) answer (`writes`).
    async fn write<T>(
        &self,
        key: &str,
        write: impl std::future::Future<Output = Result<T, StoreError>>,
    ) -> Result<T, StoreError> {
        let written = write.await;
        self.writes
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        self.recent.invalidate(key).await;
        written
    }
}

fn backend<E: std::fmt::Display>(e: E) -> StoreError {
    StoreError::Backend(e.to_string())
}

fn now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

impl Kv {
    async fn migrate(&self) -> Result<(), StoreError> {
        if let Kv::Sqlite(kv) = self {
            let pool = &kv.pool;
            sqlx::query(
                "CREATE TABLE IF NOT EXISTS keyport_kv (
                    key TEXT PRIMARY KEY NOT NULL,
                    value TEXT NOT NULL,
                    expires_at INTEGER NOT NULL
                )",
            )
            .execute(pool)
            .await
            .map_err(backend)?;
        }
        Ok(())
    }

    /// Stores `key` only if it is not there yet; `true` when this call stored it. Used for
    /// one-time things such as a handoff token's `jti`.
    pub async fn insert_if_absent(
        &self,
        key: &str,
        value: &str,
        ttl: Duration,
    ) -> Result<bool, StoreError> {
        let ttl_secs = ttl.as_secs().max(1) as i64;
        match self {
            Kv::Sqlite(kv) => {
                kv.write(key, async {
                    let pool = &kv.pool;
                    sqlx::query("DELETE FROM keyport_kv WHERE key = ? AND expires_at <= ?")
                        .bind(key)
                        .bind(now())
                        .execute(pool)
                        .await
                        .map_err(backend)?;
                    let done = sqlx::query(
                        "INSERT OR IGNORE INTO keyport_kv (key, value, expires_at) VALUES (?, ?, ?)",
                    )
                    .bind(key)
                    .bind(value)
                    .bind(now() + ttl_secs)
                    .execute(pool)
                    .await
                    .map_err(backend)?;
                    Ok(done.rows_affected() == 1)
                })
                .await
            }
            Kv::Redis(pool) => {
                let set: Option<String> = pool
                    .set(
                        key,
                        value,
                        Some(Expiration::EX(ttl_secs)),
                        Some(SetOptions::NX),
                        false,
                    )
                    .await
                    .map_err(backend)?;
                Ok(set.is_some())
            }
        }
    }

    /// Stores `key` (replacing any value) for `ttl`.
    pub async fn set(&self, key: &str, value: &str, ttl: Duration) -> Result<(), StoreError> {
        let ttl_secs = ttl.as_secs().max(1) as i64;
        match self {
            Kv::Sqlite(kv) => {
                kv.write(key, async {
                    let pool = &kv.pool;
                    sqlx::query("INSERT INTO keyport_kv (key, value, expires_at) VALUES (?, ?, ?)
                                 ON CONFLICT(key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at")
                        .bind(key)
                        .bind(value)
                        .bind(now() + ttl_secs)
                        .execute(pool)
                        .await
                        .map_err(backend)?;
                    Ok(())
                })
                .await
            }
            Kv::Redis(pool) => {
                let _: Option<String> = pool
                    .set(key, value, Some(Expiration::EX(ttl_secs)), None, false)
                    .await
                    .map_err(backend)?;
                Ok(())
            }
        }
    }

    pub async fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        match self {
            Kv::Sqlite(kv) => {
                let known = match kv.recent.get(key).await {
                    Some(known) => known,
                    None => {
                        let writes = kv.writes.load(std::sync::atomic::Ordering::SeqCst);
                        let row: Option<(String, i64)> = sqlx::query_as(
                            "SELECT value, expires_at FROM keyport_kv WHERE key = ?",
                        )
                        .bind(key)
                        .fetch_optional(&kv.pool)
                        .await
                        .map_err(backend)?;
                        if kv.writes.load(std::sync::atomic::Ordering::SeqCst) == writes {
                            kv.recent.insert(key.to_string(), row.clone()).await;
                        }
                        row
                    }
                };
                Ok(known
                    .filter(|(_, expires_at)| *expires_at > now())
                    .map(|(v, _)| v))
            }
            Kv::Redis(pool) => pool.get(key).await.map_err(backend),
        }
    }

    /// Reads and removes `key` in one step: of two callers racing for a one-time value, only
    /// one gets it.
    pub async fn take(&self, key: &str) -> Result<Option<String>, StoreError> {
        match self {
            Kv::Sqlite(kv) => {
                kv.write(key, async {
                    let pool = &kv.pool;
                    let row: Option<(String, i64)> = sqlx::query_as(
                        "DELETE FROM keyport_kv WHERE key = ? RETURNING value, expires_at",
                    )
                    .bind(key)
                    .fetch_optional(pool)
                    .await
                    .map_err(backend)?;
                    Ok(row.filter(|r| r.1 > now()).map(|r| r.0))
                })
                .await
            }
            Kv::Redis(pool) => pool.getdel(key).await.map_err(backend),
        }
    }

    /// Counts one event in a fixed window: the count so far and the seconds until the window
    /// ends. The first event of a window starts it.
    pub async fn count(&self, key: &str, window: Duration) -> Result<(u64, u64), StoreError> {
        let window_secs = window.as_secs().max(1) as i64;
        match self {
            Kv::Sqlite(kv) => {
                kv.write(key, async {
                    let pool = &kv.pool;
                    let t = now();
                    let row: (String, i64) = sqlx::query_as(
                        "INSERT INTO keyport_kv (key, value, expires_at) VALUES (?1, '1', ?2 + ?3)
                         ON CONFLICT(key) DO UPDATE SET
                            value = CASE WHEN expires_at <= ?2 THEN '1' ELSE CAST(CAST(value AS INTEGER) + 1 AS TEXT) END,
                            expires_at = CASE WHEN expires_at <= ?2 THEN ?2 + ?3 ELSE expires_at END
                         RETURNING value, expires_at",
                    )
                    .bind(key)
                    .bind(t)
                    .bind(window_secs)
                    .fetch_one(pool)
                    .await
                    .map_err(backend)?;
                    let count = row.0.parse().unwrap_or(1);
                    Ok((count, (row.1 - t).max(0) as u64))
                })
                .await
            }
            Kv::Redis(pool) => {
                let count: i64 = pool.incr(key).await.map_err(backend)?;
                if count == 1 {
                    let _: () = pool.expire(key, window_secs, None).await.map_err(backend)?;
                }
                let ttl: i64 = pool.ttl(key).await.map_err(backend)?;
                Ok((count.max(0) as u64, ttl.max(0) as u64))
            }
        }
    }

    /// Removes expired rows (SQLite only; Redis expires keys itself).
    pub async fn sweep(&self) -> Result<(), StoreError> {
        if let Kv::Sqlite(kv) = self {
            let pool = &kv.pool;
            // Only expired rows go, which no read from memory would give anyway.
            sqlx::query("DELETE FROM keyport_kv WHERE expires_at <= ?")
                .bind(now())
                .execute(pool)
                .await
                .map_err(backend)?;
        }
        Ok(())
    }
}

/// Opens the backend named by `KEYPORT_SESSION_STORE`: `redis://…` or a SQLite file path.
pub async fn open(location: &str) -> Result<(Store, Kv), StoreError> {
    if location.starts_with("redis://") || location.starts_with("rediss://") {
        let config = fred::types::config::Config::from_url(location).map_err(|source| {
            StoreError::Redis {
                url: redact(location),
                source,
            }
        })?;
        let pool = fred::types::Builder::from_config(config)
            .with_connection_config(|c| {
                c.connection_timeout = Duration::from_secs(3);
            })
            .build_pool(4)
            .map_err(|source| StoreError::Redis {
                url: redact(location),
                source,
            })?;
        pool.init().await.map_err(|source| StoreError::Redis {
            url: redact(location),
            source,
        })?;
        let kv = Kv::Redis(pool.clone());
        return Ok((Store::Redis(RedisStore::new(pool)), kv));
    }
    let path = location.strip_prefix("sqlite://").unwrap_or(location);
    if let Some(dir) = std::path::Path::new(path)
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
    {
        std::fs::create_dir_all(dir)
            .map_err(|e| StoreError::Backend(format!("{}: {e}", dir.display())))?;
    }
    let options = SqliteConnectOptions::from_str(&format!("sqlite://{path}"))
        .map_err(|source| StoreError::Sqlite {
            path: path.into(),
            source,
        })?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .busy_timeout(Duration::from_secs(5));
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        .connect_with(options)
        .await
        .map_err(|source| StoreError::Sqlite {
            path: path.into(),
            source,
        })?;
    let store = SqliteStore::new(pool.clone());
    store.migrate().await.map_err(|source| StoreError::Sqlite {
        path: path.into(),
        source,
    })?;
    let kv = Kv::Sqlite(Arc::new(SqliteKv::new(pool)));
    kv.migrate().await?;
    let in_memory = MokaStore::new(Some(SESSIONS_IN_MEMORY));
    Ok((
        Store::Sqlite(Arc::new(CachingSessionStore::new(in_memory, store))),
        kv,
    ))
}

/// A store URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn sqlite() -> (Store, Kv) {
        let dir = std::env::temp_dir().join(format!("keyport-kv-{}", uuid::Uuid::new_v4()));
        open(dir.join("s.sqlite3").to_str().unwrap()).await.unwrap()
    }

    /// What the process remembers of the table never hides a write: every kind of write is seen
    /// by the very next read, whatever the previous read remembered.
    #[tokio::test]
    async fn a_read_after_any_write_sees_the_write() {
        let (_, kv) = sqlite().await;
        let hour = Duration::from_secs(3600);
        assert_eq!(kv.get("k").await.unwrap(), None);
        kv.set("k", "1", hour).await.unwrap();
        assert_eq!(kv.get("k").await.unwrap().as_deref(), Some("1"));
        kv.set("k", "2", hour).await.unwrap();
        assert_eq!(kv.get("k").await.unwrap().as_deref(), Some("2"));
        assert_eq!(kv.take("k").await.unwrap().as_deref(), Some("2"));
        assert_eq!(kv.get("k").await.unwrap(), None);
        assert!(kv.insert_if_absent("k", "3", hour).await.unwrap());
        assert_eq!(kv.get("k").await.unwrap().as_deref(), Some("3"));
        assert_eq!(kv.get("c").await.unwrap(), None);
        kv.count("c", hour).await.unwrap();
        kv.count("c", hour).await.unwrap();
        assert_eq!(kv.get("c").await.unwrap().as_deref(), Some("2"));
    }

    /// An expired value is gone even when it was read while it lived.
    #[tokio::test]
    async fn a_remembered_value_still_expires() {
        let (_, kv) = sqlite().await;
        kv.set("k", "1", Duration::from_secs(1)).await.unwrap();
        assert_eq!(kv.get("k").await.unwrap().as_deref(), Some("1"));
        tokio::time::sleep(Duration::from_millis(2100)).await;
        assert_eq!(kv.get("k").await.unwrap(), None);
    }

    /// Sessions kept in memory are written through to the file: a new process (a restart)
    /// finds them.
    #[tokio::test]
    async fn sessions_survive_a_restart() {
        let dir = std::env::temp_dir().join(format!("keyport-kv-{}", uuid::Uuid::new_v4()));
        let path = dir.join("s.sqlite3");
        let (store, _) = open(path.to_str().unwrap()).await.unwrap();
        let mut record = Record {
            id: Default::default(),
            data: [("keyport".to_string(), serde_json::json!({"csrf": "x"}))].into(),
            expiry_date: OffsetDateTime::now_utc() + time::Duration::hours(1),
        };
        store.create(&mut record).await.unwrap();
        drop(store);
        let (again, _) = open(path.to_str().unwrap()).await.unwrap();
        let loaded = again.load(&record.id).await.unwrap().unwrap();
        assert_eq!(loaded.data, record.data);
    }
}
