//! The order form's rules, shared by the new-order form, the pricing estimator and the bulk
//! check: which product, whether an amount can be ordered, and why a recipient cannot.

use openmoney_api::{validate, FeeInfo};

use crate::i18n::{td_string, Locale};
use crate::logic::numbers;

/// What the form orders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Product {
    Stars,
    Premium,
}

/// The reason the console gives a name that is not a Telegram username at all.
pub const INVALID_USERNAME: &str = "invalid_username";

/// Why a recipient cannot receive, in words.
pub fn reason_text(l: Locale, reason: &str) -> String {
    match reason {
        "user_not_found" => td_string!(l, reason.user_not_found).into(),
        "bot_account" => td_string!(l, reason.bot_account).into(),
        "already_premium" => td_string!(l, reason.already_premium).into(),
        INVALID_USERNAME => td_string!(l, new_order.bad_username).into(),
        other => td_string!(l, reason.other, reason = other),
    }
}

/// Why an amount typed in the form cannot be ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AmountError {
    NotStars,
    NotMonths,
    StarsRange { min: i64, max: i64 },
}

impl AmountError {
    pub fn text(self, l: Locale) -> String {
        match self {
            AmountError::NotStars => td_string!(l, new_order.bad_stars).into(),
            AmountError::NotMonths => td_string!(l, new_order.bad_months).into(),
            AmountError::StarsRange { min, max } => {
                td_string!(l, new_order.stars_range, min = numbers::count(l, min), max = numbers::count(l, max))
            }
        }
    }
}

/// The amount field checked against the limits: Stars quantity or Premium months.
pub fn check_amount(product: Product, text: &str, fee: Option<&FeeInfo>) -> Result<i64, AmountError> {
    let value: i64 = text.trim().parse().map_err(|_| match product {
        Product::Stars => AmountError::NotStars,
        Product::Premium => AmountError::NotMonths,
    })?;
    match product {
        Product::Stars => {
            let (min, max) = fee.map_or((validate::STARS_MIN, validate::STARS_MAX), |f| {
                (i64::from(f.stars.min), i64::from(f.stars.max))
            });
            if (min..=max).contains(&value) {
                Ok(value)
            } else {
                Err(AmountError::StarsRange { min, max })
            }
        }
        Product::Premium => validate::months(value).map(i64::from).map_err(|_| AmountError::NotMonths),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_checked_against_the_limits() {
        assert_eq!(check_amount(Product::Stars, "10", None), Err(AmountError::StarsRange { min: 50, max: 10000 }));
        assert_eq!(
            AmountError::StarsRange { min: 50, max: 10000 }.text(Locale::en),
            "Enter between 50 and 10,000 Stars."
        );
        assert_eq!(check_amount(Product::Stars, " 250 ", None), Ok(250));
        assert!(check_amount(Product::Stars, "ten", None).is_err());
        assert_eq!(check_amount(Product::Premium, "6", None), Ok(6));
        assert!(check_amount(Product::Premium, "5", None).is_err());
    }

    #[test]
    fn reasons_read_as_sentences() {
        assert!(reason_text(Locale::en, "user_not_found").contains("No Telegram user"));
    }
}
