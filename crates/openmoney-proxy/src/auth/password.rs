//! Argon2id password hashes, computed off the async threads.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

use crate::error::{Error, Result};

use openmoney_api::console::PASSWORD_CHARS;

pub fn check_strength(password: &str) -> Result<()> {
    if !PASSWORD_CHARS.contains(&password.chars().count()) {
        let (min, max) = (PASSWORD_CHARS.start(), PASSWORD_CHARS.end());
        return Err(Error::Validation(format!("password must be {min} to {max} characters")));
    }
    Ok(())
}

/// A PHC string: `$argon2id$v=19$m=19456,t=2,p=1$…`.
pub async fn hash(password: String) -> Result<String> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string())
    })
    .await
    .map_err(Error::internal)?
    .map_err(Error::internal)
}

/// Checks a password against a stored hash. With no hash (no such user) it still does the
/// work of a check against a fixed hash, so timing does not tell which usernames exist.
pub async fn verify(password: String, stored: Option<String>) -> bool {
    const DECOY: &str =
        "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$2xlY1W4Cz2Ck9ZE+b1sVmZ4r2ycn5VPXfbN7p8rJw6E";
    let known = stored.is_some();
    let stored = stored.unwrap_or_else(|| DECOY.to_owned());
    let matched = tokio::task::spawn_blocking(move || {
        PasswordHash::new(&stored).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
    })
    .await
    .unwrap_or(false);
    known && matched
}

/// A random password for the first admin of a sandbox run.
pub fn generate() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::thread_rng();
    (0..20).map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_only_its_password() {
        let stored = hash("correct horse battery".into()).await.unwrap();
        assert!(stored.starts_with("$argon2id$"));
        assert!(verify("correct horse battery".into(), Some(stored.clone())).await);
        assert!(!verify("wrong horse battery".into(), Some(stored)).await);
        assert!(!verify("anything at all".into(), None).await);
    }

    #[test]
    fn short_passwords_are_refused() {
        assert!(check_strength("short").is_err());
        assert!(check_strength("long enough pass").is_ok());
        assert_eq!(generate().len(), 20);
    }
}
