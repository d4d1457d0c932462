import Foundation

/// A PDF file made of pages copied from `RenderedPDF`s, with each object a page uses
/// (content, fonts, images) copied once per file. Written under a temporary name created
/// 0600, and renamed into place only once complete, since every sheet holds a secret.
/// Not through the store's `AtomicFile`: that syncs each file to disk (0.4 ms a file
/// here, for 100,000 sheets a run), which sheets never did; a sheet lost to a crash is
/// reprinted with `mfa-enrol --reissue`.
public final class PDFFile {
    public let path: String
    private let title: String
    private let temporaryPath: String
    private let descriptor: Int32
    private var pending: [UInt8] = []
    private var flushedBytes = 0
    /// Byte offset of each object, by number; object 1 is the page tree, written last.
    private var offsets: [Int] = [0, 0]
    private var pageObjects: [Int] = []
    /// The PDF pages were last copied from, and its object numbers → this file's: pages
    /// come a chunk at a time, so only the latest source's objects can be asked for again.
    /// (Another source starts afresh; at worst an object is copied twice.)
    private var source: RenderedPDF?
    private var copies: [Int: Int] = [:]
    private var finished = false
    private static let pageTree = 1
    /// Pending bytes are written out beyond this; a batch file is written as it grows.
    private static let flushThreshold = 1 << 20

    public init(path: String, title: String) throws(SheetError) {
        self.path = path
        self.title = title
        temporaryPath = "\(path).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw .cannotWrite(path: path, reason: String(cString: strerror(errno))) }
        // The comment of bytes above 127 tells transfer tools that the file is not text.
        pending.append(contentsOf: Array("%PDF-1.5\n%".utf8) + [0xE2, 0xE3, 0xCF, 0xD3, 0x0A])
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
        if !finished { unlink(temporaryPath) }
    }

    /// Appends pages `indices` of `source`, in that order.
    public func addPages(_ indices: some Sequence<Int>, of source: RenderedPDF) throws(SheetError) {
        if source !== self.source { (self.source, copies) = (source, [source.pageTree: Self.pageTree]) }
        for index in indices {
            pageObjects.append(try copyWithReferences(source.pages[index], from: source))
        }
        if pending.count > Self.flushThreshold { try flush() }
    }

    /// Copies `object` and everything it refers to that this file lacks; returns its number here.
    private func copyWithReferences(_ object: Int, from source: RenderedPDF) throws(SheetError) -> Int {
        if let copied = copies[object] { return copied }
        copies[object] = newObjectNumber()
        var toCopy = [object]
        while let next = toCopy.popLast() {
            for reference in try source.references(of: next) where copies[reference] == nil {
                copies[reference] = newObjectNumber()
                toCopy.append(reference)
            }
            offsets[copies[next]!] = flushedBytes + pending.count
            try source.copy(next, into: &pending) { self.copies[$0]! }
        }
        return copies[object]!
    }

    private func newObjectNumber() -> Int {
        offsets.append(0)
        return offsets.count - 1
    }

    private func writeObject(_ number: Int, _ body: String) {
        offsets[number] = flushedBytes + pending.count
        pending.append(contentsOf: "\(number) 0 obj\n\(body)\nendobj\n".utf8)
    }

    /// Writes the page tree, the catalogue, the document information and the
    /// cross-reference table, then renames the file into place.
    public func finish() throws(SheetError) {
        let kids = pageObjects.map { "\($0) 0 R" }.joined(separator: " ")
        writeObject(Self.pageTree, "<< /Type /Pages /Kids [ \(kids) ] /Count \(pageObjects.count) >>")
        let information = newObjectNumber()
        writeObject(information, "<< /Title \(Self.textString(title)) /Creator (mfa-toolchain) /Producer (mfa-toolchain) >>")
        let catalogue = newObjectNumber()
        writeObject(catalogue, "<< /Type /Catalog /Pages \(Self.pageTree) 0 R >>")
        let crossReferences = flushedBytes + pending.count
        var table = "xref\n0 \(offsets.count)\n0000000000 65535 f \n"
        for offset in offsets.dropFirst() {
            let digits = String(offset)
            table += String(repeating: "0", count: max(0, 10 - digits.count)) + digits + " 00000 n \n"
        }
        table += "trailer\n<< /Size \(offsets.count) /Root \(catalogue) 0 R /Info \(information) 0 R >>\nstartxref\n\(crossReferences)\n%%EOF\n"
        pending.append(contentsOf: table.utf8)
        try flush()
        guard rename(temporaryPath, path) == 0 else { throw .cannotWrite(path: path, reason: String(cString: strerror(errno))) }
        finished = true
    }

    private func flush() throws(SheetError) {
        var written = 0
        while written < pending.count {
            let result = pending.withUnsafeBytes { write(descriptor, $0.baseAddress! + written, $0.count - written) }
            guard result > 0 else {
                if result < 0 && errno == EINTR { continue }
                throw .cannotWrite(path: path, reason: String(cString: strerror(errno)))
            }
            written += result
        }
        flushedBytes += pending.count
        pending.removeAll(keepingCapacity: true)
    }

    /// A PDF text string: literal when printable ASCII, else UTF-16BE in hex with its byte-order mark.
    static func textString(_ text: String) -> String {
        if text.unicodeScalars.allSatisfy({ (0x20..<0x7F).contains($0.value) }) {
            return "(" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "(", with: "\\(")
                .replacingOccurrences(of: ")", with: "\\)") + ")"
        }
        return "<FEFF" + text.utf16.map { String(format: "%04X", $0) }.joined() + ">"
    }
}
