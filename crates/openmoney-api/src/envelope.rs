//! The two shapes every response takes.

use serde::{Deserialize, Serialize};

use crate::ErrorCode;

/// The error shape, the same for every failure of every endpoint:
/// `{"ok": false, "error_code": "…", "error_message": "…", "data": null}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    /// Always `false`.
    pub ok: bool,
    pub error_code: ErrorCode,
    /// A sentence for people; may change between versions, unlike `error_code`.
    pub error_message: String,
    /// Always `null`.
    #[cfg_attr(feature = "openapi", schema(schema_with = null_schema))]
    pub data: Option<NoData>,
}

/// The type of `data` in an error: it is always `null`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum NoData {}

#[cfg(feature = "openapi")]
fn null_schema() -> utoipa::openapi::schema::Object {
    utoipa::openapi::schema::ObjectBuilder::new().schema_type(utoipa::openapi::schema::Type::Null).build()
}

impl ErrorBody {
    pub fn new(error_code: ErrorCode, error_message: impl Into<String>) -> Self {
        ErrorBody { ok: false, error_code, error_message: error_message.into(), data: None }
    }
}

impl std::fmt::Display for ErrorBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.error_code, self.error_message)
    }
}

/// A response of the API: `{"ok": true, "data": T}` or an [`ErrorBody`].
#[derive(Debug, Clone, PartialEq)]
pub enum Envelope<T> {
    Ok(T),
    Err(ErrorBody),
}

impl<T> Envelope<T> {
    pub fn into_result(self) -> Result<T, ErrorBody> {
        match self {
            Envelope::Ok(data) => Ok(data),
            Envelope::Err(err) => Err(err),
        }
    }
}

#[derive(Serialize)]
struct SuccessRef<'a, T> {
    ok: bool,
    data: &'a T,
}

impl<T: Serialize> Serialize for Envelope<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Envelope::Ok(data) => SuccessRef { ok: true, data }.serialize(serializer),
            Envelope::Err(err) => err.serialize(serializer),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Envelope<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(bound = "T: Deserialize<'de>")]
        struct Raw<T> {
            ok: bool,
            #[serde(default = "Option::default")]
            data: Option<T>,
            error_code: Option<ErrorCode>,
            error_message: Option<String>,
        }
        let raw = Raw::<T>::deserialize(deserializer)?;
        if raw.ok {
            raw.data.map(Envelope::Ok).ok_or_else(|| serde::de::Error::missing_field("data"))
        } else {
            Ok(Envelope::Err(ErrorBody::new(
                raw.error_code.unwrap_or(ErrorCode::Unknown(String::new())),
                raw.error_message.unwrap_or_default(),
            )))
        }
    }
}

/// Documents the success shape of an endpoint in the OpenAPI document.
#[cfg(feature = "openapi")]
#[derive(utoipa::ToSchema)]
pub struct Success<T: utoipa::ToSchema> {
    /// Always `true`.
    pub ok: bool,
    pub data: T,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_envelope_matches_the_documented_shape() {
        let body = ErrorBody::new(ErrorCode::ValidationError, "quantity must be between 50 and 10000");
        let json = serde_json::to_value(Envelope::<()>::Err(body.clone())).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"ok": false, "error_code": "VALIDATION_ERROR",
                "error_message": "quantity must be between 50 and 10000", "data": null})
        );
        let back: Envelope<u32> = serde_json::from_value(json).unwrap();
        assert_eq!(back, Envelope::Err(body));
    }

    #[test]
    fn success_envelope_wraps_data() {
        let json = serde_json::to_value(Envelope::Ok(5u32)).unwrap();
        assert_eq!(json, serde_json::json!({"ok": true, "data": 5}));
        assert_eq!(serde_json::from_value::<Envelope<u32>>(json).unwrap(), Envelope::Ok(5));
    }

    #[test]
    fn an_unknown_error_code_still_decodes() {
        let json = r#"{"ok":false,"error_code":"BRAND_NEW","error_message":"x","data":null,"trace":"abc"}"#;
        let env: Envelope<u32> = serde_json::from_str(json).unwrap();
        let err = env.into_result().unwrap_err();
        assert_eq!(err.error_code, ErrorCode::Unknown("BRAND_NEW".into()));
    }
}
