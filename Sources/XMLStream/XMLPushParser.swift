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

/// What a document holds, handed over by `XMLPushParser` as it is parsed.
public protocol XMLContentHandler: AnyObject {
    /// `localName` is interned by the parser: compare it by pointer with
    /// `XMLPushParser.intern(_:)`, which costs nothing per element.
    func startElement(localName: UnsafePointer<xmlChar>, namespaceURI: UnsafePointer<xmlChar>?, line: Int)
    func endElement(localName: UnsafePointer<xmlChar>)
    /// Text, in as many pieces as libxml2 likes; always valid UTF-8.
    func characters(_ text: UnsafeBufferPointer<UInt8>)
}

/// libxml2's SAX parser, fed bytes by the caller, so memory stays flat however large the
/// document, and no tree is built (libxml2's tree-building reader takes about 30 % more
/// instructions).
/// Safe by construction: no network (`XML_PARSE_NONET`), no entity substitution (never
/// `XML_PARSE_NOENT`), no DTD loading, and any document type declaration is refused
/// before libxml2 sees it.
public final class XMLPushParser {
    private let context: xmlParserCtxtPtr
    private var validation: (context: xmlSchemaValidCtxtPtr, plug: xmlSchemaSAXPlugPtr)?
    /// Unretained: the handler owns this parser, and is called for every element.
    private unowned(unsafe) let handler: any XMLContentHandler
    private let collector = ProblemCollector()
    private var prolog = PrologGuard()

    public init(name: String, schema: XMLSchema?, handler: any XMLContentHandler) throws(XMLStreamError) {
        self.handler = handler
        var sax = xmlSAXHandler()
        sax.initialized = XML_SAX2_MAGIC
        sax.startElementNs = { userData, localName, _, namespaceURI, _, _, _, _, _ in
            guard let userData, let localName else { return }
            let parser = XMLPushParser.from(userData)
            parser.handler.startElement(localName: localName, namespaceURI: namespaceURI, line: parser.line)
        }
        sax.endElementNs = { userData, localName, _, _ in
            guard let userData, let localName else { return }
            XMLPushParser.from(userData).handler.endElement(localName: localName)
        }
        sax.characters = { userData, text, length in
            guard let userData, let text, length > 0 else { return }
            XMLPushParser.from(userData).handler.characters(UnsafeBufferPointer(start: text, count: Int(length)))
        }
        // CDATA is text too. Not through XML_PARSE_NOCDATA: that leaves the schema
        // validator, plugged in below, a handler that drops CDATA sections.
        sax.cdataBlock = sax.characters
        // The context starts without user data: self cannot be passed before all its
        // stored properties are set.
        guard let context = xmlCreatePushParserCtxt(&sax, nil, nil, 0, name) else { throw .cannotCreateParser }
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

    /// The parser behind the user data that libxml2 hands each callback.
    private static func from(_ userData: UnsafeMutableRawPointer) -> XMLPushParser {
        Unmanaged<XMLPushParser>.fromOpaque(userData).takeUnretainedValue()
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

    /// Parses the next bytes of the document, calling the handler as it goes.
    public func parse(_ bytes: UnsafeRawBufferPointer) throws(XMLStreamError) {
        try prolog.check(bytes)
        try withProblemsCollected {
            xmlParseChunk(context, bytes.baseAddress?.assumingMemoryBound(to: CChar.self), Int32(bytes.count), 0)
        }
    }

    /// Tells the parser the document has ended, so that it can check it is complete.
    public func finish() throws(XMLStreamError) {
        try withProblemsCollected { xmlParseChunk(context, nil, 0, 1) }
    }

    /// Problems go to the calling thread's global handler for the length of each call, so
    /// the parser may be fed from any thread.
    private func withProblemsCollected(_ parse: () -> Int32) throws(XMLStreamError) {
        mfa_libxml2_silence_generic_errors()
        let unmanagedCollector = Unmanaged.passUnretained(collector)
        xmlSetStructuredErrorFunc(unmanagedCollector.toOpaque(), collectProblem)
        defer { xmlSetStructuredErrorFunc(nil, nil) }
        _ = parse()
        if context.pointee.wellFormed == 0 {
            let all = takeProblems()
            let problems = all.filter { $0.kind == .wellFormedness }
            throw .notWellFormed(problems.isEmpty ? all : problems)
        }
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
