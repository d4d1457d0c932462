import Foundation
import MFAStore
import XMLStream

/// Reads an XML user list with libxml2's SAX parser, validating it against the version 1
/// XSD as it goes.
final class XMLUserListReader: UserListReader, XMLContentHandler {
    let input: FileInput
    private var parser: XMLPushParser!
    private let file: String
    private(set) var fileProblems: [Problem] = []
    let notes: [String] = []
    private var done = false
    private var rootChecked = false
    private let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 256 * 1024, alignment: 1)

    /// Records with all their problems, in document order, and the next to hand out:
    /// each is taken out of its slot, not copied.
    private var ready: [RawUserRecord?] = []
    private var nextReady = 0
    /// The last record read to its end tag, waiting for problems that may still be
    /// reported about it.
    private var held: RawUserRecord?
    /// Set up once the parser can intern the element names.
    private var builder: UserElementBuilder!
    private var pending: [Problem] = []
    private var reportedProblems = 0

    /// Compiled once per process: parsing the XSD costs more than reading a small file.
    static let schema: Result<XMLSchema, XMLStreamError> = Result { () throws(XMLStreamError) in
        try XMLSchema(xsd: UserListSchema.xsdLessPatterns)
    }

    init(path: String, displayName: String) throws(ImportError) {
        input = try FileInput(path: path)
        file = displayName
        let schema: XMLSchema
        do { schema = try Self.schema.get() } catch {
            throw .cannotRead(path: path, reason: "the built-in user-list schema does not compile: \(error)")
        }
        do {
            parser = try XMLPushParser(name: displayName, schema: schema, handler: self)
        } catch {
            throw .cannotRead(path: path, reason: "libxml2 could not start reading it")
        }
        builder = UserElementBuilder(
            file: displayName,
            names: UserElementBuilder.Names(
                user: parser.intern("user"), roles: parser.intern("roles"), role: parser.intern("role"),
                fields: UserField.allCases.filter { $0 != .roles }.map { (parser.intern($0.xmlElement), $0) }))
    }

    deinit { chunk.deallocate() }

    /// Records are handed out once the next one has started: libxml2 reports some of a
    /// record's schema problems at its end tag, and they are matched to records by line.
    func next() throws(ImportError) -> RawUserRecord? {
        while nextReady == ready.count {
            ready.removeAll(keepingCapacity: true)
            nextReady = 0
            if done { return nil }
            try parseNextChunk()
        }
        defer { nextReady += 1 }
        return ready[nextReady].take()
    }

    private func parseNextChunk() throws(ImportError) {
        if input.size == 0 {
            done = true
            fileProblems.append(Problem(SourceLocation(file: file, line: 1), field: nil, "the file is empty; expected a <userList> document"))
            return
        }
        let count = try input.read(into: chunk)
        do {
            if count > 0 {
                try parser.parse(UnsafeRawBufferPointer(rebasing: chunk[..<count]))
                return
            }
            try parser.finish()
            if !rootChecked {
                fileProblems.append(Problem(SourceLocation(file: file, line: 1), field: nil, "the file is empty; expected a <userList> document"))
            }
        } catch {
            fail(error)
        }
        finishDocument()
    }

    /// Hands out the last record with every problem not yet matched to one.
    private func finishDocument() {
        done = true
        pending.append(contentsOf: parser.takeProblems().map(problem))
        reportedProblems += pending.count
        if !parser.isValid && reportedProblems == 0 && fileProblems.isEmpty {
            fileProblems.append(Problem(SourceLocation(file: file, line: 1), field: nil, "the document is not valid against the user-list schema"))
        }
        if var held = self.held.take() {
            held.problems.append(contentsOf: pending)
            ready.append(held)
        } else {
            fileProblems.append(contentsOf: pending)
        }
        pending.removeAll()
    }

    func startElement(localName: UnsafePointer<UInt8>, namespaceURI: UnsafePointer<UInt8>?, line: Int) {
        switch builder.start(localName, line: line) {
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
            if var previous = held.take() {
                previous.problems.append(contentsOf: earlier)
                ready.append(previous)
            } else {
                fileProblems.append(contentsOf: earlier)
            }
        case .other:
            break
        }
    }

    func endElement(localName: UnsafePointer<UInt8>) {
        if let record = builder.end(localName) { held = record }
    }

    func characters(_ text: UnsafeBufferPointer<UInt8>) {
        builder.characters(text)
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

/// Turns the elements of `<user>` into a record. A struct, so that each event costs one
/// access check rather than one per property of the reader.
private struct UserElementBuilder {
    /// Element names as the parser interns them.
    struct Names {
        let user, roles, role: UnsafePointer<UInt8>?
        let fields: [(pointer: UnsafePointer<UInt8>?, field: UserField)]
    }

    enum Start { case root, user, other }

    private let file: String
    private let names: Names
    private var depth = 0
    private var record: RawUserRecord?
    private var field: UserField?
    private var inRole = false
    private var collectingText = false
    private var text: [UInt8] = []

    init(file: String, names: Names) {
        self.file = file
        self.names = names
    }

    mutating func start(_ name: UnsafePointer<UInt8>, line: Int) -> Start {
        depth += 1
        switch depth {
        case 1:
            return .root
        case 2 where name == names.user:
            record = RawUserRecord(location: SourceLocation(file: file, line: line))
            return .user
        case 3... where record != nil:
            text.removeAll(keepingCapacity: true)
            if name == names.role {
                inRole = true
                collectingText = true
            } else if name != names.roles {
                field = names.fields.first(where: { $0.pointer == name })?.field
                collectingText = field != nil
            }
            return .other
        default:
            return .other
        }
    }

    /// The record, when `name` ends a `<user>`.
    mutating func end(_ name: UnsafePointer<UInt8>) -> RawUserRecord? {
        defer { depth -= 1 }
        if depth == 2, name == names.user { return record.take() }
        guard collectingText, record != nil else { return nil }
        collectingText = false
        if let value = text.withUnsafeBufferPointer(String.trimmedWhitespace(decoding:)) {
            if inRole, name == names.role {
                record?.roles.append(value)
            } else if let field {
                record?[field] = value
            }
        }
        if name == names.role { inRole = false }
        field = nil
        return nil
    }

    mutating func characters(_ bytes: UnsafeBufferPointer<UInt8>) {
        if collectingText { text.append(contentsOf: bytes) }
    }
}
