//! Accessibility: axe-core finds nothing on any route, in either theme, with dialogs open;
//! and the main flows work from the keyboard alone.

use fantoccini::key::Key;

use crate::create_stars;
use crate::harness::{launch, Console};

const ROUTES: [&str; 11] = [
    "/",
    "/orders",
    "/orders/new/stars",
    "/orders/new/premium",
    "/lookup?ref=invoice-1001",
    "/recipients",
    "/balance",
    "/pricing",
    "/audit",
    "/users",
    "/no-such-page",
];

async fn scan(console: &Console, what: &str, found: &mut Vec<String>) {
    console.settle().await;
    found.extend(console.axe().await.into_iter().map(|v| format!("{what}: {v}")));
}

async fn set_theme(console: &Console, theme: &str) {
    console.browser.execute(&format!("localStorage.setItem('theme', '{theme}')"), vec![]).await.unwrap();
}

async fn every_route_in(theme: &str) {
    let console = launch().await;
    console.goto("/login").await;
    set_theme(&console, theme).await;
    let mut found = Vec::new();
    console.goto("/login").await;
    scan(&console, "/login", &mut found).await;
    console.sign_in("ada").await;
    let id = create_stars(&console, "pandus", "120", &format!("axe-{theme}")).await;
    let order = format!("/orders/{id}");
    for route in ROUTES.iter().copied().chain([order.as_str()]) {
        console.goto(route).await;
        scan(&console, route, &mut found).await;
    }
    let theme_now = console.browser.execute("return document.documentElement.dataset.theme", vec![]).await.unwrap();
    assert_eq!(theme_now.as_str(), Some(theme));
    assert!(found.is_empty(), "axe violations in the {theme} theme:\n{}", found.join("\n"));
}

#[tokio::test]
async fn axe_finds_nothing_on_any_route_in_the_light_theme() {
    every_route_in("light").await;
}

#[tokio::test]
async fn axe_finds_nothing_on_any_route_in_the_dark_theme() {
    every_route_in("dark").await;
}

#[tokio::test]
async fn axe_finds_nothing_with_dialogs_open_in_both_themes() {
    let console = launch().await;
    console.login("otto").await;
    let id = create_stars(&console, "pandus", "130", "axe-dialogs").await;
    let mut found = Vec::new();
    for theme in ["light", "dark"] {
        set_theme(&console, theme).await;
        console.goto("/").await;
        console.settle().await;
        console.press("?").await;
        console.find("[data-testid=shortcuts]").await;
        scan(&console, &format!("{theme} shortcuts"), &mut found).await;
        console.press(&Key::Escape).await;

        console.click(&format!("[aria-label='Show the QR code of order {id}']")).await;
        console.find(".qr-full").await;
        scan(&console, &format!("{theme} full-screen QR"), &mut found).await;
        console.click_text("Close").await;

        console.goto(&format!("/orders/{id}")).await;
        console.settle().await;
        console.click_text("Cancel order").await;
        console.find("[role=group][aria-label='Confirm cancel']").await;
        scan(&console, &format!("{theme} cancel confirmation"), &mut found).await;
    }
    assert!(found.is_empty(), "axe violations with dialogs open:\n{}", found.join("\n"));
}

#[tokio::test]
async fn a_skip_link_comes_first_and_focus_is_always_visible() {
    let console = launch().await;
    console.login("otto").await;
    console.goto("/orders").await;
    console.settle().await;
    console.press(&Key::Tab).await;
    let first = console.focused().await;
    assert!(first.starts_with("a#[]") && first.contains("Skip to content"), "{first}");
    console.press(&Key::Enter).await;
    assert!(console.focused().await.starts_with("main#main"), "the skip link moves the focus to the page");
    for _ in 0..12 {
        console.press(&Key::Tab).await;
        let outline = console
            .browser
            .execute(
                "const s = getComputedStyle(document.activeElement); return [s.outlineStyle, s.outlineWidth]",
                vec![],
            )
            .await
            .unwrap();
        let focused = console.focused().await;
        assert!(outline[0] != "none" && outline[1] != "0px", "{focused} has no visible focus ring: {outline}");
    }
}

#[tokio::test]
async fn an_order_is_created_found_cancelled_and_exported_from_the_keyboard_alone() {
    let console = launch().await;
    console.login("otto").await;
    console.settle().await;
    let before = console.sandbox.order_count();

    // Create: `n s`, then Tab through the form and Enter.
    console.press("n").await;
    console.press("s").await;
    console.wait_here(|h| h == "/orders/new/stars").await;
    console.settle().await;
    console.tab_to("#recipient").await;
    console.press("pandus").await;
    console.tab_to("#amount").await;
    console.press(&format!("{}{}", Key::Backspace.repeat(3), "150")).await;
    console.tab_to("#reference").await;
    console.press("kbd-flow").await;
    console.wait_text("[data-testid=estimate]", |t| t.contains("TON")).await;
    console.press(&Key::Enter).await;
    let here = console.wait_here(|h| h.starts_with("/orders/") && !h.contains("new")).await;
    assert_eq!(console.sandbox.order_count(), before + 1);
    console.wait_text("[data-testid=status]", |t| t == "pending payment").await;
    let memo = console.find("[data-testid=memo]").await.text().await.unwrap();
    let check = console.wait_text("[data-testid=quote-check]", |t| t.contains("Quoted at creation")).await;
    assert!(check.contains("Charged as quoted"), "the estimate shown is what was charged: {check}");

    // Look it up: `/` focuses the search; the memo and Enter find it; Tab and Enter open it.
    console.goto("/").await;
    console.settle().await;
    console.press("/").await;
    assert!(console.focused().await.starts_with("input#search"), "{}", console.focused().await);
    console.press(&format!("{memo}{}", Key::Enter)).await;
    console.wait_here(|h| h.starts_with("/lookup?memo=")).await;
    console.wait_text("[data-testid=lookup-count]", |t| t.ends_with(": 1")).await;
    console.tab_to(&format!("[data-testid=orders] a[href='{here}']")).await;
    console.press(&Key::Enter).await;
    console.wait_here(|h| h == here).await;

    // Cancel: Tab to the button, Enter, Tab to the confirmation, Enter.
    console.settle().await;
    console.tab_to("button.danger").await;
    console.press(&Key::Enter).await;
    console.tab_to("[aria-label='Confirm cancel'] button.danger").await;
    console.press(&Key::Enter).await;
    console.wait_text("[data-testid=status]", |t| t == "cancelled").await;

    // Export: Tab to the button on the filtered list and press Enter.
    console.goto("/orders?status=cancelled").await;
    console.settle().await;
    console.tab_to("[data-testid=export]").await;
    console.press(&Key::Enter).await;
    let csv = console.downloaded("orders.csv").await;
    assert!(csv.contains(&memo), "the export holds the cancelled order: {csv}");
}
