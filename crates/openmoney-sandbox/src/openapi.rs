//! The OpenAPI 3.1 document of `/api/v1`, served at `/api/v1/openapi.json`. Paths come from
//! the handlers' annotations; the error responses every operation can give are added here
//! once, so the document and the behaviour cannot drift apart.

use openmoney_api::{add_error_responses, ErrorBody};
use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::OpenApi;
use utoipa::Modify;

#[derive(utoipa::OpenApi)]
#[openapi(
    info(title = "TheOpenMoney partner API (sandbox)", version = "1.0.0",
        description = "Telegram Stars and Premium, paid in TON. Every response is `{ok, data}` or the error envelope `{ok:false, error_code, error_message, data:null}`."),
    servers((url = "/api/v1")),
    components(schemas(ErrorBody)),
    security(("bearer" = [])),
    modifiers(&BearerScheme),
    tags((name = "Orders"), (name = "Pricing"), (name = "Recipients"), (name = "Balance"), (name = "Health"))
)]
pub struct ApiDoc;

struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let scheme = HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("osk_…").build();
        components.add_security_scheme("bearer", SecurityScheme::Http(scheme));
    }
}

fn add_errors(operation: &mut Operation, public: bool) {
    if !public {
        add_error_responses(
            operation,
            &[("401", "Missing or invalid bearer key"), ("429", "Rate limit exceeded; see Retry-After")],
        );
    }
    add_error_responses(
        operation,
        &[("422", "Invalid parameters"), ("default", "Any other error, in the same envelope")],
    );
}

/// Adds the shared error responses to every operation.
pub fn finish(mut openapi: OpenApi) -> OpenApi {
    for item in openapi.paths.paths.values_mut() {
        for operation in [&mut item.get, &mut item.post, &mut item.put, &mut item.delete].into_iter().flatten() {
            let public = operation.security.as_ref().is_some_and(|s| s.iter().all(|r| r == &Default::default()));
            add_errors(operation, public);
        }
    }
    openapi
}
