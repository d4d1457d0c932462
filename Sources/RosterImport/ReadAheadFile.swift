import Foundation

/// A file read, and hashed, ahead of its consumer on a thread of its own, for a consumer
/// that takes it in pieces of any size: the XML parser asks for 4,000 bytes at a time, and
/// reading and hashing were 6 % of the parsing thread, the one an XML import waits for.
final class ReadAheadFile: @unchecked Sendable {
    private enum Piece: Sendable {
        case bytes([UInt8])
        case end
        case failed(ImportError)
    }

    private let input: FileInput
    private let pieces = Channel<Piece>(capacity: 8)
    private var reading: StageThread?
    private static let pieceSize = 256 * 1024

    // The consumer's side, used by one thread.
    private var current: [UInt8] = []
    private var offset = 0
    private var ended = false
    /// Bytes handed to the consumer so far.
    private(set) var bytesTaken: Int64 = 0
    /// Why reading failed, once `read` has returned -1 for it.
    private(set) var error: ImportError?

    init(input: FileInput) { self.input = input }

    /// Starts reading on a thread of its own; `stop` must follow.
    func start() {
        reading = StageThread { [self] in readAll() }
    }

    private func readAll() {
        while true {
            var failure: ImportError?
            let bytes = [UInt8](unsafeUninitializedCapacity: Self.pieceSize) { buffer, count in
                do throws(ImportError) {
                    count = try input.read(into: UnsafeMutableRawBufferPointer(buffer))
                } catch {
                    failure = error
                    count = 0
                }
            }
            if let failure {
                pieces.send(.failed(failure))
                return
            }
            guard !bytes.isEmpty else {
                pieces.send(.end)
                return
            }
            guard pieces.send(.bytes(bytes)) else { return }
        }
    }

    /// Fills as much of `buffer` as the next piece allows: 0 at the end of the file, -1
    /// when it could not be read (see `error`) or reading was stopped.
    func read(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        while offset == current.count {
            if ended { return 0 }
            switch pieces.receive() {
            case .bytes(let bytes)?:
                current = bytes
                offset = 0
            case .end?:
                ended = true
                return 0
            case .failed(let failure)?:
                error = failure
                return -1
            case nil:
                return -1
            }
        }
        let count = min(buffer.count, current.count - offset)
        current.withUnsafeBytes { bytes in
            buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + count]))
        }
        offset += count
        bytesTaken += Int64(count)
        return count
    }

    /// Stops reading, if it has not ended, and waits for the reading thread.
    func stop() {
        guard let reading else { return }
        self.reading = nil
        pieces.cancel()
        reading.join()
    }
}
