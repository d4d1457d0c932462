import CLibXML2
import CLibXML2Quiet
import Foundation

/// A problem libxml2 reported, with the line it points at.
public struct XMLProblem: Sendable, Equatable {
    public enum Kind: Sendable { case wellFormedness, validity }

    public var kind: Kind
    public var line: Int
    public var column: Int?
    /// The element the problem is about, when libxml2 names one.
    public var element: String?
    public var message: String
}

public enum XMLStreamError: Error, Sendable, Equatable {
    /// The document is not well-formed, or could not be read; parsing stopped.
    case notWellFormed([XMLProblem])
    /// A document type declaration: refused, since DTDs carry entities (XXE, bombs).
    case documentTypeDeclaration(line: Int)
    case schemaInvalid(String)
    case cannotCreateReader
}

/// An XSD, compiled once and shared by readers. Owns its `xmlSchemaPtr`.
public final class XMLSchema: @unchecked Sendable {
    let handle: xmlSchemaPtr

    /// Compiles `xsd`; an XSD with errors throws them rather than printing them.
    public init(xsd: String) throws(XMLStreamError) {
        let collector = ProblemCollector()
        let unmanaged = Unmanaged.passRetained(collector)
        defer { unmanaged.release() }
        // Errors in the XSD document itself go to the thread's global handler: collect
        // them too, rather than letting libxml2 print to stderr.
        mfa_libxml2_silence_generic_errors()
        xmlSetStructuredErrorFunc(unmanaged.toOpaque(), collectProblem)
        defer { xmlSetStructuredErrorFunc(nil, nil) }
        // The parser context reads the bytes in place, so they must outlive the parse.
        var text = xsd
        let schema = text.withUTF8 { bytes -> xmlSchemaPtr? in
            bytes.withMemoryRebound(to: CChar.self) { characters in
                guard let context = xmlSchemaNewMemParserCtxt(characters.baseAddress, Int32(characters.count)) else { return nil }
                defer { xmlSchemaFreeParserCtxt(context) }
                xmlSchemaSetParserStructuredErrors(context, collectProblem, unmanaged.toOpaque())
                return xmlSchemaParse(context)
            }
        }
        guard let schema else {
            let reasons = collector.problems.map(\.message).joined(separator: "; ")
            throw .schemaInvalid(reasons.isEmpty ? "libxml2 could not compile the schema" : reasons)
        }
        handle = schema
    }

    deinit { xmlSchemaFree(handle) }
}

/// libxml2's streaming reader over bytes that the caller supplies, so memory stays flat
/// however large the document. Safe by construction: no network (`XML_PARSE_NONET`), no
/// entity substitution (never `XML_PARSE_NOENT`), no DTD loading, and any document type
/// declaration is refused.
public final class XMLStreamReader {
    public enum NodeType: Int32 {
        case element = 1, text = 3, cdata = 4, entityReference = 5, documentType = 10
        case significantWhitespace = 14, endElement = 15, other = -1
    }

    /// Supplies the next bytes of the document into the buffer; returns how many, 0 at the end.
    public typealias Input = (UnsafeMutableRawBufferPointer) throws -> Int

    private let handle: xmlTextReaderPtr
    private let input: InputBox
    private let collector = ProblemCollector()
    private let unmanagedInput: Unmanaged<InputBox>
    private let unmanagedCollector: Unmanaged<ProblemCollector>
    private let schema: XMLSchema?

    /// No network, CDATA as text, and no nodes for the indentation between elements.
    static let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOCDATA.rawValue | XML_PARSE_NOBLANKS.rawValue)

    public init(name: String, schema: XMLSchema?, input: @escaping Input) throws(XMLStreamError) {
        self.input = InputBox(read: input)
        self.schema = schema
        unmanagedInput = Unmanaged.passRetained(self.input)
        unmanagedCollector = Unmanaged.passRetained(collector)
        guard let reader = xmlReaderForIO(readInput, nil, unmanagedInput.toOpaque(), name, nil, Self.options) else {
            unmanagedInput.release()
            unmanagedCollector.release()
            throw .cannotCreateReader
        }
        handle = reader
        // The thread's global handler, not the reader's own: with a schema plugged in,
        // libxml2 2.9 hands the reader's handler the wrong context. The reader must be
        // used on the thread that created it.
        mfa_libxml2_silence_generic_errors()
        xmlSetStructuredErrorFunc(unmanagedCollector.toOpaque(), collectProblem)
        if let schema, xmlTextReaderSetSchema(handle, schema.handle) != 0 {
            xmlFreeTextReader(handle)
            xmlSetStructuredErrorFunc(nil, nil)
            unmanagedInput.release()
            unmanagedCollector.release()
            throw .schemaInvalid("libxml2 could not attach the schema to the reader")
        }
    }

    deinit {
        xmlFreeTextReader(handle)
        xmlSetStructuredErrorFunc(nil, nil)
        unmanagedInput.release()
        unmanagedCollector.release()
    }

    /// Moves to the next node: false at the end of the document.
    public func read() throws -> Bool {
        let result = xmlTextReaderRead(handle)
        if let error = input.error {
            // What libxml2 says about input that stopped short is noise beside the cause.
            collector.problems.removeAll()
            throw error
        }
        if result < 0 {
            let all = takeProblems()
            let problems = all.filter { $0.kind == .wellFormedness }
            throw XMLStreamError.notWellFormed(problems.isEmpty ? all : problems)
        }
        if result == 0 { return false }
        nodeType = NodeType(rawValue: xmlTextReaderNodeType(handle)) ?? .other
        if nodeType == .documentType { throw XMLStreamError.documentTypeDeclaration(line: line) }
        return true
    }

    /// The current node's type, read once per `read()`.
    public private(set) var nodeType = NodeType.other
    public var depth: Int { Int(xmlTextReaderDepth(handle)) }
    public var isEmptyElement: Bool { xmlTextReaderIsEmptyElement(handle) == 1 }

    /// The current node's local name, interned by the reader: compare it by pointer with
    /// `intern(_:)`, which costs nothing per node.
    public var localName: UnsafePointer<xmlChar>? { xmlTextReaderConstLocalName(handle) }
    public var namespaceURI: String? { xmlTextReaderConstNamespaceUri(handle).map { String(cString: $0) } }
    public var localNameString: String { localName.map { String(cString: $0) } ?? "" }

    public func intern(_ name: String) -> UnsafePointer<xmlChar>? {
        xmlTextReaderConstString(handle, name)
    }

    /// The text of a text node.
    public var value: String? { xmlTextReaderConstValue(handle).map { String(cString: $0) } }

    /// The line of the current node's start tag.
    public var line: Int {
        if let node = xmlTextReaderCurrentNode(handle) {
            let line = Int(xmlGetLineNo(node))
            if line > 0 { return line }
        }
        return Int(xmlTextReaderGetParserLineNumber(handle))
    }

    /// Problems reported since the last call, oldest first.
    public func takeProblems() -> [XMLProblem] {
        defer { collector.problems.removeAll(keepingCapacity: true) }
        return collector.problems
    }

    /// Whether the document so far is valid against the schema. Reading to the end does
    /// not fail on an invalid document: ask this.
    public var isValid: Bool { xmlTextReaderIsValid(handle) == 1 }
}

/// Feeds libxml2 and watches the prolog: a document type declaration is refused before
/// libxml2 parses it, so no entity in it is ever declared, let alone expanded.
private final class InputBox {
    let read: XMLStreamReader.Input
    var error: (any Error)?
    private var inProlog = true
    /// The end of the previous chunk, for a `<!DOCTYPE` split across two reads, and the
    /// lines before it.
    private var carry: [UInt8] = []
    private var linesBeforeWindow = 0
    private static let doctype = Array("<!DOCTYPE".utf8)

    init(read: @escaping XMLStreamReader.Input) { self.read = read }

    func fill(_ buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let count = try read(buffer)
        if inProlog && count > 0 { try scanProlog(UnsafeRawBufferPointer(rebasing: buffer[..<count])) }
        return count
    }

    private func scanProlog(_ bytes: UnsafeRawBufferPointer) throws {
        let window = carry + bytes
        var line = linesBeforeWindow + 1
        for index in window.indices {
            let byte = window[index]
            if byte == UInt8(ascii: "<") {
                // Decide once the next byte (or the whole keyword) has arrived.
                guard index + 1 < window.count else { break }
                let next = window[index + 1]
                if next != UInt8(ascii: "!") && next != UInt8(ascii: "?") {
                    inProlog = false  // the root element: no DOCTYPE can follow
                    return
                }
                if window[index...].starts(with: Self.doctype) {
                    throw XMLStreamError.documentTypeDeclaration(line: line)
                }
                if window.count - index < Self.doctype.count && Self.doctype.starts(with: window[index...]) { break }
            }
            if byte == UInt8(ascii: "\n") { line += 1 }
        }
        let keepFrom = max(0, window.count - (Self.doctype.count - 1))
        linesBeforeWindow += window[..<keepFrom].reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
        carry = Array(window[keepFrom...])
    }
}

final class ProblemCollector {
    var problems: [XMLProblem] = []
}

private func readInput(_ context: UnsafeMutableRawPointer?, _ buffer: UnsafeMutablePointer<CChar>?, _ length: Int32) -> Int32 {
    guard let context, let buffer, length > 0 else { return -1 }
    let box = Unmanaged<InputBox>.fromOpaque(context).takeUnretainedValue()
    do {
        return Int32(try box.fill(UnsafeMutableRawBufferPointer(start: buffer, count: Int(length))))
    } catch {
        box.error = error
        return -1
    }
}

private func collectProblem(_ context: UnsafeMutableRawPointer?, _ error: xmlErrorPtr?) {
    guard let context, let error else { return }
    let collector = Unmanaged<ProblemCollector>.fromOpaque(context).takeUnretainedValue()
    let message = error.pointee.message.map { String(cString: $0) }?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "unknown error"
    let isValidity = error.pointee.domain == Int32(XML_FROM_SCHEMASV.rawValue) || error.pointee.domain == Int32(XML_FROM_VALID.rawValue)
    let element = error.pointee.node.flatMap { node -> String? in
        let xmlNode = node.assumingMemoryBound(to: xmlNode.self)
        return xmlNode.pointee.name.map { String(cString: $0) }
    }
    collector.problems.append(
        XMLProblem(
            kind: isValidity ? .validity : .wellFormedness, line: Int(error.pointee.line),
            column: error.pointee.int2 > 0 ? Int(error.pointee.int2) : nil, element: element, message: message))
}
