//! Password policies ([SPEC] PasswordPolicy, listPolicies): the org's password rules, which
//! Keyport shows as a checklist before a password change.

use super::links::Links;
use serde::{Deserialize, Serialize};

/// One password policy. Okta applies the active policy of lowest `priority` whose
/// `conditions.people.groups.include` holds one of the user's groups.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PasswordPolicy {
    pub id: String,
    #[serde(default)]
    pub name: String,
    /// `ACTIVE` or `INACTIVE`.
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub priority: Option<u32>,
    #[serde(default)]
    pub system: bool,
    #[serde(default)]
    pub conditions: Option<PasswordPolicyConditions>,
    #[serde(default)]
    pub settings: Option<PasswordPolicySettings>,
    #[serde(rename = "_links", default, skip_serializing_if = "Links::is_empty")]
    pub links: Links,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordPolicyConditions {
    #[serde(default)]
    pub people: Option<PeopleCondition>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeopleCondition {
    #[serde(default)]
    pub groups: Option<GroupCondition>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupCondition {
    #[serde(default)]
    pub include: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordPolicySettings {
    #[serde(default)]
    pub password: Option<PasswordSettings>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordSettings {
    #[serde(default)]
    pub complexity: Option<PasswordComplexity>,
    #[serde(default)]
    pub age: Option<PasswordAge>,
}

/// [SPEC] PasswordPolicyPasswordSettingsComplexity (the `min*` counts are 0 or 1 in practice).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PasswordComplexity {
    #[serde(default)]
    pub min_length: Option<u32>,
    #[serde(default)]
    pub min_lower_case: Option<u32>,
    #[serde(default)]
    pub min_upper_case: Option<u32>,
    #[serde(default)]
    pub min_number: Option<u32>,
    #[serde(default)]
    pub min_symbol: Option<u32>,
    #[serde(default)]
    pub exclude_username: Option<bool>,
    #[serde(default)]
    pub exclude_attributes: Vec<String>,
}

/// [SPEC] PasswordPolicyPasswordSettingsAge.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PasswordAge {
    #[serde(default)]
    pub history_count: Option<u32>,
    #[serde(default)]
    pub max_age_days: Option<u32>,
    #[serde(default)]
    pub min_age_minutes: Option<u32>,
}

impl PasswordPolicy {
    /// Whether the policy names one of `group_ids` (an empty include list names nobody).
    pub fn applies_to(&self, group_ids: &[String]) -> bool {
        self.conditions
            .as_ref()
            .and_then(|c| c.people.as_ref())
            .and_then(|p| p.groups.as_ref())
            .is_some_and(|g| g.include.iter().any(|id| group_ids.contains(id)))
    }

    pub fn complexity(&self) -> Option<&PasswordComplexity> {
        self.settings
            .as_ref()?
            .password
            .as_ref()?
            .complexity
            .as_ref()
    }

    pub fn history_count(&self) -> u32 {
        self.settings
            .as_ref()
            .and_then(|s| s.password.as_ref())
            .and_then(|p| p.age.as_ref())
            .and_then(|a| a.history_count)
            .unwrap_or(0)
    }
}

/// The policy Okta applies to a user in `group_ids`: the active one of lowest priority
/// among those naming one of the groups.
pub fn applicable_policy<'a>(
    policies: &'a [PasswordPolicy],
    group_ids: &[String],
) -> Option<&'a PasswordPolicy> {
    policies
        .iter()
        .filter(|p| p.status == "ACTIVE" && p.applies_to(group_ids))
        .min_by_key(|p| p.priority.unwrap_or(u32::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn policy(id: &str, priority: u32, status: &str, groups: &[&str]) -> PasswordPolicy {
        serde_json::from_value(json!({
            "id": id, "name": id, "status": status, "priority": priority, "type": "PASSWORD",
            "conditions": {"people": {"groups": {"include": groups}}},
            "settings": {"password": {"complexity": {"minLength": priority + 7}, "age": {"historyCount": 4}}},
        }))
        .unwrap()
    }

    #[test]
    fn the_active_policy_of_lowest_priority_naming_a_group_applies() {
        let all = vec![
            policy("default", 3, "ACTIVE", &["everyone"]),
            policy("admins", 1, "ACTIVE", &["admins"]),
            policy("old", 0, "INACTIVE", &["everyone"]),
        ];
        let everyone = vec!["everyone".to_string()];
        assert_eq!(applicable_policy(&all, &everyone).unwrap().id, "default");
        let admin = vec!["everyone".to_string(), "admins".to_string()];
        let p = applicable_policy(&all, &admin).unwrap();
        assert_eq!(p.id, "admins");
        assert_eq!(p.complexity().unwrap().min_length, Some(8));
        assert_eq!(p.history_count(), 4);
        assert!(applicable_policy(&all, &["nobody".to_string()]).is_none());
    }
}
