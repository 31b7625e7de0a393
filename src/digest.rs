//! SHA-256 in lower-case hex, as the release manifest lists files: the sources as ingest reads
//! them, the outputs as they are written, a slug when a build is sharded; and the digest a
//! build records on each file of its release for the next one ([`record`]).

use sha2::{Digest, Sha256};

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&sha256(bytes))
}

pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// Lower-case hex of a digest, without an allocation per byte.
pub fn hex(digest: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(2 * digest.len());
    for b in digest {
        out.push(HEX[usize::from(b >> 4)] as char);
        out.push(HEX[usize::from(b & 15)] as char);
    }
    out
}

/// The sha256 of a file's bytes, recorded on the file itself (extended attribute
/// `user.accord.sha256`) together with the size and modification time it had then. A build
/// that finds a file of the release it replaces trusts the record while the file still has
/// that size and time, and reads the bytes back only when it does not: most of a release
/// repeats the one before, and reading every old copy again cost more than writing the
/// record (and, on a machine that reclaims idle page cache, went back to the disk).
///
/// A record is made only for a file last modified at least [`SETTLED`] before, so that any
/// later write, stamped with a later time by any file system's clock granularity, makes it
/// stale (the "racy clean" case of git's index). A file edited and given back its old time
/// on purpose would pass for unchanged, as it would for `make` or git.
pub mod record {
    use std::fs::{File, Metadata};
    use std::path::Path;
    use std::time::{Duration, SystemTime, UNIX_EPOCH};

    pub const SETTLED: Duration = Duration::from_secs(2);

    /// What a record speaks for: the file's size and modification time.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct Stamp {
        len: u64,
        modified: SystemTime,
    }

    impl Stamp {
        pub fn of(meta: &Metadata) -> Option<Stamp> {
            Some(Stamp { len: meta.len(), modified: meta.modified().ok()? })
        }

        /// The digest, then the size, seconds and nanoseconds of the modification time,
        /// little-endian; none for a time before 1970.
        fn value(&self, digest: &[u8; 32]) -> Option<[u8; LEN]> {
            let since = self.modified.duration_since(UNIX_EPOCH).ok()?;
            let mut value = [0; LEN];
            value[..32].copy_from_slice(digest);
            value[32..40].copy_from_slice(&self.len.to_le_bytes());
            value[40..48].copy_from_slice(&since.as_secs().to_le_bytes());
            value[48..].copy_from_slice(&since.subsec_nanos().to_le_bytes());
            Some(value)
        }
    }

    const LEN: usize = 32 + 8 + 8 + 4;

    /// The digest recorded on the regular file at `path`, if the record was made when the
    /// file had the size and modification time it has now, `stamp`.
    pub fn read(path: &Path, stamp: &Stamp) -> Option<[u8; 32]> {
        let value = imp::read(path)?;
        let digest: [u8; 32] = value[..32].try_into().ok()?;
        (stamp.value(&digest)? == value).then_some(digest)
    }

    /// Records `digest` on `file`, whose size and time `stamp` were read before its bytes
    /// were; nothing is recorded for a file modified too lately, or where the file system
    /// keeps no such attributes. The record is only a shortcut, so failing to make it is no
    /// error.
    pub fn make(file: &File, digest: &[u8; 32], stamp: &Stamp) {
        let settled = SystemTime::now().duration_since(stamp.modified).is_ok_and(|age| age >= SETTLED);
        if let Some(value) = stamp.value(digest).filter(|_| settled) {
            imp::write(file, &value);
        }
    }

    #[cfg(target_os = "linux")]
    mod imp {
        use std::ffi::CString;
        use std::fs::File;
        use std::os::fd::AsRawFd;
        use std::os::unix::ffi::OsStrExt;
        use std::path::Path;

        use super::LEN;

        const NAME: &std::ffi::CStr = c"user.accord.sha256";

        pub fn read(path: &Path) -> Option<[u8; LEN]> {
            let path = CString::new(path.as_os_str().as_bytes()).ok()?;
            let mut value = [0; LEN];
            // `l`: a link is not followed (the caller found a regular file there).
            // SAFETY: the name and path are NUL-terminated and the buffer holds `LEN` bytes,
            // all of which outlive the call.
            let n = unsafe { libc::lgetxattr(path.as_ptr(), NAME.as_ptr(), value.as_mut_ptr().cast(), LEN) };
            (n == LEN as isize).then_some(value)
        }

        pub fn write(file: &File, value: &[u8; LEN]) {
            // SAFETY: the descriptor is open, the name NUL-terminated and the value `LEN`
            // bytes, for the duration of the call. A failure leaves no record, which is allowed.
            unsafe { libc::fsetxattr(file.as_raw_fd(), NAME.as_ptr(), value.as_ptr().cast(), LEN, 0) };
        }
    }

    /// Elsewhere nothing is recorded, and every old copy is read back.
    #[cfg(not(target_os = "linux"))]
    mod imp {
        use std::fs::File;
        use std::path::Path;

        use super::LEN;

        pub fn read(_: &Path) -> Option<[u8; LEN]> {
            None
        }

        pub fn write(_: &File, _: &[u8; LEN]) {}
    }

    #[cfg(all(test, target_os = "linux"))]
    mod tests {
        use super::*;
        use std::io::Write;

        fn settled_file(dir: &Path, bytes: &[u8]) -> (std::path::PathBuf, File) {
            let path = dir.join("f");
            let mut file = File::options().read(true).write(true).create(true).truncate(true).open(&path).unwrap();
            file.write_all(bytes).unwrap();
            file.set_modified(SystemTime::now() - 2 * SETTLED).unwrap();
            (path, file)
        }

        fn stamp(path: &Path) -> Stamp {
            Stamp::of(&std::fs::symlink_metadata(path).unwrap()).unwrap()
        }

        #[test]
        fn a_record_holds_while_the_file_keeps_its_size_and_time() {
            let dir = tempfile::tempdir().unwrap();
            let (path, file) = settled_file(dir.path(), b"release bytes");
            let digest = [7; 32];
            make(&file, &digest, &stamp(&path));
            assert_eq!(read(&path, &stamp(&path)), Some(digest));
            // Another time, or another size, and the record no longer speaks for the bytes.
            file.set_modified(SystemTime::now() - 3 * SETTLED).unwrap();
            assert_eq!(read(&path, &stamp(&path)), None);
            let before = stamp(&path);
            make(&file, &digest, &before);
            file.set_len(3).unwrap();
            file.set_modified(before.modified).unwrap();
            assert_eq!(read(&path, &stamp(&path)), None);
        }

        #[test]
        fn a_file_modified_lately_gets_no_record() {
            let dir = tempfile::tempdir().unwrap();
            let (path, file) = settled_file(dir.path(), b"release bytes");
            file.set_modified(SystemTime::now() - SETTLED / 2).unwrap();
            make(&file, &[7; 32], &stamp(&path));
            assert_eq!(read(&path, &stamp(&path)), None);
        }
    }
}
