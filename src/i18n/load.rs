//! Where the texts of Spanish and Hindi come from: fetched from `dist/locales/` when they
//! are picked (or while the console loads, when they were picked before), checked against the
//! build's key list, and kept for the page's life. Also the language to start in, and the
//! reader's choice remembered in this browser.

use std::cell::RefCell;

use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};

use super::key_hash::key_hash;
use super::{locale_of, I18n, Locale, ENGLISH, KEY_HASH};

thread_local! {
    /// The texts of Spanish and Hindi, once fetched. They are kept for the page's life, so
    /// they are leaked into `'static`.
    static LOADED: RefCell<[Option<&'static [&'static str]>; 2]> = const { RefCell::new([None, None]) };
}

/// The fetched texts of a language other than English.
pub(super) fn loaded(locale: Locale) -> Option<&'static [&'static str]> {
    match locale {
        Locale::en => None,
        other => LOADED.with(|loaded| loaded.borrow()[other as usize - 1]),
    }
}

const STORAGE_KEY: &str = "locale";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

/// The language to start in: the one chosen before (remembered in this browser), else the
/// first of the browser's languages that the console speaks, else English. Its texts are
/// loaded before the console is drawn (the inline script in `index.html` makes the same choice
/// and starts the download), so a Spanish reader never sees English first. English when they
/// cannot be had.
pub async fn prepare() -> Locale {
    let saved = storage().and_then(|s| s.get_item(STORAGE_KEY).ok().flatten()).and_then(|code| locale_of(&code));
    let browser = || {
        let languages = web_sys::window()?.navigator().languages();
        languages.iter().filter_map(|l| l.as_string()).find_map(|l| locale_of(&l.get(..2)?.to_ascii_lowercase()))
    };
    let locale = saved.or_else(browser).unwrap_or(Locale::en);
    if load(locale).await {
        locale
    } else {
        Locale::en
    }
}

/// Switches the language once its texts are here, and remembers the choice in this browser.
pub fn choose(i18n: I18n, locale: Locale) {
    when_loaded(i18n, locale, move || {
        i18n.locale.set(locale);
        if let Some(s) = storage() {
            let _ = s.set_item(STORAGE_KEY, locale.as_str());
        }
    });
}

/// Runs `then` once `locale`'s texts are here: at once if they are, else after fetching them.
/// If they cannot be fetched, `then` does not run, the console stays in its language, and
/// [`I18n::unavailable`] says which could not be had.
pub fn when_loaded(i18n: I18n, locale: Locale, then: impl FnOnce() + 'static) {
    if is_loaded(locale) {
        i18n.unavailable.set(None);
        then();
    } else {
        leptos::task::spawn_local(async move {
            let loaded = load(locale).await;
            i18n.unavailable.set((!loaded).then_some(locale));
            if loaded {
                then();
            }
        });
    }
}

fn is_loaded(locale: Locale) -> bool {
    locale == Locale::en || loaded(locale).is_some()
}

/// Fetches `locale`'s texts, unless they are here. False if they could not be had.
async fn load(locale: Locale) -> bool {
    if is_loaded(locale) {
        return true;
    }
    let path = format!("/locales/{}.json", locale.as_str());
    let texts = crate::api::file(&path).await.map_err(|e| e.to_string()).and_then(|json| texts(&json));
    match texts {
        Ok(texts) => {
            keep(locale, texts);
            true
        }
        Err(error) => {
            web_sys::console::warn_1(&format!("{path}: {error}; the console stays in its language").into());
            false
        }
    }
}

/// Keeps `locale`'s texts, in key order, for the rest of the page's life.
fn keep(locale: Locale, texts: Vec<String>) {
    let texts: Vec<&'static str> = texts.into_iter().map(|t| &*Box::leak(t.into_boxed_str())).collect();
    LOADED.with(|loaded| loaded.borrow_mut()[locale as usize - 1] = Some(Vec::leak(texts)));
}

/// A language file's texts in key order (JSON parsed by the browser).
fn texts(json: &str) -> Result<Vec<String>, String> {
    fn walk(value: &JsValue, prefix: &str, out: &mut Vec<(String, String)>) {
        if let Some(text) = value.as_string() {
            out.push((prefix.to_owned(), text));
        } else if let Some(object) = value.dyn_ref::<js_sys::Object>() {
            for name in js_sys::Object::keys(object).iter().filter_map(|n| n.as_string()) {
                let path = if prefix.is_empty() { name.clone() } else { format!("{prefix}.{name}") };
                walk(&js_sys::Reflect::get(value, &name.into()).unwrap_or_default(), &path, out);
            }
        }
    }
    let parsed = js_sys::JSON::parse(json).map_err(|_| "not JSON".to_owned())?;
    let mut found = Vec::with_capacity(ENGLISH.len());
    walk(&parsed, "", &mut found);
    in_key_order(found)
}

/// The texts of a language file's `(path, text)` pairs in key order, refused unless its key
/// list is the console's.
pub(super) fn in_key_order(mut found: Vec<(String, String)>) -> Result<Vec<String>, String> {
    found.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    if key_hash(found.iter().map(|(path, _)| path.as_str())) != KEY_HASH {
        return Err("its texts are not this console's (a file from another release?)".into());
    }
    Ok(found.into_iter().map(|(_, text)| text).collect())
}

/// Loads the bundled Spanish and Hindi as a fetch would, for tests that run outside a browser.
#[cfg(test)]
pub fn load_bundled() {
    for (locale, json) in
        [(Locale::es, include_str!("../../locales/es.json")), (Locale::hi, include_str!("../../locales/hi.json"))]
    {
        keep(locale, in_key_order(super::tests::pairs(json)).expect("the bundled file matches"));
    }
}
