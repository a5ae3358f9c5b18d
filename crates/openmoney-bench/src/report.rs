//! The figures of a run as one table: printed, and written to `bench/RESULTS.md` with the
//! date, the machine and the commit.

use std::fmt::Write as _;
use std::time::Duration;

/// One figure: what was measured, its value, and the target it is held to, if any.
#[derive(Debug, Clone)]
pub struct Row {
    pub section: String,
    pub name: String,
    pub value: String,
    pub target: Option<Target>,
}

/// A target and whether the figure meets it.
#[derive(Debug, Clone)]
pub struct Target {
    pub text: String,
    pub met: bool,
}

impl Target {
    /// At most `limit`, for costs (latency, memory, bytes).
    pub fn at_most(value: f64, limit: f64, text: impl Into<String>) -> Option<Target> {
        Some(Target { text: text.into(), met: value <= limit })
    }

    /// At least `floor`, for rates.
    pub fn at_least(value: f64, floor: f64, text: impl Into<String>) -> Option<Target> {
        Some(Target { text: text.into(), met: value >= floor })
    }
}

#[derive(Debug, Default)]
pub struct Report {
    pub rows: Vec<Row>,
    /// Lines under the table: how the figures were taken.
    pub notes: Vec<String>,
}

impl Report {
    pub fn add(
        &mut self,
        section: impl Into<String>,
        name: impl Into<String>,
        value: impl Into<String>,
        target: Option<Target>,
    ) {
        let row = Row { section: section.into(), name: name.into(), value: value.into(), target };
        eprintln!("bench: {} / {}: {}", row.section, row.name, row.value);
        self.rows.push(row);
    }

    pub fn note(&mut self, text: impl Into<String>) {
        self.notes.push(text.into());
    }

    /// The table, in Markdown (readable as plain text too).
    pub fn table(&self) -> String {
        let mut out = String::from("| Section | Figure | Value | Target | Met |\n|---|---|---:|---|:-:|\n");
        for row in &self.rows {
            let (target, met) = match &row.target {
                Some(t) => (t.text.as_str(), if t.met { "yes" } else { "**no**" }),
                None => ("", ""),
            };
            let _ = writeln!(out, "| {} | {} | {} | {target} | {met} |", row.section, row.name, row.value);
        }
        out
    }

    /// The whole document for `bench/RESULTS.md`.
    pub fn markdown(&self, heading: &Heading) -> String {
        let mut out = format!("# {}\n\n", heading.title);
        let _ = writeln!(out, "- Date: {}", heading.date);
        let _ = writeln!(out, "- Commit: {}", heading.commit);
        let _ = writeln!(out, "- Machine: {}", heading.machine);
        let _ = writeln!(out, "- Command: `{}`\n", heading.command);
        out.push_str(&self.table());
        if !self.notes.is_empty() {
            out.push_str("\n## How the figures were taken\n\n");
            for note in &self.notes {
                let _ = writeln!(out, "- {note}");
            }
        }
        out
    }
}

/// Where and when a run happened.
pub struct Heading {
    pub title: &'static str,
    pub command: &'static str,
    pub date: String,
    pub commit: String,
    pub machine: String,
}

/// Adds figures taken elsewhere (the reliability tests, the fuzzers), one per line as
/// `section: name|value|target|met`, where `met` is `yes`, `no` or empty.
pub fn add_figures(report: &mut Report, lines: &str) {
    for line in lines.lines().filter(|l| !l.trim().is_empty()) {
        let mut fields = line.splitn(4, '|');
        let (label, value) = (fields.next().unwrap_or_default(), fields.next().unwrap_or_default());
        let (target, met) = (fields.next().unwrap_or_default(), fields.next().unwrap_or_default());
        let (section, name) = label.split_once(": ").unwrap_or(("", label));
        let target = (!target.is_empty()).then(|| Target { text: target.to_owned(), met: met.trim() != "no" });
        report.add(section.to_owned(), name, value, target);
    }
}

/// `1.23 ms` or `456 µs`.
pub fn duration(d: Duration) -> String {
    let micros = d.as_secs_f64() * 1e6;
    if micros >= 10_000.0 {
        format!("{:.1} ms", micros / 1000.0)
    } else if micros >= 1000.0 {
        format!("{:.2} ms", micros / 1000.0)
    } else {
        format!("{micros:.0} µs")
    }
}

/// `12,345`.
pub fn count(n: f64) -> String {
    let digits = format!("{:.0}", n.max(0.0));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The median and the 99th percentile of some samples.
pub fn percentiles(samples: &mut [Duration]) -> (Duration, Duration) {
    if samples.is_empty() {
        return (Duration::ZERO, Duration::ZERO);
    }
    samples.sort();
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize];
    (at(0.5), at(0.99))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_read_as_people_write_them() {
        assert_eq!(count(1234567.4), "1,234,567");
        assert_eq!(count(999.0), "999");
        assert_eq!(duration(Duration::from_micros(87)), "87 µs");
        assert_eq!(duration(Duration::from_micros(1500)), "1.50 ms");
        assert_eq!(duration(Duration::from_millis(250)), "250.0 ms");
    }

    #[test]
    fn a_missed_target_stands_out_in_the_table() {
        let mut report = Report::default();
        report.add("proxy", "p50 added", "40 µs", Target::at_most(40.0, 100.0, "≤ 100 µs"));
        report.add("proxy", "throughput", "9,000 rps", Target::at_least(0.9, 1.0, "≥ 1.0× nginx"));
        report.add("proxy", "RSS idle", "12 MB", None);
        let table = report.table();
        assert!(table.contains("| proxy | p50 added | 40 µs | ≤ 100 µs | yes |"), "{table}");
        assert!(table.contains("| proxy | throughput | 9,000 rps | ≥ 1.0× nginx | **no** |"), "{table}");
        assert!(table.contains("| proxy | RSS idle | 12 MB |  |  |"), "{table}");
    }

    #[test]
    fn figures_from_elsewhere_keep_their_section_and_verdict() {
        let mut report = Report::default();
        add_figures(
            &mut report,
            "faulty upstream: lost|0|exact|yes\nkill -9: restart|26 ms||\nfuzz: sandbox|3 failures|0 failures|no\n",
        );
        let table = report.table();
        assert!(table.contains("| faulty upstream | lost | 0 | exact | yes |"), "{table}");
        assert!(table.contains("| kill -9 | restart | 26 ms |  |  |"), "{table}");
        assert!(table.contains("| fuzz | sandbox | 3 failures | 0 failures | **no** |"), "{table}");
    }

    #[test]
    fn percentiles_pick_the_middle_and_the_tail() {
        let mut samples: Vec<Duration> = (1..=100).rev().map(Duration::from_millis).collect();
        let (p50, p99) = percentiles(&mut samples);
        assert_eq!(p50, Duration::from_millis(51));
        assert_eq!(p99, Duration::from_millis(99));
    }
}
