//! The TON wallet link a customer opens to pay an order.

use openmoney_api::Ton;
use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};

/// `ton://transfer/<address>?amount=<nanotons>&text=<memo>`.
pub fn transfer(address: &str, amount: Ton, memo: &str) -> String {
    let memo = utf8_percent_encode(memo, NON_ALPHANUMERIC);
    format!("ton://transfer/{address}?amount={}&text={memo}", amount.nanos())
}

/// A top-up link: the address alone, the amount left to the wallet.
pub fn topup(address: &str) -> String {
    format!("ton://transfer/{address}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_link_carries_nanotons_and_the_encoded_memo() {
        let link =
            transfer("UQBFJTkJ5hZdH7i6rWQTnm43zn6h2dPBV9lFZ2e98WvWABy_", "0.418".parse().unwrap(), "STARS-a1b2c3");
        assert_eq!(
            link,
            "ton://transfer/UQBFJTkJ5hZdH7i6rWQTnm43zn6h2dPBV9lFZ2e98WvWABy_?amount=418000000&text=STARS%2Da1b2c3"
        );
        assert!(transfer("A", Ton::from_units(1), "a b&c").ends_with("amount=1000000000&text=a%20b%26c"));
    }
}
