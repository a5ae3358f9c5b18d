//! The console's navigation: each page, its label and who sees its link.

use openmoney_api::console::Role;

use crate::i18n::{td_string, Text};

#[derive(Debug, Clone, Copy)]
pub struct NavItem {
    pub path: &'static str,
    pub label: Text,
    /// The least role that sees the link.
    pub role: Role,
}

/// The links of the top bar, in order.
pub const NAV: [NavItem; 10] = [
    NavItem { path: "/", label: |l| td_string!(l, nav.dashboard), role: Role::Viewer },
    NavItem { path: "/orders", label: |l| td_string!(l, nav.orders), role: Role::Viewer },
    NavItem { path: "/orders/new/stars", label: |l| td_string!(l, nav.new_stars), role: Role::Operator },
    NavItem { path: "/orders/new/premium", label: |l| td_string!(l, nav.new_premium), role: Role::Operator },
    NavItem { path: "/lookup", label: |l| td_string!(l, nav.lookup), role: Role::Viewer },
    NavItem { path: "/recipients", label: |l| td_string!(l, nav.bulk), role: Role::Viewer },
    NavItem { path: "/balance", label: |l| td_string!(l, nav.balance), role: Role::Viewer },
    NavItem { path: "/pricing", label: |l| td_string!(l, nav.pricing), role: Role::Viewer },
    NavItem { path: "/audit", label: |l| td_string!(l, nav.audit), role: Role::Admin },
    NavItem { path: "/users", label: |l| td_string!(l, nav.users), role: Role::Admin },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nav_paths_are_unique_and_creating_needs_an_operator() {
        let mut paths: Vec<_> = NAV.iter().map(|n| n.path).collect();
        paths.sort_unstable();
        paths.dedup();
        assert_eq!(paths.len(), NAV.len());
        assert!(NAV.iter().filter(|n| n.path.contains("/new/")).all(|n| n.role == Role::Operator));
    }
}
