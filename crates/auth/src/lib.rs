//! What the store keeps instead of secrets: password hashes and token hashes.
//!
//! - Passwords are hashed with argon2id and the parameters OWASP recommends (19 MiB, 2 passes,
//!   1 lane: the `argon2` crate's defaults), as a PHC string that names its own algorithm,
//!   parameters and salt, so that stronger parameters later still verify older hashes.
//! - A session token is 256 random bits, URL-safe; the store keys the session by the token's
//!   SHA-256 only, so a copy of the database opens no session. A token has the entropy of a key,
//!   hence a fast hash suffices: no salt, no stretching.
//! - A login for an unknown e-mail calls [`dummy_verify`], which costs what a wrong password
//!   costs: the answer's timing does not tell which e-mails have accounts.

use argon2::password_hash::phc::PasswordHash;
use argon2::{Algorithm, Argon2, Params, PasswordHasher, PasswordVerifier};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use domain::Password;
use sha2::{Digest, Sha256};

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("hashing the password failed: {0}")]
    Hash(String),
}

/// The PHC string of a password no one knows, hashed with the default parameters: what
/// [`dummy_verify`] checks against. A test makes sure its parameters stay the defaults.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$\
    mO9U7Q8ZkcqQbOKd4HZ0YQ$QdC+8GdSEN59/Mr6ZEl4XDrxz8aBFrRnrwwA82nfAoA";

/// How many random bytes a token has: 256 bits.
const TOKEN_BYTES: usize = 32;

/// The argon2id hash of `password`, with a fresh random salt, as a PHC string
/// (`$argon2id$v=19$m=19456,t=2,p=1$…`).
pub fn hash_password(password: &Password) -> Result<String, AuthError> {
    Argon2::default()
        .hash_password(password.expose().as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|e| AuthError::Hash(e.to_string()))
}

/// Whether `password` is the one `hash` (a PHC string) was made from. Takes the password as
/// typed, not a [`Password`]: a login with a too-short password is simply wrong, and costs the
/// same time. A hash that does not parse verifies nothing.
pub fn verify_password(password: &str, hash: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok()
}

/// Verifies `password` against a hash no password matches, for a login whose e-mail has no
/// account: the answer then takes as long as for a wrong password. Always false.
pub fn dummy_verify(password: &str) -> bool {
    verify_password(password, DUMMY_HASH)
}

/// Whether `hash` was made with other parameters (or another algorithm) than [`hash_password`]
/// uses today: after a successful login, hash the password again and store that.
pub fn needs_rehash(hash: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(hash) else {
        return true;
    };
    parsed.algorithm.as_str() != Algorithm::Argon2id.as_str()
        || Params::try_from(&parsed).map_or(true, |p| {
            let today = Params::default();
            (p.m_cost(), p.t_cost(), p.p_cost()) != (today.m_cost(), today.t_cost(), today.p_cost())
        })
}

/// A new session token: 256 random bits, base64url without padding (43 characters), fit for a
/// cookie or a URL as it is.
///
/// # Panics
/// When the operating system has no randomness to give, which leaves nothing safe to do.
pub fn new_token() -> String {
    let mut bytes = [0u8; TOKEN_BYTES];
    getrandom::fill(&mut bytes).expect("the operating system's random number generator");
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The SHA-256 of `token`, in lower-case hex (64 characters): the key the store keeps a
/// session under.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;
    use std::time::{Duration, Instant};

    use super::*;

    fn password(s: &str) -> Password {
        Password::parse(s).expect("a valid password")
    }

    #[test]
    fn a_hash_verifies_its_password_only() {
        let hash = hash_password(&password("correct horse battery")).unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("correct horse batterY", &hash));
        assert!(!verify_password("", &hash));
        assert!(!verify_password("correct horse battery", "not a hash"));
        assert!(!verify_password("correct horse battery", ""));
        assert!(!needs_rehash(&hash));
    }

    #[test]
    fn the_same_password_hashes_differently_each_time() {
        let p = password("correct horse battery");
        let (a, b) = (hash_password(&p).unwrap(), hash_password(&p).unwrap());
        assert_ne!(a, b, "a fresh salt each time");
        assert!(verify_password(p.expose(), &a) && verify_password(p.expose(), &b));
    }

    #[test]
    fn unicode_passwords_verify_byte_for_byte() {
        let hash = hash_password(&password("Déifferdeng fir ëmmer ✓")).unwrap();
        assert!(verify_password("Déifferdeng fir ëmmer ✓", &hash));
        // The same letters, decomposed: other bytes, another password.
        assert!(!verify_password("De\u{301}ifferdeng fir ëmmer ✓", &hash));
    }

    #[test]
    fn the_dummy_hash_has_todays_parameters_and_costs_as_much() {
        assert!(
            !needs_rehash(DUMMY_HASH),
            "DUMMY_HASH must use the parameters hash_password uses"
        );
        assert!(!dummy_verify("correct horse battery"));
        assert!(!dummy_verify(""));

        let hash = hash_password(&password("correct horse battery")).unwrap();
        let time = |f: &dyn Fn() -> bool| {
            let start = Instant::now();
            for _ in 0..3 {
                assert!(!f());
            }
            start.elapsed()
        };
        let wrong = time(&|| verify_password("wrong password!", &hash));
        let unknown = time(&|| dummy_verify("wrong password!"));
        // Both run argon2 with the same parameters; a parse failure would take microseconds.
        assert!(
            unknown > wrong / 4 && unknown < wrong * 4,
            "a wrong password took {wrong:?}, an unknown account {unknown:?}"
        );
        assert!(unknown > Duration::from_millis(3), "{unknown:?}");
    }

    #[test]
    fn weaker_or_other_hashes_need_a_rehash() {
        assert!(needs_rehash(
            "$argon2id$v=19$m=4096,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo"
        ));
        assert!(needs_rehash(
            "$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo"
        ));
        assert!(needs_rehash("$2b$12$something-bcrypt"));
        assert!(needs_rehash("garbage"));
    }

    #[test]
    fn tokens_are_256_random_bits_in_url_safe_text() {
        let tokens: HashSet<String> = (0..1000).map(|_| new_token()).collect();
        assert_eq!(tokens.len(), 1000);
        for t in &tokens {
            assert_eq!(t.len(), 43, "{t}");
            assert!(
                t.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
                "{t}"
            );
            assert_eq!(URL_SAFE_NO_PAD.decode(t).unwrap().len(), TOKEN_BYTES);
        }
    }

    #[test]
    fn token_hashes_are_sha256_hex() {
        // The SHA-256 of "abc" (FIPS 180-2, appendix B.1).
        assert_eq!(
            token_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let t = new_token();
        assert_eq!(token_hash(&t), token_hash(&t));
        assert_ne!(token_hash(&t), token_hash(&new_token()));
        assert_eq!(token_hash(&t).len(), 64);
    }
}
