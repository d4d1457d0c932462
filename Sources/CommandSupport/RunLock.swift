import Foundation

/// One run at a time: an exclusive `flock` on a lock file beside the store.
///
/// The kernel drops the lock when the holder exits, however it dies, so a lock left
/// by a killed run never blocks the next one.
public final class RunLock {
    public let path: String
    private let descriptor: Int32

    /// Takes the lock at once or throws `lockHeld` (exit 4); never waits.
    public init(path: String) throws {
        self.path = path
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw CommandFailure(.failure, "cannot open lock file \(path): \(String(cString: strerror(errno)))")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let holder = Self.holder(of: descriptor)
            close(descriptor)
            throw CommandFailure(
                .lockHeld,
                "another run holds \(path)\(holder.map { " (process \($0))" } ?? ""); try again when it has finished")
        }
        ftruncate(descriptor, 0)
        let pid = "\(getpid())\n"
        _ = pid.withCString { write(descriptor, $0, strlen($0)) }
        self.descriptor = descriptor
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }

    private static func holder(of descriptor: Int32) -> String? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = pread(descriptor, &buffer, buffer.count, 0)
        guard count > 0 else { return nil }
        let text = String(decoding: buffer[..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }
}
