//! The Classic Engine Authn API (`/api/v1/authn…`, API-NOTES §5): primary authentication with
//! lockout, the MFA state machine (verify, push polling with number matching, resend, previous,
//! cancel), changing an expired password, and "sign out everywhere"
//! (`DELETE /api/v1/users/{userId}/sessions`).
//!
//! Transactions live in `Org.authn`, keyed by state token. A state token expires
//! [`TRANSACTION_LIFETIME`] after the last request that used it (ADOC "State token": the lifetime
//! slides with every request); an expired or unknown one is 401 E0000011, a call the current
//! state does not allow is 403 E0000079. Every answer is built here, shaped after the
//! `authn-*.json` examples.
//!
//! Where Okta's behaviour depends on org policy, the sandbox org's policy is:
//! - lockout is shown (ADOC "show lockout failures"): a LOCKED_OUT user gets 200 `LOCKED_OUT`
//!   whatever password was typed, and so does the attempt that locks the account;
//! - after [`LOCKOUT_THRESHOLD`] consecutive wrong passwords the account locks; only password
//!   failures count (failed MFA attempts are logged but do not lock);
//! - every user with an active factor must verify one (FastPass `signed_nonce` is not usable
//!   through Authn, so it is never offered);
//! - self-service unlock is off: `POST /authn/recovery/unlock` is 403 E0000006 (an admin
//!   unlocks through the Users API);
//! - Okta Verify pushes use number matching.
//!
//! Order of steps after the password: MFA (if the user has a usable factor), then
//! PASSWORD_EXPIRED, then SUCCESS, as ADOC's note on expired passwords says.

use super::factors::{factor_not_found, with_user};
use super::{flag, Base, Body, Client, Json};
use crate::sandbox::clock::okta_time;
use crate::sandbox::error::{ApiError, ApiResult};
use crate::sandbox::events::{self, Origin};
use crate::sandbox::ids;
use crate::sandbox::model::*;
use crate::sandbox::ops::{self, Purpose};
use crate::sandbox::passwords::{self, POLICY};
use crate::sandbox::render::{self, link, named_link};
use crate::sandbox::state::{lock, AuthnStep, AuthnTransaction, Org, UserCell};
use crate::sandbox::webauthn;
use crate::sandbox::Sandbox;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::routing::{delete, post};
use axum::Router;
use serde::Deserialize;
use serde_json::{json, Value};
use time::Duration;

/// A state token lives five minutes past the last request that used it. ADOC says the lifetime
/// slides with every request; its length is UNCONFIRMED (the examples' `expiresAt` values do
/// not show it).
pub const TRANSACTION_LIFETIME: Duration = Duration::minutes(5);
/// "The lifetime of the `sessionToken` is 5 minutes" (ADOC "Session token").
pub const SESSION_TOKEN_LIFETIME: Duration = Duration::minutes(5);
/// Consecutive wrong passwords that lock the account. Okta's default password policy counts
/// to 10; the sandbox org's policy locks after 5 so that lockout is quick to try.
pub const LOCKOUT_THRESHOLD: u32 = 5;
/// Sessions kept per user: a long-running sandbox must not grow without end.
const MAX_SESSIONS: usize = 100;

pub fn routes() -> Router<Sandbox> {
    Router::new()
        .route("/authn", post(primary))
        .route("/authn/factors/{factor_id}/verify", post(verify))
        .route("/authn/factors/{factor_id}/verify/resend", post(resend))
        .route("/authn/credentials/change_password", post(change_password))
        .route("/authn/previous", post(previous))
        .route("/authn/cancel", post(cancel))
        .route("/authn/recovery/unlock", post(unlock))
        .route("/users/{user_id}/sessions", delete(clear_sessions))
}

// ----- errors -----------------------------------------------------------------------------

/// 401 E0000004: bad credentials, an inactive user, an unknown user: never which
/// (authn-error-auth-failed-E0000004.json).
pub fn auth_failed() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "E0000004",
        "Authentication failed",
    )
}

/// 403 E0000079: the transaction's state does not allow this call
/// (authn-error-illegal-state-E0000079.json).
pub fn illegal_state() -> ApiError {
    const TEXT: &str = "This operation is not allowed in the current authentication state.";
    ApiError::new(StatusCode::FORBIDDEN, "E0000079", TEXT).cause(TEXT)
}

/// 403 E0000014: the old password is wrong (errors-change-password-old-incorrect-E0000014.json).
pub fn old_password_incorrect() -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        "E0000014",
        "Update of credentials failed",
    )
    .cause("oldPassword: The credentials provided were incorrect.")
}

/// 403 E0000080: the new password breaks the org's password policy (API-NOTES §5, §8).
pub fn password_policy_error() -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        "E0000080",
        "The password does not meet the complexity requirements of the current password policy.",
    )
    .cause(format!(
        "password: Password requirements were not met. {}",
        POLICY.requirements_sentence()
    ))
}

fn wrong_answer() -> ApiError {
    ApiError::new(StatusCode::FORBIDDEN, "E0000068", "Invalid Passcode/Answer")
        .cause("Your answer doesn't match our records. Please try again.")
}

// ----- the caller ---------------------------------------------------------------------------

/// The user acting through Authn. A trusted app (one that sent a valid SSWS token: the router
/// refuses any other `Authorization`) may forward the user's address in `X-Forwarded-For`; a
/// public app may not (ADOC "Trusted application").
fn origin(headers: &HeaderMap, client: &Client) -> Origin {
    let trusted = headers.contains_key(header::AUTHORIZATION);
    Origin {
        client_ip: client.ip.clone().filter(|_| trusted),
        user_agent: client.user_agent.clone(),
        by_admin: false,
    }
}

// ----- transactions -------------------------------------------------------------------------

/// The live transaction for `token`; an expired one is forgotten (401 E0000011 either way).
fn live(org: &Org, token: &str) -> ApiResult<AuthnTransaction> {
    let now = org.now();
    let mut all = lock(&org.authn);
    all.retain(|_, tx| tx.expires_at > now);
    all.get(token).cloned().ok_or_else(ApiError::invalid_token)
}

fn store(org: &Org, tx: AuthnTransaction) {
    lock(&org.authn).insert(tx.state_token.clone(), tx);
}

/// Runs `f` on the transaction of `token` and its user, with the user locked so that calls
/// about one user apply one at a time. The expiry slides forward; changes are kept even when
/// `f` fails (a reported push outcome, for instance).
fn with_transaction<T>(
    org: &Org,
    token: Option<&str>,
    f: impl FnOnce(&mut User, &mut AuthnTransaction) -> ApiResult<T>,
) -> ApiResult<T> {
    let token = token
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(ApiError::invalid_token)?;
    let user_id = live(org, token)?.user_id;
    let cell = org
        .user_by_id(&user_id)
        .ok_or_else(ApiError::invalid_token)?;
    let mut user = lock(&cell);
    if matches!(
        user.status,
        UserStatus::Deprovisioned | UserStatus::Suspended | UserStatus::Staged
    ) {
        // Deactivated or suspended mid-sign-in: the transaction ends, no session is given.
        // UNCONFIRMED: Okta's code for this; the sandbox treats the token as revoked.
        lock(&org.authn).remove(token);
        return Err(ApiError::invalid_token());
    }
    // Read again under the user's lock: a concurrent call may have moved it on.
    let mut tx = live(org, token)?;
    tx.expires_at = org.now() + TRANSACTION_LIFETIME;
    let result = f(&mut user, &mut tx);
    store(org, tx);
    result
}

/// Factors Authn offers: active ones, minus FastPass (not usable through Authn).
fn usable(f: &Factor) -> bool {
    f.status == FactorStatus::Active && f.kind != Kind::SignedNonce
}

fn factor_index(u: &User, factor_id: &str) -> ApiResult<usize> {
    u.factors
        .iter()
        .position(|f| f.id == factor_id && usable(f))
        .ok_or_else(|| factor_not_found(factor_id))
}

/// Marks the waiting push of a challenge as cancelled (a new challenge, `previous`, `cancel`).
fn cancel_push(org: &Org, step: &AuthnStep) {
    if let AuthnStep::MfaChallenge {
        push_transaction: Some(id),
        ..
    } = step
    {
        if let Some(push) = lock(&org.pushes).get_mut(id) {
            if push.outcome == PushOutcome::Waiting {
                push.outcome = PushOutcome::Cancelled;
            }
        }
    }
}

/// Looks a user up by login, or by the login's part before `@` when that names exactly one user
/// (ADOC: "non-qualified short-name … or unique fully qualified sign-in name"). Never by id.
fn find_user(org: &Org, username: &str) -> Option<UserCell> {
    let cell = org.user_by_any_name(username)?;
    let login = lock(&cell).login().to_string();
    let by_login = login.eq_ignore_ascii_case(username)
        || (!username.contains('@')
            && login
                .split('@')
                .next()
                .is_some_and(|l| l.eq_ignore_ascii_case(username)));
    by_login.then_some(cell)
}

// ----- answers ------------------------------------------------------------------------------

fn authn_href(base: &str, rest: &str) -> String {
    format!("{base}/api/v1/authn{rest}")
}

fn verify_href(base: &str, factor_id: &str) -> String {
    authn_href(base, &format!("/factors/{factor_id}/verify"))
}

fn cancel_link(base: &str) -> Value {
    link(authn_href(base, "/cancel"), &["POST"])
}

fn prev_link(base: &str) -> Value {
    link(authn_href(base, "/previous"), &["POST"])
}

/// `stateToken`, `expiresAt`, `status`: what every state but SUCCESS and LOCKED_OUT starts with.
fn envelope(tx: &AuthnTransaction, status: &str) -> Value {
    json!({
        "stateToken": tx.state_token,
        "expiresAt": okta_time(tx.expires_at),
        "status": status,
    })
}

/// A factor as Authn shows it: no status, phones and email addresses masked
/// (authn-primary-mfa-required.json: `"phoneNumber": "+1 XXX-XXX-6688"`).
fn authn_factor(f: &Factor) -> Value {
    let mut profile = render::factor_profile(f).unwrap_or_else(|| json!({}));
    if let Some(phone) = &f.profile.phone_number {
        if profile.get("phoneNumber").is_some() {
            profile["phoneNumber"] = json!(render::mask_phone(phone));
        }
    }
    if let Some(email) = &f.profile.email {
        if profile.get("email").is_some() {
            profile["email"] = json!(render::mask_email(email));
        }
    }
    json!({
        "id": f.id,
        "factorType": f.kind.factor_type(),
        "provider": f.kind.provider(),
        "vendorName": render::vendor_name(f),
        "profile": profile,
    })
}

/// MFA_REQUIRED: `_embedded.factors` (an array) with a `verify` link each, and `cancel`
/// (authn-primary-mfa-required.json, authn-primary-mfa-required-docs.json).
fn mfa_required(base: &str, tx: &AuthnTransaction, u: &User) -> Value {
    let factors: Vec<Value> = u
        .factors
        .iter()
        .filter(|f| usable(f))
        .map(|f| {
            let mut v = authn_factor(f);
            v["_links"] = json!({ "verify": link(verify_href(base, &f.id), &["POST"]) });
            v
        })
        .collect();
    let mut out = envelope(tx, "MFA_REQUIRED");
    out["_embedded"] = json!({ "user": render::authn_user(u), "factors": factors });
    out["_links"] = json!({ "cancel": cancel_link(base) });
    out
}

/// What an MFA_CHALLENGE answer shows besides the factor.
struct Challenge<'a> {
    factor: &'a Factor,
    /// `factorResult` (push: WAITING, REJECTED, TIMEOUT; WebAuthn: CHALLENGE; codes: none).
    result: Option<&'static str>,
    /// The `next` link's name: `verify`, or `poll` while a push waits.
    next: &'static str,
    /// `_embedded` of the factor (push number challenge, WebAuthn challenge).
    embedded: Option<Value>,
}

/// MFA_CHALLENGE: `_embedded.factor` (an object), `next`, `cancel`, `prev`, and `resend[]` for
/// factors that send something (ADOC "Verify SMS Factor", authn-verify-push-waiting.json).
fn mfa_challenge(base: &str, tx: &AuthnTransaction, u: &User, c: Challenge<'_>) -> Value {
    let f = c.factor;
    let href = verify_href(base, &f.id);
    let mut out = envelope(tx, "MFA_CHALLENGE");
    if let Some(result) = c.result {
        out["factorResult"] = json!(result);
    }
    let mut factor = authn_factor(f);
    if let Some(embedded) = c.embedded {
        factor["_embedded"] = embedded;
    }
    out["_embedded"] = json!({ "user": render::authn_user(u), "factor": factor });
    let mut links = json!({
        "next": named_link(c.next, href.clone(), &["POST"]),
        "cancel": cancel_link(base),
        "prev": prev_link(base),
    });
    if f.kind.sends_code() || f.kind == Kind::Push {
        links["resend"] = json!([named_link(
            f.kind.factor_type(),
            format!("{href}/resend"),
            &["POST"]
        )]);
    }
    out["_links"] = links;
    out
}

/// A push challenge: WAITING (with the number to pick, and `next` named `poll`), or how it
/// ended (`next` named `verify`, which sends a new push). ADOC "Verify Push Factor".
fn push_challenge(
    base: &str,
    tx: &AuthnTransaction,
    u: &User,
    f: &Factor,
    waiting: Option<&PushTransaction>,
    result: &'static str,
) -> Value {
    let embedded = waiting
        .and_then(|p| p.correct_answer)
        .map(|n| json!({ "challenge": { "correctAnswer": n } }));
    let next = if waiting.is_some() { "poll" } else { "verify" };
    mfa_challenge(
        base,
        tx,
        u,
        Challenge {
            factor: f,
            result: Some(result),
            next,
            embedded,
        },
    )
}

/// PASSWORD_EXPIRED: the policy's complexity and a `changePassword` link
/// (authn-primary-password-expired.json).
fn password_expired(base: &str, tx: &AuthnTransaction, u: &User) -> Value {
    let mut out = envelope(tx, "PASSWORD_EXPIRED");
    out["_embedded"] = json!({
        "user": render::authn_user(u),
        "policy": POLICY.complexity_json(),
    });
    out["_links"] = json!({
        "next": named_link(
            "changePassword",
            authn_href(base, "/credentials/change_password"),
            &["POST"]
        ),
        "cancel": cancel_link(base),
    });
    out
}

/// LOCKED_OUT: no state token, only the `unlock` link (authn-primary-locked-out.json).
fn locked_out(base: &str) -> Value {
    json!({
        "status": "LOCKED_OUT",
        "_links": {
            "next": named_link("unlock", authn_href(base, "/recovery/unlock"), &["POST"]),
        }
    })
}

/// SUCCESS: a one-time `sessionToken`, no state token (authn-primary-success.json). The user
/// now has an Okta session.
fn succeed(org: &Org, origin: &Origin, u: &mut User) -> Value {
    let now = org.now();
    u.sessions.push(ids::token("102", 22));
    if u.sessions.len() > MAX_SESSIONS {
        let excess = u.sessions.len() - MAX_SESSIONS;
        u.sessions.drain(..excess);
    }
    u.last_login = Some(now);
    u.failed_sign_ins = 0;
    events::record(
        org,
        origin,
        u,
        None,
        "user.session.start",
        "User login to Okta",
        "SUCCESS",
        None,
    );
    json!({
        "expiresAt": okta_time(now + SESSION_TOKEN_LIFETIME),
        "status": "SUCCESS",
        "sessionToken": ids::token("00", 40),
        "_embedded": { "user": render::authn_user(u) },
    })
}

/// Moves the transaction on after a step is done: MFA first when the user has a factor and has
/// not verified one, then an expired password, then SUCCESS. "Users are challenged for MFA
/// (`MFA_REQUIRED`) before `PASSWORD_EXPIRED` if they have an active Factor enrollment" (ADOC).
fn advance(
    org: &Org,
    origin: &Origin,
    base: &str,
    u: &mut User,
    tx: &mut AuthnTransaction,
) -> Value {
    cancel_push(org, &tx.step);
    tx.factor_result = None;
    if !tx.mfa_verified && u.factors.iter().any(usable) {
        tx.step = AuthnStep::MfaRequired;
        return mfa_required(base, tx, u);
    }
    if u.status == UserStatus::PasswordExpired {
        tx.step = AuthnStep::PasswordExpired;
        return password_expired(base, tx, u);
    }
    tx.step = AuthnStep::Success;
    succeed(org, origin, u)
}

/// The transaction as it stands (`POST /authn {stateToken}`, ADOC "Get transaction state").
fn current(org: &Org, base: &str, u: &User, tx: &AuthnTransaction) -> ApiResult<Value> {
    match &tx.step {
        AuthnStep::MfaRequired => Ok(mfa_required(base, tx, u)),
        AuthnStep::PasswordExpired => Ok(password_expired(base, tx, u)),
        AuthnStep::Success => Err(illegal_state()),
        AuthnStep::MfaChallenge {
            factor_id,
            push_transaction,
        } => {
            let f = u
                .factor(factor_id)
                .ok_or_else(|| factor_not_found(factor_id))?;
            let push = push_transaction
                .as_deref()
                .and_then(|id| ops::push_transaction(org, id))
                .filter(|p| ops::push_state(org, p) == "WAITING");
            if f.kind == Kind::Push {
                let result = match (&push, tx.factor_result) {
                    (Some(_), _) => "WAITING",
                    (None, Some(result)) => result,
                    (None, None) => "TIMEOUT",
                };
                return Ok(push_challenge(base, tx, u, f, push.as_ref(), result));
            }
            let result = (f.kind == Kind::WebAuthn).then_some("CHALLENGE");
            Ok(mfa_challenge(
                base,
                tx,
                u,
                Challenge {
                    factor: f,
                    result,
                    next: "verify",
                    embedded: None,
                },
            ))
        }
    }
}

// ----- primary authentication ----------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PrimaryBody {
    username: Option<String>,
    password: Option<String>,
    state_token: Option<String>,
    /// An activation token (ADOC "Primary authentication with activation tokens").
    token: Option<String>,
    /// `multiOptionalFactorEnroll`, `warnBeforePasswordExpired`: accepted; the sandbox's
    /// policy has no enrollment requirement and no warning period, so they change nothing.
    #[serde(default)]
    options: Value,
    /// `deviceToken` (trusted apps): accepted; the sandbox has no device-based policy.
    #[serde(default)]
    context: Value,
}

/// `POST /api/v1/authn`: `{username, password}` starts a transaction; `{stateToken}` alone
/// reads one back.
pub async fn primary(
    State(sb): State<Sandbox>,
    Base(base): Base,
    client: Client,
    headers: HeaderMap,
    Body(body): Body<PrimaryBody>,
) -> ApiResult<Json> {
    let org = sb.org();
    let origin = origin(&headers, &client);
    let _ = (&body.options, &body.context);
    if body.username.is_none() && body.password.is_none() {
        if let Some(token) = body.state_token.as_deref() {
            return with_transaction(org, Some(token), |u, tx| current(org, &base, u, tx))
                .map(axum::Json);
        }
        if body.token.is_some() {
            // UNCONFIRMED: the sandbox issues no user activation tokens, so every one is
            // unknown; ADOC shows a 401 for an invalid one.
            return Err(auth_failed());
        }
    }
    let username = body.username.unwrap_or_default();
    let password = body.password.unwrap_or_default();
    let Some(cell) = find_user(org, username.trim()) else {
        // The same work as a real check, so the answer's timing tells nothing either.
        let _ = passwords::verify(&password, &passwords::demo_hash());
        return Err(auth_failed());
    };
    let mut u = lock(&cell);
    match u.status {
        UserStatus::Deprovisioned | UserStatus::Suspended | UserStatus::Staged => {
            return Err(auth_failed());
        }
        UserStatus::LockedOut => {
            // The sandbox org shows lockout failures (ADOC), whatever the password.
            sign_in_failed(org, &origin, &u, "LOCKED_OUT");
            return Ok(axum::Json(locked_out(&base)));
        }
        UserStatus::Active | UserStatus::PasswordExpired => {}
    }
    // A temporary access code issued by the help desk stands in for the password and the
    // second factor at once (OIE); it is spent here unless it is multi-use.
    let tac_used = !passwords::verify(&password, &u.password_hash)
        && super::enrollments::consume_tac(org, &mut u, &password);
    if !tac_used && !passwords::verify(&password, &u.password_hash) {
        u.failed_sign_ins += 1;
        sign_in_failed(org, &origin, &u, "INVALID_CREDENTIALS");
        if u.failed_sign_ins >= LOCKOUT_THRESHOLD {
            lock_out(org, &origin, &mut u);
            // UNCONFIRMED: whether the attempt that locks already answers LOCKED_OUT or a last
            // E0000004; with lockouts shown, the sandbox tells at once.
            return Ok(axum::Json(locked_out(&base)));
        }
        return Err(auth_failed());
    }
    u.failed_sign_ins = 0;
    let mut tx = AuthnTransaction {
        state_token: ids::token("00", 40),
        user_id: u.id.clone(),
        expires_at: org.now() + TRANSACTION_LIFETIME,
        step: AuthnStep::MfaRequired,
        mfa_verified: tac_used,
        factor_result: None,
    };
    let out = advance(org, &origin, &base, &mut u, &mut tx);
    if tx.step != AuthnStep::Success {
        store(org, tx);
    }
    Ok(axum::Json(out))
}

fn sign_in_failed(org: &Org, origin: &Origin, u: &User, reason: &str) {
    events::record(
        org,
        origin,
        u,
        None,
        "user.session.start",
        "User login to Okta",
        "FAILURE",
        Some(reason.to_string()),
    );
}

fn lock_out(org: &Org, origin: &Origin, u: &mut User) {
    let now = org.now();
    u.status = UserStatus::LockedOut;
    u.status_changed = Some(now);
    u.last_updated = now;
    events::record(
        org,
        origin,
        u,
        None,
        "user.account.lock",
        "Max sign in attempts exceeded",
        "FAILURE",
        Some("LOCKED_OUT".to_string()),
    );
}

// ----- verify -------------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VerifyQuery {
    remember_device: Option<String>,
    auto_push: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VerifyBody {
    state_token: Option<String>,
    pass_code: Option<String>,
    answer: Option<String>,
    client_data: Option<String>,
    authenticator_data: Option<String>,
    signature_data: Option<String>,
}

/// Everything a verify step needs besides the user and the transaction.
struct Ctx<'a> {
    org: &'a Org,
    base: &'a str,
    origin: &'a Origin,
    client: &'a Client,
}

impl Ctx<'_> {
    /// A factor verified: remember it, log it, and move on.
    fn verified(
        &self,
        u: &mut User,
        tx: &mut AuthnTransaction,
        index: usize,
        log: bool,
    ) -> ApiResult<Value> {
        u.factors[index].last_verified = Some(self.org.now());
        u.factors[index].challenge = None;
        if log {
            let f = u.factors[index].clone();
            events::mfa_verified(self.org, self.origin, u, &f, true);
        }
        tx.mfa_verified = true;
        Ok(advance(self.org, self.origin, self.base, u, tx))
    }

    fn failed(&self, u: &User, index: usize, e: ApiError) -> ApiResult<Value> {
        events::mfa_verified(self.org, self.origin, u, &u.factors[index], false);
        Err(e)
    }

    /// Sends a code by SMS, voice or email (cooldowns apply) and waits for it.
    fn send_code(&self, u: &mut User, tx: &mut AuthnTransaction, index: usize) -> ApiResult<Value> {
        let f = &u.factors[index];
        let (kind, factor_id) = (f.kind, f.id.clone());
        let to = f
            .profile
            .phone_number
            .clone()
            .or_else(|| f.profile.email.clone())
            .unwrap_or_default();
        let code = ops::issue_code(
            self.org,
            u,
            kind,
            &to,
            ops::DEFAULT_CODE_LIFETIME,
            Purpose::Verification,
            self.client.language().as_deref(),
        )?;
        u.factors[index].challenge = Some(code);
        cancel_push(self.org, &tx.step);
        tx.step = AuthnStep::MfaChallenge {
            factor_id,
            push_transaction: None,
        };
        tx.factor_result = None;
        Ok(mfa_challenge(
            self.base,
            tx,
            u,
            Challenge {
                factor: &u.factors[index],
                result: None,
                next: "verify",
                embedded: None,
            },
        ))
    }

    /// Sends a push (number matching on) to the factor's device, replacing any earlier one.
    fn send_push(&self, u: &User, tx: &mut AuthnTransaction, index: usize) -> ApiResult<Value> {
        let f = &u.factors[index];
        let from = self
            .origin
            .client_ip
            .clone()
            .unwrap_or_else(|| "an unknown location".into());
        cancel_push(self.org, &tx.step);
        let push = ops::start_push(self.org, u, f, true, format!("Sign-in from {from}"));
        tx.step = AuthnStep::MfaChallenge {
            factor_id: f.id.clone(),
            push_transaction: Some(push.id.clone()),
        };
        tx.factor_result = None;
        Ok(push_challenge(self.base, tx, u, f, Some(&push), "WAITING"))
    }

    /// A push factor: the first call sends a push; later calls with a push out poll it.
    fn push(&self, u: &mut User, tx: &mut AuthnTransaction, index: usize) -> ApiResult<Value> {
        let factor_id = u.factors[index].id.clone();
        let out = match &tx.step {
            AuthnStep::MfaChallenge {
                factor_id: current,
                push_transaction: Some(id),
            } if *current == factor_id => ops::push_transaction(self.org, id),
            _ => None,
        };
        let Some(push) = out else {
            return self.send_push(u, tx, index);
        };
        match ops::push_state(self.org, &push) {
            "WAITING" => Ok(push_challenge(
                self.base,
                tx,
                u,
                &u.factors[index],
                Some(&push),
                "WAITING",
            )),
            // The phone has recorded the verification and its log event.
            "SUCCESS" => self.verified(u, tx, index, false),
            result => {
                // REJECTED, TIMEOUT or CANCELLED, reported once; the `next` link (`verify`)
                // then sends a new push.
                if result == "TIMEOUT" {
                    let f = u.factors[index].clone();
                    events::mfa_verified(self.org, self.origin, u, &f, false);
                }
                tx.step = AuthnStep::MfaChallenge {
                    factor_id,
                    push_transaction: None,
                };
                tx.factor_result = Some(result);
                Ok(push_challenge(
                    self.base,
                    tx,
                    u,
                    &u.factors[index],
                    None,
                    result,
                ))
            }
        }
    }

    /// WebAuthn: without an assertion, a challenge; with one, its verification.
    fn webauthn(
        &self,
        u: &mut User,
        tx: &mut AuthnTransaction,
        index: usize,
        body: &VerifyBody,
    ) -> ApiResult<Value> {
        if let (Some(cd), Some(ad), Some(sig)) = (
            &body.client_data,
            &body.authenticator_data,
            &body.signature_data,
        ) {
            let state = u.factors[index]
                .webauthn_auth_state
                .take()
                .unwrap_or_default();
            let credential_id = u.factors[index]
                .profile
                .credential_id
                .clone()
                .unwrap_or_default();
            return match webauthn::finish_authentication(
                &self.org.webauthn_origins,
                &state,
                &credential_id,
                cd,
                ad,
                sig,
            ) {
                Ok(()) => self.verified(u, tx, index, true),
                Err(e) => {
                    tracing::info!(error = %e, "sandbox refused a WebAuthn assertion");
                    self.failed(u, index, ApiError::invalid_passcode())
                }
            };
        }
        let Some(credential) = u.factors[index].webauthn_credential.clone() else {
            // A seeded key whose private half exists nowhere (as in the Factors API).
            return Err(ApiError::validation(
                "verifyFactor",
                "This security key cannot be used in the sandbox.",
            ));
        };
        let (challenge, state) = webauthn::start_authentication(&credential)
            .map_err(|e| ApiError::validation("verifyFactor", e.to_string()))?;
        u.factors[index].webauthn_auth_state = Some(state);
        cancel_push(self.org, &tx.step);
        tx.step = AuthnStep::MfaChallenge {
            factor_id: u.factors[index].id.clone(),
            push_transaction: None,
        };
        tx.factor_result = None;
        // ADOC "Verify WebAuthn Factor" (by factorId): the challenge sits in the factor.
        let embedded = json!({
            "challenge": {
                "challenge": challenge,
                "userVerification": "preferred",
                "extensions": {},
            }
        });
        Ok(mfa_challenge(
            self.base,
            tx,
            u,
            Challenge {
                factor: &u.factors[index],
                result: Some("CHALLENGE"),
                next: "verify",
                embedded: Some(embedded),
            },
        ))
    }
}

/// `POST /api/v1/authn/factors/{factorId}/verify` in MFA_REQUIRED or MFA_CHALLENGE.
/// `rememberDevice` and `autoPush` are accepted; the sandbox's policy remembers no devices.
pub async fn verify(
    State(sb): State<Sandbox>,
    Base(base): Base,
    client: Client,
    headers: HeaderMap,
    Path(factor_id): Path<String>,
    Query(q): Query<VerifyQuery>,
    Body(body): Body<VerifyBody>,
) -> ApiResult<Json> {
    let org = sb.org();
    let origin = origin(&headers, &client);
    let _ = (flag(&q.remember_device), flag(&q.auto_push));
    let ctx = Ctx {
        org,
        base: &base,
        origin: &origin,
        client: &client,
    };
    with_transaction(org, body.state_token.as_deref(), |u, tx| {
        if !matches!(
            tx.step,
            AuthnStep::MfaRequired | AuthnStep::MfaChallenge { .. }
        ) {
            return Err(illegal_state());
        }
        let index = factor_index(u, &factor_id)?;
        match u.factors[index].kind {
            Kind::OktaTotp | Kind::GoogleTotp | Kind::Hotp => {
                let code = body.pass_code.clone().unwrap_or_default();
                match ops::check_totp(org, &mut u.factors[index], &code) {
                    Ok(()) => ctx.verified(u, tx, index, true),
                    Err(e) => ctx.failed(u, index, e),
                }
            }
            Kind::Question => {
                let answer = body
                    .answer
                    .as_deref()
                    .unwrap_or_default()
                    .trim()
                    .to_lowercase();
                if !answer.is_empty() && u.factors[index].answer.as_deref() == Some(&answer) {
                    ctx.verified(u, tx, index, true)
                } else {
                    ctx.failed(u, index, wrong_answer())
                }
            }
            Kind::Sms | Kind::Call | Kind::Email => match body.pass_code.as_deref() {
                None => ctx.send_code(u, tx, index),
                Some(code) => {
                    if ops::sent_code_matches(org, &u.factors[index].challenge, code) {
                        ctx.verified(u, tx, index, true)
                    } else {
                        ctx.failed(u, index, ApiError::invalid_passcode())
                    }
                }
            },
            Kind::Push => ctx.push(u, tx, index),
            Kind::WebAuthn => ctx.webauthn(u, tx, index, &body),
            Kind::U2f | Kind::SignedNonce => Err(ApiError::validation(
                "verifyFactor",
                "This factor cannot be verified through the API.",
            )),
        }
    })
    .map(axum::Json)
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StateBody {
    state_token: Option<String>,
}

/// `POST /api/v1/authn/factors/{factorId}/verify/resend`: another code (cooldowns apply:
/// 429 E0000109/E0000133/E0000118) or another push, for the factor being challenged.
pub async fn resend(
    State(sb): State<Sandbox>,
    Base(base): Base,
    client: Client,
    headers: HeaderMap,
    Path(factor_id): Path<String>,
    Body(body): Body<StateBody>,
) -> ApiResult<Json> {
    let org = sb.org();
    let origin = origin(&headers, &client);
    let ctx = Ctx {
        org,
        base: &base,
        origin: &origin,
        client: &client,
    };
    with_transaction(org, body.state_token.as_deref(), |u, tx| {
        let challenged = matches!(
            &tx.step,
            AuthnStep::MfaChallenge { factor_id: current, .. } if *current == factor_id
        );
        if !challenged {
            return Err(illegal_state());
        }
        let index = factor_index(u, &factor_id)?;
        match u.factors[index].kind {
            k if k.sends_code() => ctx.send_code(u, tx, index),
            Kind::Push => ctx.send_push(u, tx, index),
            _ => Err(illegal_state()),
        }
    })
    .map(axum::Json)
}

// ----- password -----------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChangePasswordBody {
    state_token: Option<String>,
    old_password: Option<String>,
    new_password: Option<String>,
    /// Revokes the user's other sessions (ADOC "Change password").
    revoke_sessions: Option<bool>,
}

/// `POST /api/v1/authn/credentials/change_password` in PASSWORD_EXPIRED: plain-string
/// passwords (API-NOTES §5). The sandbox never issues PASSWORD_WARN (its policy has no warning
/// period), so that state never reaches here.
pub async fn change_password(
    State(sb): State<Sandbox>,
    Base(base): Base,
    client: Client,
    headers: HeaderMap,
    Body(body): Body<ChangePasswordBody>,
) -> ApiResult<Json> {
    let org = sb.org();
    let origin = origin(&headers, &client);
    with_transaction(org, body.state_token.as_deref(), |u, tx| {
        if tx.step != AuthnStep::PasswordExpired {
            return Err(illegal_state());
        }
        let old = body.old_password.as_deref().unwrap_or_default();
        let new = body.new_password.as_deref().unwrap_or_default();
        if !passwords::verify(old, &u.password_hash) {
            return Err(old_password_incorrect());
        }
        // `password_history` is oldest first; the policy looks at the newest, current first.
        let recent: Vec<String> = std::iter::once(u.password_hash.clone())
            .chain(u.password_history.iter().rev().cloned())
            .collect();
        if !POLICY.violations(new, u.login(), &recent).is_empty() {
            return Err(password_policy_error());
        }
        let previous = std::mem::replace(&mut u.password_hash, passwords::hash(new));
        u.password_history.push(previous);
        let now = org.now();
        u.password_changed = Some(now);
        u.last_updated = now;
        if u.status == UserStatus::PasswordExpired {
            u.status = UserStatus::Active;
            u.status_changed = Some(now);
        }
        if body.revoke_sessions == Some(true) {
            // "All user sessions, except for the current session": Authn has none yet.
            u.sessions.clear();
        }
        events::record(
            org,
            &origin,
            u,
            None,
            "user.account.update_password",
            "User update password for Okta",
            "SUCCESS",
            None,
        );
        Ok(advance(org, &origin, &base, u, tx))
    })
    .map(axum::Json)
}

// ----- state management ---------------------------------------------------------------------

/// `POST /api/v1/authn/previous`: from MFA_CHALLENGE back to MFA_REQUIRED (a waiting push is
/// cancelled). ADOC "Previous transaction state".
pub async fn previous(
    State(sb): State<Sandbox>,
    Base(base): Base,
    Body(body): Body<StateBody>,
) -> ApiResult<Json> {
    let org = sb.org();
    with_transaction(org, body.state_token.as_deref(), |u, tx| match tx.step {
        AuthnStep::MfaChallenge { .. } => {
            cancel_push(org, &tx.step);
            tx.step = AuthnStep::MfaRequired;
            tx.factor_result = None;
            Ok(mfa_required(&base, tx, u))
        }
        _ => Err(illegal_state()),
    })
    .map(axum::Json)
}

/// `POST /api/v1/authn/cancel`: the state token is revoked and a waiting push cancelled.
///
/// ADOC shows no response body. The one recorded answer (okta-auth-js
/// `test/support/xhr/cancel.js`, HTTP 200) is `{"relayState": ""}`, without `status`; the
/// sandbox answers the same, so clients learn not to expect a transaction here.
pub async fn cancel(State(sb): State<Sandbox>, Body(body): Body<StateBody>) -> ApiResult<Json> {
    let org = sb.org();
    let token = body.state_token.unwrap_or_default();
    with_transaction(org, Some(&token), |_, tx| {
        cancel_push(org, &tx.step);
        Ok(())
    })?;
    lock(&org.authn).remove(token.trim());
    Ok(axum::Json(json!({ "relayState": "" })))
}

/// `POST /api/v1/authn/recovery/unlock`: self-service unlock is not enabled in the sandbox org's
/// password policy, so the answer is 403 E0000006 (errors-access-denied-E0000006.json).
/// UNCONFIRMED: the code Okta sends when the policy forbids self-service unlock.
pub async fn unlock() -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        "E0000006",
        "You do not have permission to perform the requested action",
    )
}

// ----- sessions -----------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClearSessionsQuery {
    /// Also revoke OAuth tokens: accepted; the sandbox issues none.
    oauth_tokens: Option<String>,
}

/// `DELETE /api/v1/users/{userId}/sessions` (clearUserSessions): "sign out everywhere". 204.
pub async fn clear_sessions(
    State(sb): State<Sandbox>,
    client: Client,
    Path(user_id): Path<String>,
    Query(q): Query<ClearSessionsQuery>,
) -> ApiResult<StatusCode> {
    let org = sb.org();
    let _ = flag(&q.oauth_tokens);
    with_user(org, &user_id, |u| {
        u.sessions.clear();
        events::record(
            org,
            &client.origin(true),
            u,
            None,
            "user.session.clear",
            "Clear user session",
            "SUCCESS",
            None,
        );
        Ok(StatusCode::NO_CONTENT)
    })
}
