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
    case cannotCreateParser
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

/// What a document holds, handed over by `XMLStreamParser` as it is parsed.
public protocol XMLContentHandler: AnyObject {
    /// `localName` is interned by the parser: compare it by pointer with
    /// `XMLStreamParser.intern(_:)`, which costs nothing per element. Returns whether the
    /// handler wants the text that follows: most text in a document is the white space
    /// between elements, and text not wanted costs no call.
    func startElement(localName: UnsafePointer<xmlChar>, namespaceURI: UnsafePointer<xmlChar>?, line: Int) -> Bool
    /// Returns whether the handler wants the text that follows.
    func endElement(localName: UnsafePointer<xmlChar>) -> Bool
    /// Text, in as many pieces as libxml2 likes; always valid UTF-8.
    func characters(_ text: UnsafeBufferPointer<UInt8>)
}

/// Where the parser gets the document's bytes: fills the buffer and returns the count,
/// 0 at the end, or -1 when it cannot read (the caller keeps its own reason).
public typealias XMLByteSource = (UnsafeMutableRawBufferPointer) -> Int

/// libxml2's SAX parser pulling the document from a byte source, so memory stays flat
/// however large the document, and no tree is built (libxml2's tree-building reader takes
/// about 30 % more instructions; its push parser, which looks ahead for the end of every
/// tag before parsing it, 8 % more).
/// Safe by construction: no network (`XML_PARSE_NONET`), no entity substitution (never
/// `XML_PARSE_NOENT`), no DTD loading, and any document type declaration is refused
/// before libxml2 sees it.
public final class XMLStreamParser {
    private let context: xmlParserCtxtPtr
    private var validation: (context: xmlSchemaValidCtxtPtr, plug: xmlSchemaSAXPlugPtr)?
    /// Unretained: the handler owns this parser, and is called for every element.
    private unowned(unsafe) let handler: any XMLContentHandler
    private let collector = ProblemCollector()
    private let input: GuardedInput
    /// Whether the handler wants the text that follows, as it last answered. Exempt from
    /// run-time exclusivity checks: only the parsing thread touches it, in callbacks.
    @exclusivity(unchecked) private var textWanted = true
    private var stopped = false

    public init(name: String, schema: XMLSchema?, handler: any XMLContentHandler, source: @escaping XMLByteSource) throws(XMLStreamError) {
        self.handler = handler
        input = GuardedInput(source: source)
        var sax = xmlSAXHandler()
        sax.initialized = XML_SAX2_MAGIC
        sax.startElementNs = { userData, localName, _, namespaceURI, _, _, _, _, _ in
            guard let userData, let localName else { return }
            XMLStreamParser.with(userData) { parser in
                parser.textWanted = parser.handler.startElement(localName: localName, namespaceURI: namespaceURI, line: parser.line)
            }
        }
        sax.endElementNs = { userData, localName, _, _ in
            guard let userData, let localName else { return }
            XMLStreamParser.with(userData) { parser in
                parser.textWanted = parser.handler.endElement(localName: localName)
            }
        }
        sax.characters = { userData, text, length in
            guard let userData, let text, length > 0 else { return }
            XMLStreamParser.with(userData) { parser in
                guard parser.textWanted else { return }
                parser.handler.characters(UnsafeBufferPointer(start: text, count: Int(length)))
            }
        }
        // CDATA is text too. Not through XML_PARSE_NOCDATA: that leaves the schema
        // validator, plugged in below, a handler that drops CDATA sections.
        sax.cdataBlock = sax.characters
        let read: xmlInputReadCallback = { inputContext, buffer, length in
            guard let inputContext, let buffer, length > 0 else { return -1 }
            let input = Unmanaged<GuardedInput>.fromOpaque(inputContext).takeUnretainedValue()
            return Int32(input.read(into: UnsafeMutableRawBufferPointer(start: buffer, count: Int(length))))
        }
        // The context starts without user data: self cannot be passed before all its
        // stored properties are set.
        guard let context = xmlCreateIOParserCtxt(&sax, nil, read, nil, Unmanaged.passUnretained(input).toOpaque(), XML_CHAR_ENCODING_NONE) else {
            throw .cannotCreateParser
        }
        self.context = context
        context.pointee.userData = Unmanaged.passUnretained(self).toOpaque()
        xmlCtxtUseOptions(context, Self.options)
        guard let schema else { return }
        guard let validity = xmlSchemaNewValidCtxt(schema.handle) else {
            throw .schemaInvalid("libxml2 could not start validating against the schema")
        }
        // The validator sits between the parser and the handler, seeing every event first.
        guard let plug = xmlSchemaSAXPlug(validity, &context.pointee.sax, &context.pointee.userData) else {
            xmlSchemaFreeValidCtxt(validity)
            throw .schemaInvalid("libxml2 could not attach the schema to the parser")
        }
        validation = (validity, plug)
        // Without a tree, the validator learns the line of a problem only from this.
        // libxml2 reads both answers whatever this returns, so both are always set.
        xmlSchemaValidateSetLocator(validity, { parserContext, file, line in
            file?.pointee = nil
            line?.pointee = 0
            guard let parserContext, let line else { return -1 }
            let context = parserContext.assumingMemoryBound(to: xmlParserCtxt.self)
            line.pointee = UInt(max(0, context.pointee.input?.pointee.line ?? 0))
            return 0
        }, UnsafeMutableRawPointer(context))
    }

    /// Calls `body` with the parser behind the user data that libxml2 hands each
    /// callback, without retaining it: libxml2 calls back only while `parse` holds it.
    private static func with(_ userData: UnsafeMutableRawPointer, _ body: (XMLStreamParser) -> Void) {
        Unmanaged<XMLStreamParser>.fromOpaque(userData)._withUnsafeGuaranteedRef(body)
    }

    deinit {
        if let validation {
            xmlSchemaSAXUnplug(validation.plug)
            xmlSchemaFreeValidCtxt(validation.context)
        }
        xmlFreeParserCtxt(context)
    }

    /// No network.
    static let options = Int32(XML_PARSE_NONET.rawValue)

    /// The name as the parser interns it, to compare with `startElement`'s by pointer.
    public func intern(_ name: String) -> UnsafePointer<xmlChar>? {
        xmlDictLookup(context.pointee.dict, name, -1)
    }

    /// Parses the whole document, calling the handler as it goes. Problems go to the
    /// calling thread's global handler meanwhile, so any thread may parse.
    public func parse() throws(XMLStreamError) {
        mfa_libxml2_silence_generic_errors()
        let unmanagedCollector = Unmanaged.passUnretained(collector)
        xmlSetStructuredErrorFunc(unmanagedCollector.toOpaque(), collectProblem)
        defer { xmlSetStructuredErrorFunc(nil, nil) }
        _ = xmlParseDocument(context)
        if let line = input.doctypeLine { throw .documentTypeDeclaration(line: line) }
        if context.pointee.wellFormed == 0 && !stopped {
            let all = takeProblems()
            let problems = all.filter { $0.kind == .wellFormedness }
            throw .notWellFormed(problems.isEmpty ? all : problems)
        }
    }

    /// Ends the parse from a handler's callback; `parse` then returns without an error.
    public func stop() {
        stopped = true
        xmlStopParser(context)
    }

    /// The line the parser has reached.
    public var line: Int { Int(context.pointee.input?.pointee.line ?? 0) }

    /// Problems reported since the last call, oldest first.
    public func takeProblems() -> [XMLProblem] {
        guard !collector.problems.isEmpty else { return [] }
        defer { collector.problems.removeAll(keepingCapacity: true) }
        return collector.problems
    }

    /// Whether the document so far is valid against the schema: parsing does not fail on
    /// an invalid document, so ask this.
    public var isValid: Bool {
        guard let validation else { return true }
        return xmlSchemaIsValid(validation.context) == 1
    }
}

/// The byte source behind the prolog guard: a document type declaration ends the input
/// before libxml2 sees it.
private final class GuardedInput {
    let source: XMLByteSource
    private var prolog = PrologGuard()
    private(set) var doctypeLine: Int?

    init(source: @escaping XMLByteSource) { self.source = source }

    func read(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        let count = source(buffer)
        guard count > 0 else { return count }
        do {
            try prolog.check(UnsafeRawBufferPointer(rebasing: buffer[..<count]))
        } catch {
            if case .documentTypeDeclaration(let line) = error { doctypeLine = line }
            return -1
        }
        return count
    }
}

/// Watches the prolog: a document type declaration is refused before libxml2 parses it,
/// so no entity in it is ever declared, let alone expanded.
private struct PrologGuard {
    private var inProlog = true
    /// The end of the previous chunk, for a `<!DOCTYPE` split across two, and the lines
    /// before it.
    private var carry: [UInt8] = []
    private var linesBeforeWindow = 0
    private static let doctype = Array("<!DOCTYPE".utf8)

    mutating func check(_ bytes: UnsafeRawBufferPointer) throws(XMLStreamError) {
        guard inProlog, !bytes.isEmpty else { return }
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
                    throw .documentTypeDeclaration(line: line)
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
