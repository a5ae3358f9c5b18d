//! The live console: what a colleague does shows up without a reload, with a toast, and
//! the console says when it is offline and recovers by itself.

use openmoney_proxy::live::hub::Ending;
use serde_json::json;

use crate::harness::launch;

#[tokio::test]
async fn a_colleagues_order_and_its_payment_appear_without_a_reload() {
    let console = launch().await;
    console.login("vera").await;
    console.goto("/orders").await;
    console.find("[data-testid=order-row]").await;
    console.wait_text("[data-testid=live]", |t| t.starts_with("Live")).await;

    let otto = console.colleague("otto").await;
    let body = json!({"recipient_username": "pandus", "quantity": 250, "payment_method": "ton_memo"});
    let order = otto.post("/api/v1/orders/stars", body, Some("live-e2e-1")).await;
    let id = order["id"].as_i64().unwrap();
    let row = console.wait_text("tr.fresh", |t| t.contains(&format!("#{id}"))).await;
    assert!(row.contains("new") && row.contains("pending payment"), "{row}");

    otto.post(&format!("/sandbox/v1/orders/{id}/pay"), json!({"mode": "exact"}), None).await;
    console.wait_text("tr.fresh [data-testid=status]", |t| t == "paid").await;
    let toast = console.wait_text(&format!("[data-testid=toast][data-order='{id}']"), |t| !t.is_empty()).await;
    assert!(toast.starts_with(&format!("Order #{id}: paid by otto")), "{toast}");
    let violations = console.axe().await;
    assert!(violations.is_empty(), "with a toast showing: {violations:?}");

    console.goto("/").await;
    console.find("[data-testid=awaiting]").await;
    let board = console.wait_text("[data-testid=awaiting]", |t| !t.is_empty()).await;
    assert!(!board.contains(&format!("#{id}")), "a paid order left the expiry board: {board}");
    let second = otto
        .post("/api/v1/orders/stars", json!({"recipient_username": "pandus", "quantity": 100}), Some("live-e2e-2"))
        .await;
    let second = second["id"].as_i64().unwrap();
    console.wait_text("[data-testid=awaiting]", |t| t.contains(&format!("#{second}"))).await;
}

#[tokio::test]
async fn the_console_shows_offline_when_the_stream_drops_and_recovers_by_itself() {
    let console = launch().await;
    console.login("vera").await;
    console.wait_text("[data-testid=live]", |t| t.starts_with("Live")).await;
    console.state.live.hub.end(Ending::Shutdown);
    console.wait_text("[data-testid=live]", |t| t == "Offline").await;
    console.wait_text("[data-testid=live]", |t| t.starts_with("Live")).await;
}

#[tokio::test]
async fn pages_left_behind_give_back_their_stream() {
    let console = launch().await;
    console.login("otto").await;
    // More page loads than the six connections a browser keeps per host: a page kept for
    // Back that held on to its stream would leave the next page's reads waiting.
    for round in 0..8 {
        console.goto(if round % 2 == 0 { "/" } else { "/orders" }).await;
        console.settle().await;
        console.wait_text("[data-testid=live]", |t| t.starts_with("Live")).await;
    }
    let streams = console.state.live.hub.open_streams();
    let started = std::time::Instant::now();
    while *streams.borrow() > 1 {
        assert!(started.elapsed() < std::time::Duration::from_secs(5), "{} streams open", *streams.borrow());
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}
