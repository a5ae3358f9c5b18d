//! The console in a real browser: headless Chromium, the proxy and the sandbox.

mod access;
use openmoney_console_e2e::harness;
mod language;
mod lists;
mod live;
mod pay;
mod upstream;

use harness::{launch, launch_with, Console};

/// Creates a Stars order through the form and gives its id.
pub async fn create_stars(console: &Console, recipient: &str, quantity: &str, reference: &str) -> i64 {
    console.goto("/orders/new/stars").await;
    console.fill("#recipient", recipient).await;
    console.fill("#amount", quantity).await;
    console.fill("#reference", reference).await;
    console.wait_text("[data-testid=estimate]", |t| t.contains("TON")).await;
    console.click("[data-testid=submit]").await;
    let here = console.wait_here(|h| h.starts_with("/orders/") && !h.starts_with("/orders/new")).await;
    here.trim_start_matches("/orders/").parse().expect("an order id")
}

#[tokio::test]
async fn signing_in_returns_to_the_bookmarked_order() {
    let console = launch().await;
    console.goto("/orders/10420").await;
    let here = console.wait_here(|h| h.starts_with("/login")).await;
    assert!(here.contains("next=%2Forders%2F10420"), "{here}");
    console.sign_in("vera").await;
    assert_eq!(console.here().await, "/orders/10420");
    console.wait_text("h1", |t| t.contains("10420")).await;
    console.find("[data-testid=status]").await;
    console.wait_text("[data-testid=user]", |t| t.contains("vera") && t.contains("viewer")).await;
}

/// A bookmarked order asks for its order and its history as the page arrives, alongside
/// the session, not one after the other once the console runs; and asks only once.
#[tokio::test]
async fn a_bookmarked_order_asks_for_what_it_shows_at_once_and_only_once() {
    let console = launch().await;
    console.login("vera").await;
    console.goto("/orders/10420").await;
    console.find("[data-testid=status]").await;
    // Resource timings are written as each answer ends; the history may still be coming.
    let script = "const done = arguments[arguments.length - 1]; \
        (function look() { \
          const all = performance.getEntriesByType('resource'); \
          const of = path => all.filter(r => new URL(r.name).pathname === path) \
            .map(r => ({started: r.startTime, answered: r.responseEnd})); \
          const reads = {session: of('/auth/session'), order: of('/api/v1/orders/10420'), \
            audit: of('/console/v1/orders/10420/audit')}; \
          if (reads.audit.length > 0 || performance.now() > 10000) done(reads); else setTimeout(look, 20); \
        })();";
    let reads = console.browser.execute_async(script, vec![]).await.expect("reads the timings");
    for name in ["session", "order", "audit"] {
        assert_eq!(reads[name].as_array().map(Vec::len), Some(1), "{name} asked for once: {reads}");
    }
    let session_answered = reads["session"][0]["answered"].as_f64().unwrap();
    for name in ["order", "audit"] {
        let started = reads[name][0]["started"].as_f64().unwrap();
        assert!(started < session_answered, "{name} waited for the session: {reads}");
    }
}

#[tokio::test]
async fn a_new_stars_order_lands_on_its_page_with_payment_details_and_survives_reload() {
    let console = launch().await;
    console.login("otto").await;
    let id = create_stars(&console, "pandus", "100", "e2e-1").await;
    let memo = console.wait_text("[data-testid=memo]", |t| t.starts_with("STARS-")).await;
    let amount = console.wait_text("[data-testid=amount]", |t| t.ends_with("TON")).await;
    let link = console.find("[data-testid=ton-link]").await.attr("href").await.unwrap().unwrap();
    assert!(link.starts_with("ton://transfer/"), "{link}");
    assert!(link.contains(&format!("text={}", memo.replace('-', "%2D"))), "{link}");
    let nanos: i64 = link.split("amount=").nth(1).unwrap().split('&').next().unwrap().parse().unwrap();
    let amount: openmoney_api::Ton = amount.trim_end_matches(" TON").parse().unwrap();
    assert_eq!(nanos, amount.nanos(), "the link carries the amount in nanotons");
    let qr = reqwest::Url::parse(&console.wait_image("[data-testid=qr]").await).unwrap();
    assert_eq!(qr.path(), "/console/v1/qr.svg", "the QR code is drawn by the proxy");
    let held = qr.query_pairs().find(|(k, _)| k == "text").map(|(_, v)| v.into_owned());
    assert_eq!(held.as_deref(), Some(link.as_str()), "the QR code holds the wallet link");
    console.wait_text("[data-testid=countdown]", |t| t.ends_with("left")).await;

    console.browser.refresh().await.unwrap();
    console.wait_text("h1", |t| t.contains(&id.to_string())).await;
    assert_eq!(console.wait_text("[data-testid=memo]", |t| !t.is_empty()).await, memo);
}

#[tokio::test]
async fn two_clicks_and_enter_make_exactly_one_order() {
    let console = launch().await;
    console.login("otto").await;
    console.goto("/orders/new/stars").await;
    console.fill("#recipient", "alice_tg").await;
    console.fill("#amount", "250").await;
    console.wait_text("[data-testid=estimate]", |t| t.contains("TON")).await;
    let before = console.sandbox.order_count();
    // Two clicks and an Enter, all before the first answer can arrive.
    let script = "const b = document.querySelector('[data-testid=submit]'); b.click(); b.click(); \
                  document.getElementById('reference').dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter'})); \
                  b.form.requestSubmit();";
    console.browser.execute(script, vec![]).await.expect("submits");
    console.wait_here(|h| h.starts_with("/orders/") && !h.starts_with("/orders/new")).await;
    assert_eq!(console.sandbox.order_count(), before + 1);
}

#[tokio::test]
async fn a_quantity_below_the_limit_is_refused_with_the_limit_shown() {
    let console = launch().await;
    console.login("otto").await;
    console.goto("/orders/new/stars").await;
    console.fill("#recipient", "pandus").await;
    console.fill("#amount", "10").await;
    console.wait_text("[data-testid=amount-limits]", |t| t.contains("between 50 and 10,000")).await;
    let before = console.sandbox.order_count();
    console.click("[data-testid=submit]").await;
    console.wait_text("[data-testid=form-error]", |t| t.contains("between 50 and 10,000")).await;
    assert_eq!(console.here().await, "/orders/new/stars");
    assert_eq!(console.sandbox.order_count(), before);
}

#[tokio::test]
async fn an_unknown_recipient_is_shown_inline() {
    let console = launch().await;
    console.login("otto").await;
    console.goto("/orders/new/stars").await;
    console.fill("#recipient", "ghost_user").await;
    console.wait_text("[data-testid=recipient-check]", |t| t.contains("No Telegram user")).await;
    console.fill("#recipient", "pandus").await;
    console.wait_text("[data-testid=recipient-check]", |t| t.contains("can receive")).await;
}

#[tokio::test]
async fn a_premium_order_is_created() {
    let console = launch().await;
    console.login("otto").await;
    console.goto("/orders/new/premium").await;
    console.fill("#recipient", "crypto_kate").await;
    console.find("#amount option[value='6']").await.click().await.unwrap();
    console.wait_text("[data-testid=estimate]", |t| t.contains("TON")).await;
    console.click("[data-testid=submit]").await;
    console.wait_here(|h| h.starts_with("/orders/") && !h.starts_with("/orders/new")).await;
    console.wait_text(".facts", |t| t.contains("Premium, 6 months")).await;
}

#[tokio::test]
async fn a_pending_order_is_cancelled_after_confirmation() {
    let console = launch().await;
    console.login("otto").await;
    create_stars(&console, "pandus", "50", "").await;
    console.click_text("Cancel order").await;
    console.click_text("Yes, cancel").await;
    console.wait_text("[data-testid=status]", |t| t == "cancelled").await;
    assert!(!console.has_text_control("Cancel order").await);
    console.wait_text("[data-testid=history]", |t| t.contains("Cancelled by otto")).await;
}

#[tokio::test]
async fn a_simulated_payment_removes_cancel_and_the_order_completes() {
    let console = launch().await;
    console.login("otto").await;
    create_stars(&console, "pandus", "500", "").await;
    console.click_text("Simulate payment").await;
    console.wait_text("[data-testid=status]", |t| t == "paid" || t == "processing" || t == "completed").await;
    assert!(!console.has_text_control("Cancel order").await);
    console.sandbox.clock().advance_millis(60_000);
    console.wait_text("[data-testid=status]", |t| t == "completed").await;
}

#[tokio::test]
async fn a_viewer_sees_no_create_or_cancel() {
    let console = launch().await;
    console.login("vera").await;
    console.goto("/orders?status=pending_payment").await;
    console.find("[data-testid=order-row] a").await.click().await.unwrap();
    console.find("[data-testid=payment]").await;
    assert!(!console.has_text_control("Cancel order").await);
    assert!(!console.has_text_control("Simulate payment").await);
    assert!(!console.has_text_control("New Stars").await && !console.has_text_control("New Premium").await);
}

#[tokio::test]
async fn a_session_lost_mid_way_goes_to_sign_in_and_back() {
    let console = launch().await;
    console.login("vera").await;
    console.goto("/orders").await;
    console.find("[data-testid=order-row]").await;
    let vera = console.state.db.user("vera").await.unwrap().unwrap();
    console.state.db.end_sessions_of(&vera).await.unwrap();
    console.click_text("Next").await;
    let here = console.wait_here(|h| h.starts_with("/login")).await;
    assert!(here.contains("next=%2Forders%3Fpage%3D2"), "{here}");
    console.sign_in("vera").await;
    assert_eq!(console.here().await, "/orders?page=2");
    console.find("[data-testid=order-row]").await;
}

#[tokio::test]
async fn deep_links_to_every_page_load() {
    let console = launch().await;
    console.login("ada").await;
    for (path, heading) in [
        ("/", "Dashboard"),
        ("/orders", "Orders"),
        ("/orders/new/stars", "New Stars order"),
        ("/orders/new/premium", "New Premium order"),
        ("/lookup", "Lookup"),
        ("/balance", "Balance"),
        ("/pricing", "Pricing"),
        ("/no/such/page", "Page not found"),
    ] {
        console.goto(path).await;
        console.wait_text("h1", |t| t == heading).await;
        console.save_screenshot(&format!("wide-{}", heading.to_lowercase().replace(' ', "-"))).await;
    }
}

#[tokio::test]
async fn the_layout_holds_at_360_pixels_in_both_themes() {
    let console = launch().await;
    console.browser.set_window_size(360, 800).await.unwrap();
    console.login("otto").await;
    let mut order_page = String::new();
    for (path, heading) in
        [("/", "Dashboard"), ("/orders", "Orders"), ("/orders/new/stars", "New Stars order"), ("/balance", "Balance")]
    {
        console.goto(path).await;
        console.wait_text("h1", |t| t == heading).await;
        console.find("main table, main form, main .card").await;
        let overflow = console
            .browser
            .execute("return document.documentElement.scrollWidth - document.documentElement.clientWidth", vec![])
            .await
            .unwrap();
        assert_eq!(overflow.as_i64(), Some(0), "{path} scrolls sideways at 360 px");
        console.save_screenshot(&format!("narrow-{}", heading.to_lowercase().replace(' ', "-"))).await;
        if path == "/orders" {
            order_page = console.find("[data-testid=order-row] a").await.attr("href").await.unwrap().unwrap();
        }
    }
    console.goto(&order_page).await;
    console.find("[data-testid=status]").await;
    console.click("button.theme").await;
    let theme = console.browser.execute("return document.documentElement.dataset.theme", vec![]).await.unwrap();
    assert_eq!(theme.as_str(), Some("dark"));
    console.save_screenshot("narrow-order-dark").await;
    console.browser.refresh().await.unwrap();
    console.find("[data-testid=status]").await;
    let kept = console.browser.execute("return document.documentElement.dataset.theme", vec![]).await.unwrap();
    assert_eq!(kept.as_str(), Some("dark"), "the theme choice is remembered");
}

#[tokio::test]
async fn a_rate_limited_page_counts_down_and_retries_by_itself() {
    // One upstream call a second and no queueing: the dashboard's five calls collide.
    let console = launch_with(|c| {
        c.budgets.upstream_rps = 1;
        c.budgets.max_queue = std::time::Duration::ZERO;
    })
    .await;
    console.login("vera").await;
    console.wait_text("[data-testid=error]", |t| t.contains("Retrying in")).await;
    console.wait_text("[data-testid=balance]", |t| t.ends_with("TON")).await;
    console.wait_count("[data-testid=error]", 0).await;
}

#[tokio::test]
async fn viewers_and_operators_are_refused_the_admin_pages() {
    let console = launch().await;
    for who in ["vera", "otto"] {
        console.login(who).await;
        assert!(
            !console.has_text_control("Audit").await && !console.has_text_control("Users").await,
            "{who} sees no admin links"
        );
        for page in ["/audit", "/users"] {
            console.goto(page).await;
            console.wait_text("[data-testid=error]", |t| t.contains("role does not allow")).await;
        }
        console.click_text("Sign out").await;
        console.wait_here(|h| h.starts_with("/login")).await;
    }
}

#[tokio::test]
async fn the_audit_shows_a_create_and_a_cancel_with_links_to_the_order() {
    let console = launch().await;
    console.login("otto").await;
    let id = create_stars(&console, "pandus", "75", "audit-e2e").await;
    console.click_text("Cancel order").await;
    console.click_text("Yes, cancel").await;
    console.wait_text("[data-testid=status]", |t| t == "cancelled").await;
    console.click_text("Sign out").await;
    console.login("ada").await;
    console.goto("/audit?actor=otto").await;
    let table = console.wait_text("[data-testid=audit]", |t| t.contains("order.cancel")).await;
    assert!(table.contains("order.create") && table.contains("75 Stars for @pandus"), "{table}");
    assert_eq!(console.count("[data-testid=audit-row]").await, 4, "sign-in, create, cancel, sign-out");
    console.click("[data-testid=export]").await;
    let csv = console.downloaded("audit.csv").await;
    let actions: Vec<&str> = csv.lines().skip(1).filter_map(|l| l.split(',').nth(3)).collect();
    assert_eq!(
        actions,
        ["auth.logout", "order.cancel", "order.create", "auth.login"],
        "built in the browser from the filter: {csv}"
    );
    console.find(&format!("[data-testid=audit] a[href='/orders/{id}']")).await.click().await.unwrap();
    console.wait_here(|h| h == format!("/orders/{id}")).await;
}

#[tokio::test]
async fn an_admin_adds_staff_and_changes_a_role() {
    let console = launch().await;
    console.login("ada").await;
    console.goto("/users").await;
    console.wait_count("[data-testid=user-row]", 4).await;
    console.fill("#new-username", "nina").await;
    console.fill("#new-password", "a strong new password").await;
    console.find("#new-role option[value=operator]").await.click().await.unwrap();
    console.click_text("Add").await;
    console.wait_text("[data-testid=notice]", |t| t.contains("Added nina as operator")).await;
    console.wait_count("[data-testid=user-row]", 5).await;
    console.find("#role-vera option[value=operator]").await.click().await.unwrap();
    console.wait_text("[data-testid=notice]", |t| t.contains("Saved vera")).await;
    let vera = console.state.db.user("vera").await.unwrap().unwrap();
    assert_eq!(vera.role, openmoney_api::console::Role::Operator);
}

#[tokio::test]
async fn sandbox_controls_top_up_underpay_and_fail() {
    let console = launch().await;
    console.login("otto").await;
    console.goto("/balance").await;
    let before = console.wait_text("[data-testid=balance]", |t| t.ends_with("TON")).await;
    console.fill("input[name=topup]", "12.5").await;
    console.click_text("Top up").await;
    console.wait_text("[data-testid=balance]", |t| t != before).await;
    console.wait_text("[data-testid=transactions]", |t| t.contains("12.5 TON")).await;

    create_stars(&console, "pandus", "100", "").await;
    console.click_text("Underpay").await;
    console.find("[data-testid=payment]").await;
    assert_eq!(console.wait_text("[data-testid=status]", |t| !t.is_empty()).await, "pending payment");
    console.click_text("Simulate payment").await;
    console.wait_text("[data-testid=status]", |t| t == "paid" || t == "processing").await;
    console.click_text("Simulate delivery failure").await;
    console.wait_text("[data-testid=status]", |t| t == "failed").await;
    console.sandbox.clock().advance_millis(10_000);
    console.wait_text("[data-testid=status]", |t| t == "refunded").await;
}

#[tokio::test]
async fn keyboard_shortcuts_search_navigate_and_list_themselves() {
    let console = launch().await;
    console.login("otto").await;
    console.find("[data-testid=balance]").await;
    let body = console.find("body").await;
    body.send_keys("g").await.unwrap();
    body.send_keys("o").await.unwrap();
    console.wait_here(|h| h == "/orders").await;
    console.find("[data-testid=order-row]").await;
    let body = console.find("body").await;
    body.send_keys("ns").await.unwrap();
    console.wait_here(|h| h == "/orders/new/stars").await;
    let body = console.find("body").await;
    body.send_keys("?").await.unwrap();
    console.wait_text("[data-testid=shortcuts]", |t| t.contains("New Stars order")).await;
    console.click_text("Close").await;
    console.wait_count("[data-testid=shortcuts]", 0).await;
    let body = console.find("body").await;
    body.send_keys("/").await.unwrap();
    let focused = console.browser.execute("return document.activeElement.id", vec![]).await.unwrap();
    assert_eq!(focused.as_str(), Some("search"));
    console.browser.active_element().await.unwrap().send_keys("invoice-1001\u{E007}").await.unwrap();
    console.wait_here(|h| h == "/lookup?ref=invoice%2D1001").await;
    console.wait_text("[data-testid=lookup-count]", |t| t == "Orders found: 3").await;
}

#[tokio::test]
async fn the_expiry_board_opens_a_full_screen_qr() {
    let console = launch().await;
    console.login("vera").await;
    console.find("[data-testid=awaiting]").await;
    console.find("[data-testid=awaiting] button[aria-label^='Show the QR code']").await.click().await.unwrap();
    console.wait_image(".qr-full [data-testid=qr]").await;
    console.click_text("Close").await;
    console.wait_count(".qr-full", 0).await;
}

#[tokio::test]
async fn the_dashboard_and_balance_say_how_long_the_balance_lasts() {
    let console = launch().await;
    console.login("vera").await;
    console.wait_text("[data-testid=runway]", |t| t.contains("left at last week's pace")).await;
    console.goto("/balance").await;
    console.wait_text("[data-testid=runway]", |t| t.contains("left at last week's pace")).await;
}

#[tokio::test]
async fn a_bulk_check_sorts_names_into_three_groups() {
    let console = launch().await;
    console.login("vera").await;
    console.goto("/recipients").await;
    console.fill("#names", "pandus, @alice_tg\nghost_user\nweatherbot\nx\npandus").await;
    console.click_text("Check").await;
    console.wait_text("[data-testid=can-receive] h2", |t| t == "Can receive (2)").await;
    let cannot = console.wait_text("[data-testid=cannot]", |t| t.starts_with("Cannot (3)")).await;
    assert!(cannot.contains("ghost_user") && cannot.contains("No Telegram user"), "{cannot}");
    assert!(cannot.contains("weatherbot") && cannot.contains("bot account"), "{cannot}");
    assert!(cannot.contains("5 to 32 characters"), "{cannot}");
    console.click_text("Download CSV").await;
    let csv = console.downloaded("recipients.csv").await;
    assert_eq!(csv.lines().count(), 6, "a header and five distinct names: {csv}");
}
