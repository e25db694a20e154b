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
use std::time::Duration;
use time::OffsetDateTime;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};
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

/// The session store Keyport runs with.
#[derive(Clone, Debug)]
pub enum Store {
    Sqlite(SqliteStore),
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
    Sqlite(SqlitePool),
    Redis(fred::clients::Pool),
}

fn backend<E: std::fmt::Display>(e: E) -> StoreError {
    StoreError::Backend(e.to_string())
}

fn now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

impl Kv {
    async fn migrate(&self) -> Result<(), StoreError> {
        if let Kv::Sqlite(pool) = self {
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
            Kv::Sqlite(pool) => {
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
            Kv::Sqlite(pool) => {
                sqlx::query("INSERT INTO keyport_kv (key, value, expires_at) VALUES (?, ?, ?)
                             ON CONFLICT(key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at")
                    .bind(key)
                    .bind(value)
                    .bind(now() + ttl_secs)
                    .execute(pool)
                    .await
                    .map_err(backend)?;
                Ok(())
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
            Kv::Sqlite(pool) => {
                let row: Option<(String,)> =
                    sqlx::query_as("SELECT value FROM keyport_kv WHERE key = ? AND expires_at > ?")
                        .bind(key)
                        .bind(now())
                        .fetch_optional(pool)
                        .await
                        .map_err(backend)?;
                Ok(row.map(|r| r.0))
            }
            Kv::Redis(pool) => pool.get(key).await.map_err(backend),
        }
    }

    /// Reads and removes `key` in one step: of two callers racing for a one-time value, only
    /// one gets it.
    pub async fn take(&self, key: &str) -> Result<Option<String>, StoreError> {
        match self {
            Kv::Sqlite(pool) => {
                let row: Option<(String, i64)> = sqlx::query_as(
                    "DELETE FROM keyport_kv WHERE key = ? RETURNING value, expires_at",
                )
                .bind(key)
                .fetch_optional(pool)
                .await
                .map_err(backend)?;
                Ok(row.filter(|r| r.1 > now()).map(|r| r.0))
            }
            Kv::Redis(pool) => pool.getdel(key).await.map_err(backend),
        }
    }

    /// Counts one event in a fixed window: the count so far and the seconds until the window
    /// ends. The first event of a window starts it.
    pub async fn count(&self, key: &str, window: Duration) -> Result<(u64, u64), StoreError> {
        let window_secs = window.as_secs().max(1) as i64;
        match self {
            Kv::Sqlite(pool) => {
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
        if let Kv::Sqlite(pool) = self {
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
    let kv = Kv::Sqlite(pool);
    kv.migrate().await?;
    Ok((Store::Sqlite(store), kv))
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
