//! A QR code, drawn by the proxy (the renderer of the buyer's page too) and shown as an
//! image, so the console carries no QR encoder.

use leptos::prelude::*;

use crate::logic::filters::query_string;

#[component]
pub fn Qr(text: String, #[prop(into)] label: String) -> impl IntoView {
    let src = format!("/console/v1/qr.svg{}", query_string(&[("text", text)]));
    view! { <img class="qr" src=src alt=label data-testid="qr" width="200" height="200" /> }
}
