//! The bulk recipient check: a pasted list in, three groups out.

use openmoney_api::export::CsvFile;
use openmoney_api::validate;

/// One name's verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    CanReceive,
    Cannot(String),
    /// Not known: the check failed or was not made.
    Unknown(String),
}

/// The distinct names of a pasted list (split on spaces, commas, semicolons and lines),
/// each already checked against Telegram's syntax.
pub fn parse(text: &str) -> Vec<(String, Result<String, String>)> {
    let mut seen = std::collections::HashSet::new();
    text.split(|c: char| c.is_whitespace() || c == ',' || c == ';')
        .filter(|s| !s.is_empty())
        .filter_map(|raw| {
            let checked = validate::username(raw);
            let key = checked.as_ref().map(|n| n.to_ascii_lowercase()).unwrap_or_else(|_| raw.to_owned());
            seen.insert(key).then(|| (raw.to_owned(), checked))
        })
        .collect()
}

pub fn group_name(verdict: &Verdict) -> &'static str {
    match verdict {
        Verdict::CanReceive => "can receive",
        Verdict::Cannot(_) => "cannot",
        Verdict::Unknown(_) => "unknown",
    }
}

/// `username,group,reason` for every name.
pub fn results_csv(results: &[(String, Verdict)]) -> String {
    CsvFile::of(["username", "group", "reason"], results, |(name, verdict)| {
        let reason = match verdict {
            Verdict::CanReceive => String::new(),
            Verdict::Cannot(r) | Verdict::Unknown(r) => r.clone(),
        };
        [name.clone(), group_name(verdict).to_owned(), reason]
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_split_deduplicated_and_checked() {
        let parsed = parse("@pandus, alice_tg\n pandus;  x  Pandus\n");
        let names: Vec<_> = parsed.iter().map(|(raw, _)| raw.as_str()).collect();
        assert_eq!(names, ["@pandus", "alice_tg", "x"]);
        assert!(parsed[2].1.is_err());
    }

    #[test]
    fn the_csv_has_a_row_per_name_and_no_live_formula() {
        let csv = results_csv(&[
            ("pandus".into(), Verdict::CanReceive),
            ("weatherbot".into(), Verdict::Cannot("bot_account".into())),
            ("=cmd()".into(), Verdict::Cannot("invalid username".into())),
        ]);
        assert_eq!(
            csv,
            "username,group,reason\npandus,can receive,\nweatherbot,cannot,bot_account\n'=cmd(),cannot,invalid username\n"
        );
    }
}
