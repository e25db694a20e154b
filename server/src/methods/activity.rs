//! The user's recent security activity, from Okta's System Log, in plain words.

use crate::okta::types::LogEvent;
use app::model::methods::ActivityEntry;
use std::collections::HashMap;

/// How many lines the page shows.
pub const SHOWN: usize = 10;

fn target_name(e: &LogEvent) -> String {
    e.target
        .as_ref()
        .and_then(|t| t.iter().find(|t| t.target_type != "User"))
        .and_then(|t| t.display_name.clone())
        .unwrap_or_else(|| "a sign-in method".to_string())
}

fn ok(e: &LogEvent) -> bool {
    e.outcome
        .as_ref()
        .and_then(|o| o.result.as_deref())
        .is_none_or(|r| r == "SUCCESS" || r == "ALLOW")
}

/// One event as a sentence; `None` for events a person would not recognise.
pub fn describe(e: &LogEvent) -> Option<String> {
    let name = target_name(e);
    let success = ok(e);
    Some(match e.event_type.as_str() {
        "user.mfa.factor.activate" => format!("{name} added"),
        "user.mfa.factor.deactivate" => format!("{name} removed"),
        "user.mfa.factor.reset_all" => "All sign-in methods reset by your help desk".to_string(),
        "user.authentication.auth_via_mfa" if success => format!("Verified with {name}"),
        "user.authentication.auth_via_mfa" => format!("A verification with {name} failed"),
        "user.mfa.okta_verify.deny_push" => {
            "A sign-in request was denied on your phone".to_string()
        }
        "user.session.start" if success => "Signed in".to_string(),
        "user.session.start" => "A sign-in attempt failed".to_string(),
        "user.session.clear" => "Signed out everywhere".to_string(),
        "user.account.update_password" => "Password changed".to_string(),
        "user.account.lock" => "Account locked after failed sign-ins".to_string(),
        "user.account.unlock" | "user.account.unlock_by_admin" => "Account unlocked".to_string(),
        "user.account.update_profile" => "Profile updated".to_string(),
        "user.mfa.factor.update" => format!("{name} updated"),
        _ => return None,
    })
}

/// The lines to show, newest first.
pub fn entries(events: &[LogEvent]) -> Vec<ActivityEntry> {
    events
        .iter()
        .filter_map(|e| {
            describe(e).map(|text| ActivityEntry {
                when: e.published.clone(),
                text,
                ok: ok(e),
                from: e
                    .client
                    .as_ref()
                    .and_then(|c| c.get("ipAddress"))
                    .and_then(|v| v.as_str())
                    .map(str::to_string),
            })
        })
        .take(SHOWN)
        .collect()
}

/// Factor id → when it was last used successfully (the newest verification in the log).
pub fn last_used(events: &[LogEvent]) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for e in events {
        if e.event_type == "user.authentication.auth_via_mfa" && ok(e) {
            for t in e.target.iter().flatten() {
                if t.target_type != "User" {
                    // Events come newest first: keep the first seen.
                    out.entry(t.id.clone())
                        .or_insert_with(|| e.published.clone());
                }
            }
        }
    }
    out
}
