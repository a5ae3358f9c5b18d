//! The console's one translation layer. `build.rs` turns `locales/{en,es,hi}.json` into the
//! `i18n` module included below. Components show fixed texts with `tr!` and texts with
//! values with `t!`/`t_string!` and `use_i18n()`; plain functions take a `Locale` and use
//! `td_string!`. Dates and relative times are formatted here by the browser's `Intl`;
//! numbers exactly, in `logic::money`.
#![allow(unused_imports, dead_code, clippy::module_inception)]

include!(concat!(env!("OUT_DIR"), "/i18n/mod.rs"));

pub use i18n::*;

use leptos::prelude::*;
use leptos_i18n::I18nContext;

/// A fixed text in the reader's language.
pub type Text = fn(Locale) -> &'static str;

/// A fixed text that follows the chosen language. Every text shares this one closure
/// type, where `t!` compiles a closure and a view type for each use.
pub fn text(key: Text) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    let i18n = use_i18n();
    move || key(i18n.get_locale())
}

/// `tr!(dashboard.title)`: [`text`] of one key.
macro_rules! tr {
    ($($key:ident).+) => {
        $crate::i18n::text(|l| $crate::i18n::td_string!(l, $($key).+))
    };
}
pub(crate) use tr;

/// The languages offered, each named in itself.
pub const LANGUAGES: [(Locale, &str); 3] = [(Locale::en, "English"), (Locale::es, "Español"), (Locale::hi, "हिन्दी")];

const STORAGE_KEY: &str = "locale";

/// The offered language with this code (`en`, `es`, `hi`).
pub fn locale_of(code: &str) -> Option<Locale> {
    LANGUAGES.iter().map(|(l, _)| *l).find(|l| l.as_str() == code)
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

/// Provides the translation context: the language chosen before (remembered in this
/// browser), else the best match of the browser's languages, else English. Keeps
/// `<html lang>` in step so screen readers and fonts follow.
pub fn provide_i18n() -> I18nContext<Locale> {
    let saved = storage().and_then(|s| s.get_item(STORAGE_KEY).ok().flatten()).and_then(|code| locale_of(&code));
    let i18n = leptos_i18n::context::init_i18n_subcontext::<Locale>(saved.map(Signal::stored));
    provide_context(i18n);
    Effect::new(move |_| {
        let code = i18n.get_locale().as_str();
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("lang", code);
        }
    });
    i18n
}

/// Switches the language and remembers the choice in this browser.
pub fn choose(i18n: I18nContext<Locale>, locale: Locale) {
    i18n.set_locale(locale);
    if let Some(s) = storage() {
        let _ = s.set_item(STORAGE_KEY, locale.as_str());
    }
}

/// `Intl` options as a JS object.
fn options(pairs: &[(&str, &str)]) -> js_sys::Object {
    let object = js_sys::Object::new();
    for (key, value) in pairs {
        let _ = js_sys::Reflect::set(&object, &(*key).into(), &(*value).into());
    }
    object
}

fn locales(locale: Locale) -> js_sys::Array {
    js_sys::Array::of1(&locale.as_str().into())
}

type Kept<F> = std::cell::RefCell<Option<(Locale, F)>>;

thread_local! {
    static DATES: Kept<js_sys::Intl::DateTimeFormat> = const { std::cell::RefCell::new(None) };
    static RELATIVE: Kept<js_sys::Intl::RelativeTimeFormat> = const { std::cell::RefCell::new(None) };
}

/// The formatter kept in `kept` for `locale`, made on first use. Making an `Intl` formatter
/// costs a hundred times more than using one, and a page of orders formats fifty dates.
fn formatter<F: Clone>(
    kept: &'static std::thread::LocalKey<Kept<F>>,
    locale: Locale,
    make: impl FnOnce(&js_sys::Array) -> F,
) -> F {
    kept.with(|kept| {
        let mut kept = kept.borrow_mut();
        match &*kept {
            Some((made_for, format)) if *made_for == locale => format.clone(),
            _ => kept.insert((locale, make(&locales(locale)))).1.clone(),
        }
    })
}

/// A date and time in the reader's language and time zone, e.g. "22 nov 2026, 9:15:02".
pub fn when(locale: Locale, at: openmoney_api::Timestamp) -> String {
    let format = formatter(&DATES, locale, |locales| {
        js_sys::Intl::DateTimeFormat::new(locales, &options(&[("dateStyle", "medium"), ("timeStyle", "medium")]))
    });
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(at.unix_millis() as f64));
    format.format().call1(&format, &date).ok().and_then(|v| v.as_string()).unwrap_or_else(|| at.to_string())
}

/// How long ago (or how far ahead) `at` is from `now`, e.g. "5 minutes ago", "hace 5 minutos".
pub fn relative(locale: Locale, at_millis: i64, now_millis: i64) -> String {
    let (value, unit) = crate::logic::countdown::relative_unit((at_millis - now_millis) / 1000);
    let format = formatter(&RELATIVE, locale, |locales| {
        js_sys::Intl::RelativeTimeFormat::new(locales, &options(&[("numeric", "auto")]))
    });
    format.format(value as f64, unit).as_string().unwrap_or_default()
}

/// An order status in words.
pub fn status(locale: Locale, status: &openmoney_api::OrderStatus) -> String {
    use openmoney_api::OrderStatus as S;
    match status {
        S::PendingPayment => td_string!(locale, status.pending_payment),
        S::Paid => td_string!(locale, status.paid),
        S::Processing => td_string!(locale, status.processing),
        S::Completed => td_string!(locale, status.completed),
        S::Failed => td_string!(locale, status.failed),
        S::Expired => td_string!(locale, status.expired),
        S::Cancelled => td_string!(locale, status.cancelled),
        S::Refunded => td_string!(locale, status.refunded),
        other => return other.to_string(),
    }
    .to_owned()
}

/// A balance transaction type in words.
pub fn transaction_type(locale: Locale, kind: &openmoney_api::TransactionType) -> String {
    use openmoney_api::TransactionType as T;
    match kind {
        T::Topup => td_string!(locale, tx_type.topup),
        T::OrderDebit => td_string!(locale, tx_type.order_debit),
        T::Refund => td_string!(locale, tx_type.refund),
        T::Adjustment => td_string!(locale, tx_type.adjustment),
        other => return other.to_string(),
    }
    .to_owned()
}

/// A staff role in words.
pub fn role(locale: Locale, role: openmoney_api::console::Role) -> &'static str {
    use openmoney_api::console::Role as R;
    match role {
        R::Viewer => td_string!(locale, role.viewer),
        R::Operator => td_string!(locale, role.operator),
        R::Admin => td_string!(locale, role.admin),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use serde_json::Value;

    /// Every key path with the interpolations its text uses.
    fn shape(value: &Value, prefix: &str, out: &mut BTreeSet<String>) {
        match value {
            Value::Object(map) => {
                for (key, inner) in map {
                    shape(inner, &format!("{prefix}{key}."), out);
                }
            }
            Value::String(text) => {
                let mut vars: Vec<&str> =
                    text.split("{{").skip(1).filter_map(|s| s.split("}}").next()).map(str::trim).collect();
                vars.sort_unstable();
                out.insert(format!("{prefix} {}", vars.join(",")));
                assert!(!text.trim().is_empty(), "{prefix} is empty");
            }
            other => panic!("{prefix}: unexpected {other}"),
        }
    }

    fn keys(json: &str) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        shape(&serde_json::from_str(json).expect("valid JSON"), "", &mut out);
        out
    }

    #[test]
    fn every_language_has_every_key_with_the_same_placeholders() {
        let en = keys(include_str!("../locales/en.json"));
        for (name, text) in [("es", include_str!("../locales/es.json")), ("hi", include_str!("../locales/hi.json"))] {
            let other = keys(text);
            let missing: Vec<_> = en.difference(&other).collect();
            let extra: Vec<_> = other.difference(&en).collect();
            assert!(missing.is_empty() && extra.is_empty(), "{name}: missing {missing:?}, extra {extra:?}");
        }
        assert!(en.len() > 200, "the console's strings are all here: {}", en.len());
    }

    #[test]
    fn hindi_is_written_in_devanagari() {
        let hi: Value = serde_json::from_str(include_str!("../locales/hi.json")).unwrap();
        let title = hi["order"]["history"].as_str().unwrap();
        assert!(title.chars().any(|c| ('\u{0900}'..='\u{097F}').contains(&c)), "{title}");
    }
}
