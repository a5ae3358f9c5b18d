//! The product's one QR renderer: the buyer's page draws its code inline, and the console
//! shows the same SVG from `GET /console/v1/qr.svg`, so no QR encoder ships to browsers.

use axum::http::header;
use axum::response::IntoResponse;
use serde::Deserialize;

use crate::auth::StaffUser;
use crate::error::{Error, Result};
use crate::forward::KnownQuery;

/// The longest text a code is drawn for: a wallet link or a page's address is far shorter.
const MAX_TEXT: usize = 1_000;

/// The SVG markup of a QR code for `text`, at least `size` pixels square with its quiet
/// zone; `None` when the text does not fit in a code.
pub fn svg(text: &str, size: u32) -> Option<String> {
    let code = qrcode::QrCode::new(text.as_bytes()).ok()?;
    Some(code.render::<qrcode::render::svg::Color>().min_dimensions(size, size).quiet_zone(true).build())
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct QrQuery {
    /// What the code holds: a wallet link or a page's address.
    #[param(min_length = 1, max_length = 1000)]
    text: String,
}

/// A QR code of `text` as SVG, for the console's views (a day in the browser's cache: the
/// same text always draws the same code).
#[utoipa::path(get, path = "/console/v1/qr.svg", tag = "Console", params(QrQuery),
    responses((status = 200, description = "The QR code", content_type = "image/svg+xml", body = String)))]
pub(crate) async fn console(_: StaffUser, KnownQuery(query): KnownQuery<QrQuery>) -> Result<impl IntoResponse> {
    if query.text.is_empty() || query.text.len() > MAX_TEXT {
        return Err(Error::Validation(format!("text must be 1 to {MAX_TEXT} bytes")));
    }
    let svg = svg(&query.text, 200).ok_or_else(|| Error::Validation("text does not fit in a QR code".into()))?;
    Ok(([(header::CONTENT_TYPE, "image/svg+xml"), (header::CACHE_CONTROL, "private, max-age=86400")], svg))
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_ton_link_becomes_an_svg() {
        let svg = super::svg(
            "ton://transfer/UQBFJTkJ5hZdH7i6rWQTnm43zn6h2dPBV9lFZ2e98WvWABy_?amount=418000000&text=STARS-a1b2c3",
            200,
        )
        .unwrap();
        assert!(svg.contains("<svg") && svg.contains("</svg>"));
    }
}
