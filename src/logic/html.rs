//! Markup written as text, for parts of a view drawn in one piece (`inner_html`), where a
//! node-by-node build would cost a call into the browser for every element, attribute and
//! text. Values go in through [`Markup::text`], so a partner's reference or a status the
//! console does not know is only ever text.

/// Markup under construction.
#[derive(Default)]
pub struct Markup(String);

impl Markup {
    /// Appends markup the console wrote itself, as it is.
    pub fn raw(&mut self, markup: &str) -> &mut Self {
        self.0.push_str(markup);
        self
    }

    /// Appends `text` with `&`, `<`, `>`, `"` and `'` written as character references:
    /// safe between tags and inside a quoted attribute value alike.
    pub fn text(&mut self, text: &str) -> &mut Self {
        let mut rest = text;
        while let Some(at) = rest.find(['&', '<', '>', '"', '\'']) {
            self.0.push_str(&rest[..at]);
            self.0.push_str(match rest.as_bytes()[at] {
                b'&' => "&amp;",
                b'<' => "&lt;",
                b'>' => "&gt;",
                b'"' => "&quot;",
                _ => "&#39;",
            });
            rest = &rest[at + 1..];
        }
        self.0.push_str(rest);
        self
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::Markup;

    fn text(value: &str) -> String {
        let mut markup = Markup::default();
        markup.text(value);
        markup.into_string()
    }

    #[test]
    fn markup_characters_become_references() {
        assert_eq!(
            text(r#"<img src=x onerror="alert('1')"> & co"#),
            "&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt; &amp; co"
        );
    }

    #[test]
    fn other_text_is_kept_as_it_is() {
        for value in ["", "pandus", "INV-2026/11 #4", "हिन्दी", "Español: 1.234,5 TON", "&"] {
            let written = text(value);
            let read = written.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"");
            assert_eq!(read.replace("&#39;", "'").replace("&amp;", "&"), value);
            assert!(!written.contains(['<', '>', '"', '\'']), "{written}");
        }
    }

    #[test]
    fn raw_markup_is_kept_and_text_follows_it() {
        let mut markup = Markup::default();
        markup.raw("<td>").text("a<b").raw("</td>");
        assert_eq!(markup.into_string(), "<td>a&lt;b</td>");
    }
}
