//! Okta calls per page view, counted in the sandbox's request log (issue 15's budget; the
//! first step: one page view reads each Okta resource once, however often the page renders
//! the view).

use crate::support::{handoff_token, keyport, sandbox_last_seq, sandbox_requests, Browser};
use server::sandbox::seed::users;

async fn calls_for_one_view(login: &str) -> Vec<String> {
    let app = keyport().await;
    // Someone else's view first: the org's facts (pipeline, authenticators) are cached per org
    // for a minute and are not this person's page's cost.
    let mut warm = Browser::new(app.router.clone());
    warm.handoff(&handoff_token(users::ADAM.1)).await;
    warm.page("/").await;
    let mut b = Browser::new(app.router.clone());
    b.handoff(&handoff_token(login)).await;
    b.session().await;
    let since = sandbox_last_seq(&app.sandbox.base_url).await;
    let (parts, html) = b.page("/").await;
    assert_eq!(parts.status, 200);
    assert!(
        html.contains("data-testid=\"methods\""),
        "the methods were drawn: {}", &html[html.len().saturating_sub(3000)..]
    );
    sandbox_requests(&app.sandbox.base_url, since)
        .await
        .into_iter()
        .map(|r| {
            let path = r["path"].as_str().unwrap_or_default();
            path.split('?').next().unwrap_or_default().to_string()
        })
        .collect()
}

#[tokio::test]
async fn one_methods_page_view_reads_each_okta_resource_once() {
    for login in [users::VICTOR.1, users::NORA.1] {
        let calls = calls_for_one_view(login).await;
        let mut unique = calls.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(
            unique.len(),
            calls.len(),
            "{login}: a resource was read twice: {calls:?}"
        );
        // Factors, enrollments, catalog, questions, the System Log and the user: issue 15 takes
        // this further (the slow-changing ones from caches, the activity after the paint).
        assert!(
            calls.len() <= 6,
            "{login}: {} calls: {calls:?}",
            calls.len()
        );
    }
}
