//! The org's password rules as a live checklist, checked as the user types.

use crate::model::auth::PasswordRules;
use leptos::prelude::*;

/// One rule and whether the new password meets it.
pub fn evaluate(
    rules: &PasswordRules,
    password: &str,
    username: &str,
) -> Vec<(&'static str, String, bool)> {
    let count = |f: fn(&char) -> bool| password.chars().filter(f).count() as u32;
    let mut out = vec![(
        "minLength",
        format!("At least {} characters", rules.min_length),
        password.chars().count() as u32 >= rules.min_length,
    )];
    if rules.min_lower > 0 {
        out.push((
            "minLowerCase",
            "A lowercase letter".into(),
            count(|c: &char| c.is_lowercase()) >= rules.min_lower,
        ));
    }
    if rules.min_upper > 0 {
        out.push((
            "minUpperCase",
            "An uppercase letter".into(),
            count(|c: &char| c.is_uppercase()) >= rules.min_upper,
        ));
    }
    if rules.min_number > 0 {
        out.push((
            "minNumber",
            "A number".into(),
            count(char::is_ascii_digit) >= rules.min_number,
        ));
    }
    if rules.min_symbol > 0 {
        out.push((
            "minSymbol",
            "A symbol".into(),
            count(|c| !c.is_alphanumeric()) >= rules.min_symbol,
        ));
    }
    if rules.exclude_username {
        let local = username
            .split('@')
            .next()
            .unwrap_or(username)
            .to_lowercase();
        let pw = password.to_lowercase();
        let clean = !local
            .split(|c: char| !c.is_alphanumeric())
            .filter(|p| p.len() >= 3)
            .any(|part| pw.contains(part));
        out.push((
            "excludeUsername",
            "No part of your username".into(),
            !password.is_empty() && clean,
        ));
    }
    if rules.history > 0 {
        // Checked by Okta only: shown so the refusal is expected.
        out.push((
            "history",
            format!("Not one of your last {} passwords", rules.history),
            true,
        ));
    }
    out
}

/// Whether every locally checkable rule is met.
pub fn all_met(rules: &PasswordRules, password: &str, username: &str) -> bool {
    evaluate(rules, password, username)
        .iter()
        .all(|(_, _, ok)| *ok)
}

/// `refused` names the rule Okta refused the last attempt for (only Okta can check some, such
/// as the password history): that rule shows as unmet until the password changes.
#[component]
pub fn PasswordChecklist(
    rules: PasswordRules,
    #[prop(into)] password: Signal<String>,
    #[prop(into)] username: Signal<String>,
    #[prop(optional, into)] refused: Option<Signal<Option<String>>>,
) -> impl IntoView {
    view! {
        <ul class="checklist" aria-label="Password rules" data-testid="password-rules">
            {move || {
                let refused = refused.and_then(|r| r.get());
                evaluate(&rules, &password.get(), &username.get())
                    .into_iter()
                    .map(|(id, text, ok)| {
                        let was_refused = refused.as_deref() == Some(id);
                        let ok = ok && !was_refused;
                        view! {
                            <li class=if ok { "rule rule-ok" } else if was_refused { "rule rule-refused" } else { "rule" }
                                data-rule=id data-met=ok.to_string() data-refused=was_refused.to_string()>
                                <span class="rule-mark" aria-hidden="true">{if ok { "✓" } else if was_refused { "✗" } else { "•" }}</span>
                                <span>{text}</span>
                                <span class="visually-hidden">{if ok { " (met)" } else if was_refused { " (your organization refused the password for this)" } else { " (not met yet)" }}</span>
                            </li>
                        }
                    })
                    .collect_view()
            }}
        </ul>
    }
}
