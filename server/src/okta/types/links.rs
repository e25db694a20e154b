//! HAL links (`_links`), the way Okta tells a client what it can do next.
//!
//! Keyport follows links rather than building URLs where it can (API-NOTES §0, §9), so the
//! common relations are typed fields and every other relation is kept in `other`.

use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// One link. [SPEC] HrefObject (`additionalProperties: true`); API-NOTES §0.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Link {
    /// Required by the spec; defaulted so a malformed link does not sink the whole body.
    #[serde(default)]
    pub href: String,
    /// Set on links that come in arrays (`send`, `resend`) and on Authn's `next`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The media type, e.g. `image/png` on a `qrcode` link.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub templated: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hints: Option<LinkHints>,
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

impl Link {
    pub fn new(href: impl Into<String>) -> Self {
        Link {
            href: href.into(),
            ..Link::default()
        }
    }

    /// Whether `hints.allow` lists `method` (case-insensitive). A link without hints allows
    /// nothing as far as this check is concerned.
    pub fn allows(&self, method: &str) -> bool {
        self.hints
            .as_ref()
            .is_some_and(|h| h.allow.iter().any(|m| m.eq_ignore_ascii_case(method)))
    }
}

/// [SPEC] HrefHints: the HTTP methods the link accepts.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkHints {
    #[serde(default)]
    pub allow: Vec<String>,
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// A `_links` object. [SPEC] UserFactorLinks, AuthenticatorLinks, AuthenticatorEnrollmentLinks,
/// LinksSelf…; API-NOTES §0, §1.1, §3, §4, §5, §7.
///
/// `send` and `resend` are arrays of named links in every example (API-NOTES §0); the spec's
/// `LinksSend`/`LinksResend` type them as one object, so both shapes are accepted.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Links {
    #[serde(rename = "self", default, skip_serializing_if = "Option::is_none")]
    pub self_: Option<Link>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<Link>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verify: Option<Link>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activate: Option<Link>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deactivate: Option<Link>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub poll: Option<Link>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qrcode: Option<Link>,
    #[serde(
        default,
        deserialize_with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub resend: Vec<Link>,
    #[serde(
        default,
        deserialize_with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub send: Vec<Link>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub factor: Option<Link>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancel: Option<Link>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<Link>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prev: Option<Link>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skip: Option<Link>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enroll: Option<Link>,
    /// `questions` in every example; the spec's `LinksQuestions` says `question` (kept in
    /// `other` if Okta ever sends it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub questions: Option<Link>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub methods: Option<Link>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authenticator: Option<Link>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aaguids: Option<Link>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization: Option<Link>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alternate: Option<Link>,
    /// Every other relation, as sent.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

impl Links {
    /// True when no relation at all is present.
    pub fn is_empty(&self) -> bool {
        *self == Links::default()
    }

    /// The `send` link with this `name` (`email`, `sms`: push activation links).
    pub fn send_named(&self, name: &str) -> Option<&Link> {
        find_named(&self.send, name)
    }

    /// The `resend` link with this `name` (`sms`, `call`, `email`, `push`).
    pub fn resend_named(&self, name: &str) -> Option<&Link> {
        find_named(&self.resend, name)
    }

    /// The `next` link if its `name` is `name` (Authn: `poll`, `activate`, `changePassword`,
    /// `unlock`; the factor list uses `next:{name:"activate"}` for pending factors).
    pub fn next_named(&self, name: &str) -> Option<&Link> {
        self.next
            .as_ref()
            .filter(|l| l.name.as_deref() == Some(name))
    }

    /// The activation link: `activate`, or a `next` link named `activate` (API-NOTES §1.1).
    pub fn activate_link(&self) -> Option<&Link> {
        self.activate
            .as_ref()
            .or_else(|| self.next_named("activate"))
    }
}

fn find_named<'a>(links: &'a [Link], name: &str) -> Option<&'a Link> {
    links.iter().find(|l| l.name.as_deref() == Some(name))
}

/// Deserializes a field that may hold one value or an array of them into a `Vec`; `null` is an
/// empty `Vec`. Use with `#[serde(default, deserialize_with = "one_or_many")]`.
///
/// Okta sends `send`/`resend` links as arrays while the spec types them as one object, and the
/// Authn docs show `_embedded.factor` as an array since 2025 (API-NOTES §5, CONFLICT).
pub fn one_or_many<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    // Through `Value` rather than an untagged enum, so a bad item reports its own error
    // instead of "data did not match any variant".
    match Option::<Value>::deserialize(deserializer)? {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .into_iter()
            .map(|item| T::deserialize(item).map_err(D::Error::custom))
            .collect(),
        Some(one) => T::deserialize(one)
            .map(|item| vec![item])
            .map_err(D::Error::custom),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn send_accepts_an_object_or_an_array() {
        let one: Links =
            serde_json::from_str(r#"{"send":{"name":"sms","href":"https://x/sms"}}"#).unwrap();
        assert_eq!(one.send.len(), 1);
        assert_eq!(one.send_named("sms").unwrap().href, "https://x/sms");

        let many: Links = serde_json::from_str(
            r#"{"send":[{"name":"email","href":"https://x/e"},
                        {"name":"sms","href":"https://x/s"}]}"#,
        )
        .unwrap();
        assert_eq!(many.send.len(), 2);
        assert!(many.send_named("voice").is_none());

        let none: Links = serde_json::from_str(r#"{"resend":null}"#).unwrap();
        assert!(none.resend.is_empty());
        assert!(none.is_empty());
    }

    #[test]
    fn unknown_relations_are_kept() {
        let links: Links = serde_json::from_str(
            r#"{"self":{"href":"https://x/self","hints":{"allow":["GET","DELETE"]}},
                "suspend":{"href":"https://x/suspend"}}"#,
        )
        .unwrap();
        let me = links.self_.as_ref().unwrap();
        assert!(me.allows("delete"));
        assert!(!me.allows("POST"));
        assert!(links.other.contains_key("suspend"));
        let back = serde_json::to_value(links).unwrap();
        assert_eq!(back["suspend"]["href"], "https://x/suspend");
        assert_eq!(back["self"]["href"], "https://x/self");
    }
}
