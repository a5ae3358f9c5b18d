//! Random tokens (sessions, CSRF, link nonces, instance ids), and the digest the store
//! keeps instead of a token.

use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// 32 random bytes, URL-safe base64.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The SHA-256 of a token in lower-case hex, what the store keeps instead of the token;
/// made without allocating, since every request makes one.
pub struct TokenHash([u8; 64]);

impl TokenHash {
    pub fn of(token: &str) -> Self {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut hex = [0u8; 64];
        for (pair, byte) in hex.chunks_exact_mut(2).zip(Sha256::digest(token.as_bytes())) {
            pair[0] = DIGITS[usize::from(byte >> 4)];
            pair[1] = DIGITS[usize::from(byte & 0x0f)];
        }
        TokenHash(hex)
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

pub fn hash_token(token: &str) -> String {
    TokenHash::of(token).as_str().to_owned()
}
