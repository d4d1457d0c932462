import CSystemRandom
import Crypto
import Foundation

/// Bytes from the kernel's cryptographically secure generator (getrandom(2)).
///
/// Drawn 16 KiB at a time and handed out in slices, each zeroed in the pool as it goes:
/// a bulk enrolment needs random bytes four times per login (secret, codes, salts,
/// nonce), and swift-crypto's random keys make a system call per 8 bytes, a tenth of
/// its time. The tools never fork without exec, so no two processes share a pool.
public enum SecureRandom {
    private static let pool = Pool()
    private static let poolSize = 16 * 1024

    public static func bytes(_ count: Int) -> [UInt8] {
        guard count > 0 else { return [] }
        guard count <= poolSize / 4 else { return draw(count) }
        return pool.take(count)
    }

    private static func draw(_ count: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        let status = bytes.withUnsafeMutableBytes { mfa_system_random($0.baseAddress, $0.count) }
        // Only with a kernel older than 3.17 or a seccomp filter: nothing sensible to fall back to.
        precondition(status == 0, "the kernel's random generator is unavailable (errno \(errno))")
        return bytes
    }

    private final class Pool: @unchecked Sendable {
        private let lock = NSLock()
        private var bytes: [UInt8] = []
        private var used = 0

        func take(_ count: Int) -> [UInt8] {
            lock.withLock {
                if used + count > bytes.count {
                    bytes = SecureRandom.draw(SecureRandom.poolSize)
                    used = 0
                }
                defer {
                    bytes.withUnsafeMutableBufferPointer { buffer in
                        for index in used..<used + count { buffer[index] = 0 }
                    }
                    used += count
                }
                return Array(bytes[used..<used + count])
            }
        }
    }
}

/// Shared secrets for new enrolments.
public enum Secret {
    /// 160 bits: RFC 4226 §4 recommends it; NIST SP 800-63B asks for at least 112.
    public static let defaultByteCount = 20

    public static func random(byteCount: Int = defaultByteCount) -> [UInt8] {
        SecureRandom.bytes(byteCount)
    }
}
