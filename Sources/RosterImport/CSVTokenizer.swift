/// Splits an RFC 4180 file into records, streaming: quoted fields with commas, quotes
/// and line breaks; CRLF or LF; a UTF-8 byte-order mark skipped. Never holds more than
/// one chunk and one record in memory, and never more than `maxFieldBytes` of a field.
///
/// A record's fields are byte ranges in one reused buffer: a reader turns into strings
/// only the columns it uses, so a million rows cost no allocation per field.
struct CSVTokenizer {
    struct Record {
        /// Every field's bytes, one after another.
        fileprivate(set) var bytes: [UInt8] = []
        /// Each field's bytes within `bytes`; empty for a field that could not be kept
        /// (too long, invalid UTF-8), which `problems` then explains.
        fileprivate(set) var ranges: [Range<Int>] = []
        /// The line the record starts on.
        fileprivate(set) var line = 0
        /// Problems by field index (0-based).
        fileprivate(set) var problems: [(field: Int, message: String)] = []

        /// While reading: where each stretch of `bytes` began in the file (for byte
        /// offsets in messages about invalid UTF-8), and about the field being read.
        fileprivate var segments: [(recordIndex: Int, fileOffset: Int64)] = []
        fileprivate var fieldStart = 0
        fileprivate var fieldOverflow = false
        fileprivate var fieldNulOffset: Int64?

        var fieldCount: Int { ranges.count }

        /// A field without leading and trailing whitespace, or nil when that leaves nothing.
        /// Fields are valid UTF-8 by the time a record is handed out.
        func trimmedField(_ index: Int) -> String? {
            bytes.withUnsafeBufferPointer { String.trimmedWhitespace(decoding: UnsafeBufferPointer(rebasing: $0[ranges[index]])) }
        }

        /// All fields as strings, as written.
        var fields: [String] {
            ranges.map { range in String(decoding: bytes[range], as: UTF8.self) }
        }

        fileprivate mutating func start(line: Int) {
            bytes.removeAll(keepingCapacity: true)
            ranges.removeAll(keepingCapacity: true)
            problems.removeAll(keepingCapacity: true)
            segments.removeAll(keepingCapacity: true)
            self.line = line
        }
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

    /// Set when the file cannot be read as CSV at all (UTF-16, an unterminated quote).
    private(set) var fileProblem: (line: Int, message: String)?

    init(input: FileInput) {
        self.input = input
    }

    private var offset: Int64 { chunkOffset + Int64(position) }

    /// Makes `chunk[position]` valid; false at the end of the file.
    private mutating func fill() throws(ImportError) -> Bool {
        if position < count { return true }
        guard !finished else { return false }
        chunkOffset += Int64(count)
        position = 0
        let input = input
        count = try chunk.withUnsafeMutableBytes { buffer in Result { () throws(ImportError) in try input.read(into: buffer) } }.get()
        if count == 0 { finished = true }
        return count > 0
    }

    private mutating func skipByteOrderMark() throws(ImportError) {
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

    /// Reads the next record into `record`; false at the end of the file. Blank lines
    /// are skipped.
    mutating func next(into record: inout Record) throws(ImportError) -> Bool {
        if !started { try skipByteOrderMark() }
        while true {
            guard fileProblem == nil, try fill() else { return false }
            record.start(line: line)
            let isBlank = try readRecord(into: &record)
            if !isBlank {
                checkUTF8(&record)
                return true
            }
        }
    }

    /// Reads fields up to the end of the record; true when the line was blank.
    private mutating func readRecord(into record: inout Record) throws(ImportError) -> Bool {
        var sawQuote = false
        while true {
            let fieldIndex = record.ranges.count
            let fieldStart = record.bytes.count
            record.fieldStart = fieldStart
            record.fieldOverflow = false
            record.fieldNulOffset = nil

            if try fill(), chunk[position] == UInt8(ascii: "\"") {
                sawQuote = true
                try readQuotedField(into: &record, index: fieldIndex)
            } else {
                try readPlainField(into: &record)
            }

            var range = fieldStart..<record.bytes.count
            if record.fieldOverflow {
                record.problems.append((fieldIndex, "longer than \(Self.maxFieldBytes) bytes"))
                range = fieldStart..<fieldStart
            }
            if let fieldNulOffset = record.fieldNulOffset {
                record.problems.append((fieldIndex, "NUL byte at byte offset \(fieldNulOffset)"))
            }
            if fieldIndex < Self.maxFields {
                record.ranges.append(range)
            } else {
                record.bytes.removeSubrange(fieldStart...)
                if fieldIndex == Self.maxFields { record.problems.append((fieldIndex, "more than \(Self.maxFields) fields")) }
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
        return !sawQuote && record.ranges.count == 1 && record.ranges[0].isEmpty && record.problems.isEmpty
    }

    /// A field up to the next separator or line end (NUL bytes are noted and left out).
    private mutating func readPlainField(into record: inout Record) throws(ImportError) {
        while try fill() {
            let start = position
            var end = start
            let limit = count
            while end < limit {
                let byte = chunk[end]
                if byte == UInt8(ascii: ",") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") || byte == 0 { break }
                end += 1
            }
            position = end
            append(start, end, to: &record)
            guard end < limit else { continue }
            guard chunk[end] == 0 else { return }
            noteNul(in: &record)
            position += 1
        }
    }

    /// A field from its opening quote to its closing one; a doubled quote is one quote.
    private mutating func readQuotedField(into record: inout Record, index fieldIndex: Int) throws(ImportError) {
        let quoteLine = line
        position += 1
        quoted: while true {
            guard try fill() else {
                fileProblem = (quoteLine, "unterminated quoted field: the quote opened on line \(quoteLine) never closes")
                break quoted
            }
            let start = position
            var end = start
            let limit = count
            while end < limit {
                let byte = chunk[end]
                if byte == UInt8(ascii: "\"") || byte == 0 { break }
                if byte == UInt8(ascii: "\n") { line += 1 }
                end += 1
            }
            position = end
            append(start, end, to: &record)
            guard end < limit else { continue }
            if chunk[end] == 0 {
                noteNul(in: &record)
                position += 1
                continue
            }
            position += 1  // the quote
            guard try fill() else { break quoted }
            if chunk[position] == UInt8(ascii: "\"") {
                append(position, position + 1, to: &record)
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
    }

    /// Keeps `chunk[start..<end]` as part of the current field, up to the size limit.
    private func append(_ start: Int, _ end: Int, to record: inout Record) {
        guard end > start, !record.fieldOverflow else { return }
        guard record.bytes.count - record.fieldStart + (end - start) <= Self.maxFieldBytes else {
            record.fieldOverflow = true
            record.bytes.removeSubrange(record.fieldStart...)
            return
        }
        record.segments.append((record.bytes.count, chunkOffset + Int64(start)))
        record.bytes.append(contentsOf: chunk[start..<end])
    }

    private func noteNul(in record: inout Record) {
        if record.fieldNulOffset == nil { record.fieldNulOffset = offset }
    }

    /// Plain ASCII, most records, is valid as it stands; otherwise each field that is not
    /// ASCII is checked in place, and one that is not UTF-8 is reported with its file
    /// offset and emptied.
    private func checkUTF8(_ record: inout Record) {
        let problems = record.bytes.withUnsafeBufferPointer { bytes -> [(field: Int, offset: Int)] in
            guard bytes.reduce(UInt8(0), |) >= 0x80 else { return [] }
            return record.ranges.indices.compactMap { index in
                let range = record.ranges[index]
                return invalidUTF8Offset(UnsafeBufferPointer(rebasing: bytes[range])).map { (index, range.lowerBound + $0) }
            }
        }
        for (index, offset) in problems {
            record.problems.append((index, "invalid UTF-8 at byte offset \(fileOffset(ofRecordIndex: offset, in: record))"))
            record.ranges[index] = record.ranges[index].lowerBound..<record.ranges[index].lowerBound
        }
    }

    private func fileOffset(ofRecordIndex index: Int, in record: Record) -> Int64 {
        guard let segment = record.segments.last(where: { $0.recordIndex <= index }) else { return offset }
        return segment.fileOffset + Int64(index - segment.recordIndex)
    }
}

/// The offset of the first byte that is not part of valid UTF-8 (RFC 3629: no overlong
/// forms, no surrogates, nothing above U+10FFFF), or nil when all of it is.
func invalidUTF8Offset(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
    var index = 0
    while index < bytes.count {
        let lead = bytes[index]
        if lead < 0x80 {
            index += 1
            continue
        }
        // The sequence's length, and the range its second byte must fall in.
        let length: Int
        var low: UInt8 = 0x80
        var high: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: (length, low) = (3, 0xA0)
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: (length, high) = (3, 0x9F)
        case 0xF0: (length, low) = (4, 0x90)
        case 0xF1...0xF3: length = 4
        case 0xF4: (length, high) = (4, 0x8F)
        default: return index
        }
        guard index + length <= bytes.count, (low...high).contains(bytes[index + 1]) else { return index }
        for continuation in (index + 2)..<(index + length) where bytes[continuation] & 0xC0 != 0x80 { return index }
        index += length
    }
    return nil
}
