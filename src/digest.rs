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

    use sha2::{Digest, Sha256};

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

        /// The stamp of an open file, which its path may no longer name.
        pub fn of_file(file: &File) -> Option<Stamp> {
            Stamp::of(&file.metadata().ok()?)
        }

        /// The size, seconds and nanoseconds of the modification time, little-endian; none
        /// for a time before 1970.
        fn bytes(&self) -> Option<[u8; STAMP]> {
            let since = self.modified.duration_since(UNIX_EPOCH).ok()?;
            let mut bytes = [0; STAMP];
            bytes[..8].copy_from_slice(&self.len.to_le_bytes());
            bytes[8..16].copy_from_slice(&since.as_secs().to_le_bytes());
            bytes[16..].copy_from_slice(&since.subsec_nanos().to_le_bytes());
            Some(bytes)
        }

        /// The digest, then the stamp.
        fn value(&self, digest: &[u8; 32]) -> Option<[u8; LEN]> {
            let mut value = [0; LEN];
            value[..32].copy_from_slice(digest);
            value[32..].copy_from_slice(&self.bytes()?);
            Some(value)
        }

        /// Whether the file may be recorded now: last modified at least [`SETTLED`] ago.
        fn settled(&self) -> bool {
            SystemTime::now().duration_since(self.modified).is_ok_and(|age| age >= SETTLED)
        }
    }

    const STAMP: usize = 8 + 8 + 4;
    const LEN: usize = 32 + STAMP;

    /// The digest recorded on the regular file at `path`, if the record was made when the
    /// file had the size and modification time it has now, `stamp`.
    pub fn read(path: &Path, stamp: &Stamp) -> Option<[u8; 32]> {
        let mut value = [0; LEN];
        if imp::read(Of::Path(path), imp::DIGEST, &mut value)? != LEN {
            return None;
        }
        let digest: [u8; 32] = value[..32].try_into().ok()?;
        (stamp.value(&digest)? == value).then_some(digest)
    }

    /// Records `digest` on `file`, whose size and time `stamp` were read before its bytes
    /// were; nothing is recorded for a file modified too lately, or where the file system
    /// keeps no such attributes. The record is only a shortcut, so failing to make it is no
    /// error.
    pub fn make(file: &File, digest: &[u8; 32], stamp: &Stamp) {
        if let Some(value) = stamp.value(digest).filter(|_| stamp.settled()) {
            imp::write(file, imp::DIGEST, &value);
        }
    }

    /// Where an attribute is read from: a path, whose link is not followed, or an open file.
    enum Of<'a> {
        Path(&'a Path),
        File(&'a File),
    }

    /// The bytes between two marks a stream takes (see [`Prefixes`]).
    pub const MARK: usize = 1 << MARK_SHIFT;
    const MARK_SHIFT: u32 = 20;

    /// The most marks a record holds: with its stamp and digest, a value that fits in the one
    /// 4 KiB block ext4 gives a file's attributes.
    const MAX_MARKS: usize = 224;

    /// The widest spacing of marks recorded, which is what a stream compared with them may
    /// hold in memory at once: a longer file (over 1.75 GiB) gets no record.
    const MAX_SHIFT: u32 = 23;

    /// A truncated digest of the bytes a hash has taken so far: 128 bits tell a changed
    /// prefix from the same one as surely as any comparison needs, and twice as many fit in
    /// a record.
    pub fn mark(hash: &Sha256) -> [u8; 16] {
        let digest: [u8; 32] = hash.clone().finalize().into();
        digest[..16].try_into().expect("16 of 32 bytes")
    }

    /// The digests of a file's prefixes and of the whole, recorded on a file written as a
    /// stream (attribute `user.accord.prefixes`): the next build compares the stream that
    /// makes the file again with them every few MiB, and keeps only the bytes since the last
    /// prefix found the same, instead of reading the old copy back. Where a prefix differs,
    /// the old copy's bytes up to the one before are the new file's first bytes.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct Prefixes {
        /// log2 of the bytes between two marks.
        shift: u32,
        whole: [u8; 32],
        /// `marks[k]`: the [`mark`] of the file's first `(k + 1) << shift` bytes, for every
        /// such prefix the file has.
        marks: Vec<[u8; 16]>,
    }

    impl Prefixes {
        /// The record of a file of `len` bytes whose digest is `whole`, from the marks a
        /// stream took of it every [`MARK`] bytes; none for a file too long to record.
        pub fn of(marks: &[[u8; 16]], len: u64, whole: [u8; 32]) -> Option<Prefixes> {
            let shift = (MARK_SHIFT..=MAX_SHIFT).find(|s| (len >> s) as usize <= MAX_MARKS)?;
            let step = 1 << (shift - MARK_SHIFT);
            let marks: Vec<[u8; 16]> = marks.iter().skip(step - 1).step_by(step).copied().collect();
            (marks.len() as u64 == len >> shift).then_some(Prefixes { shift, whole, marks })
        }

        /// The bytes between two recorded marks.
        pub fn spacing(&self) -> usize {
            1 << self.shift
        }

        /// Whether the first `len` bytes of a stream, a multiple of [`Prefixes::spacing`]
        /// whose [`mark`] is `mark`, are the file's first bytes.
        pub fn begins_with(&self, len: usize, mark: &[u8; 16]) -> bool {
            (len >> self.shift).checked_sub(1).and_then(|k| self.marks.get(k)) == Some(mark)
        }

        pub fn whole(&self) -> &[u8; 32] {
            &self.whole
        }

        /// The stamp, the spacing, the digest, then the marks.
        fn value(&self, stamp: &Stamp) -> Option<Vec<u8>> {
            let mut value = stamp.bytes()?.to_vec();
            value.push(self.shift as u8);
            value.extend_from_slice(&self.whole);
            self.marks.iter().for_each(|m| value.extend_from_slice(m));
            Some(value)
        }

        /// The record read back from `value` if it was made when the file had `stamp`.
        fn parse(value: &[u8], stamp: &Stamp) -> Option<Prefixes> {
            let (head, marks) = value.split_at_checked(STAMP + 1 + 32)?;
            if head[..STAMP] != stamp.bytes()? || marks.len() % 16 != 0 {
                return None;
            }
            let shift = u32::from(head[STAMP]);
            let whole = head[STAMP + 1..].try_into().ok()?;
            let marks: Vec<[u8; 16]> = marks.chunks_exact(16).map(|m| m.try_into().expect("16 bytes")).collect();
            let fits = (MARK_SHIFT..=MAX_SHIFT).contains(&shift) && marks.len() as u64 == stamp.len >> shift;
            fits.then_some(Prefixes { shift, whole, marks })
        }
    }

    /// The prefixes recorded on the open file `file`, if the record was made when the file
    /// had the size and modification time it has now, `stamp`.
    pub fn read_prefixes(file: &File, stamp: &Stamp) -> Option<Prefixes> {
        let mut value = vec![0; STAMP + 1 + 32 + 16 * MAX_MARKS];
        let n = imp::read(Of::File(file), imp::PREFIXES, &mut value)?;
        Prefixes::parse(&value[..n], stamp)
    }

    /// Records `prefixes` on `file`, as [`make`] records a digest.
    pub fn make_prefixes(file: &File, prefixes: &Prefixes, stamp: &Stamp) {
        if let Some(value) = prefixes.value(stamp).filter(|_| stamp.settled()) {
            imp::write(file, imp::PREFIXES, &value);
        }
    }

    #[cfg(target_os = "linux")]
    mod imp {
        use std::ffi::{CStr, CString};
        use std::fs::File;
        use std::os::fd::AsRawFd;
        use std::os::unix::ffi::OsStrExt;

        use super::Of;

        pub const DIGEST: &CStr = c"user.accord.sha256";
        pub const PREFIXES: &CStr = c"user.accord.prefixes";

        /// The attribute `name` read into `value`, and its length; none when it is missing
        /// or longer than `value`.
        pub fn read(of: Of, name: &CStr, value: &mut [u8]) -> Option<usize> {
            let (ptr, len) = (value.as_mut_ptr().cast(), value.len());
            // SAFETY: the name and path are NUL-terminated and the buffer holds `len` bytes,
            // all of which outlive the call; the descriptor is open.
            let n = match of {
                // `l`: a link is not followed (the caller found a regular file there).
                Of::Path(path) => {
                    let path = CString::new(path.as_os_str().as_bytes()).ok()?;
                    unsafe { libc::lgetxattr(path.as_ptr(), name.as_ptr(), ptr, len) }
                }
                Of::File(file) => unsafe { libc::fgetxattr(file.as_raw_fd(), name.as_ptr(), ptr, len) },
            };
            usize::try_from(n).ok()
        }

        pub fn write(file: &File, name: &CStr, value: &[u8]) {
            // SAFETY: the descriptor is open, the name NUL-terminated and the value `len`
            // bytes, for the duration of the call. A failure leaves no record, which is allowed.
            unsafe { libc::fsetxattr(file.as_raw_fd(), name.as_ptr(), value.as_ptr().cast(), value.len(), 0) };
        }
    }

    /// Elsewhere nothing is recorded, and every old copy is read back.
    #[cfg(not(target_os = "linux"))]
    mod imp {
        use std::ffi::CStr;
        use std::fs::File;

        use super::Of;

        pub const DIGEST: &CStr = c"";
        pub const PREFIXES: &CStr = c"";

        pub fn read(_: Of, _: &CStr, _: &mut [u8]) -> Option<usize> {
            None
        }

        pub fn write(_: &File, _: &CStr, _: &[u8]) {}
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
        fn prefixes_are_recorded_at_a_spacing_that_keeps_the_record_small() {
            let marks: Vec<[u8; 16]> = (0..1000u16).map(|k| [k as u8; 16]).collect();
            let len = |n: usize| (n * MARK + 7) as u64;
            let small = Prefixes::of(&marks[..3], len(3), [1; 32]).unwrap();
            assert_eq!((small.spacing(), small.marks.len()), (MARK, 3));
            assert!(small.begins_with(2 * MARK, &marks[1]) && !small.begins_with(2 * MARK, &marks[0]));
            assert!(!small.begins_with(4 * MARK, &marks[3]), "past the file's marks");
            // Every fourth mark of a file four times too long for one each.
            let large = Prefixes::of(&marks[..4 * MAX_MARKS], len(4 * MAX_MARKS), [1; 32]).unwrap();
            assert_eq!((large.spacing(), large.marks.len()), (4 * MARK, MAX_MARKS));
            assert!(large.begins_with(8 * MARK, &marks[7]));
            assert_eq!(Prefixes::of(&marks, len(1000), [1; 32]).map(|p| p.spacing()), Some(8 * MARK));
            assert_eq!(Prefixes::of(&[], (MAX_MARKS as u64 + 1) << MAX_SHIFT, [1; 32]), None, "too long");
            assert_eq!(Prefixes::of(&marks[..2], len(3), [1; 32]), None, "a mark missing");
        }

        #[test]
        fn a_record_of_prefixes_holds_while_the_file_keeps_its_size_and_time() {
            let dir = tempfile::tempdir().unwrap();
            let bytes = vec![5; 2 * MARK + 3];
            let (path, file) = settled_file(dir.path(), &bytes);
            let prefixes = Prefixes::of(&[[1; 16], [2; 16]], bytes.len() as u64, [3; 32]).unwrap();
            make_prefixes(&file, &prefixes, &stamp(&path));
            assert_eq!(read_prefixes(&file, &stamp(&path)), Some(prefixes.clone()));
            file.set_modified(SystemTime::now() - 3 * SETTLED).unwrap();
            assert_eq!(read_prefixes(&file, &stamp(&path)), None);
            // A record that claims more marks than its file has prefixes is not read.
            let other = Prefixes::of(&[[1; 16]; 3], 3 * MARK as u64, [3; 32]).unwrap();
            make_prefixes(&file, &other, &stamp(&path));
            assert_eq!(read_prefixes(&file, &stamp(&path)), None);
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
