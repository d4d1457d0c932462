import CLibXML2
import Foundation
import Testing

@testable import RosterImport

/// The importer compiles the user-list XSD without its facets: patterns are the record
/// validator's (`SchemaPatternTests`), enumerations and lengths `SimpleTypeFacets`'. These
/// tests hold the latter to libxml2's own verdicts under the published XSD.
@Suite("the XSD's enumerations and lengths, checked beside libxml2")
struct SchemaFacetTests {
    static let facetLines = ["pattern", "enumeration", "minLength", "maxLength"]

    @Test("the compiled XSD is the published one less exactly its 22 facet lines")
    func compiledSchema() {
        let published = UserListSchema.xsd.split(separator: "\n", omittingEmptySubsequences: false)
        let compiled = UserListSchema.structureXSD.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(published.count - compiled.count == 22)
        #expect(published.filter { line in !Self.facetLines.contains { line.contains("<xs:\($0) ") } } == compiled)
    }

    @Test("the facets read from the XSD, by field")
    func facetsByField() throws {
        let facets = UserListSchema.facets
        #expect(Set(facets.keys) == [.environment, .email, .displayName, .givenName, .familyName, .roles, .userType, .status])
        let environment = try #require(facets[.environment])
        #expect(environment.enumeration == ["Live", "live", "LIVE", "Sandpit", "sandpit", "SANDPIT"] && environment.collapsesWhitespace)
        let name = try #require(facets[.roles])
        #expect(name.minLength == 1 && name.maxLength == 200 && !name.collapsesWhitespace && name.enumeration.isEmpty)
        #expect(facets[.email]?.maxLength == 254 && facets[.email]?.minLength == nil)
    }

    @Test("each field's facets refuse exactly the values libxml2 refuses", arguments: UserListSchema.facets.keys.sorted { $0.name < $1.name })
    func sameVerdicts(field: UserField) throws {
        let facets = try #require(UserListSchema.facets[field])
        let schema = try LibXML2Schema(xsd: UserListSchema.xsd.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.contains("<xs:pattern ") }.joined(separator: "\n"))
        var disagreements: [String] = []
        var refusals = 0
        let values = Self.values(for: facets)
        for value in values {
            let libxml2Accepts = try schema.accepts(Self.document(field, value))
            let facetsAccept = Array(value.utf8).withUnsafeBufferPointer { facets.problem($0) == nil }
            if libxml2Accepts != facetsAccept { disagreements.append("\(value.debugDescription): libxml2 \(libxml2Accepts)") }
            if !libxml2Accepts { refusals += 1 }
        }
        #expect(disagreements.isEmpty, "\(disagreements.prefix(10))")
        #expect(refusals >= 5 && refusals < values.count, "the values must reach either side of the facets' edges")
    }

    /// A one-user list with `value` as the text of `field`'s element; the other fields valid.
    static func document(_ field: UserField, _ value: String) -> String {
        let others: [UserField: String] = [.organisation: "A81001", .environment: "Live", .username: "a@nhs.net", .displayName: "A"]
        let elements = UserField.allCases.compactMap { each -> String? in
            let text = each == field ? value : others[each]
            guard let text else { return nil }
            return each == .roles ? "<roles><role>\(text)</role></roles>" : "<\(each.xmlElement)>\(text)</\(each.xmlElement)>"
        }
        return "<userList xmlns=\"\(UserListSchema.namespace)\" version=\"1\"><user>\(elements.joined())</user></userList>"
    }

    /// Each enumerated value as written, padded, in other cases and split; white space
    /// alone; and lengths either side of each limit in one-, two- and four-byte characters,
    /// with white space that collapses.
    static func values(for facets: SimpleTypeFacets) -> [String] {
        var values = ["", " ", "\t\n ", "a", " a ", "a  b", "a\tb", "\u{212A}", "\u{00A0}", "ＬＩＶＥ", "Live\u{00A0}", "Ｓtaff"]
        for name in facets.enumeration {
            values += [name, " \(name)\n", "\t\(name)", name.uppercased(), name.lowercased(), name.capitalized, String(name.dropLast()),
                       name + "s", String(name.prefix(2)) + " " + String(name.dropFirst(2)), String(name.prefix(2)) + "  " + String(name.dropFirst(2))]
        }
        for limit in [facets.minLength, facets.maxLength].compactMap({ $0 }) {
            for count in [limit - 1, limit, limit + 1] where count >= 0 {
                for character in ["x", "é", "😀"] { values.append(String(repeating: character, count: count)) }
                values.append(" " + String(repeating: "x", count: count) + "\n")
                values.append(String(repeating: "x", count: count / 2) + "   " + String(repeating: "x", count: max(count - count / 2 - 1, 0)))
            }
        }
        return values
    }
}

/// A compiled XSD and a validation context for whole documents, libxml2's messages silenced.
private final class LibXML2Schema {
    private let schema: xmlSchemaPtr
    private let context: xmlSchemaValidCtxtPtr

    struct Failure: Error {}

    init(xsd: String) throws {
        let parserContext = xsd.withCString { xmlSchemaNewMemParserCtxt($0, Int32(strlen($0))) }
        defer { xmlSchemaFreeParserCtxt(parserContext) }
        guard let parsed = xmlSchemaParse(parserContext) else { throw Failure() }
        guard let context = xmlSchemaNewValidCtxt(parsed) else {
            xmlSchemaFree(parsed)
            throw Failure()
        }
        xmlSchemaSetValidStructuredErrors(context, { _, _ in }, nil)
        schema = parsed
        self.context = context
    }

    deinit {
        xmlSchemaFreeValidCtxt(context)
        xmlSchemaFree(schema)
    }

    func accepts(_ document: String) throws -> Bool {
        let parsed = document.withCString { xmlReadMemory($0, Int32(strlen($0)), "t.xml", "UTF-8", Int32(XML_PARSE_NONET.rawValue)) }
        guard let parsed else { throw Failure() }
        defer { xmlFreeDoc(parsed) }
        return xmlSchemaValidateDoc(context, parsed) == 0
    }
}
