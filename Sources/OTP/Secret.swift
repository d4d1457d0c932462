import Crypto

/// Bytes from a cryptographically secure generator (BoringSSL's, seeded by the kernel),
/// many at once: asking `SystemRandomNumberGenerator` byte by byte costs a system call
/// each, which would dominate bulk enrolment.
public enum SecureRandom {
    public static func bytes(_ count: Int) -> [UInt8] {
        guard count > 0 else { return [] }
        return SymmetricKey(size: SymmetricKeySize(bitCount: count * 8)).withUnsafeBytes { Array($0) }
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
