import Foundation

/// Writes files so that a reader sees either the old file or the whole new one: the
/// bytes go to a temporary name beside the target, are flushed, and are renamed into
/// place.
public enum AtomicFile {
    public enum Failure: Error, LocalizedError, Equatable {
        case cannotWrite(path: String, reason: String)
        public var errorDescription: String? {
            switch self {
            case let .cannotWrite(path, reason): "cannot write \(path): \(reason)"
            }
        }
    }

    public static func write(_ data: some DataProtocol, to path: String, mode: mode_t = 0o600) throws(Failure) {
        let temporary = "\(path).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw .cannotWrite(path: path, reason: String(cString: strerror(errno))) }
        var failure: String?
        // The umask may have narrowed the mode; set exactly what was asked.
        fchmod(descriptor, mode)
        for region in data.regions where failure == nil {
            region.withUnsafeBytes { bytes in
                var offset = 0
                while offset < bytes.count {
                    let written = Foundation.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                    if written < 0 {
                        if errno == EINTR { continue }
                        failure = String(cString: strerror(errno))
                        return
                    }
                    offset += written
                }
            }
        }
        if failure == nil, fsync(descriptor) != 0 { failure = String(cString: strerror(errno)) }
        close(descriptor)
        if failure == nil, rename(temporary, path) != 0 { failure = String(cString: strerror(errno)) }
        if let failure {
            unlink(temporary)
            throw .cannotWrite(path: path, reason: failure)
        }
    }

    /// Creates `path` and any missing parents with `mode`, and sets `mode` on `path`
    /// even when it already existed.
    public static func makeDirectory(_ path: String, mode: mode_t = 0o700) throws(Failure) {
        do {
            try FileManager.default.createDirectory(
                atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: Int(mode)])
        } catch {
            throw .cannotWrite(path: path, reason: error.localizedDescription)
        }
        guard chmod(path, mode) == 0 else { throw .cannotWrite(path: path, reason: String(cString: strerror(errno))) }
    }
}
