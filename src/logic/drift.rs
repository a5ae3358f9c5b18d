//! Quote drift: the price an order was charged against the estimate staff saw when they
//! submitted it. A difference above the tolerance is flagged on the order page.

use openmoney_api::Ton;

/// Differences up to this many basis points (1%) are normal rounding and rate movement.
pub const TOLERANCE_BP: i64 = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Drift {
    /// Charged minus quoted (positive: the customer pays more).
    pub diff: Ton,
    /// The difference in basis points of the quote.
    pub basis_points: i64,
}

impl Drift {
    pub fn of(charged: Ton, quoted: Ton) -> Drift {
        let diff = charged.nanos() - quoted.nanos();
        let basis_points =
            if quoted.nanos() == 0 { 0 } else { (i128::from(diff) * 10_000 / i128::from(quoted.nanos())) as i64 };
        Drift { diff: Ton::from_nanos(diff), basis_points }
    }

    pub fn flagged(self) -> bool {
        self.basis_points.abs() > TOLERANCE_BP
    }
}

/// A basis-point figure as a percentage text, e.g. `1.25%`.
pub fn percent(basis_points: i64) -> String {
    let sign = if basis_points < 0 { "-" } else { "" };
    let bp = basis_points.abs();
    format!("{sign}{}.{:02}%", bp / 100, bp % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ton(text: &str) -> Ton {
        text.parse().unwrap()
    }

    #[test]
    fn small_differences_pass_and_large_ones_are_flagged() {
        let same = Drift::of(ton("0.418"), ton("0.418"));
        assert_eq!(same, Drift { diff: Ton::ZERO, basis_points: 0 });
        assert!(!same.flagged());
        let rounding = Drift::of(ton("0.419"), ton("0.418"));
        assert_eq!(rounding.basis_points, 23);
        assert!(!rounding.flagged());
        let higher = Drift::of(ton("0.430"), ton("0.418"));
        assert_eq!((higher.diff, higher.basis_points), (ton("0.012"), 287));
        assert!(higher.flagged());
        assert!(Drift::of(ton("0.400"), ton("0.418")).flagged(), "a lower charge is flagged too");
        assert_eq!(percent(287), "2.87%");
        assert_eq!(percent(-5), "-0.05%");
        assert_eq!(percent(TOLERANCE_BP), "1.00%");
    }
}
