//! Fault injection: rules that make API requests fail the ways real networks do.

use openmoney_api::sandbox::{FaultKind, FaultRule};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// What to do to one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultAction {
    /// Answer with this 5xx status, doing nothing.
    Error(u16),
    /// Wait this many seconds, then handle the request.
    Stall(u32),
    /// Reset the connection, doing nothing.
    Reset,
    /// Handle the request, then reset the connection.
    LoseResponse,
}

#[derive(Debug)]
struct ActiveRule {
    rule: FaultRule,
    remaining: Option<u32>,
}

/// A partner's fault rules and the dice they roll.
#[derive(Debug)]
pub struct FaultState {
    rules: Vec<ActiveRule>,
    rng: StdRng,
}

const ERROR_STATUSES: [u16; 4] = [500, 502, 503, 504];
const MAX_STALL_SECONDS: u32 = 300;

/// Checks rules before they are installed.
pub fn validate(rules: &[FaultRule]) -> Result<(), String> {
    for (i, rule) in rules.iter().enumerate() {
        if rule.percent > 100 {
            return Err(format!("rules[{i}].percent must be 0 to 100"));
        }
        if let Some(status) = rule.status {
            if !ERROR_STATUSES.contains(&status) {
                return Err(format!("rules[{i}].status must be one of 500, 502, 503, 504"));
            }
        }
        if rule.stall_seconds.is_some_and(|s| s > MAX_STALL_SECONDS) {
            return Err(format!("rules[{i}].stall_seconds must be at most {MAX_STALL_SECONDS}"));
        }
    }
    Ok(())
}

impl FaultState {
    pub fn new(rules: Vec<FaultRule>, seed: u64) -> Self {
        let mut state = FaultState { rules: Vec::new(), rng: StdRng::seed_from_u64(seed) };
        state.set(rules);
        state
    }

    pub fn set(&mut self, rules: Vec<FaultRule>) {
        self.rules = rules.into_iter().map(|rule| ActiveRule { remaining: rule.count, rule }).collect();
    }

    /// The rules as they stand, with `count` showing how many firings are left.
    pub fn rules(&self) -> Vec<FaultRule> {
        self.rules.iter().map(|a| FaultRule { count: a.remaining, ..a.rule.clone() }).collect()
    }

    /// Rolls the first matching rule for a request to `path` (below `/api/v1`).
    pub fn pick(&mut self, method: &str, path: &str) -> Option<FaultAction> {
        for active in &mut self.rules {
            let rule = &active.rule;
            let matches = rule.method.as_deref().is_none_or(|m| m.eq_ignore_ascii_case(method))
                && rule.path_prefix.as_deref().is_none_or(|p| path.starts_with(p))
                && active.remaining != Some(0);
            if !matches || self.rng.gen_range(0..100u8) >= rule.percent {
                continue;
            }
            if let Some(left) = active.remaining.as_mut() {
                *left -= 1;
            }
            return Some(match rule.kind {
                FaultKind::Error => FaultAction::Error(rule.status.unwrap_or(503)),
                FaultKind::Stall => FaultAction::Stall(rule.stall_seconds.unwrap_or(5)),
                FaultKind::Reset => FaultAction::Reset,
                FaultKind::LoseResponse => FaultAction::LoseResponse,
            });
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(kind: FaultKind, percent: u8) -> FaultRule {
        FaultRule { kind, percent, count: None, method: None, path_prefix: None, stall_seconds: None, status: None }
    }

    #[test]
    fn a_counted_rule_fires_that_many_times() {
        let mut state = FaultState::new(vec![FaultRule { count: Some(2), ..rule(FaultKind::Reset, 100) }], 1);
        assert_eq!(state.pick("GET", "/balance"), Some(FaultAction::Reset));
        assert_eq!(state.pick("GET", "/balance"), Some(FaultAction::Reset));
        assert_eq!(state.pick("GET", "/balance"), None);
        assert_eq!(state.rules()[0].count, Some(0));
    }

    #[test]
    fn rules_match_method_and_path() {
        let only_creates = FaultRule {
            method: Some("POST".into()),
            path_prefix: Some("/orders".into()),
            ..rule(FaultKind::LoseResponse, 100)
        };
        let mut state = FaultState::new(vec![only_creates], 1);
        assert_eq!(state.pick("GET", "/orders"), None);
        assert_eq!(state.pick("POST", "/balance"), None);
        assert_eq!(state.pick("post", "/orders/stars"), Some(FaultAction::LoseResponse));
    }

    #[test]
    fn percent_is_roughly_honoured() {
        let mut state = FaultState::new(vec![rule(FaultKind::Error, 30)], 7);
        let fired = (0..10_000).filter(|_| state.pick("GET", "/x").is_some()).count();
        assert!((2_700..3_300).contains(&fired), "{fired}");
    }

    #[test]
    fn invalid_rules_are_refused() {
        assert!(validate(&[rule(FaultKind::Error, 101)]).is_err());
        assert!(validate(&[FaultRule { status: Some(404), ..rule(FaultKind::Error, 5) }]).is_err());
        assert!(validate(&[rule(FaultKind::Stall, 5)]).is_ok());
    }
}
