//! Languages: the browser's choice first, a switch in the top bar, remembered across reloads,
//! with numbers and dates per locale; only the language in use is downloaded, and a language
//! file from another release is refused; screenshots of each language in each theme.

use serde_json::Value;

use crate::harness::{dist, launch, launch_in, launch_in_with, Console};

fn text(locale: &str, path: &str) -> String {
    let source = match locale {
        "es" => include_str!("../../../../locales/es.json"),
        "hi" => include_str!("../../../../locales/hi.json"),
        _ => include_str!("../../../../locales/en.json"),
    };
    let mut value: Value = serde_json::from_str(source).unwrap();
    for part in path.split('.') {
        value = value[part].take();
    }
    value.as_str().unwrap_or_else(|| panic!("{locale}: no {path}")).to_owned()
}

async fn lang(console: &Console) -> String {
    let lang = console.browser.execute("return document.documentElement.lang", vec![]).await.unwrap();
    lang.as_str().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn a_spanish_browser_gets_the_console_in_spanish() {
    let console = launch_in("es").await;
    console.goto("/login").await;
    let title = text("es", "login.title");
    console.wait_text("#login-title", |t| t == title).await;
    assert_eq!(lang(&console).await, "es");
    console.sign_in("vera").await;
    console.goto("/pricing").await;
    let limits = console.wait_text("main", |t| t.contains("10.000")).await;
    assert!(!limits.contains("10,000"), "Spanish groups thousands with a point: {limits}");
}

/// The language files this page has downloaded.
async fn language_files(console: &Console) -> Vec<String> {
    let script = "return performance.getEntriesByType('resource').map(e => new URL(e.name).pathname)\
                  .filter(p => p.startsWith('/locales/'))";
    let files = console.browser.execute(script, vec![]).await.unwrap();
    serde_json::from_value(files).unwrap()
}

#[tokio::test]
async fn only_the_language_in_use_is_downloaded_and_only_once() {
    let english = launch().await;
    english.login("vera").await;
    english.settle().await;
    assert_eq!(language_files(&english).await, Vec::<String>::new(), "English is built in");
    english.find("#language option[value=es]").await.click().await.unwrap();
    english.wait_text("nav a[href='/orders']", |t| t == text("es", "nav.orders")).await;
    assert_eq!(language_files(&english).await, ["/locales/es.json"], "Spanish is fetched when picked");
    drop(english);

    let spanish = launch_in("es").await;
    spanish.login("vera").await;
    spanish.settle().await;
    spanish.wait_text("nav a[href='/orders']", |t| t == text("es", "nav.orders")).await;
    assert_eq!(language_files(&spanish).await, ["/locales/es.json"], "fetched once, while the console loads");
}

#[tokio::test]
async fn a_language_file_of_another_release_is_refused() {
    // A copy of the console whose Spanish lacks a text, as a cache might serve after an upgrade.
    let copy = tempfile::tempdir().unwrap();
    copy_dir(&dist(), copy.path());
    let mut spanish: Value = serde_json::from_str(include_str!("../../../../locales/es.json")).unwrap();
    spanish["login"].as_object_mut().unwrap().remove("title");
    std::fs::write(copy.path().join("locales/es.json"), spanish.to_string()).unwrap();
    let _ = std::fs::remove_file(copy.path().join("locales/es.json.br"));
    let _ = std::fs::remove_file(copy.path().join("locales/es.json.gz"));

    let console = launch_in_with("es", |config| config.static_dir = copy.path().to_path_buf()).await;
    console.goto("/login").await;
    console.wait_text("#login-title", |t| t == text("en", "login.title")).await;
    assert_eq!(lang(&console).await, "en", "the console stays in English rather than show wrong texts");
    console.sign_in("vera").await;
    console.settle().await;
    console.find("#language option[value=es]").await.click().await.unwrap();
    let said = console.wait_text("[data-testid=language-error]", |t| !t.is_empty()).await;
    assert!(said.contains("Español could not be loaded"), "the reader is told: {said}");
    assert_eq!(console.find("nav a[href='/orders']").await.text().await.unwrap(), "Orders");
    let picked = console.browser.execute("return document.getElementById('language').value", vec![]).await.unwrap();
    assert_eq!(picked, "en", "the picker shows the language in use again");
    console.find("#language option[value=hi]").await.click().await.unwrap();
    console.wait_text("nav a[href='/orders']", |t| t == text("hi", "nav.orders")).await;
    let said = console.find("[data-testid=language-error]").await.text().await.unwrap();
    assert_eq!(said, "", "the message goes once a language loads");
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[tokio::test]
async fn a_language_switch_is_remembered_across_reloads() {
    let console = launch().await;
    console.login("vera").await;
    console.settle().await;
    assert_eq!(lang(&console).await, "en");
    console.find("#language option[value=hi]").await.click().await.unwrap();
    let orders = text("hi", "nav.orders");
    console.wait_text("nav a[href='/orders']", |t| t == orders).await;
    assert_eq!(lang(&console).await, "hi");
    console.browser.refresh().await.unwrap();
    console.settle().await;
    console.wait_text("nav a[href='/orders']", |t| t == orders).await;
    assert_eq!(lang(&console).await, "hi", "the choice survives a reload");
    let (_, _, width, height) = console.find("h1").await.rectangle().await.unwrap();
    assert!(width > 20.0 && height > 10.0, "the Hindi heading takes room: {width}x{height}");

    console.goto("/orders").await;
    console.settle().await;
    let statuses = console.find("[data-testid=orders]").await.text().await.unwrap();
    assert!(statuses.chars().any(|c| ('\u{0900}'..='\u{097F}').contains(&c)), "{statuses}");
    console.find("#language option[value=en]").await.click().await.unwrap();
    console.wait_text("nav a[href='/orders']", |t| t == "Orders").await;
}

#[tokio::test]
async fn screenshots_of_every_language_in_both_themes() {
    let console = launch().await;
    console.login("otto").await;
    let id = crate::create_stars(&console, "pandus", "250", "lang-shots").await;
    for theme in ["light", "dark"] {
        console.browser.execute(&format!("localStorage.setItem('theme', '{theme}')"), vec![]).await.unwrap();
        for locale in ["en", "es", "hi"] {
            console.browser.execute(&format!("localStorage.setItem('locale', '{locale}')"), vec![]).await.unwrap();
            for (page, path) in [("dashboard", "/".to_owned()), ("order", format!("/orders/{id}"))] {
                console.goto(&path).await;
                console.settle().await;
                let history = text(locale, "order.history");
                if page == "order" {
                    console.wait_text("main", |t| t.contains(&history)).await;
                }
                assert_eq!(lang(&console).await, locale);
                console.save_screenshot(&format!("lang-{locale}-{theme}-{page}")).await;
            }
        }
    }
}
