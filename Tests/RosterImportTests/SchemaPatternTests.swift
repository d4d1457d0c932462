import CLibXML2
import Foundation
import MFAStore
import Testing

@testable import RosterImport

/// The importer compiles the user-list XSD without its `xs:pattern` facets and leaves
/// them to the record validator (the other facets: `SchemaFacetTests`). These tests hold it to that: every value libxml2's own
/// regular-expression engine refuses under the published patterns, the validator refuses.
@Suite("the XSD's patterns, enforced by the record validator")
struct SchemaPatternTests {
    let validator = RecordValidator(organisationOption: nil, environmentOption: nil, knownRoles: Role.platformRoles)

    /// The patterns of the published XSD, by the simple type they restrict.
    static let patterns: [String: String] = {
        var patterns: [String: String] = [:]
        var type: String?
        for line in UserListSchema.xsd.split(separator: "\n") {
            if let name = UserListSchema.attribute("name", of: "simpleType", in: line) { type = name }
            if let value = UserListSchema.attribute("value", of: "pattern", in: line), let type { patterns[type] = value }
        }
        return patterns
    }()

    @Test(
        "libxml2 and the validator agree on organisation codes and usernames; the validator refuses every e-mail libxml2 does",
        arguments: [
            (UserField.organisation, "OrganisationCode", true), (.username, "Username", true), (.email, "Email", false),
        ])
    func validatorCoversPattern(field: UserField, type: String, same: Bool) throws {
        let pattern = try #require(Self.patterns[type])
        guard let regex = xmlRegexpCompile(pattern) else {
            Issue.record("libxml2 did not compile \(pattern)")
            return
        }
        defer { xmlRegFreeRegexp(regex) }
        var disagreements: [String] = []
        for value in Self.values(for: field) {
            // The types derive from xs:token, so libxml2 matches the collapsed value; the
            // readers hand the validator the value trimmed.
            let collapsed = value.split(whereSeparator: { " \t\n\r".contains($0) }).joined(separator: " ")
            let patternAccepts = xmlRegexpExec(regex, collapsed) == 1
            let validatorAccepts = accepts(field, value.trimmingCharacters(in: .whitespacesAndNewlines))
            if validatorAccepts && !patternAccepts || same && patternAccepts && !validatorAccepts {
                disagreements.append("\(value.debugDescription): pattern \(patternAccepts), validator \(validatorAccepts)")
            }
        }
        #expect(disagreements.isEmpty, "\(disagreements.prefix(10))")
    }

    private func accepts(_ field: UserField, _ value: String) -> Bool {
        var record = RawUserRecord(location: SourceLocation(file: "f.xml", line: 3))
        let others: [UserField: String] = [
            .organisation: "A81001", .environment: "Live", .username: "alice@nhs.net", .email: "alice@nhs.net",
            .displayName: "Alice",
        ]
        for (other, text) in others { record[other] = text }
        record[field] = value
        switch validator.validate(record) {
        case .success: return true
        case .failure(let failure): return !failure.problems.contains { $0.field == field.name }
        }
    }

    /// Values near each rule's edges, then many generated from the characters the
    /// patterns treat specially and some that case mapping turns into ASCII.
    static func values(for field: UserField) -> [String] {
        let limit = field == .organisation ? 32 : 254
        var values = [
            "", "a", "A81001", "a-", "-a", "a.b", "a b", "a\tb", "alice@nhs.net", "a@b.c", "a@.b", "a@b.", "a@b..",
            "@a.b", "a@@b.c", "a@b@c.d", "é@x.y", "x@é.y", "\u{212A}81001", "k\u{212A}@nhs.net", "\u{FB00}1", "İ@x.y",
            "o'brien@nhs.net", "a+b@nhs.net", " a@b.c ", "a,b@c.d", "a;b@c.d",
            String(repeating: "a", count: limit - 1), String(repeating: "a", count: limit),
            String(repeating: "a", count: limit + 1),
            String(repeating: "a", count: 64) + "@" + String(repeating: "b", count: 185) + ".org",
        ]
        let alphabet: [String] = [
            "a", "Z", "0", "9", ".", "_", "@", "+", "'", "-", " ", "\t", "é", "\u{212A}", "\u{FB00}", ",", ";", "<", "x", "@",
            ".", "n", "h", "s",
        ]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15 &+ UInt64(field.name.utf8.count)
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        for _ in 0..<20_000 {
            values.append((0..<(1 + next(12))).map { _ in alphabet[next(alphabet.count)] }.joined())
        }
        return values
    }
}
