import Foundation
import Logging
import MFAStore
import OTP
import TestSupport
import Testing

/// A workspace with both samples imported.
func sampleWorkspace(_ label: String) throws -> ToolWorkspace {
    let workspace = try ToolWorkspace(label)
    let files = [try workspace.copySample("users-gp-practices.csv"), try workspace.copySample("users-trust.xml")]
    let result = try workspace.run("mfa-import", files + ["--quiet"])
    precondition(result.status == 0, result.stderr)
    return workspace
}

@Suite("mfa-enrol: sheets that work")
struct EnrolSheetTests {
    let workspace: ToolWorkspace
    init() throws { workspace = try sampleWorkspace("enrol-sheets") }

    /// The secret of a login's current enrolment, unsealed from the store.
    func storedSecret(organisation: String, environment: String, username: String) throws -> (issuer: String, account: String, secret: [UInt8]) {
        let store = try Store.open(path: workspace.database, keyFilePath: workspace.keyFile, logger: Logger(label: "test"))
        let row = try store.database.row(
            """
            SELECT e.id, e.issuer, e.account_name, e.sealed_secret FROM enrolments e JOIN logins l ON l.id = e.login_id
            JOIN organisations o ON o.id = l.organisation_id
            WHERE o.code = ? AND l.environment = ? AND l.username = ? AND e.state IN ('pending', 'active')
            """, [organisation, environment, username]) { ($0.int64(0), $0.text(1), $0.text(2), $0.blob(3)) }
        let found = try #require(row)
        return (found.1, found.2, try store.vault.openSecret(found.3, enrolmentID: found.0))
    }

    @Test("each sheet's QR code decodes to the stored issuer, account and secret; oathtool's code from it is the store's", arguments: [
        ("sandpit/A81001/alice.smith_nhs.net.pdf", "A81001", "sandpit", "alice.smith@nhs.net", "Inhealthcare Sandpit", "alice.smith@nhs.net (Sandpit)"),
        ("live/A81001/alice.smith_nhs.net.pdf", "A81001", "live", "alice.smith@nhs.net", "Inhealthcare Live", "alice.smith@nhs.net (Live)"),
        ("live/B82005/locum.gp_nhs.net.pdf", "B82005", "live", "locum.gp@nhs.net", "Inhealthcare Live", "locum.gp@nhs.net (Live, B82005)"),
        ("live/RX1/renee.lefevre_nhs.net.pdf", "RX1", "live", "renee.lefevre@nhs.net", "Inhealthcare Live", "renee.lefevre@nhs.net (Live)"),
    ])
    func sheetRoundTrip(file: String, organisation: String, environment: String, username: String, issuer: String, account: String) throws {
        let result = try workspace.run("mfa-enrol", ["--sheets", "sheets"])
        #expect(result.status == 0, "\(result.stderr)")
        let pdf = workspace.folder.path("sheets/\(file)")
        let decoded = try decodeQRCodes(inPDF: pdf)
        #expect(decoded.count == 1)
        let uri = try OTPAuthURI(parsing: try #require(decoded.first))
        #expect(uri.issuer == issuer)
        #expect(uri.accountName == account)
        let stored = try storedSecret(organisation: organisation, environment: environment, username: username)
        #expect(uri.secret == stored.secret)
        #expect(stored.issuer == issuer && stored.account == account)
        #expect(uri.secret.count == 20)

        // The key printed for manual entry is the QR code's secret.
        let text = try pdfText(pdf)
        #expect(text.contains(Base32.grouped(Base32.encode(uri.secret))))
        #expect(text.contains(account))
        if environment == "sandpit" { #expect(text.contains("SANDPIT — NOT FOR LIVE PATIENT CARE")) }

        // An independent implementation computes the code the phone would show.
        let now = Int64(Date().timeIntervalSince1970)
        let code = try runProcess("/usr/bin/oathtool", ["--totp", "-b", Base32.encode(uri.secret), "--now", "@\(now)"]).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try TOTP(secret: stored.secret).code(at: now) == code)
    }

    @Test("the batch PDF has one page per login, sorted by display name")
    func batch() throws {
        #expect(try workspace.run("mfa-enrol", ["--sheets", "sheets"]).status == 0)
        let folder = workspace.folder.path("sheets/live/A81001")
        let batch = try #require(try FileManager.default.contentsOfDirectory(atPath: folder).first { $0.hasPrefix("all-") })
        let path = "\(folder)/\(batch)"
        #expect(try pdfPageCount(path) == 6)
        let names = try pdfText(path).components(separatedBy: "\u{0C}").compactMap { page in
            page.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
                .first { ["Aoife", "Alice", "Jean", "Reception", "Siân", "Zoë"].contains(where: $0.hasPrefix) }
        }
        #expect(names == ["Alice Smith", "Aoife Ní Bhriain", "Jean-Luc Dupont, Jr", "Reception Desk", "Siân O'Brien", "Zoë Núñez-Łukasz"])
        #expect(try decodeQRCodes(inPDF: path, page: 6).first?.contains("zoe.nunez") == true)
    }

    @Test("folders are 0700 and files 0600")
    func modes() throws {
        #expect(try workspace.run("mfa-enrol", ["--sheets", "sheets", "--qr", "svg"]).status == 0)
        let root = workspace.folder.path("sheets")
        #expect(fileMode(root) == 0o700)
        let enumerator = try #require(FileManager.default.enumerator(atPath: root))
        var files = 0
        for case let relative as String in enumerator {
            let path = "\(root)/\(relative)"
            var isDirectory: ObjCBool = false
            #expect(FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory))
            #expect(fileMode(path) == (isDirectory.boolValue ? 0o700 : 0o600), "\(relative)")
            if !isDirectory.boolValue { files += 1 }
        }
        #expect(files == 20 * 2 + 6)  // a PDF and an SVG per login, a batch per organisation and environment
    }

    @Test("--qr png writes images that decode to the same URI as the sheet")
    func pngImages() throws {
        #expect(try workspace.run("mfa-enrol", ["--sheets", "sheets", "--qr", "png", "--org", "RX1", "--env", "sandpit"]).status == 0)
        let image = workspace.folder.path("sheets/sandpit/RX1/priya.patel_nhs.net.png")
        #expect(try decodeQRCodes(inImage: image) == (try decodeQRCodes(inPDF: workspace.folder.path("sheets/sandpit/RX1/priya.patel_nhs.net.pdf"))))
    }
}

@Suite("mfa-enrol: who, how often, and recovering from a crash")
struct EnrolRunTests {
    let workspace: ToolWorkspace
    init() throws { workspace = try sampleWorkspace("enrol-runs") }

    @Test("everyone who needs MFA is enrolled once; a second run enrols nobody")
    func secondRunIsNoOp() throws {
        let first = try workspace.run("mfa-enrol", ["--no-sheets", "--json"])
        #expect(first.status == 0, "\(first.stderr)")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(first.stdout.utf8)) as? [String: Any])
        #expect(summary["enrolled"] as? Int == 20)
        #expect(summary["not_needing_mfa"] as? Int == 3)
        let second = try workspace.run("mfa-enrol", ["--no-sheets"])
        #expect(second.stdout.contains("already enrolled: 20"))
        #expect(second.stdout.contains("enrolled: 0"))
        #expect(try workspace.sql("SELECT count(*) FROM enrolments") == ["20"])
        #expect(try workspace.sql("SELECT count(recovery_codes), sum(recovery_codes_issued) FROM enrolments") == ["20|200"])
        #expect(try workspace.sql("SELECT DISTINCT state, algorithm, digits, period FROM enrolments") == ["pending|sha1|6|30"])
        // Patients are never enrolled.
        #expect(try workspace.sql("SELECT count(*) FROM enrolments e JOIN logins l ON l.id = e.login_id WHERE l.user_type = 'patient'") == ["0"])
    }

    @Test("no two current enrolments share an account name; Live and Sandpit both show their environment")
    func accountNames() throws {
        #expect(try workspace.run("mfa-enrol", ["--no-sheets"]).status == 0)
        #expect(try workspace.sql("SELECT count(*) - count(DISTINCT account_name) FROM enrolments") == ["0"])
        #expect(try workspace.sql("SELECT account_name FROM enrolments WHERE account_name LIKE 'locum.gp%' ORDER BY 1")
            == ["locum.gp@nhs.net (Live, A81001)", "locum.gp@nhs.net (Live, B82005)"])
        #expect(try workspace.sql("SELECT issuer || ' / ' || account_name FROM enrolments WHERE account_name LIKE 'alice.smith%' ORDER BY 1")
            == ["Inhealthcare Live / alice.smith@nhs.net (Live)", "Inhealthcare Sandpit / alice.smith@nhs.net (Sandpit)"])
    }

    @Test("a run that dies after the commit and before the sheets is finished by the next, with new recovery codes")
    func crashBetweenCommitAndSheets() throws {
        // A file where the sheets folder should be: the commit succeeds, the sheets cannot be written.
        try workspace.folder.write("blocked", "not a folder")
        let crashed = try workspace.run("mfa-enrol", ["--sheets", "blocked/sheets"])
        #expect(crashed.status == 1)
        #expect(crashed.stderr.contains("blocked"))
        #expect(try workspace.sql("SELECT count(*), count(sheet_issued_at) FROM enrolments") == ["20|0"])
        let oldHashes = try workspace.sql("SELECT hex(recovery_codes) FROM enrolments ORDER BY id")

        let next = try workspace.run("mfa-enrol", ["--sheets", "sheets"])
        #expect(next.status == 0, "\(next.stderr)")
        #expect(next.stdout.contains("enrolled: 0"))
        #expect(next.stdout.contains("sheets printed: 20 (20 with new recovery codes for earlier enrolments)"))
        #expect(try workspace.sql("SELECT count(*), count(sheet_issued_at) FROM enrolments") == ["20|20"])
        let newHashes = try workspace.sql("SELECT hex(recovery_codes) FROM enrolments ORDER BY id")
        #expect(newHashes.count == 20 && Set(newHashes).count == 20 && Set(newHashes).isDisjoint(with: oldHashes))
        #expect(FileManager.default.fileExists(atPath: workspace.folder.path("sheets/live/RX1/priya.patel_nhs.net.pdf")))
        #expect(try workspace.run("mfa-enrol", ["--sheets", "sheets"]).stdout.contains("sheets printed: 0"))
    }

    @Test("--reissue --user reprints a pending sheet with new codes; an active enrolment needs a reset instead")
    func reissue() throws {
        #expect(try workspace.run("mfa-enrol", ["--sheets", "sheets"]).status == 0)
        let priyaCodes = "SELECT hex(recovery_codes) FROM enrolments e JOIN logins l ON l.id = e.login_id WHERE l.username = 'priya.patel@nhs.net' AND l.environment = 'live'"
        let before = try workspace.sql(priyaCodes)
        let ambiguous = try workspace.run("mfa-enrol", ["--sheets", "sheets", "--reissue", "--user", "priya.patel@nhs.net"])
        #expect(ambiguous.status == 2)
        #expect(ambiguous.stderr.contains("narrow it with --org and --env"))
        let result = try workspace.run("mfa-enrol", ["--sheets", "sheets", "--reissue", "--user", "priya.patel@nhs.net", "--env", "live"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("sheets printed: 1"))
        let after = try workspace.sql(priyaCodes)
        #expect(before.count == 1 && after.count == 1 && after != before)

        try workspace.sql("UPDATE enrolments SET state = 'active', activated_at = 1 WHERE account_name = 'priya.patel@nhs.net (Live)'").forEach { _ in }
        let active = try workspace.run("mfa-enrol", ["--sheets", "sheets", "--reissue", "--user", "priya.patel@nhs.net", "--env", "live"])
        #expect(active.status == 1)
        #expect(active.stderr.contains("needs `mfa-admin reset`"))
    }

    @Test("--dry-run lists who would be enrolled and writes nothing")
    func dryRun() throws {
        let before = workspace.storeBytes()
        let result = try workspace.run("mfa-enrol", ["--dry-run", "--sheets", "sheets"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("would enrol B82005 Live locum.gp@nhs.net"))
        #expect(result.stdout.split(separator: "\n").filter { $0.hasPrefix("would enrol") }.count == 20)
        #expect(workspace.storeBytes() == before)
        #expect(!FileManager.default.fileExists(atPath: workspace.folder.path("sheets")))
    }

    @Test("an organisation with nobody needing MFA is not an error")
    func nobodyToEnrol() throws {
        let file = try workspace.folder.write("patients.csv", "Organisation,Environment,Username,Display Name,User Type\nP00001,Live,pat@example.org,Pat,patient\n")
        #expect(try workspace.run("mfa-import", [file]).status == 0)
        let result = try workspace.run("mfa-enrol", ["--org", "P00001", "--sheets", "sheets"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("needing MFA: 0"))
    }

    @Test("the Sandpit exemption configuration enrols only Organisation Admins in Sandpit")
    func sandpitExemption() throws {
        let config = try workspace.copySample("mfa-config-sandpit-exemption.json")
        #expect(try workspace.run("mfa-enrol", ["--no-sheets", "--config", config]).status == 0)
        #expect(try workspace.sql("SELECT l.username FROM enrolments e JOIN logins l ON l.id = e.login_id WHERE l.environment = 'sandpit' ORDER BY 1")
            == ["alice.smith@nhs.net", "priya.patel@nhs.net"])
    }
}
