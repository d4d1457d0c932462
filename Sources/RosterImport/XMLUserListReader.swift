import Foundation
import MFAStore
import XMLStream

/// Reads an XML user list with libxml2's streaming reader, validating it against the
/// version 1 XSD as it goes.
final class XMLUserListReader: UserListReader {
    let input: FileInput
    private let reader: XMLStreamReader
    private let file: String
    private(set) var fileProblems: [Problem] = []
    let notes: [String] = []
    private var done = false
    private var rootChecked = false
    private var held: RawUserRecord?
    private var pending: [Problem] = []
    private var reportedProblems = 0

    private let userName, rolesName, roleName: UnsafePointer<UInt8>?
    private let fieldNames: [(pointer: UnsafePointer<UInt8>?, field: UserField)]

    /// Compiled once per process: parsing the XSD costs more than reading a small file.
    static let schema: Result<XMLSchema, XMLStreamError> = Result { () throws(XMLStreamError) in
        try XMLSchema(xsd: UserListSchema.xsd)
    }

    init(path: String, displayName: String) throws(ImportError) {
        let input = try FileInput(path: path)
        self.input = input
        file = displayName
        let schema: XMLSchema
        do { schema = try Self.schema.get() } catch {
            throw .cannotRead(path: path, reason: "the built-in user-list schema does not compile: \(error)")
        }
        let reader: XMLStreamReader
        do {
            reader = try XMLStreamReader(name: displayName, schema: schema) { buffer in
                try input.read(into: buffer)
            }
        } catch {
            throw .cannotRead(path: path, reason: "libxml2 could not start reading it")
        }
        self.reader = reader
        userName = reader.intern("user")
        rolesName = reader.intern("roles")
        roleName = reader.intern("role")
        fieldNames = UserField.allCases.filter { $0 != .roles }.map { (reader.intern($0.xmlElement), $0) }
    }

    /// Records are handed out one behind the reader: libxml2 parses (and validates)
    /// ahead of the node it returns, so a record's schema problems are only all known
    /// once the next record has started. Problems are matched to records by line.
    func next() throws(ImportError) -> RawUserRecord? {
        guard !done else { return nil }
        if input.size == 0 {
            done = true
            fileProblems.append(Problem(SourceLocation(file: file, line: 1), field: nil, "the file is empty; expected a <userList> document"))
            return nil
        }
        do {
            while try reader.read() {
                if !rootChecked, reader.nodeType == .element {
                    rootChecked = true
                    checkRoot()
                    continue
                }
                if reader.nodeType == .element, reader.localName == userName, reader.depth == 1 {
                    let start = reader.line
                    let current = try readUser()
                    pending.append(contentsOf: reader.takeProblems().map(problem))
                    let previous = held
                    held = current
                    if var previous {
                        previous.problems.append(contentsOf: takePending(before: start))
                        return previous
                    }
                    fileProblems.append(contentsOf: takePending(before: start))
                }
            }
            finish()
        } catch let error as XMLStreamError {
            fail(error)
        } catch let error as ImportError {
            throw error
        } catch {
            throw .cannotRead(path: input.path, reason: "\(error)")
        }
        pending.append(contentsOf: reader.takeProblems().map(problem))
        reportedProblems += pending.count
        if !reader.isValid && reportedProblems == 0 && fileProblems.isEmpty {
            fileProblems.append(Problem(SourceLocation(file: file, line: 1), field: nil, "the document is not valid against the user-list schema"))
        }
        defer { held = nil }
        if held == nil {
            fileProblems.append(contentsOf: pending)
        } else {
            held?.problems.append(contentsOf: pending)
        }
        pending.removeAll()
        return held
    }

    private func takePending(before line: Int) -> [Problem] {
        let taken = pending.filter { $0.location.line < line }
        pending.removeAll { $0.location.line < line }
        reportedProblems += taken.count
        return taken
    }

    private func checkRoot() {
        let location = SourceLocation(file: file, line: reader.line)
        if reader.namespaceURI != UserListSchema.namespace {
            fileProblems.append(Problem(location, field: reader.localNameString, "the root element must be <userList xmlns=\"\(UserListSchema.namespace)\">"))
        }
    }

    /// Reads one `<user>` element to its end tag.
    private func readUser() throws -> RawUserRecord {
        var record = RawUserRecord(location: SourceLocation(file: file, line: reader.line))
        if reader.isEmptyElement { return record }
        var currentField: UserField?
        var inRole = false
        var text = ""
        while try reader.read() {
            switch reader.nodeType {
            case .element:
                let name = reader.localName
                text = ""
                if name == roleName {
                    inRole = true
                } else if name != rolesName {
                    currentField = fieldNames.first(where: { $0.pointer == name })?.field
                }
            case .text, .cdata:
                text += reader.value ?? ""
            case .endElement:
                let name = reader.localName
                if name == userName { return record }
                let trimmed = text.trimmedWhitespace
                if inRole, name == roleName {
                    if !trimmed.isEmpty { record.roles.append(trimmed) }
                    inRole = false
                } else if let field = currentField, !trimmed.isEmpty {
                    record[field] = trimmed
                }
                currentField = nil
                text = ""
            default:
                continue
            }
        }
        return record
    }

    private func finish() {
        done = true
        if !rootChecked {
            fileProblems.append(Problem(SourceLocation(file: file, line: 1), field: nil, "the file is empty; expected a <userList> document"))
        }
    }

    private func fail(_ error: XMLStreamError) {
        done = true
        switch error {
        case .documentTypeDeclaration(let line):
            fileProblems.append(Problem(SourceLocation(file: file, line: line), field: nil, "a DOCTYPE declaration is not allowed in a user list (entities are refused for safety)"))
        case .notWellFormed(let problems):
            let mapped = problems.map(problem)
            fileProblems.append(contentsOf: mapped.isEmpty ? [Problem(SourceLocation(file: file, line: reader.line), field: nil, "not well-formed XML")] : mapped)
        case .schemaInvalid(let message):
            fileProblems.append(Problem(SourceLocation(file: file, line: 1), field: nil, message))
        case .cannotCreateReader:
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
