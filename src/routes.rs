//! The console's navigation: each page, its label and who sees its link.

use openmoney_api::console::Role;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NavItem {
    pub path: &'static str,
    pub label: &'static str,
    /// The least role that sees the link.
    pub role: Role,
}

/// The links of the top bar, in order.
pub const NAV: [NavItem; 10] = [
    NavItem { path: "/", label: "Dashboard", role: Role::Viewer },
    NavItem { path: "/orders", label: "Orders", role: Role::Viewer },
    NavItem { path: "/orders/new/stars", label: "New Stars", role: Role::Operator },
    NavItem { path: "/orders/new/premium", label: "New Premium", role: Role::Operator },
    NavItem { path: "/lookup", label: "Lookup", role: Role::Viewer },
    NavItem { path: "/recipients", label: "Bulk check", role: Role::Viewer },
    NavItem { path: "/balance", label: "Balance", role: Role::Viewer },
    NavItem { path: "/pricing", label: "Pricing", role: Role::Viewer },
    NavItem { path: "/audit", label: "Audit", role: Role::Admin },
    NavItem { path: "/users", label: "Users", role: Role::Admin },
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
