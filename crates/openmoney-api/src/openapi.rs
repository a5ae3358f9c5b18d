//! Schemas that the derives cannot say by themselves.

use utoipa::openapi::path::{Operation, Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::schema::{Object, ObjectBuilder, Type};
use utoipa::openapi::Required;
use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};

/// Adds, for each `(status, description)` an operation does not describe yet, a response
/// in the error envelope (the `ErrorBody` schema).
pub fn add_error_responses(operation: &mut Operation, errors: &[(&str, &str)]) {
    for (status, description) in errors {
        operation.responses.responses.entry((*status).to_owned()).or_insert_with(|| {
            let content = ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).build();
            ResponseBuilder::new().description(*description).content("application/json", content).build().into()
        });
    }
}

/// Premium lengths: 3, 6 or 12.
pub fn months() -> Object {
    ObjectBuilder::new().schema_type(Type::Integer).enum_values(Some([3, 6, 12])).build()
}

/// A TON amount a sandbox control sends: positive, whole nanotons, at most
/// [`crate::sandbox::MAX_SIMULATED_TON`].
pub fn simulated_amount() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::Number)
        .exclusive_minimum(Some(0))
        .maximum(Some(crate::sandbox::MAX_SIMULATED_TON))
        .multiple_of(Some(1e-9))
        .description(Some("TON, positive, at most 9 decimal places"))
        .build()
}

/// A known transaction type.
pub fn transaction_type() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(["topup", "order_debit", "refund", "adjustment"]))
        .build()
}

impl utoipa::IntoParams for crate::PremiumEstimateQuery {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        let months = ParameterBuilder::new()
            .name("months")
            .parameter_in(ParameterIn::Query)
            .required(Required::True)
            .description(Some("3, 6 or 12."))
            .schema(Some(self::months()))
            .build();
        vec![months]
    }
}
