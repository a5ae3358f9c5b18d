//! The upstream goes down and comes back: the console says so plainly, the proxy keeps
//! serving the console and sessions meanwhile, and the page recovers by itself.

use openmoney_api::sandbox::{FaultKind, FaultRule};

use crate::harness::launch;

#[tokio::test]
async fn an_upstream_that_goes_down_is_shown_and_the_page_recovers_by_itself() {
    let console = launch().await;
    console.login("vera").await;
    console.goto("/balance").await;
    console.wait_text("[data-testid=balance]", |t| t.ends_with("TON")).await;

    let down = FaultRule {
        kind: FaultKind::Error,
        percent: 100,
        count: None,
        method: None,
        path_prefix: None,
        stall_seconds: None,
        status: Some(503),
    };
    console.sandbox.set_faults(vec![down]);
    console.browser.refresh().await.unwrap();
    let shown = console.wait_text("[data-testid=error]", |t| t.contains("Retrying in")).await;
    assert!(shown.contains("TheOpenMoney") || shown.contains("server"), "{shown}");

    // Meanwhile the console itself and the session still answer, at once.
    let answers: serde_json::Value = console
        .browser
        .execute_async(
            "const done = arguments[0];
             const timed = async path => { const t = performance.now(); const r = await fetch(path);
                 const body = await r.text(); return [path, r.status, performance.now() - t, body]; };
             Promise.all(['/', '/orders', '/healthz', '/auth/session'].map(timed)).then(done, e => done(String(e)));",
            vec![],
        )
        .await
        .unwrap();
    for answer in answers.as_array().expect("four answers") {
        let (path, status, millis) = (&answer[0], &answer[1], answer[2].as_f64().unwrap());
        assert_eq!(status, 200, "{path}");
        assert!(millis < 1000.0, "{path} took {millis} ms while the upstream was down");
    }
    assert!(answers[3][3].as_str().unwrap().contains("\"username\":\"vera\""), "{}", answers[3][3]);

    console.sandbox.set_faults(Vec::new());
    console.wait_text("[data-testid=balance]", |t| t.ends_with("TON")).await;
    console.wait_count("[data-testid=error]", 0).await;
}
