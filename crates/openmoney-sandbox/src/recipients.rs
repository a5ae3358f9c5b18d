//! Who can receive what, by the sandbox's simulated facts.

use openmoney_api::RecipientCheck;

use crate::config::RecipientFacts;
use crate::pricing::Product;

pub const USER_NOT_FOUND: &str = "user_not_found";
pub const BOT_ACCOUNT: &str = "bot_account";
pub const ALREADY_PREMIUM: &str = "already_premium";

/// Checks a username that already passed the syntax rules.
pub fn check(facts: &RecipientFacts, username: &str, premium: bool) -> RecipientCheck {
    let lower = username.to_ascii_lowercase();
    let listed = |list: &[String]| list.iter().any(|n| n.eq_ignore_ascii_case(&lower));
    let reason = if listed(&facts.not_found) {
        Some(USER_NOT_FOUND)
    } else if lower.ends_with("bot") {
        Some(BOT_ACCOUNT)
    } else if premium && listed(&facts.has_premium) {
        Some(ALREADY_PREMIUM)
    } else {
        None
    };
    RecipientCheck { username: username.to_owned(), can_receive: reason.is_none(), reason: reason.map(str::to_owned) }
}

pub fn check_for(facts: &RecipientFacts, username: &str, product: Product) -> RecipientCheck {
    check(facts, username, matches!(product, Product::Premium(_)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facts_give_reasons() {
        let facts = RecipientFacts::default();
        assert!(check(&facts, "pandus", false).can_receive);
        assert_eq!(check(&facts, "ghost_user", false).reason.as_deref(), Some(USER_NOT_FOUND));
        assert_eq!(check(&facts, "WeatherBot", false).reason.as_deref(), Some(BOT_ACCOUNT));
        assert!(check(&facts, "durov", false).can_receive);
        assert_eq!(check(&facts, "Durov", true).reason.as_deref(), Some(ALREADY_PREMIUM));
    }
}
