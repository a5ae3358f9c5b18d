//! One Idempotency-Key per intended order: a new key when the form's content changes, the
//! same key for every retry of that content (a timeout, a double click, Enter twice), and
//! a fresh one after the order is made.

#[derive(Debug, Default, Clone, PartialEq)]
pub struct KeyForContent {
    content: Option<String>,
    key: Option<String>,
}

impl KeyForContent {
    /// The key for submitting `content`; `mint` makes a new one when needed.
    pub fn key_for(&mut self, content: &str, mint: impl FnOnce() -> String) -> String {
        if self.content.as_deref() != Some(content) || self.key.is_none() {
            self.content = Some(content.to_owned());
            self.key = Some(mint());
        }
        self.key.clone().unwrap_or_default()
    }

    /// The order was made: the same content submitted again is a new order.
    pub fn settle(&mut self) {
        *self = KeyForContent::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_content_same_key_until_settled() {
        let mut keys = KeyForContent::default();
        let mut n = 0;
        let mut mint = || {
            n += 1;
            format!("k{n}")
        };
        let first = keys.key_for("100 @pandus", &mut mint);
        assert_eq!(keys.key_for("100 @pandus", &mut mint), first, "a retry reuses the key");
        let changed = keys.key_for("200 @pandus", &mut mint);
        assert_ne!(changed, first, "new content, new key");
        assert_eq!(keys.key_for("200 @pandus", &mut mint), changed);
        keys.settle();
        assert_ne!(keys.key_for("200 @pandus", &mut mint), changed, "after success, a new order");
    }
}
