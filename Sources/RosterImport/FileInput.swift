import Crypto
import Foundation

/// A file read in large chunks, hashed (SHA-256) and counted as it goes, so an import
/// reads each file exactly once.
final class FileInput {
    let path: String
    let size: Int64
    private let descriptor: Int32
    private var hasher = SHA256()
    private(set) var bytesRead: Int64 = 0

    init(path: String) throws(ImportError) {
        self.path = path
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .cannotRead(path: path, reason: String(cString: strerror(errno))) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else {
            close(descriptor)
            throw .cannotRead(path: path, reason: "not a regular file")
        }
        self.descriptor = descriptor
        self.size = Int64(status.st_size)
    }

    deinit { close(descriptor) }

    /// Fills as much of `buffer` as one read gives; 0 at the end of the file.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(ImportError) -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        while true {
            let count = Foundation.read(descriptor, base, buffer.count)
            if count >= 0 {
                hasher.update(bufferPointer: UnsafeRawBufferPointer(start: base, count: count))
                bytesRead += Int64(count)
                return count
            }
            if errno != EINTR { throw .cannotRead(path: path, reason: String(cString: strerror(errno))) }
        }
    }

    /// The SHA-256 of everything read, as lowercase hex.
    func digest() -> String {
        hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }
}
