import Foundation
import MFAStore
import XMLStream

/// Reads an XML user list with libxml2's SAX parser, validating it against the version 1
/// XSD as it goes. libxml2 runs on a thread of its own, which keeps each record's text as
/// byte ranges in one buffer per block of records; this reader makes their strings on the
/// calling thread, so that the two share the work (libxml2 is most of it).
final class XMLUserListReader: UserListReader {
    let input: FileInput
    private let file: String
    private(set) var fileProblems: [Problem] = []
    let notes: [String] = []
    private(set) var bytesDelivered: Int64 = 0
    private let readAhead: ReadAheadFile
    private let parsing: XMLRecordParser

    init(path: String, displayName: String) throws(ImportError) {
        input = try FileInput(path: path)
        file = displayName
        readAhead = ReadAheadFile(input: input)
        parsing = try XMLRecordParser(source: readAhead, path: path, file: displayName)
    }

    func readRecords(_ deliver: (consuming RawUserRecord) -> Bool) throws(ImportError) {
        guard input.size > 0 else {
            fileProblems.append(Problem(SourceLocation(file: file, line: 1), field: nil, "the file is empty; expected a <userList> document"))
            return
        }
        let blocks = Channel<PackedUserRecords>(capacity: 4)
        let parsing = self.parsing
        readAhead.start()
        let parser = StageThread { parsing.parse(into: blocks) }
        // Cancelling stops the parser at its next block, if this thread stopped first;
        // the file is read and hashed only as far as the parser went.
        defer {
            blocks.cancel()
            parser.join()
            readAhead.stop()
        }
        while var block = blocks.receive() {
            bytesDelivered = block.bytesRead
            for index in block.lines.indices {
                guard deliver(block.record(index, file: file, facets: parsing.facets)) else { return }
            }
            if let end = block.end.take() {
                fileProblems = end.fileProblems
                if let error = end.readError { throw error }
                return
            }
        }
    }
}

/// Records as the parsing thread hands them over: each field's text a byte range in one
/// buffer, so that no string is made there.
struct PackedUserRecords: Sendable {
    struct Field: Sendable {
        /// Nil for a role.
        var field: UserField?
        var bytes: Range<Int>
        var line: Int32
        /// Its type's facets, by their place in the parser's `facets`; nil for none.
        var facets: Int8?
    }

    struct End: Sendable {
        var fileProblems: [Problem]
        var readError: ImportError?
    }

    var text: [UInt8] = []
    var fields: [Field] = []
    /// Per record: its line and its first field.
    var lines: [Int] = []
    var firstFields: [Int] = []
    /// By record; problems are rare.
    var problems: [Int: [Problem]] = [:]
    /// The file's bytes read by the time the block was sent.
    var bytesRead: Int64 = 0
    /// Set on the file's last block.
    var end: End?

    var count: Int { lines.count }

    func record(_ index: Int, file: String, facets: [SimpleTypeFacets]) -> RawUserRecord {
        var record = RawUserRecord(location: SourceLocation(file: file, line: lines[index]))
        if let problems = problems[index] { record.problems = problems }
        let fieldsEnd = index + 1 < firstFields.count ? firstFields[index + 1] : fields.count
        text.withUnsafeBufferPointer { text in
            fields.withUnsafeBufferPointer { fields in
                for field in fields[firstFields[index]..<fieldsEnd] {
                    let bytes = UnsafeBufferPointer(rebasing: text[field.bytes])
                    if let type = field.facets, let message = facets[Int(type)].problem(bytes) {
                        record.problems.append(
                            Problem(SourceLocation(file: file, line: Int(field.line)), field: (field.field ?? .roles).name, message))
                    }
                    guard let value = String.trimmedWhitespace(decoding: bytes) else { continue }
                    if let name = field.field { record[name] = value } else { record.roles.append(value) }
                }
            }
        }
        return record
    }
}

/// The parsing thread's side: libxml2, its callbacks and the records as byte ranges. Used by
/// one thread at a time: made on the reading thread, then used only on the parsing one.
private final class XMLRecordParser: XMLContentHandler, @unchecked Sendable {
    private let source: ReadAheadFile
    private let file: String
    private var fileProblems: [Problem] = []
    private var rootChecked = false

    // The properties the parser's callbacks use are exempt from run-time exclusivity
    // checks: only the parsing thread touches them, one callback at a time, and the
    // checks were 7 % of that thread's instructions.

    @exclusivity(unchecked) private var parser: XMLStreamParser!
    /// Set up once the parser can intern the element names.
    @exclusivity(unchecked) private var builder: UserElementBuilder!
    @exclusivity(unchecked) private var block = PackedUserRecords()
    /// The block's last record, read to its end tag and waiting for problems that may
    /// still be reported about it.
    @exclusivity(unchecked) private var held: Int?
    @exclusivity(unchecked) private var pending: [Problem] = []
    private var reportedProblems = 0
    private var blocks: Channel<PackedUserRecords>?
    private static let blockSize = 512

    /// Compiled once per process: parsing the XSD costs more than reading a small file.
    static let schema: Result<XMLSchema, XMLStreamError> = Result { () throws(XMLStreamError) in
        try XMLSchema(xsd: UserListSchema.structureXSD)
    }

    /// The facets the compiled schema leaves out, for the fields that have any.
    let facets = Array(UserListSchema.facets.values)

    init(source: ReadAheadFile, path: String, file: String) throws(ImportError) {
        self.source = source
        self.file = file
        let schema: XMLSchema
        do { schema = try Self.schema.get() } catch {
            throw .cannotRead(path: path, reason: "the built-in user-list schema does not compile: \(error)")
        }
        do {
            parser = try XMLStreamParser(name: file, schema: schema, handler: self, source: source.read(into:))
        } catch {
            throw .cannotRead(path: path, reason: "libxml2 could not start reading it")
        }
        let facets = self.facets
        func facetsIndex(_ field: UserField) -> Int8? {
            UserListSchema.facets[field].flatMap { type in facets.firstIndex { $0 === type } }.map(Int8.init)
        }
        builder = UserElementBuilder(
            names: UserElementBuilder.Names(
                user: parser.intern("user"), roles: parser.intern("roles"), role: parser.intern("role"), roleFacets: facetsIndex(.roles),
                fields: UserField.allCases.filter { $0 != .roles }.map { (parser.intern($0.xmlElement), $0, facetsIndex($0)) }))
    }

    /// Parses the whole file into `blocks`, the last with the file's end. A record goes out
    /// once the next one has started: libxml2 reports some of a record's schema problems
    /// at its end tag, and they are matched to records by line.
    func parse(into blocks: Channel<PackedUserRecords>) {
        self.blocks = blocks
        do {
            try parser.parse()
            if !rootChecked {
                fileProblems.append(Problem(SourceLocation(file: file, line: 1), field: nil, "the file is empty; expected a <userList> document"))
            }
        } catch {
            if source.error == nil { fail(error) }
        }
        finishDocument()
        block.bytesRead = source.bytesTaken
        block.end = PackedUserRecords.End(fileProblems: fileProblems, readError: source.error)
        blocks.send(block)
    }

    /// Gives the last record every problem not yet matched to one.
    private func finishDocument() {
        pending.append(contentsOf: parser.takeProblems().map(problem))
        reportedProblems += pending.count
        if !parser.isValid && reportedProblems == 0 && fileProblems.isEmpty {
            fileProblems.append(Problem(SourceLocation(file: file, line: 1), field: nil, "the document is not valid against the user-list schema"))
        }
        if let held = held.take() {
            block.problems[held, default: []].append(contentsOf: pending)
        } else {
            fileProblems.append(contentsOf: pending)
        }
        pending.removeAll()
    }

    func startElement(localName: UnsafePointer<UInt8>, namespaceURI: UnsafePointer<UInt8>?, line: Int) -> Bool {
        switch builder.start(localName, line: line, in: block) {
        case .root:
            rootChecked = true
            if namespaceURI.map({ String(cString: $0) }) != UserListSchema.namespace {
                fileProblems.append(
                    Problem(SourceLocation(file: file, line: line), field: String(cString: localName), "the root element must be <userList xmlns=\"\(UserListSchema.namespace)\">"))
            }
        case .user:
            // Every problem about the record before has been reported by now.
            pending.append(contentsOf: parser.takeProblems().map(problem))
            let earlier = takePending(before: line)
            if let previous = held.take() {
                if !earlier.isEmpty { block.problems[previous, default: []].append(contentsOf: earlier) }
            } else {
                fileProblems.append(contentsOf: earlier)
            }
            if block.count >= Self.blockSize { sendBlock() }
            block.lines.append(line)
            block.firstFields.append(block.fields.count)
        case .other:
            break
        }
        return builder.collectingText
    }

    private func sendBlock() {
        block.bytesRead = source.bytesTaken
        var full = PackedUserRecords()
        swap(&full, &block)
        if blocks?.send(full) == false { parser.stop() }
    }

    func endElement(localName: UnsafePointer<UInt8>) -> Bool {
        if builder.end(localName, into: &block) { held = block.count - 1 }
        return builder.collectingText
    }

    func characters(_ text: UnsafeBufferPointer<UInt8>) {
        builder.characters(text, into: &block)
    }

    private func takePending(before line: Int) -> [Problem] {
        guard !pending.isEmpty else { return [] }
        let taken = pending.filter { $0.location.line < line }
        pending.removeAll { $0.location.line < line }
        reportedProblems += taken.count
        return taken
    }

    private func fail(_ error: XMLStreamError) {
        switch error {
        case .documentTypeDeclaration(let line):
            fileProblems.append(Problem(SourceLocation(file: file, line: line), field: nil, "a DOCTYPE declaration is not allowed in a user list (entities are refused for safety)"))
        case .notWellFormed(let problems):
            let mapped = problems.map(problem)
            fileProblems.append(contentsOf: mapped.isEmpty ? [Problem(SourceLocation(file: file, line: parser.line), field: nil, "not well-formed XML")] : mapped)
        case .schemaInvalid(let message):
            fileProblems.append(Problem(SourceLocation(file: file, line: 1), field: nil, message))
        case .cannotCreateParser:
            fileProblems.append(Problem(SourceLocation(file: file, line: 1), field: nil, "libxml2 could not read the file"))
        }
    }

    private func problem(_ problem: XMLProblem) -> Problem {
        var message = problem.message
        // libxml2 names elements as '{namespace}name'; the namespace is noise here.
        message = message.replacingOccurrences(of: "{\(UserListSchema.namespace)}", with: "")
        // Validity errors arrive as "Element 'name': …"; the element becomes the field.
        var element = problem.element
        let prefix = "Element '"
        if message.hasPrefix(prefix), let close = message.dropFirst(prefix.count).firstIndex(of: "'") {
            element = element ?? String(message[message.index(message.startIndex, offsetBy: prefix.count)..<close])
            message = String(message[message.index(after: close)...]).trimmingCharacters(in: CharacterSet(charactersIn: ": "))
        }
        let field = element.map { UserField(matching: $0)?.name ?? $0 }
        return Problem(SourceLocation(file: file, line: problem.line, column: problem.column), field: field, message)
    }
}

/// Follows the elements of `<user>` and records each field's text in the block. A struct,
/// so that each event costs one access to the parser's state rather than one per property.
private struct UserElementBuilder {
    /// Element names as the parser interns them.
    struct Names {
        let user, roles, role: UnsafePointer<UInt8>?
        let roleFacets: Int8?
        let fields: [(pointer: UnsafePointer<UInt8>?, field: UserField, facets: Int8?)]
    }

    enum Start { case root, user, other }

    private let names: Names
    private var depth = 0
    private var inRecord = false
    private var field: (name: UserField, facets: Int8?)?
    private var inRole = false
    private var line: Int32 = 0
    private(set) var collectingText = false
    /// Where the text being collected starts in the block's buffer.
    private var textStart = 0

    init(names: Names) {
        self.names = names
    }

    mutating func start(_ name: UnsafePointer<UInt8>, line: Int, in block: PackedUserRecords) -> Start {
        depth += 1
        switch depth {
        case 1:
            return .root
        case 2 where name == names.user:
            inRecord = true
            return .user
        case 3... where inRecord:
            // A field's text is what follows its last start tag.
            textStart = block.text.count
            self.line = Int32(truncatingIfNeeded: line)
            if name == names.role {
                inRole = true
                collectingText = true
            } else if name != names.roles {
                field = names.fields.first(where: { $0.pointer == name }).map { ($0.field, $0.facets) }
                collectingText = field != nil
            }
            return .other
        default:
            return .other
        }
    }

    /// Whether `name` ended a `<user>`.
    mutating func end(_ name: UnsafePointer<UInt8>, into block: inout PackedUserRecords) -> Bool {
        defer { depth -= 1 }
        if depth == 2, name == names.user, inRecord {
            inRecord = false
            return true
        }
        guard collectingText, inRecord else { return false }
        collectingText = false
        let bytes = textStart..<block.text.count
        if inRole, name == names.role {
            block.fields.append(PackedUserRecords.Field(field: nil, bytes: bytes, line: line, facets: names.roleFacets))
        } else if let field {
            block.fields.append(PackedUserRecords.Field(field: field.name, bytes: bytes, line: line, facets: field.facets))
        }
        if name == names.role { inRole = false }
        field = nil
        return false
    }

    mutating func characters(_ bytes: UnsafeBufferPointer<UInt8>, into block: inout PackedUserRecords) {
        if collectingText { block.text.append(contentsOf: bytes) }
    }
}
