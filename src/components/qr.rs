//! A QR code, drawn as SVG in the browser.

use leptos::prelude::*;
use qrcode::render::svg;
use qrcode::QrCode;

/// The SVG markup of a QR code for `text`.
pub fn svg_of(text: &str) -> Option<String> {
    let code = QrCode::new(text.as_bytes()).ok()?;
    Some(code.render::<svg::Color>().min_dimensions(200, 200).quiet_zone(true).build())
}

#[component]
pub fn Qr(text: String, #[prop(into)] label: String) -> impl IntoView {
    let markup = svg_of(&text).unwrap_or_default();
    view! { <div class="qr" role="img" aria-label=label data-testid="qr" inner_html=markup></div> }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_ton_link_becomes_an_svg() {
        let svg = super::svg_of(
            "ton://transfer/UQBFJTkJ5hZdH7i6rWQTnm43zn6h2dPBV9lFZ2e98WvWABy_?amount=418000000&text=STARS-a1b2c3",
        )
        .unwrap();
        assert!(svg.contains("<svg") && svg.contains("</svg>"));
    }
}
