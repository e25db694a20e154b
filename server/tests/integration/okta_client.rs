//! The Okta client over HTTP against the sandbox: each call, and the transport's rules —
//! 429 with a reset retried for GETs only, Keyport's own budget, the circuit breaker, and no
//! double enrollment after a lost answer.

use crate::support::live_sandbox;
use serde_json::json;
use server::okta::types::*;
use server::okta::{CallContext, OktaError, RateLimitScope, VerifyQuery};
use server::sandbox::seed::{users, TINA_TOTP_SECRET};
use std::time::Duration;

fn ctx() -> CallContext {
    CallContext {
        user_agent: Some("keyport-tests".into()),
        ..Default::default()
    }
}

#[tokio::test]
async fn org_metadata_reports_the_pipeline() {
    let sb = live_sandbox("classic", |_| {}).await;
    let meta = sb.client.org_metadata().await.unwrap();
    assert_eq!(meta.pipeline, OrgPipeline::Classic);
    let sb = live_sandbox("oie", |_| {}).await;
    assert_eq!(
        sb.client.org_metadata().await.unwrap().pipeline,
        OrgPipeline::IdentityEngine
    );
}

#[tokio::test]
async fn factors_list_catalog_and_questions() {
    let sb = live_sandbox("oie", |_| {}).await;
    let factors = sb.client.list_factors(users::VICTOR.0).await.unwrap();
    assert!(factors
        .iter()
        .any(|f| f.factor_type == FactorType::Push && f.is_active()));
    assert!(factors.iter().any(|f| f.factor_type == FactorType::Sms));
    let catalog = sb.client.factor_catalog(users::VICTOR.0).await.unwrap();
    let sms = catalog
        .iter()
        .find(|f| f.factor_type == FactorType::Sms)
        .unwrap();
    assert_eq!(sms.phones().len(), 1, "the enrolled phone is offered back");
    let questions = sb.client.security_questions(users::NORA.0).await.unwrap();
    assert!(questions.iter().any(|q| q.question == "disliked_food"));
    let err = sb
        .client
        .list_factors("00unosuchuser0000000")
        .await
        .unwrap_err();
    assert!(matches!(err, OktaError::NotFound(_)), "{err:?}");
}

#[tokio::test]
async fn push_enrollment_activates_when_the_phone_scans() {
    let sb = live_sandbox("oie", |_| {}).await;
    let nora = users::NORA.0;
    let factor = sb
        .client
        .enroll_factor(
            nora,
            &EnrollFactorRequest::push(),
            &Default::default(),
            &ctx(),
        )
        .await
        .unwrap();
    assert_eq!(factor.status, FactorStatus::PendingActivation);
    let qr = factor.qrcode_href().unwrap().to_string();
    let png = sb.client.activation_qr_png(&qr).await.unwrap();
    assert_eq!(&png[..4], b"\x89PNG");
    let waiting = sb
        .client
        .poll_push_activation(nora, &factor.id)
        .await
        .unwrap();
    assert_eq!(waiting.factor_result(), Some(&FactorResult::Waiting));
    let token = qr.rsplit('/').next().unwrap();
    let payload = sb
        .control("GET", &format!("/sandbox/api/activations/{token}"), None)
        .await;
    sb.control(
        "POST",
        "/sandbox/api/phone/scan",
        Some(json!({"payload": payload["payload"], "deviceName": "Test Pixel"})),
    )
    .await;
    let done = sb
        .client
        .poll_push_activation(nora, &factor.id)
        .await
        .unwrap();
    assert!(done.is_active(), "{done:?}");
    // OIE: push brings Okta Verify TOTP and FastPass along.
    let all = sb.client.list_factors(nora).await.unwrap();
    assert!(all
        .iter()
        .any(|f| f.factor_type == FactorType::TokenSoftwareTotp
            && f.provider == FactorProvider::Okta));
    assert!(all.iter().any(|f| f.factor_type == FactorType::SignedNonce));
    // A second push through the Factors API is refused in OIE.
    let err = sb
        .client
        .enroll_factor(
            nora,
            &EnrollFactorRequest::push(),
            &Default::default(),
            &ctx(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, OktaError::MaxEnrollments { ref factor_type, .. } if factor_type == "push"),
        "{err:?}"
    );
    // Removing push removes its TOTP and FastPass too.
    sb.client
        .unenroll_factor(nora, &factor.id, false)
        .await
        .unwrap();
    assert!(sb.client.list_factors(nora).await.unwrap().is_empty());
}

#[tokio::test]
async fn sms_enrollment_resend_and_activation() {
    let sb = live_sandbox("classic", |_| {}).await;
    let nora = users::NORA.0;
    let factor = sb
        .client
        .enroll_factor(
            nora,
            &EnrollFactorRequest::sms("+1 415 555 0199"),
            &Default::default(),
            &ctx(),
        )
        .await
        .unwrap();
    let resend = ResendFactorRequest::for_factor(&factor);
    let err = sb
        .client
        .resend_factor(nora, &factor.id, &resend, None, &ctx())
        .await
        .unwrap_err();
    assert!(
        matches!(err, OktaError::RateLimited { scope: RateLimitScope::MessageCooldown, retry_after, .. } if retry_after <= Duration::from_secs(31) && retry_after >= Duration::from_secs(28)),
        "{err:?}"
    );
    let wrong = sb
        .client
        .activate_factor(
            nora,
            &factor.id,
            &ActivateFactorRequest::pass_code("000000"),
        )
        .await
        .unwrap_err();
    assert!(matches!(wrong, OktaError::InvalidPasscode(_)), "{wrong:?}");
    let code = sb.outbox_code_to("+14155550199").await;
    let active = sb
        .client
        .activate_factor(nora, &factor.id, &ActivateFactorRequest::pass_code(code))
        .await
        .unwrap();
    assert!(active.is_active());
}

#[tokio::test]
async fn totp_verify_and_push_verify_with_number_matching() {
    let sb = live_sandbox("oie", |_| {}).await;
    let code = sb.totp(TINA_TOTP_SECRET).await;
    let ok = sb
        .client
        .verify_factor(
            users::TINA.0,
            "uft1tina0google00000",
            &VerifyFactorRequest::pass_code(code.clone()),
            &VerifyQuery::default(),
            &ctx(),
        )
        .await
        .unwrap();
    assert!(ok.is_success());
    let replay = sb
        .client
        .verify_factor(
            users::TINA.0,
            "uft1tina0google00000",
            &VerifyFactorRequest::pass_code(code),
            &VerifyQuery::default(),
            &ctx(),
        )
        .await
        .unwrap_err();
    assert!(matches!(replay, OktaError::PasscodeReplayed(_)));

    let victor = users::VICTOR.0;
    let push = "opf1victor0iphone000";
    let waiting = sb
        .client
        .verify_factor(
            victor,
            push,
            &VerifyFactorRequest::push_number_matching(),
            &VerifyQuery::default(),
            &ctx(),
        )
        .await
        .unwrap();
    assert!(waiting.is_waiting());
    let answer = waiting.correct_answer().unwrap();
    let tx = waiting.transaction_id().unwrap().to_string();
    let status = sb.client.push_transaction(victor, push, &tx).await.unwrap();
    assert!(status.is_waiting());
    sb.control(
        "POST",
        &format!("/sandbox/api/phone/pushes/{tx}/approve"),
        Some(json!({"number": answer})),
    )
    .await;
    let status = sb.client.push_transaction(victor, push, &tx).await.unwrap();
    assert!(status.is_success());

    let second = sb
        .client
        .verify_factor(
            victor,
            push,
            &VerifyFactorRequest::empty(),
            &VerifyQuery::default(),
            &ctx(),
        )
        .await
        .unwrap();
    let tx2 = second.transaction_id().unwrap().to_string();
    sb.client
        .cancel_push_transaction(victor, push, &tx2)
        .await
        .unwrap();
    let cancelled = sb
        .client
        .push_transaction(victor, push, &tx2)
        .await
        .unwrap();
    assert_eq!(cancelled.factor_result, FactorResult::Cancelled);
}

#[tokio::test]
async fn a_get_meeting_a_429_waits_for_the_reset_and_retries() {
    let sb = live_sandbox("oie", |s| s.max_retry_wait = Duration::from_secs(3)).await;
    sb.fault(json!({"path": "/api/v1/users/*/factors", "method": "GET", "action": {"kind": "rateLimit", "resetSeconds": 1}, "count": 1})).await;
    let since = sb.last_seq().await;
    let started = std::time::Instant::now();
    let factors = sb.client.list_factors(users::VICTOR.0).await.unwrap();
    assert!(!factors.is_empty());
    assert!(
        started.elapsed() >= Duration::from_millis(500),
        "it waited for the reset"
    );
    let calls = sb.requests(since, "/api/v1/users/*/factors").await;
    let statuses: Vec<u64> = calls
        .iter()
        .map(|r| r["status"].as_u64().unwrap())
        .collect();
    assert_eq!(statuses, vec![429, 200]);
}

#[tokio::test]
async fn a_post_meeting_a_429_is_never_retried() {
    let sb = live_sandbox("oie", |_| {}).await;
    sb.fault(json!({"path": "/api/v1/users/*/factors/*/verify", "method": "POST", "action": {"kind": "rateLimit", "resetSeconds": 1}, "count": 1})).await;
    let since = sb.last_seq().await;
    let err = sb
        .client
        .verify_factor(
            users::TINA.0,
            "uft1tina0google00000",
            &VerifyFactorRequest::pass_code("123456"),
            &VerifyQuery::default(),
            &ctx(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            OktaError::RateLimited {
                scope: RateLimitScope::Org,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        sb.requests(since, "/api/v1/users/*/factors/*/verify")
            .await
            .len(),
        1
    );
}

#[tokio::test]
async fn a_lost_enroll_answer_finds_the_factor_instead_of_enrolling_twice() {
    let sb = live_sandbox("oie", |_| {}).await;
    sb.fault(json!({"path": "/api/v1/users/*/factors", "method": "POST", "action": {"kind": "drop"}, "count": 1})).await;
    let since = sb.last_seq().await;
    let factor = sb
        .client
        .enroll_factor(
            users::NORA.0,
            &EnrollFactorRequest::totp_google(),
            &Default::default(),
            &ctx(),
        )
        .await
        .unwrap();
    assert_eq!(factor.status, FactorStatus::PendingActivation);
    let posts: Vec<_> = sb
        .requests(since, "/api/v1/users/*/factors")
        .await
        .into_iter()
        .filter(|r| r["method"] == "POST")
        .collect();
    assert_eq!(posts.len(), 1, "enrolled once");
}

#[tokio::test]
async fn the_budget_tells_callers_how_long_to_wait_without_calling_okta() {
    // Okta's headers say 4 calls a minute; Keyport keeps half for the org's other apps.
    let sb = live_sandbox("oie", |s| {
        s.budget_share_percent = 50;
        s.max_queue_wait = Duration::ZERO;
        s.remember_reads = false;
    })
    .await;
    sb.control("PUT", "/sandbox/api/limits", Some(json!({"factors": 4})))
        .await;
    sb.client.list_factors(users::NORA.0).await.unwrap();
    sb.client.list_factors(users::NORA.0).await.unwrap();
    let since = sb.last_seq().await;
    let err = sb.client.list_factors(users::NORA.0).await.unwrap_err();
    match err {
        OktaError::RateLimited {
            scope: RateLimitScope::Keyport,
            retry_after,
            ..
        } => assert!(retry_after > Duration::from_secs(50), "{retry_after:?}"),
        other => panic!("expected Keyport's own wait, got {other:?}"),
    }
    assert!(
        sb.requests(since, "/api/v1/*").await.is_empty(),
        "no upstream call"
    );
    let standing = sb
        .client
        .budget_standing(server::okta::ratelimit::Family::Factors)
        .unwrap();
    assert_eq!(
        (standing.limit, standing.remaining),
        (4, 2),
        "half left for others"
    );
}

#[tokio::test]
async fn the_circuit_opens_after_repeated_failures() {
    let sb = live_sandbox("oie", |s| {
        s.breaker_threshold = 2;
        s.max_retries = 0;
        s.breaker_cool_down = Duration::from_secs(30);
    })
    .await;
    sb.fault(json!({"path": "/api/v1/*", "action": {"kind": "status", "status": 503, "errorCode": "E0000009", "errorSummary": "Down"}, "count": 10})).await;
    let since = sb.last_seq().await;
    for _ in 0..2 {
        assert!(matches!(
            sb.client.list_factors(users::NORA.0).await,
            Err(OktaError::UpstreamDown(_))
        ));
    }
    assert!(sb.client.circuit_open());
    let err = sb.client.list_factors(users::NORA.0).await.unwrap_err();
    assert!(
        matches!(err, OktaError::UpstreamDown(ref m) if m.contains("paused")),
        "{err:?}"
    );
    assert_eq!(
        sb.requests(since, "/api/v1/*").await.len(),
        2,
        "the third call never left"
    );
}

#[tokio::test]
async fn timeouts_and_malformed_bodies_are_typed() {
    let sb = live_sandbox("oie", |s| {
        s.timeout = Duration::from_millis(300);
        s.max_retries = 0;
    })
    .await;
    sb.fault(json!({"path": "/api/v1/users/*/factors", "action": {"kind": "latency", "ms": 1500}, "count": 1})).await;
    assert!(matches!(
        sb.client.list_factors(users::NORA.0).await,
        Err(OktaError::Timeout)
    ));
    sb.fault(
        json!({"path": "/api/v1/users/*/factors", "action": {"kind": "malformed"}, "count": 1}),
    )
    .await;
    assert!(matches!(
        sb.client.list_factors(users::NORA.0).await,
        Err(OktaError::Malformed(_))
    ));
}
