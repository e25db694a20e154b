//! Users API bits Keyport needs (API-NOTES §6), and the System Log for one user.

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
    /// `GET /users/{idOrLogin}`.
    pub async fn get_user(&self, id_or_login: &str) -> Result<User, OktaError> {
        self.json(self.get(self.url(&["api", "v1", "users", id_or_login])))
            .await
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

    /// `GET /users/{id}/groups`.
    pub async fn user_groups(&self, user_id: &str) -> Result<Vec<Group>, OktaError> {
        self.all_pages(self.url(&["api", "v1", "users", user_id, "groups"]))
            .await
    }

    /// `GET /users?…`: every page, following `Link: rel="next"`.
    pub async fn search_users(&self, query: &UserQuery) -> Result<Vec<User>, OktaError> {
        self.all_pages(self.users_query_url(query)).await
    }

    /// `GET /users?…`: the first page only (`query.limit` users at most), for a person
    /// looking someone up: a broad search must not walk the whole directory.
    pub async fn find_users(&self, query: &UserQuery) -> Result<Vec<User>, OktaError> {
        self.json(self.get(self.users_query_url(query))).await
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
        // One page: the newest events are what a person looks at.
        self.json(self.get(url)).await
    }
}
