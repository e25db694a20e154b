//! A hand-over from another site that names someone other than the person this browser is
//! signed in as waits for that person's choice (`web/handoff.rs` says why): switch to the
//! named account, or stay. The choice is a same-origin post with the page's token, like every
//! change, so the other site cannot make it.

use super::{now, AuthService};
use app::api::RequestInfo;
use app::error::PortalError;
use app::model::auth::{HandoffChoice, PersonName};
use tower_sessions::Session;

impl AuthService {
    /// The pending switch, if any (and not expired).
    pub(crate) async fn pending_switch(&self, session: &Session) -> Option<HandoffChoice> {
        let data = self.load(session).await;
        let pending = data
            .pending_handoff
            .as_ref()
            .filter(|p| p.expires_at > now())?;
        let current = data.user.as_ref()?;
        Some(HandoffChoice {
            current: PersonName {
                display_name: current.display_name.clone(),
                login: current.login.clone(),
            },
            incoming: PersonName {
                display_name: pending.user.display_name.clone(),
                login: pending.user.login.clone(),
            },
        })
    }

    /// Switches to the handed-over person (`switch`), or keeps the current one; answers where
    /// the page goes next (home when the choice had expired or was never there).
    pub(crate) async fn decide_switch(
        &self,
        session: &Session,
        req: &RequestInfo,
        switch: bool,
    ) -> Result<String, PortalError> {
        let mut data = self.load(session).await;
        let pending = data.pending_handoff.take();
        // An expired choice changes nothing: the person stays who they are.
        let Some(pending) = pending.filter(|p| p.expires_at > now()) else {
            self.save(session, &data, req).await?;
            return Ok("/".into());
        };
        if !switch {
            tracing::info!(request_id = %req.request_id, "a cross-site handoff was declined; the current session stays");
            self.save(session, &data, req).await?;
            return Ok("/".into());
        }
        let to = pending.return_to.clone();
        tracing::info!(request_id = %req.request_id, "a cross-site handoff switched the signed-in person, as they chose");
        self.establish(session, req, pending.user).await?;
        Ok(to)
    }
}
