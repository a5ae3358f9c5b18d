//! The buyer's payment page on a phone: made from the order page by an operator, opened
//! with no sign-in in another browser, followed live, and in the buyer's own language.

use serde_json::json;

use crate::harness::launch;

/// An operator's order with its payment link; gives the console and the link.
async fn shared(reference: &str) -> (crate::harness::Console, String) {
    let console = launch().await;
    console.login("otto").await;
    crate::create_stars(&console, "pandus", "500", reference).await;
    console.click("[data-testid=share-make]").await;
    let input = console.find("[data-testid=share-url]").await;
    let url = input.prop("value").await.unwrap().unwrap_or_default();
    assert!(url.starts_with(&format!("{}/pay/", console.base)), "{url}");
    console.wait_text("[data-testid=history]", |t| t.contains("Payment link shared by otto")).await;
    (console, url)
}

#[tokio::test]
async fn a_buyer_follows_the_payment_from_the_link_on_a_phone() {
    let (console, url) = shared("phone-pay-1").await;
    let buyer = console.another_browser("en-US").await;
    buyer.browser.set_window_size(390, 844).await.expect("a phone's screen");
    buyer.browser.goto(&url).await.expect("the link opens");
    buyer.wait_text("[data-testid=pay-product]", |t| t == "500 Telegram Stars for @pandus").await;
    buyer.find("[data-testid=pay-qr] svg").await;
    let wallet = buyer.find("[data-testid=pay-wallet]").await.attr("href").await.unwrap().unwrap_or_default();
    assert!(
        wallet.starts_with("ton://transfer/") && wallet.contains("amount=") && wallet.contains("text="),
        "{wallet}"
    );
    buyer.wait_text("[data-testid=pay-countdown]", |t| t.contains("left")).await;
    let fits = buyer.browser.execute("return document.documentElement.scrollWidth <= window.innerWidth", vec![]).await;
    assert_eq!(fits.unwrap(), json!(true), "the page scrolls sideways at 390 px");
    let violations = buyer.axe().await;
    assert!(violations.is_empty(), "{violations:?}");

    // The operator simulates the transfer: the buyer's page turns to paid by itself.
    console.click_text("Simulate payment").await;
    buyer.wait_text("[data-testid=pay-status]", |t| t.contains("Payment received")).await;
    assert!(!buyer.exists("[data-testid=pay-qr]").await, "a paid order still shows how to pay");
}

#[tokio::test]
async fn spanish_and_hindi_buyers_get_their_language() {
    let (console, url) = shared("phone-pay-2").await;
    for (lang, product) in [("es-ES", "500 Telegram Stars para @pandus"), ("hi", "@pandus के लिए 500 Telegram Stars")]
    {
        let buyer = console.another_browser(lang).await;
        buyer.browser.goto(&url).await.expect("the link opens");
        buyer.wait_text("[data-testid=pay-product]", |t| t == product).await;
        let violations = buyer.axe().await;
        assert!(violations.is_empty(), "{lang}: {violations:?}");
    }
    // The operator revokes it: the buyer's next look finds nothing.
    console.click("[data-testid=share-revoke]").await;
    console.find("[data-testid=share-make]").await;
    let buyer = console.another_browser("en-US").await;
    buyer.browser.goto(&url).await.expect("the link opens");
    buyer.wait_text("[data-testid=pay-message]", |t| t.contains("no longer valid")).await;
}

#[tokio::test]
async fn without_javascript_the_page_still_says_how_to_pay() {
    let (console, url) = shared("phone-pay-3").await;
    let buyer = console.browser_without_javascript().await;
    buyer.browser.goto(&url).await.expect("the link opens");
    for part in ["pay-amount", "pay-address", "pay-memo", "pay-warning", "pay-qr", "pay-wallet"] {
        buyer.find(&format!("[data-testid={part}]")).await;
    }
    buyer.find("[data-testid=pay-qr] svg").await;
    let countdown = buyer.find("[data-testid=pay-countdown]").await.text().await.unwrap_or_default();
    assert!(countdown.is_empty(), "no script ran, yet the countdown says {countdown}");
    let buttons = buyer.browser.find_all(fantoccini::Locator::Css("button[data-copy]")).await.unwrap();
    assert_eq!(buttons.len(), 2, "the address and the memo have copy buttons");
    for button in buttons {
        assert!(!button.is_displayed().await.unwrap(), "a copy button that cannot work is shown");
    }
}
