//! Every route of the console, in one place: the router and the navigation both read it.

/// A page of the console with its path and the label of its navigation link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NavItem {
    pub path: &'static str,
    pub label: &'static str,
}

pub const DASHBOARD: &str = "/";
pub const ORDERS: &str = "/orders";
pub const NEW_STARS: &str = "/orders/new/stars";
pub const NEW_PREMIUM: &str = "/orders/new/premium";
pub const LOOKUP: &str = "/lookup";
pub const BALANCE: &str = "/balance";
pub const PRICING: &str = "/pricing";
pub const AUDIT: &str = "/audit";
pub const USERS: &str = "/users";

/// The links of the top bar, in order.
pub const NAV: [NavItem; 9] = [
    NavItem { path: DASHBOARD, label: "Dashboard" },
    NavItem { path: ORDERS, label: "Orders" },
    NavItem { path: NEW_STARS, label: "New Stars order" },
    NavItem { path: NEW_PREMIUM, label: "New Premium order" },
    NavItem { path: LOOKUP, label: "Lookup" },
    NavItem { path: BALANCE, label: "Balance" },
    NavItem { path: PRICING, label: "Pricing" },
    NavItem { path: AUDIT, label: "Audit" },
    NavItem { path: USERS, label: "Users" },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nav_paths_are_unique_and_absolute() {
        let mut paths: Vec<_> = NAV.iter().map(|n| n.path).collect();
        assert!(paths.iter().all(|p| p.starts_with('/')));
        paths.sort_unstable();
        paths.dedup();
        assert_eq!(paths.len(), NAV.len());
    }
}
