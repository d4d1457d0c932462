import MFAStore
import Testing

@testable import RosterImport

@Suite("record validation")
struct RecordValidatorTests {
    let validator = RecordValidator(organisationOption: nil, environmentOption: nil, knownRoles: Role.platformRoles)

    func raw(_ fields: [UserField: String], roles: [String] = []) -> RawUserRecord {
        var record = RawUserRecord(location: SourceLocation(file: "f.csv", line: 7))
        for (field, value) in fields { record[field] = value }
        record.roles = roles
        return record
    }

    let valid: [UserField: String] = [
        .organisation: "a81001", .environment: "LIVE", .username: "Alice.Smith@NHS.net", .email: "Alice@NHS.net",
        .givenName: "Siân", .familyName: "O'Brien",
    ]

    @Test("a valid record comes out canonical: codes upper case, usernames lower case, roles by their own names")
    func canonical() throws {
        let record = try validator.validate(raw(valid, roles: ["organisation admin", "Clinician", "clinician"])).get()
        #expect(record.organisation == "A81001")
        #expect(record.environment == .live)
        #expect(record.username == "alice.smith@nhs.net")
        #expect(record.email == "alice@nhs.net")
        #expect(record.displayName == "Siân O'Brien")
        #expect(record.rolesText == "Clinician|Organisation Admin")
        #expect(record.userType == .staff && record.status == .active)
    }

    @Test("each bad value is named with its field", arguments: [
        (UserField.username, "bad user", "contains a space"),
        (.username, "-dash@nhs.net", "must start with a letter or digit"),
        (.username, "a:b", "contains ':'"),
        (.email, "no-at-sign", "is not an e-mail address"),
        (.email, "a@b", "is not an e-mail address"),
        (.email, "a b@nhs.net", "is not an e-mail address"),
        (.email, "a@-nhs.net", "is not an e-mail address"),
        (.email, "a@nhs-.net", "is not an e-mail address"),
        (.email, "a@nhs..net", "is not an e-mail address"),
        (.email, "a@nhs.net-", "is not an e-mail address"),
        (.email, "@nhs.net", "is not an e-mail address"),
        (.email, "a@\(String(repeating: "x", count: 64)).net", "is not an e-mail address"),
        (.organisation, "A81 001", "is not an organisation code"),
        (.environment, "Staging", "is not an environment"),
        (.userType, "robot", "is not a user type"),
        (.status, "suspended", "is not a status"),
        (.displayName, String(repeating: "n", count: 201), "longer than 200 characters"),
        (.displayName, "tab\there", "contains a control character"),
        (.displayName, "del\u{7F}ete", "contains a control character"),
        (.displayName, "Zoë next\u{85}line", "contains a control character"),
        (.displayName, String(repeating: "é", count: 201), "longer than 200 characters"),
    ])
    func badValues(field: UserField, value: String, message: String) throws {
        var fields = valid
        fields[field] = value
        if field == .displayName { fields[.givenName] = nil }
        let problems = (try? validator.validate(raw(fields)).get()).map { _ in [Problem]() } ?? {
            if case .failure(let failure) = validator.validate(raw(fields)) { return failure.problems }
            return []
        }()
        #expect(problems.count == 1)
        #expect(problems.first?.field == field.name)
        #expect(problems.first?.message.contains(message) == true, "\(problems)")
        #expect(problems.first?.description.hasPrefix("f.csv:7: \(field.name): ") == true)
    }

    @Test("e-mail addresses as staff lists have them", arguments: [
        "first.last@nhs-digital.nhs.uk", "o'brien+mfa@nhs.net", "a@\(String(repeating: "x", count: 63)).net",
    ])
    func goodEmails(email: String) {
        #expect(RecordValidator.isEmail(email))
    }

    @Test("names are limited in characters, not bytes", arguments: [String(repeating: "é", count: 200), "Zoë Ní Bhriain-O'Neill, Jr"])
    func longAccentedNames(name: String) throws {
        var fields = valid
        fields[.displayName] = name
        #expect(try validator.validate(raw(fields)).get().displayName == name)
    }

    @Test("unknown roles are refused, naming the known ones")
    func unknownRole() {
        guard case .failure(let failure) = validator.validate(raw(valid, roles: ["Wizard"])) else {
            Issue.record("accepted an unknown role")
            return
        }
        #expect(failure.problems.first?.message.contains("unknown role 'Wizard'") == true)
        #expect(failure.problems.first?.message.contains("Organisation Admin") == true)
    }

    @Test("required fields", arguments: [UserField.organisation, .environment, .username])
    func required(field: UserField) {
        var fields = valid
        fields[field] = nil
        guard case .failure(let failure) = validator.validate(raw(fields)) else {
            Issue.record("accepted a record without \(field)")
            return
        }
        #expect(failure.problems.map(\.field) == [field.name])
    }

    @Test("a field already reported while reading is not reported again")
    func noCascade() {
        var record = raw(valid)
        record.displayName = nil
        record.givenName = nil
        record.problems = [Problem(record.location, field: "display_name", "invalid UTF-8 at byte offset 9")]
        guard case .failure(let failure) = validator.validate(record) else { return }
        #expect(failure.problems.count == 1)
    }

    @Test("header names match case- and space-insensitively, with common aliases", arguments: [
        ("User Name", UserField.username), ("Login", .username), ("E-mail", .email), ("EMAIL_ADDRESS", .email),
        ("Organisation Code", .organisation), ("ODS Code", .organisation), ("First Name", .givenName), ("Surname", .familyName),
        ("display_name", .displayName), ("Account Status", .status), ("Role", .roles),
    ])
    func headerAliases(header: String, field: UserField) {
        #expect(UserField(matching: header) == field)
    }
}
