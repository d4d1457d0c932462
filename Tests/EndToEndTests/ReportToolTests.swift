import Foundation
import TestSupport
import Testing

/// The README's main job (scripts/scenario) run once with the debug tools: a month of
/// imports, enrolments, sign-ins, failures, a recovery code, a reset, a leaver and an
/// expiry across three organisations and both environments.
final class ScenarioRun: @unchecked Sendable {
    static let shared = Result { try ScenarioRun() }

    let folder: TemporaryDirectory
    var reports: String { folder.path("reports") }
    var environment: [String: String] { ["MFA_DB": folder.path("mfa.sqlite"), "MFA_KEY_FILE": folder.path("mfa.key")] }

    private init() throws {
        folder = try TemporaryDirectory("scenario")
        let run = try runProcess(
            packageRoot.appendingPathComponent("scripts/scenario").path, [folder.path(""), productsDirectory.path, folder.path("reports")])
        guard run.status == 0 else { throw ToolFailure("scripts/scenario failed: \(run.stderr)") }
    }

    func feed(_ name: String, _ format: String = "csv") throws -> String {
        try String(contentsOfFile: "\(reports)/\(name)-latest.\(format)", encoding: .utf8)
    }

    func report(_ arguments: [String]) throws -> ProcessResult {
        try runProcess(tool("mfa-report"), arguments, environment: environment)
    }
}

@Suite("mfa-report on the scripted scenario, every figure worked out by hand")
struct ReportFigureTests {
    let scenario: ScenarioRun
    init() throws { scenario = try ScenarioRun.shared.get() }

    func lines(_ text: String) -> [String] { text.components(separatedBy: "\r\n").filter { !$0.isEmpty } }

    @Test("adoption: per organisation and environment")
    func adoption() throws {
        // A81001 Live: alice, sian, jean-luc, reception, locum, hamza (new on the 22nd) need MFA; the patient does not;
        // zoe left on the 22nd (her enrolment expired). Alice and Sian activated on the 3rd, a day after enrolment.
        // B82005 Live: bjorn activated after 3.04 days; chloe was reset on the 12th and activated her new enrolment
        // 0.93 days later: median 1.98. RX1 Live: priya (3.04 days) and renee (3.98 days, after two wrong codes).
        #expect(lines(try scenario.feed("adoption")) == [
            "organisation,environment,active_logins,needing_mfa,pending,active,adoption_percent,pending_over_days,needing_mfa_without_enrolment,locked,activated_in_period,median_days_to_activate,resets_in_period,expiries_in_period,lockouts_in_period",
            "A81001,Live,7,6,4,2,33.3,3,0,0,2,1.0,0,1,0",
            "A81001,Sandpit,2,2,2,0,0.0,2,0,0,0,,0,0,0",
            "B82005,Live,5,4,2,2,50.0,2,0,0,2,2.0,1,0,0",
            "B82005,Sandpit,1,1,1,0,0.0,1,0,0,0,,0,0,0",
            "RX1,Live,6,5,3,2,40.0,3,0,0,2,3.5,0,0,0",
            "RX1,Sandpit,2,2,1,1,50.0,1,0,0,1,3.0,0,0,0",
        ])
    }

    @Test("adoption by role: a login counts under each of its roles")
    func adoptionByRole() throws {
        #expect(lines(try scenario.feed("adoption-by-role")) == [
            "organisation,environment,role,active_logins,needing_mfa,pending,active,adoption_percent,pending_over_days,needing_mfa_without_enrolment,locked,activated_in_period,median_days_to_activate,resets_in_period,expiries_in_period,lockouts_in_period",
            "A81001,Live,(none),1,0,0,0,,0,0,0,0,,0,0,0",
            "A81001,Live,Clinician,3,3,1,2,66.7,1,0,0,2,1.0,0,0,0",
            "A81001,Live,Nurse,1,1,1,0,0.0,0,0,0,0,,0,1,0",
            "A81001,Live,Organisation Admin,1,1,0,1,100.0,0,0,0,1,1.0,0,0,0",
            "A81001,Live,Pharmacist,1,1,1,0,0.0,1,0,0,0,,0,0,0",
            "A81001,Live,Receptionist,1,1,1,0,0.0,1,0,0,0,,0,0,0",
            "A81001,Live,Reporting User,1,1,0,1,100.0,0,0,0,1,1.0,0,0,0",
            "A81001,Sandpit,Organisation Admin,1,1,1,0,0.0,1,0,0,0,,0,0,0",
            "A81001,Sandpit,Read Only,1,1,1,0,0.0,1,0,0,0,,0,0,0",
            "B82005,Live,(none),1,0,0,0,,0,0,0,0,,0,0,0",
            "B82005,Live,Care Coordinator,2,2,0,2,100.0,0,0,0,2,2.0,1,0,0",
            "B82005,Live,Clinician,1,1,1,0,0.0,1,0,0,0,,0,0,0",
            "B82005,Live,Organisation Admin,1,1,0,1,100.0,0,0,0,1,3.0,0,0,0",
            "B82005,Live,Reporting User,1,1,1,0,0.0,1,0,0,0,,0,0,0",
            "B82005,Sandpit,Care Coordinator,1,1,1,0,0.0,1,0,0,0,,0,0,0",
            "RX1,Live,(none),1,0,0,0,,0,0,0,0,,0,0,0",
            "RX1,Live,Care Coordinator,1,1,1,0,0.0,1,0,0,0,,0,0,0",
            "RX1,Live,Clinician,2,2,0,2,100.0,0,0,0,2,3.5,0,0,0",
            "RX1,Live,Nurse,1,1,1,0,0.0,1,0,0,0,,0,0,0",
            "RX1,Live,Organisation Admin,1,1,0,1,100.0,0,0,0,1,3.0,0,0,0",
            "RX1,Live,Reporting User,2,2,1,1,50.0,1,0,0,1,4.0,0,0,0",
            "RX1,Sandpit,Clinician,1,1,1,0,0.0,1,0,0,0,,0,0,0",
            "RX1,Sandpit,Organisation Admin,1,1,0,1,100.0,0,0,0,1,3.0,0,0,0",
        ])
    }

    @Test("recovery codes: ten per enrolment, one used by Alice; a quarter of A81001 Live's sign-ins")
    func recoveryCodes() throws {
        #expect(lines(try scenario.feed("recovery-codes")) == [
            "organisation,environment,current_enrolments,codes_unused,codes_redeemed_in_period,logins_redeemed_in_period,logins_two_or_fewer_left,logins_none_left,sign_ins_in_period,recovery_sign_in_percent",
            "A81001,Live,6,59,1,1,0,0,4,25.0",
            "A81001,Sandpit,2,20,0,0,0,0,0,",
            "B82005,Live,4,40,0,0,0,0,2,0.0",
            "B82005,Sandpit,1,10,0,0,0,0,0,",
            "RX1,Live,5,50,0,0,0,0,2,0.0",
            "RX1,Sandpit,2,20,0,0,0,0,1,0.0",
        ])
    }

    @Test("usage: every sign-in by day and app")
    func usage() throws {
        #expect(lines(try scenario.feed("usage")) == [
            "date,organisation,environment,app,verifications_succeeded,verifications_failed,recovery_code_sign_ins,lockouts",
            "2026-11-03,A81001,Live,IHDA-GP,1,0,0,0",
            "2026-11-03,A81001,Live,Portal,1,0,0,0",
            "2026-11-05,B82005,Live,Reporting dashboard,1,0,0,0",
            "2026-11-05,RX1,Live,IHMA,1,0,0,0",
            "2026-11-05,RX1,Sandpit,Portal,1,0,0,0",
            "2026-11-06,RX1,Live,Portal,1,2,0,0",
            "2026-11-10,A81001,Live,IHDA-GP,0,1,0,0",
            "2026-11-10,A81001,Live,Portal,0,0,1,0",
            "2026-11-13,B82005,Live,IHMA,1,0,0,0",
            "2026-11-20,A81001,Live,Portal,1,0,0,0",
        ])
    }

    @Test("history: the counts at the end of the days things changed, and of the last day")
    func history() throws {
        let rows = lines(try scenario.feed("history"))
        #expect(rows.first == "date,organisation,environment,needing_mfa,pending,active,adoption_percent")
        #expect(rows.count == 1 + 30 * 6)
        let days = ["2026-10-30", "2026-11-02", "2026-11-03", "2026-11-05", "2026-11-06", "2026-11-12", "2026-11-13", "2026-11-22", "2026-11-28"]
        let selected = rows.filter { row in days.contains { row.hasPrefix($0) } }
        #expect(selected == [
            "2026-10-30,A81001,Live,0,0,0,", "2026-10-30,A81001,Sandpit,0,0,0,", "2026-10-30,B82005,Live,0,0,0,",
            "2026-10-30,B82005,Sandpit,0,0,0,", "2026-10-30,RX1,Live,0,0,0,", "2026-10-30,RX1,Sandpit,0,0,0,",
            "2026-11-02,A81001,Live,6,6,0,0.0", "2026-11-02,A81001,Sandpit,2,2,0,0.0", "2026-11-02,B82005,Live,4,4,0,0.0",
            "2026-11-02,B82005,Sandpit,1,1,0,0.0", "2026-11-02,RX1,Live,5,5,0,0.0", "2026-11-02,RX1,Sandpit,2,2,0,0.0",
            "2026-11-03,A81001,Live,6,4,2,33.3", "2026-11-03,A81001,Sandpit,2,2,0,0.0", "2026-11-03,B82005,Live,4,4,0,0.0",
            "2026-11-03,B82005,Sandpit,1,1,0,0.0", "2026-11-03,RX1,Live,5,5,0,0.0", "2026-11-03,RX1,Sandpit,2,2,0,0.0",
            "2026-11-05,A81001,Live,6,4,2,33.3", "2026-11-05,A81001,Sandpit,2,2,0,0.0", "2026-11-05,B82005,Live,4,3,1,25.0",
            "2026-11-05,B82005,Sandpit,1,1,0,0.0", "2026-11-05,RX1,Live,5,4,1,20.0", "2026-11-05,RX1,Sandpit,2,1,1,50.0",
            "2026-11-06,A81001,Live,6,4,2,33.3", "2026-11-06,A81001,Sandpit,2,2,0,0.0", "2026-11-06,B82005,Live,4,3,1,25.0",
            "2026-11-06,B82005,Sandpit,1,1,0,0.0", "2026-11-06,RX1,Live,5,3,2,40.0", "2026-11-06,RX1,Sandpit,2,1,1,50.0",
            // The reset on the 12th ends Chloé's enrolment and starts a new pending one: no change in the counts.
            "2026-11-12,A81001,Live,6,4,2,33.3", "2026-11-12,A81001,Sandpit,2,2,0,0.0", "2026-11-12,B82005,Live,4,3,1,25.0",
            "2026-11-12,B82005,Sandpit,1,1,0,0.0", "2026-11-12,RX1,Live,5,3,2,40.0", "2026-11-12,RX1,Sandpit,2,1,1,50.0",
            "2026-11-13,A81001,Live,6,4,2,33.3", "2026-11-13,A81001,Sandpit,2,2,0,0.0", "2026-11-13,B82005,Live,4,2,2,50.0",
            "2026-11-13,B82005,Sandpit,1,1,0,0.0", "2026-11-13,RX1,Live,5,3,2,40.0", "2026-11-13,RX1,Sandpit,2,1,1,50.0",
            // Zoë left and Hamza joined on the 22nd: A81001 Live still needs 6, with Hamza pending instead of Zoë.
            "2026-11-22,A81001,Live,6,4,2,33.3", "2026-11-22,A81001,Sandpit,2,2,0,0.0", "2026-11-22,B82005,Live,4,2,2,50.0",
            "2026-11-22,B82005,Sandpit,1,1,0,0.0", "2026-11-22,RX1,Live,5,3,2,40.0", "2026-11-22,RX1,Sandpit,2,1,1,50.0",
            "2026-11-28,A81001,Live,6,4,2,33.3", "2026-11-28,A81001,Sandpit,2,2,0,0.0", "2026-11-28,B82005,Live,4,2,2,50.0",
            "2026-11-28,B82005,Sandpit,1,1,0,0.0", "2026-11-28,RX1,Live,5,3,2,40.0", "2026-11-28,RX1,Sandpit,2,1,1,50.0",
        ])
    }

    @Test("action lists: who to chase, and nobody without recovery codes")
    func actionLists() throws {
        let pending = lines(try scenario.feed("pending-too-long"))
        #expect(pending.count == 1 + 12)
        #expect(pending.contains("A81001,Live,jean-luc.dupont@nhs.net,\"Jean-Luc Dupont, Jr\",2026-11-02T09:00:00Z,26,2026-11-02T09:00:00Z"))
        #expect(pending.contains("B82005,Sandpit,chloe.martin@nhs.net,Chloé Martin,2026-11-02T09:00:00Z,26,2026-11-02T09:00:00Z"))
        #expect(!pending.contains { $0.contains("hamza.khan") })  // enrolled 7 days before as_of
        #expect(lines(try scenario.feed("no-recovery-codes-left")) == ["organisation,environment,username,display_name,enrolled_at,last_code_used_at"])
    }

    @Test("Reports/examples/ is what the code produces from the samples")
    func examplesDoNotDrift() throws {
        let examples = packageRoot.appendingPathComponent("Reports/examples").path
        let committed = try FileManager.default.contentsOfDirectory(atPath: examples).filter { !$0.hasPrefix(".") }.sorted()
        let produced = try FileManager.default.contentsOfDirectory(atPath: scenario.reports).filter { !$0.hasPrefix(".") }.sorted()
        #expect(committed == produced)
        for name in produced {
            let expected = FileManager.default.contents(atPath: "\(examples)/\(name)")
            #expect(expected == FileManager.default.contents(atPath: "\(scenario.reports)/\(name)"), "\(name) drifted: run scripts/demo and commit Reports/examples")
        }
    }

    @Test("every JSON feed validates against its schema in Reports/schemas/")
    func schemas() throws {
        for feed in ["adoption", "adoption-by-role", "recovery-codes", "usage", "history", "pending-too-long", "no-recovery-codes-left"] {
            let schema = packageRoot.appendingPathComponent("Reports/schemas/\(feed).schema.json").path
            let check = try runProcess("/usr/bin/python3", ["-c", """
                import json, sys, jsonschema
                schema = json.load(open(sys.argv[1])); document = json.load(open(sys.argv[2]))
                jsonschema.Draft202012Validator.check_schema(schema)
                jsonschema.Draft202012Validator(schema).validate(document)
                """, schema, "\(scenario.reports)/\(feed)-latest.json"])
            #expect(check.status == 0, "\(feed): \(check.stderr)")
        }
    }
}

@Suite("mfa-report: reproducible, safe and quiet")
struct ReportBehaviourTests {
    let scenario: ScenarioRun
    init() throws { scenario = try ScenarioRun.shared.get() }

    @Test("the same store and the same --as-of give byte-identical CSV and JSON")
    func reproducible() throws {
        let folder = try TemporaryDirectory("reports")
        for run in ["a", "b"] {
            let result = try scenario.report(["--output-dir", folder.path(run), "--as-of", "2026-11-20T12:00:00Z", "--days", "10", "--format", "csv,json"])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.isEmpty, "nothing on stdout without --json")
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path("a")).filter { !$0.hasPrefix(".") }.sorted()
        #expect(names.count == 7 * 2 * 2)
        #expect(names.contains("adoption-2026-11-20.csv") && names.contains("usage-latest.json"))
        for name in names {
            #expect(FileManager.default.contents(atPath: folder.path("a/\(name)")) == FileManager.default.contents(atPath: folder.path("b/\(name)")), "\(name)")
        }
        // As of the 20th, Zoë had not yet left and Hamza had not joined.
        let adoption = try String(contentsOfFile: folder.path("a/adoption-latest.csv"), encoding: .utf8)
        // Pending more than 14 days: Zoë, Jean-Luc, Reception and the locum, all enrolled on the 2nd.
        #expect(adoption.contains("A81001,Live,7,6,4,2,33.3,4,0,0,0,,0,0,0"))
    }

    @Test("while another process holds the store's write lock, the report neither waits nor changes")
    func writerHoldingTheLock() throws {
        let folder = try TemporaryDirectory("report-busy")
        let database = folder.path("mfa.sqlite")
        for suffix in ["", "-wal"] where FileManager.default.fileExists(atPath: scenario.environment["MFA_DB"]! + suffix) {
            try FileManager.default.copyItem(atPath: scenario.environment["MFA_DB"]! + suffix, toPath: database + suffix)
        }
        let environment = ["MFA_DB": database, "MFA_KEY_FILE": scenario.environment["MFA_KEY_FILE"]!]
        let arguments = ["--as-of", "2026-11-29", "--format", "csv,json"]
        #expect(try runProcess(tool("mfa-report"), ["--output-dir", folder.path("free")] + arguments, environment: environment).status == 0)

        let writer = Process()
        writer.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        writer.arguments = [database, "BEGIN IMMEDIATE;", ".shell sleep 30", "ROLLBACK;"]
        try writer.run()
        defer { writer.terminate() }
        // Until the writer holds the lock, another BEGIN IMMEDIATE (which does not wait) succeeds.
        var held = false
        for _ in 0..<100 where !held {
            held = try runProcess("/usr/bin/sqlite3", [database, "BEGIN IMMEDIATE;", "ROLLBACK;"]).status != 0
            if !held { usleep(50_000) }
        }
        #expect(held)
        let busy = try runProcess(tool("mfa-report"), ["--output-dir", folder.path("busy"), "-v"] + arguments, environment: environment)
        #expect(busy.status == 0, "\(busy.stderr)")
        #expect(writer.isRunning, "the report waited for the writer")
        #expect(busy.stderr.contains("another process is writing to the store"))
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path("free")) where !name.hasPrefix(".") {
            #expect(FileManager.default.contents(atPath: folder.path("busy/\(name)")) == FileManager.default.contents(atPath: folder.path("free/\(name)")), "\(name)")
        }
    }

    @Test("text cells that start a formula are neutralised in CSV and unchanged in JSON")
    func formulaInjection() throws {
        let workspace = try ToolWorkspace("injection")
        workspace.environment["MFA_NOW"] = "2026-11-01"
        let file = try workspace.folder.write(
            "hostile.csv",
            "Organisation,Environment,Username,Display Name\nA81001,Live,a@nhs.net,\"=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"\nA81001,Live,b@nhs.net,@SUM(A1)\nA81001,Live,c@nhs.net,-2+3\n")
        #expect(try workspace.run("mfa-import", [file]).status == 0)
        #expect(try workspace.run("mfa-enrol", ["--no-sheets"]).status == 0)
        let result = try workspace.run("mfa-report", ["pending-too-long", "--output-dir", "out", "--as-of", "2026-11-29", "--format", "csv,json"])
        #expect(result.status == 0, "\(result.stderr)")
        let csv = try String(contentsOfFile: workspace.folder.path("out/pending-too-long-latest.csv"), encoding: .utf8)
        #expect(csv.contains(#""'=HYPERLINK(""http://x"",""y"")""#))
        #expect(csv.contains(",'@SUM(A1),"))
        #expect(csv.contains(",'-2+3,"))
        #expect(csv.contains(",28,"), "numbers the tool writes stay numbers")
        let json = try String(contentsOfFile: workspace.folder.path("out/pending-too-long-latest.json"), encoding: .utf8)
        #expect(json.contains(#""display_name": "=HYPERLINK(\"http://x\",\"y\")""#))
        #expect(json.contains(#""display_name": "@SUM(A1)""#))
        #expect(json.contains(#""display_name": "-2+3""#))
    }

    @Test("a second run writing to the same folder exits 4 at once; no temporary files are left behind")
    func lock() throws {
        let folder = try TemporaryDirectory("report-lock")
        let descriptor = open(folder.path(".mfa-report.lock"), O_RDWR | O_CREAT, 0o600)
        #expect(flock(descriptor, LOCK_EX | LOCK_NB) == 0)
        let blocked = try scenario.report(["--output-dir", folder.path(""), "--as-of", "2026-11-29"])
        #expect(blocked.status == 4)
        #expect(blocked.stdout.isEmpty)
        close(descriptor)
        let done = try scenario.report(["--output-dir", folder.path(""), "--as-of", "2026-11-29", "--json"])
        #expect(done.status == 0)
        #expect(done.stdout.contains("\"latest\""))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path("")).allSatisfy { !$0.contains(".tmp-") })
    }

    @Test("usage errors exit 2")
    func usage() throws {
        #expect(try scenario.report(["--output-dir", "x", "--format", "pdf"]).status == 2)
        #expect(try scenario.report(["--output-dir", "x", "--since", "2026-01-01", "--days", "3"]).status == 2)
        #expect(try scenario.report(["--output-dir", "x", "--as-of", "yesterday"]).status == 2)
        #expect(try scenario.report(["volume", "--output-dir", "x"]).status == 2)
    }

    @Test("the HTML page opens in headless Chromium without errors and shows its charts")
    func htmlInBrowser() throws {
        let page = "\(scenario.reports)/report-latest.html"
        let html = try String(contentsOfFile: page, encoding: .utf8)
        #expect(!html.contains("<script") && !html.contains("http://") && !html.contains("https://"), "self-contained: no scripts, no fetches")
        #expect(html.components(separatedBy: "<svg").count - 1 == 3)
        let dom = try runProcess(
            "/usr/bin/chromium",
            ["--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr", "--v=0", "--dump-dom", "file://\(page)"])
        #expect(dom.status == 0, "\(dom.stderr)")
        #expect(dom.stdout.contains("MFA adoption report"))
        #expect(dom.stdout.contains("Adoption over time"))
        for problem in ["Uncaught", "CONSOLE", "Failed to load", "net::ERR"] {
            #expect(!dom.stderr.contains(problem), "\(problem) in Chromium's log")
        }
        let shot = scenario.folder.path("report.png")
        let screenshot = try runProcess(
            "/usr/bin/chromium", ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=1200,2600", "--screenshot=\(shot)", "file://\(page)"])
        #expect(screenshot.status == 0)
        #expect((try? FileManager.default.attributesOfItem(atPath: shot)[.size] as? Int).flatMap { $0 } ?? 0 > 50_000)
    }
}
