//! Context: the signed-in staff member and the console's configuration.

use leptos::prelude::*;
use openmoney_api::console::{Role, SessionInfo};

#[derive(Clone, Copy)]
pub struct Session(pub RwSignal<Option<SessionInfo>>);

/// Whether the upstream is the sandbox (its controls are shown).
#[derive(Clone, Copy)]
pub struct SandboxMode(pub RwSignal<bool>);

pub fn provide_session() {
    provide_context(Session(RwSignal::new(None)));
    provide_context(SandboxMode(RwSignal::new(false)));
}

pub fn use_session() -> Session {
    expect_context::<Session>()
}

pub fn use_sandbox_mode() -> SandboxMode {
    expect_context::<SandboxMode>()
}

impl Session {
    pub fn set(&self, info: Option<SessionInfo>) {
        crate::api::set_csrf(info.as_ref().map(|i| i.csrf_token.clone()));
        self.0.set(info);
    }

    /// The signed-in member has at least `role`.
    pub fn can(&self, role: Role) -> bool {
        self.0.with(|s| s.as_ref().is_some_and(|s| s.role >= role))
    }
}

/// The sign-in page's address that comes back to `here`.
pub fn login_path(here: &str) -> String {
    let next = percent_encoding::utf8_percent_encode(here, percent_encoding::NON_ALPHANUMERIC);
    format!("/login?next={next}")
}

/// Where to go after sign-in: only a path of this console, never another site.
pub fn safe_next(next: Option<String>) -> String {
    next.filter(|n| n.starts_with('/') && !n.starts_with("//") && !n.starts_with("/\\") && !n.starts_with("/login"))
        .unwrap_or_else(|| "/".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_in_returns_only_to_our_own_pages() {
        assert_eq!(safe_next(Some("/orders/10421".into())), "/orders/10421");
        assert_eq!(safe_next(Some("//evil.example".into())), "/");
        assert_eq!(safe_next(Some("https://evil.example".into())), "/");
        assert_eq!(safe_next(Some("/login?next=/x".into())), "/");
        assert_eq!(safe_next(None), "/");
        assert_eq!(login_path("/orders/1?x=2"), "/login?next=%2Forders%2F1%3Fx%3D2");
    }
}
