import MFAStore

/// The XSD of the XML user list, version 1. `Samples/user-list-v1.xsd` is the published
/// copy; a test keeps the two identical.
public enum UserListSchema {
    public static let namespace = "urn:inhealthcare:mfa:user-list:1"
    public static let version = "1"

    public static let xsd = #"""
        <?xml version="1.0" encoding="UTF-8"?>
        <!--
          User list for mfa-import, version 1.
          Namespace: urn:inhealthcare:mfa:user-list:1
          Root: <userList version="1">, holding any number of <user> elements.
          Each <user> has, in this order: organisation?, environment?, username, email?,
          displayName?, givenName?, familyName?, roles?, userType?, status?.
          organisation and environment may be left out when mfa-import is given them as
          options (org, env); displayName may be left out when givenName and familyName
          are given.
        -->
        <xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"
                   xmlns="urn:inhealthcare:mfa:user-list:1"
                   targetNamespace="urn:inhealthcare:mfa:user-list:1"
                   elementFormDefault="qualified">

          <xs:element name="userList">
            <xs:complexType>
              <xs:sequence>
                <xs:element name="user" type="User" minOccurs="0" maxOccurs="unbounded"/>
              </xs:sequence>
              <xs:attribute name="version" type="xs:string" use="required" fixed="1"/>
            </xs:complexType>
          </xs:element>

          <xs:complexType name="User">
            <xs:sequence>
              <xs:element name="organisation" type="OrganisationCode" minOccurs="0"/>
              <xs:element name="environment" type="Environment" minOccurs="0"/>
              <xs:element name="username" type="Username"/>
              <xs:element name="email" type="Email" minOccurs="0"/>
              <xs:element name="displayName" type="Name" minOccurs="0"/>
              <xs:element name="givenName" type="Name" minOccurs="0"/>
              <xs:element name="familyName" type="Name" minOccurs="0"/>
              <xs:element name="roles" type="Roles" minOccurs="0"/>
              <xs:element name="userType" type="UserType" minOccurs="0"/>
              <xs:element name="status" type="Status" minOccurs="0"/>
            </xs:sequence>
          </xs:complexType>

          <xs:complexType name="Roles">
            <xs:sequence>
              <xs:element name="role" type="Name" minOccurs="0" maxOccurs="32"/>
            </xs:sequence>
          </xs:complexType>

          <xs:simpleType name="OrganisationCode">
            <xs:restriction base="xs:token">
              <xs:pattern value="[A-Za-z0-9][A-Za-z0-9\-]{0,31}"/>
            </xs:restriction>
          </xs:simpleType>

          <xs:simpleType name="Environment">
            <xs:restriction base="xs:token">
              <xs:enumeration value="Live"/>
              <xs:enumeration value="live"/>
              <xs:enumeration value="LIVE"/>
              <xs:enumeration value="Sandpit"/>
              <xs:enumeration value="sandpit"/>
              <xs:enumeration value="SANDPIT"/>
            </xs:restriction>
          </xs:simpleType>

          <xs:simpleType name="Username">
            <xs:restriction base="xs:token">
              <xs:pattern value="[A-Za-z0-9][A-Za-z0-9._@+'\-]{0,253}"/>
            </xs:restriction>
          </xs:simpleType>

          <xs:simpleType name="Email">
            <xs:restriction base="xs:token">
              <xs:maxLength value="254"/>
              <xs:pattern value="[^@\s]+@[^@\s]+\.[^@\s]+"/>
            </xs:restriction>
          </xs:simpleType>

          <xs:simpleType name="Name">
            <xs:restriction base="xs:string">
              <xs:minLength value="1"/>
              <xs:maxLength value="200"/>
            </xs:restriction>
          </xs:simpleType>

          <xs:simpleType name="UserType">
            <xs:restriction base="xs:token">
              <xs:enumeration value="staff"/>
              <xs:enumeration value="Staff"/>
              <xs:enumeration value="patient"/>
              <xs:enumeration value="Patient"/>
              <xs:enumeration value="service"/>
              <xs:enumeration value="Service"/>
            </xs:restriction>
          </xs:simpleType>

          <xs:simpleType name="Status">
            <xs:restriction base="xs:token">
              <xs:enumeration value="active"/>
              <xs:enumeration value="Active"/>
              <xs:enumeration value="deleted"/>
              <xs:enumeration value="Deleted"/>
            </xs:restriction>
          </xs:simpleType>
        </xs:schema>

        """#

    /// The XSD as the importer compiles it: its structure, without its facets. libxml2
    /// checks patterns at about 700 instructions a character (two fifths of the
    /// validation), and enumerations and lengths at 4,600 instructions a user more (a
    /// twentieth of an import). `RecordValidator` refuses every value the patterns
    /// refuse, with the same rules for CSV; `SimpleTypeFacets` checks the rest on the
    /// text as written. Tests hold both to libxml2's verdicts under the published XSD.
    static let structureXSD: String = xsd.split(separator: "\n", omittingEmptySubsequences: false)
        .filter { line in !facetElements.contains { line.contains("<xs:\($0) ") } }
        .joined(separator: "\n")

    private static let facetElements = ["pattern", "enumeration", "minLength", "maxLength"]

    /// The enumeration and length facets of each field's simple type, read from the XSD
    /// (one declaration a line); fields whose type has none are left out. Roles are
    /// under `.roles`.
    static let facets: [UserField: SimpleTypeFacets] = {
        struct Restriction {
            var base = ""
            var enumeration: [String] = []
            var minLength: Int?
            var maxLength: Int?
        }
        var restrictions: [String: Restriction] = [:]
        var elementTypes: [String: String] = [:]
        var type: String?
        for line in xsd.split(separator: "\n") {
            if let name = attribute("name", of: "simpleType", in: line) { type = name }
            if let name = attribute("name", of: "element", in: line), let elementType = attribute("type", of: "element", in: line) {
                elementTypes[name] = elementType
            }
            guard let type else { continue }
            if let base = attribute("base", of: "restriction", in: line) { restrictions[type, default: Restriction()].base = base }
            if let value = attribute("value", of: "enumeration", in: line) { restrictions[type, default: Restriction()].enumeration.append(value) }
            if let value = attribute("value", of: "minLength", in: line).flatMap(Int.init) { restrictions[type, default: Restriction()].minLength = value }
            if let value = attribute("value", of: "maxLength", in: line).flatMap(Int.init) { restrictions[type, default: Restriction()].maxLength = value }
        }
        var facets: [UserField: SimpleTypeFacets] = [:]
        for field in UserField.allCases {
            guard let type = elementTypes[field == .roles ? "role" : field.xmlElement], let restriction = restrictions[type],
                !restriction.enumeration.isEmpty || restriction.minLength != nil || restriction.maxLength != nil
            else { continue }
            facets[field] = SimpleTypeFacets(
                collapsesWhitespace: restriction.base == "xs:token", enumeration: restriction.enumeration,
                minLength: restriction.minLength, maxLength: restriction.maxLength)
        }
        return facets
    }()

    /// The value of attribute `name` of the `xs:` element `element` declared on `line`.
    static func attribute(_ name: String, of element: String, in line: Substring) -> String? {
        guard let start = line.range(of: "<xs:\(element) "),
            let open = line[line.index(before: start.upperBound)...].range(of: " \(name)=\"")
        else { return nil }
        let rest = line[open.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }
}

/// A simple type's enumeration and length facets, checked as libxml2 checks them: on the
/// value with white space collapsed for types derived from `xs:token`, as written for
/// `xs:string`, lengths in characters.
final class SimpleTypeFacets: Sendable {
    let collapsesWhitespace: Bool
    let enumeration: [String]
    let minLength: Int?
    let maxLength: Int?
    /// The enumeration's UTF-8, compared byte for byte: every line of a list names three.
    private let enumerationBytes: [[UInt8]]

    init(collapsesWhitespace: Bool, enumeration: [String], minLength: Int?, maxLength: Int?) {
        self.collapsesWhitespace = collapsesWhitespace
        self.enumeration = enumeration
        self.minLength = minLength
        self.maxLength = maxLength
        enumerationBytes = enumeration.map { Array($0.utf8) }
    }

    /// What is wrong with `text`, an element's whole text, or nil.
    func problem(_ text: UnsafeBufferPointer<UInt8>) -> String? {
        guard collapsesWhitespace else { return problem(ofCollapsed: text) }
        let value = text.trimmingWhitespace
        var inside = 0
        while inside < value.count && !String.isWhitespace(value[inside]) { inside += 1 }
        guard inside < value.count else { return problem(ofCollapsed: value) }
        // Runs of white space inside become one space (the value ends with none).
        var collapsed: [UInt8] = []
        for index in value.indices where !(String.isWhitespace(value[index]) && String.isWhitespace(value[index + 1])) {
            collapsed.append(String.isWhitespace(value[index]) ? 0x20 : value[index])
        }
        return collapsed.withUnsafeBufferPointer(problem(ofCollapsed:))
    }

    private func problem(ofCollapsed value: UnsafeBufferPointer<UInt8>) -> String? {
        if !enumerationBytes.isEmpty && !enumerationBytes.contains(where: { Self.equal($0, value) }) {
            return "'\(String(decoding: value, as: UTF8.self))' is not one of \(enumeration.joined(separator: ", "))"
        }
        guard minLength != nil || maxLength != nil else { return nil }
        // A character is one to four bytes: most values are within the limits either way.
        if value.count <= maxLength ?? .max && (value.count + 3) / 4 >= minLength ?? 0 { return nil }
        // Characters, not bytes: UTF-8 continuation bytes are 10xxxxxx.
        var length = 0
        for byte in value where byte & 0xC0 != 0x80 { length += 1 }
        if let minLength, length < minLength {
            return length == 0 ? "empty; the schema requires text" : "\(length) characters; the schema allows \(minLength) at least"
        }
        if let maxLength, length > maxLength { return "\(length) characters; the schema allows \(maxLength) at most" }
        return nil
    }

    private static func equal(_ bytes: [UInt8], _ value: UnsafeBufferPointer<UInt8>) -> Bool {
        guard bytes.count == value.count else { return false }
        for index in value.indices where bytes[index] != value[index] { return false }
        return true
    }
}
