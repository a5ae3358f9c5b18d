//! Keyboard shortcuts: `/` search, `n s` new Stars order, `g o` orders, `?` the list.

use crate::i18n::{key, Key};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shortcut {
    FocusSearch,
    Go(&'static str),
    Help,
}

/// Every shortcut, as the help lists it.
pub const LIST: [(&str, Key); 9] = [
    ("/", key!(keys.search)),
    ("n s", key!(keys.new_stars)),
    ("n p", key!(keys.new_premium)),
    ("g d", key!(keys.dashboard)),
    ("g o", key!(keys.orders)),
    ("g l", key!(keys.lookup)),
    ("g b", key!(keys.balance)),
    ("g p", key!(keys.pricing)),
    ("?", key!(keys.help)),
];

/// Reads key presses, remembering a `g` or `n` prefix for the next key.
#[derive(Debug, Default, Clone)]
pub struct Keys {
    prefix: Option<char>,
}

impl Keys {
    pub fn press(&mut self, key: &str) -> Option<Shortcut> {
        let prefix = self.prefix.take();
        match (prefix, key) {
            (None, "/") => Some(Shortcut::FocusSearch),
            (None, "?") => Some(Shortcut::Help),
            (None, "g") => {
                self.prefix = Some('g');
                None
            }
            (None, "n") => {
                self.prefix = Some('n');
                None
            }
            (Some('n'), "s") => Some(Shortcut::Go("/orders/new/stars")),
            (Some('n'), "p") => Some(Shortcut::Go("/orders/new/premium")),
            (Some('g'), "d") => Some(Shortcut::Go("/")),
            (Some('g'), "o") => Some(Shortcut::Go("/orders")),
            (Some('g'), "l") => Some(Shortcut::Go("/lookup")),
            (Some('g'), "b") => Some(Shortcut::Go("/balance")),
            (Some('g'), "p") => Some(Shortcut::Go("/pricing")),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sequences_and_single_keys() {
        let mut keys = Keys::default();
        assert_eq!(keys.press("/"), Some(Shortcut::FocusSearch));
        assert_eq!(keys.press("n"), None);
        assert_eq!(keys.press("s"), Some(Shortcut::Go("/orders/new/stars")));
        assert_eq!(keys.press("g"), None);
        assert_eq!(keys.press("o"), Some(Shortcut::Go("/orders")));
        assert_eq!(keys.press("g"), None);
        assert_eq!(keys.press("x"), None, "an unknown second key drops the prefix");
        assert_eq!(keys.press("o"), None, "o alone is nothing");
        assert_eq!(keys.press("?"), Some(Shortcut::Help));
    }
}
