//! The collaborator's Ed25519 signing key.
//!
//! The secret key lives in the user's own data directory (`<data dir>/keys/<profile id>.key`,
//! folder 0700, file 0600), never beside the database: on a shared server the database's
//! folder belongs to a group, and a key there could be used by anyone in it. `CTV_KEYS_DIR`
//! overrides the folder (tests, portable installs).

use std::io::Write;
use std::path::{Path, PathBuf};

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

use super::BundleError;

const HEADER: &str = "ctv-ed25519-secret-v1";

/// A loaded signing key and where it came from.
pub struct SigningKeyFile {
    key: SigningKey,
    pub path: PathBuf,
}

impl std::fmt::Debug for SigningKeyFile {
    // Never print the secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKeyFile")
            .field("path", &self.path)
            .field("fingerprint", &self.fingerprint())
            .finish()
    }
}

impl SigningKeyFile {
    /// A key that lives only in memory (tests, benches).
    pub fn ephemeral() -> SigningKeyFile {
        SigningKeyFile {
            key: SigningKey::generate(&mut rand::rngs::OsRng),
            path: PathBuf::new(),
        }
    }

    pub fn public_hex(&self) -> String {
        hex(self.key.verifying_key().as_bytes())
    }

    pub fn fingerprint(&self) -> String {
        fingerprint(self.key.verifying_key().as_bytes())
    }

    pub fn sign(&self, msg: &[u8]) -> [u8; 64] {
        self.key.sign(msg).to_bytes()
    }
}

/// Lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

pub fn unhex(s: &str) -> Option<Vec<u8>> {
    if s.len() % 2 != 0 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok())
        .collect()
}

/// The short, human-comparable form of a public key: the first 8 bytes of its SHA-256 in
/// four groups, e.g. `3f2a-91c0-7b1e-04d2`.
pub fn fingerprint(public_key: &[u8]) -> String {
    let d = Sha256::digest(public_key);
    d[..8].chunks(2).map(hex).collect::<Vec<_>>().join("-")
}

/// Parses a hex public key; None if it is not a valid Ed25519 point.
pub fn verifying_key(public_hex: &str) -> Option<VerifyingKey> {
    let bytes: [u8; 32] = unhex(public_hex)?.try_into().ok()?;
    VerifyingKey::from_bytes(&bytes).ok()
}

/// Checks `sig` over `msg` with `verify_strict` (refuses weak keys and malleable signatures).
pub fn verify(public_hex: &str, msg: &[u8], sig: &[u8]) -> bool {
    let Some(key) = verifying_key(public_hex) else {
        return false;
    };
    let Ok(sig) = <[u8; 64]>::try_from(sig) else {
        return false;
    };
    key.verify_strict(msg, &Signature::from_bytes(&sig)).is_ok()
}

/// Where keys are kept: `CTV_KEYS_DIR`, else `<platform data dir>/keys`.
pub fn key_dir() -> Option<PathBuf> {
    if let Some(d) = crate::env::var("CTV_KEYS_DIR") {
        return Some(PathBuf::from(d));
    }
    directories::ProjectDirs::from("vn", "khuyencong", "ctv").map(|d| d.data_dir().join("keys"))
}

/// The key file of a profile.
pub fn key_path(dir: &Path, profile_id: &str) -> PathBuf {
    // Profile ids are UUIDs we made; anything else is kept out of the path.
    let safe: String = profile_id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    dir.join(format!("{safe}.key"))
}

fn io_err(path: &Path, e: std::io::Error) -> BundleError {
    BundleError::Key {
        path: path.to_path_buf(),
        problem: e.to_string(),
    }
}

/// Loads the key at `path`. Refuses a file others may read.
pub fn load(path: &Path) -> Result<SigningKeyFile, BundleError> {
    // The key lives in the user's own folder: read with the user's rights (`crate::shared`).
    let _rights = crate::shared::UserRights::enter().map_err(|e| io_err(path, e))?;
    let meta = std::fs::metadata(path).map_err(|e| io_err(path, e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(BundleError::KeyPermissions {
                path: path.to_path_buf(),
                mode,
            });
        }
    }
    #[cfg(not(unix))]
    let _ = meta;
    let text = std::fs::read_to_string(path).map_err(|e| io_err(path, e))?;
    let mut lines = text.lines();
    let bad = || BundleError::Key {
        path: path.to_path_buf(),
        problem: "not a CTV key file".into(),
    };
    if lines.next() != Some(HEADER) {
        return Err(bad());
    }
    let secret: [u8; 32] = lines
        .next()
        .and_then(|l| unhex(l.trim()))
        .and_then(|v| v.try_into().ok())
        .ok_or_else(bad)?;
    Ok(SigningKeyFile {
        key: SigningKey::from_bytes(&secret),
        path: path.to_path_buf(),
    })
}

/// Creates a new key at `path` (folder 0700, file 0600). Refuses to replace an existing file.
pub fn create(path: &Path) -> Result<SigningKeyFile, BundleError> {
    let _rights = crate::shared::UserRights::enter().map_err(|e| io_err(path, e))?;
    if let Some(dir) = path.parent() {
        let mut b = std::fs::DirBuilder::new();
        b.recursive(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            b.mode(0o700);
        }
        b.create(dir).map_err(|e| io_err(dir, e))?;
        #[cfg(unix)]
        {
            // An existing folder keeps its mode with `recursive`; the keys folder is ours only.
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
                .map_err(|e| io_err(dir, e))?;
        }
    }
    let key = SigningKey::generate(&mut rand::rngs::OsRng);
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path).map_err(|e| io_err(path, e))?;
    let body = format!("{HEADER}\n{}\n", hex(key.as_bytes()));
    f.write_all(body.as_bytes())
        .and_then(|_| f.sync_all())
        .map_err(|e| io_err(path, e))?;
    Ok(SigningKeyFile {
        key,
        path: path.to_path_buf(),
    })
}
