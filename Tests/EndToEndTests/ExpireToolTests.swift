import Foundation
import OTP
import TestSupport
import Testing

@Suite("mfa-expire")
struct ExpireToolTests {
    let workspace: ToolWorkspace
    let now: Int64 = 1_800_000_000
    let renee = ["--org", "RX1", "--env", "Live", "--user", "renee.lefevre@nhs.net"]

    init() throws {
        workspace = try sampleWorkspace("expire")
        workspace.environment["MFA_NOW"] = "\(now)"
        let enrolled = try workspace.run("mfa-enrol", ["--sheets", "sheets"])
        precondition(enrolled.status == 0, enrolled.stderr)
    }

    func deletions(_ rows: [String]) throws -> String {
        try workspace.folder.write("deleted-\(UUID().uuidString.prefix(4)).csv", "Organisation,Environment,Username,Display Name\n" + rows.joined(separator: "\n") + "\n")
    }

    /// `bytes` as they appear in the file, or as the hex SQLite would never write: a raw search.
    func storeFilesContain(_ bytes: Data) -> Bool {
        workspace.storeBytes().range(of: bytes) != nil
    }

    private static func bytes(hex: String) -> Data {
        Data(stride(from: 0, to: hex.count, by: 2).map { UInt8(hex.dropFirst($0).prefix(2), radix: 16)! })
    }

    @Test("a deleted user's enrolment expires: the secret and codes leave the database file, and a correct code no longer verifies")
    func deletedUserExpires() throws {
        let printed = try PrintedSheet(workspace.folder.path("sheets/live/RX1/renee.lefevre_nhs.net.pdf"))
        let sealedHex = try #require(try workspace.sql("SELECT hex(sealed_secret) FROM enrolments WHERE account_name = 'renee.lefevre@nhs.net (Live)'").first)
        let sealed = Self.bytes(hex: sealedHex)
        let codesHex = try #require(try workspace.sql("SELECT hex(recovery_codes) FROM enrolments WHERE account_name = 'renee.lefevre@nhs.net (Live)'").first)
        let codes = Self.bytes(hex: codesHex)
        #expect(codes.count == RecoveryCodeHasher.headerBytes + 10 * RecoveryCodeHasher.digestBytes)
        let digests = stride(from: RecoveryCodeHasher.headerBytes, to: codes.count, by: RecoveryCodeHasher.digestBytes).map {
            codes[codes.startIndex + $0..<codes.startIndex + $0 + RecoveryCodeHasher.digestBytes]
        }
        #expect(storeFilesContain(sealed))
        #expect(digests.allSatisfy(storeFilesContain))

        let result = try workspace.run("mfa-expire", ["--deleted", try deletions(["RX1,Live,renee.lefevre@nhs.net,Renée"]), "--allow-mass-expiry"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("expired: 1 (user deleted: 1"))
        #expect(try workspace.sql("SELECT state, end_reason, sealed_secret IS NULL, recovery_codes IS NULL FROM enrolments WHERE account_name = 'renee.lefevre@nhs.net (Live)'") == ["expired|user-deleted|1|1"])
        #expect(!storeFilesContain(sealed), "the sealed secret is still in the database files")
        for digest in digests { #expect(!storeFilesContain(Data(digest)), "a recovery code hash is still in the database files") }

        let verify = try workspace.run("mfa-admin", ["verify"] + renee + ["--code", try printed.code(at: now)])
        #expect(verify.status == 1)
        #expect(verify.stderr.contains("is deleted"))
        #expect(try workspace.run("mfa-admin", ["redeem"] + renee + ["--code", printed.recoveryCodes[0]]).status == 1)

        let again = try workspace.run("mfa-expire", [])
        #expect(again.status == 0)
        #expect(again.stdout.contains("expired: 0"))
    }

    @Test("users marked deleted by an import are expired by the next run")
    func deletedByImport() throws {
        let file = try workspace.folder.write("roster.csv", "Organisation,Environment,Username,Display Name,Status\nRX1,Live,renee.lefevre@nhs.net,Renée,deleted\n")
        #expect(try workspace.run("mfa-import", [file]).status == 0)
        let result = try workspace.run("mfa-expire", ["--allow-mass-expiry", "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["expired_user_deleted"] as? Int == 1)
        #expect(try workspace.sql("SELECT kind, json_extract(detail, '$.reason') FROM events WHERE kind = 'enrolment.expired'") == ["enrolment.expired|user-deleted"])
    }

    @Test("the guard refuses a mass expiry, leaving the store untouched; --allow-mass-expiry passes it")
    func massExpiryGuard() throws {
        let list = try deletions(["RX1,Live,renee.lefevre@nhs.net,R", "RX1,Live,oluwaseun.adeyemi@nhs.net,O"])
        let before = workspace.storeBytes()
        let refused = try workspace.run("mfa-expire", ["--deleted", list])
        #expect(refused.status == 3)
        #expect(refused.stderr.contains("RX1 Live: 2 of 5 current enrolments would expire"))
        #expect(workspace.storeBytes() == before)
        #expect(try workspace.sql("SELECT count(*) FROM logins WHERE status = 'deleted'") == ["0"])
        #expect(try workspace.run("mfa-expire", ["--deleted", list, "--max-expiry-fraction", "0.5"]).status == 0)
        #expect(try workspace.sql("SELECT count(*) FROM enrolments WHERE state = 'expired'") == ["2"])
    }

    @Test("--pending-max-age expires sheets nobody activated; the next mfa-enrol issues fresh ones")
    func neverActivated() throws {
        let printed = try PrintedSheet(workspace.folder.path("sheets/live/RX1/priya.patel_nhs.net.pdf"))
        #expect(try workspace.run("mfa-admin", ["verify", "--org", "RX1", "--env", "Live", "--user", "priya.patel@nhs.net", "--code", try printed.code(at: now)]).status == 0)
        let later = ["MFA_NOW": "\(now + 31 * 86_400)"]
        let dry = try workspace.run("mfa-expire", ["--pending-max-age", "30d", "--allow-mass-expiry", "--dry-run"], environment: later)
        #expect(dry.stdout.split(separator: "\n").filter { $0.hasSuffix("(never-activated)") }.count == 19)
        let result = try workspace.run("mfa-expire", ["--pending-max-age", "30d", "--allow-mass-expiry"], environment: later)
        #expect(result.stdout.contains("never activated: 19"))
        #expect(try workspace.sql("SELECT state FROM enrolments WHERE account_name = 'priya.patel@nhs.net (Live)'") == ["active"])
        let enrol = try workspace.run("mfa-enrol", ["--sheets", "sheets"], environment: later)
        #expect(enrol.stdout.contains("enrolled: 19"))
    }

    @Test("--dry-run changes nothing")
    func dryRun() throws {
        let list = try deletions(["RX1,Live,renee.lefevre@nhs.net,R"])
        let before = workspace.storeBytes()
        let result = try workspace.run("mfa-expire", ["--deleted", list, "--allow-mass-expiry", "--dry-run"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("would expire RX1 Live renee.lefevre@nhs.net (user-deleted)"))
        #expect(workspace.storeBytes() == before)
    }

    @Test("a deletions file with bad records is refused with file and line, changing nothing")
    func badDeletionsFile() throws {
        let list = try deletions(["RX1,Live,renee lefevre,R"])
        let before = workspace.storeBytes()
        let result = try workspace.run("mfa-expire", ["--deleted", list])
        #expect(result.status == 3)
        #expect(result.stderr.contains(":2: username:"))
        #expect(workspace.storeBytes() == before)
    }

    @Test("a login deleted and listed again later is a new start, with a new enrolment")
    func reappearingUser() throws {
        #expect(try workspace.run("mfa-expire", ["--deleted", try deletions(["RX1,Live,renee.lefevre@nhs.net,R"]), "--allow-mass-expiry"]).status == 0)
        let back = try workspace.folder.write("back.csv", "Organisation,Environment,Username,Display Name,Roles\nRX1,Live,renee.lefevre@nhs.net,Renée Lefèvre,Clinician\n")
        #expect(try workspace.run("mfa-import", [back]).status == 0)
        let enrol = try workspace.run("mfa-enrol", ["--sheets", "sheets"])
        #expect(enrol.stdout.contains("enrolled: 1"))
        #expect(try workspace.sql("SELECT state FROM enrolments WHERE account_name = 'renee.lefevre@nhs.net (Live)' ORDER BY id") == ["expired", "pending"])
        let fresh = try PrintedSheet(workspace.folder.path("sheets/live/RX1/renee.lefevre_nhs.net.pdf"))
        #expect(try workspace.run("mfa-admin", ["verify"] + renee + ["--code", try fresh.code(at: now)]).status == 0)
    }

    @Test("a second run while one holds the lock exits 4 at once; a lock left by a dead process does not block")
    func lock() throws {
        let lockPath = workspace.database + ".lock"
        let descriptor = open(lockPath, O_RDWR | O_CREAT, 0o600)
        #expect(flock(descriptor, LOCK_EX | LOCK_NB) == 0)
        let started = Date()
        let blocked = try workspace.run("mfa-expire", [])
        #expect(blocked.status == 4)
        #expect(blocked.stderr.contains("another run holds"))
        #expect(Date().timeIntervalSince(started) < 5)
        close(descriptor)
        // The file stays behind, naming a process long gone: no longer locked, so no obstacle.
        try workspace.folder.write("mfa.sqlite.lock", "999999\n")
        #expect(try workspace.run("mfa-expire", []).status == 0)
    }
}

@Suite("mfa-expire: killed mid-way")
struct ExpireKillTests {
    @Test("SIGKILL at any moment leaves everything or nothing expired, and the next run completes")
    func killed() throws {
        let workspace = try ToolWorkspace("expire-kill")
        let count = 3000
        var roster = "Organisation,Environment,Username,Display Name\n"
        for index in 0..<count { roster += "K\(index % 3),Live,user\(index)@nhs.net,User \(index)\n" }
        let file = try workspace.folder.write("big.csv", roster)
        #expect(try workspace.run("mfa-import", [file, "--quiet"]).status == 0)
        let config = try workspace.folder.write("fast.json", #"{"recovery_code_count": 2}"#)
        #expect(try workspace.run("mfa-enrol", ["--no-sheets", "--quiet", "--config", config]).status == 0)
        var deleted = "Organisation,Environment,Username,Display Name,Status\n"
        for index in stride(from: 0, to: count, by: 2) { deleted += "K\(index % 3),Live,user\(index)@nhs.net,User,deleted\n" }
        #expect(try workspace.run("mfa-import", [try workspace.folder.write("deleted.csv", deleted), "--quiet"]).status == 0)
        let toExpire = count / 2

        var interrupted = 0
        for delay in [5_000, 20_000, 60_000, 120_000, 250_000] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: tool("mfa-expire"))
            process.arguments = ["--allow-mass-expiry", "--quiet"]
            process.environment = ["MFA_DB": workspace.database, "MFA_KEY_FILE": workspace.keyFile]
            try process.run()
            usleep(useconds_t(delay))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            if process.terminationReason == .uncaughtSignal { interrupted += 1 }
            #expect(try workspace.sql("PRAGMA integrity_check") == ["ok"])
            let expired = Int(try workspace.sql("SELECT count(*) FROM enrolments WHERE state = 'expired'")[0])!
            #expect(expired == 0 || expired == toExpire, "a killed run left \(expired) of \(toExpire) expired")
            let orphanCodes = try workspace.sql("SELECT count(*) FROM enrolments WHERE state = 'expired' AND (recovery_codes IS NOT NULL OR sealed_secret IS NOT NULL)")
            #expect(orphanCodes == ["0"])
            if expired == toExpire { break }
        }
        #expect(interrupted > 0, "no run was interrupted; the test proved nothing")
        let final = try workspace.run("mfa-expire", ["--allow-mass-expiry"])
        #expect(final.status == 0)
        #expect(try workspace.sql("SELECT count(*) FROM enrolments WHERE state = 'expired'") == ["\(toExpire)"])
        #expect(try workspace.sql("SELECT count(*) FROM enrolments e JOIN logins l ON l.id = e.login_id WHERE l.status = 'deleted' AND e.state IN ('pending', 'active')") == ["0"])
    }
}
