/// Splits an RFC 4180 file into records, streaming: quoted fields with commas, quotes
/// and line breaks; CRLF or LF; a UTF-8 byte-order mark skipped. Never holds more than
/// one chunk and one record in memory, and never more than `maxFieldBytes` of a field.
final class CSVTokenizer {
    struct Record {
        var fields: [String] = []
        /// The line the record starts on.
        var line: Int
        /// Problems by field index (0-based).
        var problems: [(field: Int, message: String)] = []
    }

    static let maxFieldBytes = 4_096
    static let maxFields = 256
    static let chunkSize = 1 << 20

    private let input: FileInput
    private var chunk = [UInt8](repeating: 0, count: CSVTokenizer.chunkSize)
    private var position = 0
    private var count = 0
    /// The file offset of `chunk[0]`.
    private var chunkOffset: Int64 = 0
    private var line = 1
    private var finished = false
    private var started = false
    /// The current field's bytes, where each stretch of them began in the file (for
    /// byte offsets in messages), and what was wrong with it.
    private var scratch = [UInt8]()
    private var segments: [(scratchIndex: Int, fileOffset: Int64)] = []
    private var fieldOverflow = false
    private var fieldNulOffset: Int64?

    /// Set when the file cannot be read as CSV at all (UTF-16, an unterminated quote).
    private(set) var fileProblem: (line: Int, message: String)?

    init(input: FileInput) {
        self.input = input
        scratch.reserveCapacity(Self.maxFieldBytes)
    }

    private var offset: Int64 { chunkOffset + Int64(position) }

    /// Makes `chunk[position]` valid; false at the end of the file.
    private func fill() throws(ImportError) -> Bool {
        if position < count { return true }
        guard !finished else { return false }
        chunkOffset += Int64(count)
        position = 0
        let input = input
        count = try chunk.withUnsafeMutableBytes { buffer in Result { () throws(ImportError) in try input.read(into: buffer) } }.get()
        if count == 0 { finished = true }
        return count > 0
    }

    private func skipByteOrderMark() throws(ImportError) {
        started = true
        guard try fill() else { return }
        // A BOM's bytes all arrive in the first read of a regular file.
        if count >= 3, chunk[0] == 0xEF, chunk[1] == 0xBB, chunk[2] == 0xBF {
            position = 3
        } else if count >= 2, (chunk[0] == 0xFF && chunk[1] == 0xFE) || (chunk[0] == 0xFE && chunk[1] == 0xFF) {
            fileProblem = (1, "the file is UTF-16; save it as UTF-8")
            finished = true
            count = 0
        }
    }

    /// The next record, or nil at the end of the file. Blank lines are skipped.
    func next() throws(ImportError) -> Record? {
        if !started { try skipByteOrderMark() }
        while true {
            guard fileProblem == nil, try fill() else { return nil }
            var record = Record(line: line)
            let isBlank = try readRecord(into: &record)
            if !isBlank { return record }
        }
    }

    /// Reads fields up to the end of the record; true when the line was blank.
    private func readRecord(into record: inout Record) throws(ImportError) -> Bool {
        var sawQuote = false
        while true {
            let fieldIndex = record.fields.count
            scratch.removeAll(keepingCapacity: true)
            segments.removeAll(keepingCapacity: true)
            fieldOverflow = false
            fieldNulOffset = nil

            if try fill(), chunk[position] == UInt8(ascii: "\"") {
                sawQuote = true
                let quoteLine = line
                position += 1
                quoted: while true {
                    guard try fill() else {
                        fileProblem = (quoteLine, "unterminated quoted field: the quote opened on line \(quoteLine) never closes")
                        break quoted
                    }
                    let start = position
                    while position < count {
                        let byte = chunk[position]
                        if byte == UInt8(ascii: "\"") { break }
                        if byte == UInt8(ascii: "\n") { line += 1 }
                        if byte == 0 {
                            noteNul()
                            append(start, position)
                            position += 1
                            continue quoted
                        }
                        position += 1
                    }
                    append(start, position)
                    guard position < count else { continue }
                    position += 1  // the quote
                    guard try fill() else { break quoted }
                    if chunk[position] == UInt8(ascii: "\"") {
                        append(position, position + 1)
                        position += 1
                        continue
                    }
                    break quoted
                }
                // After the closing quote only a separator may follow.
                var strayText = false
                while try fill() {
                    let byte = chunk[position]
                    if byte == UInt8(ascii: ",") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") { break }
                    strayText = true
                    position += 1
                }
                if strayText { record.problems.append((fieldIndex, "text after the closing quote; quote the whole field")) }
            } else {
                scan: while try fill() {
                    let start = position
                    while position < count {
                        let byte = chunk[position]
                        if byte == UInt8(ascii: ",") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") {
                            append(start, position)
                            break scan
                        }
                        if byte == 0 {
                            noteNul()
                            append(start, position)
                            position += 1
                            continue scan
                        }
                        position += 1
                    }
                    append(start, position)
                }
            }

            if fieldOverflow {
                record.problems.append((fieldIndex, "longer than \(Self.maxFieldBytes) bytes"))
                scratch.removeAll(keepingCapacity: true)
            }
            if let fieldNulOffset {
                record.problems.append((fieldIndex, "NUL byte at byte offset \(fieldNulOffset)"))
            }
            if let text = Self.string(scratch) {
                if record.fields.count < Self.maxFields { record.fields.append(text) }
            } else {
                record.problems.append((fieldIndex, "invalid UTF-8 at byte offset \(fileOffset(ofScratchIndex: firstInvalidUTF8Offset(scratch)))"))
                record.fields.append("")
            }
            if record.fields.count == Self.maxFields {
                record.problems.append((fieldIndex, "more than \(Self.maxFields) fields"))
            }

            // The separator after the field.
            guard try fill() else { break }
            let separator = chunk[position]
            position += 1
            if separator == UInt8(ascii: ",") { continue }
            if separator == UInt8(ascii: "\r"), try fill(), chunk[position] == UInt8(ascii: "\n") { position += 1 }
            line += 1
            break
        }
        return !sawQuote && record.fields.count == 1 && record.fields[0].isEmpty && record.problems.isEmpty
    }

    /// Keeps `chunk[start..<end]` as part of the current field, up to the size limit.
    private func append(_ start: Int, _ end: Int) {
        guard end > start, !fieldOverflow else { return }
        guard scratch.count + (end - start) <= Self.maxFieldBytes else {
            fieldOverflow = true
            return
        }
        segments.append((scratch.count, chunkOffset + Int64(start)))
        scratch.append(contentsOf: chunk[start..<end])
    }

    private func noteNul() {
        if fieldNulOffset == nil { fieldNulOffset = offset }
    }

    private func fileOffset(ofScratchIndex index: Int) -> Int64 {
        guard let segment = segments.last(where: { $0.scratchIndex <= index }) else { return offset }
        return segment.fileOffset + Int64(index - segment.scratchIndex)
    }
}

extension CSVTokenizer {
    /// The bytes as a string, or nil if they are not UTF-8. Plain ASCII, most fields,
    /// skips the general validator.
    static func string(_ bytes: [UInt8]) -> String? {
        if bytes.allSatisfy({ $0 < 0x80 }) { return String(decoding: bytes, as: UTF8.self) }
        return String(validating: bytes, as: UTF8.self)
    }
}

/// The index of the first byte that is not part of valid UTF-8.
func firstInvalidUTF8Offset(_ bytes: [UInt8]) -> Int {
    var index = 0
    while index < bytes.count {
        let byte = bytes[index]
        let length: Int
        switch byte {
        case 0x00...0x7F: length = 1
        case 0xC2...0xDF: length = 2
        case 0xE0...0xEF: length = 3
        case 0xF0...0xF4: length = 4
        default: return index
        }
        guard index + length <= bytes.count else { return index }
        let prefix = Array(bytes[index..<index + length])
        guard String(validating: prefix, as: UTF8.self) != nil else { return index }
        index += length
    }
    return bytes.count
}
