import CCairo
import Foundation

/// Sheets drawn by cairo as the pages of one PDF in memory, for `PDFFile` to copy into
/// the files people get.
///
/// cairo subsets, compresses and embeds every font a PDF uses when it finishes the PDF:
/// for a one-page file that was two thirds of its cost. Drawn as pages of one PDF, a
/// chunk of sheets pays it once; each person's file and the batch file are then
/// assembled from copies of the pages and of the objects they use (README, "Sheets").
public final class PDFPages {
    /// A4 in points.
    public static let pageWidth = 595.276
    public static let pageHeight = 841.89

    /// Outlives the surface, which the deinit destroys first.
    private let output = CairoOutput()
    private let surface: OpaquePointer
    private let context: OpaquePointer

    public init() throws(SheetError) {
        let surface = cairo_pdf_surface_create_for_stream(CairoOutput.append, output.closure, Self.pageWidth, Self.pageHeight)!
        guard cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS, let context = cairo_create(surface) else {
            let status = String(cString: cairo_status_to_string(cairo_surface_status(surface)))
            cairo_surface_destroy(surface)
            throw .cairo(drawing: "the sheets", status: status)
        }
        self.surface = surface
        self.context = context
    }

    deinit {
        cairo_destroy(context)
        cairo_surface_destroy(surface)
    }

    /// Draws one page with `draw`, then starts the next.
    public func addPage(_ draw: (Canvas) -> Void) {
        cairo_save(context)
        draw(Canvas(context: context))
        cairo_restore(context)
        cairo_show_page(context)
    }

    /// Completes the PDF and indexes it for copying.
    public func finish() throws(SheetError) -> RenderedPDF {
        cairo_surface_finish(surface)
        let status = cairo_surface_status(surface)
        guard status == CAIRO_STATUS_SUCCESS else { throw .cairo(drawing: "the sheets", status: String(cString: cairo_status_to_string(status))) }
        return try RenderedPDF(output.bytes)
    }
}

/// A finished PDF as cairo writes it (a classic cross-reference table, a flat page tree),
/// indexed: where each object lies, which references its dictionary holds, and the pages
/// in order. Anything else is refused rather than copied wrongly.
public final class RenderedPDF: Sendable {
    let bytes: [UInt8]
    /// Object number → bytes from `N 0 obj` up to the next object.
    private let objects: [Int: Range<Int>]
    /// Object number → the references in its dictionary, with where each lies: found once
    /// here, since every page is copied twice.
    private let dictionaryReferences: [Int: [(number: Int, range: Range<Int>)]]
    /// The page objects, in page order.
    public let pages: [Int]
    /// The page tree's root, which each page names as its parent.
    let pageTree: Int

    init(_ bytes: [UInt8]) throws(SheetError) {
        self.bytes = bytes
        let tail = bytes.suffix(64)
        guard let startxref = Self.firstRange(of: "startxref", in: tail),
            let xrefOffset = Self.integers(in: bytes[startxref.upperBound..<bytes.endIndex]).first
        else { throw .unreadableRendering("no startxref") }
        let (offsets, trailer) = try Self.crossReferences(bytes, at: xrefOffset)
        let sorted = offsets.sorted { $0.value < $1.value }
        var objects: [Int: Range<Int>] = [:]
        for (index, (number, start)) in sorted.enumerated() {
            let end = index + 1 < sorted.count ? sorted[index + 1].value : xrefOffset
            guard start < end, end <= bytes.count else { throw .unreadableRendering("object \(number) out of place") }
            objects[number] = start..<end
        }
        self.objects = objects
        dictionaryReferences = objects.mapValues { Self.references(in: Self.dictionary(bytes[$0])) }

        func reference(_ key: String, in object: Int) throws(SheetError) -> Int {
            guard let range = objects[object], let found = Self.value(of: key, in: Self.dictionary(bytes[range])).first else {
                throw .unreadableRendering("object \(object) has no \(key)")
            }
            return found
        }
        guard let root = Self.value(of: "/Root", in: trailer).first else { throw .unreadableRendering("no /Root") }
        pageTree = try reference("/Pages", in: root)
        guard let tree = objects[pageTree] else { throw .unreadableRendering("no page tree") }
        let kids = Self.value(of: "/Kids", in: Self.dictionary(bytes[tree]))
        for kid in kids {
            guard try reference("/Parent", in: kid) == pageTree else { throw .unreadableRendering("nested page tree") }
        }
        pages = kids
    }

    /// The object's bytes, with its header and every reference in its dictionary renumbered
    /// by `renumber`; stream data is copied as it is.
    func copy(_ object: Int, into output: inout [UInt8], renumber: (Int) -> Int) throws(SheetError) {
        guard let range = objects[object], let header = Self.firstRange(of: " obj", in: bytes[range]),
            let references = dictionaryReferences[object]
        else { throw .unreadableRendering("object \(object) is missing") }
        output.append(contentsOf: "\(renumber(object)) 0 obj".utf8)
        var position = header.upperBound
        for reference in references {
            output.append(contentsOf: bytes[position..<reference.range.lowerBound])
            output.append(contentsOf: "\(renumber(reference.number)) 0 R".utf8)
            position = reference.range.upperBound
        }
        output.append(contentsOf: bytes[position..<range.upperBound])
    }

    /// The objects `object`'s dictionary refers to.
    func references(of object: Int) throws(SheetError) -> [Int] {
        guard let references = dictionaryReferences[object] else { throw .unreadableRendering("object \(object) is missing") }
        return references.map(\.number)
    }

    // MARK: Reading cairo's syntax

    private static func firstRange(of text: String, in bytes: ArraySlice<UInt8>) -> Range<Int>? {
        let pattern = Array(text.utf8)
        guard bytes.count >= pattern.count else { return nil }
        var start = bytes.startIndex
        while start + pattern.count <= bytes.endIndex {
            if bytes[start..<start + pattern.count].elementsEqual(pattern) { return start..<start + pattern.count }
            start += 1
        }
        return nil
    }

    /// An object's dictionary: from after `obj` to `stream` or the object's end.
    private static func dictionary(_ object: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        let start = firstRange(of: " obj", in: object)?.upperBound ?? object.startIndex
        let end = firstRange(of: "stream", in: object[start...])?.lowerBound ?? object.endIndex
        return object[start..<end]
    }

    private static func integers(in bytes: ArraySlice<UInt8>) -> [Int] {
        bytes.split(whereSeparator: { !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }).compactMap {
            Int(String(decoding: $0, as: UTF8.self))
        }
    }

    private enum Token: Equatable {
        case name(String), integer(Int), keyword(String), other
    }

    /// PDF tokens with their byte ranges; strings and comments are skipped whole, so
    /// nothing inside them is taken for a reference.
    private static func tokens(_ bytes: ArraySlice<UInt8>) -> [(token: Token, range: Range<Int>)] {
        var tokens: [(Token, Range<Int>)] = []
        var index = bytes.startIndex
        func isRegular(_ byte: UInt8) -> Bool { !" \t\r\n\u{0C}\0()<>[]{}/%".utf8.contains(byte) }
        while index < bytes.endIndex {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "%"):
                while index < bytes.endIndex, bytes[index] != UInt8(ascii: "\n"), bytes[index] != UInt8(ascii: "\r") { index += 1 }
            case UInt8(ascii: "("):
                var depth = 0
                while index < bytes.endIndex {
                    switch bytes[index] {
                    case UInt8(ascii: "\\"): index += 1
                    case UInt8(ascii: "("): depth += 1
                    case UInt8(ascii: ")"): depth -= 1
                    default: break
                    }
                    index += 1
                    if depth == 0 { break }
                }
            case UInt8(ascii: "/"):
                let start = index
                index += 1
                while index < bytes.endIndex, isRegular(bytes[index]) { index += 1 }
                tokens.append((.name(String(decoding: bytes[start..<index], as: UTF8.self)), start..<index))
            case _ where isRegular(byte):
                let start = index
                while index < bytes.endIndex, isRegular(bytes[index]) { index += 1 }
                let text = String(decoding: bytes[start..<index], as: UTF8.self)
                tokens.append((Int(text).map(Token.integer) ?? .keyword(text), start..<index))
            case UInt8(ascii: "<") where index + 1 < bytes.endIndex && bytes[index + 1] == UInt8(ascii: "<"):
                tokens.append((.other, index..<index + 2))
                index += 2
            case UInt8(ascii: "<"):
                while index < bytes.endIndex, bytes[index] != UInt8(ascii: ">") { index += 1 }
                index += 1
            default:
                if !" \t\r\n\u{0C}\0".utf8.contains(byte) { tokens.append((.other, index..<index + 1)) }
                index += 1
            }
        }
        return tokens
    }

    /// Every `N G R` in `bytes`.
    private static func references(in bytes: ArraySlice<UInt8>) -> [(number: Int, range: Range<Int>)] {
        let tokens = tokens(bytes)
        var found: [(Int, Range<Int>)] = []
        var index = 0
        while index + 2 < tokens.count {
            if case .integer(let number) = tokens[index].token, case .integer = tokens[index + 1].token,
                tokens[index + 2].token == .keyword("R")
            {
                found.append((number, tokens[index].range.lowerBound..<tokens[index + 2].range.upperBound))
                index += 3
            } else {
                index += 1
            }
        }
        return found
    }

    /// The objects referred to by `key`'s value: one for a reference, several for an array.
    private static func value(of key: String, in bytes: ArraySlice<UInt8>) -> [Int] {
        let tokens = tokens(bytes)
        guard let keyIndex = tokens.firstIndex(where: { $0.token == .name(key) }), keyIndex + 1 < tokens.count else { return [] }
        let valueStart = tokens[keyIndex + 1].range.lowerBound
        let valueEnd = tokens[(keyIndex + 1)...].first(where: { if case .name = $0.token { true } else { false } })?.range.lowerBound
            ?? bytes.endIndex
        return references(in: bytes[valueStart..<valueEnd]).map(\.number)
    }

    /// The in-use objects' offsets and the trailer dictionary.
    private static func crossReferences(_ bytes: [UInt8], at offset: Int) throws(SheetError) -> ([Int: Int], ArraySlice<UInt8>) {
        guard offset >= 0, offset < bytes.count, bytes[offset...].starts(with: Array("xref".utf8)) else {
            throw .unreadableRendering("no cross-reference table")
        }
        var lines = bytes[(offset + 4)...].split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true)[...]
        var offsets: [Int: Int] = [:]
        while let header = lines.first, !header.starts(with: Array("trailer".utf8)) {
            lines = lines.dropFirst()
            let numbers = integers(in: header)
            guard numbers.count == 2 else { throw .unreadableRendering("cross-reference subsection") }
            for number in numbers[0]..<numbers[0] + numbers[1] {
                guard let entry = lines.first else { throw .unreadableRendering("cross-reference table cut short") }
                lines = lines.dropFirst()
                let fields = integers(in: entry)
                guard fields.count == 2 else { throw .unreadableRendering("cross-reference entry") }
                if entry.contains(UInt8(ascii: "n")) { offsets[number] = fields[0] }
            }
        }
        guard let trailer = lines.first else { throw .unreadableRendering("no trailer") }
        return (offsets, bytes[trailer.startIndex..<bytes.endIndex])
    }
}
