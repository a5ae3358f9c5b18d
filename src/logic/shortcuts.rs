//! Keyboard shortcuts: `/` search, `n s` new Stars order, `g o` orders, `?` the list.

use crate::i18n::{td_string, Text};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shortcut {
    FocusSearch,
    Go(&'static str),
    Help,
}

/// Every shortcut, as the help lists it.
pub const LIST: [(&str, Text); 9] = [
    ("/", |l| td_string!(l, keys.search)),
    ("n s", |l| td_string!(l, keys.new_stars)),
    ("n p", |l| td_string!(l, keys.new_premium)),
    ("g d", |l| td_string!(l, keys.dashboard)),
    ("g o", |l| td_string!(l, keys.orders)),
    ("g l", |l| td_string!(l, keys.lookup)),
    ("g b", |l| td_string!(l, keys.balance)),
    ("g p", |l| td_string!(l, keys.pricing)),
    ("?", |l| td_string!(l, keys.help)),
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
