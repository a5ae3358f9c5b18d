//! The proxy's own OpenAPI 3.1 document, served at `/openapi.json`: sign-in, the console's
//! routes and the operations from the proxy's handlers, and the forwarded `/api/v1` routes
//! from the upstream's document, rewritten for how the proxy is called (a session cookie,
//! the CSRF token and console header on changes, a required Idempotency-Key on creates)
//! and for what the proxy itself can answer.

use openmoney_api::console::{AuditEntry, ConsoleConfig, Credentials, NewStaff, Role, SessionInfo, StaffAccount};
use openmoney_api::pay::{BuyerOrder, PaymentLink};
use openmoney_api::sandbox::{FailOrder, PaymentResult, SimulatePayment, TopUp};
use openmoney_api::{add_error_responses, ErrorBody, Order, Transaction};
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::schema::Schema;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{OpenApi, PathItem, RefOr, Required};
use utoipa::OpenApi as _;

use crate::auth::SESSION_COOKIE;

#[derive(utoipa::OpenApi)]
#[openapi(
    info(title = "Openmoney Console proxy", version = env!("CARGO_PKG_VERSION"),
        description = "The console's backend. Sign in at `/auth/login`; the session cookie then \
            authenticates every call, and every change (any method but GET) also carries \
            `X-Requested-With: openmoney-console`, a same-origin `Origin` and the session's \
            `X-CSRF-Token`. Every error is the envelope `{ok:false, error_code, error_message, data:null}`."),
    servers((url = "/")),
    paths(
        crate::auth::login, crate::auth::logout, crate::auth::current,
        crate::console::config, crate::live::events, crate::console::audit::list, crate::console::audit::csv,
        crate::console::audit::for_order, crate::qr::console, crate::console::users::list, crate::console::users::add,
        crate::console::users::change, crate::console::users::remove,
        crate::pay::create, crate::pay::revoke, crate::pay::status,
        crate::ops::healthz, crate::ops::readyz, crate::ops::metrics,
    ),
    components(schemas(ErrorBody, Credentials, SessionInfo, ConsoleConfig, AuditEntry, StaffAccount, NewStaff, Role,
        PaymentLink, BuyerOrder)),
    tags((name = "Sign-in"), (name = "Console"), (name = "Audit"), (name = "Users"), (name = "Operations"),
        (name = "Orders"), (name = "Pricing"), (name = "Recipients"), (name = "Balance"), (name = "Health"),
        (name = "Sandbox"), (name = "Payment page")),
)]
struct ConsoleDoc;

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(crate::forward::sandbox_pay, crate::forward::sandbox_fail, crate::forward::sandbox_topup),
    components(schemas(SimulatePayment, PaymentResult, FailOrder, TopUp, Order, Transaction))
)]
struct SandboxDoc;

fn operations(item: &mut PathItem) -> impl Iterator<Item = (bool, &mut Operation)> {
    let reads = [&mut item.get].into_iter().flatten().map(|op| (false, op));
    let changes = [&mut item.post, &mut item.put, &mut item.patch, &mut item.delete].into_iter().flatten();
    reads.chain(changes.map(|op| (true, op)))
}

/// Who may call it: the session on every call, and the CSRF token on changes.
fn requirement(change: bool) -> Vec<SecurityRequirement> {
    let mut schemes = vec!["session"];
    if change {
        schemes.push("csrf");
    }
    vec![schemes.into_iter().fold(SecurityRequirement::new::<&str, [&str; 0], &str>("session", []), |r, s| {
        r.add::<&str, [&str; 0], &str>(s, [])
    })]
}

/// The forwarded routes: the upstream's operations under `/api/v1`, as the proxy takes them.
fn forwarded(openapi: &mut OpenApi) {
    let upstream = openmoney_sandbox::api_document();
    for (path, mut item) in upstream.paths.paths {
        for (change, operation) in operations(&mut item) {
            operation.security = Some(requirement(change));
            for parameter in operation.parameters.iter_mut().flatten() {
                match (&parameter.parameter_in, parameter.name.as_str()) {
                    // Every create must carry one here (the upstream makes it optional).
                    (ParameterIn::Header, "Idempotency-Key") => parameter.required = Required::True,
                    // A path separator, a `%` (refused encoded, against double decoding) or a
                    // dot segment cannot travel in the proxy's paths.
                    (ParameterIn::Path, "ref") => {
                        if let Some(RefOr::T(Schema::Object(schema))) = parameter.schema.as_mut() {
                            let pattern = openmoney_api::validate::CLIENT_REFERENCE_PATTERN;
                            schema.pattern = Some(pattern.replacen("^[^", r"^(?!\.{1,2}$)[^/\\%", 1));
                        }
                    }
                    _ => {}
                }
            }
        }
        openapi.paths.paths.insert(format!("{}{path}", openmoney_api::API_PREFIX), item);
    }
    let components = openapi.components.get_or_insert_with(Default::default);
    for (name, schema) in upstream.components.into_iter().flat_map(|c| c.schemas) {
        components.schemas.entry(name).or_insert(schema);
    }
}

/// Security and the errors the proxy itself can give, on every operation.
fn finish(openapi: &mut OpenApi) {
    let components = openapi.components.get_or_insert_with(Default::default);
    // A change must change something. (Set here: utoipa-gen 5.5 writes a derive's
    // `min_properties` as `maxProperties`.)
    if let Some(RefOr::T(Schema::Object(change))) = components.schemas.get_mut("StaffChange") {
        change.min_properties = Some(1);
    }
    components.add_security_scheme("session", SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(SESSION_COOKIE))));
    components.add_security_scheme("csrf", SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("X-CSRF-Token"))));
    for item in openapi.paths.paths.values_mut() {
        for (change, operation) in operations(item) {
            // Declared by the handler (public, or optional), or the session (and token).
            let security = operation.security.get_or_insert_with(|| requirement(change));
            let public = security.iter().any(|r| r == &Default::default());
            if !public {
                add_error_responses(
                    operation,
                    &[
                        ("401", "Not signed in, or the session has ended"),
                        ("403", "The role does not allow it, or a change lacks the console header, origin or token"),
                    ],
                );
            }
            add_error_responses(
                operation,
                &[
                    ("400", "A malformed request"),
                    ("422", "Invalid parameters"),
                    ("429", "Over the upstream call budget, or rate limited upstream; see Retry-After"),
                    ("502", "The upstream did not answer as it should"),
                    ("504", "The upstream did not answer in time"),
                    ("default", "Any other error, in the same envelope"),
                ],
            );
        }
    }
}

/// The whole document; the sandbox controls are in it only on a sandbox upstream.
pub fn document(sandbox: bool) -> OpenApi {
    let mut openapi = ConsoleDoc::openapi();
    forwarded(&mut openapi);
    if sandbox {
        openapi.merge(SandboxDoc::openapi());
    }
    finish(&mut openapi);
    openapi
}
