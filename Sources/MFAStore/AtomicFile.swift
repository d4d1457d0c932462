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
        try write(to: path, mode: mode) { (output: inout Output) throws(Failure) in
            for region in data.regions { try output.append(contentsOf: region) }
        }
    }

    /// Writes what `produce` appends, a megabyte at a time, so a large file never has
    /// to be held in memory whole.
    public static func write(
        to path: String, mode: mode_t = 0o600, _ produce: (inout Output) throws(Failure) -> Void
    ) throws(Failure) {
        let temporary = temporaryName(for: path)
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw .cannotWrite(path: path, reason: String(cString: strerror(errno))) }
        // The umask may have narrowed the mode; set exactly what was asked.
        fchmod(descriptor, mode)
        var output = Output(descriptor: descriptor, path: path)
        do throws(Failure) {
            try produce(&output)
            try output.flush()
            if fsync(descriptor) != 0 { throw Failure.cannotWrite(path: path, reason: String(cString: strerror(errno))) }
            close(descriptor)
            if rename(temporary, path) != 0 { throw Failure.cannotWrite(path: path, reason: String(cString: strerror(errno))) }
        } catch {
            close(descriptor)
            unlink(temporary)
            throw error
        }
    }

    /// Gives the complete file `existing` a second name, `path`, replacing whatever was
    /// there in one step: the bytes are not written again.
    public static func link(_ existing: String, to path: String) throws(Failure) {
        let temporary = temporaryName(for: path)
        guard Foundation.link(existing, temporary) == 0 else { throw .cannotWrite(path: path, reason: String(cString: strerror(errno))) }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw .cannotWrite(path: path, reason: reason)
        }
    }

    private static func temporaryName(for path: String) -> String {
        "\(path).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    }

    /// Bytes on their way into an atomic file.
    public struct Output {
        fileprivate let descriptor: Int32
        fileprivate let path: String
        private var buffer: [UInt8] = []
        private static let flushSize = 1 << 20

        fileprivate init(descriptor: Int32, path: String) {
            self.descriptor = descriptor
            self.path = path
            buffer.reserveCapacity(Self.flushSize + 4096)
        }

        public mutating func append(_ text: String) throws(Failure) {
            try append(contentsOf: text.utf8)
        }

        public mutating func append(contentsOf bytes: some Collection<UInt8>) throws(Failure) {
            buffer.append(contentsOf: bytes)
            if buffer.count >= Self.flushSize { try flush() }
        }

        fileprivate mutating func flush() throws(Failure) {
            var failure: String?
            buffer.withUnsafeBytes { bytes in
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
            if let failure { throw .cannotWrite(path: path, reason: failure) }
            buffer.removeAll(keepingCapacity: true)
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
