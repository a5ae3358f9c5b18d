//! The live console: what a colleague does shows up without a reload, with a toast, and
//! the console says when it is offline and recovers by itself.

use openmoney_proxy::live::hub::Ending;
use serde_json::json;

use crate::harness::{launch, launch_with};

#[tokio::test]
async fn two_staff_in_two_browsers_see_each_others_orders_and_payments_without_a_reload() {
    let vera = launch().await;
    vera.login("vera").await;
    vera.goto("/orders").await;
    vera.find("[data-testid=order-row]").await;
    vera.wait_text("[data-testid=live]", |t| t.starts_with("Live")).await;
    let otto = vera.another_browser("en-US").await;
    otto.login("otto").await;

    // Otto creates an order in his browser; it joins page 1 of Vera's list, marked new.
    let id = crate::create_stars(&otto, "pandus", "250", "two-desks-1").await;
    let row = vera.wait_text("tr.fresh", |t| t.contains(&format!("#{id}"))).await;
    assert!(row.contains("new") && row.contains("pending payment"), "{row}");

    // He simulates the buyer's payment: Vera's row flips, with a toast that names him.
    otto.click_text("Simulate payment").await;
    vera.wait_text("tr.fresh [data-testid=status]", |t| t == "paid").await;
    let toast = vera.wait_text(&format!("[data-testid=toast][data-order='{id}']"), |t| !t.is_empty()).await;
    assert!(toast.starts_with(&format!("Order #{id}: paid by otto")), "{toast}");
    let violations = vera.axe().await;
    assert!(violations.is_empty(), "with a toast showing: {violations:?}");

    // The expiry board: the paid order is not on it, and Otto's next order joins it.
    vera.goto("/").await;
    let board = vera.wait_text("[data-testid=awaiting]", |t| !t.is_empty()).await;
    assert!(!board.contains(&format!("#{id}")), "a paid order is on the expiry board: {board}");
    let second = crate::create_stars(&otto, "pandus", "100", "two-desks-2").await;
    vera.wait_text("[data-testid=awaiting]", |t| t.contains(&format!("#{second}"))).await;

    // Vera watches the second order's page while Otto cancels it from his.
    vera.goto(&format!("/orders/{second}")).await;
    vera.wait_text("[data-testid=status]", |t| t == "pending payment").await;
    otto.click_text("Cancel order").await;
    otto.click_text("Yes, cancel").await;
    vera.wait_text("[data-testid=status]", |t| t == "cancelled").await;
    vera.wait_text("[data-testid=history]", |t| t.contains("Cancelled by otto")).await;
}

#[tokio::test]
async fn with_the_stream_refused_the_order_page_follows_its_order_by_polling() {
    // No stream place at all: the console stays offline, as behind a proxy that drops them.
    let console = launch_with(|config| config.live.global = 0).await;
    console.login("vera").await;
    let otto = console.colleague("otto").await;
    let body = json!({"recipient_username": "pandus", "quantity": 250});
    let id = otto.post("/api/v1/orders/stars", body, Some("live-fallback-1")).await["id"].as_i64().unwrap();
    console.goto(&format!("/orders/{id}")).await;
    console.wait_text("[data-testid=status]", |t| t == "pending payment").await;
    console.wait_text("[data-testid=live]", |t| t == "Offline").await;
    otto.post(&format!("/sandbox/v1/orders/{id}/pay"), json!({"mode": "exact"}), None).await;
    console.wait_text("[data-testid=status]", |t| t == "paid" || t == "processing" || t == "completed").await;
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

#[tokio::test]
async fn a_console_whose_account_is_disabled_goes_to_sign_in_by_itself() {
    let console = launch().await;
    console.login("vera").await;
    console.goto("/orders").await;
    console.wait_text("[data-testid=live]", |t| t.starts_with("Live")).await;
    let ada = console.colleague("ada").await;
    ada.patch("/console/v1/users/vera", json!({"disabled": true})).await;
    // Nothing is clicked: the ended stream alone takes the console to sign-in, and back here after.
    let here = console.wait_here(|h| h.starts_with("/login")).await;
    assert!(here.contains("next=%2Forders"), "{here}");
}
