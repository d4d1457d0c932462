import Foundation
import TestSupport
import Testing

@Suite("mfa-import on the samples")
struct ImportSampleTests {
    let workspace: ToolWorkspace
    init() throws { workspace = try ToolWorkspace("import") }

    func importFiles(_ arguments: [String]) throws -> ProcessResult {
        try workspace.run("mfa-import", arguments)
    }

    @Test("both samples import, and importing them again changes nothing and says so")
    func idempotent() throws {
        let csv = try workspace.copySample("users-gp-practices.csv")
        let xml = try workspace.copySample("users-trust.xml")
        let first = try importFiles([csv, xml])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("users-gp-practices.csv: 16 records: added 15, updated 0, unchanged 1, deleted 0, rejected 0"))
        #expect(first.stdout.contains("users-trust.xml: 9 records: added 8, updated 0, unchanged 1, deleted 0, rejected 0"))
        #expect(first.stderr.contains("ignoring column 'Job Title'"))
        let dump = try workspace.dump()
        let logins = try workspace.sql("SELECT count(*) FROM logins")
        let second = try importFiles([csv, xml])
        #expect(second.status == 0)
        #expect(second.stdout.contains("total: added 0, updated 0, unchanged 25, deleted 0, rejected 0"))
        #expect(try workspace.sql("SELECT count(*) FROM logins") == logins)
        // Only the batch records and their events are new.
        #expect(try workspace.sql("SELECT count(*) FROM import_batches") == ["4"])
        #expect(dump.contains("Siân"))
    }

    @Test("names with apostrophes, accents, commas and hyphens arrive intact")
    func awkwardNames() throws {
        #expect(try importFiles([try workspace.copySample("users-gp-practices.csv"), try workspace.copySample("users-trust.xml")]).status == 0)
        let names = Set(try workspace.sql("SELECT display_name FROM logins"))
        for name in ["Siân O'Brien", "Zoë Núñez-Łukasz", "Jean-Luc Dupont, Jr", "Rhodri ap Gwilym", "Dispatch Service & Alerts", "Seán D'Souza"] {
            #expect(names.contains(name), "\(name)")
        }
        #expect(try workspace.sql("SELECT roles FROM logins WHERE username = 'alice.smith@nhs.net' AND environment = 'live'") == ["Clinician|Organisation Admin"])
        #expect(try workspace.sql("SELECT user_type FROM logins WHERE username = 'dispatch.service@nhs.net'") == ["service"])
    }

    @Test("each import is a batch with the file's SHA-256, and an event")
    func batches() throws {
        let csv = try workspace.copySample("users-gp-practices.csv")
        #expect(try importFiles([csv]).status == 0)
        let digest = try runProcess("/usr/bin/sha256sum", [csv]).stdout.prefix(64)
        #expect(try workspace.sql("SELECT sha256, format, mode, records, added FROM import_batches") == ["\(digest)|csv|upsert|16|15"])
        #expect(try workspace.sql("SELECT kind, json_extract(detail, '$.added') FROM events") == ["import.completed|15"])
    }

    @Test("--json prints the summary as JSON")
    func json() throws {
        let result = try importFiles([try workspace.copySample("users-trust.xml"), "--json"])
        #expect(result.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        let totals = object?["totals"] as? [String: Any]
        #expect(totals?["added"] as? Int == 8)
        #expect((object?["files"] as? [[String: Any]])?.first?["sha256"] as? String != nil)
    }
}

@Suite("mfa-import: changes, deletions and the full roster")
struct ImportChangeTests {
    let workspace: ToolWorkspace
    let header = "Organisation,Environment,Username,Email,Display Name,Roles,User Type,Status\n"

    init() throws { workspace = try ToolWorkspace("import-changes") }

    func roster(_ name: String, _ rows: [String]) throws -> String {
        try workspace.folder.write(name, header + rows.joined(separator: "\n") + "\n")
    }

    static func rows(_ count: Int, organisation: String = "A81001", skip: Set<Int> = []) -> [String] {
        (1...count).filter { !skip.contains($0) }.map { "\(organisation),Live,user\($0)@nhs.net,user\($0)@nhs.net,User \($0),Clinician,staff,active" }
    }

    @Test("a changed email, name or role is an update; a deleted status marks the login deleted with the time")
    func updatesAndDeletions() throws {
        #expect(try workspace.run("mfa-import", [try roster("a.csv", Self.rows(3))]).status == 0)
        let changed = [
            "A81001,Live,user1@nhs.net,user1@nhs.org,User 1,Clinician,staff,active",
            "A81001,Live,user2@nhs.net,user2@nhs.net,User Two,Clinician;Organisation Admin,staff,active",
            "A81001,Live,user3@nhs.net,user3@nhs.net,User 3,Clinician,staff,deleted",
        ]
        let result = try workspace.run("mfa-import", [try roster("b.csv", changed)], environment: ["MFA_NOW": "2026-11-30T08:00:00Z"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("added 0, updated 2, unchanged 0, deleted 1"))
        #expect(try workspace.sql("SELECT username, status, deleted_at FROM logins WHERE status = 'deleted'") == ["user3@nhs.net|deleted|1796025600"])
        #expect(try workspace.sql("SELECT kind, username, json_extract(detail, '$.reason') FROM events WHERE kind = 'login.deleted'")
            == ["login.deleted|user3@nhs.net|deleted in the user list"])
    }

    @Test("new logins among changes and duplicates are inserted in file order, with every field, however they fall into INSERTs")
    func newLoginsAmongChanges() throws {
        #expect(try workspace.run("mfa-import", [try roster("a.csv", Self.rows(20))]).status == 0)
        // Forty new logins, more than two INSERTs' worth, with every fifth known login
        // changed between them, and a new login named twice with other details.
        var rows: [String] = []
        for number in 1...20 {
            rows.append(number % 5 == 0
                ? "A81001,Live,user\(number)@nhs.net,changed\(number)@nhs.net,User \(number),Clinician,staff,active"
                : Self.rows(number)[number - 1])
            rows.append("A81001,Sandpit,new\(number)@nhs.net,,New \(number),Nurse,patient,active")
            rows.append("B82005,Live,new\(number)@nhs.net,new\(number)@nhs.org,New \(number),Nurse;Clinician,staff,active")
        }
        let first = try workspace.run("mfa-import", [try roster("b.csv", rows)])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("added 40, updated 4, unchanged 16, deleted 0"))
        let added = try workspace.sql(
            "SELECT id, (SELECT code FROM organisations o WHERE o.id = organisation_id), environment, username, ifnull(email, '-'), display_name, roles, user_type FROM logins WHERE id > 20 ORDER BY id")
        #expect(added == (1...20).flatMap { number in [
            "\(19 + 2 * number)|A81001|sandpit|new\(number)@nhs.net|-|New \(number)|Nurse|patient",
            "\(20 + 2 * number)|B82005|live|new\(number)@nhs.net|new\(number)@nhs.org|New \(number)|Clinician|Nurse|staff",
        ] })
        #expect(try workspace.sql("SELECT email FROM logins WHERE id % 5 = 0 AND id <= 20") == (1...4).map { "changed\($0 * 5)@nhs.net" })

        let twice = try roster("c.csv", ["A81001,Live,fresh@nhs.net,,Fresh,Nurse,staff,active"] + Self.rows(3)
            + ["A81001,Live,fresh@nhs.net,fresh@nhs.net,Fresh Again,Nurse,staff,active"])
        let result = try workspace.run("mfa-import", [twice])
        #expect(result.status == 3)
        #expect(result.stderr.contains("c.csv:6: username: duplicate: A81001 Live fresh@nhs.net is already at \(twice):2"))
        #expect(try workspace.sql("SELECT count(*) FROM logins WHERE username = 'fresh@nhs.net'") == ["0"])
    }

    @Test("a store whose login ids pass what the key table holds is refused, unchanged", arguments: [4_294_967_295, 4_294_967_296])
    func loginIDLimit(lastID: Int64) throws {
        #expect(try workspace.run("mfa-import", [try roster("a.csv", Self.rows(1))]).status == 0)
        _ = try workspace.sql("UPDATE logins SET id = \(lastID)")
        let before = workspace.storeBytes()
        let result = try workspace.run("mfa-import", [try roster("b.csv", Self.rows(2))])
        #expect(result.status == 1)
        #expect(result.stderr.contains("the store's login ids have passed 4294967295, the most an import can index; nothing was changed"))
        #expect(workspace.storeBytes() == before)
    }

    static func xmlUsers(_ count: Int, broken: Int? = nil) -> String {
        let users = (1...count).map { index in
            "<user><organisation>A81001</organisation><environment>Live</environment><username>user\(index)@nhs.net</username>"
                + "<displayName>User \(index)</displayName>\(index == broken ? "<status>" : "")</user>"
        }
        return "<userList xmlns=\"urn:inhealthcare:mfa:user-list:1\" version=\"1\">\n" + users.joined(separator: "\n") + "\n</userList>\n"
    }

    @Test("an XML import that stops early stops its reading and parsing threads, whichever stage stopped first")
    func xmlStopsEarly() throws {
        // 20,000 users, 3.3 MB: more than the bytes read ahead and the blocks parsed ahead.
        let broken = try workspace.folder.write("broken.xml", Self.xmlUsers(20_000, broken: 3))
        let before = workspace.storeBytes()
        let parseFailed = try workspace.run("mfa-import", [broken])
        #expect(parseFailed.status == 3)
        #expect(parseFailed.stderr.contains("broken.xml:4:"), "\(parseFailed.stderr)")
        #expect(parseFailed.stderr.contains("mismatch"), "\(parseFailed.stderr)")
        #expect(workspace.storeBytes() == before)

        // The applying stage fails at the first new login, with the file barely read.
        #expect(try workspace.run("mfa-import", [try roster("a.csv", Self.rows(1))]).status == 0)
        _ = try workspace.sql("UPDATE logins SET id = 4294967295")
        let full = workspace.storeBytes()
        let applyFailed = try workspace.run("mfa-import", [try workspace.folder.write("many.xml", Self.xmlUsers(20_000))])
        #expect(applyFailed.status == 1)
        #expect(applyFailed.stderr.contains("the store's login ids have passed 4294967295"))
        #expect(workspace.storeBytes() == full)
    }

    @Test("the XSD's patterns hold in XML: each value they refuse is refused, named with its field and its user's line")
    func xmlPatternsEnforced() throws {
        let document = """
            <userList xmlns="urn:inhealthcare:mfa:user-list:1" version="1">
            <user><organisation>A81-001</organisation><environment>Live</environment><username>good@nhs.net</username><displayName>Good</displayName></user>
            <user><organisation>\u{FB00}1</organisation><environment>Live</environment><username>a@nhs.net</username><displayName>A</displayName></user>
            <user><organisation>A81001</organisation><environment>Live</environment><username>bad user@nhs.net</username><displayName>B</displayName></user>
            <user><organisation>A81001</organisation><environment>Live</environment><username>ke\u{212A}vin@nhs.net</username><displayName>K</displayName></user>
            <user><organisation>A81001</organisation><environment>Live</environment><username>c@nhs.net</username><email>c@nhs</email><displayName>C</displayName></user>
            </userList>
            """
        let result = try workspace.run("mfa-import", [try workspace.folder.write("patterns.xml", document)])
        #expect(result.status == 3)
        #expect(result.stderr.contains("patterns.xml:3: organisation: '\u{FB00}1' is not an organisation code"), "\(result.stderr)")
        #expect(result.stderr.contains("patterns.xml:4: username: 'bad user@nhs.net' contains a space"))
        #expect(result.stderr.contains("patterns.xml:5: username: 'ke\u{212A}vin@nhs.net' contains '\u{212A}'"))
        #expect(result.stderr.contains("patterns.xml:6: email: 'c@nhs' is not an e-mail address"))
        #expect(!result.stderr.contains("patterns.xml:2:"))
        #expect(try workspace.sql("SELECT count(*) FROM logins") == ["0"])
    }

    @Test("the XSD's enumerations and lengths hold in XML: each value they refuse is refused, named with its element's line")
    func xmlFacetsEnforced() throws {
        let document = """
            <userList xmlns="urn:inhealthcare:mfa:user-list:1" version="1">
            <user><organisation>A81001</organisation><environment> LIVE </environment><username>good@nhs.net</username><displayName>G</displayName></user>
            <user><organisation>A81001</organisation><environment>lIVE</environment><username>a@nhs.net</username><displayName>A</displayName></user>
            <user><organisation>A81001</organisation><environment>Live</environment><username>b@nhs.net</username>
              <givenName></givenName><familyName>\(String(repeating: "é", count: 201))</familyName>
              <roles><role>Nurse</role><role/></roles>
              <userType>Staff</userType><status>gone</status></user>
            </userList>
            """
        let result = try workspace.run("mfa-import", [try workspace.folder.write("facets.xml", document)])
        #expect(result.status == 3)
        #expect(result.stderr.contains("facets.xml:3: environment: 'lIVE' is not one of Live, live, LIVE, Sandpit, sandpit, SANDPIT"), "\(result.stderr)")
        #expect(result.stderr.contains("facets.xml:5: given_name: empty; the schema requires text"))
        #expect(result.stderr.contains("facets.xml:5: family_name: 201 characters; the schema allows 200 at most"))
        #expect(result.stderr.contains("facets.xml:6: roles: empty; the schema requires text"))
        #expect(result.stderr.contains("facets.xml:7: status: 'gone' is not one of active, Active, deleted, Deleted"))
        #expect(!result.stderr.contains("facets.xml:2:") && !result.stderr.contains("user_type"))
        #expect(try workspace.sql("SELECT count(*) FROM logins") == ["0"])
    }

    @Test("a full roster marks absent logins deleted; the guard refuses a mass deletion, leaving the store untouched")
    func fullRoster() throws {
        #expect(try workspace.run("mfa-import", [try roster("all.csv", Self.rows(20) + Self.rows(5, organisation: "B82005"))]).status == 0)
        // One of twenty absent: 5 %, under the 10 % guard. B82005 is not covered.
        let one = try workspace.run("mfa-import", [try roster("one.csv", Self.rows(20, skip: [7])), "--full-roster"])
        #expect(one.status == 0, "\(one.stderr)")
        #expect(one.stdout.contains("1 logins absent from the list marked deleted"))
        #expect(try workspace.sql("SELECT username FROM logins WHERE status = 'deleted'") == ["user7@nhs.net"])

        // Five more absent of nineteen active: 26 %, refused.
        let before = workspace.storeBytes()
        let truncated = try roster("truncated.csv", Self.rows(20, skip: [7, 1, 2, 3, 4, 5]))
        let refused = try workspace.run("mfa-import", [truncated, "--full-roster"])
        #expect(refused.status == 3)
        #expect(refused.stderr.contains("A81001 Live: 5 of 19 active logins would be deleted"))
        #expect(workspace.storeBytes() == before)
        #expect(try workspace.run("mfa-import", [truncated, "--full-roster", "--max-delete-fraction", "0.3"]).status == 0)
        #expect(try workspace.sql("SELECT count(*) FROM logins WHERE status = 'deleted'") == ["6"])
        #expect(try workspace.sql("SELECT count(*) FROM logins WHERE status = 'deleted' AND organisation_id = (SELECT id FROM organisations WHERE code = 'B82005')") == ["0"])
    }

    @Test("--allow-mass-delete lets a deliberate mass deletion through")
    func allowMassDelete() throws {
        #expect(try workspace.run("mfa-import", [try roster("all.csv", Self.rows(10))]).status == 0)
        let half = try roster("half.csv", Self.rows(5))
        #expect(try workspace.run("mfa-import", [half, "--full-roster"]).status == 3)
        #expect(try workspace.run("mfa-import", [half, "--full-roster", "--allow-mass-delete"]).status == 0)
        #expect(try workspace.sql("SELECT count(*) FROM logins WHERE status = 'deleted'") == ["5"])
    }

    @Test("--dry-run reports exactly what would change and writes nothing")
    func dryRun() throws {
        #expect(try workspace.run("mfa-import", [try roster("a.csv", Self.rows(3))]).status == 0)
        let before = workspace.storeBytes()
        let dump = try workspace.dump()
        let next = try roster("b.csv", ["A81001,Live,user1@nhs.net,user1@nhs.net,User One,Clinician,staff,active", "A81001,Live,user4@nhs.net,,User 4,Nurse,staff,active"])
        let result = try workspace.run("mfa-import", [next, "--dry-run", "--full-roster", "--allow-mass-delete"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("would update A81001 Live user1@nhs.net (display_name)"))
        #expect(result.stdout.contains("would add A81001 Live user4@nhs.net"))
        #expect(result.stdout.contains("would delete A81001 Live user2@nhs.net: absent from a full roster"))
        #expect(result.stdout.contains("dry run: nothing was written"))
        #expect(workspace.storeBytes() == before)
        #expect(try workspace.dump() == dump)
    }

    @Test("a deleted login that comes back is restored, with nothing of its old enrolment alive")
    func restore() throws {
        #expect(try workspace.run("mfa-import", [try roster("a.csv", Self.rows(2))]).status == 0)
        #expect(try workspace.run("mfa-import", [try roster("b.csv", ["A81001,Live,user1@nhs.net,user1@nhs.net,User 1,Clinician,staff,deleted"])]).status == 0)
        let back = try workspace.run("mfa-import", [try roster("c.csv", Self.rows(1))])
        #expect(back.status == 0)
        #expect(back.stdout.contains("updated 1"))
        #expect(try workspace.sql("SELECT status, deleted_at IS NULL FROM logins WHERE username = 'user1@nhs.net'") == ["active|1"])
        #expect(try workspace.sql("SELECT count(*) FROM events WHERE kind = 'login.restored'") == ["1"])
    }

    @Test("--skip-invalid imports the valid records, writes the rejected ones with reasons, and exits 3")
    func skipInvalid() throws {
        let file = try roster("mixed.csv", ["A81001,Live,good@nhs.net,,Good One,Clinician,staff,active", "A81001,Live,bad user,,Bad,Clinician,staff,active", "A81001,Live,good@nhs.net,,Good Again,Clinician,staff,active"])
        let result = try workspace.run("mfa-import", [file, "--skip-invalid", "--reject-file", "rejects.csv"])
        #expect(result.status == 3)
        #expect(result.stdout.contains("added 1, updated 0, unchanged 0, deleted 0, rejected 2"))
        #expect(result.stderr.contains("2 invalid records were not imported; see rejects.csv"))
        let rejects = try String(contentsOfFile: workspace.folder.path("rejects.csv"), encoding: .utf8)
        #expect(rejects.contains("bad user"))
        #expect(rejects.contains("contains a space"))
        #expect(rejects.contains("duplicate"))
        #expect(fileMode(workspace.folder.path("rejects.csv")) == 0o600)
        #expect(try workspace.sql("SELECT username FROM logins") == ["good@nhs.net"])
    }

    @Test("an XML list longer than the reader's blocks: each schema problem is on its own record's line")
    func xmlProblemsAcrossBlocks() throws {
        // The parsing thread hands records over 512 to a block, and a record's problems
        // are known only once the next record starts: 512 and 513 straddle the first
        // boundary. About 170 bytes a user: the file is also two 256 KiB reads and more.
        let invalid: Set<Int> = [1, 512, 513, 1_542, 3_000]
        let users = (1...3_000).map { index in
            "<user><organisation>A81001</organisation><environment>Live</environment><username>user\(index)@nhs.net</username>"
                + "<displayName>User \(index)</displayName>\(invalid.contains(index) ? "<nickname>N</nickname>" : "")<userType>staff</userType></user>"
        }
        let document = "<userList xmlns=\"urn:inhealthcare:mfa:user-list:1\" version=\"1\">\n" + users.joined(separator: "\n") + "\n</userList>\n"
        #expect(document.utf8.count > 2 * 256 * 1024)
        let file = try workspace.folder.write("long.xml", document)
        let result = try workspace.run("mfa-import", [file, "--skip-invalid", "--reject-file", "rejects.csv"])
        #expect(result.status == 3)
        #expect(result.stdout.contains("added 2995, updated 0, unchanged 0, deleted 0, rejected 5"))
        // User n is on line n + 1, and each rejected row carries its own user's problem only.
        let rejects = try String(contentsOfFile: workspace.folder.path("rejects.csv"), encoding: .utf8)
            .split(whereSeparator: \.isNewline).dropFirst()
        #expect(rejects.map { $0.split(separator: ",", omittingEmptySubsequences: false)[2] } == invalid.sorted().map { "user\($0)@nhs.net" })
        #expect(rejects.map { $0.split(separator: ",", omittingEmptySubsequences: false)[11] } == invalid.sorted().map { "\($0 + 1)" })
        #expect(rejects.allSatisfy { $0.contains("\"nickname: This element is not expected.") && !$0.contains("; ") })
        #expect(try workspace.sql("SELECT count(*) FROM logins") == ["2995"])
    }

    @Test("XML text may come as CDATA, predefined entities and character references, split across elements")
    func xmlTextForms() throws {
        let document = """
            <userList xmlns="urn:inhealthcare:mfa:user-list:1" version="1">
            <user><organisation>A81001</organisation><environment>Live</environment><username>smith@nhs.net</username>
            <displayName><![CDATA[Smith & <Jones>]]></displayName><roles><role>Nurse</role><role> <![CDATA[Clinician]]> </role></roles></user>
            <user><organisation>A81001</organisation><environment>Live</environment><username>o.neill@nhs.net</username>
            <displayName>  Siobh&#225;n O&apos;Neill &amp; Co </displayName></user>
            </userList>
            """
        let file = try workspace.folder.write("forms.xml", document)
        let result = try workspace.run("mfa-import", [file])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try workspace.sql("SELECT display_name, roles FROM logins ORDER BY username") == [
            "Siobhán O'Neill & Co|", "Smith & <Jones>|Clinician|Nurse",
        ])
    }

    @Test("the same login twice is an error naming both lines")
    func duplicates() throws {
        let file = try roster("dup.csv", Self.rows(2) + ["A81001,LIVE,USER1@nhs.net,x@nhs.net,Again,Nurse,staff,active"])
        let result = try workspace.run("mfa-import", [file])
        #expect(result.status == 3)
        #expect(result.stderr.contains("dup.csv:4: username: duplicate: A81001 Live user1@nhs.net is already at \(file):2"))
        #expect(try workspace.sql("SELECT count(*) FROM logins") == ["0"])
    }

    @Test("the same duplicate is found when the store already has logins")
    func duplicatesInExistingStore() throws {
        #expect(try workspace.run("mfa-import", [try roster("a.csv", Self.rows(1))]).status == 0)
        let result = try workspace.run("mfa-import", [try roster("dup.csv", Self.rows(2) + Self.rows(2))])
        #expect(result.status == 3)
        #expect(result.stderr.contains("dup.csv:4: username: duplicate"))
        #expect(result.stderr.contains("dup.csv:5: username: duplicate"))
    }
}

@Suite("mfa-import: formats and options")
struct ImportFormatTests {
    let workspace: ToolWorkspace
    init() throws { workspace = try ToolWorkspace("import-formats") }

    @Test("headers by alias or --map; BOM, CRLF and quoted commas, quotes and line breaks")
    func csvDialects() throws {
        let header = "\u{FEFF}Org,ENVIRONMENT,Staff Login,E-mail,Forename,Surname,Role,Type,Notes\r\n"
        let good = "A81001,live,jo.bloggs@nhs.net,jo@nhs.net,\"Jo \"\"JJ\"\"\",\"Bloggs, of London\",Nurse,Staff,\"two\r\nlines\"\r\n"
        let bad = "A81001,live,bad login,,Bad,Login,Nurse,Staff,\r\n"
        let file = try workspace.folder.write("export.csv", header + good + bad)
        let unmapped = try workspace.run("mfa-import", [file])
        #expect(unmapped.status == 3)
        #expect(unmapped.stderr.contains("missing required column: username"))
        // The quoted line break makes the second record start on line 4.
        let mapped = try workspace.run("mfa-import", [file, "--map", "username=staff login"])
        #expect(mapped.status == 3)
        #expect(mapped.stderr.contains("export.csv:4: username: 'bad login' contains a space"))
        try workspace.folder.write("export.csv", header + good)
        let fixed = try workspace.run("mfa-import", [file, "--map", "username=staff login"])
        #expect(fixed.status == 0, "\(fixed.stderr)")
        #expect(fixed.stderr.contains("ignoring column 'Notes'"))
        #expect(try workspace.sql("SELECT display_name, email, environment FROM logins") == ["Jo \"JJ\" Bloggs, of London|jo@nhs.net|live"])
    }

    @Test("--org and --env supply what the file lacks, and must agree with what it has")
    func optionsSupplyFields() throws {
        let file = try workspace.folder.write("list.csv", "Username,Name,Environment\nx@nhs.net,X,Sandpit\n")
        #expect(try workspace.run("mfa-import", [file, "--org", "a81001"]).status == 0)
        #expect(try workspace.sql("SELECT code FROM organisations") == ["A81001"])
        let conflict = try workspace.run("mfa-import", [file, "--org", "a81001", "--env", "live"])
        #expect(conflict.status == 3)
        #expect(conflict.stderr.contains("list.csv:2: environment: 'Sandpit' differs from --env Live"))
    }

    @Test("the XSD in Samples/ is the one the importer validates with")
    func publishedSchema() throws {
        let published = try String(contentsOf: packageRoot.appendingPathComponent("Samples/user-list-v1.xsd"), encoding: .utf8)
        let result = try workspace.run("mfa-import", ["--print-schema"])
        #expect(result.status == 0)
        #expect(result.stdout == published)
    }

    @Test("usage errors exit 2")
    func usage() throws {
        #expect(try workspace.run("mfa-import", []).status == 2)
        #expect(try workspace.run("mfa-import", ["x.csv", "--env", "staging"]).status == 2)
        #expect(try workspace.run("mfa-import", ["x.json"]).status == 2)
        #expect(try workspace.run("mfa-import", ["x.csv", "--map", "colour=Colour"]).status == 2)
        #expect(try workspace.run("mfa-import", ["x.csv", "--reject-file", "r.csv"]).status == 2)
    }
}
