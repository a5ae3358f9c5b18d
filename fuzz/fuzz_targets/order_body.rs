//! Order bodies: any JSON is read without panicking, and a body that reads and validates
//! has its fields in range.
#![no_main]

use libfuzzer_sys::fuzz_target;
use openmoney_api::{CreatePremiumOrder, CreateStarsOrder};

fuzz_target!(|data: &[u8]| {
    if let Ok(order) = serde_json::from_slice::<CreateStarsOrder>(data) {
        if let Ok((_, quantity)) = order.validate() {
            assert!((50..=10_000).contains(&quantity));
        }
    }
    if let Ok(order) = serde_json::from_slice::<CreatePremiumOrder>(data) {
        if let Ok((_, months)) = order.validate() {
            assert!([3, 6, 12].contains(&months));
        }
    }
});
