//! The buyer's page as HTML, whole on the server: the payment details, the wallet link and
//! its QR code work with JavaScript off. A small script adds the copy buttons, the
//! countdown in the buyer's own time zone, and the live status.

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use openmoney_api::pay::BuyerOrder;
use openmoney_api::{OrderStatus, OrderType};
use serde_json::Value;

pub const SCRIPT: &str = include_str!("pay.js");
pub const STYLE: &str = include_str!("pay.css");

/// The page's texts, in the console's three languages (`locales/`, apart from the
/// console's own files so that the console's bundle does not carry them).
const LOCALES: [(&str, &str, &str); 3] = [
    ("en", "English", include_str!("../../../../locales/en.json")),
    ("es", "Español", include_str!("../../../../locales/es.json")),
    ("hi", "हिन्दी", include_str!("../../../../locales/hi.json")),
];

pub async fn asset(kind: &'static str, body: &'static str) -> Response {
    ([(header::CONTENT_TYPE, kind), (header::CACHE_CONTROL, "no-store")], body).into_response()
}

/// The texts of one language, with English behind any key it lacks.
pub struct Texts {
    pub lang: &'static str,
    own: &'static Value,
    english: &'static Value,
}

fn parse(json: &str) -> Value {
    serde_json::from_str(json).unwrap_or(Value::Null)
}

/// Every language's texts, parsed once.
fn parsed() -> &'static [Value] {
    static PARSED: std::sync::OnceLock<Vec<Value>> = std::sync::OnceLock::new();
    PARSED.get_or_init(|| LOCALES.iter().map(|(_, _, json)| parse(json)).collect())
}

/// The language a buyer asked for: `?lang=`, else the first of `Accept-Language` we speak.
fn choose(asked: Option<&str>, headers: &HeaderMap) -> &'static str {
    let speaks = |tag: &str| LOCALES.iter().map(|(lang, _, _)| *lang).find(|lang| tag.eq_ignore_ascii_case(lang));
    if let Some(lang) = asked.and_then(speaks) {
        return lang;
    }
    let accepted = headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let mut ranked: Vec<(f32, &str)> = accepted
        .split(',')
        .filter_map(|part| {
            let mut pieces = part.trim().split(';');
            let tag = pieces.next()?.split('-').next()?.trim();
            let q = pieces.find_map(|p| p.trim().strip_prefix("q=")?.parse().ok()).unwrap_or(1.0);
            Some((q, tag))
        })
        .collect();
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
    ranked.into_iter().find_map(|(_, tag)| speaks(tag)).unwrap_or("en")
}

impl Texts {
    pub fn pick(asked: Option<&str>, headers: &HeaderMap) -> Texts {
        let lang = choose(asked, headers);
        let index = LOCALES.iter().position(|(l, _, _)| *l == lang).unwrap_or(0);
        Texts { lang, own: &parsed()[index], english: &parsed()[0] }
    }

    /// The text at a dotted key, with `{{ name }}` filled in; HTML-escaped.
    pub fn get(&self, key: &str, values: &[(&str, &str)]) -> String {
        let mut text = lookup(self.own, key).or_else(|| lookup(self.english, key)).unwrap_or(key).to_owned();
        for (name, value) in values {
            text = text.replace(&format!("{{{{ {name} }}}}"), value);
        }
        escape(&text)
    }
}

fn lookup<'a>(root: &'a Value, key: &str) -> Option<&'a str> {
    key.split('.').try_fold(root, |at, part| at.get(part)).and_then(Value::as_str)
}

/// HTML-escapes text for element content and quoted attributes.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn head(texts: &Texts, title: &str) -> String {
    format!(
        "<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"robots\" content=\"noindex\"><meta name=\"referrer\" content=\"no-referrer\">\
         <title>{title}</title><link rel=\"stylesheet\" href=\"/pay/assets/pay.css\"></head><body>",
        lang = texts.lang
    )
}

fn top(texts: &Texts, brand: &Option<String>) -> String {
    let brand = brand.as_deref().map(|b| format!("<p class=\"brand\" data-testid=\"pay-brand\">{}</p>", escape(b)));
    let langs: String = LOCALES
        .iter()
        .map(|(lang, name, _)| {
            let current = if *lang == texts.lang { " aria-current=\"true\"" } else { "" };
            format!("<a href=\"?lang={lang}\" lang=\"{lang}\" hreflang=\"{lang}\"{current}>{name}</a>")
        })
        .collect();
    format!(
        "<header>{}<nav class=\"langs\" aria-label=\"{}\">{langs}</nav></header>",
        brand.unwrap_or_default(),
        texts.get("pay.language", &[])
    )
}

/// A page that says one thing: a link that opens nothing, too many requests, the upstream down.
pub fn message(texts: &Texts, brand: &Option<String>, status: StatusCode, title: &str, text: &str) -> Response {
    let title = texts.get(title, &[]);
    let body = format!(
        "{}{}<main class=\"pay\"><h1>{title}</h1><p data-testid=\"pay-message\">{}</p></main></body></html>",
        head(texts, &title),
        top(texts, brand),
        texts.get(text, &[])
    );
    let mut response = (status, Html(body)).into_response();
    if status == StatusCode::TOO_MANY_REQUESTS {
        response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
    }
    response
}

/// What is being bought: "500 Telegram Stars for @pandus".
pub fn product(texts: &Texts, order: &BuyerOrder) -> String {
    let quantity = order.quantity_or_months.to_string();
    let recipient = order.recipient_username.as_str();
    match order.product {
        OrderType::Premium => texts.get("pay.premium", &[("months", &quantity), ("recipient", recipient)]),
        _ => texts.get("pay.stars", &[("quantity", &quantity), ("recipient", recipient)]),
    }
}

fn status_text(texts: &Texts, status: &OrderStatus) -> String {
    let key = match status {
        OrderStatus::PendingPayment => "pay.waiting",
        OrderStatus::Paid | OrderStatus::Processing => "pay.paid",
        OrderStatus::Completed => "pay.delivered",
        OrderStatus::Expired => "pay.expired",
        OrderStatus::Cancelled => "pay.cancelled",
        OrderStatus::Refunded => "pay.refunded",
        _ => "pay.failed",
    };
    texts.get(key, &[])
}

fn copy_button(texts: &Texts, value: &str, what: &str) -> String {
    format!(
        "<button type=\"button\" hidden data-copy=\"{}\" data-done=\"{}\" aria-label=\"{}\">{}</button>",
        escape(value),
        texts.get("pay.copied", &[]),
        texts.get("pay.copy_what", &[("what", what)]),
        texts.get("pay.copy_button", &[])
    )
}

/// The page of one order.
pub fn render(texts: &Texts, brand: &Option<String>, token: &str, order: &BuyerOrder) -> Response {
    let title = product(texts, order);
    let status = order.status.to_string();
    let deadline = order.expires_at.as_offset_date_time();
    let utc = format!(
        "{:04}-{:02}-{:02} {:02}:{:02} UTC",
        deadline.year(),
        u8::from(deadline.month()),
        deadline.day(),
        deadline.hour(),
        deadline.minute()
    );
    let mut body = format!(
        "{}{}<main class=\"pay\" data-token=\"{}\" data-status=\"{status}\" data-expires=\"{}\" data-left=\"{}\">\
         <h1 data-testid=\"pay-product\">{title}</h1>\
         <p class=\"state state-{status}\" role=\"status\" aria-live=\"polite\" data-testid=\"pay-status\">{}</p>",
        head(texts, &title),
        top(texts, brand),
        escape(token),
        order.expires_at.unix_millis(),
        texts.get("pay.left", &[]),
        status_text(texts, &order.status),
    );
    if order.status == OrderStatus::PendingPayment {
        let amount = order.amount_ton.to_string();
        let link = order.wallet_link();
        let address_label = texts.get("pay.address", &[]);
        let memo_label = texts.get("pay.memo", &[]);
        body.push_str(&format!(
            "<p class=\"amount\"><span>{}</span> <strong data-testid=\"pay-amount\">{amount} TON</strong></p>\
             <p class=\"deadline\">{} <time datetime=\"{}\" data-testid=\"pay-deadline\">{utc}</time> \
             <span class=\"countdown\" data-testid=\"pay-countdown\"></span></p>\
             <dl class=\"fields\"><div><dt>{address_label}</dt><dd><code data-testid=\"pay-address\">{}</code>{}</dd></div>\
             <div><dt>{memo_label}</dt><dd><code data-testid=\"pay-memo\">{}</code>{}</dd></div></dl>\
             <p class=\"warning\" data-testid=\"pay-warning\">{}</p>\
             <p><a class=\"wallet\" href=\"{}\" data-testid=\"pay-wallet\">{}</a></p>\
             <figure class=\"qr\" data-testid=\"pay-qr\" role=\"img\" aria-label=\"{}\">{}<figcaption>{}</figcaption></figure>",
            texts.get("pay.amount", &[]),
            texts.get("pay.pay_by", &[]),
            order.expires_at,
            escape(&order.address),
            copy_button(texts, &order.address, &address_label),
            escape(&order.memo),
            copy_button(texts, &order.memo, &memo_label),
            texts.get("pay.memo_warning", &[]),
            escape(&link),
            texts.get("pay.open_wallet", &[]),
            texts.get("pay.qr_label", &[]),
            crate::qr::svg(&link, 220).unwrap_or_default(),
            texts.get("pay.scan", &[]),
        ));
    }
    body.push_str("</main><script src=\"/pay/assets/pay.js\" defer></script></body></html>");
    Html(body).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(accept: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT_LANGUAGE, HeaderValue::from_str(accept).unwrap());
        headers
    }

    #[test]
    fn the_language_follows_the_link_then_the_browser_then_english() {
        assert_eq!(choose(Some("hi"), &headers("es")), "hi");
        assert_eq!(choose(None, &headers("fr-FR,es;q=0.8,en;q=0.5")), "es");
        assert_eq!(choose(None, &headers("en;q=0.3,hi-IN")), "hi");
        assert_eq!(choose(Some("de"), &headers("de-DE")), "en");
    }

    #[test]
    fn every_text_of_the_page_exists_in_every_language() {
        let english = parse(LOCALES[0].2);
        let keys: Vec<&String> = english["pay"].as_object().expect("a pay section").keys().collect();
        for (lang, _, json) in LOCALES {
            let texts = parse(json);
            for key in &keys {
                assert!(texts["pay"][key.as_str()].is_string(), "{lang} lacks pay.{key}");
            }
        }
    }

    #[test]
    fn values_are_escaped() {
        let texts = Texts::pick(Some("en"), &HeaderMap::new());
        let text = texts.get("pay.stars", &[("quantity", "5"), ("recipient", "<b>x</b>")]);
        assert!(text.contains("&lt;b&gt;x&lt;/b&gt;") && !text.contains("<b>"), "{text}");
    }
}
