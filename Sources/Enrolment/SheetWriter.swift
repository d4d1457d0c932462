import Foundation
import MFAStore
import Sheets

/// Writes set-up sheets: one PDF per login and one batch PDF per organisation and
/// environment (pages sorted by display name), under `DIRECTORY/<environment>/<ORG>/`.
/// Folders are 0700 and files 0600, since every sheet holds a secret.
struct SheetWriter {
    let directory: String
    let qrFormat: QRImageFormat?
    let issuedAt: Int64

    struct WrittenSheet: Sendable {
        var enrolmentID: Int64
        var loginID: Int64
        var username: String
        /// Relative to the sheets directory.
        var file: String
    }

    struct WrittenGroup: Sendable {
        var organisation: String
        var environment: Environment
        var batchFile: String
        var sheets: [WrittenSheet]
    }

    /// Sheets drawn as the pages of one PDF, then copied into their files: each chunk
    /// embeds its fonts once (`PDFPages`).
    static let chunkSize = 64
    /// Chunks drawn at once, on every core, before their pages join the batch file.
    static let chunksPerWave = 16

    func write(_ enrolments: [IssuedEnrolment], progress: (Int, Int) -> Void) throws -> [WrittenGroup] {
        let grouped = Dictionary(grouping: enrolments) { "\($0.environment.rawValue)/\($0.organisation)" }
        var written: [WrittenGroup] = []
        var done = 0
        for key in grouped.keys.sorted() {
            let members = grouped[key]!.sorted {
                ($0.displayName.lowercased(), $0.username) < ($1.displayName.lowercased(), $1.username)
            }
            let first = members[0]
            let relativeFolder = "\(first.environment.rawValue)/\(Self.safeFileName(first.organisation))"
            let folder = (directory as NSString).appendingPathComponent(relativeFolder)
            try AtomicFile.makeDirectory(directory, mode: 0o700)
            try AtomicFile.makeDirectory((directory as NSString).appendingPathComponent(first.environment.rawValue), mode: 0o700)
            try AtomicFile.makeDirectory(folder, mode: 0o700)

            let names = Self.fileNames(for: members)
            let batchName = "all-\(Self.safeFileName(first.organisation))-\(first.environment.rawValue)-\(Self.stamp(issuedAt)).pdf"
            let batch = try PDFFile(
                path: (folder as NSString).appendingPathComponent(batchName),
                title: "MFA set-up sheets: \(first.organisation) \(first.environment.displayName)")
            let chunks = stride(from: 0, to: members.count, by: Self.chunkSize).map { $0..<min($0 + Self.chunkSize, members.count) }
            for waveStart in stride(from: 0, to: chunks.count, by: Self.chunksPerWave) {
                let wave = Array(chunks[waveStart..<min(waveStart + Self.chunksPerWave, chunks.count)])
                let rendered = try wave.parallelMap { chunk in
                    try writeSheets(of: Array(members[chunk]), names: Array(names[chunk]), folder: folder)
                }
                for pages in rendered { try batch.addPages(pages.pages.indices, of: pages) }
                done += wave.reduce(0) { $0 + $1.count }
                progress(done, enrolments.count)
            }
            try batch.finish()
            written.append(
                WrittenGroup(
                    organisation: first.organisation, environment: first.environment, batchFile: "\(relativeFolder)/\(batchName)",
                    sheets: zip(members, names).map {
                        WrittenSheet(enrolmentID: $0.enrolmentID, loginID: $0.loginID, username: $0.username, file: "\(relativeFolder)/\($1).pdf")
                    }))
        }
        return written
    }

    /// Draws `members`' sheets as the pages of one PDF and writes each person's file (and
    /// QR image) from it; returns the pages, for the batch file.
    private func writeSheets(of members: [IssuedEnrolment], names: [String], folder: String) throws -> RenderedPDF {
        let issuedOn = Timestamp.isoDate(issuedAt)
        let codes = try members.map { try QRCode(encoding: $0.uri.uri()) }
        let pages = try PDFPages()
        for (enrolment, code) in zip(members, codes) {
            pages.addPage { enrolment.sheet(issuedOn: issuedOn).draw(on: $0, qrCode: code) }
        }
        let rendered = try pages.finish()
        for (index, (enrolment, name)) in zip(members, names).enumerated() {
            let file = try PDFFile(path: (folder as NSString).appendingPathComponent(name + ".pdf"), title: "MFA set-up sheet: \(enrolment.displayName)")
            try file.addPages([index], of: rendered)
            try file.finish()
            if let qrFormat {
                let image = (folder as NSString).appendingPathComponent(name + "." + qrFormat.rawValue)
                try AtomicFile.write(try qrFormat.encode(codes[index]), to: image, mode: 0o600)
            }
        }
        return rendered
    }

    /// Letters, digits, `.`, `-` and `_` only; anything else becomes `_`.
    static func safeFileName(_ text: String) -> String {
        let safe = String(text.unicodeScalars.map { scalar -> Character in
            let allowed = ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
                || scalar == "." || scalar == "-" || scalar == "_"
            return allowed ? Character(scalar) : "_"
        })
        // No hidden files, no `..`.
        return safe.hasPrefix(".") ? "_" + safe.dropFirst() : safe
    }

    /// A file name per login from its username, made unique within the group.
    static func fileNames(for members: [IssuedEnrolment]) -> [String] {
        var used = Set<String>()
        return members.map { enrolment in
            var name = safeFileName(enrolment.username)
            if used.contains(name) { name += "-\(enrolment.loginID)" }
            used.insert(name)
            return name
        }
    }

    /// `20261129T092320Z`
    static func stamp(_ time: Int64) -> String {
        Timestamp.isoDateTime(time).replacingOccurrences(of: "-", with: "").replacingOccurrences(of: ":", with: "")
    }
}
