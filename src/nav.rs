//! The console's navigation: each page, its label and who sees its link.

use openmoney_api::console::Role;

use crate::i18n::{key, Key};

#[derive(Debug, Clone, Copy)]
pub struct NavItem {
    pub path: &'static str,
    pub label: Key,
    /// The least role that sees the link.
    pub role: Role,
}

/// The links of the top bar, in order.
pub const NAV: [NavItem; 10] = [
    NavItem { path: "/", label: key!(nav.dashboard), role: Role::Viewer },
    NavItem { path: "/orders", label: key!(nav.orders), role: Role::Viewer },
    NavItem { path: "/orders/new/stars", label: key!(nav.new_stars), role: Role::Operator },
    NavItem { path: "/orders/new/premium", label: key!(nav.new_premium), role: Role::Operator },
    NavItem { path: "/lookup", label: key!(nav.lookup), role: Role::Viewer },
    NavItem { path: "/recipients", label: key!(nav.bulk), role: Role::Viewer },
    NavItem { path: "/balance", label: key!(nav.balance), role: Role::Viewer },
    NavItem { path: "/pricing", label: key!(nav.pricing), role: Role::Viewer },
    NavItem { path: "/audit", label: key!(nav.audit), role: Role::Admin },
    NavItem { path: "/users", label: key!(nav.users), role: Role::Admin },
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
