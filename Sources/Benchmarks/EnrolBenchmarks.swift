import Crypto
import Foundation
import OTP
import Sheets
import SyntheticRoster

/// Where a login's sheet time goes, measured piece by piece on one core.
func benchmarkSheetParts() throws -> [Figure] {
    let workspace = try BenchWorkspace("sheet-parts")
    let count = 300
    let sheets = (0..<count).map { index in
        EnrolmentSheet(
            organisation: "A81001", environment: "Sandpit", isLive: false, displayName: "Siân O'Brien \(index)",
            username: "sian.obrien\(index)@nhs.net",
            uri: OTPAuthURI(issuer: "Inhealthcare Sandpit", accountName: "sian.obrien\(index)@nhs.net (Sandpit)", secret: Secret.random()),
            recoveryCodes: RecoveryCode.generate(count: 10), issuedOn: "2026-11-29")
    }
    var codes: [QRCode] = []
    let qr = try seconds { codes = try sheets.map { try QRCode(encoding: try $0.uri.uri()) } }
    // As mfa-enrol does it: a chunk of sheets drawn as the pages of one PDF, each page
    // then copied into its own file and into the batch file.
    var rendered: RenderedPDF?
    let drawing = try seconds {
        let pages = try PDFPages()
        for (sheet, code) in zip(sheets, codes) { pages.addPage { sheet.draw(on: $0, qrCode: code) } }
        rendered = try pages.finish()
    }
    let single = try seconds {
        for index in 0..<count {
            let file = try PDFFile(path: workspace.path("single-\(index).pdf"), title: "sheet")
            try file.addPages([index], of: rendered!)
            try file.finish()
        }
    }
    let batch = try seconds {
        let file = try PDFFile(path: workspace.path("batch.pdf"), title: "batch")
        try file.addPages(rendered!.pages.indices, of: rendered!)
        try file.finish()
    }
    let hasher = RecoveryCodeHasher(pepper: SymmetricKey(size: .bits256))
    let hashing = try seconds { for sheet in sheets { _ = try hasher.hash(sheet.recoveryCodes) } }
    let perLogin = { (elapsed: Double) in elapsed / Double(count) * 1000 }
    return [
        Figure("sheet parts", "QR encode, per login", perLogin(qr), "ms"),
        Figure("sheet parts", "draw a page, \(count) per PDF, per login", perLogin(drawing), "ms"),
        Figure("sheet parts", "copy the page into its own file, per login", perLogin(single), "ms"),
        Figure("sheet parts", "copy the page into the batch file, per login", perLogin(batch), "ms"),
        Figure("sheet parts", "hash 10 recovery codes, per login", perLogin(hashing), "ms"),
    ]
}

/// `mfa-enrol` on a fresh store of `count` logins needing MFA, with sheets and without.
func benchmarkEnrol(count: Int) throws -> [Figure] {
    let workspace = try BenchWorkspace("enrol")
    // Every generated staff and service login needs MFA; patients (about 10 %) do not.
    let roster = RosterGenerator(count: count * 100 / 89, seed: 11, deletedShare: 0)
    let csv = workspace.path("users.csv")
    try RosterWriter.write(roster, format: .csv, to: csv)
    var figures: [Figure] = []
    let label = "enrol \(count / 1000)k"
    for withSheets in [false, true] {
        let store = try workspace.freshStore(withSheets ? "sheets" : "plain")
        _ = try workspace.tool("mfa-import", [csv, "--quiet"], store: store)
        let arguments = withSheets ? ["--sheets", workspace.path("sheets"), "--json"] : ["--no-sheets", "--json"]
        // As in the other benchmarks: the kernel done writing back what the import wrote.
        sync()
        let run = try workspace.tool("mfa-enrol", arguments, store: store)
        let enrolled = try enrolledCount(run.stdout)
        let name = withSheets ? "with sheets (per-login + batch PDFs)" : "without sheets"
        figures.append(Figure(label, "\(name): \(enrolled) logins", Double(enrolled) / run.seconds, "logins/s"))
        figures.append(Figure(label, "\(name): peak RSS", run.peakResidentMiB, "MiB"))
        try? FileManager.default.removeItem(atPath: workspace.path("sheets"))
    }
    return figures
}

private func enrolledCount(_ json: String) throws -> Int {
    guard let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any], let enrolled = object["enrolled"] as? Int else {
        throw BenchmarkError("mfa-enrol --json printed no count")
    }
    return enrolled
}
