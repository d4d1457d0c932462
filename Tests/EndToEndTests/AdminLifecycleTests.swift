import Foundation
import OTP
import TestSupport
import Testing

/// What a person reads off their sheet.
struct PrintedSheet {
    var secret: String
    var recoveryCodes: [String]

    init(_ path: String) throws {
        let uri = try OTPAuthURI(parsing: try #require(try decodeQRCodes(inPDF: path).first))
        secret = Base32.encode(uri.secret)
        let text = try pdfText(path)
        recoveryCodes = text.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init).filter {
            $0.count == 11 && $0.split(separator: "-").map(\.count) == [5, 5]
        }
    }

    /// The code oathtool computes for `time`.
    func code(at time: Int64) throws -> String {
        try runProcess("/usr/bin/oathtool", ["--totp", "-b", secret, "--now", "@\(time)"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

@Suite("mfa-admin: verify, redeem, reset, status")
struct AdminLifecycleTests {
    let workspace: ToolWorkspace
    /// A fixed moment, so codes and replays are deterministic.
    let now: Int64 = 1_800_000_000
    let priya = ["--org", "RX1", "--env", "Live", "--user", "priya.patel@nhs.net"]
    let renee = ["--org", "RX1", "--env", "Live", "--user", "renee.lefevre@nhs.net"]

    init() throws {
        workspace = try sampleWorkspace("lifecycle")
        workspace.environment["MFA_NOW"] = "\(now)"
        let enrolled = try workspace.run("mfa-enrol", ["--sheets", "sheets"])
        precondition(enrolled.status == 0, enrolled.stderr)
    }

    func sheet(_ name: String) throws -> PrintedSheet { try PrintedSheet(workspace.folder.path("sheets/live/RX1/\(name).pdf")) }

    func admin(_ arguments: [String], at time: Int64? = nil) throws -> ProcessResult {
        try workspace.run("mfa-admin", arguments, environment: time.map { ["MFA_NOW": "\($0)"] } ?? [:])
    }

    @Test("the first correct code activates; the same code again, or one from two steps ago, is refused")
    func activateAndReplay() throws {
        let printed = try sheet("priya.patel_nhs.net")
        let first = try admin(["verify"] + priya + ["--code", try printed.code(at: now), "--app", "portal"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("enrolment activated"))
        let replay = try admin(["verify"] + priya + ["--code", try printed.code(at: now)])
        #expect(replay.status == 1)
        #expect(replay.stderr.contains("already been used"))
        let old = try admin(["verify"] + priya + ["--code", try printed.code(at: now - 60)], at: now + 30)
        #expect(old.status == 1)
        #expect(old.stderr.contains("wrong code"))
        let next = try admin(["verify"] + priya + ["--code", try printed.code(at: now + 30), "--app", "ihma"], at: now + 30)
        #expect(next.status == 0)
        #expect(try workspace.sql("SELECT state, last_used_app FROM enrolments WHERE account_name = 'priya.patel@nhs.net (Live)'") == ["active|IHMA"])
        #expect(try workspace.sql("SELECT kind, outcome, app FROM events WHERE username = 'priya.patel@nhs.net' AND kind LIKE 'verification%' OR kind = 'enrolment.activated' ORDER BY id")
            == ["enrolment.activated|ok|Portal", "verification.succeeded|ok|Portal", "verification.failed|refused|", "verification.failed|refused|", "verification.succeeded|ok|IHMA"])
    }

    @Test("two processes verifying the same code at once: exactly one is accepted", arguments: 0..<5)
    func concurrentVerification(trial: Int) throws {
        let time = now + Int64(trial) * 30
        let code = try sheet("priya.patel_nhs.net").code(at: time)
        let environment = ["MFA_DB": workspace.database, "MFA_KEY_FILE": workspace.keyFile, "MFA_NOW": "\(time)"]
        let results = try [0, 1].parallelRuns { _ in
            try runProcess(tool("mfa-admin"), ["verify"] + priya + ["--code", code], environment: environment)
        }
        #expect(results.map(\.status).sorted() == [0, 1], "\(results.map(\.stderr))")
    }

    @Test("lockout after the limit, counted across processes; an Organisation Admin's reset clears it")
    func lockoutAndReset() throws {
        let config = try workspace.folder.write("strict.json", #"{"max_failed_attempts": 3}"#)
        for attempt in 1...3 {
            let result = try workspace.run("mfa-admin", ["verify"] + renee + ["--code", "000000", "--config", config])
            #expect(result.status == 1)
            if attempt == 3 { #expect(result.stderr.contains("locked after 3 failed attempts")) }
        }
        let good = try workspace.run("mfa-admin", ["verify"] + renee + ["--code", try sheet("renee.lefevre_nhs.net").code(at: now), "--config", config])
        #expect(good.status == 1)
        #expect(good.stderr.contains("locked"))
        #expect(try admin(["status"] + renee).stdout.contains("LOCKED"))

        let reset = try admin(["reset"] + renee + ["--by", "priya.patel@nhs.net", "--sheets", "sheets"])
        #expect(reset.status == 0, "\(reset.stderr)")
        let fresh = try sheet("renee.lefevre_nhs.net")
        #expect(try admin(["verify"] + renee + ["--code", try fresh.code(at: now)]).status == 0)
        #expect(try workspace.sql("SELECT state, end_reason, sealed_secret IS NULL FROM enrolments WHERE account_name = 'renee.lefevre@nhs.net (Live)' ORDER BY id")
            == ["ended|reset|1", "active||0"])
        #expect(try workspace.sql("SELECT actor FROM events WHERE kind = 'enrolment.reset'") == ["priya.patel@nhs.net"])
    }

    @Test("a reset by a non-admin, an admin of another organisation or a deleted admin is refused", arguments: [
        ("renee.lefevre@nhs.net", "does not have the Organisation Admin role"),
        ("bjorn.andersson@nhs.net", "is not a login of RX1"),
        ("gareth.left@nhs.net", "is not a login of RX1"),
        ("priya.patel@nhs.net", "is a deleted login"),
    ])
    func unauthorisedReset(admin adminName: String, message: String) throws {
        if adminName == "priya.patel@nhs.net" {
            let file = try workspace.folder.write("gone.csv", "Organisation,Environment,Username,Display Name,Status\nRX1,Live,priya.patel@nhs.net,Priya,deleted\n")
            #expect(try workspace.run("mfa-import", [file]).status == 0)
        }
        let target = ["--org", "RX1", "--env", "Live", "--user", "oluwaseun.adeyemi@nhs.net"]
        let before = try workspace.sql("SELECT id, state FROM enrolments ORDER BY id")
        let result = try admin(["reset"] + target + ["--by", adminName])
        #expect(result.status == 1)
        #expect(result.stderr.contains("not authorised"))
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(try workspace.sql("SELECT id, state FROM enrolments ORDER BY id") == before)
    }

    @Test("automation may reset with a reason; a deleted login cannot be reset")
    func systemReset() throws {
        let result = try admin(["reset"] + renee + ["--by-system", "phone replaced via service desk ticket 4711", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try workspace.sql("SELECT actor FROM events WHERE kind = 'enrolment.reset'") == ["system: phone replaced via service desk ticket 4711"])
        let deleted = try admin(["reset", "--org", "RX1", "--env", "Live", "--user", "gareth.left@nhs.net", "--by", "priya.patel@nhs.net"])
        #expect(deleted.status == 1)
    }

    @Test("each recovery code works exactly once, in any order and any case; the answer counts what is left")
    func recoveryCodes() throws {
        let codes = try sheet("priya.patel_nhs.net").recoveryCodes
        #expect(codes.count == 10)
        for (index, code) in codes.reversed().enumerated() {
            let typed = index.isMultiple(of: 2) ? code.lowercased() : code.replacingOccurrences(of: "-", with: " ")
            let result = try admin(["redeem"] + priya + ["--code", typed, "--app", "IHDA-GP"])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.contains("\(9 - index) recovery codes left"))
        }
        let again = try admin(["redeem"] + priya + ["--code", codes[0]])
        #expect(again.status == 1)
        #expect(again.stderr.contains("no recovery codes are left"))
        #expect(try workspace.sql("SELECT e.recovery_codes_issued, count(*), count(DISTINCT u.slot), min(u.used_app) FROM recovery_code_uses u JOIN enrolments e ON e.id = u.enrolment_id WHERE e.account_name = 'priya.patel@nhs.net (Live)'") == ["10|10|10|IHDA-GP"])
    }

    @Test("a used recovery code is refused as used, and a wrong one as wrong")
    func usedAndWrongRecoveryCodes() throws {
        let code = try sheet("renee.lefevre_nhs.net").recoveryCodes[3]
        #expect(try admin(["redeem"] + renee + ["--code", code]).status == 0)
        #expect(try admin(["redeem"] + renee + ["--code", code]).stderr.contains("already been used"))
        #expect(try admin(["redeem"] + renee + ["--code", "AAAAA-AAAAA"]).stderr.contains("wrong code"))
    }

    @Test("status shows the enrolment and never the secret")
    func status() throws {
        let printed = try sheet("priya.patel_nhs.net")
        let result = try admin(["status"] + priya + ["--json"])
        #expect(result.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let enrolment = try #require(object["enrolment"] as? [String: Any])
        #expect(enrolment["state"] as? String == "pending")
        #expect(enrolment["recovery_codes_left"] as? Int == 10)
        #expect(!result.stdout.contains(printed.secret))
        #expect(try admin(["status", "--org", "RX1", "--env", "Live", "--user", "nobody@nhs.net"]).status == 1)
    }

    @Test("no secret, code or recovery code appears in any event, log line or error")
    func secretsStayOut() throws {
        let printed = try sheet("priya.patel_nhs.net")
        let code = try printed.code(at: now)
        var output = ""
        for arguments in [["verify"] + priya + ["--code", code], ["verify"] + priya + ["--code", code], ["redeem"] + priya + ["--code", printed.recoveryCodes[0]], ["redeem"] + priya + ["--code", printed.recoveryCodes[0], "--json"]] {
            let result = try admin(arguments + ["--verbose"])
            output += result.stdout + result.stderr
        }
        let events = try workspace.sql("SELECT * FROM events").joined(separator: "\n")
        for secret in [printed.secret, code, printed.recoveryCodes[0], printed.recoveryCodes[0].replacingOccurrences(of: "-", with: "")] {
            #expect(!events.contains(secret))
            #expect(!output.contains(secret))
        }
    }
}

@Suite("mfa-admin: key rotation and the audit trail")
struct AdminStoreTests {
    let workspace: ToolWorkspace
    let now: Int64 = 1_800_000_000

    init() throws {
        workspace = try sampleWorkspace("store-admin")
        workspace.environment["MFA_NOW"] = "\(now)"
        let enrolled = try workspace.run("mfa-enrol", ["--sheets", "sheets"])
        precondition(enrolled.status == 0, enrolled.stderr)
    }

    @Test("rotate-key keeps every enrolment verifiable and makes the old key useless")
    func rotateKey() throws {
        let sheets = try ["live/RX1/priya.patel_nhs.net", "sandpit/A81001/alice.smith_nhs.net", "live/B82005/locum.gp_nhs.net"].map {
            try PrintedSheet(workspace.folder.path("sheets/\($0).pdf"))
        }
        let oldSealed = try workspace.sql("SELECT hex(sealed_secret) FROM enrolments ORDER BY id")
        let result = try workspace.run("mfa-admin", ["rotate-key", "--new-key-file", "new.key"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("re-sealed 20 secrets"))
        #expect(fileMode(workspace.folder.path("new.key")) == 0o600)
        #expect(Set(try workspace.sql("SELECT hex(sealed_secret) FROM enrolments ORDER BY id")).isDisjoint(with: oldSealed))

        let old = try workspace.run("mfa-admin", ["status", "--org", "RX1", "--env", "Live", "--user", "priya.patel@nhs.net"])
        #expect(old.status == 1)
        #expect(old.stderr.contains("does not open the store"))
        let newKey = ["MFA_KEY_FILE": workspace.folder.path("new.key")]
        for (sheet, login) in zip(sheets, [("RX1", "Live", "priya.patel@nhs.net"), ("A81001", "Sandpit", "alice.smith@nhs.net"), ("B82005", "Live", "locum.gp@nhs.net")]) {
            let verify = try workspace.run(
                "mfa-admin", ["verify", "--org", login.0, "--env", login.1, "--user", login.2, "--code", try sheet.code(at: now)], environment: newKey)
            #expect(verify.status == 0, "\(verify.stderr)")
        }
        // Recovery codes (keyed with the pepper, re-sealed with the rest) still work.
        #expect(try workspace.run("mfa-admin", ["redeem", "--org", "RX1", "--env", "Live", "--user", "priya.patel@nhs.net", "--code", sheets[0].recoveryCodes[0]], environment: newKey).status == 0)
        #expect(try workspace.run("mfa-admin", ["audit", "verify"], environment: newKey).status == 0)
    }

    @Test("audit verify passes an intact chain and finds an edited or a deleted row", arguments: ["edit", "delete", "truncate"])
    func tamperDetection(tampering: String) throws {
        let intact = try workspace.run("mfa-admin", ["audit", "verify", "--json"])
        #expect(intact.status == 0)
        let head = try #require((try JSONSerialization.jsonObject(with: Data(intact.stdout.utf8)) as? [String: Any])?["head_hash"] as? String)
        let sql: String
        switch tampering {
        case "edit": sql = "DROP TRIGGER events_no_update; UPDATE events SET actor = 'mallory' WHERE id = 5;"
        case "delete": sql = "DROP TRIGGER events_no_delete; DELETE FROM events WHERE id = 7;"
        default: sql = "DROP TRIGGER events_no_delete; DELETE FROM events WHERE id = (SELECT max(id) FROM events);"
        }
        let shell = try runProcess("/usr/bin/sqlite3", [workspace.database, sql])
        #expect(shell.status == 0, "\(shell.stderr)")
        let result = try workspace.run("mfa-admin", ["audit", "verify", "--expect-head", head])
        #expect(result.status == 1)
        switch tampering {
        case "edit": #expect(result.stderr.contains("broken at event 5: its content does not match its hash"))
        case "delete": #expect(result.stderr.contains("broken at event 8: event 7 is missing"))
        default: #expect(result.stderr.contains("events were removed from the end"))
        }
    }

    @Test("the shell cannot change events without first dropping the triggers")
    func appendOnly() throws {
        let shell = try runProcess("/usr/bin/sqlite3", [workspace.database, "UPDATE events SET actor = 'mallory'"])
        #expect(shell.status != 0)
        #expect(shell.stderr.contains("append-only"))
    }

    @Test("audit export writes JSON Lines from a date")
    func export() throws {
        let result = try workspace.run("mfa-admin", ["audit", "export", "--since", "2020-01-01"])
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == Int(try workspace.sql("SELECT count(*) FROM events")[0]))
        for line in lines {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(object["kind"] is String && object["hash"] is String && object["detail"] is [String: Any])
        }
        #expect(try workspace.run("mfa-admin", ["audit", "export", "--since", "2030-01-01"]).stdout.isEmpty)
    }
}

extension Array where Element: Sendable {
    /// Runs `body` for every element at the same time, on separate threads.
    func parallelRuns<Result: Sendable>(_ body: @escaping @Sendable (Element) throws -> Result) throws -> [Result] {
        let results = ResultBox<Result>(count: count)
        let group = DispatchGroup()
        for (index, element) in enumerated() {
            group.enter()
            Thread {
                results.set(index, Swift.Result { try body(element) })
                group.leave()
            }.start()
        }
        group.wait()
        return try results.values.map { try $0!.get() }
    }
}

final class ResultBox<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var values: [Result<Value, any Error>?]
    init(count: Int) { values = Array(repeating: nil, count: count) }
    func set(_ index: Int, _ value: Result<Value, any Error>) { lock.withLock { values[index] = value } }
}
