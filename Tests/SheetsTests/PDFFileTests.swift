import Foundation
import OTP
import TestSupport
import Testing

@testable import Sheets

/// Sheets are drawn as the pages of one PDF and copied into files: each file must be a
/// whole, valid PDF that shows its own sheets and nobody else's.
@Suite("PDF pages copied into files")
struct PDFFileTests {
    let folder: TemporaryDirectory
    let sheets: [EnrolmentSheet]
    let rendered: RenderedPDF

    init() throws {
        folder = try TemporaryDirectory("pdf")
        sheets = ["Siân O'Brien", "Zoë (Locum) Núñez", "Bob Smith-Jones"].enumerated().map { index, name in
            EnrolmentSheet(
                organisation: "A81001", environment: index == 1 ? "Sandpit" : "Live", isLive: index != 1, displayName: name,
                username: "user\(index)@nhs.net",
                uri: OTPAuthURI(issuer: "Inhealthcare", accountName: "user\(index)@nhs.net (Live)", secret: Secret.random()),
                recoveryCodes: RecoveryCode.generate(count: 10), issuedOn: "2026-11-29")
        }
        let pages = try PDFPages()
        for sheet in sheets {
            let code = try QRCode(encoding: try sheet.uri.uri())
            pages.addPage { sheet.draw(on: $0, qrCode: code) }
        }
        rendered = try pages.finish()
    }

    /// pdfinfo's fields, failing on anything poppler complains about.
    func information(_ path: String) throws -> [String: String] {
        let result = try runProcess("/usr/bin/pdfinfo", [path])
        #expect(result.status == 0 && result.stderr.isEmpty, "pdfinfo: \(result.stderr)")
        return Dictionary(
            result.stdout.split(separator: "\n").compactMap { line in
                line.firstIndex(of: ":").map { (String(line[..<$0]), line[line.index(after: $0)...].trimmingCharacters(in: .whitespaces)) }
            }, uniquingKeysWith: { first, _ in first })
    }

    @Test("each person's file holds their page only, with its QR code (no one else's), text and title")
    func singlePages() throws {
        for (index, sheet) in sheets.enumerated() {
            let path = folder.path("sheet-\(index).pdf")
            let file = try PDFFile(path: path, title: "MFA set-up sheet: \(sheet.displayName)")
            try file.addPages([index], of: rendered)
            try file.finish()
            let info = try information(path)
            #expect(info["Pages"] == "1")
            #expect(info["Title"] == "MFA set-up sheet: \(sheet.displayName)")
            #expect(try decodeQRCodes(inPDF: path) == [try sheet.uri.uri()])
            let text = try pdfText(path)
            #expect(text.contains(sheet.displayName) && text.contains(sheet.groupedSecret))
            // Another person's QR code would carry their secret, drawn or not: one image only.
            let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            #expect(bytes.ranges(of: Data("/Subtype /Image".utf8)).count == 1)
            for other in sheets where other.displayName != sheet.displayName {
                #expect(!text.contains(other.username) && !text.contains(other.groupedSecret))
            }
            let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
            #expect(mode == 0o600)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path).sorted() == ["sheet-0.pdf", "sheet-1.pdf", "sheet-2.pdf"])
    }

    @Test("a file of pages from two drawings keeps their order and copies shared objects once per drawing")
    func batch() throws {
        let path = folder.path("batch.pdf")
        let file = try PDFFile(path: path, title: "batch")
        try file.addPages([2, 0], of: rendered)
        try file.addPages([1], of: rendered)
        let again = try PDFPages()
        again.addPage { sheets[0].draw(on: $0, qrCode: try! QRCode(encoding: try! sheets[0].uri.uri())) }
        try file.addPages([0], of: try again.finish())
        try file.finish()
        #expect(try information(path)["Pages"] == "4")
        let pages = try pdfText(path).split(separator: "\u{0C}").map(String.init)
        #expect(pages.count >= 4)
        for (page, sheet) in zip(pages, [sheets[2], sheets[0], sheets[1], sheets[0]]) { #expect(page.contains(sheet.username)) }
        // Three faces, embedded once for each drawing the pages came from.
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(bytes.ranges(of: Data("/FontFile2".utf8)).count == 6)
        for page in 1...4 { #expect(try decodeQRCodes(inPDF: path, page: page).count == 1) }
    }

    @Test("pages from one short-lived drawing after another each bring their own objects")
    func drawingsInTurn() throws {
        let path = folder.path("turns.pdf")
        let file = try PDFFile(path: path, title: "turns")
        for turn in 0..<12 {
            // Each drawing is freed once copied, so a new one may reuse its memory.
            let pages = try PDFPages()
            let sheet = sheets[turn % sheets.count]
            pages.addPage { sheet.draw(on: $0, qrCode: try! QRCode(encoding: try! sheet.uri.uri())) }
            try file.addPages([0], of: try pages.finish())
        }
        try file.finish()
        for page in [1, 6, 12] {
            #expect(try decodeQRCodes(inPDF: path, page: page) == [try sheets[(page - 1) % sheets.count].uri.uri()])
        }
    }

    @Test("a file abandoned before it is finished leaves nothing behind")
    func abandoned() throws {
        do {
            let file = try PDFFile(path: folder.path("never.pdf"), title: "never")
            try file.addPages([0], of: rendered)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path).isEmpty)
    }

    @Test(
        "a PDF not laid out as cairo writes it is refused, not copied wrongly",
        arguments: [
            "", "%PDF-1.5\n", "%PDF-1.5\nstartxref\n9999\n%%EOF\n",
            "%PDF-1.5\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\nxref\n0 2\n0000000000 65535 f \n0000000009 00000 n \ntrailer\n<< /Size 2 /Root 1 0 R >>\nstartxref\nXREF\n%%EOF\n",
        ])
    func refused(text: String) {
        // XREF: where the cross-reference table is, so that only the missing page tree is wrong.
        let offset = text.range(of: "xref\n").map { text.utf8.distance(from: text.startIndex, to: $0.lowerBound) } ?? 0
        let bytes = Array(text.replacingOccurrences(of: "XREF", with: "\(offset)").utf8)
        #expect(throws: SheetError.self) { try RenderedPDF(bytes) }
    }

    @Test("titles are PDF text strings: parentheses and backslashes escaped, anything else in UTF-16")
    func titles() {
        #expect(PDFFile.textString("a (b) \\ c") == "(a \\(b\\) \\\\ c)")
        #expect(PDFFile.textString("Zoë") == "<FEFF005A006F00EB>")
    }
}
