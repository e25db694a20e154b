//! Users API bits Keyport needs (API-NOTES §6), and the System Log for one user.

use crate::okta::cache::{freshness, Scope};
use crate::okta::client::OktaClient;
use crate::okta::error::OktaError;
use crate::okta::types::*;
use serde_json::json;

/// How to find users (`GET /users`): Okta's `q` (prefix on names and email), a SCIM-style
/// `search` expression, or a `filter`.
#[derive(Clone, Debug, Default)]
pub struct UserQuery {
    pub q: Option<String>,
    pub search: Option<String>,
    pub filter: Option<String>,
    /// Page size (Okta's default is 200).
    pub limit: Option<u32>,
}

impl OktaClient {
    /// `GET /users/{idOrLogin}`, remembered by id for `freshness::USER_PROFILE`. A user read
    /// by login is read afresh (a login may be renamed), then remembered under its id.
    pub async fn get_user(&self, id_or_login: &str) -> Result<User, OktaError> {
        let url = self.url(&["api", "v1", "users", id_or_login]);
        if looks_like_user_id(id_or_login) {
            let scope = Scope::User(id_or_login.to_string());
            return Ok(self
                .remembered(scope, freshness::USER_PROFILE, url)
                .await?
                .value);
        }
        let user: User = self.json(self.get(url)).await?;
        self.remember_users(std::slice::from_ref(&user)).await;
        Ok(user)
    }

    /// `POST /users/{id}` with only the changed profile attributes (a partial update).
    pub async fn update_user_profile(
        &self,
        user_id: &str,
        update: &UpdateUserRequest,
    ) -> Result<User, OktaError> {
        self.json(self.post(self.url(&["api", "v1", "users", user_id]), update)?)
            .await
    }

    /// `POST /users/{id}/credentials/change_password`.
    pub async fn change_password(
        &self,
        user_id: &str,
        request: &ChangePasswordRequest,
        strict: bool,
    ) -> Result<ChangePasswordResponse, OktaError> {
        let mut url = self.url(&[
            "api",
            "v1",
            "users",
            user_id,
            "credentials",
            "change_password",
        ]);
        if strict {
            url.query_pairs_mut().append_pair("strict", "true");
        }
        self.json(self.post(url, request)?).await
    }

    /// `GET /users/{id}/groups`, remembered for `freshness::USER_GROUPS`.
    pub async fn user_groups(&self, user_id: &str) -> Result<Vec<Group>, OktaError> {
        let url = self.url(&["api", "v1", "users", user_id, "groups"]);
        let scope = Scope::User(user_id.to_string());
        Ok(self
            .remembered_pages(scope, freshness::USER_GROUPS, url)
            .await?
            .value)
    }

    /// `GET /users?…`: every page, following `Link: rel="next"`.
    pub async fn search_users(&self, query: &UserQuery) -> Result<Vec<User>, OktaError> {
        let users = self.all_pages(self.users_query_url(query)).await?;
        self.remember_users(&users).await;
        Ok(users)
    }

    /// `GET /users?…`: the first page only (`query.limit` users at most), for a person
    /// looking someone up: a broad search must not walk the whole directory.
    pub async fn find_users(&self, query: &UserQuery) -> Result<Vec<User>, OktaError> {
        let users: Vec<User> = self.json(self.get(self.users_query_url(query))).await?;
        self.remember_users(&users).await;
        Ok(users)
    }

    /// Users a search answered with are remembered by id: opening one costs no second read.
    async fn remember_users(&self, users: &[User]) {
        for user in users.iter().filter(|u| looks_like_user_id(&u.id)) {
            let by_id = self.url(&["api", "v1", "users", &user.id]);
            self.remember(
                Scope::User(user.id.clone()),
                freshness::USER_PROFILE,
                by_id,
                user,
            )
            .await;
        }
    }

    fn users_query_url(&self, query: &UserQuery) -> url::Url {
        let mut url = self.url(&["api", "v1", "users"]);
        {
            let mut q = url.query_pairs_mut();
            if let Some(v) = &query.q {
                q.append_pair("q", v);
            }
            if let Some(v) = &query.search {
                q.append_pair("search", v);
            }
            if let Some(v) = &query.filter {
                q.append_pair("filter", v);
            }
            if let Some(v) = query.limit {
                q.append_pair("limit", &v.to_string());
            }
        }
        if url.query() == Some("") {
            url.set_query(None);
        }
        url
    }

    /// `POST /users/{id}/lifecycle/reset_factors`: removes every factor.
    pub async fn reset_factors(&self, user_id: &str) -> Result<(), OktaError> {
        let url = self.url(&["api", "v1", "users", user_id, "lifecycle", "reset_factors"]);
        self.empty(self.post(url, &json!({}))?).await
    }

    /// `POST /users/{id}/lifecycle/unlock`.
    pub async fn unlock_user(&self, user_id: &str) -> Result<(), OktaError> {
        let url = self.url(&["api", "v1", "users", user_id, "lifecycle", "unlock"]);
        self.empty(self.post(url, &json!({}))?).await
    }

    /// `DELETE /users/{id}/sessions`: signs the user out of Okta everywhere.
    pub async fn clear_user_sessions(&self, user_id: &str) -> Result<(), OktaError> {
        self.empty(self.delete(self.url(&["api", "v1", "users", user_id, "sessions"])))
            .await
    }

    /// `GET /logs`: the newest System Log events where the user is the actor or a target.
    pub async fn user_log_events(
        &self,
        user_id: &str,
        since: Option<&str>,
        limit: u32,
    ) -> Result<Vec<LogEvent>, OktaError> {
        let mut url = self.url(&["api", "v1", "logs"]);
        {
            let mut q = url.query_pairs_mut();
            // Ids are Okta's own (alphanumeric), but quotes are escaped all the same.
            let id = user_id.replace('"', "");
            q.append_pair(
                "filter",
                &format!("actor.id eq \"{id}\" or target.id eq \"{id}\""),
            );
            q.append_pair("sortOrder", "DESCENDING");
            q.append_pair("limit", &limit.clamp(1, 1000).to_string());
            if let Some(s) = since {
                q.append_pair("since", s);
            }
        }
        // One page: the newest events are what a person looks at. Remembered for the user,
        // so any change Keyport makes to them shows in their activity at once.
        let scope = Scope::User(user_id.to_string());
        Ok(self
            .remembered(scope, freshness::USER_ACTIVITY, url)
            .await?
            .value)
    }
}

/// Okta's user ids are `00u` and 17 letters or digits; anything else is a login.
fn looks_like_user_id(s: &str) -> bool {
    s.len() == 20 && s.starts_with("00u") && s.bytes().all(|b| b.is_ascii_alphanumeric())
}
