//! Markup written as text, for parts of a view drawn in one piece (`inner_html`), where a
//! node-by-node build would cost a call into the browser for every element, attribute and
//! text. Every value goes through [`Escaped`], so a partner's reference or a status the
//! console does not know is only ever text.

use std::fmt;

/// `text` with `&`, `<`, `>`, `"` and `'` written as character references: safe between
/// tags and inside a quoted attribute value alike.
pub struct Escaped<'a>(pub &'a str);

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut rest = self.0;
        while let Some(at) = rest.find(['&', '<', '>', '"', '\'']) {
            f.write_str(&rest[..at])?;
            f.write_str(match rest.as_bytes()[at] {
                b'&' => "&amp;",
                b'<' => "&lt;",
                b'>' => "&gt;",
                b'"' => "&quot;",
                _ => "&#39;",
            })?;
            rest = &rest[at + 1..];
        }
        f.write_str(rest)
    }
}

#[cfg(test)]
mod tests {
    use super::Escaped;

    #[test]
    fn markup_characters_become_references() {
        assert_eq!(
            Escaped(r#"<img src=x onerror="alert('1')"> & co"#).to_string(),
            "&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt; &amp; co"
        );
    }

    #[test]
    fn other_text_is_kept_as_it_is() {
        for text in ["", "pandus", "INV-2026/11 #4", "हिन्दी", "Español: 1.234,5 TON", "&"] {
            let written = Escaped(text).to_string();
            let read = written.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"");
            assert_eq!(read.replace("&#39;", "'").replace("&amp;", "&"), text);
            assert!(!written.contains(['<', '>', '"', '\'']), "{written}");
        }
    }
}
