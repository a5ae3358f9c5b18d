//! The console's one translation layer. English is compiled in (`build.rs` turns
//! `locales/en.json` into an array of texts and a `Key` per text); Spanish and Hindi are
//! fetched from `locales/` (`i18n/load.rs`) when they are picked, or while the console loads
//! when they were picked before, so an English reader downloads no other language. Components show fixed
//! texts with `tr!` and texts with values with `t_string!` and `use_i18n()`; plain functions
//! take a `Locale` and use `td_string!`. Dates and relative times are formatted here by the
//! browser's `Intl`; numbers exactly, in `logic::money`.

use std::fmt::Display;

use leptos::prelude::*;

mod key_hash;
mod load;

#[cfg(test)]
pub use load::load_bundled;
pub use load::{choose, prepare, when_loaded};

include!(concat!(env!("OUT_DIR"), "/texts.rs"));

/// One text of the console, in whichever language is asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Key(u16);

impl Key {
    /// This text in `locale`, or in English while that language is not loaded.
    pub fn text(self, locale: Locale) -> &'static str {
        let index = usize::from(self.0);
        load::loaded(locale).map_or(ENGLISH[index], |texts| texts[index])
    }
}

/// A language of the console.
#[allow(non_camel_case_types)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Locale {
    en,
    es,
    hi,
}

impl Locale {
    /// Its code: `en`, `es`, `hi`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Locale::en => "en",
            Locale::es => "es",
            Locale::hi => "hi",
        }
    }
}

/// The languages offered, each named in itself.
pub const LANGUAGES: [(Locale, &str); 3] = [(Locale::en, "English"), (Locale::es, "Español"), (Locale::hi, "हिन्दी")];

/// The offered language with this code (`en`, `es`, `hi`).
pub fn locale_of(code: &str) -> Option<Locale> {
    LANGUAGES.iter().map(|(l, _)| *l).find(|l| l.as_str() == code)
}

/// A text with its `{{ name }}` placeholders filled in.
pub fn fill(template: &str, values: &[(&str, &dyn Display)]) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find("{{") {
        let Some(close) = rest[open..].find("}}") else { break };
        out.push_str(&rest[..open]);
        let name = rest[open + 2..open + close].trim();
        match values.iter().find(|(n, _)| *n == name) {
            Some((_, value)) => {
                let _ = write!(out, "{value}");
            }
            None => out.push_str(&rest[open..open + close + 2]),
        }
        rest = &rest[open + close + 2..];
    }
    out.push_str(rest);
    out
}

/// `td_string!(locale, order.title)` is that text in `locale`; with values,
/// `td_string!(locale, order.title, id = order.id)` or `td_string!(locale, live.updated, when)`,
/// it is the text with its placeholders filled in.
macro_rules! td_string {
    (@value $name:ident = $value:expr) => {
        $value
    };
    (@value $name:ident) => {
        $name
    };
    ($locale:expr, $($key:ident).+) => {
        $crate::i18n::keys $(::$key)+ .text($locale)
    };
    ($locale:expr, $($key:ident).+, $($name:ident $(= $value:expr)?),+ $(,)?) => {
        $crate::i18n::fill(
            $crate::i18n::keys $(::$key)+ .text($locale),
            &[$((stringify!($name), &$crate::i18n::td_string!(@value $name $(= $value)?) as &dyn ::std::fmt::Display)),+],
        )
    };
}
pub(crate) use td_string;

/// [`td_string!`] in the reader's language, tracked: `t_string!(i18n, order.title, id)`.
macro_rules! t_string {
    ($i18n:expr, $($rest:tt)+) => {
        $crate::i18n::td_string!($i18n.get_locale(), $($rest)+)
    };
}
pub(crate) use t_string;

/// `tr!(dashboard.title)`: a fixed text that follows the chosen language. Every text shares
/// one closure type.
macro_rules! tr {
    ($($key:ident).+) => {
        $crate::i18n::text($crate::i18n::keys $(::$key)+)
    };
}
pub(crate) use tr;

/// `key!(nav.orders)`: a text's [`Key`], to keep and show later.
macro_rules! key {
    ($($key:ident).+) => {
        $crate::i18n::keys $(::$key)+
    };
}
pub(crate) use key;

/// The reader's language, shared through the context.
#[derive(Clone, Copy)]
pub struct I18n {
    locale: RwSignal<Locale>,
    /// The language last picked whose texts could not be fetched, until one can.
    unavailable: RwSignal<Option<Locale>>,
}

impl I18n {
    /// The language, tracked.
    pub fn get_locale(&self) -> Locale {
        self.locale.get()
    }

    /// The language, untracked.
    pub fn get_locale_untracked(&self) -> Locale {
        self.locale.get_untracked()
    }

    /// The language last picked that could not be loaded, if any; tracked.
    pub fn unavailable(&self) -> Option<Locale> {
        self.unavailable.get()
    }
}

/// The translation context [`provide_i18n`] gave.
pub fn use_i18n() -> I18n {
    expect_context()
}

/// See [`tr!`].
pub fn text(key: Key) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    let i18n = use_i18n();
    move || key.text(i18n.get_locale())
}

/// Provides the translation context in `locale` (the one [`prepare`] chose), and keeps
/// `<html lang>` in step so screen readers and fonts follow.
pub fn provide_i18n(locale: Locale) -> I18n {
    let i18n = I18n { locale: RwSignal::new(locale), unavailable: RwSignal::new(None) };
    provide_context(i18n);
    Effect::new(move |_| {
        let code = i18n.get_locale().as_str();
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("lang", code);
        }
    });
    i18n
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

    /// A language file's `(path, text)` pairs, as the console reads them after fetching it.
    pub(super) fn pairs(json: &str) -> Vec<(String, String)> {
        fn walk(value: &Value, prefix: &str, out: &mut Vec<(String, String)>) {
            match value {
                Value::Object(map) => map.iter().for_each(|(key, inner)| {
                    walk(inner, &if prefix.is_empty() { key.clone() } else { format!("{prefix}.{key}") }, out)
                }),
                other => out.push((prefix.to_owned(), other.as_str().unwrap_or_default().to_owned())),
            }
        }
        let mut out = Vec::new();
        walk(&serde_json::from_str(json).unwrap(), "", &mut out);
        out
    }

    #[test]
    fn a_language_file_is_taken_only_with_the_compiled_keys() {
        for json in [include_str!("../locales/es.json"), include_str!("../locales/hi.json")] {
            let texts = super::load::in_key_order(pairs(json)).expect("the shipped file matches");
            assert_eq!(texts.len(), super::ENGLISH.len());
            let mut renamed = pairs(json);
            renamed
                .iter_mut()
                .filter(|(path, _)| path == "order.title")
                .for_each(|(path, _)| *path = "order.heading".into());
            assert!(super::load::in_key_order(renamed).is_err(), "a renamed key is refused");
            assert!(super::load::in_key_order(pairs(json)[1..].to_vec()).is_err(), "so is a missing one");
        }
    }

    #[test]
    fn texts_are_found_by_key_and_filled_by_name() {
        use super::{fill, Locale};
        assert_eq!(td_string!(Locale::en, order.title, id = 7), "Order #7");
        let (diff, tolerance) = ("0.2 TON", "1%");
        assert_eq!(
            td_string!(Locale::en, order.drift_flag, diff, tolerance),
            "Charged 0.2 TON more than quoted, above the 1% tolerance."
        );
        assert_eq!(td_string!(Locale::hi, status.paid), "paid", "English until Hindi is fetched");
        assert_eq!(fill("{{a}} and {{ b }}, {{ c }}", &[("a", &1), ("b", &"two")]), "1 and two, {{ c }}");
        assert_eq!(fill("no values {{", &[]), "no values {{");
    }

    #[test]
    fn hindi_is_written_in_devanagari() {
        let hi: Value = serde_json::from_str(include_str!("../locales/hi.json")).unwrap();
        let title = hi["order"]["history"].as_str().unwrap();
        assert!(title.chars().any(|c| ('\u{0900}'..='\u{097F}').contains(&c)), "{title}");
    }
}
