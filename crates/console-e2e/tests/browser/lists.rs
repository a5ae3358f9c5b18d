//! Lists, filters and lookups: the orders, balance and audit lists with their filters in
//! the address, lookups by reference, and CSV exports of every page.

use crate::create_stars;
use crate::harness::{launch, Console};

#[tokio::test]
async fn a_reference_lookup_lists_every_order_sharing_it() {
    let console = launch().await;
    console.login("vera").await;
    console.goto("/lookup?ref=invoice-1001").await;
    console.wait_text("[data-testid=lookup-count]", |t| t == "Orders found: 3").await;
    assert_eq!(console.count("[data-testid=order-row]").await, 3);
    console.browser.refresh().await.unwrap();
    console.wait_count("[data-testid=order-row]", 3).await;
}

/// A reference the proxy cannot look up (it refuses encoded slashes in a path) is
/// explained where it is typed, and nothing is asked of the upstream.
#[tokio::test]
async fn a_reference_with_a_slash_is_explained_not_looked_up() {
    let console = launch().await;
    console.login("vera").await;
    console.goto("/lookup").await;
    console.fill("input[name=value]", "INV/2026/42").await;
    console.click("form.filters button[type=submit]").await;
    let said = console.wait_text("[data-testid=lookup-refused]", |t| !t.is_empty()).await;
    assert!(said.contains("cannot be looked up") && said.contains("Orders page"), "{said}");
    assert!(console.here().await.starts_with("/lookup?ref=INV"), "the address keeps what was asked");
    let asked = console.sandbox.recent_requests().iter().any(|r| r.path.contains("by-reference"));
    assert!(!asked, "no lookup reached the upstream");
}

#[tokio::test]
async fn balance_history_pages_filters_in_the_url_and_draws_a_chart() {
    let console = launch().await;
    console.login("vera").await;
    console.goto("/balance").await;
    console.find("[data-testid=chart] polyline").await;
    console.wait_text("[data-testid=page-of]", |t| t.starts_with("Page 1 of")).await;
    console.wait_count("[data-testid=transaction-row]", 20).await;
    console.click_text("Next").await;
    console.wait_here(|h| h == "/balance?page=2").await;
    console.wait_text("[data-testid=page-of]", |t| t.starts_with("Page 2 of")).await;
    console.find("select[name=type] option[value=topup]").await.click().await.unwrap();
    console.wait_here(|h| h == "/balance?type=topup").await;
    console.wait_text("[data-testid=transactions]", |t| t.contains("top-up") && !t.contains("order debit")).await;
}

/// Picks `date` in the date field `name` of the filter form, as a date picker does.
async fn pick_date(console: &Console, name: &str, date: &str) {
    let script = format!(
        "const field = document.querySelector('form.filters input[name={name}]');
         field.value = '{date}';
         field.dispatchEvent(new Event('change', {{ bubbles: true }}));"
    );
    console.browser.execute(&script, vec![]).await.unwrap();
}

#[tokio::test]
async fn the_orders_and_the_audit_filter_by_dates_kept_in_the_url() {
    let console = launch().await;
    console.login("ada").await;
    console.goto("/orders").await;
    console.find("[data-testid=order-row]").await;
    pick_date(&console, "from", "2099-01-01").await;
    console.wait_here(|h| h == "/orders?from=2099%2D01%2D01").await;
    console.wait_count("[data-testid=order-row]", 0).await;
    pick_date(&console, "to", "2099-12-31").await;
    console.wait_here(|h| h == "/orders?from=2099%2D01%2D01&to=2099%2D12%2D31").await;

    console.goto("/audit").await;
    console.find("[data-testid=audit-row]").await;
    pick_date(&console, "to", "2000-01-01").await;
    console.wait_here(|h| h == "/audit?to=2000%2D01%2D01").await;
    console.wait_count("[data-testid=audit-row]", 0).await;
    // A bookmarked filter shows its dates in the form.
    console.browser.refresh().await.unwrap();
    let to = console.find("form.filters input[name=to]").await.prop("value").await.unwrap();
    assert_eq!(to.as_deref(), Some("2000-01-01"));
    pick_date(&console, "to", "").await;
    console.wait_here(|h| h == "/audit").await;
    console.find("[data-testid=audit-row]").await;
}

/// A recipient typed with Enter filters the orders at once and is kept in the address;
/// back and forward walk the filters; a partner's reference shows as the text it is.
#[tokio::test]
async fn the_orders_filter_by_recipient_and_back_and_forward_walk_the_filters() {
    let console = launch().await;
    console.login("ada").await;
    let reference = r#"<b>INV</b> & "7" 'x'"#;
    let order = serde_json::json!({"recipient_username": "pandus", "quantity": 100, "client_reference": reference});
    console.colleague("otto").await.post("/api/v1/orders/stars", order, Some("e2e-markup-reference")).await;
    console.goto("/orders").await;
    console.find("[data-testid=order-row]").await;
    let recipients =
        "return [...document.querySelectorAll('[data-testid=order-row] td:nth-child(4)')].map(c => c.textContent)";
    let shown = || async {
        let cells = console.browser.execute(recipients, vec![]).await.unwrap();
        cells.as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_owned()).collect::<Vec<_>>()
    };
    assert!(shown().await.iter().any(|r| r != "@pandus"), "the unfiltered list has other recipients");

    console.fill("input[name=recipient]", "pandus\u{E007}").await;
    console.wait_here(|h| h == "/orders?recipient=pandus").await;
    console.wait_text("[data-testid=order-row] td:nth-child(4)", |t| t == "@pandus").await;
    let started = std::time::Instant::now();
    while shown().await.iter().any(|r| r != "@pandus") {
        assert!(started.elapsed() < std::time::Duration::from_secs(10), "rows of others stay: {:?}", shown().await);
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let first = console.find("[data-testid=order-row] td:nth-child(6)").await.text().await.unwrap();
    assert_eq!(first, reference, "the newest order's reference, as text");
    assert_eq!(console.count("[data-testid=order-row] b").await, 0, "no markup from a reference");

    console.browser.back().await.unwrap();
    console.wait_here(|h| h == "/orders").await;
    let started = std::time::Instant::now();
    while shown().await.iter().all(|r| r == "@pandus") {
        assert!(started.elapsed() < std::time::Duration::from_secs(10), "back kept the filtered rows");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let field = console.find("input[name=recipient]").await.prop("value").await.unwrap();
    assert_eq!(field.as_deref(), Some(""));

    console.browser.forward().await.unwrap();
    console.wait_here(|h| h == "/orders?recipient=pandus").await;
    let field = console.find("input[name=recipient]").await.prop("value").await.unwrap();
    assert_eq!(field.as_deref(), Some("pandus"));
}

#[tokio::test]
async fn exporting_orders_walks_every_page_into_one_csv() {
    let console = launch().await;
    console.login("vera").await;
    console.goto("/orders").await;
    console.find("[data-testid=order-row]").await;
    console.click("[data-testid=export]").await;
    console.wait_text("[data-testid=export-done]", |t| t.starts_with("Exported")).await;
    let csv = console.downloaded("orders.csv").await;
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].starts_with("id,status,order_type,"), "{}", lines[0]);
    let orders = console.sandbox.order_count();
    assert!(orders > 50, "the export needs more than one page of 50");
    assert_eq!(lines.len() - 1, orders, "one row per order the sandbox holds");

    console.goto("/balance?type=topup").await;
    console.find("[data-testid=transaction-row]").await;
    console.click("[data-testid=export]").await;
    let csv = console.downloaded("transactions.csv").await;
    assert!(csv.lines().skip(1).all(|l| l.split(',').nth(1) == Some("topup")), "{csv}");
}

#[tokio::test]
async fn exports_built_in_the_browser_write_typed_formulas_as_inert_text() {
    let console = launch().await;
    // Someone with no account types a formula as the name at the sign-in form.
    console.goto("/login").await;
    console.fill("#username", "=HYPERLINK(\"evil.example\",\"x\")").await;
    console.fill("#password", "a wrong password").await;
    console.click("form button[type=submit]").await;
    console.find("[data-testid=error]").await;

    console.login("otto").await;
    let id = create_stars(&console, "pandus", "75", "@SUM(1+1)*cmd|'calc'!A0").await;
    console.goto("/orders?status=pending_payment").await;
    console.find("[data-testid=order-row]").await;
    console.click("[data-testid=export]").await;
    let csv = console.downloaded("orders.csv").await;
    let row = csv.lines().find(|l| l.starts_with(&format!("{id},"))).unwrap_or_else(|| panic!("order {id}: {csv}"));
    assert_eq!(row.split(',').nth(10), Some("'@SUM(1+1)*cmd|'calc'!A0"), "the reference is text: {row}");
    console.click_text("Sign out").await;

    console.login("ada").await;
    console.goto("/audit?action=auth.login_failed").await;
    console.find("[data-testid=audit-row]").await;
    console.click("[data-testid=export]").await;
    let csv = console.downloaded("audit.csv").await;
    assert!(
        csv.contains(",\"'=HYPERLINK(\"\"evil.example\"\",\"\"x\"\")\",auth.login_failed,refused,"),
        "the name is text: {csv}"
    );
}
