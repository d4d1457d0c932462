import Foundation
import MFAStore
import OTP
import TestSupport
import Testing

@testable import Enrolment

/// A group larger than one wave of chunks: its pages cross chunk and wave boundaries, where
/// each chunk's drawing is copied into the batch file after the one before.
@Suite("sheet writer")
struct SheetWriterTests {
    @Test("a batch of more than one wave keeps every page in display-name order, each with its own QR code")
    func largeGroup() throws {
        let folder = try TemporaryDirectory("sheet-writer")
        let count = SheetWriter.chunkSize * SheetWriter.chunksPerWave + SheetWriter.chunkSize + 12
        // Ids run opposite to the names' order, so nothing is in order by accident.
        let enrolments = (0..<count).map { index in
            IssuedEnrolment(
                enrolmentID: Int64(count - index), loginID: Int64(count - index), organisation: "A81001", environment: .sandpit,
                username: "user\(index)@nhs.net", displayName: String(format: "Person %05d", count - 1 - index),
                uri: OTPAuthURI(issuer: "Inhealthcare Sandpit", accountName: "user\(index)@nhs.net (Sandpit)", secret: Secret.random()),
                recoveryCodes: RecoveryCode.generate(count: 10))
        }
        var reported: [Int] = []
        let groups = try SheetWriter(directory: folder.path("sheets"), qrFormat: nil, issuedAt: 0).write(enrolments) { done, _ in reported.append(done) }

        #expect(reported.last == count && reported == reported.sorted())
        let batch = folder.path("sheets/" + groups[0].batchFile)
        #expect(try pdfPageCount(batch) == count)
        let pages = try pdfText(batch).split(separator: "\u{0C}", omittingEmptySubsequences: false)
        let byName = enrolments.sorted { $0.displayName < $1.displayName }
        for (page, enrolment) in zip(pages, byName) { #expect(page.contains(enrolment.username + "\n") || page.contains(enrolment.username + " ")) }
        let boundaries = [1, SheetWriter.chunkSize, SheetWriter.chunkSize + 1, SheetWriter.chunkSize * SheetWriter.chunksPerWave,
                          SheetWriter.chunkSize * SheetWriter.chunksPerWave + 1, count]
        for page in boundaries {
            #expect(try decodeQRCodes(inPDF: batch, page: page) == [try byName[page - 1].uri.uri()], "page \(page)")
        }
        for enrolment in [byName[0], byName[SheetWriter.chunkSize], byName[count - 1]] {
            let file = folder.path("sheets/sandpit/A81001/" + SheetWriter.safeFileName(enrolment.username) + ".pdf")
            #expect(try decodeQRCodes(inPDF: file) == [try enrolment.uri.uri()])
            #expect(try pdfPageCount(file) == 1)
        }
        #expect(groups[0].sheets.count == count)
    }
}
