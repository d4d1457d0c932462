import Crypto
import Foundation

/// The store key: 32 random bytes in a file of mode 0600, never inside the database.
public enum KeyFile {
    public static let byteCount = 32

    /// Creates the key file; never replaces an existing one (O_EXCL).
    public static func create(at path: String) throws(StoreError) -> SymmetricKey {
        let key = SymmetricKey(size: .bits256)
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            if errno == EEXIST { throw .keyFileExists(path: path) }
            throw .keyFileUnreadable(path: path, reason: String(cString: strerror(errno)))
        }
        defer { close(descriptor) }
        // The umask cannot widen 0600, but an inherited ACL default could: set it explicitly.
        fchmod(descriptor, 0o600)
        let written = key.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == byteCount, fsync(descriptor) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(path)
            throw .keyFileUnreadable(path: path, reason: "could not write it: \(reason)")
        }
        return key
    }

    /// Reads the key, refusing a file that other users could read.
    public static func load(from path: String) throws(StoreError) -> SymmetricKey {
        var status = stat()
        guard stat(path, &status) == 0 else {
            if errno == ENOENT { throw .keyFileNotFound(path: path) }
            throw .keyFileUnreadable(path: path, reason: String(cString: strerror(errno)))
        }
        guard status.st_mode & 0o077 == 0 else {
            throw .keyFileTooOpen(path: path, mode: String(status.st_mode & 0o777, radix: 8))
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .keyFileUnreadable(path: path, reason: String(cString: strerror(errno)))
        }
        guard data.count == byteCount else { throw .keyFileWrongSize(path: path, bytes: data.count) }
        return SymmetricKey(data: data)
    }
}
