//! The sandbox org's state, held so that concurrent requests do not serialize on one lock.
//!
//! Users live behind a read-mostly index (`RwLock<HashMap>`) and each user behind its own
//! `Mutex`: requests about different users never wait for each other, and requests about one
//! user are applied one at a time, as Okta would. Org-wide collections (authenticators, the
//! outbox, the System Log, push transactions) each have their own short-held lock. No lock is
//! ever held across an `.await`.

use super::clock::Clock;
use super::model::*;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};
use time::OffsetDateTime;

/// Locks a mutex; a poisoned lock (a panicked holder) still yields the data.
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

pub fn read<T>(m: &RwLock<T>) -> RwLockReadGuard<'_, T> {
    m.read().unwrap_or_else(|e| e.into_inner())
}

pub fn write<T>(m: &RwLock<T>) -> RwLockWriteGuard<'_, T> {
    m.write().unwrap_or_else(|e| e.into_inner())
}

pub type UserCell = Arc<Mutex<User>>;

/// One Authn API transaction (API-NOTES §5).
#[derive(Clone, Debug)]
pub struct AuthnTransaction {
    pub state_token: String,
    pub user_id: String,
    pub expires_at: OffsetDateTime,
    pub step: AuthnStep,
    /// A factor was verified in this transaction (MFA comes before PASSWORD_EXPIRED, ADOC).
    pub mfa_verified: bool,
    /// The last push outcome reported while in MFA_CHALLENGE (`REJECTED`, `TIMEOUT`), shown
    /// again when the transaction is read back; cleared when a new challenge starts.
    pub factor_result: Option<&'static str>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuthnStep {
    PasswordExpired,
    MfaRequired,
    /// A challenge is out for this factor (push transaction id for push).
    MfaChallenge {
        factor_id: String,
        push_transaction: Option<String>,
    },
    Success,
}

/// The org: everything the sandbox knows.
pub struct Org {
    pub id: String,
    pub pipeline: Pipeline,
    pub clock: Clock,
    /// Origins WebAuthn ceremonies may come from (their hosts are the accepted RP ids).
    pub webauthn_origins: Vec<url::Url>,
    users: RwLock<HashMap<String, UserCell>>,
    /// Lower-cased login → user id.
    logins: RwLock<HashMap<String, String>>,
    pub groups: RwLock<Vec<Group>>,
    pub authenticators: RwLock<Vec<Authenticator>>,
    pub policies: RwLock<Vec<Policy>>,
    pub pushes: Mutex<HashMap<String, PushTransaction>>,
    /// Push activation token (`t` of the QR code) → (user id, factor id).
    pub activation_tokens: Mutex<HashMap<String, (String, String)>>,
    pub authn: Mutex<HashMap<String, AuthnTransaction>>,
    /// `sms:+14155550100` / `call:…` / `email:…` → when the last message went out.
    pub cooldowns: Mutex<HashMap<String, OffsetDateTime>>,
    pub outbox: Mutex<Vec<OutboxMessage>>,
    pub log: Mutex<Vec<LogEvent>>,
}

/// What the seed hands over.
pub struct Seed {
    pub users: Vec<User>,
    pub groups: Vec<Group>,
    pub authenticators: Vec<Authenticator>,
    pub policies: Vec<Policy>,
}

impl Org {
    pub fn new(
        id: String,
        pipeline: Pipeline,
        webauthn_origins: Vec<url::Url>,
        seed: Seed,
    ) -> Self {
        let org = Org {
            id,
            pipeline,
            clock: Clock::default(),
            webauthn_origins,
            users: RwLock::default(),
            logins: RwLock::default(),
            groups: RwLock::default(),
            authenticators: RwLock::default(),
            policies: RwLock::default(),
            pushes: Mutex::default(),
            activation_tokens: Mutex::default(),
            authn: Mutex::default(),
            cooldowns: Mutex::default(),
            outbox: Mutex::default(),
            log: Mutex::default(),
        };
        org.load(seed);
        org
    }

    /// Adds people (`POST /sandbox/api/users/generate`); one whose login is taken is skipped.
    /// Returns how many were added.
    pub fn add_users(&self, people: Vec<User>) -> usize {
        let mut users = write(&self.users);
        let mut logins = write(&self.logins);
        let mut added = 0;
        for user in people {
            let login = user.login().to_ascii_lowercase();
            if logins.contains_key(&login) || users.contains_key(&user.id) {
                continue;
            }
            logins.insert(login, user.id.clone());
            users.insert(user.id.clone(), Arc::new(Mutex::new(user)));
            added += 1;
        }
        added
    }

    /// Replaces everything with the seed: `POST /sandbox/api/reset`.
    pub fn load(&self, seed: Seed) {
        let mut users = HashMap::new();
        let mut logins = HashMap::new();
        for user in seed.users {
            logins.insert(user.login().to_ascii_lowercase(), user.id.clone());
            users.insert(user.id.clone(), Arc::new(Mutex::new(user)));
        }
        *write(&self.users) = users;
        *write(&self.logins) = logins;
        *write(&self.groups) = seed.groups;
        *write(&self.authenticators) = seed.authenticators;
        *write(&self.policies) = seed.policies;
        lock(&self.pushes).clear();
        lock(&self.activation_tokens).clear();
        lock(&self.authn).clear();
        lock(&self.cooldowns).clear();
        lock(&self.outbox).clear();
        lock(&self.log).clear();
        self.clock.reset();
    }

    pub fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }

    /// A user by id, or by login (case-insensitive), as `GET /api/v1/users/{idOrLogin}`.
    pub fn user(&self, id_or_login: &str) -> Option<UserCell> {
        if let Some(cell) = read(&self.users).get(id_or_login) {
            return Some(cell.clone());
        }
        let id = read(&self.logins)
            .get(&id_or_login.to_ascii_lowercase())
            .cloned()?;
        read(&self.users).get(&id).cloned()
    }

    /// A user by id, login or the login's short name (the part before `@`, when it names exactly
    /// one user), as `GET /api/v1/users/{id}` accepts (API-NOTES §4: "id, URL-encoded
    /// login/shortname, or me") and as the Authn API signs people in.
    pub fn user_by_any_name(&self, name: &str) -> Option<UserCell> {
        if name.is_empty() {
            return None;
        }
        if let Some(cell) = self.user(name) {
            return Some(cell);
        }
        if name.contains('@') {
            return None;
        }
        let mut found = self.all_users().into_iter().filter(|cell| {
            let u = lock(cell);
            let local = u.login().split('@').next().unwrap_or_default();
            local.eq_ignore_ascii_case(name)
        });
        let first = found.next()?;
        found.next().is_none().then_some(first)
    }

    /// A user by id only (paths such as `/users/{userId}/factors`).
    pub fn user_by_id(&self, id: &str) -> Option<UserCell> {
        read(&self.users).get(id).cloned()
    }

    pub fn all_users(&self) -> Vec<UserCell> {
        let mut cells: Vec<(String, UserCell)> = read(&self.users)
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        cells.sort_by(|a, b| a.0.cmp(&b.0));
        cells.into_iter().map(|(_, v)| v).collect()
    }

    /// Records a login change in the index. The caller has checked uniqueness.
    pub fn rename_login(&self, old: &str, new: &str, user_id: &str) {
        let mut logins = write(&self.logins);
        logins.remove(&old.to_ascii_lowercase());
        logins.insert(new.to_ascii_lowercase(), user_id.to_string());
    }

    /// Whether another user already has this login.
    pub fn login_taken(&self, login: &str, except_user: &str) -> bool {
        read(&self.logins)
            .get(&login.to_ascii_lowercase())
            .is_some_and(|id| id != except_user)
    }

    pub fn authenticator_by_key(&self, key: &str) -> Option<Authenticator> {
        read(&self.authenticators)
            .iter()
            .find(|a| a.key == key)
            .cloned()
    }

    /// Whether the org lets users enroll factors of this kind now.
    pub fn kind_enabled(&self, kind: Kind) -> bool {
        self.authenticator_by_key(kind.authenticator_key())
            .is_some_and(|a| a.active)
    }

    pub fn record(&self, event: LogEvent) {
        let mut log = lock(&self.log);
        log.push(event);
        // Bounded: a long-running sandbox must not grow without end.
        if log.len() > 5000 {
            let excess = log.len() - 5000;
            log.drain(..excess);
        }
    }

    pub fn send(&self, message: OutboxMessage) {
        let mut outbox = lock(&self.outbox);
        outbox.push(message);
        if outbox.len() > 2000 {
            let excess = outbox.len() - 2000;
            outbox.drain(..excess);
        }
    }
}
